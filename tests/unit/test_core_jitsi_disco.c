/* Unit tests for service discovery about ourselves (src/jitsi/disco.c) and the answers the
 * XMPP stream gives to requests (src/jitsi/xmpp.c): the XEP-0115 hash recomputed here the way
 * a receiving client checks it (§5.4: from the disco#info answer, identities and features
 * sorted) and compared with the one in our presence; disco#info answered with exactly the
 * features we implement (Jingle audio, no video), for no node and for our caps node, an
 * unknown node answered item-not-found; every other request answered as RFC 6120 says:
 * bad-request without exactly one payload, feature-not-implemented for a namespace we know,
 * service-unavailable for one we do not; results and errors never answered. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "src/jitsi/disco.h"
#include "src/jitsi/xml.h"
#include "src/jitsi/xmpp.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ver a client computes from a disco#info <query> (one identity, no forms). */
static char *ver_of(const struct xml_node *q)
{
	char *feat[32], *ids[4];
	size_t nf = 0, ni = 0;
	for (const struct xml_node *c = q->child; c; c = c->next) {
		if (!strcmp(c->name, "feature") && nf < 32)
			feat[nf++] = g_strdup(xml_attr(c, "var"));
		if (!strcmp(c->name, "identity") && ni < 4)
			ids[ni++] = g_strdup_printf("%s/%s/%s/%s", xml_attr(c, "category"),
						    xml_attr(c, "type"),
						    xml_attr(c, "lang") ? xml_attr(c, "lang") : "",
						    xml_attr(c, "name") ? xml_attr(c, "name") : "");
	}
	qsort(feat, nf, sizeof(char *), cmp);
	qsort(ids, ni, sizeof(char *), cmp);
	GString *s = g_string_new(NULL);
	for (size_t i = 0; i < ni; i++) {
		g_string_append_printf(s, "%s<", ids[i]);
		g_free(ids[i]);
	}
	for (size_t i = 0; i < nf; i++) {
		g_string_append_printf(s, "%s<", feat[i]);
		g_free(feat[i]);
	}
	guchar md[20];
	gsize len = sizeof(md);
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA1);
	g_checksum_update(ck, (const guchar *)s->str, s->len);
	g_checksum_get_digest(ck, md, &len);
	g_checksum_free(ck);
	g_string_free(s, TRUE);
	return g_base64_encode(md, len);
}

static void test_caps(void **state)
{
	(void)state;
	char q[2048], ver[32], c[256], err[128];
	assert_int_equal(disco_info_query(NULL, false, q, sizeof(q)), 0);
	struct xml_doc *d;
	assert_int_equal(xml_parse(q, strlen(q), &d, err, sizeof(err)), 0);
	const struct xml_node *root = xml_root(d);
	assert_true(xml_is(root, NS_DISCO_INFO, "query"));
	/* exactly what we implement: Jingle audio, JSON sources, no video, no data channel, in byte
	 * order */
	unsigned n = 0;
	const char *prev = "";
	for (const struct xml_node *f = root->child; f; f = f->next)
		if (!strcmp(f->name, "feature")) {
			n++;
			assert_null(strstr(xml_attr(f, "var"), "video"));
			assert_null(strstr(xml_attr(f, "var"), "sctp"));
			assert_true(strcmp(prev, xml_attr(f, "var")) < 0);
			prev = xml_attr(f, "var");
		}
	assert_int_equal(n, 13);
	assert_non_null(strstr(q, "var='http://jitsi.org/json-encoded-sources'"));
	assert_non_null(strstr(q, "var='http://jitsi.org/source-name'"));
	assert_non_null(strstr(q, "var='urn:xmpp:jingle:apps:rtp:audio'"));
	assert_non_null(strstr(q, "var='urn:xmpp:jingle:transports:ice-udp:1'"));
	assert_non_null(strstr(q, "var='urn:xmpp:ping'"));
	assert_non_null(strstr(q, "var='" NS_DISCO_INFO "'"));
	char *mine = ver_of(root);
	xml_free(d);
	assert_int_equal(disco_caps_ver(false, ver, sizeof(ver)), 0);
	assert_string_equal(ver, mine);
	assert_int_equal(strlen(ver), 28);
	/* the presence element carries that hash */
	assert_int_equal(disco_caps_element(false, c, sizeof(c)), 0);
	char want[256];
	snprintf(want, sizeof(want), "<c xmlns='" NS_CAPS "' hash='sha-1' node='" DISCO_NODE
		 "' ver='%s'/>", mine);
	assert_string_equal(c, want);
	/* asked for NODE#ver: the same answer naming the node; another node: none */
	char node[256];
	snprintf(node, sizeof(node), DISCO_NODE "#%s", mine);
	g_free(mine);
	assert_int_equal(disco_info_query(node, false, q, sizeof(q)), 0);
	assert_non_null(strstr(q, node));
	assert_int_equal(disco_info_query(DISCO_NODE "#AAAA", false, q, sizeof(q)), -ENOENT);
	assert_int_equal(disco_info_query(NULL, false, q, 40), -ENOSPC);
	assert_int_equal(disco_caps_ver(false, ver, 10), -ENOSPC);

	/* a run with video names RTP video too, in order, and its hash is that answer's */
	assert_int_equal(disco_info_query(NULL, true, q, sizeof(q)), 0);
	assert_non_null(strstr(q, "<feature var='urn:xmpp:jingle:apps:rtp:audio'/><feature "
			       "var='urn:xmpp:jingle:apps:rtp:video'/><feature "
			       "var='urn:xmpp:jingle:transports:ice-udp:1'/>"));
	assert_int_equal(xml_parse(q, strlen(q), &d, err, sizeof(err)), 0);
	mine = ver_of(xml_root(d));
	xml_free(d);
	char vver[32];
	assert_int_equal(disco_caps_ver(true, vver, sizeof(vver)), 0);
	assert_string_equal(vver, mine);
	assert_string_not_equal(vver, ver);
	g_free(mine);
}

/* ---- through the stream ---- */

#include "tests/unit/fake_xmpp.h"

static struct xmpp *bound(struct fake *f)
{
	struct xmpp *x;
	memset(f, 0, sizeof(*f));
	assert_int_equal(xmpp_create("localhost", &cbs, f, &x), 0);
	xmpp_start(x);
	feed(x, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0' from='localhost' id='a'/>");
	feed(x, "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>");
	feed(x, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	feed(x, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0' from='localhost' id='b'/>");
	feed(x, "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>");
	feed(x, "<iq xmlns='jabber:client' type='result' id='bind-ttm-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a@localhost/r</jid></bind></iq>");
	assert_true(xmpp_is_bound(x));
	f->n_sent = 0;
	return x;
}

#define IQ(type, id, body) "<iq xmlns='jabber:client' type='" type "' id='" id "' from='r@conference.localhost/focus' to='a@localhost/r'>" body "</iq>"

static void test_requests_answered(void **state)
{
	(void)state;
	struct fake f;
	struct xmpp *x = bound(&f);
	char q[2048];
	feed(x, IQ("get", "d1", "<query xmlns='" NS_DISCO_INFO "'/>"));
	assert_int_equal(f.n_sent, 1);
	assert_int_equal(disco_info_query(NULL, false, q, sizeof(q)), 0);
	char want[2600];
	snprintf(want, sizeof(want), "<iq xmlns='jabber:client' type='result' id='d1' to='r@conference.localhost/focus'>%s</iq>", q);
	assert_string_equal(f.sent[0], want);
	/* our caps node; an unknown node */
	char ver[32], msg[512];
	disco_caps_ver(false, ver, sizeof(ver));
	snprintf(msg, sizeof(msg), IQ("get", "d2", "<query xmlns='" NS_DISCO_INFO "' node='" DISCO_NODE "#%s'/>"), ver);
	feed(x, msg);
	assert_non_null(strstr(f.sent[1], "type='result' id='d2'"));
	assert_non_null(strstr(f.sent[1], ver));
	feed(x, IQ("get", "d3", "<query xmlns='" NS_DISCO_INFO "' node='x#y'/>"));
	assert_non_null(strstr(f.sent[2], "type='error' id='d3'"));
	assert_non_null(strstr(f.sent[2], "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"));
	/* no payload, two payloads: bad-request (modify) */
	feed(x, IQ("get", "e1", ""));
	assert_non_null(strstr(f.sent[3], "id='e1'"));
	assert_non_null(strstr(f.sent[3], "<error type='modify'><bad-request "));
	feed(x, IQ("set", "e2", "<a xmlns='x'/><b xmlns='y'/>"));
	assert_non_null(strstr(f.sent[4], "<bad-request "));
	/* a namespace we know, asked for what we do not do: feature-not-implemented */
	feed(x, IQ("set", "e3", "<ping xmlns='urn:xmpp:ping'/>"));
	assert_non_null(strstr(f.sent[5], "id='e3'"));
	assert_non_null(strstr(f.sent[5], "<error type='cancel'><feature-not-implemented "));
	/* unknown here: service-unavailable (Jingle too, when the backend does not take it) */
	feed(x, IQ("set", "e4", "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate'/>"));
	assert_non_null(strstr(f.sent[6], "id='e4'"));
	assert_non_null(strstr(f.sent[6], "<service-unavailable "));
	/* results and errors: never answered; one taken by the backend: not answered here */
	feed(x, IQ("result", "r1", ""));
	feed(x, IQ("error", "r2", "<error type='cancel'/>"));
	f.take_stanzas = true;
	feed(x, IQ("set", "t1", "<jingle xmlns='urn:xmpp:jingle:1'/>"));
	assert_int_equal(f.n_sent, 7);
	assert_int_equal(f.failed, 0);
	xmpp_destroy(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_requests_answered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
