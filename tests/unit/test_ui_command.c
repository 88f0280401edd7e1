/* Unit tests for slash-command parsing (ui/command.c): chat lines, "//" escaping, every
 * command, quoted and unquoted /msg names, usage errors and unknown commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ui/command.h"

static struct command parse(const char *line)
{
	struct command c;
	command_parse(line, strlen(line), &c);
	return c;
}

static void assert_arg(const struct command *c, const char *want)
{
	assert_int_equal(c->arg_len, strlen(want));
	assert_memory_equal(c->arg, want, c->arg_len);
}

static void test_chat(void **state)
{
	(void)state;
	struct command c = parse("hello /mute");
	assert_int_equal(c.id, CMD_CHAT);
	assert_string_equal(c.text, "hello /mute");
	c = parse("//mute is a command");
	assert_int_equal(c.id, CMD_CHAT);
	assert_string_equal(c.text, "/mute is a command");
	assert_int_equal(parse("").id, CMD_EMPTY);
	assert_int_equal(parse("   ").id, CMD_EMPTY);
}

static void test_simple_commands(void **state)
{
	(void)state;
	assert_int_equal(parse("/mute").id, CMD_MUTE);
	assert_int_equal(parse("/MUTE").id, CMD_MUTE);
	assert_int_equal(parse("/unmute  ").id, CMD_UNMUTE);
	assert_int_equal(parse("/ptt").id, CMD_PTT);
	assert_int_equal(parse("/devices").id, CMD_DEVICES);
	assert_int_equal(parse("/privacy").id, CMD_PRIVACY);
	assert_int_equal(parse("/help").id, CMD_HELP);
	assert_int_equal(parse("/bell").id, CMD_BELL);
	assert_int_equal(parse("/quit").id, CMD_QUIT);
	assert_int_equal(parse("/exit").id, CMD_QUIT);
	struct command c = parse("/mute now");
	assert_int_equal(c.id, CMD_USAGE);
	assert_string_equal(c.usage, "/mute");
	c = parse("/mutex");
	assert_int_equal(c.id, CMD_UNKNOWN);
	assert_arg(&c, "/mutex");
}

static void test_device(void **state)
{
	(void)state;
	struct command c = parse("/device  USB Headset  ");
	assert_int_equal(c.id, CMD_DEVICE);
	assert_int_equal(c.side, SIDE_BOTH);
	assert_arg(&c, "USB Headset");
	c = parse("/device in  USB Headset");
	assert_int_equal(c.id, CMD_DEVICE);
	assert_int_equal(c.side, SIDE_IN);
	assert_arg(&c, "USB Headset");
	c = parse("/device OUT hdmi");
	assert_int_equal(c.side, SIDE_OUT);
	assert_arg(&c, "hdmi");
	/* "in"/"out" alone, or as the start of a word, is a device name */
	c = parse("/device in");
	assert_int_equal(c.side, SIDE_BOTH);
	assert_arg(&c, "in");
	c = parse("/device input 2");
	assert_int_equal(c.side, SIDE_BOTH);
	assert_arg(&c, "input 2");
	c = parse("/device out   ");
	assert_int_equal(c.side, SIDE_BOTH);
	assert_arg(&c, "out");
	c = parse("/device");
	assert_int_equal(c.id, CMD_USAGE);
	assert_string_equal(c.usage, "/device [in|out] NAME");
}

static void test_msg(void **state)
{
	(void)state;
	struct command c = parse("/msg bob hi there");
	assert_int_equal(c.id, CMD_MSG);
	assert_arg(&c, "bob");
	assert_string_equal(c.text, "hi there");
	c = parse("/msg \"Zoë «b»\"   secret  text");
	assert_int_equal(c.id, CMD_MSG);
	assert_arg(&c, "Zoë «b»");
	assert_string_equal(c.text, "secret  text");
	assert_int_equal(parse("/msg bob").id, CMD_USAGE);
	assert_int_equal(parse("/msg bob   ").id, CMD_USAGE);
	assert_int_equal(parse("/msg \"bob hi").id, CMD_USAGE);
	assert_int_equal(parse("/msg \"\" hi").id, CMD_USAGE);
	assert_int_equal(parse("/msg").id, CMD_USAGE);
}

/* The habits of irssi and weechat: /me, /names and /who, /clear, /lastlog. */
static void test_chat_habits(void **state)
{
	(void)state;
	struct command c = parse("/me waves at everyone");
	assert_int_equal(c.id, CMD_ME);
	assert_string_equal(c.text, "/me waves at everyone"); /* sent as typed */
	assert_int_equal(parse("/ME  nods").id, CMD_ME);
	c = parse("/me   ");
	assert_int_equal(c.id, CMD_USAGE);
	assert_string_equal(c.usage, "/me ACTION");
	assert_int_equal(parse("/meow").id, CMD_UNKNOWN);
	assert_int_equal(parse("/names").id, CMD_NAMES);
	assert_int_equal(parse("/who").id, CMD_NAMES);
	assert_int_equal(parse("/who alice").id, CMD_USAGE);
	assert_int_equal(parse("/clear").id, CMD_CLEAR);
	c = parse("/lastlog  the pin ");
	assert_int_equal(c.id, CMD_LASTLOG);
	assert_arg(&c, "the pin");
	c = parse("/nick  bob ");
	assert_int_equal(c.id, CMD_NICK);
	assert_arg(&c, "bob");
	assert_int_equal(parse("/nick").id, CMD_USAGE);
	c = parse("/lastlog");
	assert_int_equal(c.id, CMD_USAGE);
	assert_string_equal(c.usage, "/lastlog TEXT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chat),
		cmocka_unit_test(test_simple_commands),
		cmocka_unit_test(test_device),
		cmocka_unit_test(test_msg),
		cmocka_unit_test(test_chat_habits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
