/* Private to ui/: the TUI's state shared by tui.c (life cycle, events, terminal), draw.c
 * (rendering the model) and input.c (keys and commands). Not for use outside ui/.
 *
 * Model → screen: every change sets dirty bits and schedules one redraw (an idle source);
 * draw_render() repaints exactly the dirty panes. The display log is a src/chat.h store of
 * the UI's own (locked, wiped) holding chat messages from CHAT events and the UI's system
 * lines (flag TUI_LINE_SYSTEM) in arrival order.
 */
#ifndef TTM_UI_TUI_INT_H
#define TTM_UI_TUI_INT_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <glib.h>
#include <stdint.h>

#include "src/chat.h"
#include "src/i18n.h"
#include "src/jitsi/config.h"
#include "ui/chatview.h"
#include "ui/editor.h"
#include "ui/layout.h"
#include "ui/status.h"
#include "ui/tui.h"
#include "ui/vrender.h"

#define TUI_LINE_SYSTEM 0x100u /* display log: a line of the UI, not chat */
#define TUI_LINE_ALERT 0x200u  /* display log: an error or warning line */
#define TUI_LINE_MENTION 0x400u /* display log: a message that mentions our name */
#define ROSTER_CHAT_MARK "c"   /* roster: in the chat room only, not in the call */

enum tui_dirty {
	DIRTY_TITLE = 0x01,
	DIRTY_CHAT = 0x02,
	DIRTY_ROSTER = 0x04,
	DIRTY_VIDEO = 0x08,
	DIRTY_STATUS = 0x10,
	DIRTY_INPUT = 0x20,
	DIRTY_FRAME = 0x40,   /* separators */
	DIRTY_OVERLAY = 0x80, /* the full-screen window: notice, help, too small */
	DIRTY_PANES = 0x7F,
	DIRTY_ALL = 0xFF,
};

enum tui_win { W_TITLE, W_CHAT, W_VSEP, W_ROSTER, W_HSEP, W_VIDEO, W_STATUS, W_INPUT, W_FULL,
	       W_COUNT };

enum tui_overlay { OVERLAY_NONE, OVERLAY_NOTICE, OVERLAY_HELP };

enum tui_phase { PHASE_NOTICE, PHASE_MEETING, PHASE_ENDED };

enum tui_style { STYLE_NORMAL, STYLE_BAR, STYLE_GOOD, STYLE_WARN, STYLE_ALERT, STYLE_SELF,
		 STYLE_SYSTEM, STYLE_TALK, STYLE_MUTED, STYLE_DIM, STYLE_PRIVATE, STYLE_MARK,
		 STYLE_MENTION, STYLE_NICK0, /* STYLE_NICK0 + chatview_colour(name): a name's */
		 STYLE_COUNT = STYLE_NICK0 + CHATVIEW_PALETTE };

struct tui_person {
	uint64_t id;
	char name[SESSION_NAME_MAX];
	/* what the roster, /names, Tab and /msg use: the name, with a suffix from the id
	 * ("alice#3f2") while someone else in the room has the same name */
	char label[SESSION_NAME_MAX + CHATVIEW_SUFFIX_MAX];
	bool muted, talking, self, chat_only;
	bool moderator; /* of the room (Jitsi): "(moderator)" after the name */
	bool speaker;   /* the meeting's main speaker: '>' before the name when not talking */
};

struct tui {
	GMainContext *ctx;
	struct tui_ops ops;
	void *user;

	/* settings */
	enum i18n_lang lang;
	bool ascii, color, video_pane;
	char host[256], room[JITSI_ROOM_MAX + 1], name[CLI_NAME_MAX + 1]; /* room: a number or a Jitsi room name */
	char *notice; /* privacy notice body (g_malloc'd) */

	/* terminal */
	SCREEN *screen;
	WINDOW *win[W_COUNT];
	WINDOW *keys; /* a 1x1 pad keys are read through: wget_wch never refreshes a pad */
	bool cursor_on;
	int input_col; /* cursor column in the input line */
	struct layout lay;
	unsigned dirty;
	bool full_shown; /* W_FULL covers the screen: panes need a full repaint after it */
	chtype styles[STYLE_COUNT];
	GSource *in_src, *winch_src, *redraw_src, *ptt_src, *sig_src[3];

	/* model */
	enum tui_phase phase;
	GArray *people; /* struct tui_person, sorted: self first, then by name */
	struct status_model st;
	bool chat_ready, bell, leaving, ending, ptt_hint_shown;
	bool beeped; /* a full input line already beeped during this read */
	unsigned char mb[4]; /* a UTF-8 character being read in byte mode (LANG=C) */
	size_t mb_len, mb_need;
	gint64 ptt_deadline; /* monotonic µs when push-to-talk closes the microphone */
	struct chat_store *log;
	size_t scroll;   /* chat lines scrolled back from the bottom */
	unsigned unread; /* lines that arrived while scrolled back */
	/* The unread marker: the first line that arrived while scrolled back (a sequence number
	 * of the display log, chat_store_total() counting) gets a "new" row above it once the
	 * reader is back at the bottom; it stays until the next message sent. */
	uint64_t unread_seq, marker_seq;
	bool marker_on;
	struct editor *ed;
	char comp_hint[512]; /* Tab completion candidates shown in the status bar, or "" */
	/* the label the last private message by id went to ("alice#3f2"), for its echo */
	char priv_label[SESSION_NAME_MAX + CHATVIEW_SUFFIX_MAX];
	/* the masked pin prompt (SESSION_EV_PIN_NEEDED): replaces the input line until Enter
	 * or Esc; the text is never drawn (one '*' per character) and wiped after use */
	bool pin_prompt;
	char pin[CLI_SECRET_MAX + 1];
	size_t pin_len;
	unsigned pin_chars;
	enum tui_overlay overlay;
	size_t overlay_scroll;
	struct diag *diag;
	char last_error[256];

	/* video pane */
	struct vrender *vr;       /* NULL without a video pane */
	enum layout_video video_size; /* NORMAL, LARGE or FULL: F7/Alt-V, /video normal|... */
	bool video_off;           /* /video off: no pane (the chat gets the room) until on */
	double pic_aspect;        /* width / height of the last picture; 0: none yet */
	unsigned hidden_unread;   /* chat messages that came while the video filled the window */
	bool video_showing;       /* a picture is in the pane */
	char video_from[SESSION_NAME_MAX];
	enum ascii_mode video_mode;

	/* the server away (away.c) */
	bool away;            /* contact lost: reconnecting or given up; the model is stale */
	bool gave_up;         /* reconnecting gave up: r retries, q quits */
	gint64 away_since;    /* monotonic µs of the loss */
	GSource *settle_src;  /* after the rejoin: the roster settles before it is compared */
	GPtrArray *away_names; /* the others' names when contact was lost (sorted, g_free) */
	char log_only[4][320]; /* the last lines written for the --log file only (a ring) */
	unsigned log_next;
	gint64 frame_us;      /* monotonic µs of the last picture received */
	bool video_frozen;    /* the picture shown is old: marked frozen */
};

/* tui.c */
void tui_dirty(struct tui *t, unsigned mask);
/* Appends a system line (TUI_LINE_SYSTEM | extra flags) to the display log. */
void tui_system_line(struct tui *t, unsigned flags, const char *text);
/* tui_system_line with a catalog message and up to two arguments. */
void tui_system_msg(struct tui *t, unsigned flags, enum i18n_msg msg, const char *a1,
		    const char *a2);
/* After a terminal resize: new layout, every pane redrawn, the terminal repainted. */
void tui_relayout(struct tui *t);
/* Sets the video pane's size (the chat is back at its bottom line after full window). */
void tui_set_video_size(struct tui *t, enum layout_video size);
/* /video off (true) or on went through: the pane goes, or comes back in its size. */
void tui_set_video_off(struct tui *t, bool off);
void tui_set_overlay(struct tui *t, enum tui_overlay ov);
/* Mutes or unmutes through ops (leaving push-to-talk mode when asked by the user). */
void tui_set_muted(struct tui *t, bool muted, bool from_ptt);
void tui_ptt_mode(struct tui *t, bool on);
void tui_ptt_press(struct tui *t);
/* Wipes the pin being typed at the prompt. */
void tui_pin_clear(struct tui *t);
/* Ctrl-Z: gives the terminal back and stops the process (as the terminal's own suspend key
 * would); on SIGCONT (fg) takes the terminal again and redraws everything. */
void tui_suspend(struct tui *t);
/* The notice was accepted: switch to the meeting view and tell the owner. */
void tui_accept(struct tui *t);

/* draw.c */
void draw_render(struct tui *t);
/* Lines message m takes in the chat pane at its current width. */
size_t draw_msg_lines(struct tui *t, const struct chat_msg *m);
/* Lines of the whole display log in the chat pane. */
size_t draw_total_lines(struct tui *t);
/* Lines of the current overlay's text at the current width. */
size_t draw_overlay_lines(struct tui *t);

/* Sequence number (chat_store_total counting) of the display log's newest line. */
uint64_t tui_last_seq(const struct tui *t);
/* Gives every person their label again (after the roster changed). */
void tui_relabel(struct tui *t);

/* chatcmd.c: the commands of terminal chats */
/* /names, /who: one line with everyone (labels, "(you)", "(chat)"). */
void chatcmd_names(struct tui *t);
/* /clear: empties the chat pane (the display log, wiped); the session's own copy stays. */
void chatcmd_clear(struct tui *t);
/* /lastlog TEXT: the chat lines containing TEXT (case-insensitively), the newest
 * CHATCMD_LASTLOG_MAX of them, copied below as system lines; or one line saying none. */
#define CHATCMD_LASTLOG_MAX 50
void chatcmd_lastlog(struct tui *t, const char *text, size_t len);
/* The person whose label is name; else the only one with that name (exact, then
 * case-insensitively), not ourselves. NULL, with *ambiguous set when several have the name. */
const struct tui_person *chatcmd_find(struct tui *t, const char *name, bool *ambiguous);
/* "alice#3f2, alice#9a1": the labels of everyone called name (case-insensitively). */
void chatcmd_labels_of(struct tui *t, const char *name, char *out, size_t outlen);

/* away.c: the server away (lost, rejoined, given up) */
/* A RECONNECTING event: the first says so in the chat, the others update the status bar. */
void away_lost(struct tui *t, const struct session_event *ev);
/* A JOINED event: true when it ends an absence (said in one line; the caller says no more). */
bool away_rejoined(struct tui *t);
/* True while away or settling after a rejoin: roster and media lines are not said. */
bool away_quiet(const struct tui *t);
/* A GAVE_UP event: the meeting is lost; the keys are shown. */
void away_gave_up(struct tui *t, const struct session_event *ev);
/* A key while given up: r retries, q quits (only with an empty input line). True: taken. */
bool away_key(struct tui *t, bool is_key, wint_t ch);
/* A picture arrived; and once a second (STATS): marks a picture frozen when none comes. */
void away_frame(struct tui *t);
void away_tick(struct tui *t);
/* Writes one line for the --log file (stderr, ui/diag.h) that the chat does not show. */
void away_log(struct tui *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* msg is a line written by away_log: not to be shown. */
bool away_is_log_only(const struct tui *t, const char *msg);
void away_free(struct tui *t);

/* input.c */
/* Handles one key from input_read (is_key: KEY_CODE_YES). */
void input_key(struct tui *t, bool is_key, wint_t ch);
/* Reads one key like wget_wch: OK (a character), KEY_CODE_YES (a curses key) or ERR (none
 * waiting). In a locale without UTF-8 the bytes are read one by one and taken as UTF-8. */
int input_read(struct tui *t, wint_t *ch);

#endif
