/* Unit tests for src/secmem's locking of the copies a message passes through: the stack below
 * the caller is locked (a deeper function's locals lie in a locked mapping), and after
 * secmem_json_setup jansson's objects and json_dumps' text are locked pool memory that
 * secmem_json_free takes back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/vmlck.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "net/lockpool.h"
#include "src/secmem.h"

/* "Locked:" of the mapping holding address a (/proc/self/smaps), in kB; -1 if not found. */
static long locked_kb_at(uintptr_t a)
{
	char line[512];
	long kb = -1;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		uintmax_t lo, hi;
		if (sscanf(line, "%jx-%jx ", &lo, &hi) == 2) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && sscanf(line, "Locked: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static bool may_lock(void)
{
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	return geteuid() == 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (1 << 20);
}

/* A frame some calls deeper than the test, as a message's handling is below main. */
static __attribute__((noinline)) long deeper(int depth)
{
	volatile char local[2048];
	local[0] = (char)depth;
	if (depth > 0)
		return deeper(depth - 1) + local[0];
	return locked_kb_at((uintptr_t)&local[0]);
}

static void test_stack_locked(void **state)
{
	(void)state;
	if (!may_lock())
		skip(); /* an unprivileged run under a small limit: nothing to see */
	long before = vm_locked_kb();
	assert_int_equal(secmem_lock_stack(SECMEM_STACK_BYTES), 0);
	assert_true(vm_locked_kb() >= before + SECMEM_STACK_BYTES / 1024);
	assert_true(deeper(20) > 0); /* ~40 KB down: its mapping is locked */
}

static void test_json_in_the_pool(void **state)
{
	(void)state;
	secmem_json_setup();
	json_t *m = json_pack("{ss ss}", "textroom", "message", "text", "a chat line");
	assert_non_null(m);
	assert_true(lockpool_owns(m));
	assert_true(lockpool_owns(json_string_value(json_object_get(m, "text"))));
	char *s = json_dumps(m, JSON_COMPACT);
	assert_non_null(s);
	assert_true(lockpool_owns(s));
	if (may_lock())
		assert_true(lockpool_is_locked(s));
	secmem_json_free(s);
	json_decref(m);
	char *h = malloc(16); /* heap memory is still taken back (free()) */
	assert_non_null(h);
	secmem_json_free(h);
	secmem_json_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_locked),
		cmocka_unit_test(test_json_in_the_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
