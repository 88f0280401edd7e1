/* Character rendering of video: an I420 picture becomes a grid of terminal cells, and two
 * grids become the list of cells to redraw and an estimate of what that costs in bytes.
 *
 * Data flow: decoded picture → ascii_render() (area-averaged downscale into the pane's
 * cols x rows, letterboxed so the picture keeps its aspect on cells ~2x taller than wide) →
 * ascii_diff() against the grid the terminal shows → the TUI draws only those runs; the
 * budget governor (ui/vbudget.h) decides from ascii_diff_bytes() whether to draw at all.
 * ascii_grid_text() gives the grid as plain text (headless video-frame events).
 *
 * Modes: a luminance ramp of ASCII characters (default " .:-=+*#%@", dark to bright), or
 * half blocks: U+2580 "▀" with the upper half-pixel as foreground and the lower as
 * background colour, in the xterm 256-colour palette or 24-bit colour. The module produces
 * cell data only; it never calls curses. Pure functions over caller-owned grids; any thread.
 */
#ifndef TTM_UI_ASCII_H
#define TTM_UI_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ASCII_RAMP_DEFAULT	" .:-=+*#%@"
#define ASCII_COLOR_DEFAULT	(-1)		/* the terminal's default colour */
#define ASCII_UPPER_HALF	0x2580u		/* ▀ */
#define ASCII_LOWER_HALF	0x2584u		/* ▄ */
#define ASCII_MAX_DIM		1000		/* cols and rows */

enum ascii_mode {
	ASCII_MODE_RAMP,	/* characters from the ramp, default colours */
	ASCII_MODE_256,		/* half blocks, colours are xterm palette indices 0..255 */
	ASCII_MODE_TRUECOLOR,	/* half blocks, colours are 0xRRGGBB */
};

/* The picture to draw: 8-bit luma plane and, optionally, the two I420 chroma planes
 * ((width+1)/2 x (height+1)/2; u and v NULL draws grey). */
struct ascii_image {
	int width, height;
	const uint8_t *y, *u, *v;
	int y_stride, uv_stride;
};

struct ascii_cell {
	uint32_t ch;		/* Unicode code point */
	int32_t fg, bg;		/* ASCII_COLOR_DEFAULT, palette index or 0xRRGGBB (mode) */
	uint8_t level;		/* full-range luma (0..255) the cell stands for; not drawn */
};

struct ascii_grid {
	int cols, rows;
	enum ascii_mode mode;
	/* The picture's cells inside the grid; outside them the grid is blank (letterbox). */
	int pic_col, pic_row, pic_cols, pic_rows;
	struct ascii_cell *cells;	/* rows * cols, row by row */
};

struct ascii_opts {
	enum ascii_mode mode;
	const char *ramp;	/* NULL: ASCII_RAMP_DEFAULT; 2..64 printable ASCII, dark first */
	double cell_aspect;	/* a cell's height / width; 0: 2.0 */
	int levels;		/* use only this many evenly spread ramp steps (>= 2, more than
				 * the ramp has means all; 0: all). Fewer steps, fewer cells
				 * change: less output. */
	int hysteresis;		/* ramp mode: a cell keeps the character shown in `prev`
				 * unless its luma moved by more than this (0..255; 0: off) */
};

/* A blank grid (spaces, default colours) of cols x rows (1..ASCII_MAX_DIM). Returns 0,
 * -EINVAL or -ENOMEM. */
int ascii_grid_create(struct ascii_grid **out, int cols, int rows);
void ascii_grid_destroy(struct ascii_grid *g);
/* Blanks every cell (the picture rectangle becomes empty). */
void ascii_grid_clear(struct ascii_grid *g);
/* Copies src's cells and picture rectangle into dst (same size). Returns 0 or -EINVAL. */
int ascii_grid_copy(struct ascii_grid *dst, const struct ascii_grid *src);

/* Where a width x height picture (square pixels) goes in a cols x rows grid of cells each
 * cell_aspect times taller than wide: the largest centred rectangle with the picture's aspect
 * (rounded to whole cells, at least 1 x 1). For half-block rows pass 2*rows and
 * cell_aspect/2. */
void ascii_fit(int width, int height, int cols, int rows, double cell_aspect, int *pic_col,
	       int *pic_row, int *pic_cols, int *pic_rows);

/* Renders img into g (every cell is rewritten; opts NULL: ramp defaults). prev, if not NULL
 * and not g, is the grid the terminal shows (for opts->hysteresis; ignored unless its size,
 * mode and picture rectangle match). Returns 0, or -EINVAL for a bad picture or options. */
int ascii_render(struct ascii_grid *g, const struct ascii_image *img,
		 const struct ascii_opts *opts, const struct ascii_grid *prev);

/* A run of cells to redraw: `len` cells from (row, col) of the grid. */
struct ascii_run {
	uint16_t row, col, len;
};

/* Most runs ascii_diff() can produce for a cols x rows grid. */
size_t ascii_diff_max_runs(int cols, int rows);
/* The cells of next that differ from shown (character or colours), as runs in row order.
 * Runs on one row separated by at most merge_gap unchanged cells are joined (rewriting a few
 * equal cells is cheaper than moving the cursor). With shown NULL or of another size or
 * mode, every row is one run. Returns the number of runs written to runs (cap entries;
 * ascii_diff_max_runs() always suffices) or -ENOSPC; *cells gets the cells covered. */
int ascii_diff(const struct ascii_grid *shown, const struct ascii_grid *next, int merge_gap,
	       struct ascii_run *runs, size_t cap, size_t *cells);
/* Bytes a terminal receives to draw these runs of g placed at screen row/column (0-based)
 * origin_row/origin_col: per run a cursor move unless the cursor is already there (absolute
 * CUP, or CUF forward on the same row when shorter), the UTF-8 glyphs, and SGR sequences
 * whenever the colours change from the previous cell (fg and bg in one sequence), plus one
 * SGR reset at the end if colours were set. Attributes start at the terminal default. */
size_t ascii_diff_bytes(const struct ascii_grid *g, const struct ascii_run *runs, size_t n,
			int origin_row, int origin_col);

/* The grid as UTF-8 text, rows separated by '\n' (no trailing newline), NUL-terminated
 * within cap. Returns the length the full text needs (as snprintf). */
size_t ascii_grid_text(const struct ascii_grid *g, char *buf, size_t cap);

/* xterm 256-colour index nearest to an RGB colour (the 6x6x6 cube or the grey ramp). */
int ascii_rgb_to_256(int r, int g, int b);

#endif
