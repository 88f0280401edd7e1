/* The meeting model: one participant's session with one server, its roster and state.
 *
 * A session connects to a server, joins the room and then follows the room's events, keeping
 * the roster, the chat and the media state. The server's protocol is a backend's
 * (src/backend.h; Janus: src/janus/), chosen from the URL. Its clients — the headless driver,
 * the TUI — receive typed events through one callback and act through the session_*
 * commands; they never see the protocol. Many sessions may share one loop and one ws_ctx.
 * Thread: the loop's thread only. Events are delivered from the loop, never from inside a
 * session_* call.
 */
#ifndef TTM_SRC_SESSION_H
#define TTM_SRC_SESSION_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/ws.h"
#include "src/chat.h"
#include "src/media.h"
#include "src/video.h"

#define SESSION_NAME_MAX 128 /* bytes of a sanitized display name */
#define SESSION_ROSTER_MAX 4096
#define SESSION_CHAT_MAX 4096 /* bytes of one chat message */
#define SESSION_NICK_MAX 64   /* bytes of a name session_set_name takes (as --name) */

struct session;

/* Video: receive a preview, publish a source, or both. */
struct session_video_config {
	bool receive;          /* subscribe to one feed at a time (SESSION_EV_VIDEO_FRAME) */
	const char *source;    /* publish: "testpattern" or "v4l2:/dev/videoN"; NULL: do not */
	int width, height, fps, kbps; /* publishing; 0: 320 x 180, 10 fps, 150 kbit/s */
	enum video_codec codec;       /* publishing: VP8 (default) or VP9 */
	bool simulcast;               /* publishing: a half-size layer too */
};

struct session_config {
	const char *url;
	uint64_t room;
	const char *name;
	const char *pin;  /* NULL: none */
	bool ask_pin;     /* a room that refuses the pin before the first join asks for one
			   * (SESSION_EV_PIN_NEEDED, then session_set_pin) instead of failing */
	bool insecure;
	bool muted;       /* join muted */
	gint64 t0;        /* monotonic µs that event times count from */
	struct media *media; /* audio engine (not owned); NULL joins without media */
	const char *stun_server;           /* "host:port" or NULL */
	const char *turn_url, *turn_user, *turn_password;
	const char *const *local_addrs;    /* ICE interfaces/addresses, NULL = all */
	unsigned stats_interval_ms;        /* 0 = no stats events */
	unsigned keepalive_ms;             /* Janus keepalive period; 0 = JANUS_KEEPALIVE_MS. A
					    * keepalive unanswered for JANUS_KEEPALIVE_ANSWER_MS
					    * makes the session reconnect. */
	int bitrate;                       /* our Opus bitrate (bit/s), announced in the SDP */
	unsigned give_up_ms;               /* reconnecting after a lost connection ends after
					    * this long; 0 = 60 s */
	bool hold_on_give_up;              /* then: SESSION_EV_GAVE_UP and wait, unconnected, for
					    * session_retry or session_leave (exit 3), instead of
					    * ERROR and LEFT (the TUI; headless runs end) */
	bool tamper_fingerprint;           /* tests only: corrupt the server's DTLS fingerprint */
	const char *room_type;             /* Janus: "auto" (NULL), "audiobridge" or "videoroom":
					    * which plugin's room the number means (src/janus/
					    * choose.c) */
	struct session_video_config video; /* all zero: no video */
	/* Jitsi Meet links (src/jitsi/): overrides of /config.js (NULL: not given) and a token
	 * (NULL: none). Not copied by the session: they outlive it (the backend copies the token
	 * at create, so the caller may wipe it after session_create). */
	const char *xmpp_websocket, *xmpp_domain, *xmpp_muc, *xmpp_focus, *jwt;
	const char *room_name; /* a room named, not numbered (a Jitsi link's room): the events
				* carry it instead of room; NULL: the numeric room. Not copied:
				* it outlives the session */
	/* an XMPP login instead of anonymous access (NULL: none; the backend copies the
	 * password at create), and PLAIN allowed over ws:// */
	const char *xmpp_user, *xmpp_password;
	bool xmpp_allow_plain;
	bool no_p2p; /* Jitsi: no peer-to-peer sessions (--no-p2p) */
};

enum session_event_type {
	SESSION_EV_CONNECTING,
	SESSION_EV_JOINED,
	SESSION_EV_PARTICIPANT_JOINED,
	SESSION_EV_PARTICIPANT_LEFT,
	SESSION_EV_MUTED,
	SESSION_EV_TALKING,
	SESSION_EV_MEDIA,
	SESSION_EV_CHAT,
	SESSION_EV_NOTICE,  /* something the user should know, not an error: message */
	SESSION_EV_STATS,
	SESSION_EV_RECONNECTING,
	SESSION_EV_ERROR,
	SESSION_EV_LEFT,
	SESSION_EV_VIDEO,       /* the preview shows feed id/name (on), or stopped (message) */
	SESSION_EV_VIDEO_FRAME, /* a decoded picture of the shown feed: id, name, image */
	SESSION_EV_PIN_NEEDED,  /* ask_pin only: room, message; on: a pin was given and refused.
				 * The session waits, unconnected, for session_set_pin or _leave */
	SESSION_EV_GAVE_UP,     /* hold_on_give_up only: reconnecting gave up (message: why);
				 * waits for session_retry or session_leave */
	SESSION_EV_RENAMED,     /* participant id (self: us) is now called name, was old_name */
	SESSION_EV_ROLE,        /* participant id (self: us) is now a moderator of the room (on),
				 * or no longer (Jitsi: the MUC role) */
	SESSION_EV_WAITING,     /* before the join: the room keeps us waiting (kind: "focus"
				 * not ready, "host" no moderator yet, "live" not started,
				 * "lobby" knocking), message says so; JOINED or ERROR ends it */
	SESSION_EV_SPEAKER,     /* participant id (self: us) is the meeting's main speaker now
				 * (on), or no longer (off): the one the server ranks first by
				 * speech (Jitsi: the bridge's dominant speaker, whose video it
				 * forwards). At most one at a time; none where the server names
				 * none (Janus). One who leaves gets an off event (and
				 * TALKING off if talking) just before PARTICIPANT_LEFT */
};

struct session_video_stats {
	bool receiving, publishing;
	uint64_t frames;          /* decoded pictures shown to the client, since start */
	double fps_in, kbps_in;   /* over the interval since the previous call */
	double fps_out, kbps_out;
	int width, height;        /* of the last picture */
	uint64_t lost, nacks, plis;
};

/* Strings are sanitized (no control characters) and valid during the callback only. */
struct session_event {
	enum session_event_type type;
	double t;            /* seconds since config.t0 */
	uint64_t id;         /* participant (own id for JOINED); CHAT: the sender's roster entry
			      * (0: none known) */
	const char *name;    /* JOINED, PARTICIPANT_*, RENAMED (the new name) */
	const char *old_name; /* RENAMED: the name before */
	bool on;             /* MUTED, TALKING, SPEAKER; PARTICIPANT_JOINED: muted */
	bool self;           /* the event is about us */
	bool chat_only;      /* PARTICIPANT_*: in the chat room only, not in the call; CHAT: the
			      * sender is a chat-only identity (not proven to be a call
			      * participant, src/chatid.h): name is its chat display name */
	bool no_audio;       /* JOINED, PARTICIPANT_JOINED: the meeting carries no audio to us
			      * (a backend without media yet): nobody is heard */
	bool merged;         /* PARTICIPANT_LEFT: a chat-only entry now shown to be a call
			      * participant (a PARTICIPANT_JOINED for the call entry follows,
			      * unless that entry is there already) */
	int code;            /* ERROR: exit code (src/exitcode.h) */
	const char *message; /* ERROR */
	const char *reason;  /* LEFT: "duration", "signal", "user", "error", "kicked" */
	const char *url;     /* CONNECTING */
	uint64_t room;       /* CONNECTING, JOINED */
	const char *room_name; /* CONNECTING, JOINED: the room's name when it has one (then
				* room is 0) */
	const char *text;    /* CHAT: the message (sanitized, may contain '\n') */
	const char *to;      /* CHAT: private message we sent: the recipient; else NULL */
	bool private_msg;    /* CHAT: a private message (to us, or from us) */
	bool history;        /* CHAT: said before we joined, replayed by the room (Jitsi: the
			      * MUC's stamped history), not a new message */
	const char *kind;    /* MEDIA: "audio", "chat" or "video"; VIDEO: the codec shown;
			      * JOINED: the kind of meeting ("audiobridge", "videoroom");
			      * WAITING: what we wait for */
	const char *state;   /* MEDIA: "connected" / "failed" */
	const struct media_stats *stats; /* STATS */
	double join_ms;      /* MEDIA connected: process start (t0) to media flowing */
	double signaling_ms, ice_ms, dtls_ms; /* MEDIA audio connected: t0 to joined, to ICE
					       * connected, to DTLS done (first join only) */
	int attempt;         /* RECONNECTING */
	const struct video_image *image; /* VIDEO_FRAME */
	const struct session_video_stats *video; /* STATS, when the session has video */
	unsigned participants;    /* STATS: session_participant_count (all in the room) */
	const unsigned *trickled; /* STATS: server candidates received by trickle and used, per
				   * enum session_trickle_kind, since start (Janus full_trickle) */
};

enum session_trickle_kind {
	SESSION_TRICKLE_AUDIO, SESSION_TRICKLE_CHAT, SESSION_TRICKLE_VIDEO, SESSION_TRICKLE_KINDS
};

typedef void (*session_event_cb)(void *user, const struct session_event *ev);

/* One person of the roster (src/roster.h): a call participant (with the chat user merged into
 * it, if any), or a chat room user who is not in the call (chat_only; its id is not a call
 * participant's id). */
struct session_participant {
	uint64_t id;
	char name[SESSION_NAME_MAX];
	bool muted, talking, self, chat_only;
	bool moderator; /* a moderator of the room (Jitsi); false where the server has none */
	bool speaker;   /* the meeting's main speaker (SESSION_EV_SPEAKER) */
};

/* Creates a session (copies the config strings); nothing happens until session_start. */
int session_create(GMainContext *main, struct ws_ctx *ws, const struct session_config *cfg,
		   session_event_cb cb, void *user, struct session **out);
/* Connects and joins; progress and failures arrive as events. */
int session_start(struct session *s);
/* Leaves the room cleanly (detach, destroy, close); ends with a LEFT event carrying reason.
 * Safe to call in any state and more than once. */
void session_leave(struct session *s, const char *reason);
/* After SESSION_EV_PIN_NEEDED: joins again (a new connection) with pin (copied; wiped when
 * no longer needed). 0, -EALREADY when no pin is awaited, -EINVAL for an empty pin, -ENOMEM. */
int session_set_pin(struct session *s, const char *pin);
/* After SESSION_EV_GAVE_UP: tries again (reconnecting for give_up_ms more). 0, or -EALREADY
 * when the session is not waiting. */
int session_retry(struct session *s);
/* Asks the room to (un)mute us; a MUTED event confirms. */
int session_set_muted(struct session *s, bool muted);
bool session_is_muted(const struct session *s);
/* Renames us in the meeting (src/session_nick.c): name must be what --name takes (1 to
 * SESSION_NICK_MAX bytes, text_is_clean_name). The call's display changes (keeping our chat
 * identity's claim, src/chatid.h), so the others' rosters, and chat lines they attribute to
 * us, show the new name; the chat room's own user list keeps the old one (Janus 1.1.2's
 * TextRoom renames nobody). Later joins (a reconnect) use the new name. A RENAMED event (self)
 * follows once the server took it; if it refuses, a NOTICE says so and the old name stays.
 * 0, -EINVAL (empty or not a clean name), -ENAMETOOLONG, -EALREADY (that is our name),
 * -EBUSY (a rename is on its way), -ENOTCONN (not joined), -ENOTSUP (this server cannot
 * rename: not returned by the Janus backend), -ENOMEM. */
int session_set_name(struct session *s, const char *name);
/* session_set_name's refusal rc in plain words (English, for logs and headless notices). */
const char *session_name_error(int rc);
/* Our name: the one given, or the last one set with session_set_name. */
const char *session_name(const struct session *s);
/* Sends a chat message to the room, or privately to the participant named to (NULL = room).
 * Queued (bounded) until the chat channel is up. 0, -EMSGSIZE (over SESSION_CHAT_MAX bytes),
 * -ENOBUFS (queue full), -EINVAL (empty or not UTF-8 text). */
int session_send_chat(struct session *s, const char *to, const char *text);
/* As session_send_chat, privately to the roster entry with id (session_participant.id): one
 * of two people with the same name. */
int session_send_chat_to(struct session *s, uint64_t id, const char *text);
/* The chat history (read-only; valid until the session is destroyed). */
const struct chat_store *session_chat(const struct session *s);
/* Wipes every chat text the session holds (history, outbox, the chat link with its pending
 * private messages) at once, for an exit that cannot wait for a clean leave. Returns the
 * number of messages wiped. The session stays usable (it no longer chats until a rejoin). */
unsigned session_wipe_chat(struct session *s);
/* Bytes of locked memory one session asks for (its chat store and DTLS plaintext buffer), for
 * the privacy notice. */
size_t session_chat_locked_bytes(void);

/* Video preview on or off (off unsubscribes: the server stops sending). -ENOTSUP when the
 * session was created without video. */
int session_set_video(struct session *s, bool on);
bool session_video_on(const struct session *s);
/* Shows the participant named name's video (the user's choice, kept), or with name NULL
 * the next one. -ENOENT (no such video; for the next one: nobody sends video), -EALREADY
 * (the next one: the only sender is shown already), -ENOTCONN (no video link yet). */
int session_show_video(struct session *s, const char *name);

void session_get_video_stats(const struct session *s, struct session_video_stats *out);

/* Exit code the session ended with (TTM_EXIT_OK until something failed). */
int session_exit_code(const struct session *s);
bool session_is_done(const struct session *s);
/* How many are in the room, ourselves and chat-only users included, also those past
 * SESSION_ROSTER_MAX who are counted but not listed. *exact (may be NULL) false: in an even
 * bigger room the count is a lower bound (a NOTICE event said so). */
unsigned session_participant_count(const struct session *s, bool *exact);
/* Calls fn for every participant in the roster, self included (at most SESSION_ROSTER_MAX). */
void session_foreach_participant(const struct session *s,
				 void (*fn)(void *user, const struct session_participant *p),
				 void *user);
/* Frees the session; no event follows. Call after LEFT, or to abandon it. */
void session_destroy(struct session *s);

#endif
