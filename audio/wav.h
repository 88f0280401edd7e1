/* WAV (RIFF/WAVE) file reading and writing.
 *
 * Reader: PCM 8/16/24/32-bit integer, IEEE float 32/64 and WAVE_FORMAT_EXTENSIBLE carrying
 * those, 1..8 channels, 8..192 kHz. Unknown chunks are skipped (odd sizes padded), a data size
 * larger than the file (or 0 / 0xffffffff from an unfinished writer) is clamped to what the
 * file holds. Frames are read as interleaved int16 at the file's own rate and channel count,
 * a block at a time (streaming; nothing is loaded whole). Input may be a path, a FILE* or a
 * memory buffer; all are untrusted.
 * Writer: 16-bit PCM at a given rate/channels, streaming; the RIFF and data sizes are patched
 * on close and every second of audio in between, so a file whose writer died is still valid.
 *
 * Threads: an object is used by one thread at a time; separate objects are independent.
 */
#ifndef TTM_AUDIO_WAV_H
#define TTM_AUDIO_WAV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Error codes beyond negative errno values (those come from I/O: -ENOENT, -EIO ...). */
#define WAV_ENOTWAV	(-4001)	/* not a RIFF/WAVE file */
#define WAV_EUNSUPP	(-4002)	/* a WAV in a format/rate/channel count we do not read */
#define WAV_ECORRUPT	(-4003)	/* truncated or inconsistent headers */

#define WAV_MIN_RATE		8000
#define WAV_MAX_RATE		192000
#define WAV_MAX_CHANNELS	8

struct wav_info {
	unsigned rate;		/* frames per second */
	unsigned channels;	/* 1..WAV_MAX_CHANNELS */
	unsigned bits;		/* container bits per sample: 8, 16, 24, 32 or 64 */
	int is_float;		/* IEEE float samples */
	uint64_t frames;	/* frames in the data chunk, clamped to the file when its size
				 * is known; 0 for a stream whose header gives no size */
};

struct wav_reader;
struct wav_writer;

/* One-line human message for any code these functions return (never NULL). */
const char *wav_strerror(int code);

/* Opens and parses a file by path. Returns 0, a WAV_E* code or a negative errno. */
int wav_reader_open(struct wav_reader **out, const char *path);

/* Parses from an open stream (need not be seekable; then wav_reader_rewind() fails). The
 * reader owns f afterwards and closes it in destroy, also when open fails. */
int wav_reader_open_file(struct wav_reader **out, FILE *f);

/* Parses from memory; the buffer must outlive the reader (it is not copied). */
int wav_reader_open_mem(struct wav_reader **out, const void *data, size_t len);

/* Format of an open reader. */
void wav_reader_info(const struct wav_reader *r, struct wav_info *info);

/* Reads up to max_frames interleaved frames (max_frames * channels samples) into out.
 * Returns the number of frames read, 0 at the end of the data, or a negative code. */
long wav_reader_read(struct wav_reader *r, int16_t *out, size_t max_frames);

/* Goes back to the first frame. Returns 0, or -ESPIPE for a stream that cannot seek. */
int wav_reader_rewind(struct wav_reader *r);

/* Closes the reader and its file; NULL is fine. */
void wav_reader_destroy(struct wav_reader *r);

/* Creates path (truncating) for 16-bit PCM, private to the user (util/privfile.h: mode 0600,
 * -ELOOP for a symlink, -EPERM for another user's file). Returns 0, -EINVAL for a bad
 * rate/channel count, or a negative errno. */
int wav_writer_open(struct wav_writer **out, const char *path, unsigned rate, unsigned channels);

/* Appends frames (interleaved, frames * channels samples). Returns 0 or a negative errno;
 * -EFBIG once the 4 GiB RIFF limit would be passed (nothing more is written). */
int wav_writer_write(struct wav_writer *w, const int16_t *samples, size_t frames);

/* Frames written so far. */
uint64_t wav_writer_frames(const struct wav_writer *w);

/* Patches the header, closes and frees; NULL is fine. Returns 0 or the first write error. */
int wav_writer_close(struct wav_writer *w);

#endif
