/* ui/vrender: the governed renderer the headless driver and the TUI share. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/video.h"
#include "ui/vrender.h"

/* A 64 x 32 picture: left half dark, right half bright. */
static void half_and_half(struct video_image *img, bool swap)
{
	for (int y = 0; y < img->height; y++)
		for (int x = 0; x < img->width; x++)
			img->planes[0][y * img->stride[0] + x] =
				(uint8_t)(((x >= img->width / 2) ^ swap) ? 235 : 16);
	memset(img->planes[1], 128, (size_t)img->stride[1] * (size_t)((img->height + 1) / 2));
	memset(img->planes[2], 128, (size_t)img->stride[2] * (size_t)((img->height + 1) / 2));
}

static void test_frames_cells_and_diffs(void **state)
{
	(void)state;
	struct vrender_config cfg = { .cols = 16, .rows = 4, .fps = 5 };
	struct vrender *r;
	struct video_image img;
	size_t n;
	assert_int_equal(video_image_alloc(&img, 64, 32), 0);
	assert_int_equal(vrender_create(&cfg, &r), 0);
	half_and_half(&img, false);

	assert_int_equal(vrender_offer(r, &img, 1000000, NULL), 1);
	const struct ascii_grid *g = vrender_grid(r);
	/* 64x32 on 2:1 cells fills 16 x 4 exactly: dark left, bright right */
	assert_int_equal(g->pic_cols, 16);
	assert_int_equal(g->cells[1 * 16 + 2].ch, ' ');
	assert_int_equal(g->cells[1 * 16 + 13].ch, '@');
	vrender_runs(r, &n);
	assert_true(n >= 4); /* first frame: every row */
	vrender_commit(r);

	/* the same picture 0.1 s later is not due (5 fps); 0.2 s later it is, and nothing
	 * changed, so there is nothing to draw */
	assert_int_equal(vrender_offer(r, &img, 1100000, NULL), 0);
	assert_int_equal(vrender_offer(r, &img, 1200000, NULL), 1);
	vrender_runs(r, &n);
	assert_int_equal(n, 0);
	vrender_commit(r);

	/* swapped halves: every row changes */
	half_and_half(&img, true);
	assert_int_equal(vrender_offer(r, &img, 1400000, NULL), 1);
	assert_int_equal(vrender_grid(r)->cells[0].ch, '@');
	vrender_runs(r, &n);
	assert_int_equal(n, 4);
	vrender_commit(r);

	/* forget (video stopped): the next frame is a full draw again */
	vrender_forget(r);
	assert_int_equal(vrender_offer(r, &img, 1600000, NULL), 1);
	vrender_runs(r, &n);
	assert_int_equal(n, 4);

	/* resize: a new grid of the new size */
	assert_int_equal(vrender_resize(r, 8, 2, 0, 0), 0);
	assert_int_equal(vrender_offer(r, &img, 1800000, NULL), 1);
	assert_int_equal(vrender_grid(r)->cols, 8);
	assert_int_equal(vrender_resize(r, 0, 2, 0, 0), -EINVAL);
	vrender_destroy(r);
	video_image_free(&img);
}

static void test_budget_limits_output(void **state)
{
	(void)state;
	/* a tiny budget: alternating full-change frames at 25 fps cannot all be drawn */
	struct vrender_config cfg = { .cols = 80, .rows = 24, .fps = 25, .bytes_per_s = 2000 };
	struct vrender *r;
	struct video_image img;
	struct vbudget_stats st;
	assert_int_equal(video_image_alloc(&img, 64, 32), 0);
	assert_int_equal(vrender_create(&cfg, &r), 0);
	int drawn = 0;
	for (int i = 0; i < 250; i++) { /* 10 s */
		half_and_half(&img, i % 2);
		if (vrender_offer(r, &img, (uint64_t)i * 40000, NULL) == 1) {
			vrender_commit(r);
			drawn++;
		}
	}
	vrender_get_stats(r, &st);
	assert_true(st.skipped_budget > 0);
	assert_true(drawn < 250);
	assert_true(st.bytes <= 2000 * 10 + 4000); /* the budget plus one big frame of debt */
	assert_int_equal((uint64_t)drawn, st.drawn);
	vrender_destroy(r);
	video_image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_cells_and_diffs),
		cmocka_unit_test(test_budget_limits_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
