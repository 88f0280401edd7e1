/* WAV reader and writer (see wav.h).
 *
 * Reader data flow: open parses the RIFF header and walks chunks up to "data" (skipping
 * anything else), validating "fmt " on the way; afterwards wav_reader_read() pulls raw blocks
 * from the source into a fixed buffer inside the reader and converts them to int16. The
 * source is a FILE* or a memory buffer behind three small helpers (read, skip, seek), so the
 * fuzz target exercises exactly the code that files go through. No allocation after open.
 * Writer: header with zero sizes first, then little-endian samples through stdio (a buffer of
 * over a second); sizes are patched (and the stream flushed) each second of audio and on close.
 */
#include "audio/wav.h"
#include "util/privfile.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAV_BUF_BYTES	8192
/* The writer's stdio buffer: more than a second of 48 kHz mono, so a recording is written
 * at its patches (each second: the data, then the header), 2-3 write calls a second, instead
 * of one per 4 KiB (stdio's default for a file, st_blksize): 25 a second. */
#define WAV_WRITE_STDIO_BYTES	(128u * 1024u)
#define WAV_FMT_PCM	0x0001
#define WAV_FMT_FLOAT	0x0003
#define WAV_FMT_EXT	0xfffe
#define WAV_HDR_BYTES	44u
#define WAV_SIZE_UNKNOWN UINT64_MAX

struct wav_reader {
	FILE *f;
	const uint8_t *mem;
	size_t mem_len;
	uint64_t pos;		/* byte offset of the next source read */
	uint64_t src_size;	/* total source bytes, or WAV_SIZE_UNKNOWN (pipe) */
	int seekable;
	struct wav_info info;
	unsigned sample_bytes;
	unsigned block;		/* bytes per frame */
	uint64_t data_off;	/* first data byte */
	uint64_t data_len;	/* data bytes (whole frames), or WAV_SIZE_UNKNOWN */
	uint64_t data_done;	/* data bytes consumed */
	uint8_t buf[WAV_BUF_BYTES];
};

struct wav_writer {
	FILE *f;
	char *iobuf;		/* f's buffer, WAV_WRITE_STDIO_BYTES (glibc sizes its own by
				 * st_blksize whatever setvbuf asks without one); freed after f */
	unsigned rate;
	unsigned channels;
	uint64_t frames;
	uint64_t frames_patched;
	int err;
};

/* KSDATAFORMAT_SUBTYPE_* GUIDs share these 14 bytes after the 2-byte format tag. */
static const uint8_t wav_guid_tail[14] = {
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

const char *wav_strerror(int code)
{
	switch (code) {
	case 0:
		return "no error";
	case WAV_ENOTWAV:
		return "not a WAV file";
	case WAV_EUNSUPP:
		return "unsupported WAV format (need PCM 8/16/24/32-bit or float, "
		       "1-8 channels, 8-192 kHz)";
	case WAV_ECORRUPT:
		return "truncated or corrupt WAV file";
	case -EFBIG:
		return "WAV file size limit (4 GiB) reached";
	case -ESPIPE:
		return "cannot rewind a WAV stream that is not a file";
	default: /* opening a recording: privfile.h's own words for what it refuses */
		return code < 0 && code > -4096 ? privfile_strerror(code) : "unknown error";
	}
}

/* Reads up to n bytes from the source; returns the count, or -EIO on a stream error. */
static long src_read(struct wav_reader *r, void *dst, size_t n)
{
	size_t got;

	if (r->mem) {
		size_t left = r->pos < r->mem_len ? r->mem_len - (size_t)r->pos : 0;

		got = n < left ? n : left;
		memcpy(dst, r->mem + r->pos, got);
	} else {
		got = fread(dst, 1, n, r->f);
		if (got < n && ferror(r->f))
			return -EIO;
	}
	r->pos += got;
	return (long)got;
}

/* Moves to an absolute offset (seekable sources only). */
static int src_seek(struct wav_reader *r, uint64_t off)
{
	if (!r->seekable)
		return -ESPIPE;
	if (r->f && (off > INT64_MAX || fseeko(r->f, (off_t)off, SEEK_SET) != 0))
		return -EIO;
	r->pos = off;
	return 0;
}

/* Skips n bytes; a skip past the end of the source means the file is truncated. */
static int src_skip(struct wav_reader *r, uint64_t n)
{
	if (r->seekable) {
		if (n > r->src_size - r->pos)
			return WAV_ECORRUPT;
		return src_seek(r, r->pos + n);
	}
	while (n > 0) {
		size_t step = n < sizeof(r->buf) ? (size_t)n : sizeof(r->buf);
		long got = src_read(r, r->buf, step);

		if (got < 0)
			return (int)got;
		if ((size_t)got < step)
			return WAV_ECORRUPT;
		n -= step;
	}
	return 0;
}

/* Validates a "fmt " chunk body (len bytes, at least 16) and fills the reader's format. */
static int parse_fmt(struct wav_reader *r, const uint8_t *p, size_t len)
{
	unsigned tag = le16(p);
	unsigned channels = le16(p + 2);
	uint32_t rate = le32(p + 4);
	unsigned align = le16(p + 12);
	unsigned bits = le16(p + 14);

	if (tag == WAV_FMT_EXT) {
		if (len < 40 || le16(p + 16) < 22)
			return WAV_ECORRUPT;
		if (memcmp(p + 26, wav_guid_tail, sizeof(wav_guid_tail)) != 0)
			return WAV_EUNSUPP;
		tag = le16(p + 24);
	}
	if (channels == 0 || rate == 0 || bits == 0)
		return WAV_ECORRUPT;
	if (tag == WAV_FMT_PCM) {
		if (bits != 8 && bits != 16 && bits != 24 && bits != 32)
			return WAV_EUNSUPP;
	} else if (tag == WAV_FMT_FLOAT) {
		if (bits != 32 && bits != 64)
			return WAV_EUNSUPP;
	} else {
		return WAV_EUNSUPP;
	}
	if (channels > WAV_MAX_CHANNELS || rate < WAV_MIN_RATE || rate > WAV_MAX_RATE)
		return WAV_EUNSUPP;
	r->sample_bytes = bits / 8;
	r->block = channels * r->sample_bytes;
	/* Some writers leave block align 0; any other mismatch means we would misread. */
	if (align != 0 && align != r->block)
		return WAV_ECORRUPT;
	r->info.rate = rate;
	r->info.channels = channels;
	r->info.bits = bits;
	r->info.is_float = tag == WAV_FMT_FLOAT;
	return 0;
}

/* Walks the chunks after the RIFF header up to "data". */
static int parse_chunks(struct wav_reader *r)
{
	uint8_t hdr[12];
	uint8_t fmt[40];
	int have_fmt = 0;
	long got;
	int rc;

	got = src_read(r, hdr, sizeof(hdr));
	if (got < 0)
		return (int)got;
	if (got < 4 || (memcmp(hdr, "RIFF", 4) && memcmp(hdr, "RF64", 4) && memcmp(hdr, "RIFX", 4)))
		return WAV_ENOTWAV;
	if (got < 12)
		return WAV_ECORRUPT;
	if (memcmp(hdr + 8, "WAVE", 4))
		return WAV_ENOTWAV;
	if (memcmp(hdr, "RIFF", 4))
		return WAV_EUNSUPP;	/* RF64 (>4 GiB) or big-endian RIFX */

	for (;;) {
		uint32_t size;

		got = src_read(r, hdr, 8);
		if (got < 0)
			return (int)got;
		if (got < 8)
			return WAV_ECORRUPT;	/* ran out before any audio data */
		size = le32(hdr + 4);
		if (!memcmp(hdr, "fmt ", 4)) {
			size_t take = size < sizeof(fmt) ? size : sizeof(fmt);

			if (have_fmt || size < 16)
				return WAV_ECORRUPT;
			got = src_read(r, fmt, take);
			if (got < 0)
				return (int)got;
			if ((size_t)got < take)
				return WAV_ECORRUPT;
			rc = parse_fmt(r, fmt, take);
			if (rc)
				return rc;
			have_fmt = 1;
			rc = src_skip(r, (uint64_t)size - take + (size & 1));
			if (rc)
				return rc;
		} else if (!memcmp(hdr, "data", 4)) {
			if (!have_fmt)
				return WAV_ECORRUPT;
			r->data_off = r->pos;
			/* 0 and 0xffffffff are what unfinished streaming writers leave. */
			r->data_len = size == 0 || size == UINT32_MAX ? WAV_SIZE_UNKNOWN : size;
			if (r->src_size != WAV_SIZE_UNKNOWN && r->data_len > r->src_size - r->pos)
				r->data_len = r->src_size - r->pos;
			if (r->data_len != WAV_SIZE_UNKNOWN)
				r->data_len -= r->data_len % r->block;
			return 0;
		} else {
			rc = src_skip(r, (uint64_t)size + (size & 1));
			if (rc)
				return rc;
		}
	}
}

/* Common tail of the three open functions: parses, and frees r on failure. */
static int reader_start(struct wav_reader **out, struct wav_reader *r)
{
	int rc = parse_chunks(r);

	if (rc) {
		wav_reader_destroy(r);
		return rc;
	}
	r->info.frames = r->data_len == WAV_SIZE_UNKNOWN ? 0 : r->data_len / r->block;
	*out = r;
	return 0;
}

int wav_reader_open_file(struct wav_reader **out, FILE *f)
{
	struct wav_reader *r;
	struct stat st;

	if (!out || !f) {
		if (f)
			fclose(f);
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		fclose(f);
		return -ENOMEM;
	}
	r->f = f;
	r->src_size = WAV_SIZE_UNKNOWN;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
		off_t at = ftello(f);

		if (at >= 0 && at <= st.st_size) {
			r->seekable = 1;
			r->pos = (uint64_t)at;
			r->src_size = (uint64_t)st.st_size;
		}
	}
	return reader_start(out, r);
}

int wav_reader_open(struct wav_reader **out, const char *path)
{
	FILE *f;

	if (!out || !path)
		return -EINVAL;
	f = fopen(path, "rb");
	if (!f)
		return -errno;
	return wav_reader_open_file(out, f);
}

int wav_reader_open_mem(struct wav_reader **out, const void *data, size_t len)
{
	struct wav_reader *r;

	if (!out || (!data && len))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->mem = data ? data : (const void *)"";
	r->mem_len = len;
	r->src_size = len;
	r->seekable = 1;
	return reader_start(out, r);
}

void wav_reader_info(const struct wav_reader *r, struct wav_info *info)
{
	*info = r->info;
}

static int16_t clamp16(long v)
{
	return (int16_t)(v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v);
}

static int16_t from_double(double v)
{
	if (!(v == v))
		return 0;	/* NaN */
	v *= 32768.0;
	if (v >= 32767.0)
		return INT16_MAX;
	if (v <= -32768.0)
		return INT16_MIN;
	return (int16_t)lrint(v);
}

/* Converts n samples of the file's encoding at src into int16. */
static void convert(const struct wav_reader *r, const uint8_t *src, size_t n, int16_t *dst)
{
	size_t i;

	for (i = 0; i < n; i++, src += r->sample_bytes) {
		int32_t s;

		if (r->info.is_float) {
			if (r->info.bits == 32) {
				uint32_t u = le32(src);
				float f;

				memcpy(&f, &u, sizeof(f));
				dst[i] = from_double(f);
			} else {
				uint64_t u = le32(src) | (uint64_t)le32(src + 4) << 32;
				double d;

				memcpy(&d, &u, sizeof(d));
				dst[i] = from_double(d);
			}
			continue;
		}
		switch (r->info.bits) {
		case 8:
			dst[i] = (int16_t)((src[0] - 128) * 256);
			break;
		case 16:
			dst[i] = (int16_t)le16(src);
			break;
		case 24:
			s = (int32_t)((uint32_t)src[0] << 8 | (uint32_t)src[1] << 16 |
				      (uint32_t)src[2] << 24);
			dst[i] = clamp16((long)(((int64_t)s + 32768) >> 16));
			break;
		default:
			s = (int32_t)le32(src);
			dst[i] = clamp16((long)(((int64_t)s + 32768) >> 16));
			break;
		}
	}
}

long wav_reader_read(struct wav_reader *r, int16_t *out, size_t max_frames)
{
	size_t done = 0;

	if (!r || (!out && max_frames))
		return -EINVAL;
	while (done < max_frames) {
		uint64_t left = r->data_len - r->data_done;
		size_t frames = sizeof(r->buf) / r->block;
		long got;

		if (frames > max_frames - done)
			frames = max_frames - done;
		if (frames > left / r->block)
			frames = (size_t)(left / r->block);
		if (frames == 0)
			break;
		got = src_read(r, r->buf, frames * r->block);
		if (got < 0)
			return done ? (long)done : got;
		if ((size_t)got < frames * r->block) {
			/* The file ended early: whatever whole frames arrived are the last. */
			frames = (size_t)got / r->block;
			r->data_len = r->data_done + frames * r->block;
			r->data_done = r->data_len;
		} else {
			r->data_done += (uint64_t)got;
		}
		convert(r, r->buf, frames * r->info.channels, out + done * r->info.channels);
		done += frames;
	}
	return (long)done;
}

int wav_reader_rewind(struct wav_reader *r)
{
	int rc = src_seek(r, r->data_off);

	if (rc == 0)
		r->data_done = 0;
	return rc;
}

void wav_reader_destroy(struct wav_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r);
}

/* Writes the 44-byte header for the frames written so far at the current offset. */
static int writer_header(struct wav_writer *w)
{
	uint8_t h[WAV_HDR_BYTES];
	uint64_t data = w->frames * w->channels * 2;

	memcpy(h, "RIFF", 4);
	put32(h + 4, (uint32_t)(data + WAV_HDR_BYTES - 8));
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, WAV_FMT_PCM);
	put16(h + 22, (uint16_t)w->channels);
	put32(h + 24, w->rate);
	put32(h + 28, w->rate * w->channels * 2);
	put16(h + 32, (uint16_t)(w->channels * 2));
	put16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put32(h + 40, (uint32_t)data);
	return fwrite(h, 1, sizeof(h), w->f) == sizeof(h) ? 0 : -EIO;
}

/* Rewrites the header in place and flushes, so the file on disk is complete as of now. A
 * stream that cannot seek (a pipe) keeps its zero sizes, which readers take as "to EOF". */
static int writer_patch(struct wav_writer *w)
{
	int rc = 0;

	if (fseeko(w->f, 0, SEEK_SET) == 0) {
		rc = writer_header(w);
		if (fseeko(w->f, 0, SEEK_END) != 0 && rc == 0)
			rc = -EIO;
	}
	if (fflush(w->f) != 0 && rc == 0)
		rc = -errno;
	w->frames_patched = w->frames;
	return rc;
}

int wav_writer_open(struct wav_writer **out, const char *path, unsigned rate, unsigned channels)
{
	struct wav_writer *w;
	int rc;

	if (!out || !path || rate < WAV_MIN_RATE || rate > WAV_MAX_RATE || channels == 0 ||
	    channels > WAV_MAX_CHANNELS)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (w && !(w->iobuf = malloc(WAV_WRITE_STDIO_BYTES))) {
		free(w);
		w = NULL;
	}
	if (!w)
		return -ENOMEM;
	w->rate = rate;
	w->channels = channels;
	/* The recording is the user's: private (0600), never through a symlink (privfile.h). */
	int fd = privfile_open(path, 0);
	if (fd < 0 || !(w->f = fdopen(fd, "wb"))) {
		rc = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		free(w->iobuf);
		free(w);
		return rc;
	}
	(void)setvbuf(w->f, w->iobuf, _IOFBF, WAV_WRITE_STDIO_BYTES); /* failing: stdio's own */
	rc = writer_header(w);
	if (rc == 0 && fflush(w->f) != 0)
		rc = -errno;
	if (rc) {
		fclose(w->f);
		free(w->iobuf);
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int wav_writer_write(struct wav_writer *w, const int16_t *samples, size_t frames)
{
	uint8_t buf[4096];
	uint64_t max_frames = (UINT32_MAX - WAV_HDR_BYTES) / (w->channels * 2u);
	size_t n, i = 0;

	if (w->err)
		return w->err;
	if (frames > max_frames - w->frames)
		return -EFBIG;
	n = frames * w->channels;
	while (i < n) {
		size_t k, chunk = n - i < sizeof(buf) / 2 ? n - i : sizeof(buf) / 2;

		for (k = 0; k < chunk; k++)
			put16(buf + 2 * k, (uint16_t)samples[i + k]);
		if (fwrite(buf, 2, chunk, w->f) != chunk) {
			w->err = -EIO;
			return w->err;
		}
		i += chunk;
	}
	w->frames += frames;
	if (w->frames - w->frames_patched >= w->rate) {
		int rc = writer_patch(w);

		if (rc)
			w->err = rc;
	}
	return w->err;
}

uint64_t wav_writer_frames(const struct wav_writer *w)
{
	return w->frames;
}

int wav_writer_close(struct wav_writer *w)
{
	int rc;

	if (!w)
		return 0;
	rc = writer_patch(w);
	if (w->err)
		rc = w->err;
	if (fclose(w->f) != 0 && rc == 0)
		rc = -EIO;
	free(w->iobuf);
	free(w);
	return rc;
}
