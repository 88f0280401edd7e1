/* Unit tests for the chat identity evidence (src/chatid.c): the claim of a username, written
 * invisibly after a display name and read back; malformed or doubled claims are none; the
 * sanitizer shows a claiming display as the plain name. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "src/chatid.h"
#include "src/text.h"

static void test_claim(void **state)
{
	char a[CHATID_HEX + 1], b[CHATID_HEX + 1], c[CHATID_HEX + 1];
	(void)state;
	chatid_claim("ttm-000000000000004d-bob", a);
	chatid_claim("ttm-000000000000004d-bob", b);
	chatid_claim("ttm-000000000000004d-bob\xe2\x80\x8b", c); /* looks the same, is not */
	assert_int_equal(strlen(a), CHATID_HEX);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	for (const char *p = a; *p; p++)
		assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
}

static void test_display_round_trip(void **state)
{
	char claim[CHATID_HEX + 1], got[CHATID_HEX + 1], d[512], shown[128];
	(void)state;
	chatid_claim("ttm-0000000000000010-Ana Müller", claim);
	assert_int_equal(chatid_display("Ana Müller", claim, d, sizeof(d)), 0);
	assert_int_equal(strlen(d), strlen("Ana Müller") + (5 + CHATID_HEX + 1) * 4);
	assert_true(chatid_parse(d, strlen(d), got));
	assert_string_equal(got, claim);
	/* Everyone else sees the name alone. */
	text_sanitize(d, strlen(d), shown, sizeof(shown), false);
	assert_string_equal(shown, "Ana Müller");
	/* Too small a buffer. */
	assert_int_equal(chatid_display("Ana", claim, d, 40), -ENOSPC);
}

/* name followed by ascii in tag characters and CANCEL TAG, into out (512 bytes). */
static const char *tagged(const char *name, const char *ascii, char *out)
{
	size_t n = strlen(name);
	memcpy(out, name, n);
	for (const char *p = ascii; *p; p++)
		n += text_utf8_encode(0xE0000u + (unsigned char)*p, out + n);
	n += text_utf8_encode(0xE007Fu, out + n);
	out[n] = '\0';
	return out;
}

static void test_parse_rejects(void **state)
{
	char claim[CHATID_HEX + 1], got[CHATID_HEX + 1], d[512], two[1024];
	(void)state;
	assert_false(chatid_parse("bob", 3, got));
	assert_string_equal(got, "");
	chatid_claim("x", claim);
	chatid_display("bob", claim, d, sizeof(d));
	size_t n = strlen(d);
	/* no CANCEL TAG at the end */
	assert_false(chatid_parse(d, n - 4, got));
	/* two claims: which one? none */
	snprintf(two, sizeof(two), "%s%s", d, d + 3);
	assert_false(chatid_parse(two, strlen(two), got));
	/* a claim cut short, or with an upper-case digit */
	char cut[512];
	memcpy(cut, d, 3 + 4 * 10);
	memcpy(cut + 3 + 40, d + n - 4, 5);
	assert_false(chatid_parse(cut, strlen(cut), got));
	/* an upper-case hex digit, or one character too many */
	tagged("bob", "ttm1:0123456789ABCDEF0123456789abcdef", d);
	assert_false(chatid_parse(d, strlen(d), got));
	tagged("bob", "ttm1:0123456789abcdef0123456789abcdef0", d);
	assert_false(chatid_parse(d, strlen(d), got));
	tagged("bob", "ttm1:0123456789abcdef0123456789abcdef", d);
	assert_true(chatid_parse(d, strlen(d), got));
	assert_string_equal(got, "0123456789abcdef0123456789abcdef");
	chatid_display("bob", claim, d, sizeof(d));
	/* a different prefix */
	char other[512];
	memcpy(other, d, n + 1);
	other[3 + 3] = (char)0xB5; /* 't' (U+E0074) -> 'u' (U+E0075) */
	assert_false(chatid_parse(other, n, got));
	/* invalid UTF-8 around it changes nothing */
	snprintf(two, sizeof(two), "\xff%s\xc0", d);
	assert_true(chatid_parse(two, strlen(two), got));
	assert_string_equal(got, claim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim),
		cmocka_unit_test(test_display_round_trip),
		cmocka_unit_test(test_parse_rejects),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
