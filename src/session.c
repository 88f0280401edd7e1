/* The meeting model (see session.h).
 *
 * The session knows no server protocol: a backend (src/backend.h; Janus in src/janus/) runs
 * each connection attempt and tells the session what happened through the session_be_*
 * functions (src/session_be.c). The session keeps the roster, the chat store and outbox, the
 * reconnection policy and the events to its clients.
 *
 * Once joined, losing the server (the connection closed, the session expired, the media path
 * failed or was hung up) is not fatal: the session waits (backoff 0.25 s doubling to 2 s),
 * asks the backend for a new attempt and rejoins, emitting RECONNECTING and JOINED again;
 * after 60 s (give_up_ms) without success it gives up (exit 3), or with hold_on_give_up waits
 * in GAVE_UP for session_retry or session_leave. Before the first join, failures end the
 * session with their exit code. A leave asks the backend to leave politely and waits for it
 * (bounded by LEAVE_TIMEOUT_MS).
 *
 * The backend's transport is only ever dropped from the session's idle callback, never inside
 * the backend's own callbacks.
 */
#include "src/session.h"
#include "src/session_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dtls.h"
#include "net/loop.h"
#include "src/exitcode.h"
#include "src/jitsi/config.h"
#include "src/secret.h"
#include "src/text.h"

#define LEAVE_TIMEOUT_MS 2000   /* how long a clean leave may wait for the server */
#define RECONNECT_GIVE_UP_US (60 * G_USEC_PER_SEC) /* unless give_up_ms says otherwise */

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
	if (ev->type == SESSION_EV_TALKING && ev->on && !ev->self && s->be)
		s->ops->video_follow(s->be, ev->name);
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

/* Releases everything of the current attempt. Never called from inside backend callbacks. */
static void drop_transport(struct session *s, const char *why)
{
	s->chat_ready = false;
	s->media_up = false;
	if (s->be)
		s->ops->drop(s->be, why);
}

static void retry_cb(void *data)
{
	session_connect(data);
}

static void action_cb(void *data)
{
	struct session *s = data;
	enum action a = s->action;
	s->action = ACT_NONE;
	/* on a reconnect the rejoin brings the video back */
	drop_transport(s, a == ACT_RECONNECT ? "the connection to the server was lost" : NULL);
	if (a == ACT_PIN_WAIT) { /* unconnected until session_set_pin or session_leave */
		s->state = ST_PIN_WAIT;
		struct session_event ev = { .type = SESSION_EV_PIN_NEEDED, .room = s->cfg.room,
					    .on = s->pin != NULL, .message = s->lost_why };
		session_emit(s, &ev);
		return;
	}
	if (a == ACT_GAVE_UP) { /* unconnected until session_retry or session_leave */
		s->state = ST_GAVE_UP;
		struct session_event ev = { .type = SESSION_EV_GAVE_UP, .message = s->lost_why };
		session_emit(s, &ev);
		return;
	}
	if (a == ACT_RECONNECT) {
		/* 0.25 s, 0.5 s, 1 s, then every 2 s */
		guint delay = s->attempt >= 4 ? 2000 : 250u << (s->attempt > 0 ? s->attempt - 1 : 0);
		loop_once(&s->retry_timer, s->main, delay, retry_cb, s);
		return;
	}
	loop_source_drop(&s->leave_timer);
	loop_source_drop(&s->retry_timer);
	loop_source_drop(&s->stats_timer);
	s->state = ST_DONE;
	struct session_event ev = { .type = SESSION_EV_LEFT, .reason = s->leave_reason };
	session_emit(s, &ev);
}

static void schedule(struct session *s, enum action a)
{
	if (s->action == ACT_FINISH)
		return; /* finishing wins */
	s->action = a;
	if (!s->action_idle) /* default priority: not starved when busy */
		loop_once(&s->action_idle, s->main, 0, action_cb, s);
}

/* Ends the session from the next loop turn. */
static void finish(struct session *s)
{
	if (s->state == ST_DONE)
		return;
	s->state = ST_LEAVING;
	schedule(s, ACT_FINISH);
}

void session_be_left(struct session *s)
{
	finish(s);
}

static void leave_timeout_cb(void *data)
{
	finish(data);
}

/* Leaves politely if the backend has something to leave; finishes when it is done or after
 * LEAVE_TIMEOUT_MS. */
static void leave_politely(struct session *s)
{
	if (s->state == ST_LEAVING || s->state == ST_DONE)
		return;
	loop_source_drop(&s->retry_timer);
	s->chat_ready = false;
	s->state = ST_LEAVING;
	if (s->be && s->ops->leave(s->be) == 0) {
		loop_once(&s->leave_timer, s->main, LEAVE_TIMEOUT_MS, leave_timeout_cb, s);
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
void session_be_fail(struct session *s, int code, bool transport_ok, const char *fmt, ...)
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
void session_be_lost(struct session *s, int code, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	lose(s, code, false, why);
}

void session_be_retry(struct session *s, const char *why)
{
	lose(s, TTM_EXIT_SERVER, true, why);
}

/* retry_unjoined: reconnect even before the first join (the cause has been dealt with). */
static void lose(struct session *s, int code, bool retry_unjoined, const char *why)
{
	if (s->state == ST_LEAVING || s->state == ST_DONE || s->state == ST_RECONNECT_WAIT ||
	    s->state == ST_GAVE_UP)
		return;
	if (!s->joined_once && !retry_unjoined) {
		session_be_fail(s, code, false, "%s", why);
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
			session_be_fail(s, TTM_EXIT_SERVER, false, "%s", gave);
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


/* ---- events in (src/backend.h) ---- */

void session_be_roster_event(void *user, struct session_event *ev)
{
	struct session *s = user;
	ev->no_audio = s->ops->no_audio;
	session_emit(s, ev);
}

void session_be_emit(struct session *s, struct session_event *ev)
{
	session_emit(s, ev);
}

bool session_be_joined(struct session *s, uint64_t self_id, const char *room_type)
{
	bool rejoin = s->joined_once;
	s->state = ST_JOINED;
	if (!s->joined_once)
		s->t_joined = g_get_monotonic_time();
	s->joined_once = true;
	s->lost_since = 0;
	s->attempt = 0;
	s->self_id = self_id;
	roster_set_self(s->roster, self_id, s->name, s->muted);
	struct session_event ev = { .type = SESSION_EV_JOINED, .id = s->self_id, .name = s->name,
				    .room = s->cfg.room, .room_name = s->cfg.room_name,
				    .self = true, .on = s->muted, .kind = room_type,
				    .no_audio = s->ops->no_audio };
	session_emit(s, &ev);
	session_nick_joined(s);
	return rejoin;
}

void session_be_pin_refused(struct session *s, const char *reason, int code)
{
	/* a numbered room (Janus) has a pin; a named one (Jitsi, room 0) a password */
	char room[48];
	const char *pin = s->cfg.room ? "pin" : "password";
	if (s->cfg.room)
		snprintf(room, sizeof(room), "room %" PRIu64, s->cfg.room);
	else
		snprintf(room, sizeof(room), "the room");
	if (s->cfg.ask_pin && !s->joined_once) {
		snprintf(s->lost_why, sizeof(s->lost_why), s->pin ? "%s refused the %s"
			 : "%s needs a %s", room, pin);
		s->exit_code = TTM_EXIT_ROOM; /* unless a pin is given and works */
		snprintf(s->leave_reason, sizeof(s->leave_reason), "error");
		s->state = ST_RECONNECT_WAIT;
		schedule(s, ACT_PIN_WAIT);
	} else if (s->pin) {
		session_be_fail(s, TTM_EXIT_ROOM, true, "%s refused the %s: %s (%d)", room, pin,
				reason ? reason : "", code);
	} else {
		session_be_fail(s, TTM_EXIT_ROOM, true, "%s needs a %s: give it with --pin-file or "
				"TTYMEET_PIN", room, pin);
	}
}

#define BAD_MSG_NOTICE_US (10 * G_USEC_PER_SEC)

/* Before the first join a server that breaks the protocol is no server to join (exit 3). Once
 * in the meeting, one bad message must not end it: the message is ignored and said so (the
 * request it answered, if any, has failed on its own path), at most once per 10 s. */
void session_be_protocol_error(struct session *s, const char *why)
{
	char msg[320];
	if (!s->joined_once) {
		session_be_fail(s, TTM_EXIT_SERVER, false, "malformed message from the server: %s",
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

void session_be_waiting(struct session *s, const char *kind, const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct session_event ev = { .type = SESSION_EV_WAITING, .kind = kind, .message = msg };
	session_emit(s, &ev);
}

void session_be_notice(struct session *s, const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct session_event ev = { .type = SESSION_EV_NOTICE, .message = msg };
	session_emit(s, &ev);
}

void session_be_audio_up(struct session *s, gint64 t_ice, gint64 t_dtls, const char *how)
{
	s->media_up = true;
	s->media_up_once = true;
	struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "audio",
				    .state = "connected", .message = how,
				    .join_ms = now_s(s) * 1000.0,
				    .signaling_ms = (double)(s->t_joined - s->t0) / 1000.0,
				    .ice_ms = (double)(t_ice - s->t0) / 1000.0,
				    .dtls_ms = (double)(t_dtls - s->t0) / 1000.0 };
	session_emit(s, &ev);
}

void session_be_audio_down(struct session *s, bool fatal, const char *why)
{
	s->media_up = false;
	struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "audio", .state = "failed",
				    .message = why };
	session_emit(s, &ev);
	/* A fingerprint mismatch is an attack or a broken server, never worth a retry; neither
	 * is a path that never worked. */
	if (fatal || !s->media_up_once)
		session_be_fail(s, TTM_EXIT_MEDIA, true, "%s", why);
	else
		session_be_lost(s, TTM_EXIT_MEDIA, "%s", why);
}

/* Starts one connection attempt. */
static void session_connect(struct session *s)
{
	s->state = ST_CONNECTING;
	s->ops->connect(s->be);
}

static gboolean stats_cb(gpointer data)
{
	struct session *s = data;
	if (s->state == ST_JOINED && s->media && s->media_up) {
		struct media_stats st;
		media_get_stats(s->media, &st);
		struct session_video_stats vs;
		struct session_event ev = { .type = SESSION_EV_STATS, .stats = &st,
					    .trickled = s->ops->trickled(s->be),
					    .participants = roster_count(s->roster) };
		if (s->cfg.video.receive || s->cfg.video.source) {
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

/* The backend for a URL. */
static const struct backend_ops *backend_for(const char *url)
{
	/* http(s)://HOST/ROOM: Jitsi Meet; ws:// and wss://: Janus (the CLI refuses others) */
	return jitsi_is_link(url) ? &jitsi_backend_ops : &janus_backend_ops;
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
	s->cfg = *cfg;
	s->cfg.url = s->url = dup_or_null(cfg->url, &ok);
	s->name = dup_or_null(cfg->name, &ok);
	s->cfg.name = NULL; /* renames change it: session_be_name */
	s->cfg.pin = s->pin = dup_or_null(cfg->pin, &ok);
	s->cfg.stun_server = s->stun = dup_or_null(cfg->stun_server, &ok);
	s->cfg.turn_url = s->turn_url = dup_or_null(cfg->turn_url, &ok);
	s->cfg.turn_user = s->turn_user = dup_or_null(cfg->turn_user, &ok);
	s->cfg.turn_password = s->turn_password = dup_or_null(cfg->turn_password, &ok);
	s->cfg.video.source = dup_or_null(cfg->video.source, &ok);
	/* a static string, whatever the caller's lifetime */
	s->cfg.room_type = !cfg->room_type ? NULL : !strcmp(cfg->room_type, "videoroom") ? "videoroom"
			   : !strcmp(cfg->room_type, "audiobridge") ? "audiobridge" : NULL;
	s->muted = cfg->muted;
	s->media = cfg->media;
	s->give_up_us = cfg->give_up_ms ? (gint64)cfg->give_up_ms * 1000 : RECONNECT_GIVE_UP_US;
	s->hold_on_give_up = cfg->hold_on_give_up;
	s->t0 = s->cfg.t0 = cfg->t0 ? cfg->t0 : g_get_monotonic_time();
	s->video_receive = cfg->video.receive;
	s->ops = backend_for(cfg->url);
	if (roster_create(main, ROSTER_GRACE_MS, session_be_roster_event, s, &s->roster) < 0)
		ok = false;
	snprintf(s->leave_reason, sizeof(s->leave_reason), "user");
	if (session_chat_init(s) < 0)
		ok = false;
	if (!ok || !s->url || !s->name || ((s->media || cfg->video.receive || cfg->video.source) &&
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
		.local_addrs = cfg->local_addrs,
	};
	struct backend_env env = { .main = main, .ws = ws, .cfg = &s->cfg, .peer = &s->peer_tpl,
				   .roster = s->roster, .media = s->media };
	if (s->ops->create(s, &env, &s->be) < 0) {
		s->be = NULL;
		session_destroy(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

int session_start(struct session *s)
{
	if (s->state != ST_IDLE)
		return -EALREADY;
	struct session_event ev = { .type = SESSION_EV_CONNECTING, .url = s->url,
				    .room = s->cfg.room, .room_name = s->cfg.room_name };
	session_emit(s, &ev);
	session_chat_check_locked(s);
	if (s->cfg.stats_interval_ms)
		s->stats_timer = add_timeout(s, s->cfg.stats_interval_ms, stats_cb);
	session_connect(s);
	return 0;
}

int session_offline_start(struct session *s, int (*send)(void *user, const char *text, size_t len),
			  void *user)
{
	if (s->state != ST_IDLE || !send)
		return s->state != ST_IDLE ? -EALREADY : -EINVAL;
	int rc = s->ops->offline(s->be, send, user);
	return rc < 0 ? rc : session_start(s);
}

void session_offline_feed(struct session *s, const char *text, size_t len)
{
	if (s->state != ST_DONE)
		s->ops->offline_feed(s->be, text, len);
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
	s->cfg.pin = s->pin = p;
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
	if (s->be) {
		s->ops->drop(s->be, NULL);
		s->ops->destroy(s->be);
	}
	dtls_cert_destroy(s->cert);
	roster_destroy(s->roster);
	session_chat_free(s);
	free((char *)s->cfg.video.source);
	free(s->url);
	free(s->name);
	secret_free(s->pin);
	free(s->stun);
	free(s->turn_url);
	secret_free(s->turn_user);
	secret_free(s->turn_password);
	free(s);
}
