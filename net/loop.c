/* Lazy timers (see loop.h): a custom source whose prepare/check say "ready" from slack before
 * the due time, so whichever iteration of the loop comes first in that window dispatches it,
 * and whose poll timeout is the due time itself. */
#include "net/loop.h"

struct lazy_timer {
	GSource base;
	gint64 due, interval, slack; /* monotonic µs */
};

static gboolean lazy_ready(struct lazy_timer *t, gint64 now)
{
	return now >= t->due - t->slack;
}

static gboolean lazy_prepare(GSource *src, gint *timeout)
{
	struct lazy_timer *t = (struct lazy_timer *)src;
	gint64 now = g_source_get_time(src);

	if (lazy_ready(t, now)) {
		*timeout = 0;
		return TRUE;
	}
	*timeout = (gint)((t->due - now + 999) / 1000);
	return FALSE;
}

static gboolean lazy_check(GSource *src)
{
	return lazy_ready((struct lazy_timer *)src, g_source_get_time(src));
}

static gboolean lazy_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	struct lazy_timer *t = (struct lazy_timer *)src;

	t->due = g_source_get_time(src) + t->interval;
	return cb ? cb(data) : G_SOURCE_REMOVE;
}

/* Never written: GLib's API is not const. */
static GSourceFuncs lazy_funcs = { .prepare = lazy_prepare, .check = lazy_check,
				   .dispatch = lazy_dispatch };

GSource *loop_lazy_timer_new(guint interval_ms, guint slack_ms)
{
	GSource *src = g_source_new(&lazy_funcs, sizeof(struct lazy_timer));
	struct lazy_timer *t = (struct lazy_timer *)src;

	t->interval = (gint64)interval_ms * 1000;
	t->slack = slack_ms < interval_ms ? (gint64)slack_ms * 1000 : t->interval / 2;
	t->due = g_get_monotonic_time() + t->interval;
	return src;
}
