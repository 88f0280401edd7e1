/* Unit tests for a Jingle media session (src/jitsi/jsession.c) against a second, real
 * PeerConnection on loopback playing the focus: its SDP offer goes out as a session-initiate
 * (jingle_write_accept with initiate), ttymeet's session answers with a session-accept that,
 * translated back, keys the focus's peer; candidates trickle as transport-info; both sides
 * reach ICE + DTLS connected, so every field the translation carries both ways is right
 * enough for a real handshake. Then: sources reported (offer, source-add as XML and as JSON,
 * source-remove; malformed JSON refused), content-modify and an empty session-info
 * acknowledged, every other action answered with XEP-0166's error, session-terminate
 * reported, our own terminate sent with the sid; an offer without Opus refused; in a run
 * without a DTLS identity (no media) no offer is taken and none made. (Our own offer and the
 * peer's session-accept: unit_core_jitsi_call, with a real answering PeerConnection.) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/dtls.h"
#include "net/peer.h"
#include "net/sdp.h"
#include "src/jitsi/jingle.h"
#include "src/jitsi/jsession.h"
#include "src/jitsi/xml.h"
#include "tests/unit/pump.h"

#define NS_ICE "urn:xmpp:jingle:transports:ice-udp:1"
#define FOCUS "room@conference.localhost/focus"
#define FP "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"

struct sent {
	char to[256];
	char *xml[32];
	unsigned n;
};

struct side {
	GMainContext *ctx;
	struct sent sent;
	bool up, failed, ended;
	char ended_why[64];
	unsigned src_added, src_removed;
	uint32_t last_ssrc;
	char last_owner[JINGLE_OWNER_MAX];
	/* the focus's peer */
	struct peer *focus;
	bool focus_up;
};

static int send_iq(void *user, const char *to, const char *jingle)
{
	struct side *s = user;
	snprintf(s->sent.to, sizeof(s->sent.to), "%s", to);
	if (s->sent.n < 32)
		s->sent.xml[s->sent.n++] = strdup(jingle);
	return 0;
}

static void on_media(void *user, bool up, const char *why)
{
	struct side *s = user;
	(void)why;
	if (up)
		s->up = true;
	else
		s->failed = true;
}

static void on_source(void *user, const struct jingle_source *src, bool added)
{
	struct side *s = user;
	if (added)
		s->src_added++;
	else
		s->src_removed++;
	s->last_ssrc = src->ssrc;
	snprintf(s->last_owner, sizeof(s->last_owner), "%s", src->owner);
}

static void on_ended(void *user, const char *reason)
{
	struct side *s = user;
	s->ended = true;
	snprintf(s->ended_why, sizeof(s->ended_why), "%s", reason);
}

static void focus_state(void *user, enum peer_state st, int err, const char *reason)
{
	struct side *s = user;
	(void)err;
	(void)reason;
	if (st == PEER_CONNECTED)
		s->focus_up = true;
}

static bool gathered(void *arg)
{
	return peer_gathering_done(arg);
}

static bool both_up(void *arg)
{
	struct side *s = arg;
	return (s->up && s->focus_up) || s->failed;
}

static const struct xml_node *parse_jingle(const char *xml, struct xml_doc **d)
{
	char err[200];
	if (xml_parse(xml, strlen(xml), d, err, sizeof(err)) < 0)
		fail_msg("XML: %s\n%s", err, xml);
	return xml_root(*d);
}

/* Hands js the request xml (parsed, then freed again); returns jsession_handle's answer. */
static int handle(struct jsession *js, const char *xml)
{
	struct xml_doc *d;
	int rc = jsession_handle(js, parse_jingle(xml, &d));
	xml_free(d);
	return rc;
}

/* Feeds the focus's peer every candidate in the transport-info messages sent from index i. */
static unsigned trickle_to_focus(struct side *s, unsigned i)
{
	for (; i < s->sent.n; i++) {
		struct xml_doc *d;
		const struct xml_node *j = parse_jingle(s->sent.xml[i], &d);
		if (jingle_action_of(j) == JINGLE_TRANSPORT_INFO) {
			const struct xml_node *t = xml_child(xml_child(j, NS_JINGLE, "content"), NS_ICE,
							     "transport");
			char line[300] = "candidate:";
			if (jingle_candidate_to_sdp(t->child, line + 10, sizeof(line) - 10) > 0)
				peer_add_remote_candidate(s->focus, line);
		}
		xml_free(d);
	}
	return i;
}

static void test_handshake_through_jingle(void **state)
{
	(void)state;
	static const char *const lo[] = { "127.0.0.1", NULL };
	struct side s = { .ctx = g_main_context_new() };
	struct dtls_cert *cert;
	assert_int_equal(dtls_cert_create(&cert), 0);
	struct peer_config pc = { .cert = cert, .local_addrs = lo, .connect_timeout_ms = 8000 };

	/* the focus: an offerer with every candidate in its offer */
	struct peer_config fpc = pc;
	fpc.offerer = true;
	struct peer_callbacks fcb = { .state_cb = focus_state, .user = &s };
	assert_int_equal(peer_create(s.ctx, &fpc, &fcb, &s.focus), 0);
	assert_true(pump(s.ctx, gathered, s.focus, 5000));
	struct sdp_local fl;
	peer_sdp_local(s.focus, &fl);
	static char sdp[16384];
	struct sdp_audio_offer ao = { .local = fl, .mid = "audio", .dir = SDP_DIR_SENDRECV,
				      .ssrc = 4242, .cname = "focus" };
	int n = sdp_write_audio_offer(sdp, sizeof(sdp), &ao);
	assert_true(n > 0);
	struct sdp_session *offer;
	assert_int_equal(sdp_session_create(&offer), 0);
	assert_int_equal(sdp_parse(sdp, (size_t)n, offer), 0);
	static char init[65536];
	struct jingle_accept ji = { .initiate = true, .sid = "sid'1", .initiator = FOCUS,
				    .owner = "room@conference.localhost/alice", .endpoint = "alice" };
	assert_true(jingle_write_accept(offer, &ji, init, sizeof(init)) > 0);

	/* ttymeet takes it */
	struct xml_doc *d;
	const struct xml_node *j = parse_jingle(init, &d);
	assert_int_equal(jingle_action_of(j), JINGLE_SESSION_INITIATE);
	struct jsession_config cfg = { .main = s.ctx, .peer = &pc, .remote = FOCUS,
				       .self = "me@localhost/r1",
				       .owner = "room@conference.localhost/d00d", .endpoint = "d00d" };
	struct jsession_cbs cbs = { .send_iq = send_iq, .media = on_media, .source = on_source,
				    .ended = on_ended, .user = &s };
	struct jsession *js;
	char err[200] = "";
	if (jsession_create(&cfg, &cbs, j, &js, err, sizeof(err)) < 0)
		fail_msg("jsession_create: %s", err);
	xml_free(d);
	assert_string_equal(jsession_sid(js), "sid'1");
	assert_int_equal(s.src_added, 1); /* the focus's own audio source, with its owner */
	assert_int_equal(s.last_ssrc, 4242);
	assert_string_equal(s.last_owner, "room@conference.localhost/alice");

	/* its session-accept, to the focus, keys the focus's peer */
	assert_int_equal(s.sent.n, 1);
	assert_string_equal(s.sent.to, FOCUS);
	j = parse_jingle(s.sent.xml[0], &d);
	assert_int_equal(jingle_action_of(j), JINGLE_SESSION_ACCEPT);
	assert_string_equal(xml_attr(j, "sid"), "sid'1");
	assert_string_equal(xml_attr(j, "responder"), "me@localhost/r1");
	static char ans[65536];
	n = jingle_to_sdp(j, ans, sizeof(ans), err, sizeof(err));
	assert_true(n > 0);
	xml_free(d);
	struct sdp_session *answer;
	assert_int_equal(sdp_session_create(&answer), 0);
	assert_int_equal(sdp_parse(ans, (size_t)n, answer), 0);
	assert_int_equal(answer->media[0].n_ssrcs, 1);
	assert_int_equal(answer->media[0].setup, SDP_SETUP_ACTIVE); /* we are the DTLS client */
	assert_int_equal(peer_set_remote(s.focus, answer, 0), 0);

	/* trickle ours to the focus until both are connected */
	unsigned fed = 1;
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!both_up(&s) && g_get_monotonic_time() < deadline) {
		pump(s.ctx, NULL, NULL, 50);
		fed = trickle_to_focus(&s, fed);
	}
	assert_false(s.failed);
	assert_true(s.up);
	assert_true(s.focus_up);

	/* later actions */
	static const char add[] =
		"<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='sid&apos;1'>"
		"<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
		"<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='777'><ssrc-info "
		"xmlns='http://jitsi.org/jitmeet' owner='room@conference.localhost/bob'/></source>"
		"</description></content></jingle>";
	assert_int_equal(handle(js, add), 0);
	assert_int_equal(s.src_added, 2);
	assert_int_equal(s.last_ssrc, 777);
	assert_string_equal(s.last_owner, "room@conference.localhost/bob");
	static const char rem[] =
		"<jingle xmlns='urn:xmpp:jingle:1' action='source-remove' sid='sid&apos;1'>"
		"<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
		"<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='777'/></description></content>"
		"</jingle>";
	assert_int_equal(handle(js, rem), 0);
	assert_int_equal(s.src_removed, 1);
	/* JSON-encoded sources (jicofo's compact form) are reported the same way */
	static const char jadd[] =
		"<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='sid&apos;1'>"
		"<json-message xmlns='http://jitsi.org/jitmeet'>{\"sources\":{\"c0ffee01\":[[],[],"
		"[{\"s\":778,\"n\":\"c0ffee01-a0\"}]]}}</json-message></jingle>";
	assert_int_equal(handle(js, jadd), 0);
	assert_int_equal(s.src_added, 3);
	assert_int_equal(s.last_ssrc, 778);
	assert_string_equal(s.last_owner, "c0ffee01");
	/* every other action gets the answer XEP-0166 gives it (jingle.h) */
	static const struct { const char *xml; int rc; enum jingle_error kind; } other[] = {
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='content-modify' sid='sid&apos;1'/>", 0, 0 },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='sid&apos;1'/>", 0, 0 },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='sid&apos;1'><ringing "
		  "xmlns='urn:xmpp:jingle:apps:rtp:info:1'/></jingle>", -ENOMSG,
		  JINGLE_ERR_UNSUPPORTED_INFO },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='description-info' sid='sid&apos;1'/>",
		  -ENOMSG, JINGLE_ERR_UNSUPPORTED_INFO },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='other'/>", -ENOENT,
		  JINGLE_ERR_UNKNOWN_SESSION },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='source-add'/>", -EINVAL,
		  JINGLE_ERR_BAD_REQUEST },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='session-bogus' sid='sid&apos;1'/>",
		  -EINVAL, JINGLE_ERR_BAD_REQUEST },
		{ "<jingle xmlns='urn:xmpp:jingle:1' sid='sid&apos;1'/>", -EINVAL,
		  JINGLE_ERR_BAD_REQUEST },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='content-add' sid='sid&apos;1'/>",
		  -ENOTSUP, JINGLE_ERR_NOT_IMPLEMENTED },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='transport-replace' sid='sid&apos;1'/>",
		  -ENOTSUP, JINGLE_ERR_NOT_IMPLEMENTED },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='sid&apos;1'/>",
		  -EALREADY, JINGLE_ERR_OUT_OF_ORDER },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='session-accept' sid='sid&apos;1'/>",
		  -EALREADY, JINGLE_ERR_OUT_OF_ORDER },
		{ ("<jingle xmlns='urn:xmpp:jingle:1' action='source-remove' sid='sid&apos;1'>"
		   "<json-message xmlns='http://jitsi.org/jitmeet'>{\"sources\":</json-message>"
		   "</jingle>"), -EINVAL, JINGLE_ERR_BAD_REQUEST },
	};
	for (unsigned i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		int rc = handle(js, other[i].xml);
		if (rc != other[i].rc || (rc && jingle_error_of(rc) != other[i].kind))
			fail_msg("action %u: rc %d", i, rc);
	}
	assert_false(s.ended);
	static const char term[] =
		"<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='sid&apos;1'>"
		"<reason><text>bye</text><gone/></reason></jingle>";
	assert_int_equal(handle(js, term), 0);
	assert_true(s.ended);
	assert_string_equal(s.ended_why, "gone");

	unsigned before = s.sent.n;
	jsession_destroy(js, "success");
	assert_int_equal(s.sent.n, before + 1);
	j = parse_jingle(s.sent.xml[before], &d);
	assert_int_equal(jingle_action_of(j), JINGLE_SESSION_TERMINATE);
	assert_string_equal(xml_attr(j, "sid"), "sid'1");
	assert_non_null(xml_child(xml_child(j, NS_JINGLE, "reason"), NS_JINGLE, "success"));
	xml_free(d);

	peer_destroy(s.focus);
	sdp_session_destroy(offer);
	sdp_session_destroy(answer);
	for (unsigned i = 0; i < s.sent.n; i++)
		free(s.sent.xml[i]);
	dtls_cert_destroy(cert);
	while (g_main_context_iteration(s.ctx, FALSE))
		;
	g_main_context_unref(s.ctx);
}

static void test_refused_offers(void **state)
{
	(void)state;
	static const char *const lo[] = { "127.0.0.1", NULL };
	struct side s = { .ctx = g_main_context_new() };
	struct dtls_cert *cert;
	assert_int_equal(dtls_cert_create(&cert), 0);
	struct peer_config pc = { .cert = cert, .local_addrs = lo };
	struct jsession_config cfg = { .main = s.ctx, .peer = &pc, .remote = FOCUS, .self = "me@x/y" };
	struct jsession_cbs cbs = { .send_iq = send_iq, .user = &s };
	static const struct { const char *xml; int rc; } bad[] = {
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'><content "
		  "name='v'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'><payload-type"
		  " id='100' name='VP8' clockrate='90000'/></description><transport xmlns='" NS_ICE
		  "' ufrag='uuuu' pwd='pwpwpwpwpwpwpwpwpwpwpwpw'><fingerprint "
		  "xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'>" FP "</fingerprint></transport>"
		  "</content></jingle>", -EPROTO },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'/>", -EINVAL },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='transport-info' sid='s'/>", -EINVAL },
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='a b'/>", -EINVAL },
		/* Opus, but JSON-encoded sources that are not JSON: bad-request, nothing sent */
		{ "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'><content "
		  "name='a'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type"
		  " id='111' name='opus' clockrate='48000' channels='2'/></description><transport "
		  "xmlns='" NS_ICE "' ufrag='uuuu' pwd='pwpwpwpwpwpwpwpwpwpwpwpw'><fingerprint "
		  "xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'>" FP "</fingerprint></transport>"
		  "</content><json-message xmlns='http://jitsi.org/jitmeet'>{\"sources\":{\"a\":7}}"
		  "</json-message></jingle>", -EINVAL },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct xml_doc *d;
		struct jsession *js = (void *)1;
		char err[200] = "";
		const struct xml_node *j = parse_jingle(bad[i].xml, &d);
		int rc = jsession_create(&cfg, &cbs, j, &js, err, sizeof(err));
		if (rc != bad[i].rc || js || !err[0])
			fail_msg("case %u: rc %d, err '%s'", i, rc, err);
		xml_free(d);
	}
	/* a run without media has no DTLS identity: a good offer is refused (-ENOTSUP: the caller
	 * ends it), and we offer none */
	struct peer_config nocert = { .local_addrs = lo };
	cfg.peer = &nocert;
	struct xml_doc *d;
	struct jsession *js = (void *)1;
	char err[200] = "";
	const struct xml_node *j = parse_jingle(
		"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'><content "
		"name='a'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type"
		" id='111' name='opus' clockrate='48000' channels='2'/></description><transport "
		"xmlns='" NS_ICE "' ufrag='uuuu' pwd='pwpwpwpwpwpwpwpwpwpwpwpw'><fingerprint "
		"xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'>" FP "</fingerprint></transport>"
		"</content></jingle>", &d);
	assert_int_equal(jsession_create(&cfg, &cbs, j, &js, err, sizeof(err)), -ENOTSUP);
	assert_true(!js && err[0]);
	xml_free(d);
	cfg.owner = "room@conference.localhost/d00d";
	js = (void *)1;
	assert_int_equal(jsession_offer(&cfg, &cbs, "abc", &js, err, sizeof(err)), -EINVAL);
	assert_null(js);
	assert_int_equal(s.sent.n, 0); /* nothing went out for a refused offer */
	dtls_cert_destroy(cert);
	while (g_main_context_iteration(s.ctx, FALSE))
		;
	g_main_context_unref(s.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_through_jingle),
		cmocka_unit_test(test_refused_offers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
