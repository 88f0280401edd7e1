/* Test-only hooks: ways for tests to break things on purpose that no user should have.
 *
 * They are declared weak and defined only in tests/hooks/testhook.c, which is linked into the
 * test programs (the unit tests and ttymeet-testhooks), never into ttymeet itself: there the
 * symbols are NULL, and the environment variables that drive the hooks are not even named in
 * the binary (a test checks that with its bytes). Call them through TESTHOOK(fn, fallback).
 * Main thread (read once at start-up). */
#ifndef TTM_UTIL_TESTHOOK_H
#define TTM_UTIL_TESTHOOK_H

#include <stdbool.h>

/* TTYMEET_TEST_TAMPER_FINGERPRINT=1: corrupt the server's DTLS fingerprint before the check. */
bool testhook_tamper_fingerprint(void) __attribute__((weak));
/* TTYMEET_PORTAUDIO_LIB: the library file to load instead of PortAudio; NULL: PortAudio. */
const char *testhook_portaudio_lib(void) __attribute__((weak));

/* fn() when the hooks are linked in, else fallback. */
#define TESTHOOK(fn, fallback) ((fn) ? (fn)() : (fallback))

#endif
