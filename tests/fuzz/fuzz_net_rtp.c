/* Fuzz target for net/rtp: parse any byte string, look up extensions, feed the receive
 * statistics, and check that rebuilding a parsed packet parses back to the same header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtp_header h, h2;
	uint8_t out[2048];
	const uint8_t *d;
	size_t n;
	char mid[32];
	bool voice;
	uint8_t level;
	if (rtp_parse(data, size, &h) < 0)
		return 0;
	for (unsigned int id = 1; id < 256; id += (id < 15 ? 1 : 60))
		rtp_ext_find(&h, (uint8_t)id, &d, &n);
	rtp_ext_audio_level(&h, 1, &voice, &level);
	rtp_ext_mid(&h, 2, mid, sizeof(mid));

	struct rtp_stats st;
	rtp_stats_init(&st, 48000);
	for (size_t i = 0; i + 8 <= h.payload_len && i < 512; i += 8) {
		const uint8_t *p = h.payload + i;
		uint32_t ts = (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 | p[4];
		rtp_stats_update(&st, (uint16_t)(p[0] << 8 | p[1]), ts, p[5] * 1000ull);
		struct rtp_stats_report r;
		rtp_stats_get(&st, &r);
		if (p[6] & 1)
			rtp_stats_mark(&st);
	}

	/* rebuild: same header and payload, extension block copied element by element is not
	 * possible for opaque profiles, so only packets without one are compared */
	if (h.has_ext ||
	    RTP_HEADER_LEN + 4u * h.cc + h.payload_len + h.pad_len > sizeof(out))
		return 0; /* would not fit our rebuild buffer: -ENOSPC is the right answer there */
	struct rtp_writer w;
	if (rtp_writer_init(&w, out, sizeof(out), &h, RTP_EXT_NONE) < 0 ||
	    rtp_writer_put(&w, h.payload, h.payload_len) < 0)
		abort();
	int len = rtp_writer_finish(&w, 0, h.pad_len);
	if (len < 0 || rtp_parse(out, (size_t)len, &h2) < 0)
		abort();
	if (h2.seq != h.seq || h2.ts != h.ts || h2.ssrc != h.ssrc || h2.pt != h.pt ||
	    h2.marker != h.marker || h2.cc != h.cc || h2.payload_len != h.payload_len ||
	    h2.pad_len != h.pad_len || memcmp(h2.csrc, h.csrc, sizeof(h.csrc)) != 0 ||
	    memcmp(h2.payload, h.payload, h.payload_len) != 0)
		abort();
	return 0;
}
