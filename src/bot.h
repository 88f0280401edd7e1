/* A headless participant: one session with its media, an optional script (src/script.h) and
 * a report (src/report.h). Many bots share one loop and one ws_ctx (--participants N).
 *
 * Events go out as JSON lines (src/headless.c), tagged with the bot's name when several run
 * in one process; at the end a "summary" event carries the report. Thread: the loop's thread.
 */
#ifndef TTM_SRC_BOT_H
#define TTM_SRC_BOT_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "net/ws.h"
#include "src/cli.h"

struct bot;
struct audio_clip;

struct bot_config {
	const struct cli_options *opt; /* shared settings (not copied: must outlive the bot) */
	const char *name;              /* this bot's display name */
	const char *tag;               /* "who" field of its events, NULL for a single bot */
	const char *script_text;       /* --script contents (each bot parses its own), or NULL */
	size_t script_len;
	const char *turn_url, *turn_user, *turn_password;
	gint64 t0;                     /* monotonic µs its times count from */
	struct ws_ctx *ws;
	GMainContext *main;
	FILE *out;                     /* JSON lines */
	bool decode;                   /* decode received audio (someone listens or checks it) */
	const struct audio_clip *clip; /* --play already encoded, shared by a fleet, or NULL */
};

/* Called once when the bot has left (its exit code is final). */
typedef void (*bot_done_cb)(void *user, struct bot *b);

/* Creates a bot: opens its media. Errors are one line in msg with the exit code returned
 * negated (-TTM_EXIT_INPUT for a bad --play file, ...). */
int bot_create(const struct bot_config *cfg, bot_done_cb done, void *user, struct bot **out,
	       char *msg, size_t msglen);
/* Connects and joins; queued --chat messages go out once the chat is up. */
void bot_start(struct bot *b);
/* Leaves cleanly (reason: "duration", "signal", "user"). */
void bot_leave(struct bot *b, const char *reason);
/* One stdin line: chat ("/msg NAME text" private, "//x" sends "/x"), or "/video on|off|next|
 * NAME" (a notice says why it could not be done). */
int bot_input_line(struct bot *b, char *line);
bool bot_done(const struct bot *b);
/* Wipes the bot's chat at once (session_wipe_chat), for an exit that cannot wait; returns the
 * number of messages wiped. */
unsigned bot_wipe_chat(struct bot *b);
int bot_exit_code(const struct bot *b);
/* The bot's summary (new reference). */
json_t *bot_summary(const struct bot *b);
/* File descriptors a fleet process needs besides its participants (stdio, the loop, the
 * WebSocket context, /dev/urandom, --log/--report/--play files) with some margin. */
#define BOT_FDS_BASE 32
/* File descriptors one participant with opt's settings holds: one for its WebSocket and, for
 * each of its PeerConnections (audio, chat, a video publisher, a video subscriber), one UDP
 * socket per address ICE gathers on plus one (libnice's wakeup), and one of margin. Measured
 * in the lab (one veth: an IPv4 and an IPv6 link-local address): 7.4 a participant with audio
 * and chat, 13.6 also publishing and receiving video; this gives 8 and 14. */
unsigned bot_fds_per_participant(const struct cli_options *opt);
/* Raises the soft RLIMIT_NOFILE as far as n participants need, up to the hard limit.
 * Returns how many participants the limit holds (n when all fit, at least 1); *per gets
 * bot_fds_per_participant and *limit the soft limit now in force. */
int bot_fd_budget(const struct cli_options *opt, int n, unsigned *per, unsigned long *limit);
/* Frees the bot (after done, or to abandon it). Returns an error of finishing --record. */
int bot_destroy(struct bot *b);

#endif
