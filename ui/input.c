/* Keys and commands of the TUI (see tui_int.h). Data flow: a key from wget_wch() →
 * input_key(): first the keys that work everywhere (F4/Alt-M mute, F5 push-to-talk, Ctrl-C),
 * then the notice or help screen if one is up, else the line editor (ui/editor.h) and the
 * chat scrollback. Enter hands the line to command_parse() (ui/command.h) and runs the result
 * through tui_ops — the only way the UI acts on the meeting.
 */
#include <errno.h>
#include <stdlib.h>
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

/* Says what became of a message handed to the session (nothing when it went or waits). */
static void report_send(struct tui *t, int rc)
{
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

static void send_chat(struct tui *t, const char *to, const char *text)
{
	report_send(t, t->ops.send_chat(t->user, to, text));
}

/* /msg NAME TEXT: NAME is a label ("alice#3f2") or a name only one person has. */
static void private_msg(struct tui *t, const struct command *c)
{
	char name[SESSION_NAME_MAX + CHATVIEW_SUFFIX_MAX], which[512];
	bool ambiguous;
	snprintf(name, sizeof(name), "%.*s", (int)c->arg_len, c->arg);
	const struct tui_person *p = chatcmd_find(t, name, &ambiguous);
	if (ambiguous || (p && strcmp(p->label, p->name) && !t->ops.send_private)) {
		chatcmd_labels_of(t, p ? p->name : name, which, sizeof(which));
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_AMBIGUOUS, name, which);
	} else if (!p) {
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_NO_SUCH_PERSON, name, NULL);
	} else if (strcmp(p->label, p->name)) { /* one of namesakes: by id, not by name */
		snprintf(t->priv_label, sizeof(t->priv_label), "%s", p->label);
		report_send(t, t->ops.send_private(t->user, p->id, c->text));
	} else {
		send_chat(t, p->name, c->text);
	}
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

/* /nick NAME: the session checks the name as --name is checked; the RENAMED event that
 * follows says it went through. */
static void nick(struct tui *t, const char *name)
{
	char max[16];
	int rc = t->ops.set_name ? t->ops.set_name(t->user, name) : -ENOTSUP;
	switch (rc) {
	case 0:
		break;
	case -ENAMETOOLONG:
		snprintf(max, sizeof(max), "%d", SESSION_NICK_MAX);
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_NICK_LONG, max, NULL);
		break;
	case -EALREADY:
		tui_system_msg(t, 0, I18N_SYS_NICK_SAME, name, NULL);
		break;
	case -EBUSY:
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_NICK_BUSY, NULL, NULL);
		break;
	case -ENOTCONN:
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_NICK_NOTCONN, NULL, NULL);
		break;
	case -ENOTSUP:
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_NICK_UNSUPPORTED, NULL, NULL);
		break;
	case -EINVAL:
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_NICK_BAD, NULL, NULL);
		break;
	default:
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_ERROR, strerror(-rc), NULL);
		break;
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
	case CMD_ME:
		send_chat(t, NULL, c->text); /* "/me waves" as typed: see draw.c's is_action */
		break;
	case CMD_NAMES:
		chatcmd_names(t);
		break;
	case CMD_CLEAR:
		chatcmd_clear(t);
		break;
	case CMD_LASTLOG:
		chatcmd_lastlog(t, c->arg, c->arg_len);
		break;
	case CMD_NICK:
		snprintf(arg, sizeof(arg), "%.*s", (int)c->arg_len, c->arg);
		nick(t, arg);
		break;
	case CMD_UNKNOWN:
		snprintf(arg, sizeof(arg), "%.*s", (int)c->arg_len, c->arg);
		tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_UNKNOWN_CMD, arg, NULL);
		break;
	case CMD_USAGE:
		if (!strcmp(c->usage, "/nick NAME")) /* the one that can only lack its name */
			tui_system_msg(t, TUI_LINE_ALERT, I18N_SYS_NICK_NEEDS, NULL, NULL);
		else
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
	if (c.id == CMD_CHAT || c.id == CMD_MSG || c.id == CMD_ME) { /* what you send, you see */
		t->scroll = 0;
		t->unread = 0;
		t->marker_on = false;
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

/* Tab: completes a name of the roster (as shown there); with several matches Tab again
 * cycles through them and the status bar lists them, the one in the line in brackets. */
static void complete(struct tui *t)
{
	const char *names[64];
	size_t n = 0, m[64], shown = 0;
	for (guint i = 0; i < t->people->len && n < 64; i++) {
		const struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		if (!p->self)
			names[n++] = p->label;
	}
	int k = editor_complete(t->ed, names, n, m, &shown);
	t->comp_hint[0] = '\0';
	for (int i = 0; k > 1 && i < k; i++) {
		size_t l = strlen(t->comp_hint);
		snprintf(t->comp_hint + l, sizeof(t->comp_hint) - l, m[i] == shown ? "%s[%s]" : "%s%s",
			 i ? " " : "Tab: ", names[m[i]]);
	}
	if (k > 0)
		tui_dirty(t, DIRTY_INPUT | DIRTY_STATUS);
}

static void insert_char(struct tui *t, wint_t ch)
{
	char enc[4];
	if (ch < 0x20 || ch == 0x7F || ch > 0x10FFFF)
		return; /* in ASCII mode others are kept and drawn transliterated or as '?' */
	size_t n = cell_encode((uint32_t)ch, enc);
	if (editor_insert(t->ed, enc, n) < 0 && !t->beeped) {
		beep(); /* the line is full: once per burst of input (a long paste) */
		t->beeped = true;
	}
	tui_dirty(t, DIRTY_INPUT);
}

/* Any key but Tab ends a completion cycle: the candidates leave the status bar. */
static void end_completion(struct tui *t)
{
	if (t->comp_hint[0] && !editor_completing(t->ed)) {
		t->comp_hint[0] = '\0';
		tui_dirty(t, DIRTY_STATUS);
	}
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
		end_completion(t);
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
	end_completion(t);
}

/* ---- reading keys ---- */

/* One byte of a UTF-8 sequence read in byte mode: 1 with *cp when a character is complete
 * (U+FFFD for bytes that are not UTF-8), 0 while more bytes are due. */
static int utf8_byte(struct tui *t, unsigned char b, wint_t *cp)
{
	if (t->mb_len && (b & 0xC0) != 0x80) { /* a sequence cut short: drop it, start anew */
		t->mb_len = 0;
	}
	if (!t->mb_len) {
		t->mb_need = b >= 0xF0 && b < 0xF8 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
		if (!t->mb_need) { /* a stray continuation byte or a Latin-1 one */
			*cp = 0xFFFD;
			return 1;
		}
	}
	t->mb[t->mb_len++] = b;
	if (t->mb_len < t->mb_need)
		return 0;
	uint32_t c;
	size_t used = cell_decode((const char *)t->mb, t->mb_len, &c);
	*cp = used == t->mb_len ? (wint_t)c : 0xFFFD;
	t->mb_len = 0;
	return 1;
}

int input_read(struct tui *t, wint_t *ch)
{
	if (!t->ascii)
		return wget_wch(t->keys, ch);
	/* A locale without UTF-8 (LANG=C): wget_wch would hold non-ASCII bytes back (and the
	 * keys after them) waiting for a character the C locale cannot decode. Read bytes and
	 * take them as UTF-8, which is what terminals send. */
	for (;;) {
		int c = wgetch(t->keys);
		if (c == ERR)
			return ERR;
		if (c >= KEY_MIN) {
			t->mb_len = 0;
			*ch = (wint_t)c;
			return KEY_CODE_YES;
		}
		if (c < 0x80 || c > 0xFF) {
			t->mb_len = 0;
			*ch = (wint_t)c;
			return OK;
		}
		if (utf8_byte(t, (unsigned char)c, ch))
			return OK;
	}
}

/* After ESC: the key read with it. Returns 0 for a plain Esc, 1 for Alt-<printable> in *next,
 * 2 when another key followed at once (*next, *next_is_key: handle it on its own). */
static int after_esc(struct tui *t, wint_t *next, bool *next_is_key)
{
	int r = input_read(t, next);
	if (r == ERR)
		return 0;
	*next_is_key = r == KEY_CODE_YES;
	return !*next_is_key && *next >= 0x20 && *next < 0x7F ? 1 : 2;
}

/* The key a CSI ("ESC [") or SS3 ("ESC O") sequence the terminal description does not name
 * stands for (what xterm and its kin send: TERM=vt100 in an xterm), or 0. */
static int csi_key(char intro, const char *params, char final)
{
	static const int tilde[] = { [1] = KEY_HOME, [2] = KEY_IC, [3] = KEY_DC, [4] = KEY_END,
		[5] = KEY_PPAGE, [6] = KEY_NPAGE, [7] = KEY_HOME, [8] = KEY_END, [11] = KEY_F(1),
		[12] = KEY_F(2), [13] = KEY_F(3), [14] = KEY_F(4), [15] = KEY_F(5), [17] = KEY_F(6),
		[18] = KEY_F(7), [19] = KEY_F(8), [20] = KEY_F(9), [21] = KEY_F(10),
		[23] = KEY_F(11), [24] = KEY_F(12) };
	int n = atoi(params); /* the first parameter; a modifier after ';' is ignored */
	switch (final) {
	case '~': return n > 0 && n < (int)(sizeof(tilde) / sizeof(tilde[0])) ? tilde[n] : 0;
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case 'P': return KEY_F(1);
	case 'Q': return KEY_F(2);
	case 'R': return intro == 'O' ? KEY_F(3) : 0; /* CSI R is a cursor report */
	case 'S': return KEY_F(4);
	default: return 0;
	}
}

/* The rest of an escape sequence after "ESC [" or "ESC O": read whole (parameters and
 * intermediates up to the final byte, at most CSI_MAX bytes) so none of it reaches the input
 * line. Returns the key it stands for, or 0 (swallowed). */
#define CSI_MAX 16
static int read_sequence(struct tui *t, char intro)
{
	char params[CSI_MAX + 1];
	size_t n = 0;
	wint_t ch;
	for (int i = 0; i < CSI_MAX; i++) {
		int r = input_read(t, &ch);
		if (r == ERR || r == KEY_CODE_YES)
			return 0;
		if (intro == 'O' || (ch >= 0x40 && ch <= 0x7E)) {
			params[n] = '\0';
			return ch >= 0x40 && ch <= 0x7E ? csi_key(intro, params, (char)ch) : 0;
		}
		if (ch < 0x20 || ch > 0x3F)
			return 0; /* not a sequence after all: what was read is dropped */
		params[n++] = (char)ch;
	}
	return 0;
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
			if (next == '[' || next == 'O') { /* a sequence curses did not know */
				int k = read_sequence(t, (char)next);
				if (k)
					key(t, true, (wint_t)k, false);
				return;
			}
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
	if (!is_key && ch == CTRL('z')) {
		tui_suspend(t);
		return;
	}
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
	if (!esc && !away_key(t, is_key, ch))
		meeting_key(t, is_key, ch);
}
