/* A bounded text writer over a caller's buffer: appends printf-style, and when something does
 * not fit it stops writing and the end reports -ENOSPC instead of handing out a truncated text.
 * Used by the writers of protocol text (net/sdp_write.c, src/jitsi/jingle.c).
 * Header-only, pure, any thread. */
#ifndef TTM_UTIL_SBUF_H
#define TTM_UTIL_SBUF_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sbuf {
	char *p;
	size_t cap, len;
	bool full; /* something did not fit: the text is unusable */
};

__attribute__((format(printf, 2, 3)))
static inline void sbuf_put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->full)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->full = true;
		return;
	}
	b->len += (size_t)n;
}

/* The text's length, or -ENOSPC (the buffer then holds ""). */
static inline int sbuf_end(struct sbuf *b)
{
	if (b->full || b->len > INT32_MAX) {
		if (b->cap)
			b->p[0] = '\0';
		return -ENOSPC;
	}
	return (int)b->len;
}

#endif
