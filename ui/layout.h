/* Screen layout of the meeting view: where each pane goes for a terminal size. Pure.
 *
 *   row 0          title bar (room, server, people, F1 hint)
 *   rows 1..r-3    chat pane | separator | roster pane over the video pane
 *   row r-2        status bar
 *   row r-1        input line
 *
 * The right column is a quarter of the width (18..32 columns); the video pane under the roster
 * keeps a roughly 4:3 picture (cells are about twice as tall as wide) and at most half the
 * middle height. Below LAYOUT_MIN_COLS x LAYOUT_MIN_ROWS nothing fits: too_small is set.
 */
#ifndef TTM_UI_LAYOUT_H
#define TTM_UI_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS 60
#define LAYOUT_MIN_ROWS 16

struct rect {
	int y, x, h, w;
};

struct layout {
	bool too_small;
	int rows, cols;
	struct rect title, chat, vsep, roster, hsep, video, status, input;
};

/* Computes the layout for rows x cols; video false gives the roster the whole column.
 * Every rect lies inside the screen and no two overlap. */
void layout_compute(int rows, int cols, bool video, struct layout *out);

#endif
