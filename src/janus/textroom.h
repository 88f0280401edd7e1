/* Janus TextRoom protocol over a data channel (PROTOCOL.md §5): the requests we send and the
 * events the room sends, as JSON text messages (PPID 51) on the "JanusDataChannel" channel.
 *
 * Pure: builds request strings and parses incoming ones; the caller moves them over SCTP.
 * We join with the username "ttm-<16 hex digits>-<display>" — the digits are our AudioBridge
 * id (random when there is none), which makes the username unique in the room — and our
 * display name. Anyone can take that username first: then textroom_renew_username() makes
 * another ("...~<8 random hex>"). The username is NOT evidence of who we are; what is, is in
 * src/chatid.h. Usernames are identities: they are passed on raw (bounded, never shown;
 * sanitizing could make two different ones equal), display names sanitized. The room's
 * username → display table is kept here. Every string from the room is bounded and every
 * one meant for a screen sanitized before it leaves this module. Any thread, one at a time.
 */
#ifndef TTM_SRC_JANUS_TEXTROOM_H
#define TTM_SRC_JANUS_TEXTROOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXTROOM_TEXT_MAX 4096   /* bytes of a chat text we accept or send */
#define TEXTROOM_NAME_MAX 128    /* bytes of a sanitized display name */
#define TEXTROOM_USER_MAX 256    /* bytes of a username (longer ones are ignored) */
#define TEXTROOM_ERR_USERNAME_TAKEN 420 /* JOIN_FAILED code: someone holds our username */
#define TEXTROOM_MSG_MAX 65536   /* largest incoming JSON message */
#define TEXTROOM_PEERS_MAX 4096

struct textroom;

enum textroom_event_type {
	TEXTROOM_EV_NONE,       /* nothing for the caller (e.g. a success we did not track) */
	TEXTROOM_EV_JOINED,     /* our join succeeded */
	TEXTROOM_EV_JOIN_FAILED,/* code, reason: no such room, wrong pin, username taken… */
	TEXTROOM_EV_PEER_JOINED,/* name, user, peer_id */
	TEXTROOM_EV_PEER_LEFT,  /* name, user, peer_id */
	TEXTROOM_EV_MESSAGE,    /* from (display name), text, self, private_msg */
	TEXTROOM_EV_SEND_FAILED,/* code, reason */
	TEXTROOM_EV_ANNOUNCEMENT,/* text */
	TEXTROOM_EV_KICKED,     /* we were removed */
	TEXTROOM_EV_DESTROYED,  /* the room is gone */
};

struct textroom_event {
	enum textroom_event_type type;
	char name[TEXTROOM_NAME_MAX];   /* sender or participant display name */
	char user[TEXTROOM_USER_MAX];   /* PEER_*, MESSAGE: the username, raw (an identity: never
					 * to be shown) */
	uint64_t peer_id;               /* PEER_*, MESSAGE: textroom_username_id(user) */
	char to[TEXTROOM_NAME_MAX];     /* private message we sent: recipient display name */
	char text[TEXTROOM_TEXT_MAX + 1];
	bool self, private_msg;
	int code;
	char reason[160];
};

/* Creates the protocol state for one room; display is our (clean) display name, self_id our
 * AudioBridge id (0: none, a random number stands in). */
int textroom_create(uint64_t room, uint64_t self_id, const char *display, const char *pin,
		    struct textroom **out);
void textroom_destroy(struct textroom *tr);

/* Requests as NUL-terminated JSON (caller frees with free()). NULL on allocation failure. */
char *textroom_join_request(struct textroom *tr);
char *textroom_leave_request(struct textroom *tr);
/* A message to the room, or privately to the participant whose username is to_user. NULL
 * with *err = -ENOENT when no such participant is in the room, -EMSGSIZE when text is too
 * long. */
char *textroom_message_request(struct textroom *tr, const char *to_user, const char *text,
			       int *err);
/* After TEXTROOM_ERR_USERNAME_TAKEN: picks another username for the next join request. */
void textroom_renew_username(struct textroom *tr);

/* Parses one incoming message into ev. Returns 0 (ev->type may be NONE) or -EBADMSG for a
 * malformed one (which the caller should count and ignore). */
int textroom_handle(struct textroom *tr, const char *json, size_t len, struct textroom_event *ev);

bool textroom_joined(const struct textroom *tr);
const char *textroom_username(const struct textroom *tr);
/* Calls fn for every other participant the room has told us about (username, display). */
void textroom_foreach_peer(const struct textroom *tr,
			   void (*fn)(void *user, const char *username, const char *display),
			   void *user);
/* The AudioBridge id a ttymeet username carries ("ttm-<16 hex>-..."), or 0 if none. */
uint64_t textroom_username_id(const char *username);

#endif
