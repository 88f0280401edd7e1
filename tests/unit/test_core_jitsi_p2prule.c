/* Unit tests for lib-jitsi-meet's peer-to-peer rule in src/jitsi/call.c, who counts
 * (_shouldBeInP2PMode) and the offers we take (_onIncomingCallP2P), with real PeerConnections
 * on loopback (tests/unit/jcall_world.h): an offer taken only when the room is us and the
 * offerer, without a poltergeist or jigasi; else declined (decline), also when someone the
 * roster does not list (a hidden recorder) or someone named in UTF-8 is the third, not when
 * that is an occupant named "focus" or ourselves; a second offer while a direct session is up
 * refused busy; a hidden occupant coming ends one. Our offers by the same count, made at once
 * when a poltergeist's presence drops its <bot>. An offer whose sender JID is too long to keep:
 * bad-request. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/jcall_world.h"

/* jcall_occupant_joined with the presence made of body (an occupant's presence children). */
static void joined_as(struct jcall *c, const char *nick, const char *body)
{
	char *x = g_strdup_printf("<presence xmlns='jabber:client' from='" ROOM "/%s'>%s"
				  "</presence>", nick, body);
	struct xml_doc *d = parse(x);
	jcall_occupant_joined(c, nick, xml_root(d));
	xml_free(d);
	g_free(x);
}

#define JIGASI "<features><feature var='http://jitsi.org/protocol/jigasi'/></features>"

/* feeds the session-initiate of r (offered by nick, sid) as iq id: acknowledged, then ended
 * with a session-terminate for that sid naming reason, and nothing else sent */
static void check_refused(struct world *w, struct jcall *c, const char *id, const char *nick,
			  const struct remote *r, const char *sid, const char *reason)
{
	unsigned mark = w->n;
	char *from = g_strdup_printf(ROOM "/%s", nick);
	assert_true(feed(c, id, from, r->jingle));
	char *res = g_strdup_printf("answer:%s result", id);
	assert_string_equal(w->log[mark], res);
	g_free(res);
	int t = find(w, mark, "iq:", NULL);
	assert_true(t > (int)mark && !strncmp(w->log[t] + 3, from, strlen(from)));
	struct xml_doc *d = sent_jingle(w, t);
	assert_int_equal(jingle_action_of(xml_root(d)), JINGLE_SESSION_TERMINATE);
	assert_string_equal(xml_attr(xml_root(d), "sid"), sid);
	assert_string_equal(jingle_reason_of(xml_root(d)), reason);
	xml_free(d);
	assert_int_equal(count(w, "iq:", "action='session-accept'"), 0);
	assert_int_equal(find(w, (unsigned)t + 1, "iq:", NULL), -1);
	g_free(from);
}

/* An offer is taken only when the room is us and the offerer, without a bot in it; else it is
 * declined, as lib-jitsi-meet's _onIncomingCallP2P declines it (session-terminate decline);
 * while a direct session is up another offer is refused busy. Who counts: hidden occupants
 * (not in the roster), names in UTF-8; not one named "focus", not ourselves. */
static void test_offers_we_take(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct jcall *c = make(&w, false);
	struct remote r[9] = { { 0 } };
	jcall_joined(c);
	/* alice offers with bert in the room too: declined */
	jcall_occupant_joined(c, "alice", NULL);
	jcall_occupant_joined(c, "bert", NULL);
	remote_start(&w, &r[0], ROOM "/alice", "a1", 1111);
	check_refused(&w, c, "o1", "alice", &r[0], "a1", "decline");
	/* ... and zoe, whom the room has not listed (three with her all the same) */
	remote_start(&w, &r[1], ROOM "/zoe", "z1", 1112);
	check_refused(&w, c, "o2", "zoe", &r[1], "z1", "decline");
	/* a recorder (a hidden occupant: who() does not know it) counts */
	jcall_occupant_joined(c, "rec00001", NULL);
	jcall_occupant_left(c, "bert");
	remote_start(&w, &r[2], ROOM "/alice", "a2", 1113);
	check_refused(&w, c, "o3", "alice", &r[2], "a2", "decline");
	/* so does an occupant named in UTF-8 */
	jcall_occupant_joined(c, "J\xc3\xbcrgen", NULL);
	jcall_occupant_left(c, "rec00001");
	remote_start(&w, &r[3], ROOM "/alice", "a3", 1114);
	check_refused(&w, c, "o4", "alice", &r[3], "a3", "decline");
	jcall_occupant_left(c, "J\xc3\xbcrgen");
	/* one named "focus" does not, nor do we; a bot does: alice as a poltergeist, then with
	 * jigasi's feature, alone with us, is declined */
	jcall_occupant_joined(c, "focus", NULL);
	jcall_occupant_joined(c, "d00d", NULL);
	joined_as(c, "alice", "<bot type='poltergeist'/>");
	remote_start(&w, &r[4], ROOM "/alice", "a4", 1115);
	check_refused(&w, c, "o5", "alice", &r[4], "a4", "decline");
	joined_as(c, "alice", "<nick xmlns='http://jabber.org/protocol/nick'>Alice</nick>" JIGASI);
	remote_start(&w, &r[5], ROOM "/alice", "a5", 1116);
	check_refused(&w, c, "o6", "alice", &r[5], "a5", "decline");
	/* a person again (another bot type is no bar either): her offer is taken */
	joined_as(c, "alice", "<bot type='x-helper'/>");
	remote_start(&w, &r[6], ROOM "/alice", "a6", 1117);
	unsigned mark = w.n;
	assert_true(feed(c, "o7", ROOM "/alice", r[6].jingle));
	assert_string_equal(w.log[mark], "answer:o7 result");
	assert_true(find(&w, mark, "iq:" ROOM "/alice ", "action='session-accept'") > (int)mark);
	struct wait_up u = { &w, &r[6], mark, (int)mark, "audio:up peer-to-peer with Alice" };
	assert_true(pump(w.ctx, up_and_said, &u, 8000));
	/* another offer of hers while it is up: busy, and hers stands */
	remote_start(&w, &r[7], ROOM "/alice", "a7", 1118);
	mark = w.n;
	assert_true(feed(c, "o8", ROOM "/alice", r[7].jingle));
	assert_string_equal(w.log[mark], "answer:o8 result");
	struct xml_doc *d = sent_jingle(&w, find(&w, mark, "iq:" ROOM "/alice ", NULL));
	assert_int_equal(jingle_action_of(xml_root(d)), JINGLE_SESSION_TERMINATE);
	assert_string_equal(xml_attr(xml_root(d), "sid"), "a7");
	assert_string_equal(jingle_reason_of(xml_root(d)), "busy");
	xml_free(d);
	assert_int_equal(jcall_show(c, "alice"), -EALREADY); /* the direct session is still up */
	/* a hidden occupant comes: the direct session ends (success) */
	mark = w.n;
	jcall_occupant_joined(c, "rec00001", NULL);
	d = sent_jingle(&w, find(&w, mark, "iq:" ROOM "/alice ", NULL));
	assert_int_equal(jingle_action_of(xml_root(d)), JINGLE_SESSION_TERMINATE);
	assert_string_equal(xml_attr(xml_root(d), "sid"), "a6");
	assert_string_equal(jingle_reason_of(xml_root(d)), "success");
	xml_free(d);
	assert_int_equal(jcall_show(c, "alice"), -ENOENT); /* no session left */
	unmake(&w, c, r, 9);
}

/* Our offer, by the same count: not while a bot is in the room, at once when its presence
 * drops <bot> (lib-jitsi-meet's _onMemberBotTypeChanged); not with a hidden or UTF-8-named
 * occupant besides zoe; with one named "focus" besides her, yes. */
static void test_we_offer_by_the_count(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct jcall *c = make(&w, false);
	joined_as(c, "zoe", "<bot type='poltergeist'/>");
	jcall_joined(c);
	joined_as(c, "zoe", "<bot type='poltergeist'/><audiomuted>true</audiomuted>");
	assert_int_equal(find(&w, 0, "iq:", NULL), -1);
	joined_as(c, "zoe", "<audiomuted>true</audiomuted>"); /* the poltergeist is gone */
	assert_true(find(&w, 0, "iq:" ROOM "/zoe ", "action='session-initiate'") >= 0);
	jcall_destroy(c, false);

	c = make(&w, false);
	unsigned mark = w.n;
	joined_as(c, "zoe", JIGASI);
	jcall_joined(c);
	joined_as(c, "zoe", JIGASI); /* again: nothing */
	jcall_occupant_joined(c, "zoe", NULL); /* jigasi's feature gone: no rerun (no <bot>) */
	assert_int_equal(find(&w, mark, "iq:", NULL), -1);
	jcall_destroy(c, false);

	c = make(&w, false);
	mark = w.n;
	jcall_occupant_joined(c, "zoe", NULL);
	jcall_occupant_joined(c, "rec00001", NULL);
	jcall_joined(c);
	jcall_occupant_left(c, "rec00001");
	jcall_occupant_joined(c, "\xc3\xa9mile", NULL);
	jcall_occupant_left(c, "zoe");
	jcall_occupant_joined(c, "zoe", NULL);
	pump(w.ctx, NULL, NULL, 500); /* past back_to_p2p_ms */
	assert_int_equal(find(&w, mark, "iq:", NULL), -1);
	jcall_occupant_joined(c, "focus", NULL);
	jcall_occupant_left(c, "\xc3\xa9mile");
	struct wait_log wl = { &w, mark, "notice:offering Zoe a peer-to-peer call" };
	assert_true(pump(w.ctx, logged, &wl, 2000));
	unmake(&w, c, NULL, 0);
}

/* An offer whose sender's JID is too long for the session to keep (a room name near the
 * bound): bad-request, rather than a session whose later requests would not be recognised. */
static void test_long_sender(void **state)
{
	(void)state;
	struct world w = { 0 };
	char room[316], from[340];
	memset(room, 'r', 301);
	snprintf(room + 301, sizeof(room) - 301, "@conference.x"); /* 314 bytes */
	snprintf(from, sizeof(from), "%s/alice", room);              /* 320: one too many */
	w.ctx = g_main_context_new();
	assert_int_equal(dtls_cert_create(&w.cert), 0);
	static const char *const lo[] = { "127.0.0.1", NULL };
	w.pc = (struct peer_config){ .cert = w.cert, .local_addrs = lo };
	struct jcall_config cc = { .main = w.ctx, .peer = &w.pc, .room = room,
				   .self = "me@localhost/r1", .nick = "d" };
	struct jcall_cbs cb = { .send_iq = send_iq, .answer = answer, .who = who, .name = name,
				.talking = talking, .audio = audio, .notice = notice, .user = &w };
	struct jcall *c;
	assert_int_equal(jcall_create(&cc, &cb, &c), 0);
	jcall_occupant_joined(c, "alice", NULL);
	struct remote r = { 0 };
	remote_start(&w, &r, from, "l1", 1111);
	assert_true(feed(c, "L1", from, r.jingle));
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.log[0], "answer:L1 "));
	assert_non_null(strstr(w.log[0], "<bad-request "));
	unmake(&w, c, &r, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offers_we_take),
		cmocka_unit_test(test_we_offer_by_the_count),
		cmocka_unit_test(test_long_sender),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
