/* Unit tests for Jitsi's lobby stanzas (src/jitsi/lobby.c), with fixtures written from
 * jitsi-meet's mod_muc_lobby_rooms.lua / mod_muc_wait_for_host.lua wire format and prosody
 * 0.12's answers captured in the lab: the join refusal that sends us to the lobby (with and
 * without waiting-for-host, the legacy element), refusals that are not the lobby's, what our
 * lobby presence means (in, denied, moved to the meeting, closed, refused), the invite that
 * lets us in (with a password), and hostile variants (forged senders, bad JIDs, long
 * passwords, terminal controls in reasons). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "src/jitsi/lobby.h"

#define ROOM "lobbyroom@conference.meet.example"
#define LOBBY "lobbyroom@lobby.meet.example"

static struct xml_doc *doc;

static const struct xml_node *parse(const char *text)
{
	char err[128];
	xml_free(doc);
	doc = NULL;
	assert_int_equal(xml_parse(text, strlen(text), &doc, err, sizeof(err)), 0);
	return xml_root(doc);
}

#define REFUSAL(extra) "<presence xmlns='jabber:client' type='error' from='" ROOM "/abcd1234' to='a@meet.example/r'><error code='407' type='auth'><registration-required xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" extra "</error><x xmlns='http://jabber.org/protocol/muc'/></presence>"

static void test_refusal(void **state)
{
	struct jlobby_refusal r;
	(void)state;
	/* as the lab's prosody sent it (captured) */
	assert_true(jlobby_refusal(parse(REFUSAL("<lobbyroom xmlns='http://jitsi.org/jitmeet'>" LOBBY "</lobbyroom><lobbyroom>" LOBBY "</lobbyroom>")), &r));
	assert_string_equal(r.lobby_jid, LOBBY);
	assert_false(r.waiting_for_host);
	assert_true(jlobby_refusal(parse(REFUSAL("<waiting-for-host xmlns='http://jitsi.org/jitmeet'/><lobbyroom xmlns='http://jitsi.org/jitmeet'>" LOBBY "</lobbyroom>")), &r));
	assert_true(r.waiting_for_host);
	/* an older server: only the element without a namespace */
	assert_true(jlobby_refusal(parse(REFUSAL("<lobbyroom>" LOBBY "</lobbyroom>")), &r));
	assert_string_equal(r.lobby_jid, LOBBY);
	/* prosody's own members-only refusal (no lobby): not ours to handle */
	assert_false(jlobby_refusal(parse(REFUSAL("")), &r));
	/* other errors */
	assert_false(jlobby_refusal(parse("<presence xmlns='jabber:client' type='error' from='" ROOM "/x'><error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><lobbyroom xmlns='http://jitsi.org/jitmeet'>" LOBBY "</lobbyroom></error></presence>"), &r));
	/* hostile lobby JIDs: a resource, quotes, spaces, no '@', two '@', too long */
	const char *bad[] = { LOBBY "/x", "a'b@c", "a b@c", "lobby.meet.example", "a@b@c", "@c", "a@" };
	char msg[2048];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(msg, sizeof(msg), REFUSAL("<lobbyroom xmlns='http://jitsi.org/jitmeet'>%s</lobbyroom>"), bad[i]);
		assert_false(jlobby_refusal(parse(msg), &r));
		assert_string_equal(r.lobby_jid, "");
	}
	char big[600];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = '@';
	snprintf(msg, sizeof(msg), REFUSAL("<lobbyroom xmlns='http://jitsi.org/jitmeet'>%s</lobbyroom>"), big);
	assert_false(jlobby_refusal(parse(msg), &r));
}

#define LP(type, body) "<presence xmlns='jabber:client' " type " from='" LOBBY "/abcd1234' to='a@meet.example/r'>" body "</presence>"

static void test_presence(void **state)
{
	char why[64];
	(void)state;
	assert_int_equal(jlobby_presence(parse(LP("", "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/><status code='110'/></x>")), ROOM, false, why, sizeof(why)), JLOBBY_IN);
	/* another knocker: nothing to us */
	assert_int_equal(jlobby_presence(parse(LP("type='unavailable'", "<x xmlns='http://jabber.org/protocol/muc#user'><status code='307'/></x>")), ROOM, false, why, sizeof(why)), JLOBBY_NOTHING);
	/* kicked by the moderator (captured from prosody), with the reason */
	assert_int_equal(jlobby_presence(parse(LP("type='unavailable'", "<x xmlns='http://jabber.org/protocol/muc#user'><status code='307'/><item affiliation='none' role='none'><actor nick='mod1'/><reason>not today</reason></item><status code='110'/></x>")), ROOM, false, why, sizeof(why)), JLOBBY_DENIED);
	assert_string_equal(why, "not today");
	/* destroyed with the meeting as the venue (captured), case-insensitively */
	assert_int_equal(jlobby_presence(parse(LP("type='unavailable'", "<x xmlns='http://jabber.org/protocol/muc#user'><destroy jid='LobbyRoom@conference.meet.example'><reason>Host arrived.</reason></destroy><item affiliation='none' role='none'/><status code='110'/></x>")), ROOM, false, why, sizeof(why)), JLOBBY_MOVED);
	assert_string_equal(why, "Host arrived.");
	/* destroyed elsewhere, or without a venue: closed */
	assert_int_equal(jlobby_presence(parse(LP("type='unavailable'", "<x xmlns='http://jabber.org/protocol/muc#user'><destroy jid='other@conference.meet.example'/><status code='110'/></x>")), ROOM, false, why, sizeof(why)), JLOBBY_CLOSED);
	assert_int_equal(jlobby_presence(parse(LP("type='unavailable'", "<x xmlns='http://jabber.org/protocol/muc#user'><destroy/></x>")), ROOM, true, why, sizeof(why)), JLOBBY_CLOSED);
	/* an error from the lobby room */
	assert_int_equal(jlobby_presence(parse(LP("type='error'", "<error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Room creation is restricted</text></error>")), ROOM, true, why, sizeof(why)), JLOBBY_ERROR);
	assert_string_equal(why, "not-allowed");
	/* a reason with terminal controls and over the bound */
	assert_int_equal(jlobby_presence(parse(LP("type='unavailable'", "<x xmlns='http://jabber.org/protocol/muc#user'><status code='307'/><item><reason>\xc2\x9b" "2Jgo away go away go away go away go away go away go away go away</reason></item><status code='110'/></x>")), ROOM, false, why, sizeof(why)), JLOBBY_DENIED);
	assert_null(strstr(why, "\xc2\x9b"));
	assert_true(strlen(why) < sizeof(why));
}

#define INV(from, x) "<message xmlns='jabber:client' from='" from "' to='a@meet.example/r'><x xmlns='http://jabber.org/protocol/muc#user'>" x "</x></message>"

static void test_invite(void **state)
{
	char pw[JLOBBY_PASSWORD_MAX];
	(void)state;
	assert_true(jlobby_invite(parse(INV(ROOM, "<invite from='" ROOM "/mod1'><reason/></invite>")), ROOM, pw, sizeof(pw)));
	assert_string_equal(pw, "");
	assert_true(jlobby_invite(parse(INV(ROOM, "<invite from='" ROOM "/mod1'/><password>s3cr&amp;t</password>")), ROOM, pw, sizeof(pw)));
	assert_string_equal(pw, "s3cr&t");
	/* from an occupant (anyone in the room could send it), from elsewhere, without invite */
	assert_false(jlobby_invite(parse(INV(ROOM "/mallory", "<invite/>")), ROOM, pw, sizeof(pw)));
	assert_false(jlobby_invite(parse(INV("other@conference.meet.example", "<invite/>")), ROOM, pw, sizeof(pw)));
	assert_false(jlobby_invite(parse(INV(ROOM, "<decline/>")), ROOM, pw, sizeof(pw)));
	assert_false(jlobby_invite(parse("<message xmlns='jabber:client' from='" ROOM "' type='groupchat'><subject/></message>"), ROOM, pw, sizeof(pw)));
	/* a password over the bound is refused, not cut */
	char msg[1024], big[400];
	memset(big, 'p', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(msg, sizeof(msg), INV(ROOM, "<invite/><password>%s</password>"), big);
	assert_false(jlobby_invite(parse(msg), ROOM, pw, sizeof(pw)));
	assert_string_equal(pw, "");
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
		cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_presence),
		cmocka_unit_test(test_invite),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
