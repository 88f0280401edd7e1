/* Unit tests for audio/wav: every accepted sample format decoded to the right int16 values,
 * chunk walking (odd chunks, extensible), clamping of oversized data sizes, each error class,
 * FILE* and pipe entry points, and the writer (round trip, header patched while writing,
 * valid when closed early, on disk once a second and not in between, private and never
 * through a symlink). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/wav.h"

/* A little WAV builder: bytes appended to a fixed buffer. */
struct wb {
	uint8_t b[4096];
	size_t n;
};

static void wb_bytes(struct wb *w, const void *p, size_t n)
{
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void wb_u16(struct wb *w, unsigned v)
{
	uint8_t p[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	wb_bytes(w, p, 2);
}

static void wb_u32(struct wb *w, uint32_t v)
{
	wb_u16(w, v & 0xffff);
	wb_u16(w, v >> 16);
}

static void wb_riff(struct wb *w)
{
	w->n = 0;
	wb_bytes(w, "RIFF", 4);
	wb_u32(w, 0);	/* patched by wb_finish */
	wb_bytes(w, "WAVE", 4);
}

static void wb_fmt(struct wb *w, unsigned tag, unsigned ch, uint32_t rate, unsigned bits)
{
	wb_bytes(w, "fmt ", 4);
	wb_u32(w, 16);
	wb_u16(w, tag);
	wb_u16(w, ch);
	wb_u32(w, rate);
	wb_u32(w, rate * ch * bits / 8);
	wb_u16(w, ch * bits / 8);
	wb_u16(w, bits);
}

static void wb_fmt_ext(struct wb *w, unsigned subtag, unsigned ch, uint32_t rate, unsigned bits,
		       int good_guid)
{
	static const uint8_t tail[14] = { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
					  0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71 };
	uint8_t bad[14] = { 0 };

	wb_bytes(w, "fmt ", 4);
	wb_u32(w, 40);
	wb_u16(w, 0xfffe);
	wb_u16(w, ch);
	wb_u32(w, rate);
	wb_u32(w, rate * ch * bits / 8);
	wb_u16(w, ch * bits / 8);
	wb_u16(w, bits);
	wb_u16(w, 22);
	wb_u16(w, bits);
	wb_u32(w, ch == 2 ? 3 : 4);
	wb_u16(w, subtag);
	wb_bytes(w, good_guid ? tail : bad, 14);
}

static void wb_chunk(struct wb *w, const char *id, const void *p, uint32_t n, uint32_t size)
{
	wb_bytes(w, id, 4);
	wb_u32(w, size);
	wb_bytes(w, p, n);
}

static void wb_finish(struct wb *w)
{
	uint32_t v = (uint32_t)w->n - 8;

	w->b[4] = (uint8_t)v;
	w->b[5] = (uint8_t)(v >> 8);
	w->b[6] = (uint8_t)(v >> 16);
	w->b[7] = (uint8_t)(v >> 24);
}

static void expect_samples(const struct wb *w, unsigned ch, const int16_t *want, size_t frames)
{
	struct wav_reader *r;
	struct wav_info info;
	int16_t got[64];
	long n;
	size_t i;

	assert_int_equal(wav_reader_open_mem(&r, w->b, w->n), 0);
	wav_reader_info(r, &info);
	assert_int_equal(info.channels, ch);
	assert_int_equal(info.frames, frames);
	n = wav_reader_read(r, got, 64 / ch);
	assert_int_equal(n, (long)frames);
	for (i = 0; i < frames * ch; i++)
		assert_int_equal(got[i], want[i]);
	assert_int_equal(wav_reader_read(r, got, 1), 0);
	wav_reader_destroy(r);
}

static void test_pcm8(void **state)
{
	static const uint8_t d[] = { 0, 128, 255, 64 };
	static const int16_t want[] = { -32768, 0, 32512, -16384 };
	struct wb w;

	wb_riff(&w);
	wb_fmt(&w, 1, 2, 8000, 8);
	wb_chunk(&w, "data", d, sizeof(d), sizeof(d));
	wb_finish(&w);
	expect_samples(&w, 2, want, 2);
}

static void test_pcm16_odd_chunks(void **state)
{
	static const uint8_t d[] = { 0x34, 0x12, 0x00, 0x80, 0xff, 0x7f };
	static const int16_t want[] = { 0x1234, -32768, 32767 };
	struct wb w;

	wb_riff(&w);
	wb_chunk(&w, "JUNK", "abc\0", 4, 3);	/* odd size 3 plus a pad byte */
	wb_fmt(&w, 1, 1, 48000, 16);
	wb_chunk(&w, "LIST", "xyzzy\0", 6, 5);
	wb_chunk(&w, "data", d, sizeof(d), sizeof(d));
	wb_finish(&w);
	expect_samples(&w, 1, want, 3);
}

static void test_pcm24_32(void **state)
{
	/* 24-bit: 0x123456 rounds to 0x1234 (0x56 < 0x80), 0x7fffff clamps, 0x800000 min. */
	static const uint8_t d24[] = { 0x56, 0x34, 0x12, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x80,
				       0x80, 0x00, 0x00 };
	static const int16_t want24[] = { 0x1234, 32767, -32768, 1 };
	static const uint8_t d32[] = { 0x00, 0x80, 0x34, 0x12, 0xff, 0xff, 0xff, 0x7f,
				       0x00, 0x00, 0x00, 0x80, 0xff, 0x7f, 0x00, 0x00 };
	static const int16_t want32[] = { 0x1235, 32767, -32768, 0 };
	struct wb w;

	wb_riff(&w);
	wb_fmt(&w, 1, 1, 96000, 24);
	wb_chunk(&w, "data", d24, sizeof(d24), sizeof(d24));
	wb_finish(&w);
	expect_samples(&w, 1, want24, 4);

	wb_riff(&w);
	wb_fmt(&w, 1, 2, 192000, 32);
	wb_chunk(&w, "data", d32, sizeof(d32), sizeof(d32));
	wb_finish(&w);
	expect_samples(&w, 2, want32, 2);
}

static void test_float(void **state)
{
	float f[] = { 0.5f, -1.0f, 2.0f, -0.25f };
	double g[] = { 0.5, -3.0 };
	static const int16_t wantf[] = { 16384, -32768, 32767, -8192 };
	static const int16_t wantd[] = { 16384, -32768 };
	uint8_t bytes[32];
	struct wb w;
	size_t i;

	/* Samples written little-endian regardless of the host. */
	for (i = 0; i < 4; i++) {
		uint32_t u;

		memcpy(&u, &f[i], 4);
		bytes[4 * i] = (uint8_t)u;
		bytes[4 * i + 1] = (uint8_t)(u >> 8);
		bytes[4 * i + 2] = (uint8_t)(u >> 16);
		bytes[4 * i + 3] = (uint8_t)(u >> 24);
	}
	wb_riff(&w);
	wb_fmt(&w, 3, 1, 44100, 32);
	wb_chunk(&w, "data", bytes, 16, 16);
	wb_finish(&w);
	expect_samples(&w, 1, wantf, 4);

	for (i = 0; i < 2; i++) {
		uint64_t u;
		int k;

		memcpy(&u, &g[i], 8);
		for (k = 0; k < 8; k++)
			bytes[8 * i + k] = (uint8_t)(u >> (8 * k));
	}
	wb_riff(&w);
	wb_fmt_ext(&w, 3, 2, 22050, 64, 1);
	wb_chunk(&w, "data", bytes, 16, 16);
	wb_finish(&w);
	expect_samples(&w, 2, wantd, 1);
}

static void test_extensible_pcm(void **state)
{
	static const uint8_t d[] = { 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00 };
	static const int16_t want[] = { 1, 2, 3, 4 };
	struct wb w;

	wb_riff(&w);
	wb_fmt_ext(&w, 1, 2, 16000, 16, 1);
	wb_chunk(&w, "data", d, sizeof(d), sizeof(d));
	wb_finish(&w);
	expect_samples(&w, 2, want, 2);
}

static void test_data_size_clamped(void **state)
{
	static const uint8_t d[] = { 1, 0, 2, 0, 3, 0, 4 };	/* 3.5 frames present */
	static const int16_t want[] = { 1, 2, 3 };
	struct wb w;

	wb_riff(&w);
	wb_fmt(&w, 1, 1, 8000, 16);
	wb_chunk(&w, "data", d, sizeof(d), 1000000);
	wb_finish(&w);
	expect_samples(&w, 1, want, 3);

	/* Zero (an unfinished streaming writer): read to the end of the file. */
	wb_riff(&w);
	wb_fmt(&w, 1, 1, 8000, 16);
	wb_chunk(&w, "data", d, sizeof(d), 0);
	wb_finish(&w);
	expect_samples(&w, 1, want, 3);
}

static int open_mem(const struct wb *w)
{
	struct wav_reader *r = NULL;
	int rc = wav_reader_open_mem(&r, w->b, w->n);

	wav_reader_destroy(r);
	return rc;
}

static void test_errors(void **state)
{
	static const uint8_t d[] = { 0, 0, 0, 0 };
	struct wb w;

	/* Not WAV: text, an AVI, empty. */
	memcpy(w.b, "hello, this is not audio", 24);
	w.n = 24;
	assert_int_equal(open_mem(&w), WAV_ENOTWAV);
	memcpy(w.b, "RIFF\x10\0\0\0AVI LIST", 16);
	w.n = 16;
	assert_int_equal(open_mem(&w), WAV_ENOTWAV);
	w.n = 0;
	assert_int_equal(open_mem(&w), WAV_ENOTWAV);

	/* Unsupported: ADPCM, 12-bit, 9 channels, 4 kHz, 384 kHz, foreign GUID, RF64. */
	wb_riff(&w);
	wb_fmt(&w, 2, 1, 8000, 4);
	wb_chunk(&w, "data", d, 4, 4);
	assert_int_equal(open_mem(&w), WAV_EUNSUPP);
	wb_riff(&w);
	wb_fmt(&w, 1, 1, 8000, 12);
	assert_int_equal(open_mem(&w), WAV_EUNSUPP);
	wb_riff(&w);
	wb_fmt(&w, 1, 9, 8000, 16);
	assert_int_equal(open_mem(&w), WAV_EUNSUPP);
	wb_riff(&w);
	wb_fmt(&w, 1, 1, 4000, 16);
	assert_int_equal(open_mem(&w), WAV_EUNSUPP);
	wb_riff(&w);
	wb_fmt(&w, 1, 1, 384000, 16);
	assert_int_equal(open_mem(&w), WAV_EUNSUPP);
	wb_riff(&w);
	wb_fmt_ext(&w, 1, 2, 48000, 16, 0);
	assert_int_equal(open_mem(&w), WAV_EUNSUPP);
	wb_riff(&w);
	memcpy(w.b, "RF64", 4);
	assert_int_equal(open_mem(&w), WAV_EUNSUPP);

	/* Corrupt: header cut short, no data chunk, data before fmt, fmt too small, chunk
	 * running past the end, block align lying, zero channels. */
	wb_riff(&w);
	w.n = 10;
	assert_int_equal(open_mem(&w), WAV_ECORRUPT);
	wb_riff(&w);
	wb_fmt(&w, 1, 1, 8000, 16);
	assert_int_equal(open_mem(&w), WAV_ECORRUPT);
	wb_riff(&w);
	wb_chunk(&w, "data", d, 4, 4);
	wb_fmt(&w, 1, 1, 8000, 16);
	assert_int_equal(open_mem(&w), WAV_ECORRUPT);
	wb_riff(&w);
	wb_chunk(&w, "fmt ", d, 4, 4);
	assert_int_equal(open_mem(&w), WAV_ECORRUPT);
	wb_riff(&w);
	wb_chunk(&w, "LIST", d, 4, 5000);
	assert_int_equal(open_mem(&w), WAV_ECORRUPT);
	wb_riff(&w);
	wb_fmt(&w, 1, 2, 8000, 16);
	w.b[12 + 8 + 12] = 3;	/* block align 3 for 2 x 16-bit */
	wb_chunk(&w, "data", d, 4, 4);
	assert_int_equal(open_mem(&w), WAV_ECORRUPT);
	wb_riff(&w);
	wb_fmt(&w, 1, 0, 8000, 16);
	assert_int_equal(open_mem(&w), WAV_ECORRUPT);

	/* Each code has its own message; errno codes fall through to strerror. */
	assert_string_not_equal(wav_strerror(WAV_ENOTWAV), wav_strerror(WAV_EUNSUPP));
	assert_string_not_equal(wav_strerror(WAV_EUNSUPP), wav_strerror(WAV_ECORRUPT));
	assert_string_not_equal(wav_strerror(WAV_ECORRUPT), wav_strerror(WAV_ENOTWAV));
	assert_string_equal(wav_strerror(-ENOENT), strerror(ENOENT));
	assert_null(strchr(wav_strerror(WAV_EUNSUPP), '\n'));

	assert_int_equal(wav_reader_open((struct wav_reader **)&w, "/nonexistent/x.wav"),
			 -ENOENT);
}

static char *tmp_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "/tmp/ttm_test_wav_%d_%s", (int)getpid(), name);
	return buf;
}

static void test_writer_round_trip(void **state)
{
	struct wav_writer *w;
	struct wav_reader *r;
	struct wav_info info;
	int16_t buf[2 * 500], got[2 * 700];
	char path[128];
	long n, total = 0;
	int i, k;

	tmp_path(path, sizeof(path), "rt.wav");
	assert_int_equal(wav_writer_open(&w, path, 44100, 0), -EINVAL);
	assert_int_equal(wav_writer_open(&w, path, 44100, 2), 0);
	for (k = 0; k < 200; k++) {
		for (i = 0; i < 500; i++) {
			buf[2 * i] = (int16_t)(k * 500 + i);
			buf[2 * i + 1] = (int16_t)-(k * 500 + i);
		}
		assert_int_equal(wav_writer_write(w, buf, 500), 0);
	}
	assert_int_equal(wav_writer_frames(w), 100000);

	/* More than a second is written: the header on disk already describes it. */
	assert_int_equal(wav_reader_open(&r, path), 0);
	wav_reader_info(r, &info);
	assert_true(info.frames >= 44100);
	assert_true(info.frames <= 100000);
	wav_reader_destroy(r);

	assert_int_equal(wav_writer_close(w), 0);
	assert_int_equal(wav_reader_open(&r, path), 0);
	wav_reader_info(r, &info);
	assert_int_equal(info.rate, 44100);
	assert_int_equal(info.channels, 2);
	assert_int_equal(info.bits, 16);
	assert_int_equal(info.frames, 100000);
	while ((n = wav_reader_read(r, got, 700)) > 0) {
		for (i = 0; i < n; i++) {
			assert_int_equal(got[2 * i], (int16_t)(total + i));
			assert_int_equal(got[2 * i + 1], (int16_t)-(total + i));
		}
		total += n;
	}
	assert_int_equal(n, 0);
	assert_int_equal(total, 100000);
	/* Rewind plays it again from the first frame. */
	assert_int_equal(wav_reader_rewind(r), 0);
	assert_int_equal(wav_reader_read(r, got, 3), 3);
	assert_int_equal(got[2], 1);
	wav_reader_destroy(r);
	unlink(path);
}

static void test_writer_closed_early(void **state)
{
	struct wav_writer *w;
	struct wav_reader *r;
	struct wav_info info;
	int16_t s[3] = { 7, 8, 9 };
	char path[128];
	FILE *f;
	long size;

	tmp_path(path, sizeof(path), "early.wav");
	assert_int_equal(wav_writer_open(&w, path, 48000, 1), 0);
	assert_int_equal(wav_writer_close(w), 0);
	assert_int_equal(wav_reader_open(&r, path), 0);
	wav_reader_info(r, &info);
	assert_int_equal(info.frames, 0);
	assert_int_equal(wav_reader_read(r, s, 3), 0);
	wav_reader_destroy(r);

	assert_int_equal(wav_writer_open(&w, path, 48000, 1), 0);
	assert_int_equal(wav_writer_write(w, s, 3), 0);
	assert_int_equal(wav_writer_close(w), 0);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	assert_int_equal(size, 44 + 6);
	/* Through the FILE* entry point this time. */
	rewind(f);
	assert_int_equal(wav_reader_open_file(&r, f), 0);
	wav_reader_info(r, &info);
	assert_int_equal(info.frames, 3);
	assert_int_equal(wav_reader_read(r, s, 3), 3);
	assert_int_equal(s[2], 9);
	wav_reader_destroy(r);
	unlink(path);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The recording reaches the disk at the writer's patches, once a second of audio, in one piece:
 * nothing in between (stdio's default buffer would write every 4 KiB, 25 times a second). */
static void test_writer_writes_once_a_second(void **state)
{
	struct wav_writer *w;
	int16_t frame[960];
	char path[128];
	int i;

	for (i = 0; i < 960; i++)
		frame[i] = (int16_t)(i * 31);
	tmp_path(path, sizeof(path), "second.wav");
	assert_int_equal(wav_writer_open(&w, path, 48000, 1), 0);
	assert_int_equal(file_size(path), 44);
	for (i = 0; i < 49; i++) /* 0.98 s: all of it still in the buffer */
		assert_int_equal(wav_writer_write(w, frame, 960), 0);
	assert_int_equal(file_size(path), 44);
	assert_int_equal(wav_writer_write(w, frame, 960), 0); /* 1 s: patched, on disk */
	assert_int_equal(file_size(path), 44 + 96000);
	for (i = 0; i < 49; i++)
		assert_int_equal(wav_writer_write(w, frame, 960), 0);
	assert_int_equal(file_size(path), 44 + 96000);
	assert_int_equal(wav_writer_close(w), 0);
	assert_int_equal(file_size(path), 44 + 99 * 1920);
	unlink(path);
}

/* --record's file: 0600 whatever the umask, and a symlink at the path is refused, not followed. */
static void test_writer_private(void **state)
{
	struct wav_writer *w;
	struct stat st;
	char path[128], target[128];

	tmp_path(path, sizeof(path), "private.wav");
	tmp_path(target, sizeof(target), "victim");
	unlink(path);
	mode_t old = umask(0);
	assert_int_equal(wav_writer_open(&w, path, 48000, 1), 0);
	umask(old);
	assert_int_equal(wav_writer_close(w), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	unlink(path);

	FILE *f = fopen(target, "w");
	assert_non_null(f);
	fputs("precious", f);
	fclose(f);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(wav_writer_open(&w, path, 48000, 1), -ELOOP);
	assert_string_equal(wav_strerror(-ELOOP), "it is a symbolic link (not followed)");
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 8); /* not truncated through the link */
	unlink(path);
	unlink(target);
}

static void test_pipe_stream(void **state)
{
	struct wav_reader *r;
	struct wb w;
	int16_t d[100], got[100];
	int fds[2], i;

	for (i = 0; i < 100; i++)
		d[i] = (int16_t)(i * 3);
	wb_riff(&w);
	wb_chunk(&w, "LIST", "odd\0", 4, 3);	/* skipped by reading, not seeking */
	wb_fmt(&w, 1, 1, 8000, 16);
	wb_chunk(&w, "data", d, sizeof(d), 0xffffffffu);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], w.b, w.n), (ssize_t)w.n);
	close(fds[1]);
	assert_int_equal(wav_reader_open_file(&r, fdopen(fds[0], "rb")), 0);
	assert_int_equal(wav_reader_read(r, got, 100), 100);
	for (i = 0; i < 100; i++)
		assert_int_equal(got[i], d[i]);
	assert_int_equal(wav_reader_read(r, got, 100), 0);
	assert_int_equal(wav_reader_rewind(r), -ESPIPE);
	wav_reader_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcm8),
		cmocka_unit_test(test_pcm16_odd_chunks),
		cmocka_unit_test(test_pcm24_32),
		cmocka_unit_test(test_float),
		cmocka_unit_test(test_extensible_pcm),
		cmocka_unit_test(test_data_size_clamped),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_writer_round_trip),
		cmocka_unit_test(test_writer_closed_early),
		cmocka_unit_test(test_writer_writes_once_a_second),
		cmocka_unit_test(test_writer_private),
		cmocka_unit_test(test_pipe_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
