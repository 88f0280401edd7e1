/* Writes ttymeet's moving test pattern as a Y4M clip (YUV 4:2:0) on stdout, for players such as
 * mpv in tests/bench/video_term_bench.py. Frame n is drawn by src/testpattern.c's own
 * testpattern_draw(), the function the publisher (src/vsend.c) draws with, so the clip holds
 * exactly the pictures ttymeet encodes and sends (before VP8 coding).
 *
 * Build (the bench script does it): cc -std=c11 -O2 -I ROOT tests/bench/tp2y4m.c
 *   src/testpattern.c -o tp2y4m
 * Usage: tp2y4m [WIDTH HEIGHT FPS SECONDS] > clip.y4m  (default 320 180 10 40)
 * Single-threaded command-line tool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/testpattern.h"

static int parse_arg(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int write_clip(FILE *f, int w, int h, int fps, int seconds)
{
	struct video_image img;
	int cw = (w + 1) / 2, ch = (h + 1) / 2;
	size_t ysize = (size_t)w * (size_t)h, csize = (size_t)cw * (size_t)ch;
	size_t frame_size = ysize + 2 * csize;
	uint8_t *buf = malloc(frame_size);
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	memset(&img, 0, sizeof(img));
	img.width = w;
	img.height = h;
	img.planes[0] = buf;
	img.planes[1] = buf + ysize;
	img.planes[2] = buf + ysize + csize;
	img.stride[0] = w;
	img.stride[1] = cw;
	img.stride[2] = cw;
	if (fprintf(f, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", w, h, fps) < 0) {
		rc = -EIO;
		goto out;
	}
	for (int n = 0; n < fps * seconds; n++) {
		testpattern_draw(&img, (uint64_t)n);
		if (fputs("FRAME\n", f) == EOF || fwrite(buf, 1, frame_size, f) != frame_size) {
			rc = -EIO;
			goto out;
		}
	}
	if (fflush(f) != 0)
		rc = -EIO;
out:
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	int w = 320, h = 180, fps = 10, seconds = 40;

	if (argc != 1 && argc != 5) {
		fprintf(stderr, "usage: tp2y4m [WIDTH HEIGHT FPS SECONDS] > clip.y4m\n");
		return 2;
	}
	if (argc == 5 && (parse_arg(argv[1], 2, 4096, &w) || parse_arg(argv[2], 2, 4096, &h) ||
			  parse_arg(argv[3], 1, 120, &fps) || parse_arg(argv[4], 1, 3600, &seconds))) {
		fprintf(stderr, "tp2y4m: bad arguments\n");
		return 2;
	}
	if (write_clip(stdout, w, h, fps, seconds) < 0) {
		fprintf(stderr, "tp2y4m: write failed\n");
		return 1;
	}
	return 0;
}
