/* A helper for unit tests that drive a GMainContext: iterate it until a condition holds or a
 * deadline passes (a 20 ms ticker keeps the loop turning while nothing else is due), so no
 * test can hang. Header only. */
#ifndef TTM_TESTS_PUMP_H
#define TTM_TESTS_PUMP_H

#include <glib.h>
#include <stdbool.h>

static inline gboolean pump_tick(gpointer data)
{
	return G_SOURCE_CONTINUE;
}

/* Iterates ctx until pred(arg) holds or timeout_ms passes (pred NULL: the whole time);
 * returns pred's final value. */
static inline bool pump(GMainContext *ctx, bool (*pred)(void *), void *arg, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	GSource *t = g_timeout_source_new(20);
	bool ok;

	g_source_set_callback(t, pump_tick, NULL, NULL);
	g_source_attach(t, ctx);
	while (!(ok = pred ? pred(arg) : false) && g_get_monotonic_time() < deadline)
		g_main_context_iteration(ctx, TRUE);
	g_source_destroy(t);
	g_source_unref(t);
	return ok;
}

#endif
