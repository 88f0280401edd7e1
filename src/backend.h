/* The seam between the meeting model (src/session.c) and one server's protocol.
 *
 * The session knows no server: it keeps the roster (src/roster.h), the chat store and its
 * outbox, the media engine's attachment points, the reconnection policy and the events to its
 * clients. A backend turns one server's protocol into calls of the session_be_* functions
 * below ("events in"), and carries out the session's commands through its ops ("commands
 * out"). Janus is one backend (src/janus/); a backend is chosen from the URL.
 *
 * Attempts: the session calls ops->connect for a connection attempt (and again after a loss,
 * with a new attempt); the backend connects, joins and reports session_be_joined, or reports a
 * failure (session_be_fail, session_be_lost, session_be_pin_needed). ops->drop releases
 * everything of the attempt; the session calls it only from its own idle callback, never from
 * inside a backend callback. ops->leave leaves politely and calls session_be_left when done
 * (the session bounds the wait).
 *
 * Thread: the loop's thread. Strings the backend passes in come from the server and are
 * sanitized by the backend before they reach the session (names, chat), except messages,
 * which session_emit sanitizes again.
 */
#ifndef TTM_SRC_BACKEND_H
#define TTM_SRC_BACKEND_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/peer.h"
#include "src/session.h"

struct backend;
struct roster;

/* What the session gives a backend at create; pointers outlive the backend. */
struct backend_env {	/* cfg->pin may change between attempts (session_set_pin) */
	GMainContext *main;
	struct ws_ctx *ws;
	const struct session_config *cfg; /* strings valid for the backend's life; name is NULL
					   * (it can change: session_be_name) */
	const struct peer_config *peer;   /* ICE/DTLS settings every PeerConnection starts from */
	struct roster *roster;
	struct media *media;              /* NULL: no audio */
};

struct backend_ops {
	const char *name; /* "janus" */
	bool no_audio;    /* the backend brings no audio (yet): the events say so */
	int (*create)(struct session *s, const struct backend_env *env, struct backend **out);
	void (*destroy)(struct backend *b);
	/* One connection attempt: connect, join, then follow the meeting. */
	void (*connect)(struct backend *b);
	/* Releases the attempt's transport (no callback afterwards until the next connect); why
	 * (NULL: silent) is said to the clients if it ends what they see (the video preview). */
	void (*drop)(struct backend *b, const char *why);
	/* Leaves the meeting politely: 0 and session_be_left later, or -ENOTCONN when there is
	 * nothing to leave (the session finishes at once). */
	int (*leave)(struct backend *b);
	/* Our name (session_be_name) changed: tell the server. want_reply: answer with
	 * session_be_renamed. 0 (sent), or an error (nothing went out). */
	int (*set_name)(struct backend *b, bool want_reply);
	/* Mute on the server (the media engine stopped sending already). */
	int (*set_muted)(struct backend *b, bool muted);
	/* Sends chat to the room (to_user NULL) or to the chat user to_user (a roster chat
	 * user name). 0, -ENOTCONN/-EAGAIN (not now: stays queued), other errors drop it. */
	int (*chat_send)(struct backend *b, const char *to_user, const char *text);
	/* Forgets every chat text the backend holds (pending private messages). */
	void (*chat_wipe)(struct backend *b);
	/* Video: receive on/off, show a feed by name (NULL: the next), follow a talker. */
	int (*video_receive)(struct backend *b, bool on);
	int (*video_show)(struct backend *b, const char *name);
	void (*video_follow)(struct backend *b, const char *name);
	void (*video_stats)(struct backend *b, struct session_video_stats *out);
	/* Trickled candidates taken per link since start (may be NULL). */
	const unsigned *(*trickled)(struct backend *b);
	/* Offline mode (tests, fuzzing): sends go to send, server text comes in via feed. */
	int (*offline)(struct backend *b, int (*send)(void *user, const char *text, size_t len),
		       void *user);
	void (*offline_feed)(struct backend *b, const char *text, size_t len);
};

extern const struct backend_ops janus_backend_ops;
extern const struct backend_ops jitsi_backend_ops; /* src/jitsi/backend.c */

/* ---- events in: what a backend tells the session ---- */

/* The room is joined (again): self_id is our id in the room, room_type names the kind of
 * meeting for the user (Janus: "audiobridge" or "videoroom"). The roster is the backend's to
 * fill (src/roster.h) before or after. Returns true when this is a rejoin. */
bool session_be_joined(struct session *s, uint64_t self_id, const char *room_type);
/* The server or the media path went away: rejoin (or fail before the first join). */
void session_be_lost(struct session *s, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Like session_be_lost, but reconnects even before the first join (the cause was dealt with,
 * e.g. a larger message limit for the next attempt). */
void session_be_retry(struct session *s, const char *why);
/* A failure that ends the meeting: ERROR event, then a polite leave when transport_ok. */
void session_be_fail(struct session *s, int code, bool transport_ok, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
/* The room refused the pin (or needs one): asks the user when the session may (ask_pin,
 * before the first join), else fails with exit 4 and a line naming the way out. */
void session_be_pin_refused(struct session *s, const char *reason, int code);
/* A polite leave (ops->leave) has finished. */
void session_be_left(struct session *s);
/* A server message broke the protocol: before the first join that ends the session (exit 3);
 * once joined it is ignored with a rate-limited notice. */
void session_be_protocol_error(struct session *s, const char *why);
/* Before the join, the room keeps us waiting (kind: see SESSION_EV_WAITING): a WAITING event
 * with the message; the backend keeps the attempt alive (no session timeout applies). */
void session_be_waiting(struct session *s, const char *kind, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
/* Something the user should know: a NOTICE event. */
void session_be_notice(struct session *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Audio media up (connected) or down; for down, the session decides between rejoin and
 * failure (never worth a retry: fatal, or a path that never worked). */
void session_be_audio_up(struct session *s, gint64 t_ice, gint64 t_dtls, const char *how);
void session_be_audio_down(struct session *s, bool fatal, const char *why);
/* The server took our new name (or refused it: reason, code). */
void session_be_renamed(struct session *s, bool refused, const char *reason, int code);
/* Our mute state as the server confirmed it. */
void session_be_muted(struct session *s, bool muted);
/* Chat: the channel is up (queued messages go out now), a message arrived (already
 * sanitized; from_user: the sender's chat user name, NULL for the server; self: ours), a
 * message failed, the channel is down (why). */
void session_be_chat_up(struct session *s);
void session_be_chat_message(struct session *s, const char *from_user, const char *display,
			     const char *to, const char *text, bool self, bool private_msg);
void session_be_chat_down(struct session *s, const char *why);
/* A message the room replays from before we joined (history): stored and shown as such, never
 * as new. time_us: when it was said (µs since the epoch; 0: unknown, now is used). */
void session_be_chat_history(struct session *s, const char *from_user, const char *display,
			     const char *text, int64_t time_us);
/* Hands out any other session event unchanged (video frames, video state, ...). */
void session_be_emit(struct session *s, struct session_event *ev);

/* ---- what a backend may read ---- */
bool session_be_is_joined(const struct session *s);
bool session_be_muted_now(const struct session *s);
const char *session_be_name(const struct session *s);
bool session_be_video_receive(const struct session *s);
uint64_t session_be_self_id(const struct session *s);

#endif
