/* Layout math (see layout.h). */
#include "ui/layout.h"

#include <string.h>

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void layout_compute(int rows, int cols, bool video, struct layout *l)
{
	memset(l, 0, sizeof(*l));
	l->rows = rows;
	l->cols = cols;
	if (rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS) {
		l->too_small = true;
		return;
	}
	int mid_y = 1, mid_h = rows - 3;
	int right_w = clamp(cols / 4, 18, 32);
	int chat_w = cols - right_w - 1;

	l->title = (struct rect){ 0, 0, 1, cols };
	l->chat = (struct rect){ mid_y, 0, mid_h, chat_w };
	l->vsep = (struct rect){ mid_y, chat_w, mid_h, 1 };
	l->status = (struct rect){ rows - 2, 0, 1, cols };
	l->input = (struct rect){ rows - 1, 0, 1, cols };
	if (!video) {
		l->roster = (struct rect){ mid_y, chat_w + 1, mid_h, right_w };
		return;
	}
	/* A 4:3 picture right_w cells wide is right_w * 3 / 8 rows tall, plus its title row. */
	int video_h = clamp(right_w * 3 / 8 + 1, 3, mid_h / 2);
	int roster_h = mid_h - video_h - 1;
	l->roster = (struct rect){ mid_y, chat_w + 1, roster_h, right_w };
	l->hsep = (struct rect){ mid_y + roster_h, chat_w + 1, 1, right_w };
	l->video = (struct rect){ mid_y + roster_h + 1, chat_w + 1, video_h, right_w };
}
