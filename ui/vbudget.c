/* Video output governor (see vbudget.h): a token bucket for bytes, a due-time schedule for
 * the frame-rate cap, and a 2-second look-back that moves the detail level.
 *
 * Schedule: a frame is due when now >= next_due - interval/4 (a 10 fps source with arrival
 * jitter still yields an even 5 fps); a drawn frame moves next_due one interval on, from now
 * when the draw was off the cadence (late, after skips), so that causes no burst.
 */
#include "ui/vbudget.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW_US	2000000
#define CALM_WINDOWS	2
#define UP_SHARE	0.7	/* step up when the better level is predicted under this */
#define COST_ALPHA	0.2	/* EWMA weight of a new frame's cost */
#define MAX_BACKOFF	16	/* a level whose probes keep failing waits up to 16x longer */
#define FPS_SHARE	0.9	/* lowered frame rates aim at this share of the budget */
#define MIN_FPS		0.5

struct vbudget {
	struct vbudget_config cfg;
	int level, min_level;
	double fps, min_fps;	/* the frame rate in force, and its floor */
	double tokens;
	uint64_t refill_us;
	bool have_due;
	uint64_t next_due_us;

	bool win_started;
	uint64_t win_start_us;
	uint32_t win_due, win_skipped;
	uint64_t win_bytes;
	int calm;
	double cost[VBUDGET_LEVELS];	/* EWMA bytes per drawn frame, < 0 unknown */
	int backoff[VBUDGET_LEVELS];	/* x CALM_WINDOWS calm windows regain a level */
	int windows_here;		/* windows since the level last changed */
	bool probing;			/* the level was regained, not yet proven */

	bool started;
	struct vbudget_stats st;
};

void vbudget_config_default(struct vbudget_config *cfg)
{
	*cfg = (struct vbudget_config){
		.fps = 5,
		.bytes_per_s = 16384,
		.burst = 16384,
		.colour = false,
		.backlog_bytes = 4096,
		.slow_write_us = 50000,
	};
}

static int apply(struct vbudget *b, const struct vbudget_config *cfg)
{
	struct vbudget_config c;

	vbudget_config_default(&c);
	if (cfg) {
		if (cfg->fps != 0)
			c.fps = cfg->fps;
		if (cfg->bytes_per_s)
			c.bytes_per_s = cfg->bytes_per_s;
		c.burst = cfg->burst ? cfg->burst : c.bytes_per_s;
		c.colour = cfg->colour;
		if (cfg->backlog_bytes)
			c.backlog_bytes = cfg->backlog_bytes;
		if (cfg->slow_write_us)
			c.slow_write_us = cfg->slow_write_us;
	}
	if (!(c.fps >= 0.1 && c.fps <= 60))
		return -EINVAL;
	b->cfg = c;
	b->min_level = c.colour ? 0 : 1;
	b->level = b->min_level;
	b->fps = c.fps;
	b->min_fps = c.fps < MIN_FPS ? c.fps : MIN_FPS;
	b->tokens = c.burst;
	b->have_due = false;
	b->win_started = false;
	b->calm = 0;
	b->started = false;
	b->windows_here = 0;
	b->probing = false;
	for (int i = 0; i < VBUDGET_LEVELS; i++) {
		b->cost[i] = -1;
		b->backoff[i] = 1;
	}
	return 0;
}

int vbudget_create(struct vbudget **out, const struct vbudget_config *cfg)
{
	struct vbudget *b;
	int rc;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	rc = apply(b, cfg);
	if (rc < 0) {
		free(b);
		return rc;
	}
	*out = b;
	return 0;
}

void vbudget_destroy(struct vbudget *b)
{
	free(b);
}

int vbudget_reconfigure(struct vbudget *b, const struct vbudget_config *cfg)
{
	struct vbudget saved = *b;
	int rc = apply(b, cfg);
	if (rc < 0)
		*b = saved;
	return rc;
}

static uint64_t interval_us(const struct vbudget *b)
{
	return (uint64_t)(1e6 / b->fps);
}

static void refill(struct vbudget *b, uint64_t now)
{
	if (!b->started) {
		b->started = true;
		b->refill_us = now;
		return;
	}
	if (now <= b->refill_us)
		return;
	b->tokens += (double)(now - b->refill_us) * b->cfg.bytes_per_s / 1e6;
	if (b->tokens > b->cfg.burst)
		b->tokens = b->cfg.burst;
	b->refill_us = now;
}

/* Bytes a frame costs at `better` relative to the next coarser level: colour cells carry SGR
 * sequences and three-byte glyphs (ui/ascii.c; about 5x in the test-pattern bench), the full
 * ramp changes more cells than five steps. */
static const double level_ratio[VBUDGET_LEVELS - 1] = { 5.0, 1.5 };

static void set_level(struct vbudget *b, int level)
{
	if (level > b->level && b->probing && b->windows_here <= 1 &&
	    b->backoff[b->level] < MAX_BACKOFF)
		b->backoff[b->level] *= 2;	/* the regained level did not hold */
	b->probing = level < b->level;
	b->level = level;
	b->calm = 0;
	b->windows_here = 0;
	b->st.level_changes++;
}

/* End of a look-back window: under pressure (a quarter of the due frames skipped) lose
 * detail, and at the coarsest detail lower the frame rate to what the budget pays for at the
 * measured cost per frame; when calm (nothing skipped) raise the frame rate by up to 25 % per
 * window toward that figure and the cap, and at the cap regain detail once the better level
 * is predicted (current cost per frame x level_ratio) to fit for enough calm windows. A
 * regained level lost again within a window doubles the calm windows it needs next time. */
static void evaluate(struct vbudget *b, uint64_t elapsed_us)
{
	double budget = b->cfg.bytes_per_s;
	double cost = b->cost[b->level];

	if (b->win_due >= 2 && b->win_skipped * 4 >= b->win_due) {
		b->calm = 0;
		if (b->level < VBUDGET_LEVELS - 1) {
			set_level(b, b->level + 1);
			return;
		}
		double fps = b->fps * 0.7;
		if (cost > 0 && FPS_SHARE * budget / cost < fps)
			fps = FPS_SHARE * budget / cost;
		b->fps = fps < b->min_fps ? b->min_fps : fps;
		return;
	}
	if (b->win_skipped) {
		b->calm = 0;
		return;
	}
	if (b->fps < b->cfg.fps) {
		double target = cost > 0 ? FPS_SHARE * budget / cost : b->cfg.fps;
		if (target > b->fps * 1.05) {
			double fps = b->fps * 1.25;
			fps = fps < target ? fps : target;
			b->fps = fps < b->cfg.fps ? fps : b->cfg.fps;
		}
		return;
	}
	if (b->level <= b->min_level)
		return;
	int better = b->level - 1;
	double per_frame = cost >= 0 ? cost :
				       (double)b->win_bytes * 1e6 / (double)elapsed_us / b->fps;
	if (per_frame * b->fps * level_ratio[better] > UP_SHARE * budget) {
		b->calm = 0;
		return;
	}
	if (++b->calm >= CALM_WINDOWS * b->backoff[better])
		set_level(b, better);
}

static void window_tick(struct vbudget *b, uint64_t now)
{
	if (!b->win_started) {
		b->win_started = true;
		b->win_start_us = now;
		return;
	}
	if (now < b->win_start_us + WINDOW_US)
		return;
	b->windows_here++;
	evaluate(b, now - b->win_start_us);
	b->win_start_us = now;
	b->win_due = b->win_skipped = 0;
	b->win_bytes = 0;
}

bool vbudget_due(struct vbudget *b, uint64_t now_us)
{
	b->st.offered++;
	window_tick(b, now_us);
	if (!b->have_due || now_us + interval_us(b) / 4 >= b->next_due_us)
		return true;
	b->st.not_due++;
	return false;
}

enum vbudget_verdict vbudget_admit(struct vbudget *b, uint64_t now_us, size_t cost,
				   const struct vbudget_term *t)
{
	refill(b, now_us);
	window_tick(b, now_us);
	b->win_due++;
	if (t && (t->pending_bytes > b->cfg.backlog_bytes ||
		  t->last_write_us >= b->cfg.slow_write_us)) {
		b->win_skipped++;
		b->st.skipped_backlog++;
		return VBUDGET_SKIP_BACKLOG;
	}
	if ((double)cost > b->tokens && b->tokens < b->cfg.burst) {
		b->win_skipped++;
		b->st.skipped_budget++;
		return VBUDGET_SKIP_BUDGET;
	}
	b->tokens -= (double)cost;
	b->st.drawn++;
	b->st.bytes += cost;
	b->win_bytes += cost;
	double *c = &b->cost[b->level];
	*c = *c < 0 ? (double)cost : (1 - COST_ALPHA) * *c + COST_ALPHA * (double)cost;

	uint64_t iv = interval_us(b);
	if (!b->have_due || b->next_due_us + iv / 4 < now_us)
		b->next_due_us = now_us;	/* off the cadence (late, or skipped frames) */
	b->next_due_us += iv;
	b->have_due = true;
	return VBUDGET_DRAW;
}

void vbudget_plan(const struct vbudget *b, struct vbudget_plan *p)
{
	p->level = b->level;
	p->colour = b->level == 0;
	p->ramp_levels = b->level >= 2 ? 5 : 0;
	p->hysteresis = b->level >= 2 ? 24 : 8;
	p->fps = b->fps;
}

void vbudget_get_stats(const struct vbudget *b, struct vbudget_stats *s)
{
	*s = b->st;
}
