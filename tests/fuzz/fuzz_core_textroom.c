/* Fuzz target: TextRoom events from the data channel (src/textroom.c). Whatever the bytes,
 * parsing must not crash, and every string it returns for a screen must be terminal-safe
 * (the raw username, an identity that is never shown, only bounded). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/janus/textroom.h"

static void check_clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f || *p == 0x1b)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct textroom *tr;
	struct textroom_event *ev = malloc(sizeof(*ev));
	if (!ev || textroom_create(1234, 0, "fuzz", NULL, &tr) < 0) {
		free(ev);
		return 0;
	}
	free(textroom_join_request(tr));
	/* The input may hold several messages separated by NUL bytes. */
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i])
			continue;
		if (textroom_handle(tr, (const char *)data + start, i - start, ev) == 0) {
			check_clean(ev->name);
			check_clean(ev->text);
			check_clean(ev->to);
			check_clean(ev->reason);
			/* the username is an identity, passed on raw (never shown): bounded */
			if (strlen(ev->user) >= TEXTROOM_USER_MAX)
				abort();
			if (ev->peer_id != textroom_username_id(ev->user))
				abort();
		}
		start = i + 1;
	}
	textroom_destroy(tr);
	free(ev);
	return 0;
}
