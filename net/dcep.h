/*
 * WebRTC data channels on one SCTP association: the Data Channel Establishment Protocol
 * (RFC 8832) messages, and a small channel table (RFC 8831) that maps stream ids to labels.
 *
 * Data flow: the owner forwards every event of its struct sctp_assoc to
 * dcep_handle_sctp_event() (messages, stream resets, oversize drops, the end of the
 * association); the table answers a remote DATA_CHANNEL_OPEN with an ACK and reports channel
 * opens, messages and closes through cfg.event_cb. Going out, dcep_open()/dcep_send()/
 * dcep_close() produce SCTP messages through cfg.send_cb (wire it to sctp_assoc_send_opt) and
 * stream resets through cfg.reset_cb (wire it to sctp_assoc_reset_stream).
 * Stream ids we pick are even for the DTLS client, odd for the DTLS server (RFC 8832 §6);
 * the remote side's choices are accepted as they come (Janus numbers from 1 with no parity).
 * Messages are not validated here: text (PPID 51) is handed on as bytes, the caller sanitises.
 *
 * The parse/encode functions are pure and safe for any bytes. Thread: a struct dcep belongs to
 * one thread (the association's context); callbacks run inside the dcep_* call that caused
 * them and may call any dcep_* function, dcep_destroy() included.
 */
#ifndef TTM_NET_DCEP_H
#define TTM_NET_DCEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/sctp.h"

/* SCTP payload protocol identifiers (RFC 8831 §8). */
#define DCEP_PPID_CONTROL 50
#define DCEP_PPID_STRING 51
#define DCEP_PPID_BINARY_PARTIAL 52	/* deprecated, received as binary */
#define DCEP_PPID_BINARY 53
#define DCEP_PPID_STRING_PARTIAL 54	/* deprecated, received as text */
#define DCEP_PPID_STRING_EMPTY 56
#define DCEP_PPID_BINARY_EMPTY 57

#define DCEP_MSG_ACK 0x02
#define DCEP_MSG_OPEN 0x03
#define DCEP_OPEN_HEADER_LEN 12
#define DCEP_LABEL_MAX 256		/* longest label or protocol the table accepts, bytes */
#define DCEP_MAX_CHANNELS 32
#define DCEP_DEFAULT_MAX_STREAMS 1024
#define DCEP_JANUS_LABEL "JanusDataChannel"

/* Channel types (RFC 8832 §5.1); the high bit means unordered. */
enum dcep_channel_type {
	DCEP_CHANNEL_RELIABLE = 0x00,
	DCEP_CHANNEL_RELIABLE_UNORDERED = 0x80,
	DCEP_CHANNEL_REXMIT = 0x01,		/* reliability = retransmissions */
	DCEP_CHANNEL_REXMIT_UNORDERED = 0x81,
	DCEP_CHANNEL_TIMED = 0x02,		/* reliability = lifetime in ms */
	DCEP_CHANNEL_TIMED_UNORDERED = 0x82,
};

/* DATA_CHANNEL_OPEN fields. Parsed: label/protocol point into the message, not NUL-ended. */
struct dcep_open {
	uint8_t channel_type;
	uint16_t priority;
	uint32_t reliability;
	const char *label;
	size_t label_len;
	const char *protocol;
	size_t protocol_len;
};

struct dcep_msg {
	uint8_t type;			/* DCEP_MSG_OPEN or DCEP_MSG_ACK */
	struct dcep_open open;		/* OPEN only */
};

/* Parses one PPID 50 message. Returns 0, -EBADMSG (truncated, lengths disagree with the
 * size, trailing bytes), -EINVAL (unknown channel type) or -ENOMSG (unknown message type). */
int dcep_parse(const uint8_t *buf, size_t len, struct dcep_msg *out);
/* Writes a DATA_CHANNEL_OPEN into buf. Returns 0 (*out_len set), -EINVAL (bad type, label or
 * protocol over 65535 bytes, NULL pointer with a length) or -ENOSPC. */
int dcep_encode_open(const struct dcep_open *open, uint8_t *buf, size_t cap, size_t *out_len);
/* Writes a DATA_CHANNEL_ACK (one byte). Returns 0 or -ENOSPC. */
int dcep_encode_ack(uint8_t *buf, size_t cap, size_t *out_len);
/* Returns whether type is one of enum dcep_channel_type. */
bool dcep_channel_type_valid(uint8_t type);
/* Fills SCTP send options for a channel of this type and reliability parameter. */
void dcep_sendopt(uint8_t channel_type, uint32_t reliability, struct sctp_assoc_sendopt *out);

struct dcep;

enum dcep_role {
	DCEP_ROLE_DTLS_CLIENT,		/* we pick even stream ids */
	DCEP_ROLE_DTLS_SERVER,		/* odd */
};

enum dcep_state {
	DCEP_STATE_CLOSED,
	DCEP_STATE_CONNECTING,		/* our OPEN is out, no ACK yet (sending allowed) */
	DCEP_STATE_OPEN,
	DCEP_STATE_CLOSING,		/* our outgoing stream is reset, the peer's not yet */
};

struct dcep_channel {
	uint16_t stream;
	enum dcep_state state;
	bool local;			/* we sent the OPEN */
	uint8_t channel_type;
	uint16_t priority;
	uint32_t reliability;
	const char *label;		/* NUL-terminated, valid UTF-8, while the channel exists */
	const char *protocol;
};

enum dcep_event_type {
	DCEP_EVENT_OPEN,		/* the peer's OPEN was accepted (ACK sent) or ours ACKed */
	DCEP_EVENT_MESSAGE,		/* binary, data, len (len 0 for the empty PPIDs) */
	DCEP_EVENT_CLOSED,		/* the channel is gone; its stream id may be reused */
};

struct dcep_event {
	enum dcep_event_type type;
	uint16_t stream;
	const char *label;		/* valid during the callback */
	bool binary;
	const uint8_t *data;		/* never NULL for MESSAGE; valid during the callback */
	size_t len;
};

/* Sends one SCTP message (wire to sctp_assoc_send_opt). Returns 0 or a negative errno. */
typedef int (*dcep_send_cb)(void *user, uint16_t stream, uint32_t ppid, const uint8_t *data,
			    size_t len, const struct sctp_assoc_sendopt *opt);
/* Resets our outgoing stream (wire to sctp_assoc_reset_stream). Returns 0 or -errno. */
typedef int (*dcep_reset_cb)(void *user, uint16_t stream);
/* Reports an event; may call any dcep_* function, dcep_destroy() included. */
typedef void (*dcep_event_cb)(void *user, const struct dcep_event *ev);

struct dcep_config {
	enum dcep_role role;
	uint16_t max_streams;		/* we pick ids below this; 0 = DCEP_DEFAULT_MAX_STREAMS */
	dcep_send_cb send_cb;		/* required */
	dcep_reset_cb reset_cb;		/* required */
	dcep_event_cb event_cb;		/* required */
	void *user;
};

/* Creates an empty table. Returns 0, -EINVAL or -ENOMEM. */
int dcep_create(const struct dcep_config *cfg, struct dcep **out);
/* Frees the table without sending anything. Safe inside callbacks; NULL ignored. */
void dcep_destroy(struct dcep *d);

/* Opens a channel: picks a free stream id of our parity and sends DATA_CHANNEL_OPEN (protocol
 * may be NULL = ""). DCEP_EVENT_OPEN follows on the ACK. Returns 0 (*stream_out set), -EINVAL
 * (bad type, label/protocol not UTF-8 or over DCEP_LABEL_MAX), -ENOSPC (no id or table slot
 * free), or send_cb's error. */
int dcep_open(struct dcep *d, const char *label, const char *protocol, uint8_t channel_type,
	      uint32_t reliability, uint16_t *stream_out);
/* Sends one message on a CONNECTING or OPEN channel: text PPID 51, binary 53, empty ones as
 * 56/57. Returns 0, -ENOTCONN (no such channel or closing), or send_cb's error. */
int dcep_send(struct dcep *d, uint16_t stream, bool binary, const uint8_t *data, size_t len);
/* Closes a channel by resetting our outgoing stream; DCEP_EVENT_CLOSED follows when the peer
 * resets its side. Returns 0, -ENOTCONN, or reset_cb's error (the channel is then forgotten
 * without an event). */
int dcep_close(struct dcep *d, uint16_t stream);

/* Handles one received SCTP message: DCEP on PPID 50 (OPEN answered with ACK, ACK), user data
 * on the others. Returns 0, -ENOTCONN (no channel on that stream), -EEXIST (OPEN on a busy
 * stream), -ENOSPC (table full: stream reset), -EBADMSG/-EINVAL/-ENOMSG (bad DCEP message:
 * stream reset for a bad OPEN; -EINVAL also for stream 65535), -EPROTONOSUPPORT (unknown
 * PPID). Nothing is delivered then. */
int dcep_handle_message(struct dcep *d, uint16_t stream, uint32_t ppid, const uint8_t *data,
			size_t len);
/* The peer reset its outgoing stream (SCTP_ASSOC_ALL_STREAMS: all): the channel closes; ours
 * is reset too if it was not already. */
void dcep_handle_reset(struct dcep *d, uint16_t stream);
/* Feeds one association event: MESSAGE, incoming STREAM_RESET, TOO_BIG (the channel is
 * closed) and CLOSED/FAILED (every channel closes). Other events are ignored. */
void dcep_handle_sctp_event(struct dcep *d, const struct sctp_assoc_event *ev);

/* Finds the first channel (not closing) with this label. Returns 0 or -ENOENT. */
int dcep_find(const struct dcep *d, const char *label, uint16_t *stream_out);
/* Describes the channel on stream. Returns 0 or -ENOENT. */
int dcep_get_channel(const struct dcep *d, uint16_t stream, struct dcep_channel *out);

#endif
