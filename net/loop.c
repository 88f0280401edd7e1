/* One-shot sources, deadline sources and lazy timers (see loop.h). One-shots are a bare source
 * with a ready time. Deadline sources and lazy timers: a custom source whose prepare/check say
 * "ready" from `slack` before the due time, so whichever iteration of the loop comes first in
 * that window dispatches it, and whose poll timeout is the due time itself. The due time is
 * read at every poll, never pushed into GLib, so moving it wakes nothing. */
#include "net/loop.h"

struct deadline_source {
	GSource base;
	const gint64 *due;   /* monotonic µs */
	gint64 slack;
};

struct once_source {
	GSource base;
	GSource **slot;
	void (*fn)(void *data);
	void *data;
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

/* The loop holds its own reference while it dispatches: *slot's may go before fn runs. */
static gboolean once_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	struct once_source *o = (struct once_source *)src;

	(void)cb, (void)data;
	if (*o->slot == src) {
		*o->slot = NULL;
		g_source_unref(src);
	}
	o->fn(o->data);
	return G_SOURCE_REMOVE;
}

/* Never written: GLib's API is not const. */
static GSourceFuncs deadline_funcs = { .prepare = deadline_prepare, .check = deadline_check,
				       .dispatch = deadline_dispatch };
static GSourceFuncs lazy_funcs = { .prepare = deadline_prepare, .check = deadline_check,
				   .dispatch = lazy_dispatch };

static GSourceFuncs once_funcs = { .dispatch = once_dispatch };

void loop_once(GSource **slot, GMainContext *ctx, guint ms, void (*fn)(void *data), void *data)
{
	GSource *src = g_source_new(&once_funcs, sizeof(struct once_source));
	struct once_source *o = (struct once_source *)src;

	loop_source_drop(slot);
	o->slot = slot;
	o->fn = fn;
	o->data = data;
	g_source_set_ready_time(src, ms ? g_get_monotonic_time() + (gint64)ms * 1000 : 0);
	g_source_attach(src, ctx);
	*slot = src;
}

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
