/* A PeerConnection on one Janus plugin handle (see jpc.h). */
#include "src/janus/jpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SDP_MAX 32768 /* our SDP: a subscriber answers one m-line per publisher */

struct jpc {
	struct peer *peer;
	struct janus *janus;
	uint64_t handle;
	bool sent; /* our SDP went out: later candidates are trickled */
};

static void on_candidate(void *user, const char *candidate)
{
	struct jpc *pc = user;
	if (pc->sent) /* before that, it goes into the SDP itself */
		janus_trickle_candidate(pc->janus, pc->handle, candidate);
}

int jpc_create(GMainContext *main, struct janus *janus, uint64_t handle,
	       const struct peer_config *tpl, bool offerer, const struct peer_callbacks *cbs,
	       struct jpc **out)
{
	struct jpc *pc = calloc(1, sizeof(*pc));
	if (!pc)
		return -ENOMEM;
	pc->janus = janus;
	pc->handle = handle;
	struct peer_config cfg = *tpl;
	cfg.offerer = offerer;
	/* the candidates are ours; everything else goes straight to the link */
	struct peer_callbacks c = *cbs;
	c.candidate_cb = on_candidate;
	c.candidate_user = pc;
	int rc = peer_create(main, &cfg, &c, &pc->peer);
	if (rc < 0) {
		free(pc);
		return rc;
	}
	*out = pc;
	return 0;
}

void jpc_destroy(struct jpc *pc)
{
	if (!pc)
		return;
	peer_destroy(pc->peer);
	free(pc);
}

struct peer *jpc_peer(const struct jpc *pc)
{
	return pc->peer;
}

int jpc_send(struct jpc *pc, json_t *body, const char *type, jpc_write_fn write, void *ctx,
	     janus_reply_cb reply, void *reply_user)
{
	struct sdp_local local;
	char *sdp = malloc(SDP_MAX);
	int rc;

	if (!sdp || !body) {
		free(sdp);
		json_decref(body);
		return -ENOMEM;
	}
	peer_sdp_local(pc->peer, &local);
	if (write(ctx, &local, sdp, SDP_MAX) <= 0) {
		free(sdp);
		json_decref(body);
		return -EIO;
	}
	json_t *jsep = json_pack("{ss ss sb}", "type", type, "sdp", sdp, "trickle",
				 !local.cands_done);
	free(sdp);
	if (!jsep) {
		json_decref(body);
		return -ENOMEM;
	}
	if ((rc = janus_message(pc->janus, pc->handle, body, jsep, reply, reply_user)) < 0)
		return rc;
	pc->sent = true;
	return 0;
}

int jpc_parse_jsep(const json_t *jsep, const char *type, struct sdp_session **out)
{
	const char *t = json_string_value(json_object_get(jsep, "type"));
	const char *sdp = json_string_value(json_object_get(jsep, "sdp"));
	struct sdp_session *s = NULL;
	int rc;

	if (!t || !sdp || strcmp(t, type))
		return -EPROTO;
	if ((rc = sdp_session_create(&s)) < 0)
		return rc;
	if (sdp_parse(sdp, strlen(sdp), s) < 0) {
		sdp_session_destroy(s);
		return -EBADMSG;
	}
	*out = s;
	return 0;
}
