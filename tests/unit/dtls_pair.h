/* The fixture of the DTLS unit tests (test_net_dtls.c, test_net_dtls_forged.c): two in-process
 * endpoints wired back to back. Each endpoint's send_cb queues datagrams (as a socket would) and
 * keeps a copy of everything it sent; pump() delivers the queues, run() also drives the
 * retransmission timers. Header only (static: each test program uses what it needs). */
#ifndef TTM_TESTS_DTLS_PAIR_H
#define TTM_TESTS_DTLS_PAIR_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/dtls.h"
#include "net/lockpool.h"

#define QMAX 512

struct pkt {
	uint8_t *data;
	size_t len;
};

struct ep {
	struct dtls *d;
	struct pkt q[QMAX];		/* datagrams on their way to the peer */
	size_t qn;
	struct pkt log[QMAX];		/* copy of everything sent, for inspection */
	size_t logn;
	int drop_next;			/* drop this many outgoing datagrams */
	bool drop_all;
	size_t max_dgram;
	unsigned int sent;
	int connected;
	int closed;
	int failed;
	int fail_err;
	int fail_alert;
	char reason[512];
	bool have_keys;
	struct dtls_srtp_keys keys;
	unsigned int app_count;
	uint8_t app[DTLS_MAX_APP_LEN];
	size_t app_len;
	bool app_in_pool, app_locked;	/* where the last plaintext was (net/lockpool.h) */
	bool echo_app;			/* send received app data back from inside event_cb */
	bool destroy_on_event;		/* dtls_destroy() from inside event_cb */
};

struct pair {
	struct dtls_cert *ccert, *scert;
	char cfp[DTLS_FP_HEX_MAX], sfp[DTLS_FP_HEX_MAX];
	struct ep client, server;
};

struct opts {
	const char *client_profiles, *server_profiles;
	unsigned int mtu;
	unsigned int retransmit_ms;
	unsigned int handshake_ms;
	bool client_wrong_fp;		/* client expects the wrong server fingerprint */
	bool server_wrong_fp;
	const char *ciphers;		/* both ends' OpenSSL cipher list, NULL: the default */
};

static inline void send_cb(void *user, const uint8_t *data, size_t len)
{
	struct ep *e = user;

	assert_true(len > 0);
	/* A datagram is a sequence of whole DTLS records. */
	for (size_t o = 0, rlen; o < len; o += 13 + rlen) {
		assert_true(o + 13 <= len);
		rlen = (size_t)(data[o + 11] << 8 | data[o + 12]);
		assert_true(o + 13 + rlen <= len);
	}
	e->sent++;
	if (len > e->max_dgram)
		e->max_dgram = len;
	if (e->logn < QMAX) {
		e->log[e->logn].data = malloc(len);
		assert_non_null(e->log[e->logn].data);
		memcpy(e->log[e->logn].data, data, len);
		e->log[e->logn++].len = len;
	}
	if (e->drop_all || e->drop_next > 0) {
		if (e->drop_next > 0)
			e->drop_next--;
		return;
	}
	assert_true(e->qn < QMAX);
	e->q[e->qn].data = malloc(len);
	assert_non_null(e->q[e->qn].data);
	memcpy(e->q[e->qn].data, data, len);
	e->q[e->qn++].len = len;
}

static inline void event_cb(void *user, const struct dtls_event *ev)
{
	struct ep *e = user;

	assert_non_null(ev->reason);
	switch (ev->type) {
	case DTLS_EVENT_CONNECTED:
		e->connected++;
		assert_int_equal(dtls_get_state(e->d), DTLS_STATE_CONNECTED);
		if (ev->keys) {
			e->have_keys = true;
			e->keys = *ev->keys;
		}
		break;
	case DTLS_EVENT_APP_DATA:
		e->app_count++;
		assert_true(ev->len <= sizeof(e->app));
		memcpy(e->app, ev->data, ev->len);
		e->app_len = ev->len;
		e->app_in_pool = lockpool_owns(ev->data);
		e->app_locked = lockpool_is_locked(ev->data);
		if (e->echo_app)
			assert_int_equal(dtls_send_app(e->d, ev->data, ev->len), 0);
		break;
	case DTLS_EVENT_CLOSED:
		e->closed++;
		assert_int_equal(dtls_get_state(e->d), DTLS_STATE_CLOSED);
		break;
	case DTLS_EVENT_FAILED:
		e->failed++;
		e->fail_err = ev->err;
		e->fail_alert = ev->alert;
		snprintf(e->reason, sizeof(e->reason), "%s", ev->reason);
		assert_int_equal(dtls_get_state(e->d), DTLS_STATE_FAILED);
		break;
	}
	if (e->destroy_on_event) {
		dtls_destroy(e->d);
		e->d = NULL;
	}
}

static inline void fp_of(const struct dtls_cert *c, struct dtls_fingerprint *fp, bool corrupt)
{
	assert_int_equal(dtls_fingerprint_parse(dtls_cert_fingerprint_alg(c),
						dtls_cert_fingerprint(c), fp), 0);
	if (corrupt)
		fp->bytes[7] ^= 0x01;
}

static inline void ep_create(struct ep *e, struct dtls_cert *own, struct dtls_cert *peer,
		      enum dtls_role role, const char *profiles, const struct opts *o, bool wrong)
{
	struct dtls_config cfg = {
		.cert = own,
		.role = role,
		.send_cb = send_cb,
		.event_cb = event_cb,
		.user = e,
		.srtp_profiles = profiles,
		.mtu = o->mtu,
		.retransmit_ms = o->retransmit_ms,
		.handshake_timeout_ms = o->handshake_ms,
		.ciphers = o->ciphers,
	};

	fp_of(peer, &cfg.remote_fp, wrong);
	assert_int_equal(dtls_create(&e->d, &cfg), 0);
	assert_int_equal(dtls_get_state(e->d), DTLS_STATE_NEW);
	assert_int_equal(dtls_get_role(e->d), role);
}

static inline void pair_init(struct pair *p, const struct opts *o)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(dtls_cert_create(&p->ccert), 0);
	assert_int_equal(dtls_cert_create(&p->scert), 0);
	ep_create(&p->client, p->ccert, p->scert, DTLS_ROLE_CLIENT, o->client_profiles, o,
		  o->client_wrong_fp);
	ep_create(&p->server, p->scert, p->ccert, DTLS_ROLE_SERVER, o->server_profiles, o,
		  o->server_wrong_fp);
	snprintf(p->cfp, sizeof(p->cfp), "%s", dtls_cert_fingerprint(p->ccert));
	snprintf(p->sfp, sizeof(p->sfp), "%s", dtls_cert_fingerprint(p->scert));
	/* The connections hold their own references: the certificates may go now. */
	dtls_cert_destroy(p->ccert);
	dtls_cert_destroy(p->scert);
	p->ccert = p->scert = NULL;
}

static inline void q_clear(struct ep *e)
{
	for (size_t i = 0; i < e->qn; i++)
		free(e->q[i].data);
	e->qn = 0;
}

static inline void pair_free(struct pair *p)
{
	struct ep *eps[] = { &p->client, &p->server };

	for (size_t k = 0; k < 2; k++) {
		dtls_destroy(eps[k]->d);
		q_clear(eps[k]);
		for (size_t i = 0; i < eps[k]->logn; i++)
			free(eps[k]->log[i].data);
	}
}

/* Delivers everything queued from e to its peer; returns how many datagrams were delivered. */
static inline size_t deliver(struct ep *from, struct ep *to)
{
	struct pkt q[QMAX];
	size_t n = from->qn;

	memcpy(q, from->q, n * sizeof(q[0]));
	from->qn = 0;
	for (size_t i = 0; i < n; i++) {
		if (to->d)
			assert_int_equal(dtls_handle_incoming(to->d, q[i].data, q[i].len), 0);
		free(q[i].data);
	}
	return n;
}

static inline void pump(struct pair *p)
{
	for (int i = 0; i < 100; i++)
		if (deliver(&p->client, &p->server) + deliver(&p->server, &p->client) == 0)
			return;
	fail_msg("pump did not settle");
}

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static inline int min_timeout(struct pair *p)
{
	int a = p->client.d ? dtls_next_timeout_ms(p->client.d) : -1;
	int b = p->server.d ? dtls_next_timeout_ms(p->server.d) : -1;

	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* Pumps and drives the timers like a main loop until nothing is pending or budget_ms passed. */
static inline void run(struct pair *p, int budget_ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int ms;

		pump(p);
		if ((!p->client.d || dtls_get_state(p->client.d) != DTLS_STATE_HANDSHAKING) &&
		    (!p->server.d || dtls_get_state(p->server.d) != DTLS_STATE_HANDSHAKING))
			return;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > budget_ms)
			return;
		ms = min_timeout(p);
		if (ms < 0)
			return;
		sleep_ms(ms);
		if (p->client.d)
			dtls_handle_timeout(p->client.d);
		if (p->server.d)
			dtls_handle_timeout(p->server.d);
	}
}

static inline void connect_pair(struct pair *p, const struct opts *o)
{
	pair_init(p, o);
	assert_int_equal(dtls_start(p->server.d), 0);
	assert_int_equal(dtls_start(p->client.d), 0);
	assert_int_equal(dtls_start(p->client.d), -EALREADY);
	run(p, 5000);
}

static inline void assert_mirrored(const struct ep *c, const struct ep *s)
{
	assert_true(c->have_keys);
	assert_true(s->have_keys);
	assert_int_equal(c->keys.profile, s->keys.profile);
	assert_int_equal(c->keys.key_len, s->keys.key_len);
	assert_int_equal(c->keys.salt_len, s->keys.salt_len);
	assert_memory_equal(c->keys.local_key, s->keys.remote_key, c->keys.key_len);
	assert_memory_equal(c->keys.local_salt, s->keys.remote_salt, c->keys.salt_len);
	assert_memory_equal(c->keys.remote_key, s->keys.local_key, c->keys.key_len);
	assert_memory_equal(c->keys.remote_salt, s->keys.local_salt, c->keys.salt_len);
	/* The two directions are keyed differently. */
	assert_memory_not_equal(c->keys.local_key, c->keys.remote_key, c->keys.key_len);
}

static inline void check_connected(struct pair *p, enum dtls_srtp_profile want)
{
	struct dtls_srtp_keys k;

	assert_int_equal(p->client.failed, 0);
	assert_int_equal(p->server.failed, 0);
	assert_int_equal(p->client.connected, 1);
	assert_int_equal(p->server.connected, 1);
	assert_int_equal(dtls_get_state(p->client.d), DTLS_STATE_CONNECTED);
	assert_int_equal(dtls_get_state(p->server.d), DTLS_STATE_CONNECTED);
	assert_int_equal(dtls_next_timeout_ms(p->server.d), -1);
	assert_mirrored(&p->client, &p->server);
	assert_int_equal(p->client.keys.profile, want);
	assert_int_equal(dtls_get_srtp_keys(p->client.d, &k), 0);
	assert_memory_equal(&k, &p->client.keys, sizeof(k));
	assert_true(p->client.max_dgram <= DTLS_DEFAULT_MTU);
	assert_true(p->server.max_dgram <= DTLS_DEFAULT_MTU);
}

#endif
