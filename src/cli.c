/* Command-line parsing; see cli.h. Numbers are parsed strictly (whole string, in range). */
#include "src/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "net/ws.h"
#include "src/jitsi/config.h"
#include "src/secret.h"
#include "src/text.h"

enum {
	OPT_PIN = 0x100, OPT_HEADLESS, OPT_ACCEPT, OPT_PLAY, OPT_RECORD, OPT_MUTE, OPT_DURATION,
	OPT_CHAT, OPT_VIDEO, OPT_NO_VIDEO, OPT_DEVICE, OPT_LIST_DEVICES, OPT_STUN, OPT_TURN,
	OPT_INSECURE, OPT_BITRATE, OPT_COMPLEXITY, OPT_VIDEO_SOURCE, OPT_NOTICE, OPT_LOG,
	OPT_SCRIPT, OPT_PARTICIPANTS, OPT_NAME_PATTERN, OPT_RAMP, OPT_REPORT, OPT_VERSION, OPT_LOOP, OPT_ICE_IF,
	OPT_VIDEO_FPS, OPT_VIDEO_SIZE, OPT_VIDEO_BUDGET, OPT_VIDEO_COLOR, OPT_VIDEO_CODEC,
	OPT_VIDEO_SIMULCAST, OPT_KEEPALIVE, OPT_GIVE_UP, OPT_PIN_FILE, OPT_TURN_FILE, OPT_ROOM_TYPE,
	OPT_XMPP_WS, OPT_XMPP_DOMAIN, OPT_XMPP_MUC, OPT_XMPP_FOCUS, OPT_JWT_FILE,
	OPT_XMPP_USER, OPT_XMPP_PASSWORD_FILE, OPT_XMPP_ALLOW_PLAIN, OPT_NO_P2P,
};

static const struct option long_opts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "pin", required_argument, NULL, OPT_PIN },
	{ "pin-file", required_argument, NULL, OPT_PIN_FILE },
	{ "turn-file", required_argument, NULL, OPT_TURN_FILE },
	{ "headless", no_argument, NULL, OPT_HEADLESS },
	{ "accept-privacy", no_argument, NULL, OPT_ACCEPT },
	{ "play", required_argument, NULL, OPT_PLAY },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "loop", no_argument, NULL, OPT_LOOP },
	{ "mute", no_argument, NULL, OPT_MUTE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "keepalive", required_argument, NULL, OPT_KEEPALIVE },
	{ "give-up-after", required_argument, NULL, OPT_GIVE_UP },
	{ "chat", required_argument, NULL, OPT_CHAT },
	{ "video", no_argument, NULL, OPT_VIDEO },
	{ "no-video", no_argument, NULL, OPT_NO_VIDEO },
	{ "audio-device", required_argument, NULL, OPT_DEVICE },
	{ "list-devices", no_argument, NULL, OPT_LIST_DEVICES },
	{ "stun", required_argument, NULL, OPT_STUN },
	{ "turn", required_argument, NULL, OPT_TURN },
	{ "ice-interface", required_argument, NULL, OPT_ICE_IF },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "bitrate", required_argument, NULL, OPT_BITRATE },
	{ "complexity", required_argument, NULL, OPT_COMPLEXITY },
	{ "video-source", required_argument, NULL, OPT_VIDEO_SOURCE },
	{ "room-type", required_argument, NULL, OPT_ROOM_TYPE },
	{ "xmpp-websocket", required_argument, NULL, OPT_XMPP_WS },
	{ "xmpp-domain", required_argument, NULL, OPT_XMPP_DOMAIN },
	{ "xmpp-muc", required_argument, NULL, OPT_XMPP_MUC },
	{ "xmpp-focus", required_argument, NULL, OPT_XMPP_FOCUS },
	{ "jwt-file", required_argument, NULL, OPT_JWT_FILE },
	{ "xmpp-user", required_argument, NULL, OPT_XMPP_USER },
	{ "xmpp-password-file", required_argument, NULL, OPT_XMPP_PASSWORD_FILE },
	{ "xmpp-allow-plain", no_argument, NULL, OPT_XMPP_ALLOW_PLAIN },
	{ "no-p2p", no_argument, NULL, OPT_NO_P2P },
	{ "video-fps", required_argument, NULL, OPT_VIDEO_FPS },
	{ "video-size", required_argument, NULL, OPT_VIDEO_SIZE },
	{ "video-budget", required_argument, NULL, OPT_VIDEO_BUDGET },
	{ "video-color", required_argument, NULL, OPT_VIDEO_COLOR },
	{ "video-codec", required_argument, NULL, OPT_VIDEO_CODEC },
	{ "video-simulcast", no_argument, NULL, OPT_VIDEO_SIMULCAST },
	{ "privacy-notice", required_argument, NULL, OPT_NOTICE },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "participants", required_argument, NULL, OPT_PARTICIPANTS },
	{ "name-pattern", required_argument, NULL, OPT_NAME_PATTERN },
	{ "ramp", required_argument, NULL, OPT_RAMP },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *f)
{
	fputs("usage: ttymeet [options] URL ROOM\n"
	      "       ttymeet [options] https://HOST[:PORT]/ROOM\n"
	      "  URL   Janus WebSocket endpoint, ws://HOST[:PORT][/PATH] or wss://...\n"
	      "  ROOM  numeric room id\n"
	      "  https://HOST/ROOM   a Jitsi Meet link (http:// in test labs); room names are\n"
	      "        case-insensitive, settings come from HOST's /config.js\n"
	      "options:\n"
	      "      --xmpp-websocket URL, --xmpp-domain D, --xmpp-muc D, --xmpp-focus D\n"
	      "                         Jitsi: override what /config.js says (--xmpp-focus none:\n"
	      "                         join without asking a focus)\n"
	      "      --jwt-file FILE    Jitsi: a token from a private file (or TTYMEET_JWT)\n"
	      "      --xmpp-user USER   Jitsi: log in as USER (USER@DOMAIN, or at hosts.authdomain)\n"
	      "      --xmpp-password-file FILE   its password from a private file (or\n"
	      "                         TTYMEET_XMPP_PASSWORD); --xmpp-allow-plain lets it go as\n"
	      "                         PLAIN over an unencrypted ws:// connection (labs only)\n"
	      "      --no-p2p           Jitsi: neither offer nor take peer-to-peer calls (the other\n"
	      "                         person's client would see your IP address); audio goes\n"
	      "                         through the bridge\n"
	      "      --room-type auto|audiobridge|videoroom   which Janus room ROOM is: auto\n"
	      "                         takes the video room when people publish there and the\n"
	      "                         audio bridge is empty or missing, else the audio bridge\n"
	      "  -n, --name NAME        display name (default: your login name)\n"
	      "      --pin-file FILE    room pin from a file only you can read (or TTYMEET_PIN);\n"
	      "                         --pin PIN works too but others see it in ps\n"
	      "      --headless         no TUI: JSON-lines events on stdout, diagnostics on stderr\n"
	      "      --accept-privacy   accept the privacy notice without showing it\n"
	      "      --mute             join muted\n"
	      "      --duration SEC     leave after SEC seconds\n"
	      "      --keepalive SEC    Janus keepalive / Jitsi XMPP ping period (25);\n"
	      "                         unanswered: reconnect\n"
	      "      --give-up-after SEC  stop reconnecting after SEC (60) without the server\n"
	      "      --chat TEXT        send TEXT to the room chat once joined (repeatable)\n"
	      "      --play FILE.wav    microphone from a WAV file (--loop: repeat it)\n"
	      "      --record FILE.wav  write what you hear to a WAV file\n"
	      "      --audio-device NAME, --list-devices   sound devices\n"
	      "      --video, --no-video   receive the ASCII video preview\n"
	      "      --video-source testpattern|v4l2:/dev/videoN   publish video\n"
	      "      --video-codec vp8|vp9   what --video-source publishes (vp8)\n"
	      "      --video-simulcast  publish a half-size layer too\n"
	      "      --video-fps FPS    preview frame-rate cap (5)\n"
	      "      --video-size COLSxROWS   headless video-frame grid (40x12)\n"
	      "      --video-budget BYTES   terminal bytes/s for the video pane (16384)\n"
	      "      --video-color ascii|256|truecolor   preview drawing (ascii)\n"
	      "      --stun HOST:PORT, --turn turn:HOST[:PORT]   ICE servers\n"
	      "      --turn-file FILE   TURN USER:PASSWORD from a private file (or TTYMEET_TURN)\n"
	      "      --ice-interface IF|ADDR   gather ICE candidates only there (repeatable)\n"
	      "      --insecure         wss:// without certificate verification\n"
	      "      --bitrate KBPS, --complexity N   Opus settings (24, 10)\n"
	      "      --privacy-notice FILE   the server operator's notice\n"
	      "      --log FILE         diagnostics to FILE (never chat text)\n"
	      "      --script FILE      timed actions and expectations (headless)\n"
	      "      --participants N, --name-pattern PAT, --ramp RATE   many participants\n"
	      "      --report FILE.json final summary to FILE\n"
	      "      --version, -h, --help\n"
	      "in the terminal UI (F1 lists everything):\n"
	      "  /mute /unmute /ptt /msg NAME TEXT /privacy /bell /quit, F4 or Alt-M toggles mute\n"
	      "  /devices                 list sound devices\n"
	      "  /device [in|out] NAME    switch microphone and/or speaker during the call\n"
	      "  /video on|off|next|NAME  video; F6 the next sender's\n"
	      "  /video normal|large|full video pane size; F7 or Alt-V cycles through them\n"
	      "  /me ACTION /names (/who) /clear /lastlog TEXT /nick NAME   as in irssi\n"
	      "  people: * talking, > main speaker (Jitsi), M muted, c (chat) in the chat room\n"
	      "  only, not in the call;\n"
	      "  a name two people share gets a suffix from their id: alice#3f2\n"
	      "keys: F1 help, F2 privacy notice, F4 mute, F5 push-to-talk, F6 next video,\n"
	      "  F7 Alt-V video size, Enter send, Tab complete a name (again: the next match),\n"
	      "  PgUp PgDn scroll, Up Down Ctrl-P Ctrl-N earlier lines, Left Right Home End\n"
	      "  Ctrl-A Ctrl-E Ctrl-B Ctrl-F Alt-B Alt-F move, Backspace Ctrl-H Delete Ctrl-D\n"
	      "  Ctrl-U Ctrl-K Ctrl-W delete, Ctrl-L redraw, Ctrl-Z suspend (fg resumes),\n"
	      "  Ctrl-C leave, Esc close\n"
	      "exit codes: 0 ok, 2 usage, 3 server unreachable or lost, 4 room refused,\n"
	      "            5 media failed, 6 bad local input, 7 script expectation not met\n",
	      f);
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_int_opt(const char *s, int min, int max, int *out)
{
	uint64_t v;
	if (parse_uint(s, (uint64_t)max, &v) < 0 || (int)v < min)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

void cli_default_name(char *out, size_t outlen)
{
	const char *n = NULL;
	struct passwd *pw = getpwuid(getuid());
	if (pw && pw->pw_name && *pw->pw_name)
		n = pw->pw_name;
	if (!n)
		n = getenv("USER");
	if (!n || !*n)
		n = "guest";
	if (!text_sanitize(n, strlen(n), out, outlen, false))
		snprintf(out, outlen, "guest");
}

#define FAIL(...)                                        \
	do {                                             \
		snprintf(err, errlen, __VA_ARGS__);      \
		return -EINVAL;                          \
	} while (0)

/* URL ROOM: a Janus WebSocket endpoint and a room number. */
static int parse_janus(int n, char **argv, struct cli_options *o, char *err, size_t errlen)
{
	uint64_t u;
	if (o->xmpp_websocket || o->xmpp_domain || o->xmpp_muc || o->xmpp_focus || o->jwt_file ||
	    o->xmpp_user || o->xmpp_password_file || o->xmpp_allow_plain || o->no_p2p)
		FAIL("--xmpp-*, --jwt-file and --no-p2p are for Jitsi Meet links (https://HOST/ROOM)");
	if (n == 1) { /* say which one is missing */
		if (parse_uint(argv[0], (1ull << 53) - 1, &u) == 0)
			FAIL("missing URL before ROOM %.40s (a ws:// or wss:// address)",
			     argv[0]);
		FAIL("missing ROOM after %.80s (the room number)", argv[0]);
	}
	if (n != 2)
		FAIL(n < 2 ? "missing URL and ROOM" : "too many arguments");
	o->url = argv[0];
	{
		bool tls;
		char host[256], path[256];
		int port;
		if (ws_parse_url(o->url, &tls, host, sizeof(host), &port, path, sizeof(path)) < 0)
			FAIL("'%.80s' is not a ws:// or wss:// URL", o->url);
		if (o->insecure && !tls)
			FAIL("--insecure only applies to wss:// URLs");
	}
	if (parse_uint(argv[1], (1ull << 53) - 1, &u) < 0 || u == 0)
		FAIL("ROOM must be a positive number, not '%.40s'", argv[1]);
	o->room = u;
	return 0;
}

/* https://HOST[:PORT]/ROOM: a Jitsi Meet link, with the overrides checked against it. */
static int parse_jitsi(int n, char **argv, struct cli_options *o, char *err, size_t errlen)
{
	struct jitsi_link link;
	struct jitsi_settings set;
	if (n > 1)
		FAIL("a Jitsi Meet link takes no ROOM number: the room is the link's path "
		     "(https://HOST/ROOM)");
	if (jitsi_link_parse(argv[0], &link, err, errlen) < 0)
		return -EINVAL;
	if (o->insecure && !link.tls)
		FAIL("--insecure only applies to https:// links and wss:// URLs");
	if (o->room_type)
		FAIL("--room-type is for Janus rooms, not Jitsi Meet links");
	if (o->video_vp9 || o->video_simulcast)
		FAIL("in a Jitsi Meet meeting ttymeet sends VP8 video in one layer: --video-codec "
		     "vp9 and --video-simulcast are for Janus rooms");
	struct jitsi_overrides ov = { .websocket = o->xmpp_websocket, .domain = o->xmpp_domain,
				      .muc = o->xmpp_muc, .focus = o->xmpp_focus };
	if (jitsi_settings_resolve(&link, NULL, &ov, &set, err, errlen) < 0)
		return -EINVAL;
	o->url = argv[0];
	o->room = 0;
	o->jitsi = true;
	snprintf(o->jitsi_room, sizeof(o->jitsi_room), "%s", link.room);
	return 0;
}


int cli_parse(int argc, char **argv, struct cli_options *o, char *err, size_t errlen)
{
	const char *name = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	o->video = -1;
	o->bitrate_kbps = 24;
	o->complexity = 10;
	o->participants = 1;
	o->video_fps = 5;
	o->video_cols = 40;
	o->video_rows = 12;
	o->video_budget = 16384;
	o->video_color = "ascii";
	optind = 0; /* full reset, also of getopt's internal state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case OPT_PIN: o->pin_arg = optarg; break;
		case OPT_PIN_FILE: o->pin_file = optarg; break;
		case OPT_TURN_FILE: o->turn_file = optarg; break;
		case OPT_XMPP_WS: o->xmpp_websocket = optarg; break;
		case OPT_XMPP_DOMAIN: o->xmpp_domain = optarg; break;
		case OPT_XMPP_MUC: o->xmpp_muc = optarg; break;
		case OPT_XMPP_FOCUS: o->xmpp_focus = optarg; break;
		case OPT_JWT_FILE: o->jwt_file = optarg; break;
		case OPT_XMPP_USER: o->xmpp_user = optarg; break;
		case OPT_XMPP_PASSWORD_FILE: o->xmpp_password_file = optarg; break;
		case OPT_XMPP_ALLOW_PLAIN: o->xmpp_allow_plain = true; break;
		case OPT_NO_P2P: o->no_p2p = true; break;
		case OPT_HEADLESS: o->headless = true; break;
		case OPT_ACCEPT: o->accept_privacy = true; break;
		case OPT_PLAY: o->play = optarg; break;
		case OPT_RECORD: o->record = optarg; break;
		case OPT_LOOP: o->loop = true; break;
		case OPT_MUTE: o->mute = true; break;
		case OPT_DURATION:
			if (parse_double(optarg, 0.001, 1e7, &o->duration) < 0)
				FAIL("--duration needs a positive number of seconds, not '%.40s'", optarg);
			break;
		case OPT_GIVE_UP:
			if (parse_double(optarg, 1, 3600, &o->give_up) < 0)
				FAIL("--give-up-after takes seconds (1..3600), not '%.40s'", optarg);
			break;
		case OPT_KEEPALIVE:
			if (parse_double(optarg, 1, 300, &o->keepalive) < 0)
				FAIL("--keepalive takes seconds (1..300), not '%.40s'", optarg);
			break;
		case OPT_CHAT:
			if (o->n_chat >= CLI_MAX_CHAT)
				FAIL("at most %d --chat messages", CLI_MAX_CHAT);
			o->chat[o->n_chat++] = optarg;
			break;
		case OPT_VIDEO: o->video = 1; break;
		case OPT_NO_VIDEO: o->video = 0; break;
		case OPT_DEVICE: o->audio_device = optarg; break;
		case OPT_LIST_DEVICES: o->list_devices = true; break;
		case OPT_STUN: o->stun = optarg; break;
		case OPT_TURN: o->turn = optarg; break;
		case OPT_ICE_IF:
			if (o->n_ice_addrs >= 8)
				FAIL("at most 8 --ice-interface options");
			o->ice_addrs[o->n_ice_addrs++] = optarg;
			break;
		case OPT_INSECURE: o->insecure = true; break;
		case OPT_BITRATE:
			if (parse_int_opt(optarg, 6, 510, &o->bitrate_kbps) < 0)
				FAIL("--bitrate takes 6..510 kbit/s, not '%.40s'", optarg);
			break;
		case OPT_COMPLEXITY:
			if (parse_int_opt(optarg, 0, 10, &o->complexity) < 0)
				FAIL("--complexity takes 0..10, not '%.40s'", optarg);
			break;
		case OPT_ROOM_TYPE:
			if (!strcmp(optarg, "auto"))
				o->room_type = "auto";
			else if (!strcmp(optarg, "audiobridge"))
				o->room_type = "audiobridge";
			else if (!strcmp(optarg, "videoroom"))
				o->room_type = "videoroom";
			else
				FAIL("--room-type takes auto, audiobridge or videoroom, not '%.40s'",
				     optarg);
			break;
		case OPT_VIDEO_SOURCE:
			if (strcmp(optarg, "testpattern") && strncmp(optarg, "v4l2:/", 6))
				FAIL("--video-source takes testpattern or v4l2:/dev/videoN, not '%.40s'",
				     optarg);
			o->video_source = optarg;
			break;
		case OPT_VIDEO_FPS:
			if (parse_double(optarg, 0.5, 30, &o->video_fps) < 0)
				FAIL("--video-fps takes 0.5..30, not '%.40s'", optarg);
			break;
		case OPT_VIDEO_SIZE: {
			char *x = strchr(optarg, 'x');
			if (!x || (*x = '\0', parse_int_opt(optarg, 4, 400, &o->video_cols) < 0) ||
			    parse_int_opt(x + 1, 2, 200, &o->video_rows) < 0) {
				if (x)
					*x = 'x';
				FAIL("--video-size takes COLSxROWS (4..400 x 2..200), not '%.40s'",
				     optarg);
			}
			*x = 'x';
			break;
		}
		case OPT_VIDEO_BUDGET:
			if (parse_int_opt(optarg, 256, 10 * 1024 * 1024, &o->video_budget) < 0)
				FAIL("--video-budget takes 256..10485760 bytes/s, not '%.40s'", optarg);
			break;
		case OPT_VIDEO_SIMULCAST: o->video_simulcast = true; break;
		case OPT_VIDEO_CODEC:
			if (strcmp(optarg, "vp8") && strcmp(optarg, "vp9"))
				FAIL("--video-codec takes vp8 or vp9, not '%.40s'", optarg);
			o->video_vp9 = !strcmp(optarg, "vp9");
			break;
		case OPT_VIDEO_COLOR:
			if (strcmp(optarg, "ascii") && strcmp(optarg, "256") &&
			    strcmp(optarg, "truecolor"))
				FAIL("--video-color takes ascii, 256 or truecolor, not '%.40s'", optarg);
			o->video_color = optarg;
			break;
		case OPT_NOTICE: o->privacy_notice = optarg; break;
		case OPT_LOG: o->log = optarg; break;
		case OPT_SCRIPT: o->script = optarg; break;
		case OPT_PARTICIPANTS:
			if (parse_int_opt(optarg, 1, 10000, &o->participants) < 0)
				FAIL("--participants takes 1..10000, not '%.40s'", optarg);
			break;
		case OPT_NAME_PATTERN: o->name_pattern = optarg; break;
		case OPT_RAMP:
			if (parse_double(optarg, 0.01, 1000, &o->ramp) < 0)
				FAIL("--ramp takes joins per second (0.01..1000), not '%.40s'", optarg);
			break;
		case OPT_REPORT: o->report = optarg; break;
		case OPT_VERSION: return CLI_VERSION;
		case 'h': return CLI_HELP;
		case ':': FAIL("option %.40s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				FAIL("unknown option -%c", optopt);
			FAIL("unknown option %.40s", argv[optind - 1]);
		}
	}
	if (o->list_devices)
		return CLI_LIST_DEVICES;
	if (o->loop && !o->play)
		FAIL("--loop repeats the --play file: give --play too");
	if (argc - optind >= 1 && jitsi_is_link(argv[optind])) {
		int rc = parse_jitsi(argc - optind, argv + optind, o, err, errlen);
		if (rc < 0)
			return rc;
	} else {
		int rc = parse_janus(argc - optind, argv + optind, o, err, errlen);
		if (rc < 0)
			return rc;
	}
	if (name) {
		size_t n = strlen(name);
		if (n == 0 || n > CLI_NAME_MAX)
			FAIL("--name must be 1..%d bytes", CLI_NAME_MAX);
		if (!text_is_clean_name(name))
			FAIL("--name must be printable UTF-8 on one line, without control or "
			     "invisible characters, spaces at either end or two in a row");
		memcpy(o->name, name, n + 1);
	} else {
		cli_default_name(o->name, sizeof(o->name));
	}
	if (o->pin_arg && o->pin_file)
		FAIL("--pin and --pin-file both give the pin: keep --pin-file");
	if (o->turn_file && !o->turn)
		FAIL("--turn-file gives credentials for --turn turn:HOST[:PORT]: give --turn too");
	if (o->turn) {
		const char *scheme = !strncmp(o->turn, "turns:", 6) ? "turns:" : "turn:";
		const char *rest = o->turn + strlen(scheme);
		const char *at = strrchr(rest, '@');
		if (strncmp(o->turn, scheme, strlen(scheme)) || !*rest || (at && !at[1]))
			FAIL("--turn takes turn:HOST[:PORT] or turns:HOST[:PORT]");
		if (at && o->turn_file)
			FAIL("--turn has credentials and --turn-file too: keep --turn-file");
		if (at && (!memchr(rest, ':', (size_t)(at - rest)) || rest[0] == ':'))
			FAIL("--turn takes turn:USER:PASSWORD@HOST[:PORT] when it holds credentials");
		snprintf(o->turn_url, sizeof(o->turn_url), "%s%s", scheme, at ? at + 1 : rest);
	}
	return CLI_RUN;
}

/* A pin, a TURN user or password: one line of printable UTF-8, bounded. */
static bool secret_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= CLI_SECRET_MAX && !strpbrk(s, "\n\t") && text_is_clean(s);
}

/* "USER:PASSWORD" (last ':') or "USER\nPASSWORD" (a "\r" before the "\n" is dropped) into
 * o->turn_user and o->turn_pass; -EINVAL (nothing kept) unless both are secret_ok. */
static int split_turn_secret(struct cli_options *o, const char *v)
{
	const char *nl = strchr(v, '\n');
	const char *sep = nl ? nl : strrchr(v, ':');
	size_t ulen = sep ? (size_t)(sep - v) : 0;
	if (nl && ulen > 0 && v[ulen - 1] == '\r')
		ulen--;
	if (!sep || ulen == 0 || ulen > CLI_SECRET_MAX || strlen(sep + 1) > CLI_SECRET_MAX)
		return -EINVAL;
	memcpy(o->turn_user, v, ulen);
	o->turn_user[ulen] = '\0';
	snprintf(o->turn_pass, sizeof(o->turn_pass), "%s", sep + 1);
	if (!secret_ok(o->turn_user) || !secret_ok(o->turn_pass)) {
		explicit_bzero(o->turn_user, sizeof(o->turn_user));
		explicit_bzero(o->turn_pass, sizeof(o->turn_pass));
		return -EINVAL;
	}
	return 0;
}

/* A JWT: three non-empty base64url parts joined by dots. */
static bool jwt_ok(const char *s)
{
	size_t dots = 0, part = 0;
	for (; *s; s++) {
		char c = *s;
		if (c == '.') {
			if (part == 0)
				return false;
			dots++;
			part = 0;
		} else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '-' || c == '_') {
			part++;
		} else {
			return false;
		}
	}
	return dots == 2 && part > 0;
}

static int load_jwt(struct cli_options *o, char *err, size_t errlen)
{
	size_t len;
	int rc;
	if (!o->jitsi)
		return 0; /* TTYMEET_JWT means nothing to a Janus room */
	if (o->jwt_file) {
		if ((rc = secret_read_file(o->jwt_file, o->jwt_buf, sizeof(o->jwt_buf), &len, err,
					   errlen)) < 0)
			return rc;
		if (!jwt_ok(o->jwt_buf)) {
			explicit_bzero(o->jwt_buf, sizeof(o->jwt_buf));
			snprintf(err, errlen, "%.200s: a token is one line: three base64url parts "
				 "joined by dots", o->jwt_file);
			return -EILSEQ;
		}
	} else {
		const char *env = getenv("TTYMEET_JWT");
		if (!env || !*env)
			return 0;
		if (strlen(env) > CLI_JWT_MAX || !jwt_ok(env)) {
			snprintf(err, errlen, "TTYMEET_JWT must be a token: three base64url parts "
				 "joined by dots, at most %d bytes", CLI_JWT_MAX);
			return -EILSEQ;
		}
		snprintf(o->jwt_buf, sizeof(o->jwt_buf), "%s", env);
	}
	o->jwt = o->jwt_buf;
	return 0;
}

/* The XMPP login's password: --xmpp-password-file, else TTYMEET_XMPP_PASSWORD; only with
 * --xmpp-user, which needs one. */
static int load_xmpp_password(struct cli_options *o, char *err, size_t errlen)
{
	size_t len;
	int rc;
	if (!o->xmpp_user) {
		if (o->xmpp_password_file || o->xmpp_allow_plain)
			FAIL("--xmpp-password-file and --xmpp-allow-plain go with --xmpp-user");
		return 0;
	}
	if (!secret_ok(o->xmpp_user) || strchr(o->xmpp_user, ' '))
		FAIL("--xmpp-user must be 1..%d bytes of printable text without spaces",
		     CLI_SECRET_MAX);
	if (o->xmpp_password_file) {
		if ((rc = secret_read_file(o->xmpp_password_file, o->xmpp_pass_buf,
					   sizeof(o->xmpp_pass_buf), &len, err, errlen)) < 0)
			return rc;
		if (!secret_ok(o->xmpp_pass_buf)) {
			explicit_bzero(o->xmpp_pass_buf, sizeof(o->xmpp_pass_buf));
			snprintf(err, errlen, "%.200s: the password must be one line of printable "
				 "text", o->xmpp_password_file);
			return -EILSEQ;
		}
	} else {
		const char *env = getenv("TTYMEET_XMPP_PASSWORD");
		if (!env || !*env)
			FAIL("--xmpp-user needs its password: --xmpp-password-file FILE or "
			     "TTYMEET_XMPP_PASSWORD");
		if (!secret_ok(env)) {
			snprintf(err, errlen, "TTYMEET_XMPP_PASSWORD must be 1..%d bytes of "
				 "printable text", CLI_SECRET_MAX);
			return -EILSEQ;
		}
		snprintf(o->xmpp_pass_buf, sizeof(o->xmpp_pass_buf), "%s", env);
	}
	o->xmpp_password = o->xmpp_pass_buf;
	return 0;
}

int cli_load_secrets(struct cli_options *o, char *err, size_t errlen)
{
	char buf[2 * CLI_SECRET_MAX + 4];
	size_t len;
	int rc = load_jwt(o, err, errlen);
	if (rc == 0 && o->jitsi)
		rc = load_xmpp_password(o, err, errlen);
	if (rc < 0)
		return rc;

	if (o->pin_file) {
		if ((rc = secret_read_file(o->pin_file, o->pin_buf, sizeof(o->pin_buf), &len, err,
					   errlen)) < 0)
			return rc;
		if (!secret_ok(o->pin_buf)) {
			cli_wipe_secrets(o);
			snprintf(err, errlen, "%.200s: the pin must be one line of printable text",
				 o->pin_file);
			return -EILSEQ;
		}
		o->pin = o->pin_buf;
	} else if (o->pin_arg) {
		if (!secret_ok(o->pin_arg))
			FAIL("--pin must be 1..%d bytes of printable text", CLI_SECRET_MAX);
		snprintf(o->pin_buf, sizeof(o->pin_buf), "%s", o->pin_arg);
		o->pin = o->pin_buf;
		o->pin_visible = true;
	} else {
		const char *env = getenv("TTYMEET_PIN");
		if (env && *env) {
			if (!secret_ok(env)) {
				snprintf(err, errlen, "TTYMEET_PIN must be 1..%d bytes of printable "
					 "text", CLI_SECRET_MAX);
				return -EILSEQ;
			}
			snprintf(o->pin_buf, sizeof(o->pin_buf), "%s", env);
			o->pin = o->pin_buf;
		}
	}
	if (!o->turn)
		return 0;
	const char *rest = o->turn + (strncmp(o->turn, "turns:", 6) ? 5 : 6);
	const char *at = strrchr(rest, '@');
	if (at) { /* turn:USER:PASSWORD@HOST, checked by cli_parse */
		const char *colon = memchr(rest, ':', (size_t)(at - rest));
		snprintf(buf, sizeof(buf), "%.*s\n%.*s", (int)(colon - rest), rest,
			 (int)(at - colon - 1), colon + 1);
		rc = split_turn_secret(o, buf);
		explicit_bzero(buf, sizeof(buf));
		if (rc < 0)
			FAIL("--turn: USER and PASSWORD must be 1..%d bytes of printable text",
			     CLI_SECRET_MAX);
		o->turn_visible = true;
		return 0;
	}
	if (o->turn_file) {
		if ((rc = secret_read_file(o->turn_file, buf, sizeof(buf), &len, err, errlen)) < 0)
			return rc;
		rc = split_turn_secret(o, buf);
		explicit_bzero(buf, sizeof(buf));
		if (rc < 0) {
			snprintf(err, errlen, "%.200s: TURN credentials are USER:PASSWORD on one line "
				 "or USER and PASSWORD on two lines", o->turn_file);
			return -EILSEQ;
		}
		return 0;
	}
	const char *env = getenv("TTYMEET_TURN");
	if (!env || !*env)
		FAIL("--turn %.100s needs credentials: give them with --turn-file FILE or "
		     "TTYMEET_TURN", o->turn_url);
	if (strlen(env) >= sizeof(buf) || (snprintf(buf, sizeof(buf), "%s", env),
					    rc = split_turn_secret(o, buf)) < 0) {
		explicit_bzero(buf, sizeof(buf));
		snprintf(err, errlen, "TTYMEET_TURN: TURN credentials are USER:PASSWORD");
		return -EILSEQ;
	}
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

bool cli_needs_tls(const struct cli_options *o)
{
	if (!o->jitsi)
		return !strncmp(o->url, "wss://", 6);
	return (o->xmpp_websocket && !strncmp(o->xmpp_websocket, "wss://", 6)) ||
	       (!o->xmpp_websocket && !strncasecmp(o->url, "https://", 8));
}

void cli_wipe_secrets(struct cli_options *o)
{
	explicit_bzero(o->jwt_buf, sizeof(o->jwt_buf));
	explicit_bzero(o->xmpp_pass_buf, sizeof(o->xmpp_pass_buf));
	explicit_bzero(o->pin_buf, sizeof(o->pin_buf));
	explicit_bzero(o->turn_user, sizeof(o->turn_user));
	explicit_bzero(o->turn_pass, sizeof(o->turn_pass));
}

void cli_free_chat(struct cli_options *o)
{
	if (o->chat_copy) {
		sodium_free(o->chat_copy); /* wipes */
		o->chat_copy = NULL;
		o->n_chat = 0;
	}
}

int cli_hide_chat(struct cli_options *o)
{
	size_t total = 0, off = 0;

	if (o->n_chat == 0 || o->chat_copy)
		return 0;
	for (int i = 0; i < o->n_chat; i++)
		total += strlen(o->chat[i]) + 1;
	if (sodium_init() < 0 || !(o->chat_copy = sodium_malloc(total)))
		return -ENOMEM;
	for (int i = 0; i < o->n_chat; i++) {
		size_t n = strlen(o->chat[i]) + 1;

		memcpy(o->chat_copy + off, o->chat[i], n);
		explicit_bzero((char *)o->chat[i], n - 1); /* argv's own bytes */
		o->chat[i] = o->chat_copy + off;
		off += n;
	}
	return 0;
}
