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

struct fx {
	GMainLoop *loop;
	GMainContext *ctx;
	struct ws_ctx *ws;
	GPid pid;
	int in_fd;             /* the server's stdin */
	GIOChannel *out;       /* the server's stdout */
	GString *partial;
	GQueue events;         /* json_t* lines from the server */
	int port;
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

static gboolean on_out(GIOChannel *ch, GIOCondition cond, gpointer data)
{
	struct fx *f = data;
	char buf[4096];
	ssize_t n = read(g_io_channel_unix_get_fd(ch), buf, sizeof(buf));
	if (n <= 0)
		return G_SOURCE_REMOVE;
	g_string_append_len(f->partial, buf, n);
	char *nl;
	while ((nl = strchr(f->partial->str, '\n'))) {
		*nl = '\0';
		json_t *j = json_loads(f->partial->str, 0, NULL);
		if (j)
			g_queue_push_tail(&f->events, j);
		g_string_erase(f->partial, 0, nl - f->partial->str + 1);
	}
	return G_SOURCE_CONTINUE;
}

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

static const char *want_event;
static json_int_t want_n; /* 0: any connection */
static json_t *found;

static bool has_event(struct fx *f)
{
	for (GList *l = f->events.head; l; l = l->next) {
		const char *e = json_string_value(json_object_get(l->data, "event"));
		if (e && !strcmp(e, want_event) &&
		    (!want_n || json_integer_value(json_object_get(l->data, "n")) == want_n)) {
			found = l->data;
			g_queue_delete_link(&f->events, l);
			return true;
		}
	}
	return false;
}

/* The next server event of that kind (the caller decrefs), failing after timeout_ms. */
static json_t *next_event(struct fx *f, const char *kind, int timeout_ms)
{
	want_event = kind;
	want_n = 0;
	found = NULL;
	if (!run_until(f, has_event, timeout_ms))
		fail_msg("no '%s' event from the stand-in bridge within %d ms", kind, timeout_ms);
	return found;
}

static void server_cmd(struct fx *f, const char *line)
{
	size_t n = strlen(line);
	assert_int_equal(write(f->in_fd, line, n), (ssize_t)n);
	assert_int_equal(write(f->in_fd, "\n", 1), 1);
}

static void start_server(struct fx *f)
{
	char *argv[] = { "python3", TTM_SOURCE_DIR "/tests/lab/colibri_ws.py", NULL };
	int out_fd;
	GError *err = NULL;
	gboolean ok = g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
					       &f->pid, &f->in_fd, &out_fd, NULL, &err);
	if (!ok)
		fail_msg("cannot start the stand-in bridge: %s", err->message);
	/* the first line: PORT n */
	char line[64];
	size_t n = 0;
	while (n < sizeof(line) - 1 && read(out_fd, line + n, 1) == 1 && line[n] != '\n')
		n++;
	line[n] = '\0';
	assert_int_equal(sscanf(line, "PORT %d", &f->port), 1);
	f->out = g_io_channel_unix_new(out_fd);
	g_io_channel_set_close_on_unref(f->out, TRUE);
	GSource *s = g_io_create_watch(f->out, G_IO_IN | G_IO_HUP);
	g_source_set_callback(s, (GSourceFunc)(void (*)(void))on_out, f, NULL);
	g_source_attach(s, f->ctx);
	g_source_unref(s);
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
	f->partial = g_string_new("");
	g_queue_init(&f->events);
	GSource *t = g_timeout_source_new(20); /* wakes the loop for the deadlines */
	g_source_set_callback(t, tick, NULL, NULL);
	g_source_attach(t, f->ctx);
	g_source_unref(t);
	assert_int_equal(ws_ctx_create(f->loop, false, &f->ws), 0);
	start_server(f);
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
	kill(f->pid, SIGTERM);
	g_spawn_close_pid(f->pid);
	close(f->in_fd);
	ws_ctx_destroy(f->ws);
	g_io_channel_unref(f->out);
	json_t *j;
	while ((j = g_queue_pop_head(&f->events)))
		json_decref(j);
	g_string_free(f->partial, TRUE);
	g_main_loop_unref(f->loop);
	g_main_context_pop_thread_default(f->ctx);
	g_main_context_unref(f->ctx);
	free(f);
	return 0;
}

static void url_of(struct fx *f, char *url, size_t n)
{
	snprintf(url, n, "ws://127.0.0.1:%d/colibri-ws/default-id/4f9cb343/ep01?pwd=s3cret", f->port);
}

/* The client's next message, which must be ReceiverVideoConstraints. */
static json_t *next_constraints(struct fx *f, int timeout_ms)
{
	json_t *e = next_event(f, "recv", timeout_ms);
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
	char url[256];
	url_of(f, url, sizeof(url));
	struct jcolibri_params p = { .last_n = 1, .max_height = 180, .naming = JCOLIBRI_SOURCES };
	assert_int_equal(jcolibri_create(f->ctx, f->ws, url, &p, &cbs, f, &f->c), 0);
	assert_false(jcolibri_is_open(f->c));

	/* the handshake: the URL's path and query, no subprotocol */
	json_t *e = next_event(f, "connect", 5000);
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
	server_cmd(f, "{\"send_text\":\"not json at all\"}");
	server_cmd(f, "{\"send\":{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
		      "\"dominantSpeakerEndpoint\":\"\\u001b[2J\\u001b]0;pwned\\u0007\"}}");
	server_cmd(f, "{\"send\":{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\"}}");
	server_cmd(f, "{\"send\":{\"colibriClass\":\"EndpointMessage\",\"from\":\"x\",\"to\":\"\","
		      "\"msgPayload\":{\"a\":1}}}");
	/* a participant's 100 KB message relayed by the bridge: over what we read, ignored, the
	 * channel stays */
	GString *big = g_string_new("{\"send_text\":\"{\\\"colibriClass\\\":\\\"EndpointMessage\\\","
				    "\\\"pad\\\":\\\"");
	for (int i = 0; i < 100000; i++)
		g_string_append_c(big, 'x');
	g_string_append(big, "\\\"}\"}");
	server_cmd(f, big->str);
	g_string_free(big, TRUE);
	server_cmd(f, "{\"send\":{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
		      "\"dominantSpeakerEndpoint\":\"9a93911b\",\"previousSpeakers\":[],"
		      "\"silence\":false}}");
	assert_true(run_until(f, got_dominant, 5000));
	assert_int_equal(f->dominants, 1);
	assert_string_equal(f->dominant, "9a93911b");
	assert_false(f->silence);
	assert_int_equal(jcolibri_invalid_count(f->c), 4);
	assert_int_equal(f->closeds, 0);
	assert_string_equal(jcolibri_server_version(f->c), "standin-1");

	server_cmd(f, "{\"send\":{\"colibriClass\":\"EndpointConnectivityStatusChangeEvent\","
		      "\"endpoint\":\"c0ffee01\",\"active\":\"false\"}}");
	server_cmd(f, "{\"send\":{\"colibriClass\":\"ForwardedSources\","
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
	server_cmd(f, "{\"close\":1001}");
	assert_true(run_until(f, got_closed1, 5000));
	assert_int_equal(f->retry_ms[0], 1000);
	assert_non_null(strstr(f->why, "bridge channel"));
	assert_null(strstr(f->why, "s3cret"));
	assert_false(jcolibri_is_open(f->c));
	e = next_event(f, "connect", 5000);
	double gap = (g_get_monotonic_time() - t0) / 1e6;
	assert_int_equal(json_integer_value(json_object_get(e, "n")), 2);
	json_decref(e);
	assert_true(gap >= 0.9 && gap < 4.0);
	m = next_constraints(f, 5000);
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "onStageSources"), 0)),
			    "9a93911b-v0");
	json_decref(m);
	/* lost again at once (no close frame): the next wait doubles */
	server_cmd(f, "{\"drop\":true}");
	assert_true(run_until(f, got_closed2, 5000));
	assert_int_equal(f->retry_ms[1], 2000);
	e = next_event(f, "connect", 6000);
	assert_int_equal(json_integer_value(json_object_get(e, "n")), 3);
	json_decref(e);
	json_decref(next_constraints(f, 5000));
	printf("# reconnect after a close: %.2f s\n", gap);

	/* destroyed from inside its own callback: nothing follows, nothing leaks */
	f->destroy_in_dominant = true;
	server_cmd(f, "{\"send\":{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
		      "\"dominantSpeakerEndpoint\":\"c0ffee01\"}}");
	server_cmd(f, "{\"send\":{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
		      "\"dominantSpeakerEndpoint\":\"0badf00d\"}}");
	want_event = "closed";
	want_n = 3;
	found = NULL;
	assert_true(run_until(f, has_event, 5000));
	json_decref(found);
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
