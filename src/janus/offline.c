/* The Janus backend without a WebSocket (see session_offline_start in src/session_int.h):
 * what it sends goes to a function of the caller, what the server says comes in through
 * jb_offline_feed, exactly as a WebSocket message would. For the fuzz target of the
 * server-message handling; nothing on the command line or in the environment reaches it.
 */
#include "src/janus/jb.h"

#include <errno.h>

int jb_offline(struct backend *b, int (*send)(void *user, const char *text, size_t len),
	       void *user)
{
	if (!send)
		return -EINVAL;
	b->offline_send = send;
	b->offline_user = user;
	return 0;
}

void jb_offline_feed(struct backend *b, const char *text, size_t len)
{
	if (b->offline_send)
		jb_handle_message(b, text, len);
}
