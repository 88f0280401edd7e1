/* One WebRTC PeerConnection to the server: ICE (net/ice) + DTLS (net/dtls) + SRTP (net/srtp).
 *
 * Data flow in: ICE datagram → demultiplexed by its first byte (RFC 7983): DTLS records go to
 * DTLS (handshake, then application data for SCTP → data_cb); SRTP/SRTCP (128..191) is
 * unprotected and handed to rtp_cb/rtcp_cb. Out: peer_send_rtp/rtcp protect in place and send
 * through ICE; peer_send_data goes through DTLS. Signaling stays outside: the owner puts our
 * ufrag/pwd/fingerprint/candidates into SDP and feeds the remote description in.
 * Roles: the offerer is ICE-controlling and offers setup:actpass; the answerer picks active
 * (DTLS client), like browsers do.
 * Batched receive (peer_set_batched): once DTLS is up, datagrams wait in the socket until the
 * owner calls peer_poll() on its own clock, so a connection carrying many streams costs one
 * wake-up per tick instead of one per packet (net/ice.h, polled receive); the handshake
 * before is read at once. When the owner has not polled for PEER_POLL_MAX_MS, a timer does
 * (so a forgotten poll delays control traffic, DTLS alerts, consent checks, RTCP, but never
 * strands it); while the owner polls, that timer never fires. Thread: the loop's thread only.
 */
#ifndef TTM_NET_PEER_H
#define TTM_NET_PEER_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/dtls.h"
#include "net/sdp.h"
#include "net/srtp.h"

#define PEER_PACKET_MAX 1500 /* largest RTP/RTCP packet we send or accept, before SRTP */

struct peer;

enum peer_state {
	PEER_NEW,
	PEER_CONNECTING, /* remote description applied, ICE/DTLS under way */
	PEER_CONNECTED,  /* DTLS done, SRTP keyed: media can flow */
	PEER_FAILED,     /* terminal */
	PEER_CLOSED,     /* terminal: closed by either side */
};

struct peer_config {
	bool offerer;                   /* we write the offer */
	const struct dtls_cert *cert;   /* our DTLS identity (shared, referenced by DTLS) */
	const char *stun_server;        /* "host:port" or NULL */
	const char *turn_url, *turn_user, *turn_password;
	const char *const *local_addrs; /* NULL-terminated, or NULL for all interfaces */
	unsigned connect_timeout_ms;    /* ICE+DTLS deadline from peer_set_remote; 0 = 10 s */
	bool tamper_remote_fingerprint; /* tests only: corrupt the SDP fingerprint we check */
};

struct peer_stats {
	uint64_t rtp_in, rtp_out, rtcp_in, rtcp_out;  /* packets */
	uint64_t bytes_in, bytes_out;                  /* on the wire, SRTP included */
	uint64_t srtp_errors, send_errors;             /* srtp_errors: failed authentication */
	uint64_t dtls_screened;                        /* DTLS records that could not be genuine */
	gint64 t_ice_connected, t_dtls_connected;      /* monotonic µs, 0 = not yet */
};

struct peer_callbacks {
	/* A local candidate for trickle ("candidate:..."), or NULL when gathering is complete. */
	void (*candidate_cb)(void *user, const char *candidate);
	/* State change; for PEER_FAILED err says why (-EKEYREJECTED fingerprint mismatch,
	 * -ETIMEDOUT, -ECONNREFUSED ICE failed, -ECONNRESET lost) and reason in words. */
	void (*state_cb)(void *user, enum peer_state state, int err, const char *reason);
	/* A decrypted RTP / RTCP packet; buf is writable and valid during the call only. */
	void (*rtp_cb)(void *user, uint8_t *buf, size_t len);
	void (*rtcp_cb)(void *user, uint8_t *buf, size_t len);
	/* DTLS application data (SCTP packets). */
	void (*data_cb)(void *user, const uint8_t *buf, size_t len);
	void *user;
	void *candidate_user; /* candidate_cb's user, when not user (NULL: user) */
};

/* Creates a peer and starts gathering candidates. cfg and cbs are copied. */
int peer_create(GMainContext *main, const struct peer_config *cfg, const struct peer_callbacks *cbs,
		struct peer **out);
/* Sends close_notify if connected, then frees everything. No callback afterwards. */
void peer_destroy(struct peer *p);

/* Our values for the SDP. */
const char *peer_ice_ufrag(const struct peer *p);
const char *peer_ice_pwd(const struct peer *p);
const char *peer_fingerprint(const struct peer *p);
/* Local candidates gathered so far (for an SDP without trickle); n_out gets the count. */
const char *const *peer_local_candidates(const struct peer *p, size_t *n_out);
bool peer_gathering_done(const struct peer *p);

/* Fills our side of an SDP (fresh session id, ICE credentials, fingerprint, the candidates
 * gathered so far and whether gathering is complete); valid until the next peer call. */
void peer_sdp_local(const struct peer *p, struct sdp_local *out);

/* Applies the remote description's m-line mline (BUNDLE: one transport): ICE credentials and
 * candidates, fingerprint and setup role. Starts DTLS when ICE connects. */
int peer_set_remote(struct peer *p, const struct sdp_session *remote, int mline);
/* Adds one trickled remote candidate ("candidate:..." or "a=candidate:..."; NULL = end of
 * candidates). Before peer_set_remote (a trickle may overtake the SDP that it belongs to)
 * candidates are kept, up to PEER_EARLY_CANDIDATES, and applied with the SDP. 0, -EINVAL
 * (malformed), -ENOTSUP (not UDP / other component), -ENOSPC, -EALREADY (after the end). */
int peer_add_remote_candidate(struct peer *p, const char *candidate);
#define PEER_EARLY_CANDIDATES 32

/* Protects and sends one RTP/RTCP packet. buf must have len + SRTP_SESSION_HEADROOM bytes of
 * room (cap) and be 4-byte aligned; it is modified. -ENOTCONN until PEER_CONNECTED. */
int peer_send_rtp(struct peer *p, uint8_t *buf, size_t len, size_t cap);
int peer_send_rtcp(struct peer *p, uint8_t *buf, size_t len, size_t cap);
/* Sends application data over DTLS (SCTP). */
int peer_send_data(struct peer *p, const uint8_t *buf, size_t len);

/* Batched receive on or off (see the top); takes effect at PEER_CONNECTED, or now if connected. */
void peer_set_batched(struct peer *p, bool on);
#define PEER_POLL_MAX_MS 100
/* Batched and connected: delivers every datagram queued now (rtp_cb, rtcp_cb, data_cb; DTLS
 * and STUN handled), in arrival order. Returns how many datagrams; 0 otherwise. May run any
 * callback, peer_destroy included. */
int peer_poll(struct peer *p);
/* Inside rtp_cb/rtcp_cb: the monotonic time (µs) the packet reached our socket (exact also when
 * batched); elsewhere the current time. */
int64_t peer_arrival_us(const struct peer *p);

enum peer_state peer_get_state(const struct peer *p);
void peer_get_stats(const struct peer *p, struct peer_stats *out);
/* Describes the selected ICE pair ("udp 198.18.0.1:40000 host <-> ... host"). */
int peer_describe_path(struct peer *p, char *buf, size_t len);

#endif
