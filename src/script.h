/* Test scripts (--script FILE): timed actions and expectations for a headless participant.
 *
 * Data flow: script_parse turns the file's bytes into a struct script (pure, bounded, errors
 * name the line and column). The caller then drives it with its own clock: script_tick hands
 * out the actions that are due, in time order (ties in file order); observations of what the
 * session saw (script_observe_*) may meet expectations; script_check fails those whose deadline
 * passed, script_finish settles everything when the participant leaves. Times are milliseconds
 * on the caller's clock, counted from the script's origin (ttymeet: the participant's start,
 * the "t" of its events). No I/O, no globals: one script per participant, any thread, but one
 * thread at a time per script.
 *
 * docs (for the man page; keep in sync with the parser):
 *
 *   A script has one statement per line. Blank lines are ignored; a line whose first non-blank
 *   character is # is a comment, and a statement may end with "# comment" (not after unquoted
 *   chat text, which runs to the end of the line). Keywords are lower case. Lines may end in
 *   CRLF. At most 10000 lines of 8192 bytes; the file must be UTF-8 without control
 *   characters other than tab.
 *
 *   TIME is a number with a unit: 500ms, 2s, 1.5s, 1m (minutes); whole milliseconds, at most
 *   24h. All times count from the participant's start.
 *
 *   Actions, run in time order (same time: file order):
 *     at TIME say FILE          play a WAV file as the microphone (FILE: a word or "quoted";
 *                               relative to the directory ttymeet was started in)
 *     at TIME chat TEXT         send TEXT to the room: the rest of the line, as written;
 *                               TEXT that starts with " must be one "quoted string" (the
 *                               quotes are removed; \" \\ and \n work inside)
 *     at TIME chat to NAME TEXT send TEXT privately to the participant NAME (a word or
 *                               "quoted"); use at 1s chat "to be or not" for a public
 *                               message that starts with "to"
 *     at TIME mute              stop sending audio
 *     at TIME unmute            send audio again
 *     at TIME video on          start receiving (or publishing, with --video-source) video
 *     at TIME video off         stop it
 *     at TIME nick NAME         rename yourself in the meeting (NAME: a word or "quoted",
 *                               as --name takes it; a refusal is a notice and fails
 *                               expect no error)
 *     at TIME leave             leave the room; the script ends
 *
 *   Expectations (all decide the exit code: any not met means exit 7). Each one is met the
 *   first time what it asks for is observed at or before its deadline, and fails when its
 *   deadline passes or the participant leaves first:
 *     expect participants OP N within TIME   the room's participant count (ourselves
 *                                            included) compared with N; OP is one of
 *                                            >= <= == > <
 *     expect audio within TIME               decoded, non-silent audio was received
 *     expect video within TIME               a decoded video frame was received
 *     expect chat "TEXT" within TIME         a message from someone else containing TEXT
 *     expect chat "TEXT" from NAME within TIME  ... sent by NAME
 *     expect talking NAME within TIME        NAME started talking
 *     expect speaker NAME within TIME        NAME became the meeting's main speaker (a
 *                                            Jitsi bridge's dominant speaker)
 *     expect no error                        no error happened until the end
 *
 *   Example:
 *     # alice greets, waits for bob, then leaves
 *     at 2s say greeting.wav
 *     at 5s chat hello everyone
 *     at 6s chat to bob "see you at 3"
 *     at 6.5s mute
 *     at 8s unmute             # back on
 *     expect participants >= 3 within 10s
 *     expect audio within 5s
 *     expect chat "hi alice" from bob within 15s
 *     expect talking bob within 20s
 *     expect no error
 *     at 20s leave
 *
 *   A mistake stops ttymeet before it joins, naming the place, e.g.
 *     script.txt: line 3, column 4: expected a time like 2s or 500ms
 *   A failed expectation is reported with its line, e.g.
 *     line 7: expect participants >= 3 within 10s: only 2 after 10.0 s
 */
#ifndef TTM_SRC_SCRIPT_H
#define TTM_SRC_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCRIPT_SIZE_MAX (1u << 20)    /* bytes of a script file */
#define SCRIPT_LINES_MAX 10000u
#define SCRIPT_LINE_MAX 8192u         /* bytes of one line, without the line end */
#define SCRIPT_TEXT_MAX 4096u         /* bytes of chat text (SESSION_CHAT_MAX) */
#define SCRIPT_NAME_MAX 127u          /* bytes of a participant name (SESSION_NAME_MAX - 1) */
#define SCRIPT_NICK_MAX 64u           /* bytes of a nick action's name (SESSION_NICK_MAX) */
#define SCRIPT_FILE_MAX 4095u         /* bytes of a file name */
#define SCRIPT_TIME_MAX_MS 86400000u  /* 24 h */
#define SCRIPT_COUNT_MAX 1000000u     /* largest N in expect participants */
#define SCRIPT_SOURCE_MAX 160u        /* bytes of an expectation's quoted source text */
#define SCRIPT_CHAT_HIDDEN "(chat text)" /* stands for a chat expectation's text in its source */
#define SCRIPT_MESSAGE_MAX 400u       /* bytes of a failure message, NUL included */

struct script;

enum script_action_type {
	SCRIPT_ACT_SAY,
	SCRIPT_ACT_CHAT,
	SCRIPT_ACT_MUTE,
	SCRIPT_ACT_UNMUTE,
	SCRIPT_ACT_VIDEO_ON,
	SCRIPT_ACT_VIDEO_OFF,
	SCRIPT_ACT_LEAVE,
	SCRIPT_ACT_NICK,
};

/* One action; strings belong to the script and live until script_destroy. */
struct script_action {
	enum script_action_type type;
	unsigned line;
	uint64_t at_ms;
	const char *file; /* SAY: the file name as written */
	const char *text; /* CHAT: the message (valid UTF-8, may contain '\n' from "\n"); NICK:
			   * the new name */
	const char *to;   /* CHAT: recipient of a private message, NULL for the room */
};

enum script_expect_type {
	SCRIPT_EXP_PARTICIPANTS,
	SCRIPT_EXP_AUDIO,
	SCRIPT_EXP_VIDEO,
	SCRIPT_EXP_CHAT,
	SCRIPT_EXP_TALKING,
	SCRIPT_EXP_SPEAKER,
	SCRIPT_EXP_NO_ERROR,
};

enum script_cmp { SCRIPT_CMP_GE, SCRIPT_CMP_LE, SCRIPT_CMP_EQ, SCRIPT_CMP_GT, SCRIPT_CMP_LT };

enum script_state { SCRIPT_PENDING, SCRIPT_MET, SCRIPT_FAILED };

/* An expectation as parsed plus where it stands (see script_expect_get). */
struct script_expect_info {
	enum script_expect_type type;
	unsigned line;
	const char *source;   /* the statement as written, trimmed (shortened with "..."); a
			       * chat expectation's text is SCRIPT_CHAT_HIDDEN: sources go into
			       * messages, stderr and --report, which never hold chat text */
	uint64_t within_ms;   /* deadline; 0 for NO_ERROR (checked at the end) */
	enum script_cmp cmp;  /* PARTICIPANTS */
	unsigned count;       /* PARTICIPANTS: N */
	const char *text;     /* CHAT: TEXT */
	const char *name;     /* CHAT: NAME or NULL; TALKING, SPEAKER: NAME */
	enum script_state state;
	uint64_t when_ms;     /* MET: when it was observed; FAILED: when it was decided */
	bool changed;         /* the latest script_check/script_finish found it in a new state */
	const char *message;  /* FAILED: "line 7: expect ...: only 2 after 10.0 s"; else "" */
};

struct script_error {
	unsigned line, column; /* 1-based; column counts characters; 0 when not about a place */
	char message[160];     /* "line 3, column 9: expected a time like 2s or 500ms" */
};

struct script_status {
	unsigned met, pending, failed;
	unsigned newly_failed; /* failed since the previous script_check */
};

/* What a script needs the session to decode or watch (bits of script_needs). */
#define SCRIPT_NEED_AUDIO 1u   /* expect audio */
#define SCRIPT_NEED_VIDEO 2u   /* expect video, or a video on action */
#define SCRIPT_NEED_CHAT 4u    /* chat actions or expect chat */
#define SCRIPT_NEED_TALKING 8u /* expect talking */

/* Parses buf[0..len) (need not be NUL-terminated). 0 and *out, or -EINVAL with err filled
 * (err may be NULL), -ENOMEM. An empty script is valid. */
int script_parse(const char *buf, size_t len, struct script **out, struct script_error *err);
/* Frees the script and every string it handed out. NULL is fine. */
void script_destroy(struct script *s);

size_t script_action_count(const struct script *s);
/* The i-th action in execution order (time, then line), NULL past the end. */
const struct script_action *script_action_get(const struct script *s, size_t i);
size_t script_expect_count(const struct script *s);
/* Fills *out for the i-th expectation in file order; -ERANGE past the end. */
int script_expect_get(const struct script *s, size_t i, struct script_expect_info *out);
/* SCRIPT_NEED_* bits. */
unsigned script_needs(const struct script *s);

/* Writes into out (room for max) the actions due at now_ms that were not handed out yet, in
 * order; returns how many. Call again while it returns max. */
size_t script_tick(struct script *s, uint64_t now_ms, const struct script_action **out,
		   size_t max);
/* The next time something happens by itself (an action falls due or a deadline passes):
 * 0 and *at_ms, or -ENOENT when nothing is left to wait for. */
int script_next_event_ms(const struct script *s, uint64_t *at_ms);

/* Observations at now_ms. n: participants in the room, ourselves included. */
void script_observe_participants(struct script *s, uint64_t now_ms, unsigned n);
/* Decoded non-silent audio was received. */
void script_observe_audio(struct script *s, uint64_t now_ms);
/* A decoded video frame was received. */
void script_observe_video(struct script *s, uint64_t now_ms);
/* A chat message from someone else arrived (not our own echo); from may be NULL. */
void script_observe_chat(struct script *s, uint64_t now_ms, const char *from, const char *text);
/* The participant named name started talking. */
void script_observe_talking(struct script *s, uint64_t now_ms, const char *name);
/* The participant named name became the meeting's main speaker (SESSION_EV_SPEAKER). */
void script_observe_speaker(struct script *s, uint64_t now_ms, const char *name);
/* An error happened (fails expect no error at once). */
void script_observe_error(struct script *s, uint64_t now_ms);

/* Fails pending expectations whose deadline is before now_ms; counts states into *st. */
void script_check(struct script *s, uint64_t now_ms, struct script_status *st);
/* The participant is leaving at now_ms: expect no error is met if no error was seen, every
 * other pending expectation fails. Counts into *st like script_check (st may be NULL). */
void script_finish(struct script *s, uint64_t now_ms, struct script_status *st);
/* TTM_EXIT_SCRIPT (7) if any expectation failed, else 0. */
int script_exit_code(const struct script *s);

#endif
