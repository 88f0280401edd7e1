/* The chat link of a session: Janus TextRoom over a WebRTC data channel.
 *
 * Sequence: attach janus.plugin.textroom → "setup" → Janus offers (m=application, SCTP) →
 * we answer ("ack") as ICE-controlled DTLS client → DTLS up → SCTP association (usrsctp over
 * DTLS) → DCEP channel "JanusDataChannel" → TextRoom "join" → ready. Then chat messages go
 * both ways as TextRoom JSON (src/textroom.c). A join refused because someone holds our
 * username is retried under another (up to 3 times). A failure ends the link only, never the
 * meeting.
 * Thread: the loop's thread; callbacks come from the loop.
 */
#ifndef TTM_SRC_JANUS_CHATLINK_H
#define TTM_SRC_JANUS_CHATLINK_H

#include <glib.h>
#include <stdint.h>

#include "net/peer.h"
#include "net/janus.h"
#include "src/janus/textroom.h"

struct chatlink;

struct chatlink_config {
	uint64_t room;
	uint64_t self_id; /* our AudioBridge id, part of our TextRoom username (0: none) */
	const char *display;
	const char *pin;
	const struct peer_config *peer; /* ICE/DTLS settings (not copied: outlives the link) */
};

struct chatlink_callbacks {
	void (*ready_cb)(void *user);                              /* joined: chat works */
	void (*event_cb)(void *user, const struct textroom_event *ev);
	void (*failed_cb)(void *user, const char *why);            /* the link is dead */
	void *user;
};

/* Starts the link on an existing Janus session. cfg strings are copied (cfg->peer is not). */
int chatlink_start(GMainContext *main, struct janus *janus, const struct chatlink_config *cfg,
		   const struct chatlink_callbacks *cbs, struct chatlink **out);
/* Leaves the room (best effort) and frees everything; no callback afterwards. Safe to call
 * from inside a chatlink callback. */
void chatlink_destroy(struct chatlink *cl);
/* Sends a chat message to the room or privately to the user whose username is to_user (NULL =
 * room). -ENOTCONN until ready, -ENOENT no such user, -EMSGSIZE, or a transport error. */
int chatlink_send(struct chatlink *cl, const char *to_user, const char *text);
/* Our username in the chat room (it may change until ready_cb: see textroom_renew_username). */
const char *chatlink_username(const struct chatlink *cl);
/* How often the join had to take another username because someone held ours. */
int chatlink_renames(const struct chatlink *cl);
/* Calls fn for every other user of the chat room (valid once ready_cb has come). */
void chatlink_foreach_peer(const struct chatlink *cl,
			   void (*fn)(void *user, const char *username, const char *display),
			   void *user);
/* Janus events addressed to the link's handle (the session routes them by handle id). */
uint64_t chatlink_handle(const struct chatlink *cl);
/* The link's PeerConnection (for the server's trickled candidates); NULL until Janus' offer
 * has arrived. */
struct peer *chatlink_peer(const struct chatlink *cl);
void chatlink_on_janus_event(struct chatlink *cl, const struct janus_event *ev);

#endif
