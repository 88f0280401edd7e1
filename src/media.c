/* Audio media engine (see media.h).
 *
 * Clock: next_us advances by exactly 20 ms per frame; each wake-up processes every frame that
 * is due (at most a few, after a stall) and re-arms its one clock source for the next one; a
 * longer stall is skipped (a --record file gets silence for it, so it keeps the timeline).
 * Uplink per frame: read the source, measure the level (RFC 6464 value + VAD for the V bit),
 * encode unless muted, skip DTX packets (the timestamp still advances), packetize with the
 * audio-level and mid extensions, protect and send. Downlink per frame: jitter_get decides
 * decode / FEC / PLC / silence; the result goes to the sink. RTCP: SR (or RR while we send
 * nothing) with a report block about the server's stream and our CNAME, about once a second.
 *
 * Wake-ups: the server's packets arrive every 20 ms at their own phase, and each one wakes
 * the loop; so does each tick. Once a second the arrival times relative to the tick grid are
 * looked at: when 80 % of them fall into a window of at most COALESCE_MAX_US, at the same
 * place as a second before, the grid moves (by at most half a frame, the shorter way round;
 * once for a steady link, not again and again for a jittery one) so that the window ends at
 * the tick, and
 * a packet arriving in that window runs the tick at once, in its own wake-up (its frame is
 * then also decoded right after it arrived). Steady arrivals thus cost one wake-up per frame
 * instead of two; with a jittery link the grid stays and only ticks due within a millisecond
 * (the loop's timer granularity) are taken along. The clock still advances exactly 20 ms per
 * frame: nothing drifts, no frame is lost or repeated, a tick is early by at most the window.
 *
 * Forwarded streams (media_attach_recv): their packets come at many phases, so they are not
 * coalesced but batched: the receive peer is read once per tick, just before the frame
 * (peer_set_batched/peer_poll), and each packet goes to src/media_rx with its kernel arrival
 * time. A packet now waits in the socket instead of in its jitter buffer until the tick that
 * plays it (the same tick as before), and the buffers see the same arrival times; but N
 * talkers cost one wake-up per 20 ms instead of 50 x N a second. Each tick's downlink frame
 * is then the one stream's frame (if any) plus media_rx's decoded streams, through the soft
 * limiter (audio/mix.h). With no receive side, or when it adds nothing to a frame, the
 * one-stream frame is played as it was decoded. The receive side's receiver reports go out
 * on its own peer, on their own randomized one-second schedule.
 */
#include "src/media.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/clip.h"
#include "audio/codec.h"
#include "audio/device.h"
#include "audio/jitter.h"
#include "audio/level.h"
#include "audio/mix.h"
#include "net/rtcp.h"
#include "net/rtp.h"
#include "net/loop.h"
#include "src/media_rx.h"

#define FRAME_US 20000
#define DTX_KEEPALIVE_FRAMES 20 /* in silence, one DTX packet per 400 ms */
#define MAX_CATCHUP 5           /* frames processed per wake-up after a stall */
#define STALL_FILL_MAX 1500     /* silent frames a file sink gets for one stall: 30 s */
#define RTCP_INTERVAL_US 1000000
#define SILENT_DBOV (-55.0f)    /* decoded audio below this counts as silence */
#define COALESCE_MIN_US 1000    /* a tick due this soon always runs with an arriving packet */
#define COALESCE_MAX_US 8000    /* widest arrival window the grid is moved for */
#define PHASE_BINS (FRAME_US / 1000) /* arrivals by time left to the next tick, 1 ms bins */
#define STEER_PACKETS 50        /* look at the arrival phases once a second */

struct media {
	GMainContext *main;
	struct media_config cfg;
	char cname[64];
	struct audio_source *src;
	const struct audio_clip *clip; /* sent instead of src when set (not owned) */
	size_t clip_pos;
	struct audio_sink *sink;
	struct codec_enc *enc;
	struct codec_dec *dec;
	struct jitter *jb;
	struct peer *peer;
	struct media_params params;
	char mid[33];
	bool muted, source_ended;
	bool live_source; /* a capture device: may have several frames ready after a late tick */

	GSource *timer;
	gint64 next_us, next_rtcp_us;
	unsigned phase_hist[PHASE_BINS];
	unsigned phase_n;
	int steer_pending;  /* where the last narrow window was found (ms bin), -1 none */
	gint64 coalesce_us; /* a tick due this soon runs with an arriving packet */
	uint64_t ticks, ticks_coalesced;

	/* uplink */
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	bool was_silent; /* last frame was not sent: set the marker on the next one */
	unsigned dtx_run; /* DTX frames not sent since the last packet */
	uint32_t packets_sent, octets_sent;
	struct level_vad vad;
	struct level_meter meter_out;

	/* downlink */
	bool have_remote;
	uint32_t remote_ssrc;
	struct rtp_stats rstats;
	struct level_meter meter_in;
	gint64 last_voice_us, t_first_audio;
	uint64_t frames_played, frames_concealed, frames_fec, packets_received;

	/* RTCP */
	uint32_t last_sr_mid;   /* middle 32 bits of the last SR's NTP time */
	gint64 last_sr_arrival; /* monotonic µs */
	double rtt_ms, loss_up_pct;
	struct codec_loss_ctl loss_ctl; /* sizes the uplink FEC from the reported loss */
	uint32_t rr_ext_max; /* extended highest sequence number of the last report about us */
	bool rr_seen;        /* rr_ext_max is set */

	/* forwarded streams (media_attach_recv) */
	struct media_rx *rx;
	struct peer *rx_peer; /* may be NULL while rx is set (tests) */
	gint64 next_rx_rtcp_us;
	media_stream_cb stream_cb;
	void *stream_user;
	struct mix_limiter limiter;
	uint64_t rx_bytes_in_mark;
	uint32_t rx_expected, rx_lost; /* media_rx totals at the last media_get_stats */
	uint64_t frames_concealed_rx, frames_fec_rx; /* media_rx's, as of the last stats */

	/* interval stats */
	gint64 stats_since;
	uint32_t stats_expected, stats_lost; /* rtp_stats totals at the last media_get_stats */
	uint64_t bytes_in_mark, bytes_out_mark;
};

static uint64_t wall_us(void)
{
	return (uint64_t)g_get_real_time();
}

/* Sends one frame as an RTP packet: pcm encoded straight into it, or (pcm NULL) the clip
 * frame's packet copied; nothing when Opus says DTX. */
static void send_frame(struct media *m, const int16_t *pcm, const struct audio_clip_frame *cf,
		       float dbov, bool voice)
{
	uint32_t pkt32[(PEER_PACKET_MAX + SRTP_SESSION_HEADROOM) / 4];
	uint8_t *pkt = (uint8_t *)pkt32;
	struct rtp_header h = { .pt = m->params.opus_pt, .seq = m->seq, .ts = m->ts,
				.ssrc = m->ssrc, .marker = m->was_silent };
	struct rtp_writer w;
	bool with_mid = m->params.mid_ext_id > 0 && m->mid[0];
	bool ext = m->params.level_ext_id > 0 || with_mid;
	size_t room = 0;
	int n;

	m->ts += CODEC_FRAME;
	rtp_writer_init(&w, pkt, PEER_PACKET_MAX, &h, ext ? RTP_EXT_ONE_BYTE : RTP_EXT_NONE);
	if (m->params.level_ext_id > 0)
		rtp_writer_add_audio_level(&w, (uint8_t)m->params.level_ext_id, voice,
					   level_rfc6464(dbov));
	if (with_mid)
		rtp_writer_add_mid(&w, (uint8_t)m->params.mid_ext_id, m->mid);
	uint8_t *payload = rtp_writer_payload(&w, &room);
	if (!payload)
		return;
	if (pcm) {
		n = codec_enc_encode(m->enc, pcm, payload, room);
	} else {
		n = cf->len <= room ? (int)cf->len : -EMSGSIZE;
		if (n > 0)
			memcpy(payload, cf->data, cf->len);
	}
	bool dtx = n > 0 && codec_is_dtx(n);
	/* In silence Opus says DTX: nothing needs to go, but one DTX frame every
	 * DTX_KEEPALIVE_FRAMES does, as browsers send: a forwarding server's listeners (Janus
	 * VideoRoom) then tell silence (a packet every 400 ms) from mute (none at all). */
	if (n <= 0 || (dtx && ++m->dtx_run < DTX_KEEPALIVE_FRAMES)) {
		m->was_silent = true;
		return;
	}
	if (dtx) {
		m->dtx_run = 0;
		pkt[1] &= 0x7f; /* no marker: the talkspurt has not begun */
	}
	int len = rtp_writer_finish(&w, (size_t)n, 0);
	if (len <= 0)
		return;
	if (peer_send_rtp(m->peer, pkt, (size_t)len, sizeof(pkt32)) == 0) {
		m->seq++;
		m->packets_sent++;
		m->octets_sent += (uint32_t)n;
		m->was_silent = dtx; /* the next speech frame still starts a talkspurt */
		if (!dtx)
			m->dtx_run = 0;
	}
}

/* The shared clip's next frame into *cf; false at its end (unless it loops). */
static bool clip_next(struct media *m, struct audio_clip_frame *cf)
{
	if (m->clip_pos >= audio_clip_frames(m->clip)) {
		if (!m->cfg.source_loop) {
			m->source_ended = true;
			return false;
		}
		m->clip_pos = 0;
	}
	audio_clip_frame(m->clip, m->clip_pos++, cf);
	return true;
}

static void uplink_frame(struct media *m)
{
	int16_t pcm[AUDIO_FRAME];
	struct audio_clip_frame cf;
	int got = 0;

	/* A capture device may hold two frames after a late tick: take what is there. A file
	 * (or the clip) is paced by this clock alone: exactly one frame per tick. */
	for (int i = 0; i < (m->live_source ? 3 : 1); i++) {
		float dbov;
		bool voice;

		if (m->clip) {
			if (m->source_ended || !clip_next(m, &cf))
				break;
			dbov = cf.dbov, voice = cf.voice;
		} else {
			int rc = m->source_ended ? AUDIO_EOF : audio_source_read(m->src, pcm);
			if (rc == AUDIO_EOF)
				m->source_ended = true;
			if (rc != 1)
				break;
			dbov = level_dbov(pcm, AUDIO_FRAME);
			voice = level_vad_update(&m->vad, dbov, 20);
		}
		got++;
		level_meter_update(&m->meter_out, m->muted ? LEVEL_MIN_DBOV : dbov, 20);
		if (m->muted) {
			m->ts += CODEC_FRAME;
			m->was_silent = true;
			continue;
		}
		send_frame(m, m->clip ? NULL : pcm, &cf, dbov, voice);
	}
	if (!got && m->source_ended && !m->muted) {
		/* The file has ended: we are silent, not muted, and say so as a live microphone
		 * would, with silence, which Opus turns into DTX (a packet every 400 ms). */
		static const int16_t zeros[AUDIO_FRAME];
		level_meter_update(&m->meter_out, LEVEL_MIN_DBOV, 20);
		send_frame(m, zeros, &cf, LEVEL_MIN_DBOV, false);
	} else if (!got) { /* nothing captured (device behind, muted): time still passes */
		m->ts += CODEC_FRAME;
		m->was_silent = true;
		level_meter_update(&m->meter_out, LEVEL_MIN_DBOV, 20);
	}
}

/* The forwarded streams' frame added to the one-stream frame pcm (n samples of it valid),
 * through the limiter; returns the samples now valid in pcm. Only with a receive peer. */
static int mix_forwarded(struct media *m, gint64 now_us, int16_t pcm[AUDIO_FRAME], int n)
{
	float acc[AUDIO_FRAME];

	memset(acc, 0, sizeof(acc));
	if (n > 0)
		mix_add(acc, pcm, AUDIO_FRAME, 1.0f, 1.0f);
	if (media_rx_tick(m->rx, now_us, acc) == 0 && n <= 0)
		return n;
	mix_limit(&m->limiter, acc, pcm, AUDIO_FRAME);
	return AUDIO_FRAME;
}

static void downlink_frame(struct media *m, gint64 now_us)
{
	int16_t pcm[AUDIO_FRAME];
	struct jitter_frame f;
	int n = 0;

	jitter_get(m->jb, (uint64_t)(now_us / 1000), &f);
	if (m->cfg.no_decode) { /* nobody listens: the buffer's decisions still count */
		if (f.action == JITTER_PLC)
			m->frames_concealed++;
		else if (f.action == JITTER_FEC)
			m->frames_fec++;
		m->frames_played++;
		if (m->rx) /* levels, talking and stats of the forwarded streams */
			media_rx_tick(m->rx, now_us, NULL);
		return;
	}
	switch (f.action) {
	case JITTER_PACKET:
		n = codec_dec_decode(m->dec, f.data, f.len, pcm);
		if (n > 0 && n < AUDIO_FRAME) /* a shorter packet: pad with silence */
			memset(pcm + n, 0, sizeof(int16_t) * (size_t)(AUDIO_FRAME - n));
		if (n < 0)
			n = codec_dec_plc(m->dec, pcm), m->frames_concealed++;
		break;
	case JITTER_FEC:
		n = codec_dec_fec(m->dec, f.data, f.len, pcm);
		m->frames_fec++;
		break;
	case JITTER_PLC:
		n = codec_dec_plc(m->dec, pcm);
		m->frames_concealed++;
		break;
	case JITTER_WAIT:
		break;
	}
	if (m->rx)
		n = mix_forwarded(m, now_us, pcm, n);
	if (n <= 0)
		memset(pcm, 0, sizeof(pcm));
	float dbov = level_dbov(pcm, AUDIO_FRAME);
	level_meter_update(&m->meter_in, dbov, 20);
	if (dbov > SILENT_DBOV) {
		m->last_voice_us = now_us;
		if (!m->t_first_audio)
			m->t_first_audio = now_us;
	}
	m->frames_played++;
	audio_sink_write(m->sink, pcm);
}

static void send_rtcp(struct media *m)
{
	uint32_t buf32[(PEER_PACKET_MAX + SRTP_SESSION_HEADROOM) / 4];
	uint8_t *buf = (uint8_t *)buf32;
	struct rtcp_writer w;
	struct rtcp_report_block rb = { 0 };
	size_t nblocks = 0;

	if (m->have_remote) {
		rtcp_report_block_fill(&rb, m->remote_ssrc, &m->rstats, m->last_sr_mid,
				       (uint64_t)m->last_sr_arrival, (uint64_t)g_get_monotonic_time());
		nblocks = 1;
	}
	rtcp_writer_init(&w, buf, PEER_PACKET_MAX);
	if (m->packets_sent) {
		struct rtcp_sender_info si = {
			.ntp = rtcp_ntp_from_unix_us(wall_us()),
			.rtp_ts = m->ts,
			.packets = m->packets_sent,
			.octets = m->octets_sent,
		};
		rtcp_write_sr(&w, m->ssrc, &si, &rb, nblocks);
	} else {
		rtcp_write_rr(&w, m->ssrc, &rb, nblocks);
	}
	rtcp_write_sdes_cname(&w, m->ssrc, m->cname);
	int len = rtcp_writer_finish(&w);
	if (len > 0)
		peer_send_rtcp(m->peer, buf, (size_t)len, sizeof(buf32));
}

/* A --record file keeps the call's timeline through a stall the clock skips (a busy machine,
 * a stopped process): the frames skipped are written as silence, at most STALL_FILL_MAX of
 * them (a suspended laptop's hours are not written out). What was received meanwhile is
 * still in the jitter buffer, which sheds the excess as after any burst. */
static void fill_stall(struct media *m, gint64 frames)
{
	static const int16_t silence[AUDIO_FRAME];

	for (gint64 i = 0; i < frames && i < STALL_FILL_MAX; i++)
		audio_sink_write(m->sink, silence);
}

/* Processes every frame due by now + slack, then re-arms the clock source. */
static void run_clock(struct media *m, gint64 now, gint64 slack)
{
	int frames = 0;

	if (m->rx_peer) /* the forwarded streams' packets of this tick (may detach the peer) */
		peer_poll(m->rx_peer);

	while (m->next_us <= now + slack && frames < MAX_CATCHUP) {
		if (m->peer && peer_get_state(m->peer) == PEER_CONNECTED)
			uplink_frame(m);
		downlink_frame(m, now);
		m->next_us += FRAME_US;
		frames++;
	}
	if (m->next_us <= now) { /* a long stall: skip ahead rather than burst */
		if (audio_sink_keeps_time(m->sink))
			fill_stall(m, (now - m->next_us) / FRAME_US + 1);
		m->next_us = now + FRAME_US;
	}
	if (m->peer && now >= m->next_rtcp_us && peer_get_state(m->peer) == PEER_CONNECTED) {
		send_rtcp(m);
		/* RFC 3550: randomize the interval (0.5..1.5 x) */
		m->next_rtcp_us = now + RTCP_INTERVAL_US / 2 + g_random_int_range(0, RTCP_INTERVAL_US);
	}
	if (m->rx_peer && now >= m->next_rx_rtcp_us &&
	    peer_get_state(m->rx_peer) == PEER_CONNECTED) {
		uint32_t buf32[(PEER_PACKET_MAX + SRTP_SESSION_HEADROOM) / 4];
		int len = media_rx_write_rtcp(m->rx, now, (uint8_t *)buf32, PEER_PACKET_MAX);

		if (len > 0)
			peer_send_rtcp(m->rx_peer, (uint8_t *)buf32, (size_t)len, sizeof(buf32));
		m->next_rx_rtcp_us = now + RTCP_INTERVAL_US / 2 +
				     g_random_int_range(0, RTCP_INTERVAL_US);
	}
	m->ticks++;
}

static gboolean tick_cb(gpointer data)
{
	run_clock(data, g_get_monotonic_time(), 0);
	return G_SOURCE_CONTINUE;
}

/* Once a second: finds the narrowest window (whole ms) holding 80 % of the arrival phases,
 * moves the grid so that it ends at the tick and coalesces over it; with no such window
 * narrower than COALESCE_MAX_US, only the minimum (see the top of the file). */
static void steer_phase(struct media *m)
{
	unsigned need = STEER_PACKETS * 4 / 5, w, a, k;

	m->coalesce_us = COALESCE_MIN_US;
	for (w = 1; w <= COALESCE_MAX_US / 1000; w++) {
		unsigned best = 0, best_n = 0;

		for (a = 0; a < PHASE_BINS; a++) {
			unsigned n = 0;

			for (k = 0; k < w; k++)
				n += m->phase_hist[(a + k) % PHASE_BINS];
			if (n > best_n) /* a tie keeps the earlier start: no move for a = 0 */
				best = a, best_n = n;
		}
		if (best_n < need)
			continue;
		/* A jittery link can cluster its arrivals by chance, somewhere else each second:
		 * the grid moves only for a window found at the same place twice in a row (each
		 * move would otherwise bend the 20 ms clock the audio is read and played by). */
		bool again = m->steer_pending >= 0 && (best + PHASE_BINS - (unsigned)m->steer_pending +
						       1) % PHASE_BINS <= 2;
		m->steer_pending = (int)best;
		if (!again && best != 0)
			break;
		/* Arrivals best..best+w ms before a tick come 0..w ms before one when the grid
		 * moves best ms earlier (or FRAME_US - best later). */
		gint64 shift = (gint64)best * 1000;

		m->next_us -= shift <= FRAME_US / 2 ? shift : shift - FRAME_US;
		m->coalesce_us = (gint64)w * 1000;
		break;
	}
	if (w > COALESCE_MAX_US / 1000)
		m->steer_pending = -1; /* no narrow window this time */
	memset(m->phase_hist, 0, sizeof(m->phase_hist));
	m->phase_n = 0;
}

/* A downlink packet arrived at now: notes its phase and runs a tick due within the window. */
static void coalesce(struct media *m, gint64 now)
{
	gint64 lead = m->next_us - now;

	if (lead > 0 && lead <= FRAME_US) {
		m->phase_hist[(lead - 1) / 1000]++;
		if (++m->phase_n >= STEER_PACKETS)
			steer_phase(m);
	}
	if (m->next_us - now <= m->coalesce_us) {
		run_clock(m, now, m->coalesce_us);
		m->ticks_coalesced++;
	}
}

int media_create(GMainContext *main, const struct media_config *cfg, struct media **out,
		 char *msg, size_t msglen)
{
	struct media *m = calloc(1, sizeof(*m));
	int rc;
	if (!m)
		return -ENOMEM;
	m->main = main;
	m->cfg = *cfg;
	m->muted = cfg->muted;
	m->live_source = cfg->source_backend && !strcmp(cfg->source_backend, "portaudio");
	snprintf(m->cname, sizeof(m->cname), "%s", cfg->cname ? cfg->cname : "ttymeet");
	m->ssrc = g_random_int() | 1u;
	m->seq = (uint16_t)g_random_int();
	m->ts = g_random_int();
	m->rtt_ms = -1;
	m->loss_up_pct = -1;
	codec_loss_ctl_init(&m->loss_ctl);
	m->was_silent = true;
	level_vad_init(&m->vad, MEDIA_VAD_DBOV);
	level_meter_init(&m->meter_in);
	level_meter_init(&m->meter_out);
	mix_limiter_init(&m->limiter);

	m->clip = cfg->clip;
	rc = cfg->clip ? audio_source_open(&m->src, "null", NULL, 0)
		       : audio_source_open(&m->src, cfg->source_backend, cfg->source_target,
					   cfg->source_loop ? AUDIO_LOOP : 0);
	if (rc < 0) {
		snprintf(msg, msglen, "%s%s%s", cfg->source_target ? cfg->source_target : "",
			 cfg->source_target ? ": " : "", audio_strerror(rc));
		goto out;
	}
	rc = audio_sink_open(&m->sink, cfg->sink_backend, cfg->sink_target, 0);
	if (rc < 0) {
		snprintf(msg, msglen, "%s%s%s", cfg->sink_target ? cfg->sink_target : "",
			 cfg->sink_target ? ": " : "", audio_strerror(rc));
		goto out;
	}
	struct codec_enc_config ec;
	codec_enc_config_default(&ec);
	ec.bitrate = cfg->bitrate;
	ec.complexity = cfg->complexity;
	if ((rc = codec_enc_create(&m->enc, &ec)) < 0 || (rc = codec_dec_create(&m->dec)) < 0 ||
	    (rc = jitter_create(&m->jb, NULL)) < 0) {
		snprintf(msg, msglen, "cannot set up the Opus codec (%s)", strerror(-rc));
		goto out;
	}
	m->stats_since = g_get_monotonic_time();
	m->next_us = m->stats_since + FRAME_US;
	m->coalesce_us = COALESCE_MIN_US;
	m->steer_pending = -1;
	/* One source for the media's whole life, due at m->next_us (moved by each tick and by
	 * the phase steering without waking the loop). */
	m->timer = loop_deadline_source_new(&m->next_us);
	g_source_set_callback(m->timer, tick_cb, m, NULL);
	g_source_attach(m->timer, main);
	*out = m;
	return 0;
out:
	media_destroy(m);
	return rc;
}

int media_create_or_null(GMainContext *main, const struct media_config *cfg, struct media **out,
			 char *msg, size_t msglen, bool *no_card)
{
	int rc = media_create(main, cfg, out, msg, msglen);
	*no_card = false;
	if (rc != -ENODEV && rc != -ELIBACC)
		return rc;
	struct media_config c = *cfg;
	if (!strcmp(c.source_backend, "portaudio"))
		c.source_backend = "null";
	if (!strcmp(c.sink_backend, "portaudio"))
		c.sink_backend = "null";
	*no_card = true;
	return media_create(main, &c, out, msg, msglen);
}

int media_destroy(struct media *m)
{
	int rc = 0;
	if (!m)
		return 0;
	loop_source_drop(&m->timer);
	media_rx_destroy(m->rx);
	audio_source_close(m->src);
	if (m->sink)
		rc = audio_sink_close(m->sink);
	codec_enc_destroy(m->enc);
	codec_dec_destroy(m->dec);
	jitter_destroy(m->jb);
	free(m);
	return rc;
}

void media_attach(struct media *m, struct peer *p, const struct media_params *params)
{
	m->peer = p;
	m->params = *params;
	snprintf(m->mid, sizeof(m->mid), "%s", params->mid ? params->mid : "");
	codec_enc_set_max_playback(m->enc, params->max_playback_hz);
	m->have_remote = false;
	m->last_sr_arrival = 0;
	m->was_silent = true;
	jitter_reset(m->jb);
	m->next_rtcp_us = g_get_monotonic_time() + RTCP_INTERVAL_US / 2;
	struct peer_stats ps;
	peer_get_stats(p, &ps);
	m->bytes_in_mark = ps.bytes_in;
	m->bytes_out_mark = ps.bytes_out;
}

void media_detach(struct media *m)
{
	m->peer = NULL;
	m->have_remote = false;
	jitter_reset(m->jb);
}

void media_on_rtp(struct media *m, uint8_t *buf, size_t len)
{
	struct rtp_header h;
	if (rtp_parse(buf, len, &h) < 0 || h.pt != m->params.opus_pt || h.payload_len == 0)
		return;
	gint64 now = g_get_monotonic_time();
	if (!m->have_remote || h.ssrc != m->remote_ssrc) {
		/* A new stream (first packet, or the server restarted its mixer). */
		m->have_remote = true;
		m->remote_ssrc = h.ssrc;
		m->stats_expected = m->stats_lost = 0;
		rtp_stats_init(&m->rstats, CODEC_RATE);
		jitter_reset(m->jb);
	}
	m->packets_received++;
	rtp_stats_update(&m->rstats, h.seq, h.ts, (uint64_t)now);
	jitter_put(m->jb, h.seq, h.ts, h.payload, h.payload_len, (uint64_t)(now / 1000));
	coalesce(m, now);
}

void media_on_rtcp(struct media *m, uint8_t *buf, size_t len)
{
	struct rtcp_info info;
	if (rtcp_parse(buf, len, &info) < 0)
		return;
	gint64 now = g_get_monotonic_time();
	if (info.has_sr) {
		m->last_sr_mid = rtcp_ntp_mid(info.sr.ntp);
		m->last_sr_arrival = now;
	}
	for (unsigned i = 0; i < info.n_blocks; i++) {
		const struct rtcp_report_block *b = &info.blocks[i];
		if (b->ssrc != m->ssrc)
			continue;
		m->loss_up_pct = b->fraction_lost * 100.0 / 256.0;
		/* The packets the report is about: since the last report, or all we sent. One
		 * going backwards (a reordered report, a restarted server) counts for nothing. */
		uint32_t span = m->packets_sent;
		if (m->rr_seen && (span = b->ext_max_seq - m->rr_ext_max) > 0x8000)
			span = 0;
		m->rr_ext_max = b->ext_max_seq;
		m->rr_seen = true;
		int was = m->loss_ctl.pct;
		if (codec_loss_ctl_report(&m->loss_ctl, m->loss_up_pct, span) != was)
			codec_enc_set_loss(m->enc, m->loss_ctl.pct);
		uint32_t rtt;
		if (b->lsr && rtcp_rtt_ms(rtcp_ntp_from_unix_us(wall_us()), b->lsr, b->dlsr, &rtt) == 0)
			m->rtt_ms = rtt;
	}
}

int media_attach_recv(struct media *m, struct peer *p, const struct media_recv_params *rp)
{
	struct media_rx_config rxc = {
		.decode_max = m->cfg.decode_max,
		.no_decode = m->cfg.no_decode,
		.ssrc = m->ssrc ^ 0x5a5a5a5au, /* our receive-only side's own SSRC */
		.cname = m->cname,
	};
	int rc;

	if (m->rx)
		return -EBUSY;
	if ((rc = media_rx_create(&rxc, rp, &m->rx)) < 0)
		return rc;
	media_rx_set_stream_cb(m->rx, m->stream_cb, m->stream_user);
	m->rx_peer = p;
	if (p)
		peer_set_batched(p, true);
	m->rx_expected = m->rx_lost = 0;
	m->frames_concealed += m->frames_concealed_rx; /* keep the totals of an earlier one */
	m->frames_fec += m->frames_fec_rx;
	m->frames_concealed_rx = m->frames_fec_rx = 0;
	m->rx_bytes_in_mark = 0;
	if (p) {
		struct peer_stats ps;

		peer_get_stats(p, &ps);
		m->rx_bytes_in_mark = ps.bytes_in;
	}
	m->next_rx_rtcp_us = g_get_monotonic_time() + RTCP_INTERVAL_US / 2;
	return 0;
}

void media_detach_recv(struct media *m)
{
	media_rx_destroy(m->rx);
	m->rx = NULL;
	if (m->rx_peer) /* nobody polls it any more */
		peer_set_batched(m->rx_peer, false);
	m->rx_peer = NULL;
}

void media_on_recv_rtp(struct media *m, uint8_t *buf, size_t len)
{
	gint64 t = m->rx_peer ? peer_arrival_us(m->rx_peer) : g_get_monotonic_time();

	if (m->rx && media_rx_put(m->rx, buf, len, t) == 0)
		m->packets_received++;
}

void media_on_recv_rtcp(struct media *m, uint8_t *buf, size_t len)
{
	if (m->rx)
		media_rx_on_rtcp(m->rx, buf, len, m->rx_peer ? peer_arrival_us(m->rx_peer)
							     : g_get_monotonic_time());
}

void media_set_stream_cb(struct media *m, media_stream_cb cb, void *user)
{
	m->stream_cb = cb;
	m->stream_user = user;
	if (m->rx)
		media_rx_set_stream_cb(m->rx, cb, user);
}

void media_forget_stream(struct media *m, uint32_t ssrc)
{
	if (m->rx)
		media_rx_forget(m->rx, ssrc);
}

int media_get_stream_stats(const struct media *m, uint32_t ssrc, struct media_stream_stats *out)
{
	return m->rx ? media_rx_stream_stats(m->rx, ssrc, out) : -ENOENT;
}

void media_set_muted(struct media *m, bool muted)
{
	m->muted = muted;
}

int media_set_source(struct media *m, const char *backend, const char *target, bool loop,
		     char *msg, size_t msglen)
{
	struct audio_source *src;
	int rc = audio_source_open(&src, backend, target, loop ? AUDIO_LOOP : 0);
	if (rc < 0) {
		snprintf(msg, msglen, "%s: %s", target ? target : backend, audio_strerror(rc));
		return rc;
	}
	audio_source_close(m->src);
	m->src = src;
	m->clip = NULL;
	m->source_ended = false;
	m->live_source = !strcmp(backend, "portaudio");
	return 0;
}

int media_set_sink(struct media *m, const char *backend, const char *target, char *msg,
		   size_t msglen)
{
	struct audio_sink *sink;
	int rc = audio_sink_open(&sink, backend, target, 0);

	if (rc < 0) {
		snprintf(msg, msglen, "%s: %s", target && *target ? target : backend,
			 audio_strerror(rc));
		return rc;
	}
	rc = audio_sink_close(m->sink);
	m->sink = sink;
	if (rc < 0)
		snprintf(msg, msglen, "previous output: %s", audio_strerror(rc));
	else if (msglen)
		msg[0] = '\0';
	return 0;
}

bool media_receiving_audio(const struct media *m)
{
	return m->last_voice_us && g_get_monotonic_time() - m->last_voice_us < 1000000;
}

uint32_t media_ssrc(const struct media *m)
{
	return m->ssrc;
}

bool media_source_ended(const struct media *m)
{
	return m->source_ended;
}

void media_get_stats(struct media *m, struct media_stats *out)
{
	gint64 now = g_get_monotonic_time();
	double secs = (double)(now - m->stats_since) / 1e6;
	memset(out, 0, sizeof(*out));
	out->rtt_ms = m->rtt_ms;
	out->loss_up_pct = m->loss_up_pct;
	out->fec_up_pct = m->loss_ctl.pct;
	if (m->peer && secs > 0) {
		struct peer_stats ps;
		peer_get_stats(m->peer, &ps);
		out->kbps_in = (double)(ps.bytes_in - m->bytes_in_mark) * 8 / 1000 / secs;
		out->kbps_out = (double)(ps.bytes_out - m->bytes_out_mark) * 8 / 1000 / secs;
		m->bytes_in_mark = ps.bytes_in;
		m->bytes_out_mark = ps.bytes_out;
		out->rejected_in = ps.srtp_errors + ps.dtls_screened;
	}
	if (m->have_remote) {
		struct rtp_stats_report r;
		rtp_stats_get(&m->rstats, &r);
		out->jitter_ms = r.jitter_ms;
		/* Over this interval, not since the start (RFC 3550 A.3 style deltas). */
		uint32_t lost = r.lost > 0 ? (uint32_t)r.lost : 0;
		uint32_t de = r.expected - m->stats_expected, dl = lost - m->stats_lost;
		out->loss_pct = de && dl <= de ? 100.0 * dl / de : 0;
		m->stats_expected = r.expected;
		m->stats_lost = lost;
	}
	if (m->rx) {
		struct media_rx_stats rs;

		media_rx_get_stats(m->rx, &rs);
		out->packets_late += rs.late;
		out->streams = rs.streams;
		out->streams_decoded = rs.decoded;
		out->streams_evicted = rs.evicted;
		if (rs.jitter_ms > out->jitter_ms)
			out->jitter_ms = rs.jitter_ms;
		/* Interval loss over the streams (the one-stream figure when it has more). */
		if (rs.expected >= m->rx_expected && rs.lost >= m->rx_lost) {
			uint32_t de = rs.expected - m->rx_expected, dl = rs.lost - m->rx_lost;
			double pct = de && dl <= de ? 100.0 * dl / de : 0;

			if (pct > out->loss_pct)
				out->loss_pct = pct;
		}
		m->rx_expected = rs.expected; /* streams freed: totals fall, start again */
		m->rx_lost = rs.lost;
		m->frames_concealed_rx = rs.frames_concealed;
		m->frames_fec_rx = rs.frames_fec;
		if (m->rx_peer && secs > 0) {
			struct peer_stats ps;

			peer_get_stats(m->rx_peer, &ps);
			out->kbps_in += (double)(ps.bytes_in - m->rx_bytes_in_mark) * 8 / 1000 / secs;
			m->rx_bytes_in_mark = ps.bytes_in;
			out->rejected_in += ps.srtp_errors + ps.dtls_screened;
		}
	}
	struct jitter_stats js;
	jitter_get_stats(m->jb, &js);
	out->jitter_delay_ms = js.delay_ms;
	out->packets_late += js.late;
	if (m->rx) { /* forwarded streams: the longest delay of those heard */
		struct media_rx_stats rs;
		media_rx_get_stats(m->rx, &rs);
		if (rs.delay_ms > out->jitter_delay_ms)
			out->jitter_delay_ms = rs.delay_ms;
	}
	out->frames_played = m->frames_played;
	out->frames_concealed = m->frames_concealed + m->frames_concealed_rx;
	out->frames_fec = m->frames_fec + m->frames_fec_rx;
	out->packets_sent = m->packets_sent;
	out->packets_received = m->packets_received;
	out->level_in = m->meter_in.value;
	out->level_out = m->meter_out.value;
	out->receiving_audio = m->last_voice_us && now - m->last_voice_us < 1000000;
	out->decoding = !m->cfg.no_decode;
	out->t_first_audio = m->t_first_audio;
	out->ticks = m->ticks;
	out->ticks_coalesced = m->ticks_coalesced;
	m->stats_since = now;
}

const char *media_no_card_text(bool play, bool record)
{
	if (play)
		return "no sound card found: joined without a speaker (the microphone is the --play "
		       "file)";
	if (record)
		return "no sound card found: joined without a microphone (what you hear goes to the "
		       "--record file)";
	return "no sound card found: joined without microphone and speaker";
}
