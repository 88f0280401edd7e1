/* Unit tests for the input line editor (ui/editor.c): UTF-8 aware moves and deletes, the
 * readline kills (Ctrl-U/K/W), history browsing that keeps the line being typed, the length
 * limit, horizontal scrolling that always keeps the cursor in the field, name completion,
 * and control characters never entering the line. */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/cell.h"
#include "ui/editor.h"

static struct editor *ed;

static int setup(void **state)
{
	(void)state;
	return editor_create(10, &ed);
}

static int teardown(void **state)
{
	(void)state;
	editor_destroy(ed);
	return 0;
}

static void type(const char *s)
{
	assert_int_equal(editor_insert(ed, s, strlen(s)), 0);
}

static void assert_line(const char *want)
{
	size_t len;
	const char *t = editor_text(ed, &len);
	assert_int_equal(len, strlen(want));
	assert_string_equal(t, want);
}

static void test_insert_and_move(void **state)
{
	(void)state;
	editor_clear(ed);
	type("héllo");
	assert_int_equal(editor_cursor(ed), 6);
	assert_true(editor_apply(ed, EDITOR_LEFT));
	assert_true(editor_apply(ed, EDITOR_LEFT));
	assert_true(editor_apply(ed, EDITOR_LEFT));
	assert_true(editor_apply(ed, EDITOR_LEFT)); /* before é: 2 bytes back */
	assert_int_equal(editor_cursor(ed), 1);
	type("世");
	assert_line("h世éllo");
	assert_true(editor_apply(ed, EDITOR_BACKSPACE));
	assert_line("héllo");
	assert_true(editor_apply(ed, EDITOR_DELETE));
	assert_line("hllo");
	assert_true(editor_apply(ed, EDITOR_END));
	assert_false(editor_apply(ed, EDITOR_RIGHT)); /* nothing past the end */
	assert_true(editor_apply(ed, EDITOR_HOME));
	assert_false(editor_apply(ed, EDITOR_BACKSPACE));
	assert_int_equal(editor_cursor(ed), 0);
	/* a combining accent goes with its letter */
	editor_clear(ed);
	type("ae\xcc\x81");
	assert_true(editor_apply(ed, EDITOR_BACKSPACE));
	assert_line("a");
}

static void test_kills(void **state)
{
	(void)state;
	editor_clear(ed);
	type("one two  three");
	assert_true(editor_apply(ed, EDITOR_KILL_WORD));
	assert_line("one two  ");
	assert_true(editor_apply(ed, EDITOR_KILL_WORD)); /* spaces, then the word */
	assert_line("one ");
	type("four five");
	assert_true(editor_apply(ed, EDITOR_WORD_LEFT));
	assert_int_equal(editor_cursor(ed), strlen("one four "));
	assert_true(editor_apply(ed, EDITOR_KILL_END));
	assert_line("one four ");
	assert_true(editor_apply(ed, EDITOR_WORD_LEFT));
	assert_true(editor_apply(ed, EDITOR_KILL_START));
	assert_line("four ");
	assert_int_equal(editor_cursor(ed), 0);
	assert_true(editor_apply(ed, EDITOR_WORD_RIGHT));
	assert_int_equal(editor_cursor(ed), 4);
}

static void test_history(void **state)
{
	(void)state;
	editor_clear(ed);
	type("first");
	editor_commit(ed);
	assert_line("");
	type("second");
	editor_commit(ed);
	type("second");
	editor_commit(ed); /* the same line twice is kept once */
	editor_commit(ed); /* empty lines are not kept */
	type("draft");
	assert_true(editor_apply(ed, EDITOR_HIST_PREV));
	assert_line("second");
	assert_true(editor_apply(ed, EDITOR_HIST_PREV));
	assert_line("first");
	assert_false(editor_apply(ed, EDITOR_HIST_PREV)); /* nothing older */
	assert_line("first");
	assert_true(editor_apply(ed, EDITOR_HIST_NEXT));
	assert_line("second");
	assert_true(editor_apply(ed, EDITOR_HIST_NEXT));
	assert_line("draft"); /* the line being typed comes back */
	assert_false(editor_apply(ed, EDITOR_HIST_NEXT));
	/* the history is bounded: 10 lines */
	for (int i = 0; i < 25; i++) {
		char b[16];
		snprintf(b, sizeof(b), "line %d", i);
		editor_clear(ed);
		type(b);
		editor_commit(ed);
	}
	int back = 0;
	while (editor_apply(ed, EDITOR_HIST_PREV))
		back++;
	assert_int_equal(back, 10);
	assert_line("line 15");
	editor_clear(ed);
}

static void test_limit_and_controls(void **state)
{
	char big[EDITOR_MAX + 2];
	(void)state;
	editor_clear(ed);
	memset(big, 'x', sizeof(big));
	assert_int_equal(editor_insert(ed, big, EDITOR_MAX), 0);
	assert_int_equal(editor_insert(ed, "y", 1), -EMSGSIZE);
	size_t len;
	editor_text(ed, &len);
	assert_int_equal(len, EDITOR_MAX);
	editor_clear(ed);
	type("a\x1b[31mb\tc\x07\xc2\x9b" "d\r\n");
	assert_line("a[31mbcd"); /* ESC, TAB, BEL, C1 CSI, CR, LF dropped */
	type("\xe2\x80\xae"); /* right-to-left override: dropped */
	assert_line("a[31mbcd");
	editor_clear(ed);
}

static void test_view_keeps_cursor_visible(void **state)
{
	(void)state;
	srand(3);
	editor_clear(ed);
	for (int round = 0; round < 3000; round++) {
		int r = rand() % 10;
		if (r < 4)
			type(rand() % 2 ? "世" : "ab ");
		else
			editor_apply(ed, (enum editor_op)(rand() % (EDITOR_KILL_WORD + 1)));
		size_t width = 4 + (size_t)(rand() % 20), first, col, len;
		bool ascii = rand() % 4 == 0;
		const char *t = editor_text(ed, &len);
		editor_view(ed, width, ascii, &first, &col);
		assert_true(first <= editor_cursor(ed));
		assert_true(col < width);
		assert_int_equal(col, cell_width(t + first, editor_cursor(ed) - first, ascii));
		if (cell_width(t, len, ascii) < width)
			assert_int_equal(first, 0);
		if (len > 400)
			editor_clear(ed);
	}
	editor_clear(ed);
}

static void test_complete(void **state)
{
	const char *names[] = { "Alice", "alfred", "Bob", "Zoë «b»" };
	size_t m[4], shown = 99;
	(void)state;
	editor_clear(ed);
	type("bo");
	assert_int_equal(editor_complete(ed, names, 4, m, &shown), 1);
	assert_int_equal(shown, 2);
	assert_line("Bob: "); /* at the start of the line: "Name: " */
	assert_false(editor_completing(ed));
	type("hi ali");
	assert_int_equal(editor_complete(ed, names, 4, NULL, NULL), 1);
	assert_line("Bob: hi Alice ");
	type("zo");
	assert_int_equal(editor_complete(ed, names, 4, NULL, NULL), 1);
	assert_line("Bob: hi Alice Zoë «b» ");
	type("q");
	assert_int_equal(editor_complete(ed, names, 4, NULL, NULL), 0);
	assert_line("Bob: hi Alice Zoë «b» q");
	editor_clear(ed);
}

/* Two names sharing a prefix: Tab inserts the first, Tab again the next, then the first
 * again; any other key ends the cycle and Tab starts from the word before the cursor. */
static void test_complete_cycles(void **state)
{
	const char *names[] = { "Alice", "alfred", "Bob", "Zoë «b»" };
	size_t m[4], shown = 99;
	(void)state;
	editor_clear(ed);
	type("al");
	assert_int_equal(editor_complete(ed, names, 4, m, &shown), 2);
	assert_int_equal(m[0], 0);
	assert_int_equal(m[1], 1);
	assert_int_equal(shown, 0);
	assert_line("Alice: ");
	assert_true(editor_completing(ed));
	assert_int_equal(editor_complete(ed, names, 4, m, &shown), 2);
	assert_int_equal(shown, 1);
	assert_line("alfred: ");
	assert_int_equal(editor_complete(ed, names, 4, m, &shown), 2);
	assert_int_equal(shown, 0);
	assert_line("Alice: ");
	type("hi a");
	assert_false(editor_completing(ed));
	assert_int_equal(editor_complete(ed, names, 4, NULL, NULL), 2);
	assert_line("Alice: hi Alice ");
	assert_int_equal(editor_complete(ed, names, 4, NULL, NULL), 2);
	assert_line("Alice: hi alfred ");
	/* a name with spaces is replaced whole on the next Tab */
	editor_clear(ed);
	const char *spaced[] = { "Zoë «b»", "zoe" };
	type("z");
	assert_int_equal(editor_complete(ed, spaced, 2, NULL, NULL), 2);
	assert_line("Zoë «b»: ");
	assert_int_equal(editor_complete(ed, spaced, 2, NULL, NULL), 2);
	assert_line("zoe: ");
	editor_apply(ed, EDITOR_LEFT);
	assert_false(editor_completing(ed));
	editor_clear(ed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_and_move),
		cmocka_unit_test(test_kills),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_limit_and_controls),
		cmocka_unit_test(test_view_keeps_cursor_visible),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_complete_cycles),
	};
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
