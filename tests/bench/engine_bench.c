/* Microbenchmark of one participant's media tick (src/media.c) without network or clock: what
 * a 20 ms frame of a one-to-one call costs in each stage, the work of a headless ttymeet that
 * plays a WAV file (--play) and records what it hears (--record), as jitsi_bench.py and
 * audio_bench.py run it. Uplink: the WAV source (downmix, resampling to 48 kHz), the level and
 * voice detection, Opus encode (24 kbit/s, complexity 10, in-band FEC, DTX: ttymeet's
 * defaults), RTP with the audio-level and mid extensions, SRTP protect. Downlink: SRTP
 * unprotect, RTP parse, jitter_put, jitter_get, Opus decode, level, the WAV sink. The remote
 * stream is the same speech encoded first (not timed) at 40 kbit/s, what a browser sends.
 * Left out: the kernel (sendmsg/recvmsg, a wake-up per tick), GLib and libnice, RTCP.
 *
 * Two ways: "back to back" runs the frames one after another (caches warm: the least each
 * stage can cost); "paced" sleeps 20 ms before each frame as a call does, so that each tick
 * starts with the caches and the processor in whatever state the 20 ms left them (on a shared
 * machine: cold). A live ttymeet pays the paced figures, plus the kernel and the loop.
 *
 * Build (after a build in build/dev) and run, from the repository root:
 *   cc -O2 -I. $(pkg-config --cflags glib-2.0) tests/bench/engine_bench.c \
 *      build/dev/libttm_audio.a build/dev/libttm_net.a build/dev/libttm_util.a \
 *      $(pkg-config --libs opus glib-2.0 libsrtp2) -lm -o /tmp/engine_bench
 *   /tmp/engine_bench SPEECH.wav [SECONDS] [PROFILE]
 * SPEECH.wav: any rate and channels (espeak-ng -w writes 22.05 kHz mono); SECONDS of audio
 * (default 10, the file looped); PROFILE gcm (default, what browsers and Janus pick) or cm
 * (AES128_CM_SHA1_80). Prints microseconds per frame for each stage (CPU time of the thread,
 * best of three runs; the paced runs take SECONDS of real time each) and the sum as % of one
 * core. For instruction counts, the same binary
 * under valgrind --tool=callgrind: every stage is its own stage_* function. Single-threaded
 * command-line tool.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio/codec.h"
#include "audio/device.h"
#include "audio/jitter.h"
#include "audio/level.h"
#include "net/dtls.h"
#include "net/rtp.h"
#include "net/srtp.h"

#define LEVEL_ID 1
#define MID_ID 3
#define PKT_CAP 1600
#define RUNS 3

enum { S_SOURCE, S_LEVEL, S_ENCODE, S_PROTECT, S_UNPROTECT, S_JITTER, S_DECODE, S_SINK, S_N };
static const char *const stage_name[S_N] = {
	"WAV source (resample)", "level + VAD", "Opus encode", "RTP + SRTP protect",
	"SRTP unprotect", "RTP parse + jitter", "Opus decode", "level + WAV sink",
};

struct bench {
	struct audio_source *src;
	struct audio_sink *sink;
	struct codec_enc *enc;
	struct codec_dec *dec;
	struct jitter *jb;
	struct srtp_session *srtp;
	struct level_vad vad;
	uint16_t seq;
	uint32_t ts;
	int16_t pcm[AUDIO_FRAME], out[AUDIO_FRAME];
	float dbov;
	bool voice;
	int enc_len;
	uint8_t enc_buf[PKT_CAP];
	uint32_t pkt32[PKT_CAP / 4];
	size_t pkt_len;
	uint8_t (*remote)[PKT_CAP]; /* the remote stream, SRTP-protected, one per frame */
	size_t *remote_len;
	uint8_t rx[PKT_CAP];
	size_t rx_len;
	struct jitter_frame jf;
	double t[S_N];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "engine_bench: %s (%d)\n", what, rc);
	exit(1);
}

static __attribute__((noinline)) void stage_source(struct bench *b)
{
	if (audio_source_read(b->src, b->pcm) != 1)
		die("source read", 0);
}

static __attribute__((noinline)) void stage_level(struct bench *b)
{
	b->dbov = level_dbov(b->pcm, AUDIO_FRAME);
	b->voice = level_vad_update(&b->vad, b->dbov, 20);
}

static __attribute__((noinline)) void stage_encode(struct bench *b)
{
	b->enc_len = codec_enc_encode(b->enc, b->pcm, b->enc_buf, sizeof(b->enc_buf));
	if (b->enc_len < 0)
		die("encode", b->enc_len);
}

static __attribute__((noinline)) void stage_protect(struct bench *b)
{
	struct rtp_header h = { .pt = 111, .seq = b->seq++, .ts = b->ts, .ssrc = 0x1234567 };
	struct rtp_writer w;
	int len;

	b->ts += CODEC_FRAME;
	rtp_writer_init(&w, (uint8_t *)b->pkt32, PKT_CAP - 64, &h, RTP_EXT_ONE_BYTE);
	rtp_writer_add_audio_level(&w, LEVEL_ID, b->voice, level_rfc6464(b->dbov));
	rtp_writer_add_mid(&w, MID_ID, "0");
	rtp_writer_put(&w, b->enc_buf, (size_t)b->enc_len);
	len = rtp_writer_finish(&w, (size_t)b->enc_len, 0);
	if (len <= 0)
		die("rtp", len);
	b->pkt_len = (size_t)len;
	if (srtp_session_protect_rtp(b->srtp, (uint8_t *)b->pkt32, &b->pkt_len,
				     sizeof(b->pkt32)) < 0)
		die("protect", 0);
}

static __attribute__((noinline)) void stage_unprotect(struct bench *b, long i)
{
	memcpy(b->rx, b->remote[i], b->remote_len[i]);
	b->rx_len = b->remote_len[i];
	if (srtp_session_unprotect_rtp(b->srtp, b->rx, &b->rx_len) < 0)
		die("unprotect", 0);
}

static __attribute__((noinline)) void stage_jitter(struct bench *b, long i)
{
	struct rtp_header h;

	if (rtp_parse(b->rx, b->rx_len, &h) < 0)
		die("rtp parse", 0);
	jitter_put(b->jb, h.seq, h.ts, h.payload, h.payload_len, (uint64_t)i * 20);
	jitter_get(b->jb, (uint64_t)i * 20 + 10, &b->jf);
}

static __attribute__((noinline)) void stage_decode(struct bench *b)
{
	int n = 0;

	if (b->jf.action == JITTER_PACKET)
		n = codec_dec_decode(b->dec, b->jf.data, b->jf.len, b->out);
	else if (b->jf.action == JITTER_PLC || b->jf.action == JITTER_FEC)
		n = codec_dec_plc(b->dec, b->out);
	if (n <= 0)
		memset(b->out, 0, sizeof(b->out));
}

static __attribute__((noinline)) void stage_sink(struct bench *b)
{
	b->dbov = level_dbov(b->out, AUDIO_FRAME);
	if (audio_sink_write(b->sink, b->out) != 1)
		die("sink write", 0);
}

/* The remote stream: the same file encoded at 40 kbit/s with its own sequence (the jitter
 * buffer sees one packet per frame, in order), protected with the inbound key. */
static void make_remote(struct bench *b, const char *wav, long frames)
{
	struct codec_enc_config ec;
	struct codec_enc *enc;
	struct audio_source *src;
	int16_t pcm[AUDIO_FRAME];
	int rc;

	codec_enc_config_default(&ec);
	ec.bitrate = 40000;
	ec.complexity = 9;
	if ((rc = codec_enc_create(&enc, &ec)) < 0 ||
	    (rc = audio_source_open(&src, "wav", wav, AUDIO_LOOP)) < 0)
		die("remote stream", rc);
	b->remote = malloc((size_t)frames * sizeof(*b->remote));
	b->remote_len = malloc((size_t)frames * sizeof(*b->remote_len));
	if (!b->remote || !b->remote_len)
		die("malloc", -ENOMEM);
	for (long i = 0; i < frames; i++) {
		struct rtp_header h = { .pt = 111, .seq = (uint16_t)(1000 + i),
					.ts = (uint32_t)(i * CODEC_FRAME), .ssrc = 0x7654321 };
		struct rtp_writer w;
		uint8_t payload[PKT_CAP];
		int n, len;

		if (audio_source_read(src, pcm) != 1)
			die("remote read", 0);
		n = codec_enc_encode(enc, pcm, payload, sizeof(payload));
		if (n <= 0)
			die("remote encode", n);
		rtp_writer_init(&w, b->remote[i], PKT_CAP - 64, &h, RTP_EXT_ONE_BYTE);
		rtp_writer_add_audio_level(&w, LEVEL_ID, true, 30);
		rtp_writer_put(&w, payload, (size_t)n);
		len = rtp_writer_finish(&w, (size_t)n, 0);
		if (len <= 0)
			die("remote rtp", len);
		b->remote_len[i] = (size_t)len;
	}
	codec_enc_destroy(enc);
	audio_source_close(src);
}

static void keys_for(struct dtls_srtp_keys *k, enum dtls_srtp_profile p, bool swap)
{
	memset(k, 0, sizeof(*k));
	k->profile = p;
	k->key_len = 16;
	k->salt_len = p == DTLS_SRTP_AES128_CM_SHA1_80 ? 14 : 12;
	for (size_t i = 0; i < k->key_len; i++) {
		k->local_key[i] = (uint8_t)(swap ? 0xa0 + i : 0x10 + i);
		k->remote_key[i] = (uint8_t)(swap ? 0x10 + i : 0xa0 + i);
	}
	for (size_t i = 0; i < k->salt_len; i++) {
		k->local_salt[i] = (uint8_t)(swap ? 0x50 + i : 0x30 + i);
		k->remote_salt[i] = (uint8_t)(swap ? 0x30 + i : 0x50 + i);
	}
}

static void run(struct bench *b, const char *wav, long frames, enum dtls_srtp_profile prof,
		bool paced, double best[S_N])
{
	struct codec_enc_config ec;
	struct dtls_srtp_keys k;
	char sink_path[] = "/tmp/engine_bench_XXXXXX";
	int fd, rc;

	memset(b->t, 0, sizeof(b->t));
	fd = mkstemp(sink_path);
	if (fd < 0)
		die("mkstemp", -errno);
	close(fd);
	codec_enc_config_default(&ec);
	keys_for(&k, prof, false);
	if ((rc = audio_source_open(&b->src, "wav", wav, AUDIO_LOOP)) < 0 ||
	    (rc = audio_sink_open(&b->sink, "wav", sink_path, 0)) < 0 ||
	    (rc = codec_enc_create(&b->enc, &ec)) < 0 || (rc = codec_dec_create(&b->dec)) < 0 ||
	    (rc = jitter_create(&b->jb, NULL)) < 0 || (rc = srtp_session_create(&b->srtp, &k)) < 0)
		die("setup", rc);
	level_vad_init(&b->vad, -45.0f);
	for (long i = 0; i < frames; i++) {
		double t0, t1;

		if (paced)
			usleep(20000);
		t0 = now_s();

		stage_source(b);
		t1 = now_s(), b->t[S_SOURCE] += t1 - t0, t0 = t1;
		stage_level(b);
		t1 = now_s(), b->t[S_LEVEL] += t1 - t0, t0 = t1;
		stage_encode(b);
		t1 = now_s(), b->t[S_ENCODE] += t1 - t0, t0 = t1;
		stage_protect(b);
		t1 = now_s(), b->t[S_PROTECT] += t1 - t0, t0 = t1;
		stage_unprotect(b, i);
		t1 = now_s(), b->t[S_UNPROTECT] += t1 - t0, t0 = t1;
		stage_jitter(b, i);
		t1 = now_s(), b->t[S_JITTER] += t1 - t0, t0 = t1;
		stage_decode(b);
		t1 = now_s(), b->t[S_DECODE] += t1 - t0, t0 = t1;
		stage_sink(b);
		t1 = now_s(), b->t[S_SINK] += t1 - t0;
	}
	for (int s = 0; s < S_N; s++)
		if (best[s] == 0 || b->t[s] < best[s])
			best[s] = b->t[s];
	audio_source_close(b->src);
	audio_sink_close(b->sink);
	codec_enc_destroy(b->enc);
	codec_dec_destroy(b->dec);
	jitter_destroy(b->jb);
	srtp_session_destroy(b->srtp);
	unlink(sink_path);
}

int main(int argc, char **argv)
{
	long seconds = argc > 2 ? atol(argv[2]) : 10, frames = seconds * 50;
	enum dtls_srtp_profile prof = argc > 3 && !strcmp(argv[3], "cm")
					      ? DTLS_SRTP_AES128_CM_SHA1_80 : DTLS_SRTP_AEAD_AES_128_GCM;
	struct dtls_srtp_keys k;
	struct srtp_session *peer;
	static struct bench b;
	double best[S_N] = { 0 }, sum = 0;

	if (argc < 2 || seconds <= 0) {
		fprintf(stderr, "usage: engine_bench SPEECH.wav [SECONDS] [gcm|cm]\n");
		return 2;
	}
	make_remote(&b, argv[1], frames);
	keys_for(&k, prof, true); /* the peer's outbound key is our inbound key */
	if (srtp_session_create(&peer, &k) < 0)
		die("peer srtp", 0);
	for (long i = 0; i < frames; i++)
		if (srtp_session_protect_rtp(peer, b.remote[i], &b.remote_len[i], PKT_CAP) < 0)
			die("peer protect", 0);
	srtp_session_destroy(peer);
	for (int paced = 0; paced < 2; paced++) {
		memset(best, 0, sizeof(best));
		sum = 0;
		for (int r = 0; r < RUNS; r++) /* the same packets each run: a fresh session */
			run(&b, argv[1], frames, prof, paced, best);
		printf("engine_bench: %ld s of audio (%ld frames), SRTP %s, %s, best of %d runs\n",
		       seconds, frames, dtls_srtp_profile_name(prof),
		       paced ? "paced (a frame every 20 ms)" : "back to back", RUNS);
		for (int s = 0; s < S_N; s++) {
			printf("  %-22s %7.1f us/frame\n", stage_name[s], 1e6 * best[s] / frames);
			sum += best[s];
		}
		printf("  %-22s %7.1f us/frame = %.2f %% of one core\n", "all", 1e6 * sum / frames,
		       100 * sum / seconds);
		fflush(stdout);
	}
	free(b.remote);
	free(b.remote_len);
	return 0;
}
