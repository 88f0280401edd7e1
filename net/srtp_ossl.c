/* AES-ICM and HMAC-SHA1 for libsrtp2 on OpenSSL, keys kept across packets (see srtp_ossl.h).
 *
 * Debian's libsrtp2 does its crypto through NSS, which builds new PKCS#11 contexts (key
 * schedule, session, locks, allocations) for every packet: for SRTP_AES128_CM_SHA1_80, what
 * Chromium negotiates, one for AES in counter mode and one for the HMAC. At a 20 ms tick that
 * long path runs cold: libsrtp's protect of a 120-byte packet measured 57 us cold (4-6 warm),
 * OpenSSL's AES-CTR + HMAC-SHA1 with kept keys 34 (2-3) (tests/bench/README.md). These tables
 * keep one OpenSSL context each, keyed once in init; libsrtp still does everything else (key
 * derivation, which runs on this AES-ICM too, packet index and rollover counter, replay
 * window, SRTCP). Contracts: libsrtp's <srtp2/cipher.h> and <srtp2/auth.h>. AES-ICM (RFC 3711
 * 4.1.1): the key is followed by the 14-byte salt, the counter block of a packet is the salt
 * (two zero bytes appended) XOR libsrtp's 16-byte IV, and the keystream is AES-CTR from there.
 * HMAC-SHA1: start, update, then compute adds the last bytes and writes the tag truncated to
 * tag_len. srtp_replace_*_type() self-tests each table with the vectors below (RFC 3711 B.2,
 * RFC 2202 test case 1) before using it, and keeps libsrtp's own when that fails.
 * Thread: an object belongs to one libsrtp session, used by one thread at a time.
 */
#include "net/srtp_ossl.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>

#define ICM_SALT_LEN 14
#define SHA1_LEN 20

/* ---- AES-ICM (128-bit key) ---- */

struct icm_state {
	EVP_CIPHER_CTX *ctx;
	uint8_t offset[16]; /* the salt, then two zero bytes */
};

static const srtp_cipher_type_t icm_128;

static srtp_err_status_t icm_alloc(srtp_cipher_pointer_t *cp, int key_len, int tag_len)
{
	srtp_cipher_t *c;
	struct icm_state *s;

	(void)tag_len;
	if (key_len != SRTP_AES_ICM_128_KEY_LEN_WSALT)
		return srtp_err_status_bad_param;
	c = calloc(1, sizeof(*c) + sizeof(*s));
	if (!c)
		return srtp_err_status_alloc_fail;
	s = (struct icm_state *)(c + 1);
	s->ctx = EVP_CIPHER_CTX_new();
	if (!s->ctx) {
		free(c);
		return srtp_err_status_alloc_fail;
	}
	c->type = &icm_128;
	c->algorithm = SRTP_AES_ICM_128;
	c->state = s;
	c->key_len = key_len;
	*cp = c;
	return srtp_err_status_ok;
}

static srtp_err_status_t icm_dealloc(srtp_cipher_pointer_t c)
{
	struct icm_state *s = c->state;

	EVP_CIPHER_CTX_free(s->ctx); /* wipes the key schedule */
	OPENSSL_cleanse(c, sizeof(*c) + sizeof(*s));
	free(c);
	return srtp_err_status_ok;
}

/* key: the 16-byte key, then the 14-byte salt. */
static srtp_err_status_t icm_init(void *state, const uint8_t *key)
{
	struct icm_state *s = state;

	memset(s->offset, 0, sizeof(s->offset));
	memcpy(s->offset, key + SRTP_AES_128_KEY_LEN, ICM_SALT_LEN);
	if (EVP_EncryptInit_ex(s->ctx, EVP_aes_128_ctr(), NULL, key, s->offset) != 1)
		return srtp_err_status_init_fail;
	return srtp_err_status_ok;
}

/* iv: 16 bytes; the counter block is offset XOR iv (either direction: counter mode). */
static srtp_err_status_t icm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
	struct icm_state *s = state;
	uint8_t ctr[16];

	(void)dir;
	for (int i = 0; i < 16; i++)
		ctr[i] = s->offset[i] ^ iv[i];
	if (EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, ctr) != 1)
		return srtp_err_status_init_fail;
	return srtp_err_status_ok;
}

/* Adds the keystream to buf in place (encrypts or decrypts). */
static srtp_err_status_t icm_crypt(void *state, uint8_t *buf, unsigned int *len)
{
	struct icm_state *s = state;
	int out;

	if (*len > INT32_MAX)
		return srtp_err_status_bad_param;
	if (*len && (EVP_EncryptUpdate(s->ctx, buf, &out, buf, (int)*len) != 1 ||
		     out != (int)*len))
		return srtp_err_status_cipher_fail;
	return srtp_err_status_ok;
}

/* RFC 3711 B.2: the keystream of this key and salt at packet index 0 (first two blocks). */
static const uint8_t icm_tv_key[SRTP_AES_ICM_128_KEY_LEN_WSALT] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf,
	0x4f, 0x3c, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb,
	0xfc, 0xfd,
};
static uint8_t icm_tv_iv[16];
static const uint8_t icm_tv_zero[32];
static const uint8_t icm_tv_stream[32] = {
	0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b,
	0x4e, 0xb4, 0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe,
	0x4a, 0x5f, 0x97, 0xab,
};
static const srtp_cipher_test_case_t icm_tv = {
	sizeof(icm_tv_key), icm_tv_key, icm_tv_iv, sizeof(icm_tv_zero), icm_tv_zero,
	sizeof(icm_tv_stream), icm_tv_stream, 0, NULL, 0, NULL,
};

static const srtp_cipher_type_t icm_128 = {
	icm_alloc, icm_dealloc, icm_init, NULL, icm_crypt, icm_crypt, icm_set_iv, NULL,
	"AES-128 ICM (ttymeet, OpenSSL)", &icm_tv, SRTP_AES_ICM_128,
};

/* ---- HMAC-SHA1 ---- */

struct hmac_state {
	EVP_MAC_CTX *ctx;
	bool dirty; /* bytes went in since the last (re)start */
};

static const srtp_auth_type_t hmac_sha1;

static srtp_err_status_t hmac_alloc(srtp_auth_pointer_t *ap, int key_len, int out_len)
{
	srtp_auth_t *a;
	struct hmac_state *s;
	EVP_MAC *mac;

	if (key_len < 0 || key_len > SHA1_LEN || out_len < 1 || out_len > SHA1_LEN)
		return srtp_err_status_bad_param;
	a = calloc(1, sizeof(*a) + sizeof(*s));
	if (!a)
		return srtp_err_status_alloc_fail;
	s = (struct hmac_state *)(a + 1);
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	s->ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac); /* the context holds its own reference */
	if (!s->ctx) {
		free(a);
		return srtp_err_status_alloc_fail;
	}
	a->type = &hmac_sha1;
	a->state = s;
	a->out_len = out_len;
	a->key_len = key_len;
	a->prefix_len = 0;
	*ap = a;
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_dealloc(srtp_auth_pointer_t a)
{
	struct hmac_state *s = a->state;

	EVP_MAC_CTX_free(s->ctx);
	OPENSSL_cleanse(a, sizeof(*a) + sizeof(*s));
	free(a);
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_init(void *state, const uint8_t *key, int key_len)
{
	struct hmac_state *s = state;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};

	if (EVP_MAC_init(s->ctx, key, (size_t)key_len, params) != 1)
		return srtp_err_status_auth_fail;
	s->dirty = false;
	return srtp_err_status_ok;
}

/* Starts a new message on the kept key (OpenSSL keeps the keyed inner and outer states). */
static srtp_err_status_t hmac_start(void *state)
{
	struct hmac_state *s = state;

	if (s->dirty && EVP_MAC_init(s->ctx, NULL, 0, NULL) != 1)
		return srtp_err_status_auth_fail;
	s->dirty = false;
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_update(void *state, const uint8_t *buf, int len)
{
	struct hmac_state *s = state;

	if (len < 0)
		return srtp_err_status_bad_param;
	s->dirty = true;
	if (len && EVP_MAC_update(s->ctx, buf, (size_t)len) != 1)
		return srtp_err_status_auth_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_compute(void *state, const uint8_t *buf, int len, int tag_len,
				      uint8_t *tag)
{
	struct hmac_state *s = state;
	uint8_t full[SHA1_LEN];
	size_t n = 0;
	srtp_err_status_t st;

	if (tag_len < 1 || tag_len > SHA1_LEN)
		return srtp_err_status_bad_param;
	if ((st = hmac_update(state, buf, len)) != srtp_err_status_ok)
		return st;
	if (EVP_MAC_final(s->ctx, full, &n, sizeof(full)) != 1 || n != SHA1_LEN)
		return srtp_err_status_auth_fail;
	memcpy(tag, full, (size_t)tag_len);
	OPENSSL_cleanse(full, sizeof(full));
	return srtp_err_status_ok;
}

/* RFC 2202, HMAC-SHA1 test case 1. */
static const uint8_t hmac_tv_key[20] = {
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};
static const uint8_t hmac_tv_data[8] = { 'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e' };
static const uint8_t hmac_tv_tag[20] = {
	0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
	0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00,
};
static const srtp_auth_test_case_t hmac_tv = {
	sizeof(hmac_tv_key), hmac_tv_key, sizeof(hmac_tv_data), hmac_tv_data,
	sizeof(hmac_tv_tag), hmac_tv_tag, NULL,
};

static const srtp_auth_type_t hmac_sha1 = {
	hmac_alloc, hmac_dealloc, hmac_init, hmac_compute, hmac_update, hmac_start,
	"HMAC-SHA1 (ttymeet, OpenSSL)", &hmac_tv, SRTP_HMAC_SHA1,
};

int srtp_ossl_install(void)
{
	int rc = 0;

	/* Each replacement self-tests the table first and changes nothing when that fails. */
	if (srtp_replace_cipher_type(&icm_128, SRTP_AES_ICM_128) != srtp_err_status_ok)
		rc = -EIO;
	if (srtp_replace_auth_type(&hmac_sha1, SRTP_HMAC_SHA1) != srtp_err_status_ok)
		rc = -EIO;
	return rc;
}
