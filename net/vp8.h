/* VP8 over RTP (RFC 7741), plus the VP9 descriptor (RFC 9628) for receiving: payload
 * descriptor parsing, a depacketizer that rebuilds whole frames, and a packetizer.
 *
 * Receive data flow: rtp_parse() → vp8_depack_push() stores the packet in a reorder window
 * (slots allocated once at create, never per packet) → vp8_depack_pop() walks the window in
 * sequence order, joins the partitions of one picture (S bit + PID 0 starts it, marker or the
 * next picture's start ends it) and returns complete frames for the decoder. A sequence gap is
 * waited for (reordering, NACK retransmission) until max_wait_us has passed since the first
 * packet after it arrived, the window overflows, or a complete keyframe lies beyond it; then it
 * counts as lost: the frame it hit is dropped, and no frame comes out until the next keyframe
 * (vp8_depack_need_keyframe() is true: send a PLI). A gap between two pictures whose
 * PictureIDs are consecutive cost no picture and does not need a keyframe.
 *
 * Send data flow: encoder frame → vp8_pack_start() → vp8_pack_next() per RTP payload (at most
 * max_payload bytes, near-equal sizes, 15-bit PictureID incremented per frame).
 *
 * Everything from the network is untrusted; every length is checked. No I/O, no clock reads
 * (times are passed in). Any thread, one owner per object.
 */
#ifndef TTM_NET_VP8_H
#define TTM_NET_VP8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/rtp.h"

enum vp8_codec { VP8_CODEC_VP8, VP8_CODEC_VP9 };

/* One packet's payload descriptor (and, on a VP8 picture's first packet, the frame tag). */
struct vp8_descriptor {
	size_t header_len;	/* descriptor bytes before the codec data */
	bool start;		/* first packet of a picture (VP8: S && pid == 0; VP9: B) */
	bool end;		/* VP9 E bit (VP8 has none: always false) */
	bool non_ref;		/* VP8 N: no other frame depends on this one */
	uint8_t pid;		/* VP8 partition index 0..7 */
	bool s_bit;		/* VP8 S: start of a partition */
	int picture_id;		/* 0..0x7fff, -1 absent */
	bool pid_15bit;		/* PictureID had the 15-bit form */
	int tl0picidx;		/* -1 absent */
	int tid;		/* temporal layer, -1 absent */
	bool layer_sync;	/* VP8 Y / VP9 U bit */
	int keyidx;		/* VP8 KEYIDX, -1 absent */
	int sid;		/* VP9 spatial layer, -1 absent */
	bool inter;		/* VP9 P: inter-picture predicted */
	/* Meaningful when start: keyframe per the codec data (VP8: P bit of the frame tag clear and
	 * a valid start code; VP9: P clear and the uncompressed header says keyframe), with the
	 * coded size read from a VP8 keyframe header (0 when unknown). */
	bool keyframe;
	uint16_t width, height;
};

/* Parses a VP8 payload descriptor at p[0..len) (RFC 7741 4.2) and, on a partition-0 start
 * packet, the frame tag. Returns 0 or -EINVAL (truncated, no codec data after it). */
int vp8_parse_descriptor(const uint8_t *p, size_t len, struct vp8_descriptor *d);
/* The same for a VP9 payload descriptor (RFC 9628 4.2, flexible and non-flexible modes,
 * scalability structure skipped). Returns 0 or -EINVAL. */
int vp8_parse_vp9_descriptor(const uint8_t *p, size_t len, struct vp8_descriptor *d);

struct vp8_depack_config {
	enum vp8_codec codec;	/* VP8_CODEC_VP8 (default) or VP8_CODEC_VP9 */
	size_t max_frame;	/* bytes of one reassembled frame; default 1 MiB */
	size_t max_payload;	/* bytes of one RTP payload; default 1500 */
	unsigned int window;	/* packets held for reordering: a power of two 8..1024;
				 * default 64 */
	uint32_t max_wait_us;	/* how long a gap may stay open; default 150 ms */
};

/* A reassembled frame; data points into the depacketizer and stays valid until the next
 * vp8_depack_pop(), vp8_depack_reset() or vp8_depack_destroy(). */
struct vp8_frame {
	const uint8_t *data;
	size_t len;
	uint32_t ts;
	bool keyframe;
	uint16_t width, height;		/* keyframe size (VP8), else 0 */
	int picture_id;			/* -1 absent */
	int tid, tl0picidx;		/* -1 absent */
	uint16_t first_seq, last_seq;
	unsigned int packets;
};

struct vp8_depack_stats {
	uint64_t packets;		/* accepted into the window */
	uint64_t padding;		/* empty payloads (they still fill their sequence slot) */
	uint64_t late;			/* duplicate, or older than what was consumed */
	uint64_t lost;			/* sequence numbers given up on, never received */
	uint64_t discarded;		/* received but skipped over (before the first keyframe,
					 * or jumping past a gap) */
	uint64_t bad;			/* unparsable descriptor or payload over max_payload */
	uint64_t frames;		/* frames returned */
	uint64_t keyframes;		/* of which keyframes */
	uint64_t dropped;		/* frames not returned: damaged, oversized, or
					 * waiting for a keyframe */
	uint64_t oversized;		/* frames over max_frame */
	uint64_t keyframe_requests;	/* times need_keyframe went from false to true */
};

struct vp8_depack;

/* Fills cfg with the defaults above. */
void vp8_depack_config_default(struct vp8_depack_config *cfg);
/* Allocates a depacketizer (cfg may be NULL for the defaults; 0 fields take defaults).
 * Returns 0, -EINVAL (bad window) or -ENOMEM. It starts out needing a keyframe. */
int vp8_depack_create(struct vp8_depack **out, const struct vp8_depack_config *cfg);
void vp8_depack_destroy(struct vp8_depack *d);
/* Forgets every packet and the sequence origin (e.g. a new SSRC); needs a keyframe again. */
void vp8_depack_reset(struct vp8_depack *d);
/* Stores one parsed RTP packet of the stream, arrived at now_us (any monotonic origin).
 * Returns 0 if stored, 1 if ignored as a duplicate or late packet. Call vp8_depack_pop()
 * until it returns 0 after every push. */
int vp8_depack_push(struct vp8_depack *d, const struct rtp_header *h, uint64_t now_us);
/* Next complete, decodable frame: 1 with *f filled, 0 when none is ready yet. now_us expires
 * open gaps (also call it from a timer while vp8_depack_gap_open() is true, so a lost last
 * packet does not hold the stream until the next packet). */
int vp8_depack_pop(struct vp8_depack *d, uint64_t now_us, struct vp8_frame *f);
/* True while frames are withheld until a keyframe (from the start, and after any loss). */
bool vp8_depack_need_keyframe(const struct vp8_depack *d);
/* True while a sequence gap is being waited for. */
bool vp8_depack_gap_open(const struct vp8_depack *d);
/* Sequence numbers currently missing inside the window, ascending, at most max of them into
 * out (for a generic NACK). Returns how many were written. */
size_t vp8_depack_missing(const struct vp8_depack *d, uint16_t *out, size_t max);
/* Counters since create (reset keeps them). */
void vp8_depack_get_stats(const struct vp8_depack *d, struct vp8_depack_stats *s);

/* Packetizer state; plain struct, no allocation. The frame passed to vp8_pack_start() must
 * stay valid until vp8_pack_next() returned its last payload. */
struct vp8_pack {
	size_t max_payload;
	uint16_t picture_id;	/* of the next frame, 15 bits */
	const uint8_t *frame;
	size_t len, off;
	unsigned int left;	/* payloads still to emit */
	bool non_ref;
	bool vp9, key;		/* VP9 descriptors; this frame is a keyframe */
	uint16_t width, height;	/* VP9 keyframe size (scalability structure) */
};

#define VP8_PACK_DESCRIPTOR_LEN 4	/* X byte and a 15-bit PictureID */
#define VP9_PACK_DESCRIPTOR_MAX 8	/* flags, PictureID, and on a keyframe's first packet a
					 * one-layer scalability structure with its size */

/* Starts a packetizer with payloads of at most max_payload bytes (descriptor included,
 * > VP8_PACK_DESCRIPTOR_LEN) and the first frame's PictureID (15 bits). */
void vp8_pack_init(struct vp8_pack *p, size_t max_payload, uint16_t first_picture_id);
/* Takes one encoded frame (len >= 1, at most 65535 payloads); non_ref sets the N bit (the
 * encoder said nothing depends on it). Returns 0 or -EINVAL. */
int vp8_pack_start(struct vp8_pack *p, const uint8_t *frame, size_t len, bool non_ref);
/* Takes one encoded VP9 frame instead (RFC 9628 non-flexible mode, one spatial layer): the
 * descriptor carries the PictureID, the inter-picture bit (clear on keyframes), B and E, and
 * on a keyframe's first packet the picture size. Returns 0 or -EINVAL. */
int vp8_pack_start_vp9(struct vp8_pack *p, const uint8_t *frame, size_t len, bool keyframe,
		       uint16_t width, uint16_t height);
/* Writes the next payload into out (cap bytes): returns its length, 0 when the frame is
 * done, -ENOSPC if cap is too small. *last is set on the frame's final payload (RTP marker). */
int vp8_pack_next(struct vp8_pack *p, uint8_t *out, size_t cap, bool *last);

#endif
