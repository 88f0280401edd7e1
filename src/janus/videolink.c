/* The video link (see videolink.h).
 *
 * Lifetime: the subscriber (handle, PeerConnection, receiver) lives in its own struct so it
 * can be dropped and made anew; a dropped one is forgotten by the Janus layer at once and
 * freed from an idle callback, never inside its own callbacks. The publisher's PeerConnection
 * is freed with the link. Every name from the server is sanitized on the way in.
 */
#include "src/janus/videolink.h"
#include "src/janus/jpc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/peer.h"
#include "net/sdp.h"
#include "src/secret.h"
#include "src/text.h"
#include "net/loop.h"

#define VIDEOROOM "janus.plugin.videoroom"
#define RETRY_MS 1000
#define MAX_FAILURES 5       /* subscriber attempts in a row before giving up */
#define FOLLOW_HOLD_US (3 * G_USEC_PER_SEC) /* speaker following switches at most this often */

struct feed {
	struct videolink_feed pub;
	char mid[SDP_MID_LEN + 1]; /* the publisher's video mid */
	bool simulcast;
};

struct sub {
	struct videolink *vl;
	uint64_t handle;
	uint64_t feed;             /* shown (or being subscribed to) */
	struct jpc *pc;
	struct vrecv *vrecv;
	char mid[SDP_MID_LEN + 1]; /* our m-line's mid */
	enum video_codec codec;    /* negotiated */
	bool answered, started, switching;
	struct sub *next_dead;
};

struct videolink {
	GMainContext *main;
	struct janus *janus;
	struct videolink_config cfg;
	char *display, *pin, *source;
	struct videolink_callbacks cb;
	bool failed;

	/* control + publishing */
	bool meeting;   /* a VideoRoom meeting: the owner's handle is our participant */
	uint64_t ctl_handle, self_id;
	bool joined;
	bool display_stale; /* renamed after the join went out: configure once joined */
	struct jpc *pub_pc;
	struct vsend *vsend;
	bool pub_up;

	/* the room's publishers */
	struct feed feeds[VIDEOLINK_MAX_FEEDS];
	struct videolink_feed list[VIDEOLINK_MAX_FEEDS];
	size_t n_feeds;

	/* the preview */
	bool receive;
	uint64_t pinned;            /* chosen by the user; 0 = automatic */
	gint64 last_switch_us;
	struct sub *sub;
	uint64_t announced;         /* the feed showing_cb last named; 0 = none */
	struct sub *dead;
	int failures;
	uint64_t follow;            /* the speaker to show when the hold time is over */
	GSource *reap_idle, *retry_timer, *follow_timer;
};

static void sub_want(struct videolink *vl);

static void fail(struct videolink *vl, const char *why)
{
	if (vl->failed)
		return;
	vl->failed = true;
	if (vl->cb.failed_cb)
		vl->cb.failed_cb(vl->cb.user, why);
}

static struct feed *feed_get(struct videolink *vl, uint64_t id)
{
	for (size_t i = 0; i < vl->n_feeds; i++)
		if (vl->feeds[i].pub.id == id)
			return &vl->feeds[i];
	return NULL;
}

static json_t *with_pin(struct videolink *vl, json_t *body)
{
	if (body && vl->pin)
		json_object_set_new(body, "pin", json_string(vl->pin));
	return body;
}

/* ---- the subscriber ---- */

/* Frees the dropped subscribers. */
static void free_dead(struct videolink *vl)
{
	while (vl->dead) {
		struct sub *sb = vl->dead;
		vl->dead = sb->next_dead;
		jpc_destroy(sb->pc);
		vrecv_destroy(sb->vrecv);
		free(sb);
	}
}

static void reap_cb(void *data)
{
	struct videolink *vl = data;
	free_dead(vl);
}

/* Tells the owner what the preview shows, once per change. */
static void announce(struct videolink *vl, const struct feed *f, const char *why)
{
	uint64_t id = f ? f->pub.id : 0;
	if (id == vl->announced)
		return;
	vl->announced = id;
	if (vl->cb.showing_cb)
		vl->cb.showing_cb(vl->cb.user, f ? &f->pub : NULL, why);
}

/* Ends the subscription: Janus stops sending when the handle is detached. */
static void sub_drop(struct videolink *vl, const char *why)
{
	struct sub *sb = vl->sub;
	if (!sb)
		return;
	vl->sub = NULL;
	janus_forget(vl->janus, sb);
	if (sb->handle)
		janus_detach(vl->janus, sb->handle, NULL, NULL);
	if (sb->vrecv)
		vrecv_detach(sb->vrecv);
	sb->next_dead = vl->dead;
	vl->dead = sb;
	if (!vl->reap_idle)
		loop_once(&vl->reap_idle, vl->main, 0, reap_cb, vl);
	if (why)
		announce(vl, NULL, why);
}

static void retry_cb(void *data)
{
	struct videolink *vl = data;
	sub_want(vl);
}

/* A subscription attempt failed: try again a little later, a few times. */
static void sub_failed(struct videolink *vl, const char *why)
{
	char msg[200];
	sub_drop(vl, NULL);
	if (++vl->failures >= MAX_FAILURES) {
		vl->receive = false;
		snprintf(msg, sizeof(msg), "video preview stopped: %s", why);
		announce(vl, NULL, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "video: %s; subscribing again", why);
	if (vl->cb.notice_cb)
		vl->cb.notice_cb(vl->cb.user, msg);
	if (!vl->retry_timer)
		loop_once(&vl->retry_timer, vl->main, RETRY_MS, retry_cb, vl);
}

static void showing(struct videolink *vl, struct sub *sb)
{
	struct feed *f = feed_get(vl, sb->feed);
	if (f) {
		f->pub.codec = sb->codec == VIDEO_CODEC_VP9 ? "vp9" : "vp8";
		announce(vl, f, NULL);
	}
}

/* Simulcast feeds: the lowest substream and temporal layer are enough for a preview. */
static void lowest_layer(struct videolink *vl, struct sub *sb)
{
	struct feed *f = feed_get(vl, sb->feed);
	if (!f || !f->simulcast)
		return;
	json_t *body = json_pack("{ss s[{ss si si}]}", "request", "configure", "streams", "mid",
				 sb->mid, "substream", 0, "temporal", 0);
	if (body)
		janus_message(vl->janus, sb->handle, body, NULL, NULL, NULL);
}

static void sub_frame(void *user, const struct video_image *img)
{
	struct sub *sb = user;
	struct videolink *vl = sb->vl;
	struct feed *f = feed_get(vl, sb->feed);
	vl->failures = 0;
	if (f && vl->cb.frame_cb)
		vl->cb.frame_cb(vl->cb.user, &f->pub, img);
}

static void sub_state(void *user, enum peer_state st, int err, const char *reason)
{
	struct sub *sb = user;
	(void)err;
	if (sb != sb->vl->sub)
		return;
	if (st == PEER_CONNECTED)
		vrecv_attach(sb->vrecv, jpc_peer(sb->pc));
	else if (st == PEER_FAILED || st == PEER_CLOSED)
		sub_failed(sb->vl, reason);
}

static void sub_rtp(void *user, uint8_t *buf, size_t len)
{
	struct sub *sb = user;
	vrecv_on_rtp(sb->vrecv, buf, len);
}

static void sub_rtcp(void *user, uint8_t *buf, size_t len)
{
	struct sub *sb = user;
	vrecv_on_rtcp(sb->vrecv, buf, len);
}

/* The first video m-line Janus offers with a port. */
static int video_mline(const struct sdp_session *offer)
{
	for (int i = 0; i < offer->n_media; i++)
		if (offer->media[i].kind == SDP_KIND_VIDEO && offer->media[i].port &&
		    offer->media[i].dir != SDP_DIR_INACTIVE)
			return i;
	return -1;
}

/* Sets up the PeerConnection and receiver for Janus's offer (first offer only). */
static int sub_setup(struct videolink *vl, struct sub *sb, const struct sdp_session *offer,
		     int mline, char *why, size_t whylen)
{
	const struct sdp_media *m = &offer->media[mline];
	struct vrecv_config rc = { .codec = VIDEO_CODEC_VP8, .rtx_pt = -1 };
	int pt = sdp_find_codec(offer, m, "VP8", 90000);
	if (pt < 0 && (pt = sdp_find_codec(offer, m, "VP9", 90000)) >= 0)
		rc.codec = VIDEO_CODEC_VP9;
	if (pt < 0) {
		snprintf(why, whylen, "the feed uses a codec other than VP8 and VP9");
		return -ENOTSUP;
	}
	rc.pt = (uint8_t)pt;
	sb->codec = rc.codec;
	for (unsigned int i = 0; i < m->n_codecs; i++) {
		const struct sdp_codec *c = sdp_media_codec(offer, m, i);
		if (c->has_rtpmap && !strcasecmp(c->name, "rtx") && c->apt == pt)
			rc.rtx_pt = c->pt;
	}
	rc.nack = sdp_codec_has_fb(sdp_codec_by_pt(offer, m, pt), "nack");
	rc.remote_ssrc = m->n_ssrcs ? m->ssrcs[0].ssrc : 0;
	rc.cname = "ttymeet";
	struct vrecv_callbacks vc = { .frame_cb = sub_frame, .user = sb };
	struct peer_callbacks pcb = {
		.state_cb = sub_state,
		.rtp_cb = sub_rtp,
		.rtcp_cb = sub_rtcp,
		.user = sb,
	};
	snprintf(sb->mid, sizeof(sb->mid), "%s", m->mid);
	if (vrecv_create(vl->main, &rc, &vc, &sb->vrecv) < 0 ||
	    jpc_create(vl->main, vl->janus, sb->handle, vl->cfg.peer, false, &pcb, &sb->pc) < 0 ||
	    peer_set_remote(jpc_peer(sb->pc), offer, mline) < 0) {
		snprintf(why, whylen, "cannot set up the video connection");
		return -EIO;
	}
	return 0;
}

static void on_started(void *user, const struct janus_reply *r)
{
	struct sub *sb = user;
	if (r->err) {
		sub_failed(sb->vl, r->reason);
		return;
	}
	if (!sb->started) {
		sb->started = true;
		lowest_layer(sb->vl, sb);
		showing(sb->vl, sb);
	}
}

static int write_sub_answer(void *ctx, const struct sdp_local *local, char *buf, size_t cap)
{
	const struct sdp_session *offer = ctx;
	struct sdp_answer_opts ao = {
		.local = *local,
		.accept_video = true,
		.allow_vp9 = true,
		.allow_rtx = true,
		.video_dir = SDP_DIR_RECVONLY,
		.cname = "ttymeet",
	};
	return sdp_write_answer(buf, cap, offer, &ao);
}

/* Janus offered (first time or a renegotiation): answer with "start". */
static void sub_answer(struct videolink *vl, struct sub *sb, json_t *jsep)
{
	struct sdp_session *offer = NULL;
	char why[160] = "the server's video offer is malformed";
	int mline, rc;

	if (jpc_parse_jsep(jsep, "offer", &offer) < 0)
		goto fail;
	if ((mline = video_mline(offer)) < 0) {
		snprintf(why, sizeof(why), "the feed stopped sending video");
		goto fail;
	}
	if (!sb->pc && sub_setup(vl, sb, offer, mline, why, sizeof(why)) < 0)
		goto fail;
	rc = jpc_send(sb->pc, json_pack("{ss}", "request", "start"), "answer", write_sub_answer,
		      offer, on_started, sb);
	if (rc < 0) {
		snprintf(why, sizeof(why), rc == -EIO ? "cannot write the video answer" :
							"cannot send the video answer");
		goto fail;
	}
	sb->answered = true;
	sdp_session_destroy(offer);
	return;
fail:
	sdp_session_destroy(offer);
	sub_failed(vl, why);
}

static void on_sub_joined(void *user, const struct janus_reply *r)
{
	struct sub *sb = user;
	if (r->err || !r->jsep) {
		sub_failed(sb->vl, r->err ? r->reason : "the server offered no video");
		return;
	}
	sub_answer(sb->vl, sb, r->jsep);
}

static void on_sub_attached(void *user, const struct janus_reply *r)
{
	struct sub *sb = user;
	struct videolink *vl = sb->vl;
	struct feed *f = feed_get(vl, sb->feed);
	if (r->err || !f) {
		sub_failed(vl, r->err ? r->reason : "the feed left");
		return;
	}
	sb->handle = r->id;
	json_t *body = with_pin(vl, json_pack("{ss sI ss s[{sI ss}]}", "request", "join", "room",
					      (json_int_t)vl->cfg.room, "ptype", "subscriber",
					      "streams", "feed", (json_int_t)f->pub.id, "mid",
					      f->mid));
	if (!body || janus_message(vl->janus, sb->handle, body, NULL, on_sub_joined, sb) < 0)
		sub_failed(vl, "cannot send the subscribe request");
}

static void sub_create(struct videolink *vl, uint64_t feed)
{
	struct sub *sb = calloc(1, sizeof(*sb));
	if (!sb)
		return;
	sb->vl = vl;
	sb->feed = feed;
	vl->sub = sb;
	vl->last_switch_us = g_get_monotonic_time();
	if (janus_attach(vl->janus, VIDEOROOM, on_sub_attached, sb) < 0)
		sub_failed(vl, "cannot attach the video subscriber");
}

static void on_switched(void *user, const struct janus_reply *r)
{
	struct sub *sb = user;
	sb->switching = false;
	if (r->err) { /* e.g. another codec: subscribe afresh */
		sub_drop(sb->vl, NULL);
		sub_want(sb->vl);
		return;
	}
	vrecv_restart(sb->vrecv);
	lowest_layer(sb->vl, sb);
	showing(sb->vl, sb);
	sub_want(sb->vl); /* the wish may have moved on meanwhile */
}

static void sub_switch(struct videolink *vl, struct feed *to)
{
	struct sub *sb = vl->sub;
	json_t *body = json_pack("{ss s[{sI ss ss}]}", "request", "switch", "streams", "feed",
				 (json_int_t)to->pub.id, "mid", to->mid, "sub_mid", sb->mid);
	sb->feed = to->pub.id;
	sb->switching = true;
	vl->last_switch_us = g_get_monotonic_time();
	if (!body || janus_message(vl->janus, sb->handle, body, NULL, on_switched, sb) < 0) {
		sub_drop(vl, NULL);
		sub_want(vl);
	}
}

/* Brings the subscription in line with what is wanted: the pinned feed, else the one shown,
 * else the first; nothing when receiving is off or nobody publishes. */
static void sub_want(struct videolink *vl)
{
	struct feed *want = NULL;
	if (vl->receive && vl->joined) {
		want = vl->pinned ? feed_get(vl, vl->pinned) : NULL;
		if (!want && vl->sub)
			want = feed_get(vl, vl->sub->feed);
		if (!want && vl->n_feeds)
			want = &vl->feeds[0];
	}
	if (!want) {
		sub_drop(vl, NULL);
		announce(vl, NULL, vl->receive ? "no one is sending video" : "video is off");
		return;
	}
	if (!vl->sub) {
		if (!vl->retry_timer)
			sub_create(vl, want->pub.id);
		return;
	}
	if (vl->sub->feed != want->pub.id && vl->sub->started && !vl->sub->switching)
		sub_switch(vl, want);
}

/* ---- the room's publishers ---- */

static void feeds_changed(struct videolink *vl)
{
	for (size_t i = 0; i < vl->n_feeds; i++)
		vl->list[i] = vl->feeds[i].pub;
	if (vl->cb.feeds_cb)
		vl->cb.feeds_cb(vl->cb.user);
	sub_want(vl);
}

static void feed_remove(struct videolink *vl, uint64_t id)
{
	for (size_t i = 0; i < vl->n_feeds; i++)
		if (vl->feeds[i].pub.id == id) {
			memmove(&vl->feeds[i], &vl->feeds[i + 1],
				(vl->n_feeds - i - 1) * sizeof(vl->feeds[0]));
			vl->n_feeds--;
			if (vl->pinned == id)
				vl->pinned = 0;
			if (vl->sub && vl->sub->feed == id)
				sub_drop(vl, NULL); /* another feed needs a fresh subscription */
			return;
		}
}

/* Adds or updates one publisher entry: {id, display, streams:[{type, mid, codec, ...}]}. */
static void feed_update(struct videolink *vl, json_t *pj)
{
	json_t *idv = json_object_get(pj, "id");
	if (!json_is_integer(idv) || json_integer_value(idv) <= 0)
		return;
	uint64_t id = (uint64_t)json_integer_value(idv);
	if (id == vl->self_id)
		return;
	struct feed nf = { .pub.id = id };
	json_t *st;
	size_t i;
	json_array_foreach(json_object_get(pj, "streams"), i, st) {
		const char *type = json_string_value(json_object_get(st, "type"));
		const char *mid = json_string_value(json_object_get(st, "mid"));
		const char *codec = json_string_value(json_object_get(st, "codec"));
		if (!type || strcmp(type, "video") || !mid || !*mid || strlen(mid) > SDP_MID_LEN ||
		    !text_is_clean(mid) || json_is_true(json_object_get(st, "disabled")) ||
		    (codec && strcasecmp(codec, "vp8") && strcasecmp(codec, "vp9")))
			continue;
		snprintf(nf.mid, sizeof(nf.mid), "%s", mid);
		nf.simulcast = json_is_true(json_object_get(st, "simulcast"));
		break;
	}
	struct feed *f = feed_get(vl, id);
	if (!nf.mid[0]) { /* no usable video (audio-only publisher) */
		if (f)
			feed_remove(vl, id);
		return;
	}
	const char *display = json_string_value(json_object_get(pj, "display"));
	if (display)
		text_sanitize(display, strlen(display), nf.pub.display, sizeof(nf.pub.display),
			      false);
	if (!nf.pub.display[0])
		snprintf(nf.pub.display, sizeof(nf.pub.display), "%llu", (unsigned long long)id);
	if (f)
		*f = nf;
	else if (vl->n_feeds < VIDEOLINK_MAX_FEEDS)
		vl->feeds[vl->n_feeds++] = nf;
}

/* A participant renamed itself (a "configure" with a display): {"videoroom": "event", "id": N,
 * "display": "..."}. The feed keeps its place and subscription; its pictures carry the new
 * name (the owner's roster says the rename: nothing is announced again). */
static void feed_rename(struct videolink *vl, json_t *data)
{
	json_t *idv = json_object_get(data, "id");
	const char *display = json_string_value(json_object_get(data, "display"));
	char name[VIDEOLINK_NAME_MAX];
	struct feed *f;
	if (!json_is_integer(idv) || json_integer_value(idv) <= 0 || !display ||
	    !(f = feed_get(vl, (uint64_t)json_integer_value(idv))))
		return;
	text_sanitize(display, strlen(display), name, sizeof(name), false);
	if (!name[0] || !strcmp(name, f->pub.display))
		return;
	snprintf(f->pub.display, sizeof(f->pub.display), "%s", name);
	for (size_t i = 0; i < vl->n_feeds; i++)
		vl->list[i] = vl->feeds[i].pub;
	if (vl->cb.feeds_cb)
		vl->cb.feeds_cb(vl->cb.user);
}

static void on_room_event(struct videolink *vl, json_t *data)
{
	json_t *pubs = json_object_get(data, "publishers"), *pj, *v;
	size_t i;
	bool changed = false;
	if (!pubs && json_is_string(json_object_get(data, "display"))) {
		feed_rename(vl, data);
		return;
	}
	json_array_foreach(pubs, i, pj) {
		feed_update(vl, pj);
		changed = true;
	}
	static const char *const gone[] = { "unpublished", "leaving", "kicked" };
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (json_is_integer(v = json_object_get(data, gone[i]))) {
			feed_remove(vl, (uint64_t)json_integer_value(v));
			changed = true;
		}
	if (changed)
		feeds_changed(vl);
}

/* ---- publishing ---- */

static void pub_state(void *user, enum peer_state st, int err, const char *reason)
{
	struct videolink *vl = user;
	(void)err;
	if (st == PEER_CONNECTED && !vl->pub_up) {
		vl->pub_up = true;
		if (vl->cb.publish_cb)
			vl->cb.publish_cb(vl->cb.user, true, NULL);
	} else if (st == PEER_FAILED || st == PEER_CLOSED) {
		vsend_detach(vl->vsend);
		vl->pub_up = false;
		if (vl->cb.publish_cb)
			vl->cb.publish_cb(vl->cb.user, false, reason);
	}
}

static void pub_rtcp(void *user, uint8_t *buf, size_t len)
{
	struct videolink *vl = user;
	vsend_on_rtcp(vl->vsend, buf, len);
}

static void pub_failed(struct videolink *vl, const char *why)
{
	if (vl->cb.publish_cb)
		vl->cb.publish_cb(vl->cb.user, false, why);
}

static void on_published(void *user, const struct janus_reply *r)
{
	struct videolink *vl = user;
	struct sdp_session *ans = NULL;
	const char *codec = vl->cfg.codec == VIDEO_CODEC_VP9 ? "VP9" : "VP8";
	const char *sdp = json_string_value(json_object_get(r->jsep, "sdp"));
	if (r->err || !sdp) {
		pub_failed(vl, r->err ? r->reason : "the server sent no answer to our video");
		return;
	}
	int mline = -1;
	if (jpc_parse_jsep(r->jsep, "answer", &ans) < 0 || (mline = video_mline(ans)) < 0 ||
	    sdp_find_codec(ans, &ans->media[mline], codec, 90000) < 0 ||
	    peer_set_remote(jpc_peer(vl->pub_pc), ans, mline) < 0) {
		pub_failed(vl, vl->cfg.codec == VIDEO_CODEC_VP9 ?
				       "the server did not accept our VP9 video" :
				       "the server did not accept our VP8 video");
		goto out;
	}
	const struct sdp_media *m = &ans->media[mline];
	struct vsend_params vp = {
		.pt = (uint8_t)sdp_find_codec(ans, m, codec, 90000),
		.mid_ext_id = sdp_extmap_id(m, SDP_URI_MID),
		.mid = m->mid,
	};
	vsend_attach(vl->vsend, jpc_peer(vl->pub_pc), &vp);
out:
	sdp_session_destroy(ans);
}

static int write_pub_offer(void *ctx, const struct sdp_local *local, char *buf, size_t cap)
{
	struct videolink *vl = ctx;
	uint32_t ssrcs[VSEND_MAX_LAYERS];
	size_t n = vsend_ssrcs(vl->vsend, ssrcs);
	struct sdp_video_offer o = {
		.local = *local,
		.mid = "0",
		.ssrc = ssrcs[n - 1],
		.simulcast_low = n > 1 ? ssrcs[0] : 0,
		.cname = "ttymeet",
		.max_kbps = vl->cfg.kbps ? (unsigned int)vl->cfg.kbps : 150,
		.vp9 = vl->cfg.codec == VIDEO_CODEC_VP9,
	};
	return sdp_write_video_offer(buf, cap, &o);
}

static void publish(struct videolink *vl)
{
	struct peer_callbacks pcb = {
		.state_cb = pub_state,
		.rtcp_cb = pub_rtcp,
		.user = vl,
	};
	if (jpc_create(vl->main, vl->janus, vl->ctl_handle, vl->cfg.peer, true, &pcb,
		       &vl->pub_pc) < 0) {
		pub_failed(vl, "cannot start ICE for our video");
		return;
	}
	int rc = jpc_send(vl->pub_pc, json_pack("{ss ss}", "request", "publish", "display",
						vl->display),
			  "offer", write_pub_offer, vl, on_published, vl);
	if (rc < 0)
		pub_failed(vl, rc == -EIO ? "cannot write our video offer" :
					    "cannot send our video offer");
}

/* ---- control handle ---- */

/* Our display as it is now, by a "configure" (the others get an event naming it). */
static int send_display(struct videolink *vl)
{
	json_t *body = json_pack("{ss ss}", "request", "configure", "display", vl->display);
	return body ? janus_message(vl->janus, vl->ctl_handle, body, NULL, NULL, NULL) : -ENOMEM;
}

static void on_ctl_joined(void *user, const struct janus_reply *r)
{
	struct videolink *vl = user;
	char why[200];
	if (r->err) {
		if (r->code == 426) /* the VideoRoom's "no such room" */
			snprintf(why, sizeof(why), "no video in this room: there is no video room "
				 "%" PRIu64 " on this server", vl->cfg.room);
		else
			snprintf(why, sizeof(why), "no video in this room: %s", r->reason);
		fail(vl, why);
		return;
	}
	json_t *idv = json_object_get(r->data, "id");
	vl->self_id = json_is_integer(idv) ? (uint64_t)json_integer_value(idv) : 0;
	vl->joined = true;
	on_room_event(vl, r->data);
	if (vl->vsend)
		publish(vl); /* with our display as it is now */
	else if (vl->display_stale)
		send_display(vl);
	vl->display_stale = false;
	sub_want(vl);
}

static void on_ctl_attached(void *user, const struct janus_reply *r)
{
	struct videolink *vl = user;
	char why[200];
	if (r->err) {
		snprintf(why, sizeof(why), "the server has no video rooms: %s", r->reason);
		fail(vl, why);
		return;
	}
	vl->ctl_handle = r->id;
	json_t *body = with_pin(vl, json_pack("{ss sI ss ss}", "request", "join", "room",
					      (json_int_t)vl->cfg.room, "ptype", "publisher",
					      "display", vl->display));
	if (!body || janus_message(vl->janus, vl->ctl_handle, body, NULL, on_ctl_joined, vl) < 0)
		fail(vl, "cannot join the video room");
}

/* ---- public ---- */

static char *dup_opt(const char *s, bool *ok)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		*ok = false;
	return d;
}

int videolink_start(GMainContext *main, struct janus *janus, const struct videolink_config *cfg,
		    const struct videolink_callbacks *cbs, struct videolink **out, char *msg,
		    size_t msglen)
{
	struct videolink *vl = calloc(1, sizeof(*vl));
	bool ok = true;
	int rc;
	if (!vl)
		return -ENOMEM;
	vl->main = main;
	vl->janus = janus;
	vl->cfg = *cfg;
	vl->cb = *cbs;
	vl->receive = cfg->receive;
	vl->display = dup_opt(cfg->display ? cfg->display : "ttymeet", &ok);
	vl->pin = dup_opt(cfg->pin, &ok);
	vl->source = dup_opt(cfg->source, &ok);
	vl->cfg.display = vl->cfg.pin = vl->cfg.source = NULL;
	if (!ok) {
		rc = -ENOMEM;
		snprintf(msg, msglen, "out of memory");
		goto fail;
	}
	if (vl->source) {
		struct vsend_config vc = { .source = vl->source, .width = cfg->width,
					   .height = cfg->height, .fps = cfg->fps,
					   .kbps = cfg->kbps, .codec = cfg->codec,
					   .simulcast = cfg->simulcast,
					   .cname = "ttymeet" };
		if ((rc = vsend_create(main, &vc, &vl->vsend, msg, msglen)) < 0)
			goto fail;
	}
	if (cfg->meeting_self_id) { /* the owner is in the room already: its events come */
		vl->meeting = vl->joined = true;
		vl->self_id = cfg->meeting_self_id;
		if (vl->vsend) {
			rc = -EINVAL;
			snprintf(msg, msglen, "the meeting publishes our video, not the video link");
			goto fail;
		}
	} else if ((rc = janus_attach(janus, VIDEOROOM, on_ctl_attached, vl)) < 0) {
		snprintf(msg, msglen, "cannot attach to the video room");
		goto fail;
	}
	*out = vl;
	return 0;
fail:
	videolink_destroy(vl);
	return rc;
}

void videolink_destroy(struct videolink *vl)
{
	if (!vl)
		return;
	janus_forget(vl->janus, vl);
	sub_drop(vl, NULL);
	loop_source_drop(&vl->reap_idle);
	free_dead(vl);
	loop_source_drop(&vl->retry_timer);
	loop_source_drop(&vl->follow_timer);
	if (vl->ctl_handle)
		janus_detach(vl->janus, vl->ctl_handle, NULL, NULL);
	vsend_destroy(vl->vsend);
	jpc_destroy(vl->pub_pc);
	free(vl->display);
	secret_free(vl->pin);
	free(vl->source);
	free(vl);
}

int videolink_set_display(struct videolink *vl, const char *display)
{
	char *d = strdup(display);
	if (!d)
		return -ENOMEM;
	free(vl->display);
	vl->display = d;
	if (vl->meeting)
		return 0; /* the owner renames its handle */
	if (!vl->joined) { /* a join on its way has the old one: configured once joined */
		vl->display_stale = vl->ctl_handle != 0;
		return 0;
	}
	return send_display(vl);
}

bool videolink_owns(const struct videolink *vl, uint64_t handle)
{
	return handle && (handle == vl->ctl_handle || (vl->sub && handle == vl->sub->handle));
}

struct peer *videolink_peer(const struct videolink *vl, uint64_t handle)
{
	if (!handle)
		return NULL;
	if (handle == vl->ctl_handle)
		return vl->pub_pc ? jpc_peer(vl->pub_pc) : NULL;
	return vl->sub && handle == vl->sub->handle && vl->sub->pc ? jpc_peer(vl->sub->pc) : NULL;
}

void videolink_on_janus_event(struct videolink *vl, const struct janus_event *ev)
{
	if (vl->sub && ev->handle == vl->sub->handle) {
		if (ev->kind == JANUS_EV_HANGUP) {
			sub_failed(vl, "the server hung up the video");
		} else if (ev->kind == JANUS_EV_PLUGIN && ev->jsep && vl->sub->answered) {
			sub_answer(vl, vl->sub, ev->jsep); /* renegotiation */
		}
		return;
	}
	if (ev->handle != vl->ctl_handle)
		return;
	if (ev->kind == JANUS_EV_PLUGIN && ev->data)
		on_room_event(vl, ev->data);
	else if (ev->kind == JANUS_EV_HANGUP && vl->vsend)
		pub_state(vl, PEER_CLOSED, 0, "the server hung up our video");
}

void videolink_room_event(struct videolink *vl, json_t *data)
{
	const char *kind = json_string_value(json_object_get(data, "videoroom"));
	if (!vl->meeting || !json_is_object(data) || !kind ||
	    (strcmp(kind, "event") && strcmp(kind, "joined")))
		return;
	on_room_event(vl, data);
}

void videolink_set_receive(struct videolink *vl, bool on)
{
	vl->receive = on;
	vl->failures = 0;
	sub_want(vl);
}

bool videolink_receiving(const struct videolink *vl)
{
	return vl->receive;
}

int videolink_show(struct videolink *vl, uint64_t feed)
{
	if (feed && !feed_get(vl, feed))
		return -ENOENT;
	vl->pinned = feed;
	sub_want(vl);
	return 0;
}

int videolink_show_next(struct videolink *vl)
{
	if (!vl->n_feeds)
		return -ENOENT;
	if (vl->n_feeds == 1 && vl->sub && vl->sub->feed == vl->feeds[0].pub.id)
		return -EALREADY; /* the only one is shown: nobody to switch to */
	size_t next = 0;
	for (size_t i = 0; vl->sub && i < vl->n_feeds; i++)
		if (vl->feeds[i].pub.id == vl->sub->feed)
			next = (i + 1) % vl->n_feeds;
	return videolink_show(vl, vl->feeds[next].pub.id);
}

static void follow_cb(void *data)
{
	struct videolink *vl = data;
	videolink_follow(vl, vl->follow);
}

int videolink_follow(struct videolink *vl, uint64_t feed)
{
	struct feed *f = feed_get(vl, feed);
	vl->follow = 0;
	if (!f)
		return -ENOENT;
	if (vl->pinned || !vl->sub || vl->sub->feed == feed)
		return 0;
	gint64 wait = vl->last_switch_us + FOLLOW_HOLD_US - g_get_monotonic_time();
	if (wait > 0 || !vl->sub->started || vl->sub->switching) {
		/* too soon after the last change: show this speaker when the hold is over */
		vl->follow = feed;
		if (!vl->follow_timer)
			loop_once(&vl->follow_timer, vl->main,
				  wait > 0 ? (guint)(wait / 1000) + 1 : 200, follow_cb, vl);
		return -EAGAIN;
	}
	sub_switch(vl, f);
	return 0;
}

const struct videolink_feed *videolink_feed_by_name(const struct videolink *vl, const char *name)
{
	for (size_t i = 0; i < vl->n_feeds; i++)
		if (!strcmp(vl->feeds[i].pub.display, name))
			return &vl->list[i];
	return NULL;
}

const struct videolink_feed *videolink_showing(const struct videolink *vl)
{
	for (size_t i = 0; vl->sub && vl->sub->started && i < vl->n_feeds; i++)
		if (vl->feeds[i].pub.id == vl->sub->feed)
			return &vl->list[i];
	return NULL;
}

const struct videolink_feed *videolink_feeds(const struct videolink *vl, size_t *n)
{
	*n = vl->n_feeds;
	return vl->list;
}

void videolink_get_stats(struct videolink *vl, struct videolink_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->receiving = vl->sub && vl->sub->vrecv;
	if (out->receiving)
		vrecv_get_stats(vl->sub->vrecv, &out->rx);
	out->publishing = vl->pub_up;
	if (vl->vsend)
		vsend_get_stats(vl->vsend, &out->tx);
}
