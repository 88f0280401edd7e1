/* The send side of a published video stream: a picture source (the moving test pattern, or a
 * V4L2 camera) → VP8 or VP9 (libvpx, low resolution and bitrate) → RTP → the peer. With
 * simulcast, a second encoding at half the size and a third of the bitrate goes out on its own
 * SSRC (the lower layer first in the SIM group, as browsers do).
 *
 * A frame clock at the configured rate (scheduled against the monotonic clock) runs while a
 * connected peer is attached. Feedback from the server is honoured: PLI and FIR make the next
 * frame a keyframe, generic NACKs resend packets from a short history, receiver reports give
 * loss and RTT. A sender report goes out every second. Thread: the loop's thread.
 */
#ifndef TTM_SRC_VSEND_H
#define TTM_SRC_VSEND_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/peer.h"
#include "src/video.h"

#define VSEND_MAX_PAYLOAD 1200 /* RTP payload bytes, descriptor included */

struct vsend;

struct vsend_config {
	const char *source;     /* "testpattern" or "v4l2:/dev/videoN" */
	int width, height;      /* 0: 320 x 180 */
	int fps;                /* 0: 10 */
	int kbps;               /* 0: 150 */
	enum video_codec codec; /* VP8 (default) or VP9 */
	bool simulcast;         /* two layers: full size and half size */
	const char *cname;
};

#define VSEND_MAX_LAYERS 2

/* Negotiated in the answer. */
struct vsend_params {
	uint8_t pt;
	int mid_ext_id;         /* <= 0: none */
	const char *mid;
};

struct vsend_stats {
	uint64_t frames, keyframes, packets, bytes;
	uint64_t retransmitted, nacks_received, plis_received, firs_received;
	double loss_pct;        /* as the server reported it; < 0 unknown */
	double rtt_ms;          /* < 0 unknown */
	double fps, kbps;       /* over the interval since the previous call */
};

/* Opens the source and the encoder. Errors: -EINVAL (unknown source, bad sizes), -ENODEV
 * (camera missing), -EIO (libvpx, camera); msg gets one line for the user. */
int vsend_create(GMainContext *main, const struct vsend_config *cfg, struct vsend **out,
		 char *msg, size_t msglen);
void vsend_destroy(struct vsend *vs);
/* Starts sending through p (not owned) with the negotiated params. */
void vsend_attach(struct vsend *vs, struct peer *p, const struct vsend_params *params);
/* Stops using the peer (before it is destroyed). */
void vsend_detach(struct vsend *vs);
/* Our RTP SSRCs (for the offer), lowest layer first; returns how many (1, or 2 with
 * simulcast). */
size_t vsend_ssrcs(const struct vsend *vs, uint32_t ssrcs[VSEND_MAX_LAYERS]);
/* A decrypted RTCP packet from the peer. */
void vsend_on_rtcp(struct vsend *vs, const uint8_t *buf, size_t len);
void vsend_get_stats(struct vsend *vs, struct vsend_stats *out);

#endif
