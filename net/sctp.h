/*
 * One SCTP association for WebRTC data channels (RFC 8831/8841), carried over a packet
 * transport the caller provides (DTLS application data, RFC 8261), built on usrsctp in its
 * AF_CONN "conn" mode: no sockets, no usrsctp threads of ours.
 *
 * Data flow: each SCTP packet the transport received goes in through sctp_assoc_handle_packet();
 * each SCTP packet to send leaves through cfg.send_cb (one packet per call, at most cfg.mtu
 * bytes); association state, stream resets and received messages (whole, at most
 * cfg.max_message bytes) leave through cfg.event_cb. Messages go out with sctp_assoc_send().
 * Both ends bind the same way and may both connect (RFC 8841 §5: simultaneous open works):
 * call sctp_assoc_connect() once the transport is up (DTLS connected). An end that receives a
 * packet before it connected connects first by itself, so the passive side needs no call.
 *
 * Threads: a struct sctp_assoc belongs to the thread that iterates the GMainContext given at
 * creation; call its functions there only. Every callback runs there too, dispatched from a
 * source attached to that context: never from inside usrsctp, never from another thread
 * (usrsctp may emit packets and messages on whichever thread drives it; they are queued under
 * a mutex private to this module and handed over on the context). Callbacks may call any
 * function here on the same association, sctp_assoc_destroy() included.
 *
 * Process-wide exception: usrsctp is process-global. It is initialised on the first
 * sctp_assoc_create() and finished after the last sctp_assoc_destroy() (reference count), in
 * its no-threads mode: its timers are driven by a 10 ms tick source on each context that has
 * associations (usrsctp still starts one idle "iterator" thread while initialised). The
 * bookkeeping for that (counters, tick clock, association ids for usrsctp's callbacks) is the
 * only global state of this module, guarded by its own mutexes.
 *
 * Names: functions are sctp_assoc_* because libusrsctp exports sctp_connect, sctp_shutdown,
 * sctp_close, sctp_init... which a definition of ours would interpose.
 */
#ifndef TTM_NET_SCTP_H
#define TTM_NET_SCTP_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCTP_ASSOC_DEFAULT_PORT 5000
#define SCTP_ASSOC_DEFAULT_MAX_MESSAGE 65536	/* RFC 8841: no a=max-message-size */
#define SCTP_ASSOC_MAX_MAX_MESSAGE (1024 * 1024)
#define SCTP_ASSOC_DEFAULT_MTU 1200
#define SCTP_ASSOC_MIN_MTU 576
#define SCTP_ASSOC_MAX_MTU 16384		/* one DTLS record */
#define SCTP_ASSOC_DEFAULT_STREAMS 1024
#define SCTP_ASSOC_MAX_PACKET 65535
#define SCTP_ASSOC_ALL_STREAMS 0xffff		/* stream reset of every stream */

struct sctp_assoc;

enum sctp_assoc_state {
	SCTP_ASSOC_STATE_NEW,
	SCTP_ASSOC_STATE_CONNECTING,
	SCTP_ASSOC_STATE_OPEN,
	SCTP_ASSOC_STATE_CLOSING,	/* sctp_assoc_shutdown() was called */
	SCTP_ASSOC_STATE_CLOSED,	/* terminal: SHUTDOWN completed */
	SCTP_ASSOC_STATE_FAILED,	/* terminal: aborted, lost, or never established */
};

enum sctp_assoc_event_type {
	SCTP_ASSOC_EV_OPEN,		/* established: sctp_assoc_send() works */
	SCTP_ASSOC_EV_MESSAGE,		/* stream, ppid, data, len: one whole message */
	SCTP_ASSOC_EV_TOO_BIG,		/* stream, ppid, len: an incoming message grew past
					 * max_message (len bytes so far) and is being dropped;
					 * the association goes on, the channel should close */
	SCTP_ASSOC_EV_STREAM_RESET,	/* stream (or SCTP_ASSOC_ALL_STREAMS), incoming: true
					 * when the peer reset its outgoing stream, false when our
					 * reset completed (err -EPROTO: denied or failed) */
	SCTP_ASSOC_EV_WRITABLE,		/* room again after sctp_assoc_send() said -EAGAIN */
	SCTP_ASSOC_EV_CLOSED,		/* terminal: SHUTDOWN completed, started by either end */
	SCTP_ASSOC_EV_FAILED,		/* terminal, err: -ECONNRESET aborted or peer lost,
					 * -ECONNREFUSED could not be established, -ENOBUFS our
					 * receive queue overflowed, -EIO usrsctp failed */
};

struct sctp_assoc_event {
	enum sctp_assoc_event_type type;
	uint16_t stream;
	uint32_t ppid;			/* host byte order */
	const uint8_t *data;		/* MESSAGE: valid during the callback only */
	size_t len;
	bool incoming;			/* STREAM_RESET */
	int err;
};

/* Hands one SCTP packet to the transport (e.g. peer_send_data). Called on the context. */
typedef void (*sctp_assoc_send_cb)(void *user, const uint8_t *buf, size_t len);
/* Reports an event on the context; may call anything here, sctp_assoc_destroy() included. */
typedef void (*sctp_assoc_event_cb)(void *user, const struct sctp_assoc_event *ev);

struct sctp_assoc_config {
	uint16_t local_port;		/* our a=sctp-port; 0 = SCTP_ASSOC_DEFAULT_PORT */
	uint16_t remote_port;		/* theirs; 0 = SCTP_ASSOC_DEFAULT_PORT */
	size_t max_message;		/* largest message sent or accepted; 0 = 64 KiB */
	unsigned int mtu;		/* largest packet given to send_cb; 0 = 1200 */
	uint16_t streams;		/* outgoing streams asked for, incoming allowed; 0 = 1024 */
	sctp_assoc_send_cb send_cb;	/* required */
	sctp_assoc_event_cb event_cb;	/* required */
	void *user;
};

/* Partial reliability (RFC 3758) of one message. */
enum sctp_assoc_pr {
	SCTP_ASSOC_PR_NONE,		/* reliable */
	SCTP_ASSOC_PR_RTX,		/* pr_value = retransmissions */
	SCTP_ASSOC_PR_TTL,		/* pr_value = lifetime in ms */
};

struct sctp_assoc_sendopt {
	bool unordered;
	enum sctp_assoc_pr pr;
	uint32_t pr_value;
};

struct sctp_assoc_stats {
	uint64_t packets_in, packets_out, bytes_in, bytes_out;	/* SCTP packets */
	uint64_t messages_in, messages_out;
	uint64_t dropped_too_big;				/* incoming messages */
};

/* Creates an association (state NEW) bound to cfg->local_port whose callbacks run on ctx
 * (NULL = the default context). Nothing is sent yet. Returns 0, -EINVAL for a bad config,
 * -ENOMEM, or -EIO if usrsctp refused. */
int sctp_assoc_create(GMainContext *ctx, const struct sctp_assoc_config *cfg,
		      struct sctp_assoc **out);
/* Aborts the association if it is still up (the ABORT goes out through send_cb, unless called
 * from inside send_cb) and frees it. No event afterwards. Safe inside callbacks; NULL ignored. */
void sctp_assoc_destroy(struct sctp_assoc *a);

/* Starts the association (sends INIT). Returns 0, -EALREADY unless NEW, or -EIO. */
int sctp_assoc_connect(struct sctp_assoc *a);
/* Feeds one SCTP packet from the transport; any bytes are safe (bad ones are dropped by
 * usrsctp). Connects first if still NEW. Returns 0 (also when the association is over),
 * -EINVAL for an empty packet, -EMSGSIZE above SCTP_ASSOC_MAX_PACKET. */
int sctp_assoc_handle_packet(struct sctp_assoc *a, const uint8_t *buf, size_t len);

/* Sends one message, reliable and ordered. ppid in host byte order. Returns 0, -ENOTCONN
 * unless OPEN, -EINVAL (empty, bad stream), -EMSGSIZE above max_message, -EAGAIN when the
 * send buffer is full (EV_WRITABLE follows), -EIO. */
int sctp_assoc_send(struct sctp_assoc *a, uint16_t stream, uint32_t ppid, const uint8_t *data,
		    size_t len);
/* Like sctp_assoc_send() with ordering/reliability options (NULL = reliable ordered). */
int sctp_assoc_send_opt(struct sctp_assoc *a, uint16_t stream, uint32_t ppid,
			const uint8_t *data, size_t len, const struct sctp_assoc_sendopt *opt);
/* Resets our outgoing stream (closes a data channel, RFC 8831 §6.7) once its queued data is
 * out; EV_STREAM_RESET (incoming false) reports completion. Returns 0, -ENOTCONN, -EINVAL. */
int sctp_assoc_reset_stream(struct sctp_assoc *a, uint16_t stream);
/* Starts a graceful SHUTDOWN after queued data is delivered; EV_CLOSED follows on both ends.
 * Returns 0 (also if already closing or over), -ENOTCONN if not established yet (destroy it
 * instead), -EIO. */
int sctp_assoc_shutdown(struct sctp_assoc *a);

/* Returns the current state. */
enum sctp_assoc_state sctp_assoc_get_state(const struct sctp_assoc *a);
/* Negotiated stream counts. Returns 0 or -ENOTCONN unless OPEN. */
int sctp_assoc_get_streams(struct sctp_assoc *a, uint16_t *in, uint16_t *out);
/* Copies the counters. */
void sctp_assoc_get_stats(const struct sctp_assoc *a, struct sctp_assoc_stats *out);
/* Returns a short name for a state ("open", "closing"...). */
const char *sctp_assoc_state_name(enum sctp_assoc_state s);

#endif
