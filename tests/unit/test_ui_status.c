/* Unit tests for the status bar content (ui/status.c): all segments when there is room, the
 * drop order (loss, RTT, rates) when there is not, the microphone state always present, the
 * level meter, push-to-talk states, and "no mic"/"no speaker" without a sound card. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ui/cell.h"
#include "ui/status.h"

static const struct status_model base = {
	.conn = STATUS_AUDIO_OK, .muted = false, .level = 0.6, .have_stats = true,
	.kbps_in = 24.4, .kbps_out = 25.6, .rtt_ms = 12.2, .loss_pct = 0.5,
};

static size_t total(struct status_seg *s, int n, size_t sep)
{
	size_t w = 0;
	for (int i = 0; i < n; i++)
		w += cell_width(s[i].text, strlen(s[i].text), false) + (i ? sep : 0);
	return w;
}

static void test_full(void **state)
{
	struct status_seg s[STATUS_SEG_MAX];
	(void)state;
	int n = status_build(&base, I18N_EN, false, 200, 3, s);
	assert_int_equal(n, 5);
	assert_string_equal(s[0].text, "audio ok");
	assert_int_equal(s[0].attr, STATUS_GOOD);
	assert_string_equal(s[1].text, "mic on [###  ]");
	assert_string_equal(s[2].text, "in 24 out 26 kbps");
	assert_string_equal(s[3].text, "RTT 12 ms");
	assert_string_equal(s[4].text, "loss 0.5%");
	n = status_build(&base, I18N_DE, false, 200, 3, s);
	assert_string_equal(s[1].text, "Mikro an [###  ]");
	/* Before the first RTT figure there is no RTT segment (not "RTT - ms"). */
	struct status_model m = base;
	m.rtt_ms = -1;
	n = status_build(&m, I18N_EN, false, 200, 3, s);
	assert_int_equal(n, 4);
	assert_string_equal(s[2].text, "in 24 out 26 kbps");
	assert_string_equal(s[3].text, "loss 0.5%");
	for (int i = 0; i < n; i++)
		assert_null(strstr(s[i].text, "RTT"));
}

/* The kind of meeting joined follows the connection state while joined (issue 13). */
static void test_room_type(void **state)
{
	struct status_seg s[STATUS_SEG_MAX];
	struct status_model m = base;
	(void)state;
	m.room_type = "videoroom";
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[0].text, "audio ok, video room");
	m.room_type = "audiobridge";
	status_build(&m, I18N_DE, false, 200, 3, s);
	assert_non_null(strstr(s[0].text, ", Audiobrücke"));
	m.room_type = "jitsi"; /* a Jitsi Meet link: never called an audio bridge */
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_non_null(strstr(s[0].text, ", Jitsi Meet (participants and chat only)"));
	assert_null(strstr(s[0].text, "bridge"));
	m.conn = STATUS_RECONNECTING; /* not joined: no claim about the room */
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_null(strstr(s[0].text, "audio bridge"));
}

/* A meeting that brings no audio (a Jitsi link, no media yet) is not "audio starting"; the
 * waits before a join say what we wait for (issue 14). */
static void test_no_audio_and_waiting(void **state)
{
	struct status_seg s[STATUS_SEG_MAX];
	struct status_model m = base;
	(void)state;
	m.conn = STATUS_JOINED;
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[0].text, "joined, audio starting");
	m.no_audio = true;
	m.room_type = "jitsi";
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_non_null(strstr(s[0].text, "joined, no audio"));
	assert_null(strstr(s[0].text, "audio starting"));
	m.conn = STATUS_WAITING;
	m.waiting = "lobby";
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[0].text, "in the lobby: waiting to be let in");
	assert_int_equal(s[0].attr, STATUS_WARN);
	m.waiting = "host";
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[0].text, "not started: waiting for a moderator");
	m.waiting = "focus";
	status_build(&m, I18N_IT, false, 200, 3, s);
	assert_string_equal(s[0].text, "in attesa che il server prepari la riunione");
}

static void test_drop_order(void **state)
{
	struct status_seg s[STATUS_SEG_MAX];
	(void)state;
	int n = status_build(&base, I18N_EN, false, 200, 3, s);
	size_t full = total(s, n, 3);
	n = status_build(&base, I18N_EN, false, full - 1, 3, s);
	assert_int_equal(n, 4);
	assert_string_equal(s[3].text, "RTT 12 ms"); /* loss went first */
	n = status_build(&base, I18N_EN, false, 45, 3, s); /* 8 + 14 + 17 + 2 separators */
	assert_int_equal(n, 3);
	assert_true(total(s, n, 3) <= 45);
	n = status_build(&base, I18N_EN, false, 44, 3, s);
	assert_int_equal(n, 2);
	n = status_build(&base, I18N_EN, false, 20, 3, s);
	assert_true(n >= 1 && total(s, n, 3) <= 20);
	bool mic = false;
	for (int i = 0; i < n; i++)
		mic |= strstr(s[i].text, "mic on") != NULL;
	assert_true(mic);
	for (size_t w = 0; w < 80; w++) { /* never wider than asked once the mic fits */
		n = status_build(&base, I18N_RO, false, w, 3, s);
		if (w >= 24)
			assert_true(total(s, n, 3) <= w);
	}
}

static void test_mic_states(void **state)
{
	struct status_seg s[STATUS_SEG_MAX];
	struct status_model m = base;
	(void)state;
	m.muted = true;
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[1].text, "MUTED [     ]"); /* no level shown while muted */
	assert_int_equal(s[1].attr, STATUS_ALERT);
	m.ptt = true;
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[1].text, "PTT: F5 to talk [     ]");
	m.muted = false;
	m.ptt_open = true;
	m.level = 1.0;
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[1].text, "PTT: talking [#####]");
	m.have_stats = false;
	m.conn = STATUS_RECONNECTING;
	m.attempt = 3;
	assert_int_equal(status_build(&m, I18N_EN, false, 200, 3, s), 2);
	assert_string_equal(s[0].text, "lost contact with the server: reconnecting (try 3)");
	/* the last figures while away are said to be old; loss goes */
	m.have_stats = true;
	m.kbps_in = 30;
	m.kbps_out = 25;
	m.rtt_ms = 12;
	m.stale = true;
	assert_int_equal(status_build(&m, I18N_EN, false, 200, 3, s), 4);
	assert_string_equal(s[2].text, "in 30 out 25 kbps (stale)");
	assert_string_equal(s[3].text, "RTT 12 ms (stale)");
	m.conn = STATUS_GAVE_UP;
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[0].text, "meeting lost: r retry, q quit");
	assert_int_equal(s[0].attr, STATUS_ALERT);
}

static void test_no_sound_card(void **state)
{
	static const char *const no_mic[] = { "no mic", "kein Mikro", "nessun micro",
					      "fără microfon" };
	struct status_seg s[STATUS_SEG_MAX];
	struct status_model m = base;
	(void)state;
	m.no_mic = m.no_speaker = true;
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[1].text, "no mic, no speaker"); /* no meter, no "mic on" */
	assert_int_equal(s[1].attr, STATUS_WARN);
	for (int l = 0; l < I18N_LANG_COUNT; l++) {
		status_build(&m, (enum i18n_lang)l, false, 200, 3, s);
		assert_non_null(strstr(s[1].text, no_mic[l]));
		assert_null(strchr(s[1].text, '['));
	}
	m.muted = true; /* the mute state still shows: it applies once a microphone is chosen */
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[1].text, "MUTED, no mic, no speaker");
	assert_int_equal(s[1].attr, STATUS_ALERT);
	m.ptt = true;
	status_build(&m, I18N_DE, false, 200, 3, s);
	assert_string_equal(s[1].text, "PTT: kein Mikro, kein Lautsprecher");
	m.ptt_open = true; /* F5 pressed: still nothing to talk with, and it says so */
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[1].text, "PTT: no mic, no speaker");
	assert_null(strstr(s[1].text, "talking"));
	/* A microphone (e.g. --play FILE) but no speaker: the meter stays. */
	m = base;
	m.no_speaker = true;
	status_build(&m, I18N_EN, false, 200, 3, s);
	assert_string_equal(s[1].text, "mic on [###  ], no speaker");
	m = base;
	m.no_mic = true;
	status_build(&m, I18N_IT, false, 200, 3, s);
	assert_string_equal(s[1].text, "nessun micro");
	/* Narrow bars keep it (the microphone state is never dropped). */
	m.no_speaker = true;
	int n = status_build(&m, I18N_EN, false, 30, 3, s);
	bool found = false;
	for (int i = 0; i < n; i++)
		found |= !strcmp(s[i].text, "no mic, no speaker");
	assert_true(found);
}

static void test_meter(void **state)
{
	char b[16];
	(void)state;
	status_meter(0, b, sizeof(b));
	assert_string_equal(b, "[     ]");
	status_meter(0.5, b, sizeof(b));
	assert_string_equal(b, "[##   ]");
	status_meter(7, b, sizeof(b));
	assert_string_equal(b, "[#####]");
	status_meter(-1, b, sizeof(b));
	assert_string_equal(b, "[     ]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_room_type),
		cmocka_unit_test(test_no_audio_and_waiting),
		cmocka_unit_test(test_drop_order),
		cmocka_unit_test(test_mic_states),
		cmocka_unit_test(test_no_sound_card),
		cmocka_unit_test(test_meter),
	};
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
