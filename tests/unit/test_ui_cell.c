/* Unit tests for terminal cell widths (ui/cell.c): ASCII, Latin, CJK and emoji widths,
 * invisible characters dropped, combining marks glued to their base (and dropped without
 * one), cutting without splitting characters, what reaches curses (cell_render), the ASCII
 * transliteration, cursor steps, and random byte strings that must never exceed the limit. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/cell.h"

static size_t w(const char *s)
{
	return cell_width(s, strlen(s), false);
}

static size_t wa(const char *s)
{
	return cell_width(s, strlen(s), true);
}

static void test_widths(void **state)
{
	(void)state;
	assert_int_equal(w(""), 0);
	assert_int_equal(w("hello"), 5);
	assert_int_equal(w("Grüße"), 5);
	assert_int_equal(w("世界"), 4);            /* two wide characters */
	assert_int_equal(w("a🎉b"), 4);            /* an emoji is wide */
	assert_int_equal(w("e\xcc\x81"), 1);       /* e + combining acute */
	assert_int_equal(w("\xcc\x81" "e"), 1);    /* an orphan combining mark is dropped */
	assert_int_equal(w("a\xe2\x80\x8d" "b"), 2); /* ZWJ dropped */
	assert_int_equal(w("\xe2\x9d\xa4\xef\xb8\x8f"), 1); /* heart + VS16: the selector dropped */
	assert_int_equal(w("a\x1b[31mb"), 6);      /* ESC dropped, the rest is plain text */
	assert_int_equal(w("\xff\xfe"), 2);        /* invalid bytes: one U+FFFD cell each */
}

static void test_ascii_mode(void **state)
{
	char buf[2];
	(void)state;
	assert_int_equal(wa("Grüße"), 7); /* Gruesse */
	assert_string_equal(cell_ascii(0xE4, buf), "ae");
	assert_string_equal(cell_ascii(0x219, buf), "s");   /* ș */
	assert_string_equal(cell_ascii(0x2014, buf), "-");  /* — */
	assert_string_equal(cell_ascii(0x2026, buf), "..."); /* … */
	assert_string_equal(cell_ascii(0x4E16, buf), "?");  /* 世 */
	assert_string_equal(cell_ascii('x', buf), "x");
	assert_int_equal(wa("世界"), 2);
	assert_int_equal(wa("e\xcc\x81"), 1);  /* the combining mark is dropped */
}

static void test_render(void **state)
{
	wchar_t out[64];
	size_t cells;
	(void)state;
	size_t n = cell_render("a世b", strlen("a世b"), 10, false, out, 64, &cells);
	assert_int_equal(n, 3);
	assert_int_equal(cells, 4);
	assert_true(out[0] == L'a' && out[1] == 0x4E16 && out[2] == L'b' && out[3] == 0);
	/* a wide character that does not fit is left out, not cut in half */
	n = cell_render("a世b", strlen("a世b"), 2, false, out, 64, &cells);
	assert_int_equal(n, 1);
	assert_int_equal(cells, 1);
	/* ASCII mode: only bytes below 0x80 come out */
	n = cell_render("Zoë «x»", strlen("Zoë «x»"), 40, true, out, 64, &cells);
	for (size_t i = 0; i < n; i++)
		assert_true(out[i] >= 0x20 && out[i] < 0x7F);
	assert_int_equal(cells, n);
	assert_true(!wcscmp(out, L"Zoe \"x\""));
	/* combining marks follow their base even at the cut */
	n = cell_render("e\xcc\x81x", 4, 1, false, out, 64, &cells);
	assert_int_equal(n, 2);
	assert_true(out[0] == L'e' && out[1] == 0x301);
	/* unprintable code points (unassigned) become '?' */
	n = cell_render("\xf3\xa0\x80\x80", 4, 5, false, out, 64, &cells); /* U+E0000: dropped */
	assert_int_equal(n, 0);
	n = cell_render("\xef\xbf\xbe", 3, 5, false, out, 64, &cells); /* U+FFFE noncharacter */
	assert_int_equal(n, 1);
	assert_int_equal(cells, 1);
	assert_true(out[0] == L'?');
}

static void test_fit(void **state)
{
	size_t used;
	(void)state;
	assert_int_equal(cell_fit("hello", 5, 3, false, &used), 3);
	assert_int_equal(used, 3);
	assert_int_equal(cell_fit("世界", 6, 3, false, &used), 3); /* one wide char */
	assert_int_equal(used, 2);
	assert_int_equal(cell_fit("世界", 6, 1, false, &used), 0);
	assert_int_equal(cell_fit("e\xcc\x81" "f", 4, 1, false, &used), 3); /* é whole */
}

static void test_steps(void **state)
{
	const char *s = "ae\xcc\x81世";
	size_t n = strlen(s);
	(void)state;
	assert_int_equal(cell_next(s, n, 0), 1);
	assert_int_equal(cell_next(s, n, 1), 4); /* e and its accent together */
	assert_int_equal(cell_next(s, n, 4), 7);
	assert_int_equal(cell_next(s, n, 7), 7);
	assert_int_equal(cell_prev(s, n, 7), 4);
	assert_int_equal(cell_prev(s, n, 4), 1);
	assert_int_equal(cell_prev(s, n, 1), 0);
	assert_int_equal(cell_prev(s, n, 0), 0);
	/* invalid bytes step one at a time */
	assert_int_equal(cell_prev("\x80\x80", 2, 2), 1);
}

static void test_random_bytes_stay_inside(void **state)
{
	char buf[64];
	wchar_t out[256];
	(void)state;
	srand(42);
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand() % (int)sizeof(buf));
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(rand() % 4 ? rand() % 256 : 0xC0 + rand() % 0x30);
		size_t max = (size_t)(rand() % 20), cells, used;
		bool ascii = rand() % 2;
		size_t k = cell_render(buf, n, max, ascii, out, 256, &cells);
		assert_true(cells <= max);
		assert_true(k < 256);
		for (size_t i = 0; i < k; i++) {
			assert_true(out[i] >= 0x20);
			assert_true(out[i] != 0x7F && out[i] != 0x1B);
			assert_false(out[i] >= 0x80 && out[i] < 0xA0);
			if (ascii)
				assert_true(out[i] < 0x7F);
		}
		size_t fit = cell_fit(buf, n, max, ascii, &used);
		assert_true(fit <= n && used <= max);
		assert_int_equal(used, cells);
		size_t off = 0;
		for (int steps = 0; off < n; steps++) {
			size_t nx = cell_next(buf, n, off);
			assert_true(nx > off && steps <= (int)n);
			off = nx;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_ascii_mode),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_random_bytes_stay_inside),
	};
	/* Widths come from the locale's table, as in the program (C.UTF-8 is built into glibc). */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
