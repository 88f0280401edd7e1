/* The chat store (see chat.h).
 *
 * Arena layout: records [header | from\0 | to\0 | text\0] placed back to back; when a record
 * does not fit before the end of the arena, writing wraps to offset 0 (the tail gap is only
 * ever zeros). A small ring of record offsets, oldest first, indexes them. Invariant: every
 * arena byte outside a live record is zero.
 */
#include "src/chat.h"
#include "src/secmem.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct rec {
	int64_t time_us;
	uint32_t size; /* whole record, header included */
	uint32_t text_len;
	uint16_t from_len, to_len;
	uint32_t flags;
};

struct chat_store {
	uint8_t *arena; /* sodium_malloc'd */
	size_t cap;
	size_t *offs;   /* ring of record offsets, capacity max_msgs */
	unsigned max_msgs, first, count;
	uint64_t total;
	bool locked;    /* the arena's pages are really locked (checked, see secmem.h) */
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

int chat_store_create(size_t max_bytes, unsigned max_msgs, struct chat_store **out)
{
	if (max_bytes < 256 || max_msgs == 0)
		return -EINVAL;
	if (sodium_init() < 0) /* idempotent and thread-safe */
		return -EIO;
	struct chat_store *cs = calloc(1, sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	cs->cap = align8(max_bytes);
	cs->max_msgs = max_msgs;
	cs->arena = sodium_malloc(cs->cap);
	cs->offs = calloc(max_msgs, sizeof(*cs->offs));
	if (!cs->arena || !cs->offs) {
		chat_store_destroy(cs);
		return -ENOMEM;
	}
	sodium_memzero(cs->arena, cs->cap);
	cs->locked = secmem_lock(cs->arena, cs->cap) == 0;
	*out = cs;
	return 0;
}

static const struct rec *rec_at(const struct chat_store *cs, size_t off)
{
	return (const struct rec *)(const void *)(cs->arena + off);
}

/* Evicts the oldest record, zeroing its bytes. */
static void evict(struct chat_store *cs)
{
	size_t off = cs->offs[cs->first];
	sodium_memzero(cs->arena + off, rec_at(cs, off)->size);
	cs->first = (cs->first + 1) % cs->max_msgs;
	cs->count--;
}

/* Where the next record of size bytes would start, given the newest record. */
static size_t next_off(const struct chat_store *cs, size_t size)
{
	if (!cs->count)
		return 0;
	size_t last = cs->offs[(cs->first + cs->count - 1) % cs->max_msgs];
	size_t end = last + rec_at(cs, last)->size;
	return end + size <= cs->cap ? end : 0;
}

/* True if [off, off+size) overlaps any live record. (After a wrap the oldest record may sit at
 * the end of the arena while the region at offset 0 holds newer ones, so all are checked.) */
static bool overlaps_live(const struct chat_store *cs, size_t off, size_t size)
{
	for (unsigned i = 0; i < cs->count; i++) {
		size_t o = cs->offs[(cs->first + i) % cs->max_msgs];
		if (off < o + rec_at(cs, o)->size && o < off + size)
			return true;
	}
	return false;
}

int chat_store_add(struct chat_store *cs, int64_t time_us, const char *from, const char *to,
		   const char *text, size_t text_len, unsigned flags)
{
	size_t fl = strlen(from), tl = to ? strlen(to) : 0;
	if (fl > UINT16_MAX || tl > UINT16_MAX || text_len > UINT32_MAX)
		return -EMSGSIZE;
	size_t size = align8(sizeof(struct rec) + fl + 1 + tl + 1 + text_len + 1);
	if (size > cs->cap)
		return -EMSGSIZE;
	if (cs->count == cs->max_msgs)
		evict(cs);
	size_t off = next_off(cs, size);
	while (overlaps_live(cs, off, size)) { /* evict in age order until the region is free */
		evict(cs);
		off = next_off(cs, size);
	}
	struct rec r = { .time_us = time_us, .size = (uint32_t)size, .text_len = (uint32_t)text_len,
			 .from_len = (uint16_t)fl, .to_len = (uint16_t)tl, .flags = flags };
	uint8_t *p = cs->arena + off;
	memcpy(p, &r, sizeof(r));
	p += sizeof(r);
	memcpy(p, from, fl + 1);
	p += fl + 1;
	if (tl)
		memcpy(p, to, tl);
	p[tl] = 0;
	p += tl + 1;
	memcpy(p, text, text_len);
	p[text_len] = 0;
	cs->offs[(cs->first + cs->count) % cs->max_msgs] = off;
	cs->count++;
	cs->total++;
	return 0;
}

unsigned chat_store_count(const struct chat_store *cs)
{
	return cs->count;
}

uint64_t chat_store_total(const struct chat_store *cs)
{
	return cs->total;
}

int chat_store_get(const struct chat_store *cs, unsigned i, struct chat_msg *out)
{
	if (i >= cs->count)
		return -ERANGE;
	size_t off = cs->offs[(cs->first + i) % cs->max_msgs];
	const struct rec *r = rec_at(cs, off);
	const char *p = (const char *)(cs->arena + off + sizeof(*r));
	out->time_us = r->time_us;
	out->from = p;
	out->to = p + r->from_len + 1;
	out->text = out->to + r->to_len + 1;
	out->text_len = r->text_len;
	out->flags = r->flags;
	return 0;
}

bool chat_store_locked(const struct chat_store *cs)
{
	return cs->locked;
}

void chat_store_clear(struct chat_store *cs)
{
	sodium_memzero(cs->arena, cs->cap);
	cs->first = cs->count = 0;
}

void chat_store_destroy(struct chat_store *cs)
{
	if (!cs)
		return;
	if (cs->arena)
		sodium_free(cs->arena); /* libsodium zeroes it before unlocking and freeing */
	free(cs->offs);
	free(cs);
}

const uint8_t *chat_store_arena(const struct chat_store *cs, size_t *len)
{
	*len = cs->cap;
	return cs->arena;
}
