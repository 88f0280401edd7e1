/* Unit tests for the screen layout (ui/layout.c): 60x18, 80x24 and 200x50 in every video size
 * (off, normal, large, full window), the minimum size and just below it, and every size from
 * the minimum to 300x120 in every video size and for three picture shapes: all panes inside
 * the screen, none overlapping, rows and columns accounted for, the chat keeping its minimum
 * width except in full window, the picture area keeping the picture's aspect on cells twice
 * as tall as wide. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ui/layout.h"

static const enum layout_video sizes[] = { LAYOUT_VIDEO_OFF, LAYOUT_VIDEO_NORMAL,
					   LAYOUT_VIDEO_LARGE, LAYOUT_VIDEO_FULL };

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

static bool empty(const struct rect *r)
{
	return r->h == 0 && r->w == 0;
}

/* The picture area (pane minus its title row) is within a cell of the shape a picture of
 * aspect a takes at the pane's width, unless the pane is held to fewer rows. */
static void check_aspect(const struct layout *l, double a)
{
	double want = l->video.w / (LAYOUT_CELL_ASPECT * a);
	int pic = l->video.h - 1;
	assert_true(pic <= want + 1.0);
	assert_true(pic >= want - 1.0 || pic + 1 == l->chat.h / 2 || l->roster.h ==
		    LAYOUT_ROSTER_MIN_ROWS || l->video.h == 3);
}

static void check(int rows, int cols, enum layout_video v, double aspect)
{
	struct layout l;
	layout_compute(rows, cols, v, aspect, &l);
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
	if (v == LAYOUT_VIDEO_FULL) {
		assert_true(empty(&l.chat) && empty(&l.roster) && empty(&l.vsep) &&
			    empty(&l.hsep));
		assert_int_equal(l.video.y, 1);
		assert_int_equal(l.video.h, rows - 3);
		assert_int_equal(l.video.w, cols);
		return;
	}
	assert_int_equal(l.chat.w + l.vsep.w + l.roster.w, cols);
	assert_true(l.chat.w >= LAYOUT_CHAT_MIN);
	assert_true(l.roster.w >= LAYOUT_SIDE_MIN);
	assert_true(l.roster.h >= 3);
	assert_int_equal(l.chat.h, rows - 3);
	if (v == LAYOUT_VIDEO_OFF) {
		assert_true(empty(&l.video));
		assert_int_equal(l.roster.h, l.chat.h);
		assert_true(l.roster.w <= LAYOUT_ROSTER_MAX);
		return;
	}
	assert_int_equal(l.roster.h + l.hsep.h + l.video.h, l.chat.h);
	assert_true(l.video.h >= 3 && l.video.w == l.roster.w);
	if (v == LAYOUT_VIDEO_NORMAL) {
		assert_true(l.chat.w > l.roster.w);
		assert_true(l.video.h <= l.chat.h / 2);
	}
	check_aspect(&l, aspect >= 0.2 && aspect <= 5 ? aspect : LAYOUT_DEFAULT_ASPECT);
}

static void test_80x24(void **state)
{
	struct layout l;
	(void)state;
	layout_compute(24, 80, LAYOUT_VIDEO_NORMAL, 0, &l);
	assert_false(l.too_small);
	assert_int_equal(l.roster.w, 20);
	assert_int_equal(l.chat.w, 59);
	assert_int_equal(l.video.h, 8); /* 7 picture rows of 4:3 at 20 columns, a title row */
	layout_compute(24, 80, LAYOUT_VIDEO_LARGE, 0, &l);
	assert_int_equal(l.chat.w, LAYOUT_CHAT_MIN); /* the chat's minimum binds */
	assert_int_equal(l.video.w, 80 - 1 - LAYOUT_CHAT_MIN);
	assert_int_equal(l.video.h, 15); /* 39 / (2 * 4/3) = 14 picture rows */
	layout_compute(24, 80, LAYOUT_VIDEO_FULL, 0, &l);
	assert_int_equal(l.video.w, 80);
	assert_int_equal(l.video.h, 21);
	layout_compute(24, 80, LAYOUT_VIDEO_OFF, 0, &l);
	assert_int_equal(l.roster.h, 21);
	assert_int_equal(l.chat.w, 59);
	for (size_t i = 0; i < 4; i++)
		check(24, 80, sizes[i], 0);
}

static void test_60x18_chat_keeps_its_minimum(void **state)
{
	struct layout l;
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		layout_compute(18, 60, sizes[i], 16.0 / 9.0, &l);
		assert_true(l.chat.w >= LAYOUT_CHAT_MIN);
		assert_true(l.chat.w >= 40);
		check(18, 60, sizes[i], 16.0 / 9.0);
	}
	layout_compute(18, 60, LAYOUT_VIDEO_LARGE, 0, &l);
	assert_int_equal(l.chat.w, 40);
	assert_int_equal(l.video.w, 19);
	layout_compute(18, 60, LAYOUT_VIDEO_FULL, 0, &l);
	assert_int_equal(l.video.w, 60);
	assert_int_equal(l.video.h, 15);
	check(18, 60, LAYOUT_VIDEO_FULL, 0);
}

static void test_200x50_the_pane_grows(void **state)
{
	struct layout n, lg, f, off;
	(void)state;
	layout_compute(50, 200, LAYOUT_VIDEO_NORMAL, 16.0 / 9.0, &n);
	assert_int_equal(n.video.w, 50); /* a quarter: no 32-column cap any more */
	assert_int_equal(n.video.h, 15); /* 50 / (2 * 16/9) = 14 picture rows */
	assert_int_equal(n.chat.w, 149);
	layout_compute(50, 200, LAYOUT_VIDEO_NORMAL, 4.0 / 3.0, &n);
	assert_int_equal(n.video.h, 19); /* 50 / (2 * 4/3) = 18 */
	layout_compute(50, 200, LAYOUT_VIDEO_LARGE, 16.0 / 9.0, &lg);
	assert_int_equal(lg.video.w, 120); /* three fifths */
	assert_int_equal(lg.video.h, 34); /* 120 / (2 * 16/9) = 33 picture rows */
	assert_int_equal(lg.chat.w, 79);
	layout_compute(50, 200, LAYOUT_VIDEO_LARGE, 4.0 / 3.0, &lg);
	/* 4:3 at 120 columns would need 45 rows; 42 fit above 3 roster rows: 112 columns */
	assert_int_equal(lg.video.h, 43);
	assert_int_equal(lg.roster.h, 3);
	assert_int_equal(lg.video.w, 112);
	assert_int_equal(lg.chat.w, 87);
	layout_compute(50, 200, LAYOUT_VIDEO_FULL, 16.0 / 9.0, &f);
	assert_int_equal(f.video.w, 200);
	assert_int_equal(f.video.h, 47);
	layout_compute(50, 200, LAYOUT_VIDEO_OFF, 0, &off);
	assert_int_equal(off.roster.w, LAYOUT_ROSTER_MAX); /* /video off: the chat gets it */
	assert_int_equal(off.chat.w, 167);
	layout_compute(50, 200, LAYOUT_VIDEO_NORMAL, 16.0 / 9.0, &n);
	assert_int_equal(off.chat.w, n.chat.w + 50 - LAYOUT_ROSTER_MAX);
	layout_compute(50, 120, LAYOUT_VIDEO_OFF, 0, &off);
	layout_compute(50, 120, LAYOUT_VIDEO_NORMAL, 0, &n);
	assert_int_equal(off.roster.w, 30);
	layout_compute(50, 160, LAYOUT_VIDEO_OFF, 0, &off);
	layout_compute(50, 160, LAYOUT_VIDEO_NORMAL, 0, &n);
	assert_int_equal(off.roster.w, LAYOUT_ROSTER_MAX); /* video off: the chat gets it */
	assert_int_equal(n.roster.w, 40);
	assert_int_equal(off.chat.w, n.chat.w + 40 - LAYOUT_ROSTER_MAX);
	for (size_t i = 0; i < 4; i++)
		check(50, 200, sizes[i], 16.0 / 9.0);
}

static void test_too_small(void **state)
{
	struct layout l;
	(void)state;
	layout_compute(LAYOUT_MIN_ROWS - 1, 80, LAYOUT_VIDEO_NORMAL, 0, &l);
	assert_true(l.too_small);
	layout_compute(24, LAYOUT_MIN_COLS - 1, LAYOUT_VIDEO_FULL, 0, &l);
	assert_true(l.too_small);
	layout_compute(0, 0, LAYOUT_VIDEO_OFF, 0, &l);
	assert_true(l.too_small);
	for (size_t i = 0; i < 4; i++)
		check(LAYOUT_MIN_ROWS, LAYOUT_MIN_COLS, sizes[i], 0);
}

static void test_all_sizes(void **state)
{
	static const double aspects[] = { 0, 16.0 / 9.0, 3.0 / 4.0, 100.0 /* out of range */ };
	(void)state;
	for (int rows = LAYOUT_MIN_ROWS; rows <= 120; rows++)
		for (int cols = LAYOUT_MIN_COLS; cols <= 300; cols += 7)
			for (size_t i = 0; i < 4; i++)
				for (size_t k = 0; k < 4; k++)
					check(rows, cols, sizes[i], aspects[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_80x24),
		cmocka_unit_test(test_60x18_chat_keeps_its_minimum),
		cmocka_unit_test(test_200x50_the_pane_grows),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_all_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
