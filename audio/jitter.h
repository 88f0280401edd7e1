/* Adaptive jitter buffer for 20 ms Opus RTP payloads of one stream (one SSRC).
 *
 * Data flow: the RTP receiver calls jitter_put() for each packet with its sequence number,
 * RTP timestamp (48 kHz units) and arrival time; the media tick calls jitter_get() every
 * 20 ms and is told what to decode: a packet, a lost frame to rebuild from the next packet's
 * FEC, a frame to conceal (PLC), or nothing (buffering / idle: play silence).
 *
 * Playout follows RTP timestamps, so DTX gaps (sequence continuous, timestamps jumping) are
 * concealed without being counted as loss. The target delay is the spread between the
 * fastest and the 98th-percentile transit time of the last 128 packets (late ones included)
 * plus 10 ms, clamped to [min, max]: it rises at once and falls at a limited rate. Playout
 * moves toward it by inserting a concealed frame (grow, at once) or dropping a frame (shrink,
 * at most one per 100 ms, preferring DTX/silence packets or frames that are missing anyway).
 * Late packets and duplicates are dropped and counted; 16-bit sequence and 32-bit timestamp
 * wrap are handled. A forward sequence jump of JITTER_SLOTS or more, a timestamp more than a
 * second outside the playable range, or three consecutive packets far behind playout mean
 * the stream restarted: buffering begins again from that packet (one stray ancient packet
 * is only counted late). After a second with nothing to play, get() says WAIT, not PLC.
 *
 * Assumes 20 ms packets (timestamp step 960). Fixed capacity (JITTER_SLOTS packets of up to
 * JITTER_MAX_PAYLOAD bytes), all allocated in create. Threads: one thread (the main loop)
 * for all calls of one buffer.
 */
#ifndef TTM_AUDIO_JITTER_H
#define TTM_AUDIO_JITTER_H

#include <stddef.h>
#include <stdint.h>

#define JITTER_SLOTS		64	/* packets held at most (1.28 s) */
#define JITTER_MAX_PAYLOAD	1500
#define JITTER_FRAME_TS		960	/* RTP timestamp units per 20 ms frame */

enum jitter_action {
	JITTER_WAIT,	/* nothing to decode now (still buffering, or idle): play silence */
	JITTER_PACKET,	/* decode data/len */
	JITTER_FEC,	/* this frame was lost: decode it with FEC from data/len, the next
			 * packet, which the following call returns again as JITTER_PACKET */
	JITTER_PLC,	/* this frame is missing: conceal it */
};

struct jitter_frame {
	enum jitter_action action;
	const uint8_t *data;	/* PACKET, FEC: valid until the next call on this buffer */
	size_t len;
	uint16_t seq;		/* PACKET, FEC: sequence number of data */
};

enum jitter_put_result {
	JITTER_PUT_OK,		/* buffered */
	JITTER_PUT_LATE,	/* its playout time has passed: dropped */
	JITTER_PUT_DUPLICATE,	/* already had it: dropped */
	JITTER_PUT_RESTART,	/* stream jumped: buffer restarted with this packet */
};

struct jitter_config {
	unsigned min_delay_ms;		/* default 20 */
	unsigned max_delay_ms;		/* default 500, at most 1100 */
	unsigned start_delay_ms;	/* buffering before the first frame; default 60 */
	unsigned shrink_ms_per_s;	/* how fast the target may fall; default 20 */
};

struct jitter_stats {
	uint64_t received;	/* packets given to jitter_put() */
	uint64_t late;		/* dropped: arrived after their playout time */
	uint64_t duplicates;	/* dropped: seen before */
	uint64_t lost;		/* frames whose packet was not there in time (FEC or PLC) */
	uint64_t concealed;	/* PLC frames handed out (loss, DTX gaps, underruns, inserts) */
	uint64_t fec_recovered;	/* FEC frames handed out */
	uint64_t dropped;	/* frames dropped to shrink the delay */
	uint64_t inserted;	/* PLC frames inserted to grow the delay */
	uint64_t restarts;	/* buffer restarts (jumps, jitter_reset) */
	unsigned delay_ms;	/* current playout delay over the fastest recent packet */
	unsigned target_ms;	/* delay being steered to */
	unsigned jitter_ms;	/* RFC 3550 interarrival jitter estimate */
	unsigned buffered;	/* packets waiting */
};

struct jitter;

/* Fills cfg with the defaults above. */
void jitter_config_default(struct jitter_config *cfg);

/* Creates a buffer; cfg NULL means defaults. Returns 0, -EINVAL or -ENOMEM. */
int jitter_create(struct jitter **out, const struct jitter_config *cfg);

/* Frees; NULL is fine. */
void jitter_destroy(struct jitter *jb);

/* Offers one RTP payload (copied). Returns an enum jitter_put_result, or -EINVAL (empty) /
 * -EMSGSIZE (longer than JITTER_MAX_PAYLOAD). */
int jitter_put(struct jitter *jb, uint16_t seq, uint32_t rtp_ts, const uint8_t *payload,
	       size_t len, uint64_t arrival_ms);

/* Decides the next 20 ms frame (call once per tick). Returns 0 and fills *out. */
int jitter_get(struct jitter *jb, uint64_t now_ms, struct jitter_frame *out);

/* Forgets the stream (new SSRC); statistics are kept. */
void jitter_reset(struct jitter *jb);

/* Current statistics. */
void jitter_get_stats(const struct jitter *jb, struct jitter_stats *st);

#endif
