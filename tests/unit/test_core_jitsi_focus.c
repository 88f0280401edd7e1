/* Unit tests for the conference request to the Jitsi focus (src/jitsi/focus.c): the request
 * as lib-jitsi-meet sends it (escaped, token and session-id only when there are some), the
 * answers as jicofo and prosody send them (fixtures written from jicofo's ConferenceIqHandler
 * and ErrorFactory, lib-jitsi-meet's moderator.js, and prosody 0.12's answers captured in the
 * lab), hostile answers bounded and sanitized, and the driver: retry after ready='false' with
 * backoff, the waits said once, the answer deadline, answers from anyone but the focus
 * ignored, and each failure with its exit code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/exitcode.h"
#include "src/jitsi/focus.h"

#define ROOM "myroom@conference.meet.example"
#define FOCUS "focus.meet.example"

static struct xml_doc *parse(const char *text)
{
	struct xml_doc *d = NULL;
	char err[128];
	assert_int_equal(xml_parse(text, strlen(text), &d, err, sizeof(err)), 0);
	return d;
}

static void answer_of(const char *text, struct jfocus_answer *a)
{
	struct xml_doc *d = parse(text);
	assert_int_equal(jfocus_parse(xml_root(d), a), 0);
	xml_free(d);
}

#define RESULT(attrs, body) "<iq xmlns='jabber:client' type='result' id='focus-1' from='" FOCUS "'><conference xmlns='http://jitsi.org/protocol/focus' room='" ROOM "' " attrs ">" body "</conference></iq>"
#define ERROR(cond, extra) "<iq xmlns='jabber:client' type='error' id='focus-1' from='" FOCUS "'><error type='cancel'><" cond " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" extra "</error></iq>"
#define TEXT(t) "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>" t "</text>"

static void test_request(void **state)
{
	char out[16384];
	(void)state;
	struct jfocus_req r = { .focus = FOCUS, .room_jid = ROOM,
				.machine_uid = "0123456789abcdef0123456789abcdef" };
	assert_int_equal(jfocus_request(out, sizeof(out), "focus-1", &r), 0);
	assert_string_equal(out, "<iq xmlns='jabber:client' type='set' to='" FOCUS "' id='focus-1'>"
			    "<conference xmlns='http://jitsi.org/protocol/focus' room='" ROOM "' "
			    "machine-uid='0123456789abcdef0123456789abcdef'>"
			    "<property name='rtcstatsEnabled' value='false'/></conference></iq>");
	assert_null(strstr(out, "visitors-version")); /* we cannot be a visitor: never offered */
	/* a token and a session-id, escaped */
	r.token = "eyJ'<x>";
	r.session_id = "s-1";
	assert_int_equal(jfocus_request(out, sizeof(out), "focus-2", &r), 0);
	assert_non_null(strstr(out, " token='eyJ&apos;&lt;x&gt;' session-id='s-1'>"));
	/* too small a buffer: -ENOSPC and nothing of the token left behind */
	char small[200];
	assert_int_equal(jfocus_request(small, sizeof(small), "focus-3", &r), -ENOSPC);
	assert_null(memmem(small, sizeof(small), "eyJ", 3));
	/* a token over the bound is refused */
	char *big = malloc(JFOCUS_TOKEN_MAX + 2);
	memset(big, 'a', JFOCUS_TOKEN_MAX + 1);
	big[JFOCUS_TOKEN_MAX + 1] = '\0';
	r.token = big;
	assert_int_equal(jfocus_request(out, sizeof(out), "focus-4", &r), -EINVAL);
	free(big);
}

static void test_answers(void **state)
{
	struct jfocus_answer a;
	(void)state;
	/* jicofo, ready (the stand-in's capture in ../shared/jitsi/captured-stanzas.txt) */
	answer_of(RESULT("ready='true' focusjid='focus@auth.meet.example'",
			 "<property name='authentication' value='false'/>"), &a);
	assert_int_equal(a.kind, JFOCUS_READY);
	assert_string_equal(a.focusjid, "focus@auth.meet.example");
	assert_false(a.auth_enabled);
	answer_of(RESULT("ready='false' focusjid='focus@auth.meet.example' session-id='abc-1'",
			 "<property name='authentication' value='true'/>"), &a);
	assert_int_equal(a.kind, JFOCUS_NOT_READY);
	assert_true(a.auth_enabled);
	assert_string_equal(a.session_id, "abc-1");
	answer_of(RESULT("focusjid='f@x'", ""), &a); /* no ready attribute: not ready */
	assert_int_equal(a.kind, JFOCUS_NOT_READY);
	answer_of(RESULT("ready='true' vnode='v1' focusjid='focus@v1.meet.jitsi'", ""), &a);
	assert_int_equal(a.kind, JFOCUS_REDIRECT);
	assert_string_equal(a.vnode, "v1");
	answer_of(RESULT("ready='false'", "<property name='live' value='false'/>"), &a);
	assert_int_equal(a.kind, JFOCUS_NOT_LIVE);
	/* errors: jicofo's not-authorized (ErrorFactory), session-invalid, a reservation error */
	answer_of(ERROR("not-authorized", TEXT("not authorized user domain")), &a);
	assert_int_equal(a.kind, JFOCUS_AUTH);
	assert_string_equal(a.text, "not authorized user domain");
	answer_of(ERROR("not-acceptable", TEXT("invalid session") "<session-invalid xmlns='http://jitsi.org/protocol/focus'/>"), &a);
	assert_int_equal(a.kind, JFOCUS_SESSION_INVALID);
	answer_of(ERROR("forbidden", TEXT("No reservation") "<reservation-error xmlns='http://jitsi.org/protocol/focus' error-code='403'/>"), &a);
	assert_int_equal(a.kind, JFOCUS_REFUSED);
	assert_string_equal(a.text, "No reservation; reservation error 403");
	/* prosody in its name: component not connected, no such host (s2s off) */
	answer_of("<iq xmlns='jabber:client' type='error' id='focus-1' from='" FOCUS "'><error type='wait'><remote-server-timeout xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" TEXT("Component unavailable") "<not-connected xmlns='xmpp:prosody.im/protocol/component'/></error></iq>", &a);
	assert_int_equal(a.kind, JFOCUS_ABSENT);
	assert_string_equal(a.cond, "remote-server-timeout");
	answer_of(ERROR("not-allowed", TEXT("Communication with remote domains is not enabled")), &a);
	assert_int_equal(a.kind, JFOCUS_ABSENT);
	answer_of(ERROR("internal-server-error", ""), &a);
	assert_int_equal(a.kind, JFOCUS_FAILED);
	assert_string_equal(a.text, "");
	answer_of(ERROR("bad-request", TEXT("No 'room' specified.")), &a);
	assert_int_equal(a.kind, JFOCUS_FAILED);
	/* a result without a conference element, an error without a condition */
	answer_of("<iq xmlns='jabber:client' type='result' id='focus-1'/>", &a);
	assert_int_equal(a.kind, JFOCUS_FAILED);
	answer_of("<iq xmlns='jabber:client' type='error' id='focus-1'><error/></iq>", &a);
	assert_int_equal(a.kind, JFOCUS_FAILED);
	assert_string_equal(a.cond, "unknown");
}

static void test_hostile_answers(void **state)
{
	struct jfocus_answer a;
	char big[2048], msg[8192];
	(void)state;
	/* a focus JID with quotes or spaces, or too long, is not kept: nobody gets hidden */
	answer_of(RESULT("ready='true' focusjid='x@y/z w'", ""), &a);
	assert_string_equal(a.focusjid, "");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(msg, sizeof(msg), RESULT("ready='true' focusjid='%s' session-id='%s' vnode='%s'", ""), big, big, big);
	answer_of(msg, &a);
	assert_int_equal(a.kind, JFOCUS_REDIRECT);
	assert_string_equal(a.focusjid, "");
	assert_string_equal(a.session_id, "");
	assert_int_equal(strlen(a.vnode), sizeof(a.vnode) - 1);
	/* terminal controls in texts are gone */
	/* terminal controls in texts are gone (XML forbids C0 controls: expat refuses them; C1
	 * controls are valid XML) */
	answer_of(ERROR("forbidden", TEXT("go \xc2\x9b" "31maway\xc2\x9b" "2J")), &a);
	assert_null(strstr(a.text, "\xc2\x9b"));
	assert_non_null(strstr(a.text, "away"));
	answer_of(RESULT("ready='true' vnode='\xc2\x9d" "0;x\xc2\x9c'", ""), &a);
	assert_null(strstr(a.vnode, "\xc2\x9d"));
	assert_null(strstr(a.vnode, "\xc2\x9c"));
}

static void test_helpers(void **state)
{
	(void)state;
	assert_int_equal(jfocus_backoff_ms(1), 1000);
	assert_int_equal(jfocus_backoff_ms(2), 2000);
	assert_int_equal(jfocus_backoff_ms(5), 16000);
	assert_int_equal(jfocus_backoff_ms(6), JFOCUS_BACKOFF_MAX_MS);
	assert_int_equal(jfocus_backoff_ms(1000), JFOCUS_BACKOFF_MAX_MS);
	assert_true(jfocus_is_focus_jid("focus@auth.meet.example", "focus@auth.meet.example/focus123"));
	assert_true(jfocus_is_focus_jid("focus@auth.meet.example", "Focus@Auth.Meet.Example/x"));
	assert_false(jfocus_is_focus_jid("focus@auth.meet.example", "focus@auth.meet.example"));
	assert_false(jfocus_is_focus_jid("focus@auth.meet.example", "focus@auth.meet.example.evil/x"));
	assert_false(jfocus_is_focus_jid("", "focus@auth.meet.example/x"));
	assert_false(jfocus_is_focus_jid("focus@auth.meet.example", NULL));
}

/* ---- the driver ---- */

struct t {
	struct jfocus *f;
	char sent[8][8192];
	int n_sent;
	int ready, waiting, failed, code;
	bool absent;
	char kind[16], msg[768], focusjid[JFOCUS_JID_MAX];
};

static int d_send(void *user, const char *stanza)
{
	struct t *t = user;
	if (t->n_sent < 8)
		snprintf(t->sent[t->n_sent++], sizeof(t->sent[0]), "%s", stanza);
	return 0;
}

static void d_ready(void *user, const struct jfocus_answer *a)
{
	struct t *t = user;
	t->ready++;
	snprintf(t->focusjid, sizeof(t->focusjid), "%s", a->focusjid);
}

static void d_waiting(void *user, const char *kind, const char *msg)
{
	struct t *t = user;
	t->waiting++;
	snprintf(t->kind, sizeof(t->kind), "%s", kind);
	snprintf(t->msg, sizeof(t->msg), "%s", msg);
}

static void d_failed(void *user, int code, bool absent, const char *msg)
{
	struct t *t = user;
	t->failed++;
	t->code = code;
	t->absent = absent;
	snprintf(t->msg, sizeof(t->msg), "%s", msg);
}

static const struct jfocus_cbs cbs = { d_send, d_ready, d_waiting, d_failed };

static void start(struct t *t, unsigned answer_ms, const char *token)
{
	memset(t, 0, sizeof(*t));
	struct jfocus_req r = { .focus = FOCUS, .room_jid = ROOM, .token = token };
	assert_int_equal(jfocus_create(g_main_context_default(), &r, answer_ms, &cbs, t, &t->f), 0);
	assert_int_equal(jfocus_start(t->f), 0);
	assert_int_equal(t->n_sent, 1);
	/* a random machine-uid: 32 hex digits */
	const char *u = strstr(t->sent[0], "machine-uid='");
	assert_non_null(u);
	assert_int_equal(strspn(u + 13, "0123456789abcdef"), 32);
}

static bool feed(struct t *t, const char *text)
{
	struct xml_doc *d = parse(text);
	bool taken = jfocus_stanza(t->f, xml_root(d));
	xml_free(d);
	return taken;
}

static void run_until(int *counter, int want, unsigned max_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)max_ms * 1000;
	while (*counter < want && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, FALSE), g_usleep(1000);
}

static void test_driver_ready_after_retry(void **state)
{
	struct t t;
	(void)state;
	start(&t, 5000, NULL);
	/* from someone else, a wrong id, a get: not our answer */
	assert_false(feed(&t, "<iq xmlns='jabber:client' type='result' id='focus-1' from='mallory@meet.example/x'><conference xmlns='http://jitsi.org/protocol/focus' ready='true'/></iq>"));
	assert_false(feed(&t, "<iq xmlns='jabber:client' type='result' id='focus-2' from='" FOCUS "'/>"));
	assert_false(feed(&t, "<iq xmlns='jabber:client' type='result' id='focus-1' from='" FOCUS ".evil'/>"));
	assert_int_equal(t.ready + t.failed, 0);
	/* not ready: said once, asked again after 1 s with the session-id it gave */
	gint64 t0 = g_get_monotonic_time();
	assert_true(feed(&t, RESULT("ready='false' session-id='sess-9'", "")));
	assert_int_equal(t.waiting, 1);
	assert_string_equal(t.kind, "focus");
	run_until(&t.n_sent, 2, 3000);
	assert_int_equal(t.n_sent, 2);
	assert_true(g_get_monotonic_time() - t0 >= 900000);
	assert_non_null(strstr(t.sent[1], "id='focus-2'"));
	assert_non_null(strstr(t.sent[1], "session-id='sess-9'"));
	/* the old id is no answer any more */
	assert_false(feed(&t, RESULT("ready='true'", "")));
	assert_true(feed(&t, "<iq xmlns='jabber:client' type='result' id='focus-2' from='" FOCUS "'><conference xmlns='http://jitsi.org/protocol/focus' room='" ROOM "' ready='false'/></iq>"));
	assert_int_equal(t.waiting, 1); /* said once */
	run_until(&t.n_sent, 3, 4000);
	assert_int_equal(t.n_sent, 3);
	assert_true(feed(&t, "<iq xmlns='jabber:client' type='result' id='focus-3' from='" FOCUS "/x'><conference xmlns='http://jitsi.org/protocol/focus' room='" ROOM "' ready='true' focusjid='focus@auth.meet.example'/></iq>"));
	assert_int_equal(t.ready, 1);
	assert_string_equal(t.focusjid, "focus@auth.meet.example");
	assert_int_equal(t.failed, 0);
	jfocus_destroy(t.f);
}

static void test_driver_failures(void **state)
{
	struct t t;
	(void)state;
	/* no answer within answer_ms: exit 3, naming the focus */
	start(&t, 50, NULL);
	run_until(&t.failed, 1, 2000);
	assert_int_equal(t.failed, 1);
	assert_int_equal(t.code, TTM_EXIT_SERVER);
	assert_non_null(strstr(t.msg, "did not answer"));
	assert_non_null(strstr(t.msg, FOCUS));
	jfocus_destroy(t.f);
	/* not authorized without a token: wait for a moderator (said once), no failure */
	start(&t, 5000, NULL);
	assert_true(feed(&t, ERROR("not-authorized", TEXT("not authorized user domain"))));
	assert_int_equal(t.waiting, 1);
	assert_string_equal(t.kind, "host");
	assert_non_null(strstr(t.msg, "moderator"));
	assert_int_equal(t.failed, 0);
	jfocus_destroy(t.f);
	/* with a token: the token was refused, exit 4 */
	start(&t, 5000, "eyJh.eyJi.c2ln");
	assert_non_null(strstr(t.sent[0], "token='eyJh.eyJi.c2ln'"));
	assert_true(feed(&t, ERROR("not-authorized", TEXT("not authorized user domain"))));
	assert_int_equal(t.failed, 1);
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(t.msg, "token"));
	jfocus_destroy(t.f);
	/* logged in as a user: that login cannot start the meeting, exit 4 */
	memset(&t, 0, sizeof(t));
	struct jfocus_req lr = { .focus = FOCUS, .room_jid = ROOM, .logged_in = true };
	assert_int_equal(jfocus_create(g_main_context_default(), &lr, 5000, &cbs, &t, &t.f), 0);
	assert_int_equal(jfocus_start(t.f), 0);
	assert_true(feed(&t, ERROR("not-authorized", "")));
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(t.msg, "login"));
	assert_int_equal(t.waiting, 0);
	jfocus_destroy(t.f);
	/* a visitor redirect: exit 4 naming the node */
	start(&t, 5000, NULL);
	assert_true(feed(&t, RESULT("ready='true' vnode='v1' focusjid='focus@v1.meet.jitsi'", "")));
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(t.msg, "visitor node 'v1'"));
	assert_int_equal(t.ready, 0);
	jfocus_destroy(t.f);
	/* no focus there: absent, exit 3 if the caller gives up */
	start(&t, 5000, NULL);
	assert_true(feed(&t, ERROR("remote-server-not-found", "")));
	assert_true(t.absent);
	assert_int_equal(t.code, TTM_EXIT_SERVER);
	jfocus_destroy(t.f);
	/* an error of the focus's own: exit 3 with its condition and text */
	start(&t, 5000, NULL);
	assert_true(feed(&t, ERROR("internal-server-error", TEXT("boom"))));
	assert_false(t.absent);
	assert_int_equal(t.code, TTM_EXIT_SERVER);
	assert_non_null(strstr(t.msg, "internal-server-error: boom"));
	jfocus_destroy(t.f);
	/* refused: exit 4 */
	start(&t, 5000, NULL);
	assert_true(feed(&t, ERROR("forbidden", "")));
	assert_int_equal(t.code, TTM_EXIT_ROOM);
	jfocus_destroy(t.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_hostile_answers),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_driver_ready_after_retry),
		cmocka_unit_test(test_driver_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
