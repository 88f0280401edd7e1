/* Unit tests for audio/mix: one stream at a normal level passes unchanged; five loud tones
 * summed stay bounded with no clipped samples and no step at the frame seams larger than the
 * tones' own, and each tone is still in the output; fade ramps start and end where they say;
 * the gain recovers after the loud part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/mix.h"

#define N 960
#define FRAMES 50

static void tone(int16_t *x, double amp, double hz, long start)
{
	for (int i = 0; i < N; i++)
		x[i] = (int16_t)lrint(amp * sin(2 * M_PI * hz * (double)(start + i) / 48000.0));
}

/* Power of frequency hz in x (Goertzel), normalized by n. */
static double goertzel(const int16_t *x, size_t n, double hz)
{
	double c = 2 * cos(2 * M_PI * hz / 48000.0), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return (s1 * s1 + s2 * s2 - c * s1 * s2) / ((double)n * n);
}

static void test_one_stream_unchanged(void **state)
{
	struct mix_limiter l;
	int16_t x[N], out[N];
	float acc[N];

	mix_limiter_init(&l);
	for (int f = 0; f < 10; f++) {
		tone(x, 20000.0, 440.0, (long)f * N);
		memset(acc, 0, sizeof(acc));
		mix_add(acc, x, N, 1.0f, 1.0f);
		mix_limit(&l, acc, out, N);
		assert_memory_equal(x, out, sizeof(x));
	}
}

static void test_five_loud_no_clipping(void **state)
{
	static const double hz[5] = { 300, 520, 810, 1130, 1570 };
	struct mix_limiter l;
	int16_t x[N], *out = calloc((size_t)FRAMES * N, sizeof(int16_t));
	float acc[N];
	double max_in_step = 0, max_seam = 0, max_inner = 0, raw_peak = 0;
	int at_full = 0, peak = 0, over_ceiling = 0;

	assert_non_null(out);
	mix_limiter_init(&l);
	for (int f = 0; f < FRAMES; f++) {
		memset(acc, 0, sizeof(acc));
		for (int k = 0; k < 5; k++) {
			tone(x, 0.6 * 32767, hz[k], (long)f * N);
			mix_add(acc, x, N, 1.0f, 1.0f);
		}
		for (int i = 0; i < N; i++) {
			raw_peak = fmax(raw_peak, fabs(acc[i]));
			if (i)
				max_in_step = fmax(max_in_step, fabs(acc[i] - acc[i - 1]));
		}
		mix_limit(&l, acc, out + (size_t)f * N, N);
	}
	assert_true(raw_peak > 2 * 32767); /* a plain sum would clip hard */
	for (int i = 0; i < FRAMES * N; i++) {
		peak = abs(out[i]) > peak ? abs(out[i]) : peak;
		at_full += abs(out[i]) >= 32767;
		over_ceiling += abs(out[i]) > (int)MIX_CEILING + 1;
		if (i) {
			double d = fabs((double)out[i] - out[i - 1]);
			if (i % N == 0)
				max_seam = fmax(max_seam, d);
			else
				max_inner = fmax(max_inner, d);
		}
	}
	assert_true(peak < 32767);
	assert_int_equal(at_full, 0);
	/* The gain did the work, the knee only caught the first millisecond of the onset. */
	assert_true(over_ceiling < 48);
	/* The limiter only lowers the signal: no step anywhere above the sum's own largest. */
	assert_true(max_seam <= max_in_step);
	assert_true(max_seam <= max_inner * 1.05);
	/* After the first frames the gain settles: the peak sits near the ceiling, not far below. */
	int late_peak = 0;
	for (int i = 10 * N; i < FRAMES * N; i++)
		late_peak = abs(out[i]) > late_peak ? abs(out[i]) : late_peak;
	assert_true(late_peak >= (int)(0.9 * MIX_CEILING));
	/* Each tone is in the mix at its share (equal amplitudes, so equal powers). */
	double p0 = goertzel(out + 10 * N, (FRAMES - 10) * N, hz[0]);
	for (int k = 0; k < 5; k++) {
		double p = goertzel(out + 10 * N, (FRAMES - 10) * N, hz[k]);
		assert_true(p > 0.8 * p0 && p < 1.25 * p0);
		assert_true(p > 1e5); /* amplitude of some thousands, not a trace */
	}
	free(out);
}

static void test_fade_and_release(void **state)
{
	struct mix_limiter l;
	int16_t x[N], out[N];
	float acc[N];

	for (int i = 0; i < N; i++)
		x[i] = 10000;
	memset(acc, 0, sizeof(acc));
	mix_add(acc, x, N, 0.0f, 1.0f);
	assert_true(acc[0] == 0.0f);
	assert_true(acc[N - 1] > 9980.0f && acc[N - 1] < 10000.0f);
	assert_true(acc[N / 2] > 4990.0f && acc[N / 2] < 5010.0f);
	memset(acc, 0, sizeof(acc));
	mix_add(acc, x, N, 1.0f, 0.0f);
	assert_true(acc[0] == 10000.0f && acc[N - 1] < 20.0f);

	/* Loud for a while, then quiet: the gain comes back to 1 within about half a second. */
	mix_limiter_init(&l);
	for (int f = 0; f < 10; f++) {
		for (int i = 0; i < N; i++)
			acc[i] = (float)(i % 2 ? 60000 : -60000);
		mix_limit(&l, acc, out, N);
	}
	assert_true(l.gain < 0.5f);
	for (int f = 0; f < 40; f++) {
		memset(acc, 0, sizeof(acc));
		mix_add(acc, x, N, 1.0f, 1.0f);
		mix_limit(&l, acc, out, N);
	}
	assert_true(l.gain > 0.98f);
	assert_true(abs(out[N - 1] - 10000) < 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_stream_unchanged),
		cmocka_unit_test(test_five_loud_no_clipping),
		cmocka_unit_test(test_fade_and_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
