/* The world of unit_core_jitsi_call and unit_core_jitsi_p2prule (src/jitsi/call.c): what a
 * call did, logged in order by its callbacks; offering PeerConnections on loopback playing the
 * focus and peers, whose session-initiate the call is fed; the call made and unmade. Header
 * only (as pump.h). */
#ifndef TTM_TESTS_JCALL_WORLD_H
#define TTM_TESTS_JCALL_WORLD_H

#include <glib.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/dtls.h"
#include "net/peer.h"
#include "net/sdp.h"
#include "net/ws.h"
#include "src/jitsi/call.h"
#include "src/jitsi/jingle.h"
#include "src/jitsi/xml.h"
#include "tests/unit/pump.h"

#define ROOM "room@conference.localhost"
#define NS_ICE "urn:xmpp:jingle:transports:ice-udp:1"

/* What the call did, in order: "answer:<result|error text>", "iq:<to> <jingle>", "notice:...",
 * "audio:up how" / "audio:down why". */
struct world {
	GMainContext *ctx;
	char *log[128];
	unsigned n;
	struct dtls_cert *cert;
	struct peer_config pc;
	unsigned p2p_answer_ms; /* the call's cfg (0: its default) */
};

static inline void logf_(struct world *w, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static inline void logf_(struct world *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (w->n < 128)
		w->log[w->n++] = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

static inline int send_iq(void *user, const char *to, const char *jingle)
{
	logf_(user, "iq:%s %s", to, jingle);
	return 0;
}

static inline void answer(void *user, const struct xml_node *iq, const char *error)
{
	logf_(user, "answer:%s %s", xml_attr(iq, "id"), error ? error : "result");
}

static inline enum jcall_who who(void *user, const char *nick, uint64_t *id)
{
	(void)user;
	if (!strcmp(nick, "focus"))
		return JCALL_FOCUS;
	if (!strcmp(nick, "alice") || !strcmp(nick, "bert") || !strcmp(nick, "zoe")) {
		*id = nick[0] == 'a' ? 1 : nick[0] == 'b' ? 2 : 3;
		return JCALL_OCCUPANT;
	}
	return JCALL_NOBODY;
}

static inline const char *name(void *user, uint64_t id)
{
	(void)user;
	return id == 1 ? "Alice" : id == 2 ? "Bert" : id == 3 ? "Zoe" : NULL;
}

static inline void talking(void *user, uint64_t id, bool on)
{
	(void)user;
	(void)id;
	(void)on;
}

static inline void audio(void *user, bool up, gint64 t_ice, gint64 t_dtls, const char *how)
{
	(void)t_ice;
	(void)t_dtls;
	logf_(user, "audio:%s %s", up ? "up" : "down", how);
}

static inline void notice(void *user, const char *msg)
{
	logf_(user, "notice:%s", msg);
}

static inline void dominant(void *user, uint64_t id)
{
	logf_(user, "dominant:%" PRIu64, id);
}

/* Index of the first log entry from `from` on that starts with prefix and contains needle
 * (NULL: any), or -1. */
static inline int find(const struct world *w, unsigned from, const char *prefix, const char *needle)
{
	for (unsigned i = from; i < w->n; i++)
		if (!strncmp(w->log[i], prefix, strlen(prefix)) &&
		    (!needle || strstr(w->log[i], needle)))
			return (int)i;
	return -1;
}

static inline struct xml_doc *parse(const char *xml)
{
	char err[200];
	struct xml_doc *d;
	if (xml_parse(xml, strlen(xml), &d, err, sizeof(err)) < 0)
		fail_msg("XML: %s\n%s", err, xml);
	return d;
}

/* Feeds the call an iq set from `from` carrying jingle; returns what jcall_iq said. */
static inline bool feed(struct jcall *c, const char *id, const char *from, const char *jingle)
{
	char *iq = g_strdup_printf("<iq xmlns='jabber:client' type='set' id='%s' from='%s' "
				   "to='me@localhost/r1'>%s</iq>", id, from, jingle);
	struct xml_doc *d = parse(iq);
	bool taken = jcall_iq(c, xml_root(d));
	xml_free(d);
	g_free(iq);
	return taken;
}

/* The other side of a session: an offering PeerConnection whose offer is a session-initiate. */
struct remote {
	struct peer *p;
	bool up;
	char jingle[65536];
	const char *jid;
	const char *owner; /* its sources' ssrc-info owner (NULL: jid) */
};

static inline void remote_state(void *user, enum peer_state st, int err, const char *reason)
{
	struct remote *r = user;
	(void)err;
	(void)reason;
	if (st == PEER_CONNECTED)
		r->up = true;
}

static inline bool gathered(void *arg)
{
	return peer_gathering_done(arg);
}

/* endpoint: names the offer's sources "<endpoint>-a0" (NULL: no names, as 2021's jicofo) */
static inline void remote_start_named(struct world *w, struct remote *r, const char *jid,
			       const char *sid, uint32_t ssrc, const char *endpoint)
{
	struct peer_config pc = w->pc;
	pc.offerer = true;
	struct peer_callbacks cb = { .state_cb = remote_state, .user = r };
	r->jid = jid;
	assert_int_equal(peer_create(w->ctx, &pc, &cb, &r->p), 0);
	assert_true(pump(w->ctx, gathered, r->p, 5000));
	struct sdp_local l;
	peer_sdp_local(r->p, &l);
	static char sdp[16384];
	struct sdp_audio_offer ao = { .local = l, .mid = "0", .dir = SDP_DIR_SENDRECV,
				      .ssrc = ssrc, .cname = "remote" };
	int n = sdp_write_audio_offer(sdp, sizeof(sdp), &ao);
	struct sdp_session *offer;
	assert_int_equal(sdp_session_create(&offer), 0);
	assert_int_equal(sdp_parse(sdp, (size_t)n, offer), 0);
	struct jingle_accept ji = { .initiate = true, .sid = sid, .initiator = jid,
				    .owner = r->owner ? r->owner : jid, .endpoint = endpoint };
	assert_true(jingle_write_accept(offer, &ji, r->jingle, sizeof(r->jingle)) > 0);
	sdp_session_destroy(offer);
}

static inline void remote_start(struct world *w, struct remote *r, const char *jid, const char *sid,
			 uint32_t ssrc)
{
	remote_start_named(w, r, jid, sid, ssrc, NULL);
}

/* Applies to r every session-accept and transport-info the call sent r from log index i. */
static inline unsigned remote_take(struct world *w, struct remote *r, unsigned i)
{
	size_t tl = strlen(r->jid);
	for (; i < w->n; i++) {
		const char *e = w->log[i];
		if (strncmp(e, "iq:", 3) || strncmp(e + 3, r->jid, tl) || e[3 + tl] != ' ')
			continue;
		struct xml_doc *d = parse(e + 4 + tl);
		const struct xml_node *j = xml_root(d);
		if (jingle_action_of(j) == JINGLE_SESSION_ACCEPT) {
			static char sdp[65536];
			char err[200];
			int n = jingle_to_sdp(j, sdp, sizeof(sdp), err, sizeof(err));
			struct sdp_session *ans;
			assert_true(n > 0);
			assert_int_equal(sdp_session_create(&ans), 0);
			assert_int_equal(sdp_parse(sdp, (size_t)n, ans), 0);
			assert_int_equal(peer_set_remote(r->p, ans, 0), 0);
			sdp_session_destroy(ans);
		} else if (jingle_action_of(j) == JINGLE_TRANSPORT_INFO) {
			const struct xml_node *t = xml_child(xml_child(j, NS_JINGLE, "content"),
							     NS_ICE, "transport");
			char line[300] = "candidate:";
			if (t && t->child &&
			    jingle_candidate_to_sdp(t->child, line + 10, sizeof(line) - 10) > 0)
				peer_add_remote_candidate(r->p, line);
		}
		xml_free(d);
	}
	return i;
}

struct wait_up {
	struct world *w;
	struct remote *r;
	unsigned seen;
	int audio_from;
	const char *needle;
};

static inline bool up_and_said(void *arg)
{
	struct wait_up *u = arg;
	u->seen = remote_take(u->w, u->r, u->seen);
	return u->r->up && find(u->w, (unsigned)u->audio_from, u->needle, NULL) >= 0;
}

/* ws: the bridge channel's context (NULL: none); video: take video (lastN 1, else 0) */
static inline struct jcall *make_ws(struct world *w, bool no_p2p, struct ws_ctx *ws, bool video)
{
	static const char *const lo[] = { "127.0.0.1", NULL };
	if (!w->ctx) /* a test with a WebSocket context made it first */
		w->ctx = g_main_context_new();
	if (!w->cert) /* a second call of the same test keeps it */
		assert_int_equal(dtls_cert_create(&w->cert), 0);
	w->pc = (struct peer_config){ .cert = w->cert, .local_addrs = lo,
				      .connect_timeout_ms = 8000 };
	struct jcall_config cc = { .main = w->ctx, .peer = &w->pc, .room = ROOM,
				   .self = "me@localhost/r1", .nick = "d00d", .no_p2p = no_p2p,
				   .ws = ws, .video = video, .back_to_p2p_ms = 300,
				   .p2p_answer_ms = w->p2p_answer_ms };
	struct jcall_cbs cb = { .send_iq = send_iq, .answer = answer, .who = who, .name = name,
				.talking = talking, .audio = audio, .notice = notice, .user = w,
				.dominant = dominant };
	struct jcall *c;
	assert_int_equal(jcall_create(&cc, &cb, &c), 0);
	return c;
}

static inline struct jcall *make(struct world *w, bool no_p2p)
{
	return make_ws(w, no_p2p, NULL, false);
}

static inline void unmake(struct world *w, struct jcall *c, struct remote *r, size_t nr)
{
	jcall_destroy(c, false);
	for (size_t i = 0; i < nr; i++)
		peer_destroy(r[i].p);
	while (g_main_context_iteration(w->ctx, FALSE))
		;
	dtls_cert_destroy(w->cert);
	g_main_context_unref(w->ctx);
	for (unsigned i = 0; i < w->n; i++)
		g_free(w->log[i]);
}

struct wait_log {
	struct world *w;
	unsigned from;
	const char *entry;
};

static inline bool logged(void *arg)
{
	struct wait_log *l = arg;
	for (unsigned i = l->from; i < l->w->n; i++)
		if (!strcmp(l->w->log[i], l->entry))
			return true;
	return false;
}

static inline unsigned count(const struct world *w, const char *prefix, const char *needle)
{
	unsigned k = 0;
	for (int i = 0; (i = find(w, (unsigned)i, prefix, needle)) >= 0; i++)
		k++;
	return k;
}

/* The jingle element of log entry i, an iq the call sent (parsed; free with xml_free). */
static inline struct xml_doc *sent_jingle(const struct world *w, int i)
{
	assert_true(i >= 0);
	return parse(strchr(w->log[i], ' ') + 1);
}

#endif
