/* Unit tests for net/lockbuf: the buffer is usable, locked where the limit allows (seen in
 * the process's VmLck), and its lock is released when it is freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/vmlck.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "net/lockbuf.h"

static void test_locked_and_released(void **state)
{
	struct rlimit rl;
	bool locked = false;
	long before = vm_locked_kb();
	uint8_t *p;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	p = lockbuf_alloc(3 * 4096, &locked);
	assert_non_null(p);
	for (size_t i = 0; i < 3 * 4096; i++)
		assert_int_equal(p[i], 0);
	memset(p, 0x5a, 3 * 4096);
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 64 * 1024) {
		assert_true(locked);
		assert_true(vm_locked_kb() >= before + 12);
	}
	lockbuf_free(p, 3 * 4096);
	assert_int_equal(vm_locked_kb(), before);
	assert_null(lockbuf_alloc(0, &locked));
	assert_false(locked);
	lockbuf_free(NULL, 10);
}

/* Without room to lock, the buffer still works and says it is not locked. */
static void test_unlocked_when_the_limit_says_so(void **state)
{
	struct rlimit rl;
	bool locked = true;
	uint8_t *p;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	if (setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ 0, rl.rlim_max }) != 0)
		return;
	p = lockbuf_alloc(4096, &locked);
	assert_non_null(p);
	p[4095] = 1;
	/* root keeps CAP_IPC_LOCK and may still lock: only an unprivileged run must see false */
	if (geteuid() != 0)
		assert_false(locked);
	lockbuf_free(p, 4096);
	assert_int_equal(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locked_and_released),
		cmocka_unit_test(test_unlocked_when_the_limit_says_so),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
