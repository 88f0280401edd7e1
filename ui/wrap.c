/* Word wrapping (see wrap.h): one pass, each line is the longest prefix that fits, moved back
 * to the last space inside it when the next character is not a space or a line end. */
#include "ui/wrap.h"

#include "ui/cell.h"

static void store(struct wrap_line *lines, size_t max, size_t i, size_t off, size_t len,
		  bool hard)
{
	if (lines && i < max) {
		lines[i].off = off;
		lines[i].len = len;
		lines[i].hard = hard;
	}
}

size_t wrap_text(const char *s, size_t n, size_t first_width, size_t width, bool ascii,
		 struct wrap_line *lines, size_t max)
{
	size_t count = 0, pos = 0;
	bool hard = false; /* the next line stored begins a paragraph after a '\n' */
	if (first_width < 1)
		first_width = 1;
	if (width < 1)
		width = 1;
	while (n > 0 && s[n - 1] == '\n')
		n--;
	for (;;) {
		size_t end = pos;
		while (end < n && s[end] != '\n')
			end++;
		size_t avail = count ? width : first_width;
		size_t fit = cell_fit(s + pos, end - pos, avail, ascii, NULL);
		if (pos + fit == end) {
			store(lines, max, count++, pos, fit, hard);
			if (end >= n)
				return count;
			pos = end + 1;
			hard = true;
			continue;
		}
		if (fit == 0) /* one character wider than the line: it goes alone */
			fit = cell_next(s + pos, end - pos, 0);
		size_t cut = pos + fit, next = cut;
		if (s[cut] != ' ') {
			size_t sp = cut;
			while (sp > pos && s[sp - 1] != ' ')
				sp--;
			if (sp > pos) /* break after the last space; else cut the long word */
				cut = next = sp;
		}
		while (cut > pos && s[cut - 1] == ' ')
			cut--;
		while (next < end && s[next] == ' ')
			next++;
		store(lines, max, count++, pos, cut - pos, hard);
		pos = next;
		hard = false;
		if (pos >= end) { /* only spaces were left on this paragraph */
			if (end >= n)
				return count;
			pos = end + 1;
			hard = true;
		}
	}
}
