/* VmLck of this process from /proc/self/status, in kB (-1 when not found), for the unit tests
 * of locked memory (net/lockbuf, net/lockpool, src/secmem). Include after <cmocka.h>. */
#ifndef TTM_TESTS_UNIT_VMLCK_H
#define TTM_TESTS_UNIT_VMLCK_H

#include <stdio.h>

static inline long vm_locked_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

#endif
