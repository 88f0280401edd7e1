/* Unit tests for audio/jitter, driven by simulated packet arrivals and a 20 ms get() tick:
 * in-order delivery, reordering, isolated loss (FEC), bursts (PLC then FEC), duplicates,
 * sequence/timestamp wrap, late packets, DTX gaps, idling, jitter growth and calm shrink,
 * the delay bound, and stream restarts (forward and backward jumps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "audio/jitter.h"

#define MAX_PKTS 4000
#define MAX_LOG 8000

struct pkt {
	uint64_t arrival;
	uint16_t seq;
	uint32_t ts;
	uint32_t id;	/* carried in the payload, to check what comes out */
	size_t len;
};

struct entry {
	uint64_t t;
	enum jitter_action action;
	long id;	/* payload id for PACKET/FEC, -1 otherwise */
};

struct sim {
	struct jitter *jb;
	struct pkt pkts[MAX_PKTS];
	size_t n;
	struct entry log[MAX_LOG];
	size_t nlog;
	int put_results[4];
};

static uint32_t rng_state = 1;

static uint32_t rnd(void)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return rng_state >> 8;
}

/* A stream: packet i sent at 1000 + 20 i ms, arriving 30 ms later plus jitter_of(i). */
static void add(struct sim *s, uint32_t id, uint16_t seq, uint32_t ts, uint64_t arrival)
{
	struct pkt *p = &s->pkts[s->n++];

	p->arrival = arrival;
	p->seq = seq;
	p->ts = ts;
	p->id = id;
	p->len = 40;
}

static int cmp_arrival(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;

	return x->arrival < y->arrival ? -1 : x->arrival > y->arrival;
}

static void put_one(struct sim *s, const struct pkt *p)
{
	uint8_t payload[64] = { 0 };
	int rc;

	memcpy(payload, &p->id, sizeof(p->id));
	rc = jitter_put(s->jb, p->seq, p->ts, payload, p->len, p->arrival);
	assert_true(rc >= 0 && rc <= 3);
	s->put_results[rc]++;
}

/* Runs ticks at 7 + 20 k ms up to t_end, delivering packets as their arrival time passes.
 * watch, if given, is called after every tick. */
static void run(struct sim *s, uint64_t t_end, void (*watch)(struct sim *, uint64_t))
{
	size_t next = 0;
	uint64_t t;

	qsort(s->pkts, s->n, sizeof(s->pkts[0]), cmp_arrival);
	for (t = 7; t <= t_end; t += 20) {
		struct jitter_frame f;

		while (next < s->n && s->pkts[next].arrival <= t)
			put_one(s, &s->pkts[next++]);
		assert_int_equal(jitter_get(s->jb, t, &f), 0);
		assert_true(s->nlog < MAX_LOG);
		s->log[s->nlog].t = t;
		s->log[s->nlog].action = f.action;
		s->log[s->nlog].id = -1;
		if (f.action == JITTER_PACKET || f.action == JITTER_FEC) {
			uint32_t id;

			assert_non_null(f.data);
			assert_true(f.len == 40 || f.len == 2);
			memcpy(&id, f.data, sizeof(id));
			s->log[s->nlog].id = id;
		}
		s->nlog++;
		if (watch)
			watch(s, t);
	}
}

static struct sim *sim_new(const struct jitter_config *cfg)
{
	struct sim *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	assert_int_equal(jitter_create(&s->jb, cfg), 0);
	rng_state = 1;
	return s;
}

static void sim_free(struct sim *s)
{
	jitter_destroy(s->jb);
	free(s);
}

/* A regular stream of n packets (ids 0..n-1); skip[] ids are never sent. */
static void stream(struct sim *s, uint32_t n, uint16_t seq0, uint32_t ts0, const int *skip,
		   size_t nskip)
{
	uint32_t i;
	size_t k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < nskip && (uint32_t)skip[k] != i; k++)
			;
		if (k < nskip)
			continue;
		add(s, i, (uint16_t)(seq0 + i), ts0 + i * 960u, 1030 + 20ull * i);
	}
}

/* Index of the log entry that handed out packet id as PACKET, or -1. */
static long find_packet(const struct sim *s, long id)
{
	size_t i;

	for (i = 0; i < s->nlog; i++)
		if (s->log[i].action == JITTER_PACKET && s->log[i].id == id)
			return (long)i;
	return -1;
}

/* Every packet is played once, in order, except frames dropped to shrink the delay; the
 * only concealment is after the stream ends. */
static void check_clean_playout(const struct sim *s, uint32_t n)
{
	struct jitter_stats st;
	long last = -1, gaps = 0, played = 0;
	size_t i;
	bool ended = false;

	jitter_get_stats(s->jb, &st);
	for (i = 0; i < s->nlog; i++) {
		const struct entry *e = &s->log[i];

		if (e->action == JITTER_PACKET) {
			assert_false(ended);
			assert_true(e->id > last);
			gaps += e->id - last - 1;
			last = e->id;
			played++;
		} else if (e->action != JITTER_WAIT || last >= 0) {
			/* PLC/FEC/WAIT only once the last packet has been played. */
			if (last != (long)n - 1)
				fail_msg("action %d at %llu after id %ld", e->action,
					 (unsigned long long)e->t, last);
			ended = true;
		}
	}
	assert_int_equal(last, (long)n - 1);
	assert_int_equal(gaps, (long)st.dropped);
	assert_int_equal(played + gaps, (long)n);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.late, 0);
	assert_int_equal(st.fec_recovered, 0);
}

static void test_in_order(void **state)
{
	struct sim *s = sim_new(NULL);
	struct jitter_stats st;

	stream(s, 300, 1000, 5000, NULL, 0);
	run(s, 8000, NULL);
	check_clean_playout(s, 300);
	jitter_get_stats(s->jb, &st);
	assert_int_equal(st.received, 300);
	assert_int_equal(st.duplicates, 0);
	/* No jitter: the delay settles at the bottom of the range. */
	assert_true(st.target_ms <= 25);
	/* The first frame comes after the start delay (60 ms) from the first arrival. */
	assert_true(s->log[find_packet(s, 0)].t >= 1030 + 60);
	assert_true(s->log[find_packet(s, 0)].t <= 1030 + 80);
	sim_free(s);
}

static void test_reordering(void **state)
{
	struct sim *s = sim_new(NULL);
	uint32_t i;

	/* Each odd packet overtakes the even one before it. */
	for (i = 0; i < 300; i++)
		add(s, i, (uint16_t)(40000 + i), 77u + i * 960u,
		    1030 + 20ull * i + (i % 2 ? 0 : 30));
	run(s, 8000, NULL);
	check_clean_playout(s, 300);
	sim_free(s);
}

static void test_isolated_loss_uses_fec(void **state)
{
	static const int skip[] = { 50 };
	struct sim *s = sim_new(NULL);
	struct jitter_stats st;
	long i51;

	stream(s, 200, 7, 0, skip, 1);
	run(s, 6000, NULL);
	i51 = find_packet(s, 51);
	assert_true(i51 > 1);
	assert_int_equal(s->log[i51 - 1].action, JITTER_FEC);
	assert_int_equal(s->log[i51 - 1].id, 51);
	assert_int_equal(s->log[i51 - 2].action, JITTER_PACKET);
	assert_int_equal(s->log[i51 - 2].id, 49);
	jitter_get_stats(s->jb, &st);
	assert_int_equal(st.lost, 1);
	assert_int_equal(st.fec_recovered, 1);
	sim_free(s);
}

static void test_burst_loss(void **state)
{
	static const int skip[] = { 180, 181, 182, 183, 184 };
	struct sim *s = sim_new(NULL);
	struct jitter_stats st;
	long i185, k;

	/* Late enough that the start-up delay has been trimmed (no drops around the burst). */
	stream(s, 300, 65400, 1000, skip, 5);
	run(s, 8000, NULL);
	i185 = find_packet(s, 185);
	assert_true(i185 > 6);
	assert_int_equal(s->log[i185 - 1].action, JITTER_FEC);
	assert_int_equal(s->log[i185 - 1].id, 185);
	for (k = 2; k <= 5; k++)
		assert_int_equal(s->log[i185 - k].action, JITTER_PLC);
	assert_int_equal(s->log[i185 - 6].id, 179);
	jitter_get_stats(s->jb, &st);
	assert_int_equal(st.lost, 5);
	assert_int_equal(st.fec_recovered, 1);
	assert_true(st.concealed >= 4);
	sim_free(s);
}

static void test_duplicates(void **state)
{
	struct sim *s = sim_new(NULL);
	struct jitter_stats st;
	uint32_t i;

	for (i = 0; i < 300; i++) {
		add(s, i, (uint16_t)i, i * 960u, 1030 + 20ull * i);
		add(s, i, (uint16_t)i, i * 960u, 1030 + 20ull * i + (i % 3) * 15);
	}
	run(s, 8000, NULL);
	check_clean_playout(s, 300);
	jitter_get_stats(s->jb, &st);
	assert_int_equal(st.duplicates, 300);
	assert_int_equal(s->put_results[JITTER_PUT_DUPLICATE], 300);
	sim_free(s);
}

static void test_wrap(void **state)
{
	struct sim *s = sim_new(NULL);

	/* Both the sequence number and the timestamp wrap about 40 packets in. */
	stream(s, 300, 65496, 0xffffffffu - 40u * 960u, NULL, 0);
	run(s, 8000, NULL);
	check_clean_playout(s, 300);
	sim_free(s);
}

static void test_late_packet(void **state)
{
	struct sim *s = sim_new(NULL);
	struct jitter_stats st;
	long i61;
	uint32_t i;

	for (i = 0; i < 200; i++)
		add(s, i, (uint16_t)(100 + i), i * 960u, 1030 + 20ull * i + (i == 60 ? 300 : 0));
	run(s, 6000, NULL);
	i61 = find_packet(s, 61);
	assert_int_equal(s->log[i61 - 1].action, JITTER_FEC);
	assert_int_equal(find_packet(s, 60), -1);
	jitter_get_stats(s->jb, &st);
	assert_int_equal(st.late, 1);
	assert_int_equal(s->put_results[JITTER_PUT_LATE], 1);
	assert_int_equal(st.lost, 1);
	sim_free(s);
}

static void test_dtx_gap_is_not_loss(void **state)
{
	struct sim *s = sim_new(NULL);
	struct jitter_stats st;
	long i150, k;
	uint32_t i;

	/* Sequence numbers continue, timestamps and sending jump 400 ms after packet 149. */
	for (i = 0; i < 250; i++) {
		uint32_t slot = i < 150 ? i : i + 20;

		add(s, i, (uint16_t)(9000 + i), slot * 960u, 1030 + 20ull * slot);
		if (i == 149)
			s->pkts[s->n - 1].len = 2;	/* a DTX packet */
	}
	run(s, 7000, NULL);
	i150 = find_packet(s, 150);
	for (k = 1; k <= 20; k++)
		assert_int_equal(s->log[i150 - k].action, JITTER_PLC);
	assert_int_equal(s->log[i150 - 21].id, 149);
	jitter_get_stats(s->jb, &st);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.fec_recovered, 0);
	sim_free(s);
}

static void test_idle_stops_concealing(void **state)
{
	struct sim *s = sim_new(NULL);
	size_t i, plc = 0;
	long last;

	stream(s, 100, 0, 0, NULL, 0);
	run(s, 8000, NULL);
	last = find_packet(s, 99);
	for (i = (size_t)last + 1; i < s->nlog && s->log[i].action == JITTER_PLC; i++)
		plc++;
	assert_int_equal(plc, 50);
	for (; i < s->nlog; i++)
		assert_int_equal(s->log[i].action, JITTER_WAIT);
	sim_free(s);
}

/* Jitter scenario: calm for 5 s, uniform 0..100 ms for 10 s, calm again to 60 s. */
static unsigned target_at[4000];
static unsigned delay_max;

static void watch_target(struct sim *s, uint64_t t)
{
	struct jitter_stats st;

	jitter_get_stats(s->jb, &st);
	target_at[t / 20] = st.target_ms;
	assert_true(st.target_ms >= 20 && st.target_ms <= 500);
	if (st.delay_ms > delay_max)
		delay_max = st.delay_ms;
}

static void test_jitter_growth_and_shrink(void **state)
{
	struct sim *s = sim_new(NULL);
	struct jitter_stats st;
	uint64_t late_before, t;
	uint32_t i;
	size_t k;

	for (i = 0; i < 3000; i++) {
		uint64_t send = 1000 + 20ull * i;
		uint64_t jit = send >= 6000 && send < 16000 ? rnd() % 101 : 0;

		add(s, i, (uint16_t)i, i * 960u, send + 30 + jit);
	}
	delay_max = 0;
	run(s, 61000, watch_target);
	assert_true(target_at[6000 / 20] <= 30);	/* calm */
	assert_true(target_at[7000 / 20] >= 80);	/* grown within a second of jitter */
	assert_true(target_at[17000 / 20] >= 60);	/* 1 s after calm: still cautious */
	assert_true(target_at[60000 / 20] <= 30);	/* shrunk back in the end */
	jitter_get_stats(s->jb, &st);
	assert_true(st.dropped > 0);
	assert_true(st.inserted > 0);
	assert_true(st.jitter_ms < 5);
	assert_true(st.delay_ms <= 50);

	/* Once adapted, few packets of the jittery phase come too late: count the late ones
	 * among the last 5 s of it by replaying with a fresh buffer up to 11 s and to 16 s. */
	sim_free(s);
	s = sim_new(NULL);
	for (i = 0; i < 3000; i++) {
		uint64_t send = 1000 + 20ull * i;
		uint64_t jit = send >= 6000 && send < 16000 ? rnd() % 101 : 0;

		add(s, i, (uint16_t)i, i * 960u, send + 30 + jit);
	}
	qsort(s->pkts, s->n, sizeof(s->pkts[0]), cmp_arrival);
	late_before = 0;
	for (t = 7, k = 0; t <= 16000; t += 20) {
		struct jitter_frame f;

		while (k < s->n && s->pkts[k].arrival <= t)
			put_one(s, &s->pkts[k++]);
		jitter_get(s->jb, t, &f);
		if (t == 11007) {
			jitter_get_stats(s->jb, &st);
			late_before = st.late;
		}
	}
	jitter_get_stats(s->jb, &st);
	/* 250 packets in those 5 s: under 3 % late. */
	assert_true(st.late - late_before < 8);
	sim_free(s);
}

static void test_delay_bounded(void **state)
{
	struct sim *s = sim_new(NULL);
	uint32_t i;

	for (i = 0; i < 1500; i++)
		add(s, i, (uint16_t)i, i * 960u, 1030 + 20ull * i + rnd() % 2000);
	delay_max = 0;
	run(s, 34000, watch_target);
	/* The target is checked in watch_target; the delay may overshoot by a frame or so. */
	assert_true(delay_max <= 500 + 40);
	sim_free(s);
}

static void test_restart_forward(void **state)
{
	struct sim *s = sim_new(NULL);
	struct jitter_stats st;
	uint32_t i;
	long first_new;

	for (i = 0; i < 100; i++)
		add(s, i, (uint16_t)(500 + i), i * 960u, 1030 + 20ull * i);
	for (i = 0; i < 100; i++)
		add(s, 1000 + i, (uint16_t)(30000 + i), 123456789u + i * 960u,
		    1030 + 20ull * (100 + i));
	run(s, 6000, NULL);
	assert_int_equal(s->put_results[JITTER_PUT_RESTART], 1);
	jitter_get_stats(s->jb, &st);
	assert_int_equal(st.restarts, 1);
	first_new = find_packet(s, 1000);
	assert_true(first_new > 0);
	/* It buffers again (start delay) after the jump, then plays the new stream in order. */
	assert_true(s->log[first_new].t >= 1030 + 2000 + 60);
	for (i = 1; i < 100; i++)
		assert_true(find_packet(s, 1000 + i) > find_packet(s, 1000 + i - 1) ||
			    find_packet(s, 1000 + i) < 0);
	assert_true(find_packet(s, 1099) > 0);
	assert_int_equal(st.lost, 0);
	sim_free(s);
}

static void test_restart_backward(void **state)
{
	struct sim *s = sim_new(NULL);
	struct jitter_stats st;
	uint32_t i;

	for (i = 0; i < 100; i++)
		add(s, i, (uint16_t)(5000 + i), 1000u + i * 960u, 1030 + 20ull * i);
	/* One ancient stray packet: dropped as late, no restart. */
	add(s, 9999, 3000, 0, 1030 + 20ull * 50 + 5);
	/* Then the sender restarts 2000 sequence numbers back, same timestamp base. */
	for (i = 0; i < 100; i++)
		add(s, 2000 + i, (uint16_t)(3000 + i), 1000u + i * 960u, 1030 + 20ull * (100 + i));
	run(s, 6000, NULL);
	jitter_get_stats(s->jb, &st);
	assert_int_equal(st.restarts, 1);
	assert_int_equal(s->put_results[JITTER_PUT_RESTART], 1);
	assert_true(find_packet(s, 2099) > find_packet(s, 2050));
	assert_true(find_packet(s, 2050) > find_packet(s, 99));
	sim_free(s);
}

static void test_reset_and_errors(void **state)
{
	struct jitter_config cfg;
	struct jitter *jb;
	struct jitter_frame f;
	struct jitter_stats st;
	uint8_t big[JITTER_MAX_PAYLOAD + 1] = { 0 };

	jitter_config_default(&cfg);
	cfg.min_delay_ms = 600;
	assert_int_equal(jitter_create(&jb, &cfg), -EINVAL);
	jitter_config_default(&cfg);
	cfg.max_delay_ms = 5000;
	assert_int_equal(jitter_create(&jb, &cfg), -EINVAL);
	assert_int_equal(jitter_create(&jb, NULL), 0);
	assert_int_equal(jitter_get(jb, 0, &f), 0);
	assert_int_equal(f.action, JITTER_WAIT);
	assert_int_equal(jitter_put(jb, 1, 1, big, 0, 0), -EINVAL);
	assert_int_equal(jitter_put(jb, 1, 1, NULL, 5, 0), -EINVAL);
	assert_int_equal(jitter_put(jb, 1, 1, big, sizeof(big), 0), -EMSGSIZE);
	assert_int_equal(jitter_put(jb, 1, 1, big, JITTER_MAX_PAYLOAD, 0), JITTER_PUT_OK);
	assert_int_equal(jitter_get(jb, 100, &f), 0);
	assert_int_equal(f.action, JITTER_PACKET);
	assert_int_equal(f.len, JITTER_MAX_PAYLOAD);
	jitter_reset(jb);
	assert_int_equal(jitter_get(jb, 120, &f), 0);
	assert_int_equal(f.action, JITTER_WAIT);
	jitter_get_stats(jb, &st);
	assert_int_equal(st.received, 1);
	assert_int_equal(st.restarts, 1);
	assert_int_equal(st.buffered, 0);
	jitter_destroy(jb);
	jitter_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_reordering),
		cmocka_unit_test(test_isolated_loss_uses_fec),
		cmocka_unit_test(test_burst_loss),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_late_packet),
		cmocka_unit_test(test_dtx_gap_is_not_loss),
		cmocka_unit_test(test_idle_stops_concealing),
		cmocka_unit_test(test_jitter_growth_and_shrink),
		cmocka_unit_test(test_delay_bounded),
		cmocka_unit_test(test_restart_forward),
		cmocka_unit_test(test_restart_backward),
		cmocka_unit_test(test_reset_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
