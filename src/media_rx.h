/* Forwarded audio streams of one session (internal to src/media.c; see media.h for the
 * public side): a table of streams keyed by SSRC, the choice of which to decode, their
 * decoding and mixing, and the receiver reports about them.
 *
 * Data flow: media_rx_put() parses an RTP packet (header and RFC 6464 level only), finds or
 * makes its stream, counts it for RTCP and puts the payload into the stream's jitter buffer:
 * that is all a stream costs while it is not decoded. Every 20 ms media_rx_tick():
 *  1. frees streams silent for MEDIA_RX_IDLE_US;
 *  2. chooses what to decode: at most decode_max streams that carry the level extension
 *     (plus every stream that does not: it cannot be ranked otherwise). A free slot goes to
 *     the loudest waiting stream. When no slot is free, a stream that is talking or just got
 *     loud takes the slot of the decoded stream quiet longest, but only one that has not
 *     talked for MEDIA_RX_HOLD_US (a decoded stream keeps its slot while it talks and for the
 *     hold after it, so no word is cut). Until it gets one, a loud stream's jitter buffer is
 *     not read: its first frames wait there and are played when it gets its slot, late by
 *     the wait, which its jitter buffer then shrinks in the pauses. A wait longer than the
 *     buffer holds (about 1 s, the hold) keeps the newest second, dropping the oldest. A stream that gets a slot starts with a fresh Opus decoder and one frame of
 *     fade-in; one that loses it fades out over one frame, and its decoder is freed;
 *  3. reads every other stream's jitter buffer (its clock moves on, nothing is decoded),
 *     decodes the chosen ones (PLC and FEC as the jitter buffer says) and adds them into the
 *     caller's accumulator (audio/mix.h; the caller limits the sum);
 *  4. updates each stream's talking (level_vad on the level, see media.h) and calls the
 *     stream callback for the changes, after the table work is done.
 * The level used for ranking is the loudest RFC 6464 level of the packets that arrived since
 * the last tick (a tick without one changes nothing; 60 ms without one is -127: DTX, mute),
 * smoothed with an instant rise and a ~200 ms fall. "Loud" is above MEDIA_RX_TALK_DBOV.
 *
 * Times are passed in (monotonic µs), so tests drive it without a clock. Thread: the loop's.
 * Allocation: a stream's jitter buffer when it appears, a decoder when it is chosen.
 */
#ifndef TTM_SRC_MEDIA_RX_H
#define TTM_SRC_MEDIA_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/codec.h"
#include "src/media.h"

#define MEDIA_RX_IDLE_US 5000000   /* a stream with no packet for this long is freed */
#define MEDIA_RX_HOLD_US 1000000   /* a decoded stream keeps its slot this long after its last
				    * loud frame (and while talking) */
#define MEDIA_RX_TALK_DBOV (-45.0f) /* talking / loud threshold */
#define MEDIA_RX_DECODE_DEFAULT 3

struct media_rx;

struct media_rx_config {
	unsigned decode_max; /* 0 = MEDIA_RX_DECODE_DEFAULT */
	bool no_decode;      /* decode nothing (levels, talking and stats still work; the
			      * streams then have no jitter buffer either) */
	uint32_t ssrc;       /* sender SSRC of our receiver reports */
	const char *cname;   /* for their SDES (copied) */
};

struct media_rx_stats {
	unsigned streams, decoded;
	uint64_t evicted;     /* streams dropped for a newer one (table full) */
	uint64_t refused;     /* packets dropped: table full of decoded or talking streams */
	uint64_t packets;     /* RTP packets taken */
	uint64_t frames_played, frames_concealed, frames_fec; /* of decoded streams */
	uint64_t late;        /* packets the streams' jitter buffers dropped as too late to
			       * play, since the start (streams gone included) */
	uint64_t switches;    /* slots given to a stream while another was decoded */
	double jitter_ms;     /* the worst stream's */
	unsigned delay_ms;    /* the longest playout delay of a decoded stream's buffer */
	uint32_t expected, lost; /* totals over the streams, for interval loss */
	bool voice;           /* a decoded stream was above -55 dBov in the last tick */
};

/* Returns 0, -EINVAL (bad rp) or -ENOMEM. rp is copied. */
int media_rx_create(const struct media_rx_config *cfg, const struct media_recv_params *rp,
		    struct media_rx **out);
/* Frees every stream; NULL is fine. No callback. */
void media_rx_destroy(struct media_rx *rx);
void media_rx_set_stream_cb(struct media_rx *rx, media_stream_cb cb, void *user);

/* Takes one RTP packet that arrived at now_us. Returns 0, -EINVAL (not RTP, or not one of
 * the Opus payload types, or empty), -ENOSPC (table full, see media.h). */
int media_rx_put(struct media_rx *rx, const uint8_t *buf, size_t len, int64_t now_us);
/* Takes one RTCP compound packet: remembers the streams' sender reports (for LSR/DLSR). */
void media_rx_on_rtcp(struct media_rx *rx, const uint8_t *buf, size_t len, int64_t now_us);
/* One 20 ms frame at now_us (steps 1-4 above): adds the decoded streams into acc (CODEC_FRAME
 * floats, not cleared; may be NULL with no_decode). Returns how many streams were added. */
int media_rx_tick(struct media_rx *rx, int64_t now_us, float acc[CODEC_FRAME]);
/* Writes our RTCP compound (RR with a block for up to 31 streams, in turns, and SDES CNAME)
 * into buf; wall_us is the real time (NTP), now_us monotonic. Returns its length, 0 when
 * there is no stream to report about, or -ENOSPC. */
int media_rx_write_rtcp(struct media_rx *rx, int64_t now_us, uint8_t *buf, size_t cap);

/* Frees a stream now (no callback). */
void media_rx_forget(struct media_rx *rx, uint32_t ssrc);
void media_rx_get_stats(const struct media_rx *rx, struct media_rx_stats *out);
/* 0 or -ENOENT. */
int media_rx_stream_stats(const struct media_rx *rx, uint32_t ssrc,
			  struct media_stream_stats *out);
/* Opus decoders that exist now (decoded streams, plus one fading out this tick). */
unsigned media_rx_decoders(const struct media_rx *rx);

#endif
