/* Jitsi Meet links, /config.js read as text, and the resolved XMPP settings (contract in
 * config.h).
 *
 * config.js is JavaScript from the server. It is tokenized (identifiers, string literals,
 * punctuation; comments skipped) and followed just far enough to know the path of a string
 * literal: object-literal keys nest under the `{` they open, top-level dotted assignments give
 * their path directly. A literal counts only when the next token ends the value (`,` `}` `;`
 * or a new statement); anything else makes it an expression, which is refused. Everything is
 * bounded: the text (JITSI_CONFIGJS_MAX), each string (JITSI_URL_MAX), names (64 bytes) and
 * nesting (64 levels; deeper levels are counted, never recorded).
 */
#include "src/jitsi/config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "src/text.h"

/* ---- values ---- */

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool jitsi_valid_host(const char *s)
{
	size_t n = s ? strlen(s) : 0, label = 0;
	if (n == 0 || n > JITSI_HOST_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0)
				return false; /* empty label */
			label = 0;
		} else if (is_alnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

/* A URL with one of two schemes ("wss://", "ws://"), a host, and no characters that could
 * break out of a quoted value or a terminal line. */
static bool valid_url(const char *s, const char *tls_scheme, const char *plain_scheme)
{
	size_t n = s ? strlen(s) : 0, skip;
	if (n == 0 || n > JITSI_URL_MAX)
		return false;
	if (!strncmp(s, tls_scheme, strlen(tls_scheme)))
		skip = strlen(tls_scheme);
	else if (!strncmp(s, plain_scheme, strlen(plain_scheme)))
		skip = strlen(plain_scheme);
	else
		return false;
	if (s[skip] == '\0' || s[skip] == '/' || s[skip] == '?' || s[skip] == '#')
		return false; /* no host */
	for (size_t i = skip; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("\"'<>\\`{}|^#", c))
			return false;
	}
	return true;
}

bool jitsi_valid_ws_url(const char *s)
{
	return valid_url(s, "wss://", "ws://");
}

bool jitsi_valid_http_url(const char *s)
{
	return valid_url(s, "https://", "http://");
}

/* ---- the link ---- */

static bool has_prefix_ci(const char *s, const char *p)
{
	for (; *p; s++, p++)
		if (lower(*s) != *p)
			return false;
	return true;
}

bool jitsi_is_link(const char *url)
{
	return url && (has_prefix_ci(url, "http://") || has_prefix_ci(url, "https://"));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

static int fail(char *err, size_t errlen, const char *msg)
{
	if (errlen)
		snprintf(err, errlen, "%s", msg);
	return -EINVAL;
}

/* The room: percent-decoded, a clean one-line label without XMPP's forbidden localpart
 * characters, ASCII lowercased. */
static int parse_room(const char *p, size_t n, char *out, char *err, size_t errlen)
{
	size_t o = 0;
	if (n > 0 && p[n - 1] == '/')
		n--; /* https://host/Room/ */
	if (n == 0)
		return fail(err, errlen, "the link names no room: give https://HOST/ROOM");
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '/')
			return fail(err, errlen,
				    "links with a tenant (https://HOST/TENANT/ROOM) are not supported yet");
		if (c == '%') {
			int hi = i + 2 < n ? hexval(p[i + 1]) : -1, lo = i + 2 < n ? hexval(p[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return fail(err, errlen, "the room name in the link has a bad %-escape");
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if ((unsigned char)c < 0x21 || c == 0x7f || strchr("\"&'/:<>@\\", c))
			return fail(err, errlen, "the room name may not contain spaces, controls or \"&'/:<>@\\");
		if (o >= JITSI_ROOM_MAX)
			return fail(err, errlen, "the room name is too long (128 bytes at most)");
		out[o++] = lower(c);
	}
	out[o] = '\0';
	if (!text_is_clean_name(out))
		return fail(err, errlen, "the room name is not clean UTF-8 text");
	return 0;
}

/* host[:port] or [v6][:port] */
static int parse_authority(const char *a, size_t n, struct jitsi_link *out, char *err, size_t errlen)
{
	size_t hn;
	const char *port = NULL;
	if (memchr(a, '@', n))
		return fail(err, errlen, "user names or passwords in the link are not supported (they would show in ps)");
	if (n > 0 && a[0] == '[') {
		const char *close = memchr(a, ']', n);
		if (!close)
			return fail(err, errlen, "the link's IPv6 address has no ']'");
		hn = (size_t)(close - a) + 1;
		for (size_t i = 1; i + 1 < hn; i++)
			if (!(hexval(a[i]) >= 0 || a[i] == ':' || a[i] == '.'))
				return fail(err, errlen, "the link's IPv6 address is not valid");
		if (hn < 3)
			return fail(err, errlen, "the link's IPv6 address is empty");
		if (hn < n && a[hn] != ':')
			return fail(err, errlen, "the link's host is not valid");
		if (hn < n)
			port = a + hn + 1;
	} else {
		const char *colon = memchr(a, ':', n);
		hn = colon ? (size_t)(colon - a) : n;
		if (colon)
			port = colon + 1;
	}
	if (hn == 0 || hn > JITSI_HOST_MAX)
		return fail(err, errlen, "the link has no host or too long a host");
	for (size_t i = 0; i < hn; i++)
		out->host[i] = lower(a[i]);
	out->host[hn] = '\0';
	if (out->host[0] != '[' && !jitsi_valid_host(out->host))
		return fail(err, errlen, "the link's host is not a valid host name");
	out->port = 0;
	if (port) {
		unsigned long v = 0;
		size_t digits = (size_t)(a + n - port);
		if (digits == 0 || digits > 5)
			return fail(err, errlen, "the link's port is not a number from 1 to 65535");
		for (size_t i = 0; i < digits; i++) {
			if (port[i] < '0' || port[i] > '9')
				return fail(err, errlen, "the link's port is not a number from 1 to 65535");
			v = v * 10 + (unsigned long)(port[i] - '0');
		}
		if (v == 0 || v > 65535)
			return fail(err, errlen, "the link's port is not a number from 1 to 65535");
		out->port = (unsigned)v;
	}
	return 0;
}

int jitsi_link_parse(const char *url, struct jitsi_link *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!url || !jitsi_is_link(url))
		return fail(err, errlen, "a Jitsi Meet link starts with https:// (or http:// in a test lab)");
	out->tls = lower(url[4]) == 's';
	const char *a = url + (out->tls ? 8 : 7);
	size_t an = strcspn(a, "/?#");
	int rc = parse_authority(a, an, out, err, errlen);
	if (rc < 0)
		return rc;
	const char *path = a + an;
	size_t pn = strcspn(path, "?#");
	if (pn == 0 || path[0] != '/')
		return fail(err, errlen, "the link names no room: give https://HOST/ROOM");
	rc = parse_room(path + 1, pn - 1, out->room, err, errlen);
	if (rc < 0)
		return rc;
	if (path[pn] == '?') { /* query: ignored, but a token there would be in argv */
		const char *q = path + pn + 1;
		size_t qn = strcspn(q, "#");
		for (size_t i = 0; i < qn; i++)
			if ((i == 0 || q[i - 1] == '&') && qn - i >= 4 && has_prefix_ci(q + i, "jwt="))
				return fail(err, errlen,
					    "a token in the link shows in ps: put it in a file and give --jwt-file FILE (or TTYMEET_JWT)");
	}
	if (out->port)
		snprintf(out->origin, sizeof(out->origin), "%s://%s:%u", out->tls ? "https" : "http",
			 out->host, out->port);
	else
		snprintf(out->origin, sizeof(out->origin), "%s://%s", out->tls ? "https" : "http",
			 out->host);
	return 0;
}

/* ---- config.js ---- */

enum tok_kind { TK_EOF, TK_IDENT, TK_STR, TK_PUNCT };

struct tok {
	enum tok_kind kind;
	char punct;
	bool bad;        /* a string we do not take: unknown escape, substitution, too long */
	size_t len;
	char text[JITSI_URL_MAX + 1]; /* identifiers cut at 64 bytes (then bad) */
};

#define NAME_MAX_LEN 64
#define DEPTH_MAX 64

struct js {
	const char *p, *end;
	struct tok peek;
	bool have_peek;
	char path[DEPTH_MAX * (NAME_MAX_LEN + 2) + 1];
	size_t mark[DEPTH_MAX];
	unsigned depth;  /* may exceed DEPTH_MAX: deeper levels are not recorded */
	struct jitsi_configjs *out;
};

static const char *const key_paths[JITSI_KEY_COUNT] = {
	"config.hosts.domain", "config.hosts.muc", "config.hosts.focus",
	"config.hosts.anonymousdomain", "config.websocket", "config.hosts.authdomain",
	"config.legalUrls.privacy", "config.hiddenDomain",
};

const char *jitsi_key_name(enum jitsi_key k)
{
	return (unsigned)k < JITSI_KEY_COUNT ? key_paths[k] + 7 : "?";
}

static void skip_space(struct js *j)
{
	while (j->p < j->end) {
		char c = *j->p;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			j->p++;
		} else if (c == '/' && j->p + 1 < j->end && j->p[1] == '/') {
			while (j->p < j->end && *j->p != '\n')
				j->p++;
		} else if (c == '/' && j->p + 1 < j->end && j->p[1] == '*') {
			const char *q = j->p + 2;
			while (q + 1 < j->end && !(q[0] == '*' && q[1] == '/'))
				q++;
			j->p = q + 1 < j->end ? q + 2 : j->end;
		} else {
			break;
		}
	}
}

static bool ident_char(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '$';
}

static void lex_string(struct js *j, struct tok *t)
{
	char q = *j->p++;
	t->kind = TK_STR;
	while (j->p < j->end) {
		char c = *j->p++;
		if (c == q)
			goto done;
		if (c == '\n' && q != '`')
			break; /* unterminated: resynchronize at the line end */
		if (c == '$' && q == '`' && j->p < j->end && *j->p == '{')
			t->bad = true; /* a substitution */
		if (c == '\\') {
			if (j->p >= j->end)
				break;
			c = *j->p++;
			if (!strchr("\\'\"/`", c))
				t->bad = true; /* \n, \x41, \u0041, line continuations: not taken */
		}
		if (t->len < JITSI_URL_MAX)
			t->text[t->len++] = c;
		else
			t->bad = true;
	}
	t->bad = true; /* unterminated */
done:
	t->text[t->len] = '\0';
	if (memchr(t->text, '\0', t->len))
		t->bad = true;
}

static void lex(struct js *j, struct tok *t)
{
	t->kind = TK_EOF;
	t->bad = false;
	t->len = 0;
	t->text[0] = '\0';
	skip_space(j);
	if (j->p >= j->end)
		return;
	unsigned char c = (unsigned char)*j->p;
	if (c == '\'' || c == '"' || c == '`') {
		lex_string(j, t);
	} else if (ident_char(c)) {
		t->kind = TK_IDENT;
		while (j->p < j->end && ident_char((unsigned char)*j->p)) {
			if (t->len < NAME_MAX_LEN)
				t->text[t->len++] = *j->p;
			else
				t->bad = true;
			j->p++;
		}
		t->text[t->len] = '\0';
	} else {
		t->kind = TK_PUNCT;
		t->punct = (char)c;
		j->p++;
	}
}

static void next(struct js *j, struct tok *t)
{
	if (j->have_peek) {
		*t = j->peek;
		j->have_peek = false;
	} else {
		lex(j, t);
	}
}

static const struct tok *peek(struct js *j)
{
	if (!j->have_peek) {
		lex(j, &j->peek);
		j->have_peek = true;
	}
	return &j->peek;
}

static void unget(struct js *j, const struct tok *t)
{
	/* only ever after next() without a peek in between */
	j->peek = *t;
	j->have_peek = true;
}

static bool is_punct(const struct tok *t, char c)
{
	return t->kind == TK_PUNCT && t->punct == c;
}

/* Pushes a level named name (NULL or bad: a level no key path can match). */
static void push(struct js *j, const char *name)
{
	if (j->depth < DEPTH_MAX) {
		size_t at = strlen(j->path);
		j->mark[j->depth] = at;
		if (!name || !*name || strlen(name) > NAME_MAX_LEN * 4)
			name = "?";
		/* a dotted name of several levels is cut at the bound; then it cannot match */
		snprintf(j->path + at, sizeof(j->path) - at, "%s%s", at ? "." : "", name);
	}
	j->depth++;
}

static void pop(struct js *j)
{
	if (j->depth == 0)
		return;
	j->depth--;
	if (j->depth < DEPTH_MAX)
		j->path[j->mark[j->depth]] = '\0';
}

static int key_of(const char *path)
{
	if (!strncmp(path, "window.", 7))
		path += 7;
	for (int k = 0; k < JITSI_KEY_COUNT; k++)
		if (!strcmp(path, key_paths[k]))
			return k;
	return -1;
}

static void record(struct js *j, const char *path, const struct tok *v, bool literal)
{
	int k = key_of(path);
	if (k < 0)
		return;
	struct jitsi_configjs *o = j->out;
	bool ok = literal && !v->bad &&
		  (k == JITSI_KEY_WEBSOCKET
			   ? (jitsi_valid_ws_url(v->text) ||
			      (!strncmp(v->text, "//", 2) && v->len > 2 && v->text[2] != '/'))
		   : k == JITSI_KEY_PRIVACY ? jitsi_valid_http_url(v->text)
					    : jitsi_valid_host(v->text));
	if (ok && k == JITSI_KEY_WEBSOCKET && v->text[0] == '/') {
		/* protocol-relative: checked with a scheme in front */
		char probe[JITSI_URL_MAX + 8];
		snprintf(probe, sizeof(probe), "wss:%s", v->text);
		ok = jitsi_valid_ws_url(probe);
	}
	o->set[k] = ok;
	o->refused[k] = !ok;
	if (ok)
		snprintf(o->value[k], sizeof(o->value[k]), "%s", v->text);
	else
		o->value[k][0] = '\0';
}

/* After `KEY:` or `a.b.c =`: the value for path. */
static void value(struct js *j, const char *path)
{
	struct tok v;
	next(j, &v);
	if (is_punct(&v, '{')) {
		/* a nested object: its keys live under this path (relative to the current level) */
		const char *rel = path;
		if (j->depth < DEPTH_MAX && j->depth > 0)
			rel = path + strlen(j->path) + 1;
		push(j, rel);
		return;
	}
	if (v.kind == TK_STR) {
		const struct tok *after = peek(j);
		bool ends = after->kind == TK_EOF || after->kind == TK_IDENT || after->kind == TK_STR ||
			    is_punct(after, ',') || is_punct(after, '}') || is_punct(after, ';');
		record(j, path, &v, ends);
		return;
	}
	record(j, path, &v, false); /* an identifier, a number, a call: not a literal */
	unget(j, &v);
}

void jitsi_configjs_parse(const char *text, size_t len, struct jitsi_configjs *out)
{
	static const struct jitsi_configjs empty;
	*out = empty;
	if (!text)
		return;
	if (len > JITSI_CONFIGJS_MAX) {
		len = JITSI_CONFIGJS_MAX;
		out->truncated = true;
	}
	struct js j = { .p = text, .end = text + len, .out = out };
	char path[sizeof(j.path) + NAME_MAX_LEN + 2];
	struct tok t;
	for (next(&j, &t); t.kind != TK_EOF; next(&j, &t)) {
		if (t.kind == TK_PUNCT) {
			if (t.punct == '{' || t.punct == '[' || t.punct == '(')
				push(&j, NULL);
			else if (t.punct == '}' || t.punct == ']' || t.punct == ')')
				pop(&j);
			continue;
		}
		if (is_punct(peek(&j), ':')) { /* KEY: (or a ternary's branch, which matches no key) */
			j.have_peek = false; /* the ':' */
			if (j.depth > DEPTH_MAX || t.bad || !t.len)
				continue;
			if (snprintf(path, sizeof(path), "%s%s%s", j.path, j.path[0] ? "." : "",
				     t.text) >= (int)sizeof(path))
				continue;
			value(&j, path);
			continue;
		}
		if (t.kind != TK_IDENT || j.depth != 0 || t.bad)
			continue;
		/* a top-level statement: a.b.c = VALUE */
		size_t n = (size_t)snprintf(path, sizeof(path), "%s", t.text);
		bool ok = true;
		while (is_punct(peek(&j), '.')) {
			j.have_peek = false;
			struct tok id;
			next(&j, &id);
			if (id.kind != TK_IDENT || id.bad || n + id.len + 2 > 256) {
				ok = false;
				unget(&j, &id);
				break;
			}
			n += (size_t)snprintf(path + n, sizeof(path) - n, ".%s", id.text);
		}
		if (!ok || !is_punct(peek(&j), '='))
			continue;
		j.have_peek = false;
		const struct tok *after = peek(&j);
		if (is_punct(after, '=') || is_punct(after, '>'))
			continue; /* == or => */
		value(&j, path);
	}
}

/* ---- resolving ---- */

static int take_host(char *dst, const char *ov, const char *name, const struct jitsi_configjs *cfg,
		     enum jitsi_key k, const char *prefix, const char *base, char *err, size_t errlen)
{
	if (ov) {
		if (!jitsi_valid_host(ov)) {
			if (errlen)
				snprintf(err, errlen, "%s: not a valid host name", name);
			return -EINVAL;
		}
		snprintf(dst, JITSI_HOST_MAX + 1, "%s", ov);
		return 0;
	}
	if (cfg && cfg->set[k]) /* a valid host name: it fits */
		return snprintf(dst, JITSI_HOST_MAX + 1, "%s", cfg->value[k]) > JITSI_HOST_MAX ? -EINVAL : 0;
	if (strlen(prefix) + strlen(base) > JITSI_HOST_MAX || !jitsi_valid_host(base)) {
		if (errlen)
			snprintf(err, errlen, "cannot derive %s from '%s': give %s", jitsi_key_name(k),
				 base, name);
		return -EINVAL;
	}
	return snprintf(dst, JITSI_HOST_MAX + 1, "%s%s", prefix, base) > JITSI_HOST_MAX ? -EINVAL : 0;
}

int jitsi_settings_resolve(const struct jitsi_link *link, const struct jitsi_configjs *cfg,
			   const struct jitsi_overrides *ov, struct jitsi_settings *out,
			   char *err, size_t errlen)
{
	static const struct jitsi_overrides none;
	char ws[JITSI_URL_MAX + 1];
	if (!ov)
		ov = &none;
	memset(out, 0, sizeof(*out));
	snprintf(out->room, sizeof(out->room), "%s", link->room);
	int rc = take_host(out->domain, ov->domain, "--xmpp-domain", cfg, JITSI_KEY_DOMAIN, "",
			   link->host, err, errlen);
	if (rc < 0)
		return rc;
	if (!ov->domain && cfg && cfg->set[JITSI_KEY_ANONDOMAIN])
		rc = snprintf(out->login_domain, sizeof(out->login_domain), "%s",
			      cfg->value[JITSI_KEY_ANONDOMAIN]) >= (int)sizeof(out->login_domain);
	else
		memcpy(out->login_domain, out->domain, sizeof(out->login_domain));
	if (rc)
		return fail(err, errlen, "hosts.anonymousdomain is too long");
	/* a login goes to authdomain (as jitsi-meet's toJid does), unless --xmpp-domain says */
	memcpy(out->auth_domain, !ov->domain && cfg && cfg->set[JITSI_KEY_AUTHDOMAIN]
				 ? cfg->value[JITSI_KEY_AUTHDOMAIN] : out->domain,
	       sizeof(out->auth_domain) - 1);
	if (cfg && cfg->set[JITSI_KEY_PRIVACY])
		snprintf(out->privacy_url, sizeof(out->privacy_url), "%s",
			 cfg->value[JITSI_KEY_PRIVACY]);
	if (cfg && cfg->set[JITSI_KEY_HIDDEN] &&
	    snprintf(out->hidden_domain, sizeof(out->hidden_domain), "%s",
		     cfg->value[JITSI_KEY_HIDDEN]) >= (int)sizeof(out->hidden_domain))
		out->hidden_domain[0] = '\0'; /* too long for a host name: none */
	rc = take_host(out->muc, ov->muc, "--xmpp-muc", cfg, JITSI_KEY_MUC, "conference.",
		       out->domain, err, errlen);
	if (rc == 0)
		rc = take_host(out->focus, ov->focus, "--xmpp-focus", cfg, JITSI_KEY_FOCUS, "focus.",
			       out->domain, err, errlen);
	if (rc < 0)
		return rc;
	if (ov->websocket) {
		if (!jitsi_valid_ws_url(ov->websocket))
			return fail(err, errlen, "--xmpp-websocket: not a ws:// or wss:// URL");
		snprintf(ws, sizeof(ws), "%s", ov->websocket);
	} else if (cfg && cfg->set[JITSI_KEY_WEBSOCKET]) {
		const char *v = cfg->value[JITSI_KEY_WEBSOCKET];
		if (link->tls && !strncmp(v, "ws://", 5)) {
			/* the privacy notice promises encryption for an https:// link */
			if (errlen)
				snprintf(err, errlen, "config.js names an unencrypted WebSocket (ws://) "
					 "for an https:// link: give --xmpp-websocket to use it anyway");
			return -EPROTO;
		}
		if (snprintf(ws, sizeof(ws), "%s%s", v[0] == '/' ? (link->tls ? "wss:" : "ws:") : "",
			     v) >= (int)sizeof(ws))
			return fail(err, errlen, "config.js: the websocket URL is too long");
	} else {
		snprintf(ws, sizeof(ws), "%s%s/xmpp-websocket", link->tls ? "wss" : "ws",
			 link->origin + (link->tls ? 5 : 4));
	}
	/* ?room=ROOM (sharded deployments route by it), the room percent-encoded */
	size_t n = strlen(ws);
	n += (size_t)snprintf(ws + n, sizeof(ws) > n ? sizeof(ws) - n : 0, "%sroom=",
			      strchr(ws, '?') ? "&" : "?");
	for (const unsigned char *r = (const unsigned char *)link->room; *r && n < sizeof(ws); r++) {
		if (is_alnum(*r) || strchr("-._~", *r))
			ws[n++] = (char)*r;
		else
			n += (size_t)snprintf(ws + n, sizeof(ws) - n, "%%%02X", *r);
	}
	if (n >= sizeof(out->websocket) || n >= sizeof(ws))
		return fail(err, errlen, "the WebSocket URL with the room is too long");
	ws[n] = '\0';
	memcpy(out->websocket, ws, n + 1);
	return 0;
}
