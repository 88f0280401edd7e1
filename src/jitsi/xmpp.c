/* XMPP client stream over WebSocket up to a bound resource (contract in xmpp.h).
 *
 * States follow RFC 6120 with RFC 7395 framing: OPEN (our <open/> sent, waiting for the
 * server's) -> FEATURES (waiting for <stream:features>) -> AUTH (SASL ANONYMOUS sent) ->
 * OPEN again after <success/> (the restart) -> FEATURES -> BIND (iq sent) -> SESSION (only if a
 * server requires the RFC 3921 session) -> BOUND. Each WebSocket message is parsed on its own
 * (src/jitsi/xml.c).
 */
#include "src/jitsi/xmpp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/exitcode.h"
#include "src/jitsi/disco.h"
#include "src/jitsi/sasl.h"
#include "src/jitsi/sm.h"
#include "src/text.h"

#define NS_STREAMS "http://etherx.jabber.org/streams"
#define NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
#define NS_BIND "urn:ietf:params:xml:ns:xmpp-bind"
#define NS_SESSION "urn:ietf:params:xml:ns:xmpp-session"
#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define NS_PING "urn:xmpp:ping"
#define SM_ASK_EVERY 5 /* unacknowledged stanzas before we ask for an <a/> */

enum xstate {
	X_IDLE, X_OPEN, X_FEATURES, X_AUTH,
	X_BIND,         /* bind iq sent */
	X_BIND_SESSION, /* bind iq sent, the server requires a session after it */
	X_SESSION,      /* session iq sent */
	X_RESUME,       /* XEP-0198 <resume/> sent instead of binding */
	X_BOUND, X_DEAD
};

struct xmpp {
	struct xmpp_cbs cb;
	void *user;
	char domain[256];
	enum xstate st;
	bool authed;
	const struct sasl_login *login; /* NULL: anonymous */
	bool tls;
	bool video;                     /* disco#info names RTP video (xmpp_set_video) */
	struct sasl sasl;
	bool sm_offered, session_needed;
	struct xmpp_sm *sm;          /* XEP-0198 on this stream (NULL: not enabled) */
	struct xmpp_sm *resume;      /* a previous stream's, to resume (xmpp_set_resume) */
	unsigned long next_id;
	char jid[XMPP_JID_MAX + 1];
};

int xmpp_create(const char *domain, const struct xmpp_cbs *cb, void *user, struct xmpp **out)
{
	if (!domain || !*domain || strlen(domain) >= 256)
		return -EINVAL;
	struct xmpp *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->cb = *cb;
	x->user = user;
	memcpy(x->domain, domain, strlen(domain) + 1);
	*out = x;
	return 0;
}

void xmpp_destroy(struct xmpp *x)
{
	if (!x)
		return;
	sasl_clear(&x->sasl);
	xmpp_sm_free(x->sm);
	xmpp_sm_free(x->resume);
	free(x);
}

void xmpp_set_resume(struct xmpp *x, struct xmpp_sm *sm)
{
	xmpp_sm_free(x->resume);
	x->resume = sm;
}

struct xmpp_sm *xmpp_sm_take(struct xmpp *x)
{
	struct xmpp_sm *sm = x->sm;
	if (!sm || !sm->enabled || !sm->resumable)
		return NULL;
	x->sm = NULL;
	return sm;
}

void xmpp_set_login(struct xmpp *x, const struct sasl_login *login, bool tls)
{
	x->login = login && login->user ? login : NULL;
	x->tls = tls;
}

void xmpp_set_video(struct xmpp *x, bool video)
{
	x->video = video;
}

static void fail(struct xmpp *x, int code, const char *why)
{
	if (x->st == X_DEAD)
		return;
	x->st = X_DEAD;
	x->cb.failed(x->user, code, why);
}

static int send_raw(struct xmpp *x, const char *text)
{
	int rc = x->cb.send(x->user, text, strlen(text));
	if (rc < 0)
		fail(x, TTM_EXIT_SERVER, "cannot send to the XMPP server");
	return rc;
}

/* A stanza of ours: counted (and kept for a resume) once stream management is on. */
static int send_stanza(struct xmpp *x, const char *text)
{
	int rc = send_raw(x, text);
	if (rc == 0 && x->sm)
		xmpp_sm_sent(x->sm, text);
	return rc;
}

static int send_open(struct xmpp *x)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "<open xmlns='" XMPP_NS_FRAMING "' to='%s' version='1.0'/>",
		 x->domain); /* domain: a checked host name (src/jitsi/config.c) */
	x->st = X_OPEN;
	return send_raw(x, buf);
}

int xmpp_start(struct xmpp *x)
{
	if (x->st != X_IDLE)
		return -EALREADY;
	return send_open(x);
}

void xmpp_next_id(struct xmpp *x, char *out, size_t outlen)
{
	snprintf(out, outlen, "ttm-%lu", ++x->next_id);
}

/* A server's reason (stream error condition, SASL failure) made safe for one line. */
static void say(struct xmpp *x, int code, const char *what, const struct xml_node *n)
{
	char cond[64] = "", line[256];
	for (const struct xml_node *c = n ? n->child : NULL; c; c = c->next)
		if (strcmp(c->name, "text")) {
			text_sanitize(c->name, strlen(c->name), cond, sizeof(cond), false);
			break;
		}
	snprintf(line, sizeof(line), "%s%s%s", what, cond[0] ? ": " : "", cond);
	fail(x, code, line);
}

#define MECHS_MAX 16 /* mechanisms looked at */

/* SASL: the mechanism from the offered ones (src/jitsi/sasl.h), its first message. */
static void start_auth(struct xmpp *x, const struct xml_node *f)
{
	const struct xml_node *mechs = xml_child(f, NS_SASL, "mechanisms");
	const char *offered[MECHS_MAX];
	size_t n = 0;
	char why[256], msg[SASL_MSG_MAX + 1], buf[SASL_MSG_MAX + 160];
	for (const struct xml_node *m = mechs ? mechs->child : NULL; m && n < MECHS_MAX; m = m->next)
		if (xml_is(m, NS_SASL, "mechanism"))
			offered[n++] = m->text;
	enum sasl_mech mech = sasl_choose(offered, n, x->login, x->tls, why, sizeof(why));
	if (mech == SASL_NONE) {
		fail(x, TTM_EXIT_ROOM, why);
		return;
	}
	if (sasl_start(&x->sasl, mech, x->login, NULL, msg, sizeof(msg)) < 0) {
		fail(x, TTM_EXIT_USAGE, "the XMPP user name cannot be used for a login");
		return;
	}
	x->st = X_AUTH;
	if (msg[0])
		snprintf(buf, sizeof(buf), "<auth xmlns='" NS_SASL "' mechanism='%s'>%s</auth>",
			 sasl_mech_name(mech), msg);
	else
		snprintf(buf, sizeof(buf), "<auth xmlns='" NS_SASL "' mechanism='%s'/>",
			 sasl_mech_name(mech));
	send_raw(x, buf);
	explicit_bzero(msg, sizeof(msg));
	explicit_bzero(buf, sizeof(buf));
}

static void on_challenge(struct xmpp *x, const struct xml_node *n)
{
	char msg[SASL_MSG_MAX + 1], buf[SASL_MSG_MAX + 64];
	if (sasl_challenge(&x->sasl, n->text, msg, sizeof(msg)) < 0) {
		fail(x, TTM_EXIT_SERVER, "the XMPP server sent a SASL challenge ttymeet cannot "
					 "answer (not valid SCRAM, or too few iterations)");
		return;
	}
	snprintf(buf, sizeof(buf), "<response xmlns='" NS_SASL "'>%s</response>", msg);
	send_raw(x, buf);
}

static void on_sasl_failure(struct xmpp *x, const struct xml_node *n)
{
	char what[SASL_USER_MAX * 3 + 64];
	if (!x->login) {
		say(x, TTM_EXIT_ROOM, "the XMPP server refused anonymous login", n);
		return;
	}
	char user[SASL_USER_MAX * 3 + 1];
	text_sanitize(x->login->user, strlen(x->login->user), user, sizeof(user), false);
	snprintf(what, sizeof(what), "the XMPP server refused the login as %.200s", user);
	say(x, TTM_EXIT_ROOM, what, n);
}

static void start_bind(struct xmpp *x)
{
	char buf[512], id[32];
	xmpp_sm_free(x->resume); /* nothing to resume: a new session */
	x->resume = NULL;
	xmpp_next_id(x, id, sizeof(id));
	snprintf(buf, sizeof(buf), "<iq xmlns='" XMPP_NS_CLIENT "' type='set' id='bind-%s'>"
		 "<bind xmlns='" NS_BIND "'/></iq>", id);
	x->st = x->session_needed ? X_BIND_SESSION : X_BIND;
	send_raw(x, buf);
}

static void on_features(struct xmpp *x, const struct xml_node *f)
{
	char buf[SM_ID_MAX + 128];
	if (!x->authed) {
		start_auth(x, f);
		return;
	}
	if (!xml_child(f, NS_BIND, "bind")) {
		fail(x, TTM_EXIT_SERVER, "the XMPP server offers no resource binding");
		return;
	}
	const struct xml_node *sess = xml_child(f, NS_SESSION, "session");
	/* the legacy session is needed only where it is offered and not marked optional */
	x->session_needed = sess && !xml_child(sess, NULL, "optional");
	x->sm_offered = xml_child(f, NS_SM, "sm") != NULL;
	if (x->sm_offered && x->resume) { /* XEP-0198 §5: resume instead of binding */
		snprintf(buf, sizeof(buf), "<resume xmlns='" NS_SM "' h='%u' previd='%s'/>",
			 x->resume->h_in, x->resume->id); /* id: checked in on_sm */
		x->st = X_RESUME;
		send_raw(x, buf);
		return;
	}
	start_bind(x);
}

static void bound(struct xmpp *x)
{
	x->st = X_BOUND;
	if (x->sm_offered && !x->sm) { /* XEP-0198: counting starts with our <enable/> */
		x->sm = xmpp_sm_new();
		x->sm->resumable = true; /* asked for; <enabled/> says */
		send_raw(x, "<enable xmlns='" NS_SM "' resume='true'/>");
	}
	x->cb.bound(x->user, x->jid);
}

static void on_bind_result(struct xmpp *x, const struct xml_node *iq)
{
	const char *type = xml_attr(iq, "type");
	const struct xml_node *b = xml_child(iq, NS_BIND, "bind");
	const struct xml_node *j = b ? xml_child(b, NS_BIND, "jid") : NULL;
	if (!type || strcmp(type, "result") || !j) {
		fail(x, TTM_EXIT_SERVER, "the XMPP server refused to bind a resource");
		return;
	}
	size_t n = strlen(j->text);
	if (n == 0 || n > XMPP_JID_MAX || !text_is_clean_name(j->text) || strchr(j->text, '\'') ||
	    strchr(j->text, '"') || strchr(j->text, '<') || strchr(j->text, '&')) {
		fail(x, TTM_EXIT_SERVER, "the XMPP server bound an unusable JID");
		return;
	}
	memcpy(x->jid, j->text, n + 1);
	if (x->st == X_BIND_SESSION) {
		char buf[256], id[32];
		xmpp_next_id(x, id, sizeof(id));
		snprintf(buf, sizeof(buf), "<iq xmlns='" XMPP_NS_CLIENT "' type='set' id='sess-%s'>"
			 "<session xmlns='" NS_SESSION "'/></iq>", id);
		x->st = X_SESSION;
		send_raw(x, buf);
		return;
	}
	bound(x);
}

void xmpp_answer(struct xmpp *x, const struct xml_node *iq, const char *payload,
		 const char *error)
{
	char id[512], to[XMPP_JID_MAX * 6 + 1];
	const char *iid = xml_attr(iq, "id"), *from = xml_attr(iq, "from");
	if (!iid || xml_escape(iid, id, sizeof(id)) < 0)
		return; /* no id (or an absurd one): nothing to answer */
	if (from && xml_escape(from, to, sizeof(to)) < 0)
		return;
	const char *body = error ? error : payload;
	size_t len = sizeof(to) + sizeof(id) + (body ? strlen(body) : 0) + 128;
	char *big = malloc(len);
	if (!big)
		return;
	int n = snprintf(big, len, "<iq xmlns='" XMPP_NS_CLIENT "' type='%s' id='%s'%s%s%s",
			 error ? "error" : "result", id, from ? " to='" : "", from ? to : "",
			 from ? "'" : "");
	if (body)
		snprintf(big + n, len - (size_t)n, ">%s</iq>", body);
	else
		snprintf(big + n, len - (size_t)n, "/>");
	send_stanza(x, big);
	free(big);
}

/* Answers an iq get/set: a result carrying payload (NULL: empty), or, with cond set, an error
 * of that RFC 6120 §8.3.3 condition (type cancel, or modify for bad-request). */
static void answer_iq(struct xmpp *x, const struct xml_node *iq, const char *payload,
		      const char *cond)
{
	char err[256];
	if (cond)
		snprintf(err, sizeof(err), "<error type='%s'><%s xmlns='" NS_STANZAS "'/></error>",
			 strcmp(cond, "bad-request") ? "cancel" : "modify", cond);
	xmpp_answer(x, iq, payload, cond ? err : NULL);
}

/* Namespaces of requests the stream knows (answered here or by the backend). */
static bool known_ns(const char *ns)
{
	return !strcmp(ns, NS_PING) || !strcmp(ns, NS_DISCO_INFO);
}

/* A request the stream answers itself: a ping, a disco#info about us. True if answered. */
static bool own_request(struct xmpp *x, const struct xml_node *iq, const struct xml_node *q,
			bool get)
{
	char payload[2048];
	if (get && xml_is(q, NS_PING, "ping")) {
		answer_iq(x, iq, NULL, NULL);
		return true;
	}
	if (get && xml_is(q, NS_DISCO_INFO, "query")) {
		int rc = disco_info_query(xml_attr(q, "node"), x->video, payload, sizeof(payload));
		answer_iq(x, iq, rc == 0 ? payload : NULL, rc == 0 ? NULL : "item-not-found");
		return true;
	}
	return false;
}

static void on_stanza(struct xmpp *x, const struct xml_node *n)
{
	const char *type = xml_attr(n, "type");
	bool iq = xml_is(n, XMPP_NS_CLIENT, "iq");
	bool request = iq && type && (!strcmp(type, "get") || !strcmp(type, "set"));
	if (request) {
		/* RFC 6120 §8.2.3: exactly one payload element */
		const struct xml_node *q = n->child;
		if (!q || q->next) {
			answer_iq(x, n, NULL, "bad-request");
			return;
		}
		if (own_request(x, n, q, !strcmp(type, "get")))
			return;
	}
	if (x->st == X_BIND || x->st == X_BIND_SESSION) {
		const char *id = xml_attr(n, "id");
		if (iq && id && !strncmp(id, "bind-", 5) && type &&
		    (!strcmp(type, "result") || !strcmp(type, "error"))) {
			on_bind_result(x, n);
			return;
		}
	}
	if (x->st == X_SESSION) {
		const char *id = xml_attr(n, "id");
		if (iq && id && !strncmp(id, "sess-", 5)) {
			if (type && !strcmp(type, "result"))
				bound(x);
			else
				fail(x, TTM_EXIT_SERVER, "the XMPP server refused the session");
			return;
		}
	}
	bool handled = x->st == X_BOUND && x->cb.stanza(x->user, n);
	/* §8.4: an unknown namespace is service-unavailable; a known one asked for what we do
	 * not do (a ping set, ...) is feature-not-implemented */
	if (request && !handled && x->st != X_DEAD)
		answer_iq(x, n, NULL, known_ns(n->child->ns) ? "feature-not-implemented"
							    : "service-unavailable");
}

/* The server's h in n, acknowledging our stanzas; false (and the stream failed) if it lies. */
static bool take_ack(struct xmpp *x, struct xmpp_sm *sm, const struct xml_node *n)
{
	uint32_t h;
	if (xmpp_sm_parse_h(xml_attr(n, "h"), &h) < 0 || xmpp_sm_ack(sm, h) < 0) {
		fail(x, TTM_EXIT_SERVER, "the XMPP server acknowledged stanzas we never sent "
					 "(XEP-0198)");
		return false;
	}
	return true;
}

/* XEP-0198 elements. */
static void on_sm(struct xmpp *x, const struct xml_node *n)
{
	char a[64];
	if (xml_is(n, NS_SM, "enabled") && x->sm && !x->sm->enabled && x->st == X_BOUND) {
		const char *id = xml_attr(n, "id"), *res = xml_attr(n, "resume");
		x->sm->enabled = true;
		/* resumable only with an id we can send back as it came */
		x->sm->resumable = res && (!strcmp(res, "true") || !strcmp(res, "1")) && id &&
				   *id && strlen(id) <= SM_ID_MAX && text_is_clean_name(id) &&
				   !strpbrk(id, "'\"<>&");
		if (x->sm->resumable)
			memcpy(x->sm->id, id, strlen(id) + 1);
		else
			g_queue_clear_full(&x->sm->unacked, g_free), x->sm->unacked_bytes = 0;
	} else if (xml_is(n, NS_SM, "r") && x->sm && x->sm->enabled) {
		snprintf(a, sizeof(a), "<a xmlns='" NS_SM "' h='%u'/>", x->sm->h_in);
		send_raw(x, a);
	} else if (xml_is(n, NS_SM, "a") && x->sm && x->sm->enabled) {
		x->sm->r_pending = false;
		take_ack(x, x->sm, n);
	} else if (xml_is(n, NS_SM, "resumed") && x->st == X_RESUME) {
		struct xmpp_sm *sm = x->resume;
		x->resume = NULL;
		if (!take_ack(x, sm, n)) {
			xmpp_sm_free(sm);
			return;
		}
		x->sm = sm;
		x->sm->r_pending = false;
		x->st = X_BOUND;
		/* what the server did not get goes again, as it was (counted once already) */
		for (GList *l = sm->unacked.head; l && x->st == X_BOUND; l = l->next)
			send_raw(x, l->data);
		if (x->st == X_BOUND && x->cb.resumed)
			x->cb.resumed(x->user);
	} else if (xml_is(n, NS_SM, "failed") && x->st == X_RESUME) {
		start_bind(x); /* the session is gone: a new one (the caller joins anew) */
	} /* <failed/> to <enable/>: no stream management, nothing else changes */
}

void xmpp_feed(struct xmpp *x, const char *text, size_t len)
{
	struct xml_doc *d;
	char err[160], line[200];
	if (x->st == X_DEAD || x->st == X_IDLE)
		return;
	if (xml_parse(text, len, &d, err, sizeof(err)) < 0) {
		snprintf(line, sizeof(line), "the XMPP server sent %s", err);
		fail(x, TTM_EXIT_SERVER, line);
		return;
	}
	const struct xml_node *n = xml_root(d);
	if (xml_is(n, XMPP_NS_FRAMING, "open")) {
		if (x->st != X_OPEN)
			fail(x, TTM_EXIT_SERVER, "the XMPP server opened the stream twice");
		else
			x->st = X_FEATURES;
	} else if (xml_is(n, XMPP_NS_FRAMING, "close")) {
		fail(x, TTM_EXIT_SERVER, "the XMPP server closed the stream");
	} else if (xml_is(n, NS_STREAMS, "error")) {
		say(x, TTM_EXIT_SERVER, "XMPP stream error", n);
	} else if (xml_is(n, NS_STREAMS, "features")) {
		if (x->st != X_FEATURES)
			fail(x, TTM_EXIT_SERVER, "the XMPP server sent stream features out of turn");
		else
			on_features(x, n);
	} else if (xml_is(n, NS_SASL, "success")) {
		if (x->st != X_AUTH) {
			fail(x, TTM_EXIT_SERVER, "the XMPP server sent SASL success out of turn");
		} else if (sasl_success(&x->sasl, n->text) < 0) {
			fail(x, TTM_EXIT_SERVER, "the XMPP server claimed the login succeeded but did "
						 "not prove it knows the password (SCRAM)");
		} else {
			sasl_clear(&x->sasl);
			x->authed = true;
			send_open(x); /* the stream restarts after SASL */
		}
	} else if (xml_is(n, NS_SASL, "challenge")) {
		if (x->st != X_AUTH)
			fail(x, TTM_EXIT_SERVER, "the XMPP server sent a SASL challenge out of turn");
		else
			on_challenge(x, n);
	} else if (xml_is(n, NS_SASL, "failure")) {
		on_sasl_failure(x, n);
	} else if (x->st < X_BIND) {
		fail(x, TTM_EXIT_SERVER, "the XMPP server sent a stanza before the stream was ready");
	} else if (xml_is(n, XMPP_NS_CLIENT, "iq") || xml_is(n, XMPP_NS_CLIENT, "presence") ||
		   xml_is(n, XMPP_NS_CLIENT, "message")) {
		if (x->sm && x->sm->enabled)
			x->sm->h_in++; /* handled: every stanza is, answered or ignored */
		on_stanza(x, n);
	} else if (!strcmp(n->ns, NS_SM)) {
		on_sm(x, n);
	} /* anything else is ignored */
	xml_free(d);
}

int xmpp_send(struct xmpp *x, const char *stanza)
{
	if (x->st != X_BOUND)
		return -ENOTCONN;
	int rc = send_stanza(x, stanza);
	if (rc == 0 && x->sm && x->sm->enabled && !x->sm->r_pending &&
	    x->sm->sent - x->sm->acked >= SM_ASK_EVERY)
		xmpp_request_ack(x);
	return rc;
}

void xmpp_request_ack(struct xmpp *x)
{
	if (x->st != X_BOUND || !x->sm || !x->sm->enabled)
		return;
	x->sm->r_pending = true;
	send_raw(x, "<r xmlns='" NS_SM "'/>");
}

int xmpp_close(struct xmpp *x)
{
	if (x->st == X_DEAD || x->st == X_IDLE)
		return -ENOTCONN;
	int rc = x->cb.send(x->user, "<close xmlns='" XMPP_NS_FRAMING "'/>",
			    strlen("<close xmlns='" XMPP_NS_FRAMING "'/>"));
	x->st = X_DEAD;
	return rc;
}

bool xmpp_is_bound(const struct xmpp *x)
{
	return x->st == X_BOUND;
}

const char *xmpp_jid(const struct xmpp *x)
{
	return x->st == X_BOUND ? x->jid : "";
}
