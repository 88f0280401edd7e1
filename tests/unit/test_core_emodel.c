/* Unit tests for the E-model MOS estimate (src/emodel.c): G.107 reference points, the
 * Cole–Rosenbluth delay fit, Ie,eff, monotonicity in delay and loss, clamping, Opus params. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "src/emodel.h"

#define near(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

static void test_reference_points(void **state)
{
	(void)state;
	/* No impairment: G.107's default R of 93.2 and its MOS of about 4.41. */
	struct emodel_input in = { .delay_ms = 0, .loss_pct = 0, .ie = 0, .bpl = 25.1 };
	near(emodel_r(&in), 93.2, 1e-9);
	near(emodel_mos(&in), 4.409, 0.001);
	/* Annex B at hand-computed points: 1 + 0.035R + R(R-60)(100-R)7e-6. */
	near(emodel_mos_from_r(50), 2.575, 1e-9);
	near(emodel_mos_from_r(80), 4.024, 1e-9);
	near(emodel_mos_from_r(60), 3.1, 1e-9);
	/* G.729A (Ie 11) without loss or delay: R 82.2, the familiar MOS of about 4.1. */
	in.ie = 11;
	near(emodel_r(&in), 82.2, 1e-9);
	near(emodel_mos(&in), 4.104, 0.001);
	/* Ends of the scale. */
	assert_true(emodel_mos_from_r(0) == 1.0);
	assert_true(emodel_mos_from_r(-20) == 1.0);
	assert_true(emodel_mos_from_r(100) == 4.5);
	assert_true(emodel_mos_from_r(250) == 4.5);
	assert_true(emodel_mos_from_r(NAN) == 1.0);
}

static void test_delay(void **state)
{
	(void)state;
	near(emodel_id(0), 0, 1e-12);
	near(emodel_id(100), 2.4, 1e-9);
	near(emodel_id(177.3), 0.024 * 177.3, 1e-9);
	near(emodel_id(300), 7.2 + 0.11 * 122.7, 1e-9);
	near(emodel_id(-50), 0, 1e-12);
	near(emodel_id(NAN), 0, 1e-12);
	/* Steeper past the knee. */
	assert_true(emodel_id(400) - emodel_id(300) > 4 * (emodel_id(150) - emodel_id(50)));
	/* Monotonic: more delay never gives a better score. */
	struct emodel_input in = { .ie = 0, .bpl = 25.1, .loss_pct = 1 };
	double prev = 5;
	for (double d = 0; d <= 2000; d += 10) {
		in.delay_ms = d;
		double mos = emodel_mos(&in);
		assert_true(mos <= prev);
		assert_true(mos >= 1.0 && mos <= 4.5);
		prev = mos;
	}
	/* 150 ms one way is still good (ITU-T G.114), 400 ms clearly is not. */
	in.loss_pct = 0;
	in.delay_ms = 150;
	assert_true(emodel_mos(&in) > 4.2);
	in.delay_ms = 400;
	assert_true(emodel_mos(&in) < 3.6);
}

static void test_loss(void **state)
{
	(void)state;
	/* Ie,eff = Ie + (95 - Ie) Ppl / (Ppl / BurstR + Bpl). */
	near(emodel_ie_eff(0, 25.1, 0, 1), 0, 1e-12);
	near(emodel_ie_eff(0, 25.1, 2, 1), 95.0 * 2 / 27.1, 1e-9);
	near(emodel_ie_eff(11, 19, 5, 1), 11 + 84.0 * 5 / 24, 1e-9);
	/* Bursty loss hurts more than random loss of the same rate. */
	assert_true(emodel_ie_eff(0, 25.1, 5, 2) > emodel_ie_eff(0, 25.1, 5, 1));
	/* burst_r <= 0 means random. */
	near(emodel_ie_eff(0, 25.1, 5, 0), emodel_ie_eff(0, 25.1, 5, 1), 1e-12);
	/* Loss is clamped to 0..100: total loss is the worst, never beyond. */
	near(emodel_ie_eff(0, 25.1, 150, 1), emodel_ie_eff(0, 25.1, 100, 1), 1e-12);
	near(emodel_ie_eff(0, 25.1, -3, 1), 0, 1e-12);
	/* Monotonic in loss, and a more robust codec (higher Bpl) suffers less. */
	struct emodel_input in = { .delay_ms = 80, .ie = 0, .bpl = 20 };
	double prev = 5;
	for (double l = 0; l <= 100; l += 0.5) {
		in.loss_pct = l;
		in.bpl = 20;
		double mos = emodel_mos(&in);
		assert_true(mos <= prev);
		in.bpl = 30;
		assert_true(emodel_mos(&in) >= mos);
		prev = mos;
	}
	/* 100 % loss is near the bottom of the scale (the formula keeps Ie,eff below 95). */
	in.loss_pct = 100;
	in.bpl = 20;
	near(emodel_r(&in), 93.2 - 80 * 0.024 - 95.0 * 100 / 120, 1e-9);
	assert_true(emodel_mos(&in) < 1.1);
}

static void test_mos_monotonic_in_r(void **state)
{
	(void)state;
	double prev = 0;
	for (double r = -10; r <= 110; r += 0.05) {
		double mos = emodel_mos_from_r(r);
		assert_true(mos >= prev);
		assert_true(mos >= 1.0 && mos <= 4.5);
		prev = mos;
	}
}

static void test_opus_params(void **state)
{
	(void)state;
	double ie, bpl, ie2, bpl2;
	emodel_opus_params(24000, true, &ie, &bpl);
	near(ie, 0, 1e-12);
	emodel_opus_params(64000, false, &ie2, &bpl2);
	near(ie2, 0, 1e-12);
	assert_true(bpl > bpl2); /* FEC makes loss hurt less */
	emodel_opus_params(8000, true, &ie, &bpl);
	near(ie, 11, 1e-12);
	emodel_opus_params(6000, true, &ie, &bpl);
	near(ie, 11, 1e-12);
	emodel_opus_params(16000, true, &ie, &bpl);
	near(ie, 5.5, 1e-12);
	double last = 100;
	for (int b = 6000; b <= 48000; b += 1000) {
		emodel_opus_params(b, true, &ie, &bpl);
		assert_true(ie <= last);
		last = ie;
	}
	/* At ttymeet's defaults on a good LAN the estimate is near the top of the scale. */
	emodel_opus_params(24000, true, &ie, &bpl);
	struct emodel_input in = { .delay_ms = emodel_conference_delay_ms(2, 40), .ie = ie,
				   .bpl = bpl, .loss_pct = 0 };
	assert_true(emodel_mos(&in) > 4.3);
	/* 3 % loss costs noticeably more without FEC than with it. */
	in.loss_pct = 3;
	double with_fec = emodel_mos(&in);
	emodel_opus_params(24000, false, &ie, &bpl);
	in.bpl = bpl;
	assert_true(emodel_mos(&in) < with_fec - 0.1);
}

static void test_conference_delay(void **state)
{
	(void)state;
	double base = EMODEL_MIXER_DELAY_MS + EMODEL_OPUS_CODEC_DELAY_MS;
	near(emodel_conference_delay_ms(0, 0), base, 1e-12);
	near(emodel_conference_delay_ms(-1, 0), base, 1e-12); /* unknown RTT */
	near(emodel_conference_delay_ms(NAN, NAN), base, 1e-12);
	near(emodel_conference_delay_ms(100, 60), base + 160, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_points),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_mos_monotonic_in_r),
		cmocka_unit_test(test_opus_params),
		cmocka_unit_test(test_conference_delay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
