/* The null backend: a source of silence that is always ready, a sink that discards. For
 * headless runs without --play/--record and for tests. Main-loop thread only. */
#include <string.h>

#include "audio/device_backend.h"

/* Nothing to keep: the private state is NULL. */
static int null_open(void **priv, const char *target, unsigned flags)
{
	*priv = NULL;
	return 0;
}

static int null_read(void *priv, int16_t *frame)
{
	memset(frame, 0, AUDIO_FRAME * sizeof(*frame));
	return 1;
}

static void null_close(void *priv)
{
}

static int null_write(void *priv, const int16_t *frame)
{
	return 1;
}

static int null_sink_close(void *priv)
{
	return 0;
}

const struct audio_backend dev_null_backend = {
	.name = "null",
	.source_open = null_open,
	.source_read = null_read,
	.source_close = null_close,
	.sink_open = null_open,
	.sink_write = null_write,
	.sink_close = null_sink_close,
};
