/* Command-line parsing into a plain options struct (the contract in man/ttymeet.1).
 * Pure apart from getopt_long's own state, which cli_parse resets; main thread only. */
#ifndef TTM_SRC_CLI_H
#define TTM_SRC_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_MAX_CHAT 32
#define CLI_NAME_MAX 64 /* bytes of a display name */

struct cli_options {
	const char *url;
	uint64_t room;
	char name[CLI_NAME_MAX + 1];
	const char *pin;
	bool headless, accept_privacy, mute, insecure, list_devices, loop;
	int video; /* -1 default, 0 --no-video, 1 --video */
	double duration; /* seconds, 0 = until asked to leave */
	double keepalive; /* Janus keepalive period in seconds, 0 = default (25) */
	const char *play, *record, *audio_device, *stun, *turn, *video_source;
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
	int n_chat;
};

enum cli_result { CLI_RUN = 0, CLI_HELP = 1, CLI_VERSION = 2, CLI_LIST_DEVICES = 3 };

/* Parses argv into o. Returns a cli_result, or -EINVAL with a one-line reason in err. */
int cli_parse(int argc, char **argv, struct cli_options *o, char *err, size_t errlen);
/* Prints the usage text. */
void cli_usage(FILE *f);

#endif
