/* Unit tests for the TextRoom protocol layer (src/textroom.c): requests, replies matched by
 * transaction, echo recognition, private messages addressed by username, usernames passed on
 * raw (two that sanitize alike stay two), a new username when ours is taken, hostile input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "src/janus/textroom.h"

static struct textroom_event ev;

static int feed(struct textroom *tr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int feed(struct textroom *tr, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return textroom_handle(tr, buf, strlen(buf), &ev);
}

/* Returns the transaction of a request and checks its textroom verb. */
static char *txn_of(char *req, const char *verb)
{
	json_t *j = json_loads(req, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "textroom")), verb);
	char *t = strdup(json_string_value(json_object_get(j, "transaction")));
	json_decref(j);
	free(req);
	return t;
}

static struct textroom *joined_room(void)
{
	struct textroom *tr;
	assert_int_equal(textroom_create(1234, 0, "alice", "s3cret", &tr), 0);
	char *req = textroom_join_request(tr);
	json_t *j = json_loads(req, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "pin")), "s3cret");
	assert_string_equal(json_string_value(json_object_get(j, "display")), "alice");
	assert_int_equal(json_integer_value(json_object_get(j, "room")), 1234);
	json_decref(j);
	char *t = txn_of(req, "join");
	assert_false(textroom_joined(tr));
	assert_int_equal(feed(tr, "{\"textroom\":\"success\",\"transaction\":\"%s\",\"participants\":"
				  "[{\"username\":\"u-bob\",\"display\":\"bob\"},"
				  "{\"username\":\"u-carol\",\"display\":\"carol\"}]}", t), 0);
	assert_int_equal(ev.type, TEXTROOM_EV_JOINED);
	assert_true(textroom_joined(tr));
	free(t);
	return tr;
}

static void test_join_and_messages(void **state)
{
	(void)state;
	struct textroom *tr = joined_room();
	const char *me = textroom_username(tr);
	/* Janus also announces our own join: not a peer event. */
	feed(tr, "{\"textroom\":\"join\",\"room\":1234,\"username\":\"%s\",\"display\":\"alice\"}", me);
	assert_int_equal(ev.type, TEXTROOM_EV_NONE);
	feed(tr, "{\"textroom\":\"message\",\"room\":1234,\"from\":\"u-bob\",\"date\":\"x\",\"text\":\"hi\"}");
	assert_int_equal(ev.type, TEXTROOM_EV_MESSAGE);
	assert_string_equal(ev.name, "bob");
	assert_string_equal(ev.text, "hi");
	assert_false(ev.self);
	assert_false(ev.private_msg);
	/* The echo of our own public message is ours. */
	feed(tr, "{\"textroom\":\"message\",\"room\":1234,\"from\":\"%s\",\"text\":\"mine\"}", me);
	assert_true(ev.self);
	assert_string_equal(ev.name, "alice");
	/* A whisper to us. */
	feed(tr, "{\"textroom\":\"message\",\"room\":1234,\"from\":\"u-carol\",\"text\":\"psst\",\"whisper\":true}");
	assert_true(ev.private_msg);
	assert_string_equal(ev.name, "carol");
	/* History replayed before we know the sender: another ttymeet's username names it. */
	feed(tr, "{\"textroom\":\"message\",\"room\":1234,\"from\":\"ttm-0123456789abcdef-dora\",\"text\":\"old\"}");
	assert_string_equal(ev.name, "dora");
	feed(tr, "{\"textroom\":\"message\",\"room\":1234,\"from\":\"stranger\",\"text\":\"old\"}");
	assert_string_equal(ev.name, "stranger");
	/* Other rooms are not ours. */
	feed(tr, "{\"textroom\":\"message\",\"room\":999,\"from\":\"u-bob\",\"text\":\"x\"}");
	assert_int_equal(ev.type, TEXTROOM_EV_NONE);
	textroom_destroy(tr);
}

static void test_private_send(void **state)
{
	(void)state;
	struct textroom *tr = joined_room();
	int err;
	char *req = textroom_message_request(tr, "u-bob", "for bob only", &err);
	assert_non_null(req);
	json_t *j = json_loads(req, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "to")), "u-bob");
	json_decref(j);
	char *t = txn_of(req, "message");
	feed(tr, "{\"textroom\":\"success\",\"transaction\":\"%s\"}", t);
	assert_int_equal(ev.type, TEXTROOM_EV_MESSAGE);
	assert_true(ev.self && ev.private_msg);
	assert_string_equal(ev.to, "bob");
	assert_string_equal(ev.text, "for bob only");
	free(t);
	/* Unknown recipient, oversized text. */
	assert_null(textroom_message_request(tr, "nobody", "x", &err));
	assert_int_equal(err, -ENOENT);
	assert_null(textroom_message_request(tr, "bob", "x", &err)); /* a name, not a username */
	assert_int_equal(err, -ENOENT);
	assert_null(textroom_message_request(tr, textroom_username(tr), "x", &err)); /* us */
	assert_int_equal(err, -ENOENT);
	char *big = malloc(TEXTROOM_TEXT_MAX + 2);
	memset(big, 'a', TEXTROOM_TEXT_MAX + 1);
	big[TEXTROOM_TEXT_MAX + 1] = 0;
	assert_null(textroom_message_request(tr, NULL, big, &err));
	assert_int_equal(err, -EMSGSIZE);
	free(big);
	/* A public message: reported on the echo, not on success. */
	t = txn_of(textroom_message_request(tr, NULL, "public", &err), "message");
	feed(tr, "{\"textroom\":\"success\",\"transaction\":\"%s\"}", t);
	assert_int_equal(ev.type, TEXTROOM_EV_NONE);
	free(t);
	textroom_destroy(tr);
}

static void test_peers_and_errors(void **state)
{
	(void)state;
	struct textroom *tr = joined_room();
	feed(tr, "{\"textroom\":\"join\",\"room\":1234,\"username\":\"u-dan\",\"display\":\"dan\"}");
	assert_int_equal(ev.type, TEXTROOM_EV_PEER_JOINED);
	assert_string_equal(ev.name, "dan");
	feed(tr, "{\"textroom\":\"leave\",\"room\":1234,\"username\":\"u-dan\"}");
	assert_int_equal(ev.type, TEXTROOM_EV_PEER_LEFT);
	assert_string_equal(ev.name, "dan");
	int err;
	assert_null(textroom_message_request(tr, "u-dan", "x", &err)); /* gone */
	feed(tr, "{\"textroom\":\"kicked\",\"room\":1234,\"username\":\"%s\"}", textroom_username(tr));
	assert_int_equal(ev.type, TEXTROOM_EV_KICKED);
	textroom_destroy(tr);

	assert_int_equal(textroom_create(1, 0, "x", NULL, &tr), 0);
	char *t = txn_of(textroom_join_request(tr), "join");
	feed(tr, "{\"textroom\":\"error\",\"transaction\":\"%s\",\"error_code\":419,"
		 "\"error\":\"Wrong pin\\u001b[31m\"}", t);
	assert_int_equal(ev.type, TEXTROOM_EV_JOIN_FAILED);
	assert_int_equal(ev.code, 419);
	assert_string_equal(ev.reason, "Wrong pin");
	free(t);
	textroom_destroy(tr);
}

static void test_hostile(void **state)
{
	(void)state;
	struct textroom *tr = joined_room();
	static const char *bad[] = { "", "nope", "[]", "{\"textroom\":7}",
		"{\"textroom\":\"message\",\"room\":1234,\"from\":5,\"text\":\"x\"}",
		"{\"textroom\":\"message\",\"room\":1234,\"from\":\"u-bob\"}",
		"{\"textroom\":\"join\",\"room\":1234}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(textroom_handle(tr, bad[i], strlen(bad[i]), &ev), -EBADMSG);
	/* Control sequences in names and text never come out. */
	feed(tr, "{\"textroom\":\"join\",\"room\":1234,\"username\":\"u-evil\","
		 "\"display\":\"\\u001b]52;c;ZXZpbA==\\u0007Mallory\\u001b[2J\"}");
	assert_string_equal(ev.name, "Mallory");
	feed(tr, "{\"textroom\":\"message\",\"room\":1234,\"from\":\"u-evil\","
		 "\"text\":\"a\\u009b31mb\\nc\\u0007\"}");
	assert_string_equal(ev.text, "ab\nc");
	assert_string_equal(ev.name, "Mallory");
	/* A huge text is clipped to the bound. */
	size_t n = 200000;
	char *big = malloc(n + 200);
	int k = sprintf(big, "{\"textroom\":\"message\",\"room\":1234,\"from\":\"u-bob\",\"text\":\"");
	memset(big + k, 'x', 60000);
	strcpy(big + k + 60000, "\"}");
	assert_int_equal(textroom_handle(tr, big, strlen(big), &ev), 0);
	assert_true(strlen(ev.text) <= TEXTROOM_TEXT_MAX);
	memset(big + k, 'x', n - k);
	strcpy(big + n, "\"}");
	assert_int_equal(textroom_handle(tr, big, strlen(big), &ev), -EBADMSG); /* over 64 KiB */
	free(big);
	textroom_destroy(tr);
}

/* Usernames are identities: raw, so "u-bob" and "u-bob" + ZWSP are two users, though both
 * show as "bob"; a message names its sender's raw username. */
static void test_raw_usernames(void **state)
{
	(void)state;
	struct textroom *tr = joined_room();
	feed(tr, "{\"textroom\":\"join\",\"room\":1234,\"username\":\"u-bob\u200b\","
		 "\"display\":\"bob\"}");
	assert_int_equal(ev.type, TEXTROOM_EV_PEER_JOINED);
	assert_string_equal(ev.user, "u-bob\xe2\x80\x8b");
	assert_string_equal(ev.name, "bob");
	feed(tr, "{\"textroom\":\"message\",\"room\":1234,\"from\":\"u-bob\u200b\","
		 "\"text\":\"hi\"}");
	assert_string_equal(ev.user, "u-bob\xe2\x80\x8b");
	assert_string_equal(ev.name, "bob");
	feed(tr, "{\"textroom\":\"message\",\"room\":1234,\"from\":\"u-bob\",\"text\":\"hi\"}");
	assert_string_equal(ev.user, "u-bob");
	/* Without a display, the name comes from the username, sanitized. */
	feed(tr, "{\"textroom\":\"message\",\"room\":1234,"
		 "\"from\":\"ttm-0123456789abcdef-\u202eeve\",\"text\":\"old\"}");
	assert_string_equal(ev.name, "eve");
	assert_string_equal(ev.user, "ttm-0123456789abcdef-\xe2\x80\xae" "eve");
	/* An over-long username is not an identity we keep. */
	char big[600];
	memset(big, 'u', 400);
	big[400] = 0;
	assert_int_equal(feed(tr, "{\"textroom\":\"message\",\"room\":1234,\"from\":\"%s\","
				  "\"text\":\"x\"}", big), -EBADMSG);
	textroom_destroy(tr);
}

static void test_username_taken(void **state)
{
	(void)state;
	struct textroom *tr;
	assert_int_equal(textroom_create(1, 0x4dULL, "eve", NULL, &tr), 0);
	char *t = txn_of(textroom_join_request(tr), "join");
	feed(tr, "{\"textroom\":\"error\",\"transaction\":\"%s\",\"error_code\":420,"
		 "\"error\":\"Username already taken\"}", t);
	free(t);
	assert_int_equal(ev.type, TEXTROOM_EV_JOIN_FAILED);
	assert_int_equal(ev.code, TEXTROOM_ERR_USERNAME_TAKEN);
	textroom_renew_username(tr);
	const char *u = textroom_username(tr);
	assert_int_equal(strncmp(u, "ttm-000000000000004d-eve~", 25), 0);
	assert_int_equal(strlen(u), 25 + 8);
	assert_int_equal(textroom_username_id(u), 0x4d);
	char *req = textroom_join_request(tr);
	json_t *j = json_loads(req, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "username")), u);
	assert_string_equal(json_string_value(json_object_get(j, "display")), "eve");
	json_decref(j);
	t = txn_of(req, "join");
	feed(tr, "{\"textroom\":\"success\",\"transaction\":\"%s\",\"participants\":[]}", t);
	free(t);
	assert_int_equal(ev.type, TEXTROOM_EV_JOINED);
	/* Our echo under the new username is ours. */
	feed(tr, "{\"textroom\":\"message\",\"room\":1,\"from\":\"%s\",\"text\":\"m\"}", u);
	assert_true(ev.self);
	textroom_destroy(tr);
}

static void count_peer(void *user, const char *username, const char *display)
{
	int *n = user;
	assert_true(strcmp(username, "u-bob") || !strcmp(display, "bob"));
	(*n)++;
}

static void test_usernames_carry_the_call_id(void **state)
{
	(void)state;
	struct textroom *tr;
	assert_int_equal(textroom_create(1, 0x4dULL, "eve", NULL, &tr), 0);
	assert_string_equal(textroom_username(tr), "ttm-000000000000004d-eve");
	assert_int_equal(textroom_username_id(textroom_username(tr)), 0x4d);
	textroom_destroy(tr);
	assert_int_equal(textroom_username_id("ttm-00000000000000ff-x"), 255);
	assert_int_equal(textroom_username_id("ttm-fedcba9876543210-long name"),
			 0xfedcba9876543210ULL);
	assert_int_equal(textroom_username_id("ttm-00000000000000ff-"), 0);  /* no display */
	assert_int_equal(textroom_username_id("ttm-00000000000000FF-x"), 0);  /* not ours */
	assert_int_equal(textroom_username_id("ttm-000000000000g0ff-x"), 0);
	assert_int_equal(textroom_username_id("ttm-0ff-x"), 0);
	assert_int_equal(textroom_username_id("bob"), 0);

	/* Peer events name the username and its id; the list excludes us. */
	tr = joined_room();
	int n = 0;
	textroom_foreach_peer(tr, count_peer, &n);
	assert_int_equal(n, 2); /* bob and carol from the join reply */
	feed(tr, "{\"textroom\":\"join\",\"room\":1234,\"username\":\"%s\",\"display\":\"alice\"}",
	     textroom_username(tr));
	feed(tr, "{\"textroom\":\"join\",\"room\":1234,\"username\":\"ttm-0000000000000063-dan\","
		 "\"display\":\"dan\"}");
	assert_int_equal(ev.type, TEXTROOM_EV_PEER_JOINED);
	assert_string_equal(ev.user, "ttm-0000000000000063-dan");
	assert_int_equal(ev.peer_id, 99);
	n = 0;
	textroom_foreach_peer(tr, count_peer, &n);
	assert_int_equal(n, 3);
	feed(tr, "{\"textroom\":\"leave\",\"room\":1234,\"username\":\"u-carol\"}");
	assert_int_equal(ev.type, TEXTROOM_EV_PEER_LEFT);
	assert_string_equal(ev.user, "u-carol");
	assert_int_equal(ev.peer_id, 0);
	textroom_destroy(tr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_and_messages),
		cmocka_unit_test(test_private_send),
		cmocka_unit_test(test_raw_usernames),
		cmocka_unit_test(test_username_taken),
		cmocka_unit_test(test_peers_and_errors),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_usernames_carry_the_call_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
