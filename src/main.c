/* ttymeet entry point: parses the command line, hardens the process, runs one GLib main loop
 * with the session and its driver (headless JSON lines for now; the TUI is another driver),
 * and exits with the session's exit code. Signals leave the room cleanly. */
#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "net/ws.h"
#include "src/cli.h"
#include "src/exitcode.h"
#include "src/headless.h"
#include "src/privacy.h"
#include "src/session.h"

struct app {
	GMainLoop *loop;
	struct session *session;
	bool headless;
	int signals;
};

/* No core dumps: they could hold chat text or keys. */
static void harden_process(void)
{
	struct rlimit rl = { 0, 0 };
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void on_session_event(void *user, const struct session_event *ev)
{
	struct app *app = user;
	if (app->headless)
		headless_print_event(stdout, ev);
	if (ev->type == SESSION_EV_ERROR)
		fprintf(stderr, "ttymeet: %s\n", ev->message);
	if (ev->type == SESSION_EV_LEFT)
		g_main_loop_quit(app->loop);
}

static gboolean on_signal(gpointer data)
{
	struct app *app = data;
	if (++app->signals > 1) { /* asked twice: stop waiting for the server */
		fprintf(stderr, "ttymeet: interrupted again, exiting now\n");
		exit(130);
	}
	session_leave(app->session, "signal");
	return G_SOURCE_CONTINUE;
}

static gboolean on_duration(gpointer data)
{
	struct app *app = data;
	session_leave(app->session, "duration");
	return G_SOURCE_REMOVE;
}

/* Options of later milestones are parsed (the contract is stable) but refused until they
 * work, rather than silently ignored. */
static const char *unsupported_option(const struct cli_options *o)
{
	if (o->play) return "--play";
	if (o->record) return "--record";
	if (o->audio_device) return "--audio-device";
	if (o->video == 1) return "--video";
	if (o->video_source) return "--video-source";
	if (o->stun) return "--stun";
	if (o->turn) return "--turn";
	if (o->n_chat) return "--chat";
	if (o->script) return "--script";
	if (o->report) return "--report";
	if (o->participants > 1) return "--participants";
	if (o->name_pattern) return "--name-pattern";
	if (o->ramp > 0) return "--ramp";
	if (o->log) return "--log";
	if (o->privacy_notice) return "--privacy-notice";
	return NULL;
}

/* One line on stderr; scripts running --headless also get it as an error event. */
static void usage_error(int argc, char **argv, const char *msg)
{
	fprintf(stderr, "ttymeet: %s (usage: ttymeet [options] URL ROOM; see --help)\n", msg);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--headless")) {
			struct session_event ev = { .type = SESSION_EV_ERROR, .code = TTM_EXIT_USAGE,
						    .message = msg };
			headless_print_event(stdout, &ev);
			break;
		}
	}
}

int main(int argc, char **argv)
{
	struct cli_options opt;
	char err[256];
	int rc;

	harden_process();
	rc = cli_parse(argc, argv, &opt, err, sizeof(err));
	if (rc < 0) {
		usage_error(argc, argv, err);
		return TTM_EXIT_USAGE;
	}
	if (rc == CLI_HELP) {
		cli_usage(stdout);
		return TTM_EXIT_OK;
	}
	if (rc == CLI_VERSION) {
		printf("ttymeet %s\nservers: janus (AudioBridge)\n", TTM_VERSION);
		return TTM_EXIT_OK;
	}
	const char *unsupported = rc == CLI_LIST_DEVICES ? "--list-devices" : unsupported_option(&opt);
	if (unsupported) {
		snprintf(err, sizeof(err), "%s is not available in this version yet", unsupported);
		usage_error(argc, argv, err);
		return TTM_EXIT_USAGE;
	}
	if (!opt.headless) {
		fprintf(stderr, "ttymeet: the terminal UI is not available in this version yet; "
				"use --headless\n");
		return TTM_EXIT_USAGE;
	}
	if (!opt.accept_privacy) {
		privacy_print_notice(stderr, &opt);
		fprintf(stderr, "ttymeet: headless mode needs --accept-privacy (the notice is above)\n");
		return TTM_EXIT_USAGE;
	}

	struct app app = { .headless = opt.headless };
	struct ws_ctx *wsctx = NULL;
	app.loop = g_main_loop_new(NULL, FALSE);
	if ((rc = ws_ctx_create(app.loop, &wsctx)) < 0) {
		fprintf(stderr, "ttymeet: cannot set up networking (%s)\n", strerror(-rc));
		return TTM_EXIT_SERVER;
	}
	struct session_config cfg = {
		.url = opt.url, .room = opt.room, .name = opt.name, .pin = opt.pin,
		.insecure = opt.insecure, .muted = opt.mute, .t0 = g_get_monotonic_time(),
	};
	if ((rc = session_create(NULL, wsctx, &cfg, on_session_event, &app, &app.session)) < 0) {
		fprintf(stderr, "ttymeet: out of memory\n");
		return TTM_EXIT_SERVER;
	}
	/* A closed stdout (the reader went away) must not kill us mid-leave. */
	signal(SIGPIPE, SIG_IGN);
	guint sig_int = g_unix_signal_add(SIGINT, on_signal, &app);
	guint sig_term = g_unix_signal_add(SIGTERM, on_signal, &app);
	guint sig_hup = g_unix_signal_add(SIGHUP, on_signal, &app);
	if (opt.duration > 0)
		g_timeout_add((guint)(opt.duration * 1000.0), on_duration, &app);

	session_start(app.session);
	g_main_loop_run(app.loop);

	rc = session_exit_code(app.session);
	g_source_remove(sig_int);
	g_source_remove(sig_term);
	g_source_remove(sig_hup);
	session_destroy(app.session);
	ws_ctx_destroy(wsctx);
	g_main_loop_unref(app.loop);
	return rc;
}
