/*
 * DTLS-SRTP on OpenSSL 3 without sockets (see dtls.h for the contract).
 *
 * Each connection owns an SSL_CTX and an SSL. Input: a memory BIO that holds exactly one
 * datagram while dtls_handle_incoming() drives the handshake or reads records, then is emptied.
 * Output: a tiny write-only BIO whose every write is one datagram handed to send_cb. OpenSSL
 * keeps that true: during the handshake it stacks a 4 KiB buffering BIO on ours, packs whole
 * records into it up to the MTU (SSL_set_mtu, hence DTLS_MAX_MTU <= 4096) and flushes each
 * datagram with one write; after the handshake every record is written on its own.
 * The peer certificate is checked by a certificate verification callback that replaces chain
 * building: its digest must equal the SDP fingerprint.
 * On success the SRTP keys are exported with the RFC 5764 label and split by role.
 *
 * Once connected, anyone who can put a datagram on the ICE socket can feed us records, and some
 * OpenSSL 3.0 releases answer certain unauthenticated records with a fatal alert of their own
 * (3.0.19: an epoch-1 record too short for the AEAD nonce and tag is an "internal error"), which
 * would end the call. So a screen stands in front of OpenSSL after the handshake: only records
 * that could be genuine reach it (DTLS 1.2, the current epoch, alert/handshake/application data,
 * as long as the AEAD cipher's nonce and tag plus 0 to 2^14 bytes); the rest is dropped unseen, as
 * OpenSSL drops a record whose tag fails. Authentication stays OpenSSL's job, and only AEAD
 * suites are allowed, so that every forged record that passes the screen fails authentication
 * and nothing else.
 *
 * Events are only emitted between OpenSSL calls; a depth counter makes dtls_destroy() from an
 * event callback safe (the free happens when the outermost public call returns).
 * Thread: the owner's thread only (the main loop); dtls_cert is read-only after creation.
 */
#include "net/dtls.h"
#include "net/lockpool.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define DTLS_MIN_MTU 256
#define DTLS_MAX_DATAGRAM 65535
#define DTLS_MAX_MTU 4096		/* OpenSSL's handshake write buffer */
#define DTLS_MAX_RETRANSMIT_US 4000000u
/* The first retransmission timeout (it doubles up to DTLS_MAX_RETRANSMIT_US). RFC 6347 says
 * 1 s, but our first flight is often lost for a plain reason: as DTLS client we send the
 * ClientHello as soon as our ICE is connected, and the server's ICE may not be yet, so it
 * drops it. With 1 s, 3 of 10 joins of a Janus VideoRoom with Chromium publishing heard their
 * first audio ~0.9 s later than the rest (tests/bench/browser_join_bench.py: join to first
 * audio 54-133 ms or 843-942 ms); with 250 ms none of 14 did (74-343 ms). libwebrtc starts
 * at twice the ICE round trip, at least 50 ms. A link slower than 250 ms round trip costs
 * one early repeat of a flight. */
#define DTLS_DEFAULT_RETRANSMIT_MS 250
#define DTLS_DEFAULT_HANDSHAKE_MS 15000
#define DTLS_CERT_VALIDITY_S (24L * 3600)
#define DTLS_KEY_LABEL "EXTRACTOR-dtls_srtp"
#define DTLS_RECORD_HEADER 13
#define DTLS_EPOCH_CONNECTED 1		/* no renegotiation: the epoch never moves past 1 */
/* Forward-secret AEAD suites only; our own certificate is ECDSA, the peer's may be RSA.
 * AEAD because a forged record then simply fails its tag and is dropped: with CBC (mac-then-
 * encrypt) OpenSSL answers a forged record of the wrong length with a fatal bad_record_mac.
 * RFC 8827 §6.5 makes ECDHE-ECDSA-AES128-GCM-SHA256 mandatory for every WebRTC endpoint. */
#define DTLS_CIPHERS "ECDHE+AESGCM:ECDHE+CHACHA20"
#define DTLS_CIPHERS_ALWAYS ":!aNULL:!eNULL"

_Static_assert(DTLS_SRTP_AES128_CM_SHA1_80 == SRTP_AES128_CM_SHA1_80, "IANA id");
_Static_assert(DTLS_SRTP_AES128_CM_SHA1_32 == SRTP_AES128_CM_SHA1_32, "IANA id");
_Static_assert(DTLS_SRTP_AEAD_AES_128_GCM == SRTP_AEAD_AES_128_GCM, "IANA id");
_Static_assert(DTLS_SRTP_AEAD_AES_256_GCM == SRTP_AEAD_AES_256_GCM, "IANA id");

struct dtls_cert {
	X509 *x509;
	EVP_PKEY *key;
	char fp[DTLS_FP_HEX_MAX];
};

struct dtls {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio;			/* owned by ssl */
	BIO_METHOD *wmeth;
	enum dtls_role role;
	enum dtls_state state;
	struct dtls_fingerprint remote_fp;
	const EVP_MD *remote_md;
	dtls_send_cb send_cb;
	dtls_event_cb event_cb;
	void *user;
	unsigned int retransmit_us;
	unsigned int handshake_ms;
	int64_t deadline_us;
	int depth;			/* public calls in progress on the stack */
	bool doomed;			/* dtls_destroy() called while depth > 0 */
	bool fp_checked;
	bool fp_mismatch;
	int alert_rcvd;			/* last fatal alert received, -1 none */
	int alert_sent;			/* last fatal alert we sent, -1 none */
	size_t min_record;		/* shortest ciphertext body the negotiated cipher allows */
	uint64_t screened;		/* records dropped by the screen since connecting */
	int fail_err;
	bool was_connected;
	bool have_keys;
	struct dtls_srtp_keys keys;
	char reason[512];
	uint8_t *rx;			/* DTLS_MAX_APP_LEN bytes of plaintext (SCTP, chat):
					 * locked pool memory, made when the first record
					 * after the handshake is read */
};

static const struct {
	const char *name;
	const EVP_MD *(*md)(void);
	size_t len;
} fp_hashes[] = {
	{ "sha-1", EVP_sha1, 20 },
	{ "sha-224", EVP_sha224, 28 },
	{ "sha-256", EVP_sha256, 32 },
	{ "sha-384", EVP_sha384, 48 },
	{ "sha-512", EVP_sha512, 64 },
};

static const struct {
	enum dtls_srtp_profile id;
	const char *name;
	size_t key_len;
	size_t salt_len;
} srtp_profiles[] = {
	{ DTLS_SRTP_AES128_CM_SHA1_80, "SRTP_AES128_CM_SHA1_80", 16, 14 },
	{ DTLS_SRTP_AES128_CM_SHA1_32, "SRTP_AES128_CM_SHA1_32", 16, 14 },
	{ DTLS_SRTP_AEAD_AES_128_GCM, "SRTP_AEAD_AES_128_GCM", 16, 12 },
	{ DTLS_SRTP_AEAD_AES_256_GCM, "SRTP_AEAD_AES_256_GCM", 32, 12 },
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void hex_colon(const uint8_t *b, size_t n, char *out, size_t cap)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < n && o + 3 <= cap; i++) {
		out[o++] = digits[b[i] >> 4];
		out[o++] = digits[b[i] & 15];
		out[o++] = ':';
	}
	out[o ? o - 1 : 0] = '\0';
}

/* ---- certificate ---- */

static int cert_fill(struct dtls_cert *c)
{
	unsigned char rnd[12];
	char cn[32];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	BIGNUM *serial = NULL;
	X509_NAME *name;
	int ret = -EIO;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	rnd[0] &= 0x7f;			/* positive, non-zero serial */
	rnd[0] |= 0x01;
	serial = BN_bin2bn(rnd, 8, NULL);
	if (!serial || !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(c->x509)))
		goto out;
	snprintf(cn, sizeof(cn), "ttymeet-%02x%02x%02x%02x", rnd[8], rnd[9], rnd[10], rnd[11]);
	name = X509_get_subject_name(c->x509);
	if (X509_set_version(c->x509, X509_VERSION_3) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(c->x509), -DTLS_CERT_VALIDITY_S) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c->x509), DTLS_CERT_VALIDITY_S) ||
	    X509_set_pubkey(c->x509, c->key) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
				       -1, 0) != 1 ||
	    X509_set_issuer_name(c->x509, name) != 1 ||
	    X509_sign(c->x509, c->key, EVP_sha256()) <= 0 ||
	    X509_digest(c->x509, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		goto out;
	hex_colon(md, mdlen, c->fp, sizeof(c->fp));
	ret = 0;
out:
	BN_free(serial);
	return ret;
}

int dtls_cert_create(struct dtls_cert **out)
{
	struct dtls_cert *c;
	int ret = -ENOMEM;

	if (!out)
		return -EINVAL;
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->key = EVP_EC_gen("P-256");
	c->x509 = X509_new();
	if (!c->key || !c->x509)
		goto out;
	ret = cert_fill(c);
out:
	ERR_clear_error();
	if (ret < 0) {
		dtls_cert_destroy(c);
		return ret;
	}
	*out = c;
	return 0;
}

void dtls_cert_destroy(struct dtls_cert *cert)
{
	if (!cert)
		return;
	X509_free(cert->x509);
	EVP_PKEY_free(cert->key);
	free(cert);
}

const char *dtls_cert_fingerprint(const struct dtls_cert *cert)
{
	return cert->fp;
}

const char *dtls_cert_fingerprint_alg(const struct dtls_cert *cert)
{
	(void)cert;
	return "sha-256";
}

/* ---- fingerprints and profiles ---- */

static int hash_index(const char *alg)
{
	for (size_t i = 0; i < sizeof(fp_hashes) / sizeof(fp_hashes[0]); i++)
		if (strcasecmp(alg, fp_hashes[i].name) == 0)
			return (int)i;
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dtls_fingerprint_parse(const char *alg, const char *hex, struct dtls_fingerprint *out)
{
	size_t want, n = 0;
	const char *p = hex;
	int h;

	if (!alg || !hex || !out)
		return -EINVAL;
	h = hash_index(alg);
	if (h < 0)
		return -ENOTSUP;
	want = fp_hashes[h].len;
	memset(out, 0, sizeof(*out));
	for (;;) {
		int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);

		if (hi < 0 || lo < 0 || n == want)
			return -EINVAL;
		out->bytes[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (*p == '\0')
			break;
		if (*p++ != ':')
			return -EINVAL;
	}
	if (n != want)
		return -EINVAL;
	snprintf(out->alg, sizeof(out->alg), "%s", fp_hashes[h].name);
	out->len = n;
	return 0;
}

const char *dtls_srtp_profile_name(enum dtls_srtp_profile p)
{
	for (size_t i = 0; i < sizeof(srtp_profiles) / sizeof(srtp_profiles[0]); i++)
		if (srtp_profiles[i].id == p)
			return srtp_profiles[i].name;
	return "none";
}

void dtls_srtp_keys_wipe(struct dtls_srtp_keys *keys)
{
	if (keys)
		OPENSSL_cleanse(keys, sizeof(*keys));
}

/* ---- events and lifetime ---- */

static void free_dtls(struct dtls *d)
{
	SSL_free(d->ssl);		/* frees both BIOs */
	SSL_CTX_free(d->ctx);
	BIO_meth_free(d->wmeth);
	OPENSSL_cleanse(&d->keys, sizeof(d->keys));
	lockpool_free(d->rx);		/* overwritten as it is freed */
	free(d);
}

static void enter(struct dtls *d)
{
	d->depth++;
}

/* Ends a public call; d must not be touched afterwards. */
static int leave(struct dtls *d, int ret)
{
	if (--d->depth == 0 && d->doomed)
		free_dtls(d);
	return ret;
}

static void emit(struct dtls *d, struct dtls_event *ev)
{
	if (d->doomed)
		return;
	if (!ev->reason)
		ev->reason = "";
	d->event_cb(d->user, ev);
}

__attribute__((format(printf, 3, 4)))
static void fail(struct dtls *d, int err, const char *fmt, ...)
{
	struct dtls_event ev = { .type = DTLS_EVENT_FAILED, .err = err };
	char why[sizeof(d->reason)];
	va_list ap;

	if (d->state == DTLS_STATE_FAILED || d->state == DTLS_STATE_CLOSED)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);	/* the arguments may point into d->reason */
	va_end(ap);
	memcpy(d->reason, why, sizeof(why));
	ERR_clear_error();
	d->state = DTLS_STATE_FAILED;
	d->fail_err = err;
	ev.alert = d->alert_rcvd;
	ev.reason = d->reason;
	emit(d, &ev);
}

static void fail_from_openssl(struct dtls *d, int ssl_err, const char *what)
{
	char buf[160];
	unsigned long e;

	if (d->fp_mismatch) {
		fail(d, -EKEYREJECTED, "%s", d->reason);
		return;
	}
	if (d->alert_rcvd >= 0) {
		fail(d, -ECONNRESET, "%s: peer sent alert \"%s\"", what,
		     SSL_alert_desc_string_long(d->alert_rcvd));
		return;
	}
	if (ssl_err == SSL_ERROR_ZERO_RETURN) {
		fail(d, -ECONNRESET, "%s: peer closed the connection", what);
		return;
	}
	e = ERR_peek_error();
	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "SSL error %d", ssl_err);
	if (d->alert_sent >= 0) {
		fail(d, ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE ? -ENOMEM : -EPROTO,
		     "%s: %s (we sent alert \"%s\")", what, buf,
		     SSL_alert_desc_string_long(d->alert_sent));
		return;
	}
	fail(d, ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE ? -ENOMEM : -EPROTO, "%s: %s", what,
	     buf);
}

/* ---- OpenSSL callbacks (run inside OpenSSL: record facts, never emit) ---- */

static int wbio_write(BIO *b, const char *data, int len)
{
	struct dtls *d = BIO_get_data(b);

	if (len <= 0)
		return 0;
	if (!d->doomed)
		d->send_cb(d->user, (const uint8_t *)data, (size_t)len);
	return len;
}

static long wbio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int wbio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/* SSL_CB_READ_ALERT and SSL_CB_WRITE_ALERT share the SSL_CB_ALERT bit: the direction is
 * SSL_CB_READ or SSL_CB_WRITE. */
static void info_cb(const SSL *ssl, int where, int ret)
{
	struct dtls *d = SSL_get_app_data(ssl);

	if (!(where & SSL_CB_ALERT) || (ret >> 8) != SSL3_AL_FATAL)
		return;
	if (where & SSL_CB_READ)
		d->alert_rcvd = ret & 0xff;
	else
		d->alert_sent = ret & 0xff;
}

static unsigned int timer_cb(SSL *ssl, unsigned int prev_us)
{
	const struct dtls *d = SSL_get_app_data(ssl);

	if (prev_us == 0)
		return d->retransmit_us;
	return prev_us >= DTLS_MAX_RETRANSMIT_US / 2 ? DTLS_MAX_RETRANSMIT_US : prev_us * 2;
}

/* Checks the peer certificate against the SDP fingerprint; returns 1 if it matches. */
static int peer_matches(struct dtls *d, X509 *peer)
{
	unsigned char md[EVP_MAX_MD_SIZE] = { 0 };
	unsigned int len = 0;
	char got[DTLS_FP_HEX_MAX], want[DTLS_FP_HEX_MAX];

	if (peer && X509_digest(peer, d->remote_md, md, &len) == 1 && len == d->remote_fp.len &&
	    CRYPTO_memcmp(md, d->remote_fp.bytes, len) == 0)
		return 1;
	hex_colon(md, peer ? len : 0, got, sizeof(got));
	hex_colon(d->remote_fp.bytes, d->remote_fp.len, want, sizeof(want));
	snprintf(d->reason, sizeof(d->reason),
		 "DTLS fingerprint mismatch: remote certificate %s %s, SDP says %s",
		 d->remote_fp.alg, peer ? got : "(none)", want);
	d->fp_mismatch = true;
	return 0;
}

/* Replaces chain verification: a self-signed peer is fine, its digest must match the SDP. */
static int verify_cb(X509_STORE_CTX *xs, void *arg)
{
	struct dtls *d = arg;

	if (!peer_matches(d, X509_STORE_CTX_get0_cert(xs))) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	d->fp_checked = true;
	X509_STORE_CTX_set_error(xs, X509_V_OK);
	return 1;
}

/* ---- handshake and records ---- */

static int export_keys(struct dtls *d)
{
	const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(d->ssl);
	uint8_t km[2 * (DTLS_SRTP_MAX_KEY + DTLS_SRTP_MAX_SALT)];
	const uint8_t *ck, *sk, *cs, *ss;
	size_t kl, sl, i, n = sizeof(srtp_profiles) / sizeof(srtp_profiles[0]);
	struct dtls_srtp_keys *k = &d->keys;

	if (!p)
		return 0;
	for (i = 0; i < n && (unsigned long)srtp_profiles[i].id != p->id; i++)
		;
	if (i == n)
		return -EPROTO;
	kl = srtp_profiles[i].key_len;
	sl = srtp_profiles[i].salt_len;
	if (SSL_export_keying_material(d->ssl, km, 2 * (kl + sl), DTLS_KEY_LABEL,
				       strlen(DTLS_KEY_LABEL), NULL, 0, 0) != 1)
		return -EPROTO;
	/* RFC 5764 §4.2: client key, server key, client salt, server salt. */
	ck = km;
	sk = km + kl;
	cs = km + 2 * kl;
	ss = km + 2 * kl + sl;
	memset(k, 0, sizeof(*k));
	k->profile = srtp_profiles[i].id;
	k->key_len = kl;
	k->salt_len = sl;
	memcpy(k->local_key, d->role == DTLS_ROLE_CLIENT ? ck : sk, kl);
	memcpy(k->local_salt, d->role == DTLS_ROLE_CLIENT ? cs : ss, sl);
	memcpy(k->remote_key, d->role == DTLS_ROLE_CLIENT ? sk : ck, kl);
	memcpy(k->remote_salt, d->role == DTLS_ROLE_CLIENT ? ss : cs, sl);
	OPENSSL_cleanse(km, sizeof(km));
	d->have_keys = true;
	return 0;
}

/* The shortest ciphertext body a genuine record of the negotiated AEAD cipher can have (no
 * content at all): the explicit nonce (8 bytes, not for ChaCha20-Poly1305) and the 16-byte tag. */
static size_t min_record_len(const SSL *ssl)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);

	return c && SSL_CIPHER_get_cipher_nid(c) == NID_chacha20_poly1305 ? 16 : 8 + 16;
}

/* Whether every suite the connection may negotiate is AEAD (see DTLS_CIPHERS). */
static bool only_aead(const SSL *ssl)
{
	STACK_OF(SSL_CIPHER) *list = SSL_get_ciphers(ssl);
	int n = list ? sk_SSL_CIPHER_num(list) : 0;

	for (int i = 0; i < n; i++)
		if (!SSL_CIPHER_is_aead(sk_SSL_CIPHER_value(list, i)))
			return false;
	return n > 0;
}

static void handshake_done(struct dtls *d)
{
	struct dtls_event ev = { .type = DTLS_EVENT_CONNECTED, .alert = -1 };

	/* Belt and braces: the verify callback must have run and the digest still match. */
	if (!d->fp_checked || !peer_matches(d, SSL_get0_peer_certificate(d->ssl))) {
		d->fp_mismatch = true;
		fail(d, -EKEYREJECTED, "%s", d->fp_checked ? d->reason :
		     "DTLS fingerprint mismatch: remote certificate was not verified");
		return;
	}
	if (export_keys(d) < 0) {
		fail(d, -EPROTO, "cannot export SRTP keying material");
		return;
	}
	d->min_record = min_record_len(d->ssl);
	d->state = DTLS_STATE_CONNECTED;
	d->was_connected = true;
	snprintf(d->reason, sizeof(d->reason), "connected, %s",
		 dtls_srtp_profile_name(d->have_keys ? d->keys.profile : DTLS_SRTP_NONE));
	ev.reason = d->reason;
	ev.keys = d->have_keys ? &d->keys : NULL;
	emit(d, &ev);
}

static void read_records(struct dtls *d)
{
	if (!d->rx) {
		/* Nothing to read (a media-only association, the handshake's last datagram): no
		 * plaintext buffer yet, so media peers never lock one. Out of memory: dropped, as
		 * a lost datagram (SCTP sends again). */
		if ((BIO_ctrl_pending(d->rbio) == 0 && !SSL_has_pending(d->ssl)) ||
		    !(d->rx = lockpool_alloc(DTLS_MAX_APP_LEN)))
			return;
	}
	while (d->state == DTLS_STATE_CONNECTED && !d->doomed) {
		struct dtls_event ev = { .type = DTLS_EVENT_APP_DATA, .alert = -1 };
		int n, e;

		ERR_clear_error();
		n = SSL_read(d->ssl, d->rx, DTLS_MAX_APP_LEN);
		if (n > 0) {
			ev.data = d->rx;
			ev.len = (size_t)n;
			emit(d, &ev);
			/* plaintext (SCTP, chat): not left behind; d outlives emit (enter/leave) */
			explicit_bzero(d->rx, (size_t)n);
			continue;
		}
		e = SSL_get_error(d->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			break;
		if (e == SSL_ERROR_ZERO_RETURN) {
			ERR_clear_error();
			(void)SSL_shutdown(d->ssl);	/* answer with our close_notify */
			d->state = DTLS_STATE_CLOSED;
			ev.type = DTLS_EVENT_CLOSED;
			ev.reason = "peer sent close_notify";
			emit(d, &ev);
			break;
		}
		fail_from_openssl(d, e, "DTLS record error");
	}
	ERR_clear_error();
}

static void drive(struct dtls *d)
{
	if (d->state == DTLS_STATE_HANDSHAKING) {
		int r, e;

		ERR_clear_error();
		r = SSL_do_handshake(d->ssl);
		if (r != 1) {
			e = SSL_get_error(d->ssl, r);
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				fail_from_openssl(d, e, "DTLS handshake failed");
			ERR_clear_error();
			return;
		}
		handshake_done(d);
	}
	if (d->state == DTLS_STATE_CONNECTED && !d->doomed)
		read_records(d);
}

/* ---- public connection API ---- */

static int setup_ssl(struct dtls *d, const struct dtls_config *cfg, unsigned int mtu)
{
	const char *profiles = cfg->srtp_profiles ? cfg->srtp_profiles : DTLS_DEFAULT_SRTP_PROFILES;
	char ciphers[512];
	BIO *wbio;

	if ((size_t)snprintf(ciphers, sizeof(ciphers), "%s%s",
			     cfg->ciphers ? cfg->ciphers : DTLS_CIPHERS, DTLS_CIPHERS_ALWAYS) >=
	    sizeof(ciphers))
		return -EINVAL;
	d->ctx = SSL_CTX_new(DTLS_method());
	if (!d->ctx)
		return -ENOMEM;
	if (SSL_CTX_set_cipher_list(d->ctx, ciphers) != 1)
		return -EINVAL;
	if (SSL_CTX_set_min_proto_version(d->ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate(d->ctx, cfg->cert->x509) != 1 ||
	    SSL_CTX_use_PrivateKey(d->ctx, cfg->cert->key) != 1 ||
	    SSL_CTX_check_private_key(d->ctx) != 1)
		return -EIO;
	/* CLEANSE_PLAINTEXT: OpenSSL overwrites the plaintext it decrypted in its own record
	 * buffer once we have read it (chat passes there), and when the SSL is freed. */
	SSL_CTX_set_options(d->ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_NO_TICKET | SSL_OP_CLEANSE_PLAINTEXT);
	SSL_CTX_set_session_cache_mode(d->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(d->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(d->ctx, verify_cb, d);
	if (SSL_CTX_set_tlsext_use_srtp(d->ctx, profiles) != 0)	/* 0 is success here */
		return -EINVAL;

	d->ssl = SSL_new(d->ctx);
	d->rbio = BIO_new(BIO_s_mem());
	d->wmeth = BIO_meth_new(BIO_TYPE_SOURCE_SINK, "ttymeet-dtls-out");
	if (!d->ssl || !d->rbio || !d->wmeth) {
		BIO_free(d->rbio);
		return -ENOMEM;
	}
	if (!only_aead(d->ssl)) {
		BIO_free(d->rbio);
		return -EINVAL;
	}
	BIO_set_mem_eof_return(d->rbio, -1);
	if (BIO_meth_set_write(d->wmeth, wbio_write) != 1 ||
	    BIO_meth_set_ctrl(d->wmeth, wbio_ctrl) != 1 ||
	    BIO_meth_set_create(d->wmeth, wbio_create) != 1 || !(wbio = BIO_new(d->wmeth))) {
		BIO_free(d->rbio);
		return -ENOMEM;
	}
	BIO_set_data(wbio, d);
	SSL_set_bio(d->ssl, d->rbio, wbio);
	SSL_set_app_data(d->ssl, d);
	SSL_set_info_callback(d->ssl, info_cb);
	DTLS_set_timer_cb(d->ssl, timer_cb);
	if (SSL_set_mtu(d->ssl, (long)mtu) <= 0)
		return -EINVAL;
	return 0;
}

int dtls_create(struct dtls **out, const struct dtls_config *cfg)
{
	struct dtls *d;
	unsigned int mtu;
	int h, ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!cfg || !cfg->cert || !cfg->send_cb || !cfg->event_cb ||
	    (cfg->role != DTLS_ROLE_CLIENT && cfg->role != DTLS_ROLE_SERVER))
		return -EINVAL;
	h = hash_index(cfg->remote_fp.alg);
	if (h < 0 || cfg->remote_fp.len != fp_hashes[h].len)
		return -EINVAL;
	mtu = cfg->mtu ? cfg->mtu : DTLS_DEFAULT_MTU;
	if (mtu < DTLS_MIN_MTU || mtu > DTLS_MAX_MTU)
		return -EINVAL;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->role = cfg->role;
	d->state = DTLS_STATE_NEW;
	d->remote_fp = cfg->remote_fp;
	d->remote_md = fp_hashes[h].md();
	d->send_cb = cfg->send_cb;
	d->event_cb = cfg->event_cb;
	d->user = cfg->user;
	d->alert_rcvd = -1;
	d->alert_sent = -1;
	d->retransmit_us = (cfg->retransmit_ms ? cfg->retransmit_ms : DTLS_DEFAULT_RETRANSMIT_MS) *
			   1000u;
	if (d->retransmit_us == 0 || d->retransmit_us > DTLS_MAX_RETRANSMIT_US)
		d->retransmit_us = DTLS_MAX_RETRANSMIT_US;
	d->handshake_ms = cfg->handshake_timeout_ms ? cfg->handshake_timeout_ms :
			  DTLS_DEFAULT_HANDSHAKE_MS;
	ret = setup_ssl(d, cfg, mtu);
	ERR_clear_error();
	if (ret < 0) {
		free_dtls(d);
		return ret;
	}
	*out = d;
	return 0;
}

void dtls_destroy(struct dtls *d)
{
	if (!d || d->doomed)
		return;
	if (d->depth > 0) {
		d->doomed = true;
		return;
	}
	free_dtls(d);
}

static void begin(struct dtls *d)
{
	d->state = DTLS_STATE_HANDSHAKING;
	d->deadline_us = now_us() + (int64_t)d->handshake_ms * 1000;
	if (d->role == DTLS_ROLE_CLIENT)
		SSL_set_connect_state(d->ssl);
	else
		SSL_set_accept_state(d->ssl);
}

int dtls_start(struct dtls *d)
{
	int ret;

	if (!d || d->doomed)
		return -EINVAL;
	if (d->state != DTLS_STATE_NEW)
		return -EALREADY;
	enter(d);
	begin(d);
	if (d->role == DTLS_ROLE_CLIENT)
		drive(d);
	ret = d->state == DTLS_STATE_FAILED ? d->fail_err : 0;
	return leave(d, ret);
}

/* Whether a connected association passes this record on to OpenSSL (see the top comment). */
static bool record_may_be_genuine(const struct dtls *d, const uint8_t *r, size_t body)
{
	unsigned int epoch = (unsigned int)r[3] << 8 | r[4];

	return (r[0] == SSL3_RT_ALERT || r[0] == SSL3_RT_HANDSHAKE ||
		r[0] == SSL3_RT_APPLICATION_DATA) &&
	       r[1] == (DTLS1_2_VERSION >> 8) && r[2] == (DTLS1_2_VERSION & 0xff) &&
	       epoch == DTLS_EPOCH_CONNECTED && body >= d->min_record &&
	       body <= SSL3_RT_MAX_PLAIN_LENGTH + d->min_record;
}

/* Queues the records of one datagram for OpenSSL: all of them while handshaking (OpenSSL
 * discards what it cannot use), only the screened ones once connected. Returns how many bytes
 * were queued. */
static size_t queue_records(struct dtls *d, const uint8_t *buf, size_t len)
{
	size_t o = 0, queued = 0;

	if (d->state != DTLS_STATE_CONNECTED)
		return BIO_write(d->rbio, buf, (int)len) == (int)len ? len : 0;
	while (o < len) {
		size_t body;

		if (len - o < DTLS_RECORD_HEADER) {
			d->screened++;		/* a torn header: nothing after it can be framed */
			break;
		}
		body = (size_t)buf[o + 11] << 8 | buf[o + 12];
		if (body > len - o - DTLS_RECORD_HEADER) {
			d->screened++;
			break;
		}
		if (record_may_be_genuine(d, buf + o, body) &&
		    BIO_write(d->rbio, buf + o, (int)(DTLS_RECORD_HEADER + body)) ==
		    (int)(DTLS_RECORD_HEADER + body))
			queued += DTLS_RECORD_HEADER + body;
		else
			d->screened++;
		o += DTLS_RECORD_HEADER + body;
	}
	return queued;
}

int dtls_handle_incoming(struct dtls *d, const uint8_t *buf, size_t len)
{
	if (!d || d->doomed || !buf || len == 0 || len > DTLS_MAX_DATAGRAM || buf[0] < 20 ||
	    buf[0] > 63)
		return -EINVAL;
	if (d->state == DTLS_STATE_NEW && d->role == DTLS_ROLE_CLIENT)
		return -ENOTCONN;
	if (d->state == DTLS_STATE_CLOSED || d->state == DTLS_STATE_FAILED)
		return 0;
	enter(d);
	if (d->state == DTLS_STATE_NEW)
		begin(d);
	if (queue_records(d, buf, len) > 0)
		drive(d);
	if (!d->doomed)
		(void)BIO_reset(d->rbio);
	ERR_clear_error();
	return leave(d, 0);
}

int dtls_next_timeout_ms(struct dtls *d)
{
	struct timeval tv;
	int64_t ms = -1;

	if (!d || d->doomed)
		return -1;
	if (d->state != DTLS_STATE_HANDSHAKING && d->state != DTLS_STATE_CONNECTED)
		return -1;
	if (DTLSv1_get_timeout(d->ssl, &tv) == 1)
		ms = (int64_t)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	if (d->state == DTLS_STATE_HANDSHAKING) {
		int64_t left = (d->deadline_us - now_us() + 999) / 1000;

		if (left < 0)
			left = 0;
		if (ms < 0 || left < ms)
			ms = left;
	}
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

int dtls_handle_timeout(struct dtls *d)
{
	int ret = 0;

	if (!d || d->doomed)
		return -EINVAL;
	if (d->state != DTLS_STATE_HANDSHAKING && d->state != DTLS_STATE_CONNECTED)
		return 0;
	enter(d);
	if (d->state == DTLS_STATE_HANDSHAKING && now_us() >= d->deadline_us) {
		fail(d, -ETIMEDOUT, "DTLS handshake timed out after %u ms", d->handshake_ms);
		ret = -ETIMEDOUT;
	} else {
		ERR_clear_error();
		if (DTLSv1_handle_timeout(d->ssl) < 0) {
			fail(d, -ETIMEDOUT, "DTLS peer does not answer retransmissions");
			ret = -ETIMEDOUT;
		}
		ERR_clear_error();
	}
	return leave(d, ret);
}

int dtls_send_app(struct dtls *d, const uint8_t *data, size_t len)
{
	int ret = 0;

	if (!d || d->doomed || !data || len == 0)
		return -EINVAL;
	if (len > DTLS_MAX_APP_LEN)
		return -EMSGSIZE;
	if (d->state != DTLS_STATE_CONNECTED)
		return -ENOTCONN;
	enter(d);
	ERR_clear_error();
	if (SSL_write(d->ssl, data, (int)len) != (int)len)
		ret = -EIO;
	ERR_clear_error();
	return leave(d, ret);
}

int dtls_shutdown(struct dtls *d)
{
	if (!d || d->doomed)
		return -EINVAL;
	if (d->state == DTLS_STATE_CONNECTED) {
		enter(d);
		ERR_clear_error();
		(void)SSL_shutdown(d->ssl);
		ERR_clear_error();
		d->state = DTLS_STATE_CLOSED;
		return leave(d, 0);
	}
	if (d->state == DTLS_STATE_NEW || d->state == DTLS_STATE_HANDSHAKING)
		d->state = DTLS_STATE_CLOSED;
	return 0;
}

enum dtls_state dtls_get_state(const struct dtls *d)
{
	return d->state;
}

enum dtls_role dtls_get_role(const struct dtls *d)
{
	return d->role;
}

uint64_t dtls_get_screened(const struct dtls *d)
{
	return d->screened;
}

int dtls_get_srtp_keys(const struct dtls *d, struct dtls_srtp_keys *out)
{
	if (!d || !out)
		return -EINVAL;
	if (!d->was_connected)
		return -ENOTCONN;
	if (!d->have_keys)
		return -ENOPROTOOPT;
	*out = d->keys;
	return 0;
}
