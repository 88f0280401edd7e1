/* WebSocket client on libwebsockets, driven by a GLib main loop.
 *
 * One ws_ctx per main loop holds the lws context (any number of connections share it); a
 * ws_conn is one client connection. Messages are whole text frames: fragments are reassembled
 * and bounded (WS_MAX_MESSAGE); binary frames are a protocol error. Everything here runs on the
 * thread that runs the loop.
 */
#ifndef TTM_NET_WS_H
#define TTM_NET_WS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define WS_MAX_MESSAGE (1u << 20) /* largest reassembled message we accept by default */
#define WS_MAX_MESSAGE_LIMIT (16u << 20) /* the most ws_set_max_message allows */

struct ws_ctx;
struct ws_conn;

struct ws_handlers {
	/* Connection established (handshake and subprotocol agreed). */
	void (*open_cb)(void *user);
	/* One complete text message; text is NUL-terminated, len excludes the NUL. */
	void (*message_cb)(void *user, const char *text, size_t len);
	/* The connection failed or closed; err is a negative errno-style code (0 = closed by the
	 * peer normally), reason a short human text. No callback follows. */
	void (*close_cb)(void *user, int err, const char *reason);
};

/* Creates the shared lws context bound to loop. tls: set up OpenSSL for wss:// (loading the
 * system's CA store costs tens of ms, so plain ws:// contexts skip it). */
int ws_ctx_create(GMainLoop *loop, bool tls, struct ws_ctx **out);
/* Destroys the context; every connection must have been closed first. */
void ws_ctx_destroy(struct ws_ctx *ctx);

/* Splits a ws:// or wss:// URL. Returns -EINVAL with a reason in err for anything else. */
int ws_parse_url(const char *url, bool *tls, char *host, size_t hostlen, int *port,
		 char *path, size_t pathlen);

/* Starts connecting to url with the given subprotocol; insecure skips certificate checks
 * (wss only). Callbacks come from the loop, never from inside this call. */
int ws_connect(struct ws_ctx *ctx, const char *url, const char *subprotocol, bool insecure,
	       const struct ws_handlers *h, void *user, struct ws_conn **out);
/* Queues one text message (copied). -ENOTCONN before open or after close, -ENOBUFS when the
 * send queue is over its bound. */
int ws_send_text(struct ws_conn *c, const char *text, size_t len);
/* Bytes we sent that the server's host has not acknowledged yet: queued here, or in the
 * kernel's send queue unacknowledged (TCP; SIOCOUTQ). 0 means everything sent so far reached
 * the server's TCP stack. -ENOTCONN when not open. */
int ws_undelivered(struct ws_conn *c);
/* Makes c private: the copies of messages it makes (the reassembly buffer, the texts queued
 * to send) live in locked, wiping memory (net/lockpool.h), for connections that carry chat
 * (a Jitsi meeting's XMPP). Call right after ws_connect. Every connection wipes them anyway. */
void ws_set_private(struct ws_conn *c);
/* Sets the largest message c accepts (bytes, at most WS_MAX_MESSAGE_LIMIT; 0: the default).
 * A bigger one closes the connection with -EMSGSIZE. */
void ws_set_max_message(struct ws_conn *c, size_t max);
/* Closes (normal close frame if open) and releases c; no callback is called afterwards. */
void ws_close(struct ws_conn *c);

#endif
