/* Unit tests for the PortAudio backend when PortAudio cannot be loaded (it is opened with
 * dlopen at the first use): TTYMEET_PORTAUDIO_LIB names a library that is missing, or one
 * that exists but is not PortAudio. Listing and opening fail with -ELIBACC every time, the
 * message names PortAudio, and the other backends are unaffected. Each case is a separate
 * process (the load is attempted once per process), so main forks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audio/device.h"

static void count(const struct audio_device_info *info, void *arg)
{
	(*(int *)arg)++;
}

static void check_unloadable(void **state)
{
	struct audio_source *src = NULL;
	struct audio_sink *sink = NULL;
	int16_t frame[AUDIO_FRAME];
	int seen = 0, i;

	for (i = 0; i < 2; i++) { /* the failure is remembered, not retried into a crash */
		assert_int_equal(audio_device_list(count, &seen), -ELIBACC);
		assert_int_equal(audio_source_open(&src, "portaudio", NULL, 0), -ELIBACC);
		assert_int_equal(audio_sink_open(&sink, "portaudio", "default", 0), -ELIBACC);
	}
	assert_int_equal(seen, 0);
	assert_null(src);
	assert_null(sink);
	assert_non_null(strstr(audio_strerror(-ELIBACC), "PortAudio"));
	/* The file and null backends do not need it. */
	assert_int_equal(audio_source_open(&src, "null", NULL, 0), 0);
	assert_int_equal(audio_source_read(src, frame), 1);
	audio_source_close(src);
	assert_int_equal(audio_sink_open(&sink, "null", NULL, 0), 0);
	assert_int_equal(audio_sink_write(sink, frame), 1);
	assert_int_equal(audio_sink_close(sink), 0);
}

/* Runs check_unloadable() in a child with TTYMEET_PORTAUDIO_LIB=lib. */
static void run_with_lib(const char *lib)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		const struct CMUnitTest t[] = { cmocka_unit_test(check_unloadable) };

		setenv("TTYMEET_PORTAUDIO_LIB", lib, 1);
		_exit(cmocka_run_group_tests_name(lib, t, NULL, NULL) ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_missing_library(void **state)
{
	run_with_lib("/nonexistent/libportaudio.so.2");
}

static void test_not_portaudio(void **state)
{
	run_with_lib("libm.so.6"); /* loads, but has no Pa_* entry points */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_not_portaudio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
