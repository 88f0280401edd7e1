/* XEP-0198 bookkeeping (contract in sm.h). */
#include "src/jitsi/sm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct xmpp_sm *xmpp_sm_new(void)
{
	struct xmpp_sm *sm = g_new0(struct xmpp_sm, 1);
	g_queue_init(&sm->unacked);
	return sm;
}

void xmpp_sm_free(struct xmpp_sm *sm)
{
	if (!sm)
		return;
	g_queue_clear_full(&sm->unacked, g_free);
	g_free(sm);
}

void xmpp_sm_sent(struct xmpp_sm *sm, const char *stanza)
{
	size_t n = strlen(stanza);
	sm->sent++;
	if (!sm->resumable)
		return; /* nothing to send again: counting is enough */
	if (sm->unacked.length >= SM_QUEUE_MAX || sm->unacked_bytes + n > SM_QUEUE_BYTES) {
		/* the server fell too far behind: a resume could lose stanzas, so none is tried */
		sm->resumable = false;
		g_queue_clear_full(&sm->unacked, g_free);
		sm->unacked_bytes = 0;
		return;
	}
	g_queue_push_tail(&sm->unacked, g_strdup(stanza));
	sm->unacked_bytes += n;
}

int xmpp_sm_ack(struct xmpp_sm *sm, uint32_t h)
{
	uint32_t newly = h - sm->acked;       /* modulo 2^32 */
	uint32_t outstanding = sm->sent - sm->acked;
	if (newly > outstanding)
		return -EPROTO;
	sm->acked = h;
	for (uint32_t i = 0; i < newly && sm->unacked.length; i++) {
		char *s = g_queue_pop_head(&sm->unacked);
		sm->unacked_bytes -= strlen(s);
		g_free(s);
	}
	return 0;
}

int xmpp_sm_parse_h(const char *s, uint32_t *h)
{
	char *end;
	if (!s || !*s || strlen(s) > 10 || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v > UINT32_MAX)
		return -EINVAL;
	*h = (uint32_t)v;
	return 0;
}
