/* Fuzz target: everything the session does with what a Janus server sends once it is in the
 * meeting — net/janus.c (janus_handle_message: envelopes, transactions, errors) and the plugin
 * event handlers behind it: AudioBridge (src/session.c: roster, talking, kicked, destroyed),
 * TextRoom's Janus side (src/chatlink.c: the offer for the data channel, hangups) and VideoRoom
 * (src/videolink.c: publishers, subscriptions, offers, switches).
 *
 * The session runs offline (session_offline_start): a small fake Janus here answers create,
 * attach (handles 1001, 1002, … in attach order: AudioBridge, TextRoom, VideoRoom, then
 * subscribers), keepalive, trickle, hangup, detach, destroy and the AudioBridge join (we are
 * participant 5555); every other plugin request is only acked and left open. The input is a
 * list of server messages separated by NUL bytes, fed in order from the loop; in each, the
 * string "$H" (with its quotes; H a handle id, e.g. "$1002") becomes the transaction of the
 * newest open request on handle H, so a seed can answer one. At the end the session leaves. Whatever the bytes: no crash, leak or UB,
 * the process goes on, and every string the session hands its client is terminal-safe.
 * ICE only ever binds 127.0.0.1 here. */
#include <glib.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/session.h"
#include "src/session_int.h"
#include "tests/fuzz/fake_janus.h"

/* The AudioBridge's answer to our join: room 1234, we are participant 5555, nobody else. */
static json_t *ab_joined(void)
{
	return json_pack("{ss s{ss sI sI s[]}}", "plugin", "janus.plugin.audiobridge", "data",
			 "audiobridge", "joined", "room", (json_int_t)1234, "id",
			 (json_int_t)5555, "participants");
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
		.room_type = "audiobridge", /* the fake is an AudioBridge: no room choice */
		.local_addrs = lo,
		.video = { .receive = true },
	};
	fake_run(ctx, &cfg, ab_joined, data, size);
	return 0;
}
