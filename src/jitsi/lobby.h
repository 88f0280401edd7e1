/* Jitsi's lobby and "the meeting has not started yet", as the stanzas of jitsi-meet's prosody
 * modules (mod_muc_lobby_rooms, mod_muc_wait_for_host) and lib-jitsi-meet's Lobby read them:
 *
 * - the join refused with a presence error type 'auth' <registration-required/> carrying
 *   <lobbyroom xmlns='http://jitsi.org/jitmeet'>ROOM@LOBBY</lobbyroom> (older servers: the
 *   same element without namespace), and <waiting-for-host xmlns='http://jitsi.org/jitmeet'/>
 *   when the meeting waits for its host: we knock by joining the lobby room;
 * - admitted: a mediated invite from the main room (message from ROOM@MUC with
 *   <x xmlns='...muc#user'><invite/>[<password/>]</x>): we join the main room (with that
 *   password, if any);
 * - denied: our lobby occupant removed (unavailable, status 307);
 * - the lobby destroyed with the main room as the alternate venue (the host arrived, or the
 *   lobby was turned off): we join the main room; destroyed otherwise: the lobby is closed.
 * Everything is the server's: JIDs checked against a charset and bounded, texts sanitized.
 * Pure; any thread.
 */
#ifndef TTM_SRC_JITSI_LOBBY_H
#define TTM_SRC_JITSI_LOBBY_H

#include <stdbool.h>
#include <stddef.h>

#include "src/jitsi/xml.h"

#define JLOBBY_NS "http://jitsi.org/jitmeet"
#define JLOBBY_JID_MAX 320
#define JLOBBY_PASSWORD_MAX 256

struct jlobby_refusal {
	bool waiting_for_host;          /* the meeting has not started: no host yet */
	char lobby_jid[JLOBBY_JID_MAX]; /* the lobby room's bare JID */
};

/* A presence error from the main room: true when it sends us to its lobby (out filled). */
bool jlobby_refusal(const struct xml_node *presence, struct jlobby_refusal *out);

enum jlobby_what {
	JLOBBY_NOTHING, /* not about us, or nothing to do */
	JLOBBY_IN,      /* we are in the lobby: knocking */
	JLOBBY_DENIED,  /* a moderator removed us from the lobby */
	JLOBBY_MOVED,   /* the lobby is gone and sends us to the main room: join it */
	JLOBBY_CLOSED,  /* the lobby is gone (no venue, or another one) or removed us otherwise */
	JLOBBY_ERROR,   /* the lobby refused our knock */
};

/* A presence from the lobby room lobby_jid to us (self: its occupant is ours, or status 110).
 * reason: the server's reason or error condition, sanitized ("" if none). */
enum jlobby_what jlobby_presence(const struct xml_node *p, const char *main_room, bool self,
				 char *reason, size_t reason_len);

/* A message: true when it is the main room's invite to come in (from main_room itself);
 * password gets the room password it carries ("" if none; refused if over
 * JLOBBY_PASSWORD_MAX - 1 bytes: then false). */
bool jlobby_invite(const struct xml_node *msg, const char *main_room, char *password,
		   size_t password_len);

#endif
