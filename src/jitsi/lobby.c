/* Jitsi's lobby stanzas (contract in lobby.h). */
#include "src/jitsi/lobby.h"

#include <glib.h>
#include <string.h>

#include "src/jitsi/xmpp.h"
#include "src/text.h"

#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"

/* A bare JID as we keep it from the server: bounded, a conservative charset, one '@'. */
static bool keep_bare_jid(const char *in, char *out, size_t outlen)
{
	out[0] = '\0';
	if (!in || !*in || strlen(in) >= outlen)
		return false;
	int at = 0;
	for (const char *p = in; *p; p++) {
		if (*p == '@')
			at++;
		else if (!g_ascii_isalnum(*p) && !strchr(".-_%+", *p))
			return false;
	}
	if (at != 1 || in[0] == '@' || in[strlen(in) - 1] == '@')
		return false;
	memcpy(out, in, strlen(in) + 1);
	return true;
}

bool jlobby_refusal(const struct xml_node *presence, struct jlobby_refusal *out)
{
	memset(out, 0, sizeof(*out));
	const struct xml_node *e = xml_child(presence, XMPP_NS_CLIENT, "error");
	if (!e || !xml_child(e, NS_STANZAS, "registration-required"))
		return false;
	const struct xml_node *room = xml_child(e, JLOBBY_NS, "lobbyroom");
	if (!room) /* older servers: the element without a namespace of its own */
		room = xml_child(e, XMPP_NS_CLIENT, "lobbyroom");
	if (!room || !keep_bare_jid(room->text, out->lobby_jid, sizeof(out->lobby_jid)))
		return false;
	out->waiting_for_host = xml_child(e, JLOBBY_NS, "waiting-for-host") != NULL;
	return true;
}

static bool has_status(const struct xml_node *x, const char *code)
{
	for (const struct xml_node *c = x ? x->child : NULL; c; c = c->next) {
		const char *v = xml_attr(c, "code");
		if (xml_is(c, NS_MUC_USER, "status") && v && !strcmp(v, code))
			return true;
	}
	return false;
}

static void put_text(const struct xml_node *n, char *out, size_t outlen)
{
	if (outlen)
		out[0] = '\0';
	if (n && outlen)
		text_sanitize(n->text, strlen(n->text), out, outlen, false);
}

enum jlobby_what jlobby_presence(const struct xml_node *p, const char *main_room, bool self,
				 char *reason, size_t reason_len)
{
	const char *type = xml_attr(p, "type");
	const struct xml_node *x = xml_child(p, NS_MUC_USER, "x");
	if (reason_len)
		reason[0] = '\0';
	if (type && !strcmp(type, "error")) {
		const struct xml_node *e = xml_child(p, XMPP_NS_CLIENT, "error");
		for (const struct xml_node *c = e ? e->child : NULL; c; c = c->next)
			if (!strcmp(c->ns, NS_STANZAS) && strcmp(c->name, "text")) {
				text_sanitize(c->name, strlen(c->name), reason, reason_len, false);
				break;
			}
		return JLOBBY_ERROR;
	}
	self = self || has_status(x, "110");
	if (!self)
		return JLOBBY_NOTHING;
	if (!type || strcmp(type, "unavailable"))
		return JLOBBY_IN;
	const struct xml_node *d = xml_child(x, NS_MUC_USER, "destroy");
	if (d) {
		put_text(xml_child(d, NS_MUC_USER, "reason"), reason, reason_len);
		const char *venue = xml_attr(d, "jid");
		return venue && !g_ascii_strcasecmp(venue, main_room) ? JLOBBY_MOVED : JLOBBY_CLOSED;
	}
	const struct xml_node *item = xml_child(x, NS_MUC_USER, "item");
	put_text(xml_child(item, NS_MUC_USER, "reason"), reason, reason_len);
	return has_status(x, "307") ? JLOBBY_DENIED : JLOBBY_CLOSED;
}

bool jlobby_invite(const struct xml_node *msg, const char *main_room, char *password,
		   size_t password_len)
{
	const char *from = xml_attr(msg, "from");
	const char *type = xml_attr(msg, "type");
	if (password_len)
		password[0] = '\0';
	/* the room itself (the server stamps 'from'), not an occupant of it */
	if (!from || g_ascii_strcasecmp(from, main_room) || (type && !strcmp(type, "error")))
		return false;
	const struct xml_node *x = xml_child(msg, NS_MUC_USER, "x");
	if (!x || !xml_child(x, NS_MUC_USER, "invite"))
		return false;
	const struct xml_node *pw = xml_child(x, NS_MUC_USER, "password");
	if (pw) {
		size_t n = strlen(pw->text);
		if (n >= password_len || n >= JLOBBY_PASSWORD_MAX)
			return false;
		memcpy(password, pw->text, n + 1);
	}
	return true;
}
