/* Video codecs: a VP8 (or VP9) encoder for publishing and a VP8/VP9 decoder for the preview, both
 * wrapping libvpx, with I420 pictures in and out (struct video_image, stride-aware planes).
 *
 * Data flow, publish: test pattern or camera → video_enc_encode() → one compressed frame →
 * net/vp8.h packetizer. Receive: net/vp8.h depacketizer → video_dec_decode() → I420 picture
 * → ui/ascii.h renderer. The decoder never returns a damaged picture: after an error or a
 * corrupt frame it refuses inter frames until a keyframe decodes (video_dec_need_keyframe()).
 *
 * libvpx runs single-threaded inside the calling thread. Any thread, one owner per object.
 */
#ifndef TTM_SRC_VIDEO_H
#define TTM_SRC_VIDEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An I420 picture: planes[0] Y (width x height), planes[1] U and planes[2] V
 * ((width+1)/2 x (height+1)/2), each row `stride` bytes apart. */
struct video_image {
	int width, height;
	uint8_t *planes[3];
	int stride[3];
};

/* Allocates an I420 picture (one block, strides rounded up to 16); width, height 1..16384.
 * Returns 0, -EINVAL or -ENOMEM. Free with video_image_free(). */
int video_image_alloc(struct video_image *img, int width, int height);
void video_image_free(struct video_image *img);
/* Peak signal-to-noise ratio of the luma planes of a and b (same size), in dB; 99 when
 * identical, -1 on a size mismatch. */
double video_psnr_y(const struct video_image *a, const struct video_image *b);

enum video_codec { VIDEO_CODEC_VP8, VIDEO_CODEC_VP9 };

struct video_enc_config {
	enum video_codec codec;	/* default VP8 */
	int width, height;	/* default 320 x 180 */
	int fps;		/* default 10 */
	int bitrate_kbps;	/* default 150 (CBR target) */
	int keyframe_interval_s;	/* forced keyframe at least this often; default 10 */
	int cpu_used;		/* libvpx speed, 4..16 (higher is faster); default 10 */
	bool error_resilient;	/* default true */
};

/* An encoded frame; data stays valid until the next video_enc_encode() or destroy. */
struct video_packet {
	const uint8_t *data;
	size_t len;
	bool keyframe;
	bool droppable;		/* no later frame refers to it (VP8 N bit) */
	int64_t pts;
};

struct video_enc;

/* Fills cfg with the defaults above. */
void video_enc_config_default(struct video_enc_config *cfg);
/* Creates a VP8 realtime encoder (cfg NULL: defaults). Returns 0, -EINVAL on bad sizes or
 * rates, -EIO when libvpx refuses, -ENOMEM. */
int video_enc_create(struct video_enc **out, const struct video_enc_config *cfg);
void video_enc_destroy(struct video_enc *e);
/* The next encoded frame will be a keyframe (a PLI or FIR arrived). */
void video_enc_request_keyframe(struct video_enc *e);
/* Changes the target bitrate (kbit/s, 10..10000). Returns 0, -EINVAL or -EIO. */
int video_enc_set_bitrate(struct video_enc *e, int kbps);
/* Encodes img (the configured size) as frame number pts (in 1/fps units, increasing).
 * Returns 1 with *pkt filled, 0 when rate control dropped the frame, -EINVAL on a size
 * mismatch, -EIO on an encoder error. */
int video_enc_encode(struct video_enc *e, const struct video_image *img, int64_t pts,
		     struct video_packet *pkt);

struct video_dec_stats {
	uint64_t frames;	/* pictures returned */
	uint64_t errors;	/* frames libvpx rejected or marked corrupt */
	uint64_t skipped;	/* inter frames refused while waiting for a keyframe */
	uint64_t too_large;	/* keyframes over the size limit */
};

struct video_dec;

/* Creates a decoder for codec; keyframes larger than max_width x max_height are refused
 * (0: 1920 x 1088). Returns 0, -EINVAL, -EIO, -ENOMEM. */
int video_dec_create(struct video_dec **out, enum video_codec codec, int max_width,
		     int max_height);
void video_dec_destroy(struct video_dec *d);
/* Decodes one compressed frame (untrusted bytes). Returns 1 with *img pointing at the
 * decoder's picture (valid until the next decode or destroy), 0 when the frame produced no
 * picture to show, -EAGAIN when an inter frame was skipped while waiting for a keyframe,
 * -EBADMSG when the data was rejected or decoded corrupt, -E2BIG when a keyframe exceeds the
 * size limit, -ENOTSUP for a pixel format other than 8-bit I420, -EINVAL for empty input. */
int video_dec_decode(struct video_dec *d, const uint8_t *data, size_t len,
		     struct video_image *img);
/* True until a keyframe decodes, and again after any error (send a PLI). */
bool video_dec_need_keyframe(const struct video_dec *d);
void video_dec_get_stats(const struct video_dec *d, struct video_dec_stats *s);

#endif
