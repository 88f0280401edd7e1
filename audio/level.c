/* Level measurement, meter and VAD (see level.h). Per frame: one pass of integer squares,
 * one log10; no allocation. */
#include "audio/level.h"

#include <math.h>

#define METER_FALL_PER_S	0.66f	/* 40 dB/s on the 60 dB scale */
#define PEAK_HOLD_MS		1000u
#define PEAK_FALL_PER_S		0.5f
#define VAD_ATTACK_MS		40u
#define VAD_HANGOVER_MS		400u
#define VAD_HYSTERESIS_DB	6.0f

float level_dbov(const int16_t *samples, size_t n)
{
	uint64_t sum = 0;
	double db;
	size_t i;

	for (i = 0; i < n; i++)
		sum += (uint64_t)((int32_t)samples[i] * samples[i]);
	if (sum == 0)
		return LEVEL_MIN_DBOV;
	db = 10.0 * log10((double)sum / (double)n / (32768.0 * 32768.0));
	if (db < LEVEL_MIN_DBOV)
		return LEVEL_MIN_DBOV;
	return db > 0.0 ? 0.0f : (float)db;
}

uint8_t level_rfc6464(float dbov)
{
	long v;

	if (!(dbov == dbov))
		return 127;	/* NaN */
	v = lrintf(-dbov);
	return (uint8_t)(v < 0 ? 0 : v > 127 ? 127 : v);
}

static float meter_pos(float dbov)
{
	float v = (dbov - LEVEL_METER_FLOOR_DBOV) / -LEVEL_METER_FLOOR_DBOV;

	return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

void level_meter_init(struct level_meter *m)
{
	m->value = 0.0f;
	m->peak = 0.0f;
	m->hold_left_ms = 0;
}

void level_meter_update(struct level_meter *m, float dbov, unsigned elapsed_ms)
{
	float target = meter_pos(dbov), dt = elapsed_ms / 1000.0f;

	m->value -= METER_FALL_PER_S * dt;
	if (m->value < target)
		m->value = target;
	if (m->hold_left_ms >= elapsed_ms) {
		m->hold_left_ms -= elapsed_ms;
	} else {
		/* Only the part of the interval after the hold ran out counts as falling. */
		m->peak -= PEAK_FALL_PER_S * (elapsed_ms - m->hold_left_ms) / 1000.0f;
		m->hold_left_ms = 0;
	}
	if (m->peak < m->value) {
		m->peak = m->value;
		m->hold_left_ms = PEAK_HOLD_MS;
	}
	if (m->peak < 0.0f)
		m->peak = 0.0f;
}

float level_meter_value(const struct level_meter *m)
{
	return m->value;
}

float level_meter_peak(const struct level_meter *m)
{
	return m->peak;
}

void level_vad_init(struct level_vad *v, float on_dbov)
{
	v->on_dbov = on_dbov;
	v->off_dbov = on_dbov - VAD_HYSTERESIS_DB;
	v->attack_ms = VAD_ATTACK_MS;
	v->hangover_ms = VAD_HANGOVER_MS;
	v->above_ms = 0;
	v->below_ms = 0;
	v->active = false;
}

bool level_vad_update(struct level_vad *v, float dbov, unsigned elapsed_ms)
{
	if (dbov >= v->on_dbov) {
		if (v->above_ms < v->attack_ms)
			v->above_ms += elapsed_ms;
	} else {
		v->above_ms = 0;
	}
	if (dbov < v->off_dbov) {
		if (v->below_ms < v->hangover_ms)
			v->below_ms += elapsed_ms;
	} else {
		v->below_ms = 0;
	}
	if (!v->active && v->above_ms >= v->attack_ms)
		v->active = true;
	else if (v->active && v->below_ms >= v->hangover_ms)
		v->active = false;
	return v->active;
}
