/* Test scripts: parser and executor (see script.h for the language).
 *
 * Parsing works line by line: each line is first checked as a whole (length, UTF-8, control
 * characters), then read with a cursor that remembers its byte position, so every error can
 * name a line and a character column. Actions are sorted by (time, line) once; the executor
 * hands them out with a moving index. Expectations keep their own state (pending → met or
 * failed) and the last state script_check reported, from which `changed` is derived.
 * Pure: no I/O, no clock, no globals.
 */
#include "src/script.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/exitcode.h"

struct expect {
	struct script_expect_info info;
	char *source, *text, *name;
	enum script_state reported; /* state at the previous script_check */
	char message[SCRIPT_MESSAGE_MAX];
};

struct script {
	struct script_action *acts;
	size_t n_acts, cap_acts, next_act;
	struct expect *exps;
	size_t n_exps, cap_exps;
	unsigned needs;
	bool finished;
	/* what was observed */
	bool have_count;
	unsigned count_last, count_min, count_max;
	unsigned chats_seen;
	bool error_seen;
};

/* One line under the cursor. */
struct cursor {
	const char *s;
	size_t len, pos;
	unsigned line;
	struct script_error *err;
};

static void set_error(struct script_error *err, unsigned line, unsigned column,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void set_error(struct script_error *err, unsigned line, unsigned column,
		      const char *fmt, ...)
{
	if (!err)
		return;
	char reason[120];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	err->line = line;
	err->column = column;
	if (line && column)
		snprintf(err->message, sizeof(err->message), "line %u, column %u: %s", line, column,
			 reason);
	else if (line)
		snprintf(err->message, sizeof(err->message), "line %u: %s", line, reason);
	else
		snprintf(err->message, sizeof(err->message), "%s", reason);
}

/* Characters (not bytes) before byte offset pos, plus one. */
static unsigned column_at(const char *s, size_t pos)
{
	unsigned col = 1;
	for (size_t i = 0; i < pos; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
	return col;
}

static int fail_at(struct cursor *c, size_t pos, const char *reason)
{
	set_error(c->err, c->line, column_at(c->s, pos), "%s", reason);
	return -EINVAL;
}

/* Offset of the first byte that is not valid UTF-8, a control character (C0 other than tab,
 * DEL, C1) or NUL; len if the line is clean. *what says which. */
static size_t first_bad_byte(const char *s, size_t len, const char **what)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char b = p[i];
		if (b < 0x80) {
			if ((b < 0x20 && b != '\t') || b == 0x7f) {
				*what = "control character";
				return i;
			}
			i++;
			continue;
		}
		size_t n;
		uint32_t cp, min;
		if (b >= 0xc2 && b <= 0xdf)
			n = 1, cp = b & 0x1f, min = 0x80;
		else if (b >= 0xe0 && b <= 0xef)
			n = 2, cp = b & 0x0f, min = 0x800;
		else if (b >= 0xf0 && b <= 0xf4)
			n = 3, cp = b & 0x07, min = 0x10000;
		else
			goto bad;
		if (len - i <= n)
			goto bad;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		if (cp >= 0x80 && cp <= 0x9f) {
			*what = "control character";
			return i;
		}
		i += n + 1;
	}
	return len;
bad:
	*what = "not valid UTF-8";
	return i;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static void skip_blanks(struct cursor *c)
{
	while (c->pos < c->len && is_blank(c->s[c->pos]))
		c->pos++;
}

/* True at the end of the statement: only blanks and an optional comment remain. */
static bool at_end(struct cursor *c)
{
	size_t save = c->pos;
	skip_blanks(c);
	bool end = c->pos == c->len || c->s[c->pos] == '#';
	c->pos = save;
	return end;
}

/* Length of the word (non-blank run) at the cursor. */
static size_t word_len(const struct cursor *c)
{
	size_t n = 0;
	while (c->pos + n < c->len && !is_blank(c->s[c->pos + n]))
		n++;
	return n;
}

/* Consumes the word at the cursor (after blanks) if it is kw. */
static bool accept(struct cursor *c, const char *kw)
{
	skip_blanks(c);
	size_t n = word_len(c);
	if (n != strlen(kw) || memcmp(c->s + c->pos, kw, n))
		return false;
	c->pos += n;
	return true;
}

static int expect_kw(struct cursor *c, const char *kw, const char *reason)
{
	if (accept(c, kw))
		return 0;
	return fail_at(c, c->pos, reason);
}

static int expect_end(struct cursor *c)
{
	if (at_end(c))
		return 0;
	skip_blanks(c);
	return fail_at(c, c->pos, "expected the end of the line (or a # comment)");
}

/* A time: digits, optional fraction, unit ms/s/m; whole milliseconds up to the maximum. */
static int parse_time(struct cursor *c, uint64_t *ms)
{
	static const char bad[] = "expected a time like 2s or 500ms";
	skip_blanks(c);
	size_t start = c->pos, n = word_len(c), i = 0;
	const char *w = c->s + start;
	uint64_t whole = 0, frac = 0, scale = 1;
	if (i >= n || w[i] < '0' || w[i] > '9')
		return fail_at(c, start, bad);
	for (; i < n && w[i] >= '0' && w[i] <= '9'; i++) {
		whole = whole * 10 + (uint64_t)(w[i] - '0');
		if (whole > SCRIPT_TIME_MAX_MS)
			return fail_at(c, start, "time too large (at most 24h)");
	}
	if (i < n && w[i] == '.') {
		i++;
		if (i >= n || w[i] < '0' || w[i] > '9')
			return fail_at(c, start, bad);
		for (; i < n && w[i] >= '0' && w[i] <= '9'; i++) {
			if (scale >= 1000000000u)
				return fail_at(c, start + i, "too many decimals");
			frac = frac * 10 + (uint64_t)(w[i] - '0');
			scale *= 10;
		}
	}
	uint64_t unit;
	size_t rest = n - i;
	if (rest == 2 && !memcmp(w + i, "ms", 2))
		unit = 1;
	else if (rest == 1 && w[i] == 's')
		unit = 1000;
	else if (rest == 1 && w[i] == 'm')
		unit = 60000;
	else
		return rest ? fail_at(c, start + i, "unknown time unit (use ms, s or m)") :
			      fail_at(c, start, bad);
	if ((frac * unit) % scale)
		return fail_at(c, start, "time finer than 1 ms");
	uint64_t v = whole * unit + frac * unit / scale;
	if (v > SCRIPT_TIME_MAX_MS)
		return fail_at(c, start, "time too large (at most 24h)");
	c->pos += n;
	*ms = v;
	return 0;
}

/* A "quoted string" at the cursor (on its opening quote) with \" \\ \n; at most max bytes.
 * *out is a new string. */
static int parse_quoted(struct cursor *c, size_t max, const char *what, char **out)
{
	size_t open = c->pos, cap = c->len - open;
	char *buf = malloc(cap + 1);
	size_t n = 0;
	int rc;
	if (!buf)
		return -ENOMEM;
	for (size_t i = open + 1; i < c->len; i++) {
		char ch = c->s[i];
		if (ch == '"') {
			if (n > max) {
				char reason[80];
				snprintf(reason, sizeof(reason), "%s longer than %zu bytes", what,
					 max);
				rc = fail_at(c, open, reason);
				goto out;
			}
			buf[n] = '\0';
			c->pos = i + 1;
			*out = buf;
			return 0;
		}
		if (ch == '\\') {
			char e = i + 1 < c->len ? c->s[i + 1] : '\0';
			if (e == '"' || e == '\\')
				ch = e;
			else if (e == 'n')
				ch = '\n';
			else {
				rc = fail_at(c, i, "unknown escape (use \\\" \\\\ or \\n)");
				goto out;
			}
			i++;
		}
		buf[n++] = ch;
	}
	rc = fail_at(c, open, "missing closing quote");
out:
	free(buf);
	return rc;
}

/* A word or a "quoted string" (name, file): non-empty, one line, at most max bytes. */
static int parse_word_or_quoted(struct cursor *c, size_t max, const char *what, char **out)
{
	char reason[80];
	skip_blanks(c);
	size_t start = c->pos;
	if (c->pos < c->len && c->s[c->pos] == '"') {
		int rc = parse_quoted(c, max, what, out);
		if (rc < 0)
			return rc;
		if (!**out || strchr(*out, '\n')) {
			snprintf(reason, sizeof(reason), **out ? "line break in a %s" : "empty %s",
				 what);
			free(*out);
			*out = NULL;
			return fail_at(c, start, reason);
		}
		return 0;
	}
	size_t n = word_len(c);
	if (!n || c->s[start] == '#') {
		snprintf(reason, sizeof(reason), "expected a %s", what);
		return fail_at(c, start, reason);
	}
	if (n > max) {
		snprintf(reason, sizeof(reason), "%s longer than %zu bytes", what, max);
		return fail_at(c, start, reason);
	}
	*out = strndup(c->s + start, n);
	if (!*out)
		return -ENOMEM;
	c->pos += n;
	return 0;
}

/* Chat text: the rest of the line (trailing blanks dropped), or one quoted string. */
static int parse_chat_text(struct cursor *c, char **out)
{
	skip_blanks(c);
	size_t start = c->pos, end = c->len;
	while (end > start && is_blank(c->s[end - 1]))
		end--;
	if (start == end)
		return fail_at(c, start, "expected chat text");
	if (c->s[start] == '"') {
		int rc = parse_quoted(c, SCRIPT_TEXT_MAX, "chat text", out);
		if (rc < 0)
			return rc;
		if (!**out) {
			free(*out);
			*out = NULL;
			return fail_at(c, start, "empty chat text");
		}
		if (!at_end(c)) {
			free(*out);
			*out = NULL;
			skip_blanks(c);
			return fail_at(c, c->pos, "text after the closing quote (quote all of it)");
		}
		return 0;
	}
	if (end - start > SCRIPT_TEXT_MAX)
		return fail_at(c, start, "chat text longer than 4096 bytes");
	*out = strndup(c->s + start, end - start);
	if (!*out)
		return -ENOMEM;
	c->pos = c->len;
	return 0;
}

static int push_action(struct script *s, const struct script_action *a)
{
	if (s->n_acts == s->cap_acts) {
		size_t cap = s->cap_acts ? s->cap_acts * 2 : 16;
		struct script_action *n = realloc(s->acts, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->acts = n;
		s->cap_acts = cap;
	}
	s->acts[s->n_acts++] = *a;
	return 0;
}

static int parse_action(struct script *s, struct cursor *c)
{
	struct script_action a = { .line = c->line };
	char *file = NULL, *text = NULL, *to = NULL;
	int rc = parse_time(c, &a.at_ms);
	if (rc < 0)
		return rc;
	skip_blanks(c);
	size_t kw = c->pos;
	if (accept(c, "say")) {
		a.type = SCRIPT_ACT_SAY;
		if ((rc = parse_word_or_quoted(c, SCRIPT_FILE_MAX, "file name", &file)) < 0 ||
		    (rc = expect_end(c)) < 0)
			goto out;
	} else if (accept(c, "chat")) {
		a.type = SCRIPT_ACT_CHAT;
		s->needs |= SCRIPT_NEED_CHAT;
		size_t save = c->pos;
		if (accept(c, "to") && !at_end(c)) {
			if ((rc = parse_word_or_quoted(c, SCRIPT_NAME_MAX, "name", &to)) < 0)
				goto out;
			if (at_end(c)) {
				skip_blanks(c);
				rc = fail_at(c, c->pos, "expected chat text after the name");
				goto out;
			}
		} else {
			c->pos = save;
		}
		if ((rc = parse_chat_text(c, &text)) < 0)
			goto out;
	} else if (accept(c, "mute")) {
		a.type = SCRIPT_ACT_MUTE;
		rc = expect_end(c);
	} else if (accept(c, "unmute")) {
		a.type = SCRIPT_ACT_UNMUTE;
		rc = expect_end(c);
	} else if (accept(c, "video")) {
		if (accept(c, "on")) {
			a.type = SCRIPT_ACT_VIDEO_ON;
			s->needs |= SCRIPT_NEED_VIDEO;
		} else if (accept(c, "off")) {
			a.type = SCRIPT_ACT_VIDEO_OFF;
		} else {
			skip_blanks(c);
			rc = fail_at(c, c->pos, "expected on or off");
			goto out;
		}
		rc = expect_end(c);
	} else if (accept(c, "leave")) {
		a.type = SCRIPT_ACT_LEAVE;
		rc = expect_end(c);
	} else if (accept(c, "nick")) {
		a.type = SCRIPT_ACT_NICK;
		if ((rc = parse_word_or_quoted(c, SCRIPT_NICK_MAX, "name", &text)) < 0 ||
		    (rc = expect_end(c)) < 0)
			goto out;
	} else {
		rc = fail_at(c, kw, "expected an action: say, chat, mute, unmute, video, nick or "
			     "leave");
	}
	if (rc < 0)
		goto out;
	a.file = file;
	a.text = text;
	a.to = to;
	rc = push_action(s, &a);
	if (rc == 0)
		return 0;
out:
	free(file);
	free(text);
	free(to);
	return rc;
}

/* Copies the statement's text (bytes [start, end) of the line) as an expectation's source,
 * shortened at a character boundary. */
static char *source_copy(const char *s, size_t start, size_t end)
{
	size_t n = end - start, max = SCRIPT_SOURCE_MAX - 4;
	bool cut = n > max;
	if (cut) {
		n = max;
		while (n && ((unsigned char)s[start + n] & 0xc0) == 0x80)
			n--;
	}
	char *out = malloc(n + 4);
	if (!out)
		return NULL;
	memcpy(out, s + start, n);
	strcpy(out + n, cut ? "..." : "");
	/* A quoted "\n" may have come through as text: keep the source on one line. */
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return out;
}

/* source_copy with the bytes [hole, hole_end) replaced by SCRIPT_CHAT_HIDDEN: the text of a
 * chat expectation never reaches a message, a report or a log. */
static char *source_hidden(const char *s, size_t start, size_t hole, size_t hole_end, size_t end)
{
	size_t hl = strlen(SCRIPT_CHAT_HIDDEN), n = (hole - start) + hl + (end - hole_end);
	char *tmp = malloc(n + 1);
	if (!tmp)
		return NULL;
	memcpy(tmp, s + start, hole - start);
	memcpy(tmp + (hole - start), SCRIPT_CHAT_HIDDEN, hl);
	memcpy(tmp + (hole - start) + hl, s + hole_end, end - hole_end);
	tmp[n] = '\0';
	char *out = source_copy(tmp, 0, n);
	free(tmp);
	return out;
}

static int parse_within(struct cursor *c, struct script_expect_info *in)
{
	int rc = expect_kw(c, "within", "expected within and a time");
	if (rc == 0)
		rc = parse_time(c, &in->within_ms);
	return rc;
}

static int parse_expect(struct script *s, struct cursor *c, size_t stmt_start)
{
	struct expect e = { .info.line = c->line };
	struct script_expect_info *in = &e.info;
	int rc;
	size_t hole = 0, hole_end = 0; /* a chat expectation's text, hidden in the source */
	skip_blanks(c);
	size_t kw = c->pos;
	if (accept(c, "participants")) {
		static const struct { const char *op; enum script_cmp cmp; } ops[] = {
			{ ">=", SCRIPT_CMP_GE }, { "<=", SCRIPT_CMP_LE }, { "==", SCRIPT_CMP_EQ },
			{ ">", SCRIPT_CMP_GT }, { "<", SCRIPT_CMP_LT },
		};
		in->type = SCRIPT_EXP_PARTICIPANTS;
		size_t i;
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (accept(c, ops[i].op))
				break;
		if (i == sizeof(ops) / sizeof(ops[0])) {
			skip_blanks(c);
			rc = fail_at(c, c->pos, "expected a comparison: >=, <=, ==, > or <");
			goto out;
		}
		in->cmp = ops[i].cmp;
		skip_blanks(c);
		size_t start = c->pos, n = word_len(c);
		uint64_t v = 0;
		for (size_t k = 0; k < n; k++) {
			char d = c->s[start + k];
			if (d < '0' || d > '9') {
				rc = fail_at(c, start, "expected a number");
				goto out;
			}
			v = v * 10 + (uint64_t)(d - '0');
			if (v > SCRIPT_COUNT_MAX) {
				rc = fail_at(c, start, "number too large");
				goto out;
			}
		}
		if (!n) {
			rc = fail_at(c, start, "expected a number");
			goto out;
		}
		c->pos += n;
		in->count = (unsigned)v;
		rc = parse_within(c, in);
	} else if (accept(c, "audio")) {
		in->type = SCRIPT_EXP_AUDIO;
		s->needs |= SCRIPT_NEED_AUDIO;
		rc = parse_within(c, in);
	} else if (accept(c, "video")) {
		in->type = SCRIPT_EXP_VIDEO;
		s->needs |= SCRIPT_NEED_VIDEO;
		rc = parse_within(c, in);
	} else if (accept(c, "chat")) {
		in->type = SCRIPT_EXP_CHAT;
		s->needs |= SCRIPT_NEED_CHAT;
		skip_blanks(c);
		hole = c->pos;
		rc = parse_word_or_quoted(c, SCRIPT_TEXT_MAX, "chat text", &e.text);
		hole_end = c->pos;
		if (rc == 0 && accept(c, "from"))
			rc = parse_word_or_quoted(c, SCRIPT_NAME_MAX, "name", &e.name);
		if (rc == 0)
			rc = parse_within(c, in);
	} else if (accept(c, "talking") || accept(c, "speaker")) {
		in->type = c->s[kw] == 't' ? SCRIPT_EXP_TALKING : SCRIPT_EXP_SPEAKER;
		s->needs |= SCRIPT_NEED_TALKING;
		rc = parse_word_or_quoted(c, SCRIPT_NAME_MAX, "name", &e.name);
		if (rc == 0)
			rc = parse_within(c, in);
	} else if (accept(c, "no")) {
		in->type = SCRIPT_EXP_NO_ERROR;
		rc = expect_kw(c, "error", "expected error (expect no error)");
	} else {
		rc = fail_at(c, kw,
			     "expected participants, audio, video, chat, talking, speaker or no "
			     "error");
	}
	if (rc == 0)
		rc = expect_end(c);
	if (rc < 0)
		goto out;
	e.source = in->type == SCRIPT_EXP_CHAT
			   ? source_hidden(c->s, stmt_start, hole, hole_end, c->pos)
			   : source_copy(c->s, stmt_start, c->pos);
	if (!e.source) {
		rc = -ENOMEM;
		goto out;
	}
	if (s->n_exps == s->cap_exps) {
		size_t cap = s->cap_exps ? s->cap_exps * 2 : 8;
		struct expect *n = realloc(s->exps, cap * sizeof(*n));
		if (!n) {
			rc = -ENOMEM;
			goto out;
		}
		s->exps = n;
		s->cap_exps = cap;
	}
	s->exps[s->n_exps++] = e;
	return 0;
out:
	free(e.source);
	free(e.text);
	free(e.name);
	return rc;
}

static int parse_line(struct script *s, struct cursor *c)
{
	const char *what = NULL;
	size_t bad = first_bad_byte(c->s, c->len, &what);
	if (bad < c->len)
		return fail_at(c, bad, what);
	skip_blanks(c);
	if (c->pos == c->len || c->s[c->pos] == '#')
		return 0;
	size_t start = c->pos;
	if (accept(c, "at"))
		return parse_action(s, c);
	if (accept(c, "expect"))
		return parse_expect(s, c, start);
	return fail_at(c, start, "expected at or expect");
}

static int action_order(const void *pa, const void *pb)
{
	const struct script_action *a = pa, *b = pb;
	if (a->at_ms != b->at_ms)
		return a->at_ms < b->at_ms ? -1 : 1;
	return (a->line > b->line) - (a->line < b->line);
}

int script_parse(const char *buf, size_t len, struct script **out, struct script_error *err)
{
	int rc = 0;
	if (err)
		memset(err, 0, sizeof(*err));
	if (len > SCRIPT_SIZE_MAX) {
		set_error(err, 0, 0, "script larger than %u bytes", SCRIPT_SIZE_MAX);
		return -EINVAL;
	}
	struct script *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	size_t pos = 0;
	unsigned line = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t n = end - pos;
		if (n && buf[pos + n - 1] == '\r')
			n--;
		if (++line > SCRIPT_LINES_MAX) {
			set_error(err, line, 0, "more than %u lines", SCRIPT_LINES_MAX);
			rc = -EINVAL;
			goto out;
		}
		struct cursor c = { .s = buf + pos, .len = n, .line = line, .err = err };
		if (n > SCRIPT_LINE_MAX)
			rc = fail_at(&c, SCRIPT_LINE_MAX, "line longer than 8192 bytes");
		else
			rc = parse_line(s, &c);
		if (rc < 0)
			goto out;
		pos = end + 1;
	}
	if (s->n_acts > 1)
		qsort(s->acts, s->n_acts, sizeof(*s->acts), action_order);
	*out = s;
	return 0;
out:
	script_destroy(s);
	return rc;
}

void script_destroy(struct script *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_acts; i++) {
		free((char *)s->acts[i].file);
		free((char *)s->acts[i].text);
		free((char *)s->acts[i].to);
	}
	for (size_t i = 0; i < s->n_exps; i++) {
		free(s->exps[i].source);
		free(s->exps[i].text);
		free(s->exps[i].name);
	}
	free(s->acts);
	free(s->exps);
	free(s);
}

size_t script_action_count(const struct script *s)
{
	return s->n_acts;
}

const struct script_action *script_action_get(const struct script *s, size_t i)
{
	return i < s->n_acts ? &s->acts[i] : NULL;
}

size_t script_expect_count(const struct script *s)
{
	return s->n_exps;
}

int script_expect_get(const struct script *s, size_t i, struct script_expect_info *out)
{
	if (i >= s->n_exps)
		return -ERANGE;
	const struct expect *e = &s->exps[i];
	*out = e->info;
	out->source = e->source;
	out->text = e->text;
	out->name = e->name;
	out->message = e->message;
	return 0;
}

unsigned script_needs(const struct script *s)
{
	return s->needs;
}

size_t script_tick(struct script *s, uint64_t now_ms, const struct script_action **out,
		   size_t max)
{
	size_t n = 0;
	while (!s->finished && n < max && s->next_act < s->n_acts &&
	       s->acts[s->next_act].at_ms <= now_ms)
		out[n++] = &s->acts[s->next_act++];
	return n;
}

int script_next_event_ms(const struct script *s, uint64_t *at_ms)
{
	bool any = false;
	uint64_t t = UINT64_MAX;
	if (s->finished)
		return -ENOENT;
	if (s->next_act < s->n_acts) {
		t = s->acts[s->next_act].at_ms;
		any = true;
	}
	for (size_t i = 0; i < s->n_exps; i++) {
		const struct script_expect_info *in = &s->exps[i].info;
		if (in->state != SCRIPT_PENDING || in->type == SCRIPT_EXP_NO_ERROR)
			continue;
		if (in->within_ms + 1 < t)
			t = in->within_ms + 1;
		any = true;
	}
	if (!any)
		return -ENOENT;
	*at_ms = t;
	return 0;
}

/* "12.3 s", rounded to a tenth, independent of the locale. */
static void fmt_seconds(char *buf, size_t len, uint64_t ms)
{
	uint64_t tenths = (ms + 50) / 100;
	snprintf(buf, len, "%llu.%u s", (unsigned long long)(tenths / 10), (unsigned)(tenths % 10));
}

static void set_state(struct expect *e, enum script_state st, uint64_t when)
{
	e->info.state = st;
	e->info.when_ms = when;
}

static void fail_expect(struct script *s, struct expect *e, uint64_t when, bool leaving)
{
	char t[32], why[SCRIPT_MESSAGE_MAX];
	const struct script_expect_info *in = &e->info;
	fmt_seconds(t, sizeof(t), when);
	const char *after = leaving ? "when leaving at" : "after";
	switch (in->type) {
	case SCRIPT_EXP_PARTICIPANTS:
		if (!s->have_count)
			snprintf(why, sizeof(why), "no participant count %s %s", after, t);
		else if (in->cmp == SCRIPT_CMP_GE || in->cmp == SCRIPT_CMP_GT)
			snprintf(why, sizeof(why), "only %u %s %s", s->count_max, after, t);
		else if (in->cmp == SCRIPT_CMP_LE || in->cmp == SCRIPT_CMP_LT)
			snprintf(why, sizeof(why), "still %u %s %s", s->count_min, after, t);
		else
			snprintf(why, sizeof(why), "%u %s %s", s->count_last, after, t);
		break;
	case SCRIPT_EXP_AUDIO:
		snprintf(why, sizeof(why), "no audio %s %s", after, t);
		break;
	case SCRIPT_EXP_VIDEO:
		snprintf(why, sizeof(why), "no video %s %s", after, t);
		break;
	case SCRIPT_EXP_CHAT:
		snprintf(why, sizeof(why), "no such message %s %s (%u received)", after, t,
			 s->chats_seen);
		break;
	case SCRIPT_EXP_TALKING:
		snprintf(why, sizeof(why), "no talking from %s %s %s", e->name, after, t);
		break;
	case SCRIPT_EXP_SPEAKER:
		snprintf(why, sizeof(why), "%s was not the main speaker %s %s", e->name, after, t);
		break;
	case SCRIPT_EXP_NO_ERROR:
		snprintf(why, sizeof(why), "an error at %s", t);
		break;
	}
	int n = snprintf(e->message, sizeof(e->message), "line %u: %s: %s", in->line, e->source,
			 why);
	if (n >= (int)sizeof(e->message)) { /* cut at a character boundary */
		size_t k = sizeof(e->message) - 1;
		while (k && ((unsigned char)e->message[k] & 0xc0) == 0x80)
			k--;
		e->message[k] = '\0';
	}
	set_state(e, SCRIPT_FAILED, when);
}

/* Marks pending expectations of type t met when match(e) holds and now is in time. */
static void observe(struct script *s, uint64_t now_ms, enum script_expect_type t,
		    bool (*match)(const struct expect *e, const void *arg), const void *arg)
{
	if (s->finished)
		return;
	for (size_t i = 0; i < s->n_exps; i++) {
		struct expect *e = &s->exps[i];
		if (e->info.type != t || e->info.state != SCRIPT_PENDING ||
		    now_ms > e->info.within_ms)
			continue;
		if (!match || match(e, arg))
			set_state(e, SCRIPT_MET, now_ms);
	}
}

static bool count_matches(const struct expect *e, const void *arg)
{
	unsigned n = *(const unsigned *)arg, want = e->info.count;
	switch (e->info.cmp) {
	case SCRIPT_CMP_GE: return n >= want;
	case SCRIPT_CMP_LE: return n <= want;
	case SCRIPT_CMP_EQ: return n == want;
	case SCRIPT_CMP_GT: return n > want;
	case SCRIPT_CMP_LT: return n < want;
	}
	return false;
}

void script_observe_participants(struct script *s, uint64_t now_ms, unsigned n)
{
	if (s->finished)
		return;
	if (!s->have_count) {
		s->count_min = s->count_max = n;
		s->have_count = true;
	}
	s->count_last = n;
	if (n < s->count_min)
		s->count_min = n;
	if (n > s->count_max)
		s->count_max = n;
	observe(s, now_ms, SCRIPT_EXP_PARTICIPANTS, count_matches, &n);
}

void script_observe_audio(struct script *s, uint64_t now_ms)
{
	observe(s, now_ms, SCRIPT_EXP_AUDIO, NULL, NULL);
}

void script_observe_video(struct script *s, uint64_t now_ms)
{
	observe(s, now_ms, SCRIPT_EXP_VIDEO, NULL, NULL);
}

struct chat_arg {
	const char *from, *text;
};

static bool chat_matches(const struct expect *e, const void *arg)
{
	const struct chat_arg *m = arg;
	if (e->name && (!m->from || strcmp(e->name, m->from)))
		return false;
	return strstr(m->text, e->text) != NULL;
}

void script_observe_chat(struct script *s, uint64_t now_ms, const char *from, const char *text)
{
	if (s->finished || !text)
		return;
	s->chats_seen++;
	struct chat_arg m = { from, text };
	observe(s, now_ms, SCRIPT_EXP_CHAT, chat_matches, &m);
}

static bool name_matches(const struct expect *e, const void *arg)
{
	return !strcmp(e->name, (const char *)arg);
}

void script_observe_talking(struct script *s, uint64_t now_ms, const char *name)
{
	if (name)
		observe(s, now_ms, SCRIPT_EXP_TALKING, name_matches, name);
}

void script_observe_speaker(struct script *s, uint64_t now_ms, const char *name)
{
	if (name)
		observe(s, now_ms, SCRIPT_EXP_SPEAKER, name_matches, name);
}

void script_observe_error(struct script *s, uint64_t now_ms)
{
	if (s->finished)
		return;
	s->error_seen = true;
	for (size_t i = 0; i < s->n_exps; i++) {
		struct expect *e = &s->exps[i];
		if (e->info.type == SCRIPT_EXP_NO_ERROR && e->info.state == SCRIPT_PENDING)
			fail_expect(s, e, now_ms, false);
	}
}

static void count_states(struct script *s, struct script_status *st)
{
	struct script_status z = { 0 };
	for (size_t i = 0; i < s->n_exps; i++) {
		struct expect *e = &s->exps[i];
		e->info.changed = e->info.state != e->reported;
		e->reported = e->info.state;
		if (e->info.state == SCRIPT_MET)
			z.met++;
		else if (e->info.state == SCRIPT_FAILED)
			z.failed++, z.newly_failed += e->info.changed;
		else
			z.pending++;
	}
	if (st)
		*st = z;
}

void script_check(struct script *s, uint64_t now_ms, struct script_status *st)
{
	for (size_t i = 0; i < s->n_exps && !s->finished; i++) {
		struct expect *e = &s->exps[i];
		if (e->info.state == SCRIPT_PENDING && e->info.type != SCRIPT_EXP_NO_ERROR &&
		    now_ms > e->info.within_ms)
			fail_expect(s, e, e->info.within_ms, false);
	}
	count_states(s, st);
}

void script_finish(struct script *s, uint64_t now_ms, struct script_status *st)
{
	if (!s->finished) {
		for (size_t i = 0; i < s->n_exps; i++) {
			struct expect *e = &s->exps[i];
			if (e->info.state != SCRIPT_PENDING)
				continue;
			if (e->info.type == SCRIPT_EXP_NO_ERROR)
				set_state(e, SCRIPT_MET, now_ms);
			else if (now_ms > e->info.within_ms)
				fail_expect(s, e, e->info.within_ms, false);
			else
				fail_expect(s, e, now_ms, true);
		}
		s->finished = true;
	}
	count_states(s, st);
}

int script_exit_code(const struct script *s)
{
	for (size_t i = 0; i < s->n_exps; i++)
		if (s->exps[i].info.state == SCRIPT_FAILED)
			return TTM_EXIT_SCRIPT;
	return TTM_EXIT_OK;
}
