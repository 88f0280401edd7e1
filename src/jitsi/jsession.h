/* One Jingle media session of a Jitsi meeting (issue 15): the session-initiate of the focus
 * (the bridge) or of a peer (peer-to-peer) answered with one PeerConnection (BUNDLE, rtcp-mux)
 * that carries our Opus up and everyone's audio down; or a direct session we offer a peer
 * ourselves (jsession_offer), as Jitsi's clients do when it is their turn (src/jitsi/call.h).
 *
 * Data flow: the backend hands the session-initiate to jsession_create, which translates it
 * (src/jitsi/jingle.c), applies it to a new PeerConnection (net/peer.c, answerer: DTLS client
 * to an actpass offer), writes our answer (audio sendrecv with the media engine's SSRC, other
 * contents refused for now), and sends it back as session-accept through cbs->send_iq; our
 * later candidates go out as transport-info. While the session is active
 * (jsession_set_active), the media engine sends on the connection (media_attach) and takes
 * every received stream as a forwarded one, keyed by SSRC (media_attach_recv: jitter buffer,
 * decode of the loudest few, mix). Sources of the offer,
 * source-add and source-remove are reported with their owners (cbs->source) so the backend
 * can map SSRCs to people. transport-info adds remote candidates; session-terminate is
 * reported (cbs->ended) and the backend destroys the session; content-modify is acknowledged.
 *
 * Video: with cfg->video the answer takes the offer's video receive-only (VP8, or VP9) and
 * its pictures, decoded by src/vrecv.c (NACK, PLI, receiver reports on the same connection),
 * go to cbs->frame while the session is active; with cfg->vsend our video goes out on that
 * m-line too (our source in the session-accept, named <endpoint>-v0) while the session is
 * active and connected; with neither, video is answered inactive (a Jingle answer cannot
 * leave a content out). Everything in the stanzas is untrusted (see jingle.h). Not done yet:
 * renegotiation of codecs, simulcast (the bridge channel is src/jitsi/call.c's). Thread: the loop's.
 */
#ifndef TTM_SRC_JITSI_JSESSION_H
#define TTM_SRC_JITSI_JSESSION_H

#include <glib.h>
#include <stdbool.h>

#include "net/peer.h"
#include "src/video.h"
#include "src/vrecv.h"
#include "src/vsend.h"
#include "src/jitsi/jingle.h"
#include "src/jitsi/xml.h"

struct media;
struct jsession;

struct jsession_cbs {
	/* Sends an <iq type='set'> to `to` with the <jingle> element text inside; 0 or -errno. */
	int (*send_iq)(void *user, const char *to, const char *jingle);
	/* The media path is up (true) or has failed (false; why in words). */
	void (*media)(void *user, bool up, const char *why);
	/* A source of the session came (added) or went. */
	void (*source)(void *user, const struct jingle_source *src, bool added);
	/* The other side ended the session; reason is its Jingle reason (jingle_reason_of:
	 * one of XEP-0166's, "general-error" for one we do not know, "success" if none). */
	void (*ended)(void *user, const char *reason);
	/* A decoded video picture from the session's video stream (cfg->video), sent by ssrc;
	 * valid during the call. NULL: pictures are dropped. */
	void (*frame)(void *user, uint32_t ssrc, const struct video_image *img);
	/* When the bridge forwards several videos: true to show stream ssrc instead of the
	 * shown one (src/vrecv.h's prefer_cb, a strict order). NULL: never (the first one is
	 * followed until it stops). */
	bool (*video_prefer)(void *user, uint32_t ssrc, uint32_t shown);
	/* Our video (cfg->vsend) started going out on this session. NULL: not wanted. */
	void (*video_out)(void *user);
	void *user;
};

struct jsession_config {
	GMainContext *main;
	const struct peer_config *peer; /* ICE/DTLS settings (offerer is ignored) */
	struct media *media;            /* NULL: signaling only (tests) */
	const char *remote;             /* who offered: the JID the session-initiate came from
					 * (jsession_offer: whom we offer to) */
	const char *self;               /* our full JID: the responder */
	const char *owner;              /* our occupant JID, for <ssrc-info owner> */
	const char *endpoint;           /* our endpoint id (occupant nick): source names */
	const char *cname;
	bool video;                     /* receive the offer's video (VP8/VP9), not just audio */
	unsigned answer_ms;             /* jsession_offer: the session-accept awaited (0: 10 s) */
	struct vsend *vsend;            /* send our video with it (not owned; NULL: none) */
};

/* Takes a session-initiate: 0 and the session (its accept sent), or -EINVAL with one line in
 * err (an offer we cannot take, or whose JSON-encoded sources are refused: answer the iq with
 * bad-request), -EPROTO (no Opus audio), -ENOTSUP (cfg->peer has no DTLS certificate: a run
 * without media), -ENOMEM, or the transport's error. */
int jsession_create(const struct jsession_config *cfg, const struct jsession_cbs *cbs,
		    const struct xml_node *initiate, struct jsession **out, char *err,
		    size_t errlen);
/* Offers a direct session to cfg->remote (an occupant JID), as lib-jitsi-meet's initiator
 * does: a new PeerConnection (ICE-controlling, DTLS actpass) and our offer, sent as a
 * session-initiate with id sid through cbs->send_iq: contents "audio" (Opus sendrecv with the
 * media engine's SSRC, audio level and mid extensions) and "video" (VP8: sendrecv with
 * cfg->vsend and cfg->video, sendonly, recvonly, or inactive with neither), one BUNDLEd ICE-UDP
 * transport with our fingerprint (setup actpass) and candidates, our sources named and owned
 * (cfg->owner is also the initiator). Later candidates trickle as transport-info. The peer's
 * session-accept (jsession_handle) is its answer: applied, its sources reported, the media
 * negotiated from it; until then the session carries nothing even when active. No
 * session-accept within cfg->answer_ms, or one we cannot use: cbs->media(false). cfg->self is
 * unused.
 * 0 and the session, or -EINVAL (a sid, peer or owner that is not a token), -ENOMEM, the
 * transport's error, with one line in err. */
int jsession_offer(const struct jsession_config *cfg, const struct jsession_cbs *cbs,
		   const char *sid, struct jsession **out, char *err, size_t errlen);
/* Another action for this session: 0 (answer the iq with a result) or the error to answer with
 * (jingle_error_of, jingle_write_error; XEP-0166's conditions: jingle.h): -ENOENT another sid
 * (unknown-session), -EINVAL malformed (no sid; a source-add whose JSON-encoded sources are
 * not JSON; a session-accept of our offer we cannot use, also said as cbs->media(false)) or
 * an action no one defines (bad-request), -EALREADY a session-initiate for this session, a
 * session-accept of a session we answered or of an offer already accepted (out-of-order),
 * -ENOMSG a session-info or description-info
 * payload we do not understand (unsupported-info; an empty session-info is a ping: 0),
 * -ENOTSUP an action XEP-0166 defines that we do not take (feature-not-implemented). */
int jsession_handle(struct jsession *js, const struct xml_node *jingle);
const char *jsession_sid(const struct jsession *js);
/* The media engine (cfg->media) sends and receives on this session (on) or not. A new
 * session is inactive: of the bridge's session and a peer-to-peer one only one carries the
 * media (src/jitsi/call.c); packets that arrive on an inactive session are dropped. An offer
 * of ours carries the media once the peer accepted it. */
void jsession_set_active(struct jsession *js, bool on);
/* The connection is up (ICE and DTLS). */
bool jsession_is_up(const struct jsession *js);
/* Video counters of the session's receiver: 0, or -ENOENT (no video received). */
int jsession_video_stats(struct jsession *js, struct vrecv_stats *out);
/* The session's PeerConnection (its timings, path), NULL for NULL. */
struct peer *jsession_peer(const struct jsession *js);
/* Ends the session: with reason (a Jingle reason such as "success" or "decline", one that
 * jingle_write_terminate takes) a session-terminate is sent first; NULL sends nothing. No
 * callback afterwards. NULL is fine. */
void jsession_destroy(struct jsession *js, const char *reason);

#endif
