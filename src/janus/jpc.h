/* A PeerConnection on one Janus plugin handle: the part of the attach → PeerConnection →
 * SDP → trickle sequence that every link of the Janus backend shares (the AudioBridge call,
 * the TextRoom chat link, the VideoRoom publisher and subscriber).
 *
 * The link creates it once it has its handle, and sends its SDP (offer or answer) with a
 * plugin request through jpc_send: candidates gathered before that go into the SDP itself,
 * later ones are trickled on the handle. Janus's SDP comes in through jpc_parse_jsep. The
 * link's peer callbacks (state, RTP, RTCP, data) are its own; jpc takes candidate_cb.
 * Thread: the loop's thread.
 */
#ifndef TTM_SRC_JANUS_JPC_H
#define TTM_SRC_JANUS_JPC_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/janus.h"
#include "net/peer.h"
#include "net/sdp.h"

struct jpc;

/* Creates the PeerConnection for handle with the settings tpl (offerer as given); cbs is
 * copied, its candidate_cb ignored. 0, or peer_create's error. */
int jpc_create(GMainContext *main, struct janus *janus, uint64_t handle,
	       const struct peer_config *tpl, bool offerer, const struct peer_callbacks *cbs,
	       struct jpc **out);
/* Sends close_notify if connected and frees it; no callback afterwards. NULL is fine. */
void jpc_destroy(struct jpc *pc);
struct peer *jpc_peer(const struct jpc *pc);

/* Writes our SDP into buf (cap bytes) from local (our ICE and DTLS values, the candidates
 * known so far); > 0 on success. */
typedef int (*jpc_write_fn)(void *ctx, const struct sdp_local *local, char *buf, size_t cap);

/* Sends body (taken) on the handle with our SDP of type "offer" or "answer" written by
 * write; reply as janus_message. From now on, candidates are trickled. 0, -ENOMEM, -EIO (the
 * SDP could not be written), or janus_message's error. */
int jpc_send(struct jpc *pc, json_t *body, const char *type, jpc_write_fn write, void *ctx,
	     janus_reply_cb reply, void *reply_user);

/* Janus's SDP of the expected type ("offer" or "answer") from a jsep object: 0 and *out
 * (sdp_session_destroy it), -EPROTO (no SDP of that type), -EBADMSG (malformed), -ENOMEM. */
int jpc_parse_jsep(const json_t *jsep, const char *type, struct sdp_session **out);

#endif
