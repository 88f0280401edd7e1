/* SDP writer (see sdp.h): our offers (AudioBridge audio, VideoRoom publisher video, or both for a VideoRoom
 * meeting) and answers
 * to Janus offers. Appends to a bounded caller buffer and reports -ENOSPC instead of
 * truncating. Pure code, any thread.
 */
#include "net/sdp.h"
#include "net/sdp_int.h"
#include "util/sbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *dir_name(enum sdp_dir d)
{
	static const char *const names[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
	return (unsigned int)d < 4 ? names[d] : "inactive";
}

static const char *setup_name(enum sdp_setup s)
{
	static const char *const names[] = { "actpass", "actpass", "active", "passive",
					     "holdconn" };
	return (unsigned int)s < 5 ? names[s] : "actpass";
}

/* A string safe to put on an SDP line: 1..max bytes, no blanks or controls. */
static bool word_ok(const char *v, size_t max)
{
	return v && strlen(v) <= max && sdp_token_ok(v, strlen(v));
}

static int check_local(const struct sdp_local *l)
{
	uint8_t fp[SDP_FP_MAX_BYTES];
	if (!l->ice_ufrag || !sdp_ice_str_ok(l->ice_ufrag, 4, SDP_ICE_LEN) || !l->ice_pwd ||
	    !sdp_ice_str_ok(l->ice_pwd, 22, SDP_ICE_LEN) || !l->fingerprint ||
	    sdp_fingerprint_from_hex(l->fingerprint, fp, sizeof(fp)) != 32)
		return -EINVAL;
	if (l->n_cands && !l->cands)
		return -EINVAL;
	for (size_t i = 0; i < l->n_cands; i++) {
		const char *c = l->cands[i];
		if (!c)
			return -EINVAL;
		if (strncmp(c, "candidate:", 10) == 0)
			c += 10;
		if (*c == '\0' || strlen(c) > 255 || strpbrk(c, "\r\n"))
			return -EINVAL;
	}
	return 0;
}

static void put_session(struct sbuf *b, const struct sdp_local *l)
{
	sbuf_put(b, "v=0\r\no=- %llu %llu IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n",
	    (unsigned long long)l->sess_id, (unsigned long long)l->sess_version);
}

/* Transport lines of an accepted m-line; candidates only on the first one (BUNDLE). */
static void put_transport(struct sbuf *b, const struct sdp_local *l, enum sdp_setup setup,
			  const char *mid)
{
	sbuf_put(b, "c=IN IP4 0.0.0.0\r\na=mid:%s\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", mid,
	    l->ice_ufrag, l->ice_pwd);
	if (!l->cands_done)
		sbuf_put(b, "a=ice-options:trickle\r\n");
	sbuf_put(b, "a=fingerprint:sha-256 %s\r\na=setup:%s\r\n", l->fingerprint, setup_name(setup));
}

static void put_cands(struct sbuf *b, const struct sdp_local *l)
{
	for (size_t i = 0; i < l->n_cands; i++) {
		const char *c = l->cands[i];
		sbuf_put(b, "a=candidate:%s\r\n", strncmp(c, "candidate:", 10) == 0 ? c + 10 : c);
	}
	if (l->cands_done)
		sbuf_put(b, "a=end-of-candidates\r\n");
}

/* Our offers' m-lines. Each checks its own parameters; -EINVAL on bad ones. */
static int audio_ok(const struct sdp_audio_offer *o)
{
	const char *mid = o->mid ? o->mid : "0";
	const char *cname = o->cname ? o->cname : "ttymeet";
	unsigned int pt = o->opus_pt ? o->opus_pt : 111;
	unsigned int lvl = o->level_ext_id ? o->level_ext_id : 1;
	unsigned int mid_id = o->mid_ext_id ? o->mid_ext_id : 2;
	if (check_local(&o->local) < 0 || !word_ok(mid, SDP_MID_LEN) || !word_ok(cname, 63) ||
	    pt < 96 || pt > 127 || lvl > 14 || mid_id > 14 || lvl == mid_id ||
	    (unsigned int)o->dir > SDP_DIR_INACTIVE)
		return -EINVAL;
	return 0;
}

static void put_audio_mline(struct sbuf *b, const struct sdp_audio_offer *o)
{
	const char *mid = o->mid ? o->mid : "0";
	const char *cname = o->cname ? o->cname : "ttymeet";
	unsigned int pt = o->opus_pt ? o->opus_pt : 111;
	unsigned int lvl = o->level_ext_id ? o->level_ext_id : 1;
	unsigned int mid_id = o->mid_ext_id ? o->mid_ext_id : 2;
	unsigned int twcc_id = 3;
	while (twcc_id == lvl || twcc_id == mid_id)
		twcc_id++;
	sbuf_put(b, "m=audio 9 UDP/TLS/RTP/SAVPF %u\r\n", pt);
	put_transport(b, &o->local, SDP_SETUP_ACTPASS, mid);
	sbuf_put(b, "a=extmap:%u %s\r\na=extmap:%u %s\r\n", lvl, SDP_URI_AUDIO_LEVEL, mid_id,
	    SDP_URI_MID);
	if (o->transport_cc)
		sbuf_put(b, "a=extmap:%u %s\r\n", twcc_id, SDP_URI_TWCC);
	sbuf_put(b, "a=%s\r\na=rtcp-mux\r\na=rtpmap:%u opus/48000/2\r\n", dir_name(o->dir), pt);
	if (o->transport_cc)
		sbuf_put(b, "a=rtcp-fb:%u transport-cc\r\n", pt);
	sbuf_put(b, "a=fmtp:%u minptime=10;useinbandfec=1;usedtx=1", pt);
	if (o->max_bitrate)
		sbuf_put(b, ";maxaveragebitrate=%lu", (unsigned long)o->max_bitrate);
	sbuf_put(b, "\r\n");
	if (o->ssrc)
		sbuf_put(b, "a=ssrc:%lu cname:%s\r\n", (unsigned long)o->ssrc, cname);
}

static int video_ok(const struct sdp_video_offer *o)
{
	const char *mid = o->mid ? o->mid : "0";
	const char *cname = o->cname ? o->cname : "ttymeet";
	unsigned int pt = o->vp8_pt ? o->vp8_pt : 96;
	unsigned int mid_id = o->mid_ext_id ? o->mid_ext_id : 1;
	bool sends = !o->use_dir || o->dir == SDP_DIR_SENDRECV || o->dir == SDP_DIR_SENDONLY;
	if (check_local(&o->local) < 0 || !word_ok(mid, SDP_MID_LEN) || !word_ok(cname, 63) ||
	    pt < 96 || pt > 127 || mid_id > 14 || (unsigned int)o->dir > SDP_DIR_INACTIVE ||
	    sends != (o->ssrc != 0) || (!sends && o->simulcast_low))
		return -EINVAL;
	return 0;
}

/* With the transport of local (the audio m-line's in a combined offer). */
static void put_video_mline(struct sbuf *b, const struct sdp_video_offer *o,
			    const struct sdp_local *local)
{
	const char *mid = o->mid ? o->mid : "0";
	const char *cname = o->cname ? o->cname : "ttymeet";
	unsigned int pt = o->vp8_pt ? o->vp8_pt : 96;
	unsigned int mid_id = o->mid_ext_id ? o->mid_ext_id : 1;
	sbuf_put(b, "m=video 9 UDP/TLS/RTP/SAVPF %u\r\n", pt);
	if (o->max_kbps)
		sbuf_put(b, "b=AS:%u\r\n", o->max_kbps);
	put_transport(b, local, SDP_SETUP_ACTPASS, mid);
	sbuf_put(b, "a=extmap:%u %s\r\n", mid_id, SDP_URI_MID);
	sbuf_put(b, "a=%s\r\na=rtcp-mux\r\na=rtpmap:%u %s/90000\r\n",
	    dir_name(o->use_dir ? o->dir : SDP_DIR_SENDONLY), pt, o->vp9 ? "VP9" : "VP8");
	if (o->vp9)
		sbuf_put(b, "a=fmtp:%u profile-id=0\r\n", pt);
	sbuf_put(b, "a=rtcp-fb:%u ccm fir\r\na=rtcp-fb:%u nack\r\na=rtcp-fb:%u nack pli\r\n", pt,
	    pt, pt);
	if (o->simulcast_low) {
		sbuf_put(b, "a=ssrc-group:SIM %lu %lu\r\n", (unsigned long)o->simulcast_low,
		    (unsigned long)o->ssrc);
		sbuf_put(b, "a=ssrc:%lu cname:%s\r\n", (unsigned long)o->simulcast_low, cname);
	}
	if (o->ssrc)
		sbuf_put(b, "a=ssrc:%lu cname:%s\r\n", (unsigned long)o->ssrc, cname);
}

int sdp_write_audio_offer(char *buf, size_t cap, const struct sdp_audio_offer *o)
{
	struct sbuf b = { .p = buf, .cap = cap };
	if (audio_ok(o) < 0)
		return -EINVAL;
	put_session(&b, &o->local);
	sbuf_put(&b, "a=group:BUNDLE %s\r\na=msid-semantic: WMS *\r\n", o->mid ? o->mid : "0");
	put_audio_mline(&b, o);
	put_cands(&b, &o->local);
	return sbuf_end(&b);
}

int sdp_write_video_offer(char *buf, size_t cap, const struct sdp_video_offer *o)
{
	struct sbuf b = { .p = buf, .cap = cap };
	if (video_ok(o) < 0 || o->use_dir)
		return -EINVAL;
	put_session(&b, &o->local);
	sbuf_put(&b, "a=group:BUNDLE %s\r\na=msid-semantic: WMS *\r\n", o->mid ? o->mid : "0");
	put_video_mline(&b, o, &o->local);
	put_cands(&b, &o->local);
	return sbuf_end(&b);
}

int sdp_write_av_offer(char *buf, size_t cap, const struct sdp_audio_offer *a,
		       const struct sdp_video_offer *v)
{
	struct sbuf b = { .p = buf, .cap = cap };
	struct sdp_video_offer vo = *v;
	const char *amid = a->mid ? a->mid : "0";
	unsigned int apt = a->opus_pt ? a->opus_pt : 111;
	unsigned int lvl = a->level_ext_id ? a->level_ext_id : 1;
	vo.local = a->local;
	vo.mid = v->mid ? v->mid : "1";
	vo.mid_ext_id = a->mid_ext_id ? a->mid_ext_id : 2; /* one id per URI in a bundle */
	if (audio_ok(a) < 0 || video_ok(&vo) < 0 || !strcmp(amid, vo.mid) ||
	    apt == (vo.vp8_pt ? vo.vp8_pt : 96u) || lvl == vo.mid_ext_id ||
	    (vo.ssrc && (a->ssrc == vo.ssrc || a->ssrc == vo.simulcast_low)))
		return -EINVAL;
	put_session(&b, &a->local);
	sbuf_put(&b, "a=group:BUNDLE %s %s\r\na=msid-semantic: WMS *\r\n", amid, vo.mid);
	put_audio_mline(&b, a);
	put_cands(&b, &a->local); /* the bundle's one transport */
	put_video_mline(&b, &vo, &a->local);
	return sbuf_end(&b);
}

enum sdp_dir sdp_answer_dir(enum sdp_dir offered, enum sdp_dir want)
{
	bool they_send = offered == SDP_DIR_SENDRECV || offered == SDP_DIR_SENDONLY;
	bool they_recv = offered == SDP_DIR_SENDRECV || offered == SDP_DIR_RECVONLY;
	bool send = (want == SDP_DIR_SENDRECV || want == SDP_DIR_SENDONLY) && they_recv;
	bool recv = (want == SDP_DIR_SENDRECV || want == SDP_DIR_RECVONLY) && they_send;
	if (send && recv)
		return SDP_DIR_SENDRECV;
	return send ? SDP_DIR_SENDONLY : recv ? SDP_DIR_RECVONLY : SDP_DIR_INACTIVE;
}

/* Payload types we answer on one m-line, in offer order. */
struct pick {
	uint8_t idx[SDP_MAX_CODECS];	/* codec indexes within the m-line */
	unsigned int n;
};

static bool codec_is(const struct sdp_codec *c, const char *name, uint32_t clock)
{
	return c->has_rtpmap && strcasecmp(c->name, name) == 0 && c->clock == clock;
}

static bool picked_pt(const struct sdp_session *s, const struct sdp_media *m,
		      const struct pick *p, int pt)
{
	for (unsigned int i = 0; i < p->n; i++)
		if (sdp_media_codec(s, m, p->idx[i])->pt == pt)
			return true;
	return false;
}

/* Chooses codecs for m; false = reject the m-line. */
static bool pick_codecs(const struct sdp_session *s, const struct sdp_media *m,
			const struct sdp_answer_opts *o, struct pick *p)
{
	p->n = 0;
	if (m->port == 0 || !m->mid[0])
		return false;
	if (m->kind == SDP_KIND_APPLICATION)
		return o->accept_data && strcmp(m->proto, "UDP/DTLS/SCTP") == 0 &&
		       strcmp(m->fmts, "webrtc-datachannel") == 0;
	if (!m->rtcp_mux || !strstr(m->proto, "SAVPF"))
		return false;
	if (m->kind == SDP_KIND_AUDIO && o->accept_audio) {
		for (unsigned int i = 0; i < m->n_codecs && p->n == 0; i++)
			if (codec_is(sdp_media_codec(s, m, i), "opus", 48000))
				p->idx[p->n++] = (uint8_t)i;
	} else if (m->kind == SDP_KIND_VIDEO && o->accept_video) {
		for (unsigned int i = 0; i < m->n_codecs; i++) {
			const struct sdp_codec *c = sdp_media_codec(s, m, i);
			bool vp9 = o->allow_vp9 && codec_is(c, "VP9", 90000);
			if (codec_is(c, "VP8", 90000) || vp9)
				p->idx[p->n++] = (uint8_t)i;
		}
		unsigned int primaries = p->n;
		for (unsigned int i = 0; o->allow_rtx && primaries && i < m->n_codecs; i++) {
			const struct sdp_codec *c = sdp_media_codec(s, m, i);
			if (codec_is(c, "rtx", 90000) && c->apt >= 0 && picked_pt(s, m, p, c->apt))
				p->idx[p->n++] = (uint8_t)i;
		}
	}
	return p->n > 0;
}

static void put_rejected(struct sbuf *b, const struct sdp_media *m)
{
	sbuf_put(b, "m=%s 0 %s %.*s\r\nc=IN IP4 0.0.0.0\r\n", m->kind_name, m->proto,
	    (int)sdp_tok_len(m->fmts), m->fmts);
	if (m->mid[0])
		sbuf_put(b, "a=mid:%s\r\n", m->mid);
	sbuf_put(b, "a=inactive\r\n");
}

static void put_rtp_media(struct sbuf *b, const struct sdp_session *s, const struct sdp_media *m,
			  const struct pick *p, const struct sdp_answer_opts *o)
{
	static const char *const fbs[] = { "nack", "nack pli", "ccm fir" };
	bool audio = m->kind == SDP_KIND_AUDIO;
	enum sdp_dir dir = sdp_answer_dir(m->dir, audio ? o->audio_dir : o->video_dir);
	uint32_t ssrc = audio ? o->audio_ssrc : o->video_ssrc;

	sbuf_put(b, "m=%s 9 %s", m->kind_name, m->proto);
	for (unsigned int i = 0; i < p->n; i++)
		sbuf_put(b, " %u", sdp_media_codec(s, m, p->idx[i])->pt);
	sbuf_put(b, "\r\n");
	put_transport(b, &o->local, o->setup, m->mid);
	for (unsigned int i = 0; i < m->n_extmaps; i++) {
		const struct sdp_extmap *e = &m->extmaps[i];
		if (strcmp(e->uri, SDP_URI_MID) == 0 ||
		    (audio && strcmp(e->uri, SDP_URI_AUDIO_LEVEL) == 0))
			sbuf_put(b, "a=extmap:%u %s\r\n", e->id, e->uri);
	}
	sbuf_put(b, "a=%s\r\na=rtcp-mux\r\n", dir_name(dir));
	for (unsigned int i = 0; i < p->n; i++) {
		const struct sdp_codec *c = sdp_media_codec(s, m, p->idx[i]);
		sbuf_put(b, "a=rtpmap:%u %s/%lu", c->pt, c->name, (unsigned long)c->clock);
		if (c->channels)
			sbuf_put(b, "/%u", c->channels);
		sbuf_put(b, "\r\n");
		if (audio) {
			sbuf_put(b, "a=fmtp:%u minptime=10;useinbandfec=1\r\n", c->pt);
			continue;
		}
		if (c->apt >= 0)
			sbuf_put(b, "a=fmtp:%u apt=%d\r\n", c->pt, c->apt);
		else if (c->fmtp[0])
			sbuf_put(b, "a=fmtp:%u %s\r\n", c->pt, c->fmtp);
		for (unsigned int f = 0; f < 3 && c->apt < 0; f++)
			if (sdp_codec_has_fb(c, fbs[f]))
				sbuf_put(b, "a=rtcp-fb:%u %s\r\n", c->pt, fbs[f]);
	}
	if (ssrc && (dir == SDP_DIR_SENDRECV || dir == SDP_DIR_SENDONLY))
		sbuf_put(b, "a=ssrc:%lu cname:%s\r\n", (unsigned long)ssrc,
		    o->cname ? o->cname : "ttymeet");
}

static bool in_bundle(const struct sdp_session *s, const char *mid)
{
	for (unsigned int i = 0; i < s->n_bundle; i++)
		if (strcmp(s->bundle[i], mid) == 0)
			return true;
	return false;
}

int sdp_write_answer(char *buf, size_t cap, const struct sdp_session *offer,
		     const struct sdp_answer_opts *o)
{
	struct sbuf b = { .p = buf, .cap = cap };
	struct sdp_answer_opts opts = *o;
	struct pick picks[SDP_MAX_MLINES];
	bool ok[SDP_MAX_MLINES];
	bool first = true;
	if (check_local(&o->local) < 0 || (o->cname && !word_ok(o->cname, 63)) ||
	    offer->n_media > SDP_MAX_MLINES || (unsigned int)o->setup > SDP_SETUP_HOLDCONN)
		return -EINVAL;
	if (!opts.sctp_port)
		opts.sctp_port = 5000;
	if (!opts.max_message_size)
		opts.max_message_size = 65536;
	for (unsigned int i = 0; i < offer->n_media; i++)
		ok[i] = pick_codecs(offer, &offer->media[i], &opts, &picks[i]);

	put_session(&b, &o->local);
	if (offer->n_bundle) {
		sbuf_put(&b, "a=group:BUNDLE");
		for (unsigned int i = 0; i < offer->n_media; i++)
			if (ok[i] && in_bundle(offer, offer->media[i].mid))
				sbuf_put(&b, " %s", offer->media[i].mid);
		sbuf_put(&b, "\r\n");
	}
	sbuf_put(&b, "a=msid-semantic: WMS *\r\n");
	for (unsigned int i = 0; i < offer->n_media; i++) {
		const struct sdp_media *m = &offer->media[i];
		if (!ok[i]) {
			put_rejected(&b, m);
			continue;
		}
		/* Our DTLS role follows theirs; with actpass we take the one asked for. */
		opts.setup = m->setup == SDP_SETUP_ACTIVE  ? SDP_SETUP_PASSIVE :
			     m->setup == SDP_SETUP_PASSIVE ? SDP_SETUP_ACTIVE :
			     o->setup == SDP_SETUP_NONE    ? SDP_SETUP_ACTIVE : o->setup;
		if (m->kind == SDP_KIND_APPLICATION) {
			sbuf_put(&b, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n");
			put_transport(&b, &o->local, opts.setup, m->mid);
			sbuf_put(&b, "a=sctp-port:%u\r\na=max-message-size:%lu\r\n", opts.sctp_port,
			    (unsigned long)opts.max_message_size);
		} else {
			put_rtp_media(&b, offer, m, &picks[i], &opts);
		}
		if (first)
			put_cands(&b, &o->local);
		first = false;
	}
	return sbuf_end(&b);
}
