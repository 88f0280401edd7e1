/* The moving test pattern (see testpattern.h for the geometry). */
#include "src/testpattern.h"

#include <string.h>

void testpattern_geometry(int width, int height, uint64_t n, struct testpattern_geometry *g)
{
	unsigned int t = (unsigned int)(n % TESTPATTERN_PERIOD);
	int k = (int)(t <= TESTPATTERN_PERIOD / 2 ? t : TESTPATTERN_PERIOD - t);

	g->bars_y = height - height / 4;
	g->box_w = width / 4 > 0 ? width / 4 : 1;
	g->box_h = g->bars_y / 2 > 0 ? g->bars_y / 2 : 1;
	g->box_y = (g->bars_y - g->box_h) / 2;
	if (g->box_y < 0)
		g->box_y = 0;
	g->box_x = k * (width - g->box_w) / (TESTPATTERN_PERIOD / 2);
}

uint8_t testpattern_bar_luma(int i)
{
	if (i < 0)
		i = 0;
	if (i >= TESTPATTERN_BARS)
		i = TESTPATTERN_BARS - 1;
	return (uint8_t)(TESTPATTERN_DARK +
			 i * (TESTPATTERN_BRIGHT - TESTPATTERN_DARK) / (TESTPATTERN_BARS - 1));
}

void testpattern_draw(const struct video_image *img, uint64_t n)
{
	struct testpattern_geometry g;
	int w = img->width, h = img->height;

	if (w < 1 || h < 1)
		return;
	testpattern_geometry(w, h, n, &g);
	for (int y = 0; y < h; y++) {
		uint8_t *row = img->planes[0] + (size_t)y * (size_t)img->stride[0];
		if (y >= g.bars_y) {
			for (int x = 0; x < w; x++)
				row[x] = testpattern_bar_luma(x * TESTPATTERN_BARS / w);
			continue;
		}
		memset(row, TESTPATTERN_DARK, (size_t)w);
		if (y >= g.box_y && y < g.box_y + g.box_h)
			memset(row + g.box_x, TESTPATTERN_BRIGHT, (size_t)g.box_w);
	}
	int cw = (w + 1) / 2, ch = (h + 1) / 2;
	for (int p = 1; p < 3; p++)
		for (int y = 0; y < ch; y++)
			memset(img->planes[p] + (size_t)y * (size_t)img->stride[p], 128,
			       (size_t)cw);
}
