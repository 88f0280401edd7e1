/* Sanitizing untrusted text (names, chat, server strings) before it reaches a screen or a log.
 *
 * Output is valid UTF-8 without C0/C1 controls, DEL, escape sequences (CSI, OSC, DCS, …, also
 * their 8-bit C1 forms) or bidirectional overrides; invalid bytes become U+FFFD; the result is
 * truncated at a character boundary to fit. Pure functions, any thread.
 */
#ifndef TTM_SRC_TEXT_H
#define TTM_SRC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the sanitized form of in[0..len) to out (always NUL-terminated when outlen > 0).
 * keep_newlines keeps '\n' (chat bodies); tabs become a space. Returns the output length. */
size_t text_sanitize(const char *in, size_t len, char *out, size_t outlen, bool keep_newlines);

/* True if s (NUL-terminated) is already clean: what text_sanitize would leave unchanged. */
bool text_is_clean(const char *s);

#endif
