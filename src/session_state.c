/* The session's mute command and its read-only accessors (see session.h), apart from the
 * connection logic of src/session.c. Thread: the loop's thread.
 */
#include "src/session.h"
#include "src/session_int.h"

#include <errno.h>
#include <jansson.h>

#include "net/janus.h"

static void on_configured(void *user, const struct janus_reply *r)
{
	struct session *s = user;
	if (r->err || s->state != ST_JOINED)
		return;
	roster_audio_muted(s->roster, s->self_id, s->muted);
}

int session_set_muted(struct session *s, bool muted)
{
	s->muted = muted;
	if (s->media)
		media_set_muted(s->media, muted); /* stop sending at once, whatever the server says */
	if (s->state != ST_JOINED)
		return 0; /* applied at (re)join */
	json_t *body = json_pack("{ss sb}", "request", "configure", "muted", muted);
	return body ? janus_message(s->janus, s->handle, body, NULL, on_configured, s) : -ENOMEM;
}

bool session_is_muted(const struct session *s)
{
	return s->muted;
}

int session_exit_code(const struct session *s)
{
	return s->exit_code;
}

bool session_is_done(const struct session *s)
{
	return s->state == ST_DONE;
}

unsigned session_participant_count(const struct session *s, bool *exact)
{
	if (exact)
		*exact = roster_count_exact(s->roster);
	return roster_count(s->roster);
}

void session_foreach_participant(const struct session *s,
				 void (*fn)(void *user, const struct session_participant *p),
				 void *user)
{
	roster_foreach(s->roster, fn, user);
}
