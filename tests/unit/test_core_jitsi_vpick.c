/* Unit tests for which of a Jitsi bridge's forwarded videos to show (src/jitsi/vpick.c):
 * without a word from the bridge, the picked person, else the dominant speaker, first; with
 * its ForwardedSources (source names) or LastNEndpointsChangeEvent (endpoint ids), the picked
 * or dominant one only if forwarded, else the first listed we know, and what it no longer
 * forwards last; a person's source added later preferred to their earlier one (also with RTX
 * sources among them), never the other way; the preference a strict order; hostile input
 * (unknown ids, ids that are not ids, a cut list, too many sources) changes nothing it should
 * not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "src/jitsi/colibri.h"
#include "src/jitsi/vpick.h"

enum { A = 1000, B = 2000, C = 3000, D = 4000 }; /* alice, bert, carl, dave's video SSRCs */

static struct jvpick *four(void)
{
	struct jvpick *p;
	assert_int_equal(jvpick_create(&p), 0);
	jvpick_source(p, A, "alice", "alice-v0", true);
	jvpick_source(p, B, "bert", "bert-v0", true);
	jvpick_source(p, C, "carl", NULL, true); /* no name (2021): "carl-v0" */
	jvpick_source(p, D, "dave", "dave-v0", true);
	return p;
}

/* The SSRC of the four that ranks highest (first on ties), and checks it is alone there. */
static uint32_t best(struct jvpick *p, const char *picked, const char *dominant)
{
	static const uint32_t all[] = { A, B, C, D };
	uint32_t top = 0;
	int r = -1, n = 0;
	for (size_t i = 0; i < 4; i++) {
		int x = jvpick_rank(p, all[i], picked, dominant);
		if (x > r) {
			r = x;
			top = all[i];
			n = 1;
		} else if (x == r) {
			n++;
		}
	}
	return n == 1 ? top : 0;
}

static void test_no_word_from_the_bridge(void **state)
{
	(void)state;
	struct jvpick *p = four();
	assert_int_equal(best(p, NULL, NULL), 0); /* all the same: vrecv follows the first */
	assert_int_equal(best(p, "bert", NULL), B);
	assert_int_equal(best(p, "", "carl"), C);
	assert_int_equal(best(p, "bert", "carl"), B);
	assert_int_equal(best(p, "zed", NULL), 0); /* nobody we know */
	/* an SSRC without a source-add: never above one we know, nor the picked one */
	assert_true(jvpick_rank(p, 77, NULL, NULL) <= jvpick_rank(p, A, NULL, NULL));
	assert_true(jvpick_rank(p, 77, "bert", NULL) < jvpick_rank(p, B, "bert", NULL));
	jvpick_destroy(p);
}

static void test_forwarded_sources(void **state)
{
	(void)state;
	struct jvpick *p = four();
	const char *bd[] = { "nobody-v3", "bert-v0", "dave-v0" };
	jvpick_forwarded(p, bd, 3, true);
	/* neither picked nor speaking: the first listed we know */
	assert_int_equal(best(p, NULL, NULL), B);
	assert_int_equal(best(p, NULL, "dave"), D);        /* the speaker, forwarded */
	assert_int_equal(best(p, "dave", "bert"), D);      /* the pick, forwarded */
	assert_int_equal(best(p, "alice", "dave"), D);     /* the pick is not: the speaker */
	assert_int_equal(best(p, "alice", "carl"), B);     /* neither is: the first */
	/* what the bridge no longer forwards ranks below everything else */
	assert_true(jvpick_rank(p, A, "alice", NULL) < jvpick_rank(p, D, "alice", NULL));
	assert_true(jvpick_rank(p, A, "alice", NULL) < jvpick_rank(p, 77, "alice", NULL));
	/* a source without a name answers to "<owner>-v0" */
	const char *c[] = { "carl-v0" };
	jvpick_forwarded(p, c, 1, true);
	assert_int_equal(best(p, NULL, NULL), C);
	/* nothing forwarded (lastN 0): nobody above anybody */
	jvpick_forwarded(p, NULL, 0, true);
	assert_int_equal(best(p, "alice", NULL), 0);
	/* the channel closed: back to the pick */
	jvpick_forwarded(p, c, 1, true);
	jvpick_unknown(p);
	assert_int_equal(best(p, "alice", NULL), A);
	jvpick_destroy(p);
}

static void test_last_n_endpoints(void **state)
{
	(void)state;
	struct jvpick *p = four();
	const char *cd[] = { "carl", "dave" };
	jvpick_forwarded(p, cd, 2, false);
	assert_int_equal(best(p, NULL, NULL), C);
	assert_int_equal(best(p, "alice", "dave"), D);
	assert_true(jvpick_rank(p, B, NULL, "bert") < jvpick_rank(p, D, NULL, "bert"));
	/* endpoint ids are not source names, nor the other way round */
	const char *names[] = { "dave-v0" };
	jvpick_forwarded(p, names, 1, false);
	assert_int_equal(best(p, NULL, NULL), 0);
	jvpick_destroy(p);
}

/* No two streams preferred to each other, whatever the state. */
static void strict(struct jvpick *p, const char *picked, const char *dominant)
{
	static const uint32_t all[] = { A, B, C, D, 5000, 5001, 6000, 77 };
	for (size_t i = 0; i < 8; i++) {
		assert_false(jvpick_prefer(p, all[i], all[i], picked, dominant));
		for (size_t j = 0; j < 8; j++)
			assert_false(jvpick_prefer(p, all[i], all[j], picked, dominant) &&
				     jvpick_prefer(p, all[j], all[i], picked, dominant));
	}
}

static void test_new_ssrc_of_a_person(void **state)
{
	(void)state;
	struct jvpick *p = four();
	jvpick_source(p, A + 1, "alice", "alice-v0", true); /* her RTX */
	/* alice's video comes under a new SSRC (same name, its RTX after it, as a browser's
	 * source-add): preferred to her old one, never the other way, her pick or not */
	jvpick_source(p, 5000, "alice", "alice-v0", true);
	jvpick_source(p, 5001, "alice", "alice-v0", true);
	assert_true(jvpick_prefer(p, 5000, A, NULL, NULL));
	assert_false(jvpick_prefer(p, A, 5000, NULL, NULL));
	assert_true(jvpick_prefer(p, 5000, A, "alice", NULL));
	assert_false(jvpick_prefer(p, A, 5000, "alice", NULL));
	/* someone else's is not hers: rank alone */
	assert_false(jvpick_prefer(p, 5000, B, NULL, NULL));
	assert_false(jvpick_prefer(p, B, 5000, NULL, NULL));
	assert_true(jvpick_prefer(p, A, B, "alice", NULL));
	/* a later source does not beat a higher rank: the bridge forwards bert, not her */
	const char *be[] = { "bert" };
	jvpick_forwarded(p, be, 1, false);
	assert_false(jvpick_prefer(p, 5000, B, NULL, NULL));
	assert_true(jvpick_prefer(p, B, 5000, NULL, NULL));
	assert_true(jvpick_prefer(p, 5000, A, NULL, NULL)); /* both hers, both not forwarded */
	strict(p, NULL, NULL);
	strict(p, "alice", "bert");
	jvpick_unknown(p);
	strict(p, NULL, NULL);
	strict(p, "bert", NULL);
	/* she leaves: her streams are nobody's */
	jvpick_owner_left(p, "alice");
	assert_false(jvpick_prefer(p, 5000, A, "alice", NULL));
	assert_true(jvpick_prefer(p, B, 5000, "bert", NULL));
	assert_int_equal(best(p, "alice", NULL), 0);
	jvpick_destroy(p);
}

static void test_hostile(void **state)
{
	(void)state;
	struct jvpick *p = four();
	/* ids that are not ids, unknown ones, repeats: ignored */
	const char *bad[] = { "bert v0", "", "\x1b[2Jdave-v0", NULL, "zed-v0", "dave-v0",
			      "dave-v0" };
	jvpick_forwarded(p, bad, 7, true);
	assert_int_equal(best(p, NULL, NULL), D);
	/* a list as long as colibri.c cuts them: it says nothing */
	static char ids[JCOLIBRI_LIST_MAX][16];
	const char *list[JCOLIBRI_LIST_MAX];
	for (int i = 0; i < JCOLIBRI_LIST_MAX; i++) {
		snprintf(ids[i], sizeof(ids[i]), "x%d-v0", i);
		list[i] = ids[i];
	}
	jvpick_forwarded(p, list, JCOLIBRI_LIST_MAX, true);
	assert_int_equal(best(p, "alice", NULL), A);
	/* an owner or name that is not an id is no owner or name */
	jvpick_source(p, 9, "ev il", "ev il-v0", true);
	const char *evil[] = { "ev il-v0" };
	jvpick_forwarded(p, evil, 1, true);
	assert_int_equal(jvpick_rank(p, 9, "ev il", NULL), 0); /* cannot be listed */
	jvpick_unknown(p);
	assert_int_equal(jvpick_rank(p, 9, "ev il", NULL), 1); /* nor picked */
	/* at most JVPICK_MAX_SOURCES: the rest are not ranked by person */
	jvpick_reset(p);
	for (uint32_t i = 0; i < JVPICK_MAX_SOURCES + 10; i++)
		jvpick_source(p, 100 + i, "many", "many-v0", true);
	assert_true(jvpick_prefer(p, 100, 100 + JVPICK_MAX_SOURCES + 5, "many", NULL));
	assert_false(jvpick_prefer(p, 100 + JVPICK_MAX_SOURCES + 5, 100, "many", NULL));
	jvpick_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_word_from_the_bridge),
		cmocka_unit_test(test_forwarded_sources),
		cmocka_unit_test(test_last_n_endpoints),
		cmocka_unit_test(test_new_ssrc_of_a_person),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
