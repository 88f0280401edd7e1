/* The Jitsi backend's insides, shared by its files: src/jitsi/backend.c (the XMPP session,
 * the room, the roster) and src/jitsi/bcall.c (the media: the room's Jingle sessions through
 * src/jitsi/call.c, and the video the backend ops show). Thread: the loop's. */
#ifndef TTM_SRC_JITSI_JT_H
#define TTM_SRC_JITSI_JT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/ws.h"
#include "src/backend.h"
#include "src/jitsi/call.h"
#include "src/jitsi/config.h"
#include "src/jitsi/fetch.h"
#include "src/jitsi/focus.h"
#include "src/jitsi/jingle.h"
#include "src/jitsi/lobby.h"
#include "src/jitsi/sasl.h"
#include "src/jitsi/xmpp.h"

struct jchat;

enum jstate { J_IDLE, J_CONFIG, J_CONNECTING, J_FOCUS, J_JOINING, J_LOBBY, J_JOINED, J_LEAVING };

struct backend {
	struct session *s;
	struct backend_env env;
	const struct session_config *cfg;
	struct jitsi_link link;
	struct jitsi_overrides ov;
	struct jitsi_settings set;
	int set_rc;                  /* resolving failed: say so at connect */
	char set_err[256];
	bool config_done;            /* /config.js was fetched (or not needed) once */
	struct jitsi_fetch *fetch;
	/* while /config.js loads, ws is already connecting to the WebSocket the link gives
	 * without it (src/jitsi/backend.c connect_early): to this URL; opened: it is open */
	char ws_url[JITSI_URL_MAX + 1];
	bool ws_opened;
	char *jwt;                   /* wiped when freed; NULL: none */
	struct sasl_login login;     /* user NULL: anonymous; password wiped when freed */
	char login_at[JITSI_HOST_MAX + 1]; /* the domain of --xmpp-user USER@DOMAIN, else "" */
	const char *stream_domain;   /* the XMPP domain this attempt logged in to */
	struct xmpp_sm *sm_saved;    /* XEP-0198: the lost stream's session, to resume */
	bool resuming;               /* this attempt tries to resume it */
	char room_jid[JITSI_ROOM_MAX + JITSI_HOST_MAX + 2];
	char nick[9];                /* our occupant name */
	enum jstate state;
	struct ws_conn *ws;
	struct xmpp *x;
	GSource *connect_timer;
	GSource *ping_timer;         /* the next ping, or the wait for its answer */
	bool ping_pending;
	char ping_id[32];
	struct jfocus *focus;        /* the conference request (J_FOCUS, then kept till drop) */
	char focusjid[JFOCUS_JID_MAX]; /* the focus user, from its answer; "" if none */
	char machine_uid[33];        /* random per run (the web app's is per browser) */
	char stats_id[16];           /* <stats-id> in our presence: random per run, as the web
				      * app's per-visit name for its statistics */
	bool told_no_focus;
	char lobby_jid[JLOBBY_JID_MAX]; /* J_LOBBY: the lobby room we knock in */
	char *join_password;         /* the password a lobby admission carried (wiped), or NULL */
	struct jchat *chat;          /* the room's chat (src/jitsi/chat.c) */
	uint64_t video_frames;       /* pictures shown (video_stats) */
	uint64_t video_from;         /* whose pictures were shown last (roster id + 1; 0: none) */
	struct jcall *call;          /* the room's Jingle sessions (src/jitsi/call.c), from the
				      * join; kept over an XEP-0198 resume */
	char focus_occ[JINGLE_OWNER_MAX]; /* the focus's occupant name in the room, "" if unseen */
	gint64 last_rx_us;           /* monotonic µs of the last message while joined (0: none) */
	bool rename_pending;         /* our new <nick> went out; its echo confirms */
	GHashTable *ids;             /* occupant name -> id (uint64 in a pointer-sized box) */
	uint64_t next_id;
	int (*offline_send)(void *user, const char *text, size_t len);
	void *offline_user;
};

/* The roster id of occupant name: handed out on first sight when create (0 when the bound
 * is reached, or unknown without create). */
uint64_t jt_occupant_id(struct backend *b, const char *name, bool create);

/* bcall.c: the room's Jingle sessions from the join on (0, or -ENOMEM), and the video ops of
 * src/backend.h. */
int jt_call_start(struct backend *b);
int jt_video_receive(struct backend *b, bool on);
int jt_video_show(struct backend *b, const char *name);
void jt_video_follow(struct backend *b, const char *name);
void jt_video_stats(struct backend *b, struct session_video_stats *out);

#endif
