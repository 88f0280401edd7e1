/* The media of a Jitsi meeting: the Jingle sessions of one room (issue 15).
 *
 * A Jitsi room has up to two Jingle sessions with us: the focus's (media through the bridge)
 * and, with exactly one other person in the room, a direct one (peer-to-peer). Who offers the
 * direct one is lib-jitsi-meet's rule (JitsiConference._maybeStartOrStopP2P in the 2021 build
 * the lab runs), which we follow as its clients do: of the two, the one whose occupant name
 * (endpoint id) sorts first, compared as JavaScript compares strings (text_utf16_cmp), offers
 * it (jsession_offer) as soon as we are in the room with one other person, or 5 s
 * (lib-jitsi-meet's backToP2PDelay default; cfg->back_to_p2p_ms) after the room came back to
 * two because someone left, that wait cancelled if the room changes again; the other waits for
 * the offer. When anyone else joins, each side ends the direct session (session-terminate,
 * success), whoever offered it.
 * Who counts (JitsiConference._shouldBeInP2PMode, which counts getParticipants(): every
 * occupant ChatRoom.onPresence announced as a member): everyone jcall_occupant_joined names
 * (src/jitsi/backend.c names each occupant whose presence has a muc#user <item>, as
 * onPresence ignores one without), hidden occupants too (a recorder at the deployment's hiddenDomain is a participant there:
 * only getParticipantCount, which the rule does not use, leaves them out); not ourselves, not
 * the focus, not an occupant named "focus" (onMemberJoined skips that resource). With a bot
 * among them (<bot type='poltergeist'/> in its presence, or the feature
 * http://jitsi.org/protocol/jigasi in its <features>) there is no direct session, even of two;
 * a bot that stops being one (its presence drops <bot>) runs the rule again, as
 * _onMemberBotTypeChanged does.
 * An offer we take (_onIncomingCallP2P): with --no-p2p declined (session-terminate decline);
 * with a direct session already there (ours or one we took), refused busy (offers that cross:
 * ours stands, as we offer only when our name sorts first); when the room is not exactly us and
 * the offerer without a bot, declined (decline); else taken. A peer that does not want our offer
 * ends it (decline). If our offer gets no session-accept within 10 s, or the connection
 * fails, we end it (connectivity-error) and do not offer again until the room changes (as
 * lib-jitsi-meet). Not followed: its exceptions for browsers without P2P (ours is never one).
 * Both are src/jitsi/jsession.c sessions; only one carries the media engine
 * at a time: the peer-to-peer one once its connection is up, else the bridge's (Jitsi's own
 * clients switch the same way). When the peer ends the direct session (a third person came)
 * or it fails, the media goes back through the bridge; when it comes up, from the bridge to
 * it, each switch said to the user.
 *
 * jcall_iq takes every Jingle request the XMPP stream receives: only from our room, the focus
 * for the bridge session and a listed occupant for a direct one; anything else is refused
 * without saying more (service-unavailable). Requests are answered as XEP-0166 says
 * (src/jitsi/jingle.h lists the errors): a session-initiate we can take gets its result before
 * our session-accept; one we cannot read, bad-request; one we read but will not or cannot take
 * is acknowledged and ended with a session-terminate naming why (--no-p2p: decline).
 *
 * Sources of each session map SSRCs to occupants (their <ssrc-info owner>, or for a direct
 * session the peer itself), so the media engine's per-stream talking reaches the roster.
 *
 * The bridge channel (src/jitsi/colibri.h): when the focus's session-initiate names the
 * bridge's WebSocket (<web-socket> in its transport) and cfg->ws is set, the bridge session
 * opens it once its session-accept is out, asking for one video (lastN 1; 0 without
 * cfg->video, and 0 while the media goes peer-to-peer: the bridge session is idle then) at
 * most JCALL_CHANNEL_HEIGHT high, nobody on stage: the bridge then forwards the
 * video of whom it ranks first by speech, its dominant speaker, so the preview follows the
 * talker. Source names when the offer's sources carry names (every jicofo since 2022 names at
 * least the bridge's own "jvb-a0"), endpoint ids when none do (2021). It closes with the
 * bridge session (the focus ends it, replaces it by a new session-initiate, jcall_destroy).
 * Losing it ends nothing: colibri.c retries, and the first failure of each bridge session is
 * said once (cbs->notice).
 * What it gives: the bridge's dominant speaker, as a roster id (cbs->dominant,
 * jcall_dominant): the roster's main speaker (SESSION_EV_SPEAKER), the one whose video the
 * bridge forwards while nobody is on stage. It is not talking: talking stays the media
 * engine's per-stream audio levels (several people may talk; the dominant speaker is the one
 * the bridge shows). Without a channel the bridge forwards video by its own defaults (a
 * videobridge: everyone's), and everything else works the same.
 * Several videos on the bridge session's one video m-line (no channel, or while the bridge
 * switches): the preview shows one, never each in turn (src/vrecv.h, chosen by
 * src/jitsi/vpick.h): of those the bridge says it forwards (the channel's ForwardedSources or
 * LastNEndpointsChangeEvent), the stream of whom the user picked (jcall_show), else of the
 * dominant speaker, else of the first it names; a stream it says it no longer forwards gives
 * way at once, and a person's newer video source replaces their older one at once. Before
 * the bridge says what it forwards (or without a channel): the picked person's, else the
 * dominant speaker's when it comes, otherwise the first one until it stops.
 * Thread: the loop's.
 */
#ifndef TTM_SRC_JITSI_CALL_H
#define TTM_SRC_JITSI_CALL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/peer.h"
#include "src/jitsi/xml.h"
#include "src/video.h"
#include "src/vrecv.h"
#include "src/vsend.h"

struct jcall;
struct media;
struct ws_ctx;

enum jcall_who { JCALL_NOBODY, JCALL_OCCUPANT, JCALL_FOCUS };

struct jcall_cbs {
	/* Sends <iq type='set' to=to> around the <jingle> text; 0 or -errno. */
	int (*send_iq)(void *user, const char *to, const char *jingle);
	/* Answers the request iq: a result (error NULL) or an error (its <error> element). */
	void (*answer)(void *user, const struct xml_node *iq, const char *error);
	/* Who the occupant named nick in our room is; for JCALL_OCCUPANT, *id is its roster id. */
	enum jcall_who (*who)(void *user, const char *nick, uint64_t *id);
	/* The display name of roster id (NULL: none). */
	const char *(*name)(void *user, uint64_t id);
	/* Roster id talks or stopped. */
	void (*talking)(void *user, uint64_t id, bool on);
	/* The audio is up (the first time: the connection's ICE and DTLS times, monotonic µs,
	 * and how it goes, in words), or the bridge session carrying it failed (why). */
	void (*audio)(void *user, bool up, gint64 t_ice, gint64 t_dtls, const char *how);
	/* Something the user should know (a switch between bridge and peer-to-peer, ...). */
	void (*notice)(void *user, const char *msg);
	/* A decoded picture of the active session's video (cfg->video) from roster id (0: not
	 * known whose), valid during the call. NULL: not wanted. */
	void (*frame)(void *user, uint64_t id, const struct video_image *img);
	/* Our video (cfg->video_out) went out on a session (ok; how: "peer-to-peer" or "through
	 * the bridge"), or cannot (why). NULL: not said. */
	void (*video_sent)(void *user, bool ok, const char *how);
	void *user;
	/* The bridge's dominant speaker changed: roster id, 0 for nobody (the bridge says
	 * silence, names someone who is not a listed occupant, they left the room, or the
	 * channel or the bridge session is gone). May be NULL. Not called from jcall_destroy. */
	void (*dominant)(void *user, uint64_t id);
};

/* The maxHeight we ask the bridge for: the ASCII preview shows at most ~90 picture rows of
 * half blocks (two pixel rows a cell), 180 lines; our own video goes up at 320 x 180. */
#define JCALL_CHANNEL_HEIGHT 180

struct jcall_config {
	GMainContext *main;
	const struct peer_config *peer; /* ICE/DTLS settings */
	struct media *media;            /* NULL: signaling only */
	const char *room;               /* the room's bare JID */
	const char *self;               /* our full JID */
	const char *nick;               /* our occupant name in the room */
	bool no_p2p;                    /* neither offer nor take direct sessions (--no-p2p) */
	unsigned back_to_p2p_ms;        /* the wait before offering again (0: 5 s) */
	unsigned p2p_answer_ms;         /* our offer's session-accept awaited (0: 10 s) */
	struct ws_ctx *ws;              /* the loop's WebSocket context; NULL: no bridge channel */
	bool insecure;                  /* the bridge channel skips TLS checks (--insecure) */
	bool video;                     /* receive video: the sessions answer it receive-only */
	const struct vsend_config *video_out; /* send our video (--video-source); NULL: none */
};

int jcall_create(const struct jcall_config *cfg, const struct jcall_cbs *cbs, struct jcall **out);
/* An <iq> from the stream: true if it was a Jingle request (answered here). */
bool jcall_iq(struct jcall *c, const struct xml_node *iq);
/* We are in the room (our own presence came back): from now on the peer-to-peer rule runs. */
void jcall_joined(struct jcall *c);
/* The occupant nick (not the focus; hidden occupants too: see above) is in the room, as its
 * presence (NULL: a person, not a bot) says; each of their presences may say so again, and
 * whether they are a bot is taken from the latest. nick: 1..127 bytes of UTF-8 without
 * controls, else ignored. */
void jcall_occupant_joined(struct jcall *c, const char *nick, const struct xml_node *presence);
/* The occupant nick left the room: a direct session with it ends (nothing sent: they are
 * gone), its sources are forgotten, and it is no longer the dominant speaker. */
void jcall_occupant_left(struct jcall *c, const char *nick);
/* The bridge's current dominant speaker (roster id), 0 for nobody (see cbs->dominant). */
uint64_t jcall_dominant(const struct jcall *c);
/* The occupant name that SSRC ssrc belongs to (a source of a session: the peer's own on a
 * direct session, the owner the focus names on the bridge's), or NULL. */
const char *jcall_ssrc_owner(const struct jcall *c, uint32_t ssrc);
/* Shows the video of occupant nick (NULL: whoever speaks): through the bridge, asks the bridge
 * channel to put them on stage (0, or colibri.c's error) and, when the bridge forwards several
 * videos (always without a channel: 0), shows theirs of those (src/vrecv.h); the pick holds
 * until changed or they leave, also on a new bridge session's channel; peer-to-peer,
 * the other person's is the only video (-EALREADY for them, -ENOENT for anyone else); -ENOENT
 * without a session. */
int jcall_show(struct jcall *c, const char *nick);
/* The user turned the preview on or off (/video on|off; cfg->video): off, the bridge is asked
 * for no video (lastN 0) so none is sent, on, for one again. NULL is fine. */
void jcall_set_video(struct jcall *c, bool on);
/* The active session's video receiver counters: 0, or -ENOENT (none). */
int jcall_video_stats(struct jcall *c, struct vrecv_stats *out);
/* Ends everything; polite: each session's other side gets a session-terminate (success).
 * NULL is fine. */
void jcall_destroy(struct jcall *c, bool polite);

#endif
