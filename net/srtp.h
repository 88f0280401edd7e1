/*
 * SRTP/SRTCP for one DTLS-SRTP transport (libsrtp2): an outbound session keyed with our local
 * master key and an inbound one keyed with the remote key, both for any SSRC, replay protection
 * on (libsrtp's default 128-packet window). Packets are transformed in place.
 *
 * Naming: libsrtp2 already exports srtp_create/srtp_protect_rtcp/..., so this module's functions
 * are srtp_session_*.
 *
 * Process-wide state: libsrtp2 has one global crypto kernel. srtp_session_global_init() runs
 * srtp_init() exactly once per process (pthread_once), and puts net/srtp_ossl.c's OpenSSL
 * AES-ICM and HMAC-SHA1 in place of libsrtp's own; srtp_session_create() calls it itself.
 * It is never shut down (sessions may live on other threads until exit).
 *
 * Threads: one struct srtp_session must not be used from two threads at once; distinct sessions
 * are independent.
 */
#ifndef TTM_NET_SRTP_H
#define TTM_NET_SRTP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "net/dtls.h"

/* Bytes a caller must leave free after a packet for protect: libsrtp2's worst-case trailer
 * (auth tag + MKI, SRTP_MAX_TRAILER_LEN = 144) plus the 4-byte SRTCP index. */
#define SRTP_SESSION_HEADROOM 148

/* Error codes besides -EINVAL/-ENOMEM/-EIO. */
#define SRTP_SESSION_EAUTH (-EBADMSG)	/* authentication (or AEAD tag) check failed */
#define SRTP_SESSION_EREPLAY (-EALREADY)	/* replayed or too old for the replay window */

struct srtp_session;

/* Runs the process-wide libsrtp2 init once; thread-safe. Returns 0 or -EIO. */
int srtp_session_global_init(void);

/* What AES-ICM and HMAC-SHA1 run on: "OpenSSL" (net/srtp_ossl.c), "libsrtp" (its own: an
 * OpenSSL table failed libsrtp's self-test) or "none" (libsrtp2 failed to initialise). */
const char *srtp_session_cm_engine(void);

/* Creates both directions from the keys DTLS exported (copied; the caller may wipe keys).
 * Returns 0, -EINVAL (no or unknown profile), -ENOTSUP (profile missing from this libsrtp2),
 * -ENOMEM or -EIO. */
int srtp_session_create(struct srtp_session **out, const struct dtls_srtp_keys *keys);
/* Frees the session and wipes its keys; NULL is ignored. */
void srtp_session_destroy(struct srtp_session *s);

/* Encrypts and authenticates the RTP packet buf[0..*len) in place; cap is the buffer size and
 * must be at least *len + SRTP_SESSION_HEADROOM. On 0 *len is the SRTP length. Returns 0,
 * -EINVAL (not an RTP packet, too little room), SRTP_SESSION_EREPLAY (sequence number reused)
 * or -EIO. buf should be 4-byte aligned. */
int srtp_session_protect_rtp(struct srtp_session *s, uint8_t *buf, size_t *len, size_t cap);
/* Checks and decrypts the SRTP packet buf[0..*len) in place; on 0 *len is the RTP length.
 * Returns 0, -EINVAL (malformed or too short), SRTP_SESSION_EAUTH, SRTP_SESSION_EREPLAY or -EIO. */
int srtp_session_unprotect_rtp(struct srtp_session *s, uint8_t *buf, size_t *len);
/* Same as srtp_session_protect_rtp for one (compound) RTCP packet. */
int srtp_session_protect_rtcp(struct srtp_session *s, uint8_t *buf, size_t *len, size_t cap);
/* Same as srtp_session_unprotect_rtp for one SRTCP packet. */
int srtp_session_unprotect_rtcp(struct srtp_session *s, uint8_t *buf, size_t *len);

/* Returns the profile the session was created with. */
enum dtls_srtp_profile srtp_session_profile(const struct srtp_session *s);

#endif
