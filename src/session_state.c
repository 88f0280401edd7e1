/* The session's commands that go to its backend, and its read-only accessors (see session.h
 * and src/backend.h), apart from the connection logic of src/session.c. Thread: the loop's.
 */
#include "src/session.h"
#include "src/session_int.h"

#include <errno.h>
#include <string.h>

int session_set_muted(struct session *s, bool muted)
{
	s->muted = muted;
	if (s->media)
		media_set_muted(s->media, muted); /* stop sending at once, whatever the server says */
	if (s->state != ST_JOINED)
		return 0; /* applied at (re)join */
	return s->ops->set_muted(s->be, muted);
}

void session_be_muted(struct session *s, bool muted)
{
	if (s->state == ST_JOINED)
		roster_audio_muted(s->roster, s->self_id, muted);
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

/* ---- video ---- */

int session_set_video(struct session *s, bool on)
{
	if (!s->cfg.video.receive && !s->cfg.video.source)
		return -ENOTSUP; /* video was not asked for at start (--no-video) */
	s->video_receive = on;
	return s->ops->video_receive(s->be, on);
}

bool session_video_on(const struct session *s)
{
	return s->video_receive;
}

int session_show_video(struct session *s, const char *name)
{
	return s->ops->video_show(s->be, name);
}

void session_get_video_stats(const struct session *s, struct session_video_stats *out)
{
	memset(out, 0, sizeof(*out));
	s->ops->video_stats(s->be, out);
}

/* ---- what a backend may read ---- */

bool session_be_is_joined(const struct session *s)
{
	return s->state == ST_JOINED;
}

bool session_be_muted_now(const struct session *s)
{
	return s->muted;
}

const char *session_be_name(const struct session *s)
{
	return s->name;
}

bool session_be_video_receive(const struct session *s)
{
	return s->video_receive;
}

uint64_t session_be_self_id(const struct session *s)
{
	return s->self_id;
}
