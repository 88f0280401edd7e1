/* Unit tests for the PortAudio backend's stream path without hardware: HOME points at a
 * temporary directory whose .asoundrc makes ALSA's "default" PCM the null plugin, so
 * PortAudio sees one device. Capture and playback streams really run (callbacks, rings,
 * format negotiation), names are matched case-insensitively and by substring, and a name that
 * matches nothing is -ENOENT when devices exist. (The null plugin does not pace itself, so
 * the frame counts only show that audio flows, not real-time behaviour.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/device.h"

static char home[64];
static char rc_path[128];

static int setup(void **state)
{
	FILE *f;

	snprintf(home, sizeof(home), "/tmp/ttm_pa_XXXXXX");
	if (!mkdtemp(home))
		return -1;
	snprintf(rc_path, sizeof(rc_path), "%s/.asoundrc", home);
	f = fopen(rc_path, "w");
	if (!f)
		return -1;
	fputs("pcm.!default {\n\ttype null\n}\n", f);
	fclose(f);
	/* Before PortAudio (and so ALSA) is first initialised in this process. */
	return setenv("HOME", home, 1);
}

static int teardown(void **state)
{
	unlink(rc_path);
	rmdir(home);
	return 0;
}

struct found {
	int n;
	int has_default;
};

static void on_device(const struct audio_device_info *info, void *arg)
{
	struct found *f = arg;

	f->n++;
	if (!strcmp(info->name, "default") && info->max_in > 0 && info->max_out > 0)
		f->has_default = 1;
}

static void test_list(void **state)
{
	struct found f = { 0 };
	int n = audio_device_list(on_device, &f);

	assert_true(n >= 1);
	assert_int_equal(f.n, n);
	assert_true(f.has_default);
}

static void test_streams_run(void **state)
{
	struct audio_source *src;
	struct audio_sink *sink;
	struct audio_dev_stats st;
	int16_t frame[AUDIO_FRAME] = { 0 };
	int i, rc, captured = 0, written = 0;

	assert_int_equal(audio_source_open(&src, "portaudio", "DEFAULT", 0), 0);
	assert_int_equal(audio_sink_open(&sink, "portaudio", "efaul", 0), 0);
	for (i = 0; i < 10; i++) {
		usleep(20000);
		while ((rc = audio_source_read(src, frame)) == 1)
			captured++;
		assert_int_equal(rc, 0);
		rc = audio_sink_write(sink, frame);
		assert_true(rc == 0 || rc == 1);
		written += rc;
	}
	assert_true(captured > 0);
	assert_true(written > 0);
	audio_source_stats(src, &st);
	assert_int_equal(st.frames, (uint64_t)captured);
	audio_sink_stats(sink, &st);
	assert_int_equal(st.frames, (uint64_t)written);
	audio_source_close(src);
	assert_int_equal(audio_sink_close(sink), 0);
}

static void test_unknown_name_with_devices(void **state)
{
	struct audio_source *src;
	struct audio_sink *sink;

	assert_int_equal(audio_source_open(&src, "portaudio", "no-such-device-xyzzy", 0),
			 -ENOENT);
	assert_int_equal(audio_sink_open(&sink, "portaudio", "no-such-device-xyzzy", 0),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_streams_run),
		cmocka_unit_test(test_unknown_name_with_devices),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
