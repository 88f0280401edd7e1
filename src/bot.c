/* A headless participant (see bot.h).
 *
 * Data flow: session events → JSON lines, and → observations for the script (participants,
 * chat from others, talking, errors) and samples for the report (stats). A timer wakes for the
 * script's next action or deadline (at most every 200 ms while expectations are pending, which
 * is also when "audio is arriving" is observed). When the session has left, the script is
 * settled, the report completed and a summary line printed; the exit code is the session's,
 * or 7 when an expectation failed.
 */
#include "src/bot.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "src/exitcode.h"
#include "src/headless.h"
#include "src/media.h"
#include "src/report.h"
#include "src/script.h"
#include "src/session.h"
#include "ui/vrender.h"
#include "net/loop.h"
#include "util/testhook.h"

#define SCRIPT_POLL_MS 200

struct bot {
	bool no_card; /* no sound card: said once joined */
	struct bot_config cfg;
	char *name, *tag;
	struct session *session;
	struct media *media;
	struct script *script;
	struct report *report;
	struct vrender *vrender; /* video-frame events; NULL without --video */
	bot_done_cb done_cb;
	void *user;
	GSource *script_timer;
	bool done, got_media, joined;
	int exit_code;
	gint64 t_end;
};

static uint64_t now_ms(const struct bot *b)
{
	return (uint64_t)((g_get_monotonic_time() - b->cfg.t0) / 1000);
}

static void print(struct bot *b, const struct session_event *ev)
{
	headless_print_event_who(b->cfg.out, b->tag, ev);
}

/* The room's count, also past the listed roster (SESSION_ROSTER_MAX). */
static unsigned roster_count(struct bot *b)
{
	return session_participant_count(b->session, NULL);
}

/* ---- script ---- */

/* A notice line in the bot's event stream. */
static void notice(struct bot *b, const char *text)
{
	struct session_event ev = { .type = SESSION_EV_NOTICE, .message = text };
	ev.t = (double)now_ms(b) / 1000.0;
	print(b, &ev);
}

/* Prints each expectation that newly failed, once. */
static void report_failures(struct bot *b)
{
	for (size_t i = 0; i < script_expect_count(b->script); i++) {
		struct script_expect_info info;
		if (script_expect_get(b->script, i, &info) == 0 && info.changed &&
		    info.state == SCRIPT_FAILED) {
			notice(b, info.message);
			fprintf(stderr, "ttymeet: %s%s%s\n", b->tag ? b->tag : "", b->tag ? ": " : "",
				info.message);
		}
	}
}

static void run_action(struct bot *b, const struct script_action *a)
{
	char msg[320];
	switch (a->type) {
	case SCRIPT_ACT_SAY:
		if (media_set_source(b->media, "wav", a->file, false, msg, sizeof(msg)) < 0) {
			char line[400];
			snprintf(line, sizeof(line), "line %u: say: %s", a->line, msg);
			notice(b, line);
			script_observe_error(b->script, now_ms(b));
		}
		break;
	case SCRIPT_ACT_CHAT:
		if (session_send_chat(b->session, a->to, a->text) < 0) {
			snprintf(msg, sizeof(msg), "line %u: chat: the message cannot be sent", a->line);
			notice(b, msg);
		}
		break;
	case SCRIPT_ACT_MUTE:
	case SCRIPT_ACT_UNMUTE:
		session_set_muted(b->session, a->type == SCRIPT_ACT_MUTE);
		break;
	case SCRIPT_ACT_VIDEO_ON:
	case SCRIPT_ACT_VIDEO_OFF:
		if (session_set_video(b->session, a->type == SCRIPT_ACT_VIDEO_ON) < 0) {
			snprintf(msg, sizeof(msg), "line %u: video: not available", a->line);
			notice(b, msg);
		}
		break;
	case SCRIPT_ACT_LEAVE:
		session_leave(b->session, "script");
		break;
	case SCRIPT_ACT_NICK: {
		int rc = session_set_name(b->session, a->text);
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "line %u: nick: %s", a->line,
				 session_name_error(rc));
			notice(b, msg);
			script_observe_error(b->script, now_ms(b));
		}
		break;
	}
	}
}

static void script_timer_cb(void *data);

static void arm_script_timer(struct bot *b)
{
	uint64_t at, now = now_ms(b);
	guint wait = SCRIPT_POLL_MS;
	loop_source_drop(&b->script_timer);
	if (b->done)
		return;
	if (script_next_event_ms(b->script, &at) == 0 && at > now && at - now < wait)
		wait = (guint)(at - now);
	loop_once(&b->script_timer, b->cfg.main, wait, script_timer_cb, b);
}

static void script_timer_cb(void *data)
{
	struct bot *b = data;
	const struct script_action *due[16];
	struct script_status st;
	uint64_t now = now_ms(b);
	size_t n;

	if (b->media && media_receiving_audio(b->media))
		script_observe_audio(b->script, now);
	if (b->joined) /* participants past the listed roster come and go without events */
		script_observe_participants(b->script, now, roster_count(b));
	while ((n = script_tick(b->script, now, due, G_N_ELEMENTS(due))) > 0)
		for (size_t i = 0; i < n && !b->done; i++)
			run_action(b, due[i]);
	script_check(b->script, now, &st);
	if (st.newly_failed)
		report_failures(b);
	arm_script_timer(b);
}

/* ---- session events ---- */

static void finish(struct bot *b, const struct session_event *left)
{
	struct script_status st;
	b->done = true;
	b->t_end = g_get_monotonic_time();
	b->exit_code = session_exit_code(b->session);
	loop_source_drop(&b->script_timer);
	if (b->script) {
		script_finish(b->script, now_ms(b), &st);
		if (st.newly_failed)
			report_failures(b);
		report_add_script(b->report, b->script);
		if (b->exit_code == TTM_EXIT_OK)
			b->exit_code = script_exit_code(b->script);
	}
	report_set_exit_code(b->report, b->exit_code);
	report_set_duration(b->report, (double)(b->t_end - b->cfg.t0) / 1e6);
	if (b->media) {
		struct media_stats ms;
		media_get_stats(b->media, &ms);
		if (ms.t_first_audio)
			report_set_join_ms(b->report, REPORT_JOIN_FIRST_AUDIO,
					   (double)(ms.t_first_audio - b->cfg.t0) / 1000.0);
	}
	json_t *sum = report_json(b->report);
	if (sum) {
		headless_print_summary(b->cfg.out, b->tag, left->t, sum);
		json_decref(sum);
	}
	print(b, left);
	if (b->done_cb)
		b->done_cb(b->user, b);
}

/* A decoded picture: counted, and shown as a video-frame event at the capped rate. */
static void on_video_frame(struct bot *b, const struct session_event *ev)
{
	report_add_video_frame(b->report, ev->t);
	if (b->script)
		script_observe_video(b->script, now_ms(b));
	if (!b->vrender ||
	    vrender_offer(b->vrender, ev->image, (uint64_t)g_get_monotonic_time(), NULL) != 1)
		return;
	headless_print_video_frame(b->cfg.out, b->tag, ev, vrender_grid(b->vrender));
	vrender_commit(b->vrender);
}

static void on_event(void *user, const struct session_event *ev)
{
	struct bot *b = user;
	uint64_t now = now_ms(b);

	if (ev->type == SESSION_EV_VIDEO_FRAME) {
		on_video_frame(b, ev);
		return;
	}
	if (ev->type != SESSION_EV_LEFT) /* "left" stays the last line: after the summary */
		print(b, ev);
	if (ev->type == SESSION_EV_ERROR)
		fprintf(stderr, "ttymeet: %s%s%s\n", b->tag ? b->tag : "", b->tag ? ": " : "",
			ev->message);
	if (ev->type == SESSION_EV_JOINED && b->no_card) {
		b->no_card = false;
		fprintf(stderr, "ttymeet: %s%s%s\n", b->tag ? b->tag : "", b->tag ? ": " : "",
			media_no_card_text(b->cfg.opt->play != NULL,
					   b->cfg.opt->record != NULL));
	}
	switch (ev->type) {
	case SESSION_EV_JOINED:
		b->joined = true;
		/* fall through */
	case SESSION_EV_PARTICIPANT_JOINED:
	case SESSION_EV_PARTICIPANT_LEFT:
		if (b->script)
			script_observe_participants(b->script, now, roster_count(b));
		break;
	case SESSION_EV_TALKING:
		if (b->script && ev->on && !ev->self)
			script_observe_talking(b->script, now, ev->name);
		break;
	case SESSION_EV_SPEAKER:
		if (b->script && ev->on && !ev->self)
			script_observe_speaker(b->script, now, ev->name);
		break;
	case SESSION_EV_CHAT:
		if (b->script && !ev->self) {
			/* "from bob" means the call participant bob; a chat-only identity of that
			 * name is "bob (chat)", as the TUI shows it */
			char from[SESSION_NAME_MAX + 8];
			snprintf(from, sizeof(from), ev->chat_only ? "%s (chat)" : "%s", ev->name);
			script_observe_chat(b->script, now, from, ev->text);
		}
		break;
	case SESSION_EV_MEDIA:
		if (!strcmp(ev->kind, "audio") && !strcmp(ev->state, "connected") && !b->got_media) {
			b->got_media = true;
			report_set_join_ms(b->report, REPORT_JOIN_SIGNALING, ev->signaling_ms);
			report_set_join_ms(b->report, REPORT_JOIN_ICE, ev->ice_ms);
			report_set_join_ms(b->report, REPORT_JOIN_DTLS, ev->dtls_ms);
			report_set_join_ms(b->report, REPORT_JOIN_TOTAL, ev->join_ms);
		}
		break;
	case SESSION_EV_STATS:
		report_add_media_stats(b->report, ev->stats);
		if (b->script && ev->stats->receiving_audio)
			script_observe_audio(b->script, now);
		break;
	case SESSION_EV_ERROR:
		if (b->script)
			script_observe_error(b->script, now);
		break;
	case SESSION_EV_VIDEO:
		if (!ev->on && b->vrender)
			vrender_forget(b->vrender);
		break;
	case SESSION_EV_LEFT:
		finish(b, ev);
		break;
	default:
		break;
	}
}

/* ---- public ---- */

int bot_create(const struct bot_config *cfg, bot_done_cb done, void *user, struct bot **out,
	       char *msg, size_t msglen)
{
	const struct cli_options *opt = cfg->opt;
	struct bot *b = calloc(1, sizeof(*b));
	int rc;
	if (!b)
		return -TTM_EXIT_SERVER;
	b->cfg = *cfg;
	b->done_cb = done;
	b->user = user;
	b->name = strdup(cfg->name);
	b->tag = cfg->tag ? strdup(cfg->tag) : NULL;
	if (!b->name || (cfg->tag && !b->tag)) {
		rc = -TTM_EXIT_SERVER;
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	if (cfg->script_text) {
		struct script_error se;
		if (script_parse(cfg->script_text, cfg->script_len, &b->script, &se) < 0) {
			snprintf(msg, msglen, "%s: %s", opt->script, se.message);
			rc = -TTM_EXIT_USAGE;
			goto out;
		}
	}
	struct report_config rcfg = { .name = cfg->name, .bitrate = opt->bitrate_kbps * 1000,
				      .fec = true };
	if (report_create(&rcfg, &b->report) < 0) {
		rc = -TTM_EXIT_SERVER;
		snprintf(msg, msglen, "out of memory");
		goto out;
	}

	/* Devices: a file or a named sound device; bots default to none at all. */
	const char *dev = opt->audio_device ? "portaudio" : "null";
	bool need_audio = b->script && (script_needs(b->script) & SCRIPT_NEED_AUDIO);
	struct media_config mc = {
		.source_backend = opt->play ? "wav" : dev,
		.source_target = opt->play ? opt->play : opt->audio_device,
		.source_loop = opt->loop,
		.sink_backend = opt->record ? "wav" : dev,
		.sink_target = opt->record ? opt->record : opt->audio_device,
		.bitrate = opt->bitrate_kbps * 1000,
		.complexity = opt->complexity,
		.muted = opt->mute,
		.cname = "ttymeet",
		.no_decode = !cfg->decode && !opt->record && !opt->audio_device && !need_audio,
		.clip = opt->play ? cfg->clip : NULL,
	};
	bool no_card;
	rc = media_create_or_null(cfg->main, &mc, &b->media, msg, msglen, &no_card);
	b->no_card = no_card; /* said on joining (on_session), not first on a failed run */
	if (rc < 0) {
		rc = -TTM_EXIT_INPUT;
		goto out;
	}
	struct session_config sc = {
		.url = opt->url, .room = opt->room, .name = cfg->name, .pin = opt->pin,
		.room_type = opt->room_type,
		.xmpp_websocket = opt->xmpp_websocket, .xmpp_domain = opt->xmpp_domain,
		.xmpp_muc = opt->xmpp_muc, .xmpp_focus = opt->xmpp_focus, .jwt = opt->jwt,
		.room_name = opt->jitsi ? opt->jitsi_room : NULL,
		.xmpp_user = opt->xmpp_user, .xmpp_password = opt->xmpp_password,
		.xmpp_allow_plain = opt->xmpp_allow_plain,
		.no_p2p = opt->no_p2p,
		.insecure = opt->insecure, .muted = opt->mute, .t0 = cfg->t0,
		.media = b->media,
		.stun_server = opt->stun,
		.turn_url = cfg->turn_url,
		.turn_user = cfg->turn_user,
		.turn_password = cfg->turn_password,
		.local_addrs = opt->n_ice_addrs ? opt->ice_addrs : NULL,
		.bitrate = opt->bitrate_kbps * 1000,
		.stats_interval_ms = 5000,
		.keepalive_ms = (unsigned)(opt->keepalive * 1000.0),
		.give_up_ms = (unsigned)(opt->give_up * 1000.0),
		.tamper_fingerprint = TESTHOOK(testhook_tamper_fingerprint, false),
		.video = {
			.receive = opt->video == 1 || (b->script && (script_needs(b->script) &
								     SCRIPT_NEED_VIDEO)),
			.source = opt->video_source,
			.codec = opt->video_vp9 ? VIDEO_CODEC_VP9 : VIDEO_CODEC_VP8,
			.simulcast = opt->video_simulcast,
		},
	};
	if (opt->video == 1) {
		struct vrender_config vc = { .cols = opt->video_cols, .rows = opt->video_rows,
					     .fps = opt->video_fps };
		if (vrender_create(&vc, &b->vrender) < 0) {
			rc = -TTM_EXIT_SERVER;
			snprintf(msg, msglen, "out of memory");
			goto out;
		}
	}
	if (session_create(cfg->main, cfg->ws, &sc, on_event, b, &b->session) < 0) {
		rc = -TTM_EXIT_SERVER;
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	*out = b;
	return 0;
out:
	bot_destroy(b);
	return rc;
}

void bot_start(struct bot *b)
{
	const struct cli_options *opt = b->cfg.opt;
	session_start(b->session);
	for (int i = 0; i < opt->n_chat; i++)
		if (session_send_chat(b->session, NULL, opt->chat[i]) < 0)
			fprintf(stderr, "ttymeet: --chat message %d cannot be sent (empty or over %d "
					"bytes)\n", i + 1, SESSION_CHAT_MAX);
	if (b->script)
		arm_script_timer(b);
}

void bot_leave(struct bot *b, const char *reason)
{
	session_leave(b->session, reason);
}

int bot_input_line(struct bot *b, char *line)
{
	if (!strncmp(line, "/video ", 7)) {
		const char *w = line + 7;
		char msg[200];
		int rc;
		if (!strcmp(w, "on") || !strcmp(w, "off"))
			rc = session_set_video(b->session, !strcmp(w, "on"));
		else
			rc = session_show_video(b->session, strcmp(w, "next") ? w : NULL);
		if (rc < 0) {
			bool next = !strcmp(w, "next");
			snprintf(msg, sizeof(msg), "/video %.100s: %s", w,
				 rc == -ENOENT && next ? "nobody sends video" :
				 rc == -EALREADY ? "the only one sending video is shown already" :
				 rc == -ENOENT ? "nobody by that name sends video" :
				 rc == -ENOTSUP ? "video is not enabled (--video)" : "not joined yet");
			notice(b, msg);
		}
		return 0;
	}
	if (!strncmp(line, "/msg ", 5)) {
		char *name = line + 5, *sp = strchr(name, ' ');
		if (!sp || sp == name || !sp[1])
			return -EINVAL;
		*sp = '\0';
		return session_send_chat(b->session, name, sp + 1);
	}
	return session_send_chat(b->session, NULL, line[0] == '/' && line[1] == '/' ? line + 1 : line);
}

unsigned bot_wipe_chat(struct bot *b)
{
	return b->session ? session_wipe_chat(b->session) : 0;
}

bool bot_done(const struct bot *b)
{
	return b->done;
}

int bot_exit_code(const struct bot *b)
{
	return b->exit_code;
}

json_t *bot_summary(const struct bot *b)
{
	return report_json(b->report);
}

int bot_destroy(struct bot *b)
{
	int rc = 0;
	if (!b)
		return 0;
	loop_source_drop(&b->script_timer);
	session_destroy(b->session);
	if (media_destroy(b->media) < 0)
		rc = -EIO;
	script_destroy(b->script);
	report_destroy(b->report);
	vrender_destroy(b->vrender);
	free(b->name);
	free(b->tag);
	free(b);
	return rc;
}

/* ---- file descriptors of a fleet ---- */

/* Addresses ICE gathers on: the --ice-interface entries, else every IPv4/IPv6 address of an
 * interface that is up and not loopback (at least 1). */
static unsigned ice_addresses(const struct cli_options *opt)
{
	struct ifaddrs *ifs, *i;
	unsigned n = 0;
	if (opt->n_ice_addrs > 0)
		return (unsigned)opt->n_ice_addrs;
	if (getifaddrs(&ifs) < 0)
		return 2;
	for (i = ifs; i; i = i->ifa_next)
		if (i->ifa_addr && (i->ifa_flags & IFF_UP) && !(i->ifa_flags & IFF_LOOPBACK) &&
		    (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6))
			n++;
	freeifaddrs(ifs);
	return n ? n : 1;
}

unsigned bot_fds_per_participant(const struct cli_options *opt)
{
	unsigned peers = 2; /* audio, chat */
	if (opt->video == 1)
		peers++; /* the preview's subscriber */
	if (opt->video_source)
		peers++; /* our published video */
	return 1 + peers * (ice_addresses(opt) + 1) + 1;
}

int bot_fd_budget(const struct cli_options *opt, int n, unsigned *per, unsigned long *limit)
{
	struct rlimit rl;
	*per = bot_fds_per_participant(opt);
	rlim_t want = BOT_FDS_BASE + (rlim_t)n * *per;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		*limit = 0;
		return n;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rlim_t to = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		struct rlimit nl = { .rlim_cur = to, .rlim_max = rl.rlim_max };
		if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
			rl.rlim_cur = to;
	}
	*limit = rl.rlim_cur == RLIM_INFINITY ? (unsigned long)-1 : (unsigned long)rl.rlim_cur;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return n;
	long fit = ((long)rl.rlim_cur - BOT_FDS_BASE) / (long)*per;
	return fit < 1 ? 1 : (int)fit;
}
