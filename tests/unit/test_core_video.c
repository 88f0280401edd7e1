/* Unit tests for src/video (libvpx VP8 encoder, VP8/VP9 decoder) and src/testpattern, and the
 * whole receive chain on real frames: test pattern → encoder → net/vp8 packetizer → lossy,
 * reordering "network" → depacketizer → decoder, with keyframe requests wired back.
 *
 * `unit_core_video --bench [SECONDS [NOISE]]` instead measures the chain plus ui/ascii and
 * ui/vbudget on the test pattern (320x180, 10 fps, 150 kbit/s; NOISE adds +-NOISE luma of
 * sensor-like noise) rendered at 80x24, 5 fps, and prints one JSON object
 * (tests/bench/video_bench.py runs it). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

#include "net/vp8.h"
#include "src/testpattern.h"
#include "src/video.h"
#include "ui/ascii.h"
#include "ui/vbudget.h"

#define W 320
#define H 180
#define TS_PER_FRAME 9000	/* 90 kHz at 10 fps */

static uint8_t luma(const struct video_image *img, int x, int y)
{
	return img->planes[0][(size_t)y * (size_t)img->stride[0] + (size_t)x];
}

static void test_pattern_geometry(void **state)
{
	struct testpattern_geometry g;
	static const int xs[] = { 0, 120, 240, 120, 0 };

	for (int k = 0; k < 5; k++) {
		testpattern_geometry(W, H, (uint64_t)k * 16, &g);
		assert_int_equal(g.bars_y, 135);
		assert_int_equal(g.box_w, 80);
		assert_int_equal(g.box_h, 67);
		assert_int_equal(g.box_y, 34);
		assert_int_equal(g.box_x, xs[k]);
	}
	testpattern_geometry(W, H, 1000003, &g);	/* 1000003 mod 64 = 3 */
	assert_int_equal(g.box_x, 3 * 240 / 32);
	testpattern_geometry(1, 1, 7, &g);
	assert_int_equal(g.box_w, 1);
	assert_int_equal(g.box_h, 1);
	assert_int_equal(g.box_x, 0);
	assert_int_equal(testpattern_bar_luma(0), 16);
	assert_int_equal(testpattern_bar_luma(7), 235);
	assert_int_equal(testpattern_bar_luma(3), 16 + 3 * 219 / 7);
}

static void test_pattern_pixels(void **state)
{
	struct video_image a, b;
	struct testpattern_geometry g;

	/* odd size: padded strides, odd chroma */
	assert_int_equal(video_image_alloc(&a, 101, 37), 0);
	assert_int_equal(video_image_alloc(&b, 101, 37), 0);
	assert_true(a.stride[0] > 101);
	for (uint64_t n = 0; n < 70; n += 7) {
		testpattern_draw(&a, n);
		testpattern_geometry(101, 37, n, &g);
		for (int y = 0; y < 37; y++) {
			for (int x = 0; x < 101; x++) {
				int want;
				if (y >= g.bars_y)
					want = testpattern_bar_luma(x * 8 / 101);
				else if (x >= g.box_x && x < g.box_x + g.box_w && y >= g.box_y &&
					 y < g.box_y + g.box_h)
					want = TESTPATTERN_BRIGHT;
				else
					want = TESTPATTERN_DARK;
				assert_int_equal(luma(&a, x, y), want);
			}
		}
		for (int y = 0; y < 19; y++)
			for (int x = 0; x < 51; x++)
				assert_int_equal(a.planes[1][y * a.stride[1] + x], 128);
		/* a pure function of n, with period 64 */
		memset(b.planes[0], 0x55, (size_t)b.stride[0] * 37);
		testpattern_draw(&b, n + 64);
		assert_true(video_psnr_y(&a, &b) > 98);
	}
	testpattern_draw(&b, 5);
	assert_true(video_psnr_y(&a, &b) < 30);	/* a different frame differs */
	video_image_free(&a);
	video_image_free(&b);
	assert_int_equal(video_image_alloc(&a, 0, 5), -EINVAL);
	assert_int_equal(video_image_alloc(&a, 20000, 5), -EINVAL);
}

static struct video_enc *new_enc(int kf_s)
{
	struct video_enc_config c;
	struct video_enc *e;
	video_enc_config_default(&c);
	assert_int_equal(c.width, 320);
	assert_int_equal(c.height, 180);
	assert_int_equal(c.fps, 10);
	assert_int_equal(c.bitrate_kbps, 150);
	c.keyframe_interval_s = kf_s;
	assert_int_equal(video_enc_create(&e, &c), 0);
	return e;
}

static void test_encode_decode_psnr(void **state)
{
	struct video_enc *e = new_enc(10);
	struct video_dec *d;
	struct video_image src, out;
	struct video_packet p;
	size_t bytes = 0;
	int keys = 0;

	assert_int_equal(video_dec_create(&d, VIDEO_CODEC_VP8, 0, 0), 0);
	assert_true(video_dec_need_keyframe(d));
	assert_int_equal(video_image_alloc(&src, W, H), 0);
	for (int n = 0; n < 50; n++) {
		testpattern_draw(&src, (uint64_t)n);
		if (n == 30)
			video_enc_request_keyframe(e);
		assert_int_equal(video_enc_encode(e, &src, n, &p), 1);
		assert_int_equal(p.keyframe, n == 0 || n == 30);
		keys += p.keyframe;
		bytes += p.len;
		assert_int_equal(video_dec_decode(d, p.data, p.len, &out), 1);
		assert_int_equal(out.width, W);
		assert_int_equal(out.height, H);
		double psnr = video_psnr_y(&src, &out);
		assert_true(psnr >= 30.0);
		/* the box is where the pattern says */
		struct testpattern_geometry g;
		testpattern_geometry(W, H, (uint64_t)n, &g);
		assert_true(luma(&out, g.box_x + g.box_w / 2, g.box_y + g.box_h / 2) > 200);
		assert_true(luma(&out, (g.box_x + W / 2) % W, 5) < 40);
	}
	assert_int_equal(keys, 2);
	/* 5 s of video at the 150 kbit/s target: allow the keyframes' overshoot, stay well
	 * under the 200 kbit/s downlink figure */
	double kbps = (double)bytes * 8 / 5.0 / 1000;
	print_message("encoded 50 frames: %zu bytes, %.1f kbit/s\n", bytes, kbps);
	assert_true(kbps < 200);
	assert_false(video_dec_need_keyframe(d));
	struct video_dec_stats st;
	video_dec_get_stats(d, &st);
	assert_int_equal(st.frames, 50);
	assert_int_equal(st.errors, 0);
	video_image_free(&src);
	video_dec_destroy(d);
	video_enc_destroy(e);
}

static void test_encoder_errors(void **state)
{
	struct video_enc_config c;
	struct video_enc *e;
	struct video_image img;
	struct video_packet p;

	video_enc_config_default(&c);
	c.width = 321;
	assert_int_equal(video_enc_create(&e, &c), -EINVAL);
	assert_null(e);
	video_enc_config_default(&c);
	c.fps = 0;
	assert_int_equal(video_enc_create(&e, &c), -EINVAL);
	video_enc_config_default(&c);
	c.bitrate_kbps = 5;
	assert_int_equal(video_enc_create(&e, &c), -EINVAL);
	assert_int_equal(video_enc_create(&e, NULL), 0);
	assert_int_equal(video_image_alloc(&img, 160, 90), 0);
	assert_int_equal(video_enc_encode(e, &img, 0, &p), -EINVAL);
	assert_int_equal(video_enc_set_bitrate(e, 3), -EINVAL);
	assert_int_equal(video_enc_set_bitrate(e, 100), 0);
	video_image_free(&img);
	video_enc_destroy(e);
	video_enc_destroy(NULL);
	video_dec_destroy(NULL);
	struct video_dec *d;
	assert_int_equal(video_dec_create(&d, 9, 0, 0), -EINVAL);
}

/* Simple deterministic PRNG for the corruption tests. */
static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static void test_decoder_robustness(void **state)
{
	struct video_enc *e = new_enc(1);	/* a keyframe every 10 frames */
	struct video_dec *d;
	struct video_image src, out;
	struct video_packet p;
	uint8_t frames[20][16384];
	size_t len[20];
	bool key[20];
	uint32_t seed = 12345;

	assert_int_equal(video_image_alloc(&src, W, H), 0);
	for (int n = 0; n < 20; n++) {
		testpattern_draw(&src, (uint64_t)n);
		assert_int_equal(video_enc_encode(e, &src, n, &p), 1);
		assert_true(p.len <= sizeof(frames[0]));
		memcpy(frames[n], p.data, p.len);
		len[n] = p.len;
		key[n] = p.keyframe;
	}
	assert_true(key[0] && key[10] && !key[1]);
	assert_int_equal(video_dec_create(&d, VIDEO_CODEC_VP8, 640, 480), 0);
	/* an inter frame first: refused, not decoded */
	assert_int_equal(video_dec_decode(d, frames[1], len[1], &out), -EAGAIN);
	assert_int_equal(video_dec_decode(d, frames[1], 0, &out), -EINVAL);
	/* a keyframe header claiming 4000x4000 */
	uint8_t big[64];
	memcpy(big, frames[0], sizeof(big));
	big[6] = 4000 & 0xff;
	big[7] = 4000 >> 8;
	assert_int_equal(video_dec_decode(d, big, sizeof(big), &out), -E2BIG);
	/* a bad start code */
	big[3] = 0;
	assert_int_equal(video_dec_decode(d, big, sizeof(big), &out), -EBADMSG);
	/* truncated keyframe: rejected or flagged, and inter frames wait for a good keyframe */
	int rc = video_dec_decode(d, frames[0], len[0] / 3, &out);
	assert_true(rc == -EBADMSG || rc == 1);
	if (rc == -EBADMSG)
		assert_int_equal(video_dec_decode(d, frames[1], len[1], &out), -EAGAIN);
	assert_int_equal(video_dec_decode(d, frames[0], len[0], &out), 1);
	assert_int_equal(video_dec_decode(d, frames[1], len[1], &out), 1);
	/* damaged frames of every kind: any outcome but a crash; a clean keyframe recovers */
	uint8_t buf[16384];
	for (int round = 0; round < 400; round++) {
		int n = (int)(rnd(&seed) % 20);
		size_t l = len[n];
		memcpy(buf, frames[n], l);
		switch (round % 4) {
		case 0:	/* bit flips */
			for (int k = 0; k < 1 + (int)(rnd(&seed) % 8); k++)
				buf[rnd(&seed) % l] ^= (uint8_t)(1u << (rnd(&seed) % 8));
			break;
		case 1:	/* truncation */
			l = 1 + rnd(&seed) % l;
			break;
		case 2:	/* garbage after a valid frame tag */
			for (size_t k = 3; k < l; k++)
				buf[k] = (uint8_t)rnd(&seed);
			break;
		default:	/* pure garbage */
			for (size_t k = 0; k < l; k++)
				buf[k] = (uint8_t)rnd(&seed);
		}
		rc = video_dec_decode(d, buf, l, &out);
		assert_true(rc == 1 || rc == 0 || rc == -EAGAIN || rc == -EBADMSG || rc == -E2BIG);
		if (rc == 1) {
			assert_true(out.width > 0 && out.width <= 640);
			assert_true(out.height > 0 && out.height <= 480);
		}
	}
	assert_int_equal(video_dec_decode(d, frames[10], len[10], &out), 1);
	assert_false(video_dec_need_keyframe(d));
	assert_true(video_psnr_y(&out, &(struct video_image){ 0 }) == -1);
	struct video_dec_stats st;
	video_dec_get_stats(d, &st);
	assert_true(st.errors > 0);
	assert_true(st.too_large == 1);
	video_image_free(&src);
	video_dec_destroy(d);
	video_enc_destroy(e);
}

/* The receive chain on real frames over a network that reorders and loses packets. */
static void test_chain_with_loss(void **state)
{
	struct video_enc *e = new_enc(60);
	struct video_dec *dec;
	struct vp8_depack *dp;
	struct vp8_pack pk;
	struct video_image src, ref, out;
	struct video_packet p;
	static uint8_t pkts[256][400];
	struct rtp_header hs[256];
	uint16_t seq = 65400;
	int shown = 0, pli_at = -1, keys_sent = 0, first_after_loss = -1;
	uint64_t now = 0;

	assert_int_equal(video_dec_create(&dec, VIDEO_CODEC_VP8, 0, 0), 0);
	assert_int_equal(vp8_depack_create(&dp, NULL), 0);
	assert_int_equal(video_image_alloc(&src, W, H), 0);
	assert_int_equal(video_image_alloc(&ref, W, H), 0);
	vp8_pack_init(&pk, 60, 77);	/* small payloads: several per frame */
	for (int n = 0; n < 60; n++) {
		testpattern_draw(&src, (uint64_t)n);
		if (pli_at >= 0 && n == pli_at + 2) {	/* the PLI reached the sender */
			video_enc_request_keyframe(e);
			pli_at = -1;
		}
		assert_int_equal(video_enc_encode(e, &src, n, &p), 1);
		keys_sent += p.keyframe;
		assert_int_equal(vp8_pack_start(&pk, p.data, p.len, p.droppable), 0);
		/* the frame's packets, delivered in reverse order (reordering inside a frame);
		 * frame 20 loses its second packet */
		size_t np = 0;
		bool last;
		int l;
		while ((l = vp8_pack_next(&pk, pkts[np], 400, &last)) > 0) {
			hs[np] = (struct rtp_header){ .seq = seq++,
						      .ts = (uint32_t)n * TS_PER_FRAME,
						      .marker = last, .payload = pkts[np],
						      .payload_len = (size_t)l };
			np++;
			assert_true(np < 256);
		}
		for (size_t k = np; k-- > 0;)
			if (n != 20 || k != 1)
				vp8_depack_push(dp, &hs[k], now);
		assert_true(n != 20 || np >= 2);
		now += 100000;
		struct vp8_frame f;
		while (vp8_depack_pop(dp, now, &f) == 1) {
			int fn = (int)(f.ts / TS_PER_FRAME);
			int rc = video_dec_decode(dec, f.data, f.len, &out);
			assert_int_equal(rc, 1);
			testpattern_draw(&ref, (uint64_t)fn);
			assert_true(video_psnr_y(&ref, &out) >= 30.0);
			assert_true(fn < 20 || fn > 21);	/* nothing damaged is shown */
			if (fn > 20 && first_after_loss < 0)
				first_after_loss = fn;
			shown++;
		}
		if (vp8_depack_need_keyframe(dp) && pli_at < 0 && n > 0 && keys_sent < 2)
			pli_at = n;
	}
	/* frame 20 and its successors until the requested keyframe are not shown; the
	 * keyframe comes 2 frames after the loss was noticed */
	assert_true(first_after_loss >= 22 && first_after_loss <= 24);
	assert_int_equal(keys_sent, 2);
	assert_int_equal(shown, 60 - (first_after_loss - 20));
	struct vp8_depack_stats st;
	vp8_depack_get_stats(dp, &st);
	assert_int_equal(st.lost, 1);
	assert_int_equal(st.keyframe_requests, 1);
	video_image_free(&src);
	video_image_free(&ref);
	vp8_depack_destroy(dp);
	video_dec_destroy(dec);
	video_enc_destroy(e);
}

/* VP9: libvpx's encoder (not wrapped: we only receive VP9), our VP9 descriptor reader and
 * the VP9 decoder. */
static void test_vp9_receive(void **state)
{
	vpx_codec_ctx_t ctx;
	vpx_codec_enc_cfg_t cfg;
	struct video_image src, out;
	struct video_dec *dec;
	struct vp8_depack *dp;
	struct vp8_depack_config dcfg;
	uint16_t seq = 9, pid = 0;
	int shown = 0;

	assert_int_equal(vpx_codec_enc_config_default(vpx_codec_vp9_cx(), &cfg, 0), 0);
	cfg.g_w = W;
	cfg.g_h = H;
	cfg.g_timebase.num = 1;
	cfg.g_timebase.den = 10;
	cfg.rc_target_bitrate = 200;
	cfg.g_lag_in_frames = 0;
	cfg.g_threads = 1;
	assert_int_equal(vpx_codec_enc_init(&ctx, vpx_codec_vp9_cx(), &cfg, 0), 0);
	vpx_codec_control(&ctx, VP8E_SET_CPUUSED, 8);
	assert_int_equal(video_image_alloc(&src, W, H), 0);
	assert_int_equal(video_dec_create(&dec, VIDEO_CODEC_VP9, 0, 0), 0);
	vp8_depack_config_default(&dcfg);
	dcfg.codec = VP8_CODEC_VP9;
	assert_int_equal(vp8_depack_create(&dp, &dcfg), 0);
	for (int n = 0; n < 12; n++) {
		vpx_image_t raw;
		testpattern_draw(&src, (uint64_t)n);
		vpx_img_wrap(&raw, VPX_IMG_FMT_I420, W, H, 1, src.planes[0]);
		for (int i = 0; i < 3; i++) {
			raw.planes[i] = src.planes[i];
			raw.stride[i] = src.stride[i];
		}
		assert_int_equal(vpx_codec_encode(&ctx, &raw, n, 1, 0, VPX_DL_REALTIME), 0);
		vpx_codec_iter_t it = NULL;
		const vpx_codec_cx_pkt_t *p;
		while ((p = vpx_codec_get_cx_data(&ctx, &it))) {
			if (p->kind != VPX_CODEC_CX_FRAME_PKT)
				continue;
			const uint8_t *f = p->data.frame.buf;
			size_t len = p->data.frame.sz, off = 0;
			bool key = p->data.frame.flags & VPX_FRAME_IS_KEY;
			while (off < len) {
				uint8_t pkt[600];
				size_t m = len - off > 500 ? 500 : len - off;
				bool end = off + m == len;
				pkt[0] = (uint8_t)(0x80 | (key ? 0 : 0x40) | (off == 0 ? 0x08 : 0) |
						   (end ? 0x04 : 0));
				pkt[1] = (uint8_t)(0x80 | pid >> 8);
				pkt[2] = (uint8_t)pid;
				memcpy(pkt + 3, f + off, m);
				struct rtp_header h = { .seq = seq++, .ts = (uint32_t)n * 9000,
							.marker = end, .payload = pkt,
							.payload_len = m + 3 };
				vp8_depack_push(dp, &h, 0);
				off += m;
			}
			pid++;
		}
		struct vp8_frame fr;
		while (vp8_depack_pop(dp, 0, &fr) == 1) {
			assert_int_equal(fr.keyframe, n == 0);
			if (fr.keyframe) {
				assert_int_equal(fr.width, W);
				assert_int_equal(fr.height, H);
			}
			assert_int_equal(video_dec_decode(dec, fr.data, fr.len, &out), 1);
			assert_true(video_psnr_y(&src, &out) >= 30.0);
			shown++;
		}
	}
	assert_int_equal(shown, 12);
	vpx_codec_destroy(&ctx);
	vp8_depack_destroy(dp);
	video_dec_destroy(dec);
	video_image_free(&src);
}

/* ---- benchmark mode ---- */

static double cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

struct bench_mode {
	const char *name;
	enum ascii_mode mode;
	bool colour;
	struct ascii_grid *grid, *shown;
	struct vbudget *gov;
	struct ascii_run *runs;
	uint64_t demand_bytes;	/* fps cap only, no budget */
	uint64_t frames_demand;
	double render_us;
	uint64_t renders;
	uint64_t full_bytes;
};

static void bench_mode_frame(struct bench_mode *m, const struct video_image *img, uint64_t now,
			     struct ascii_grid *demand_shown)
{
	struct ascii_image ai = { .width = img->width, .height = img->height,
				  .y = img->planes[0], .u = img->planes[1], .v = img->planes[2],
				  .y_stride = img->stride[0], .uv_stride = img->stride[1] };
	size_t cells, cap = ascii_diff_max_runs(80, 24);

	if (!vbudget_due(m->gov, now))
		return;
	struct vbudget_plan plan;
	vbudget_plan(m->gov, &plan);
	struct ascii_opts o = { .mode = plan.colour ? m->mode : ASCII_MODE_RAMP,
				.levels = plan.ramp_levels, .hysteresis = plan.hysteresis };
	double t0 = cpu_us();
	ascii_render(m->grid, &ai, &o, m->shown);
	int n = ascii_diff(m->shown, m->grid, 3, m->runs, cap, &cells);
	size_t bytes = ascii_diff_bytes(m->grid, m->runs, (size_t)n, 1, 0);
	m->render_us += cpu_us() - t0;
	m->renders++;
	if (vbudget_admit(m->gov, now, bytes, NULL) == VBUDGET_DRAW)
		ascii_grid_copy(m->shown, m->grid);
	/* demand: what this mode would write at 5 fps with no budget and full detail */
	struct ascii_opts full = { .mode = m->mode };
	ascii_render(m->grid, &ai, &full, NULL);
	n = ascii_diff(demand_shown, m->grid, 3, m->runs, cap, &cells);
	m->demand_bytes += ascii_diff_bytes(m->grid, m->runs, (size_t)n, 1, 0);
	m->frames_demand++;
	n = ascii_diff(NULL, m->grid, 3, m->runs, cap, &cells);
	m->full_bytes = ascii_diff_bytes(m->grid, m->runs, (size_t)n, 1, 0);
	ascii_grid_copy(demand_shown, m->grid);
}

/* Camera-like sensor noise of up to +-amp on the luma, a pure function of (n, x, y). */
static void add_noise(struct video_image *img, uint64_t n, int amp)
{
	for (int y = 0; y < img->height; y++) {
		uint8_t *row = img->planes[0] + (size_t)y * (size_t)img->stride[0];
		for (int x = 0; x < img->width; x++) {
			uint32_t h = (uint32_t)(n * 2654435761u) ^
				     (uint32_t)(y * 40503u + x * 9973u);
			h ^= h >> 13;
			h *= 0x5bd1e995u;
			h ^= h >> 15;
			int v = row[x] + (int)(h % (2u * (unsigned)amp + 1)) - amp;
			row[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
}

static int run_bench(int seconds, int noise)
{
	struct video_enc *e = new_enc(10);
	struct video_dec *dec;
	struct vp8_depack *dp;
	struct vp8_pack pk;
	struct video_image src, out;
	struct video_packet p;
	uint8_t pkt[1300];
	uint16_t seq = 1;
	double enc_us = 0, dec_us = 0, depack_us = 0;
	uint64_t bytes = 0, decoded = 0;
	struct bench_mode modes[3] = {
		{ .name = "ascii", .mode = ASCII_MODE_RAMP },
		{ .name = "256", .mode = ASCII_MODE_256, .colour = true },
		{ .name = "truecolor", .mode = ASCII_MODE_TRUECOLOR, .colour = true },
	};
	struct ascii_grid *demand_shown[3];
	int frames = seconds * 10;

	if (video_dec_create(&dec, VIDEO_CODEC_VP8, 0, 0) || vp8_depack_create(&dp, NULL) ||
	    video_image_alloc(&src, W, H))
		return 1;
	vp8_pack_init(&pk, 1200, 0);
	for (int i = 0; i < 3; i++) {
		struct vbudget_config vc;
		vbudget_config_default(&vc);
		vc.colour = modes[i].colour;
		if (ascii_grid_create(&modes[i].grid, 80, 24) ||
		    ascii_grid_create(&modes[i].shown, 80, 24) ||
		    ascii_grid_create(&demand_shown[i], 80, 24) ||
		    vbudget_create(&modes[i].gov, &vc))
			return 1;
		modes[i].runs = calloc(ascii_diff_max_runs(80, 24), sizeof(struct ascii_run));
	}
	for (int n = 0; n < frames; n++) {
		uint64_t now = (uint64_t)n * 100000;
		testpattern_draw(&src, (uint64_t)n);
		if (noise)
			add_noise(&src, (uint64_t)n, noise);
		double t0 = cpu_us();
		if (video_enc_encode(e, &src, n, &p) != 1)
			continue;
		enc_us += cpu_us() - t0;
		bytes += p.len;
		vp8_pack_start(&pk, p.data, p.len, p.droppable);
		bool last;
		int l;
		struct vp8_frame f;
		t0 = cpu_us();
		while ((l = vp8_pack_next(&pk, pkt, sizeof(pkt), &last)) > 0) {
			struct rtp_header h = { .seq = seq++, .ts = (uint32_t)n * TS_PER_FRAME,
						.marker = last, .payload = pkt,
						.payload_len = (size_t)l };
			vp8_depack_push(dp, &h, now);
		}
		int got = vp8_depack_pop(dp, now, &f);
		depack_us += cpu_us() - t0;
		if (got != 1)
			continue;
		t0 = cpu_us();
		int rc = video_dec_decode(dec, f.data, f.len, &out);
		dec_us += cpu_us() - t0;
		if (rc != 1)
			continue;
		decoded++;
		for (int i = 0; i < 3; i++)
			bench_mode_frame(&modes[i], &out, now, demand_shown[i]);
	}
	double secs = frames / 10.0;
	printf("{\"source\": \"testpattern %dx%d 10fps 150kbit/s, noise +-%d\", "
	       "\"grid\": \"80x24\", \"seconds\": %.1f, \"frames\": %d, \"decoded\": %llu, "
	       "\"video_kbps\": %.1f, "
	       "\"encode_us_per_frame\": %.0f, \"depack_us_per_frame\": %.1f, "
	       "\"decode_us_per_frame\": %.0f",
	       W, H, noise, secs, frames, (unsigned long long)decoded, bytes * 8 / secs / 1000,
	       enc_us / frames, depack_us / frames, dec_us / (double)(decoded ? decoded : 1));
	for (int i = 0; i < 3; i++) {
		struct bench_mode *m = &modes[i];
		struct vbudget_stats st;
		struct vbudget_plan plan;
		vbudget_get_stats(m->gov, &st);
		vbudget_plan(m->gov, &plan);
		double render = m->render_us / (double)(m->renders ? m->renders : 1);
		printf(", \"%s\": {\"render_diff_us_per_frame\": %.0f, "
		       "\"demand_bytes_per_s_5fps\": %.0f, \"full_redraw_bytes\": %llu, "
		       "\"governed_bytes_per_s\": %.0f, \"governed_fps\": %.2f, "
		       "\"final_level\": %d, \"cpu_pct_decode_10fps_render_5fps\": %.2f}",
		       m->name, render,
		       (double)m->demand_bytes / secs, (unsigned long long)m->full_bytes,
		       (double)st.bytes / secs, (double)st.drawn / secs, plan.level,
		       (dec_us / (double)(decoded ? decoded : 1) * 10 + render * 5) / 1e4);
	}
	printf("}\n");
	for (int i = 0; i < 3; i++) {
		ascii_grid_destroy(modes[i].grid);
		ascii_grid_destroy(modes[i].shown);
		ascii_grid_destroy(demand_shown[i]);
		vbudget_destroy(modes[i].gov);
		free(modes[i].runs);
	}
	video_image_free(&src);
	vp8_depack_destroy(dp);
	video_dec_destroy(dec);
	video_enc_destroy(e);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
		int secs = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 20;
		int noise = argc > 3 ? atoi(argv[3]) : 0;
		return run_bench(secs, noise < 0 ? 0 : noise > 100 ? 100 : noise);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pattern_geometry),
		cmocka_unit_test(test_pattern_pixels),
		cmocka_unit_test(test_encode_decode_psnr),
		cmocka_unit_test(test_encoder_errors),
		cmocka_unit_test(test_decoder_robustness),
		cmocka_unit_test(test_chain_with_loss),
		cmocka_unit_test(test_vp9_receive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
