/* Unit tests for a Jitsi meeting's chat, password, removal and renames through the backend
 * (src/jitsi/backend.c, src/jitsi/chat.c) and the session's offline mode: the stream is fed
 * prosody-shaped stanzas and the session's events and the stanzas sent are checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/exitcode.h"
#include "src/session.h"
#include "src/session_int.h"

#define MAXEV 32

struct chat_ev {
	char from[128], text[256], to[128];
	bool self, private_msg, history, chat_only;
	uint64_t id;
};

struct t {
	struct session *s;
	char sent[48][4096];
	int n_sent;
	int joined, errors, code, pin_needed, renamed, notices, roles;
	uint64_t role_id;
	bool role_on, role_self;
	int mutes;
	bool muted_on;
	uint64_t bob_id;
	char error[512], notice[512], renamed_name[128], renamed_old[128];
	bool renamed_self;
	struct chat_ev chat[MAXEV];
	int n_chat;
	char nick[16]; /* our occupant name, from the join presence */
};

static int t_send(void *user, const char *text, size_t len)
{
	struct t *t = user;
	if (t->n_sent < 48 && len < sizeof(t->sent[0])) {
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
		break;
	case SESSION_EV_PARTICIPANT_JOINED:
		if (!strcmp(ev->name, "bob"))
			t->bob_id = ev->id;
		break;
	case SESSION_EV_CHAT:
		if (t->n_chat < MAXEV) {
			struct chat_ev *c = &t->chat[t->n_chat];
			snprintf(c->from, sizeof(c->from), "%s", ev->name);
			snprintf(c->text, sizeof(c->text), "%s", ev->text);
			snprintf(c->to, sizeof(c->to), "%s", ev->to ? ev->to : "");
			c->self = ev->self;
			c->private_msg = ev->private_msg;
			c->history = ev->history;
			c->chat_only = ev->chat_only;
			c->id = ev->id;
		}
		t->n_chat++;
		break;
	case SESSION_EV_ERROR:
		t->errors++;
		t->code = ev->code;
		snprintf(t->error, sizeof(t->error), "%s", ev->message);
		break;
	case SESSION_EV_NOTICE:
		t->notices++;
		snprintf(t->notice, sizeof(t->notice), "%s", ev->message);
		break;
	case SESSION_EV_PIN_NEEDED:
		t->pin_needed++;
		break;
	case SESSION_EV_MUTED:
		if (!ev->self) {
			t->mutes++;
			t->muted_on = ev->on;
		}
		break;
	case SESSION_EV_ROLE:
		t->roles++;
		t->role_id = ev->id;
		t->role_on = ev->on;
		t->role_self = ev->self;
		break;
	case SESSION_EV_RENAMED:
		t->renamed++;
		t->renamed_self = ev->self;
		snprintf(t->renamed_name, sizeof(t->renamed_name), "%s", ev->name);
		snprintf(t->renamed_old, sizeof(t->renamed_old), "%s", ev->old_name);
		break;
	default:
		break;
	}
}

static void pump(void)
{
	while (g_main_context_iteration(NULL, FALSE))
		;
}

static void feed(struct t *t, const char *m)
{
	session_offline_feed(t->s, m, strlen(m));
	pump();
}

static void feedf(struct t *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void feedf(struct t *t, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	feed(t, buf);
}

#define ROOM "myroom@conference.meet.example"
#define NICK "<nick xmlns='http://jabber.org/protocol/nick'>"
#define PRES(occ, body) "<presence xmlns='jabber:client' from='" ROOM "/" occ "' to='a@meet.example/r'>" body "</presence>"
#define MUCX(jid, extra) "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant' jid='" jid "'/>" extra "</x>"

/* The stream up to the join presence (a new connection's). */
static void login(struct t *t)
{
	feed(t, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0' from='meet.example' id='1'/>");
	feed(t, "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>");
	feed(t, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	feed(t, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0' from='meet.example' id='2'/>");
	feed(t, "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>");
	feed(t, "<iq xmlns='jabber:client' type='result' id='bind-ttm-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a@meet.example/r</jid></bind></iq>");
}

/* Logs in, sends the join; with join, also joins (bob in the room first). */
static void start(struct t *t, const char *pin, bool ask_pin, bool join)
{
	memset(t, 0, sizeof(*t));
	struct session_config cfg = {
		.url = "https://meet.example/MyRoom", .name = "alice", .pin = pin, .ask_pin = ask_pin,
		.xmpp_websocket = "wss://meet.example/xmpp-websocket", .xmpp_domain = "meet.example",
		.xmpp_muc = "conference.meet.example", .xmpp_focus = "none", /* no conference request */
	};
	assert_int_equal(session_create(g_main_context_default(), NULL, &cfg, on_event, t, &t->s), 0);
	assert_int_equal(session_offline_start(t->s, t_send, t), 0);
	pump();
	login(t);
	const char *p = strstr(t->sent[t->n_sent - 1], "to='" ROOM "/");
	assert_non_null(p);
	assert_null(strstr(t->sent[t->n_sent - 1], "<history")); /* the first join: all of it */
	snprintf(t->nick, sizeof(t->nick), "%.8s", p + strlen("to='" ROOM "/"));
	if (!join)
		return;
	feed(t, PRES("b9af8a8d", MUCX("b@meet.example/x", "") NICK "bob</nick>"));
	feedf(t, PRES("%s", MUCX("a@meet.example/r", "<status code='110'/>") NICK "alice</nick>"), t->nick);
	assert_int_equal(t->joined, 1);
	assert_true(t->bob_id != 0);
}

static void finish(struct t *t)
{
	session_leave(t->s, "user");
	for (int i = 0; i < 50 && !session_is_done(t->s); i++)
		g_main_context_iteration(NULL, FALSE);
	session_destroy(t->s);
	pump();
}

static void test_chat_in(void **state)
{
	struct t t;
	(void)state;
	start(&t, NULL, false, true);
	/* the room replays what was said before: history, never new; the sender who left is
	 * named by the message's nick, as chat-only */
	feed(&t, "<message xmlns='jabber:client' from='" ROOM "/b9af8a8d' type='groupchat'><body>earlier line</body><delay xmlns='urn:xmpp:delay' from='" ROOM "' stamp='2026-12-06T10:00:00Z'/></message>");
	feed(&t, "<message xmlns='jabber:client' from='" ROOM "/0ld0ne' type='groupchat'><body>from one who left</body>" NICK "carol</nick><delay xmlns='urn:xmpp:delay' stamp='2026-12-06T10:01:00Z'/></message>");
	feed(&t, "<message xmlns='jabber:client' from='" ROOM "' type='groupchat'><subject/></message>");
	assert_int_equal(t.n_chat, 2);
	assert_true(t.chat[0].history && !t.chat[0].self && !t.chat[0].private_msg);
	assert_string_equal(t.chat[0].from, "bob"); /* in the room: its roster name */
	assert_true(t.chat[0].id == t.bob_id && !t.chat[0].chat_only);
	assert_true(t.chat[1].history && t.chat[1].chat_only);
	assert_string_equal(t.chat[1].from, "carol");
	/* a live line from bob: his roster name, not the one his message claims */
	feed(&t, "<message xmlns='jabber:client' from='" ROOM "/b9af8a8d' type='groupchat' id='m1'><body>hi \xc2\x9b" "31mall</body>" NICK "alice</nick></message>");
	assert_int_equal(t.n_chat, 3);
	assert_false(t.chat[2].history);
	assert_string_equal(t.chat[2].from, "bob");
	assert_string_equal(t.chat[2].text, "hi all");
	/* privately to us */
	feed(&t, "<message xmlns='jabber:client' from='" ROOM "/b9af8a8d' type='chat'><body>psst</body></message>");
	assert_int_equal(t.n_chat, 4);
	assert_true(t.chat[3].private_msg && !t.chat[3].self);
	assert_string_equal(t.chat[3].from, "bob");
	/* other rooms, and a private 'chat' from outside the room: not shown */
	feed(&t, "<message xmlns='jabber:client' from='other@conference.meet.example/b' type='groupchat'><body>x</body></message>");
	feed(&t, "<message xmlns='jabber:client' from='mallory@meet.example/x' type='chat'><body>x</body></message>");
	assert_int_equal(t.n_chat, 4);
	/* the chat store has them, history flagged */
	const struct chat_store *cs = session_chat(t.s);
	struct chat_msg m;
	assert_int_equal(chat_store_count(cs), 4);
	assert_int_equal(chat_store_get(cs, 0, &m), 0);
	assert_true(m.flags & CHAT_FLAG_HISTORY);
	assert_true(m.time_us == INT64_C(1796551200) * 1000000); /* when it was said */
	assert_int_equal(chat_store_get(cs, 2, &m), 0);
	assert_false(m.flags & CHAT_FLAG_HISTORY);
	/* a delivery error is said */
	feed(&t, "<message xmlns='jabber:client' from='" ROOM "/gone' type='error'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
	assert_non_null(strstr(t.notice, "did not deliver"));
	finish(&t);
}

static void test_chat_out(void **state)
{
	struct t t;
	char echo[1024];
	(void)state;
	start(&t, NULL, false, true);
	/* to the room: a groupchat with our nick, XML escaped; shown only when the room echoes */
	int n = t.n_sent;
	assert_int_equal(session_send_chat(t.s, NULL, "a < b & 'c'"), 0);
	pump();
	assert_int_equal(t.n_sent, n + 1);
	assert_non_null(strstr(t.sent[n], "<message xmlns='jabber:client' to='" ROOM "' type='groupchat'><body>a &lt; b &amp; &apos;c&apos;</body>" NICK "alice</nick></message>"));
	assert_int_equal(t.n_chat, 0);
	snprintf(echo, sizeof(echo), "<message xmlns='jabber:client' from='" ROOM "/%s' type='groupchat'><body>a &lt; b &amp; &apos;c&apos;</body></message>", t.nick);
	feed(&t, echo);
	assert_int_equal(t.n_chat, 1);
	assert_true(t.chat[0].self && !t.chat[0].private_msg && !t.chat[0].history);
	assert_string_equal(t.chat[0].from, "alice");
	assert_string_equal(t.chat[0].text, "a < b & 'c'");
	/* privately to bob: to his occupant, type chat; the room does not echo it, so it is
	 * shown (once) from the loop */
	n = t.n_sent;
	assert_int_equal(session_send_chat(t.s, "bob", "only you"), 0);
	assert_int_equal(t.n_chat, 1); /* not from inside the call */
	pump();
	assert_int_equal(t.n_sent, n + 1);
	assert_non_null(strstr(t.sent[n], "to='" ROOM "/b9af8a8d' type='chat'><body>only you</body>"));
	assert_int_equal(t.n_chat, 2);
	assert_true(t.chat[1].self && t.chat[1].private_msg);
	assert_string_equal(t.chat[1].to, "bob");
	/* nobody by that name: not sent */
	n = t.n_sent;
	assert_int_equal(session_send_chat(t.s, "nobody", "x"), 0);
	pump();
	assert_int_equal(t.n_sent, n);
	assert_non_null(strstr(t.notice, "nobody named"));
	/* wiping forgets pending echoes */
	assert_int_equal(session_send_chat(t.s, "bob", "gone soon"), 0);
	session_wipe_chat(t.s);
	pump();
	assert_int_equal(t.n_chat, 2);
	finish(&t);
}

static void test_password(void **state)
{
	struct t t;
	(void)state;
	/* given: in the join's <x/>, escaped */
	start(&t, "se<cr>et", false, false);
	assert_non_null(strstr(t.sent[t.n_sent - 1], "<x xmlns='http://jabber.org/protocol/muc'><password>se&lt;cr&gt;et</password></x>"));
	feed(&t, "<presence xmlns='jabber:client' type='error' from='" ROOM "/x'><error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
	assert_int_equal(t.errors, 1);
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(t.error, "the room refused the password"));
	finish(&t);
	/* none given: headless says how to give one */
	start(&t, NULL, false, false);
	assert_null(strstr(t.sent[t.n_sent - 1], "<password>"));
	feed(&t, "<presence xmlns='jabber:client' type='error' from='" ROOM "/x'><error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(t.error, "the room needs a password: give it with --pin-file or TTYMEET_PIN"));
	finish(&t);
	/* the TUI asks */
	start(&t, NULL, true, false);
	feed(&t, "<presence xmlns='jabber:client' type='error' from='" ROOM "/x'><error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
	pump();
	assert_int_equal(t.pin_needed, 1);
	assert_int_equal(t.errors, 0);
	finish(&t);
}

static void test_removed(void **state)
{
	struct t t;
	(void)state;
	/* someone else kicked: said, by the actor's roster name */
	start(&t, NULL, false, true);
	feed(&t, PRES("c0ffee00", MUCX("c@meet.example/y", "") NICK "carol</nick>"));
	feed(&t, "<presence xmlns='jabber:client' type='unavailable' from='" ROOM "/c0ffee00'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'><actor nick='b9af8a8d'/><reason>rude</reason></item><status code='307'/></x></presence>");
	assert_string_equal(t.notice, "carol was kicked by bob: rude");
	/* we are kicked */
	feedf(&t, "<presence xmlns='jabber:client' type='unavailable' from='" ROOM "/%s'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'><actor nick='b9af8a8d'/><reason>bye</reason></item><status code='307'/><status code='110'/></x></presence>", t.nick);
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	assert_string_equal(t.error, "you were removed from the meeting (kicked) by bob: bye");
	finish(&t);
	/* the room destroyed */
	start(&t, NULL, false, true);
	feedf(&t, "<presence xmlns='jabber:client' type='unavailable' from='" ROOM "/%s'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'/><destroy jid='next@conference.meet.example'><reason>over</reason></destroy></x></presence>", t.nick);
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	assert_string_equal(t.error, "the room was closed (destroyed): over; the meeting moved to next@conference.meet.example");
	finish(&t);
	/* a room the deployment does not create */
	start(&t, NULL, false, false);
	feed(&t, "<presence xmlns='jabber:client' type='error' from='" ROOM "/x'><error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Room creation is restricted</text></error></presence>");
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(t.error, "the room does not exist"));
	finish(&t);
}

/* Roles from presence: a moderator is marked (ROLE events, the roster's flag), ourselves too,
 * and a change of role is one event. */
static void test_roles(void **state)
{
	struct t t;
	(void)state;
	start(&t, NULL, false, true);
	assert_int_equal(t.roles, 0); /* bob and we are participants */
	feed(&t, "<presence xmlns='jabber:client' from='" ROOM "/b9af8a8d'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator' jid='b@meet.example/x'/></x>" NICK "bob</nick></presence>");
	assert_int_equal(t.roles, 1);
	assert_true(t.role_on && !t.role_self && t.role_id == t.bob_id);
	feed(&t, "<presence xmlns='jabber:client' from='" ROOM "/b9af8a8d'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator' jid='b@meet.example/x'/></x>" NICK "bob</nick></presence>");
	assert_int_equal(t.roles, 1); /* no change, no event */
	feedf(&t, "<presence xmlns='jabber:client' from='" ROOM "/%s'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='admin' role='moderator' jid='a@meet.example/r'/><status code='110'/></x>" NICK "alice</nick></presence>", t.nick);
	assert_int_equal(t.roles, 2);
	assert_true(t.role_on && t.role_self);
	feed(&t, "<presence xmlns='jabber:client' from='" ROOM "/b9af8a8d'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant' jid='b@meet.example/x'/></x>" NICK "bob</nick></presence>");
	assert_int_equal(t.roles, 3);
	assert_false(t.role_on);
	/* muted states from presence reach the roster: <audiomuted> (videomuted is not the
	 * microphone) */
	feed(&t, PRES("b9af8a8d", MUCX("b@meet.example/x", "") NICK "bob</nick><audiomuted>true</audiomuted><videomuted>false</videomuted>"));
	assert_int_equal(t.mutes, 1);
	assert_true(t.muted_on);
	feed(&t, PRES("b9af8a8d", MUCX("b@meet.example/x", "") NICK "bob</nick><audiomuted>false</audiomuted><videomuted>true</videomuted>"));
	assert_int_equal(t.mutes, 2);
	assert_false(t.muted_on);
	finish(&t);
}

/* After a lost connection the rejoin asks the room only for the history since the last
 * message the old connection brought (XEP-0045 <history seconds/>): nothing shown twice. */
static void test_rejoin_asks_recent_history_only(void **state)
{
	struct t t;
	(void)state;
	start(&t, NULL, false, true);
	feed(&t, "<message xmlns='jabber:client' from='" ROOM "/b9af8a8d' type='groupchat'><body>live</body></message>");
	int n = t.n_sent;
	feed(&t, "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>"); /* lost: reconnect */
	gint64 end = g_get_monotonic_time() + 3000000;
	while (t.n_sent == n && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, FALSE), g_usleep(1000);
	assert_true(t.n_sent > n);
	assert_non_null(strstr(t.sent[t.n_sent - 1], "<open "));
	login(&t);
	const char *p = t.sent[t.n_sent - 1];
	assert_non_null(strstr(p, "<x xmlns='http://jabber.org/protocol/muc'><history seconds='"));
	int secs = atoi(strstr(p, "seconds='") + 9);
	assert_true(secs >= 1 && secs <= 3);
	finish(&t);
}

static void test_renames(void **state)
{
	struct t t;
	char echo[1024];
	(void)state;
	start(&t, NULL, false, true);
	/* bob's new <nick>: a rename of the same entry */
	feed(&t, PRES("b9af8a8d", MUCX("b@meet.example/x", "") NICK "bobby</nick>"));
	assert_int_equal(t.renamed, 1);
	assert_false(t.renamed_self);
	assert_string_equal(t.renamed_old, "bob");
	assert_string_equal(t.renamed_name, "bobby");
	/* ours: a presence with the new nick and no <x/> (that would be a new join) */
	int n = t.n_sent;
	assert_int_equal(session_set_name(t.s, "alicia"), 0);
	assert_int_equal(t.n_sent, n + 1);
	assert_non_null(strstr(t.sent[n], NICK "alicia</nick>"));
	assert_null(strstr(t.sent[n], "<x "));
	assert_int_equal(t.renamed, 1);
	/* the room's echo of it confirms */
	snprintf(echo, sizeof(echo), PRES("%s", MUCX("a@meet.example/r", "<status code='110'/>") NICK "alicia</nick>"), t.nick);
	feed(&t, echo);
	assert_int_equal(t.renamed, 2);
	assert_true(t.renamed_self);
	assert_string_equal(t.renamed_name, "alicia");
	/* muting: no <x/> either */
	n = t.n_sent;
	assert_int_equal(session_set_muted(t.s, true), 0);
	pump();
	assert_true(t.n_sent > n);
	assert_non_null(strstr(t.sent[n], "<audiomuted>true</audiomuted>"));
	assert_null(strstr(t.sent[n], "<x "));
	finish(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chat_in),
		cmocka_unit_test(test_chat_out),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_removed),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_rejoin_asks_recent_history_only),
		cmocka_unit_test(test_renames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
