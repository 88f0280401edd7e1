/* Terminal cells of UTF-8 text (see cell.h). One walk over the code points serves widths,
 * cutting and rendering: each code point is classified as dropped, combining (zero cells,
 * glued to the previous character), or shown with 1 or 2 cells. */
#include "ui/cell.h"

#include "src/text.h"

#include <string.h>


size_t cell_decode(const char *str, size_t n, uint32_t *cp)
{
	return text_utf8_decode(str, n, cp);
}

size_t cell_encode(uint32_t cp, char *out)
{
	return text_utf8_encode(cp, out);
}

/* Invisible format characters whose effect on width terminals do not agree on. */
static bool is_dropped(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xAD ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x206F) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	       cp == 0xFEFF || (cp >= 0xE0000 && cp <= 0xE0FFF);
}

/* The main combining-mark blocks (for ASCII mode, where wcwidth knows no characters). */
static bool is_combining_block(uint32_t cp)
{
	return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
	       (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
	       (cp >= 0xFE20 && cp <= 0xFE2F);
}

enum kind { K_DROP, K_COMBINING, K_SHOWN, K_UNPRINTABLE };

static enum kind classify(uint32_t cp, bool ascii, int *width)
{
	*width = 0;
	if (is_dropped(cp))
		return K_DROP;
	if (cp < 0x7F) {
		*width = 1;
		return K_SHOWN;
	}
	if (ascii && is_combining_block(cp))
		return K_DROP;
	int w = wcwidth((wchar_t)cp);
	if (w == 0)
		return ascii ? K_DROP : K_COMBINING;
	if (ascii) {
		char buf[2];
		*width = (int)strlen(cell_ascii(cp, buf));
		return K_SHOWN;
	}
	if (w < 0) {
		*width = 1;
		return K_UNPRINTABLE;
	}
	*width = w > 2 ? 2 : w;
	return K_SHOWN;
}

int cell_cp_width(uint32_t cp, bool ascii)
{
	int w;
	classify(cp, ascii, &w);
	return w;
}

struct translit {
	uint32_t cp;
	const char *ascii;
};

/* Sorted by code point: the letters of the four UI languages and the punctuation the
 * catalogs use, plus common Latin-1 letters found in names. */
static const struct translit translits[] = {
	{ 0xA0, " " }, { 0xAB, "\"" }, { 0xB4, "'" }, { 0xB7, "." }, { 0xBB, "\"" },
	{ 0xC0, "A" }, { 0xC1, "A" }, { 0xC2, "A" }, { 0xC3, "A" }, { 0xC4, "Ae" }, { 0xC5, "A" },
	{ 0xC6, "AE" }, { 0xC7, "C" }, { 0xC8, "E" }, { 0xC9, "E" }, { 0xCA, "E" }, { 0xCB, "E" },
	{ 0xCC, "I" }, { 0xCD, "I" }, { 0xCE, "I" }, { 0xCF, "I" }, { 0xD1, "N" }, { 0xD2, "O" },
	{ 0xD3, "O" }, { 0xD4, "O" }, { 0xD5, "O" }, { 0xD6, "Oe" }, { 0xD7, "x" }, { 0xD8, "O" },
	{ 0xD9, "U" }, { 0xDA, "U" }, { 0xDB, "U" }, { 0xDC, "Ue" }, { 0xDD, "Y" }, { 0xDF, "ss" },
	{ 0xE0, "a" }, { 0xE1, "a" }, { 0xE2, "a" }, { 0xE3, "a" }, { 0xE4, "ae" }, { 0xE5, "a" },
	{ 0xE6, "ae" }, { 0xE7, "c" }, { 0xE8, "e" }, { 0xE9, "e" }, { 0xEA, "e" }, { 0xEB, "e" },
	{ 0xEC, "i" }, { 0xED, "i" }, { 0xEE, "i" }, { 0xEF, "i" }, { 0xF1, "n" }, { 0xF2, "o" },
	{ 0xF3, "o" }, { 0xF4, "o" }, { 0xF5, "o" }, { 0xF6, "oe" }, { 0xF7, "/" }, { 0xF8, "o" },
	{ 0xF9, "u" }, { 0xFA, "u" }, { 0xFB, "u" }, { 0xFC, "ue" }, { 0xFD, "y" }, { 0xFF, "y" },
	{ 0x102, "A" }, { 0x103, "a" }, { 0x15E, "S" }, { 0x15F, "s" }, { 0x162, "T" },
	{ 0x163, "t" }, { 0x218, "S" }, { 0x219, "s" }, { 0x21A, "T" }, { 0x21B, "t" },
	{ 0x2010, "-" }, { 0x2011, "-" }, { 0x2012, "-" }, { 0x2013, "-" }, { 0x2014, "-" },
	{ 0x2018, "'" }, { 0x2019, "'" }, { 0x201A, "'" }, { 0x201C, "\"" }, { 0x201D, "\"" },
	{ 0x201E, "\"" }, { 0x2022, "*" }, { 0x2026, "..." }, { 0x2039, "<" }, { 0x203A, ">" },
	{ 0x2190, "<" }, { 0x2191, "^" }, { 0x2192, ">" }, { 0x2193, "v" }, { 0x2500, "-" },
	{ 0x2502, "|" }, { 0x25CF, "*" },
};

const char *cell_ascii(uint32_t cp, char buf[2])
{
	if (cp >= 0x20 && cp < 0x7F) {
		buf[0] = (char)cp;
		buf[1] = '\0';
		return buf;
	}
	size_t lo = 0, hi = sizeof(translits) / sizeof(translits[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (translits[mid].cp == cp)
			return translits[mid].ascii;
		if (translits[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "?";
}

/* The walk shared by cell_fit and cell_render: stops before the first character that would
 * exceed max cells. Writes the drawn form to out when given. */
static size_t walk(const char *s, size_t n, size_t max, bool ascii, wchar_t *out, size_t outmax,
		   size_t *nout, size_t *cells)
{
	size_t i = 0, used = 0, o = 0;
	bool have_base = false;
	while (i < n) {
		uint32_t cp;
		size_t l = cell_decode(s + i, n - i, &cp);
		int w;
		enum kind k = classify(cp, ascii, &w);
		if (k == K_COMBINING && !have_base)
			k = K_DROP;
		if (used + (size_t)w > max)
			break;
		if (out && k != K_DROP) {
			char buf[2];
			const char *a = ascii ? cell_ascii(cp, buf) : NULL;
			size_t need = a ? strlen(a) : 1;
			if (o + need + 1 > outmax)
				break;
			if (a)
				while (*a)
					out[o++] = (wchar_t)(unsigned char)*a++;
			else
				out[o++] = k == K_UNPRINTABLE ? L'?' : (wchar_t)cp;
		}
		if (k == K_SHOWN || k == K_UNPRINTABLE)
			have_base = true;
		used += (size_t)w;
		i += l;
	}
	/* Combining marks right after the cut still belong to the last character. */
	while (i < n && have_base && !ascii) {
		uint32_t cp;
		size_t l = cell_decode(s + i, n - i, &cp);
		int w;
		enum kind k = classify(cp, ascii, &w);
		if (k != K_COMBINING && k != K_DROP)
			break;
		if (out && k == K_COMBINING) {
			if (o + 2 > outmax)
				break;
			out[o++] = (wchar_t)cp;
		}
		i += l;
	}
	if (out && outmax)
		out[o] = L'\0';
	if (nout)
		*nout = o;
	if (cells)
		*cells = used;
	return i;
}

size_t cell_width(const char *s, size_t n, bool ascii)
{
	size_t used;
	walk(s, n, (size_t)-1, ascii, NULL, 0, NULL, &used);
	return used;
}

size_t cell_fit(const char *s, size_t n, size_t max, bool ascii, size_t *used)
{
	return walk(s, n, max, ascii, NULL, 0, NULL, used);
}

size_t cell_render(const char *s, size_t n, size_t max, bool ascii, wchar_t *out,
		   size_t outmax, size_t *cells)
{
	size_t o = 0;
	if (!outmax)
		return 0;
	walk(s, n, max, ascii, out, outmax, &o, cells);
	return o;
}

static bool zero_width_at(const char *s, size_t n, size_t off)
{
	uint32_t cp;
	if (off >= n)
		return false;
	cell_decode(s + off, n - off, &cp);
	return cp >= 0x80 && cell_cp_width(cp, false) == 0;
}

size_t cell_next(const char *s, size_t n, size_t off)
{
	uint32_t cp;
	if (off >= n)
		return n;
	off += cell_decode(s + off, n - off, &cp);
	while (zero_width_at(s, n, off))
		off += cell_decode(s + off, n - off, &cp);
	return off;
}

size_t cell_prev(const char *s, size_t n, size_t off)
{
	if (off > n)
		off = n;
	while (off > 0) {
		size_t p = off - 1;
		/* back to a lead byte: at most 3 continuation bytes */
		while (p > 0 && off - p < 4 && ((unsigned char)s[p] & 0xC0) == 0x80)
			p--;
		uint32_t cp;
		size_t l = cell_decode(s + p, n - p, &cp);
		if (p + l != off) /* not a whole sequence ending at off: invalid byte, step one */
			p = off - 1;
		off = p;
		if (!zero_width_at(s, n, off))
			break;
	}
	return off;
}
