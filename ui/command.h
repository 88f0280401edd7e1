/* Slash commands typed in the input line: parsing only (the TUI executes them). Results point
 * into the caller's line, which stays in locked memory; nothing is copied. Pure; any thread.
 */
#ifndef TTM_UI_COMMAND_H
#define TTM_UI_COMMAND_H

#include <stddef.h>

enum command_id {
	CMD_CHAT,     /* not a command: text (after "//" → "/" unescaping) goes to the room */
	CMD_EMPTY,    /* nothing to do (empty or blank line) */
	CMD_MUTE,
	CMD_UNMUTE,
	CMD_PTT,
	CMD_MSG,      /* arg: the recipient's name, text: the message */
	CMD_DEVICES,
	CMD_DEVICE,   /* arg: the device name; side: which of microphone and speaker */
	CMD_PRIVACY,
	CMD_HELP,
	CMD_BELL,
	CMD_VIDEO,    /* arg: "on", "off", "next", "normal", "large", "full" or a name */
	CMD_QUIT,
	CMD_ME,       /* text: the action ("/me waves" goes to the room as typed) */
	CMD_NAMES,    /* /names, /who: list the people in the chat */
	CMD_CLEAR,    /* empty the chat pane (this screen only) */
	CMD_LASTLOG,  /* arg: the text to look for in the chat */
	CMD_NICK,     /* arg: the new name (not offered yet: the TUI says how instead) */
	CMD_UNKNOWN,  /* arg: the command word as typed */
	CMD_USAGE,    /* a known command with bad arguments; usage: what it takes */
};

enum command_side {
	SIDE_BOTH, /* "/device NAME": whichever sides the device has */
	SIDE_IN,   /* "/device in NAME": the microphone */
	SIDE_OUT,  /* "/device out NAME": the speaker */
};

struct command {
	enum command_id id;
	enum command_side side; /* CMD_DEVICE */
	const char *arg;  /* not NUL-terminated: arg_len bytes */
	size_t arg_len;
	const char *text; /* NUL-terminated (a suffix of the line) */
	const char *usage;
};

/* Parses one input line (NUL-terminated, len bytes). Always fills out. */
void command_parse(const char *line, size_t len, struct command *out);

#endif
