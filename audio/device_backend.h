/* Internal to audio/: the ops table each backend (dev_null.c, dev_wav.c, dev_portaudio.c)
 * provides to device.c, and a small FIFO that turns resampled input of any length into
 * 960-sample frames. Not for use outside audio/. */
#ifndef TTM_AUDIO_DEVICE_BACKEND_H
#define TTM_AUDIO_DEVICE_BACKEND_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/device.h"

struct resample;

struct audio_backend {
	const char *name;
	/* Source side; all NULL when the backend has no sources. */
	int (*source_open)(void **priv, const char *target, unsigned flags);
	int (*source_read)(void *priv, int16_t *frame);
	void (*source_stats)(const void *priv, struct audio_dev_stats *st);
	void (*source_close)(void *priv);
	/* Sink side; all NULL when the backend has no sinks. */
	int (*sink_open)(void **priv, const char *target, unsigned flags);
	int (*sink_write)(void *priv, const int16_t *frame);
	void (*sink_stats)(const void *priv, struct audio_dev_stats *st);
	int (*sink_close)(void *priv);
	/* A file, not a device: it keeps the call's timeline (audio_sink_keeps_time). */
	bool sink_keeps_time;
};

extern const struct audio_backend dev_null_backend;
extern const struct audio_backend dev_wav_backend;
extern const struct audio_backend dev_portaudio_backend;

/* Lists PortAudio devices (see audio_device_list()). */
int dev_portaudio_list(audio_device_cb cb, void *arg);

/* Samples at 48 kHz waiting to be cut into frames: len of them from buf + head. A pop moves
 * head on; the next feed moves what is left to the front (one move per feed, not per frame). */
struct audio_fifo {
	int16_t *buf;
	size_t head;
	size_t len;
	size_t cap;
};

/* Allocates room for cap samples. Returns 0 or -ENOMEM. */
int audio_fifo_init(struct audio_fifo *f, size_t cap);

/* Frees the buffer. */
void audio_fifo_free(struct audio_fifo *f);

/* Resamples n mono samples (rs NULL: copies them; in NULL: drains rs) onto the end. Returns
 * 0, or -ENOSPC when the output might not fit in cap - len (nothing is consumed then). */
int audio_fifo_feed(struct audio_fifo *f, struct resample *rs, const int16_t *in, size_t n);

/* Moves one frame out if there is a whole one; returns 1 if so, else 0. */
int audio_fifo_pop(struct audio_fifo *f, int16_t *frame);

#endif
