/* Unit tests for quality summaries (src/report.c): per-participant statistics over stats
 * samples (means, nearest-rank percentiles, unknown values, thinning), join phases, MOS,
 * concealment, video fps, expectations from a script, aggregation (flattening, worst,
 * exit codes, failures, bad input) and writing the file (temp + rename, mode 0600).
 *
 * With TTM_REPORT_SAMPLE_DIR set, test_sample_files also leaves alice.json, bob.json and
 * their C aggregate aggregate.json there, for tests/integration/test_report_merge.py. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "src/emodel.h"
#include "src/report.h"
#include "src/script.h"

#define near(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

static double numv(json_t *o, const char *k1, const char *k2)
{
	json_t *x = json_object_get(o, k1);
	if (k2)
		x = json_object_get(x, k2);
	if (!json_is_number(x))
		fail_msg("%s.%s is not a number", k1, k2 ? k2 : "");
	return json_number_value(x);
}

static struct report *new_report(const char *name)
{
	struct report *r;
	struct report_config cfg = { .name = name, .bitrate = 24000, .fec = true };
	assert_int_equal(report_create(&cfg, &r), 0);
	return r;
}

static struct report_sample sample(double rtt, double loss, double kbps_in)
{
	struct report_sample s = {
		.rtt_ms = rtt, .jitter_ms = 2, .loss_pct = loss, .loss_up_pct = -1,
		.kbps_in = kbps_in, .kbps_out = 30, .jitter_buffer_ms = 40,
	};
	return s;
}

static void test_participant_stats(void **state)
{
	(void)state;
	struct report *r = new_report("alice");
	/* RTT 10, 20, ..., 200 with one unknown in between. */
	for (int i = 1; i <= 20; i++) {
		struct report_sample s = sample(10.0 * i, 0, 40);
		s.frames_played = 250u * (unsigned)i;
		s.frames_concealed = 5u * (unsigned)i;
		report_add_sample(r, &s);
		if (i == 10) {
			s.rtt_ms = -1;
			s.jitter_ms = NAN;
			report_add_sample(r, &s);
		}
	}
	json_t *j = report_json(r);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "schema")), REPORT_SCHEMA);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "participant");
	assert_string_equal(json_string_value(json_object_get(j, "name")), "alice");
	assert_int_equal(json_integer_value(json_object_get(j, "samples")), 21);
	json_t *rtt = json_object_get(j, "rtt_ms");
	assert_int_equal(json_integer_value(json_object_get(rtt, "n")), 20);
	near(numv(j, "rtt_ms", "mean"), 105, 1e-9);
	near(numv(j, "rtt_ms", "p50"), 100, 1e-9); /* rank ceil(10) = 10th of 20 */
	near(numv(j, "rtt_ms", "p95"), 190, 1e-9); /* rank ceil(19) = 19th */
	near(numv(j, "rtt_ms", "min"), 10, 1e-9);
	near(numv(j, "rtt_ms", "max"), 200, 1e-9);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "jitter_ms"), "n")),
			 20);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "kbps_in"), "n")),
			 21);
	/* Never reported: null, not zero. */
	assert_true(json_is_null(json_object_get(j, "loss_up_pct")));
	near(numv(j, "concealed_ratio", NULL), 0.02, 1e-9);
	/* No loss: MOS only follows the RTT: best at 10 ms, worst at 200 ms; the sample without
	 * an RTT uses the last known one. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "mos"), "n")), 21);
	struct emodel_input in = { .delay_ms = emodel_conference_delay_ms(10, 40), .bpl = 30 };
	near(numv(j, "mos", "max"), round(emodel_mos(&in) * 100) / 100, 1e-9);
	assert_true(numv(j, "mos", "max") > 4.3);
	in.delay_ms = emodel_conference_delay_ms(200, 40);
	near(numv(j, "mos", "min"), round(emodel_mos(&in) * 100) / 100, 1e-9);
	assert_true(numv(j, "mos", "min") < numv(j, "mos", "max") - 0.3);
	assert_true(json_is_null(json_object_get(j, "duration_s")));
	assert_true(json_is_null(json_object_get(j, "video_fps")));
	assert_int_equal(json_integer_value(json_object_get(j, "video_frames")), 0);
	assert_int_equal(json_object_size(json_object_get(j, "join_ms")), 0);
	json_decref(j);
	report_destroy(r);
}

static void test_mos_follows_loss(void **state)
{
	(void)state;
	struct report *good = new_report("good"), *bad = new_report("bad");
	for (int i = 0; i < 10; i++) {
		struct report_sample s = sample(20, 0, 40);
		report_add_sample(good, &s);
		s.loss_pct = 8;
		s.loss_up_pct = 4;
		report_add_sample(bad, &s);
	}
	json_t *g = report_json(good), *b = report_json(bad);
	assert_true(numv(b, "mos", "mean") < numv(g, "mos", "mean") - 0.5);
	near(numv(b, "loss_down_pct", "mean"), 8, 1e-9);
	near(numv(b, "loss_up_pct", "p95"), 4, 1e-9);
	json_decref(g);
	json_decref(b);
	report_destroy(good);
	report_destroy(bad);
}

static void test_join_video_duration(void **state)
{
	(void)state;
	struct report *r = new_report("bob");
	report_set_join_ms(r, REPORT_JOIN_SIGNALING, 80.24);
	report_set_join_ms(r, REPORT_JOIN_DTLS, 20);
	report_set_join_ms(r, REPORT_JOIN_ICE, -5);     /* ignored */
	report_set_join_ms(r, REPORT_JOIN_TOTAL, NAN);  /* ignored */
	report_set_join_ms(r, REPORT_JOIN_PHASES, 1);   /* not a phase */
	report_set_duration(r, 61.26);
	report_set_exit_code(r, 3);
	for (int i = 0; i <= 50; i++)
		report_add_video_frame(r, 10 + i * 0.1); /* 50 intervals in 5 s: 10 fps */
	json_t *j = report_json(r);
	json_t *join = json_object_get(j, "join_ms");
	assert_int_equal(json_object_size(join), 2);
	near(numv(j, "join_ms", "signaling"), 80.2, 1e-9);
	near(numv(j, "join_ms", "dtls"), 20, 1e-9);
	near(numv(j, "duration_s", NULL), 61.3, 1e-9);
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "video_frames")), 51);
	near(numv(j, "video_fps", NULL), 10, 1e-9);
	/* No samples: every statistic is null, and so is the concealment ratio. */
	assert_true(json_is_null(json_object_get(j, "rtt_ms")));
	assert_true(json_is_null(json_object_get(j, "mos")));
	assert_true(json_is_null(json_object_get(j, "concealed_ratio")));
	json_decref(j);
	report_destroy(r);
}

static void test_expectations_from_script(void **state)
{
	(void)state;
	struct script *s;
	static const char text[] = "expect audio within 5s\n"
				   "expect participants >= 3 within 10s\n"
				   "expect no error\n";
	assert_int_equal(script_parse(text, strlen(text), &s, NULL), 0);
	script_observe_audio(s, 1500);
	script_observe_participants(s, 2000, 2);
	script_finish(s, 12000, NULL);
	struct report *r = new_report("carol");
	assert_int_equal(report_add_script(r, s), 0);
	report_set_exit_code(r, script_exit_code(s));
	json_t *j = report_json(r);
	json_t *ex = json_object_get(j, "expectations");
	assert_int_equal(json_integer_value(json_object_get(ex, "met")), 2);
	assert_int_equal(json_integer_value(json_object_get(ex, "failed")), 1);
	assert_int_equal(json_integer_value(json_object_get(ex, "pending")), 0);
	json_t *list = json_object_get(ex, "list");
	assert_int_equal(json_array_size(list), 3);
	json_t *e0 = json_array_get(list, 0), *e1 = json_array_get(list, 1);
	assert_string_equal(json_string_value(json_object_get(e0, "state")), "met");
	near(json_number_value(json_object_get(e0, "t")), 1.5, 1e-9);
	assert_null(json_object_get(e0, "message"));
	assert_int_equal(json_integer_value(json_object_get(e1, "line")), 2);
	assert_string_equal(json_string_value(json_object_get(e1, "state")), "failed");
	assert_string_equal(json_string_value(json_object_get(e1, "source")),
			    "expect participants >= 3 within 10s");
	assert_string_equal(json_string_value(json_object_get(e1, "message")),
			    "line 2: expect participants >= 3 within 10s: only 2 after 10.0 s");
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 7);
	json_decref(j);
	report_destroy(r);
	script_destroy(s);

	/* Beyond REPORT_EXPECT_MAX entries are counted but not listed. */
	r = new_report("many");
	for (unsigned i = 0; i < REPORT_EXPECT_MAX + 5; i++)
		assert_int_equal(report_add_expectation(r, i + 1, "expect audio within 1s",
							SCRIPT_MET, 1, NULL), 0);
	assert_int_equal(report_add_expectation(r, 1, "x", (enum script_state)9, 1, NULL),
			 -EINVAL);
	j = report_json(r);
	ex = json_object_get(j, "expectations");
	assert_int_equal(json_integer_value(json_object_get(ex, "met")), REPORT_EXPECT_MAX + 5);
	assert_int_equal(json_array_size(json_object_get(ex, "list")), REPORT_EXPECT_MAX);
	json_decref(j);
	report_destroy(r);
}

static void test_thinning(void **state)
{
	(void)state;
	struct report *r = new_report("long");
	unsigned n = REPORT_SAMPLES_MAX * 3 + 7;
	for (unsigned i = 0; i < n; i++) {
		struct report_sample s = sample(i % 100, 0, 40); /* 0..99 repeated */
		report_add_sample(r, &s);
	}
	json_t *j = report_json(r);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "rtt_ms"), "n")), n);
	/* The mean is exact over all samples, the percentiles close on the kept ones. */
	double sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += i % 100;
	near(numv(j, "rtt_ms", "mean"), round(sum / n * 10) / 10, 1e-9);
	near(numv(j, "rtt_ms", "p50"), 49, 2);
	near(numv(j, "rtt_ms", "p95"), 94, 2);
	near(numv(j, "rtt_ms", "max"), 99, 1e-9);
	json_decref(j);
	report_destroy(r);
}

/* A participant summary made by hand: the fields aggregation reads. */
static json_t *part(const char *name, int code, double rtt_mean, double mos_mean,
		    const char *failure)
{
	json_t *p = json_pack("{s:s,s:s,s:s,s:i,s:{s:f},s:{s:f},s:{s:f}}", "schema",
			      REPORT_SCHEMA, "kind", "participant", "name", name, "exit_code",
			      code, "join_ms", "total", rtt_mean * 10, "rtt_ms", "mean", rtt_mean,
			      "mos", "mean", mos_mean);
	assert_non_null(p);
	json_t *list = json_array();
	if (failure)
		json_array_append_new(list, json_pack("{s:s,s:s}", "state", "failed", "message",
						      failure));
	json_array_append_new(list, json_pack("{s:s}", "state", "met"));
	json_object_set_new(p, "expectations", json_pack("{s:i,s:i,s:i,s:o}", "met", 1,
							 "failed", failure ? 1 : 0,
							 "pending", 0, "list", list));
	return p;
}

static void test_aggregate(void **state)
{
	(void)state;
	json_t *a = part("a", 0, 10, 4.4, NULL), *b = part("b", 7, 30, 3.9, "line 2: x"),
	       *c = part("c", 0, 20, 4.1, NULL), *d = part("d", 3, 50, 4.3, NULL);
	json_t *first, *all;
	json_t *ab[] = { a, b };
	assert_int_equal(report_aggregate(ab, 2, &first), 0);
	assert_string_equal(json_string_value(json_object_get(first, "kind")), "aggregate");
	assert_int_equal(json_integer_value(json_object_get(first, "count")), 2);
	/* An aggregate and two participants: flattened in order a, b, c, d. */
	json_t *items[] = { first, c, d };
	assert_int_equal(report_aggregate(items, 3, &all), 0);
	assert_int_equal(json_integer_value(json_object_get(all, "count")), 4);
	json_t *parts = json_object_get(all, "participants");
	assert_int_equal(json_array_size(parts), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 3), "name")),
			    "d");
	/* RTT means 10, 30, 20, 50. */
	json_t *rtt = json_object_get(all, "rtt_ms");
	assert_int_equal(json_integer_value(json_object_get(rtt, "n")), 4);
	near(numv(all, "rtt_ms", "mean"), 27.5, 1e-9);
	near(numv(all, "rtt_ms", "p50"), 20, 1e-9);
	near(numv(all, "rtt_ms", "p95"), 50, 1e-9);
	near(numv(all, "rtt_ms", "min"), 10, 1e-9);
	near(numv(all, "rtt_ms", "max"), 50, 1e-9);
	assert_string_equal(json_string_value(json_object_get(rtt, "worst")), "d");
	/* For MOS the worst is the lowest. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(all, "mos"),
							      "worst")), "b");
	near(numv(all, "mos", "mean"), 4.18, 1e-9);
	json_t *join = json_object_get(all, "join_ms");
	assert_int_equal(json_object_size(join), 1); /* only "total" was measured */
	near(json_number_value(json_object_get(json_object_get(join, "total"), "max")), 500, 1e-9);
	/* Nobody measured these. */
	assert_true(json_is_null(json_object_get(all, "kbps_in")));
	assert_true(json_is_null(json_object_get(all, "video_fps")));
	/* Exit codes: one 7, one 3, two 0: a tie between 3 and 7 goes to the smaller. */
	json_t *codes = json_object_get(all, "exit_codes");
	assert_int_equal(json_integer_value(json_object_get(codes, "0")), 2);
	assert_int_equal(json_integer_value(json_object_get(codes, "3")), 1);
	assert_int_equal(json_integer_value(json_object_get(codes, "7")), 1);
	assert_int_equal(json_integer_value(json_object_get(all, "exit_code")), 3);
	assert_int_equal(json_integer_value(json_object_get(first, "exit_code")), 7);
	json_t *ex = json_object_get(all, "expectations");
	assert_int_equal(json_integer_value(json_object_get(ex, "met")), 4);
	assert_int_equal(json_integer_value(json_object_get(ex, "failed")), 1);
	json_t *fl = json_object_get(all, "failures");
	assert_int_equal(json_array_size(fl), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(fl, 0), "name")), "b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(fl, 0), "message")),
			    "line 2: x");
	/* All zero: exit 0. */
	json_t *ac[] = { a, c }, *ok;
	assert_int_equal(report_aggregate(ac, 2, &ok), 0);
	assert_int_equal(json_integer_value(json_object_get(ok, "exit_code")), 0);
	json_decref(ok);
	/* No input at all: an empty aggregate. */
	assert_int_equal(report_aggregate(NULL, 0, &ok), 0);
	assert_int_equal(json_integer_value(json_object_get(ok, "count")), 0);
	assert_true(json_is_null(json_object_get(ok, "rtt_ms")));
	json_decref(ok);
	json_decref(first);
	json_decref(all);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(d);
}

static void test_aggregate_failures_capped(void **state)
{
	(void)state;
	json_t *items[REPORT_FAILURES_MAX + 3], *agg;
	for (size_t i = 0; i < REPORT_FAILURES_MAX + 3; i++)
		items[i] = part("p", 7, 1, 4, "line 1: nope");
	assert_int_equal(report_aggregate(items, REPORT_FAILURES_MAX + 3, &agg), 0);
	assert_int_equal(json_array_size(json_object_get(agg, "failures")), REPORT_FAILURES_MAX);
	assert_int_equal(json_integer_value(json_object_get(agg, "failures_omitted")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(agg, "expectations"),
							    "failed")), REPORT_FAILURES_MAX + 3);
	json_decref(agg);
	for (size_t i = 0; i < REPORT_FAILURES_MAX + 3; i++)
		json_decref(items[i]);
}

static void test_aggregate_rejects(void **state)
{
	(void)state;
#define SUMMARY "{\"schema\":\"ttymeet-summary/1\","
#define PART SUMMARY "\"kind\":\"participant\","
	static const char *const bad[] = {
		"[]",
		"{}",
		"{\"schema\":\"ttymeet-summary/2\",\"kind\":\"participant\",\"name\":\"a\","
		"\"exit_code\":0}",
		SUMMARY "\"kind\":\"nobody\",\"name\":\"a\",\"exit_code\":0}",
		PART "\"exit_code\":0}",
		PART "\"name\":5,\"exit_code\":0}",
		PART "\"name\":\"a\"}",
		PART "\"name\":\"a\",\"exit_code\":256}",
		PART "\"name\":\"a\",\"exit_code\":1.5}",
		SUMMARY "\"kind\":\"aggregate\"}",
		SUMMARY "\"kind\":\"aggregate\",\"participants\":[1]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *x = json_loads(bad[i], 0, NULL), *out = NULL;
		assert_non_null(x);
		if (report_aggregate(&x, 1, &out) != -EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_null(out);
		json_decref(x);
	}
	/* Odd value types inside a valid summary are skipped, not trusted. */
	json_t *x = json_loads("{\"schema\":\"ttymeet-summary/1\",\"kind\":\"participant\","
			       "\"name\":\"a\",\"exit_code\":0,\"rtt_ms\":{\"mean\":\"10\"},"
			       "\"mos\":{\"mean\":true},\"jitter_ms\":7,\"expectations\":"
			       "{\"met\":\"3\",\"list\":{\"state\":\"failed\"}}}", 0, NULL), *out;
	assert_int_equal(report_aggregate(&x, 1, &out), 0);
	assert_true(json_is_null(json_object_get(out, "rtt_ms")));
	assert_true(json_is_null(json_object_get(out, "mos")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "expectations"),
							    "met")), 0);
	json_decref(out);
	json_decref(x);
#undef PART
#undef SUMMARY
}

/* Creates a private temporary directory. */
static char *temp_dir(void)
{
	char *d = strdup("/tmp/ttm-report-XXXXXX");
	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static size_t count_entries(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_write_file(void **state)
{
	(void)state;
	char *dir = temp_dir(), path[512];
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	/* An existing file that others could read is replaced by a private one. */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("old", f);
	fclose(f);
	chmod(path, 0644);
	struct report *r = new_report("alice");
	struct report_sample s = sample(12.34, 1, 40);
	report_add_sample(r, &s);
	json_t *j = report_json(r);
	assert_int_equal(report_write_file(path, j), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(count_entries(dir), 1); /* no temporary file left */
	json_error_t jerr;
	json_t *back = json_load_file(path, 0, &jerr);
	assert_non_null(back);
	assert_true(json_equal(back, j));
	near(numv(back, "rtt_ms", "mean"), 12.3, 1e-12); /* rounded, and printed exactly */
	json_decref(back);
	/* The directory must exist; nothing is created on failure. */
	char bad[600];
	snprintf(bad, sizeof(bad), "%s/missing/summary.json", dir);
	assert_int_equal(report_write_file(bad, j), -ENOENT);
	snprintf(bad, sizeof(bad), "%s/", dir);
	assert_int_equal(report_write_file(bad, j), -EINVAL);
	assert_int_equal(report_write_file("", j), -EINVAL);
	/* A directory in the way: the rename fails and the temporary file is removed. */
	snprintf(bad, sizeof(bad), "%s/sub", dir);
	assert_int_equal(mkdir(bad, 0700), 0);
	char inner[700];
	snprintf(inner, sizeof(inner), "%s/x", bad);
	assert_int_equal(mkdir(inner, 0700), 0);
	assert_true(report_write_file(bad, j) < 0);
	assert_int_equal(count_entries(dir), 2);
	rmdir(inner);
	rmdir(bad);
	json_decref(j);
	report_destroy(r);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	free(dir);
}

/* Two realistic participants and their aggregate, written like --report would. */
static void test_sample_files(void **state)
{
	(void)state;
	const char *want = getenv("TTM_REPORT_SAMPLE_DIR");
	char *dir = want && *want ? strdup(want) : temp_dir();
	assert_non_null(dir);
	struct report *al = new_report("alice"), *bo = new_report("bob");
	static const char text[] = "expect audio within 5s\nexpect chat hi from bob within 9s\n";
	struct script *s;
	assert_int_equal(script_parse(text, strlen(text), &s, NULL), 0);
	script_observe_audio(s, 2100);
	script_finish(s, 30000, NULL);
	report_add_script(al, s);
	report_set_exit_code(al, script_exit_code(s));
	script_destroy(s);
	for (int i = 0; i < 12; i++) {
		struct report_sample a = sample(18 + i % 5, i == 3 ? 2.5 : 0, 41 + i % 3);
		a.loss_up_pct = i % 4 ? 0 : 1;
		a.frames_played = 250u * (unsigned)(i + 1);
		a.frames_concealed = (unsigned)i;
		report_add_sample(al, &a);
		struct report_sample b = sample(i < 2 ? -1 : 35 + i, 0.5 * (i % 3), 40);
		b.jitter_ms = 4 + i % 7;
		b.jitter_buffer_ms = 60;
		report_add_sample(bo, &b);
		report_add_video_frame(bo, i * 0.25);
	}
	report_set_join_ms(al, REPORT_JOIN_SIGNALING, 81.5);
	report_set_join_ms(al, REPORT_JOIN_ICE, 35);
	report_set_join_ms(al, REPORT_JOIN_DTLS, 22.2);
	report_set_join_ms(al, REPORT_JOIN_FIRST_AUDIO, 240);
	report_set_join_ms(al, REPORT_JOIN_TOTAL, 378.7);
	report_set_join_ms(bo, REPORT_JOIN_SIGNALING, 95);
	report_set_join_ms(bo, REPORT_JOIN_TOTAL, 512.3);
	report_set_duration(al, 30);
	report_set_duration(bo, 31.5);
	json_t *pa = report_json(al), *pb = report_json(bo), *agg;
	json_t *both[] = { pa, pb };
	assert_int_equal(report_aggregate(both, 2, &agg), 0);
	assert_int_equal(json_integer_value(json_object_get(agg, "exit_code")), 7);
	assert_string_equal(json_string_value(json_object_get(json_object_get(agg, "rtt_ms"),
							      "worst")), "bob");
	char path[600];
	const char *names[] = { "alice.json", "bob.json", "aggregate.json" };
	json_t *objs[] = { pa, pb, agg };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_int_equal(report_write_file(path, objs[i]), 0);
		json_t *back = json_load_file(path, 0, NULL);
		assert_true(json_equal(back, objs[i]));
		json_decref(back);
		if (!(want && *want))
			unlink(path);
	}
	if (!(want && *want))
		rmdir(dir);
	json_decref(pa);
	json_decref(pb);
	json_decref(agg);
	report_destroy(al);
	report_destroy(bo);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_participant_stats),
		cmocka_unit_test(test_mos_follows_loss),
		cmocka_unit_test(test_join_video_duration),
		cmocka_unit_test(test_expectations_from_script),
		cmocka_unit_test(test_thinning),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_aggregate_failures_capped),
		cmocka_unit_test(test_aggregate_rejects),
		cmocka_unit_test(test_write_file),
		cmocka_unit_test(test_sample_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
