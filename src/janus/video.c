/* The Janus backend's video (see src/janus/jb.h): a VideoRoom link (src/janus/videolink.c)
 * started once the audio join succeeded, on the same Janus session, remade with every
 * rejoin. In a VideoRoom call the link makes no join of its own: the meeting handle's room
 * data comes through jb_video_room_event, and our video goes out on the call's
 * PeerConnection (src/janus/vpub.c). Its pictures and state changes become session events; the preview follows the
 * active speaker unless the user chose a feed. A video failure is a notice, never the end of
 * the meeting.
 */
#include "src/janus/jb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void on_frame(void *user, const struct videolink_feed *feed, const struct video_image *img)
{
	struct backend *b = user;
	struct session_event ev = { .type = SESSION_EV_VIDEO_FRAME, .id = feed->id,
				    .name = feed->display, .image = img };
	b->video_frames++;
	session_be_emit(b->s, &ev);
}

static void on_showing(void *user, const struct videolink_feed *feed, const char *why)
{
	struct backend *b = user;
	struct session_event ev = { .type = SESSION_EV_VIDEO, .on = feed != NULL,
				    .id = feed ? feed->id : 0, .name = feed ? feed->display : NULL,
				    .kind = feed ? feed->codec : NULL, .message = why };
	session_be_emit(b->s, &ev);
}

static void on_feeds(void *user)
{
	(void)user;
}

void jb_video_publish_event(struct backend *b, bool ok, const char *why)
{
	struct session_event ev = { .type = SESSION_EV_MEDIA, .kind = "video",
				    .state = ok ? "connected" : "failed", .message = why };
	if (ok)
		ev.join_ms = (double)(g_get_monotonic_time() - b->cfg->t0) / 1000.0;
	session_be_emit(b->s, &ev);
}

static void on_publish(void *user, bool ok, const char *why)
{
	jb_video_publish_event(user, ok, why);
}

static void on_notice(void *user, const char *text)
{
	struct backend *b = user;
	session_be_notice(b->s, "%s", text);
}

void jb_video_start(struct backend *b)
{
	const struct session_config *c = b->cfg;
	char msg[256] = "";
	bool meeting = b->room_chosen == JB_ROOM_VIDEOROOM;
	if ((!c->video.receive && !c->video.source) || b->video || !b->janus)
		return;
	struct videolink_config vc = {
		.room = c->room,
		.display = session_be_name(b->s),
		.pin = c->pin,
		.peer = b->env.peer,
		.receive = session_be_video_receive(b->s),
		.source = c->video.source,
		.width = c->video.width,
		.height = c->video.height,
		.fps = c->video.fps,
		.kbps = c->video.kbps,
		.codec = c->video.codec,
		.simulcast = c->video.simulcast,
		/* a VideoRoom call: the meeting handle is our participant and carries our video
		 * (src/janus/vpub.c); the link only previews */
		.meeting_self_id = meeting ? session_be_self_id(b->s) : 0,
	};
	if (meeting)
		vc.source = NULL;
	struct videolink_callbacks cb = {
		.frame_cb = on_frame,
		.showing_cb = on_showing,
		.feeds_cb = on_feeds,
		.publish_cb = on_publish,
		.failed_cb = on_notice,
		.notice_cb = on_notice,
		.user = b,
	};
	if (videolink_start(b->env.main, b->janus, &vc, &cb, &b->video, msg, sizeof(msg)) < 0) {
		b->video = NULL;
		on_publish(b, false, msg[0] ? msg : "cannot start the video");
	}
}

void jb_video_stop(struct backend *b, const char *why)
{
	if (!b->video)
		return;
	bool was_showing = videolink_showing(b->video) != NULL;
	videolink_destroy(b->video);
	b->video = NULL;
	if (was_showing && why) {
		struct session_event ev = { .type = SESSION_EV_VIDEO, .message = why };
		session_be_emit(b->s, &ev);
	}
}

bool jb_video_route(struct backend *b, const struct janus_event *ev)
{
	if (!b->video || !videolink_owns(b->video, ev->handle))
		return false;
	videolink_on_janus_event(b->video, ev);
	return true;
}

void jb_video_room_event(struct backend *b, json_t *data)
{
	if (b->video)
		videolink_room_event(b->video, data);
}

void jb_video_follow(struct backend *b, const char *name)
{
	const struct videolink_feed *f;
	if (b->video && name && (f = videolink_feed_by_name(b->video, name)))
		videolink_follow(b->video, f->id);
}

int jb_video_receive(struct backend *b, bool on)
{
	if (b->video)
		videolink_set_receive(b->video, on);
	return 0;
}

int jb_video_show(struct backend *b, const char *name)
{
	if (!b->video)
		return -ENOTCONN;
	if (!name)
		return videolink_show_next(b->video);
	const struct videolink_feed *f = videolink_feed_by_name(b->video, name);
	return f ? videolink_show(b->video, f->id) : -ENOENT;
}

void jb_video_stats(struct backend *b, struct session_video_stats *out)
{
	struct videolink_stats vs;
	out->frames = b->video_frames;
	jb_vpub_stats(b, out);
	if (!b->video)
		return;
	videolink_get_stats(b->video, &vs);
	out->receiving = vs.receiving;
	out->fps_in = vs.rx.fps;
	out->kbps_in = vs.rx.kbps;
	if (!b->vsend) { /* not a VideoRoom call's: the link publishes */
		out->publishing = vs.publishing;
		out->fps_out = vs.tx.fps;
		out->kbps_out = vs.tx.kbps;
	}
	out->width = vs.rx.width;
	out->height = vs.rx.height;
	out->lost = vs.rx.lost;
	out->nacks = vs.rx.nacked_seqs;
	out->plis = vs.rx.plis_sent;
}
