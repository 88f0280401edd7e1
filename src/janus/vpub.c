/* Our video in a Janus VideoRoom meeting (see src/janus/jb.h): published on the call's own
 * PeerConnection (b->pc, the meeting handle), so the room sees one participant with an audio
 * and a video stream, as a browser on the demo page publishes.
 *
 * Data flow: the publisher's offer (src/janus/vroom.c) gets a second, send-only video m-line
 * (sdp_write_av_offer: audio mid "0", video mid "1", one bundled transport); Janus's answer
 * gives the audio to src/media.c and the video m-line's payload type, mid and mid extension
 * to src/vsend.c, which sends through the same peer once it is connected. RTCP from the peer
 * goes to both (each takes the reports and feedback about its own SSRCs). The source and
 * encoder are opened at the first publish and kept for rejoins; a source that cannot be
 * opened, or a server that refuses our video, is said once as a video failure and the
 * meeting goes on with audio. Thread: the loop's thread.
 */
#include "src/janus/jb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define VIDEO_MID "1"
#define VIDEO_PT 96

int jb_vpub_open(struct backend *b)
{
	const struct session_config *c = b->cfg;
	char msg[256] = "";
	if (b->vsend || b->vpub_failed || !c->video.source)
		return b->vsend ? 0 : -ENOENT;
	struct vsend_config vc = { .source = c->video.source, .width = c->video.width,
				   .height = c->video.height, .fps = c->video.fps,
				   .kbps = c->video.kbps, .codec = c->video.codec,
				   .simulcast = c->video.simulcast, .cname = "ttymeet" };
	int rc = vsend_create(b->env.main, &vc, &b->vsend, msg, sizeof(msg));
	if (rc < 0) {
		b->vsend = NULL;
		b->vpub_failed = true;
		jb_video_publish_event(b, false, msg[0] ? msg : "cannot start the video");
	}
	return rc;
}

int jb_vpub_write_offer(struct backend *b, const struct sdp_audio_offer *a, char *buf,
			size_t cap)
{
	uint32_t ssrcs[VSEND_MAX_LAYERS];
	size_t n = vsend_ssrcs(b->vsend, ssrcs);
	struct sdp_video_offer v = {
		.mid = VIDEO_MID,
		.vp8_pt = VIDEO_PT,
		.ssrc = ssrcs[n - 1],
		.simulcast_low = n > 1 ? ssrcs[0] : 0,
		.cname = "ttymeet",
		.max_kbps = b->cfg->video.kbps ? (unsigned int)b->cfg->video.kbps : 150,
		.vp9 = b->cfg->video.codec == VIDEO_CODEC_VP9,
	};
	return sdp_write_av_offer(buf, cap, a, &v);
}

void jb_vpub_answer(struct backend *b, json_t *jsep)
{
	bool vp9 = b->cfg->video.codec == VIDEO_CODEC_VP9;
	const char *codec = vp9 ? "VP9" : "VP8";
	struct sdp_session *ans = NULL;
	const struct sdp_media *m = NULL;
	int pt = -1;
	if (!b->vsend || !b->pc)
		return;
	if (jpc_parse_jsep(jsep, "answer", &ans) == 0)
		for (int i = 0; i < ans->n_media && !m; i++)
			if (ans->media[i].kind == SDP_KIND_VIDEO && ans->media[i].port &&
			    !strcmp(ans->media[i].mid, VIDEO_MID) &&
			    ans->media[i].dir != SDP_DIR_INACTIVE)
				m = &ans->media[i];
	if (m)
		pt = sdp_find_codec(ans, m, codec, 90000);
	if (pt < 0) {
		jb_video_publish_event(b, false, vp9 ? "the server did not accept our VP9 video" :
						       "the server did not accept our VP8 video");
		goto out;
	}
	struct vsend_params vp = {
		.pt = (uint8_t)pt,
		.mid_ext_id = sdp_extmap_id(m, SDP_URI_MID),
		.mid = m->mid,
	};
	vsend_attach(b->vsend, jpc_peer(b->pc), &vp);
	b->vpub_attached = true;
out:
	sdp_session_destroy(ans);
}

void jb_vpub_state(struct backend *b, enum peer_state st, const char *reason)
{
	if (!b->vpub_attached)
		return;
	if (st == PEER_CONNECTED && !b->vpub_up) {
		b->vpub_up = true;
		jb_video_publish_event(b, true, NULL);
	} else if (st == PEER_FAILED || st == PEER_CLOSED) {
		jb_vpub_detach(b);
		jb_video_publish_event(b, false, reason);
	}
}

void jb_vpub_rtcp(struct backend *b, uint8_t *buf, size_t len)
{
	if (b->vpub_attached)
		vsend_on_rtcp(b->vsend, buf, len);
}

void jb_vpub_detach(struct backend *b)
{
	if (b->vsend && b->vpub_attached)
		vsend_detach(b->vsend);
	b->vpub_attached = b->vpub_up = false;
}

void jb_vpub_free(struct backend *b)
{
	jb_vpub_detach(b);
	vsend_destroy(b->vsend);
	b->vsend = NULL;
}

void jb_vpub_stats(struct backend *b, struct session_video_stats *out)
{
	struct vsend_stats st;
	if (!b->vsend)
		return;
	vsend_get_stats(b->vsend, &st);
	out->publishing = b->vpub_up;
	out->fps_out = st.fps;
	out->kbps_out = st.kbps;
}
