/* Service discovery about ourselves: the disco#info answer (XEP-0030) naming exactly what the
 * client implements, and the entity capabilities (XEP-0115) that Jitsi clients put in their
 * presence: <c hash='sha-1' node=DISCO_NODE ver=V/>, V computed from the same identity and
 * features by XEP-0115 §5.1 (so anyone who checks the hash against our disco#info answer
 * finds it right).
 * Pure, any thread; no state.
 */
#ifndef TTM_SRC_JITSI_DISCO_H
#define TTM_SRC_JITSI_DISCO_H

#include <stdbool.h>
#include <stddef.h>

#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_CAPS "http://jabber.org/protocol/caps"
/* our software, as XEP-0115 names it: a URI of our own (ttymeet has no web site; .invalid
 * says so) */
#define DISCO_NODE "https://ttymeet.invalid/caps"

/* The features we answer for, sorted (i;octet): NULL-terminated. DISCO_VIDEO is one of them
 * only in a run with video (the argument video below): jicofo offers video to a client that
 * has it. */
extern const char *const disco_features[];
#define DISCO_VIDEO "urn:xmpp:jingle:apps:rtp:video"

/* XEP-0115 §5.1 verification string of our identity and features: base64(SHA-1(S)), 28
 * characters, into out. 0 or -ENOSPC. */
int disco_caps_ver(bool video, char *out, size_t outlen);
/* The <c/> element for our presence. 0 or -ENOSPC. */
int disco_caps_element(bool video, char *out, size_t outlen);
/* The <query/> of a disco#info result for node (NULL or "": no node; DISCO_NODE#ver: ours)
 * into out. 0, -ENOENT for a node we do not have, -ENOSPC. */
int disco_info_query(const char *node, bool video, char *out, size_t outlen);

#endif
