/* Internals of the Janus backend (src/backend.h), shared by its parts: src/janus/backend.c
 * (the connection, the Janus session, AudioBridge: the call), src/janus/chat.c (TextRoom via
 * src/janus/chatlink.c), src/janus/video.c (VideoRoom via src/janus/videolink.c),
 * src/janus/vroom.c (VideoRoom: the call), src/janus/vpub.c (our video in a VideoRoom call),
 * src/janus/trickle.c (the server's trickled candidates) and src/janus/offline.c. Not for
 * other modules.
 */
#ifndef TTM_SRC_JANUS_JB_H
#define TTM_SRC_JANUS_JB_H

#include <glib.h>

#include "net/janus.h"
#include "net/peer.h"
#include "net/ws.h"
#include "net/sdp.h"
#include "src/backend.h"
#include "src/media.h"
#include "src/janus/jpc.h"
#include "src/janus/chatlink.h"
#include "src/janus/videolink.h"
#include "src/vsend.h"

/* Which Janus plugin is the call: AudioBridge (mixed) or VideoRoom (forwarded). */
enum jb_room { JB_ROOM_AUTO, JB_ROOM_AUDIOBRIDGE, JB_ROOM_VIDEOROOM };

#define JB_VR_FEEDS 256  /* publishers known in a VideoRoom call */
#define JB_VR_SUB_MAX 60 /* of them, heard: one subscriber m-line each (SDP_MAX_MLINES) */

/* A VideoRoom publisher's audio (src/janus/vroom.c). */
struct vr_feed {
	uint64_t id;
	char audio_mid[SDP_MID_LEN + 1]; /* its audio stream's mid, "" none */
	bool subscribed;                 /* asked for, or in our subscription */
	bool mapped;                     /* in the last offer */
	uint32_t ssrc;                   /* our subscriber m-line's SSRC for it, 0 unknown */
	uint64_t packets;                /* of that stream, at the last look */
	gint64 last_packet_us;           /* monotonic µs its packet count last grew */
	bool quiet_muted;                /* shown muted: its stream stopped */
};

/* The VideoRoom call's state (src/janus/vroom.c). */
struct jb_vr {
	uint64_t private_id;
	uint64_t sub_handle;
	struct jpc *sub_pc;
	bool sub_attaching, sub_busy, recv_attached;
	bool over_sub_max;         /* more publish audio than JB_VR_SUB_MAX: said once */
	struct media_recv_params rp;
	json_t *pending_data, *pending_jsep; /* an offer that came while busy */
	GSource *mute_timer;       /* looks for streams that stopped (muted) */
	struct vr_feed feeds[JB_VR_FEEDS];
	size_t n_feeds;
};

/* The steps of one connection attempt. */
enum jb_state { JB_IDLE, JB_CONNECTING, JB_CREATING, JB_ATTACHING, JB_JOINING, JB_JOINED,
		JB_LEAVING };

struct backend {
	struct session *s;
	struct backend_env env;
	const struct session_config *cfg;
	size_t ws_max; /* largest server message taken; grows once a very large room needs it */

	enum jb_room room_kind;   /* as asked (--room-type), AUTO until decided */
	enum jb_room room_chosen; /* decided at the first join, kept for rejoins */
	uint64_t probe_handle;    /* AUTO: the VideoRoom handle that asks, then joins */
	int probe_vr;             /* AUTO: VideoRoom publishers, -1 no such room, -2 asking */
	int probe_ab;             /* AUTO: AudioBridge participants, -1 no such room, -2 asking */
	struct jb_vr vr;

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
	/* a VideoRoom meeting: our video on b->pc (src/janus/vpub.c), kept for rejoins */
	struct vsend *vsend;
	bool vpub_failed;   /* the source could not be opened: said once, not tried again */
	bool vpub_attached; /* sending through b->pc */
	bool vpub_up;       /* b->pc connected while attached */

	/* the server's trickled candidates (src/janus/trickle.c) */
	GPtrArray *early_trickles; /* waiting for their link's PeerConnection */
	unsigned trickled[SESSION_TRICKLE_KINDS]; /* accepted, per link, since start */

	/* offline mode: this is the transport, not a WebSocket */
	int (*offline_send)(void *user, const char *text, size_t len);
	void *offline_user;
};

/* src/janus/backend.c */
void jb_handle_message(struct backend *b, const char *text, size_t len);
/* Adds or updates a participant from an AudioBridge participant or VideoRoom publisher or
 * attendee object ({id, display, muted?, talking?}); muted: also when the object says not. */
void jb_roster_update(struct backend *b, json_t *pj, bool muted);
/* The call's PeerConnection (b->pc) on b->handle, as offerer. */
int jb_call_pc(struct backend *b);
/* Applies Janus's answer to our call offer: the peer learns the transport, the media engine
 * the codec. why gets a line on failure. */
int jb_apply_answer(struct backend *b, json_t *jsep, char *why, size_t whylen);

/* src/janus/choose.c: attaches the call's plugin (deciding which one, for AUTO) and joins */
void jb_choose_and_join(struct backend *b);
void jb_ab_join(struct backend *b); /* src/janus/backend.c, on b->handle */
const char *jb_room_name(enum jb_room k);

/* src/janus/vroom.c */
void jb_vr_join(struct backend *b);  /* on b->handle, a VideoRoom handle */
void jb_vr_stop(struct backend *b);  /* with the transport */
int jb_vr_set_muted(struct backend *b, bool muted);
void jb_vr_room_event(struct backend *b, json_t *data); /* the meeting handle's events */
bool jb_vr_route(struct backend *b, const struct janus_event *ev); /* the subscriber's */
struct peer *jb_vr_peer(const struct backend *b, uint64_t handle);

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
/* A VideoRoom call: the meeting handle's room data (join reply, events) for the preview. */
void jb_video_room_event(struct backend *b, json_t *data);
/* A SESSION_EV_MEDIA event of kind video: our published video connected or failed. */
void jb_video_publish_event(struct backend *b, bool ok, const char *why);
int jb_video_receive(struct backend *b, bool on);
int jb_video_show(struct backend *b, const char *name);
void jb_video_follow(struct backend *b, const char *name);
void jb_video_stats(struct backend *b, struct session_video_stats *out);

/* src/janus/vpub.c: our video on the call's PeerConnection in a VideoRoom call */
int jb_vpub_open(struct backend *b); /* the source, once: 0, -ENOENT (none), or it failed */
/* Our publisher offer with a's audio and our video (b->vsend open). */
int jb_vpub_write_offer(struct backend *b, const struct sdp_audio_offer *a, char *buf,
			size_t cap);
void jb_vpub_answer(struct backend *b, json_t *jsep); /* Janus's answer to that offer */
void jb_vpub_state(struct backend *b, enum peer_state st, const char *reason); /* of b->pc */
void jb_vpub_rtcp(struct backend *b, uint8_t *buf, size_t len); /* from b->pc */
void jb_vpub_detach(struct backend *b); /* before b->pc goes */
void jb_vpub_free(struct backend *b);
void jb_vpub_stats(struct backend *b, struct session_video_stats *out);

/* src/janus/chat.c */
void jb_chat_start(struct backend *b); /* the chat link, once joined */
void jb_chat_stop(struct backend *b);  /* with the transport (no event) */
int jb_chat_send(struct backend *b, const char *to_user, const char *text);
void jb_chat_wipe(struct backend *b);
bool jb_chat_route(struct backend *b, const struct janus_event *ev); /* true: handled */
int jb_set_name(struct backend *b, bool want_reply); /* our display, with our chat claim */

#endif
