/* Slash-command parsing (see command.h): a table of names and argument shapes. */
#include "ui/command.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

enum args { ARGS_NONE, ARGS_REST, ARGS_NAME_TEXT, ARGS_SIDE_REST, ARGS_TEXT };

struct command_def {
	const char *name;
	enum command_id id;
	enum args args;
	const char *usage;
};

static const struct command_def defs[] = {
	{ "mute", CMD_MUTE, ARGS_NONE, "/mute" },
	{ "unmute", CMD_UNMUTE, ARGS_NONE, "/unmute" },
	{ "ptt", CMD_PTT, ARGS_NONE, "/ptt" },
	{ "msg", CMD_MSG, ARGS_NAME_TEXT, "/msg NAME TEXT" },
	{ "devices", CMD_DEVICES, ARGS_NONE, "/devices" },
	{ "device", CMD_DEVICE, ARGS_SIDE_REST, "/device [in|out] NAME" },
	{ "privacy", CMD_PRIVACY, ARGS_NONE, "/privacy" },
	{ "help", CMD_HELP, ARGS_NONE, "/help" },
	{ "bell", CMD_BELL, ARGS_NONE, "/bell" },
	{ "video", CMD_VIDEO, ARGS_REST, "/video on|off|next|normal|large|full|NAME" },
	{ "quit", CMD_QUIT, ARGS_NONE, "/quit" },
	{ "exit", CMD_QUIT, ARGS_NONE, "/quit" },
	{ "me", CMD_ME, ARGS_TEXT, "/me ACTION" },
	{ "names", CMD_NAMES, ARGS_NONE, "/names" },
	{ "who", CMD_NAMES, ARGS_NONE, "/names" },
	{ "clear", CMD_CLEAR, ARGS_NONE, "/clear" },
	{ "lastlog", CMD_LASTLOG, ARGS_REST, "/lastlog TEXT" },
	{ "nick", CMD_NICK, ARGS_REST, "/nick NAME" },
};

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

static bool blank(const char *p, const char *end)
{
	return skip_spaces(p, end) == end;
}

/* NAME is a word or a "quoted name"; then spaces; then a non-empty text. */
static bool parse_name_text(const char *p, const char *end, struct command *c)
{
	p = skip_spaces(p, end);
	const char *name = p;
	if (p < end && *p == '"') {
		name = ++p;
		while (p < end && *p != '"')
			p++;
		if (p == end)
			return false;
		c->arg = name;
		c->arg_len = (size_t)(p - name);
		p++;
	} else {
		while (p < end && *p != ' ')
			p++;
		c->arg = name;
		c->arg_len = (size_t)(p - name);
	}
	p = skip_spaces(p, end);
	c->text = p;
	return c->arg_len > 0 && p < end;
}

/* A leading word "in" or "out" followed by more names the side; returns where the rest
 * starts. */
static const char *parse_side(const char *p, const char *end, struct command *c)
{
	static const struct { const char *word; enum command_side side; } sides[] = {
		{ "in", SIDE_IN }, { "out", SIDE_OUT },
	};
	for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		size_t n = strlen(sides[i].word);
		if ((size_t)(end - p) > n && p[n] == ' ' && !strncasecmp(p, sides[i].word, n) &&
		    !blank(p + n, end)) {
			c->side = sides[i].side;
			return p + n;
		}
	}
	return p;
}

void command_parse(const char *line, size_t len, struct command *c)
{
	const char *end = line + len;
	memset(c, 0, sizeof(*c));
	c->text = line;
	if (blank(line, end)) {
		c->id = CMD_EMPTY;
		return;
	}
	if (line[0] != '/') {
		c->id = CMD_CHAT;
		return;
	}
	if (len > 1 && line[1] == '/') {
		c->id = CMD_CHAT;
		c->text = line + 1;
		return;
	}
	const char *word = line + 1, *p = word;
	while (p < end && *p != ' ')
		p++;
	size_t wl = (size_t)(p - word);
	c->id = CMD_UNKNOWN;
	c->arg = line;
	c->arg_len = wl + 1;
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		const struct command_def *d = &defs[i];
		if (strlen(d->name) != wl || strncasecmp(d->name, word, wl))
			continue;
		c->id = d->id;
		c->arg = NULL;
		c->arg_len = 0;
		c->usage = d->usage;
		bool ok = true;
		switch (d->args) {
		case ARGS_NONE:
			ok = blank(p, end);
			break;
		case ARGS_SIDE_REST:
			p = parse_side(skip_spaces(p, end), end, c);
			/* fall through */
		case ARGS_REST: {
			const char *a = skip_spaces(p, end), *e = end;
			while (e > a && e[-1] == ' ')
				e--;
			c->arg = a;
			c->arg_len = (size_t)(e - a);
			ok = c->arg_len > 0;
			break;
		}
		case ARGS_NAME_TEXT:
			ok = parse_name_text(p, end, c);
			break;
		case ARGS_TEXT: /* the whole line stays the text: "/me waves" */
			ok = !blank(p, end);
			break;
		}
		if (!ok) {
			c->id = CMD_USAGE;
			c->arg = NULL;
			c->arg_len = 0;
		}
		return;
	}
}
