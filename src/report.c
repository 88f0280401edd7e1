/* Quality summaries (see report.h for the schema).
 *
 * A report keeps running sums, minima and maxima of every per-sample metric (exact means over
 * all samples) and a bounded table of samples for percentiles: when the table is full it is
 * thinned to every other row and from then on only every 2nd (then 4th, ...) sample is kept.
 * Aggregates are computed from summary JSON, never from struct report, so that summaries from
 * other processes (scripts/ttymeet-report) combine by exactly the same rules.
 */
#include "src/report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/emodel.h"
#include "src/secmem.h"
#include "src/media.h"

#ifndef TTM_VERSION
#define TTM_VERSION "?"
#endif
#define CLIENT "ttymeet " TTM_VERSION

enum metric { M_RTT, M_JITTER, M_LOSS_DOWN, M_LOSS_UP, M_KBPS_IN, M_KBPS_OUT, M_JB, M_MOS, M_N };

static const struct {
	const char *key;
	int decimals;
	bool lower_is_worse;
} metrics[M_N] = {
	[M_RTT] = { "rtt_ms", 1, false },
	[M_JITTER] = { "jitter_ms", 1, false },
	[M_LOSS_DOWN] = { "loss_down_pct", 2, false },
	[M_LOSS_UP] = { "loss_up_pct", 2, false },
	[M_KBPS_IN] = { "kbps_in", 1, true },
	[M_KBPS_OUT] = { "kbps_out", 1, true },
	[M_JB] = { "jitter_buffer_ms", 1, false },
	[M_MOS] = { "mos", 2, true },
};

static const char *const join_keys[REPORT_JOIN_PHASES] = {
	"signaling", "ice", "dtls", "first_audio", "total",
};

struct row {
	double v[M_N]; /* NAN: not measured in this sample */
};

struct expect_rec {
	unsigned line;
	char *source, *message;
	enum script_state state;
	double t;
};

struct report {
	char *name;
	double ie, bpl;
	double join[REPORT_JOIN_PHASES]; /* < 0: not measured */
	double duration;                 /* < 0: not set */
	int exit_code;
	/* samples */
	uint64_t samples;
	uint64_t n[M_N];
	double sum[M_N], min[M_N], max[M_N];
	struct row *rows;
	size_t n_rows, cap_rows;
	uint64_t stride;
	double last_rtt;
	uint64_t frames_played, frames_concealed;
	/* video */
	uint64_t video_frames;
	double video_first, video_last;
	/* expectations */
	struct expect_rec *exps;
	size_t n_exps, cap_exps;
	unsigned exp_count[3]; /* by enum script_state */
};

int report_create(const struct report_config *cfg, struct report **out)
{
	if (!cfg || !cfg->name)
		return -EINVAL;
	struct report *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->name = strdup(cfg->name);
	if (!r->name) {
		free(r);
		return -ENOMEM;
	}
	emodel_opus_params(cfg->bitrate > 0 ? cfg->bitrate : 24000, cfg->fec, &r->ie, &r->bpl);
	for (int i = 0; i < REPORT_JOIN_PHASES; i++)
		r->join[i] = -1;
	r->duration = -1;
	r->stride = 1;
	r->last_rtt = -1;
	*out = r;
	return 0;
}

void report_destroy(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_exps; i++) {
		free(r->exps[i].source);
		free(r->exps[i].message);
	}
	free(r->exps);
	free(r->rows);
	free(r->name);
	free(r);
}

void report_set_join_ms(struct report *r, enum report_join_phase phase, double ms)
{
	if ((unsigned)phase < REPORT_JOIN_PHASES && isfinite(ms) && ms >= 0)
		r->join[phase] = ms;
}

void report_set_exit_code(struct report *r, int code)
{
	r->exit_code = code;
}

void report_set_duration(struct report *r, double seconds)
{
	if (isfinite(seconds) && seconds >= 0)
		r->duration = seconds;
}

static double known(double x)
{
	return isfinite(x) && x >= 0 ? x : NAN;
}

static void keep_row(struct report *r, const struct row *row)
{
	if (r->n_rows == REPORT_SAMPLES_MAX) {
		for (size_t i = 0; i < r->n_rows / 2; i++)
			r->rows[i] = r->rows[2 * i];
		r->n_rows /= 2;
		r->stride *= 2;
	}
	if ((r->samples - 1) % r->stride)
		return;
	if (r->n_rows == r->cap_rows) {
		size_t cap = r->cap_rows ? r->cap_rows * 2 : 64;
		if (cap > REPORT_SAMPLES_MAX)
			cap = REPORT_SAMPLES_MAX;
		struct row *n = realloc(r->rows, cap * sizeof(*n));
		if (!n)
			return; /* percentiles then rest on fewer samples; means stay exact */
		r->rows = n;
		r->cap_rows = cap;
	}
	r->rows[r->n_rows++] = *row;
}

void report_add_sample(struct report *r, const struct report_sample *s)
{
	struct row row;
	row.v[M_RTT] = known(s->rtt_ms);
	row.v[M_JITTER] = known(s->jitter_ms);
	row.v[M_LOSS_DOWN] = known(s->loss_pct) > 100 ? 100 : known(s->loss_pct);
	row.v[M_LOSS_UP] = known(s->loss_up_pct) > 100 ? 100 : known(s->loss_up_pct);
	row.v[M_KBPS_IN] = known(s->kbps_in);
	row.v[M_KBPS_OUT] = known(s->kbps_out);
	row.v[M_JB] = known(s->jitter_buffer_ms);
	if (!isnan(row.v[M_RTT]))
		r->last_rtt = row.v[M_RTT];

	/* What a listener hears passed the speaker's uplink (assumed to lose like ours) and our
	 * downlink. */
	double down = isnan(row.v[M_LOSS_DOWN]) ? 0 : row.v[M_LOSS_DOWN] / 100;
	double up = isnan(row.v[M_LOSS_UP]) ? 0 : row.v[M_LOSS_UP] / 100;
	struct emodel_input in = {
		.delay_ms = emodel_conference_delay_ms(r->last_rtt,
						       isnan(row.v[M_JB]) ? 0 : row.v[M_JB]),
		.loss_pct = 100 * (1 - (1 - down) * (1 - up)),
		.ie = r->ie,
		.bpl = r->bpl,
		.burst_r = 1,
	};
	row.v[M_MOS] = emodel_mos(&in);

	r->samples++;
	for (int m = 0; m < M_N; m++) {
		double v = row.v[m];
		if (isnan(v))
			continue;
		if (!r->n[m] || v < r->min[m])
			r->min[m] = v;
		if (!r->n[m] || v > r->max[m])
			r->max[m] = v;
		r->n[m]++;
		r->sum[m] += v;
	}
	keep_row(r, &row);
	if (s->frames_played >= r->frames_played) {
		r->frames_played = s->frames_played;
		r->frames_concealed = s->frames_concealed;
	}
}

void report_add_media_stats(struct report *r, const struct media_stats *st)
{
	struct report_sample s = {
		.rtt_ms = st->rtt_ms,
		.jitter_ms = st->jitter_ms,
		.loss_pct = st->loss_pct,
		.loss_up_pct = st->loss_up_pct,
		.kbps_in = st->kbps_in,
		.kbps_out = st->kbps_out,
		.jitter_buffer_ms = st->jitter_delay_ms,
		.frames_played = st->frames_played,
		.frames_concealed = st->frames_concealed,
	};
	report_add_sample(r, &s);
}

void report_add_video_frame(struct report *r, double t_s)
{
	if (!isfinite(t_s))
		return;
	if (!r->video_frames++)
		r->video_first = t_s;
	r->video_last = t_s;
}

int report_add_expectation(struct report *r, unsigned line, const char *source,
			   enum script_state state, double t_s, const char *message)
{
	if ((unsigned)state > SCRIPT_FAILED)
		return -EINVAL;
	r->exp_count[state]++;
	if (r->n_exps >= REPORT_EXPECT_MAX)
		return 0;
	if (r->n_exps == r->cap_exps) {
		size_t cap = r->cap_exps ? r->cap_exps * 2 : 8;
		struct expect_rec *n = realloc(r->exps, cap * sizeof(*n));
		if (!n)
			goto nomem;
		r->exps = n;
		r->cap_exps = cap;
	}
	struct expect_rec *e = &r->exps[r->n_exps];
	e->line = line;
	e->state = state;
	e->t = t_s;
	e->source = strdup(source ? source : "");
	e->message = strdup(message ? message : "");
	if (!e->source || !e->message) {
		free(e->source);
		free(e->message);
		goto nomem;
	}
	r->n_exps++;
	return 0;
nomem:
	r->exp_count[state]--;
	return -ENOMEM;
}

int report_add_script(struct report *r, const struct script *s)
{
	size_t n = script_expect_count(s);
	for (size_t i = 0; i < n; i++) {
		struct script_expect_info in;
		if (script_expect_get(s, i, &in) < 0)
			break;
		double t = in.state == SCRIPT_PENDING ? NAN : (double)in.when_ms / 1000.0;
		int rc = report_add_expectation(r, in.line, in.source, in.state, t, in.message);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A rounded number, or null when x is not finite. */
static json_t *num(double x, int decimals)
{
	if (!isfinite(x))
		return json_null();
	double f = pow(10, decimals);
	return json_real(round(x * f) / f);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n), n > 0. */
static double percentile(const double *v, size_t n, unsigned p)
{
	size_t rank = (p * n + 99) / 100;
	return v[rank ? rank - 1 : 0];
}

static json_t *stat_json(const struct report *r, enum metric m, double *scratch)
{
	int d = metrics[m].decimals;
	if (!r->n[m])
		return json_null();
	size_t k = 0;
	for (size_t i = 0; i < r->n_rows; i++)
		if (!isnan(r->rows[i].v[m]))
			scratch[k++] = r->rows[i].v[m];
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "n", json_integer((json_int_t)r->n[m]));
	json_object_set_new(o, "mean", num(r->sum[m] / (double)r->n[m], d));
	if (k) {
		qsort(scratch, k, sizeof(*scratch), cmp_double);
		json_object_set_new(o, "p50", num(percentile(scratch, k, 50), d));
		json_object_set_new(o, "p95", num(percentile(scratch, k, 95), d));
	} else {
		json_object_set_new(o, "p50", json_null());
		json_object_set_new(o, "p95", json_null());
	}
	json_object_set_new(o, "min", num(r->min[m], d));
	json_object_set_new(o, "max", num(r->max[m], d));
	return o;
}

static const char *const state_names[] = { "pending", "met", "failed" };

static json_t *expectations_json(const struct report *r)
{
	json_t *o = json_object(), *list = json_array();
	if (!o || !list)
		goto fail;
	for (int i = SCRIPT_MET; i <= SCRIPT_FAILED; i++)
		json_object_set_new(o, state_names[i], json_integer(r->exp_count[i]));
	json_object_set_new(o, "pending", json_integer(r->exp_count[SCRIPT_PENDING]));
	for (size_t i = 0; i < r->n_exps; i++) {
		const struct expect_rec *e = &r->exps[i];
		json_t *x = json_object();
		if (!x)
			goto fail;
		json_object_set_new(x, "line", json_integer(e->line));
		json_object_set_new(x, "source", json_string(e->source));
		json_object_set_new(x, "state", json_string(state_names[e->state]));
		json_object_set_new(x, "t", num(e->t, 3));
		if (e->state == SCRIPT_FAILED)
			json_object_set_new(x, "message", json_string(e->message));
		json_array_append_new(list, x);
	}
	json_object_set_new(o, "list", list);
	return o;
fail:
	json_decref(o);
	json_decref(list);
	return NULL;
}

json_t *report_json(const struct report *r)
{
	json_t *o = json_object(), *join = json_object();
	double *scratch = malloc((r->n_rows ? r->n_rows : 1) * sizeof(double));
	if (!o || !join || !scratch)
		goto fail;
	json_object_set_new(o, "schema", json_string(REPORT_SCHEMA));
	json_object_set_new(o, "kind", json_string("participant"));
	json_object_set_new(o, "client", json_string(CLIENT));
	/* json_string refuses invalid UTF-8: fall back to a marker rather than drop the field. */
	json_t *name = json_string(r->name);
	json_object_set_new(o, "name", name ? name : json_string("?"));
	json_object_set_new(o, "exit_code", json_integer(r->exit_code));
	json_object_set_new(o, "duration_s", r->duration < 0 ? json_null() : num(r->duration, 1));
	for (int i = 0; i < REPORT_JOIN_PHASES; i++)
		if (r->join[i] >= 0)
			json_object_set_new(join, join_keys[i], num(r->join[i], 1));
	json_object_set_new(o, "join_ms", join);
	join = NULL;
	json_object_set_new(o, "samples", json_integer((json_int_t)r->samples));
	for (int m = 0; m < M_N; m++) {
		json_t *st = stat_json(r, (enum metric)m, scratch);
		if (!st)
			goto fail;
		json_object_set_new(o, metrics[m].key, st);
	}
	json_object_set_new(o, "concealed_ratio", r->frames_played ?
			    num((double)r->frames_concealed / (double)r->frames_played, 4) :
			    json_null());
	json_object_set_new(o, "video_frames", json_integer((json_int_t)r->video_frames));
	double span = r->video_last - r->video_first;
	json_object_set_new(o, "video_fps", r->video_frames >= 2 && span > 0 ?
			    num((double)(r->video_frames - 1) / span, 1) : json_null());
	json_t *ex = expectations_json(r);
	if (!ex)
		goto fail;
	json_object_set_new(o, "expectations", ex);
	free(scratch);
	return o;
fail:
	free(scratch);
	json_decref(join);
	json_decref(o);
	return NULL;
}

/* ---- aggregation (mirrored by scripts/ttymeet-report) ---- */

/* Where an aggregated metric's per-participant value lives: p[group][key][sub]. */
struct agg_metric {
	const char *group, *key, *sub;
	int decimals;
	bool lower_is_worse;
};

static const struct agg_metric agg_metrics[] = {
	{ NULL, "duration_s", NULL, 1, true },
	{ "join_ms", "signaling", NULL, 1, false },
	{ "join_ms", "ice", NULL, 1, false },
	{ "join_ms", "dtls", NULL, 1, false },
	{ "join_ms", "first_audio", NULL, 1, false },
	{ "join_ms", "total", NULL, 1, false },
	{ NULL, "rtt_ms", "mean", 1, false },
	{ NULL, "jitter_ms", "mean", 1, false },
	{ NULL, "loss_down_pct", "mean", 2, false },
	{ NULL, "loss_up_pct", "mean", 2, false },
	{ NULL, "kbps_in", "mean", 1, true },
	{ NULL, "kbps_out", "mean", 1, true },
	{ NULL, "jitter_buffer_ms", "mean", 1, false },
	{ NULL, "mos", "mean", 2, true },
	{ NULL, "concealed_ratio", NULL, 4, false },
	{ NULL, "video_fps", NULL, 1, true },
};

static bool metric_value(json_t *p, const struct agg_metric *am, double *v)
{
	json_t *x = am->group ? json_object_get(p, am->group) : p;
	x = json_object_get(x, am->key);
	if (am->sub)
		x = json_object_get(x, am->sub);
	if (!json_is_number(x))
		return false;
	*v = json_number_value(x);
	return isfinite(*v);
}

static json_t *agg_json(json_t *parts, const struct agg_metric *am, double *vals, double *sorted)
{
	size_t n = 0, worst = 0;
	const char *worst_name = "";
	double sum = 0;
	size_t i;
	json_t *p;
	json_array_foreach(parts, i, p) {
		double v;
		if (!metric_value(p, am, &v))
			continue;
		if (!n || (am->lower_is_worse ? v < vals[worst] : v > vals[worst])) {
			worst = n;
			worst_name = json_string_value(json_object_get(p, "name"));
		}
		vals[n++] = v;
		sum += v;
	}
	if (!n)
		return json_null();
	memcpy(sorted, vals, n * sizeof(*vals));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	json_t *o = json_object();
	if (!o)
		return NULL;
	int d = am->decimals;
	json_object_set_new(o, "n", json_integer((json_int_t)n));
	json_object_set_new(o, "mean", num(sum / (double)n, d));
	json_object_set_new(o, "p50", num(percentile(sorted, n, 50), d));
	json_object_set_new(o, "p95", num(percentile(sorted, n, 95), d));
	json_object_set_new(o, "min", num(sorted[0], d));
	json_object_set_new(o, "max", num(sorted[n - 1], d));
	json_object_set_new(o, "worst", json_string(worst_name));
	return o;
}

static bool is_summary(json_t *x, const char *kind)
{
	return json_is_object(x) &&
	       json_is_string(json_object_get(x, "schema")) &&
	       !strcmp(json_string_value(json_object_get(x, "schema")), REPORT_SCHEMA) &&
	       json_is_string(json_object_get(x, "kind")) &&
	       !strcmp(json_string_value(json_object_get(x, "kind")), kind);
}

static int add_participant(json_t *parts, json_t *p)
{
	json_t *code = json_object_get(p, "exit_code");
	if (!is_summary(p, "participant") || !json_is_string(json_object_get(p, "name")) ||
	    !json_is_integer(code) || json_integer_value(code) < 0 ||
	    json_integer_value(code) > 255)
		return -EINVAL;
	if (json_array_size(parts) >= REPORT_MERGE_MAX)
		return -E2BIG;
	return json_array_append(parts, p) ? -ENOMEM : 0;
}

static json_int_t count_of(json_t *ex, const char *key)
{
	json_t *x = json_object_get(ex, key);
	return json_is_integer(x) && json_integer_value(x) > 0 ? json_integer_value(x) : 0;
}

static int build_aggregate(json_t *parts, json_t *o)
{
	size_t n = json_array_size(parts), i;
	json_t *p;
	unsigned codes[256] = { 0 };
	json_int_t met = 0, failed = 0, pending = 0, omitted = 0;
	json_t *failures = json_array(), *join = json_object(), *exit_codes = json_object();
	double *vals = malloc((n ? n : 1) * sizeof(double));
	double *sorted = malloc((n ? n : 1) * sizeof(double));
	int rc = -ENOMEM;
	if (!failures || !join || !exit_codes || !vals || !sorted)
		goto out;

	json_array_foreach(parts, i, p) {
		codes[json_integer_value(json_object_get(p, "exit_code"))]++;
		json_t *ex = json_object_get(p, "expectations");
		met += count_of(ex, "met");
		failed += count_of(ex, "failed");
		pending += count_of(ex, "pending");
		size_t k;
		json_t *e;
		json_array_foreach(json_object_get(ex, "list"), k, e) {
			json_t *msg = json_object_get(e, "message");
			json_t *st = json_object_get(e, "state");
			if (!json_is_string(st) || strcmp(json_string_value(st), "failed") ||
			    !json_is_string(msg))
				continue;
			if (json_array_size(failures) >= REPORT_FAILURES_MAX) {
				omitted++;
				continue;
			}
			json_array_append_new(failures, json_pack("{s:O,s:O}", "name",
						   json_object_get(p, "name"), "message", msg));
		}
	}
	unsigned best = 0; /* the most common non-zero code; ties: the smaller */
	for (unsigned c = 0; c < 256; c++) {
		if (!codes[c])
			continue;
		char key[8];
		snprintf(key, sizeof(key), "%u", c);
		json_object_set_new(exit_codes, key, json_integer(codes[c]));
		if (c && (!best || codes[c] > codes[best]))
			best = c;
	}

	json_object_set_new(o, "schema", json_string(REPORT_SCHEMA));
	json_object_set_new(o, "kind", json_string("aggregate"));
	json_object_set_new(o, "client", json_string(CLIENT));
	json_object_set_new(o, "count", json_integer((json_int_t)n));
	json_object_set_new(o, "exit_code", json_integer(best));
	json_object_set_new(o, "exit_codes", exit_codes);
	exit_codes = NULL;
	for (size_t m = 0; m < sizeof(agg_metrics) / sizeof(agg_metrics[0]); m++) {
		const struct agg_metric *am = &agg_metrics[m];
		json_t *a = agg_json(parts, am, vals, sorted);
		if (!a)
			goto out;
		if (!am->group)
			json_object_set_new(o, am->key, a);
		else if (json_is_null(a))
			json_decref(a);
		else
			json_object_set_new(join, am->key, a);
		if (am->group && !strcmp(am->key, "total")) { /* the last phase: keep key order */
			json_object_set_new(o, "join_ms", join);
			join = NULL;
		}
	}
	json_object_set_new(o, "expectations", json_pack("{s:I,s:I,s:I}", "met", met,
							 "failed", failed, "pending", pending));
	json_object_set_new(o, "failures", failures);
	failures = NULL;
	json_object_set_new(o, "failures_omitted", json_integer(omitted));
	json_object_set(o, "participants", parts);
	rc = 0;
out:
	free(vals);
	free(sorted);
	json_decref(failures);
	json_decref(join);
	json_decref(exit_codes);
	return rc;
}

int report_aggregate(json_t *const *items, size_t n, json_t **out)
{
	json_t *parts = json_array(), *o = json_object();
	int rc = -ENOMEM;
	if (!parts || !o)
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *it = items[i];
		if (is_summary(it, "participant")) {
			rc = add_participant(parts, it);
		} else if (is_summary(it, "aggregate") &&
			   json_is_array(json_object_get(it, "participants"))) {
			size_t k;
			json_t *p;
			rc = 0;
			json_array_foreach(json_object_get(it, "participants"), k, p)
				if ((rc = add_participant(parts, p)) < 0)
					break;
		} else {
			rc = -EINVAL;
		}
		if (rc < 0)
			goto out;
	}
	rc = build_aggregate(parts, o);
	if (rc == 0) {
		*out = o;
		o = NULL;
	}
out:
	json_decref(parts);
	json_decref(o);
	return rc;
}

int report_write_file(const char *path, const json_t *summary)
{
	int rc = 0, fd = -1;
	bool created = false;
	char *tmp = NULL, *text = NULL;
	const char *slash = path ? strrchr(path, '/') : NULL;
	const char *base = slash ? slash + 1 : path;
	if (!path || !*base || strlen(path) >= 4096)
		return -EINVAL;
	size_t dirlen = (size_t)(base - path);
	/* ".<name>.XXXXXX" beside the target, so the rename stays in one file system. */
	if (asprintf(&tmp, "%.*s.%s.XXXXXX", (int)dirlen, path, base) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	text = json_dumps(summary, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (!text) {
		rc = -ENOMEM;
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	created = true;
	if (fchmod(fd, 0600) < 0) {
		rc = -errno;
		goto out;
	}
	size_t len = strlen(text);
	text[len++] = '\n'; /* json_dumps' NUL becomes the final newline */
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		rc = -errno;
		goto out;
	}
	int c = close(fd);
	fd = -1;
	if (c < 0) {
		rc = -errno;
		goto out;
	}
	if (rename(tmp, path) < 0)
		rc = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && created)
		unlink(tmp);
	secmem_json_free(text);
	free(tmp);
	return rc;
}
