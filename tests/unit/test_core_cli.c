/* Unit tests for command-line parsing (src/cli.c), the secrets it loads (--pin-file,
 * TTYMEET_PIN, --pin, --turn-file, TTYMEET_TURN: precedence, conflicts, private files only)
 * URL splitting (net/ws.c), and the local checks made before the privacy notice
 * (src/cli_check.c: --play, --record, --log, --report, --script, --video-source). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/ws.h"
#include "src/cli.h"
#include "src/secret.h"
#include "audio/wav.h"

static int parse(struct cli_options *o, char *err, ...)
{
	char *argv[64] = { "ttymeet" };
	int argc = 1;
	va_list ap;
	va_start(ap, err);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	return cli_parse(argc, argv, o, err, 256);
}

static void test_minimal(void **state)
{
	struct cli_options o;
	char err[256];
	assert_int_equal(parse(&o, err, "ws://h:8188/", "1234", NULL), CLI_RUN);
	assert_string_equal(o.url, "ws://h:8188/");
	assert_int_equal(o.room, 1234);
	assert_true(strlen(o.name) > 0); /* login name or a fallback */
	assert_false(o.headless);
	assert_int_equal(o.bitrate_kbps, 24);
	assert_int_equal(o.complexity, 10);
	assert_int_equal(o.video, -1);
	assert_int_equal(o.participants, 1);
	assert_null(o.pin);
	assert_null(o.pin_arg);
}

static void test_full(void **state)
{
	struct cli_options o;
	char err[256];
	assert_int_equal(parse(&o, err, "--headless", "--accept-privacy", "-n", "Ana Müller",
			       "--pin", "s3cret", "--duration", "2.5", "--keepalive", "4", "--chat", "hi", "--chat",
			       "there", "--mute", "--no-video", "--bitrate", "16", "--complexity",
			       "3", "--insecure", "wss://example.org/janus", "9007199254740991",
			       NULL),
			 CLI_RUN);
	assert_true(o.headless && o.accept_privacy && o.mute && o.insecure);
	assert_string_equal(o.name, "Ana Müller");
	assert_null(o.pin); /* read by cli_load_secrets, not by the parser */
	assert_string_equal(o.pin_arg, "s3cret");
	assert_true(o.duration > 2.49 && o.duration < 2.51);
	assert_true(o.keepalive > 3.99 && o.keepalive < 4.01);
	assert_int_equal(o.n_chat, 2);
	assert_string_equal(o.chat[1], "there");
	assert_int_equal(o.video, 0);
	assert_int_equal(o.bitrate_kbps, 16);
	assert_int_equal(o.complexity, 3);
	assert_int_equal(o.room, 9007199254740991ull);
}

static void expect_usage(const char *why, ...)
{
	char *argv[16] = { "ttymeet" };
	int argc = 1;
	va_list ap;
	va_start(ap, why);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	struct cli_options o;
	char err[256] = "";
	assert_int_equal(cli_parse(argc, argv, &o, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("expected '%s' in '%s'", why, err);
}

static void test_errors(void **state)
{
	expect_usage("missing URL", NULL);
	expect_usage("missing ROOM after ws://h/", "ws://h/", NULL);
	expect_usage("missing URL before ROOM 1234", "1234", NULL);
	expect_usage("too many", "ws://h/", "1", "2", NULL);
	expect_usage("takes no ROOM number", "http://h/", "1", NULL); /* a Jitsi link */
	expect_usage("not a ws://", "ftp://h/", "1", NULL);
	expect_usage("not a ws://", "ws://", "1", NULL);
	expect_usage("not a ws://", "ws://h:99999/", "1", NULL);
	expect_usage("not a ws://", "ws://h:0/", "1", NULL);
	expect_usage("not a ws://", "ws://h:12x/", "1", NULL);
	expect_usage("ROOM", "ws://h/", "abc", NULL);
	expect_usage("ROOM", "ws://h/", "0", NULL);
	expect_usage("unknown option -5", "ws://h/", "-5", NULL);
	expect_usage("ROOM", "--", "ws://h/", "-5", NULL);
	expect_usage("ROOM", "ws://h/", "9007199254740992", NULL);
	expect_usage("ROOM", "ws://h/", "12 ", NULL);
	expect_usage("unknown option", "--frobnicate", "ws://h/", "1", NULL);
	expect_usage("needs a value", "ws://h/", "1", "--pin", NULL);
	expect_usage("--duration", "--duration", "-1", "ws://h/", "1", NULL);
	expect_usage("--duration", "--duration", "nan", "ws://h/", "1", NULL);
	expect_usage("--keepalive", "--keepalive", "0.5", "ws://h/", "1", NULL);
	expect_usage("--keepalive", "--keepalive", "301", "ws://h/", "1", NULL);
	expect_usage("--bitrate", "--bitrate", "5000", "ws://h/", "1", NULL);
	expect_usage("--complexity", "--complexity", "11", "ws://h/", "1", NULL);
	expect_usage("--insecure", "--insecure", "ws://h/", "1", NULL);
	expect_usage("--name", "-n", "", "ws://h/", "1", NULL);
	expect_usage("--name", "-n", "evil\x1b[31mname", "ws://h/", "1", NULL);
	expect_usage("--name", "-n", "b\xe2\x80\x8bob", "ws://h/", "1", NULL); /* ZWSP */
	expect_usage("--name", "-n", "bob ", "ws://h/", "1", NULL);
	expect_usage("--name", "-n", "two\nlines", "ws://h/", "1", NULL);
	expect_usage("--name", "-n", "0123456789012345678901234567890123456789012345678901234567890123456789",
		     "ws://h/", "1", NULL);
	expect_usage("--pin and --pin-file", "--pin", "x", "--pin-file", "/f", "ws://h/", "1", NULL);
	expect_usage("give --turn too", "--turn-file", "/f", "ws://h/", "1", NULL);
	expect_usage("keep --turn-file", "--turn", "turn:u:p@h", "--turn-file", "/f", "ws://h/",
		     "1", NULL);
	expect_usage("--turn takes", "--turn", "stun:h", "ws://h/", "1", NULL);
	expect_usage("--turn takes", "--turn", "turn:", "ws://h/", "1", NULL);
	expect_usage("--turn takes", "--turn", "turn:u:p@", "ws://h/", "1", NULL);
	expect_usage("USER:PASSWORD@HOST", "--turn", "turn:nopass@h", "ws://h/", "1", NULL);
}

/* ---- secrets ---- */

static char secret_dir[64];

static int secrets_setup(void **state)
{
	snprintf(secret_dir, sizeof(secret_dir), "/tmp/ttm-cli-XXXXXX");
	unsetenv("TTYMEET_PIN");
	unsetenv("TTYMEET_TURN");
	return mkdtemp(secret_dir) ? 0 : -1;
}

static int secrets_teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", secret_dir);
	unsetenv("TTYMEET_PIN");
	unsetenv("TTYMEET_TURN");
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes a file of len bytes (text, may hold NULs) with the given mode; returns its path. */
static const char *secret_file(const char *name, const char *text, size_t len, mode_t mode)
{
	static char path[4][128];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, sizeof(path[0]), "%s/%s", secret_dir, name);
	unlink(p);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

/* Parses then loads; returns cli_load_secrets' result (the parse must succeed). */
static int load(struct cli_options *o, char *err, ...)
{
	char *argv[16] = { "ttymeet" };
	int argc = 1;
	va_list ap;
	va_start(ap, err);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc++] = "ws://h/";
	argv[argc++] = "1";
	err[0] = '\0';
	assert_int_equal(cli_parse(argc, argv, o, err, 256), CLI_RUN);
	return cli_load_secrets(o, err, 256);
}

/* Jitsi Meet links: one argument, no ROOM number; --xmpp-* checked; --jwt-file and
 * TTYMEET_JWT (private file, a JWT's shape, the file wins over the environment). */
static void test_jitsi(void **state)
{
	struct cli_options o;
	char err[256] = "";
	(void)state;
	assert_int_equal(parse(&o, err, "https://Meet.Example.org/TeamStandup#config.x=1", NULL), CLI_RUN);
	assert_true(o.jitsi);
	assert_int_equal(o.room, 0);
	assert_string_equal(o.url, "https://Meet.Example.org/TeamStandup#config.x=1");
	assert_null(o.xmpp_websocket);
	assert_int_equal(parse(&o, err, "--xmpp-websocket", "ws://10.0.0.1:5280/xmpp-websocket",
			       "--xmpp-domain", "localhost", "--xmpp-muc", "conference.localhost",
			       "--xmpp-focus", "focus.localhost", "http://10.0.0.1:5280/room", NULL), CLI_RUN);
	assert_string_equal(o.xmpp_domain, "localhost");
	assert_string_equal(o.xmpp_muc, "conference.localhost");
	assert_string_equal(o.xmpp_focus, "focus.localhost");
	assert_string_equal(o.xmpp_websocket, "ws://10.0.0.1:5280/xmpp-websocket");
	/* Janus stays Janus */
	assert_int_equal(parse(&o, err, "ws://h/", "7", NULL), CLI_RUN);
	assert_false(o.jitsi);

	static const struct { const char *a, *b, *needle; } bad[] = {
		{ "https://meet.example.org/room", "1234", "no ROOM number" },
		{ "https://meet.example.org/", NULL, "names no room" },
		{ "https://meet.example.org/t/room", NULL, "tenant" },
		{ "https://meet.example.org/room?jwt=a.b.c", NULL, "--jwt-file" },
		{ "--insecure", "http://meet.example.org/room", "--insecure" },
		{ "--xmpp-muc", "bad muc", "--xmpp-muc" },
		{ "--xmpp-websocket", "https://x/y", "--xmpp-websocket" },
		{ "--room-type", "videoroom", "--room-type" },
		{ "--video-codec", "vp9", "VP8 video in one layer" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;
		err[0] = '\0';
		if (!bad[i].b)
			rc = parse(&o, err, bad[i].a, NULL);
		else if (bad[i].a[0] == '-' && !strcmp(bad[i].a, "--insecure"))
			rc = parse(&o, err, bad[i].a, bad[i].b, NULL);
		else if (bad[i].a[0] == '-')
			rc = parse(&o, err, bad[i].a, bad[i].b, "https://meet.example.org/room", NULL);
		else
			rc = parse(&o, err, bad[i].a, bad[i].b, NULL);
		assert_int_equal(rc, -EINVAL);
		if (!strstr(err, bad[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].needle);
	}
	assert_int_equal(parse(&o, err, "--xmpp-domain", "d", "ws://h/", "1", NULL), -EINVAL);
	assert_non_null(strstr(err, "Jitsi"));
	assert_int_equal(parse(&o, err, "--jwt-file", "/x", "ws://h/", "1", NULL), -EINVAL);
	assert_non_null(strstr(err, "Jitsi"));
	assert_int_equal(parse(&o, err, "--video-simulcast", "--video-source", "testpattern",
			       "https://meet.example.org/room", NULL), -EINVAL);
	assert_non_null(strstr(err, "--video-simulcast"));
	assert_int_equal(parse(&o, err, "--video-source", "testpattern", "--no-p2p",
			       "https://meet.example.org/room", NULL), 0);
	assert_true(o.no_p2p && o.jitsi && o.video_source);
	assert_int_equal(parse(&o, err, "--no-p2p", "ws://h/", "1", NULL), -EINVAL);
	assert_non_null(strstr(err, "--no-p2p"));
}

static int load_jitsi(struct cli_options *o, char *err, const char *jwt_file)
{
	char *argv[8] = { "ttymeet" };
	int argc = 1;
	if (jwt_file) {
		argv[argc++] = "--jwt-file";
		argv[argc++] = (char *)jwt_file;
	}
	argv[argc++] = "https://meet.example.org/room";
	err[0] = '\0';
	assert_int_equal(cli_parse(argc, argv, o, err, 256), CLI_RUN);
	return cli_load_secrets(o, err, 256);
}

static void test_jwt_sources(void **state)
{
	struct cli_options o;
	char err[256];
	(void)state;
	unsetenv("TTYMEET_JWT");
	assert_int_equal(load_jitsi(&o, err, NULL), 0);
	assert_null(o.jwt);
	const char *f = secret_file("jwt", "eyJh.eyJi.c2ln\n", 15, 0600);
	assert_int_equal(load_jitsi(&o, err, f), 0);
	assert_string_equal(o.jwt, "eyJh.eyJi.c2ln");
	setenv("TTYMEET_JWT", "eA.eB.c-_", 1);
	assert_int_equal(load_jitsi(&o, err, NULL), 0);
	assert_string_equal(o.jwt, "eA.eB.c-_");
	assert_int_equal(load_jitsi(&o, err, f), 0); /* the file wins */
	assert_string_equal(o.jwt, "eyJh.eyJi.c2ln");
	setenv("TTYMEET_JWT", "not a token", 1);
	assert_int_equal(load_jitsi(&o, err, NULL), -EILSEQ);
	assert_non_null(strstr(err, "TTYMEET_JWT"));
	setenv("TTYMEET_JWT", "a..c", 1);
	assert_int_equal(load_jitsi(&o, err, NULL), -EILSEQ);
	/* a Janus room ignores TTYMEET_JWT */
	assert_int_equal(load(&o, err, NULL), 0);
	assert_null(o.jwt);
	unsetenv("TTYMEET_JWT");
	/* a token file others can read is refused; so is one that is no JWT */
	assert_int_equal(load_jitsi(&o, err, secret_file("open", "a.b.c", 5, 0644)), -EACCES);
	assert_int_equal(load_jitsi(&o, err, secret_file("junk", "a.b\x1b[2J.c", 9, 0600)), -EILSEQ);
	assert_non_null(strstr(err, "base64url"));
	assert_int_equal(load_jitsi(&o, err, f), 0);
	cli_wipe_secrets(&o);
	assert_int_equal(o.jwt_buf[0], 0);
}

/* cli_parse + cli_load_secrets of a Jitsi link with the given extra arguments (NULL-ended). */
static int load_login(struct cli_options *o, char *err, ...)
{
	char *argv[12] = { "ttymeet" };
	int argc = 1;
	va_list ap;
	va_start(ap, err);
	for (char *a; (a = va_arg(ap, char *)) && argc < 10;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc++] = "https://meet.example.org/room";
	err[0] = '\0';
	int rc = cli_parse(argc, argv, o, err, 256);
	return rc < 0 ? rc : cli_load_secrets(o, err, 256);
}

/* --xmpp-user's password: from --xmpp-password-file, else TTYMEET_XMPP_PASSWORD; never argv */
static void test_xmpp_login_sources(void **state)
{
	struct cli_options o;
	char err[256];
	(void)state;
	unsetenv("TTYMEET_XMPP_PASSWORD");
	assert_int_equal(load_login(&o, err, NULL), 0);
	assert_null(o.xmpp_user);
	assert_null(o.xmpp_password);
	/* a user without a password anywhere: usage, saying where it comes from */
	assert_int_equal(load_login(&o, err, "--xmpp-user", "alice", NULL), -EINVAL);
	assert_non_null(strstr(err, "--xmpp-password-file"));
	assert_non_null(strstr(err, "TTYMEET_XMPP_PASSWORD"));
	const char *f = secret_file("xpw", "wonder land\n", 12, 0600);
	assert_int_equal(load_login(&o, err, "--xmpp-user", "alice", "--xmpp-password-file", f,
				    NULL), 0);
	assert_string_equal(o.xmpp_user, "alice");
	assert_string_equal(o.xmpp_password, "wonder land");
	assert_false(o.xmpp_allow_plain);
	setenv("TTYMEET_XMPP_PASSWORD", "fromenv", 1);
	assert_int_equal(load_login(&o, err, "--xmpp-user", "alice", "--xmpp-allow-plain", NULL), 0);
	assert_string_equal(o.xmpp_password, "fromenv");
	assert_true(o.xmpp_allow_plain);
	assert_int_equal(load_login(&o, err, "--xmpp-user", "alice", "--xmpp-password-file", f,
				    NULL), 0);
	assert_string_equal(o.xmpp_password, "wonder land"); /* the file wins */
	/* the environment alone logs nobody in */
	assert_int_equal(load_login(&o, err, NULL), 0);
	assert_null(o.xmpp_password);
	setenv("TTYMEET_XMPP_PASSWORD", "bad\x1b[2J", 1);
	assert_int_equal(load_login(&o, err, "--xmpp-user", "alice", NULL), -EILSEQ);
	unsetenv("TTYMEET_XMPP_PASSWORD");
	/* a readable password file is refused; a password file or plain without a user is usage */
	assert_int_equal(load_login(&o, err, "--xmpp-user", "alice", "--xmpp-password-file",
				    secret_file("xopen", "pw", 2, 0644), NULL), -EACCES);
	assert_int_equal(load_login(&o, err, "--xmpp-password-file", f, NULL), -EINVAL);
	assert_non_null(strstr(err, "--xmpp-user"));
	assert_int_equal(load_login(&o, err, "--xmpp-allow-plain", NULL), -EINVAL);
	assert_int_equal(load_login(&o, err, "--xmpp-user", "al ice", "--xmpp-password-file", f,
				    NULL), -EINVAL);
	/* not for Janus rooms */
	assert_int_equal(parse(&o, err, "--xmpp-user", "u", "ws://h/", "1", NULL), -EINVAL);
	assert_non_null(strstr(err, "Jitsi"));
	assert_int_equal(load_login(&o, err, "--xmpp-user", "alice", "--xmpp-password-file", f,
				    NULL), 0);
	cli_wipe_secrets(&o);
	assert_int_equal(o.xmpp_pass_buf[0], 0);
}

static void test_pin_sources(void **state)
{
	struct cli_options o;
	char err[256];
	const char *f = secret_file("pin", "fromfile\n", 9, 0600);

	assert_int_equal(load(&o, err, NULL), 0);
	assert_null(o.pin);
	assert_int_equal(load(&o, err, "--pin", "fromargv", NULL), 0);
	assert_string_equal(o.pin, "fromargv");
	assert_true(o.pin_visible); /* main warns and blanks argv */
	assert_int_equal(load(&o, err, "--pin-file", f, NULL), 0);
	assert_string_equal(o.pin, "fromfile"); /* the trailing newline is not part of it */
	assert_false(o.pin_visible);

	setenv("TTYMEET_PIN", "fromenv", 1);
	assert_int_equal(load(&o, err, NULL), 0);
	assert_string_equal(o.pin, "fromenv");
	assert_false(o.pin_visible);
	/* the command line wins over the environment */
	assert_int_equal(load(&o, err, "--pin-file", f, NULL), 0);
	assert_string_equal(o.pin, "fromfile");
	assert_int_equal(load(&o, err, "--pin", "fromargv", NULL), 0);
	assert_string_equal(o.pin, "fromargv");
	setenv("TTYMEET_PIN", "", 1); /* set but empty: no pin */
	assert_int_equal(load(&o, err, NULL), 0);
	assert_null(o.pin);
	setenv("TTYMEET_PIN", "bad\x1b[2Jpin", 1);
	assert_int_equal(load(&o, err, NULL), -EILSEQ);
	assert_non_null(strstr(err, "TTYMEET_PIN"));
	unsetenv("TTYMEET_PIN");

	/* CRLF files, and a pin of exactly CLI_SECRET_MAX bytes */
	assert_int_equal(load(&o, err, "--pin-file", secret_file("crlf", "p1\r\n", 4, 0400),
			      NULL), 0);
	assert_string_equal(o.pin, "p1");
	char big[CLI_SECRET_MAX + 2];
	memset(big, 'x', sizeof(big));
	assert_int_equal(load(&o, err, "--pin-file", secret_file("max", big, CLI_SECRET_MAX,
								  0600), NULL), 0);
	assert_int_equal(strlen(o.pin), CLI_SECRET_MAX);
	cli_wipe_secrets(&o);
	assert_int_equal(o.pin_buf[0], 0);
	assert_int_equal(o.pin_buf[CLI_SECRET_MAX - 1], 0);
}

static void test_pin_file_refused(void **state)
{
	struct cli_options o;
	char err[256];
	static const mode_t open_modes[] = { 0644, 0640, 0604, 0620, 0602, 0610, 0601 };
	for (size_t i = 0; i < sizeof(open_modes) / sizeof(open_modes[0]); i++) {
		const char *f = secret_file("open", "s3cret\n", 7, open_modes[i]);
		assert_int_equal(load(&o, err, "--pin-file", f, NULL), -EACCES);
		assert_null(o.pin);
		assert_non_null(strstr(err, "accessible by others"));
		assert_non_null(strstr(err, "chmod 600"));
		assert_null(strstr(err, "s3cret"));
		assert_int_equal(o.pin_buf[0], 0);
	}
	char path[128];
	snprintf(path, sizeof(path), "%s/missing", secret_dir);
	assert_int_equal(load(&o, err, "--pin-file", path, NULL), -ENOENT);
	assert_non_null(strstr(err, "missing"));
	assert_int_equal(load(&o, err, "--pin-file", secret_dir, NULL), -ENOTSUP);
	assert_int_equal(load(&o, err, "--pin-file", secret_file("empty", "\n", 1, 0600), NULL),
			 -ENODATA);
	char big[SECRET_FILE_MAX + 2];
	memset(big, 'x', sizeof(big));
	assert_int_equal(load(&o, err, "--pin-file", secret_file("huge", big, sizeof(big), 0600),
			      NULL), -EFBIG);
	assert_int_equal(load(&o, err, "--pin-file", secret_file("long", big, CLI_SECRET_MAX + 1,
								  0600), NULL), -EFBIG);
	assert_int_equal(load(&o, err, "--pin-file", secret_file("nul", "a\0b", 3, 0600), NULL),
			 -EILSEQ);
	assert_int_equal(load(&o, err, "--pin-file", secret_file("2lines", "a\nb\n", 4, 0600),
			      NULL), -EILSEQ);
	assert_int_equal(o.pin_buf[0], 0);
	if (geteuid() == 0) { /* only root can make a file someone else's */
		const char *f = secret_file("theirs", "s3cret", 6, 0600);
		assert_int_equal(chown(f, 65534, 65534), 0);
		assert_int_equal(load(&o, err, "--pin-file", f, NULL), -EPERM);
		assert_non_null(strstr(err, "another user"));
	} else {
		fail_msg("run as root to test a pin file of another user");
	}
	/* --pin on the command line: bounded and printable */
	memset(big, 'x', CLI_SECRET_MAX + 1);
	big[CLI_SECRET_MAX + 1] = '\0';
	assert_int_equal(load(&o, err, "--pin", big, NULL), -EINVAL);
	assert_int_equal(load(&o, err, "--pin", "", NULL), -EINVAL);
}

static void test_turn_sources(void **state)
{
	struct cli_options o;
	char err[256];

	/* one line, split at the last ':' (REST API user names hold one) */
	const char *f = secret_file("turn", "1700000000:alice:pa55\n", 22, 0600);
	assert_int_equal(load(&o, err, "--turn", "turn:relay.example.org:3478", "--turn-file", f,
			      NULL), 0);
	assert_string_equal(o.turn_url, "turn:relay.example.org:3478");
	assert_string_equal(o.turn_user, "1700000000:alice");
	assert_string_equal(o.turn_pass, "pa55");
	assert_false(o.turn_visible);
	/* two lines: any password */
	f = secret_file("turn2", "bob\r\np:a@ss\n", 12, 0600);
	assert_int_equal(load(&o, err, "--turn", "turns:h", "--turn-file", f, NULL), 0);
	assert_string_equal(o.turn_url, "turns:h");
	assert_string_equal(o.turn_user, "bob");
	assert_string_equal(o.turn_pass, "p:a@ss");
	/* the environment, and the command line over it */
	setenv("TTYMEET_TURN", "envuser:envpass", 1);
	assert_int_equal(load(&o, err, "--turn", "turn:h:3478", NULL), 0);
	assert_string_equal(o.turn_user, "envuser");
	assert_string_equal(o.turn_pass, "envpass");
	assert_int_equal(load(&o, err, "--turn", "turn:h:3478", "--turn-file", f, NULL), 0);
	assert_string_equal(o.turn_user, "bob");
	assert_int_equal(load(&o, err, "--turn", "turn:u:p@h:3478", NULL), 0);
	assert_string_equal(o.turn_url, "turn:h:3478");
	assert_string_equal(o.turn_user, "u");
	assert_string_equal(o.turn_pass, "p");
	assert_true(o.turn_visible);
	setenv("TTYMEET_TURN", "nocolon", 1);
	assert_int_equal(load(&o, err, "--turn", "turn:h", NULL), -EILSEQ);
	unsetenv("TTYMEET_TURN");
	/* no credentials anywhere: a usage error naming the ways to give them */
	assert_int_equal(load(&o, err, "--turn", "turn:h", NULL), -EINVAL);
	assert_non_null(strstr(err, "--turn-file"));
	assert_non_null(strstr(err, "TTYMEET_TURN"));
	/* refused files and contents */
	assert_int_equal(load(&o, err, "--turn", "turn:h", "--turn-file",
			      secret_file("turnopen", "u:p", 3, 0644), NULL), -EACCES);
	assert_int_equal(load(&o, err, "--turn", "turn:h", "--turn-file",
			      secret_file("turnbad", ":p", 2, 0600), NULL), -EILSEQ);
	assert_int_equal(load(&o, err, "--turn", "turn:h", "--turn-file",
			      secret_file("turn3", "u\np\nq", 5, 0600), NULL), -EILSEQ);
	assert_int_equal(o.turn_user[0], 0);
	assert_int_equal(o.turn_pass[0], 0);
	/* TTYMEET_TURN alone, without --turn, is ignored */
	setenv("TTYMEET_TURN", "u:p", 1);
	assert_int_equal(load(&o, err, NULL), 0);
	assert_int_equal(o.turn_user[0], 0);
}

static void test_help_version(void **state)
{
	struct cli_options o;
	char err[256];
	assert_int_equal(parse(&o, err, "--help", NULL), CLI_HELP);
	assert_int_equal(parse(&o, err, "-h", "ws://h/", "1", NULL), CLI_HELP);
	assert_int_equal(parse(&o, err, "--version", NULL), CLI_VERSION);
	assert_int_equal(parse(&o, err, "--list-devices", NULL), CLI_LIST_DEVICES);
	/* getopt state is reset between calls: a second parse sees everything again. */
	assert_int_equal(parse(&o, err, "--headless", "ws://h/", "7", NULL), CLI_RUN);
	assert_true(o.headless);
	assert_int_equal(o.room, 7);
}

static void test_url(void **state)
{
	bool tls;
	char host[64], path[64];
	int port;
	assert_int_equal(ws_parse_url("ws://198.18.0.2:8188/", &tls, host, sizeof(host), &port,
				      path, sizeof(path)), 0);
	assert_false(tls);
	assert_string_equal(host, "198.18.0.2");
	assert_int_equal(port, 8188);
	assert_string_equal(path, "/");
	assert_int_equal(ws_parse_url("wss://example.org/janus?x=1", &tls, host, sizeof(host),
				      &port, path, sizeof(path)), 0);
	assert_true(tls);
	assert_int_equal(port, 443);
	assert_string_equal(path, "/janus?x=1");
	assert_int_equal(ws_parse_url("ws://[::1]:9/", &tls, host, sizeof(host), &port, path,
				      sizeof(path)), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 9);
	assert_int_equal(ws_parse_url("ws://h", &tls, host, sizeof(host), &port, path,
				      sizeof(path)), 0);
	assert_string_equal(path, "/");
	assert_int_equal(port, 80);
	static const char *bad[] = { "", "ws:/h", "wss://", "ws://:80/", "ws://[::1/",
				     "ws://user@h/", "ws://h h/", "ftp://h/", "ws://h:/" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ws_parse_url(bad[i], &tls, host, sizeof(host), &port, path,
					      sizeof(path)), -EINVAL);
}

/* cli_parse then cli_check_local with URL and ROOM appended; err gets the check's line. */
static int check(char *err, ...)
{
	char *argv[64] = { "ttymeet" };
	int argc = 1;
	va_list ap;
	va_start(ap, err);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc++] = "ws://h/";
	argv[argc++] = "1";
	struct cli_options o;
	err[0] = '\0';
	assert_int_equal(cli_parse(argc, argv, &o, err, 256), CLI_RUN);
	return cli_check_local(&o, err, 256);
}

static void expect_in(const char *err, const char *words)
{
	if (!strstr(err, words))
		fail_msg("expected '%s' in '%s'", words, err);
}

static void test_check_local(void **state)
{
	char err[256], p[7][160];
	struct stat st;
	(void)state;
	for (int i = 0; i < 7; i++)
		snprintf(p[i], sizeof(p[i]), "%s/%s", secret_dir,
			 (const char *[]){ "ok.wav", "text.wav", "missing/x.wav", "new.wav", "link",
					   "text.wav/x", "out.json" }[i]);
	struct wav_writer *w;
	int16_t pcm[480] = { 0 };
	assert_int_equal(wav_writer_open(&w, p[0], 48000, 1), 0);
	assert_int_equal(wav_writer_write(w, pcm, 480), 0);
	assert_int_equal(wav_writer_close(w), 0);
	FILE *f = fopen(p[1], "w");
	assert_non_null(f);
	fputs("not audio at all, but long enough to hold a RIFF header's worth\n", f);
	fclose(f);
	assert_int_equal(symlink(p[0], p[4]), 0);

	/* --play: exists, is a file, is a WAV we read */
	assert_int_equal(check(err, "--play", p[0], NULL), 0);
	assert_int_equal(check(err, "--play", p[2], NULL), -ENOENT);
	expect_in(err, "--play");
	expect_in(err, "no such file");
	assert_int_equal(check(err, "--play", p[1], NULL), -EILSEQ);
	expect_in(err, "not a WAV file");
	assert_int_equal(check(err, "--play", secret_dir, NULL), -EISDIR);
	expect_in(err, "folder, not a file");
	/* --record and --log: the folder must exist; the name no folder, link or odd file */
	assert_int_equal(check(err, "--record", p[3], NULL), 0);
	assert_int_equal(lstat(p[3], &st), -1); /* checked, not created */
	assert_int_equal(check(err, "--record", p[2], NULL), -ENOENT);
	expect_in(err, "--record");
	expect_in(err, "/missing does not exist");
	assert_null(strstr(err, "audio device"));
	assert_int_equal(check(err, "--record", p[5], NULL), -ENOTDIR);
	expect_in(err, "text.wav is not a folder");
	assert_int_equal(check(err, "--record", secret_dir, NULL), -ENOTSUP);
	expect_in(err, "it is a folder");
	assert_int_equal(check(err, "--record", p[4], NULL), -ELOOP);
	expect_in(err, "symbolic link");
	assert_int_equal(check(err, "--record", "/dev/null", NULL), -ENOTSUP);
	assert_int_equal(check(err, "--record", p[1], NULL), 0); /* ours: overwritten later */
	assert_int_equal(check(err, "--log", p[2], NULL), -ENOENT);
	expect_in(err, "--log");
	expect_in(err, "does not exist");
	assert_int_equal(check(err, "--log", p[3], NULL), 0);
	/* --report: a folder that takes new files, a name that is no folder */
	assert_int_equal(check(err, "--report", p[6], NULL), 0);
	assert_int_equal(check(err, "--report", p[2], NULL), -ENOENT);
	expect_in(err, "--report");
	assert_int_equal(check(err, "--report", secret_dir, NULL), -ENOTSUP);
	expect_in(err, "it is a folder");
	/* files read: --script, --privacy-notice; a camera that is not there */
	assert_int_equal(check(err, "--script", p[2], NULL), -ENOENT);
	expect_in(err, "--script");
	assert_int_equal(check(err, "--privacy-notice", p[1], NULL), 0);
	assert_int_equal(check(err, "--video-source", "v4l2:/dev/ttm-no-camera", NULL), -ENODEV);
	expect_in(err, "no camera at /dev/ttm-no-camera");
	assert_int_equal(check(err, "--video-source", "testpattern", NULL), 0);
}

/* --chat texts leave argv (blanked there) for a private copy that cli_free_chat wipes. */
static void test_chat_hidden(void **state)
{
	struct cli_options o;
	char err[256];
	char a1[] = "first words", a2[] = "second";
	(void)state;
	assert_int_equal(parse(&o, err, "--chat", a1, "--chat", a2, "ws://h/", "1", NULL),
			 CLI_RUN);
	assert_ptr_equal(o.chat[0], a1);
	assert_int_equal(cli_hide_chat(&o), 0);
	assert_string_equal(o.chat[0], "first words");
	assert_string_equal(o.chat[1], "second");
	assert_ptr_not_equal(o.chat[0], a1);
	for (size_t i = 0; i < sizeof(a1) - 1; i++)
		assert_int_equal(a1[i], 0);
	for (size_t i = 0; i < sizeof(a2) - 1; i++)
		assert_int_equal(a2[i], 0);
	assert_int_equal(cli_hide_chat(&o), 0); /* once is enough: still the copies */
	assert_string_equal(o.chat[1], "second");
	cli_free_chat(&o);
	assert_int_equal(o.n_chat, 0);
	assert_null(o.chat_copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_chat_hidden),
		cmocka_unit_test(test_jitsi),
		cmocka_unit_test_setup_teardown(test_jwt_sources, secrets_setup, secrets_teardown),
		cmocka_unit_test_setup_teardown(test_xmpp_login_sources, secrets_setup, secrets_teardown),
		cmocka_unit_test_setup_teardown(test_pin_sources, secrets_setup, secrets_teardown),
		cmocka_unit_test_setup_teardown(test_pin_file_refused, secrets_setup,
						secrets_teardown),
		cmocka_unit_test_setup_teardown(test_turn_sources, secrets_setup, secrets_teardown),
		cmocka_unit_test_setup_teardown(test_check_local, secrets_setup, secrets_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
