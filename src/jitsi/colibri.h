/* The bridge channel of a Jitsi meeting (colibri-ws): a WebSocket from us to the
 * videobridge, JSON messages both ways (issue 15).
 *
 * Where the URL comes from: the focus's session-initiate carries it in every content's
 * ICE-UDP transport as <web-socket xmlns='http://jitsi.org/protocol/colibri'
 * url='wss://HOST/colibri-ws/SERVER/CONFERENCE/ENDPOINT?pwd=ICEPWD'/> (jicofo clones one
 * transport into every content; lib-jitsi-meet JitsiConference.ts _setBridgeChannel takes the
 * first). jcolibri_url_from_jingle finds and checks it. The URL is the focus's (untrusted):
 * only ws:// or wss://, printable ASCII, under JCOLIBRI_URL_MAX bytes, with a host and a
 * path net/ws.c can take. Its query holds the ICE password: never show the URL.
 *
 * What we send (ReceiverVideoConstraints, the bridge's bandwidth allocation settings), on
 * every open and on every change: lastN (how many videos), the on-stage participant and a
 * maxHeight for everyone (the preview needs ~180 p). Two namings exist, chosen by the caller:
 *  - JCOLIBRI_SOURCES (bridges since 2022, the only one since 2024): onStageSources and
 *    constraints keyed by video source name ("<endpoint>-v0" unless the caller knows the
 *    name from the offer's <source name=...>);
 *  - JCOLIBRI_ENDPOINTS (2021 bridges, before source names): onStageEndpoints and
 *    constraints keyed by endpoint id.
 * A bridge drops (logs and ignores) a message with fields it does not know, so one naming
 * must be picked. From March 2022 to January 2024 jicofo told the bridge to read the source
 * fields only for clients that advertise the feature http://jitsi.org/source-name (jicofo
 * Features.kt, removed in 716af90e4); since then always. So: advertise that feature (our
 * sources are named "<endpoint>-a0"/"-v0" already) and use JCOLIBRI_SOURCES when the offer's
 * <source> elements carry name attributes, JCOLIBRI_ENDPOINTS when they carry none (2021).
 *
 * What we take (everything bounded, JSON checked, ids printable ASCII without blanks and
 * under JCOLIBRI_ID_MAX): DominantSpeakerEndpointChangeEvent (-> cbs->dominant),
 * EndpointConnectivityStatusChangeEvent (-> cbs->connectivity), ForwardedSources (2022+) and
 * LastNEndpointsChangeEvent (2021) (-> cbs->forwarded), ServerHello (version kept).
 * EndpointMessage (other participants' data relayed by the bridge) and every other class are
 * ignored; a malformed message is counted and ignored, never fatal.
 *
 * Losing the channel never ends anything: cbs->closed says so and the channel reconnects
 * after 1, 2, 4, ... s (at most JCOLIBRI_RETRY_MAX_MS, as lib-jitsi-meet's BridgeChannel)
 * until destroyed. Thread: the loop's; callbacks come from the loop, never from inside a
 * call to this module, and may destroy the channel.
 */
#ifndef TTM_SRC_JITSI_COLIBRI_H
#define TTM_SRC_JITSI_COLIBRI_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/jitsi/xml.h"

struct ws_ctx;

#define JCOLIBRI_NS "http://jitsi.org/protocol/colibri"
#define JCOLIBRI_URL_MAX 512        /* bytes with the NUL (net/ws.c's bound) */
#define JCOLIBRI_ID_MAX 128         /* an endpoint id or source name, with the NUL */
#define JCOLIBRI_MSG_MAX (64u << 10) /* the largest message we read (bigger: ignored) */
#define JCOLIBRI_LIST_MAX 64        /* forwarded ids reported per message (more: cut) */
#define JCOLIBRI_RETRY_MIN_MS 1000u
#define JCOLIBRI_RETRY_MAX_MS 60000u
#define JCOLIBRI_HEIGHT_MAX 2160    /* the largest maxHeight we ask for */

enum jcolibri_naming {
	JCOLIBRI_SOURCES,   /* onStageSources, constraints by source name (2022+) */
	JCOLIBRI_ENDPOINTS, /* onStageEndpoints, constraints by endpoint id (2021) */
};

struct jcolibri_params {
	int last_n;        /* videos wanted: -1 all, 0 none, else at most that many */
	int max_height;    /* maxHeight for every video (0..JCOLIBRI_HEIGHT_MAX) */
	enum jcolibri_naming naming;
	bool insecure;     /* wss: skip certificate checks (--insecure) */
};

/* ---- messages (pure; for the driver, tests and fuzzing) ---- */

enum jcolibri_kind {
	JCOLIBRI_MSG_INVALID,      /* not JSON, not an object, no colibriClass, bad fields */
	JCOLIBRI_MSG_OTHER,        /* a class we ignore */
	JCOLIBRI_MSG_HELLO,        /* ServerHello */
	JCOLIBRI_MSG_DOMINANT,     /* DominantSpeakerEndpointChangeEvent */
	JCOLIBRI_MSG_CONNECTIVITY, /* EndpointConnectivityStatusChangeEvent */
	JCOLIBRI_MSG_FORWARDED,    /* ForwardedSources or LastNEndpointsChangeEvent */
	JCOLIBRI_MSG_ENDPOINT,     /* EndpointMessage: ignored */
};

struct jcolibri_msg {
	enum jcolibri_kind kind;
	char id[JCOLIBRI_ID_MAX];      /* DOMINANT, CONNECTIVITY: the endpoint; HELLO: version
					* ("" if none or unusable) */
	bool silence;                  /* DOMINANT: the bridge says nobody speaks */
	bool active;                   /* CONNECTIVITY */
	bool by_source;                /* FORWARDED: ids are source names (else endpoints) */
	bool truncated;                /* FORWARDED: more than JCOLIBRI_LIST_MAX, cut */
	size_t n_ids;
	char ids[JCOLIBRI_LIST_MAX][JCOLIBRI_ID_MAX]; /* FORWARDED */
};

/* True if s is an id we take from or send to the bridge: 1..JCOLIBRI_ID_MAX-1 printable
 * ASCII characters without blanks. */
bool jcolibri_id_ok(const char *s);
/* Checks a bridge channel URL (see above): 0, or -EINVAL. */
int jcolibri_url_check(const char *url);
/* The first usable colibri-ws URL of a <jingle> element (content > transport > web-socket):
 * 0 and out, -ENOENT (none: the bridge offers no WebSocket), -EINVAL (only unusable ones),
 * -ENOSPC (outlen too small). */
int jcolibri_url_from_jingle(const struct xml_node *jingle, char *out, size_t outlen);
/* Reads one message from the bridge (len bytes, need not be NUL-terminated) into m.
 * Returns m->kind. */
enum jcolibri_kind jcolibri_parse(const char *text, size_t len, struct jcolibri_msg *m);
/* Writes our ReceiverVideoConstraints (p, and stage: the endpoint on stage or NULL for none;
 * source: its video source name, NULL for "<stage>-v0") as one JSON text into out.
 * Returns the length, -EINVAL (a bad parameter or id) or -ENOSPC. */
int jcolibri_constraints(const struct jcolibri_params *p, const char *stage, const char *source,
			 char *out, size_t outlen);

/* ---- the channel ---- */

struct jcolibri;

struct jcolibri_cbs {
	/* The channel is open (again) and our constraints went out. May be NULL. */
	void (*open)(void *user);
	/* The loudest participant changed: endpoint is their occupant name (the MUC resource).
	 * silence: the bridge says nobody is speaking (2022+). */
	void (*dominant)(void *user, const char *endpoint, bool silence);
	/* The bridge lost (active false) or regained an endpoint's media. May be NULL. */
	void (*connectivity)(void *user, const char *endpoint, bool active);
	/* The videos the bridge now forwards to us: source names (by_source) or endpoint ids,
	 * the whole set each time (at most JCOLIBRI_LIST_MAX: a longer list is cut). May be
	 * NULL. */
	void (*forwarded)(void *user, const char *const *ids, size_t n, bool by_source);
	/* The channel failed or closed (err: negative errno, 0 closed by the bridge), why: one
	 * line without the URL; it is tried again in retry_ms (0: never again: the URL cannot
	 * be used with this build or context). Nothing else ends. */
	void (*closed)(void *user, int err, const char *why, unsigned retry_ms);
};

/* Opens the channel to url on ws (its loop; a wss:// URL needs a TLS context) with params p.
 * 0 and the channel, -EINVAL (bad URL or params), -EPROTONOSUPPORT (wss:// on a context
 * without TLS), -ENOMEM. cbs and user are kept; the URL is copied. */
int jcolibri_create(GMainContext *main, struct ws_ctx *ws, const char *url,
		    const struct jcolibri_params *p, const struct jcolibri_cbs *cbs, void *user,
		    struct jcolibri **out);
/* Closes the channel (a normal close frame when open); no callback afterwards. NULL: no-op. */
void jcolibri_destroy(struct jcolibri *c);
/* Puts endpoint on stage (NULL: nobody, the bridge picks by speech); source: its video
 * source name if known (NULL: "<endpoint>-v0"). Sent now if open, else on the next open.
 * 0, -EINVAL (bad id; nothing changes), or the send error (kept for the next open). */
int jcolibri_set_stage(struct jcolibri *c, const char *endpoint, const char *source);
/* Changes lastN (-1: all); sent like set_stage. 0, -EINVAL, or the send error. */
int jcolibri_set_last_n(struct jcolibri *c, int last_n);
/* True while the channel is open. */
bool jcolibri_is_open(const struct jcolibri *c);
/* The bridge's version from its ServerHello ("" if none yet or not said). */
const char *jcolibri_server_version(const struct jcolibri *c);
/* Messages from the bridge that were malformed (counted, ignored). */
unsigned jcolibri_invalid_count(const struct jcolibri *c);

#endif
