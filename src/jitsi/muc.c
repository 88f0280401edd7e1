/* Reading MUC messages and presences (contract in muc.h).
 *
 * Both start from the stanza's 'from': the room's bare JID or room/occupant, anything else is
 * not ours. Children are looked up by namespace where XEP-0045 names one (muc#user) and, like
 * lib-jitsi-meet's selectors, by name alone for Jitsi's own elements (audiomuted, delay).
 */
#include "src/jitsi/muc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/exitcode.h"
#include "src/jitsi/xmpp.h"
#include "src/text.h"

#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_NICK "http://jabber.org/protocol/nick"
#define NS_DISPLAY_NAME "http://jitsi.org/protocol/display-name"
#define NS_DELAY "urn:xmpp:delay"
#define NS_DELAY_LEGACY "jabber:x:delay"
#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define NS_JITMEET "http://jitsi.org/jitmeet"

/* The occupant of from in room_jid: 0 and occ ("" for the bare room), -ENOENT, -EINVAL. */
static int occupant_of(const char *from, const char *room_jid, char occ[MUC_OCC_MAX])
{
	size_t rl = strlen(room_jid);
	occ[0] = '\0';
	if (!from || strncmp(from, room_jid, rl) || (from[rl] != '\0' && from[rl] != '/'))
		return -ENOENT;
	if (from[rl] == '\0')
		return 0;
	size_t n = strlen(from + rl + 1);
	if (n == 0 || n >= MUC_OCC_MAX)
		return -EINVAL;
	memcpy(occ, from + rl + 1, n + 1);
	return 0;
}

static void label(const char *in, char *out, size_t outlen)
{
	text_sanitize(in ? in : "", in ? strlen(in) : 0, out, outlen, false);
}

/* An error element's condition (its first child other than <text>) and text. */
static void read_error(const struct xml_node *e, char cond[MUC_COND_MAX], char *text,
		       size_t textlen)
{
	snprintf(cond, MUC_COND_MAX, "undefined-condition");
	text[0] = '\0';
	for (const struct xml_node *c = e ? e->child : NULL; c; c = c->next) {
		if (!strcmp(c->name, "text"))
			label(c->text, text, textlen);
		else if (!strcmp(cond, "undefined-condition") || !strcmp(c->ns, NS_STANZAS))
			label(c->name, cond, MUC_COND_MAX);
	}
	if (!cond[0])
		snprintf(cond, MUC_COND_MAX, "undefined-condition");
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m 1..12, d checked by the caller). */
static int64_t days_from_civil(int y, int m, int d)
{
	static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	int64_t days = 0;
	for (int yy = 1970; yy < y; yy++)
		days += leap(yy) ? 366 : 365;
	days += before[m - 1] + (m > 2 && leap(y)) + d - 1;
	return days;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int64_t muc_parse_stamp(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	const char *t;
	if (!s)
		return 0;
	if (digits(s, 4, &y) && s[4] == '-' && digits(s + 5, 2, &mo) && s[7] == '-' &&
	    digits(s + 8, 2, &d) && s[10] == 'T')
		t = s + 11; /* XEP-0082 */
	else if (digits(s, 4, &y) && digits(s + 4, 2, &mo) && digits(s + 6, 2, &d) && s[8] == 'T')
		t = s + 9;  /* XEP-0091: UTC, no zone */
	else
		return 0;
	if (!digits(t, 2, &h) || t[2] != ':' || !digits(t + 3, 2, &mi) || t[5] != ':' ||
	    !digits(t + 6, 2, &sec))
		return 0;
	t += 8;
	int64_t frac_us = 0, scale = 100000;
	if (*t == '.') {
		t++;
		if (*t < '0' || *t > '9')
			return 0;
		for (; *t >= '0' && *t <= '9'; t++) {
			frac_us += (*t - '0') * scale;
			scale /= 10;
		}
	}
	int sign = 0;
	if (*t == 'Z') {
		t++;
	} else if (*t == '+' || *t == '-') {
		sign = *t == '+' ? 1 : -1;
		if (!digits(t + 1, 2, &oh) || t[3] != ':' || !digits(t + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return 0;
		t += 6;
	} else if (s[4] == '-') {
		return 0; /* XEP-0082 requires a zone */
	}
	if (*t || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] - (mo == 2 && !leap(y)) || h > 23 || mi > 59 || sec > 60)
		return 0;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		       sign * (oh * 3600 + om * 60);
	if (secs < 0)
		return 0;
	return secs * 1000000 + frac_us;
}

void muc_message_wipe(struct muc_message *out)
{
	explicit_bzero(out, sizeof(*out));
}

int muc_message_parse(const struct xml_node *m, const char *room_jid, struct muc_message *out)
{
	memset(out, 0, sizeof(*out));
	int rc = occupant_of(xml_attr(m, "from"), room_jid, out->occupant);
	if (rc < 0)
		return rc;
	const char *type = xml_attr(m, "type");
	if (type && !strcmp(type, "error")) {
		out->kind = MUC_MSG_ERROR;
		read_error(xml_child(m, XMPP_NS_CLIENT, "error"), out->error, out->error_text,
			   sizeof(out->error_text));
		return 0;
	}
	const struct xml_node *delay = NULL, *nick = NULL, *dn = NULL, *body = NULL, *subj = NULL;
	for (const struct xml_node *c = m->child; c; c = c->next) {
		if (!delay && (xml_is(c, NS_DELAY, "delay") || xml_is(c, NS_DELAY_LEGACY, "x")))
			delay = c;
		else if (!nick && xml_is(c, NS_NICK, "nick"))
			nick = c;
		else if (!dn && xml_is(c, NS_DISPLAY_NAME, "display-name"))
			dn = c;
		else if (!body && xml_is(c, XMPP_NS_CLIENT, "body"))
			body = c;
		else if (!subj && xml_is(c, XMPP_NS_CLIENT, "subject"))
			subj = c;
	}
	if (delay) {
		out->delayed = true;
		out->stamp_us = muc_parse_stamp(xml_attr(delay, "stamp"));
	}
	label(nick ? nick->text : dn ? dn->text : "", out->display, sizeof(out->display));
	if (subj)
		label(subj->text, out->subject, sizeof(out->subject));
	if (!body || !body->text[0])
		return 0; /* MUC_MSG_NONE (maybe a subject) */
	text_sanitize(body->text, strlen(body->text), out->text, sizeof(out->text), true);
	if (!out->text[0])
		return 0;
	if (type && !strcmp(type, "groupchat"))
		out->kind = MUC_MSG_GROUPCHAT;
	else if (type && !strcmp(type, "chat") && out->occupant[0])
		out->kind = MUC_MSG_PRIVATE;
	/* "normal" messages (invitations, room notices without a type) are not chat */
	return 0;
}

static void copy_word(const char *in, char *out, size_t outlen)
{
	label(in, out, outlen);
}

int muc_presence_parse(const struct xml_node *p, const char *room_jid, struct muc_presence *out)
{
	memset(out, 0, sizeof(*out));
	out->audiomuted = out->videomuted = -1;
	int rc = occupant_of(xml_attr(p, "from"), room_jid, out->occupant);
	if (rc < 0)
		return rc;
	if (!out->occupant[0])
		return -EINVAL; /* presences come from occupants */
	const char *type = xml_attr(p, "type");
	out->unavailable = type && !strcmp(type, "unavailable");
	out->is_error = type && !strcmp(type, "error");
	out->available = !type;
	if (out->is_error) {
		const struct xml_node *e = xml_child(p, XMPP_NS_CLIENT, "error");
		read_error(e, out->error, out->error_text, sizeof(out->error_text));
		copy_word(xml_attr(e, "type"), out->error_type, sizeof(out->error_type));
		out->room_does_not_exist = xml_child(e, NS_JITMEET, "room-does-not-exist") != NULL;
		return 0;
	}
	const struct xml_node *x = xml_child(p, NS_MUC_USER, "x");
	for (const struct xml_node *c = x ? x->child : NULL; c; c = c->next) {
		if (xml_is(c, NS_MUC_USER, "status")) {
			const char *code = xml_attr(c, "code");
			if (!code)
				continue;
			out->self |= !strcmp(code, "110");
			out->kicked |= !strcmp(code, "307");
			out->banned |= !strcmp(code, "301");
			out->removed_affiliation |= !strcmp(code, "321");
			out->removed_members_only |= !strcmp(code, "322");
			out->shutdown |= !strcmp(code, "332");
		} else if (xml_is(c, NS_MUC_USER, "item") && !out->role[0]) {
			copy_word(xml_attr(c, "role"), out->role, sizeof(out->role));
			copy_word(xml_attr(c, "affiliation"), out->affiliation,
				  sizeof(out->affiliation));
			const struct xml_node *actor = xml_child(c, NS_MUC_USER, "actor");
			const struct xml_node *reason = xml_child(c, NS_MUC_USER, "reason");
			const char *an = xml_attr(actor, "nick");
			label(an ? an : xml_attr(actor, "jid"), out->actor, sizeof(out->actor));
			if (reason)
				label(reason->text, out->reason, sizeof(out->reason));
		} else if (xml_is(c, NS_MUC_USER, "destroy")) {
			out->destroyed = true;
			const struct xml_node *reason = xml_child(c, NS_MUC_USER, "reason");
			if (reason)
				label(reason->text, out->reason, sizeof(out->reason));
			label(xml_attr(c, "jid"), out->alternate, sizeof(out->alternate));
		}
	}
	const struct xml_node *am = xml_child(p, NULL, "audiomuted");
	const struct xml_node *vm = xml_child(p, NULL, "videomuted");
	if (am)
		out->audiomuted = !strcmp(am->text, "true");
	if (vm)
		out->videomuted = !strcmp(vm->text, "true");
	return 0;
}

/* " by ACTOR: REASON", " by ACTOR", ": REASON" or "". */
static void by_why(const struct muc_presence *mp, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s%s%s", mp->actor[0] ? " by " : "", mp->actor,
		 mp->reason[0] ? ": " : "", mp->reason);
}

int muc_removed_line(const struct muc_presence *mp, char *out, size_t outlen)
{
	char why[2 * MUC_LINE_MAX + 8];
	by_why(mp, why, sizeof(why));
	if (mp->destroyed) {
		snprintf(out, outlen, "the room was closed (destroyed)%s%s%s%s",
			 mp->reason[0] ? ": " : "", mp->reason,
			 mp->alternate[0] ? "; the meeting moved to " : "", mp->alternate);
	} else if (mp->kicked) {
		snprintf(out, outlen, "you were removed from the meeting (kicked)%s", why);
	} else if (mp->banned) {
		snprintf(out, outlen, "you were banned from the meeting%s", why);
	} else if (mp->removed_affiliation || mp->removed_members_only) {
		snprintf(out, outlen, "you were removed from the meeting: %s%s%s",
			 mp->removed_affiliation ? "you are no longer one of its members"
						 : "it is for members only now",
			 mp->reason[0] ? ": " : "", mp->reason);
	} else if (mp->shutdown) {
		snprintf(out, outlen, "the XMPP server's chat service is shutting down");
		return TTM_EXIT_SERVER;
	} else {
		snprintf(out, outlen, "the room removed us%s", why);
	}
	return TTM_EXIT_ROOM;
}

bool muc_error_line(const struct muc_presence *mp, char *out, size_t outlen)
{
	const char *c = mp->error;
	bool restricted = mp->room_does_not_exist ||
			  (!strcmp(c, "not-allowed") && strstr(mp->error_text, "creation"));
	const char *what = !strcmp(c, "not-authorized") ? "the room needs a password"
			   : restricted ? "the room does not exist, and this server lets only its "
					  "moderators or the meeting's focus create rooms (has the "
					  "meeting started?)"
			   : !strcmp(c, "item-not-found") ? "there is no such room"
			   : !strcmp(c, "registration-required") ? "the room is members-only"
			   : !strcmp(c, "forbidden") ? "you are banned from the room"
			   : !strcmp(c, "service-unavailable") ? "the room is full"
			   : !strcmp(c, "conflict") ? "our occupant name is taken"
			   : "the room refused the join";
	snprintf(out, outlen, "%s (%s%s%s)", what, c, mp->error_text[0] ? ": " : "",
		 mp->error_text);
	return !strcmp(c, "not-authorized");
}
