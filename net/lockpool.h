/* A locked, wiping allocator for the small transient copies of chat text: jansson's objects
 * and strings (json_set_alloc_funcs, src/secmem.h), the DTLS plaintext buffer, the SCTP packets
 * before DTLS and the reassembly buffer.
 *
 * Blocks of 16..4096 bytes (powers of two) are carved from 16 KiB chunks of net/lockbuf memory
 * (mmap, mlock where RLIMIT_MEMLOCK allows, MADV_DONTDUMP); a bigger allocation gets a lockbuf
 * of its own. Every block is overwritten when it is freed. When a chunk cannot be locked the
 * pool still works (wiped, not locked) and counts it in lockpool_stats().unlocked, which the
 * session turns into its "chat memory is not locked" notice.
 *
 * Process-wide, because jansson's allocator hook is: one pool, one mutex, any thread (several
 * sessions may run in one process). Not async-signal-safe.
 */
#ifndef TTM_NET_LOCKPOOL_H
#define TTM_NET_LOCKPOOL_H

#include <stdbool.h>
#include <stddef.h>

#define LOCKPOOL_MAX_SMALL 4096		/* bigger allocations get their own pages */
#define LOCKPOOL_CHUNK (16 * 1024)	/* what one size class takes from the system at a time */
/* What the pool holds between messages once every class was used (one chunk each): for
 * predictions such as the privacy notice's "can chat memory be locked". */
#define LOCKPOOL_IDLE_BYTES (9 * LOCKPOOL_CHUNK)

/* n bytes (not zeroed), or NULL when n is 0 or memory is out. malloc-compatible signature. */
void *lockpool_alloc(size_t n);
/* Overwrites and returns a block of lockpool_alloc. NULL is fine; a pointer the pool did not
 * make is overwritten (malloc_usable_size) and handed to free(), so heap memory jansson made
 * before the hook was set, or without it, is freed right. */
void lockpool_free(void *p);

/* Whether p lies in memory of the pool, and whether that memory is locked. */
bool lockpool_owns(const void *p);
bool lockpool_is_locked(const void *p);

struct lockpool_stats {
	size_t chunks;		/* small-block chunks held */
	size_t bigs;		/* big allocations live */
	size_t live;		/* blocks and big allocations handed out, not yet freed */
	size_t bytes;		/* memory held from the system (chunks and bigs) */
	unsigned long unlocked;	/* chunks and bigs ever made that could not be locked */
};

void lockpool_get_stats(struct lockpool_stats *out);

#endif
