/* Microbenchmark of the forwarded-streams downlink (src/media_rx.c): CPU per second of audio
 * for N streams all talking, with decode_max 3 (the default) and with every stream decoded,
 * beside the one-stream path of an AudioBridge call (jitter buffer + Opus decode, what
 * src/media.c does per tick). No network, no clock: packets are made first (speech-like
 * Opus at 24 kbit/s, complexity 10, 20 ms, with the RFC 6464 level, each stream at its own
 * level), then the timed part is what the receiver does: media_rx_put per packet (RTP and
 * level parsing, jitter_put; SRTP is not included, it is the same per packet in both models),
 * media_rx_tick per 20 ms (choice, jitter_get, decode, mix) and the limiter. CPU time is the
 * process's (CLOCK_PROCESS_CPUTIME_ID), best of three runs of SECONDS of audio.
 *
 * Build (after a build in build/dev) and run, from the repository root:
 *   cc -O2 -I. $(pkg-config --cflags glib-2.0) tests/bench/rx_bench.c src/media_rx.c \
 *      build/dev/libttm_audio.a build/dev/libttm_net.a build/dev/libttm_util.a \
 *      $(pkg-config --libs opus glib-2.0) -lm -o /tmp/rx_bench && /tmp/rx_bench
 * Prints one line per case. Single-threaded command-line tool.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/codec.h"
#include "audio/jitter.h"
#include "audio/level.h"
#include "audio/mix.h"
#include "net/rtp.h"
#include "src/media_rx.h"

#define SECONDS 20
#define FRAMES (SECONDS * 50)
#define MAXS 20
#define PT 111
#define LEVEL_ID 1

struct pkt {
	uint16_t len;
	uint8_t data[400];
};

static struct pkt *pkts[MAXS]; /* FRAMES packets per stream */

/* A speech-like frame: a voiced sound (120-250 Hz fundamental with harmonics) with a 4 Hz
 * syllable envelope, plus a little noise. */
static void voice(int16_t *pcm, long t0, double gain, unsigned *seed)
{
	for (int i = 0; i < CODEC_FRAME; i++) {
		double t = (double)(t0 + i) / 48000.0, f0 = 180 + 60 * sin(2 * M_PI * 0.7 * t), x = 0;

		for (int h = 1; h <= 8; h++)
			x += sin(2 * M_PI * f0 * h * t) / h;
		x *= 0.55 + 0.45 * sin(2 * M_PI * 4 * t);
		*seed = *seed * 1103515245u + 12345u;
		x += ((double)(*seed >> 16 & 0x7fff) / 16384.0 - 1.0) * 0.05;
		pcm[i] = (int16_t)lrint(gain * 9000 * x);
	}
}

static void make_packets(void)
{
	for (int s = 0; s < MAXS; s++) {
		struct codec_enc *enc;
		unsigned seed = (unsigned)s + 1;
		double gain = pow(10, -(double)s / 40); /* 0 .. -9.5 dB: all talking */

		pkts[s] = calloc(FRAMES, sizeof(struct pkt));
		if (!pkts[s] || codec_enc_create(&enc, NULL) < 0)
			exit(1);
		for (int f = 0; f < FRAMES; f++) {
			int16_t pcm[CODEC_FRAME];
			struct rtp_header h = { .pt = PT, .seq = (uint16_t)f, .ts = (uint32_t)f * 960,
						.ssrc = 1000 + (uint32_t)s };
			struct rtp_writer w;
			size_t room;

			voice(pcm, (long)f * CODEC_FRAME + s * 7919, gain, &seed);
			rtp_writer_init(&w, pkts[s][f].data, sizeof(pkts[s][f].data), &h,
					RTP_EXT_ONE_BYTE);
			rtp_writer_add_audio_level(&w, LEVEL_ID, true,
						   level_rfc6464(level_dbov(pcm, CODEC_FRAME)));
			uint8_t *p = rtp_writer_payload(&w, &room);
			int n = codec_enc_encode(enc, pcm, p, room);
			int len = rtp_writer_finish(&w, n > 0 ? (size_t)n : 0, 0);

			if (len <= 0)
				exit(1);
			pkts[s][f].len = (uint16_t)len;
		}
		codec_enc_destroy(enc);
	}
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The forwarded path: n streams, decode_max k. Returns CPU seconds; *decoded gets the
 * decoders at the end. */
static double run_rx(int n, unsigned k, unsigned *decoded)
{
	struct media_rx_config cfg = { .decode_max = k, .ssrc = 1, .cname = "bench" };
	struct media_recv_params rp = { .opus_pts = { PT }, .n_pts = 1, .level_ext_id = LEVEL_ID };
	struct media_rx *rx;
	struct mix_limiter lim;
	int16_t out[CODEC_FRAME];
	double t0;

	if (media_rx_create(&cfg, &rp, &rx) < 0)
		exit(1);
	mix_limiter_init(&lim);
	t0 = cpu_s();
	for (int f = 0; f < FRAMES; f++) {
		int64_t now = 1000000000LL + (int64_t)f * 20000;
		float acc[CODEC_FRAME] = { 0 };

		for (int s = 0; s < n; s++)
			media_rx_put(rx, pkts[s][f].data, pkts[s][f].len, now + 2000 + s * 500);
		media_rx_tick(rx, now + 20000, acc);
		mix_limit(&lim, acc, out, CODEC_FRAME);
	}
	t0 = cpu_s() - t0;
	*decoded = media_rx_decoders(rx);
	media_rx_destroy(rx);
	return t0;
}

/* The AudioBridge path: one stream, jitter buffer and decoder, as media.c's downlink. */
static double run_one(void)
{
	struct jitter *jb;
	struct codec_dec *dec;
	int16_t pcm[CODEC_FRAME];
	double t0;

	if (jitter_create(&jb, NULL) < 0 || codec_dec_create(&dec) < 0)
		exit(1);
	t0 = cpu_s();
	for (int f = 0; f < FRAMES; f++) {
		uint64_t now = 1000000 + (uint64_t)f * 20;
		struct rtp_header h;
		struct jitter_frame jf;

		if (rtp_parse(pkts[0][f].data, pkts[0][f].len, &h) == 0)
			jitter_put(jb, h.seq, h.ts, h.payload, h.payload_len, now + 2);
		jitter_get(jb, now + 20, &jf);
		if (jf.action == JITTER_PACKET)
			codec_dec_decode(dec, jf.data, jf.len, pcm);
		else if (jf.action == JITTER_FEC)
			codec_dec_fec(dec, jf.data, jf.len, pcm);
		else if (jf.action == JITTER_PLC)
			codec_dec_plc(dec, pcm);
		level_dbov(pcm, CODEC_FRAME);
	}
	t0 = cpu_s() - t0;
	jitter_destroy(jb);
	codec_dec_destroy(dec);
	return t0;
}

static void report(const char *what, double best, unsigned decoded)
{
	printf("%-34s %7.0f us CPU per s of audio = %5.2f %% of a core  (decoders: %u)\n", what,
	       best / SECONDS * 1e6, best / SECONDS * 100, decoded);
}

int main(void)
{
	static const int ns[] = { 1, 5, 20 };
	char what[64];
	unsigned dec = 0;

	make_packets();
	double best = 1e9;
	for (int r = 0; r < 3; r++)
		best = fmin(best, run_one());
	report("one stream (AudioBridge path)", best, 1);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		for (int all = 0; all < 2; all++) {
			unsigned k = all ? (unsigned)ns[i] : 3;

			if (all && ns[i] <= 3)
				continue;
			best = 1e9;
			for (int r = 0; r < 3; r++)
				best = fmin(best, run_rx(ns[i], k, &dec));
			snprintf(what, sizeof(what), "%d streams, decode_max %u", ns[i], k);
			report(what, best, dec);
		}
	}
	for (int s = 0; s < MAXS; s++)
		free(pkts[s]);
	return 0;
}
