/* The session's video (see session.h): a VideoRoom link (src/videolink) started once the
 * audio join succeeded, on the same Janus session, remade with every rejoin. Its pictures
 * and state changes become session events; the preview follows the active speaker unless
 * the user chose a feed. A video failure is a notice, never the end of the meeting.
 */
#include "src/session.h"
#include "src/session_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "src/videolink.h"

static void on_frame(void *user, const struct videolink_feed *feed, const struct video_image *img)
{
	struct session *s = user;
	struct session_event ev = { .type = SESSION_EV_VIDEO_FRAME, .id = feed->id,
				    .name = feed->display, .image = img };
	s->video_frames++;
	session_emit(s, &ev);
}

static void on_showing(void *user, const struct videolink_feed *feed, const char *why)
{
	struct session *s = user;
	struct session_event ev = { .type = SESSION_EV_VIDEO, .on = feed != NULL,
				    .id = feed ? feed->id : 0, .name = feed ? feed->display : NULL,
				    .kind = feed ? feed->codec : NULL, .message = why };
	session_emit(s, &ev);
}

static void on_feeds(void *user)
{
	(void)user;
}

static void on_publish(void *user, bool ok, const char *why)
{
	struct session *s = user;
	struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "video",
				    .state = ok ? "connected" : "failed", .message = why };
	if (ok)
		ev.join_ms = (double)(g_get_monotonic_time() - s->t0) / 1000.0;
	session_emit(s, &ev);
}

static void on_notice(void *user, const char *text)
{
	struct session *s = user;
	struct session_event ev = { .type = SESSION_EV_NOTICE, .message = text };
	session_emit(s, &ev);
}

static void on_failed(void *user, const char *why)
{
	struct session *s = user;
	struct session_event ev = { .type = SESSION_EV_NOTICE, .message = why };
	session_emit(s, &ev);
}

void session_video_start(struct session *s)
{
	char msg[256] = "";
	if ((!s->video_cfg.receive && !s->video_cfg.source) || s->video || !s->janus)
		return;
	struct videolink_config vc = {
		.room = s->room,
		.display = s->name,
		.pin = s->pin,
		.peer = &s->peer_tpl,
		.receive = s->video_receive,
		.source = s->video_cfg.source,
		.width = s->video_cfg.width,
		.height = s->video_cfg.height,
		.fps = s->video_cfg.fps,
		.kbps = s->video_cfg.kbps,
		.codec = s->video_cfg.codec,
		.simulcast = s->video_cfg.simulcast,
	};
	struct videolink_callbacks cb = {
		.frame_cb = on_frame,
		.showing_cb = on_showing,
		.feeds_cb = on_feeds,
		.publish_cb = on_publish,
		.failed_cb = on_failed,
		.notice_cb = on_notice,
		.user = s,
	};
	if (videolink_start(s->main, s->janus, &vc, &cb, &s->video, msg, sizeof(msg)) < 0) {
		s->video = NULL;
		on_publish(s, false, msg[0] ? msg : "cannot start the video");
	}
}

void session_video_stop(struct session *s, const char *why)
{
	if (!s->video)
		return;
	bool was_showing = videolink_showing(s->video) != NULL;
	videolink_destroy(s->video);
	s->video = NULL;
	if (was_showing && why) {
		struct session_event ev = { .type = SESSION_EV_VIDEO, .message = why };
		session_emit(s, &ev);
	}
}

void session_video_rename(struct session *s)
{
	if (s->video)
		videolink_set_display(s->video, s->name);
}

bool session_video_route(struct session *s, const struct janus_event *ev)
{
	if (!s->video || !videolink_owns(s->video, ev->handle))
		return false;
	videolink_on_janus_event(s->video, ev);
	return true;
}

void session_video_talking(struct session *s, const char *name)
{
	const struct videolink_feed *f;
	if (s->video && name && (f = videolink_feed_by_name(s->video, name)))
		videolink_follow(s->video, f->id);
}

/* ---- public ---- */

int session_set_video(struct session *s, bool on)
{
	if (!s->video_cfg.receive && !s->video_cfg.source)
		return -ENOTSUP; /* video was not asked for at start (--no-video) */
	s->video_receive = on;
	if (s->video)
		videolink_set_receive(s->video, on);
	return 0;
}

bool session_video_on(const struct session *s)
{
	return s->video_receive;
}

int session_show_video(struct session *s, const char *name)
{
	if (!s->video)
		return -ENOTCONN;
	if (!name)
		return videolink_show_next(s->video);
	const struct videolink_feed *f = videolink_feed_by_name(s->video, name);
	return f ? videolink_show(s->video, f->id) : -ENOENT;
}

void session_get_video_stats(const struct session *s, struct session_video_stats *out)
{
	struct videolink_stats vs;
	memset(out, 0, sizeof(*out));
	out->frames = s->video_frames;
	if (!s->video)
		return;
	videolink_get_stats(s->video, &vs);
	out->receiving = vs.receiving;
	out->publishing = vs.publishing;
	out->fps_in = vs.rx.fps;
	out->kbps_in = vs.rx.kbps;
	out->fps_out = vs.tx.fps;
	out->kbps_out = vs.tx.kbps;
	out->width = vs.rx.width;
	out->height = vs.rx.height;
	out->lost = vs.rx.lost;
	out->nacks = vs.rx.nacked_seqs;
	out->plis = vs.rx.plis_sent;
}
