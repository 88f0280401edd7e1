/* The locked, wiping pool (see lockpool.h).
 *
 * Why process-wide: json_set_alloc_funcs takes two plain function pointers and no context, so
 * the allocator behind it cannot belong to one session; this pool is therefore the one piece of
 * mutable state shared by all sessions of a process, guarded by one mutex.
 *
 * Layout: nine size classes (16, 32, ... 4096 bytes). A chunk is LOCKPOOL_CHUNK bytes of
 * lockbuf memory serving one class; it keeps its own free list (the next pointer lives in the
 * freed, wiped block) and hands out never-used blocks from its end lazily, so a chunk's pages
 * are touched only as they are needed. Chunks with room are on their class's avail list. A
 * block's chunk is found by address in the registry (descriptors sorted by start), so a
 * pointer the pool did not make is recognised and passed to free().
 *
 * Memory bound: a chunk whose last block is freed goes back to the system unless it is the
 * only chunk of its class with room, and a big allocation goes back when it is freed. So the
 * pool holds at any time what is live, rounded up per class to whole chunks, plus at most one
 * empty chunk per class: 9 x 16 KiB = 144 KiB when idle after use. The peak is the live JSON
 * of the biggest message parsed at once (a Janus participants list: the WebSocket message cap
 * times jansson's overhead, a few times the text), and it is given back after it.
 */
#include "net/lockpool.h"
#include "net/lockbuf.h"

#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<sanitizer/asan_interface.h>)
#include <sanitizer/asan_interface.h> /* no-op macros unless built with ASan */
#endif
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#endif

#define MIN_SHIFT 4
#define MAX_SHIFT 12
#define NCLASS (MAX_SHIFT - MIN_SHIFT + 1)

_Static_assert(LOCKPOOL_MAX_SMALL == 1 << MAX_SHIFT, "the largest class");
_Static_assert(LOCKPOOL_CHUNK % LOCKPOOL_MAX_SMALL == 0, "whole blocks per chunk");

struct chunk {
	uintptr_t start;
	size_t len;
	int cls;			/* size class, -1 for a big allocation */
	bool locked;
	unsigned live;			/* blocks handed out */
	unsigned fresh;			/* blocks never handed out, at the end */
	void *free;			/* freed blocks (wiped; the first word links them) */
	struct chunk *prev, *next;	/* the class's avail list, while it has room */
	bool avail;
};

static struct {
	pthread_mutex_t mu;
	struct chunk **reg;		/* sorted by start */
	size_t nreg, capreg;
	struct chunk *avail[NCLASS];
	size_t live, bytes, chunks, bigs;
	unsigned long unlocked;
} pool = { .mu = PTHREAD_MUTEX_INITIALIZER };

static size_t class_size(int cls)
{
	return (size_t)1 << (cls + MIN_SHIFT);
}

static int class_of(size_t n)
{
	int cls = 0;
	while (class_size(cls) < n)
		cls++;
	return cls;
}

/* Index of the registered chunk containing p, or -1. Caller holds mu. */
static ptrdiff_t find(uintptr_t p)
{
	size_t lo = 0, hi = pool.nreg;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct chunk *c = pool.reg[mid];
		if (p < c->start)
			hi = mid;
		else if (p >= c->start + c->len)
			lo = mid + 1;
		else
			return (ptrdiff_t)mid;
	}
	return -1;
}

/* Registers c (mu held). 0 or -1 when the registry cannot grow. */
static int reg_insert(struct chunk *c)
{
	size_t i = 0;
	if (pool.nreg == pool.capreg) {
		size_t cap = pool.capreg ? pool.capreg * 2 : 32;
		struct chunk **r = realloc(pool.reg, cap * sizeof(*r));
		if (!r)
			return -1;
		pool.reg = r;
		pool.capreg = cap;
	}
	while (i < pool.nreg && pool.reg[i]->start < c->start)
		i++;
	memmove(pool.reg + i + 1, pool.reg + i, (pool.nreg - i) * sizeof(*pool.reg));
	pool.reg[i] = c;
	pool.nreg++;
	return 0;
}

static void reg_remove(size_t i)
{
	memmove(pool.reg + i, pool.reg + i + 1, (pool.nreg - i - 1) * sizeof(*pool.reg));
	pool.nreg--;
}

static void avail_push(struct chunk *c)
{
	c->prev = NULL;
	c->next = pool.avail[c->cls];
	if (c->next)
		c->next->prev = c;
	pool.avail[c->cls] = c;
	c->avail = true;
}

static void avail_remove(struct chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		pool.avail[c->cls] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	c->avail = false;
}

/* New lockbuf memory of len bytes with its descriptor, registered (mu held). */
static struct chunk *chunk_new(size_t len, int cls)
{
	struct chunk *c = calloc(1, sizeof(*c));
	void *mem;
	if (!c)
		return NULL;
	mem = lockbuf_alloc(len, &c->locked);
	if (!mem) {
		free(c);
		return NULL;
	}
	c->start = (uintptr_t)mem;
	c->len = len;
	c->cls = cls;
	if (reg_insert(c) < 0) {
		lockbuf_free(mem, len);
		free(c);
		return NULL;
	}
	if (!c->locked)
		pool.unlocked++;
	pool.bytes += len;
	return c;
}

/* Unregisters (index i) and returns c's memory to the system, wiped (mu held). */
static void chunk_release(struct chunk *c, size_t i)
{
	reg_remove(i);
	pool.bytes -= c->len;
	ASAN_UNPOISON_MEMORY_REGION((void *)c->start, c->len);
	lockbuf_free((void *)c->start, c->len);
	free(c);
}

static void *alloc_big(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (n + pg - 1) / pg * pg;
	void *p = NULL;

	if (len < n)
		return NULL;
	pthread_mutex_lock(&pool.mu);
	struct chunk *c = chunk_new(len, -1);
	if (c) {
		pool.bigs++;
		pool.live++;
		p = (void *)c->start;
	}
	pthread_mutex_unlock(&pool.mu);
	return p;
}

void *lockpool_alloc(size_t n)
{
	if (n == 0)
		return NULL;
	if (n > LOCKPOOL_MAX_SMALL)
		return alloc_big(n);

	int cls = class_of(n);
	size_t size = class_size(cls);
	void *p = NULL;

	pthread_mutex_lock(&pool.mu);
	struct chunk *c = pool.avail[cls];
	if (!c) {
		c = chunk_new(LOCKPOOL_CHUNK, cls);
		if (!c)
			goto out;
		c->fresh = (unsigned)(LOCKPOOL_CHUNK / size);
		ASAN_POISON_MEMORY_REGION((void *)c->start, c->len);
		pool.chunks++;
		avail_push(c);
	}
	if (c->free) {
		p = c->free;
		ASAN_UNPOISON_MEMORY_REGION(p, size);
		memcpy(&c->free, p, sizeof(void *));
		memset(p, 0, sizeof(void *));
	} else {
		p = (void *)(c->start + (LOCKPOOL_CHUNK / size - c->fresh) * size);
		c->fresh--;
		ASAN_UNPOISON_MEMORY_REGION(p, size);
	}
	c->live++;
	pool.live++;
	if (!c->free && !c->fresh)
		avail_remove(c);
out:
	pthread_mutex_unlock(&pool.mu);
	return p;
}

void lockpool_free(void *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&pool.mu);
	ptrdiff_t i = find((uintptr_t)p);
	if (i < 0) {
		pthread_mutex_unlock(&pool.mu);
		/* not ours: plain heap memory (jansson before the hook was set), wiped too */
		explicit_bzero(p, malloc_usable_size(p));
		free(p);
		return;
	}
	struct chunk *c = pool.reg[i];
	pool.live--;
	if (c->cls < 0) {
		if ((uintptr_t)p != c->start)
			abort(); /* inside a big allocation: the heap is corrupt */
		pool.bigs--;
		chunk_release(c, (size_t)i); /* lockbuf_free wipes */
		pthread_mutex_unlock(&pool.mu);
		return;
	}
	size_t size = class_size(c->cls);
	if (((uintptr_t)p - c->start) % size)
		abort(); /* not the start of a block */
	explicit_bzero(p, size);
	memcpy(p, &c->free, sizeof(void *));
	ASAN_POISON_MEMORY_REGION(p, size);
	c->free = p;
	c->live--;
	if (!c->avail)
		avail_push(c);
	/* Give an empty chunk back unless it is the only one of its class with room. */
	if (c->live == 0 && (pool.avail[c->cls] != c || c->next)) {
		avail_remove(c);
		pool.chunks--;
		chunk_release(c, (size_t)i);
	}
	pthread_mutex_unlock(&pool.mu);
}

bool lockpool_owns(const void *p)
{
	pthread_mutex_lock(&pool.mu);
	bool ours = find((uintptr_t)p) >= 0;
	pthread_mutex_unlock(&pool.mu);
	return ours;
}

bool lockpool_is_locked(const void *p)
{
	pthread_mutex_lock(&pool.mu);
	ptrdiff_t i = find((uintptr_t)p);
	bool locked = i >= 0 && pool.reg[i]->locked;
	pthread_mutex_unlock(&pool.mu);
	return locked;
}

void lockpool_get_stats(struct lockpool_stats *out)
{
	pthread_mutex_lock(&pool.mu);
	out->chunks = pool.chunks;
	out->bigs = pool.bigs;
	out->live = pool.live;
	out->bytes = pool.bytes;
	out->unlocked = pool.unlocked;
	pthread_mutex_unlock(&pool.mu);
}
