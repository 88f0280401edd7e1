/* Unit tests for XEP-0198 stream management (src/jitsi/sm.c, its use in src/jitsi/xmpp.c),
 * offline with prosody-shaped messages: enabled after binding where offered (never where not),
 * the server's <r/> answered with the stanzas handled since <enabled/>, an ack asked for every
 * few stanzas, acks dropping what they cover, a lying ack failing the stream (exit 3); the
 * session taken from a lost stream and resumed by the next one (<resume h previd/> instead of
 * binding, the unacknowledged stanzas sent again, cb->resumed), or bound anew when the server
 * answers <failed/>; no resumption without an id, with an id we could not send back, or once
 * too much is unacknowledged; h parsing and wrap-around. */
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
#include "src/jitsi/sm.h"
#include "src/jitsi/xmpp.h"

#include "tests/unit/fake_xmpp.h"

#define OPEN_MSG "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0' from='localhost' id='a'/>"
#define FEAT_SASL "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>"
#define FEAT_BIND_SM "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><sm xmlns='urn:xmpp:sm:3'/></stream:features>"
#define FEAT_BIND "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
#define BIND_RES(id) "<iq xmlns='jabber:client' type='result' id='bind-ttm-" id "'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a@localhost/r</jid></bind></iq>"
#define PRES "<presence xmlns='jabber:client' from='r@conference.localhost/x'/>"

/* A stream up to the features after SASL; resume: a session to resume. */
static struct xmpp *authed(struct fake *f, struct xmpp_sm *resume, const char *features)
{
	struct xmpp *x;
	memset(f, 0, sizeof(*f));
	f->take_stanzas = true; /* the stanzas here are the room's: handled */
	assert_int_equal(xmpp_create("localhost", &cbs_resume, f, &x), 0);
	if (resume)
		xmpp_set_resume(x, resume);
	xmpp_start(x);
	feed(x, OPEN_MSG);
	feed(x, FEAT_SASL);
	feed(x, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	feed(x, OPEN_MSG);
	feed(x, features);
	return x;
}

static void test_enable_ack_resume(void **state)
{
	(void)state;
	struct fake f;
	struct xmpp *x = authed(&f, NULL, FEAT_BIND_SM);
	feed(x, BIND_RES("1"));
	assert_int_equal(f.bound, 1);
	assert_string_equal(last(&f), "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
	feed(x, "<enabled xmlns='urn:xmpp:sm:3' id='some-long-sm-id' resume='true' max='600'/>");
	/* three stanzas handled, then the server asks */
	feed(x, PRES);
	feed(x, PRES);
	feed(x, "<iq xmlns='jabber:client' type='get' id='p1' from='localhost'><ping xmlns='urn:xmpp:ping'/></iq>");
	feed(x, "<r xmlns='urn:xmpp:sm:3'/>");
	assert_string_equal(last(&f), "<a xmlns='urn:xmpp:sm:3' h='3'/>");
	/* our stanzas: the ping's answer was one; after five unacknowledged we ask */
	int before = f.n_sent;
	for (int i = 0; i < 4; i++)
		assert_int_equal(xmpp_send(x, "<message xmlns='jabber:client' to='r@c' type='groupchat'><body>m</body></message>"), 0);
	assert_int_equal(f.n_sent, before + 5);
	assert_string_equal(last(&f), "<r xmlns='urn:xmpp:sm:3'/>");
	feed(x, "<a xmlns='urn:xmpp:sm:3' h='3'/>");
	assert_int_equal(f.failed, 0);
	/* the connection is lost: two stanzas were not acknowledged */
	struct xmpp_sm *sm = xmpp_sm_take(x);
	assert_non_null(sm);
	assert_int_equal(sm->unacked.length, 2);
	assert_int_equal(sm->h_in, 3);
	xmpp_destroy(x);

	/* the next stream resumes instead of binding; the server got one of the two */
	x = authed(&f, sm, FEAT_BIND_SM);
	assert_string_equal(last(&f), "<resume xmlns='urn:xmpp:sm:3' h='3' previd='some-long-sm-id'/>");
	int n = f.n_sent;
	feed(x, "<resumed xmlns='urn:xmpp:sm:3' h='4' previd='some-long-sm-id'/>");
	assert_int_equal(f.resumed, 1);
	assert_int_equal(f.bound, 0);
	assert_true(xmpp_is_bound(x));
	assert_int_equal(f.n_sent, n + 1); /* the one it missed, again */
	assert_non_null(strstr(last(&f), "<body>m</body>"));
	/* counting goes on from where it was */
	feed(x, PRES);
	feed(x, "<r xmlns='urn:xmpp:sm:3'/>");
	assert_string_equal(last(&f), "<a xmlns='urn:xmpp:sm:3' h='4'/>");
	/* an ack for more than we sent: the server breaks the protocol */
	feed(x, "<a xmlns='urn:xmpp:sm:3' h='99'/>");
	assert_int_equal(f.failed, 1);
	assert_int_equal(f.code, TTM_EXIT_SERVER);
	xmpp_destroy(x);
}

static void test_resume_refused_and_limits(void **state)
{
	(void)state;
	struct fake f;
	/* a session the server forgot: <failed/>, then a normal bind */
	struct xmpp_sm *sm = xmpp_sm_new();
	sm->enabled = sm->resumable = true;
	snprintf(sm->id, sizeof(sm->id), "gone");
	struct xmpp *x = authed(&f, sm, FEAT_BIND_SM);
	assert_non_null(strstr(last(&f), "previd='gone'"));
	feed(x, "<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
	assert_non_null(strstr(last(&f), "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"));
	feed(x, BIND_RES("1"));
	assert_int_equal(f.bound, 1);
	assert_int_equal(f.resumed, 0);
	assert_int_equal(f.failed, 0);
	xmpp_destroy(x);
	/* a server without stream management: no <enable/>, a kept session is not offered */
	sm = xmpp_sm_new();
	sm->enabled = sm->resumable = true;
	x = authed(&f, sm, FEAT_BIND);
	assert_non_null(strstr(last(&f), "<bind "));
	feed(x, BIND_RES("1"));
	assert_null(strstr(last(&f), "enable"));
	feed(x, "<r xmlns='urn:xmpp:sm:3'/>"); /* not asked for: ignored */
	assert_null(strstr(last(&f), "<a "));
	assert_null(xmpp_sm_take(x));
	xmpp_destroy(x);
	/* enabled without resumption, or with an id we could not send back: nothing to take */
	static const char *const enabled[] = {
		"<enabled xmlns='urn:xmpp:sm:3'/>",
		"<enabled xmlns='urn:xmpp:sm:3' resume='true'/>",
		"<enabled xmlns='urn:xmpp:sm:3' resume='true' id='a&apos;b'/>",
		"<enabled xmlns='urn:xmpp:sm:3' resume='false' id='ok'/>",
	};
	for (size_t i = 0; i < 4; i++) {
		x = authed(&f, NULL, FEAT_BIND_SM);
		feed(x, BIND_RES("1"));
		feed(x, enabled[i]);
		assert_null(xmpp_sm_take(x));
		xmpp_destroy(x);
	}
	/* too much unacknowledged: no longer resumable (a fresh join is the fallback) */
	x = authed(&f, NULL, FEAT_BIND_SM);
	feed(x, BIND_RES("1"));
	feed(x, "<enabled xmlns='urn:xmpp:sm:3' id='x1' resume='1'/>");
	for (int i = 0; i <= SM_QUEUE_MAX; i++)
		xmpp_send(x, "<presence xmlns='jabber:client'/>");
	assert_null(xmpp_sm_take(x));
	xmpp_destroy(x);
}

static void test_counters(void **state)
{
	(void)state;
	uint32_t h;
	assert_int_equal(xmpp_sm_parse_h("0", &h), 0);
	assert_int_equal(xmpp_sm_parse_h("4294967295", &h), 0);
	assert_int_equal(h, UINT32_MAX);
	assert_int_equal(xmpp_sm_parse_h("4294967296", &h), -EINVAL);
	assert_int_equal(xmpp_sm_parse_h("-1", &h), -EINVAL);
	assert_int_equal(xmpp_sm_parse_h("1x", &h), -EINVAL);
	assert_int_equal(xmpp_sm_parse_h("", &h), -EINVAL);
	assert_int_equal(xmpp_sm_parse_h(NULL, &h), -EINVAL);
	/* acks wrap at 2^32 */
	struct xmpp_sm *sm = xmpp_sm_new();
	sm->resumable = true;
	sm->acked = sm->sent = UINT32_MAX - 1;
	xmpp_sm_sent(sm, "<a/>");
	xmpp_sm_sent(sm, "<b/>");
	xmpp_sm_sent(sm, "<c/>");
	assert_int_equal(sm->sent, 1);
	assert_int_equal(xmpp_sm_ack(sm, 0), 0); /* two of three */
	assert_int_equal(sm->unacked.length, 1);
	assert_string_equal(g_queue_peek_head(&sm->unacked), "<c/>");
	assert_int_equal(xmpp_sm_ack(sm, 2), -EPROTO); /* more than sent */
	assert_int_equal(xmpp_sm_ack(sm, UINT32_MAX - 5), -EPROTO); /* backwards */
	assert_int_equal(xmpp_sm_ack(sm, 1), 0);
	assert_int_equal(sm->unacked.length, 0);
	assert_int_equal(sm->unacked_bytes, 0);
	xmpp_sm_free(sm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enable_ack_resume),
		cmocka_unit_test(test_resume_refused_and_limits),
		cmocka_unit_test(test_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
