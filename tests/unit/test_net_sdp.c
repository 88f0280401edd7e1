/* Unit tests for net/sdp's parser: Janus SDPs (reconstructed from shared/janus/PROTOCOL.md
 * and Janus 1.1.2's SDP writer; the same texts are fuzz seeds) and a browser's, helpers and
 * malformed input. Our own offers and answers: test_net_sdp_write.c. */
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
#include "tests/unit/sdp_fixtures.h"

/* tests/fuzz/corpus/net_sdp/janus_audiobridge_answer.sdp */
static const char ab_answer[] =
	"v=0\r\n"
	"o=- 1732346730915427 1 IN IP4 192.0.2.2\r\n"
	"s=AudioBridge 1234\r\n"
	"t=0 0\r\n"
	"a=group:BUNDLE 0\r\n"
	"a=ice-options:trickle\r\n"
	"a=fingerprint:sha-256 53:1F:83:3D:11:9B:81:6B:F1:08:E7:99:F6:51:DB:0C:FD:CE:"
	"27:79:19:66:AA:40:EA:23:D4:F4:52:1E:01:98\r\n"
	"a=extmap-allow-mixed\r\n"
	"a=msid-semantic: WMS *\r\n"
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
	"c=IN IP4 192.0.2.2\r\n"
	"a=sendrecv\r\n"
	"a=mid:0\r\n"
	"a=rtcp-mux\r\n"
	"a=ice-ufrag:Ht3D\r\n"
	"a=ice-pwd:r9m2hGmkcYbDLb3Ny2XtPQ\r\n"
	"a=ice-options:trickle\r\n"
	"a=setup:active\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
	"a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
	"a=fmtp:111 maxplaybackrate=16000; stereo=0; sprop-stereo=0; useinbandfec=1\r\n"
	"a=msid:janus janus0\r\n"
	"a=ssrc:3462105938 cname:janus\r\n"
	"a=candidate:1 1 udp 2015363327 192.0.2.2 40422 typ host\r\n"
	"a=end-of-candidates\r\n";

/* tests/fuzz/corpus/net_sdp/browser_simulcast_offer_lf.sdp */
static const char browser_offer[] =
	"v=0\n"
	"o=mozilla...THIS_IS_SDPARTA-99.0 3412830912475214235 0 IN IP4 0.0.0.0\n"
	"s=-\n"
	"t=0 0\n"
	"a=fingerprint:sha-256 0A:31:9E:8C:2D:44:77:9B:1F:03:BB:2E:96:4C:5D:A8:EE:12:"
	"7F:60:1B:C4:39:D2:8F:0E:55:A7:6B:93:14:C8\n"
	"a=fingerprint:sha-1 0A:31:9E:8C:2D:44:77:9B:1F:03:BB:2E:96:4C:5D:A8:EE:12:"
	"7F:60\n"
	"a=group:BUNDLE 0 1\n"
	"a=ice-options:trickle\n"
	"a=ice-ufrag:8a3c1f0b\n"
	"a=ice-pwd:4b7d0e9f2a6c8b1d3e5f7a9c0b2d4e6f\n"
	"a=msid-semantic:WMS *\n"
	"m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101\n"
	"c=IN IP4 0.0.0.0\n"
	"a=sendrecv\n"
	"a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\n"
	"a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\n"
	"a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1\n"
	"a=fmtp:101 0-15\n"
	"a=mid:0\n"
	"a=rtcp-mux\n"
	"a=rtpmap:109 opus/48000/2\n"
	"a=rtpmap:101 telephone-event/8000/1\n"
	"a=setup:actpass\n"
	"a=ssrc:1549836127 cname:{5f3c6a4e-9b2d-4a7e-8c1f-3d5e7a9b0c2d}\n"
	"m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125\n"
	"c=IN IP4 0.0.0.0\n"
	"a=sendonly\n"
	"a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\n"
	"a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\n"
	"a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\n"
	"a=fmtp:120 max-fs=12288;max-fr=60\n"
	"a=fmtp:124 apt=120\n"
	"a=fmtp:121 max-fs=12288;max-fr=60\n"
	"a=fmtp:125 apt=121\n"
	"a=mid:1\n"
	"a=rid:h send\n"
	"a=rid:m send\n"
	"a=rid:l send\n"
	"a=rtcp-fb:* nack\n"
	"a=rtcp-fb:120 nack pli\n"
	"a=rtcp-fb:120 ccm fir\n"
	"a=rtcp-fb:121 nack pli\n"
	"a=rtcp-mux\n"
	"a=rtpmap:120 VP8/90000\n"
	"a=rtpmap:124 rtx/90000\n"
	"a=rtpmap:121 VP9/90000\n"
	"a=rtpmap:125 rtx/90000\n"
	"a=setup:actpass\n"
	"a=simulcast:send h;m;l\n"
	"a=ssrc:3001 cname:{5f3c6a4e-9b2d-4a7e-8c1f-3d5e7a9b0c2d}\n"
	"a=ssrc:3002 cname:{5f3c6a4e-9b2d-4a7e-8c1f-3d5e7a9b0c2d}\n"
	"a=ssrc-group:FID 3001 3002\n"
	"a=candidate:0 1 UDP 2122252543 198.51.100.7 51234 typ host\n"
	"a=candidate:1 1 TCP 2105524479 198.51.100.7 9 typ host tcptype active\n"
	"a=candidate:"
	"2 1 UDP 1686052863 203.0.113.9 51234 typ srflx raddr 198.51.100.7 rport 5123"
	"4\n"
	"a=candidate:"
	"3 1 UDP 92216831 203.0.113.50 61000 typ relay raddr 203.0.113.9 rport 51234\n"
	"a=candidate:"
	"4 1 udp 2122252543 3fa8c2e1-6b0d-4c5a-9e2f-7d1b3a8c6e40.local 51235 typ host\n"
	"a=end-of-candidates\n";

static int parse_len(const char *text, size_t len)
{
	struct sdp_session *s;
	assert_int_equal(sdp_session_create(&s), 0);
	int ret = sdp_parse(text, len, s);
	if (ret < 0)
		assert_int_equal(s->n_media, 0);	/* a failed parse leaves nothing behind */
	sdp_session_destroy(s);
	return ret;
}

static int parse_str(const char *text)
{
	return parse_len(text, strlen(text));
}

static void test_audiobridge_answer(void **state)
{
	struct sdp_session *s = parse_ok(ab_answer);
	const struct sdp_media *m = &s->media[0];
	uint8_t fp[32];
	int mline = -1;

	assert_int_equal(s->n_media, 1);
	assert_int_equal(s->sess_id, 1732346730915427ull);
	assert_int_equal(s->n_bundle, 1);
	assert_string_equal(s->bundle[0], "0");
	assert_int_equal(m->kind, SDP_KIND_AUDIO);
	assert_int_equal(m->port, 9);
	assert_string_equal(m->proto, "UDP/TLS/RTP/SAVPF");
	assert_string_equal(m->mid, "0");
	assert_int_equal(m->dir, SDP_DIR_SENDRECV);
	assert_true(m->rtcp_mux);
	assert_string_equal(m->ice_ufrag, "Ht3D");
	assert_string_equal(m->ice_pwd, "r9m2hGmkcYbDLb3Ny2XtPQ");
	assert_int_equal(m->setup, SDP_SETUP_ACTIVE);
	/* the fingerprint is session-level in Janus SDPs and must reach the m-line */
	assert_int_equal(sdp_fingerprint_sha256(m, fp), 0);
	assert_int_equal(fp[0], 0x53);
	assert_int_equal(fp[31], 0x98);
	assert_int_equal(sdp_opus_pt(s, &mline), 111);
	assert_int_equal(mline, 0);
	const struct sdp_codec *c = sdp_codec_by_pt(s, m, 111);
	assert_non_null(c);
	assert_int_equal(c->clock, 48000);
	assert_int_equal(c->channels, 2);
	assert_non_null(strstr(c->fmtp, "useinbandfec=1"));
	uint32_t v = 0;
	assert_int_equal(sdp_fmtp_uint(c, "maxplaybackrate", 48000, &v), 0);
	assert_int_equal(v, 16000);
	assert_int_equal(sdp_fmtp_uint(c, "MaxPlaybackRate", 48000, &v), 0); /* any case */
	assert_int_equal(sdp_fmtp_uint(c, "sprop-stereo", 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sdp_fmtp_uint(c, "stereo", 1, &v), 0); /* not "sprop-stereo" */
	v = 7;
	assert_int_equal(sdp_fmtp_uint(c, "maxplaybackrate", 8000, &v), -EINVAL); /* over max */
	assert_int_equal(sdp_fmtp_uint(c, "ptime", 1000, &v), -ENOENT);
	assert_int_equal(v, 7); /* untouched on failure */
	assert_int_equal(sdp_fmtp_uint(c, "maxplayback", 48000, &v), -ENOENT); /* a prefix */
	assert_int_equal(sdp_fmtp_uint(NULL, "apt", 127, &v), -ENOENT);
	struct sdp_codec odd = { .pt = 111 };
	snprintf(odd.fmtp, sizeof(odd.fmtp), "x=1; maxplaybackrate=16k;y=2");
	assert_int_equal(sdp_fmtp_uint(&odd, "maxplaybackrate", 48000, &v), -EINVAL);
	assert_int_equal(sdp_fmtp_uint(&odd, "y", 9, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(sdp_extmap_id(m, SDP_URI_MID), 1);
	assert_int_equal(sdp_extmap_id(m, SDP_URI_AUDIO_LEVEL), 2);
	assert_int_equal(sdp_extmap_id(m, SDP_URI_TWCC), -ENOENT);
	assert_int_equal(m->n_ssrcs, 1);
	assert_int_equal(m->ssrcs[0].ssrc, 3462105938u);
	assert_string_equal(m->ssrcs[0].cname, "janus");
	assert_int_equal(m->n_cands, 1);
	const struct sdp_candidate *cd = sdp_media_cand(s, m, 0);
	assert_string_equal(cd->raw, "1 1 udp 2015363327 192.0.2.2 40422 typ host");
	assert_string_equal(cd->foundation, "1");
	assert_int_equal(cd->component, 1);
	assert_false(cd->tcp);
	assert_int_equal(cd->priority, 2015363327u);
	assert_string_equal(cd->address, "192.0.2.2");
	assert_int_equal(cd->port, 40422);
	assert_int_equal(cd->type, SDP_CAND_HOST);
	assert_true(m->end_of_candidates);
	assert_int_equal(m->dropped, 0);
	sdp_session_destroy(s);
}

static void test_textroom_offer(void **state)
{
	struct sdp_session *s = parse_ok(tr_offer);
	const struct sdp_media *m = &s->media[0];
	assert_int_equal(s->n_media, 1);
	assert_int_equal(m->kind, SDP_KIND_APPLICATION);
	assert_string_equal(m->proto, "UDP/DTLS/SCTP");
	assert_string_equal(m->fmts, "webrtc-datachannel");
	assert_int_equal(m->n_codecs, 0);
	assert_int_equal(m->sctp_port, 5000);
	assert_int_equal(m->max_message_size, 0);
	assert_int_equal(m->setup, SDP_SETUP_ACTPASS);
	assert_string_equal(m->mid, "0");
	assert_int_equal(m->n_cands, 1);
	assert_int_equal(sdp_media_cand(s, m, 0)->port, 40422);
	assert_int_equal(sdp_opus_pt(s, NULL), -ENOENT);
	sdp_session_destroy(s);
}

static void test_videoroom_offer(void **state)
{
	struct sdp_session *s = parse_ok(vr_offer);
	assert_int_equal(s->n_media, 2);
	assert_int_equal(s->n_bundle, 2);
	assert_string_equal(s->bundle[1], "1");
	const struct sdp_media *a = sdp_media_by_mid(s, "0"), *v = sdp_media_by_mid(s, "1");
	assert_ptr_equal(a, &s->media[0]);
	assert_ptr_equal(v, &s->media[1]);
	assert_null(sdp_media_by_mid(s, "2"));
	assert_int_equal(a->dir, SDP_DIR_SENDONLY);
	assert_int_equal(sdp_extmap_id(a, SDP_URI_AUDIO_LEVEL), 4);
	assert_int_equal(v->kind, SDP_KIND_VIDEO);
	assert_int_equal(v->n_codecs, 2);
	const struct sdp_codec *vp8 = sdp_codec_by_pt(s, v, 96), *rtx = sdp_codec_by_pt(s, v, 97);
	assert_string_equal(vp8->name, "VP8");
	assert_int_equal(vp8->clock, 90000);
	assert_int_equal(vp8->channels, 0);
	assert_int_equal(vp8->apt, -1);
	assert_int_equal(vp8->n_fb, 5);
	assert_true(sdp_codec_has_fb(vp8, "nack pli"));
	assert_true(sdp_codec_has_fb(vp8, "ccm fir"));
	assert_true(sdp_codec_has_fb(vp8, "transport-cc"));
	assert_false(sdp_codec_has_fb(vp8, "nack sli"));
	assert_string_equal(rtx->name, "rtx");
	assert_int_equal(rtx->apt, 96);
	assert_string_equal(rtx->fmtp, "apt=96");
	assert_int_equal(sdp_find_codec(s, v, "vp8", 90000), 96);
	assert_int_equal(sdp_find_codec(s, v, "VP9", 0), -ENOENT);
	assert_int_equal(v->n_extmaps, 3);
	assert_int_equal(sdp_extmap_id(v, SDP_URI_TWCC), 3);
	assert_int_equal(v->n_ssrc_groups, 1);
	assert_string_equal(v->ssrc_groups[0].semantics, "FID");
	assert_int_equal(v->ssrc_groups[0].n, 2);
	assert_int_equal(v->ssrc_groups[0].ssrcs[0], 1311360421u);
	assert_int_equal(v->ssrc_groups[0].ssrcs[1], 2097006911u);
	assert_int_equal(v->n_ssrcs, 2);
	assert_int_equal(v->n_cands, 1);
	/* candidates of the two m-lines are separate ranges of the pool */
	assert_int_not_equal(v->cand_off, a->cand_off);
	assert_int_equal(s->n_cands, 2);
	sdp_session_destroy(s);
}

static void test_browser_offer(void **state)
{
	struct sdp_session *s = parse_ok(browser_offer);
	const struct sdp_media *a = &s->media[0], *v = &s->media[1];
	/* session-level ICE credentials are inherited */
	assert_string_equal(a->ice_ufrag, "8a3c1f0b");
	assert_string_equal(v->ice_pwd, "4b7d0e9f2a6c8b1d3e5f7a9c0b2d4e6f");
	/* sha-256 wins over the sha-1 listed after it */
	assert_string_equal(v->fp.alg, "sha-256");
	assert_int_equal(v->fp.len, 32);
	assert_int_equal(a->n_codecs, 5);
	assert_string_equal(sdp_codec_by_pt(s, a, 0)->name, "PCMU");
	assert_string_equal(sdp_codec_by_pt(s, a, 8)->name, "PCMA");
	assert_int_equal(sdp_codec_by_pt(s, a, 101)->clock, 8000);
	assert_int_equal(sdp_opus_pt(s, NULL), 109);
	/* rtcp-fb:* applies to every payload type */
	assert_true(sdp_codec_has_fb(sdp_codec_by_pt(s, v, 124), "nack"));
	assert_true(sdp_codec_has_fb(sdp_codec_by_pt(s, v, 121), "nack"));
	assert_int_equal(sdp_codec_by_pt(s, v, 125)->apt, 121);
	assert_int_equal(v->n_rids, 3);
	assert_string_equal(v->rids[2], "l send");
	assert_string_equal(v->simulcast, "send h;m;l");
	assert_int_equal(v->n_cands, 5);
	const struct sdp_candidate *c = sdp_media_cand(s, v, 1);
	assert_true(c->tcp);
	assert_int_equal(c->port, 9);
	c = sdp_media_cand(s, v, 2);
	assert_int_equal(c->type, SDP_CAND_SRFLX);
	assert_string_equal(c->rel_addr, "198.51.100.7");
	assert_int_equal(c->rel_port, 51234);
	assert_int_equal(sdp_media_cand(s, v, 3)->type, SDP_CAND_RELAY);
	assert_string_equal(sdp_media_cand(s, v, 4)->address,
			    "3fa8c2e1-6b0d-4c5a-9e2f-7d1b3a8c6e40.local");
	assert_true(v->end_of_candidates);
	assert_false(a->end_of_candidates);
	sdp_session_destroy(s);
}

static void test_blank_lines_and_mixed_eol(void **state)
{
	/* AudioBridge's fmtp value carries its own CRLF, which yields an empty line */
	static const char t[] =
		"v=0\r\no=- 1 1 IN IP4 0.0.0.0\ns=-\r\nt=0 0\r\n"
		"a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"
		"a=fmtp:111 useinbandfec=1\r\n\r\na=mid:0\n\na=recvonly";	/* no final EOL */
	struct sdp_session *s = parse_ok(t);
	assert_string_equal(s->media[0].mid, "0");
	assert_int_equal(s->media[0].dir, SDP_DIR_RECVONLY);
	assert_string_equal(s->media[0].ice_ufrag, "abcd");
	sdp_session_destroy(s);
}

static void test_fingerprint_helpers(void **state)
{
	uint8_t b[SDP_FP_MAX_BYTES], b2[SDP_FP_MAX_BYTES];
	char str[SDP_FP_STR_LEN];
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(i * 37 + 5);
	assert_int_equal(sdp_fingerprint_to_hex(b, 32, str, sizeof(str)), 95);
	assert_int_equal(strlen(str), 95);
	assert_int_equal(sdp_fingerprint_from_hex(str, b2, sizeof(b2)), 32);
	assert_memory_equal(b, b2, 32);
	assert_int_equal(sdp_fingerprint_to_hex(b, 32, str, 95), -ENOSPC);
	assert_int_equal(sdp_fingerprint_from_hex("ab:Cd:0f", b2, sizeof(b2)), 3);
	assert_int_equal(b2[1], 0xcd);
	static const char *const bad[] = { "", "a", "abc", "ab:", ":ab", "ab::cd", "ab-cd", "gg",
					   "ab:cd:" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sdp_fingerprint_from_hex(bad[i], b2, sizeof(b2)), -EINVAL);
	assert_int_equal(sdp_fingerprint_from_hex("ab:cd:ef", b2, 2), -EINVAL);
	char big[65 * 3 + 1];
	for (int i = 0; i < 65; i++)
		memcpy(big + i * 3, "00:", 3);
	big[65 * 3 - 1] = '\0';
	assert_int_equal(sdp_fingerprint_from_hex(big, b2, sizeof(b2)), -EINVAL);
}

/* A minimal valid SDP with one extra m-line section appended. */
static char *with_media(const char *extra)
{
	static char buf[16384];
	snprintf(buf, sizeof(buf), "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
		 "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n%s", extra);
	return buf;
}

static void test_malformed(void **state)
{
	static const char *const bad_media[] = {
		"a=rtpmap:111 opus\r\n",
		"a=rtpmap:111 opus/0/2\r\n",
		"a=rtpmap:111 opus/48000/256\r\n",
		"a=rtpmap:111 opus/4294967296\r\n",
		"a=rtpmap:111\r\n",
		"a=rtpmap:128 opus/48000\r\n",
		"a=extmap:0 urn:x\r\n",
		"a=extmap:256 urn:x\r\n",
		"a=extmap:1\r\n",
		"a=fingerprint:sha-256\r\n",
		"a=fingerprint:sha-256 AB:CD\r\n",
		"a=fingerprint:foo-1 AB:CD\r\n",
		"a=setup:sideways\r\n",
		"a=ice-ufrag:ab\r\n",
		"a=ice-ufrag:ab\"cd\r\n",
		"a=ice-pwd:tooshort\r\n",
		"a=mid:\r\n",
		"a=mid:0123456789012345678901234567890123\r\n",
		"a=ssrc:4294967296 cname:x\r\n",
		"a=ssrc:1\r\n",
		"a=ssrc-group:FID 1 2 3 4 5\r\n",
		"a=ssrc-group:FID\r\n",
		"a=sctp-port:70000\r\n",
		"a=max-message-size:-1\r\n",
		"m=audio 70000 RTP/AVP 0\r\n",
		"m=audio 9 RTP/AVP 128\r\n",
		"m=audio 9 RTP/AVP x\r\n",
		"m=audio 9\r\n",
		"m=audio 9 RTP/AVP\r\n",
		"m=audio\r\n",
		"o=- 1 1 IN IP4 0.0.0.0\r\n",
		"v=0\r\n",
		"garbage\r\n",
		"A=upper\r\n",
		"a=rtcp-mux\rx\r\n",
		"a=\r\n",
	};
	for (size_t i = 0; i < sizeof(bad_media) / sizeof(bad_media[0]); i++) {
		const char *t = with_media(bad_media[i]);
		if (parse_str(t) != -EINVAL)
			fail_msg("accepted: %s", bad_media[i]);
	}
	assert_int_equal(parse_str(with_media("a=sendonly\r\n")), 0);	/* the base is valid */
	assert_int_equal(parse_str(""), -EINVAL);
	assert_int_equal(parse_str("v=1\r\nm=audio 9 RTP/AVP 0\r\n"), -EINVAL);
	assert_int_equal(parse_str("v=0\r\ns=-\r\n"), -EINVAL);	/* no m-line */
	assert_int_equal(parse_str("m=audio 9 RTP/AVP 0\r\n"), -EINVAL);	/* no v= */
	assert_int_equal(parse_str("v=0\r\no=- x 1 IN IP4 0\r\nm=audio 9 RTP/AVP 0\r\n"),
			 -EINVAL);
	assert_int_equal(parse_str("v=0\r\no=- 99999999999999999999 1 IN IP4 0\r\n"
				   "m=audio 9 RTP/AVP 0\r\n"), -EINVAL);

	/* NUL inside */
	char nul[] = "v=0\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\0x\r\n";
	assert_int_equal(parse_len(nul, sizeof(nul) - 1), -EINVAL);
	assert_int_equal(parse_len(nul, 24), 0);	/* the prefix before a=mid is fine */

	/* SDP_MAX_MLINES + 1 m-lines, over 64 KiB, one overlong line */
	char *big = malloc(SDP_MAX_LEN + 16);
	size_t n = (size_t)sprintf(big, "v=0\r\n");
	for (int i = 0; i < SDP_MAX_MLINES; i++)
		n += (size_t)sprintf(big + n, "m=audio 9 RTP/AVP 0\r\na=mid:%d\r\n", i);
	assert_int_equal(parse_len(big, n), 0);
	n += (size_t)sprintf(big + n, "m=audio 9 RTP/AVP 0\r\n");
	assert_int_equal(parse_len(big, n), -E2BIG);
	memset(big, 'x', SDP_MAX_LEN + 1);
	memcpy(big, "v=0\r\nm=audio 9 RTP/AVP 0\r\ns=", 28);
	assert_int_equal(parse_len(big, SDP_MAX_LEN + 1), -E2BIG);
	big[SDP_MAX_LEN - 2] = '\r';
	big[SDP_MAX_LEN - 1] = '\n';
	assert_int_equal(parse_len(big, SDP_MAX_LEN), -EINVAL);	/* line over SDP_MAX_LINE */
	free(big);

	/* every truncation of a real SDP is handled (valid prefix or an error, no crash) */
	size_t len = strlen(vr_offer);
	int ok = 0;
	for (size_t cut = 0; cut < len; cut++)
		ok += parse_len(vr_offer, cut) == 0;
	assert_true(ok > 0 && (size_t)ok < len);
}

static void test_clipping(void **state)
{
	char extra[8192];
	size_t n = 0;
	for (int i = 0; i < 40; i++)
		n += (size_t)sprintf(extra + n, "a=candidate:%d 1 udp 1 192.0.2.%d %d typ host\r\n",
				     i, i, 1000 + i);
	n += (size_t)sprintf(extra + n, "a=candidate:x 1 quic 1 192.0.2.1 1 typ host\r\n");
	n += (size_t)sprintf(extra + n, "a=candidate:y 1 udp 1 192.0.2.1 1 typ weird\r\n");
	for (int i = 1; i <= 20; i++)
		n += (size_t)sprintf(extra + n, "a=extmap:%d urn:test:%d\r\n", i, i);
	n += (size_t)sprintf(extra + n, "a=rtpmap:99 notinmline/8000\r\n");
	n += (size_t)sprintf(extra + n, "a=fmtp:111 ");
	for (int i = 0; i < 30; i++)
		n += (size_t)sprintf(extra + n, "param%d=1;", i);
	n += (size_t)sprintf(extra + n, "\r\na=unknown-attribute:with value\r\n");
	struct sdp_session *s = parse_ok(with_media(extra));
	const struct sdp_media *m = &s->media[0];
	assert_int_equal(m->n_cands, SDP_MAX_CANDIDATES);
	assert_int_equal(sdp_media_cand(s, m, 31)->port, 1031);
	assert_int_equal(m->n_extmaps, SDP_MAX_EXTMAPS);
	assert_int_equal(sdp_codec_by_pt(s, m, 111)->fmtp[0], '\0');
	/* 8 extra candidates, 2 bad ones, 4 extmaps, 1 stray rtpmap, 1 long fmtp */
	assert_int_equal(m->dropped, 8 + 2 + 4 + 1 + 1);
	sdp_session_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audiobridge_answer),
		cmocka_unit_test(test_textroom_offer),
		cmocka_unit_test(test_videoroom_offer),
		cmocka_unit_test(test_browser_offer),
		cmocka_unit_test(test_blank_lines_and_mixed_eol),
		cmocka_unit_test(test_fingerprint_helpers),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_clipping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
