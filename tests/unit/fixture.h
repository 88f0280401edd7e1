/* Reading the protocol fixtures under tests/fixtures/ in unit tests. Header only: one test
 * program per file; include it after <cmocka.h> (it fails the test with cmocka's asserts). */
#ifndef TTM_TESTS_UNIT_FIXTURE_H
#define TTM_TESTS_UNIT_FIXTURE_H

#include <stdio.h>

/* tests/fixtures/<dir>/<name> as a string without its trailing line breaks, in a buffer the
 * next call overwrites (64 KiB at the most); fails the test if the file cannot be opened. */
static char *fixture_read(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/fixtures/%s/%s", TTM_SOURCE_DIR, dir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return buf;
}

#endif
