/* Unit tests for net/loop: a lazy timer runs on time in an idle loop, and in a loop that wakes
 * every 20 ms for something else it runs only in those wake-ups (none of its own), never
 * sooner than interval - slack after its previous run; loop_source_drop stops it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include "net/loop.h"

struct probe {
	unsigned iteration;     /* loop iterations so far */
	unsigned busy_at;       /* iteration of the busy source's last dispatch */
	unsigned runs, alone;   /* lazy runs; of them, in an iteration the busy source had not */
	gint64 last, min_gap, max_gap;
};

static gboolean busy_cb(gpointer data)
{
	struct probe *p = data;

	p->busy_at = p->iteration;
	return G_SOURCE_CONTINUE;
}

static gboolean lazy_cb(gpointer data)
{
	struct probe *p = data;
	gint64 now = g_get_monotonic_time();

	if (p->last) {
		gint64 gap = now - p->last;
		if (!p->min_gap || gap < p->min_gap)
			p->min_gap = gap;
		if (gap > p->max_gap)
			p->max_gap = gap;
	}
	p->last = now;
	p->runs++;
	return G_SOURCE_CONTINUE;
}

/* Runs ctx for ms (and the iteration under way then). Both sources have the same priority
 * and the busy one was attached first: in an iteration where both are ready it runs first. */
static void run(GMainContext *ctx, struct probe *p, GSource *lazy, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end) {
		unsigned before = p->runs;
		p->iteration++;
		g_main_context_iteration(ctx, TRUE);
		if (p->runs != before && p->busy_at != p->iteration)
			p->alone++;
	}
	(void)lazy;
}

static void test_idle_loop_runs_on_time(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct probe p = { 0 };
	GSource *lazy = loop_lazy_timer_new(100, 30);

	g_source_set_callback(lazy, lazy_cb, &p, NULL);
	g_source_attach(lazy, ctx);
	run(ctx, &p, lazy, 1050);
	assert_true(p.runs >= 10 && p.runs <= 11);
	assert_true(p.min_gap >= 99000); /* nothing else woke the loop: always the full interval */
	assert_int_equal(p.alone, p.runs);
	loop_source_drop(&lazy);
	assert_null(lazy);
	p.runs = 0;
	while (g_main_context_iteration(ctx, FALSE))
		;
	assert_int_equal(p.runs, 0);
	g_main_context_unref(ctx);
}

static void test_rides_on_other_wakeups(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct probe p = { 0 };
	GSource *busy = g_timeout_source_new(20);
	GSource *lazy = loop_lazy_timer_new(100, 30);

	g_source_set_callback(busy, busy_cb, &p, NULL);
	g_source_attach(busy, ctx);
	g_source_set_callback(lazy, lazy_cb, &p, NULL);
	g_source_attach(lazy, ctx);
	run(ctx, &p, lazy, 2000);
	/* Every run in a 20 ms wake-up: 70..100 ms apart (a slow machine may stretch one). */
	assert_true(p.runs >= 18 && p.runs <= 29);
	assert_true(p.min_gap >= 70000);
	assert_true(p.max_gap <= 160000);
	assert_true(p.alone <= 1); /* a wake-up can come due at the same instant */
	loop_source_drop(&lazy);
	loop_source_drop(&busy);
	g_main_context_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_loop_runs_on_time),
		cmocka_unit_test(test_rides_on_other_wakeups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
