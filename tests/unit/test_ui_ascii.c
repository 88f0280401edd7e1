/* Unit tests for ui/ascii (letterbox geometry, area-averaged rendering of synthetic frames and
 * the test pattern, ramp levels and hysteresis, half-block colour modes, diff runs, the byte
 * estimate against a reference escape-sequence writer, text output) and ui/vbudget (frame-rate
 * cap, token bucket, oversized frames, terminal backlog, detail levels down and back up). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/testpattern.h"
#include "src/video.h"
#include "ui/ascii.h"
#include "ui/vbudget.h"

/* A grey I420 picture owned by the test. */
struct pic {
	int w, h;
	uint8_t *y, *u, *v;
	struct ascii_image img;
};

static struct pic *pic_new(int w, int h, uint8_t fill)
{
	struct pic *p = calloc(1, sizeof(*p));
	int cw = (w + 1) / 2, ch = (h + 1) / 2;
	assert_non_null(p);
	p->w = w;
	p->h = h;
	p->y = malloc((size_t)w * (size_t)h);
	p->u = malloc((size_t)cw * (size_t)ch);
	p->v = malloc((size_t)cw * (size_t)ch);
	assert_true(p->y && p->u && p->v);
	memset(p->y, fill, (size_t)w * (size_t)h);
	memset(p->u, 128, (size_t)cw * (size_t)ch);
	memset(p->v, 128, (size_t)cw * (size_t)ch);
	p->img = (struct ascii_image){ .width = w, .height = h, .y = p->y, .u = p->u, .v = p->v,
				       .y_stride = w, .uv_stride = cw };
	return p;
}

static void pic_free(struct pic *p)
{
	free(p->y);
	free(p->u);
	free(p->v);
	free(p);
}

static struct ascii_grid *grid(int cols, int rows)
{
	struct ascii_grid *g;
	assert_int_equal(ascii_grid_create(&g, cols, rows), 0);
	return g;
}

static const struct ascii_cell *at(const struct ascii_grid *g, int r, int c)
{
	return &g->cells[(size_t)r * (size_t)g->cols + (size_t)c];
}

static void test_fit(void **state)
{
	int c, r, pc, pr;

	ascii_fit(320, 180, 80, 24, 2.0, &c, &r, &pc, &pr);	/* 16:9: full width */
	assert_int_equal(pc, 80);
	assert_int_equal(pr, 23);	/* 80 * 180 / (320 * 2) = 22.5 */
	assert_int_equal(c, 0);
	assert_int_equal(r, 0);
	ascii_fit(640, 480, 80, 24, 2.0, &c, &r, &pc, &pr);	/* 4:3: full height */
	assert_int_equal(pr, 24);
	assert_int_equal(pc, 64);
	assert_int_equal(c, 8);
	ascii_fit(100, 100, 80, 24, 2.0, &c, &r, &pc, &pr);
	assert_int_equal(pc, 48);
	assert_int_equal(c, 16);
	ascii_fit(90, 160, 80, 24, 2.0, &c, &r, &pc, &pr);	/* portrait */
	assert_int_equal(pc, 27);
	assert_int_equal(c, 26);
	ascii_fit(1000, 10, 80, 24, 2.0, &c, &r, &pc, &pr);	/* a sliver: at least one row */
	assert_int_equal(pr, 1);
	assert_int_equal(r, 11);
	ascii_fit(320, 180, 80, 48, 1.0, &c, &r, &pc, &pr);	/* half-block rows */
	assert_int_equal(pr, 45);
	assert_int_equal(r, 1);
	ascii_fit(320, 180, 80, 24, 1.0, &c, &r, &pc, &pr);	/* square cells */
	assert_int_equal(pr, 24);
	assert_int_equal(pc, 43);	/* 24 * 16 / 9 = 42.67 */
}

static void test_render_halves_and_letterbox(void **state)
{
	struct pic *p = pic_new(160, 90, 16);
	struct ascii_grid *g = grid(80, 24);
	struct ascii_opts o = { .ramp = "_.:-=+*#%@" };	/* '_' = dark, ' ' = letterbox */

	for (int y = 0; y < 90; y++)
		memset(p->y + y * 160 + 80, 235, 80);
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), 0);
	assert_int_equal(g->pic_rows, 23);
	assert_int_equal(g->pic_cols, 80);
	for (int r = 0; r < 24; r++) {
		for (int c = 0; c < 80; c++) {
			uint32_t want = r == 23 ? ' ' : c < 40 ? '_' : '@';
			assert_int_equal(at(g, r, c)->ch, want);
			assert_int_equal(at(g, r, c)->fg, ASCII_COLOR_DEFAULT);
		}
	}
	/* a 4:3 picture is pillarboxed: 8 blank columns each side */
	struct pic *q = pic_new(64, 48, 235);
	assert_int_equal(ascii_render(g, &q->img, &o, NULL), 0);
	for (int r = 0; r < 24; r++) {
		assert_int_equal(at(g, r, 7)->ch, ' ');
		assert_int_equal(at(g, r, 8)->ch, '@');
		assert_int_equal(at(g, r, 71)->ch, '@');
		assert_int_equal(at(g, r, 72)->ch, ' ');
	}
	pic_free(q);
	pic_free(p);
	ascii_grid_destroy(g);
}

static void test_render_levels_exact(void **state)
{
	/* 4 vertical stripes; each luma's ramp step worked out by hand:
	 * 16 -> 0 -> ' '; 60 -> 51 -> 2 ':'; 126 -> 128 -> 5 '+'; 200 -> 214 -> 8 '%' */
	static const uint8_t ys[4] = { 16, 60, 126, 200 };
	static const char want[4] = { ' ', ':', '+', '%' };
	struct pic *p = pic_new(80, 40, 0);
	struct ascii_grid *g = grid(40, 10);

	for (int y = 0; y < 40; y++)
		for (int x = 0; x < 80; x++)
			p->y[y * 80 + x] = ys[x / 20];
	assert_int_equal(ascii_render(g, &p->img, NULL, NULL), 0);
	assert_int_equal(g->pic_cols, 40);
	assert_int_equal(g->pic_rows, 10);
	for (int r = 0; r < 10; r++)
		for (int c = 0; c < 40; c++)
			assert_int_equal(at(g, r, c)->ch, (uint32_t)want[c / 10]);
	pic_free(p);
	ascii_grid_destroy(g);
}

static void test_area_average(void **state)
{
	/* a one-pixel checkerboard of black and white averages to mid grey in every cell
	 * (nearest-pixel sampling would give only ' ' or '@') */
	struct pic *p = pic_new(160, 90, 0);
	struct ascii_grid *g = grid(80, 24);

	for (int y = 0; y < 90; y++)
		for (int x = 0; x < 160; x++)
			p->y[y * 160 + x] = (x + y) & 1 ? 235 : 16;
	assert_int_equal(ascii_render(g, &p->img, NULL, NULL), 0);
	for (int r = 0; r < 23; r++)
		for (int c = 0; c < 80; c++)
			assert_int_equal(at(g, r, c)->ch, '+');
	/* upscaling: a 2x2 picture into a big grid keeps its quadrants */
	struct pic *q = pic_new(2, 2, 16);
	q->y[1] = 235;
	q->y[2] = 235;
	struct ascii_grid *h = grid(20, 10);
	assert_int_equal(ascii_render(h, &q->img, NULL, NULL), 0);
	assert_int_equal(h->pic_cols, 20);
	assert_int_equal(h->pic_rows, 10);
	assert_int_equal(at(h, 0, 0)->ch, ' ');
	assert_int_equal(at(h, 0, 19)->ch, '@');
	assert_int_equal(at(h, 9, 0)->ch, '@');
	assert_int_equal(at(h, 9, 19)->ch, ' ');
	pic_free(q);
	ascii_grid_destroy(h);
	pic_free(p);
	ascii_grid_destroy(g);
}

/* The test pattern at 80x24: the box's cells are bright, the background's dark, the bars'
 * row rises from dark to bright — the same checks the integration test makes on ASCII. */
static void test_render_testpattern(void **state)
{
	struct video_image img;
	struct ascii_grid *g = grid(80, 24);
	struct testpattern_geometry tg;

	assert_int_equal(video_image_alloc(&img, 320, 180), 0);
	struct ascii_image ai = { .width = 320, .height = 180, .y = img.planes[0],
				  .u = img.planes[1], .v = img.planes[2],
				  .y_stride = img.stride[0], .uv_stride = img.stride[1] };
	for (uint64_t n = 0; n < 64; n += 5) {
		testpattern_draw(&img, n);
		testpattern_geometry(320, 180, n, &tg);
		assert_int_equal(ascii_render(g, &ai, NULL, NULL), 0);
		int bright = 0;
		for (int r = 0; r < g->pic_rows; r++) {
			int y0 = r * 180 / 23, y1 = (r + 1) * 180 / 23;
			for (int c = 0; c < 80; c++) {
				int x0 = c * 4, x1 = c * 4 + 4;
				char ch = (char)at(g, r, c)->ch;
				bool in_box = x0 >= tg.box_x && x1 <= tg.box_x + tg.box_w &&
					      y0 >= tg.box_y && y1 <= tg.box_y + tg.box_h;
				bool dark = y1 <= tg.bars_y && (x1 <= tg.box_x ||
								x0 >= tg.box_x + tg.box_w ||
								y1 <= tg.box_y ||
								y0 >= tg.box_y + tg.box_h);
				if (in_box)
					assert_int_equal(ch, '@');
				if (dark)
					assert_int_equal(ch, ' ');
				bright += ch == '@' && y1 <= tg.bars_y;
			}
		}
		/* the box is 20 cells wide and about 8.6 rows tall */
		assert_true(bright >= 20 * 7 && bright <= 21 * 10);
		/* the last picture row is all bars: steps never go down, ' ' to '@' */
		const char *ramp = ASCII_RAMP_DEFAULT;
		int prev = -1;
		for (int c = 0; c < 80; c++) {
			int idx = (int)(strchr(ramp, (int)at(g, 22, c)->ch) - ramp);
			assert_true(idx >= prev);
			prev = idx;
		}
		assert_int_equal(at(g, 22, 0)->ch, ' ');
		assert_int_equal(at(g, 22, 79)->ch, '@');
	}
	video_image_free(&img);
	ascii_grid_destroy(g);
}

static void test_levels_and_hysteresis(void **state)
{
	struct pic *p = pic_new(256, 16, 0);
	struct ascii_grid *g = grid(64, 2), *prev = grid(64, 2);
	struct ascii_opts o = { .levels = 3 };
	bool seen[3] = { false, false, false };

	for (int y = 0; y < 16; y++)
		for (int x = 0; x < 256; x++)
			p->y[y * 256 + x] = (uint8_t)(16 + x * 219 / 255);
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), 0);
	for (int c = 0; c < 64; c++) {
		const char *k = strchr(" +@", (int)at(g, 0, c)->ch);
		assert_non_null(k);
		seen[k - " +@"] = true;
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	o.levels = 100;	/* more than the ramp has: all 10 */
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), 0);
	assert_int_equal(at(g, 0, 63)->ch, '@');

	/* luma 52 is '.', 54 is ':' (full range 41 / 44); 80 is '-' (74) */
	struct pic *a = pic_new(32, 8, 52), *b = pic_new(32, 8, 54), *c = pic_new(32, 8, 80);
	struct ascii_grid *ga = grid(16, 2), *gb = grid(16, 2);
	struct ascii_opts h = { .hysteresis = 8 };
	size_t cells;
	struct ascii_run runs[32];
	assert_int_equal(ascii_render(ga, &a->img, NULL, NULL), 0);
	assert_int_equal(at(ga, 0, 0)->ch, '.');
	assert_int_equal(ascii_render(gb, &b->img, NULL, ga), 0);	/* hysteresis off */
	assert_int_equal(at(gb, 0, 0)->ch, ':');
	assert_int_equal(ascii_render(gb, &b->img, &h, ga), 0);
	assert_int_equal(ascii_diff(ga, gb, 0, runs, 32, &cells), 0);
	assert_int_equal(at(gb, 0, 0)->level, at(ga, 0, 0)->level);	/* drift accumulates */
	assert_int_equal(ascii_render(gb, &c->img, &h, ga), 0);
	assert_int_equal(at(gb, 0, 0)->ch, '-');
	/* a prev grid of another layout is ignored */
	assert_int_equal(ascii_render(prev, &b->img, &h, g), 0);
	assert_int_equal(at(prev, 0, 31)->ch, ':');
	pic_free(a);
	pic_free(b);
	pic_free(c);
	ascii_grid_destroy(ga);
	ascii_grid_destroy(gb);
	ascii_grid_destroy(prev);
	pic_free(p);
	ascii_grid_destroy(g);
}

static void test_rgb_to_256(void **state)
{
	assert_int_equal(ascii_rgb_to_256(0, 0, 0), 16);
	assert_int_equal(ascii_rgb_to_256(255, 255, 255), 231);
	assert_int_equal(ascii_rgb_to_256(128, 128, 128), 244);
	assert_int_equal(ascii_rgb_to_256(8, 8, 8), 232);
	assert_int_equal(ascii_rgb_to_256(255, 0, 0), 196);
	assert_int_equal(ascii_rgb_to_256(0, 0, 255), 21);
	assert_int_equal(ascii_rgb_to_256(95, 135, 175), 67);
	assert_int_equal(ascii_rgb_to_256(-5, 300, 0), 46);
}

/* Fills rows of a 16x16 picture: red (Y 81, U 90, V 240) or blue (Y 41, U 240, V 110). */
static void stripes(struct pic *p, bool alternate)
{
	for (int y = 0; y < 16; y++) {
		bool red = alternate ? !(y & 1) : y < 8;
		memset(p->y + y * 16, red ? 81 : 41, 16);
	}
	for (int y = 0; y < 8; y++) {
		bool red = alternate ? true : y < 4;
		memset(p->u + y * 8, red ? 90 : 240, 8);
		memset(p->v + y * 8, red ? 240 : 110, 8);
	}
}

static void test_block_modes(void **state)
{
	struct pic *p = pic_new(16, 16, 0);
	struct ascii_grid *g = grid(16, 8);
	struct ascii_opts o = { .mode = ASCII_MODE_256 };

	stripes(p, false);	/* top half red, bottom half blue: solid cells, no glyph */
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), 0);
	assert_int_equal(g->pic_rows, 8);
	for (int r = 0; r < 8; r++) {
		for (int c = 0; c < 16; c++) {
			assert_int_equal(at(g, r, c)->ch, ' ');
			assert_int_equal(at(g, r, c)->bg, r < 4 ? 196 : 21);
			assert_int_equal(at(g, r, c)->fg, at(g, r, c)->bg);
		}
	}
	o.mode = ASCII_MODE_TRUECOLOR;
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), 0);
	assert_int_equal(at(g, 0, 0)->bg, 0xff0000);
	assert_int_equal(at(g, 7, 15)->bg, 0x0000ff);
	/* luma alternating by row: each cell an upper half block, fg upper, bg lower (the
	 * chroma is shared by both rows of a 2x2 block, so the lower half is a dark red) */
	stripes(p, true);
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), 0);
	assert_int_equal(at(g, 3, 3)->ch, ASCII_UPPER_HALF);
	assert_int_equal(at(g, 3, 3)->fg, 0xff0000);
	assert_true(at(g, 3, 3)->bg != 0xff0000);
	/* no chroma: grey */
	p->img.u = p->img.v = NULL;
	o.mode = ASCII_MODE_256;
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), 0);
	int32_t fg = at(g, 0, 0)->fg;
	assert_true(fg == 16 || fg >= 232);
	pic_free(p);
	ascii_grid_destroy(g);

	/* 16:9 in 80x24 half blocks: 45 half rows from half row 1 */
	struct pic *w = pic_new(320, 180, 235);
	g = grid(80, 24);
	assert_int_equal(ascii_render(g, &w->img, &o, NULL), 0);
	assert_int_equal(g->pic_row, 0);
	assert_int_equal(g->pic_rows, 23);
	assert_int_equal(at(g, 0, 5)->ch, ASCII_LOWER_HALF);
	assert_int_equal(at(g, 0, 5)->bg, ASCII_COLOR_DEFAULT);
	assert_int_equal(at(g, 0, 5)->fg, 231);
	assert_int_equal(at(g, 22, 5)->ch, ' ');
	assert_int_equal(at(g, 22, 5)->bg, 231);
	assert_int_equal(at(g, 23, 5)->bg, ASCII_COLOR_DEFAULT);
	pic_free(w);
	ascii_grid_destroy(g);
}

static void set_ch(struct ascii_grid *g, int r, int c, uint32_t ch)
{
	g->cells[(size_t)r * (size_t)g->cols + (size_t)c].ch = ch;
}

static void test_diff_runs(void **state)
{
	struct ascii_grid *a = grid(80, 24), *b = grid(80, 24);
	struct ascii_run runs[1024];
	size_t cells;

	assert_int_equal(ascii_diff(a, b, 3, runs, 1024, &cells), 0);
	assert_int_equal(cells, 0);
	set_ch(b, 3, 5, 'x');
	set_ch(b, 3, 7, 'y');
	set_ch(b, 3, 20, 'z');
	set_ch(b, 23, 79, 'w');
	assert_int_equal(ascii_diff(a, b, 3, runs, 1024, &cells), 3);
	assert_int_equal(runs[0].row, 3);
	assert_int_equal(runs[0].col, 5);
	assert_int_equal(runs[0].len, 3);	/* 5..7, the equal cell 6 rewritten */
	assert_int_equal(runs[1].col, 20);
	assert_int_equal(runs[1].len, 1);
	assert_int_equal(runs[2].row, 23);
	assert_int_equal(runs[2].col, 79);
	assert_int_equal(cells, 5);
	assert_int_equal(ascii_diff(a, b, 0, runs, 1024, &cells), 4);
	assert_int_equal(cells, 4);
	assert_int_equal(ascii_diff(a, b, 0, runs, 3, &cells), -ENOSPC);
	/* colour-only change counts */
	b->cells[0].bg = 17;
	assert_int_equal(ascii_diff(a, b, 0, runs, 1024, &cells), 5);
	/* nothing shown yet, or another mode: everything */
	assert_int_equal(ascii_diff(NULL, b, 3, runs, 1024, &cells), 24);
	assert_int_equal(cells, 80 * 24);
	assert_int_equal(runs[5].len, 80);
	b->mode = ASCII_MODE_256;
	assert_int_equal(ascii_diff(a, b, 3, runs, 1024, &cells), 24);
	/* worst case fits ascii_diff_max_runs */
	ascii_grid_clear(b);
	b->mode = ASCII_MODE_RAMP;
	for (int r = 0; r < 24; r++)
		for (int c = 0; c < 80; c += 2)
			set_ch(b, r, c, '#');
	size_t max = ascii_diff_max_runs(80, 24);
	struct ascii_run *big = calloc(max, sizeof(*big));
	assert_int_equal(ascii_diff(a, b, 0, big, max, &cells), (int)max);
	assert_int_equal(ascii_diff(a, b, -5, big, max, &cells), (int)max);
	assert_int_equal(ascii_diff(a, b, 1, big, max, &cells), 24);
	free(big);
	/* copy makes them equal */
	assert_int_equal(ascii_grid_copy(a, b), 0);
	assert_int_equal(ascii_diff(a, b, 0, runs, 1024, &cells), 0);
	struct ascii_grid *c = grid(10, 10);
	assert_int_equal(ascii_grid_copy(c, b), -EINVAL);
	ascii_grid_destroy(c);
	ascii_grid_destroy(a);
	ascii_grid_destroy(b);
}

/* What a terminal writer following the documented model sends, byte for byte. */
static size_t reference_bytes(const struct ascii_grid *g, const struct ascii_run *runs, size_t n,
			      int orow, int ocol, char *out, size_t cap)
{
	size_t len = 0;
	long cr = -1, cc = -1;
	int32_t fg = ASCII_COLOR_DEFAULT, bg = ASCII_COLOR_DEFAULT;
	char tmp[64];

#define EMIT(...)                                                                       \
	do {                                                                             \
		int k_ = snprintf(tmp, sizeof(tmp), __VA_ARGS__);                        \
		assert_true(k_ > 0 && len + (size_t)k_ < cap);                           \
		memcpy(out + len, tmp, (size_t)k_);                                      \
		len += (size_t)k_;                                                       \
	} while (0)
	for (size_t i = 0; i < n; i++) {
		long R = orow + runs[i].row, C = ocol + runs[i].col;
		if (R != cr || C != cc) {
			char cup[32], cuf[32];
			snprintf(cup, sizeof(cup), "\033[%ld;%ldH", R + 1, C + 1);
			if (C - cc == 1)
				snprintf(cuf, sizeof(cuf), "\033[C");
			else
				snprintf(cuf, sizeof(cuf), "\033[%ldC", C - cc);
			if (R == cr && C > cc && strlen(cuf) < strlen(cup))
				EMIT("%s", cuf);
			else
				EMIT("%s", cup);
		}
		for (int k = 0; k < runs[i].len; k++) {
			const struct ascii_cell *c = at(g, runs[i].row, runs[i].col + k);
			if (c->fg != fg || c->bg != bg) {
				char f[32] = "", b[32] = "";
				if (c->fg != fg) {
					if (c->fg == ASCII_COLOR_DEFAULT)
						snprintf(f, sizeof(f), "39");
					else if (g->mode == ASCII_MODE_TRUECOLOR)
						snprintf(f, sizeof(f), "38;2;%d;%d;%d",
							 (c->fg >> 16) & 255, (c->fg >> 8) & 255,
							 c->fg & 255);
					else
						snprintf(f, sizeof(f), "38;5;%d", c->fg);
				}
				if (c->bg != bg) {
					if (c->bg == ASCII_COLOR_DEFAULT)
						snprintf(b, sizeof(b), "49");
					else if (g->mode == ASCII_MODE_TRUECOLOR)
						snprintf(b, sizeof(b), "48;2;%d;%d;%d",
							 (c->bg >> 16) & 255, (c->bg >> 8) & 255,
							 c->bg & 255);
					else
						snprintf(b, sizeof(b), "48;5;%d", c->bg);
				}
				EMIT("\033[%s%s%sm", f, f[0] && b[0] ? ";" : "", b);
				fg = c->fg;
				bg = c->bg;
			}
			if (c->ch < 0x80)
				EMIT("%c", (char)c->ch);
			else
				EMIT("%s", c->ch == ASCII_UPPER_HALF ? "\u2580" : "\u2584");
		}
		cr = R;
		cc = C + runs[i].len;
	}
	if (fg != ASCII_COLOR_DEFAULT || bg != ASCII_COLOR_DEFAULT)
		EMIT("\033[0m");
#undef EMIT
	return len;
}

static void test_diff_bytes(void **state)
{
	struct ascii_grid *a = grid(80, 24), *b = grid(80, 24);
	struct ascii_run runs[2048];
	size_t cells;
	int n;

	/* by hand: "\e[1;1H" "X" */
	set_ch(b, 0, 0, 'X');
	n = ascii_diff(a, b, 3, runs, 2048, &cells);
	assert_int_equal(ascii_diff_bytes(b, runs, (size_t)n, 0, 0), 6 + 1);
	/* + "\e[9C" "Y" (forward on the same row beats "\e[1;11H") */
	set_ch(b, 0, 10, 'Y');
	n = ascii_diff(a, b, 3, runs, 2048, &cells);
	assert_int_equal(ascii_diff_bytes(b, runs, (size_t)n, 0, 0), 6 + 1 + 4 + 1);
	/* at pane origin (5, 40): "\e[6;41H" X "\e[9C" Y */
	assert_int_equal(ascii_diff_bytes(b, runs, (size_t)n, 5, 40), 7 + 1 + 4 + 1);
	/* a lone 'Z' 2 cells after Y: cheapest is "\e[C"+"\e[C"? no: merge_gap 3 rewrites
	 * the equal cell between, so one run "Y Z" */
	set_ch(b, 0, 12, 'Z');
	n = ascii_diff(a, b, 3, runs, 2048, &cells);
	assert_int_equal(n, 2);
	assert_int_equal(ascii_diff_bytes(b, runs, (size_t)n, 0, 0), 6 + 1 + 4 + 3);
	/* gap 0: "\e[C" moves one cell right */
	n = ascii_diff(a, b, 0, runs, 2048, &cells);
	assert_int_equal(n, 3);
	assert_int_equal(ascii_diff_bytes(b, runs, (size_t)n, 0, 0), 6 + 1 + 4 + 1 + 3 + 1);
	/* a colour cell: "\e[4;4H" "\e[38;5;196;48;5;21m" "▀" "\e[0m" */
	struct ascii_grid *c = grid(80, 24);
	c->mode = ASCII_MODE_256;
	c->cells[2 * 80 + 3] = (struct ascii_cell){ .ch = ASCII_UPPER_HALF, .fg = 196, .bg = 21 };
	struct ascii_grid *blank = grid(80, 24);
	blank->mode = ASCII_MODE_256;
	n = ascii_diff(blank, c, 3, runs, 2048, &cells);
	assert_int_equal(n, 1);
	assert_int_equal(ascii_diff_bytes(c, runs, 1, 1, 0), 6 + 19 + 3 + 4);

	/* random grids in every mode against the reference writer */
	uint32_t s = 99;
	char *out = malloc(1 << 20);
	for (int round = 0; round < 60; round++) {
		enum ascii_mode mode = (enum ascii_mode)(round % 3);
		ascii_grid_clear(a);
		ascii_grid_clear(b);
		a->mode = b->mode = mode;
		for (int k = 0; k < 80 * 24; k++) {
			s = s * 1103515245u + 12345u;
			if ((s >> 16) % 4)
				continue;
			struct ascii_cell *x = &b->cells[k];
			uint32_t r = s >> 8;
			if (mode == ASCII_MODE_RAMP) {
				x->ch = (uint32_t)ASCII_RAMP_DEFAULT[r % 10];
			} else {
				x->ch = r % 3 == 0 ? ' ' : r % 3 == 1 ? ASCII_UPPER_HALF :
									ASCII_LOWER_HALF;
				int32_t rgb = (int32_t)(r * 2654435761u & 0xffffff);
				x->fg = r % 7 == 0 ? ASCII_COLOR_DEFAULT :
				       mode == ASCII_MODE_256 ? (int32_t)(r % 256) : rgb;
				x->bg = (r >> 3) % 5 == 0 ? x->fg : (int32_t)((r >> 4) % 256);
			}
		}
		n = ascii_diff(round % 2 ? a : NULL, b, round % 5, runs, 2048, &cells);
		assert_true(n >= 0);
		int orow = round % 7, ocol = round % 11;
		size_t want = reference_bytes(b, runs, (size_t)n, orow, ocol, out, 1 << 20);
		assert_int_equal(ascii_diff_bytes(b, runs, (size_t)n, orow, ocol), want);
	}
	free(out);
	ascii_grid_destroy(a);
	ascii_grid_destroy(b);
	ascii_grid_destroy(c);
	ascii_grid_destroy(blank);
}

static void test_text(void **state)
{
	struct ascii_grid *g = grid(4, 3);
	char buf[64];

	set_ch(g, 0, 0, '#');
	set_ch(g, 2, 3, '@');
	assert_int_equal(ascii_grid_text(g, buf, sizeof(buf)), 14);
	assert_string_equal(buf, "#   \n    \n   @");
	set_ch(g, 1, 1, ASCII_UPPER_HALF);
	assert_int_equal(ascii_grid_text(g, buf, sizeof(buf)), 16);
	assert_string_equal(buf, "#   \n \xe2\x96\x80  \n   @");
	/* cut before the 3-byte character, never inside it */
	assert_int_equal(ascii_grid_text(g, buf, 8), 16);
	assert_string_equal(buf, "#   \n ");
	assert_int_equal(ascii_grid_text(g, buf, 1), 16);
	assert_string_equal(buf, "");
	assert_int_equal(ascii_grid_text(g, NULL, 0), 16);
	ascii_grid_destroy(g);
}

static void test_render_errors(void **state)
{
	struct pic *p = pic_new(8, 8, 100);
	struct ascii_grid *g = grid(4, 4), *bad;
	struct ascii_opts o = { .ramp = "x" };

	assert_int_equal(ascii_render(g, &p->img, &o, NULL), -EINVAL);
	o.ramp = "ab\tc";
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), -EINVAL);
	o.ramp = NULL;
	o.levels = 1;
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), -EINVAL);
	o.levels = 0;
	o.mode = 7;
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), -EINVAL);
	o.mode = ASCII_MODE_RAMP;
	o.hysteresis = 300;
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), -EINVAL);
	o.hysteresis = 0;
	p->img.y_stride = 4;
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), -EINVAL);
	p->img.y_stride = 8;
	p->img.uv_stride = 2;
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), -EINVAL);
	p->img.uv_stride = 4;
	p->img.u = NULL;
	assert_int_equal(ascii_render(g, &p->img, &o, NULL), -EINVAL);
	assert_int_equal(ascii_render(g, NULL, &o, NULL), -EINVAL);
	assert_int_equal(ascii_grid_create(&bad, 0, 5), -EINVAL);
	assert_int_equal(ascii_grid_create(&bad, 5, ASCII_MAX_DIM + 1), -EINVAL);
	ascii_grid_destroy(NULL);
	pic_free(p);
	ascii_grid_destroy(g);
}

/* ---- vbudget ---- */

static struct vbudget *gov(bool colour)
{
	struct vbudget_config c;
	struct vbudget *b;
	vbudget_config_default(&c);
	assert_true(c.fps == 5);
	assert_int_equal(c.bytes_per_s, 16384);
	c.colour = colour;
	assert_int_equal(vbudget_create(&b, &c), 0);
	return b;
}

/* Feeds a 10 fps source for `secs` seconds (arrival jitter of up to +-15 ms) with the given
 * cost per drawn frame; returns frames drawn. */
static uint64_t feed(struct vbudget *b, uint64_t *t, double secs, size_t cost, int *max_level)
{
	uint64_t drawn = 0;
	for (int i = 0; i < (int)(secs * 10); i++) {
		uint64_t now = *t + (uint64_t)((i * 37) % 31) * 1000;
		struct vbudget_plan p;
		*t += 100000;
		if (!vbudget_due(b, now))
			continue;
		if (vbudget_admit(b, now, cost, NULL) == VBUDGET_DRAW)
			drawn++;
		vbudget_plan(b, &p);
		if (max_level && p.level > *max_level)
			*max_level = p.level;
	}
	return drawn;
}

static void test_budget_fps_cap(void **state)
{
	struct vbudget *b = gov(false);
	struct vbudget_stats st;
	struct vbudget_plan p;
	uint64_t t = 5000000;

	vbudget_plan(b, &p);
	assert_int_equal(p.level, 1);
	assert_false(p.colour);
	assert_true(p.fps == 5);
	uint64_t drawn = feed(b, &t, 20, 500, NULL);
	assert_true(drawn >= 99 && drawn <= 101);	/* 5 fps from a jittery 10 fps source */
	vbudget_get_stats(b, &st);
	assert_int_equal(st.offered, 200);
	assert_int_equal(st.not_due, 200 - drawn);
	assert_int_equal(st.skipped_budget + st.skipped_backlog, 0);
	vbudget_plan(b, &p);
	assert_int_equal(p.level, 1);
	vbudget_destroy(b);
}

static void test_budget_enforced(void **state)
{
	struct vbudget *b = gov(false);
	struct vbudget_stats st;
	uint64_t t = 0;
	int max_level = 0;

	/* 8000 bytes a frame at 5 fps would be 40 KB/s against 16 KB/s */
	feed(b, &t, 60, 8000, &max_level);
	vbudget_get_stats(b, &st);
	print_message("60 s at 8000 B/frame: %llu bytes drawn in %llu frames\n",
		      (unsigned long long)st.bytes, (unsigned long long)st.drawn);
	assert_true(st.bytes <= 16384ull * 60 + 16384);
	assert_true(st.bytes >= 16384ull * 60 * 8 / 10);
	assert_int_equal(max_level, 2);
	struct vbudget_plan p;
	vbudget_plan(b, &p);
	/* the frame rate the budget pays for: 0.9 * 16384 / 8000 = 1.84 fps */
	assert_true(p.fps > 1.7 && p.fps < 1.9);
	/* at that rate, frames are drawn evenly and hardly any is skipped any more */
	struct vbudget_stats st2;
	feed(b, &t, 20, 8000, NULL);
	vbudget_get_stats(b, &st2);
	assert_true(st2.drawn - st.drawn >= 36 && st2.drawn - st.drawn <= 38);
	assert_true(st2.skipped_budget - st.skipped_budget <= 2);
	vbudget_destroy(b);
}

static void test_budget_big_frame(void **state)
{
	struct vbudget *b = gov(false);
	uint64_t t = 1000000;

	/* 40000 bytes is more than the bucket holds: drawn when the bucket is full, then the
	 * debt (40000 - 16384) and a refill to full take (23616 + 16384) / 16384 = 2.44 s */
	assert_true(vbudget_due(b, t));
	assert_int_equal(vbudget_admit(b, t, 40000, NULL), VBUDGET_DRAW);
	uint64_t next = 0;
	for (uint64_t now = t + 100000; now < t + 5000000; now += 100000) {
		if (!vbudget_due(b, now))
			continue;
		if (vbudget_admit(b, now, 40000, NULL) == VBUDGET_DRAW) {
			next = now;
			break;
		}
	}
	assert_int_equal(next, t + 2500000);
	vbudget_destroy(b);
}

static void test_budget_backlog(void **state)
{
	struct vbudget *b = gov(false);
	struct vbudget_term slow = { .pending_bytes = 0, .last_write_us = 60000 };
	struct vbudget_term full = { .pending_bytes = 5000, .last_write_us = 100 };
	struct vbudget_term ok = { .pending_bytes = 100, .last_write_us = 100 };
	struct vbudget_stats st;

	assert_true(vbudget_due(b, 0));
	assert_int_equal(vbudget_admit(b, 0, 100, &slow), VBUDGET_SKIP_BACKLOG);
	assert_true(vbudget_due(b, 100000));	/* skipped: the next frame is due at once */
	assert_int_equal(vbudget_admit(b, 100000, 100, &full), VBUDGET_SKIP_BACKLOG);
	assert_true(vbudget_due(b, 200000));
	assert_int_equal(vbudget_admit(b, 200000, 100, &ok), VBUDGET_DRAW);
	assert_false(vbudget_due(b, 300000));
	assert_true(vbudget_due(b, 400000));
	vbudget_get_stats(b, &st);
	assert_int_equal(st.skipped_backlog, 2);
	assert_int_equal(st.drawn, 1);
	vbudget_destroy(b);
}

/* Colour costs far more than the fixed 5x prediction says: each try fails within a window,
 * and the tries get rarer (2, 4, 8... calm windows). */
static void test_budget_probe_backoff(void **state)
{
	struct vbudget *b = gov(true);
	struct vbudget_stats st;
	struct vbudget_plan p;
	uint64_t t = 0, colour_frames = 0;

	for (int i = 0; i < 1800; i++) {	/* 3 minutes at 10 fps */
		uint64_t now = t;
		t += 100000;
		if (!vbudget_due(b, now))
			continue;
		vbudget_plan(b, &p);
		size_t cost = p.colour ? 9000 : 400;	/* predicted 400 * 5 = 2000 */
		if (vbudget_admit(b, now, cost, NULL) == VBUDGET_DRAW && p.colour)
			colour_frames++;
	}
	vbudget_get_stats(b, &st);
	print_message("probe backoff: %llu level changes, %llu colour frames\n",
		      (unsigned long long)st.level_changes, (unsigned long long)colour_frames);
	/* tries after ~4, 8, 16, 32, 64 s of calm: at most 6 tries, 12 changes */
	assert_true(st.level_changes >= 4 && st.level_changes <= 12);
	assert_true(st.bytes <= 16384ull * 180 + 16384);
	vbudget_plan(b, &p);
	assert_false(p.colour);
	vbudget_destroy(b);
}

static void test_budget_levels_recover(void **state)
{
	struct vbudget *b = gov(true);
	struct vbudget_plan p;
	uint64_t t = 0;

	vbudget_plan(b, &p);
	assert_int_equal(p.level, 0);
	assert_true(p.colour);
	/* heavy colour frames: it drops to ASCII, coarse ASCII, then a lower frame rate */
	feed(b, &t, 20, 12000, NULL);
	vbudget_plan(b, &p);
	assert_int_equal(p.level, 2);
	assert_false(p.colour);
	assert_int_equal(p.ramp_levels, 5);
	assert_true(p.fps < 1.5);
	/* the scene calms down: the frame rate comes back, then the detail */
	feed(b, &t, 16, 300, NULL);
	vbudget_plan(b, &p);
	assert_true(p.fps == 5);
	assert_true(p.level >= 1);
	feed(b, &t, 20, 300, NULL);
	vbudget_plan(b, &p);
	assert_int_equal(p.level, 0);
	assert_true(p.colour);
	assert_int_equal(p.ramp_levels, 0);
	assert_true(p.fps == 5);

	/* reconfigure: bad fps refused and nothing changes; colour off restarts at level 1 */
	struct vbudget_config c;
	vbudget_config_default(&c);
	c.fps = 0.01;
	assert_int_equal(vbudget_reconfigure(b, &c), -EINVAL);
	vbudget_plan(b, &p);
	assert_int_equal(p.level, 0);
	c.fps = 2;
	assert_int_equal(vbudget_reconfigure(b, &c), 0);
	vbudget_plan(b, &p);
	assert_int_equal(p.level, 1);
	assert_true(p.fps == 2);
	vbudget_destroy(b);
	assert_int_equal(vbudget_create(&b, &c), 0);
	vbudget_destroy(b);
	c.fps = 100;
	assert_int_equal(vbudget_create(&b, &c), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_render_halves_and_letterbox),
		cmocka_unit_test(test_render_levels_exact),
		cmocka_unit_test(test_area_average),
		cmocka_unit_test(test_render_testpattern),
		cmocka_unit_test(test_levels_and_hysteresis),
		cmocka_unit_test(test_rgb_to_256),
		cmocka_unit_test(test_block_modes),
		cmocka_unit_test(test_diff_runs),
		cmocka_unit_test(test_diff_bytes),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_budget_fps_cap),
		cmocka_unit_test(test_budget_enforced),
		cmocka_unit_test(test_budget_big_frame),
		cmocka_unit_test(test_budget_backlog),
		cmocka_unit_test(test_budget_probe_backoff),
		cmocka_unit_test(test_budget_levels_recover),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
