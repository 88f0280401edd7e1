/* Unit tests for net/lockpool: a TextRoom chat message parsed by jansson with the pool behind
 * json_set_alloc_funcs lies in locked pages; blocks are overwritten when freed; memory goes
 * back after a peak; several threads at once; heap pointers are still freed right; and with
 * no right to lock (RLIMIT_MEMLOCK 0 and no CAP_IPC_LOCK, in a forked child) the pool still
 * works and counts what it could not lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/vmlck.h"

#include <jansson.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/lockpool.h"

#define CHAT_MSG                                                                               \
	"{\"textroom\":\"message\",\"room\":1234,\"from\":\"u-4711-alice\",\"date\":"         \
	"\"2026-12-06T09:00:00+0000\",\"text\":\"meet me at the usual place at nine, bring "  \
	"the papers\",\"whisper\":false}"

/* Whether this process may lock a few hundred KB (root, or a limit that allows it). */
static bool may_lock(void)
{
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	return geteuid() == 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (1 << 20);
}

static int setup(void **state)
{
	(void)state;
	json_set_alloc_funcs(lockpool_alloc, lockpool_free);
	return 0;
}

/* The object, its keys' strings and the message text all lie in the pool, locked. */
static void test_json_chat_message_is_locked(void **state)
{
	struct lockpool_stats st0, st;
	(void)state;
	lockpool_get_stats(&st0);
	json_t *m = json_loads(CHAT_MSG, 0, NULL);
	assert_non_null(m);
	const char *text = json_string_value(json_object_get(m, "text"));
	assert_non_null(text);
	assert_true(lockpool_owns(m));
	assert_true(lockpool_owns(text));
	assert_true(lockpool_owns(json_object_get(m, "text")));
	if (may_lock()) {
		assert_true(lockpool_is_locked(m));
		assert_true(lockpool_is_locked(text));
		assert_true(vm_locked_kb() >= LOCKPOOL_CHUNK / 1024);
	}
	char *dump = json_dumps(m, JSON_COMPACT); /* the text a chat send is made of */
	assert_non_null(dump);
	assert_true(lockpool_owns(dump));
	lockpool_free(dump);
	json_decref(m);
	lockpool_get_stats(&st);
	assert_int_equal(st.live, st0.live); /* everything jansson made went back */
	assert_true(st.chunks >= 1);
}

/* A freed block is overwritten: the next block of its class (the same one) holds zeros. */
static void test_wiped_on_free(void **state)
{
	(void)state;
	uint8_t *p = lockpool_alloc(100);
	assert_non_null(p);
	memset(p, 'A', 100);
	lockpool_free(p);
	uint8_t *q = lockpool_alloc(120); /* same class (128), last freed first */
	assert_ptr_equal(q, p);
	for (size_t i = 0; i < 128; i++)
		assert_int_equal(q[i], 0);
	lockpool_free(q);

	/* a message text of jansson: gone from its block after json_decref. The string and its
	 * json_t are both 32-byte blocks; the next two of that class are those two. */
	json_t *s = json_string("zq-secret-words-zq");
	uintptr_t where = (uintptr_t)json_string_value(s);
	json_decref(s);
	char *a = lockpool_alloc(32), *b = lockpool_alloc(32);
	assert_true((uintptr_t)a == where || (uintptr_t)b == where);
	assert_null(memmem(a, 32, "secret", 6));
	assert_null(memmem(b, 32, "secret", 6));
	lockpool_free(a);
	lockpool_free(b);
}

/* Big allocations get their own locked pages and are returned when freed. */
static void test_big(void **state)
{
	struct lockpool_stats st0, st;
	(void)state;
	lockpool_get_stats(&st0);
	uint8_t *p = lockpool_alloc(20000);
	assert_non_null(p);
	memset(p, 7, 20000);
	assert_true(lockpool_owns(p + 19999));
	if (may_lock())
		assert_true(lockpool_is_locked(p));
	lockpool_get_stats(&st);
	assert_int_equal(st.bigs, st0.bigs + 1);
	assert_true(st.bytes >= st0.bytes + 20000);
	lockpool_free(p);
	lockpool_get_stats(&st);
	assert_int_equal(st.bigs, st0.bigs);
	assert_int_equal(st.bytes, st0.bytes);
	assert_false(lockpool_owns(p));
	assert_null(lockpool_alloc(0));
}

/* After a peak (a big participants list parsed), the chunks go back: at most one per class. */
static void test_bounded_after_a_peak(void **state)
{
	enum { N = 20000 };
	struct lockpool_stats st;
	(void)state;
	void **v = malloc(N * sizeof(*v));
	assert_non_null(v);
	for (int i = 0; i < N; i++) {
		v[i] = lockpool_alloc(16u << (i % 6)); /* 16..512 */
		assert_non_null(v[i]);
	}
	lockpool_get_stats(&st);
	assert_true(st.bytes > 2 * 1024 * 1024);
	for (int i = 0; i < N; i++)
		lockpool_free(v[i]);
	free(v);
	lockpool_get_stats(&st);
	assert_true(st.chunks <= 9);
	assert_int_equal(st.bigs, 0);
	assert_true(st.bytes <= 9 * LOCKPOOL_CHUNK);
}

/* Heap memory (jansson's before the hook was set) is freed through free(). ASan would say. */
static void test_heap_pointer_goes_to_free(void **state)
{
	(void)state;
	char *h = malloc(40);
	assert_non_null(h);
	strcpy(h, "made by malloc");
	assert_false(lockpool_owns(h));
	lockpool_free(h);
	lockpool_free(NULL);
}

struct worker {
	unsigned seed;
	int bad;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	void *held[64] = { 0 };
	size_t len[64] = { 0 };
	for (int i = 0; i < 40000; i++) {
		unsigned r = rand_r(&w->seed);
		int k = (int)(r % 64);
		if (held[k]) {
			/* what we wrote is still there: nobody else was given the block */
			const uint8_t *p = held[k];
			for (size_t j = 0; j < len[k]; j++)
				if (p[j] != (uint8_t)(k + len[k]))
					w->bad++;
			if (i % 3 == 0) {
				json_t *o = json_loads(CHAT_MSG, 0, NULL);
				if (!o)
					w->bad++;
				json_decref(o);
			}
			lockpool_free(held[k]);
			held[k] = NULL;
		} else {
			len[k] = 1 + (r >> 8) % (r & 1 ? 6000 : 700);
			held[k] = lockpool_alloc(len[k]);
			if (!held[k])
				w->bad++;
			else
				memset(held[k], (uint8_t)(k + len[k]), len[k]);
		}
	}
	for (int k = 0; k < 64; k++)
		lockpool_free(held[k]);
	return NULL;
}

static void test_threads(void **state)
{
	enum { T = 4 };
	pthread_t t[T];
	struct worker w[T];
	struct lockpool_stats st0, st;
	(void)state;
	lockpool_get_stats(&st0);
	for (int i = 0; i < T; i++) {
		w[i] = (struct worker){ .seed = 1234u + (unsigned)i };
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < T; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
	}
	lockpool_get_stats(&st);
	assert_int_equal(st.live, st0.live);
	assert_int_equal(st.bigs, st0.bigs);
}

/* Drops CAP_IPC_LOCK from this process (the child's), so RLIMIT_MEMLOCK applies to root too. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	d[0].effective &= ~(1u << CAP_IPC_LOCK);
	d[0].permitted &= ~(1u << CAP_IPC_LOCK);
	d[0].inheritable &= ~(1u << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d) < 0 ? -1 : 0;
}

/* With RLIMIT_MEMLOCK 0 the pool still allocates, parses and wipes, says it is not locked and
 * counts it (the session's "not locked" notice reads that count). In a child: the limit and
 * the capability stay changed. */
static void test_unlocked_fallback(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct lockpool_stats st0, st;
		if (drop_ipc_lock() < 0 || setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ 0, 0 }) < 0)
			_exit(10);
		lockpool_get_stats(&st0);
		/* a big one and a class the parent never used make new, unlockable memory */
		char *big = lockpool_alloc(9000);
		if (!big)
			_exit(11);
		memset(big, 'x', 8999);
		big[8999] = '\0';
		json_t *m = json_pack("{ss}", "text", big);
		if (!m || lockpool_is_locked(big) || !lockpool_owns(big))
			_exit(12);
		const char *t = json_string_value(json_object_get(m, "text"));
		if (!t || strlen(t) != 8999 || lockpool_is_locked(t))
			_exit(13);
		json_decref(m);
		lockpool_free(big);
		lockpool_get_stats(&st);
		if (st.unlocked < st0.unlocked + 2 || st.live != st0.live)
			_exit(14);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_chat_message_is_locked),
		cmocka_unit_test(test_wiped_on_free),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_bounded_after_a_peak),
		cmocka_unit_test(test_heap_pointer_goes_to_free),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_unlocked_fallback),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
