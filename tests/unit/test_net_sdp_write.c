/* Unit tests for net/sdp_write: our offers (audio, video, both) and answers to Janus's
 * offers, each parsed back with net/sdp; bounds and bad parameters. */
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

static const char our_fp[] =
	"AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
	"AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

static const char *const test_cands[] = {
	"candidate:1 1 udp 2130706431 192.0.2.10 50000 typ host",
	"2 1 udp 1694498815 203.0.113.4 50001 typ srflx raddr 192.0.2.10 rport 50000",
};

static struct sdp_audio_offer base_offer(void)
{
	struct sdp_audio_offer o = {
		.local = { .sess_id = 4242, .sess_version = 2, .ice_ufrag = "Ufr4",
			   .ice_pwd = "pwdpwdpwdpwdpwdpwdpwd1", .fingerprint = our_fp,
			   .cands = test_cands, .n_cands = 2, .cands_done = true },
		.dir = SDP_DIR_SENDRECV, .max_bitrate = 24000, .ssrc = 0x11223344,
		.cname = "ttm-cname",
	};
	return o;
}

static void test_audio_offer_round_trip(void **state)
{
	struct sdp_audio_offer o = base_offer();
	char buf[4096];
	int n = sdp_write_audio_offer(buf, sizeof(buf), &o);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_non_null(strstr(buf, "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1;"
				    "maxaveragebitrate=24000\r\n"));
	assert_null(strstr(buf, "transport-cc"));
	assert_null(strstr(buf, "a=ice-options:trickle"));

	struct sdp_session *s = parse_ok(buf);
	const struct sdp_media *m = &s->media[0];
	uint8_t fp[32], want[32];
	assert_int_equal(s->n_media, 1);
	assert_int_equal(s->sess_id, 4242);
	assert_int_equal(s->sess_version, 2);
	assert_string_equal(s->bundle[0], "0");
	assert_string_equal(m->mid, "0");
	assert_string_equal(m->proto, "UDP/TLS/RTP/SAVPF");
	assert_string_equal(m->ice_ufrag, "Ufr4");
	assert_string_equal(m->ice_pwd, "pwdpwdpwdpwdpwdpwdpwd1");
	assert_int_equal(sdp_fingerprint_sha256(m, fp), 0);
	assert_int_equal(sdp_fingerprint_from_hex(our_fp, want, sizeof(want)), 32);
	assert_memory_equal(fp, want, 32);
	assert_int_equal(m->setup, SDP_SETUP_ACTPASS);
	assert_true(m->rtcp_mux);
	assert_int_equal(m->dir, SDP_DIR_SENDRECV);
	assert_int_equal(sdp_opus_pt(s, NULL), 111);
	assert_int_equal(sdp_codec_by_pt(s, m, 111)->channels, 2);
	assert_int_equal(sdp_extmap_id(m, SDP_URI_AUDIO_LEVEL), 1);
	assert_int_equal(sdp_extmap_id(m, SDP_URI_MID), 2);
	assert_int_equal(m->n_ssrcs, 1);
	assert_int_equal(m->ssrcs[0].ssrc, 0x11223344);
	assert_string_equal(m->ssrcs[0].cname, "ttm-cname");
	assert_int_equal(m->n_cands, 2);
	assert_string_equal(sdp_media_cand(s, m, 0)->raw, test_cands[0] + 10);
	assert_string_equal(sdp_media_cand(s, m, 1)->raw, test_cands[1]);
	assert_int_equal(sdp_media_cand(s, m, 1)->type, SDP_CAND_SRFLX);
	assert_true(m->end_of_candidates);

	/* trickle variant with other ids, pt, mid, direction and transport-cc */
	o.local.n_cands = 0;
	o.local.cands_done = false;
	o.mid = "audio";
	o.opus_pt = 100;
	o.level_ext_id = 3;
	o.mid_ext_id = 4;
	o.transport_cc = true;
	o.dir = SDP_DIR_SENDONLY;
	o.max_bitrate = 0;
	assert_true(sdp_write_audio_offer(buf, sizeof(buf), &o) > 0);
	assert_null(strstr(buf, "maxaveragebitrate"));
	assert_non_null(strstr(buf, "a=ice-options:trickle"));
	assert_int_equal(sdp_parse(buf, strlen(buf), s), 0);
	m = &s->media[0];
	assert_string_equal(s->bundle[0], "audio");
	assert_string_equal(m->mid, "audio");
	assert_int_equal(m->dir, SDP_DIR_SENDONLY);
	assert_int_equal(sdp_opus_pt(s, NULL), 100);
	assert_int_equal(sdp_extmap_id(m, SDP_URI_AUDIO_LEVEL), 3);
	assert_int_equal(sdp_extmap_id(m, SDP_URI_MID), 4);
	int twcc = sdp_extmap_id(m, SDP_URI_TWCC);
	assert_true(twcc > 0 && twcc != 3 && twcc != 4);
	assert_true(sdp_codec_has_fb(sdp_codec_by_pt(s, m, 100), "transport-cc"));
	assert_int_equal(m->n_cands, 0);
	assert_false(m->end_of_candidates);
	sdp_session_destroy(s);
}

static void test_video_offer(void **state)
{
	struct sdp_audio_offer a = base_offer();
	struct sdp_video_offer o = { .local = a.local, .ssrc = 0x55667788, .cname = "cn",
				     .max_kbps = 150 };
	struct sdp_session *s2;
	char buf[4096];
	int n = sdp_write_video_offer(buf, sizeof(buf), &o);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_non_null(strstr(buf, "b=AS:150\r\n"));
	struct sdp_session *s = parse_ok(buf);
	const struct sdp_media *m = &s->media[0];
	assert_int_equal(s->n_media, 1);
	assert_int_equal(m->kind, SDP_KIND_VIDEO);
	assert_int_equal(m->dir, SDP_DIR_SENDONLY);
	assert_int_equal(m->setup, SDP_SETUP_ACTPASS);
	assert_true(m->rtcp_mux);
	assert_int_equal(sdp_find_codec(s, m, "VP8", 90000), 96);
	const struct sdp_codec *c = sdp_codec_by_pt(s, m, 96);
	assert_true(sdp_codec_has_fb(c, "nack"));
	assert_true(sdp_codec_has_fb(c, "nack pli"));
	assert_true(sdp_codec_has_fb(c, "ccm fir"));
	assert_int_equal(sdp_extmap_id(m, SDP_URI_MID), 1);
	assert_int_equal(m->ssrcs[0].ssrc, 0x55667788);
	assert_int_equal(m->n_cands, 2);
	assert_true(m->end_of_candidates);
	/* bounds: every short buffer fails cleanly, bad parameters are refused */
	for (size_t cap = 0; cap <= (size_t)n; cap += 7)
		assert_int_equal(sdp_write_video_offer(buf, cap, &o), -ENOSPC);
	o.ssrc = 0;
	assert_int_equal(sdp_write_video_offer(buf, sizeof(buf), &o), -EINVAL);
	o.ssrc = 1;
	o.vp8_pt = 20;
	assert_int_equal(sdp_write_video_offer(buf, sizeof(buf), &o), -EINVAL);
	o.vp8_pt = 0;
	o.simulcast_low = 0x1111;
	assert_true(sdp_write_video_offer(buf, sizeof(buf), &o) > 0);
	s2 = parse_ok(buf);
	assert_int_equal(s2->media[0].n_ssrc_groups, 1);
	assert_string_equal(s2->media[0].ssrc_groups[0].semantics, "SIM");
	assert_int_equal(s2->media[0].ssrc_groups[0].ssrcs[0], 0x1111);
	assert_int_equal(s2->media[0].ssrc_groups[0].ssrcs[1], 1);
	sdp_session_destroy(s2);
	o.simulcast_low = 0;
	o.vp9 = true;
	assert_true(sdp_write_video_offer(buf, sizeof(buf), &o) > 0);
	assert_non_null(strstr(buf, "a=rtpmap:96 VP9/90000\r\na=fmtp:96 profile-id=0\r\n"));
	o.mid = "a b";
	assert_int_equal(sdp_write_video_offer(buf, sizeof(buf), &o), -EINVAL);
	sdp_session_destroy(s);
	(void)state;
}

/* A VideoRoom publisher with both: one bundled offer, audio then video, one transport. */
static void test_av_offer(void **state)
{
	struct sdp_audio_offer a = base_offer();
	a.dir = SDP_DIR_SENDONLY;
	struct sdp_video_offer v = { .ssrc = 0x55667788, .simulcast_low = 0x99aabbcc,
				     .cname = "cn", .max_kbps = 150, .mid_ext_id = 9 };
	char buf[8192];
	int n = sdp_write_av_offer(buf, sizeof(buf), &a, &v);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_non_null(strstr(buf, "a=group:BUNDLE 0 1\r\n"));
	struct sdp_session *s = parse_ok(buf);
	assert_int_equal(s->n_media, 2);
	assert_int_equal(s->n_bundle, 2);
	const struct sdp_media *am = &s->media[0], *vm = &s->media[1];
	assert_int_equal(am->kind, SDP_KIND_AUDIO);
	assert_string_equal(am->mid, "0");
	assert_int_equal(am->dir, SDP_DIR_SENDONLY);
	assert_int_equal(sdp_find_codec(s, am, "opus", 48000), 111);
	assert_int_equal(am->ssrcs[0].ssrc, 0x11223344);
	assert_int_equal(am->n_cands, 2); /* the bundle's transport, once */
	assert_int_equal(vm->kind, SDP_KIND_VIDEO);
	assert_string_equal(vm->mid, "1");
	assert_int_equal(vm->dir, SDP_DIR_SENDONLY);
	assert_true(vm->rtcp_mux);
	assert_int_equal(sdp_find_codec(s, vm, "VP8", 90000), 96);
	assert_true(sdp_codec_has_fb(sdp_codec_by_pt(s, vm, 96), "nack pli"));
	/* one id per URI: the video's mid extension is the audio's (2), not the 9 asked for */
	assert_int_equal(sdp_extmap_id(vm, SDP_URI_MID), 2);
	assert_int_equal(sdp_extmap_id(am, SDP_URI_MID), 2);
	assert_string_equal(vm->ice_ufrag, am->ice_ufrag);
	assert_int_equal(vm->n_cands, 0);
	assert_int_equal(vm->n_ssrc_groups, 1);
	assert_int_equal(vm->ssrc_groups[0].ssrcs[0], 0x99aabbcc);
	assert_int_equal(vm->ssrc_groups[0].ssrcs[1], 0x55667788);
	assert_non_null(strstr(buf, "b=AS:150\r\n"));
	sdp_session_destroy(s);
	/* bounds: every short buffer fails cleanly */
	for (size_t cap = 0; cap <= (size_t)n; cap += 5)
		assert_int_equal(sdp_write_av_offer(buf, cap, &a, &v), -ENOSPC);
	/* VP9 */
	v.vp9 = true;
	assert_true(sdp_write_av_offer(buf, sizeof(buf), &a, &v) > 0);
	assert_non_null(strstr(buf, "a=rtpmap:96 VP9/90000\r\na=fmtp:96 profile-id=0\r\n"));
	/* clashes are refused: the same mid, payload type or SSRC on both m-lines */
	v.mid = "0";
	assert_int_equal(sdp_write_av_offer(buf, sizeof(buf), &a, &v), -EINVAL);
	v.mid = NULL;
	v.vp8_pt = 111;
	assert_int_equal(sdp_write_av_offer(buf, sizeof(buf), &a, &v), -EINVAL);
	v.vp8_pt = 0;
	v.ssrc = a.ssrc;
	assert_int_equal(sdp_write_av_offer(buf, sizeof(buf), &a, &v), -EINVAL);
	v.ssrc = 0x55667788;
	v.simulcast_low = a.ssrc;
	assert_int_equal(sdp_write_av_offer(buf, sizeof(buf), &a, &v), -EINVAL);
	v.simulcast_low = 0;
	a.level_ext_id = 2;
	a.mid_ext_id = 1;
	assert_true(sdp_write_av_offer(buf, sizeof(buf), &a, &v) > 0);
	a.level_ext_id = 0;
	a.mid_ext_id = 0;
	v.ssrc = 0;
	assert_int_equal(sdp_write_av_offer(buf, sizeof(buf), &a, &v), -EINVAL);
	/* a direct call's offer (use_dir): the video's direction as asked; without an SSRC only
	 * where we do not send, with one only where we do */
	static const enum sdp_dir dirs[] = { SDP_DIR_SENDRECV, SDP_DIR_SENDONLY, SDP_DIR_RECVONLY,
					     SDP_DIR_INACTIVE };
	v.use_dir = true;
	for (int k = 0; k < 4; k++) {
		bool sends = dirs[k] == SDP_DIR_SENDRECV || dirs[k] == SDP_DIR_SENDONLY;
		v.dir = dirs[k];
		v.ssrc = sends ? 0x55667788 : 0;
		n = sdp_write_av_offer(buf, sizeof(buf), &a, &v);
		assert_true(n > 0);
		struct sdp_session *d = parse_ok(buf);
		assert_int_equal(d->media[1].dir, dirs[k]);
		assert_int_equal(d->media[1].n_ssrcs, sends ? 1 : 0);
		sdp_session_destroy(d);
		v.ssrc = sends ? 0 : 0x55667788;
		assert_int_equal(sdp_write_av_offer(buf, sizeof(buf), &a, &v), -EINVAL);
	}
	v.dir = SDP_DIR_INACTIVE + 1;
	assert_int_equal(sdp_write_av_offer(buf, sizeof(buf), &a, &v), -EINVAL);
	/* only in a combined offer: a VideoRoom publisher's is send-only */
	v.dir = SDP_DIR_SENDRECV;
	v.local = a.local;
	assert_int_equal(sdp_write_video_offer(buf, sizeof(buf), &v), -EINVAL);
	(void)state;
}

static void test_audio_offer_enospc(void **state)
{
	struct sdp_audio_offer o = base_offer();
	char full[4096], small[4096];
	int n = sdp_write_audio_offer(full, sizeof(full), &o);
	assert_true(n > 0);
	for (size_t cap = 0; cap <= (size_t)n; cap++)
		assert_int_equal(sdp_write_audio_offer(small, cap, &o), -ENOSPC);
	assert_int_equal(sdp_write_audio_offer(small, (size_t)n + 1, &o), n);
	assert_string_equal(small, full);
}

static void test_audio_offer_bad_params(void **state)
{
	char buf[4096];
	static const char *const evil[] = { "1 1 udp 1 192.0.2.1 1 typ host\r\na=setup:passive" };
	struct sdp_audio_offer o = base_offer();
	o.local.cands = evil;
	o.local.n_cands = 1;
	assert_int_equal(sdp_write_audio_offer(buf, sizeof(buf), &o), -EINVAL);
	o = base_offer();
	o.local.fingerprint = "AB:CD";	/* not sha-256 sized */
	assert_int_equal(sdp_write_audio_offer(buf, sizeof(buf), &o), -EINVAL);
	o = base_offer();
	o.local.ice_pwd = "short";
	assert_int_equal(sdp_write_audio_offer(buf, sizeof(buf), &o), -EINVAL);
	o = base_offer();
	o.local.ice_ufrag = NULL;
	assert_int_equal(sdp_write_audio_offer(buf, sizeof(buf), &o), -EINVAL);
	o = base_offer();
	o.mid = "a b";
	assert_int_equal(sdp_write_audio_offer(buf, sizeof(buf), &o), -EINVAL);
	o = base_offer();
	o.level_ext_id = 2;	/* collides with the default mid id */
	assert_int_equal(sdp_write_audio_offer(buf, sizeof(buf), &o), -EINVAL);
	o = base_offer();
	o.cname = "x\ny";
	assert_int_equal(sdp_write_audio_offer(buf, sizeof(buf), &o), -EINVAL);
}

static struct sdp_answer_opts base_answer(void)
{
	struct sdp_answer_opts o = {
		.local = { .sess_id = 77, .sess_version = 1, .ice_ufrag = "AnsU",
			   .ice_pwd = "answeranswerpwd0123456", .fingerprint = our_fp,
			   .cands = test_cands, .n_cands = 2, .cands_done = true },
		.accept_audio = true, .accept_video = true, .accept_data = true,
		.audio_dir = SDP_DIR_RECVONLY, .video_dir = SDP_DIR_RECVONLY,
	};
	return o;
}

static struct sdp_session *answer_parsed(const char *offer_text, const struct sdp_answer_opts *o,
					 char *buf, size_t cap)
{
	struct sdp_session *offer = parse_ok(offer_text);
	int n = sdp_write_answer(buf, cap, offer, o);
	assert_true(n > 0);
	struct sdp_session *ans = parse_ok(buf);
	assert_int_equal(ans->n_media, offer->n_media);
	for (unsigned int i = 0; i < offer->n_media; i++) {
		assert_string_equal(ans->media[i].mid, offer->media[i].mid);
		assert_string_equal(ans->media[i].kind_name, offer->media[i].kind_name);
	}
	sdp_session_destroy(offer);
	return ans;
}

static void test_answer_textroom(void **state)
{
	struct sdp_answer_opts o = base_answer();
	char buf[4096];
	o.max_message_size = 262144;
	struct sdp_session *s = answer_parsed(tr_offer, &o, buf, sizeof(buf));
	const struct sdp_media *m = &s->media[0];
	assert_int_equal(m->kind, SDP_KIND_APPLICATION);
	assert_int_equal(m->port, 9);
	assert_string_equal(m->proto, "UDP/DTLS/SCTP");
	assert_string_equal(m->fmts, "webrtc-datachannel");
	assert_int_equal(m->sctp_port, 5000);
	assert_int_equal(m->max_message_size, 262144);
	assert_int_equal(m->setup, SDP_SETUP_ACTIVE);
	assert_string_equal(m->ice_ufrag, "AnsU");
	assert_int_equal(m->n_cands, 2);
	assert_true(m->end_of_candidates);
	assert_int_equal(s->n_bundle, 1);
	assert_string_equal(s->bundle[0], "0");

	/* declining data channels rejects the m-line but keeps its mid */
	o.accept_data = false;
	sdp_session_destroy(s);
	s = answer_parsed(tr_offer, &o, buf, sizeof(buf));
	assert_int_equal(s->media[0].port, 0);
	assert_int_equal(s->n_bundle, 0);
	sdp_session_destroy(s);
}

static void test_answer_videoroom(void **state)
{
	struct sdp_answer_opts o = base_answer();
	char buf[8192];
	struct sdp_session *s = answer_parsed(vr_offer, &o, buf, sizeof(buf));
	const struct sdp_media *a = &s->media[0], *v = &s->media[1];
	assert_int_equal(s->n_bundle, 2);
	assert_int_equal(a->port, 9);
	assert_int_equal(a->dir, SDP_DIR_RECVONLY);
	assert_true(a->rtcp_mux);
	assert_int_equal(sdp_opus_pt(s, NULL), 111);
	assert_int_equal(sdp_extmap_id(a, SDP_URI_AUDIO_LEVEL), 4);	/* the offered id */
	assert_int_equal(sdp_extmap_id(a, SDP_URI_MID), 1);
	assert_int_equal(v->port, 9);
	assert_int_equal(v->dir, SDP_DIR_RECVONLY);
	assert_int_equal(v->setup, SDP_SETUP_ACTIVE);
	assert_int_equal(v->n_codecs, 1);	/* rtx declined */
	const struct sdp_codec *vp8 = sdp_codec_by_pt(s, v, 96);
	assert_non_null(vp8);
	assert_string_equal(vp8->name, "VP8");
	assert_int_equal(vp8->n_fb, 3);
	assert_true(sdp_codec_has_fb(vp8, "nack"));
	assert_true(sdp_codec_has_fb(vp8, "nack pli"));
	assert_true(sdp_codec_has_fb(vp8, "ccm fir"));
	assert_false(sdp_codec_has_fb(vp8, "goog-remb"));
	assert_int_equal(v->n_extmaps, 1);
	assert_int_equal(sdp_extmap_id(v, SDP_URI_MID), 1);
	assert_int_equal(v->n_ssrcs, 0);	/* we send nothing */
	assert_int_equal(a->n_cands, 2);	/* candidates once, on the first m-line */
	assert_int_equal(v->n_cands, 0);
	assert_null(strstr(buf, "ssrc-group"));

	o.allow_rtx = true;
	sdp_session_destroy(s);
	s = answer_parsed(vr_offer, &o, buf, sizeof(buf));
	v = &s->media[1];
	assert_int_equal(v->n_codecs, 2);
	assert_int_equal(sdp_codec_by_pt(s, v, 97)->apt, 96);

	o.accept_video = false;
	sdp_session_destroy(s);
	s = answer_parsed(vr_offer, &o, buf, sizeof(buf));
	assert_int_equal(s->media[1].port, 0);
	assert_int_equal(s->n_bundle, 1);
	assert_string_equal(s->bundle[0], "0");
	sdp_session_destroy(s);
}

static void test_answer_rejects_unknown(void **state)
{
	static const char offer[] =
		"v=0\r\no=- 5 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a v t d\r\n"
		"a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\na=setup:active\r\n"
		"a=fingerprint:sha-256 " "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
		"AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\n"
		"m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:a\r\na=rtcp-mux\r\n"
		"m=video 9 UDP/TLS/RTP/SAVPF 102 98\r\na=mid:v\r\na=rtcp-mux\r\n"
		"a=rtpmap:102 H264/90000\r\na=rtpmap:98 VP9/90000\r\na=fmtp:98 profile-id=0\r\n"
		"m=text 9 RTP/AVP 98\r\na=mid:t\r\n"
		"m=application 9 DTLS/SCTP 5000\r\na=mid:d\r\n"
		"a=sctpmap:5000 webrtc-datachannel\r\n";
	struct sdp_answer_opts o = base_answer();
	char buf[8192];
	struct sdp_session *s = answer_parsed(offer, &o, buf, sizeof(buf));
	for (int i = 0; i < 4; i++)
		assert_int_equal(s->media[i].port, 0);	/* PCMU, H264/VP9, text, legacy */
	assert_int_equal(s->n_bundle, 0);
	assert_int_equal(s->media[2].kind, SDP_KIND_OTHER);
	assert_string_equal(s->media[2].kind_name, "text");
	sdp_session_destroy(s);

	/* VP9 when allowed; their setup:active makes us passive */
	o.allow_vp9 = true;
	s = answer_parsed(offer, &o, buf, sizeof(buf));
	assert_int_equal(s->media[1].port, 9);
	assert_int_equal(s->media[1].setup, SDP_SETUP_PASSIVE);
	assert_int_equal(s->media[1].n_codecs, 1);
	assert_string_equal(sdp_codec_by_pt(s, &s->media[1], 98)->fmtp, "profile-id=0");
	assert_string_equal(s->bundle[0], "v");
	sdp_session_destroy(s);
}

static void test_answer_enospc_and_dir(void **state)
{
	struct sdp_session *offer = parse_ok(vr_offer);
	struct sdp_answer_opts o = base_answer();
	char full[8192], small[8192];
	int n = sdp_write_answer(full, sizeof(full), offer, &o);
	assert_true(n > 0);
	for (size_t cap = 0; cap <= (size_t)n; cap += 7)
		assert_int_equal(sdp_write_answer(small, cap, offer, &o), -ENOSPC);
	assert_int_equal(sdp_write_answer(small, (size_t)n + 1, offer, &o), n);
	o.local.fingerprint = NULL;
	assert_int_equal(sdp_write_answer(small, sizeof(small), offer, &o), -EINVAL);
	sdp_session_destroy(offer);

	assert_int_equal(sdp_answer_dir(SDP_DIR_SENDONLY, SDP_DIR_RECVONLY), SDP_DIR_RECVONLY);
	assert_int_equal(sdp_answer_dir(SDP_DIR_SENDRECV, SDP_DIR_RECVONLY), SDP_DIR_RECVONLY);
	assert_int_equal(sdp_answer_dir(SDP_DIR_SENDRECV, SDP_DIR_SENDRECV), SDP_DIR_SENDRECV);
	assert_int_equal(sdp_answer_dir(SDP_DIR_RECVONLY, SDP_DIR_RECVONLY), SDP_DIR_INACTIVE);
	assert_int_equal(sdp_answer_dir(SDP_DIR_RECVONLY, SDP_DIR_SENDRECV), SDP_DIR_SENDONLY);
	assert_int_equal(sdp_answer_dir(SDP_DIR_INACTIVE, SDP_DIR_SENDRECV), SDP_DIR_INACTIVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audio_offer_round_trip),
		cmocka_unit_test(test_video_offer),
		cmocka_unit_test(test_av_offer),
		cmocka_unit_test(test_audio_offer_enospc),
		cmocka_unit_test(test_audio_offer_bad_params),
		cmocka_unit_test(test_answer_textroom),
		cmocka_unit_test(test_answer_videoroom),
		cmocka_unit_test(test_answer_rejects_unknown),
		cmocka_unit_test(test_answer_enospc_and_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
