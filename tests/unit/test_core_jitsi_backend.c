/* Unit tests for the Jitsi backend (src/jitsi/backend.c) through the session's offline mode:
 * a Jitsi link picks it (backend_for), the stream is fed prosody-shaped messages, and the
 * session's events show the conference request before the join, the join (our presence with
 * status 110), the roster from occupants' presence (the focus left out by the JID its answer
 * named, names sanitized, muted from <audiomuted>), leaving occupants, and a room that refuses
 * the join (exit 4); the peer-to-peer rule does not count an occupant without a muc#user
 * item. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/exitcode.h"
#include "src/jitsi/disco.h"
#include "src/session.h"
#include "src/session_int.h"

struct t {
	struct session *s;
	char sent[32][2048];
	int n_sent;
	int joined, participants, left, errors, code, reconnecting, waiting;
	char waiting_kind[16];
	uint64_t self_id, bob_id;
	char names[8][128];
	bool muted[8];
	char error[256];
};

static int t_send(void *user, const char *text, size_t len)
{
	struct t *t = user;
	if (t->n_sent < 32 && len < sizeof(t->sent[0])) {
		memcpy(t->sent[t->n_sent], text, len);
		t->sent[t->n_sent++][len] = '\0';
	}
	return 0;
}

static void on_event(void *user, const struct session_event *ev)
{
	struct t *t = user;
	switch (ev->type) {
	case SESSION_EV_JOINED:
		t->joined++;
		t->self_id = ev->id;
		assert_string_equal(ev->kind, "jitsi");
		break;
	case SESSION_EV_PARTICIPANT_JOINED:
		if (t->participants < 8) {
			snprintf(t->names[t->participants], sizeof(t->names[0]), "%s", ev->name);
			t->muted[t->participants] = ev->on;
		}
		if (!strcmp(ev->name, "bob"))
			t->bob_id = ev->id;
		t->participants++;
		break;
	case SESSION_EV_PARTICIPANT_LEFT:
		t->left++;
		assert_int_equal(ev->id, t->bob_id);
		break;
	case SESSION_EV_RECONNECTING:
		t->reconnecting++;
		break;
	case SESSION_EV_WAITING:
		t->waiting++;
		snprintf(t->waiting_kind, sizeof(t->waiting_kind), "%s", ev->kind);
		break;
	case SESSION_EV_ERROR:
		t->errors++;
		t->code = ev->code;
		snprintf(t->error, sizeof(t->error), "%s", ev->message);
		break;
	default:
		break;
	}
}

static void feed(struct t *t, const char *m)
{
	session_offline_feed(t->s, m, strlen(m));
	while (g_main_context_iteration(NULL, FALSE))
		;
}

#define ROOM "myroom@conference.meet.example"
#define PRES(occ, body) "<presence xmlns='jabber:client' from='" ROOM "/" occ "' to='a@meet.example/r'>" body "</presence>"
#define MUCX(jid, extra) "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant' jid='" jid "'/>" extra "</x>"

static void start_with(struct t *t, unsigned keepalive_ms)
{
	memset(t, 0, sizeof(*t));
	struct session_config cfg = {
		.keepalive_ms = keepalive_ms,
		.url = "https://Meet.Example/MyRoom#config.x=1", .name = "alice",
		.xmpp_websocket = "wss://meet.example/xmpp-websocket", .xmpp_domain = "meet.example",
		.xmpp_muc = "conference.meet.example", .xmpp_focus = "focus.meet.example",
	};
	assert_int_equal(session_create(g_main_context_default(), NULL, &cfg, on_event, t, &t->s), 0);
	assert_int_equal(session_offline_start(t->s, t_send, t), 0);
	while (g_main_context_iteration(NULL, FALSE))
		;
	assert_non_null(strstr(t->sent[0], "to='meet.example'"));
	feed(t, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0' from='meet.example' id='1'/>");
	feed(t, "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>");
	feed(t, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	feed(t, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0' from='meet.example' id='2'/>");
	feed(t, "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>");
	feed(t, "<iq xmlns='jabber:client' type='result' id='bind-ttm-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a@meet.example/r</jid></bind></iq>");
	/* first the conference request to the focus; its answer names the focus user */
	const char *c = t->sent[t->n_sent - 1];
	assert_non_null(strstr(c, "to='focus.meet.example' id='focus-1'><conference xmlns='http://jitsi.org/protocol/focus' room='" ROOM "' machine-uid='"));
	feed(t, "<iq xmlns='jabber:client' type='result' id='focus-1' from='focus.meet.example'><conference xmlns='http://jitsi.org/protocol/focus' room='" ROOM "' ready='true' focusjid='focus@auth.meet.example'><property name='authentication' value='false'/></conference></iq>");
	/* the join presence: to the lowercased room, our name as nick, unmuted */
	const char *p = t->sent[t->n_sent - 1];
	assert_non_null(strstr(p, "<presence xmlns='jabber:client' to='" ROOM "/"));
	assert_non_null(strstr(p, "<x xmlns='http://jabber.org/protocol/muc'/>"));
	assert_non_null(strstr(p, "<nick xmlns='http://jabber.org/protocol/nick'>alice</nick>"));
	assert_non_null(strstr(p, "<audiomuted>false</audiomuted>"));
	/* a statistics id made up for the run, as the web app sends one */
	const char *sid = strstr(p, "<stats-id>tty-");
	assert_non_null(sid);
	assert_int_equal(strspn(sid + 14, "0123456789abcdef"), 6);
	/* XEP-0115 caps, as Jitsi clients send them (the hash: unit_core_jitsi_disco) */
	char caps[256];
	assert_int_equal(disco_caps_element(false, caps, sizeof(caps)), 0);
	assert_non_null(strstr(p, caps));
	assert_int_equal(t->joined, 0);
}

static void start(struct t *t)
{
	start_with(t, 0);
}

static void finish(struct t *t)
{
	session_leave(t->s, "user");
	for (int i = 0; i < 50 && !session_is_done(t->s); i++)
		g_main_context_iteration(NULL, FALSE);
	session_destroy(t->s);
	while (g_main_context_iteration(NULL, FALSE))
		;
}

static void test_join_and_roster(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	/* the focus (by the real JID its answer named) is not listed; an occupant who calls
	 * itself "focus", or sits at the focus domain, is */
	feed(&t, PRES("f0c05", MUCX("focus@auth.meet.example/focus", "")));
	feed(&t, PRES("focus", MUCX("mallory@meet.example/focus", "")));
	feed(&t, PRES("f0c06", MUCX("focus.meet.example/focus", "")));
	/* others come before our own presence, as MUC sends them */
	feed(&t, PRES("b9af8a8d", MUCX("b@meet.example/x", "") "<nick xmlns='http://jabber.org/protocol/nick'>bob</nick><audiomuted>true</audiomuted>"));
	feed(&t, PRES("c74f0bd7", MUCX("c@meet.example/y", "") "<nick xmlns='http://jabber.org/protocol/nick'>\xc2\x9b" "31mev\xe2\x80\x8bil  one</nick>"));
	feed(&t, PRES("deadbeef", MUCX("d@meet.example/z", "")));
	/* from another room, or no room at all: ignored */
	feed(&t, "<presence xmlns='jabber:client' from='other@conference.meet.example/x'><nick xmlns='http://jabber.org/protocol/nick'>mallory</nick></presence>");
	feed(&t, "<presence xmlns='jabber:client' from='" ROOM "'/>");
	assert_int_equal(t.participants, 5);
	assert_string_equal(t.names[0], "focus");
	assert_string_equal(t.names[1], "f0c06");
	assert_string_equal(t.names[2], "bob");
	assert_true(t.muted[2]);
	assert_string_equal(t.names[3], "evil one"); /* the 8-bit CSI sequence and the zero-width space gone, spaces folded */
	assert_false(t.muted[3]);
	assert_string_equal(t.names[4], "deadbeef"); /* no nick: the occupant name */
	feed(&t, PRES("1234abcd", MUCX("a@meet.example/r", "<status code='110'/>")));
	assert_int_equal(t.joined, 1);
	assert_true(t.self_id != t.bob_id && t.self_id != 0);
	/* bob leaves */
	feed(&t, "<presence xmlns='jabber:client' type='unavailable' from='" ROOM "/b9af8a8d'/>");
	assert_int_equal(t.left, 1);
	/* an iq nobody handles is answered with an error */
	int n = t.n_sent;
	feed(&t, "<iq xmlns='jabber:client' type='get' id='d1' from='" ROOM "/c74f0bd7'><query xmlns='jabber:iq:version'/></iq>");
	assert_int_equal(t.n_sent, n + 1);
	assert_non_null(strstr(t.sent[n], "service-unavailable"));
	assert_int_equal(t.errors, 0);
	finish(&t);
	assert_non_null(strstr(t.sent[t.n_sent - 2], "type='unavailable'")); /* left politely */
	assert_non_null(strstr(t.sent[t.n_sent - 1], "<close xmlns="));
}

static void test_room_refuses(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	feed(&t, "<presence xmlns='jabber:client' type='error' from='" ROOM "/x'><error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
	assert_int_equal(t.errors, 1);
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(t.error, "password"));
	assert_int_equal(t.joined, 0);
	finish(&t);
}

/* The lobby: refused into it, we knock there; the room's invite lets us in with the password it
 * carries; a kick from the lobby is a denial (exit 4). */
static void test_lobby(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	int n = t.n_sent;
	feed(&t, "<presence xmlns='jabber:client' type='error' from='" ROOM "/x'><error code='407' type='auth'><registration-required xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><lobbyroom xmlns='http://jitsi.org/jitmeet'>myroom@lobby.meet.example</lobbyroom></error></presence>");
	assert_int_equal(t.errors, 0);
	assert_int_equal(t.waiting, 1);
	assert_string_equal(t.waiting_kind, "lobby");
	assert_int_equal(t.n_sent, n + 1);
	assert_non_null(strstr(t.sent[n], "to='myroom@lobby.meet.example/"));
	assert_non_null(strstr(t.sent[n], "<nick xmlns='http://jabber.org/protocol/nick'>alice</nick>"));
	/* an invite from an occupant is no admission */
	feed(&t, "<message xmlns='jabber:client' from='" ROOM "/mallory'><x xmlns='http://jabber.org/protocol/muc#user'><invite/></x></message>");
	assert_int_equal(t.n_sent, n + 1);
	feed(&t, "<message xmlns='jabber:client' from='" ROOM "'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='" ROOM "/mod'/><password>pw&lt;1</password></x></message>");
	assert_int_equal(t.n_sent, n + 3);
	assert_non_null(strstr(t.sent[n + 1], "to='myroom@lobby.meet.example/"));
	assert_non_null(strstr(t.sent[n + 1], "type='unavailable'"));
	assert_non_null(strstr(t.sent[n + 2], "to='" ROOM "/"));
	assert_non_null(strstr(t.sent[n + 2], "<x xmlns='http://jabber.org/protocol/muc'><password>pw&lt;1</password></x>"));
	feed(&t, PRES("1234abcd", MUCX("a@meet.example/r", "<status code='110'/>")));
	assert_int_equal(t.joined, 1);
	finish(&t);

	start(&t);
	feed(&t, "<presence xmlns='jabber:client' type='error' from='" ROOM "/x'><error code='407' type='auth'><registration-required xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><waiting-for-host xmlns='http://jitsi.org/jitmeet'/><lobbyroom>myroom@lobby.meet.example</lobbyroom></error></presence>");
	assert_string_equal(t.waiting_kind, "host");
	const char *p = t.sent[t.n_sent - 1];
	const char *nick = strstr(p, "lobby.meet.example/");
	assert_non_null(nick);
	char kick[512];
	snprintf(kick, sizeof(kick), "<presence xmlns='jabber:client' type='unavailable' from='myroom@lobby.meet.example/%.8s'><x xmlns='http://jabber.org/protocol/muc#user'><status code='307'/><item role='none'><reason>no</reason></item></x></presence>", nick + 19);
	feed(&t, kick);
	assert_int_equal(t.errors, 1);
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(t.error, "denied"));
	assert_int_equal(t.joined, 0);
	finish(&t);
}

/* XEP-0199 both ways: once joined, a ping goes to the server every keepalive period; an
 * answer re-arms it, no answer within the period (at most 15 s) loses the connection. */
static void run_for(unsigned ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	while (g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, FALSE), g_usleep(1000);
}

/* Runs the loop until cond holds or 3 s pass (a loaded machine delays timers). */
#define WAIT_UNTIL(cond)                                                            \
	do {                                                                        \
		gint64 end_ = g_get_monotonic_time() + 3000000;                     \
		while (!(cond) && g_get_monotonic_time() < end_)                    \
			g_main_context_iteration(NULL, FALSE), g_usleep(1000);      \
	} while (0)

static void test_pings(void **state)
{
	struct t t;
	char answer[256];
	(void)state;
	start_with(&t, 60);
	feed(&t, PRES("1234abcd", MUCX("a@meet.example/r", "<status code='110'/>")));
	assert_int_equal(t.joined, 1);
	int n = t.n_sent;
	WAIT_UNTIL(t.n_sent > n);
	run_for(20);
	assert_true(t.n_sent == n + 1); /* one ping until it is answered */
	const char *ping = t.sent[n];
	assert_non_null(strstr(ping, "type='get' to='meet.example'"));
	assert_non_null(strstr(ping, "<ping xmlns='urn:xmpp:ping'/>"));
	const char *id = strstr(ping, "id='");
	assert_non_null(id);
	/* a wrong id is not an answer; the right one is */
	feed(&t, "<iq xmlns='jabber:client' type='result' id='ping-ttm-999'/>");
	snprintf(answer, sizeof(answer), "<iq xmlns='jabber:client' type='result' %.*s/>",
		 (int)(strcspn(id + 4, "'") + 5), id);
	feed(&t, answer);
	WAIT_UNTIL(t.n_sent >= n + 2); /* answered: the next ping, no loss */
	assert_true(t.n_sent >= n + 2);
	assert_int_equal(t.errors, 0);
	assert_false(session_is_done(t.s));
	assert_int_equal(t.reconnecting, 0);
	WAIT_UNTIL(t.reconnecting); /* unanswered now: the connection counts as lost, the
				     * session reconnects */
	assert_true(t.reconnecting >= 1);
	finish(&t);
}

/* Whom the peer-to-peer rule counts (src/jitsi/call.h): as lib-jitsi-meet, not an occupant
 * whose presence has no muc#user item (listed all the same). bob alone with us (and carl
 * without an item): his offer is not declined (this offline run has no media: it fails
 * later, general-error); once carl's presence has an item, it is (decline). */
static void test_p2p_count(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	feed(&t, PRES("b9af8a8d", MUCX("b@meet.example/x", "") "<nick xmlns='http://jabber.org/protocol/nick'>bob</nick>"));
	feed(&t, PRES("c74f0bd7", "<nick xmlns='http://jabber.org/protocol/nick'>carl</nick>"));
	feed(&t, PRES("1234abcd", MUCX("a@meet.example/r", "<status code='110'/>")));
	assert_int_equal(t.participants, 2);
	static const char offer[] = "<iq xmlns='jabber:client' type='set' id='%s' from='" ROOM
		"/b9af8a8d'><jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='%s'/>"
		"</iq>";
	char iq[512];
	snprintf(iq, sizeof(iq), offer, "j1", "s1");
	int n = t.n_sent;
	feed(&t, iq);
	assert_int_equal(t.n_sent, n + 2);
	assert_non_null(strstr(t.sent[n], "id='j1'"));
	assert_non_null(strstr(t.sent[n], "type='result'"));
	assert_non_null(strstr(t.sent[n + 1], "action='session-terminate'"));
	assert_non_null(strstr(t.sent[n + 1], "<general-error/>"));
	feed(&t, PRES("c74f0bd7", MUCX("c@meet.example/y", "")));
	snprintf(iq, sizeof(iq), offer, "j2", "s2");
	n = t.n_sent;
	feed(&t, iq);
	assert_int_equal(t.n_sent, n + 2);
	assert_non_null(strstr(t.sent[n], "type='result'"));
	assert_non_null(strstr(t.sent[n + 1], "sid='s2'"));
	assert_non_null(strstr(t.sent[n + 1], "<decline/>"));
	finish(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_and_roster),
		cmocka_unit_test(test_room_refuses),
		cmocka_unit_test(test_lobby),
		cmocka_unit_test(test_pings),
		cmocka_unit_test(test_p2p_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
