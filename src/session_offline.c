/* The session without a WebSocket (see session_offline_start in session_int.h): what it sends
 * goes to a function of the caller, what the server says comes in through
 * session_offline_feed, exactly as ws_message would hand it over. For the fuzz target of the
 * server-message handling; nothing on the command line or in the environment reaches it.
 */
#include "src/session.h"
#include "src/session_int.h"

#include <errno.h>

int session_offline_start(struct session *s, int (*send)(void *user, const char *text, size_t len),
			  void *user)
{
	if (s->state != ST_IDLE || !send)
		return s->state != ST_IDLE ? -EALREADY : -EINVAL;
	s->offline_send = send;
	s->offline_user = user;
	return session_start(s);
}

void session_offline_feed(struct session *s, const char *text, size_t len)
{
	if (!s->offline_send || !s->janus || s->state == ST_DONE)
		return;
	janus_handle_message(s->janus, text, len);
	session_trickle_retry(s);
}
