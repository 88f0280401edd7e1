/* Renaming ourselves in the meeting (session_set_name, /nick).
 *
 * The backend renames us on the server (ops->set_name; Janus: src/janus/nick.c) and says
 * whether it was taken (session_be_renamed); the others' rosters rename us from the server's
 * events (src/roster.c: roster_audio_update with a new name emits RENAMED).
 *
 * s->name becomes the new name when the request goes out, so that anything the backend sends
 * meanwhile (Janus: the claim of our chat identity, which carries our name) does not put the
 * old name back; if the server refuses, the old name returns (and is sent again). Part of the
 * session (src/session_int.h). Thread: the loop's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/session_int.h"
#include "src/text.h"

static void emit_renamed(struct session *s)
{
	struct session_event ev = { .type = SESSION_EV_RENAMED, .id = s->self_id, .name = s->name,
				    .old_name = s->nick_old, .self = true };
	roster_rename(s->roster, s->self_id, s->name); /* no event: ours follows */
	session_emit(s, &ev);
}

void session_be_renamed(struct session *s, bool refused, const char *reason, int code)
{
	if (!s->nick_pending)
		return;
	s->nick_pending = false;
	if (refused) { /* the old name stays */
		char *old = strdup(s->nick_old), msg[300];
		if (old) {
			snprintf(msg, sizeof(msg), "the server refused the name \"%s\": %s (%d)",
				 s->name, reason ? reason : "", code);
			free(s->name);
			s->name = old;
			if (s->state == ST_JOINED)
				s->ops->set_name(s->be, false); /* anything sent meanwhile had the
								 * new name */
		} else {
			snprintf(msg, sizeof(msg), "the server refused the new name: %s (%d)",
				 reason ? reason : "", code);
		}
		struct session_event ev = { .type = SESSION_EV_NOTICE, .message = msg };
		session_emit(s, &ev);
		return;
	}
	/* Taken; or no answer came (the transport went, or the request timed out): s->name
	 * stays the new one, which every later join (a reconnect) uses. */
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
	if (s->state != ST_JOINED)
		return -ENOTCONN;
	char *n = strdup(name), *old = s->name;
	if (!n)
		return -ENOMEM;
	s->name = n;
	int rc = s->ops->set_name(s->be, true);
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
