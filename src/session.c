/* The meeting model (see session.h).
 *
 * One connection attempt: CONNECTING (WebSocket) → CREATING (Janus session) → ATTACHING
 * (AudioBridge handle; the PeerConnection starts gathering) → JOINING (join + our SDP offer,
 * candidates trickled) → JOINED (answer applied; ICE/DTLS run; media flows). LEAVING closes
 * our links (chat, video, audio: each sends its close_notify), destroys the Janus session and
 * waits for its answer (bounded); DONE after.
 *
 * Once joined, losing the server (WebSocket closed, session expired, PeerConnection failed or
 * hung up) is not fatal: the session waits (backoff 0.25 s doubling to 2 s), starts a new
 * attempt (new WebSocket, Janus session, PeerConnection) and rejoins, emitting RECONNECTING
 * and JOINED again; after 60 s (give_up_ms) without success it gives up (exit 3), or with
 * hold_on_give_up waits in GAVE_UP for session_retry or session_leave. Before the first join,
 * failures end the session with their exit code.
 *
 * Objects of an attempt (ws, janus, peer) are only ever destroyed from an idle callback, never
 * inside their own callbacks. Server-provided names are sanitized on the way in.
 */
#include "src/session.h"
#include "src/session_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/janus.h"
#include "net/peer.h"
#include "net/sdp.h"
#include "src/chatlink.h"
#include "src/exitcode.h"
#include "src/secret.h"
#include <sodium.h>
#include "src/chatid.h"
#include "src/text.h"
#include "net/loop.h"

#define CONNECT_TIMEOUT_MS 4500 /* "cannot reach the server" must be said within 5 s */
#define LEAVE_TIMEOUT_MS 2000   /* how long a clean leave may wait for the server */
#define RECONNECT_GIVE_UP_US (60 * G_USEC_PER_SEC) /* unless give_up_ms says otherwise */
#define AUDIOBRIDGE "janus.plugin.audiobridge"
#define OFFER_MAX 8192

static void session_connect(struct session *s);

static double now_s(const struct session *s)
{
	return (double)(g_get_monotonic_time() - s->t0) / 1e6;
}

void session_emit(struct session *s, struct session_event *ev)
{
	char clean[512];
	ev->t = now_s(s);
	/* messages may quote the server (error reasons): no control sequence leaves here */
	if (ev->message && !text_is_clean(ev->message)) {
		text_sanitize(ev->message, strlen(ev->message), clean, sizeof(clean), false);
		ev->message = clean;
	}
	if (ev->type == SESSION_EV_TALKING && ev->on && !ev->self)
		session_video_talking(s, ev->name);
	if (s->cb)
		s->cb(s->user, ev);
}

static GSource *add_timeout(struct session *s, guint ms, GSourceFunc fn)
{
	GSource *src = g_timeout_source_new(ms);
	g_source_set_callback(src, fn, s, NULL);
	g_source_attach(src, s->main);
	return src;
}

/* ---- teardown and reconnection ---- */

/* Releases everything of the current attempt. Never called from inside their callbacks. */
static void drop_transport(struct session *s)
{
	loop_source_drop(&s->connect_timer);
	if (s->chat_link) {
		chatlink_destroy(s->chat_link);
		s->chat_link = NULL;
	}
	s->chat_ready = false;
	session_video_stop(s, NULL);
	if (s->media)
		media_detach(s->media);
	if (s->peer) {
		peer_destroy(s->peer);
		s->peer = NULL;
	}
	if (s->ws) {
		ws_close(s->ws);
		s->ws = NULL;
	}
	if (s->janus) {
		janus_destroy(s->janus);
		s->janus = NULL;
	}
	s->handle = 0;
	s->offer_sent = false;
	s->media_up = false;
	session_trickle_reset(s);
}

static gboolean retry_cb(gpointer data)
{
	struct session *s = data;
	g_source_unref(s->retry_timer);
	s->retry_timer = NULL;
	session_connect(s);
	return G_SOURCE_REMOVE;
}

static gboolean action_cb(gpointer data)
{
	struct session *s = data;
	enum action a = s->action;
	g_source_unref(s->action_idle);
	s->action_idle = NULL;
	s->action = ACT_NONE;
	if (a == ACT_RECONNECT) /* the rejoin brings the video back */
		session_video_stop(s, "the connection to the server was lost");
	drop_transport(s);
	if (a == ACT_PIN_WAIT) { /* unconnected until session_set_pin or session_leave */
		s->state = ST_PIN_WAIT;
		struct session_event ev = { .type = SESSION_EV_PIN_NEEDED, .room = s->room,
					    .on = s->pin != NULL, .message = s->lost_why };
		session_emit(s, &ev);
		return G_SOURCE_REMOVE;
	}
	if (a == ACT_GAVE_UP) { /* unconnected until session_retry or session_leave */
		s->state = ST_GAVE_UP;
		struct session_event ev = { .type = SESSION_EV_GAVE_UP, .message = s->lost_why };
		session_emit(s, &ev);
		return G_SOURCE_REMOVE;
	}
	if (a == ACT_RECONNECT) {
		/* 0.25 s, 0.5 s, 1 s, then every 2 s */
		guint delay = s->attempt >= 4 ? 2000 : 250u << (s->attempt > 0 ? s->attempt - 1 : 0);
		s->retry_timer = add_timeout(s, delay, retry_cb);
		return G_SOURCE_REMOVE;
	}
	loop_source_drop(&s->leave_timer);
	loop_source_drop(&s->retry_timer);
	loop_source_drop(&s->stats_timer);
	s->state = ST_DONE;
	struct session_event ev = { .type = SESSION_EV_LEFT, .reason = s->leave_reason };
	session_emit(s, &ev);
	return G_SOURCE_REMOVE;
}

static void schedule(struct session *s, enum action a)
{
	if (s->action == ACT_FINISH)
		return; /* finishing wins */
	s->action = a;
	if (!s->action_idle) {
		s->action_idle = g_idle_source_new();
		g_source_set_priority(s->action_idle, G_PRIORITY_DEFAULT); /* not starved when busy */
		g_source_set_callback(s->action_idle, action_cb, s, NULL);
		g_source_attach(s->action_idle, s->main);
	}
}

/* Ends the session from the next loop turn. */
static void finish(struct session *s)
{
	if (s->state == ST_DONE)
		return;
	s->state = ST_LEAVING;
	schedule(s, ACT_FINISH);
}

static void on_destroyed(void *user, const struct janus_reply *r)
{
	(void)r; /* whatever the answer, we are done with this session */
	finish(user);
}

static gboolean leave_timeout_cb(gpointer data)
{
	struct session *s = data;
	g_source_unref(s->leave_timer);
	s->leave_timer = NULL;
	finish(s);
	return G_SOURCE_REMOVE;
}

/* Sends DTLS close_notify and destroys the Janus session (which detaches the handle and so
 * leaves the room) if the transport is up; finishes when the server answers or after
 * LEAVE_TIMEOUT_MS. */
static void leave_politely(struct session *s)
{
	if (s->state == ST_LEAVING || s->state == ST_DONE)
		return;
	loop_source_drop(&s->connect_timer);
	loop_source_drop(&s->retry_timer);
	if (s->chat_link) { /* leaves the chat room */
		chatlink_destroy(s->chat_link);
		s->chat_link = NULL;
		s->chat_ready = false;
	}
	/* The video link goes before the Janus session: destroying the session makes Janus close
	 * every PeerConnection still open with its own close_notify, which a live video link would
	 * report as "the server closed the media connection". Ours go out first instead. */
	session_video_stop(s, NULL);
	if (s->peer) {
		if (s->media)
			media_detach(s->media);
		peer_destroy(s->peer); /* close_notify goes out now */
		s->peer = NULL;
	}
	s->state = ST_LEAVING;
	if (s->janus && s->ws && janus_session_id(s->janus) &&
	    janus_destroy_session(s->janus, on_destroyed, s) == 0) {
		s->leave_timer = add_timeout(s, LEAVE_TIMEOUT_MS, leave_timeout_cb);
		return;
	}
	finish(s);
}

void session_leave(struct session *s, const char *reason)
{
	if (s->state == ST_LEAVING || s->state == ST_DONE)
		return;
	snprintf(s->leave_reason, sizeof(s->leave_reason), "%s", reason ? reason : "user");
	leave_politely(s);
}

/* Records a failure: ERROR event, then leave (politely when the transport still works). */
static void session_fail(struct session *s, int code, bool transport_ok, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
static void session_fail(struct session *s, int code, bool transport_ok, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (s->state == ST_LEAVING || s->state == ST_DONE)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->exit_code == TTM_EXIT_OK)
		s->exit_code = code;
	snprintf(s->leave_reason, sizeof(s->leave_reason), "error");
	struct session_event ev = { .type = SESSION_EV_ERROR, .code = code, .message = msg };
	session_emit(s, &ev);
	if (transport_ok)
		leave_politely(s);
	else
		finish(s);
}

/* The server or the media path went away. Before the first join this is a failure; after it,
 * we rejoin (or give up after a minute). */
static void lose(struct session *s, int code, bool retry_unjoined, const char *why);
static void connection_lost(struct session *s, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void connection_lost(struct session *s, int code, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	lose(s, code, false, why);
}

/* retry_unjoined: reconnect even before the first join (the cause has been dealt with). */
static void lose(struct session *s, int code, bool retry_unjoined, const char *why)
{
	if (s->state == ST_LEAVING || s->state == ST_DONE || s->state == ST_RECONNECT_WAIT ||
	    s->state == ST_GAVE_UP)
		return;
	if (!s->joined_once && !retry_unjoined) {
		session_fail(s, code, false, "%s", why);
		return;
	}
	gint64 now = g_get_monotonic_time();
	if (!s->lost_since) {
		s->lost_since = now;
		snprintf(s->lost_why, sizeof(s->lost_why), "%s", why);
	}
	if (now - s->lost_since > s->give_up_us) {
		char gave[sizeof(s->lost_why) + 64];
		snprintf(gave, sizeof(gave), "gave up reconnecting after %.0f s: %s",
			 (double)s->give_up_us / G_USEC_PER_SEC, s->lost_why);
		if (!s->hold_on_give_up) {
			session_fail(s, TTM_EXIT_SERVER, false, "%s", gave);
			return;
		}
		memcpy(s->lost_why, gave, sizeof(s->lost_why) - 1); /* cut, if need be */
		s->lost_why[sizeof(s->lost_why) - 1] = '\0';
		s->exit_code = TTM_EXIT_SERVER; /* unless a retry works */
		snprintf(s->leave_reason, sizeof(s->leave_reason), "error");
		s->state = ST_RECONNECT_WAIT;
		schedule(s, ACT_GAVE_UP);
		return;
	}
	s->state = ST_RECONNECT_WAIT;
	s->attempt++;
	struct session_event ev = { .type = SESSION_EV_RECONNECTING, .attempt = s->attempt,
				    .message = why };
	session_emit(s, &ev);
	schedule(s, ACT_RECONNECT);
}

/* ---- roster (src/roster.h): AudioBridge participant objects in, events out ---- */

static void on_roster_event(void *user, struct session_event *ev)
{
	session_emit(user, ev);
}

static bool json_id(json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* Adds or updates one participant from an AudioBridge participant object. */
static void ab_update(struct session *s, json_t *pj)
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
	roster_audio_update(s->roster, id, name, claim,
			    json_is_true(json_object_get(pj, "muted")),
			    json_is_boolean(talking) ? json_is_true(talking) : -1);
}

static void ab_update_all(struct session *s, json_t *list)
{
	size_t i;
	json_t *pj;
	if (!json_is_array(list))
		return;
	json_array_foreach(list, i, pj)
		if (json_is_object(pj))
			ab_update(s, pj);
}

static void set_self(struct session *s, uint64_t id)
{
	s->self_id = id;
	roster_set_self(s->roster, id, s->name, s->muted);
}

/* ---- AudioBridge ---- */

static void on_audiobridge_event(struct session *s, json_t *data)
{
	const char *kind = json_string_value(json_object_get(data, "audiobridge"));
	uint64_t id;

	if (!kind || s->state != ST_JOINED)
		return;
	if (!strcmp(kind, "joined") || !strcmp(kind, "event")) {
		ab_update_all(s, json_object_get(data, "participants"));
		if (json_id(json_object_get(data, "leaving"), &id))
			roster_audio_remove(s->roster, id);
		if (json_id(json_object_get(data, "kicked"), &id)) {
			if (id == s->self_id)
				session_fail(s, TTM_EXIT_ROOM, true, "you were removed from the room");
			else
				roster_audio_remove(s->roster, id);
		}
	} else if (!strcmp(kind, "talking") || !strcmp(kind, "stopped-talking")) {
		if (json_id(json_object_get(data, "id"), &id))
			roster_audio_talking(s->roster, id, !strcmp(kind, "talking"));
	} else if (!strcmp(kind, "destroyed")) {
		session_fail(s, TTM_EXIT_ROOM, true, "the room was closed by the server");
	}
}

/* Applies Janus' SDP answer: the peer learns the transport, the media engine the codec. */
static int apply_answer(struct session *s, json_t *jsep, char *why, size_t whylen)
{
	const char *type = json_string_value(json_object_get(jsep, "type"));
	const char *sdp = json_string_value(json_object_get(jsep, "sdp"));
	struct sdp_session *ans = NULL;
	int mline = -1, rc;

	if (!type || strcmp(type, "answer") || !sdp) {
		snprintf(why, whylen, "the server sent no SDP answer");
		return -EPROTO;
	}
	if ((rc = sdp_session_create(&ans)) < 0)
		return rc;
	if ((rc = sdp_parse(sdp, strlen(sdp), ans)) < 0) {
		snprintf(why, whylen, "the server's SDP answer is malformed");
		goto out;
	}
	int pt = sdp_opus_pt(ans, &mline);
	if (pt < 0) {
		rc = -EPROTO;
		snprintf(why, whylen, "the server accepted no Opus audio");
		goto out;
	}
	if ((rc = peer_set_remote(s->peer, ans, mline)) < 0) {
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
	if (s->media)
		media_attach(s->media, s->peer, &mp);
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
	struct session *s = user;
	char why[160];

	if (r->err == -EREMOTEIO && pin_refused(r)) {
		if (s->ask_pin && !s->joined_once) {
			snprintf(s->lost_why, sizeof(s->lost_why), s->pin ? "room %" PRIu64
				 " refused the pin" : "room %" PRIu64 " needs a pin", s->room);
			s->exit_code = TTM_EXIT_ROOM; /* unless a pin is given and works */
			snprintf(s->leave_reason, sizeof(s->leave_reason), "error");
			s->state = ST_RECONNECT_WAIT;
			schedule(s, ACT_PIN_WAIT);
		} else if (s->pin) {
			session_fail(s, TTM_EXIT_ROOM, true, "room %" PRIu64 " refused the pin: %s "
				     "(%d)", s->room, r->reason, r->code);
		} else {
			session_fail(s, TTM_EXIT_ROOM, true, "room %" PRIu64 " needs a pin: give it "
				     "with --pin-file or TTYMEET_PIN", s->room);
		}
		return;
	}
	if (r->err == -EREMOTEIO && r->code == JANUS_AUDIOBRIDGE_NO_SUCH_ROOM) {
		session_fail(s, TTM_EXIT_ROOM, true, "there is no room %" PRIu64 " on this server",
			     s->room);
		return;
	}
	if (r->err == -EREMOTEIO) {
		session_fail(s, TTM_EXIT_ROOM, true, "room %" PRIu64 " refused the join: %s (%d)",
			     s->room, r->reason, r->code);
		return;
	}
	if (r->err) {
		connection_lost(s, TTM_EXIT_SERVER, "joining room %" PRIu64 " failed: %s", s->room,
				r->reason);
		return;
	}
	const char *kind = json_string_value(json_object_get(r->data, "audiobridge"));
	uint64_t id;
	if (!kind || strcmp(kind, "joined") || !json_id(json_object_get(r->data, "id"), &id)) {
		session_fail(s, TTM_EXIT_SERVER, true, "unexpected answer to the join request");
		return;
	}
	if (s->peer && apply_answer(s, r->jsep, why, sizeof(why)) < 0) {
		session_fail(s, TTM_EXIT_MEDIA, true, "%s", why);
		return;
	}
	bool rejoin = s->joined_once;
	s->state = ST_JOINED;
	if (!s->joined_once)
		s->t_joined = g_get_monotonic_time();
	s->joined_once = true;
	s->lost_since = 0;
	s->attempt = 0;
	set_self(s, id);
	struct session_event ev = { .type = SESSION_EV_JOINED, .id = s->self_id, .name = s->name,
				    .room = s->room, .self = true, .on = s->muted };
	session_emit(s, &ev);
	if (rejoin) /* the list is the truth: whoever is missing has left */
		roster_audio_sync_begin(s->roster);
	ab_update_all(s, json_object_get(r->data, "participants"));
	if (rejoin)
		roster_audio_sync_end(s->roster);
	session_nick_joined(s);
	session_chat_start(s);
	session_video_start(s);
}

/* ---- the PeerConnection ---- */

static void peer_candidate(void *user, const char *candidate)
{
	struct session *s = user;
	if (s->offer_sent && s->janus) /* before that, it goes into the offer itself */
		janus_trickle_candidate(s->janus, s->handle, candidate);
}

static void peer_state(void *user, enum peer_state st, int err, const char *reason)
{
	struct session *s = user;
	if (st == PEER_CONNECTED) {
		s->media_up = true;
		s->media_up_once = true;
		struct peer_stats ps;
		peer_get_stats(s->peer, &ps);
		struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "audio",
					    .state = "connected", .message = reason,
					    .join_ms = now_s(s) * 1000.0,
					    .signaling_ms = (double)(s->t_joined - s->t0) / 1000.0,
					    .ice_ms = (double)(ps.t_ice_connected - s->t0) / 1000.0,
					    .dtls_ms = (double)(ps.t_dtls_connected - s->t0) / 1000.0 };
		session_emit(s, &ev);
		return;
	}
	if (st != PEER_FAILED && st != PEER_CLOSED)
		return;
	struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "audio", .state = "failed",
				    .message = reason };
	session_emit(s, &ev);
	/* A fingerprint mismatch is an attack or a broken server, never worth a retry; neither
	 * is a path that never worked. */
	if (err == -EKEYREJECTED || !s->media_up_once)
		session_fail(s, TTM_EXIT_MEDIA, true, "%s", reason);
	else
		connection_lost(s, TTM_EXIT_MEDIA, "%s", reason);
}

static void peer_rtp(void *user, uint8_t *buf, size_t len)
{
	struct session *s = user;
	if (s->media)
		media_on_rtp(s->media, buf, len);
}

static void peer_rtcp(void *user, uint8_t *buf, size_t len)
{
	struct session *s = user;
	if (s->media)
		media_on_rtcp(s->media, buf, len);
}

/* Creates the PeerConnection and writes our offer with the candidates known so far. */
static json_t *make_offer(struct session *s, char *why, size_t whylen)
{
	struct peer_config pc = s->peer_tpl;
	pc.offerer = true;
	pc.tamper_remote_fingerprint = s->tamper_fp;
	struct peer_callbacks cbs = {
		.candidate_cb = peer_candidate,
		.state_cb = peer_state,
		.rtp_cb = peer_rtp,
		.rtcp_cb = peer_rtcp,
		.user = s,
	};
	int rc = peer_create(s->main, &pc, &cbs, &s->peer);
	if (rc < 0) {
		snprintf(why, whylen, "cannot start ICE (%s)", strerror(-rc));
		return NULL;
	}
	struct sdp_audio_offer o = {
		.mid = "0",
		.dir = SDP_DIR_SENDRECV,
		.opus_pt = 111,
		.max_bitrate = s->bitrate > 0 ? (uint32_t)s->bitrate : 0,
		.level_ext_id = 1,
		.mid_ext_id = 2,
		.ssrc = s->media ? media_ssrc(s->media) : g_random_int(),
		.cname = "ttymeet",
	};
	peer_sdp_local(s->peer, &o.local);
	bool done = o.local.cands_done;
	char *sdp = malloc(OFFER_MAX);
	if (!sdp)
		return NULL;
	rc = sdp_write_audio_offer(sdp, OFFER_MAX, &o);
	json_t *jsep = rc > 0 ? json_pack("{ss ss sb}", "type", "offer", "sdp", sdp, "trickle", !done)
			      : NULL;
	free(sdp);
	if (!jsep)
		snprintf(why, whylen, "cannot write the SDP offer");
	return jsep;
}

static void on_attached(void *user, const struct janus_reply *r)
{
	struct session *s = user;
	char why[160];
	if (r->err) {
		connection_lost(s, TTM_EXIT_SERVER, "the server cannot host audio rooms: %s",
				r->reason);
		return;
	}
	s->handle = r->id;
	s->state = ST_JOINING;
	json_t *jsep = NULL;
	if (s->media && !(jsep = make_offer(s, why, sizeof(why)))) {
		session_fail(s, TTM_EXIT_MEDIA, true, "%s", why);
		return;
	}
	json_t *body = json_pack("{ss sI ss sb}", "request", "join", "room", (json_int_t)s->room,
				 "display", s->name, "muted", s->muted);
	if (body && s->pin)
		json_object_set_new(body, "pin", json_string(s->pin));
	if (!body || janus_message(s->janus, s->handle, body, jsep, on_joined, s) < 0) {
		session_fail(s, TTM_EXIT_SERVER, false, "cannot send the join request");
		return;
	}
	s->offer_sent = true; /* candidates gathered from now on go out as trickles */
}

static void on_created(void *user, const struct janus_reply *r)
{
	struct session *s = user;
	if (r->err) {
		connection_lost(s, TTM_EXIT_SERVER, "the server refused a session: %s", r->reason);
		return;
	}
	s->state = ST_ATTACHING;
	if (janus_attach(s->janus, AUDIOBRIDGE, on_attached, s) < 0)
		connection_lost(s, TTM_EXIT_SERVER, "cannot send the attach request");
}

/* ---- Janus and WebSocket plumbing ---- */

static int janus_send(void *user, const char *text, size_t len)
{
	struct session *s = user;
	if (s->offline_send)
		return s->offline_send(s->offline_user, text, len);
	return s->ws ? ws_send_text(s->ws, text, len) : -ENOTCONN;
}

static int janus_undelivered(void *user)
{
	struct session *s = user;
	return s->ws && !s->offline_send ? ws_undelivered(s->ws) : -ENOTCONN;
}

static void janus_event(void *user, const struct janus_event *ev)
{
	struct session *s = user;
	if (ev->kind != JANUS_EV_TRICKLE && session_video_route(s, ev))
		return;
	switch (ev->kind) {
	case JANUS_EV_TRICKLE:
		session_trickle_on_event(s, ev);
		break;
	case JANUS_EV_PLUGIN:
		if (ev->handle == s->handle)
			on_audiobridge_event(s, ev->data);
		break;
	case JANUS_EV_HANGUP:
		if (s->chat_link && ev->handle == chatlink_handle(s->chat_link)) {
			chatlink_on_janus_event(s->chat_link, ev);
			break;
		}
		if (ev->handle == s->handle && s->state == ST_JOINED)
			connection_lost(s, TTM_EXIT_MEDIA, "the server hung up the media (%s)",
					ev->reason);
		break;
	case JANUS_EV_TIMEOUT:
		janus_reset_session(s->janus);
		connection_lost(s, TTM_EXIT_SERVER, "the server expired our session");
		break;
	case JANUS_EV_DETACHED:
		if (ev->handle == s->handle && s->state == ST_JOINED)
			connection_lost(s, TTM_EXIT_SERVER, "the server dropped our room handle");
		break;
	default:
		break;
	}
}

/* A keepalive went unanswered or the server forgot our session: the WebSocket may still look
 * open (a frozen server, a path that silently drops), so only this notices. */
static void janus_dead(void *user, int err, const char *why)
{
	struct session *s = user;
	(void)err;
	connection_lost(s, TTM_EXIT_SERVER, "%s", why);
}

#define BAD_MSG_NOTICE_US (10 * G_USEC_PER_SEC)

/* Before the first join a server that breaks the protocol is no server to join (exit 3). Once
 * in the meeting, one bad message must not end it: the message is ignored and said so (the
 * request it answered, if any, has failed on its own path), at most once per 10 s. */
static void janus_protocol_error(void *user, int err, const char *why)
{
	struct session *s = user;
	char msg[320];
	(void)err;
	if (!s->joined_once) {
		session_fail(s, TTM_EXIT_SERVER, false, "malformed message from the server: %s",
			     why);
		return;
	}
	gint64 now = g_get_monotonic_time();
	if (s->bad_msg_reported && now - s->bad_msg_reported < BAD_MSG_NOTICE_US) {
		s->bad_msgs_quiet++;
		return;
	}
	if (s->bad_msgs_quiet)
		snprintf(msg, sizeof(msg), "ignored a malformed message from the server: %s "
			 "(and %u more since the last notice)", why, s->bad_msgs_quiet);
	else
		snprintf(msg, sizeof(msg), "ignored a malformed message from the server: %s", why);
	s->bad_msg_reported = now;
	s->bad_msgs_quiet = 0;
	struct session_event ev = { .type = SESSION_EV_NOTICE, .message = msg };
	session_emit(s, &ev); /* sanitized there: why may quote the server */
}

static void ws_open(void *user)
{
	struct session *s = user;
	loop_source_drop(&s->connect_timer);
	s->state = ST_CREATING;
	if (janus_create_session(s->janus, on_created, s) < 0)
		connection_lost(s, TTM_EXIT_SERVER, "cannot send to the server");
}

static void ws_message(void *user, const char *text, size_t len)
{
	struct session *s = user;
	if (s->janus && s->state != ST_DONE) {
		janus_handle_message(s->janus, text, len);
		session_trickle_retry(s); /* that message may have made a PeerConnection */
	}
}

static void ws_closed(void *user, int err, const char *reason)
{
	struct session *s = user;
	bool bigger = err == -EMSGSIZE && s->state != ST_LEAVING && s->ws_max < WS_MAX_MESSAGE_LIMIT;
	ws_close(s->ws); /* releases our side; lws already let go of the socket */
	s->ws = NULL;
	if (bigger) {
		/* A very large room's participant list (the join answer lists everyone): take
		 * bigger messages on the next attempt, up to the limit; never a loop. Decided
		 * before the pending requests fail, so that none of them ends the session. */
		char why[256];
		size_t next = s->ws_max * 4 < WS_MAX_MESSAGE_LIMIT ? s->ws_max * 4
								   : WS_MAX_MESSAGE_LIMIT;
		snprintf(why, sizeof(why), "the server sent a message over %zu KiB (the participant "
			 "list of a very large room?): reconnecting to accept up to %zu KiB",
			 s->ws_max / 1024, next / 1024);
		s->ws_max = next;
		struct session_event ev = { .type = SESSION_EV_NOTICE, .message = why };
		session_emit(s, &ev);
		lose(s, TTM_EXIT_SERVER, true, "a message from the server was too big");
	}
	if (s->janus) {
		janus_reset_session(s->janus);
		janus_fail_pending(s->janus, -ECONNRESET, reason);
	}
	if (s->state == ST_LEAVING) {
		finish(s);
		return;
	}
	if (bigger)
		return;
	if (err == -EMSGSIZE)
		session_fail(s, TTM_EXIT_SERVER, false, "the server sent a message over %zu KiB, "
			     "more than ttymeet takes", s->ws_max / 1024);
	else if (s->state == ST_CONNECTING)
		connection_lost(s, TTM_EXIT_SERVER, "cannot reach %s: %s", s->url, reason);
	else
		connection_lost(s, TTM_EXIT_SERVER, "%s (%s)",
				err ? "connection to the server lost" : "the server closed the connection",
				reason);
}

static gboolean connect_timeout_cb(gpointer data)
{
	struct session *s = data;
	g_source_unref(s->connect_timer);
	s->connect_timer = NULL;
	if (s->state == ST_CONNECTING)
		connection_lost(s, TTM_EXIT_SERVER, "cannot reach %s: no answer within %.1f s",
				s->url, CONNECT_TIMEOUT_MS / 1000.0);
	return G_SOURCE_REMOVE;
}

/* Starts one connection attempt. */
static void session_connect(struct session *s)
{
	static const struct ws_handlers wsh = { ws_open, ws_message, ws_closed };
	static const struct janus_ops jops = { janus_send, janus_event, janus_protocol_error,
					       janus_dead, janus_undelivered };

	s->state = ST_CONNECTING;
	if (janus_create(s->main, &jops, s, &s->janus) == 0)
		janus_set_timers(s->janus, 0, s->keepalive_ms, 0);
	if (s->janus && s->offline_send) {
		ws_open(s); /* offline: "connected" at once */
		return;
	}
	if (!s->janus ||
	    ws_connect(s->wsctx, s->url, "janus-protocol", s->insecure, &wsh, s, &s->ws) < 0) {
		s->ws = NULL;
		session_fail(s, TTM_EXIT_SERVER, false, "cannot connect to %s", s->url);
		return;
	}
	ws_set_max_message(s->ws, s->ws_max);
	s->connect_timer = add_timeout(s, CONNECT_TIMEOUT_MS, connect_timeout_cb);
}

static gboolean stats_cb(gpointer data)
{
	struct session *s = data;
	if (s->state == ST_JOINED && s->media && s->media_up) {
		struct media_stats st;
		media_get_stats(s->media, &st);
		struct session_video_stats vs;
		struct session_event ev = { .type = SESSION_EV_STATS, .stats = &st,
					    .trickled = s->trickled,
					    .participants = roster_count(s->roster) };
		if (s->video_cfg.receive || s->video_cfg.source) {
			session_get_video_stats(s, &vs);
			ev.video = &vs;
		}
		session_emit(s, &ev);
	}
	return G_SOURCE_CONTINUE;
}

static char *dup_or_null(const char *v, bool *ok)
{
	if (!v)
		return NULL;
	char *d = strdup(v);
	if (!d)
		*ok = false;
	return d;
}

int session_create(GMainContext *main, struct ws_ctx *ws, const struct session_config *cfg,
		   session_event_cb cb, void *user, struct session **out)
{
	struct session *s = calloc(1, sizeof(*s));
	bool ok = true;
	if (!s)
		return -ENOMEM;
	s->main = main;
	s->wsctx = ws;
	s->cb = cb;
	s->user = user;
	s->url = dup_or_null(cfg->url, &ok);
	s->name = dup_or_null(cfg->name, &ok);
	s->pin = dup_or_null(cfg->pin, &ok);
	s->ask_pin = cfg->ask_pin;
	s->stun = dup_or_null(cfg->stun_server, &ok);
	s->turn_url = dup_or_null(cfg->turn_url, &ok);
	s->turn_user = dup_or_null(cfg->turn_user, &ok);
	s->turn_password = dup_or_null(cfg->turn_password, &ok);
	s->local_addrs = cfg->local_addrs;
	s->room = cfg->room;
	s->insecure = cfg->insecure;
	s->muted = cfg->muted;
	s->tamper_fp = cfg->tamper_fingerprint;
	s->media = cfg->media;
	s->stats_ms = cfg->stats_interval_ms;
	s->keepalive_ms = cfg->keepalive_ms;
	s->ws_max = WS_MAX_MESSAGE;
	s->give_up_us = cfg->give_up_ms ? (gint64)cfg->give_up_ms * 1000 : RECONNECT_GIVE_UP_US;
	s->hold_on_give_up = cfg->hold_on_give_up;
	s->bitrate = cfg->bitrate;
	s->t0 = cfg->t0 ? cfg->t0 : g_get_monotonic_time();
	s->video_cfg = cfg->video;
	s->video_cfg.source = dup_or_null(cfg->video.source, &ok);
	s->video_receive = cfg->video.receive;
	if (roster_create(main, ROSTER_GRACE_MS, on_roster_event, s, &s->roster) < 0)
		ok = false;
	snprintf(s->leave_reason, sizeof(s->leave_reason), "user");
	if (session_chat_init(s) < 0)
		ok = false;
	if (!ok || !s->url || !s->name || ((s->media || s->video_cfg.receive || s->video_cfg.source) &&
				    dtls_cert_create(&s->cert) < 0)) {
		session_destroy(s);
		return -ENOMEM;
	}
	s->peer_tpl = (struct peer_config){
		.cert = s->cert,
		.stun_server = s->stun,
		.turn_url = s->turn_url,
		.turn_user = s->turn_user,
		.turn_password = s->turn_password,
		.local_addrs = s->local_addrs,
	};
	*out = s;
	return 0;
}

int session_start(struct session *s)
{
	if (s->state != ST_IDLE)
		return -EALREADY;
	struct session_event ev = { .type = SESSION_EV_CONNECTING, .url = s->url, .room = s->room };
	session_emit(s, &ev);
	session_chat_check_locked(s);
	if (s->stats_ms)
		s->stats_timer = add_timeout(s, s->stats_ms, stats_cb);
	session_connect(s);
	return 0;
}

int session_set_pin(struct session *s, const char *pin)
{
	if (s->state != ST_PIN_WAIT)
		return -EALREADY;
	if (!pin || !*pin)
		return -EINVAL;
	char *p = strdup(pin);
	if (!p)
		return -ENOMEM;
	secret_free(s->pin);
	s->pin = p;
	s->exit_code = TTM_EXIT_OK;
	snprintf(s->leave_reason, sizeof(s->leave_reason), "user");
	session_connect(s);
	return 0;
}

int session_retry(struct session *s)
{
	if (s->state != ST_GAVE_UP)
		return -EALREADY;
	s->exit_code = TTM_EXIT_OK;
	snprintf(s->leave_reason, sizeof(s->leave_reason), "user");
	s->lost_since = g_get_monotonic_time(); /* a new give_up_ms from now */
	s->attempt = 1;
	struct session_event ev = { .type = SESSION_EV_RECONNECTING, .attempt = s->attempt,
				    .message = "retrying at the user's request" };
	session_emit(s, &ev);
	session_connect(s);
	return 0;
}

void session_destroy(struct session *s)
{
	if (!s)
		return;
	loop_source_drop(&s->leave_timer);
	loop_source_drop(&s->action_idle);
	loop_source_drop(&s->retry_timer);
	loop_source_drop(&s->stats_timer);
	drop_transport(s);
	dtls_cert_destroy(s->cert);
	roster_destroy(s->roster);
	session_chat_free(s);
	session_trickle_free(s);
	free((char *)s->video_cfg.source);
	free(s->url);
	free(s->name);
	secret_free(s->pin);
	free(s->stun);
	free(s->turn_url);
	secret_free(s->turn_user);
	secret_free(s->turn_password);
	free(s);
}
