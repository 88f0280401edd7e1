/* Unit tests for audio/device with the null and wav backends (no sound card needed): frames
 * of silence, a recorded file's exact content, a 44.1 kHz stereo file played as 48 kHz mono
 * (frequency, level, frame count, end of file), read 200 ms ahead, seamless looping, bad files
 * and names; and the PortAudio backend where there is no sound card: unknown names fail
 * cleanly, listing works, and the reference-counted initialisation survives concurrent use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/device.h"
#include "audio/wav.h"

static char *tmp_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "/tmp/ttm_test_dev_%d_%s", (int)getpid(), name);
	return buf;
}

static double goertzel(const int16_t *x, size_t n, double f)
{
	double w = 2.0 * M_PI * f / AUDIO_RATE, c = 2.0 * cos(w), s1 = 0, s2 = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return 2.0 * sqrt(fabs(s1 * s1 + s2 * s2 - c * s1 * s2)) / n;
}

/* Writes a stereo file at `rate` with a 1 kHz sine of amplitude amp in both channels. */
static void write_sine_file(const char *path, unsigned rate, unsigned channels, size_t frames,
			    double amp)
{
	struct wav_writer *w;
	int16_t buf[8];
	size_t i;
	unsigned c;

	assert_int_equal(wav_writer_open(&w, path, rate, channels), 0);
	for (i = 0; i < frames; i++) {
		for (c = 0; c < channels; c++)
			buf[c] = (int16_t)lrint(amp * sin(2 * M_PI * 1000.0 * i / rate));
		assert_int_equal(wav_writer_write(w, buf, 1), 0);
	}
	assert_int_equal(wav_writer_close(w), 0);
}

static void test_null(void **state)
{
	struct audio_source *src;
	struct audio_sink *sink;
	struct audio_dev_stats st;
	int16_t frame[AUDIO_FRAME];
	int i;

	assert_int_equal(audio_source_open(&src, "null", NULL, 0), 0);
	for (i = 0; i < 3; i++) {
		memset(frame, 0x55, sizeof(frame));
		assert_int_equal(audio_source_read(src, frame), 1);
		assert_int_equal(frame[0], 0);
		assert_int_equal(frame[AUDIO_FRAME - 1], 0);
	}
	audio_source_stats(src, &st);
	assert_int_equal(st.frames, 3);
	audio_source_close(src);
	assert_int_equal(audio_sink_open(&sink, "null", NULL, 0), 0);
	assert_int_equal(audio_sink_write(sink, frame), 1);
	audio_sink_stats(sink, &st);
	assert_int_equal(st.frames, 1);
	assert_int_equal(st.underruns, 0);
	assert_int_equal(audio_sink_close(sink), 0);
	audio_source_close(NULL);
	assert_int_equal(audio_sink_close(NULL), 0);
}

static void test_wav_sink_records_exactly(void **state)
{
	struct audio_sink *sink;
	struct wav_reader *r;
	struct wav_info info;
	int16_t frame[AUDIO_FRAME], got[AUDIO_FRAME];
	char path[128];
	int i, k;

	tmp_path(path, sizeof(path), "rec.wav");
	assert_int_equal(audio_sink_open(&sink, "wav", path, 0), 0);
	for (k = 0; k < 60; k++) {
		for (i = 0; i < AUDIO_FRAME; i++)
			frame[i] = (int16_t)(k * 1000 + i);
		assert_int_equal(audio_sink_write(sink, frame), 1);
	}
	assert_int_equal(audio_sink_close(sink), 0);
	assert_int_equal(wav_reader_open(&r, path), 0);
	wav_reader_info(r, &info);
	assert_int_equal(info.rate, 48000);
	assert_int_equal(info.channels, 1);
	assert_int_equal(info.bits, 16);
	assert_int_equal(info.frames, 60 * AUDIO_FRAME);
	for (k = 0; k < 60; k++) {
		assert_int_equal(wav_reader_read(r, got, AUDIO_FRAME), AUDIO_FRAME);
		assert_int_equal(got[0], (int16_t)(k * 1000));
		assert_int_equal(got[959], (int16_t)(k * 1000 + 959));
	}
	wav_reader_destroy(r);
	unlink(path);
	assert_int_equal(audio_sink_open(&sink, "wav", "/nonexistent/dir/x.wav", 0), -ENOENT);
	assert_int_equal(audio_sink_open(&sink, "wav", NULL, 0), -EINVAL);
}

static void test_wav_source_resamples(void **state)
{
	static int16_t all[40 * AUDIO_FRAME];
	struct audio_source *src;
	struct audio_dev_stats st;
	char path[128];
	int frames = 0, rc;
	double a;

	tmp_path(path, sizeof(path), "play.wav");
	write_sine_file(path, 44100, 2, 22050, 10000.0);	/* 0.5 s */
	assert_int_equal(audio_source_open(&src, "wav", path, 0), 0);
	while ((rc = audio_source_read(src, all + frames * AUDIO_FRAME)) == 1) {
		frames++;
		assert_true(frames < 40);
	}
	assert_int_equal(rc, AUDIO_EOF);
	assert_int_equal(audio_source_read(src, all), AUDIO_EOF);
	/* 0.5 s at 48 kHz is 25 frames (a last partial one padded with silence). */
	assert_true(frames == 25 || frames == 26);
	a = goertzel(all + 2 * AUDIO_FRAME, 20 * AUDIO_FRAME, 1000.0);
	assert_true(fabs(a - 10000.0) < 100.0);
	assert_true(goertzel(all + 2 * AUDIO_FRAME, 20 * AUDIO_FRAME, 1100.0) < 100.0);
	audio_source_stats(src, &st);
	assert_int_equal(st.frames, (uint64_t)frames);
	audio_source_close(src);
	unlink(path);
}

/* Where the open file of path stands (its fd's position, from /proc/self/fdinfo), or -1. */
static long file_pos_of(const char *path)
{
	char link[64], target[256], info[64], line[128];
	long pos = -1;

	for (int fd = 0; fd < 1024 && pos < 0; fd++) {
		ssize_t n;
		FILE *f;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path))
			continue;
		snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", fd);
		f = fopen(info, "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "pos:", 4))
				pos = atol(line + 4);
		if (f)
			fclose(f);
	}
	return pos;
}

/* The source reads and resamples a file 200 ms ahead (one warm pass per ten frames instead of
 * ten cold ones: dev_wav.c); the frames come out the same (test_wav_source_resamples). */
static void test_wav_source_reads_ahead(void **state)
{
	int16_t frame[AUDIO_FRAME];
	struct audio_source *src;
	char path[128];
	long pos;

	tmp_path(path, sizeof(path), "ahead.wav");
	write_sine_file(path, 44100, 1, 44100, 10000.0); /* 1 s, 88,200 bytes of samples */
	assert_int_equal(audio_source_open(&src, "wav", path, 0), 0);
	assert_int_equal(audio_source_read(src, frame), 1);
	pos = file_pos_of(path);
	assert_true(pos >= 44 + 8820 * 2); /* 200 ms read (20 ms would leave it near 4 KiB) */
	for (int i = 1; i < 8; i++) /* frames 1..7 come from what was read (the resampler holds
				     * back the half filter length of the 200 ms) */
		assert_int_equal(audio_source_read(src, frame), 1);
	assert_int_equal(file_pos_of(path), pos);
	audio_source_close(src);
	unlink(path);
}

static void test_wav_source_loops_seamlessly(void **state)
{
	struct audio_source *src;
	int16_t frame[AUDIO_FRAME];
	char path[128];
	double max_err = 0.0;
	int k, i;

	/* 0.5 s of 1 kHz at 44.1 kHz is exactly 500 periods: looped, it is one long sine. */
	tmp_path(path, sizeof(path), "loop.wav");
	write_sine_file(path, 44100, 1, 22050, 10000.0);
	assert_int_equal(audio_source_open(&src, "wav", path, AUDIO_LOOP), 0);
	for (k = 0; k < 150; k++) {
		assert_int_equal(audio_source_read(src, frame), 1);
		for (i = 0; k > 0 && i < AUDIO_FRAME; i++) {
			double t = (double)(k * AUDIO_FRAME + i) / AUDIO_RATE;
			double e = fabs(frame[i] - 10000.0 * sin(2 * M_PI * 1000.0 * t));

			if (e > max_err)
				max_err = e;
		}
	}
	assert_true(max_err < 3.0);
	audio_source_close(src);

	/* 48 kHz mono passes through untouched. */
	write_sine_file(path, 48000, 1, 960 * 3, 5000.0);
	assert_int_equal(audio_source_open(&src, "wav", path, 0), 0);
	assert_int_equal(audio_source_read(src, frame), 1);
	assert_int_equal(frame[12], (int16_t)lrint(5000.0 * sin(2 * M_PI * 1000.0 * 12 / 48000)));
	assert_int_equal(audio_source_read(src, frame), 1);
	assert_int_equal(audio_source_read(src, frame), 1);
	assert_int_equal(audio_source_read(src, frame), AUDIO_EOF);
	audio_source_close(src);

	/* An empty file ends even when looping. */
	write_sine_file(path, 16000, 1, 0, 0.0);
	assert_int_equal(audio_source_open(&src, "wav", path, AUDIO_LOOP), 0);
	assert_int_equal(audio_source_read(src, frame), AUDIO_EOF);
	audio_source_close(src);
	unlink(path);
}

static void test_bad_inputs(void **state)
{
	struct audio_source *src;
	struct audio_sink *sink;
	char path[128];
	FILE *f;

	assert_int_equal(audio_source_open(&src, "nosuch", NULL, 0), -EINVAL);
	assert_int_equal(audio_sink_open(&sink, NULL, NULL, 0), -EINVAL);
	assert_int_equal(audio_source_open(&src, "wav", "/nonexistent.wav", 0), -ENOENT);
	tmp_path(path, sizeof(path), "junk.wav");
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("this is a text file, not a sound\n", f);
	fclose(f);
	assert_int_equal(audio_source_open(&src, "wav", path, 0), WAV_ENOTWAV);
	unlink(path);
	assert_string_not_equal(audio_strerror(-ENODEV), audio_strerror(-ENOENT));
	assert_string_not_equal(audio_strerror(WAV_ENOTWAV), audio_strerror(WAV_ECORRUPT));
	assert_string_equal(audio_strerror(WAV_EUNSUPP), wav_strerror(WAV_EUNSUPP));
	assert_string_not_equal(audio_strerror(AUDIO_EOF), audio_strerror(-EIO));
}

static void test_portaudio_unknown_device(void **state)
{
	struct audio_source *src = NULL;
	struct audio_sink *sink = NULL;
	int rc;

	rc = audio_source_open(&src, "portaudio", "no-such-device-xyzzy", 0);
	assert_true(rc == -ENODEV || rc == -ENOENT);
	assert_null(src);
	rc = audio_sink_open(&sink, "portaudio", "no-such-device-xyzzy", 0);
	assert_true(rc == -ENODEV || rc == -ENOENT);
	assert_null(sink);
}

static void test_portaudio_default_device(void **state)
{
	struct audio_source *src = NULL;
	struct audio_sink *sink = NULL;
	int16_t frame[AUDIO_FRAME] = { 0 };
	int rc;

	/* With a sound card this opens; without one it must say -ENODEV, nothing else. */
	rc = audio_source_open(&src, "portaudio", NULL, 0);
	assert_true(rc == 0 || rc == -ENODEV);
	if (rc == 0) {
		rc = audio_source_read(src, frame);
		assert_true(rc == 0 || rc == 1);
		audio_source_close(src);
	}
	rc = audio_sink_open(&sink, "portaudio", "default", 0);
	assert_true(rc == 0 || rc == -ENODEV);
	if (rc == 0) {
		assert_true(audio_sink_write(sink, frame) >= 0);
		assert_int_equal(audio_sink_close(sink), 0);
	}
}

static void count_device(const struct audio_device_info *info, void *arg)
{
	int *n = arg;

	assert_non_null(info->name);
	assert_non_null(info->host_api);
	assert_true(info->max_in >= 0 && info->max_out >= 0);
	(*n)++;
}

static void test_portaudio_list(void **state)
{
	int seen = 0, n;

	n = audio_device_list(count_device, &seen);
	assert_true(n >= 0);
	assert_int_equal(seen, n);
	/* Twice: PortAudio was terminated and initialised again in between. */
	seen = 0;
	assert_int_equal(audio_device_list(count_device, &seen), n);
	assert_int_equal(seen, n);
}

static void *open_close_loop(void *arg)
{
	struct audio_source *src;
	int i, *bad = arg;

	for (i = 0; i < 5; i++) {
		int rc = audio_source_open(&src, "portaudio", "no-such-device-xyzzy", 0);

		if (rc == 0)
			audio_source_close(src);
		else if (rc != -ENODEV && rc != -ENOENT)
			(*bad)++;
	}
	return NULL;
}

static void test_portaudio_concurrent_init(void **state)
{
	pthread_t t[3];
	int bad[3] = { 0 }, i;

	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, open_close_loop, &bad[i]), 0);
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(bad[i], 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_wav_sink_records_exactly),
		cmocka_unit_test(test_wav_source_resamples),
		cmocka_unit_test(test_wav_source_reads_ahead),
		cmocka_unit_test(test_wav_source_loops_seamlessly),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_portaudio_unknown_device),
		cmocka_unit_test(test_portaudio_default_device),
		cmocka_unit_test(test_portaudio_list),
		cmocka_unit_test(test_portaudio_concurrent_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
