/* The conference request to a Jitsi deployment's focus (jicofo), sent before the MUC join as
 * lib-jitsi-meet sends it (modules/xmpp/moderator.js): an iq set to hosts.focus with
 * <conference xmlns='http://jitsi.org/protocol/focus' room='ROOM@MUC' machine-uid=...> and
 * properties. The focus answers ready='true' once it is in the room (then we join), or
 * ready='false' (ask again: 1, 2, 4, ... s, at most JFOCUS_BACKOFF_MAX_MS), or an error.
 *
 * What we send: a machine-uid that is random per run (the web app keeps one per browser; we
 * store nothing), rtcstatsEnabled=false (we send no rtcstats), the session-id the focus gave
 * (in memory only), the token if one was given. We do NOT announce visitors support
 * (visitors-version): jicofo then never redirects us to a visitor node; a vnode answer is
 * refused with a clear message all the same.
 *
 * Answers (jfocus_parse) and what they mean (enum jfocus_kind). Everything in an answer is
 * the server's: bounded, the focus JID checked against a JID charset, texts sanitized.
 * The driver (jfocus_create .. jfocus_destroy) sends the request, matches the answer by id,
 * retries, bounds each wait (answer_ms) and reports through callbacks.
 * Thread: the loop's.
 */
#ifndef TTM_SRC_JITSI_FOCUS_H
#define TTM_SRC_JITSI_FOCUS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/jitsi/xml.h"

#define JFOCUS_NS "http://jitsi.org/protocol/focus"
#define JFOCUS_JID_MAX 320          /* the focus JID we keep (jicofo: focus@auth.DOMAIN) */
#define JFOCUS_SESSION_MAX 128
#define JFOCUS_TOKEN_MAX 4096
#define JFOCUS_BACKOFF_MAX_MS 30000u /* not ready: retries at 1, 2, 4, ... s, then this */
#define JFOCUS_HOST_WAIT_MS 5000u   /* waiting for a moderator: every 5 s, as jitsi-meet */
#define JFOCUS_INVALID_MAX 5        /* session-invalid answers in a row before giving up */

enum jfocus_kind {
	JFOCUS_READY,     /* ready='true': join the room */
	JFOCUS_NOT_READY, /* ready='false': ask again later */
	JFOCUS_NOT_LIVE,  /* property live='false': the meeting has not started; ask again */
	JFOCUS_REDIRECT,  /* ready with vnode: a visitor node (we do not follow) */
	JFOCUS_AUTH,      /* error not-authorized: only a logged-in user may start the meeting */
	JFOCUS_SESSION_INVALID, /* not-acceptable / session-invalid: forget the session-id */
	JFOCUS_ABSENT,    /* the XMPP server says no focus is there (no such host, component
			   * not connected, ...) */
	JFOCUS_REFUSED,   /* the focus refuses us (forbidden, reservation error, ...): exit 4 */
	JFOCUS_FAILED,    /* any other error, or an answer we cannot use: exit 3 */
};

struct jfocus_answer {
	enum jfocus_kind kind;
	bool auth_enabled;                 /* property authentication='true' */
	char focusjid[JFOCUS_JID_MAX];     /* bare JID of the focus user, "" if none/invalid */
	char vnode[64];                    /* sanitized */
	char session_id[JFOCUS_SESSION_MAX]; /* checked charset, "" if none */
	char cond[48];                     /* error condition, sanitized */
	char text[256];                    /* error text or reservation message, sanitized */
};

struct jfocus_req {
	const char *focus;       /* hosts.focus: the request's 'to' */
	const char *room_jid;    /* ROOM@MUC */
	const char *machine_uid; /* 32 hex digits */
	const char *session_id;  /* NULL: none */
	const char *token;       /* NULL: none */
	bool logged_in;          /* we logged in as a user (not anonymously) */
};

/* Writes the request iq (id given) to out. 0, -EINVAL (a field too long), -ENOSPC. */
int jfocus_request(char *out, size_t outlen, const char *id, const struct jfocus_req *r);
/* Reads an answer iq (type result or error) into a; the caller matched its id. 0. */
int jfocus_parse(const struct xml_node *iq, struct jfocus_answer *a);
/* The wait before the n-th retry (n >= 1) after a not-ready answer. */
unsigned jfocus_backoff_ms(unsigned n);
/* True when full (an occupant's real JID) is the focus user focusjid's: "focusjid/...". */
bool jfocus_is_focus_jid(const char *focusjid, const char *full);

/* ---- the driver ---- */

struct jfocus;

struct jfocus_cbs {
	/* One stanza to the server: 0, or an error (the driver then stops; the stream said so). */
	int (*send)(void *user, const char *stanza);
	/* The focus is in the room: join it (a->focusjid names the focus). */
	void (*ready)(void *user, const struct jfocus_answer *a);
	/* We wait (kind: "focus" not ready, "host" no moderator yet, "live" not started); said
	 * once per kind until ready. */
	void (*waiting)(void *user, const char *kind, const char *msg);
	/* The request failed for good: code (TTM_EXIT_*) and one line. absent: the server says
	 * there is no focus at all (the caller decides whether to join without one). */
	void (*failed)(void *user, int code, bool absent, const char *msg);
};

/* r's strings are copied. answer_ms: how long one answer may take. */
int jfocus_create(GMainContext *main, const struct jfocus_req *r, unsigned answer_ms,
		  const struct jfocus_cbs *cb, void *user, struct jfocus **out);
void jfocus_destroy(struct jfocus *f);
/* Sends the first request. 0 or the send error. */
int jfocus_start(struct jfocus *f);
/* An iq result/error from the server: true if it was the answer to our request (handled). */
bool jfocus_stanza(struct jfocus *f, const struct xml_node *iq);

#endif
