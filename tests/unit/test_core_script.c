/* Unit tests for test scripts (src/script.c): the grammar (good scripts, every kind of
 * mistake with its line and column, bounds), the action schedule and the expectation state
 * machine (met, pending, failed at the deadline or when leaving, messages, exit code). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/script.h"

static struct script *parse_ok(const char *text)
{
	struct script *s = NULL;
	struct script_error err;
	int rc = script_parse(text, strlen(text), &s, &err);
	if (rc != 0)
		fail_msg("unexpected parse error: %s", err.message);
	assert_non_null(s);
	return s;
}

/* Parses a bad script and checks where and why it fails. */
static void parse_bad(const char *text, unsigned line, unsigned column, const char *reason)
{
	struct script *s = NULL;
	struct script_error err;
	assert_int_equal(script_parse(text, strlen(text), &s, &err), -EINVAL);
	assert_null(s);
	if (err.line != line || err.column != column || !strstr(err.message, reason))
		fail_msg("script %s: got \"%s\" (line %u, column %u), want line %u column %u "
			 "\"%s\"", text, err.message, err.line, err.column, line, column, reason);
	char prefix[64];
	if (column)
		snprintf(prefix, sizeof(prefix), "line %u, column %u: ", line, column);
	else
		snprintf(prefix, sizeof(prefix), "line %u: ", line);
	assert_memory_equal(err.message, prefix, strlen(prefix));
}

static const struct script_action *act(const struct script *s, size_t i)
{
	const struct script_action *a = script_action_get(s, i);
	assert_non_null(a);
	return a;
}

static struct script_expect_info exp_info(const struct script *s, size_t i)
{
	struct script_expect_info in;
	assert_int_equal(script_expect_get(s, i, &in), 0);
	return in;
}

static void test_parse_actions(void **state)
{
	(void)state;
	struct script *s = parse_ok(
		"# a comment\n"
		"\n"
		"   \t  \n"
		"at 2s say greeting.wav\n"
		"at 5s chat hello   there  \n"
		"at 500ms chat \"quoted \\\"text\\\" with # and \\\\ and\\nnewline\"  # comment\n"
		"at 1.5s chat to bob psst # not a comment\n"
		"at 1m chat to \"Bob Smith\" hi\n"
		"at 6s mute\n"
		"at 8s unmute   # back\n"
		"\tat 9s video on\n"
		"at 9s video off\n"
		"at 20s leave\n"
		"at 3s say \"my file.wav\"\n"
		"at 4s chat to\n"
		"at 4s chat tomorrow\n");
	assert_int_equal(script_action_count(s), 13);
	/* Sorted by time, then line. */
	const struct script_action *a = act(s, 0);
	assert_int_equal(a->type, SCRIPT_ACT_CHAT);
	assert_int_equal(a->at_ms, 500);
	assert_int_equal(a->line, 6);
	assert_string_equal(a->text, "quoted \"text\" with # and \\ and\nnewline");
	assert_null(a->to);
	a = act(s, 1);
	assert_int_equal(a->at_ms, 1500);
	assert_string_equal(a->to, "bob");
	assert_string_equal(a->text, "psst # not a comment");
	a = act(s, 2);
	assert_int_equal(a->type, SCRIPT_ACT_SAY);
	assert_int_equal(a->at_ms, 2000);
	assert_string_equal(a->file, "greeting.wav");
	a = act(s, 3);
	assert_int_equal(a->at_ms, 3000);
	assert_string_equal(a->file, "my file.wav");
	a = act(s, 4);
	assert_int_equal(a->at_ms, 4000);
	assert_string_equal(a->text, "to");
	assert_null(a->to);
	a = act(s, 5);
	assert_string_equal(a->text, "tomorrow");
	assert_null(a->to);
	a = act(s, 6);
	assert_int_equal(a->at_ms, 5000);
	assert_string_equal(a->text, "hello   there");
	assert_int_equal(act(s, 7)->type, SCRIPT_ACT_MUTE);
	assert_int_equal(act(s, 8)->type, SCRIPT_ACT_UNMUTE);
	assert_int_equal(act(s, 9)->type, SCRIPT_ACT_VIDEO_ON);
	assert_int_equal(act(s, 9)->line, 11);
	assert_int_equal(act(s, 10)->type, SCRIPT_ACT_VIDEO_OFF);
	assert_int_equal(act(s, 11)->type, SCRIPT_ACT_LEAVE);
	a = act(s, 12);
	assert_int_equal(a->at_ms, 60000);
	assert_string_equal(a->to, "Bob Smith");
	assert_string_equal(a->text, "hi");
	assert_null(script_action_get(s, 13));
	assert_int_equal(script_expect_count(s), 0);
	assert_int_equal(script_needs(s), SCRIPT_NEED_CHAT | SCRIPT_NEED_VIDEO);
	script_destroy(s);
}

/* at TIME nick NAME: a word or "quoted", at most 64 bytes (as --name). */
static void test_parse_nick(void **state)
{
	(void)state;
	struct script *s = parse_ok("at 2s nick zorro\nat 3s nick \"Zorro de la Vega\" # x\n");
	const struct script_action *a = act(s, 0);
	assert_int_equal(a->type, SCRIPT_ACT_NICK);
	assert_int_equal(a->at_ms, 2000);
	assert_string_equal(a->text, "zorro");
	a = act(s, 1);
	assert_int_equal(a->type, SCRIPT_ACT_NICK);
	assert_string_equal(a->text, "Zorro de la Vega");
	assert_int_equal(script_needs(s), 0);
	script_destroy(s);
	parse_bad("at 1s nick", 1, 11, "expected a name");
	parse_bad("at 1s nick a b", 1, 14, "expected the end of the line");
	parse_bad("at 1s nick \"\"", 1, 12, "empty name");
	parse_bad("at 1s nick xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		  1, 12, "name longer than 64 bytes");
	parse_bad("at 1s rename x", 1, 7, "expected an action: say, chat, mute, unmute, video, "
		  "nick or leave");
}

static void test_parse_times(void **state)
{
	(void)state;
	static const struct { const char *t; uint64_t ms; } ok[] = {
		{ "0s", 0 }, { "0ms", 0 }, { "2s", 2000 }, { "500ms", 500 }, { "1.5s", 1500 },
		{ "1m", 60000 }, { "0.25m", 15000 }, { "1.001s", 1001 }, { "007s", 7000 },
		{ "1.0000s", 1000 }, { "1440m", 86400000 }, { "86400s", 86400000 },
		{ "0.0001m", 6 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char line[64];
		snprintf(line, sizeof(line), "at %s mute", ok[i].t);
		struct script *s = parse_ok(line);
		assert_int_equal(act(s, 0)->at_ms, ok[i].ms);
		script_destroy(s);
	}
	parse_bad("at 24h mute", 1, 6, "unknown time unit");
	parse_bad("at 2 mute", 1, 4, "expected a time like 2s or 500ms");
	parse_bad("at s mute", 1, 4, "expected a time like 2s or 500ms");
	parse_bad("at .5s mute", 1, 4, "expected a time like 2s or 500ms");
	parse_bad("at 1.s mute", 1, 4, "expected a time like 2s or 500ms");
	parse_bad("at 2sec mute", 1, 5, "unknown time unit");
	parse_bad("at 0.5ms mute", 1, 4, "time finer than 1 ms");
	parse_bad("at 1.0001s mute", 1, 4, "time finer than 1 ms");
	parse_bad("at 86401s mute", 1, 4, "time too large");
	parse_bad("at 99999999999999999999s mute", 1, 4, "time too large");
	parse_bad("at 1.1234567891s mute", 1, 15, "too many decimals");
	parse_bad("at", 1, 3, "expected a time");
	parse_bad("expect audio within -1s", 1, 21, "expected a time");
}

static void test_parse_expectations(void **state)
{
	(void)state;
	struct script *s = parse_ok(
		"expect participants >= 3 within 10s\n"
		"expect participants == 0 within 1s\n"
		"expect participants < 5 within 1m  # fewer than five\n"
		"expect audio within 5s\n"
		"expect video within 500ms\n"
		"expect chat \"hello world\" within 5s\n"
		"expect chat hi from alice within 2s\n"
		"expect chat \"x\" from \"Alice B\" within 2s\n"
		"expect talking bob within 20s\n"
		"expect no error   \n"
		"expect participants > 1 within 1s\n"
		"expect participants <= 2 within 1s\n");
	assert_int_equal(script_expect_count(s), 12);
	assert_int_equal(script_action_count(s), 0);
	struct script_expect_info in = exp_info(s, 0);
	assert_int_equal(in.type, SCRIPT_EXP_PARTICIPANTS);
	assert_int_equal(in.cmp, SCRIPT_CMP_GE);
	assert_int_equal(in.count, 3);
	assert_int_equal(in.within_ms, 10000);
	assert_int_equal(in.line, 1);
	assert_int_equal(in.state, SCRIPT_PENDING);
	assert_string_equal(in.source, "expect participants >= 3 within 10s");
	assert_string_equal(in.message, "");
	assert_int_equal(exp_info(s, 1).cmp, SCRIPT_CMP_EQ);
	assert_int_equal(exp_info(s, 1).count, 0);
	in = exp_info(s, 2);
	assert_int_equal(in.cmp, SCRIPT_CMP_LT);
	assert_int_equal(in.within_ms, 60000);
	assert_string_equal(in.source, "expect participants < 5 within 1m");
	assert_int_equal(exp_info(s, 3).type, SCRIPT_EXP_AUDIO);
	assert_int_equal(exp_info(s, 4).type, SCRIPT_EXP_VIDEO);
	assert_int_equal(exp_info(s, 4).within_ms, 500);
	in = exp_info(s, 5);
	assert_int_equal(in.type, SCRIPT_EXP_CHAT);
	assert_string_equal(in.text, "hello world");
	assert_null(in.name);
	/* the source (messages, stderr, --report) never holds the chat text */
	assert_string_equal(in.source, "expect chat (chat text) within 5s");
	in = exp_info(s, 6);
	assert_string_equal(in.text, "hi");
	assert_string_equal(in.name, "alice");
	assert_string_equal(in.source, "expect chat (chat text) from alice within 2s");
	assert_string_equal(exp_info(s, 7).name, "Alice B");
	assert_string_equal(exp_info(s, 7).source,
			    "expect chat (chat text) from \"Alice B\" within 2s");
	in = exp_info(s, 8);
	assert_int_equal(in.type, SCRIPT_EXP_TALKING);
	assert_string_equal(in.name, "bob");
	in = exp_info(s, 9);
	assert_int_equal(in.type, SCRIPT_EXP_NO_ERROR);
	assert_string_equal(in.source, "expect no error");
	assert_int_equal(exp_info(s, 10).cmp, SCRIPT_CMP_GT);
	assert_int_equal(exp_info(s, 11).cmp, SCRIPT_CMP_LE);
	assert_int_equal(script_expect_get(s, 12, &in), -ERANGE);
	assert_int_equal(script_needs(s), SCRIPT_NEED_AUDIO | SCRIPT_NEED_VIDEO |
					  SCRIPT_NEED_CHAT | SCRIPT_NEED_TALKING);
	script_destroy(s);
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_bad("at 1s mute\nsay hi\n", 2, 1, "expected at or expect");
	parse_bad("at 1s mute\n\n# c\n  at 3s jump\n", 4, 9, "expected an action");
	parse_bad("at 1s mute now", 1, 12, "expected the end of the line");
	parse_bad("at 1s video", 1, 12, "expected on or off");
	parse_bad("at 1s video maybe", 1, 13, "expected on or off");
	parse_bad("at 1s say", 1, 10, "expected a file name");
	parse_bad("at 1s say # x", 1, 11, "expected a file name");
	parse_bad("at 1s say a.wav b.wav", 1, 17, "expected the end of the line");
	parse_bad("at 1s say \"\"", 1, 11, "empty file name");
	parse_bad("at 1s say \"a\\nb\"", 1, 11, "line break in a file name");
	parse_bad("expect talking \"a\\nb\" within 1s", 1, 16, "line break in a name");
	parse_bad("at 1s chat", 1, 11, "expected chat text");
	parse_bad("at 1s chat    ", 1, 15, "expected chat text");
	parse_bad("at 1s chat to bob", 1, 18, "expected chat text after the name");
	parse_bad("at 1s chat \"hi\" there", 1, 17, "text after the closing quote");
	parse_bad("at 1s chat \"hi", 1, 12, "missing closing quote");
	parse_bad("at 1s chat \"a\\tb\"", 1, 14, "unknown escape");
	parse_bad("at 1s chat \"\"", 1, 12, "empty chat text");
	parse_bad("expect", 1, 7, "expected participants, audio");
	parse_bad("expect nothing", 1, 8, "expected participants, audio");
	parse_bad("expect participants 3 within 1s", 1, 21, "expected a comparison");
	parse_bad("expect participants => 3 within 1s", 1, 21, "expected a comparison");
	parse_bad("expect participants >= x within 1s", 1, 24, "expected a number");
	parse_bad("expect participants >= 3x within 1s", 1, 24, "expected a number");
	parse_bad("expect participants >= within 1s", 1, 24, "expected a number");
	parse_bad("expect participants >= 1000001 within 1s", 1, 24, "number too large");
	parse_bad("expect participants >= 3", 1, 25, "expected within");
	parse_bad("expect participants >= 3 in 10s", 1, 26, "expected within");
	parse_bad("expect audio", 1, 13, "expected within");
	parse_bad("expect audio within", 1, 20, "expected a time");
	parse_bad("expect audio within 5s please", 1, 24, "expected the end of the line");
	parse_bad("expect chat within 5s", 1, 20, "expected within");
	parse_bad("expect chat \"hi\" from within 5s", 1, 30, "expected within");
	parse_bad("expect talking within 5s", 1, 23, "expected within");
	parse_bad("expect talking", 1, 15, "expected a name");
	parse_bad("expect no", 1, 10, "expected error");
	parse_bad("expect no errors", 1, 11, "expected error");
	parse_bad("expect no error at all", 1, 17, "expected the end of the line");
	parse_bad("AT 1s mute", 1, 1, "expected at or expect");
	parse_bad("at1s mute", 1, 1, "expected at or expect");
}

/* Columns count characters, not bytes; bad bytes are pointed at. */
static void test_parse_encoding(void **state)
{
	(void)state;
	/* "é" and "€" are 2 and 3 bytes: the bad token is still at character 16. */
	parse_bad("at 1s chat to é€ hi\nat 1s chat é€ x\nexpect chat \"é€\" from é€ bad",
		  3, 26, "expected within");
	parse_bad("at 1s chat caf\xc3", 1, 15, "not valid UTF-8");
	parse_bad("at 1s chat \xc0\xaf", 1, 12, "not valid UTF-8");        /* overlong */
	parse_bad("at 1s chat \xed\xa0\x80", 1, 12, "not valid UTF-8");    /* surrogate */
	parse_bad("at 1s chat \xf4\x90\x80\x80", 1, 12, "not valid UTF-8"); /* > U+10FFFF */
	parse_bad("at 1s chat \xc2\x9b[2J", 1, 12, "control character");   /* C1 CSI */
	parse_bad("at 1s chat a\x1b[2J", 1, 13, "control character");
	parse_bad("at 1s chat a\x7f", 1, 13, "control character");
	parse_bad("at 1s mute\rx\n", 1, 11, "control character");
	/* A NUL inside the buffer is a control character, not the end of the script. */
	struct script *s = NULL;
	struct script_error err;
	static const char nul[] = "at 1s mute\nat 2s chat a\0b\n";
	assert_int_equal(script_parse(nul, sizeof(nul) - 1, &s, &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 13);
	/* CRLF line ends and a missing final newline are fine; é in chat text is kept. */
	s = parse_ok("at 1s chat caf\xc3\xa9\r\nat 2s leave\r\nexpect no error");
	assert_string_equal(act(s, 0)->text, "caf\xc3\xa9");
	assert_int_equal(act(s, 1)->type, SCRIPT_ACT_LEAVE);
	assert_int_equal(script_expect_count(s), 1);
	script_destroy(s);
	/* The error pointer may be NULL. */
	s = NULL;
	assert_int_equal(script_parse("bad", 3, &s, NULL), -EINVAL);
	assert_null(s);
}

static void test_parse_bounds(void **state)
{
	(void)state;
	struct script *s;
	struct script_error err;
	/* Empty scripts. */
	s = parse_ok("");
	assert_int_equal(script_action_count(s), 0);
	script_destroy(s);
	s = parse_ok("\n\n# nothing\n");
	script_destroy(s);

	/* Chat text: exactly the maximum is fine, one more byte is not. */
	size_t big = SCRIPT_TEXT_MAX + 64;
	char *buf = malloc(big + 64);
	assert_non_null(buf);
	int n = snprintf(buf, 64, "at 1s chat ");
	memset(buf + n, 'x', SCRIPT_TEXT_MAX);
	buf[n + SCRIPT_TEXT_MAX] = '\0';
	s = parse_ok(buf);
	assert_int_equal(strlen(act(s, 0)->text), SCRIPT_TEXT_MAX);
	script_destroy(s);
	strcat(buf, "y");
	parse_bad(buf, 1, 12, "chat text longer than 4096 bytes");
	/* Same in quotes. */
	n = snprintf(buf, 64, "at 1s chat \"");
	memset(buf + n, 'x', SCRIPT_TEXT_MAX + 1);
	strcpy(buf + n + SCRIPT_TEXT_MAX + 1, "\"");
	parse_bad(buf, 1, 12, "chat text longer than 4096 bytes");
	/* Names. */
	n = snprintf(buf, 64, "expect talking ");
	memset(buf + n, 'n', SCRIPT_NAME_MAX + 1);
	strcpy(buf + n + SCRIPT_NAME_MAX + 1, " within 1s");
	parse_bad(buf, 1, 16, "name longer than 127 bytes");
	buf[n + SCRIPT_NAME_MAX] = ' '; /* now exactly 127 bytes, then " within 1s" */
	memmove(buf + n + SCRIPT_NAME_MAX, buf + n + SCRIPT_NAME_MAX + 1,
		strlen(buf + n + SCRIPT_NAME_MAX + 1) + 1);
	s = parse_ok(buf);
	assert_int_equal(strlen(exp_info(s, 0).name), SCRIPT_NAME_MAX);
	script_destroy(s);
	/* A long source is shortened for messages, at a character boundary; a long chat text is
	 * not in it at all. */
	n = snprintf(buf, 64, "expect chat \"");
	for (size_t i = 0; i < 100; i++)
		memcpy(buf + n + 2 * i, "\xc3\xa9", 2);
	strcpy(buf + n + 200, "\" within 1s");
	s = parse_ok(buf);
	const char *src = exp_info(s, 0).source;
	assert_string_equal(src, "expect chat (chat text) within 1s");
	script_destroy(s);
	n = snprintf(buf, 64, "expect chat hi from \"");
	for (size_t i = 0; i < 63; i++)
		memcpy(buf + n + 2 * i, "\xc3\xa9", 2);
	strcpy(buf + n + 126, "\" within 1s");
	s = parse_ok(buf);
	src = exp_info(s, 0).source;
	assert_true(strlen(src) < SCRIPT_SOURCE_MAX);
	assert_memory_equal(src, "expect chat (chat text) from \"\xc3\xa9", 32);
	assert_string_equal(src + strlen(src) - 5, "\xc3\xa9...");
	script_destroy(s);
	free(buf);

	/* Line length. */
	buf = malloc(SCRIPT_LINE_MAX + 16);
	assert_non_null(buf);
	memset(buf, ' ', SCRIPT_LINE_MAX + 1);
	memcpy(buf + SCRIPT_LINE_MAX - 11, "at 1s mute", 10);
	buf[SCRIPT_LINE_MAX] = '\0';
	s = parse_ok(buf); /* exactly the maximum */
	script_destroy(s);
	buf[SCRIPT_LINE_MAX] = ' ';
	buf[SCRIPT_LINE_MAX + 1] = '\0';
	parse_bad(buf, 1, SCRIPT_LINE_MAX + 1, "line longer than 8192 bytes");
	free(buf);

	/* Number of lines. */
	size_t len = (SCRIPT_LINES_MAX + 1) * 2;
	buf = malloc(len + 1);
	assert_non_null(buf);
	for (size_t i = 0; i < len; i += 2)
		buf[i] = '#', buf[i + 1] = '\n';
	assert_int_equal(script_parse(buf, len - 2, &s, &err), 0); /* exactly the maximum */
	script_destroy(s);
	assert_int_equal(script_parse(buf, len, &s, &err), -EINVAL);
	assert_int_equal(err.line, SCRIPT_LINES_MAX + 1);
	assert_string_equal(err.message, "line 10001: more than 10000 lines");
	free(buf);

	/* Whole file. */
	buf = calloc(1, SCRIPT_SIZE_MAX + 1);
	assert_non_null(buf);
	memset(buf, '\n', SCRIPT_SIZE_MAX + 1);
	assert_int_equal(script_parse(buf, SCRIPT_SIZE_MAX + 1, &s, &err), -EINVAL);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.message, "larger than"));
	free(buf);
}

static void test_tick_schedule(void **state)
{
	(void)state;
	struct script *s = parse_ok("at 5s leave\n"
				    "at 1s chat one\n"
				    "at 1s chat two\n"
				    "at 0ms mute\n"
				    "at 3s unmute\n");
	const struct script_action *out[8];
	uint64_t next;
	assert_int_equal(script_next_event_ms(s, &next), 0);
	assert_int_equal(next, 0);
	assert_int_equal(script_tick(s, 0, out, 8), 1);
	assert_int_equal(out[0]->type, SCRIPT_ACT_MUTE);
	assert_int_equal(script_tick(s, 999, out, 8), 0);
	assert_int_equal(script_next_event_ms(s, &next), 0);
	assert_int_equal(next, 1000);
	/* Room for one at a time: the rest stays due, in file order. */
	assert_int_equal(script_tick(s, 4000, out, 1), 1);
	assert_string_equal(out[0]->text, "one");
	assert_int_equal(script_tick(s, 4000, out, 1), 1);
	assert_string_equal(out[0]->text, "two");
	assert_int_equal(script_tick(s, 4000, out, 8), 1);
	assert_int_equal(out[0]->type, SCRIPT_ACT_UNMUTE);
	assert_int_equal(script_tick(s, 4000, out, 8), 0);
	assert_int_equal(script_next_event_ms(s, &next), 0);
	assert_int_equal(next, 5000);
	assert_int_equal(script_tick(s, 100000, out, 8), 1);
	assert_int_equal(out[0]->type, SCRIPT_ACT_LEAVE);
	assert_int_equal(script_next_event_ms(s, &next), -ENOENT);
	script_destroy(s);

	/* After script_finish nothing more is handed out. */
	s = parse_ok("at 1s mute\nat 2s unmute\n");
	assert_int_equal(script_tick(s, 1000, out, 8), 1);
	script_finish(s, 1500, NULL);
	assert_int_equal(script_tick(s, 5000, out, 8), 0);
	assert_int_equal(script_next_event_ms(s, &next), -ENOENT);
	script_destroy(s);
}

static void test_expectations_met(void **state)
{
	(void)state;
	struct script *s = parse_ok("expect participants >= 3 within 10s\n"
				    "expect audio within 5s\n"
				    "expect chat \"hello\" from alice within 5s\n"
				    "expect chat bye within 8s\n"
				    "expect video within 5s\n"
				    "expect talking bob within 20s\n"
				    "expect no error\n");
	struct script_status st;
	uint64_t next;
	assert_int_equal(script_next_event_ms(s, &next), 0);
	assert_int_equal(next, 5001); /* the first deadline passes just after 5 s */
	script_observe_participants(s, 1000, 2);
	script_check(s, 1000, &st);
	assert_int_equal(st.met, 0);
	assert_int_equal(st.pending, 7);
	script_observe_participants(s, 2000, 3);
	script_observe_audio(s, 2500);
	/* Wrong sender, then our text inside a longer message from the right one. */
	script_observe_chat(s, 3000, "bob", "hello");
	script_observe_chat(s, 3000, NULL, "hello");
	script_check(s, 3000, &st);
	assert_int_equal(st.met, 2);
	assert_int_equal(exp_info(s, 0).when_ms, 2000);
	assert_true(exp_info(s, 0).changed);
	assert_int_equal(exp_info(s, 2).state, SCRIPT_PENDING);
	script_observe_chat(s, 3500, "alice", "well hello there");
	script_observe_chat(s, 3600, "carol", "bye now"); /* no sender asked for: anyone */
	script_observe_video(s, 4000);
	script_observe_talking(s, 4500, "bobby");
	script_observe_talking(s, 4600, "bob");
	script_check(s, 5000, &st);
	assert_int_equal(st.met, 6);
	assert_int_equal(st.pending, 1); /* no error: only at the end */
	assert_int_equal(st.failed, 0);
	assert_false(exp_info(s, 0).changed); /* reported by the previous check already */
	assert_true(exp_info(s, 2).changed);
	assert_int_equal(exp_info(s, 2).when_ms, 3500);
	assert_int_equal(exp_info(s, 5).when_ms, 4600);
	assert_int_equal(script_next_event_ms(s, &next), -ENOENT);
	script_finish(s, 30000, &st);
	assert_int_equal(st.met, 7);
	assert_int_equal(st.failed, 0);
	assert_int_equal(script_exit_code(s), 0);
	script_destroy(s);
}

/* expect speaker: met by the speaker event naming that person, not by their talking nor by
 * someone else becoming the speaker; fails with its own line after the deadline. */
static void test_expect_speaker(void **state)
{
	(void)state;
	struct script *s = parse_ok("expect speaker alice within 5s\n"
				    "expect speaker \"bob b\" within 5s\n");
	struct script_status st;
	assert_int_equal(exp_info(s, 0).type, SCRIPT_EXP_SPEAKER);
	script_observe_talking(s, 1000, "alice");
	script_observe_speaker(s, 1500, "carol");
	script_check(s, 2000, &st);
	assert_int_equal(st.met, 0);
	script_observe_speaker(s, 2500, "alice");
	script_check(s, 3000, &st);
	assert_int_equal(st.met, 1);
	assert_int_equal(exp_info(s, 0).state, SCRIPT_MET);
	script_check(s, 6000, &st);
	assert_int_equal(st.failed, 1);
	assert_string_equal(exp_info(s, 1).message, "line 2: expect speaker \"bob b\" within 5s: "
			    "bob b was not the main speaker after 5.0 s");
	assert_int_equal(script_exit_code(s), 7);
	script_destroy(s);
}

static void test_expectations_failed(void **state)
{
	(void)state;
	struct script *s = parse_ok("at 1s mute\n"
				    "\n"
				    "expect audio within 5s\n"
				    "expect participants >= 3 within 10s\n"
				    "expect participants <= 1 within 10s\n"
				    "expect chat \"hello\" from alice within 5s\n"
				    "expect talking bob within 7s\n"
				    "expect video within 60s\n"
				    "expect no error\n");
	struct script_status st;
	script_observe_participants(s, 1000, 2);
	script_observe_participants(s, 2000, 1);
	script_observe_chat(s, 2000, "alice", "goodbye");
	/* The count was met for "<= 1" at 2 s; ">= 3" never. */
	script_check(s, 5000, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.met, 1);
	/* Observed too late: the deadline has passed, even before a check said so. */
	script_observe_audio(s, 5001);
	script_check(s, 5001, &st);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.newly_failed, 2);
	struct script_expect_info in = exp_info(s, 0);
	assert_int_equal(in.state, SCRIPT_FAILED);
	assert_true(in.changed);
	assert_int_equal(in.when_ms, 5000);
	assert_string_equal(in.message, "line 3: expect audio within 5s: no audio after 5.0 s");
	assert_string_equal(exp_info(s, 3).message,
			    "line 6: expect chat (chat text) from alice within 5s: no such message "
			    "after 5.0 s (1 received)");
	assert_int_equal(script_exit_code(s), 7);
	script_check(s, 9000, &st);
	assert_int_equal(st.newly_failed, 1); /* talking bob, due at 7 s */
	assert_false(exp_info(s, 0).changed);
	assert_true(exp_info(s, 4).changed);
	assert_string_equal(exp_info(s, 4).message, "line 7: expect talking bob within 7s: "
			    "no talking from bob after 7.0 s");
	script_observe_participants(s, 9500, 2);
	script_check(s, 10001, &st);
	assert_int_equal(st.newly_failed, 1);
	assert_string_equal(exp_info(s, 1).message,
			    "line 4: expect participants >= 3 within 10s: only 2 after 10.0 s");
	/* An error fails "no error" at once. */
	script_observe_error(s, 12345);
	script_check(s, 12400, &st);
	assert_int_equal(st.newly_failed, 1);
	assert_string_equal(exp_info(s, 6).message,
			    "line 9: expect no error: an error at 12.3 s");
	/* Leaving early fails what is still pending, saying when. */
	script_finish(s, 20050, &st);
	assert_int_equal(st.newly_failed, 1);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.met, 1);
	assert_int_equal(st.failed, 6);
	assert_string_equal(exp_info(s, 5).message,
			    "line 8: expect video within 60s: no video when leaving at 20.1 s");
	/* Nothing changes after the end. */
	script_observe_video(s, 20100);
	script_finish(s, 30000, &st);
	assert_int_equal(st.failed, 6);
	assert_int_equal(st.newly_failed, 0);
	assert_int_equal(script_exit_code(s), 7);
	script_destroy(s);
}

static void test_participant_messages(void **state)
{
	(void)state;
	struct script *s = parse_ok("expect participants < 2 within 1s\n"
				    "expect participants == 4 within 1s\n"
				    "expect participants > 0 within 1s\n"
				    "expect participants >= 1 within 1s\n");
	struct script_status st;
	/* Nothing observed at all. */
	script_check(s, 1001, &st);
	assert_int_equal(st.failed, 4);
	assert_string_equal(exp_info(s, 3).message, "line 4: expect participants >= 1 within 1s: "
			    "no participant count after 1.0 s");
	script_destroy(s);

	s = parse_ok("expect participants < 2 within 1s\n"
		     "expect participants == 4 within 1s\n"
		     "expect participants > 5 within 1s\n");
	script_observe_participants(s, 100, 3);
	script_observe_participants(s, 200, 5);
	script_observe_participants(s, 300, 3);
	script_check(s, 1001, &st);
	assert_int_equal(st.failed, 3);
	assert_string_equal(exp_info(s, 0).message,
			    "line 1: expect participants < 2 within 1s: still 3 after 1.0 s");
	assert_string_equal(exp_info(s, 1).message,
			    "line 2: expect participants == 4 within 1s: 3 after 1.0 s");
	assert_string_equal(exp_info(s, 2).message,
			    "line 3: expect participants > 5 within 1s: only 5 after 1.0 s");
	script_destroy(s);

	/* A deadline is inclusive: observed exactly at it counts. */
	s = parse_ok("expect participants == 2 within 1s\n");
	script_check(s, 1000, &st);
	assert_int_equal(st.pending, 1);
	script_observe_participants(s, 1000, 2);
	script_check(s, 1000, &st);
	assert_int_equal(st.met, 1);
	script_finish(s, 5000, &st);
	assert_int_equal(st.met, 1);
	assert_int_equal(script_exit_code(s), 0);
	script_destroy(s);

	/* Leaving after a deadline that no check saw pass reports the deadline. */
	s = parse_ok("expect audio within 2s\n");
	script_finish(s, 9000, &st);
	assert_string_equal(exp_info(s, 0).message,
			    "line 1: expect audio within 2s: no audio after 2.0 s");
	assert_int_equal(exp_info(s, 0).when_ms, 2000);
	script_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_actions),
		cmocka_unit_test(test_parse_nick),
		cmocka_unit_test(test_parse_times),
		cmocka_unit_test(test_parse_expectations),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_encoding),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_tick_schedule),
		cmocka_unit_test(test_expectations_met),
		cmocka_unit_test(test_expectations_failed),
		cmocka_unit_test(test_expect_speaker),
		cmocka_unit_test(test_participant_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
