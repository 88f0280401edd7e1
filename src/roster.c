/* The roster (see roster.h).
 *
 * Two tables: entries (id → struct entry, what the owner sees) and chat users (username →
 * struct chat_user). A chat user points at the entry that shows it — an AudioBridge entry it
 * is merged into, or its own chat-only entry — or at nothing while its grace timer runs; an
 * AudioBridge entry points back at the chat user merged into it. Every event is emitted with
 * both tables consistent, so the owner may read the roster from inside its callback.
 */
#include "src/roster.h"
#include "net/loop.h"
#include "src/chatid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chat_user;

struct entry {
	struct session_participant p; /* first: the public view of the entry */
	struct chat_user *cu;         /* the chat user merged into or shown by this entry */
	bool seen;                    /* audio sync */
	char claim[CHATID_HEX + 1];   /* AudioBridge: the chat identity it claims ("": none) */
	bool claim_spent;             /* the user it named left the chat: never again */
};

struct chat_user {
	struct roster *r;
	char *username;
	char name[SESSION_NAME_MAX];
	uint64_t ab_id;  /* the AudioBridge id its username names, 0: none */
	char proof[CHATID_HEX + 1]; /* chatid_claim(username) */
	struct entry *e; /* NULL while waiting for the grace period */
	GSource *grace;
	bool seen;       /* chat sync */
	bool spent;      /* its call entry left: chat-only from now on */
};

struct roster {
	GMainContext *main;
	unsigned grace_ms;
	roster_event_cb cb;
	void *user;
	GHashTable *entries; /* &entry->p.id -> struct entry (owned) */
	GHashTable *users;   /* username -> struct chat_user (owned; key is its username) */
	GHashTable *unlisted; /* ids (as pointers) of call participants past SESSION_ROSTER_MAX */
	bool told_unlisted, told_inexact, inexact;
	uint64_t next_chat_id;
	uint64_t old_self[ROSTER_OLD_SELF]; /* our previous ids, a ring (0: empty) */
	unsigned old_next;
	uint64_t speaker; /* the entry that is the main speaker, 0: nobody */
};

static void place(struct roster *r, struct chat_user *u, bool now);

static void notice(struct roster *r, const char *text)
{
	struct session_event ev = { .type = SESSION_EV_NOTICE, .message = text };
	if (r->cb)
		r->cb(r->user, &ev);
}

/* A call participant the roster has no room for: counted, not listed. */
static void unlisted_add(struct roster *r, uint64_t id)
{
	char msg[200];
	gpointer key = (gpointer)(uintptr_t)id;
	if (g_hash_table_contains(r->unlisted, key))
		return;
	if (g_hash_table_size(r->unlisted) >= ROSTER_UNLISTED_MAX) {
		r->inexact = true;
		if (!r->told_inexact) {
			r->told_inexact = true;
			snprintf(msg, sizeof(msg), "over %u participants in the room: from now on "
				 "the count is only a lower bound",
				 SESSION_ROSTER_MAX + ROSTER_UNLISTED_MAX);
			notice(r, msg);
		}
		return;
	}
	g_hash_table_add(r->unlisted, key);
	if (!r->told_unlisted) {
		r->told_unlisted = true;
		snprintf(msg, sizeof(msg), "more than %u participants in the room: only %u are "
			 "listed by name, the others are counted", SESSION_ROSTER_MAX,
			 SESSION_ROSTER_MAX);
		notice(r, msg);
	}
}

static void emit(struct roster *r, enum session_event_type type, const struct entry *e,
		 bool on, bool merged)
{
	struct session_event ev = { .type = type, .id = e->p.id, .name = e->p.name, .on = on,
				    .self = e->p.self, .chat_only = e->p.chat_only,
				    .merged = merged };
	if (r->cb)
		r->cb(r->user, &ev);
}

static struct entry *lookup(const struct roster *r, uint64_t id)
{
	return g_hash_table_lookup(r->entries, &id);
}

static bool is_audio(const struct entry *e)
{
	return e && !e->p.chat_only && !e->p.self;
}

static struct entry *entry_add(struct roster *r, uint64_t id, const char *name)
{
	if (g_hash_table_size(r->entries) >= SESSION_ROSTER_MAX)
		return NULL;
	struct entry *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->p.id = id;
	snprintf(e->p.name, sizeof(e->p.name), "%s", name);
	e->seen = true;
	g_hash_table_insert(r->entries, &e->p.id, e);
	return e;
}

/* Takes e out of the table, emits LEFT (unless quiet) and frees it. */
static void entry_drop(struct roster *r, struct entry *e, bool quiet, bool merged)
{
	if (e->cu)
		e->cu->e = NULL;
	if (e->p.speaker)
		r->speaker = 0;
	g_hash_table_steal(r->entries, &e->p.id);
	if (!quiet && e->p.talking) /* every talking span and speaker turn ends with an off */
		emit(r, SESSION_EV_TALKING, e, false, false);
	if (!quiet && e->p.speaker)
		emit(r, SESSION_EV_SPEAKER, e, false, false);
	if (!quiet)
		emit(r, SESSION_EV_PARTICIPANT_LEFT, e, false, merged);
	free(e);
}

static void stop_grace(struct chat_user *u)
{
	loop_source_drop(&u->grace);
}

static uint64_t free_chat_id(struct roster *r)
{
	while (lookup(r, r->next_chat_id) || r->next_chat_id < ROSTER_CHAT_ID_BASE)
		r->next_chat_id = r->next_chat_id < ROSTER_CHAT_ID_BASE ? ROSTER_CHAT_ID_BASE
									 : r->next_chat_id + 1;
	return r->next_chat_id++;
}

static void chat_only_add(struct roster *r, struct chat_user *u)
{
	struct entry *e = entry_add(r, free_chat_id(r), u->name);
	if (!e)
		return;
	e->p.chat_only = true;
	e->cu = u;
	u->e = e;
	emit(r, SESSION_EV_PARTICIPANT_JOINED, e, false, false);
}

/* The evidence (src/chatid.h): e's display claims u's username, and that username names e's
 * id. Nothing else merges: not a name, not an id in a username. */
static bool evidence(const struct entry *e, const struct chat_user *u)
{
	return is_audio(e) && !u->spent && !e->claim_spent && e->claim[0] &&
	       !strcmp(e->claim, u->proof) && e->p.id == u->ab_id;
}

/* The entry u should be merged into (at most one: the one with u's id). */
static struct entry *entry_for_user(struct roster *r, const struct chat_user *u)
{
	struct entry *e = u->ab_id ? lookup(r, u->ab_id) : NULL;
	return e && evidence(e, u) ? e : NULL;
}

/* The chat user entry e should take (at most one: usernames are unique in the room). */
static struct chat_user *user_for_entry(struct roster *r, const struct entry *e)
{
	GHashTableIter it;
	gpointer k, v;
	if (!e->claim[0] || e->claim_spent)
		return NULL;
	g_hash_table_iter_init(&it, r->users);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (evidence(e, v))
			return v;
	return NULL;
}

static void relink_entry(struct roster *r, struct entry *e);

/* Merges chat user u into AudioBridge entry e (whose chat-only entry, if any, has already
 * been dropped). Whoever loses a partner by this is placed again. */
static void merge(struct roster *r, struct entry *e, struct chat_user *u)
{
	struct entry *old = u->e;
	struct chat_user *prev = e->cu;

	if (old == e)
		return;
	stop_grace(u);
	if (old && old->p.chat_only) {
		entry_drop(r, old, false, true);
		old = NULL;
	} else if (old) {
		old->cu = NULL;
	}
	if (prev)
		prev->e = NULL;
	e->cu = u;
	u->e = e;
	if (prev)
		place(r, prev, false);
	if (old)
		relink_entry(r, old);
}

/* An AudioBridge entry lost its chat user: another one may fit it (unless someone placed
 * meanwhile took it). */
static void relink_entry(struct roster *r, struct entry *e)
{
	struct chat_user *u = e->cu ? NULL : user_for_entry(r, e);
	if (u)
		merge(r, e, u);
}

static void grace_cb(void *data)
{
	struct chat_user *u = data;
	place(u->r, u, true);
}

/* Finds u an entry; without one it becomes chat-only now, or when the grace period ends. */
static void place(struct roster *r, struct chat_user *u, bool now)
{
	struct entry *e = entry_for_user(r, u);
	if (e) {
		merge(r, e, u);
		return;
	}
	if (u->e)
		return; /* already shown as chat-only */
	if (now || !r->grace_ms) {
		stop_grace(u);
		chat_only_add(r, u);
	} else if (!u->grace) {
		loop_once(&u->grace, r->main, r->grace_ms, grace_cb, u);
	}
}

/* A chat-only entry whose id an AudioBridge participant takes gets a new one. */
static void renumber(struct roster *r, struct entry *e)
{
	struct chat_user *u = e->cu;
	entry_drop(r, e, false, false);
	if (u)
		chat_only_add(r, u);
}

int roster_create(GMainContext *main, unsigned grace_ms, roster_event_cb cb, void *user,
		  struct roster **out)
{
	struct roster *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->main = main;
	r->grace_ms = grace_ms;
	r->cb = cb;
	r->user = user;
	r->next_chat_id = ROSTER_CHAT_ID_BASE;
	r->entries = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, free);
	r->users = g_hash_table_new(g_str_hash, g_str_equal);
	r->unlisted = g_hash_table_new(g_direct_hash, g_direct_equal);
	*out = r;
	return 0;
}

static void user_free(struct chat_user *u)
{
	stop_grace(u);
	free(u->username);
	free(u);
}

void roster_destroy(struct roster *r)
{
	if (!r)
		return;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->users);
	while (g_hash_table_iter_next(&it, &k, &v))
		user_free(v);
	g_hash_table_destroy(r->users);
	g_hash_table_destroy(r->entries);
	g_hash_table_destroy(r->unlisted);
	free(r);
}

bool roster_was_self(const struct roster *r, uint64_t id)
{
	const struct entry *e = lookup(r, id);
	if (!id || (e && e->p.self))
		return false;
	for (unsigned i = 0; i < ROSTER_OLD_SELF; i++)
		if (r->old_self[i] == id)
			return true;
	return false;
}

int roster_set_self(struct roster *r, uint64_t id, const char *name, bool muted)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->entries);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct entry *old = v;
		if (!old->p.self)
			continue;
		if (old->p.id != id && !roster_was_self(r, old->p.id)) {
			r->old_self[r->old_next] = old->p.id;
			r->old_next = (r->old_next + 1) % ROSTER_OLD_SELF;
		}
		g_hash_table_iter_remove(&it);
	}
	struct entry *e = lookup(r, id);
	if (e && e->p.chat_only) {
		renumber(r, e);
	} else if (e) { /* someone else's id? The server says it is ours now. */
		struct chat_user *u = e->cu;
		entry_drop(r, e, false, false);
		if (u)
			place(r, u, false);
	}
	if (!(e = entry_add(r, id, name)))
		return -ENOMEM;
	e->p.self = true;
	e->p.muted = muted;
	return 0;
}

const struct session_participant *roster_audio_update(struct roster *r, uint64_t id,
						      const char *name, const char *claim,
						      bool muted, int talking)
{
	struct entry *e = lookup(r, id);
	if (!id || roster_was_self(r, id))
		return NULL;
	if (!claim || strlen(claim) != CHATID_HEX)
		claim = "";
	if (e && e->p.chat_only) {
		renumber(r, e);
		e = NULL;
	}
	if (!e) {
		if (g_hash_table_size(r->entries) >= SESSION_ROSTER_MAX) {
			unlisted_add(r, id);
			return NULL;
		}
		g_hash_table_remove(r->unlisted, (gpointer)(uintptr_t)id); /* room for it now */
		struct entry probe = { .p = { .id = id } };
		snprintf(probe.claim, sizeof(probe.claim), "%s", claim);
		struct chat_user *u = user_for_entry(r, &probe);
		if (u && u->e && u->e->p.chat_only) /* the same person: it leaves, then joins */
			entry_drop(r, u->e, false, true);
		if (!(e = entry_add(r, id, name)))
			return NULL;
		snprintf(e->claim, sizeof(e->claim), "%s", claim);
		e->p.muted = muted;
		e->p.talking = talking > 0;
		emit(r, SESSION_EV_PARTICIPANT_JOINED, e, muted, false);
		if (u && (e = lookup(r, id))) /* the callback may not remove it, but be sure */
			merge(r, e, u);
		return lookup(r, id) ? &lookup(r, id)->p : NULL;
	}
	e->seen = true;
	if (!e->p.self)
		roster_rename(r, id, name);
	if (!e->p.self && strcmp(e->claim, claim)) { /* a new claim (or none): new evidence */
		snprintf(e->claim, sizeof(e->claim), "%s", claim);
		e->claim_spent = false;
		struct chat_user *old = e->cu;
		if (old && !evidence(e, old)) {
			e->cu = NULL;
			old->e = NULL;
			place(r, old, false);
		}
		relink_entry(r, e);
		if (!(e = lookup(r, id)))
			return NULL;
	}
	if (e->p.muted != muted) { /* for us too: a moderator may mute us */
		e->p.muted = muted;
		emit(r, SESSION_EV_MUTED, e, muted, false);
	}
	if (talking >= 0 && e->p.talking != (talking > 0)) {
		e->p.talking = talking > 0;
		emit(r, SESSION_EV_TALKING, e, e->p.talking, false);
	}
	return &e->p;
}

int roster_rename(struct roster *r, uint64_t id, const char *name)
{
	struct entry *e = lookup(r, id);
	char old[SESSION_NAME_MAX];
	if (!e)
		return -ENOENT;
	if (!strcmp(e->p.name, name))
		return 0;
	snprintf(old, sizeof(old), "%s", e->p.name);
	snprintf(e->p.name, sizeof(e->p.name), "%s", name);
	if (e->p.self)
		return 0; /* the owner says it */
	struct session_event ev = { .type = SESSION_EV_RENAMED, .id = id, .name = e->p.name,
				    .old_name = old, .chat_only = e->p.chat_only };
	if (r->cb)
		r->cb(r->user, &ev);
	return 0;
}

void roster_audio_talking(struct roster *r, uint64_t id, bool on)
{
	struct entry *e = lookup(r, id);
	if (e && !e->p.chat_only && e->p.talking != on) {
		e->p.talking = on;
		emit(r, SESSION_EV_TALKING, e, on, false);
	}
}

void roster_set_moderator(struct roster *r, uint64_t id, bool on)
{
	struct entry *e = lookup(r, id);
	if (e && !e->p.chat_only && e->p.moderator != on) {
		e->p.moderator = on;
		emit(r, SESSION_EV_ROLE, e, on, false);
	}
}

void roster_set_speaker(struct roster *r, uint64_t id)
{
	struct entry *e = lookup(r, id), *old = lookup(r, r->speaker);
	if (e && e->p.chat_only)
		e = NULL;
	if (e == old)
		return;
	r->speaker = e ? id : 0;
	if (old) {
		old->p.speaker = false;
		emit(r, SESSION_EV_SPEAKER, old, false, false);
	}
	if (e) {
		e->p.speaker = true;
		emit(r, SESSION_EV_SPEAKER, e, true, false);
	}
}

void roster_audio_muted(struct roster *r, uint64_t id, bool on)
{
	struct entry *e = lookup(r, id);
	if (e && !e->p.chat_only && e->p.muted != on) {
		e->p.muted = on;
		emit(r, SESSION_EV_MUTED, e, on, false);
	}
}

void roster_audio_remove(struct roster *r, uint64_t id)
{
	struct entry *e = lookup(r, id);
	if (g_hash_table_remove(r->unlisted, (gpointer)(uintptr_t)id))
		return;
	if (!is_audio(e))
		return;
	struct chat_user *u = e->cu;
	entry_drop(r, e, false, false);
	if (u) { /* still in the chat room: chat-only after the grace period, for good (another
		  * participant could take the id and copy the claim now) */
		u->spent = true;
		place(r, u, false);
	}
}

void roster_audio_sync_begin(struct roster *r)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_remove_all(r->unlisted); /* the list that follows names them again */
	r->inexact = false;
	g_hash_table_iter_init(&it, r->entries);
	while (g_hash_table_iter_next(&it, &k, &v))
		((struct entry *)v)->seen = false;
}

void roster_audio_sync_end(struct roster *r)
{
	GArray *gone = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->entries);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct entry *e = v;
		if (is_audio(e) && !e->seen)
			g_array_append_val(gone, e->p.id);
	}
	for (guint i = 0; i < gone->len; i++)
		roster_audio_remove(r, g_array_index(gone, uint64_t, i));
	g_array_free(gone, TRUE);
}

void roster_chat_join(struct roster *r, const char *username, const char *display,
		      uint64_t ab_id)
{
	struct chat_user *u = g_hash_table_lookup(r->users, username);
	if (u) {
		u->seen = true;
		return;
	}
	if (!*username || g_hash_table_size(r->users) >= SESSION_ROSTER_MAX ||
	    roster_was_self(r, ab_id))
		return; /* roster_was_self: our old chat user, not someone else */
	if (!(u = calloc(1, sizeof(*u))) || !(u->username = strdup(username))) {
		free(u);
		return;
	}
	u->r = r;
	u->ab_id = ab_id;
	chatid_claim(username, u->proof);
	u->seen = true;
	snprintf(u->name, sizeof(u->name), "%s", *display ? display : username);
	g_hash_table_insert(r->users, u->username, u);
	place(r, u, false);
}

void roster_chat_leave(struct roster *r, const char *username)
{
	struct chat_user *u = g_hash_table_lookup(r->users, username);
	if (!u)
		return;
	g_hash_table_remove(r->users, username);
	stop_grace(u);
	struct entry *e = u->e;
	if (e && e->p.chat_only) {
		entry_drop(r, e, false, false);
	} else if (e) {
		e->cu = NULL;
		u->e = NULL;
		/* Its username is free now and known to all: whoever takes it next is not the
		 * person e is, so e's claim is not honoured again (until e claims anew). */
		e->claim_spent = true;
	}
	user_free(u);
}

void roster_chat_sync_begin(struct roster *r)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->users);
	while (g_hash_table_iter_next(&it, &k, &v))
		((struct chat_user *)v)->seen = false;
}

static void drop_users(struct roster *r, bool unseen_only)
{
	GPtrArray *gone = g_ptr_array_new_with_free_func(free);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->users);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct chat_user *u = v;
		if (!unseen_only || !u->seen)
			g_ptr_array_add(gone, strdup(u->username));
	}
	for (guint i = 0; i < gone->len; i++)
		if (g_ptr_array_index(gone, i))
			roster_chat_leave(r, g_ptr_array_index(gone, i));
	g_ptr_array_free(gone, TRUE);
}

void roster_chat_sync_end(struct roster *r)
{
	drop_users(r, true);
}

void roster_chat_clear(struct roster *r)
{
	drop_users(r, false);
}

const struct session_participant *roster_chat_entry(const struct roster *r, const char *username)
{
	struct chat_user *u = g_hash_table_lookup(r->users, username);
	return u && u->e ? &u->e->p : NULL;
}

const char *roster_chat_user_named(const struct roster *r, const char *name)
{
	const char *merged = NULL, *chat_only = NULL;
	bool in_call = false;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->entries);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct entry *e = v;
		if (e->p.self || strcmp(e->p.name, name))
			continue;
		if (!e->p.chat_only)
			in_call = true;
		if (e->cu && !e->p.chat_only)
			merged = e->cu->username;
		else if (e->cu)
			chat_only = e->cu->username;
	}
	return merged ? merged : in_call ? NULL : chat_only;
}

const char *roster_chat_user_of(const struct roster *r, uint64_t id)
{
	const struct entry *e = lookup(r, id);
	return e && !e->p.self && e->cu ? e->cu->username : NULL;
}

const struct session_participant *roster_get(const struct roster *r, uint64_t id)
{
	struct entry *e = lookup(r, id);
	return e ? &e->p : NULL;
}

unsigned roster_count(const struct roster *r)
{
	return g_hash_table_size(r->entries) + g_hash_table_size(r->unlisted);
}

bool roster_count_exact(const struct roster *r)
{
	return !r->inexact;
}

void roster_foreach(const struct roster *r,
		    void (*fn)(void *user, const struct session_participant *p), void *user)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, r->entries);
	while (g_hash_table_iter_next(&it, &k, &v))
		fn(user, &((struct entry *)v)->p);
}
