/* The terminal UI: a client of the session exactly like the headless driver. It consumes the
 * session's typed events (tui_on_event) and acts only through the commands its owner wires
 * into struct tui_ops (main.c maps them to session_* calls), so it never sees the protocol.
 *
 * Life cycle: tui_create takes over the terminal (ncursesw, alternate screen, stderr captured
 * by ui/diag.h) and shows the privacy notice; nothing is connected until the user presses
 * Enter (ops->accept). q/Esc calls ops->decline. With --accept-privacy the meeting view comes
 * up at once. tui_destroy gives the terminal back. Keys are read from stdin through a GLib fd
 * source and the screen is redrawn from the model at most once per loop turn, only the panes
 * whose dirty flag is set (wnoutrefresh per pane, one doupdate).
 *
 * The terminal is one per process: the only static state is the pointer an atexit() handler
 * uses to restore it if the program exits while the UI is up. Thread: the loop's thread.
 */
#ifndef TTM_UI_TUI_H
#define TTM_UI_TUI_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/cli.h"
#include "src/session.h"

struct tui;

/* Commands from the UI to its owner; called from the loop, never from inside a tui_* call. */
struct tui_ops {
	void (*accept)(void *user);  /* the notice was accepted: connect now */
	void (*decline)(void *user); /* declined before joining: quit; nothing was sent */
	int (*set_muted)(void *user, bool muted);
	int (*send_chat)(void *user, const char *to, const char *text); /* session_send_chat */
	/* /msg to one of two people of the same name: privately to the participant id
	 * (session_send_chat_to). NULL: such a message is refused. */
	int (*send_private)(void *user, uint64_t id, const char *text);
	void (*leave)(void *user);   /* /quit, Ctrl-C, a hang-up of the terminal */
	/* /device: switches the microphone (input) or the speaker to the PortAudio device name
	 * ("default": the default one); 0, or a negative code with a one-line reason in msg (the
	 * old device stays then). NULL: switching is not offered. */
	int (*set_device)(void *user, bool input, const char *name, char *msg, size_t msglen);
	/* /video and F6: "on", "off", "next" or a participant's name (session_set_video /
	 * session_show_video); 0 or -ENOTSUP (no video in this session), -ENOENT (nobody by that
	 * name sends video; "next": nobody does), -EALREADY ("next": the only sender is shown
	 * already), -ENOTCONN (not joined yet). NULL: no video. */
	int (*video)(void *user, const char *what);
	/* The pin typed at the masked prompt a SESSION_EV_PIN_NEEDED brings up (session_set_pin);
	 * the UI wipes its copy after the call. */
	int (*set_pin)(void *user, const char *pin);
	/* After SESSION_EV_GAVE_UP, the user's r: session_retry. 0 or a negative code. NULL:
	 * not offered. */
	int (*retry)(void *user);
	/* /nick NAME: session_set_name (0, -EINVAL, -ENAMETOOLONG, -EALREADY, -EBUSY, -ENOTCONN,
	 * -ENOTSUP); a RENAMED event (self) follows when it went through. NULL: not offered. */
	int (*set_name)(void *user, const char *name);
};

struct tui_config {
	const struct cli_options *opt;  /* settings shown in the notice and the bars (copied) */
	const char *operator_notice;    /* sanitized operator notice, or NULL (copied) */
	bool operator_notice_cut;
	GMainContext *ctx;              /* NULL: the default context */
};

/* Takes over the terminal and shows the notice (or the meeting view with accept_privacy).
 * Returns 0, or a negative code with a one-line reason in err (stdin/stdout not a terminal,
 * unknown TERM, --log file not writable); the terminal is untouched then. */
int tui_create(const struct tui_config *cfg, const struct tui_ops *ops, void *user,
	       struct tui **out, char *err, size_t errlen);
/* Tells the UI whether the meeting has a microphone and a speaker (false: no sound card for
 * that side); the status bar says "no mic" / "no speaker" instead of the level meter until
 * /device switches that side to a device. */
void tui_set_audio(struct tui *t, bool have_mic, bool have_speaker);
/* Feeds one session event into the model; the screen follows on the next redraw. */
void tui_on_event(struct tui *t, const struct session_event *ev);
/* Wipes the UI's chat copy (the display log) and the line being typed, and blanks the screen,
 * for an exit that cannot wait (tui_destroy still follows). Returns the lines wiped. */
unsigned tui_wipe(struct tui *t);
/* Gives the terminal back (leaves the alternate screen, restores stderr); when exit_code is
 * not 0 the last "ttymeet: " diagnostics are printed on stderr afterwards. Wipes and frees the
 * UI's chat copy and input history. NULL is fine. */
void tui_destroy(struct tui *t, int exit_code);

#endif
