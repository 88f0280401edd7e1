/* Unit tests for audio/resample: a sine keeps frequency, amplitude and time alignment across
 * many rate pairs (both exact and interpolated filter tables), out-of-band tones are
 * suppressed (aliasing when going down, images when going up), chunked processing equals
 * one-shot processing sample for sample, drain and error paths, and the channel downmix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/resample.h"

/* Amplitude of frequency f in x (Blackman-Harris windowed Goertzel, so a strong tone far
 * away does not leak into the measurement). */
static double goertzel(const int16_t *x, size_t n, double f, double rate)
{
	double w = 2.0 * M_PI * f / rate, c = 2.0 * cos(w), s1 = 0.0, s2 = 0.0, wsum = 0.0;
	size_t i;

	for (i = 0; i < n; i++) {
		double t = 2.0 * M_PI * i / (n - 1);
		double win = 0.35875 - 0.48829 * cos(t) + 0.14128 * cos(2 * t) -
			     0.01168 * cos(3 * t);
		double s0 = x[i] * win + c * s1 - s2;

		wsum += win;
		s2 = s1;
		s1 = s0;
	}
	return 2.0 * sqrt(fabs(s1 * s1 + s2 * s2 - c * s1 * s2)) / wsum;
}

static int16_t *make_sine(size_t n, double f, double rate, double amp)
{
	int16_t *x = malloc(n * sizeof(*x));
	size_t i;

	for (i = 0; i < n; i++)
		x[i] = (int16_t)lrint(amp * sin(2.0 * M_PI * f * i / rate));
	return x;
}

/* Resamples x in one call; returns the output (caller frees) and its length. */
static int16_t *run(unsigned in_rate, unsigned out_rate, const int16_t *x, size_t n,
		    size_t *out_n)
{
	struct resample *r;
	size_t cap;
	int16_t *y;
	long got;

	assert_int_equal(resample_create(&r, in_rate, out_rate), 0);
	cap = resample_max_out(r, n);
	y = malloc(cap * sizeof(*y));
	got = resample_process(r, x, n, y, cap);
	assert_true(got >= 0);
	*out_n = (size_t)got;
	resample_destroy(r);
	return y;
}

/* Converts a sine and compares the output with the ideal sine at the new rate, sample by
 * sample, away from the edges: frequency, amplitude and alignment all have to be right. */
static void check_sine(unsigned in_rate, unsigned out_rate, double f)
{
	const double amp = 12000.0;
	size_t n = in_rate / 2, m, k, edge = out_rate / 50;
	int16_t *x = make_sine(n, f, in_rate, amp), *y;
	double max_err = 0.0, expect_len = (double)n * out_rate / in_rate;
	double a;

	y = run(in_rate, out_rate, x, n, &m);
	/* Output lags by half a filter length at most (held back until drained). */
	assert_true(m <= expect_len + 1);
	assert_true(m >= expect_len - 0.01 * out_rate);
	for (k = edge; k + edge < m; k++) {
		double ideal = amp * sin(2.0 * M_PI * f * k / out_rate);
		double e = fabs(y[k] - ideal);

		if (e > max_err)
			max_err = e;
	}
	if (max_err > 2.5)
		fail_msg("%u -> %u Hz, %.0f Hz sine: max error %.2f", in_rate, out_rate, f,
			 max_err);
	a = goertzel(y + edge, m - 2 * edge, f, out_rate);
	assert_true(fabs(20.0 * log10(a / amp)) < 0.05);
	/* The measured peak is at f, not beside it. */
	assert_true(goertzel(y + edge, m - 2 * edge, f * 1.02, out_rate) < a * 0.01);
	free(x);
	free(y);
}

static void test_sine_to_48k(void **state)
{
	static const unsigned rates[] = { 8000, 11025, 16000, 22050, 24000, 32000, 44100,
					  88200, 96000, 176400, 192000 };
	size_t i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		check_sine(rates[i], 48000, 1000.0);
		check_sine(rates[i], 48000, 0.3 * rates[i] < 20000 ? 0.3 * rates[i] : 15000);
	}
}

static void test_sine_from_48k(void **state)
{
	check_sine(48000, 8000, 440.0);
	check_sine(48000, 16000, 3000.0);
	check_sine(48000, 44100, 1000.0);
	check_sine(48000, 44100, 15000.0);
	check_sine(48000, 96000, 1000.0);
}

static void test_sine_odd_rates(void **state)
{
	/* gcd 1 with 48000: the interpolated table. */
	check_sine(44099, 48000, 1000.0);
	check_sine(48000, 44101, 2500.0);
	check_sine(8001, 48000, 700.0);
}

static void test_aliasing_suppressed(void **state)
{
	size_t n = 96000 / 2, m;
	int16_t *x = make_sine(n, 30000.0, 96000, 16000.0), *y;

	/* 30 kHz at 96 kHz would fold to 18 kHz at 48 kHz. */
	y = run(96000, 48000, x, n, &m);
	assert_true(goertzel(y + 960, m - 1920, 18000.0, 48000) < 16000.0 * 1e-4);
	free(x);
	free(y);

	/* 7 kHz at 44.1 kHz would fold to 1 kHz at 8 kHz. */
	n = 44100 / 2;
	x = make_sine(n, 7000.0, 44100, 16000.0);
	y = run(44100, 8000, x, n, &m);
	assert_true(goertzel(y + 160, m - 320, 1000.0, 8000) < 16000.0 * 1e-4);
	free(x);
	free(y);
}

static void test_images_suppressed(void **state)
{
	size_t n = 4000, m;
	int16_t *x = make_sine(n, 3000.0, 8000, 16000.0), *y;
	double a;

	y = run(8000, 48000, x, n, &m);
	a = goertzel(y + 960, m - 1920, 3000.0, 48000);
	assert_true(fabs(a - 16000.0) < 16000.0 * 0.01);
	assert_true(goertzel(y + 960, m - 1920, 5000.0, 48000) < a * 1e-4);
	assert_true(goertzel(y + 960, m - 1920, 11000.0, 48000) < a * 1e-4);
	assert_true(goertzel(y + 960, m - 1920, 13000.0, 48000) < a * 1e-4);
	free(x);
	free(y);
}

static void check_chunked(unsigned in_rate, unsigned out_rate)
{
	struct resample *r;
	size_t n = in_rate, m, pos = 0, total = 0, i;
	int16_t *x = malloc(n * sizeof(*x)), *one, *y;
	uint32_t seed = in_rate ^ out_rate;

	/* A rich signal: noise plus a sweep. */
	for (i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		x[i] = (int16_t)(((int32_t)(seed >> 16) - 32768) / 4 +
				 8000 * sin(2.0 * M_PI * (100.0 + i * 0.2) * i / in_rate));
	}
	one = run(in_rate, out_rate, x, n, &m);
	assert_int_equal(resample_create(&r, in_rate, out_rate), 0);
	y = malloc((m + 16) * sizeof(*y));
	while (pos < n) {
		size_t c, cap;
		long got;

		seed = seed * 1664525u + 1013904223u;
		c = 1 + (seed >> 16) % 2000;
		if (c > n - pos)
			c = n - pos;
		cap = resample_max_out(r, c);
		assert_true(total + cap <= m + 16);
		got = resample_process(r, x + pos, c, y + total, cap);
		assert_true(got >= 0);
		pos += c;
		total += (size_t)got;
	}
	assert_int_equal(total, m);
	for (i = 0; i < m; i++)
		if (y[i] != one[i])
			fail_msg("%u -> %u: chunked output differs at %zu", in_rate, out_rate, i);
	resample_destroy(r);
	free(x);
	free(y);
	free(one);
}

static void test_chunked_equals_oneshot(void **state)
{
	check_chunked(44100, 48000);
	check_chunked(48000, 44100);
	check_chunked(8000, 48000);
	check_chunked(192000, 48000);
	check_chunked(44099, 48000);
	check_chunked(48000, 48000);
}

static void test_drain_and_reset(void **state)
{
	struct resample *r;
	int16_t x[441], y[2000];
	long a, b, c;
	size_t i;

	for (i = 0; i < 441; i++)
		x[i] = 1000;
	assert_int_equal(resample_create(&r, 44100, 48000), 0);
	assert_true(resample_drain_len(r) > 0);
	a = resample_process(r, x, 441, y, sizeof(y) / 2);
	b = resample_drain(r, y + a, sizeof(y) / 2 - (size_t)a);
	/* 10 ms in, 10 ms (480 samples) out, give or take the last fraction of a sample. */
	assert_true(a + b >= 479 && a + b <= 482);
	/* DC passes at unit gain once the filter has settled. */
	assert_true(abs(y[200] - 1000) <= 1);
	resample_reset(r);
	c = resample_process(r, x, 441, y, sizeof(y) / 2);
	assert_int_equal(c, a);
	assert_int_equal(resample_process(r, x, 441, y, 10), -ENOSPC);
	resample_destroy(r);
	resample_destroy(NULL);

	assert_int_equal(resample_create(&r, 7999, 48000), -EINVAL);
	assert_int_equal(resample_create(&r, 48000, 192001), -EINVAL);
}

static void test_downmix(void **state)
{
	int16_t st[8] = { 100, 300, -100, -301, 32767, 32767, -32768, -32768 };
	int16_t six[12] = { 6, 6, 6, 6, 6, 6, 1, 2, 3, 4, 5, 6 };
	int16_t out[4];

	resample_downmix(st, 4, 2, out);
	assert_int_equal(out[0], 200);
	assert_int_equal(out[1], -201);
	assert_int_equal(out[2], 32767);
	assert_int_equal(out[3], -32768);
	resample_downmix(six, 2, 6, six);	/* in place */
	assert_int_equal(six[0], 6);
	assert_int_equal(six[1], 4);	/* 21 / 6 = 3.5, rounded away from zero */
	resample_downmix(st, 2, 1, out);
	assert_int_equal(out[1], 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sine_to_48k),
		cmocka_unit_test(test_sine_from_48k),
		cmocka_unit_test(test_sine_odd_rates),
		cmocka_unit_test(test_aliasing_suppressed),
		cmocka_unit_test(test_images_suppressed),
		cmocka_unit_test(test_chunked_equals_oneshot),
		cmocka_unit_test(test_drain_and_reset),
		cmocka_unit_test(test_downmix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
