/* The input line editor (see editor.h). The line is a byte buffer of valid UTF-8 with the
 * cursor on a character boundary; moves go by whole characters (a base and its combining
 * marks, ui/cell.h). The history is a src/chat.h store (locked, wiped on eviction) used as a
 * ring of lines; hist_pos is the entry being shown, or -1 while editing a new line. */
#include "ui/editor.h"

#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/chat.h"
#include "src/secmem.h"
#include "ui/cell.h"

struct editor {
	char *buf;   /* EDITOR_MAX + 1 bytes, locked */
	char *saved; /* the new line while browsing history, locked */
	size_t len, cur, saved_len, view;
	struct chat_store *hist;
	long hist_pos;
	/* Tab completion in progress: the word typed (locked), where the inserted name starts
	 * and where it ends (the cursor), and which match is shown. Any other change ends it. */
	char *comp_word;
	size_t comp_word_len, comp_start, comp_end, comp_shown;
	bool comp_on;
};

#define COMP_WORD_MAX 256 /* longer words match no display name */

static size_t hist_bytes(unsigned history_max)
{
	return (size_t)(history_max ? history_max : 1) * 256 + 4096;
}

size_t editor_locked_bytes(unsigned history_max)
{
	return 2 * secmem_locked_size(EDITOR_MAX + 1) + secmem_locked_size(COMP_WORD_MAX) +
	       secmem_locked_size(hist_bytes(history_max));
}

int editor_create(unsigned history_max, struct editor **out)
{
	struct editor *e;
	if (sodium_init() < 0)
		return -EIO;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->buf = sodium_malloc(EDITOR_MAX + 1);
	e->saved = sodium_malloc(EDITOR_MAX + 1);
	e->comp_word = sodium_malloc(COMP_WORD_MAX);
	if (!e->buf || !e->saved || !e->comp_word ||
	    chat_store_create(hist_bytes(history_max), history_max ? history_max : 1,
			      &e->hist) < 0) {
		editor_destroy(e);
		return -ENOMEM;
	}
	sodium_memzero(e->buf, EDITOR_MAX + 1);
	sodium_memzero(e->saved, EDITOR_MAX + 1);
	sodium_memzero(e->comp_word, COMP_WORD_MAX);
	e->hist_pos = -1;
	*out = e;
	return 0;
}

void editor_destroy(struct editor *e)
{
	if (!e)
		return;
	if (e->buf)
		sodium_free(e->buf);
	if (e->saved)
		sodium_free(e->saved);
	if (e->comp_word)
		sodium_free(e->comp_word);
	chat_store_destroy(e->hist);
	free(e);
}

/* Replaces bytes [from, to) with s[0..n) (already clean), keeping the NUL terminator. */
static void splice(struct editor *e, size_t from, size_t to, const char *s, size_t n)
{
	size_t tail = e->len - to;
	memmove(e->buf + from + n, e->buf + to, tail);
	if (n)
		memcpy(e->buf + from, s, n);
	size_t newlen = from + n + tail;
	if (newlen < e->len)
		sodium_memzero(e->buf + newlen, e->len - newlen);
	e->len = newlen;
	e->buf[e->len] = '\0';
}

/* Ends a Tab completion cycle (the word typed is wiped). */
static void comp_end(struct editor *e)
{
	if (e->comp_on)
		sodium_memzero(e->comp_word, COMP_WORD_MAX);
	e->comp_on = false;
}

int editor_insert(struct editor *e, const char *s, size_t n)
{
	char clean[EDITOR_MAX];
	size_t m = 0, i = 0;
	int rc = 0;
	comp_end(e);
	while (i < n) {
		uint32_t cp;
		size_t l = cell_decode(s + i, n - i, &cp);
		i += l;
		if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			continue;
		char enc[4];
		size_t el = cell_encode(cp, enc);
		if (m + el > sizeof(clean) || e->len + m + el > EDITOR_MAX) {
			rc = -EMSGSIZE;
			goto out;
		}
		memcpy(clean + m, enc, el);
		m += el;
	}
	splice(e, e->cur, e->cur, clean, m);
	e->cur += m;
out:
	sodium_memzero(clean, sizeof(clean));
	return rc;
}

static bool is_space_before(const struct editor *e, size_t off)
{
	return off > 0 && e->buf[off - 1] == ' ';
}

static size_t word_left(const struct editor *e, size_t off)
{
	while (is_space_before(e, off))
		off--;
	while (off > 0 && !is_space_before(e, off))
		off = cell_prev(e->buf, e->len, off);
	return off;
}

static size_t word_right(const struct editor *e, size_t off)
{
	while (off < e->len && e->buf[off] == ' ')
		off++;
	while (off < e->len && e->buf[off] != ' ')
		off = cell_next(e->buf, e->len, off);
	return off;
}

/* Loads text into the line with the cursor at its end. */
static void load(struct editor *e, const char *text, size_t n)
{
	if (n > EDITOR_MAX)
		n = EDITOR_MAX;
	splice(e, 0, e->len, text, n);
	e->cur = e->len;
	e->view = 0;
}

static bool hist_move(struct editor *e, int dir)
{
	long count = (long)chat_store_count(e->hist);
	long pos = e->hist_pos < 0 ? count : e->hist_pos;
	long next = pos + dir;
	struct chat_msg m;
	if (next < 0 || next > count || (dir > 0 && e->hist_pos < 0))
		return false;
	if (e->hist_pos < 0) { /* leaving the new line: keep it */
		memcpy(e->saved, e->buf, e->len + 1);
		e->saved_len = e->len;
	}
	if (next == count) {
		load(e, e->saved, e->saved_len);
		sodium_memzero(e->saved, e->saved_len);
		e->saved_len = 0;
		e->hist_pos = -1;
		return true;
	}
	if (chat_store_get(e->hist, (unsigned)next, &m) < 0)
		return false;
	load(e, m.text, m.text_len);
	e->hist_pos = next;
	return true;
}

bool editor_apply(struct editor *e, enum editor_op op)
{
	size_t cur = e->cur, len = e->len, to;
	comp_end(e);
	switch (op) {
	case EDITOR_LEFT: e->cur = cell_prev(e->buf, e->len, e->cur); break;
	case EDITOR_RIGHT: e->cur = cell_next(e->buf, e->len, e->cur); break;
	case EDITOR_HOME: e->cur = 0; break;
	case EDITOR_END: e->cur = e->len; break;
	case EDITOR_WORD_LEFT: e->cur = word_left(e, e->cur); break;
	case EDITOR_WORD_RIGHT: e->cur = word_right(e, e->cur); break;
	case EDITOR_BACKSPACE:
		to = cell_prev(e->buf, e->len, e->cur);
		splice(e, to, e->cur, NULL, 0);
		e->cur = to;
		break;
	case EDITOR_DELETE:
		splice(e, e->cur, cell_next(e->buf, e->len, e->cur), NULL, 0);
		break;
	case EDITOR_KILL_START:
		splice(e, 0, e->cur, NULL, 0);
		e->cur = 0;
		break;
	case EDITOR_KILL_END:
		splice(e, e->cur, e->len, NULL, 0);
		break;
	case EDITOR_KILL_WORD:
		to = word_left(e, e->cur);
		splice(e, to, e->cur, NULL, 0);
		e->cur = to;
		break;
	case EDITOR_HIST_PREV: return hist_move(e, -1);
	case EDITOR_HIST_NEXT: return hist_move(e, +1);
	}
	return e->cur != cur || e->len != len;
}

const char *editor_text(const struct editor *e, size_t *len)
{
	if (len)
		*len = e->len;
	return e->buf;
}

size_t editor_cursor(const struct editor *e)
{
	return e->cur;
}

void editor_clear(struct editor *e)
{
	comp_end(e);
	splice(e, 0, e->len, NULL, 0);
	e->cur = e->view = 0;
	e->hist_pos = -1;
	sodium_memzero(e->saved, e->saved_len);
	e->saved_len = 0;
}

void editor_commit(struct editor *e)
{
	unsigned count = chat_store_count(e->hist);
	struct chat_msg last;
	bool same = count && chat_store_get(e->hist, count - 1, &last) == 0 &&
		    last.text_len == e->len && !memcmp(last.text, e->buf, e->len);
	if (e->len && !same)
		chat_store_add(e->hist, 0, "", NULL, e->buf, e->len, 0);
	editor_clear(e);
}

void editor_view(struct editor *e, size_t width, bool ascii, size_t *first, size_t *cursor_col)
{
	if (width < 2)
		width = 2;
	if (cell_width(e->buf, e->len, ascii) < width) {
		e->view = 0; /* everything fits: show it all */
	} else {
		if (e->view > e->cur)
			e->view = e->cur;
		/* The leftmost start that keeps the cursor (and its cell) inside the field. */
		size_t p = e->cur, w = 0;
		while (p > 0) {
			size_t q = cell_prev(e->buf, e->len, p);
			size_t cw = cell_width(e->buf + q, p - q, ascii);
			if (w + cw > width - 1)
				break;
			w += cw;
			p = q;
		}
		if (e->view < p)
			e->view = p;
	}
	*first = e->view;
	*cursor_col = cell_width(e->buf + e->view, e->cur - e->view, ascii);
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool prefix_ci(const char *name, const char *w, size_t wl)
{
	for (size_t i = 0; i < wl; i++)
		if (!name[i] || ascii_lower(name[i]) != ascii_lower(w[i]))
			return false;
	return true;
}

/* Inserts names[idx] over [start, cursor) with its tail ("Name: " at the start of the line,
 * else "Name "); false (line unchanged) when it would not fit. */
static bool comp_put(struct editor *e, size_t start, const char *name)
{
	const char *tail = start == 0 ? ": " : " ";
	size_t nl = strlen(name), tl = strlen(tail);
	if (e->len - (e->cur - start) + nl + tl > EDITOR_MAX)
		return false;
	splice(e, start, e->cur, NULL, 0);
	e->cur = start;
	editor_insert(e, name, nl);
	editor_insert(e, tail, tl);
	return true;
}

int editor_complete(struct editor *e, const char *const *names, size_t count,
		    size_t *matches, size_t *shown)
{
	bool again = e->comp_on && e->cur == e->comp_end;
	size_t start = e->cur;
	if (!again) {
		comp_end(e);
		while (start > 0 && e->buf[start - 1] != ' ')
			start--;
		if (e->cur - start >= COMP_WORD_MAX)
			return 0;
		e->comp_word_len = e->cur - start;
		memcpy(e->comp_word, e->buf + start, e->comp_word_len);
	} else {
		start = e->comp_start;
	}
	const char *w = e->comp_word;
	size_t wl = e->comp_word_len, n = 0, first = SIZE_MAX, next = SIZE_MAX;
	for (size_t i = 0; i < count; i++) {
		if (!names[i] || !*names[i] || !prefix_ci(names[i], w, wl))
			continue;
		if (matches)
			matches[n] = i;
		n++;
		if (first == SIZE_MAX)
			first = i;
		if (again && i > e->comp_shown && next == SIZE_MAX)
			next = i; /* the one after the match shown; past the last: the first */
	}
	if (!n) {
		comp_end(e);
		return 0;
	}
	size_t pick = next != SIZE_MAX ? next : first;
	char word[COMP_WORD_MAX];
	memcpy(word, w, wl); /* comp_put ends the cycle: keep the word across it */
	if (!comp_put(e, start, names[pick])) {
		sodium_memzero(word, sizeof(word));
		return (int)n;
	}
	memcpy(e->comp_word, word, wl);
	sodium_memzero(word, sizeof(word));
	e->comp_word_len = wl;
	e->comp_on = n > 1; /* one match: done */
	e->comp_start = start;
	e->comp_end = e->cur;
	e->comp_shown = pick;
	if (shown)
		*shown = pick;
	return (int)n;
}

bool editor_completing(const struct editor *e)
{
	return e->comp_on;
}
