/* V4L2 capture (see camera.h): the classic mmap streaming sequence — QUERYCAP, S_FMT,
 * S_PARM, REQBUFS, QBUF all, STREAMON — then non-blocking DQBUF of everything queued, keeping
 * only the newest buffer, which is converted and given back with QBUF.
 */
#include "src/camera.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define NBUF 4

struct camera {
	int fd;
	uint32_t fourcc;
	int width, height, stride;
	struct { void *p; size_t len; } buf[NBUF];
	unsigned int nbuf;
	bool streaming;
};

static int xioctl(int fd, unsigned long req, void *arg)
{
	int rc;
	do
		rc = ioctl(fd, req, arg);
	while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : 0;
}

void camera_yuyv_to_i420(const uint8_t *src, int sw, int sh, int stride,
			 const struct video_image *dst)
{
	for (int y = 0; y < dst->height; y++) {
		const uint8_t *row = src + (size_t)(y * sh / dst->height) * (size_t)stride;
		uint8_t *out = dst->planes[0] + (size_t)y * (size_t)dst->stride[0];
		for (int x = 0; x < dst->width; x++)
			out[x] = row[2 * (x * sw / dst->width)];
	}
	int cw = (dst->width + 1) / 2, ch = (dst->height + 1) / 2;
	for (int y = 0; y < ch; y++) {
		const uint8_t *row = src + (size_t)(y * sh / ch) * (size_t)stride;
		uint8_t *u = dst->planes[1] + (size_t)y * (size_t)dst->stride[1];
		uint8_t *v = dst->planes[2] + (size_t)y * (size_t)dst->stride[2];
		for (int x = 0; x < cw; x++) {
			const uint8_t *px = row + 4 * (x * (sw / 2) / cw);
			u[x] = px[1];
			v[x] = px[3];
		}
	}
}

/* Planar 4:2:0 (YU12 = I420, YV12 = V and U swapped) scaled into dst. */
static void yuv420_to_i420(const struct camera *c, const uint8_t *src, bool yv12,
			   const struct video_image *dst)
{
	int sw = c->width, sh = c->height, ss = c->stride;
	int cs = ss / 2, csw = (sw + 1) / 2, csh = (sh + 1) / 2;
	const uint8_t *sp[3] = { src, src + (size_t)ss * (size_t)sh, NULL };
	sp[2] = sp[1] + (size_t)cs * (size_t)csh;
	if (yv12) {
		const uint8_t *t = sp[1];
		sp[1] = sp[2];
		sp[2] = t;
	}
	for (int p = 0; p < 3; p++) {
		int w = p ? (dst->width + 1) / 2 : dst->width;
		int h = p ? (dst->height + 1) / 2 : dst->height;
		int fw = p ? csw : sw, fh = p ? csh : sh, fs = p ? cs : ss;
		for (int y = 0; y < h; y++) {
			const uint8_t *row = sp[p] + (size_t)(y * fh / h) * (size_t)fs;
			uint8_t *out = dst->planes[p] + (size_t)y * (size_t)dst->stride[p];
			for (int x = 0; x < w; x++)
				out[x] = row[x * fw / w];
		}
	}
}

static int start(struct camera *c, int width, int height, int fps, char *msg, size_t msglen)
{
	struct v4l2_capability cap = { 0 };
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	static const uint32_t wanted[] = { V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_YUV420,
					   V4L2_PIX_FMT_YVU420 };
	int rc;

	if (xioctl(c->fd, VIDIOC_QUERYCAP, &cap) < 0 ||
	    !(cap.capabilities & V4L2_CAP_VIDEO_CAPTURE) ||
	    !(cap.capabilities & V4L2_CAP_STREAMING)) {
		snprintf(msg, msglen, "not a streaming video capture device");
		return -ENOTSUP;
	}
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		fmt.fmt.pix.width = (uint32_t)width;
		fmt.fmt.pix.height = (uint32_t)height;
		fmt.fmt.pix.pixelformat = wanted[i];
		fmt.fmt.pix.field = V4L2_FIELD_NONE;
		if (xioctl(c->fd, VIDIOC_S_FMT, &fmt) == 0 && fmt.fmt.pix.pixelformat == wanted[i])
			break;
		fmt.fmt.pix.pixelformat = 0;
	}
	if (!fmt.fmt.pix.pixelformat || !fmt.fmt.pix.width || !fmt.fmt.pix.height ||
	    fmt.fmt.pix.width > 4096 || fmt.fmt.pix.height > 4096) {
		snprintf(msg, msglen, "the camera offers no uncompressed YUYV or YUV 4:2:0 format");
		return -ENOTSUP;
	}
	c->fourcc = fmt.fmt.pix.pixelformat;
	c->width = (int)fmt.fmt.pix.width;
	c->height = (int)fmt.fmt.pix.height;
	c->stride = (int)fmt.fmt.pix.bytesperline;
	if (c->stride < (c->fourcc == V4L2_PIX_FMT_YUYV ? 2 * c->width : c->width))
		c->stride = c->fourcc == V4L2_PIX_FMT_YUYV ? 2 * c->width : c->width;

	struct v4l2_streamparm parm = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	parm.parm.capture.timeperframe.numerator = 1;
	parm.parm.capture.timeperframe.denominator = (uint32_t)fps;
	xioctl(c->fd, VIDIOC_S_PARM, &parm); /* a hint; drivers may ignore it */

	struct v4l2_requestbuffers req = { .count = NBUF, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					   .memory = V4L2_MEMORY_MMAP };
	if ((rc = xioctl(c->fd, VIDIOC_REQBUFS, &req)) < 0 || req.count < 2) {
		snprintf(msg, msglen, "the camera gives no capture buffers");
		return rc < 0 ? -EIO : -ENOTSUP;
	}
	for (c->nbuf = 0; c->nbuf < req.count && c->nbuf < NBUF; c->nbuf++) {
		struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = V4L2_MEMORY_MMAP, .index = c->nbuf };
		if (xioctl(c->fd, VIDIOC_QUERYBUF, &b) < 0)
			return -EIO;
		c->buf[c->nbuf].len = b.length;
		c->buf[c->nbuf].p = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
					 b.m.offset);
		if (c->buf[c->nbuf].p == MAP_FAILED) {
			c->buf[c->nbuf].p = NULL;
			return -EIO;
		}
		if (xioctl(c->fd, VIDIOC_QBUF, &b) < 0)
			return -EIO;
	}
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (xioctl(c->fd, VIDIOC_STREAMON, &type) < 0) {
		snprintf(msg, msglen, "the camera does not start streaming");
		return -EIO;
	}
	c->streaming = true;
	return 0;
}

int camera_open(const char *path, int width, int height, int fps, struct camera **out,
		char *msg, size_t msglen)
{
	struct camera *c = calloc(1, sizeof(*c));
	int rc;
	if (!c)
		return -ENOMEM;
	c->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0) {
		rc = errno == ENOENT || errno == ENXIO || errno == ENODEV ? -ENODEV : -EIO;
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		free(c);
		return rc;
	}
	char why[160] = "the camera failed";
	if ((rc = start(c, width, height, fps, why, sizeof(why))) < 0) {
		snprintf(msg, msglen, "%s: %s", path, why);
		camera_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

void camera_close(struct camera *c)
{
	if (!c)
		return;
	if (c->streaming) {
		enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		xioctl(c->fd, VIDIOC_STREAMOFF, &type);
	}
	for (unsigned int i = 0; i < c->nbuf; i++)
		if (c->buf[i].p)
			munmap(c->buf[i].p, c->buf[i].len);
	close(c->fd);
	free(c);
}

int camera_read(struct camera *c, struct video_image *dst)
{
	struct v4l2_buffer b, newest;
	bool have = false;
	int rc;
	for (;;) {
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if ((rc = xioctl(c->fd, VIDIOC_DQBUF, &b)) < 0)
			break;
		if (have)
			xioctl(c->fd, VIDIOC_QBUF, &newest); /* an older one: back to the driver */
		newest = b;
		have = true;
	}
	if (rc != -EAGAIN && !have)
		return -EIO;
	if (!have)
		return 0;
	const uint8_t *p = c->buf[newest.index % c->nbuf].p;
	size_t need = (size_t)c->stride * (size_t)c->height;
	if (c->fourcc != V4L2_PIX_FMT_YUYV)
		need += need / 2;
	if (newest.bytesused >= need || newest.bytesused == 0) {
		if (c->fourcc == V4L2_PIX_FMT_YUYV)
			camera_yuyv_to_i420(p, c->width, c->height, c->stride, dst);
		else
			yuv420_to_i420(c, p, c->fourcc == V4L2_PIX_FMT_YVU420, dst);
	}
	xioctl(c->fd, VIDIOC_QBUF, &newest);
	return 1;
}
