/* TextRoom protocol (see textroom.h).
 *
 * Requests carry a transaction; a small table remembers what each one was (join, message,
 * leave) so that "success"/"error" replies become the right events. A private message we send
 * is not echoed by Janus, so it is reported (as self + private) when its success arrives; a
 * public one is reported when Janus echoes it back to us. Chat text held for that lives in
 * libsodium's secure allocator (locked) and is wiped when it is released.
 */
#include "src/janus/textroom.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/secret.h"
#include "src/text.h"

#define PENDING_MAX 64

enum req { REQ_JOIN, REQ_MESSAGE, REQ_LEAVE };

struct pending {
	enum req kind;
	char to[TEXTROOM_NAME_MAX];   /* private message: recipient display name */
	char *text;                   /* private message: its text (sodium_malloc: locked, wiped) */
};

struct textroom {
	uint64_t room;
	char username[TEXTROOM_USER_MAX];
	char display[TEXTROOM_NAME_MAX];
	uint64_t self_id;
	char *pin;
	bool joined;
	uint32_t txn_next;
	GHashTable *pending; /* txn string -> struct pending */
	GHashTable *peers;   /* username -> display (both owned strings) */
};

static void pending_free(gpointer p)
{
	struct pending *pd = p;
	if (pd->text)
		sodium_free(pd->text); /* wipes */
	free(pd);
}

int textroom_create(uint64_t room, uint64_t self_id, const char *display, const char *pin,
		    struct textroom **out)
{
	if (sodium_init() < 0) /* for the pending messages' secure memory; idempotent */
		return -EIO;
	struct textroom *tr = calloc(1, sizeof(*tr));
	if (!tr)
		return -ENOMEM;
	tr->room = room;
	/* Usernames must be unique in the room, display names need not be: the AudioBridge id
	 * (unique in the call) makes it so. The display name rides along so that messages
	 * replayed from the room's history (sent before the participant list) still show who
	 * wrote them. */
	if (!self_id)
		self_id = (uint64_t)g_random_int() << 32 | g_random_int();
	tr->self_id = self_id;
	snprintf(tr->display, sizeof(tr->display), "%s", display);
	snprintf(tr->username, sizeof(tr->username), "ttm-%016" PRIx64 "-%s", self_id,
		 tr->display);
	tr->pin = pin ? strdup(pin) : NULL;
	tr->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, pending_free);
	tr->peers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (pin && !tr->pin) {
		textroom_destroy(tr);
		return -ENOMEM;
	}
	*out = tr;
	return 0;
}

void textroom_destroy(struct textroom *tr)
{
	if (!tr)
		return;
	g_hash_table_destroy(tr->pending);
	g_hash_table_destroy(tr->peers);
	secret_free(tr->pin);
	free(tr);
}

bool textroom_joined(const struct textroom *tr)
{
	return tr->joined;
}

const char *textroom_username(const struct textroom *tr)
{
	return tr->username;
}

void textroom_foreach_peer(const struct textroom *tr,
			   void (*fn)(void *user, const char *username, const char *display),
			   void *user)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, tr->peers);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (strcmp(k, tr->username))
			fn(user, k, v);
}

void textroom_renew_username(struct textroom *tr)
{
	snprintf(tr->username, sizeof(tr->username), "ttm-%016" PRIx64 "-%s~%08" PRIx32,
		 tr->self_id, tr->display, g_random_int());
}

uint64_t textroom_username_id(const char *username)
{
	uint64_t id = 0;
	if (strncmp(username, "ttm-", 4) || strlen(username) < 22 || username[20] != '-')
		return 0;
	for (int i = 4; i < 20; i++) {
		char c = username[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return 0;
		id = id << 4 | (uint64_t)d;
	}
	return id;
}

/* Adds the transaction to req, remembers it, returns the serialized request. */
static char *finish_request(struct textroom *tr, json_t *req, struct pending *pd)
{
	char txn[24];
	char *out = NULL;
	if (!req || !pd)
		goto out;
	if (g_hash_table_size(tr->pending) >= PENDING_MAX)
		goto out; /* the server stopped answering; the caller sees NULL */
	snprintf(txn, sizeof(txn), "c%u", tr->txn_next++);
	json_object_set_new(req, "transaction", json_string(txn));
	out = json_dumps(req, JSON_COMPACT);
	if (out) {
		g_hash_table_insert(tr->pending, g_strdup(txn), pd);
		pd = NULL;
	}
out:
	json_decref(req);
	if (pd)
		pending_free(pd);
	return out;
}

char *textroom_join_request(struct textroom *tr)
{
	json_t *req = json_pack("{ss sI ss ss}", "textroom", "join", "room", (json_int_t)tr->room,
				"username", tr->username, "display", tr->display);
	if (req && tr->pin)
		json_object_set_new(req, "pin", json_string(tr->pin));
	struct pending *pd = calloc(1, sizeof(*pd));
	if (pd)
		pd->kind = REQ_JOIN;
	return finish_request(tr, req, pd);
}

char *textroom_leave_request(struct textroom *tr)
{
	json_t *req = json_pack("{ss sI}", "textroom", "leave", "room", (json_int_t)tr->room);
	struct pending *pd = calloc(1, sizeof(*pd));
	if (pd)
		pd->kind = REQ_LEAVE;
	tr->joined = false;
	return finish_request(tr, req, pd);
}

char *textroom_message_request(struct textroom *tr, const char *to_user, const char *text,
			       int *err)
{
	const char *to = NULL;
	*err = 0;
	if (strlen(text) > TEXTROOM_TEXT_MAX) {
		*err = -EMSGSIZE;
		return NULL;
	}
	if (to_user && (!strcmp(to_user, tr->username) ||
			!(to = g_hash_table_lookup(tr->peers, to_user)))) {
		*err = -ENOENT;
		return NULL;
	}
	json_t *req = json_pack("{ss sI ss}", "textroom", "message", "room", (json_int_t)tr->room,
				"text", text);
	if (req && to_user)
		json_object_set_new(req, "to", json_string(to_user));
	struct pending *pd = calloc(1, sizeof(*pd));
	if (pd) {
		pd->kind = REQ_MESSAGE;
		if (to) {
			snprintf(pd->to, sizeof(pd->to), "%s", to);
			size_t n = strlen(text) + 1;
			if ((pd->text = sodium_malloc(n))) /* locked like the chat store */
				memcpy(pd->text, text, n);
		}
	}
	char *out = finish_request(tr, req, pd);
	if (!out)
		*err = -ENOMEM;
	return out;
}

/* Copies a string field as it is into out: false if missing, not a string, or too long. */
static bool get_raw(json_t *obj, const char *key, char *out, size_t outlen)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v) || json_string_length(v) >= outlen ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return false;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return true;
}

/* Copies a sanitized string field into out; false if missing or not a string. */
static bool get_clean(json_t *obj, const char *key, char *out, size_t outlen, bool newlines)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return false;
	text_sanitize(json_string_value(v), json_string_length(v), out, outlen, newlines);
	return true;
}

/* The name to show for a raw username: its display from the room, else the display part of
 * another ttymeet's username ("ttm-<16 hex>-<display>"), else the username; sanitized. */
static void name_of_user(const char *username, char *out, size_t outlen)
{
	const char *d = username;
	if (textroom_username_id(username))
		d = username + 21;
	text_sanitize(d, strlen(d), out, outlen, false);
	if (!*out)
		snprintf(out, outlen, "?");
}

static void display_of(struct textroom *tr, const char *username, char *out, size_t outlen)
{
	const char *d = g_hash_table_lookup(tr->peers, username);
	if (d && *d)
		snprintf(out, outlen, "%s", d);
	else
		name_of_user(username, out, outlen);
}

static void add_peer(struct textroom *tr, json_t *p)
{
	char user[TEXTROOM_USER_MAX], disp[TEXTROOM_NAME_MAX];
	if (!get_raw(p, "username", user, sizeof(user)) || !*user)
		return;
	if (!get_clean(p, "display", disp, sizeof(disp), false) || !*disp)
		name_of_user(user, disp, sizeof(disp));
	if (g_hash_table_size(tr->peers) >= TEXTROOM_PEERS_MAX &&
	    !g_hash_table_contains(tr->peers, user))
		return;
	g_hash_table_replace(tr->peers, g_strdup(user), g_strdup(disp));
}

static int on_reply(struct textroom *tr, const char *kind, json_t *msg, struct pending *pd,
		    struct textroom_event *ev)
{
	if (!strcmp(kind, "error")) {
		json_t *code = json_object_get(msg, "error_code");
		ev->code = json_is_integer(code) ? (int)json_integer_value(code) : 0;
		if (!get_clean(msg, "error", ev->reason, sizeof(ev->reason), false))
			snprintf(ev->reason, sizeof(ev->reason), "error %d", ev->code);
		ev->type = pd->kind == REQ_JOIN ? TEXTROOM_EV_JOIN_FAILED : TEXTROOM_EV_SEND_FAILED;
		return 0;
	}
	switch (pd->kind) {
	case REQ_JOIN: {
		json_t *list = json_object_get(msg, "participants");
		size_t i;
		json_t *p;
		if (json_is_array(list))
			json_array_foreach(list, i, p)
				if (json_is_object(p))
					add_peer(tr, p);
		tr->joined = true;
		ev->type = TEXTROOM_EV_JOINED;
		break;
	}
	case REQ_MESSAGE:
		if (pd->text) { /* a private message we sent: Janus does not echo those */
			ev->type = TEXTROOM_EV_MESSAGE;
			ev->self = ev->private_msg = true;
			snprintf(ev->name, sizeof(ev->name), "%s", tr->display);
			snprintf(ev->user, sizeof(ev->user), "%s", tr->username);
			ev->peer_id = textroom_username_id(tr->username);
			snprintf(ev->to, sizeof(ev->to), "%s", pd->to);
			snprintf(ev->text, sizeof(ev->text), "%s", pd->text);
		}
		break;
	case REQ_LEAVE:
		break;
	}
	return 0;
}

int textroom_handle(struct textroom *tr, const char *json, size_t len, struct textroom_event *ev)
{
	char user[TEXTROOM_USER_MAX];
	int rc = 0;

	ev->type = TEXTROOM_EV_NONE;
	ev->name[0] = ev->to[0] = ev->text[0] = ev->reason[0] = ev->user[0] = 0;
	ev->peer_id = 0;
	ev->self = ev->private_msg = false;
	ev->code = 0;
	if (len > TEXTROOM_MSG_MAX)
		return -EBADMSG;
	json_t *msg = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
	const char *kind = json_string_value(json_object_get(msg, "textroom"));
	if (!json_is_object(msg) || !kind) {
		rc = -EBADMSG;
		goto out;
	}
	json_t *txnv = json_object_get(msg, "transaction");
	if (json_is_string(txnv) && (!strcmp(kind, "success") || !strcmp(kind, "error"))) {
		gpointer key, val;
		if (g_hash_table_lookup_extended(tr->pending, json_string_value(txnv), &key, &val)) {
			g_hash_table_steal(tr->pending, key);
			rc = on_reply(tr, kind, msg, val, ev);
			g_free(key);
			pending_free(val);
		}
		goto out;
	}
	/* Events for other rooms (one data channel can join several) are not ours. */
	json_t *room = json_object_get(msg, "room");
	if (room && (!json_is_integer(room) || (uint64_t)json_integer_value(room) != tr->room))
		goto out;
	if (!strcmp(kind, "message")) {
		if (!get_raw(msg, "from", user, sizeof(user)) ||
		    !get_clean(msg, "text", ev->text, sizeof(ev->text), true)) {
			rc = -EBADMSG;
			goto out;
		}
		ev->type = TEXTROOM_EV_MESSAGE;
		ev->self = !strcmp(user, tr->username);
		ev->private_msg = json_is_true(json_object_get(msg, "whisper"));
		display_of(tr, user, ev->name, sizeof(ev->name));
		snprintf(ev->user, sizeof(ev->user), "%s", user);
		ev->peer_id = textroom_username_id(user);
	} else if (!strcmp(kind, "join")) {
		if (!get_raw(msg, "username", user, sizeof(user))) {
			rc = -EBADMSG;
			goto out;
		}
		add_peer(tr, msg);
		if (strcmp(user, tr->username)) {
			ev->type = TEXTROOM_EV_PEER_JOINED;
			display_of(tr, user, ev->name, sizeof(ev->name));
			snprintf(ev->user, sizeof(ev->user), "%s", user);
			ev->peer_id = textroom_username_id(user);
		}
	} else if (!strcmp(kind, "leave") || !strcmp(kind, "kicked")) {
		if (!get_raw(msg, "username", user, sizeof(user))) {
			rc = -EBADMSG;
			goto out;
		}
		if (!strcmp(user, tr->username)) {
			if (!strcmp(kind, "kicked"))
				ev->type = TEXTROOM_EV_KICKED;
			tr->joined = false;
			goto out;
		}
		ev->type = TEXTROOM_EV_PEER_LEFT;
		display_of(tr, user, ev->name, sizeof(ev->name));
		snprintf(ev->user, sizeof(ev->user), "%s", user);
		ev->peer_id = textroom_username_id(user);
		ev->peer_id = textroom_username_id(user);
		g_hash_table_remove(tr->peers, user);
	} else if (!strcmp(kind, "announcement")) {
		if (get_clean(msg, "text", ev->text, sizeof(ev->text), true))
			ev->type = TEXTROOM_EV_ANNOUNCEMENT;
	} else if (!strcmp(kind, "destroyed")) {
		ev->type = TEXTROOM_EV_DESTROYED;
		tr->joined = false;
	}
out:
	json_decref(msg);
	return rc;
}
