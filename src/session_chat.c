/* The session's chat: the chat link (src/chatlink.c) started once the room is joined, an
 * outbox that holds messages until the link is up, and the history in the chat store. The
 * chat room's users go to the roster (src/roster.h), which merges them with the call's
 * participants on evidence only. That evidence is ours to give too: once our chat join
 * succeeds, our AudioBridge display claims our chat username (src/chatid.h, an AudioBridge
 * "configure"), and only when Janus has taken the claim is the chat ready, so the others
 * know it is us before our first line arrives. A chat line is attributed to the roster entry
 * its sender is shown as; a sender that is not (yet) proven to be a call participant is a
 * chat-only identity (event chat_only). Part of the session (src/session_int.h). Thread: the
 * loop's thread.
 */
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "net/loop.h"
#include "src/chatid.h"
#include "src/secmem.h"
#include "src/session_int.h"
#include "src/text.h"

#define CHAT_STORE_BYTES (256 * 1024) /* chat history kept in locked memory */
#define CHAT_STORE_MSGS 2000
#define CHAT_RECIPIENT_WAIT_MS 6000 /* a private message waits this long, after it was
				     * written or the chat channel came up, for its recipient's
				     * chat user (someone who just joined the call or the chat has
				     * not proven their chat user yet; everyone's chat users
				     * rejoin after a reconnect) */
#define CHAT_OUTBOX_MAX 64            /* messages queued while the chat channel is not up */

static void emit_notice(struct session *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void emit_notice(struct session *s, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct session_event ev = { .type = SESSION_EV_NOTICE, .message = msg };
	session_emit(s, &ev);
}

/* Outbox messages live in libsodium's secure allocator like the history (sodium_free wipes). */
static void outgoing_free(struct outgoing *o)
{
	free(o->to);
	sodium_free(o);
}

struct named { const char *name; bool found; };

static void find_named(void *user, const struct session_participant *p)
{
	struct named *n = user;
	if (!p->self && !strcmp(p->name, n->name))
		n->found = true;
}

static void chat_flush(struct session *s);

static gboolean chat_wait_cb(gpointer data)
{
	struct session *s = data;
	loop_source_drop(&s->chat_wait_src);
	chat_flush(s);
	return G_SOURCE_REMOVE;
}

/* A private message to someone in the call whose chat user is not known (yet) waits, and is
 * tried again, for up to CHAT_RECIPIENT_WAIT_MS after it was written or the chat channel came
 * up (whichever is later); true while it should. */
static bool recipient_pending(struct session *s, const struct outgoing *o)
{
	struct named n = { o->to, false };
	gint64 since = MAX(o->queued_at, s->chat_ready_at);
	if (g_get_monotonic_time() - since > CHAT_RECIPIENT_WAIT_MS * 1000)
		return false;
	if (o->by_id)
		n.found = roster_get(s->roster, o->to_id) != NULL;
	else
		roster_foreach(s->roster, find_named, &n);
	if (!n.found)
		return false;
	if (!s->chat_wait_src) {
		s->chat_wait_src = g_timeout_source_new(250);
		g_source_set_callback(s->chat_wait_src, chat_wait_cb, s, NULL);
		g_source_attach(s->chat_wait_src, s->main);
	}
	return true;
}

/* Sends queued messages while the chat channel is up. */
static void chat_flush(struct session *s)
{
	struct outgoing *o;
	while (s->chat_ready && s->chat_link && (o = g_queue_peek_head(&s->outbox))) {
		/* Whom "to" names is the roster's call: the person shown under that name. */
		const char *to_user = o->by_id ? roster_chat_user_of(s->roster, o->to_id)
				    : o->to ? roster_chat_user_named(s->roster, o->to) : NULL;
		if ((o->to || o->by_id) && !to_user && recipient_pending(s, o))
			return; /* stays queued, in order */
		int rc = (o->to || o->by_id) && !to_user ? -ENOENT
							 : chatlink_send(s->chat_link, to_user, o->text);
		if (rc == -ENOTCONN || rc == -EAGAIN)
			return; /* stays queued */
		g_queue_pop_head(&s->outbox);
		if (rc == -ENOENT && o->by_id)
			emit_notice(s, "that person is not in the chat room (any more)");
		else if (rc == -ENOENT)
			emit_notice(s, "nobody named \"%s\" is in the chat room", o->to);
		else if (rc < 0)
			emit_notice(s, "a chat message of %zu bytes could not be sent (%s)",
				    strlen(o->text), strerror(-rc));
		outgoing_free(o);
	}
}

static void roster_add_peer(void *user, const char *username, const char *display)
{
	struct session *s = user;
	roster_chat_join(s->roster, username, display, textroom_username_id(username));
}

static void chat_go(struct session *s)
{
	s->chat_claiming = false;
	s->chat_ready = true;
	s->chat_ready_at = g_get_monotonic_time();
	struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "chat", .state = "connected" };
	session_emit(s, &ev);
	chat_flush(s);
}

static void on_claimed(void *user, const struct janus_reply *r)
{
	struct session *s = user;
	if (!s->chat_claiming || !s->chat_link)
		return; /* the link went meanwhile */
	s->chat_claimed = !r->err;
	if (r->err)
		emit_notice(s, "the server did not take our chat identity (%s): the others see our "
			    "chat as chat-only", r->reason);
	chat_go(s);
}

/* Sets our AudioBridge display to our name plus the claim of username (NULL: no claim). */
static int set_claim(struct session *s, const char *username, janus_reply_cb cb)
{
	char claim[CHATID_HEX + 1], display[SESSION_NAME_MAX + 160];
	if (s->state != ST_JOINED || !s->handle)
		return -ENOTCONN;
	if (!username)
		snprintf(display, sizeof(display), "%s", s->name);
	else if (chatid_claim(username, claim), chatid_display(s->name, claim, display,
								sizeof(display)) < 0)
		return -ENOSPC;
	json_t *body = json_pack("{ss ss}", "request", "configure", "display", display);
	return body ? janus_message(s->janus, s->handle, body, NULL, cb, s) : -ENOMEM;
}

static void chat_ready(void *user)
{
	struct session *s = user;
	/* The room's user list is the truth now (after a rejoin too). */
	roster_chat_sync_begin(s->roster);
	chatlink_foreach_peer(s->chat_link, roster_add_peer, s);
	roster_chat_sync_end(s->roster);
	if (chatlink_renames(s->chat_link))
		emit_notice(s, "someone in the chat room had taken the chat name meant for you; you "
			    "joined under another, and only yours is shown as you");
	s->chat_claiming = true;
	if (set_claim(s, chatlink_username(s->chat_link), on_claimed) < 0)
		chat_go(s);
}

static void chat_event(void *user, const struct textroom_event *tev)
{
	struct session *s = user;
	if (tev->type == TEXTROOM_EV_MESSAGE || tev->type == TEXTROOM_EV_ANNOUNCEMENT) {
		const char *from = tev->type == TEXTROOM_EV_MESSAGE ? tev->name : "(server)";
		uint64_t id = 0;
		bool chat_only = false;
		if (tev->self) {
			from = s->name;
			id = s->self_id;
		} else if (tev->type == TEXTROOM_EV_MESSAGE) {
			/* Janus set "from" to the sender's username: the line is that chat user's.
			 * It is a call participant's only if the roster merged them on evidence. */
			const struct session_participant *p = roster_chat_entry(s->roster,
										 tev->user);
			chat_only = !p || p->chat_only;
			if (p)
				id = p->id;
			if (p && !p->chat_only)
				from = p->name;
		}
		unsigned flags = (tev->self ? CHAT_FLAG_SELF : 0) |
				 (tev->private_msg ? CHAT_FLAG_PRIVATE : 0) |
				 (chat_only ? CHAT_FLAG_CHAT_ONLY : 0);
		chat_store_add(s->chat, g_get_real_time(), from, tev->to, tev->text,
			       strlen(tev->text), flags);
		struct session_event ev = { .type = SESSION_EV_CHAT, .name = from, .text = tev->text,
					    .self = tev->self, .private_msg = tev->private_msg,
					    .to = tev->to[0] ? tev->to : NULL, .id = id,
					    .chat_only = chat_only };
		session_emit(s, &ev);
	} else if (tev->type == TEXTROOM_EV_PEER_JOINED) {
		roster_chat_join(s->roster, tev->user, tev->name, tev->peer_id);
	} else if (tev->type == TEXTROOM_EV_PEER_LEFT) {
		roster_chat_leave(s->roster, tev->user);
	} else if (tev->type == TEXTROOM_EV_SEND_FAILED) {
		emit_notice(s, "the chat room refused a message: %s", tev->reason);
	}
}

static void chat_failed(void *user, const char *why)
{
	struct session *s = user;
	s->chat_ready = false;
	s->chat_claiming = false;
	if (s->chat_claimed) /* our username is free now: whoever takes it is not us */
		set_claim(s, NULL, NULL);
	s->chat_claimed = false;
	chatlink_destroy(s->chat_link); /* safe inside its own callback */
	s->chat_link = NULL;
	roster_chat_clear(s->roster); /* who is in the chat room is unknown from now on */
	struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "chat", .state = "failed",
				    .message = why };
	session_emit(s, &ev);
}

void session_chat_start(struct session *s)
{
	struct chatlink_config cc = {
		.room = s->room,
		.self_id = s->self_id,
		.display = s->name,
		.pin = s->pin,
		.peer = &s->peer_tpl,
	};
	struct chatlink_callbacks cb = { chat_ready, chat_event, chat_failed, s };
	if (!s->cert || s->chat_link)
		return;
	s->chat_claiming = s->chat_claimed = false; /* a new call join shows no claim */
	if (chatlink_start(s->main, s->janus, &cc, &cb, &s->chat_link) < 0) {
		s->chat_link = NULL;
		struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "chat",
					    .state = "failed", .message = "cannot start the chat" };
		session_emit(s, &ev);
	}
}

int session_chat_init(struct session *s)
{
	g_queue_init(&s->outbox);
	return chat_store_create(CHAT_STORE_BYTES, CHAT_STORE_MSGS, &s->chat);
}

void session_chat_check_locked(struct session *s)
{
	struct rlimit rl;
	if (chat_store_locked(s->chat))
		return;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		emit_notice(s, "chat memory is not locked (RLIMIT_MEMLOCK is %llu KB): chat may be "
			    "swapped out to disk", (unsigned long long)rl.rlim_cur / 1024);
	else
		emit_notice(s, "chat memory is not locked: chat may be swapped out to disk");
}

size_t session_chat_locked_bytes(void)
{
	return secmem_locked_size(CHAT_STORE_BYTES);
}

unsigned session_wipe_chat(struct session *s)
{
	struct outgoing *o;
	unsigned n = chat_store_count(s->chat) + g_queue_get_length(&s->outbox);
	while ((o = g_queue_pop_head(&s->outbox)))
		outgoing_free(o);
	chat_store_clear(s->chat);
	if (s->chat_link) { /* private messages waiting for the server's answer */
		chatlink_destroy(s->chat_link);
		s->chat_link = NULL;
		s->chat_ready = false;
	}
	return n;
}

void session_chat_free(struct session *s)
{
	struct outgoing *o;
	loop_source_drop(&s->chat_wait_src);
	while ((o = g_queue_pop_head(&s->outbox)))
		outgoing_free(o);
	chat_store_destroy(s->chat);
}

static int send_chat(struct session *s, const char *to, bool by_id, uint64_t to_id,
		     const char *text)
{
	size_t n = text ? strlen(text) : 0;
	if (n == 0 || (to && !*to))
		return -EINVAL;
	if (n > SESSION_CHAT_MAX)
		return -EMSGSIZE;
	if (g_queue_get_length(&s->outbox) >= CHAT_OUTBOX_MAX)
		return -ENOBUFS;
	/* sodium_malloc places the block at the end of its pages: a size that is a multiple of
	 * the struct's alignment keeps the struct aligned */
	size_t size = (sizeof(struct outgoing) + n + 1 + _Alignof(struct outgoing) - 1) /
		      _Alignof(struct outgoing) * _Alignof(struct outgoing);
	struct outgoing *o = sodium_malloc(size);
	if (!o)
		return -ENOMEM;
	/* What we send is sanitized like what we receive: our own screen shows it too. */
	text_sanitize(text, n, o->text, n + 1, true);
	o->to = to ? strdup(to) : NULL;
	if (!o->text[0] || (to && !o->to)) {
		outgoing_free(o);
		return -EINVAL;
	}
	o->by_id = by_id;
	o->to_id = to_id;
	o->queued_at = g_get_monotonic_time();
	g_queue_push_tail(&s->outbox, o);
	chat_flush(s);
	return 0;
}

int session_send_chat(struct session *s, const char *to, const char *text)
{
	return send_chat(s, to, false, 0, text);
}

int session_send_chat_to(struct session *s, uint64_t id, const char *text)
{
	return send_chat(s, NULL, true, id, text);
}

const struct chat_store *session_chat(const struct session *s)
{
	return s->chat;
}

