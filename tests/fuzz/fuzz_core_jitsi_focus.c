/* Fuzz target: the Jitsi focus's conference answers and the lobby's stanzas
 * (src/jitsi/focus.c, src/jitsi/lobby.c), all the server's. The input is parsed as one XMPP
 * message (src/jitsi/xml.c); whatever it holds: every string kept is bounded, the JIDs kept
 * have the checked charset, and nothing shown carries a control character. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/jitsi/focus.h"
#include "src/jitsi/lobby.h"

static void check_clean(const char *s, size_t max)
{
	if (strlen(s) >= max)
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			abort();
}

static void check_jid(const char *s, size_t max)
{
	if (strlen(s) >= max)
		abort();
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("@.-_%+", *p)))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_doc *d = NULL;
	char err[128], why[128], pw[JLOBBY_PASSWORD_MAX];
	if (xml_parse((const char *)data, size, &d, err, sizeof(err)) < 0)
		return 0;
	const struct xml_node *n = xml_root(d);
	struct jfocus_answer a;
	jfocus_parse(n, &a);
	check_jid(a.focusjid, sizeof(a.focusjid));
	check_clean(a.vnode, sizeof(a.vnode));
	check_clean(a.cond, sizeof(a.cond));
	check_clean(a.text, sizeof(a.text));
	if (strlen(a.session_id) >= sizeof(a.session_id) || strpbrk(a.session_id, "'\"<>& "))
		abort();
	struct jlobby_refusal r;
	if (jlobby_refusal(n, &r) && (!r.lobby_jid[0] || !strchr(r.lobby_jid, '@')))
		abort();
	check_jid(r.lobby_jid, sizeof(r.lobby_jid));
	jlobby_presence(n, "room@conference.meet.example", size & 1, why, sizeof(why));
	check_clean(why, sizeof(why));
	if (jlobby_invite(n, "room@conference.meet.example", pw, sizeof(pw)) &&
	    strlen(pw) >= JLOBBY_PASSWORD_MAX)
		abort();
	xml_free(d);
	return 0;
}
