/* VP8 encoder and VP8/VP9 decoder over libvpx (see video.h).
 *
 * Encoder: CBR realtime VP8, no lag (one output per input unless rate control drops it),
 * error-resilient mode so a receiver can resume after loss at the next keyframe, keyframes on
 * request and at least every keyframe_interval_s. The frame is copied into a buffer owned by
 * the encoder (grown, never shrunk), because libvpx's packet memory is only valid until its
 * next call.
 *
 * Decoder: a keyframe check before libvpx sees anything (VP8: our own frame-tag parse, since
 * libvpx's peek rejects inter frames; VP9: libvpx's peek), the size limit on keyframes, then
 * decode, then libvpx's corrupt flag. Any failure sets need_keyframe.
 */
#include "src/video.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#define MAX_DIM 16384

int video_image_alloc(struct video_image *img, int width, int height)
{
	memset(img, 0, sizeof(*img));
	if (width < 1 || height < 1 || width > MAX_DIM || height > MAX_DIM)
		return -EINVAL;
	int cw = (width + 1) / 2, ch = (height + 1) / 2;
	int ys = (width + 15) & ~15, cs = (cw + 15) & ~15;
	size_t ysize = (size_t)ys * (size_t)height, csize = (size_t)cs * (size_t)ch;
	uint8_t *buf = malloc(ysize + 2 * csize);
	if (!buf)
		return -ENOMEM;
	img->width = width;
	img->height = height;
	img->planes[0] = buf;
	img->planes[1] = buf + ysize;
	img->planes[2] = buf + ysize + csize;
	img->stride[0] = ys;
	img->stride[1] = img->stride[2] = cs;
	return 0;
}

void video_image_free(struct video_image *img)
{
	free(img->planes[0]);
	memset(img, 0, sizeof(*img));
}

double video_psnr_y(const struct video_image *a, const struct video_image *b)
{
	if (a->width != b->width || a->height != b->height || a->width < 1 || a->height < 1)
		return -1;
	uint64_t sse = 0;
	for (int y = 0; y < a->height; y++) {
		const uint8_t *pa = a->planes[0] + (size_t)y * (size_t)a->stride[0];
		const uint8_t *pb = b->planes[0] + (size_t)y * (size_t)b->stride[0];
		for (int x = 0; x < a->width; x++) {
			int e = pa[x] - pb[x];
			sse += (uint64_t)(e * e);
		}
	}
	if (sse == 0)
		return 99.0;
	double mse = (double)sse / ((double)a->width * a->height);
	return 10.0 * log10(255.0 * 255.0 / mse);
}

struct video_enc {
	vpx_codec_ctx_t ctx;
	vpx_codec_enc_cfg_t vcfg;
	struct video_enc_config cfg;
	bool force_key;
	uint8_t *buf;
	size_t cap;
};

void video_enc_config_default(struct video_enc_config *cfg)
{
	*cfg = (struct video_enc_config){
		.width = 320,
		.height = 180,
		.fps = 10,
		.bitrate_kbps = 150,
		.keyframe_interval_s = 10,
		.cpu_used = 10,
		.error_resilient = true,
	};
}

int video_enc_create(struct video_enc **out, const struct video_enc_config *cfg)
{
	struct video_enc *e = NULL;
	struct video_enc_config c;
	int rc = -EINVAL;

	*out = NULL;
	if (cfg)
		c = *cfg;
	else
		video_enc_config_default(&c);
	if (c.width < 16 || c.height < 16 || c.width > 4096 || c.height > 4096 || (c.width & 1) ||
	    (c.height & 1) || c.fps < 1 || c.fps > 60 || c.bitrate_kbps < 10 ||
	    c.bitrate_kbps > 10000 || c.keyframe_interval_s < 1 || c.keyframe_interval_s > 3600 ||
	    c.cpu_used < 4 || c.cpu_used > 16 ||
	    (c.codec != VIDEO_CODEC_VP8 && c.codec != VIDEO_CODEC_VP9))
		goto out;
	vpx_codec_iface_t *iface = c.codec == VIDEO_CODEC_VP9 ? vpx_codec_vp9_cx() :
							       vpx_codec_vp8_cx();
	rc = -ENOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto out;
	e->cfg = c;
	rc = -EIO;
	if (vpx_codec_enc_config_default(iface, &e->vcfg, 0) != VPX_CODEC_OK)
		goto out;
	vpx_codec_enc_cfg_t *v = &e->vcfg;
	v->g_w = (unsigned int)c.width;
	v->g_h = (unsigned int)c.height;
	v->g_timebase.num = 1;
	v->g_timebase.den = c.fps;
	v->g_threads = 1;
	v->g_lag_in_frames = 0;
	v->g_error_resilient = c.error_resilient ? VPX_ERROR_RESILIENT_DEFAULT : 0;
	v->g_pass = VPX_RC_ONE_PASS;
	v->rc_end_usage = VPX_CBR;
	v->rc_target_bitrate = (unsigned int)c.bitrate_kbps;
	v->rc_min_quantizer = 4;
	v->rc_max_quantizer = 56;
	v->rc_undershoot_pct = 50;
	v->rc_overshoot_pct = 15;
	v->rc_buf_initial_sz = 500;
	v->rc_buf_optimal_sz = 600;
	v->rc_buf_sz = 1000;
	v->rc_dropframe_thresh = 0;
	v->kf_mode = VPX_KF_AUTO;
	v->kf_min_dist = 0;
	v->kf_max_dist = (unsigned int)(c.fps * c.keyframe_interval_s);
	if (vpx_codec_enc_init(&e->ctx, iface, v, 0) != VPX_CODEC_OK)
		goto out;
	if (c.codec == VIDEO_CODEC_VP9) {
		/* realtime speeds are 5..9 for VP9 */
		vpx_codec_control(&e->ctx, VP8E_SET_CPUUSED, c.cpu_used > 9 ? 9 : c.cpu_used);
		vpx_codec_control(&e->ctx, VP9E_SET_AQ_MODE, 3);
	} else {
		vpx_codec_control(&e->ctx, VP8E_SET_CPUUSED, c.cpu_used);
		vpx_codec_control(&e->ctx, VP8E_SET_NOISE_SENSITIVITY, 0u);
	}
	vpx_codec_control(&e->ctx, VP8E_SET_STATIC_THRESHOLD, 1u);
	/* A keyframe may take three frames' worth of bits: small enough to cross a slow link. */
	vpx_codec_control(&e->ctx, VP8E_SET_MAX_INTRA_BITRATE_PCT, 300u);
	e->force_key = true;
	*out = e;
	e = NULL;
	rc = 0;
out:
	free(e);
	return rc;
}

void video_enc_destroy(struct video_enc *e)
{
	if (!e)
		return;
	vpx_codec_destroy(&e->ctx);
	free(e->buf);
	free(e);
}

void video_enc_request_keyframe(struct video_enc *e)
{
	e->force_key = true;
}

int video_enc_set_bitrate(struct video_enc *e, int kbps)
{
	if (kbps < 10 || kbps > 10000)
		return -EINVAL;
	e->vcfg.rc_target_bitrate = (unsigned int)kbps;
	if (vpx_codec_enc_config_set(&e->ctx, &e->vcfg) != VPX_CODEC_OK)
		return -EIO;
	e->cfg.bitrate_kbps = kbps;
	return 0;
}

int video_enc_encode(struct video_enc *e, const struct video_image *img, int64_t pts,
		     struct video_packet *pkt)
{
	vpx_image_t raw;
	vpx_codec_iter_t iter = NULL;
	const vpx_codec_cx_pkt_t *p;
	int got = 0;

	if (img->width != e->cfg.width || img->height != e->cfg.height || !img->planes[0])
		return -EINVAL;
	if (!vpx_img_wrap(&raw, VPX_IMG_FMT_I420, (unsigned int)img->width,
			  (unsigned int)img->height, 1, img->planes[0]))
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		raw.planes[i] = img->planes[i];
		raw.stride[i] = img->stride[i];
	}
	vpx_enc_frame_flags_t flags = e->force_key ? VPX_EFLAG_FORCE_KF : 0;
	if (vpx_codec_encode(&e->ctx, &raw, pts, 1, flags, VPX_DL_REALTIME) != VPX_CODEC_OK)
		return -EIO;
	e->force_key = false;
	while ((p = vpx_codec_get_cx_data(&e->ctx, &iter))) {
		if (p->kind != VPX_CODEC_CX_FRAME_PKT || got)
			continue;
		size_t n = p->data.frame.sz;
		if (n > e->cap) {
			uint8_t *nb = realloc(e->buf, n);
			if (!nb)
				return -ENOMEM;
			e->buf = nb;
			e->cap = n;
		}
		memcpy(e->buf, p->data.frame.buf, n);
		*pkt = (struct video_packet){
			.data = e->buf,
			.len = n,
			.keyframe = p->data.frame.flags & VPX_FRAME_IS_KEY,
			.droppable = p->data.frame.flags & VPX_FRAME_IS_DROPPABLE,
			.pts = p->data.frame.pts,
		};
		got = 1;
	}
	return got;
}

struct video_dec {
	vpx_codec_ctx_t ctx;
	enum video_codec codec;
	int max_w, max_h;
	bool need_keyframe;
	struct video_dec_stats st;
};

int video_dec_create(struct video_dec **out, enum video_codec codec, int max_width,
		     int max_height)
{
	struct video_dec *d;
	vpx_codec_dec_cfg_t cfg = { .threads = 1 };

	*out = NULL;
	if (codec != VIDEO_CODEC_VP8 && codec != VIDEO_CODEC_VP9)
		return -EINVAL;
	if (max_width < 0 || max_height < 0 || max_width > MAX_DIM || max_height > MAX_DIM)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->codec = codec;
	d->max_w = max_width ? max_width : 1920;
	d->max_h = max_height ? max_height : 1088;
	d->need_keyframe = true;
	vpx_codec_iface_t *iface = codec == VIDEO_CODEC_VP9 ? vpx_codec_vp9_dx() :
							      vpx_codec_vp8_dx();
	if (vpx_codec_dec_init(&d->ctx, iface, &cfg, 0) != VPX_CODEC_OK) {
		free(d);
		return -EIO;
	}
	*out = d;
	return 0;
}

void video_dec_destroy(struct video_dec *d)
{
	if (!d)
		return;
	vpx_codec_destroy(&d->ctx);
	free(d);
}

/* Keyframe flag and size of a frame: 0, or -EBADMSG when the header is invalid. */
static int frame_info(const struct video_dec *d, const uint8_t *data, size_t len, bool *key,
		      unsigned int *w, unsigned int *h)
{
	*key = false;
	*w = *h = 0;
	if (d->codec == VIDEO_CODEC_VP8) {
		if (len < 3)
			return -EBADMSG;
		if (data[0] & 1)
			return 0;
		if (len < 10 || data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a)
			return -EBADMSG;
		*key = true;
		*w = (data[6] | data[7] << 8) & 0x3fff;
		*h = (data[8] | data[9] << 8) & 0x3fff;
		return *w && *h ? 0 : -EBADMSG;
	}
	vpx_codec_stream_info_t si = { .sz = sizeof(si) };
	if (len > UINT32_MAX ||
	    vpx_codec_peek_stream_info(vpx_codec_vp9_dx(), data, (unsigned int)len, &si) !=
		    VPX_CODEC_OK)
		return -EBADMSG;
	*key = si.is_kf;
	*w = si.w;
	*h = si.h;
	return 0;
}

static int dec_fail(struct video_dec *d, int rc)
{
	d->need_keyframe = true;
	if (rc == -E2BIG)
		d->st.too_large++;
	else
		d->st.errors++;
	return rc;
}

int video_dec_decode(struct video_dec *d, const uint8_t *data, size_t len,
		     struct video_image *img)
{
	bool key;
	unsigned int w, h;
	int corrupt = 0;

	if (!data || len == 0 || len > UINT32_MAX)
		return -EINVAL;
	if (frame_info(d, data, len, &key, &w, &h) < 0)
		return dec_fail(d, -EBADMSG);
	if (key && (w > (unsigned int)d->max_w || h > (unsigned int)d->max_h))
		return dec_fail(d, -E2BIG);
	if (d->need_keyframe && !key) {
		d->st.skipped++;
		return -EAGAIN;
	}
	if (vpx_codec_decode(&d->ctx, data, (unsigned int)len, NULL, 0) != VPX_CODEC_OK)
		return dec_fail(d, -EBADMSG);
	if (vpx_codec_control(&d->ctx, VP8D_GET_FRAME_CORRUPTED, &corrupt) == VPX_CODEC_OK &&
	    corrupt)
		return dec_fail(d, -EBADMSG);
	vpx_codec_iter_t iter = NULL;
	vpx_image_t *v = vpx_codec_get_frame(&d->ctx, &iter);
	if (!v) {
		if (key)
			d->need_keyframe = false;
		return 0;
	}
	if (v->fmt != VPX_IMG_FMT_I420)
		return dec_fail(d, -ENOTSUP);
	if (v->d_w > (unsigned int)d->max_w || v->d_h > (unsigned int)d->max_h)
		return dec_fail(d, -E2BIG);
	d->need_keyframe = false;
	d->st.frames++;
	*img = (struct video_image){
		.width = (int)v->d_w,
		.height = (int)v->d_h,
		.planes = { v->planes[0], v->planes[1], v->planes[2] },
		.stride = { v->stride[0], v->stride[1], v->stride[2] },
	};
	return 1;
}

bool video_dec_need_keyframe(const struct video_dec *d)
{
	return d->need_keyframe;
}

void video_dec_get_stats(const struct video_dec *d, struct video_dec_stats *s)
{
	*s = d->st;
}
