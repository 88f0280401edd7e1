/* Jingle, as Jitsi Meet speaks it, translated to and from the SDP our PeerConnection speaks
 * (net/sdp.h): XEP-0166 sessions, XEP-0167 RTP descriptions (payload types, parameters,
 * rtcp-fb, rtp-hdrext, rtcp-mux), XEP-0176 ICE-UDP transports, XEP-0320 DTLS fingerprints,
 * XEP-0338 BUNDLE groups, XEP-0339 sources and source groups, and Jitsi's <ssrc-info owner>.
 *
 * Data flow: the focus's (or a peer's) session-initiate → jingle_to_sdp() → SDP offer text
 * for the PeerConnection, which parses and answers it; our answer, parsed (sdp_parse), →
 * jingle_write_accept() → the <jingle action='session-accept'> we send. Candidates trickle
 * both ways in transport-info: jingle_candidate_to_sdp() / jingle_write_transport_info().
 * jingle_sources() lists the sources of a session-initiate or source-add/-remove with their
 * owners (the roster's people), which the media engine maps SSRCs by, whether they come as XML
 * <source> elements or as Jitsi's compact JSON (<json-message>, "json-encoded-sources").
 * jingle_write_terminate() ends a session; jingle_write_error() writes the error answer to a
 * Jingle iq we do not take, as XEP-0166 gives it (the table: enum jingle_error).
 *
 * Everything in a <jingle> element is the remote party's (untrusted): every value that goes
 * into SDP is checked to be a token of bounded length (no blanks, no line breaks) or a bounded
 * number, and the SDP made is then parsed again by the PeerConnection like any other. Content
 * names become mids (at most SDP_MID_LEN characters). What cannot be translated is refused
 * with one line in err, never half written. JSON-encoded sources are bounded the same way
 * (jingle_sources). They are reported, not written into the SDP: the PeerConnection takes
 * streams of any SSRC. Pure code, any thread.
 */
#ifndef TTM_SRC_JITSI_JINGLE_H
#define TTM_SRC_JITSI_JINGLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/sdp.h"
#include "src/jitsi/xml.h"

#define NS_JINGLE "urn:xmpp:jingle:1"
#define JINGLE_OWNER_MAX 320 /* an occupant JID: room@muc/nick */
#define JINGLE_SOURCE_NAME_MAX 64
#define JINGLE_MSID_MAX 200         /* "<stream id> <track id>" */
#define JINGLE_JSON_MAX 65536       /* bytes of one <json-message> */
#define JINGLE_JSON_MESSAGES_MAX 4  /* <json-message> elements in one <jingle> */
#define JINGLE_JSON_SOURCES_MAX 4096 /* sources in them, all owners together */
#define JINGLE_TEXT_MAX 256         /* bytes of a session-terminate's <text> */

enum jingle_action {
	JINGLE_OTHER, /* an action neither XEP-0166 nor Jitsi defines (or none): bad-request */
	JINGLE_SESSION_INITIATE,
	JINGLE_SESSION_ACCEPT,
	JINGLE_SESSION_TERMINATE,
	JINGLE_SESSION_INFO,
	JINGLE_TRANSPORT_INFO,
	JINGLE_SOURCE_ADD,     /* Jitsi's, not XEP-0166's */
	JINGLE_SOURCE_REMOVE,  /* Jitsi's, not XEP-0166's */
	JINGLE_CONTENT_MODIFY,
	JINGLE_TRANSPORT_REPLACE,
	JINGLE_DESCRIPTION_INFO,
	/* the other actions XEP-0166 §7.2 defines, none of which we take: content-accept,
	 * content-add, content-reject, content-remove, security-info, transport-accept,
	 * transport-reject */
	JINGLE_UNSUPPORTED,
};

/* How to answer a Jingle iq-set we do not take with a result (XEP-0166 v1.1.2 §6.3 "Responder
 * Response", §6.7 "Termination", §6.8 "Informational Messages", §7.2 "Action Attribute",
 * §10 "Error Handling"; error types as RFC 6120 §8.3.3 and the XEP's examples give them):
 *
 *   condition                                           kind: <error type> stanza condition
 *                                                             + Jingle condition
 *   malformed: no sid, a content, candidate or JSON     BAD_REQUEST: modify bad-request
 *     we cannot read, an offer we cannot translate
 *   an action neither XEP-0166 nor Jitsi defines         BAD_REQUEST (§7.2 says so)
 *     (JINGLE_OTHER)
 *   a sid we do not know, or of a session we ended      UNKNOWN_SESSION: cancel item-not-found
 *     (§6.7), or of a session with someone else           + unknown-session
 *   an action that cannot come now: session-initiate    OUT_OF_ORDER: wait unexpected-request
 *     or session-accept for a session we already answer   + out-of-order
 *   a session-initiate crossing ours, ours winning      TIE_BREAK: cancel conflict + tie-break
 *     (§7.2.10: the lower sid wins)
 *   session-info or description-info with a payload we   UNSUPPORTED_INFO: modify
 *     do not understand (an empty session-info is a        feature-not-implemented
 *     ping: answered with a result, §6.8)                  + unsupported-info
 *   an action XEP-0166 defines that we do not take       NOT_IMPLEMENTED: cancel
 *     (JINGLE_UNSUPPORTED, transport-replace)               feature-not-implemented
 *   our own failure (no memory, ...)                     INTERNAL: wait internal-server-error
 *
 * Not error answers: a session-initiate that is well formed but that we cannot or will not take
 * is acknowledged with a result and then ended with session-terminate (§6.3.2):
 * 'incompatible-parameters' when it offers no Opus audio (jsession_create's -EPROTO),
 * 'decline' for a peer-to-peer offer we refuse (--no-p2p). */
enum jingle_error {
	JINGLE_ERR_BAD_REQUEST,
	JINGLE_ERR_UNKNOWN_SESSION,
	JINGLE_ERR_OUT_OF_ORDER,
	JINGLE_ERR_TIE_BREAK,
	JINGLE_ERR_UNSUPPORTED_INFO,
	JINGLE_ERR_NOT_IMPLEMENTED,
	JINGLE_ERR_INTERNAL,
};

/* The kind for an error code as jsession_handle and jsession_create return them: -EINVAL
 * BAD_REQUEST, -ENOENT UNKNOWN_SESSION, -EALREADY OUT_OF_ORDER, -EBUSY TIE_BREAK, -ENOMSG
 * UNSUPPORTED_INFO, -ENOTSUP NOT_IMPLEMENTED, any other INTERNAL. (Not for -EPROTO from
 * jsession_create: see above.) */
enum jingle_error jingle_error_of(int rc);

/* Writes the <error> child of the iq type='error' that answers with kind, e.g. <error
 * type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><unknown-session
 * xmlns='urn:xmpp:jingle:errors:1'/></error>. Returns the length, -EINVAL (not a kind) or
 * -ENOSPC (out then ""). */
int jingle_write_error(enum jingle_error kind, char *out, size_t cap);

/* True if s is 1..max printable ASCII characters without blanks: what a remote value must be
 * to go into an SDP line as a token (and what ids, JIDs and names are checked against). */
bool jingle_token_ok(const char *s, size_t max);

/* The action of a <jingle> element (NULL or another element: JINGLE_OTHER). */
enum jingle_action jingle_action_of(const struct xml_node *jingle);

/* Writes the SDP a <jingle> element's contents describe, seen from the side that sent it: the
 * initiator's for a session-initiate (the offer) and anything else, the responder's for a
 * session-accept (the answer: senders='initiator' is its recvonly): one m-line per content in
 * order, mid = content name, with the
 * BUNDLE group, ICE credentials, fingerprint and setup, direction from `senders`, codecs,
 * header extensions, sources and candidates. Returns the length (out NUL-terminated), -EINVAL
 * with one line in err (not translatable), or -ENOSPC. */
int jingle_to_sdp(const struct xml_node *jingle, char *out, size_t cap, char *err,
		  size_t errlen);

struct jingle_source {
	uint32_t ssrc;
	enum sdp_kind kind;                    /* XML: the content's description media; JSON: the
						  list it is in (audio or video) */
	/* Who sends it: XML <ssrc-info owner>, JSON the key it is under; "" if none. Either an
	 * occupant JID (room@muc/nick) or a bare endpoint id (the nick, or "jvb" for the
	 * bridge's own): jingle_owner_endpoint gives the endpoint id of either. */
	char owner[JINGLE_OWNER_MAX];
	char name[JINGLE_SOURCE_NAME_MAX];     /* its name ("<endpoint>-a0"), "" if none */
	char msid[JINGLE_MSID_MAX];            /* its msid parameter, "" if none */
};

/* The endpoint id (the MUC nick) of a source's owner, as lib-jitsi-meet reads it
 * (JingleSessionPC.ts getEndpointId): the resource of an occupant JID, what follows its first
 * '/'; an owner without one (or with an empty one) is the endpoint id itself. A pointer into
 * owner ("" for NULL). */
const char *jingle_owner_endpoint(const char *owner);

/* Calls fn for every source of a session-initiate, source-add or source-remove: the XML
 * <source> elements in every content's description, then the JSON-encoded ones of every
 * <json-message xmlns='http://jitsi.org/jitmeet'> child of <jingle> (the format and where it is
 * documented: jingle.c). Sources with a bad ssrc are skipped; an owner, name or msid that is not
 * a bounded token is left "". fn may be NULL: only checks and counts. Returns how many sources
 * fn got (or would have got), or, reporting nothing at all: -EINVAL
 * (a json-message that is not JSON or not of the documented shape: answer bad-request), -E2BIG
 * (over JINGLE_JSON_MAX, JINGLE_JSON_MESSAGES_MAX or JINGLE_JSON_SOURCES_MAX). */
int jingle_sources(const struct xml_node *jingle,
		   void (*fn)(void *user, const struct jingle_source *src), void *user);

/* The candidate attribute value (without "candidate:") of a Jingle <candidate>, checked as
 * the SDP parser checks one (sdp_candidate_parse). Returns the length, -EINVAL or -ENOSPC. */
int jingle_candidate_to_sdp(const struct xml_node *cand, char *out, size_t cap);

struct jingle_accept {
	bool initiate;         /* write our offer as a session-initiate instead (peer-to-peer) */
	const char *sid, *initiator, *responder; /* as the session-initiate gave them; ours */
	const char *owner;     /* our occupant JID for <ssrc-info owner>; NULL: none */
	const char *endpoint;  /* source names "<endpoint>-a0", "-v0"; NULL: no names */
};

/* Writes the <jingle action='session-accept'> element for our answer (parsed): the accepted
 * m-lines (port != 0) as contents named by their mids, created by the responder, `senders`
 * from our direction, with our sources, transport, fingerprint and candidates. With
 * o->initiate, the same for our offer as a session-initiate (creator initiator, no
 * responder). Returns the length, -EINVAL (without ICE credentials or fingerprint, or no
 * accepted m-line) or -ENOSPC. */
int jingle_write_accept(const struct sdp_session *answer, const struct jingle_accept *o,
			char *out, size_t cap);

/* Writes a <jingle action='transport-info'> with one candidate (a candidate attribute value,
 * with or without "candidate:") for the content `content`, under our ICE credentials.
 * Returns the length, -EINVAL (a candidate we cannot parse) or -ENOSPC. */
int jingle_write_transport_info(const char *sid, const char *initiator, const char *content,
				const char *ufrag, const char *pwd, const char *cand,
				char *out, size_t cap);

/* Writes a <jingle action='session-terminate' sid=...> with <reason><reason/></reason> and, if
 * text is not NULL, <text>text</text> (escaped). reason is one of XEP-0166 §7.4's conditions
 * that need no child: busy, cancel, connectivity-error, decline, expired, failed-application,
 * failed-transport, general-error, gone, incompatible-parameters, media-error, security-error,
 * success, timeout, unsupported-applications, unsupported-transports. Returns the length,
 * -EINVAL (no sid, another reason, a text that is not 1..JINGLE_TEXT_MAX bytes of UTF-8
 * without control characters) or -ENOSPC; out holds "" on failure. */
int jingle_write_terminate(const char *sid, const char *reason, const char *text, char *out,
			   size_t cap);
/* The reason a <jingle> gives (a session-terminate's, as a static string safe to show): the
 * first child of <reason> that is one of XEP-0166 §7.4's conditions (alternative-session
 * too), "general-error" if <reason> holds none, NULL if there is no <reason>. */
const char *jingle_reason_of(const struct xml_node *jingle);

#endif
