/* ttymeet entry point: parses the command line, hardens the process, runs one GLib main loop
 * with the session and its driver (headless JSON lines, or the terminal UI of ui/tui.h, which
 * shows the privacy notice before anything connects), and exits with the session's exit code.
 * A signal (SIGINT, SIGTERM, SIGHUP) leaves the room cleanly; a second one, while the server
 * is still awaited, wipes every chat copy (sessions, the TUI's log and screen) and exits 130.
 * jansson's allocator is set once here (src/secmem.h): freed JSON is overwritten. */
#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "net/lockpool.h"
#include "net/ws.h"
#include "src/cli.h"
#include "src/exitcode.h"
#include "audio/device.h"
#include "src/bot.h"
#include "src/headless.h"
#include "src/report.h"
#include "src/media.h"
#include "src/privacy.h"
#include "src/session.h"
#include "src/script.h"
#include "src/secmem.h"
#include "src/text.h"
#include "util/testhook.h"
#include "ui/joinform.h"
#include "ui/tui.h"

struct app {
	GMainLoop *loop;
	struct session *session;
	int signals;
	struct tui *tui; /* the terminal UI, NULL in headless mode */
	bool accepted;   /* TUI: the privacy notice was accepted */
	bool no_card;    /* TUI: no sound card, said once the meeting is joined */
	bool play, record; /* TUI: --play, --record: what the missing card leaves out */
	struct media *media; /* TUI: the audio engine /device switches devices of */
};

/* No core dumps: they could hold chat text or keys. */
/* Sanitizer builds: JSON never freed lies in the locked pool, where LeakSanitizer cannot see
 * it (it follows malloc only); after a clean run nothing of the pool is live, so a leak is said
 * here (tests/integration/harness.py counts this line as a sanitizer report). */
static void report_pool_leaks(void)
{
	bool asan = false;
#if defined(__SANITIZE_ADDRESS__)
	asan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	asan = true;
#endif
#endif
	struct lockpool_stats st;
	lockpool_get_stats(&st);
	if (asan && st.live)
		fprintf(stderr, "ttymeet: lockpool: %zu blocks never freed (a leak LeakSanitizer "
				"cannot see)\n", st.live);
}

static void harden_process(void)
{
	struct rlimit rl = { 0, 0 };
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void on_session_event(void *user, const struct session_event *ev)
{
	struct app *app = user;
	if (app->tui)
		tui_on_event(app->tui, ev);
	if (ev->type == SESSION_EV_ERROR || ev->type == SESSION_EV_GAVE_UP)
		fprintf(stderr, "ttymeet: %s\n", ev->message);
	if (ev->type == SESSION_EV_JOINED && app->no_card) { /* said when it matters: joined */
		app->no_card = false;
		fprintf(stderr, "ttymeet: %s\n", media_no_card_text(app->play, app->record));
	}
	if (ev->type == SESSION_EV_LEFT)
		g_main_loop_quit(app->loop);
}

static gboolean on_signal(gpointer data)
{
	struct app *app = data;
	if (++app->signals > 1) { /* asked twice: stop waiting for the server, but wipe first */
		unsigned n = app->tui ? tui_wipe(app->tui) : 0;
		n += session_wipe_chat(app->session);
		fprintf(stderr, "ttymeet: interrupted again: chat wiped (%u messages and lines), "
				"exiting now\n", n);
		tui_destroy(app->tui, 130);
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

/* Option combinations that make no sense are refused rather than silently ignored. */
static const char *unsupported_option(const struct cli_options *o)
{
	if (o->log && o->headless)
		return "--log is for the terminal UI (headless diagnostics go to stderr)";
	return NULL;
}

/* ---- terminal UI: its commands become session calls ---- */

static void tui_accept_cb(void *user)
{
	struct app *app = user;
	app->accepted = true;
	g_main_loop_quit(app->loop);
}

static void tui_decline_cb(void *user)
{
	struct app *app = user;
	g_main_loop_quit(app->loop);
}

static int tui_set_muted_cb(void *user, bool muted)
{
	struct app *app = user;
	return app->session ? session_set_muted(app->session, muted) : -ENOTCONN;
}

static int tui_send_chat_cb(void *user, const char *to, const char *text)
{
	struct app *app = user;
	return app->session ? session_send_chat(app->session, to, text) : -ENOTCONN;
}

static int tui_send_private_cb(void *user, uint64_t id, const char *text)
{
	struct app *app = user;
	return app->session ? session_send_chat_to(app->session, id, text) : -ENOTCONN;
}

static void tui_leave_cb(void *user)
{
	struct app *app = user;
	if (app->session)
		session_leave(app->session, "user");
	else
		g_main_loop_quit(app->loop);
}

static int tui_retry_cb(void *user)
{
	struct app *app = user;
	return app->session ? session_retry(app->session) : -ENOTCONN;
}

static int tui_set_device_cb(void *user, bool input, const char *name, char *msg, size_t msglen)
{
	struct app *app = user;
	if (!app->media) {
		snprintf(msg, msglen, "no audio engine yet");
		return -EAGAIN;
	}
	return input ? media_set_source(app->media, "portaudio", name, false, msg, msglen)
		     : media_set_sink(app->media, "portaudio", name, msg, msglen);
}

static int tui_video_cb(void *user, const char *what)
{
	struct app *app = user;
	if (!app->session)
		return -ENOTCONN;
	if (!strcmp(what, "on") || !strcmp(what, "off"))
		return session_set_video(app->session, !strcmp(what, "on"));
	if (!session_video_on(app->session))
		return -ENOTSUP;
	return session_show_video(app->session, strcmp(what, "next") ? what : NULL);
}

static int tui_set_name_cb(void *user, const char *name)
{
	struct app *app = user;
	return app->session ? session_set_name(app->session, name) : -ENOTCONN;
}

static int tui_set_pin_cb(void *user, const char *pin)
{
	struct app *app = user;
	return app->session ? session_set_pin(app->session, pin) : -ENOTCONN;
}

/* Starts the terminal UI; unless --accept-privacy, runs the loop until the notice is
 * accepted (nothing has connected before that). Returns -1 to go on with the meeting, or the
 * exit code: 0 when the notice was declined. */
static int start_tui(struct app *app, const struct cli_options *opt)
{
	static const struct tui_ops ops = {
		.accept = tui_accept_cb, .decline = tui_decline_cb, .set_muted = tui_set_muted_cb,
		.send_chat = tui_send_chat_cb, .send_private = tui_send_private_cb,
		.leave = tui_leave_cb,
		.set_device = tui_set_device_cb, .video = tui_video_cb, .set_pin = tui_set_pin_cb,
		.retry = tui_retry_cb, .set_name = tui_set_name_cb,
	};
	char err[300], *notice = NULL;
	bool cut = false;
	int rc;

	if (opt->privacy_notice && privacy_read_operator_notice(opt->privacy_notice, &notice,
								&cut, err, sizeof(err)) < 0) {
		fprintf(stderr, "ttymeet: %s\n", err);
		return TTM_EXIT_INPUT;
	}
	struct tui_config tc = { .opt = opt, .operator_notice = notice,
				 .operator_notice_cut = cut };
	rc = tui_create(&tc, &ops, app, &app->tui, err, sizeof(err));
	g_free(notice);
	if (rc < 0) {
		fprintf(stderr, "ttymeet: %s\n", err);
		return rc == -ENOTTY ? TTM_EXIT_USAGE : TTM_EXIT_INPUT;
	}
	if (opt->accept_privacy)
		return -1;
	g_main_loop_run(app->loop);
	if (app->accepted)
		return -1;
	tui_destroy(app->tui, TTM_EXIT_OK);
	return TTM_EXIT_OK;
}

static void print_device(const struct audio_device_info *d, void *arg)
{
	(void)arg;
	printf("%-40s in:%-2d out:%-2d %6.0f Hz%s%s\n", d->name, d->max_in, d->max_out,
	       d->default_rate, d->is_default_in ? " default-input" : "",
	       d->is_default_out ? " default-output" : "");
}

static int list_devices(void)
{
	int n = audio_device_list(print_device, NULL);
	if (n == 0)
		printf("no sound devices found\n");
	if (n < 0) {
		fprintf(stderr, "ttymeet: cannot list sound devices: %s\n", audio_strerror(n));
		return TTM_EXIT_INPUT;
	}
	return TTM_EXIT_OK;
}

/* One line on stderr (with the usage hint for TTM_EXIT_USAGE); scripts running --headless
 * also get it as an error event. */
static void early_error(int argc, char **argv, int code, const char *msg)
{
	fprintf(stderr, "ttymeet: %s%s\n", msg,
		code == TTM_EXIT_USAGE ? " (usage: ttymeet [options] URL ROOM; see --help)" : "");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--headless")) {
			struct session_event ev = { .type = SESSION_EV_ERROR, .code = code,
						    .message = msg };
			headless_print_event(stdout, &ev);
			break;
		}
	}
}

static void usage_error(int argc, char **argv, const char *msg)
{
	early_error(argc, argv, TTM_EXIT_USAGE, msg);
}

/* Secrets given on the command line: every local user can read them (ps, /proc/PID/cmdline)
 * while ttymeet starts. Say so, and blank our argv copy so they stop showing from now on. */
static void warn_visible_secrets(struct cli_options *o)
{
	if (o->pin_visible) {
		fprintf(stderr, "ttymeet: warning: --pin is visible to other local users (ps); "
				"use --pin-file FILE or TTYMEET_PIN\n");
		explicit_bzero((char *)o->pin_arg, strlen(o->pin_arg));
	}
	if (o->turn_visible) {
		fprintf(stderr, "ttymeet: warning: the TURN password in --turn is visible to other "
				"local users (ps); use --turn-file FILE or TTYMEET_TURN\n");
		char *at = strrchr(o->turn, '@'); /* keep turn:HOST for the notice */
		char *cred = (char *)o->turn + (strncmp(o->turn, "turns:", 6) ? 5 : 6);
		memset(cred, '*', (size_t)(at - cred));
	}
}

/* ---- bare `ttymeet` in a terminal: the join form (ui/joinform.h) ---- */

/* The form as a command line: [-n NAME] URL ROOM; a link "URL ROOM" typed whole into the
 * first field is split there when the room field is empty. */
static int form_argv(struct joinform *f, char **argv)
{
	int argc = 0;
	char *sp = strchr(f->url, ' ');
	if (sp && !*f->room) {
		*sp++ = '\0';
		while (*sp == ' ')
			sp++;
		snprintf(f->room, sizeof(f->room), "%.*s", (int)strcspn(sp, " "), sp);
	}
	argv[argc++] = "ttymeet";
	if (*f->name) {
		argv[argc++] = "-n";
		argv[argc++] = f->name;
	}
	argv[argc++] = f->url;
	argv[argc++] = f->room;
	argv[argc] = NULL;
	return argc;
}

static int form_check(void *user, const struct joinform *f, char *err, size_t errlen)
{
	char *argv[6];
	int argc = form_argv((struct joinform *)f, argv);
	return cli_parse(argc, argv, user, err, errlen) == CLI_RUN ? 0 : -EINVAL;
}

/* ---- headless: one or many participants ---- */

struct fleet {
	GMainLoop *loop;
	const struct cli_options *opt;
	struct bot **bots;
	int n, started, done, signals;
	gint64 t0;
	char *line;		/* the stdin line being read: SESSION_CHAT_MAX + 1 bytes of the
				 * locked pool (net/lockpool.h), wiped after each line */
	size_t line_len;
	guint stdin_watch;
	bool line_too_long;
};

static void fleet_bot_done(void *user, struct bot *b)
{
	struct fleet *f = user;
	(void)b;
	if (++f->done == f->n)
		g_main_loop_quit(f->loop);
}

static gboolean fleet_start_next(gpointer data)
{
	struct fleet *f = data;
	if (f->started < f->n && !f->signals)
		bot_start(f->bots[f->started++]);
	return f->started < f->n && !f->signals ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void fleet_leave(struct fleet *f, const char *reason)
{
	for (int i = 0; i < f->n; i++) {
		if (i < f->started)
			bot_leave(f->bots[i], reason);
	}
	if (f->started < f->n) { /* never started: nothing to leave, they are done */
		f->done += f->n - f->started;
		f->n = f->started;
		if (f->done >= f->n)
			g_main_loop_quit(f->loop);
	}
}

static gboolean fleet_on_signal(gpointer data)
{
	struct fleet *f = data;
	if (++f->signals > 1) { /* asked twice: stop waiting for the server, but wipe first */
		unsigned n = 0;
		for (int i = 0; i < f->started; i++)
			n += bot_wipe_chat(f->bots[i]);
		if (f->line)
			explicit_bzero(f->line, f->line_len);
		fprintf(stderr, "ttymeet: interrupted again: chat wiped (%u messages), exiting "
				"now\n", n);
		exit(130);
	}
	fleet_leave(f, "signal");
	return G_SOURCE_CONTINUE;
}

static gboolean fleet_on_duration(gpointer data)
{
	fleet_leave(data, "duration");
	return G_SOURCE_REMOVE;
}

/* Every stdin line is a chat message of the first participant; EOF only stops reading. */
static gboolean fleet_on_stdin(GIOChannel *ch, GIOCondition cond, gpointer data)
{
	struct fleet *f = data;
	char buf[4096];
	ssize_t n = read(g_io_channel_unix_get_fd(ch), buf, sizeof(buf));
	(void)cond;
	if (n <= 0) {
		f->stdin_watch = 0;
		return G_SOURCE_REMOVE;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (f->line_len < SESSION_CHAT_MAX)
				f->line[f->line_len++] = buf[i];
			else
				f->line_too_long = true;
			continue;
		}
		if (f->line_too_long)
			fprintf(stderr, "ttymeet: a chat line over %d bytes was not sent\n",
				SESSION_CHAT_MAX);
		else if (f->line_len && f->started) {
			f->line[f->line_len] = '\0';
			if (bot_input_line(f->bots[0], f->line) < 0)
				fprintf(stderr, "ttymeet: a chat message of %zu bytes could not be "
					"sent\n", f->line_len);
		}
		/* Chat text must not linger in memory. */
		explicit_bzero(f->line, f->line_len);
		f->line_len = 0;
		f->line_too_long = false;
	}
	explicit_bzero(buf, sizeof(buf));
	return G_SOURCE_CONTINUE;
}

/* "bot-%d" → "bot-7": exactly one %d, no other conversion. */
static int expand_pattern(const char *pat, int index, char *out, size_t outlen)
{
	const char *d = strstr(pat, "%d");
	if (!d || strchr(d + 2, '%') || memchr(pat, '%', (size_t)(d - pat)))
		return -EINVAL;
	int n = snprintf(out, outlen, "%.*s%d%s", (int)(d - pat), pat, index, d + 2);
	return n > 0 && (size_t)n < outlen && n <= CLI_NAME_MAX && text_is_clean_name(out) ? 0 : -EINVAL;
}

/* Reads --script whole (bounded); msg says why not. */
static char *read_script(const char *path, size_t *len, char *msg, size_t msglen)
{
	gchar *buf = NULL;
	gsize n = 0;
	GError *err = NULL;
	if (!g_file_get_contents(path, &buf, &n, &err)) {
		snprintf(msg, msglen, "%s: %s", path, err->message);
		g_error_free(err);
		return NULL;
	}
	if (n > SCRIPT_SIZE_MAX) {
		snprintf(msg, msglen, "%s: over %u bytes", path, SCRIPT_SIZE_MAX);
		g_free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Longest --play file a fleet encodes once for all: 10 minutes, ~2 MB at 24 kbit/s. */
#define CLIP_MAX_FRAMES (10 * 60 * 50)

static int run_headless(const struct cli_options *opt, gint64 t0, const char *turn_url,
			const char *turn_user, const char *turn_pass)
{
	struct fleet f = { .opt = opt, .n = opt->participants, .t0 = t0 };
	struct ws_ctx *wsctx = NULL;
	struct audio_clip *clip = NULL;
	char msg[400], name[CLI_NAME_MAX + 1];
	char *script = NULL;
	size_t script_len = 0;
	int rc = TTM_EXIT_OK;
	bool many = opt->participants > 1;
	const char *pattern = opt->name_pattern ? opt->name_pattern : (many ? "bot-%d" : NULL);

	if (opt->record && many) {
		fprintf(stderr, "ttymeet: --record takes one participant (usage: ttymeet [options] "
				"URL ROOM; see --help)\n");
		return TTM_EXIT_USAGE;
	}
	if (pattern && expand_pattern(pattern, 1, name, sizeof(name)) < 0) {
		fprintf(stderr, "ttymeet: --name-pattern needs exactly one %%d and printable text "
				"(usage: ttymeet [options] URL ROOM; see --help)\n");
		return TTM_EXIT_USAGE;
	}
	if (opt->script && !(script = read_script(opt->script, &script_len, msg, sizeof(msg)))) {
		fprintf(stderr, "ttymeet: %s\n", msg);
		return TTM_EXIT_INPUT;
	}
	f.loop = g_main_loop_new(NULL, FALSE);
	if ((rc = ws_ctx_create(f.loop, cli_needs_tls(opt), &wsctx)) < 0) {
		fprintf(stderr, "ttymeet: cannot set up networking (%s)\n", strerror(-rc));
		rc = TTM_EXIT_SERVER;
		goto out;
	}
	if (many && opt->play && !opt->audio_device) {
		/* Everyone plays the same file: encode it once for all (audio/clip.h). A file
		 * that cannot be read is left to each bot, which says what is wrong with it. */
		struct codec_enc_config ec;
		codec_enc_config_default(&ec);
		ec.bitrate = opt->bitrate_kbps * 1000;
		ec.complexity = opt->complexity;
		if (audio_clip_encode(opt->play, &ec, MEDIA_VAD_DBOV, CLIP_MAX_FRAMES, &clip) < 0) {
			clip = NULL;
		} else {
			snprintf(msg, sizeof(msg), "--play encoded once for all %d participants "
				 "(%.1f s, %zu KB, no FEC)", f.n,
				 (double)audio_clip_frames(clip) * 0.02, audio_clip_bytes(clip) / 1024);
			struct session_event ev = {
				.type = SESSION_EV_NOTICE, .message = msg,
				.t = (double)(g_get_monotonic_time() - t0) / 1e6 };
			headless_print_event_who(stdout, "all", &ev);
		}
	}
	if (many) { /* every participant holds sockets: make room, or say how many fit */
		unsigned per;
		unsigned long limit;
		int fit = bot_fd_budget(opt, f.n, &per, &limit);
		if (fit < f.n) {
			snprintf(msg, sizeof(msg), "the open-file limit (%lu, the hard limit) holds "
				 "%d of the %d participants asked for (about %u descriptors each): "
				 "starting %d; raise the hard limit (ulimit -Hn, prlimit) for more",
				 limit, fit, f.n, per, fit);
			struct session_event ev = {
				.type = SESSION_EV_NOTICE, .message = msg,
				.t = (double)(g_get_monotonic_time() - t0) / 1e6 };
			headless_print_event_who(stdout, "all", &ev);
			f.n = fit;
		}
	}
	f.bots = calloc((size_t)f.n, sizeof(*f.bots));
	if (!f.bots) {
		rc = TTM_EXIT_SERVER;
		goto out;
	}
	for (int i = 0; i < f.n; i++) {
		if (pattern)
			expand_pattern(pattern, i + 1, name, sizeof(name));
		else
			snprintf(name, sizeof(name), "%s", opt->name);
		struct bot_config bc = {
			.opt = opt, .name = name, .tag = many ? name : NULL,
			.script_text = script, .script_len = script_len,
			.turn_url = turn_url, .turn_user = turn_user, .turn_password = turn_pass,
			/* times count from each bot's own (ramped) start */
			.t0 = t0 + (gint64)(i * 1e6 / (opt->ramp > 0 ? opt->ramp : 10.0)),
			.ws = wsctx, .main = g_main_context_default(), .out = stdout,
			.decode = !many, .clip = clip,
		};
		rc = bot_create(&bc, fleet_bot_done, &f, &f.bots[i], msg, sizeof(msg));
		if (rc < 0) {
			fprintf(stderr, "ttymeet: %s\n", msg);
			struct session_event ev = { .type = SESSION_EV_ERROR, .code = -rc,
						    .message = msg };
			headless_print_event(stdout, &ev);
			rc = -rc;
			f.n = i;
			goto out;
		}
	}
	/* A closed stdout (the reader went away) must not kill us mid-leave. */
	signal(SIGPIPE, SIG_IGN);
	guint sigs[3] = { g_unix_signal_add(SIGINT, fleet_on_signal, &f),
			  g_unix_signal_add(SIGTERM, fleet_on_signal, &f),
			  g_unix_signal_add(SIGHUP, fleet_on_signal, &f) };
	if (opt->duration > 0)
		g_timeout_add((guint)(opt->duration * 1000.0), fleet_on_duration, &f);
	double ramp = opt->ramp > 0 ? opt->ramp : 10.0; /* joins per second */
	bot_start(f.bots[f.started++]);
	if (f.n > 1)
		g_timeout_add((guint)(1000.0 / ramp), fleet_start_next, &f);
	/* sized once, in locked memory: a chat line is never copied elsewhere on the heap */
	f.line = lockpool_alloc(SESSION_CHAT_MAX + 1);
	if (f.line) {
		GIOChannel *ch = g_io_channel_unix_new(0);
		f.stdin_watch = g_io_add_watch(ch, G_IO_IN | G_IO_HUP | G_IO_ERR, fleet_on_stdin,
					       &f);
		g_io_channel_unref(ch);
	} else {
		fprintf(stderr, "ttymeet: out of memory: chat from standard input is not read\n");
	}

	g_main_loop_run(f.loop);

	if (f.stdin_watch)
		g_source_remove(f.stdin_watch);
	lockpool_free(f.line); /* overwritten as it is freed */
	for (int i = 0; i < 3; i++)
		g_source_remove(sigs[i]);

	/* Exit code: the first participant that failed decides. */
	rc = TTM_EXIT_OK;
	json_t **sums = calloc((size_t)f.n + 1, sizeof(*sums));
	for (int i = 0; i < f.n; i++) {
		if (rc == TTM_EXIT_OK)
			rc = bot_exit_code(f.bots[i]);
		if (sums)
			sums[i] = bot_summary(f.bots[i]);
	}
	json_t *report = NULL;
	if (sums && many && report_aggregate(sums, (size_t)f.n, &report) == 0)
		headless_print_summary(stdout, "all",
				       (double)(g_get_monotonic_time() - t0) / 1e6, report);
	else if (sums && f.n == 1)
		report = json_incref(sums[0]);
	if (opt->report && report && report_write_file(opt->report, report) < 0) {
		fprintf(stderr, "ttymeet: %s: cannot write the report\n", opt->report);
		if (rc == TTM_EXIT_OK)
			rc = TTM_EXIT_INPUT;
	}
	json_decref(report);
	for (int i = 0; sums && i < f.n; i++)
		json_decref(sums[i]);
	free(sums);
out:
	for (int i = 0; f.bots && i < f.n; i++) {
		if (bot_destroy(f.bots[i]) < 0 && rc == TTM_EXIT_OK) {
			fprintf(stderr, "ttymeet: %s: could not finish the recording\n", opt->record);
			rc = TTM_EXIT_INPUT;
		}
	}
	free(f.bots);
	audio_clip_free(clip);
	ws_ctx_destroy(wsctx);
	g_main_loop_unref(f.loop);
	g_free(script);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli_options opt;
	struct joinform form; /* bare `ttymeet`: opt.url points into it */
	char err[256];
	int rc;
	gint64 t_start = g_get_monotonic_time(); /* event times (and join_ms) count from here */

	harden_process();
	/* first, before any other locked memory (see secmem.h); failure shows in the checks of
	 * the chat store, which needs more */
	(void)secmem_lock_stack(SECMEM_STACK_BYTES);
	secmem_json_setup(); /* before any JSON: jansson's memory is the locked, wiping pool */
	/* Bare `ttymeet` in a terminal asks; scripts (stdin not a terminal) get exit 2. */
	bool use_form = argc == 1 && isatty(0) && isatty(1);
	memset(&form, 0, sizeof(form));
	if (use_form) {
		cli_default_name(form.name, sizeof(form.name));
		rc = joinform_run(&form, form_check, &opt);
		if (rc == -ECANCELED) { /* Esc: nothing was asked of anyone */
			joinform_wipe(&form);
			return TTM_EXIT_OK;
		}
		if (rc < 0) {
			joinform_wipe(&form);
			usage_error(argc, argv, "cannot use the terminal for the join form");
			return TTM_EXIT_USAGE;
		}
	} else {
		rc = cli_parse(argc, argv, &opt, err, sizeof(err));
	}
	if (rc < 0) {
		usage_error(argc, argv, err);
		return TTM_EXIT_USAGE;
	}
	if (rc == CLI_HELP) {
		cli_usage(stdout);
		return TTM_EXIT_OK;
	}
	if (rc == CLI_VERSION) {
		printf("ttymeet %s\nservers: Janus only (WebSocket API: AudioBridge for audio, "
		       "TextRoom for chat, VideoRoom for video); no other server kinds\n%s",
		       TTM_VERSION,
		       testhook_tamper_fingerprint ? "test hooks: linked in (a test build)\n" : "");
		return TTM_EXIT_OK;
	}
	if (rc == CLI_LIST_DEVICES)
		return list_devices();
	const char *unsupported = unsupported_option(&opt);
	if (unsupported) {
		snprintf(err, sizeof(err), "%s", unsupported);
		usage_error(argc, argv, err);
		return TTM_EXIT_USAGE;
	}
	/* Typos in file names are said now, not after the notice was read and accepted. */
	if (cli_check_local(&opt, err, sizeof(err)) < 0) {
		early_error(argc, argv, TTM_EXIT_INPUT, err);
		return TTM_EXIT_INPUT;
	}
	if (opt.headless && !opt.accept_privacy) {
		privacy_print_notice(stderr, &opt);
		fprintf(stderr, "ttymeet: headless mode needs --accept-privacy (the notice is above)\n");
		return TTM_EXIT_USAGE;
	}

	if (cli_hide_chat(&opt) < 0) {
		early_error(argc, argv, TTM_EXIT_INPUT, "out of memory for the --chat texts");
		return TTM_EXIT_INPUT;
	}
	if ((rc = cli_load_secrets(&opt, err, sizeof(err))) < 0) {
		early_error(argc, argv, rc == -EINVAL ? TTM_EXIT_USAGE : TTM_EXIT_INPUT, err);
		return rc == -EINVAL ? TTM_EXIT_USAGE : TTM_EXIT_INPUT;
	}
	if (form.pin[0]) { /* the form's pin goes where --pin-file's would */
		snprintf(opt.pin_buf, sizeof(opt.pin_buf), "%s", form.pin);
		opt.pin = opt.pin_buf;
	}
	explicit_bzero(form.pin, sizeof(form.pin));
	/* Copied: nothing we might start later inherits them. */
	unsetenv("TTYMEET_PIN");
	unsetenv("TTYMEET_TURN");
	unsetenv("TTYMEET_JWT");
	const char *turn_url = opt.turn ? opt.turn_url : NULL;
	const char *turn_user = opt.turn ? opt.turn_user : NULL;
	const char *turn_pass = opt.turn ? opt.turn_pass : NULL;

	if (opt.headless) {
		warn_visible_secrets(&opt);
		rc = run_headless(&opt, t_start, turn_url, turn_user, turn_pass);
		cli_wipe_secrets(&opt);
		cli_free_chat(&opt);
		report_pool_leaks();
		return rc;
	}

	/* The terminal UI: one participant, the notice first, then the meeting. */
	struct app app = { 0 };
	struct ws_ctx *wsctx = NULL;
	struct media *media = NULL;
	app.loop = g_main_loop_new(NULL, FALSE);
	if ((rc = start_tui(&app, &opt)) >= 0) {
		g_main_loop_unref(app.loop);
		cli_wipe_secrets(&opt);
		return rc;
	}
	warn_visible_secrets(&opt); /* shown in the UI (its diagnostics pane) */
	const char *dev_backend = "portaudio";
	struct media_config mc = {
		.source_backend = opt.play ? "wav" : dev_backend,
		.source_target = opt.play ? opt.play : opt.audio_device,
		.source_loop = opt.loop,
		.sink_backend = opt.record ? "wav" : dev_backend,
		.sink_target = opt.record ? opt.record : opt.audio_device,
		.bitrate = opt.bitrate_kbps * 1000,
		.complexity = opt.complexity,
		.muted = opt.mute,
		.cname = "ttymeet",
	};
	char msg[300] = "";
	bool no_card;
	rc = media_create_or_null(g_main_context_default(), &mc, &media, msg, sizeof(msg),
				  &no_card);
	app.play = opt.play;
	app.record = opt.record;
	app.no_card = no_card; /* said on joining (on_session_event), not on a failed run */
	if (rc < 0) {
		fprintf(stderr, "ttymeet: %s\n", msg);
		tui_destroy(app.tui, TTM_EXIT_INPUT);
		return TTM_EXIT_INPUT;
	}
	app.media = media;
	/* media_create_or_null replaced both PortAudio sides with null ones */
	tui_set_audio(app.tui, !no_card || opt.play, !no_card || opt.record);
	if ((rc = ws_ctx_create(app.loop, cli_needs_tls(&opt), &wsctx)) < 0) {
		fprintf(stderr, "ttymeet: cannot set up networking (%s)\n", strerror(-rc));
		return TTM_EXIT_SERVER;
	}
	struct session_config cfg = {
		.url = opt.url, .room = opt.room, .name = opt.name, .pin = opt.pin,
		.room_type = opt.room_type,
		.xmpp_websocket = opt.xmpp_websocket, .xmpp_domain = opt.xmpp_domain,
		.xmpp_muc = opt.xmpp_muc, .xmpp_focus = opt.xmpp_focus, .jwt = opt.jwt,
		.room_name = opt.jitsi ? opt.jitsi_room : NULL,
		.xmpp_user = opt.xmpp_user, .xmpp_password = opt.xmpp_password,
		.xmpp_allow_plain = opt.xmpp_allow_plain,
		.no_p2p = opt.no_p2p,
		.ask_pin = true, /* the UI asks for a pin the room wants (masked) */
		.insecure = opt.insecure, .muted = opt.mute, .t0 = t_start,
		.media = media,
		.stun_server = opt.stun,
		.local_addrs = opt.n_ice_addrs ? opt.ice_addrs : NULL,
		.bitrate = opt.bitrate_kbps * 1000,
		.turn_url = turn_url, .turn_user = turn_user, .turn_password = turn_pass,
		.stats_interval_ms = 1000,
		.keepalive_ms = (unsigned)(opt.keepalive * 1000.0),
		.give_up_ms = (unsigned)(opt.give_up * 1000.0),
		.hold_on_give_up = app.tui != NULL, /* the TUI offers to retry or quit */
		.tamper_fingerprint = TESTHOOK(testhook_tamper_fingerprint, false),
		/* the TUI shows video unless --no-video */
		.video = { .receive = opt.video != 0, .source = opt.video_source,
			   .codec = opt.video_vp9 ? VIDEO_CODEC_VP9 : VIDEO_CODEC_VP8,
			   .simulcast = opt.video_simulcast },
	};
	rc = session_create(g_main_context_default(), wsctx, &cfg, on_session_event, &app,
			    &app.session);
	cli_wipe_secrets(&opt); /* the session has its own copies */
	if (rc < 0) {
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
	for (int i = 0; i < opt.n_chat; i++)
		if (session_send_chat(app.session, NULL, opt.chat[i]) < 0)
			fprintf(stderr, "ttymeet: --chat message %d cannot be sent (empty or over %d "
					"bytes)\n", i + 1, SESSION_CHAT_MAX);
	g_main_loop_run(app.loop);

	rc = session_exit_code(app.session);
	g_source_remove(sig_int);
	g_source_remove(sig_term);
	g_source_remove(sig_hup);
	session_destroy(app.session);
	if (media_destroy(media) < 0 && rc == TTM_EXIT_OK) {
		fprintf(stderr, "ttymeet: %s: could not finish the recording\n", opt.record);
		rc = TTM_EXIT_INPUT;
	}
	ws_ctx_destroy(wsctx);
	g_main_loop_unref(app.loop);
	tui_destroy(app.tui, rc);
	cli_free_chat(&opt);
	report_pool_leaks();
	return rc;
}
