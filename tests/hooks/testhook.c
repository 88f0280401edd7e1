/* The test-only hooks of util/testhook.h, read from the environment. Linked into test programs
 * only (tests/CMakeLists.txt); the shipped ttymeet has none of this. */
#include "util/testhook.h"

#include <stdlib.h>
#include <string.h>

bool testhook_tamper_fingerprint(void)
{
	const char *v = getenv("TTYMEET_TEST_TAMPER_FINGERPRINT");
	return v && !strcmp(v, "1");
}

const char *testhook_portaudio_lib(void)
{
	const char *v = getenv("TTYMEET_PORTAUDIO_LIB");
	return v && *v ? v : NULL;
}
