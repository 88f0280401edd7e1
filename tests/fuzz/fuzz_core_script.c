/* Fuzz target: test scripts (src/script.c). Whatever the bytes: parsing must not crash; an
 * error names a place and a reason; a parsed script hands out sorted actions within the
 * bounds, and only valid UTF-8 strings without control characters (chat text may hold '\n');
 * running it to the end (ticks, observations, checks, finish) keeps every message bounded and
 * clean as well. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/script.h"

/* Aborts unless s is valid UTF-8 without C0 (except '\n' when allowed), DEL or C1. */
static void check_clean(const char *s, size_t max, bool newline_ok)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (p[i]) {
		unsigned char b = p[i];
		if (b < 0x80) {
			if ((b < 0x20 && !(b == '\n' && newline_ok) && b != '\t') || b == 0x7f)
				abort();
			i++;
			continue;
		}
		size_t n = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 ? 1 : 0;
		if (!n || b > 0xf4)
			abort();
		uint32_t cp = b & (0x3f >> n);
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				abort();
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			abort();
		i += n + 1;
	}
	if (i > max)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script *s = NULL;
	struct script_error err;
	int rc = script_parse((const char *)data, size, &s, &err);
	if (rc == -ENOMEM)
		return 0;
	if (rc < 0) {
		if (rc != -EINVAL || s || !err.message[0] ||
		    !memchr(err.message, '\0', sizeof(err.message)) ||
		    err.line > SCRIPT_LINES_MAX + 1)
			abort();
		return 0;
	}
	if (rc != 0 || !s)
		abort();

	size_t n = script_action_count(s);
	const char *some_text = "x", *some_name = "y";
	for (size_t i = 0; i < n; i++) {
		const struct script_action *a = script_action_get(s, i);
		if (!a || a->at_ms > SCRIPT_TIME_MAX_MS)
			abort();
		if (i) {
			const struct script_action *b = script_action_get(s, i - 1);
			if (b->at_ms > a->at_ms || (b->at_ms == a->at_ms && b->line >= a->line))
				abort();
		}
		check_clean(a->file, SCRIPT_FILE_MAX, false);
		check_clean(a->text, SCRIPT_TEXT_MAX, true);
		check_clean(a->to, SCRIPT_NAME_MAX, false);
		if (a->type == SCRIPT_ACT_CHAT && (!a->text || !*a->text))
			abort();
		if (a->text)
			some_text = a->text;
		if (a->to)
			some_name = a->to;
	}
	if (script_action_get(s, n))
		abort();
	size_t ne = script_expect_count(s);
	for (size_t i = 0; i < ne; i++) {
		struct script_expect_info in;
		if (script_expect_get(s, i, &in) < 0 || in.state != SCRIPT_PENDING)
			abort();
		check_clean(in.source, SCRIPT_SOURCE_MAX, false);
		check_clean(in.text, SCRIPT_TEXT_MAX, true);
		check_clean(in.name, SCRIPT_NAME_MAX, false);
		if (in.name)
			some_name = in.name;
	}

	/* Run it: follow the script's own schedule, observing a little along the way. */
	const struct script_action *due[4];
	uint64_t now = 0, next;
	unsigned handed = 0, round = 0;
	while (script_next_event_ms(s, &next) == 0 && round++ < 4 * (n + ne) + 8) {
		if (next < now)
			abort();
		now = next;
		size_t k;
		while ((k = script_tick(s, now, due, 4)) > 0)
			handed += (unsigned)k;
		script_observe_participants(s, now, round % 7);
		if (round % 3 == 0)
			script_observe_chat(s, now, some_name, some_text);
		if (round % 5 == 0)
			script_observe_talking(s, now, some_name);
		if (round % 11 == 0)
			script_observe_audio(s, now);
		struct script_status st;
		script_check(s, now, &st);
		if (st.met + st.pending + st.failed != ne)
			abort();
	}
	if (handed != n)
		abort();
	if (size & 1)
		script_observe_error(s, now);
	struct script_status st;
	script_finish(s, now + 1, &st);
	if (st.pending || st.met + st.failed != ne)
		abort();
	for (size_t i = 0; i < ne; i++) {
		struct script_expect_info in;
		script_expect_get(s, i, &in);
		if (in.state == SCRIPT_FAILED && strncmp(in.message, "line ", 5))
			abort();
		check_clean(in.message, SCRIPT_MESSAGE_MAX - 1, false);
	}
	if ((script_exit_code(s) != 0) != (st.failed > 0))
		abort();
	script_destroy(s);
	return 0;
}
