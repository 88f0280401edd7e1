/* Governed video renderer (see vrender.h). Two grids: `shown` (what the pane shows, or
 * nothing after a resize/forget) and `next` (the frame being offered). */
#include "ui/vrender.h"

#include <errno.h>
#include <stdlib.h>

struct vrender {
	struct vrender_config cfg;
	struct vbudget *gov;
	struct ascii_grid *shown, *next;
	bool have_shown;
	struct ascii_run *runs;
	size_t n_runs;
};

static void free_grids(struct vrender *r)
{
	ascii_grid_destroy(r->shown);
	ascii_grid_destroy(r->next);
	free(r->runs);
	r->shown = r->next = NULL;
	r->runs = NULL;
}

int vrender_resize(struct vrender *r, int cols, int rows, int origin_row, int origin_col)
{
	if (cols < 1 || rows < 1 || cols > ASCII_MAX_DIM || rows > ASCII_MAX_DIM)
		return -EINVAL;
	free_grids(r);
	r->cfg.cols = cols;
	r->cfg.rows = rows;
	r->cfg.origin_row = origin_row;
	r->cfg.origin_col = origin_col;
	r->have_shown = false;
	r->n_runs = 0;
	if (ascii_grid_create(&r->shown, cols, rows) < 0 ||
	    ascii_grid_create(&r->next, cols, rows) < 0 ||
	    !(r->runs = calloc(ascii_diff_max_runs(cols, rows), sizeof(*r->runs)))) {
		free_grids(r);
		return -ENOMEM;
	}
	return 0;
}

int vrender_create(const struct vrender_config *cfg, struct vrender **out)
{
	struct vbudget_config bc;
	struct vrender *r = calloc(1, sizeof(*r));
	int rc;
	if (!r)
		return -ENOMEM;
	r->cfg = *cfg;
	vbudget_config_default(&bc);
	bc.fps = cfg->fps > 0 ? cfg->fps : 5;
	/* no budget: a bucket no frame can empty */
	bc.bytes_per_s = cfg->bytes_per_s ? cfg->bytes_per_s : UINT32_MAX / 4;
	bc.burst = bc.bytes_per_s;
	bc.colour = cfg->colour != ASCII_MODE_RAMP;
	if ((rc = vbudget_create(&r->gov, &bc)) < 0 ||
	    (rc = vrender_resize(r, cfg->cols, cfg->rows, cfg->origin_row, cfg->origin_col)) < 0) {
		vrender_destroy(r);
		return rc;
	}
	*out = r;
	return 0;
}

void vrender_destroy(struct vrender *r)
{
	if (!r)
		return;
	vbudget_destroy(r->gov);
	free_grids(r);
	free(r);
}

int vrender_offer(struct vrender *r, const struct video_image *img, uint64_t now_us,
		  const struct vbudget_term *term)
{
	struct ascii_image ai = { .width = img->width, .height = img->height,
				  .y = img->planes[0], .u = img->planes[1], .v = img->planes[2],
				  .y_stride = img->stride[0], .uv_stride = img->stride[1] };
	struct vbudget_plan plan;
	size_t cells;

	if (!vbudget_due(r->gov, now_us))
		return 0;
	vbudget_plan(r->gov, &plan);
	struct ascii_opts o = { .mode = plan.colour ? r->cfg.colour : ASCII_MODE_RAMP,
				.levels = plan.ramp_levels, .hysteresis = plan.hysteresis,
				.cell_aspect = r->cfg.cell_aspect };
	const struct ascii_grid *prev = r->have_shown ? r->shown : NULL;
	if (ascii_render(r->next, &ai, &o, prev) < 0)
		return 0;
	int n = ascii_diff(prev, r->next, 3, r->runs,
			   ascii_diff_max_runs(r->cfg.cols, r->cfg.rows), &cells);
	if (n < 0)
		return 0;
	r->n_runs = (size_t)n;
	size_t bytes = ascii_diff_bytes(r->next, r->runs, r->n_runs, r->cfg.origin_row,
					r->cfg.origin_col);
	return vbudget_admit(r->gov, now_us, bytes, term) == VBUDGET_DRAW;
}

const struct ascii_grid *vrender_grid(const struct vrender *r)
{
	return r->next;
}

const struct ascii_run *vrender_runs(const struct vrender *r, size_t *n)
{
	*n = r->n_runs;
	return r->runs;
}

void vrender_commit(struct vrender *r)
{
	ascii_grid_copy(r->shown, r->next);
	r->have_shown = true;
}

void vrender_forget(struct vrender *r)
{
	r->have_shown = false;
	ascii_grid_clear(r->shown);
}

void vrender_get_stats(const struct vrender *r, struct vbudget_stats *s)
{
	vbudget_get_stats(r->gov, s);
}
