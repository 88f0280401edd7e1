/* Unit tests for the Janus API layer (net/janus.c): transactions in either ack/event order,
 * error mapping (core and plugin), event parsing, hostile messages, timeouts, keepalive.
 * The transport is a capture buffer; the server's answers are fed in by hand. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/janus.h"

struct fx {
	GMainContext *ctx;
	struct janus *j;
	GPtrArray *sent;   /* json_t* of every request sent */
	int replies;
	struct janus_reply last;
	char last_reason[256];
	char last_kind[32];  /* audiobridge kind of the last reply data */
	int events;
	enum janus_event_kind last_event;
	uint64_t last_handle;
	int protocol_errors;
	char protocol_why[256];
	int deads, dead_err;
	char dead_why[256];
	int undelivered; /* what the transport reports as not yet acknowledged */
};

static int cap_send(void *user, const char *text, size_t len)
{
	struct fx *f = user;
	json_t *m = json_loadb(text, len, 0, NULL);
	assert_non_null(m);
	g_ptr_array_add(f->sent, m);
	return 0;
}

static void cap_event(void *user, const struct janus_event *ev)
{
	struct fx *f = user;
	f->events++;
	f->last_event = ev->kind;
	f->last_handle = ev->handle;
}

static void cap_protocol_error(void *user, int err, const char *why)
{
	struct fx *f = user;
	f->protocol_errors++;
	snprintf(f->protocol_why, sizeof(f->protocol_why), "%s", why);
}

static void cap_reply(void *user, const struct janus_reply *r)
{
	struct fx *f = user;
	f->replies++;
	f->last = *r;
	snprintf(f->last_reason, sizeof(f->last_reason), "%s", r->reason ? r->reason : "");
	const char *k = r->data ? json_string_value(json_object_get(r->data, "audiobridge")) : NULL;
	snprintf(f->last_kind, sizeof(f->last_kind), "%s", k ? k : "");
	f->last.data = NULL; /* borrowed: not valid after the callback */
	f->last.jsep = r->jsep ? (json_t *)1 : NULL;
}

static void cap_dead(void *user, int err, const char *why)
{
	struct fx *f = user;
	f->deads++;
	f->dead_err = err;
	snprintf(f->dead_why, sizeof(f->dead_why), "%s", why);
}

static int cap_undelivered(void *user)
{
	return ((struct fx *)user)->undelivered;
}

static const struct janus_ops ops = { cap_send, cap_event, cap_protocol_error, cap_dead,
				      cap_undelivered };

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->ctx = g_main_context_new();
	f->sent = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
	assert_int_equal(janus_create(f->ctx, &ops, f, &f->j), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	janus_destroy(f->j);
	g_ptr_array_free(f->sent, TRUE);
	g_main_context_unref(f->ctx);
	free(f);
	return 0;
}

static json_t *last_sent(struct fx *f)
{
	assert_true(f->sent->len > 0);
	return f->sent->pdata[f->sent->len - 1];
}

static const char *last_txn(struct fx *f)
{
	return json_string_value(json_object_get(last_sent(f), "transaction"));
}

static void feed(struct fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void feed(struct fx *f, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	janus_handle_message(f->j, buf, strlen(buf));
}

/* Creates a session with id 77 and a handle with id 88. */
static void open_session(struct fx *f)
{
	assert_int_equal(janus_create_session(f->j, cap_reply, f), 0);
	assert_string_equal(json_string_value(json_object_get(last_sent(f), "janus")), "create");
	feed(f, "{\"janus\":\"success\",\"transaction\":\"%s\",\"data\":{\"id\":77}}", last_txn(f));
	assert_int_equal(f->replies, 1);
	assert_int_equal(f->last.err, 0);
	assert_int_equal(f->last.id, 77);
	assert_int_equal(janus_session_id(f->j), 77);
	assert_int_equal(janus_attach(f->j, "janus.plugin.audiobridge", cap_reply, f), 0);
	json_t *m = last_sent(f);
	assert_string_equal(json_string_value(json_object_get(m, "plugin")),
			    "janus.plugin.audiobridge");
	assert_int_equal(json_integer_value(json_object_get(m, "session_id")), 77);
	feed(f, "{\"janus\":\"success\",\"session_id\":77,\"transaction\":\"%s\",\"data\":{\"id\":88}}",
	     last_txn(f));
	assert_int_equal(f->replies, 2);
	assert_int_equal(f->last.id, 88);
	f->replies = 0;
}

static void test_create_attach(void **state)
{
	open_session(*state);
}

static void test_transactions_unique(void **state)
{
	struct fx *f = *state;
	open_session(f);
	for (int i = 0; i < 20; i++)
		janus_message(f->j, 88, json_pack("{ss}", "request", "list"), NULL, cap_reply, f);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < f->sent->len; i++) {
		const char *t = json_string_value(json_object_get(f->sent->pdata[i], "transaction"));
		assert_non_null(t);
		assert_false(g_hash_table_contains(seen, t));
		g_hash_table_add(seen, (gpointer)t);
	}
	g_hash_table_destroy(seen);
}

static void test_ack_then_event(void **state)
{
	struct fx *f = *state;
	open_session(f);
	json_t *jsep = json_pack("{ss ss}", "type", "offer", "sdp", "v=0");
	janus_message(f->j, 88, json_pack("{ss si}", "request", "join", "room", 1234), jsep, cap_reply,
		      f);
	json_t *m = last_sent(f);
	assert_int_equal(json_integer_value(json_object_get(m, "handle_id")), 88);
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "jsep"), "type")),
			    "offer");
	char txn[64];
	snprintf(txn, sizeof(txn), "%s", last_txn(f));
	feed(f, "{\"janus\":\"ack\",\"session_id\":77,\"transaction\":\"%s\"}", txn);
	assert_int_equal(f->replies, 0); /* an ack is not the answer */
	feed(f, "{\"janus\":\"event\",\"session_id\":77,\"transaction\":\"%s\",\"sender\":88,"
		"\"plugindata\":{\"plugin\":\"janus.plugin.audiobridge\",\"data\":{\"audiobridge\":"
		"\"joined\",\"room\":1234,\"id\":5}},\"jsep\":{\"type\":\"answer\",\"sdp\":\"v=0\"}}",
	     txn);
	assert_int_equal(f->replies, 1);
	assert_int_equal(f->last.err, 0);
	assert_string_equal(f->last_kind, "joined");
	assert_non_null(f->last.jsep);
	assert_int_equal(f->events, 0);
}

static void test_event_then_ack(void **state)
{
	struct fx *f = *state;
	open_session(f);
	janus_message(f->j, 88, json_pack("{ss}", "request", "configure"), NULL, cap_reply, f);
	char txn[64];
	snprintf(txn, sizeof(txn), "%s", last_txn(f));
	feed(f, "{\"janus\":\"event\",\"session_id\":77,\"transaction\":\"%s\",\"sender\":88,"
		"\"plugindata\":{\"plugin\":\"x\",\"data\":{\"audiobridge\":\"event\",\"result\":\"ok\"}}}",
	     txn);
	assert_int_equal(f->replies, 1);
	feed(f, "{\"janus\":\"ack\",\"session_id\":77,\"transaction\":\"%s\"}", txn);
	assert_int_equal(f->replies, 1); /* the late ack changes nothing */
	assert_int_equal(f->events, 0);
	assert_int_equal(f->protocol_errors, 0);
}

static void test_plugin_error(void **state)
{
	struct fx *f = *state;
	open_session(f);
	janus_message(f->j, 88, json_pack("{ss}", "request", "join"), NULL, cap_reply, f);
	feed(f, "{\"janus\":\"success\",\"transaction\":\"%s\",\"plugindata\":{\"plugin\":\"x\","
		"\"data\":{\"audiobridge\":\"event\",\"error_code\":485,\"error\":\"No such room (9)\"}}}",
	     last_txn(f));
	assert_int_equal(f->replies, 1);
	assert_int_equal(f->last.err, -EREMOTEIO);
	assert_int_equal(f->last.code, 485);
	assert_string_equal(f->last_reason, "No such room (9)");
}

static void test_core_error(void **state)
{
	struct fx *f = *state;
	open_session(f);
	janus_detach(f->j, 1, cap_reply, f);
	feed(f, "{\"janus\":\"error\",\"session_id\":77,\"transaction\":\"%s\",\"error\":{\"code\":459,"
		"\"reason\":\"No such handle 1\"}}", last_txn(f));
	assert_int_equal(f->last.err, -EPROTO);
	assert_int_equal(f->last.code, 459);
	assert_string_equal(f->last_reason, "No such handle 1");
	/* A code without reason falls back to our text. */
	janus_detach(f->j, 1, cap_reply, f);
	feed(f, "{\"janus\":\"error\",\"transaction\":\"%s\",\"error\":{\"code\":458}}", last_txn(f));
	assert_string_equal(f->last_reason, "session not found");
	assert_string_equal(janus_error_text(403),
			    "unauthorized request (wrong or missing secret/token)");
	assert_string_equal(janus_error_text(12345), "");
}

static void test_unsolicited_events(void **state)
{
	struct fx *f = *state;
	open_session(f);
	feed(f, "{\"janus\":\"event\",\"session_id\":77,\"sender\":88,\"plugindata\":{\"plugin\":\"x\","
		"\"data\":{\"audiobridge\":\"event\",\"leaving\":5}}}");
	assert_int_equal(f->events, 1);
	assert_int_equal(f->last_event, JANUS_EV_PLUGIN);
	assert_int_equal(f->last_handle, 88);
	feed(f, "{\"janus\":\"webrtcup\",\"session_id\":77,\"sender\":88}");
	assert_int_equal(f->last_event, JANUS_EV_WEBRTCUP);
	feed(f, "{\"janus\":\"hangup\",\"session_id\":77,\"sender\":88,\"reason\":\"ICE failed\"}");
	assert_int_equal(f->last_event, JANUS_EV_HANGUP);
	feed(f, "{\"janus\":\"timeout\",\"session_id\":12}"); /* someone else's session */
	assert_int_equal(f->events, 3);
	feed(f, "{\"janus\":\"timeout\",\"session_id\":77}");
	assert_int_equal(f->events, 4);
	assert_int_equal(f->last_event, JANUS_EV_TIMEOUT);
	feed(f, "{\"janus\":\"server_info\",\"name\":\"x\"}"); /* harmless, ignored */
	feed(f, "{\"janus\":\"something-new\"}");
	assert_int_equal(f->events, 4);
	assert_int_equal(f->protocol_errors, 0);
}

static void test_hostile_messages(void **state)
{
	struct fx *f = *state;
	open_session(f);
	static const char *bad[] = {
		"not json at all",
		"",
		"[1,2,3]",
		"{\"janus\":5}",
		"{\"transaction\":\"x\"}",
		"{\"janus\":\"success\",\"transaction\":17}",
		"{\"janus\":\"event\",\"sender\":\"88\",\"plugindata\":{\"data\":{}}}",
		"{\"janus\":\"event\",\"sender\":88,\"plugindata\":{\"data\":[]}}",
		"{\"janus\":\"event\",\"sender\":88,\"plugindata\":7}",
		"{\"janus\":\"event\",\"sender\":88}",
		"{\"janus\":\"ack\",\"janus\":\"ack\"}",
		"{\"janus\":\"error\",\"error\":{\"code\":1}}",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		int before = f->protocol_errors;
		assert_true(janus_handle_message(f->j, bad[i], strlen(bad[i])) < 0);
		assert_int_equal(f->protocol_errors, before + 1);
	}
	/* 100000 nested arrays: refused by the parser's depth limit, no stack overflow. */
	size_t n = 100000;
	char *deep = malloc(2 * n + 1);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = 0;
	assert_true(janus_handle_message(f->j, deep, 2 * n) < 0);
	free(deep);
	/* A wrong-typed id in a reply fails the request and reports the protocol error. */
	janus_attach(f->j, "janus.plugin.textroom", cap_reply, f);
	feed(f, "{\"janus\":\"success\",\"transaction\":\"%s\",\"data\":{\"id\":\"notanumber\"}}",
	     last_txn(f));
	assert_int_equal(f->last.err, -EPROTO);
	assert_true(strstr(f->protocol_why, "attach") != NULL);
	/* A wrong-typed error_code likewise. */
	janus_message(f->j, 88, json_pack("{ss}", "request", "x"), NULL, cap_reply, f);
	feed(f, "{\"janus\":\"success\",\"transaction\":\"%s\",\"plugindata\":{\"data\":"
		"{\"error_code\":\"485\"}}}", last_txn(f));
	assert_int_equal(f->last.err, -EPROTO);
	assert_int_equal(f->events, 0);
}

static void test_fail_pending(void **state)
{
	struct fx *f = *state;
	open_session(f);
	janus_message(f->j, 88, json_pack("{ss}", "request", "a"), NULL, cap_reply, f);
	janus_message(f->j, 88, json_pack("{ss}", "request", "b"), NULL, cap_reply, f);
	janus_fail_pending(f->j, -ECONNRESET, "gone");
	assert_int_equal(f->replies, 2);
	assert_int_equal(f->last.err, -ECONNRESET);
	/* Nothing left to answer. */
	janus_fail_pending(f->j, -ECONNRESET, "gone");
	assert_int_equal(f->replies, 2);
}

static void test_forget(void **state)
{
	struct fx *f = *state;
	open_session(f);
	janus_message(f->j, 88, json_pack("{ss}", "request", "a"), NULL, cap_reply, f);
	janus_forget(f->j, f);
	janus_fail_pending(f->j, -ECONNRESET, "gone");
	assert_int_equal(f->replies, 0);
}

static void iterate_for(GMainContext *ctx, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	while (g_get_monotonic_time() < end)
		g_main_context_iteration(ctx, FALSE), g_usleep(5000);
}

static void test_request_timeout(void **state)
{
	struct fx *f = *state;
	janus_set_timers(f->j, 300, 0, 0);
	janus_create_session(f->j, cap_reply, f);
	iterate_for(f->ctx, 150);
	assert_int_equal(f->replies, 0);
	iterate_for(f->ctx, 900);
	assert_int_equal(f->replies, 1);
	assert_int_equal(f->last.err, -ETIMEDOUT);
}

static void test_keepalive(void **state)
{
	struct fx *f = *state;
	/* The default period stays well inside Janus' default session_timeout (60 s): at least
	 * two keepalives per timeout, the ratio integ_keepalive tests with shorter times. */
	assert_true(JANUS_KEEPALIVE_MS * 2 < 60000);
	janus_set_timers(f->j, 0, 200, 0);
	open_session(f);
	guint before = f->sent->len;
	iterate_for(f->ctx, 700);
	int keepalives = 0;
	for (guint i = before; i < f->sent->len; i++) {
		json_t *m = f->sent->pdata[i];
		if (!strcmp(json_string_value(json_object_get(m, "janus")), "keepalive")) {
			keepalives++;
			assert_int_equal(json_integer_value(json_object_get(m, "session_id")), 77);
		}
	}
	assert_in_range(keepalives, 2, 4);
	/* After the session is gone, no more keepalives. */
	janus_reset_session(f->j);
	before = f->sent->len;
	iterate_for(f->ctx, 500);
	assert_int_equal(f->sent->len, before);
}

/* Counts the keepalives sent from index from on, and answers each with ack when answer. */
static int keepalives_since(struct fx *f, guint from, bool answer)
{
	int n = 0;
	for (guint i = from; i < f->sent->len; i++) {
		json_t *m = f->sent->pdata[i];
		if (strcmp(json_string_value(json_object_get(m, "janus")), "keepalive"))
			continue;
		n++;
		if (answer)
			feed(f, "{\"janus\":\"ack\",\"session_id\":77,\"transaction\":\"%s\"}",
			     json_string_value(json_object_get(m, "transaction")));
	}
	return n;
}

/* Runs the loop for n x 100 ms, answering every keepalive sent from index from on. */
static void answer_keepalives(struct fx *f, guint from, int n)
{
	for (int i = 0; i < n; i++) {
		iterate_for(f->ctx, 100);
		keepalives_since(f, from, true);
		from = f->sent->len;
	}
}

/* The server goes silent: the session is reported dead once, by the keepalive, within
 * keepalive (0.2 s) + answer time (0.4 s) + sweep (0.6 s). */
static void expect_dead_by_keepalive(struct fx *f)
{
	gint64 t0 = g_get_monotonic_time();
	while (!f->deads && g_get_monotonic_time() - t0 < 3 * G_USEC_PER_SEC)
		iterate_for(f->ctx, 20);
	assert_int_equal(f->deads, 1);
	assert_true(g_get_monotonic_time() - t0 <= 1500 * 1000);
	assert_int_equal(f->dead_err, -ETIMEDOUT);
	assert_non_null(strstr(f->dead_why, "keepalive"));
}

/* Answered keepalives keep the session; one unanswered past its deadline reports the session
 * dead once, and keepalives stop. */
static void test_keepalive_unanswered(void **state)
{
	struct fx *f = *state;
	janus_set_timers(f->j, 0, 200, 400);
	open_session(f);
	answer_keepalives(f, f->sent->len, 12); /* 1.2 s of answered keepalives */
	assert_int_equal(f->deads, 0);
	expect_dead_by_keepalive(f);
	assert_int_equal(janus_session_id(f->j), 0);
	guint before = f->sent->len;
	iterate_for(f->ctx, 1200);
	assert_int_equal(keepalives_since(f, before, false), 0);
	assert_int_equal(f->deads, 1);
}

/* An overdue answer to a keepalive that never reached the server's host (the path is down, a
 * hung server's kernel would have acknowledged it): keepalives go on and the session is kept;
 * when the path is back and an answer comes, all is well. */
static void test_keepalive_outage_waits(void **state)
{
	struct fx *f = *state;
	janus_set_timers(f->j, 0, 200, 400);
	open_session(f);
	iterate_for(f->ctx, 300);
	keepalives_since(f, 0, true);
	f->undelivered = 120; /* the link goes down */
	guint from = f->sent->len;
	iterate_for(f->ctx, 2500); /* far past keepalive + answer time */
	assert_int_equal(f->deads, 0);
	assert_int_equal(janus_session_id(f->j), 77);
	int retries = keepalives_since(f, from, false);
	assert_in_range(retries, 2, 8); /* one per answer time, no pile-up */
	f->undelivered = 0; /* back: TCP delivers, Janus answers the last one */
	keepalives_since(f, f->sent->len - 1, true);
	answer_keepalives(f, f->sent->len, 10); /* the regular rhythm again */
	assert_int_equal(f->deads, 0);
	expect_dead_by_keepalive(f); /* a reachable, silent server is still found out at once */
}

/* An outage longer than the limit ends the session, with words a person understands. */
static void test_keepalive_outage_limit(void **state)
{
	struct fx *f = *state;
	janus_set_timers(f->j, 0, 200, 400);
	janus_set_outage_limit(f->j, 1500);
	open_session(f);
	f->undelivered = 1;
	gint64 t0 = g_get_monotonic_time();
	while (!f->deads && g_get_monotonic_time() - t0 < 5 * G_USEC_PER_SEC)
		iterate_for(f->ctx, 20);
	assert_int_equal(f->deads, 1);
	assert_true(g_get_monotonic_time() - t0 >= 1300 * 1000);
	assert_true(g_get_monotonic_time() - t0 <= 3000 * 1000);
	assert_int_equal(f->dead_err, -ETIMEDOUT);
	assert_non_null(strstr(f->dead_why, "lost contact with the server"));
	assert_int_equal(janus_session_id(f->j), 0);
}

/* "session not found" in answer to a keepalive: the server forgot us (restarted, expired). */
static void test_keepalive_session_gone(void **state)
{
	struct fx *f = *state;
	janus_set_timers(f->j, 0, 100, 0);
	open_session(f);
	guint before = f->sent->len;
	while (!keepalives_since(f, before, false))
		iterate_for(f->ctx, 20);
	json_t *m = last_sent(f);
	feed(f, "{\"janus\":\"error\",\"session_id\":77,\"transaction\":\"%s\","
		"\"error\":{\"code\":458,\"reason\":\"No such session 77\"}}",
	     json_string_value(json_object_get(m, "transaction")));
	assert_int_equal(f->deads, 1);
	assert_int_equal(f->dead_err, -ENOENT);
	assert_int_equal(janus_session_id(f->j), 0);
	/* A transport drop is not reported here: the transport's owner knows it already. */
	janus_fail_pending(f->j, -ECONNRESET, "gone");
	assert_int_equal(f->deads, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions_unique, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_then_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_then_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plugin_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_core_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsolicited_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_unanswered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_outage_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_outage_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_session_gone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
