/* The chat store: the session's chat history, kept only in memory.
 *
 * All message bytes live in one arena from libsodium's secure allocator (guard pages, mlock:
 * never swapped, never in a core dump since those are disabled too). Whether the lock really
 * took (RLIMIT_MEMLOCK may forbid it) is checked and told by chat_store_locked(). The arena
 * is a ring: new messages append, the oldest are evicted when the message or byte bound is
 * reached, and every byte given back is overwritten with zeros (sodium_memzero) at once — on
 * eviction, clear and destroy. Nothing here writes to a file or a log. Thread: the loop's thread.
 */
#ifndef TTM_SRC_CHAT_H
#define TTM_SRC_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHAT_FLAG_SELF 0x1u    /* we sent it */
#define CHAT_FLAG_PRIVATE 0x2u /* a private message (to us, or from us to one person) */
#define CHAT_FLAG_CHAT_ONLY 0x4u /* from a chat-only identity, not proven a call participant */
#define CHAT_FLAG_HISTORY 0x8u   /* said before we joined, replayed by the room */

struct chat_store;

struct chat_msg {
	int64_t time_us; /* wall clock, µs since the epoch */
	const char *from; /* NUL-terminated, valid until the store changes */
	const char *to;   /* private messages we sent: the recipient, else "" */
	const char *text;
	size_t text_len;
	unsigned flags;
};

/* Creates a store holding at most max_msgs messages and max_bytes of message data. */
int chat_store_create(size_t max_bytes, unsigned max_msgs, struct chat_store **out);
/* Wipes and frees; NULL is fine. */
void chat_store_destroy(struct chat_store *cs);
/* Appends a copy of one message (texts already sanitized by the caller), evicting the oldest
 * as needed. -EMSGSIZE if it could never fit. */
int chat_store_add(struct chat_store *cs, int64_t time_us, const char *from, const char *to,
		   const char *text, size_t text_len, unsigned flags);
/* Number of messages held. */
unsigned chat_store_count(const struct chat_store *cs);
/* Message i, 0 = oldest. -ERANGE past the end. */
int chat_store_get(const struct chat_store *cs, unsigned i, struct chat_msg *out);
/* Total messages ever added (for unread counters). */
uint64_t chat_store_total(const struct chat_store *cs);
/* True if the arena is locked in memory (cannot be swapped out). */
bool chat_store_locked(const struct chat_store *cs);
/* Forgets (and wipes) everything. */
void chat_store_clear(struct chat_store *cs);
/* Test hook: the whole arena, to check that freed regions hold no message bytes. */
const uint8_t *chat_store_arena(const struct chat_store *cs, size_t *len);

#endif
