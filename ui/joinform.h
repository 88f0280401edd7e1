/* The join form bare `ttymeet` opens in a terminal: meeting link or server URL, room, display
 * name and pin (masked), each typed into a field. Nothing typed is stored anywhere but the
 * caller's struct, which the caller wipes (joinform_wipe). Runs its own short curses session
 * (newterm .. endwin, delscreen) before the TUI starts; main thread, nothing else running. */
#ifndef TTM_UI_JOINFORM_H
#define TTM_UI_JOINFORM_H

#include <stddef.h>

#include "src/cli.h"

struct joinform {
	char url[512];                /* "ws://..." or a link "URL ROOM" pasted whole */
	char room[32];
	char name[CLI_NAME_MAX + 1];  /* starts as the default (the login name) */
	char pin[CLI_SECRET_MAX + 1]; /* shown as one '*' per character, never itself */
};

/* Checks the filled form (the caller parses it as the command line would); returns 0, or a
 * negative errno with one line in err, which the form shows while the user corrects it. */
typedef int (*joinform_check_cb)(void *user, const struct joinform *f, char *err,
				 size_t errlen);

/* Shows the form until Enter on a form check accepts, or Esc. Returns 0 (f filled), -ECANCELED
 * (Esc), or -ENOTTY (no usable terminal). */
int joinform_run(struct joinform *f, joinform_check_cb check, void *user);
/* Wipes everything typed. */
void joinform_wipe(struct joinform *f);

#endif
