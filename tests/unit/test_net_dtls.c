/*
 * Unit tests for net/dtls on the fixture of dtls_pair.h (two in-process endpoints wired back to
 * back): handshake, key export, fingerprint checks, retransmission with dropped datagrams,
 * close_notify, application data (and that none of its plaintext is left in memory after it
 * was handed up) and the certificate itself (parsed from the wire with OpenSSL). Forged and replayed records are in test_net_dtls_forged.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net/dtls.h"
#include "dtls_pair.h"

static void test_handshake_default(void **state)
{
	struct opts o = { 0 };
	struct pair p;

	(void)state;
	connect_pair(&p, &o);
	check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(p.client.keys.key_len, 16);
	assert_int_equal(p.client.keys.salt_len, 12);
	pair_free(&p);
}

/* Same certificates, roles swapped: whoever is client, keys must mirror. */
static void test_handshake_roles_swapped(void **state)
{
	struct dtls_cert *a, *b;
	struct opts o = { 0 };
	struct pair p1, p2;

	(void)state;
	assert_int_equal(dtls_cert_create(&a), 0);
	assert_int_equal(dtls_cert_create(&b), 0);
	memset(&p1, 0, sizeof(p1));
	memset(&p2, 0, sizeof(p2));
	ep_create(&p1.client, a, b, DTLS_ROLE_CLIENT, NULL, &o, false);
	ep_create(&p1.server, b, a, DTLS_ROLE_SERVER, NULL, &o, false);
	ep_create(&p2.client, b, a, DTLS_ROLE_CLIENT, NULL, &o, false);
	ep_create(&p2.server, a, b, DTLS_ROLE_SERVER, NULL, &o, false);
	dtls_cert_destroy(a);
	dtls_cert_destroy(b);
	/* The server starts on its own when the ClientHello arrives (no dtls_start). */
	assert_int_equal(dtls_start(p1.client.d), 0);
	assert_int_equal(dtls_start(p2.client.d), 0);
	run(&p1, 5000);
	run(&p2, 5000);
	check_connected(&p1, DTLS_SRTP_AEAD_AES_128_GCM);
	check_connected(&p2, DTLS_SRTP_AEAD_AES_128_GCM);
	/* Fresh keys per handshake. */
	assert_memory_not_equal(p1.client.keys.local_key, p2.server.keys.local_key, 16);
	pair_free(&p1);
	pair_free(&p2);
}

static void test_profiles_forced(void **state)
{
	static const struct {
		const char *c, *s;
		enum dtls_srtp_profile want;
		size_t key, salt;
		const char *name;
	} cases[] = {
		{ "SRTP_AES128_CM_SHA1_80", NULL, DTLS_SRTP_AES128_CM_SHA1_80, 16, 14,
		  "SRTP_AES128_CM_SHA1_80" },
		{ NULL, "SRTP_AES128_CM_SHA1_80", DTLS_SRTP_AES128_CM_SHA1_80, 16, 14,
		  "SRTP_AES128_CM_SHA1_80" },
		{ "SRTP_AEAD_AES_128_GCM", NULL, DTLS_SRTP_AEAD_AES_128_GCM, 16, 12,
		  "SRTP_AEAD_AES_128_GCM" },
		{ NULL, "SRTP_AEAD_AES_256_GCM", DTLS_SRTP_AEAD_AES_256_GCM, 32, 12,
		  "SRTP_AEAD_AES_256_GCM" },
		{ "SRTP_AES128_CM_SHA1_32", "SRTP_AES128_CM_SHA1_32", DTLS_SRTP_AES128_CM_SHA1_32,
		  16, 14, "SRTP_AES128_CM_SHA1_32" },
		/* Janus' order (server preference wins). */
		{ NULL, "SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
		  DTLS_SRTP_AEAD_AES_256_GCM, 32, 12, "SRTP_AEAD_AES_256_GCM" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct opts o = { .client_profiles = cases[i].c, .server_profiles = cases[i].s };
		struct pair p;

		connect_pair(&p, &o);
		check_connected(&p, cases[i].want);
		assert_int_equal(p.server.keys.key_len, cases[i].key);
		assert_int_equal(p.server.keys.salt_len, cases[i].salt);
		assert_string_equal(dtls_srtp_profile_name(p.client.keys.profile), cases[i].name);
		pair_free(&p);
	}
}

static void test_no_common_profile(void **state)
{
	struct opts o = { .client_profiles = "SRTP_AES128_CM_SHA1_32",
			  .server_profiles = "SRTP_AEAD_AES_128_GCM" };
	struct dtls_srtp_keys k;
	struct pair p;

	(void)state;
	connect_pair(&p, &o);
	assert_int_equal(p.client.connected, 1);
	assert_int_equal(p.server.connected, 1);
	assert_false(p.client.have_keys);
	assert_false(p.server.have_keys);
	assert_int_equal(dtls_get_srtp_keys(p.client.d, &k), -ENOPROTOOPT);
	pair_free(&p);
}

static void test_bad_config(void **state)
{
	struct dtls_cert *c;
	struct dtls *d = NULL;
	struct dtls_config cfg = { .role = DTLS_ROLE_CLIENT, .send_cb = send_cb,
				   .event_cb = event_cb };
	struct dtls_srtp_keys k;

	(void)state;
	assert_int_equal(dtls_cert_create(&c), 0);
	assert_int_equal(dtls_create(&d, &cfg), -EINVAL);	/* no cert */
	cfg.cert = c;
	assert_int_equal(dtls_create(&d, &cfg), -EINVAL);	/* no fingerprint */
	fp_of(c, &cfg.remote_fp, false);
	cfg.remote_fp.len = 20;
	assert_int_equal(dtls_create(&d, &cfg), -EINVAL);	/* length does not fit sha-256 */
	cfg.remote_fp.len = 32;
	cfg.srtp_profiles = "SRTP_NO_SUCH_PROFILE";
	assert_int_equal(dtls_create(&d, &cfg), -EINVAL);
	cfg.srtp_profiles = NULL;
	cfg.mtu = 100;
	assert_int_equal(dtls_create(&d, &cfg), -EINVAL);
	cfg.mtu = 5000;
	assert_int_equal(dtls_create(&d, &cfg), -EINVAL);
	cfg.mtu = 0;
	assert_null(d);
	assert_int_equal(dtls_create(&d, &cfg), 0);
	assert_int_equal(dtls_get_srtp_keys(d, &k), -ENOTCONN);
	assert_int_equal(dtls_send_app(d, (const uint8_t *)"x", 1), -ENOTCONN);
	assert_int_equal(dtls_next_timeout_ms(d), -1);
	/* A client that has not started ignores input; non-DTLS bytes are refused. */
	assert_int_equal(dtls_handle_incoming(d, (const uint8_t *)"\x16\xfe\xfd", 3), -ENOTCONN);
	assert_int_equal(dtls_handle_incoming(d, (const uint8_t *)"\x80\x00", 2), -EINVAL);
	assert_int_equal(dtls_handle_incoming(d, (const uint8_t *)"\x00\x01", 2), -EINVAL);
	dtls_destroy(d);
	dtls_cert_destroy(c);
}

static void test_fingerprint_parse(void **state)
{
	struct dtls_cert *c1, *c2;
	struct dtls_fingerprint fp;
	char lower[DTLS_FP_HEX_MAX];
	const char *s;

	(void)state;
	assert_int_equal(dtls_cert_create(&c1), 0);
	assert_int_equal(dtls_cert_create(&c2), 0);
	s = dtls_cert_fingerprint(c1);
	assert_string_equal(dtls_cert_fingerprint_alg(c1), "sha-256");
	assert_int_equal(strlen(s), 95);
	for (size_t i = 0; i < 95; i++) {
		if (i % 3 == 2)
			assert_int_equal(s[i], ':');
		else
			assert_non_null(strchr("0123456789ABCDEF", s[i]));
	}
	assert_string_not_equal(s, dtls_cert_fingerprint(c2));

	assert_int_equal(dtls_fingerprint_parse("SHA-256", s, &fp), 0);
	assert_string_equal(fp.alg, "sha-256");
	assert_int_equal(fp.len, 32);
	for (size_t i = 0; i < sizeof(lower) && s[i]; i++)
		lower[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);
	lower[95] = '\0';
	{
		struct dtls_fingerprint fp2;

		assert_int_equal(dtls_fingerprint_parse("sha-256", lower, &fp2), 0);
		assert_memory_equal(fp.bytes, fp2.bytes, 32);
		assert_int_equal(fp.bytes[0] >> 4, strchr("0123456789ABCDEF", s[0]) -
				 "0123456789ABCDEF");
	}
	assert_int_equal(dtls_fingerprint_parse("md5", "AB:CD", &fp), -ENOTSUP);
	assert_int_equal(dtls_fingerprint_parse("sha-999", s, &fp), -ENOTSUP);
	assert_int_equal(dtls_fingerprint_parse("sha-1", s, &fp), -EINVAL);	/* too long */
	assert_int_equal(dtls_fingerprint_parse("sha-256", "", &fp), -EINVAL);
	assert_int_equal(dtls_fingerprint_parse("sha-256", "AB:CD", &fp), -EINVAL);
	lower[94] = 'g';
	assert_int_equal(dtls_fingerprint_parse("sha-256", lower, &fp), -EINVAL);
	snprintf(lower, sizeof(lower), "%s:", s);
	assert_int_equal(dtls_fingerprint_parse("sha-256", lower, &fp), -EINVAL);
	snprintf(lower, sizeof(lower), "%.94s", s);
	assert_int_equal(dtls_fingerprint_parse("sha-256", lower, &fp), -EINVAL);
	assert_int_equal(dtls_fingerprint_parse("sha-1",
			 "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33", &fp), 0);
	assert_int_equal(fp.len, 20);
	assert_int_equal(fp.bytes[19], 0x33);
	dtls_cert_destroy(c1);
	dtls_cert_destroy(c2);
}

/* Finds an unfragmented Certificate handshake message in e's sent datagrams, returns the leaf. */
static X509 *cert_from_wire(const struct ep *e)
{
	for (size_t i = 0; i < e->logn; i++) {
		const uint8_t *p = e->log[i].data;
		size_t len = e->log[i].len;

		for (size_t o = 0; o + 13 <= len; o += 13 + (size_t)(p[o + 11] << 8 | p[o + 12])) {
			const uint8_t *h = p + o + 13, *body = h + 12, *der = body + 6;
			size_t rlen = (size_t)(p[o + 11] << 8 | p[o + 12]), mlen, foff, flen, clen;

			if (p[o] != 22 || p[o + 3] != 0 || p[o + 4] != 0 || rlen < 12 + 6 ||
			    h[0] != 11)
				continue;
			mlen = (size_t)h[1] << 16 | h[2] << 8 | h[3];
			foff = (size_t)h[6] << 16 | h[7] << 8 | h[8];
			flen = (size_t)h[9] << 16 | h[10] << 8 | h[11];
			if (foff != 0 || flen != mlen || 12 + mlen > rlen)
				continue;
			clen = (size_t)body[3] << 16 | body[4] << 8 | body[5];
			assert_true(6 + clen <= mlen);
			return d2i_X509(NULL, &der, (long)clen);
		}
	}
	return NULL;
}

static void test_certificate_on_wire(void **state)
{
	struct opts o = { 0 };
	struct pair p;
	X509 *x, *y;
	EVP_PKEY *k;
	unsigned char md[32];
	unsigned int mdlen = 0;
	char hex[DTLS_FP_HEX_MAX], cn[64];
	int day, sec;

	(void)state;
	pair_init(&p, &o);
	assert_int_equal(dtls_start(p.client.d), 0);
	run(&p, 5000);
	check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
	x = cert_from_wire(&p.server);
	y = cert_from_wire(&p.client);
	assert_non_null(x);
	assert_non_null(y);
	k = X509_get0_pubkey(x);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_get_base_id(k), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_bits(k), 256);
	assert_int_equal(X509_check_issued(x, x), X509_V_OK);	/* self-signed */
	assert_int_equal(X509_verify(x, k), 1);
	assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	/* Valid from about a day ago to about a day from now. */
	assert_int_equal(ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notBefore(x)), 1);
	assert_true(day * 86400 + sec <= -86000 && day * 86400 + sec >= -86500);
	assert_int_equal(ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notAfter(x)), 1);
	assert_true(day * 86400 + sec >= 86000 && day * 86400 + sec <= 86500);
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
					      sizeof(cn)) > 0);
	assert_int_equal(strncmp(cn, "ttymeet", 7), 0);
	/* Random serials: the two certificates differ. */
	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(x),
					      X509_get0_serialNumber(y)), 0);
	/* The SDP fingerprint is the sha-256 of the DER the peer sees. */
	assert_int_equal(X509_digest(x, EVP_sha256(), md, &mdlen), 1);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 3 * i, 4, i + 1 < mdlen ? "%02X:" : "%02X", md[i]);
	assert_string_equal(hex, p.sfp);
	assert_int_equal(X509_digest(y, EVP_sha256(), md, &mdlen), 1);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 3 * i, 4, i + 1 < mdlen ? "%02X:" : "%02X", md[i]);
	assert_string_equal(hex, p.cfp);
	X509_free(x);
	X509_free(y);
	pair_free(&p);
}

/* The check side fails with -EKEYREJECTED; the other side learns it from the alert. */
static void test_fingerprint_mismatch_at_server(void **state)
{
	struct opts o = { .server_wrong_fp = true };
	struct dtls_srtp_keys k;
	struct pair p;

	(void)state;
	connect_pair(&p, &o);
	assert_int_equal(p.server.failed, 1);
	assert_int_equal(p.server.fail_err, -EKEYREJECTED);
	assert_non_null(strstr(p.server.reason, "fingerprint mismatch"));
	assert_int_equal(p.client.failed, 1);
	assert_int_equal(p.client.fail_err, -ECONNRESET);
	assert_int_equal(p.client.fail_alert, 42);	/* bad_certificate */
	assert_int_equal(p.client.connected + p.server.connected, 0);
	assert_false(p.client.have_keys || p.server.have_keys);
	assert_int_equal(dtls_get_srtp_keys(p.server.d, &k), -ENOTCONN);
	assert_int_equal(dtls_next_timeout_ms(p.client.d), -1);
	pair_free(&p);
}

static void test_fingerprint_mismatch_at_client(void **state)
{
	struct opts o = { .client_wrong_fp = true };
	struct pair p;

	(void)state;
	connect_pair(&p, &o);
	assert_int_equal(p.client.failed, 1);
	assert_int_equal(p.client.fail_err, -EKEYREJECTED);
	assert_non_null(strstr(p.client.reason, "fingerprint mismatch"));
	assert_int_equal(dtls_get_state(p.client.d), DTLS_STATE_FAILED);
	assert_int_equal(p.server.failed, 1);
	assert_int_equal(p.server.fail_err, -ECONNRESET);
	assert_int_equal(p.client.connected + p.server.connected, 0);
	/* Later datagrams are ignored quietly. */
	assert_int_equal(dtls_handle_incoming(p.client.d, (const uint8_t *)"\x16\xfe\xfd", 3), 0);
	pair_free(&p);
}

/* The failing side may destroy itself from the FAILED event (ASan checks the rest). */
static void test_destroy_from_callback(void **state)
{
	struct opts o = { .server_wrong_fp = true };
	struct pair p;

	(void)state;
	pair_init(&p, &o);
	p.server.destroy_on_event = true;
	p.client.destroy_on_event = true;
	assert_int_equal(dtls_start(p.client.d), 0);
	pump(&p);
	assert_null(p.server.d);
	assert_null(p.client.d);
	assert_int_equal(p.server.fail_err, -EKEYREJECTED);
	pair_free(&p);

	memset(&o, 0, sizeof(o));
	pair_init(&p, &o);
	p.client.destroy_on_event = true;
	assert_int_equal(dtls_start(p.client.d), 0);
	pump(&p);
	assert_null(p.client.d);
	assert_int_equal(p.client.connected, 1);
	assert_int_equal(p.server.connected, 1);
	pair_free(&p);
}

static void test_retransmit_first_flight(void **state)
{
	struct opts o = { .retransmit_ms = 40 };
	unsigned int before;
	struct pair p;
	int ms;

	(void)state;
	pair_init(&p, &o);
	p.client.drop_next = 1;			/* the ClientHello is lost */
	assert_int_equal(dtls_start(p.client.d), 0);
	before = p.client.sent;
	assert_int_equal(before, 1);
	pump(&p);
	assert_int_equal(dtls_get_state(p.client.d), DTLS_STATE_HANDSHAKING);
	assert_int_equal(dtls_get_state(p.server.d), DTLS_STATE_NEW);
	ms = dtls_next_timeout_ms(p.client.d);
	assert_true(ms > 0 && ms <= 40);
	/* Too early: nothing happens. */
	assert_int_equal(dtls_handle_timeout(p.client.d), 0);
	assert_int_equal(p.client.sent, before);
	sleep_ms(ms + 5);
	assert_int_equal(dtls_next_timeout_ms(p.client.d), 0);
	assert_int_equal(dtls_handle_timeout(p.client.d), 0);
	assert_int_equal(p.client.sent, before + 1);	/* ClientHello again */
	/* Backoff: the next timeout is about twice the first. */
	ms = dtls_next_timeout_ms(p.client.d);
	assert_true(ms > 40 && ms <= 80);
	pump(&p);
	check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
	pair_free(&p);
}

/* The server's whole first flight is lost: the client's retransmission makes it resend. */
static void test_retransmit_server_flight(void **state)
{
	struct opts o = { .retransmit_ms = 30 };
	struct pair p;
	unsigned int s_sent;

	(void)state;
	pair_init(&p, &o);
	assert_int_equal(dtls_start(p.client.d), 0);
	p.server.drop_all = true;
	deliver(&p.client, &p.server);
	p.server.drop_all = false;
	s_sent = p.server.sent;
	assert_true(s_sent >= 1);
	assert_int_equal(p.server.qn, 0);
	run(&p, 5000);
	check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
	assert_true(p.server.sent > s_sent);
	pair_free(&p);
}

/* The server's last flight (ChangeCipherSpec, Finished) is lost after the server connected. */
static void test_retransmit_last_flight(void **state)
{
	struct opts o = { .retransmit_ms = 30 };
	struct pair p;

	(void)state;
	pair_init(&p, &o);
	assert_int_equal(dtls_start(p.client.d), 0);
	deliver(&p.client, &p.server);		/* ClientHello */
	deliver(&p.server, &p.client);		/* server flight */
	p.server.drop_all = true;
	deliver(&p.client, &p.server);		/* client Certificate..Finished */
	p.server.drop_all = false;
	assert_int_equal(p.server.connected, 1);
	assert_int_equal(p.client.connected, 0);
	assert_true(dtls_next_timeout_ms(p.client.d) >= 0);
	run(&p, 5000);
	check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
	pair_free(&p);
}

static void test_handshake_timeout(void **state)
{
	struct opts o = { .retransmit_ms = 20, .handshake_ms = 250 };
	struct pair p;

	(void)state;
	pair_init(&p, &o);
	p.client.drop_all = true;
	assert_int_equal(dtls_start(p.server.d), 0);
	assert_int_equal(dtls_start(p.client.d), 0);
	run(&p, 3000);
	assert_int_equal(p.client.failed, 1);
	assert_int_equal(p.client.fail_err, -ETIMEDOUT);
	assert_true(p.client.sent >= 3);		/* it did retransmit */
	assert_int_equal(p.server.failed, 1);
	assert_int_equal(p.server.fail_err, -ETIMEDOUT);
	assert_int_equal(dtls_next_timeout_ms(p.client.d), -1);
	assert_int_equal(dtls_handle_timeout(p.client.d), 0);
	pair_free(&p);
}

static void test_small_mtu(void **state)
{
	struct opts o = { .mtu = 300 };
	struct pair p;

	(void)state;
	connect_pair(&p, &o);
	assert_int_equal(p.client.connected, 1);
	assert_int_equal(p.server.connected, 1);
	assert_mirrored(&p.client, &p.server);
	assert_true(p.client.max_dgram <= 300);
	assert_true(p.server.max_dgram <= 300);
	assert_true(p.server.max_dgram > 250);	/* the certificate did get fragmented */
	pair_free(&p);
}

static void test_app_data(void **state)
{
	struct opts o = { 0 };
	static uint8_t big[DTLS_MAX_APP_LEN + 8];	/* offsets up to 3 */
	struct pair p;
	size_t sizes[] = { 1, 100, 1100, DTLS_MAX_APP_LEN };

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	connect_pair(&p, &o);
	check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned int n = p.server.app_count;

		assert_int_equal(dtls_send_app(p.client.d, big + i, sizes[i]), 0);
		pump(&p);
		assert_int_equal(p.server.app_count, n + 1);
		assert_int_equal(p.server.app_len, sizes[i]);
		assert_memory_equal(p.server.app, big + i, sizes[i]);
		/* the plaintext buffer (chat passes there) is locked pool memory */
		assert_true(p.server.app_in_pool);
		if (geteuid() == 0)
			assert_true(p.server.app_locked);
	}
	assert_int_equal(dtls_send_app(p.server.d, (const uint8_t *)"pong", 4), 0);
	pump(&p);
	assert_int_equal(p.client.app_count, 1);
	assert_memory_equal(p.client.app, "pong", 4);
	/* Replies from inside the event callback (as SCTP does). */
	p.server.echo_app = true;
	assert_int_equal(dtls_send_app(p.client.d, (const uint8_t *)"echo me", 7), 0);
	pump(&p);
	assert_int_equal(p.client.app_count, 2);
	assert_memory_equal(p.client.app, "echo me", 7);
	/* Records within one datagram batch arrive in order. */
	assert_int_equal(dtls_send_app(p.client.d, (const uint8_t *)"a", 1), 0);
	assert_int_equal(dtls_send_app(p.client.d, (const uint8_t *)"b", 1), 0);
	pump(&p);
	assert_int_equal(p.client.app_count, 4);
	assert_memory_equal(p.client.app, "b", 1);
	assert_int_equal(dtls_send_app(p.client.d, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(dtls_send_app(p.client.d, big, 0), -EINVAL);
	/* A record replayed by the network is dropped by DTLS, not delivered twice. */
	assert_int_equal(dtls_send_app(p.server.d, (const uint8_t *)"once", 4), 0);
	{
		struct pkt copy = { malloc(p.server.q[0].len), p.server.q[0].len };

		assert_int_equal(p.server.qn, 1);
		memcpy(copy.data, p.server.q[0].data, copy.len);
		pump(&p);
		unsigned int n = p.client.app_count;

		assert_int_equal(dtls_handle_incoming(p.client.d, copy.data, copy.len), 0);
		assert_int_equal(p.client.app_count, n);
		free(copy.data);
	}
	pair_free(&p);
}

/* Whether the n bytes at needle occur anywhere in this process's writable memory except the
 * mapping [work, work + worklen) that holds the needle and the read buffer. Read through
 * /proc/self/mem (no sanitizer instrumentation); huge mappings (sanitizer shadow) are
 * skipped. */
static bool found_in_memory(uint8_t *work, size_t worklen, const uint8_t *needle, size_t n)
{
	const size_t step = 1 << 20;
	uint8_t *buf = work + 4096;
	char line[512];
	bool found = false;
	FILE *maps = fopen("/proc/self/maps", "r");
	int fd = open("/proc/self/mem", O_RDONLY);
	assert_non_null(maps);
	assert_true(fd >= 0);
	assert_true(worklen >= 4096 + step);
	while (!found && fgets(line, sizeof(line), maps)) {
		uintptr_t lo, hi;
		char perms[5];
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi, perms) != 3 ||
		    perms[0] != 'r' || perms[1] != 'w' || hi - lo > ((size_t)256 << 20) ||
		    lo == (uintptr_t)work)
			continue;
		for (uintptr_t a = lo; !found && a < hi; a += step - n) {
			size_t len = hi - a < step ? hi - a : step;
			ssize_t got = pread(fd, buf, len, (off_t)a);
			if (got < (ssize_t)n)
				break;
			found = memmem(buf, (size_t)got, needle, n) != NULL;
			if (len < step)
				break;
		}
	}
	explicit_bzero(buf, step);
	close(fd);
	fclose(maps);
	return found;
}

/* After a message has passed and been handed up, no copy of its plaintext is left in memory:
 * not in our record buffer (wiped after each record), not in OpenSSL's read buffer
 * (SSL_OP_CLEANSE_PLAINTEXT), not in the sender's. */
static void test_plaintext_not_left_behind(void **state)
{
	struct opts o = { 0 };
	struct pair p;
	const size_t n = 40, worklen = 4096 + (1 << 20);
	(void)state;
	uint8_t *work = mmap(NULL, worklen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
	assert_true(work != MAP_FAILED);
	uint8_t *needle = work; /* the marker lives only here (and in what we look for) */
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (size_t i = 0; i < n; i++)
		needle[i] = (uint8_t)('a' + rand() % 26);
	connect_pair(&p, &o);
	check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
	uint8_t *msg = malloc(n);
	assert_non_null(msg);
	memcpy(msg, needle, n);
	assert_int_equal(dtls_send_app(p.client.d, msg, n), 0);
	explicit_bzero(msg, n);
	free(msg);
	pump(&p);
	assert_int_equal(p.server.app_count, 1);
	assert_memory_equal(p.server.app, needle, n);
	explicit_bzero(p.server.app, sizeof(p.server.app)); /* the test's own copy */
	assert_false(found_in_memory(work, worklen, needle, n));
	pair_free(&p);
	munmap(work, worklen);
}

static void test_close_notify(void **state)
{
	struct opts o = { 0 };
	struct dtls_srtp_keys k;
	unsigned int s_sent;
	struct pair p;

	(void)state;
	connect_pair(&p, &o);
	check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(dtls_shutdown(p.client.d), 0);
	assert_int_equal(dtls_get_state(p.client.d), DTLS_STATE_CLOSED);
	assert_int_equal(p.client.qn, 1);		/* close_notify */
	s_sent = p.server.sent;
	pump(&p);
	assert_int_equal(p.server.sent, s_sent + 1);	/* the server answered with its own */
	assert_int_equal(p.server.closed, 1);
	assert_int_equal(p.server.failed, 0);
	assert_int_equal(dtls_get_state(p.server.d), DTLS_STATE_CLOSED);
	assert_int_equal(p.client.closed, 0);		/* our own close is not an event */
	assert_int_equal(p.client.failed, 0);
	assert_int_equal(dtls_send_app(p.client.d, (const uint8_t *)"x", 1), -ENOTCONN);
	assert_int_equal(dtls_send_app(p.server.d, (const uint8_t *)"x", 1), -ENOTCONN);
	assert_int_equal(dtls_shutdown(p.client.d), 0);
	/* Keys stay readable after the close. */
	assert_int_equal(dtls_get_srtp_keys(p.server.d, &k), 0);
	assert_memory_equal(k.remote_key, p.client.keys.local_key, k.key_len);
	dtls_srtp_keys_wipe(&k);
	assert_int_equal(k.key_len, 0);
	pair_free(&p);
}

/* Random bytes that look like DTLS must not crash anything nor break a live connection. */
static void test_garbage(void **state)
{
	struct opts o = { 0 };
	struct pair p;
	uint8_t buf[1500];
	unsigned int seed = 12345;

	(void)state;
	connect_pair(&p, &o);
	check_connected(&p, DTLS_SRTP_AEAD_AES_128_GCM);
	for (int i = 0; i < 2000; i++) {
		size_t len = 1 + (size_t)rand_r(&seed) % sizeof(buf);

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rand_r(&seed);
		buf[0] = (uint8_t)(20 + rand_r(&seed) % 44);
		if (i % 4 == 0 && len > 13) {	/* well-formed header, garbage body */
			buf[0] = (uint8_t)(20 + i % 5);
			buf[1] = 0xfe;
			buf[2] = 0xfd;
			buf[3] = 0;
			buf[4] = (uint8_t)(i % 3);
			buf[11] = (uint8_t)((len - 13) >> 8);
			buf[12] = (uint8_t)(len - 13);
		}
		assert_int_equal(dtls_handle_incoming(p.server.d, buf, len), 0);
	}
	pump(&p);
	assert_int_equal(dtls_get_state(p.server.d), DTLS_STATE_CONNECTED);
	assert_int_equal(p.server.app_count, 0);
	assert_int_equal(dtls_send_app(p.client.d, (const uint8_t *)"still", 5), 0);
	pump(&p);
	assert_int_equal(p.server.app_count, 1);
	pair_free(&p);

	/* A fresh server fed garbage: it may fail, it must not crash. */
	pair_init(&p, &o);
	for (int i = 0; i < 500; i++) {
		size_t len = 1 + (size_t)rand_r(&seed) % 300;

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rand_r(&seed);
		buf[0] = 22;
		if (len > 13) {
			buf[1] = 0xfe;
			buf[2] = 0xff;
			buf[3] = buf[4] = 0;
			buf[11] = (uint8_t)((len - 13) >> 8);
			buf[12] = (uint8_t)(len - 13);
			buf[13] = 1;		/* ClientHello */
		}
		assert_int_equal(dtls_handle_incoming(p.server.d, buf, len), 0);
	}
	assert_true(dtls_get_state(p.server.d) == DTLS_STATE_HANDSHAKING ||
		    dtls_get_state(p.server.d) == DTLS_STATE_FAILED);
	pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_default),
		cmocka_unit_test(test_handshake_roles_swapped),
		cmocka_unit_test(test_profiles_forced),
		cmocka_unit_test(test_no_common_profile),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_fingerprint_parse),
		cmocka_unit_test(test_certificate_on_wire),
		cmocka_unit_test(test_fingerprint_mismatch_at_server),
		cmocka_unit_test(test_fingerprint_mismatch_at_client),
		cmocka_unit_test(test_destroy_from_callback),
		cmocka_unit_test(test_retransmit_first_flight),
		cmocka_unit_test(test_retransmit_server_flight),
		cmocka_unit_test(test_retransmit_last_flight),
		cmocka_unit_test(test_handshake_timeout),
		cmocka_unit_test(test_small_mtu),
		cmocka_unit_test(test_app_data),
		cmocka_unit_test(test_plaintext_not_left_behind),
		cmocka_unit_test(test_close_notify),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
