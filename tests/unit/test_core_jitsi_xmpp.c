/* Unit tests for the XML layer (src/jitsi/xml.c) and the XMPP stream up to a bound resource
 * (src/jitsi/xmpp.c), driven offline with server messages shaped like prosody 0.12's over
 * WebSocket: open, features, SASL ANONYMOUS, the restart, bind, pings answered, unknown iqs
 * refused, stream errors, hostile XML (DTDs, entities, depth, size, junk). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/exitcode.h"
#include "src/jitsi/xml.h"
#include "src/jitsi/xmpp.h"

static void test_xml(void **state)
{
	struct xml_doc *d;
	char err[200];
	(void)state;
	static const char msg[] =
		"<presence xmlns='jabber:client' from='r@conference.localhost/b9af8a8d' xml:lang='en'>"
		"<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'"
		" jid='a@localhost/x'/><status code='110'/></x>"
		"<nick xmlns='http://jabber.org/protocol/nick'>al&amp;ice <![CDATA[<b>]]></nick></presence>";
	assert_int_equal(xml_parse(msg, strlen(msg), &d, err, sizeof(err)), 0);
	const struct xml_node *p = xml_root(d);
	assert_true(xml_is(p, "jabber:client", "presence"));
	assert_string_equal(xml_attr(p, "from"), "r@conference.localhost/b9af8a8d");
	assert_null(xml_attr(p, "lang")); /* xml:lang has a namespace */
	const struct xml_node *x = xml_child(p, "http://jabber.org/protocol/muc#user", "x");
	assert_non_null(x);
	assert_string_equal(xml_attr(xml_child(x, NULL, "item"), "role"), "participant");
	assert_string_equal(xml_attr(xml_child(x, NULL, "status"), "code"), "110");
	assert_string_equal(xml_child(p, NULL, "nick")->text, "al&ice <b>");
	assert_null(xml_child(p, "wrong", "nick"));
	xml_free(d);

	static const struct { const char *xml; int rc; const char *needle; } bad[] = {
		{ "", -EINVAL, "" },
		{ "<a>", -EINVAL, "well-formed" },
		{ "<a/><b/>", -EINVAL, "well-formed" },
		{ "<a/>junk", -EINVAL, "well-formed" },
		{ "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", -EINVAL, "DTD" },
		{ "<?xml-stylesheet href='x'?><a/>", -EINVAL, "processing instruction" },
		{ "<a>&undefined;</a>", -EINVAL, "well-formed" },
		{ "<a>\x1b[31m</a>", -EINVAL, "well-formed" }, /* not a valid XML character */
		{ "<a b='1' b='2'/>", -EINVAL, "well-formed" },
		{ "<p:a/>", -EINVAL, "well-formed" }, /* unbound prefix */
		{ "<a>\xff</a>", -EINVAL, "well-formed" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		int rc = xml_parse(bad[i].xml, strlen(bad[i].xml), &d, err, sizeof(err));
		if (rc != bad[i].rc || !strstr(err, bad[i].needle))
			fail_msg("case %zu: rc %d err '%s'", i, rc, err);
		assert_null(d);
	}

	/* bounds: depth, element count, attribute count, text size, input size */
	char *big = malloc(XML_MAX_INPUT + 2);
	assert_non_null(big);
	size_t o = 0;
	for (int i = 0; i < XML_MAX_DEPTH + 1; i++)
		o += (size_t)sprintf(big + o, "<a>");
	for (int i = 0; i < XML_MAX_DEPTH + 1; i++)
		o += (size_t)sprintf(big + o, "</a>");
	assert_int_equal(xml_parse(big, o, &d, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "deeply"));
	o = (size_t)sprintf(big, "<a>");
	for (int i = 0; i < XML_MAX_NODES; i++)
		o += (size_t)sprintf(big + o, "<b/>");
	o += (size_t)sprintf(big + o, "</a>");
	assert_int_equal(xml_parse(big, o, &d, err, sizeof(err)), -E2BIG);
	o = (size_t)sprintf(big, "<a");
	for (int i = 0; i <= XML_MAX_ATTRS; i++)
		o += (size_t)sprintf(big + o, " a%d='x'", i);
	o += (size_t)sprintf(big + o, "/>");
	assert_int_equal(xml_parse(big, o, &d, err, sizeof(err)), -E2BIG);
	o = (size_t)sprintf(big, "<a>");
	memset(big + o, 'x', XML_MAX_TEXT + 1);
	o += XML_MAX_TEXT + 1;
	o += (size_t)sprintf(big + o, "</a>");
	assert_int_equal(xml_parse(big, o, &d, err, sizeof(err)), -E2BIG);
	assert_int_equal(xml_parse(big, XML_MAX_INPUT + 1, &d, err, sizeof(err)), -E2BIG);
	/* exactly at the text bound is fine */
	o = (size_t)sprintf(big, "<a>");
	memset(big + o, 'y', XML_MAX_TEXT);
	o += XML_MAX_TEXT;
	o += (size_t)sprintf(big + o, "</a>");
	assert_int_equal(xml_parse(big, o, &d, err, sizeof(err)), 0);
	assert_int_equal(strlen(xml_root(d)->text), XML_MAX_TEXT);
	xml_free(d);
	free(big);

	char esc[64];
	assert_int_equal(xml_escape("a<b>&'\"", esc, sizeof(esc)), 27);
	assert_string_equal(esc, "a&lt;b&gt;&amp;&apos;&quot;");
	assert_int_equal(xml_escape("&&&&", esc, 10), -ENOSPC);
	assert_string_equal(esc, "");
}

/* ---- the stream, offline ---- */

#include "tests/unit/fake_xmpp.h"

#define OPEN_MSG "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' xml:lang='en' version='1.0' from='localhost' id='abc'/>"
#define FEAT_SASL "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>" \
	"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>"
#define FEAT_BIND "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>" \
	"<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind>" \
	"<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>" \
	"<sm xmlns='urn:xmpp:sm:3'/></stream:features>"

/* Brings a stream to bound; returns it. */
static struct xmpp *bind_stream(struct fake *f)
{
	struct xmpp *x;
	memset(f, 0, sizeof(*f));
	assert_int_equal(xmpp_create("localhost", &cbs, f, &x), 0);
	assert_int_equal(xmpp_start(x), 0);
	assert_string_equal(f->sent[0], "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0'/>");
	feed(x, OPEN_MSG);
	feed(x, FEAT_SASL);
	assert_string_equal(f->sent[1], "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>");
	feed(x, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	assert_string_equal(f->sent[2], f->sent[0]); /* the restart */
	feed(x, OPEN_MSG);
	feed(x, FEAT_BIND);
	assert_non_null(strstr(f->sent[3], "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"));
	assert_int_equal(f->bound, 0);
	char id[64], res[512];
	const char *p = strstr(f->sent[3], "id='");
	assert_non_null(p);
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(p + 4, "'"), p + 4);
	snprintf(res, sizeof(res), "<iq xmlns='jabber:client' type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
		 "<jid>ehtxgtjhi-t973h4wlqjqgbe@localhost/KcLBGrfxweja</jid></bind></iq>", id);
	feed(x, res);
	assert_int_equal(f->failed, 0);
	assert_int_equal(f->bound, 1);
	assert_string_equal(f->jid, "ehtxgtjhi-t973h4wlqjqgbe@localhost/KcLBGrfxweja");
	assert_true(xmpp_is_bound(x));
	return x;
}

static void test_stream(void **state)
{
	struct fake f;
	(void)state;
	struct xmpp *x = bind_stream(&f);
	int n = f.n_sent;

	/* XEP-0199: a ping is answered, with the id escaped */
	feed(x, "<iq xmlns='jabber:client' type='get' id='p&apos;1' from='localhost'><ping xmlns='urn:xmpp:ping'/></iq>");
	assert_int_equal(f.n_sent, n + 1);
	assert_string_equal(f.sent[n], "<iq xmlns='jabber:client' type='result' id='p&apos;1' to='localhost'/>");
	/* an iq get nobody handles: service-unavailable; presence/message go to the callback */
	feed(x, "<iq xmlns='jabber:client' type='get' id='q1' from='a@b/c'><query xmlns='jabber:iq:version'/></iq>");
	assert_int_equal(f.n_sent, n + 2);
	assert_non_null(strstr(f.sent[n + 1], "type='error' id='q1' to='a@b/c'"));
	assert_non_null(strstr(f.sent[n + 1], "service-unavailable"));
	assert_int_equal(f.stanzas, 1);
	f.take_stanzas = true;
	feed(x, "<iq xmlns='jabber:client' type='set' id='q2'><x xmlns='y'/></iq>");
	assert_int_equal(f.n_sent, n + 2); /* handled by the callback: no error from the stream */
	feed(x, "<presence xmlns='jabber:client' from='r@c/x'/>");
	feed(x, "<message xmlns='jabber:client' from='r@c/x' type='groupchat'><body>hi</body></message>");
	assert_int_equal(f.stanzas, 4);
	/* results and errors are never answered */
	f.take_stanzas = false;
	feed(x, "<iq xmlns='jabber:client' type='result' id='zz'/>");
	assert_int_equal(f.n_sent, n + 2);
	/* XEP-0198 elements we did not ask for are ignored */
	feed(x, "<r xmlns='urn:xmpp:sm:3'/>");
	assert_int_equal(f.failed, 0);
	assert_int_equal(xmpp_send(x, "<presence xmlns='jabber:client'/>"), 0);
	assert_int_equal(xmpp_close(x), 0);
	assert_non_null(strstr(f.sent[f.n_sent - 1], "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>"));
	assert_int_equal(xmpp_send(x, "<presence/>"), -ENOTCONN);
	xmpp_destroy(x);

	/* the server closes the stream, or sends a stream error: one failure, then silence */
	x = bind_stream(&f);
	feed(x, "<stream:error xmlns:stream='http://etherx.jabber.org/streams'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
		"<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>\xc2\x9b" "31m pwned</text></stream:error>");
	assert_int_equal(f.failed, 1);
	assert_int_equal(f.code, TTM_EXIT_SERVER);
	assert_string_equal(f.why, "XMPP stream error: conflict");
	feed(x, "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>");
	assert_int_equal(f.failed, 1);
	xmpp_destroy(x);
	x = bind_stream(&f);
	feed(x, "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>");
	assert_int_equal(f.failed, 1);
	assert_non_null(strstr(f.why, "closed the stream"));
	xmpp_destroy(x);
	/* broken XML after binding ends the stream */
	x = bind_stream(&f);
	feed(x, "<presence xmlns='jabber:client'");
	assert_int_equal(f.failed, 1);
	assert_non_null(strstr(f.why, "well-formed"));
	xmpp_destroy(x);
}

static void test_stream_refusals(void **state)
{
	struct fake f;
	struct xmpp *x;
	(void)state;
	/* no ANONYMOUS: a login is needed, which is the room refusing us (exit 4) */
	memset(&f, 0, sizeof(f));
	assert_int_equal(xmpp_create("localhost", &cbs, &f, &x), 0);
	xmpp_start(x);
	feed(x, OPEN_MSG);
	feed(x, "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
		"<mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>");
	assert_int_equal(f.failed, 1);
	assert_int_equal(f.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(f.why, "login"));
	xmpp_destroy(x);

	/* SASL failure */
	memset(&f, 0, sizeof(f));
	xmpp_create("localhost", &cbs, &f, &x);
	xmpp_start(x);
	feed(x, OPEN_MSG);
	feed(x, FEAT_SASL);
	feed(x, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
	assert_int_equal(f.code, TTM_EXIT_ROOM);
	assert_string_equal(f.why, "the XMPP server refused anonymous login: not-authorized");
	xmpp_destroy(x);

	/* out-of-turn messages and stanzas before binding */
	static const char *const early[] = {
		"<presence xmlns='jabber:client'/>",
		FEAT_SASL, /* features before the open */
		"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
	};
	for (size_t i = 0; i < 3; i++) {
		memset(&f, 0, sizeof(f));
		xmpp_create("localhost", &cbs, &f, &x);
		xmpp_start(x);
		feed(x, early[i]);
		assert_int_equal(f.failed, 1);
		assert_int_equal(f.code, TTM_EXIT_SERVER);
		xmpp_destroy(x);
	}
	/* no bind offered; bind refused; a JID with quotes */
	static const char *const binds[] = {
		"<stream:features xmlns:stream='http://etherx.jabber.org/streams'/>",
		"<iq xmlns='jabber:client' type='error' id='bind-ttm-1'/>",
		"<iq xmlns='jabber:client' type='result' id='bind-ttm-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a'b@c/d</jid></bind></iq>",
	};
	for (size_t i = 0; i < 3; i++) {
		memset(&f, 0, sizeof(f));
		xmpp_create("localhost", &cbs, &f, &x);
		xmpp_start(x);
		feed(x, OPEN_MSG);
		feed(x, FEAT_SASL);
		feed(x, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
		feed(x, OPEN_MSG);
		if (i > 0)
			feed(x, FEAT_BIND);
		feed(x, binds[i]);
		assert_int_equal(f.failed, 1);
		assert_int_equal(f.bound, 0);
		xmpp_destroy(x);
	}
	/* a required legacy session is requested after binding */
	memset(&f, 0, sizeof(f));
	xmpp_create("localhost", &cbs, &f, &x);
	xmpp_start(x);
	feed(x, OPEN_MSG);
	feed(x, FEAT_SASL);
	feed(x, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	feed(x, OPEN_MSG);
	feed(x, "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
		"<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>");
	feed(x, "<iq xmlns='jabber:client' type='result' id='bind-ttm-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a@b/c</jid></bind></iq>");
	assert_int_equal(f.bound, 0);
	assert_non_null(strstr(f.sent[f.n_sent - 1], "xmpp-session"));
	feed(x, "<iq xmlns='jabber:client' type='result' id='sess-ttm-2'/>");
	assert_int_equal(f.bound, 1);
	xmpp_destroy(x);
	/* a send failure fails the stream */
	memset(&f, 0, sizeof(f));
	f.send_rc = -EPIPE;
	xmpp_create("localhost", &cbs, &f, &x);
	assert_true(xmpp_start(x) < 0);
	assert_int_equal(f.failed, 1);
	xmpp_destroy(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
