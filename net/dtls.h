/*
 * DTLS for one WebRTC transport (OpenSSL 3, RFC 5764/8842): certificate, handshake in either role,
 * fingerprint check against the remote SDP, use_srtp negotiation and SRTP key export, and
 * application data (SCTP) once connected.
 *
 * No sockets, no event loop. Data flow: datagrams the caller demultiplexed as DTLS (first byte
 * 20..63, RFC 7983) go in through dtls_handle_incoming(); every datagram to send leaves through
 * cfg.send_cb, one call per datagram, each at most cfg.mtu bytes while handshaking; state changes
 * and received application data leave through cfg.event_cb. Retransmission is driven by the
 * caller: arm a timer for dtls_next_timeout_ms() and call dtls_handle_timeout() when it fires.
 *
 * Threads: a struct dtls belongs to one thread (the GLib main loop). send_cb runs inside OpenSSL
 * and must not call back into the same struct dtls (queue the datagram or send it, nothing else).
 * event_cb runs outside OpenSSL: it may call dtls_send_app(), dtls_shutdown() and even
 * dtls_destroy() on the connection that reported the event. A struct dtls_cert is immutable once
 * created and may be shared by connections on any thread.
 */
#ifndef TTM_NET_DTLS_H
#define TTM_NET_DTLS_H

#include <stddef.h>
#include <stdint.h>

#define DTLS_FP_MAX_BYTES 64		/* sha-512 */
#define DTLS_FP_HEX_MAX (DTLS_FP_MAX_BYTES * 3)	/* "AB:" per byte, the last ':' is the NUL */
#define DTLS_SRTP_MAX_KEY 32
#define DTLS_SRTP_MAX_SALT 14
#define DTLS_DEFAULT_MTU 1200
#define DTLS_MAX_APP_LEN 16384		/* one DTLS record */

struct dtls;
struct dtls_cert;

enum dtls_role { DTLS_ROLE_CLIENT, DTLS_ROLE_SERVER };

enum dtls_state {
	DTLS_STATE_NEW,
	DTLS_STATE_HANDSHAKING,
	DTLS_STATE_CONNECTED,
	DTLS_STATE_CLOSED,	/* close_notify sent or received */
	DTLS_STATE_FAILED,
};

/* Values are the IANA DTLS-SRTP protection profile ids (RFC 5764, RFC 7714). */
enum dtls_srtp_profile {
	DTLS_SRTP_NONE = 0,
	DTLS_SRTP_AES128_CM_SHA1_80 = 0x0001,
	DTLS_SRTP_AES128_CM_SHA1_32 = 0x0002,
	DTLS_SRTP_AEAD_AES_128_GCM = 0x0007,
	DTLS_SRTP_AEAD_AES_256_GCM = 0x0008,
};

/* A certificate fingerprint as found in SDP (RFC 8122): hash name and digest bytes. */
struct dtls_fingerprint {
	char alg[16];			/* "sha-256" (also sha-1, sha-224, sha-384, sha-512) */
	uint8_t bytes[DTLS_FP_MAX_BYTES];
	size_t len;
};

/* SRTP master keys exported after the handshake (RFC 5764 §4.2), already split by our role:
 * "local" protects what we send, "remote" unprotects what we receive. Secret: wipe copies. */
struct dtls_srtp_keys {
	enum dtls_srtp_profile profile;
	size_t key_len;
	size_t salt_len;
	uint8_t local_key[DTLS_SRTP_MAX_KEY];
	uint8_t local_salt[DTLS_SRTP_MAX_SALT];
	uint8_t remote_key[DTLS_SRTP_MAX_KEY];
	uint8_t remote_salt[DTLS_SRTP_MAX_SALT];
};

enum dtls_event_type {
	DTLS_EVENT_CONNECTED,	/* handshake done; keys set unless no SRTP profile was agreed */
	DTLS_EVENT_APP_DATA,	/* data/len: one received record */
	DTLS_EVENT_CLOSED,	/* the peer sent close_notify (we answered with ours) */
	DTLS_EVENT_FAILED,	/* err and reason say why; the connection is dead */
};

struct dtls_event {
	enum dtls_event_type type;
	/* FAILED: -EKEYREJECTED remote certificate does not match the SDP fingerprint,
	 * -ECONNRESET the peer sent a fatal alert (alert holds it), -ETIMEDOUT handshake timed out,
	 * -EPROTO any other handshake or record error (the reason names an alert we sent), -ENOMEM.
	 * After the handshake only an authenticated close or alert from the peer ends the connection. */
	int err;
	int alert;			/* received TLS alert description, -1 if none */
	const char *reason;		/* human-readable, valid during the callback */
	const struct dtls_srtp_keys *keys;	/* CONNECTED with SRTP agreed, else NULL */
	const uint8_t *data;		/* APP_DATA */
	size_t len;
};

/* Hands one datagram to the transport. Must not call into the struct dtls that sent it. */
typedef void (*dtls_send_cb)(void *user, const uint8_t *data, size_t len);
/* Reports an event; may use dtls_send_app/dtls_shutdown/dtls_destroy on the same connection. */
typedef void (*dtls_event_cb)(void *user, const struct dtls_event *ev);

struct dtls_config {
	const struct dtls_cert *cert;	/* our identity; the connection keeps its own reference */
	enum dtls_role role;
	struct dtls_fingerprint remote_fp;	/* from the remote SDP, required */
	dtls_send_cb send_cb;
	dtls_event_cb event_cb;
	void *user;
	/* Optional, 0/NULL = default. */
	const char *srtp_profiles;	/* OpenSSL list, default DTLS_DEFAULT_SRTP_PROFILES */
	unsigned int mtu;		/* largest datagram, default DTLS_DEFAULT_MTU, 256..4096 */
	unsigned int retransmit_ms;	/* first retransmission timeout, default 250, doubles */
	unsigned int handshake_timeout_ms;	/* give up after, default 15000, from dtls_start */
	const char *ciphers;		/* OpenSSL cipher list of AEAD suites only (others make
					 * dtls_create fail with -EINVAL); default: ECDHE with
					 * AES-GCM or ChaCha20-Poly1305 */
};

#define DTLS_DEFAULT_SRTP_PROFILES \
	"SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80"

/* Creates a fresh ECDSA P-256 self-signed certificate (random serial and CN, valid ±1 day),
 * in memory only. Returns 0, -ENOMEM or -EIO. */
int dtls_cert_create(struct dtls_cert **out);
/* Frees the certificate; connections created from it keep working (they hold references). */
void dtls_cert_destroy(struct dtls_cert *cert);
/* Returns the sha-256 fingerprint for SDP ("AB:CD:..", upper-case), valid while cert lives. */
const char *dtls_cert_fingerprint(const struct dtls_cert *cert);
/* Returns the fingerprint's hash name for SDP: "sha-256". */
const char *dtls_cert_fingerprint_alg(const struct dtls_cert *cert);

/* Fills *out from an SDP hash name and "AB:CD:.." value (case-insensitive). Returns 0, -ENOTSUP
 * for an unknown or forbidden hash (md5), -EINVAL if hex is malformed or of the wrong length. */
int dtls_fingerprint_parse(const char *alg, const char *hex, struct dtls_fingerprint *out);

/* Creates a connection in state NEW; nothing is sent yet. Returns 0, -EINVAL (bad config,
 * unsupported fingerprint hash or SRTP profile list), -ENOMEM or -EIO. */
int dtls_create(struct dtls **out, const struct dtls_config *cfg);
/* Frees the connection without sending anything (call dtls_shutdown first for a clean close).
 * Safe from inside event_cb; NULL is ignored. */
void dtls_destroy(struct dtls *d);

/* Starts the handshake: a client sends its ClientHello, a server waits for one (a server also
 * starts by itself on its first dtls_handle_incoming). Returns 0, -EALREADY if not NEW, or the
 * negative error of an immediate failure (also reported as FAILED). */
int dtls_start(struct dtls *d);
/* Feeds one received datagram (1..65535 bytes, first byte 20..63). Returns 0 (also when the
 * datagram was dropped as invalid by DTLS rules or the connection is closed), -EINVAL for a
 * datagram that is not DTLS, -ENOTCONN for a client not started yet. */
int dtls_handle_incoming(struct dtls *d, const uint8_t *buf, size_t len);

/* Returns ms until dtls_handle_timeout() must be called (0 = now), or -1 if no timer runs. */
int dtls_next_timeout_ms(struct dtls *d);
/* Retransmits if the timer expired, fails the handshake after its deadline. Returns 0 or the
 * failure's error (-ETIMEDOUT); calling it early is harmless. */
int dtls_handle_timeout(struct dtls *d);

/* Sends one application record (len 1..DTLS_MAX_APP_LEN). Returns 0, -ENOTCONN unless
 * CONNECTED, -EMSGSIZE, or -EIO. */
int dtls_send_app(struct dtls *d, const uint8_t *data, size_t len);
/* Sends close_notify if connected and moves to CLOSED. Returns 0 (also if already closed). */
int dtls_shutdown(struct dtls *d);

/* Returns the current state. */
enum dtls_state dtls_get_state(const struct dtls *d);
/* Returns the role given at creation. */
enum dtls_role dtls_get_role(const struct dtls *d);
/* Copies the exported SRTP keys (kept after CLOSED until destroy). Returns 0, -ENOTCONN if the
 * handshake never completed, -ENOPROTOOPT if the peer agreed no SRTP profile. */
int dtls_get_srtp_keys(const struct dtls *d, struct dtls_srtp_keys *out);
/* Records dropped unseen since the handshake because they cannot be genuine (wrong epoch,
 * version or type, shorter than the cipher's overhead, torn). They never change the state. */
uint64_t dtls_get_screened(const struct dtls *d);
/* Returns the profile's RFC name ("SRTP_AEAD_AES_128_GCM"), or "none". */
const char *dtls_srtp_profile_name(enum dtls_srtp_profile p);
/* Overwrites keys with zeros in a way the compiler keeps. */
void dtls_srtp_keys_wipe(struct dtls_srtp_keys *keys);

#endif
