/* The commands terminal chat users expect (see tui_int.h): /names, /clear, /lastlog, and the
 * name lookup /msg uses, which knows that two people can have the same name. Chat text found
 * by /lastlog is copied only into the display log (locked memory) and a stack buffer that is
 * wiped after each line.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ui/tui_int.h"

#define LINE_MAX_BYTES 4600 /* one found line: time, name, a whole message */

void chatcmd_names(struct tui *t)
{
	GString *g = g_string_new(NULL);
	char count[16];
	for (guint i = 0; i < t->people->len; i++) {
		const struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		const char *tag = p->self ? i18n_get(t->lang, I18N_ROSTER_YOU)
				: p->chat_only ? i18n_get(t->lang, I18N_ROSTER_CHAT_ONLY) : NULL;
		g_string_append_printf(g, "%s%s%s%s", i ? ", " : "", p->label, tag ? " " : "",
				       tag ? tag : "");
	}
	snprintf(count, sizeof(count), "%u", t->people->len);
	tui_system_msg(t, 0, I18N_SYS_NAMES, count, g->str);
	g_string_free(g, TRUE);
}

void chatcmd_clear(struct tui *t)
{
	chat_store_clear(t->log);
	t->scroll = 0;
	t->unread = 0;
	t->marker_on = false;
	tui_dirty(t, DIRTY_CHAT);
}

void chatcmd_lastlog(struct tui *t, const char *text, size_t len)
{
	char needle[256], num[16];
	snprintf(needle, sizeof(needle), "%.*s", (int)(len < 255 ? len : 255), text);
	size_t nl = strlen(needle);
	unsigned count = chat_store_count(t->log), found = 0;
	uint64_t first_seq = chat_store_total(t->log) - count;
	uint64_t seqs[CHATCMD_LASTLOG_MAX];
	struct chat_msg m;
	/* the newest matches, found from the end, kept as sequence numbers: adding lines below
	 * may drop the oldest lines of a full log and so move the indices */
	for (unsigned i = count; i-- > 0 && found < CHATCMD_LASTLOG_MAX;) {
		if (chat_store_get(t->log, i, &m) < 0 || (m.flags & TUI_LINE_SYSTEM))
			continue;
		if (chatview_contains(m.text, m.text_len, needle, nl) ||
		    chatview_contains(m.from, strlen(m.from), needle, nl))
			seqs[found++] = first_seq + i;
	}
	if (!found) {
		tui_system_msg(t, 0, I18N_SYS_LASTLOG_NONE, needle, NULL);
		sodium_memzero(needle, sizeof(needle));
		return;
	}
	snprintf(num, sizeof(num), "%u", found);
	tui_system_msg(t, 0, I18N_SYS_LASTLOG_HEAD, needle, num);
	char line[LINE_MAX_BYTES];
	for (unsigned k = found; k-- > 0;) {
		uint64_t base = chat_store_total(t->log) - chat_store_count(t->log);
		if (seqs[k] < base || chat_store_get(t->log, (unsigned)(seqs[k] - base), &m) < 0)
			continue; /* dropped from the log meanwhile */
		char stamp[8];
		struct tm tm;
		time_t sec = (time_t)(m.time_us / 1000000);
		localtime_r(&sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M", &tm);
		snprintf(line, sizeof(line), "  %s %s: %.*s", stamp, m.from, (int)m.text_len,
			 m.text);
		tui_system_line(t, 0, line);
		sodium_memzero(line, sizeof(line));
	}
	sodium_memzero(needle, sizeof(needle));
}

const struct tui_person *chatcmd_find(struct tui *t, const char *name, bool *ambiguous)
{
	const struct tui_person *exact = NULL, *folded = NULL;
	int n_exact = 0, n_folded = 0;
	*ambiguous = false;
	for (guint i = 0; i < t->people->len; i++) {
		const struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		if (p->self)
			continue;
		if (!strcmp(p->label, name) && strcmp(p->label, p->name))
			return p; /* "alice#3f2": that one */
		if (!strcmp(p->name, name)) {
			exact = p;
			n_exact++;
		}
		if (!strcasecmp(p->name, name) || !strcasecmp(p->label, name)) {
			folded = p;
			n_folded++;
		}
	}
	if (n_exact == 1)
		return exact;
	if (n_exact == 0 && n_folded == 1)
		return folded;
	*ambiguous = n_exact > 1 || n_folded > 1;
	return NULL;
}

void chatcmd_labels_of(struct tui *t, const char *name, char *out, size_t outlen)
{
	size_t o = 0;
	out[0] = '\0';
	for (guint i = 0; i < t->people->len && o < outlen; i++) {
		const struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		if (p->self || strcasecmp(p->name, name))
			continue;
		int w = snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", p->label);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}
