/* Lock-free single-producer/single-consumer ring of int16 samples.
 *
 * Data flow: exactly one producer thread calls ring_push(), exactly one consumer thread calls
 * ring_pop()/ring_discard(); either may call ring_readable()/ring_writable(). Between
 * PortAudio's callback thread and the media tick this is the only shared structure. Storage is
 * allocated by ring_create(); push/pop never allocate, lock or block, so the real-time side may
 * use them. create/destroy belong to the owner, with neither side running.
 */
#ifndef TTM_AUDIO_RING_H
#define TTM_AUDIO_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring;

/* Creates a ring holding at least min_samples (rounded up to a power of two, at most 2^24).
 * Returns 0 or -EINVAL / -ENOMEM. */
int ring_create(struct ring **out, size_t min_samples);

/* Frees the ring; NULL is fine. Neither side may be using it. */
void ring_destroy(struct ring *r);

/* Producer: copies up to n samples in; returns how many fit (the rest is not written). */
size_t ring_push(struct ring *r, const int16_t *src, size_t n);

/* Consumer: copies up to n samples out, oldest first; returns how many were there. */
size_t ring_pop(struct ring *r, int16_t *dst, size_t n);

/* Consumer: drops up to n of the oldest samples; returns how many were dropped. */
size_t ring_discard(struct ring *r, size_t n);

/* Samples ready: exact or a lower bound for the consumer, an upper bound for the producer. */
size_t ring_readable(const struct ring *r);

/* Free room: exact or a lower bound for the producer, an upper bound for the consumer. */
size_t ring_writable(const struct ring *r);

/* Total capacity in samples (a power of two). */
size_t ring_capacity(const struct ring *r);

#endif
