/* Audio levels: RMS of a frame in dBov and as the RFC 6464 audio-level value, a level meter
 * with peak hold for the UI, and a simple level-based voice-activity flag.
 *
 * dBov here: 0 dBov is the RMS of a full-scale square wave (so a full-scale sine is -3 dBov),
 * digital silence is -127 dBov, the floor of the RFC 6464 scale. The meter and the VAD are
 * small value types the caller embeds (no allocation); their fields are private, use the
 * functions. Pure code, any thread, one object per thread at a time.
 */
#ifndef TTM_AUDIO_LEVEL_H
#define TTM_AUDIO_LEVEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEVEL_MIN_DBOV		(-127.0f)
#define LEVEL_METER_FLOOR_DBOV	(-60.0f)	/* meter value 0 at and below this */

struct level_meter {
	float value;		/* 0..1, falls at a fixed rate after a peak */
	float peak;		/* 0..1, held, then falls */
	unsigned hold_left_ms;
};

struct level_vad {
	float on_dbov;		/* speech starts above this */
	float off_dbov;		/* and ends after hangover below this */
	unsigned attack_ms;
	unsigned hangover_ms;
	unsigned above_ms;
	unsigned below_ms;
	bool active;
};

/* RMS level of n samples in dBov, in [-127, 0]. */
float level_dbov(const int16_t *samples, size_t n);

/* RFC 6464 level value: -dBov rounded and clamped to 0 (loudest) .. 127 (silence). */
uint8_t level_rfc6464(float dbov);

/* Resets a meter to silence. */
void level_meter_init(struct level_meter *m);

/* Feeds the level of the last elapsed_ms of audio: rises at once, falls about 40 dB/s; the
 * peak is held for a second, then falls. */
void level_meter_update(struct level_meter *m, float dbov, unsigned elapsed_ms);

/* Current meter position, 0 (at or below LEVEL_METER_FLOOR_DBOV) .. 1 (0 dBov). */
float level_meter_value(const struct level_meter *m);

/* Held peak position, 0..1. */
float level_meter_peak(const struct level_meter *m);

/* Resets a VAD. on_dbov is the speech threshold (-45 is a fair default for a microphone);
 * speech must last 40 ms to switch on and stay 6 dB lower for 400 ms to switch off. */
void level_vad_init(struct level_vad *v, float on_dbov);

/* Feeds the level of the last elapsed_ms of audio; returns whether voice is active now. */
bool level_vad_update(struct level_vad *v, float dbov, unsigned elapsed_ms);

#endif
