/* Unit tests for net/ice: two real libnice agents on 127.0.0.1 in one private GMainContext
 * (one controlling, one controlled) trickle candidates to each other, reach READY, exchange
 * datagrams both ways; failure against a dead port, consent loss when the peer vanishes (after
 * ~50 s: the slowest test here), no consent loss when the peer is silent for 13 s and comes
 * back, destroy from inside callbacks, config and remote-candidate validation, and polled
 * receive (datagrams wait for ice_poll, then come in order with their kernel arrival times;
 * nothing is lost when polling ends or the agent is destroyed in the middle of a batch).
 * Every wait iterates the context with a deadline; nothing here can hang.
 * The consent-loss wait (libnice's fixed 50 s) runs beside the other tests, on its own context
 * in a thread of its own: started first, checked last, so the program takes ~52 s, not ~80 s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/ice.h"

#include "pump.h"

#define MAX_CANDS 16
#define MAX_STATES 32
#define MAX_RX 64
#define ICE_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"

static const char *const loopback[] = { "127.0.0.1", NULL };

struct peer {
	const char *name;
	struct ice *ice;
	struct peer *other;	/* trickle target, NULL to keep candidates to ourselves */
	char cands[MAX_CANDS][ICE_CANDIDATE_MAX + 1];
	int ncands;
	int add_errors;
	bool gathered;
	enum ice_state states[MAX_STATES];
	int nstates;
	uint8_t rx[MAX_RX][1500];
	size_t rxlen[MAX_RX];
	int64_t rxat[MAX_RX];	/* ice_arrival_us in recv_cb */
	int nrx;
	bool destroy_on_candidate;
	bool destroy_on_recv;
	bool destroy_on_ready;
	bool destroyed;
	bool off_thread;	/* state_cb counts bad events instead of asserting (not the test's thread) */
	int bad_events;
};

static enum ice_state last_state(const struct peer *p)
{
	return p->nstates ? p->states[p->nstates - 1] : ICE_STATE_NEW;
}

static bool saw_state(const struct peer *p, enum ice_state s)
{
	for (int i = 0; i < p->nstates; i++)
		if (p->states[i] == s)
			return true;
	return false;
}

static void destroy_self(struct peer *p)
{
	ice_destroy(p->ice);
	p->ice = NULL;
	p->destroyed = true;
}

static void cand_cb(void *user, const char *cand)
{
	struct peer *p = user;

	assert_non_null(cand);
	assert_true(strncmp(cand, "candidate:", 10) == 0);
	assert_true(strlen(cand) <= ICE_CANDIDATE_MAX);
	if (p->ncands < MAX_CANDS) {
		strcpy(p->cands[p->ncands], cand);
		p->ncands++;
	}
	if (p->other && p->other->ice && ice_add_remote_candidate(p->other->ice, cand) < 0)
		p->add_errors++;
	if (p->destroy_on_candidate)
		destroy_self(p);
}

static void gathered_cb(void *user)
{
	struct peer *p = user;

	p->gathered = true;
	if (p->other && p->other->ice)
		assert_int_equal(ice_remote_end_of_candidates(p->other->ice), 0);
}

static void state_cb(void *user, enum ice_state s)
{
	struct peer *p = user;

	/* No event after a terminal one, no event repeated. */
	bool after_end = p->nstates && (last_state(p) == ICE_STATE_FAILED ||
					last_state(p) == ICE_STATE_CONSENT_LOST);
	bool repeated = p->nstates && last_state(p) == s;

	if (p->off_thread) { /* a cmocka assert must not jump from another thread */
		p->bad_events += after_end + repeated;
	} else {
		assert_false(after_end);
		assert_false(repeated);
	}
	if (p->nstates < MAX_STATES)
		p->states[p->nstates++] = s;
	if (s == ICE_STATE_READY && p->destroy_on_ready)
		destroy_self(p);
}

static void recv_cb(void *user, const uint8_t *buf, size_t len)
{
	struct peer *p = user;

	assert_true(len > 0 && len <= sizeof(p->rx[0]));
	if (p->nrx < MAX_RX) {
		memcpy(p->rx[p->nrx], buf, len);
		p->rxlen[p->nrx] = len;
		p->rxat[p->nrx] = ice_arrival_us(p->ice);
		p->nrx++;
	}
	if (p->destroy_on_recv)
		destroy_self(p);
}

static void pump_ms(GMainContext *ctx, int ms)
{
	pump(ctx, NULL, NULL, ms);
}

static struct ice_callbacks callbacks_for(struct peer *p)
{
	struct ice_callbacks cb = {
		.candidate_cb = cand_cb,
		.gathering_done_cb = gathered_cb,
		.state_cb = state_cb,
		.recv_cb = recv_cb,
		.user = p,
	};
	return cb;
}

static void peer_create(GMainContext *ctx, struct peer *p, const char *name, bool controlling)
{
	struct ice_config cfg = { .controlling = controlling, .local_addrs = loopback };
	struct ice_callbacks cb = callbacks_for(p);

	memset(p, 0, sizeof(*p));
	p->name = name;
	assert_int_equal(ice_create(ctx, &cfg, &cb, &p->ice), 0);
	assert_non_null(p->ice);
	assert_int_equal(ice_get_state(p->ice), ICE_STATE_NEW);
}

static bool both_ready(void *arg)
{
	struct peer *p = arg;

	return last_state(&p[0]) == ICE_STATE_READY && last_state(&p[1]) == ICE_STATE_READY;
}

/* Brings p[0] (controlling) and p[1] (controlled) to READY with trickled candidates. */
static void connect_pair(GMainContext *ctx, struct peer p[2])
{
	peer_create(ctx, &p[0], "A", true);
	peer_create(ctx, &p[1], "B", false);
	p[0].other = &p[1];
	p[1].other = &p[0];
	assert_int_equal(ice_set_remote_credentials(p[0].ice, ice_local_ufrag(p[1].ice),
						    ice_local_pwd(p[1].ice)), 0);
	assert_int_equal(ice_set_remote_credentials(p[1].ice, ice_local_ufrag(p[0].ice),
						    ice_local_pwd(p[0].ice)), 0);
	assert_int_equal(ice_send(p[0].ice, "x", 1), -ENOTCONN);
	assert_int_equal(ice_gather(p[1].ice), 0);
	assert_int_equal(ice_gather(p[0].ice), 0);
	assert_int_equal(ice_gather(p[0].ice), -EALREADY);
	assert_true(pump(ctx, both_ready, p, 10000));
	assert_int_equal(p[0].add_errors, 0);
	assert_int_equal(p[1].add_errors, 0);
	assert_true(p[0].gathered && p[1].gathered);
}

static bool gathered(void *arg)
{
	return ((struct peer *)arg)->gathered;
}

static bool destroyed(void *arg)
{
	return ((struct peer *)arg)->destroyed;
}

static int udp_dead_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void test_credentials_and_config(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct ice *ice = NULL;
	const char *u, *pw;
	static const char *const bad_if[] = { "nosuchif0", NULL };
	static const char *const lo_if[] = { "lo", NULL };
	static const char *const bad_stun[] = { "", "host:0", "host:65536", "ho st:1", "h:1:",
						"[::1", "[::1]x", "a:b:c:d]:9", "host:12a" };
	static const char *const good_stun[] = { "192.0.2.1", "192.0.2.1:3478",
						 "[2001:db8::1]:19302",
						 "stun.example.org:3478", "2001:db8::1" };
	static const char *const bad_turn[] = { "http://x", "turn:", "turn:h?transport=sctp",
						"turns:h?transport=udp", "turn:h:0", "turn:h?x" };
	static const char *const good_turn[] = { "turn:192.0.2.1",
						 "turn:192.0.2.1:3478?transport=udp",
						 "turn:turn.example.org:3478?transport=tcp",
						 "turns:turn.example.org" };
	struct ice_config cfg = { 0 };
	size_t i;

	assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), 0);
	u = ice_local_ufrag(ice);
	pw = ice_local_pwd(ice);
	assert_true(strlen(u) >= 4 && strlen(pw) >= 22);
	assert_int_equal(strspn(u, ICE_CHARS), strlen(u));
	assert_int_equal(strspn(pw, ICE_CHARS), strlen(pw));
	assert_int_equal(ice_set_remote_credentials(ice, "abc", "0123456789012345678901"), -EINVAL);
	assert_int_equal(ice_set_remote_credentials(ice, "abcd", "012345678901234567890"), -EINVAL);
	assert_int_equal(ice_set_remote_credentials(ice, "ab!d", "0123456789012345678901"),
			 -EINVAL);
	assert_int_equal(ice_set_remote_credentials(ice, "abcd", "0123456789 12345678901"),
			 -EINVAL);
	assert_int_equal(ice_set_remote_credentials(ice, NULL, "0123456789012345678901"), -EINVAL);
	assert_int_equal(ice_set_remote_credentials(ice, "ab+d", "01234567890123456789/1"), 0);
	assert_int_equal(ice_get_selected_pair(ice, &(struct ice_pair_info){ 0 }), -ENOTCONN);
	ice_destroy(ice);

	/* Two agents never share credentials. */
	{
		struct ice *a = NULL, *b = NULL;

		assert_int_equal(ice_create(ctx, &cfg, NULL, &a), 0);
		assert_int_equal(ice_create(ctx, &cfg, NULL, &b), 0);
		assert_string_not_equal(ice_local_pwd(a), ice_local_pwd(b));
		ice_destroy(a);
		ice_destroy(b);
	}

	for (i = 0; i < G_N_ELEMENTS(bad_stun); i++) {
		cfg = (struct ice_config){ .stun_server = bad_stun[i] };
		ice = (struct ice *)&cfg;
		assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), -EINVAL);
		assert_null(ice);
	}
	for (i = 0; i < G_N_ELEMENTS(good_stun); i++) {
		cfg = (struct ice_config){ .stun_server = good_stun[i] };
		assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), 0);
		ice_destroy(ice);
	}
	for (i = 0; i < G_N_ELEMENTS(bad_turn); i++) {
		cfg = (struct ice_config){ .turn_url = bad_turn[i], .turn_user = "u",
					   .turn_password = "p" };
		assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), -EINVAL);
	}
	for (i = 0; i < G_N_ELEMENTS(good_turn); i++) {
		cfg = (struct ice_config){ .turn_url = good_turn[i], .turn_user = "u",
					   .turn_password = "p" };
		assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), 0);
		ice_destroy(ice);
	}
	cfg = (struct ice_config){ .turn_url = "turn:192.0.2.1", .turn_user = "u" };
	assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), -EINVAL);
	cfg = (struct ice_config){ .turn_url = "turn:192.0.2.1", .turn_user = "u\n",
				   .turn_password = "p" };
	assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), -EINVAL);
	cfg = (struct ice_config){ .local_addrs = bad_if };
	assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), -ENODEV);
	cfg = (struct ice_config){ .port_min = 5000, .port_max = 4000 };
	assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), -EINVAL);
	cfg = (struct ice_config){ .port_min = 0, .port_max = 4000 };
	assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), -EINVAL);

	/* An interface name works like its address; the port range is honoured. */
	{
		struct peer p;
		int port = 0;

		memset(&p, 0, sizeof(p));
		cfg = (struct ice_config){ .local_addrs = lo_if, .port_min = 41000,
					   .port_max = 41999 };
		struct ice_callbacks cb = callbacks_for(&p);

		assert_int_equal(ice_create(ctx, &cfg, &cb, &p.ice), 0);
		assert_int_equal(ice_gather(p.ice), 0);
		assert_true(pump(ctx, gathered, &p, 2000));
		assert_int_equal(p.ncands, 1);
		assert_non_null(strstr(p.cands[0], " 127.0.0.1 "));
		assert_non_null(strstr(p.cands[0], " typ host"));
		assert_int_equal(sscanf(strstr(p.cands[0], " 127.0.0.1 ") + 11, "%d", &port), 1);
		assert_true(port >= 41000 && port <= 41999);
		assert_true(saw_state(&p, ICE_STATE_GATHERING));
		ice_destroy(p.ice);
	}
	g_main_context_unref(ctx);
}

static void test_remote_candidate_validation(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct ice_config cfg = { .local_addrs = loopback };
	struct ice *ice = NULL;
	char buf[1024];
	static const char *const bad[] = {
		"", "candidate:", "candidate", "foo", "a=", "a=candidate:",
		"candidate:1 1 udp 2015363327 192.0.2.2 40422",
		"candidate:1 1 udp 2015363327 192.0.2.2 40422 typ",
		"candidate:1 1 udp 2015363327 192.0.2.2 40422 typ bogus",
		"candidate:1 1 udp 2015363327 192.0.2.2 0 typ host",
		"candidate:1 1 udp 2015363327 192.0.2.2 70000 typ host",
		"candidate:1 1 udp 99999999999 192.0.2.2 40422 typ host",
		"candidate:1 1 udp -5 192.0.2.2 40422 typ host",
		"candidate:1 x udp 1 192.0.2.2 40422 typ host",
		"candidate:1 1 udp 1 not-an-ip 40422 typ host",
		"candidate:1 1 udp 1 6f1a2c9e-0000-4c3b-9d70-000000000000.local 40422 typ host",
		"candidate:1 1 udp 1 192.0.2.2 40422 typ srflx raddr",
		"candidate:1 1 udp 1 192.0.2.2 40422 typ srflx raddr 1.2.3.4 rport x",
		"candidate:1 1 udp 1 192.0.2.2 40422 typ srflx raddr bad rport 9",
		"candidate:123456789012345678901234567890123 1 udp 1 192.0.2.2 40422 typ host",
		"candidate:1 1 udp 1 192.0.2.2\x01 40422 typ host",
		"candidate:1 1 udp 1 192.0.2.2 40422 typ host\xff",
		"candidate:1\t1 udp 1 192.0.2.2 40422 typ host\r\n\r\n",
		"end-of-candidates",
	};
	static const char *const unsupported[] = {
		"candidate:1 2 udp 2015363326 192.0.2.2 40423 typ host",
		"candidate:1 1 tcp 1518280447 192.0.2.2 9 typ host tcptype active",
		"candidate:1 1 TCP 1518280447 192.0.2.2 9 typ host",
	};
	size_t i;
	int ok = 0, r;

	assert_int_equal(ice_create(ctx, &cfg, NULL, &ice), 0);
	for (i = 0; i < G_N_ELEMENTS(bad); i++)
		assert_int_equal(ice_add_remote_candidate(ice, bad[i]), -EINVAL);
	assert_int_equal(ice_add_remote_candidate(ice, NULL), -EINVAL);
	for (i = 0; i < G_N_ELEMENTS(unsupported); i++)
		assert_int_equal(ice_add_remote_candidate(ice, unsupported[i]), -ENOTSUP);
	memset(buf, 0, sizeof(buf));
	strcpy(buf, "candidate:1 1 udp 1 192.0.2.2 40422 typ host generation 0 x ");
	memset(buf + strlen(buf), 'y', ICE_CANDIDATE_MAX);
	assert_int_equal(ice_add_remote_candidate(ice, buf), -EINVAL);

	/* Janus' own form, browser extensions, "a=" and CRLF, IPv6, srflx with raddr. */
	assert_int_equal(ice_add_remote_candidate(ice,
		"candidate:1 1 udp 2015363327 192.0.2.2 40422 typ host"), 0);
	assert_int_equal(ice_add_remote_candidate(ice,
		"a=candidate:2 1 UDP 2015363327 192.0.2.3 40422 typ host\r\n"), 0);
	assert_int_equal(ice_add_remote_candidate(ice,
		"candidate:3  1 udp 1 192.0.2.4 5000 typ host generation 0 network-id 1"), 0);
	assert_int_equal(ice_add_remote_candidate(ice,
		"candidate:4 1 udp 1686052607 198.51.100.7 61000 typ srflx raddr 10.0.0.2 "
		"rport 5000"),
		0);
	assert_int_equal(ice_add_remote_candidate(ice,
		"candidate:5 1 udp 2015363327 2001:db8::5 40422 typ host"), 0);
	ok = 5;

	/* Random mutations of a valid line: any result is an errno code, nothing crashes. */
	{
		GRand *rnd = g_rand_new_with_seed(1234);
		const char *base = "candidate:7 1 udp 2015363327 192.0.2.9 40422 typ host raddr "
				   "10.0.0.1 rport 9";

		for (i = 0; i < 3000; i++) {
			size_t n = strlen(base), k;

			strcpy(buf, base);
			for (k = 0; k < 4; k++) {
				size_t pos = (size_t)g_rand_int_range(rnd, 0, (gint32)n);

				buf[pos] = (char)g_rand_int_range(rnd, 1, 256);
			}
			if (g_rand_boolean(rnd))
				buf[g_rand_int_range(rnd, 10, (gint32)n)] = '\0';
			r = ice_add_remote_candidate(ice, buf);
			assert_true(r == 0 || r == -EINVAL || r == -ENOTSUP || r == -ENOSPC);
			if (r == 0)
				ok++;
		}
		g_rand_free(rnd);
	}
	assert_true(ok <= 25);

	/* The cap on remote candidates. */
	for (i = 0; i < 40; i++) {
		snprintf(buf, sizeof(buf), "candidate:%zu 1 udp 1 203.0.113.%zu 7000 typ host",
			 100 + i, i + 1);
		r = ice_add_remote_candidate(ice, buf);
		if (r == 0)
			ok++;
		else
			assert_int_equal(r, -ENOSPC);
	}
	assert_int_equal(ok, 25);

	assert_int_equal(ice_remote_end_of_candidates(ice), 0);
	assert_int_equal(ice_remote_end_of_candidates(ice), 0);
	assert_int_equal(ice_add_remote_candidate(ice,
		"candidate:9 1 udp 2015363327 192.0.2.2 40499 typ host"), -EALREADY);
	ice_destroy(ice);
	g_main_context_unref(ctx);
}

static bool rx_one(void *arg)
{
	return ((struct peer *)arg)->nrx >= 1;
}

static bool rx_35(void *arg)
{
	return ((struct peer *)arg)->nrx >= 35;
}

static bool rx_count(void *arg)
{
	struct peer *p = arg;

	return p[0].nrx >= 20 && p[1].nrx >= 20;
}

static void test_connect_and_exchange(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct peer p[2];
	struct ice_pair_info a, b;
	uint8_t big[70000] = { 0 };
	uint8_t msg[1200];
	int i, k;

	connect_pair(ctx, p);
	for (k = 0; k < 2; k++) {
		assert_true(saw_state(&p[k], ICE_STATE_GATHERING) ||
			    saw_state(&p[k], ICE_STATE_CONNECTING));
		assert_false(saw_state(&p[k], ICE_STATE_FAILED));
		assert_true(p[k].ncands >= 1);
		assert_non_null(strstr(p[k].cands[0], " 127.0.0.1 "));
	}
	assert_int_equal(ice_get_selected_pair(p[0].ice, &a), 0);
	assert_int_equal(ice_get_selected_pair(p[1].ice, &b), 0);
	assert_string_equal(a.local_addr, "127.0.0.1");
	assert_string_equal(a.remote_addr, "127.0.0.1");
	assert_int_equal(a.local_port, b.remote_port);
	assert_int_equal(a.remote_port, b.local_port);
	assert_string_equal(a.local_type, "host");
	printf("# selected pair %s:%u (%s) <-> %s:%u (%s)\n", a.local_addr, a.local_port,
	       a.local_type, a.remote_addr, a.remote_port, a.remote_type);

	assert_int_equal(ice_send(p[0].ice, NULL, 1), -EINVAL);
	assert_int_equal(ice_send(p[0].ice, msg, 0), -EINVAL);
	assert_int_equal(ice_send(p[0].ice, big, sizeof(big)), -EMSGSIZE);

	/* 20 datagrams each way: DTLS-, RTP- and RTCP-looking first bytes, sizes up to 1200. */
	for (i = 0; i < 20; i++) {
		for (k = 0; k < 2; k++) {
			size_t len = 20 + (size_t)i * 59;

			memset(msg, 'a' + k, len);
			msg[0] = (uint8_t)(i % 3 == 0 ? 22 : i % 3 == 1 ? 0x80 : 0x81);
			msg[1] = (uint8_t)i;
			assert_int_equal(ice_send(p[k].ice, msg, len), (int)len);
		}
	}
	assert_true(pump(ctx, rx_count, p, 5000));
	for (k = 0; k < 2; k++) {
		assert_int_equal(p[k].nrx, 20);
		for (i = 0; i < 20; i++) {
			const uint8_t *r = p[k].rx[i];

			assert_int_equal(p[k].rxlen[i], 20 + (size_t)i * 59);
			assert_int_equal(r[1], i);
			assert_int_equal(r[2], 'a' + (1 - k));
			assert_int_equal(r[p[k].rxlen[i] - 1], 'a' + (1 - k));
		}
	}
	ice_destroy(p[0].ice);
	ice_destroy(p[1].ice);
	pump_ms(ctx, 50);
	g_main_context_unref(ctx);
}

static bool is_terminal(void *arg)
{
	struct peer *p = arg;

	return last_state(p) == ICE_STATE_FAILED || last_state(p) == ICE_STATE_CONSENT_LOST;
}

static void test_dead_port_fails(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct peer p, q;
	char cand[128];

	/* q gets end-of-candidates at once, so libnice's failure is reported as it happens. */
	peer_create(ctx, &q, "Q", true);
	peer_create(ctx, &p, "A", true);
	snprintf(cand, sizeof(cand), "candidate:1 1 udp 2015363327 127.0.0.1 %d typ host",
		 udp_dead_port());
	assert_int_equal(ice_set_remote_credentials(p.ice, "dead", "0123456789abcdefghijkl"), 0);
	assert_int_equal(ice_add_remote_candidate(p.ice, cand), 0);
	assert_int_equal(ice_set_remote_credentials(q.ice, "dead", "0123456789abcdefghijkl"), 0);
	assert_int_equal(ice_add_remote_candidate(q.ice, cand), 0);
	assert_int_equal(ice_remote_end_of_candidates(q.ice), 0);
	assert_int_equal(ice_gather(q.ice), 0);
	assert_int_equal(ice_gather(p.ice), 0);
	assert_true(pump(ctx, gathered, &p, 2000));
	/* libnice gives up on the only pair after ~7 s (measured); without the remote
	 * end-of-candidates that is not yet reported, since a trickled candidate may still come. */
	assert_true(pump(ctx, is_terminal, &q, 12000));
	assert_int_equal(last_state(&q), ICE_STATE_FAILED);
	assert_false(saw_state(&q, ICE_STATE_CONNECTED));
	pump_ms(ctx, 2000);
	assert_false(is_terminal(&p));
	assert_true(saw_state(&p, ICE_STATE_CONNECTING));
	/* The held-back failure is reported from inside the end-of-candidates call. */
	assert_int_equal(ice_remote_end_of_candidates(p.ice), 0);
	assert_true(is_terminal(&p));
	assert_int_equal(last_state(&p), ICE_STATE_FAILED);
	assert_false(saw_state(&p, ICE_STATE_CONNECTED));
	assert_false(saw_state(&p, ICE_STATE_READY));
		assert_int_equal(ice_send(p.ice, "x", 1), -ENOTCONN);
	assert_int_equal(ice_add_remote_candidate(p.ice, cand), -EALREADY);
	ice_destroy(p.ice);
	ice_destroy(q.ice);
	g_main_context_unref(ctx);
}

/* The consent-loss wait: test_consent_lost_start connects a pair on a context of its own and
 * removes one side, a thread iterates that context (nothing else touches it meanwhile) until the
 * survivor reports a terminal state or 60 s pass, and test_consent_lost, the last test, joins
 * the thread and checks what it saw. Owned by main(), given to both tests as their state. */
struct consent_wait {
	GMainContext *ctx;
	struct peer p[2];
	GThread *thread;
	gint64 t0, t_end;
	bool terminal;
};

static gpointer consent_wait_thread(gpointer data)
{
	struct consent_wait *w = data;

	/* 50 s without an answer to a keepalive binding request (libnice's timeout). */
	w->terminal = pump(w->ctx, is_terminal, &w->p[0], 60000);
	w->t_end = g_get_monotonic_time();
	return NULL;
}

static void test_consent_lost_start(void **state)
{
	struct consent_wait *w = *state;

	w->ctx = g_main_context_new();
	connect_pair(w->ctx, w->p);
	ice_destroy(w->p[1].ice);
	w->p[1].ice = NULL;
	w->p[0].off_thread = true;
	w->t0 = g_get_monotonic_time();
	w->thread = g_thread_new("consent-wait", consent_wait_thread, w);
}

static void test_consent_lost(void **state)
{
	struct consent_wait *w = *state;

	assert_non_null(w->thread); /* NULL: test_consent_lost_start failed */
	g_thread_join(w->thread);
	w->thread = NULL;
	assert_true(w->terminal);
	assert_int_equal(w->p[0].bad_events, 0);
	assert_int_equal(last_state(&w->p[0]), ICE_STATE_CONSENT_LOST);
	printf("# consent lost after %.1f s\n", (double)(w->t_end - w->t0) / 1e6);
	assert_true(ice_send(w->p[0].ice, "x", 1) < 0);
	ice_destroy(w->p[0].ice);
	g_main_context_unref(w->ctx);
}

/* Iterates both contexts until pred(arg) holds or timeout_ms passes. */
static bool pump_two(GMainContext *a, GMainContext *b, bool (*pred)(void *), void *arg,
		     int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	bool ok;

	while (!(ok = pred ? pred(arg) : false) && g_get_monotonic_time() < deadline) {
		while (g_main_context_iteration(a, FALSE))
			;
		while (g_main_context_iteration(b, FALSE))
			;
		g_usleep(2000);
	}
	return ok;
}

static bool both_got_one(void *arg)
{
	struct peer *p = arg;

	return p[0].nrx >= 1 && p[1].nrx >= 1;
}

/* B's context is not iterated for 13 s (a network outage, as A sees it: its keepalive binding
 * requests go unanswered) and then runs again: neither side loses consent, and datagrams flow
 * both ways afterwards. libnice's RFC 7675 mode in 0.1.21 gives up after 10 s. */
static void test_outage_keeps_consent(void **state)
{
	GMainContext *ca = g_main_context_new(), *cb = g_main_context_new();
	struct peer p[2];

	peer_create(ca, &p[0], "A", true);
	peer_create(cb, &p[1], "B", false);
	p[0].other = &p[1];
	p[1].other = &p[0];
	assert_int_equal(ice_set_remote_credentials(p[0].ice, ice_local_ufrag(p[1].ice),
						    ice_local_pwd(p[1].ice)), 0);
	assert_int_equal(ice_set_remote_credentials(p[1].ice, ice_local_ufrag(p[0].ice),
						    ice_local_pwd(p[0].ice)), 0);
	assert_int_equal(ice_gather(p[1].ice), 0);
	assert_int_equal(ice_gather(p[0].ice), 0);
	assert_true(pump_two(ca, cb, both_ready, p, 10000));
	pump_ms(ca, 13000);
	assert_false(is_terminal(&p[0]));
	assert_false(pump_two(ca, cb, is_terminal, &p[1], 3000));
	for (int k = 0; k < 2; k++) {
		assert_int_equal(last_state(&p[k]), ICE_STATE_READY);
		p[k].nrx = 0;
		assert_int_equal(ice_send(p[k].ice, "\x80" "back", 5), 5);
	}
	assert_true(pump_two(ca, cb, both_got_one, p, 3000));
	assert_false(is_terminal(&p[0]) || is_terminal(&p[1]));
	ice_destroy(p[0].ice);
	ice_destroy(p[1].ice);
	pump_two(ca, cb, NULL, NULL, 50);
	g_main_context_unref(ca);
	g_main_context_unref(cb);
}

static bool udp_port_free(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	bool ok;

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* The port of a "candidate:f c t prio addr port ..." line. */
static int cand_port(const char *cand)
{
	char addr[64];
	int port = 0;

	assert_int_equal(sscanf(cand, "candidate:%*s %*d %*s %*u %63s %d", addr, &port), 2);
	return port;
}

static void test_destroy_in_callbacks(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct peer p[2], solo;
	struct ice_config cfg = { .local_addrs = loopback };
	struct ice_callbacks cb;
	int port;

	/* Synchronously emitted candidate during ice_gather(): the release waits for the idle. */
	memset(&solo, 0, sizeof(solo));
	solo.destroy_on_candidate = true;
	cb = callbacks_for(&solo);
	assert_int_equal(ice_create(ctx, &cfg, &cb, &solo.ice), 0);
	assert_int_equal(ice_gather(solo.ice), 0);
	assert_true(solo.destroyed);
	assert_int_equal(solo.ncands, 1);
	port = cand_port(solo.cands[0]);
	assert_false(udp_port_free(port));
	pump_ms(ctx, 100);
	assert_true(udp_port_free(port));
	assert_int_equal(solo.ncands, 1);
	assert_false(solo.gathered);

	/* From the receive callback: the second datagram is not delivered. */
	connect_pair(ctx, p);
	p[1].destroy_on_recv = true;
	port = cand_port(p[1].cands[0]);
	assert_int_equal(ice_send(p[0].ice, "\x80" "hello", 6), 6);
	assert_int_equal(ice_send(p[0].ice, "\x80" "again", 6), 6);
	assert_true(pump(ctx, destroyed, &p[1], 2000));
	pump_ms(ctx, 100);
	assert_int_equal(p[1].nrx, 1);
	assert_true(udp_port_free(port));
	ice_destroy(p[0].ice);

	/* Outside callbacks the release is immediate. */
	connect_pair(ctx, p);
	port = cand_port(p[0].cands[0]);
	ice_destroy(p[0].ice);
	assert_true(udp_port_free(port));
	ice_destroy(p[1].ice);

	/* From the state callback. */
	memset(p, 0, sizeof(p));
	peer_create(ctx, &p[0], "A", true);
	peer_create(ctx, &p[1], "B", false);
	p[0].other = &p[1];
	p[1].other = &p[0];
	p[0].destroy_on_ready = true;
	assert_int_equal(ice_set_remote_credentials(p[0].ice, ice_local_ufrag(p[1].ice),
						    ice_local_pwd(p[1].ice)), 0);
	assert_int_equal(ice_set_remote_credentials(p[1].ice, ice_local_ufrag(p[0].ice),
						    ice_local_pwd(p[0].ice)), 0);
	assert_int_equal(ice_gather(p[0].ice), 0);
	assert_int_equal(ice_gather(p[1].ice), 0);
	assert_true(pump(ctx, destroyed, &p[0], 10000));
	port = cand_port(p[0].cands[0]);
	pump_ms(ctx, 100);
	assert_true(udp_port_free(port));
	ice_destroy(p[1].ice);
	pump_ms(ctx, 50);
	g_main_context_unref(ctx);
}

/* Sends n datagrams from a to b: first bytes of DTLS, RTP and RTCP in turn, byte 1 = first + i. */
static void send_batch(struct peer *a, int first, int n)
{
	uint8_t msg[200];

	for (int i = 0; i < n; i++) {
		size_t len = 40 + (size_t)((first + i) % 7) * 20;

		memset(msg, 'p', len);
		msg[0] = (uint8_t)((first + i) % 3 == 0 ? 22 : 0x80);
		msg[1] = (uint8_t)((first + i) % 3 == 2 ? 200 : first + i); /* 200: an RTCP SR */
		msg[2] = (uint8_t)(first + i);
		assert_int_equal(ice_send(a->ice, msg, len), (int)len);
	}
}

static void assert_batch(const struct peer *b, int from, int first, int n)
{
	for (int i = 0; i < n; i++) {
		const uint8_t *r = b->rx[from + i];

		assert_int_equal(b->rxlen[from + i], 40 + (size_t)((first + i) % 7) * 20);
		assert_int_equal(r[0], (first + i) % 3 == 0 ? 22 : 0x80);
		assert_int_equal(r[2], first + i); /* in the order sent */
		assert_int_equal(r[b->rxlen[from + i] - 1], 'p');
	}
}

static void test_polled_receive(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct peer p[2];
	gint64 t0, t1, t2;
	int port;

	connect_pair(ctx, p);
	assert_false(ice_polled(p[1].ice));
	assert_int_equal(ice_poll(p[1].ice), 0); /* not polled: nothing to do */
	assert_int_equal(ice_set_polled(p[1].ice, true), 0);
	assert_int_equal(ice_set_polled(p[1].ice, true), 0);
	assert_true(ice_polled(p[1].ice));
	pump_ms(ctx, 50); /* the kernel's receive stamps, just turned on, take a moment */

	/* A batch waits in the socket while the context runs: nothing wakes for it. */
	t0 = g_get_monotonic_time();
	send_batch(&p[0], 0, 30);
	t1 = g_get_monotonic_time();
	pump_ms(ctx, 120);
	assert_int_equal(p[1].nrx, 0);
	/* One poll delivers all of it in order (DTLS, RTP and RTCP alike), each with the time
	 * it reached the socket, not the time of the poll. */
	t2 = g_get_monotonic_time();
	assert_int_equal(ice_poll(p[1].ice), 30);
	assert_int_equal(p[1].nrx, 30);
	assert_batch(&p[1], 0, 0, 30);
	for (int i = 0; i < 30; i++) {
		assert_true(p[1].rxat[i] >= t0 - 1000 && p[1].rxat[i] <= t1 + 20000);
		assert_true(p[1].rxat[i] < t2 - 50000);
		assert_true(i == 0 || p[1].rxat[i] >= p[1].rxat[i - 1]);
	}
	assert_int_equal(ice_poll(p[1].ice), 0);
	/* Sending is not affected, and outside recv_cb the arrival time is the current time. */
	assert_int_equal(ice_send(p[1].ice, "\x80" "up", 3), 3);
	assert_true(pump(ctx, rx_one, &p[0], 2000));
	assert_true(ice_arrival_us(p[1].ice) >= t2);

	/* Datagrams queued when polling ends are delivered by the context, in order. */
	send_batch(&p[0], 30, 5);
	pump_ms(ctx, 50);
	assert_int_equal(p[1].nrx, 30);
	assert_int_equal(ice_set_polled(p[1].ice, false), 0);
	assert_false(ice_polled(p[1].ice));
	assert_true(pump(ctx, rx_35, &p[1], 2000));
	assert_batch(&p[1], 30, 30, 5);
	assert_int_equal(ice_poll(p[1].ice), 0);

	/* And polled again: the connection still works both ways (STUN keeps being answered
	 * from inside the polls). */
	assert_int_equal(ice_set_polled(p[1].ice, true), 0);
	for (int k = 0; k < 50; k++) {
		pump_ms(ctx, 20);
		ice_poll(p[1].ice);
	}
	assert_int_equal(last_state(&p[0]), ICE_STATE_READY);
	assert_int_equal(last_state(&p[1]), ICE_STATE_READY);

	/* Destroyed by recv_cb in the middle of a batch: the rest is dropped, the agent released
	 * once the context runs (the port is free). */
	p[1].destroy_on_recv = true;
	port = cand_port(p[1].cands[0]);
	send_batch(&p[0], 40, 4);
	pump_ms(ctx, 50);
	assert_int_equal(ice_poll(p[1].ice), 1);
	assert_true(p[1].destroyed);
	assert_int_equal(p[1].nrx, 36);
	pump_ms(ctx, 100);
	assert_true(udp_port_free(port));
	ice_destroy(p[0].ice);
	pump_ms(ctx, 50);
	g_main_context_unref(ctx);
}

/* With a TURN server the agent is released through nice_agent_close_async(), whose completion
 * must reach our context: the agent's only port is free again once it has. */
static void test_turn_release(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct peer p;
	struct ice_callbacks cb;
	char url[64];
	struct ice_config cfg = { .local_addrs = loopback, .turn_url = url, .turn_user = "user",
				  .turn_password = "secret" };

	int turn_port = udp_dead_port();

	snprintf(url, sizeof(url), "turn:127.0.0.1:%d?transport=udp", turn_port);
	do
		cfg.port_min = (uint16_t)udp_dead_port();
	while (cfg.port_min == turn_port);
	cfg.port_max = cfg.port_min;
	memset(&p, 0, sizeof(p));
	cb = callbacks_for(&p);
	assert_int_equal(ice_create(ctx, &cfg, &cb, &p.ice), 0);
	assert_int_equal(ice_gather(p.ice), 0);
	pump_ms(ctx, 300);
	assert_true(p.ncands >= 1);
	assert_false(p.gathered);	/* still waiting for the dead TURN server */
	assert_false(udp_port_free(cfg.port_min));
	ice_destroy(p.ice);
	pump_ms(ctx, 1000);
	assert_true(udp_port_free(cfg.port_min));
	g_main_context_unref(ctx);
}

int main(void)
{
	static struct consent_wait consent; /* two peers' receive buffers: too big for the stack */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_consent_lost_start, &consent),
		cmocka_unit_test(test_credentials_and_config),
		cmocka_unit_test(test_remote_candidate_validation),
		cmocka_unit_test(test_connect_and_exchange),
		cmocka_unit_test(test_dead_port_fails),
		cmocka_unit_test(test_destroy_in_callbacks),
		cmocka_unit_test(test_polled_receive),
		cmocka_unit_test(test_turn_release),
		cmocka_unit_test(test_outage_keeps_consent),
		cmocka_unit_test_prestate(test_consent_lost, &consent), /* last: joins the wait */
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
