/* Unit tests for the chat store (src/chat.c): bounds by count and bytes, eviction order, and
 * wiping — after eviction, clear or a random workload, no byte of a message that is no longer
 * held may remain anywhere in the arena; and the lock check: under RLIMIT_MEMLOCK 0 without
 * CAP_IPC_LOCK a store says it is not locked and the probe (src/secmem.h) says it cannot be. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "src/chat.h"
#include "src/secmem.h"

static bool arena_contains(const struct chat_store *cs, const char *needle)
{
	size_t len, n = strlen(needle);
	const uint8_t *a = chat_store_arena(cs, &len);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(a + i, needle, n))
			return true;
	return false;
}

static int add(struct chat_store *cs, const char *from, const char *text, unsigned flags)
{
	return chat_store_add(cs, 1000, from, NULL, text, strlen(text), flags);
}

static void test_basic(void **state)
{
	(void)state;
	struct chat_store *cs;
	assert_int_equal(chat_store_create(4096, 16, &cs), 0);
	assert_int_equal(add(cs, "alice", "hello", 0), 0);
	assert_int_equal(chat_store_add(cs, 2000, "me", "bob", "psst", 4,
					CHAT_FLAG_SELF | CHAT_FLAG_PRIVATE), 0);
	assert_int_equal(chat_store_count(cs), 2);
	struct chat_msg m;
	assert_int_equal(chat_store_get(cs, 0, &m), 0);
	assert_string_equal(m.from, "alice");
	assert_string_equal(m.text, "hello");
	assert_string_equal(m.to, "");
	assert_int_equal(m.time_us, 1000);
	assert_int_equal(chat_store_get(cs, 1, &m), 0);
	assert_string_equal(m.to, "bob");
	assert_int_equal(m.flags, CHAT_FLAG_SELF | CHAT_FLAG_PRIVATE);
	assert_int_equal(chat_store_get(cs, 2, &m), -ERANGE);
	chat_store_destroy(cs);
}

static void test_count_bound_and_eviction_wipes(void **state)
{
	(void)state;
	struct chat_store *cs;
	char text[32];
	assert_int_equal(chat_store_create(65536, 10, &cs), 0);
	for (int i = 0; i < 25; i++) {
		snprintf(text, sizeof(text), "secret-message-%02d", i);
		assert_int_equal(add(cs, "alice", text, 0), 0);
	}
	assert_int_equal(chat_store_count(cs), 10);
	assert_int_equal(chat_store_total(cs), 25);
	struct chat_msg m;
	assert_int_equal(chat_store_get(cs, 0, &m), 0);
	assert_string_equal(m.text, "secret-message-15");
	for (int i = 0; i < 15; i++) {
		snprintf(text, sizeof(text), "secret-message-%02d", i);
		assert_false(arena_contains(cs, text));
	}
	assert_true(arena_contains(cs, "secret-message-24"));
	chat_store_destroy(cs);
}

static void test_byte_bound_and_wrap(void **state)
{
	(void)state;
	struct chat_store *cs;
	char text[300];
	assert_int_equal(chat_store_create(2048, 1000, &cs), 0);
	for (int i = 0; i < 100; i++) {
		memset(text, 'a' + i % 26, sizeof(text));
		snprintf(text, 20, "msg%03d:", i);
		text[19] = 'x';
		assert_int_equal(chat_store_add(cs, i, "bob", NULL, text, 200 + i % 50, 0), 0);
		/* Newest is always retrievable and intact. */
		struct chat_msg m;
		assert_int_equal(chat_store_get(cs, chat_store_count(cs) - 1, &m), 0);
		assert_int_equal(m.time_us, i);
		assert_memory_equal(m.text, text, m.text_len);
	}
	assert_true(chat_store_count(cs) >= 5 && chat_store_count(cs) <= 10);
	assert_false(arena_contains(cs, "msg000:"));
	assert_false(arena_contains(cs, "msg050:"));
	/* Too big to ever fit. */
	char *big = calloc(1, 4096);
	memset(big, 'z', 4095);
	assert_int_equal(chat_store_add(cs, 0, "x", NULL, big, 4095, 0), -EMSGSIZE);
	free(big);
	chat_store_destroy(cs);
}

static void test_clear_wipes_everything(void **state)
{
	(void)state;
	struct chat_store *cs;
	assert_int_equal(chat_store_create(8192, 100, &cs), 0);
	for (int i = 0; i < 50; i++)
		add(cs, "carol", "the launch code is 0000", 0);
	chat_store_clear(cs);
	assert_int_equal(chat_store_count(cs), 0);
	size_t len;
	const uint8_t *a = chat_store_arena(cs, &len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(a[i], 0);
	assert_int_equal(add(cs, "carol", "again", 0), 0);
	assert_int_equal(chat_store_count(cs), 1);
	chat_store_destroy(cs);
}

/* Random workload: after every step, arena bytes outside live records are all zero. */
static void test_invariant_random(void **state)
{
	(void)state;
	struct chat_store *cs;
	uint32_t x = 99;
	assert_int_equal(chat_store_create(3000, 17, &cs), 0);
	char text[700];
	for (int step = 0; step < 3000; step++) {
		x = x * 1664525u + 1013904223u;
		size_t n = 1 + (x >> 8) % (sizeof(text) - 1);
		memset(text, 'A' + (int)(x % 26), n);
		chat_store_add(cs, step, "p", (x & 1) ? "q" : NULL, text, n, 0);
		if (step % 500 == 499)
			chat_store_clear(cs);
		size_t len;
		const uint8_t *a = chat_store_arena(cs, &len);
		uint8_t *live = calloc(1, len);
		for (unsigned i = 0; i < chat_store_count(cs); i++) {
			struct chat_msg m;
			chat_store_get(cs, i, &m);
			size_t start = (size_t)((const uint8_t *)m.from - a) - 24; /* record header */
			size_t end = (size_t)((const uint8_t *)m.text - a) + m.text_len + 1;
			if (end > len)
				fail_msg("step %d rec %u start %zu end %zu count %u", step, i, start, end, chat_store_count(cs));
			memset(live + start, 1, end - start);
		}
		for (size_t i = 0; i < len; i++)
			if (!live[i] && a[i])
				fail_msg("step %d: stale byte at %zu", step, i);
		free(live);
	}
	chat_store_destroy(cs);
}

/* Raises or drops CAP_IPC_LOCK in the effective set (root keeps it permitted). */
static void ipc_lock_cap(bool on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	assert_int_equal(syscall(SYS_capget, &h, d), 0);
	if (on)
		d[0].effective |= d[0].permitted & (1u << CAP_IPC_LOCK);
	else
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
	assert_int_equal(syscall(SYS_capset, &h, d), 0);
}

static void test_lock_checked(void **state)
{
	(void)state;
	struct rlimit saved, rl;
	struct chat_store *cs;
	struct secmem_lock_info mem;
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &saved), 0);
	ipc_lock_cap(false);
	/* a limit that leaves room: locked, and the probe agrees */
	rl = saved;
	rl.rlim_cur = saved.rlim_max == RLIM_INFINITY || saved.rlim_max >= 8u << 20 ? 8u << 20
										      : saved.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	if (rl.rlim_cur >= 1u << 20) {
		assert_int_equal(chat_store_create(64 * 1024, 10, &cs), 0);
		assert_true(chat_store_locked(cs));
		chat_store_destroy(cs);
		assert_int_equal(secmem_lock_probe(64 * 1024, &mem), 0);
		assert_true(mem.ok);
	}
	/* no room at all: the store says so, the probe too (with the limit it saw) */
	rl.rlim_cur = 0;
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	assert_int_equal(chat_store_create(64 * 1024, 10, &cs), 0);
	assert_false(chat_store_locked(cs));
	assert_int_equal(add(cs, "a", "still works", 0), 0);
	chat_store_destroy(cs);
	assert_int_equal(secmem_lock_probe(64 * 1024, &mem), 0);
	assert_false(mem.ok);
	assert_false(mem.unlimited);
	assert_int_equal(mem.limit, 0);
	assert_int_equal(mem.need, 64 * 1024);
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &saved), 0);
	ipc_lock_cap(true);
	/* with the capability (root) the limit does not apply: the probe sees that */
	if (geteuid() == 0) {
		rl.rlim_cur = 0;
		assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
		assert_int_equal(secmem_lock_probe(64 * 1024, &mem), 0);
		assert_true(mem.ok && mem.unlimited);
		assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &saved), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_count_bound_and_eviction_wipes),
		cmocka_unit_test(test_byte_bound_and_wrap),
		cmocka_unit_test(test_clear_wipes_everything),
		cmocka_unit_test(test_invariant_random),
		cmocka_unit_test(test_lock_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
