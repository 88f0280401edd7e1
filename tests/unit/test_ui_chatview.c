/* Unit tests for ui/chatview.c: a name's colour is stable and spread over the palette,
 * mentions are whole words, /lastlog's search ignores case, and two people of the same name
 * get suffixes from their ids that differ. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ui/chatview.h"

static void test_colour(void **state)
{
	(void)state;
	static const char *const names[] = { "alice", "bob", "carol", "dave", "erin", "frank",
		"grace", "heidi", "ivan", "judy", "mallory", "oscar" };
	unsigned used = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unsigned c = chatview_colour(names[i]);
		assert_true(c < CHATVIEW_PALETTE);
		assert_int_equal(c, chatview_colour(names[i])); /* stable */
		used |= 1u << c;
	}
	assert_int_equal(chatview_colour("Alice"), chatview_colour("alice"));
	assert_true(__builtin_popcount(used) >= 4); /* twelve names use most of the palette */
}

static void test_mentions(void **state)
{
	(void)state;
#define M(text, name) chatview_mentions(text, strlen(text), name)
	assert_true(M("hi alice!", "alice"));
	assert_true(M("Alice: are you there", "alice"));
	assert_true(M("@ALICE", "alice"));
	assert_true(M("ask alice", "alice"));
	assert_false(M("malice aforethought", "alice"));
	assert_false(M("alicea", "alice"));
	assert_false(M("hi", ""));
	assert_false(M("al", "alice"));
	assert_true(M("thanks Zoë «b», see you", "Zoë «b»"));
	assert_false(M("Zoëx", "Zoë"));
#undef M
}

static void test_contains(void **state)
{
	(void)state;
	const char *t = "The PIN is on the board";
	assert_true(chatview_contains(t, strlen(t), "pin", 3));
	assert_true(chatview_contains(t, strlen(t), "board", 5));
	assert_false(chatview_contains(t, strlen(t), "boards", 6));
	assert_true(chatview_contains(t, strlen(t), "", 0));
	assert_false(chatview_contains("pi", 2, "pin", 3));
}

static void test_suffix(void **state)
{
	(void)state;
	char a[CHATVIEW_SUFFIX_MAX], b[CHATVIEW_SUFFIX_MAX];
	uint64_t ida = 0x1234567893f2ull, idb = 0x99999999a9a1ull;
	chatview_suffix(ida, &idb, 1, a);
	chatview_suffix(idb, &ida, 1, b);
	assert_string_equal(a, "#3f2");
	assert_string_equal(b, "#9a1");
	/* the same last three digits: the whole id tells them apart */
	uint64_t idc = 0x5555000000003f2ull;
	chatview_suffix(ida, &idc, 1, a);
	chatview_suffix(idc, &ida, 1, b);
	assert_string_equal(a, "#00001234567893f2");
	assert_string_equal(b, "#05555000000003f2");
	assert_string_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colour),
		cmocka_unit_test(test_mentions),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_suffix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
