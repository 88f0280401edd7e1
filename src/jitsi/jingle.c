/* Jingle ↔ SDP, sources, session-terminate and error answers (see jingle.h). Reading: every
 * value from the <jingle> element is checked before it is written into an SDP line
 * (jingle_token_ok, line_ok, num), so a hostile value can neither add a line nor split one; the
 * SDP is parsed again by its user. JSON-encoded sources are parsed with jansson, bounded and
 * checked whole before any is reported (the format and its sources: above json_walk).
 * Writing: every value is escaped for XML (put_esc, through xml_escape). Pure code, any thread.
 */
#include "src/jitsi/jingle.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "util/sbuf.h"

#define NS_RTP "urn:xmpp:jingle:apps:rtp:1"
#define NS_ICE "urn:xmpp:jingle:transports:ice-udp:1"
#define NS_DTLS "urn:xmpp:jingle:apps:dtls:0"
#define NS_GROUP "urn:xmpp:jingle:apps:grouping:0"
#define NS_GROUP_OLD "urn:ietf:rfc:5888"
#define NS_SSMA "urn:xmpp:jingle:apps:rtp:ssma:0"
#define NS_FB "urn:xmpp:jingle:apps:rtp:rtcp-fb:0"
#define NS_HDREXT "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0"
#define NS_JITMEET "http://jitsi.org/jitmeet"
#define NS_SCTP "urn:xmpp:jingle:transports:dtls-sctp:1"

#define VALUE_MAX 200 /* an a=ssrc parameter value, an fmtp parameter */

static const struct {
	const char *name;
	enum jingle_action action;
} actions[] = {
	{ "session-initiate", JINGLE_SESSION_INITIATE },
	{ "session-accept", JINGLE_SESSION_ACCEPT },
	{ "session-terminate", JINGLE_SESSION_TERMINATE },
	{ "session-info", JINGLE_SESSION_INFO },
	{ "transport-info", JINGLE_TRANSPORT_INFO },
	{ "source-add", JINGLE_SOURCE_ADD },
	{ "source-remove", JINGLE_SOURCE_REMOVE },
	{ "content-modify", JINGLE_CONTENT_MODIFY },
	{ "transport-replace", JINGLE_TRANSPORT_REPLACE },
	{ "description-info", JINGLE_DESCRIPTION_INFO },
	{ "content-accept", JINGLE_UNSUPPORTED },
	{ "content-add", JINGLE_UNSUPPORTED },
	{ "content-reject", JINGLE_UNSUPPORTED },
	{ "content-remove", JINGLE_UNSUPPORTED },
	{ "security-info", JINGLE_UNSUPPORTED },
	{ "transport-accept", JINGLE_UNSUPPORTED },
	{ "transport-reject", JINGLE_UNSUPPORTED },
};

enum jingle_action jingle_action_of(const struct xml_node *jingle)
{
	const char *a = jingle && xml_is(jingle, NS_JINGLE, "jingle") ? xml_attr(jingle, "action")
								      : NULL;
	for (size_t i = 0; a && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(a, actions[i].name))
			return actions[i].action;
	return JINGLE_OTHER;
}

/* ---- checks on what the remote party wrote ---- */

bool jingle_token_ok(const char *s, size_t max)
{
	size_t n = 0;
	if (!s || !*s)
		return false;
	for (; s[n]; n++)
		if (n >= max || (unsigned char)s[n] <= 0x20 || (unsigned char)s[n] >= 0x7f)
			return false;
	return true;
}

/* 1..max printable ASCII characters, single blanks allowed inside (e.g. an msid). */
static bool line_ok(const char *s, size_t max)
{
	size_t n = 0;
	if (!s || !*s || *s == ' ')
		return false;
	for (; s[n]; n++)
		if (n >= max || (unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7f)
			return false;
	return s[n - 1] != ' ';
}

/* A decimal number 0..max (at most 10 digits, no sign or blanks). */
static bool num(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t n = 0;
	if (!s || !*s)
		return false;
	for (; s[n]; n++) {
		if (n >= 10 || s[n] < '0' || s[n] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[n] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* The next sibling after n (or n itself when first) named name in ns. */
static const struct xml_node *next_named(const struct xml_node *n, const char *ns,
					 const char *name)
{
	for (; n; n = n->next)
		if (xml_is(n, ns, name))
			return n;
	return NULL;
}

#define EACH(var, parent, ns, name)                                                  \
	for (const struct xml_node *var = next_named((parent)->child, ns, name); var; \
	     var = next_named(var->next, ns, name))

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- Jingle → SDP ---- */

/* The SDP direction of a content's senders, seen from the side that wrote the element: the
 * initiator (a session-initiate: the offer) or the responder (a session-accept: the answer). */
static const char *dir_of_senders(const char *senders, bool responder)
{
	if (!senders || !strcmp(senders, "both"))
		return "sendrecv";
	if (!strcmp(senders, "initiator"))
		return responder ? "recvonly" : "sendonly";
	if (!strcmp(senders, "responder"))
		return responder ? "sendonly" : "recvonly";
	if (!strcmp(senders, "none"))
		return "inactive";
	return NULL;
}

/* One payload type's a=rtpmap, a=fmtp and a=rtcp-fb lines. */
static int put_payload(struct sbuf *b, const struct xml_node *pt, unsigned long id,
		       char *err, size_t errlen)
{
	const char *name = xml_attr(pt, "name");
	unsigned long clock = 0, ch = 0;
	if (!jingle_token_ok(name, 31) || !num(xml_attr(pt, "clockrate"), 1000000000UL, &clock) ||
	    (xml_attr(pt, "channels") && !num(xml_attr(pt, "channels"), 8, &ch)))
		return fail(err, errlen, "payload type %lu: bad name, clock rate or channels", id);
	if (ch > 1)
		sbuf_put(b, "a=rtpmap:%lu %s/%lu/%lu\r\n", id, name, clock, ch);
	else
		sbuf_put(b, "a=rtpmap:%lu %s/%lu\r\n", id, name, clock);
	bool first = true;
	EACH(p, pt, NS_RTP, "parameter") {
		const char *k = xml_attr(p, "name"), *v = xml_attr(p, "value");
		if (!k || !v || (*k && !jingle_token_ok(k, 64)) || strchr(k, ';') || strchr(k, '=') ||
		    !jingle_token_ok(v, VALUE_MAX) || strchr(v, ';'))
			return fail(err, errlen, "payload type %lu: bad parameter", id);
		if (first)
			sbuf_put(b, "a=fmtp:%lu ", id);
		else
			sbuf_put(b, ";");
		first = false;
		if (*k)
			sbuf_put(b, "%s=%s", k, v);
		else
			sbuf_put(b, "%s", v); /* a value without a name, e.g. RED's "111/111" */
	}
	if (!first)
		sbuf_put(b, "\r\n");
	EACH(fb, pt, NS_FB, "rtcp-fb") {
		const char *type = xml_attr(fb, "type"), *sub = xml_attr(fb, "subtype");
		if (!jingle_token_ok(type, 23) || (sub && !jingle_token_ok(sub, 23)))
			return fail(err, errlen, "payload type %lu: bad rtcp-fb", id);
		sbuf_put(b, "a=rtcp-fb:%lu %s%s%s\r\n", id, type, sub ? " " : "", sub ? sub : "");
	}
	return 0;
}

static int put_sources(struct sbuf *b, const struct xml_node *desc, char *err, size_t errlen)
{
	EACH(g, desc, NS_SSMA, "ssrc-group") {
		const char *sem = xml_attr(g, "semantics");
		if (!jingle_token_ok(sem, 15))
			return fail(err, errlen, "a source group without semantics");
		sbuf_put(b, "a=ssrc-group:%s", sem);
		EACH(s, g, NS_SSMA, "source") {
			unsigned long ssrc;
			if (!num(xml_attr(s, "ssrc"), UINT32_MAX, &ssrc))
				return fail(err, errlen, "a source group with a bad ssrc");
			sbuf_put(b, " %lu", ssrc);
		}
		sbuf_put(b, "\r\n");
	}
	EACH(s, desc, NS_SSMA, "source") {
		unsigned long ssrc;
		if (!num(xml_attr(s, "ssrc"), UINT32_MAX, &ssrc))
			return fail(err, errlen, "a source with a bad ssrc");
		bool any = false;
		EACH(p, s, NS_SSMA, "parameter") {
			const char *k = xml_attr(p, "name"), *v = xml_attr(p, "value");
			if (!jingle_token_ok(k, 32) || strchr(k, ':') || (v && *v && !line_ok(v, VALUE_MAX)))
				return fail(err, errlen, "source %lu: bad parameter", ssrc);
			if (v && *v)
				sbuf_put(b, "a=ssrc:%lu %s:%s\r\n", ssrc, k, v);
			else
				sbuf_put(b, "a=ssrc:%lu %s\r\n", ssrc, k);
			any = true;
		}
		if (!any) /* a source is an SSRC even without parameters */
			sbuf_put(b, "a=ssrc:%lu cname:-\r\n", ssrc);
	}
	return 0;
}

static int put_transport(struct sbuf *b, const struct xml_node *tr, const char *content,
			 char *err, size_t errlen)
{
	const char *ufrag = xml_attr(tr, "ufrag"), *pwd = xml_attr(tr, "pwd");
	if (!jingle_token_ok(ufrag, SDP_ICE_LEN) || !jingle_token_ok(pwd, SDP_ICE_LEN))
		return fail(err, errlen, "content %s: no ICE credentials", content);
	sbuf_put(b, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", ufrag, pwd);
	const struct xml_node *fp = xml_child(tr, NS_DTLS, "fingerprint");
	if (!fp || !jingle_token_ok(xml_attr(fp, "hash"), 15) || !jingle_token_ok(fp->text, SDP_FP_STR_LEN))
		return fail(err, errlen, "content %s: no DTLS fingerprint", content);
	const char *setup = xml_attr(fp, "setup");
	if (setup && strcmp(setup, "actpass") && strcmp(setup, "active") &&
	    strcmp(setup, "passive"))
		return fail(err, errlen, "content %s: bad DTLS setup", content);
	sbuf_put(b, "a=fingerprint:%s %s\r\na=setup:%s\r\n", xml_attr(fp, "hash"), fp->text,
		 setup ? setup : "actpass");
	EACH(c, tr, NS_ICE, "candidate") {
		char line[256];
		if (jingle_candidate_to_sdp(c, line, sizeof(line)) > 0)
			sbuf_put(b, "a=candidate:%s\r\n", line);
		/* one candidate we cannot use is skipped, as the SDP parser skips it */
	}
	return 0;
}

static int put_content(struct sbuf *b, const struct xml_node *c, bool responder, char *err,
		       size_t errlen)
{
	const char *name = xml_attr(c, "name");
	if (!jingle_token_ok(name, SDP_MID_LEN))
		return fail(err, errlen, "a content without a usable name");
	const char *dir = dir_of_senders(xml_attr(c, "senders"), responder);
	const struct xml_node *desc = xml_child(c, NS_RTP, "description");
	const struct xml_node *tr = xml_child(c, NS_ICE, "transport");
	if (!dir)
		return fail(err, errlen, "content %s: bad senders", name);
	if (!tr)
		return fail(err, errlen, "content %s: no ICE-UDP transport", name);
	const char *media = desc ? xml_attr(desc, "media") : NULL;
	const struct xml_node *sctp = xml_child(tr, NS_SCTP, "sctpmap");
	if ((media && !strcmp(media, "application")) || (!desc && sctp)) {
		unsigned long port = 5000;
		if (sctp && !num(xml_attr(sctp, "number"), 65535, &port))
			return fail(err, errlen, "content %s: bad SCTP port", name);
		sbuf_put(b, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
			 "c=IN IP4 0.0.0.0\r\na=mid:%s\r\na=sctp-port:%lu\r\n", name, port);
		return put_transport(b, tr, name, err, errlen);
	}
	if (!desc || !media || (strcmp(media, "audio") && strcmp(media, "video")))
		return fail(err, errlen, "content %s: neither audio, video nor data", name);

	/* the m= line: its payload types in order; none: a content we cannot take (port 0) */
	sbuf_put(b, "m=%s ", media);
	unsigned n = 0;
	EACH(pt, desc, NS_RTP, "payload-type") {
		unsigned long id;
		if (!num(xml_attr(pt, "id"), 127, &id))
			return fail(err, errlen, "content %s: bad payload type id", name);
		sbuf_put(b, "%s%lu", n++ ? " " : "9 UDP/TLS/RTP/SAVPF ", id);
	}
	if (!n)
		sbuf_put(b, "0 UDP/TLS/RTP/SAVPF 0");
	sbuf_put(b, "\r\nc=IN IP4 0.0.0.0\r\na=mid:%s\r\na=%s\r\n", name, n ? dir : "inactive");
	if (xml_child(desc, NS_RTP, "rtcp-mux") || xml_child(tr, NS_ICE, "rtcp-mux"))
		sbuf_put(b, "a=rtcp-mux\r\n");
	int rc = put_transport(b, tr, name, err, errlen);
	if (rc < 0)
		return rc;
	EACH(pt, desc, NS_RTP, "payload-type") {
		unsigned long id;
		num(xml_attr(pt, "id"), 127, &id); /* checked above */
		if ((rc = put_payload(b, pt, id, err, errlen)) < 0)
			return rc;
	}
	unsigned long maxptime;
	if (xml_attr(desc, "maxptime") && num(xml_attr(desc, "maxptime"), 1000, &maxptime))
		sbuf_put(b, "a=maxptime:%lu\r\n", maxptime);
	EACH(x, desc, NS_HDREXT, "rtp-hdrext") {
		unsigned long id;
		const char *uri = xml_attr(x, "uri");
		if (!num(xml_attr(x, "id"), 255, &id) || id == 0 || !jingle_token_ok(uri, 95))
			return fail(err, errlen, "content %s: bad header extension", name);
		sbuf_put(b, "a=extmap:%lu %s\r\n", id, uri);
	}
	return put_sources(b, desc, err, errlen);
}

int jingle_to_sdp(const struct xml_node *jingle, char *out, size_t cap, char *err,
		  size_t errlen)
{
	struct sbuf b = { .p = out, .cap = cap };
	if (!jingle || !xml_is(jingle, NS_JINGLE, "jingle"))
		return fail(err, errlen, "not a Jingle element");
	if (cap)
		out[0] = '\0';
	sbuf_put(&b, "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
	for (const struct xml_node *g = jingle->child; g; g = g->next) {
		bool cur = xml_is(g, NS_GROUP, "group"), old = xml_is(g, NS_GROUP_OLD, "group");
		const char *sem = xml_attr(g, cur ? "semantics" : "type");
		if (!(cur || old) || !sem || strcmp(sem, "BUNDLE"))
			continue;
		sbuf_put(&b, "a=group:BUNDLE");
		EACH(c, g, g->ns, "content") {
			if (!jingle_token_ok(xml_attr(c, "name"), SDP_MID_LEN))
				return fail(err, errlen, "a BUNDLE group with a bad content name");
			sbuf_put(&b, " %s", xml_attr(c, "name"));
		}
		sbuf_put(&b, "\r\n");
		break;
	}
	unsigned n = 0;
	bool responder = jingle_action_of(jingle) == JINGLE_SESSION_ACCEPT;
	EACH(c, jingle, NS_JINGLE, "content") {
		if (++n > SDP_MAX_MLINES)
			return fail(err, errlen, "more than %d contents", SDP_MAX_MLINES);
		int rc = put_content(&b, c, responder, err, errlen);
		if (rc < 0) {
			if (cap)
				out[0] = '\0';
			return rc;
		}
	}
	if (!n)
		return fail(err, errlen, "a Jingle session without contents");
	return sbuf_end(&b);
}

/* ---- sources ---- */

static enum sdp_kind kind_of(const char *media)
{
	return !media ? SDP_KIND_OTHER
	       : !strcmp(media, "audio") ? SDP_KIND_AUDIO
	       : !strcmp(media, "video") ? SDP_KIND_VIDEO : SDP_KIND_OTHER;
}

/* Fills the optional parts of a source report: each is copied only if it is a bounded token
 * (an msid: a bounded line, it has one blank inside), else left "". */
static void source_details(struct jingle_source *src, const char *owner, const char *name,
			   const char *msid)
{
	if (jingle_token_ok(owner, JINGLE_OWNER_MAX - 1))
		strcpy(src->owner, owner);
	if (jingle_token_ok(name, JINGLE_SOURCE_NAME_MAX - 1))
		strcpy(src->name, name);
	if (line_ok(msid, JINGLE_MSID_MAX - 1))
		strcpy(src->msid, msid);
}

const char *jingle_owner_endpoint(const char *owner)
{
	const char *slash = owner ? strchr(owner, '/') : NULL;
	return slash && slash[1] ? slash + 1 : owner ? owner : "";
}

/* The sources written as XML: <source ssrc name><parameter name='msid'/><ssrc-info owner/>
 * (XEP-0339 with Jitsi's owner) in each content's description. */
static int xml_sources(const struct xml_node *jingle,
		       void (*fn)(void *user, const struct jingle_source *src), void *user)
{
	int count = 0;
	EACH(c, jingle, NS_JINGLE, "content") {
		const struct xml_node *desc = xml_child(c, NS_RTP, "description");
		if (!desc)
			continue;
		enum sdp_kind kind = kind_of(xml_attr(desc, "media"));
		EACH(s, desc, NS_SSMA, "source") {
			struct jingle_source src = { .kind = kind };
			unsigned long ssrc;
			if (!num(xml_attr(s, "ssrc"), UINT32_MAX, &ssrc) || ssrc == 0)
				continue;
			src.ssrc = (uint32_t)ssrc;
			const struct xml_node *info = xml_child(s, NS_JITMEET, "ssrc-info");
			const char *msid = NULL;
			EACH(p, s, NS_SSMA, "parameter") {
				const char *k = xml_attr(p, "name");
				if (k && !strcmp(k, "msid")) {
					msid = xml_attr(p, "value");
					break;
				}
			}
			source_details(&src, info ? xml_attr(info, "owner") : NULL, xml_attr(s, "name"),
				       msid);
			if (fn)
				fn(user, &src);
			count++;
		}
	}
	return count;
}

/* The sources written as JSON ("json-encoded-sources": jicofo sends them so to a client that
 * advertises http://jitsi.org/json-encoded-sources, as today's lib-jitsi-meet always does).
 * Read from jicofo's encoder (jitsi/jicofo: ConferenceSourceMap.compactJson,
 * EndpointSourceSet.compactJson, Source.compactJson, SsrcGroup.compactJson; the element is
 * JingleSession.kt's toJsonMessageExtension, added as a child of <jingle> to session-initiate,
 * source-add, source-remove and transport-replace) and lib-jitsi-meet's decoder
 * (modules/xmpp/JingleHelperFunctions.ts expandSourcesFromJson, called by strophe.jingle.js
 * for every jingle>json-message). The text of <json-message xmlns='http://jitsi.org/jitmeet'>:
 *   {"sources": {"<owner>": [videoSources, videoGroups, audioSources, audioGroups], ...}}
 * with the owner an endpoint id (a MUC nick) or "jvb" (the bridge's own sources); trailing
 * empty lists may be left out; each source {"s": ssrc, "n": name?, "m": msid?, "v": "d"?
 * (desktop)}; each group ["f" (FID) or "s" (SIM), ssrc, ...]. Groups are not reported (the
 * media engine takes every SSRC on its own); keys we do not know ("v", "c", ...) are
 * ignored; a json-message without "sources" is another kind of message and ignored.
 *
 * Untrusted and bounded: at most JINGLE_JSON_MESSAGES_MAX json-messages of JINGLE_JSON_MAX
 * bytes, JINGLE_JSON_SOURCES_MAX sources in all (-E2BIG); nesting is bounded by jansson's
 * parser; text that is not JSON, or JSON not of that shape, is -EINVAL. All is checked
 * before anything is reported, so a refused stanza reports nothing. A source whose ssrc is
 * not 1..2^32-1 (a number, or a decimal string as lib-jitsi-meet's types allow) is skipped
 * as in XML; an owner, name or msid that is not a bounded token is left "". */
struct json_walk {
	void (*fn)(void *user, const struct jingle_source *src);
	void *user;
	bool report; /* false: check and count only */
	unsigned n;  /* sources seen */
	int count;   /* sources reported */
};

static int json_source(json_t *o, enum sdp_kind kind, const char *owner, struct json_walk *w)
{
	json_t *s = json_object_get(o, "s");
	unsigned long ssrc = 0;
	if (!json_is_object(o))
		return -EINVAL;
	if (++w->n > JINGLE_JSON_SOURCES_MAX)
		return -E2BIG;
	if (json_is_integer(s) && json_integer_value(s) > 0 &&
	    json_integer_value(s) <= (json_int_t)UINT32_MAX)
		ssrc = (unsigned long)json_integer_value(s);
	else if (!json_is_string(s) || !num(json_string_value(s), UINT32_MAX, &ssrc))
		ssrc = 0;
	if (!w->report || ssrc == 0)
		return 0;
	struct jingle_source src = { .ssrc = (uint32_t)ssrc, .kind = kind };
	source_details(&src, owner, json_string_value(json_object_get(o, "n")),
		       json_string_value(json_object_get(o, "m")));
	if (w->fn)
		w->fn(w->user, &src);
	w->count++;
	return 0;
}

static int json_sources(json_t *root, struct json_walk *w)
{
	static const struct { size_t idx; enum sdp_kind kind; } lists[] = {
		{ 0, SDP_KIND_VIDEO }, { 2, SDP_KIND_AUDIO } /* 1 and 3: the groups */
	};
	json_t *sources = json_object_get(root, "sources"), *set, *o;
	const char *owner;
	size_t i;
	if (!sources)
		return 0;
	if (!json_is_object(sources))
		return -EINVAL;
	json_object_foreach(sources, owner, set) {
		if (!json_is_array(set))
			return -EINVAL;
		for (unsigned l = 0; l < 2; l++) {
			json_t *list = json_array_get(set, lists[l].idx);
			if (list && !json_is_array(list))
				return -EINVAL;
			json_array_foreach(list, i, o) {
				int rc = json_source(o, lists[l].kind, owner, w);
				if (rc < 0)
					return rc;
			}
		}
	}
	return 0;
}

int jingle_sources(const struct xml_node *jingle,
		   void (*fn)(void *user, const struct jingle_source *src), void *user)
{
	json_t *msg[JINGLE_JSON_MESSAGES_MAX];
	unsigned n = 0;
	int rc = 0;
	if (!jingle)
		return 0;
	EACH(m, jingle, NS_JITMEET, "json-message") {
		size_t len = strlen(m->text);
		if (n == JINGLE_JSON_MESSAGES_MAX || len > JINGLE_JSON_MAX) {
			rc = -E2BIG;
			goto out;
		}
		if (!(msg[n] = json_loadb(m->text, len, JSON_REJECT_DUPLICATES, NULL))) {
			rc = -EINVAL;
			goto out;
		}
		n++;
		if (!json_is_object(msg[n - 1])) { /* (a macro: no n++ inside) */
			rc = -EINVAL;
			goto out;
		}
	}
	struct json_walk w = { .fn = fn, .user = user };
	for (unsigned i = 0; i < n && rc == 0; i++)
		rc = json_sources(msg[i], &w); /* everything checked first ... */
	if (rc < 0)
		goto out;
	w.report = true; /* ... then reported */
	w.n = 0;
	w.count = xml_sources(jingle, fn, user);
	for (unsigned i = 0; i < n; i++)
		json_sources(msg[i], &w);
	rc = w.count;
out:
	for (unsigned i = 0; i < n; i++)
		json_decref(msg[i]);
	return rc;
}

/* ---- candidates ---- */

int jingle_candidate_to_sdp(const struct xml_node *c, char *out, size_t cap)
{
	const char *f = xml_attr(c, "foundation"), *proto = xml_attr(c, "protocol");
	const char *ip = xml_attr(c, "ip"), *type = xml_attr(c, "type");
	const char *raddr = xml_attr(c, "rel-addr"), *tcptype = xml_attr(c, "tcptype");
	unsigned long comp, prio, port, rport = 0, gen = 0;
	if (!jingle_token_ok(f, 32) || !jingle_token_ok(proto, 3) || !jingle_token_ok(ip, 63) || !jingle_token_ok(type, 5) ||
	    !num(xml_attr(c, "component"), 256, &comp) ||
	    !num(xml_attr(c, "priority"), UINT32_MAX, &prio) ||
	    !num(xml_attr(c, "port"), 65535, &port) ||
	    (raddr && (!jingle_token_ok(raddr, 63) || !num(xml_attr(c, "rel-port"), 65535, &rport))) ||
	    (tcptype && !jingle_token_ok(tcptype, 7)) ||
	    (xml_attr(c, "generation") && !num(xml_attr(c, "generation"), 255, &gen)))
		return -EINVAL;
	struct sbuf b = { .p = out, .cap = cap };
	sbuf_put(&b, "%s %lu %s %lu %s %lu typ %s", f, comp, proto, prio, ip, port, type);
	if (raddr)
		sbuf_put(&b, " raddr %s rport %lu", raddr, rport);
	if (tcptype)
		sbuf_put(&b, " tcptype %s", tcptype);
	sbuf_put(&b, " generation %lu", gen);
	int n = sbuf_end(&b);
	struct sdp_candidate check;
	if (n > 0 && sdp_candidate_parse(out, &check) < 0) {
		out[0] = '\0';
		return -EINVAL;
	}
	return n;
}

/* ---- SDP → Jingle ---- */

/* Appends s escaped for an XML attribute value or text (xml_escape). */
static void put_esc(struct sbuf *b, const char *s)
{
	if (b->full || !s)
		return;
	int n = xml_escape(s, b->p + b->len, b->cap - b->len);
	if (n < 0)
		b->full = true;
	else
		b->len += (size_t)n;
}

/* Appends " name='value'" (escaped). */
static void put_attr(struct sbuf *b, const char *name, const char *value)
{
	sbuf_put(b, " %s='", name);
	put_esc(b, value);
	sbuf_put(b, "'");
}

static void put_candidate(struct sbuf *b, const struct sdp_candidate *c, unsigned idx)
{
	static const char *const types[] = { "host", "srflx", "prflx", "relay" };
	sbuf_put(b, "<candidate");
	put_attr(b, "foundation", c->foundation);
	sbuf_put(b, " component='%u' protocol='%s' priority='%u'", c->component,
		 c->tcp ? "tcp" : "udp", c->priority);
	put_attr(b, "ip", c->address);
	sbuf_put(b, " port='%u' type='%s' generation='0' network='0' id='c%u'", c->port,
		 types[(unsigned)c->type < 4 ? c->type : 0], idx);
	if (c->rel_addr[0]) {
		put_attr(b, "rel-addr", c->rel_addr);
		sbuf_put(b, " rel-port='%u'", c->rel_port);
	}
	sbuf_put(b, "/>");
}

/* Who sends, from a direction seen by the initiator (our offer) or the responder (our
 * answer). */
static const char *senders_of_dir(enum sdp_dir d, bool initiator)
{
	switch (d) {
	case SDP_DIR_SENDRECV: return "both";
	case SDP_DIR_SENDONLY: return initiator ? "initiator" : "responder";
	case SDP_DIR_RECVONLY: return initiator ? "responder" : "initiator";
	default: return "none";
	}
}

static const char *setup_of(enum sdp_setup s)
{
	return s == SDP_SETUP_ACTIVE ? "active" : s == SDP_SETUP_PASSIVE ? "passive" : "actpass";
}

/* A codec's fmtp "k=v;k2=v2" as <parameter> elements. */
static void put_fmtp(struct sbuf *b, const char *fmtp)
{
	while (*fmtp) {
		const char *end = strchr(fmtp, ';');
		size_t n = end ? (size_t)(end - fmtp) : strlen(fmtp);
		char piece[sizeof(((struct sdp_codec *)0)->fmtp)];
		while (n && *fmtp == ' ')
			fmtp++, n--;
		if (n && n < sizeof(piece)) {
			memcpy(piece, fmtp, n);
			piece[n] = '\0';
			char *eq = strchr(piece, '=');
			if (eq)
				*eq = '\0';
			sbuf_put(b, "<parameter");
			put_attr(b, "name", eq ? piece : "");
			put_attr(b, "value", eq ? eq + 1 : piece);
			sbuf_put(b, "/>");
		}
		fmtp += n;
		if (*fmtp == ';')
			fmtp++;
	}
}

static void put_description(struct sbuf *b, const struct sdp_session *s,
			    const struct sdp_media *m, const struct jingle_accept *o)
{
	bool audio = m->kind == SDP_KIND_AUDIO;
	sbuf_put(b, "<description xmlns='" NS_RTP "' media='%s'", audio ? "audio" : "video");
	if (m->n_ssrcs)
		sbuf_put(b, " ssrc='%u'", m->ssrcs[0].ssrc);
	sbuf_put(b, ">");
	for (unsigned i = 0; i < m->n_codecs; i++) {
		const struct sdp_codec *c = sdp_media_codec(s, m, i);
		sbuf_put(b, "<payload-type id='%u'", c->pt);
		put_attr(b, "name", c->name);
		sbuf_put(b, " clockrate='%u'", c->clock);
		if (c->channels)
			sbuf_put(b, " channels='%u'", c->channels);
		sbuf_put(b, ">");
		put_fmtp(b, c->fmtp);
		for (unsigned k = 0; k < c->n_fb; k++) {
			char type[sizeof(c->fb[0])];
			memcpy(type, c->fb[k], sizeof(type));
			type[sizeof(type) - 1] = '\0';
			char *sub = strchr(type, ' ');
			if (sub)
				*sub++ = '\0';
			sbuf_put(b, "<rtcp-fb xmlns='" NS_FB "'");
			put_attr(b, "type", type);
			if (sub && *sub)
				put_attr(b, "subtype", sub);
			sbuf_put(b, "/>");
		}
		sbuf_put(b, "</payload-type>");
	}
	for (unsigned i = 0; i < m->n_extmaps; i++) {
		sbuf_put(b, "<rtp-hdrext xmlns='" NS_HDREXT "' id='%u'", m->extmaps[i].id);
		put_attr(b, "uri", m->extmaps[i].uri);
		sbuf_put(b, "/>");
	}
	if (m->rtcp_mux)
		sbuf_put(b, "<rtcp-mux/>");
	for (unsigned i = 0; i < m->n_ssrcs; i++) {
		const struct sdp_ssrc *x = &m->ssrcs[i];
		sbuf_put(b, "<source xmlns='" NS_SSMA "' ssrc='%u'", x->ssrc);
		char name[JINGLE_SOURCE_NAME_MAX];
		if (o->endpoint && snprintf(name, sizeof(name), "%s-%c%u", o->endpoint,
					    audio ? 'a' : 'v', i) < (int)sizeof(name))
			put_attr(b, "name", name);
		sbuf_put(b, ">");
		if (x->cname[0]) {
			sbuf_put(b, "<parameter name='cname'");
			put_attr(b, "value", x->cname);
			sbuf_put(b, "/>");
		}
		if (o->endpoint) { /* a stream and track id, as Jitsi clients name them */
			sbuf_put(b, "<parameter name='msid' value='");
			put_esc(b, o->endpoint);
			sbuf_put(b, "-%s-%u ", audio ? "audio" : "video", i);
			put_esc(b, o->endpoint);
			sbuf_put(b, "-%s-%u'/>", audio ? "audio" : "video", i);
		}
		if (o->owner) {
			sbuf_put(b, "<ssrc-info xmlns='" NS_JITMEET "'");
			put_attr(b, "owner", o->owner);
			sbuf_put(b, "/>");
		}
		sbuf_put(b, "</source>");
	}
	for (unsigned i = 0; i < m->n_ssrc_groups; i++) {
		const struct sdp_ssrc_group *g = &m->ssrc_groups[i];
		sbuf_put(b, "<ssrc-group xmlns='" NS_SSMA "'");
		put_attr(b, "semantics", g->semantics);
		sbuf_put(b, ">");
		for (unsigned k = 0; k < g->n; k++)
			sbuf_put(b, "<source ssrc='%u'/>", g->ssrcs[k]);
		sbuf_put(b, "</ssrc-group>");
	}
	sbuf_put(b, "</description>");
}

static int put_accept_transport(struct sbuf *b, const struct sdp_session *s,
				const struct sdp_media *m)
{
	char hex[SDP_FP_STR_LEN + 1];
	if (!m->ice_ufrag[0] || !m->ice_pwd[0] || !m->fp.len ||
	    sdp_fingerprint_to_hex(m->fp.bytes, m->fp.len, hex, sizeof(hex)) < 0)
		return -EINVAL;
	sbuf_put(b, "<transport xmlns='" NS_ICE "'");
	put_attr(b, "ufrag", m->ice_ufrag);
	put_attr(b, "pwd", m->ice_pwd);
	sbuf_put(b, ">");
	if (m->kind == SDP_KIND_APPLICATION)
		sbuf_put(b, "<sctpmap xmlns='" NS_SCTP "' number='%u' protocol='webrtc-datachannel'"
			 " streams='1024'/>", m->sctp_port ? m->sctp_port : 5000);
	if (m->rtcp_mux)
		sbuf_put(b, "<rtcp-mux/>");
	sbuf_put(b, "<fingerprint xmlns='" NS_DTLS "'");
	put_attr(b, "hash", m->fp.alg);
	sbuf_put(b, " setup='%s'>%s</fingerprint>", setup_of(m->setup), hex);
	for (unsigned i = 0; i < m->n_cands; i++)
		put_candidate(b, sdp_media_cand(s, m, i), i);
	sbuf_put(b, "</transport>");
	return 0;
}

static void put_session_head(struct sbuf *b, const char *action, const char *sid,
			     const char *initiator, const char *responder)
{
	sbuf_put(b, "<jingle xmlns='" NS_JINGLE "' action='%s'", action);
	put_attr(b, "sid", sid);
	if (initiator)
		put_attr(b, "initiator", initiator);
	if (responder)
		put_attr(b, "responder", responder);
	sbuf_put(b, ">");
}

int jingle_write_accept(const struct sdp_session *s, const struct jingle_accept *o, char *out,
			size_t cap)
{
	struct sbuf b = { .p = out, .cap = cap };
	if (!s || !o || !o->sid)
		return -EINVAL;
	bool init = o->initiate;
	put_session_head(&b, init ? "session-initiate" : "session-accept", o->sid, o->initiator,
			 init ? NULL : o->responder);
	bool group = false;
	for (unsigned i = 0; i < s->n_bundle; i++) {
		const struct sdp_media *m = sdp_media_by_mid(s, s->bundle[i]);
		if (!m || !m->port)
			continue;
		if (!group)
			sbuf_put(&b, "<group xmlns='" NS_GROUP "' semantics='BUNDLE'>");
		group = true;
		sbuf_put(&b, "<content");
		put_attr(&b, "name", m->mid);
		sbuf_put(&b, "/>");
	}
	if (group)
		sbuf_put(&b, "</group>");
	unsigned contents = 0;
	for (unsigned i = 0; i < s->n_media; i++) {
		const struct sdp_media *m = &s->media[i];
		if (!m->port || !m->mid[0])
			continue; /* refused: not part of the session we accept */
		sbuf_put(&b, "<content creator='%s'", init ? "initiator" : "responder");
		put_attr(&b, "name", m->mid);
		sbuf_put(&b, " senders='%s'>", senders_of_dir(m->dir, init));
		if (m->kind == SDP_KIND_AUDIO || m->kind == SDP_KIND_VIDEO)
			put_description(&b, s, m, o);
		if (put_accept_transport(&b, s, m) < 0) {
			if (cap)
				out[0] = '\0';
			return -EINVAL;
		}
		sbuf_put(&b, "</content>");
		contents++;
	}
	if (!contents) {
		if (cap)
			out[0] = '\0';
		return -EINVAL;
	}
	sbuf_put(&b, "</jingle>");
	return sbuf_end(&b);
}

int jingle_write_transport_info(const char *sid, const char *initiator, const char *content,
				const char *ufrag, const char *pwd, const char *cand,
				char *out, size_t cap)
{
	struct sdp_candidate c;
	if (!sid || !content || !ufrag || !pwd || !cand)
		return -EINVAL;
	if (!strncmp(cand, "candidate:", 10))
		cand += 10;
	if (sdp_candidate_parse(cand, &c) < 0)
		return -EINVAL;
	struct sbuf b = { .p = out, .cap = cap };
	put_session_head(&b, "transport-info", sid, initiator, NULL);
	sbuf_put(&b, "<content creator='initiator'");
	put_attr(&b, "name", content);
	sbuf_put(&b, "><transport xmlns='" NS_ICE "'");
	put_attr(&b, "ufrag", ufrag);
	put_attr(&b, "pwd", pwd);
	sbuf_put(&b, ">");
	put_candidate(&b, &c, 0);
	sbuf_put(&b, "</transport></content></jingle>");
	return sbuf_end(&b);
}

/* ---- session-terminate (XEP-0166 §6.7) ---- */

/* The reason conditions of XEP-0166 §7.4; all but the first need no child element
 * (alternative-session wants the other session's <sid>: read, not written here). */
static const char *const reasons[] = {
	"alternative-session", "busy", "cancel", "connectivity-error", "decline", "expired", "failed-application",
	"failed-transport", "general-error", "gone", "incompatible-parameters", "media-error",
	"security-error", "success", "timeout", "unsupported-applications",
	"unsupported-transports",
};

/* 1..max bytes of UTF-8 without control characters (what XML text may hold, on one line). */
static bool text_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > max || !g_utf8_validate(s, (gssize)n, NULL))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int jingle_write_terminate(const char *sid, const char *reason, const char *text, char *out,
			   size_t cap)
{
	bool known = false;
	for (size_t i = 1; reason && i < sizeof(reasons) / sizeof(reasons[0]); i++)
		known = known || !strcmp(reason, reasons[i]);
	if (cap)
		out[0] = '\0';
	if (!sid || !*sid || !known || (text && !text_ok(text, JINGLE_TEXT_MAX)))
		return -EINVAL;
	struct sbuf b = { .p = out, .cap = cap };
	put_session_head(&b, "session-terminate", sid, NULL, NULL);
	sbuf_put(&b, "<reason><%s/>", reason);
	if (text) {
		sbuf_put(&b, "<text>");
		put_esc(&b, text);
		sbuf_put(&b, "</text>");
	}
	sbuf_put(&b, "</reason></jingle>");
	return sbuf_end(&b);
}

/* ---- error answers (jingle.h: which condition is which kind) ---- */

#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define NS_JINGLE_ERRORS "urn:xmpp:jingle:errors:1"

static const struct {
	const char *type, *cond, *jingle; /* error type, stanza condition, Jingle condition */
} errors[] = {
	[JINGLE_ERR_BAD_REQUEST] = { "modify", "bad-request", NULL },
	[JINGLE_ERR_UNKNOWN_SESSION] = { "cancel", "item-not-found", "unknown-session" },
	[JINGLE_ERR_OUT_OF_ORDER] = { "wait", "unexpected-request", "out-of-order" },
	[JINGLE_ERR_TIE_BREAK] = { "cancel", "conflict", "tie-break" },
	[JINGLE_ERR_UNSUPPORTED_INFO] = { "modify", "feature-not-implemented", "unsupported-info" },
	[JINGLE_ERR_NOT_IMPLEMENTED] = { "cancel", "feature-not-implemented", NULL },
	[JINGLE_ERR_INTERNAL] = { "wait", "internal-server-error", NULL },
};

enum jingle_error jingle_error_of(int rc)
{
	switch (rc) {
	case -EINVAL: return JINGLE_ERR_BAD_REQUEST;
	case -ENOENT: return JINGLE_ERR_UNKNOWN_SESSION;
	case -EALREADY: return JINGLE_ERR_OUT_OF_ORDER;
	case -EBUSY: return JINGLE_ERR_TIE_BREAK;
	case -ENOMSG: return JINGLE_ERR_UNSUPPORTED_INFO;
	case -ENOTSUP: return JINGLE_ERR_NOT_IMPLEMENTED;
	default: return JINGLE_ERR_INTERNAL;
	}
}

int jingle_write_error(enum jingle_error kind, char *out, size_t cap)
{
	if ((unsigned)kind >= sizeof(errors) / sizeof(errors[0]))
		return -EINVAL;
	struct sbuf b = { .p = out, .cap = cap };
	sbuf_put(&b, "<error type='%s'><%s xmlns='" NS_STANZAS "'/>", errors[kind].type,
		 errors[kind].cond);
	if (errors[kind].jingle)
		sbuf_put(&b, "<%s xmlns='" NS_JINGLE_ERRORS "'/>", errors[kind].jingle);
	sbuf_put(&b, "</error>");
	return sbuf_end(&b);
}

const char *jingle_reason_of(const struct xml_node *jingle)
{
	const struct xml_node *r = jingle ? xml_child(jingle, NS_JINGLE, "reason") : NULL;
	if (!r)
		return NULL;
	for (const struct xml_node *k = r->child; k; k = k->next)
		for (size_t i = 0; xml_is(k, NS_JINGLE, k->name) &&
				   i < sizeof(reasons) / sizeof(reasons[0]); i++)
			if (!strcmp(k->name, reasons[i]))
				return reasons[i];
	return "general-error";
}
