/* The chat link (see chatlink.h).
 *
 * Lifetime: every entry point (Janus replies, peer, SCTP and DCEP callbacks) holds a reference
 * while it runs, so chatlink_destroy() may come from inside any of them; after it, pending
 * Janus replies are forgotten and no callback reaches the owner. Chat text passes through
 * here only in transit (JSON built and parsed in heap buffers that are freed at once); it is
 * stored by the session's chat store alone.
 */
#include "src/janus/chatlink.h"
#include "src/janus/jpc.h"
#include "src/secmem.h"
#include "src/secret.h"

#include <errno.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "net/dcep.h"
#include "net/peer.h"
#include "net/sctp.h"
#include "net/sdp.h"

#define TEXTROOM "janus.plugin.textroom"
#define LABEL "JanusDataChannel"
#define PPID_STRING 51
#define RENAMES_MAX 3 /* joins under another username when ours is taken */

struct chatlink {
	int refs;
	bool dead, ready, failed;
	GMainContext *main;
	struct janus *janus;
	struct chatlink_config cfg;
	char *display, *pin;
	struct chatlink_callbacks cb;
	uint64_t handle;
	struct jpc *pc;
	struct sctp_assoc *sctp;
	struct dcep *dcep;
	struct textroom *tr;
	uint16_t stream;
	bool have_stream;
	int renames;
};

static void ref(struct chatlink *cl)
{
	cl->refs++;
}

static void unref(struct chatlink *cl)
{
	if (--cl->refs > 0)
		return;
	dcep_destroy(cl->dcep);
	sctp_assoc_destroy(cl->sctp);
	jpc_destroy(cl->pc);
	textroom_destroy(cl->tr);
	free(cl->display);
	secret_free(cl->pin);
	free(cl);
}

static void fail(struct chatlink *cl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void fail(struct chatlink *cl, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	if (cl->dead || cl->failed)
		return;
	cl->failed = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (cl->cb.failed_cb)
		cl->cb.failed_cb(cl->cb.user, why);
}

/* ---- TextRoom over the channel ---- */

static int send_json(struct chatlink *cl, char *json)
{
	if (!json)
		return -ENOMEM;
	int rc = cl->have_stream ? dcep_send(cl->dcep, cl->stream, false, (const uint8_t *)json,
					     strlen(json))
				 : -ENOTCONN;
	secmem_json_free(json); /* may hold chat text: overwritten */
	return rc;
}

static void on_textroom(struct chatlink *cl, const uint8_t *data, size_t len)
{
	/* the event holds a message's text: locked memory, wiped by sodium_free */
	struct textroom_event *ev = sodium_malloc(sizeof(*ev));
	if (!ev)
		return;
	if (textroom_handle(cl->tr, (const char *)data, len, ev) == 0 && !cl->dead) {
		switch (ev->type) {
		case TEXTROOM_EV_JOINED:
			cl->ready = true;
			if (cl->cb.ready_cb)
				cl->cb.ready_cb(cl->cb.user);
			break;
		case TEXTROOM_EV_JOIN_FAILED:
			/* Someone took our username first (anyone can: it is not secret). Join under
			 * another one; the session then claims that one (src/chatid.h). */
			if (ev->code == TEXTROOM_ERR_USERNAME_TAKEN && cl->renames < RENAMES_MAX) {
				cl->renames++;
				textroom_renew_username(cl->tr);
				if (send_json(cl, textroom_join_request(cl->tr)) < 0)
					fail(cl, "cannot send the chat join");
				break;
			}
			if (ev->code == 417) /* the TextRoom's "no such room" */
				fail(cl, "there is no chat room for this meeting on this server");
			else
				fail(cl, "the chat room refused the join: %s (%d)", ev->reason,
				     ev->code);
			break;
		case TEXTROOM_EV_KICKED:
			fail(cl, "you were removed from the chat room");
			break;
		case TEXTROOM_EV_DESTROYED:
			fail(cl, "the chat room was closed");
			break;
		case TEXTROOM_EV_NONE:
			break;
		default:
			if (cl->cb.event_cb)
				cl->cb.event_cb(cl->cb.user, ev);
			break;
		}
	}
	sodium_free(ev);
}

/* ---- DCEP and SCTP ---- */

static int dcep_send_msg(void *user, uint16_t stream, uint32_t ppid, const uint8_t *data,
			 size_t len, const struct sctp_assoc_sendopt *opt)
{
	struct chatlink *cl = user;
	return sctp_assoc_send_opt(cl->sctp, stream, ppid, data, len, opt);
}

static int dcep_reset(void *user, uint16_t stream)
{
	struct chatlink *cl = user;
	return sctp_assoc_reset_stream(cl->sctp, stream);
}

static void dcep_event(void *user, const struct dcep_event *ev)
{
	struct chatlink *cl = user;
	switch (ev->type) {
	case DCEP_EVENT_OPEN:
		break; /* ours is usable from the OPEN on; a channel Janus opens is read too */
	case DCEP_EVENT_MESSAGE:
		if (!ev->binary)
			on_textroom(cl, ev->data, ev->len);
		break;
	case DCEP_EVENT_CLOSED:
		if (cl->have_stream && ev->stream == cl->stream) {
			cl->have_stream = false;
			fail(cl, "the chat channel was closed");
		}
		break;
	}
}

static void sctp_send(void *user, const uint8_t *buf, size_t len)
{
	struct chatlink *cl = user;
	if (cl->pc)
		peer_send_data(jpc_peer(cl->pc), buf, len);
}

static void sctp_event(void *user, const struct sctp_assoc_event *ev)
{
	struct chatlink *cl = user;
	ref(cl);
	dcep_handle_sctp_event(cl->dcep, ev);
	if (cl->dead)
		goto out;
	if (ev->type == SCTP_ASSOC_EV_OPEN) {
		if (dcep_open(cl->dcep, LABEL, NULL, 0 /* reliable ordered */, 0, &cl->stream) < 0) {
			fail(cl, "cannot open the chat channel");
			goto out;
		}
		cl->have_stream = true;
		if (send_json(cl, textroom_join_request(cl->tr)) < 0)
			fail(cl, "cannot send the chat join");
	} else if (ev->type == SCTP_ASSOC_EV_FAILED || ev->type == SCTP_ASSOC_EV_CLOSED) {
		fail(cl, "the chat association ended");
	}
out:
	unref(cl);
}

/* ---- the PeerConnection ---- */

static void peer_state(void *user, enum peer_state st, int err, const char *reason)
{
	struct chatlink *cl = user;
	(void)err;
	ref(cl);
	if (st == PEER_CONNECTED) {
		struct sctp_assoc_config sc = {
			.send_cb = sctp_send,
			.event_cb = sctp_event,
			.user = cl,
		};
		struct dcep_config dc = {
			.role = DCEP_ROLE_DTLS_CLIENT,
			.send_cb = dcep_send_msg,
			.reset_cb = dcep_reset,
			.event_cb = dcep_event,
			.user = cl,
		};
		if (sctp_assoc_create(cl->main, &sc, &cl->sctp) < 0 ||
		    dcep_create(&dc, &cl->dcep) < 0 || sctp_assoc_connect(cl->sctp) < 0)
			fail(cl, "cannot start the chat association");
	} else if (st == PEER_FAILED || st == PEER_CLOSED) {
		fail(cl, "chat connection: %s", reason);
	}
	unref(cl);
}

static void peer_data(void *user, const uint8_t *buf, size_t len)
{
	struct chatlink *cl = user;
	if (cl->sctp)
		sctp_assoc_handle_packet(cl->sctp, buf, len);
}

/* ---- signaling ---- */

static void on_acked(void *user, const struct janus_reply *r)
{
	struct chatlink *cl = user;
	if (r->err)
		fail(cl, "the server did not take our chat answer: %s", r->reason);
}

static int write_answer(void *ctx, const struct sdp_local *local, char *buf, size_t cap)
{
	const struct sdp_session *offer = ctx;
	struct sdp_answer_opts ao = {
		.local = *local,
		.accept_data = true,
		.sctp_port = SCTP_ASSOC_DEFAULT_PORT,
		.max_message_size = SCTP_ASSOC_DEFAULT_MAX_MESSAGE,
	};
	return sdp_write_answer(buf, cap, offer, &ao);
}

/* Janus' offer arrived (with the "setup" answer): answer it. */
static void on_setup(void *user, const struct janus_reply *r)
{
	struct chatlink *cl = user;
	struct sdp_session *offer = NULL;
	int mline = -1, rc;

	ref(cl);
	if (r->err || (rc = jpc_parse_jsep(r->jsep, "offer", &offer)) == -EPROTO) {
		fail(cl, "the server offered no chat channel: %s", r->err ? r->reason : "no SDP");
		goto out;
	}
	if (rc < 0) {
		fail(cl, "the server's chat offer is malformed");
		goto out;
	}
	for (int i = 0; i < offer->n_media; i++)
		if (offer->media[i].kind == SDP_KIND_APPLICATION && offer->media[i].port) {
			mline = i;
			break;
		}
	if (mline < 0) {
		fail(cl, "the server's chat offer has no data channel");
		goto out;
	}
	struct peer_callbacks pcb = {
		.state_cb = peer_state,
		.data_cb = peer_data,
		.user = cl,
	};
	if (jpc_create(cl->main, cl->janus, cl->handle, cl->cfg.peer, false, &pcb, &cl->pc) < 0 ||
	    peer_set_remote(jpc_peer(cl->pc), offer, mline) < 0) {
		fail(cl, "cannot set up the chat connection");
		goto out;
	}
	rc = jpc_send(cl->pc, json_pack("{ss}", "request", "ack"), "answer", write_answer, offer,
		      on_acked, cl);
	if (rc < 0)
		fail(cl, rc == -EIO ? "cannot write the chat answer" : "cannot send the chat answer");
out:
	sdp_session_destroy(offer);
	unref(cl);
}

static void on_attached(void *user, const struct janus_reply *r)
{
	struct chatlink *cl = user;
	if (r->err) {
		fail(cl, "the server has no chat rooms: %s", r->reason);
		return;
	}
	cl->handle = r->id;
	json_t *body = json_pack("{ss}", "request", "setup");
	if (!body || janus_message(cl->janus, cl->handle, body, NULL, on_setup, cl) < 0)
		fail(cl, "cannot ask for a chat channel");
}

int chatlink_start(GMainContext *main, struct janus *janus, const struct chatlink_config *cfg,
		   const struct chatlink_callbacks *cbs, struct chatlink **out)
{
	struct chatlink *cl = calloc(1, sizeof(*cl));
	int rc = -ENOMEM;
	if (!cl)
		return -ENOMEM;
	cl->refs = 1;
	cl->main = main;
	cl->janus = janus;
	cl->cfg = *cfg;
	cl->cb = *cbs;
	cl->display = strdup(cfg->display);
	cl->pin = cfg->pin ? strdup(cfg->pin) : NULL;
	if (!cl->display || textroom_create(cfg->room, cfg->self_id, cl->display, cl->pin, &cl->tr) < 0)
		goto out;
	if ((rc = janus_attach(janus, TEXTROOM, on_attached, cl)) < 0)
		goto out;
	*out = cl;
	return 0;
out:
	cl->dead = true;
	unref(cl);
	return rc;
}

void chatlink_destroy(struct chatlink *cl)
{
	if (!cl)
		return;
	if (cl->ready && cl->have_stream)
		send_json(cl, textroom_leave_request(cl->tr));
	if (cl->sctp && !cl->dead)
		sctp_assoc_shutdown(cl->sctp);
	janus_forget(cl->janus, cl);
	cl->dead = true;
	unref(cl);
}

int chatlink_send(struct chatlink *cl, const char *to_user, const char *text)
{
	int err;
	if (!cl->ready || !cl->have_stream)
		return -ENOTCONN;
	char *json = textroom_message_request(cl->tr, to_user, text, &err);
	return json ? send_json(cl, json) : err;
}

const char *chatlink_username(const struct chatlink *cl)
{
	return textroom_username(cl->tr);
}

int chatlink_renames(const struct chatlink *cl)
{
	return cl->renames;
}

void chatlink_foreach_peer(const struct chatlink *cl,
			   void (*fn)(void *user, const char *username, const char *display),
			   void *user)
{
	textroom_foreach_peer(cl->tr, fn, user);
}

uint64_t chatlink_handle(const struct chatlink *cl)
{
	return cl->handle;
}

struct peer *chatlink_peer(const struct chatlink *cl)
{
	return cl->pc ? jpc_peer(cl->pc) : NULL;
}

void chatlink_on_janus_event(struct chatlink *cl, const struct janus_event *ev)
{
	if (ev->kind == JANUS_EV_HANGUP)
		fail(cl, "the server hung up the chat connection (%s)", ev->reason);
}
