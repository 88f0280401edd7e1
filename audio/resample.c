/* Polyphase windowed-sinc resampler (see resample.h).
 *
 * With out/in = L/M in lowest terms, output k sits at input time k*M/L. Its integer part
 * selects a window of `taps` input samples in buf, its fraction (numerator `frac` over L)
 * selects a row of the coefficient table. When L is small enough every fraction has its own
 * exact row ("exact" mode); otherwise the table holds RESAMPLE_PHASES rows and the two rows
 * around the fraction are blended linearly ("interp" mode, error about -90 dB).
 *
 * buf holds input as float: (taps/2 - 1) zeros of history at creation, then each call's
 * input, RESAMPLE_BLOCK samples at a time; after generating every output whose window is
 * complete the consumed prefix is moved out. Nothing allocates after create.
 */
#include "audio/resample.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RESAMPLE_BLOCK		1024	/* input samples appended per inner round */
#define RESAMPLE_PHASES		256	/* rows in interp mode */
#define RESAMPLE_TABLE_MAX	(1u << 18)	/* floats in an exact-mode table */
#define RESAMPLE_ATTEN_DB	90.0
#define RESAMPLE_PASS		0.41	/* passband edge / lower rate */
#define RESAMPLE_STOP		0.50	/* stopband edge / lower rate */

struct resample {
	unsigned in_rate;
	unsigned out_rate;
	uint64_t l;		/* upsampling factor (out/in = l/m) */
	uint64_t m;
	size_t step_int;	/* m / l: whole input samples per output */
	uint64_t step_frac;	/* m % l */
	unsigned taps;		/* window length, even */
	unsigned phases;	/* table rows minus one */
	int interp;
	int passthrough;
	float *coef;		/* (phases + 1) rows of taps */
	float *buf;
	size_t buf_len;
	size_t buf_cap;
	size_t ipos;		/* window start of the next output, index into buf */
	uint64_t frac;		/* fractional input position of the next output, over l */
};

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Zeroth-order modified Bessel function of the first kind, by its power series. */
static double bessel_i0(double x)
{
	double sum = 1.0, term = 1.0, q = x * x / 4.0;
	int k;

	for (k = 1; k < 60 && term > sum * 1e-17; k++) {
		term *= q / ((double)k * k);
		sum += term;
	}
	return sum;
}

/* Kaiser-windowed sinc lowpass: cutoff fc in cycles per input sample, support |t| < half. */
static double kernel(double t, double fc, double half, double beta, double i0_beta)
{
	double x = t / half, s;

	if (fabs(x) >= 1.0)
		return 0.0;
	s = t == 0.0 ? 1.0 : sin(2.0 * M_PI * fc * t) / (2.0 * M_PI * fc * t);
	return 2.0 * fc * s * bessel_i0(beta * sqrt(1.0 - x * x)) / i0_beta;
}

static void build_table(struct resample *r, double fc, double beta)
{
	double half = r->taps / 2, i0_beta = bessel_i0(beta);
	unsigned p, j;

	for (p = 0; p <= r->phases; p++) {
		float *row = r->coef + (size_t)p * r->taps;
		double f = (double)p / r->phases, sum = 0.0;

		for (j = 0; j < r->taps; j++) {
			row[j] = (float)kernel(f + half - 1.0 - j, fc, half, beta, i0_beta);
			sum += row[j];
		}
		/* Unit DC gain in every phase, or the phase pattern would modulate the signal. */
		for (j = 0; j < r->taps; j++)
			row[j] = (float)(row[j] / sum);
	}
}

int resample_create(struct resample **out, unsigned in_rate, unsigned out_rate)
{
	struct resample *r;
	double lo, fc, width, beta;
	uint64_t g;

	if (!out || in_rate < RESAMPLE_MIN_RATE || in_rate > RESAMPLE_MAX_RATE ||
	    out_rate < RESAMPLE_MIN_RATE || out_rate > RESAMPLE_MAX_RATE)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->in_rate = in_rate;
	r->out_rate = out_rate;
	g = gcd64(in_rate, out_rate);
	r->l = out_rate / g;
	r->m = in_rate / g;
	r->step_int = (size_t)(r->m / r->l);
	r->step_frac = r->m % r->l;
	if (in_rate == out_rate) {
		r->passthrough = 1;
		*out = r;
		return 0;
	}
	/* Filter specification in cycles per input sample. */
	lo = in_rate < out_rate ? in_rate : out_rate;
	fc = (RESAMPLE_PASS + RESAMPLE_STOP) / 2.0 * lo / in_rate;
	width = (RESAMPLE_STOP - RESAMPLE_PASS) * lo / in_rate;
	beta = 0.1102 * (RESAMPLE_ATTEN_DB - 8.7);
	r->taps = (unsigned)ceil((RESAMPLE_ATTEN_DB - 7.95) / (2.285 * 2.0 * M_PI * width));
	r->taps += r->taps & 1;
	if ((uint64_t)r->taps * (r->l + 1) <= RESAMPLE_TABLE_MAX) {
		r->phases = (unsigned)r->l;
	} else {
		r->phases = RESAMPLE_PHASES;
		r->interp = 1;
	}
	r->coef = malloc(sizeof(float) * r->taps * (r->phases + 1));
	r->buf_cap = r->taps + RESAMPLE_BLOCK;
	r->buf = malloc(sizeof(float) * r->buf_cap);
	if (!r->coef || !r->buf) {
		resample_destroy(r);
		return -ENOMEM;
	}
	build_table(r, fc, beta);
	resample_reset(r);
	*out = r;
	return 0;
}

void resample_destroy(struct resample *r)
{
	if (!r)
		return;
	free(r->coef);
	free(r->buf);
	free(r);
}

void resample_reset(struct resample *r)
{
	if (r->passthrough)
		return;
	r->buf_len = r->taps / 2 - 1;
	memset(r->buf, 0, sizeof(float) * r->buf_len);
	r->ipos = 0;
	r->frac = 0;
}

size_t resample_max_out(const struct resample *r, size_t n_in)
{
	if (r->passthrough)
		return n_in;
	return (size_t)(((uint64_t)n_in * r->l + r->m - 1) / r->m) + 1;
}

size_t resample_drain_len(const struct resample *r)
{
	return r->passthrough ? 0 : r->taps / 2;
}

/* Eight independent partial sums (n is even, not always a multiple of 8): the compiler maps
 * them onto SIMD lanes, where one running sum would be a serial chain of additions. */
static float dot(const float *a, const float *b, size_t n)
{
	float acc[8] = { 0 };
	const float *end8 = a + (n & ~(size_t)7), *end = a + n;
	size_t k;

	for (; a < end8; a += 8, b += 8)
		for (k = 0; k < 8; k++)
			acc[k] += a[k] * b[k];
	for (; a < end; a += 2, b += 2) {
		acc[0] += a[0] * b[0];
		acc[1] += a[1] * b[1];
	}
	return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

/* Rounds half away from zero and saturates (no libm call per sample). */
static int16_t to16(float v)
{
	if (v >= 32767.0f)
		return INT16_MAX;
	if (v <= -32768.0f)
		return INT16_MIN;
	return (int16_t)(v >= 0.0f ? v + 0.5f : v - 0.5f);
}

/* Emits every output whose window lies inside buf; returns how many. */
static size_t generate(struct resample *r, int16_t *out)
{
	size_t n = 0;

	while (r->ipos + r->taps <= r->buf_len) {
		const float *x = r->buf + r->ipos;
		float y;

		if (!r->interp) {
			y = dot(r->coef + (size_t)r->frac * r->taps, x, r->taps);
		} else {
			double pos = (double)r->frac * r->phases / (double)r->l;
			unsigned p = (unsigned)pos;
			float w = (float)(pos - p);
			const float *row = r->coef + (size_t)p * r->taps;

			y = (1.0f - w) * dot(row, x, r->taps) + w * dot(row + r->taps, x, r->taps);
		}
		out[n++] = to16(y);
		r->ipos += r->step_int;
		r->frac += r->step_frac;
		if (r->frac >= r->l) {
			r->frac -= r->l;
			r->ipos++;
		}
	}
	return n;
}

/* Core of process/drain; in == NULL feeds zeros. */
static size_t feed(struct resample *r, const int16_t *in, size_t n_in, int16_t *out)
{
	size_t produced = 0;

	while (n_in > 0) {
		size_t room = r->buf_cap - r->buf_len, take = n_in < room ? n_in : room, i, used;

		for (i = 0; i < take; i++)
			r->buf[r->buf_len + i] = in ? in[i] : 0.0f;
		r->buf_len += take;
		if (in)
			in += take;
		n_in -= take;
		produced += generate(r, out + produced);
		used = r->ipos < r->buf_len ? r->ipos : r->buf_len;
		memmove(r->buf, r->buf + used, sizeof(float) * (r->buf_len - used));
		r->buf_len -= used;
		r->ipos -= used;
	}
	return produced;
}

long resample_process(struct resample *r, const int16_t *in, size_t n_in, int16_t *out,
		      size_t out_cap)
{
	if (out_cap < resample_max_out(r, n_in))
		return -ENOSPC;
	if (r->passthrough) {
		memmove(out, in, n_in * sizeof(*in));
		return (long)n_in;
	}
	return (long)feed(r, in, n_in, out);
}

long resample_drain(struct resample *r, int16_t *out, size_t out_cap)
{
	size_t n = resample_drain_len(r);

	if (out_cap < resample_max_out(r, n))
		return -ENOSPC;
	if (r->passthrough)
		return 0;
	return (long)feed(r, NULL, n, out);
}

void resample_downmix(const int16_t *in, size_t frames, unsigned channels, int16_t *out)
{
	size_t i;
	unsigned c;

	if (channels <= 1) {
		if (out != in)
			memmove(out, in, frames * sizeof(*in));
		return;
	}
	for (i = 0; i < frames; i++) {
		long sum = 0;

		for (c = 0; c < channels; c++)
			sum += in[i * channels + c];
		/* Round half away from zero so a symmetric signal stays symmetric. */
		out[i] = (int16_t)(sum >= 0 ? (sum + (long)channels / 2) / (long)channels
					    : (sum - (long)channels / 2) / (long)channels);
	}
}
