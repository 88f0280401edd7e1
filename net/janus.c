/* Janus API client (see janus.h for the contract).
 *
 * Every request gets a transaction id and a pending entry {callback, kind, deadline}. Replies
 * are matched by transaction: "success"/"error" complete any request; "ack" completes
 * keepalive/trickle/hangup but only marks an async plugin "message" as acknowledged, whose
 * answer is the "event" with the same transaction — which Janus may send before the ack, so an
 * ack for an unknown transaction is ignored. A 500 ms sweep fails requests past their deadline;
 * a 25 s timer sends keepalives while a session exists, and their answers are checked: one
 * missing for JANUS_KEEPALIVE_ANSWER_MS, or a "session not found", is reported through dead_cb.
 * Unless the keepalive never even reached the server's host (undelivered_cb > 0: its TCP stack
 * has not acknowledged it): then the path is down — a hung server's kernel still acknowledges —
 * and a rejoin could not get through either, so another keepalive goes out and the wait goes
 * on, up to JANUS_KEEPALIVE_OUTAGE_MS from the first; when the path is back TCP delivers them
 * and the answer ends the wait. Media has its own watch (ICE) meanwhile.
 */
#include "net/janus.h"
#include "net/lockpool.h"
#include "net/loop.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum req_kind { REQ_CREATE, REQ_ATTACH, REQ_MESSAGE, REQ_PLAIN };

struct pending {
	char txn[24];
	enum req_kind kind;
	janus_reply_cb cb;
	void *user;
	gint64 deadline; /* monotonic µs */
	bool acked;
};

struct janus {
	GMainContext *main;
	struct janus_ops ops;
	void *user;
	uint64_t session;
	uint32_t txn_prefix, txn_next;
	GHashTable *pending; /* txn -> struct pending */
	unsigned request_timeout_ms, keepalive_ms, keepalive_answer_ms;
	gint64 keepalive_outage_since; /* µs of the first keepalive lost in an outage, 0: none */
	unsigned outage_limit_ms;
	unsigned keepalives_out;       /* keepalives sent and not completed yet */
	GSource *sweep, *keepalive;
};

static const struct {
	int code;
	const char *text;
} core_errors[] = {
	{ 403, "unauthorized request (wrong or missing secret/token)" },
	{ 405, "unauthorized access to plugin" },
	{ 450, "transport specific error" },
	{ 452, "missing request" },
	{ 453, "unknown request" },
	{ 454, "invalid JSON" },
	{ 455, "invalid JSON object" },
	{ 456, "missing mandatory element" },
	{ 457, "invalid path for this request" },
	{ 458, "session not found" },
	{ 459, "handle not found" },
	{ 460, "plugin not found" },
	{ 461, "error attaching plugin" },
	{ 462, "error sending message to plugin" },
	{ 463, "error detaching from plugin" },
	{ 464, "unsupported JSEP type" },
	{ 465, "invalid SDP" },
	{ 466, "invalid stream" },
	{ 467, "invalid element type" },
	{ 468, "session ID already in use" },
	{ 469, "unexpected ANSWER (no OFFER)" },
	{ 470, "token not found" },
	{ 471, "wrong WebRTC state" },
	{ 472, "server is not accepting new sessions" },
	{ 490, "unknown error" },
};

const char *janus_error_text(int code)
{
	for (size_t i = 0; i < G_N_ELEMENTS(core_errors); i++)
		if (core_errors[i].code == code)
			return core_errors[i].text;
	return "";
}

static void reply(struct pending *p, const struct janus_reply *r)
{
	if (p->cb)
		p->cb(p->user, r);
}

static void fail(struct pending *p, int err, const char *why)
{
	struct janus_reply r = { .err = err, .reason = why ? why : "" };
	reply(p, &r);
}

/* Removes the entry before calling back, so callbacks may issue new requests freely. */
static struct pending *take(struct janus *j, const char *txn)
{
	gpointer key, val;
	if (!txn || !g_hash_table_lookup_extended(j->pending, txn, &key, &val))
		return NULL;
	g_hash_table_steal(j->pending, txn);
	return val;
}

static gboolean sweep_cb(gpointer data)
{
	struct janus *j = data;
	gint64 now = g_get_monotonic_time();
	GHashTableIter it;
	gpointer key, val;
	GPtrArray *expired = NULL;

	g_hash_table_iter_init(&it, j->pending);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct pending *p = val;
		if (p->deadline <= now) {
			if (!expired)
				expired = g_ptr_array_new();
			g_ptr_array_add(expired, p);
			g_hash_table_iter_steal(&it);
		}
	}
	for (guint i = 0; expired && i < expired->len; i++) {
		struct pending *p = expired->pdata[i];
		fail(p, -ETIMEDOUT, "the server did not answer in time");
		free(p);
	}
	if (expired)
		g_ptr_array_free(expired, TRUE);
	return G_SOURCE_CONTINUE;
}

static int send_json(struct janus *j, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	if (!text)
		return -ENOMEM;
	int rc = j->ops.send_cb(j->user, text, strlen(text));
	lockpool_free(text); /* jansson's memory: the pool when src/secmem.h set it up */
	return rc;
}

/* Builds the envelope, registers the pending entry (answer due within timeout_ms) and sends.
 * Takes ownership of msg. */
static int request_within(struct janus *j, json_t *msg, enum req_kind kind, janus_reply_cb cb,
			  void *user, unsigned timeout_ms)
{
	struct pending *p = calloc(1, sizeof(*p));
	int rc;
	if (!p) {
		json_decref(msg);
		return -ENOMEM;
	}
	snprintf(p->txn, sizeof(p->txn), "%08x-%u", j->txn_prefix, j->txn_next++);
	p->kind = kind;
	p->cb = cb;
	p->user = user;
	p->deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	json_object_set_new(msg, "transaction", json_string(p->txn));
	g_hash_table_insert(j->pending, p->txn, p);
	rc = send_json(j, msg);
	json_decref(msg);
	if (rc < 0) {
		g_hash_table_steal(j->pending, p->txn);
		free(p);
	}
	return rc;
}

static int request(struct janus *j, json_t *msg, enum req_kind kind, janus_reply_cb cb, void *user)
{
	return request_within(j, msg, kind, cb, user, j->request_timeout_ms);
}

static json_t *envelope(struct janus *j, const char *verb, uint64_t handle)
{
	json_t *m = json_pack("{ss}", "janus", verb);
	if (m && j->session)
		json_object_set_new(m, "session_id", json_integer((json_int_t)j->session));
	if (m && handle)
		json_object_set_new(m, "handle_id", json_integer((json_int_t)handle));
	return m;
}

static void keepalive_answered(void *user, const struct janus_reply *r);

static void send_keepalive(struct janus *j)
{
	json_t *m = envelope(j, "keepalive", 0);
	if (m && request_within(j, m, REQ_PLAIN, keepalive_answered, j,
				j->keepalive_answer_ms) == 0)
		j->keepalives_out++;
}

/* An overdue answer while our bytes have not reached the server's host: an outage of the
 * path. Returns true while it is still worth waiting. */
static bool keepalive_in_outage(struct janus *j)
{
	gint64 now = g_get_monotonic_time();

	if (!j->ops.undelivered_cb || j->ops.undelivered_cb(j->user) <= 0)
		return false;
	if (!j->keepalive_outage_since)
		j->keepalive_outage_since = now - (gint64)j->keepalive_answer_ms * 1000;
	return now - j->keepalive_outage_since < (gint64)j->outage_limit_ms * 1000;
}

static void keepalive_answered(void *user, const struct janus_reply *r)
{
	struct janus *j = user;
	int err;
	char why[160];

	j->keepalives_out--;
	if (!j->session)
		return; /* the session went away meanwhile: nothing to check any more */
	if (r->err == -ETIMEDOUT && keepalive_in_outage(j)) {
		if (j->keepalives_out == 0) /* one retry in flight at a time */
			send_keepalive(j);
		return;
	}
	if (r->err == -ETIMEDOUT && j->keepalive_outage_since) {
		err = -ETIMEDOUT;
		snprintf(why, sizeof(why), "lost contact with the server (nothing got through for "
			 "%.0f s)", (double)(g_get_monotonic_time() - j->keepalive_outage_since) / 1e6);
	} else if (r->err == -ETIMEDOUT) {
		err = -ETIMEDOUT;
		snprintf(why, sizeof(why), "the server stopped answering (no keepalive answer "
			 "within %.1f s)", j->keepalive_answer_ms / 1000.0);
	} else if (r->err == -EPROTO && r->code == 458) {
		err = -ENOENT;
		snprintf(why, sizeof(why), "the server no longer knows our session");
	} else {
		j->keepalive_outage_since = 0;
		return; /* answered (or the transport went, which its owner hears about) */
	}
	j->keepalive_outage_since = 0;
	janus_reset_session(j);
	if (j->ops.dead_cb)
		j->ops.dead_cb(j->user, err, why);
}

static gboolean keepalive_cb(gpointer data)
{
	struct janus *j = data;
	if (j->session && !j->keepalive_outage_since) /* in an outage the retries go out */
		send_keepalive(j);
	return G_SOURCE_CONTINUE;
}

int janus_create(GMainContext *main, const struct janus_ops *ops, void *user, struct janus **out)
{
	struct janus *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->main = main;
	j->ops = *ops;
	j->user = user;
	j->txn_prefix = g_random_int();
	j->request_timeout_ms = JANUS_REQUEST_TIMEOUT_MS;
	j->keepalive_ms = JANUS_KEEPALIVE_MS;
	j->keepalive_answer_ms = JANUS_KEEPALIVE_ANSWER_MS;
	j->outage_limit_ms = JANUS_KEEPALIVE_OUTAGE_MS;
	j->pending = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, free);
	j->sweep = loop_lazy_timer_new(500, 100); /* request deadlines: no precision needed */
	g_source_set_callback(j->sweep, sweep_cb, j, NULL);
	g_source_attach(j->sweep, main);
	*out = j;
	return 0;
}

void janus_destroy(struct janus *j)
{
	if (!j)
		return;
	loop_source_drop(&j->sweep);
	loop_source_drop(&j->keepalive);
	g_hash_table_destroy(j->pending);
	free(j);
}

void janus_fail_pending(struct janus *j, int err, const char *why)
{
	GList *all = g_hash_table_get_values(j->pending);
	g_hash_table_steal_all(j->pending);
	for (GList *l = all; l; l = l->next) {
		fail(l->data, err, why);
		free(l->data);
	}
	g_list_free(all);
}

void janus_forget(struct janus *j, void *user)
{
	GHashTableIter it;
	gpointer key, val;
	g_hash_table_iter_init(&it, j->pending);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct pending *p = val;
		if (p->user == user)
			p->cb = NULL;
	}
}

void janus_set_timers(struct janus *j, unsigned request_timeout_ms, unsigned keepalive_ms,
		      unsigned keepalive_answer_ms)
{
	if (keepalive_answer_ms)
		j->keepalive_answer_ms = keepalive_answer_ms;
	if (request_timeout_ms)
		j->request_timeout_ms = request_timeout_ms;
	if (keepalive_ms)
		j->keepalive_ms = keepalive_ms;
}

uint64_t janus_session_id(const struct janus *j)
{
	return j->session;
}

void janus_set_outage_limit(struct janus *j, unsigned ms)
{
	j->outage_limit_ms = ms ? ms : JANUS_KEEPALIVE_OUTAGE_MS;
}

void janus_reset_session(struct janus *j)
{
	j->session = 0;
	j->keepalive_outage_since = 0;
	loop_source_drop(&j->keepalive);
}

static void on_session_created(struct janus *j, uint64_t id)
{
	j->session = id;
	if (!j->keepalive) {
		j->keepalive = g_timeout_source_new(j->keepalive_ms);
		g_source_set_callback(j->keepalive, keepalive_cb, j, NULL);
		g_source_attach(j->keepalive, j->main);
	}
}

int janus_create_session(struct janus *j, janus_reply_cb cb, void *user)
{
	json_t *m = json_pack("{ss}", "janus", "create");
	return m ? request(j, m, REQ_CREATE, cb, user) : -ENOMEM;
}

int janus_attach(struct janus *j, const char *plugin, janus_reply_cb cb, void *user)
{
	json_t *m = envelope(j, "attach", 0);
	if (!m)
		return -ENOMEM;
	json_object_set_new(m, "plugin", json_string(plugin));
	return request(j, m, REQ_ATTACH, cb, user);
}

int janus_message(struct janus *j, uint64_t handle, json_t *body, json_t *jsep, janus_reply_cb cb,
		  void *user)
{
	json_t *m = envelope(j, "message", handle);
	if (!m) {
		json_decref(body);
		json_decref(jsep);
		return -ENOMEM;
	}
	json_object_set_new(m, "body", body);
	if (jsep)
		json_object_set_new(m, "jsep", jsep);
	return request(j, m, REQ_MESSAGE, cb, user);
}

int janus_trickle(struct janus *j, uint64_t handle, json_t *candidate, janus_reply_cb cb,
		  void *user)
{
	json_t *m = envelope(j, "trickle", handle);
	if (!m) {
		json_decref(candidate);
		return -ENOMEM;
	}
	json_object_set_new(m, "candidate", candidate);
	return request(j, m, REQ_PLAIN, cb, user);
}

int janus_trickle_candidate(struct janus *j, uint64_t handle, const char *candidate)
{
	json_t *c = candidate ? json_pack("{ss ss si}", "candidate", candidate, "sdpMid", "0",
					  "sdpMLineIndex", 0)
			      : json_pack("{sb}", "completed", 1);
	return c ? janus_trickle(j, handle, c, NULL, NULL) : -ENOMEM;
}

static int simple(struct janus *j, const char *verb, uint64_t handle, janus_reply_cb cb,
		  void *user)
{
	json_t *m = envelope(j, verb, handle);
	return m ? request(j, m, REQ_PLAIN, cb, user) : -ENOMEM;
}

int janus_hangup(struct janus *j, uint64_t handle, janus_reply_cb cb, void *user)
{
	return simple(j, "hangup", handle, cb, user);
}

int janus_detach(struct janus *j, uint64_t handle, janus_reply_cb cb, void *user)
{
	return simple(j, "detach", handle, cb, user);
}

int janus_destroy_session(struct janus *j, janus_reply_cb cb, void *user)
{
	return simple(j, "destroy", 0, cb, user);
}

int janus_trickle_parse(json_t *msg, const char **line)
{
	json_t *c = json_object_get(msg, "candidate");
	*line = NULL;
	if (!json_is_object(c))
		return -EINVAL;
	if (json_object_get(c, "completed"))
		return 0;
	json_t *idx = json_object_get(c, "sdpMLineIndex");
	if (idx && (!json_is_integer(idx) || json_integer_value(idx) < 0))
		return -EINVAL;
	if (idx && json_integer_value(idx) != 0)
		return -ENOTSUP;
	const char *cand = json_string_value(json_object_get(c, "candidate"));
	if (!cand || strncmp(cand, "candidate:", 10))
		return -EINVAL;
	*line = cand;
	return 0;
}

/* ---- incoming ---- */

static int protocol_error(struct janus *j, const char *why)
{
	if (j->ops.protocol_error_cb)
		j->ops.protocol_error_cb(j->user, -EPROTO, why);
	return -EPROTO;
}

/* A positive integer id (Janus ids are 53-bit). */
static bool get_id(json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* Extracts plugindata.data and the jsep; checks their types. */
static int plugin_parts(json_t *msg, json_t **data, json_t **jsep, const char **why)
{
	json_t *pd = json_object_get(msg, "plugindata");
	*data = NULL;
	*jsep = json_object_get(msg, "jsep");
	if (*jsep && !json_is_object(*jsep)) {
		*why = "\"jsep\" is not an object";
		return -EPROTO;
	}
	if (!pd)
		return 0;
	*data = json_object_get(pd, "data");
	if (!json_is_object(pd) || !json_is_object(*data)) {
		*why = "\"plugindata\" is malformed";
		return -EPROTO;
	}
	return 0;
}

/* Fills r from a plugin reply, mapping an error_code inside data to a plugin error. */
static int plugin_reply(json_t *msg, struct janus_reply *r, const char **why)
{
	if (plugin_parts(msg, &r->data, &r->jsep, why) < 0)
		return -EPROTO;
	json_t *ec = r->data ? json_object_get(r->data, "error_code") : NULL;
	if (ec) {
		if (!json_is_integer(ec)) {
			*why = "\"error_code\" is not a number";
			return -EPROTO;
		}
		r->err = -EREMOTEIO;
		r->code = (int)json_integer_value(ec);
		const char *e = json_string_value(json_object_get(r->data, "error"));
		r->reason = e ? e : "";
	}
	return 0;
}

static int on_reply(struct janus *j, const char *kind, json_t *msg, struct pending *p)
{
	struct janus_reply r = { .reason = "" };
	const char *why = NULL;

	if (!strcmp(kind, "error")) {
		json_t *e = json_object_get(msg, "error");
		json_t *code = json_object_get(e, "code");
		if (!json_is_object(e) || !json_is_integer(code)) {
			fail(p, -EPROTO, "malformed error from server");
			free(p);
			return protocol_error(j, "error without a code");
		}
		r.err = -EPROTO;
		r.code = (int)json_integer_value(code);
		const char *reason = json_string_value(json_object_get(e, "reason"));
		r.reason = reason ? reason : janus_error_text(r.code);
		reply(p, &r);
		free(p);
		return 0;
	}
	if (p->kind == REQ_CREATE || p->kind == REQ_ATTACH) {
		json_t *data = json_object_get(msg, "data");
		if (strcmp(kind, "success") || !get_id(json_object_get(data, "id"), &r.id)) {
			const char *what = p->kind == REQ_CREATE ? "bad reply to create"
								 : "bad reply to attach";
			fail(p, -EPROTO, "malformed reply from server");
			free(p);
			return protocol_error(j, what);
		}
		if (p->kind == REQ_CREATE)
			on_session_created(j, r.id);
		reply(p, &r);
		free(p);
		return 0;
	}
	if (plugin_reply(msg, &r, &why) < 0) {
		fail(p, -EPROTO, "malformed reply from server");
		free(p);
		return protocol_error(j, why);
	}
	reply(p, &r);
	free(p);
	return 0;
}

static int on_event(struct janus *j, const char *kind, json_t *msg)
{
	static const struct {
		const char *name;
		enum janus_event_kind kind;
	} map[] = {
		{ "event", JANUS_EV_PLUGIN },	  { "webrtcup", JANUS_EV_WEBRTCUP },
		{ "media", JANUS_EV_MEDIA },	  { "slowlink", JANUS_EV_SLOWLINK },
		{ "hangup", JANUS_EV_HANGUP },	  { "detached", JANUS_EV_DETACHED },
		{ "trickle", JANUS_EV_TRICKLE }, { "timeout", JANUS_EV_TIMEOUT },
	};
	struct janus_event ev = { .msg = msg, .reason = "" };
	const char *why = NULL;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(map); i++)
		if (!strcmp(kind, map[i].name))
			break;
	if (i == G_N_ELEMENTS(map))
		return 0; /* server_info, pong, future kinds: nothing for us */
	ev.kind = map[i].kind;
	json_t *sender = json_object_get(msg, "sender");
	if (sender && !get_id(sender, &ev.handle))
		return protocol_error(j, "\"sender\" is not an id");
	if (ev.kind == JANUS_EV_PLUGIN) {
		if (plugin_parts(msg, &ev.data, &ev.jsep, &why) < 0)
			return protocol_error(j, why);
		if (!ev.data)
			return protocol_error(j, "plugin event without data");
	}
	if (ev.kind == JANUS_EV_TIMEOUT) {
		uint64_t sid = 0;
		if (!get_id(json_object_get(msg, "session_id"), &sid) || sid != j->session)
			return 0; /* not about our session */
	}
	const char *reason = json_string_value(json_object_get(msg, "reason"));
	if (reason)
		ev.reason = reason;
	if (j->ops.event_cb)
		j->ops.event_cb(j->user, &ev);
	return 0;
}

int janus_handle_message(struct janus *j, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *msg = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	int rc = 0;
	char why[160];

	if (!msg) {
		snprintf(why, sizeof(why), "invalid JSON from server (%.100s)", jerr.text);
		return protocol_error(j, why);
	}
	json_t *kindv = json_object_get(msg, "janus");
	json_t *txnv = json_object_get(msg, "transaction");
	if (!json_is_object(msg) || !json_is_string(kindv)) {
		rc = protocol_error(j, "message without a \"janus\" kind");
		goto out;
	}
	if (txnv && !json_is_string(txnv)) {
		rc = protocol_error(j, "\"transaction\" is not a string");
		goto out;
	}
	const char *kind = json_string_value(kindv);
	const char *txn = json_string_value(txnv);
	struct pending *p;

	if (!strcmp(kind, "ack")) {
		gpointer val = txn ? g_hash_table_lookup(j->pending, txn) : NULL;
		p = val;
		if (!p)
			goto out; /* the event already answered it */
		if (p->kind == REQ_MESSAGE) {
			/* The answer is the event that follows; plugins may take a while (SDP). */
			p->acked = true;
			p->deadline = g_get_monotonic_time() + (gint64)j->request_timeout_ms * 3000;
			goto out;
		}
		p = take(j, txn);
		struct janus_reply r = { .reason = "" };
		reply(p, &r);
		free(p);
		goto out;
	}
	if (!strcmp(kind, "success") || !strcmp(kind, "error") ||
	    (!strcmp(kind, "event") && txn && g_hash_table_contains(j->pending, txn))) {
		p = take(j, txn);
		if (p)
			rc = on_reply(j, kind, msg, p);
		else if (!strcmp(kind, "error") && !txn)
			rc = protocol_error(j, "error not tied to a request");
		goto out;
	}
	rc = on_event(j, kind, msg);
out:
	json_decref(msg);
	return rc;
}
