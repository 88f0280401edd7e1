/* The chat of a Jitsi meeting over the room's MUC (contract in chat.h).
 *
 * Data flow: jchat_send builds the stanza in locked, wiping memory (net/lockpool.h) and hands
 * it to the XMPP stream; a private line is also queued (locked) as its own echo, which an idle
 * source hands to the session (events never come from inside a session_* call). Incoming
 * messages are read by src/jitsi/muc.c into a struct on the stack that is wiped after use.
 */
#include "src/jitsi/chat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/lockpool.h"
#include "net/loop.h"
#include "src/backend.h"
#include "src/jitsi/muc.h"
#include "src/roster.h"
#include "src/session.h"
#include "src/text.h"

#define ECHO_MAX 16 /* private lines sent whose echo is not shown yet */
#define NS_NICK "http://jabber.org/protocol/nick"

struct echo {
	char to[SESSION_NAME_MAX]; /* the recipient as the roster shows them */
	char text[];
};

struct jchat {
	GMainContext *main;
	struct session *s;
	struct roster *roster;
	struct xmpp *x;     /* NULL: not joined */
	char room_jid[XMPP_JID_MAX + 1];
	char nick[MUC_OCC_MAX];
	GQueue echoes;      /* struct echo*, lockpool memory */
	GSource *echo_idle;
	unsigned subjects;  /* subject notices said this join (at most a few) */
};

int jchat_create(GMainContext *main, struct session *s, struct roster *roster,
		 struct jchat **out)
{
	struct jchat *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->main = main;
	c->s = s;
	c->roster = roster;
	g_queue_init(&c->echoes);
	*out = c;
	return 0;
}

void jchat_wipe(struct jchat *c)
{
	struct echo *e;
	if (!c)
		return;
	loop_source_drop(&c->echo_idle);
	while ((e = g_queue_pop_head(&c->echoes)))
		lockpool_free(e); /* overwrites */
}

void jchat_destroy(struct jchat *c)
{
	if (!c)
		return;
	jchat_wipe(c);
	free(c);
}

void jchat_joined(struct jchat *c, struct xmpp *x, const char *room_jid, const char *nick)
{
	c->x = x;
	snprintf(c->room_jid, sizeof(c->room_jid), "%s", room_jid);
	snprintf(c->nick, sizeof(c->nick), "%s", nick);
	c->subjects = 0;
}

void jchat_drop(struct jchat *c)
{
	c->x = NULL;
	jchat_wipe(c);
}

static gboolean echo_cb(gpointer data)
{
	struct jchat *c = data;
	struct echo *e;
	loop_source_drop(&c->echo_idle);
	while ((e = g_queue_pop_head(&c->echoes))) {
		session_be_chat_message(c->s, NULL, NULL, e->to, e->text, true, true);
		lockpool_free(e);
	}
	return G_SOURCE_REMOVE;
}

int jchat_send(struct jchat *c, const char *to_user, const char *text)
{
	char name[SESSION_NAME_MAX * 6 + 1], to[MUC_OCC_MAX * 6 + 1];
	size_t tl = strlen(text);
	if (!c->x)
		return -ENOTCONN;
	if (tl > SESSION_CHAT_MAX)
		return -EMSGSIZE;
	if (to_user && (strlen(to_user) >= MUC_OCC_MAX || xml_escape(to_user, to, sizeof(to)) < 0))
		return -EINVAL;
	if (to_user && g_queue_get_length(&c->echoes) >= ECHO_MAX)
		return -EAGAIN; /* stays queued until the echoes went out */
	if (xml_escape(session_be_name(c->s), name, sizeof(name)) < 0)
		return -EINVAL;
	/* the stanza, and the escaped text in it, live in locked memory that is wiped on free */
	size_t cap = tl * 6 + sizeof(name) + sizeof(to) + strlen(c->room_jid) + 256;
	char *body = lockpool_alloc(tl * 6 + 1), *st = lockpool_alloc(cap);
	struct echo *e = to_user ? lockpool_alloc(sizeof(*e) + tl + 1) : NULL;
	int rc = -ENOMEM;
	if (!body || !st || (to_user && !e))
		goto out;
	if (xml_escape(text, body, tl * 6 + 1) < 0) {
		rc = -EINVAL;
		goto out;
	}
	snprintf(st, cap, "<message xmlns='" XMPP_NS_CLIENT "' to='%s%s%s' type='%s'><body>%s</body>"
		 "<nick xmlns='" NS_NICK "'>%s</nick></message>", c->room_jid, to_user ? "/" : "",
		 to_user ? to : "", to_user ? "chat" : "groupchat", body, name);
	rc = xmpp_send(c->x, st);
	if (rc < 0 || !e)
		goto out;
	/* the room does not echo private messages: ours is shown from the loop, as sent */
	const struct session_participant *p = roster_chat_entry(c->roster, to_user);
	snprintf(e->to, sizeof(e->to), "%s", p ? p->name : to_user);
	memcpy(e->text, text, tl + 1);
	g_queue_push_tail(&c->echoes, e);
	e = NULL;
	if (!c->echo_idle) {
		c->echo_idle = g_idle_source_new();
		g_source_set_callback(c->echo_idle, echo_cb, c, NULL);
		g_source_attach(c->echo_idle, c->main);
	}
out:
	lockpool_free(body);
	lockpool_free(st);
	lockpool_free(e);
	return rc;
}

/* What the sender is called when the roster does not know them (history from someone who
 * left, a private line from someone whose presence did not come): the name in the message,
 * else the occupant name. */
static void fallback_name(const struct muc_message *m, char *out, size_t outlen)
{
	if (m->display[0])
		snprintf(out, outlen, "%s", m->display);
	else
		text_sanitize(m->occupant, strlen(m->occupant), out, outlen, false);
}

bool jchat_on_message(struct jchat *c, const struct xml_node *st)
{
	struct muc_message *m;
	char disp[SESSION_NAME_MAX];
	if (!c->x)
		return false;
	m = lockpool_alloc(sizeof(*m));
	if (!m)
		return false;
	int rc = muc_message_parse(st, c->room_jid, m);
	if (rc == -ENOENT) {
		lockpool_free(m);
		return false; /* not from our room */
	}
	bool self = rc == 0 && !strcmp(m->occupant, c->nick);
	if (rc < 0) {
		; /* an occupant name over bounds: nobody we list */
	} else if (m->kind == MUC_MSG_ERROR) {
		session_be_notice(c->s, "the room did not deliver a chat message: %s%s%s%s",
				  m->error, m->error_text[0] ? " (" : "", m->error_text,
				  m->error_text[0] ? ")" : "");
	} else if (m->kind == MUC_MSG_GROUPCHAT && !m->occupant[0]) {
		/* the room itself speaks (no sender): a server line */
		session_be_chat_message(c->s, NULL, NULL, NULL, m->text, false, false);
	} else if (m->kind == MUC_MSG_GROUPCHAT && m->delayed) {
		fallback_name(m, disp, sizeof(disp));
		session_be_chat_history(c->s, m->occupant, disp, m->text, m->stamp_us);
	} else if (m->kind == MUC_MSG_GROUPCHAT) {
		/* the room's echo of our own line is where it is shown, once, as ours */
		fallback_name(m, disp, sizeof(disp));
		session_be_chat_message(c->s, self ? NULL : m->occupant, disp, NULL, m->text, self,
					false);
	} else if (m->kind == MUC_MSG_PRIVATE && !self) {
		fallback_name(m, disp, sizeof(disp));
		session_be_chat_message(c->s, m->occupant, disp, NULL, m->text, false, true);
	} else if (m->kind == MUC_MSG_NONE && m->subject[0] && !m->delayed && c->subjects < 4) {
		c->subjects++;
		session_be_notice(c->s, "the meeting's subject: %s", m->subject);
	}
	lockpool_free(m); /* overwrites the text */
	explicit_bzero(disp, sizeof(disp));
	return true;
}
