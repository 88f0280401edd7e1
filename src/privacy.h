/* The privacy notice: what ttymeet sends and stores, built from the actual settings (server,
 * name, muted, video, STUN/TURN hosts, --log, --record) in the user's language, with the
 * server operator's own notice (--privacy-notice FILE, read bounded and sanitized) appended.
 * The TUI shows it before connecting; privacy_print_notice writes it as plain text (headless
 * mode without --accept-privacy). What it says about chat memory follows a probe of whether
 * that memory can be locked here (RLIMIT_MEMLOCK), and what it says about the transport
 * follows ws:// (unauthenticated: the DTLS fingerprint can be swapped), wss:// and
 * --insecure. Main thread only; pure apart from reading the operator's
 * file and writing to the given stream.
 */
#ifndef TTM_SRC_PRIVACY_H
#define TTM_SRC_PRIVACY_H

#include <stdbool.h>
#include <stdio.h>

#include "src/cli.h"
#include "src/i18n.h"
#include "src/secmem.h"

#define PRIVACY_OPERATOR_MAX 16384 /* bytes of the operator's notice shown (more is cut) */

/* Reads the operator's notice from path (a regular file): at most PRIVACY_OPERATOR_MAX bytes,
 * sanitized (newlines kept, no control characters or escape sequences). *out is g_malloc'd
 * (g_free it); *cut tells whether the file was longer. Returns 0 or a negative errno code with a
 * one-line reason in err. */
int privacy_read_operator_notice(const char *path, char **out, bool *cut, char *err,
				 size_t errlen);
/* Builds the notice body (no title) for these options in lang: UTF-8 lines separated by '\n',
 * paragraphs by an empty line, list items starting with "  - ". mem says whether the chat
 * memory this run needs can be locked (privacy_probe_memory). operator_text is the sanitized
 * operator notice or NULL. *out is g_malloc'd (g_free it). Returns 0. */
int privacy_notice_build(const struct cli_options *o, enum i18n_lang lang,
			 const struct secmem_lock_info *mem, const char *operator_text,
			 bool operator_cut, char **out);
/* Probes whether the locked memory of this run can be locked: one session's chat memory per
 * participant, the pool of the other copies (net/lockpool.h, shared), plus extra bytes (the
 * terminal UI's own stores). */
void privacy_probe_memory(const struct cli_options *o, size_t extra,
			  struct secmem_lock_info *mem);
/* The server host named in the notice (from the URL), into host. */
void privacy_server_host(const struct cli_options *o, char *host, size_t hostlen);
/* Writes the title and the notice for these options as plain text, in the environment's
 * language, reading the operator's notice itself when one is configured. */
void privacy_print_notice(FILE *out, const struct cli_options *o);

#endif
