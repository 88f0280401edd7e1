/* What the locked JSON pool (net/lockpool.c) costs: nanoseconds per json_loads + json_decref
 * of a typical TextRoom chat message (the incoming path of every chat line), and per
 * json_pack + json_dumps + free of an outgoing one, with three allocators behind
 * json_set_alloc_funcs:
 *   malloc    plain malloc/free (jansson's default)
 *   wipe      malloc and a free that overwrites malloc_usable_size bytes first (ttymeet before
 *             the pool)
 *   lockpool  the locked, wiping pool
 *
 * Build and run (single-threaded command-line tool):
 *   cc -std=gnu11 -O2 -I ROOT tests/bench/json_pool_bench.c net/lockpool.c net/lockbuf.c \
 *      -ljansson -lpthread -o json_pool_bench && ./json_pool_bench [ROUNDS]
 */
#include <jansson.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/lockpool.h"

static const char msg[] =
	"{\"textroom\":\"message\",\"room\":1234,\"from\":\"u-4711-alice\",\"date\":"
	"\"2026-12-06T09:00:00+0000\",\"text\":\"meet me at the usual place at nine, bring the "
	"papers and the key\",\"whisper\":false}";

static void wipe_free(void *p)
{
	if (p) {
		explicit_bzero(p, malloc_usable_size(p));
		free(p);
	}
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void run(const char *name, json_malloc_t m, json_free_t f, long rounds)
{
	json_set_alloc_funcs(m, f);
	for (long i = 0; i < rounds / 10; i++) /* warm up: chunks made, caches filled */
		json_decref(json_loads(msg, 0, NULL));
	double best_in = 1e18, best_out = 1e18;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now_ns();
		for (long i = 0; i < rounds; i++) {
			json_t *o = json_loads(msg, 0, NULL);
			if (!o)
				abort();
			json_decref(o);
		}
		double t1 = now_ns();
		for (long i = 0; i < rounds; i++) {
			json_t *o = json_pack("{ss sI ss ss sb}", "textroom", "message", "room",
					      (json_int_t)1234, "transaction", "c42", "text",
					      "meet me at the usual place at nine, bring the papers",
					      "ack", 1);
			char *s = json_dumps(o, JSON_COMPACT);
			json_decref(o);
			f(s);
		}
		double t2 = now_ns();
		if ((t1 - t0) / rounds < best_in)
			best_in = (t1 - t0) / rounds;
		if ((t2 - t1) / rounds < best_out)
			best_out = (t2 - t1) / rounds;
	}
	printf("%-9s json_loads+decref %6.0f ns   pack+dumps+free %6.0f ns\n", name, best_in,
	       best_out);
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 200000;
	run("malloc", malloc, free, rounds);
	run("wipe", malloc, wipe_free, rounds);
	run("lockpool", lockpool_alloc, lockpool_free, rounds);
	return 0;
}
