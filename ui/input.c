/* Keys and commands of the TUI (see tui_int.h). Data flow: a key from wget_wch() →
 * input_key(): first the keys that work everywhere (F4/Alt-M mute, F5 push-to-talk, Ctrl-C),
 * then the notice or help screen if one is up, else the line editor (ui/editor.h) and the
 * chat scrollback. Enter hands the line to command_parse() (ui/command.h) and runs the result
 * through tui_ops — the only way the UI acts on the meeting.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audio/device.h"
#include "ui/cell.h"
#include "ui/command.h"
#include "ui/device_pick.h"
#include "ui/tui_int.h"

#define CTRL(c) ((c) & 0x1f)

/* ---- commands ---- */

static void send_chat(struct tui *t, const char *to, const char *text)
{
	int rc = t->ops.send_chat(t->user, to, text);
	char num[16];
	switch (rc) {
	case 0:
		if (!t->chat_ready)
			tui_system_msg(t, 0, I18N_SYS_CHAT_QUEUED, NULL, NULL);
		break;
	case -EMSGSIZE:
		snprintf(num, sizeof(num), "%d", SESSION_CHAT_MAX);
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_CHAT_TOO_LONG, num, NULL);
		break;
	case -ENOBUFS:
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_CHAT_FAILED, "queue full", NULL);
		break;
	default:
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_CHAT_FAILED, strerror(-rc), NULL);
		break;
	}
}

/* The roster's spelling of name: an exact match, else the only case-insensitive one. */
static const char *resolve_name(struct tui *t, const char *name)
{
	const char *found = NULL;
	int n = 0;
	for (guint i = 0; i < t->people->len; i++) {
		const struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		if (p->self)
			continue;
		if (!strcmp(p->name, name))
			return p->name;
		if (!strcasecmp(p->name, name)) {
			found = p->name;
			n++;
		}
	}
	return n == 1 ? found : NULL;
}

static void private_msg(struct tui *t, const struct command *c)
{
	char name[SESSION_NAME_MAX];
	snprintf(name, sizeof(name), "%.*s", (int)c->arg_len, c->arg);
	const char *to = resolve_name(t, name);
	if (!to)
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_NO_SUCH_PERSON, name, NULL);
	else
		send_chat(t, to, c->text);
}

static void list_device(const struct audio_device_info *d, void *arg)
{
	struct tui *t = arg;
	char line[512];
	snprintf(line, sizeof(line), "  %.200s  (%d/%d)%s%s", d->name ? d->name : "?", d->max_in,
		 d->max_out, d->is_default_in ? "  default-input" : "",
		 d->is_default_out ? "  default-output" : "");
	tui_system_line(t, 0, line);
}

static void list_devices(struct tui *t)
{
	tui_system_msg(t, 0, I18N_SYS_DEVICES_HEAD, NULL, NULL);
	int n = audio_device_list(list_device, t);
	if (n == 0)
		tui_system_msg(t, 0, I18N_SYS_DEVICES_NONE, NULL, NULL);
	else if (n < 0)
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_DEVICES_ERR, audio_strerror(n), NULL);
}

/* Switches one side to the picked device (the name the backend resolves to that very device;
 * "default" stays "default") and says how it went. */
static void switch_side(struct tui *t, bool input, const struct device_pick *pk)
{
	const struct device_pick_side *side = input ? &pk->in : &pk->out;
	const char *target = strcasecmp(pk->want, "default") ? side->name : "default";
	char msg[300] = "";
	int rc = t->ops.set_device ? t->ops.set_device(t->user, input, target, msg, sizeof(msg))
				   : -ENOTSUP;
	if (rc < 0) {
		if (!msg[0])
			snprintf(msg, sizeof(msg), "%s", strerror(-rc));
		tui_system_msg(t, TUI_LINE_ALERT, input ? I18N_SYS_DEVICE_IN_FAILED
							: I18N_SYS_DEVICE_OUT_FAILED, msg, NULL);
		return;
	}
	if (input)
		t->st.no_mic = false;
	else
		t->st.no_speaker = false;
	tui_system_msg(t, 0, input ? I18N_SYS_DEVICE_IN_OK : I18N_SYS_DEVICE_OUT_OK, side->name,
		       NULL);
	if (msg[0]) /* switched, with something to say about the old device */
		tui_system_line(t, TUI_LINE_ALERT, msg);
	tui_dirty(t, DIRTY_STATUS);
}

/* /device [in|out] NAME: both sides the named device has, or the one asked for. Nothing
 * changes unless a device fits; errors are one line each. */
static void switch_device(struct tui *t, const struct command *c)
{
	char name[DEVICE_PICK_NAME_MAX];
	struct device_pick pk;
	snprintf(name, sizeof(name), "%.*s", (int)c->arg_len, c->arg);
	device_pick_init(&pk, name);
	int n = audio_device_list(device_pick_add, &pk);
	if (n < 0) {
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_DEVICES_ERR, audio_strerror(n), NULL);
		return;
	}
	if (n == 0) {
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_DEVICE_NONE, name, NULL);
		return;
	}
	bool in = c->side != SIDE_OUT && pk.in.name[0];
	bool out = c->side != SIDE_IN && pk.out.name[0];
	if (!in && !out) {
		tui_system_msg(t, TUI_LINE_ALERT, c->side == SIDE_IN ? I18N_SYS_DEVICE_NO_INPUT
						  : c->side == SIDE_OUT ? I18N_SYS_DEVICE_NO_OUTPUT
						  : I18N_SYS_DEVICE_NO_MATCH, name, NULL);
		return;
	}
	if (in)
		switch_side(t, true, &pk);
	if (out)
		switch_side(t, false, &pk);
}

static const struct {
	const char *word;
	enum layout_video size;
} video_sizes[] = {
	{ "normal", LAYOUT_VIDEO_NORMAL },
	{ "large", LAYOUT_VIDEO_LARGE },
	{ "full", LAYOUT_VIDEO_FULL },
};

/* The pane's size: "normal", "large" or "full"; says which one is on. */
static void video_size(struct tui *t, enum layout_video size)
{
	if (!t->video_pane || !t->ops.video) {
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_VIDEO_UNAVAILABLE, NULL, NULL);
		return;
	}
	if (t->video_off) {
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_VIDEO_IS_OFF, NULL, NULL);
		return;
	}
	tui_set_video_size(t, size);
	for (size_t i = 0; i < sizeof(video_sizes) / sizeof(video_sizes[0]); i++)
		if (video_sizes[i].size == size)
			tui_system_msg(t, 0, I18N_SYS_VIDEO_SIZE, video_sizes[i].word, NULL);
}

/* F7 and Alt-V: normal → large → full window → normal. */
static void video_size_cycle(struct tui *t)
{
	video_size(t, t->video_size == LAYOUT_VIDEO_NORMAL ? LAYOUT_VIDEO_LARGE
		      : t->video_size == LAYOUT_VIDEO_LARGE ? LAYOUT_VIDEO_FULL
							     : LAYOUT_VIDEO_NORMAL);
}

/* /video on|off|next|normal|large|full|NAME and F6. */
static void video_command(struct tui *t, const char *what)
{
	bool next = !strcmp(what, "next"), on = !strcmp(what, "on"), off = !strcmp(what, "off");
	for (size_t i = 0; i < sizeof(video_sizes) / sizeof(video_sizes[0]); i++)
		if (!strcmp(what, video_sizes[i].word)) {
			video_size(t, video_sizes[i].size);
			return;
		}
	if (t->video_off && !on && !off && t->ops.video && t->video_pane) {
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_VIDEO_IS_OFF, NULL, NULL);
		return;
	}
	int rc = t->ops.video ? t->ops.video(t->user, what) : -ENOTSUP;
	if (rc == -ENOTSUP)
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_VIDEO_UNAVAILABLE, NULL, NULL);
	else if (rc == -ENOENT && next)
		tui_system_msg(t, 0, I18N_SYS_VIDEO_NOBODY, NULL, NULL);
	else if (rc == -EALREADY && next && t->video_from[0])
		tui_system_msg(t, 0, I18N_SYS_VIDEO_ONLY_ONE, t->video_from, NULL);
	else if (rc == -EALREADY && next)
		tui_system_msg(t, 0, I18N_SYS_VIDEO_NOBODY_ELSE, NULL, NULL);
	else if (rc == -ENOENT)
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_VIDEO_NO_SUCH, what, NULL);
	else if (rc == 0 && (on || off)) {
		tui_system_msg(t, 0, off ? I18N_SYS_VIDEO_OFF : I18N_SYS_VIDEO_ON, NULL, NULL);
		if (t->video_off != off)
			tui_set_video_off(t, off);
	}
}

static void leave(struct tui *t)
{
	if (!t->leaving)
		tui_system_msg(t, 0, I18N_SYS_LEAVING, NULL, NULL);
	t->leaving = true;
	t->ops.leave(t->user); /* again on a second Ctrl-C: the session ignores repeats */
}

static void run_command(struct tui *t, const struct command *c)
{
	char arg[256];
	switch (c->id) {
	case CMD_EMPTY:
		break;
	case CMD_CHAT:
		send_chat(t, NULL, c->text);
		break;
	case CMD_MUTE:
	case CMD_UNMUTE:
		tui_set_muted(t, c->id == CMD_MUTE, false);
		break;
	case CMD_PTT:
		tui_ptt_mode(t, !t->st.ptt);
		break;
	case CMD_MSG:
		private_msg(t, c);
		break;
	case CMD_DEVICES:
		list_devices(t);
		break;
	case CMD_DEVICE:
		switch_device(t, c);
		break;
	case CMD_PRIVACY:
		tui_set_overlay(t, OVERLAY_NOTICE);
		break;
	case CMD_HELP:
		tui_set_overlay(t, OVERLAY_HELP);
		break;
	case CMD_VIDEO:
		snprintf(arg, sizeof(arg), "%.*s", (int)c->arg_len, c->arg);
		video_command(t, arg);
		break;
	case CMD_BELL:
		t->bell = !t->bell;
		tui_system_msg(t, 0, t->bell ? I18N_SYS_BELL_ON : I18N_SYS_BELL_OFF, NULL, NULL);
		break;
	case CMD_QUIT:
		leave(t);
		break;
	case CMD_UNKNOWN:
		snprintf(arg, sizeof(arg), "%.*s", (int)c->arg_len, c->arg);
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_UNKNOWN_CMD, arg, NULL);
		break;
	case CMD_USAGE:
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_USAGE, c->usage, NULL);
		break;
	}
}

static void submit(struct tui *t)
{
	struct command c;
	size_t len;
	const char *line = editor_text(t->ed, &len);
	command_parse(line, len, &c);
	if (c.id == CMD_CHAT || c.id == CMD_MSG) { /* what you send, you see */
		t->scroll = 0;
		t->unread = 0;
	}
	run_command(t, &c);
	editor_commit(t->ed); /* c points into the line: only now */
	tui_dirty(t, DIRTY_INPUT | DIRTY_CHAT);
}

/* ---- keys ---- */

static void scroll_chat(struct tui *t, int dir)
{
	if (!t->win[W_CHAT])
		return; /* the video fills the window */
	size_t page = t->lay.chat.h > 2 ? (size_t)t->lay.chat.h - 2 : 1;
	if (dir > 0) {
		t->scroll += page; /* draw_chat() clamps at the oldest line */
		size_t total = draw_total_lines(t), rows = (size_t)t->lay.chat.h - 1;
		if (t->scroll + rows > total)
			t->scroll = total > rows ? total - rows : 0;
	} else {
		t->scroll = t->scroll > page ? t->scroll - page : 0;
	}
	if (!t->scroll)
		t->unread = 0;
	tui_dirty(t, DIRTY_CHAT);
}

static void scroll_overlay(struct tui *t, long delta)
{
	size_t n = draw_overlay_lines(t), body = LINES > 3 ? (size_t)LINES - 3 : 1;
	size_t max = n > body ? n - body : 0;
	long s = (long)t->overlay_scroll + delta;
	t->overlay_scroll = s < 0 ? 0 : (size_t)s > max ? max : (size_t)s;
	tui_dirty(t, DIRTY_OVERLAY);
}

/* Scrolling keys of the notice and help screens; true if ch was one. */
static bool overlay_scroll_key(struct tui *t, bool is_key, wint_t ch)
{
	long page = LINES > 4 ? LINES - 4 : 1;
	if (!is_key)
		return false;
	switch (ch) {
	case KEY_UP: scroll_overlay(t, -1); return true;
	case KEY_DOWN: scroll_overlay(t, 1); return true;
	case KEY_PPAGE: scroll_overlay(t, -page); return true;
	case KEY_NPAGE: scroll_overlay(t, page); return true;
	case KEY_HOME: scroll_overlay(t, -(long)draw_overlay_lines(t)); return true;
	case KEY_END: scroll_overlay(t, (long)draw_overlay_lines(t)); return true;
	default: return false;
	}
}

static bool is_enter(bool is_key, wint_t ch)
{
	return is_key ? ch == KEY_ENTER : ch == '\r' || ch == '\n';
}

/* Before joining: Enter accepts (when the notice can be read), q/Esc/Ctrl-C decline. */
static void notice_key(struct tui *t, bool is_key, wint_t ch, bool esc)
{
	if (esc || (!is_key && (ch == 'q' || ch == 'Q' || ch == CTRL('c') || ch == CTRL('d')))) {
		t->ops.decline(t->user);
	} else if (is_enter(is_key, ch)) {
		if (!t->lay.too_small)
			tui_accept(t);
	} else {
		overlay_scroll_key(t, is_key, ch);
	}
}

static void overlay_key(struct tui *t, bool is_key, wint_t ch, bool esc)
{
	if (esc || is_enter(is_key, ch) || (!is_key && (ch == 'q' || ch == 'Q')) ||
	    (is_key && (ch == KEY_F(1) || ch == KEY_F(2))))
		tui_set_overlay(t, OVERLAY_NONE);
	else
		overlay_scroll_key(t, is_key, ch);
}

static void edit(struct tui *t, enum editor_op op)
{
	if (editor_apply(t->ed, op))
		tui_dirty(t, DIRTY_INPUT);
}

static void complete(struct tui *t)
{
	const char *names[64];
	size_t n = 0;
	for (guint i = 0; i < t->people->len && n < 64; i++) {
		const struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		if (!p->self)
			names[n++] = p->name;
	}
	if (editor_complete(t->ed, names, n) > 0)
		tui_dirty(t, DIRTY_INPUT);
}

static void insert_char(struct tui *t, wint_t ch)
{
	char enc[4];
	if (ch < 0x20 || ch == 0x7F || ch > 0x10FFFF || (t->ascii && ch > 0x7E))
		return;
	size_t n = cell_encode((uint32_t)ch, enc);
	if (editor_insert(t->ed, enc, n) < 0 && !t->beeped) {
		beep(); /* the line is full: once per burst of input (a long paste) */
		t->beeped = true;
	}
	tui_dirty(t, DIRTY_INPUT);
}

static void meeting_key(struct tui *t, bool is_key, wint_t ch)
{
	if (is_key) {
		switch (ch) {
		case KEY_F(1): tui_set_overlay(t, OVERLAY_HELP); break;
		case KEY_F(2): tui_set_overlay(t, OVERLAY_NOTICE); break;
		case KEY_F(6): video_command(t, "next"); break;
		case KEY_F(7): video_size_cycle(t); break;
		case KEY_LEFT: edit(t, EDITOR_LEFT); break;
		case KEY_RIGHT: edit(t, EDITOR_RIGHT); break;
		case KEY_HOME: edit(t, EDITOR_HOME); break;
		case KEY_END: edit(t, EDITOR_END); break;
		case KEY_UP: edit(t, EDITOR_HIST_PREV); break;
		case KEY_DOWN: edit(t, EDITOR_HIST_NEXT); break;
		case KEY_BACKSPACE: edit(t, EDITOR_BACKSPACE); break;
		case KEY_DC: edit(t, EDITOR_DELETE); break;
		case KEY_PPAGE: scroll_chat(t, 1); break;
		case KEY_NPAGE: scroll_chat(t, -1); break;
		case KEY_ENTER: submit(t); break;
		default: break;
		}
		return;
	}
	switch (ch) {
	case '\r':
	case '\n': submit(t); break;
	case 0x7F:
	case CTRL('h'): edit(t, EDITOR_BACKSPACE); break;
	case CTRL('a'): edit(t, EDITOR_HOME); break;
	case CTRL('e'): edit(t, EDITOR_END); break;
	case CTRL('b'): edit(t, EDITOR_LEFT); break;
	case CTRL('f'): edit(t, EDITOR_RIGHT); break;
	case CTRL('d'): edit(t, EDITOR_DELETE); break;
	case CTRL('u'): edit(t, EDITOR_KILL_START); break;
	case CTRL('k'): edit(t, EDITOR_KILL_END); break;
	case CTRL('w'): edit(t, EDITOR_KILL_WORD); break;
	case CTRL('p'): edit(t, EDITOR_HIST_PREV); break;
	case CTRL('n'): edit(t, EDITOR_HIST_NEXT); break;
	case CTRL('i'): complete(t); break;
	case CTRL('l'):
		clearok(curscr, TRUE);
		tui_dirty(t, DIRTY_ALL);
		break;
	default: insert_char(t, ch); break;
	}
}

/* After ESC: the key read with it. Returns 0 for a plain Esc, 1 for Alt-<printable> in *next,
 * 2 when another key followed at once (*next, *next_is_key: handle it on its own). */
static int after_esc(struct tui *t, wint_t *next, bool *next_is_key)
{
	int r = wget_wch(t->keys, next);
	if (r == ERR)
		return 0;
	*next_is_key = r == KEY_CODE_YES;
	return !*next_is_key && *next >= 0x20 && *next < 0x7F ? 1 : 2;
}

static void alt_key(struct tui *t, wint_t ch)
{
	if (t->phase != PHASE_MEETING)
		return;
	if (ch == 'm' || ch == 'M')
		tui_set_muted(t, !t->st.muted, false);
	else if (t->overlay == OVERLAY_NONE && (ch == 'v' || ch == 'V'))
		video_size_cycle(t);
	else if (t->overlay == OVERLAY_NONE && (ch == 'b' || ch == 'B'))
		edit(t, EDITOR_WORD_LEFT);
	else if (t->overlay == OVERLAY_NONE && (ch == 'f' || ch == 'F'))
		edit(t, EDITOR_WORD_RIGHT);
}

/* The masked pin prompt: printable characters are kept (never drawn), Backspace and Ctrl-U
 * edit, Enter hands the pin to the owner, Esc leaves. The buffer is wiped after either. */
static void pin_key(struct tui *t, bool is_key, wint_t ch, bool esc)
{
	char enc[4];
	if (esc) {
		tui_pin_clear(t);
		t->pin_prompt = false;
		leave(t);
	} else if ((is_key && ch == KEY_ENTER) || (!is_key && (ch == '\r' || ch == '\n'))) {
		if (!t->pin_len)
			return;
		t->pin_prompt = false;
		if (t->ops.set_pin && t->ops.set_pin(t->user, t->pin) < 0)
			t->pin_prompt = true; /* not taken: keep asking */
		tui_pin_clear(t);
	} else if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 0x7F || ch == CTRL('h')))) {
		while (t->pin_len > 0 && ((unsigned char)t->pin[--t->pin_len] & 0xC0) == 0x80)
			t->pin[t->pin_len] = '\0';
		t->pin[t->pin_len] = '\0';
		if (t->pin_chars)
			t->pin_chars--;
	} else if (!is_key && ch == CTRL('u')) {
		tui_pin_clear(t);
	} else if (!is_key && ch >= 0x20 && ch != 0x7F && ch <= 0x10FFFF) {
		size_t n = cell_encode((uint32_t)ch, enc);
		if (t->pin_len + n >= sizeof(t->pin)) {
			beep();
		} else {
			memcpy(t->pin + t->pin_len, enc, n);
			t->pin_len += n;
			t->pin_chars++;
		}
		explicit_bzero(enc, sizeof(enc));
	}
	tui_dirty(t, DIRTY_INPUT);
}

static void key(struct tui *t, bool is_key, wint_t ch, bool esc);

void input_key(struct tui *t, bool is_key, wint_t ch)
{
	if (is_key && ch == KEY_RESIZE) {
		tui_relayout(t);
		return;
	}
	if (!is_key && ch == 27) {
		wint_t next;
		bool next_is_key = false;
		switch (after_esc(t, &next, &next_is_key)) {
		case 1:
			alt_key(t, next);
			return;
		case 2: /* Esc, then a key typed right after it */
			key(t, false, 27, true);
			if (!t->ending)
				input_key(t, next_is_key, next);
			return;
		default:
			key(t, false, 27, true);
			return;
		}
	}
	key(t, is_key, ch, false);
}

static void key(struct tui *t, bool is_key, wint_t ch, bool esc)
{
	if (t->phase == PHASE_NOTICE) {
		notice_key(t, is_key, ch, esc);
		return;
	}
	if (t->phase != PHASE_MEETING)
		return;
	if (is_key && ch == KEY_F(4)) {
		tui_set_muted(t, !t->st.muted, false);
		return;
	}
	if (is_key && ch == KEY_F(5)) {
		tui_ptt_press(t);
		return;
	}
	if (!is_key && ch == CTRL('c')) {
		leave(t);
		return;
	}
	if (t->pin_prompt && t->overlay == OVERLAY_NONE) {
		pin_key(t, is_key, ch, esc);
		return;
	}
	if (t->overlay != OVERLAY_NONE) {
		overlay_key(t, is_key, ch, esc);
		return;
	}
	if (!esc)
		meeting_key(t, is_key, ch);
}
