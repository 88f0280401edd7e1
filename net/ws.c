/* WebSocket client on libwebsockets with its GLib event-loop plugin.
 *
 * Data flow: ws_send_text() copies a message into the connection's queue and asks lws for a
 * writeable callback, which writes one message per call. Received fragments are appended to
 * rx until the final one, then handed to message_cb whole. lws owns the socket (wsi); a ws_conn
 * lives until both the user has closed it and lws has destroyed the wsi, so neither side ever
 * sees a dangling pointer. close_cb is called at most once and never after ws_close().
 * Thread: the loop's thread only.
 */
#include "net/ws.h"

#include <errno.h>
#include <libwebsockets.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/lockpool.h"

#define WS_MAX_QUEUE 512 /* queued outgoing messages per connection */

struct ws_ctx {
	struct lws_context *lws;
	GMainContext *main;
	int conns; /* live connections, for a sanity check at destroy */
	bool tls;
};

struct ws_msg {
	size_t len;
	unsigned char buf[]; /* LWS_PRE bytes of headroom, then the text */
};

struct ws_conn {
	struct ws_ctx *ctx;
	struct lws *wsi;
	struct ws_handlers h;
	void *user;
	GQueue sendq;
	unsigned char *rx; /* the message being reassembled (rx_append) */
	size_t rx_len, rx_cap;
	size_t rx_max;
	bool private_;     /* ws_set_private: buffers in locked memory */
	bool rx_overflow;
	bool open;
	bool user_closed; /* ws_close() called: no more callbacks */
	bool lws_done;    /* lws no longer references us */
	bool reported;    /* close_cb already delivered */
	char url[512];
	char host[256], path[256];
	int port;
	bool tls, insecure;
	int verify_err; /* the first X509_V_ERR_* of the server's chain (0: none seen) */
	char subprotocol[64];
	GSource *start; /* deferred connect */
};

/* Messages may carry chat (a Jitsi meeting's MUC): every copy made here is overwritten when
 * it is given back (the text sent, the reassembly buffer on reuse, growth and free), and on
 * a private connection (ws_set_private) lives in locked memory (net/lockpool.h). */
static void *buf_alloc(const struct ws_conn *c, size_t n)
{
	return c->private_ ? lockpool_alloc(n) : malloc(n);
}

static void buf_free(const struct ws_conn *c, void *p, size_t n)
{
	if (!p)
		return;
	if (c->private_) {
		lockpool_free(p); /* overwrites */
		return;
	}
	explicit_bzero(p, n);
	free(p);
}

static void msg_free(const struct ws_conn *c, struct ws_msg *m)
{
	if (m)
		buf_free(c, m, sizeof(*m) + LWS_PRE + m->len);
}

static void rx_clear(struct ws_conn *c)
{
	if (c->rx)
		explicit_bzero(c->rx, c->rx_len);
	c->rx_len = 0;
}

/* Appends to the reassembly buffer; a bigger one replaces it, the old copy wiped. */
static int rx_append(struct ws_conn *c, const void *in, size_t len)
{
	size_t need = c->rx_len + len;
	if (need > c->rx_cap) {
		size_t cap = MAX(need, MAX((size_t)4096, 2 * c->rx_cap));
		unsigned char *n = buf_alloc(c, cap);
		if (!n)
			return -ENOMEM;
		if (c->rx_len)
			memcpy(n, c->rx, c->rx_len);
		buf_free(c, c->rx, c->rx_cap);
		c->rx = n;
		c->rx_cap = cap;
	}
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	return 0;
}

static void conn_maybe_free(struct ws_conn *c)
{
	if (!c->user_closed || !c->lws_done)
		return;
	struct ws_msg *m;
	while ((m = g_queue_pop_head(&c->sendq)))
		msg_free(c, m);
	buf_free(c, c->rx, c->rx_cap);
	c->ctx->conns--;
	free(c);
}

static void conn_report(struct ws_conn *c, int err, const char *reason)
{
	if (c->reported || c->user_closed)
		return;
	c->reported = true;
	c->open = false;
	if (c->h.close_cb)
		c->h.close_cb(c->user, err, reason);
}

/* lws gives short, technical strings; turn the common ones into something a person reads. */
static void describe_error(const char *in, char *out, size_t outlen, int *err)
{
	const char *s = in ? in : "unknown error";
	*err = -ECONNREFUSED;
	if (strstr(s, "111") || strstr(s, "refused"))
		snprintf(out, outlen, "connection refused");
	else if (strstr(s, "Unable to connect"))
		snprintf(out, outlen, "connection refused or host unreachable");
	else if (strstr(s, "timeout") || strstr(s, "timed out")) {
		*err = -ETIMEDOUT;
		snprintf(out, outlen, "connection timed out");
	} else if (strstr(s, "101") || strstr(s, "upgrade") || strstr(s, "protocol")) {
		*err = -EPROTO;
		snprintf(out, outlen, "not a Janus WebSocket endpoint (%s)", s);
	} else if (strstr(s, "dns") || strstr(s, "DNS") || strstr(s, "resolve") ||
		   strstr(s, "getaddrinfo") || strstr(s, "ads")) {
		*err = -EHOSTUNREACH;
		snprintf(out, outlen, "cannot resolve host (%s)", s);
	} else if (strstr(s, "ssl") || strstr(s, "SSL") || strstr(s, "tls") || strstr(s, "cert")) {
		*err = -EPROTO;
		snprintf(out, outlen, "TLS failed: %s (use --insecure only if you trust the network)", s);
	} else {
		snprintf(out, outlen, "%s", s);
	}
}

/* Why the server's certificate was refused, in one line that says what to do about it. */
static void describe_cert_error(const struct ws_conn *c, char *out, size_t outlen)
{
	const char *hint = "--insecure skips the check: only if you trust the network";
	switch (c->verify_err) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		snprintf(out, outlen, "the server's TLS certificate is for another host, not %.64s (%s)",
			 c->host, hint);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		snprintf(out, outlen, "the server's TLS certificate is not trusted: %s (%s)",
			 c->verify_err == X509_V_ERR_CERT_HAS_EXPIRED ? "it has expired"
								     : "it is not valid yet", hint);
		break;
	default: /* self-signed, unknown issuer, bad chain: OpenSSL's words for which */
		snprintf(out, outlen, "the server's TLS certificate is not trusted: %s (%s)",
			 X509_verify_cert_error_string(c->verify_err), hint);
		break;
	}
}

static int on_receive(struct ws_conn *c, struct lws *wsi, const void *in, size_t len)
{
	if (lws_frame_is_binary(wsi)) {
		conn_report(c, -EPROTO, "server sent a binary frame");
		return -1;
	}
	if (lws_is_first_fragment(wsi)) {
		rx_clear(c);
		c->rx_overflow = false;
	}
	if (!c->rx_overflow) {
		if (c->rx_len + len > c->rx_max) {
			c->rx_overflow = true;
			rx_clear(c);
		} else if (rx_append(c, in, len) < 0) {
			conn_report(c, -ENOMEM, "out of memory");
			return -1;
		}
	}
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return 0;
	if (c->rx_overflow) {
		char why[96];
		snprintf(why, sizeof(why), "server sent a message over %zu KiB", c->rx_max / 1024);
		conn_report(c, -EMSGSIZE, why);
		return -1;
	}
	guint8 nul = 0;
	if (rx_append(c, &nul, 1) < 0) {
		conn_report(c, -ENOMEM, "out of memory");
		return -1;
	}
	if (c->h.message_cb && !c->user_closed)
		c->h.message_cb(c->user, (const char *)c->rx, c->rx_len - 1);
	rx_clear(c);
	/* The handler may have closed us: lws will tear down the wsi. */
	return c->user_closed ? -1 : 0;
}

static int on_writeable(struct ws_conn *c, struct lws *wsi)
{
	if (c->user_closed) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)"bye", 3);
		return -1;
	}
	struct ws_msg *m = g_queue_pop_head(&c->sendq);
	if (!m)
		return 0;
	int n = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
	msg_free(c, m);
	if (n < 0) {
		conn_report(c, -EIO, "write to server failed");
		return -1;
	}
	if (!g_queue_is_empty(&c->sendq))
		lws_callback_on_writable(wsi);
	return 0;
}

static int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		       size_t len)
{
	struct ws_conn *c = lws_get_opaque_user_data(wsi);
	char why[256];
	int err;

	if (!c)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		/* OpenSSL's verify callback, once per certificate of the chain: user is the
		 * X509_STORE_CTX, len preverify_ok. Only remembered (the lws generic handshake
		 * error says nothing useful); returning 0 keeps OpenSSL's verdict. */
		if (!len && !c->verify_err && !c->insecure)
			c->verify_err = X509_STORE_CTX_get_error((X509_STORE_CTX *)user);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (c->tls && c->verify_err) {
			err = -EPROTO;
			describe_cert_error(c, why, sizeof(why));
		} else {
			describe_error(in, why, sizeof(why), &err);
		}
		conn_report(c, err, why);
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (c->user_closed)
			return -1;
		c->open = true;
		if (c->h.open_cb)
			c->h.open_cb(c->user);
		if (!g_queue_is_empty(&c->sendq) || c->user_closed)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return on_receive(c, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return on_writeable(c, wsi);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		conn_report(c, 0, "server closed the connection");
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		conn_report(c, c->open ? -ECONNRESET : -ECONNREFUSED,
			    c->open ? "connection to server lost" : "connection closed during handshake");
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		conn_report(c, -ECONNRESET, "connection to server lost");
		lws_set_opaque_user_data(wsi, NULL);
		c->wsi = NULL;
		c->lws_done = true;
		conn_maybe_free(c);
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols ws_protocols[] = {
	{ "ttymeet-client", ws_callback, 0, 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

int ws_ctx_create(GMainLoop *loop, bool tls, struct ws_ctx **out)
{
	struct ws_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	/* lws' log level is process-wide; errors are reported through close_cb instead. */
	lws_set_log_level(getenv("TTYMEET_LWS_DEBUG") ? LLL_ERR | LLL_WARN | LLL_NOTICE : 0, NULL);

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	void *foreign[1] = { loop };
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = ws_protocols;
	info.options = LWS_SERVER_OPTION_GLIB;
	if (tls)
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	ctx->tls = tls;
	info.foreign_loops = foreign;
	info.gid = (gid_t)-1;
	info.uid = (uid_t)-1;
	info.timeout_secs = 10;
	info.connect_timeout_secs = 5;
	info.user = ctx;
	ctx->lws = lws_create_context(&info);
	if (!ctx->lws) {
		free(ctx);
		return -EIO;
	}
	ctx->main = g_main_loop_get_context(loop);
	*out = ctx;
	return 0;
}

void ws_ctx_destroy(struct ws_ctx *ctx)
{
	if (!ctx)
		return;
	lws_context_destroy(ctx->lws);
	free(ctx);
}

int ws_parse_url(const char *url, bool *tls, char *host, size_t hostlen, int *port, char *path,
		 size_t pathlen)
{
	const char *p;
	if (!url)
		return -EINVAL;
	if (!strncmp(url, "ws://", 5)) {
		*tls = false;
		p = url + 5;
		*port = 80;
	} else if (!strncmp(url, "wss://", 6)) {
		*tls = true;
		p = url + 6;
		*port = 443;
	} else {
		return -EINVAL;
	}
	const char *end = p + strcspn(p, "/?#");
	const char *hs = p, *he;
	if (*p == '[') { /* IPv6 literal */
		he = memchr(p, ']', (size_t)(end - p));
		if (!he)
			return -EINVAL;
		hs = p + 1;
		p = he + 1;
	} else {
		he = memchr(p, ':', (size_t)(end - p));
		if (!he)
			he = end;
		p = he;
	}
	size_t hl = (size_t)(he - hs);
	if (hl == 0 || hl >= hostlen)
		return -EINVAL;
	memcpy(host, hs, hl);
	host[hl] = '\0';
	for (size_t i = 0; i < hl; i++)
		if ((unsigned char)host[i] <= ' ' || host[i] == '@')
			return -EINVAL;
	if (*p == ':') {
		char *e;
		long v = strtol(p + 1, &e, 10);
		if (e == p + 1 || e != end || v < 1 || v > 65535)
			return -EINVAL;
		*port = (int)v;
	} else if (p != end) {
		return -EINVAL;
	}
	const char *ps = *end ? end : "/";
	if (*ps != '/')
		ps = "/";
	if (strlen(ps) >= pathlen)
		return -EINVAL;
	strcpy(path, ps);
	return 0;
}

static gboolean start_connect(gpointer data)
{
	struct ws_conn *c = data;
	c->start = NULL;
	struct lws_client_connect_info i;
	memset(&i, 0, sizeof(i));
	i.context = c->ctx->lws;
	i.address = c->host;
	i.port = c->port;
	i.path = c->path;
	i.host = c->host;
	i.origin = c->host;
	i.protocol = c->subprotocol;
	i.local_protocol_name = ws_protocols[0].name;
	i.opaque_user_data = c;
	i.pwsi = &c->wsi;
	if (c->tls) {
		i.ssl_connection = LCCSCF_USE_SSL;
		if (c->insecure)
			i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_ALLOW_EXPIRED |
					    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
					    LCCSCF_ALLOW_INSECURE;
	}
	if (!lws_client_connect_via_info(&i)) {
		/* lws has already dropped the wsi (and may have reported the error). */
		c->wsi = NULL;
		conn_report(c, -ECONNREFUSED, "cannot start the connection");
		c->lws_done = true;
		conn_maybe_free(c);
	}
	return G_SOURCE_REMOVE;
}

int ws_connect(struct ws_ctx *ctx, const char *url, const char *subprotocol, bool insecure,
	       const struct ws_handlers *h, void *user, struct ws_conn **out)
{
	struct ws_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (ws_parse_url(url, &c->tls, c->host, sizeof(c->host), &c->port, c->path,
			 sizeof(c->path)) < 0 ||
	    strlen(url) >= sizeof(c->url) || strlen(subprotocol) >= sizeof(c->subprotocol)) {
		free(c);
		return -EINVAL;
	}
	if (c->tls && !ctx->tls) {
		free(c);
		return -EPROTONOSUPPORT;
	}
	snprintf(c->url, sizeof(c->url), "%s", url);
	snprintf(c->subprotocol, sizeof(c->subprotocol), "%s", subprotocol);
	c->ctx = ctx;
	c->h = *h;
	c->user = user;
	c->insecure = insecure;
	c->rx_max = WS_MAX_MESSAGE;
	g_queue_init(&c->sendq);
	ctx->conns++;
	c->start = g_idle_source_new();
	/* idle sources default to the lowest priority: a busy loop (many participants) would
	 * starve the connect past its timeout */
	g_source_set_priority(c->start, G_PRIORITY_DEFAULT);
	g_source_set_callback(c->start, start_connect, c, NULL);
	g_source_attach(c->start, ctx->main);
	g_source_unref(c->start);
	*out = c;
	return 0;
}

void ws_set_private(struct ws_conn *c)
{
	if (c->rx_cap || !g_queue_is_empty(&c->sendq))
		return; /* buffers exist already: too late to move them */
	c->private_ = true;
}

void ws_set_max_message(struct ws_conn *c, size_t max)
{
	c->rx_max = !max ? WS_MAX_MESSAGE : max > WS_MAX_MESSAGE_LIMIT ? WS_MAX_MESSAGE_LIMIT : max;
}

int ws_send_text(struct ws_conn *c, const char *text, size_t len)
{
	if (!c->open || c->user_closed || !c->wsi)
		return -ENOTCONN;
	if (g_queue_get_length(&c->sendq) >= WS_MAX_QUEUE)
		return -ENOBUFS;
	struct ws_msg *m = buf_alloc(c, sizeof(*m) + LWS_PRE + len);
	if (!m)
		return -ENOMEM;
	m->len = len;
	memcpy(m->buf + LWS_PRE, text, len);
	g_queue_push_tail(&c->sendq, m);
	lws_callback_on_writable(c->wsi);
	return 0;
}

int ws_undelivered(struct ws_conn *c)
{
	size_t queued = 0;
	int outq = 0;

	if (!c || !c->open || c->user_closed || !c->wsi)
		return -ENOTCONN;
	for (GList *l = c->sendq.head; l; l = l->next)
		queued += ((const struct ws_msg *)l->data)->len;
	lws_sockfd_type fd = lws_get_socket_fd(c->wsi);
	if (fd < 0 || ioctl(fd, SIOCOUTQ, &outq) < 0 || outq < 0)
		outq = 0;
	queued += (size_t)outq;
	return queued > INT32_MAX ? INT32_MAX : (int)queued;
}

void ws_close(struct ws_conn *c)
{
	if (!c)
		return;
	c->user_closed = true;
	if (c->start) { /* never started: nothing in lws to wait for */
		g_source_destroy(c->start);
		c->start = NULL;
	}
	if (!c->wsi) {
		c->lws_done = true;
		conn_maybe_free(c);
		return;
	}
	if (c->open)
		lws_callback_on_writable(c->wsi); /* sends a close frame, then lws drops the wsi */
	else
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}
