/* Memory that may hold chat text on its way, the pages behind net/lockpool (its chunks and big
 * allocations): page-granular anonymous memory, locked so it is never swapped out and kept out
 * of core dumps, wiped before it is returned. Locking is tried, not required: when
 * RLIMIT_MEMLOCK does not allow it the buffer still works (lockpool counts it, and the
 * session's check tells the user that chat memory is not locked). No state; any thread. */
#ifndef TTM_NET_LOCKBUF_H
#define TTM_NET_LOCKBUF_H

#include <stdbool.h>
#include <stddef.h>

/* Returns len bytes (zeroed), or NULL. *locked (may be NULL) says whether mlock took. */
void *lockbuf_alloc(size_t len, bool *locked);
/* Wipes, unlocks and returns a buffer of lockbuf_alloc (the same len); NULL is fine. */
void lockbuf_free(void *p, size_t len);

#endif
