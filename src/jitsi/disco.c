/* Service discovery about ourselves (contract in disco.h).
 *
 * One identity, client/console "ttymeet" (a text-mode client), and the features of what the
 * stream and the backend do: disco#info itself, entity capabilities, MUC, XEP-0199 ping, and
 * Jingle RTP sessions with audio over ICE-UDP and DTLS-SRTP, bundled and rtcp-muxed
 * (src/jitsi/call.c), with Jitsi's JSON-encoded sources and named sources (source-name, which
 * tells a 2022-2023 jicofo that our bridge channel names sources). No video, no data channel:
 * a feature advertised is a promise other clients act on (jicofo offers what the features name).
 */
#include "src/jitsi/disco.h"

#include <errno.h>
#include <stdbool.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#define ID_CATEGORY "client"
#define ID_TYPE "console"
#define ID_NAME "ttymeet"

const char *const disco_features[] = {
	NS_CAPS,
	NS_DISCO_INFO,
	"http://jabber.org/protocol/muc",
	"http://jitsi.org/json-encoded-sources", /* jingle.c reads them */
	"http://jitsi.org/source-name",         /* our sources are named (jsession.c), and the
						 * bridge channel speaks source names when the
						 * focus's do (call.c, colibri.h) */
	"urn:ietf:rfc:5761",                    /* rtcp-mux */
	"urn:ietf:rfc:5888",                    /* BUNDLE */
	"urn:xmpp:jingle:1",
	"urn:xmpp:jingle:apps:dtls:0",
	"urn:xmpp:jingle:apps:rtp:1",
	"urn:xmpp:jingle:apps:rtp:audio",
	DISCO_VIDEO,                            /* only with video (disco_video_ok) */
	"urn:xmpp:jingle:transports:ice-udp:1",
	"urn:xmpp:ping",
	NULL, /* in byte order (XEP-0115 §5.1 hashes them so) */
};

/* Whether feature f is ours in a session with or without video. */
static bool offered(const char *f, bool video)
{
	return video || strcmp(f, DISCO_VIDEO);
}

int disco_caps_ver(bool video, char *out, size_t outlen)
{
	/* §5.1: category/type/lang/name '<', then each feature '<' (no extended forms) */
	char s[1024];
	size_t n = (size_t)snprintf(s, sizeof(s), "%s/%s//%s<", ID_CATEGORY, ID_TYPE, ID_NAME);
	for (const char *const *f = disco_features; *f; f++)
		if (offered(*f, video))
			n += (size_t)snprintf(s + n, sizeof(s) - n, "%s<", *f);
	unsigned char md[20];
	unsigned len = 0;
	if (outlen < 29 || n >= sizeof(s) || !EVP_Digest(s, n, md, &len, EVP_sha1(), NULL))
		return -ENOSPC;
	EVP_EncodeBlock((unsigned char *)out, md, (int)len);
	return 0;
}

int disco_caps_element(bool video, char *out, size_t outlen)
{
	char ver[32];
	if (disco_caps_ver(video, ver, sizeof(ver)) < 0)
		return -ENOSPC;
	int n = snprintf(out, outlen, "<c xmlns='" NS_CAPS "' hash='sha-1' node='" DISCO_NODE
			 "' ver='%s'/>", ver);
	return n < 0 || (size_t)n >= outlen ? -ENOSPC : 0;
}

int disco_info_query(const char *node, bool video, char *out, size_t outlen)
{
	char ver[32], full[sizeof(DISCO_NODE) + 40], nattr[sizeof(full) + 16] = "";
	if (disco_caps_ver(video, ver, sizeof(ver)) < 0)
		return -ENOSPC;
	snprintf(full, sizeof(full), "%s#%s", DISCO_NODE, ver);
	if (node && *node) {
		if (strcmp(node, full))
			return -ENOENT;
		snprintf(nattr, sizeof(nattr), " node='%s'", full); /* base64: no quote, no & */
	}
	size_t n = (size_t)snprintf(out, outlen, "<query xmlns='" NS_DISCO_INFO "'%s>"
				    "<identity category='" ID_CATEGORY "' type='" ID_TYPE
				    "' name='" ID_NAME "'/>", nattr);
	for (const char *const *f = disco_features; *f && n < outlen; f++)
		if (offered(*f, video))
			n += (size_t)snprintf(out + n, outlen - n, "<feature var='%s'/>", *f);
	if (n < outlen)
		n += (size_t)snprintf(out + n, outlen - n, "</query>");
	return n >= outlen ? -ENOSPC : 0;
}
