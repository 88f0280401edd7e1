/* The Jingle sessions of one Jitsi room (see call.h). */
#include "src/jitsi/call.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/loop.h"
#include "src/jitsi/colibri.h"
#include "src/jitsi/jingle.h"
#include "src/jitsi/jsession.h"
#include "src/jitsi/vpick.h"
#include "src/media.h"
#include "src/text.h"

#define SERVICE_UNAVAILABLE "<error type='cancel'><service-unavailable " \
	"xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
#define MAX_SOURCES 512 /* SSRCs mapped to people; more are not (they still play) */
#define MAX_PEOPLE 4096 /* occupants counted for the peer-to-peer rule */
#define NICK_MAX 128
/* lib-jitsi-meet's p2p.backToP2PDelay (5 s by default): when the room is back to two because
 * someone left, the initiator waits this long before it offers again */
#define BACK_TO_P2P_MS 5000
/* lib-jitsi-meet's FEATURE_JIGASI: a telephone gateway, with which nobody goes peer-to-peer */
#define FEATURE_JIGASI "http://jitsi.org/protocol/jigasi"

/* What the peer-to-peer rule keeps of an occupant (the values of jcall.people) */
enum {
	PERSON = 1,      /* in the room (never 0: a value of the table) */
	BOT = 2,         /* its presence names a bot type (lib-jitsi-meet's botType) */
	NO_P2P = 4,      /* a poltergeist or jigasi: no direct session while it is in the room */
};

enum { BRIDGE, P2P, N_LEGS };

struct leg {
	struct jcall *c;
	struct jsession *js;
	bool p2p;
	bool ended;                    /* the other side ended it inside jsession_handle */
	bool holding;                  /* jsession_create runs: its session-accept waits */
	bool said;                     /* announce() told that the audio goes over it (since it
					* became the active session) */
	bool named;                    /* a source of its session-initiate had a name */
	bool mine;                     /* direct: we offered it (jsession_offer) */
	const char *end_why;           /* ended: the reason to send the other side (NULL: none) */
	char *held;                    /* that session-accept, sent after our iq result */
	char remote[JINGLE_OWNER_MAX]; /* the JID that offered it */
	char nick[NICK_MAX];           /* direct: the peer's occupant name */
};

struct jcall {
	struct jcall_config cfg;
	struct jcall_cbs cbs;
	char room[JINGLE_OWNER_MAX];
	char self[JINGLE_OWNER_MAX];
	char owner[JINGLE_OWNER_MAX]; /* room/nick: our sources' owner */
	char nick[NICK_MAX];
	struct leg leg[N_LEGS];
	struct leg *active;           /* the leg the media engine uses, or NULL */
	bool told_up;                 /* the first audio connection was reported */
	GHashTable *owners;           /* SSRC (as pointer) -> occupant name (owned string) */
	GSource *reaper;              /* ends failed legs, out of their callbacks */
	struct vsend *vsend;          /* our video (cfg->video_out), or NULL */
	struct jcolibri *chan;        /* the bridge session's channel (colibri-ws), or NULL */
	bool chan_told;               /* its trouble was said (once per bridge session) */
	int chan_last_n;              /* the lastN it was given */
	uint64_t dominant;            /* the bridge's dominant speaker (roster id), 0: nobody */
	char dominant_nick[NICK_MAX]; /* and their occupant name */
	struct jvpick *vpick;         /* the bridge session's videos: which to show (vpick.h) */
	bool joined;                  /* we are in the room (jcall_joined) */
	GHashTable *people;           /* the other occupants' names (owned keys) -> PERSON|... */
	GSource *p2p_timer;           /* a deferred offer (BACK_TO_P2P_MS), or NULL */
	char stage[NICK_MAX];         /* whose video the user asked for (/video NAME), "": the
				       * dominant speaker's */
	bool video_off;               /* the user turned the preview off (jcall_set_video) */
};

static void reap_soon(struct jcall *c);

static bool copy(char *dst, size_t cap, const char *src)
{
	if (!src || strlen(src) >= cap)
		return false;
	memcpy(dst, src, strlen(src) + 1);
	return true;
}

/* The occupant name of a JID in our room (room/nick), or NULL. */
static const char *nick_of(const struct jcall *c, const char *jid)
{
	size_t n = strlen(c->room);
	if (!jid || strncmp(jid, c->room, n) || jid[n] != '/' || !jid[n + 1])
		return NULL;
	return jingle_token_ok(jid + n + 1, NICK_MAX - 1) ? jid + n + 1 : NULL;
}

/* Sends a session-terminate for sid to `to` (a session we never made: a declined offer). */
static void send_terminate(struct jcall *c, const char *to, const char *sid, const char *reason,
			   const char *text)
{
	char xml[1024];
	if (jingle_write_terminate(sid, reason, text, xml, sizeof(xml)) > 0)
		c->cbs.send_iq(c->cbs.user, to, xml);
}

/* Answers iq with the error of kind (jingle.h). */
static void answer_error(struct jcall *c, const struct xml_node *iq, enum jingle_error kind)
{
	char err[512];
	if (jingle_write_error(kind, err, sizeof(err)) > 0)
		c->cbs.answer(c->cbs.user, iq, err);
}

/* ---- talking: SSRC -> occupant -> roster ---- */

static void talking_off_all(struct jcall *c)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, c->owners);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		uint64_t id;
		if (c->cbs.who(c->cbs.user, v, &id) == JCALL_OCCUPANT)
			c->cbs.talking(c->cbs.user, id, false);
	}
}

static void on_stream(void *user, uint32_t ssrc, bool talking)
{
	struct jcall *c = user;
	const char *nick = g_hash_table_lookup(c->owners, GUINT_TO_POINTER(ssrc));
	uint64_t id;
	if (!nick && c->active && c->active->p2p) /* a direct session: the peer's, whatever it says */
		nick = c->active->nick;
	if (nick && c->cbs.who(c->cbs.user, nick, &id) == JCALL_OCCUPANT)
		c->cbs.talking(c->cbs.user, id, talking);
}

static void on_source(void *user, const struct jingle_source *src, bool added)
{
	struct leg *l = user;
	struct jcall *c = l->c;
	/* the owner: a direct session's sources are the peer's, whoever it says they are (it could
	 * name someone else); the focus's name an occupant JID or a bare endpoint id (JSON
	 * sources, today's jicofo) */
	const char *nick = l->p2p ? l->nick : src->owner[0] ? jingle_owner_endpoint(src->owner)
							     : NULL;
	if (nick && !jingle_token_ok(nick, NICK_MAX - 1))
		nick = NULL;
	if (src->name[0])
		l->named = true;
	if (src->ssrc == 0) /* audio for talking, video for whose pictures */
		return;
	if (!l->p2p && src->kind == SDP_KIND_VIDEO && !(nick && !strcmp(nick, c->nick)))
		jvpick_source(c->vpick, src->ssrc, nick, src->name, added);
	gpointer key = GUINT_TO_POINTER(src->ssrc);
	if (!added) {
		const char *was = g_hash_table_lookup(c->owners, key);
		uint64_t id;
		if (was && c->cbs.who(c->cbs.user, was, &id) == JCALL_OCCUPANT)
			c->cbs.talking(c->cbs.user, id, false);
		g_hash_table_remove(c->owners, key);
		if (c->cfg.media && c->active == l)
			media_forget_stream(c->cfg.media, src->ssrc);
		return;
	}
	if (!nick || !strcmp(nick, c->nick)) /* the bridge's own mix, or an echo of ours */
		return;
	if (g_hash_table_size(c->owners) >= MAX_SOURCES && !g_hash_table_contains(c->owners, key))
		return;
	g_hash_table_replace(c->owners, key, g_strdup(nick));
}

/* ---- words for the user ---- */

static const char *peer_name(struct jcall *c, const struct leg *l)
{
	uint64_t id;
	const char *name = NULL;
	if (c->cbs.who(c->cbs.user, l->nick, &id) == JCALL_OCCUPANT)
		name = c->cbs.name(c->cbs.user, id);
	return name ? name : l->nick;
}

/* A notice for the user (cbs->notice), formatted. */
static void G_GNUC_PRINTF(2, 3) say(struct jcall *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->cbs.notice(c->cbs.user, msg);
}

/* ---- the bridge channel (colibri-ws): the dominant speaker ---- */

/* nick: the occupant whose roster id is id (NULL for 0) */
static void set_dominant(struct jcall *c, uint64_t id, const char *nick)
{
	if (!id || !copy(c->dominant_nick, sizeof(c->dominant_nick), nick)) {
		id = 0;
		c->dominant_nick[0] = '\0';
	}
	if (id == c->dominant)
		return;
	c->dominant = id;
	if (c->cbs.dominant)
		c->cbs.dominant(c->cbs.user, id);
}

static void chan_dominant(void *user, const char *endpoint, bool silence)
{
	struct jcall *c = user;
	uint64_t id = 0;
	/* the endpoint id is the occupant name (colibri.h); the focus or a stranger: nobody */
	if (silence || c->cbs.who(c->cbs.user, endpoint, &id) != JCALL_OCCUPANT)
		id = 0;
	set_dominant(c, id, endpoint);
}

static void chan_closed(void *user, int err, const char *why, unsigned retry_ms)
{
	struct jcall *c = user;
	(void)err;
	set_dominant(c, 0, NULL); /* not known until the bridge says it again */
	jvpick_unknown(c->vpick); /* nor what it forwards */
	if (c->chan_told)
		return;
	c->chan_told = true; /* colibri.c retries after 1, 2, 4, ... s: said once */
	say(c, "%s (the audio goes on; only the bridge's dominant speaker is missing%s)", why,
	    retry_ms ? ", trying again" : "");
}

/* What the bridge forwards to us (colibri.h): which video to show (vpick.h). */
static void chan_forwarded(void *user, const char *const *ids, size_t n, bool by_source)
{
	struct jcall *c = user;
	jvpick_forwarded(c->vpick, ids, n, by_source);
}

static const struct jcolibri_cbs chan_cbs = { .dominant = chan_dominant,
					      .forwarded = chan_forwarded,
					      .closed = chan_closed };

/* The videos we ask the bridge for: the preview shows one picture; none without video
 * (answered inactive) or while the user has it off, and none while the media goes
 * peer-to-peer (the bridge session is idle then: what the bridge sent would be dropped, on a
 * link that may be slow). */
static int want_last_n(const struct jcall *c)
{
	return c->cfg.video && !c->video_off && !(c->active && c->active->p2p) ? 1 : 0;
}

/* Tells the bridge a new lastN when it changed: now, or on the channel's next open. */
static void update_last_n(struct jcall *c)
{
	if (c->chan && want_last_n(c) != c->chan_last_n) {
		c->chan_last_n = want_last_n(c);
		jcolibri_set_last_n(c->chan, c->chan_last_n);
	}
}

/* Opens the channel the bridge session's offer j names, if any (see call.h). */
static void open_channel(struct jcall *c, const struct xml_node *j, const struct leg *l)
{
	char url[JCOLIBRI_URL_MAX];
	int rc = jcolibri_url_from_jingle(j, url, sizeof(url));
	if (rc == -ENOENT || !c->cfg.ws) /* the bridge offers none (or tests): audio levels */
		return;
	c->chan_last_n = want_last_n(c);
	struct jcolibri_params p = { .last_n = c->chan_last_n,
				     .max_height = JCALL_CHANNEL_HEIGHT,
				     .naming = l->named ? JCOLIBRI_SOURCES : JCOLIBRI_ENDPOINTS,
				     .insecure = c->cfg.insecure };
	if (rc == 0)
		rc = jcolibri_create(c->cfg.main, c->cfg.ws, url, &p, &chan_cbs, c, &c->chan);
	explicit_bzero(url, sizeof(url)); /* it holds the ICE password */
	if (rc == 0 && c->stage[0]) /* the user's pick outlives a bridge session */
		jcolibri_set_stage(c->chan, c->stage, NULL);
	if (rc == 0)
		return;
	c->chan = NULL;
	c->chan_told = true;
	say(c, "no bridge channel: %s (the audio goes on; only the bridge's dominant speaker is "
	    "missing)", rc == -EINVAL ? "the focus offered no usable URL for it"
	    : rc == -EPROTONOSUPPORT ? "its wss:// needs TLS, which this run did not set up"
	    : strerror(-rc));
}

static void close_channel(struct jcall *c)
{
	jcolibri_destroy(c->chan);
	c->chan = NULL;
	c->chan_told = false;
	set_dominant(c, 0, NULL);
	jvpick_reset(c->vpick); /* (the bridge session ends with its channel) */
}

/* ---- which leg carries the media ---- */

static void announce(struct jcall *c, struct leg *l);

/* The direct session once it is up, else the bridge's, else a direct one still connecting. */
static void choose(struct jcall *c)
{
	struct leg *b = c->leg[BRIDGE].js ? &c->leg[BRIDGE] : NULL;
	struct leg *p = c->leg[P2P].js ? &c->leg[P2P] : NULL;
	struct leg *want = p && jsession_is_up(p->js) ? p : b ? b : p;
	if (want == c->active)
		return;
	struct leg *was = c->active;
	if (was) {
		talking_off_all(c);
		jsession_set_active(was->js, false);
		was->said = false;
	}
	c->active = want;
	update_last_n(c);
	if (!want)
		return;
	jsession_set_active(want->js, true);
	announce(c, want);
}

/* Says how the audio goes once the active session is up, once each time it becomes the active
 * one: the first time as the audio event, later as a notice (a switch, or the focus's session
 * made anew). */
static void announce(struct jcall *c, struct leg *l)
{
	if (c->active != l || l->said || !jsession_is_up(l->js))
		return;
	l->said = true;
	if (c->told_up) {
		if (l->p2p)
			say(c, "audio now goes directly to %s (peer-to-peer)", peer_name(c, l));
		else
			say(c, "audio now goes through the bridge");
		return;
	}
	struct peer_stats ps;
	char how[160];
	c->told_up = true;
	peer_get_stats(jsession_peer(l->js), &ps);
	if (l->p2p)
		snprintf(how, sizeof(how), "peer-to-peer with %s", peer_name(c, l));
	else
		snprintf(how, sizeof(how), "through the bridge");
	c->cbs.audio(c->cbs.user, true, ps.t_ice_connected, ps.t_dtls_connected, how);
}

static void end_leg(struct jcall *c, struct leg *l, const char *reason)
{
	if (!l->js)
		return;
	if (c->active == l) {
		talking_off_all(c);
		jsession_set_active(l->js, false);
		c->active = NULL;
	}
	jsession_destroy(l->js, reason);
	l->js = NULL;
	l->ended = false;
	l->mine = false;
	if (l == &c->leg[BRIDGE])
		close_channel(c);
	choose(c);
}

static void on_media(void *user, bool up, const char *why)
{
	struct leg *l = user;
	struct jcall *c = l->c;
	if (up) {
		choose(c);
		announce(c, l);
		return;
	}
	if (l->p2p) {
		say(c, "the peer-to-peer connection with %s failed (%s)", peer_name(c, l), why);
		l->ended = true; /* ended after the callback: jsession is still on the stack */
		l->end_why = "connectivity-error"; /* as lib-jitsi-meet says an ICE failure */
		reap_soon(c);
		return;
	}
	if (c->active == l)
		c->cbs.audio(c->cbs.user, false, 0, 0, why);
}

static void on_frame(void *user, uint32_t ssrc, const struct video_image *img)
{
	struct leg *l = user;
	struct jcall *c = l->c;
	const char *nick = g_hash_table_lookup(c->owners, GUINT_TO_POINTER(ssrc));
	uint64_t id = 0;
	if (!nick && l->p2p)
		nick = l->nick;
	if (!nick || c->cbs.who(c->cbs.user, nick, &id) != JCALL_OCCUPANT)
		id = 0;
	if (c->cbs.frame)
		c->cbs.frame(c->cbs.user, id, img);
}

/* Which stream to show when the bridge forwards several videos (src/vrecv.h's prefer_cb):
 * whom the user picked, else the bridge's dominant speaker, as far as the bridge forwards them
 * (vpick.h). A direct session has one person's video: never another. */
static bool on_video_prefer(void *user, uint32_t ssrc, uint32_t shown)
{
	struct leg *l = user;
	struct jcall *c = l->c;
	return !l->p2p && jvpick_prefer(c->vpick, ssrc, shown, c->stage, c->dominant_nick);
}

static void on_video_out(void *user)
{
	struct leg *l = user;
	if (l->c->cbs.video_sent)
		l->c->cbs.video_sent(l->c->cbs.user, true,
				     l->p2p ? "peer-to-peer" : "through the bridge");
}

static int send_iq(void *user, const char *to, const char *jingle)
{
	struct leg *l = user;
	if (l->holding) { /* the session-accept: after the result (to is l->remote) */
		free(l->held);
		l->held = strdup(jingle);
		return l->held ? 0 : -ENOMEM;
	}
	return l->c->cbs.send_iq(l->c->cbs.user, to, jingle);
}

static void on_ended(void *user, const char *reason)
{
	struct leg *l = user;
	struct jcall *c = l->c;
	l->ended = true;
	l->end_why = NULL; /* no word back (XEP-0166 §6.7) */
	if (l->p2p)
		say(c, "%s ended the peer-to-peer call (%s)", peer_name(c, l), reason);
	else
		say(c, "the focus ended the bridge session (%s)", reason);
}

/* Ends legs whose other side ended them (or that failed), once out of their callbacks. */
static void reap(struct jcall *c)
{
	for (int i = 0; i < N_LEGS; i++)
		if (c->leg[i].js && c->leg[i].ended)
			end_leg(c, &c->leg[i], c->leg[i].end_why);
}

/* A new session of leg l, with l->remote (whatever side offers it: jsession_create or
 * jsession_offer): its configuration and callbacks, the same for both sides; l's flags of the
 * session reset. */
static void leg_setup(struct jcall *c, struct leg *l, struct jsession_config *jc,
		      struct jsession_cbs *jcb)
{
	*jc = (struct jsession_config){ .main = c->cfg.main, .peer = c->cfg.peer,
					.media = c->cfg.media, .remote = l->remote, .self = c->self,
					.owner = c->owner, .endpoint = c->nick, .cname = c->nick,
					.video = c->cfg.video, .vsend = c->vsend,
					.answer_ms = c->cfg.p2p_answer_ms };
	*jcb = (struct jsession_cbs){ .send_iq = send_iq, .media = on_media, .source = on_source,
				      .ended = on_ended, .frame = on_frame,
				      .video_prefer = on_video_prefer, .video_out = on_video_out,
				      .user = l };
	l->named = false;
	l->said = false;
}

/* ---- who counts for the peer-to-peer rule (call.h) ---- */

/* An occupant name we count: 1..NICK_MAX-1 bytes of UTF-8 without control characters. */
static bool nick_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n >= NICK_MAX)
		return false;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = text_utf8_decode(s + i, n - i, &cp);
		if ((cp == 0xfffd && len == 1) || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return false;
		i += len;
	}
	return true;
}

/* What presence p says of its occupant, as lib-jitsi-meet's ChatRoom.onPresence reads it: the
 * last <bot type> child is its botType, the last <features> child its features (each child's
 * var). NULL: a person. */
static unsigned occupant_kind(const struct xml_node *p)
{
	const char *bot = NULL;
	bool jigasi = false;
	for (const struct xml_node *n = p ? p->child : NULL; n; n = n->next) {
		if (!strcmp(n->name, "bot")) {
			bot = xml_attr(n, "type");
		} else if (!strcmp(n->name, "features")) {
			jigasi = false;
			for (const struct xml_node *f = n->child; f; f = f->next)
				if (xml_attr(f, "var") && !strcmp(xml_attr(f, "var"), FEATURE_JIGASI))
					jigasi = true;
		}
	}
	unsigned k = PERSON;
	if (bot && bot[0])
		k |= BOT;
	if ((bot && !strcmp(bot, "poltergeist")) || jigasi)
		k |= NO_P2P;
	return k;
}

/* lib-jitsi-meet's _shouldBeInP2PMode: one other occupant, and no bot that rules it out. */
static bool p2p_room(const struct jcall *c)
{
	GHashTableIter it;
	gpointer k, v;
	if (g_hash_table_size(c->people) != 1)
		return false;
	g_hash_table_iter_init(&it, c->people);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (GPOINTER_TO_UINT(v) & NO_P2P)
			return false;
	return true;
}

/* The room is fit for a direct session with nick: us and them, no bot. */
static bool p2p_with(const struct jcall *c, const char *nick)
{
	return p2p_room(c) && g_hash_table_contains(c->people, nick);
}

/* ---- requests ---- */

static void initiate(struct jcall *c, const struct xml_node *iq, const struct xml_node *j,
		     struct leg *l, const char *from, const char *nick)
{
	const char *sid = xml_attr(j, "sid");
	if (!jingle_token_ok(sid, JINGLE_OWNER_MAX - 1) || strlen(from) >= sizeof(l->remote)) {
		answer_error(c, iq, JINGLE_ERR_BAD_REQUEST);
		return;
	}
	if (l->p2p && c->cfg.no_p2p) { /* §6.3.2: acknowledged, then declined */
		c->cbs.answer(c->cbs.user, iq, NULL);
		send_terminate(c, from, sid, "decline",
			       "ttymeet takes no peer-to-peer calls here (--no-p2p)");
		return;
	}
	if (l->p2p && l->js) { /* one direct session at a time, as lib-jitsi-meet refuses a second
				* offer; offers that crossed: ours stands (our name sorts first, or
				* we would not have offered) */
		c->cbs.answer(c->cbs.user, iq, NULL);
		send_terminate(c, from, sid, "busy", l->mine ? "a peer-to-peer offer of ours stands"
						    : "a peer-to-peer call is already up");
		return;
	}
	if (l->p2p && !p2p_with(c, nick)) { /* lib-jitsi-meet: "P2P requirements not met" */
		c->cbs.answer(c->cbs.user, iq, NULL);
		send_terminate(c, from, sid, "decline",
			       "a peer-to-peer call is for a room of just two people, without bots");
		return;
	}
	if (l->js) /* a new offer replaces the session (the focus restarted it) */
		end_leg(c, l, NULL);
	copy(l->remote, sizeof(l->remote), from); /* fits: checked above */
	copy(l->nick, sizeof(l->nick), nick);
	struct jsession_config jc;
	struct jsession_cbs jcb;
	leg_setup(c, l, &jc, &jcb);
	char err[256] = "";
	l->holding = true;
	int rc = jsession_create(&jc, &jcb, j, &l->js, err, sizeof(err));
	l->holding = false;
	if (rc == 0) {
		c->cbs.answer(c->cbs.user, iq, NULL);
		if (l->held)
			c->cbs.send_iq(c->cbs.user, l->remote, l->held);
		free(l->held);
		l->held = NULL;
		if (!l->p2p)
			open_channel(c, j, l);
		choose(c);
		return;
	}
	free(l->held);
	l->held = NULL;
	l->js = NULL;
	say(c, "cannot take the %s session: %s",
			  l->p2p ? "peer-to-peer" : "bridge", err);
	if (rc == -EINVAL) { /* not readable: bad-request (jingle.h) */
		answer_error(c, iq, JINGLE_ERR_BAD_REQUEST);
	} else { /* readable, but not for us: acknowledged and ended (§6.3.2) */
		c->cbs.answer(c->cbs.user, iq, NULL);
		send_terminate(c, from, sid, rc == -EPROTO ? "incompatible-parameters"
					     : "general-error", err);
	}
	if (!l->p2p)
		c->cbs.audio(c->cbs.user, false, 0, 0, err);
}

/* ---- offering a direct session: lib-jitsi-meet's rule ---- */

/* Offers nick a direct session (we are its initiator). */
static void offer_p2p(struct jcall *c, const char *nick)
{
	struct leg *l = &c->leg[P2P];
	char sid[16], err[256] = "";
	if (snprintf(l->remote, sizeof(l->remote), "%s/%s", c->room, nick) >=
		    (int)sizeof(l->remote) || !copy(l->nick, sizeof(l->nick), nick))
		return;
	/* 12 hex digits, as lib-jitsi-meet draws its sids */
	snprintf(sid, sizeof(sid), "%08x%04x", g_random_int(), g_random_int() & 0xffffu);
	struct jsession_config jc;
	struct jsession_cbs jcb;
	leg_setup(c, l, &jc, &jcb);
	if (jsession_offer(&jc, &jcb, sid, &l->js, err, sizeof(err)) < 0) {
		l->js = NULL;
		say(c, "cannot offer %s a peer-to-peer call: %s", peer_name(c, l), err);
		return;
	}
	l->mine = true;
	say(c, "offering %s a peer-to-peer call", peer_name(c, l));
	choose(c);
}

static void p2p_timer_cb(void *data);

/* lib-jitsi-meet's JitsiConference._maybeStartOrStopP2P, run when we joined and whenever
 * someone joins or leaves (left: someone left): with exactly one other person in the room, the
 * one of us whose occupant name sorts first offers a direct session, at once, or after
 * BACK_TO_P2P_MS (cfg->back_to_p2p_ms) when the room came back to two because someone left
 * (cancelled if the room changes again first); with anyone else in the room, a direct session
 * ends (session-terminate, success: each side ends it, whoever offered). Not with --no-p2p. */
static void maybe_p2p(struct jcall *c, bool left)
{
	if (!c->joined || c->cfg.no_p2p || !c->cfg.peer || !c->cfg.peer->cert) /* no media */
		return;
	struct leg *p = &c->leg[P2P];
	if (!p2p_room(c)) {
		loop_source_drop(&c->p2p_timer);
		if (p->js) {
			say(c, "the peer-to-peer call with %s ends: someone else is in the room",
			    peer_name(c, p));
			end_leg(c, p, "success");
		}
		return;
	}
	if (p->js || c->p2p_timer)
		return;
	GHashTableIter it;
	gpointer nick = NULL;
	g_hash_table_iter_init(&it, c->people);
	g_hash_table_iter_next(&it, &nick, NULL);
	if (text_utf16_cmp(c->nick, nick) >= 0) /* theirs sorts first (lib-jitsi-meet's myId >
						  * peersId): they offer; equal: nobody */
		return;
	if (!left) {
		offer_p2p(c, nick);
		return;
	}
	loop_once(&c->p2p_timer, c->cfg.main,
		  c->cfg.back_to_p2p_ms ? c->cfg.back_to_p2p_ms : BACK_TO_P2P_MS, p2p_timer_cb, c);
}

static void p2p_timer_cb(void *data)
{
	maybe_p2p(data, false);
}

void jcall_joined(struct jcall *c)
{
	if (!c || c->joined)
		return;
	c->joined = true;
	maybe_p2p(c, false);
}

void jcall_occupant_joined(struct jcall *c, const char *nick, const struct xml_node *presence)
{
	/* lib-jitsi-meet's onMemberJoined skips ourselves and the resource "focus" */
	if (!c || !nick_ok(nick) || !strcmp(nick, c->nick) || !strcmp(nick, "focus"))
		return;
	unsigned kind = occupant_kind(presence);
	gpointer was;
	if (g_hash_table_lookup_extended(c->people, nick, NULL, &was)) {
		g_hash_table_insert(c->people, g_strdup(nick), GUINT_TO_POINTER(kind));
		/* _onMemberBotTypeChanged: a bot type gone runs the rule again */
		if ((GPOINTER_TO_UINT(was) & BOT) && !(kind & BOT))
			maybe_p2p(c, false);
		return;
	}
	if (g_hash_table_size(c->people) >= MAX_PEOPLE)
		return;
	g_hash_table_insert(c->people, g_strdup(nick), GUINT_TO_POINTER(kind));
	maybe_p2p(c, false);
}

bool jcall_iq(struct jcall *c, const struct xml_node *iq)
{
	const char *type = xml_attr(iq, "type");
	const struct xml_node *j = iq->child;
	if (!type || strcmp(type, "set") || !j || !xml_is(j, NS_JINGLE, "jingle"))
		return false;
	const char *from = xml_attr(iq, "from");
	const char *nick = nick_of(c, from);
	uint64_t id;
	enum jcall_who who = nick ? c->cbs.who(c->cbs.user, nick, &id) : JCALL_NOBODY;
	if (who == JCALL_NOBODY) { /* not from our room's focus or people: say nothing more */
		c->cbs.answer(c->cbs.user, iq, SERVICE_UNAVAILABLE);
		return true;
	}
	struct leg *l = &c->leg[who == JCALL_FOCUS ? BRIDGE : P2P];
	enum jingle_action a = jingle_action_of(j);
	if (a == JINGLE_SESSION_INITIATE) {
		initiate(c, iq, j, l, from, nick);
		return true;
	}
	const char *sid = xml_attr(j, "sid");
	if (!sid) {
		answer_error(c, iq, JINGLE_ERR_BAD_REQUEST);
		return true;
	}
	if (!l->js || strcmp(sid, jsession_sid(l->js)) || strcmp(from, l->remote)) {
		answer_error(c, iq, JINGLE_ERR_UNKNOWN_SESSION);
		return true;
	}
	int rc = jsession_handle(l->js, j);
	if (rc == 0)
		c->cbs.answer(c->cbs.user, iq, NULL);
	else
		answer_error(c, iq, jingle_error_of(rc));
	if (l->ended) { /* session-terminate (no word back), or an answer we cannot use */
		l->ended = false;
		end_leg(c, l, l->end_why);
	}
	reap(c);
	return true;
}

void jcall_occupant_left(struct jcall *c, const char *nick)
{
	if (!c || !nick)
		return;
	struct leg *p = &c->leg[P2P];
	if (p->js && !strcmp(p->nick, nick)) {
		say(c, "the peer-to-peer call ended: %s left", peer_name(c, p));
		end_leg(c, p, NULL);
	}
	if (c->dominant && !strcmp(c->dominant_nick, nick))
		set_dominant(c, 0, NULL);
	if (!strcmp(c->stage, nick))
		c->stage[0] = '\0';
	jvpick_owner_left(c->vpick, nick);
	if (g_hash_table_remove(c->people, nick))
		maybe_p2p(c, true);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, c->owners);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (!strcmp(v, nick)) {
			if (c->cfg.media && c->active)
				media_forget_stream(c->cfg.media, GPOINTER_TO_UINT(k));
			g_hash_table_iter_remove(&it);
		}
}

uint64_t jcall_dominant(const struct jcall *c)
{
	return c ? c->dominant : 0;
}

static void reap_cb(void *data)
{
	struct jcall *c = data;
	reap(c);
}

static void reap_soon(struct jcall *c)
{
	if (!c->reaper)
		loop_once(&c->reaper, c->cfg.main, 0, reap_cb, c);
}

int jcall_create(const struct jcall_config *cfg, const struct jcall_cbs *cbs, struct jcall **out)
{
	struct jcall *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->cfg = *cfg;
	c->cbs = *cbs;
	if (!copy(c->room, sizeof(c->room), cfg->room) || !copy(c->self, sizeof(c->self), cfg->self) ||
	    !copy(c->nick, sizeof(c->nick), cfg->nick) ||
	    snprintf(c->owner, sizeof(c->owner), "%s/%s", cfg->room, cfg->nick) >=
		    (int)sizeof(c->owner)) {
		free(c);
		return -EINVAL;
	}
	c->cfg.room = c->room;
	c->cfg.self = c->self;
	c->cfg.nick = c->nick;
	for (int i = 0; i < N_LEGS; i++)
		c->leg[i] = (struct leg){ .c = c, .p2p = i == P2P };
	c->owners = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	c->people = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (jvpick_create(&c->vpick) < 0) {
		g_hash_table_destroy(c->owners);
		g_hash_table_destroy(c->people);
		free(c);
		return -ENOMEM;
	}
	if (cfg->media)
		media_set_stream_cb(cfg->media, on_stream, c);
	if (cfg->video_out) {
		char msg[256] = "";
		if (vsend_create(cfg->main, cfg->video_out, &c->vsend, msg, sizeof(msg)) < 0) {
			c->vsend = NULL;
			if (cbs->video_sent)
				cbs->video_sent(cbs->user, false, msg[0] ? msg : "cannot start the video");
		}
	}
	c->cfg.video_out = NULL; /* not kept: the caller's */
	*out = c;
	return 0;
}

const char *jcall_ssrc_owner(const struct jcall *c, uint32_t ssrc)
{
	return c ? g_hash_table_lookup(c->owners, GUINT_TO_POINTER(ssrc)) : NULL;
}

int jcall_show(struct jcall *c, const char *nick)
{
	if (!c || !c->active)
		return -ENOENT;
	if (c->active->p2p) /* the one other person's video is the only one */
		return !nick || !strcmp(nick, c->active->nick) ? -EALREADY : -ENOENT;
	if (nick && !jingle_token_ok(nick, NICK_MAX - 1))
		return -ENOENT;
	int rc = c->chan ? jcolibri_set_stage(c->chan, nick, NULL) : 0;
	if (rc != -EINVAL) /* (a send error: it goes on the next open) */
		copy(c->stage, sizeof(c->stage), nick ? nick : "");
	return rc;
}

void jcall_set_video(struct jcall *c, bool on)
{
	if (!c)
		return;
	c->video_off = !on;
	update_last_n(c);
}

int jcall_video_stats(struct jcall *c, struct vrecv_stats *out)
{
	return c && c->active ? jsession_video_stats(c->active->js, out) : -ENOENT;
}

void jcall_destroy(struct jcall *c, bool polite)
{
	if (!c)
		return;
	if (c->cfg.media)
		media_set_stream_cb(c->cfg.media, NULL, NULL);
	talking_off_all(c);
	jcolibri_destroy(c->chan); /* no dominant callback from here (call.h) */
	c->chan = NULL;
	for (int i = 0; i < N_LEGS; i++) {
		if (c->active == &c->leg[i]) {
			jsession_set_active(c->leg[i].js, false);
			c->active = NULL;
		}
		jsession_destroy(c->leg[i].js, polite ? "success" : NULL);
		c->leg[i].js = NULL;
	}
	loop_source_drop(&c->reaper);
	loop_source_drop(&c->p2p_timer);
	g_hash_table_destroy(c->owners);
	g_hash_table_destroy(c->people);
	jvpick_destroy(c->vpick);
	vsend_destroy(c->vsend);
	free(c);
}
