/* The chat of a Jitsi meeting: the room's multi-user chat carries it, as lib-jitsi-meet does
 * (modules/xmpp/ChatRoom sendMessage, sendPrivateMessage, onMessage).
 *
 * Out: a line to the room is a groupchat <message> to ROOM@MUC; a private one (/msg) a "chat"
 * <message> to ROOM@MUC/OCCUPANT, which the room forwards. Both carry our name in a XEP-0172
 * <nick> as Jitsi clients before 2021 read it (today's read the sender's presence; Jitsi's
 * prosody drops the element). In: the room echoes our groupchat lines, and that echo is where
 * our line is shown (once: as ours); it does not echo private ones, so those are shown as sent
 * from the loop right after sending. Lines the room replays on join carry a <delay> stamp and go
 * to the session as history (session_be_chat_history), never as new. Senders are chat users
 * named by their occupant name: the MUC sets the 'from' of every stanza, so the backend merges
 * each occupant's chat user into its roster entry (the claim of src/chatid.h computed here:
 * the server is the evidence). The text is copied only into the session's locked chat store;
 * the copies here (stanzas being built, the pending echoes) are wiped when done.
 * Thread: the loop's.
 */
#ifndef TTM_SRC_JITSI_CHAT_H
#define TTM_SRC_JITSI_CHAT_H

#include <glib.h>
#include <stdbool.h>

#include "src/jitsi/xml.h"
#include "src/jitsi/xmpp.h"

struct jchat;
struct session;
struct roster;

int jchat_create(GMainContext *main, struct session *s, struct roster *roster,
		 struct jchat **out);
/* Wipes what is pending and frees; NULL is fine. */
void jchat_destroy(struct jchat *c);
/* The room is joined on stream x as occupant nick of room_jid (strings copied; x must outlive
 * the join, until jchat_drop): chat goes out from now on. */
void jchat_joined(struct jchat *c, struct xmpp *x, const char *room_jid, const char *nick);
/* The stream is gone (or going): nothing more is sent; pending echoes are wiped. */
void jchat_drop(struct jchat *c);
/* A <message> stanza: true if it was the room's (shown, or ignored as nothing to show). */
bool jchat_on_message(struct jchat *c, const struct xml_node *st);
/* Sends text to the room (to_user NULL) or privately to occupant to_user. 0, -ENOTCONN (not
 * joined: stays queued in the session), -ENOBUFS (too many private echoes pending), -EMSGSIZE,
 * -ENOMEM, or the stream's error. */
int jchat_send(struct jchat *c, const char *to_user, const char *text);
/* Forgets every chat text held here (pending echoes of private messages). */
void jchat_wipe(struct jchat *c);

#endif
