/* The TUI while the server is away (see tui_int.h, away_*).
 *
 * Contact lost (the first RECONNECTING): one chat line in plain words, the technical reason
 * to the --log file only; from then on the status bar alone follows the attempts, updated in
 * place, and everything that would pretend to be live (head count, roster, rates, RTT, the
 * video picture) is marked stale or frozen. Back (JOINED again): one chat line; the roster
 * reconciles quietly (ids change, chat users rejoin, chat-only entries merge again) for
 * AWAY_SETTLE_MS, then the names present are compared with those present when contact was
 * lost and only real differences get a joined/left line. Given up (GAVE_UP): the screen and
 * the conversation stay, the status bar shows the keys, r retries and q quits.
 * Thread: the loop's thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/loop.h"
#include "ui/tui_int.h"

#define AWAY_SETTLE_MS 5000  /* chat rejoin + the roster's grace period, with room to spare */
#define AWAY_FROZEN_US (2 * G_USEC_PER_SEC) /* no picture for this long: marked frozen */

void away_log(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	char *line = t->log_only[t->log_next];
	t->log_next = (t->log_next + 1) % G_N_ELEMENTS(t->log_only);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(t->log_only[0]), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ttymeet: %s\n", line);
}

bool away_is_log_only(const struct tui *t, const char *msg)
{
	for (size_t i = 0; i < G_N_ELEMENTS(t->log_only); i++)
		if (t->log_only[i][0] && !strcmp(msg, t->log_only[i]))
			return true;
	return false;
}

static void set_away(struct tui *t, bool on)
{
	t->away = on;
	t->st.stale = on;
	if (on)
		t->video_frozen = t->video_showing;
	tui_dirty(t, DIRTY_TITLE | DIRTY_ROSTER | DIRTY_STATUS | DIRTY_VIDEO);
}

static int name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of everyone but us, sorted (a multiset: two "alice" are two entries). */
static GPtrArray *names_now(struct tui *t)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < t->people->len; i++) {
		const struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		if (!p->self)
			g_ptr_array_add(a, g_strdup(p->name));
	}
	g_ptr_array_sort(a, name_cmp);
	return a;
}

void away_lost(struct tui *t, const struct session_event *ev)
{
	char num[16];
	t->st.conn = STATUS_RECONNECTING;
	t->st.attempt = ev->attempt;
	t->chat_ready = false;
	away_log(t, "lost contact with the server (attempt %d): %s", ev->attempt,
		 ev->message ? ev->message : "");
	if (t->away) { /* the status bar says it, in place */
		t->gave_up = false;
		tui_dirty(t, DIRTY_STATUS);
		return;
	}
	t->away_since = g_get_monotonic_time();
	if (!t->settle_src) { /* lost again while settling: compare with the first loss */
		if (t->away_names)
			g_ptr_array_unref(t->away_names);
		t->away_names = names_now(t);
	}
	loop_source_drop(&t->settle_src);
	set_away(t, true);
	snprintf(num, sizeof(num), "%d", ev->attempt);
	tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_RECONNECTING, num, NULL);
}

/* The roster has settled after a rejoin: only real differences are said. */
static gboolean settle_cb(gpointer data)
{
	struct tui *t = data;
	loop_source_drop(&t->settle_src);
	GPtrArray *now = names_now(t), *then = t->away_names;
	t->away_names = NULL;
	guint i = 0, j = 0;
	while (then && (i < then->len || j < now->len)) {
		int c = i >= then->len ? 1 : j >= now->len ? -1
			: strcmp(g_ptr_array_index(then, i), g_ptr_array_index(now, j));
		if (c < 0)
			tui_system_msg(t, 0, I18N_SYS_PEER_LEFT, g_ptr_array_index(then, i), NULL);
		else if (c > 0)
			tui_system_msg(t, 0, I18N_SYS_PEER_JOINED, g_ptr_array_index(now, j), NULL);
		i += c <= 0;
		j += c >= 0;
	}
	g_ptr_array_unref(now);
	if (then)
		g_ptr_array_unref(then);
	return G_SOURCE_REMOVE;
}

bool away_rejoined(struct tui *t)
{
	char num[16];
	if (!t->away)
		return false;
	gint64 away_us = g_get_monotonic_time() - t->away_since;
	t->gave_up = false;
	set_away(t, false);
	snprintf(num, sizeof(num), "%.0f", (double)away_us / G_USEC_PER_SEC);
	away_log(t, "back in the meeting after %s s", num);
	tui_system_msg(t, 0, I18N_SYS_RECONNECTED, num, NULL);
	t->settle_src = g_timeout_source_new(AWAY_SETTLE_MS);
	g_source_set_callback(t->settle_src, settle_cb, t, NULL);
	g_source_attach(t->settle_src, t->ctx);
	return true;
}

bool away_quiet(const struct tui *t)
{
	return t->away || t->settle_src;
}

void away_gave_up(struct tui *t, const struct session_event *ev)
{
	char num[16];
	snprintf(t->last_error, sizeof(t->last_error), "%s", ev->message ? ev->message : "");
	t->gave_up = true;
	t->st.conn = STATUS_GAVE_UP;
	set_away(t, true);
	snprintf(num, sizeof(num), "%.0f",
		 (double)(g_get_monotonic_time() - t->away_since) / G_USEC_PER_SEC);
	tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_GAVE_UP, num, NULL);
}

bool away_key(struct tui *t, bool is_key, wint_t ch)
{
	size_t len;
	if (!t->gave_up || is_key || t->pin_prompt || t->overlay != OVERLAY_NONE)
		return false;
	editor_text(t->ed, &len);
	if (len || (ch != 'r' && ch != 'R' && ch != 'q' && ch != 'Q'))
		return false; /* typing goes on as usual */
	if (ch == 'q' || ch == 'Q') {
		t->ops.leave(t->user);
		return true;
	}
	if (t->ops.retry && t->ops.retry(t->user) == 0) {
		t->gave_up = false;
		tui_system_msg(t, 0, I18N_SYS_RETRYING, NULL, NULL);
	}
	return true;
}

void away_frame(struct tui *t)
{
	t->frame_us = g_get_monotonic_time();
	if (t->video_frozen && !t->away) {
		t->video_frozen = false;
		tui_dirty(t, DIRTY_VIDEO);
	}
}

void away_tick(struct tui *t)
{
	bool frozen = t->video_showing &&
		      (t->away || g_get_monotonic_time() - t->frame_us > AWAY_FROZEN_US);
	if (frozen != t->video_frozen) {
		t->video_frozen = frozen;
		tui_dirty(t, DIRTY_VIDEO);
	}
}

void away_free(struct tui *t)
{
	loop_source_drop(&t->settle_src);
	if (t->away_names)
		g_ptr_array_unref(t->away_names);
	t->away_names = NULL;
}
