/*
 * libsrtp2 wrapper (see srtp.h). Data flow: the RTP/RTCP code hands a plain packet to
 * srtp_session_protect_* just before it goes to ICE, and every datagram that ICE delivered and
 * the demultiplexer classified as RTP/RTCP (first byte 128..191) to srtp_session_unprotect_*.
 * Two libsrtp sessions are used because one libsrtp session holds only one wildcard template:
 * "out" (ssrc_any_outbound, local key) and "in" (ssrc_any_inbound, remote key). Headers are
 * bounds-checked here before libsrtp sees them, so any byte string is safe to pass.
 * AES-ICM-128 and HMAC-SHA1 (the CM_SHA1 profiles and the key derivation) run on
 * net/srtp_ossl.c's OpenSSL tables, installed into libsrtp at its one-time init.
 * Thread: whoever owns the session; the one-time libsrtp init is guarded by pthread_once.
 */
#include "net/srtp.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "net/srtp_ossl.h"

#define RTP_HDR_LEN 12
#define RTCP_HDR_LEN 8
#define SRTCP_INDEX_LEN 4
#define MAX_PACKET 65535

_Static_assert(SRTP_SESSION_HEADROOM >= SRTP_MAX_TRAILER_LEN + SRTCP_INDEX_LEN, "headroom");

struct srtp_session {
	srtp_t in;
	srtp_t out;
	enum dtls_srtp_profile profile;
	size_t rtp_tag_len;
	size_t rtcp_tag_len;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t init_status = srtp_err_status_init_fail;
static bool ossl_installed; /* set once, with init_status */

static void init_libsrtp(void)
{
	init_status = srtp_init();
	if (init_status == srtp_err_status_ok)
		ossl_installed = srtp_ossl_install() == 0;
}

const char *srtp_session_cm_engine(void)
{
	if (srtp_session_global_init() < 0)
		return "none";
	return ossl_installed ? "OpenSSL" : "libsrtp";
}

int srtp_session_global_init(void)
{
	if (pthread_once(&init_once, init_libsrtp) != 0)
		return -EIO;
	return init_status == srtp_err_status_ok ? 0 : -EIO;
}

static int map_err(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok:
		return 0;
	case srtp_err_status_auth_fail:
		return SRTP_SESSION_EAUTH;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return SRTP_SESSION_EREPLAY;
	case srtp_err_status_bad_param:
	case srtp_err_status_parse_err:
		return -EINVAL;
	case srtp_err_status_alloc_fail:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int map_profile(enum dtls_srtp_profile p, srtp_profile_t *out)
{
	switch (p) {
	case DTLS_SRTP_AES128_CM_SHA1_80:
		*out = srtp_profile_aes128_cm_sha1_80;
		return 0;
	case DTLS_SRTP_AES128_CM_SHA1_32:
		*out = srtp_profile_aes128_cm_sha1_32;
		return 0;
	case DTLS_SRTP_AEAD_AES_128_GCM:
		*out = srtp_profile_aead_aes_128_gcm;
		return 0;
	case DTLS_SRTP_AEAD_AES_256_GCM:
		*out = srtp_profile_aead_aes_256_gcm;
		return 0;
	default:
		return -EINVAL;
	}
}

static int make_one(srtp_t *out, srtp_profile_t prof, srtp_ssrc_type_t type,
		    const uint8_t *key, const uint8_t *salt, size_t key_len, size_t salt_len)
{
	uint8_t material[DTLS_SRTP_MAX_KEY + DTLS_SRTP_MAX_SALT];
	srtp_policy_t pol;
	srtp_err_status_t st;

	memset(&pol, 0, sizeof(pol));
	if (srtp_crypto_policy_set_from_profile_for_rtp(&pol.rtp, prof) != srtp_err_status_ok ||
	    srtp_crypto_policy_set_from_profile_for_rtcp(&pol.rtcp, prof) != srtp_err_status_ok)
		return -ENOTSUP;
	memcpy(material, key, key_len);
	memcpy(material + key_len, salt, salt_len);
	pol.ssrc.type = type;
	pol.key = material;
	pol.window_size = 0;		/* libsrtp default (128) */
	pol.allow_repeat_tx = 1;	/* NACKed packets are resent with their own index */
	st = srtp_create(out, &pol);
	explicit_bzero(material, sizeof(material));
	if (st != srtp_err_status_ok) {
		*out = NULL;
		return st == srtp_err_status_alloc_fail ? -ENOMEM :
		       st == srtp_err_status_bad_param ? -ENOTSUP : -EIO;
	}
	return 0;
}

int srtp_session_create(struct srtp_session **out, const struct dtls_srtp_keys *keys)
{
	struct srtp_session *s = NULL;
	srtp_profile_t prof;
	srtp_policy_t probe;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!keys || map_profile(keys->profile, &prof) < 0 ||
	    keys->key_len != srtp_profile_get_master_key_length(prof) ||
	    keys->salt_len != srtp_profile_get_master_salt_length(prof) ||
	    keys->key_len > DTLS_SRTP_MAX_KEY || keys->salt_len > DTLS_SRTP_MAX_SALT)
		return -EINVAL;
	ret = srtp_session_global_init();
	if (ret < 0)
		return ret;
	memset(&probe, 0, sizeof(probe));
	if (srtp_crypto_policy_set_from_profile_for_rtp(&probe.rtp, prof) != srtp_err_status_ok ||
	    srtp_crypto_policy_set_from_profile_for_rtcp(&probe.rtcp, prof) != srtp_err_status_ok)
		return -ENOTSUP;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->profile = keys->profile;
	s->rtp_tag_len = (size_t)probe.rtp.auth_tag_len;
	s->rtcp_tag_len = (size_t)probe.rtcp.auth_tag_len;
	ret = make_one(&s->out, prof, ssrc_any_outbound, keys->local_key, keys->local_salt,
		       keys->key_len, keys->salt_len);
	if (ret < 0)
		goto out;
	ret = make_one(&s->in, prof, ssrc_any_inbound, keys->remote_key, keys->remote_salt,
		       keys->key_len, keys->salt_len);
out:
	if (ret < 0) {
		srtp_session_destroy(s);
		return ret;
	}
	*out = s;
	return 0;
}

void srtp_session_destroy(struct srtp_session *s)
{
	if (!s)
		return;
	if (s->in)
		srtp_dealloc(s->in);
	if (s->out)
		srtp_dealloc(s->out);
	free(s);
}

enum dtls_srtp_profile srtp_session_profile(const struct srtp_session *s)
{
	return s->profile;
}

/* Length of the RTP header incl. CSRCs and extension, or 0 if it does not fit in len. */
static size_t rtp_header_len(const uint8_t *p, size_t len)
{
	size_t n = RTP_HDR_LEN;

	if (len < RTP_HDR_LEN || (p[0] >> 6) != 2)
		return 0;
	n += 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (len < n + 4)
			return 0;
		n += 4 + 4u * ((size_t)p[n + 2] << 8 | p[n + 3]);
	}
	return n <= len ? n : 0;
}

static bool rtcp_ok(const uint8_t *p, size_t len)
{
	return len >= RTCP_HDR_LEN && (p[0] >> 6) == 2 && p[1] >= 192 && p[1] <= 223;
}

static int room_ok(const uint8_t *buf, const size_t *len, size_t cap)
{
	return buf && len && *len <= MAX_PACKET && cap >= *len &&
	       cap - *len >= SRTP_SESSION_HEADROOM;
}

int srtp_session_protect_rtp(struct srtp_session *s, uint8_t *buf, size_t *len, size_t cap)
{
	int n;
	int ret;

	if (!s || !room_ok(buf, len, cap) || rtp_header_len(buf, *len) == 0)
		return -EINVAL;
	n = (int)*len;
	ret = map_err(srtp_protect(s->out, buf, &n));
	if (ret == 0)
		*len = (size_t)n;
	return ret;
}

int srtp_session_unprotect_rtp(struct srtp_session *s, uint8_t *buf, size_t *len)
{
	size_t hdr;
	int n;
	int ret;

	if (!s || !buf || !len || *len > MAX_PACKET)
		return -EINVAL;
	hdr = rtp_header_len(buf, *len);
	if (hdr == 0 || *len < hdr + s->rtp_tag_len)
		return -EINVAL;
	n = (int)*len;
	ret = map_err(srtp_unprotect(s->in, buf, &n));
	if (ret == 0)
		*len = (size_t)n;
	return ret;
}

int srtp_session_protect_rtcp(struct srtp_session *s, uint8_t *buf, size_t *len, size_t cap)
{
	int n;
	int ret;

	if (!s || !room_ok(buf, len, cap) || !rtcp_ok(buf, *len))
		return -EINVAL;
	n = (int)*len;
	ret = map_err(srtp_protect_rtcp(s->out, buf, &n));
	if (ret == 0)
		*len = (size_t)n;
	return ret;
}

int srtp_session_unprotect_rtcp(struct srtp_session *s, uint8_t *buf, size_t *len)
{
	int n;
	int ret;

	if (!s || !buf || !len || *len > MAX_PACKET || !rtcp_ok(buf, *len) ||
	    *len < RTCP_HDR_LEN + SRTCP_INDEX_LEN + s->rtcp_tag_len)
		return -EINVAL;
	n = (int)*len;
	ret = map_err(srtp_unprotect_rtcp(s->in, buf, &n));
	if (ret == 0)
		*len = (size_t)n;
	return ret;
}
