/* A Jingle media session (see jsession.h). */
#include "src/jitsi/jsession.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/loop.h"
#include "src/media.h"
#include "src/vrecv.h"
#include "src/vsend.h"

#define NS_ICE "urn:xmpp:jingle:transports:ice-udp:1"
#define SDP_BUF (64 * 1024)
#define ACCEPT_BUF (96 * 1024)
#define SID_MAX 128
#define ANSWER_MS 10000 /* our offer's session-accept: awaited this long (by default) */

struct jsession {
	struct jsession_cbs cbs;
	struct media *media;
	struct peer *peer;
	char sid[SID_MAX];
	char remote[JINGLE_OWNER_MAX];
	char initiator[JINGLE_OWNER_MAX];
	char content[SDP_MID_LEN + 1]; /* the bundled audio content: where our candidates go */
	bool accepted;                 /* our session-accept or -initiate sent: later candidates
					* trickle */
	bool initiator_side;           /* we offered (jsession_offer) */
	bool answered;                 /* the media is negotiated: our answer sent, or the peer's
					* session-accept taken */
	GMainContext *main;
	char cname[64];                /* our RTCP CNAME */
	bool want_video;               /* cfg->video */
	GSource *answer_timer;         /* initiator: the peer's session-accept is awaited */
	unsigned answer_ms;            /* that long */
	bool active;                   /* the media engine uses this session (jsession_set_active) */
	bool attached, recv_attached;
	bool up;
	struct media_params mp;        /* what the answer negotiated, for media_attach */
	struct vrecv *vrecv;           /* the video stream's receiver (cfg->video), or NULL */
	int video_pt, video_rtx_pt;    /* its payload types (-1: none) */
	struct vsend *vsend;           /* our video (not owned), or NULL */
	struct vsend_params vp;        /* its negotiated payload type and mid */
	char vmid[SDP_MID_LEN + 1];
	bool can_send_video, vsend_attached, told_video_out;
	char mid[SDP_MID_LEN + 1];
};

/* A bounded copy of a value that must be a token (jingle_token_ok); false if it is not one. */
static bool copy_tok(char *dst, size_t cap, const char *v)
{
	if (!cap || !jingle_token_ok(v, cap - 1))
		return false;
	memcpy(dst, v, strlen(v) + 1);
	return true;
}

static void on_candidate(void *user, const char *cand)
{
	struct jsession *js = user;
	char xml[2048];
	if (!cand || !js->accepted) /* before the accept: they are in it */
		return;
	if (jingle_write_transport_info(js->sid, js->initiator, js->content, peer_ice_ufrag(js->peer),
					peer_ice_pwd(js->peer), cand, xml, sizeof(xml)) > 0)
		js->cbs.send_iq(js->cbs.user, js->remote, xml);
}

static void video_out(struct jsession *js);

static void on_state(void *user, enum peer_state st, int err, const char *reason)
{
	struct jsession *js = user;
	(void)err;
	if (st == PEER_CONNECTED && !js->up) {
		js->up = true;
		if (js->vrecv)
			vrecv_attach(js->vrecv, js->peer);
		video_out(js);
		if (js->cbs.media)
			js->cbs.media(js->cbs.user, true, NULL);
	} else if (st == PEER_FAILED || st == PEER_CLOSED) {
		js->up = false;
		if (js->cbs.media)
			js->cbs.media(js->cbs.user, false, reason ? reason : "the connection ended");
	}
}

static void on_rtp(void *user, uint8_t *buf, size_t len)
{
	struct jsession *js = user;
	int pt = len >= 2 ? buf[1] & 0x7f : -1;
	if (js->vrecv && (pt == js->video_pt || pt == js->video_rtx_pt)) {
		if (js->active)
			vrecv_on_rtp(js->vrecv, buf, len);
		return;
	}
	if (js->media && js->active)
		media_on_recv_rtp(js->media, buf, len);
}

static void on_rtcp(void *user, uint8_t *buf, size_t len)
{
	struct jsession *js = user;
	if (js->vrecv && js->active)
		vrecv_on_rtcp(js->vrecv, buf, len);
	if (js->vsend_attached)
		vsend_on_rtcp(js->vsend, buf, len);
	if (js->media && js->active) {
		media_on_rtcp(js->media, buf, len);
		media_on_recv_rtcp(js->media, buf, len);
	}
}

struct src_ctx {
	struct jsession *js;
	bool added;
};

static void report_source(void *user, const struct jingle_source *src)
{
	struct src_ctx *c = user;
	if (c->js->cbs.source)
		c->js->cbs.source(c->js->cbs.user, src, c->added);
}

/* Keeps what the answer negotiated on m-line mline (Opus payload pt) for the media engine. */
static void keep_media_params(struct jsession *js, const struct sdp_session *ans, int mline,
			      int pt)
{
	const struct sdp_media *m = &ans->media[mline];
	memcpy(js->mid, m->mid, sizeof(js->mid));
	js->mp = (struct media_params){
		.opus_pt = (uint8_t)pt,
		.level_ext_id = sdp_extmap_id(m, SDP_URI_AUDIO_LEVEL),
		.mid_ext_id = sdp_extmap_id(m, SDP_URI_MID),
		.mid = js->mid,
	};
}

/* Our video goes out while the session is active and connected. */
static void video_out(struct jsession *js)
{
	bool want = js->vsend && js->can_send_video && js->active && js->up;
	if (want == js->vsend_attached)
		return;
	js->vsend_attached = want;
	if (!want) {
		vsend_detach(js->vsend);
		return;
	}
	vsend_attach(js->vsend, js->peer, &js->vp);
	if (!js->told_video_out && js->cbs.video_out) {
		js->told_video_out = true;
		js->cbs.video_out(js->cbs.user);
	}
}

/* The media engine's attachment follows js->active once the media is negotiated. */
static void attach(struct jsession *js)
{
	bool on = js->active && js->answered;
	video_out(js);
	if (!js->media || on == js->attached)
		return;
	if (!on) {
		if (js->recv_attached)
			media_detach_recv(js->media);
		if (js->attached)
			media_detach(js->media);
		js->attached = js->recv_attached = false;
		return;
	}
	/* our Opus up, every received stream down as a forwarded one */
	media_attach(js->media, js->peer, &js->mp);
	js->attached = true;
	struct media_recv_params rp = { .opus_pts = { js->mp.opus_pt }, .n_pts = 1,
					.level_ext_id = js->mp.level_ext_id };
	media_detach_recv(js->media);
	js->recv_attached = media_attach_recv(js->media, js->peer, &rp) == 0;
}

void jsession_set_active(struct jsession *js, bool on)
{
	if (!js || js->active == on)
		return;
	js->active = on;
	attach(js);
}

int jsession_video_stats(struct jsession *js, struct vrecv_stats *out)
{
	if (!js || !js->vrecv)
		return -ENOENT;
	vrecv_get_stats(js->vrecv, out);
	return 0;
}

bool jsession_is_up(const struct jsession *js)
{
	return js && js->up;
}

struct peer *jsession_peer(const struct jsession *js)
{
	return js ? js->peer : NULL;
}

/* A picture: whose is the stream vrecv follows (not the last video packet's sender: with
 * several streams that may be another, and a picture can come from vrecv's timer). */
static void on_frame(void *user, const struct video_image *img)
{
	struct jsession *js = user;
	if (js->cbs.frame && js->active)
		js->cbs.frame(js->cbs.user, vrecv_source(js->vrecv), img);
}

/* Our direction on m-line m of the answer: ours, or the peer's (theirs) seen from our side. */
static enum sdp_dir our_dir(const struct sdp_media *m, bool theirs)
{
	if (theirs && m->dir == SDP_DIR_SENDONLY)
		return SDP_DIR_RECVONLY;
	if (theirs && m->dir == SDP_DIR_RECVONLY)
		return SDP_DIR_SENDONLY;
	return m->dir;
}

static bool on_video_prefer(void *user, uint32_t ssrc, uint32_t shown)
{
	struct jsession *js = user;
	return js->cbs.video_prefer && js->cbs.video_prefer(js->cbs.user, ssrc, shown);
}

/* The receiver of the answer's first video m-line we receive on, if any (0 when there is
 * none). theirs: the answer is the peer's (to our offer), not ours. */
static int setup_video(struct jsession *js, const struct sdp_session *ans, bool theirs)
{
	for (int i = 0; i < ans->n_media; i++) {
		const struct sdp_media *m = &ans->media[i];
		enum sdp_dir d = our_dir(m, theirs);
		if (m->kind != SDP_KIND_VIDEO || !m->port ||
		    (d != SDP_DIR_RECVONLY && d != SDP_DIR_SENDRECV))
			continue;
		struct vrecv_config rc = { .codec = VIDEO_CODEC_VP8, .rtx_pt = -1,
					   .cname = js->cname };
		int pt = sdp_find_codec(ans, m, "VP8", 90000);
		if (pt < 0 && (pt = sdp_find_codec(ans, m, "VP9", 90000)) >= 0)
			rc.codec = VIDEO_CODEC_VP9;
		if (pt < 0)
			return 0;
		rc.pt = (uint8_t)pt;
		for (unsigned k = 0; k < m->n_codecs; k++) {
			const struct sdp_codec *c = sdp_media_codec(ans, m, k);
			if (c->has_rtpmap && !strcasecmp(c->name, "rtx") && c->apt == pt)
				rc.rtx_pt = c->pt;
		}
		rc.nack = sdp_codec_has_fb(sdp_codec_by_pt(ans, m, pt), "nack");
		struct vrecv_callbacks vc = { .frame_cb = on_frame, .prefer_cb = on_video_prefer,
					      .user = js };
		if (vrecv_create(js->main, &rc, &vc, &js->vrecv) < 0) {
			js->vrecv = NULL;
			return -ENOMEM;
		}
		js->video_pt = pt;
		js->video_rtx_pt = rc.rtx_pt;
		return 0;
	}
	return 0;
}

static uint32_t first_ssrc(const struct vsend *vs)
{
	uint32_t ssrcs[VSEND_MAX_LAYERS];
	return vsend_ssrcs(vs, ssrcs) ? ssrcs[0] : 0;
}

/* What the answer's video m-line we send on negotiated, for vsend_attach (none: nothing
 * sent); theirs as for setup_video. */
static void keep_video_send(struct jsession *js, const struct sdp_session *ans, bool theirs)
{
	for (int i = 0; i < ans->n_media; i++) {
		const struct sdp_media *m = &ans->media[i];
		enum sdp_dir d = our_dir(m, theirs);
		if (m->kind != SDP_KIND_VIDEO || !m->port ||
		    (d != SDP_DIR_SENDONLY && d != SDP_DIR_SENDRECV))
			continue;
		int pt = sdp_find_codec(ans, m, "VP8", 90000);
		if (pt < 0)
			return;
		memcpy(js->vmid, m->mid, sizeof(js->vmid));
		js->vp = (struct vsend_params){ .pt = (uint8_t)pt,
						.mid_ext_id = sdp_extmap_id(m, SDP_URI_MID),
						.mid = js->vmid };
		js->can_send_video = true;
		return;
	}
}

/* What a new session keeps of its configuration and callbacks, either side. */
static void take_config(struct jsession *js, const struct jsession_config *cfg,
			const struct jsession_cbs *cbs)
{
	js->cbs = *cbs;
	js->media = cfg->media;
	js->vsend = cfg->vsend;
	js->main = cfg->main;
	js->want_video = cfg->video;
	snprintf(js->cname, sizeof(js->cname), "%s", cfg->cname ? cfg->cname : "ttymeet");
}

/* The session's PeerConnection, offering or answering; 0 or peer_create's error. */
static int make_peer(struct jsession *js, const struct jsession_config *cfg, bool offerer)
{
	struct peer_config pc = *cfg->peer;
	pc.offerer = offerer;
	struct peer_callbacks pcb = { .candidate_cb = on_candidate, .state_cb = on_state,
				      .rtp_cb = on_rtp, .rtcp_cb = on_rtcp, .user = js };
	return peer_create(cfg->main, &pc, &pcb, &js->peer);
}

/* Writes and sends our answer to offer. */
static int accept_offer(struct jsession *js, const struct jsession_config *cfg,
			const struct sdp_session *offer, int mline, char *err, size_t errlen)
{
	struct sdp_local local;
	struct sdp_session *ans = NULL;
	char *sdp = malloc(SDP_BUF), *xml = malloc(ACCEPT_BUF);
	int rc = -ENOMEM;
	if (!sdp || !xml || sdp_session_create(&ans) < 0)
		goto out;
	peer_sdp_local(js->peer, &local);
	struct sdp_answer_opts o = {
		.local = local,
		.accept_audio = true,
		.audio_dir = SDP_DIR_SENDRECV,
		/* video stays in the answer, inactive: a Jingle answer leaves out what it rejects,
		 * and a browser cannot apply an SDP answer with fewer m-lines than its offer */
		.accept_video = true,
		.video_dir = cfg->vsend ? (cfg->video ? SDP_DIR_SENDRECV : SDP_DIR_SENDONLY)
					: cfg->video ? SDP_DIR_RECVONLY : SDP_DIR_INACTIVE,
		.video_ssrc = cfg->vsend ? first_ssrc(cfg->vsend) : 0,
		.audio_ssrc = js->media ? media_ssrc(js->media) : g_random_int(),
		.cname = cfg->cname ? cfg->cname : "ttymeet",
	};
	int n = sdp_write_answer(sdp, SDP_BUF, offer, &o);
	if (n < 0 || sdp_parse(sdp, (size_t)n, ans) < 0) {
		rc = -EINVAL;
		snprintf(err, errlen, "cannot answer the offer");
		goto out;
	}
	int pt = sdp_opus_pt(ans, NULL);
	struct jingle_accept ja = { .sid = js->sid, .initiator = js->initiator,
				    .responder = cfg->self, .owner = cfg->owner,
				    .endpoint = cfg->endpoint };
	if (pt < 0 || !ans->media[mline].port) {
		rc = -EPROTO;
		snprintf(err, errlen, "the offer has no Opus audio we can take");
		goto out;
	}
	if (jingle_write_accept(ans, &ja, xml, ACCEPT_BUF) < 0) {
		rc = -EINVAL;
		snprintf(err, errlen, "cannot write the session-accept");
		goto out;
	}
	keep_media_params(js, ans, mline, pt);
	if (cfg->vsend)
		keep_video_send(js, ans, false);
	if (cfg->video && setup_video(js, ans, false) < 0) {
		rc = -ENOMEM;
		snprintf(err, errlen, "cannot set up the video receiver");
		goto out;
	}
	rc = js->cbs.send_iq(js->cbs.user, js->remote, xml);
	if (rc == 0)
		js->accepted = true;
	else
		snprintf(err, errlen, "cannot send the session-accept");
out:
	sdp_session_destroy(ans);
	free(sdp);
	free(xml);
	return rc;
}

int jsession_create(const struct jsession_config *cfg, const struct jsession_cbs *cbs,
		    const struct xml_node *initiate, struct jsession **out, char *err,
		    size_t errlen)
{
	struct sdp_session *offer = NULL;
	char *sdp = NULL;
	int rc;
	*out = NULL;
	if (jingle_action_of(initiate) != JINGLE_SESSION_INITIATE || !cbs->send_iq) {
		snprintf(err, errlen, "not a session-initiate");
		return -EINVAL;
	}
	if (!cfg->peer || !cfg->peer->cert) { /* a run without media (tests) */
		snprintf(err, errlen, "this run has no DTLS identity for media");
		return -ENOTSUP;
	}
	struct jsession *js = calloc(1, sizeof(*js));
	if (!js || !(sdp = malloc(SDP_BUF)) || sdp_session_create(&offer) < 0) {
		rc = -ENOMEM;
		goto fail;
	}
	take_config(js, cfg, cbs);
	const char *initiator = xml_attr(initiate, "initiator");
	if (!copy_tok(js->sid, sizeof(js->sid), xml_attr(initiate, "sid")) ||
	    !copy_tok(js->remote, sizeof(js->remote), cfg->remote) ||
	    (initiator && !copy_tok(js->initiator, sizeof(js->initiator), initiator))) {
		rc = -EINVAL;
		snprintf(err, errlen, "a session-initiate without a usable sid or initiator");
		goto fail;
	}
	if (!initiator)
		strcpy(js->initiator, js->remote);
	if ((rc = jingle_to_sdp(initiate, sdp, SDP_BUF, err, errlen)) < 0)
		goto fail;
	if (jingle_sources(initiate, NULL, NULL) < 0) { /* checked before we answer */
		rc = -EINVAL;
		snprintf(err, errlen, "the offer's JSON-encoded sources cannot be read");
		goto fail;
	}
	if (sdp_parse(sdp, (size_t)rc, offer) < 0) {
		rc = -EINVAL;
		snprintf(err, errlen, "the offer does not make a usable SDP");
		goto fail;
	}
	int mline = -1;
	if (sdp_opus_pt(offer, &mline) < 0) {
		rc = -EPROTO;
		snprintf(err, errlen, "the offer has no Opus audio");
		goto fail;
	}
	memcpy(js->content, offer->media[mline].mid, sizeof(js->content));
	if ((rc = make_peer(js, cfg, false)) < 0) {
		snprintf(err, errlen, "cannot create the connection");
		goto fail;
	}
	if ((rc = peer_set_remote(js->peer, offer, mline)) < 0) {
		snprintf(err, errlen, "the offer lacks ICE or DTLS parameters");
		goto fail;
	}
	if ((rc = accept_offer(js, cfg, offer, mline, err, errlen)) < 0)
		goto fail;
	js->answered = true;
	struct src_ctx sc = { js, true };
	jingle_sources(initiate, report_source, &sc);
	sdp_session_destroy(offer);
	free(sdp);
	*out = js;
	return 0;
fail:
	sdp_session_destroy(offer);
	free(sdp);
	jsession_destroy(js, NULL);
	return rc;
}

/* ---- the initiator: our offer, the peer's session-accept ---- */

static void answer_timeout_cb(void *data)
{
	struct jsession *js = data;
	char why[64];
	snprintf(why, sizeof(why), "no answer to our offer within %.1f s", js->answer_ms / 1000.0);
	if (js->cbs.media)
		js->cbs.media(js->cbs.user, false, why);
}

/* Writes our offer (audio sendrecv with our source; video as cfg allows) into sdp. */
static int write_offer(struct jsession *js, const struct jsession_config *cfg, char *sdp,
		       size_t cap)
{
	struct sdp_local local;
	peer_sdp_local(js->peer, &local);
	struct sdp_audio_offer a = { .local = local, .mid = "audio", .dir = SDP_DIR_SENDRECV,
				     .ssrc = js->media ? media_ssrc(js->media) : g_random_int(),
				     .cname = js->cname };
	uint32_t vssrc = cfg->vsend ? first_ssrc(cfg->vsend) : 0;
	struct sdp_video_offer v = {
		.mid = "video", .ssrc = vssrc, .cname = js->cname, .use_dir = true,
		.dir = vssrc ? (cfg->video ? SDP_DIR_SENDRECV : SDP_DIR_SENDONLY)
			     : cfg->video ? SDP_DIR_RECVONLY : SDP_DIR_INACTIVE,
	};
	if (!a.ssrc || a.ssrc == vssrc)
		a.ssrc = vssrc + 1;
	return sdp_write_av_offer(sdp, cap, &a, &v);
}

int jsession_offer(const struct jsession_config *cfg, const struct jsession_cbs *cbs,
		   const char *sid, struct jsession **out, char *err, size_t errlen)
{
	struct sdp_session *offer = NULL;
	char *sdp = NULL, *xml = NULL;
	int rc = -ENOMEM;
	*out = NULL;
	struct jsession *js = calloc(1, sizeof(*js));
	if (!js || !(sdp = malloc(SDP_BUF)) || !(xml = malloc(ACCEPT_BUF)) ||
	    sdp_session_create(&offer) < 0)
		goto fail;
	take_config(js, cfg, cbs);
	js->initiator_side = true;
	if (!cbs->send_iq || !cfg->peer->cert || !copy_tok(js->sid, sizeof(js->sid), sid) ||
	    !copy_tok(js->remote, sizeof(js->remote), cfg->remote) ||
	    !copy_tok(js->initiator, sizeof(js->initiator), cfg->owner)) {
		rc = -EINVAL;
		snprintf(err, errlen, "no DTLS identity, or no usable sid, peer or occupant JID");
		goto fail;
	}
	if ((rc = make_peer(js, cfg, true)) < 0) {
		snprintf(err, errlen, "cannot create the connection");
		goto fail;
	}
	int n = write_offer(js, cfg, sdp, SDP_BUF);
	struct jingle_accept ji = { .initiate = true, .sid = js->sid, .initiator = js->initiator,
				    .owner = cfg->owner, .endpoint = cfg->endpoint };
	if (n < 0 || sdp_parse(sdp, (size_t)n, offer) < 0 ||
	    jingle_write_accept(offer, &ji, xml, ACCEPT_BUF) < 0) {
		rc = -EINVAL;
		snprintf(err, errlen, "cannot write the offer");
		goto fail;
	}
	memcpy(js->content, offer->media[0].mid, sizeof(js->content));
	if ((rc = js->cbs.send_iq(js->cbs.user, js->remote, xml)) < 0) {
		snprintf(err, errlen, "cannot send the session-initiate");
		goto fail;
	}
	js->accepted = true;
	js->answer_ms = cfg->answer_ms ? cfg->answer_ms : ANSWER_MS;
	loop_once(&js->answer_timer, js->main, js->answer_ms, answer_timeout_cb, js);
	sdp_session_destroy(offer);
	free(sdp);
	free(xml);
	*out = js;
	return 0;
fail:
	sdp_session_destroy(offer);
	free(sdp);
	free(xml);
	jsession_destroy(js, NULL);
	return rc;
}

/* The peer's session-accept of our offer: its answer applied, the media negotiated from it.
 * 0, or -EINVAL (not usable: the caller ends the session). */
static int take_accept(struct jsession *js, const struct xml_node *jingle)
{
	struct sdp_session *ans = NULL;
	char *sdp = malloc(SDP_BUF), err[200];
	int rc = -EINVAL, mline = -1;
	const char *responder = xml_attr(jingle, "responder");
	if (responder && !jingle_token_ok(responder, JINGLE_OWNER_MAX - 1))
		goto out;
	if (!sdp || sdp_session_create(&ans) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	int n = jingle_to_sdp(jingle, sdp, SDP_BUF, err, sizeof(err));
	if (n < 0 || jingle_sources(jingle, NULL, NULL) < 0 || sdp_parse(sdp, (size_t)n, ans) < 0)
		goto out;
	int pt = sdp_opus_pt(ans, &mline);
	if (pt < 0 || strcmp(ans->media[mline].mid, js->content) ||
	    peer_set_remote(js->peer, ans, mline) < 0)
		goto out;
	keep_media_params(js, ans, mline, pt);
	if (js->vsend)
		keep_video_send(js, ans, true);
	if (js->want_video && setup_video(js, ans, true) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	if (js->vrecv && js->up)
		vrecv_attach(js->vrecv, js->peer);
	loop_source_drop(&js->answer_timer);
	js->answered = true;
	struct src_ctx sc = { js, true };
	jingle_sources(jingle, report_source, &sc);
	attach(js);
	rc = 0;
out:
	sdp_session_destroy(ans);
	free(sdp);
	return rc;
}

static int add_candidates(struct jsession *js, const struct xml_node *jingle)
{
	for (const struct xml_node *c = jingle->child; c; c = c->next) {
		if (!xml_is(c, NS_JINGLE, "content"))
			continue;
		const struct xml_node *t = xml_child(c, NS_ICE, "transport");
		for (const struct xml_node *k = t ? t->child : NULL; k; k = k->next) {
			char line[300];
			if (!xml_is(k, NS_ICE, "candidate"))
				continue;
			memcpy(line, "candidate:", 10);
			if (jingle_candidate_to_sdp(k, line + 10, sizeof(line) - 10) > 0)
				peer_add_remote_candidate(js->peer, line);
		}
	}
	return 0;
}

int jsession_handle(struct jsession *js, const struct xml_node *jingle)
{
	const char *sid = xml_attr(jingle, "sid");
	if (!sid || strcmp(sid, js->sid))
		return sid ? -ENOENT : -EINVAL; /* the answers: jingle.h, enum jingle_error */
	struct src_ctx sc = { js, true };
	switch (jingle_action_of(jingle)) {
	case JINGLE_TRANSPORT_INFO:
		return add_candidates(js, jingle);
	case JINGLE_SOURCE_ADD:
	case JINGLE_SOURCE_REMOVE:
		sc.added = jingle_action_of(jingle) == JINGLE_SOURCE_ADD;
		return jingle_sources(jingle, report_source, &sc) < 0 ? -EINVAL : 0;
	case JINGLE_CONTENT_MODIFY: /* the peer's video constraints: nothing to change here */
		return 0;
	case JINGLE_SESSION_INFO: /* empty: a ping; with a payload: none we understand */
		return jingle->child ? -ENOMSG : 0;
	case JINGLE_DESCRIPTION_INFO:
		return -ENOMSG;
	case JINGLE_SESSION_ACCEPT: /* of our offer, once; else we are its responder */
		if (!js->initiator_side || js->answered)
			return -EALREADY;
		if (take_accept(js, jingle) == 0)
			return 0;
		if (js->cbs.media) /* the caller ends the session */
			js->cbs.media(js->cbs.user, false, "the peer's answer cannot be used");
		return -EINVAL;
	case JINGLE_SESSION_INITIATE: /* we answered or offered this session already */
		return -EALREADY;
	case JINGLE_OTHER:
		return -EINVAL;
	case JINGLE_SESSION_TERMINATE: {
		const char *why = jingle_reason_of(jingle); /* one of XEP-0166's, or NULL */
		if (js->cbs.ended)
			js->cbs.ended(js->cbs.user, why ? why : "success");
		return 0;
	}
	default:
		return -ENOTSUP;
	}
}

const char *jsession_sid(const struct jsession *js)
{
	return js->sid;
}

void jsession_destroy(struct jsession *js, const char *reason)
{
	if (!js)
		return;
	if (reason && js->accepted) {
		char xml[SID_MAX * 6 + 256]; /* the sid escaped at worst, and the rest */
		if (jingle_write_terminate(js->sid, reason, NULL, xml, sizeof(xml)) > 0)
			js->cbs.send_iq(js->cbs.user, js->remote, xml);
	}
	jsession_set_active(js, false);
	loop_source_drop(&js->answer_timer);
	if (js->vrecv) {
		vrecv_detach(js->vrecv);
		vrecv_destroy(js->vrecv);
	}
	peer_destroy(js->peer);
	free(js);
}
