/* Diagnostics while the terminal UI runs: stderr (fd 2) is redirected into a pipe the loop
 * reads, so nothing a library or our own code prints can land on the curses screen. Every
 * line goes to the --log file when one was given (opened 0600, appended); lines of our own
 * ("ttymeet: ...") are also handed to a callback for the UI and the last few are kept to be
 * printed on the real stderr after the UI has ended. Chat text is never written to stderr
 * by ttymeet, so it never reaches the log.
 *
 * The pipe's write end is non-blocking: if the loop falls behind, writers lose lines rather
 * than block. Thread: the loop's thread (writers to fd 2 may be any thread).
 */
#ifndef TTM_UI_DIAG_H
#define TTM_UI_DIAG_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define DIAG_KEEP 8 /* own lines kept for the replay */

struct diag;

/* line: NUL-terminated, without the newline, valid during the call. */
typedef void (*diag_line_cb)(void *user, const char *line);

/* Redirects fd 2 (log_path NULL: lines not kept are dropped). Returns 0, or a negative errno
 * code with a one-line reason in err (e.g. the log file cannot be opened). */
int diag_start(GMainContext *ctx, const char *log_path, diag_line_cb cb, void *user,
	       struct diag **out, char *err, size_t errlen);
/* Reads what is left, puts the original fd 2 back, and with replay writes the kept
 * "ttymeet: " lines to it. Frees d; NULL is fine. */
void diag_stop(struct diag *d, bool replay);

#endif
