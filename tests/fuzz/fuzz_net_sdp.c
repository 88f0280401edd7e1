/* Fuzz target for net/sdp: parse any byte string; when it parses, write an answer to it and
 * check that our own answer parses back with the same m-lines (an answer to a hostile offer
 * must still be well-formed SDP). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cands[] = { "1 1 udp 2130706431 192.0.2.10 50000 typ host" };
	struct sdp_session *offer = NULL, *ans = NULL;
	char *buf = NULL;
	if (sdp_session_create(&offer) < 0 || sdp_session_create(&ans) < 0)
		goto out;
	if (sdp_parse((const char *)data, size, offer) < 0)
		goto out;
	const struct sdp_answer_opts o = {
		.local = { .sess_id = 1, .sess_version = 1, .ice_ufrag = "fuzz",
			   .ice_pwd = "fuzzfuzzfuzzfuzzfuzzfu",
			   .fingerprint = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
					  "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
			   .cands = cands, .n_cands = 1, .cands_done = true },
		.accept_audio = true, .accept_video = true, .accept_data = true,
		.allow_vp9 = size & 1, .allow_rtx = size & 2,
		.audio_dir = SDP_DIR_SENDRECV, .video_dir = SDP_DIR_RECVONLY,
		.audio_ssrc = 1, .cname = "fuzz",
	};
	size_t cap = SDP_MAX_LEN;
	buf = malloc(cap);
	if (!buf)
		goto out;
	int n = sdp_write_answer(buf, cap, offer, &o);
	if (n < 0)
		goto out;
	if (sdp_parse(buf, (size_t)n, ans) != 0 || ans->n_media != offer->n_media)
		abort();
	for (unsigned int i = 0; i < ans->n_media; i++)
		if (strcmp(ans->media[i].mid, offer->media[i].mid) != 0)
			abort();
out:
	free(buf);
	sdp_session_destroy(ans);
	sdp_session_destroy(offer);
	return 0;
}
