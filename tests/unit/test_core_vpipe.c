/* The video receive pipeline without a network: test-pattern frames are encoded (libvpx),
 * packetized (RFC 7741) into RTP and fed to src/vrecv in order, reordered, with a loss, and
 * with the loss repaired by an RTX packet; the decoded pictures must show the pattern and a
 * damaged stream must show nothing until a keyframe; two streams interleaved on one m-line
 * (a bridge forwarding two people's video) must show one of them, not each in turn, and
 * switch at once when another is preferred (src/jitsi/vpick.c: the bridge no longer forwards
 * the one shown, its sender's newer SSRC). Also the sender's feedback handling
 * and the camera's pixel conversion.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "net/bytes.h"
#include "net/rtcp.h"
#include "net/rtp.h"
#include "net/vp8.h"
#include "src/camera.h"
#include "src/jitsi/vpick.h"
#include "src/testpattern.h"
#include "src/video.h"
#include "src/vrecv.h"
#include "src/vsend.h"

#define W 160
#define H 96
#define PT 96
#define RTX_PT 97
#define SSRC 0x1234abcdu
#define MAX_PKTS 4096

struct pkt {
	uint8_t data[1300];
	size_t len;
	int frame;
	bool keyframe;
};

struct fixture {
	GMainContext *ctx;
	bool vp9;
	struct pkt *pkts;
	size_t n;
	int shown;          /* pictures delivered */
	bool last_ok;       /* the last picture matched the pattern frame */
	struct vrecv *vr;   /* set: each picture's vrecv_source() is checked against want_src */
	uint32_t want_src;
	int wrong_src;      /* pictures whose source was not want_src */
	int last_frame;     /* pattern frame number guessed from the box position */
	uint32_t wanted;    /* prefer_wanted: the SSRC preferred to all */
	struct jvpick *pick; /* prefer_vpick: the preferences */
};

/* Encodes frames 0..count-1; frames listed in keyframes[] are forced keyframes. */
static void make_stream(struct fixture *f, int count, const int *keyframes, size_t nkey)
{
	struct video_enc_config ec;
	struct video_enc *enc;
	struct video_image img;
	struct vp8_pack pack;
	uint16_t seq = 65500; /* wraps inside the stream */

	video_enc_config_default(&ec);
	ec.width = W;
	ec.height = H;
	ec.bitrate_kbps = 300;
	ec.codec = f->vp9 ? VIDEO_CODEC_VP9 : VIDEO_CODEC_VP8;
	assert_int_equal(video_enc_create(&enc, &ec), 0);
	assert_int_equal(video_image_alloc(&img, W, H), 0);
	vp8_pack_init(&pack, 120, 77); /* small payloads: several packets per frame */
	f->n = 0;
	for (int i = 0; i < count; i++) {
		struct video_packet vp;
		for (size_t k = 0; k < nkey; k++)
			if (keyframes[k] == i)
				video_enc_request_keyframe(enc);
		testpattern_draw(&img, (uint64_t)i);
		if (video_enc_encode(enc, &img, i, &vp) != 1)
			continue;
		if (f->vp9)
			assert_int_equal(vp8_pack_start_vp9(&pack, vp.data, vp.len, vp.keyframe, W, H),
					 0);
		else
			assert_int_equal(vp8_pack_start(&pack, vp.data, vp.len, vp.droppable), 0);
		for (;;) {
			struct pkt *p = &f->pkts[f->n];
			struct rtp_header h = { .pt = PT, .seq = seq, .ts = (uint32_t)i * 9000,
						.ssrc = SSRC };
			struct rtp_writer w;
			size_t room;
			bool last;
			rtp_writer_init(&w, p->data, sizeof(p->data), &h, RTP_EXT_NONE);
			uint8_t *pl = rtp_writer_payload(&w, &room);
			int n = vp8_pack_next(&pack, pl, room, &last);
			assert_true(n > 0);
			if (last)
				p->data[1] |= 0x80;
			int len = rtp_writer_finish(&w, (size_t)n, 0);
			assert_true(len > 0);
			p->len = (size_t)len;
			p->frame = i;
			p->keyframe = vp.keyframe;
			seq++;
			assert_true(++f->n < MAX_PKTS);
			if (last)
				break;
		}
	}
	video_image_free(&img);
	video_enc_destroy(enc);
}

/* Checks a decoded picture against the pattern: dark background, bright box, bars. */
static void on_frame(void *user, const struct video_image *img)
{
	struct fixture *f = user;
	struct testpattern_geometry g;
	testpattern_geometry(W, H, 0, &g);
	const uint8_t *y = img->planes[0];
	int s = img->stride[0];
	bool ok = img->width == W && img->height == H;
	ok = ok && y[2 * s + 2] < 60;                                 /* background corner */
	ok = ok && y[(H - 2) * s + W - 4] > 190;                      /* brightest bar */
	ok = ok && y[(H - 2) * s + 2] < 60;                           /* darkest bar */
	/* find the box on its middle row: the first bright pixel */
	int row = g.box_y + g.box_h / 2, x0 = -1;
	for (int x = 0; x < W && x0 < 0; x++)
		if (y[row * s + x] > 150)
			x0 = x;
	ok = ok && x0 >= 0;
	f->last_ok = ok;
	f->last_frame = x0;
	f->shown++;
	if (f->vr && vrecv_source(f->vr) != f->want_src)
		f->wrong_src++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->ctx = g_main_context_new();
	f->pkts = calloc(MAX_PKTS, sizeof(*f->pkts));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->pkts);
	g_main_context_unref(f->ctx);
	free(f);
	return 0;
}

static struct vrecv *make_recv(struct fixture *f)
{
	struct vrecv_config cfg = { .codec = f->vp9 ? VIDEO_CODEC_VP9 : VIDEO_CODEC_VP8,
				    .pt = PT, .rtx_pt = RTX_PT,
				    .remote_ssrc = SSRC, .nack = true };
	struct vrecv_callbacks cb = { .frame_cb = on_frame, .user = f };
	struct vrecv *vr;
	assert_int_equal(vrecv_create(f->ctx, &cfg, &cb, &vr), 0);
	f->shown = 0;
	return vr;
}

static void feed(struct vrecv *vr, const struct pkt *p)
{
	vrecv_on_rtp(vr, p->data, p->len);
}

/* Runs the context for ms milliseconds (gap timers). */
static void run_for(struct fixture *f, int ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;
	while (g_get_monotonic_time() < end) {
		g_main_context_iteration(f->ctx, FALSE);
		g_usleep(2000);
	}
}

static void test_in_order(void **state)
{
	struct fixture *f = *state;
	make_stream(f, 30, NULL, 0);
	struct vrecv *vr = make_recv(f);
	for (size_t i = 0; i < f->n; i++)
		feed(vr, &f->pkts[i]);
	struct vrecv_stats st;
	vrecv_get_stats(vr, &st);
	assert_int_equal(f->shown, 30);
	assert_true(f->last_ok);
	assert_int_equal(st.frames, 30);
	assert_int_equal(st.width, W);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.nacks_sent, 0);
	assert_true(st.packets == f->n);
	vrecv_destroy(vr);
}

static void test_reordered(void **state)
{
	struct fixture *f = *state;
	make_stream(f, 30, NULL, 0);
	struct vrecv *vr = make_recv(f);
	/* swap every pair of packets: each frame's packets arrive out of order */
	for (size_t i = 0; i + 1 < f->n; i += 2) {
		feed(vr, &f->pkts[i + 1]);
		feed(vr, &f->pkts[i]);
	}
	if (f->n % 2)
		feed(vr, &f->pkts[f->n - 1]);
	assert_int_equal(f->shown, 30);
	assert_true(f->last_ok);
	vrecv_destroy(vr);
}

/* The index of the last packet of frame `frame`. */
static size_t middle_packet(const struct fixture *f, int frame)
{
	size_t first = SIZE_MAX, last = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->pkts[i].frame == frame) {
			if (first == SIZE_MAX)
				first = i;
			last = i;
		}
	assert_true(first != SIZE_MAX);
	return last;
}

static void test_loss_waits_for_keyframe(void **state)
{
	struct fixture *f = *state;
	static const int keys[] = { 20 };
	make_stream(f, 30, keys, 1);
	struct vrecv *vr = make_recv(f);
	size_t lost = middle_packet(f, 10);
	int shown_before = -1;
	for (size_t i = 0; i < f->n; i++) {
		if (i == lost)
			continue;
		if (f->pkts[i].frame == 11 && shown_before < 0) {
			run_for(f, 250); /* the gap expires: the loss is final */
			shown_before = f->shown;
		}
		feed(vr, &f->pkts[i]);
		if (f->pkts[i].frame == 19)
			assert_int_equal(f->shown, shown_before); /* nothing damaged shown */
	}
	struct vrecv_stats st;
	vrecv_get_stats(vr, &st);
	assert_int_equal(shown_before, 10);     /* frames 0..9 */
	assert_int_equal(f->shown, 10 + 10);    /* then 20..29 from the keyframe on */
	assert_true(f->last_ok);
	assert_true(st.lost >= 1);
	assert_true(st.nacks_sent >= 1);        /* asked for the packet ... */
	assert_true(st.nacked_seqs <= 2 * 1 + 2); /* ... at most twice */
	assert_true(st.plis_sent >= 1);         /* and then for a keyframe */
	vrecv_destroy(vr);
}

static void test_rtx_repairs(void **state)
{
	struct fixture *f = *state;
	make_stream(f, 20, NULL, 0);
	struct vrecv *vr = make_recv(f);
	size_t lost = middle_packet(f, 5);
	for (size_t i = 0; i < f->n; i++) {
		if (i == lost)
			continue;
		feed(vr, &f->pkts[i]);
		if (i == lost + 1) {
			/* the retransmission: RTX pt, own sequence, OSN then the payload */
			struct rtp_header h;
			struct pkt rtx;
			assert_int_equal(rtp_parse(f->pkts[lost].data, f->pkts[lost].len, &h), 0);
			struct rtp_header rh = { .pt = RTX_PT, .seq = 7, .ts = h.ts, .ssrc = 0x999,
						 .marker = h.marker };
			struct rtp_writer w;
			size_t room;
			rtp_writer_init(&w, rtx.data, sizeof(rtx.data), &rh, RTP_EXT_NONE);
			uint8_t *pl = rtp_writer_payload(&w, &room);
			wr16(pl, h.seq);
			memcpy(pl + 2, h.payload, h.payload_len);
			rtx.len = (size_t)rtp_writer_finish(&w, h.payload_len + 2, 0);
			feed(vr, &rtx);
		}
	}
	struct vrecv_stats st;
	vrecv_get_stats(vr, &st);
	assert_int_equal(f->shown, 20);
	assert_int_equal(st.rtx_packets, 1);
	assert_int_equal(st.lost, 0);
	assert_true(st.nacks_sent >= 1);
	vrecv_destroy(vr);
}

static void test_vp9(void **state)
{
	struct fixture *f = *state;
	static const int keys[] = { 20 };
	f->vp9 = true;
	make_stream(f, 30, keys, 1);
	struct vrecv *vr = make_recv(f);
	for (size_t i = 0; i < f->n; i++)
		feed(vr, &f->pkts[i]);
	assert_int_equal(f->shown, 30);
	assert_true(f->last_ok);
	vrecv_destroy(vr);
	/* a lost packet: nothing damaged shown until the keyframe at 20 */
	vr = make_recv(f);
	size_t lost = middle_packet(f, 10);
	for (size_t i = 0; i < f->n; i++) {
		if (i == lost)
			continue;
		if (f->pkts[i].frame == 11 && f->shown == 10)
			run_for(f, 250);
		feed(vr, &f->pkts[i]);
	}
	assert_int_equal(f->shown, 20);
	assert_true(f->last_ok);
	vrecv_destroy(vr);
}

/* Packet p as if sent under another SSRC (a second publisher's stream of the same pictures). */
static void feed_as(struct vrecv *vr, const struct pkt *p, uint32_t ssrc)
{
	uint8_t copy[sizeof(p->data)];
	memcpy(copy, p->data, p->len);
	wr32(copy + 8, ssrc);
	vrecv_on_rtp(vr, copy, p->len);
}

static bool prefer_wanted(void *user, uint32_t ssrc, uint32_t shown)
{
	struct fixture *f = user;
	return ssrc == f->wanted && shown != f->wanted;
}

/* Frames of stream A (SSRC) and B (OTHER) interleaved, as a bridge forwards two videos. */
#define OTHER 0x0badcafeu
static void feed_both(struct fixture *f, struct vrecv *vr)
{
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++) {
		feed(vr, &f->pkts[i]);
		if (i + 1 < f->n && f->pkts[i + 1].frame == f->pkts[i].frame)
			continue;
		for (; k <= i; k++) /* then B's packets of that frame */
			feed_as(vr, &f->pkts[k], OTHER);
	}
}

static void test_two_streams_one_shown(void **state)
{
	struct fixture *f = *state;
	make_stream(f, 30, NULL, 0);
	struct vrecv_stats st;
	/* the first one is followed; the other's packets are left alone (each switch would wait
	 * for a keyframe: one picture in all) */
	struct vrecv *vr = make_recv(f);
	f->vr = vr;
	f->want_src = SSRC;
	feed_both(f, vr);
	vrecv_get_stats(vr, &st);
	assert_int_equal(f->shown, 30);
	assert_int_equal(f->wrong_src, 0); /* each picture is A's, B's packets in between */
	f->vr = NULL;
	assert_true(f->last_ok);
	assert_int_equal(st.ignored, f->n);
	assert_true(st.plis_sent <= 1); /* (the start's) */
	vrecv_destroy(vr);

	/* the one wanted (the picked person, the bridge's speaker) is taken at once, for good */
	struct vrecv_config cfg = { .codec = VIDEO_CODEC_VP8, .pt = PT, .rtx_pt = RTX_PT,
				    .nack = true };
	struct vrecv_callbacks cb = { .frame_cb = on_frame, .prefer_cb = prefer_wanted, .user = f };
	f->wanted = OTHER;
	assert_int_equal(vrecv_create(f->ctx, &cfg, &cb, &vr), 0);
	f->shown = 0;
	feed_both(f, vr);
	vrecv_get_stats(vr, &st);
	assert_int_equal(f->shown, 1 + 30); /* A's first (before B came), then all of B's */
	size_t first_frame = 0;
	while (first_frame < f->n && f->pkts[first_frame].frame == 0)
		first_frame++;
	assert_int_equal(st.ignored, f->n - first_frame); /* A's after B's first packet */
	vrecv_destroy(vr);
}

/* The shown stream stops (the bridge switched, without saying whom to): the other is taken
 * once the first has been quiet for VRECV_QUIET_MS, and shown from its next keyframe. */
static void test_quiet_stream_gives_way(void **state)
{
	struct fixture *f = *state;
	static const int keys[] = { 20 };
	make_stream(f, 30, keys, 1);
	struct vrecv *vr = make_recv(f);
	size_t i = 0;
	for (; f->pkts[i].frame < 10; i++)
		feed(vr, &f->pkts[i]);
	assert_int_equal(f->shown, 10);
	for (; f->pkts[i].frame < 12; i++)
		feed_as(vr, &f->pkts[i], OTHER); /* A only just stopped: still A's turn */
	struct vrecv_stats st;
	vrecv_get_stats(vr, &st);
	assert_true(st.ignored > 0);
	assert_int_equal(f->shown, 10);
	run_for(f, VRECV_QUIET_MS + 50);
	for (; i < f->n; i++)
		feed_as(vr, &f->pkts[i], OTHER);
	vrecv_get_stats(vr, &st);
	assert_int_equal(f->shown, 10 + 10); /* B's 20..29 */
	assert_true(f->last_ok);
	assert_true(st.plis_sent >= 1);      /* asked for B's keyframe */
	vrecv_destroy(vr);
}

static bool prefer_vpick(void *user, uint32_t ssrc, uint32_t shown)
{
	struct fixture *f = user;
	return jvpick_prefer(f->pick, ssrc, shown, NULL, NULL);
}

static struct vrecv *make_ranked_recv(struct fixture *f)
{
	struct vrecv_config cfg = { .codec = VIDEO_CODEC_VP8, .pt = PT, .rtx_pt = RTX_PT,
				    .nack = true };
	struct vrecv_callbacks cb = { .frame_cb = on_frame, .prefer_cb = prefer_vpick, .user = f };
	struct vrecv *vr;
	assert_int_equal(vrecv_create(f->ctx, &cfg, &cb, &vr), 0);
	f->shown = 0;
	return vr;
}

/* A Jitsi bridge stops forwarding the stream shown and forwards someone neither picked nor
 * speaking (its ForwardedSources says so, src/jitsi/vpick.c): that one's packets switch
 * at once, with no second of silence (before: ignored until VRECV_QUIET_MS), shown from its
 * next keyframe; the old stream's late packets do not switch back. Then a sender whose video
 * SSRC changes (a source-add of the same person's new SSRC and its RTX SSRC, as a browser's,
 * no word from the bridge) is followed at once, and its old SSRC's packets are left alone. */
static void test_bridge_switch_at_once(void **state)
{
	struct fixture *f = *state;
	static const int keys[] = { 20 };
	const char *alice[] = { "alice-v0" }, *bert[] = { "bert-v0" };
	struct vrecv_stats st;
	make_stream(f, 30, keys, 1);
	assert_int_equal(jvpick_create(&f->pick), 0);
	jvpick_source(f->pick, SSRC, "alice", "alice-v0", true);
	jvpick_source(f->pick, OTHER, "bert", "bert-v0", true);
	jvpick_forwarded(f->pick, alice, 1, true);
	struct vrecv *vr = make_ranked_recv(f);
	size_t i = 0;
	for (; f->pkts[i].frame < 10; i++)
		feed(vr, &f->pkts[i]);
	assert_int_equal(f->shown, 10);
	feed_as(vr, &f->pkts[i], OTHER); /* in flight before the bridge's word: alice's turn */
	vrecv_get_stats(vr, &st);
	assert_int_equal(st.ignored, 1);
	jvpick_forwarded(f->pick, bert, 1, true);
	for (; i < f->n; i++) {
		feed_as(vr, &f->pkts[i], OTHER);
		if (f->pkts[i].frame == 15)
			feed(vr, &f->pkts[0]); /* one of alice's, late */
	}
	vrecv_get_stats(vr, &st);
	assert_int_equal(vrecv_source(vr), OTHER);
	assert_int_equal(f->shown, 10 + 10); /* bert's 20..29, without a second's wait */
	assert_true(f->last_ok);
	assert_int_equal(st.ignored, 1 + 1);
	assert_true(st.plis_sent >= 1);      /* asked for bert's keyframe */
	vrecv_destroy(vr);

	/* alice's video SSRC changes (her new sources added; the bridge says nothing) */
	jvpick_reset(f->pick);
	jvpick_source(f->pick, SSRC, "alice", "alice-v0", true);
	jvpick_source(f->pick, SSRC + 1, "alice", "alice-v0", true); /* its RTX */
	jvpick_source(f->pick, OTHER, "alice", "alice-v0", true);
	jvpick_source(f->pick, OTHER + 1, "alice", "alice-v0", true);
	vr = make_ranked_recv(f);
	for (i = 0; f->pkts[i].frame < 10; i++)
		feed(vr, &f->pkts[i]);
	size_t from = i;
	for (; i < f->n; i++) {
		feed_as(vr, &f->pkts[i], OTHER);
		feed(vr, &f->pkts[i]); /* the old one still comes: no taking turns */
	}
	vrecv_get_stats(vr, &st);
	assert_int_equal(vrecv_source(vr), OTHER);
	assert_int_equal(f->shown, 10 + 10);
	assert_int_equal(st.ignored, f->n - from); /* every old packet after the new one came */
	vrecv_destroy(vr);
	jvpick_destroy(f->pick);
	f->pick = NULL;
}

static void test_garbage_is_harmless(void **state)
{
	struct fixture *f = *state;
	struct vrecv *vr = make_recv(f);
	uint8_t junk[1200];
	uint32_t x = 12345;
	for (int i = 0; i < 3000; i++) {
		size_t len = (size_t)(x % sizeof(junk));
		for (size_t k = 0; k < len; k++) {
			x = x * 1103515245u + 12345u;
			junk[k] = (uint8_t)(x >> 16);
		}
		if (len > 2) {
			junk[0] = 0x80;
			junk[1] = (uint8_t)(i % 3 ? PT : RTX_PT);
		}
		vrecv_on_rtp(vr, junk, len);
		vrecv_on_rtcp(vr, junk, len);
	}
	assert_int_equal(f->shown, 0);
	vrecv_destroy(vr);
}

static void test_sender_feedback(void **state)
{
	struct fixture *f = *state;
	struct vsend_config cfg = { .source = "testpattern" };
	struct vsend *vs;
	char msg[256];
	assert_int_equal(vsend_create(f->ctx, &cfg, &vs, msg, sizeof(msg)), 0);
	uint8_t buf[256];
	struct rtcp_writer w;
	uint16_t lost[] = { 1, 2, 3 };
	uint32_t ssrcs[VSEND_MAX_LAYERS];
	assert_int_equal(vsend_ssrcs(vs, ssrcs), 1);
	rtcp_writer_init(&w, buf, sizeof(buf));
	rtcp_write_rr(&w, 5, NULL, 0);
	rtcp_write_pli(&w, 5, ssrcs[0]);
	rtcp_write_pli(&w, 5, ssrcs[0] + 1); /* someone else's */
	rtcp_write_fir(&w, 5, ssrcs[0], 1);
	rtcp_write_nack(&w, 5, ssrcs[0], lost, 3);
	int len = rtcp_writer_finish(&w);
	assert_true(len > 0);
	vsend_on_rtcp(vs, buf, (size_t)len);
	struct vsend_stats st;
	vsend_get_stats(vs, &st);
	assert_int_equal(st.plis_received, 1);
	assert_int_equal(st.firs_received, 1);
	assert_int_equal(st.nacks_received, 1);
	assert_int_equal(st.retransmitted, 0); /* nothing sent yet, nothing to resend */
	vsend_destroy(vs);

	cfg.source = "smoke-signals";
	assert_int_equal(vsend_create(f->ctx, &cfg, &vs, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "smoke-signals"));
	cfg.source = "v4l2:/dev/no-such-camera";
	assert_int_equal(vsend_create(f->ctx, &cfg, &vs, msg, sizeof(msg)), -ENODEV);
	assert_non_null(strstr(msg, "/dev/no-such-camera"));
}

static void test_camera_conversion(void **state)
{
	(void)state;
	/* 8 x 4 YUYV: luma = 10 * x, U = 100 + row, V = 200 - row */
	uint8_t src[4 * 16];
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 8; x += 2) {
			uint8_t *p = src + y * 16 + 2 * x;
			p[0] = (uint8_t)(10 * x);
			p[1] = (uint8_t)(100 + y);
			p[2] = (uint8_t)(10 * (x + 1));
			p[3] = (uint8_t)(200 - y);
		}
	struct video_image img;
	assert_int_equal(video_image_alloc(&img, 4, 2), 0); /* half size */
	camera_yuyv_to_i420(src, 8, 4, 16, &img);
	assert_int_equal(img.planes[0][0], 0);
	assert_int_equal(img.planes[0][3], 60);
	assert_int_equal(img.planes[0][img.stride[0] + 1], 20);
	assert_int_equal(img.planes[1][0], 100);
	assert_int_equal(img.planes[2][0], 200);
	video_image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loss_waits_for_keyframe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtx_repairs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vp9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_streams_one_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiet_stream_gives_way, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_switch_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_is_harmless, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender_feedback, setup, teardown),
		cmocka_unit_test(test_camera_conversion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
