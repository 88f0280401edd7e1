/* The session's chat: an outbox that holds messages until the backend's chat channel is up,
 * and the history in the chat store (locked memory). The chat room's users are in the roster
 * (src/roster.h), which merges them with the call's participants on evidence only (the
 * backend gives it). A chat line is attributed to the roster entry its sender is shown as; a
 * sender that is not (yet) proven to be a call participant is a chat-only identity (event
 * chat_only). Part of the session (src/session_int.h). Thread: the loop's thread.
 */
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "net/dtls.h"
#include "net/lockpool.h"
#include "net/loop.h"
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


static gboolean chat_wait_cb(gpointer data)
{
	struct session *s = data;
	loop_source_drop(&s->chat_wait_src);
	session_chat_flush(s);
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
void session_chat_flush(struct session *s)
{
	struct outgoing *o;
	while (s->chat_ready && (o = g_queue_peek_head(&s->outbox))) {
		/* Whom "to" names is the roster's call: the person shown under that name. */
		const char *to_user = o->by_id ? roster_chat_user_of(s->roster, o->to_id)
				    : o->to ? roster_chat_user_named(s->roster, o->to) : NULL;
		if ((o->to || o->by_id) && !to_user && recipient_pending(s, o))
			return; /* stays queued, in order */
		int rc = (o->to || o->by_id) && !to_user ? -ENOENT
							 : s->ops->chat_send(s->be, to_user,
										   o->text);
		if (rc == -ENOTCONN || rc == -EAGAIN)
			return; /* stays queued */
		g_queue_pop_head(&s->outbox);
		if (rc == -ENOENT && o->by_id)
			session_be_notice(s, "that person is not in the chat room (any more)");
		else if (rc == -ENOENT)
			session_be_notice(s, "nobody named \"%s\" is in the chat room", o->to);
		else if (rc < 0)
			session_be_notice(s, "a chat message of %zu bytes could not be sent (%s)",
				    strlen(o->text), strerror(-rc));
		outgoing_free(o);
	}
}

void session_be_chat_up(struct session *s)
{
	s->chat_ready = true;
	s->chat_ready_at = g_get_monotonic_time();
	struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "chat", .state = "connected" };
	session_emit(s, &ev);
	session_chat_flush(s);
}

void session_be_chat_down(struct session *s, const char *why)
{
	s->chat_ready = false;
	struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "chat", .state = "failed",
				    .message = why };
	session_emit(s, &ev);
}

static void chat_message(struct session *s, const char *from_user, const char *display,
			 const char *to, const char *text, bool self, bool private_msg,
			 bool history, int64_t time_us)
{
	session_chat_check_locked(s); /* the pool may have had to grow into unlocked memory */
	const char *from = from_user ? display : "(server)";
	uint64_t id = 0;
	bool chat_only = false;
	if (self) {
		from = s->name;
		id = s->self_id;
	} else if (from_user) {
		/* The line is that chat user's. It is a call participant's only if the roster
		 * merged them on evidence. */
		const struct session_participant *p = roster_chat_entry(s->roster, from_user);
		chat_only = !p || p->chat_only;
		if (p)
			id = p->id;
		if (p && !p->chat_only)
			from = p->name;
	}
	unsigned flags = (self ? CHAT_FLAG_SELF : 0) | (private_msg ? CHAT_FLAG_PRIVATE : 0) |
			 (chat_only ? CHAT_FLAG_CHAT_ONLY : 0) | (history ? CHAT_FLAG_HISTORY : 0);
	chat_store_add(s->chat, time_us, from, to ? to : "", text, strlen(text), flags);
	struct session_event ev = { .type = SESSION_EV_CHAT, .name = from, .text = text,
				    .self = self, .private_msg = private_msg,
				    .to = to && to[0] ? to : NULL, .id = id,
				    .chat_only = chat_only, .history = history };
	session_emit(s, &ev);
}

void session_be_chat_message(struct session *s, const char *from_user, const char *display,
			     const char *to, const char *text, bool self, bool private_msg)
{
	chat_message(s, from_user, display, to, text, self, private_msg, false,
		     g_get_real_time());
}

void session_be_chat_history(struct session *s, const char *from_user, const char *display,
			     const char *text, int64_t time_us)
{
	gint64 now = g_get_real_time();
	/* a stamp in the future (a wrong clock, or a lie) is not believed */
	chat_message(s, from_user, display, NULL, text, false, false, true,
		     time_us > 0 && time_us <= now ? time_us : now);
}

int session_chat_init(struct session *s)
{
	g_queue_init(&s->outbox);
	return chat_store_create(CHAT_STORE_BYTES, CHAT_STORE_MSGS, &s->chat);
}

void session_chat_check_locked(struct session *s)
{
	struct rlimit rl;
	struct lockpool_stats ps;
	if (s->chat_unlocked_told)
		return;
	/* the store, and the pool every other copy of a message lives in (JSON, DTLS plaintext,
	 * SCTP packets and reassembly, the headless line): process-wide, so once one chunk of it
	 * could not be locked every session says so */
	lockpool_get_stats(&ps);
	if (chat_store_locked(s->chat) && ps.unlocked == 0)
		return;
	s->chat_unlocked_told = true;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		session_be_notice(s, "chat memory is not locked (RLIMIT_MEMLOCK is %llu KB): chat may be "
			    "swapped out to disk", (unsigned long long)rl.rlim_cur / 1024);
	else
		session_be_notice(s, "chat memory is not locked: chat may be swapped out to disk");
}

size_t session_chat_locked_bytes(void)
{
	/* the store, and the chat connection's DTLS plaintext buffer (its own pool pages) */
	return secmem_locked_size(CHAT_STORE_BYTES) + DTLS_MAX_APP_LEN;
}

unsigned session_wipe_chat(struct session *s)
{
	struct outgoing *o;
	unsigned n = chat_store_count(s->chat) + g_queue_get_length(&s->outbox);
	while ((o = g_queue_pop_head(&s->outbox)))
		outgoing_free(o);
	chat_store_clear(s->chat);
	if (s->be) { /* private messages waiting for the server's answer */
		s->ops->chat_wipe(s->be);
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
	session_chat_flush(s);
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

