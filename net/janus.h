/* Janus API client: requests, transactions, events — independent of the transport.
 *
 * The owner feeds every text message from the server into janus_handle_message() and gives a
 * send_cb that writes one message to the server. Requests complete through a reply callback
 * exactly once (success, Janus error, plugin error, timeout or transport loss), whichever order
 * Janus sends ack and event in. Messages without a pending transaction come out as events.
 * Runs on the thread of the GMainContext given at create (timers for keepalive and timeouts).
 */
#ifndef TTM_NET_JANUS_H
#define TTM_NET_JANUS_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define JANUS_KEEPALIVE_MS 25000  /* sessions die after 60 s without a request */
#define JANUS_REQUEST_TIMEOUT_MS 6000
/* A keepalive unanswered this long means the server (or the path to it) went silent, even
 * when the WebSocket still looks open: the server is noticed dead within keepalive + 8.6 s
 * (the deadline sweep runs every 0.5 s, 0.1 s late at most). */
#define JANUS_KEEPALIVE_ANSWER_MS 8000
#define JANUS_KEEPALIVE_OUTAGE_MS 60000 /* the longest an undelivered keepalive is waited for */

struct janus;

/* What a request came back with. Pointers are borrowed for the duration of the callback. */
struct janus_reply {
	int err;            /* 0; -EPROTO Janus error; -EREMOTEIO plugin error; -ETIMEDOUT;
			     * -ECONNRESET transport gone; -ECANCELED janus destroyed */
	int code;           /* Janus or plugin error code when err is -EPROTO / -EREMOTEIO */
	const char *reason; /* error text, from the server: untrusted, may be "" */
	uint64_t id;        /* new session or handle id (create, attach) */
	json_t *data;       /* plugindata.data of a plugin reply, else NULL */
	json_t *jsep;       /* JSEP of a plugin reply, else NULL */
};
typedef void (*janus_reply_cb)(void *user, const struct janus_reply *r);

enum janus_event_kind {
	JANUS_EV_PLUGIN,   /* unsolicited plugin event: data (+ jsep) */
	JANUS_EV_WEBRTCUP, /* PeerConnection of handle is up */
	JANUS_EV_MEDIA,    /* msg has type/receiving/mid */
	JANUS_EV_SLOWLINK,
	JANUS_EV_HANGUP,   /* reason */
	JANUS_EV_DETACHED,
	JANUS_EV_TRICKLE,  /* msg has candidate */
	JANUS_EV_TIMEOUT,  /* the session expired on the server */
};

struct janus_event {
	enum janus_event_kind kind;
	uint64_t handle;    /* sender, 0 if none */
	json_t *data;       /* plugindata.data (JANUS_EV_PLUGIN) */
	json_t *jsep;
	json_t *msg;        /* the whole message */
	const char *reason; /* hangup reason, "" if none */
};

struct janus_ops {
	/* Writes one message to the server; negative return fails the request. */
	int (*send_cb)(void *user, const char *text, size_t len);
	void (*event_cb)(void *user, const struct janus_event *ev);
	/* The server broke the protocol (malformed or wrong-typed message). */
	void (*protocol_error_cb)(void *user, int err, const char *why);
	/* The session is unusable although the transport may look fine: a keepalive went
	 * unanswered (-ETIMEDOUT) or the server no longer knows the session (-ENOENT). Keepalives
	 * stop until the next session is created. May be NULL. */
	void (*dead_cb)(void *user, int err, const char *why);
	/* Bytes sent that the server's host has not acknowledged (ws_undelivered), or negative
	 * when unknown. An overdue keepalive answer while something is still undelivered means
	 * the path is down, not that the server stopped answering: see janus.c. May be NULL. */
	int (*undelivered_cb)(void *user);
};

/* Creates a client; timers are attached to main (NULL = thread default). */
int janus_create(GMainContext *main, const struct janus_ops *ops, void *user, struct janus **out);
/* Frees the client; pending replies are dropped without callbacks. */
void janus_destroy(struct janus *j);

/* Processes one message from the server. Returns 0, or a negative code after reporting a
 * protocol error through protocol_error_cb. */
int janus_handle_message(struct janus *j, const char *text, size_t len);
/* Completes every pending request with err (e.g. -ECONNRESET when the transport drops). */
void janus_fail_pending(struct janus *j, int err, const char *why);

/* Overrides the request timeout, the keepalive interval and how long a keepalive may go
 * unanswered (ms; 0 keeps the default). Takes effect for the next session created. */
void janus_set_timers(struct janus *j, unsigned request_timeout_ms, unsigned keepalive_ms,
		      unsigned keepalive_answer_ms);

/* How long keepalives that never reach the server's host are waited for (ms; 0: the default,
 * JANUS_KEEPALIVE_OUTAGE_MS, about when Janus would drop the session itself). */
void janus_set_outage_limit(struct janus *j, unsigned ms);

uint64_t janus_session_id(const struct janus *j);
/* Forgets the session (after it was destroyed or expired): keepalives stop. */
void janus_reset_session(struct janus *j);

int janus_create_session(struct janus *j, janus_reply_cb cb, void *user);
int janus_attach(struct janus *j, const char *plugin, janus_reply_cb cb, void *user);
/* Sends a plugin message; takes ownership of body and jsep (may be NULL). */
int janus_message(struct janus *j, uint64_t handle, json_t *body, json_t *jsep, janus_reply_cb cb,
		  void *user);
/* Trickles one candidate object ({"candidate","sdpMid","sdpMLineIndex"} or
 * {"completed":true}); takes ownership. cb may be NULL. */
int janus_trickle(struct janus *j, uint64_t handle, json_t *candidate, janus_reply_cb cb,
		  void *user);
/* Trickles one of our candidates for BUNDLE m-line 0 ("candidate:..."), or NULL for
 * end-of-candidates ({"completed":true}). No reply callback. */
int janus_trickle_candidate(struct janus *j, uint64_t handle, const char *candidate);
int janus_hangup(struct janus *j, uint64_t handle, janus_reply_cb cb, void *user);
int janus_detach(struct janus *j, uint64_t handle, janus_reply_cb cb, void *user);
int janus_destroy_session(struct janus *j, janus_reply_cb cb, void *user);
/* Drops the pending callbacks registered with user (the caller is going away). */
void janus_forget(struct janus *j, void *user);

/* The candidate of a JANUS_EV_TRICKLE event (its msg): *line gets the "candidate:..." string
 * (borrowed from msg), or NULL for the end of candidates ({"completed":true}). -EINVAL when
 * malformed, -ENOTSUP for an m-line other than the first (everything is bundled on it). */
int janus_trickle_parse(json_t *msg, const char **line);

/* Human text for a Janus core error code (src/apierror.h), "" if unknown. */
const char *janus_error_text(int code);

#endif
