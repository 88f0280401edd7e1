/* Unit tests for the untrusted-text sanitizer (src/text.c): escape sequences in 7- and 8-bit
 * forms, OSC 52 clipboard writes, BEL/DEL, bidi overrides, invisible characters (zero-width,
 * tags, fillers), the spacing of names, invalid and overlong UTF-8, truncation at character
 * boundaries, and a 1 MB hostile message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/text.h"

static const char *clean(const char *in, bool nl)
{
	static char out[1024];
	text_sanitize(in, strlen(in), out, sizeof(out), nl);
	return out;
}

/* No byte below 0x20 (except \n when kept), no DEL, no ESC, no C1 in the output. */
static void assert_terminal_safe(const char *s, bool nl)
{
	const unsigned char *p = (const unsigned char *)s;
	for (; *p; p++) {
		assert_false(*p < 0x20 && !(nl && *p == '\n'));
		assert_false(*p == 0x7F);
		if (*p == 0xC2)
			assert_false(p[1] >= 0x80 && p[1] <= 0x9F);
	}
}

static void test_plain_and_unicode(void **state)
{
	assert_string_equal(clean("hello", false), "hello");
	assert_string_equal(clean("Grüße, 世界 🎉", false), "Grüße, 世界 🎉");
	assert_string_equal(clean("a\tb", false), "a b");
	assert_string_equal(clean("line1\nline2", true), "line1\nline2");
	assert_string_equal(clean("line1\nline2", false), "line1line2");
	assert_string_equal(clean("a\r\nb", true), "a\nb");
}

static void test_escape_sequences(void **state)
{
	assert_string_equal(clean("\x1b[31mred\x1b[0m", false), "red");
	assert_string_equal(clean("\x1b[2J\x1b[H\x1b[?1049hx", false), "x");
	/* OSC 52: write to the clipboard, terminated by BEL or by ST. */
	assert_string_equal(clean("a\x1b]52;c;ZXZpbA==\x07" "b", false), "ab");
	assert_string_equal(clean("a\x1b]52;c;ZXZpbA==\x1b\\b", false), "ab");
	/* OSC 8 hyperlink, DCS, APC, PM, SOS. */
	assert_string_equal(clean("\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", false), "click");
	assert_string_equal(clean("\x1bPq#0;2;0;0;0\x1b\\ok", false), "ok");
	assert_string_equal(clean("\x1b_apc\x1b\\ok", false), "ok");
	/* 8-bit C1 forms in UTF-8: CSI (U+009B) and OSC (U+009D) ... ST (U+009C). */
	assert_string_equal(clean("x\xc2\x9b" "31my", false), "xy");
	assert_string_equal(clean("x\xc2\x9d" "0;title\xc2\x9cy", false), "xy");
	/* Two-byte ESC sequences (ESC c = full reset, ESC 7 = save cursor). */
	assert_string_equal(clean("a\x1b" "cb\x1b" "7c", false), "abc");
	/* A lone ESC at the end, BEL, DEL, backspace tricks. */
	assert_string_equal(clean("end\x1b", false), "end");
	assert_string_equal(clean("ding\x07\x7f\x08!", false), "ding!");
	/* An unterminated OSC swallows the rest rather than leaking it. */
	assert_string_equal(clean("ok\x1b]0;never ends", false), "ok");
}

static void test_bidi_and_invalid_utf8(void **state)
{
	assert_string_equal(clean("abc\xe2\x80\xae" "fdp.exe", false), "abcfdp.exe");
	assert_string_equal(clean("x\xe2\x81\xa6y", false), "xy");
	/* Invalid bytes become U+FFFD. */
	assert_string_equal(clean("a\xff" "b", false), "a\xef\xbf\xbd" "b");
	/* Overlong encodings of '/' and of ESC are invalid, not decoded. */
	const char *o = clean("\xc0\xaf\xc1\x9b", false);
	assert_string_equal(o, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(clean("\xe0\x80\x9b", false),
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* UTF-16 surrogates and code points past U+10FFFF. */
	assert_string_equal(clean("\xed\xa0\x80", false), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(clean("\xf4\x90\x80\x80", false),
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* Truncated sequence at the end. */
	assert_string_equal(clean("ab\xe4\xb8", false), "ab\xef\xbf\xbd\xef\xbf\xbd");
}

/* JavaScript's string order (lib-jitsi-meet's myId > peersId): UTF-16 code units. */
static void test_utf16_cmp(void **state)
{
	(void)state;
	assert_int_equal(text_utf16_cmp("", ""), 0);
	assert_int_equal(text_utf16_cmp("d00d", "d00d"), 0);
	assert_true(text_utf16_cmp("d00d", "zoe") < 0);
	assert_true(text_utf16_cmp("zoe", "d00d") > 0);
	assert_true(text_utf16_cmp("ab", "a") > 0);
	assert_true(text_utf16_cmp("a", "ab") < 0);
	assert_true(text_utf16_cmp("B", "a") < 0);
	/* U+00E9 vs U+0100 vs U+4E2D: BMP code points as units */
	assert_true(text_utf16_cmp("\xc3\xa9", "\xc4\x80") < 0);
	assert_true(text_utf16_cmp("\xe4\xb8\xad", "\xc4\x80") > 0);
	/* astral (a surrogate pair, 0xD83D 0xDE00) against the BMP above the surrogates: in
	 * UTF-16 U+1F600 sorts before U+E000 and U+FFFF (code point order, and strcmp on UTF-8,
	 * say the opposite) */
	assert_true(text_utf16_cmp("\xf0\x9f\x98\x80", "\xee\x80\x80") < 0);
	assert_true(text_utf16_cmp("\xee\x80\x80", "\xf0\x9f\x98\x80") > 0);
	assert_true(text_utf16_cmp("\xef\xbf\xbf", "\xf0\x90\x80\x80") > 0); /* U+FFFF, U+10000 */
	assert_true(text_utf16_cmp("x\xf0\x9f\x98\x80", "x\xef\xbc\xa1") < 0); /* after a prefix */
	/* and against the BMP below them: after U+D7FF */
	assert_true(text_utf16_cmp("\xed\x9f\xbf", "\xf0\x90\x80\x80") < 0);
	/* two pairs: the high surrogate first (U+103FF = D800 DFFF < U+10400 = D801 DC00), then the
	 * low one (U+1F600 < U+1F601) */
	assert_true(text_utf16_cmp("\xf0\x90\x8f\xbf", "\xf0\x90\x90\x80") < 0);
	assert_true(text_utf16_cmp("\xf0\x9f\x98\x81", "\xf0\x9f\x98\x80") > 0);
	assert_int_equal(text_utf16_cmp("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"), 0);
	/* an invalid byte is U+FFFD */
	assert_int_equal(text_utf16_cmp("a\xff", "a\xef\xbf\xbd"), 0);
	assert_true(text_utf16_cmp("\xff", "\xf0\x9f\x98\x80") > 0);
}

static void test_truncation(void **state)
{
	char out[8];
	/* 3 x "€" (3 bytes each) into 8 bytes: two fit, the third would split. */
	size_t n = text_sanitize("€€€", strlen("€€€"), out, sizeof(out), false);
	assert_int_equal(n, 6);
	assert_string_equal(out, "€€");
	assert_int_equal(text_sanitize("abc", 3, out, 1, false), 0);
	assert_string_equal(out, "");
}

static void test_huge_hostile(void **state)
{
	size_t len = 1 << 20;
	char *in = malloc(len);
	uint32_t x = 12345;
	static const char *frags[] = { "\x1b[31m", "\x1b]52;c;AAAA\x07", "\xc2\x9b", "\xff",
				       "\x07", "ok ", "\xe2\x80\xae", "\xc0\x80", "\x1b" };
	size_t o = 0;
	while (o < len) {
		x = x * 1103515245u + 12345u;
		const char *f = frags[(x >> 16) % 9];
		size_t fl = strlen(f);
		if (o + fl > len)
			break;
		memcpy(in + o, f, fl);
		o += fl;
	}
	char *out = malloc(4096);
	text_sanitize(in, o, out, 4096, true);
	assert_terminal_safe(out, true);
	assert_true(text_is_clean(out) || strlen(out) >= 511);
	/* Random bytes too. */
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		in[i] = (char)(x >> 16);
	}
	text_sanitize(in, len, out, 4096, false);
	assert_terminal_safe(out, false);
	free(in);
	free(out);
}

/* Invisible characters are dropped everywhere; names also lose joiners and odd spaces. */
static void test_invisible(void **state)
{
	/* ZWSP, ZWNJ, ZWJ, word joiner, BOM between the letters of "bob". */
	const char *hidden = "b\xe2\x80\x8bo\xe2\x80\x8c\xe2\x80\x8d" "b\xe2\x81\xa0\xef\xbb\xbf";
	assert_string_equal(clean(hidden, false), "bob");
	/* Chat keeps ZWNJ/ZWJ (emoji sequences, scripts) but not the others. */
	assert_string_equal(clean(hidden, true), "bo\xe2\x80\x8c\xe2\x80\x8d" "b");
	/* Tag characters (U+E0000-U+E007F): "hi" with "secret" hidden after it. */
	assert_string_equal(clean("hi\xf3\xa0\x81\xb3\xf3\xa0\x81\xa5\xf3\xa0\x81\xbf", true), "hi");
	assert_string_equal(clean("\xf3\xa0\x80\x81" "x\xf3\xa0\x81\xbf", false), "x");
	/* Soft hyphen, Hangul filler (a "blank" name), bidi isolates and overrides. */
	assert_string_equal(clean("a\xc2\xad" "b\xe3\x85\xa4", false), "ab");
	assert_string_equal(clean("\xe2\x81\xa7" "evil\xe2\x81\xa9\xe2\x80\xab" "x", false), "evilx");
	/* Made only of invisible characters: empty, the caller picks a placeholder. */
	assert_string_equal(clean("\xe2\x80\x8b\xe3\x85\xa4\xef\xbb\xbf", false), "");
	/* Line separators: a line break in chat, a space in a name. */
	assert_string_equal(clean("a\xe2\x80\xa8" "b", true), "a\nb");
	assert_string_equal(clean("a\xe2\x80\xa9" "b", false), "a b");
}

static void test_name_spaces(void **state)
{
	assert_string_equal(clean("  bob  ", false), "bob");
	assert_string_equal(clean("Ana\xc2\xa0\xc2\xa0M\xc3\xbcller", false), "Ana M\xc3\xbcller");
	assert_string_equal(clean("a \t\xe3\x80\x80 b", false), "a b");
	assert_string_equal(clean("   ", false), "");
	/* Chat text keeps its spacing. */
	assert_string_equal(clean("  two  spaces ", true), "  two  spaces ");
	assert_true(text_is_clean_name("Ana M\xc3\xbcller"));
	assert_false(text_is_clean_name(""));
	assert_false(text_is_clean_name("bob "));
	assert_false(text_is_clean_name("a  b"));
	assert_false(text_is_clean_name("a\nb"));
	assert_false(text_is_clean_name("b\xe2\x80\x8d" "ob"));
}

static void test_is_clean(void **state)
{
	assert_true(text_is_clean("Ana Müller"));
	assert_false(text_is_clean("bad\x1b[1m"));
	assert_false(text_is_clean("bad\xff"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_unicode),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_bidi_and_invalid_utf8),
		cmocka_unit_test(test_utf16_cmp),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_huge_hostile),
		cmocka_unit_test(test_invisible),
		cmocka_unit_test(test_name_spaces),
		cmocka_unit_test(test_is_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
