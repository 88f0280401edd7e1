/* Internals of the Janus backend (src/backend.h), shared by its parts: src/janus/backend.c
 * (the connection, the Janus session, AudioBridge: the call), src/janus/chat.c (TextRoom via
 * src/janus/chatlink.c), src/janus/video.c (VideoRoom via src/janus/videolink.c),
 * src/janus/trickle.c (the server's trickled candidates) and src/janus/offline.c. Not for
 * other modules.
 */
#ifndef TTM_SRC_JANUS_JB_H
#define TTM_SRC_JANUS_JB_H

#include <glib.h>

#include "net/janus.h"
#include "net/peer.h"
#include "net/ws.h"
#include "src/backend.h"
#include "src/janus/jpc.h"
#include "src/janus/chatlink.h"
#include "src/janus/videolink.h"

/* The steps of one connection attempt. */
enum jb_state { JB_IDLE, JB_CONNECTING, JB_CREATING, JB_ATTACHING, JB_JOINING, JB_JOINED,
		JB_LEAVING };

struct backend {
	struct session *s;
	struct backend_env env;
	const struct session_config *cfg;
	size_t ws_max; /* largest server message taken; grows once a very large room needs it */

	/* the current attempt */
	enum jb_state state;
	struct ws_conn *ws;
	struct janus *janus;
	struct jpc *pc;  /* the call's audio (AudioBridge) */
	uint64_t handle; /* the AudioBridge handle */
	GSource *connect_timer;

	/* chat (src/janus/chat.c) */
	struct chatlink *chat_link;
	bool chat_claiming; /* our display's claim of our chat username is on its way */
	bool chat_claimed;  /* Janus took it: to be withdrawn if the chat link fails */

	/* video (src/janus/video.c) */
	struct videolink *video;
	uint64_t video_frames;

	/* the server's trickled candidates (src/janus/trickle.c) */
	GPtrArray *early_trickles; /* waiting for their link's PeerConnection */
	unsigned trickled[SESSION_TRICKLE_KINDS]; /* accepted, per link, since start */

	/* offline mode: this is the transport, not a WebSocket */
	int (*offline_send)(void *user, const char *text, size_t len);
	void *offline_user;
};

/* src/janus/backend.c */
void jb_handle_message(struct backend *b, const char *text, size_t len);

/* src/janus/offline.c */
int jb_offline(struct backend *b, int (*send)(void *user, const char *text, size_t len),
	       void *user);
void jb_offline_feed(struct backend *b, const char *text, size_t len);

/* src/janus/trickle.c */
void jb_trickle_on_event(struct backend *b, const struct janus_event *ev);
void jb_trickle_retry(struct backend *b); /* after every server message */
void jb_trickle_reset(struct backend *b); /* with the transport of an attempt */
void jb_trickle_free(struct backend *b);

/* src/janus/video.c */
void jb_video_start(struct backend *b);  /* once joined */
/* With the transport; why (NULL: silent) ends a shown preview with a VIDEO off event. */
void jb_video_stop(struct backend *b, const char *why);
bool jb_video_route(struct backend *b, const struct janus_event *ev); /* true: handled */
int jb_video_receive(struct backend *b, bool on);
int jb_video_show(struct backend *b, const char *name);
void jb_video_follow(struct backend *b, const char *name);
void jb_video_stats(struct backend *b, struct session_video_stats *out);

/* src/janus/chat.c */
void jb_chat_start(struct backend *b); /* the chat link, once joined */
void jb_chat_stop(struct backend *b);  /* with the transport (no event) */
int jb_chat_send(struct backend *b, const char *to_user, const char *text);
void jb_chat_wipe(struct backend *b);
bool jb_chat_route(struct backend *b, const struct janus_event *ev); /* true: handled */
int jb_set_name(struct backend *b, bool want_reply); /* our display, with our chat claim */

#endif
