/* Small helpers for GLib main-loop sources, shared by every module that owns timers and idle
 * callbacks. Any thread that owns the source. */
#ifndef TTM_NET_LOOP_H
#define TTM_NET_LOOP_H

#include <glib.h>

/* Detaches and releases the source *src holds (if any) and clears the pointer. */
static inline void loop_source_drop(GSource **src)
{
	if (*src) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

/* Runs fn(data) once on ctx, ms milliseconds from now (0: at the loop's next iteration), with
 * default priority. *slot holds the source until then: loop_source_drop(slot) cancels it, and
 * it is cleared (and released) just before fn runs, so fn may schedule again or free the
 * object *slot lives in. A source already in *slot is dropped first (the new time wins). */
void loop_once(GSource **slot, GMainContext *ctx, guint ms, void (*fn)(void *data), void *data);

/* A source that is ready once the monotonic time (µs) reaches *due, which must outlive it.
 * *due is read each time the loop is about to poll, so its owner may move it at any time
 * from the loop's thread without waking the loop (g_source_set_ready_time() writes the
 * loop's eventfd when called outside the source's own dispatch). The callback is a
 * GSourceFunc that moves *due on (or the source stays ready). Not attached yet; returns a
 * new reference. */
GSource *loop_deadline_source_new(const gint64 *due);

/* A repeating timer for housekeeping that needs no precision. Due every interval_ms, it runs
 * on time when the loop is otherwise idle, but a wake-up of the loop for anything else up to
 * slack_ms (< interval_ms) before that runs it then, so while media keeps the loop busy it
 * costs no wake-ups of its own. Its callback (g_source_set_callback, a GSourceFunc) must
 * cope with intervals from interval_ms - slack_ms to interval_ms plus the loop's latency.
 * Not attached yet; returns a new reference. */
GSource *loop_lazy_timer_new(guint interval_ms, guint slack_ms);

#endif
