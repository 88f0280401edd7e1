/* Unit tests for src/media_rx (forwarded audio streams), driven with synthetic time: Opus RTP
 * streams of tones made with audio/codec and net/rtp, each packet with its RFC 6464 level
 * (a talker sends nothing while silent, like a sender with DTX).
 * - two and five streams are mixed: each tone is in the output; five loud ones stay bounded
 *   with no clipped samples and no step at the frame seams above the signal's own;
 * - decode_max 3 with five talking: three decoders exist, for the three loudest;
 * - a quiet stream that starts talking while every slot is held gets one after the hold,
 *   and its first frames (a marker tone) are played, not lost; one that waits longer than
 *   its buffer holds keeps its newest second;
 * - a stream that stops is freed after 5 s, media_rx_forget frees at once; a full table
 *   evicts the quietest idle stream; packets that come too late are counted, also after
 *   their stream is gone;
 * - talking with hysteresis (a 20 ms blip is not talking, a 100 ms pause does not end it),
 *   from the level extension, or from decoded energy without it; no_decode decodes nothing
 *   and still says who talks; the callback may forget streams or destroy the table;
 * - receiver reports carry a block per stream (31 per report, in turns beyond that). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/codec.h"
#include "audio/level.h"
#include "audio/mix.h"
#include "net/rtcp.h"
#include "net/rtp.h"
#include "src/media_rx.h"

#define PT 111
#define LEVEL_ID 1
#define T0 1000000000LL /* monotonic origin of the tests, µs */
#define MAXGEN 8

/* One synthetic publisher. */
struct gen {
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	double hz, amp;
	double marker_hz; /* first marker_frames frames of each talk spurt use this tone */
	int marker_frames, spurt_frame;
	long phase;
	bool level_ext;
	struct codec_enc *enc;
};

static void gen_init(struct gen *g, uint32_t ssrc, double hz, double amp)
{
	struct codec_enc_config c;

	memset(g, 0, sizeof(*g));
	g->ssrc = ssrc;
	g->seq = (uint16_t)(ssrc * 7);
	g->ts = ssrc * 1000;
	g->hz = hz;
	g->amp = amp;
	g->level_ext = true;
	codec_enc_config_default(&c);
	c.complexity = 2;
	c.dtx = false;
	assert_int_equal(codec_enc_create(&g->enc, &c), 0);
}

static void gen_free(struct gen *g)
{
	codec_enc_destroy(g->enc);
}

/* The next 20 ms: a packet of tone into pkt (1500 bytes), its length returned, when talking;
 * 0 (time still passes) when not. */
static size_t gen_packet(struct gen *g, uint8_t *pkt, bool talking)
{
	int16_t pcm[CODEC_FRAME];
	struct rtp_header h = { .pt = PT, .seq = g->seq, .ts = g->ts, .ssrc = g->ssrc };
	struct rtp_writer w;
	size_t room;

	g->ts += CODEC_FRAME;
	if (!talking) {
		g->spurt_frame = 0;
		return 0;
	}
	double hz = g->spurt_frame < g->marker_frames ? g->marker_hz : g->hz;
	for (int i = 0; i < CODEC_FRAME; i++, g->phase++)
		pcm[i] = (int16_t)lrint(g->amp * sin(2 * M_PI * hz * (double)g->phase / 48000.0));
	g->spurt_frame++;
	h.seq = g->seq++;
	assert_int_equal(rtp_writer_init(&w, pkt, 1500, &h,
					 g->level_ext ? RTP_EXT_ONE_BYTE : RTP_EXT_NONE), 0);
	if (g->level_ext)
		rtp_writer_add_audio_level(&w, LEVEL_ID, true,
					   level_rfc6464(level_dbov(pcm, CODEC_FRAME)));
	uint8_t *payload = rtp_writer_payload(&w, &room);
	int n = codec_enc_encode(g->enc, pcm, payload, room);
	assert_true(n > 2);
	int len = rtp_writer_finish(&w, (size_t)n, 0);
	assert_true(len > 0);
	return (size_t)len;
}

/* The next 20 ms into rx at arrival time t (see gen_packet). */
static void gen_step(struct gen *g, struct media_rx *rx, bool talking, int64_t t)
{
	uint8_t pkt[1500];
	size_t len = gen_packet(g, pkt, talking);

	if (len)
		assert_int_equal(media_rx_put(rx, pkt, len, t), 0);
}

static struct media_rx *rx_new(unsigned decode_max, bool no_decode, int level_id)
{
	struct media_rx_config cfg = { .decode_max = decode_max, .no_decode = no_decode,
				       .ssrc = 0xabcdef01, .cname = "test" };
	struct media_recv_params rp = { .opus_pts = { 96, PT }, .n_pts = 2,
					.level_ext_id = level_id };
	struct media_rx *rx = NULL;

	assert_int_equal(media_rx_create(&cfg, &rp, &rx), 0);
	return rx;
}

/* A run: frame k's packets arrive at T0 + 20k ms + (3 + i) ms, its tick is at T0 + 20(k+1)
 * ms; the mix goes through a limiter into out (frames * CODEC_FRAME samples, may be NULL).
 * talk(i, k) says whether generator i talks in frame k. */
typedef bool (*talk_fn)(int i, int k);

struct run {
	struct media_rx *rx;
	struct gen *g;
	int n;
	struct mix_limiter lim;
	int16_t *out;
	int k; /* frames done */
};

static void run_frames(struct run *r, talk_fn talk, int frames)
{
	for (int f = 0; f < frames; f++, r->k++) {
		float acc[CODEC_FRAME] = { 0 };
		int16_t pcm[CODEC_FRAME];
		int64_t t = T0 + (int64_t)r->k * 20000;

		for (int i = 0; i < r->n; i++)
			gen_step(&r->g[i], r->rx, talk(i, r->k), t + 3000 + i * 1000);
		media_rx_tick(r->rx, t + 20000, acc);
		if (r->lim.gain <= 0.0f) /* a zeroed run: start the limiter */
			mix_limiter_init(&r->lim);
		mix_limit(&r->lim, acc, pcm, CODEC_FRAME);
		if (r->out)
			memcpy(r->out + (size_t)r->k * CODEC_FRAME, pcm, sizeof(pcm));
	}
}

/* Power at hz of x under a Hann window (little leakage from the other tones). */
static double goertzel(const int16_t *x, size_t n, double hz)
{
	double c = 2 * cos(2 * M_PI * hz / 48000.0), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] * (1 - cos(2 * M_PI * (double)i / (double)n)) + c * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return (s1 * s1 + s2 * s2 - c * s1 * s2) / ((double)n * n);
}

/* Amplitude of a tone of frequency hz in x (a sine of amplitude A gives about A). */
static double amp_of(const int16_t *x, size_t n, double hz)
{
	return 2 * sqrt(goertzel(x, n, hz));
}

/* Mean over frames of each frame's amplitude at hz (frames may be shifted by the jitter
 * buffer, so one long window would not add them up in phase). */
static double amp_frames(const int16_t *x, int frames, double hz)
{
	double sum = 0;

	for (int f = 0; f < frames; f++)
		sum += amp_of(x + (size_t)f * CODEC_FRAME, CODEC_FRAME, hz);
	return sum / frames;
}

static bool always(int i, int k)
{
	(void)i, (void)k;
	return true;
}

static void test_two_streams_mixed(void **state)
{
	struct gen g[2];
	struct run r = { .g = g, .n = 2 };
	struct media_rx_stats st;

	gen_init(&g[0], 11, 440, 8000);
	gen_init(&g[1], 22, 700, 8000);
	r.rx = rx_new(0, false, LEVEL_ID);
	r.out = calloc(100 * CODEC_FRAME, sizeof(int16_t));
	run_frames(&r, always, 100);
	media_rx_get_stats(r.rx, &st);
	assert_int_equal(st.streams, 2);
	assert_int_equal(st.decoded, 2);
	assert_int_equal(media_rx_decoders(r.rx), 2);
	assert_true(st.packets == 200);
	/* the stats' jitter buffer delay is the decoded streams' (was 0: one-stream only) */
	assert_true(st.delay_ms >= 20 && st.delay_ms <= 200);
	/* From 0.4 s on, both tones at about their amplitude. */
	const int16_t *x = r.out + 20 * CODEC_FRAME;
	assert_true(amp_frames(x, 80, 440) > 6000);
	assert_true(amp_frames(x, 80, 700) > 6000);
	assert_true(amp_frames(x, 80, 1000) < 500);
	free(r.out);
	media_rx_destroy(r.rx);
	gen_free(&g[0]);
	gen_free(&g[1]);
}

static void test_five_loud_bounded(void **state)
{
	static const double hz[5] = { 300, 520, 810, 1130, 1570 };
	struct gen g[5];
	struct run r = { .g = g, .n = 5 };
	double seam = 0, inner = 0;
	int peak = 0, full = 0;

	for (int i = 0; i < 5; i++)
		gen_init(&g[i], 100 + (uint32_t)i, hz[i], 20000);
	r.rx = rx_new(5, false, LEVEL_ID);
	r.out = calloc(100 * CODEC_FRAME, sizeof(int16_t));
	mix_limiter_init(&r.lim);
	run_frames(&r, always, 100);
	assert_int_equal(media_rx_decoders(r.rx), 5);
	for (int i = 1; i < 100 * CODEC_FRAME; i++) {
		double d = fabs((double)r.out[i] - r.out[i - 1]);

		peak = abs(r.out[i]) > peak ? abs(r.out[i]) : peak;
		full += abs(r.out[i]) >= 32767;
		if (i % CODEC_FRAME == 0)
			seam = fmax(seam, d);
		else
			inner = fmax(inner, d);
	}
	assert_true(peak < 32767);
	assert_int_equal(full, 0);
	assert_true(seam <= inner);
	const int16_t *x = r.out + 20 * CODEC_FRAME;
	for (int i = 0; i < 5; i++) /* 20000 each, limited to ~29000 in all: > 3000 each */
		assert_true(amp_frames(x, 80, hz[i]) > 3000);
	free(r.out);
	media_rx_destroy(r.rx);
	for (int i = 0; i < 5; i++)
		gen_free(&g[i]);
}

static void test_decode_loudest_three(void **state)
{
	static const double hz[5] = { 300, 520, 810, 1130, 1570 };
	static const double amp[5] = { 12000, 1500, 16000, 3000, 8000 }; /* loudest: 2, 0, 4 */
	struct gen g[5];
	struct run r = { .g = g, .n = 5 };
	struct media_stream_stats ss;
	struct media_rx_stats st;

	for (int i = 0; i < 5; i++)
		gen_init(&g[i], 200 + (uint32_t)i, hz[i], amp[i]);
	r.rx = rx_new(0, false, LEVEL_ID); /* default: 3 */
	r.out = calloc(100 * CODEC_FRAME, sizeof(int16_t));
	run_frames(&r, always, 100);
	media_rx_get_stats(r.rx, &st);
	assert_int_equal(st.streams, 5);
	assert_int_equal(st.decoded, 3);
	assert_int_equal(media_rx_decoders(r.rx), 3);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(media_rx_stream_stats(r.rx, g[i].ssrc, &ss), 0);
		assert_true(ss.has_level);
		assert_true(ss.talking);
		assert_int_equal(ss.decoded, i == 0 || i == 2 || i == 4);
		assert_int_equal(ss.packets, 100);
	}
	const int16_t *x = r.out + 20 * CODEC_FRAME;
	assert_true(amp_frames(x, 80, hz[2]) > 0.7 * amp[2]);
	assert_true(amp_frames(x, 80, hz[0]) > 0.7 * amp[0]);
	assert_true(amp_frames(x, 80, hz[4]) > 0.7 * amp[4]);
	assert_true(amp_frames(x, 80, hz[1]) < 200);
	assert_true(amp_frames(x, 80, hz[3]) < 200);
	free(r.out);
	media_rx_destroy(r.rx);
	for (int i = 0; i < 5; i++)
		gen_free(&g[i]);
}

/* decode_max 1: A talks frames 0..74 (1.5 s); C starts at frame 85 (0.2 s later) and talks
 * until frame 174, its first 5 frames a marker tone. */
static bool switch_talk(int i, int k)
{
	return i == 0 ? k < 75 : k >= 85 && k < 175;
}

static void test_switch_after_hold_keeps_first_frames(void **state)
{
	struct gen g[2];
	struct run r = { .g = g, .n = 2 };
	struct media_stream_stats ss;
	int c_frames = 0;

	gen_init(&g[0], 31, 440, 10000);
	gen_init(&g[1], 32, 1000, 10000);
	g[1].marker_hz = 2500;
	g[1].marker_frames = 5;
	r.rx = rx_new(1, false, LEVEL_ID);
	r.out = calloc(300 * CODEC_FRAME, sizeof(int16_t));
	run_frames(&r, switch_talk, 110); /* to 2.2 s: A's last loud frame was at 1.5 s */
	assert_int_equal(media_rx_stream_stats(r.rx, g[1].ssrc, &ss), 0);
	assert_true(ss.talking);
	assert_false(ss.decoded); /* waits for the hold */
	assert_int_equal(media_rx_stream_stats(r.rx, g[0].ssrc, &ss), 0);
	assert_true(ss.decoded);
	assert_false(ss.talking);
	run_frames(&r, switch_talk, 20); /* to 2.6 s: the hold ended at ~2.52 s */
	assert_int_equal(media_rx_stream_stats(r.rx, g[1].ssrc, &ss), 0);
	assert_true(ss.decoded);
	assert_int_equal(media_rx_stream_stats(r.rx, g[0].ssrc, &ss), 0);
	assert_false(ss.decoded);
	assert_int_equal(media_rx_decoders(r.rx), 1);
	run_frames(&r, switch_talk, 170);
	/* C's marker (its first 100 ms) was played after the switch... */
	int marker_at = -1;
	for (int f = 110; f < 300 && marker_at < 0; f++)
		if (amp_of(r.out + (size_t)f * CODEC_FRAME, CODEC_FRAME, 2500) > 3000)
			marker_at = f;
	assert_true(marker_at >= 122 && marker_at <= 130);
	/* ... and nearly all of its 90 frames (a few dropped while its buffer catches up). */
	for (int f = 110; f < 300; f++)
		c_frames += amp_of(r.out + (size_t)f * CODEC_FRAME, CODEC_FRAME, 1000) > 5000;
	assert_true(c_frames >= 80);
	assert_true(c_frames <= 85);
	free(r.out);
	media_rx_destroy(r.rx);
	gen_free(&g[0]);
	gen_free(&g[1]);
}

/* decode_max 1: A talks 0..3 s, C from 0.4 s to 5 s: C waits longer than its buffer holds. */
static bool long_wait_talk(int i, int k)
{
	return i == 0 ? k < 150 : k >= 20 && k < 250;
}

static void test_wait_longer_than_buffer(void **state)
{
	struct gen g[2];
	struct run r = { .g = g, .n = 2 };
	struct media_stream_stats ss;
	int c_frames = 0;

	gen_init(&g[0], 33, 440, 10000);
	gen_init(&g[1], 34, 1000, 10000);
	r.rx = rx_new(1, false, LEVEL_ID);
	r.out = calloc(300 * CODEC_FRAME, sizeof(int16_t));
	run_frames(&r, long_wait_talk, 195); /* to 3.9 s: A's hold ends at ~4 s */
	assert_int_equal(media_rx_stream_stats(r.rx, g[1].ssrc, &ss), 0);
	assert_false(ss.decoded);
	assert_int_equal(ss.packets, 175); /* every packet was taken while it waited */
	assert_int_equal(media_rx_decoders(r.rx), 1);
	run_frames(&r, long_wait_talk, 15);
	/* Switched, playing the newest second it kept: about 1 s late, not more. */
	assert_int_equal(media_rx_stream_stats(r.rx, g[1].ssrc, &ss), 0);
	assert_true(ss.decoded);
	assert_true(ss.delay_ms >= 900 && ss.delay_ms <= 1100);
	run_frames(&r, long_wait_talk, 90);
	/* Its last 50 frames after the switch and the second before it: nearly all played. */
	for (int f = 195; f < 300; f++)
		c_frames += amp_of(r.out + (size_t)f * CODEC_FRAME, CODEC_FRAME, 1000) > 5000;
	assert_true(c_frames >= 90);
	free(r.out);
	media_rx_destroy(r.rx);
	gen_free(&g[0]);
	gen_free(&g[1]);
}

static bool first_half(int i, int k)
{
	return i == 0 ? k < 50 : true;
}

static void test_stream_freed(void **state)
{
	struct gen g[2];
	struct run r = { .g = g, .n = 2 };
	struct media_stream_stats ss;
	struct media_rx_stats st;

	gen_init(&g[0], 41, 440, 8000);
	gen_init(&g[1], 42, 700, 8000);
	r.rx = rx_new(0, false, LEVEL_ID);
	run_frames(&r, first_half, 50 + 245); /* 4.9 s after A's last packet */
	assert_int_equal(media_rx_stream_stats(r.rx, g[0].ssrc, &ss), 0);
	run_frames(&r, first_half, 10);
	assert_int_equal(media_rx_stream_stats(r.rx, g[0].ssrc, &ss), -ENOENT);
	media_rx_get_stats(r.rx, &st);
	assert_int_equal(st.streams, 1);
	assert_int_equal(media_rx_decoders(r.rx), 1);
	media_rx_forget(r.rx, g[1].ssrc);
	media_rx_get_stats(r.rx, &st);
	assert_int_equal(st.streams, 0);
	assert_int_equal(media_rx_decoders(r.rx), 0);
	media_rx_destroy(r.rx);
	gen_free(&g[0]);
	gen_free(&g[1]);
}

/* A packet that comes after its time to play is dropped by the stream's jitter buffer and
 * counted late, also once the stream is gone; packets in time are not counted. */
static void test_late_counted(void **state)
{
	struct gen g;
	struct run r = { .g = &g, .n = 1 };
	struct media_rx_stats st;
	uint8_t held[1500];
	size_t held_len;

	gen_init(&g, 51, 440, 8000);
	r.rx = rx_new(0, false, LEVEL_ID);
	run_frames(&r, always, 50);
	media_rx_get_stats(r.rx, &st);
	assert_int_equal(st.late, 0);
	held_len = gen_packet(&g, held, true); /* frame 50's packet is held back... */
	media_rx_tick(r.rx, T0 + 51 * 20000, (float[CODEC_FRAME]){ 0 });
	r.k++;
	run_frames(&r, always, 20);
	/* ...and arrives 400 ms late, long after its frame was concealed. */
	assert_int_equal(media_rx_put(r.rx, held, held_len, T0 + (int64_t)r.k * 20000), 0);
	run_frames(&r, always, 5);
	media_rx_get_stats(r.rx, &st);
	assert_int_equal(st.late, 1);
	media_rx_forget(r.rx, g.ssrc);
	media_rx_get_stats(r.rx, &st);
	assert_int_equal(st.streams, 0);
	assert_int_equal(st.late, 1);
	media_rx_destroy(r.rx);
	gen_free(&g);
}

struct talk_log {
	int n;
	uint32_t ssrc[16];
	bool on[16];
	int frame[16];
	int *k;
};

static void talk_cb(void *user, uint32_t ssrc, bool on)
{
	struct talk_log *l = user;

	if (l->n < 16) {
		l->ssrc[l->n] = ssrc;
		l->on[l->n] = on;
		l->frame[l->n] = *l->k;
		l->n++;
	}
}

/* A blip at frame 10, talk 50..99 with a pause 70..74, nothing after. */
static bool hyst_talk(int i, int k)
{
	(void)i;
	return k == 10 || (k >= 50 && k < 100 && !(k >= 70 && k < 75));
}

static void run_hysteresis(int level_id, bool no_decode, bool expect_talk)
{
	struct gen g[1];
	struct run r = { .g = g, .n = 1 };
	struct talk_log log = { .k = &r.k };

	gen_init(&g[0], 51, 440, 8000);
	g[0].level_ext = level_id > 0;
	r.rx = rx_new(0, no_decode, level_id);
	media_rx_set_stream_cb(r.rx, talk_cb, &log);
	run_frames(&r, hyst_talk, 160);
	if (no_decode)
		assert_int_equal(media_rx_decoders(r.rx), 0);
	if (!expect_talk) {
		assert_int_equal(log.n, 0);
		goto out;
	}
	assert_int_equal(log.n, 2);
	assert_true(log.on[0] && !log.on[1]);
	assert_int_equal(log.ssrc[0], 51);
	/* on 40 ms after the start (plus the jitter buffer's delay when from decoded energy) */
	assert_true(log.frame[0] >= 51 && log.frame[0] <= 58);
	/* off 400 ms after the end */
	assert_true(log.frame[1] >= 118 && log.frame[1] <= 126);
out:
	media_rx_destroy(r.rx);
	gen_free(&g[0]);
}

static void test_talking_hysteresis(void **state)
{
	run_hysteresis(LEVEL_ID, false, true); /* from RFC 6464 */
	run_hysteresis(0, false, true);        /* from decoded energy */
	run_hysteresis(LEVEL_ID, true, true);  /* no_decode: still from the level */
	run_hysteresis(0, true, false);        /* no_decode and no level: never */
}

/* The callback may forget the stream it is told about, or destroy the whole table. */
struct cb_ctx {
	struct media_rx *rx;
	bool destroy;
	unsigned calls;
};

static void forget_cb(void *user, uint32_t ssrc, bool on)
{
	struct cb_ctx *c = user;

	c->calls++;
	if (c->destroy) {
		media_rx_destroy(c->rx);
		c->rx = NULL;
	} else if (on) {
		media_rx_forget(c->rx, ssrc);
	}
}

static void test_callback_may_forget(void **state)
{
	for (int destroy = 0; destroy < 2; destroy++) {
		struct gen g[2];
		struct cb_ctx c = { .destroy = destroy };
		struct media_stream_stats ss;
		int k;

		gen_init(&g[0], 71, 440, 8000);
		gen_init(&g[1], 72, 700, 8000);
		c.rx = rx_new(0, false, LEVEL_ID);
		media_rx_set_stream_cb(c.rx, forget_cb, &c);
		for (k = 0; k < 10 && c.rx; k++) {
			float acc[CODEC_FRAME] = { 0 };
			int64_t t = T0 + (int64_t)k * 20000;

			gen_step(&g[0], c.rx, true, t + 3000);
			gen_step(&g[1], c.rx, true, t + 4000);
			media_rx_tick(c.rx, t + 20000, acc);
		}
		if (destroy) {
			assert_null(c.rx);
			assert_true(c.calls >= 1);
		} else {
			/* Each went talking and was forgotten; its next packets made a fresh stream,
			 * which went talking again 40 ms later. */
			assert_true(c.calls >= 4);
			for (uint32_t ssrc = 71; ssrc <= 72; ssrc++)
				assert_true(media_rx_stream_stats(c.rx, ssrc, &ss) == -ENOENT ||
					    ss.packets < 5);
			media_rx_destroy(c.rx);
		}
		gen_free(&g[0]);
		gen_free(&g[1]);
	}
}

static void test_rr_blocks(void **state)
{
	struct gen g[MAXGEN];
	struct media_rx *rx = rx_new(0, false, LEVEL_ID);
	uint8_t buf[1500];
	struct rtcp_info info;
	int len;

	for (int i = 0; i < 3; i++)
		gen_init(&g[i], 60 + (uint32_t)i, 440, 8000);
	assert_int_equal(media_rx_write_rtcp(rx, T0, buf, sizeof(buf)), 0); /* nothing yet */
	for (int k = 0; k < 10; k++)
		for (int i = 0; i < 3; i++)
			gen_step(&g[i], rx, true, T0 + k * 20000 + i * 1000);
	/* Stream 61's sender report: LSR in its block. */
	{
		uint8_t sr[100];
		struct rtcp_writer w;
		struct rtcp_sender_info si = { .ntp = 0x1234567890abcdefULL };

		rtcp_writer_init(&w, sr, sizeof(sr));
		rtcp_write_sr(&w, 61, &si, NULL, 0);
		media_rx_on_rtcp(rx, sr, (size_t)rtcp_writer_finish(&w), T0 + 200000);
	}
	len = media_rx_write_rtcp(rx, T0 + 300000, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(rtcp_parse(buf, (size_t)len, &info), 0);
	assert_true(info.has_rr);
	assert_int_equal(info.rr_ssrc, 0xabcdef01);
	assert_int_equal(info.n_blocks, 3);
	assert_int_equal(info.n_cnames, 1);
	for (int i = 0; i < 3; i++) {
		const struct rtcp_report_block *b = NULL;

		for (int j = 0; j < 3; j++)
			if (info.blocks[j].ssrc == g[i].ssrc)
				b = &info.blocks[j];
		assert_non_null(b);
		assert_int_equal(b->ext_max_seq & 0xffff, (uint16_t)(g[i].seq - 1));
		assert_int_equal(b->lost, 0);
		assert_int_equal(b->lsr, i == 1 ? rtcp_ntp_mid(0x1234567890abcdefULL) : 0);
		if (i == 1) /* 100 ms after the SR: 6554/65536 s */
			assert_true(b->dlsr >= 6500 && b->dlsr <= 6600);
	}
	for (int i = 0; i < 3; i++)
		gen_free(&g[i]);
	media_rx_destroy(rx);
}

/* 64 streams (no_decode): reports in turns cover them all; a 65th SSRC evicts the quietest
 * idle one; with no_decode a stream costs no jitter buffer (~100 KB each otherwise). */
static void test_rr_turns_and_eviction(void **state)
{
	size_t heap0 = mallinfo2().uordblks;
	struct media_rx *rx = rx_new(0, true, LEVEL_ID);
	uint8_t buf[1500], pkt[64];
	struct rtcp_info info;
	bool seen[MEDIA_RX_STREAMS + 1] = { 0 };
	struct media_rx_stats st;
	int len;

	for (uint32_t s = 1; s <= MEDIA_RX_STREAMS; s++) {
		struct rtp_header h = { .pt = PT, .seq = 5, .ts = 0, .ssrc = s };
		struct rtp_writer w;
		uint8_t payload[3] = { 0xf8, 0xff, 0xfe };

		rtp_writer_init(&w, pkt, sizeof(pkt), &h, RTP_EXT_ONE_BYTE);
		/* stream 7 is the quietest: -120 dBov, the others -60 */
		rtp_writer_add_audio_level(&w, LEVEL_ID, false, s == 7 ? 120 : 60);
		rtp_writer_put(&w, payload, sizeof(payload));
		len = rtp_writer_finish(&w, 0, 0);
		assert_int_equal(media_rx_put(rx, pkt, (size_t)len, T0 + s), 0);
	}
	/* (ASan's allocator does not count here: then this says nothing, and passes.) */
	assert_true(mallinfo2().uordblks - heap0 < 1000000);
	float acc[CODEC_FRAME];
	media_rx_tick(rx, T0 + 20000, acc);
	for (int rep = 0; rep < 3; rep++) {
		len = media_rx_write_rtcp(rx, T0 + 30000, buf, sizeof(buf));
		assert_true(len > 0 && len <= 1500);
		assert_int_equal(rtcp_parse(buf, (size_t)len, &info), 0);
		assert_true(info.n_blocks >= 2);
		for (unsigned b = 0; b < info.n_blocks; b++)
			seen[info.blocks[b].ssrc] = true;
	}
	for (uint32_t s = 1; s <= MEDIA_RX_STREAMS; s++)
		assert_true(seen[s]);
	/* A 65th stream: stream 7 goes. */
	{
		struct rtp_header h = { .pt = PT, .seq = 1, .ts = 0, .ssrc = 1000 };
		struct rtp_writer w;
		uint8_t payload[3] = { 0xf8, 0xff, 0xfe };
		struct media_stream_stats ss;

		rtp_writer_init(&w, pkt, sizeof(pkt), &h, RTP_EXT_NONE);
		rtp_writer_put(&w, payload, sizeof(payload));
		len = rtp_writer_finish(&w, 0, 0);
		assert_int_equal(media_rx_put(rx, pkt, (size_t)len, T0 + 40000), 0);
		assert_int_equal(media_rx_stream_stats(rx, 7, &ss), -ENOENT);
		assert_int_equal(media_rx_stream_stats(rx, 1000, &ss), 0);
		assert_int_equal(media_rx_stream_stats(rx, 8, &ss), 0);
	}
	media_rx_get_stats(rx, &st);
	assert_int_equal(st.streams, MEDIA_RX_STREAMS);
	assert_int_equal(st.evicted, 1);
	/* Not Opus, not RTP: refused. */
	pkt[1] = 0x80 | 0;
	assert_int_equal(media_rx_put(rx, pkt, (size_t)len, T0 + 40000), -EINVAL);
	assert_int_equal(media_rx_put(rx, pkt, 5, T0 + 40000), -EINVAL);
	media_rx_destroy(rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_streams_mixed),
		cmocka_unit_test(test_five_loud_bounded),
		cmocka_unit_test(test_decode_loudest_three),
		cmocka_unit_test(test_switch_after_hold_keeps_first_frames),
		cmocka_unit_test(test_wait_longer_than_buffer),
		cmocka_unit_test(test_stream_freed),
		cmocka_unit_test(test_late_counted),
		cmocka_unit_test(test_talking_hysteresis),
		cmocka_unit_test(test_callback_may_forget),
		cmocka_unit_test(test_rr_blocks),
		cmocka_unit_test(test_rr_turns_and_eviction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
