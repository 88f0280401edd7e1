/* Unit tests for Jingle ↔ SDP (src/jitsi/jingle.c) on stanzas a real Jitsi client accepted or
 * sent in the lab (tests/fixtures/jingle/): a stand-in focus's session-initiate becomes an SDP
 * offer our parser takes, with every field where it belongs; our answer to it becomes a
 * session-accept that translates back to the same transport, codecs and sources; a browser's
 * P2P offer (many codecs, RED's nameless parameter, senders='responder') and its trickled
 * candidates; the sources and their owners, as XML and as Jitsi's JSON (json-message: a
 * session-initiate, source-add and source-remove built from jicofo's format, and hostile or
 * oversized JSON refused whole); hostile values (line breaks, blanks, numbers out of range,
 * missing parts) refused with no half-written output; escaping; a small buffer; our
 * session-terminate (reasons of XEP-0166 only, text escaped); every action's name, and the
 * error answers as XEP-0166 gives them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/sdp.h"
#include "src/jitsi/jingle.h"
#include "src/jitsi/xml.h"
#include "tests/unit/fixture.h"

#define FP_HEX "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"
#define OUR_FP "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00"

/* Parses text and returns its <jingle> (the root, or the root's child). */
static const struct xml_node *jingle_of(const char *text, struct xml_doc **doc)
{
	char err[200];
	if (xml_parse(text, strlen(text), doc, err, sizeof(err)) < 0)
		fail_msg("XML: %s", err);
	const struct xml_node *r = xml_root(*doc);
	if (xml_is(r, NS_JINGLE, "jingle"))
		return r;
	const struct xml_node *j = xml_child(r, NS_JINGLE, "jingle");
	assert_non_null(j);
	return j;
}

static struct sdp_session *sdp_of(const char *text)
{
	struct sdp_session *s;
	assert_int_equal(sdp_session_create(&s), 0);
	int rc = sdp_parse(text, strlen(text), s);
	if (rc < 0)
		fail_msg("SDP refused (%d):\n%s", rc, text);
	return s;
}

struct seen {
	unsigned n;
	uint32_t ssrc;
	char owner[JINGLE_OWNER_MAX], name[JINGLE_SOURCE_NAME_MAX];
};

static void on_src(void *u, const struct jingle_source *src)
{
	struct seen *seen = u;
	seen->n++;
	seen->ssrc = src->ssrc;
	strcpy(seen->owner, src->owner);
	strcpy(seen->name, src->name);
}

static void test_focus_offer(void **state)
{
	(void)state;
	struct xml_doc *d;
	const struct xml_node *j =
		jingle_of(fixture_read("jingle", "focus-session-initiate.xml"), &d);
	assert_int_equal(jingle_action_of(j), JINGLE_SESSION_INITIATE);
	static char sdp[65536];
	char err[200] = "";
	int n = jingle_to_sdp(j, sdp, sizeof(sdp), err, sizeof(err));
	if (n <= 0)
		fail_msg("jingle_to_sdp: %d %s", n, err);
	assert_int_equal((size_t)n, strlen(sdp));
	struct sdp_session *s = sdp_of(sdp);
	assert_int_equal(s->n_media, 2);
	assert_int_equal(s->n_bundle, 2); /* the group came after the contents */
	assert_string_equal(s->bundle[0], "audio");
	assert_string_equal(s->bundle[1], "video");
	const struct sdp_media *a = &s->media[0], *v = &s->media[1];
	assert_int_equal(a->kind, SDP_KIND_AUDIO);
	assert_string_equal(a->mid, "audio");
	assert_int_equal(a->dir, SDP_DIR_SENDRECV);
	assert_true(a->rtcp_mux);
	assert_string_equal(a->ice_ufrag, "stnd");
	assert_string_equal(a->ice_pwd, "standinpassword0123456789");
	assert_string_equal(a->fp.alg, "sha-256");
	assert_int_equal(a->fp.len, 32);
	assert_int_equal(a->fp.bytes[0], 0xAB);
	assert_int_equal(a->setup, SDP_SETUP_ACTPASS);
	int mline = -1;
	assert_int_equal(sdp_opus_pt(s, &mline), 111);
	assert_int_equal(mline, 0);
	const struct sdp_codec *opus = sdp_codec_by_pt(s, a, 111);
	assert_int_equal(opus->channels, 2);
	assert_non_null(strstr(opus->fmtp, "useinbandfec=1"));
	assert_non_null(strstr(opus->fmtp, "minptime=10"));
	assert_int_equal(sdp_extmap_id(a, SDP_URI_AUDIO_LEVEL), 1);
	assert_int_equal(a->n_cands, 1);
	const struct sdp_candidate *c = sdp_media_cand(s, a, 0);
	assert_string_equal(c->address, "127.0.0.1");
	assert_int_equal(c->port, 10000);
	assert_int_equal(c->priority, 2130706431u);
	assert_int_equal(a->n_ssrcs, 1);
	assert_int_equal(a->ssrcs[0].ssrc, 1111111111u);
	assert_string_equal(a->ssrcs[0].cname, "standin");
	assert_int_equal(v->kind, SDP_KIND_VIDEO);
	const struct sdp_codec *vp8 = sdp_codec_by_pt(s, v, 100);
	assert_non_null(vp8);
	assert_string_equal(vp8->name, "VP8");
	assert_true(sdp_codec_has_fb(vp8, "nack"));
	assert_true(sdp_codec_has_fb(vp8, "nack pli"));
	assert_int_equal(sdp_codec_by_pt(s, v, 96)->apt, 100);
	assert_int_equal(v->ssrcs[0].ssrc, 2222222222u);

	/* Our answer (as the PeerConnection writes it) becomes a session-accept... */
	static char ans[65536];
	struct sdp_answer_opts o = {
		.local = { .sess_id = 7, .sess_version = 1, .ice_ufrag = "ourU",
			   .ice_pwd = "ourpassword0123456789012", .fingerprint = OUR_FP,
			   .cands = (const char *const[]){ "1 1 udp 2130706431 10.0.0.1 4444 typ host" },
			   .n_cands = 1 },
		.accept_audio = true, .accept_video = true,
		.audio_dir = SDP_DIR_SENDRECV, .video_dir = SDP_DIR_RECVONLY,
		.audio_ssrc = 3333, .cname = "tty",
	};
	assert_true(sdp_write_answer(ans, sizeof(ans), s, &o) > 0);
	struct sdp_session *as = sdp_of(ans);
	static char acc[65536];
	struct jingle_accept ja = { .sid = "508fee10564c", .initiator = "focus",
				    .responder = "me@localhost/res",
				    .owner = "r7113@conference.localhost/d'ad&b", .endpoint = "d00dfeed" };
	n = jingle_write_accept(as, &ja, acc, sizeof(acc));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(acc));
	struct xml_doc *d2;
	const struct xml_node *j2 = jingle_of(acc, &d2);
	assert_int_equal(jingle_action_of(j2), JINGLE_SESSION_ACCEPT);
	assert_string_equal(xml_attr(j2, "sid"), "508fee10564c");
	assert_string_equal(xml_attr(j2, "responder"), "me@localhost/res");
	/* ... whose sources carry our owner (escaped on the wire, intact when read) ... */
	struct seen seen = { 0 };
	assert_int_equal(jingle_sources(j2, on_src, &seen), 1);
	assert_int_equal(seen.ssrc, 3333);
	assert_string_equal(seen.owner, "r7113@conference.localhost/d'ad&b");
	assert_string_equal(seen.name, "d00dfeed-a0");
	assert_non_null(strstr(acc, "owner='r7113@conference.localhost/d&apos;ad&amp;b'"));
	/* ... and translates back to the same transport, directions and codecs */
	static char back[65536];
	assert_true(jingle_to_sdp(j2, back, sizeof(back), err, sizeof(err)) > 0);
	struct sdp_session *bs = sdp_of(back);
	assert_int_equal(bs->n_media, 2);
	assert_int_equal(bs->n_bundle, 2);
	assert_string_equal(bs->media[0].ice_ufrag, "ourU");
	assert_memory_equal(bs->media[0].fp.bytes, as->media[0].fp.bytes, 32);
	assert_int_equal(bs->media[0].setup, as->media[0].setup);
	/* a session-accept's senders read back from the responder's view (the answer as it
	 * wrote it): sendrecv stays, our recvonly video (senders='initiator') stays recvonly */
	assert_int_equal(bs->media[0].dir, SDP_DIR_SENDRECV);
	assert_int_equal(bs->media[1].dir, SDP_DIR_RECVONLY);
	assert_int_equal(sdp_opus_pt(bs, NULL), 111);
	assert_int_equal(bs->media[0].n_cands, 1);
	assert_int_equal(sdp_media_cand(bs, &bs->media[0], 0)->port, 4444);
	assert_int_equal(bs->media[0].ssrcs[0].ssrc, 3333);
	sdp_session_destroy(bs);
	sdp_session_destroy(as);
	sdp_session_destroy(s);
	xml_free(d2);
	xml_free(d);
}

struct srcs {
	unsigned n;
	struct jingle_source s[8];
};

static void collect(void *u, const struct jingle_source *src)
{
	struct srcs *l = u;
	if (l->n < 8)
		l->s[l->n++] = *src;
	else
		l->n++;
}

static void expect_src(const struct jingle_source *s, uint32_t ssrc, enum sdp_kind kind,
		       const char *owner, const char *name, const char *msid)
{
	assert_int_equal(s->ssrc, ssrc);
	assert_int_equal(s->kind, kind);
	assert_string_equal(s->owner, owner);
	assert_string_equal(s->name, name);
	assert_string_equal(s->msid, msid);
}

/* JSON-encoded sources as jicofo sends them: the offer still translates (the contents carry no
 * sources), and every source comes out with its owner, kind, name and msid. */
static void test_json_sources(void **state)
{
	(void)state;
	struct xml_doc *d;
	const struct xml_node *j =
		jingle_of(fixture_read("jingle", "json-session-initiate.xml"), &d);
	static char sdp[65536];
	char err[200] = "";
	assert_true(jingle_to_sdp(j, sdp, sizeof(sdp), err, sizeof(err)) > 0);
	struct sdp_session *s = sdp_of(sdp);
	assert_int_equal(s->n_media, 2);
	assert_int_equal(sdp_opus_pt(s, NULL), 111);
	sdp_session_destroy(s);
	struct srcs l = { 0 };
	assert_int_equal(jingle_sources(j, collect, &l), 7);
	assert_int_equal(l.n, 7);
	expect_src(&l.s[0], 2222222222u, SDP_KIND_VIDEO, "jvb", "jvb-v0",
		   "mixedmslabel mixedlabelvideo0");
	expect_src(&l.s[1], 3659539811u, SDP_KIND_AUDIO, "jvb", "jvb-a0",
		   "mixedmslabel mixedlabelaudio0");
	expect_src(&l.s[2], 257838819u, SDP_KIND_VIDEO, "3a7c9e1f", "3a7c9e1f-v0",
		   "3a7c9e1f-video-1 9bb949d4-5abd-4498-98e9-2be1222b8d3e-1");
	expect_src(&l.s[3], 865670341u, SDP_KIND_VIDEO, "3a7c9e1f", "3a7c9e1f-v0",
		   "3a7c9e1f-video-1 9bb949d4-5abd-4498-98e9-2be1222b8d3e-1");
	expect_src(&l.s[4], 1111111111u, SDP_KIND_AUDIO, "3a7c9e1f", "3a7c9e1f-a0",
		   "3a7c9e1f-audio-1 0c5d94d1-1902-4fb7-bf6a-76517d065d02-1");
	expect_src(&l.s[5], 110279275u, SDP_KIND_VIDEO, "b81d04c6", "b81d04c6-v1",
		   "b81d04c6-video-2 f685aa25-0318-442e-bd00-cd2a911236da-2");
	expect_src(&l.s[6], 4000000001u, SDP_KIND_AUDIO, "b81d04c6", "b81d04c6-a0", "");
	assert_int_equal(jingle_sources(j, NULL, NULL), 7); /* checking only */
	xml_free(d);

	static const struct { const char *file; enum jingle_action action; } moves[] = {
		{ "json-source-add.xml", JINGLE_SOURCE_ADD },
		{ "json-source-remove.xml", JINGLE_SOURCE_REMOVE },
	};
	for (unsigned i = 0; i < 2; i++) {
		j = jingle_of(fixture_read("jingle", moves[i].file), &d);
		assert_int_equal(jingle_action_of(j), moves[i].action);
		memset(&l, 0, sizeof(l));
		assert_int_equal(jingle_sources(j, collect, &l), 3);
		expect_src(&l.s[0], 1234567890u, SDP_KIND_VIDEO, "e0f1d2c3", "e0f1d2c3-v0",
			   i ? "" : "e0f1d2c3-video-1 5b0c61d4-7f3e-4c55-a1b9-0e8f7d6c5b4a-1");
		assert_int_equal(l.s[1].ssrc, 1234567891u);
		expect_src(&l.s[2], 987654321u, SDP_KIND_AUDIO, "e0f1d2c3", "e0f1d2c3-a0",
			   i ? "" : "e0f1d2c3-audio-1 2f9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c-1");
		xml_free(d);
	}
}

/* jingle_sources on a source-add with an XML source (ssrc 7) and json-message texts. */
static int json_try(const char *const *texts, unsigned n, struct srcs *l)
{
	static char xml[65536 * 2];
	struct xml_doc *d;
	char err[200];
	size_t o = (size_t)snprintf(xml, sizeof(xml),
		"<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='s'><content name='audio'>"
		"<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><source "
		"xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='7'/></description></content>");
	for (unsigned i = 0; i < n; i++) {
		o += (size_t)snprintf(xml + o, sizeof(xml) - o,
				      "<json-message xmlns='http://jitsi.org/jitmeet'>");
		assert_true(xml_escape(texts[i], xml + o, sizeof(xml) - o) >= 0);
		o += strlen(xml + o);
		o += (size_t)snprintf(xml + o, sizeof(xml) - o, "</json-message>");
	}
	snprintf(xml + o, sizeof(xml) - o, "</jingle>");
	if (xml_parse(xml, strlen(xml), &d, err, sizeof(err)) < 0)
		fail_msg("XML: %s", err);
	memset(l, 0, sizeof(*l));
	int rc = jingle_sources(xml_root(d), collect, l);
	assert_int_equal(jingle_sources(xml_root(d), NULL, NULL), rc); /* checking only: the same */
	xml_free(d);
	return rc;
}

static void test_json_hostile(void **state)
{
	(void)state;
	struct srcs l;
	/* not JSON, or not the shape jicofo writes: refused whole, not even the XML source */
	static const char *const bad[] = {
		"not json",
		"",
		"[1,2]",
		"{\"sources\":[]}",
		"{\"sources\":{\"a\":{}}}",
		"{\"sources\":{\"a\":[{}]}}",
		"{\"sources\":{\"a\":[[1]]}}",
		"{\"sources\":{\"a\":[[],[],[\"x\"]]}}",
		"{\"sources\":{\"a\":[[{\"s\":1}]],\"a\":[[]]}}", /* a duplicate key */
		"{\"sources\":{\"a\":[[{\"s\":1}]]}} trailing",
		"{\"sources\":{\"a\":[[{\"s\":1}]]}", /* cut short */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = json_try(&bad[i], 1, &l);
		if (rc != -EINVAL || l.n)
			fail_msg("bad %u: rc %d, %u reported", i, rc, l.n);
	}
	/* nesting deeper than jansson's parser takes */
	static char deep[8001];
	memset(deep, '[', 4000);
	memset(deep + 4000, ']', 4000);
	const char *dp = deep;
	assert_int_equal(json_try(&dp, 1, &l), -EINVAL);
	assert_int_equal(l.n, 0);

	/* one bad source among good ones is skipped, a bad owner, name or msid left "" */
	static const char *const mixed =
		"{\"sources\":{\"ep 1\":[[{\"s\":0},{\"s\":-5},{\"s\":4294967296},{\"s\":1.5},"
		"{\"s\":true},{\"n\":\"x\"},{\"s\":\"1x\"},{\"s\":\"12\",\"n\":\"a\\u0001b\","
		"\"m\":\"a\\nb\"},{\"s\":4294967295,\"n\":\"ok-v0\",\"m\":\" lead\"}]],"
		"\"jvb\":[[],[],[{\"s\":13,\"m\":\"s t\",\"n\":7}],[[\"f\",13,14]]]}}";
	assert_int_equal(json_try(&mixed, 1, &l), 4);
	assert_int_equal(l.s[0].ssrc, 7); /* the XML source first */
	expect_src(&l.s[1], 12, SDP_KIND_VIDEO, "", "", "");
	expect_src(&l.s[2], 4294967295u, SDP_KIND_VIDEO, "", "ok-v0", "");
	expect_src(&l.s[3], 13, SDP_KIND_AUDIO, "jvb", "", "s t");

	/* another kind of json-message: ignored */
	static const char *const other = "{\"type\":\"av_moderation\"}";
	assert_int_equal(json_try(&other, 1, &l), 1);

	/* bounds: JINGLE_JSON_SOURCES_MAX sources are taken, one more refuses all; so do more
	 * than JINGLE_JSON_MESSAGES_MAX messages */
	static char many[65536];
	for (unsigned extra = 0; extra < 2; extra++) {
		size_t o = (size_t)snprintf(many, sizeof(many), "{\"sources\":{\"a\":[[");
		for (unsigned i = 0; i < JINGLE_JSON_SOURCES_MAX + extra; i++)
			o += (size_t)snprintf(many + o, sizeof(many) - o, "%s{\"s\":%u}", i ? "," : "",
					      i + 1);
		assert_true(o + 8 < sizeof(many));
		snprintf(many + o, sizeof(many) - o, "]]}}");
		const char *mp = many;
		int rc = json_try(&mp, 1, &l);
		assert_int_equal(rc, extra ? -E2BIG : JINGLE_JSON_SOURCES_MAX + 1);
		assert_int_equal(l.n, extra ? 0 : JINGLE_JSON_SOURCES_MAX + 1);
	}
	static const char *const five[] = { "{}", "{}", "{}", "{}", "{}" };
	assert_int_equal(json_try(five, 4, &l), 1);
	assert_int_equal(json_try(five, 5, &l), -E2BIG);
	assert_int_equal(l.n, 0);
}

static void test_sources(void **state)
{
	(void)state;
	struct xml_doc *d;
	const struct xml_node *j =
		jingle_of(fixture_read("jingle", "focus-session-initiate.xml"), &d);
	struct srcs l = { 0 };
	assert_int_equal(jingle_sources(j, collect, &l), 2);
	assert_int_equal(l.s[0].ssrc, 1111111111u);
	assert_int_equal(l.s[0].kind, SDP_KIND_AUDIO);
	assert_string_equal(l.s[0].owner, "r7113@conference.localhost/standin");
	assert_string_equal(l.s[0].name, "standin-a0");
	assert_string_equal(l.s[0].msid, "standin-audio-1 standin-audio-1");
	assert_int_equal(l.s[1].ssrc, 2222222222u);
	assert_int_equal(l.s[1].kind, SDP_KIND_VIDEO);
	assert_string_equal(l.s[1].owner, "jvb");
	/* the endpoint id of an owner, whichever way it is written */
	assert_string_equal(jingle_owner_endpoint(l.s[0].owner), "standin");
	assert_string_equal(jingle_owner_endpoint("jvb"), "jvb");
	assert_string_equal(jingle_owner_endpoint("3a7c9e1f"), "3a7c9e1f");
	assert_string_equal(jingle_owner_endpoint("r@c/a/b"), "a/b"); /* the resource: first '/' */
	assert_string_equal(jingle_owner_endpoint("r@c/"), "r@c/");
	assert_string_equal(jingle_owner_endpoint(""), "");
	assert_string_equal(jingle_owner_endpoint(NULL), "");
	xml_free(d);

	/* source-add with a bad ssrc among good ones: the bad one is skipped */
	static const char add[] =
		"<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='s'>"
		"<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
		"<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='5'/>"
		"<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='99999999999'/>"
		"<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='-1'/>"
		"<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='6'><ssrc-info "
		"xmlns='http://jitsi.org/jitmeet' owner='r@c/ab cd'/></source>"
		"</description></content></jingle>";
	j = jingle_of(add, &d);
	assert_int_equal(jingle_action_of(j), JINGLE_SOURCE_ADD);
	memset(&l, 0, sizeof(l));
	assert_int_equal(jingle_sources(j, collect, &l), 2);
	assert_int_equal(l.s[0].ssrc, 5);
	assert_int_equal(l.s[1].ssrc, 6);
	assert_string_equal(l.s[1].owner, ""); /* a blank: not a JID we hand out */
	xml_free(d);
}

static void test_p2p_offer_and_candidates(void **state)
{
	(void)state;
	struct xml_doc *d;
	const struct xml_node *j = jingle_of(fixture_read("jingle", "p2p-session-initiate.xml"), &d);
	static char sdp[65536];
	char err[200] = "";
	assert_true(jingle_to_sdp(j, sdp, sizeof(sdp), err, sizeof(err)) > 0);
	struct sdp_session *s = sdp_of(sdp);
	assert_int_equal(s->n_media, 2);
	assert_string_equal(s->media[0].mid, "0");
	assert_string_equal(s->media[1].mid, "1");
	assert_int_equal(s->media[1].dir, SDP_DIR_RECVONLY); /* senders='responder' */
	assert_int_equal(s->media[0].n_cands, 0);             /* they trickle */
	const struct sdp_codec *red = sdp_codec_by_pt(s, &s->media[0], 63);
	assert_non_null(red);
	assert_string_equal(red->fmtp, "111/111");
	assert_true(s->media[1].n_codecs >= 20);
	assert_int_equal(sdp_extmap_id(&s->media[0], SDP_URI_MID), 4);
	sdp_session_destroy(s);
	xml_free(d);

	j = jingle_of(fixture_read("jingle", "p2p-transport-info.xml"), &d);
	assert_int_equal(jingle_action_of(j), JINGLE_TRANSPORT_INFO);
	const struct xml_node *c = xml_child(j, NS_JINGLE, "content");
	const struct xml_node *t = xml_child(c, "urn:xmpp:jingle:transports:ice-udp:1", "transport");
	unsigned got = 0;
	for (const struct xml_node *k = t->child; k; k = k->next) {
		if (!xml_is(k, "urn:xmpp:jingle:transports:ice-udp:1", "candidate"))
			continue;
		char line[256];
		struct sdp_candidate sc;
		assert_true(jingle_candidate_to_sdp(k, line, sizeof(line)) > 0);
		assert_int_equal(sdp_candidate_parse(line, &sc), 0);
		assert_string_equal(sc.address, xml_attr(k, "ip"));
		got++;
	}
	assert_true(got >= 2);
	xml_free(d);

	/* ours go out as transport-info and read back the same */
	static char ti[4096];
	int n = jingle_write_transport_info("sid1", "r@c/focus", "audio", "uf", "pw'<&",
					     "candidate:7 1 udp 99 192.0.2.9 5000 typ srflx raddr 10.0.0.2 rport 6000",
					     ti, sizeof(ti));
	assert_true(n > 0);
	j = jingle_of(ti, &d);
	assert_int_equal(jingle_action_of(j), JINGLE_TRANSPORT_INFO);
	t = xml_child(xml_child(j, NS_JINGLE, "content"), "urn:xmpp:jingle:transports:ice-udp:1",
		      "transport");
	assert_string_equal(xml_attr(t, "pwd"), "pw'<&");
	char line[256];
	assert_true(jingle_candidate_to_sdp(t->child, line, sizeof(line)) > 0);
	assert_string_equal(line,
			    "7 1 udp 99 192.0.2.9 5000 typ srflx raddr 10.0.0.2 rport 6000 generation 0");
	xml_free(d);
	assert_int_equal(jingle_write_transport_info("s", NULL, "a", "u", "p", "garbage", ti,
						     sizeof(ti)), -EINVAL);
}

/* A minimal valid session with one placeholder, replaced by each case's text. */
static const char tmpl[] =
	"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'>"
	"<content name='%s' senders='%s'>"
	"<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
	"<payload-type id='%s' name='%s' clockrate='48000' channels='2'>"
	"<parameter name='%s' value='1'/></payload-type>"
	"<rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1' uri='%s'/>"
	"<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='5'>"
	"<parameter name='msid' value='%s'/></source></description>"
	"<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='%s' pwd='pwpwpwpwpwpwpwpwpwpwpwpw'>"
	"<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='%s'>" FP_HEX
	"</fingerprint></transport></content></jingle>";

static int try(const char *name, const char *senders, const char *pt, const char *codec,
	       const char *param, const char *uri, const char *msid, const char *ufrag,
	       const char *setup, char *out, size_t cap, char *err)
{
	char xml[4096];
	struct xml_doc *d;
	snprintf(xml, sizeof(xml), tmpl, name, senders, pt, codec, param, uri, msid, ufrag, setup);
	const struct xml_node *j = jingle_of(xml, &d);
	memset(out, 'x', cap);
	err[0] = '\0';
	int rc = jingle_to_sdp(j, out, cap, err, 200);
	xml_free(d);
	return rc;
}

static void test_hostile(void **state)
{
	(void)state;
	static char out[8192];
	char err[200];
	const char *ok[] = { "audio", "both", "111", "opus", "useinbandfec", SDP_URI_AUDIO_LEVEL,
			     "a b", "ufrg", "actpass" };
#define TRY(a) try(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], out, sizeof(out), err)
	assert_true(TRY(ok) > 0);
	struct sdp_session *s = sdp_of(out);
	sdp_session_destroy(s);
	/* one field at a time made hostile: each is refused, nothing half written */
	static const struct { int field; const char *value; const char *needle; } bad[] = {
		{ 0, "a&#13;&#10;a=candidate:1 1 udp 1 6.6.6.6 1 typ host", "name" },
		{ 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "name" }, /* over SDP_MID_LEN */
		{ 1, "everyone", "senders" },
		{ 2, "300", "payload type" },
		{ 2, "1&#10;a=x", "payload type" },
		{ 3, "op us", "payload type" },
		{ 4, "x;y", "parameter" },
		{ 5, "urn:x&#10;a=ice-pwd:evil", "header extension" },
		{ 6, "a&#13;&#10;a=setup:active", "source" },
		{ 7, "u f", "ICE" },
		{ 7, "", "ICE" },
		{ 8, "holdconn", "setup" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *v[9];
		memcpy(v, ok, sizeof(v));
		v[bad[i].field] = bad[i].value;
		int rc = TRY(v);
		if (rc != -EINVAL || !strstr(err, bad[i].needle) || out[0] != '\0')
			fail_msg("case %zu: rc %d, err '%s', out '%.40s'", i, rc, err, out);
	}
	/* a transport without a fingerprint, a content without a transport, no contents */
	static const char *const broken[] = {
		"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'/>",
		"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'><content name='a'>"
		"<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/></content></jingle>",
		"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'><content name='a'>"
		"<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/><transport "
		"xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='u' pwd='p'/></content></jingle>",
		"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'><content name='a'>"
		"<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='text'/><transport "
		"xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='u' pwd='p'/></content></jingle>",
		"<other xmlns='urn:xmpp:jingle:1'/>",
	};
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct xml_doc *d;
		assert_int_equal(xml_parse(broken[i], strlen(broken[i]), &d, err, sizeof(err)), 0);
		err[0] = '\0';
		int rc = jingle_to_sdp(xml_root(d), out, sizeof(out), err, sizeof(err));
		if (rc != -EINVAL || !err[0])
			fail_msg("broken %zu: rc %d err '%s'", i, rc, err);
		xml_free(d);
	}
	/* an unusable candidate is skipped, the rest of the offer stands */
	static const char cand[] =
		"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'><content name='a'>"
		"<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='111' "
		"name='opus' clockrate='48000' channels='2'/></description><transport "
		"xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='uuuu' pwd='pwpwpwpwpwpwpwpwpwpwpwpw'>"
		"<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'>" FP_HEX "</fingerprint>"
		"<candidate foundation='1' component='1' protocol='udp' priority='1' ip='6.6.6.6&#10;a=x'"
		" port='1' type='host'/><candidate foundation='2' component='1' protocol='udp' "
		"priority='9' ip='192.0.2.1' port='7' type='host'/></transport></content></jingle>";
	struct xml_doc *d;
	assert_int_equal(xml_parse(cand, strlen(cand), &d, err, sizeof(err)), 0);
	assert_true(jingle_to_sdp(xml_root(d), out, sizeof(out), err, sizeof(err)) > 0);
	assert_null(strstr(out, "6.6.6.6"));
	s = sdp_of(out);
	assert_int_equal(s->media[0].n_cands, 1);
	assert_int_equal(s->media[0].setup, SDP_SETUP_ACTPASS); /* no setup: actpass */
	sdp_session_destroy(s);
	/* too small a buffer: -ENOSPC and "" */
	char small[64];
	assert_int_equal(jingle_to_sdp(xml_root(d), small, sizeof(small), err, sizeof(err)),
			 -ENOSPC);
	assert_string_equal(small, "");
	xml_free(d);
}

static void test_terminate(void **state)
{
	(void)state;
	static char out[1024];
	struct xml_doc *d;
	/* every reason XEP-0166 defines without a child, a text escaped and read back intact */
	static const char *const ok[] = { "success", "decline", "busy", "gone", "timeout",
					  "incompatible-parameters", "unsupported-transports" };
	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int n = jingle_write_terminate("a'b&c", ok[i], i ? NULL : "bye <now> & \xc3\xa9t\xc3\xa9",
					       out, sizeof(out));
		assert_true(n > 0);
		assert_int_equal((size_t)n, strlen(out));
		const struct xml_node *j = jingle_of(out, &d);
		assert_int_equal(jingle_action_of(j), JINGLE_SESSION_TERMINATE);
		assert_string_equal(xml_attr(j, "sid"), "a'b&c");
		assert_null(xml_attr(j, "initiator"));
		const struct xml_node *r = xml_child(j, NS_JINGLE, "reason");
		assert_non_null(r);
		assert_non_null(xml_child(r, NS_JINGLE, ok[i]));
		const struct xml_node *t = xml_child(r, NS_JINGLE, "text");
		if (i)
			assert_null(t);
		else
			assert_string_equal(t->text, "bye <now> & \xc3\xa9t\xc3\xa9");
		xml_free(d);
	}
	/* what is not a reason, or a text that cannot be one line of XML text, is refused */
	static char longtext[JINGLE_TEXT_MAX + 2];
	memset(longtext, 'x', JINGLE_TEXT_MAX + 1);
	static const struct { const char *sid, *reason, *text; } bad[] = {
		{ "s", "bogus", NULL },
		{ "s", "succes", NULL },
		{ "s", "success/><evil", NULL },
		{ "s", "alternative-session", NULL }, /* needs a <sid> child */
		{ "s", NULL, NULL },
		{ NULL, "success", NULL },
		{ "", "success", NULL },
		{ "s", "success", "" },
		{ "s", "success", "two\nlines" },
		{ "s", "success", "bell\a" },
		{ "s", "success", "bad \xc3 utf-8" },
		{ "s", "success", longtext },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 'x', sizeof(out));
		int rc = jingle_write_terminate(bad[i].sid, bad[i].reason, bad[i].text, out,
						sizeof(out));
		if (rc != -EINVAL || out[0])
			fail_msg("bad %u: rc %d out '%.20s'", i, rc, out);
	}
	longtext[JINGLE_TEXT_MAX] = '\0'; /* exactly the bound: taken */
	assert_true(jingle_write_terminate("s", "success", longtext, out, sizeof(out)) > 0);
	char small[40];
	assert_int_equal(jingle_write_terminate("s", "success", NULL, small, sizeof(small)),
			 -ENOSPC);
	assert_string_equal(small, "");
	/* reading a reason: only XEP-0166's conditions come out */
	static const struct { const char *inner; const char *want; } rs[] = {
		{ "", NULL },
		{ "<reason><text>bye</text><gone/></reason>", "gone" },
		{ "<reason><success/><text>x</text></reason>", "success" },
		{ "<reason><alternative-session><sid>b</sid></alternative-session></reason>",
		  "alternative-session" },
		{ "<reason><x xmlns='urn:other'/><busy/></reason>", "busy" },
		{ "<reason><success xmlns='urn:other'/></reason>", "general-error" },
		{ "<reason><evil-thing/></reason>", "general-error" },
		{ "<reason/>", "general-error" },
	};
	for (unsigned i = 0; i < sizeof(rs) / sizeof(rs[0]); i++) {
		char xml[300];
		snprintf(xml, sizeof(xml), "<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate'"
			 " sid='s'>%s</jingle>", rs[i].inner);
		const char *got = jingle_reason_of(jingle_of(xml, &d));
		if (rs[i].want ? !got || strcmp(got, rs[i].want) : got != NULL)
			fail_msg("reason %u: %s", i, got ? got : "(null)");
		xml_free(d);
	}
	assert_null(jingle_reason_of(NULL));
}

static void test_actions_and_errors(void **state)
{
	(void)state;
	/* Every action XEP-0166 defines, in the XEP's own (alphabetical) order, with what we do
	 * with it, then Jitsi's two; anything else is OTHER. Taken from the XEP's action table,
	 * not from jingle.c's (which is ordered by handling). */
	static const struct { const char *name; enum jingle_action a; } acts[] = {
		{ "content-accept", JINGLE_UNSUPPORTED },
		{ "content-add", JINGLE_UNSUPPORTED },
		{ "content-modify", JINGLE_CONTENT_MODIFY },
		{ "content-reject", JINGLE_UNSUPPORTED },
		{ "content-remove", JINGLE_UNSUPPORTED },
		{ "description-info", JINGLE_DESCRIPTION_INFO },
		{ "security-info", JINGLE_UNSUPPORTED },
		{ "session-accept", JINGLE_SESSION_ACCEPT },
		{ "session-info", JINGLE_SESSION_INFO },
		{ "session-initiate", JINGLE_SESSION_INITIATE },
		{ "session-terminate", JINGLE_SESSION_TERMINATE },
		{ "transport-accept", JINGLE_UNSUPPORTED },
		{ "transport-info", JINGLE_TRANSPORT_INFO },
		{ "transport-reject", JINGLE_UNSUPPORTED },
		{ "transport-replace", JINGLE_TRANSPORT_REPLACE },
		{ "source-add", JINGLE_SOURCE_ADD },
		{ "source-remove", JINGLE_SOURCE_REMOVE },
		{ "session-bogus", JINGLE_OTHER },
		{ "Session-Initiate", JINGLE_OTHER },
		{ "", JINGLE_OTHER },
		{ NULL, JINGLE_OTHER },
	};
	for (unsigned i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		char xml[200];
		struct xml_doc *d;
		if (acts[i].name)
			snprintf(xml, sizeof(xml), "<jingle xmlns='urn:xmpp:jingle:1' action='%s' sid='s'/>",
				 acts[i].name);
		else
			snprintf(xml, sizeof(xml), "<jingle xmlns='urn:xmpp:jingle:1' sid='s'/>");
		const struct xml_node *j = jingle_of(xml, &d);
		if (jingle_action_of(j) != acts[i].a)
			fail_msg("action %s: %d", acts[i].name, jingle_action_of(j));
		xml_free(d);
	}
	assert_int_equal(jingle_action_of(NULL), JINGLE_OTHER);

	/* each kind's <error>, read back inside an iq: its type, stanza and Jingle condition */
	static const struct { enum jingle_error k; int rc; const char *type, *cond, *jc; } errs[] = {
		{ JINGLE_ERR_BAD_REQUEST, -EINVAL, "modify", "bad-request", NULL },
		{ JINGLE_ERR_UNKNOWN_SESSION, -ENOENT, "cancel", "item-not-found", "unknown-session" },
		{ JINGLE_ERR_OUT_OF_ORDER, -EALREADY, "wait", "unexpected-request", "out-of-order" },
		{ JINGLE_ERR_TIE_BREAK, -EBUSY, "cancel", "conflict", "tie-break" },
		{ JINGLE_ERR_UNSUPPORTED_INFO, -ENOMSG, "modify", "feature-not-implemented",
		  "unsupported-info" },
		{ JINGLE_ERR_NOT_IMPLEMENTED, -ENOTSUP, "cancel", "feature-not-implemented", NULL },
		{ JINGLE_ERR_INTERNAL, -ENOMEM, "wait", "internal-server-error", NULL },
	};
	for (unsigned i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		char e[300], iq[400], err[200];
		struct xml_doc *d;
		assert_int_equal(jingle_error_of(errs[i].rc), errs[i].k);
		int n = jingle_write_error(errs[i].k, e, sizeof(e));
		assert_true(n > 0);
		assert_int_equal((size_t)n, strlen(e));
		snprintf(iq, sizeof(iq), "<iq xmlns='jabber:client' type='error' id='x'>%s</iq>", e);
		if (xml_parse(iq, strlen(iq), &d, err, sizeof(err)) < 0)
			fail_msg("kind %u: %s: %s", i, err, e);
		const struct xml_node *er = xml_child(xml_root(d), NULL, "error");
		assert_non_null(er);
		assert_string_equal(xml_attr(er, "type"), errs[i].type);
		unsigned kids = 0;
		for (const struct xml_node *k = er->child; k; k = k->next)
			kids++;
		assert_int_equal(kids, errs[i].jc ? 2 : 1);
		assert_non_null(xml_child(er, "urn:ietf:params:xml:ns:xmpp-stanzas", errs[i].cond));
		if (errs[i].jc)
			assert_non_null(xml_child(er, "urn:xmpp:jingle:errors:1", errs[i].jc));
		xml_free(d);
	}
	assert_int_equal(jingle_error_of(-EIO), JINGLE_ERR_INTERNAL);
	char e[300];
	assert_int_equal(jingle_write_error((enum jingle_error)99, e, sizeof(e)), -EINVAL);
	assert_int_equal(jingle_write_error((enum jingle_error)-1, e, sizeof(e)), -EINVAL);
	char small[20];
	assert_int_equal(jingle_write_error(JINGLE_ERR_UNKNOWN_SESSION, small, sizeof(small)),
			 -ENOSPC);
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_focus_offer),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_json_sources),
		cmocka_unit_test(test_json_hostile),
		cmocka_unit_test(test_p2p_offer_and_candidates),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_terminate),
		cmocka_unit_test(test_actions_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
