/* A deterministic moving test pattern for publishing and for tests: frame n is a pure
 * function of (width, height, n), drawn into any I420 picture.
 *
 * Geometry of a W x H frame (integer division throughout):
 *  - Bars: the bottom H/4 rows (y >= bars_y = H - H/4) hold 8 grey bars, left to right from
 *    dark to bright: pixel x belongs to bar x*8/W, whose luma is testpattern_bar_luma(i)
 *    = 16 + i*219/7 (16, 47, 78, 109, 141, 172, 203, 235).
 *  - Background: every other pixel above the bars is dark (luma 16).
 *  - Box: a bright (luma 235) rectangle of box_w = max(1, W/4) by box_h = max(1, bars_y/2)
 *    pixels, top at box_y = (bars_y - box_h)/2, left at box_x = k*(W - box_w)/32 where
 *    k = n mod 64 for n mod 64 <= 32, else 64 - n mod 64: it bounces from the left edge
 *    (n = 0) to the right edge (n = 32) and back, period 64 frames.
 * Chroma is neutral (128) everywhere: the pattern is grey.
 * Pure functions; any thread.
 */
#ifndef TTM_SRC_TESTPATTERN_H
#define TTM_SRC_TESTPATTERN_H

#include <stdint.h>

#include "src/video.h"

#define TESTPATTERN_DARK	16
#define TESTPATTERN_BRIGHT	235
#define TESTPATTERN_BARS	8
#define TESTPATTERN_PERIOD	64

struct testpattern_geometry {
	int box_x, box_y, box_w, box_h;
	int bars_y;		/* first row of the bars */
};

/* Where the box and the bars are in frame n of a width x height picture (both >= 1). */
void testpattern_geometry(int width, int height, uint64_t n, struct testpattern_geometry *g);
/* Luma of bar i (0..7). */
uint8_t testpattern_bar_luma(int i);
/* Draws frame n into img (any size >= 1 x 1, any strides). */
void testpattern_draw(const struct video_image *img, uint64_t n);

#endif
