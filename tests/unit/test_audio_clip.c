/* Unit tests for audio/clip: a WAV file (16 kHz, so it is resampled) of silence, a tone and
 * silence again is encoded into one packet per 20 ms frame; the silent stretches become DTX
 * frames with nothing to send, the tone is voice with its level, and the packets decode back
 * to the tone; too long, missing and empty files are refused with distinct errors. */
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

#include "audio/clip.h"
#include "audio/codec.h"
#include "audio/wav.h"

#define RATE 16000
#define SILENCE_S 1.0
#define TONE_S 2.0

static char path[128];

/* 1 s silence, 2 s of a 440 Hz tone at -12 dBFS, 1 s silence: 4 s = 200 frames. */
static void write_file(const char *p, double seconds_scale)
{
	struct wav_writer *w;
	size_t n1 = (size_t)(SILENCE_S * RATE * seconds_scale), n2 = (size_t)(TONE_S * RATE *
									      seconds_scale);
	size_t total = 2 * n1 + n2;
	int16_t *x = calloc(total, sizeof(*x));

	assert_non_null(x);
	for (size_t i = 0; i < n2; i++)
		x[n1 + i] = (int16_t)(8192 * sin(2 * M_PI * 440.0 * (double)i / RATE));
	assert_int_equal(wav_writer_open(&w, p, RATE, 1), 0);
	assert_int_equal(wav_writer_write(w, x, total), 0);
	assert_int_equal(wav_writer_close(w), 0);
	free(x);
}

static void test_encode_once(void **state)
{
	struct codec_enc_config cfg;
	struct audio_clip *c = NULL;
	struct audio_clip_frame f;
	struct codec_dec *d;
	int16_t pcm[CODEC_FRAME];
	size_t i, n, dtx_before = 0, dtx_tone = 0, voice_tone = 0, voice_silence = 0;
	double energy = 0;

	write_file(path, 1.0);
	codec_enc_config_default(&cfg);
	cfg.complexity = 5;
	assert_int_equal(audio_clip_encode(path, &cfg, -50.0f, 1000, &c), 0);
	n = audio_clip_frames(c);
	assert_true(n >= 199 && n <= 201); /* 4 s; the resampler may round the tail */
	assert_int_equal(codec_dec_create(&d), 0);
	for (i = 0; i < n; i++) {
		audio_clip_frame(c, i, &f);
		bool tone = i >= 55 && i < 145; /* well inside the tone */
		if (i < 45)
			dtx_before += f.len == 0;
		if (tone) {
			dtx_tone += f.len == 0;
			voice_tone += f.voice;
			assert_true(f.dbov > -20.0f && f.dbov < -10.0f); /* -15 dBov RMS */
		} else if (i < 45) {
			voice_silence += f.voice;
			assert_true(f.dbov < -100.0f);
		}
		if (f.len) {
			assert_non_null(f.data);
			assert_int_equal(codec_dec_decode(d, f.data, f.len, pcm), CODEC_FRAME);
			if (tone)
				for (int k = 0; k < CODEC_FRAME; k++)
					energy += (double)pcm[k] * pcm[k];
		}
	}
	/* Opus sends about 200 ms before DTX starts (34 of 45 here); then silence costs
	 * nothing. */
	assert_true(dtx_before >= 30);
	assert_int_equal(dtx_tone, 0);
	assert_int_equal(voice_tone, 90);
	assert_int_equal(voice_silence, 0);
	/* The tone decodes back at its level (RMS 5793 = -15 dBFS), within 2 dB. */
	double rms = sqrt(energy / (90.0 * CODEC_FRAME));
	assert_true(fabs(20 * log10(rms / 5793.0)) < 2.0);
	assert_true(audio_clip_bytes(c) > 90 * 20);
	codec_dec_destroy(d);
	audio_clip_free(c);
	audio_clip_free(NULL);
}

static void test_refusals(void **state)
{
	struct audio_clip *c = NULL;
	char other[160];

	write_file(path, 1.0);
	assert_int_equal(audio_clip_encode(path, NULL, -50.0f, 150, &c), -EFBIG);
	assert_null(c);
	snprintf(other, sizeof(other), "%s.missing", path);
	int rc = audio_clip_encode(other, NULL, -50.0f, 1000, &c);
	assert_true(rc < 0 && rc != -EFBIG && rc != -ENODATA);
	assert_null(c);
	write_file(path, 0.0); /* a valid WAV without samples */
	assert_int_equal(audio_clip_encode(path, NULL, -50.0f, 1000, &c), -ENODATA);
	assert_null(c);
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_encode_once, teardown),
		cmocka_unit_test_teardown(test_refusals, teardown),
	};

	snprintf(path, sizeof(path), "/tmp/ttm_test_clip_%d.wav", (int)getpid());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
