/* Command-line parsing into a plain options struct (the contract in man/ttymeet.1).
 * Pure apart from getopt_long's own state, which cli_parse resets; main thread only. */
#ifndef TTM_SRC_CLI_H
#define TTM_SRC_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "src/jitsi/config.h"

#define CLI_MAX_CHAT 32
#define CLI_NAME_MAX 64 /* bytes of a display name */
#define CLI_SECRET_MAX 256 /* bytes of a pin, a TURN user name or a TURN password */

#define CLI_JWT_MAX 4096 /* bytes of a Jitsi token (a JWT) */

struct cli_options {
	const char *url;
	uint64_t room;         /* Janus; 0 for a Jitsi link */
	bool jitsi;            /* url is a Jitsi Meet link (https://HOST/ROOM, http:// in labs) */
	char jitsi_room[JITSI_ROOM_MAX + 1]; /* its room (lowercased, as Jitsi treats it) */
	/* Jitsi: --xmpp-websocket, --xmpp-domain, --xmpp-muc, --xmpp-focus (NULL: from
	 * /config.js or Jitsi's defaults), and where a token comes from (--jwt-file, else
	 * TTYMEET_JWT; cli_load_secrets reads it into jwt_buf, jwt points there) */
	const char *xmpp_websocket, *xmpp_domain, *xmpp_muc, *xmpp_focus;
	const char *jwt_file, *jwt;
	char jwt_buf[CLI_JWT_MAX + 1];
	/* Jitsi: an XMPP login (--xmpp-user; NULL: anonymous), its password (--xmpp-password-file,
	 * else TTYMEET_XMPP_PASSWORD; cli_load_secrets reads it into xmpp_pass_buf, xmpp_password
	 * points there), and --xmpp-allow-plain (PLAIN over ws://) */
	const char *xmpp_user, *xmpp_password_file, *xmpp_password;
	char xmpp_pass_buf[CLI_SECRET_MAX + 1];
	bool xmpp_allow_plain;
	bool no_p2p;           /* Jitsi: no peer-to-peer Jingle sessions */
	char name[CLI_NAME_MAX + 1];
	/* Secrets: cli_parse only notes where they come from; cli_load_secrets reads them. */
	const char *pin;       /* the room pin (in pin_buf) once loaded; NULL: none */
	const char *pin_arg;   /* --pin as given on the command line (visible in ps) */
	const char *pin_file;  /* --pin-file */
	const char *turn_file; /* --turn-file */
	bool pin_visible;      /* loaded from --pin: warn that others can see it */
	bool turn_visible;     /* loaded from --turn's URL: the same warning */
	char pin_buf[CLI_SECRET_MAX + 1];
	/* --turn without credentials, and the credentials from wherever they came */
	char turn_url[256], turn_user[CLI_SECRET_MAX + 1], turn_pass[CLI_SECRET_MAX + 1];
	bool headless, accept_privacy, mute, insecure, list_devices, loop;
	int video; /* -1 default, 0 --no-video, 1 --video */
	double duration; /* seconds, 0 = until asked to leave */
	double keepalive; /* Janus keepalive period in seconds, 0 = default (25) */
	double give_up;   /* seconds without the server before reconnecting stops, 0 = 60 */
	const char *play, *record, *audio_device, *stun, *turn, *video_source;
	const char *room_type;     /* --room-type: "auto" (NULL), "audiobridge", "videoroom" */
	const char *privacy_notice, *log, *script, *report, *name_pattern;
	int bitrate_kbps, complexity, participants;
	double video_fps;          /* preview frame-rate cap */
	int video_cols, video_rows; /* headless video-frame grid */
	int video_budget;          /* TUI video pane, terminal bytes/s */
	const char *video_color;   /* "ascii", "256", "truecolor" */
	bool video_vp9;            /* --video-codec vp9 */
	bool video_simulcast;      /* --video-simulcast */
	double ramp;
	const char *ice_addrs[9]; /* --ice-interface, NULL-terminated */
	int n_ice_addrs;
	const char *chat[CLI_MAX_CHAT];
	char *chat_copy;       /* cli_hide_chat: the texts, sodium_malloc'd (NULL: still in argv) */
	int n_chat;
};

enum cli_result { CLI_RUN = 0, CLI_HELP = 1, CLI_VERSION = 2, CLI_LIST_DEVICES = 3 };

/* Parses argv into o. Returns a cli_result, or -EINVAL with a one-line reason in err. */
int cli_parse(int argc, char **argv, struct cli_options *o, char *err, size_t errlen);
/* Reads the secrets after a successful cli_parse, each from the first source given:
 * pin: --pin-file, else --pin, else the environment variable TTYMEET_PIN (--pin and
 * --pin-file together are a usage error); TURN credentials (only with --turn): in the --turn
 * URL, else --turn-file, else TTYMEET_TURN (URL credentials and --turn-file together are a
 * usage error). A TURN secret is "USER:PASSWORD" on one line (split at the last ':', so a
 * time-limited user name such as 1700000000:alice works) or USER and PASSWORD on two lines.
 * Secret files are read with secret_read_file (private, bounded). Returns 0; -EINVAL when the
 * command line is wrong (usage); another negative errno when a secret cannot be used (bad
 * local input). A Jitsi token: --jwt-file, else TTYMEET_JWT (a JWT: three base64url parts).
 * A Jitsi login's password (with --xmpp-user only, which needs it): --xmpp-password-file,
 * else TTYMEET_XMPP_PASSWORD.
 * err gets one line. */
int cli_load_secrets(struct cli_options *o, char *err, size_t errlen);
/* Checks, before the privacy notice and without changing anything on disk, what can be
 * checked locally (src/cli_check.c): --play readable and a WAV we read, --record and --log
 * files we may create or write (util/privfile.h's rules), --report's folder takes new files,
 * --script and --privacy-notice readable, a v4l2 --video-source exists. Returns 0, or a
 * negative errno (-EILSEQ: not a WAV we read) with one plain line in err naming the option. */
int cli_check_local(const struct cli_options *o, char *err, size_t errlen);
/* Wipes the secrets cli_load_secrets copied (not the command line itself). */
void cli_wipe_secrets(struct cli_options *o);
/* Moves the --chat texts out of argv into locked memory and blanks them in argv, so
 * /proc/PID/cmdline and ps stop showing them. Returns 0 or -ENOMEM. */
int cli_hide_chat(struct cli_options *o);
/* Wipes and frees what cli_hide_chat moved (no --chat texts are left to send). */
void cli_free_chat(struct cli_options *o);
/* The display name used without --name: the login name, sanitized (else "guest"). */
void cli_default_name(char *out, size_t outlen);
/* True when the connection needs TLS: a wss:// URL, an https:// link or a wss:// override. */
bool cli_needs_tls(const struct cli_options *o);
/* Prints the usage text. */
void cli_usage(FILE *f);

#endif
