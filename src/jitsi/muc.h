/* Reading the stanzas of a Jitsi meeting's multi-user chat room (XEP-0045) as lib-jitsi-meet
 * reads them (modules/xmpp/ChatRoom: onMessage, onPresence, onPresenceUnavailable,
 * onPresenceError): chat messages (groupchat to the room, private "chat" through the room,
 * the history the room replays stamped with XEP-0203 <delay> or the older jabber:x:delay,
 * errors), and what an occupant's presence says beyond the roster (we were kicked, banned or
 * the room destroyed, with actor, reason and alternate room; role and affiliation; the error
 * that refused a join).
 *
 * Everything comes from the server or another participant and is untrusted: the structs hold
 * fixed-size copies, every string meant for a screen sanitized (src/text.h; the chat body as
 * multi-line text, the rest as one-line labels), occupant names raw but bounded (they are
 * identities, compared, never shown). Over-long values are cut at a character boundary;
 * occupant names over MUC_OCC_MAX - 1 bytes make the stanza unusable (-EINVAL).
 * Pure functions, any thread.
 */
#ifndef TTM_SRC_JITSI_MUC_H
#define TTM_SRC_JITSI_MUC_H

#include <stdbool.h>
#include <stdint.h>

#include "src/jitsi/xml.h"
#include "src/session.h"

#define MUC_OCC_MAX 256   /* bytes of an occupant name (the room JID's resource) + NUL */
#define MUC_LINE_MAX 256  /* reasons, error texts, actors, alternate rooms: one line */
#define MUC_COND_MAX 64   /* an error condition's element name */

enum muc_msg_kind {
	MUC_MSG_NONE,      /* nothing to show (no body: a reaction, a JSON message, a receipt) */
	MUC_MSG_GROUPCHAT, /* to the room, from occupant ("" : the room itself) */
	MUC_MSG_PRIVATE,   /* type chat through the room: to us only, from occupant */
	MUC_MSG_ERROR,     /* type error: a message of ours refused (error, error_text) */
};

struct muc_message {
	enum muc_msg_kind kind;
	char occupant[MUC_OCC_MAX];        /* raw; "" when from the room's bare JID */
	char display[SESSION_NAME_MAX];    /* sanitized <nick> (XEP-0172) or Jitsi's
					    * <display-name>; "" when none */
	char text[SESSION_CHAT_MAX + 1];   /* sanitized body, may hold '\n' */
	bool delayed;                      /* stamped by the room: history, not new */
	int64_t stamp_us;                  /* the stamp, µs since the epoch (0: unreadable) */
	char subject[MUC_LINE_MAX];        /* sanitized <subject> ("" : none or empty) */
	char error[MUC_COND_MAX];          /* ERROR: the condition ("undefined-condition") */
	char error_text[MUC_LINE_MAX];     /* ERROR: the server's <text>, sanitized */
};

/* Reads message stanza m if it comes from room_jid (bare "room@muc") or one of its occupants.
 * 0 and out filled, -ENOENT when it is not from the room, -EINVAL when unusable (an occupant
 * name over bounds). out->text can be large (4 KiB): callers wipe it after use
 * (muc_message_wipe). */
int muc_message_parse(const struct xml_node *m, const char *room_jid, struct muc_message *out);
/* Overwrites everything out holds (chat text must not linger on the stack). */
void muc_message_wipe(struct muc_message *out);

struct muc_presence {
	char occupant[MUC_OCC_MAX];       /* raw; the presence's resource */
	bool available, unavailable, is_error; /* no type, "unavailable", "error" */
	bool self;                        /* status 110 */
	bool kicked;                      /* 307 */
	bool banned;                      /* 301 */
	bool removed_affiliation;         /* 321: no longer a member of a members-only room */
	bool removed_members_only;        /* 322: the room became members-only */
	bool shutdown;                    /* 332: the MUC service is going down */
	bool destroyed;                   /* <destroy/> in muc#user */
	char role[16], affiliation[16];   /* "moderator", "participant", ...; "" when not said */
	char actor[MUC_LINE_MAX];         /* sanitized actor nick (or JID), "" when not said */
	char reason[MUC_LINE_MAX];        /* sanitized reason (item's, or destroy's) */
	char alternate[MUC_LINE_MAX];     /* destroy: the alternate room's JID, sanitized */
	char error[MUC_COND_MAX];         /* error: the condition */
	char error_type[16];              /* error: "auth", "cancel", ... */
	char error_text[MUC_LINE_MAX];    /* error: the server's <text>, sanitized */
	bool room_does_not_exist;         /* error: Jitsi's <room-does-not-exist/> */
	int audiomuted, videomuted;       /* 1/0 from <audiomuted>/<videomuted>; -1: not said */
};

/* Reads presence stanza p if it comes from room_jid or one of its occupants. 0 and out
 * filled, -ENOENT when not from the room, -EINVAL when unusable. */
int muc_presence_parse(const struct xml_node *p, const char *room_jid, struct muc_presence *out);

/* Why the room removed us, from our own unavailable presence mp: one line (destroyed with its
 * reason and alternate room, kicked or banned by whom and why, ...) into out. Returns the exit
 * code it means: TTM_EXIT_ROOM, or TTM_EXIT_SERVER when the service shuts down (332: worth a
 * reconnect). */
int muc_removed_line(const struct muc_presence *mp, char *out, size_t outlen);
/* The error presence mp that refused our join as one line into out. Returns true when the
 * room wants a password (not-authorized): the caller asks for one. */
bool muc_error_line(const struct muc_presence *mp, char *out, size_t outlen);

/* The moment a XEP-0082 date-time ("2026-12-06T11:53:12.5Z", "...+01:00") or a XEP-0091
 * stamp ("20261206T11:53:12") names, in µs since the epoch; 0 when it is not one (or before
 * 1970, after 9999). */
int64_t muc_parse_stamp(const char *s);

#endif
