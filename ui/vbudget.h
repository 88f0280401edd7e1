/* The video pane's output governor: how often to draw and at what detail, so the video never
 * writes more than its terminal-output budget (bytes/s) and backs off when the terminal (an
 * SSH link, a slow emulator) falls behind.
 *
 * Per decoded frame: vbudget_due() — is a frame due under the current frame-rate cap? If so
 * render with vbudget_plan()'s detail, diff against what is shown, estimate the bytes
 * (ascii_diff_bytes) and ask vbudget_admit(): DRAW (draw it, the bytes are charged to a token
 * bucket refilled at bytes_per_s, at most `burst` deep) or a SKIP verdict (keep showing the old
 * grid; the next frame is due at once). A frame bigger than the bucket is drawn when the bucket
 * is full and leaves it in debt, so the average still holds.
 *
 * Detail levels, best first: 0 colour blocks (only when the user chose colour), 1 ASCII,
 * 2 ASCII with fewer ramp steps and more hysteresis (fewer cells change). Every 2 s the
 * governor looks back. If a quarter or more of the due frames were skipped it loses one level
 * of detail, or, at the coarsest, lowers the frame rate to what the budget pays for at the
 * measured bytes per frame (at least 0.5 fps). When nothing was skipped it raises a lowered
 * frame rate (up to 25 % per window, toward that figure and the cap), and at the cap it
 * regains detail after two calm windows in which the better level is predicted to fit in 70 %
 * of the budget (the current bytes per frame times a fixed ratio per level: 5x for colour over
 * ASCII, 1.5x for the full ramp); a regained level that fails at once doubles the calm
 * windows it needs next time (up to 16x), so a wrong prediction does not oscillate.
 *
 * No clock reads (times are passed in, microseconds, monotonic); no allocation after create.
 * Thread: the UI's.
 */
#ifndef TTM_UI_VBUDGET_H
#define TTM_UI_VBUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VBUDGET_LEVELS 3

struct vbudget_config {
	double fps;		/* frame-rate cap, 0.1..60; default 5 */
	uint32_t bytes_per_s;	/* terminal-output budget; default 16384 */
	uint32_t burst;		/* token bucket depth in bytes; default bytes_per_s */
	bool colour;		/* the user wants colour blocks (level 0 allowed) */
	size_t backlog_bytes;	/* the terminal is behind above this many unwritten bytes;
				 * default 4096 */
	uint32_t slow_write_us;	/* ... or when the last write took this long; 50 ms */
};

/* What the terminal side knows at a frame: bytes queued but not yet taken by the terminal
 * (e.g. TIOCOUTQ, or our own unwritten buffer) and how long the last write/refresh took. */
struct vbudget_term {
	size_t pending_bytes;
	uint32_t last_write_us;
};

/* How to render now. */
struct vbudget_plan {
	int level;		/* 0..VBUDGET_LEVELS-1 */
	bool colour;		/* colour blocks; else the ASCII ramp */
	int ramp_levels;	/* ascii_opts.levels (0: every ramp step) */
	int hysteresis;		/* ascii_opts.hysteresis */
	double fps;		/* the frame rate in force (<= the configured cap) */
};

enum vbudget_verdict {
	VBUDGET_DRAW,
	VBUDGET_SKIP_BUDGET,	/* not enough tokens */
	VBUDGET_SKIP_BACKLOG,	/* the terminal is behind */
};

struct vbudget_stats {
	uint64_t offered;	/* vbudget_due() calls */
	uint64_t not_due;	/* ... that said no (frame-rate cap) */
	uint64_t drawn;
	uint64_t skipped_budget, skipped_backlog;
	uint64_t bytes;		/* charged for drawn frames */
	uint64_t level_changes;
};

struct vbudget;

/* Fills cfg with the defaults above (colour off). */
void vbudget_config_default(struct vbudget_config *cfg);
/* Creates a governor at its best allowed level with a full bucket (cfg NULL: defaults; 0
 * fields take defaults). Returns 0, -EINVAL (fps out of range) or -ENOMEM. */
int vbudget_create(struct vbudget **out, const struct vbudget_config *cfg);
void vbudget_destroy(struct vbudget *b);
/* New settings (e.g. /video fps, colour toggled); the level restarts at the best allowed. */
int vbudget_reconfigure(struct vbudget *b, const struct vbudget_config *cfg);
/* True when a frame arriving at now_us is due under the current frame-rate cap. */
bool vbudget_due(struct vbudget *b, uint64_t now_us);
/* Decides about a due frame that costs `cost` bytes to draw (t may be NULL: terminal keeps
 * up). DRAW charges the cost and schedules the next due time. */
enum vbudget_verdict vbudget_admit(struct vbudget *b, uint64_t now_us, size_t cost,
				   const struct vbudget_term *t);
/* The detail to render the next frame with. */
void vbudget_plan(const struct vbudget *b, struct vbudget_plan *p);
void vbudget_get_stats(const struct vbudget *b, struct vbudget_stats *s);

#endif
