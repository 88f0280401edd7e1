/* Unit tests for the screen layout (ui/layout.c): 80x24, the minimum size and just below it,
 * a large terminal, and every size from the minimum to 300x120: all panes inside the screen,
 * none overlapping, the chat pane the widest, rows accounted for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ui/layout.h"

static bool inside(const struct rect *r, int rows, int cols)
{
	return r->h == 0 || (r->y >= 0 && r->x >= 0 && r->y + r->h <= rows && r->x + r->w <= cols);
}

static bool overlap(const struct rect *a, const struct rect *b)
{
	if (!a->h || !a->w || !b->h || !b->w)
		return false;
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static void check(int rows, int cols, bool video)
{
	struct layout l;
	layout_compute(rows, cols, video, &l);
	assert_false(l.too_small);
	const struct rect *r[] = { &l.title, &l.chat, &l.vsep, &l.roster, &l.hsep, &l.video,
				   &l.status, &l.input };
	for (int i = 0; i < 8; i++) {
		assert_true(inside(r[i], rows, cols));
		for (int j = i + 1; j < 8; j++)
			assert_false(overlap(r[i], r[j]));
	}
	assert_int_equal(l.input.y, rows - 1);
	assert_int_equal(l.status.y, rows - 2);
	assert_int_equal(l.title.w, cols);
	assert_int_equal(l.chat.w + l.vsep.w + l.roster.w, cols);
	assert_true(l.chat.w > l.roster.w);
	assert_true(l.roster.h >= 3);
	assert_int_equal(l.chat.h, rows - 3);
	if (video) {
		assert_int_equal(l.roster.h + l.hsep.h + l.video.h, l.chat.h);
		assert_true(l.video.h >= 3 && l.video.w == l.roster.w);
	} else {
		assert_int_equal(l.video.h, 0);
		assert_int_equal(l.roster.h, l.chat.h);
	}
}

static void test_standard_sizes(void **state)
{
	struct layout l;
	(void)state;
	layout_compute(24, 80, true, &l);
	assert_false(l.too_small);
	assert_int_equal(l.roster.w, 20);
	assert_int_equal(l.chat.w, 59);
	check(24, 80, true);
	check(LAYOUT_MIN_ROWS, LAYOUT_MIN_COLS, true);
	check(50, 200, true);
	layout_compute(50, 200, true, &l);
	assert_int_equal(l.roster.w, 32); /* capped: the chat gets the rest */
}

static void test_too_small(void **state)
{
	struct layout l;
	(void)state;
	layout_compute(LAYOUT_MIN_ROWS - 1, 80, true, &l);
	assert_true(l.too_small);
	layout_compute(24, LAYOUT_MIN_COLS - 1, true, &l);
	assert_true(l.too_small);
	layout_compute(0, 0, false, &l);
	assert_true(l.too_small);
}

static void test_all_sizes(void **state)
{
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= 120; rows++)
		for (int cols = LAYOUT_MIN_COLS; cols <= 300; cols += 7) {
			check(rows, cols, true);
			check(rows, cols, false);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standard_sizes),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_all_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
