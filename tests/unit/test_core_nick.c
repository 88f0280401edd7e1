/* Unit tests for session_set_name (src/session_nick.c): the checks a name goes through (as
 * --name's), the AudioBridge "configure" it sends, the RENAMED event once the server took it,
 * the old name back (and sent again) when it refuses, and the states that refuse a rename.
 * The session runs offline (session_offline_start) against a small fake Janus that answers
 * create, attach and the AudioBridge join (we are participant 5555) and keeps every other
 * plugin request open for the test to answer. No media, chat or video links (no cert). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <jansson.h>

#include "src/session.h"
#include "src/session_int.h"

struct fx {
	GMainContext *ctx;
	struct session *s;
	GQueue answers;            /* char*: messages to deliver */
	char open_txn[64];         /* the newest plugin request left open */
	char last_display[512];    /* of the newest "configure" */
	unsigned configures;
	uint64_t next_handle;
	struct { enum session_event_type type; char name[SESSION_NAME_MAX],
		 old[SESSION_NAME_MAX], msg[320]; bool self; uint64_t id; } ev[32];
	size_t n;
};

static void on_event(void *user, const struct session_event *ev)
{
	struct fx *f = user;
	if (f->n >= 32)
		return;
	f->ev[f->n].type = ev->type;
	f->ev[f->n].self = ev->self;
	f->ev[f->n].id = ev->id;
	snprintf(f->ev[f->n].name, sizeof(f->ev[0].name), "%s", ev->name ? ev->name : "");
	snprintf(f->ev[f->n].old, sizeof(f->ev[0].old), "%s", ev->old_name ? ev->old_name : "");
	snprintf(f->ev[f->n].msg, sizeof(f->ev[0].msg), "%s", ev->message ? ev->message : "");
	f->n++;
}

static void answer(struct fx *f, json_t *m)
{
	char *text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (text)
		g_queue_push_tail(&f->answers, text);
}

static int fake_send(void *user, const char *text, size_t len)
{
	struct fx *f = user;
	json_t *m = json_loadb(text, len, 0, NULL);
	const char *verb = json_string_value(json_object_get(m, "janus"));
	const char *txn = json_string_value(json_object_get(m, "transaction"));
	json_int_t handle = json_integer_value(json_object_get(m, "handle_id"));
	assert_non_null(verb);
	assert_non_null(txn);
	if (!strcmp(verb, "create") || !strcmp(verb, "attach")) {
		uint64_t id = !strcmp(verb, "create") ? 77 : f->next_handle++;
		answer(f, json_pack("{ss ss s{sI}}", "janus", "success", "transaction", txn, "data",
				    "id", (json_int_t)id));
	} else if (!strcmp(verb, "message")) {
		json_t *body = json_object_get(m, "body");
		const char *req = json_string_value(json_object_get(body, "request"));
		answer(f, json_pack("{ss ss}", "janus", "ack", "transaction", txn));
		if (req && !strcmp(req, "join")) {
			answer(f, json_pack("{ss ss sI s{ss s{ss sI sI s[]}}}", "janus", "event",
					    "transaction", txn, "sender", handle, "plugindata",
					    "plugin", "janus.plugin.audiobridge", "data",
					    "audiobridge", "joined", "room", (json_int_t)1234, "id",
					    (json_int_t)5555, "participants"));
		} else {
			if (req && !strcmp(req, "configure")) {
				f->configures++;
				snprintf(f->last_display, sizeof(f->last_display), "%s",
					 json_string_value(json_object_get(body, "display")));
			}
			snprintf(f->open_txn, sizeof(f->open_txn), "%s", txn);
		}
	} else {
		answer(f, json_pack("{ss ss}", "janus", "success", "transaction", txn));
	}
	json_decref(m);
	return 0;
}

static void drain(struct fx *f)
{
	for (int round = 0; round < 4; round++) {
		char *text;
		while ((text = g_queue_pop_head(&f->answers))) {
			session_offline_feed(f->s, text, strlen(text));
			free(text);
		}
		while (g_main_context_iteration(f->ctx, FALSE))
			;
	}
}

/* Answers the open configure: taken (err NULL) or refused with a plugin error. */
static void reply_configure(struct fx *f, const char *err)
{
	json_t *data = err ? json_pack("{ss si ss}", "audiobridge", "event", "error_code", 487,
				       "error", err)
			   : json_pack("{ss}", "audiobridge", "configured");
	answer(f, json_pack("{ss ss sI s{ss so}}", "janus", "event", "transaction", f->open_txn,
			    "sender", (json_int_t)1001, "plugindata", "plugin",
			    "janus.plugin.audiobridge", "data", data));
	drain(f);
}

static int setup(void **state)
{
	static struct fx f;
	memset(&f, 0, sizeof(f));
	f.ctx = g_main_context_new();
	f.next_handle = 1001;
	g_queue_init(&f.answers);
	/* the fake Janus is an AudioBridge: no room choice to make (src/janus/choose.c) */
	struct session_config cfg = { .url = "ws://127.0.0.1:9/", .room = 1234, .name = "alice",
				      .room_type = "audiobridge" };
	assert_int_equal(session_create(f.ctx, NULL, &cfg, on_event, &f, &f.s), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	session_leave(f->s, "user");
	for (int i = 0; i < 20 && !session_is_done(f->s); i++)
		drain(f);
	session_destroy(f->s);
	while (g_main_context_iteration(f->ctx, FALSE))
		;
	g_queue_clear_full(&f->answers, free);
	g_main_context_unref(f->ctx);
	return 0;
}

static void join(struct fx *f)
{
	assert_int_equal(session_offline_start(f->s, fake_send, f), 0);
	drain(f);
	assert_true(f->n > 0 && f->ev[f->n - 1].type == SESSION_EV_JOINED);
	assert_string_equal(f->ev[f->n - 1].name, "alice");
}

static void test_refused_before_joining(void **state)
{
	struct fx *f = *state;
	assert_int_equal(session_set_name(f->s, "zorro"), -ENOTCONN);
	assert_string_equal(session_name(f->s), "alice");
	assert_int_equal(f->configures, 0);
}

static void test_bad_names(void **state)
{
	struct fx *f = *state;
	char long_name[SESSION_NICK_MAX + 2];
	join(f);
	static const char *const bad[] = {
		"", " zorro", "zorro ", "zo  rro", "zo\x1b[31mrro", "zo\nrro", "zo\xffrro",
		"zo\xe2\x80\x8brro", /* a zero-width space */
		"zo\xf3\xa0\x80\xa1rro", /* a tag character (how claims are written) */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(session_set_name(f->s, bad[i]), -EINVAL);
	assert_int_equal(session_set_name(f->s, NULL), -EINVAL);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(session_set_name(f->s, long_name), -ENAMETOOLONG);
	long_name[SESSION_NICK_MAX] = '\0'; /* exactly the most */
	assert_int_equal(session_set_name(f->s, "alice"), -EALREADY);
	assert_int_equal(f->configures, 0);
	assert_string_equal(session_name(f->s), "alice");
	assert_int_equal(session_set_name(f->s, long_name), 0);
	assert_int_equal(f->configures, 1);
	assert_string_equal(f->last_display, long_name);
	assert_string_equal(session_name_error(-ENAMETOOLONG),
			    "the name is too long (at most 64 bytes)");
}

static void self_name_of(void *user, const struct session_participant *p)
{
	if (p->self)
		snprintf(user, SESSION_NAME_MAX, "%s", p->name);
}

static void test_rename_taken(void **state)
{
	struct fx *f = *state;
	join(f);
	size_t before = f->n;
	assert_int_equal(session_set_name(f->s, "Zorro de la Vega"), 0);
	assert_int_equal(f->configures, 1);
	assert_string_equal(f->last_display, "Zorro de la Vega");
	assert_int_equal(f->n, before); /* nothing until the server answers */
	assert_int_equal(session_set_name(f->s, "other"), -EBUSY);
	reply_configure(f, NULL);
	assert_int_equal(f->n, before + 1);
	assert_int_equal(f->ev[before].type, SESSION_EV_RENAMED);
	assert_true(f->ev[before].self);
	assert_int_equal(f->ev[before].id, 5555);
	assert_string_equal(f->ev[before].name, "Zorro de la Vega");
	assert_string_equal(f->ev[before].old, "alice");
	assert_string_equal(session_name(f->s), "Zorro de la Vega");
	/* our roster entry has the new name */
	char self_name[SESSION_NAME_MAX] = "";
	session_foreach_participant(f->s, self_name_of, self_name);
	assert_string_equal(self_name, "Zorro de la Vega");
}

static void test_rename_refused(void **state)
{
	struct fx *f = *state;
	join(f);
	size_t before = f->n;
	assert_int_equal(session_set_name(f->s, "zorro"), 0);
	reply_configure(f, "Invalid element (display)");
	assert_int_equal(f->n, before + 1);
	assert_int_equal(f->ev[before].type, SESSION_EV_NOTICE);
	assert_non_null(strstr(f->ev[before].msg, "refused the name \"zorro\""));
	assert_string_equal(session_name(f->s), "alice");
	/* the old display is sent again: a claim sent meanwhile had the new name */
	assert_int_equal(f->configures, 2);
	assert_string_equal(f->last_display, "alice");
	/* and a new rename is possible */
	assert_int_equal(session_set_name(f->s, "zorro"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_before_joining, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
