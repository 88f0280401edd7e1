/* The status bar's content: connection state, microphone (with a level meter), rates, RTT
 * and loss, as segments that the TUI draws with their own attributes. When the bar is too
 * narrow the least important segments go first (loss, RTT, rates, then the connection state
 * is shortened); the microphone state is always shown: on/MUTED/push-to-talk with a level
 * meter, or "no mic" (and "no speaker") when there is no sound device. Pure; any thread.
 */
#ifndef TTM_UI_STATUS_H
#define TTM_UI_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "src/i18n.h"

enum status_conn {
	STATUS_IDLE,
	STATUS_CONNECTING,
	STATUS_JOINED,
	STATUS_AUDIO_OK,
	STATUS_AUDIO_FAILED,
	STATUS_RECONNECTING,
	STATUS_LEFT,
	STATUS_GAVE_UP,       /* reconnecting gave up: the keys to retry or quit */
	STATUS_WAITING,       /* before the join, the room keeps us waiting (waiting says why) */
};

struct status_model {
	enum status_conn conn;
	int attempt;          /* STATUS_RECONNECTING */
	bool muted, ptt, ptt_open;
	bool no_mic, no_speaker; /* no sound device on that side: said instead of the meter */
	double level;         /* microphone level 0..1 */
	bool have_stats;
	bool stale;           /* not connected: rates and RTT are the last known, said so */
	double kbps_in, kbps_out;
	double rtt_ms;        /* < 0 unknown */
	double loss_pct;
	const char *room_type; /* the kind of meeting joined ("audiobridge", "videoroom"), NULL */
	bool no_audio;        /* the meeting brings us no audio: "joined, no audio" */
	const char *waiting;  /* STATUS_WAITING: "focus", "host", "live" or "lobby" */
};

enum status_attr { STATUS_PLAIN, STATUS_GOOD, STATUS_WARN, STATUS_ALERT };

#define STATUS_SEG_MAX 5
#define STATUS_METER_CELLS 5

struct status_seg {
	char text[128];
	enum status_attr attr;
};

/* Fills segs with what fits in width cells when joined by separators of sep_cells cells,
 * in display order. Returns the number of segments (>= 1). */
int status_build(const struct status_model *m, enum i18n_lang lang, bool ascii, size_t width,
		 size_t sep_cells, struct status_seg segs[STATUS_SEG_MAX]);
/* The level meter for a 0..1 level: "[###  ]"-style, STATUS_METER_CELLS bars inside. */
void status_meter(double level, char *out, size_t outlen);

#endif
