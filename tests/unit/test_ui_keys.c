/* --help lists every key the terminal UI handles: the keys are read from ui/input.c's source
 * (KEY_F(n), CTRL('x'), KEY_* constants, Alt-<letter> in alt_key()) and each one's name must
 * be in cli_usage()'s text. A key added to input.c without a line in --help fails here. The
 * sequence table of csi_key() (what unknown escape sequences map to) is left out: it only
 * translates, it handles nothing. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "src/cli.h"

static char *usage_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	cli_usage(f);
	fclose(f);
	return buf;
}

/* ui/input.c without csi_key(): a translation table, not keys handled. */
static void input_source(char **out)
{
	gboolean ok = g_file_get_contents(TTM_SOURCE_DIR "/ui/input.c", out, NULL, NULL);
	assert_true(ok);
	char *a = strstr(*out, "static int csi_key(");
	assert_non_null(a);
	char *b = strstr(a, "\n}\n");
	assert_non_null(b);
	memmove(a, b + 3, strlen(b + 3) + 1);
}

static const struct { const char *constant, *name; } named[] = {
	{ "KEY_PPAGE", "PgUp" }, { "KEY_NPAGE", "PgDn" }, { "KEY_HOME", "Home" },
	{ "KEY_END", "End" }, { "KEY_UP", "Up" }, { "KEY_DOWN", "Down" }, { "KEY_LEFT", "Left" },
	{ "KEY_RIGHT", "Right" }, { "KEY_DC", "Delete" }, { "KEY_BACKSPACE", "Backspace" },
	{ "KEY_ENTER", "Enter" },
};
/* not keys a user presses */
static const char *const ignored[] = { "KEY_RESIZE", "KEY_CODE_YES", "KEY_MIN", "KEY_F" };

static void need(const char *usage, const char *name, const char *why)
{
	if (!strstr(usage, name))
		fail_msg("--help does not name %s (ui/input.c: %s)", name, why);
}

static void test_help_lists_every_key(void **state)
{
	(void)state;
	char *usage = usage_text(), *src = NULL;
	input_source(&src);
	char name[32];
	unsigned found = 0;
	for (const char *p = src; (p = strstr(p, "KEY_F(")); p++) {
		snprintf(name, sizeof(name), "F%d", atoi(p + 6));
		need(usage, name, "KEY_F");
		found++;
	}
	for (const char *p = src; (p = strstr(p, "CTRL('")); p++) {
		char c = (char)toupper((unsigned char)p[6]);
		if (c == 'I')
			snprintf(name, sizeof(name), "Tab");
		else
			snprintf(name, sizeof(name), "Ctrl-%c", c);
		need(usage, name, "CTRL");
		found++;
	}
	for (const char *p = src; (p = strstr(p, "KEY_")); p++) {
		char constant[32];
		size_t n = 0;
		while (n < sizeof(constant) - 1 && (isupper((unsigned char)p[n]) || p[n] == '_' ||
						      isdigit((unsigned char)p[n])))
			constant[n] = p[n], n++;
		constant[n] = '\0';
		bool skip = false, known = false;
		for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
			skip |= !strcmp(constant, ignored[i]);
		for (size_t i = 0; !skip && i < sizeof(named) / sizeof(named[0]); i++)
			if (!strcmp(constant, named[i].constant)) {
				need(usage, named[i].name, constant);
				known = true;
			}
		if (!skip && !known)
			fail_msg("ui/input.c handles %s: give it a name in this test and --help",
				 constant);
		found++;
	}
	/* Alt-<letter>: the letters alt_key() compares with */
	const char *a = strstr(src, "static void alt_key(");
	assert_non_null(a);
	const char *end = strstr(a, "\n}\n");
	for (const char *p = a; (p = strstr(p, "ch == '")) && p < end; p++) {
		snprintf(name, sizeof(name), "Alt-%c", toupper((unsigned char)p[7]));
		need(usage, name, "alt_key");
		found++;
	}
	need(usage, "Esc", "27");
	assert_true(found > 30); /* the scan found the keys at all */
	g_free(src);
	free(usage);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_lists_every_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
