/*
 * Unit tests for net/srtp: keys come from a real in-process DTLS handshake (net/dtls) with the
 * SRTP profile forced, then RTP and RTCP go A→B and B→A for every profile; tampering, replay,
 * late packets, sequence wrap, malformed input and the one-time global init are checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "net/dtls.h"
#include "net/srtp.h"

#define QMAX 64

struct ep {
	struct dtls *d;
	uint8_t *q[QMAX];
	size_t qlen[QMAX];
	size_t qn;
	bool connected;
	struct dtls_srtp_keys keys;
};

static void send_cb(void *user, const uint8_t *data, size_t len)
{
	struct ep *e = user;

	assert_true(e->qn < QMAX);
	e->q[e->qn] = malloc(len);
	assert_non_null(e->q[e->qn]);
	memcpy(e->q[e->qn], data, len);
	e->qlen[e->qn++] = len;
}

static void event_cb(void *user, const struct dtls_event *ev)
{
	struct ep *e = user;

	assert_int_not_equal(ev->type, DTLS_EVENT_FAILED);
	if (ev->type == DTLS_EVENT_CONNECTED) {
		assert_non_null(ev->keys);
		e->keys = *ev->keys;
		e->connected = true;
	}
}

static size_t deliver(struct ep *from, struct ep *to)
{
	size_t n = from->qn;

	from->qn = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(dtls_handle_incoming(to->d, from->q[i], from->qlen[i]), 0);
		free(from->q[i]);
	}
	return n;
}

/* Runs a DTLS handshake with both sides offering only `profile` (NULL: the default list);
 * returns both key sets. */
static void negotiate(const char *profile, struct dtls_srtp_keys *ka, struct dtls_srtp_keys *kb)
{
	struct dtls_cert *ca, *cb;
	struct ep a = { 0 }, b = { 0 };
	struct dtls_config cfg = { .send_cb = send_cb, .event_cb = event_cb };
	int i;

	assert_int_equal(dtls_cert_create(&ca), 0);
	assert_int_equal(dtls_cert_create(&cb), 0);
	cfg.cert = ca;
	cfg.role = DTLS_ROLE_CLIENT;
	cfg.user = &a;
	cfg.srtp_profiles = profile;
	assert_int_equal(dtls_fingerprint_parse("sha-256", dtls_cert_fingerprint(cb),
						&cfg.remote_fp), 0);
	assert_int_equal(dtls_create(&a.d, &cfg), 0);
	cfg.cert = cb;
	cfg.role = DTLS_ROLE_SERVER;
	cfg.user = &b;
	assert_int_equal(dtls_fingerprint_parse("sha-256", dtls_cert_fingerprint(ca),
						&cfg.remote_fp), 0);
	assert_int_equal(dtls_create(&b.d, &cfg), 0);
	assert_int_equal(dtls_start(a.d), 0);
	for (i = 0; i < 20 && deliver(&a, &b) + deliver(&b, &a) > 0; i++)
		;
	assert_true(a.connected && b.connected);
	*ka = a.keys;
	*kb = b.keys;
	dtls_destroy(a.d);
	dtls_destroy(b.d);
	dtls_cert_destroy(ca);
	dtls_cert_destroy(cb);
}

struct duo {
	struct srtp_session *a, *b;
	enum dtls_srtp_profile profile;
	size_t tag;			/* RTP auth tag length */
};

static void duo_init(struct duo *d, const char *profile, enum dtls_srtp_profile want, size_t tag)
{
	struct dtls_srtp_keys ka, kb;

	negotiate(profile, &ka, &kb);
	assert_int_equal(ka.profile, want);
	assert_int_equal(srtp_session_create(&d->a, &ka), 0);
	assert_int_equal(srtp_session_create(&d->b, &kb), 0);
	dtls_srtp_keys_wipe(&ka);
	dtls_srtp_keys_wipe(&kb);
	assert_int_equal(srtp_session_profile(d->a), want);
	d->profile = want;
	d->tag = tag;
}

static void duo_free(struct duo *d)
{
	srtp_session_destroy(d->a);
	srtp_session_destroy(d->b);
}

/* An Opus-like RTP packet; with ext, a one-byte-header audio-level extension (RFC 6464). */
static size_t make_rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc, size_t payload, bool ext)
{
	size_t n = 12;

	buf[0] = ext ? 0x90 : 0x80;
	buf[1] = 111;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	for (int i = 0; i < 4; i++) {
		buf[4 + i] = (uint8_t)((seq * 960u) >> (24 - 8 * i));
		buf[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	}
	if (ext) {
		memcpy(buf + n, "\xbe\xde\x00\x01\x10\x85\x00\x00", 8);
		n += 8;
	}
	for (size_t i = 0; i < payload; i++)
		buf[n + i] = (uint8_t)(seq + i * 13);
	return n + payload;
}

/* A sender report with one report block. */
static size_t make_rtcp(uint8_t *buf, uint32_t ssrc, uint32_t ntp)
{
	static const uint8_t sr[52] = { 0x81, 200, 0, 12 };

	memcpy(buf, sr, sizeof(sr));
	for (int i = 0; i < 4; i++) {
		buf[4 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
		buf[8 + i] = (uint8_t)(ntp >> (24 - 8 * i));
	}
	buf[30] = 0x42;
	return sizeof(sr);
}

/* Protects with `from`, checks the SRTP shape, unprotects with `to`, compares. */
static void rtp_trip(struct duo *d, struct srtp_session *from, struct srtp_session *to,
		     uint16_t seq, uint32_t ssrc, bool ext)
{
	_Alignas(4) uint8_t plain[1500], buf[1500];
	size_t plen = make_rtp(plain, seq, ssrc, 160, ext), len = plen;
	size_t hdr = ext ? 20 : 12;

	memcpy(buf, plain, plen);
	assert_int_equal(srtp_session_protect_rtp(from, buf, &len, sizeof(buf)), 0);
	assert_int_equal(len, plen + d->tag);
	assert_memory_equal(buf, plain, hdr);			/* header stays clear */
	assert_memory_not_equal(buf + hdr, plain + hdr, 160);	/* payload encrypted */
	assert_int_equal(srtp_session_unprotect_rtp(to, buf, &len), 0);
	assert_int_equal(len, plen);
	assert_memory_equal(buf, plain, plen);
}

static void rtcp_trip(struct duo *d, struct srtp_session *from, struct srtp_session *to,
		      uint32_t ssrc, uint32_t ntp)
{
	_Alignas(4) uint8_t plain[256], buf[256];
	size_t plen = make_rtcp(plain, ssrc, ntp), len = plen;
	size_t rtcp_tag = d->profile == DTLS_SRTP_AES128_CM_SHA1_32 ? 10 : d->tag;
	bool aead = d->profile == DTLS_SRTP_AEAD_AES_128_GCM ||
		    d->profile == DTLS_SRTP_AEAD_AES_256_GCM;

	memcpy(buf, plain, plen);
	assert_int_equal(srtp_session_protect_rtcp(from, buf, &len, sizeof(buf)), 0);
	assert_int_equal(len, plen + 4 + rtcp_tag);		/* E flag + index, tag */
	/* E flag set; RFC 7714 puts the index after the tag, RFC 3711 before it. */
	assert_true(buf[aead ? plen + rtcp_tag : plen] & 0x80);
	assert_memory_not_equal(buf + 8, plain + 8, plen - 8);
	assert_int_equal(srtp_session_unprotect_rtcp(to, buf, &len), 0);
	assert_int_equal(len, plen);
	assert_memory_equal(buf, plain, plen);
}

static void roundtrips(const char *profile, enum dtls_srtp_profile want, size_t tag)
{
	struct duo d;

	duo_init(&d, profile, want, tag);
	for (uint16_t seq = 1; seq <= 50; seq++) {
		rtp_trip(&d, d.a, d.b, seq, 0x11111111, seq % 2);	/* A→B */
		rtp_trip(&d, d.b, d.a, (uint16_t)(seq + 1000), 0x22222222, false); /* B→A */
	}
	for (uint32_t i = 0; i < 5; i++) {
		rtcp_trip(&d, d.a, d.b, 0x11111111, i);
		rtcp_trip(&d, d.b, d.a, 0x22222222, i);
	}
	/* A second SSRC on the same session works too (wildcard policy). */
	rtp_trip(&d, d.a, d.b, 7, 0x33333333, false);
	duo_free(&d);
}

static void test_roundtrip_aes128_gcm(void **state)
{
	(void)state;
	roundtrips("SRTP_AEAD_AES_128_GCM", DTLS_SRTP_AEAD_AES_128_GCM, 16);
}

static void test_roundtrip_aes256_gcm(void **state)
{
	(void)state;
	roundtrips("SRTP_AEAD_AES_256_GCM", DTLS_SRTP_AEAD_AES_256_GCM, 16);
}

static void test_roundtrip_sha1_80(void **state)
{
	(void)state;
	roundtrips("SRTP_AES128_CM_SHA1_80", DTLS_SRTP_AES128_CM_SHA1_80, 10);
}

static void test_roundtrip_sha1_32(void **state)
{
	(void)state;
	roundtrips("SRTP_AES128_CM_SHA1_32", DTLS_SRTP_AES128_CM_SHA1_32, 4);
}

static void tamper_and_replay(const char *profile, enum dtls_srtp_profile want, size_t tag)
{
	_Alignas(4) uint8_t pkt[1500], copy[1500];
	size_t len, clen;
	struct duo d;

	duo_init(&d, profile, want, tag);
	len = make_rtp(pkt, 500, 0xabcdef01, 100, false);
	assert_int_equal(srtp_session_protect_rtp(d.a, pkt, &len, sizeof(pkt)), 0);

	/* A flipped bit in the payload, the header or the tag fails authentication. */
	const size_t spots[] = { 20, 5, len - 1 };

	for (size_t i = 0; i < 3; i++) {
		memcpy(copy, pkt, len);
		clen = len;
		copy[spots[i]] ^= 0x04;
		assert_int_equal(srtp_session_unprotect_rtp(d.b, copy, &clen),
				 SRTP_SESSION_EAUTH);
	}
	/* The sender's own packet fails with the sender's inbound (remote) key. */
	memcpy(copy, pkt, len);
	clen = len;
	assert_int_equal(srtp_session_unprotect_rtp(d.a, copy, &clen), SRTP_SESSION_EAUTH);
	/* Failed attempts did not burn the index: the genuine packet passes once, then replays. */
	memcpy(copy, pkt, len);
	clen = len;
	assert_int_equal(srtp_session_unprotect_rtp(d.b, copy, &clen), 0);
	memcpy(copy, pkt, len);
	clen = len;
	assert_int_equal(srtp_session_unprotect_rtp(d.b, copy, &clen), SRTP_SESSION_EREPLAY);
	/* A NACKed packet is protected again with its own index (a retransmission): the same
	 * bytes on the wire, which the receiver, having taken the first copy, refuses. */
	_Alignas(4) uint8_t again[1500];
	size_t alen = make_rtp(again, 500, 0xabcdef01, 100, false);
	assert_int_equal(srtp_session_protect_rtp(d.a, again, &alen, sizeof(again)), 0);
	assert_int_equal(alen, len);
	assert_memory_equal(again, pkt, len);
	assert_int_equal(srtp_session_unprotect_rtp(d.b, again, &alen), SRTP_SESSION_EREPLAY);

	/* RTCP: tamper, then replay. */
	len = make_rtcp(pkt, 0xabcdef01, 77);
	assert_int_equal(srtp_session_protect_rtcp(d.a, pkt, &len, sizeof(pkt)), 0);
	memcpy(copy, pkt, len);
	clen = len;
	copy[12] ^= 0x80;
	assert_int_equal(srtp_session_unprotect_rtcp(d.b, copy, &clen), SRTP_SESSION_EAUTH);
	memcpy(copy, pkt, len);
	clen = len;
	assert_int_equal(srtp_session_unprotect_rtcp(d.b, copy, &clen), 0);
	memcpy(copy, pkt, len);
	clen = len;
	assert_int_equal(srtp_session_unprotect_rtcp(d.b, copy, &clen), SRTP_SESSION_EREPLAY);
	duo_free(&d);
}

static void test_tamper_replay_gcm(void **state)
{
	(void)state;
	tamper_and_replay("SRTP_AEAD_AES_128_GCM", DTLS_SRTP_AEAD_AES_128_GCM, 16);
}

static void test_tamper_replay_sha1_80(void **state)
{
	(void)state;
	tamper_and_replay("SRTP_AES128_CM_SHA1_80", DTLS_SRTP_AES128_CM_SHA1_80, 10);
}

/* Reordering inside the window is fine, far older packets are replays, seq wraps. */
static void test_window_and_wrap(void **state)
{
	enum { N = 300 };
	static _Alignas(4) uint8_t pkts[N][300];
	size_t lens[N];
	struct duo d;
	uint16_t base = 65400;			/* wraps after 135 packets */

	(void)state;
	duo_init(&d, NULL, DTLS_SRTP_AEAD_AES_128_GCM, 16);
	for (int i = 0; i < N; i++) {
		lens[i] = make_rtp(pkts[i], (uint16_t)(base + i), 0x5555, 40, false);
		assert_int_equal(srtp_session_protect_rtp(d.a, pkts[i], &lens[i], 300), 0);
	}
	/* Deliver in pairs swapped (1,0,3,2,...) except packet 10, kept for later. */
	for (int i = 0; i + 1 < N; i += 2)
		for (int k = 1; k >= 0; k--) {
			if (i + k == 10)
				continue;
			assert_int_equal(srtp_session_unprotect_rtp(d.b, pkts[i + k], &lens[i + k]),
					 0);
			assert_int_equal(lens[i + k], 12 + 40);
			assert_int_equal(pkts[i + k][12], (uint8_t)(base + i + k));
		}
	/* Packet 10 is now ~290 behind: outside the 128-packet window. */
	assert_int_equal(srtp_session_unprotect_rtp(d.b, pkts[10], &lens[10]),
			 SRTP_SESSION_EREPLAY);
	duo_free(&d);
}

static void test_bad_input(void **state)
{
	_Alignas(4) uint8_t buf[600];
	struct dtls_srtp_keys k;
	struct srtp_session *s = NULL;
	unsigned int seed = 99;
	size_t len;
	struct duo d;

	(void)state;
	memset(&k, 0, sizeof(k));
	assert_int_equal(srtp_session_create(&s, &k), -EINVAL);	/* no profile */
	k.profile = DTLS_SRTP_AEAD_AES_128_GCM;
	k.key_len = 16;
	k.salt_len = 14;				/* GCM salts are 12 bytes */
	assert_int_equal(srtp_session_create(&s, &k), -EINVAL);
	k.salt_len = 12;
	assert_int_equal(srtp_session_create(&s, &k), 0);	/* all-zero key, but valid */
	srtp_session_destroy(s);
	srtp_session_destroy(NULL);

	duo_init(&d, NULL, DTLS_SRTP_AEAD_AES_128_GCM, 16);
	/* Too little room after the packet. */
	len = make_rtp(buf, 1, 1, 100, false);
	assert_int_equal(srtp_session_protect_rtp(d.a, buf, &len, len + SRTP_SESSION_HEADROOM - 1),
			 -EINVAL);
	assert_int_equal(srtp_session_protect_rtp(d.a, buf, &len, len + SRTP_SESSION_HEADROOM),
			 0);
	/* Not RTP: version 0, too short, CSRC count or extension beyond the end. */
	len = make_rtp(buf, 2, 1, 0, false);
	buf[0] = 0x00;
	assert_int_equal(srtp_session_protect_rtp(d.a, buf, &len, sizeof(buf)), -EINVAL);
	len = 11;
	buf[0] = 0x80;
	assert_int_equal(srtp_session_protect_rtp(d.a, buf, &len, sizeof(buf)), -EINVAL);
	len = make_rtp(buf, 3, 1, 20, false);
	buf[0] = 0x8f;					/* 15 CSRCs = 60 bytes */
	assert_int_equal(srtp_session_protect_rtp(d.a, buf, &len, sizeof(buf)), -EINVAL);
	len = make_rtp(buf, 4, 1, 0, true);
	buf[15] = 9;					/* extension longer than the packet */
	assert_int_equal(srtp_session_unprotect_rtp(d.b, buf, &len), -EINVAL);
	/* An SRTP packet shorter than its tag. */
	len = make_rtp(buf, 5, 1, 4, false);
	assert_int_equal(srtp_session_unprotect_rtp(d.b, buf, &len), -EINVAL);
	/* RTCP with a non-RTCP packet type, or without room for index and tag. */
	len = make_rtcp(buf, 1, 1);
	buf[1] = 111;
	assert_int_equal(srtp_session_protect_rtcp(d.a, buf, &len, sizeof(buf)), -EINVAL);
	len = 20;
	buf[1] = 200;
	assert_int_equal(srtp_session_unprotect_rtcp(d.b, buf, &len), -EINVAL);
	/* Random bytes never crash and never authenticate. */
	for (int i = 0; i < 3000; i++) {
		len = (size_t)rand_r(&seed) % 400;
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rand_r(&seed);
		if (len > 0)
			buf[0] = (uint8_t)(0x80 | (buf[0] & 0x3f));
		if (i & 1) {
			if (len > 1)
				buf[1] = (uint8_t)(192 + buf[1] % 32);
			assert_true(srtp_session_unprotect_rtcp(d.b, buf, &len) < 0);
		} else {
			assert_true(srtp_session_unprotect_rtp(d.b, buf, &len) < 0);
		}
	}
	duo_free(&d);
}

static void *init_thread(void *arg)
{
	*(int *)arg = srtp_session_global_init();
	return NULL;
}

/* AES-ICM and HMAC-SHA1 run on net/srtp_ossl.c's OpenSSL tables: libsrtp accepted them (its
 * self-test with RFC 3711 B.2's keystream and RFC 2202's HMAC passed), so the CM_SHA1 round
 * trips, tamper and replay tests here, and every profile's key derivation, run on them. */
static void test_cm_engine(void **state)
{
	(void)state;
	assert_string_equal(srtp_session_cm_engine(), "OpenSSL");
}

static void test_global_init_threads(void **state)
{
	pthread_t t[8];
	int rc[8];

	(void)state;
	for (int i = 0; i < 8; i++) {
		rc[i] = -1;
		assert_int_equal(pthread_create(&t[i], NULL, init_thread, &rc[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(rc[i], 0);
	}
	assert_int_equal(srtp_session_global_init(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_global_init_threads),
		cmocka_unit_test(test_cm_engine),
		cmocka_unit_test(test_roundtrip_aes128_gcm),
		cmocka_unit_test(test_roundtrip_aes256_gcm),
		cmocka_unit_test(test_roundtrip_sha1_80),
		cmocka_unit_test(test_roundtrip_sha1_32),
		cmocka_unit_test(test_tamper_replay_gcm),
		cmocka_unit_test(test_tamper_replay_sha1_80),
		cmocka_unit_test(test_window_and_wrap),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
