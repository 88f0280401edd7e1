/* The bridge channel (src/jitsi/colibri.c) over a real WebSocket on loopback: a stand-in
 * bridge (tests/lab/colibri_ws.py, a separate process speaking RFC 6455 as the videobridge
 * does) and our channel on net/ws.c (libwebsockets) in a GLib loop.
 *
 * Checked: we connect to the URL's path with its query and offer no subprotocol; our first
 * message is ReceiverVideoConstraints with lastN and the maxHeight asked; the bridge's
 * ServerHello version is kept; a dominant speaker change reaches cbs->dominant; malformed and
 * hostile messages (and one over 64 KiB) are counted and reach no callback, the channel stays; connectivity and forwarded-sources
 * messages reach theirs; set_stage sends the on-stage source (and NULL clears it), set_last_n
 * the new lastN; a closed channel is reported
 * (cbs->closed, retry in 1 s, then 2 s after a quick second loss) and reopened with the stage
 * kept; create refuses bad URLs and wss:// on a context without TLS; a channel can be
 * destroyed from inside its own callback. */
#include <errno.h>
#include <signal.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/ws.h"
#include "src/jitsi/colibri.h"
#include "tests/unit/colibri_ws.h"

struct fx {
	GMainLoop *loop;
	GMainContext *ctx;
	struct ws_ctx *ws;
	struct colibri_ws b;   /* the stand-in bridge */
	struct jcolibri *c;
	/* callbacks */
	int opens, dominants, connectivities, forwardeds, closeds;
	char dominant[JCOLIBRI_ID_MAX];
	bool silence, active;
	char conn_ep[JCOLIBRI_ID_MAX];
	size_t n_fwd;
	char fwd0[JCOLIBRI_ID_MAX];
	unsigned retry_ms[8];
	char why[256];
	bool destroy_in_dominant;
};

static gboolean tick(gpointer data)
{
	(void)data;
	return G_SOURCE_CONTINUE;
}

/* Runs the loop until cond(f) or timeout_ms. */
static bool run_until(struct fx *f, bool (*cond)(struct fx *), int timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	while (!cond(f)) {
		if (g_get_monotonic_time() > end)
			return false;
		g_main_context_iteration(f->ctx, TRUE);
	}
	return true;
}

static void c_open(void *user)
{
	((struct fx *)user)->opens++;
}

static void c_dominant(void *user, const char *ep, bool silence)
{
	struct fx *f = user;
	f->dominants++;
	snprintf(f->dominant, sizeof(f->dominant), "%s", ep);
	f->silence = silence;
	if (f->destroy_in_dominant) {
		jcolibri_destroy(f->c);
		f->c = NULL;
	}
}

static void c_connectivity(void *user, const char *ep, bool active)
{
	struct fx *f = user;
	f->connectivities++;
	snprintf(f->conn_ep, sizeof(f->conn_ep), "%s", ep);
	f->active = active;
}

static void c_forwarded(void *user, const char *const *ids, size_t n, bool by_source)
{
	struct fx *f = user;
	f->forwardeds++;
	f->n_fwd = n;
	snprintf(f->fwd0, sizeof(f->fwd0), "%s", n ? ids[0] : "");
	assert_true(by_source);
}

static void c_closed(void *user, int err, const char *why, unsigned retry_ms)
{
	struct fx *f = user;
	if (f->closeds < 8)
		f->retry_ms[f->closeds] = retry_ms;
	f->closeds++;
	snprintf(f->why, sizeof(f->why), "%s", why);
}

static const struct jcolibri_cbs cbs = { c_open, c_dominant, c_connectivity, c_forwarded,
					  c_closed };

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->ctx = g_main_context_new();
	g_main_context_push_thread_default(f->ctx);
	f->loop = g_main_loop_new(f->ctx, FALSE);
	GSource *t = g_timeout_source_new(20); /* wakes the loop for the deadlines */
	g_source_set_callback(t, tick, NULL, NULL);
	g_source_attach(t, f->ctx);
	g_source_unref(t);
	assert_int_equal(ws_ctx_create(f->loop, false, &f->ws), 0);
	colibri_ws_start(&f->b, f->ctx);
	*state = f;
	return 0;
}

static bool no_conn(struct fx *f)
{
	(void)f;
	return false;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	jcolibri_destroy(f->c);
	run_until(f, no_conn, 200); /* lets lws finish the close */
	colibri_ws_stop(&f->b);
	ws_ctx_destroy(f->ws);
	g_main_loop_unref(f->loop);
	g_main_context_pop_thread_default(f->ctx);
	g_main_context_unref(f->ctx);
	free(f);
	return 0;
}

static void url_of(struct fx *f, char *url, size_t n)
{
	snprintf(url, n, "ws://127.0.0.1:%d/colibri-ws/default-id/4f9cb343/ep01?pwd=s3cret",
		 f->b.port);
}

/* The client's next message, which must be ReceiverVideoConstraints. */
static json_t *next_constraints(struct fx *f, int timeout_ms)
{
	json_t *e = colibri_ws_wait(&f->b, "recv", 0, timeout_ms);
	json_t *m = json_object_get(e, "msg");
	assert_string_equal(json_string_value(json_object_get(m, "colibriClass")),
			    "ReceiverVideoConstraints");
	json_incref(m);
	json_decref(e);
	return m;
}

static bool got_open(struct fx *f) { return f->opens > 0; }
static bool got_dominant(struct fx *f) { return f->dominants > 0; }
static bool got_connectivity(struct fx *f) { return f->connectivities > 0; }
static bool got_forwarded(struct fx *f) { return f->forwardeds > 0; }
static bool got_closed1(struct fx *f) { return f->closeds >= 1; }
static bool got_closed2(struct fx *f) { return f->closeds >= 2; }

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	struct colibri_ws *b = &f->b;
	char url[256];
	url_of(f, url, sizeof(url));
	struct jcolibri_params p = { .last_n = 1, .max_height = 180, .naming = JCOLIBRI_SOURCES };
	assert_int_equal(jcolibri_create(f->ctx, f->ws, url, &p, &cbs, f, &f->c), 0);
	assert_false(jcolibri_is_open(f->c));

	/* the handshake: the URL's path and query, no subprotocol */
	json_t *e = colibri_ws_wait(b, "connect", 0, 5000);
	assert_string_equal(json_string_value(json_object_get(e, "path")),
			    "/colibri-ws/default-id/4f9cb343/ep01?pwd=s3cret");
	assert_true(json_is_null(json_object_get(e, "protocol")));
	json_decref(e);
	/* our constraints first: one video, 180 p, nobody on stage */
	json_t *m = next_constraints(f, 5000);
	assert_int_equal(json_integer_value(json_object_get(m, "lastN")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "defaultConstraints"),
							    "maxHeight")), 180);
	assert_int_equal(json_array_size(json_object_get(m, "onStageSources")), 0);
	json_decref(m);
	assert_true(run_until(f, got_open, 5000));
	assert_true(jcolibri_is_open(f->c));

	/* the bridge's dominant speaker, after a few bad messages that must reach nothing */
	colibri_ws_cmd(b, "{\"send_text\":\"not json at all\"}");
	colibri_ws_cmd(b, "{\"send\":{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
			  "\"dominantSpeakerEndpoint\":\"\\u001b[2J\\u001b]0;pwned\\u0007\"}}");
	colibri_ws_cmd(b, "{\"send\":{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\"}}");
	colibri_ws_cmd(b, "{\"send\":{\"colibriClass\":\"EndpointMessage\",\"from\":\"x\","
			  "\"to\":\"\",\"msgPayload\":{\"a\":1}}}");
	/* a participant's 100 KB message relayed by the bridge: over what we read, ignored, the
	 * channel stays */
	GString *big = g_string_new("{\"send_text\":\"{\\\"colibriClass\\\":\\\"EndpointMessage\\\","
				    "\\\"pad\\\":\\\"");
	for (int i = 0; i < 100000; i++)
		g_string_append_c(big, 'x');
	g_string_append(big, "\\\"}\"}");
	colibri_ws_cmd(b, big->str);
	g_string_free(big, TRUE);
	colibri_ws_cmd(b, "{\"send\":{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
			  "\"dominantSpeakerEndpoint\":\"9a93911b\",\"previousSpeakers\":[],"
			  "\"silence\":false}}");
	assert_true(run_until(f, got_dominant, 5000));
	assert_int_equal(f->dominants, 1);
	assert_string_equal(f->dominant, "9a93911b");
	assert_false(f->silence);
	assert_int_equal(jcolibri_invalid_count(f->c), 4);
	assert_int_equal(f->closeds, 0);
	assert_string_equal(jcolibri_server_version(f->c), "standin-1");

	colibri_ws_cmd(b, "{\"send\":{\"colibriClass\":\"EndpointConnectivityStatusChangeEvent\","
			  "\"endpoint\":\"c0ffee01\",\"active\":\"false\"}}");
	colibri_ws_cmd(b, "{\"send\":{\"colibriClass\":\"ForwardedSources\","
			  "\"forwardedSources\":[\"9a93911b-v0\"]}}");
	assert_true(run_until(f, got_connectivity, 5000));
	assert_string_equal(f->conn_ep, "c0ffee01");
	assert_false(f->active);
	assert_true(run_until(f, got_forwarded, 5000));
	assert_int_equal(f->n_fwd, 1);
	assert_string_equal(f->fwd0, "9a93911b-v0");

	/* the video picker puts someone on stage */
	assert_int_equal(jcolibri_set_stage(f->c, "9a93911b", NULL), 0);
	m = next_constraints(f, 5000);
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "onStageSources"), 0)),
			    "9a93911b-v0");
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(json_object_get(m, "constraints"), "9a93911b-v0"), "maxHeight")), 180);
	json_decref(m);
	assert_int_equal(jcolibri_set_stage(f->c, "bad id", NULL), -EINVAL);
	/* lastN changes, the stage stays; then the stage goes (an empty list clears it) */
	assert_int_equal(jcolibri_set_last_n(f->c, 0), 0);
	m = next_constraints(f, 5000);
	assert_int_equal(json_integer_value(json_object_get(m, "lastN")), 0);
	assert_int_equal(json_array_size(json_object_get(m, "onStageSources")), 1);
	json_decref(m);
	assert_int_equal(jcolibri_set_last_n(f->c, -2), -EINVAL);
	assert_int_equal(jcolibri_set_stage(f->c, NULL, NULL), 0);
	m = next_constraints(f, 5000);
	assert_int_equal(json_array_size(json_object_get(m, "onStageSources")), 0);
	assert_int_equal(json_object_size(json_object_get(m, "constraints")), 0);
	json_decref(m);
	assert_int_equal(jcolibri_set_last_n(f->c, 1), 0);
	json_decref(next_constraints(f, 5000));
	assert_int_equal(jcolibri_set_stage(f->c, "9a93911b", "9a93911b-v0"), 0);
	json_decref(next_constraints(f, 5000));

	/* the bridge closes: reported, retried after 1 s, the stage sent again */
	gint64 t0 = g_get_monotonic_time();
	colibri_ws_cmd(b, "{\"close\":1001}");
	assert_true(run_until(f, got_closed1, 5000));
	assert_int_equal(f->retry_ms[0], 1000);
	assert_non_null(strstr(f->why, "bridge channel"));
	assert_null(strstr(f->why, "s3cret"));
	assert_false(jcolibri_is_open(f->c));
	e = colibri_ws_wait(b, "connect", 0, 5000);
	double gap = (g_get_monotonic_time() - t0) / 1e6;
	assert_int_equal(json_integer_value(json_object_get(e, "n")), 2);
	json_decref(e);
	assert_true(gap >= 0.9 && gap < 4.0);
	m = next_constraints(f, 5000);
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "onStageSources"), 0)),
			    "9a93911b-v0");
	json_decref(m);
	/* lost again at once (no close frame): the next wait doubles */
	colibri_ws_cmd(b, "{\"drop\":true}");
	assert_true(run_until(f, got_closed2, 5000));
	assert_int_equal(f->retry_ms[1], 2000);
	e = colibri_ws_wait(b, "connect", 0, 6000);
	assert_int_equal(json_integer_value(json_object_get(e, "n")), 3);
	json_decref(e);
	json_decref(next_constraints(f, 5000));
	printf("# reconnect after a close: %.2f s\n", gap);

	/* destroyed from inside its own callback: nothing follows, nothing leaks */
	f->destroy_in_dominant = true;
	colibri_ws_cmd(b, "{\"send\":{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
			  "\"dominantSpeakerEndpoint\":\"c0ffee01\"}}");
	colibri_ws_cmd(b, "{\"send\":{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
			  "\"dominantSpeakerEndpoint\":\"0badf00d\"}}");
	json_decref(colibri_ws_wait(b, "closed", 3, 5000));
	assert_null(f->c);
	assert_int_equal(f->dominants, 2);
	assert_string_equal(f->dominant, "c0ffee01");
	assert_int_equal(f->closeds, 2);
}

static void test_refused(void **state)
{
	struct fx *f = *state;
	struct jcolibri_params p = { .last_n = 1, .max_height = 180, .naming = JCOLIBRI_SOURCES };
	struct jcolibri *c = NULL;
	char url[256];
	assert_int_equal(jcolibri_create(f->ctx, f->ws, "https://x.example/colibri-ws/a", &p, &cbs, f,
					 &c), -EINVAL);
	assert_null(c);
	assert_int_equal(jcolibri_create(f->ctx, f->ws, "wss://x.example/colibri-ws/a", &p, &cbs, f,
					 &c), -EPROTONOSUPPORT);
	struct jcolibri_params q = p;
	q.max_height = -1;
	url_of(f, url, sizeof(url));
	assert_int_equal(jcolibri_create(f->ctx, f->ws, url, &q, &cbs, f, &c), -EINVAL);
	/* nobody listens: reported and retried, never fatal */
	snprintf(url, sizeof(url), "ws://127.0.0.1:1/colibri-ws/a/b/c?pwd=s3cret");
	assert_int_equal(jcolibri_create(f->ctx, f->ws, url, &p, &cbs, f, &f->c), 0);
	assert_true(run_until(f, got_closed1, 8000));
	assert_int_equal(f->retry_ms[0], 1000);
	assert_int_equal(f->opens, 0);
	assert_null(strstr(f->why, "s3cret"));
	printf("# refused connection: %s\n", f->why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
