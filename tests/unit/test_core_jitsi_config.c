/* Unit tests for Jitsi links, /config.js read as text and the resolved settings
 * (src/jitsi/config.c). The config.js fixtures are our own, written in the shapes deployments
 * serve: the default file's object literal with comments, commented-out keys and expression
 * values; docker-jitsi-meet's top-level assignments; meet.jit.si-like literals; hostile text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/jitsi/config.h"

static int link_ok(const char *url, struct jitsi_link *l)
{
	char err[256] = "";
	int rc = jitsi_link_parse(url, l, err, sizeof(err));
	if (rc < 0)
		print_message("%s: %s\n", url, err);
	return rc;
}

static void assert_link_refused(const char *url, const char *needle)
{
	struct jitsi_link l;
	char err[256] = "";
	assert_int_equal(jitsi_link_parse(url, &l, err, sizeof(err)), -EINVAL);
	if (!strstr(err, needle))
		fail_msg("'%s': '%s' lacks '%s'", url, err, needle);
}

static void test_link(void **state)
{
	struct jitsi_link l;
	(void)state;
	assert_int_equal(link_ok("https://Meet.Example.org/TeamStandup", &l), 0);
	assert_true(l.tls);
	assert_string_equal(l.host, "meet.example.org");
	assert_int_equal(l.port, 0);
	assert_string_equal(l.room, "teamstandup");
	assert_string_equal(l.origin, "https://meet.example.org");

	assert_int_equal(link_ok("http://10.99.0.1:5280/Lab-Room_1/#config.startWithAudioMuted=true", &l), 0);
	assert_false(l.tls);
	assert_int_equal(l.port, 5280);
	assert_string_equal(l.room, "lab-room_1");
	assert_string_equal(l.origin, "http://10.99.0.1:5280");

	assert_int_equal(link_ok("HTTPS://[fd00::1]:8443/R%C3%A4um?lang=de", &l), 0);
	assert_string_equal(l.host, "[fd00::1]");
	assert_string_equal(l.room, "r\xc3\xa4um"); /* ASCII lowered, UTF-8 kept */

	assert_true(jitsi_is_link("https://x/y"));
	assert_false(jitsi_is_link("wss://x/janus"));
	assert_false(jitsi_is_link("ftp://x/y"));

	assert_link_refused("https://meet.example.org", "names no room");
	assert_link_refused("https://meet.example.org/", "names no room");
	assert_link_refused("https://meet.example.org/#config.x=1", "names no room");
	assert_link_refused("https://meet.example.org/tenant/Room", "tenant");
	assert_link_refused("https://meet.example.org/a%20b", "spaces");
	assert_link_refused("https://meet.example.org/a%00b", "controls");
	assert_link_refused("https://meet.example.org/a%1b[31m", "controls");
	assert_link_refused("https://meet.example.org/a%zz", "%-escape");
	assert_link_refused("https://meet.example.org/a%4", "%-escape");
	assert_link_refused("https://meet.example.org/x@y", "@");
	assert_link_refused("https://bob:pw@meet.example.org/room", "ps");
	assert_link_refused("https://meet.example.org/room?jwt=eyJ.x.y", "--jwt-file");
	assert_link_refused("https://meet.example.org/room?a=1&JWT=eyJ", "--jwt-file");
	assert_link_refused("https://meet.example.org:0/room", "port");
	assert_link_refused("https://meet.example.org:65536/room", "port");
	assert_link_refused("https://meet.example.org:80a/room", "port");
	assert_link_refused("https://meet..example.org/room", "host");
	assert_link_refused("https://me\x1b]0;x\x07/room", "host");
	assert_link_refused("https://[fd00::1/room", "]");
	assert_link_refused("wss://meet.example.org/room", "https://");
	char longroom[400] = "https://h/";
	memset(longroom + 10, 'a', 200);
	assert_link_refused(longroom, "too long");
}

/* The default config.js's shape: an object literal, comments of both kinds, commented-out
 * keys, values built from variables (refused), single and double quotes, trailing commas. */
static const char default_shape[] =
	"/* eslint-disable comma-dangle, no-unused-vars, no-var, prefer-template */\n"
	"var subdir = '<!--# echo var=\"subdir\" default=\"\" -->';\n"
	"var subdomain = \"<!--# echo var='subdomain' default='' -->\";\n"
	"if (subdomain) { subdomain = subdomain.substr(0, subdomain.length - 1).split('.').join('_').toLowerCase() + '.'; }\n"
	"var config = {\n"
	"    // Connection\n"
	"    hosts: {\n"
	"        // XMPP domain.\n"
	"        domain: 'lab.example.net',\n"
	"        // anonymousdomain: 'guest.example.com',\n"
	"        /* focus: 'focus.commented.example', */\n"
	"        // XMPP MUC domain. FIXME: use XEP-0030 to discover it.\n"
	"        muc: 'conference.' + subdomain + 'lab.example.net'\n"
	"    },\n"
	"    bosh: 'https://lab.example.net/' + subdir + 'http-bind',\n"
	"    websocket: 'wss://lab.example.net/' + subdir + 'xmpp-websocket',\n"
	"    testing: { hosts: { domain: 'nested.wrong.example' }, p2pTestMode: false },\n"
	"    p2p: { enabled: true, stunServers: [ { urls: 'stun:meet-jit-si-turnrelay.jitsi.net:443' } ], },\n"
	"    \"flags\": { \"sourceNameSignaling\": true },\n"
	"};\n"
	"/* eslint-enable */\n";

static void test_default_shape(void **state)
{
	struct jitsi_configjs c;
	(void)state;
	jitsi_configjs_parse(default_shape, strlen(default_shape), &c);
	assert_true(c.set[JITSI_KEY_DOMAIN]);
	assert_string_equal(c.value[JITSI_KEY_DOMAIN], "lab.example.net");
	assert_false(c.set[JITSI_KEY_MUC]);
	assert_true(c.refused[JITSI_KEY_MUC]);       /* 'conference.' + subdomain + ... */
	assert_true(c.refused[JITSI_KEY_WEBSOCKET]); /* 'wss://...' + subdir + ... */
	assert_false(c.set[JITSI_KEY_FOCUS]);        /* commented out */
	assert_false(c.refused[JITSI_KEY_FOCUS]);
	assert_false(c.set[JITSI_KEY_ANONDOMAIN]);
	assert_false(c.truncated);

	struct jitsi_link l;
	struct jitsi_settings s;
	char err[256];
	assert_int_equal(link_ok("https://lab.example.net/Daily", &l), 0);
	assert_int_equal(jitsi_settings_resolve(&l, &c, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.domain, "lab.example.net");
	assert_string_equal(s.login_domain, "lab.example.net");
	assert_string_equal(s.muc, "conference.lab.example.net");
	assert_string_equal(s.focus, "focus.lab.example.net");
	assert_string_equal(s.websocket, "wss://lab.example.net/xmpp-websocket?room=daily");
	assert_string_equal(s.room, "daily");
}

/* docker-jitsi-meet's generated file: top-level assignments, one per line, some with ';'. */
static const char docker_shape[] =
	"// Jitsi Meet configuration.\n"
	"var config = {};\n"
	"config.hosts = {};\n"
	"config.hosts.domain = 'meet.jitsi';\n"
	"var subdir = '<!--# echo var=\"subdir\" default=\"\" -->';\n"
	"config.hosts.muc = 'muc.' + subdomain + 'meet.jitsi';\n"
	"config.hosts.muc = \"muc.meet.jitsi\"\n"
	"config.bosh = '/http-bind';\n"
	"config.websocket = 'wss://meet.example.org/xmpp-websocket'\n"
	"config.hosts.anonymousdomain = 'guest.meet.jitsi';\n"
	"if (true) { config.hosts.focus = 'focus.inside-if.example'; }\n"
	"config.hosts.focus == 'not.an.assignment';\n";

static void test_docker_shape(void **state)
{
	struct jitsi_configjs c;
	(void)state;
	jitsi_configjs_parse(docker_shape, strlen(docker_shape), &c);
	assert_string_equal(c.value[JITSI_KEY_DOMAIN], "meet.jitsi");
	assert_true(c.set[JITSI_KEY_MUC]); /* the later literal wins over the refused expression */
	assert_false(c.refused[JITSI_KEY_MUC]);
	assert_string_equal(c.value[JITSI_KEY_MUC], "muc.meet.jitsi");
	assert_string_equal(c.value[JITSI_KEY_WEBSOCKET], "wss://meet.example.org/xmpp-websocket");
	assert_string_equal(c.value[JITSI_KEY_ANONDOMAIN], "guest.meet.jitsi");
	assert_false(c.set[JITSI_KEY_FOCUS]); /* only inside a block, and a comparison */

	struct jitsi_link l;
	struct jitsi_settings s;
	char err[256];
	assert_int_equal(link_ok("https://meet.example.org/Room", &l), 0);
	assert_int_equal(jitsi_settings_resolve(&l, &c, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.domain, "meet.jitsi");
	assert_string_equal(s.login_domain, "guest.meet.jitsi");
	assert_string_equal(s.muc, "muc.meet.jitsi");
	assert_string_equal(s.focus, "focus.meet.jitsi");
	assert_string_equal(s.websocket, "wss://meet.example.org/xmpp-websocket?room=room");
	assert_string_equal(s.auth_domain, "meet.jitsi"); /* no authdomain: the domain */
	assert_string_equal(s.privacy_url, "");
}

/* A secure domain's logins go to hosts.authdomain (guests to anonymousdomain), unless
 * --xmpp-domain says; legalUrls.privacy is taken when it is a plain http(s) URL. */
static void test_authdomain_and_privacy(void **state)
{
	struct jitsi_configjs c;
	struct jitsi_link l;
	struct jitsi_settings s;
	char err[256];
	(void)state;
	static const char t[] =
		"var config = { hosts: { domain: 'meet.example', anonymousdomain: 'guest.meet.example',"
		" authdomain: 'auth.meet.example' },\n legalUrls: { helpCentre: 'https://h.example/',"
		" privacy: 'https://meet.example/privacy?x=1', terms: 'https://t.example/' } };";
	jitsi_configjs_parse(t, strlen(t), &c);
	assert_string_equal(c.value[JITSI_KEY_AUTHDOMAIN], "auth.meet.example");
	assert_string_equal(c.value[JITSI_KEY_PRIVACY], "https://meet.example/privacy?x=1");
	assert_int_equal(link_ok("https://meet.example/Room", &l), 0);
	assert_int_equal(jitsi_settings_resolve(&l, &c, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.login_domain, "guest.meet.example");
	assert_string_equal(s.auth_domain, "auth.meet.example");
	assert_string_equal(s.privacy_url, "https://meet.example/privacy?x=1");
	assert_string_equal(s.hidden_domain, "");
	/* hiddenDomain: where recorders log in, a host name or nothing */
	static const char h[] = "var config = { hosts: { domain: 'meet.example' },"
				" hiddenDomain: 'recorder.meet.example' };";
	jitsi_configjs_parse(h, strlen(h), &c);
	assert_int_equal(jitsi_settings_resolve(&l, &c, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.hidden_domain, "recorder.meet.example");
	static const char hb[] = "var config = { hiddenDomain: 'rec meet' };";
	jitsi_configjs_parse(hb, strlen(hb), &c);
	assert_true(c.refused[JITSI_KEY_HIDDEN]);
	assert_int_equal(jitsi_settings_resolve(&l, &c, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.hidden_domain, "");
	jitsi_configjs_parse(t, strlen(t), &c);
	const struct jitsi_overrides ov = { .domain = "other.example" };
	assert_int_equal(jitsi_settings_resolve(&l, &c, &ov, &s, err, sizeof(err)), 0);
	assert_string_equal(s.auth_domain, "other.example");
	/* a privacy link that is not a plain http(s) URL is refused, never shown */
	static const char *const bad[] = {
		"var config = { legalUrls: { privacy: 'javascript:alert(1)' } };",
		"var config = { legalUrls: { privacy: 'https://x.example/\x1b[2J' } };",
		"var config = { legalUrls: { privacy: 'https://x.example/a b' } };",
		"var config = { legalUrls: { privacy: 'https://' + host + '/p' } };",
		"var config = { legalUrls: { privacy: 'https:///nohost' } };",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		jitsi_configjs_parse(bad[i], strlen(bad[i]), &c);
		assert_false(c.set[JITSI_KEY_PRIVACY]);
		assert_true(c.refused[JITSI_KEY_PRIVACY]);
	}
}

static void test_literals_and_refusals(void **state)
{
	struct jitsi_configjs c;
	(void)state;
	static const char t1[] =
		"var config = { hosts: { domain: \"meet.example\", 'muc': `conference.meet.example`,"
		" focus: `focus.${domain}` }, websocket: '//meet.example/xmpp-websocket?x=1' }";
	jitsi_configjs_parse(t1, strlen(t1), &c);
	assert_string_equal(c.value[JITSI_KEY_DOMAIN], "meet.example");
	assert_string_equal(c.value[JITSI_KEY_MUC], "conference.meet.example");
	assert_true(c.refused[JITSI_KEY_FOCUS]); /* a template substitution */
	assert_string_equal(c.value[JITSI_KEY_WEBSOCKET], "//meet.example/xmpp-websocket?x=1");
	struct jitsi_link l;
	struct jitsi_settings s;
	char err[256];
	assert_int_equal(link_ok("http://meet.example/R?x#y", &l), 0);
	assert_int_equal(jitsi_settings_resolve(&l, &c, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.websocket, "ws://meet.example/xmpp-websocket?x=1&room=r");

	/* values that are not host names or ws URLs, escapes, shorthand properties, calls */
	static const char t2[] =
		"var domain = 'x';\n"
		"var config = { hosts: { domain, muc: 'bad host\\u0041', focus: 'a\\x1b[31m',"
		" anonymousdomain: get('x') }, websocket: 'https://not-a-ws.example/' };\n"
		"window.config.hosts.muc = 'muc.window.example';";
	jitsi_configjs_parse(t2, strlen(t2), &c);
	assert_false(c.set[JITSI_KEY_DOMAIN]);
	assert_true(c.refused[JITSI_KEY_MUC] || c.set[JITSI_KEY_MUC]);
	assert_string_equal(c.value[JITSI_KEY_MUC], "muc.window.example"); /* the later line */
	assert_true(c.refused[JITSI_KEY_FOCUS]);
	assert_true(c.refused[JITSI_KEY_ANONDOMAIN]);
	assert_true(c.refused[JITSI_KEY_WEBSOCKET]);

	/* a ternary, a terminal escape in a value, an unterminated string, an open comment */
	static const char t3[] =
		"config.websocket = cond ? 'wss://a.example/x' : 'wss://b.example/x';\n"
		"config.hosts.domain = 'evil\x1b]52;c;AAAA\x07.example';\n"
		"config.hosts.muc = 'conference.ok.example\n"
		"config.hosts.focus = 'focus.ok.example'; /* never closed";
	jitsi_configjs_parse(t3, strlen(t3), &c);
	assert_true(c.refused[JITSI_KEY_WEBSOCKET]);
	assert_true(c.refused[JITSI_KEY_DOMAIN]);
	assert_true(c.refused[JITSI_KEY_MUC]);
	assert_string_equal(c.value[JITSI_KEY_FOCUS], "focus.ok.example");
}

static void test_bounds(void **state)
{
	struct jitsi_configjs c;
	(void)state;
	/* nesting far past the bound, then a closing run: nothing is recorded from inside */
	size_t n = 20000;
	char *deep = malloc(3 * n + 200);
	assert_non_null(deep);
	size_t o = 0;
	o += (size_t)sprintf(deep, "var config = ");
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(deep + o, "{a:");
	o += (size_t)sprintf(deep + o, "{hosts:{domain:'deep.example'}}");
	jitsi_configjs_parse(deep, o, &c);
	assert_false(c.set[JITSI_KEY_DOMAIN]);
	free(deep);

	/* a value longer than a URL may be */
	char big[2000];
	o = (size_t)sprintf(big, "config.websocket = 'wss://");
	memset(big + o, 'a', 1000);
	o += 1000;
	o += (size_t)sprintf(big + o, "';");
	jitsi_configjs_parse(big, o, &c);
	assert_true(c.refused[JITSI_KEY_WEBSOCKET]);

	/* a file longer than the bound: the rest is not read */
	size_t len = JITSI_CONFIGJS_MAX + 100;
	char *huge = malloc(len);
	assert_non_null(huge);
	memset(huge, ' ', len);
	memcpy(huge + len - 40, "config.hosts.domain='late.example';", 35);
	jitsi_configjs_parse(huge, len, &c);
	assert_true(c.truncated);
	assert_false(c.set[JITSI_KEY_DOMAIN]);
	free(huge);

	/* NUL bytes inside a string */
	static const char nul[] = "config.hosts.domain='a\0b.example';";
	jitsi_configjs_parse(nul, sizeof(nul) - 1, &c);
	assert_false(c.set[JITSI_KEY_DOMAIN]);
	jitsi_configjs_parse(NULL, 0, &c);
	assert_false(c.set[JITSI_KEY_DOMAIN]);
}

static void test_resolve(void **state)
{
	struct jitsi_link l;
	struct jitsi_settings s;
	char err[256] = "";
	(void)state;
	/* no config.js: Jitsi's defaults from the link */
	assert_int_equal(link_ok("https://meet.example.org:8443/My.Room", &l), 0);
	assert_int_equal(jitsi_settings_resolve(&l, NULL, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.websocket, "wss://meet.example.org:8443/xmpp-websocket?room=my.room");
	assert_string_equal(s.domain, "meet.example.org");
	assert_string_equal(s.muc, "conference.meet.example.org");
	assert_string_equal(s.focus, "focus.meet.example.org");

	/* overrides win over config.js */
	struct jitsi_configjs c;
	static const char cj[] = "var config={hosts:{domain:'cfg.example',muc:'m.cfg.example'},websocket:'wss://cfg.example/ws'}";
	jitsi_configjs_parse(cj, strlen(cj), &c);
	struct jitsi_overrides ov = { .websocket = "ws://10.99.0.1:5280/xmpp-websocket",
				      .domain = "localhost", .focus = "focus.localhost" };
	assert_int_equal(jitsi_settings_resolve(&l, &c, &ov, &s, err, sizeof(err)), 0);
	assert_string_equal(s.websocket, "ws://10.99.0.1:5280/xmpp-websocket?room=my.room");
	assert_string_equal(s.domain, "localhost");
	assert_string_equal(s.login_domain, "localhost");
	assert_string_equal(s.muc, "m.cfg.example");
	assert_string_equal(s.focus, "focus.localhost");

	/* a room outside the unreserved set is percent-encoded in ?room= */
	assert_int_equal(link_ok("https://h.example/Caf%C3%A9+1", &l), 0);
	assert_int_equal(jitsi_settings_resolve(&l, NULL, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.websocket, "wss://h.example/xmpp-websocket?room=caf%C3%A9%2B1");

	/* bad overrides, and an IPv6 host without --xmpp-domain */
	ov = (struct jitsi_overrides){ .muc = "bad muc" };
	assert_int_equal(jitsi_settings_resolve(&l, NULL, &ov, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--xmpp-muc"));
	ov = (struct jitsi_overrides){ .websocket = "https://h.example/xmpp-websocket" };
	assert_int_equal(jitsi_settings_resolve(&l, NULL, &ov, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--xmpp-websocket"));
	assert_int_equal(link_ok("http://[fd00::1]:5280/room", &l), 0);
	assert_int_equal(jitsi_settings_resolve(&l, NULL, NULL, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--xmpp-domain"));
	ov = (struct jitsi_overrides){ .domain = "localhost" };
	assert_int_equal(jitsi_settings_resolve(&l, NULL, &ov, &s, err, sizeof(err)), 0);
	assert_string_equal(s.websocket, "ws://[fd00::1]:5280/xmpp-websocket?room=room");
	assert_string_equal(s.muc, "conference.localhost");

	/* an https:// link whose config.js names ws://: refused (the notice promised
	 * encryption), unless the user gives the WebSocket */
	static const char plain[] = "config.websocket = 'ws://meet.example.org/xmpp-websocket';";
	jitsi_configjs_parse(plain, strlen(plain), &c);
	assert_int_equal(link_ok("https://meet.example.org/r", &l), 0);
	assert_int_equal(jitsi_settings_resolve(&l, &c, NULL, &s, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "unencrypted"));
	ov = (struct jitsi_overrides){ .websocket = "ws://meet.example.org/xmpp-websocket" };
	assert_int_equal(jitsi_settings_resolve(&l, &c, &ov, &s, err, sizeof(err)), 0);
	assert_int_equal(link_ok("http://meet.example.org/r", &l), 0);
	assert_int_equal(jitsi_settings_resolve(&l, &c, NULL, &s, err, sizeof(err)), 0);

	assert_true(jitsi_valid_host("a-b.c_d.example"));
	assert_false(jitsi_valid_host("a..b"));
	assert_false(jitsi_valid_host(".a"));
	assert_false(jitsi_valid_host("a."));
	assert_false(jitsi_valid_host(""));
	assert_false(jitsi_valid_ws_url("wss:///x"));
	assert_false(jitsi_valid_ws_url("wss://a b/x"));
	assert_true(jitsi_valid_ws_url("wss://a.example:443/xmpp-websocket?a=b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_default_shape),
		cmocka_unit_test(test_docker_shape),
		cmocka_unit_test(test_authdomain_and_privacy),
		cmocka_unit_test(test_literals_and_refusals),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
