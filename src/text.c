/* Sanitizer for untrusted text; see text.h. A single forward pass: decode one UTF-8 sequence
 * (strictly: no overlongs, surrogates or values past U+10FFFF), drop or replace what may not
 * reach a terminal or would be invisible on it, skip whole escape sequences, copy the rest if
 * it fits. A one-line label also has its spaces trimmed and runs of them collapsed. */
#include "src/text.h"

#include <stdint.h>
#include <string.h>

#define REPLACEMENT 0xFFFDu

size_t text_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		goto bad;
	}
	if (len > n)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*cp = v;
	return len;
bad:
	*cp = REPLACEMENT;
	return 1;
}

size_t text_utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The first UTF-16 code unit of cp: itself, or the high surrogate of a pair. */
static uint32_t first_unit(uint32_t cp)
{
	return cp > 0xFFFF ? 0xD800 + ((cp - 0x10000) >> 10) : cp;
}

int text_utf16_cmp(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i = 0, j = 0;
	while (i < na && j < nb) {
		uint32_t x, y;
		i += text_utf8_decode(a + i, na - i, &x);
		j += text_utf8_decode(b + j, nb - j, &y);
		if (first_unit(x) != first_unit(y))
			return first_unit(x) < first_unit(y) ? -1 : 1;
		/* the same first unit: both BMP and equal, or two pairs whose low surrogates (the
		 * low 10 bits) order as the code points do */
		if (x != y)
			return x < y ? -1 : 1;
	}
	return (i < na) - (j < nb);
}

/* Bidi embeddings/overrides/isolates can reorder what follows on screen. */
static bool is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
	       cp == 0x200F || cp == 0x061C;
}

/* Characters that draw nothing but can hide or smuggle text, or make two names that look the
 * same differ: zero-width space and word joiner, invisible operators, the byte order mark,
 * the soft hyphen, the combining grapheme joiner, the Mongolian vowel separator, the Hangul
 * fillers (a "blank" name), interlinear annotation marks and the tag characters (invisible
 * copies of ASCII). ZWNJ/ZWJ (U+200C/U+200D) are not here: chat keeps them (emoji sequences,
 * Indic and Persian script), names drop them (see is_name_joiner). */
static bool is_invisible(uint32_t cp)
{
	return cp == 0x200B || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF || cp == 0x00AD ||
	       cp == 0x034F || cp == 0x180E || cp == 0x115F || cp == 0x1160 || cp == 0x3164 ||
	       cp == 0xFFA0 || (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE007F);
}

static bool is_name_joiner(uint32_t cp)
{
	return cp == 0x200C || cp == 0x200D;
}

/* Spaces other than U+0020 (no-break, en/em/thin/…, ideographic): one plain space in a name. */
static bool is_other_space(uint32_t cp)
{
	return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
	       cp == 0x205F || cp == 0x3000;
}

enum esc_kind { ESC_NONE, ESC_CSI, ESC_STRING };

/* Given the code point after ESC (or a C1 introducer), says what sequence follows. */
static enum esc_kind c1_kind(uint32_t c1)
{
	switch (c1) {
	case 0x9B: /* CSI */
		return ESC_CSI;
	case 0x90: /* DCS */
	case 0x9D: /* OSC */
	case 0x98: /* SOS */
	case 0x9E: /* PM */
	case 0x9F: /* APC */
		return ESC_STRING;
	default:
		return ESC_NONE;
	}
}

/* Skips the body of a CSI (parameters, intermediates, one final byte) or a control string
 * (up to BEL, ST = ESC \ or 0x9C). Returns the bytes consumed. */
static size_t skip_sequence(const unsigned char *s, size_t n, enum esc_kind kind)
{
	size_t i = 0;
	if (kind == ESC_CSI) {
		while (i < n && s[i] >= 0x20 && s[i] <= 0x3F)
			i++;
		if (i < n && s[i] >= 0x40 && s[i] <= 0x7E)
			i++;
		return i;
	}
	while (i < n) {
		if (s[i] == 0x07)
			return i + 1;
		if (s[i] == 0x1B)
			return i + (i + 1 < n && s[i + 1] == '\\' ? 2 : 1);
		if (s[i] == 0xC2 && i + 1 < n && s[i + 1] == 0x9C)
			return i + 2;
		i++;
	}
	return i;
}

size_t text_sanitize(const char *in, size_t len, char *out, size_t outlen, bool multiline)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0;
	bool space = false; /* one line: a space is owed before the next visible character */

	if (outlen == 0)
		return 0;
	while (i < len) {
		uint32_t cp;
		size_t l = text_utf8_decode(in + i, len - i, &cp);
		i += l;
		if (cp == 0x1B) { /* ESC: 7-bit introducer of CSI/OSC/…, or a two-byte sequence */
			if (i >= len)
				continue;
			unsigned char nx = s[i];
			enum esc_kind k = ESC_NONE;
			if (nx == '[')
				k = ESC_CSI;
			else if (nx == ']' || nx == 'P' || nx == 'X' || nx == '^' || nx == '_')
				k = ESC_STRING;
			if (nx >= 0x20 && nx <= 0x7E)
				i++; /* consume the introducer or the final byte of ESC x */
			if (k != ESC_NONE)
				i += skip_sequence(s + i, len - i, k);
			continue;
		}
		if (cp >= 0x80 && cp <= 0x9F) {
			enum esc_kind k = c1_kind(cp);
			if (k != ESC_NONE)
				i += skip_sequence(s + i, len - i, k);
			continue;
		}
		if (cp == '\t')
			cp = ' ';
		if (cp == 0x2028 || cp == 0x2029) /* line and paragraph separators */
			cp = multiline ? '\n' : ' ';
		if ((cp < 0x20 && !(cp == '\n' && multiline)) || cp == 0x7F || is_bidi_control(cp) ||
		    is_invisible(cp))
			continue;
		if (!multiline) { /* a label: no joiners, one plain space between words */
			if (is_name_joiner(cp))
				continue;
			if (cp == ' ' || is_other_space(cp)) {
				space = o > 0;
				continue;
			}
		}
		char enc[5];
		size_t el = 0;
		if (space)
			enc[el++] = ' ';
		el += text_utf8_encode(cp, enc + el);
		if (o + el + 1 > outlen)
			break;
		memcpy(out + o, enc, el);
		o += el;
		space = false;
	}
	out[o] = '\0';
	return o;
}

static bool is_clean(const char *s, bool multiline)
{
	size_t n = strlen(s);
	char buf[512];
	if (n >= sizeof(buf))
		return false;
	size_t m = text_sanitize(s, n, buf, sizeof(buf), multiline);
	return m == n && !memcmp(buf, s, n);
}

bool text_is_clean(const char *s)
{
	return is_clean(s, true);
}

bool text_is_clean_name(const char *s)
{
	return *s && is_clean(s, false);
}
