/* Small helpers for GLib main-loop sources, shared by every module that owns timers and idle
 * callbacks. Header only; any thread that owns the source. */
#ifndef TTM_NET_LOOP_H
#define TTM_NET_LOOP_H

#include <glib.h>

/* Detaches and releases the source *src holds (if any) and clears the pointer. */
static inline void loop_source_drop(GSource **src)
{
	if (*src) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

#endif
