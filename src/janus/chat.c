/* The Janus backend's chat (see src/janus/jb.h): the TextRoom chat link
 * (src/janus/chatlink.c) started once the call is joined, on the same Janus session.
 *
 * The chat room's users go to the roster (src/roster.h), which merges them with the call's
 * participants on evidence only. That evidence is ours to give too: once our chat join
 * succeeds, our AudioBridge display claims our chat username (src/chatid.h, an AudioBridge
 * "configure"), and only when Janus has taken the claim is the chat ready, so the others know
 * it is us before our first line arrives. Thread: the loop's thread.
 */
#include "src/janus/jb.h"

#include <errno.h>
#include <stdio.h>

#include "src/chatid.h"
#include "src/roster.h"
#include "src/session.h"

static void roster_add_peer(void *user, const char *username, const char *display)
{
	struct backend *b = user;
	roster_chat_join(b->env.roster, username, display, textroom_username_id(username));
}

static void chat_go(struct backend *b)
{
	b->chat_claiming = false;
	session_be_chat_up(b->s);
}

static void on_claimed(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	if (!b->chat_claiming || !b->chat_link)
		return; /* the link went meanwhile */
	b->chat_claimed = !r->err;
	if (r->err)
		session_be_notice(b->s, "the server did not take our chat identity (%s): the others "
				  "see our chat as chat-only", r->reason);
	chat_go(b);
}

/* Sets our AudioBridge display to our name plus the claim of username (NULL: no claim). */
static int set_claim(struct backend *b, const char *username, janus_reply_cb cb)
{
	const char *name = session_be_name(b->s);
	char claim[CHATID_HEX + 1], display[SESSION_NAME_MAX + 160];
	if (b->state != JB_JOINED || !b->handle)
		return -ENOTCONN;
	if (!username)
		snprintf(display, sizeof(display), "%s", name);
	else if (chatid_claim(username, claim), chatid_display(name, claim, display,
								sizeof(display)) < 0)
		return -ENOSPC;
	json_t *body = json_pack("{ss ss}", "request", "configure", "display", display);
	return body ? janus_message(b->janus, b->handle, body, NULL, cb, b) : -ENOMEM;
}

static void chat_ready(void *user)
{
	struct backend *b = user;
	/* The room's user list is the truth now (after a rejoin too). */
	roster_chat_sync_begin(b->env.roster);
	chatlink_foreach_peer(b->chat_link, roster_add_peer, b);
	roster_chat_sync_end(b->env.roster);
	if (chatlink_renames(b->chat_link))
		session_be_notice(b->s, "someone in the chat room had taken the chat name meant for "
				  "you; you joined under another, and only yours is shown as you");
	b->chat_claiming = true;
	if (set_claim(b, chatlink_username(b->chat_link), on_claimed) < 0)
		chat_go(b);
}

static void chat_event(void *user, const struct textroom_event *tev)
{
	struct backend *b = user;
	switch (tev->type) {
	case TEXTROOM_EV_MESSAGE:
		/* Janus set "from" to the sender's username: the line is that chat user's. */
		session_be_chat_message(b->s, tev->user, tev->name, tev->to, tev->text, tev->self,
					tev->private_msg);
		break;
	case TEXTROOM_EV_ANNOUNCEMENT:
		session_be_chat_message(b->s, NULL, NULL, tev->to, tev->text, tev->self,
					tev->private_msg);
		break;
	case TEXTROOM_EV_PEER_JOINED:
		roster_chat_join(b->env.roster, tev->user, tev->name, tev->peer_id);
		break;
	case TEXTROOM_EV_PEER_LEFT:
		roster_chat_leave(b->env.roster, tev->user);
		break;
	case TEXTROOM_EV_SEND_FAILED:
		session_be_notice(b->s, "the chat room refused a message: %s", tev->reason);
		break;
	default:
		break;
	}
}

static void chat_failed(void *user, const char *why)
{
	struct backend *b = user;
	b->chat_claiming = false;
	if (b->chat_claimed) /* our username is free now: whoever takes it is not us */
		set_claim(b, NULL, NULL);
	b->chat_claimed = false;
	chatlink_destroy(b->chat_link); /* safe inside its own callback */
	b->chat_link = NULL;
	roster_chat_clear(b->env.roster); /* who is in the chat room is unknown from now on */
	session_be_chat_down(b->s, why);
}

void jb_chat_start(struct backend *b)
{
	struct chatlink_config cc = {
		.room = b->cfg->room,
		.self_id = session_be_self_id(b->s),
		.display = session_be_name(b->s),
		.pin = b->cfg->pin,
		.peer = b->env.peer,
	};
	struct chatlink_callbacks cb = { chat_ready, chat_event, chat_failed, b };
	if (!b->env.peer->cert || b->chat_link)
		return;
	b->chat_claiming = b->chat_claimed = false; /* a new call join shows no claim */
	if (chatlink_start(b->env.main, b->janus, &cc, &cb, &b->chat_link) < 0) {
		b->chat_link = NULL;
		session_be_chat_down(b->s, "cannot start the chat");
	}
}

void jb_chat_stop(struct backend *b)
{
	if (b->chat_link) {
		chatlink_destroy(b->chat_link);
		b->chat_link = NULL;
	}
	b->chat_claiming = false;
}

int jb_chat_send(struct backend *b, const char *to_user, const char *text)
{
	if (!b->chat_link || b->chat_claiming)
		return -ENOTCONN;
	return chatlink_send(b->chat_link, to_user, text);
}

void jb_chat_wipe(struct backend *b)
{
	jb_chat_stop(b); /* private messages waiting for the server's answer */
}

bool jb_chat_route(struct backend *b, const struct janus_event *ev)
{
	if (!b->chat_link || ev->handle != chatlink_handle(b->chat_link))
		return false;
	if (ev->kind == JANUS_EV_HANGUP)
		chatlink_on_janus_event(b->chat_link, ev);
	else
		return false;
	return true;
}

/* Our display in the call: our name, plus the claim of our chat username while it is (being)
 * claimed (src/chatid.h). -ENOSPC if it does not fit. */
static int our_display(struct backend *b, char *out, size_t outlen)
{
	char claim[CHATID_HEX + 1];
	const char *name = session_be_name(b->s);
	if (!(b->chat_claiming || b->chat_claimed) || !b->chat_link) {
		int n = snprintf(out, outlen, "%s", name);
		return n < 0 || (size_t)n >= outlen ? -ENOSPC : 0;
	}
	chatid_claim(chatlink_username(b->chat_link), claim);
	return chatid_display(name, claim, out, outlen);
}

static void on_renamed(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	bool refused = r->err == -EPROTO || r->err == -EREMOTEIO;
	if (!refused && b->video)
		videolink_set_display(b->video, session_be_name(b->s));
	session_be_renamed(b->s, refused, r->reason, r->code);
}

/* Janus 1.1.2's AudioBridge takes a new display in a "configure" request and tells every
 * other participant with an "event" listing our entry (not us: we get "configured"). The new
 * display keeps the claim of our chat username, or the others would stop merging our chat
 * user into our call entry and show our chat lines as a chat-only stranger. The TextRoom has
 * no request that renames a user, so the chat room's user list keeps our old chat display;
 * ttymeet peers do not show it (they attribute our lines to the call entry the claim merges
 * them into), other clients may. A published video (VideoRoom) is renamed once the call took
 * the name. */
int jb_set_name(struct backend *b, bool want_reply)
{
	char display[SESSION_NAME_MAX + 160];
	if (b->state != JB_JOINED || !b->handle || !b->janus)
		return -ENOTCONN;
	int rc = our_display(b, display, sizeof(display));
	if (rc < 0)
		return rc;
	json_t *body = json_pack("{ss ss}", "request", "configure", "display", display);
	return body ? janus_message(b->janus, b->handle, body, NULL, want_reply ? on_renamed : NULL,
				    b) : -ENOMEM;
}
