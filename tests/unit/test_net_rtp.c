/* Unit tests for net/rtp: header build/parse, extensions, malformed packets, sequence
 * arithmetic, and receive statistics (loss, fraction, wrap, restart, jitter). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/rtp.h"

static void test_basic_round_trip(void **state)
{
	struct rtp_header h = { .marker = true, .pt = 111, .seq = 0xfffe, .ts = 0xdeadbeef,
				.ssrc = 0x01020304, .cc = 3, .csrc = { 7, 8, 0xffffffff } };
	uint8_t buf[256], payload[33];
	struct rtp_writer w;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	assert_int_equal(rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_NONE), 0);
	assert_int_equal(rtp_writer_put(&w, payload, sizeof(payload)), 0);
	int n = rtp_writer_finish(&w, 0, 3);
	assert_int_equal(n, 12 + 12 + 33 + 3);
	assert_int_equal(buf[0], 0x80 | 0x20 | 3);	/* V=2, P, CC=3 */
	assert_int_equal(buf[1], 0x80 | 111);
	assert_int_equal(buf[n - 1], 3);

	struct rtp_header p;
	assert_int_equal(rtp_parse(buf, (size_t)n, &p), 0);
	assert_true(p.marker);
	assert_int_equal(p.pt, 111);
	assert_int_equal(p.seq, 0xfffe);
	assert_int_equal(p.ts, 0xdeadbeef);
	assert_int_equal(p.ssrc, 0x01020304);
	assert_int_equal(p.cc, 3);
	assert_int_equal(p.csrc[2], 0xffffffff);
	assert_false(p.has_ext);
	assert_int_equal(p.pad_len, 3);
	assert_int_equal(p.payload_len, sizeof(payload));
	assert_ptr_equal(p.payload, buf + 24);
	assert_memory_equal(p.payload, payload, sizeof(payload));
}

static void test_one_byte_ext_exact_bytes(void **state)
{
	struct rtp_header h = { .pt = 111, .seq = 1, .ts = 960, .ssrc = 0xaabbccdd };
	uint8_t buf[64];
	struct rtp_writer w;
	assert_int_equal(rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_ONE_BYTE), 0);
	assert_int_equal(rtp_writer_add_audio_level(&w, 1, true, 42), 0);
	assert_int_equal(rtp_writer_add_mid(&w, 2, "0"), 0);
	size_t room;
	uint8_t *pl = rtp_writer_payload(&w, &room);
	assert_non_null(pl);
	assert_int_equal(room, sizeof(buf) - 20);
	memcpy(pl, "\xf8\xff\xfe", 3);	/* an Opus DTX frame */
	int n = rtp_writer_finish(&w, 3, 0);
	static const uint8_t want[] = {
		0x90, 111, 0x00, 0x01, 0x00, 0x00, 0x03, 0xc0, 0xaa, 0xbb, 0xcc, 0xdd,
		0xbe, 0xde, 0x00, 0x01,		/* one-byte profile, 1 word */
		0x10, 0x80 | 42,		/* id 1, len 1: V=1 level 42 */
		0x20, '0',			/* id 2, len 1: mid "0" */
		0xf8, 0xff, 0xfe,
	};
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));

	struct rtp_header p;
	bool voice;
	uint8_t level;
	char mid[8];
	assert_int_equal(rtp_parse(buf, (size_t)n, &p), 0);
	assert_int_equal(p.ext_profile, 0xbede);
	assert_int_equal(p.ext_len, 4);
	assert_int_equal(p.payload_len, 3);
	assert_int_equal(rtp_ext_audio_level(&p, 1, &voice, &level), 0);
	assert_true(voice);
	assert_int_equal(level, 42);
	assert_int_equal(rtp_ext_mid(&p, 2, mid, sizeof(mid)), 0);
	assert_string_equal(mid, "0");
	assert_int_equal(rtp_ext_mid(&p, 2, mid, 1), -ENOSPC);
	assert_int_equal(rtp_ext_audio_level(&p, 3, &voice, &level), -ENOENT);

	/* silence, level clamped to 127, padded block */
	assert_int_equal(rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_ONE_BYTE), 0);
	assert_int_equal(rtp_writer_add_audio_level(&w, 5, false, 200), 0);
	n = rtp_writer_finish(&w, 0, 0);
	assert_int_equal(n, 20);
	assert_int_equal(rtp_parse(buf, (size_t)n, &p), 0);
	assert_int_equal(rtp_ext_audio_level(&p, 5, &voice, &level), 0);
	assert_false(voice);
	assert_int_equal(level, 127);
}

static void test_two_byte_ext(void **state)
{
	struct rtp_header h = { .pt = 96, .seq = 9, .ssrc = 5 };
	uint8_t buf[128], big[20];
	struct rtp_writer w;
	memset(big, 0x5a, sizeof(big));
	assert_int_equal(rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_TWO_BYTE), 0);
	assert_int_equal(rtp_writer_add_ext(&w, 200, NULL, 0), 0);
	assert_int_equal(rtp_writer_add_ext(&w, 3, big, sizeof(big)), 0);
	assert_int_equal(rtp_writer_add_mid(&w, 17, "video-mid"), 0);
	int n = rtp_writer_finish(&w, 0, 0);
	assert_true(n > 0);
	assert_int_equal(buf[12], 0x10);
	assert_int_equal(buf[13], 0x00);
	struct rtp_header p;
	const uint8_t *d;
	size_t len;
	char mid[16];
	assert_int_equal(rtp_parse(buf, (size_t)n, &p), 0);
	assert_int_equal(p.ext_len % 4, 0);
	assert_int_equal(p.ext_len, 2 + 22 + 11 + 1);	/* padded to a word */
	assert_int_equal(rtp_ext_find(&p, 200, &d, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(rtp_ext_find(&p, 3, &d, &len), 0);
	assert_int_equal(len, 20);
	assert_memory_equal(d, big, 20);
	assert_int_equal(rtp_ext_mid(&p, 17, mid, sizeof(mid)), 0);
	assert_string_equal(mid, "video-mid");
	assert_int_equal(rtp_ext_find(&p, 4, &d, &len), -ENOENT);
}

static void test_writer_errors(void **state)
{
	struct rtp_header h = { .pt = 111 };
	uint8_t buf[64], data[17] = { 0 };
	struct rtp_writer w;
	size_t room;
	rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_ONE_BYTE);
	assert_int_equal(rtp_writer_add_ext(&w, 15, data, 1), -EINVAL);
	assert_int_equal(rtp_writer_finish(&w, 0, 0), -EINVAL);	/* sticky */
	rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_ONE_BYTE);
	assert_int_equal(rtp_writer_add_ext(&w, 1, data, 17), -EINVAL);
	rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_ONE_BYTE);
	assert_int_equal(rtp_writer_add_ext(&w, 1, data, 0), -EINVAL);
	rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_NONE);
	assert_int_equal(rtp_writer_add_ext(&w, 1, data, 1), -EINVAL);
	rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_TWO_BYTE);
	assert_non_null(rtp_writer_payload(&w, &room));
	assert_int_equal(rtp_writer_add_ext(&w, 1, data, 1), -EINVAL);	/* block closed */
	h.cc = 16;
	assert_int_equal(rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_NONE), -EINVAL);
	h.cc = 0;
	h.pt = 128;
	assert_int_equal(rtp_writer_init(&w, buf, sizeof(buf), &h, RTP_EXT_NONE), -EINVAL);
	h.pt = 0;

	/* every capacity short of the full packet fails with -ENOSPC, never overruns */
	int full = -1;
	for (size_t cap = 0; cap <= 40; cap++) {
		uint8_t b[64];
		memset(b, 0xee, sizeof(b));
		int ret = rtp_writer_init(&w, b, cap, &h, RTP_EXT_ONE_BYTE);
		if (ret == 0)
			ret = rtp_writer_add_audio_level(&w, 1, true, 10);
		if (ret == 0)
			ret = rtp_writer_put(&w, "abcdefgh", 8);
		if (ret == 0)
			ret = rtp_writer_finish(&w, 0, 4);
		for (size_t i = cap; i < sizeof(b); i++)
			assert_int_equal(b[i], 0xee);
		if (ret > 0 && full < 0)
			full = (int)cap;
		if (full < 0)
			assert_int_equal(ret, -ENOSPC);
	}
	assert_int_equal(full, 12 + 4 + 4 + 8 + 4);
}

static void test_parse_malformed(void **state)
{
	struct rtp_header p;
	uint8_t pkt[80] = { 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
	assert_int_equal(rtp_parse(pkt, 12, &p), 0);
	assert_int_equal(p.payload_len, 0);
	for (size_t n = 0; n < 12; n++)
		assert_int_equal(rtp_parse(pkt, n, &p), -EINVAL);
	pkt[0] = 0x40;	/* version 1 */
	assert_int_equal(rtp_parse(pkt, 20, &p), -EINVAL);
	pkt[0] = 0x8f;	/* 15 CSRCs in 20 bytes */
	assert_int_equal(rtp_parse(pkt, 20, &p), -EINVAL);
	assert_int_equal(rtp_parse(pkt, 12 + 59, &p), -EINVAL);
	assert_int_equal(rtp_parse(pkt, 12 + 60, &p), 0);
	assert_int_equal(p.cc, 15);
	pkt[0] = 0x90;	/* extension header cut */
	assert_int_equal(rtp_parse(pkt, 14, &p), -EINVAL);
	pkt[12] = 0xbe;
	pkt[13] = 0xde;
	pkt[14] = 0x00;
	pkt[15] = 0x03;	/* 12 bytes claimed, 8 present */
	assert_int_equal(rtp_parse(pkt, 24, &p), -EINVAL);
	assert_int_equal(rtp_parse(pkt, 28, &p), 0);
	pkt[0] = 0xa0;	/* padding count 0 */
	pkt[19] = 0;
	assert_int_equal(rtp_parse(pkt, 20, &p), -EINVAL);
	pkt[19] = 9;	/* more padding than payload */
	assert_int_equal(rtp_parse(pkt, 20, &p), -EINVAL);
	pkt[19] = 8;	/* exactly all of it */
	assert_int_equal(rtp_parse(pkt, 20, &p), 0);
	assert_int_equal(p.payload_len, 0);
}

static void test_ext_malformed(void **state)
{
	struct rtp_header p;
	const uint8_t *d;
	size_t len;
	/* one-byte: padding, element id 1, then id 2 claiming 4 bytes with 2 left */
	uint8_t pkt[] = { 0x90, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 2,
			  0x00, 0x10, 0x7f, 0x23, 0xaa, 0xbb, 0x00, 0x00 };
	assert_int_equal(rtp_parse(pkt, sizeof(pkt), &p), 0);
	assert_int_equal(rtp_ext_find(&p, 1, &d, &len), 0);
	assert_int_equal(d[0], 0x7f);
	assert_int_equal(rtp_ext_find(&p, 2, &d, &len), 0);	/* 4 bytes: fits exactly */
	pkt[19] = 0x24;	/* 5 bytes: runs off the block */
	assert_int_equal(rtp_ext_find(&p, 2, &d, &len), -EINVAL);
	pkt[19] = 0xf0;	/* id 15: stop */
	assert_int_equal(rtp_ext_find(&p, 2, &d, &len), -ENOENT);
	assert_int_equal(rtp_ext_find(&p, 1, &d, &len), 0);
	pkt[12] = 0x12;	/* unknown profile: opaque */
	assert_int_equal(rtp_parse(pkt, sizeof(pkt), &p), 0);
	assert_int_equal(rtp_ext_find(&p, 1, &d, &len), -ENOENT);
	/* two-byte element header cut at the end of the block */
	uint8_t two[] = { 0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0x00, 0, 1,
			  0x00, 0x00, 0x00, 0x07 };
	assert_int_equal(rtp_parse(two, sizeof(two), &p), 0);
	assert_int_equal(rtp_ext_find(&p, 7, &d, &len), -EINVAL);
	char mid[4];
	uint8_t nulmid[] = { 0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 1,
			     0x31, 'a', 0, 0 };
	assert_int_equal(rtp_parse(nulmid, sizeof(nulmid), &p), 0);
	assert_int_equal(rtp_ext_mid(&p, 3, mid, sizeof(mid)), -EINVAL);
}

static void test_seq_helpers(void **state)
{
	assert_int_equal(rtp_seq_diff(0, 65535), 1);
	assert_int_equal(rtp_seq_diff(65535, 0), -1);
	assert_int_equal(rtp_seq_diff(100, 90), 10);
	assert_true(rtp_seq_newer(2, 65530));
	assert_false(rtp_seq_newer(65530, 2));
	assert_false(rtp_seq_newer(7, 7));

	struct rtp_seq_ext e = { 0 };
	static const uint16_t in[] = { 65534, 65535, 0, 65533, 1, 2, 65535, 3 };
	static const uint32_t out[] = { 65534, 65535, 65536, 65533, 65537, 65538, 65535,
					65539 };
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_int_equal(rtp_seq_extend(&e, in[i]), out[i]);
	for (uint32_t i = 4; i < 3 * 65536; i++)	/* up to 4 * 65536 - 1 */
		rtp_seq_extend(&e, (uint16_t)i);
	assert_int_equal(rtp_seq_extend(&e, 5), 4 * 65536 + 5);
}

/* Feeds seqs from..to (inclusive, wrap-aware) except those in skip; 20 ms apart. */
static void feed(struct rtp_stats *s, uint16_t from, uint32_t count, const uint16_t *skip,
		 size_t nskip, uint64_t *t_us)
{
	for (uint32_t i = 0; i < count; i++) {
		uint16_t seq = (uint16_t)(from + i);
		bool drop = false;
		for (size_t k = 0; k < nskip; k++)
			drop |= skip[k] == seq;
		*t_us += 20000;
		if (!drop)
			rtp_stats_update(s, seq, seq * 960u, *t_us);
	}
}

static void test_stats_loss(void **state)
{
	struct rtp_stats s;
	struct rtp_stats_report r;
	uint64_t t = 0;
	rtp_stats_init(&s, 48000);
	rtp_stats_get(&s, &r);
	assert_int_equal(r.expected, 0);
	/* the first packet only starts probation */
	assert_int_equal(rtp_stats_update(&s, 1000, 0, 0), -EAGAIN);
	static const uint16_t lost1[] = { 1010, 1020, 1021, 1050, 1090 };
	feed(&s, 1001, 99, lost1, 5, &t);
	rtp_stats_get(&s, &r);
	assert_int_equal(r.ext_max_seq, 1099);
	assert_int_equal(r.expected, 99);
	assert_int_equal(r.received, 94);
	assert_int_equal(r.lost, 5);
	assert_int_equal(r.fraction_lost, (5 * 256) / 99);
	rtp_stats_mark(&s);
	rtp_stats_get(&s, &r);
	assert_int_equal(r.fraction_lost, 0);	/* new interval, nothing yet */
	static const uint16_t lost2[] = { 1100, 1111, 1122, 1133, 1144, 1155, 1166, 1177, 1188,
					  1199 };
	feed(&s, 1100, 100, lost2, 10, &t);
	rtp_stats_get(&s, &r);
	/* 1199 itself was lost: the highest seen is 1198 */
	assert_int_equal(r.ext_max_seq, 1198);
	assert_int_equal(r.lost, 14);
	assert_int_equal(r.fraction_lost, (9 * 256) / 99);

	/* duplicates make the interval loss negative: reported as 0 */
	rtp_stats_mark(&s);
	feed(&s, 1199, 1, NULL, 0, &t);
	feed(&s, 1199, 1, NULL, 0, &t);
	feed(&s, 1190, 1, NULL, 0, &t);
	rtp_stats_get(&s, &r);
	assert_int_equal(r.fraction_lost, 0);
	assert_int_equal(r.lost, 12);
}

static void test_stats_wrap_and_restart(void **state)
{
	struct rtp_stats s;
	struct rtp_stats_report r;
	uint64_t t = 0;
	rtp_stats_init(&s, 48000);
	feed(&s, 65500, 120, NULL, 0, &t);	/* 65500 .. 65535, 0 .. 83 */
	rtp_stats_get(&s, &r);
	assert_int_equal(r.ext_max_seq, 65536 + 83);
	assert_int_equal(r.expected, 119);
	assert_int_equal(r.lost, 0);
	/* a late packet from before the wrap (< 100 behind) is counted, not a new cycle */
	assert_int_equal(rtp_stats_update(&s, 65530, 0, t), 0);
	rtp_stats_get(&s, &r);
	assert_int_equal(r.ext_max_seq, 65536 + 83);
	assert_int_equal(r.lost, -1);
	/* a jump of 30000: ignored once, accepted as a restart when followed in sequence */
	assert_int_equal(rtp_stats_update(&s, 30000, 0, t), -EAGAIN);
	assert_int_equal(rtp_stats_update(&s, 30001, 0, t), 0);
	rtp_stats_get(&s, &r);
	assert_int_equal(r.ext_max_seq, 30001);
	assert_int_equal(r.expected, 1);
	assert_int_equal(r.received, 1);
	/* an isolated stray jump does not disturb the count */
	assert_int_equal(rtp_stats_update(&s, 50000, 0, t), -EAGAIN);
	assert_int_equal(rtp_stats_update(&s, 30002, 0, t), 0);
	rtp_stats_get(&s, &r);
	assert_int_equal(r.ext_max_seq, 30002);
	assert_int_equal(r.lost, 0);
}

static void test_stats_jitter(void **state)
{
	struct rtp_stats s;
	struct rtp_stats_report r;
	rtp_stats_init(&s, 48000);
	/* perfectly paced: no jitter */
	for (uint32_t i = 0; i < 50; i++)
		rtp_stats_update(&s, (uint16_t)i, i * 960, 1000000 + i * 20000ull);
	rtp_stats_get(&s, &r);
	assert_int_equal(r.jitter, 0);

	/* arrivals alternately on time and 5 ms late, plus a pseudo-random spread; compare
	 * with the floating-point definition J += (|D| - J) / 16 */
	rtp_stats_init(&s, 48000);
	double ref = 0;
	int64_t prev_transit = 0;
	uint32_t x = 12345;
	int counted = 0;
	for (uint32_t i = 0; i < 400; i++) {
		x = x * 1103515245u + 12345u;
		uint64_t late = (i & 1) * 5000 + (x >> 16) % 3000;
		uint64_t arr = 1000000 + i * 20000ull + late;
		uint32_t ts = 7777 + i * 960;
		if (rtp_stats_update(&s, (uint16_t)(40000 + i), ts, arr) < 0)
			continue;
		int64_t transit = (int64_t)(arr * 48 / 1000) - ts;
		if (counted++ > 0)
			ref += (fabs((double)(transit - prev_transit)) - ref) / 16.0;
		prev_transit = transit;
	}
	rtp_stats_get(&s, &r);
	assert_true(ref > 200);	/* the series really is jittery (~5 ms + spread) */
	assert_true(fabs((double)r.jitter - ref) <= 2.0);
	assert_true(fabs(r.jitter_ms - ref / 48.0) < 0.05);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_round_trip),
		cmocka_unit_test(test_one_byte_ext_exact_bytes),
		cmocka_unit_test(test_two_byte_ext),
		cmocka_unit_test(test_writer_errors),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_ext_malformed),
		cmocka_unit_test(test_seq_helpers),
		cmocka_unit_test(test_stats_loss),
		cmocka_unit_test(test_stats_wrap_and_restart),
		cmocka_unit_test(test_stats_jitter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
