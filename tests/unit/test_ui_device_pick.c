/* Unit tests for the /device choice (ui/device_pick.c): exact names before substrings, each
 * side only among devices with channels on that side, "default", case, no match. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ui/device_pick.h"

static const struct audio_device_info devs[] = {
	{ .index = 0, .name = "HDA Intel PCH: ALC257 Analog (hw:0,0)", .max_in = 2, .max_out = 2,
	  .is_default_in = false, .is_default_out = false },
	{ .index = 1, .name = "HDA Intel PCH: HDMI 0 (hw:0,3)", .max_in = 0, .max_out = 8 },
	{ .index = 2, .name = "USB Headset: Audio (hw:1,0)", .max_in = 1, .max_out = 2 },
	{ .index = 3, .name = "USB Mic", .max_in = 1, .max_out = 0 },
	{ .index = 4, .name = "pulse", .max_in = 32, .max_out = 32 },
	{ .index = 5, .name = "default", .max_in = 32, .max_out = 32, .is_default_in = true,
	  .is_default_out = true },
};

static struct device_pick pick(const char *want)
{
	struct device_pick p;
	device_pick_init(&p, want);
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		device_pick_add(&devs[i], &p);
	assert_int_equal(p.devices, sizeof(devs) / sizeof(devs[0]));
	return p;
}

static void test_both_sides(void **state)
{
	(void)state;
	struct device_pick p = pick("usb headset");
	assert_string_equal(p.in.name, "USB Headset: Audio (hw:1,0)");
	assert_string_equal(p.out.name, "USB Headset: Audio (hw:1,0)");
	assert_false(p.in.exact);
}

static void test_one_side_only(void **state)
{
	(void)state;
	struct device_pick p = pick("HDMI");
	assert_string_equal(p.in.name, ""); /* HDMI has no input */
	assert_string_equal(p.out.name, "HDA Intel PCH: HDMI 0 (hw:0,3)");
	p = pick("USB");
	/* the first containing "USB" on each side: the headset for both (it comes first) */
	assert_string_equal(p.in.name, "USB Headset: Audio (hw:1,0)");
	assert_string_equal(p.out.name, "USB Headset: Audio (hw:1,0)");
	p = pick("mic");
	assert_string_equal(p.in.name, "USB Mic");
	assert_string_equal(p.out.name, "");
}

static void test_exact_beats_substring(void **state)
{
	(void)state;
	/* case is ignored; an exact name wins over an earlier device containing the text */
	struct device_pick p = pick("USB MIC");
	assert_string_equal(p.in.name, "USB Mic");
	assert_true(p.in.exact);
	p = pick("a");
	assert_string_equal(p.in.name, "HDA Intel PCH: ALC257 Analog (hw:0,0)");
	p = pick("PULSE");
	assert_string_equal(p.in.name, "pulse");
	assert_true(p.in.exact && p.out.exact);
	p = pick("Default");
	assert_string_equal(p.in.name, "default");
}

static void test_default_and_none(void **state)
{
	(void)state;
	struct device_pick p = pick("Default");
	assert_string_equal(p.in.name, "default");
	assert_string_equal(p.out.name, "default");
	p = pick("nonexistent");
	assert_string_equal(p.in.name, "");
	assert_string_equal(p.out.name, "");
	p = pick("");
	assert_string_equal(p.in.name, "");
	/* no devices at all */
	struct device_pick q;
	device_pick_init(&q, "anything");
	assert_int_equal(q.devices, 0);
	assert_string_equal(q.in.name, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_sides),
		cmocka_unit_test(test_one_side_only),
		cmocka_unit_test(test_exact_beats_substring),
		cmocka_unit_test(test_default_and_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
