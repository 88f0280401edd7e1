/* Fuzz target for net/vp8: an input is a depacketizer configuration and a packet sequence;
 * every packet is pushed and every frame popped, with invariants checked (frames within
 * max_frame, keyframes really start like keyframes, pop is idempotent, the NACK list stays in
 * the window). The descriptor parsers see every payload, and the input's tail goes through
 * packetizer → depacketizer, which must give it back unchanged.
 *
 * Layout: byte 0 = config (bit 0 VP9, bits 1-2 window 8/16/64/256, bit 3 max_frame 2 KiB
 * instead of 64 KiB, bits 4-7 max_wait in 20 ms steps), then records of
 * [flags][seq delta, signed][len hi][len lo][len bytes of payload] where flags bit 0 = marker,
 * bit 2 = 300 ms pass before this packet (else 5 ms), bits 4-7 = timestamp / 3000 (so a
 * reordered packet keeps its frame's timestamp).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/vp8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_frame(const struct vp8_frame *f, const struct vp8_depack_config *cfg)
{
	if (!f->data || f->len == 0 || f->len > cfg->max_frame)
		abort();
	if (cfg->codec == VP8_CODEC_VP8 && f->keyframe &&
	    (f->len < 10 || (f->data[0] & 1) || f->data[3] != 0x9d || f->data[4] != 0x01 ||
	     f->data[5] != 0x2a))
		abort();
}

static void drain(struct vp8_depack *d, const struct vp8_depack_config *cfg, uint64_t now)
{
	struct vp8_frame f;
	int guard = 0;
	while (vp8_depack_pop(d, now, &f) == 1) {
		check_frame(&f, cfg);
		if (++guard > 100000)
			abort();
	}
	if (vp8_depack_pop(d, now, &f) != 0)
		abort();
	uint16_t miss[1024];
	if (vp8_depack_missing(d, miss, 1024) > cfg->window)
		abort();
}

/* The packetizer's output must come back byte for byte. */
static void round_trip(const uint8_t *data, size_t size)
{
	static const uint8_t key[10] = { 0x10, 0, 0, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0 };
	uint8_t *frame = malloc(size + sizeof(key));
	struct vp8_depack *d;
	struct vp8_depack_config cfg = { .max_frame = 8192, .max_payload = 128, .window = 128 };
	struct vp8_pack pk;
	uint8_t out[128];
	bool last, got = false;
	struct vp8_frame f;
	uint16_t seq = (uint16_t)(size * 977);

	if (!frame || vp8_depack_create(&d, &cfg) < 0)
		abort();
	memcpy(frame, key, sizeof(key));
	memcpy(frame + sizeof(key), data, size);
	vp8_pack_init(&pk, 64 + size % 64, (uint16_t)size);
	if (vp8_pack_start(&pk, frame, size + sizeof(key), size & 1) < 0)
		abort();
	int n;
	while ((n = vp8_pack_next(&pk, out, sizeof(out), &last)) > 0) {
		struct rtp_header h = { .seq = seq++, .ts = 90000, .marker = last,
					.payload = out, .payload_len = (size_t)n };
		if (vp8_depack_push(d, &h, 0) != 0)
			abort();
		while (vp8_depack_pop(d, 0, &f) == 1) {
			if (got || f.len != size + sizeof(key) || memcmp(f.data, frame, f.len) ||
			    !f.keyframe)
				abort();
			got = true;
		}
	}
	if (n < 0 || !got)
		abort();
	vp8_depack_destroy(d);
	free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int windows[4] = { 8, 16, 64, 256 };
	struct vp8_depack_config cfg;
	struct vp8_depack *d;
	struct vp8_descriptor desc;

	if (size < 1)
		return 0;
	vp8_depack_config_default(&cfg);
	cfg.codec = data[0] & 1 ? VP8_CODEC_VP9 : VP8_CODEC_VP8;
	cfg.window = windows[(data[0] >> 1) & 3];
	cfg.max_frame = data[0] & 8 ? 2048 : 65536;
	cfg.max_wait_us = 20000u * (1u + (data[0] >> 4));
	if (vp8_depack_create(&d, &cfg) < 0)
		abort();

	size_t i = 1;
	uint16_t seq = 0;
	uint64_t now = 0;
	while (i + 4 <= size) {
		uint8_t flags = data[i];
		seq = (uint16_t)(seq + (int8_t)data[i + 1]);
		size_t len = ((size_t)(data[i + 2] & 0x07) << 8) | data[i + 3];
		i += 4;
		if (len > size - i)
			len = size - i;
		struct rtp_header h = { .seq = seq, .ts = 3000u * (flags >> 4), .marker = flags & 1,
					.payload = data + i, .payload_len = len };
		now += flags & 4 ? 300000 : 5000;
		vp8_parse_descriptor(data + i, len, &desc);
		vp8_parse_vp9_descriptor(data + i, len, &desc);
		vp8_depack_push(d, &h, now);
		drain(d, &cfg, now);
		i += len;
	}
	drain(d, &cfg, now + 10000000);
	vp8_depack_reset(d);
	vp8_depack_destroy(d);

	round_trip(data + 1, size - 1 < 4096 ? size - 1 : 4096);
	return 0;
}
