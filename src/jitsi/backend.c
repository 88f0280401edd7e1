/* The Jitsi Meet backend (src/backend.h): a meeting link's XMPP server over WebSocket, the
 * room's MUC, the roster from the occupants' presence.
 *
 * Data flow: the first connect fetches the deployment's /config.js (src/jitsi/fetch.c; not
 * when the command line gives every setting) and resolves the settings (src/jitsi/config.h:
 * override, else config.js, else Jitsi's defaults; kept for reconnects), then opens the WebSocket (subprotocol
 * "xmpp") and hands every message to the XMPP stream (src/jitsi/xmpp.c). Once bound it joins
 * the room ROOM@MUC with a presence as lib-jitsi-meet sends it (nick, muted states) under a
 * random 8-hex-digit occupant name, as Jitsi clients do. Presences from the room fill the
 * roster: occupants get small numeric ids in order of arrival (the roster's ids), the focus
 * is left out (by the real JID the conference answer named, as lib-jitsi-meet does; without
 * an answer: a real JID at the focus domain); our own presence (status 110) is the join.
 * Before the join, the conference request to the focus (src/jitsi/focus.c): we join once it
 * says ready; --xmpp-focus none skips it, and a server that says there is no focus gets a
 * notice and a join without one (chat and roster work; media would not). A room with a
 * lobby refuses the join and names its lobby room: we knock there (J_LOBBY, unbounded, pings
 * keep checking the server) until the room's invite lets us in, the lobby moves us into the
 * meeting (the host arrived), or a moderator denies us (src/jitsi/lobby.c).
 * Not done yet: chat, renames, media.
 * Thread: the loop's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/loop.h"
#include "net/ws.h"
#include "src/backend.h"
#include "src/exitcode.h"
#include "src/jitsi/jt.h"
#include "src/jitsi/chat.h"
#include "src/jitsi/config.h"
#include "src/jitsi/disco.h"
#include "src/jitsi/fetch.h"
#include "src/jitsi/focus.h"
#include "src/jitsi/lobby.h"
#include "src/jitsi/sm.h"
#include "src/jitsi/muc.h"
#include "src/jitsi/xml.h"
#include "src/jitsi/xmpp.h"
#include "src/roster.h"
#include "src/secret.h"
#include "src/chatid.h"
#include "src/cli.h"
#include "src/text.h"

#define CONNECT_TIMEOUT_MS 10000 /* the WebSocket and the XMPP stream up to the join */
#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_NICK "http://jabber.org/protocol/nick"
#define MAX_OCCUPANTS 4096 /* ids handed out per attempt; more are ignored */
#define JWT_MAX 4096 /* as CLI_JWT_MAX */
#define PING_MS 25000        /* XEP-0199 ping to the server while joined (--keepalive) */
#define PING_ANSWER_MS 15000 /* unanswered this long (at most the period): the server is gone */
#define FOCUS_ANSWER_MS 10000 /* one conference request's answer */

static void drop_transport(struct backend *b)
{
	loop_source_drop(&b->connect_timer);
	loop_source_drop(&b->ping_timer);
	b->ping_pending = false;
	jfocus_destroy(b->focus);
	b->focus = NULL;
	b->focusjid[0] = '\0';
	b->lobby_jid[0] = '\0';
	secret_free(b->join_password);
	b->join_password = NULL;
	b->rename_pending = false;
	jchat_drop(b->chat);
	jitsi_fetch_destroy(b->fetch);

	b->fetch = NULL;
	/* joined: keep a resumable XEP-0198 session for the next attempt (with our occupant
	 * name and the ids: the room still has us) */
	if (b->x && b->state == J_JOINED && !b->sm_saved)
		b->sm_saved = xmpp_sm_take(b->x);
	if (!b->sm_saved) { /* the room forgets us: so do the sessions' other sides */
		jcall_destroy(b->call, false);
		b->call = NULL;
		b->focus_occ[0] = '\0';
	}
	xmpp_destroy(b->x);
	b->x = NULL;
	if (b->ws)
		ws_close(b->ws);
	b->ws = NULL;
	b->ws_opened = false;
	if (b->ids && !b->sm_saved) {
		g_hash_table_remove_all(b->ids);
		b->next_id = 0;
	}
}

/* ---- presence ---- */

/* Our presence in room (the main room, or the lobby we knock in). */
static int send_presence_to(struct backend *b, const char *room, bool unavailable)
{
	char name[SESSION_NAME_MAX * 6 + 1], caps[256];
	char x[(JLOBBY_PASSWORD_MAX + CLI_SECRET_MAX) * 6 + 128] = "";
	char buf[2048 + sizeof(x)];
	if (xml_escape(session_be_name(b->s), name, sizeof(name)) < 0 ||
	    disco_caps_element(b->cfg->video.receive || b->cfg->video.source, caps, sizeof(caps)) < 0)
		return -EINVAL;
	bool muted = session_be_muted_now(b->s);
	bool join = b->state == J_JOINING || (b->state == J_LOBBY && room != b->room_jid);
	/* XEP-0045's <x/> only in a join (the room's, or the lobby's knock): again later, the
	 * room takes it for a new join (and replays the history). The room's password goes in
	 * it, as lib-jitsi-meet sends it: the one a lobby admission carried, else the pin
	 * (--pin-file, TTYMEET_PIN, the TUI's prompt); the copies here are wiped. */
	const char *pw = room != b->room_jid ? NULL
			 : b->join_password ? b->join_password : b->cfg->pin;
	/* Rejoining the room (after a lost connection), only the history since the last message
	 * the old connection brought is asked for (XEP-0045 <history seconds/>, plus a second):
	 * what we showed already is not shown again. */
	char hist[64] = "";
	if (join && room == b->room_jid && b->last_rx_us) /* set once we were in the room */
		snprintf(hist, sizeof(hist), "<history seconds='%lld'/>",
			 (long long)((g_get_monotonic_time() - b->last_rx_us) / G_USEC_PER_SEC + 1));
	if (join && ((pw && *pw) || hist[0])) {
		int n = snprintf(x, sizeof(x), "<x xmlns='" NS_MUC "'>%s", hist);
		if (pw && *pw) {
			n += snprintf(x + n, sizeof(x) - (size_t)n, "<password>");
			if (xml_escape(pw, x + n, sizeof(x) - (size_t)n - 16) < 0)
				return -EINVAL;
			strcat(x, "</password>");
		}
		strcat(x, "</x>");
	} else if (join) {
		snprintf(x, sizeof(x), "<x xmlns='" NS_MUC "'/>");
	}
	if (unavailable)
		snprintf(buf, sizeof(buf), "<presence xmlns='" XMPP_NS_CLIENT "' to='%s/%s' "
			 "type='unavailable'/>", room, b->nick);
	else
		snprintf(buf, sizeof(buf), "<presence xmlns='" XMPP_NS_CLIENT "' to='%s/%s'>"
			 "%s<stats-id>%s</stats-id><nick xmlns='" NS_NICK "'>%s</nick>"
			 "<audiomuted>%s</audiomuted><videomuted>true</videomuted>%s</presence>",
			 room, b->nick, x, b->stats_id, name, muted ? "true" : "false", caps);
	int rc = xmpp_send(b->x, buf);
	explicit_bzero(x, sizeof(x));
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

static int send_presence(struct backend *b, bool unavailable)
{
	return send_presence_to(b, b->room_jid, unavailable);
}

/* The id of occupant name: handed out on first sight (0 when the bound is reached). */
uint64_t jt_occupant_id(struct backend *b, const char *name, bool create)
{
	gpointer v = g_hash_table_lookup(b->ids, name);
	if (v)
		return (uint64_t)(uintptr_t)v;
	if (!create || b->next_id >= MAX_OCCUPANTS)
		return 0;
	uint64_t id = ++b->next_id;
	g_hash_table_insert(b->ids, g_strdup(name), (gpointer)(uintptr_t)id);
	return id;
}

/* A presence error from the room: the room refuses us (a password is asked for: the session
 * asks the user, or fails with exit 4 and the way out). */
static void presence_error(struct backend *b, const struct xml_node *p)
{
	struct muc_presence mp;
	char line[3 * MUC_LINE_MAX];
	if (muc_presence_parse(p, b->room_jid, &mp) < 0)
		return;
	if (muc_error_line(&mp, line, sizeof(line)))
		session_be_pin_refused(b->s, mp.error_text[0] ? mp.error_text : mp.error, 401);
	else
		session_be_fail(b->s, TTM_EXIT_ROOM, true, "%s", line);
}

/* The actor of a kick or ban is named by its occupant name: shown by the name the roster
 * shows for that occupant, if it is one we list. */
static void actor_name(struct backend *b, struct muc_presence *mp)
{
	uint64_t id = mp->actor[0] ? jt_occupant_id(b, mp->actor, false) : 0;
	const struct session_participant *who = id ? roster_get(b->env.roster, id) : NULL;
	if (who)
		snprintf(mp->actor, sizeof(mp->actor), "%s", who->name);
}

/* Our own unavailable presence while joined: the room removed us (kicked, banned, closed). */
static void removed(struct backend *b, const struct xml_node *p)
{
	struct muc_presence mp;
	char line[4 * MUC_LINE_MAX];
	if (muc_presence_parse(p, b->room_jid, &mp) < 0)
		return;
	actor_name(b, &mp);
	int code = muc_removed_line(&mp, line, sizeof(line));
	if (code == TTM_EXIT_ROOM)
		session_be_fail(b->s, code, true, "%s", line);
	else
		session_be_lost(b->s, code, "%s", line);
}

/* Someone else was kicked or banned: said, as Jitsi's web app says it. */
static void other_removed(struct backend *b, const struct xml_node *p, const char *name)
{
	struct muc_presence mp;
	if (muc_presence_parse(p, b->room_jid, &mp) < 0 || (!mp.kicked && !mp.banned))
		return;
	actor_name(b, &mp);
	session_be_notice(b->s, "%s was %s%s%s%s%s", name, mp.kicked ? "kicked" : "banned",
			  mp.actor[0] ? " by " : "", mp.actor, mp.reason[0] ? ": " : "", mp.reason);
}

/* The focus: the occupant whose real JID is the focus user's the conference answer named
 * (focusjid/...), as lib-jitsi-meet decides it; never by its occupant name, which anyone can
 * take. Without an answer (no focus asked): a real JID at the focus domain. */
static bool is_focus(const struct backend *b, const struct xml_node *item)
{
	const char *jid = xml_attr(item, "jid");
	if (b->focusjid[0])
		return jfocus_is_focus_jid(b->focusjid, jid);
	if (!jid)
		return false;
	const char *at = strchr(jid, '@');
	const char *host = at ? at + 1 : jid;
	size_t n = strlen(b->set.focus);
	/* focus.DOMAIN/..., or a user at it: jicofo's focus@auth.DOMAIN is named by --xmpp-focus */
	return !strncmp(host, b->set.focus, n) && (host[n] == '\0' || host[n] == '/') ;
}

/* An occupant at the deployment's hiddenDomain (config.js): a recorder or another bot that
 * Jitsi clients do not list. */
static bool is_hidden(const struct backend *b, const struct xml_node *item)
{
	const char *jid = xml_attr(item, "jid");
	const char *at = jid ? strchr(jid, '@') : NULL;
	size_t n = strlen(b->set.hidden_domain);
	if (!n || !jid)
		return false;
	const char *host = at ? at + 1 : jid;
	return !strncasecmp(host, b->set.hidden_domain, n) && (host[n] == '\0' || host[n] == '/');
}

/* ---- XEP-0199: our pings to the server ---- */

static unsigned ping_period(const struct backend *b)
{
	return b->cfg->keepalive_ms ? b->cfg->keepalive_ms : PING_MS;
}

static void ping_cb(void *data);

static void ping_arm(struct backend *b, unsigned ms)
{
	loop_once(&b->ping_timer, b->env.main, ms, ping_cb, b);
}

/* Period over: send a ping; answer wait over: the server is gone. */
static void ping_cb(void *data)
{
	struct backend *b = data;
	char buf[JITSI_HOST_MAX + 160];
	if (b->ping_pending) {
		session_be_lost(b->s, TTM_EXIT_SERVER, "the XMPP server did not answer a ping "
				"within %.0f s", MIN(ping_period(b), PING_ANSWER_MS) / 1000.0);
		return;
	}
	xmpp_next_id(b->x, b->ping_id, sizeof(b->ping_id));
	snprintf(buf, sizeof(buf), "<iq xmlns='" XMPP_NS_CLIENT "' type='get' to='%s' id='ping-%s'>"
		 "<ping xmlns='urn:xmpp:ping'/></iq>", b->stream_domain, b->ping_id);
	if (xmpp_send(b->x, buf) < 0)
		return; /* the stream failed and said so */
	b->ping_pending = true;
	ping_arm(b, MIN(ping_period(b), PING_ANSWER_MS));
}

/* An iq result or error: the answer to our ping (any answer proves the server is there). */
static bool ping_answer(struct backend *b, const struct xml_node *iq)
{
	const char *id = xml_attr(iq, "id"), *type = xml_attr(iq, "type");
	if (!b->ping_pending || !id || strncmp(id, "ping-", 5) || strcmp(id + 5, b->ping_id) ||
	    !type || (strcmp(type, "result") && strcmp(type, "error")))
		return false;
	b->ping_pending = false;
	ping_arm(b, ping_period(b));
	return true;
}

static bool lobby_refused(struct backend *b, const struct xml_node *p);
static void lobby_presence(struct backend *b, const struct xml_node *p, const char *occ);

/* The MUC role lib-jitsi-meet shows: moderator (the room's creator, or whom a moderator or
 * the focus granted it). */
static bool is_moderator(const struct xml_node *item)
{
	const char *role = xml_attr(item, "role");
	return role && !strcmp(role, "moderator");
}

static void on_presence(struct backend *b, const struct xml_node *p)
{
	const char *from = xml_attr(p, "from"), *type = xml_attr(p, "type");
	size_t rl = strlen(b->room_jid), ll = strlen(b->lobby_jid);
	if (from && b->state == J_LOBBY && ll && !g_ascii_strncasecmp(from, b->lobby_jid, ll) &&
	    from[ll] == '/') {
		lobby_presence(b, p, from + ll + 1);
		return;
	}
	if (!from || strncmp(from, b->room_jid, rl) || from[rl] != '/')
		return; /* not from our room */
	const char *occ = from + rl + 1;
	if (type && !strcmp(type, "error")) {
		if (b->state == J_JOINING && lobby_refused(b, p))
			return;
		if (b->state == J_JOINING) {
			presence_error(b, p);
		} else if (b->state == J_JOINED && !strcmp(occ, b->nick) && b->rename_pending) {
			b->rename_pending = false; /* the room refused our new presence */
			session_be_renamed(b->s, true, "the room refused the new name", 0);
		}
		return;
	}
	const struct xml_node *x = xml_child(p, NS_MUC_USER, "x");
	const struct xml_node *item = xml_child(x, NS_MUC_USER, "item");
	bool self = !strcmp(occ, b->nick);
	for (const struct xml_node *c = x ? x->child : NULL; c; c = c->next)
		if (xml_is(c, NS_MUC_USER, "status") && xml_attr(c, "code") &&
		    !strcmp(xml_attr(c, "code"), "110"))
			self = true;
	bool gone = type && !strcmp(type, "unavailable");
	if (self) {
		if (gone) {
			if (b->state == J_JOINED || b->state == J_JOINING)
				removed(b, p);
			return;
		}
		if (b->state == J_JOINING) {
			loop_source_drop(&b->connect_timer);
			b->state = J_JOINED;
			ping_arm(b, ping_period(b));
			session_be_joined(b->s, jt_occupant_id(b, occ, true), "jitsi");
			jchat_joined(b->chat, b->x, b->room_jid, b->nick);
			session_be_chat_up(b->s);
			jcall_joined(b->call); /* the others' presences came first */
		}
		roster_set_moderator(b->env.roster, session_be_self_id(b->s), is_moderator(item));
		if (b->rename_pending) { /* the room took our new <nick> */
			const struct xml_node *nk = xml_child(p, NS_NICK, "nick");
			if (nk && !strcmp(nk->text, session_be_name(b->s))) {
				b->rename_pending = false;
				session_be_renamed(b->s, false, NULL, 0);
			}
		}
		return;
	}
	if (gone) {
		uint64_t id = jt_occupant_id(b, occ, false);
		jcall_occupant_left(b->call, occ);
		if (!strcmp(occ, b->focus_occ))
			b->focus_occ[0] = '\0';
		const struct session_participant *who = id ? roster_get(b->env.roster, id) : NULL;
		if (who)
			other_removed(b, p, who->name);
		roster_chat_leave(b->env.roster, occ);
		if (id)
			roster_audio_remove(b->env.roster, id);
		return;
	}
	if (is_focus(b, item)) {
		snprintf(b->focus_occ, sizeof(b->focus_occ), "%s", occ);
		return;
	}
	if (is_hidden(b, item)) { /* not listed, but counted by the peer-to-peer rule (call.h) */
		jcall_occupant_joined(b->call, occ, p);
		return;
	}
	uint64_t id = jt_occupant_id(b, occ, true);
	if (!id)
		return;
	const struct xml_node *nick = xml_child(p, NS_NICK, "nick");
	const struct xml_node *am = xml_child(p, NULL, "audiomuted");
	char name[SESSION_NAME_MAX];
	text_sanitize(nick ? nick->text : "", nick ? strlen(nick->text) : 0, name, sizeof(name), false);
	if (!name[0])
		text_sanitize(occ, strlen(occ), name, sizeof(name), false);
	if (!name[0])
		snprintf(name, sizeof(name), "guest");
	/* The room sets the 'from' of every stanza: this occupant's chat lines are this entry's,
	 * and the claim (src/chatid.h) that merges them is ours to make for it. */
	char claim[CHATID_HEX + 1];
	chatid_claim(occ, claim);
	roster_audio_update(b->env.roster, id, name, claim, am && !strcmp(am->text, "true"), -1);
	roster_chat_join(b->env.roster, occ, name, id);
	roster_set_moderator(b->env.roster, id, is_moderator(item));
	if (item) /* lib-jitsi-meet ignores an occupant whose presence has no muc#user item */
		jcall_occupant_joined(b->call, occ, p); /* last: it may offer them a direct session */
}

/* ---- the XMPP stream ---- */

static int x_send(void *user, const char *text, size_t len)
{
	struct backend *b = user;
	if (b->offline_send)
		return b->offline_send(b->offline_user, text, len);
	return b->ws ? ws_send_text(b->ws, text, len) : -ENOTCONN;
}

/* ---- the focus: asked before the join ---- */

static void connect_timeout_cb(void *data);

static void join_room(struct backend *b)
{
	b->state = J_JOINING;
	if (jt_call_start(b) < 0) {
		session_be_fail(b->s, TTM_EXIT_SERVER, false, "out of memory");
		return;
	}
	/* the join's own bound */
	loop_once(&b->connect_timer, b->env.main, CONNECT_TIMEOUT_MS, connect_timeout_cb, b);
	if (send_presence(b, false) < 0)
		session_be_lost(b->s, TTM_EXIT_SERVER, "cannot send the join presence");
}

static int f_send(void *user, const char *stanza)
{
	struct backend *b = user;
	return xmpp_send(b->x, stanza);
}

static void f_ready(void *user, const struct jfocus_answer *a)
{
	struct backend *b = user;
	memcpy(b->focusjid, a->focusjid, sizeof(b->focusjid));
	join_room(b);
}

static void f_waiting(void *user, const char *kind, const char *msg)
{
	struct backend *b = user;
	if (!b->ping_timer) /* a wait without bound: notice a server that goes away */
		ping_arm(b, ping_period(b));
	session_be_waiting(b->s, kind, "%s", msg);
}

static void f_failed(void *user, int code, bool absent, const char *msg)
{
	struct backend *b = user;
	if (absent) { /* a server without a focus: its rooms still have a roster and chat */
		if (!b->told_no_focus)
			session_be_notice(b->s, "%s: joining the room without a focus (no media "
					  "possible; --xmpp-focus none skips asking)", msg);
		b->told_no_focus = true;
		join_room(b);
	} else if (code == TTM_EXIT_ROOM) {
		session_be_fail(b->s, code, true, "%s", msg);
	} else {
		session_be_lost(b->s, code, "%s", msg);
	}
}

static const struct jfocus_cbs fcbs = { f_send, f_ready, f_waiting, f_failed };

/* ---- the lobby (src/jitsi/lobby.h) ---- */

/* The room sends us to its lobby: knock there (join the lobby room) and wait, unbounded. */
static bool lobby_refused(struct backend *b, const struct xml_node *p)
{
	struct jlobby_refusal r;
	if (!jlobby_refusal(p, &r))
		return false;
	memcpy(b->lobby_jid, r.lobby_jid, sizeof(b->lobby_jid));
	b->state = J_LOBBY;
	loop_source_drop(&b->connect_timer);
	if (!b->ping_timer)
		ping_arm(b, ping_period(b));
	if (r.waiting_for_host)
		session_be_waiting(b->s, "host", "the meeting has not started yet: waiting in its "
				   "lobby for the host to arrive");
	else
		session_be_waiting(b->s, "lobby", "the meeting has a lobby: asking to be let in, "
				   "waiting for a moderator");
	if (send_presence_to(b, b->lobby_jid, false) < 0)
		session_be_lost(b->s, TTM_EXIT_SERVER, "cannot send the presence to the lobby");
	return true;
}

static void lobby_presence(struct backend *b, const struct xml_node *p, const char *occ)
{
	char why[256];
	enum jlobby_what w = jlobby_presence(p, b->room_jid, !strcmp(occ, b->nick), why,
					     sizeof(why));
	const char *sep = why[0] ? ": " : "";
	switch (w) {
	case JLOBBY_NOTHING:
	case JLOBBY_IN:
		break;
	case JLOBBY_DENIED:
		session_be_fail(b->s, TTM_EXIT_ROOM, true, "a moderator did not let you in (denied "
				"in the lobby%s%s)", sep, why);
		break;
	case JLOBBY_MOVED: /* the host arrived, or the lobby was turned off */
		b->lobby_jid[0] = '\0';
		session_be_notice(b->s, "the lobby sends you into the meeting%s%s", sep, why);
		join_room(b);
		break;
	case JLOBBY_CLOSED:
		session_be_fail(b->s, TTM_EXIT_ROOM, true, "the lobby was closed%s%s", sep, why);
		break;
	case JLOBBY_ERROR:
		session_be_fail(b->s, TTM_EXIT_ROOM, true, "the lobby refused us (%s)", why);
		break;
	}
}

/* A message while knocking: the room's invite lets us in (with the password it carries). */
static bool lobby_message(struct backend *b, const struct xml_node *m)
{
	char pw[JLOBBY_PASSWORD_MAX];
	if (b->state != J_LOBBY || !jlobby_invite(m, b->room_jid, pw, sizeof(pw)))
		return false;
	send_presence_to(b, b->lobby_jid, true); /* leave the lobby */
	b->lobby_jid[0] = '\0';
	secret_free(b->join_password);
	b->join_password = pw[0] ? strdup(pw) : NULL;
	explicit_bzero(pw, sizeof(pw));
	session_be_notice(b->s, "a moderator let you in");
	join_room(b);
	return true;
}

static void x_bound(void *user, const char *jid)
{
	struct backend *b = user;
	(void)jid;
	if (b->resuming) { /* the server forgot the session: a new occupant, a new join */
		b->resuming = false;
		session_be_notice(b->s, "the XMPP server could not resume the session: joining the "
				  "room again");
		snprintf(b->nick, sizeof(b->nick), "%08x", g_random_int());
		jcall_destroy(b->call, false);
		b->call = NULL;
		b->focus_occ[0] = '\0';
		g_hash_table_remove_all(b->ids);
		b->next_id = 0;
	}
	if (!strcmp(b->set.focus, "none")) { /* --xmpp-focus none */
		if (!b->told_no_focus)
			session_be_notice(b->s, "not asking a focus (--xmpp-focus none): joining the "
					  "room directly");
		b->told_no_focus = true;
		join_room(b);
		return;
	}
	struct jfocus_req r = { .focus = b->set.focus, .room_jid = b->room_jid,
				.machine_uid = b->machine_uid, .token = b->jwt,
				.logged_in = b->login.user != NULL };
	b->state = J_FOCUS;
	loop_source_drop(&b->connect_timer); /* the focus bounds each of its answers */
	if (jfocus_create(b->env.main, &r, FOCUS_ANSWER_MS, &fcbs, b, &b->focus) < 0) {
		b->focus = NULL;
		session_be_fail(b->s, TTM_EXIT_SERVER, false, "out of memory");
		return;
	}
	if (jfocus_start(b->focus) < 0)
		session_be_lost(b->s, TTM_EXIT_SERVER, "cannot send the conference request");
}

static bool x_stanza(void *user, const struct xml_node *st)
{
	struct backend *b = user;
	if (xml_is(st, XMPP_NS_CLIENT, "presence")) {
		on_presence(b, st);
		return true;
	}
	if (xml_is(st, XMPP_NS_CLIENT, "iq") && ping_answer(b, st))
		return true;
	if (xml_is(st, XMPP_NS_CLIENT, "iq") && b->focus && jfocus_stanza(b->focus, st))
		return true;
	if (xml_is(st, XMPP_NS_CLIENT, "iq") && b->call && jcall_iq(b->call, st))
		return true;
	if (xml_is(st, XMPP_NS_CLIENT, "message") && lobby_message(b, st))
		return true;
	if (xml_is(st, XMPP_NS_CLIENT, "message"))
		return jchat_on_message(b->chat, st);
	return false; /* messages: not yet; iqs: answered as unsupported */
}

static void x_failed(void *user, int code, const char *why)
{
	struct backend *b = user;
	if (b->state == J_LEAVING)
		return;
	if (code == TTM_EXIT_ROOM)
		session_be_fail(b->s, code, false, "%s", why);
	else
		session_be_lost(b->s, code, "%s", why);
}

/* XEP-0198: the lost stream's session is back; the room never saw us leave. */
static void x_resumed(void *user)
{
	struct backend *b = user;
	b->resuming = false;
	loop_source_drop(&b->connect_timer);
	b->state = J_JOINED;
	ping_arm(b, ping_period(b));
	session_be_notice(b->s, "the XMPP session resumed (XEP-0198): still in the room");
	session_be_joined(b->s, jt_occupant_id(b, b->nick, true), "jitsi");
	jchat_joined(b->chat, b->x, b->room_jid, b->nick);
	session_be_chat_up(b->s);
}

static const struct xmpp_cbs xcbs = { x_send, x_bound, x_stanza, x_failed, x_resumed };

/* ---- the WebSocket ---- */

static void ws_open_cb(void *user)
{
	struct backend *b = user;
	if (b->state == J_CONFIG) { /* early (connect_early): the stream waits for the settings */
		b->ws_opened = true;
		return;
	}
	/* anonymous: at anonymousdomain (a "secure domain" deployment's guests) or the domain;
	 * a login: at USER@DOMAIN's domain, else authdomain or the domain (jitsi-meet's toJid) */
	const char *domain = !b->login.user ? b->set.login_domain
			     : b->login_at[0] ? b->login_at : b->set.auth_domain;
	b->stream_domain = domain;
	if (xmpp_create(domain, &xcbs, b, &b->x) < 0) {
		session_be_fail(b->s, TTM_EXIT_SERVER, false, "out of memory");
		return;
	}
	xmpp_set_login(b->x, &b->login, !strncmp(b->set.websocket, "wss://", 6));
	xmpp_set_video(b->x, b->cfg->video.receive || b->cfg->video.source);
	b->resuming = b->sm_saved != NULL;
	xmpp_set_resume(b->x, b->sm_saved); /* x owns it now */
	b->sm_saved = NULL;
	xmpp_start(b->x);
}

static void ws_message_cb(void *user, const char *text, size_t len)
{
	struct backend *b = user;
	if (b->state == J_JOINED)
		b->last_rx_us = g_get_monotonic_time();
	if (b->x)
		xmpp_feed(b->x, text, len);
}

static void ws_closed_cb(void *user, int err, const char *reason)
{
	struct backend *b = user;
	bool leaving = b->state == J_LEAVING, connecting = b->state == J_CONNECTING;
	ws_close(b->ws);
	b->ws = NULL;
	b->ws_opened = false;
	if (b->state == J_CONFIG) /* early, and failed: the settings say where to connect */
		return;
	if (leaving) {
		session_be_left(b->s);
		return;
	}
	if (connecting)
		session_be_lost(b->s, TTM_EXIT_SERVER, "cannot reach the XMPP WebSocket %s: %s",
				b->set.websocket, reason);
	else
		session_be_lost(b->s, TTM_EXIT_SERVER, "%s (%s)",
				err ? "connection to the XMPP server lost"
				    : "the XMPP server closed the connection", reason);
}

static void connect_timeout_cb(void *data)
{
	struct backend *b = data;
	if (b->state == J_CONFIG || b->state == J_CONNECTING || b->state == J_JOINING)
		session_be_lost(b->s, TTM_EXIT_SERVER, "%s within %.0f s",
				b->state != J_JOINING ? "the XMPP server did not let us in"
							 : "the room did not answer the join",
				CONNECT_TIMEOUT_MS / 1000.0);
}

/* ---- ops ---- */

/* Opens b->ws to websocket (the token added); 0, or -1 after failing the session (quiet: no
 * failure said, nothing opened). */
static int open_ws(struct backend *b, const char *websocket, bool quiet)
{
	static const struct ws_handlers wsh = { ws_open_cb, ws_message_cb, ws_closed_cb };
	char url[JITSI_URL_MAX + JWT_MAX + 8];
	/* a token goes in the URL, as Jitsi's web app sends it */
	snprintf(url, sizeof(url), "%s%s%s", websocket, b->jwt ? "&token=" : "",
		 b->jwt ? b->jwt : "");
	/* net/ws.c takes URLs of up to 511 bytes with paths of up to 255: most tokens do not fit */
	bool tls;
	int port;
	char host[256], path[256];
	if (b->jwt && (strlen(url) >= 512 || ws_parse_url(url, &tls, host, sizeof(host), &port, path,
							  sizeof(path)) < 0)) {
		explicit_bzero(url, sizeof(url));
		explicit_bzero(path, sizeof(path));
		if (!quiet)
			session_be_fail(b->s, TTM_EXIT_USAGE, false, "the token is too long: ttymeet "
					"can send tokens only while the WebSocket URL stays under 256 "
					"bytes of path");
		return -1;
	}
	int rc = ws_connect(b->env.ws, url, "xmpp", b->cfg->insecure, &wsh, b, &b->ws);
	if (rc == 0) /* it carries chat: its copies of messages in locked memory */
		ws_set_private(b->ws);
	explicit_bzero(url, sizeof(url));
	explicit_bzero(path, sizeof(path));
	if (rc < 0) {
		b->ws = NULL;
		if (!quiet)
			session_be_fail(b->s, TTM_EXIT_SERVER, false, "cannot connect to %s",
					websocket);
		return -1;
	}
	snprintf(b->ws_url, sizeof(b->ws_url), "%s", websocket);
	return 0;
}

/* While /config.js loads: connect to the WebSocket the link gives without it (and the
 * overrides), which is where most deployments have it, so that its TCP, TLS and upgrade
 * round trips overlap the fetch's. The XMPP stream waits for the settings (config.js may
 * name another domain); connect_ws keeps the connection if they name the same WebSocket, else
 * closes it. Failing here says nothing: connect_ws connects as if this had not been. Not with a
 * token: it goes in the URL, only to the WebSocket the settings name. */
static void connect_early(struct backend *b)
{
	if (b->jwt)
		return;
	struct jitsi_settings *guess = calloc(1, sizeof(*guess));
	char err[256];
	if (guess && jitsi_settings_resolve(&b->link, NULL, &b->ov, guess, err, sizeof(err)) == 0)
		(void)open_ws(b, guess->websocket, true);
	free(guess);
}

/* The settings are known: open the WebSocket (or go on with the one connect_early opened). */
static void connect_ws(struct backend *b)
{
	if (b->ws && (b->set_rc < 0 || strcmp(b->ws_url, b->set.websocket))) {
		ws_close(b->ws); /* an early guess that config.js did not confirm */
		b->ws = NULL;
		b->ws_opened = false;
	}
	if (b->set_rc < 0) { /* -EPROTO: config.js's fault, else the command line's */
		session_be_fail(b->s, b->set_rc == -EPROTO ? TTM_EXIT_SERVER : TTM_EXIT_USAGE, false,
				"%s", b->set_err);
		return;
	}
	snprintf(b->room_jid, sizeof(b->room_jid), "%s@%s", b->set.room, b->set.muc);
	b->state = J_CONNECTING;
	if (b->offline_send) {
		ws_open_cb(b);
		return;
	}
	if (b->ws) { /* connect_early's, confirmed */
		if (b->ws_opened)
			ws_open_cb(b);
		return;
	}
	(void)open_ws(b, b->set.websocket, false);
}

/* /config.js arrived (or did not): resolve the settings from it, say what was not taken. */
static void on_config(void *user, int err, const char *body, size_t len, const char *why)
{
	struct backend *b = user;
	struct jitsi_configjs cj;
	b->fetch = NULL; /* it frees itself after this callback */
	b->config_done = true;
	if (err < 0) {
		session_be_notice(b->s, "no usable %s/config.js (%s): using Jitsi's defaults for "
				  "the link", b->link.origin, why);
	} else {
		jitsi_configjs_parse(body, len, &cj);
		for (int k = 0; k < JITSI_KEY_COUNT; k++)
			if (cj.refused[k])
				session_be_notice(b->s, "config.js: %s is not a plain value ttymeet can "
						  "use; %s", jitsi_key_name(k), k == JITSI_KEY_PRIVACY
						  ? "not shown" : "using the default");
	}
	b->set_rc = jitsi_settings_resolve(&b->link, err < 0 ? NULL : &cj, &b->ov, &b->set,
					   b->set_err, sizeof(b->set_err));
	/* a checked http(s) URL of printable ASCII without quotes (jitsi_valid_http_url) */
	if (b->set_rc == 0 && b->set.privacy_url[0])
		session_be_notice(b->s, "this deployment's privacy policy (legalUrls.privacy in its "
				  "config.js): %s", b->set.privacy_url);
	connect_ws(b);
}

static void jt_connect(struct backend *b)
{
	drop_transport(b);
	/* occupant names: 8 hex digits, as Jitsi's clients pick them (a resume keeps ours) */
	if (!b->sm_saved)
		snprintf(b->nick, sizeof(b->nick), "%08x", g_random_int());
	loop_once(&b->connect_timer, b->env.main, CONNECT_TIMEOUT_MS, connect_timeout_cb, b);
	bool all_given = b->ov.websocket && b->ov.domain && b->ov.muc && b->ov.focus;
	if (b->set_rc < 0 || b->config_done || all_given || b->offline_send) {
		connect_ws(b);
		return;
	}
	/* the deployment's settings, once per session (reconnects keep them) */
	b->state = J_CONFIG;
	if (jitsi_fetch_start(b->env.main, &b->link, b->cfg->insecure, on_config, b,
			      &b->fetch) < 0) {
		b->fetch = NULL;
		on_config(b, -ENOMEM, NULL, 0, "out of memory");
		return;
	}
	connect_early(b);
}

static void jt_drop(struct backend *b, const char *why)
{
	(void)why;
	drop_transport(b);
	b->state = J_IDLE;
}

static int jt_leave(struct backend *b)
{
	loop_source_drop(&b->connect_timer);
	loop_source_drop(&b->ping_timer);
	bool joined = b->state == J_JOINED || b->state == J_JOINING; /* J_LOBBY: lobby_jid */
	b->state = J_LEAVING;
	if (!b->x || (!b->ws && !b->offline_send))
		return -ENOTCONN;
	jcall_destroy(b->call, joined && xmpp_is_bound(b->x));
	b->call = NULL;
	if (joined && xmpp_is_bound(b->x))
		send_presence(b, true);
	else if (b->lobby_jid[0] && xmpp_is_bound(b->x))
		send_presence_to(b, b->lobby_jid, true);
	if (xmpp_close(b->x) < 0)
		return -ENOTCONN;
	return 0; /* the server closes the WebSocket after its <close/>: session_be_left (offline:
		   * the session's bound on the wait ends it) */
}

/* A new name is a new <nick> in our presence, as lib-jitsi-meet's setDisplayName sends it; the
 * room's echo of that presence confirms it (session_be_renamed). */
static int jt_set_name(struct backend *b, bool want_reply)
{
	if (b->state != J_JOINED)
		return -ENOTCONN;
	int rc = send_presence(b, false);
	if (rc == 0)
		b->rename_pending = want_reply;
	return rc;
}

static int jt_set_muted(struct backend *b, bool muted)
{
	(void)muted;
	if (b->state != J_JOINED)
		return 0; /* said in the join presence */
	int rc = send_presence(b, false);
	if (rc == 0)
		session_be_muted(b->s, session_be_muted_now(b->s));
	return rc;
}

static int jt_chat_send(struct backend *b, const char *to_user, const char *text)
{
	return b->state == J_JOINED ? jchat_send(b->chat, to_user, text) : -ENOTCONN;
}

static void jt_chat_wipe(struct backend *b)
{
	jchat_wipe(b->chat);
}

static const unsigned *jt_trickled(struct backend *b)
{
	(void)b;
	return NULL;
}

static int jt_offline(struct backend *b, int (*send)(void *user, const char *text, size_t len),
		      void *user)
{
	b->offline_send = send;
	b->offline_user = user;
	return 0;
}

static void jt_offline_feed(struct backend *b, const char *text, size_t len)
{
	if (b->state == J_JOINED)
		b->last_rx_us = g_get_monotonic_time();
	if (b->x)
		xmpp_feed(b->x, text, len);
}

/* --xmpp-user USER[@DOMAIN] and its password, copied (the caller wipes its own). A DOMAIN that
 * is not a host name is kept as part of the user name: the server will refuse it and say so. */
static int set_login(struct backend *b, const struct session_config *cfg)
{
	const char *at = strchr(cfg->xmpp_user, '@');
	size_t n = at ? (size_t)(at - cfg->xmpp_user) : strlen(cfg->xmpp_user);
	if (at && n > 0 && jitsi_valid_host(at + 1) && strlen(at + 1) < sizeof(b->login_at))
		snprintf(b->login_at, sizeof(b->login_at), "%s", at + 1);
	else
		n = strlen(cfg->xmpp_user);
	char *user = strndup(cfg->xmpp_user, n);
	char *pw = strdup(cfg->xmpp_password ? cfg->xmpp_password : "");
	if (!user || !pw) {
		free(user);
		secret_free(pw);
		return -ENOMEM;
	}
	b->login = (struct sasl_login){ .user = user, .password = pw,
					.plain_ok = cfg->xmpp_allow_plain };
	return 0;
}

static int jt_create(struct session *s, const struct backend_env *env, struct backend **out)
{
	const struct session_config *cfg = env->cfg;
	struct backend *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->s = s;
	b->env = *env;
	b->cfg = cfg;
	b->ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; i < 4; i++)
		snprintf(b->machine_uid + 8 * i, 9, "%08x", g_random_int());
	snprintf(b->stats_id, sizeof(b->stats_id), "tty-%06x", g_random_int() & 0xffffff);
	if (jchat_create(env->main, s, env->roster, &b->chat) < 0 ||
	    (cfg->jwt && !(b->jwt = strdup(cfg->jwt))) ||
	    (cfg->xmpp_user && set_login(b, cfg) < 0)) {
		jchat_destroy(b->chat);
		g_hash_table_destroy(b->ids);
		secret_free(b->jwt);
		free(b);
		return -ENOMEM;
	}
	b->ov = (struct jitsi_overrides){ .websocket = cfg->xmpp_websocket,
					  .domain = cfg->xmpp_domain, .muc = cfg->xmpp_muc,
					  .focus = cfg->xmpp_focus };
	b->set_rc = jitsi_link_parse(cfg->url, &b->link, b->set_err, sizeof(b->set_err));
	if (b->set_rc == 0) /* without config.js until it is read (jt_connect) */
		b->set_rc = jitsi_settings_resolve(&b->link, NULL, &b->ov, &b->set, b->set_err,
						   sizeof(b->set_err));
	*out = b;
	return 0;
}

static void jt_destroy(struct backend *b)
{
	if (!b)
		return;
	drop_transport(b);
	jcall_destroy(b->call, false);
	xmpp_sm_free(b->sm_saved);
	jchat_destroy(b->chat);
	g_hash_table_destroy(b->ids);
	secret_free(b->jwt);
	free((char *)b->login.user);
	secret_free((char *)b->login.password);
	free(b);
}

const struct backend_ops jitsi_backend_ops = {
	.name = "jitsi",
	.create = jt_create,
	.destroy = jt_destroy,
	.connect = jt_connect,
	.drop = jt_drop,
	.leave = jt_leave,
	.set_name = jt_set_name,
	.set_muted = jt_set_muted,
	.chat_send = jt_chat_send,
	.chat_wipe = jt_chat_wipe,
	.video_receive = jt_video_receive,
	.video_show = jt_video_show,
	.video_follow = jt_video_follow,
	.video_stats = jt_video_stats,
	.trickled = jt_trickled,
	.offline = jt_offline,
	.offline_feed = jt_offline_feed,
};
