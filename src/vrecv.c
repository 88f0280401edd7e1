/* Video receiver (see vrecv.h).
 *
 * Timers: one report timer (1 s, RTCP RR + SDES, and a PLI again while a keyframe is still
 * needed) and, only while the depacketizer waits on a sequence gap, a 20 ms gap timer that
 * expires the gap and repeats NACKs. Nothing is allocated per packet.
 */
#include "src/vrecv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/bytes.h"
#include "net/rtcp.h"
#include "net/rtp.h"
#include "net/srtp.h"
#include "net/vp8.h"
#include "net/loop.h"

#define REPORT_MS 1000
#define GAP_MS 20
#define PLI_MIN_US 500000    /* at most two PLIs a second */
#define NACK_MAX 64          /* sequence numbers followed at once */
#define NACK_TRIES 2
#define NACK_RETRY_US 60000  /* before asking again for the same packet */

struct nack_entry {
	uint16_t seq;
	uint8_t tries;
	gint64 last_us;
};

struct vrecv {
	GMainContext *main;
	struct vrecv_config cfg;
	char cname[64];
	struct vrecv_callbacks cb;
	struct peer *peer;
	uint32_t ssrc; /* ours, the sender of feedback */

	struct vp8_depack *depack;
	struct video_dec *dec;
	bool have_src;
	uint32_t media_ssrc;
	gint64 src_last_us;           /* the last packet of media_ssrc */
	struct rtp_stats rstats;
	gint64 last_sr_arrival;
	uint32_t last_sr_mid;
	gint64 last_pli_us;

	struct nack_entry nacks[NACK_MAX];
	unsigned int n_nacks;

	GSource *report_timer, *gap_timer;
	struct vrecv_stats st;
	uint64_t prev_frames, prev_bytes;
	gint64 prev_stats_us;
};

static GSource *add_timer(struct vrecv *vr, unsigned int ms, GSourceFunc fn)
{
	GSource *src = g_timeout_source_new(ms);
	g_source_set_callback(src, fn, vr, NULL);
	g_source_attach(src, vr->main);
	return src;
}

static bool connected(const struct vrecv *vr)
{
	return vr->peer && peer_get_state(vr->peer) == PEER_CONNECTED;
}

/* ---- feedback ---- */

/* One outgoing compound RTCP packet. Feedback starts with an empty receiver report. */
struct fbpkt {
	uint32_t buf32[(PEER_PACKET_MAX + SRTP_SESSION_HEADROOM) / 4];
	struct rtcp_writer w;
};

static struct rtcp_writer *fb_begin(struct vrecv *vr, struct fbpkt *f, bool empty_rr)
{
	rtcp_writer_init(&f->w, (uint8_t *)f->buf32, PEER_PACKET_MAX);
	if (empty_rr)
		rtcp_write_rr(&f->w, vr->ssrc, NULL, 0);
	return &f->w;
}

static void fb_send(struct vrecv *vr, struct fbpkt *f)
{
	int len = rtcp_writer_finish(&f->w);
	if (len > 0 && connected(vr))
		peer_send_rtcp(vr->peer, (uint8_t *)f->buf32, (size_t)len, sizeof(f->buf32));
}

static void want_keyframe(struct vrecv *vr, gint64 now)
{
	if (vr->last_pli_us && now - vr->last_pli_us < PLI_MIN_US)
		return;
	uint32_t media = vr->have_src ? vr->media_ssrc : vr->cfg.remote_ssrc;
	if (!media)
		return;
	vr->last_pli_us = now;
	vr->st.plis_sent++;
	struct fbpkt f;
	rtcp_write_pli(fb_begin(vr, &f, true), vr->ssrc, media);
	fb_send(vr, &f);
}

static bool needs_keyframe(const struct vrecv *vr)
{
	return vp8_depack_need_keyframe(vr->depack) || video_dec_need_keyframe(vr->dec);
}

/* NACKs the missing packets not asked for lately (each at most NACK_TRIES times). */
static void nack_missing(struct vrecv *vr, gint64 now)
{
	uint16_t missing[NACK_MAX], ask[NACK_MAX];
	struct nack_entry keep[NACK_MAX];
	size_t n = vp8_depack_missing(vr->depack, missing, NACK_MAX), n_ask = 0, n_keep = 0;

	for (size_t i = 0; i < n; i++) {
		struct nack_entry e = { .seq = missing[i] };
		for (unsigned int j = 0; j < vr->n_nacks; j++)
			if (vr->nacks[j].seq == missing[i])
				e = vr->nacks[j];
		if (e.tries < NACK_TRIES && (!e.tries || now - e.last_us >= NACK_RETRY_US)) {
			e.tries++;
			e.last_us = now;
			ask[n_ask++] = e.seq;
		}
		keep[n_keep++] = e;
	}
	memcpy(vr->nacks, keep, n_keep * sizeof(keep[0]));
	vr->n_nacks = (unsigned int)n_keep;
	if (!n_ask || !vr->cfg.nack || !vr->have_src)
		return;
	vr->st.nacks_sent++;
	vr->st.nacked_seqs += n_ask;
	struct fbpkt f;
	rtcp_write_nack(fb_begin(vr, &f, true), vr->ssrc, vr->media_ssrc, ask, n_ask);
	fb_send(vr, &f);
}

/* ---- frames ---- */

static void decode_ready(struct vrecv *vr, gint64 now)
{
	struct vp8_frame f;
	while (vp8_depack_pop(vr->depack, (uint64_t)now, &f) == 1) {
		struct video_image img;
		int rc = video_dec_decode(vr->dec, f.data, f.len, &img);
		if (rc == 1) {
			vr->st.frames++;
			vr->st.keyframes += f.keyframe;
			vr->st.width = img.width;
			vr->st.height = img.height;
			if (vr->cb.frame_cb)
				vr->cb.frame_cb(vr->cb.user, &img);
		} else if (rc < 0) {
			vr->st.dropped++;
		}
	}
	if (needs_keyframe(vr))
		want_keyframe(vr, now);
}

static gboolean gap_cb(gpointer data)
{
	struct vrecv *vr = data;
	gint64 now = g_get_monotonic_time();
	decode_ready(vr, now);
	if (vp8_depack_gap_open(vr->depack)) {
		nack_missing(vr, now);
		return G_SOURCE_CONTINUE;
	}
	vr->n_nacks = 0;
	g_source_unref(vr->gap_timer);
	vr->gap_timer = NULL;
	return G_SOURCE_REMOVE;
}

static void new_source(struct vrecv *vr, uint32_t ssrc)
{
	vr->have_src = true;
	vr->media_ssrc = ssrc;
	vr->n_nacks = 0;
	vr->last_pli_us = 0;
	rtp_stats_init(&vr->rstats, 90000);
	vp8_depack_reset(vr->depack);
}

/* A packet of ssrc, which is not the stream shown: switch to it? (see vrecv.h) */
static bool take_other(struct vrecv *vr, uint32_t ssrc, gint64 now)
{
	bool (*prefer)(void *, uint32_t, uint32_t) = vr->cb.prefer_cb;
	if (now - vr->src_last_us >= (gint64)VRECV_QUIET_MS * 1000)
		return true;
	return prefer && prefer(vr->cb.user, ssrc, vr->media_ssrc);
}

void vrecv_on_rtp(struct vrecv *vr, const uint8_t *buf, size_t len)
{
	struct rtp_header h;
	if (rtp_parse(buf, len, &h) < 0)
		return;
	gint64 now = g_get_monotonic_time();
	if (vr->cfg.rtx_pt >= 0 && h.pt == vr->cfg.rtx_pt) {
		/* RFC 4588: the original sequence number, then the original payload */
		if (!vr->have_src || h.payload_len < 2)
			return;
		h.seq = rd16(h.payload);
		h.pt = vr->cfg.pt;
		h.ssrc = vr->media_ssrc;
		h.payload += 2;
		h.payload_len -= 2;
		vr->st.rtx_packets++;
	} else if (h.pt != vr->cfg.pt) {
		return;
	} else {
		if (vr->have_src && h.ssrc != vr->media_ssrc && !take_other(vr, h.ssrc, now)) {
			vr->st.ignored++;
			return;
		}
		if (!vr->have_src || h.ssrc != vr->media_ssrc)
			new_source(vr, h.ssrc);
		vr->src_last_us = now;
		rtp_stats_update(&vr->rstats, h.seq, h.ts, (uint64_t)now);
	}
	vr->st.packets++;
	vr->st.bytes += len;
	if (h.payload_len == 0 && h.pad_len)
		return; /* padding-only probe */
	vp8_depack_push(vr->depack, &h, (uint64_t)now);
	decode_ready(vr, now);
	if (vp8_depack_gap_open(vr->depack)) {
		nack_missing(vr, now);
		if (!vr->gap_timer)
			vr->gap_timer = add_timer(vr, GAP_MS, gap_cb);
	}
}

void vrecv_on_rtcp(struct vrecv *vr, const uint8_t *buf, size_t len)
{
	struct rtcp_info info;
	if (rtcp_parse(buf, len, &info) < 0 || !info.has_sr)
		return;
	if (vr->have_src && info.sr_ssrc != vr->media_ssrc)
		return;
	vr->last_sr_mid = rtcp_ntp_mid(info.sr.ntp);
	vr->last_sr_arrival = g_get_monotonic_time();
}

static gboolean report_cb(gpointer data)
{
	struct vrecv *vr = data;
	struct rtcp_report_block rb = { 0 };
	size_t nblocks = 0;
	if (!connected(vr))
		return G_SOURCE_CONTINUE;
	if (vr->have_src) {
		rtcp_report_block_fill(&rb, vr->media_ssrc, &vr->rstats, vr->last_sr_mid,
				       (uint64_t)vr->last_sr_arrival, (uint64_t)g_get_monotonic_time());
		nblocks = 1;
	}
	struct fbpkt f;
	struct rtcp_writer *w = fb_begin(vr, &f, false);
	rtcp_write_rr(w, vr->ssrc, &rb, nblocks);
	rtcp_write_sdes_cname(w, vr->ssrc, vr->cname);
	fb_send(vr, &f);
	if (needs_keyframe(vr))
		want_keyframe(vr, g_get_monotonic_time());
	return G_SOURCE_CONTINUE;
}

/* ---- lifetime ---- */

int vrecv_create(GMainContext *main, const struct vrecv_config *cfg,
		 const struct vrecv_callbacks *cbs, struct vrecv **out)
{
	struct vp8_depack_config dc;
	int rc;
	if (cfg->codec != VIDEO_CODEC_VP8 && cfg->codec != VIDEO_CODEC_VP9)
		return -EINVAL;
	struct vrecv *vr = calloc(1, sizeof(*vr));
	if (!vr)
		return -ENOMEM;
	vr->main = main;
	vr->cfg = *cfg;
	vr->cfg.cname = NULL;
	snprintf(vr->cname, sizeof(vr->cname), "%s", cfg->cname ? cfg->cname : "ttymeet");
	if (cbs)
		vr->cb = *cbs;
	vr->ssrc = g_random_int() | 1u;
	vp8_depack_config_default(&dc);
	dc.codec = cfg->codec == VIDEO_CODEC_VP9 ? VP8_CODEC_VP9 : VP8_CODEC_VP8;
	if ((rc = vp8_depack_create(&vr->depack, &dc)) < 0 ||
	    (rc = video_dec_create(&vr->dec, cfg->codec, cfg->max_width, cfg->max_height)) < 0) {
		vrecv_destroy(vr);
		return rc;
	}
	vr->prev_stats_us = g_get_monotonic_time();
	*out = vr;
	return 0;
}

void vrecv_destroy(struct vrecv *vr)
{
	if (!vr)
		return;
	vrecv_detach(vr);
	vp8_depack_destroy(vr->depack);
	video_dec_destroy(vr->dec);
	free(vr);
}

void vrecv_attach(struct vrecv *vr, struct peer *p)
{
	vr->peer = p;
	if (!vr->report_timer)
		vr->report_timer = add_timer(vr, REPORT_MS, report_cb);
}

void vrecv_detach(struct vrecv *vr)
{
	vr->peer = NULL;
	loop_source_drop(&vr->report_timer);
	loop_source_drop(&vr->gap_timer);
}

void vrecv_restart(struct vrecv *vr)
{
	vr->have_src = false;
	vr->n_nacks = 0;
	vr->last_pli_us = 0;
	vp8_depack_reset(vr->depack);
	loop_source_drop(&vr->gap_timer);
	want_keyframe(vr, g_get_monotonic_time());
}

uint32_t vrecv_source(const struct vrecv *vr)
{
	return vr->have_src ? vr->media_ssrc : 0;
}

void vrecv_get_stats(struct vrecv *vr, struct vrecv_stats *out)
{
	struct vp8_depack_stats ds;
	gint64 now = g_get_monotonic_time();
	double secs = (double)(now - vr->prev_stats_us) / 1e6;
	vp8_depack_get_stats(vr->depack, &ds);
	vr->st.lost = ds.lost;
	vr->st.fps = secs > 0 ? (double)(vr->st.frames - vr->prev_frames) / secs : 0;
	vr->st.kbps = secs > 0 ? (double)(vr->st.bytes - vr->prev_bytes) * 8 / 1000 / secs : 0;
	vr->prev_frames = vr->st.frames;
	vr->prev_bytes = vr->st.bytes;
	vr->prev_stats_us = now;
	*out = vr->st;
	out->dropped += ds.dropped;
}
