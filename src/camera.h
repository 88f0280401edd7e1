/* A V4L2 camera as a video source: the device is opened with the size and rate asked for
 * (the driver may pick the nearest), streams through four mmap buffers, and each read takes
 * the newest frame, converted (YUYV 4:2:2 or planar YUV 4:2:0) and scaled to an I420 picture
 * of our size. Compressed formats (MJPEG, H.264) are refused with a clear message.
 * Thread: one owner; camera_read() never blocks.
 */
#ifndef TTM_SRC_CAMERA_H
#define TTM_SRC_CAMERA_H

#include <stddef.h>
#include <stdint.h>

#include "src/video.h"

struct camera;

/* Opens path (e.g. "/dev/video0") and starts streaming. Returns 0, -ENODEV (no such device),
 * -ENOTSUP (not a capture device, or only compressed formats), -EIO; msg gets one line. */
int camera_open(const char *path, int width, int height, int fps, struct camera **out,
		char *msg, size_t msglen);
void camera_close(struct camera *c);
/* Writes the newest frame into dst (any size): 1, or 0 when no new frame is ready, or -EIO
 * when the device went away. */
int camera_read(struct camera *c, struct video_image *dst);

/* Converts a packed YUYV picture (sw x sh, stride bytes per row) into dst, scaling with
 * nearest neighbours. Exposed for tests. */
void camera_yuyv_to_i420(const uint8_t *src, int sw, int sh, int stride,
			 const struct video_image *dst);

#endif
