/* XEP-0198 stream management, the client's bookkeeping: how many stanzas we handled from the
 * server (h, answered to its <r/>), the stanzas we sent that it has not acknowledged yet (kept
 * to send again after a resume), and the resumption id it gave. src/jitsi/xmpp.c drives it;
 * the Jitsi backend keeps one across a lost connection (xmpp_sm_take / xmpp_set_resume in
 * xmpp.h) so the next stream resumes the session instead of joining the room anew.
 * Bounded: at most SM_QUEUE_MAX stanzas or SM_QUEUE_BYTES bytes wait for an ack; beyond that
 * the session is no longer resumable (a fresh join is the fallback), never unbounded memory.
 * Counters wrap at 2^32 as the XEP says. Thread: the loop's.
 */
#ifndef TTM_SRC_JITSI_SM_H
#define TTM_SRC_JITSI_SM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define NS_SM "urn:xmpp:sm:3"
#define SM_QUEUE_MAX 256
#define SM_QUEUE_BYTES (256 * 1024)
#define SM_ID_MAX 256

struct xmpp_sm {
	bool enabled;            /* <enabled/> came: both counters run */
	bool resumable;          /* it carried resume='true' and an id, and the queue fits */
	char id[SM_ID_MAX + 1];
	uint32_t h_in;           /* stanzas handled from the server since <enabled/> */
	uint32_t acked;          /* our stanzas the server acknowledged (its last h) */
	uint32_t sent;           /* our stanzas since <enable/> */
	GQueue unacked;          /* char *: copies of sent - acked stanzas, oldest first */
	size_t unacked_bytes;
	bool r_pending;          /* our <r/> is waiting for its <a/> */
};

struct xmpp_sm *xmpp_sm_new(void);
void xmpp_sm_free(struct xmpp_sm *sm);
/* One stanza of ours went out: counted and kept until acknowledged. */
void xmpp_sm_sent(struct xmpp_sm *sm, const char *stanza);
/* The server's h (an <a/>, <resumed/> or <failed/>): drops what it acknowledged. 0, or
 * -EPROTO when h acknowledges stanzas we never sent (or goes back). */
int xmpp_sm_ack(struct xmpp_sm *sm, uint32_t h);
/* Parses an h attribute (0..2^32-1). 0 or -EINVAL. */
int xmpp_sm_parse_h(const char *s, uint32_t *h);

#endif
