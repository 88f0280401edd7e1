/* The Jitsi backend's media (see jt.h): the room's Jingle sessions (src/jitsi/call.c) told
 * what they need from the backend (the XMPP stream, the roster, the session's events), and
 * the video they bring shown as the session's video. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/jitsi/jt.h"
#include "src/roster.h"

static int c_send_iq(void *user, const char *to, const char *jingle)
{
	struct backend *b = user;
	char id[32], eto[JINGLE_OWNER_MAX * 6];
	if (!b->x || xml_escape(to, eto, sizeof(eto)) < 0)
		return -EINVAL;
	xmpp_next_id(b->x, id, sizeof(id));
	size_t len = strlen(eto) + strlen(jingle) + 128;
	char *st = malloc(len);
	if (!st)
		return -ENOMEM;
	snprintf(st, len, "<iq xmlns='" XMPP_NS_CLIENT "' type='set' to='%s' id='%s'>%s</iq>", eto,
		 id, jingle);
	int rc = xmpp_send(b->x, st);
	free(st);
	return rc;
}

static void c_answer(void *user, const struct xml_node *iq, const char *error)
{
	struct backend *b = user;
	if (b->x)
		xmpp_answer(b->x, iq, NULL, error);
}

static enum jcall_who c_who(void *user, const char *nick, uint64_t *id)
{
	struct backend *b = user;
	if (b->focus_occ[0] && !strcmp(nick, b->focus_occ))
		return JCALL_FOCUS;
	*id = jt_occupant_id(b, nick, false);
	return *id && roster_get(b->env.roster, *id) ? JCALL_OCCUPANT : JCALL_NOBODY;
}

static const char *c_name(void *user, uint64_t id)
{
	struct backend *b = user;
	const struct session_participant *p = roster_get(b->env.roster, id);
	return p ? p->name : NULL;
}

static void c_talking(void *user, uint64_t id, bool on)
{
	struct backend *b = user;
	roster_audio_talking(b->env.roster, id, on);
}

/* The bridge's dominant speaker: the roster's main speaker. */
static void c_dominant(void *user, uint64_t id)
{
	struct backend *b = user;
	roster_set_speaker(b->env.roster, id);
}

static void c_audio(void *user, bool up, gint64 t_ice, gint64 t_dtls, const char *how)
{
	struct backend *b = user;
	if (up)
		session_be_audio_up(b->s, t_ice, t_dtls, how);
	else
		session_be_audio_down(b->s, false, how);
}

static void c_notice(void *user, const char *msg)
{
	struct backend *b = user;
	session_be_notice(b->s, "%s", msg);
}

/* A picture of the active session's video: shown while video is on (the first of each
 * sender also says whose it is, as a VIDEO event). */
static void c_frame(void *user, uint64_t id, const struct video_image *img)
{
	struct backend *b = user;
	const struct session_participant *p = id ? roster_get(b->env.roster, id) : NULL;
	const char *name = p ? p->name : "the bridge";
	if (!session_be_video_receive(b->s))
		return;
	if (b->video_from != id + 1) {
		b->video_from = id + 1;
		struct session_event ev = { .type = SESSION_EV_VIDEO, .on = true, .id = id,
					    .name = name, .kind = "vp8" };
		session_be_emit(b->s, &ev);
	}
	struct session_event ev = { .type = SESSION_EV_VIDEO_FRAME, .id = id, .name = name,
				    .image = img };
	b->video_frames++;
	session_be_emit(b->s, &ev);
}

/* Our video went out on a session (the media event of kind video), or cannot. */
static void c_video_sent(void *user, bool ok, const char *how)
{
	struct backend *b = user;
	struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "video",
				    .state = ok ? "connected" : "failed", .message = how };
	if (ok)
		ev.join_ms = (double)(g_get_monotonic_time() - b->cfg->t0) / 1000.0;
	session_be_emit(b->s, &ev);
}

/* The room's Jingle sessions, from the join on. */
int jt_call_start(struct backend *b)
{
	if (b->call)
		return 0;
	const struct session_config *c = b->cfg;
	struct vsend_config vc = { .source = c->video.source, .width = c->video.width,
				   .height = c->video.height, .fps = c->video.fps,
				   .kbps = c->video.kbps, .codec = VIDEO_CODEC_VP8,
				   .cname = b->nick };
	struct jcall_config cc = { .main = b->env.main, .peer = b->env.peer, .media = b->env.media,
				   .room = b->room_jid, .self = xmpp_jid(b->x), .nick = b->nick,
				   .no_p2p = b->cfg->no_p2p, .video = b->cfg->video.receive,
				   .ws = b->env.ws, .insecure = b->cfg->insecure,
				   .video_out = c->video.source ? &vc : NULL };
	struct jcall_cbs cb = { .send_iq = c_send_iq, .answer = c_answer, .who = c_who,
				.name = c_name, .talking = c_talking, .audio = c_audio,
				.notice = c_notice, .frame = c_frame, .video_sent = c_video_sent,
				.dominant = c_dominant, .user = b };
	int rc = jcall_create(&cc, &cb, &b->call);
	if (rc == 0) /* (/video off before the join) */
		jcall_set_video(b->call, session_be_video_receive(b->s));
	return rc;
}

/* Video is received when the sessions were answered with it (--video at the start); on and
 * off then show or hide its pictures and ask the bridge for video or none (jcall_set_video). */
int jt_video_receive(struct backend *b, bool on)
{
	if (on && !b->cfg->video.receive)
		return -EOPNOTSUPP;
	if (!on)
		b->video_from = 0;
	jcall_set_video(b->call, on);
	return 0;
}

/* /video NAME: that participant's video (through the bridge: put on stage by the bridge
 * channel; NULL: back to whoever speaks). */
int jt_video_show(struct backend *b, const char *name)
{
	const char *nick = NULL;
	if (!b->cfg->video.receive)
		return -ENOTSUP;
	if (name && !(nick = roster_chat_user_named(b->env.roster, name)))
		return -ENOENT;
	return jcall_show(b->call, nick);
}

void jt_video_follow(struct backend *b, const char *name)
{
	(void)b, (void)name;
}

void jt_video_stats(struct backend *b, struct session_video_stats *out)
{
	struct vrecv_stats rx;
	memset(out, 0, sizeof(*out));
	out->frames = b->video_frames;
	if (jcall_video_stats(b->call, &rx) < 0)
		return;
	out->receiving = session_be_video_receive(b->s);
	out->fps_in = rx.fps;
	out->kbps_in = rx.kbps;
	out->width = rx.width;
	out->height = rx.height;
	out->lost = rx.lost;
	out->nacks = rx.nacks_sent;
	out->plis = rx.plis_sent;
}

