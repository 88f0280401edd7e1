/* Ranking the bridge's forwarded videos (see vpick.h).
 *
 * Costs: jvpick_rank runs for every ignored video packet (twice), so it is a hash lookup and a
 * few string compares; the target (whom the bridge's list points to) is worked out again only
 * when the sources, the list, the pick or the dominant speaker changed.
 */
#include "src/jitsi/vpick.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/jitsi/colibri.h"
#include "src/jitsi/jingle.h"

struct vsrc {
	char owner[JCOLIBRI_ID_MAX];      /* "" not known */
	char name[JINGLE_SOURCE_NAME_MAX]; /* its source name, "<owner>-v0" when it had none */
	uint64_t seq;                     /* order of adding */
};

struct jvpick {
	GHashTable *srcs;      /* SSRC (as pointer) -> struct vsrc (owned) */
	uint64_t seq;
	bool known;            /* the bridge said what it forwards (and the list was whole) */
	bool by_source;
	size_t n_ids;
	char ids[JCOLIBRI_LIST_MAX][JCOLIBRI_ID_MAX];
	GHashTable *fwd;       /* the ids above, as a set (keys point into ids) */
	/* the cached target (vpick.h), valid while !dirty and picked/dominant are the same */
	bool dirty;
	char c_picked[JCOLIBRI_ID_MAX], c_dominant[JCOLIBRI_ID_MAX], target[JCOLIBRI_ID_MAX];
};

int jvpick_create(struct jvpick **out)
{
	struct jvpick *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->srcs = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	p->fwd = g_hash_table_new(g_str_hash, g_str_equal);
	p->dirty = true;
	*out = p;
	return 0;
}

void jvpick_destroy(struct jvpick *p)
{
	if (!p)
		return;
	g_hash_table_destroy(p->srcs);
	g_hash_table_destroy(p->fwd);
	free(p);
}

void jvpick_source(struct jvpick *p, uint32_t ssrc, const char *owner, const char *name,
		   bool added)
{
	gpointer key = GUINT_TO_POINTER(ssrc);
	p->dirty = true;
	g_hash_table_remove(p->srcs, key);
	if (added && g_hash_table_size(p->srcs) < JVPICK_MAX_SOURCES) {
		struct vsrc *s = g_new0(struct vsrc, 1);
		if (owner && jcolibri_id_ok(owner))
			memcpy(s->owner, owner, strlen(owner) + 1);
		if (name && name[0] && jcolibri_id_ok(name) && strlen(name) < sizeof(s->name))
			memcpy(s->name, name, strlen(name) + 1);
		else if (s->owner[0] && (size_t)snprintf(s->name, sizeof(s->name), "%s-v0",
							 s->owner) >= sizeof(s->name))
			s->name[0] = '\0';
		s->seq = ++p->seq;
		g_hash_table_insert(p->srcs, key, s);
	}
}

void jvpick_owner_left(struct jvpick *p, const char *owner)
{
	GHashTableIter it;
	gpointer k, v;
	if (!owner || !owner[0])
		return;
	g_hash_table_iter_init(&it, p->srcs);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (!strcmp(((struct vsrc *)v)->owner, owner))
			g_hash_table_iter_remove(&it);
	p->dirty = true;
}

void jvpick_unknown(struct jvpick *p)
{
	p->known = false;
	p->n_ids = 0;
	g_hash_table_remove_all(p->fwd);
	p->dirty = true;
}

void jvpick_forwarded(struct jvpick *p, const char *const *ids, size_t n, bool by_source)
{
	jvpick_unknown(p);
	if (n >= JCOLIBRI_LIST_MAX) /* perhaps cut: what is missing cannot be told */
		return;
	p->known = true;
	p->by_source = by_source;
	for (size_t i = 0; i < n; i++) {
		if (!ids[i] || !jcolibri_id_ok(ids[i]) || g_hash_table_contains(p->fwd, ids[i]))
			continue;
		memcpy(p->ids[p->n_ids], ids[i], strlen(ids[i]) + 1);
		g_hash_table_add(p->fwd, p->ids[p->n_ids++]);
	}
}

void jvpick_reset(struct jvpick *p)
{
	g_hash_table_remove_all(p->srcs);
	jvpick_unknown(p);
}

/* The bridge names s in what it forwards. */
static bool in_list(const struct jvpick *p, const struct vsrc *s)
{
	const char *key = p->by_source ? s->name : s->owner;
	return key[0] && g_hash_table_contains(p->fwd, key);
}

/* Whether the bridge forwards a source of owner. */
static bool owner_listed(const struct jvpick *p, const char *owner)
{
	GHashTableIter it;
	gpointer k, v;
	if (!p->by_source)
		return g_hash_table_contains(p->fwd, owner);
	g_hash_table_iter_init(&it, p->srcs);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (!strcmp(((struct vsrc *)v)->owner, owner) && in_list(p, v))
			return true;
	return false;
}

/* The owner of the first id in the bridge's list that a known source answers to, or "". */
static const char *first_listed(const struct jvpick *p)
{
	for (size_t i = 0; i < p->n_ids; i++) {
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, p->srcs);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			const struct vsrc *s = v;
			if (s->owner[0] && !strcmp(p->by_source ? s->name : s->owner, p->ids[i]))
				return s->owner;
		}
	}
	return "";
}

static void set_target(struct jvpick *p, const char *picked, const char *dominant)
{
	const char *t;
	if (!p->known)
		t = picked[0] ? picked : dominant;
	else if (picked[0] && owner_listed(p, picked))
		t = picked;
	else if (dominant[0] && owner_listed(p, dominant))
		t = dominant;
	else
		t = first_listed(p);
	snprintf(p->target, sizeof(p->target), "%s", t);
}

/* jvpick_rank, and the source of ssrc (NULL: not known) */
static int rank_of(struct jvpick *p, uint32_t ssrc, const char *picked, const char *dominant,
		   const struct vsrc **src)
{
	picked = picked && jcolibri_id_ok(picked) ? picked : "";
	dominant = dominant && jcolibri_id_ok(dominant) ? dominant : "";
	if (p->dirty || strcmp(picked, p->c_picked) || strcmp(dominant, p->c_dominant)) {
		memcpy(p->c_picked, picked, strlen(picked) + 1);
		memcpy(p->c_dominant, dominant, strlen(dominant) + 1);
		set_target(p, picked, dominant);
		p->dirty = false;
	}
	const struct vsrc *s = g_hash_table_lookup(p->srcs, GUINT_TO_POINTER(ssrc));
	*src = s;
	if (!s) /* nobody's we know: neither the target nor said to be gone */
		return 1;
	return p->known && !in_list(p, s) ? 0 : p->target[0] && !strcmp(s->owner, p->target) ? 2 : 1;
}

int jvpick_rank(struct jvpick *p, uint32_t ssrc, const char *picked, const char *dominant)
{
	const struct vsrc *s;
	return rank_of(p, ssrc, picked, dominant, &s);
}

bool jvpick_prefer(struct jvpick *p, uint32_t ssrc, uint32_t shown, const char *picked,
		   const char *dominant)
{
	const struct vsrc *a, *b;
	int ra = rank_of(p, ssrc, picked, dominant, &a), rb = rank_of(p, shown, picked, dominant, &b);
	if (ra != rb)
		return ra > rb;
	/* the same person's, added later (a new SSRC for their video) */
	return a && b && a->owner[0] && !strcmp(a->owner, b->owner) && a->seq > b->seq;
}
