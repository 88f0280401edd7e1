/* Unit tests for src/media without a peer or a sound card: the 20 ms clock feeds the sink
 * (null source, WAV sinks), media_set_sink swaps the sink mid-stream without losing or
 * doubling frames (the clock keeps its schedule), a failed swap keeps the old sink,
 * media_set_source's failure path keeps the old source, without a loadable PortAudio
 * media_create_or_null carries on with null devices, and a steady packet stream at any phase
 * ends up sharing its wake-ups with the clock's ticks (no frame lost or doubled meanwhile),
 * and forwarded streams on a receive side (media_attach_recv) are decoded, mixed into the same
 * sink, counted and reported talking (the stream table itself: test_core_media_rx.c), and
 * the uplink FEC follows the server's receiver reports, weighed by the packets they cover. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/codec.h"
#include "audio/device.h"
#include "audio/level.h"
#include "audio/wav.h"
#include "net/rtcp.h"
#include "net/rtp.h"
#include "src/media.h"

static char *tmp_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "/tmp/ttm_test_media_%d_%s", (int)getpid(), name);
	return buf;
}

/* Runs ctx for ms milliseconds of monotonic time. */
static void run_for(GMainContext *ctx, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end)
		g_main_context_iteration(ctx, TRUE); /* the media clock wakes it every 20 ms */
}

static uint64_t wav_frames(const char *path)
{
	struct wav_reader *r;
	struct wav_info info;

	assert_int_equal(wav_reader_open(&r, path), 0);
	wav_reader_info(r, &info);
	assert_int_equal(info.rate, AUDIO_RATE);
	assert_int_equal(info.channels, 1);
	wav_reader_destroy(r);
	return info.frames;
}

static struct media *create(GMainContext *ctx, const char *sink_backend, const char *sink)
{
	struct media_config cfg = {
		.source_backend = "null",
		.sink_backend = sink_backend,
		.sink_target = sink,
		.bitrate = 24000,
		.complexity = 5,
		.cname = "test",
	};
	struct media *m = NULL;
	char msg[160] = "";

	assert_int_equal(media_create(ctx, &cfg, &m, msg, sizeof(msg)), 0);
	assert_non_null(m);
	return m;
}

/* Frames written over `ms` of clock time, allowing for the ticks at either end. */
static void assert_frames_cover(uint64_t frames, gint64 us)
{
	uint64_t want = (uint64_t)(us / 20000);

	assert_true(frames + 3 >= want);
	assert_true(frames <= want + 2);
}

static void test_swap_sink(void **state)
{
	GMainContext *ctx = g_main_context_new();
	char a[128], b[128], msg[160];
	gint64 t0 = g_get_monotonic_time(), t1;
	struct media *m = create(ctx, "wav", tmp_path(a, sizeof(a), "a.wav"));
	uint64_t fa, fb;

	run_for(ctx, 300);
	strcpy(msg, "stale");
	assert_int_equal(media_set_sink(m, "wav", tmp_path(b, sizeof(b), "b.wav"), msg,
					sizeof(msg)), 0);
	assert_string_equal(msg, "");
	fa = wav_frames(a); /* closed by the swap: final */
	run_for(ctx, 300);
	assert_int_equal(media_destroy(m), 0);
	t1 = g_get_monotonic_time();
	fb = wav_frames(b);
	assert_int_equal(fa % AUDIO_FRAME, 0);
	assert_int_equal(fb % AUDIO_FRAME, 0);
	assert_true(fa / AUDIO_FRAME >= 10);
	assert_true(fb / AUDIO_FRAME >= 10);
	/* Nothing lost or played twice around the swap: together they span the whole run. */
	assert_frames_cover((fa + fb) / AUDIO_FRAME, t1 - t0);
	unlink(a);
	unlink(b);
	g_main_context_unref(ctx);
}

/* A stall longer than the clock catches up (a busy machine, SIGSTOP): the file sink still
 * gets a frame for every 20 ms of the run (silence for the skipped ones), so a time in the
 * events is the same time in a --record file. Without the fill it is ~20 frames short. */
static void test_file_keeps_time_across_stall(void **state)
{
	GMainContext *ctx = g_main_context_new();
	char a[128];
	gint64 t0 = g_get_monotonic_time(), t1;
	struct media *m = create(ctx, "wav", tmp_path(a, sizeof(a), "stall.wav"));

	run_for(ctx, 200);
	g_usleep(500 * 1000); /* the loop does not run: 25 ticks are due at once */
	run_for(ctx, 200);
	assert_int_equal(media_destroy(m), 0);
	t1 = g_get_monotonic_time();
	assert_frames_cover(wav_frames(a) / AUDIO_FRAME, t1 - t0);
	unlink(a);
	g_main_context_unref(ctx);
}

static void test_swap_sink_fails(void **state)
{
	GMainContext *ctx = g_main_context_new();
	char a[128], msg[160] = "";
	gint64 t0 = g_get_monotonic_time(), t1;
	struct media *m = create(ctx, "wav", tmp_path(a, sizeof(a), "keep.wav"));

	run_for(ctx, 200);
	assert_int_equal(media_set_sink(m, "wav", "/nonexistent-dir/x.wav", msg, sizeof(msg)),
			 -ENOENT);
	assert_non_null(strstr(msg, "/nonexistent-dir/x.wav"));
	assert_int_equal(media_set_sink(m, "no-such-backend", NULL, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "no-such-backend"));
	assert_int_equal(media_set_sink(m, "wav", "", msg, sizeof(msg)), -EINVAL);
	run_for(ctx, 200);
	assert_int_equal(media_destroy(m), 0);
	t1 = g_get_monotonic_time();
	/* The old sink kept receiving every frame. */
	assert_frames_cover(wav_frames(a) / AUDIO_FRAME, t1 - t0);
	unlink(a);
	g_main_context_unref(ctx);
}

static void test_swap_to_null_and_back(void **state)
{
	GMainContext *ctx = g_main_context_new();
	char a[128], b[128], msg[160];
	struct media *m = create(ctx, "null", NULL);
	uint64_t fa;

	run_for(ctx, 100);
	assert_int_equal(media_set_sink(m, "wav", tmp_path(a, sizeof(a), "n1.wav"), msg,
					sizeof(msg)), 0);
	run_for(ctx, 200);
	assert_int_equal(media_set_sink(m, "null", NULL, msg, sizeof(msg)), 0);
	fa = wav_frames(a);
	assert_true(fa / AUDIO_FRAME >= 5);
	run_for(ctx, 100);
	/* Nothing more went to the closed file. */
	assert_int_equal(wav_frames(a), fa);
	assert_int_equal(media_set_sink(m, "wav", tmp_path(b, sizeof(b), "n2.wav"), msg,
					sizeof(msg)), 0);
	run_for(ctx, 100);
	assert_int_equal(media_destroy(m), 0);
	assert_true(wav_frames(b) / AUDIO_FRAME >= 2);
	unlink(a);
	unlink(b);
	g_main_context_unref(ctx);
}

static void test_set_source_fails(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct media *m = create(ctx, "null", NULL);
	char msg[160] = "";

	assert_int_equal(media_set_source(m, "wav", "/nonexistent-dir/in.wav", false, msg,
					  sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "in.wav"));
	assert_false(media_source_ended(m));
	assert_int_equal(media_set_source(m, "null", NULL, false, msg, sizeof(msg)), 0);
	run_for(ctx, 60);
	assert_int_equal(media_destroy(m), 0);
	g_main_context_unref(ctx);
}

static void test_no_portaudio_falls_back(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct media_config cfg = {
		.source_backend = "portaudio",
		.sink_backend = "portaudio",
		.bitrate = 24000,
		.complexity = 5,
	};
	struct media *m = NULL;
	char msg[160] = "";
	bool no_card = false;

	/* The only PortAudio use in this program: the failed load is remembered per process. */
	setenv("TTYMEET_PORTAUDIO_LIB", "/nonexistent/libportaudio.so.2", 1);
	assert_int_equal(media_create(ctx, &cfg, &m, msg, sizeof(msg)), -ELIBACC);
	assert_null(m);
	assert_non_null(strstr(msg, "PortAudio"));
	assert_int_equal(media_create_or_null(ctx, &cfg, &m, msg, sizeof(msg), &no_card), 0);
	assert_true(no_card);
	assert_int_equal(media_set_sink(m, "portaudio", "default", msg, sizeof(msg)), -ELIBACC);
	run_for(ctx, 60);
	assert_int_equal(media_destroy(m), 0);
	g_main_context_unref(ctx);
}

/* A sender of 20 ms Opus RTP packets on a fixed grid of its own (payload type 0: the media is
 * not attached, so its negotiated type is 0). */
struct sender {
	struct media *m;
	struct codec_enc *enc;
	GSource *src;
	gint64 next_us;
	uint16_t seq;
	uint32_t ts;
	unsigned sent;
};

static gboolean send_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	return cb(data);
}

static GSourceFuncs send_funcs = { .dispatch = send_dispatch };

static gboolean send_one(gpointer data)
{
	struct sender *s = data;
	int16_t pcm[CODEC_FRAME];
	uint8_t pkt[1500];
	struct rtp_header h = { .pt = 0, .seq = s->seq++, .ts = s->ts, .ssrc = 0x1234 };
	struct rtp_writer w;
	size_t room;

	for (int i = 0; i < CODEC_FRAME; i++)
		pcm[i] = (int16_t)((i % 96) * 200 - 9600); /* 500 Hz sawtooth: never DTX */
	s->ts += CODEC_FRAME;
	assert_int_equal(rtp_writer_init(&w, pkt, sizeof(pkt), &h, RTP_EXT_NONE), 0);
	uint8_t *payload = rtp_writer_payload(&w, &room);
	int n = codec_enc_encode(s->enc, pcm, payload, room);
	assert_true(n > 2);
	int len = rtp_writer_finish(&w, (size_t)n, 0);
	assert_true(len > 0);
	media_on_rtp(s->m, pkt, (size_t)len);
	s->sent++;
	s->next_us += 20000;
	g_source_set_ready_time(s->src, s->next_us);
	return G_SOURCE_CONTINUE;
}

static void test_packets_share_wakeups(void **state)
{
	GMainContext *ctx = g_main_context_new();
	char a[128];
	struct sender snd = { 0 };
	struct media_stats st;
	gint64 t0 = g_get_monotonic_time(), t1;
	struct media *m = create(ctx, "wav", tmp_path(a, sizeof(a), "phase.wav"));
	uint64_t ticks0;

	assert_int_equal(codec_enc_create(&snd.enc, NULL), 0);
	snd.m = m;
	/* Arrivals 11 ms before the media's ticks: far outside the window at first. */
	snd.next_us = t0 + 9000;
	snd.src = g_source_new(&send_funcs, sizeof(GSource));
	g_source_set_callback(snd.src, send_one, &snd, NULL);
	g_source_set_ready_time(snd.src, snd.next_us);
	g_source_attach(snd.src, ctx);
	run_for(ctx, 2500); /* the phase is looked at every 50 packets; the grid moves when two
			     * looks in a row agree */
	/* In a 2 s window (100 ticks) almost every tick runs with an arriving packet. The test's
	 * own sender is a timer on a loaded machine (CI runs two builds' tests at once): its
	 * jitter can keep the grid from settling for a while, so up to four windows are looked
	 * at; with coalescing broken none of them passes. */
	uint64_t apart = UINT64_MAX, coalesced = 0;
	for (int w = 0; w < 4 && apart > 20; w++) {
		media_get_stats(m, &st);
		ticks0 = st.ticks - st.ticks_coalesced;
		uint64_t c0 = st.ticks_coalesced;
		run_for(ctx, 2000);
		media_get_stats(m, &st);
		apart = st.ticks - st.ticks_coalesced - ticks0;
		coalesced = st.ticks_coalesced - c0;
	}
	g_source_destroy(snd.src);
	g_source_unref(snd.src);
	assert_int_equal(media_destroy(m), 0);
	t1 = g_get_monotonic_time();
	assert_true(snd.sent >= 150);
	assert_true(st.packets_received >= 150);
	assert_true(st.frames_played > 0);
	assert_true(apart <= 20);
	assert_true(coalesced >= 80);
	/* The grid moved, but every 20 ms still produced exactly one frame. */
	assert_frames_cover(wav_frames(a) / AUDIO_FRAME, t1 - t0);
	codec_enc_destroy(snd.enc);
	unlink(a);
	g_main_context_unref(ctx);
}

/* Two forwarded publishers (SSRC 7 at 440 Hz, 8 at 1000 Hz) with the level extension. */
struct fwd {
	struct media *m;
	struct codec_enc *enc[2];
	GSource *src;
	gint64 next_us;
	uint16_t seq[2];
	uint32_t ts[2];
	long phase;
	unsigned sent;
	int talking[2]; /* stream callback: last state seen, -1 none */
	unsigned events;
};

static gboolean fwd_one(gpointer data)
{
	struct fwd *s = data;

	for (int k = 0; k < 2; k++) {
		int16_t pcm[CODEC_FRAME];
		uint8_t pkt[1500];
		struct rtp_header h = { .pt = 111, .seq = s->seq[k]++, .ts = s->ts[k],
					.ssrc = 7u + (uint32_t)k };
		struct rtp_writer w;
		size_t room;

		for (int i = 0; i < CODEC_FRAME; i++)
			pcm[i] = (int16_t)lrint(8000 * sin(2 * M_PI * (k ? 1000 : 440) *
							   (double)(s->phase + i) / 48000.0));
		s->ts[k] += CODEC_FRAME;
		assert_int_equal(rtp_writer_init(&w, pkt, sizeof(pkt), &h, RTP_EXT_ONE_BYTE), 0);
		rtp_writer_add_audio_level(&w, 3, true, level_rfc6464(level_dbov(pcm, CODEC_FRAME)));
		uint8_t *payload = rtp_writer_payload(&w, &room);
		int n = codec_enc_encode(s->enc[k], pcm, payload, room);
		int len = rtp_writer_finish(&w, (size_t)n, 0);
		assert_true(len > 0);
		media_on_recv_rtp(s->m, pkt, (size_t)len);
	}
	s->phase += CODEC_FRAME;
	s->sent++;
	s->next_us += 20000;
	g_source_set_ready_time(s->src, s->next_us);
	return G_SOURCE_CONTINUE;
}

static void fwd_talk(void *user, uint32_t ssrc, bool on)
{
	struct fwd *s = user;

	assert_true(ssrc == 7 || ssrc == 8);
	s->talking[ssrc - 7] = on;
	s->events++;
}

static void test_forwarded_streams(void **state)
{
	GMainContext *ctx = g_main_context_new();
	char a[128];
	struct fwd snd = { .talking = { -1, -1 } };
	struct media_recv_params rp = { .opus_pts = { 111 }, .n_pts = 1, .level_ext_id = 3 };
	struct media_stats st;
	struct media_stream_stats ss;
	struct media *m = create(ctx, "wav", tmp_path(a, sizeof(a), "fwd.wav"));

	for (int k = 0; k < 2; k++)
		assert_int_equal(codec_enc_create(&snd.enc[k], NULL), 0);
	snd.m = m;
	media_set_stream_cb(m, fwd_talk, &snd);
	media_on_recv_rtp(m, NULL, 0); /* nothing attached: ignored */
	assert_int_equal(media_get_stream_stats(m, 7, &ss), -ENOENT);
	assert_int_equal(media_attach_recv(m, NULL, &rp), 0);
	assert_int_equal(media_attach_recv(m, NULL, &rp), -EBUSY);
	snd.next_us = g_get_monotonic_time() + 5000;
	snd.src = g_source_new(&send_funcs, sizeof(GSource));
	g_source_set_callback(snd.src, fwd_one, &snd, NULL);
	g_source_set_ready_time(snd.src, snd.next_us);
	g_source_attach(snd.src, ctx);
	run_for(ctx, 1500);
	media_get_stats(m, &st);
	assert_int_equal(st.streams, 2);
	assert_int_equal(st.streams_decoded, 2);
	assert_true(st.packets_received >= 100);
	assert_true(st.receiving_audio);
	assert_int_equal(snd.talking[0], 1);
	assert_int_equal(snd.talking[1], 1);
	assert_int_equal(media_get_stream_stats(m, 8, &ss), 0);
	assert_true(ss.decoded && ss.talking && ss.has_level);
	media_forget_stream(m, 8);
	assert_int_equal(media_get_stream_stats(m, 8, &ss), -ENOENT);
	g_source_destroy(snd.src);
	g_source_unref(snd.src);
	media_detach_recv(m);
	media_get_stats(m, &st);
	assert_int_equal(st.streams, 0);
	assert_int_equal(media_destroy(m), 0);

	/* Both tones are in what was played (the second half of the recording). */
	struct wav_reader *r;
	struct wav_info info;
	int16_t *x;
	assert_int_equal(wav_reader_open(&r, a), 0);
	wav_reader_info(r, &info);
	x = calloc(info.frames, sizeof(int16_t));
	assert_int_equal(wav_reader_read(r, x, info.frames), (int)info.frames);
	wav_reader_destroy(r);
	size_t h = info.frames / 2, n = info.frames - h;
	for (int k = 0; k < 2; k++) {
		double hz = k ? 1000 : 440, c = 2 * cos(2 * M_PI * hz / 48000.0), s1 = 0, s2 = 0;
		double sum = 0;

		for (size_t f = 0; f + CODEC_FRAME <= n; f += CODEC_FRAME) {
			s1 = s2 = 0;
			for (size_t i = 0; i < CODEC_FRAME; i++) {
				double s0 = x[h + f + i] + c * s1 - s2;
				s2 = s1;
				s1 = s0;
			}
			sum += 2 * sqrt(s1 * s1 + s2 * s2 - c * s1 * s2) / CODEC_FRAME;
		}
		assert_true(sum / (double)(n / CODEC_FRAME) > 4000);
	}
	free(x);
	for (int k = 0; k < 2; k++)
		codec_enc_destroy(snd.enc[k]);
	unlink(a);
	g_main_context_unref(ctx);
}

/* The server's receiver report about our stream, as media_on_rtcp gets it. */
static void report_loss(struct media *m, uint32_t ext_max_seq, uint8_t fraction_lost)
{
	struct rtcp_report_block rb = { .ssrc = media_ssrc(m), .fraction_lost = fraction_lost,
					.ext_max_seq = ext_max_seq };
	struct rtcp_writer w;
	uint8_t buf[256];

	rtcp_writer_init(&w, buf, sizeof(buf));
	assert_int_equal(rtcp_write_rr(&w, 0x1234, &rb, 1), 0);
	int len = rtcp_writer_finish(&w);
	assert_true(len > 0);
	media_on_rtcp(m, buf, (size_t)len);
}

static int fec_up(struct media *m)
{
	struct media_stats st;

	media_get_stats(m, &st);
	return st.fec_up_pct;
}

/* The uplink FEC is sized from the reported loss, each report weighed by the packets it is
 * about (the step in its extended highest sequence number): one lost of the 4 packets sent
 * in a pause is not 25 % loss; a report about nothing new, or going backwards, changes
 * nothing. */
static void test_fec_follows_reports(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct media *m = create(ctx, "null", NULL);

	assert_int_equal(fec_up(m), 0);
	report_loss(m, 70000, 128); /* the first: about what we sent, here nothing */
	assert_int_equal(fec_up(m), 0);
	report_loss(m, 70050, 13); /* a second of speech, 5.1 % lost */
	assert_int_equal(fec_up(m), 6);
	report_loss(m, 70054, 64); /* 4 packets, one lost: "25 %" */
	assert_int_equal(fec_up(m), 7);
	report_loss(m, 70054, 255); /* nothing new */
	assert_int_equal(fec_up(m), 7);
	report_loss(m, 69000, 255); /* backwards */
	assert_int_equal(fec_up(m), 7);
	report_loss(m, 69050, 38); /* and on from there: 14.8 % over 50 */
	assert_int_equal(fec_up(m), 15);
	assert_int_equal(media_destroy(m), 0);
	g_main_context_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_sink),
		cmocka_unit_test(test_file_keeps_time_across_stall),
		cmocka_unit_test(test_swap_sink_fails),
		cmocka_unit_test(test_swap_to_null_and_back),
		cmocka_unit_test(test_set_source_fails),
		cmocka_unit_test(test_no_portaudio_falls_back),
		cmocka_unit_test(test_packets_share_wakeups),
		cmocka_unit_test(test_forwarded_streams),
		cmocka_unit_test(test_fec_follows_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
