/* Headless driver: writes session events as JSON lines (one object per line, each with
 * "event" and "t") to a stream, and errors also as one "ttymeet: ..." line to stderr.
 * It is a client of the session exactly like the TUI. Loop thread only. */
#ifndef TTM_SRC_HEADLESS_H
#define TTM_SRC_HEADLESS_H

#include <stdio.h>

#include "src/session.h"

/* Formats ev as one JSON line on out (flushed). Returns 0 or -EIO. */
int headless_print_event(FILE *out, const struct session_event *ev);

#endif
