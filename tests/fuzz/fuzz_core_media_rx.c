/* Fuzz target for src/media_rx: the forwarded-streams downlink fed with untrusted RTP and RTCP
 * (stream table, level extension, jitter buffers, the choice of decoded streams, Opus
 * decoding, mixing, receiver reports), with synthetic time.
 *
 * Layout: byte 0 = config (bits 0-2 decode_max, bit 3 no_decode, bit 4 no level extension),
 * then records [kind][len hi][len lo][len bytes]: kind bit 0 set = RTCP, else RTP; bit 1: run
 * a tick after it; bits 2-7: milliseconds that pass before it. Checked: the table stays
 * bounded, decoders exist only for decoded streams (none with no_decode), our receiver
 * reports parse, and the mix stays finite.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "net/rtcp.h"
#include "src/media_rx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_talk(void *user, uint32_t ssrc, bool on)
{
	(void)ssrc, (void)on;
	(*(unsigned *)user)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct media_rx *rx;
	unsigned events = 0;
	int64_t now = 1000000000LL;

	if (size < 1)
		return 0;
	struct media_rx_config cfg = { .decode_max = data[0] & 7, .no_decode = data[0] & 8,
				       .ssrc = 42, .cname = "fuzz" };
	struct media_recv_params rp = { .opus_pts = { 111, 96 }, .n_pts = 2,
					.level_ext_id = (data[0] & 16) ? 0 : 1 };
	if (media_rx_create(&cfg, &rp, &rx) < 0)
		abort();
	media_rx_set_stream_cb(rx, on_talk, &events);
	size_t i = 1;
	while (i + 3 <= size) {
		uint8_t kind = data[i];
		size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
		i += 3;
		if (len > size - i)
			len = size - i;
		now += (int64_t)(kind >> 2) * 1000;
		if (kind & 1)
			media_rx_on_rtcp(rx, data + i, len, now);
		else
			media_rx_put(rx, data + i, len, now);
		i += len;
		if (kind & 2) {
			float acc[CODEC_FRAME] = { 0 };
			struct media_rx_stats st;

			now += 20000;
			media_rx_tick(rx, now, acc);
			for (int k = 0; k < CODEC_FRAME; k++)
				if (!isfinite(acc[k]) || fabsf(acc[k]) > 32768.0f * MEDIA_RX_STREAMS)
					abort();
			media_rx_get_stats(rx, &st);
			if (st.streams > MEDIA_RX_STREAMS || st.decoded > st.streams ||
			    media_rx_decoders(rx) > st.streams ||
			    (cfg.no_decode && media_rx_decoders(rx)))
				abort();
		}
	}
	uint8_t buf[1500];
	int len = media_rx_write_rtcp(rx, now, buf, sizeof(buf));
	struct rtcp_info info;
	if (len < 0 || (len > 0 && rtcp_parse(buf, (size_t)len, &info) < 0))
		abort();
	media_rx_destroy(rx);
	return 0;
}
