/* What the SDP tests share (unit_net_sdp: parsing; unit_net_sdp_write: our offers and
 * answers): two Janus offers, reconstructed from shared/janus/PROTOCOL.md and Janus 1.1.2's SDP
 * writer (the same texts are fuzz seeds), and a parse that must succeed. Header only (as
 * pump.h); every piece is used by both tests. */
#ifndef TTM_TESTS_SDP_FIXTURES_H
#define TTM_TESTS_SDP_FIXTURES_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/sdp.h"

/* tests/fuzz/corpus/net_sdp/janus_textroom_offer.sdp */
static const char tr_offer[] =
	"v=0\r\n"
	"o=- 1732346731548210 1 IN IP4 192.0.2.2\r\n"
	"s=Meetecho Janus\r\n"
	"t=0 0\r\n"
	"a=group:BUNDLE 0\r\n"
	"a=ice-options:trickle\r\n"
	"a=fingerprint:sha-256 53:1F:83:3D:11:9B:81:6B:F1:08:E7:99:F6:51:DB:0C:FD:CE:"
	"27:79:19:66:AA:40:EA:23:D4:F4:52:1E:01:98\r\n"
	"a=extmap-allow-mixed\r\n"
	"a=msid-semantic: WMS *\r\n"
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
	"c=IN IP4 192.0.2.2\r\n"
	"a=mid:0\r\n"
	"a=sctp-port:5000\r\n"
	"a=ice-ufrag:u8Zq\r\n"
	"a=ice-pwd:Vq5e1hHn0N3dLwq0eJ7xkc\r\n"
	"a=ice-options:trickle\r\n"
	"a=setup:actpass\r\n"
	"a=candidate:1 1 udp 2015363327 192.0.2.2 40422 typ host\r\n"
	"a=end-of-candidates\r\n";

/* tests/fuzz/corpus/net_sdp/janus_videoroom_subscriber_offer.sdp */
static const char vr_offer[] =
	"v=0\r\n"
	"o=- 1732346731002187 1 IN IP4 192.0.2.2\r\n"
	"s=VideoRoom 1234\r\n"
	"t=0 0\r\n"
	"a=group:BUNDLE 0 1\r\n"
	"a=ice-options:trickle\r\n"
	"a=fingerprint:sha-256 53:1F:83:3D:11:9B:81:6B:F1:08:E7:99:F6:51:DB:0C:FD:CE:"
	"27:79:19:66:AA:40:EA:23:D4:F4:52:1E:01:98\r\n"
	"a=extmap-allow-mixed\r\n"
	"a=msid-semantic: WMS *\r\n"
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
	"c=IN IP4 192.0.2.2\r\n"
	"a=sendonly\r\n"
	"a=mid:0\r\n"
	"a=rtcp-mux\r\n"
	"a=ice-ufrag:Qp2w\r\n"
	"a=ice-pwd:1yXgQ3ZsM0uY7LkCb3rTgh\r\n"
	"a=ice-options:trickle\r\n"
	"a=setup:actpass\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
	"a=extmap:4 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
	"a=msid:janus janus0\r\n"
	"a=ssrc:2849011447 cname:janus\r\n"
	"a=candidate:1 1 udp 2015363327 192.0.2.2 40517 typ host\r\n"
	"a=end-of-candidates\r\n"
	"m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
	"c=IN IP4 192.0.2.2\r\n"
	"a=sendonly\r\n"
	"a=mid:1\r\n"
	"a=rtcp-mux\r\n"
	"a=ice-ufrag:Qp2w\r\n"
	"a=ice-pwd:1yXgQ3ZsM0uY7LkCb3rTgh\r\n"
	"a=ice-options:trickle\r\n"
	"a=setup:actpass\r\n"
	"a=rtpmap:96 VP8/90000\r\n"
	"a=rtcp-fb:96 ccm fir\r\n"
	"a=rtcp-fb:96 nack\r\n"
	"a=rtcp-fb:96 nack pli\r\n"
	"a=rtcp-fb:96 goog-remb\r\n"
	"a=rtcp-fb:96 transport-cc\r\n"
	"a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
	"a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
	"a=extmap:3 http:"
	"//www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
	"a=rtpmap:97 rtx/90000\r\n"
	"a=fmtp:97 apt=96\r\n"
	"a=ssrc-group:FID 1311360421 2097006911\r\n"
	"a=msid:janus janus1\r\n"
	"a=ssrc:1311360421 cname:janus\r\n"
	"a=ssrc:2097006911 cname:janus\r\n"
	"a=candidate:1 1 udp 2015363327 192.0.2.2 40517 typ host\r\n"
	"a=end-of-candidates\r\n";

static struct sdp_session *parse_ok(const char *text)
{
	struct sdp_session *s;
	assert_int_equal(sdp_session_create(&s), 0);
	assert_int_equal(sdp_parse(text, strlen(text), s), 0);
	return s;
}

#endif
