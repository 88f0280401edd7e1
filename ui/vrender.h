/* A governed video renderer for one pane: decoded pictures in, grids to show out.
 *
 * Per picture: vrender_offer() asks the budget governor (ui/vbudget) whether a frame is due,
 * renders at the detail it plans (ui/ascii), diffs against what is shown and asks the
 * governor to admit the cost. When it says draw, the caller draws vrender_runs() of
 * vrender_grid() (or prints the whole grid) and calls vrender_commit(). The headless driver
 * uses it without a byte budget (frame-rate cap only), the TUI with its terminal budget.
 * No clock reads (now is passed in); no allocation after create/resize. Thread: the owner's.
 */
#ifndef TTM_UI_VRENDER_H
#define TTM_UI_VRENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/video.h"
#include "ui/ascii.h"
#include "ui/vbudget.h"

struct vrender;

struct vrender_config {
	int cols, rows;            /* the pane, 1..ASCII_MAX_DIM */
	int origin_row, origin_col; /* its place on the screen (for the byte estimate) */
	double fps;                /* frame-rate cap; 0: 5 */
	uint32_t bytes_per_s;      /* terminal budget; 0: none (frame-rate cap only) */
	enum ascii_mode colour;    /* ASCII_MODE_RAMP: characters only; else allowed colour mode */
	double cell_aspect;        /* 0: 2.0 */
};

/* Returns 0, -EINVAL or -ENOMEM. */
int vrender_create(const struct vrender_config *cfg, struct vrender **out);
void vrender_destroy(struct vrender *r);
/* New pane size and place: what is shown is forgotten (the next frame is a full draw). */
int vrender_resize(struct vrender *r, int cols, int rows, int origin_row, int origin_col);
/* Offers a picture arriving at now_us. Returns 1 when a new grid is to be shown, 0 when the
 * frame is not due or the governor skipped it. term may be NULL. */
int vrender_offer(struct vrender *r, const struct video_image *img, uint64_t now_us,
		  const struct vbudget_term *term);
/* The grid to show, and the runs that differ from what is shown (after offer returned 1). */
const struct ascii_grid *vrender_grid(const struct vrender *r);
const struct ascii_run *vrender_runs(const struct vrender *r, size_t *n);
/* The caller drew the grid: it is what the pane shows now. */
void vrender_commit(struct vrender *r);
/* Nothing is shown any more (video stopped): the next frame is a full draw. */
void vrender_forget(struct vrender *r);
void vrender_get_stats(const struct vrender *r, struct vbudget_stats *s);

#endif
