/* An audio file encoded once (see clip.h): the packets back to back in one buffer, each
 * frame's offset, length, level and voice flag beside them. */
#include "audio/clip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audio/device.h"
#include "audio/level.h"

struct clip_entry {
	uint32_t off;
	uint16_t len;
	bool voice;
	float dbov;
};

struct audio_clip {
	size_t n, cap;
	struct clip_entry *frames;
	uint8_t *data;
	size_t used, data_cap;
};

void audio_clip_free(struct audio_clip *c)
{
	if (!c)
		return;
	free(c->frames);
	free(c->data);
	free(c);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 256;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int add_frame(struct audio_clip *c, const uint8_t *pkt, int len, float dbov, bool voice)
{
	size_t plen = len > 0 && !codec_is_dtx(len) ? (size_t)len : 0;

	if (grow((void **)&c->frames, &c->cap, c->n + 1, sizeof(*c->frames)) < 0 ||
	    grow((void **)&c->data, &c->data_cap, c->used + plen, 1) < 0)
		return -ENOMEM;
	c->frames[c->n++] = (struct clip_entry){ .off = (uint32_t)c->used, .len = (uint16_t)plen,
						 .voice = voice, .dbov = dbov };
	if (plen)
		memcpy(c->data + c->used, pkt, plen);
	c->used += plen;
	return 0;
}

int audio_clip_encode(const char *path, const struct codec_enc_config *cfg, float vad_dbov,
		      size_t max_frames, struct audio_clip **out)
{
	struct codec_enc_config ec;
	struct audio_source *src = NULL;
	struct codec_enc *enc = NULL;
	struct audio_clip *c;
	struct level_vad vad;
	int16_t pcm[AUDIO_FRAME];
	uint8_t pkt[CODEC_MAX_PACKET];
	int rc;

	if (cfg)
		ec = *cfg;
	else
		codec_enc_config_default(&ec);
	ec.loss_pct = 0;
	if (!(c = calloc(1, sizeof(*c))))
		return -ENOMEM;
	if ((rc = audio_source_open(&src, "wav", path, 0)) < 0 ||
	    (rc = codec_enc_create(&enc, &ec)) < 0)
		goto out;
	level_vad_init(&vad, vad_dbov);
	while ((rc = audio_source_read(src, pcm)) == 1) {
		if (c->n >= max_frames) {
			rc = -EFBIG;
			goto out;
		}
		float dbov = level_dbov(pcm, AUDIO_FRAME);
		bool voice = level_vad_update(&vad, dbov, 20);
		int len = codec_enc_encode(enc, pcm, pkt, sizeof(pkt));
		if ((rc = add_frame(c, pkt, len, dbov, voice)) < 0)
			goto out;
	}
	if (rc >= 0 || rc == AUDIO_EOF) /* a file source never says 0 (not ready); anyway */
		rc = c->n ? 0 : -ENODATA;
out:
	codec_enc_destroy(enc);
	audio_source_close(src);
	if (rc < 0) {
		audio_clip_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

size_t audio_clip_frames(const struct audio_clip *c)
{
	return c->n;
}

void audio_clip_frame(const struct audio_clip *c, size_t i, struct audio_clip_frame *f)
{
	const struct clip_entry *e = &c->frames[i];

	f->data = c->data + e->off;
	f->len = e->len;
	f->dbov = e->dbov;
	f->voice = e->voice;
}

size_t audio_clip_bytes(const struct audio_clip *c)
{
	return sizeof(*c) + c->cap * sizeof(*c->frames) + c->data_cap;
}
