/* Forwarded audio streams: table, choice of the decoded ones, decoding and mixing, receiver
 * reports (see media_rx.h for the data flow and the rules). */
#include "src/media_rx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/jitter.h"
#include "audio/level.h"
#include "audio/mix.h"
#include "net/rtcp.h"
#include "net/rtp.h"

#define LEVEL_HOLD_US 60000    /* no packet for this long: the level is silence */
#define LEVEL_FALL 0.1f        /* of the way down per tick: ~200 ms */
#define SILENT_DBOV (-55.0f)   /* decoded audio below this is silence (as media.c) */
#define WAIT_ROOM 12           /* a waiting stream's buffer keeps this many slots free: its
				* backlog (1.04 s) stays under the buffer's 1.1 s max delay */

struct stream {
	uint32_t ssrc;
	struct jitter *jb;
	struct codec_dec *dec; /* only while decoded */
	struct rtp_stats rs;
	uint32_t last_sr_mid;
	int64_t last_sr_arrival;
	int64_t last_packet_us;
	uint64_t packets;

	/* level (RFC 6464 while has_level, else the decoded energy) */
	bool has_level;
	bool got_level;    /* a level arrived since the last tick */
	bool loud;         /* ... above the threshold */
	float tick_dbov;   /* the loudest of them */
	int64_t held_us;   /* arrival of the last level */
	float level;       /* smoothed, for ranking */
	struct level_vad vad;
	bool talking;

	/* decoding */
	bool releasing;    /* decodes one more frame, fading out, then frees its decoder */
	bool fade_in;
	int64_t slot_since, last_talk_us;
	int64_t wait_since; /* loud but no slot: its buffer is not read (0 = not waiting) */
	uint64_t frames_decoded, frames_concealed;
	bool plc_is_loss; /* the frame being concealed was lost (not a DTX gap or silence) */
};

struct event {
	uint32_t ssrc;
	bool on;
};

struct media_rx {
	struct media_rx_config cfg;
	char cname[64];
	struct media_recv_params rp;
	struct stream *s[MEDIA_RX_STREAMS];
	unsigned n;
	media_stream_cb cb;
	void *user;
	unsigned rr_next;
	struct event ev[MEDIA_RX_STREAMS * 2];
	unsigned n_ev;
	struct media_rx_stats st; /* counters; the rest is filled by get_stats */
};

static void stream_free(struct stream *s)
{
	jitter_destroy(s->jb);
	codec_dec_destroy(s->dec);
	free(s);
}

/* Removes stream i from the table (order is not kept). */
static void remove_at(struct media_rx *rx, unsigned i)
{
	if (rx->s[i]->jb) {
		struct jitter_stats js;

		jitter_get_stats(rx->s[i]->jb, &js);
		rx->st.late += js.late;
	}
	stream_free(rx->s[i]);
	rx->s[i] = rx->s[--rx->n];
	rx->s[rx->n] = NULL;
}

static int find(const struct media_rx *rx, uint32_t ssrc)
{
	for (unsigned i = 0; i < rx->n; i++)
		if (rx->s[i]->ssrc == ssrc)
			return (int)i;
	return -1;
}

int media_rx_create(const struct media_rx_config *cfg, const struct media_recv_params *rp,
		    struct media_rx **out)
{
	struct media_rx *rx;

	if (!rp || rp->n_pts == 0 || rp->n_pts > sizeof(rp->opus_pts))
		return -EINVAL;
	for (size_t i = 0; i < rp->n_pts; i++)
		if (rp->opus_pts[i] > 127)
			return -EINVAL;
	rx = calloc(1, sizeof(*rx));
	if (!rx)
		return -ENOMEM;
	rx->cfg = *cfg;
	if (!rx->cfg.decode_max)
		rx->cfg.decode_max = MEDIA_RX_DECODE_DEFAULT;
	snprintf(rx->cname, sizeof(rx->cname), "%s", cfg->cname && *cfg->cname ? cfg->cname
										: "ttymeet");
	rx->cfg.cname = rx->cname;
	rx->rp = *rp;
	*out = rx;
	return 0;
}

void media_rx_destroy(struct media_rx *rx)
{
	if (!rx)
		return;
	while (rx->n)
		remove_at(rx, rx->n - 1);
	free(rx);
}

void media_rx_set_stream_cb(struct media_rx *rx, media_stream_cb cb, void *user)
{
	rx->cb = cb;
	rx->user = user;
}

/* Makes room by dropping the quietest stream that is neither decoded, talking nor waiting;
 * false when there is none. */
static bool evict(struct media_rx *rx)
{
	int best = -1;

	for (unsigned i = 0; i < rx->n; i++) {
		const struct stream *s = rx->s[i];

		if (s->dec || s->talking || s->wait_since)
			continue;
		if (best < 0 || s->level < rx->s[best]->level ||
		    (s->level == rx->s[best]->level &&
		     s->last_packet_us < rx->s[best]->last_packet_us))
			best = (int)i;
	}
	if (best < 0)
		return false;
	remove_at(rx, (unsigned)best);
	rx->st.evicted++;
	return true;
}

static struct stream *stream_new(struct media_rx *rx, uint32_t ssrc)
{
	struct stream *s;

	if (rx->n == MEDIA_RX_STREAMS && !evict(rx))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	struct jitter_config jc;

	/* Room for the words of a stream that waited for a slot (up to the hold): the buffer
	 * would otherwise drop every other frame while its delay is above the usual 500 ms.
	 * With no_decode nothing is ever played: no buffer (about 100 KB a stream, which a
	 * fleet in forwarded rooms would pay per participant and stream). */
	jitter_config_default(&jc);
	jc.max_delay_ms = 1100;
	if (!rx->cfg.no_decode && jitter_create(&s->jb, &jc) < 0) {
		free(s);
		return NULL;
	}
	s->ssrc = ssrc;
	rtp_stats_init(&s->rs, CODEC_RATE);
	s->level = s->tick_dbov = LEVEL_MIN_DBOV;
	level_vad_init(&s->vad, MEDIA_RX_TALK_DBOV);
	rx->s[rx->n++] = s;
	return s;
}

static bool is_opus(const struct media_rx *rx, uint8_t pt)
{
	for (size_t i = 0; i < rx->rp.n_pts; i++)
		if (rx->rp.opus_pts[i] == pt)
			return true;
	return false;
}

int media_rx_put(struct media_rx *rx, const uint8_t *buf, size_t len, int64_t now_us)
{
	struct rtp_header h;
	struct stream *s;
	bool voice;
	uint8_t lvl;
	int i;

	if (rtp_parse(buf, len, &h) < 0 || !is_opus(rx, h.pt) || h.payload_len == 0)
		return -EINVAL;
	i = find(rx, h.ssrc);
	s = i >= 0 ? rx->s[i] : stream_new(rx, h.ssrc);
	if (!s) {
		rx->st.refused++;
		return -ENOSPC;
	}
	s->has_level = rx->rp.level_ext_id > 0 && rx->rp.level_ext_id < 256 &&
		       rtp_ext_audio_level(&h, (uint8_t)rx->rp.level_ext_id, &voice, &lvl) == 0;
	if (s->has_level) {
		float dbov = -(float)(lvl & 0x7f);

		if (!s->got_level || dbov > s->tick_dbov)
			s->tick_dbov = dbov;
		s->got_level = true;
		s->held_us = now_us;
		if (dbov > MEDIA_RX_TALK_DBOV)
			s->loud = true;
	}
	s->packets++;
	rx->st.packets++;
	s->last_packet_us = now_us;
	rtp_stats_update(&s->rs, h.seq, h.ts, (uint64_t)now_us);
	if (s->jb)
		jitter_put(s->jb, h.seq, h.ts, h.payload, h.payload_len, (uint64_t)(now_us / 1000));
	return 0;
}

void media_rx_on_rtcp(struct media_rx *rx, const uint8_t *buf, size_t len, int64_t now_us)
{
	struct rtcp_info info;
	int i;

	if (rtcp_parse(buf, len, &info) < 0 || !info.has_sr || (i = find(rx, info.sr_ssrc)) < 0)
		return;
	rx->s[i]->last_sr_mid = rtcp_ntp_mid(info.sr.ntp);
	rx->s[i]->last_sr_arrival = now_us;
}

static void event(struct media_rx *rx, struct stream *s, bool on)
{
	s->talking = on;
	if (rx->n_ev < sizeof(rx->ev) / sizeof(rx->ev[0]))
		rx->ev[rx->n_ev++] = (struct event){ s->ssrc, on };
}

/* Feeds one tick's level to the stream's talking detector. */
static void talk_update(struct media_rx *rx, struct stream *s, float dbov, int64_t now_us)
{
	bool on = level_vad_update(&s->vad, dbov, 20);

	/* The hold runs from the last loud frame, not from the end of the hangover: the longest
	 * wait for a slot (the hold) then fits in a waiting stream's jitter buffer. */
	if (dbov > MEDIA_RX_TALK_DBOV)
		s->last_talk_us = now_us;
	if (on != s->talking)
		event(rx, s, on);
}

/* Step 2 for streams with the level extension: this tick's level, smoothed, and talking. A
 * tick without a packet (arrival jitter) tells nothing; LEVEL_HOLD_US without one is silence
 * (DTX, mute, gone). */
static void level_tick(struct media_rx *rx, struct stream *s, int64_t now_us)
{
	float in;

	if (s->got_level)
		in = s->tick_dbov;
	else if (s->held_us && now_us - s->held_us <= LEVEL_HOLD_US)
		return;
	else
		in = LEVEL_MIN_DBOV;
	s->got_level = false;
	s->level = in > s->level ? in : s->level + (in - s->level) * LEVEL_FALL;
	talk_update(rx, s, in, now_us);
}

static int give_slot(struct media_rx *rx, struct stream *s, int64_t now_us)
{
	if (s->dec) { /* was fading out: keeps its decoder and goes on */
		s->releasing = false;
		return 0;
	}
	if (codec_dec_create(&s->dec) < 0)
		return -ENOMEM;
	s->fade_in = true;
	s->releasing = false;
	s->slot_since = now_us;
	s->wait_since = 0;
	(void)rx;
	return 0;
}

static bool wanting(const struct stream *s)
{
	return s->loud || s->talking || s->wait_since;
}

/* Candidates first by wanting, then loudest first. */
static int cand_cmp(const void *a, const void *b)
{
	const struct stream *x = *(struct stream *const *)a, *y = *(struct stream *const *)b;

	if (wanting(x) != wanting(y))
		return wanting(x) ? -1 : 1;
	return x->level > y->level ? -1 : x->level < y->level;
}

/* The decoded stream that may give up its slot (quiet for the hold), quiet longest; NULL. */
static struct stream *victim(struct media_rx *rx, int64_t now_us)
{
	struct stream *best = NULL;
	int64_t best_q = 0;

	for (unsigned i = 0; i < rx->n; i++) {
		struct stream *s = rx->s[i];
		int64_t q;

		if (!s->dec || s->releasing || !s->has_level || s->talking)
			continue;
		q = s->last_talk_us > s->slot_since ? s->last_talk_us : s->slot_since;
		if (now_us - q < MEDIA_RX_HOLD_US)
			continue;
		if (!best || q < best_q)
			best = s, best_q = q;
	}
	return best;
}

/* Step 2: who is decoded in this tick. */
static void choose(struct media_rx *rx, int64_t now_us)
{
	struct stream *cand[MEDIA_RX_STREAMS];
	unsigned nc = 0, used = 0, i;

	for (i = 0; i < rx->n; i++) {
		struct stream *s = rx->s[i];

		if (!s->has_level) { /* cannot be ranked: always decoded */
			if (!s->dec || s->releasing)
				give_slot(rx, s, now_us);
			continue;
		}
		if (s->dec && !s->releasing)
			used++;
		else if (!s->dec && (s->wait_since || now_us - s->last_packet_us < LEVEL_HOLD_US * 2))
			cand[nc++] = s;
	}
	qsort(cand, nc, sizeof(cand[0]), cand_cmp);
	for (i = 0; i < nc; i++) {
		struct stream *c = cand[i], *v;

		if (used < rx->cfg.decode_max) {
			if (give_slot(rx, c, now_us) == 0)
				used++;
			continue;
		}
		if (!wanting(c))
			break;
		v = victim(rx, now_us);
		if (v && give_slot(rx, c, now_us) == 0) {
			v->releasing = true;
			rx->st.switches++;
			continue;
		}
		if (!c->wait_since)
			c->wait_since = now_us;
	}
}

/* Decodes the stream's frame (as media.c's one-stream path) into pcm; returns samples or 0. */
static int decode(struct stream *s, const struct jitter_frame *f, int16_t pcm[CODEC_FRAME],
		  struct media_rx_stats *st)
{
	int n = 0;

	switch (f->action) {
	case JITTER_PACKET:
		n = codec_dec_decode(s->dec, f->data, f->len, pcm);
		if (n > 0 && n < CODEC_FRAME)
			memset(pcm + n, 0, sizeof(int16_t) * (size_t)(CODEC_FRAME - n));
		if (n < 0)
			n = codec_dec_plc(s->dec, pcm), s->frames_concealed++, st->frames_concealed++;
		break;
	case JITTER_FEC:
		n = codec_dec_fec(s->dec, f->data, f->len, pcm);
		st->frames_fec++;
		break;
	case JITTER_PLC:
		/* A forwarded stream is silent between talkspurts (DTX, a publisher that sends
		 * nothing): those frames are filled in too, but only a lost one is concealment. */
		n = codec_dec_plc(s->dec, pcm);
		if (s->plc_is_loss) {
			s->frames_concealed++;
			st->frames_concealed++;
		}
		break;
	case JITTER_WAIT:
		break;
	}
	if (n > 0) {
		s->frames_decoded++;
		st->frames_played++;
	}
	return n > 0 ? n : 0;
}

/* Step 3 for one stream; returns whether it added audio. */
static bool stream_frame(struct media_rx *rx, struct stream *s, int64_t now_us,
			 float acc[CODEC_FRAME])
{
	struct jitter_frame f;
	int16_t pcm[CODEC_FRAME];
	bool added = false;

	if (!s->jb) /* no_decode */
		goto talk;
	if (!s->dec && s->wait_since) {
		struct jitter_stats js;

		jitter_get_stats(s->jb, &js);
		if (js.buffered < JITTER_SLOTS - WAIT_ROOM)
			return false; /* waiting: its first frames stay in the buffer */
		/* Waited longer than the buffer holds: its oldest frame goes, the newest second
		 * stays (read below without decoding). */
	}
	uint64_t lost0 = 0;
	if (s->dec) { /* concealment counts only a frame the network lost: see decode() */
		struct jitter_stats js;
		jitter_get_stats(s->jb, &js);
		lost0 = js.lost;
	}
	jitter_get(s->jb, (uint64_t)(now_us / 1000), &f);
	if (s->dec && f.action == JITTER_PLC) {
		struct jitter_stats js;
		jitter_get_stats(s->jb, &js);
		s->plc_is_loss = js.lost > lost0;
	}
	if (s->dec && decode(s, &f, pcm, &rx->st) > 0) {
		float g0 = s->fade_in ? 0.0f : 1.0f, g1 = s->releasing ? 0.0f : 1.0f;
		float dbov = level_dbov(pcm, CODEC_FRAME);

		mix_add(acc, pcm, CODEC_FRAME, g0, g1);
		s->fade_in = false;
		added = true;
		if (dbov > SILENT_DBOV)
			rx->st.voice = true;
		/* Talking from energy: only what a packet carried; concealment is not talk. */
		if (f.action != JITTER_PACKET && f.action != JITTER_FEC)
			dbov = LEVEL_MIN_DBOV;
		if (!s->has_level) {
			s->level = dbov > s->level ? dbov : s->level + (dbov - s->level) * LEVEL_FALL;
			talk_update(rx, s, dbov, now_us);
		}
		goto out;
	}
talk:
	if (!s->has_level) {
		s->level += (LEVEL_MIN_DBOV - s->level) * LEVEL_FALL;
		talk_update(rx, s, LEVEL_MIN_DBOV, now_us);
	}
out:
	if (s->releasing) {
		codec_dec_destroy(s->dec);
		s->dec = NULL;
		s->releasing = false;
	}
	return added;
}

int media_rx_tick(struct media_rx *rx, int64_t now_us, float acc[CODEC_FRAME])
{
	int added = 0;
	unsigned i;

	rx->n_ev = 0;
	rx->st.voice = false;
	for (i = rx->n; i-- > 0;) { /* 1. streams gone quiet for good */
		if (now_us - rx->s[i]->last_packet_us <= MEDIA_RX_IDLE_US)
			continue;
		if (rx->s[i]->talking)
			event(rx, rx->s[i], false);
		remove_at(rx, i);
	}
	for (i = 0; i < rx->n; i++)
		if (rx->s[i]->has_level)
			level_tick(rx, rx->s[i], now_us);
	if (!rx->cfg.no_decode)
		choose(rx, now_us);
	for (i = 0; i < rx->n; i++)
		rx->s[i]->loud = false;
	for (i = 0; i < rx->n; i++)
		added += stream_frame(rx, rx->s[i], now_us, acc);
	/* 4. after the table work, from a copy: the callback may forget streams, or even
	 * destroy rx (media_detach_recv) */
	struct event ev[sizeof(rx->ev) / sizeof(rx->ev[0])];
	unsigned n_ev = rx->n_ev;
	media_stream_cb cb = rx->cb;
	void *user = rx->user;

	memcpy(ev, rx->ev, n_ev * sizeof(ev[0]));
	rx->n_ev = 0;
	for (i = 0; cb && i < n_ev; i++)
		cb(user, ev[i].ssrc, ev[i].on);
	return added;
}

int media_rx_write_rtcp(struct media_rx *rx, int64_t now_us, uint8_t *buf, size_t cap)
{
	struct rtcp_report_block rb[RTCP_MAX_BLOCKS];
	struct rtcp_writer w;
	unsigned nb = 0, k;

	for (k = 0; k < rx->n && nb < RTCP_MAX_BLOCKS; k++) {
		struct stream *s = rx->s[(rx->rr_next + k) % rx->n];

		if (!s->rs.started)
			continue;
		rtcp_report_block_fill(&rb[nb++], s->ssrc, &s->rs, s->last_sr_mid,
				       (uint64_t)s->last_sr_arrival, (uint64_t)now_us);
	}
	if (!nb)
		return 0;
	rx->rr_next = rx->n ? (rx->rr_next + k) % rx->n : 0;
	rtcp_writer_init(&w, buf, cap);
	rtcp_write_rr(&w, rx->cfg.ssrc, rb, nb);
	rtcp_write_sdes_cname(&w, rx->cfg.ssrc, rx->cname);
	return rtcp_writer_finish(&w);
}

void media_rx_forget(struct media_rx *rx, uint32_t ssrc)
{
	int i = find(rx, ssrc);

	if (i >= 0)
		remove_at(rx, (unsigned)i);
}

void media_rx_get_stats(const struct media_rx *rx, struct media_rx_stats *out)
{
	*out = rx->st;
	out->streams = rx->n;
	out->decoded = 0;
	out->jitter_ms = 0;
	out->delay_ms = 0;
	out->expected = out->lost = 0;
	for (unsigned i = 0; i < rx->n; i++) {
		const struct stream *s = rx->s[i];
		struct rtp_stats_report r;

		out->decoded += s->dec && !s->releasing;
		if (s->jb) {
			struct jitter_stats js;
			jitter_get_stats(s->jb, &js);
			out->late += js.late;
			if (s->dec && !s->releasing && js.delay_ms > out->delay_ms)
				out->delay_ms = js.delay_ms;
		}
		if (!s->rs.started)
			continue;
		rtp_stats_get(&s->rs, &r);
		if (r.jitter_ms > out->jitter_ms)
			out->jitter_ms = r.jitter_ms;
		out->expected += r.expected;
		out->lost += r.lost > 0 ? (uint32_t)r.lost : 0;
	}
}

int media_rx_stream_stats(const struct media_rx *rx, uint32_t ssrc,
			  struct media_stream_stats *out)
{
	int i = find(rx, ssrc);
	const struct stream *s;
	struct rtp_stats_report r;
	struct jitter_stats js;

	if (i < 0)
		return -ENOENT;
	s = rx->s[i];
	memset(out, 0, sizeof(*out));
	out->ssrc = ssrc;
	out->decoded = s->dec && !s->releasing;
	out->talking = s->talking;
	out->has_level = s->has_level;
	out->level_dbov = s->level;
	out->packets = s->packets;
	if (s->rs.started) {
		rtp_stats_get(&s->rs, &r);
		out->lost = r.lost;
		out->jitter_ms = r.jitter_ms;
	}
	if (s->jb) {
		jitter_get_stats(s->jb, &js);
		out->delay_ms = js.delay_ms;
	}
	out->frames_decoded = s->frames_decoded;
	out->frames_concealed = s->frames_concealed;
	return 0;
}

unsigned media_rx_decoders(const struct media_rx *rx)
{
	unsigned n = 0;

	for (unsigned i = 0; i < rx->n; i++)
		n += rx->s[i]->dec != NULL;
	return n;
}
