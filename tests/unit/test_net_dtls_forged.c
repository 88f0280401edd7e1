/*
 * Unit tests for net/dtls against an attacker who can put datagrams on the ICE socket but holds
 * no keys: forged records of every content type, version, epoch and length under every cipher
 * suite we allow, forged alerts, a replay of a whole real handshake and of application data into
 * a connected association. None of it may end the association or deliver data; genuine records
 * around the forged ones must still get through, and a genuine close still ends it. Also: an
 * alert we send is reported as ours, one we receive as the peer's.
 */
#include "dtls_pair.h"

#include <openssl/ssl.h>

/* Every cipher suite the default list can negotiate with an ECDSA certificate, one at a time. */
static const char *const suites[] = {
	"ECDHE-ECDSA-AES128-GCM-SHA256",
	"ECDHE-ECDSA-AES256-GCM-SHA384",
	"ECDHE-ECDSA-CHACHA20-POLY1305",
};

/* Writes a record header (13 bytes) for a body of len bytes. */
static void put_header(uint8_t *r, uint8_t type, uint16_t version, uint16_t epoch, uint64_t seq,
		       size_t len)
{
	r[0] = type;
	r[1] = (uint8_t)(version >> 8);
	r[2] = (uint8_t)version;
	r[3] = (uint8_t)(epoch >> 8);
	r[4] = (uint8_t)epoch;
	for (int i = 0; i < 6; i++)
		r[5 + i] = (uint8_t)(seq >> (8 * (5 - i)));
	r[11] = (uint8_t)(len >> 8);
	r[12] = (uint8_t)len;
}

static void send_and_expect(struct pair *p, struct ep *from, struct ep *to, const char *msg)
{
	unsigned int before = to->app_count;

	assert_int_equal(dtls_send_app(from->d, (const uint8_t *)msg, strlen(msg)), 0);
	pump(p);
	assert_int_equal(to->app_count, before + 1);
	assert_int_equal(to->app_len, strlen(msg));
	assert_memory_equal(to->app, msg, strlen(msg));
}

static void assert_alive(struct pair *p)
{
	assert_int_equal(p->client.failed, 0);
	assert_int_equal(p->server.failed, 0);
	assert_int_equal(p->client.closed, 0);
	assert_int_equal(p->server.closed, 0);
	assert_int_equal(dtls_get_state(p->client.d), DTLS_STATE_CONNECTED);
	assert_int_equal(dtls_get_state(p->server.d), DTLS_STATE_CONNECTED);
}

/* Feeds `to` forged records: every content type of interest, versions, epochs around the
 * current one, sequence numbers ahead of and behind the real ones, bodies from empty to long. */
static void forge_into(struct ep *to, unsigned int *seed)
{
	static const uint8_t types[] = { 20, 21, 22, 23, 24, 25, 63 };	/* RFC 7983: DTLS */
	static const uint16_t versions[] = { 0xfefd, 0xfeff, 0x0303 };
	static const uint16_t epochs[] = { 0, 1, 2, 0xffff };
	uint8_t buf[1500];

	for (size_t t = 0; t < sizeof(types); t++)
		for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++)
			for (size_t e = 0; e < sizeof(epochs) / sizeof(epochs[0]); e++)
				for (size_t len = 0; len <= 120; len += len < 40 ? 1 : 7) {
					uint64_t seq = (uint64_t)rand_r(seed) % 8;

					for (size_t j = 0; j < len; j++)
						buf[13 + j] = (uint8_t)rand_r(seed);
					put_header(buf, types[t], versions[v], epochs[e], seq, len);
					assert_int_equal(dtls_handle_incoming(to->d, buf, 13 + len), 0);
				}
}

static void test_forged_records_each_suite(void **state)
{
	unsigned int seed = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		struct opts o = { .ciphers = suites[i] };
		struct pair p;

		print_message("suite %s\n", suites[i]);
		connect_pair(&p, &o);
		check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
		send_and_expect(&p, &p.client, &p.server, "before");
		send_and_expect(&p, &p.server, &p.client, "before");
		forge_into(&p.server, &seed);
		forge_into(&p.client, &seed);
		pump(&p);
		assert_alive(&p);
		assert_int_equal(p.server.app_count, 1);
		assert_int_equal(p.client.app_count, 1);
		assert_true(dtls_get_screened(p.server.d) > 0);
		send_and_expect(&p, &p.client, &p.server, "after");
		send_and_expect(&p, &p.server, &p.client, "after");
		pair_free(&p);
	}
}

/* A genuine record and a forged one in the same datagram: the genuine one is delivered. */
static void test_genuine_beside_forged(void **state)
{
	struct opts o = { 0 };
	struct pair p;
	uint8_t dgram[1500];
	size_t n;

	(void)state;
	connect_pair(&p, &o);
	assert_int_equal(dtls_send_app(p.client.d, (const uint8_t *)"real", 4), 0);
	assert_int_equal(p.client.qn, 1);
	n = p.client.q[0].len;
	assert_true(n + 30 <= sizeof(dgram));
	memcpy(dgram, p.client.q[0].data, n);
	q_clear(&p.client);
	/* The record from OpenSSL 3.0.19's report: content type 20, epoch 1, 17-byte body. */
	put_header(dgram + n, 20, 0xfefd, 1, 3, 17);
	memset(dgram + n + 13, 0xa5, 17);
	assert_int_equal(dtls_handle_incoming(p.server.d, dgram, n + 30), 0);
	assert_int_equal(p.server.app_count, 1);
	assert_memory_equal(p.server.app, "real", 4);
	/* The same forged record first, then a torn header: the genuine record still counts. */
	assert_int_equal(dtls_send_app(p.client.d, (const uint8_t *)"again", 5), 0);
	n = p.client.q[0].len;
	put_header(dgram, 20, 0xfefd, 1, 3, 17);
	memset(dgram + 13, 0x5a, 17);
	memcpy(dgram + 30, p.client.q[0].data, n);
	memcpy(dgram + 30 + n, "\x17\xfe\xfd", 3);
	q_clear(&p.client);
	assert_int_equal(dtls_handle_incoming(p.server.d, dgram, 30 + n + 3), 0);
	assert_int_equal(p.server.app_count, 2);
	assert_memory_equal(p.server.app, "again", 5);
	assert_alive(&p);
	pair_free(&p);
}

static void replay_log(struct ep *from, struct ep *to, size_t first)
{
	for (size_t i = first; i < from->logn; i++)
		assert_int_equal(dtls_handle_incoming(to->d, from->log[i].data, from->log[i].len),
				 0);
}

/* Every datagram of the real handshake, and then of the application data, played again into
 * the connected association in both directions. */
static void test_replayed_handshake(void **state)
{
	struct opts o = { 0 };
	struct pair p;
	size_t c_hs, s_hs;

	(void)state;
	connect_pair(&p, &o);
	check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
	c_hs = p.client.logn;
	s_hs = p.server.logn;
	assert_true(c_hs >= 2);		/* ClientHello (twice, with the cookie) and the last flight */
	assert_true(s_hs >= 2);
	for (int round = 0; round < 3; round++) {
		replay_log(&p.client, &p.server, 0);
		replay_log(&p.server, &p.client, 0);
		pump(&p);
		assert_alive(&p);
	}
	assert_int_equal(p.server.app_count, 0);
	assert_int_equal(p.client.app_count, 0);
	send_and_expect(&p, &p.client, &p.server, "one");
	send_and_expect(&p, &p.server, &p.client, "two");
	/* Application data replayed: dropped by the replay window, never delivered twice. */
	replay_log(&p.client, &p.server, c_hs);
	replay_log(&p.server, &p.client, s_hs);
	pump(&p);
	assert_alive(&p);
	assert_int_equal(p.server.app_count, 1);
	assert_int_equal(p.client.app_count, 1);
	send_and_expect(&p, &p.client, &p.server, "three");
	pair_free(&p);
}

/* Fatal alerts forged in clear (epoch 0) and in the current epoch (wrong key) change nothing;
 * the peer's authenticated close_notify still ends the association. */
static void test_forged_alerts(void **state)
{
	static const uint8_t descs[] = { 0, 10, 20, 40, 42, 47, 48, 50, 80, 90, 100 };
	struct opts o = { 0 };
	struct pair p;
	uint8_t buf[64];
	unsigned int seed = 99;

	(void)state;
	connect_pair(&p, &o);
	for (size_t i = 0; i < sizeof(descs); i++)
		for (uint16_t epoch = 0; epoch < 3; epoch++)
			for (uint64_t seq = 0; seq < 6; seq++) {
				size_t len = epoch == 0 ? 2 : 8 + 2 + 16;

				put_header(buf, 21, 0xfefd, epoch, seq, len);
				buf[13] = 2;		/* fatal */
				buf[14] = descs[i];
				for (size_t j = 2; j < len; j++)
					buf[13 + j] = (uint8_t)rand_r(&seed);
				assert_int_equal(dtls_handle_incoming(p.server.d, buf, 13 + len), 0);
				assert_int_equal(dtls_handle_incoming(p.client.d, buf, 13 + len), 0);
			}
	pump(&p);
	assert_alive(&p);
	send_and_expect(&p, &p.client, &p.server, "alive");
	assert_int_equal(dtls_shutdown(p.client.d), 0);
	pump(&p);
	assert_int_equal(p.server.closed, 1);
	assert_int_equal(dtls_get_state(p.server.d), DTLS_STATE_CLOSED);
	pair_free(&p);
}

/* A malformed ClientHello: the server sends decode_error and says it sent it; the client
 * receives it and says the peer sent it. */
static void test_alert_direction(void **state)
{
	struct opts o = { 0 };
	struct pair p;
	uint8_t *ch;

	(void)state;
	pair_init(&p, &o);
	assert_int_equal(dtls_start(p.server.d), 0);
	assert_int_equal(dtls_start(p.client.d), 0);
	assert_int_equal(p.client.qn, 1);
	ch = p.client.q[0].data;
	/* record header 13, handshake header 12, version 2, random 32, session id and cookie
	 * lengths (both 0 in the first ClientHello): then the cipher suites' length. */
	assert_int_equal(ch[13], 1);
	assert_int_equal(ch[59], 0);
	assert_int_equal(ch[60], 0);
	ch[61] = 0xff;
	ch[62] = 0xff;
	pump(&p);
	assert_int_equal(p.server.failed, 1);
	assert_int_equal(p.server.fail_alert, -1);
	assert_non_null(strstr(p.server.reason, "we sent alert"));
	assert_null(strstr(p.server.reason, "peer sent"));
	assert_int_equal(p.client.failed, 1);
	assert_int_equal(p.client.fail_err, -ECONNRESET);
	assert_true(p.client.fail_alert >= 0);
	assert_non_null(strstr(p.client.reason, "peer sent alert"));
	pair_free(&p);
}

/* CBC suites answer some forged records with a fatal alert (OpenSSL 3.0.19 sends bad_record_mac
 * for a body that is not block-aligned): a list that allows one is refused. */
static void test_cbc_refused(void **state)
{
	static const char *const lists[] = {
		"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE+AESGCM:ECDHE+AES",
		"no-such-suite",
	};
	struct dtls_cert *cert;
	struct dtls *d = NULL;
	struct dtls_config cfg = { .role = DTLS_ROLE_SERVER, .send_cb = send_cb,
				   .event_cb = event_cb };

	(void)state;
	assert_int_equal(dtls_cert_create(&cert), 0);
	cfg.cert = cert;
	fp_of(cert, &cfg.remote_fp, false);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		cfg.ciphers = lists[i];
		assert_int_equal(dtls_create(&d, &cfg), -EINVAL);
		assert_null(d);
	}
	cfg.ciphers = "ECDHE+AESGCM";
	assert_int_equal(dtls_create(&d, &cfg), 0);
	dtls_destroy(d);
	dtls_cert_destroy(cert);
}

/* Records longer than any genuine one (2^14 bytes of content plus the AEAD overhead) up to
 * the largest UDP datagram: OpenSSL answers those over its own limit with record_overflow. */
static void test_forged_long_records(void **state)
{
	static const size_t lens[] = { 16384 + 24, 16384 + 25, 16704, 16705, 17000, 17728, 17729,
				       18432, 30000, 65507 - 13 };
	struct opts o = { 0 };
	struct pair p;
	uint8_t *buf = malloc(65507);
	unsigned int seed = 3;

	(void)state;
	assert_non_null(buf);
	connect_pair(&p, &o);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (uint8_t type = 21; type <= 23; type++) {
			for (size_t j = 0; j < lens[i]; j++)
				buf[13 + j] = (uint8_t)rand_r(&seed);
			put_header(buf, type, 0xfefd, 1, 5 + i, lens[i] & 0xffff);
			assert_int_equal(dtls_handle_incoming(p.server.d, buf, 13 + lens[i]), 0);
			assert_int_equal(dtls_handle_incoming(p.client.d, buf, 13 + lens[i]), 0);
		}
	pump(&p);
	assert_alive(&p);
	send_and_expect(&p, &p.client, &p.server, "alive");
	send_and_expect(&p, &p.server, &p.client, "alive");
	pair_free(&p);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forged_records_each_suite),
		cmocka_unit_test(test_genuine_beside_forged),
		cmocka_unit_test(test_replayed_handshake),
		cmocka_unit_test(test_forged_alerts),
		cmocka_unit_test(test_alert_direction),
		cmocka_unit_test(test_cbc_refused),
		cmocka_unit_test(test_forged_long_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
