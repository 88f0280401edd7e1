/* Fuzz target for src/vrecv: the whole receive path of a subscribed video stream — RTP and RTX
 * parsing, VP8/VP9 reassembly, libvpx decoding, NACK/PLI bookkeeping — and RTCP from the
 * server, all fed with untrusted bytes. Pictures handed out must have a sane size.
 *
 * Layout: byte 0 = config (bit 0 VP9, bit 1 RTX negotiated as pt 97, bit 2 NACK negotiated),
 * then records [kind][len hi][len lo][len bytes]: kind bit 0 set = RTCP, else RTP.
 * No peer is attached: feedback is counted, not sent. No timers run.
 */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#include "src/vrecv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_frame(void *user, const struct video_image *img)
{
	(*(int *)user)++;
	if (img->width < 1 || img->height < 1 || img->width > 1920 || img->height > 1088 ||
	    !img->planes[0] || img->stride[0] < img->width)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static GMainContext *ctx;
	struct vrecv *vr;
	int frames = 0;
	if (size < 1)
		return 0;
	if (!ctx)
		ctx = g_main_context_new();
	struct vrecv_config cfg = {
		.codec = (data[0] & 1) ? VIDEO_CODEC_VP9 : VIDEO_CODEC_VP8,
		.pt = 96,
		.rtx_pt = (data[0] & 2) ? 97 : -1,
		.nack = data[0] & 4,
		.max_width = 640,
		.max_height = 480,
	};
	struct vrecv_callbacks cb = { .frame_cb = on_frame, .user = &frames };
	if (vrecv_create(ctx, &cfg, &cb, &vr) < 0)
		return 0;
	size_t i = 1;
	while (i + 3 <= size) {
		uint8_t kind = data[i];
		size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
		i += 3;
		if (len > size - i)
			len = size - i;
		if (kind & 1)
			vrecv_on_rtcp(vr, data + i, len);
		else
			vrecv_on_rtp(vr, data + i, len);
		i += len;
	}
	struct vrecv_stats st;
	vrecv_get_stats(vr, &st);
	if (st.frames != (uint64_t)frames)
		abort();
	vrecv_destroy(vr);
	return 0;
}
