/* Unit tests for word wrapping (ui/wrap.c): soft breaks at spaces, hard breaks inside long
 * words, paragraphs (and which lines follow the sender's line breaks), a narrower first line,
 * wide characters at the edge, and a random-text property: every line fits, and no non-space
 * character is lost or duplicated. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/cell.h"
#include "ui/wrap.h"

#define MAXL 256

static struct wrap_line L[MAXL];

static size_t wrap(const char *s, size_t first, size_t width)
{
	size_t n = wrap_text(s, strlen(s), first, width, false, L, MAXL);
	assert_int_equal(n, wrap_text(s, strlen(s), first, width, false, NULL, 0));
	return n;
}

static void assert_line(const char *s, size_t i, const char *want)
{
	assert_int_equal(L[i].len, strlen(want));
	assert_memory_equal(s + L[i].off, want, L[i].len);
}

static void test_words(void **state)
{
	const char *s = "the quick brown fox jumps";
	(void)state;
	assert_int_equal(wrap(s, 10, 10), 3);
	assert_line(s, 0, "the quick");
	assert_line(s, 1, "brown fox");
	assert_line(s, 2, "jumps");
	assert_int_equal(wrap(s, 100, 100), 1);
	assert_line(s, 0, s);
}

static void test_long_word_and_first_width(void **state)
{
	const char *s = "abcdefghijkl mn";
	(void)state;
	assert_int_equal(wrap(s, 5, 5), 3);
	assert_line(s, 0, "abcde");
	assert_line(s, 1, "fghij");
	assert_line(s, 2, "kl mn");
	/* a narrow first line (after a name) and wider continuation lines */
	const char *t = "hello world again";
	assert_int_equal(wrap(t, 6, 20), 2);
	assert_line(t, 0, "hello");
	assert_line(t, 1, "world again");
}

static void test_paragraphs(void **state)
{
	const char *s = "one\n\ntwo three\n";
	(void)state;
	assert_int_equal(wrap(s, 20, 20), 3);
	assert_line(s, 0, "one");
	assert_line(s, 1, "");
	assert_line(s, 2, "two three");
	assert_int_equal(wrap("", 10, 10), 1);
	assert_int_equal(L[0].len, 0);
}

/* Which lines begin after the sender's own line break: the chat pane marks those (and soft
 * wraps) so that a message cannot draw a line that looks like another person's. */
static void test_hard_breaks_marked(void **state)
{
	const char *s = "hi\n<bob> send me your pin\n\nok";
	(void)state;
	assert_int_equal(wrap(s, 20, 12), 5);
	assert_line(s, 0, "hi");
	assert_false(L[0].hard);
	assert_line(s, 1, "<bob> send");
	assert_true(L[1].hard);
	assert_line(s, 2, "me your pin");
	assert_false(L[2].hard); /* a soft wrap */
	assert_line(s, 3, "");
	assert_true(L[3].hard);
	assert_line(s, 4, "ok");
	assert_true(L[4].hard);
	/* a paragraph that ended in spaces at a soft break: the next one is still hard */
	const char *t = "abcd    \nxy";
	assert_int_equal(wrap(t, 4, 4), 2);
	assert_line(t, 1, "xy");
	assert_true(L[1].hard);
}

static void test_wide_chars(void **state)
{
	const char *s = "世界世界世"; /* 10 cells */
	(void)state;
	assert_int_equal(wrap(s, 5, 5), 3); /* 2 per line: 4 cells, never half of one */
	assert_line(s, 0, "世界");
	/* a character wider than the line still goes somewhere */
	assert_int_equal(wrap("世", 1, 1), 1);
	assert_line("世", 0, "世");
}

static void test_random_property(void **state)
{
	static const char *pieces[] = { "a", "b", " ", " ", "é", "世", "\n", "e\xcc\x81", "xyz" };
	char s[200], seen[400];
	(void)state;
	srand(7);
	for (int round = 0; round < 5000; round++) {
		size_t n = 0;
		int k = rand() % 40;
		for (int i = 0; i < k; i++) {
			const char *p = pieces[rand() % 9];
			memcpy(s + n, p, strlen(p));
			n += strlen(p);
		}
		s[n] = 0;
		size_t first = 1 + (size_t)(rand() % 12), width = 2 + (size_t)(rand() % 12);
		size_t lines = wrap_text(s, n, first, width, false, L, MAXL);
		assert_true(lines >= 1 && lines <= MAXL);
		size_t m = 0;
		for (size_t i = 0; i < lines; i++) {
			size_t cw = cell_width(s + L[i].off, L[i].len, false);
			assert_true(cw <= (i ? width : first) || L[i].len == cell_next(s + L[i].off,
									       L[i].len, 0));
			assert_true(L[i].off + L[i].len <= n);
			assert_true(i == 0 || L[i].off >= L[i - 1].off + L[i - 1].len);
			for (size_t j = 0; j < L[i].len; j++)
				if (s[L[i].off + j] != ' ')
					seen[m++] = s[L[i].off + j];
		}
		size_t want = 0;
		for (size_t j = 0; j < n; j++) /* every non-space, non-newline byte, in order */
			if (s[j] != ' ' && s[j] != '\n')
				assert_true(want < m && seen[want++] == s[j]);
		assert_int_equal(want, m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_long_word_and_first_width),
		cmocka_unit_test(test_paragraphs),
		cmocka_unit_test(test_hard_breaks_marked),
		cmocka_unit_test(test_wide_chars),
		cmocka_unit_test(test_random_property),
	};
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
