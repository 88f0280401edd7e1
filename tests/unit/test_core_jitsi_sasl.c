/* Unit tests for the XMPP login (src/jitsi/sasl.c and its use in src/jitsi/xmpp.c): SCRAM-SHA-1
 * and SCRAM-SHA-256 against the worked examples of RFC 5802 §5 and RFC 7677 §3 (proof and the
 * server's signature, a forged signature refused), hostile challenges (a nonce that does not
 * extend ours, too few or too many iterations, bad base64, a mandatory extension, success
 * before the proof), PLAIN's message, the choice of mechanism (anonymous only without
 * credentials, the strongest with them, PLAIN only over TLS or when allowed) and, through the
 * stream, the lines and exit codes a user sees: a login needed and none given, a refused
 * login, PLAIN refused over ws://. */
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

#include "src/exitcode.h"
#include "src/jitsi/sasl.h"
#include "src/jitsi/xmpp.h"

static char *b64(const char *s)
{
	return g_base64_encode((const guchar *)s, strlen(s));
}

/* Decodes base64 into a NUL-terminated string (the test's own decoder: GLib's). */
static char *unb64(const char *s)
{
	gsize n;
	guchar *d = g_base64_decode(s, &n);
	char *out = g_strndup((const char *)d, n);
	g_free(d);
	return out;
}

struct vec {
	enum sasl_mech mech;
	const char *cnonce, *client_first, *server_first, *client_final, *server_final;
};

static const struct vec rfc5802 = {
	SASL_SCRAM_SHA1, "fyko+d2lbbFgONRv9qkxdawL", "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
	"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
	"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
	"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};
static const struct vec rfc7677 = {
	SASL_SCRAM_SHA256, "rOprNGfwEbeRWgbNEkqO", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
	"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
	"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
	"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

static const struct sasl_login pencil = { .user = "user", .password = "pencil" };

/* Runs a vector up to the client's final message; returns the sasl state. */
static void run_vector(const struct vec *v, struct sasl *s)
{
	char out[SASL_MSG_MAX + 1];
	assert_int_equal(sasl_start(s, v->mech, &pencil, v->cnonce, out, sizeof(out)), 0);
	char *first = unb64(out);
	assert_string_equal(first, v->client_first);
	g_free(first);
	char *sf = b64(v->server_first);
	assert_int_equal(sasl_challenge(s, sf, out, sizeof(out)), 0);
	g_free(sf);
	char *final = unb64(out);
	assert_string_equal(final, v->client_final);
	g_free(final);
}

static void test_scram_vectors(void **state)
{
	(void)state;
	const struct vec *vs[] = { &rfc5802, &rfc7677 };
	for (size_t i = 0; i < 2; i++) {
		struct sasl s;
		run_vector(vs[i], &s);
		char *ok = b64(vs[i]->server_final);
		assert_int_equal(sasl_success(&s, ok), 0);
		g_free(ok);
		/* a server that does not know the password cannot sign: its success is refused */
		run_vector(vs[i], &s);
		char forged[128];
		snprintf(forged, sizeof(forged), "%s", vs[i]->server_final);
		forged[3] = forged[3] == 'A' ? 'B' : 'A';
		char *bad = b64(forged);
		assert_int_equal(sasl_success(&s, bad), -EBADMSG);
		g_free(bad);
		run_vector(vs[i], &s);
		assert_int_equal(sasl_success(&s, ""), -EBADMSG); /* no v= at all */
		sasl_clear(&s);
	}
	/* ',' and '=' in a user name are escaped (RFC 5802 saslname) */
	struct sasl s;
	char out[SASL_MSG_MAX + 1];
	const struct sasl_login odd = { .user = "a,b=c", .password = "x" };
	assert_int_equal(sasl_start(&s, SASL_SCRAM_SHA1, &odd, "abc", out, sizeof(out)), 0);
	char *first = unb64(out);
	assert_string_equal(first, "n,,n=a=2Cb=3Dc,r=abc");
	g_free(first);
	/* a random nonce: 32 characters, different each time */
	char a[SASL_MSG_MAX + 1], b[SASL_MSG_MAX + 1];
	assert_int_equal(sasl_start(&s, SASL_SCRAM_SHA256, &pencil, NULL, a, sizeof(a)), 0);
	assert_int_equal(strlen(s.cnonce), 32);
	assert_int_equal(sasl_start(&s, SASL_SCRAM_SHA256, &pencil, NULL, b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
}

static void test_scram_hostile(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"r=otherNONCE3rfcNHYJY,s=QSXCR+Q6sek8bf92,i=4096",        /* not our nonce */
		"r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096",   /* ours, not extended */
		"r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=1",     /* cheap to crack */
		"r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4095",
		"r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=99999999", /* stalls the loop */
		"r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4096x",
		"r=fyko+d2lbbFgONRv9qkxdawLx,s=!!!!,i=4096",              /* salt not base64 */
		"r=fyko+d2lbbFgONRv9qkxdawLx,i=4096",                     /* no salt */
		"m=ext,r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4096", /* mandatory ext */
		"",
	};
	char out[SASL_MSG_MAX + 1];
	struct sasl s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sasl_start(&s, SASL_SCRAM_SHA1, &pencil, rfc5802.cnonce, out,
					    sizeof(out)), 0);
		char *m = b64(bad[i]);
		assert_int_equal(sasl_challenge(&s, m, out, sizeof(out)), -EBADMSG);
		g_free(m);
	}
	/* not base64 at all */
	sasl_start(&s, SASL_SCRAM_SHA1, &pencil, rfc5802.cnonce, out, sizeof(out));
	assert_int_equal(sasl_challenge(&s, "cj1m*eWtv", out, sizeof(out)), -EBADMSG);
	/* success before the proof: the server skipped the check */
	sasl_start(&s, SASL_SCRAM_SHA1, &pencil, rfc5802.cnonce, out, sizeof(out));
	char *ok = b64(rfc5802.server_final);
	assert_int_equal(sasl_success(&s, ok), -EBADMSG);
	g_free(ok);
	/* a second challenge after the proof */
	run_vector(&rfc5802, &s);
	char *sf = b64(rfc5802.server_first);
	assert_int_equal(sasl_challenge(&s, sf, out, sizeof(out)), -EBADMSG);
	g_free(sf);
	/* PLAIN: authzid empty, NUL, user, NUL, password; no challenge expected */
	const struct sasl_login alice = { .user = "alice", .password = "s3cret pw" };
	assert_int_equal(sasl_start(&s, SASL_PLAIN, &alice, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "AGFsaWNlAHMzY3JldCBwdw==");
	assert_int_equal(sasl_challenge(&s, "", out, sizeof(out)), -EBADMSG);
	/* a user name with a control character is not sent */
	const struct sasl_login ctl = { .user = "al\x1b[31mice", .password = "x" };
	assert_int_equal(sasl_start(&s, SASL_PLAIN, &ctl, NULL, out, sizeof(out)), -EINVAL);
}

static void test_choose(void **state)
{
	(void)state;
	char why[256];
	const char *all[] = { "PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "ANONYMOUS" };
	const char *anon_plain[] = { "ANONYMOUS", "PLAIN" };
	const char *sha1[] = { "PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS" };
	const char *plain[] = { "PLAIN" };
	const struct sasl_login login = { .user = "u", .password = "p" };
	const struct sasl_login lab = { .user = "u", .password = "p", .plain_ok = true };
	/* no credentials: anonymous, or a line saying how to give them */
	assert_int_equal(sasl_choose(all, 4, NULL, false, why, sizeof(why)), SASL_ANONYMOUS);
	assert_int_equal(sasl_choose(sha1, 3, NULL, true, why, sizeof(why)), SASL_NONE);
	assert_non_null(strstr(why, "--xmpp-user"));
	assert_non_null(strstr(why, "--xmpp-password-file"));
	/* credentials: the strongest offered */
	assert_int_equal(sasl_choose(all, 4, &login, false, why, sizeof(why)), SASL_SCRAM_SHA256);
	assert_int_equal(sasl_choose(sha1, 3, &login, false, why, sizeof(why)), SASL_SCRAM_SHA1);
	/* PLAIN: over TLS, or allowed for a lab; never silently anonymous instead */
	assert_int_equal(sasl_choose(plain, 1, &login, true, why, sizeof(why)), SASL_PLAIN);
	assert_int_equal(sasl_choose(plain, 1, &lab, false, why, sizeof(why)), SASL_PLAIN);
	assert_int_equal(sasl_choose(anon_plain, 2, &login, false, why, sizeof(why)), SASL_NONE);
	assert_non_null(strstr(why, "--xmpp-allow-plain"));
	assert_int_equal(sasl_choose(anon_plain, 1, &login, true, why, sizeof(why)), SASL_NONE);
	assert_non_null(strstr(why, "only anonymous"));
	assert_int_equal(sasl_choose(NULL, 0, &login, true, why, sizeof(why)), SASL_NONE);
}

/* ---- through the stream ---- */

#include "tests/unit/fake_xmpp.h"

#define OPEN_MSG "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0' from='localhost' id='a'/>"
#define FEAT(m) "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>" \
	"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" m "</mechanisms></stream:features>"
#define MECH(n) "<mechanism>" n "</mechanism>"

static struct xmpp *stream(struct fake *f, const struct sasl_login *login, bool tls,
			   const char *features)
{
	struct xmpp *x;
	memset(f, 0, sizeof(*f));
	assert_int_equal(xmpp_create("localhost", &cbs, f, &x), 0);
	xmpp_set_login(x, login, tls);
	assert_int_equal(xmpp_start(x), 0);
	feed(x, OPEN_MSG);
	feed(x, features);
	return x;
}

static void test_stream_login(void **state)
{
	(void)state;
	struct fake f;
	const struct sasl_login alice = { .user = "alice", .password = "wonder" };
	/* SCRAM-SHA-1 preferred to PLAIN; its first message names the user */
	struct xmpp *x = stream(&f, &alice, false, FEAT(MECH("PLAIN") MECH("SCRAM-SHA-1") MECH("ANONYMOUS")));
	assert_int_equal(f.failed, 0);
	const char *a = strstr(f.sent[1], "mechanism='SCRAM-SHA-1'>");
	assert_non_null(a);
	char b[256];
	snprintf(b, sizeof(b), "%.*s", (int)strcspn(a + 24, "<"), a + 24);
	char *first = unb64(b);
	assert_int_equal(strncmp(first, "n,,n=alice,r=", 13), 0);
	/* a challenge that does not extend our nonce: the server breaks the protocol (exit 3) */
	char *ch = b64("r=somebodyelse,s=QSXCR+Q6sek8bf92,i=4096");
	char msg[256];
	snprintf(msg, sizeof(msg), "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>%s</challenge>", ch);
	g_free(ch);
	g_free(first);
	feed(x, msg);
	assert_int_equal(f.failed, 1);
	assert_int_equal(f.code, TTM_EXIT_SERVER);
	xmpp_destroy(x);
	/* success without any challenge: no proof of the password, refused */
	x = stream(&f, &alice, false, FEAT(MECH("SCRAM-SHA-1")));
	feed(x, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	assert_int_equal(f.failed, 1);
	assert_int_equal(f.code, TTM_EXIT_SERVER);
	assert_non_null(strstr(f.why, "did not prove"));
	assert_int_equal(f.n_sent, 2); /* no restart */
	xmpp_destroy(x);
	/* wrong credentials: the room refuses (exit 4), one line naming the user and why */
	x = stream(&f, &alice, true, FEAT(MECH("PLAIN")));
	assert_string_equal(f.sent[1], "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHdvbmRlcg==</auth>");
	feed(x, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>Invalid username or password</text></failure>");
	assert_int_equal(f.failed, 1);
	assert_int_equal(f.code, TTM_EXIT_ROOM);
	assert_string_equal(f.why, "the XMPP server refused the login as alice: not-authorized");
	xmpp_destroy(x);
	/* PLAIN only, over ws://: nothing sent, exit 4 saying why */
	x = stream(&f, &alice, false, FEAT(MECH("PLAIN")));
	assert_int_equal(f.n_sent, 1);
	assert_int_equal(f.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(f.why, "--xmpp-allow-plain"));
	xmpp_destroy(x);
	/* a login needed and none given */
	x = stream(&f, NULL, true, FEAT(MECH("SCRAM-SHA-1") MECH("PLAIN")));
	assert_int_equal(f.code, TTM_EXIT_ROOM);
	assert_non_null(strstr(f.why, "--xmpp-user"));
	xmpp_destroy(x);
	/* anonymous: no initial response; an empty challenge gets an empty response */
	x = stream(&f, NULL, false, FEAT(MECH("ANONYMOUS")));
	assert_string_equal(f.sent[1], "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>");
	feed(x, "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	assert_string_equal(f.sent[2], "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>=</response>");
	feed(x, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	assert_int_equal(f.failed, 0);
	assert_non_null(strstr(f.sent[3], "<open ")); /* the restart */
	xmpp_destroy(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scram_vectors),
		cmocka_unit_test(test_scram_hostile),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_stream_login),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
