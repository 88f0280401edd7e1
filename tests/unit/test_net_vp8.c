/* Unit tests for net/vp8: descriptor parsing (VP8 and VP9), the packetizer's wire layout, and
 * the depacketizer with in-order, reordered, duplicated, lost, wrapped, oversized, padded and
 * marker-less streams, gap timing, keyframe jumps, window overflow and sequence restarts.
 * Frames here are synthetic (valid VP8 frame tags, patterned bytes); real libvpx frames go
 * through the same path in test_core_video.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/vp8.h"

#define MAX_PKTS 512
#define MAX_FRAMES 128
#define FRAME_CAP 8192
#define TS_STEP 9000
#define MS 1000ull

struct pkt {
	struct rtp_header h;
	uint8_t data[1600];
	int frame;		/* index of the frame it carries */
};

struct stream {
	struct pkt p[MAX_PKTS];
	size_t n;
	uint16_t seq;
	uint32_t ts;
	struct vp8_pack pk;
	uint8_t frames[MAX_FRAMES][FRAME_CAP];
	size_t flen[MAX_FRAMES];
	bool fkey[MAX_FRAMES];
	int nframes;
};

/* A VP8-looking frame: keyframes carry a valid tag, start code and 320x180. */
static size_t fake_frame(uint8_t *buf, size_t len, bool key, int idx)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(idx * 31 + i * 7 + (i >> 8));
	if (key) {
		static const uint8_t hdr[10] = { 0x10, 0, 0, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4,
						 0x00 };
		memcpy(buf, hdr, sizeof(hdr));
	} else {
		buf[0] |= 1;
	}
	return len;
}

static struct stream *stream_new(uint16_t seq, size_t max_payload, uint16_t pid)
{
	struct stream *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->seq = seq;
	s->ts = 1000;
	vp8_pack_init(&s->pk, max_payload, pid);
	return s;
}

/* Appends frame `idx` (len bytes) as packets. */
static void add_frame(struct stream *s, size_t len, bool key)
{
	int idx = s->nframes++;
	assert_true(idx < MAX_FRAMES && len <= FRAME_CAP);
	fake_frame(s->frames[idx], len, key, idx);
	s->flen[idx] = len;
	s->fkey[idx] = key;
	assert_int_equal(vp8_pack_start(&s->pk, s->frames[idx], len, false), 0);
	for (;;) {
		bool last;
		struct pkt *p = &s->p[s->n];
		int n = vp8_pack_next(&s->pk, p->data, sizeof(p->data), &last);
		assert_true(n >= 0);
		if (n == 0)
			break;
		assert_true(s->n < MAX_PKTS);
		p->h = (struct rtp_header){ .pt = 96, .seq = s->seq++, .ts = s->ts, .ssrc = 7,
					    .marker = last, .payload = p->data,
					    .payload_len = (size_t)n };
		p->frame = idx;
		s->n++;
	}
	s->ts += TS_STEP;
}

/* Frames popped, identified by index (from the timestamp) and checked byte for byte. */
struct got {
	int idx[MAX_FRAMES * 2];
	int n;
};

static void drain(struct vp8_depack *d, const struct stream *s, uint64_t now, struct got *g)
{
	struct vp8_frame f;
	while (vp8_depack_pop(d, now, &f) == 1) {
		int idx = (int)((f.ts - 1000) / TS_STEP);
		assert_true(idx >= 0 && idx < s->nframes);
		assert_int_equal(f.len, s->flen[idx]);
		assert_memory_equal(f.data, s->frames[idx], f.len);
		assert_int_equal(f.keyframe, s->fkey[idx]);
		if (f.keyframe) {
			assert_int_equal(f.width, 320);
			assert_int_equal(f.height, 180);
		}
		assert_true(g->n < MAX_FRAMES * 2);
		g->idx[g->n++] = idx;
	}
}

static void push_all(struct vp8_depack *d, struct stream *s, const size_t *order, size_t n,
		     uint64_t t0, struct got *g)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = order ? order[i] : i;
		uint64_t now = t0 + i * 10 * MS;
		vp8_depack_push(d, &s->p[k].h, now);
		drain(d, s, now, g);
	}
}

static struct vp8_depack *depack_new(void)
{
	struct vp8_depack *d;
	assert_int_equal(vp8_depack_create(&d, NULL), 0);
	return d;
}

/* K D D D ... frames of mixed sizes (1..5 packets of <= 1200 bytes). */
static struct stream *standard_stream(uint16_t seq, int frames, int key_every)
{
	struct stream *s = stream_new(seq, 1200, 100);
	for (int i = 0; i < frames; i++)
		add_frame(s, 300 + (size_t)((i * 1777) % 4700), i % key_every == 0);
	return s;
}

/* Index of the first packet of frame f. */
static size_t first_pkt(const struct stream *s, int f)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].frame == f)
			return i;
	fail();
	return 0;
}

static void expect_all(const struct got *g, int first, int last)
{
	assert_int_equal(g->n, last - first + 1);
	for (int i = 0; i < g->n; i++)
		assert_int_equal(g->idx[i], first + i);
}

static void test_descriptor_forms(void **state)
{
	struct vp8_descriptor d;
	/* no X: S=1 PID=0, then a keyframe tag */
	uint8_t a[] = { 0x10, 0x10, 0, 0, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01 };
	assert_int_equal(vp8_parse_descriptor(a, sizeof(a), &d), 0);
	assert_int_equal(d.header_len, 1);
	assert_true(d.start && d.keyframe);
	assert_int_equal(d.width, 640);
	assert_int_equal(d.height, 480);
	assert_int_equal(d.picture_id, -1);
	/* X, I 7-bit, L, T+K; N set; partition 3 (no frame tag needed) */
	uint8_t b[] = { 0xa3, 0xf0, 0x55, 0x17, 0xbf, 0xaa };
	assert_int_equal(vp8_parse_descriptor(b, sizeof(b), &d), 0);
	assert_int_equal(d.header_len, 5);
	assert_true(d.non_ref);
	assert_false(d.start);
	assert_int_equal(d.pid, 3);
	assert_int_equal(d.picture_id, 0x55);
	assert_false(d.pid_15bit);
	assert_int_equal(d.tl0picidx, 0x17);
	assert_int_equal(d.tid, 2);
	assert_true(d.layer_sync);
	assert_int_equal(d.keyidx, 0x1f);
	/* X, I 15-bit, inter frame tag (P=1) */
	uint8_t c[] = { 0x90, 0x80, 0xab, 0xcd, 0x01, 0x00, 0x00, 0x33 };
	assert_int_equal(vp8_parse_descriptor(c, sizeof(c), &d), 0);
	assert_int_equal(d.header_len, 4);
	assert_int_equal(d.picture_id, 0x2bcd);
	assert_true(d.pid_15bit && d.start);
	assert_false(d.keyframe);
	/* keyframe tag with a wrong start code is not a keyframe */
	uint8_t e[] = { 0x10, 0x10, 0, 0, 0x9d, 0x01, 0x2b, 0x80, 0x02, 0xe0, 0x01 };
	assert_int_equal(vp8_parse_descriptor(e, sizeof(e), &d), 0);
	assert_false(d.keyframe);
	/* truncations */
	for (size_t n = 0; n < 5; n++)
		assert_int_equal(vp8_parse_descriptor(c, n, &d), -EINVAL);
	uint8_t f[] = { 0x10, 0x00, 0x00 };	/* start packet with a 2-byte tag */
	assert_int_equal(vp8_parse_descriptor(f, sizeof(f), &d), -EINVAL);
	uint8_t g[] = { 0x80, 0x40 };	/* L announced, missing */
	assert_int_equal(vp8_parse_descriptor(g, sizeof(g), &d), -EINVAL);
}

static void test_vp9_descriptor(void **state)
{
	struct vp8_descriptor d;
	/* I (15-bit), L non-flexible, B E; a profile-0 keyframe header 320x180 */
	/* 0x82: frame_marker 2, profile 0, show_existing 0, frame_type 0 (key), show_frame 1,
	 * error_res 0; the sync code; 4 bits color_space 0 + range; then width-1 = 319 and
	 * height-1 = 179 as 16-bit fields: 0000 | 0000 0001 0011 1111 | 0000 0000 1011 0011 */
	uint8_t a[] = { 0xac, 0x81, 0x02, 0x25, 0x07,
			0x82, 0x49, 0x83, 0x42, 0x00, 0x13, 0xf0, 0x0b, 0x30, 0x00 };
	assert_int_equal(vp8_parse_vp9_descriptor(a, sizeof(a), &d), 0);
	assert_int_equal(d.header_len, 5);
	assert_true(d.start && d.end && d.keyframe);
	assert_int_equal(d.picture_id, 0x102);
	assert_int_equal(d.tid, 1);
	assert_int_equal(d.sid, 2);
	assert_true(d.layer_sync == false);
	assert_int_equal(d.tl0picidx, 7);
	assert_int_equal(d.width, 320);
	assert_int_equal(d.height, 180);
	/* flexible, inter (P) with two P_DIFFs, a scalability structure with sizes and a
	 * group of one picture with one reference */
	uint8_t b[] = { 0xda, 0x11, 0x45, 0x03, 0x04, 0x18, 0x01, 0x40, 0x00, 0xb4,
			0x01, 0x04, 0x02, 0x86, 0x00 };
	assert_int_equal(vp8_parse_vp9_descriptor(b, sizeof(b), &d), 0);
	assert_int_equal(d.header_len, 13);
	assert_true(d.start && d.inter);
	assert_false(d.keyframe);
	assert_int_equal(d.picture_id, 0x11);
	assert_int_equal(d.tl0picidx, -1);
	for (size_t n = 0; n < 14; n++)
		assert_int_equal(vp8_parse_vp9_descriptor(b, n, &d), -EINVAL);
	/* more than three P_DIFFs */
	uint8_t c[] = { 0x50, 0x03, 0x03, 0x03, 0x03, 0x00 };
	assert_int_equal(vp8_parse_vp9_descriptor(c, sizeof(c), &d), -EINVAL);
}

static void test_packetizer_layout(void **state)
{
	struct vp8_pack pk;
	uint8_t frame[2500], out[1600];
	bool last;
	size_t total = 0;
	int sizes[8], n = 0;

	vp8_pack_init(&pk, 1000, 0x7ffe);
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	assert_int_equal(vp8_pack_start(&pk, frame, sizeof(frame), true), 0);
	for (;;) {
		int len = vp8_pack_next(&pk, out, sizeof(out), &last);
		if (len == 0)
			break;
		assert_true(len > 4 && len <= 1000);
		assert_int_equal(out[0], 0x80 | 0x20 | (n == 0 ? 0x10 : 0));
		assert_int_equal(out[1], 0x80);
		assert_int_equal(out[2], 0xff);	/* M + 0x7f */
		assert_int_equal(out[3], 0xfe);
		assert_memory_equal(out + 4, frame + total, (size_t)len - 4);
		total += (size_t)len - 4;
		assert_int_equal(last, total == sizeof(frame));
		sizes[n++] = len;
	}
	assert_int_equal(n, 3);	/* 2500 bytes in 996-byte rooms */
	assert_int_equal(total, sizeof(frame));
	for (int i = 1; i < n; i++)
		assert_true(abs(sizes[i] - sizes[0]) <= 1);	/* near-equal */
	/* PictureID advanced and wraps at 15 bits */
	assert_int_equal(vp8_pack_start(&pk, frame, 10, false), 0);
	assert_int_equal(vp8_pack_next(&pk, out, sizeof(out), &last), 14);
	assert_true(last);
	assert_int_equal(out[0], 0x90);
	assert_int_equal(out[2] & 0x7f, 0x7f);
	assert_int_equal(out[3], 0xff);
	assert_int_equal(vp8_pack_next(&pk, out, sizeof(out), &last), 0);
	assert_int_equal(vp8_pack_start(&pk, frame, 10, false), 0);
	assert_int_equal(vp8_pack_next(&pk, out, sizeof(out), &last), 14);
	assert_int_equal(out[2], 0x80);
	assert_int_equal(out[3], 0x00);
	/* errors */
	assert_int_equal(vp8_pack_start(&pk, frame, 0, false), -EINVAL);
	assert_int_equal(vp8_pack_start(&pk, frame, 100, false), 0);
	assert_int_equal(vp8_pack_next(&pk, out, 50, &last), -ENOSPC);
	vp8_pack_init(&pk, 4, 0);
	assert_int_equal(vp8_pack_start(&pk, frame, 1, false), -EINVAL);
}

/* VP9 packing: every payload parses with our own VP9 descriptor reader (B/E, P clear only on
 * keyframes, the size on a keyframe's first packet) and a VP9 depacketizer gives the frames
 * back byte for byte. */
static void test_vp9_packetizer_round_trip(void **state)
{
	static const uint8_t key_hdr[] = { 0x82, 0x49, 0x83, 0x42, 0x00, 0x13, 0xf0, 0x0b, 0x30 };
	struct vp8_pack pk;
	struct vp8_depack *d;
	struct vp8_depack_config cfg;
	uint8_t frames[3][3000], pkts[32][1300];
	size_t lens[3] = { 2600, 700, 1500 };
	struct rtp_header hs[32];
	size_t n = 0;
	uint16_t seq = 65534;

	vp8_depack_config_default(&cfg);
	cfg.codec = VP8_CODEC_VP9;
	assert_int_equal(vp8_depack_create(&d, &cfg), 0);
	vp8_pack_init(&pk, 1000, 0x7fff);
	for (int f = 0; f < 3; f++) {
		bool key = f == 0, last = false;
		for (size_t i = 0; i < lens[f]; i++)
			frames[f][i] = (uint8_t)(f * 13 + i * 5);
		if (key)
			memcpy(frames[f], key_hdr, sizeof(key_hdr));
		assert_int_equal(vp8_pack_start_vp9(&pk, frames[f], lens[f], key, 320, 180), 0);
		for (int k = 0; !last; k++) {
			struct vp8_descriptor dd;
			int len = vp8_pack_next(&pk, pkts[n], sizeof(pkts[n]), &last);
			assert_true(len > 0 && len <= 1000);
			assert_int_equal(vp8_parse_vp9_descriptor(pkts[n], (size_t)len, &dd), 0);
			assert_int_equal(dd.start, k == 0);
			assert_int_equal(dd.end, last);
			assert_int_equal(dd.inter, !key);
			assert_int_equal(dd.picture_id, (0x7fff + f) & 0x7fff);
			if (key && k == 0) {
				assert_true(dd.keyframe);
				assert_int_equal(dd.header_len, 8);
			}
			hs[n] = (struct rtp_header){ .pt = 98, .seq = seq++, .ts = 1000u + 3000u * f,
						     .ssrc = 9, .marker = last, .payload = pkts[n],
						     .payload_len = (size_t)len };
			n++;
		}
	}
	assert_int_equal(vp8_pack_start_vp9(&pk, frames[0], 10, true, 0, 180), -EINVAL);
	/* in order through the VP9 depacketizer: each frame back whole */
	int got = 0;
	for (size_t i = 0; i < n; i++) {
		struct vp8_frame fr;
		vp8_depack_push(d, &hs[i], i * 1000);
		while (vp8_depack_pop(d, i * 1000, &fr) == 1) {
			assert_int_equal(fr.len, lens[got]);
			assert_memory_equal(fr.data, frames[got], fr.len);
			assert_int_equal(fr.keyframe, got == 0);
			got++;
		}
	}
	assert_int_equal(got, 3);
	vp8_depack_destroy(d);
	(void)state;
}

static void test_in_order(void **state)
{
	struct stream *s = standard_stream(1000, 20, 10);
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };
	struct vp8_depack_stats st;

	assert_true(vp8_depack_need_keyframe(d));
	push_all(d, s, NULL, s->n, 0, &g);
	expect_all(&g, 0, 19);
	assert_false(vp8_depack_need_keyframe(d));
	vp8_depack_get_stats(d, &st);
	assert_int_equal(st.frames, 20);
	assert_int_equal(st.keyframes, 2);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.packets, s->n);
	assert_false(vp8_depack_gap_open(d));
	vp8_depack_destroy(d);
	free(s);
}

static void test_join_mid_stream(void **state)
{
	struct stream *s = stream_new(100, 1200, 0);
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };
	struct vp8_depack_stats st;

	add_frame(s, 2500, false);
	add_frame(s, 1300, false);
	add_frame(s, 3000, true);
	add_frame(s, 600, false);
	/* joined in the middle of frame 0: everything before the keyframe is skipped quietly */
	push_all(d, s, NULL, s->n, 0, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.idx[0], 2);
	assert_int_equal(g.idx[1], 3);
	vp8_depack_get_stats(d, &st);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.discarded, first_pkt(s, 2));
	assert_int_equal(st.keyframe_requests, 0);
	vp8_depack_destroy(d);
	free(s);
}

static void test_reordered_and_duplicated(void **state)
{
	struct stream *s = standard_stream(500, 24, 12);
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };
	size_t order[MAX_PKTS * 2], n = 0;
	struct vp8_depack_stats st;

	/* blocks of 7 packets delivered backwards, every fifth packet sent twice */
	for (size_t b = 0; b < s->n; b += 7) {
		size_t e = b + 7 < s->n ? b + 7 : s->n;
		for (size_t k = e; k-- > b;) {
			order[n++] = k;
			if (k % 5 == 0)
				order[n++] = k;
		}
	}
	push_all(d, s, order, n, 0, &g);
	expect_all(&g, 0, 23);
	vp8_depack_get_stats(d, &st);
	assert_int_equal(st.lost, 0);
	assert_true(st.late > 0);
	assert_int_equal(st.frames, 24);
	vp8_depack_destroy(d);
	free(s);
}

static void test_loss_inside_frame(void **state)
{
	struct stream *s = standard_stream(65520, 12, 6);	/* keyframes 0 and 6, wraps */
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };
	struct vp8_depack_stats st;
	size_t lost = first_pkt(s, 4) + 1;	/* frame 4 has 3 packets */

	assert_int_equal(s->p[lost].frame, 4);
	assert_true(s->p[s->n - 1].h.seq < 100);	/* the numbers wrapped */
	uint64_t now = 0;
	for (size_t i = 0; i < s->n; i++) {
		now += 20 * MS;	/* 20 ms per packet: gaps expire after the next ones */
		if (i != lost)
			vp8_depack_push(d, &s->p[i].h, now);
		drain(d, s, now, &g);
	}
	/* 0..3, then 4 (damaged) and 5 (no reference) withheld until keyframe 6 */
	assert_int_equal(g.n, 4 + 6);
	for (int i = 0; i < 4; i++)
		assert_int_equal(g.idx[i], i);
	for (int i = 4; i < g.n; i++)
		assert_int_equal(g.idx[i], i + 2);
	assert_false(vp8_depack_need_keyframe(d));
	vp8_depack_get_stats(d, &st);
	assert_int_equal(st.lost, 1);
	/* keyframe 6 was complete before the 150 ms were up: the depacketizer jumped to it,
	 * dropping the damaged frame 4 and skipping frame 5's four packets and 4's last */
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.discarded, 5);
	assert_int_equal(st.keyframe_requests, 1);
	vp8_depack_destroy(d);
	free(s);
}

static void test_whole_frame_lost(void **state)
{
	struct stream *s = standard_stream(10, 10, 5);
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };
	uint64_t now = 0;

	for (size_t i = 0; i < s->n; i++) {
		now += 50 * MS;
		if (s->p[i].frame != 2)
			vp8_depack_push(d, &s->p[i].h, now);
		drain(d, s, now, &g);
	}
	/* PictureID jumps from 101 to 103: frames 3 and 4 are not decodable */
	assert_int_equal(g.n, 2 + 5);
	assert_int_equal(g.idx[1], 1);
	assert_int_equal(g.idx[2], 5);
	vp8_depack_destroy(d);
	free(s);
}

static void test_padding_and_lost_padding(void **state)
{
	struct stream *s = stream_new(300, 1200, 7);
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };
	struct vp8_depack_stats st;

	add_frame(s, 2000, true);
	/* a padding-only packet between frames (bandwidth probing) */
	s->p[s->n] = (struct pkt){ .h = { .seq = s->seq++, .ts = s->ts - TS_STEP }, .frame = -1 };
	s->n++;
	add_frame(s, 800, false);
	s->p[s->n] = (struct pkt){ .h = { .seq = s->seq++, .ts = s->ts - TS_STEP }, .frame = -1 };
	size_t lost = s->n++;
	add_frame(s, 900, false);
	add_frame(s, 700, false);
	uint64_t now = 0;
	for (size_t i = 0; i < s->n; i++) {
		now += 200 * MS;
		if (i != lost)
			vp8_depack_push(d, &s->p[i].h, now);
		drain(d, s, now, &g);
	}
	/* the lost packet was between pictures 8 and 9: nothing needs a keyframe */
	expect_all(&g, 0, 3);
	vp8_depack_get_stats(d, &st);
	assert_int_equal(st.padding, 1);
	assert_int_equal(st.lost, 1);
	assert_int_equal(st.keyframe_requests, 0);
	vp8_depack_destroy(d);
	free(s);
}

static void test_gap_timing_and_nack_list(void **state)
{
	struct stream *s = standard_stream(40000, 4, 100);
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };
	uint16_t miss[8];
	size_t a = first_pkt(s, 1), b = first_pkt(s, 2);

	assert_true(b - a >= 2);
	for (size_t i = 0; i < a; i++)
		vp8_depack_push(d, &s->p[i].h, 0);
	drain(d, s, 0, &g);
	assert_int_equal(g.n, 1);
	/* frame 1's first two packets are late; the rest of frame 1 and frame 2 arrive */
	for (size_t i = a + 2; i < s->n; i++)
		vp8_depack_push(d, &s->p[i].h, 1000 * MS);
	drain(d, s, 1000 * MS, &g);
	assert_int_equal(g.n, 1);
	assert_true(vp8_depack_gap_open(d));
	assert_int_equal(vp8_depack_missing(d, miss, 8), 2);
	assert_int_equal(miss[0], s->p[a].h.seq);
	assert_int_equal(miss[1], s->p[a + 1].h.seq);
	assert_int_equal(vp8_depack_missing(d, miss, 1), 1);
	/* 149 ms later still waiting; the retransmissions arrive, nothing was lost */
	drain(d, s, 1149 * MS, &g);
	assert_int_equal(g.n, 1);
	vp8_depack_push(d, &s->p[a + 1].h, 1149 * MS);
	drain(d, s, 1149 * MS, &g);
	assert_int_equal(g.n, 1);
	vp8_depack_push(d, &s->p[a].h, 1149 * MS);
	drain(d, s, 1149 * MS, &g);
	expect_all(&g, 0, 3);
	assert_false(vp8_depack_need_keyframe(d));
	assert_false(vp8_depack_gap_open(d));
	vp8_depack_destroy(d);

	/* the same gap, never filled: given up on at 150 ms */
	d = depack_new();
	g.n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (i != a && i != a + 1)
			vp8_depack_push(d, &s->p[i].h, 1000 * MS);
	drain(d, s, 1000 * MS, &g);
	assert_int_equal(g.n, 1);
	drain(d, s, 1149 * MS, &g);
	assert_true(vp8_depack_gap_open(d));
	drain(d, s, 1150 * MS, &g);
	assert_false(vp8_depack_gap_open(d));
	assert_int_equal(g.n, 1);
	assert_true(vp8_depack_need_keyframe(d));
	vp8_depack_destroy(d);
	free(s);
}

static void test_keyframe_beyond_gap(void **state)
{
	struct stream *s = standard_stream(7, 6, 3);	/* keyframes 0 and 3 */
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };
	size_t lost = first_pkt(s, 1);

	/* all at the same instant: only the complete keyframe lets the stream move on */
	for (size_t i = 0; i < s->n; i++) {
		if (i != lost)
			vp8_depack_push(d, &s->p[i].h, 5 * MS);
		drain(d, s, 5 * MS, &g);
	}
	assert_int_equal(g.n, 4);
	assert_int_equal(g.idx[0], 0);
	assert_int_equal(g.idx[1], 3);
	assert_int_equal(g.idx[3], 5);
	vp8_depack_destroy(d);
	free(s);
}

static void test_window_overflow(void **state)
{
	struct stream *s = stream_new(65000, 1200, 0);
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };
	struct vp8_depack_stats st;

	for (int i = 0; i < 100; i++)
		add_frame(s, 100, i == 0 || i == 80);
	/* packet 1 lost, no time passes: the window (64) forces it out */
	for (size_t i = 0; i < s->n; i++) {
		if (i != 1)
			vp8_depack_push(d, &s->p[i].h, 0);
		drain(d, s, 0, &g);
		assert_int_equal(vp8_depack_need_keyframe(d), i >= 65 && i < 80);
	}
	assert_int_equal(g.n, 1 + 20);
	assert_int_equal(g.idx[1], 80);
	vp8_depack_get_stats(d, &st);
	assert_int_equal(st.lost, 1);
	vp8_depack_destroy(d);
	free(s);
}

static void test_oversized_frame(void **state)
{
	struct vp8_depack_config cfg;
	struct vp8_depack *d;
	struct stream *s = stream_new(1, 1200, 0);
	struct got g = { 0 };
	struct vp8_depack_stats st;

	vp8_depack_config_default(&cfg);
	cfg.max_frame = 4096;
	assert_int_equal(vp8_depack_create(&d, &cfg), 0);
	add_frame(s, 3000, true);
	add_frame(s, 5000, false);	/* over the limit */
	add_frame(s, 1000, false);
	add_frame(s, 4096, true);	/* exactly the limit */
	push_all(d, s, NULL, s->n, 0, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.idx[0], 0);
	assert_int_equal(g.idx[1], 3);
	vp8_depack_get_stats(d, &st);
	assert_int_equal(st.oversized, 1);
	assert_int_equal(st.dropped, 2);
	vp8_depack_destroy(d);
	free(s);

	/* a payload over max_payload is unusable: the frame it belongs to is lost */
	cfg.max_frame = 0;
	cfg.max_payload = 500;
	assert_int_equal(vp8_depack_create(&d, &cfg), 0);
	s = stream_new(1, 1200, 0);
	add_frame(s, 400, true);
	add_frame(s, 1000, false);
	add_frame(s, 300, true);
	g.n = 0;
	push_all(d, s, NULL, s->n, 0, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.idx[1], 2);
	vp8_depack_get_stats(d, &st);
	assert_int_equal(st.bad, 1);
	vp8_depack_destroy(d);
	free(s);
}

static void test_no_marker_and_garbage(void **state)
{
	struct stream *s = standard_stream(2000, 6, 100);
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };

	for (size_t i = 0; i < s->n; i++)
		s->p[i].h.marker = false;
	push_all(d, s, NULL, s->n, 0, &g);
	/* each picture ends when the next one starts; the last one waits */
	expect_all(&g, 0, 4);
	vp8_depack_destroy(d);

	/* a packet whose descriptor does not parse counts as loss */
	d = depack_new();
	g.n = 0;
	for (size_t i = 0; i < s->n; i++)
		s->p[i].h.marker = i + 1 == s->n || s->p[i + 1].frame != s->p[i].frame;
	size_t bad = first_pkt(s, 2);
	uint8_t junk[] = { 0x80 };	/* X set, nothing after */
	s->p[bad].h.payload = junk;
	s->p[bad].h.payload_len = sizeof(junk);
	push_all(d, s, NULL, s->n, 0, &g);
	expect_all(&g, 0, 1);
	assert_true(vp8_depack_need_keyframe(d));
	vp8_depack_destroy(d);
	free(s);
}

static void test_restart_and_reset(void **state)
{
	struct stream *s = standard_stream(30000, 10, 5);
	struct vp8_depack *d = depack_new();
	struct got g = { 0 };
	size_t half = first_pkt(s, 5);

	push_all(d, s, NULL, half, 0, &g);
	expect_all(&g, 0, 4);
	/* the sender's numbering restarts 20000 lower (far "behind"): after a few packets the
	 * depacketizer follows it */
	for (size_t i = half; i < s->n; i++)
		s->p[i].h.seq = (uint16_t)(s->p[i].h.seq - 20000);
	for (size_t i = half; i < s->n; i++) {
		vp8_depack_push(d, &s->p[i].h, 100 * MS);
		drain(d, s, 100 * MS, &g);
	}
	/* keyframe 5 and the start of 7 were taken for late packets before the resync:
	 * nothing decodable follows in the new numbering */
	assert_int_equal(g.n, 5);
	struct vp8_depack_stats st;
	vp8_depack_get_stats(d, &st);
	assert_true(st.late >= 7);
	/* a fresh keyframe in the new numbering is accepted */
	struct stream *t = stream_new((uint16_t)(s->p[s->n - 1].h.seq + 1), 1200, 0);
	add_frame(t, 900, true);
	g.n = 0;
	for (size_t i = 0; i < t->n; i++) {
		vp8_depack_push(d, &t->p[i].h, 200 * MS);
		drain(d, t, 200 * MS, &g);
	}
	assert_int_equal(g.n, 1);
	/* reset: forgets the origin, needs a keyframe again */
	vp8_depack_reset(d);
	assert_true(vp8_depack_need_keyframe(d));
	assert_false(vp8_depack_gap_open(d));
	vp8_depack_destroy(d);
	free(s);
	free(t);
}

static void test_config_errors(void **state)
{
	struct vp8_depack_config cfg;
	struct vp8_depack *d;

	vp8_depack_config_default(&cfg);
	cfg.window = 48;
	assert_int_equal(vp8_depack_create(&d, &cfg), -EINVAL);
	assert_null(d);
	cfg.window = 2048;
	assert_int_equal(vp8_depack_create(&d, &cfg), -EINVAL);
	cfg.window = 8;
	cfg.max_payload = 70000;
	assert_int_equal(vp8_depack_create(&d, &cfg), -EINVAL);
	cfg.max_payload = 1500;
	cfg.codec = 7;
	assert_int_equal(vp8_depack_create(&d, &cfg), -EINVAL);
	cfg.codec = VP8_CODEC_VP8;
	assert_int_equal(vp8_depack_create(&d, &cfg), 0);
	vp8_depack_destroy(d);
	vp8_depack_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor_forms),
		cmocka_unit_test(test_vp9_descriptor),
		cmocka_unit_test(test_packetizer_layout),
		cmocka_unit_test(test_vp9_packetizer_round_trip),
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_join_mid_stream),
		cmocka_unit_test(test_reordered_and_duplicated),
		cmocka_unit_test(test_loss_inside_frame),
		cmocka_unit_test(test_whole_frame_lost),
		cmocka_unit_test(test_padding_and_lost_padding),
		cmocka_unit_test(test_gap_timing_and_nack_list),
		cmocka_unit_test(test_keyframe_beyond_gap),
		cmocka_unit_test(test_window_overflow),
		cmocka_unit_test(test_oversized_frame),
		cmocka_unit_test(test_no_marker_and_garbage),
		cmocka_unit_test(test_restart_and_reset),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
