/* Sample-rate conversion between any two rates in 8..192 kHz (in ttymeet: a file or device
 * rate to and from 48 kHz), plus downmixing interleaved channels to mono.
 *
 * Windowed-sinc (Kaiser) polyphase filter, about 90 dB stopband, passband to 41 % of the
 * lower rate. The position advances by an exact rational step, so there is no drift, and the
 * filter history carries across calls: feeding a signal in any chunking gives exactly the
 * output of one call. Output is aligned with input (the first output sample is at the time of
 * the first input sample); the last half filter length of input is held back until more input
 * arrives or resample_drain() is called. Equal rates pass samples through unchanged.
 *
 * Threads: one object per stream, used by one thread at a time. Allocation only in create.
 */
#ifndef TTM_AUDIO_RESAMPLE_H
#define TTM_AUDIO_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#define RESAMPLE_MIN_RATE 8000
#define RESAMPLE_MAX_RATE 192000

struct resample;

/* Creates a converter from in_rate to out_rate. Returns 0, -EINVAL (rate out of range) or
 * -ENOMEM. */
int resample_create(struct resample **out, unsigned in_rate, unsigned out_rate);

/* Frees; NULL is fine. */
void resample_destroy(struct resample *r);

/* Most output samples one resample_process() call can produce from n_in input samples. */
size_t resample_max_out(const struct resample *r, size_t n_in);

/* Consumes all n_in mono samples and writes the output now available. out_cap must be at
 * least resample_max_out(r, n_in). Returns the output count or -ENOSPC. */
long resample_process(struct resample *r, const int16_t *in, size_t n_in, int16_t *out,
		      size_t out_cap);

/* Flushes the held-back tail by feeding silence; out_cap must be at least
 * resample_max_out(r, resample_drain_len(r)). Returns the output count or -ENOSPC. Call
 * resample_reset() before feeding a new stream. */
long resample_drain(struct resample *r, int16_t *out, size_t out_cap);

/* Input samples of silence resample_drain() feeds (half the filter length). */
size_t resample_drain_len(const struct resample *r);

/* Forgets all history, as if just created. */
void resample_reset(struct resample *r);

/* Averages each frame of `channels` interleaved samples into one mono sample; out may equal
 * in (in place). Out-of-phase channels cancel, as in any passive downmix. */
void resample_downmix(const int16_t *in, size_t frames, unsigned channels, int16_t *out);

#endif
