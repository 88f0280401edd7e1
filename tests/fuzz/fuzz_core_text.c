/* Fuzz target: text_sanitize (src/text.c), the last gate before a screen or a log for every
 * string a remote party sends (names, chat, server reasons). Whatever the bytes, in both modes
 * and at every output size: the result is NUL-terminated inside the buffer, its length is the
 * returned one, it is valid UTF-8 without C0/C1 controls, DEL or ESC (only '\n' when asked),
 * text_is_clean agrees (below its 512-byte limit), and sanitizing it again changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/text.h"

static void check(const char *in, size_t len, size_t outlen, bool nl)
{
	char *out = malloc(outlen + 1);
	if (!out)
		return;
	out[outlen] = 'X'; /* canary just past the buffer the function was given */
	size_t n = text_sanitize(in, len, out, outlen, nl);
	if (out[outlen] != 'X')
		abort();
	if (outlen == 0) {
		if (n != 0)
			abort();
		free(out);
		return;
	}
	if (n >= outlen || out[n] != '\0' || strlen(out) != n)
		abort();
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = text_utf8_decode(out + i, n - i, &cp);
		if (cp == 0xFFFD && k == 1)
			abort(); /* an invalid byte survived (a real U+FFFD decodes as 3 bytes) */
		if ((cp < 0x20 && !(nl && cp == '\n')) || (cp >= 0x7f && cp < 0xa0))
			abort();
		i += k;
	}
	/* text_is_clean answers false for anything of 512 bytes or more (its own buffer) */
	if (n < 511 && !text_is_clean(out) && !(nl && strchr(out, '\n')))
		abort();
	/* idempotent: clean text passes unchanged */
	char *again = malloc(outlen);
	if (again) {
		size_t m = text_sanitize(out, n, again, outlen, nl);
		if (m != n || memcmp(again, out, n))
			abort();
		free(again);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	check(in, size, 0, false);
	check(in, size, 1, false);
	check(in, size, 7, true); /* truncation inside multi-byte characters */
	check(in, size, 128, false);
	check(in, size, size * 3 + 4, true); /* room for every U+FFFD */
	check(in, size, size * 3 + 4, false);
	return 0;
}
