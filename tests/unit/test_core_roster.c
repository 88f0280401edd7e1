/* Unit tests for the roster (src/roster.c): AudioBridge participants merged with TextRoom
 * users only on evidence (the display's claim of the username, and the username naming the
 * participant's id: src/chatid.h), never by name or by an id in a username alone; copied
 * claims and usernames taken over after their owner left are no evidence; chat-only entries
 * after the grace period, promotion when the claim comes, removal on leave, syncs, and the
 * attribution lookups. The grace timer runs on a private GMainContext with a short period. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "src/chatid.h"
#include "src/roster.h"

#define GRACE_MS 40

struct rec {
	enum session_event_type type;
	uint64_t id;
	char name[SESSION_NAME_MAX], old_name[SESSION_NAME_MAX];
	bool on, chat_only, merged, self;
	unsigned count_at_emit; /* roster_count() seen from inside the callback */
};

struct fx {
	GMainContext *ctx;
	struct roster *r;
	struct rec ev[64];
	size_t n;
};

static void on_event(void *user, struct session_event *ev)
{
	struct fx *f = user;
	assert_true(f->n < 64);
	struct rec *r = &f->ev[f->n++];
	r->type = ev->type;
	r->id = ev->id;
	snprintf(r->name, sizeof(r->name), "%s", ev->name);
	snprintf(r->old_name, sizeof(r->old_name), "%s", ev->old_name ? ev->old_name : "");
	r->self = ev->self;
	r->on = ev->on;
	r->chat_only = ev->chat_only;
	r->merged = ev->merged;
	r->count_at_emit = roster_count(f->r);
}

static int setup(void **state)
{
	static struct fx f;
	memset(&f, 0, sizeof(f));
	f.ctx = g_main_context_new();
	assert_int_equal(roster_create(f.ctx, GRACE_MS, on_event, &f, &f.r), 0);
	assert_int_equal(roster_set_self(f.r, 1000, "me", false), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	roster_destroy(f->r);
	g_main_context_unref(f->ctx);
	return 0;
}

/* Runs the context for ms milliseconds (timers fire). */
static void run_for(struct fx *f, unsigned ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	while (g_get_monotonic_time() < end)
		if (!g_main_context_iteration(f->ctx, FALSE))
			g_usleep(1000);
}

static struct rec *last(struct fx *f)
{
	assert_true(f->n > 0);
	return &f->ev[f->n - 1];
}

/* How many entries have this name (and are chat-only, if only_chat). */
struct name_count { const char *name; int n, chat; };

static void count_name(void *user, const struct session_participant *p)
{
	struct name_count *c = user;
	if (!strcmp(p->name, c->name)) {
		c->n++;
		c->chat += p->chat_only;
	}
}

static struct name_count named(struct fx *f, const char *name)
{
	struct name_count c = { name, 0, 0 };
	roster_foreach(f->r, count_name, &c);
	return c;
}

/* The claim an AudioBridge display makes for a chat username (src/chatid.h). */
static const char *claim_of(const char *username)
{
	static char c[4][CHATID_HEX + 1];
	static int k;
	k = (k + 1) % 4;
	chatid_claim(username, c[k]);
	return c[k];
}

#define BOB "ttm-000000000000004d-bob"

/* A participant's display changes (a /nick): the same entry takes the new name, one RENAMED
 * event says old and new, and its chat user stays merged when the new display claims it
 * too. Our own entry renames without an event (the session says it). */
static void test_rename(void **state)
{
	struct fx *f = *state;
	roster_audio_update(f->r, 77, "bob", NULL, false, -1);
	roster_chat_join(f->r, BOB, "bob", 77);
	roster_audio_update(f->r, 77, "bob", claim_of(BOB), false, -1);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(f->n, 1);
	roster_audio_update(f->r, 77, "robert", claim_of(BOB), false, -1);
	assert_int_equal(f->n, 2);
	assert_int_equal(last(f)->type, SESSION_EV_RENAMED);
	assert_int_equal(last(f)->id, 77);
	assert_string_equal(last(f)->name, "robert");
	assert_string_equal(last(f)->old_name, "bob");
	assert_false(last(f)->self);
	assert_false(last(f)->chat_only);
	assert_int_equal(named(f, "bob").n, 0);
	assert_int_equal(named(f, "robert").n, 1);
	const struct session_participant *p = roster_chat_entry(f->r, BOB);
	assert_non_null(p); /* his chat lines: still his call entry, under the new name */
	assert_int_equal(p->id, 77);
	assert_false(p->chat_only);
	assert_string_equal(p->name, "robert");
	assert_string_equal(roster_chat_user_named(f->r, "robert"), BOB);
	assert_null(roster_chat_user_named(f->r, "bob"));
	/* the same name again: nothing */
	roster_audio_update(f->r, 77, "robert", claim_of(BOB), false, -1);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(f->n, 2);
	/* our own entry: renamed quietly; an unknown id: -ENOENT */
	assert_int_equal(roster_rename(f->r, 1000, "me2"), 0);
	assert_int_equal(f->n, 2);
	assert_string_equal(roster_get(f->r, 1000)->name, "me2");
	assert_int_equal(roster_rename(f->r, 4242, "x"), -ENOENT);
}

/* The main speaker (Jitsi's dominant speaker): one at a time, the one before gets its off
 * event first; repeats, unknown ids and chat-only entries change nothing; one who leaves
 * gets talking off and speaker off just before participant-left (and the next speaker's
 * change has no off for the gone entry). */
static void test_speaker(void **state)
{
	struct fx *f = *state;
	roster_audio_update(f->r, 7, "ann", NULL, false, -1);
	roster_audio_update(f->r, 8, "bo", NULL, false, -1);
	roster_chat_join(f->r, "u-cy", "cy", 0);
	run_for(f, GRACE_MS * 3);
	uint64_t chat_id = last(f)->id;
	size_t n = f->n;
	roster_set_speaker(f->r, 7);
	assert_int_equal(f->n, n + 1);
	assert_int_equal(last(f)->type, SESSION_EV_SPEAKER);
	assert_int_equal(last(f)->id, 7);
	assert_true(last(f)->on);
	assert_true(roster_get(f->r, 7)->speaker);
	roster_set_speaker(f->r, 7); /* a repeat */
	assert_int_equal(f->n, n + 1);
	roster_set_speaker(f->r, 8);
	assert_int_equal(f->n, n + 3);
	assert_int_equal(f->ev[n + 1].id, 7);
	assert_false(f->ev[n + 1].on);
	assert_int_equal(f->ev[n + 2].id, 8);
	assert_true(f->ev[n + 2].on);
	assert_false(roster_get(f->r, 7)->speaker);
	/* chat-only or unknown: nobody (bo's off) */
	roster_set_speaker(f->r, chat_id);
	assert_int_equal(f->n, n + 4);
	assert_int_equal(last(f)->id, 8);
	assert_false(last(f)->on);
	roster_set_speaker(f->r, 4242);
	assert_int_equal(f->n, n + 4);
	/* we can be the speaker too */
	roster_set_speaker(f->r, 1000);
	assert_int_equal(f->n, n + 5);
	assert_true(last(f)->self);
	assert_true(last(f)->on);
	roster_set_speaker(f->r, 0);
	assert_int_equal(f->n, n + 6);
	assert_false(last(f)->on);
	/* leaving while talking and the speaker: both end, then the leave; the next change
	 * names only the new one */
	roster_set_speaker(f->r, 8);
	roster_audio_talking(f->r, 8, true);
	roster_audio_remove(f->r, 8);
	assert_int_equal(f->n, n + 11);
	assert_int_equal(f->ev[n + 8].type, SESSION_EV_TALKING);
	assert_false(f->ev[n + 8].on);
	assert_int_equal(f->ev[n + 9].type, SESSION_EV_SPEAKER);
	assert_false(f->ev[n + 9].on);
	assert_int_equal(f->ev[n + 10].type, SESSION_EV_PARTICIPANT_LEFT);
	assert_int_equal(f->ev[n + 10].id, 8);
	roster_set_speaker(f->r, 7);
	assert_int_equal(f->n, n + 12);
	assert_int_equal(last(f)->id, 7);
	assert_true(last(f)->on);
	roster_audio_update(f->r, 8, "bo", NULL, false, -1); /* back: not the speaker */
	assert_false(roster_get(f->r, 8)->speaker);
}

static void test_peer_merges_on_claim(void **state)
{
	struct fx *f = *state;
	roster_audio_update(f->r, 77, "bob", NULL, false, -1);
	assert_int_equal(f->n, 1);
	assert_int_equal(last(f)->type, SESSION_EV_PARTICIPANT_JOINED);
	assert_false(last(f)->chat_only);
	/* Its chat user arrives (after the call join, as a ttymeet does), then the display's
	 * claim of it, within the grace period: nothing new shows. */
	roster_chat_join(f->r, BOB, "bob", 77);
	run_for(f, GRACE_MS / 4);
	roster_audio_update(f->r, 77, "bob", claim_of(BOB), false, -1);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(f->n, 1);
	assert_int_equal(named(f, "bob").n, 1);
	assert_int_equal(roster_count(f->r), 2);
	const struct session_participant *p = roster_chat_entry(f->r, BOB);
	assert_non_null(p);
	assert_int_equal(p->id, 77);
	assert_false(p->chat_only);
	assert_string_equal(roster_chat_user_named(f->r, "bob"), BOB);
	assert_string_equal(roster_chat_user_of(f->r, 77), BOB); /* by id: /msg to a namesake */
	assert_null(roster_chat_user_of(f->r, 78));
	/* Leaving the chat first, then the call: one LEFT, no chat-only entry in between. */
	roster_chat_leave(f->r, BOB);
	roster_audio_remove(f->r, 77);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(f->n, 2);
	assert_int_equal(last(f)->type, SESSION_EV_PARTICIPANT_LEFT);
	assert_int_equal(last(f)->id, 77);
	assert_int_equal(roster_count(f->r), 1);
}

static void test_grace_hides_join_order(void **state)
{
	struct fx *f = *state;
	/* The chat join comes first; the call join, already claiming it, within the grace. */
	roster_chat_join(f->r, "ttm-0000000000000058-carol", "carol", 88);
	run_for(f, GRACE_MS / 4);
	assert_int_equal(f->n, 0);
	roster_audio_update(f->r, 88, "carol", claim_of("ttm-0000000000000058-carol"), true, -1);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(f->n, 1);
	assert_int_equal(f->ev[0].type, SESSION_EV_PARTICIPANT_JOINED);
	assert_int_equal(f->ev[0].id, 88);
	assert_true(f->ev[0].on); /* muted */
	assert_false(f->ev[0].chat_only);
	/* Leaving the call first: the chat user would be chat-only, but leaves within the grace. */
	roster_audio_remove(f->r, 88);
	roster_chat_leave(f->r, "ttm-0000000000000058-carol");
	run_for(f, GRACE_MS * 3);
	assert_int_equal(f->n, 2);
	assert_int_equal(named(f, "carol").n, 0);
}

static void test_chat_only_user(void **state)
{
	struct fx *f = *state;
	roster_chat_join(f->r, "browser-user", "Dora", 0);
	assert_int_equal(f->n, 0); /* not before the grace period */
	assert_null(roster_chat_entry(f->r, "browser-user"));
	run_for(f, GRACE_MS * 3);
	assert_int_equal(f->n, 1);
	struct rec j = f->ev[0];
	assert_int_equal(j.type, SESSION_EV_PARTICIPANT_JOINED);
	assert_true(j.chat_only);
	assert_string_equal(j.name, "Dora");
	assert_true(j.id >= ROSTER_CHAT_ID_BASE);
	assert_int_equal(j.count_at_emit, 2); /* already in the roster when the event comes */
	const struct session_participant *p = roster_get(f->r, j.id);
	assert_non_null(p);
	assert_true(p->chat_only);
	assert_true(roster_chat_entry(f->r, "browser-user") == p);
	assert_string_equal(roster_chat_user_named(f->r, "Dora"), "browser-user");
	assert_string_equal(roster_chat_user_of(f->r, j.id), "browser-user");
	/* A repeated join (e.g. a resync) changes nothing. */
	roster_chat_join(f->r, "browser-user", "Dora", 0);
	assert_int_equal(f->n, 1);
	roster_chat_leave(f->r, "browser-user");
	assert_int_equal(f->n, 2);
	assert_int_equal(last(f)->type, SESSION_EV_PARTICIPANT_LEFT);
	assert_int_equal(last(f)->id, j.id);
	assert_true(last(f)->chat_only);
	assert_false(last(f)->merged);
	assert_int_equal(last(f)->count_at_emit, 1);
	assert_null(roster_get(f->r, j.id));
	roster_chat_leave(f->r, "browser-user"); /* unknown now: nothing */
	assert_int_equal(f->n, 2);
}

static void test_claim_after_the_grace_period(void **state)
{
	struct fx *f = *state;
	roster_audio_update(f->r, 555, "erin", NULL, false, 1);
	roster_chat_join(f->r, "ttm-000000000000022b-erin", "erin", 555);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(f->n, 2);
	assert_true(last(f)->chat_only); /* unproven: her own chat-only identity for now */
	uint64_t chat_id = last(f)->id;
	/* Her claim arrives late: the chat-only entry leaves (merged), the call entry stays. */
	roster_audio_update(f->r, 555, "erin", claim_of("ttm-000000000000022b-erin"), false, 1);
	assert_int_equal(f->n, 3);
	assert_int_equal(last(f)->type, SESSION_EV_PARTICIPANT_LEFT);
	assert_int_equal(last(f)->id, chat_id);
	assert_true(last(f)->merged);
	struct name_count c = named(f, "erin");
	assert_int_equal(c.n, 1);
	assert_int_equal(c.chat, 0);
	/* Her audio stops but she stays in the chat: chat-only after the grace period, and for
	 * good: a call entry that takes id 555 again and copies the claim is not her. */
	roster_audio_remove(f->r, 555);
	assert_int_equal(f->n, 5); /* she was talking: that ends first */
	assert_int_equal(f->ev[3].type, SESSION_EV_TALKING);
	assert_false(f->ev[3].on);
	assert_int_equal(f->ev[4].type, SESSION_EV_PARTICIPANT_LEFT);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(f->n, 6);
	assert_true(last(f)->chat_only);
	roster_audio_update(f->r, 555, "erin", claim_of("ttm-000000000000022b-erin"), false, -1);
	run_for(f, GRACE_MS * 3);
	c = named(f, "erin");
	assert_int_equal(c.n, 2);
	assert_int_equal(c.chat, 1);
	assert_true(roster_chat_entry(f->r, "ttm-000000000000022b-erin")->chat_only);
}

/* What anyone can write is no evidence: a display name, an id in a username, a claim copied
 * into another participant's display, a username taken after its owner left the chat. */
static void test_forgeries_merge_nothing(void **state)
{
	struct fx *f = *state;
	roster_audio_update(f->r, 300, "sam", NULL, false, -1);
	roster_chat_join(f->r, "sam-browser", "sam", 0);                /* same name */
	roster_chat_join(f->r, "ttm-000000000000012c-sam", "sam", 300); /* names id 300 */
	run_for(f, GRACE_MS * 3);
	struct name_count c = named(f, "sam");
	assert_int_equal(c.n, 3);
	assert_int_equal(c.chat, 2);
	assert_true(roster_chat_entry(f->r, "ttm-000000000000012c-sam")->chat_only);
	/* "/msg sam" reaches the call participant's chat only: sam (300) has none proven. */
	assert_null(roster_chat_user_named(f->r, "sam"));

	/* amy (0x10) claims her username; mallory (0x20) copies the claim into her display. */
	const char *amy = "ttm-0000000000000010-amy";
	roster_audio_update(f->r, 0x10, "amy", claim_of(amy), false, -1);
	roster_audio_update(f->r, 0x20, "mallory", claim_of(amy), false, -1);
	roster_chat_join(f->r, amy, "amy", 0x10);
	/* mallory's chat user names mallory's id, and is claimed by nobody */
	roster_chat_join(f->r, "ttm-0000000000000020-amy", "amy", 0x20);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(roster_chat_entry(f->r, amy)->id, 0x10);
	assert_false(roster_chat_entry(f->r, amy)->chat_only);
	assert_true(roster_chat_entry(f->r, "ttm-0000000000000020-amy")->chat_only);
	assert_string_equal(roster_chat_user_named(f->r, "amy"), amy);

	/* amy's chat link fails: her username is free and known. Whoever takes it next is not
	 * amy, although her display still claims it (until she withdraws the claim). */
	roster_chat_leave(f->r, amy);
	roster_chat_join(f->r, amy, "amy", 0x10);
	run_for(f, GRACE_MS * 3);
	assert_true(roster_chat_entry(f->r, amy)->chat_only);
	c = named(f, "amy");
	assert_int_equal(c.n, 3);
	assert_int_equal(c.chat, 2);
	/* A new claim by amy (her chat joined again, under another username) is honoured. */
	const char *amy2 = "ttm-0000000000000010-amy~0badcafe";
	roster_chat_join(f->r, amy2, "amy", 0x10);
	roster_audio_update(f->r, 0x10, "amy", claim_of(amy2), false, -1);
	assert_false(roster_chat_entry(f->r, amy2)->chat_only);
	assert_int_equal(roster_chat_entry(f->r, amy2)->id, 0x10);
	/* Withdrawing the claim unmerges (chat-only after the grace period). */
	roster_audio_update(f->r, 0x10, "amy", NULL, false, -1);
	run_for(f, GRACE_MS * 3);
	assert_true(roster_chat_entry(f->r, amy2)->chat_only);
}

static void test_self_is_never_merged(void **state)
{
	struct fx *f = *state;
	/* Someone else in the chat who shares our name is a person of their own. */
	roster_chat_join(f->r, "other-me", "me", 0);
	run_for(f, GRACE_MS * 3);
	struct name_count c = named(f, "me");
	assert_int_equal(c.n, 2);
	assert_int_equal(c.chat, 1);
	/* A chat user naming our call id does not take our entry either, even with a claim
	 * update for our id (our own entry is ours: roster_set_self). */
	roster_chat_join(f->r, "ttm-00000000000003e8-me", "me", 1000);
	roster_audio_update(f->r, 1000, "me", claim_of("ttm-00000000000003e8-me"), false, -1);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(named(f, "me").chat, 2);
	assert_true(roster_get(f->r, 1000)->self);
}

static void test_syncs_and_clear(void **state)
{
	struct fx *f = *state;
	roster_audio_update(f->r, 10, "ann", NULL, false, -1);
	roster_audio_update(f->r, 11, "ben", NULL, false, -1);
	roster_chat_join(f->r, "u-cy", "cy", 0);
	roster_chat_join(f->r, "u-di", "di", 0);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(roster_count(f->r), 5);
	/* Chat rejoin lists only cy: di has left. */
	roster_chat_sync_begin(f->r);
	roster_chat_join(f->r, "u-cy", "cy", 0);
	roster_chat_sync_end(f->r);
	assert_int_equal(named(f, "di").n, 0);
	assert_int_equal(named(f, "cy").n, 1);
	/* Call rejoin lists only ann: ben has left; self and chat-only entries stay. */
	roster_audio_sync_begin(f->r);
	roster_audio_update(f->r, 10, "ann", NULL, false, -1);
	roster_audio_sync_end(f->r);
	assert_int_equal(named(f, "ben").n, 0);
	assert_int_equal(named(f, "ann").n, 1);
	assert_non_null(roster_get(f->r, 1000));
	assert_int_equal(named(f, "cy").chat, 1);
	/* The chat link died: chat-only entries go. */
	roster_chat_clear(f->r);
	assert_int_equal(named(f, "cy").n, 0);
	assert_int_equal(roster_count(f->r), 2);
	assert_int_equal(last(f)->type, SESSION_EV_PARTICIPANT_LEFT);
}

/* A rejoin as the server that still remembers our previous participant (and its chat user,
 * whose username names that id) lists them: they are us, never someone else, and a second
 * rejoin still knows the first id. Someone who stayed keeps their entry: no left/joined. */
static void test_rejoin_hides_our_old_self(void **state)
{
	struct fx *f = *state;
	roster_audio_update(f->r, 10, "ann", NULL, false, -1);
	size_t before = f->n;
	assert_int_equal(roster_set_self(f->r, 2000, "me", false), 0);
	assert_true(roster_was_self(f->r, 1000));
	assert_false(roster_was_self(f->r, 2000));
	assert_false(roster_was_self(f->r, 10));
	roster_audio_sync_begin(f->r);
	roster_audio_update(f->r, 10, "ann", NULL, false, -1);
	assert_null(roster_audio_update(f->r, 1000, "me", NULL, false, -1));
	roster_audio_sync_end(f->r);
	roster_chat_join(f->r, "ttm-00000000000003e8-me", "me", 1000);
	run_for(f, GRACE_MS * 3);
	assert_int_equal(f->n, before); /* no event at all: nobody joined or left */
	assert_int_equal(named(f, "me").n, 1);
	assert_true(roster_get(f->r, 2000)->self);
	assert_null(roster_get(f->r, 1000));
	assert_int_equal(named(f, "ann").n, 1);
	/* and again: both old ids stay ours */
	assert_int_equal(roster_set_self(f->r, 3000, "me", false), 0);
	assert_null(roster_audio_update(f->r, 1000, "me", NULL, false, -1));
	assert_null(roster_audio_update(f->r, 2000, "me", NULL, false, -1));
	assert_int_equal(named(f, "me").n, 1);
	assert_int_equal(f->n, before);
}

static void test_states_and_collisions(void **state)
{
	struct fx *f = *state;
	roster_chat_join(f->r, "u-fay", "fay", 0);
	run_for(f, GRACE_MS * 3);
	uint64_t chat_id = last(f)->id;
	/* Muted/talking do not apply to chat-only entries. */
	roster_audio_talking(f->r, chat_id, true);
	roster_audio_muted(f->r, chat_id, true);
	roster_audio_remove(f->r, chat_id);
	assert_int_equal(f->n, 1);
	/* A call participant whose (client-chosen) id is the chat-only entry's: the chat-only
	 * entry is renumbered, the call entry is someone else (another name). */
	roster_audio_update(f->r, chat_id, "gus", NULL, false, -1);
	assert_non_null(roster_get(f->r, chat_id));
	assert_false(roster_get(f->r, chat_id)->chat_only);
	struct name_count c = named(f, "fay");
	assert_int_equal(c.n, 1);
	assert_int_equal(c.chat, 1);
	/* State changes produce events, repeats do not. */
	size_t n = f->n;
	roster_audio_talking(f->r, chat_id, true);
	roster_audio_talking(f->r, chat_id, true);
	roster_audio_update(f->r, chat_id, "gus", NULL, true, 1);
	assert_int_equal(f->n, n + 2);
	assert_int_equal(f->ev[n].type, SESSION_EV_TALKING);
	assert_int_equal(f->ev[n + 1].type, SESSION_EV_MUTED);
	/* Ids 0 are refused; an unknown removal is nothing; a malformed claim is none. */
	assert_null(roster_audio_update(f->r, 0, "zero", NULL, false, -1));
	roster_audio_remove(f->r, 4242);
	assert_non_null(roster_audio_update(f->r, chat_id, "gus", "abc", true, 1));
	assert_int_equal(f->n, n + 2);
}

/* Random joins and leaves of people with distinct names, on both sides. Half are ttymeets:
 * when their chat joins while they are in the call, their display claims the username (which
 * names their call id of the time), and the claim is withdrawn when the chat leaves. Once the
 * grace periods are over, a person is one merged entry exactly when such a claim stands,
 * else one entry per side (the chat one chat-only); the events replayed give the same
 * roster. */
struct person { char name[16]; uint64_t ab; bool in_call, in_chat, ttymeet, claimed; };

struct replay { uint64_t id[64]; char name[64][SESSION_NAME_MAX]; bool chat[64]; int n; };

static void replay_event(struct replay *rp, const struct rec *e)
{
	if (e->type == SESSION_EV_PARTICIPANT_JOINED) {
		for (int i = 0; i < rp->n; i++)
			assert_false(rp->id[i] == e->id);
		assert_true(rp->n < 64);
		rp->id[rp->n] = e->id;
		snprintf(rp->name[rp->n], sizeof(rp->name[0]), "%s", e->name);
		rp->chat[rp->n++] = e->chat_only;
	} else if (e->type == SESSION_EV_PARTICIPANT_LEFT) {
		int i = 0;
		while (i < rp->n && rp->id[i] != e->id)
			i++;
		assert_true(i < rp->n);
		assert_string_equal(rp->name[i], e->name);
		rp->n--;
		rp->id[i] = rp->id[rp->n];
		memcpy(rp->name[i], rp->name[rp->n], sizeof(rp->name[0]));
		rp->chat[i] = rp->chat[rp->n];
	}
}

static void test_random_settles(void **state)
{
	struct fx *f = *state;
	struct person ps[8];
	char users[8][64];
	struct replay rp = { .n = 0 };
	uint64_t next_id = 100;
	GRand *rnd = g_rand_new_with_seed(4711);

	memset(ps, 0, sizeof(ps));
	for (int i = 0; i < 8; i++) {
		snprintf(ps[i].name, sizeof(ps[i].name), "p%d", i);
		ps[i].ttymeet = i % 2;
	}
	rp.id[rp.n] = 1000; /* self, set up without an event */
	snprintf(rp.name[rp.n], sizeof(rp.name[0]), "me");
	rp.chat[rp.n++] = false;
	for (int step = 0; step < 160; step++) {
		int k = g_rand_int_range(rnd, 0, 8);
		struct person *p = &ps[k];
		if (g_rand_boolean(rnd)) { /* the call side */
			if (p->in_call)
				roster_audio_remove(f->r, p->ab);
			else
				roster_audio_update(f->r, p->ab = next_id++, p->name, NULL, false, -1);
			p->in_call = !p->in_call;
			p->claimed = false;
		} else if (p->in_chat) {
			roster_chat_leave(f->r, users[k]);
			if (p->claimed)
				roster_audio_update(f->r, p->ab, p->name, NULL, false, -1);
			p->in_chat = p->claimed = false;
		} else {
			if (p->ttymeet)
				snprintf(users[k], sizeof(users[k]), "ttm-%016" G_GINT64_MODIFIER "x-%s",
					 p->in_call ? p->ab : 0, p->name);
			else
				snprintf(users[k], sizeof(users[k]), "web-%s", p->name);
			roster_chat_join(f->r, users[k], p->name, p->ttymeet && p->in_call ? p->ab : 0);
			if (p->ttymeet && p->in_call) {
				roster_audio_update(f->r, p->ab, p->name, claim_of(users[k]), false, -1);
				p->claimed = true;
			}
			p->in_chat = true;
		}
		if (step % 3 == 0 || step == 159) {
			run_for(f, GRACE_MS + 30);
			for (size_t i = 0; i < f->n; i++)
				replay_event(&rp, &f->ev[i]);
			f->n = 0;
			int expect = 1;
			for (int i = 0; i < 8; i++) {
				struct name_count c = named(f, ps[i].name);
				bool merged = ps[i].claimed;
				int there = merged ? 1 : ps[i].in_call + ps[i].in_chat;
				expect += there;
				assert_int_equal(c.n, there);
				assert_int_equal(c.chat, ps[i].in_chat && !merged);
			}
			assert_int_equal(roster_count(f->r), expect);
			assert_int_equal(rp.n, expect);
		}
		if (f->n > 48) { /* keep the recorder from overflowing between checks */
			for (size_t i = 0; i < f->n; i++)
				replay_event(&rp, &f->ev[i]);
			f->n = 0;
		}
	}
	g_rand_free(rnd);
}

struct big {
	unsigned joined, left, notices;
	char notice[256];
};

static void big_event(void *user, struct session_event *ev)
{
	struct big *b = user;
	if (ev->type == SESSION_EV_PARTICIPANT_JOINED)
		b->joined++;
	else if (ev->type == SESSION_EV_PARTICIPANT_LEFT)
		b->left++;
	else if (ev->type == SESSION_EV_NOTICE) {
		b->notices++;
		snprintf(b->notice, sizeof(b->notice), "%s", ev->message);
	}
}

/* A room past SESSION_ROSTER_MAX: the count stays the room's, one notice says that not
 * everyone is listed, leaves of listed and unlisted participants are both counted, a freed
 * place is taken by the next update, and a rejoin's sync rebuilds it all without events for
 * the unlisted. */
static void test_over_the_limit(void **state)
{
	(void)state;
	GMainContext *ctx = g_main_context_new();
	struct roster *r;
	struct big b = { 0 };
	const unsigned extra = 50, total = SESSION_ROSTER_MAX + extra; /* self included */
	char name[32];

	assert_int_equal(roster_create(ctx, GRACE_MS, big_event, &b, &r), 0);
	assert_int_equal(roster_set_self(r, 1, "me", false), 0);
	for (uint64_t id = 2; id <= total; id++) {
		snprintf(name, sizeof(name), "p%llu", (unsigned long long)id);
		roster_audio_update(r, id, name, NULL, false, -1);
	}
	assert_int_equal(roster_count(r), total);
	assert_true(roster_count_exact(r));
	assert_int_equal(b.joined, SESSION_ROSTER_MAX - 1);
	assert_int_equal(b.notices, 1);
	assert_non_null(strstr(b.notice, "4096"));
	/* repeats change nothing */
	roster_audio_update(r, total, "again", NULL, false, -1);
	roster_audio_update(r, 5, "p5", NULL, true, -1);
	assert_int_equal(roster_count(r), total);
	/* an unlisted one leaves, then a listed one: both counted, no event for the first */
	roster_audio_remove(r, total);
	assert_int_equal(roster_count(r), total - 1);
	assert_int_equal(b.left, 0);
	roster_audio_remove(r, 2);
	assert_int_equal(roster_count(r), total - 2);
	assert_int_equal(b.left, 1);
	/* the freed place: the next update of an unlisted one lists it */
	roster_audio_update(r, total - 1, "late", NULL, false, -1);
	assert_int_equal(b.joined, SESSION_ROSTER_MAX);
	assert_non_null(roster_get(r, total - 1));
	assert_int_equal(roster_count(r), total - 2);
	/* rejoin: the list names everyone but 3..12; the count follows */
	roster_audio_sync_begin(r);
	for (uint64_t id = 13; id <= total - 1; id++) {
		snprintf(name, sizeof(name), "p%llu", (unsigned long long)id);
		roster_audio_update(r, id, name, NULL, false, -1);
	}
	roster_audio_sync_end(r);
	assert_int_equal(roster_count(r), total - 12);
	assert_int_equal(b.notices, 1);
	roster_destroy(r);
	g_main_context_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_over_the_limit),
		cmocka_unit_test_setup_teardown(test_peer_merges_on_claim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grace_hides_join_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chat_only_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_after_the_grace_period, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forgeries_merge_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_self_is_never_merged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syncs_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejoin_hides_our_old_self, setup, teardown),
		cmocka_unit_test_setup_teardown(test_states_and_collisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_settles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_speaker, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
