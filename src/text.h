/* Sanitizing untrusted text (names, chat, server strings) before it reaches a screen or a log.
 *
 * Output is valid UTF-8 without C0/C1 controls, DEL, escape sequences (CSI, OSC, DCS, …, also
 * their 8-bit C1 forms), bidirectional controls (embeddings, overrides, isolates, marks) or
 * invisible characters (zero-width space, word joiner, BOM, soft hyphen, Hangul fillers, tag
 * characters U+E0000–U+E007F, …); invalid bytes become U+FFFD; the result is truncated at a
 * character boundary to fit. Pure functions, any thread.
 */
#ifndef TTM_SRC_TEXT_H
#define TTM_SRC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the sanitized form of in[0..len) to out (always NUL-terminated when outlen > 0);
 * tabs become a space. multiline (chat bodies, notices) keeps '\n' (U+2028/U+2029 become
 * one). Otherwise the text is a one-line label (a name, a server's message): no line breaks,
 * no zero-width joiners (U+200C/U+200D), every kind of space a plain one, none at either end
 * and never two in a row, so that two labels that look alike are alike. A name can come out
 * empty: the caller supplies a placeholder. Returns the output length. */
size_t text_sanitize(const char *in, size_t len, char *out, size_t outlen, bool multiline);

/* Decodes one UTF-8 sequence at s (n >= 1 bytes left), strictly (no overlongs, surrogates or
 * values past U+10FFFF): returns its length, or 1 with *cp = U+FFFD for an invalid byte. */
size_t text_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp (<= U+10FFFF) into out (4 bytes of room); returns the length. */
size_t text_utf8_encode(uint32_t cp, char *out);

/* Compares two NUL-terminated UTF-8 strings as JavaScript compares strings (a < b): by UTF-16
 * code units, so a character past U+FFFF (a surrogate pair, first unit 0xD800..0xDBFF) sorts
 * before U+E000..U+FFFF, unlike in code point order. Invalid bytes count as U+FFFD each (as
 * text_utf8_decode reads them). <0, 0 or >0. */
int text_utf16_cmp(const char *a, const char *b);

/* True if s (NUL-terminated) is already clean: what text_sanitize would leave unchanged
 * (multiline), or, for text_is_clean_name, a non-empty one-line label. */
bool text_is_clean(const char *s);
bool text_is_clean_name(const char *s);

#endif
