/* Video to terminal cells (see ascii.h).
 *
 * Sampling: the picture rectangle (ascii_fit) has n x m samples (cells, or half cells in the
 * block modes); sample i spans source columns [i*W/n, (i+1)*W/n) (at least one), likewise
 * rows, and takes the rounded mean of those pixels: every source pixel counts once when
 * downscaling. Chroma is averaged over the matching half-resolution area. Luma is taken as
 * limited range (16..235) and stretched to 0..255 before choosing a ramp step; colours use
 * BT.601 limited-range YUV to RGB.
 */
#include "ui/ascii.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RAMP_MAX 64

static const struct ascii_cell blank = { .ch = ' ', .fg = ASCII_COLOR_DEFAULT,
					 .bg = ASCII_COLOR_DEFAULT };

int ascii_grid_create(struct ascii_grid **out, int cols, int rows)
{
	struct ascii_grid *g;

	*out = NULL;
	if (cols < 1 || rows < 1 || cols > ASCII_MAX_DIM || rows > ASCII_MAX_DIM)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->cells = malloc((size_t)cols * (size_t)rows * sizeof(*g->cells));
	if (!g->cells) {
		free(g);
		return -ENOMEM;
	}
	g->cols = cols;
	g->rows = rows;
	ascii_grid_clear(g);
	*out = g;
	return 0;
}

void ascii_grid_destroy(struct ascii_grid *g)
{
	if (!g)
		return;
	free(g->cells);
	free(g);
}

void ascii_grid_clear(struct ascii_grid *g)
{
	size_t n = (size_t)g->cols * (size_t)g->rows;
	for (size_t i = 0; i < n; i++)
		g->cells[i] = blank;
	g->pic_col = g->pic_row = g->pic_cols = g->pic_rows = 0;
}

int ascii_grid_copy(struct ascii_grid *dst, const struct ascii_grid *src)
{
	if (dst->cols != src->cols || dst->rows != src->rows)
		return -EINVAL;
	memcpy(dst->cells, src->cells, (size_t)src->cols * (size_t)src->rows * sizeof(*dst->cells));
	dst->mode = src->mode;
	dst->pic_col = src->pic_col;
	dst->pic_row = src->pic_row;
	dst->pic_cols = src->pic_cols;
	dst->pic_rows = src->pic_rows;
	return 0;
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void ascii_fit(int width, int height, int cols, int rows, double cell_aspect, int *pic_col,
	       int *pic_row, int *pic_cols, int *pic_rows)
{
	int pc = cols, pr = rows;

	if (width > 0 && height > 0 && cell_aspect > 0) {
		/* grid wider than the picture: full height; else full width */
		if ((double)cols * height > (double)rows * cell_aspect * width)
			pc = (int)((double)rows * cell_aspect * width / height + 0.5);
		else
			pr = (int)((double)cols * height / (width * cell_aspect) + 0.5);
	}
	pc = clampi(pc, 1, cols);
	pr = clampi(pr, 1, rows);
	*pic_cols = pc;
	*pic_rows = pr;
	*pic_col = (cols - pc) / 2;
	*pic_row = (rows - pr) / 2;
}

/* Source span [*a, *b) of sample i of n over size pixels. */
static void span(int i, int n, int size, int *a, int *b)
{
	*a = (int)((int64_t)i * size / n);
	*b = (int)((int64_t)(i + 1) * size / n);
	if (*b <= *a)
		*b = *a + 1;
}

static int mean(const uint8_t *p, int stride, int x0, int x1, int y0, int y1)
{
	uint32_t sum = 0;
	for (int y = y0; y < y1; y++) {
		const uint8_t *row = p + (size_t)y * (size_t)stride;
		for (int x = x0; x < x1; x++)
			sum += row[x];
	}
	uint32_t n = (uint32_t)(x1 - x0) * (uint32_t)(y1 - y0);
	return (int)((sum + n / 2) / n);
}

/* Limited-range luma to 0..255. */
static int full_range(int y)
{
	return clampi((y - 16) * 255 / 219, 0, 255);
}

struct sample {
	int y, u, v;	/* means; u = v = 128 without chroma */
};

static void take(const struct ascii_image *img, int x0, int x1, int y0, int y1,
		 struct sample *s)
{
	s->y = mean(img->y, img->y_stride, x0, x1, y0, y1);
	s->u = s->v = 128;
	if (!img->u || !img->v)
		return;
	int cw = (img->width + 1) / 2, ch = (img->height + 1) / 2;
	int cx0 = x0 / 2, cx1 = clampi((x1 + 1) / 2, cx0 + 1, cw);
	int cy0 = y0 / 2, cy1 = clampi((y1 + 1) / 2, cy0 + 1, ch);
	s->u = mean(img->u, img->uv_stride, cx0, cx1, cy0, cy1);
	s->v = mean(img->v, img->uv_stride, cx0, cx1, cy0, cy1);
}

int ascii_rgb_to_256(int r, int g, int b)
{
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };
	int c[3] = { clampi(r, 0, 255), clampi(g, 0, 255), clampi(b, 0, 255) }, q[3];

	for (int i = 0; i < 3; i++)
		q[i] = c[i] < 48 ? 0 : c[i] < 115 ? 1 : (c[i] - 35) / 40;
	int cube_d = 0, grey_d = 0;
	int avg = (c[0] + c[1] + c[2]) / 3;
	int gi = avg > 238 ? 23 : clampi((avg - 3) / 10, 0, 23);
	for (int i = 0; i < 3; i++) {
		int dc = c[i] - level[q[i]], dg = c[i] - (8 + 10 * gi);
		cube_d += dc * dc;
		grey_d += dg * dg;
	}
	if (grey_d < cube_d)
		return 232 + gi;
	return 16 + 36 * q[0] + 6 * q[1] + q[2];
}

static int32_t colour(const struct sample *s, enum ascii_mode mode)
{
	int c = s->y - 16, d = s->u - 128, e = s->v - 128;
	int r = clampi((298 * c + 409 * e + 128) >> 8, 0, 255);
	int g = clampi((298 * c - 100 * d - 208 * e + 128) >> 8, 0, 255);
	int b = clampi((298 * c + 516 * d + 128) >> 8, 0, 255);

	if (mode == ASCII_MODE_256)
		return ascii_rgb_to_256(r, g, b);
	return (int32_t)((uint32_t)r << 16 | (uint32_t)g << 8 | (uint32_t)b);
}

static bool same_layout(const struct ascii_grid *a, const struct ascii_grid *b)
{
	return a->cols == b->cols && a->rows == b->rows && a->mode == b->mode &&
	       a->pic_col == b->pic_col && a->pic_row == b->pic_row &&
	       a->pic_cols == b->pic_cols && a->pic_rows == b->pic_rows;
}

static void render_ramp(struct ascii_grid *g, const struct ascii_image *img,
			const struct ascii_opts *o, const char *ramp, int len,
			const struct ascii_grid *prev)
{
	int q = o->levels && o->levels < len ? o->levels : len;

	ascii_fit(img->width, img->height, g->cols, g->rows, o->cell_aspect ? o->cell_aspect : 2.0,
		  &g->pic_col, &g->pic_row, &g->pic_cols, &g->pic_rows);
	if (prev && !same_layout(prev, g))
		prev = NULL;
	for (int j = 0; j < g->pic_rows; j++) {
		int y0, y1;
		span(j, g->pic_rows, img->height, &y0, &y1);
		for (int i = 0; i < g->pic_cols; i++) {
			int x0, x1;
			span(i, g->pic_cols, img->width, &x0, &x1);
			size_t at = (size_t)(g->pic_row + j) * (size_t)g->cols +
				    (size_t)(g->pic_col + i);
			int v = full_range(mean(img->y, img->y_stride, x0, x1, y0, y1));
			if (prev && o->hysteresis > 0 &&
			    abs(v - prev->cells[at].level) <= o->hysteresis) {
				g->cells[at] = prev->cells[at];
				continue;
			}
			int qi = (v * (q - 1) + 127) / 255;
			int idx = (qi * (len - 1) + (q - 1) / 2) / (q - 1);
			g->cells[at] = blank;
			g->cells[at].ch = (unsigned char)ramp[idx];
			g->cells[at].level = (uint8_t)v;
		}
	}
}

/* One cell from its upper and lower half colours (NULL: outside the picture). */
static void half_cell(struct ascii_cell *c, const int32_t *top, const int32_t *bot,
		      uint8_t level)
{
	*c = blank;
	c->level = level;
	if (top && bot) {
		if (*top == *bot) {
			c->fg = c->bg = *top;
		} else {
			c->ch = ASCII_UPPER_HALF;
			c->fg = *top;
			c->bg = *bot;
		}
	} else if (top) {
		c->ch = ASCII_UPPER_HALF;
		c->fg = *top;
	} else if (bot) {
		c->ch = ASCII_LOWER_HALF;
		c->fg = *bot;
	}
}

static void render_blocks(struct ascii_grid *g, const struct ascii_image *img,
			  const struct ascii_opts *o)
{
	double ca = o->cell_aspect ? o->cell_aspect : 2.0;
	int hc, hr, pc, ph;	/* picture in half-cell rows */

	ascii_fit(img->width, img->height, g->cols, 2 * g->rows, ca / 2, &hc, &hr, &pc, &ph);
	g->pic_col = hc;
	g->pic_cols = pc;
	g->pic_row = hr / 2;
	g->pic_rows = (hr + ph + 1) / 2 - g->pic_row;
	for (int r = g->pic_row; r < g->pic_row + g->pic_rows; r++) {
		for (int i = 0; i < pc; i++) {
			int32_t col[2];
			bool in[2];
			int lum = 0, x0, x1;
			span(i, pc, img->width, &x0, &x1);
			for (int k = 0; k < 2; k++) {
				int j = 2 * r + k - hr, y0, y1;
				struct sample s;
				in[k] = j >= 0 && j < ph;
				if (!in[k])
					continue;
				span(j, ph, img->height, &y0, &y1);
				take(img, x0, x1, y0, y1, &s);
				col[k] = colour(&s, g->mode);
				lum += full_range(s.y);
			}
			half_cell(&g->cells[(size_t)r * (size_t)g->cols + (size_t)(hc + i)],
				  in[0] ? &col[0] : NULL, in[1] ? &col[1] : NULL,
				  (uint8_t)(lum / ((in[0] + in[1]) ? (in[0] + in[1]) : 1)));
		}
	}
}

int ascii_render(struct ascii_grid *g, const struct ascii_image *img,
		 const struct ascii_opts *opts, const struct ascii_grid *prev)
{
	static const struct ascii_opts defaults = { .mode = ASCII_MODE_RAMP };
	const struct ascii_opts *o = opts ? opts : &defaults;
	const char *ramp = o->ramp ? o->ramp : ASCII_RAMP_DEFAULT;
	size_t len = strnlen(ramp, RAMP_MAX + 1);

	if (!img || !img->y || img->width < 1 || img->height < 1 || img->y_stride < img->width ||
	    ((img->u || img->v) && (!img->u || !img->v || img->uv_stride < (img->width + 1) / 2)))
		return -EINVAL;
	if (o->mode != ASCII_MODE_RAMP && o->mode != ASCII_MODE_256 &&
	    o->mode != ASCII_MODE_TRUECOLOR)
		return -EINVAL;
	if (o->cell_aspect < 0 || o->cell_aspect > 10 || o->hysteresis < 0 || o->hysteresis > 255)
		return -EINVAL;
	if (o->mode == ASCII_MODE_RAMP) {
		if (len < 2 || len > RAMP_MAX || o->levels < 0 || o->levels == 1)
			return -EINVAL;
		for (size_t i = 0; i < len; i++)
			if (ramp[i] < 0x20 || ramp[i] > 0x7e)
				return -EINVAL;
	}
	if (prev == g)
		prev = NULL;
	size_t n = (size_t)g->cols * (size_t)g->rows;
	for (size_t i = 0; i < n; i++)
		g->cells[i] = blank;
	g->mode = o->mode;
	if (o->mode == ASCII_MODE_RAMP)
		render_ramp(g, img, o, ramp, (int)len, prev);
	else
		render_blocks(g, img, o);
	return 0;
}

size_t ascii_diff_max_runs(int cols, int rows)
{
	if (cols < 1 || rows < 1)
		return 0;
	return (size_t)rows * (size_t)((cols + 1) / 2);
}

static bool cell_eq(const struct ascii_cell *a, const struct ascii_cell *b)
{
	return a->ch == b->ch && a->fg == b->fg && a->bg == b->bg;
}

int ascii_diff(const struct ascii_grid *shown, const struct ascii_grid *next, int merge_gap,
	       struct ascii_run *runs, size_t cap, size_t *cells)
{
	bool all = !shown || shown->cols != next->cols || shown->rows != next->rows ||
		   shown->mode != next->mode;
	size_t n = 0, covered = 0;

	*cells = 0;
	if (merge_gap < 0)
		merge_gap = 0;
	for (int r = 0; r < next->rows; r++) {
		const struct ascii_cell *a = all ? NULL : shown->cells + (size_t)r * next->cols;
		const struct ascii_cell *b = next->cells + (size_t)r * next->cols;
		int start = -1, end = -1;	/* open run [start, end) */
		for (int c = 0; c <= next->cols; c++) {
			bool changed = c < next->cols && (all || !cell_eq(&a[c], &b[c]));
			if (changed && start >= 0 && c - end <= merge_gap) {
				end = c + 1;
				continue;
			}
			if (start >= 0 && (changed || c == next->cols)) {
				if (n == cap)
					return -ENOSPC;
				runs[n++] = (struct ascii_run){ .row = (uint16_t)r,
								.col = (uint16_t)start,
								.len = (uint16_t)(end - start) };
				covered += (size_t)(end - start);
				start = -1;
			}
			if (changed) {
				start = c;
				end = c + 1;
			}
		}
	}
	*cells = covered;
	return (int)n;
}

static size_t digits(long v)
{
	size_t n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static size_t utf8_len(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Length of one SGR parameter group for a colour ("39" / "38;5;N" / "38;2;R;G;B"). */
static size_t sgr_part(int32_t c, enum ascii_mode mode)
{
	if (c == ASCII_COLOR_DEFAULT)
		return 2;
	if (mode == ASCII_MODE_TRUECOLOR)
		return 7 + digits((c >> 16) & 0xff) + digits((c >> 8) & 0xff) + digits(c & 0xff);
	return 5 + digits(c);
}

size_t ascii_diff_bytes(const struct ascii_grid *g, const struct ascii_run *runs, size_t n,
			int origin_row, int origin_col)
{
	long cur_r = -1, cur_c = -1;
	int32_t fg = ASCII_COLOR_DEFAULT, bg = ASCII_COLOR_DEFAULT;
	size_t bytes = 0;

	for (size_t k = 0; k < n; k++) {
		long R = (long)origin_row + runs[k].row, C = (long)origin_col + runs[k].col;
		if (R != cur_r || C != cur_c) {
			size_t cup = 4 + digits(R + 1) + digits(C + 1);
			size_t cuf = C - cur_c == 1 ? 3 : 3 + digits(C - cur_c);
			bytes += R == cur_r && C > cur_c && cuf < cup ? cuf : cup;
		}
		const struct ascii_cell *c = g->cells + (size_t)runs[k].row * (size_t)g->cols +
					     runs[k].col;
		for (int i = 0; i < runs[k].len; i++, c++) {
			if (c->fg != fg || c->bg != bg) {
				size_t parts = 0, len = 3;	/* ESC [ ... m */
				if (c->fg != fg) {
					len += sgr_part(c->fg, g->mode);
					parts++;
				}
				if (c->bg != bg) {
					len += sgr_part(c->bg, g->mode);
					parts++;
				}
				bytes += len + parts - 1;
				fg = c->fg;
				bg = c->bg;
			}
			bytes += utf8_len(c->ch);
		}
		cur_r = R;
		cur_c = C + runs[k].len;
	}
	if (fg != ASCII_COLOR_DEFAULT || bg != ASCII_COLOR_DEFAULT)
		bytes += 4;	/* ESC [ 0 m */
	return bytes;
}

static size_t utf8_put(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t ascii_grid_text(const struct ascii_grid *g, char *buf, size_t cap)
{
	size_t len = 0, written = 0;
	bool full = cap == 0;
	char tmp[4];

	for (int r = 0; r < g->rows; r++) {
		for (int c = 0; c <= g->cols; c++) {
			size_t n;
			if (c == g->cols) {
				if (r == g->rows - 1)
					break;
				tmp[0] = '\n';
				n = 1;
			} else {
				n = utf8_put(g->cells[(size_t)r * (size_t)g->cols + (size_t)c].ch,
					     tmp);
			}
			/* never a partial character: writing stops at the first that does
			 * not fit */
			if (!full && len + n < cap) {
				memcpy(buf + len, tmp, n);
				written = len + n;
			} else {
				full = true;
			}
			len += n;
		}
	}
	if (cap > 0)
		buf[written] = '\0';
	return len;
}
