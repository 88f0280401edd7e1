/* Status bar segments (see status.h). */
#include "ui/status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui/cell.h"

enum seg_kind { SEG_CONN, SEG_MIC, SEG_RATE, SEG_RTT, SEG_LOSS, SEG_COUNT };

void status_meter(double level, char *out, size_t outlen)
{
	char bars[STATUS_METER_CELLS + 3];
	int n = (int)lrint((isfinite(level) ? level : 0) * STATUS_METER_CELLS);
	n = n < 0 ? 0 : n > STATUS_METER_CELLS ? STATUS_METER_CELLS : n;
	bars[0] = '[';
	for (int i = 0; i < STATUS_METER_CELLS; i++)
		bars[1 + i] = i < n ? '#' : ' ';
	bars[STATUS_METER_CELLS + 1] = ']';
	bars[STATUS_METER_CELLS + 2] = '\0';
	snprintf(out, outlen, "%s", bars);
}

static enum status_attr conn_text(const struct status_model *m, enum i18n_lang lang,
				  char *out, size_t outlen)
{
	static const enum i18n_msg msgs[] = {
		[STATUS_IDLE] = I18N_ST_IDLE,
		[STATUS_CONNECTING] = I18N_ST_CONNECTING,
		[STATUS_JOINED] = I18N_ST_JOINED,
		[STATUS_AUDIO_OK] = I18N_ST_AUDIO_OK,
		[STATUS_AUDIO_FAILED] = I18N_ST_AUDIO_FAILED,
		[STATUS_RECONNECTING] = I18N_ST_RECONNECTING,
		[STATUS_LEFT] = I18N_ST_LEFT,
		[STATUS_GAVE_UP] = I18N_ST_GAVE_UP,
		[STATUS_WAITING] = I18N_ST_WAIT_FOCUS,
	};
	char n[16];
	unsigned c = (unsigned)m->conn < sizeof(msgs) / sizeof(msgs[0]) ? m->conn : STATUS_IDLE;
	enum i18n_msg msg = msgs[c];
	if (c == STATUS_JOINED && m->no_audio)
		msg = I18N_ST_JOINED_NO_AUDIO;
	else if (c == STATUS_WAITING && m->waiting)
		msg = !strcmp(m->waiting, "host") ? I18N_ST_WAIT_HOST
		      : !strcmp(m->waiting, "live") ? I18N_ST_WAIT_LIVE
		      : !strcmp(m->waiting, "lobby") ? I18N_ST_WAIT_LOBBY : I18N_ST_WAIT_FOCUS;
	snprintf(n, sizeof(n), "%d", m->attempt);
	i18n_fmt(out, outlen, lang, msg, n, NULL, NULL);
	if (m->room_type && (m->conn == STATUS_JOINED || m->conn == STATUS_AUDIO_OK)) {
		size_t len = strlen(out);
		snprintf(out + len, outlen - len, ", %s",
			 i18n_get(lang, !strcmp(m->room_type, "videoroom") ? I18N_ST_ROOM_VIDEOROOM
					: !strcmp(m->room_type, "jitsi") ? I18N_ST_ROOM_JITSI
									 : I18N_ST_ROOM_AUDIOBRIDGE));
	}
	switch (m->conn) {
	case STATUS_AUDIO_OK: return STATUS_GOOD;
	case STATUS_AUDIO_FAILED:
	case STATUS_GAVE_UP: return STATUS_ALERT;
	case STATUS_LEFT: return STATUS_PLAIN;
	default: return STATUS_WARN;
	}
}

static enum status_attr mic_text(const struct status_model *m, enum i18n_lang lang, char *out,
				 size_t outlen)
{
	char meter[STATUS_METER_CELLS + 3];
	const char *state;
	if (m->ptt)
		state = i18n_get(lang, m->ptt_open ? I18N_ST_PTT_TALK : I18N_ST_PTT_IDLE);
	else
		state = i18n_get(lang, m->muted ? I18N_ST_MIC_OFF : I18N_ST_MIC_ON);
	status_meter(m->muted ? 0 : m->level, meter, sizeof(meter));
	if (!m->no_mic) /* a meter needs a microphone; "mic on" without one would be false */
		snprintf(out, outlen, "%s %s", state, meter);
	else if (m->ptt) /* nothing to talk with: neither "F5 to talk" nor "talking" */
		snprintf(out, outlen, "PTT: %s", i18n_get(lang, I18N_ST_NO_MIC));
	else if (m->muted)
		snprintf(out, outlen, "%s, %s", state, i18n_get(lang, I18N_ST_NO_MIC));
	else
		snprintf(out, outlen, "%s", i18n_get(lang, I18N_ST_NO_MIC));
	if (m->no_speaker) {
		size_t n = strlen(out);
		snprintf(out + n, outlen - n, ", %s", i18n_get(lang, I18N_ST_NO_SPEAKER));
	}
	if (m->muted)
		return m->ptt ? STATUS_WARN : STATUS_ALERT;
	return m->no_mic || m->no_speaker ? STATUS_WARN : STATUS_GOOD;
}

static void fmt_num(char *out, size_t outlen, double v, int decimals)
{
	snprintf(out, outlen, "%.*f", decimals, isfinite(v) && v >= 0 ? v : 0.0);
}

static void shorten_conn(struct status_seg *all, bool *present, size_t width,
			 size_t sep_cells, bool ascii)
{
	char *conn = all[SEG_CONN].text, *mic = all[SEG_MIC].text;
	size_t mw = cell_width(mic, strlen(mic), ascii);
	size_t room = width > mw + sep_cells ? width - mw - sep_cells : 0;
	size_t cut = cell_fit(conn, strlen(conn), room, ascii, NULL);
	conn[cut] = '\0';
	if (!cut)
		present[SEG_CONN] = false;
}

int status_build(const struct status_model *m, enum i18n_lang lang, bool ascii, size_t width,
		 size_t sep_cells, struct status_seg segs[STATUS_SEG_MAX])
{
	struct status_seg all[SEG_COUNT];
	/* No RTT segment until there is a figure ("RTT - ms" said nothing). */
	bool present[SEG_COUNT] = { true, true, m->have_stats, m->have_stats && m->rtt_ms >= 0,
				    m->have_stats && !m->stale };
	char a[32], b[32];

	memset(all, 0, sizeof(all));
	all[SEG_CONN].attr = conn_text(m, lang, all[SEG_CONN].text, sizeof(all[0].text));
	all[SEG_MIC].attr = mic_text(m, lang, all[SEG_MIC].text, sizeof(all[0].text));
	fmt_num(a, sizeof(a), m->kbps_in, 0);
	fmt_num(b, sizeof(b), m->kbps_out, 0);
	i18n_fmt(all[SEG_RATE].text, sizeof(all[0].text), lang, I18N_ST_KBPS, a, b, NULL);
	fmt_num(a, sizeof(a), m->rtt_ms, 0);
	i18n_fmt(all[SEG_RTT].text, sizeof(all[0].text), lang, I18N_ST_RTT, a, NULL, NULL);
	fmt_num(a, sizeof(a), m->loss_pct, 1);
	i18n_fmt(all[SEG_LOSS].text, sizeof(all[0].text), lang, I18N_ST_LOSS, a, NULL, NULL);
	if (m->stale) /* the last figures, not live ones: said in words */
		for (int k = SEG_RATE; k <= SEG_RTT; k++) {
			size_t len = strlen(all[k].text);
			snprintf(all[k].text + len, sizeof(all[k].text) - len, " (%s)",
				 i18n_get(lang, I18N_STALE));
			all[k].attr = STATUS_WARN;
		}
	all[SEG_LOSS].attr = m->loss_pct >= 5 ? STATUS_ALERT : m->loss_pct >= 1 ? STATUS_WARN
							       : STATUS_PLAIN;

	/* Drop from the least important end until the rest fits. */
	static const enum seg_kind drop_order[] = { SEG_LOSS, SEG_RTT, SEG_RATE };
	for (size_t d = 0;; d++) {
		size_t total = 0, count = 0;
		for (int k = 0; k < SEG_COUNT; k++) {
			if (!present[k])
				continue;
			total += cell_width(all[k].text, strlen(all[k].text), ascii);
			count++;
		}
		total += (count - 1) * sep_cells;
		if (total <= width || d >= sizeof(drop_order) / sizeof(drop_order[0])) {
			if (total > width) /* still too wide: shorten the connection state */
				shorten_conn(all, present, width, sep_cells, ascii);
			break;
		}
		present[drop_order[d]] = false;
	}
	int n = 0;
	for (int k = 0; k < SEG_COUNT; k++)
		if (present[k])
			segs[n++] = all[k];
	return n;
}
