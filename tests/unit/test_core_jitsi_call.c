/* Unit tests for the Jingle sessions of one room (src/jitsi/call.c), with real PeerConnections
 * on loopback playing the focus and a peer: requests only from the room's focus and listed
 * occupants (others service-unavailable, an unknown sid unknown-session, a sid-less
 * session-initiate bad-request), the result of a session-initiate sent before our
 * session-accept, --no-p2p's decline, a peer-to-peer session up (audio up, named), the bridge's
 * session carrying the audio until a direct one is up, the switch said both ways when the peer
 * ends it, the peer leaving the room ending it, a polite destroy terminating both. */
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
#include "src/jitsi/call.h"
#include "src/jitsi/jingle.h"
#include "src/jitsi/xml.h"
#include "tests/unit/pump.h"

#define ROOM "room@conference.localhost"
#define NS_ICE "urn:xmpp:jingle:transports:ice-udp:1"

/* What the call did, in order: "answer:<result|error text>", "iq:<to> <jingle>", "notice:...",
 * "audio:up how" / "audio:down why". */
struct world {
	GMainContext *ctx;
	char *log[128];
	unsigned n;
	struct dtls_cert *cert;
	struct peer_config pc;
};

static void logf_(struct world *w, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void logf_(struct world *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (w->n < 128)
		w->log[w->n++] = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

static int send_iq(void *user, const char *to, const char *jingle)
{
	logf_(user, "iq:%s %s", to, jingle);
	return 0;
}

static void answer(void *user, const struct xml_node *iq, const char *error)
{
	logf_(user, "answer:%s %s", xml_attr(iq, "id"), error ? error : "result");
}

static enum jcall_who who(void *user, const char *nick, uint64_t *id)
{
	(void)user;
	if (!strcmp(nick, "focus"))
		return JCALL_FOCUS;
	if (!strcmp(nick, "alice") || !strcmp(nick, "bert")) {
		*id = nick[0] == 'a' ? 1 : 2;
		return JCALL_OCCUPANT;
	}
	return JCALL_NOBODY;
}

static const char *name(void *user, uint64_t id)
{
	(void)user;
	return id == 1 ? "Alice" : id == 2 ? "Bert" : NULL;
}

static void talking(void *user, uint64_t id, bool on)
{
	(void)user;
	(void)id;
	(void)on;
}

static void audio(void *user, bool up, gint64 t_ice, gint64 t_dtls, const char *how)
{
	(void)t_ice;
	(void)t_dtls;
	logf_(user, "audio:%s %s", up ? "up" : "down", how);
}

static void notice(void *user, const char *msg)
{
	logf_(user, "notice:%s", msg);
}

/* Index of the first log entry from `from` on that starts with prefix and contains needle
 * (NULL: any), or -1. */
static int find(const struct world *w, unsigned from, const char *prefix, const char *needle)
{
	for (unsigned i = from; i < w->n; i++)
		if (!strncmp(w->log[i], prefix, strlen(prefix)) &&
		    (!needle || strstr(w->log[i], needle)))
			return (int)i;
	return -1;
}

static struct xml_doc *parse(const char *xml)
{
	char err[200];
	struct xml_doc *d;
	if (xml_parse(xml, strlen(xml), &d, err, sizeof(err)) < 0)
		fail_msg("XML: %s\n%s", err, xml);
	return d;
}

/* Feeds the call an iq set from `from` carrying jingle; returns what jcall_iq said. */
static bool feed(struct jcall *c, const char *id, const char *from, const char *jingle)
{
	char *iq = g_strdup_printf("<iq xmlns='jabber:client' type='set' id='%s' from='%s' "
				   "to='me@localhost/r1'>%s</iq>", id, from, jingle);
	struct xml_doc *d = parse(iq);
	bool taken = jcall_iq(c, xml_root(d));
	xml_free(d);
	g_free(iq);
	return taken;
}

/* The other side of a session: an offering PeerConnection whose offer is a session-initiate. */
struct remote {
	struct peer *p;
	bool up;
	char jingle[65536];
	const char *jid;
};

static void remote_state(void *user, enum peer_state st, int err, const char *reason)
{
	struct remote *r = user;
	(void)err;
	(void)reason;
	if (st == PEER_CONNECTED)
		r->up = true;
}

static bool gathered(void *arg)
{
	return peer_gathering_done(arg);
}

static void remote_start(struct world *w, struct remote *r, const char *jid, const char *sid,
			 uint32_t ssrc)
{
	struct peer_config pc = w->pc;
	pc.offerer = true;
	struct peer_callbacks cb = { .state_cb = remote_state, .user = r };
	r->jid = jid;
	assert_int_equal(peer_create(w->ctx, &pc, &cb, &r->p), 0);
	assert_true(pump(w->ctx, gathered, r->p, 5000));
	struct sdp_local l;
	peer_sdp_local(r->p, &l);
	static char sdp[16384];
	struct sdp_audio_offer ao = { .local = l, .mid = "0", .dir = SDP_DIR_SENDRECV,
				      .ssrc = ssrc, .cname = "remote" };
	int n = sdp_write_audio_offer(sdp, sizeof(sdp), &ao);
	struct sdp_session *offer;
	assert_int_equal(sdp_session_create(&offer), 0);
	assert_int_equal(sdp_parse(sdp, (size_t)n, offer), 0);
	struct jingle_accept ji = { .initiate = true, .sid = sid, .initiator = jid, .owner = jid };
	assert_true(jingle_write_accept(offer, &ji, r->jingle, sizeof(r->jingle)) > 0);
	sdp_session_destroy(offer);
}

/* Applies to r every session-accept and transport-info the call sent r from log index i. */
static unsigned remote_take(struct world *w, struct remote *r, unsigned i)
{
	size_t tl = strlen(r->jid);
	for (; i < w->n; i++) {
		const char *e = w->log[i];
		if (strncmp(e, "iq:", 3) || strncmp(e + 3, r->jid, tl) || e[3 + tl] != ' ')
			continue;
		struct xml_doc *d = parse(e + 4 + tl);
		const struct xml_node *j = xml_root(d);
		if (jingle_action_of(j) == JINGLE_SESSION_ACCEPT) {
			static char sdp[65536];
			char err[200];
			int n = jingle_to_sdp(j, sdp, sizeof(sdp), err, sizeof(err));
			struct sdp_session *ans;
			assert_true(n > 0);
			assert_int_equal(sdp_session_create(&ans), 0);
			assert_int_equal(sdp_parse(sdp, (size_t)n, ans), 0);
			assert_int_equal(peer_set_remote(r->p, ans, 0), 0);
			sdp_session_destroy(ans);
		} else if (jingle_action_of(j) == JINGLE_TRANSPORT_INFO) {
			const struct xml_node *t = xml_child(xml_child(j, NS_JINGLE, "content"),
							     NS_ICE, "transport");
			char line[300] = "candidate:";
			if (t && t->child &&
			    jingle_candidate_to_sdp(t->child, line + 10, sizeof(line) - 10) > 0)
				peer_add_remote_candidate(r->p, line);
		}
		xml_free(d);
	}
	return i;
}

struct wait_up {
	struct world *w;
	struct remote *r;
	unsigned seen;
	int audio_from;
	const char *needle;
};

static bool up_and_said(void *arg)
{
	struct wait_up *u = arg;
	u->seen = remote_take(u->w, u->r, u->seen);
	return u->r->up && find(u->w, (unsigned)u->audio_from, u->needle, NULL) >= 0;
}

static struct jcall *make(struct world *w, bool no_p2p)
{
	static const char *const lo[] = { "127.0.0.1", NULL };
	w->ctx = g_main_context_new();
	assert_int_equal(dtls_cert_create(&w->cert), 0);
	w->pc = (struct peer_config){ .cert = w->cert, .local_addrs = lo,
				      .connect_timeout_ms = 8000 };
	struct jcall_config cc = { .main = w->ctx, .peer = &w->pc, .room = ROOM,
				   .self = "me@localhost/r1", .nick = "d00d", .no_p2p = no_p2p };
	struct jcall_cbs cb = { send_iq, answer, who, name, talking, audio, notice, w };
	struct jcall *c;
	assert_int_equal(jcall_create(&cc, &cb, &c), 0);
	return c;
}

static void unmake(struct world *w, struct jcall *c, struct remote *r, size_t nr)
{
	jcall_destroy(c, false);
	for (size_t i = 0; i < nr; i++)
		peer_destroy(r[i].p);
	while (g_main_context_iteration(w->ctx, FALSE))
		;
	dtls_cert_destroy(w->cert);
	g_main_context_unref(w->ctx);
	for (unsigned i = 0; i < w->n; i++)
		g_free(w->log[i]);
}

static void test_who_may_ask(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct jcall *c = make(&w, false);
	/* not Jingle, not a set: not ours */
	struct xml_doc *d = parse("<iq xmlns='jabber:client' type='get' id='g' from='" ROOM
				  "/alice'><ping xmlns='urn:xmpp:ping'/></iq>");
	assert_false(jcall_iq(c, xml_root(d)));
	xml_free(d);
	static const char ti[] = "<jingle xmlns='urn:xmpp:jingle:1' action='transport-info' "
				 "sid='nope'/>";
	/* from outside the room, from an occupant nobody listed: service-unavailable */
	assert_true(feed(c, "o1", "mallory@localhost/x", ti));
	assert_true(feed(c, "o2", "other@conference.localhost/alice", ti));
	assert_true(feed(c, "o3", ROOM "/zed", ti));
	for (int i = 0; i < 3; i++)
		assert_non_null(strstr(w.log[i], "<service-unavailable "));
	/* a listed occupant, a session we do not have: unknown-session */
	assert_true(feed(c, "u1", ROOM "/alice", ti));
	assert_non_null(strstr(w.log[3], "answer:u1 "));
	assert_non_null(strstr(w.log[3], "<unknown-session "));
	/* a session-initiate without a sid: bad-request; one with no usable offer: bad-request */
	assert_true(feed(c, "b1", ROOM "/alice",
			 "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate'/>"));
	assert_non_null(strstr(w.log[4], "<bad-request "));
	assert_true(feed(c, "b2", ROOM "/alice",
			 "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'/>"));
	assert_int_equal(find(&w, 5, "answer:b2", "<bad-request "), (int)w.n - 1);
	assert_int_equal(find(&w, 0, "iq:", NULL), -1); /* nothing was sent to anyone */
	unmake(&w, c, NULL, 0);
}

static void test_no_p2p_declines(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct jcall *c = make(&w, true);
	struct remote r = { 0 };
	remote_start(&w, &r, ROOM "/alice", "p2p1", 1111);
	assert_true(feed(c, "i1", ROOM "/alice", r.jingle));
	assert_string_equal(w.log[0], "answer:i1 result");
	assert_int_equal(w.n, 2);
	struct xml_doc *d = parse(strchr(w.log[1], ' ') + 1);
	assert_non_null(strstr(w.log[1], "iq:" ROOM "/alice "));
	assert_int_equal(jingle_action_of(xml_root(d)), JINGLE_SESSION_TERMINATE);
	assert_string_equal(jingle_reason_of(xml_root(d)), "decline");
	assert_string_equal(xml_attr(xml_root(d), "sid"), "p2p1");
	xml_free(d);
	unmake(&w, c, &r, 1);
}

static void test_bridge_then_p2p_and_back(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct jcall *c = make(&w, false);
	struct remote r[2] = { { 0 } };
	/* the focus's session: result first, then our session-accept; up: audio through the bridge */
	remote_start(&w, &r[0], ROOM "/focus", "jvb1", 2222);
	assert_true(feed(c, "f1", ROOM "/focus", r[0].jingle));
	int res = find(&w, 0, "answer:f1 result", NULL), acc = find(&w, 0, "iq:", "session-accept");
	assert_true(res >= 0 && acc > res);
	struct wait_up u = { &w, &r[0], 0, 0, "audio:up through the bridge" };
	assert_true(pump(w.ctx, up_and_said, &u, 8000));

	/* alice offers peer-to-peer: once it is up, the audio goes to her (said, by name) */
	remote_start(&w, &r[1], ROOM "/alice", "p2p1", 3333);
	unsigned mark = w.n;
	assert_true(feed(c, "p1", ROOM "/alice", r[1].jingle));
	assert_int_equal(find(&w, mark, "answer:p1 result", NULL), (int)mark);
	u = (struct wait_up){ &w, &r[1], mark, (int)mark,
			      "notice:audio now goes directly to Alice (peer-to-peer)" };
	assert_true(pump(w.ctx, up_and_said, &u, 8000));
	assert_int_equal(find(&w, mark, "audio:", NULL), -1); /* the first audio was said once */

	/* a request of hers for the bridge's session: unknown-session */
	mark = w.n;
	assert_true(feed(c, "x1", ROOM "/alice", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='transport-info' sid='jvb1'/>"));
	assert_non_null(strstr(w.log[mark], "<unknown-session "));

	/* she ends it (a third person came): back through the bridge, said */
	mark = w.n;
	assert_true(feed(c, "t1", ROOM "/alice", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='session-terminate' sid='p2p1'><reason><success/></reason>"
			 "</jingle>"));
	assert_true(find(&w, mark, "answer:t1 result", NULL) >= 0);
	assert_true(find(&w, mark, "notice:Alice ended the peer-to-peer call (success)", NULL) > 0);
	assert_true(find(&w, mark, "notice:audio now goes through the bridge", NULL) > 0);
	assert_int_equal(find(&w, mark, "iq:", NULL), -1); /* no terminate back */
	/* her session is gone: a later request for it is unknown */
	mark = w.n;
	assert_true(feed(c, "t2", ROOM "/alice", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='transport-info' sid='p2p1'/>"));
	assert_non_null(strstr(w.log[mark], "<unknown-session "));

	/* bert offers, then leaves the room: his session ends without a word to him */
	struct remote rb = { 0 };
	remote_start(&w, &rb, ROOM "/bert", "p2p2", 4444);
	assert_true(feed(c, "p2", ROOM "/bert", rb.jingle));
	jcall_occupant_left(c, "bert");
	mark = w.n;
	assert_true(feed(c, "t3", ROOM "/bert", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='transport-info' sid='p2p2'/>"));
	assert_non_null(strstr(w.log[mark], "<unknown-session "));

	/* a polite end: the focus gets a session-terminate (success) */
	mark = w.n;
	jcall_destroy(c, true);
	int t = find(&w, mark, "iq:" ROOM "/focus ", "session-terminate");
	assert_true(t >= 0 && strstr(w.log[t], "<success/>"));
	peer_destroy(rb.p);
	/* unmake without the call (destroyed above) */
	for (size_t i = 0; i < 2; i++)
		peer_destroy(r[i].p);
	while (g_main_context_iteration(w.ctx, FALSE))
		;
	dtls_cert_destroy(w.cert);
	g_main_context_unref(w.ctx);
	for (unsigned i = 0; i < w.n; i++)
		g_free(w.log[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_who_may_ask),
		cmocka_unit_test(test_no_p2p_declines),
		cmocka_unit_test(test_bridge_then_p2p_and_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
