/* An audio file encoded once with Opus, for many participants to send: a fleet of bots that
 * all play the same --play file shares one clip instead of running one encoder each.
 *
 * Each frame keeps what a sender needs besides the packet: the frame's level (for the level
 * meter and the RFC 6464 header extension) and whether a voice detector with the sender's
 * settings called it speech. The encoder runs with the settings given and expects no loss
 * (no in-band FEC): a shared packet cannot follow any one receiver's reports.
 *
 * Read-only after audio_clip_encode, so any number of users on any thread may read it.
 */
#ifndef TTM_AUDIO_CLIP_H
#define TTM_AUDIO_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/codec.h"

struct audio_clip;

struct audio_clip_frame {
	const uint8_t *data; /* the Opus packet */
	size_t len;          /* 0: DTX, nothing to send */
	float dbov;          /* level of the frame's samples */
	bool voice;          /* speech by level_vad (the threshold given to audio_clip_encode) */
};

/* Reads the WAV file at path (any rate and channels, as the wav source does) and encodes
 * all of it with cfg (NULL: defaults; its loss_pct is ignored: 0). vad_dbov is the voice
 * detector's threshold. A file longer than max_frames 20 ms frames is refused with
 * -EFBIG (the caller falls back to encoding per participant). Returns 0, a negative
 * audio_source_open code for an unreadable file, -ENODATA for an empty one, or -ENOMEM. */
int audio_clip_encode(const char *path, const struct codec_enc_config *cfg, float vad_dbov,
		      size_t max_frames, struct audio_clip **out);

size_t audio_clip_frames(const struct audio_clip *c);

/* Frame i (< audio_clip_frames). */
void audio_clip_frame(const struct audio_clip *c, size_t i, struct audio_clip_frame *f);

/* Bytes the clip holds (packets and per-frame data). */
size_t audio_clip_bytes(const struct audio_clip *c);

/* Frees; NULL is fine. */
void audio_clip_free(struct audio_clip *c);

#endif
