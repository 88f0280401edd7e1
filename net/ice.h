/* ICE on libnice: one agent, one stream, one component (BUNDLE + rtcp-mux, as Janus wants).
 *
 * Full ICE, RFC 5245 compatibility, trickle, answered keepalives (consent). The agent runs on the
 * GMainContext given at create (never the global default one), so many sessions share one loop.
 * Data flow: ice_gather() -> candidate_cb per local candidate ("candidate:..." strings ready for
 * a Janus trickle) -> gathering_done_cb; the remote side's ufrag/pwd and candidate strings go in
 * through ice_set_remote_credentials()/ice_add_remote_candidate()/ice_remote_end_of_candidates();
 * state_cb reports progress; once connected, ice_send() writes datagrams and recv_cb delivers
 * every non-STUN datagram (DTLS, RTP, RTCP: the caller demultiplexes). STUN stays inside libnice.
 * Polled receive (ice_set_polled): the sockets are no longer watched by the context, so a
 * datagram wakes nobody; ice_poll() reads everything queued, STUN included, and delivers it
 * through recv_cb in arrival order, each with its kernel arrival time (ice_arrival_us). For a
 * connection carrying many streams whose owner works on a clock anyway (src/media.c, 20 ms):
 * one wake-up then handles all the packets of a tick instead of one wake-up per packet.
 * Thread: everything, callbacks included, runs on the thread that iterates the context.
 */
#ifndef TTM_NET_ICE_H
#define TTM_NET_ICE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICE_CANDIDATE_MAX 512 /* longest candidate string accepted or produced, NUL excluded */
#define ICE_MAX_LOCAL_ADDRS 16 /* entries in ice_config.local_addrs */
#define ICE_DATAGRAM_MAX 65535

struct ice;

enum ice_state {
	ICE_STATE_NEW,
	ICE_STATE_GATHERING,
	ICE_STATE_CONNECTING,
	ICE_STATE_CONNECTED,	/* a working pair is selected; sending works */
	ICE_STATE_READY,	/* checks concluded on a nominated pair */
	/* Terminal: no pair works; reported only after the remote end-of-candidates. */
	ICE_STATE_FAILED,
	/* Terminal: the selected pair answered no keepalive binding request for 50 s (see ice.c). */
	ICE_STATE_CONSENT_LOST,
};

struct ice_config {
	bool controlling;		/* true when we send the offer */
	/* "host[:port]", "[v6][:port]" or a bare IPv6 address (port 3478); NULL for none. */
	const char *stun_server;
	/* "turn[s]:host[:port][?transport=udp|tcp]" (port 3478, 5349 for turns); NULL for none. */
	const char *turn_url;
	const char *turn_user;		/* required with turn_url */
	const char *turn_password;	/* required with turn_url */
	/* NULL-terminated list of IP addresses or interface names to gather on; NULL gathers on
	 * every non-loopback interface (libnice's choice). Loopback works only when listed. */
	const char *const *local_addrs;
	uint16_t port_min, port_max;	/* local UDP port range, both 0 for any */
};

struct ice_callbacks {
	/* One local candidate as an SDP attribute value, "candidate:<foundation> 1 UDP ...". */
	void (*candidate_cb)(void *user, const char *candidate);
	/* Local gathering finished: send the end-of-candidates ("completed") trickle. */
	void (*gathering_done_cb)(void *user);
	/* The state changed; after a terminal state nothing follows. */
	void (*state_cb)(void *user, enum ice_state state);
	/* One received datagram; buf is valid only during the call. */
	void (*recv_cb)(void *user, const uint8_t *buf, size_t len);
	void *user;
};

/* Info on the selected pair, for stats and logs. */
struct ice_pair_info {
	char local_addr[48];
	uint16_t local_port;
	const char *local_type;		/* "host", "srflx", "prflx", "relay" (static strings) */
	char remote_addr[48];
	uint16_t remote_port;
	const char *remote_type;
};

/* Creates an agent on ctx (referenced until destroy). cfg and cbs are copied; callbacks may be
 * NULL. -EINVAL for a malformed config, -ENODEV for an unknown interface name, -ENOMEM. */
int ice_create(GMainContext *ctx, const struct ice_config *cfg, const struct ice_callbacks *cbs,
	       struct ice **out);
/* Stops all callbacks at once and releases the agent. Safe from inside any ice callback: the
 * agent is then released from an idle source on the context, so keep iterating it. With a TURN
 * server the allocation is released asynchronously on the context as well. NULL is a no-op. */
void ice_destroy(struct ice *ice);

/* Local ICE credentials for the SDP; valid until ice_destroy. */
const char *ice_local_ufrag(const struct ice *ice);
const char *ice_local_pwd(const struct ice *ice);

/* Starts gathering; candidate_cb may fire before this returns. -EALREADY on a second call,
 * -EADDRNOTAVAIL when no local socket could be opened (port range, address). */
int ice_gather(struct ice *ice);

/* Sets the remote ufrag (4..256 ice-chars) and pwd (22..256); -EINVAL otherwise. */
int ice_set_remote_credentials(struct ice *ice, const char *ufrag, const char *pwd);
/* Adds one remote candidate ("candidate:..." with or without "a=", trailing CR/LF allowed).
 * 0 added; -EINVAL malformed or unresolvable (mDNS); -ENOTSUP not UDP or not component 1
 * (ignore those); -EALREADY after end-of-candidates or a terminal state; -ENOSPC too many. */
int ice_add_remote_candidate(struct ice *ice, const char *candidate);
/* The remote side has sent all its candidates; only now can ICE_STATE_FAILED be reported (it
 * may be reported from inside this call). The caller bounds the total connect time itself. */
int ice_remote_end_of_candidates(struct ice *ice);

/* Sends one datagram on the selected pair without blocking. Returns len, or -ENOTCONN before
 * CONNECTED/after a terminal state, -EAGAIN when the socket is full, -EACCES when consent is
 * revoked, -EMSGSIZE/-EINVAL for bad sizes, -EIO otherwise. */
int ice_send(struct ice *ice, const void *buf, size_t len);

/* Polled receive on (see the top) or off again (the context watches the sockets, as after
 * create; what is queued then is read from there, in order). While on, the owner must call
 * ice_poll() often: the other side's checks and our keepalives' answers are read only then
 * (every 20 ms for audio). 0, -ENOTCONN after destroy, -ENOMEM. */
int ice_set_polled(struct ice *ice, bool polled);
bool ice_polled(const struct ice *ice);
/* Polled mode: reads every datagram queued on the agent's sockets without blocking, answers
 * STUN, and hands each other one to recv_cb in the order it arrived (recv_cb may destroy the
 * agent: the rest is then dropped). Returns how many went to recv_cb; 0 when not polled. */
int ice_poll(struct ice *ice);
/* During recv_cb: the monotonic time (µs) the datagram reached our socket. Polled: the
 * kernel's stamp (selected pair's socket, SIOCGSTAMP) clamped to [previous poll, this poll],
 * or this poll's time when there is none; otherwise, and outside recv_cb, the current time. */
int64_t ice_arrival_us(const struct ice *ice);

/* Current state. */
enum ice_state ice_get_state(const struct ice *ice);
/* Static lower-case name of a state, for logs. */
const char *ice_state_name(enum ice_state state);
/* Fills out with the selected pair; -ENOTCONN when none is selected. */
int ice_get_selected_pair(struct ice *ice, struct ice_pair_info *out);

#endif
