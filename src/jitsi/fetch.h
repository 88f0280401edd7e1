/* Fetches a deployment's /config.js over HTTP(S) with GIO (already linked; TLS through GIO's
 * TLS backend, glib-networking), bounded in size and time.
 *
 * One GET /config.js HTTP/1.0 to the link's origin (HTTP/1.0: no chunked answers), the
 * answer read to its end up to JITSI_CONFIGJS_MAX bytes of body; only a 200 counts (redirects
 * are not followed). The callback comes once, from the loop of main, unless the fetch is
 * destroyed first. Thread: main's loop.
 */
#ifndef TTM_SRC_JITSI_FETCH_H
#define TTM_SRC_JITSI_FETCH_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/jitsi/config.h"

#define JITSI_FETCH_TIMEOUT_MS 5000

struct jitsi_fetch;

/* err 0: body[0..len) is the file (NUL-terminated, valid until the callback returns); else a
 * negative errno and why, one line (the status, "timed out", a socket or TLS error). */
typedef void (*jitsi_fetch_cb)(void *user, int err, const char *body, size_t len,
			       const char *why);

/* Starts the fetch; insecure: no certificate verification (https). 0 or -ENOMEM. */
int jitsi_fetch_start(GMainContext *main, const struct jitsi_link *link, bool insecure,
		      jitsi_fetch_cb cb, void *user, struct jitsi_fetch **out);
/* Cancels (no callback afterwards) and frees; NULL is fine. */
void jitsi_fetch_destroy(struct jitsi_fetch *f);

#endif
