/* SASL for the XMPP stream (RFC 6120 §6): which mechanism to use from the ones the server
 * offers, and the client side of ANONYMOUS (RFC 4505), PLAIN (RFC 4616) and SCRAM-SHA-1 /
 * SCRAM-SHA-256 (RFC 5802, RFC 7677; without channel binding: no -PLUS) with OpenSSL.
 *
 * The choice: without credentials ANONYMOUS (nothing else can work); with credentials the
 * strongest offered of SCRAM-SHA-256, SCRAM-SHA-1, and PLAIN only over an encrypted transport
 * (wss://) or when the user allowed it (a lab): PLAIN hands the password itself to whoever
 * reads the stream. SCRAM proves the password without sending it and checks the server's
 * signature (a server that does not know the password cannot fake success).
 *
 * Messages are base64 as they go in <auth>, <response>, <challenge>, <success>. Everything the
 * server sends is bounded and checked: the nonce must extend ours, the salt must decode, the
 * iteration count must lie in [SASL_SCRAM_MIN_ITER, SASL_SCRAM_MAX_ITER] (fewer would make a
 * captured exchange cheap to crack, more would stall the loop). The password is not copied:
 * the caller keeps it alive until the exchange is over; derived keys are wiped.
 * Pure apart from the random nonce; any thread, one exchange per struct.
 */
#ifndef TTM_SRC_JITSI_SASL_H
#define TTM_SRC_JITSI_SASL_H

#include <stdbool.h>
#include <stddef.h>

#define SASL_SCRAM_MIN_ITER 4096    /* RFC 7677's minimum */
#define SASL_SCRAM_MAX_ITER 1000000
#define SASL_MSG_MAX 4096           /* bytes of a base64 message either way */
#define SASL_USER_MAX 1023          /* an XMPP localpart */

enum sasl_mech { SASL_NONE, SASL_ANONYMOUS, SASL_PLAIN, SASL_SCRAM_SHA1, SASL_SCRAM_SHA256 };

/* Who logs in: user NULL for an anonymous login. */
struct sasl_login {
	const char *user;     /* localpart, 1..SASL_USER_MAX bytes of printable UTF-8 */
	const char *password; /* with user */
	bool plain_ok;        /* PLAIN allowed without TLS (the user said so) */
};

/* The mechanism's name as SASL spells it ("SCRAM-SHA-1"). */
const char *sasl_mech_name(enum sasl_mech m);

/* Picks the mechanism from the offered names (n of them, any strings). tls: the stream is
 * encrypted. Returns it, or SASL_NONE with one line in why saying what is missing. */
enum sasl_mech sasl_choose(const char *const *offered, size_t n, const struct sasl_login *login,
			   bool tls, char *why, size_t whylen);

struct sasl {
	enum sasl_mech mech;
	const struct sasl_login *login;
	int step;                 /* 0 before the first message, 1 after it, 2 after the proof */
	char cnonce[48];
	char first_bare[SASL_USER_MAX * 3 + 64]; /* n=USER,r=CNONCE */
	unsigned char server_sig[64];
	unsigned sig_len;
};

/* Starts an exchange: the initial response (base64; "" for none: ANONYMOUS) into out. cnonce:
 * NULL for a random one (tests give the RFCs' examples). 0, -EINVAL (a bad user name),
 * -ENOSPC. */
int sasl_start(struct sasl *s, enum sasl_mech m, const struct sasl_login *login,
	       const char *cnonce, char *out, size_t outlen);
/* A <challenge>'s base64 text: the response into out. 0, or -EBADMSG (a challenge that breaks
 * the mechanism: wrong nonce, bad salt, iterations out of bounds, out of turn), -ENOSPC. */
int sasl_challenge(struct sasl *s, const char *b64, char *out, size_t outlen);
/* The <success>'s base64 text (may be empty): 0 when the exchange is complete and, for SCRAM,
 * the server proved it knows the password; -EBADMSG otherwise. */
int sasl_success(struct sasl *s, const char *b64);
/* Wipes the exchange's state. */
void sasl_clear(struct sasl *s);

#endif
