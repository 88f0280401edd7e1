/* The receive side of one subscribed video stream: RTP (and RTX) → VP8/VP9 reassembly →
 * libvpx → decoded pictures for the renderer, with the feedback a good receiver gives:
 * generic NACKs for missing packets (each asked for at most twice), a PLI at the start and
 * whenever a frame could not be decoded (rate-limited), receiver reports once a second.
 *
 * Data flow: peer rtp_cb → vrecv_on_rtp() → net/vp8 depacketizer (reorder window, loss
 * detection) → src/video decoder → frame_cb with the picture. Damaged frames are never shown:
 * after a loss the stream waits for a keyframe. RTCP goes out through the attached peer; with
 * no peer (unit tests) feedback is only counted. Thread: the loop's thread.
 *
 * One stream is shown at a time. A bridge may forward several on one m-line (Jitsi's, when
 * it forwards more than one person's video): the first SSRC is followed, and packets of
 * another are ignored (counted) unless the caller prefers that one to the shown one
 * (cbs->prefer_cb: whom the user picked, what the bridge says it forwards, a person's newer
 * stream; the caller's policy), or the shown one has been quiet for VRECV_QUIET_MS (it
 * stopped: the bridge switched without saying so). A switch takes the other stream from its
 * next packet on. Without that, every change of SSRC would restart the decoder and ask for a
 * keyframe: interleaved streams would show each person in turn, a few pictures a second.
 * prefer_cb must be a strict order (never true both ways, nor in a cycle): as long as what it
 * knows does not change, each pair of streams switches at most once.
 */
#ifndef TTM_SRC_VRECV_H
#define TTM_SRC_VRECV_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/peer.h"
#include "src/video.h"

struct vrecv;

struct vrecv_config {
	enum video_codec codec;  /* of the negotiated payload type */
	uint8_t pt;              /* its payload type */
	int rtx_pt;              /* RTX payload type for pt, -1 none */
	uint32_t remote_ssrc;    /* the media SSRC from the offer, 0 = learn it */
	bool nack;               /* the answer negotiated "nack" */
	const char *cname;
	int max_width, max_height; /* decoder limit, 0 = 1920 x 1088 */
};

#define VRECV_QUIET_MS 1000 /* the shown stream is gone after this long without a packet */

struct vrecv_callbacks {
	/* A decoded picture, valid during the call. */
	void (*frame_cb)(void *user, const struct video_image *img);
	/* True to switch from the shown stream (shown) to stream ssrc, whose packet came (see
	 * above). NULL: never (only the VRECV_QUIET_MS rule). */
	bool (*prefer_cb)(void *user, uint32_t ssrc, uint32_t shown);
	void *user;
};

struct vrecv_stats {
	uint64_t packets, bytes;       /* RTP received (RTX included) */
	uint64_t rtx_packets;
	uint64_t frames, keyframes;    /* decoded pictures, of which keyframes */
	uint64_t dropped;              /* frames not shown: damaged, undecodable, no keyframe */
	uint64_t lost;                 /* packets given up on */
	uint64_t ignored;              /* RTP of other streams than the one shown */
	uint64_t nacks_sent, nacked_seqs, plis_sent;
	int width, height;             /* of the last picture */
	double fps, kbps;              /* over the interval since the previous call */
};

/* Creates a receiver; cfg is copied. Returns 0, -EINVAL, -ENOMEM or -EIO (libvpx). */
int vrecv_create(GMainContext *main, const struct vrecv_config *cfg,
		 const struct vrecv_callbacks *cbs, struct vrecv **out);
void vrecv_destroy(struct vrecv *vr);
/* Sends feedback through p (not owned) from now on and starts the report timer. */
void vrecv_attach(struct vrecv *vr, struct peer *p);
/* Stops using the peer (before it is destroyed). */
void vrecv_detach(struct vrecv *vr);
/* Another publisher now feeds the stream (a switch): forget the old one, wait for a keyframe
 * and ask for it. */
void vrecv_restart(struct vrecv *vr);
/* A decrypted RTP / RTCP packet from the peer. */
void vrecv_on_rtp(struct vrecv *vr, const uint8_t *buf, size_t len);
void vrecv_on_rtcp(struct vrecv *vr, const uint8_t *buf, size_t len);
/* The SSRC of the stream followed (whose pictures frame_cb gives), 0 before the first. */
uint32_t vrecv_source(const struct vrecv *vr);
/* Counters, and rates over the interval since the previous call. */
void vrecv_get_stats(struct vrecv *vr, struct vrecv_stats *out);

#endif
