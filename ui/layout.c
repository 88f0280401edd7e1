/* Layout math (see layout.h). */
#include "ui/layout.h"

#include <string.h>

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Picture rows a picture of aspect a fills at w columns (rounded down), and the reverse. */
static int pic_rows(int w, double a)
{
	return (int)(w / (LAYOUT_CELL_ASPECT * a));
}

static int pic_cols(int rows, double a)
{
	return (int)(rows * LAYOUT_CELL_ASPECT * a + 0.5);
}

void layout_compute(int rows, int cols, enum layout_video video, double pic_aspect,
		    struct layout *l)
{
	memset(l, 0, sizeof(*l));
	l->rows = rows;
	l->cols = cols;
	if (rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS) {
		l->too_small = true;
		return;
	}
	double a = pic_aspect >= 0.2 && pic_aspect <= 5 ? pic_aspect : LAYOUT_DEFAULT_ASPECT;
	int mid_y = 1, mid_h = rows - 3;
	l->title = (struct rect){ 0, 0, 1, cols };
	l->status = (struct rect){ rows - 2, 0, 1, cols };
	l->input = (struct rect){ rows - 1, 0, 1, cols };
	if (video == LAYOUT_VIDEO_FULL) {
		l->video = (struct rect){ mid_y, 0, mid_h, cols };
		return;
	}
	int side_max = cols - 1 - LAYOUT_CHAT_MIN; /* >= LAYOUT_SIDE_MIN from LAYOUT_MIN_COLS */
	int side_w, video_h = 0;
	switch (video) {
	case LAYOUT_VIDEO_NORMAL:
		side_w = clamp(cols / 4, LAYOUT_SIDE_MIN, side_max);
		video_h = clamp(pic_rows(side_w, a) + 1, 3, mid_h / 2);
		break;
	case LAYOUT_VIDEO_LARGE: {
		int most = mid_h - 1 - LAYOUT_ROSTER_MIN_ROWS - 1; /* picture rows that fit */
		side_w = clamp(cols * 3 / 5, LAYOUT_SIDE_MIN, side_max);
		int pr = pic_rows(side_w, a);
		if (pr > most) { /* too tall: as wide as the rows that fit need */
			pr = most;
			side_w = clamp(pic_cols(pr, a), LAYOUT_SIDE_MIN, side_w);
		}
		video_h = clamp(pr + 1, 3, mid_h - 1 - LAYOUT_ROSTER_MIN_ROWS);
		break;
	}
	default:
		side_w = clamp(cols / 4, LAYOUT_SIDE_MIN, LAYOUT_ROSTER_MAX);
		break;
	}
	int chat_w = cols - side_w - 1;
	l->chat = (struct rect){ mid_y, 0, mid_h, chat_w };
	l->vsep = (struct rect){ mid_y, chat_w, mid_h, 1 };
	if (!video_h) {
		l->roster = (struct rect){ mid_y, chat_w + 1, mid_h, side_w };
		return;
	}
	int roster_h = mid_h - video_h - 1;
	l->roster = (struct rect){ mid_y, chat_w + 1, roster_h, side_w };
	l->hsep = (struct rect){ mid_y + roster_h, chat_w + 1, 1, side_w };
	l->video = (struct rect){ mid_y + roster_h + 1, chat_w + 1, video_h, side_w };
}
