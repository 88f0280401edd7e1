/* Unit tests for command-line parsing (src/cli.c) and URL splitting (net/ws.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/ws.h"
#include "src/cli.h"

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
	assert_string_equal(o.pin, "s3cret");
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
	expect_usage("missing URL", "ws://h/", NULL);
	expect_usage("too many", "ws://h/", "1", "2", NULL);
	expect_usage("not a ws://", "http://h/", "1", NULL);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
