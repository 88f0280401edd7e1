/* RTP (RFC 3550): header parse and build with CSRCs, padding and header extensions
 * (RFC 8285 one-byte 0xBEDE and two-byte 0x100X forms), the RFC 6464 audio level and
 * sdes:mid extensions, sequence-number arithmetic and receive statistics (RFC 3550 A.1, A.3,
 * A.8: extended highest sequence, expected/lost, fraction lost, interarrival jitter).
 *
 * Data flow: after SRTP unprotect, rtp_parse() describes a packet in place (pointers into the
 * caller's buffer, nothing copied) and rtp_stats_update() feeds the receiver report; on send,
 * an rtp_writer lays header, extensions and payload into a caller buffer before SRTP protect.
 * No allocation, no I/O; any thread, one owner per struct.
 */
#ifndef TTM_NET_RTP_H
#define TTM_NET_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_HEADER_LEN	12
#define RTP_MAX_CSRC	15

enum rtp_ext_mode { RTP_EXT_NONE, RTP_EXT_ONE_BYTE, RTP_EXT_TWO_BYTE };

#define RTP_EXT_PROFILE_ONE_BYTE 0xBEDE
#define RTP_EXT_PROFILE_TWO_BYTE 0x1000	/* low 4 bits: appbits */

struct rtp_header {
	bool marker;
	uint8_t pt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint8_t cc;
	uint32_t csrc[RTP_MAX_CSRC];
	/* Filled by rtp_parse(): */
	bool has_ext;
	uint16_t ext_profile;		/* 0xBEDE, 0x100X or anything else (opaque) */
	const uint8_t *ext;		/* extension data after its 4-byte header */
	size_t ext_len;
	const uint8_t *payload;
	size_t payload_len;		/* without padding */
	uint8_t pad_len;		/* padding bytes including the count byte */
};

/* Parses a packet of len bytes; pointers in h point into pkt. Returns 0 or -EINVAL (version
 * not 2, truncated header/CSRC/extension, bad padding). */
int rtp_parse(const uint8_t *pkt, size_t len, struct rtp_header *h);

/* Finds extension element id (RFC 8285) in a parsed packet: 0 with data and len set, -ENOENT
 * if absent or the block is not one-/two-byte form, -EINVAL if the block is malformed. */
int rtp_ext_find(const struct rtp_header *h, uint8_t id, const uint8_t **data, size_t *len);
/* Reads the RFC 6464 audio level (voice flag, level 0..127 = -dBov). */
int rtp_ext_audio_level(const struct rtp_header *h, uint8_t id, bool *voice, uint8_t *level);
/* Copies the sdes:mid value as a NUL-terminated string; -ENOSPC if cap is too small. */
int rtp_ext_mid(const struct rtp_header *h, uint8_t id, char *out, size_t cap);

/* Builds a packet in place: init, then extensions, then payload, then finish. The first error
 * sticks and is returned by rtp_writer_finish(). */
struct rtp_writer {
	uint8_t *buf;
	size_t cap, len;
	enum rtp_ext_mode mode;
	size_t ext_start;	/* offset of the extension block header */
	bool ext_closed;
	int err;
};

/* Writes the fixed header and CSRCs of h (cc <= 15) and opens an extension block per mode. */
int rtp_writer_init(struct rtp_writer *w, uint8_t *buf, size_t cap, const struct rtp_header *h,
		    enum rtp_ext_mode mode);
/* Adds one element: one-byte form takes id 1..14 and 1..16 bytes, two-byte form id 1..255
 * and 0..255 bytes. */
int rtp_writer_add_ext(struct rtp_writer *w, uint8_t id, const void *data, size_t len);
/* Adds the RFC 6464 audio level: voice flag and level 0..127 (-dBov, 127 = silence). */
int rtp_writer_add_audio_level(struct rtp_writer *w, uint8_t id, bool voice, uint8_t level);
/* Adds the sdes:mid element (mid without NUL). */
int rtp_writer_add_mid(struct rtp_writer *w, uint8_t id, const char *mid);
/* Closes the extension block and returns where the payload goes, with room in *room; NULL
 * after an error. */
uint8_t *rtp_writer_payload(struct rtp_writer *w, size_t *room);
/* Appends payload bytes (copied; may be called after writing into rtp_writer_payload()). */
int rtp_writer_put(struct rtp_writer *w, const void *data, size_t len);
/* Ends the packet: payload_len bytes were written at rtp_writer_payload() (beyond anything
 * put), then pad_len padding bytes (0 = none, else 1..255, count byte included). Returns the
 * packet length or the first error (-ENOSPC, -EINVAL). */
int rtp_writer_finish(struct rtp_writer *w, size_t payload_len, uint8_t pad_len);

/* Sequence numbers: signed distance a - b modulo 2^16, and "a comes after b". */
static inline int16_t rtp_seq_diff(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b);
}

static inline bool rtp_seq_newer(uint16_t a, uint16_t b)
{
	return rtp_seq_diff(a, b) > 0;
}

/* Extends 16-bit sequence numbers to 32 bits across wraps, reordering-aware. */
struct rtp_seq_ext {
	bool init;
	uint16_t max;
	uint32_t cycles;	/* multiple of 65536 */
};

/* Returns the extended number of seq; advances the highest one when seq is newer. A packet
 * older than the first one seen, across a wrap, maps just below 2^32 (modular arithmetic). */
uint32_t rtp_seq_extend(struct rtp_seq_ext *e, uint16_t seq);

/* Receive statistics of one source (RFC 3550 appendix A). */
struct rtp_stats {
	uint32_t clock_rate;
	uint16_t max_seq;
	uint32_t cycles;
	uint32_t base_seq;
	uint32_t bad_seq;
	uint32_t probation;
	uint32_t received;
	uint32_t expected_prior;
	uint32_t received_prior;
	bool have_transit;
	uint32_t transit;
	uint32_t jitter_q4;	/* jitter in timestamp units, scaled by 16 */
	bool started;
};

struct rtp_stats_report {
	uint32_t ext_max_seq;
	uint32_t expected;		/* since the first packet */
	uint32_t received;
	int32_t lost;			/* cumulative, may be negative (duplicates) */
	uint8_t fraction_lost;		/* since the last rtp_stats_mark(), in 1/256 */
	uint32_t jitter;		/* timestamp units */
	double jitter_ms;
};

/* Starts statistics for a source with this RTP clock rate (Hz, > 0). */
void rtp_stats_init(struct rtp_stats *s, uint32_t clock_rate);
/* Counts one received packet; arrival_us is the local arrival time in microseconds (any
 * monotonic origin). Returns 0 if counted, -EAGAIN while the source is on probation or the
 * packet is out of the valid range (RFC 3550 A.1), in which case it is not counted. */
int rtp_stats_update(struct rtp_stats *s, uint16_t seq, uint32_t rtp_ts, uint64_t arrival_us);
/* Current figures; fraction_lost covers the interval since the last rtp_stats_mark(). */
void rtp_stats_get(const struct rtp_stats *s, struct rtp_stats_report *r);
/* Starts a new reporting interval (call after sending a report block). */
void rtp_stats_mark(struct rtp_stats *s);

#endif
