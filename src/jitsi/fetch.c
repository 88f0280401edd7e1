/* /config.js over HTTP(S) with GIO (contract in fetch.h).
 *
 * Sequence: connect (GSocketClient, TLS for https) -> write the request -> read until EOF or
 * the bound -> split status line, headers and body. Exactly one async operation is in flight
 * at a time; jitsi_fetch_destroy during one cancels it and leaves the freeing to its
 * completion (which then calls nobody).
 */
#include "src/jitsi/fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "net/loop.h"

#define HEAD_MAX 16384 /* bytes of status line and headers */

struct jitsi_fetch {
	GMainContext *main;
	GSocketClient *client;
	GSocketConnection *conn;
	GCancellable *cancel;
	GSource *timer;
	jitsi_fetch_cb cb;
	void *user;
	bool insecure, busy, dead, timed_out;
	char request[512];
	char *buf;
	size_t len, cap;
};

static void release(struct jitsi_fetch *f)
{
	loop_source_drop(&f->timer);
	if (f->conn)
		g_object_unref(f->conn);
	g_object_unref(f->client);
	g_object_unref(f->cancel);
	free(f->buf);
	free(f);
}

/* Ends the fetch: the callback once, then everything goes. */
static void finish(struct jitsi_fetch *f, int err, const char *body, size_t len, const char *why)
{
	jitsi_fetch_cb cb = f->cb;
	f->cb = NULL;
	if (cb)
		cb(f->user, err, body, len, why);
	release(f);
}

/* An async step completed: false if the fetch was destroyed meanwhile (then freed here). */
static bool alive(struct jitsi_fetch *f)
{
	f->busy = false;
	if (f->dead) {
		release(f);
		return false;
	}
	return true;
}

static void fail_gerror(struct jitsi_fetch *f, const char *what, GError *e)
{
	char why[256];
	if (f->timed_out)
		snprintf(why, sizeof(why), "no answer within %.0f s", JITSI_FETCH_TIMEOUT_MS / 1000.0);
	else
		snprintf(why, sizeof(why), "%s: %.180s", what, e ? e->message : "failed");
	g_clear_error(&e);
	finish(f, f->timed_out ? -ETIMEDOUT : -EIO, NULL, 0, why);
}

static void parse_answer(struct jitsi_fetch *f)
{
	char why[128];
	const char *end = f->buf ? g_strstr_len(f->buf, (gssize)f->len, "\r\n\r\n") : NULL;
	int status = 0;
	if (!end || sscanf(f->buf, "HTTP/1.%*1[01] %3d", &status) != 1) {
		finish(f, -EPROTO, NULL, 0, "not an HTTP answer");
		return;
	}
	if (status != 200) {
		snprintf(why, sizeof(why), "HTTP status %d", status);
		finish(f, -ENOENT, NULL, 0, why);
		return;
	}
	const char *body = end + 4;
	size_t n = f->len - (size_t)(body - f->buf);
	f->buf[f->len] = '\0';
	finish(f, 0, body, n, NULL);
}

static void on_read(GObject *src, GAsyncResult *res, gpointer data);

static void read_more(struct jitsi_fetch *f)
{
	if (f->cap - f->len < 8192 + 1) {
		size_t cap = f->cap ? f->cap * 2 : 32768;
		if (cap > HEAD_MAX + JITSI_CONFIGJS_MAX + 1)
			cap = HEAD_MAX + JITSI_CONFIGJS_MAX + 1;
		if (cap - f->len < 2) {
			finish(f, -EFBIG, NULL, 0, "the file is too big");
			return;
		}
		char *b = realloc(f->buf, cap);
		if (!b) {
			finish(f, -ENOMEM, NULL, 0, "out of memory");
			return;
		}
		f->buf = b;
		f->cap = cap;
	}
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(f->conn));
	f->busy = true;
	g_main_context_push_thread_default(f->main);
	g_input_stream_read_async(in, f->buf + f->len, f->cap - f->len - 1, G_PRIORITY_DEFAULT,
				  f->cancel, on_read, f);
	g_main_context_pop_thread_default(f->main);
}

static void on_read(GObject *src, GAsyncResult *res, gpointer data)
{
	struct jitsi_fetch *f = data;
	GError *e = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &e);
	if (!alive(f)) {
		g_clear_error(&e);
		return;
	}
	if (n < 0) {
		fail_gerror(f, "reading the answer", e);
		return;
	}
	if (n == 0) {
		parse_answer(f);
		return;
	}
	f->len += (size_t)n;
	read_more(f);
}

static void on_written(GObject *src, GAsyncResult *res, gpointer data)
{
	struct jitsi_fetch *f = data;
	GError *e = NULL;
	gboolean ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, NULL, &e);
	if (!alive(f)) {
		g_clear_error(&e);
		return;
	}
	if (!ok) {
		fail_gerror(f, "sending the request", e);
		return;
	}
	read_more(f);
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct jitsi_fetch *f = data;
	GError *e = NULL;
	GSocketConnection *c = g_socket_client_connect_finish(G_SOCKET_CLIENT(src), res, &e);
	if (!alive(f)) {
		if (c)
			g_object_unref(c);
		g_clear_error(&e);
		return;
	}
	if (!c) {
		fail_gerror(f, "cannot connect", e);
		return;
	}
	f->conn = c;
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(c));
	f->busy = true;
	g_main_context_push_thread_default(f->main);
	g_output_stream_write_all_async(out, f->request, strlen(f->request), G_PRIORITY_DEFAULT,
					f->cancel, on_written, f);
	g_main_context_pop_thread_default(f->main);
}

static gboolean accept_any(GTlsConnection *conn, GTlsCertificate *cert,
			   GTlsCertificateFlags errors, gpointer data)
{
	(void)conn, (void)cert, (void)errors, (void)data;
	return TRUE; /* --insecure: the user asked for no verification */
}

static void on_event(GSocketClient *client, GSocketClientEvent ev, GSocketConnectable *to,
		     GIOStream *conn, gpointer data)
{
	struct jitsi_fetch *f = data;
	(void)client, (void)to;
	if (ev == G_SOCKET_CLIENT_TLS_HANDSHAKING && f->insecure && G_IS_TLS_CONNECTION(conn))
		g_signal_connect(conn, "accept-certificate", G_CALLBACK(accept_any), NULL);
}

static void on_timeout(void *data)
{
	struct jitsi_fetch *f = data;
	f->timed_out = true;
	g_cancellable_cancel(f->cancel); /* the pending step fails and reports it */
}

int jitsi_fetch_start(GMainContext *main, const struct jitsi_link *link, bool insecure,
		      jitsi_fetch_cb cb, void *user, struct jitsi_fetch **out)
{
	struct jitsi_fetch *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->main = main;
	f->cb = cb;
	f->user = user;
	f->insecure = insecure;
	f->client = g_socket_client_new();
	f->cancel = g_cancellable_new();
	g_socket_client_set_tls(f->client, link->tls);
	g_signal_connect(f->client, "event", G_CALLBACK(on_event), f);
	/* host[:port] as the Host header; brackets off for the address */
	char host[JITSI_HOST_MAX + 1];
	size_t hn = strlen(link->host);
	if (link->host[0] == '[' && hn >= 2)
		snprintf(host, sizeof(host), "%.*s", (int)(hn - 2), link->host + 1);
	else
		snprintf(host, sizeof(host), "%s", link->host);
	unsigned port = link->port ? link->port : link->tls ? 443 : 80;
	const char *hostport = link->origin + (link->tls ? 8 : 7);
	snprintf(f->request, sizeof(f->request), "GET /config.js HTTP/1.0\r\nHost: %s\r\n"
		 "User-Agent: ttymeet\r\nAccept: */*\r\nConnection: close\r\n\r\n", hostport);
	GSocketConnectable *addr = g_network_address_new(host, (guint16)port);
	loop_once(&f->timer, main, JITSI_FETCH_TIMEOUT_MS, on_timeout, f);
	g_main_context_push_thread_default(main);
	f->busy = true;
	g_socket_client_connect_async(f->client, addr, f->cancel, on_connected, f);
	g_main_context_pop_thread_default(main);
	g_object_unref(addr);
	*out = f;
	return 0;
}

void jitsi_fetch_destroy(struct jitsi_fetch *f)
{
	if (!f)
		return;
	f->cb = NULL;
	if (f->busy) {
		f->dead = true;
		g_cancellable_cancel(f->cancel);
		return; /* the pending step's completion frees it */
	}
	release(f);
}
