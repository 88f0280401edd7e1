/* The meeting's roster: the call's participants merged with the chat room's users, so that
 * each person appears once, and chat lines are attributed to a person only on evidence. The
 * backend (src/backend.h) feeds it; the words below are Janus's, the first backend's, where
 * the call is an AudioBridge (or VideoRoom) room and the chat a TextRoom room.
 *
 * Two inputs feed it. The call side (roster_audio_*) is the authority on who is in
 * the call: id, name, muted, talking, and the chat identity the participant claims in its
 * display (src/chatid.h). The TextRoom side (roster_chat_*) names the users of the chat room.
 * A chat user is merged into an AudioBridge entry only when that entry claims the user's
 * username and the username names the entry's id: evidence no other participant can forge
 * (the reasoning is in src/chatid.h). Names and ids inside usernames alone merge nothing. A
 * chat user with no match after a grace period (ROSTER_GRACE_MS: a ttymeet peer's claim
 * comes just after its chat join) becomes a chat-only entry, its own identity; when the
 * claiming AudioBridge entry comes, the chat-only entry leaves (PARTICIPANT_LEFT with merged)
 * just before it joins (or, for an entry already there, at once). Leaving the chat room
 * removes a chat-only entry, and the entry that claimed that user never honours its claim
 * again (the username is free for anyone now) until it claims anew; leaving the call makes
 * its chat user chat-only for good (after the grace period).
 *
 * Rooms over SESSION_ROSTER_MAX entries: the participants past it are not listed (no entry,
 * no events) but their ids are kept, up to ROSTER_UNLISTED_MAX, so that roster_count stays
 * the room's true count as they come and go; a NOTICE event says so once, and another one if
 * even that bound is passed (the count is then a lower bound: roster_count_exact is false).
 *
 * Entry ids: AudioBridge ids as Janus gives them; chat-only entries are numbered from
 * ROSTER_CHAT_ID_BASE (2^53: Janus draws its ids below that) and renumbered in the unlikely
 * case that an AudioBridge id takes one over.
 *
 * Events go out through one callback (PARTICIPANT_JOINED/LEFT, MUTED, TALKING, RENAMED, ROLE,
 * SPEAKER; the
 * owner stamps the time), synchronously from the roster_* call or from the grace timer on
 * the GMainContext. Names passed in must already be sanitized; usernames are raw (identities,
 * never shown). Thread: the context's thread.
 */
#ifndef TTM_SRC_ROSTER_H
#define TTM_SRC_ROSTER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "src/session.h"

#define ROSTER_GRACE_MS 2000
#define ROSTER_CHAT_ID_BASE (UINT64_C(1) << 53)
#define ROSTER_UNLISTED_MAX 262144 /* ids kept of participants past SESSION_ROSTER_MAX */

struct roster;

/* ev: type, id, name, on, self, chat_only, merged filled in (NOTICE: message); valid during
 * the call only. */
typedef void (*roster_event_cb)(void *user, struct session_event *ev);

/* Creates an empty roster; grace_ms is how long a chat user waits for its AudioBridge
 * entry before it shows as chat-only. */
int roster_create(GMainContext *main, unsigned grace_ms, roster_event_cb cb, void *user,
		  struct roster **out);
/* Frees everything; no event follows. NULL is fine. */
void roster_destroy(struct roster *r);

/* Replaces our own entry (no event: the owner reports its JOINED). Our previous ids (the
 * last ROSTER_OLD_SELF of them) are remembered: after a rejoin the server may still list our
 * old participant, and its chat user, until that session times out; roster_audio_update and
 * roster_chat_join ignore them, so we never show up as someone else. */
#define ROSTER_OLD_SELF 8
int roster_set_self(struct roster *r, uint64_t id, const char *name, bool muted);
/* True when id was ours before (see roster_set_self) and is not ours now. */
bool roster_was_self(const struct roster *r, uint64_t id);
/* Adds or updates an AudioBridge participant; claim: the chat identity its display claims
 * (chatid_parse; NULL or "": none); talking < 0: not stated. Emits JOINED for a new one,
 * MUTED/TALKING for changes. Returns the entry, NULL when full (the participant is then
 * counted unlisted), id is 0 or was ours. */
const struct session_participant *roster_audio_update(struct roster *r, uint64_t id,
						      const char *name, const char *claim,
						      bool muted, int talking);
/* Renames entry id (an AudioBridge display changed; roster_audio_update does this too) and
 * emits RENAMED with the old name, unless the entry is ours (no event: the owner says it).
 * 0, or -ENOENT (no such entry). */
int roster_rename(struct roster *r, uint64_t id, const char *name);
/* Marks entry id (ours too) a moderator of the room or not, and emits ROLE if that changed.
 * Unknown ids and chat-only entries are ignored. */
void roster_set_moderator(struct roster *r, uint64_t id, bool on);
/* Makes entry id (ours too) the meeting's main speaker, 0 for nobody: SPEAKER off for the one
 * before, on for the new one, nothing if it did not change. Unknown ids and chat-only entries
 * count as nobody. An entry that leaves says SPEAKER off (and TALKING off, if talking) just
 * before its PARTICIPANT_LEFT, so that every span has its end. */
void roster_set_speaker(struct roster *r, uint64_t id);
/* Sets one state of an AudioBridge entry (and emits the event) if it changed. */
void roster_audio_talking(struct roster *r, uint64_t id, bool on);
void roster_audio_muted(struct roster *r, uint64_t id, bool on);
/* An AudioBridge participant left (unknown ids and chat-only entries are ignored). */
void roster_audio_remove(struct roster *r, uint64_t id);
/* Reconciling after a rejoin: begin, roster_audio_update every listed participant, end;
 * AudioBridge entries (not self) not updated in between leave. */
void roster_audio_sync_begin(struct roster *r);
void roster_audio_sync_end(struct roster *r);

/* A user of the chat room joined (username raw and unique in the room, display its sanitized
 * name, ab_id the AudioBridge id its username names or 0: textroom_username_id()). Our own
 * username must not be passed. Repeats change nothing. */
void roster_chat_join(struct roster *r, const char *username, const char *display,
		      uint64_t ab_id);
/* A user left the chat room. */
void roster_chat_leave(struct roster *r, const char *username);
/* The chat room was (re)joined: begin, roster_chat_join every listed user, end; users not
 * listed in between have left. */
void roster_chat_sync_begin(struct roster *r);
void roster_chat_sync_end(struct roster *r);
/* The chat link is gone: every chat user leaves (chat-only entries with them). */
void roster_chat_clear(struct roster *r);

/* The entry a chat user is shown as: the call participant it is merged into (chat_only
 * false: the evidence holds), its own chat-only entry, or NULL (unknown, or in its grace
 * period). For attributing chat lines. */
const struct session_participant *roster_chat_entry(const struct roster *r, const char *username);
/* The username to reach the person shown as name in the chat: a call participant's merged
 * chat user; a chat-only entry only when no call participant has that name. NULL: none. */
const char *roster_chat_user_named(const struct roster *r, const char *name);
/* The username to reach the person with roster id id in the chat (its merged chat user, or
 * the chat-only entry's own), for two people of the same name. NULL: none, or ourselves. */
const char *roster_chat_user_of(const struct roster *r, uint64_t id);
const struct session_participant *roster_get(const struct roster *r, uint64_t id);
/* Entries (self, call participants, chat-only users) plus the unlisted call participants. */
unsigned roster_count(const struct roster *r);
/* False once more participants came than even the unlisted ids can hold. */
bool roster_count_exact(const struct roster *r);
/* Calls fn for every entry, self and chat-only ones included. */
void roster_foreach(const struct roster *r,
		    void (*fn)(void *user, const struct session_participant *p), void *user);

#endif
