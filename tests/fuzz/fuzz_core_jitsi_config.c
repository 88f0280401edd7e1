/* Fuzz target: /config.js read as text and Jitsi links (src/jitsi/config.c), both untrusted
 * (the server's file, a link pasted from anywhere). Whatever the bytes: every value taken is a
 * valid host name or WebSocket URL that fits its buffer, and the resolved settings are valid
 * too; the first line of the input is also tried as a link. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/jitsi/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jitsi_configjs c;
	static struct jitsi_settings s;
	struct jitsi_link l;
	char err[256];
	jitsi_configjs_parse((const char *)data, size, &c);
	for (int k = 0; k < JITSI_KEY_COUNT; k++) {
		if (c.set[k] && c.refused[k])
			abort();
		if (!c.set[k] && c.value[k][0])
			abort();
		if (c.set[k] && strlen(c.value[k]) > JITSI_URL_MAX)
			abort();
		if (c.set[k] && k != JITSI_KEY_WEBSOCKET && k != JITSI_KEY_PRIVACY &&
		    !jitsi_valid_host(c.value[k]))
			abort();
		if (c.set[k] && k == JITSI_KEY_PRIVACY && !jitsi_valid_http_url(c.value[k]))
			abort();
	}
	/* the first line as a link */
	char line[1024];
	size_t n = 0;
	while (n < size && n < sizeof(line) - 1 && data[n] != '\n') {
		line[n] = (char)data[n];
		n++;
	}
	line[n] = '\0';
	if (jitsi_link_parse(line, &l, err, sizeof(err)) == 0) {
		if (!l.room[0] || strlen(l.room) > JITSI_ROOM_MAX)
			abort();
		if (jitsi_settings_resolve(&l, &c, NULL, &s, err, sizeof(err)) == 0) {
			if (!jitsi_valid_ws_url(s.websocket) || !jitsi_valid_host(s.domain) ||
			    !jitsi_valid_host(s.muc) || !jitsi_valid_host(s.focus) ||
			    !jitsi_valid_host(s.login_domain) || strcmp(s.room, l.room))
				abort();
		}
	} else if (!err[0]) {
		abort();
	}
	return 0;
}
