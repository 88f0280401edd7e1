/* Renaming ourselves in the meeting (session_set_name, /nick).
 *
 * Janus 1.1.2's AudioBridge takes a new display in a "configure" request and tells every
 * other participant with an "event" listing our entry (not us: we get "configured"), so the
 * others' rosters rename us (src/roster.c: roster_audio_update with a new name emits
 * RENAMED). Our display also carries the claim of our chat username (src/chatid.h): the new
 * display carries the same claim, or the others would stop merging our chat user into our
 * call entry and show our chat lines as a chat-only stranger. The TextRoom has no request
 * that renames a user, so the chat room's user list keeps our old chat display; ttymeet
 * peers do not show it (they attribute our lines to the call entry the claim merges them
 * into), other clients may. A published video (VideoRoom) is renamed too (videolink).
 *
 * s->name becomes the new name when the request goes out, so that a claim sent while it is
 * on its way (src/session_chat.c uses s->name) does not put the old name back; if the server
 * refuses, the old name returns (and is sent again). Part of the session
 * (src/session_int.h). Thread: the loop's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/chatid.h"
#include "src/session_int.h"
#include "src/text.h"

int session_nick_display(struct session *s, char *out, size_t outlen)
{
	char claim[CHATID_HEX + 1];
	if (!(s->chat_claiming || s->chat_claimed) || !s->chat_link) {
		int n = snprintf(out, outlen, "%s", s->name);
		return n < 0 || (size_t)n >= outlen ? -ENOSPC : 0;
	}
	chatid_claim(chatlink_username(s->chat_link), claim);
	return chatid_display(s->name, claim, out, outlen);
}

static int send_display(struct session *s, janus_reply_cb cb)
{
	char display[SESSION_NAME_MAX + 160];
	int rc = session_nick_display(s, display, sizeof(display));
	if (rc < 0)
		return rc;
	json_t *body = json_pack("{ss ss}", "request", "configure", "display", display);
	return body ? janus_message(s->janus, s->handle, body, NULL, cb, s) : -ENOMEM;
}

static void emit_renamed(struct session *s)
{
	struct session_event ev = { .type = SESSION_EV_RENAMED, .id = s->self_id, .name = s->name,
				    .old_name = s->nick_old, .self = true };
	roster_rename(s->roster, s->self_id, s->name); /* no event: ours follows */
	session_emit(s, &ev);
}

static void on_renamed(void *user, const struct janus_reply *r)
{
	struct session *s = user;
	if (!s->nick_pending)
		return;
	s->nick_pending = false;
	if (r->err == -EPROTO || r->err == -EREMOTEIO) { /* refused: the old name stays */
		char *old = strdup(s->nick_old), msg[300];
		if (old) {
			snprintf(msg, sizeof(msg), "the server refused the name \"%s\": %s (%d)",
				 s->name, r->reason ? r->reason : "", r->code);
			free(s->name);
			s->name = old;
			if (s->state == ST_JOINED && s->handle)
				send_display(s, NULL); /* a claim sent meanwhile had the new name */
		} else {
			snprintf(msg, sizeof(msg), "the server refused the new name: %s (%d)",
				 r->reason ? r->reason : "", r->code);
		}
		struct session_event ev = { .type = SESSION_EV_NOTICE, .message = msg };
		session_emit(s, &ev);
		return;
	}
	/* Taken; or no answer came (the transport went, or the request timed out): s->name
	 * stays the new one, which every later join (a reconnect) uses. */
	session_video_rename(s);
	emit_renamed(s);
}

int session_set_name(struct session *s, const char *name)
{
	if (!name || !*name)
		return -EINVAL;
	if (strlen(name) > SESSION_NICK_MAX)
		return -ENAMETOOLONG;
	if (!text_is_clean_name(name))
		return -EINVAL;
	if (!strcmp(name, s->name))
		return -EALREADY;
	if (s->nick_pending)
		return -EBUSY;
	if (s->state != ST_JOINED || !s->handle || !s->janus)
		return -ENOTCONN;
	char *n = strdup(name), *old = s->name;
	if (!n)
		return -ENOMEM;
	s->name = n;
	int rc = send_display(s, on_renamed);
	if (rc < 0) { /* nothing went out: the old name stays */
		s->name = old;
		free(n);
		return rc;
	}
	snprintf(s->nick_old, sizeof(s->nick_old), "%s", old);
	free(old);
	s->nick_pending = true;
	return 0;
}

void session_nick_joined(struct session *s)
{
	if (!s->nick_pending)
		return;
	/* The answer was lost with the transport it went on (dropped without one); this join
	 * was made under the new name. */
	s->nick_pending = false;
	emit_renamed(s);
}

const char *session_name(const struct session *s)
{
	return s->name;
}

const char *session_name_error(int rc)
{
	switch (rc) {
	case -EINVAL:
		return "a name must be printable UTF-8 on one line, without control or invisible "
		       "characters, spaces at either end or two in a row";
	case -ENAMETOOLONG:
		return "the name is too long (at most 64 bytes)";
	case -EALREADY:
		return "that is our name already";
	case -EBUSY:
		return "a rename is still on its way";
	case -ENOTCONN:
		return "not in the meeting (yet, or at the moment)";
	case -ENOTSUP:
		return "this server cannot rename anyone";
	default:
		return strerror(-rc);
	}
}
