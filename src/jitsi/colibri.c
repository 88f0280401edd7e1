/* The bridge channel of a Jitsi meeting (contract in colibri.h).
 *
 * Message shapes, as read in the sources (not copied): jitsi-videobridge
 * jvb/src/main/kotlin/org/jitsi/videobridge/message/BridgeChannelMessage.kt - at c5a590565
 * (Dec 2021) ReceiverVideoConstraints has lastN, selectedEndpoints, onStageEndpoints,
 * defaultConstraints, constraints (by endpoint); 48f8a5988 (Jan 2022) adds selectedSources and
 * onStageSources, used instead of the endpoint fields when jicofo says the client names its
 * sources (AllocationSettings.kt, endpoint ids mapped to "<id>-v0" otherwise); f9314a237 (Jan
 * 2024) removes the endpoint fields, and since then a message naming them fails to parse and
 * is dropped with a warning (AbstractEndpointMessageTransport.onMessage), as is any message a
 * 2021 bridge cannot parse. VideoConstraints is {"maxHeight": N} (maxFrameRate optional).
 * Fields left out keep their value: we always send lastN, defaultConstraints, the on-stage
 * list (empty for none) and constraints (empty for none), so a change of stage replaces the
 * old one. From the bridge: DominantSpeakerEndpointChangeEvent {dominantSpeakerEndpoint,
 * previousSpeakers, silence (2022+)}, EndpointConnectivityStatusChangeEvent {endpoint,
 * active: "true"/"false" as a string}, LastNEndpointsChangeEvent {lastNEndpoints} (until
 * 2024), ForwardedSources {forwardedSources} (2022+), ServerHello {version?}. lib-jitsi-meet
 * modules/RTC/BridgeChannel.ts reads the same fields and retries a lost WebSocket after 1, 2,
 * 4, ... 60 s; ReceiveVideoController.ts sends lastN and defaultConstraints {maxHeight}.
 * The bridge's WebSocket takes no subprotocol (a browser's new WebSocket(url) offers none).
 */
#include "src/jitsi/colibri.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/loop.h"
#include "net/ws.h"

#define NS_JINGLE "urn:xmpp:jingle:1"
#define NS_ICE_UDP "urn:xmpp:jingle:transports:ice-udp:1"
#define STABLE_MS 10000 /* a connection open this long resets the backoff */
#define OUT_MAX 1024     /* our constraints: two ids of JCOLIBRI_ID_MAX and fixed text */

/* ---- messages ---- */

bool jcolibri_id_ok(const char *s)
{
	size_t n = 0;
	if (!s || !*s)
		return false;
	for (; s[n]; n++)
		if (n >= JCOLIBRI_ID_MAX - 1 || (unsigned char)s[n] <= 0x20 ||
		    (unsigned char)s[n] >= 0x7f)
			return false;
	return true;
}

int jcolibri_url_check(const char *url)
{
	bool tls;
	int port;
	char host[256], path[256];
	if (!url || strlen(url) >= JCOLIBRI_URL_MAX)
		return -EINVAL;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return -EINVAL;
	/* net/ws.c's own split: scheme ws/wss only, a host without '@', a port 1..65535, a
	 * path that fits */
	if (ws_parse_url(url, &tls, host, sizeof(host), &port, path, sizeof(path)) < 0)
		return -EINVAL;
	return 0;
}

int jcolibri_url_from_jingle(const struct xml_node *jingle, char *out, size_t outlen)
{
	int rc = -ENOENT;
	if (outlen)
		out[0] = '\0';
	if (!jingle)
		return -ENOENT;
	for (const struct xml_node *content = jingle->child; content; content = content->next) {
		if (!xml_is(content, NS_JINGLE, "content"))
			continue;
		for (const struct xml_node *t = content->child; t; t = t->next) {
			if (!xml_is(t, NS_ICE_UDP, "transport"))
				continue;
			for (const struct xml_node *w = t->child; w; w = w->next) {
				if (!xml_is(w, JCOLIBRI_NS, "web-socket"))
					continue;
				const char *url = xml_attr(w, "url");
				if (jcolibri_url_check(url) < 0) {
					rc = -EINVAL;
					continue;
				}
				if (strlen(url) >= outlen)
					return -ENOSPC;
				memcpy(out, url, strlen(url) + 1);
				return 0;
			}
		}
	}
	return rc;
}

/* An id field: a string that jcolibri_id_ok takes, copied to out. */
static bool take_id(json_t *v, char *out)
{
	const char *s = json_string_value(v);
	if (!jcolibri_id_ok(s))
		return false;
	memcpy(out, s, strlen(s) + 1);
	return true;
}

/* A list of ids (forwarded sources or endpoints): every entry must be an id. */
static bool take_list(json_t *a, struct jcolibri_msg *m)
{
	size_t i;
	json_t *v;
	if (!json_is_array(a))
		return false;
	json_array_foreach(a, i, v) {
		char id[JCOLIBRI_ID_MAX];
		if (!take_id(v, id))
			return false;
		if (m->n_ids < JCOLIBRI_LIST_MAX)
			memcpy(m->ids[m->n_ids++], id, strlen(id) + 1);
		else
			m->truncated = true;
	}
	return true;
}

/* The class's fields into m: its kind, or JCOLIBRI_MSG_INVALID. */
static enum jcolibri_kind take_fields(const char *cls, json_t *o, struct jcolibri_msg *m)
{
	json_t *v;
	if (!strcmp(cls, "ServerHello")) {
		if (!take_id(json_object_get(o, "version"), m->id))
			m->id[0] = '\0'; /* optional; an unusable one is just not kept */
		return JCOLIBRI_MSG_HELLO;
	}
	if (!strcmp(cls, "DominantSpeakerEndpointChangeEvent")) {
		if (!take_id(json_object_get(o, "dominantSpeakerEndpoint"), m->id))
			return JCOLIBRI_MSG_INVALID;
		if ((v = json_object_get(o, "silence")) && !json_is_boolean(v))
			return JCOLIBRI_MSG_INVALID;
		m->silence = json_is_true(v);
		return JCOLIBRI_MSG_DOMINANT;
	}
	if (!strcmp(cls, "EndpointConnectivityStatusChangeEvent")) {
		if (!take_id(json_object_get(o, "endpoint"), m->id))
			return JCOLIBRI_MSG_INVALID;
		v = json_object_get(o, "active");
		const char *s = json_string_value(v); /* the bridge writes it as a string */
		if (json_is_boolean(v))
			m->active = json_is_true(v);
		else if (s && (!strcmp(s, "true") || !strcmp(s, "false")))
			m->active = !strcmp(s, "true");
		else
			return JCOLIBRI_MSG_INVALID;
		return JCOLIBRI_MSG_CONNECTIVITY;
	}
	if (!strcmp(cls, "ForwardedSources") || !strcmp(cls, "LastNEndpointsChangeEvent")) {
		m->by_source = !strcmp(cls, "ForwardedSources");
		if (!take_list(json_object_get(o, m->by_source ? "forwardedSources" : "lastNEndpoints"),
			       m))
			return JCOLIBRI_MSG_INVALID;
		return JCOLIBRI_MSG_FORWARDED;
	}
	if (!strcmp(cls, "EndpointMessage"))
		return JCOLIBRI_MSG_ENDPOINT;
	return JCOLIBRI_MSG_OTHER;
}

enum jcolibri_kind jcolibri_parse(const char *text, size_t len, struct jcolibri_msg *m)
{
	m->kind = JCOLIBRI_MSG_INVALID;
	m->id[0] = '\0';
	m->silence = m->active = m->by_source = m->truncated = false;
	m->n_ids = 0;
	if (!text || len > JCOLIBRI_MSG_MAX)
		return m->kind;
	/* jansson bounds nesting (JSON_PARSER_MAX_DEPTH) and refuses \u0000 in strings */
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	const char *cls = json_string_value(json_object_get(o, "colibriClass"));
	if (json_is_object(o) && cls)
		m->kind = take_fields(cls, o, m);
	if (m->kind == JCOLIBRI_MSG_INVALID) { /* nothing half-read stays */
		m->id[0] = '\0';
		m->n_ids = 0;
	}
	json_decref(o);
	return m->kind;
}

static bool params_ok(const struct jcolibri_params *p)
{
	return p && p->last_n >= -1 && p->max_height >= 0 && p->max_height <= JCOLIBRI_HEIGHT_MAX &&
	       (p->naming == JCOLIBRI_SOURCES || p->naming == JCOLIBRI_ENDPOINTS);
}

static json_t *height_obj(int h)
{
	return json_pack("{s:i}", "maxHeight", h);
}

int jcolibri_constraints(const struct jcolibri_params *p, const char *stage, const char *source,
			 char *out, size_t outlen)
{
	char name[JCOLIBRI_ID_MAX + 4];
	int rc = -ENOMEM;
	if (outlen)
		out[0] = '\0';
	if (!params_ok(p))
		return -EINVAL;
	if (stage) {
		if (!jcolibri_id_ok(stage) || (source && !jcolibri_id_ok(source)))
			return -EINVAL;
		if (p->naming == JCOLIBRI_ENDPOINTS)
			snprintf(name, sizeof(name), "%s", stage);
		else if (source)
			snprintf(name, sizeof(name), "%s", source);
		else /* lib-jitsi-meet's name for an endpoint's first camera source */
			snprintf(name, sizeof(name), "%s-v0", stage);
		if (!jcolibri_id_ok(name))
			return -EINVAL;
	}
	json_t *o = json_object(), *list = json_array(), *cons = json_object();
	if (!o || !list || !cons)
		goto out;
	if (stage && (json_array_append_new(list, json_string(name)) < 0 ||
		      json_object_set_new(cons, name, height_obj(p->max_height)) < 0))
		goto out;
	if (json_object_set_new(o, "colibriClass", json_string("ReceiverVideoConstraints")) < 0 ||
	    json_object_set_new(o, "lastN", json_integer(p->last_n)) < 0 ||
	    json_object_set_new(o, p->naming == JCOLIBRI_SOURCES ? "onStageSources"
								 : "onStageEndpoints",
				list) < 0)
		goto out;
	list = NULL;
	if (json_object_set_new(o, "defaultConstraints", height_obj(p->max_height)) < 0 ||
	    json_object_set_new(o, "constraints", cons) < 0)
		goto out;
	cons = NULL;
	/* straight into out: json_dumps' text would be jansson's memory, which the program
	 * gives to the locked pool (src/secmem.h), not free()'s */
	size_t n = json_dumpb(o, out, outlen, JSON_COMPACT);
	if (n == 0) {
		rc = -ENOMEM;
	} else if (n >= outlen) {
		rc = -ENOSPC;
		if (outlen)
			out[0] = '\0';
	} else {
		out[n] = '\0';
		rc = (int)n;
	}
out:
	json_decref(list);
	json_decref(cons);
	json_decref(o);
	return rc;
}

/* ---- the channel ---- */

struct jcolibri {
	GMainContext *main;
	struct ws_ctx *ws;
	struct ws_conn *conn;
	char url[JCOLIBRI_URL_MAX];
	struct jcolibri_params p;
	char stage[JCOLIBRI_ID_MAX];  /* "" : nobody on stage */
	char source[JCOLIBRI_ID_MAX]; /* "" : "<stage>-v0" */
	struct jcolibri_cbs cbs;
	void *user;
	bool open;
	gint64 opened_us;             /* monotonic time of the last open */
	unsigned backoff_ms;          /* the next retry's wait */
	GSource *retry;
	char version[JCOLIBRI_ID_MAX];
	unsigned invalid;
	int in_cb;                    /* callbacks running: destroy is deferred */
	bool dead;                    /* destroyed inside a callback */
};

static void free_channel(struct jcolibri *c)
{
	loop_source_drop(&c->retry);
	if (c->conn)
		ws_close(c->conn);
	explicit_bzero(c->url, sizeof(c->url)); /* it holds the ICE password */
	free(c);
}

/* Around every callback: false when the channel was destroyed in it (then freed here). */
static void cb_enter(struct jcolibri *c)
{
	c->in_cb++;
}

static bool cb_leave(struct jcolibri *c)
{
	if (--c->in_cb == 0 && c->dead) {
		free_channel(c);
		return false;
	}
	return !c->dead;
}

/* Sends our constraints if open. 0, or the error (kept for the next open). */
static int send_constraints(struct jcolibri *c)
{
	char out[OUT_MAX];
	if (!c->open || !c->conn)
		return 0;
	int n = jcolibri_constraints(&c->p, c->stage[0] ? c->stage : NULL,
				     c->source[0] ? c->source : NULL, out, sizeof(out));
	if (n < 0)
		return n;
	return ws_send_text(c->conn, out, (size_t)n);
}

static void connect_now(struct jcolibri *c);

static void retry_cb(void *data)
{
	struct jcolibri *c = data;
	connect_now(c);
}

static void on_open(void *user)
{
	struct jcolibri *c = user;
	c->open = true;
	c->opened_us = g_get_monotonic_time();
	send_constraints(c); /* an error here shows as a close next */
	if (c->cbs.open) {
		cb_enter(c);
		c->cbs.open(c->user);
		cb_leave(c);
	}
}

static void on_message(void *user, const char *text, size_t len)
{
	struct jcolibri *c = user;
	struct jcolibri_msg *m = g_try_new(struct jcolibri_msg, 1);
	if (!m)
		return;
	const char *ids[JCOLIBRI_LIST_MAX];
	cb_enter(c);
	switch (jcolibri_parse(text, len, m)) {
	case JCOLIBRI_MSG_INVALID:
		c->invalid++;
		break;
	case JCOLIBRI_MSG_HELLO:
		memcpy(c->version, m->id, sizeof(c->version));
		break;
	case JCOLIBRI_MSG_DOMINANT:
		if (c->cbs.dominant)
			c->cbs.dominant(c->user, m->id, m->silence);
		break;
	case JCOLIBRI_MSG_CONNECTIVITY:
		if (c->cbs.connectivity)
			c->cbs.connectivity(c->user, m->id, m->active);
		break;
	case JCOLIBRI_MSG_FORWARDED:
		for (size_t i = 0; i < m->n_ids; i++)
			ids[i] = m->ids[i];
		if (c->cbs.forwarded)
			c->cbs.forwarded(c->user, ids, m->n_ids, m->by_source);
		break;
	case JCOLIBRI_MSG_ENDPOINT: /* other participants' data: nothing we use */
	case JCOLIBRI_MSG_OTHER:
		break;
	}
	g_free(m);
	cb_leave(c);
}

/* The connection is gone: schedule the next attempt (retry_ms 0: none) and say so. */
static void lost(struct jcolibri *c, int err, const char *reason, bool can_retry)
{
	char why[256];
	if (c->conn)
		ws_close(c->conn);
	c->conn = NULL;
	bool was_stable = c->open && g_get_monotonic_time() - c->opened_us >= STABLE_MS * 1000;
	c->open = false;
	if (was_stable)
		c->backoff_ms = JCOLIBRI_RETRY_MIN_MS;
	unsigned retry_ms = can_retry ? c->backoff_ms : 0;
	if (can_retry) {
		c->backoff_ms = MIN(c->backoff_ms * 2, JCOLIBRI_RETRY_MAX_MS);
		loop_once(&c->retry, c->main, retry_ms, retry_cb, c);
	}
	snprintf(why, sizeof(why), "bridge channel: %s", reason ? reason : "closed");
	if (c->cbs.closed) {
		cb_enter(c);
		c->cbs.closed(c->user, err, why, retry_ms);
		cb_leave(c);
	}
}

static void on_close(void *user, int err, const char *reason)
{
	lost(user, err, reason, true);
}

static const struct ws_handlers handlers = { on_open, on_message, on_close };

static int start(struct jcolibri *c)
{
	int rc = ws_connect(c->ws, c->url, "", c->p.insecure, &handlers, c, &c->conn);
	if (rc < 0) {
		c->conn = NULL;
		return rc;
	}
	/* net/ws.c's default bound (1 MiB) closes the connection over it; messages between
	 * JCOLIBRI_MSG_MAX and that are only ignored, so that a participant's big EndpointMessage
	 * relayed to everyone cannot keep our channel closed */
	return 0;
}

/* A retry: a failure to even start is for good (the URL was taken once already). */
static void connect_now(struct jcolibri *c)
{
	int rc = start(c);
	if (rc < 0)
		lost(c, rc, "cannot connect again", false);
}

int jcolibri_create(GMainContext *main, struct ws_ctx *ws, const char *url,
		    const struct jcolibri_params *p, const struct jcolibri_cbs *cbs, void *user,
		    struct jcolibri **out)
{
	*out = NULL;
	if (!main || !ws || !params_ok(p) || !cbs || jcolibri_url_check(url) < 0)
		return -EINVAL;
	struct jcolibri *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->main = main;
	c->ws = ws;
	memcpy(c->url, url, strlen(url) + 1);
	c->p = *p;
	c->cbs = *cbs;
	c->user = user;
	c->backoff_ms = JCOLIBRI_RETRY_MIN_MS;
	int rc = start(c);
	if (rc < 0) {
		free_channel(c);
		return rc;
	}
	*out = c;
	return 0;
}

void jcolibri_destroy(struct jcolibri *c)
{
	if (!c || c->dead)
		return;
	loop_source_drop(&c->retry);
	if (c->conn)
		ws_close(c->conn);
	c->conn = NULL;
	c->open = false;
	if (c->in_cb) {
		c->dead = true; /* freed when the callback returns */
		return;
	}
	free_channel(c);
}

int jcolibri_set_stage(struct jcolibri *c, const char *endpoint, const char *source)
{
	char probe[OUT_MAX];
	if (!c || c->dead ||
	    (endpoint && jcolibri_constraints(&c->p, endpoint, source, probe, sizeof(probe)) < 0))
		return -EINVAL;
	snprintf(c->stage, sizeof(c->stage), "%s", endpoint ? endpoint : "");
	snprintf(c->source, sizeof(c->source), "%s", endpoint && source ? source : "");
	return send_constraints(c);
}

int jcolibri_set_last_n(struct jcolibri *c, int last_n)
{
	if (!c || c->dead || last_n < -1)
		return -EINVAL;
	c->p.last_n = last_n;
	return send_constraints(c);
}

bool jcolibri_is_open(const struct jcolibri *c)
{
	return c && c->open;
}

const char *jcolibri_server_version(const struct jcolibri *c)
{
	return c ? c->version : "";
}

unsigned jcolibri_invalid_count(const struct jcolibri *c)
{
	return c ? c->invalid : 0;
}
