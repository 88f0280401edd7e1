/* Internals of the session shared by src/session.c (signaling, roster, media) and
 * src/session_chat.c (the chat link and outbox). Not for other modules. */
#ifndef TTM_SRC_SESSION_INT_H
#define TTM_SRC_SESSION_INT_H

#include <glib.h>

#include "net/janus.h"
#include "net/peer.h"
#include "src/chat.h"
#include "src/chatlink.h"
#include "src/videolink.h"
#include "src/roster.h"
#include "src/session.h"

enum state {
	ST_IDLE, ST_CONNECTING, ST_CREATING, ST_ATTACHING, ST_JOINING, ST_JOINED,
	ST_RECONNECT_WAIT, ST_PIN_WAIT, ST_GAVE_UP, ST_LEAVING, ST_DONE
};

enum action { ACT_NONE, ACT_FINISH, ACT_RECONNECT, ACT_PIN_WAIT, ACT_GAVE_UP };

struct session {
	GMainContext *main;
	struct ws_ctx *wsctx;
	session_event_cb cb;
	void *user;

	/* configuration */
	char *url, *name, *pin, *stun, *turn_url, *turn_user, *turn_password;
	const char *const *local_addrs;
	uint64_t room;
	bool insecure, muted, tamper_fp, ask_pin;
	gint64 t0;
	unsigned stats_ms, keepalive_ms;
	size_t ws_max; /* largest server message taken; grows once a very large room needs it */
	int bitrate;
	struct media *media;
	struct dtls_cert *cert;
	struct peer_config peer_tpl; /* ICE/DTLS settings every PeerConnection of the session
				      * starts from (the strings and cert above) */

	/* a rename on its way (session_nick.c): s->name is the new name already, so that a
	 * claim sent meanwhile carries it too; this is the name to go back to if refused */
	bool nick_pending;
	char nick_old[SESSION_NAME_MAX];

	/* the current attempt */
	struct ws_conn *ws;
	struct janus *janus;
	struct peer *peer;
	uint64_t handle;
	bool offer_sent, media_up;

	/* the meeting */
	enum state state;
	uint64_t self_id;
	struct roster *roster; /* call participants merged with chat users */
	bool joined_once, media_up_once;
	gint64 t_joined; /* monotonic µs of the first join reply */
	int exit_code;
	char leave_reason[16];

	/* chat */
	struct chat_store *chat;
	GQueue outbox; /* struct outgoing*, waiting for the chat channel */
	bool chat_ready;
	bool chat_claiming; /* our display's claim of our chat username is on its way */
	bool chat_claimed;  /* Janus took it: to be withdrawn if the chat link fails */
	struct chatlink *chat_link;
	gint64 chat_ready_at;   /* monotonic µs the chat channel came up */
	GSource *chat_wait_src; /* a private message waits for its recipient's chat user */

	/* video */
	struct session_video_config video_cfg; /* source copied */
	bool video_receive;
	struct videolink *video;
	uint64_t video_frames;

	/* reconnection */
	int attempt;
	gint64 give_up_us;
	bool hold_on_give_up;
	gint64 lost_since; /* monotonic µs, 0 = not lost */
	char lost_why[256];

	/* malformed server messages once joined: reported (rate-limited), then ignored */
	gint64 bad_msg_reported; /* monotonic µs of the last notice, 0 = none yet */
	unsigned bad_msgs_quiet; /* ignored since that notice without one */

	/* the server's trickled candidates (session_trickle.c) */
	GPtrArray *early_trickles; /* waiting for their link's PeerConnection */
	unsigned trickled[SESSION_TRICKLE_KINDS]; /* accepted, per link, since start */

	/* offline mode (session_offline_start): this is the transport, not a WebSocket */
	int (*offline_send)(void *user, const char *text, size_t len);
	void *offline_user;

	enum action action;
	GSource *connect_timer, *leave_timer, *action_idle, *retry_timer, *stats_timer;
};

/* A chat message waiting for the chat channel. */
struct outgoing {
	char *to;
	uint64_t to_id; /* with to NULL and by_id: privately to the roster's entry to_id */
	bool by_id;
	gint64 queued_at; /* monotonic µs */
	char text[];
};

/* Stamps ev with the session time and hands it to the owner's callback. */
void session_emit(struct session *s, struct session_event *ev);

/* Offline mode, for the fuzz target of the server-message handling (tests/fuzz/
 * fuzz_core_janus.c) and unit tests: like session_start, but every message the session sends
 * goes to send (not NULL), and server messages come in through session_offline_feed instead
 * of a WebSocket. Not reachable from the command line or the environment. */
int session_offline_start(struct session *s, int (*send)(void *user, const char *text, size_t len),
			  void *user);
void session_offline_feed(struct session *s, const char *text, size_t len);

/* session_trickle.c */
void session_trickle_on_event(struct session *s, const struct janus_event *ev);
void session_trickle_retry(struct session *s); /* after every server message */
void session_trickle_reset(struct session *s); /* with the transport of an attempt */
void session_trickle_free(struct session *s);

/* session_video.c */
void session_video_start(struct session *s);  /* once joined */
/* With the transport; why (NULL: silent) ends a shown preview with a VIDEO off event. */
void session_video_stop(struct session *s, const char *why);
bool session_video_route(struct session *s, const struct janus_event *ev); /* true: handled */
void session_video_talking(struct session *s, const char *name); /* follow the speaker */
void session_video_rename(struct session *s); /* our display there becomes s->name */

/* session_nick.c */
/* Writes our AudioBridge display: s->name, plus the claim of our chat username while it is
 * (being) claimed (src/chatid.h). -ENOSPC if it does not fit. */
int session_nick_display(struct session *s, char *out, size_t outlen);
/* After every join: a rename whose answer was lost with the old transport is ours now (the
 * join used the new name): RENAMED. */
void session_nick_joined(struct session *s);

/* session_chat.c */
int session_chat_init(struct session *s);   /* the chat store */
void session_chat_start(struct session *s); /* the chat link, once joined */
void session_chat_free(struct session *s);  /* outbox and store, wiped */
/* A notice event when the chat store could not be locked in memory. */
void session_chat_check_locked(struct session *s);

#endif
