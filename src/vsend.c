/* Video sender (see vsend.h).
 *
 * Per tick: fill the picture (test pattern frame n, or the camera's latest frame), and for each
 * layer (the full picture; with simulcast also a half-size copy) encode, cut into RTP payloads,
 * send each and keep a copy (unprotected) in the layer's ring of HISTORY packets for NACKed
 * retransmission. Every second a sender report per layer. Everything is allocated at create.
 */
#include "src/vsend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/rtcp.h"
#include "net/rtp.h"
#include "net/srtp.h"
#include "net/vp8.h"
#include "src/camera.h"
#include "src/testpattern.h"
#include "net/loop.h"

#define HISTORY 256      /* packets kept for retransmission, per layer (power of two) */
#define PKT_MAX (VSEND_MAX_PAYLOAD + 64)
#define SR_INTERVAL_US 1000000

struct sent {
	uint16_t seq;
	uint16_t len; /* 0 = empty slot */
	uint8_t data[PKT_MAX];
};

/* One encoding on its own SSRC. */
struct layer {
	struct video_image img;
	struct video_enc *enc;
	struct vp8_pack pack;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t last_ts;
	uint64_t packets, bytes;
	struct sent *history;
};

struct vsend {
	GMainContext *main;
	struct vsend_config cfg;
	char cname[64], mid[SDP_MID_LEN + 1];
	struct vsend_params params;
	struct peer *peer;

	struct camera *cam; /* NULL: test pattern */
	struct layer layers[VSEND_MAX_LAYERS]; /* [0] the lowest */
	size_t n_layers;
	struct layer *full; /* the layer with the source's size */
	uint64_t n;         /* frames ticked */
	uint32_t ts0;

	GSource *timer;
	gint64 next_us, next_sr_us, frame_us;

	struct vsend_stats st;
	uint64_t prev_frames, prev_bytes;
	gint64 prev_stats_us;
};

static uint64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool connected(const struct vsend *vs)
{
	return vs->peer && peer_get_state(vs->peer) == PEER_CONNECTED;
}

static struct layer *layer_of(struct vsend *vs, uint32_t ssrc)
{
	for (size_t i = 0; i < vs->n_layers; i++)
		if (vs->layers[i].ssrc == ssrc)
			return &vs->layers[i];
	return NULL;
}

/* Sends a finished packet (pkt has SRTP headroom) after keeping a copy of it. */
static void send_packet(struct vsend *vs, struct layer *l, uint8_t *pkt, size_t len, size_t cap)
{
	struct sent *h = &l->history[l->seq % HISTORY];
	h->seq = l->seq;
	h->len = (uint16_t)len;
	memcpy(h->data, pkt, len);
	if (peer_send_rtp(vs->peer, pkt, len, cap) == 0) {
		l->packets++;
		l->bytes += len;
		vs->st.packets++;
		vs->st.bytes += len;
	}
	l->seq++;
}

static void send_frame(struct vsend *vs, struct layer *l, const struct video_packet *vp)
{
	uint32_t ts = vs->ts0 + (uint32_t)(vs->n * 90000u / (unsigned int)vs->cfg.fps);
	int rc = vs->cfg.codec == VIDEO_CODEC_VP9 ?
			 vp8_pack_start_vp9(&l->pack, vp->data, vp->len, vp->keyframe,
					    (uint16_t)l->img.width, (uint16_t)l->img.height) :
			 vp8_pack_start(&l->pack, vp->data, vp->len, vp->droppable);
	if (rc < 0)
		return;
	l->last_ts = ts;
	for (;;) {
		uint32_t pkt32[(PKT_MAX + SRTP_SESSION_HEADROOM) / 4];
		uint8_t *pkt = (uint8_t *)pkt32;
		bool with_mid = vs->params.mid_ext_id > 0 && vs->mid[0];
		struct rtp_header h = { .pt = vs->params.pt, .seq = l->seq, .ts = ts,
					.ssrc = l->ssrc };
		struct rtp_writer w;
		size_t room;
		bool last;
		rtp_writer_init(&w, pkt, PKT_MAX, &h, with_mid ? RTP_EXT_ONE_BYTE : RTP_EXT_NONE);
		if (with_mid)
			rtp_writer_add_mid(&w, (uint8_t)vs->params.mid_ext_id, vs->mid);
		uint8_t *payload = rtp_writer_payload(&w, &room);
		if (!payload)
			return;
		int n = vp8_pack_next(&l->pack, payload, room, &last);
		if (n <= 0)
			return;
		if (last)
			pkt[1] |= 0x80; /* marker: the frame's last packet */
		int len = rtp_writer_finish(&w, (size_t)n, 0);
		if (len <= 0)
			return;
		send_packet(vs, l, pkt, (size_t)len, sizeof(pkt32));
		if (last)
			return;
	}
}

static void send_sr(struct vsend *vs)
{
	uint32_t buf32[(PEER_PACKET_MAX + SRTP_SESSION_HEADROOM) / 4];
	struct rtcp_writer w;
	rtcp_writer_init(&w, (uint8_t *)buf32, PEER_PACKET_MAX);
	for (size_t i = 0; i < vs->n_layers; i++) {
		const struct layer *l = &vs->layers[i];
		struct rtcp_sender_info si = {
			.ntp = rtcp_ntp_from_unix_us(wall_us()),
			.rtp_ts = l->last_ts,
			.packets = (uint32_t)l->packets,
			.octets = (uint32_t)l->bytes,
		};
		rtcp_write_sr(&w, l->ssrc, &si, NULL, 0);
	}
	rtcp_write_sdes_cname(&w, vs->full->ssrc, vs->cname);
	int len = rtcp_writer_finish(&w);
	if (len > 0)
		peer_send_rtcp(vs->peer, (uint8_t *)buf32, (size_t)len, sizeof(buf32));
}

/* dst at half the size of src (2x2 averages). */
static void halve(const struct video_image *src, const struct video_image *dst)
{
	for (int p = 0; p < 3; p++) {
		int w = p ? (dst->width + 1) / 2 : dst->width;
		int h = p ? (dst->height + 1) / 2 : dst->height;
		int sw = p ? (src->width + 1) / 2 : src->width;
		int sh = p ? (src->height + 1) / 2 : src->height;
		for (int y = 0; y < h; y++) {
			const uint8_t *r0 = src->planes[p] + (size_t)(2 * y) * (size_t)src->stride[p];
			const uint8_t *r1 = 2 * y + 1 < sh ? r0 + src->stride[p] : r0;
			uint8_t *out = dst->planes[p] + (size_t)y * (size_t)dst->stride[p];
			for (int x = 0; x < w; x++) {
				int x1 = 2 * x + 1 < sw ? 2 * x + 1 : 2 * x;
				out[x] = (uint8_t)((r0[2 * x] + r0[x1] + r1[2 * x] + r1[x1] + 2) / 4);
			}
		}
	}
}

static void tick(struct vsend *vs)
{
	if (vs->cam) {
		if (camera_read(vs->cam, &vs->full->img) <= 0)
			return; /* no new picture: skip the tick */
	} else {
		testpattern_draw(&vs->full->img, vs->n);
	}
	if (vs->n_layers > 1)
		halve(&vs->full->img, &vs->layers[0].img);
	for (size_t i = 0; i < vs->n_layers; i++) {
		struct layer *l = &vs->layers[i];
		struct video_packet vp;
		if (video_enc_encode(l->enc, &l->img, (int64_t)vs->n, &vp) == 1) {
			if (l == vs->full) {
				vs->st.frames++;
				vs->st.keyframes += vp.keyframe;
			}
			send_frame(vs, l, &vp);
		}
	}
	vs->n++;
}

static void schedule(struct vsend *vs);

static void tick_cb(void *data)
{
	struct vsend *vs = data;
	gint64 now = g_get_monotonic_time();
	if (connected(vs)) {
		tick(vs);
		if (now >= vs->next_sr_us) {
			send_sr(vs);
			vs->next_sr_us = now + SR_INTERVAL_US;
		}
	}
	vs->next_us += vs->frame_us;
	if (vs->next_us <= now) /* a stall: skip ahead rather than burst */
		vs->next_us = now + vs->frame_us;
	schedule(vs);
}

static void schedule(struct vsend *vs)
{
	gint64 wait = vs->next_us - g_get_monotonic_time();
	loop_once(&vs->timer, vs->main, wait > 0 ? (guint)((wait + 999) / 1000) : 0, tick_cb, vs);
}

static void resend(struct vsend *vs, struct layer *l, uint16_t seq)
{
	const struct sent *h = &l->history[seq % HISTORY];
	uint32_t pkt32[(PKT_MAX + SRTP_SESSION_HEADROOM) / 4];
	if (!h->len || h->seq != seq || !connected(vs))
		return;
	memcpy(pkt32, h->data, h->len);
	if (peer_send_rtp(vs->peer, (uint8_t *)pkt32, h->len, sizeof(pkt32)) == 0)
		vs->st.retransmitted++;
}

void vsend_on_rtcp(struct vsend *vs, const uint8_t *buf, size_t len)
{
	struct rtcp_info info;
	struct layer *l;
	if (rtcp_parse(buf, len, &info) < 0)
		return;
	for (unsigned int i = 0; i < info.n_plis; i++)
		if ((l = layer_of(vs, info.plis[i].media))) {
			vs->st.plis_received++;
			video_enc_request_keyframe(l->enc);
		}
	for (unsigned int i = 0; i < info.n_firs; i++)
		if ((l = layer_of(vs, info.firs[i].media))) {
			vs->st.firs_received++;
			video_enc_request_keyframe(l->enc);
		}
	for (unsigned int i = 0; i < info.n_nacks; i++) {
		uint16_t seqs[17];
		if (!(l = layer_of(vs, info.nacks[i].media)))
			continue;
		vs->st.nacks_received++;
		int n = rtcp_nack_expand(info.nacks[i].pid, info.nacks[i].blp, seqs);
		for (int k = 0; k < n; k++)
			resend(vs, l, seqs[k]);
	}
	for (unsigned int i = 0; i < info.n_blocks; i++) {
		const struct rtcp_report_block *b = &info.blocks[i];
		uint32_t rtt;
		if (b->ssrc != vs->full->ssrc)
			continue;
		vs->st.loss_pct = b->fraction_lost * 100.0 / 256.0;
		if (b->lsr && rtcp_rtt_ms(rtcp_ntp_from_unix_us(wall_us()), b->lsr, b->dlsr, &rtt) == 0)
			vs->st.rtt_ms = rtt;
	}
}

static int layer_init(struct layer *l, const struct vsend_config *c, int width, int height,
		      int kbps)
{
	struct video_enc_config ec;
	int rc;
	video_enc_config_default(&ec);
	ec.width = width;
	ec.height = height;
	ec.fps = c->fps;
	ec.bitrate_kbps = kbps;
	ec.codec = c->codec;
	l->ssrc = g_random_int() | 1u;
	l->seq = (uint16_t)g_random_int();
	l->history = calloc(HISTORY, sizeof(*l->history));
	if (!l->history)
		return -ENOMEM;
	if ((rc = video_image_alloc(&l->img, width, height)) < 0 ||
	    (rc = video_enc_create(&l->enc, &ec)) < 0)
		return rc;
	vp8_pack_init(&l->pack, VSEND_MAX_PAYLOAD, (uint16_t)(g_random_int() & 0x7fff));
	return 0;
}

int vsend_create(GMainContext *main, const struct vsend_config *cfg, struct vsend **out,
		 char *msg, size_t msglen)
{
	int rc = -ENOMEM;
	struct vsend *vs = calloc(1, sizeof(*vs));
	if (!vs)
		return -ENOMEM;
	vs->main = main;
	vs->cfg = *cfg;
	vs->cfg.width = cfg->width ? cfg->width : 320;
	vs->cfg.height = cfg->height ? cfg->height : 180;
	vs->cfg.fps = cfg->fps ? cfg->fps : 10;
	vs->cfg.kbps = cfg->kbps ? cfg->kbps : 150;
	vs->cfg.source = NULL;
	vs->cfg.cname = NULL;
	snprintf(vs->cname, sizeof(vs->cname), "%s", cfg->cname ? cfg->cname : "ttymeet");
	vs->ts0 = g_random_int();
	vs->st.loss_pct = vs->st.rtt_ms = -1;
	vs->frame_us = 1000000 / vs->cfg.fps;
	const char *src = cfg->source ? cfg->source : "testpattern";
	if (strncmp(src, "v4l2:", 5) == 0) {
		rc = camera_open(src + 5, vs->cfg.width, vs->cfg.height, vs->cfg.fps, &vs->cam, msg,
				 msglen);
		if (rc < 0)
			goto fail_quiet;
	} else if (strcmp(src, "testpattern") != 0) {
		rc = -EINVAL;
		snprintf(msg, msglen, "unknown video source '%s' (testpattern or v4l2:/dev/videoN)",
			 src);
		goto fail_quiet;
	}
	struct vsend_config *c = &vs->cfg;
	vs->n_layers = c->simulcast ? 2 : 1;
	vs->full = &vs->layers[vs->n_layers - 1];
	if (c->simulcast &&
	    (rc = layer_init(&vs->layers[0], c, c->width / 2 & ~1, c->height / 2 & ~1,
			     c->kbps / 3 > 10 ? c->kbps / 3 : 10)) < 0)
		goto fail;
	if ((rc = layer_init(vs->full, c, c->width, c->height, c->kbps)) < 0)
		goto fail;
	vs->prev_stats_us = g_get_monotonic_time();
	*out = vs;
	return 0;
fail:
	snprintf(msg, msglen, "cannot start the video encoder (%s)", strerror(-rc));
fail_quiet:
	vsend_destroy(vs);
	return rc;
}

void vsend_destroy(struct vsend *vs)
{
	if (!vs)
		return;
	vsend_detach(vs);
	for (size_t i = 0; i < VSEND_MAX_LAYERS; i++) {
		video_enc_destroy(vs->layers[i].enc);
		video_image_free(&vs->layers[i].img);
		free(vs->layers[i].history);
	}
	camera_close(vs->cam);
	free(vs);
}

void vsend_attach(struct vsend *vs, struct peer *p, const struct vsend_params *params)
{
	vs->peer = p;
	vs->params = *params;
	snprintf(vs->mid, sizeof(vs->mid), "%s", params->mid ? params->mid : "");
	vs->params.mid = NULL;
	for (size_t i = 0; i < vs->n_layers; i++)
		video_enc_request_keyframe(vs->layers[i].enc);
	if (!vs->timer) {
		vs->next_us = g_get_monotonic_time();
		vs->next_sr_us = vs->next_us;
		schedule(vs);
	}
}

void vsend_detach(struct vsend *vs)
{
	vs->peer = NULL;
	loop_source_drop(&vs->timer);
}

size_t vsend_ssrcs(const struct vsend *vs, uint32_t ssrcs[VSEND_MAX_LAYERS])
{
	for (size_t i = 0; i < vs->n_layers; i++)
		ssrcs[i] = vs->layers[i].ssrc;
	return vs->n_layers;
}

void vsend_get_stats(struct vsend *vs, struct vsend_stats *out)
{
	gint64 now = g_get_monotonic_time();
	double secs = (double)(now - vs->prev_stats_us) / 1e6;
	vs->st.fps = secs > 0 ? (double)(vs->st.frames - vs->prev_frames) / secs : 0;
	vs->st.kbps = secs > 0 ? (double)(vs->st.bytes - vs->prev_bytes) * 8 / 1000 / secs : 0;
	vs->prev_frames = vs->st.frames;
	vs->prev_bytes = vs->st.bytes;
	vs->prev_stats_us = now;
	*out = vs->st;
}
