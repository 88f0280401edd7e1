/* The Janus backend (src/backend.h): one connection attempt is CONNECTING (WebSocket) →
 * CREATING (Janus session) → ATTACHING (AudioBridge handle; the PeerConnection starts
 * gathering) → JOINING (join + our SDP offer, candidates trickled) → JOINED (answer applied;
 * ICE/DTLS run; media flows); then the chat link (src/janus/chat.c) and the video link
 * (src/janus/video.c) start on the same Janus session. A leave closes our links (chat, video,
 * audio: each sends its close_notify) and destroys the Janus session; the session waits for
 * its answer (bounded).
 *
 * Objects of an attempt (ws, janus, peer) are destroyed only in drop, which the session calls
 * from its idle callback, never inside their own callbacks. Server-provided names are
 * sanitized on the way in.
 */
#include "src/janus/jb.h"
#include "src/janus/jpc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/loop.h"
#include "net/sdp.h"
#include "src/chatid.h"
#include "src/exitcode.h"
#include "src/media.h"
#include "src/roster.h"
#include "src/text.h"

#define CONNECT_TIMEOUT_MS 4500 /* "cannot reach the server" must be said within 5 s */

static bool json_id(json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* Adds or updates one participant from an AudioBridge participant object. */
void jb_roster_update(struct backend *b, json_t *pj, bool muted)
{
	uint64_t id;
	if (!json_id(json_object_get(pj, "id"), &id))
		return; /* malformed entry: ignore it, keep the rest */
	json_t *dv = json_object_get(pj, "display");
	const char *display = json_string_value(dv);
	json_t *talking = json_object_get(pj, "talking");
	char name[SESSION_NAME_MAX], claim[CHATID_HEX + 1] = "";

	if (display) { /* the claim first: the sanitizer strips its tag characters */
		chatid_parse(display, json_string_length(dv), claim);
		text_sanitize(display, json_string_length(dv), name, sizeof(name), false);
	}
	if (!display || !*name)
		snprintf(name, sizeof(name), "participant-%" PRIu64, id);
	roster_audio_update(b->env.roster, id, name, claim,
			    muted || json_is_true(json_object_get(pj, "muted")),
			    json_is_boolean(talking) ? json_is_true(talking) : -1);
}

static void ab_update_all(struct backend *b, json_t *list)
{
	size_t i;
	json_t *pj;
	if (!json_is_array(list))
		return;
	json_array_foreach(list, i, pj)
		if (json_is_object(pj))
			jb_roster_update(b, pj, false);
}

/* ---- AudioBridge ---- */

static void on_audiobridge_event(struct backend *b, json_t *data)
{
	const char *kind = json_string_value(json_object_get(data, "audiobridge"));
	struct session *s = b->s;
	uint64_t id;

	if (!kind || b->state != JB_JOINED || !session_be_is_joined(s))
		return;
	if (!strcmp(kind, "joined") || !strcmp(kind, "event")) {
		ab_update_all(b, json_object_get(data, "participants"));
		if (json_id(json_object_get(data, "leaving"), &id))
			roster_audio_remove(b->env.roster, id);
		if (json_id(json_object_get(data, "kicked"), &id)) {
			if (id == session_be_self_id(s))
				session_be_fail(s, TTM_EXIT_ROOM, true, "you were removed from the room");
			else
				roster_audio_remove(b->env.roster, id);
		}
	} else if (!strcmp(kind, "talking") || !strcmp(kind, "stopped-talking")) {
		if (json_id(json_object_get(data, "id"), &id))
			roster_audio_talking(b->env.roster, id, !strcmp(kind, "talking"));
	} else if (!strcmp(kind, "destroyed")) {
		session_be_fail(s, TTM_EXIT_ROOM, true, "the room was closed by the server");
	}
}

/* Applies Janus' SDP answer: the peer learns the transport, the media engine the codec. */
int jb_apply_answer(struct backend *b, json_t *jsep, char *why, size_t whylen)
{
	struct sdp_session *ans = NULL;
	int mline = -1, rc = jpc_parse_jsep(jsep, "answer", &ans);

	if (rc < 0) {
		snprintf(why, whylen, rc == -EPROTO ? "the server sent no SDP answer" :
				       "the server's SDP answer is malformed");
		return rc;
	}
	int pt = sdp_opus_pt(ans, &mline);
	if (pt < 0) {
		rc = -EPROTO;
		snprintf(why, whylen, "the server accepted no Opus audio");
		goto out;
	}
	if ((rc = peer_set_remote(jpc_peer(b->pc), ans, mline)) < 0) {
		snprintf(why, whylen, "the server's SDP answer lacks ICE or DTLS parameters");
		goto out;
	}
	const struct sdp_media *m = &ans->media[mline];
	struct media_params mp = {
		.opus_pt = (uint8_t)pt,
		.level_ext_id = sdp_extmap_id(m, SDP_URI_AUDIO_LEVEL),
		.mid_ext_id = sdp_extmap_id(m, SDP_URI_MID),
		.mid = m->mid,
	};
	/* AudioBridge says the rate its mixer runs at: no use sending a wider band. Absent or
	 * malformed, it stays 0 (fullband). */
	sdp_fmtp_uint(sdp_codec_by_pt(ans, m, pt), "maxplaybackrate", 48000, &mp.max_playback_hz);
	if (b->env.media)
		media_attach(b->env.media, jpc_peer(b->pc), &mp);
	rc = 0;
out:
	sdp_session_destroy(ans);
	return rc;
}

/* AudioBridge's error code for a room it does not have (the TextRoom's is 417, the
 * VideoRoom's 426: src/chatlink.c, src/videolink.c). */
#define JANUS_AUDIOBRIDGE_NO_SUCH_ROOM 485

/* AudioBridge's answers to a join without the room's pin (483 "Missing mandatory element
 * (pin)") or with a wrong one (489 "Unauthorized (wrong pin)"). */
static bool pin_refused(const struct janus_reply *r)
{
	return r->code == 489 || (r->code == 483 && r->reason && strstr(r->reason, "pin"));
}

static void on_joined(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	struct session *s = b->s;
	uint64_t room = b->cfg->room;
	char why[160];

	if (r->err == -EREMOTEIO && pin_refused(r)) {
		session_be_pin_refused(s, r->reason, r->code);
		return;
	}
	if (r->err == -EREMOTEIO && r->code == JANUS_AUDIOBRIDGE_NO_SUCH_ROOM) {
		session_be_fail(s, TTM_EXIT_ROOM, true, "there is no room %" PRIu64 " on this server",
				room);
		return;
	}
	if (r->err == -EREMOTEIO) {
		session_be_fail(s, TTM_EXIT_ROOM, true, "room %" PRIu64 " refused the join: %s (%d)",
				room, r->reason, r->code);
		return;
	}
	if (r->err) {
		session_be_lost(s, TTM_EXIT_SERVER, "joining room %" PRIu64 " failed: %s", room,
				r->reason);
		return;
	}
	const char *kind = json_string_value(json_object_get(r->data, "audiobridge"));
	uint64_t id;
	if (!kind || strcmp(kind, "joined") || !json_id(json_object_get(r->data, "id"), &id)) {
		session_be_fail(s, TTM_EXIT_SERVER, true, "unexpected answer to the join request");
		return;
	}
	if (b->pc && jb_apply_answer(b, r->jsep, why, sizeof(why)) < 0) {
		session_be_fail(s, TTM_EXIT_MEDIA, true, "%s", why);
		return;
	}
	b->state = JB_JOINED;
	bool rejoin = session_be_joined(s, id, "audiobridge");
	if (rejoin) /* the list is the truth: whoever is missing has left */
		roster_audio_sync_begin(b->env.roster);
	ab_update_all(b, json_object_get(r->data, "participants"));
	if (rejoin)
		roster_audio_sync_end(b->env.roster);
	jb_chat_start(b);
	jb_video_start(b);
}

/* ---- the PeerConnection ---- */

static void peer_state(void *user, enum peer_state st, int err, const char *reason)
{
	struct backend *b = user;
	if (st == PEER_CONNECTED) {
		struct peer_stats ps;
		peer_get_stats(jpc_peer(b->pc), &ps);
		session_be_audio_up(b->s, ps.t_ice_connected, ps.t_dtls_connected, reason);
	} else if (st == PEER_FAILED || st == PEER_CLOSED) {
		session_be_audio_down(b->s, err == -EKEYREJECTED, reason);
	}
	jb_vpub_state(b, st, reason); /* our video, when it goes on this connection too */
}

static void peer_rtp(void *user, uint8_t *buf, size_t len)
{
	struct backend *b = user;
	if (b->env.media)
		media_on_rtp(b->env.media, buf, len);
}

static void peer_rtcp(void *user, uint8_t *buf, size_t len)
{
	struct backend *b = user;
	if (b->env.media)
		media_on_rtcp(b->env.media, buf, len);
	jb_vpub_rtcp(b, buf, len);
}

static int write_offer(void *ctx, const struct sdp_local *local, char *buf, size_t cap)
{
	struct backend *b = ctx;
	struct sdp_audio_offer o = {
		.local = *local,
		.mid = "0",
		.dir = SDP_DIR_SENDRECV,
		.opus_pt = 111,
		.max_bitrate = b->cfg->bitrate > 0 ? (uint32_t)b->cfg->bitrate : 0,
		.level_ext_id = 1,
		.mid_ext_id = 2,
		.ssrc = b->env.media ? media_ssrc(b->env.media) : g_random_int(),
		.cname = "ttymeet",
	};
	return sdp_write_audio_offer(buf, cap, &o);
}

int jb_call_pc(struct backend *b)
{
	struct peer_config pc = *b->env.peer;
	pc.tamper_remote_fingerprint = b->cfg->tamper_fingerprint;
	struct peer_callbacks cbs = {
		.state_cb = peer_state,
		.rtp_cb = peer_rtp,
		.rtcp_cb = peer_rtcp,
		.user = b,
	};
	return jpc_create(b->env.main, b->janus, b->handle, &pc, true, &cbs, &b->pc);
}

/* Joins the AudioBridge room on b->handle, with our offer. */
void jb_ab_join(struct backend *b)
{
	struct session *s = b->s;
	b->state = JB_JOINING;
	json_t *body = json_pack("{ss sI ss sb}", "request", "join", "room",
				 (json_int_t)b->cfg->room, "display", session_be_name(s), "muted",
				 session_be_muted_now(s));
	if (body && b->cfg->pin)
		json_object_set_new(body, "pin", json_string(b->cfg->pin));
	if (!b->env.media) { /* no audio: a join without an offer */
		if (!body || janus_message(b->janus, b->handle, body, NULL, on_joined, b) < 0)
			session_be_fail(s, TTM_EXIT_SERVER, false, "cannot send the join request");
		return;
	}
	int rc = jb_call_pc(b);
	if (rc < 0) {
		json_decref(body);
		session_be_fail(s, TTM_EXIT_MEDIA, true, "cannot start ICE (%s)", strerror(-rc));
		return;
	}
	rc = jpc_send(b->pc, body, "offer", write_offer, b, on_joined, b);
	if (rc == -EIO)
		session_be_fail(s, TTM_EXIT_MEDIA, true, "cannot write the SDP offer");
	else if (rc < 0)
		session_be_fail(s, TTM_EXIT_SERVER, false, "cannot send the join request");
}

static void on_created(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	if (r->err) {
		session_be_lost(b->s, TTM_EXIT_SERVER, "the server refused a session: %s",
				r->reason);
		return;
	}
	jb_choose_and_join(b);
}

/* ---- Janus and WebSocket plumbing ---- */

static int janus_send(void *user, const char *text, size_t len)
{
	struct backend *b = user;
	if (b->offline_send)
		return b->offline_send(b->offline_user, text, len);
	return b->ws ? ws_send_text(b->ws, text, len) : -ENOTCONN;
}

static int janus_undelivered(void *user)
{
	struct backend *b = user;
	return b->ws && !b->offline_send ? ws_undelivered(b->ws) : -ENOTCONN;
}

static void janus_event(void *user, const struct janus_event *ev)
{
	struct backend *b = user;
	struct session *s = b->s;
	if (ev->kind != JANUS_EV_TRICKLE &&
	    (jb_video_route(b, ev) || jb_chat_route(b, ev) || jb_vr_route(b, ev)))
		return;
	switch (ev->kind) {
	case JANUS_EV_TRICKLE:
		jb_trickle_on_event(b, ev);
		break;
	case JANUS_EV_PLUGIN:
		if (ev->handle == b->handle && b->room_chosen == JB_ROOM_VIDEOROOM)
			jb_vr_room_event(b, ev->data);
		else if (ev->handle == b->handle)
			on_audiobridge_event(b, ev->data);
		break;
	case JANUS_EV_HANGUP:
		if (ev->handle == b->handle && b->state == JB_JOINED)
			session_be_lost(s, TTM_EXIT_MEDIA, "the server hung up the media (%s)",
					ev->reason);
		break;
	case JANUS_EV_TIMEOUT:
		janus_reset_session(b->janus);
		session_be_lost(s, TTM_EXIT_SERVER, "the server expired our session");
		break;
	case JANUS_EV_DETACHED:
		if (ev->handle == b->handle && b->state == JB_JOINED)
			session_be_lost(s, TTM_EXIT_SERVER, "the server dropped our room handle");
		break;
	default:
		break;
	}
}

/* A keepalive went unanswered or the server forgot our session: the WebSocket may still look
 * open (a frozen server, a path that silently drops), so only this notices. */
static void janus_dead(void *user, int err, const char *why)
{
	struct backend *b = user;
	(void)err;
	session_be_lost(b->s, TTM_EXIT_SERVER, "%s", why);
}

static void janus_protocol_error(void *user, int err, const char *why)
{
	struct backend *b = user;
	(void)err;
	session_be_protocol_error(b->s, why);
}

static void ws_open(void *user)
{
	struct backend *b = user;
	loop_source_drop(&b->connect_timer);
	b->state = JB_CREATING;
	if (janus_create_session(b->janus, on_created, b) < 0)
		session_be_lost(b->s, TTM_EXIT_SERVER, "cannot send to the server");
}

void jb_handle_message(struct backend *b, const char *text, size_t len)
{
	if (b->janus) {
		janus_handle_message(b->janus, text, len);
		jb_trickle_retry(b); /* that message may have made a PeerConnection */
	}
}

static void ws_message(void *user, const char *text, size_t len)
{
	jb_handle_message(user, text, len);
}

static void ws_closed(void *user, int err, const char *reason)
{
	struct backend *b = user;
	struct session *s = b->s;
	bool leaving = b->state == JB_LEAVING;
	bool bigger = err == -EMSGSIZE && !leaving && b->ws_max < WS_MAX_MESSAGE_LIMIT;
	ws_close(b->ws); /* releases our side; lws already let go of the socket */
	b->ws = NULL;
	if (bigger) {
		/* A very large room's participant list (the join answer lists everyone): take
		 * bigger messages on the next attempt, up to the limit; never a loop. Decided
		 * before the pending requests fail, so that none of them ends the session. */
		char why[256];
		size_t next = b->ws_max * 4 < WS_MAX_MESSAGE_LIMIT ? b->ws_max * 4
								   : WS_MAX_MESSAGE_LIMIT;
		snprintf(why, sizeof(why), "the server sent a message over %zu KiB (the participant "
			 "list of a very large room?): reconnecting to accept up to %zu KiB",
			 b->ws_max / 1024, next / 1024);
		b->ws_max = next;
		session_be_notice(s, "%s", why);
		session_be_retry(s, "a message from the server was too big");
	}
	if (b->janus) {
		janus_reset_session(b->janus);
		janus_fail_pending(b->janus, -ECONNRESET, reason);
	}
	if (leaving) {
		session_be_left(s);
		return;
	}
	if (bigger)
		return;
	if (err == -EMSGSIZE)
		session_be_fail(s, TTM_EXIT_SERVER, false, "the server sent a message over %zu KiB, "
				"more than ttymeet takes", b->ws_max / 1024);
	else if (b->state == JB_CONNECTING)
		session_be_lost(s, TTM_EXIT_SERVER, "cannot reach %s: %s", b->cfg->url, reason);
	else
		session_be_lost(s, TTM_EXIT_SERVER, "%s (%s)",
				err ? "connection to the server lost" :
				      "the server closed the connection", reason);
}

static void connect_timeout_cb(void *data)
{
	struct backend *b = data;
	if (b->state == JB_CONNECTING)
		session_be_lost(b->s, TTM_EXIT_SERVER, "cannot reach %s: no answer within %.1f s",
				b->cfg->url, CONNECT_TIMEOUT_MS / 1000.0);
}

/* ---- the backend's ops ---- */

static void jb_connect(struct backend *b)
{
	static const struct ws_handlers wsh = { ws_open, ws_message, ws_closed };
	static const struct janus_ops jops = { janus_send, janus_event, janus_protocol_error,
					       janus_dead, janus_undelivered };

	b->state = JB_CONNECTING;
	if (janus_create(b->env.main, &jops, b, &b->janus) == 0)
		janus_set_timers(b->janus, 0, b->cfg->keepalive_ms, 0);
	if (b->janus && b->offline_send) {
		ws_open(b); /* offline: "connected" at once */
		return;
	}
	if (!b->janus || ws_connect(b->env.ws, b->cfg->url, "janus-protocol", b->cfg->insecure,
				    &wsh, b, &b->ws) < 0) {
		b->ws = NULL;
		session_be_fail(b->s, TTM_EXIT_SERVER, false, "cannot connect to %s", b->cfg->url);
		return;
	}
	ws_set_max_message(b->ws, b->ws_max);
	loop_once(&b->connect_timer, b->env.main, CONNECT_TIMEOUT_MS, connect_timeout_cb, b);
}

/* Closes the call's PeerConnection (its close_notify goes out now). */
static void audio_stop(struct backend *b)
{
	if (b->env.media)
		media_detach(b->env.media);
	jb_vpub_detach(b);
	jpc_destroy(b->pc);
	b->pc = NULL;
}

static void jb_drop(struct backend *b, const char *why)
{
	loop_source_drop(&b->connect_timer);
	jb_chat_stop(b);
	jb_video_stop(b, why);
	jb_vr_stop(b);
	audio_stop(b);
	if (b->ws) {
		ws_close(b->ws);
		b->ws = NULL;
	}
	if (b->janus) {
		janus_destroy(b->janus);
		b->janus = NULL;
	}
	b->handle = b->probe_handle = 0;
	b->state = JB_IDLE;
	jb_trickle_reset(b);
}

static void on_destroyed(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	(void)r; /* whatever the answer, we are done with this session */
	session_be_left(b->s);
}

/* Sends DTLS close_notify on every link and destroys the Janus session (which detaches the
 * handles and so leaves the rooms) if the transport is up. */
static int jb_leave(struct backend *b)
{
	loop_source_drop(&b->connect_timer);
	jb_chat_stop(b); /* leaves the chat room */
	/* The video link goes before the Janus session: destroying the session makes Janus close
	 * every PeerConnection still open with its own close_notify, which a live video link would
	 * report as "the server closed the media connection". Ours go out first instead. */
	jb_video_stop(b, NULL);
	jb_vr_stop(b);
	audio_stop(b);
	b->state = JB_LEAVING;
	if (b->janus && b->ws && janus_session_id(b->janus) &&
	    janus_destroy_session(b->janus, on_destroyed, b) == 0)
		return 0;
	return -ENOTCONN;
}

static void on_configured(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	if (!r->err)
		session_be_muted(b->s, session_be_muted_now(b->s));
}

static int jb_set_muted(struct backend *b, bool muted)
{
	if (b->state != JB_JOINED)
		return 0; /* applied at the (re)join */
	if (b->room_chosen == JB_ROOM_VIDEOROOM)
		return jb_vr_set_muted(b, muted);
	json_t *body = json_pack("{ss sb}", "request", "configure", "muted", muted);
	return body ? janus_message(b->janus, b->handle, body, NULL, on_configured, b) : -ENOMEM;
}

static const unsigned *jb_trickled(struct backend *b)
{
	return b->trickled;
}

static int jb_create(struct session *s, const struct backend_env *env, struct backend **out)
{
	struct backend *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->s = s;
	b->env = *env;
	b->cfg = env->cfg;
	b->ws_max = WS_MAX_MESSAGE;
	b->room_kind = b->room_chosen = !env->cfg->room_type || !strcmp(env->cfg->room_type, "auto") ?
		JB_ROOM_AUTO : !strcmp(env->cfg->room_type, "videoroom") ? JB_ROOM_VIDEOROOM
									 : JB_ROOM_AUDIOBRIDGE;
	*out = b;
	return 0;
}

static void jb_destroy(struct backend *b)
{
	if (!b)
		return;
	jb_drop(b, NULL);
	jb_vpub_free(b);
	jb_trickle_free(b);
	free(b);
}

const struct backend_ops janus_backend_ops = {
	.name = "janus",
	.create = jb_create,
	.destroy = jb_destroy,
	.connect = jb_connect,
	.drop = jb_drop,
	.leave = jb_leave,
	.set_name = jb_set_name,
	.set_muted = jb_set_muted,
	.chat_send = jb_chat_send,
	.chat_wipe = jb_chat_wipe,
	.video_receive = jb_video_receive,
	.video_show = jb_video_show,
	.video_follow = jb_video_follow,
	.video_stats = jb_video_stats,
	.trickled = jb_trickled,
	.offline = jb_offline,
	.offline_feed = jb_offline_feed,
};
