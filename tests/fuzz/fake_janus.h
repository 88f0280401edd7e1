/* The fake Janus the session fuzz targets share (tests/fuzz/fuzz_core_janus.c: an AudioBridge,
 * fuzz_core_janus_vr.c: a VideoRoom): its state, the checks on every event the session hands
 * its client (terminal-safe strings), the answer queue delivered from the loop, and the feeding
 * of an input message with "$H" placeholders. Each target writes its own fake_send (what the
 * server answers) and its LLVMFuzzerTestOneInput. Header-only: one target per program.
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

#define MAX_ANSWERS 2000 /* per input: a ping-pong between fake and session must end */

struct fake {
	struct session *s;
	GQueue answers;   /* char*: messages to deliver from the loop */
	GPtrArray *open;  /* char*: "handle txn" of plugin requests acked but not answered */
	uint64_t next_handle, ab_handle; /* ab_handle: the meeting handle (the first attach) */
	unsigned answered;
};

static void check_clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; s && *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			abort();
}

static void on_event(void *user, const struct session_event *ev)
{
	(void)user;
	check_clean(ev->name);
	check_clean(ev->message);
	check_clean(ev->text);
	check_clean(ev->to);
	check_clean(ev->reason);
	check_clean(ev->kind);
	check_clean(ev->state);
}

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

#endif
