/* Unit tests for net/rtcp: compound pack/parse round trips, exact wire layouts, NACK bitmasks,
 * RTT and NTP arithmetic, receiver reports fed from rtp_stats, malformed packets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/rtcp.h"
#include "net/rtp.h"

static void test_sr_sdes_round_trip(void **state)
{
	uint8_t buf[512];
	struct rtcp_writer w;
	struct rtcp_sender_info si = { .ntp = 0xe8a1b2c3d4e5f607ull, .rtp_ts = 123456789,
				       .packets = 1500, .octets = 90000 };
	struct rtcp_report_block rb[2] = {
		{ .ssrc = 0x1111, .fraction_lost = 25, .lost = -3, .ext_max_seq = 0x1ffff,
		  .jitter = 240, .lsr = 0xb7052000, .dlsr = 0x54000 },
		{ .ssrc = 0x2222, .fraction_lost = 255, .lost = 0x7fffffff, .ext_max_seq = 7 },
	};
	rtcp_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(rtcp_write_sr(&w, 0xabcdef01, &si, rb, 2), 0);
	assert_int_equal(rtcp_write_sdes_cname(&w, 0xabcdef01, "ttymeet-cname"), 0);
	int n = rtcp_writer_finish(&w);
	/* SR: 28 + 2 * 24; SDES: 4 + 4 + 2 + 13 + 1 -> 24 */
	assert_int_equal(n, 76 + 24);
	assert_int_equal(buf[0], 0x82);
	assert_int_equal(buf[1], 200);
	assert_int_equal(buf[3], 76 / 4 - 1);

	struct rtcp_info in;
	assert_int_equal(rtcp_parse(buf, (size_t)n, &in), 0);
	assert_true(in.has_sr);
	assert_false(in.has_rr);
	assert_int_equal(in.sr_ssrc, 0xabcdef01);
	assert_int_equal(in.sr.ntp, si.ntp);
	assert_int_equal(in.sr.rtp_ts, si.rtp_ts);
	assert_int_equal(in.sr.packets, 1500);
	assert_int_equal(in.sr.octets, 90000);
	assert_int_equal(in.n_blocks, 2);
	assert_memory_equal(&in.blocks[0], &rb[0], sizeof(rb[0]));
	assert_int_equal(in.blocks[1].lost, 0x7fffff);	/* clamped to 24 bits */
	assert_int_equal(in.blocks[1].fraction_lost, 255);
	assert_int_equal(in.n_cnames, 1);
	assert_int_equal(in.cnames[0].ssrc, 0xabcdef01);
	assert_string_equal(in.cnames[0].cname, "ttymeet-cname");
	rb[1].lost = -0x7fffffff;
	rtcp_writer_init(&w, buf, sizeof(buf));
	rtcp_write_rr(&w, 1, &rb[1], 1);
	assert_int_equal(rtcp_parse(buf, (size_t)rtcp_writer_finish(&w), &in), 0);
	assert_int_equal(in.blocks[0].lost, -0x800000);
}

static void test_rr_exact_bytes(void **state)
{
	uint8_t buf[64];
	struct rtcp_writer w;
	struct rtcp_report_block rb = { .ssrc = 0x01020304, .fraction_lost = 0x40, .lost = -2,
					.ext_max_seq = 0x00010005, .jitter = 0x10,
					.lsr = 0xaabbccdd,
					.dlsr = 0x00018000 };
	static const uint8_t want[] = {
		0x81, 201, 0x00, 0x07, 0xde, 0xad, 0xbe, 0xef,
		0x01, 0x02, 0x03, 0x04, 0x40, 0xff, 0xff, 0xfe,
		0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x10,
		0xaa, 0xbb, 0xcc, 0xdd, 0x00, 0x01, 0x80, 0x00,
	};
	rtcp_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(rtcp_write_rr(&w, 0xdeadbeef, &rb, 1), 0);
	assert_int_equal(rtcp_writer_finish(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_bye_pli_fir(void **state)
{
	uint8_t buf[256];
	struct rtcp_writer w;
	uint32_t ssrcs[2] = { 5, 6 };
	rtcp_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(rtcp_write_rr(&w, 5, NULL, 0), 0);
	assert_int_equal(rtcp_write_pli(&w, 5, 0x77777777), 0);
	assert_int_equal(rtcp_write_fir(&w, 5, 0x88888888, 42), 0);
	assert_int_equal(rtcp_write_bye(&w, ssrcs, 2, "leaving"), 0);
	assert_int_equal(rtcp_write_bye(&w, ssrcs, 1, NULL), 0);
	int n = rtcp_writer_finish(&w);
	assert_int_equal(n, 8 + 12 + 20 + (4 + 8 + 8) + 8);
	static const uint8_t pli[] = { 0x81, 206, 0x00, 0x02, 0, 0, 0, 5,
				       0x77, 0x77, 0x77, 0x77 };
	assert_memory_equal(buf + 8, pli, sizeof(pli));
	static const uint8_t fir[] = { 0x84, 206, 0x00, 0x04, 0, 0, 0, 5, 0, 0, 0, 0,
				       0x88, 0x88, 0x88, 0x88, 42, 0, 0, 0 };
	assert_memory_equal(buf + 20, fir, sizeof(fir));

	struct rtcp_info in;
	assert_int_equal(rtcp_parse(buf, (size_t)n, &in), 0);
	assert_true(in.has_rr);
	assert_int_equal(in.rr_ssrc, 5);
	assert_int_equal(in.n_blocks, 0);
	assert_int_equal(in.n_plis, 1);
	assert_int_equal(in.plis[0].sender, 5);
	assert_int_equal(in.plis[0].media, 0x77777777);
	assert_int_equal(in.n_firs, 1);
	assert_int_equal(in.firs[0].media, 0x88888888);
	assert_int_equal(in.firs[0].seq, 42);
	assert_int_equal(in.n_bye, 3);
	assert_int_equal(in.bye[1], 6);
	assert_int_equal(in.bye[2], 5);
	assert_int_equal(in.n_other, 0);

	rtcp_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(rtcp_write_bye(&w, ssrcs, 0, NULL), -EINVAL);
	assert_int_equal(rtcp_write_pli(&w, 1, 2), -EINVAL);	/* the error sticks */
	assert_int_equal(rtcp_writer_finish(&w), -EINVAL);
	rtcp_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(rtcp_write_sdes_cname(&w, 1, ""), -EINVAL);
}

static void test_nack(void **state)
{
	uint8_t buf[128];
	struct rtcp_writer w;
	struct rtcp_info in;
	uint16_t out[17];
	static const uint16_t lost[] = { 100, 101, 103, 103, 116, 117, 200 };
	rtcp_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(rtcp_write_nack(&w, 9, 10, lost, 7), 0);
	int n = rtcp_writer_finish(&w);
	assert_int_equal(n, 12 + 3 * 4);
	static const uint8_t want[] = { 0x81, 205, 0x00, 0x05, 0, 0, 0, 9, 0, 0, 0, 10,
					0x00, 100, 0x80, 0x05,	/* 101, 103, 116 */
					0x00, 117, 0x00, 0x00, 0x00, 200, 0x00, 0x00 };
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(rtcp_parse(buf, (size_t)n, &in), 0);
	assert_int_equal(in.n_nacks, 3);
	assert_int_equal(in.nacks[0].sender, 9);
	assert_int_equal(in.nacks[0].media, 10);
	assert_int_equal(rtcp_nack_expand(in.nacks[0].pid, in.nacks[0].blp, out), 4);
	assert_int_equal(out[0], 100);
	assert_int_equal(out[1], 101);
	assert_int_equal(out[2], 103);
	assert_int_equal(out[3], 116);

	/* across the wrap */
	static const uint16_t wrap[] = { 65534, 65535, 0, 5 };
	rtcp_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(rtcp_write_nack(&w, 1, 2, wrap, 4), 0);
	assert_int_equal(rtcp_parse(buf, (size_t)rtcp_writer_finish(&w), &in), 0);
	assert_int_equal(in.n_nacks, 1);
	assert_int_equal(in.nacks[0].pid, 65534);
	assert_int_equal(in.nacks[0].blp, 0x0043);
	assert_int_equal(rtcp_nack_expand(65534, 0x0043, out), 4);
	assert_int_equal(out[3], 5);
	assert_int_equal(rtcp_nack_expand(7, 0xffff, out), 17);
	assert_int_equal(out[16], 23);

	/* 40 pairs parse into 32, the rest counted */
	uint16_t many[40];
	for (int i = 0; i < 40; i++)
		many[i] = (uint16_t)(i * 100);
	uint8_t big[512];
	rtcp_writer_init(&w, big, sizeof(big));
	assert_int_equal(rtcp_write_nack(&w, 1, 2, many, 40), 0);
	assert_int_equal(rtcp_parse(big, (size_t)rtcp_writer_finish(&w), &in), 0);
	assert_int_equal(in.n_nacks, RTCP_MAX_NACKS);
	assert_int_equal(in.clipped, 40 - RTCP_MAX_NACKS);
	assert_int_equal(in.nacks[31].pid, 3100);
}

static void test_rtt_and_ntp(void **state)
{
	uint32_t rtt;
	/* RFC 3550 6.4.1 worked example: A 46864.500, LSR 46853.125, DLSR 5.250 -> 6.125 s */
	assert_int_equal(rtcp_rtt_ms(0xb7108000ull << 16, 0xb7052000, 0x00054000, &rtt), 0);
	assert_int_equal(rtt, 6125);

	/* SR sent at t0, received by the peer, answered 1.5 s later, back 120 ms after t0+1.5 */
	uint64_t t0 = 1732346730123456ull;
	uint64_t sr_ntp = rtcp_ntp_from_unix_us(t0);
	uint32_t lsr = rtcp_ntp_mid(sr_ntp);
	uint32_t dlsr = rtcp_dlsr(t0 + 60000, t0 + 60000 + 1500000);
	assert_int_equal(dlsr, 98304);	/* 1.5 * 65536 */
	assert_int_equal(rtcp_rtt_ms(rtcp_ntp_from_unix_us(t0 + 1620000), lsr, dlsr, &rtt), 0);
	assert_true(rtt >= 119 && rtt <= 121);
	assert_int_equal(rtcp_rtt_ms(rtcp_ntp_from_unix_us(t0 + 1620000), 0, dlsr, &rtt),
			 -ENOENT);
	/* an answer that claims to have waited longer than the round trip */
	assert_int_equal(rtcp_rtt_ms(rtcp_ntp_from_unix_us(t0 + 1400000), lsr, dlsr, &rtt),
			 -ERANGE);
	assert_int_equal(rtcp_dlsr(t0, t0 - 5), 0);

	/* NTP conversions: epoch, sub-microsecond precision, the 2036 era wrap */
	uint64_t ntp = rtcp_ntp_from_unix_us(0);
	assert_int_equal(ntp >> 32, 2208988800u);
	assert_int_equal((uint32_t)ntp, 0);
	assert_int_equal(rtcp_ntp_from_unix_us(500000) & 0xffffffffu, 0x80000000u);
	for (uint64_t us = t0; us < t0 + 3000000; us += 123457) {
		uint64_t back = rtcp_ntp_to_unix_us(rtcp_ntp_from_unix_us(us));
		assert_true(back == us || back + 1 == us);
	}
	uint64_t y2040 = 2208988800ull * 1000000;	/* 2040-01-01 */
	assert_true((rtcp_ntp_from_unix_us(y2040) >> 32) < 0x80000000u);	/* wrapped */
	uint64_t back = rtcp_ntp_to_unix_us(rtcp_ntp_from_unix_us(y2040 + 7));
	assert_true(back == y2040 + 7 || back + 1 == y2040 + 7);
}

static void test_report_from_rtp_stats(void **state)
{
	struct rtp_stats s;
	struct rtp_stats_report r;
	rtp_stats_init(&s, 48000);
	/* 200 packets after probation, every 10th one lost */
	for (uint32_t i = 0; i < 202; i++)
		if (i < 2 || i % 10 != 5)
			rtp_stats_update(&s, (uint16_t)(65400 + i), i * 960, i * 20000ull);
	rtp_stats_get(&s, &r);
	struct rtcp_report_block rb;
	/* An SR was heard 1.5 s before this report. */
	rtcp_report_block_fill(&rb, 77, &s, 0xabcd1234, 5000000, 6500000);
	assert_int_equal(rb.ssrc, 77);
	assert_int_equal(rb.jitter, r.jitter);
	assert_int_equal(rb.lsr, 0xabcd1234);
	assert_int_equal(rb.dlsr, 65536 * 3 / 2);
	uint8_t buf[64];
	struct rtcp_writer w;
	struct rtcp_info in;
	rtcp_writer_init(&w, buf, sizeof(buf));
	rtcp_write_rr(&w, 1, &rb, 1);
	assert_int_equal(rtcp_parse(buf, (size_t)rtcp_writer_finish(&w), &in), 0);
	assert_int_equal(in.blocks[0].lost, 20);
	assert_int_equal(in.blocks[0].fraction_lost, 20 * 256 / 200);
	assert_int_equal(in.blocks[0].ext_max_seq, 65536 + (uint16_t)(65400 + 201));
	/* The interval restarted: ten more packets, none lost; no SR yet means no LSR/DLSR. */
	for (uint32_t i = 202; i < 212; i++)
		rtp_stats_update(&s, (uint16_t)(65400 + i), i * 960, i * 20000ull);
	rtcp_report_block_fill(&rb, 77, &s, 0, 0, 7000000);
	assert_int_equal(rb.fraction_lost, 0);
	assert_int_equal(rb.lost, 20);
	assert_int_equal(rb.lsr, 0);
	assert_int_equal(rb.dlsr, 0);
}

static void test_malformed(void **state)
{
	uint8_t buf[256];
	struct rtcp_writer w;
	struct rtcp_info in;
	struct rtcp_report_block rb = { .ssrc = 1 };
	struct rtcp_sender_info si = { 0 };
	uint16_t l = 3;
	rtcp_writer_init(&w, buf, sizeof(buf));
	rtcp_write_sr(&w, 1, &si, &rb, 1);
	rtcp_write_sdes_cname(&w, 1, "c");
	rtcp_write_nack(&w, 1, 2, &l, 1);
	size_t n = (size_t)rtcp_writer_finish(&w);
	size_t bounds[] = { 52, 52 + 12, n };
	/* every prefix fails except at packet boundaries */
	for (size_t cut = 0; cut <= n; cut++) {
		bool boundary = cut == bounds[0] || cut == bounds[1] || cut == bounds[2];
		assert_int_equal(rtcp_parse(buf, cut, &in), boundary ? 0 : -EINVAL);
	}
	uint8_t p[128];
	memcpy(p, buf, n);
	p[0] = 0x41;	/* version 1 */
	assert_int_equal(rtcp_parse(p, n, &in), -EINVAL);
	memcpy(p, buf, n);
	p[0] = 0x83;	/* RC 3 in a one-block SR */
	assert_int_equal(rtcp_parse(p, n, &in), -EINVAL);
	memcpy(p, buf, n);
	p[3] = 0x40;	/* length past the end */
	assert_int_equal(rtcp_parse(p, n, &in), -EINVAL);
	memcpy(p, buf, n);
	p[0] |= 0x20;	/* padding on the first packet of the compound */
	assert_int_equal(rtcp_parse(p, n, &in), -EINVAL);

	/* padding on the last packet: a 12-byte RR whose last word is padding */
	uint8_t pad[] = { 0xa0, 201, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4 };
	assert_int_equal(rtcp_parse(pad, sizeof(pad), &in), 0);
	assert_int_equal(in.rr_ssrc, 1);
	pad[11] = 0;	/* count 0 */
	assert_int_equal(rtcp_parse(pad, sizeof(pad), &in), -EINVAL);
	pad[11] = 9;	/* more than the body */
	assert_int_equal(rtcp_parse(pad, sizeof(pad), &in), -EINVAL);
	pad[11] = 8;	/* leaves no room for the SSRC */
	assert_int_equal(rtcp_parse(pad, sizeof(pad), &in), -EINVAL);

	static const uint8_t sdes_long[] = { 0x81, 202, 0, 2, 0, 0, 0, 1, 1, 9, 'a', 0 };
	assert_int_equal(rtcp_parse(sdes_long, sizeof(sdes_long), &in), -EINVAL);
	static const uint8_t sdes_noend[] = { 0x81, 202, 0, 2, 0, 0, 0, 1, 1, 2, 'a', 'b' };
	assert_int_equal(rtcp_parse(sdes_noend, sizeof(sdes_noend), &in), -EINVAL);
	static const uint8_t sdes_ok[] = { 0x81, 202, 0, 2, 0, 0, 0, 1, 1, 1, 'a', 0 };
	assert_int_equal(rtcp_parse(sdes_ok, sizeof(sdes_ok), &in), 0);
	assert_string_equal(in.cnames[0].cname, "a");
	static const uint8_t sdes_nul[] = { 0x81, 202, 0, 3, 0, 0, 0, 1, 1, 2, 'a', 0,
					    1, 1, 'b', 0 };
	assert_int_equal(rtcp_parse(sdes_nul, sizeof(sdes_nul), &in), 0);
	assert_int_equal(in.n_cnames, 1);	/* the item holding a NUL is skipped */
	assert_string_equal(in.cnames[0].cname, "b");
	static const uint8_t bye_long[] = { 0x81, 203, 0, 2, 0, 0, 0, 1, 5, 'a', 'b', 'c' };
	assert_int_equal(rtcp_parse(bye_long, sizeof(bye_long), &in), -EINVAL);
	static const uint8_t bye_short[] = { 0x82, 203, 0, 1, 0, 0, 0, 1 };
	assert_int_equal(rtcp_parse(bye_short, sizeof(bye_short), &in), -EINVAL);
	static const uint8_t nack_empty[] = { 0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2 };
	assert_int_equal(rtcp_parse(nack_empty, sizeof(nack_empty), &in), -EINVAL);
	static const uint8_t fir_short[] = { 0x84, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0,
					     0, 0, 0, 2 };
	assert_int_equal(rtcp_parse(fir_short, sizeof(fir_short), &in), -EINVAL);
	static const uint8_t pli_short[] = { 0x81, 206, 0, 1, 0, 0, 0, 1 };
	assert_int_equal(rtcp_parse(pli_short, sizeof(pli_short), &in), -EINVAL);
	static const uint8_t remb[] = { 0x8f, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0,
					'R', 'E', 'M', 'B', 1, 0, 0, 0 };
	assert_int_equal(rtcp_parse(remb, sizeof(remb), &in), 0);
	assert_int_equal(in.n_other, 1);
	assert_int_equal(rtcp_parse(buf, 0, &in), -EINVAL);

	/* the writer never passes its capacity */
	for (size_t cap = 0; cap < 52; cap++) {
		uint8_t b[64];
		memset(b, 0xee, sizeof(b));
		rtcp_writer_init(&w, b, cap);
		assert_int_equal(rtcp_write_sr(&w, 1, &si, &rb, 1), -ENOSPC);
		for (size_t i = cap; i < sizeof(b); i++)
			assert_int_equal(b[i], 0xee);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sr_sdes_round_trip),
		cmocka_unit_test(test_rr_exact_bytes),
		cmocka_unit_test(test_bye_pli_fir),
		cmocka_unit_test(test_nack),
		cmocka_unit_test(test_rtt_and_ntp),
		cmocka_unit_test(test_report_from_rtp_stats),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
