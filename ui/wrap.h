/* Word wrapping of UTF-8 text into terminal lines (cells, not bytes; see ui/cell.h).
 * Pure; any thread.
 */
#ifndef TTM_UI_WRAP_H
#define TTM_UI_WRAP_H

#include <stdbool.h>
#include <stddef.h>

struct wrap_line {
	size_t off, len; /* bytes of the source text */
	bool hard;       /* begins after a '\n' of the text (not the first line, not a soft wrap) */
};

/* Splits s[0..n) into lines of at most first_width cells (the first line) and width cells
 * (the others): at every '\n', after a space where possible, inside a word longer than a
 * line otherwise (never inside a character). Spaces at a soft break are dropped; trailing
 * newlines are ignored; a character wider than the line gets a line of its own. Returns the
 * number of lines (>= 1) and stores the first max of them in lines (NULL: count only). */
size_t wrap_text(const char *s, size_t n, size_t first_width, size_t width, bool ascii,
		 struct wrap_line *lines, size_t max);

#endif
