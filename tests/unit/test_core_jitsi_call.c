/* Unit tests for the Jingle sessions of one room (src/jitsi/call.c), with real PeerConnections
 * on loopback playing the focus and a peer: requests only from the room's focus and listed
 * occupants (others service-unavailable, an unknown sid unknown-session, a sid-less
 * session-initiate bad-request), the result of a session-initiate sent before our
 * session-accept, --no-p2p's decline, a peer-to-peer session up (audio up, named), the bridge's
 * session carrying the audio until a direct one is up, the switch said both ways when the peer
 * ends it, the peer leaving the room ending it, a polite destroy terminating both.
 *
 * Our own offer (lib-jitsi-meet's rule: of two people, the smaller occupant name offers): made
 * once we joined with zoe alone in the room ("d00d" < "zoe"), with the contents, BUNDLE group,
 * actpass fingerprint, Opus and audio level, and our named and owned source lib-jitsi-meet
 * reads; her crossing offer refused (busy); her session-accept (a real answering
 * PeerConnection) taken and the audio switched to her, said; a third person ending it (success)
 * and the audio back through the bridge; back to two after a leave, the offer only after the
 * wait, which someone joining cancels; her decline ending it with no new offer; alice (whose
 * name sorts first) never offered to; --no-p2p never offering; an answer without Opus refused
 * (bad-request) and our offer ended; no answer within the wait: given up, said, ended
 * (connectivity-error) and not offered again.
 *
 * The bridge channel, against the stand-in bridge tests/lab/colibri_ws.py on loopback (a
 * separate process): a focus session-initiate naming a colibri-ws URL opens it (the URL's
 * path), our constraints ask for lastN 1 (0 for a call without video, and while a direct
 * session carries the media) at JCALL_CHANNEL_HEIGHT, by endpoint for an offer without source
 * names and by source for one with them; the bridge's dominant speaker reaches cbs->dominant
 * as the roster id of that occupant (0 for silence, strangers, and once that occupant left);
 * two losses say one notice and the channel comes back; a peer's offer opens none; a focus
 * restart replaces the channel, the focus's session-terminate closes it (dominant back to 0),
 * and so does jcall_destroy. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>

#include "net/dtls.h"
#include "net/ws.h"
#include "net/peer.h"
#include "net/sdp.h"
#include "src/jitsi/call.h"
#include "src/jitsi/jingle.h"
#include "src/jitsi/xml.h"
#include "tests/unit/colibri_ws.h"
#include "tests/unit/jcall_world.h"
#include "tests/unit/pump.h"


static void test_who_may_ask(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct jcall *c = make(&w, false);
	/* not Jingle, not a set: not ours */
	struct xml_doc *d = parse("<iq xmlns='jabber:client' type='get' id='g' from='" ROOM
				  "/alice'><ping xmlns='urn:xmpp:ping'/></iq>");
	assert_false(jcall_iq(c, xml_root(d)));
	xml_free(d);
	static const char ti[] = "<jingle xmlns='urn:xmpp:jingle:1' action='transport-info' "
				 "sid='nope'/>";
	/* from outside the room, from an occupant nobody listed: service-unavailable */
	assert_true(feed(c, "o1", "mallory@localhost/x", ti));
	assert_true(feed(c, "o2", "other@conference.localhost/alice", ti));
	assert_true(feed(c, "o3", ROOM "/zed", ti));
	for (int i = 0; i < 3; i++)
		assert_non_null(strstr(w.log[i], "<service-unavailable "));
	/* a listed occupant, a session we do not have: unknown-session */
	assert_true(feed(c, "u1", ROOM "/alice", ti));
	assert_non_null(strstr(w.log[3], "answer:u1 "));
	assert_non_null(strstr(w.log[3], "<unknown-session "));
	/* a session-initiate without a sid: bad-request; one with no usable offer (alice alone
	 * with us, so the room does not rule it out first): bad-request */
	jcall_occupant_joined(c, "alice", NULL);
	assert_true(feed(c, "b1", ROOM "/alice",
			 "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate'/>"));
	assert_non_null(strstr(w.log[4], "<bad-request "));
	assert_true(feed(c, "b2", ROOM "/alice",
			 "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'/>"));
	assert_int_equal(find(&w, 5, "answer:b2", "<bad-request "), (int)w.n - 1);
	assert_int_equal(find(&w, 0, "iq:", NULL), -1); /* nothing was sent to anyone */
	unmake(&w, c, NULL, 0);
}

static void test_no_p2p_declines(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct jcall *c = make(&w, true);
	struct remote r = { 0 };
	remote_start(&w, &r, ROOM "/alice", "p2p1", 1111);
	assert_true(feed(c, "i1", ROOM "/alice", r.jingle));
	assert_string_equal(w.log[0], "answer:i1 result");
	assert_int_equal(w.n, 2);
	struct xml_doc *d = parse(strchr(w.log[1], ' ') + 1);
	assert_non_null(strstr(w.log[1], "iq:" ROOM "/alice "));
	assert_int_equal(jingle_action_of(xml_root(d)), JINGLE_SESSION_TERMINATE);
	assert_string_equal(jingle_reason_of(xml_root(d)), "decline");
	assert_string_equal(xml_attr(xml_root(d), "sid"), "p2p1");
	xml_free(d);
	unmake(&w, c, &r, 1);
}

static void test_bridge_then_p2p_and_back(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct jcall *c = make(&w, false);
	struct remote r[3] = { { 0 } };
	/* the focus's session: result first, then our session-accept; up: audio through the bridge */
	remote_start(&w, &r[0], ROOM "/focus", "jvb1", 2222);
	assert_true(feed(c, "f1", ROOM "/focus", r[0].jingle));
	int res = find(&w, 0, "answer:f1 result", NULL), acc = find(&w, 0, "iq:", "session-accept");
	assert_true(res >= 0 && acc > res);
	struct wait_up u = { &w, &r[0], 0, 0, "audio:up through the bridge" };
	assert_true(pump(w.ctx, up_and_said, &u, 8000));

	/* alice, alone with us, offers peer-to-peer: once it is up, the audio goes to her (said,
	 * by name) */
	jcall_occupant_joined(c, "alice", NULL);
	remote_start(&w, &r[1], ROOM "/alice", "p2p1", 3333);
	unsigned mark = w.n;
	assert_true(feed(c, "p1", ROOM "/alice", r[1].jingle));
	assert_int_equal(find(&w, mark, "answer:p1 result", NULL), (int)mark);
	u = (struct wait_up){ &w, &r[1], mark, (int)mark,
			      "notice:audio now goes directly to Alice (peer-to-peer)" };
	assert_true(pump(w.ctx, up_and_said, &u, 8000));
	assert_int_equal(find(&w, mark, "audio:", NULL), -1); /* the first audio was said once */

	/* a request of hers for the bridge's session: unknown-session */
	mark = w.n;
	assert_true(feed(c, "x1", ROOM "/alice", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='transport-info' sid='jvb1'/>"));
	assert_non_null(strstr(w.log[mark], "<unknown-session "));

	/* she ends it (a third person came): back through the bridge, said */
	mark = w.n;
	assert_true(feed(c, "t1", ROOM "/alice", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='session-terminate' sid='p2p1'><reason><success/></reason>"
			 "</jingle>"));
	assert_true(find(&w, mark, "answer:t1 result", NULL) >= 0);
	assert_true(find(&w, mark, "notice:Alice ended the peer-to-peer call (success)", NULL) > 0);
	assert_true(find(&w, mark, "notice:audio now goes through the bridge", NULL) > 0);
	assert_int_equal(find(&w, mark, "iq:", NULL), -1); /* no terminate back */
	/* her session is gone: a later request for it is unknown */
	mark = w.n;
	assert_true(feed(c, "t2", ROOM "/alice", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='transport-info' sid='p2p1'/>"));
	assert_non_null(strstr(w.log[mark], "<unknown-session "));

	/* alice leaves, bert comes, offers, then leaves the room: his session ends without a word
	 * to him */
	jcall_occupant_left(c, "alice");
	jcall_occupant_joined(c, "bert", NULL);
	/* his sources claim to be alice's: on a direct session they are his all the same */
	struct remote rb = { .owner = ROOM "/alice" };
	remote_start(&w, &rb, ROOM "/bert", "p2p2", 4444);
	assert_true(feed(c, "p2", ROOM "/bert", rb.jingle));
	assert_string_equal(jcall_ssrc_owner(c, 4444), "bert");
	jcall_occupant_left(c, "bert");
	mark = w.n;
	assert_true(feed(c, "t3", ROOM "/bert", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='transport-info' sid='p2p2'/>"));
	assert_non_null(strstr(w.log[mark], "<unknown-session "));

	/* the focus restarts the bridge session (a bridge failed): the new offer replaces the
	 * old session, the room is not left, and the audio through the new one is said */
	r[2].owner = ROOM "/alice"; /* the focus names the owner of the bridge's sources */
	remote_start(&w, &r[2], ROOM "/focus", "jvb2", 5555);
	mark = w.n;
	assert_true(feed(c, "f2", ROOM "/focus", r[2].jingle));
	assert_int_equal(find(&w, mark, "answer:f2 result", NULL), (int)mark);
	assert_string_equal(jcall_ssrc_owner(c, 5555), "alice");
	u = (struct wait_up){ &w, &r[2], mark, (int)mark,
			      "notice:audio now goes through the bridge" };
	assert_true(pump(w.ctx, up_and_said, &u, 8000));
	assert_int_equal(find(&w, mark, "audio:", NULL), -1);
	mark = w.n;
	assert_true(feed(c, "f3", ROOM "/focus", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='transport-info' sid='jvb1'/>"));
	assert_non_null(strstr(w.log[mark], "<unknown-session "));

	/* a polite end: the focus gets a session-terminate (success) */
	mark = w.n;
	jcall_destroy(c, true);
	int t = find(&w, mark, "iq:" ROOM "/focus ", "session-terminate");
	assert_true(t >= 0 && strstr(w.log[t], "<success/>"));
	peer_destroy(rb.p);
	/* unmake without the call (destroyed above) */
	for (size_t i = 0; i < 3; i++)
		peer_destroy(r[i].p);
	while (g_main_context_iteration(w.ctx, FALSE))
		;
	dtls_cert_destroy(w.cert);
	g_main_context_unref(w.ctx);
	for (unsigned i = 0; i < w.n; i++)
		g_free(w.log[i]);
}

/* ---- the bridge channel against the stand-in bridge ---- */

/* Our constraints as connection n received them, checked: lastN, maxHeight 180 for all,
 * nobody on stage in the naming asked (onStageSources or onStageEndpoints), not the other. */
/* The next constraints on connection n: lastN last_n, maxHeight ours, on stage `stage` (one
 * endpoint id or source name; NULL: nobody). */
static void check_stage(struct colibri_ws *b, int n, bool by_source, int last_n,
			const char *stage)
{
	json_t *e = colibri_ws_wait(b, "recv", n, 6000);
	json_t *m = json_object_get(e, "msg");
	assert_string_equal(json_string_value(json_object_get(m, "colibriClass")),
			    "ReceiverVideoConstraints");
	assert_int_equal(json_integer_value(json_object_get(m, "lastN")), last_n);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "defaultConstraints"),
							    "maxHeight")), JCALL_CHANNEL_HEIGHT);
	const char *mine = by_source ? "onStageSources" : "onStageEndpoints";
	const char *other = by_source ? "onStageEndpoints" : "onStageSources";
	assert_true(json_is_array(json_object_get(m, mine)));
	assert_int_equal(json_array_size(json_object_get(m, mine)), stage ? 1 : 0);
	if (stage)
		assert_string_equal(json_string_value(json_array_get(json_object_get(m, mine), 0)),
				    stage);
	assert_null(json_object_get(m, other));
	json_decref(e);
}

static void check_constraints(struct colibri_ws *b, int n, bool by_source, int last_n)
{
	check_stage(b, n, by_source, last_n, NULL);
}

/* r's session-initiate with the bridge's WebSocket in its (first) transport. */
static char *with_websocket(const struct remote *r, int port, const char *conf)
{
	const char *t = strstr(r->jingle, "<transport ");
	assert_non_null(t);
	const char *gt = strchr(t, '>');
	assert_true(gt && gt[-1] != '/');
	return g_strdup_printf("%.*s<web-socket xmlns='http://jitsi.org/protocol/colibri' "
			       "url='ws://127.0.0.1:%d/colibri-ws/default-id/%s/d00d?pwd=s3cret'/>"
			       "%s", (int)(gt + 1 - r->jingle), r->jingle, port, conf, gt + 1);
}


/* The bridge names a dominant speaker (json: the event's other fields); waits for entry. */
static void speaker(struct world *w, struct colibri_ws *b, const char *fields, const char *entry)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "{\"send\":{\"colibriClass\":"
		 "\"DominantSpeakerEndpointChangeEvent\",%s}}", fields);
	struct wait_log l = { w, w->n, entry };
	colibri_ws_cmd(b, cmd);
	if (!pump(w->ctx, logged, &l, 5000))
		fail_msg("no '%s' after %s", entry, fields);
}


static void test_bridge_channel(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct colibri_ws b = { 0 };
	struct ws_ctx *ws;
	w.ctx = g_main_context_new();
	g_main_context_push_thread_default(w.ctx);
	GMainLoop *loop = g_main_loop_new(w.ctx, FALSE);
	assert_int_equal(ws_ctx_create(loop, false, &ws), 0);
	colibri_ws_start(&b, w.ctx);
	struct jcall *c = make_ws(&w, false, ws, true);
	struct remote r[6] = { { 0 } };

	/* the focus's offer, sources without names (2021): the channel opens on its URL and
	 * asks by endpoint */
	remote_start(&w, &r[0], ROOM "/focus", "jvb1", 2222);
	char *offer = with_websocket(&r[0], b.port, "conf1");
	assert_true(feed(c, "f1", ROOM "/focus", offer));
	g_free(offer);
	assert_true(find(&w, 0, "answer:f1 result", NULL) >= 0);
	json_t *e = colibri_ws_wait(&b, "connect", 1, 6000);
	assert_string_equal(json_string_value(json_object_get(e, "path")),
			    "/colibri-ws/default-id/conf1/d00d?pwd=s3cret");
	json_decref(e);
	check_constraints(&b, 1, false, 1);

	/* the dominant speaker: an occupant's roster id; silence, a stranger, the focus: 0 */
	assert_int_equal(jcall_dominant(c), 0);
	speaker(&w, &b, "\"dominantSpeakerEndpoint\":\"alice\"", "dominant:1");
	assert_int_equal(jcall_dominant(c), 1);
	speaker(&w, &b, "\"dominantSpeakerEndpoint\":\"zed\"", "dominant:0");
	speaker(&w, &b, "\"dominantSpeakerEndpoint\":\"bert\"", "dominant:2");
	speaker(&w, &b, "\"dominantSpeakerEndpoint\":\"bert\",\"silence\":true", "dominant:0");
	speaker(&w, &b, "\"dominantSpeakerEndpoint\":\"bert\"", "dominant:2");
	assert_int_equal(count(&w, "dominant:", NULL), 5); /* one call per change, no repeats */

	/* lost twice: one notice, the channel comes back each time (1 s, then 2 s) */
	unsigned mark = w.n;
	colibri_ws_cmd(&b, "{\"drop\":true}");
	json_decref(colibri_ws_wait(&b, "connect", 2, 6000));
	check_constraints(&b, 2, false, 1);
	colibri_ws_cmd(&b, "{\"drop\":true}");
	json_decref(colibri_ws_wait(&b, "connect", 3, 6000));
	check_constraints(&b, 3, false, 1);
	assert_int_equal(count(&w, "notice:", "bridge channel"), 1);
	int said = find(&w, mark, "notice:", "bridge channel");
	assert_true(said >= 0 && strstr(w.log[said], "the audio goes on"));
	assert_null(strstr(w.log[said], "s3cret")); /* never the URL (its ICE password) */
	assert_true(find(&w, mark, "dominant:0", NULL) >= 0); /* not known while lost */
	assert_int_equal(find(&w, mark, "audio:down", NULL), -1);

	/* the user puts alice on stage (/video alice) */
	assert_int_equal(jcall_show(c, "alice"), 0);
	check_stage(&b, 3, false, 1, "alice");

	/* the focus restarts the session, sources named (2022+): the old channel closes, a new one
	 * asks by source, alice still on stage; /video next: nobody */
	remote_start_named(&w, &r[1], ROOM "/focus", "jvb2", 2223, "jvb");
	offer = with_websocket(&r[1], b.port, "conf2");
	assert_true(feed(c, "f2", ROOM "/focus", offer));
	g_free(offer);
	json_decref(colibri_ws_wait(&b, "closed", 3, 6000));
	e = colibri_ws_wait(&b, "connect", 4, 6000);
	assert_string_equal(json_string_value(json_object_get(e, "path")),
			    "/colibri-ws/default-id/conf2/d00d?pwd=s3cret");
	json_decref(e);
	check_stage(&b, 4, true, 1, "alice-v0");
	assert_int_equal(jcall_show(c, NULL), 0);
	check_constraints(&b, 4, true, 1);
	speaker(&w, &b, "\"dominantSpeakerEndpoint\":\"alice\"", "dominant:1");
	/* alice's direct session comes up: no video from the idle bridge (lastN 0); she ends it:
	 * one again */
	jcall_occupant_joined(c, "alice", NULL); /* alone with us */
	remote_start(&w, &r[5], ROOM "/alice", "p2pA", 3334);
	mark = w.n;
	assert_true(feed(c, "pA", ROOM "/alice", r[5].jingle));
	struct wait_up u = { &w, &r[5], mark, (int)mark, "audio:up peer-to-peer with Alice" };
	assert_true(pump(w.ctx, up_and_said, &u, 8000));
	check_constraints(&b, 4, true, 0);
	assert_true(feed(c, "tA", ROOM "/alice", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='session-terminate' sid='p2pA'><reason><success/></reason>"
			 "</jingle>"));
	check_constraints(&b, 4, true, 1);
	/* the user turns the preview off (/video off): no video from the bridge; on: one again */
	jcall_set_video(c, false);
	check_constraints(&b, 4, true, 0);
	jcall_set_video(c, true);
	check_constraints(&b, 4, true, 1);
	/* bert leaving changes nothing, alice leaving makes it nobody; she comes back */
	mark = w.n;
	jcall_occupant_left(c, "bert");
	assert_int_equal(find(&w, mark, "dominant:", NULL), -1);
	jcall_occupant_left(c, "alice");
	assert_string_equal(w.log[w.n - 1], "dominant:0");
	speaker(&w, &b, "\"dominantSpeakerEndpoint\":\"alice\"", "dominant:1");

	/* the focus ends the session: the channel closes, nobody is dominant any more */
	mark = w.n;
	assert_true(feed(c, "t1", ROOM "/focus", "<jingle xmlns='urn:xmpp:jingle:1' "
			 "action='session-terminate' sid='jvb2'><reason><success/></reason>"
			 "</jingle>"));
	json_decref(colibri_ws_wait(&b, "closed", 4, 6000));
	assert_true(find(&w, mark, "dominant:0", NULL) >= 0);
	assert_int_equal(jcall_dominant(c), 0);

	/* a peer's offer naming a WebSocket opens nothing: only the focus's does */
	remote_start(&w, &r[2], ROOM "/alice", "p2p1", 3333);
	offer = with_websocket(&r[2], b.port, "nope");
	assert_true(feed(c, "p1", ROOM "/alice", offer));
	g_free(offer);
	/* a new bridge session, then our end: jcall_destroy closes its channel */
	remote_start(&w, &r[3], ROOM "/focus", "jvb3", 2224);
	offer = with_websocket(&r[3], b.port, "conf3");
	assert_true(feed(c, "f3", ROOM "/focus", offer));
	g_free(offer);
	e = colibri_ws_wait(&b, "connect", 5, 6000); /* the next connection is the bridge's, not p2p */
	assert_string_equal(json_string_value(json_object_get(e, "path")),
			    "/colibri-ws/default-id/conf3/d00d?pwd=s3cret");
	json_decref(e);
	check_constraints(&b, 5, false, 1);
	mark = w.n;
	jcall_destroy(c, false);
	json_decref(colibri_ws_wait(&b, "closed", 5, 6000));
	assert_int_equal(find(&w, mark, "dominant:", NULL), -1); /* no callback from destroy */

	/* a call that takes no video asks for none (lastN 0) */
	c = make_ws(&w, false, ws, false);
	remote_start(&w, &r[4], ROOM "/focus", "jvb4", 2225);
	offer = with_websocket(&r[4], b.port, "conf4");
	assert_true(feed(c, "f4", ROOM "/focus", offer));
	g_free(offer);
	json_decref(colibri_ws_wait(&b, "connect", 6, 6000));
	check_constraints(&b, 6, false, 0);
	jcall_destroy(c, false);
	json_decref(colibri_ws_wait(&b, "closed", 6, 6000));

	for (size_t i = 0; i < 6; i++)
		peer_destroy(r[i].p);
	pump(w.ctx, NULL, NULL, 100); /* lets lws finish the close */
	colibri_ws_stop(&b);
	ws_ctx_destroy(ws);
	g_main_loop_unref(loop);
	dtls_cert_destroy(w.cert);
	g_main_context_pop_thread_default(w.ctx);
	g_main_context_unref(w.ctx);
	for (unsigned i = 0; i < w.n; i++)
		g_free(w.log[i]);
}

/* ---- ttymeet offers: lib-jitsi-meet's rule (the smaller occupant name offers) ---- */


/* r answers the session-initiate of log entry i as a real PeerConnection (audio sendrecv with
 * ssrc, video inactive); r->jingle is its session-accept. */
static void remote_answer(struct world *w, struct remote *r, const char *jid, int i,
			  uint32_t ssrc)
{
	struct peer_callbacks cb = { .state_cb = remote_state, .user = r };
	r->jid = jid;
	assert_int_equal(peer_create(w->ctx, &w->pc, &cb, &r->p), 0);
	assert_true(pump(w->ctx, gathered, r->p, 5000));
	struct xml_doc *d = sent_jingle(w, i);
	const struct xml_node *j = xml_root(d);
	static char sdp[65536], ans_sdp[16384];
	char err[200];
	int n = jingle_to_sdp(j, sdp, sizeof(sdp), err, sizeof(err));
	assert_true(n > 0);
	struct sdp_session *offer, *ans;
	assert_int_equal(sdp_session_create(&offer), 0);
	assert_int_equal(sdp_parse(sdp, (size_t)n, offer), 0);
	assert_int_equal(peer_set_remote(r->p, offer, 0), 0);
	struct sdp_answer_opts o = { .accept_audio = true, .audio_dir = SDP_DIR_SENDRECV,
				     .accept_video = true, .video_dir = SDP_DIR_INACTIVE,
				     .audio_ssrc = ssrc, .cname = "remote" };
	peer_sdp_local(r->p, &o.local);
	n = sdp_write_answer(ans_sdp, sizeof(ans_sdp), offer, &o);
	assert_true(n > 0);
	assert_int_equal(sdp_session_create(&ans), 0);
	assert_int_equal(sdp_parse(ans_sdp, (size_t)n, ans), 0);
	struct jingle_accept ja = { .sid = xml_attr(j, "sid"), .initiator = xml_attr(j, "initiator"),
				    .responder = jid, .owner = jid };
	assert_true(jingle_write_accept(ans, &ja, r->jingle, sizeof(r->jingle)) > 0);
	sdp_session_destroy(ans);
	sdp_session_destroy(offer);
	xml_free(d);
}

/* Our session-initiate as lib-jitsi-meet reads it: BUNDLEd contents audio (Opus, audio level,
 * our source named and owned by our occupant JID) and video, one ICE-UDP transport with our
 * fingerprint offered actpass, from our occupant JID. */
static void check_offer(const struct world *w, int i, const char *video_senders)
{
	struct xml_doc *d = sent_jingle(w, i);
	const struct xml_node *j = xml_root(d);
	assert_int_equal(jingle_action_of(j), JINGLE_SESSION_INITIATE);
	assert_string_equal(xml_attr(j, "initiator"), ROOM "/d00d");
	assert_true(jingle_token_ok(xml_attr(j, "sid"), 12) && strlen(xml_attr(j, "sid")) == 12);
	const char *x = strchr(w->log[i], ' ') + 1;
	assert_non_null(strstr(x, "<group xmlns='urn:xmpp:jingle:apps:grouping:0' "
			       "semantics='BUNDLE'><content name='audio'/><content name='video'/>"));
	assert_non_null(strstr(x, "<content creator='initiator' name='audio' senders='both'>"));
	char *v = g_strdup_printf("<content creator='initiator' name='video' senders='%s'>",
				  video_senders);
	assert_non_null(strstr(x, v));
	g_free(v);
	assert_non_null(strstr(x, "name='opus' clockrate='48000' channels='2'"));
	assert_non_null(strstr(x, "uri='urn:ietf:params:rtp-hdrext:ssrc-audio-level'"));
	assert_non_null(strstr(x, "name='VP8' clockrate='90000'"));
	assert_non_null(strstr(x, " setup='actpass'>"));
	assert_non_null(strstr(x, "<candidate "));
	assert_int_equal(jingle_sources(j, NULL, NULL), 1);
	assert_non_null(strstr(x, "name='d00d-a0'"));
	assert_non_null(strstr(x, "<ssrc-info xmlns='http://jitsi.org/jitmeet' owner='" ROOM
			       "/d00d'/>"));
	/* and it is an offer a PeerConnection takes */
	static char sdp[65536];
	char err[200];
	assert_true(jingle_to_sdp(j, sdp, sizeof(sdp), err, sizeof(err)) > 0);
	xml_free(d);
}

static void test_we_offer(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct jcall *c = make(&w, false);
	struct remote r[4] = { { 0 } };
	/* the bridge session first: audio through the bridge */
	remote_start(&w, &r[0], ROOM "/focus", "jvb1", 2222);
	assert_true(feed(c, "f1", ROOM "/focus", r[0].jingle));
	struct wait_up u = { &w, &r[0], 0, 0, "audio:up through the bridge" };
	assert_true(pump(w.ctx, up_and_said, &u, 8000));

	/* zoe is in the room before us; "d00d" < "zoe": once we are in, we offer, at once */
	unsigned mark = w.n;
	jcall_occupant_joined(c, "zoe", NULL);
	assert_int_equal(find(&w, mark, "iq:", NULL), -1); /* not before our join */
	jcall_joined(c);
	int ini = find(&w, mark, "iq:" ROOM "/zoe ", "action='session-initiate'");
	check_offer(&w, ini, "none");
	assert_true(find(&w, mark, "notice:offering Zoe a peer-to-peer call", NULL) >= 0);
	jcall_occupant_joined(c, "zoe", NULL); /* her presence again: nothing more */
	assert_int_equal(count(&w, "iq:", "action='session-initiate'"), 1);

	/* offers cross: hers is refused (busy), ours stands */
	remote_start(&w, &r[3], ROOM "/zoe", "zoe1", 7777);
	mark = w.n;
	assert_true(feed(c, "z0", ROOM "/zoe", r[3].jingle));
	assert_string_equal(w.log[mark], "answer:z0 result");
	struct xml_doc *d = sent_jingle(&w, find(&w, mark, "iq:" ROOM "/zoe ", NULL));
	assert_int_equal(jingle_action_of(xml_root(d)), JINGLE_SESSION_TERMINATE);
	assert_string_equal(xml_attr(xml_root(d), "sid"), "zoe1");
	assert_string_equal(jingle_reason_of(xml_root(d)), "busy");
	xml_free(d);

	/* she accepts ours: the audio goes to her once it is up, said by name */
	remote_answer(&w, &r[1], ROOM "/zoe", ini, 3333);
	mark = w.n;
	assert_true(feed(c, "z1", ROOM "/zoe", r[1].jingle));
	assert_string_equal(w.log[mark], "answer:z1 result");
	assert_string_equal(jcall_ssrc_owner(c, 3333), "zoe");
	u = (struct wait_up){ &w, &r[1], mark, (int)mark,
			      "notice:audio now goes directly to Zoe (peer-to-peer)" };
	assert_true(pump(w.ctx, up_and_said, &u, 8000));
	assert_int_equal(jcall_show(c, "zoe"), -EALREADY); /* the direct session is the active one */
	mark = w.n; /* her accept again: out-of-order */
	assert_true(feed(c, "z2", ROOM "/zoe", r[1].jingle));
	assert_non_null(strstr(w.log[mark], "<out-of-order "));

	/* a third person: we end it (success) and the audio goes back through the bridge */
	mark = w.n;
	jcall_occupant_joined(c, "alice", NULL);
	d = sent_jingle(&w, find(&w, mark, "iq:" ROOM "/zoe ", NULL));
	assert_int_equal(jingle_action_of(xml_root(d)), JINGLE_SESSION_TERMINATE);
	assert_string_equal(jingle_reason_of(xml_root(d)), "success");
	xml_free(d);
	assert_true(find(&w, mark, "notice:audio now goes through the bridge", NULL) >= 0);
	/* the bridge's (no channel here: picked among the videos it forwards, src/vrecv.h) */
	assert_int_equal(jcall_show(c, "zoe"), 0);

	/* alice leaves: two again, we offer after the wait, not at once; bert coming cancels
	 * the wait, his leaving starts it again */
	mark = w.n;
	jcall_occupant_left(c, "alice");
	jcall_occupant_joined(c, "bert", NULL);
	jcall_occupant_left(c, "bert");
	assert_int_equal(find(&w, mark, "iq:", NULL), -1);
	pump(w.ctx, NULL, NULL, 150);
	assert_int_equal(find(&w, mark, "iq:", NULL), -1);
	struct wait_log wl = { &w, mark, "notice:offering Zoe a peer-to-peer call" };
	assert_true(pump(w.ctx, logged, &wl, 2000));
	ini = find(&w, mark, "iq:" ROOM "/zoe ", "action='session-initiate'");
	check_offer(&w, ini, "none");
	assert_int_equal(count(&w, "iq:", "action='session-initiate'"), 2);

	/* she declines: the offer ends, the audio stays on the bridge, no new offer */
	d = sent_jingle(&w, ini);
	char *term = g_strdup_printf("<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' "
				     "sid='%s'><reason><decline/></reason></jingle>",
				     xml_attr(xml_root(d), "sid"));
	xml_free(d);
	mark = w.n;
	assert_true(feed(c, "z3", ROOM "/zoe", term));
	g_free(term);
	assert_true(find(&w, mark, "answer:z3 result", NULL) >= 0);
	assert_true(find(&w, mark, "notice:Zoe ended the peer-to-peer call (decline)", NULL) >= 0);
	pump(w.ctx, NULL, NULL, 500);
	assert_int_equal(find(&w, mark, "iq:", NULL), -1);

	/* alice alone with us: her name sorts first, she offers, we wait */
	jcall_occupant_left(c, "zoe");
	jcall_occupant_joined(c, "alice", NULL);
	jcall_occupant_left(c, "alice");
	jcall_occupant_joined(c, "alice", NULL);
	pump(w.ctx, NULL, NULL, 500);
	assert_int_equal(find(&w, mark, "iq:", NULL), -1);
	unmake(&w, c, r, 4);
}

/* --no-p2p: never an offer; an answer we cannot use ends our offer */
static void test_no_p2p_never_offers(void **state)
{
	(void)state;
	struct world w = { 0 };
	struct jcall *c = make(&w, true);
	jcall_occupant_joined(c, "zoe", NULL);
	jcall_joined(c);
	jcall_occupant_joined(c, "alice", NULL);
	jcall_occupant_left(c, "alice");
	pump(w.ctx, NULL, NULL, 500);
	assert_int_equal(find(&w, 0, "iq:", NULL), -1);
	jcall_destroy(c, true);
	assert_int_equal(find(&w, 0, "iq:", NULL), -1);

	/* without --no-p2p, zoe's answer without Opus: bad-request, and our offer ends */
	c = make(&w, false);
	jcall_occupant_joined(c, "zoe", NULL);
	jcall_joined(c);
	int ini = find(&w, 0, "iq:" ROOM "/zoe ", "action='session-initiate'");
	assert_true(ini >= 0);
	struct xml_doc *d = sent_jingle(&w, ini);
	char *bad = g_strdup_printf("<jingle xmlns='urn:xmpp:jingle:1' action='session-accept' "
				    "sid='%s'><content creator='initiator' name='audio'><description "
				    "xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type "
				    "id='0' name='PCMU' clockrate='8000'/></description><transport "
				    "xmlns='" NS_ICE "' ufrag='abcd' pwd='abcdefghijklmnopqrstuvwx'>"
				    "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' "
				    "setup='active'>AB:CD</fingerprint></transport></content></jingle>",
				    xml_attr(xml_root(d), "sid"));
	xml_free(d);
	unsigned mark = w.n;
	assert_true(feed(c, "z1", ROOM "/zoe", bad));
	g_free(bad);
	assert_true(find(&w, mark, "answer:z1 ", "<bad-request ") >= 0);
	d = sent_jingle(&w, find(&w, mark, "iq:" ROOM "/zoe ", NULL));
	assert_int_equal(jingle_action_of(xml_root(d)), JINGLE_SESSION_TERMINATE);
	xml_free(d);
	assert_true(find(&w, mark, "notice:the peer-to-peer connection with Zoe failed", NULL) >= 0);
	jcall_destroy(c, false);

	/* no answer at all: given up after the wait, ended (connectivity-error), not offered again */
	w.p2p_answer_ms = 300;
	c = make(&w, false);
	mark = w.n;
	jcall_occupant_joined(c, "zoe", NULL);
	jcall_joined(c);
	assert_true(find(&w, mark, "iq:" ROOM "/zoe ", "action='session-initiate'") >= 0);
	struct wait_log wl = { &w, mark, "notice:the peer-to-peer connection with Zoe failed (no "
				       "answer to our offer within 0.3 s)" };
	assert_true(pump(w.ctx, logged, &wl, 3000));
	pump(w.ctx, NULL, NULL, 300);
	int t = find(&w, mark, "iq:" ROOM "/zoe ", "action='session-terminate'");
	assert_true(t >= 0 && strstr(w.log[t], "<connectivity-error/>"));
	assert_int_equal(count(&w, "iq:", "action='session-initiate'"), 2); /* one per call */
	unmake(&w, c, NULL, 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_who_may_ask),
		cmocka_unit_test(test_no_p2p_declines),
		cmocka_unit_test(test_bridge_then_p2p_and_back),
		cmocka_unit_test(test_bridge_channel),
		cmocka_unit_test(test_we_offer),
		cmocka_unit_test(test_no_p2p_never_offers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
