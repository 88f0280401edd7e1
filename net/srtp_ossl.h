/* AES-ICM (128-bit) and HMAC-SHA1 for libsrtp2 on OpenSSL, with the keys kept across packets:
 * what SRTP_AES128_CM_SHA1_80/_32 (Chromium's choice) and libsrtp's key derivation run on
 * instead of libsrtp's own (NSS in Debian's build, new PKCS#11 contexts per packet). See
 * srtp_ossl.c. Called once, from srtp_session_global_init(). */
#ifndef TTM_NET_SRTP_OSSL_H
#define TTM_NET_SRTP_OSSL_H

#include <errno.h>

/* Puts the OpenSSL tables in place of libsrtp's AES-ICM-128 and HMAC-SHA1, each after
 * libsrtp's self-test of it passes. Call after srtp_init(), once, before any session exists.
 * Returns 0, or -EIO when libsrtp refused one (its own stays then). */
int srtp_ossl_install(void);

#endif
