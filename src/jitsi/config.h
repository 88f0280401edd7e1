/* Where a Jitsi Meet meeting lives: the link the user gives, the deployment's /config.js and
 * the command-line overrides, resolved into the XMPP settings the backend connects with.
 *
 * jitsi_link_parse reads `http(s)://HOST[:PORT]/ROOM` (the user's input). jitsi_configjs_parse
 * reads /config.js as text (the server's input, untrusted): it never executes anything and
 * only takes string literals at the paths hosts.domain, hosts.muc, hosts.focus,
 * hosts.anonymousdomain, hosts.authdomain, websocket and legalUrls.privacy of the top-level
 * `config` object (an object literal
 * `var config = { hosts: { domain: '...' } }` or top-level assignments `config.hosts.muc =
 * '...'`); a value that is an expression (`'conference.' + subdomain + 'host'`), a template
 * with substitutions, too long, or not a host name / WebSocket URL is refused and falls back
 * to the default. jitsi_settings_resolve combines: override, else config.js, else the default
 * (domain HOST, MUC conference.DOMAIN, focus focus.DOMAIN, WebSocket wss://HOST/xmpp-websocket,
 * ws:// for an http:// link), and adds `?room=ROOM` to the WebSocket URL.
 * Pure functions, any thread; nothing allocated.
 */
#ifndef TTM_SRC_JITSI_CONFIG_H
#define TTM_SRC_JITSI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define JITSI_HOST_MAX 253        /* a DNS name */
#define JITSI_ROOM_MAX 128        /* bytes of a room name (an XMPP localpart, lowercased) */
#define JITSI_URL_MAX 512         /* a WebSocket URL, with ?room= */
#define JITSI_CONFIGJS_MAX (1 << 20) /* bytes of /config.js looked at */

struct jitsi_link {
	bool tls;                          /* https:// */
	char host[JITSI_HOST_MAX + 1];     /* lowercased; an IPv6 literal keeps its brackets */
	unsigned port;                     /* 0: the scheme's default */
	char room[JITSI_ROOM_MAX + 1];     /* percent-decoded, ASCII lowercased */
	char origin[JITSI_HOST_MAX + 32];  /* scheme://host[:port], for /config.js */
};

/* True if url looks like a Jitsi link (http:// or https://), not a Janus URL. */
bool jitsi_is_link(const char *url);
/* Parses a Jitsi Meet link. The `#config...` fragment and query parameters are ignored,
 * except `jwt=` (a token in the link would show in ps: refused, use --jwt-file). Returns 0, or
 * -EINVAL with one line in err. */
int jitsi_link_parse(const char *url, struct jitsi_link *out, char *err, size_t errlen);

enum jitsi_key {
	JITSI_KEY_DOMAIN, JITSI_KEY_MUC, JITSI_KEY_FOCUS, JITSI_KEY_ANONDOMAIN, JITSI_KEY_WEBSOCKET,
	JITSI_KEY_AUTHDOMAIN, /* where users with a login log in (default: hosts.domain) */
	JITSI_KEY_PRIVACY,    /* legalUrls.privacy: the deployment's privacy policy, an http(s) URL */
	JITSI_KEY_HIDDEN,     /* hiddenDomain: where recorders and other bots log in (not listed) */
	JITSI_KEY_COUNT
};

/* What config.js said: each key absent, a usable literal, or refused (an expression, too
 * long, not a host name/URL). */
struct jitsi_configjs {
	char value[JITSI_KEY_COUNT][JITSI_URL_MAX + 1]; /* "" unless set */
	bool set[JITSI_KEY_COUNT];
	bool refused[JITSI_KEY_COUNT];
	bool truncated; /* the text was longer than JITSI_CONFIGJS_MAX: the rest was not read */
};

/* The config.js path of a key ("hosts.muc"), for messages. */
const char *jitsi_key_name(enum jitsi_key k);
/* Reads config.js text (any bytes, not NUL-terminated). Never fails: what cannot be read is
 * absent or refused. */
void jitsi_configjs_parse(const char *text, size_t len, struct jitsi_configjs *out);

/* Command-line overrides: NULL when not given. */
struct jitsi_overrides {
	const char *websocket, *domain, *muc, *focus;
};

struct jitsi_settings {
	char websocket[JITSI_URL_MAX + 1]; /* with ?room= */
	char domain[JITSI_HOST_MAX + 1];   /* the XMPP domain */
	char login_domain[JITSI_HOST_MAX + 1]; /* where to log in anonymously: anonymousdomain or domain */
	char auth_domain[JITSI_HOST_MAX + 1];  /* where to log in with a user name: authdomain or domain */
	char privacy_url[JITSI_URL_MAX + 1];   /* config.js's legalUrls.privacy, "" if none */
	char hidden_domain[JITSI_HOST_MAX + 1]; /* config.js's hiddenDomain, "" if none */
	char muc[JITSI_HOST_MAX + 1];
	char focus[JITSI_HOST_MAX + 1];
	char room[JITSI_ROOM_MAX + 1];
};

/* Validates an override or config value: a DNS host name (letters, digits, '-', '.'), or a
 * ws:// / wss:// URL without spaces, controls or quotes. */
bool jitsi_valid_host(const char *s);
bool jitsi_valid_ws_url(const char *s);
/* The same for an http:// or https:// URL (a link config.js gives, shown to the user). */
bool jitsi_valid_http_url(const char *s);

/* Resolves the settings (cfg may be NULL: no config.js). Returns 0, or -EINVAL with one line in
 * err when an override is not valid or the result does not fit, or -EPROTO when config.js
 * names a plain ws:// WebSocket for an https:// link (encryption was promised). */
int jitsi_settings_resolve(const struct jitsi_link *link, const struct jitsi_configjs *cfg,
			   const struct jitsi_overrides *ov, struct jitsi_settings *out,
			   char *err, size_t errlen);

#endif
