/* What terminal chats (irssi, weechat) do with names and lines, as pure functions the TUI
 * calls: a stable colour per person, mentions of one's own name, the suffix that tells two
 * people of the same name apart, and the search behind /lastlog. No curses, no state; any
 * thread.
 */
#ifndef TTM_UI_CHATVIEW_H
#define TTM_UI_CHATVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHATVIEW_PALETTE 6 /* colours names are spread over */
#define CHATVIEW_SUFFIX_MAX 18 /* "#" and up to 16 hex digits, NUL */

/* The palette slot (0..CHATVIEW_PALETTE-1) of a display name: a hash of the name, so the same
 * person keeps the same colour on every screen and after a reconnect (ids change, names do
 * not); case-insensitive, as names are compared everywhere else. */
unsigned chatview_colour(const char *name);
/* True when text mentions name as a word of its own (case-insensitive ASCII; "alice" in
 * "hi alice!" or "@alice:", not in "malice"). An empty name is never mentioned. */
bool chatview_mentions(const char *text, size_t len, const char *name);
/* True when text[0..len) contains needle (case-insensitive ASCII; an empty needle matches). */
bool chatview_contains(const char *text, size_t len, const char *needle, size_t nlen);
/* The suffix that tells id apart from the others sharing its name: "#" and the last 3 hex
 * digits of the id, or all 16 when another of them has the same last 3. others: the ids of
 * the other people with the same name (case-insensitively). */
void chatview_suffix(uint64_t id, const uint64_t *others, size_t n,
		     char out[CHATVIEW_SUFFIX_MAX]);

#endif
