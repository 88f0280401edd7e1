/* The video link of a session: Janus VideoRoom, as a listener that follows the room's
 * publishers, optionally as a publisher of our own picture, and as a subscriber to one feed
 * at a time for the preview.
 *
 * Handles (each with its own PeerConnection, as VideoRoom requires):
 *  - control (not in a VideoRoom meeting, see meeting_self_id): attach, "join" as ptype publisher (no media) → the publishers list and its
 *    changes (new feeds, "unpublished", "leaving"). With a video source it also publishes:
 *    our send-only VP8 offer with "publish" → Janus answers → src/vsend sends.
 *  - subscriber (only while receiving): attach, "join" ptype subscriber to the shown feed's
 *    video stream → Janus offers → we answer with "start" → src/vrecv decodes. Another feed
 *    is shown with "switch" (no renegotiation); "video off" detaches the handle, so Janus
 *    stops sending and the bandwidth is freed. Simulcast feeds are asked for the lowest
 *    substream and temporal layer.
 * In a VideoRoom meeting the meeting's own handle is our one participant in the room: the
 * link makes no control join, the owner hands it that handle's room events
 * (videolink_room_event) and publishes our video itself, on the meeting's PeerConnection.
 * A failure ends the video only, never the meeting. Thread: the loop's thread.
 */
#ifndef TTM_SRC_JANUS_VIDEOLINK_H
#define TTM_SRC_JANUS_VIDEOLINK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/peer.h"
#include "net/janus.h"
#include "src/video.h"
#include "src/vrecv.h"
#include "src/vsend.h"

#define VIDEOLINK_MAX_FEEDS 64
#define VIDEOLINK_NAME_MAX 128

struct videolink;

struct videolink_config {
	uint64_t room;
	const char *display;
	const char *pin;
	const struct peer_config *peer; /* ICE/DTLS settings (not copied: outlives the link) */
	bool receive;            /* subscribe to a feed for the preview */
	const char *source;      /* publish from this source; NULL: do not publish */
	int width, height, fps, kbps; /* publishing; 0: defaults of src/vsend */
	enum video_codec codec;  /* publishing */
	bool simulcast;          /* publishing: a half-size layer too */
	/* A VideoRoom meeting: our publisher id there (the meeting handle's), never listed as a
	 * feed. The link then makes no control join and publishes nothing (source must be NULL);
	 * the room's events come through videolink_room_event. 0: the link joins by itself. */
	uint64_t meeting_self_id;
};

struct videolink_feed {
	uint64_t id;
	char display[VIDEOLINK_NAME_MAX]; /* sanitized */
	const char *codec;                /* "vp8" or "vp9" once subscribed, else NULL */
};

struct videolink_callbacks {
	/* A decoded picture of the shown feed, valid during the call. */
	void (*frame_cb)(void *user, const struct videolink_feed *feed,
			 const struct video_image *img);
	/* The shown feed changed: feed NULL means nothing is shown any more (why says why). */
	void (*showing_cb)(void *user, const struct videolink_feed *feed, const char *why);
	/* The publishers' list changed. */
	void (*feeds_cb)(void *user);
	/* Our published video: connected (ok) or failed (why). */
	void (*publish_cb)(void *user, bool ok, const char *why);
	/* Something worth saying that changes nothing for the owner (a subscription retried). */
	void (*notice_cb)(void *user, const char *text);
	/* The video link as a whole failed (e.g. no such video room); the meeting goes on. */
	void (*failed_cb)(void *user, const char *why);
	void *user;
};

struct videolink_stats {
	bool receiving, publishing;
	struct vrecv_stats rx; /* valid when receiving */
	struct vsend_stats tx; /* valid when publishing */
};

/* Starts the link on an existing Janus session. cfg strings are copied (cfg->peer is not). A
 * bad video source fails here with msg set (-EINVAL, -ENODEV, -ENOTSUP, -EIO). */
int videolink_start(GMainContext *main, struct janus *janus, const struct videolink_config *cfg,
		    const struct videolink_callbacks *cbs, struct videolink **out, char *msg,
		    size_t msglen);
/* Leaves (best effort) and frees everything; no callback afterwards. Safe inside callbacks. */
void videolink_destroy(struct videolink *vl);
/* Janus events: the session hands over those whose handle this link owns. */
bool videolink_owns(const struct videolink *vl, uint64_t handle);
/* The PeerConnection of handle (publisher or subscriber; for the server's trickled
 * candidates), NULL while it has none. */
struct peer *videolink_peer(const struct videolink *vl, uint64_t handle);
void videolink_on_janus_event(struct videolink *vl, const struct janus_event *ev);
/* A VideoRoom meeting (meeting_self_id): the plugin data of the meeting handle's join reply
 * and of its events (publishers, unpublished/leaving/kicked, renames; others are ignored).
 * Untrusted: validated here. Ignored by a link that joined by itself. */
void videolink_room_event(struct videolink *vl, json_t *data);

/* Receive on or off ("/video on|off"); off unsubscribes. */
void videolink_set_receive(struct videolink *vl, bool on);
bool videolink_receiving(const struct videolink *vl);
/* Shows this feed (0: automatic — keep the current one, else the first). -ENOENT if unknown. */
int videolink_show(struct videolink *vl, uint64_t feed);
/* Shows the next feed after the current one (wrapping); -ENOENT when there is none,
 * -EALREADY when the only one is shown already. */
int videolink_show_next(struct videolink *vl);
/* Follows the active speaker: shows feed unless the user pinned one, switching at most every
 * 3 s (a switch asked for sooner happens when the 3 s are over). 0, -ENOENT (not a feed),
 * -EAGAIN (later). */
int videolink_follow(struct videolink *vl, uint64_t feed);
/* Renames us in the video room (a "configure" with display; the others get an event with the
 * new one and rename our feed); in a VideoRoom meeting the owner renames the meeting handle
 * and this only keeps the name. display is copied. 0 or -ENOMEM. */
int videolink_set_display(struct videolink *vl, const char *display);
/* The feed whose display name is name, or NULL. */
const struct videolink_feed *videolink_feed_by_name(const struct videolink *vl, const char *name);
/* The feed shown now, or NULL. */
const struct videolink_feed *videolink_showing(const struct videolink *vl);
/* The publishers other than us; *n gets the count. Valid until the next loop turn. */
const struct videolink_feed *videolink_feeds(const struct videolink *vl, size_t *n);
void videolink_get_stats(struct videolink *vl, struct videolink_stats *out);

#endif
