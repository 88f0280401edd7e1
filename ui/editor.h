/* The input line editor: one line of UTF-8 text with a cursor, readline-style editing,
 * a history of sent lines and name completion. Knows nothing about curses: the TUI maps keys
 * to these calls and draws editor_text() from editor_view()'s first byte.
 *
 * What is typed is chat text, so the line, the line saved while browsing history and the
 * history itself live in libsodium's locked memory and are wiped when replaced and at
 * editor_destroy. Thread: the loop's thread.
 */
#ifndef TTM_UI_EDITOR_H
#define TTM_UI_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

#define EDITOR_MAX 4096 /* bytes of one line (the longest chat message) */

struct editor;

enum editor_op {
	EDITOR_LEFT,
	EDITOR_RIGHT,
	EDITOR_HOME,
	EDITOR_END,
	EDITOR_WORD_LEFT,
	EDITOR_WORD_RIGHT,
	EDITOR_BACKSPACE,
	EDITOR_DELETE,
	EDITOR_KILL_START, /* Ctrl-U: delete from the start of the line to the cursor */
	EDITOR_KILL_END,   /* Ctrl-K: delete from the cursor to the end */
	EDITOR_KILL_WORD,  /* Ctrl-W: delete the word before the cursor (and spaces after it) */
	EDITOR_HIST_PREV,  /* Up: the previous (older) line */
	EDITOR_HIST_NEXT,  /* Down: the next line; past the newest, what was being typed */
};

/* Creates an empty editor remembering up to history_max lines. */
int editor_create(unsigned history_max, struct editor **out);
/* Bytes of locked memory an editor with this history asks for (for the privacy notice). */
size_t editor_locked_bytes(unsigned history_max);
/* Wipes and frees; NULL is fine. */
void editor_destroy(struct editor *e);
/* Inserts s[0..n) at the cursor (invalid UTF-8 becomes U+FFFD, control characters are
 * dropped). -EMSGSIZE (nothing inserted) if the line would exceed EDITOR_MAX bytes. */
int editor_insert(struct editor *e, const char *s, size_t n);
/* Applies one editing operation. Returns true if the line or the cursor changed. */
bool editor_apply(struct editor *e, enum editor_op op);
/* The line (NUL-terminated, valid until the next change) and its length. */
const char *editor_text(const struct editor *e, size_t *len);
/* Cursor position in bytes. */
size_t editor_cursor(const struct editor *e);
/* Stores the line in the history (unless empty or equal to the newest entry) and clears it. */
void editor_commit(struct editor *e);
/* Empties the line (wiping it) without touching the history. */
void editor_clear(struct editor *e);
/* Horizontal scrolling for a field width cells wide: the first byte to draw and the cursor's
 * column, keeping the cursor visible (the view only moves when it has to). */
void editor_view(struct editor *e, size_t width, bool ascii, size_t *first, size_t *cursor_col);
/* Completes the word before the cursor with the names starting with it (case-insensitively,
 * ASCII letters only), as irssi does: the first match is inserted whole, followed by ": " at
 * the start of the line, else " "; Tab again (nothing else changed in between) replaces it
 * with the next match, after the last the first again. names must keep their order between
 * calls. Returns the number of matches (0: the line is unchanged); matches (room for count,
 * or NULL) gets their indices in names, *shown (or NULL) the index of the one inserted. */
int editor_complete(struct editor *e, const char *const *names, size_t count,
		    size_t *matches, size_t *shown);
/* True while a Tab completion cycle is going on (the last change was a completion with more
 * than one match). */
bool editor_completing(const struct editor *e);

#endif
