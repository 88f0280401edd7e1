/* Fuzz target: reading a Jitsi meeting's MUC stanzas (src/jitsi/muc.c). The input is parsed as
 * one XML message; if it is one, it is read as a chat message and as a presence of the room
 * (whatever its name), and the lines said for a removal or a join error are built. Whatever
 * the bytes: no crash or leak, every string meant for a screen is free of control characters
 * and within its bound, occupant names within theirs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/jitsi/muc.h"
#include "src/jitsi/xml.h"

#define ROOM "room@conference.meet.example"

static void check_clean(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n >= max)
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			abort();
}

static void check_line(const char *s, size_t max)
{
	check_clean(s, max);
	if (strchr(s, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_doc *d;
	char err[160], line[1024];
	struct muc_message m;
	struct muc_presence p;
	if (xml_parse((const char *)data, size, &d, err, sizeof(err)) < 0)
		return 0;
	const struct xml_node *n = xml_root(d);
	if (muc_message_parse(n, ROOM, &m) == 0) {
		if (strlen(m.occupant) >= MUC_OCC_MAX)
			abort();
		check_clean(m.text, sizeof(m.text));
		check_line(m.display, sizeof(m.display));
		check_line(m.subject, sizeof(m.subject));
		check_line(m.error, sizeof(m.error));
		check_line(m.error_text, sizeof(m.error_text));
		if (m.kind != MUC_MSG_NONE && m.kind != MUC_MSG_ERROR && !m.text[0])
			abort();
		muc_message_wipe(&m);
	}
	if (muc_presence_parse(n, ROOM, &p) == 0) {
		if (!p.occupant[0] || strlen(p.occupant) >= MUC_OCC_MAX)
			abort();
		check_line(p.role, sizeof(p.role));
		check_line(p.actor, sizeof(p.actor));
		check_line(p.reason, sizeof(p.reason));
		check_line(p.alternate, sizeof(p.alternate));
		check_line(p.error_text, sizeof(p.error_text));
		muc_removed_line(&p, line, sizeof(line));
		check_line(line, sizeof(line));
		muc_error_line(&p, line, sizeof(line));
		check_line(line, sizeof(line));
	}
	(void)muc_parse_stamp(xml_attr(n, "stamp"));
	xml_free(d);
	return 0;
}
