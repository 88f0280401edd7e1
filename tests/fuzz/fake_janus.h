/* The fake Janus the session fuzz targets share (tests/fuzz/fuzz_core_janus.c: an AudioBridge,
 * fuzz_core_janus_vr.c: a VideoRoom): its state, the checks on every event the session hands
 * its client (terminal-safe strings, clean_event.h), the answer queue delivered from the
 * loop, and the feeding of an input message with "$H" placeholders, what a well-behaved server
 * answers (fake_send) and the run of one input (fake_run). A target gives the plugin data of
 * its meeting's join answer (struct fake's joined) and its session's configuration.
 * Header-only: one target per program.
 */
#ifndef TTM_TESTS_FUZZ_FAKE_JANUS_H
#define TTM_TESTS_FUZZ_FAKE_JANUS_H

#include <glib.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/session.h"
#include "src/session_int.h"
#include "tests/fuzz/clean_event.h"

#define MAX_ANSWERS 2000 /* per input: a ping-pong between fake and session must end */

struct fake {
	struct session *s;
	GQueue answers;   /* char*: messages to deliver from the loop */
	GPtrArray *open;  /* char*: "handle txn" of plugin requests acked but not answered */
	uint64_t next_handle, ab_handle; /* ab_handle: the meeting handle (the first attach) */
	unsigned answered;
	json_t *(*joined)(void); /* the plugindata of the meeting handle's join answer */
};

static void answer(struct fake *f, json_t *m)
{
	char *text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (text)
		g_queue_push_tail(&f->answers, text);
}

static json_t *reply(const char *kind, const char *txn)
{
	return json_pack("{ss ss}", "janus", kind, "transaction", txn);
}

static void drain(struct fake *f, GMainContext *ctx)
{
	for (int round = 0; round < 4; round++) {
		char *text;
		while (f->answered < MAX_ANSWERS && (text = g_queue_pop_head(&f->answers))) {
			f->answered++;
			session_offline_feed(f->s, text, strlen(text));
			free(text);
		}
		while (g_main_context_iteration(ctx, FALSE))
			;
	}
}

/* The newest open transaction on handle h, or "none". */
static const char *open_txn(const struct fake *f, const char *h, size_t hlen)
{
	for (guint i = f->open->len; i-- > 0;) {
		const char *e = f->open->pdata[i];
		if (!strncmp(e, h, hlen) && e[hlen] == ' ')
			return e + hlen + 1;
	}
	return "none";
}

/* Feeds one input message with every "$H" replaced by the newest open transaction of H. */
static void feed(struct fake *f, const char *msg, size_t len)
{
	GString *g = g_string_sized_new(len + 32);
	for (size_t i = 0; i < len; i++) {
		size_t k = i + 2;
		if (i + 2 < len && msg[i] == '"' && msg[i + 1] == '$') {
			while (k < len && k - i < 24 && msg[k] >= '0' && msg[k] <= '9')
				k++;
			if (k < len && msg[k] == '"' && k > i + 2) {
				g_string_append_printf(g, "\"%s\"", open_txn(f, msg + i + 2, k - i - 2));
				i = k;
				continue;
			}
		}
		g_string_append_c(g, msg[i]);
	}
	session_offline_feed(f->s, g->str, g->len);
	g_string_free(g, TRUE);
}

/* The fake Janus: what a well-behaved server answers, queued for the loop. It answers create,
 * attach (handles next_handle, next_handle + 1, ... in attach order; the first is the meeting
 * handle), keepalive, trickle, hangup, detach, destroy and the meeting handle's join; every
 * other plugin request is acked and left open for the input to answer ("$H"). */
static int fake_send(void *user, const char *text, size_t len)
{
	struct fake *f = user;
	json_t *m = json_loadb(text, len, 0, NULL);
	const char *verb = json_string_value(json_object_get(m, "janus"));
	const char *txn = json_string_value(json_object_get(m, "transaction"));
	json_int_t handle = json_integer_value(json_object_get(m, "handle_id"));
	if (!verb || !txn)
		abort(); /* the session itself must speak the protocol */
	if (!strcmp(verb, "create") || !strcmp(verb, "attach")) {
		json_t *r = reply("success", txn);
		uint64_t id = !strcmp(verb, "create") ? 77 : f->next_handle++;
		if (!f->ab_handle && !strcmp(verb, "attach"))
			f->ab_handle = id;
		json_object_set_new(r, "data", json_pack("{sI}", "id", (json_int_t)id));
		answer(f, r);
	} else if (!strcmp(verb, "keepalive") || !strcmp(verb, "trickle")) {
		answer(f, reply("ack", txn));
	} else if (!strcmp(verb, "hangup") || !strcmp(verb, "detach") ||
		   !strcmp(verb, "destroy")) {
		answer(f, reply("success", txn));
	} else if (!strcmp(verb, "message")) {
		const char *req = json_string_value(
			json_object_get(json_object_get(m, "body"), "request"));
		answer(f, reply("ack", txn));
		if ((uint64_t)handle == f->ab_handle && req && !strcmp(req, "join")) {
			json_t *ev = reply("event", txn);
			json_object_set_new(ev, "sender", json_integer(handle));
			json_object_set_new(ev, "plugindata", f->joined());
			answer(f, ev);
		} else {
			g_ptr_array_add(f->open, g_strdup_printf("%" JSON_INTEGER_FORMAT " %s",
								  handle, txn));
		}
	}
	json_decref(m);
	return 0;
}

/* One input: a session with cfg joins the fake (handles from 1001), gets the input's
 * NUL-separated messages fed in order from the loop, leaves and is destroyed. */
static void fake_run(GMainContext *ctx, const struct session_config *cfg,
		     json_t *(*joined)(void), const uint8_t *data, size_t size)
{
	struct fake f = { .next_handle = 1001, .joined = joined };
	g_queue_init(&f.answers);
	f.open = g_ptr_array_new_with_free_func(g_free);
	if (session_create(ctx, NULL, cfg, clean_event_cb, &f, &f.s) < 0)
		abort();
	if (session_offline_start(f.s, fake_send, &f) < 0)
		abort();
	drain(&f, ctx); /* joined: chat and video links attach */

	const char *in = (const char *)data;
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i])
			continue;
		feed(&f, in + start, i - start);
		drain(&f, ctx);
		start = i + 1;
	}
	session_leave(f.s, "user");
	for (int i = 0; i < 20 && !session_is_done(f.s); i++)
		drain(&f, ctx);
	session_destroy(f.s);
	while (g_main_context_iteration(ctx, FALSE))
		;
	g_queue_clear_full(&f.answers, free);
	g_ptr_array_free(f.open, TRUE);
}

#endif
