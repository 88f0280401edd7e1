/* Unit tests for net/peer's batched receive: two real PeerConnections on 127.0.0.1 (libnice,
 * DTLS, SRTP) in one private GMainContext, the offer and answer written and parsed by net/sdp,
 * candidates trickled. The answerer asks for batched receive before it connects:
 * - the handshake completes without any poll (it is read as it comes);
 * - once connected, SRTP, SRTCP and DTLS application data wait in the socket until
 *   peer_poll(), which delivers all of them, each kind in the order sent, every RTP packet
 *   with the time it reached the socket (not the time of the poll);
 * - when the owner does not poll, the peer's own timer reads them after PEER_POLL_MAX_MS;
 * - batched off again, the context reads each as it comes.
 * Every wait iterates the context with a deadline; nothing here can hang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dtls.h"
#include "net/peer.h"
#include "net/sdp.h"

#include "pump.h"

#define MAXRX 64

static const char *const loopback[] = { "127.0.0.1", NULL };

struct side {
	struct peer *p;
	struct side *other;
	enum peer_state state;
	int nrtp, nrtcp, ndata;
	uint16_t seq[MAXRX];
	gint64 rtp_at[MAXRX]; /* peer_arrival_us in rtp_cb */
	gint64 rtp_cb_at;     /* when the last rtp_cb ran */
	uint8_t rtcp_pt[MAXRX];
	char data[MAXRX][16];
	char pend[16][600];   /* candidates gathered before the other side existed */
	int npend;
	bool pend_done;
};

static void cand_cb(void *user, const char *cand)
{
	struct side *s = user;

	if (!s->other->p) { /* gathering started inside peer_create, before the other exists */
		if (!cand)
			s->pend_done = true;
		else if (s->npend < 16)
			snprintf(s->pend[s->npend++], sizeof(s->pend[0]), "%s", cand);
		return;
	}
	/* kept by the other side until its remote description is set */
	peer_add_remote_candidate(s->other->p, cand);
}

static void flush_pending(struct side *s)
{
	for (int i = 0; i < s->npend; i++)
		peer_add_remote_candidate(s->other->p, s->pend[i]);
	if (s->pend_done)
		peer_add_remote_candidate(s->other->p, NULL);
	s->npend = 0;
	s->pend_done = false;
}

static void state_cb(void *user, enum peer_state st, int err, const char *reason)
{
	struct side *s = user;

	s->state = st;
	if (st == PEER_FAILED)
		printf("# peer failed: %d %s\n", err, reason);
}

static void rtp_cb(void *user, uint8_t *buf, size_t len)
{
	struct side *s = user;

	assert_true(len >= 12);
	if (s->nrtp < MAXRX) {
		s->seq[s->nrtp] = (uint16_t)(buf[2] << 8 | buf[3]);
		s->rtp_at[s->nrtp] = peer_arrival_us(s->p);
		s->nrtp++;
	}
	s->rtp_cb_at = g_get_monotonic_time();
}

static void rtcp_cb(void *user, uint8_t *buf, size_t len)
{
	struct side *s = user;

	assert_true(len >= 8);
	if (s->nrtcp < MAXRX)
		s->rtcp_pt[s->nrtcp++] = buf[1];
}

static void data_cb(void *user, const uint8_t *buf, size_t len)
{
	struct side *s = user;

	if (s->ndata < MAXRX && len < sizeof(s->data[0])) {
		memcpy(s->data[s->ndata], buf, len);
		s->data[s->ndata][len] = '\0';
		s->ndata++;
	}
}

static void make(GMainContext *ctx, struct side *s, struct side *other, bool offerer,
		 const struct dtls_cert *cert)
{
	struct peer_config cfg = { .offerer = offerer, .cert = cert, .local_addrs = loopback };
	struct peer_callbacks cb = { .candidate_cb = cand_cb, .state_cb = state_cb,
				     .rtp_cb = rtp_cb, .rtcp_cb = rtcp_cb, .data_cb = data_cb,
				     .user = s };

	s->other = other;
	assert_int_equal(peer_create(ctx, &cfg, &cb, &s->p), 0);
}

static bool both_connected(void *arg)
{
	struct side *s = arg;

	return s[0].state == PEER_CONNECTED && s[1].state == PEER_CONNECTED;
}

static struct sdp_session *parse(const char *text)
{
	struct sdp_session *sess = NULL;

	assert_int_equal(sdp_session_create(&sess), 0);
	assert_int_equal(sdp_parse(text, strlen(text), sess), 0);
	return sess;
}

/* s[0] offers, s[1] answers (batched from the start); both reach PEER_CONNECTED. */
static void connect_pair(GMainContext *ctx, struct side s[2], struct dtls_cert *cert[2])
{
	static char buf[8192];
	struct sdp_audio_offer o = { .dir = SDP_DIR_SENDRECV, .ssrc = 0x1111, .cname = "a" };
	struct sdp_answer_opts ao = { .accept_audio = true, .audio_dir = SDP_DIR_SENDRECV,
				      .audio_ssrc = 0x2222, .cname = "b" };
	struct sdp_session *offer, *answer;

	memset(s, 0, 2 * sizeof(*s));
	make(ctx, &s[0], &s[1], true, cert[0]);
	make(ctx, &s[1], &s[0], false, cert[1]);
	flush_pending(&s[0]);
	flush_pending(&s[1]);
	peer_set_batched(s[1].p, true);
	peer_sdp_local(s[0].p, &o.local);
	assert_true(sdp_write_audio_offer(buf, sizeof(buf), &o) > 0);
	offer = parse(buf);
	assert_int_equal(peer_set_remote(s[1].p, offer, 0), 0);
	peer_sdp_local(s[1].p, &ao.local);
	assert_true(sdp_write_answer(buf, sizeof(buf), offer, &ao) > 0);
	answer = parse(buf);
	assert_int_equal(peer_set_remote(s[0].p, answer, 0), 0);
	sdp_session_destroy(offer);
	sdp_session_destroy(answer);
	/* The answerer never calls peer_poll here: the handshake is read as it comes. */
	assert_true(pump(ctx, both_connected, s, 10000));
}

static void send_rtp(struct side *s, uint16_t seq)
{
	uint32_t buf32[(200 + SRTP_SESSION_HEADROOM) / 4] = { 0 };
	uint8_t *b = (uint8_t *)buf32;

	b[0] = 0x80;
	b[1] = 111;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[11] = 0x11; /* SSRC 0x00000011 */
	memset(b + 12, 0x5a, 40);
	assert_int_equal(peer_send_rtp(s->p, b, 52, sizeof(buf32)), 0);
}

static void send_rtcp(struct side *s, uint8_t pt)
{
	uint32_t buf32[(64 + SRTP_SESSION_HEADROOM) / 4] = { 0 };
	uint8_t *b = (uint8_t *)buf32;

	b[0] = 0x80; /* RR (201) or APP-like (204) without blocks: 8 bytes */
	b[1] = pt;
	b[3] = 1;
	b[7] = 0x11;
	assert_int_equal(peer_send_rtcp(s->p, b, 8, sizeof(buf32)), 0);
}

static int want_rtp;

static bool rtp_reached(void *arg)
{
	return ((struct side *)arg)->nrtp >= want_rtp;
}

static void test_batched_receive(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct dtls_cert *cert[2];
	struct side s[2];
	gint64 t0, t1, t_poll, last_poll;
	int i;

	assert_int_equal(dtls_cert_create(&cert[0]), 0);
	assert_int_equal(dtls_cert_create(&cert[1]), 0);
	connect_pair(ctx, s, cert);
	pump(ctx, NULL, NULL, 50); /* the kernel's receive stamps, just turned on */

	/* A batch: ten RTP packets, two RTCP, one DTLS message, interleaved. */
	peer_poll(s[1].p); /* the owner's clock: its timer is not due for PEER_POLL_MAX_MS */
	t0 = g_get_monotonic_time();
	for (i = 0; i < 10; i++) {
		send_rtp(&s[0], (uint16_t)(100 + i));
		if (i == 3)
			send_rtcp(&s[0], 201);
		if (i == 5)
			assert_int_equal(peer_send_data(s[0].p, (const uint8_t *)"hello", 5), 0);
		if (i == 7)
			send_rtcp(&s[0], 204);
	}
	t1 = g_get_monotonic_time();
	pump(ctx, NULL, NULL, 30);
	assert_int_equal(s[1].nrtp + s[1].nrtcp + s[1].ndata, 0); /* waiting in the socket */
	t_poll = g_get_monotonic_time();
	assert_int_equal(peer_poll(s[1].p), 13);
	assert_int_equal(s[1].nrtp, 10);
	assert_int_equal(s[1].nrtcp, 2);
	assert_int_equal(s[1].ndata, 1);
	assert_string_equal(s[1].data[0], "hello");
	assert_int_equal(s[1].rtcp_pt[0], 201);
	assert_int_equal(s[1].rtcp_pt[1], 204);
	for (i = 0; i < 10; i++) {
		assert_int_equal(s[1].seq[i], 100 + i);
		assert_true(s[1].rtp_at[i] >= t0 - 1000 && s[1].rtp_at[i] <= t1 + 20000);
		assert_true(s[1].rtp_at[i] < t_poll - 20000); /* not the poll's time */
	}
	assert_int_equal(peer_poll(s[1].p), 0);
	assert_int_equal(peer_poll(s[0].p), 0); /* not batched: nothing to poll */

	/* Nobody polls: the peer's timer does, PEER_POLL_MAX_MS after the last poll. */
	last_poll = g_get_monotonic_time();
	peer_poll(s[1].p);
	for (i = 0; i < 3; i++)
		send_rtp(&s[0], (uint16_t)(110 + i));
	want_rtp = 13;
	assert_true(pump(ctx, rtp_reached, &s[1], 2000));
	assert_true(s[1].rtp_cb_at - last_poll >= (PEER_POLL_MAX_MS - 10) * 1000);
	for (i = 10; i < 13; i++)
		assert_int_equal(s[1].seq[i], 100 + i);

	/* Batched off: the context reads each packet as it comes. */
	peer_set_batched(s[1].p, false);
	t0 = g_get_monotonic_time();
	send_rtp(&s[0], 113);
	want_rtp = 14;
	assert_true(pump(ctx, rtp_reached, &s[1], 2000));
	assert_int_equal(s[1].seq[13], 113);
	assert_true(s[1].rtp_cb_at - t0 < (PEER_POLL_MAX_MS - 10) * 1000);
	assert_int_equal(peer_poll(s[1].p), 0);

	assert_int_equal(peer_get_state(s[0].p), PEER_CONNECTED);
	assert_int_equal(peer_get_state(s[1].p), PEER_CONNECTED);
	peer_destroy(s[0].p);
	peer_destroy(s[1].p);
	pump(ctx, NULL, NULL, 50);
	dtls_cert_destroy(cert[0]);
	dtls_cert_destroy(cert[1]);
	g_main_context_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batched_receive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
