/* Terminal cells of UTF-8 text: how many columns a string takes, where to cut it to fit, and
 * what exactly to hand to curses.
 *
 * Widths follow wcwidth() of the current LC_CTYPE (the table ncursesw uses too), with three
 * rules so that what we count is what the terminal draws: a code point wcwidth calls
 * unprintable is shown as one '?' cell; zero-width joiners, variation selectors and other
 * invisible format characters are dropped (terminals disagree on the width of the emoji
 * sequences they build); a combining mark stays with the character before it and is dropped
 * when there is none. In ASCII mode (the locale's charset is not UTF-8) each code point is
 * replaced by its transliteration ("ä" → "ae", "—" → "-", unknown → "?") and combining marks
 * are dropped. Pure functions (they read LC_CTYPE only); any thread.
 */
#ifndef TTM_UI_CELL_H
#define TTM_UI_CELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* Decodes one code point of s[0..n) (n > 0); returns the bytes used (>= 1). Invalid or
 * truncated sequences yield U+FFFD and 1 byte. */
size_t cell_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp as UTF-8 into out (4 bytes of room); returns the length. */
size_t cell_encode(uint32_t cp, char *out);
/* Cells cp takes on its own: 0 (dropped, or a combining mark), 1 or 2; in ascii mode the
 * length of its transliteration. */
int cell_cp_width(uint32_t cp, bool ascii);
/* ASCII for cp: itself if printable ASCII, else a transliteration or "?". buf holds the
 * result for ASCII input. */
const char *cell_ascii(uint32_t cp, char buf[2]);
/* Cells of s[0..n). */
size_t cell_width(const char *s, size_t n, bool ascii);
/* Bytes of the longest prefix of s[0..n) that fits in max cells without splitting a character
 * (combining marks stay with their base); *used gets its cells (may be NULL). */
size_t cell_fit(const char *s, size_t n, size_t max, bool ascii, size_t *used);
/* Converts s[0..n) into what is drawn, at most max cells: wide characters for
 * waddnwstr(), substitutions and drops applied. Returns the number of wchar_t written to out
 * (at most outmax - 1, NUL-terminated); *cells gets the cells they take (may be NULL). */
size_t cell_render(const char *s, size_t n, size_t max, bool ascii, wchar_t *out,
		   size_t outmax, size_t *cells);
/* Byte offset of the character before off (0 at the start) and after off (n at the end);
 * zero-width code points belong to the character before them. */
size_t cell_prev(const char *s, size_t n, size_t off);
size_t cell_next(const char *s, size_t n, size_t off);

#endif
