/* The call in a Janus VideoRoom meeting (see jb.h): Janus forwards each publisher's streams
 * instead of mixing them, so the call is two PeerConnections.
 *
 *  - Publisher (the meeting handle, b->handle): "join" as ptype publisher (display, pin) →
 *    "joined" with our id, private_id, the publishers and (notify_joining) the attendees;
 *    then "publish" with our send-only Opus offer → Janus answers → src/media.c sends, as in
 *    an AudioBridge call. With --video-source the offer has a video m-line too and our video
 *    goes out on the same connection (src/janus/vpub.c): one participant for the room. The handle's events keep the roster: new publishers, "unpublished",
 *    "leaving", "kicked", "joining" attendees, display changes, and the room's own talking
 *    events where it has audiolevel_event.
 *  - Subscriber (its own handle, once someone publishes audio): "join" as ptype subscriber
 *    with every publisher's audio stream → Janus offers one m-line per stream → we answer
 *    receive-only with "start" → the streams go to the media engine's forwarded-stream
 *    downlink (media_attach_recv: per stream jitter buffer, the loudest few decoded, mixed).
 *    Publishers who come later are added with "subscribe"; those who leave are dropped by
 *    Janus itself (autoupdate): every new offer is answered with "start", one request at a
 *    time. Each offer's "streams" list maps our m-lines to publishers, and its a=ssrc lines
 *    map SSRCs to m-lines: talking comes per SSRC from the engine (RFC 6464 level or decoded
 *    energy) and goes to the publisher's roster entry.
 *
 * Mute: VideoRoom 1.1.2 tells nobody when a publisher mutes itself (only a moderator's mute,
 * "moderation", is announced). So a publisher is shown muted when the room says it was muted
 * by a moderator, or when its stream stops (no packet for QUIET_MUTED_US: ttymeet sends
 * nothing while muted); a browser that mutes by sending silence is shown as not talking, not
 * as muted. Our own mute also stops Janus relaying our stream (configure send false).
 *
 * Publisher ids are the roster's ids. Every name from the server is sanitized on the way in
 * (through the roster update shared with AudioBridge). Thread: the loop's thread.
 */
#include "src/janus/jb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/loop.h"
#include "net/sdp.h"
#include "src/exitcode.h"
#include "src/media.h"
#include "src/roster.h"
#include "src/text.h"

#define VIDEOROOM "janus.plugin.videoroom"
#define VR_NO_SUCH_ROOM 426
#define VR_NO_SUCH_FEED 428
#define QUIET_MUTED_US (1500 * 1000) /* a stream without packets this long: muted */
#define MUTE_LOOK_MS 250

static bool json_id(json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

static struct vr_feed *feed_get(struct jb_vr *vr, uint64_t id)
{
	for (size_t i = 0; i < vr->n_feeds; i++)
		if (vr->feeds[i].id == id)
			return &vr->feeds[i];
	return NULL;
}

static struct vr_feed *feed_by_ssrc(struct jb_vr *vr, uint32_t ssrc)
{
	for (size_t i = 0; ssrc && i < vr->n_feeds; i++)
		if (vr->feeds[i].ssrc == ssrc)
			return &vr->feeds[i];
	return NULL;
}

/* A publisher's audio is gone (unpublished, left): the engine forgets its stream. */
static void feed_drop(struct backend *b, size_t i)
{
	struct jb_vr *vr = &b->vr;
	if (vr->feeds[i].ssrc && b->env.media)
		media_forget_stream(b->env.media, vr->feeds[i].ssrc);
	memmove(&vr->feeds[i], &vr->feeds[i + 1], (vr->n_feeds - i - 1) * sizeof(vr->feeds[0]));
	vr->n_feeds--;
}

static void feed_remove(struct backend *b, uint64_t id)
{
	for (size_t i = 0; i < b->vr.n_feeds; i++)
		if (b->vr.feeds[i].id == id) {
			feed_drop(b, i);
			return;
		}
}

/* ---- the subscriber ---- */

static void sub_sync(struct backend *b);
static void sub_answer(struct backend *b, json_t *data, json_t *jsep);

static void sub_failed(struct backend *b, const char *why)
{
	/* Hearing the others is the call: a subscriber that cannot be set up is a call that
	 * does not work, and the session's reconnection deals with it. */
	session_be_lost(b->s, TTM_EXIT_MEDIA, "cannot receive the others' audio: %s", why);
}

static void sub_state(void *user, enum peer_state st, int err, const char *reason)
{
	struct backend *b = user;
	(void)err;
	if (st == PEER_FAILED || st == PEER_CLOSED)
		session_be_audio_down(b->s, false, reason);
}

static void sub_rtp(void *user, uint8_t *buf, size_t len)
{
	struct backend *b = user;
	if (b->env.media)
		media_on_recv_rtp(b->env.media, buf, len);
}

static void sub_rtcp(void *user, uint8_t *buf, size_t len)
{
	struct backend *b = user;
	if (b->env.media)
		media_on_recv_rtcp(b->env.media, buf, len);
}

static void stream_talking(void *user, uint32_t ssrc, bool talking)
{
	struct backend *b = user;
	struct vr_feed *f = feed_by_ssrc(&b->vr, ssrc);
	if (f)
		roster_audio_talking(b->env.roster, f->id, talking);
}

static const struct sdp_media *mline_by_mid(const struct sdp_session *o, const char *mid)
{
	for (int i = 0; i < o->n_media; i++)
		if (!strcmp(o->media[i].mid, mid))
			return &o->media[i];
	return NULL;
}

/* Maps our m-lines to publishers from the offer's "streams" list and SSRCs from its SDP. */
static void map_streams(struct backend *b, json_t *streams, const struct sdp_session *offer)
{
	struct jb_vr *vr = &b->vr;
	json_t *st;
	size_t i;
	for (i = 0; i < vr->n_feeds; i++)
		vr->feeds[i].mapped = false;
	json_array_foreach(streams, i, st) {
		const char *type = json_string_value(json_object_get(st, "type"));
		const char *mid = json_string_value(json_object_get(st, "mid"));
		uint64_t feed;
		struct vr_feed *f;
		const struct sdp_media *m;
		if (!type || strcmp(type, "audio") || !mid || json_is_false(json_object_get(st, "active")) ||
		    !json_id(json_object_get(st, "feed_id"), &feed) || !(f = feed_get(vr, feed)) ||
		    !(m = mline_by_mid(offer, mid)) || !m->port)
			continue;
		uint32_t ssrc = m->n_ssrcs ? m->ssrcs[0].ssrc : 0;
		if (f->ssrc && f->ssrc != ssrc && b->env.media)
			media_forget_stream(b->env.media, f->ssrc); /* its m-line was reused */
		f->ssrc = ssrc;
		f->subscribed = f->mapped = true;
	}
	for (i = 0; i < vr->n_feeds; i++)
		if (!vr->feeds[i].mapped && vr->feeds[i].ssrc) {
			if (b->env.media)
				media_forget_stream(b->env.media, vr->feeds[i].ssrc);
			vr->feeds[i].ssrc = 0;
		}
}

/* The engine's parameters from the offer: every Opus payload type and the level id. */
static int recv_params(const struct sdp_session *offer, struct media_recv_params *rp)
{
	memset(rp, 0, sizeof(*rp));
	rp->level_ext_id = -1;
	for (int i = 0; i < offer->n_media; i++) {
		const struct sdp_media *m = &offer->media[i];
		if (m->kind != SDP_KIND_AUDIO || !m->port)
			continue;
		int pt = sdp_find_codec(offer, m, "opus", 48000);
		bool known = false;
		for (size_t k = 0; k < rp->n_pts; k++)
			known |= rp->opus_pts[k] == pt;
		if (pt >= 0 && !known && rp->n_pts < sizeof(rp->opus_pts))
			rp->opus_pts[rp->n_pts++] = (uint8_t)pt;
		if (rp->level_ext_id <= 0)
			rp->level_ext_id = sdp_extmap_id(m, SDP_URI_AUDIO_LEVEL);
	}
	return rp->n_pts ? 0 : -ENOTSUP;
}

static int write_sub_answer(void *ctx, const struct sdp_local *local, char *buf, size_t cap)
{
	const struct sdp_session *offer = ctx;
	struct sdp_answer_opts ao = {
		.local = *local,
		.accept_audio = true,
		.audio_dir = SDP_DIR_RECVONLY,
		.cname = "ttymeet",
	};
	return sdp_write_answer(buf, cap, offer, &ao);
}

static void on_started(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	struct jb_vr *vr = &b->vr;
	vr->sub_busy = false;
	if (r->err) {
		sub_failed(b, r->reason);
		return;
	}
	if (vr->pending_jsep) { /* an offer Janus made meanwhile */
		json_t *data = vr->pending_data, *jsep = vr->pending_jsep;
		vr->pending_data = vr->pending_jsep = NULL;
		sub_answer(b, data, jsep);
		json_decref(data);
		json_decref(jsep);
		return;
	}
	sub_sync(b); /* who came meanwhile */
}

/* Janus offered (the first time, or after a change): answer with "start". */
static void sub_answer(struct backend *b, json_t *data, json_t *jsep)
{
	struct jb_vr *vr = &b->vr;
	struct sdp_session *offer = NULL;
	struct media_recv_params rp;
	int rc = jpc_parse_jsep(jsep, "offer", &offer);
	const char *why = "the server's audio offer is malformed";

	if (rc < 0)
		goto fail;
	if (recv_params(offer, &rp) < 0) {
		why = "the server offered no Opus audio";
		goto fail;
	}
	if (!vr->sub_pc) {
		struct peer_callbacks pcb = {
			.state_cb = sub_state,
			.rtp_cb = sub_rtp,
			.rtcp_cb = sub_rtcp,
			.user = b,
		};
		int ml = -1;
		for (int i = 0; i < offer->n_media && ml < 0; i++)
			if (offer->media[i].port)
				ml = i;
		if (jpc_create(b->env.main, b->janus, vr->sub_handle, b->env.peer, false, &pcb,
			       &vr->sub_pc) < 0 ||
		    peer_set_remote(jpc_peer(vr->sub_pc), offer, ml) < 0) {
			why = "cannot set up the audio connection";
			goto fail;
		}
	}
	if (b->env.media && (!vr->recv_attached || memcmp(&rp, &vr->rp, sizeof(rp)))) {
		media_detach_recv(b->env.media);
		media_set_stream_cb(b->env.media, stream_talking, b);
		if (media_attach_recv(b->env.media, jpc_peer(vr->sub_pc), &rp) == 0) {
			vr->recv_attached = true;
			vr->rp = rp;
		}
	}
	map_streams(b, json_object_get(data, "streams"), offer);
	vr->sub_busy = true;
	rc = jpc_send(vr->sub_pc, json_pack("{ss}", "request", "start"), "answer", write_sub_answer,
		      offer, on_started, b);
	if (rc < 0) {
		vr->sub_busy = false;
		why = rc == -EIO ? "cannot write the audio answer" : "cannot send the audio answer";
		goto fail;
	}
	sdp_session_destroy(offer);
	return;
fail:
	sdp_session_destroy(offer);
	sub_failed(b, why);
}

/* The answer to a join or subscribe: an offer (or, coalesced, none yet: it comes as an
 * event). */
static void on_sub_reply(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	if (r->err) {
		b->vr.sub_busy = false;
		if (r->code == VR_NO_SUCH_FEED) { /* left meanwhile: try with who is there */
			sub_sync(b);
			return;
		}
		sub_failed(b, r->reason);
		return;
	}
	if (r->jsep)
		sub_answer(b, r->data, r->jsep);
	else
		b->vr.sub_busy = false; /* the offer comes with an "updated" event */
}

/* The streams [{feed, mid}] of the publishers we want and do not have yet (marked as asked
 * for). NULL when there are none. */
static json_t *wanted_streams(struct jb_vr *vr)
{
	json_t *list = NULL;
	size_t have = 0;
	for (size_t i = 0; i < vr->n_feeds; i++)
		have += vr->feeds[i].subscribed;
	for (size_t i = 0; i < vr->n_feeds; i++) {
		struct vr_feed *f = &vr->feeds[i];
		if (f->subscribed || !f->audio_mid[0])
			continue;
		if (have++ >= JB_VR_SUB_MAX) { /* one m-line each: beyond it, not heard */
			vr->over_sub_max = true;
			break;
		}
		if (!list && !(list = json_array()))
			return NULL;
		json_array_append_new(list, json_pack("{sI ss}", "feed", (json_int_t)f->id, "mid",
						      f->audio_mid));
		f->subscribed = true;
	}
	return list;
}

static void on_sub_attached(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	struct jb_vr *vr = &b->vr;
	vr->sub_attaching = false;
	if (r->err) {
		sub_failed(b, r->reason);
		return;
	}
	vr->sub_handle = r->id;
	sub_sync(b);
}

/* Brings the subscription in line with the publishers: one request at a time. */
static void sub_sync(struct backend *b)
{
	struct jb_vr *vr = &b->vr;
	if (b->state != JB_JOINED || vr->sub_busy || vr->sub_attaching || !b->env.media)
		return;
	bool want = false;
	size_t have = 0;
	for (size_t i = 0; i < vr->n_feeds; i++) {
		want |= !vr->feeds[i].subscribed && vr->feeds[i].audio_mid[0];
		have += vr->feeds[i].subscribed;
	}
	if (want && have >= JB_VR_SUB_MAX) {
		if (!vr->over_sub_max)
			session_be_notice(b->s, "more than %d people publish audio in this room: "
					  "ttymeet hears the first %d", JB_VR_SUB_MAX, JB_VR_SUB_MAX);
		vr->over_sub_max = true;
		return;
	}
	if (!want)
		return;
	if (!vr->sub_handle) {
		vr->sub_attaching = true;
		if (janus_attach(b->janus, VIDEOROOM, on_sub_attached, b) < 0)
			sub_failed(b, "cannot attach the subscriber");
		return;
	}
	json_t *streams = wanted_streams(vr), *body;
	if (!streams)
		return;
	if (!vr->sub_pc) {
		body = json_pack("{ss sI ss so}", "request", "join", "room", (json_int_t)b->cfg->room,
				 "ptype", "subscriber", "streams", streams);
		if (body && vr->private_id)
			json_object_set_new(body, "private_id", json_integer((json_int_t)vr->private_id));
		if (body && b->cfg->pin)
			json_object_set_new(body, "pin", json_string(b->cfg->pin));
	} else {
		body = json_pack("{ss so}", "request", "subscribe", "streams", streams);
	}
	vr->sub_busy = true;
	if (!body || janus_message(b->janus, vr->sub_handle, body, NULL, on_sub_reply, b) < 0) {
		vr->sub_busy = false;
		sub_failed(b, "cannot send the subscribe request");
	}
}

/* ---- the room: publishers and attendees ---- */

/* One publisher entry {id, display, streams:[{type, mid, disabled?}]}: the roster, and its
 * audio stream for the subscriber. */
static void publisher_update(struct backend *b, json_t *pj)
{
	struct jb_vr *vr = &b->vr;
	uint64_t id;
	json_t *st;
	size_t i;
	if (!json_id(json_object_get(pj, "id"), &id) || id == session_be_self_id(b->s))
		return;
	char mid[SDP_MID_LEN + 1] = "";
	bool muted = false;
	json_array_foreach(json_object_get(pj, "streams"), i, st) {
		const char *type = json_string_value(json_object_get(st, "type"));
		const char *m = json_string_value(json_object_get(st, "mid"));
		if (!type || strcmp(type, "audio") || !m || !*m || strlen(m) > SDP_MID_LEN ||
		    !text_is_clean(m))
			continue;
		if (json_is_true(json_object_get(st, "disabled"))) {
			muted = true;
			continue;
		}
		snprintf(mid, sizeof(mid), "%s", m);
		break;
	}
	jb_roster_update(b, pj, muted && !mid[0]);
	struct vr_feed *f = feed_get(vr, id);
	if (!f && vr->n_feeds < JB_VR_FEEDS) {
		f = &vr->feeds[vr->n_feeds++];
		memset(f, 0, sizeof(*f));
		f->id = id;
	}
	if (!f)
		return;
	if (strcmp(f->audio_mid, mid)) { /* (re)published: subscribe anew */
		snprintf(f->audio_mid, sizeof(f->audio_mid), "%s", mid);
		f->subscribed = false;
	}
}

void jb_vr_room_event(struct backend *b, json_t *data)
{
	const char *kind = json_string_value(json_object_get(data, "videoroom"));
	json_t *pj, *v;
	uint64_t id;
	size_t i;

	if (!kind || b->state != JB_JOINED)
		return;
	if (!strcmp(kind, "talking") || !strcmp(kind, "stopped-talking")) {
		/* The room's own measure (audiolevel_event) averages every audio_active_packets
		 * packets, so a publisher that stops sending (DTX silence, mute) is never said to
		 * have stopped. Streams we receive are measured per packet by the engine; the
		 * room's word counts only for the others, and never for ourselves. */
		struct vr_feed *f;
		if (json_id(json_object_get(data, "id"), &id) && id != session_be_self_id(b->s) &&
		    (!(f = feed_get(&b->vr, id)) || !f->ssrc))
			roster_audio_talking(b->env.roster, id, !strcmp(kind, "talking"));
		return;
	}
	if (strcmp(kind, "event") && strcmp(kind, "joined"))
		return;
	jb_video_room_event(b, data); /* the preview's feeds: the same publishers */
	const char *moderation = json_string_value(json_object_get(data, "moderation"));
	if (moderation && json_id(json_object_get(data, "id"), &id)) { /* a moderator's mute */
		roster_audio_muted(b->env.roster, id, !strcmp(moderation, "muted"));
		return;
	}
	json_array_foreach(json_object_get(data, "publishers"), i, pj)
		if (json_is_object(pj))
			publisher_update(b, pj);
	json_array_foreach(json_object_get(data, "attendees"), i, pj)
		if (json_is_object(pj) && json_id(json_object_get(pj, "id"), &id) &&
		    id != session_be_self_id(b->s))
			jb_roster_update(b, pj, false);
	if (json_is_object(pj = json_object_get(data, "joining")) &&
	    json_id(json_object_get(pj, "id"), &id) && id != session_be_self_id(b->s))
		jb_roster_update(b, pj, false);
	if (json_id(json_object_get(data, "unpublished"), &id))
		feed_remove(b, id); /* still in the room, now without audio */
	if (json_id(json_object_get(data, "leaving"), &id)) {
		feed_remove(b, id);
		roster_audio_remove(b->env.roster, id);
	}
	if (json_id(v = json_object_get(data, "kicked"), &id)) {
		if (id == session_be_self_id(b->s)) {
			session_be_fail(b->s, TTM_EXIT_ROOM, true, "you were removed from the room");
			return;
		}
		feed_remove(b, id);
		roster_audio_remove(b->env.roster, id);
	}
	if (json_id(json_object_get(data, "id"), &id) && id != session_be_self_id(b->s) &&
	    json_is_string(json_object_get(data, "display")) && !json_object_get(data, "publishers"))
		jb_roster_update(b, data, false); /* a rename */
	sub_sync(b);
}

bool jb_vr_route(struct backend *b, const struct janus_event *ev)
{
	struct jb_vr *vr = &b->vr;
	if (!vr->sub_handle || ev->handle != vr->sub_handle)
		return false;
	if (ev->kind == JANUS_EV_HANGUP) {
		sub_failed(b, "the server hung up the audio");
	} else if (ev->kind == JANUS_EV_PLUGIN && ev->jsep && vr->sub_pc && !vr->sub_busy) {
		sub_answer(b, ev->data, ev->jsep); /* an update Janus made (a publisher left) */
	} else if (ev->kind == JANUS_EV_PLUGIN && ev->jsep) {
		/* answered once the request in flight is done; a newer offer replaces an older */
		json_decref(vr->pending_data);
		json_decref(vr->pending_jsep);
		vr->pending_data = json_incref(ev->data);
		vr->pending_jsep = json_incref(ev->jsep);
	}
	return true;
}

struct peer *jb_vr_peer(const struct backend *b, uint64_t handle)
{
	const struct jb_vr *vr = &b->vr;
	return handle && handle == vr->sub_handle && vr->sub_pc ? jpc_peer(vr->sub_pc) : NULL;
}

/* ---- mute ---- */

static gboolean mute_look(gpointer data)
{
	struct backend *b = data;
	struct jb_vr *vr = &b->vr;
	gint64 now = g_get_monotonic_time();
	for (size_t i = 0; b->env.media && i < vr->n_feeds; i++) {
		struct vr_feed *f = &vr->feeds[i];
		struct media_stream_stats st;
		if (!f->ssrc)
			continue;
		if (!f->last_packet_us)
			f->last_packet_us = now;
		if (media_get_stream_stats(b->env.media, f->ssrc, &st) == 0 && st.packets != f->packets) {
			f->packets = st.packets;
			f->last_packet_us = now;
		}
		bool quiet = now - f->last_packet_us > QUIET_MUTED_US;
		if (quiet != f->quiet_muted) {
			f->quiet_muted = quiet;
			roster_audio_muted(b->env.roster, f->id, quiet);
		}
	}
	return G_SOURCE_CONTINUE;
}

static void on_configured(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	if (!r->err)
		session_be_muted(b->s, session_be_muted_now(b->s));
}

int jb_vr_set_muted(struct backend *b, bool muted)
{
	json_t *body = json_pack("{ss s[{ss sb}]}", "request", "configure", "streams", "mid", "0",
				 "send", !muted);
	return body ? janus_message(b->janus, b->handle, body, NULL, on_configured, b) : -ENOMEM;
}

/* ---- the publisher: join, then our audio ---- */

static int write_pub_offer(void *ctx, const struct sdp_local *local, char *buf, size_t cap)
{
	struct backend *b = ctx;
	struct sdp_audio_offer o = {
		.local = *local,
		.mid = "0",
		.dir = SDP_DIR_SENDONLY,
		.opus_pt = 111,
		.max_bitrate = b->cfg->bitrate > 0 ? (uint32_t)b->cfg->bitrate : 0,
		.level_ext_id = 1,
		.mid_ext_id = 2,
		.ssrc = media_ssrc(b->env.media),
		.cname = "ttymeet",
	};
	if (b->vsend) /* --video-source: our video on this connection too */
		return jb_vpub_write_offer(b, &o, buf, cap);
	return sdp_write_audio_offer(buf, cap, &o);
}

static void on_published(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	char why[160];
	if (r->err) {
		session_be_fail(b->s, TTM_EXIT_MEDIA, true, "the video room did not take our audio: "
				"%s", r->reason);
		return;
	}
	if (jb_apply_answer(b, r->jsep, why, sizeof(why)) < 0) {
		session_be_fail(b->s, TTM_EXIT_MEDIA, true, "%s", why);
		return;
	}
	jb_vpub_answer(b, r->jsep);
	if (session_be_muted_now(b->s)) /* joined muted: Janus relays nothing either */
		jb_vr_set_muted(b, true);
}

static void publish(struct backend *b)
{
	int rc = jb_call_pc(b);
	if (rc < 0) {
		session_be_fail(b->s, TTM_EXIT_MEDIA, true, "cannot start ICE (%s)", strerror(-rc));
		return;
	}
	jb_vpub_open(b); /* --video-source; a source that fails is said, the audio goes on */
	rc = jpc_send(b->pc, json_pack("{ss}", "request", "publish"), "offer", write_pub_offer, b,
		      on_published, b);
	if (rc < 0)
		session_be_fail(b->s, rc == -EIO ? TTM_EXIT_MEDIA : TTM_EXIT_SERVER, true,
				rc == -EIO ? "cannot write the SDP offer" :
					     "cannot send our audio to the video room");
}

static void on_joined(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	uint64_t room = b->cfg->room, id;
	if (r->err == -EREMOTEIO && (r->code == 433 || (r->code == 427 && r->reason &&
							strstr(r->reason, "pin")))) {
		session_be_pin_refused(b->s, r->reason, r->code);
		return;
	}
	if (r->err == -EREMOTEIO && r->code == VR_NO_SUCH_ROOM) {
		session_be_fail(b->s, TTM_EXIT_ROOM, true, "there is no room %" PRIu64 " on this "
				"server", room);
		return;
	}
	if (r->err == -EREMOTEIO) {
		session_be_fail(b->s, TTM_EXIT_ROOM, true, "room %" PRIu64 " refused the join: %s "
				"(%d)", room, r->reason, r->code);
		return;
	}
	if (r->err) {
		session_be_lost(b->s, TTM_EXIT_SERVER, "joining room %" PRIu64 " failed: %s", room,
				r->reason);
		return;
	}
	const char *kind = json_string_value(json_object_get(r->data, "videoroom"));
	if (!kind || strcmp(kind, "joined") || !json_id(json_object_get(r->data, "id"), &id)) {
		session_be_fail(b->s, TTM_EXIT_SERVER, true, "unexpected answer to the join request");
		return;
	}
	uint64_t pid = 0;
	json_id(json_object_get(r->data, "private_id"), &pid);
	b->vr.private_id = pid;
	b->state = JB_JOINED;
	bool rejoin = session_be_joined(b->s, id, "videoroom");
	if (rejoin)
		roster_audio_sync_begin(b->env.roster);
	jb_vr_room_event(b, r->data);
	if (rejoin)
		roster_audio_sync_end(b->env.roster);
	if (b->env.media) {
		publish(b);
		if (!b->vr.mute_timer) {
			b->vr.mute_timer = g_timeout_source_new(MUTE_LOOK_MS);
			g_source_set_callback(b->vr.mute_timer, mute_look, b, NULL);
			g_source_attach(b->vr.mute_timer, b->env.main);
		}
	}
	jb_chat_start(b);
	jb_video_start(b);
	jb_video_room_event(b, r->data); /* who publishes video, for the preview */
}

void jb_vr_join(struct backend *b)
{
	json_t *body = json_pack("{ss sI ss ss}", "request", "join", "room", (json_int_t)b->cfg->room,
				 "ptype", "publisher", "display", session_be_name(b->s));
	if (body && b->cfg->pin)
		json_object_set_new(body, "pin", json_string(b->cfg->pin));
	b->state = JB_JOINING;
	if (!body || janus_message(b->janus, b->handle, body, NULL, on_joined, b) < 0)
		session_be_fail(b->s, TTM_EXIT_SERVER, false, "cannot send the join request");
}

void jb_vr_stop(struct backend *b)
{
	struct jb_vr *vr = &b->vr;
	loop_source_drop(&vr->mute_timer);
	if (b->env.media && vr->recv_attached) {
		media_set_stream_cb(b->env.media, NULL, NULL);
		media_detach_recv(b->env.media);
	}
	jpc_destroy(vr->sub_pc); /* close_notify goes out now */
	json_decref(vr->pending_data);
	json_decref(vr->pending_jsep);
	if (vr->sub_handle && b->janus)
		janus_detach(b->janus, vr->sub_handle, NULL, NULL);
	memset(vr, 0, sizeof(*vr));
}
