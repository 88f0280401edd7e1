/* Lock-free SPSC ring of int16 samples (see ring.h for the threading contract).
 *
 * head counts samples ever written, tail samples ever read; both only grow (size_t wraps
 * harmlessly because the capacity is a power of two). The producer publishes with a release
 * store of head after copying, the consumer with a release store of tail after copying, and
 * each side reads the other's index with acquire, so the copied samples are visible before
 * the index that announces them. The two indices live on separate cache lines.
 */
#include "audio/ring.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define RING_MAX_SAMPLES ((size_t)1 << 24)

struct ring {
	alignas(64) atomic_size_t head;	/* written by the producer */
	alignas(64) atomic_size_t tail;	/* written by the consumer */
	alignas(64) size_t mask;
	int16_t *buf;
};

int ring_create(struct ring **out, size_t min_samples)
{
	struct ring *r;
	size_t cap = 1;

	if (!out || min_samples == 0 || min_samples > RING_MAX_SAMPLES)
		return -EINVAL;
	while (cap < min_samples)
		cap <<= 1;
	r = aligned_alloc(64, (sizeof(*r) + 63) & ~(size_t)63);
	if (!r)
		return -ENOMEM;
	r->buf = calloc(cap, sizeof(*r->buf));
	if (!r->buf) {
		free(r);
		return -ENOMEM;
	}
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->mask = cap - 1;
	*out = r;
	return 0;
}

void ring_destroy(struct ring *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

/* Copies n samples between the ring at position pos and a linear buffer, in two pieces when
 * the range wraps. */
static void ring_copy_in(struct ring *r, size_t pos, const int16_t *src, size_t n)
{
	size_t off = pos & r->mask;
	size_t first = r->mask + 1 - off;

	if (first > n)
		first = n;
	memcpy(r->buf + off, src, first * sizeof(*src));
	memcpy(r->buf, src + first, (n - first) * sizeof(*src));
}

static void ring_copy_out(const struct ring *r, size_t pos, int16_t *dst, size_t n)
{
	size_t off = pos & r->mask;
	size_t first = r->mask + 1 - off;

	if (first > n)
		first = n;
	memcpy(dst, r->buf + off, first * sizeof(*dst));
	memcpy(dst + first, r->buf, (n - first) * sizeof(*dst));
}

size_t ring_push(struct ring *r, const int16_t *src, size_t n)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t room = r->mask + 1 - (head - tail);

	if (n > room)
		n = room;
	if (n == 0)
		return 0;
	ring_copy_in(r, head, src, n);
	atomic_store_explicit(&r->head, head + n, memory_order_release);
	return n;
}

size_t ring_pop(struct ring *r, int16_t *dst, size_t n)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t avail = head - tail;

	if (n > avail)
		n = avail;
	if (n == 0)
		return 0;
	ring_copy_out(r, tail, dst, n);
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}

size_t ring_discard(struct ring *r, size_t n)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t avail = head - tail;

	if (n > avail)
		n = avail;
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}

size_t ring_readable(const struct ring *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);

	return head - tail;
}

size_t ring_writable(const struct ring *r)
{
	size_t used = ring_readable(r);

	return used > r->mask + 1 ? 0 : r->mask + 1 - used;
}

size_t ring_capacity(const struct ring *r)
{
	return r->mask + 1;
}
