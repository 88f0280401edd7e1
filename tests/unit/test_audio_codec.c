/* Unit tests for audio/codec: a tone survives encode/decode with its frequency and energy,
 * the bitrate setting is honoured, silence turns into DTX packets, concealment produces
 * sound, and FEC rebuilds lost frames of a voice-like signal closer to the loss-free decode
 * than concealment does (and is not sent while no loss is expected), and the expected loss
 * follows the far end's reports; SDP maxplaybackrate caps the coded band. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>

#include "audio/codec.h"

#define FRAMES 100	/* 2 s */

static double goertzel(const int16_t *x, size_t n, double f)
{
	double w = 2.0 * M_PI * f / CODEC_RATE, c = 2.0 * cos(w), s1 = 0, s2 = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return 2.0 * sqrt(fabs(s1 * s1 + s2 * s2 - c * s1 * s2)) / n;
}

static double energy(const int16_t *x, size_t n)
{
	double e = 0;
	size_t i;

	for (i = 0; i < n; i++)
		e += (double)x[i] * x[i];
	return e;
}

/* Voiced, speech-like: a harmonic series on a wandering pitch, in syllables. */
static void make_voice(int16_t *x, size_t n)
{
	double phase = 0.0;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		double t = (double)i / CODEC_RATE, f0 = 140.0 + 40.0 * sin(2 * M_PI * 2.7 * t);
		double env = 0.3 + 0.7 * fabs(sin(2 * M_PI * 2.0 * t)), v = 0.0;

		phase += 2 * M_PI * f0 / CODEC_RATE;
		for (k = 1; k <= 20; k++)
			v += sin(k * phase + k) / k;
		x[i] = (int16_t)lrint(5000.0 * env * v);
	}
}

static void test_tone_round_trip(void **state)
{
	static int16_t in[FRAMES * CODEC_FRAME], out[FRAMES * CODEC_FRAME];
	struct codec_enc *e;
	struct codec_dec *d;
	uint8_t pkt[CODEC_MAX_PACKET];
	size_t bytes = 0, i, skip, n;
	double a_in, a_out, best = 0.0, best_f = 0.0, f;
	int f_i;

	for (i = 0; i < FRAMES * CODEC_FRAME; i++)
		in[i] = (int16_t)lrint(8000.0 * sin(2 * M_PI * 440.0 * i / CODEC_RATE));
	assert_int_equal(codec_enc_create(&e, NULL), 0);
	assert_int_equal(codec_dec_create(&d), 0);
	for (i = 0; i < FRAMES; i++) {
		int len = codec_enc_encode(e, in + i * CODEC_FRAME, pkt, sizeof(pkt));

		assert_true(len > 2);
		bytes += (size_t)len;
		assert_int_equal(codec_dec_decode(d, pkt, (size_t)len, out + i * CODEC_FRAME),
				 CODEC_FRAME);
	}
	/* About 24 kbit/s = 60 bytes per 20 ms packet (VBR, so loosely). */
	assert_true(bytes / FRAMES >= 30 && bytes / FRAMES <= 90);
	/* Compare after the start-up and the codec delay. */
	skip = 10 * CODEC_FRAME;
	n = (FRAMES - 20) * CODEC_FRAME;
	a_in = goertzel(in + skip, n, 440.0);
	a_out = goertzel(out + skip + (size_t)codec_enc_lookahead(e), n, 440.0);
	assert_true(fabs(20.0 * log10(a_out / a_in)) < 1.0);
	for (f_i = 0; f_i <= 80; f_i++) {
		double a;

		f = 400.0 + f_i;
		a = goertzel(out + skip, n, f);
		if (a > best) {
			best = a;
			best_f = f;
		}
	}
	assert_true(fabs(best_f - 440.0) <= 1.0);
	/* Energy within 1.5 dB overall. */
	assert_true(fabs(10.0 * log10(energy(out + skip, n) / energy(in + skip, n))) < 1.5);
	codec_enc_destroy(e);
	codec_dec_destroy(d);
}

static void test_bitrate_setting(void **state)
{
	static int16_t in[FRAMES * CODEC_FRAME];
	struct codec_enc_config cfg;
	struct codec_enc *lo, *hi;
	uint8_t pkt[CODEC_MAX_PACKET];
	size_t blo = 0, bhi = 0, i;

	make_voice(in, FRAMES * CODEC_FRAME);
	codec_enc_config_default(&cfg);
	assert_int_equal(cfg.bitrate, 24000);
	assert_int_equal(cfg.complexity, 10);
	assert_true(cfg.fec && cfg.dtx);
	cfg.bitrate = 12000;
	assert_int_equal(codec_enc_create(&lo, &cfg), 0);
	cfg.bitrate = 64000;
	assert_int_equal(codec_enc_create(&hi, &cfg), 0);
	for (i = 0; i < FRAMES; i++) {
		blo += (size_t)codec_enc_encode(lo, in + i * CODEC_FRAME, pkt, sizeof(pkt));
		bhi += (size_t)codec_enc_encode(hi, in + i * CODEC_FRAME, pkt, sizeof(pkt));
	}
	assert_true(bhi > 3 * blo);
	assert_int_equal(codec_enc_set_bitrate(lo, 100), -EINVAL);
	assert_int_equal(codec_enc_set_bitrate(lo, 32000), 0);
	assert_int_equal(codec_enc_set_loss(lo, 101), -EINVAL);
	assert_int_equal(codec_enc_set_loss(lo, 5), 0);
	codec_enc_destroy(lo);
	codec_enc_destroy(hi);
	cfg.complexity = 11;
	assert_int_equal(codec_enc_create(&lo, &cfg), -EINVAL);
	codec_enc_destroy(NULL);
	codec_dec_destroy(NULL);
}

/* Widest audio band in the packets of a voice-like signal with broadband noise (so a
 * fullband encoder has something to code above 8 kHz). */
static int widest_band(uint32_t max_playback_hz)
{
	static int16_t in[FRAMES * CODEC_FRAME];
	uint8_t pkt[CODEC_MAX_PACKET];
	struct codec_enc *e;
	int widest = 0;
	unsigned seed = 1;

	make_voice(in, FRAMES * CODEC_FRAME);
	for (size_t i = 0; i < FRAMES * CODEC_FRAME; i++) {
		seed = seed * 1103515245u + 12345u;
		in[i] = (int16_t)(in[i] / 2 + (int)((seed >> 16) % 4001) - 2000);
	}
	assert_int_equal(codec_enc_create(&e, NULL), 0);
	assert_int_equal(codec_enc_set_max_playback(e, max_playback_hz), 0);
	for (int i = 0; i < FRAMES; i++) {
		int len = codec_enc_encode(e, in + i * CODEC_FRAME, pkt, sizeof(pkt));
		assert_true(len > 0);
		if (len > 2) {
			int bw = opus_packet_get_bandwidth(pkt);
			if (bw > widest)
				widest = bw;
		}
	}
	codec_enc_destroy(e);
	return widest;
}

/* SDP maxplaybackrate (RFC 7587) caps the band the encoder codes. */
static void test_max_playback_rate(void **state)
{
	assert_int_equal(widest_band(0), OPUS_BANDWIDTH_FULLBAND);
	assert_int_equal(widest_band(48000), OPUS_BANDWIDTH_FULLBAND);
	assert_true(widest_band(16000) <= OPUS_BANDWIDTH_WIDEBAND);
	assert_true(widest_band(8000) == OPUS_BANDWIDTH_NARROWBAND);
}

static void test_dtx_on_silence(void **state)
{
	static const int16_t silence[CODEC_FRAME];
	struct codec_enc *e;
	uint8_t pkt[CODEC_MAX_PACKET];
	int i, dtx = 0, len;

	assert_int_equal(codec_enc_create(&e, NULL), 0);
	for (i = 0; i < 50; i++) {
		len = codec_enc_encode(e, silence, pkt, sizeof(pkt));
		assert_true(len > 0);
		dtx += codec_is_dtx(len);
	}
	assert_true(dtx > 30);
	assert_false(codec_is_dtx(40));
	assert_false(codec_is_dtx(-1));
	codec_enc_destroy(e);
}

static void test_plc_not_empty(void **state)
{
	static int16_t in[20 * CODEC_FRAME];
	int16_t out[CODEC_FRAME];
	struct codec_enc *e;
	struct codec_dec *d;
	uint8_t pkt[CODEC_MAX_PACKET];
	int i, len;

	make_voice(in, 20 * CODEC_FRAME);
	assert_int_equal(codec_enc_create(&e, NULL), 0);
	assert_int_equal(codec_dec_create(&d), 0);
	for (i = 0; i < 20; i++) {
		len = codec_enc_encode(e, in + i * CODEC_FRAME, pkt, sizeof(pkt));
		assert_int_equal(codec_dec_decode(d, pkt, (size_t)len, out), CODEC_FRAME);
	}
	memset(out, 0, sizeof(out));
	assert_int_equal(codec_dec_plc(d, out), CODEC_FRAME);
	assert_true(sqrt(energy(out, CODEC_FRAME) / CODEC_FRAME) > 100.0);
	/* Garbage and oversized packets are refused without harming the decoder. */
	memset(pkt, 0xff, 8);
	pkt[0] = 0xfb;	/* CELT 20 ms, code 3 (arbitrary frame count) */
	assert_true(codec_dec_decode(d, pkt, 8, out) < 0);
	assert_int_equal(codec_dec_decode(d, NULL, 0, out), -EBADMSG);
	pkt[0] = 0x18 | 0x02;	/* SILK 60 ms */
	assert_int_equal(codec_dec_decode(d, pkt, 8, out), -EMSGSIZE);
	assert_int_equal(codec_dec_plc(d, out), CODEC_FRAME);
	codec_enc_destroy(e);
	codec_dec_destroy(d);
}

/* Encodes a voice-like signal expecting loss_pct, then loses every 7th frame: one decoder
 * rebuilds it from the next packet's FEC data, another conceals. Returns the squared errors
 * against the loss-free decode. */
static void fec_vs_plc(int loss_pct, double *err_fec_out, double *err_plc_out)
{
	static int16_t in[FRAMES * CODEC_FRAME], ref[FRAMES * CODEC_FRAME];
	static int16_t fec[FRAMES * CODEC_FRAME], plc[FRAMES * CODEC_FRAME];
	static uint8_t pkts[FRAMES][CODEC_MAX_PACKET];
	int lens[FRAMES];
	struct codec_enc_config cfg;
	struct codec_enc *e;
	struct codec_dec *dr, *df, *dp;
	double err_fec = 0.0, err_plc = 0.0;
	int i, lost = 0;

	make_voice(in, FRAMES * CODEC_FRAME);
	codec_enc_config_default(&cfg);
	cfg.loss_pct = loss_pct;
	assert_int_equal(codec_enc_create(&e, &cfg), 0);
	for (i = 0; i < FRAMES; i++) {
		lens[i] = codec_enc_encode(e, in + i * CODEC_FRAME, pkts[i], CODEC_MAX_PACKET);
		assert_true(lens[i] > 0);
	}
	assert_int_equal(codec_dec_create(&dr), 0);
	assert_int_equal(codec_dec_create(&df), 0);
	assert_int_equal(codec_dec_create(&dp), 0);
	for (i = 0; i < FRAMES; i++) {
		int16_t *r = ref + i * CODEC_FRAME, *f = fec + i * CODEC_FRAME;
		int16_t *p = plc + i * CODEC_FRAME;
		size_t k;

		assert_int_equal(codec_dec_decode(dr, pkts[i], (size_t)lens[i], r), CODEC_FRAME);
		if (i >= 10 && i % 7 == 3 && i + 1 < FRAMES) {
			/* Frame i is lost: one decoder rebuilds it from packet i + 1, the other
			 * conceals. */
			assert_int_equal(codec_dec_fec(df, pkts[i + 1], (size_t)lens[i + 1], f),
					 CODEC_FRAME);
			assert_int_equal(codec_dec_plc(dp, p), CODEC_FRAME);
			for (k = 0; k < CODEC_FRAME; k++) {
				err_fec += ((double)f[k] - r[k]) * ((double)f[k] - r[k]);
				err_plc += ((double)p[k] - r[k]) * ((double)p[k] - r[k]);
			}
			lost++;
		} else {
			assert_int_equal(codec_dec_decode(df, pkts[i], (size_t)lens[i], f),
					 CODEC_FRAME);
			assert_int_equal(codec_dec_decode(dp, pkts[i], (size_t)lens[i], p),
					 CODEC_FRAME);
		}
	}
	assert_true(lost >= 10);
	*err_fec_out = err_fec;
	*err_plc_out = err_plc;
	codec_enc_destroy(e);
	codec_dec_destroy(dr);
	codec_dec_destroy(df);
	codec_dec_destroy(dp);
}

static void test_fec_beats_plc(void **state)
{
	double err_fec, err_plc;

	fec_vs_plc(20, &err_fec, &err_plc);
	if (!(err_fec < 0.5 * err_plc))
		fail_msg("FEC error %.3g not clearly below PLC error %.3g", err_fec, err_plc);
	/* Expecting no loss (the default, until the far end reports some) the encoder sends no
	 * FEC data: rebuilding a lost frame is no better than concealing it. */
	struct codec_enc_config cfg;
	codec_enc_config_default(&cfg);
	assert_int_equal(cfg.loss_pct, 0);
	fec_vs_plc(0, &err_fec, &err_plc);
	if (!(err_fec > 0.8 * err_plc))
		fail_msg("no FEC expected at 0 %% loss, yet error %.3g vs PLC %.3g", err_fec,
			 err_plc);
}

static void test_loss_ctl(void **state)
{
	struct codec_loss_ctl c;
	int i, prev, off_after = -1;

	codec_loss_ctl_init(&c);
	assert_int_equal(c.pct, 0);
	/* Clean reports, and a trace of loss below the threshold: no FEC. */
	for (i = 0; i < 5; i++)
		assert_int_equal(codec_loss_ctl_report(&c, 0, 50), 0);
	assert_int_equal(codec_loss_ctl_report(&c, 0.4, 50), 0);
	/* The first report with loss turns FEC on at once, sized for it. */
	assert_int_equal(codec_loss_ctl_report(&c, 3.1, 50), 4);
	assert_int_equal(codec_loss_ctl_report(&c, 12.0, 50), 12);
	/* Falls slowly and never rises on clean reports; off below 0.5 %, not before 1 %. */
	prev = 12;
	for (i = 1; i <= 40; i++) {
		int p = codec_loss_ctl_report(&c, 0, 50);
		assert_true(p <= prev);
		if (p == 0 && off_after < 0)
			off_after = i;
		if (p > 0)
			assert_true(c.level >= 0.5);
		prev = p;
	}
	assert_int_equal(off_after, 31); /* 12 * 0.9^n < 0.5 from n = 31: about half a minute */
	/* Between the thresholds it stays where it is: off stays off, on stays on. */
	assert_int_equal(codec_loss_ctl_report(&c, 0.8, 50), 0);
	assert_int_equal(codec_loss_ctl_report(&c, 1.0, 50), 1);
	assert_int_equal(codec_loss_ctl_report(&c, 0.6, 50), 1);
	/* Nonsense is clamped. */
	assert_int_equal(codec_loss_ctl_report(&c, 1e9, 50), 50);
	assert_int_equal(codec_loss_ctl_report(&c, NAN, 50), 50); /* as 0: 100 falls to 90 */
	assert_true(fabs(c.level - 90) < 1e-9);
	codec_loss_ctl_init(&c);
	assert_int_equal(codec_loss_ctl_report(&c, -5, 50), 0);
}

/* A report about few packets counts in proportion (full from CODEC_LOSS_FULL_PACKETS): one
 * packet lost out of the 4 sent during a pause in speech is not 25 % loss. */
static void test_loss_ctl_small_reports(void **state)
{
	struct codec_loss_ctl c;

	codec_loss_ctl_init(&c);
	assert_int_equal(codec_loss_ctl_report(&c, 5.0, 50), 5); /* a second of speech */
	assert_int_equal(codec_loss_ctl_report(&c, 25.0, 4), 7); /* 5 + 4/50 * 20 = 6.6 */
	assert_true(fabs(c.level - 6.6) < 1e-9);
	assert_int_equal(codec_loss_ctl_report(&c, 40.0, 0), 7); /* about nothing: no change */
	assert_true(fabs(c.level - 6.6) < 1e-9);
	assert_int_equal(codec_loss_ctl_report(&c, 0.0, 5), 7); /* falls 5/50 of a tenth */
	assert_true(fabs(c.level - 6.6 * (1 - 0.01)) < 1e-9);
	assert_int_equal(codec_loss_ctl_report(&c, 12.0, 500), 12); /* more than full: full */
	/* From off, a lost packet of 4 does not turn FEC on (1 % needed); a second's worth does. */
	codec_loss_ctl_init(&c);
	assert_int_equal(codec_loss_ctl_report(&c, 25.0, 1), 0);
	assert_int_equal(codec_loss_ctl_report(&c, 3.1, 50), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tone_round_trip),
		cmocka_unit_test(test_bitrate_setting),
		cmocka_unit_test(test_dtx_on_silence),
		cmocka_unit_test(test_plc_not_empty),
		cmocka_unit_test(test_fec_beats_plc),
		cmocka_unit_test(test_loss_ctl),
		cmocka_unit_test(test_loss_ctl_small_reports),
		cmocka_unit_test(test_max_playback_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
