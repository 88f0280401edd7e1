/* Internals of the meeting model shared by src/session.c (state, reconnection, events),
 * src/session_be.c (what backends tell it), src/session_chat.c (the outbox and the chat
 * store) and src/session_state.c (commands and accessors). No server protocol here: that is
 * the backend's (src/backend.h). Not for other modules. */
#ifndef TTM_SRC_SESSION_INT_H
#define TTM_SRC_SESSION_INT_H

#include <glib.h>

#include "net/peer.h"
#include "src/backend.h"
#include "src/chat.h"
#include "src/roster.h"
#include "src/session.h"

/* The meeting's state; the steps of a connection attempt are the backend's. */
enum state {
	ST_IDLE, ST_CONNECTING, ST_JOINED, ST_RECONNECT_WAIT, ST_PIN_WAIT, ST_GAVE_UP,
	ST_LEAVING, ST_DONE
};

enum action { ACT_NONE, ACT_FINISH, ACT_RECONNECT, ACT_PIN_WAIT, ACT_GAVE_UP };

struct session {
	GMainContext *main;
	struct ws_ctx *wsctx;
	session_event_cb cb;
	void *user;

	/* configuration (cfg's strings point at the copies below) */
	struct session_config cfg; /* name NULL: it may change (name below) */
	char *url, *name, *pin, *stun, *turn_url, *turn_user, *turn_password;
	bool muted;
	gint64 t0;
	struct media *media;
	struct dtls_cert *cert;
	struct peer_config peer_tpl; /* ICE/DTLS settings every PeerConnection of the session
				      * starts from (the strings and cert above) */

	/* a rename on its way (session_nick.c): name is the new name already, so that anything
	 * the backend sends meanwhile carries it too; this is the name to go back to if refused */
	bool nick_pending;
	char nick_old[SESSION_NAME_MAX];

	/* the server */
	const struct backend_ops *ops;
	struct backend *be;
	bool media_up; /* the current attempt's audio is connected */

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
	gint64 chat_ready_at;   /* monotonic µs the chat channel came up */
	GSource *chat_wait_src; /* a private message waits for its recipient's chat user */
	bool chat_unlocked_told; /* the "chat memory is not locked" notice went out */

	/* video */
	bool video_receive;

	/* reconnection */
	int attempt;
	gint64 give_up_us;
	bool hold_on_give_up;
	gint64 lost_since; /* monotonic µs, 0 = not lost */
	char lost_why[256];

	/* malformed server messages once joined: reported (rate-limited), then ignored */
	gint64 bad_msg_reported; /* monotonic µs of the last notice, 0 = none yet */
	unsigned bad_msgs_quiet; /* ignored since that notice without one */

	enum action action;
	GSource *leave_timer, *action_idle, *retry_timer, *stats_timer;
};

/* A chat message waiting for the chat channel. */
struct outgoing {
	char *to;
	uint64_t to_id; /* with to NULL and by_id: privately to the roster's entry to_id */
	bool by_id;
	gint64 queued_at; /* monotonic µs */
	char text[];
};

/* The roster's events (roster_create's callback). */
void session_be_roster_event(void *user, struct session_event *ev);

/* Stamps ev with the session time and hands it to the owner's callback. */
void session_emit(struct session *s, struct session_event *ev);

/* Offline mode, for the fuzz target of the server-message handling (tests/fuzz/
 * fuzz_core_janus.c) and unit tests: like session_start, but every message the session sends
 * goes to send (not NULL), and server messages come in through session_offline_feed instead
 * of a WebSocket. Not reachable from the command line or the environment. */
int session_offline_start(struct session *s, int (*send)(void *user, const char *text, size_t len),
			  void *user);
void session_offline_feed(struct session *s, const char *text, size_t len);

/* session_nick.c: after every join, a rename whose answer was lost with the old transport is
 * ours now (the join used the new name): RENAMED. */
void session_nick_joined(struct session *s);

/* session_chat.c */
int session_chat_init(struct session *s);   /* the chat store */
void session_chat_free(struct session *s);  /* outbox and store, wiped */
void session_chat_flush(struct session *s); /* sends what is queued while the channel is up */
/* A notice event (once per session) when the chat store, or any of the locked pool that holds
 * the other copies of messages (net/lockpool.h), could not be locked in memory. */
void session_chat_check_locked(struct session *s);

#endif
