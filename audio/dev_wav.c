/* The WAV backend: --play FILE as a source, --record FILE as a sink.
 *
 * Source data flow: wav_reader_read() pulls about 200 ms of the file's frames, they are
 * downmixed to mono in place, resampled to 48 kHz into a FIFO, and cut into 960-sample frames.
 * 200 ms at a time, not 20: the file and the resampler's tables (82 KB at 22.05 kHz) are
 * cold at every 20 ms tick of a call, and one warm pass over ten frames costs half as much as
 * ten cold ones (tests/bench/engine_bench.c, paced: 44-50 -> 22-26 us a frame). The file is paced by the media clock, not
 * by the wall clock, so reading ahead delays nothing.
 * The source never paces itself: each read returns the next frame (the media tick is the
 * clock). At the end of the file it rewinds when looping (the resampler keeps its history, so
 * the seam is as smooth as the file allows), else it flushes the resampler, pads the last
 * partial frame with silence and then reports AUDIO_EOF.
 * Sink: frames go straight to a 48 kHz mono 16-bit wav_writer.
 * Main-loop thread only. Buffers are allocated at open.
 */
#include <stdlib.h>
#include <string.h>

#include "audio/device_backend.h"
#include "audio/resample.h"
#include "audio/wav.h"

struct wav_src {
	struct wav_reader *rd;
	struct wav_info info;
	struct resample *rs;	/* NULL at 48 kHz */
	struct audio_fifo fifo;
	int16_t *in;		/* chunk * channels */
	size_t chunk;		/* file frames per read */
	bool loop;
	bool eof;
	bool rewound_empty;	/* a rewind produced nothing: the file has no frames */
};

static void wav_src_close(void *priv)
{
	struct wav_src *s = priv;

	if (!s)
		return;
	wav_reader_destroy(s->rd);
	resample_destroy(s->rs);
	audio_fifo_free(&s->fifo);
	free(s->in);
	free(s);
}

static int wav_src_open(void **priv, const char *target, unsigned flags)
{
	struct wav_src *s;
	size_t cap;
	int rc;

	if (!target || !*target)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = flags & AUDIO_LOOP;
	rc = wav_reader_open(&s->rd, target);
	if (rc)
		goto out;
	wav_reader_info(s->rd, &s->info);
	if (s->info.rate != AUDIO_RATE) {
		rc = resample_create(&s->rs, s->info.rate, AUDIO_RATE);
		if (rc)
			goto out;
	}
	s->chunk = s->info.rate / 5 + 1;
	s->in = malloc(s->chunk * s->info.channels * sizeof(*s->in));
	cap = AUDIO_FRAME + s->chunk + 1;
	if (s->rs)
		cap = AUDIO_FRAME + resample_max_out(s->rs, s->chunk) +
		      resample_max_out(s->rs, resample_drain_len(s->rs));
	rc = s->in ? audio_fifo_init(&s->fifo, cap) : -ENOMEM;
out:
	if (rc) {
		wav_src_close(s);
		return rc;
	}
	*priv = s;
	return 0;
}

/* Adds the next chunk of the file (or the end-of-file handling) to the FIFO. */
static int wav_src_fill(struct wav_src *s)
{
	long n = wav_reader_read(s->rd, s->in, s->chunk);
	int rc;

	if (n < 0)
		return (int)n;
	if (n == 0) {
		if (s->loop && !s->rewound_empty) {
			s->rewound_empty = true;
			return wav_reader_rewind(s->rd);
		}
		s->eof = true;
		return s->rs ? audio_fifo_feed(&s->fifo, s->rs, NULL, 0) : 0;
	}
	s->rewound_empty = false;
	resample_downmix(s->in, (size_t)n, s->info.channels, s->in);
	rc = audio_fifo_feed(&s->fifo, s->rs, s->in, (size_t)n);
	return rc;
}

static int wav_src_read(void *priv, int16_t *frame)
{
	struct wav_src *s = priv;
	int rc;

	while (!s->eof && s->fifo.len < AUDIO_FRAME) {
		rc = wav_src_fill(s);
		if (rc)
			return rc;
	}
	if (audio_fifo_pop(&s->fifo, frame))
		return 1;
	if (s->fifo.len == 0)
		return AUDIO_EOF;
	memcpy(frame, s->fifo.buf + s->fifo.head, s->fifo.len * sizeof(*frame));
	memset(frame + s->fifo.len, 0, (AUDIO_FRAME - s->fifo.len) * sizeof(*frame));
	s->fifo.len = s->fifo.head = 0;
	return 1;
}

static int wav_sink_open(void **priv, const char *target, unsigned flags)
{
	struct wav_writer *w;
	int rc;

	if (!target || !*target)
		return -EINVAL;
	rc = wav_writer_open(&w, target, AUDIO_RATE, 1);
	if (rc)
		return rc;
	*priv = w;
	return 0;
}

static int wav_sink_write(void *priv, const int16_t *frame)
{
	int rc = wav_writer_write(priv, frame, AUDIO_FRAME);

	return rc ? rc : 1;
}

static int wav_sink_close(void *priv)
{
	return wav_writer_close(priv);
}

const struct audio_backend dev_wav_backend = {
	.name = "wav",
	.source_open = wav_src_open,
	.source_read = wav_src_read,
	.source_close = wav_src_close,
	.sink_open = wav_sink_open,
	.sink_write = wav_sink_write,
	.sink_close = wav_sink_close,
	.sink_keeps_time = true,
};
