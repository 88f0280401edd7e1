/* Backend selection and the frame FIFO (see device.h, device_backend.h).
 *
 * A source or sink is a backend ops table plus the backend's private state; this file picks
 * the table by name, forwards calls and counts frames. Backends live in dev_*.c.
 */
#include "audio/device.h"

#include <stdlib.h>
#include <string.h>

#include "audio/device_backend.h"
#include "audio/resample.h"
#include "audio/wav.h"

struct audio_source {
	const struct audio_backend *be;
	void *priv;
	uint64_t frames;
};

struct audio_sink {
	const struct audio_backend *be;
	void *priv;
	uint64_t frames;
};

static const struct audio_backend *const backends[] = {
	&dev_null_backend,
	&dev_wav_backend,
	&dev_portaudio_backend,
};

static const struct audio_backend *backend_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

int audio_source_open(struct audio_source **out, const char *backend, const char *target,
		      unsigned flags)
{
	const struct audio_backend *be = backend_find(backend);
	struct audio_source *s;
	int rc;

	if (!out || !be || !be->source_open)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->be = be;
	rc = be->source_open(&s->priv, target, flags);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int audio_source_read(struct audio_source *src, int16_t frame[AUDIO_FRAME])
{
	int rc = src->be->source_read(src->priv, frame);

	if (rc == 1)
		src->frames++;
	return rc;
}

void audio_source_stats(const struct audio_source *src, struct audio_dev_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (src->be->source_stats)
		src->be->source_stats(src->priv, st);
	st->frames = src->frames;
}

void audio_source_close(struct audio_source *src)
{
	if (!src)
		return;
	src->be->source_close(src->priv);
	free(src);
}

int audio_sink_open(struct audio_sink **out, const char *backend, const char *target,
		    unsigned flags)
{
	const struct audio_backend *be = backend_find(backend);
	struct audio_sink *s;
	int rc;

	if (!out || !be || !be->sink_open)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->be = be;
	rc = be->sink_open(&s->priv, target, flags);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int audio_sink_write(struct audio_sink *sink, const int16_t frame[AUDIO_FRAME])
{
	int rc = sink->be->sink_write(sink->priv, frame);

	if (rc == 1)
		sink->frames++;
	return rc;
}

bool audio_sink_keeps_time(const struct audio_sink *sink)
{
	return sink && sink->be->sink_keeps_time;
}

void audio_sink_stats(const struct audio_sink *sink, struct audio_dev_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (sink->be->sink_stats)
		sink->be->sink_stats(sink->priv, st);
	st->frames = sink->frames;
}

int audio_sink_close(struct audio_sink *sink)
{
	int rc;

	if (!sink)
		return 0;
	rc = sink->be->sink_close(sink->priv);
	free(sink);
	return rc;
}

int audio_device_list(audio_device_cb cb, void *arg)
{
	return dev_portaudio_list(cb, arg);
}

const char *audio_strerror(int code)
{
	switch (code) {
	case -ENODEV:
		return "no sound card (or no device for this direction)";
	case -ENOENT:
		return "no such file or audio device";
	case -ELIBACC:
		return "PortAudio is not installed (libportaudio.so.2 cannot be loaded)";
	case AUDIO_EOF:
		return "end of audio file";
	case -EINVAL:
		return "invalid argument (unknown audio backend?)";
	default:
		return wav_strerror(code);
	}
}

int audio_fifo_init(struct audio_fifo *f, size_t cap)
{
	f->buf = malloc(cap * sizeof(*f->buf));
	f->head = f->len = 0;
	f->cap = f->buf ? cap : 0;
	return f->buf ? 0 : -ENOMEM;
}

void audio_fifo_free(struct audio_fifo *f)
{
	free(f->buf);
	f->buf = NULL;
	f->head = f->len = f->cap = 0;
}

int audio_fifo_feed(struct audio_fifo *f, struct resample *rs, const int16_t *in, size_t n)
{
	long got;

	if (f->head) {
		memmove(f->buf, f->buf + f->head, f->len * sizeof(*f->buf));
		f->head = 0;
	}
	if (!rs) {
		if (n > f->cap - f->len)
			return -ENOSPC;
		memcpy(f->buf + f->len, in, n * sizeof(*in));
		f->len += n;
		return 0;
	}
	got = in ? resample_process(rs, in, n, f->buf + f->len, f->cap - f->len)
		 : resample_drain(rs, f->buf + f->len, f->cap - f->len);
	if (got < 0)
		return (int)got;
	f->len += (size_t)got;
	return 0;
}

int audio_fifo_pop(struct audio_fifo *f, int16_t *frame)
{
	if (f->len < AUDIO_FRAME)
		return 0;
	memcpy(frame, f->buf + f->head, AUDIO_FRAME * sizeof(*frame));
	f->len -= AUDIO_FRAME;
	f->head = f->len ? f->head + AUDIO_FRAME : 0;
	return 1;
}
