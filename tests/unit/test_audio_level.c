/* Unit tests for audio/level: dBov of known signals (full-scale square and sine, a -20 dBov
 * tone, silence), the RFC 6464 mapping, the meter's attack, fall and peak hold, and the VAD's
 * attack, hysteresis and hangover. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "audio/level.h"

#define N 960

static void sine(int16_t *x, double amp)
{
	int i;

	for (i = 0; i < N; i++)
		x[i] = (int16_t)lrint(amp * sin(2 * M_PI * 1000.0 * i / 48000.0));
}

static void test_dbov_known_signals(void **state)
{
	int16_t x[N] = { 0 };
	int i;

	assert_true(level_dbov(x, N) == LEVEL_MIN_DBOV);
	assert_int_equal(level_rfc6464(level_dbov(x, N)), 127);
	for (i = 0; i < N; i++)
		x[i] = i % 2 ? 32767 : -32768;
	assert_true(fabs(level_dbov(x, N)) < 0.01);
	assert_int_equal(level_rfc6464(level_dbov(x, N)), 0);
	sine(x, 32767.0);
	assert_true(fabs(level_dbov(x, N) + 3.01) < 0.05);
	/* RMS 3277 = 0.1 of full scale: -20 dBov. */
	sine(x, 3277.0 * sqrt(2.0));
	assert_true(fabs(level_dbov(x, N) + 20.0) < 0.05);
	assert_int_equal(level_rfc6464(level_dbov(x, N)), 20);
	/* One LSB of noise is about -90 dBov. */
	for (i = 0; i < N; i++)
		x[i] = i % 2 ? 1 : -1;
	assert_true(fabs(level_dbov(x, N) + 90.3) < 0.1);
	assert_true(level_dbov(x, 0) == LEVEL_MIN_DBOV);
}

static void test_rfc6464_clamps(void **state)
{
	assert_int_equal(level_rfc6464(3.0f), 0);
	assert_int_equal(level_rfc6464(-0.4f), 0);
	assert_int_equal(level_rfc6464(-126.6f), 127);
	assert_int_equal(level_rfc6464(-300.0f), 127);
	assert_int_equal(level_rfc6464(-45.2f), 45);
	assert_int_equal(level_rfc6464(NAN), 127);
}

static void test_meter(void **state)
{
	struct level_meter m;
	float v;
	int i;

	level_meter_init(&m);
	assert_true(level_meter_value(&m) == 0.0f);
	level_meter_update(&m, -30.0f, 20);
	assert_true(fabsf(level_meter_value(&m) - 0.5f) < 0.001f);
	assert_true(fabsf(level_meter_peak(&m) - 0.5f) < 0.001f);
	/* Floor and full scale. */
	level_meter_update(&m, 0.0f, 20);
	assert_true(level_meter_value(&m) == 1.0f);
	/* Silence: the value falls at once but not instantly, the peak holds for a second. */
	level_meter_update(&m, LEVEL_MIN_DBOV, 20);
	v = level_meter_value(&m);
	assert_true(v < 1.0f && v > 0.9f);
	for (i = 0; i < 40; i++)	/* 800 ms */
		level_meter_update(&m, LEVEL_MIN_DBOV, 20);
	assert_true(level_meter_value(&m) < 0.5f);
	assert_true(level_meter_peak(&m) == 1.0f);
	for (i = 0; i < 20; i++)	/* 1.2 s: hold over, falling */
		level_meter_update(&m, LEVEL_MIN_DBOV, 20);
	assert_true(level_meter_peak(&m) < 1.0f);
	assert_true(level_meter_peak(&m) > 0.8f);
	for (i = 0; i < 150; i++)
		level_meter_update(&m, LEVEL_MIN_DBOV, 20);
	assert_true(level_meter_value(&m) == 0.0f);
	assert_true(level_meter_peak(&m) == 0.0f);
	assert_true(level_meter_peak(&m) >= level_meter_value(&m));
}

static void test_vad(void **state)
{
	struct level_vad v;
	int i;

	level_vad_init(&v, -45.0f);
	assert_false(level_vad_update(&v, -80.0f, 20));
	/* One loud frame (a click) is not speech; two in a row are. */
	assert_false(level_vad_update(&v, -20.0f, 20));
	assert_false(level_vad_update(&v, -80.0f, 20));
	assert_false(level_vad_update(&v, -20.0f, 20));
	assert_true(level_vad_update(&v, -20.0f, 20));
	/* Between the thresholds it stays on indefinitely. */
	for (i = 0; i < 100; i++)
		assert_true(level_vad_update(&v, -48.0f, 20));
	/* Quiet: on through the 400 ms hangover, then off. */
	for (i = 0; i < 19; i++)
		assert_true(level_vad_update(&v, -70.0f, 20));
	assert_false(level_vad_update(&v, -70.0f, 20));
	assert_false(level_vad_update(&v, -48.0f, 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dbov_known_signals),
		cmocka_unit_test(test_rfc6464_clamps),
		cmocka_unit_test(test_meter),
		cmocka_unit_test(test_vad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
