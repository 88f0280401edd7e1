/* The terminal UI's life cycle, terminal handling and model updates (see tui.h).
 *
 * Data flow: session events → tui_on_event() → model (people, status, display log) → dirty
 * bits → one idle redraw (draw.c). Keys: stdin fd source → wget_wch() on a pad (a pad is never
 * refreshed implicitly) → input.c → tui_ops. SIGWINCH, SIGINT/TERM/HUP come in as GLib signal
 * sources created before newterm(), so ncurses installs no handlers of its own for them.
 */
#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "src/privacy.h"
#include "ui/diag.h"
#include "ui/tui_int.h"
#include "net/loop.h"

#define LOG_BYTES (256 * 1024) /* display log: chat and system lines, locked memory */
#define LOG_MSGS 2000
#define HISTORY_LINES 100
#define ESC_DELAY_MS 50
#define PTT_HOLD_MS 1000

/* The UI that owns the terminal, for the exit-time restore (one terminal per process). */
static struct tui *active_tui;

static void restore_at_exit(void)
{
	struct tui *t = active_tui;
	if (!t)
		return;
	active_tui = NULL;
	t->ending = true;
	endwin();
	diag_stop(t->diag, true);
	t->diag = NULL;
}

static gboolean on_redraw(gpointer data)
{
	struct tui *t = data;
	loop_source_drop(&t->redraw_src);
	if (!t->ending)
		draw_render(t);
	return G_SOURCE_REMOVE;
}

void tui_dirty(struct tui *t, unsigned mask)
{
	t->dirty |= mask;
	if (t->redraw_src || t->ending)
		return;
	t->redraw_src = g_idle_source_new();
	g_source_set_priority(t->redraw_src, G_PRIORITY_DEFAULT_IDLE);
	g_source_set_callback(t->redraw_src, on_redraw, t, NULL);
	g_source_attach(t->redraw_src, t->ctx);
}

uint64_t tui_last_seq(const struct tui *t)
{
	return chat_store_total(t->log) - 1;
}

/* A line was added to the display log: while scrolled back the view stays where the reader
 * is and the line counts as new (the first of them gets the marker later). */
static void line_added(struct tui *t)
{
	struct chat_msg m;
	if (!t->scroll || chat_store_get(t->log, chat_store_count(t->log) - 1, &m) < 0)
		return;
	t->scroll += draw_msg_lines(t, &m);
	if (!t->unread++)
		t->unread_seq = tui_last_seq(t);
}

void tui_system_line(struct tui *t, unsigned flags, const char *text)
{
	if (chat_store_add(t->log, g_get_real_time(), "", NULL, text, strlen(text),
			   TUI_LINE_SYSTEM | flags) < 0)
		return;
	line_added(t);
	tui_dirty(t, DIRTY_CHAT);
}

void tui_system_msg(struct tui *t, unsigned flags, enum i18n_msg msg, const char *a1,
		    const char *a2)
{
	char buf[1024];
	i18n_fmt(buf, sizeof(buf), t->lang, msg, a1, a2, NULL);
	tui_system_line(t, flags, buf);
}

static void on_diag_line(void *user, const char *line)
{
	struct tui *t = user;
	const char *msg = line + strlen("ttymeet: ");
	if (t->ending || !strcmp(msg, t->last_error) || away_is_log_only(t, msg))
		return; /* the error event already showed it, or it is for the --log only */
	tui_system_line(t, TUI_LINE_ALERT, msg);
}

/* ---- layout and terminal ---- */

static void delete_windows(struct tui *t)
{
	for (int i = 0; i < W_COUNT; i++) {
		if (t->win[i])
			delwin(t->win[i]);
		t->win[i] = NULL;
	}
}

static WINDOW *make_win(const struct rect *r)
{
	return r->h > 0 && r->w > 0 ? newwin(r->h, r->w, r->y, r->x) : NULL;
}

/* The video pane's size in the layout: none without video or after /video off. */
static enum layout_video video_layout(const struct tui *t)
{
	return !t->video_pane || t->video_off ? LAYOUT_VIDEO_OFF : t->video_size;
}

/* New windows for the current layout. repaint: the terminal's contents are unknown (after a
 * resize), so curses repaints all of it; otherwise (a pane changed size) curses sends only
 * the cells that differ from what the terminal shows. */
static void relayout(struct tui *t, bool repaint)
{
	delete_windows(t);
	layout_compute(LINES, COLS, video_layout(t), t->pic_aspect, &t->lay);
	if (!t->lay.too_small) {
		t->win[W_TITLE] = make_win(&t->lay.title);
		t->win[W_CHAT] = make_win(&t->lay.chat);
		t->win[W_VSEP] = make_win(&t->lay.vsep);
		t->win[W_ROSTER] = make_win(&t->lay.roster);
		t->win[W_HSEP] = make_win(&t->lay.hsep);
		t->win[W_VIDEO] = make_win(&t->lay.video);
		t->win[W_STATUS] = make_win(&t->lay.status);
		t->win[W_INPUT] = make_win(&t->lay.input);
	}
	t->win[W_FULL] = newwin(LINES, COLS, 0, 0);
	t->full_shown = false;
	if (t->vr && t->win[W_VIDEO] && t->lay.video.h > 1)
		vrender_resize(t->vr, t->lay.video.w, t->lay.video.h - 1, t->lay.video.y + 1,
			       t->lay.video.x);
	if (repaint)
		clearok(curscr, TRUE);
	tui_dirty(t, DIRTY_ALL);
}

void tui_relayout(struct tui *t)
{
	relayout(t, true);
}

void tui_set_video_size(struct tui *t, enum layout_video size)
{
	if (size == LAYOUT_VIDEO_FULL) { /* the chat is hidden: back at its end afterwards */
		t->scroll = 0;
		t->unread = 0;
	}
	t->hidden_unread = 0;
	t->video_size = size;
	relayout(t, false);
}

void tui_set_video_off(struct tui *t, bool off)
{
	t->video_off = off;
	t->hidden_unread = 0;
	relayout(t, false);
}

static void resize_from_tty(struct tui *t)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	tui_relayout(t);
}

/* Everything ncurses has: it may hold more than the fd shows as readable, so read to ERR. */
static void read_keys(struct tui *t)
{
	wint_t ch;
	int r;
	t->beeped = false;
	while (!t->ending && (r = input_read(t, &ch)) != ERR)
		input_key(t, r == KEY_CODE_YES, ch);
}

static void hang_up(struct tui *t)
{
	if (t->phase == PHASE_NOTICE)
		t->ops.decline(t->user);
	else if (!t->leaving) {
		t->leaving = true;
		t->ops.leave(t->user);
	}
}

void tui_suspend(struct tui *t)
{
	/* The whole process stops (the audio thread and the loop too): nothing is heard or sent
	 * until fg, like any stopped program. A long stop outlives the server's session timeout;
	 * the reconnect logic then rejoins as after any lost connection. */
	endwin();
	kill(0, SIGSTOP); /* the process group, as the terminal's suspend character would */
	/* fg: SIGCONT resumed us here. The size may have changed while we were stopped. */
	resize_from_tty(t);
}

static gboolean on_stdin(gint fd, GIOCondition cond, gpointer data)
{
	struct tui *t = data;
	(void)fd;
	if (cond & (G_IO_HUP | G_IO_ERR | G_IO_NVAL)) {
		loop_source_drop(&t->in_src);
		hang_up(t);
		return G_SOURCE_REMOVE;
	}
	read_keys(t);
	return G_SOURCE_CONTINUE;
}

static gboolean on_winch(gpointer data)
{
	struct tui *t = data;
	resize_from_tty(t);
	read_keys(t); /* a queued KEY_RESIZE, if any */
	return G_SOURCE_CONTINUE;
}

/* Before the notice is accepted a signal means "decline"; afterwards main's handlers leave. */
static gboolean on_signal(gpointer data)
{
	struct tui *t = data;
	if (t->phase == PHASE_NOTICE)
		t->ops.decline(t->user);
	return G_SOURCE_CONTINUE;
}

static void init_styles(struct tui *t)
{
	chtype *s = t->styles;
	const char *nc = getenv("NO_COLOR");
	t->color = has_colors() && !(nc && *nc);
	for (int i = 0; i < STYLE_COUNT; i++)
		s[i] = A_NORMAL;
	s[STYLE_BAR] = A_REVERSE;
	s[STYLE_SELF] = A_BOLD;
	s[STYLE_MARK] = A_REVERSE;
	for (int i = 0; i < CHATVIEW_PALETTE; i++)
		s[STYLE_NICK0 + i] = A_BOLD;
	if (!t->color) { /* monochrome: attributes only */
		s[STYLE_GOOD] = A_REVERSE | A_BOLD;
		s[STYLE_WARN] = A_REVERSE;
		s[STYLE_ALERT] = A_BOLD;
		s[STYLE_SYSTEM] = A_DIM;
		s[STYLE_TALK] = A_BOLD;
		s[STYLE_MUTED] = A_DIM;
		s[STYLE_DIM] = A_DIM;
		s[STYLE_PRIVATE] = A_UNDERLINE;
		s[STYLE_MENTION] = A_REVERSE;
		return;
	}
	start_color();
	use_default_colors();
	init_pair(1, COLOR_BLACK, COLOR_GREEN);
	init_pair(2, COLOR_BLACK, COLOR_YELLOW);
	init_pair(3, COLOR_WHITE, COLOR_RED);
	init_pair(4, COLOR_GREEN, -1);
	init_pair(5, COLOR_RED, -1);
	init_pair(6, COLOR_YELLOW, -1);
	init_pair(7, COLOR_MAGENTA, -1);
	s[STYLE_GOOD] = COLOR_PAIR(1);
	s[STYLE_WARN] = COLOR_PAIR(2);
	s[STYLE_ALERT] = COLOR_PAIR(3) | A_BOLD;
	s[STYLE_TALK] = COLOR_PAIR(4) | A_BOLD;
	s[STYLE_MUTED] = COLOR_PAIR(5);
	s[STYLE_SYSTEM] = COLOR_PAIR(6);
	s[STYLE_DIM] = A_DIM;
	s[STYLE_PRIVATE] = COLOR_PAIR(7);
	s[STYLE_MENTION] = COLOR_PAIR(2);
	/* names: a palette without red (alerts) and with the background left alone */
	static const short nick[CHATVIEW_PALETTE] = { COLOR_CYAN, COLOR_GREEN, COLOR_YELLOW,
		COLOR_BLUE, COLOR_MAGENTA, COLOR_WHITE };
	for (int i = 0; i < CHATVIEW_PALETTE; i++) {
		init_pair((short)(8 + i), nick[i], -1);
		s[STYLE_NICK0 + i] = COLOR_PAIR(8 + i) | A_BOLD;
	}
}

static GSource *add_signal(struct tui *t, int sig, GSourceFunc fn)
{
	GSource *s = g_unix_signal_source_new(sig);
	g_source_set_callback(s, fn, t, NULL);
	g_source_attach(s, t->ctx);
	return s;
}

static void free_model(struct tui *t)
{
	away_free(t);
	editor_destroy(t->ed);
	chat_store_destroy(t->log);
	vrender_destroy(t->vr);
	if (t->people)
		g_array_free(t->people, TRUE);
	g_free(t->notice);
	tui_pin_clear(t);
	g_free(t);
}

void tui_pin_clear(struct tui *t)
{
	explicit_bzero(t->pin, sizeof(t->pin));
	t->pin_len = 0;
	t->pin_chars = 0;
}

int tui_create(const struct tui_config *cfg, const struct tui_ops *ops, void *user,
	       struct tui **out, char *err, size_t errlen)
{
	const struct cli_options *o = cfg->opt;
	struct tui *t;
	int rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the terminal UI needs a terminal on stdin and stdout "
				      "(use --headless for scripts)");
		return -ENOTTY;
	}
	t = g_new0(struct tui, 1);
	t->ctx = cfg->ctx ? cfg->ctx : g_main_context_default();
	t->ops = *ops;
	t->user = user;
	t->lang = i18n_lang_from_env();
	t->ascii = !i18n_setup_ctype();
	t->video_pane = o->video != 0;
	t->video_size = LAYOUT_VIDEO_NORMAL;
	t->video_mode = !strcmp(o->video_color, "256")	     ? ASCII_MODE_256 :
			!strcmp(o->video_color, "truecolor") ? ASCII_MODE_TRUECOLOR :
							       ASCII_MODE_RAMP;
	privacy_server_host(o, t->host, sizeof(t->host));
	struct jitsi_link link;
	if (o->jitsi && jitsi_link_parse(o->url, &link, NULL, 0) == 0)
		snprintf(t->room, sizeof(t->room), "%s", link.room);
	else
		snprintf(t->room, sizeof(t->room), "%llu", (unsigned long long)o->room);
	snprintf(t->name, sizeof(t->name), "%s", o->name);
	t->st.conn = STATUS_IDLE;
	t->st.muted = o->mute;
	t->st.rtt_ms = -1;
	t->people = g_array_new(FALSE, TRUE, sizeof(struct tui_person));
	struct secmem_lock_info mem; /* the session's store, the display log and the editor */
	privacy_probe_memory(o, secmem_locked_size(LOG_BYTES) + editor_locked_bytes(HISTORY_LINES),
			     &mem);
	privacy_notice_build(o, t->lang, &mem, cfg->operator_notice, cfg->operator_notice_cut,
			     &t->notice);
	struct vrender_config vc = { .cols = 1, .rows = 1, .fps = o->video_fps,
				     .bytes_per_s = (uint32_t)o->video_budget,
				     .colour = t->video_mode };
	if ((t->video_pane && vrender_create(&vc, &t->vr) < 0) ||
	    chat_store_create(LOG_BYTES, LOG_MSGS, &t->log) < 0 ||
	    editor_create(HISTORY_LINES, &t->ed) < 0) {
		snprintf(err, errlen, "out of memory (locked memory for the chat)");
		free_model(t);
		return -ENOMEM;
	}
	/* Signal sources before newterm(): ncurses then leaves these signals to us. */
	t->winch_src = add_signal(t, SIGWINCH, on_winch);
	t->sig_src[0] = add_signal(t, SIGINT, on_signal);
	t->sig_src[1] = add_signal(t, SIGTERM, on_signal);
	t->sig_src[2] = add_signal(t, SIGHUP, on_signal);
	if ((rc = diag_start(t->ctx, o->log, on_diag_line, t, &t->diag, err, errlen)) < 0)
		goto fail;
	t->screen = newterm(NULL, stdout, stdin);
	if (!t->screen) {
		diag_stop(t->diag, false);
		t->diag = NULL;
		const char *term = getenv("TERM");
		snprintf(err, errlen, "cannot use the terminal (TERM=%.40s)", term ? term : "");
		rc = -ENOTTY;
		goto fail;
	}
	active_tui = t;
	static bool atexit_done;
	if (!atexit_done && atexit(restore_at_exit) == 0)
		atexit_done = true;
	set_escdelay(ESC_DELAY_MS);
	raw(); /* Ctrl-C, Ctrl-Z, Ctrl-S reach us as keys */
	noecho();
	nonl();
	curs_set(0);
	t->keys = newpad(1, 1);
	keypad(t->keys, TRUE);
	nodelay(t->keys, TRUE);
	meta(t->keys, TRUE);
	init_styles(t);
	t->in_src = g_unix_fd_source_new(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR);
	g_source_set_callback(t->in_src, G_SOURCE_FUNC(on_stdin), t, NULL);
	g_source_attach(t->in_src, t->ctx);
	if (o->accept_privacy) {
		t->phase = PHASE_MEETING;
	} else {
		t->phase = PHASE_NOTICE;
		t->overlay = OVERLAY_NOTICE;
	}
	tui_relayout(t);
	*out = t;
	return 0;
fail:
	loop_source_drop(&t->winch_src);
	for (int i = 0; i < 3; i++)
		loop_source_drop(&t->sig_src[i]);
	free_model(t);
	return rc;
}

/* Blanks curses' copies of the screen (ordinary heap) and the terminal's alternate screen. */
static void blank_screen(struct tui *t)
{
	for (int i = 0; i < W_COUNT; i++)
		if (t->win[i]) {
			werase(t->win[i]);
			wnoutrefresh(t->win[i]);
		}
	doupdate();
}

unsigned tui_wipe(struct tui *t)
{
	unsigned n = chat_store_count(t->log);
	chat_store_clear(t->log);
	editor_clear(t->ed);
	if (active_tui == t)
		blank_screen(t);
	return n;
}

void tui_destroy(struct tui *t, int exit_code)
{
	if (!t)
		return;
	t->ending = true;
	loop_source_drop(&t->in_src);
	loop_source_drop(&t->redraw_src);
	loop_source_drop(&t->ptt_src);
	loop_source_drop(&t->winch_src);
	for (int i = 0; i < 3; i++)
		loop_source_drop(&t->sig_src[i]);
	if (active_tui == t) {
		/* Blank the screen before giving it back: the chat stays only in locked memory
		 * until free_model() wipes it. */
		blank_screen(t);
	}
	delete_windows(t);
	if (t->keys)
		delwin(t->keys);
	if (active_tui == t) {
		active_tui = NULL;
		endwin();
		diag_stop(t->diag, exit_code != 0);
	}
	if (t->screen)
		delscreen(t->screen);
	free_model(t);
}

/* ---- model ---- */

void tui_set_overlay(struct tui *t, enum tui_overlay ov)
{
	t->overlay = ov;
	t->overlay_scroll = 0;
	tui_dirty(t, DIRTY_ALL);
}

void tui_accept(struct tui *t)
{
	if (t->phase != PHASE_NOTICE)
		return;
	t->phase = PHASE_MEETING;
	tui_set_overlay(t, OVERLAY_NONE);
	t->ops.accept(t->user);
}

static gboolean on_ptt_timer(gpointer data);

static void ptt_arm(struct tui *t, gint64 delay_us)
{
	loop_source_drop(&t->ptt_src);
	t->ptt_src = g_timeout_source_new((guint)((delay_us + 999) / 1000));
	g_source_set_callback(t->ptt_src, on_ptt_timer, t, NULL);
	g_source_attach(t->ptt_src, t->ctx);
}

static gboolean on_ptt_timer(gpointer data)
{
	struct tui *t = data;
	gint64 left = t->ptt_deadline - g_get_monotonic_time();
	if (left > 1000) { /* a repeat extended it: wait for the rest */
		ptt_arm(t, left);
		return G_SOURCE_REMOVE;
	}
	loop_source_drop(&t->ptt_src);
	t->st.ptt_open = false;
	tui_set_muted(t, true, true);
	return G_SOURCE_REMOVE;
}

void tui_set_muted(struct tui *t, bool muted, bool from_ptt)
{
	if (!from_ptt && t->st.ptt) {
		t->st.ptt = t->st.ptt_open = false;
		loop_source_drop(&t->ptt_src);
	}
	t->ops.set_muted(t->user, muted);
	t->st.muted = muted;
	tui_dirty(t, DIRTY_STATUS);
}

void tui_ptt_mode(struct tui *t, bool on)
{
	loop_source_drop(&t->ptt_src);
	t->st.ptt_open = false;
	t->st.ptt = on;
	tui_set_muted(t, true, true);
	tui_system_msg(t, 0, on ? I18N_SYS_PTT_ON : I18N_SYS_PTT_OFF, NULL, NULL);
}

void tui_ptt_press(struct tui *t)
{
	if (!t->st.ptt) {
		if (!t->ptt_hint_shown)
			tui_system_msg(t, 0, I18N_HELP_PTT, NULL, NULL);
		t->ptt_hint_shown = true;
		return;
	}
	t->ptt_deadline = g_get_monotonic_time() + PTT_HOLD_MS * 1000;
	if (!t->st.ptt_open) {
		t->st.ptt_open = true;
		tui_set_muted(t, false, true);
	}
	if (!t->ptt_src)
		ptt_arm(t, PTT_HOLD_MS * 1000);
}

static int person_cmp(const struct tui_person *a, const struct tui_person *b)
{
	if (a->self != b->self)
		return a->self ? -1 : 1;
	int c = strcasecmp(a->name, b->name);
	return c ? c : a->id < b->id ? -1 : a->id > b->id;
}

static struct tui_person *find_person(struct tui *t, uint64_t id, guint *idx)
{
	for (guint i = 0; i < t->people->len; i++) {
		struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		if (p->id == id) {
			if (idx)
				*idx = i;
			return p;
		}
	}
	return NULL;
}

void tui_relabel(struct tui *t)
{
	uint64_t others[64];
	for (guint i = 0; i < t->people->len; i++) {
		struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		size_t n = 0;
		for (guint j = 0; j < t->people->len && n < 64; j++) {
			const struct tui_person *q = &g_array_index(t->people, struct tui_person, j);
			if (j != i && !strcasecmp(q->name, p->name))
				others[n++] = q->id;
		}
		char suffix[CHATVIEW_SUFFIX_MAX] = "";
		if (n)
			chatview_suffix(p->id, others, n, suffix);
		snprintf(p->label, sizeof(p->label), "%s%s", p->name, suffix);
	}
}

static void remove_person(struct tui *t, uint64_t id)
{
	guint i;
	if (find_person(t, id, &i)) {
		g_array_remove_index(t->people, i);
		tui_relabel(t);
	}
}

static void add_person(struct tui *t, uint64_t id, const char *name, bool muted, bool self,
		       bool chat_only)
{
	struct tui_person np = { .id = id, .muted = muted, .self = self, .chat_only = chat_only };
	guint i = 0;
	remove_person(t, id);
	snprintf(np.name, sizeof(np.name), "%s", name ? name : "");
	while (i < t->people->len &&
	       person_cmp(&g_array_index(t->people, struct tui_person, i), &np) < 0)
		i++;
	g_array_insert_val(t->people, i, np);
	tui_relabel(t);
}

/* The only person other than us called name, or NULL (none, or several). */
static const struct tui_person *named_other(struct tui *t, const char *name)
{
	const struct tui_person *found = NULL;
	for (guint i = 0; i < t->people->len; i++) {
		const struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		if (!p->self && !strcmp(p->name, name)) {
			if (found)
				return NULL;
			found = p;
		}
	}
	return found;
}

static void on_chat(struct tui *t, const struct session_event *ev)
{
	unsigned flags = (ev->self ? CHAT_FLAG_SELF : 0) |
			 (ev->private_msg ? CHAT_FLAG_PRIVATE : 0) |
			 (ev->chat_only ? CHAT_FLAG_CHAT_ONLY : 0) |
			 (ev->history ? CHAT_FLAG_HISTORY : 0);
	const char *text = ev->text ? ev->text : "";
	/* history (said before we came) mentions nobody now and rings no bell */
	bool mention = !ev->self && !ev->history && chatview_mentions(text, strlen(text), t->name);
	if (mention)
		flags |= TUI_LINE_MENTION;
	/* people who share a name are told apart by their labels ("alice#3f2") */
	const char *from = ev->name ? ev->name : "?", *to = ev->to;
	const struct tui_person *p = ev->id ? find_person(t, ev->id, NULL) : NULL;
	if (p && !strcasecmp(p->name, from))
		from = p->label;
	if (to && (p = named_other(t, to)))
		to = p->label;
	else if (to && ev->self && t->priv_label[0] && !strncmp(t->priv_label, to, strlen(to)))
		to = t->priv_label; /* one of namesakes, by id: the label it was sent to */
	if (chat_store_add(t->log, g_get_real_time(), from, to, text, strlen(text), flags) < 0)
		return;
	line_added(t);
	if (t->bell && mention)
		beep();
	if (video_layout(t) == LAYOUT_VIDEO_FULL && !t->lay.too_small && !ev->self) {
		/* the video fills the window: its title row counts what the chat would show */
		t->hidden_unread++;
		tui_dirty(t, DIRTY_VIDEO);
	}
	tui_dirty(t, DIRTY_CHAT);
}

/* Someone (ev->self: we) took a new name: the roster entry moves to its new place, with its
 * state; the chat says it as irssi does. */
static void on_renamed(struct tui *t, const struct session_event *ev)
{
	const char *name = ev->name ? ev->name : "", *old = ev->old_name ? ev->old_name : "";
	struct tui_person *p = find_person(t, ev->id, NULL);
	char old_label[sizeof(p->label)];
	snprintf(old_label, sizeof(old_label), "%s", p ? p->label : old);
	if (p) {
		struct tui_person keep = *p;
		add_person(t, keep.id, name, keep.muted, keep.self, keep.chat_only);
		if ((p = find_person(t, keep.id, NULL))) {
			p->talking = keep.talking;
			p->moderator = keep.moderator;
			p->speaker = keep.speaker;
		}
	}
	if (ev->self) {
		snprintf(t->name, sizeof(t->name), "%s", name);
		tui_system_msg(t, 0, I18N_SYS_NICK_SELF, name, NULL);
	} else if (!away_quiet(t)) {
		p = find_person(t, ev->id, NULL);
		tui_system_msg(t, 0, I18N_SYS_NICK_OTHER, old_label, p ? p->label : name);
	}
	if (t->video_showing && !strcmp(t->video_from, old) && !ev->self) /* its title too */
		snprintf(t->video_from, sizeof(t->video_from), "%s", name);
}

static void on_stats(struct tui *t, const struct media_stats *s)
{
	if (!s)
		return;
	t->st.have_stats = true;
	t->st.kbps_in = s->kbps_in;
	t->st.kbps_out = s->kbps_out;
	t->st.rtt_ms = s->rtt_ms;
	t->st.loss_pct = s->loss_pct;
	t->st.level = s->level_out; /* the microphone: what we send */
	tui_dirty(t, DIRTY_STATUS);
}

static void on_media(struct tui *t, const struct session_event *ev)
{
	bool ok = ev->state && !strcmp(ev->state, "connected");
	bool audio = ev->kind && !strcmp(ev->kind, "audio");
	if (audio && !t->away)
		t->st.conn = ok ? STATUS_AUDIO_OK : STATUS_AUDIO_FAILED;
	else if (!audio)
		t->chat_ready = ok;
	if (away_quiet(t) || (audio && !ok)) {
		/* back after a loss: the rejoin's line said it; a failed audio path is said by
		 * the RECONNECTING or ERROR that follows, in words: the reason is for the log */
		if (!ok)
			away_log(t, "%s failed: %s", audio ? "audio" : "chat",
				 ev->message ? ev->message : "");
	} else if (ok)
		tui_system_msg(t, 0, audio ? I18N_SYS_AUDIO_OK : I18N_SYS_CHAT_OK, NULL, NULL);
	else
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_MEDIA_FAILED,
			       audio ? "audio" : "chat", ev->message ? ev->message : "");
	tui_dirty(t, DIRTY_STATUS);
}

static void on_video(struct tui *t, const struct session_event *ev)
{
	if (ev->on) {
		snprintf(t->video_from, sizeof(t->video_from), "%s", ev->name ? ev->name : "");
		if (!away_quiet(t)) /* back after a loss: the rejoin's line says it */
			tui_system_msg(t, 0, I18N_SYS_VIDEO_SHOWING, t->video_from, NULL);
		return;
	}
	t->video_showing = false;
	t->video_frozen = false;
	if (t->vr)
		vrender_forget(t->vr);
	if (ev->message && !away_quiet(t))
		tui_system_msg(t, 0, I18N_SYS_VIDEO_STOPPED, ev->message, NULL);
}

/* A decoded picture: drawn when the frame-rate cap and the terminal budget allow (the bytes
 * still queued for the terminal tell whether it keeps up). True when the pane changed. */
static bool on_video_frame(struct tui *t, const struct session_event *ev)
{
	struct vbudget_term term = { 0 };
	int queued = 0;
	if (!t->vr || !t->win[W_VIDEO] || t->lay.too_small || t->overlay != OVERLAY_NONE ||
	    t->phase != PHASE_MEETING)
		return false;
	/* A picture of another shape (a different sender): the pane follows it. */
	const struct video_image *img = ev->image;
	double aspect = img && img->height > 0 ? (double)img->width / img->height : 0;
	if (aspect > 0 && (t->pic_aspect <= 0 || aspect > t->pic_aspect * 1.02 ||
			   aspect < t->pic_aspect / 1.02)) {
		t->pic_aspect = aspect;
		relayout(t, false);
		if (!t->win[W_VIDEO])
			return false;
	}
	if (ioctl(STDOUT_FILENO, TIOCOUTQ, &queued) == 0 && queued > 0)
		term.pending_bytes = (size_t)queued;
	if (vrender_offer(t->vr, ev->image, (uint64_t)g_get_monotonic_time(), &term) != 1)
		return false;
	vrender_commit(t->vr);
	t->video_showing = true;
	return true;
}

void tui_set_audio(struct tui *t, bool have_mic, bool have_speaker)
{
	t->st.no_mic = !have_mic;
	t->st.no_speaker = !have_speaker;
	tui_dirty(t, DIRTY_STATUS);
}

void tui_on_event(struct tui *t, const struct session_event *ev)
{
	struct tui_person *p;
	unsigned mask = DIRTY_STATUS;

	switch (ev->type) {
	case SESSION_EV_CONNECTING:
		t->st.conn = STATUS_CONNECTING;
		tui_system_msg(t, 0, I18N_SYS_CONNECTING, t->host, NULL);
		break;
	case SESSION_EV_JOINED:
		for (guint i = 0; i < t->people->len; i++)
			if (g_array_index(t->people, struct tui_person, i).self)
				g_array_remove_index(t->people, i--);
		add_person(t, ev->id, ev->name, ev->on, true, false);
		snprintf(t->name, sizeof(t->name), "%s", ev->name ? ev->name : "");
		/* a static string of the session's ("audiobridge", "videoroom", "jitsi") */
		t->st.room_type = ev->kind && !strcmp(ev->kind, "videoroom") ? "videoroom"
				  : ev->kind && !strcmp(ev->kind, "jitsi") ? "jitsi"
				  : ev->kind ? "audiobridge" : NULL;
		if (t->st.conn != STATUS_AUDIO_OK)
			t->st.conn = STATUS_JOINED;
		t->st.no_audio = ev->no_audio;
		t->st.waiting = NULL;
		if (!t->st.ptt)
			t->st.muted = ev->on;
		if (!away_rejoined(t))
			tui_system_msg(t, 0, I18N_SYS_JOINED, t->room, ev->name);
		mask |= DIRTY_ROSTER | DIRTY_TITLE;
		break;
	case SESSION_EV_PARTICIPANT_JOINED:
		add_person(t, ev->id, ev->name, ev->on, ev->self, ev->chat_only);
		p = find_person(t, ev->id, NULL);
		if (!ev->self && !away_quiet(t)) /* after a rejoin: said once settled */
			tui_system_msg(t, 0, ev->chat_only ? I18N_SYS_PEER_JOINED_CHAT
							   : I18N_SYS_PEER_JOINED,
				       p ? p->label : ev->name, NULL);
		mask = DIRTY_ROSTER | DIRTY_TITLE;
		break;
	case SESSION_EV_PARTICIPANT_LEFT:
		remove_person(t, ev->id);
		if (!ev->merged && !away_quiet(t)) /* merged: the same person's call entry joins
						    * next */
			tui_system_msg(t, 0, I18N_SYS_PEER_LEFT, ev->name, NULL);
		mask = DIRTY_ROSTER | DIRTY_TITLE;
		break;
	case SESSION_EV_RENAMED:
		on_renamed(t, ev);
		mask = DIRTY_ROSTER | DIRTY_CHAT;
		break;
	case SESSION_EV_ROLE:
		if ((p = find_person(t, ev->id, NULL)))
			p->moderator = ev->on;
		if (ev->self && ev->on)
			tui_system_msg(t, 0, I18N_SYS_MODERATOR, NULL, NULL);
		mask = DIRTY_ROSTER;
		break;
	case SESSION_EV_MUTED:
		if ((p = find_person(t, ev->id, NULL)))
			p->muted = ev->on;
		if (ev->self && !t->st.ptt) {
			t->st.muted = ev->on;
			tui_system_msg(t, 0, ev->on ? I18N_SYS_MUTED : I18N_SYS_UNMUTED, NULL,
				       NULL);
		}
		mask = DIRTY_ROSTER | (ev->self ? DIRTY_STATUS : 0);
		break;
	case SESSION_EV_TALKING:
		if ((p = find_person(t, ev->id, NULL)))
			p->talking = ev->on;
		mask = DIRTY_ROSTER;
		break;
	case SESSION_EV_SPEAKER:
		if ((p = find_person(t, ev->id, NULL)))
			p->speaker = ev->on;
		mask = DIRTY_ROSTER;
		break;
	case SESSION_EV_MEDIA:
		on_media(t, ev);
		break;
	case SESSION_EV_CHAT:
		on_chat(t, ev);
		mask = DIRTY_CHAT;
		break;
	case SESSION_EV_STATS:
		on_stats(t, ev->stats);
		away_tick(t);
		break;
	case SESSION_EV_RECONNECTING:
		away_lost(t, ev);
		break;
	case SESSION_EV_GAVE_UP:
		away_gave_up(t, ev);
		break;
	case SESSION_EV_ERROR:
		snprintf(t->last_error, sizeof(t->last_error), "%s",
			 ev->message ? ev->message : "");
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_ERROR, t->last_error, NULL);
		break;
	case SESSION_EV_NOTICE:
		tui_system_line(t, 0, ev->message ? ev->message : "");
		break;
	case SESSION_EV_WAITING: /* a static string for the status bar; the line says it all */
		t->st.conn = STATUS_WAITING;
		t->st.waiting = !ev->kind ? "focus" : !strcmp(ev->kind, "host") ? "host"
				: !strcmp(ev->kind, "live") ? "live"
				: !strcmp(ev->kind, "lobby") ? "lobby" : "focus";
		tui_system_line(t, TUI_LINE_ALERT, ev->message ? ev->message : "");
		break;
	case SESSION_EV_PIN_NEEDED:
		tui_pin_clear(t);
		t->pin_prompt = true;
		tui_system_msg(t, TUI_LINE_ALERT, ev->on ? I18N_SYS_PIN_WRONG : I18N_SYS_PIN_NEEDED,
			       t->room, NULL);
		mask |= DIRTY_INPUT;
		break;
	case SESSION_EV_LEFT:
		t->st.conn = STATUS_LEFT;
		t->phase = PHASE_ENDED;
		break;
	case SESSION_EV_VIDEO:
		on_video(t, ev);
		mask |= DIRTY_VIDEO;
		break;
	case SESSION_EV_VIDEO_FRAME:
		away_frame(t);
		if (!on_video_frame(t, ev))
			return; /* not drawn: nothing changed on screen */
		mask = DIRTY_VIDEO;
		break;
	default:
		break;
	}
	tui_dirty(t, mask);
}
