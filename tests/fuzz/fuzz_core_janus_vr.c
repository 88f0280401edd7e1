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

/* The VideoRoom's answer to our join: room 1234, we are publisher 5555, publisher 7001
 * "alice" has audio (mid 0) and video (mid 1). */
static json_t *vr_joined(void)
{
	return json_pack("{ss s{ss sI sI sI s[{sI ss s[{ss ss ss} {ss ss ss}]}]}}", "plugin",
			 "janus.plugin.videoroom", "data", "videoroom", "joined", "room",
			 (json_int_t)1234, "id", (json_int_t)5555, "private_id", (json_int_t)42,
			 "publishers", "id", (json_int_t)7001, "display", "alice", "streams",
			 "type", "audio", "mid", "0", "codec", "opus", "type", "video", "mid", "1",
			 "codec", "vp8");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static GMainContext *ctx;
	static const char *const lo[] = { "127.0.0.1", NULL };

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
	if (media_create(ctx, &mc, &media, msg, sizeof(msg)) < 0)
		abort();
	cfg.media = media;
	fake_run(ctx, &cfg, vr_joined, data, size);
	media_destroy(media);
	while (g_main_context_iteration(ctx, FALSE))
		;
	return 0;
}
