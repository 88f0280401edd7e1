/* Deadline sources and lazy timers (see loop.h): a custom source whose prepare/check say
 * "ready" from `slack` before the due time, so whichever iteration of the loop comes first in
 * that window dispatches it, and whose poll timeout is the due time itself. The due time is
 * read at every poll, never pushed into GLib, so moving it wakes nothing. */
#include "net/loop.h"

struct deadline_source {
	GSource base;
	const gint64 *due;   /* monotonic µs */
	gint64 slack;
};

struct lazy_timer {
	struct deadline_source d; /* d.due points at due */
	gint64 due, interval;
};

static gboolean deadline_prepare(GSource *src, gint *timeout)
{
	struct deadline_source *d = (struct deadline_source *)src;
	gint64 now = g_source_get_time(src);

	if (now >= *d->due - d->slack) {
		*timeout = 0;
		return TRUE;
	}
	*timeout = (gint)((*d->due - now + 999) / 1000);
	return FALSE;
}

static gboolean deadline_check(GSource *src)
{
	struct deadline_source *d = (struct deadline_source *)src;

	return g_source_get_time(src) >= *d->due - d->slack;
}

static gboolean deadline_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	return cb ? cb(data) : G_SOURCE_REMOVE;
}

static gboolean lazy_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	struct lazy_timer *t = (struct lazy_timer *)src;

	t->due = g_source_get_time(src) + t->interval;
	return deadline_dispatch(src, cb, data);
}

/* Never written: GLib's API is not const. */
static GSourceFuncs deadline_funcs = { .prepare = deadline_prepare, .check = deadline_check,
				       .dispatch = deadline_dispatch };
static GSourceFuncs lazy_funcs = { .prepare = deadline_prepare, .check = deadline_check,
				   .dispatch = lazy_dispatch };

GSource *loop_deadline_source_new(const gint64 *due)
{
	GSource *src = g_source_new(&deadline_funcs, sizeof(struct deadline_source));

	((struct deadline_source *)src)->due = due;
	return src;
}

GSource *loop_lazy_timer_new(guint interval_ms, guint slack_ms)
{
	GSource *src = g_source_new(&lazy_funcs, sizeof(struct lazy_timer));
	struct lazy_timer *t = (struct lazy_timer *)src;

	t->interval = (gint64)interval_ms * 1000;
	t->d.slack = slack_ms < interval_ms ? (gint64)slack_ms * 1000 : t->interval / 2;
	t->due = g_get_monotonic_time() + t->interval;
	t->d.due = &t->due;
	return src;
}
