/* Fuzz target: Jingle ↔ SDP (src/jitsi/jingle.c) on whatever a focus or a peer may send. The
 * input is one XML message (an iq with a <jingle>, or a <jingle>). Whatever the bytes: no
 * crash, leak or UB; the SDP made from it is only whole lines of the form "x=..." ending in
 * CRLF with no control characters inside (nothing the remote wrote can add or split a line);
 * when our parser takes that SDP, our answer to it becomes a session-accept that is
 * well-formed XML and reads back as a Jingle session-accept; every source handed out (from XML
 * or from a JSON-encoded <json-message>) has a non-zero SSRC, an owner and name without blanks
 * or controls and an msid without controls, and a refused set of sources reports none; a
 * reason read is a token; every candidate made is one the SDP parser takes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/sdp.h"
#include "src/jitsi/jingle.h"
#include "src/jitsi/xml.h"

#define NS_ICE "urn:xmpp:jingle:transports:ice-udp:1"

static void check_token(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

static void on_source(void *user, const struct jingle_source *src)
{
	unsigned *n = user;
	if (!src->ssrc || (src->kind != SDP_KIND_AUDIO && src->kind != SDP_KIND_VIDEO &&
			   src->kind != SDP_KIND_OTHER))
		abort();
	check_token(src->owner);
	check_token(src->name);
	for (const char *s = src->msid; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			abort();
	(*n)++;
}

static void check_lines(const char *sdp, size_t len)
{
	if (strlen(sdp) != len)
		abort();
	for (const char *p = sdp; *p;) {
		const char *eol = strstr(p, "\r\n");
		if (!eol || eol - p < 2 || p[0] < 'a' || p[0] > 'z' || p[1] != '=')
			abort();
		for (const char *q = p; q < eol; q++)
			if ((unsigned char)*q < 0x20 || (unsigned char)*q == 0x7f)
				abort();
		p = eol + 2;
	}
}

static void answer(const char *sdp, size_t len)
{
	struct sdp_session *offer = NULL, *ans = NULL;
	static char a[65536], acc[131072];
	char err[200];
	if (sdp_session_create(&offer) < 0 || sdp_session_create(&ans) < 0)
		abort();
	if (sdp_parse(sdp, len, offer) == 0) {
		static const char *const cands[] = { "1 1 udp 2130706431 127.0.0.1 4444 typ host" };
		struct sdp_answer_opts o = {
			.local = { .sess_id = 1, .sess_version = 1, .ice_ufrag = "uuuu",
				   .ice_pwd = "pwpwpwpwpwpwpwpwpwpwpwpw",
				   .fingerprint = "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:"
						  "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00",
				   .cands = cands, .n_cands = 1 },
			.accept_audio = true, .accept_video = true,
			.audio_dir = SDP_DIR_SENDRECV, .video_dir = SDP_DIR_RECVONLY,
			.audio_ssrc = 3333, .cname = "fuzz",
		};
		int n = sdp_write_answer(a, sizeof(a), offer, &o);
		if (n > 0 && sdp_parse(a, (size_t)n, ans) == 0) {
			struct jingle_accept ja = { .sid = "s<&'", .initiator = "focus",
						    .responder = "me@x/y", .owner = "r@c/'&<>\"",
						    .endpoint = "e&" };
			n = jingle_write_accept(ans, &ja, acc, sizeof(acc));
			if (n > 0) {
				struct xml_doc *d;
				if (xml_parse(acc, (size_t)n, &d, err, sizeof(err)) < 0 ||
				    jingle_action_of(xml_root(d)) != JINGLE_SESSION_ACCEPT)
					abort();
				xml_free(d);
			}
		}
	}
	sdp_session_destroy(offer);
	sdp_session_destroy(ans);
}

static void candidates(const struct xml_node *n, int depth)
{
	for (; n && depth < XML_MAX_DEPTH; n = n->next) {
		if (xml_is(n, NS_ICE, "candidate")) {
			char line[256];
			struct sdp_candidate c;
			if (jingle_candidate_to_sdp(n, line, sizeof(line)) > 0 &&
			    sdp_candidate_parse(line, &c) < 0)
				abort();
		}
		candidates(n->child, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_doc *d;
	char err[200];
	static char sdp[65536];
	if (xml_parse((const char *)data, size, &d, err, sizeof(err)) < 0)
		return 0;
	const struct xml_node *j = xml_root(d);
	if (!xml_is(j, NS_JINGLE, "jingle"))
		j = xml_child(j, NS_JINGLE, "jingle");
	if (j) {
		err[0] = '\0';
		(void)jingle_action_of(j);
		unsigned got = 0;
		int rc = jingle_sources(j, on_source, &got);
		if (rc >= 0 ? (unsigned)rc != got : (got || (rc != -EINVAL && rc != -E2BIG)))
			abort();
		if (jingle_sources(j, NULL, NULL) != rc) /* checking only gives the same */
			abort();
		const char *why = jingle_reason_of(j);
		if (why)
			check_token(why);
		candidates(j->child, 0);
		int n = jingle_to_sdp(j, sdp, sizeof(sdp), err, sizeof(err));
		if (n > 0) {
			check_lines(sdp, (size_t)n);
			answer(sdp, (size_t)n);
		} else if (n == -EINVAL && !err[0]) {
			abort(); /* a refusal always says why */
		}
	}
	xml_free(d);
	return 0;
}
