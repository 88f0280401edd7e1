/* SASL mechanisms for the XMPP stream (contract in sasl.h).
 *
 * SCRAM (RFC 5802 §3): SaltedPassword = PBKDF2(password, salt, i); ClientKey =
 * HMAC(SaltedPassword, "Client Key"); StoredKey = H(ClientKey); AuthMessage =
 * client-first-bare "," server-first "," client-final-without-proof; proof = ClientKey XOR
 * HMAC(StoredKey, AuthMessage); the server's signature HMAC(HMAC(SaltedPassword, "Server Key"),
 * AuthMessage) is kept and compared with the v= of its final message. The password is used as
 * given (no SASLprep): identical for the printable ASCII most passwords are.
 */
#include "src/jitsi/sasl.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/text.h"

static const char *const names[] = {
	[SASL_NONE] = "none", [SASL_ANONYMOUS] = "ANONYMOUS", [SASL_PLAIN] = "PLAIN",
	[SASL_SCRAM_SHA1] = "SCRAM-SHA-1", [SASL_SCRAM_SHA256] = "SCRAM-SHA-256",
};

const char *sasl_mech_name(enum sasl_mech m)
{
	return (unsigned)m <= SASL_SCRAM_SHA256 ? names[m] : "?";
}

static bool offered_has(const char *const *offered, size_t n, enum sasl_mech m)
{
	for (size_t i = 0; i < n; i++)
		if (offered[i] && !strcmp(offered[i], names[m]))
			return true;
	return false;
}

enum sasl_mech sasl_choose(const char *const *offered, size_t n, const struct sasl_login *login,
			   bool tls, char *why, size_t whylen)
{
	if (!login || !login->user) {
		if (offered_has(offered, n, SASL_ANONYMOUS))
			return SASL_ANONYMOUS;
		snprintf(why, whylen, "the XMPP server wants a login (no anonymous access): give the "
			 "user name with --xmpp-user and the password with --xmpp-password-file or "
			 "TTYMEET_XMPP_PASSWORD");
		return SASL_NONE;
	}
	if (offered_has(offered, n, SASL_SCRAM_SHA256))
		return SASL_SCRAM_SHA256;
	if (offered_has(offered, n, SASL_SCRAM_SHA1))
		return SASL_SCRAM_SHA1;
	if (offered_has(offered, n, SASL_PLAIN)) {
		if (tls || login->plain_ok)
			return SASL_PLAIN;
		snprintf(why, whylen, "the XMPP server offers only PLAIN login, which would send the "
			 "password readable over this unencrypted connection (ws://): use wss://, "
			 "or --xmpp-allow-plain in a lab");
		return SASL_NONE;
	}
	snprintf(why, whylen, "the XMPP server offers no login ttymeet can do with a password "
		 "(%s)", offered_has(offered, n, SASL_ANONYMOUS) ? "only anonymous access"
							     : "not SCRAM-SHA-256, SCRAM-SHA-1 or PLAIN");
	return SASL_NONE;
}

/* base64 of n bytes into out (NUL-terminated). */
static int b64_enc(const void *in, size_t n, char *out, size_t outlen)
{
	if (outlen < 4 * ((n + 2) / 3) + 1 || n > SASL_MSG_MAX)
		return -ENOSPC;
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return 0;
}

/* Decodes base64 text (no whitespace) into out; the length, or -EBADMSG. */
static int b64_dec(const char *in, unsigned char *out, size_t outlen)
{
	size_t n = strlen(in);
	if (n == 0)
		return 0;
	if (n % 4 || n > SASL_MSG_MAX || outlen < n / 4 * 3)
		return -EBADMSG;
	int pad = (in[n - 1] == '=') + (n > 1 && in[n - 2] == '=');
	for (size_t i = 0; i < n - (size_t)pad; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
			    in[i]))
			return -EBADMSG;
	int r = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	return r < 0 ? -EBADMSG : r - pad;
}

/* RFC 5802 saslname: ',' and '=' escaped. */
static int saslname(const char *user, char *out, size_t outlen)
{
	size_t k = 0;
	for (const char *p = user; *p; p++) {
		const char *rep = *p == ',' ? "=2C" : *p == '=' ? "=3D" : NULL;
		size_t l = rep ? 3 : 1;
		if (k + l >= outlen)
			return -ENOSPC;
		memcpy(out + k, rep ? rep : p, l);
		k += l;
	}
	out[k] = '\0';
	return 0;
}

static bool user_ok(const char *u)
{
	size_t n = u ? strlen(u) : 0;
	return n > 0 && n <= SASL_USER_MAX && text_is_clean_name(u);
}

int sasl_start(struct sasl *s, enum sasl_mech m, const struct sasl_login *login,
	       const char *cnonce, char *out, size_t outlen)
{
	memset(s, 0, sizeof(*s));
	s->mech = m;
	s->login = login;
	s->step = 1;
	if (m == SASL_ANONYMOUS) { /* no initial response (no trace, RFC 4505) */
		if (outlen < 1)
			return -ENOSPC;
		out[0] = '\0';
		return 0;
	}
	if (!login || !user_ok(login->user) || !login->password)
		return -EINVAL;
	if (m == SASL_PLAIN) { /* authzid (empty) NUL authcid NUL password */
		size_t u = strlen(login->user), p = strlen(login->password);
		if (u + p + 2 > SASL_MSG_MAX / 2)
			return -ENOSPC;
		unsigned char msg[SASL_MSG_MAX / 2];
		msg[0] = '\0';
		memcpy(msg + 1, login->user, u);
		msg[1 + u] = '\0';
		memcpy(msg + 2 + u, login->password, p);
		int rc = b64_enc(msg, u + p + 2, out, outlen);
		OPENSSL_cleanse(msg, sizeof(msg));
		return rc;
	}
	if (m != SASL_SCRAM_SHA1 && m != SASL_SCRAM_SHA256)
		return -EINVAL;
	if (cnonce) {
		snprintf(s->cnonce, sizeof(s->cnonce), "%s", cnonce);
	} else {
		unsigned char rnd[24];
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return -EIO;
		b64_enc(rnd, sizeof(rnd), s->cnonce, sizeof(s->cnonce)); /* 32 chars, no ',' */
	}
	char name[SASL_USER_MAX * 3 + 1], first[sizeof(s->first_bare) + 8];
	if (saslname(login->user, name, sizeof(name)) < 0)
		return -EINVAL;
	snprintf(s->first_bare, sizeof(s->first_bare), "n=%s,r=%s", name, s->cnonce);
	snprintf(first, sizeof(first), "n,,%s", s->first_bare); /* gs2: no channel binding */
	return b64_enc(first, strlen(first), out, outlen);
}

/* The value of attribute "a=" in a SCRAM message (a copy, bounded), or NULL. */
static const char *scram_attr(const char *msg, char a, char *out, size_t outlen)
{
	for (const char *p = msg; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (p[0] == a && p[1] == '=') {
			size_t n = strcspn(p + 2, ",");
			if (n >= outlen)
				return NULL;
			memcpy(out, p + 2, n);
			out[n] = '\0';
			return out;
		}
	}
	return NULL;
}

int sasl_challenge(struct sasl *s, const char *b64, char *out, size_t outlen)
{
	if (s->mech == SASL_ANONYMOUS && s->step == 1 && !*b64 && outlen >= 2) {
		memcpy(out, "=", 2); /* the empty challenge to a missing initial response */
		return 0;
	}
	if ((s->mech != SASL_SCRAM_SHA1 && s->mech != SASL_SCRAM_SHA256) || s->step != 1)
		return -EBADMSG;
	const EVP_MD *md = s->mech == SASL_SCRAM_SHA1 ? EVP_sha1() : EVP_sha256();
	unsigned hl = (unsigned)EVP_MD_size(md);
	unsigned char sf[SASL_MSG_MAX], salt[SASL_MSG_MAX], salted[64], ckey[64], skey[64],
		stored[64], csig[64], proof[64];
	char nonce[512], salt64[512], iter[16], final[1024], msg[3 * 1024 + 64];
	int rc = -EBADMSG, n = b64_dec(b64, sf, sizeof(sf) - 1);
	if (n <= 0)
		return -EBADMSG;
	sf[n] = '\0';
	if (memchr(sf, '\0', (size_t)n) || sf[0] == 'm') /* no extensions we must understand */
		return -EBADMSG;
	const char *server_first = (const char *)sf;
	if (!scram_attr(server_first, 'r', nonce, sizeof(nonce)) ||
	    !scram_attr(server_first, 's', salt64, sizeof(salt64)) ||
	    !scram_attr(server_first, 'i', iter, sizeof(iter)))
		return -EBADMSG;
	size_t cl = strlen(s->cnonce);
	if (strncmp(nonce, s->cnonce, cl) || strlen(nonce) == cl)
		return -EBADMSG; /* the server's nonce extends ours */
	for (const char *p = nonce; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return -EBADMSG;
	char *end;
	long it = strtol(iter, &end, 10);
	if (*end || end == iter || it < SASL_SCRAM_MIN_ITER || it > SASL_SCRAM_MAX_ITER)
		return -EBADMSG;
	int sl = b64_dec(salt64, salt, sizeof(salt));
	if (sl <= 0)
		return -EBADMSG;
	snprintf(final, sizeof(final), "c=biws,r=%s", nonce); /* biws = base64("n,,") */
	if (snprintf(msg, sizeof(msg), "%s,%s,%s", s->first_bare, server_first, final) >=
	    (int)sizeof(msg))
		return -EBADMSG;
	const char *pw = s->login->password;
	unsigned len = hl;
	if (!PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, sl, (int)it, md, (int)hl, salted) ||
	    !HMAC(md, salted, (int)hl, (const unsigned char *)"Client Key", 10, ckey, &len) ||
	    !EVP_Digest(ckey, hl, stored, &len, md, NULL) ||
	    !HMAC(md, stored, (int)hl, (const unsigned char *)msg, strlen(msg), csig, &len) ||
	    !HMAC(md, salted, (int)hl, (const unsigned char *)"Server Key", 10, skey, &len) ||
	    !HMAC(md, skey, (int)hl, (const unsigned char *)msg, strlen(msg), s->server_sig,
		  &len)) {
		rc = -EIO;
		goto out;
	}
	s->sig_len = hl;
	for (unsigned i = 0; i < hl; i++)
		proof[i] = ckey[i] ^ csig[i];
	char p64[128], whole[sizeof(final) + sizeof(p64) + 4];
	b64_enc(proof, hl, p64, sizeof(p64));
	snprintf(whole, sizeof(whole), "%s,p=%s", final, p64);
	rc = b64_enc(whole, strlen(whole), out, outlen);
	s->step = 2;
out:
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(ckey, sizeof(ckey));
	OPENSSL_cleanse(skey, sizeof(skey));
	OPENSSL_cleanse(stored, sizeof(stored));
	OPENSSL_cleanse(csig, sizeof(csig));
	OPENSSL_cleanse(proof, sizeof(proof));
	return rc;
}

int sasl_success(struct sasl *s, const char *b64)
{
	if (s->mech == SASL_ANONYMOUS || s->mech == SASL_PLAIN)
		return s->step == 1 ? 0 : -EBADMSG;
	if (s->step != 2)
		return -EBADMSG; /* success before the proof: the server skipped the check */
	unsigned char m[SASL_MSG_MAX], sig[128];
	char v[256];
	int n = b64_dec(b64 ? b64 : "", m, sizeof(m) - 1);
	if (n <= 0)
		return -EBADMSG;
	m[n] = '\0';
	if (!scram_attr((const char *)m, 'v', v, sizeof(v)))
		return -EBADMSG;
	int sl = b64_dec(v, sig, sizeof(sig));
	if (sl != (int)s->sig_len || CRYPTO_memcmp(sig, s->server_sig, s->sig_len))
		return -EBADMSG;
	s->step = 3;
	return 0;
}

void sasl_clear(struct sasl *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}
