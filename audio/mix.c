/* Mixer and soft limiter (see mix.h). */
#include "audio/mix.h"

#include <math.h>

#define FULL_SCALE 32767.0f
#define MAX_OUT 32766.0f /* the knee approaches full scale; rounding never reaches it */
#define RELEASE 0.1f /* of the way back to gain 1 per frame */
#define ATTACK_MIN 48 /* samples (1 ms): the shortest fall of the gain */

void mix_add(float *acc, const int16_t *pcm, size_t n, float g0, float g1)
{
	size_t i;

	if (g0 == 1.0f && g1 == 1.0f) {
		for (i = 0; i < n; i++)
			acc[i] += (float)pcm[i];
		return;
	}
	float step = n ? (g1 - g0) / (float)n : 0.0f;
	for (i = 0; i < n; i++)
		acc[i] += (float)pcm[i] * (g0 + step * (float)i);
}

void mix_limiter_init(struct mix_limiter *l)
{
	l->gain = 1.0f;
}

/* The knee: identity up to MIX_CEILING, then a tanh bend that approaches full scale with a
 * continuous slope. */
static float knee(float x)
{
	const float room = FULL_SCALE - MIX_CEILING;
	float a = fabsf(x);

	if (a <= MIX_CEILING)
		return x;
	a = MIX_CEILING + room * tanhf((a - MIX_CEILING) / room);
	return x < 0 ? -a : a;
}

void mix_limit(struct mix_limiter *l, const float *acc, int16_t *out, size_t n)
{
	float peak = 0.0f, target, g0 = l->gain, step;
	size_t i, ramp = n, over = n; /* the gain reaches its target at sample ramp */

	for (i = 0; i < n; i++) {
		float a = fabsf(acc[i]);

		if (a > peak)
			peak = a;
		if (over == n && a * g0 > MIX_CEILING)
			over = i;
	}
	target = peak > MIX_CEILING ? MIX_CEILING / peak : 1.0f;
	if (target > g0) /* release: slowly back toward 1, never above what this frame allows */
		target = g0 + (1.0f - g0) * RELEASE < target ? g0 + (1.0f - g0) * RELEASE : target;
	/* Falling: be there before the first sample that would go over (at least 1 ms on). */
	if (target < g0 && over < n)
		ramp = over > ATTACK_MIN ? over : ATTACK_MIN;
	if (ramp > n)
		ramp = n;
	step = ramp ? (target - g0) / (float)ramp : 0.0f;
	for (i = 0; i < n; i++) {
		float g = i < ramp ? g0 + step * (float)(i + 1) : target;
		float y = knee(acc[i] * g);

		out[i] = (int16_t)lrintf(y > MAX_OUT ? MAX_OUT : y < -MAX_OUT ? -MAX_OUT : y);
	}
	l->gain = target;
}
