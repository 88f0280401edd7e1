/* Fuzz target: the XMPP stanza path (src/jitsi/xml.c, src/jitsi/xmpp.c), all server input.
 * The input is split at NUL bytes into WebSocket messages and fed to a stream that has been
 * brought to a bound resource; each message is also parsed on its own, and every node of the
 * tree is walked (names, attributes, text are NUL-terminated within the bounds). Whatever the
 * bytes: no crash, no leak, what we send stays under the bounds, at most one failure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/jitsi/xml.h"
#include "src/jitsi/xmpp.h"

struct st {
	int failed;
};

static int on_send(void *user, const char *text, size_t len)
{
	(void)user;
	if (strlen(text) != len || len > 64 * 1024)
		abort();
	return 0;
}
static void on_bound(void *user, const char *jid)
{
	(void)user;
	if (strlen(jid) > XMPP_JID_MAX)
		abort();
}
static bool on_stanza(void *user, const struct xml_node *n)
{
	(void)user;
	return n->name[0] == 'm'; /* take messages, leave iqs to the stream */
}
static void on_failed(void *user, int code, const char *why)
{
	struct st *s = user;
	if (++s->failed > 1 || !why[0] || code < 3)
		abort();
}

static void walk(const struct xml_node *n, int depth)
{
	if (depth > XML_MAX_DEPTH)
		abort();
	for (; n; n = n->next) {
		if (strlen(n->text) > XML_MAX_TEXT || n->n_attrs > XML_MAX_ATTRS)
			abort();
		for (unsigned i = 0; i < n->n_attrs; i++)
			if (strlen(n->attrs[i].value) > XML_MAX_TEXT)
				abort();
		walk(n->child, depth + 1);
	}
}

static void feed(struct xmpp *x, const char *s)
{
	xmpp_feed(x, s, strlen(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct xmpp_cbs cbs = { on_send, on_bound, on_stanza, on_failed, NULL };
	struct st s = { 0 };
	struct xmpp *x;
	if (xmpp_create("localhost", &cbs, &s, &x) < 0)
		return 0;
	xmpp_start(x);
	feed(x, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0'/>");
	feed(x, "<features xmlns='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></features>");
	feed(x, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	feed(x, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0'/>");
	feed(x, "<features xmlns='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><sm xmlns='urn:xmpp:sm:3'/></features>");
	feed(x, "<iq xmlns='jabber:client' type='result' id='bind-ttm-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a@localhost/r</jid></bind></iq>");
	if (!xmpp_is_bound(x))
		abort();
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		struct xml_doc *d;
		char err[200];
		if (xml_parse(p, n, &d, err, sizeof(err)) == 0) {
			walk(xml_root(d), 0);
			xml_free(d);
		} else if (!err[0]) {
			abort();
		}
		xmpp_feed(x, p, n);
		p += n + 1;
	}
	xmpp_destroy(x);
	return 0;
}
