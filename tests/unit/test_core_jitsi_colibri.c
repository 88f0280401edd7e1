/* Unit tests for the bridge channel's messages (src/jitsi/colibri.c): the bridge's messages
 * in the fixtures (tests/fixtures/colibri/, 2021 and 2024+ shapes) read into the right kind
 * and fields; hostile ones (not JSON, wrong types, ids with escapes or blanks, too long,
 * duplicate keys, too big) refused whole; our ReceiverVideoConstraints in both namings, with
 * and without a stage, also with jansson on another allocator (as the program's locked pool);
 * the colibri-ws URL found in a session-initiate and checked. */
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/jitsi/colibri.h"
#include "src/jitsi/xml.h"
#include "tests/unit/fixture.h"

static enum jcolibri_kind parse_fixture(const char *name, struct jcolibri_msg *m)
{
	const char *t = fixture_read("colibri", name);
	return jcolibri_parse(t, strlen(t), m);
}

static enum jcolibri_kind parse_str(const char *t, struct jcolibri_msg *m)
{
	return jcolibri_parse(t, strlen(t), m);
}

static void test_fixtures(void **state)
{
	(void)state;
	static struct jcolibri_msg m;
	assert_int_equal(parse_fixture("server-hello.json", &m), JCOLIBRI_MSG_HELLO);
	assert_string_equal(m.id, "2.3.999-gabcdef");
	assert_int_equal(parse_fixture("server-hello-noversion.json", &m), JCOLIBRI_MSG_HELLO);
	assert_string_equal(m.id, "");

	assert_int_equal(parse_fixture("dominant-2024.json", &m), JCOLIBRI_MSG_DOMINANT);
	assert_string_equal(m.id, "9a93911b");
	assert_false(m.silence);
	assert_int_equal(parse_fixture("dominant-2021.json", &m), JCOLIBRI_MSG_DOMINANT);
	assert_string_equal(m.id, "9a93911b");
	assert_false(m.silence);
	assert_int_equal(parse_fixture("dominant-silence.json", &m), JCOLIBRI_MSG_DOMINANT);
	assert_true(m.silence);

	assert_int_equal(parse_fixture("connectivity.json", &m), JCOLIBRI_MSG_CONNECTIVITY);
	assert_string_equal(m.id, "c0ffee01");
	assert_false(m.active);
	assert_int_equal(parse_str("{\"colibriClass\":\"EndpointConnectivityStatusChangeEvent\","
				   "\"endpoint\":\"c0ffee01\",\"active\":\"true\"}", &m),
			 JCOLIBRI_MSG_CONNECTIVITY);
	assert_true(m.active);

	assert_int_equal(parse_fixture("forwarded-sources.json", &m), JCOLIBRI_MSG_FORWARDED);
	assert_true(m.by_source);
	assert_int_equal(m.n_ids, 2);
	assert_string_equal(m.ids[0], "9a93911b-v0");
	assert_string_equal(m.ids[1], "c0ffee01-v0");
	assert_false(m.truncated);
	assert_int_equal(parse_fixture("lastn-endpoints-2021.json", &m), JCOLIBRI_MSG_FORWARDED);
	assert_false(m.by_source);
	assert_int_equal(m.n_ids, 1);
	assert_string_equal(m.ids[0], "9a93911b");
	assert_int_equal(parse_str("{\"colibriClass\":\"ForwardedSources\",\"forwardedSources\":[]}",
				   &m), JCOLIBRI_MSG_FORWARDED);
	assert_int_equal(m.n_ids, 0);

	assert_int_equal(parse_fixture("endpoint-message.json", &m), JCOLIBRI_MSG_ENDPOINT);
	assert_int_equal(parse_fixture("sender-constraints.json", &m), JCOLIBRI_MSG_OTHER);
	assert_int_equal(parse_fixture("video-sources-map.json", &m), JCOLIBRI_MSG_OTHER);
}

static void test_hostile(void **state)
{
	(void)state;
	static struct jcolibri_msg m;
	static const char *bad[] = {
		"",
		"not json",
		"[\"colibriClass\"]",
		"\"ServerHello\"",
		"{}",
		"{\"colibriClass\":42}",
		"{\"colibriClass\":null}",
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\"}",
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\",\"dominantSpeakerEndpoint\":7}",
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\",\"dominantSpeakerEndpoint\":\"\"}",
		/* terminal escapes, blanks, non-ASCII, an embedded NUL */
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
		"\"dominantSpeakerEndpoint\":\"\\u001b]52;c;aGk=\\u0007\"}",
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\",\"dominantSpeakerEndpoint\":\"a b\"}",
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\",\"dominantSpeakerEndpoint\":\"\\u00e9\"}",
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\",\"dominantSpeakerEndpoint\":\"\\u009b2J\"}",
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\",\"dominantSpeakerEndpoint\":\"a\\u0000b\"}",
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\",\"dominantSpeakerEndpoint\":\"x\","
		"\"silence\":\"yes\"}",
		/* duplicate keys: which one would count? */
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\",\"dominantSpeakerEndpoint\":\"a\","
		"\"dominantSpeakerEndpoint\":\"b\"}",
		"{\"colibriClass\":\"EndpointConnectivityStatusChangeEvent\",\"endpoint\":\"a\"}",
		"{\"colibriClass\":\"EndpointConnectivityStatusChangeEvent\",\"endpoint\":\"a\",\"active\":\"maybe\"}",
		"{\"colibriClass\":\"EndpointConnectivityStatusChangeEvent\",\"endpoint\":[],\"active\":true}",
		"{\"colibriClass\":\"ForwardedSources\",\"forwardedSources\":\"a-v0\"}",
		"{\"colibriClass\":\"ForwardedSources\",\"forwardedSources\":[\"a-v0\",1]}",
		"{\"colibriClass\":\"ForwardedSources\",\"forwardedSources\":[\"a-v0\",\"\\u001b[2J\"]}",
		"{\"colibriClass\":\"ForwardedSources\"}",
		"{\"colibriClass\":\"LastNEndpointsChangeEvent\",\"forwardedSources\":[\"a\"]}",
		"{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\",\"dominantSpeakerEndpoint\":\"a\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_str(bad[i], &m) != JCOLIBRI_MSG_INVALID)
			fail_msg("taken: %s", bad[i]);
		assert_string_equal(m.id, "");
		assert_int_equal(m.n_ids, 0);
	}
	/* an id as long as allowed is taken; one byte more is not */
	char id[JCOLIBRI_ID_MAX + 1], text[512];
	memset(id, 'a', JCOLIBRI_ID_MAX - 1);
	id[JCOLIBRI_ID_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
		 "\"dominantSpeakerEndpoint\":\"%s\"}", id);
	assert_int_equal(parse_str(text, &m), JCOLIBRI_MSG_DOMINANT);
	assert_string_equal(m.id, id);
	strcat(id, "a");
	snprintf(text, sizeof(text), "{\"colibriClass\":\"DominantSpeakerEndpointChangeEvent\","
		 "\"dominantSpeakerEndpoint\":\"%s\"}", id);
	assert_int_equal(parse_str(text, &m), JCOLIBRI_MSG_INVALID);
	/* a message over JCOLIBRI_MSG_MAX is refused before parsing */
	size_t big = JCOLIBRI_MSG_MAX + 64;
	char *t = malloc(big + 1);
	assert_non_null(t);
	int n = snprintf(t, big + 1, "{\"colibriClass\":\"ServerHello\",\"pad\":\"");
	memset(t + n, 'x', big - (size_t)n - 2);
	memcpy(t + big - 2, "\"}", 3);
	assert_int_equal(jcolibri_parse(t, big, &m), JCOLIBRI_MSG_INVALID);
	free(t);
	/* too many forwarded sources: the first JCOLIBRI_LIST_MAX, marked cut */
	GString *g = g_string_new("{\"colibriClass\":\"ForwardedSources\",\"forwardedSources\":[");
	for (int i = 0; i < JCOLIBRI_LIST_MAX + 5; i++)
		g_string_append_printf(g, "%s\"e%d-v0\"", i ? "," : "", i);
	g_string_append(g, "]}");
	assert_int_equal(parse_str(g->str, &m), JCOLIBRI_MSG_FORWARDED);
	assert_int_equal(m.n_ids, JCOLIBRI_LIST_MAX);
	assert_true(m.truncated);
	assert_string_equal(m.ids[JCOLIBRI_LIST_MAX - 1], "e63-v0");
	g_string_free(g, TRUE);
	/* not NUL-terminated: only len bytes are read */
	const char *two = "{\"colibriClass\":\"ServerHello\"}garbage";
	assert_int_equal(jcolibri_parse(two, 30, &m), JCOLIBRI_MSG_HELLO);
}

/* Our message parsed back with jansson. */
static json_t *constraints(const struct jcolibri_params *p, const char *stage, const char *src)
{
	char out[1024];
	int n = jcolibri_constraints(p, stage, src, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(out));
	json_t *o = json_loads(out, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "colibriClass")),
			    "ReceiverVideoConstraints");
	return o;
}

static int height_of(json_t *o)
{
	assert_true(json_is_object(o));
	assert_int_equal(json_object_size(o), 1);
	return (int)json_integer_value(json_object_get(o, "maxHeight"));
}

static void test_constraints(void **state)
{
	(void)state;
	struct jcolibri_params p = { .last_n = 1, .max_height = 180, .naming = JCOLIBRI_SOURCES };
	/* nobody on stage: the bridge picks by speech; the lists are sent empty so an older
	 * stage is cleared */
	json_t *o = constraints(&p, NULL, NULL);
	assert_int_equal(json_integer_value(json_object_get(o, "lastN")), 1);
	assert_int_equal(height_of(json_object_get(o, "defaultConstraints")), 180);
	assert_int_equal(json_array_size(json_object_get(o, "onStageSources")), 0);
	assert_true(json_is_array(json_object_get(o, "onStageSources")));
	assert_int_equal(json_object_size(json_object_get(o, "constraints")), 0);
	assert_null(json_object_get(o, "onStageEndpoints")); /* a 2024+ bridge would drop it */
	assert_int_equal(json_object_size(o), 5);
	json_decref(o);
	/* on stage, source name derived, then given */
	o = constraints(&p, "9a93911b", NULL);
	json_t *st = json_object_get(o, "onStageSources");
	assert_int_equal(json_array_size(st), 1);
	assert_string_equal(json_string_value(json_array_get(st, 0)), "9a93911b-v0");
	assert_int_equal(height_of(json_object_get(json_object_get(o, "constraints"), "9a93911b-v0")),
			 180);
	json_decref(o);
	o = constraints(&p, "9a93911b", "9a93911b-v1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "onStageSources"), 0)),
			    "9a93911b-v1");
	assert_non_null(json_object_get(json_object_get(o, "constraints"), "9a93911b-v1"));
	json_decref(o);
	/* 2021 naming: endpoints, the source ignored */
	p.naming = JCOLIBRI_ENDPOINTS;
	p.last_n = -1;
	p.max_height = 90;
	o = constraints(&p, "9a93911b", "9a93911b-v1");
	assert_int_equal(json_integer_value(json_object_get(o, "lastN")), -1);
	assert_null(json_object_get(o, "onStageSources"));
	st = json_object_get(o, "onStageEndpoints");
	assert_string_equal(json_string_value(json_array_get(st, 0)), "9a93911b");
	assert_int_equal(height_of(json_object_get(json_object_get(o, "constraints"), "9a93911b")), 90);
	assert_int_equal(height_of(json_object_get(o, "defaultConstraints")), 90);
	json_decref(o);
	/* ids that need JSON escaping cannot be ids at all; quotes are printable, so escaped */
	p.naming = JCOLIBRI_SOURCES;
	o = constraints(&p, "a\"b\\c", NULL);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "onStageSources"), 0)),
			    "a\"b\\c-v0");
	json_decref(o);
	char out[1024];
	assert_int_equal(jcolibri_constraints(&p, "a b", NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(jcolibri_constraints(&p, "a\x1b[2J", NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(jcolibri_constraints(&p, "ok", "bad src", out, sizeof(out)), -EINVAL);
	char id[JCOLIBRI_ID_MAX];
	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	/* the endpoint fits, "<endpoint>-v0" does not */
	assert_int_equal(jcolibri_constraints(&p, id, NULL, out, sizeof(out)), -EINVAL);
	assert_true(jcolibri_constraints(&p, id, "a-v0", out, sizeof(out)) > 0);
	struct jcolibri_params q = p;
	q.last_n = -2;
	assert_int_equal(jcolibri_constraints(&q, NULL, NULL, out, sizeof(out)), -EINVAL);
	q = p;
	q.max_height = JCOLIBRI_HEIGHT_MAX + 1;
	assert_int_equal(jcolibri_constraints(&q, NULL, NULL, out, sizeof(out)), -EINVAL);
	q = p;
	q.naming = (enum jcolibri_naming)7;
	assert_int_equal(jcolibri_constraints(&q, NULL, NULL, out, sizeof(out)), -EINVAL);
	char small[32];
	assert_int_equal(jcolibri_constraints(&p, NULL, NULL, small, sizeof(small)), -ENOSPC);
	assert_string_equal(small, "");
}

/* The program gives jansson its locked pool (src/secmem.h), whose blocks free() must never
 * see: here an allocator whose blocks start 16 bytes into malloc's, so that free() of one
 * aborts. jcolibri_constraints once free()d json_dumps' text and the real program died at its
 * first channel open (integ_jitsi_colibri found it). */
static unsigned pool_live;

static void *pool_alloc(size_t n)
{
	unsigned char *p = malloc(n + 16);
	if (!p)
		return NULL;
	pool_live++;
	return p + 16;
}

static void pool_free(void *p)
{
	if (!p)
		return;
	pool_live--;
	free((unsigned char *)p - 16);
}

static void test_constraints_pool(void **state)
{
	(void)state;
	struct jcolibri_params p = { .last_n = 1, .max_height = 180, .naming = JCOLIBRI_SOURCES };
	char out[1024], small[32];
	json_set_alloc_funcs(pool_alloc, pool_free);
	int n = jcolibri_constraints(&p, "9a93911b", NULL, out, sizeof(out));
	int m = jcolibri_constraints(&p, NULL, NULL, small, sizeof(small));
	unsigned live = pool_live;
	json_set_alloc_funcs(malloc, free);
	assert_int_equal(live, 0); /* everything given back, to the pool */
	assert_true(n > 0 && (size_t)n == strlen(out));
	assert_non_null(strstr(out, "\"onStageSources\":[\"9a93911b-v0\"]"));
	assert_int_equal(m, -ENOSPC);
	assert_string_equal(small, "");
}

static void test_url(void **state)
{
	(void)state;
	static const char *good[] = {
		"wss://meet.example:443/colibri-ws/default-id/4f9cb343985d4779/c814b6a6?pwd=23btmrjol5i83thk1t9s78bnkk",
		"ws://127.0.0.1:8080/colibri-ws/jvb1/conf/ep?pwd=x",
		"wss://[2001:db8::1]/colibri-ws/a/b/c",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(jcolibri_url_check(good[i]), 0);
	static const char *bad[] = {
		NULL, "", "https://meet.example/colibri-ws/a/b/c", "file:///etc/passwd",
		"javascript:alert(1)", "wss://", "wss:///path", "wss://user@evil.example/x",
		"wss://meet.example:0/x", "wss://meet.example:99999/x", "wss://meet.example:44a/x",
		"wss://meet.example/a b", "wss://meet.example/a\r\nHost: evil", "wss://meet.example/\x1b[2J",
		"wss://m\xc3\xa9" "et.example/x", "WSS://meet.example/x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (jcolibri_url_check(bad[i]) != -EINVAL)
			fail_msg("taken: %s", bad[i] ? bad[i] : "(null)");
	/* bounded: the whole URL under JCOLIBRI_URL_MAX, its path under net/ws.c's 256 */
	char u[JCOLIBRI_URL_MAX + 8];
	snprintf(u, sizeof(u), "wss://meet.example/");
	memset(u + strlen(u), 'a', 200);
	u[19 + 200] = '\0';
	assert_int_equal(jcolibri_url_check(u), 0);
	memset(u + 19, 'a', 300);
	u[19 + 300] = '\0';
	assert_int_equal(jcolibri_url_check(u), -EINVAL);
}

static void test_url_from_jingle(void **state)
{
	(void)state;
	char err[128], url[JCOLIBRI_URL_MAX];
	struct xml_doc *d;
	/* the lab's session-initiate has no web-socket: none */
	const char *fx = fixture_read("jingle", "focus-session-initiate.xml");
	assert_int_equal(xml_parse(fx, strlen(fx), &d, err, sizeof(err)), 0);
	const struct xml_node *j = xml_child(xml_root(d), "urn:xmpp:jingle:1", "jingle");
	assert_non_null(j);
	assert_int_equal(jcolibri_url_from_jingle(j, url, sizeof(url)), -ENOENT);
	assert_string_equal(url, "");
	xml_free(d);
	/* as jicofo sends it: one in each content's transport (an unusable one first, in
	 * another namespace one that does not count) */
	const char *si =
		"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'>"
		"<content name='audio'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' "
		"ufrag='u' pwd='p'><web-socket xmlns='urn:example' url='ws://wrong.example/x'/>"
		"<web-socket xmlns='http://jitsi.org/protocol/colibri' url='ftp://bad.example/x'/>"
		"</transport></content>"
		"<content name='video'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' "
		"ufrag='u' pwd='p'><web-socket xmlns='http://jitsi.org/protocol/colibri' "
		"url='wss://jvb.example:443/colibri-ws/default-id/255b0900f17cdd9e/63653b5f?pwd=p'/>"
		"<rtcp-mux/></transport></content></jingle>";
	assert_int_equal(xml_parse(si, strlen(si), &d, err, sizeof(err)), 0);
	assert_int_equal(jcolibri_url_from_jingle(xml_root(d), url, sizeof(url)), 0);
	assert_string_equal(url, "wss://jvb.example:443/colibri-ws/default-id/255b0900f17cdd9e/63653b5f?pwd=p");
	char small[16];
	assert_int_equal(jcolibri_url_from_jingle(xml_root(d), small, sizeof(small)), -ENOSPC);
	xml_free(d);
	const char *only_bad =
		"<jingle xmlns='urn:xmpp:jingle:1'><content name='audio'>"
		"<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>"
		"<web-socket xmlns='http://jitsi.org/protocol/colibri' url='wss://a.example/&#10;x'/>"
		"<web-socket xmlns='http://jitsi.org/protocol/colibri'/>"
		"</transport></content></jingle>";
	assert_int_equal(xml_parse(only_bad, strlen(only_bad), &d, err, sizeof(err)), 0);
	assert_int_equal(jcolibri_url_from_jingle(xml_root(d), url, sizeof(url)), -EINVAL);
	assert_string_equal(url, "");
	xml_free(d);
	assert_int_equal(jcolibri_url_from_jingle(NULL, url, sizeof(url)), -ENOENT);
}

static void test_ids(void **state)
{
	(void)state;
	assert_true(jcolibri_id_ok("9a93911b"));
	assert_true(jcolibri_id_ok("SIP_e717jap0"));
	assert_false(jcolibri_id_ok(NULL));
	assert_false(jcolibri_id_ok(""));
	assert_false(jcolibri_id_ok("a\tb"));
	assert_false(jcolibri_id_ok("a\x7f"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_constraints),
		cmocka_unit_test(test_constraints_pool),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_url_from_jingle),
		cmocka_unit_test(test_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
