/* Unit tests for reading a Jitsi meeting's MUC stanzas (src/jitsi/muc.c): chat messages
 * (groupchat, private, history by XEP-0203 and XEP-0091 stamps, the room's own lines, errors,
 * subjects, hostile and over-long bodies and names, other rooms), presences beyond the roster
 * (kicked, banned, destroyed, roles, muted states, join errors) and the lines said for them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/lockpool.h"
#include "src/exitcode.h"
#include "src/jitsi/muc.h"
#include "src/jitsi/xml.h"

#define ROOM "team@conference.meet.example"

static struct xml_doc *doc;

static const struct xml_node *parse(const char *s)
{
	char err[160];
	xml_free(doc);
	doc = NULL;
	assert_int_equal(xml_parse(s, strlen(s), &doc, err, sizeof(err)), 0);
	return xml_root(doc);
}

static int msg(const char *s, struct muc_message *m)
{
	return muc_message_parse(parse(s), ROOM, m);
}

static int pres(const char *s, struct muc_presence *p)
{
	return muc_presence_parse(parse(s), ROOM, p);
}

#define M(attrs, body) "<message xmlns='jabber:client' " attrs ">" body "</message>"

static void test_groupchat_and_private(void **state)
{
	struct muc_message m;
	(void)state;
	/* as lib-jitsi-meet sends it (body, an id), with an old client's <nick> */
	assert_int_equal(msg(M("from='" ROOM "/b9af8a8d' type='groupchat' id='x1'",
			       "<body>hello &amp; &lt;welcome&gt;</body>"
			       "<nick xmlns='http://jabber.org/protocol/nick'>bob</nick>"), &m), 0);
	assert_int_equal(m.kind, MUC_MSG_GROUPCHAT);
	assert_string_equal(m.occupant, "b9af8a8d");
	assert_string_equal(m.text, "hello & <welcome>");
	assert_string_equal(m.display, "bob");
	assert_false(m.delayed);
	/* a private message through the room */
	assert_int_equal(msg(M("from='" ROOM "/c74f0bd7' type='chat'",
			       "<body>psst</body><x xmlns='http://jabber.org/protocol/muc#user'/>"), &m), 0);
	assert_int_equal(m.kind, MUC_MSG_PRIVATE);
	assert_string_equal(m.occupant, "c74f0bd7");
	assert_string_equal(m.display, "");
	/* Jitsi's display-name (visitors) when there is no nick */
	assert_int_equal(msg(M("from='" ROOM "/v1' type='groupchat'",
			       "<body>hi</body><display-name xmlns='http://jitsi.org/protocol/display-name' source='visitor'>Vera</display-name>"), &m), 0);
	assert_string_equal(m.display, "Vera");
	/* the room itself (no occupant) */
	assert_int_equal(msg(M("from='" ROOM "' type='groupchat'", "<body>room notice</body>"), &m), 0);
	assert_int_equal(m.kind, MUC_MSG_GROUPCHAT);
	assert_string_equal(m.occupant, "");
	/* nothing to show: no body (a reaction, a JSON message), an empty one, a normal message */
	assert_int_equal(msg(M("from='" ROOM "/b' type='groupchat'",
			       "<reactions xmlns='urn:xmpp:reactions:0' id='x1'><reaction>+1</reaction></reactions>"), &m), 0);
	assert_int_equal(m.kind, MUC_MSG_NONE);
	assert_int_equal(msg(M("from='" ROOM "/b' type='groupchat'", "<body></body>"), &m), 0);
	assert_int_equal(m.kind, MUC_MSG_NONE);
	assert_int_equal(msg(M("from='" ROOM "/b'", "<body>an invitation</body>"), &m), 0);
	assert_int_equal(m.kind, MUC_MSG_NONE);
	assert_int_equal(msg(M("from='" ROOM "' type='chat'", "<body>private from the room?</body>"), &m), 0);
	assert_int_equal(m.kind, MUC_MSG_NONE);
	/* not our room: another room, a room whose name only starts like ours, a user */
	assert_int_equal(msg(M("from='other@conference.meet.example/b' type='groupchat'", "<body>x</body>"), &m), -ENOENT);
	assert_int_equal(msg(M("from='" ROOM "x/b' type='groupchat'", "<body>x</body>"), &m), -ENOENT);
	assert_int_equal(msg(M("from='bob@meet.example/r' type='chat'", "<body>x</body>"), &m), -ENOENT);
	assert_int_equal(msg(M("type='chat'", "<body>x</body>"), &m), -ENOENT);
	muc_message_wipe(&m);
	assert_string_equal(m.text, "");
}

static void test_history(void **state)
{
	struct muc_message m;
	(void)state;
	/* prosody's replay: XEP-0203 delay from the room */
	assert_int_equal(msg(M("from='" ROOM "/b' type='groupchat'",
			       "<body>earlier</body><delay xmlns='urn:xmpp:delay' from='" ROOM "' stamp='2026-12-06T11:53:12Z'/>"), &m), 0);
	assert_int_equal(m.kind, MUC_MSG_GROUPCHAT);
	assert_true(m.delayed);
	assert_true(m.stamp_us == INT64_C(1796557992) * 1000000);
	/* the older jabber:x:delay (UTC, no separators) */
	assert_int_equal(msg(M("from='" ROOM "/b' type='groupchat'",
			       "<body>older</body><x xmlns='jabber:x:delay' stamp='20261206T11:53:12'/>"), &m), 0);
	assert_true(m.delayed);
	assert_true(m.stamp_us == INT64_C(1796557992) * 1000000);
	/* an unreadable stamp is still history */
	assert_int_equal(msg(M("from='" ROOM "/b' type='groupchat'",
			       "<body>when?</body><delay xmlns='urn:xmpp:delay' stamp='yesterday'/>"), &m), 0);
	assert_true(m.delayed);
	assert_true(m.stamp_us == 0);
	/* a subject: not chat */
	assert_int_equal(msg(M("from='" ROOM "/b' type='groupchat'", "<subject>Stand-up \xc2\x9b" "2J</subject>"), &m), 0);
	assert_int_equal(m.kind, MUC_MSG_NONE);
	assert_string_equal(m.subject, "Stand-up");
}

static void test_stamps(void **state)
{
	(void)state;
	assert_true(muc_parse_stamp("1970-01-01T00:00:00Z") == 0); /* the epoch is "unknown" */
	assert_true(muc_parse_stamp("1970-01-01T00:00:01.25Z") == 1250000);
	assert_true(muc_parse_stamp("2000-02-29T12:00:00+01:30") == (INT64_C(951825600) - 5400) * 1000000);
	assert_true(muc_parse_stamp("2024-12-31T23:59:59-00:00") == INT64_C(1735689599) * 1000000);
	assert_true(muc_parse_stamp("2001-02-29T00:00:00Z") == 0); /* no such day */
	assert_true(muc_parse_stamp("2026-13-01T00:00:00Z") == 0);
	assert_true(muc_parse_stamp("2026-12-06T24:00:00Z") == 0);
	assert_true(muc_parse_stamp("2026-12-06T11:53:12") == 0); /* XEP-0082 needs a zone */
	assert_true(muc_parse_stamp("2026-12-06T11:53:12Zjunk") == 0);
	assert_true(muc_parse_stamp("1969-12-31T23:59:59Z") == 0);
	assert_true(muc_parse_stamp("") == 0);
	assert_true(muc_parse_stamp(NULL) == 0);
	assert_true(muc_parse_stamp("99999-01-01T00:00:00Z") == 0);
}

static void test_hostile_messages(void **state)
{
	struct muc_message m;
	char big[20000], occ[400];
	(void)state;
	/* XML 1.0 has no ESC or BEL (not even as &#27;): expat refuses such a message whole */
	char err[160];
	struct xml_doc *bad = NULL;
	const char *esc = M("from='" ROOM "/b' type='groupchat'", "<body>a\x1b[31mred</body>");
	assert_int_equal(xml_parse(esc, strlen(esc), &bad, err, sizeof(err)), -EINVAL);
	esc = M("from='" ROOM "/b' type='groupchat'", "<body>a&#27;[31mred</body>");
	assert_int_equal(xml_parse(esc, strlen(esc), &bad, err, sizeof(err)), -EINVAL);
	/* what XML does allow goes: 8-bit CSI and OSC (C1), bidi overrides, zero-width
	 * characters; the line breaks of a chat body stay */
	assert_int_equal(msg(M("from='" ROOM "/b' type='groupchat'",
			       "<body>a\xc2\x9b" "31mred\xc2\x9d" "0;title\xc2\x9c \xe2\x80\xae" "evil\xe2\x80\x8b\nline2</body>"
			       "<nick xmlns='http://jabber.org/protocol/nick'>\xc2\x9b" "1mbo\xe2\x80\x8b" "b</nick>"), &m), 0);
	assert_string_equal(m.text, "ared evil\nline2");
	assert_string_equal(m.display, "bob");
	/* a body of 16000 bytes: bounded to SESSION_CHAT_MAX, cut at a character boundary */
	int n = snprintf(big, sizeof(big), "<message xmlns='jabber:client' from='" ROOM "/b' type='groupchat'><body>");
	for (int i = 0; i < 8000; i++, n += 2)
		memcpy(big + n, "\xc3\xa9", 2); /* é */
	snprintf(big + n, sizeof(big) - (size_t)n, "</body></message>");
	assert_int_equal(msg(big, &m), 0);
	assert_true(strlen(m.text) <= SESSION_CHAT_MAX && strlen(m.text) >= SESSION_CHAT_MAX - 2);
	assert_int_equal(strlen(m.text) % 2, 0);
	/* an occupant name over the bound: unusable */
	memset(occ, 'o', 300);
	occ[300] = '\0';
	snprintf(big, sizeof(big), "<message xmlns='jabber:client' from='" ROOM "/%s' type='groupchat'><body>x</body></message>", occ);
	assert_int_equal(msg(big, &m), -EINVAL);
	/* an error for a message we sent */
	assert_int_equal(msg(M("from='" ROOM "/gone' type='error'",
			       "<body>x</body><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Recipient \xc2\x9b" "5mnot in room</text></error>"), &m), 0);
	assert_int_equal(m.kind, MUC_MSG_ERROR);
	assert_string_equal(m.error, "item-not-found");
	assert_string_equal(m.error_text, "Recipient not in room");
}

#define P(occ, attrs, body) "<presence xmlns='jabber:client' from='" ROOM "/" occ "' " attrs ">" body "</presence>"
#define X(inner) "<x xmlns='http://jabber.org/protocol/muc#user'>" inner "</x>"

static void test_presences(void **state)
{
	struct muc_presence p;
	char line[1024];
	(void)state;
	/* a moderator, muted both ways */
	assert_int_equal(pres(P("b", "", X("<item affiliation='owner' role='moderator' jid='b@meet.example/x'/>")
				 "<audiomuted>true</audiomuted><videomuted>false</videomuted>"), &p), 0);
	assert_true(p.available);
	assert_string_equal(p.role, "moderator");
	assert_string_equal(p.affiliation, "owner");
	assert_int_equal(p.audiomuted, 1);
	assert_int_equal(p.videomuted, 0);
	assert_false(p.self);
	/* we were kicked (110 + 307), by whom and why (as prosody sends it) */
	assert_int_equal(pres(P("me", "type='unavailable'",
				 X("<item affiliation='none' role='none'><actor nick='b'/><reason>too \xc2\x9b" "31mloud</reason></item>"
				   "<status code='307'/><status code='110'/>")), &p), 0);
	assert_true(p.unavailable && p.self && p.kicked && !p.banned);
	assert_int_equal(p.audiomuted, -1);
	assert_string_equal(p.actor, "b");
	assert_string_equal(p.reason, "too loud");
	assert_int_equal(muc_removed_line(&p, line, sizeof(line)), TTM_EXIT_ROOM);
	assert_string_equal(line, "you were removed from the meeting (kicked) by b: too loud");
	/* banned, no actor */
	assert_int_equal(pres(P("me", "type='unavailable'",
				 X("<item affiliation='outcast' role='none'><reason>spam</reason></item><status code='301'/><status code='110'/>")), &p), 0);
	assert_true(p.banned);
	assert_int_equal(muc_removed_line(&p, line, sizeof(line)), TTM_EXIT_ROOM);
	assert_string_equal(line, "you were banned from the meeting: spam");
	/* the room destroyed, with where the meeting went */
	assert_int_equal(pres(P("me", "type='unavailable'",
				 X("<item affiliation='none' role='none'/><destroy jid='new@conference.meet.example'><reason>moved</reason></destroy>")), &p), 0);
	assert_true(p.destroyed);
	assert_int_equal(muc_removed_line(&p, line, sizeof(line)), TTM_EXIT_ROOM);
	assert_string_equal(line, "the room was closed (destroyed): moved; the meeting moved to new@conference.meet.example");
	/* the service shuts down: worth a reconnect (exit 3 if it fails) */
	assert_int_equal(pres(P("me", "type='unavailable'", X("<status code='332'/><status code='110'/>")), &p), 0);
	assert_int_equal(muc_removed_line(&p, line, sizeof(line)), TTM_EXIT_SERVER);
	/* nothing said: still one line */
	assert_int_equal(pres(P("me", "type='unavailable'", X("<status code='110'/>")), &p), 0);
	assert_int_equal(muc_removed_line(&p, line, sizeof(line)), TTM_EXIT_ROOM);
	assert_string_equal(line, "the room removed us");
	/* not ours */
	assert_int_equal(muc_presence_parse(parse("<presence xmlns='jabber:client' from='x@conference.meet.example/b'/>"), ROOM, &p), -ENOENT);
	assert_int_equal(muc_presence_parse(parse("<presence xmlns='jabber:client' from='" ROOM "'/>"), ROOM, &p), -EINVAL);
}

static void test_join_errors(void **state)
{
	struct muc_presence p;
	char line[1024];
	(void)state;
	/* a password is wanted (prosody's answer to none, or a wrong one) */
	assert_int_equal(pres(P("me", "type='error'", "<error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"), &p), 0);
	assert_true(p.is_error);
	assert_string_equal(p.error, "not-authorized");
	assert_string_equal(p.error_type, "auth");
	assert_true(muc_error_line(&p, line, sizeof(line)));
	assert_string_equal(line, "the room needs a password (not-authorized)");
	/* a deployment that does not create rooms (prosody's restrict_room_creation, Jitsi's
	 * room-does-not-exist) */
	assert_int_equal(pres(P("me", "type='error'", "<error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Room creation is restricted</text></error>"), &p), 0);
	assert_false(muc_error_line(&p, line, sizeof(line)));
	assert_non_null(strstr(line, "the room does not exist"));
	assert_non_null(strstr(line, "(not-allowed: Room creation is restricted)"));
	assert_int_equal(pres(P("me", "type='error'", "<error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><room-does-not-exist xmlns='http://jitsi.org/jitmeet'/></error>"), &p), 0);
	assert_true(p.room_does_not_exist);
	assert_false(muc_error_line(&p, line, sizeof(line)));
	assert_non_null(strstr(line, "the room does not exist"));
	/* others, and a hostile condition name */
	assert_int_equal(pres(P("me", "type='error'", "<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"), &p), 0);
	muc_error_line(&p, line, sizeof(line));
	assert_string_equal(line, "the room is full (service-unavailable)");
	assert_int_equal(pres(P("me", "type='error'", "<error><a123456789b123456789c123456789d123456789e123456789f123456789g123456789 xmlns='urn:x'/></error>"), &p), 0);
	assert_false(muc_error_line(&p, line, sizeof(line)));
	assert_int_equal(strlen(p.error), MUC_COND_MAX - 1); /* bounded */
	assert_non_null(strstr(line, "the room refused the join (a123456789"));
}

/* A message's copies while it is parsed (the tree, expat's buffers) live in the locked,
 * wiping pool, and all of them are given back. */
static void test_parse_memory_is_locked_pool(void **state)
{
	struct lockpool_stats before, during, after;
	char err[160];
	struct xml_doc *d;
	(void)state;
	const char *s = M("from='" ROOM "/b' type='groupchat'", "<body>secret words</body>");
	lockpool_get_stats(&before);
	assert_int_equal(xml_parse(s, strlen(s), &d, err, sizeof(err)), 0);
	const struct xml_node *body = xml_child(xml_root(d), "jabber:client", "body");
	assert_non_null(body);
	assert_string_equal(body->text, "secret words");
	assert_true(lockpool_owns(body->text));
	assert_true(lockpool_owns(body->name));
	lockpool_get_stats(&during);
	assert_true(during.live > before.live);
	xml_free(d);
	lockpool_get_stats(&after);
	assert_int_equal(after.live, before.live);
}

static int teardown(void **state)
{
	(void)state;
	xml_free(doc);
	doc = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_groupchat_and_private, teardown),
		cmocka_unit_test_teardown(test_history, teardown),
		cmocka_unit_test(test_stamps),
		cmocka_unit_test_teardown(test_hostile_messages, teardown),
		cmocka_unit_test_teardown(test_presences, teardown),
		cmocka_unit_test_teardown(test_join_errors, teardown),
		cmocka_unit_test(test_parse_memory_is_locked_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
