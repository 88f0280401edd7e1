/* The conference request to the Jitsi focus (contract in focus.h).
 *
 * Retry policy, after lib-jitsi-meet's moderator.js and jitsi-meet's waitForOwner:
 * ready='false' -> again after 1, 2, 4, ... s (at most JFOCUS_BACKOFF_MAX_MS; the library
 * goes to 120 s); live='false' -> likewise; not-authorized -> every 5 s (the meeting starts
 * when a moderator logs in) unless we sent a token or logged in, which the focus then
 * refused (exit 4);
 * session-invalid -> forget the session-id and ask again, a few times. Each request's answer
 * must come within answer_ms (exit 3 otherwise).
 */
#include "src/jitsi/focus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/loop.h"
#include "src/exitcode.h"
#include "src/jitsi/xmpp.h"
#include "src/secret.h"
#include "src/text.h"

#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define REQ_MAX (JFOCUS_TOKEN_MAX * 6 + 8192) /* the iq with the longest token, escaped */

/* ---- stanzas ---- */

int jfocus_request(char *out, size_t outlen, const char *id, const struct jfocus_req *r)
{
	char to[1024], room[1024], uid[128], sid[JFOCUS_SESSION_MAX * 6], idx[128];
	char *tok = NULL;
	if (outlen)
		out[0] = '\0';
	if (xml_escape(r->focus, to, sizeof(to)) < 0 || xml_escape(r->room_jid, room, sizeof(room)) < 0 ||
	    xml_escape(r->machine_uid, uid, sizeof(uid)) < 0 || xml_escape(id, idx, sizeof(idx)) < 0 ||
	    xml_escape(r->session_id ? r->session_id : "", sid, sizeof(sid)) < 0)
		return -EINVAL;
	if (r->token) {
		if (strlen(r->token) > JFOCUS_TOKEN_MAX)
			return -EINVAL;
		size_t n = strlen(r->token) * 6 + 1;
		if (!(tok = calloc(1, n)))
			return -ENOMEM;
		xml_escape(r->token, tok, n); /* fits: 6 bytes per byte at most */
	}
	int n = snprintf(out, outlen, "<iq xmlns='" XMPP_NS_CLIENT "' type='set' to='%s' id='%s'>"
			 "<conference xmlns='" JFOCUS_NS "' room='%s' machine-uid='%s'%s%s%s%s%s%s>"
			 "<property name='rtcstatsEnabled' value='false'/></conference></iq>",
			 to, idx, room, uid, tok ? " token='" : "", tok ? tok : "", tok ? "'" : "",
			 sid[0] ? " session-id='" : "", sid, sid[0] ? "'" : "");
	int rc = n < 0 || (size_t)n >= outlen ? -ENOSPC : 0;
	if (rc < 0 && outlen)
		explicit_bzero(out, outlen);
	secret_free(tok);
	return rc;
}

/* A JID or session id as we keep it: bounded, a conservative charset (no quotes, no spaces,
 * no controls), else "". */
static void keep_token(const char *in, char *out, size_t outlen, const char *extra)
{
	out[0] = '\0';
	if (!in || strlen(in) >= outlen)
		return;
	for (const char *p = in; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr(extra, *p))
			return;
	memcpy(out, in, strlen(in) + 1);
}

static bool has_property(const struct xml_node *conf, const char *name, const char *value)
{
	for (const struct xml_node *c = conf->child; c; c = c->next) {
		const char *n = xml_attr(c, "name"), *v = xml_attr(c, "value");
		if (xml_is(c, JFOCUS_NS, "property") && n && v && !strcmp(n, name) && !strcmp(v, value))
			return true;
	}
	return false;
}

static void parse_error(const struct xml_node *iq, struct jfocus_answer *a)
{
	const struct xml_node *e = xml_child(iq, XMPP_NS_CLIENT, "error");
	const struct xml_node *cond = NULL, *text = NULL, *resv = NULL, *invalid = NULL;
	for (const struct xml_node *c = e ? e->child : NULL; c; c = c->next) {
		if (!strcmp(c->ns, NS_STANZAS) && !strcmp(c->name, "text"))
			text = c;
		else if (!strcmp(c->ns, NS_STANZAS) && !cond)
			cond = c;
		else if (!strcmp(c->name, "reservation-error"))
			resv = c;
		else if (!strcmp(c->name, "session-invalid"))
			invalid = c;
	}
	if (cond)
		text_sanitize(cond->name, strlen(cond->name), a->cond, sizeof(a->cond), false);
	else
		snprintf(a->cond, sizeof(a->cond), "unknown");
	if (text)
		text_sanitize(text->text, strlen(text->text), a->text, sizeof(a->text), false);
	const char *c = a->cond;
	if (resv) {
		char code[16];
		const char *ec = xml_attr(resv, "error-code");
		text_sanitize(ec ? ec : "", ec ? strlen(ec) : 0, code, sizeof(code), false);
		size_t len = strlen(a->text);
		if (code[0])
			snprintf(a->text + len, sizeof(a->text) - len, "%sreservation error %s",
				 len ? "; " : "", code);
		a->kind = JFOCUS_REFUSED;
	} else if (invalid || !strcmp(c, "not-acceptable")) {
		a->kind = JFOCUS_SESSION_INVALID;
	} else if (!strcmp(c, "not-authorized")) {
		a->kind = JFOCUS_AUTH;
	} else if (!strcmp(c, "remote-server-not-found") || !strcmp(c, "remote-server-timeout") ||
		   !strcmp(c, "item-not-found") || !strcmp(c, "service-unavailable") ||
		   !strcmp(c, "recipient-unavailable") || !strcmp(c, "not-allowed") ||
		   !strcmp(c, "gone")) {
		a->kind = JFOCUS_ABSENT;
	} else if (!strcmp(c, "forbidden") || !strcmp(c, "policy-violation") ||
		   !strcmp(c, "registration-required") || !strcmp(c, "conflict")) {
		a->kind = JFOCUS_REFUSED;
	} else {
		a->kind = JFOCUS_FAILED;
	}
}

int jfocus_parse(const struct xml_node *iq, struct jfocus_answer *a)
{
	memset(a, 0, sizeof(*a));
	const char *type = xml_attr(iq, "type");
	if (type && !strcmp(type, "error")) {
		parse_error(iq, a);
		return 0;
	}
	const struct xml_node *conf = xml_child(iq, JFOCUS_NS, "conference");
	if (!type || strcmp(type, "result") || !conf) {
		a->kind = JFOCUS_FAILED;
		snprintf(a->cond, sizeof(a->cond), "malformed");
		snprintf(a->text, sizeof(a->text), "the answer has no conference element");
		return 0;
	}
	const char *ready = xml_attr(conf, "ready"), *vnode = xml_attr(conf, "vnode");
	keep_token(xml_attr(conf, "focusjid"), a->focusjid, sizeof(a->focusjid), "@.-_");
	keep_token(xml_attr(conf, "session-id"), a->session_id, sizeof(a->session_id), "-_.:+/=");
	a->auth_enabled = has_property(conf, "authentication", "true");
	if (has_property(conf, "live", "false"))
		a->kind = JFOCUS_NOT_LIVE;
	else if (!ready || strcmp(ready, "true"))
		a->kind = JFOCUS_NOT_READY;
	else if (vnode && *vnode) {
		a->kind = JFOCUS_REDIRECT;
		text_sanitize(vnode, strlen(vnode), a->vnode, sizeof(a->vnode), false);
	} else
		a->kind = JFOCUS_READY;
	return 0;
}

unsigned jfocus_backoff_ms(unsigned n)
{
	unsigned ms = 1000;
	for (unsigned i = 1; i < n && ms < JFOCUS_BACKOFF_MAX_MS; i++)
		ms *= 2;
	return ms < JFOCUS_BACKOFF_MAX_MS ? ms : JFOCUS_BACKOFF_MAX_MS;
}

bool jfocus_is_focus_jid(const char *focusjid, const char *full)
{
	size_t n = focusjid ? strlen(focusjid) : 0;
	return n && full && !g_ascii_strncasecmp(full, focusjid, n) && full[n] == '/';
}

/* ---- the driver ---- */

struct jfocus {
	GMainContext *main;
	struct jfocus_cbs cb;
	void *user;
	char *focus, *room_jid, *token; /* token: secret memory */
	char machine_uid[33];
	char session_id[JFOCUS_SESSION_MAX];
	unsigned answer_ms;
	unsigned long seq;
	char id[32];             /* the request waiting for its answer; "" if none */
	unsigned not_ready;      /* not-ready answers so far (the backoff) */
	unsigned invalid;        /* session-invalid answers in a row */
	bool told_focus, told_host, told_live;
	bool logged_in;
	GSource *timer;          /* the answer's deadline, or the next request */
};

static void timer_cb(void *data);

static void arm(struct jfocus *f, unsigned ms)
{
	loop_once(&f->timer, f->main, ms, timer_cb, f);
}

static int send_request(struct jfocus *f)
{
	char *buf = g_malloc(REQ_MAX);
	struct jfocus_req r = { .focus = f->focus, .room_jid = f->room_jid,
				.machine_uid = f->machine_uid,
				.session_id = f->session_id[0] ? f->session_id : NULL,
				.token = f->token, .logged_in = f->logged_in };
	snprintf(f->id, sizeof(f->id), "focus-%lu", ++f->seq);
	int rc = jfocus_request(buf, REQ_MAX, f->id, &r);
	if (rc == 0)
		rc = f->cb.send(f->user, buf);
	explicit_bzero(buf, REQ_MAX);
	g_free(buf);
	if (rc == 0)
		arm(f, f->answer_ms);
	return rc;
}

static void timer_cb(void *data)
{
	struct jfocus *f = data;
	if (f->id[0]) { /* the answer did not come */
		char msg[512];
		f->id[0] = '\0';
		snprintf(msg, sizeof(msg), "the focus %s did not answer the conference request "
			 "within %.0f s", f->focus, f->answer_ms / 1000.0);
		f->cb.failed(f->user, TTM_EXIT_SERVER, false, msg);
		return;
	}
	if (send_request(f) < 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "cannot send the conference request to %s", f->focus);
		f->cb.failed(f->user, TTM_EXIT_SERVER, false, msg);
	}
}

int jfocus_create(GMainContext *main, const struct jfocus_req *r, unsigned answer_ms,
		  const struct jfocus_cbs *cb, void *user, struct jfocus **out)
{
	struct jfocus *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->main = main;
	f->cb = *cb;
	f->user = user;
	f->answer_ms = answer_ms;
	f->logged_in = r->logged_in;
	f->focus = strdup(r->focus);
	f->room_jid = strdup(r->room_jid);
	if (r->token && (f->token = calloc(1, strlen(r->token) + 1)))
		memcpy(f->token, r->token, strlen(r->token) + 1);
	if (!f->focus || !f->room_jid || (r->token && !f->token)) {
		jfocus_destroy(f);
		return -ENOMEM;
	}
	if (r->machine_uid)
		snprintf(f->machine_uid, sizeof(f->machine_uid), "%s", r->machine_uid);
	else
		for (int i = 0; i < 4; i++)
			snprintf(f->machine_uid + 8 * i, 9, "%08x", g_random_int());
	*out = f;
	return 0;
}

void jfocus_destroy(struct jfocus *f)
{
	if (!f)
		return;
	loop_source_drop(&f->timer);
	free(f->focus);
	free(f->room_jid);
	secret_free(f->token);
	free(f);
}

int jfocus_start(struct jfocus *f)
{
	return send_request(f);
}

static void wait_again(struct jfocus *f, bool *told, const char *kind, const char *msg,
		       unsigned ms)
{
	if (!*told) {
		*told = true;
		f->cb.waiting(f->user, kind, msg);
	}
	arm(f, ms);
}

bool jfocus_stanza(struct jfocus *f, const struct xml_node *iq)
{
	const char *id = xml_attr(iq, "id"), *type = xml_attr(iq, "type");
	const char *from = xml_attr(iq, "from");
	size_t fl = strlen(f->focus);
	if (!f->id[0] || !id || strcmp(id, f->id) || !type ||
	    (strcmp(type, "result") && strcmp(type, "error")))
		return false;
	/* only the focus answers for the focus (the server answers in its name) */
	if (!from || g_ascii_strncasecmp(from, f->focus, fl) || (from[fl] && from[fl] != '/'))
		return false;
	f->id[0] = '\0';
	loop_source_drop(&f->timer);
	struct jfocus_answer a;
	char msg[768];
	jfocus_parse(iq, &a);
	if (a.session_id[0])
		memcpy(f->session_id, a.session_id, sizeof(f->session_id));
	if (a.kind != JFOCUS_SESSION_INVALID)
		f->invalid = 0;
	switch (a.kind) {
	case JFOCUS_READY:
		f->cb.ready(f->user, &a);
		break;
	case JFOCUS_NOT_READY:
		wait_again(f, &f->told_focus, "focus", "the focus is not ready for this meeting "
			   "yet: asking again", jfocus_backoff_ms(++f->not_ready));
		break;
	case JFOCUS_NOT_LIVE:
		wait_again(f, &f->told_live, "live", "the meeting has not started yet: waiting "
			   "for it to start", jfocus_backoff_ms(++f->not_ready));
		break;
	case JFOCUS_AUTH:
		if (f->token || f->logged_in) { /* our credentials do not let us start it */
			snprintf(msg, sizeof(msg), "the focus refused our %s: not authorized%s%s",
				 f->token ? "token" : "login", a.text[0] ? ": " : "", a.text);
			f->cb.failed(f->user, TTM_EXIT_ROOM, false, msg);
			break;
		}
		wait_again(f, &f->told_host, "host", "the meeting has not started yet: waiting "
			   "for a moderator to start it (on this server only logged-in users may "
			   "start meetings)", JFOCUS_HOST_WAIT_MS);
		break;
	case JFOCUS_SESSION_INVALID:
		f->session_id[0] = '\0';
		if (++f->invalid > JFOCUS_INVALID_MAX) {
			snprintf(msg, sizeof(msg), "the focus keeps refusing our session (%s%s%s)",
				 a.cond, a.text[0] ? ": " : "", a.text);
			f->cb.failed(f->user, TTM_EXIT_SERVER, false, msg);
			break;
		}
		arm(f, jfocus_backoff_ms(f->invalid));
		break;
	case JFOCUS_REDIRECT:
		snprintf(msg, sizeof(msg), "the meeting sends us to its visitor node '%s' (it is "
			 "full, or only visitors may join now); ttymeet does not join as a visitor",
			 a.vnode);
		f->cb.failed(f->user, TTM_EXIT_ROOM, false, msg);
		break;
	case JFOCUS_ABSENT:
		snprintf(msg, sizeof(msg), "no focus answers at %s (%s%s%s)", f->focus, a.cond,
			 a.text[0] ? ": " : "", a.text);
		f->cb.failed(f->user, TTM_EXIT_SERVER, true, msg);
		break;
	case JFOCUS_REFUSED:
		snprintf(msg, sizeof(msg), "the focus refused the conference request: %s%s%s",
			 a.cond, a.text[0] ? ": " : "", a.text);
		f->cb.failed(f->user, TTM_EXIT_ROOM, false, msg);
		break;
	case JFOCUS_FAILED:
		snprintf(msg, sizeof(msg), "the focus could not set up the meeting: %s%s%s", a.cond,
			 a.text[0] ? ": " : "", a.text);
		f->cb.failed(f->user, TTM_EXIT_SERVER, false, msg);
		break;
	}
	return true;
}
