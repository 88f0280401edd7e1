/* Which meeting a room number means on a Janus server (see jb.h). Janus can have an
 * AudioBridge room and a VideoRoom room with the same number that are different meetings
 * (Debian's default configuration has 1234 in both). --room-type forces one; by default the
 * server's answers decide, at the first join (rejoins keep the choice):
 *  - the VideoRoom room when it has publishers and the AudioBridge room is empty or missing
 *    (people meet there by forwarding: a browser on the VideoRoom demo page);
 *  - else the AudioBridge room when it exists (where ttymeet has always met: its users'
 *    published video also shows up as VideoRoom publishers, but they are in the AudioBridge);
 *  - else the VideoRoom room when it exists;
 *  - else there is no such room (exit 4).
 * Asking costs one "listparticipants" to each plugin (nobody sees it), on the handles the
 * join then uses. The choice is said in the joined event (room_type) and the TUI's status
 * bar, not in a notice: with Debian's configuration every number is in both plugins.
 * Thread: the loop's thread.
 */
#include "src/janus/jb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "src/exitcode.h"

#define AUDIOBRIDGE "janus.plugin.audiobridge"
#define VIDEOROOM "janus.plugin.videoroom"
#define AB_NO_SUCH_ROOM 485
#define VR_NO_SUCH_ROOM 426
#define ASKING (-2)
#define NO_ROOM (-1)

void jb_ab_join(struct backend *b);

static void decide(struct backend *b)
{
	uint64_t room = b->cfg->room;
	if (b->probe_ab == ASKING || b->probe_vr == ASKING)
		return;
	enum jb_room k;
	if (b->probe_vr > 0 && b->probe_ab <= 0)
		k = JB_ROOM_VIDEOROOM;
	else if (b->probe_ab >= 0)
		k = JB_ROOM_AUDIOBRIDGE;
	else if (b->probe_vr >= 0)
		k = JB_ROOM_VIDEOROOM;
	else {
		session_be_fail(b->s, TTM_EXIT_ROOM, true, "there is no room %" PRIu64 " on this "
				"server", room);
		return;
	}
	b->room_chosen = k;
	if (k == JB_ROOM_VIDEOROOM) { /* the VideoRoom handle is the call's */
		if (b->handle)
			janus_detach(b->janus, b->handle, NULL, NULL);
		b->handle = b->probe_handle;
		b->probe_handle = 0;
		jb_vr_join(b);
	} else {
		if (b->probe_handle)
			janus_detach(b->janus, b->probe_handle, NULL, NULL);
		b->probe_handle = 0;
		jb_ab_join(b);
	}
}

/* The number of participants in a listparticipants answer (publishers only for the
 * VideoRoom), NO_ROOM, or 0 when the answer says nothing. */
static int count(const struct janus_reply *r, int no_room, bool publishers_only)
{
	json_t *p;
	size_t i;
	int n = 0;
	if (r->err)
		return r->err == -EREMOTEIO && r->code == no_room ? NO_ROOM : 0;
	json_array_foreach(json_object_get(r->data, "participants"), i, p)
		if (!publishers_only || json_is_true(json_object_get(p, "publisher")))
			n++;
	return n;
}

static void on_ab_listed(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	if (r->err && r->err != -EREMOTEIO) {
		session_be_lost(b->s, TTM_EXIT_SERVER, "asking about room %" PRIu64 " failed: %s",
				b->cfg->room, r->reason);
		return;
	}
	b->probe_ab = count(r, AB_NO_SUCH_ROOM, false);
	decide(b);
}

static void on_vr_listed(void *user, const struct janus_reply *r)
{
	struct backend *b = user;
	if (r->err && r->err != -EREMOTEIO) {
		session_be_lost(b->s, TTM_EXIT_SERVER, "asking about room %" PRIu64 " failed: %s",
				b->cfg->room, r->reason);
		return;
	}
	b->probe_vr = count(r, VR_NO_SUCH_ROOM, true);
	decide(b);
}

static void list(struct backend *b, uint64_t handle, janus_reply_cb cb)
{
	json_t *body = json_pack("{ss sI}", "request", "listparticipants", "room",
				 (json_int_t)b->cfg->room);
	if (!body || janus_message(b->janus, handle, body, NULL, cb, b) < 0)
		session_be_lost(b->s, TTM_EXIT_SERVER, "cannot send to the server");
}

static void on_attached(void *user, const struct janus_reply *r, bool vr)
{
	struct backend *b = user;
	enum jb_room k = b->room_chosen;
	if (r->err) { /* a server without that plugin: the other one decides, or nothing */
		if (k == JB_ROOM_AUTO) {
			*(vr ? &b->probe_vr : &b->probe_ab) = NO_ROOM;
			decide(b);
			return;
		}
		session_be_lost(b->s, TTM_EXIT_SERVER, vr ? "the server cannot host video rooms: %s"
				: "the server cannot host audio rooms: %s", r->reason);
		return;
	}
	if (k == JB_ROOM_AUTO) {
		*(vr ? &b->probe_handle : &b->handle) = r->id;
		list(b, r->id, vr ? on_vr_listed : on_ab_listed);
		return;
	}
	b->handle = r->id;
	if (vr)
		jb_vr_join(b);
	else
		jb_ab_join(b);
}

static void on_ab_attached(void *user, const struct janus_reply *r)
{
	on_attached(user, r, false);
}

static void on_vr_attached(void *user, const struct janus_reply *r)
{
	on_attached(user, r, true);
}

void jb_choose_and_join(struct backend *b)
{
	if (b->room_chosen == JB_ROOM_AUTO)
		b->room_chosen = b->room_kind;
	b->state = JB_ATTACHING;
	b->probe_ab = b->probe_vr = ASKING;
	if (b->room_chosen != JB_ROOM_VIDEOROOM &&
	    janus_attach(b->janus, AUDIOBRIDGE, on_ab_attached, b) < 0) {
		session_be_lost(b->s, TTM_EXIT_SERVER, "cannot send the attach request");
		return;
	}
	if (b->room_chosen != JB_ROOM_AUDIOBRIDGE &&
	    janus_attach(b->janus, VIDEOROOM, on_vr_attached, b) < 0)
		session_be_lost(b->s, TTM_EXIT_SERVER, "cannot send the attach request");
}

const char *jb_room_name(enum jb_room k)
{
	return k == JB_ROOM_VIDEOROOM ? "videoroom" : "audiobridge";
}
