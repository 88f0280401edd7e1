/* An XMPP client stream over WebSocket (RFC 7395) up to a bound resource: <open/> framing,
 * stream features, SASL (ANONYMOUS, or a login: src/jitsi/sasl.h), the restart, resource binding (and the legacy session
 * request where a server still requires it), XEP-0199 pings answered, <close/> and stream
 * errors. Transport-free: text goes out through cb->send and comes in through xmpp_feed (one
 * WebSocket message each), so unit tests and the fuzz target drive it without a server.
 *
 * After binding, stanzas the stream does not handle itself go to cb->stanza. Requests (iq
 * get/set) are always answered (RFC 6120 §8.2.3, §8.4): pings and disco#info about us
 * (src/jitsi/disco.h) here; one without exactly one payload with bad-request; one the
 * callback does not take with feature-not-implemented for a namespace we know, else
 * service-unavailable.
 * Failures are reported once through cb->failed (code: a TTM_EXIT_* value, why: one line) and
 * the stream then ignores further input.
 * Thread: the caller's (the loop's); callbacks come from inside xmpp_feed/xmpp_start.
 */
#ifndef TTM_SRC_JITSI_XMPP_H
#define TTM_SRC_JITSI_XMPP_H

#include <stdbool.h>
#include <stddef.h>

#include "src/jitsi/sasl.h"
#include "src/jitsi/xml.h"

#define XMPP_JID_MAX 3071 /* RFC 7622: three parts of 1023 bytes each */

#define XMPP_NS_CLIENT "jabber:client"
#define XMPP_NS_FRAMING "urn:ietf:params:xml:ns:xmpp-framing"

struct xmpp;

struct xmpp_cbs {
	/* One message to the server; 0 or a negative errno (the stream then fails). */
	int (*send)(void *user, const char *text, size_t len);
	/* Bound: jid is our full JID. */
	void (*bound)(void *user, const char *jid);
	/* A stanza after binding (presence, message, iq). Returns true if handled (for an iq
	 * get/set: answered). */
	bool (*stanza)(void *user, const struct xml_node *st);
	/* The stream failed or the server closed it; no callback follows. */
	void (*failed)(void *user, int code, const char *why);
	/* XEP-0198: the session given with xmpp_set_resume was resumed instead of bound (no
	 * bound callback): the server kept our room and our presence. NULL: not wanted. */
	void (*resumed)(void *user);
};

struct xmpp_sm;

/* domain: the XMPP domain we log in to (the stream's 'to'). */
int xmpp_create(const char *domain, const struct xmpp_cbs *cb, void *user, struct xmpp **out);
void xmpp_destroy(struct xmpp *x);
/* Logs in as login->user (src/jitsi/sasl.h picks the mechanism) instead of anonymously;
 * login NULL or without user: anonymous. tls: the transport is encrypted (PLAIN allowed).
 * Before xmpp_start; login is kept, not copied: it must outlive x. */
void xmpp_set_login(struct xmpp *x, const struct sasl_login *login, bool tls);
/* XEP-0198: where the server offers stream management, it is enabled with resumption after
 * binding, its <r/> answered and acks asked for every few stanzas (and by xmpp_request_ack).
 * xmpp_sm_take detaches a resumable session from a stream that went away (NULL if there is
 * none); xmpp_set_resume hands it to the next stream (before xmpp_start; x owns it), which
 * then resumes it (cb->resumed, unacknowledged stanzas sent again) or, when the server has
 * forgotten it, binds anew (cb->bound). */
struct xmpp_sm *xmpp_sm_take(struct xmpp *x);
void xmpp_set_resume(struct xmpp *x, struct xmpp_sm *sm);
void xmpp_request_ack(struct xmpp *x);
/* Our disco#info answer names RTP video (the run takes or sends video). */
void xmpp_set_video(struct xmpp *x, bool video);
/* Opens the stream (sends <open/>). */
int xmpp_start(struct xmpp *x);
/* One message from the server. */
void xmpp_feed(struct xmpp *x, const char *text, size_t len);
/* Sends a stanza we built (well-formed, values escaped with xml_escape). 0, -ENOTCONN before
 * binding or after a failure, or the send error. */
int xmpp_send(struct xmpp *x, const char *stanza);
/* Answers the request iq (get/set): a result carrying payload (NULL: empty), or, with error
 * set (an <error> element we built, e.g. by jingle_write_error), an error. */
void xmpp_answer(struct xmpp *x, const struct xml_node *iq, const char *payload,
		 const char *error);
/* Ends the stream politely (<close/>). */
int xmpp_close(struct xmpp *x);
bool xmpp_is_bound(const struct xmpp *x);
/* Our full JID once bound, else "". */
const char *xmpp_jid(const struct xmpp *x);
/* A fresh stanza id ("ttm-N"), into out. */
void xmpp_next_id(struct xmpp *x, char *out, size_t outlen);

#endif
