/* Mixing several 20 ms frames into one: the frames are summed into a float accumulator (with
 * an optional linear gain ramp per frame, for fading a stream in or out without a step), and
 * a soft limiter turns the sum back into int16 without clipping.
 *
 * Limiter: each frame's peak sets a gain target (at most 1, so that the peak lands at
 * MIX_CEILING); when it must fall, the gain ramps linearly from the previous frame's gain to
 * the target, reaching it before the first sample that would go over (but over at least 1 ms:
 * no step, at the seams or inside); it recovers toward 1 by a tenth of the way per frame
 * (a ~200 ms release) and never steps up either. Whatever the ramp lets through above MIX_CEILING
 * is bent by a smooth knee (tanh) that never reaches full scale: the output is bounded and
 * continuous, never clipped. One talker at a normal level passes unchanged (gain 1, no
 * sample above the ceiling).
 *
 * Pure code, no allocation; a limiter is one object used by one thread.
 */
#ifndef TTM_AUDIO_MIX_H
#define TTM_AUDIO_MIX_H

#include <stddef.h>
#include <stdint.h>

#define MIX_CEILING 29205.0f /* -1 dBFS: the limiter's target peak, where the knee starts */

/* Adds n samples of pcm into acc, scaled by a gain ramping linearly from g0 (first sample)
 * to g1 (the sample after the last); g0 = g1 = 1 adds the frame as it is. */
void mix_add(float *acc, const int16_t *pcm, size_t n, float g0, float g1);

struct mix_limiter {
	float gain; /* applied at the end of the last frame, (0, 1] */
};

/* A limiter that starts at gain 1. */
void mix_limiter_init(struct mix_limiter *l);

/* Turns n accumulated samples into out (|out| < 32767: bounded, never clipped flat). */
void mix_limit(struct mix_limiter *l, const float *acc, int16_t *out, size_t n);

#endif
