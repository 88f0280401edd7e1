/* Headless driver: writes session events as JSON lines (one object per line, each with
 * "event" and "t") to a stream, and errors also as one "ttymeet: ..." line to stderr.
 * It is a client of the session exactly like the TUI. Loop thread only. */
#ifndef TTM_SRC_HEADLESS_H
#define TTM_SRC_HEADLESS_H

#include <jansson.h>
#include <stdio.h>

#include "src/session.h"
#include "ui/ascii.h"

/* Formats ev as one JSON line on out (flushed). Returns 0 or -EIO. */
int headless_print_event(FILE *out, const struct session_event *ev);
/* Same, with a "who" field naming the participant when one process runs several. */
int headless_print_event_who(FILE *out, const char *who, const struct session_event *ev);
/* Writes a video-frame event: {"event":"video-frame","t","from","id","cols","rows","ascii"}
 * with the grid as text (rows joined by '\n'). */
int headless_print_video_frame(FILE *out, const char *who, const struct session_event *ev,
			       const struct ascii_grid *grid);
/* Writes {"event":"summary","t":t,["who":who,]...summary fields} as one line. */
int headless_print_summary(FILE *out, const char *who, double t, json_t *summary);

#endif
