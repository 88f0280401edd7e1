/* The stand-in videobridge channel for unit tests: tests/lab/colibri_ws.py in its own process
 * (a WebSocket server on loopback), its stdout lines (JSON events: connect, recv, closed ...,
 * each with its connection number "n") queued as they come on a GMainContext, commands written
 * to its stdin. Used by the tests of src/jitsi/colibri.c and src/jitsi/call.c.
 * Header only: one test program per file; include it after <cmocka.h> (it fails the test with
 * cmocka's asserts). */
#ifndef TTM_TESTS_UNIT_COLIBRI_WS_H
#define TTM_TESTS_UNIT_COLIBRI_WS_H

#include <glib.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/pump.h"

struct colibri_ws {
	GMainContext *ctx;
	GPid pid;
	int in_fd;        /* the server's stdin */
	GIOChannel *out;  /* the server's stdout */
	GString *partial; /* a line not yet complete */
	GQueue events;    /* json_t *, oldest first */
	int port;         /* where it listens on 127.0.0.1 */
};

static gboolean colibri_ws_out(GIOChannel *ch, GIOCondition cond, gpointer data)
{
	struct colibri_ws *b = data;
	char buf[4096];
	(void)cond;
	ssize_t n = read(g_io_channel_unix_get_fd(ch), buf, sizeof(buf));
	if (n <= 0)
		return G_SOURCE_REMOVE;
	g_string_append_len(b->partial, buf, n);
	char *nl;
	while ((nl = strchr(b->partial->str, '\n'))) {
		*nl = '\0';
		json_t *j = json_loads(b->partial->str, 0, NULL);
		if (j)
			g_queue_push_tail(&b->events, j);
		g_string_erase(b->partial, 0, nl - b->partial->str + 1);
	}
	return G_SOURCE_CONTINUE;
}

/* Starts the server and reads its port (its first line, "PORT n"); its events are read on
 * ctx from then on. */
static void colibri_ws_start(struct colibri_ws *b, GMainContext *ctx)
{
	char *argv[] = { "python3", TTM_SOURCE_DIR "/tests/lab/colibri_ws.py", NULL };
	int out_fd;
	GError *err = NULL;
	if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &b->pid,
				      &b->in_fd, &out_fd, NULL, &err))
		fail_msg("cannot start the stand-in bridge: %s", err->message);
	char line[64];
	size_t n = 0;
	while (n < sizeof(line) - 1 && read(out_fd, line + n, 1) == 1 && line[n] != '\n')
		n++;
	line[n] = '\0';
	assert_int_equal(sscanf(line, "PORT %d", &b->port), 1);
	b->ctx = ctx;
	b->partial = g_string_new("");
	g_queue_init(&b->events);
	b->out = g_io_channel_unix_new(out_fd);
	g_io_channel_set_close_on_unref(b->out, TRUE);
	GSource *src = g_io_create_watch(b->out, G_IO_IN | G_IO_HUP);
	g_source_set_callback(src, (GSourceFunc)(void (*)(void))colibri_ws_out, b, NULL);
	g_source_attach(src, ctx);
	g_source_unref(src);
}

/* Ends the server and frees what start made, events not taken included. */
static void colibri_ws_stop(struct colibri_ws *b)
{
	kill(b->pid, SIGTERM);
	g_spawn_close_pid(b->pid);
	close(b->in_fd);
	g_io_channel_unref(b->out);
	json_t *j;
	while ((j = g_queue_pop_head(&b->events)))
		json_decref(j);
	g_string_free(b->partial, TRUE);
}

/* A command line to the server (JSON; it acts on its latest connection). */
static void colibri_ws_cmd(struct colibri_ws *b, const char *line)
{
	size_t n = strlen(line);
	assert_int_equal(write(b->in_fd, line, n), (ssize_t)n);
	assert_int_equal(write(b->in_fd, "\n", 1), 1);
}

struct colibri_ws_want {
	struct colibri_ws *b;
	const char *kind;
	json_int_t n;
	json_t *found;
};

static bool colibri_ws_has(void *arg)
{
	struct colibri_ws_want *e = arg;
	for (GList *l = e->b->events.head; l; l = l->next) {
		const char *k = json_string_value(json_object_get(l->data, "event"));
		if (k && !strcmp(k, e->kind) &&
		    (!e->n || json_integer_value(json_object_get(l->data, "n")) == e->n)) {
			e->found = l->data;
			g_queue_delete_link(&e->b->events, l);
			return true;
		}
	}
	return false;
}

/* Runs the context until the server's oldest event of that kind on its connection n (0: any)
 * and takes it from the queue (the caller decrefs); fails the test after timeout_ms. */
static json_t *colibri_ws_wait(struct colibri_ws *b, const char *kind, int n, int timeout_ms)
{
	struct colibri_ws_want e = { b, kind, n, NULL };
	if (!pump(b->ctx, colibri_ws_has, &e, timeout_ms))
		fail_msg("no '%s' event on connection %d from the stand-in bridge within %d ms",
			 kind, n, timeout_ms);
	return e.found;
}

#endif
