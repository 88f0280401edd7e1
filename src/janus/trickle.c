/* The server's trickled ICE candidates (see src/janus/jb.h). Janus trickles its candidates
 * per handle instead of putting them into its SDP when full_trickle is configured; each one
 * goes to the PeerConnection of the link that owns the handle: the AudioBridge peer, the
 * TextRoom chat link's, or the VideoRoom publisher's or subscriber's. A trickle can overtake
 * the SDP it belongs to (Janus sends them from another thread than the plugin's event), even
 * arrive before that link has a PeerConnection at all: such candidates wait here (bounded)
 * and are retried after every server message. Malformed ones are dropped (a notice would only
 * help a hostile server fill the screen). Thread: the loop's.
 */
#include "src/janus/jb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define EARLY_MAX 64 /* candidates waiting for their link's PeerConnection */

struct early {
	uint64_t handle;
	char *line; /* NULL: end of candidates */
};

static void early_free(gpointer p)
{
	struct early *e = p;
	free(e->line);
	free(e);
}

/* Hands one candidate to the link owning handle: 0 taken, -ENOTCONN that link has no
 * PeerConnection yet, -ENOENT no link owns handle, else the peer's error. */
static int route(struct backend *b, uint64_t handle, const char *line)
{
	struct peer *p = NULL;
	enum session_trickle_kind k;
	if (handle && handle == b->handle) {
		p = b->pc ? jpc_peer(b->pc) : NULL;
		k = SESSION_TRICKLE_AUDIO;
	} else if (b->chat_link && handle == chatlink_handle(b->chat_link)) {
		p = chatlink_peer(b->chat_link);
		k = SESSION_TRICKLE_CHAT;
	} else if (handle && handle == b->vr.sub_handle) {
		p = jb_vr_peer(b, handle);
		k = SESSION_TRICKLE_AUDIO;
	} else if (b->video && videolink_owns(b->video, handle)) {
		p = videolink_peer(b->video, handle);
		k = SESSION_TRICKLE_VIDEO;
	} else {
		return -ENOENT;
	}
	if (!p)
		return -ENOTCONN;
	int rc = peer_add_remote_candidate(p, line);
	if (rc == 0 && line)
		b->trickled[k]++;
	return rc;
}

void jb_trickle_on_event(struct backend *b, const struct janus_event *ev)
{
	const char *line;
	if (janus_trickle_parse(ev->msg, &line) < 0 || !ev->handle)
		return;
	if (route(b, ev->handle, line) != -ENOTCONN)
		return;
	if (!b->early_trickles)
		b->early_trickles = g_ptr_array_new_with_free_func(early_free);
	if (b->early_trickles->len >= EARLY_MAX)
		return;
	struct early *e = calloc(1, sizeof(*e));
	if (!e || (line && !(e->line = strdup(line)))) {
		free(e);
		return;
	}
	e->handle = ev->handle;
	g_ptr_array_add(b->early_trickles, e);
}

void jb_trickle_retry(struct backend *b)
{
	if (!b->early_trickles)
		return;
	for (guint i = 0; i < b->early_trickles->len;) {
		struct early *e = b->early_trickles->pdata[i];
		if (route(b, e->handle, e->line) == -ENOTCONN)
			i++;
		else
			g_ptr_array_remove_index(b->early_trickles, i); /* in order: keeps their order */
	}
}

void jb_trickle_reset(struct backend *b)
{
	if (b->early_trickles)
		g_ptr_array_set_size(b->early_trickles, 0);
}

void jb_trickle_free(struct backend *b)
{
	if (b->early_trickles)
		g_ptr_array_free(b->early_trickles, TRUE);
	b->early_trickles = NULL;
}
