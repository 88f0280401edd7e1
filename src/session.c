/* The meeting model (see session.h).
 *
 * State machine: CONNECTING (WebSocket) → CREATING (Janus session) → ATTACHING (AudioBridge
 * handle) → JOINING → JOINED → LEAVING (destroy sent, bounded wait) → DONE. Any failure goes
 * through session_fail(), which records the exit code, emits ERROR and leaves. Teardown of the
 * transport always runs from an idle callback, never inside a ws/janus callback, so no object
 * is freed while it is on the stack. Server-provided names are sanitized on the way in.
 */
#include "src/session.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/janus.h"
#include "src/exitcode.h"
#include "src/text.h"

#define CONNECT_TIMEOUT_MS 4500 /* "cannot reach the server" must be said within 5 s */
#define LEAVE_TIMEOUT_MS 2000   /* how long a clean leave may wait for the server */
#define AUDIOBRIDGE "janus.plugin.audiobridge"

enum state { ST_IDLE, ST_CONNECTING, ST_CREATING, ST_ATTACHING, ST_JOINING, ST_JOINED, ST_LEAVING, ST_DONE };

struct session {
	GMainContext *main;
	struct ws_ctx *wsctx;
	struct ws_conn *ws;
	struct janus *janus;
	session_event_cb cb;
	void *user;

	char *url, *name, *pin;
	uint64_t room;
	bool insecure, muted;
	gint64 t0;

	enum state state;
	uint64_t handle, self_id;
	GHashTable *roster; /* id (uint64 key) -> struct session_participant */
	int exit_code;
	char leave_reason[16];
	GSource *connect_timer, *leave_timer, *finish_idle;
};

static double now_s(const struct session *s)
{
	return (double)(g_get_monotonic_time() - s->t0) / 1e6;
}

static void emit(struct session *s, struct session_event *ev)
{
	ev->t = now_s(s);
	if (s->cb)
		s->cb(s->user, ev);
}

static void stop_source(GSource **src)
{
	if (*src) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

static GSource *add_timeout(struct session *s, guint ms, GSourceFunc fn)
{
	GSource *src = g_timeout_source_new(ms);
	g_source_set_callback(src, fn, s, NULL);
	g_source_attach(src, s->main);
	return src;
}

/* ---- teardown ---- */

static gboolean finish_cb(gpointer data)
{
	struct session *s = data;
	g_source_unref(s->finish_idle);
	s->finish_idle = NULL;
	stop_source(&s->connect_timer);
	stop_source(&s->leave_timer);
	if (s->ws) {
		ws_close(s->ws);
		s->ws = NULL;
	}
	if (s->janus) {
		janus_destroy(s->janus);
		s->janus = NULL;
	}
	s->state = ST_DONE;
	struct session_event ev = { .type = SESSION_EV_LEFT, .reason = s->leave_reason };
	emit(s, &ev);
	return G_SOURCE_REMOVE;
}

/* Ends the session from the next loop turn. */
static void finish(struct session *s)
{
	if (s->finish_idle || s->state == ST_DONE)
		return;
	s->state = ST_LEAVING;
	s->finish_idle = g_idle_source_new();
	g_source_set_callback(s->finish_idle, finish_cb, s, NULL);
	g_source_attach(s->finish_idle, s->main);
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

/* Destroys the Janus session (which detaches the handle and so leaves the room) if there is
 * one and the transport is up; finishes when the server answers or after LEAVE_TIMEOUT_MS. */
static void leave_politely(struct session *s)
{
	if (s->state == ST_LEAVING || s->state == ST_DONE)
		return;
	stop_source(&s->connect_timer);
	if (s->janus && s->ws && janus_session_id(s->janus)) {
		s->state = ST_LEAVING;
		if (janus_destroy_session(s->janus, on_destroyed, s) == 0) {
			s->leave_timer = add_timeout(s, LEAVE_TIMEOUT_MS, leave_timeout_cb);
			return;
		}
		s->state = ST_JOINED; /* let finish() take over */
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
	emit(s, &ev);
	if (transport_ok)
		leave_politely(s);
	else
		finish(s);
}

/* ---- roster ---- */

static struct session_participant *roster_get(struct session *s, uint64_t id)
{
	return g_hash_table_lookup(s->roster, &id);
}

static void emit_participant(struct session *s, enum session_event_type type,
			     const struct session_participant *p, bool on)
{
	struct session_event ev = { .type = type, .id = p->id, .name = p->name, .on = on,
				    .self = p->self };
	emit(s, &ev);
}

/* Adds or updates one participant from an AudioBridge participant object. */
static void roster_update(struct session *s, json_t *pj)
{
	json_t *idv = json_object_get(pj, "id");
	if (!json_is_integer(idv) || json_integer_value(idv) <= 0)
		return; /* malformed entry: ignore it, keep the rest */
	uint64_t id = (uint64_t)json_integer_value(idv);
	const char *display = json_string_value(json_object_get(pj, "display"));
	bool muted = json_is_true(json_object_get(pj, "muted"));
	json_t *talking = json_object_get(pj, "talking");
	char name[SESSION_NAME_MAX];

	if (display)
		text_sanitize(display, strlen(display), name, sizeof(name), false);
	if (!display || !*name)
		snprintf(name, sizeof(name), "participant-%" PRIu64, id);

	struct session_participant *p = roster_get(s, id);
	if (!p) {
		if (g_hash_table_size(s->roster) >= SESSION_ROSTER_MAX)
			return;
		p = calloc(1, sizeof(*p));
		if (!p)
			return;
		p->id = id;
		p->self = id == s->self_id;
		snprintf(p->name, sizeof(p->name), "%s", name);
		p->muted = muted;
		p->talking = json_is_true(talking);
		g_hash_table_insert(s->roster, &p->id, p);
		emit_participant(s, SESSION_EV_PARTICIPANT_JOINED, p, p->muted);
		return;
	}
	if (strcmp(p->name, name))
		snprintf(p->name, sizeof(p->name), "%s", name);
	if (p->muted != muted) {
		p->muted = muted;
		emit_participant(s, SESSION_EV_MUTED, p, muted);
	}
	if (json_is_boolean(talking) && p->talking != json_is_true(talking)) {
		p->talking = json_is_true(talking);
		emit_participant(s, SESSION_EV_TALKING, p, p->talking);
	}
}

static void roster_update_all(struct session *s, json_t *list)
{
	size_t i;
	json_t *pj;
	if (!json_is_array(list))
		return;
	json_array_foreach(list, i, pj)
		if (json_is_object(pj))
			roster_update(s, pj);
}

static void roster_remove(struct session *s, uint64_t id)
{
	struct session_participant *p = roster_get(s, id);
	if (!p)
		return;
	g_hash_table_steal(s->roster, &id);
	emit_participant(s, SESSION_EV_PARTICIPANT_LEFT, p, false);
	free(p);
}

static bool json_id(json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* ---- AudioBridge ---- */

static void on_audiobridge_event(struct session *s, json_t *data)
{
	const char *kind = json_string_value(json_object_get(data, "audiobridge"));
	uint64_t id;

	if (!kind || s->state != ST_JOINED)
		return;
	if (!strcmp(kind, "joined") || !strcmp(kind, "event")) {
		roster_update_all(s, json_object_get(data, "participants"));
		if (json_id(json_object_get(data, "leaving"), &id))
			roster_remove(s, id);
		if (json_id(json_object_get(data, "kicked"), &id)) {
			if (id == s->self_id)
				session_fail(s, TTM_EXIT_ROOM, true, "you were removed from the room");
			else
				roster_remove(s, id);
		}
	} else if (!strcmp(kind, "talking") || !strcmp(kind, "stopped-talking")) {
		struct session_participant *p;
		if (json_id(json_object_get(data, "id"), &id) && (p = roster_get(s, id))) {
			bool on = !strcmp(kind, "talking");
			if (p->talking != on) {
				p->talking = on;
				emit_participant(s, SESSION_EV_TALKING, p, on);
			}
		}
	} else if (!strcmp(kind, "destroyed")) {
		session_fail(s, TTM_EXIT_ROOM, true, "the room was closed by the server");
	}
}

static void on_joined(void *user, const struct janus_reply *r)
{
	struct session *s = user;
	if (r->err == -EREMOTEIO) {
		session_fail(s, TTM_EXIT_ROOM, true, "room %" PRIu64 " refused the join: %s (%d)",
			     s->room, r->reason, r->code);
		return;
	}
	if (r->err) {
		session_fail(s, TTM_EXIT_SERVER, r->err == -EPROTO, "joining room %" PRIu64
			     " failed: %s", s->room, r->reason);
		return;
	}
	const char *kind = json_string_value(json_object_get(r->data, "audiobridge"));
	if (!kind || strcmp(kind, "joined") || !json_id(json_object_get(r->data, "id"), &s->self_id)) {
		session_fail(s, TTM_EXIT_SERVER, true, "unexpected answer to the join request");
		return;
	}
	s->state = ST_JOINED;
	struct session_participant *me = calloc(1, sizeof(*me));
	if (me) {
		me->id = s->self_id;
		me->self = true;
		me->muted = s->muted;
		snprintf(me->name, sizeof(me->name), "%s", s->name);
		g_hash_table_insert(s->roster, &me->id, me);
	}
	struct session_event ev = { .type = SESSION_EV_JOINED, .id = s->self_id, .name = s->name,
				    .room = s->room, .self = true, .on = s->muted };
	emit(s, &ev);
	roster_update_all(s, json_object_get(r->data, "participants"));
}

static void on_attached(void *user, const struct janus_reply *r)
{
	struct session *s = user;
	if (r->err) {
		session_fail(s, TTM_EXIT_SERVER, r->err != -ETIMEDOUT,
			     "the server cannot host audio rooms: %s", r->reason);
		return;
	}
	s->handle = r->id;
	s->state = ST_JOINING;
	json_t *body = json_pack("{ss sI ss sb}", "request", "join", "room", (json_int_t)s->room,
				 "display", s->name, "muted", s->muted);
	if (body && s->pin)
		json_object_set_new(body, "pin", json_string(s->pin));
	if (!body || janus_message(s->janus, s->handle, body, NULL, on_joined, s) < 0)
		session_fail(s, TTM_EXIT_SERVER, false, "cannot send the join request");
}

static void on_created(void *user, const struct janus_reply *r)
{
	struct session *s = user;
	if (r->err) {
		session_fail(s, TTM_EXIT_SERVER, false, "the server refused a session: %s%s%s",
			     r->reason, r->code ? " " : "", r->code ? "(Janus error)" : "");
		return;
	}
	s->state = ST_ATTACHING;
	if (janus_attach(s->janus, AUDIOBRIDGE, on_attached, s) < 0)
		session_fail(s, TTM_EXIT_SERVER, false, "cannot send the attach request");
}

/* ---- Janus and WebSocket plumbing ---- */

static int janus_send(void *user, const char *text, size_t len)
{
	struct session *s = user;
	return s->ws ? ws_send_text(s->ws, text, len) : -ENOTCONN;
}

static void janus_event(void *user, const struct janus_event *ev)
{
	struct session *s = user;
	switch (ev->kind) {
	case JANUS_EV_PLUGIN:
		if (ev->handle == s->handle)
			on_audiobridge_event(s, ev->data);
		break;
	case JANUS_EV_TIMEOUT:
		janus_reset_session(s->janus);
		session_fail(s, TTM_EXIT_SERVER, false, "the server expired our session");
		break;
	case JANUS_EV_DETACHED:
		if (ev->handle == s->handle && s->state == ST_JOINED)
			session_fail(s, TTM_EXIT_SERVER, true, "the server dropped our room handle");
		break;
	default:
		break;
	}
}

static void janus_protocol_error(void *user, int err, const char *why)
{
	struct session *s = user;
	session_fail(s, TTM_EXIT_SERVER, false, "malformed message from the server: %s", why);
}

static void ws_open(void *user)
{
	struct session *s = user;
	stop_source(&s->connect_timer);
	s->state = ST_CREATING;
	if (janus_create_session(s->janus, on_created, s) < 0)
		session_fail(s, TTM_EXIT_SERVER, false, "cannot send to the server");
}

static void ws_message(void *user, const char *text, size_t len)
{
	struct session *s = user;
	if (s->janus && s->state != ST_DONE)
		janus_handle_message(s->janus, text, len);
}

static void ws_closed(void *user, int err, const char *reason)
{
	struct session *s = user;
	ws_close(s->ws); /* releases our side; lws already let go of the socket */
	s->ws = NULL;
	if (s->janus) {
		janus_reset_session(s->janus);
		janus_fail_pending(s->janus, -ECONNRESET, reason);
	}
	if (s->state == ST_LEAVING) {
		finish(s);
		return;
	}
	if (s->state == ST_CONNECTING)
		session_fail(s, TTM_EXIT_SERVER, false, "cannot reach %s: %s", s->url, reason);
	else
		session_fail(s, TTM_EXIT_SERVER, false, "%s (%s)",
			     err ? "connection to the server lost" : "the server closed the connection",
			     reason);
}

static gboolean connect_timeout_cb(gpointer data)
{
	struct session *s = data;
	g_source_unref(s->connect_timer);
	s->connect_timer = NULL;
	if (s->state == ST_CONNECTING)
		session_fail(s, TTM_EXIT_SERVER, false, "cannot reach %s: no answer within %.1f s",
			     s->url, CONNECT_TIMEOUT_MS / 1000.0);
	return G_SOURCE_REMOVE;
}

int session_create(GMainContext *main, struct ws_ctx *ws, const struct session_config *cfg,
		   session_event_cb cb, void *user, struct session **out)
{
	struct session *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->main = main;
	s->wsctx = ws;
	s->cb = cb;
	s->user = user;
	s->url = strdup(cfg->url);
	s->name = strdup(cfg->name);
	s->pin = cfg->pin ? strdup(cfg->pin) : NULL;
	s->room = cfg->room;
	s->insecure = cfg->insecure;
	s->muted = cfg->muted;
	s->t0 = cfg->t0 ? cfg->t0 : g_get_monotonic_time();
	s->roster = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, free);
	snprintf(s->leave_reason, sizeof(s->leave_reason), "user");
	static const struct janus_ops jops = { janus_send, janus_event, janus_protocol_error };
	if (!s->url || !s->name || (cfg->pin && !s->pin) ||
	    janus_create(main, &jops, s, &s->janus) < 0) {
		session_destroy(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

int session_start(struct session *s)
{
	static const struct ws_handlers wsh = { ws_open, ws_message, ws_closed };
	if (s->state != ST_IDLE)
		return -EALREADY;
	s->state = ST_CONNECTING;
	struct session_event ev = { .type = SESSION_EV_CONNECTING, .url = s->url, .room = s->room };
	emit(s, &ev);
	int rc = ws_connect(s->wsctx, s->url, "janus-protocol", s->insecure, &wsh, s, &s->ws);
	if (rc < 0) {
		s->ws = NULL;
		session_fail(s, TTM_EXIT_SERVER, false, "cannot connect to %s", s->url);
		return 0;
	}
	s->connect_timer = add_timeout(s, CONNECT_TIMEOUT_MS, connect_timeout_cb);
	return 0;
}

static void on_configured(void *user, const struct janus_reply *r)
{
	struct session *s = user;
	(void)r;
	struct session_participant *me = roster_get(s, s->self_id);
	if (r->err || !me || s->state != ST_JOINED)
		return;
	if (me->muted != s->muted) {
		me->muted = s->muted;
		emit_participant(s, SESSION_EV_MUTED, me, me->muted);
	}
}

int session_set_muted(struct session *s, bool muted)
{
	s->muted = muted;
	if (s->state != ST_JOINED)
		return 0; /* applied at join */
	json_t *body = json_pack("{ss sb}", "request", "configure", "muted", muted);
	return body ? janus_message(s->janus, s->handle, body, NULL, on_configured, s) : -ENOMEM;
}

bool session_is_muted(const struct session *s)
{
	return s->muted;
}

int session_exit_code(const struct session *s)
{
	return s->exit_code;
}

bool session_is_done(const struct session *s)
{
	return s->state == ST_DONE;
}

void session_foreach_participant(const struct session *s,
				 void (*fn)(void *user, const struct session_participant *p),
				 void *user)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, s->roster);
	while (g_hash_table_iter_next(&it, &k, &v))
		fn(user, v);
}

void session_destroy(struct session *s)
{
	if (!s)
		return;
	stop_source(&s->connect_timer);
	stop_source(&s->leave_timer);
	stop_source(&s->finish_idle);
	if (s->ws)
		ws_close(s->ws);
	janus_destroy(s->janus);
	g_hash_table_destroy(s->roster);
	free(s->url);
	free(s->name);
	free(s->pin);
	free(s);
}
