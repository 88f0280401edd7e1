/* Screen layout of the meeting view: where each pane goes for a terminal size. Pure.
 *
 *   row 0          title bar (room, server, people, F1 hint)
 *   rows 1..r-3    chat pane | separator | roster pane over the video pane
 *                  (full window: the video pane alone)
 *   row r-2        status bar
 *   row r-1        input line
 *
 * The video pane's size follows the terminal and the picture: its picture rows (all but the
 * pane's title row) are as many as a picture of the given aspect needs at the pane's width on
 * cells twice as tall as wide. The colour mode does not change that: a half-block cell holds
 * two pixel rows, so the picture has the same shape on screen, only finer. Sizes:
 *  - LAYOUT_VIDEO_OFF: no pane; the right column is the roster's, a quarter of the width
 *    (LAYOUT_SIDE_MIN..LAYOUT_ROSTER_MAX columns): the chat gets the rest.
 *  - LAYOUT_VIDEO_NORMAL: a quarter of the width, without an upper bound, and at most half
 *    the middle height; the roster keeps the rows above it.
 *  - LAYOUT_VIDEO_LARGE: three fifths of the width, or less when the picture would be taller
 *    than the middle minus LAYOUT_ROSTER_MIN_ROWS roster rows (the width then follows the
 *    height, so no columns are wasted).
 *  - LAYOUT_VIDEO_FULL: every row and column between the title and status bars.
 * Except in full window the chat keeps at least LAYOUT_CHAT_MIN columns and the right column
 * at least LAYOUT_SIDE_MIN. Below LAYOUT_MIN_COLS x LAYOUT_MIN_ROWS nothing fits: too_small.
 */
#ifndef TTM_UI_LAYOUT_H
#define TTM_UI_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS 60
#define LAYOUT_MIN_ROWS 16
#define LAYOUT_CHAT_MIN 40	  /* chat columns kept in every size but full window */
#define LAYOUT_SIDE_MIN 18	  /* the right column (roster, video) */
#define LAYOUT_ROSTER_MAX 32	  /* the roster column without video */
#define LAYOUT_ROSTER_MIN_ROWS 3  /* roster rows kept above a large picture */
#define LAYOUT_CELL_ASPECT 2.0	  /* a cell's height / width */
#define LAYOUT_DEFAULT_ASPECT (4.0 / 3.0) /* picture width / height before one is known */

enum layout_video {
	LAYOUT_VIDEO_OFF,
	LAYOUT_VIDEO_NORMAL,
	LAYOUT_VIDEO_LARGE,
	LAYOUT_VIDEO_FULL,
};

struct rect {
	int y, x, h, w;
};

struct layout {
	bool too_small;
	int rows, cols;
	struct rect title, chat, vsep, roster, hsep, video, status, input;
};

/* Computes the layout for rows x cols with the video pane in size `video`, for a picture of
 * pic_aspect (width / height; 0 or out of 0.2..5: LAYOUT_DEFAULT_ASPECT). Every rect lies
 * inside the screen and no two overlap; a pane that is not shown has h == w == 0. */
void layout_compute(int rows, int cols, enum layout_video video, double pic_aspect,
		    struct layout *out);

#endif
