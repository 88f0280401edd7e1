/* The check the session fuzz targets (fake_janus.h's two, fuzz_core_jitsi_session.c) make on
 * every event the session hands its client: no string it carries that can come from the
 * remote side holds a C0 control character other than '\n', DEL, or a C1 control character
 * (U+0080..U+009F, in UTF-8 C2 80..C2 9F), so nothing a server or participant sends reaches
 * the terminal as a control sequence. A violation aborts (the fuzzer reports it).
 * Header only: one target per program. */
#ifndef TTM_TESTS_FUZZ_CLEAN_EVENT_H
#define TTM_TESTS_FUZZ_CLEAN_EVENT_H

#include <stdlib.h>

#include "src/session.h"

/* Aborts if s (NULL: fine) holds a control character, as above. */
static void clean_event_check(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; s && *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			abort();
}

/* A session_event_cb that checks every string of the event. */
static void clean_event_cb(void *user, const struct session_event *ev)
{
	(void)user;
	clean_event_check(ev->name);
	clean_event_check(ev->old_name);
	clean_event_check(ev->message);
	clean_event_check(ev->text);
	clean_event_check(ev->to);
	clean_event_check(ev->reason);
	clean_event_check(ev->kind);
	clean_event_check(ev->state);
	clean_event_check(ev->room_name);
}

#endif
