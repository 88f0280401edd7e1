/* Fuzz target: a Janus VideoRoom meeting (--room-type videoroom) with everything the server
 * sends untrusted — src/janus/vroom.c (the meeting handle's join, publishers, attendees,
 * unpublished/leaving/kicked, renames, talking, moderation; our publish answer; the audio
 * subscriber's offers, "updated" renegotiations and stream maps), src/janus/vpub.c (our
 * video on the meeting's PeerConnection: the answer's video m-line) and the preview link in
 * its meeting mode (src/janus/videolink.c: the meeting handle's events, its own subscriber).
 *
 * As fuzz_core_janus.c, offline, with a small fake Janus: create, attach (handles 1001,
 * 1002, … in attach order: the meeting handle first), keepalive, trickle, hangup, detach,
 * destroy, and the meeting handle's join (we are publisher 5555; publisher 7001 "alice"
 * has audio mid 0 and video mid 1); every other plugin request (publish, the subscribers'
 * join/subscribe/start, configure) is only acked and left open. The input is a list of
 * server messages separated by NUL bytes; "$H" becomes the newest open transaction on handle
 * H. The session has a media engine with null devices and publishes the test pattern. At the
 * end it leaves. Whatever the bytes: no crash, leak or UB, the process goes on, every string
 * handed to the client is terminal-safe. ICE only ever binds 127.0.0.1. */
#include <glib.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/media.h"
#include "src/session.h"
#include "src/session_int.h"
#include "tests/fuzz/fake_janus.h"

/* The fake Janus: what a well-behaved server answers, queued for the loop. */
static int fake_send(void *user, const char *text, size_t len)
{
	struct fake *f = user;
	json_t *m = json_loadb(text, len, 0, NULL);
	const char *verb = json_string_value(json_object_get(m, "janus"));
	const char *txn = json_string_value(json_object_get(m, "transaction"));
	json_int_t handle = json_integer_value(json_object_get(m, "handle_id"));
	if (!verb || !txn)
		abort(); /* the session itself must speak the protocol */
	if (!strcmp(verb, "create") || !strcmp(verb, "attach")) {
		json_t *r = reply("success", txn);
		uint64_t id = !strcmp(verb, "create") ? 77 : f->next_handle++;
		if (!f->ab_handle && !strcmp(verb, "attach"))
			f->ab_handle = id;
		json_object_set_new(r, "data", json_pack("{sI}", "id", (json_int_t)id));
		answer(f, r);
	} else if (!strcmp(verb, "keepalive") || !strcmp(verb, "trickle")) {
		answer(f, reply("ack", txn));
	} else if (!strcmp(verb, "hangup") || !strcmp(verb, "detach") ||
		   !strcmp(verb, "destroy")) {
		answer(f, reply("success", txn));
	} else if (!strcmp(verb, "message")) {
		const char *req = json_string_value(
			json_object_get(json_object_get(m, "body"), "request"));
		answer(f, reply("ack", txn));
		if ((uint64_t)handle == f->ab_handle && req && !strcmp(req, "join")) {
			json_t *ev = reply("event", txn);
			json_object_set_new(ev, "sender", json_integer(handle));
			json_object_set_new(ev, "plugindata", json_pack(
				"{ss s{ss sI sI sI s[{sI ss s[{ss ss ss} {ss ss ss}]}]}}", "plugin",
				"janus.plugin.videoroom", "data", "videoroom", "joined", "room",
				(json_int_t)1234, "id", (json_int_t)5555, "private_id", (json_int_t)42,
				"publishers", "id", (json_int_t)7001, "display", "alice", "streams",
				"type", "audio", "mid", "0", "codec", "opus", "type", "video", "mid", "1",
				"codec", "vp8"));
			answer(f, ev);
		} else {
			g_ptr_array_add(f->open, g_strdup_printf("%" JSON_INTEGER_FORMAT " %s",
								  handle, txn));
		}
	}
	json_decref(m);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static GMainContext *ctx;
	static const char *const lo[] = { "127.0.0.1", NULL };
	struct fake f = { .next_handle = 1001 };

	if (!ctx)
		ctx = g_main_context_new();
	struct session_config cfg = {
		.url = "ws://127.0.0.1:9/",
		.room = 1234,
		.name = "fuzz",
		.room_type = "videoroom", /* the fake is a VideoRoom: no room choice */
		.local_addrs = lo,
		.video = { .receive = true, .source = "testpattern" },
	};
	struct media_config mc = { .source_backend = "null", .sink_backend = "null",
				   .bitrate = 32000, .complexity = 1, .cname = "fuzz" };
	struct media *media = NULL;
	char msg[200];
	g_queue_init(&f.answers);
	f.open = g_ptr_array_new_with_free_func(g_free);
	if (media_create(ctx, &mc, &media, msg, sizeof(msg)) < 0)
		abort();
	cfg.media = media;
	if (session_create(ctx, NULL, &cfg, on_event, &f, &f.s) < 0)
		abort();
	if (session_offline_start(f.s, fake_send, &f) < 0)
		abort();
	drain(&f, ctx); /* joined: chat and video links attach */

	const char *in = (const char *)data;
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i])
			continue;
		feed(&f, in + start, i - start);
		drain(&f, ctx);
		start = i + 1;
	}
	session_leave(f.s, "user");
	for (int i = 0; i < 20 && !session_is_done(f.s); i++)
		drain(&f, ctx);
	session_destroy(f.s);
	media_destroy(media);
	while (g_main_context_iteration(ctx, FALSE))
		;
	g_queue_clear_full(&f.answers, free);
	g_ptr_array_free(f.open, TRUE);
	return 0;
}
