/* Unit tests for net/loop: a deadline source follows its due time when its owner moves it
 * (earlier or later) from another callback; a lazy timer runs on time in an idle loop, and in a
 * loop that wakes every 20 ms for something else it runs only in those wake-ups (none of its
 * own), never sooner than interval - slack after its previous run; loop_source_drop stops
 * it. A one-shot (loop_once) runs once, not before its time, with its slot already cleared
 * (so it may schedule itself again), replaces the one in its slot, and a drop cancels it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

struct deadline_probe {
	gint64 due, moved_at, fired_at;
	gint64 move_by; /* from the moment of the move */
	int fired;
};

static gboolean deadline_cb(gpointer data)
{
	struct deadline_probe *p = data;

	p->fired_at = g_get_monotonic_time();
	p->fired++;
	p->due = G_MAXINT64 / 2; /* not again */
	return G_SOURCE_CONTINUE;
}

static gboolean move_cb(gpointer data)
{
	struct deadline_probe *p = data;

	p->moved_at = g_get_monotonic_time();
	p->due = p->moved_at + p->move_by;
	return G_SOURCE_REMOVE;
}

static void test_deadline_follows_its_due_time(void **state)
{
	static const gint64 first[2] = { 500000, 60000 }, moved[2] = { 40000, 150000 };

	for (int i = 0; i < 2; i++) { /* moved earlier, then later */
		GMainContext *ctx = g_main_context_new();
		struct deadline_probe p = { .due = g_get_monotonic_time() + first[i],
					    .move_by = moved[i] };
		GSource *dl = loop_deadline_source_new(&p.due);
		GSource *mv = g_timeout_source_new(10);
		gint64 end = g_get_monotonic_time() + 1000000;

		g_source_set_callback(dl, deadline_cb, &p, NULL);
		g_source_attach(dl, ctx);
		g_source_set_callback(mv, move_cb, &p, NULL);
		g_source_attach(mv, ctx);
		while (!p.fired && g_get_monotonic_time() < end)
			g_main_context_iteration(ctx, TRUE);
		assert_int_equal(p.fired, 1);
		assert_true(p.moved_at > 0);
		assert_true(p.fired_at - p.moved_at >= moved[i]);
		assert_true(p.fired_at - p.moved_at <= moved[i] + 30000);
		loop_source_drop(&dl);
		g_source_unref(mv);
		g_main_context_unref(ctx);
	}
}

struct once_probe {
	GSource *slot;
	unsigned runs, again; /* runs so far; how many more to schedule from the callback */
	bool slot_clear;      /* *slot was NULL in every run */
	gint64 at[4];
};

static void once_cb(void *data)
{
	struct once_probe *o = data;

	o->slot_clear = o->slot_clear && !o->slot;
	if (o->runs < 4)
		o->at[o->runs] = g_get_monotonic_time();
	o->runs++;
	if (o->again) {
		o->again--;
		loop_once(&o->slot, g_main_context_get_thread_default(), 0, once_cb, o);
	}
}

static void spin(GMainContext *ctx, unsigned ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end)
		if (!g_main_context_iteration(ctx, FALSE))
			g_usleep(1000);
}

static void test_once(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct once_probe o = { .slot_clear = true };
	gint64 t0 = g_get_monotonic_time();

	(void)state;
	g_main_context_push_thread_default(ctx);
	/* once, not before 30 ms, slot cleared */
	loop_once(&o.slot, ctx, 30, once_cb, &o);
	assert_non_null(o.slot);
	spin(ctx, 80);
	assert_int_equal(o.runs, 1);
	assert_true(o.at[0] - t0 >= 30000);
	assert_null(o.slot);
	/* from its own callback: again (0 ms: the next iteration), twice */
	o.again = 2;
	loop_once(&o.slot, ctx, 0, once_cb, &o);
	spin(ctx, 30);
	assert_int_equal(o.runs, 4);
	assert_null(o.slot);
	assert_true(o.slot_clear);
	/* a second one in the slot replaces the first; a drop cancels */
	loop_once(&o.slot, ctx, 10, once_cb, &o);
	loop_once(&o.slot, ctx, 20, once_cb, &o);
	spin(ctx, 60);
	assert_int_equal(o.runs, 5);
	loop_once(&o.slot, ctx, 10, once_cb, &o);
	loop_source_drop(&o.slot);
	spin(ctx, 40);
	assert_int_equal(o.runs, 5);
	g_main_context_pop_thread_default(ctx);
	g_main_context_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once),
		cmocka_unit_test(test_deadline_follows_its_due_time),
		cmocka_unit_test(test_idle_loop_runs_on_time),
		cmocka_unit_test(test_rides_on_other_wakeups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
