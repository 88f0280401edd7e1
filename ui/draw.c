/* Rendering the TUI model (see tui_int.h): one function per pane, each erasing and redrawing
 * its own window when its dirty bit is set; draw_render() then calls wnoutrefresh for those
 * windows, the input line last (it owns the cursor), and doupdate() once. ncurses compares
 * the result with what the terminal shows and sends only the cells that changed.
 *
 * Every string reaches curses through put(): cell_render() measures, cuts and substitutes it
 * (ui/cell.h), so no byte goes to the terminal without a width check.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/cell.h"
#include "ui/tui_int.h"
#include "ui/wrap.h"

#define TIME_CELLS 6  /* "HH:MM " */
#define NAME_CELLS 20 /* longest name shown in front of a chat line */
#define MIN_TEXT_CELLS 10
#define RENDER_MAX 1024
#define OVERLAY_MARGIN 2

/* Draws s[0..n) at w's cursor in attr, at most max cells; returns the cells drawn. */
static size_t put(struct tui *t, WINDOW *w, const char *s, size_t n, size_t max, chtype attr)
{
	wchar_t buf[RENDER_MAX];
	size_t cells = 0;
	size_t k = cell_render(s, n, max, t->ascii, buf, RENDER_MAX, &cells);
	wattrset(w, (int)attr);
	if (k)
		waddnwstr(w, buf, (int)k);
	return cells;
}

static size_t puts_(struct tui *t, WINDOW *w, const char *s, size_t max, enum tui_style st)
{
	return put(t, w, s, strlen(s), max, t->styles[st]);
}

static void fill(struct tui *t, WINDOW *w, int y, int x, int n, enum tui_style st)
{
	wattrset(w, (int)t->styles[st]);
	wmove(w, y, x);
	for (int i = 0; i < n; i++)
		waddch(w, ' ');
	wmove(w, y, x);
}

static size_t width_of(struct tui *t, const char *s)
{
	return cell_width(s, strlen(s), t->ascii);
}

/* Copies s cut to max cells, marking a cut with "~" (ASCII) or "…". */
static void clip(struct tui *t, const char *s, size_t max, char *out, size_t outlen)
{
	size_t n = strlen(s);
	const char *more = t->ascii ? "~" : "…";
	if (cell_width(s, n, t->ascii) > max)
		n = cell_fit(s, n, max ? max - 1 : 0, t->ascii, NULL);
	else
		more = "";
	snprintf(out, outlen, "%.*s%s", (int)n, s, more);
}

static const char *sep(struct tui *t)
{
	return t->ascii ? " | " : " │ ";
}

/* ---- bars ---- */

static void draw_title(struct tui *t)
{
	WINDOW *w = t->win[W_TITLE];
	int cols = t->lay.title.w;
	char room[600], people[64], count[16], left[1024];
	const char *help = i18n_get(t->lang, I18N_TITLE_HELP);
	size_t hw = width_of(t, help);

	werase(w);
	fill(t, w, 0, 0, cols, STYLE_BAR);
	snprintf(count, sizeof(count), "%u", t->people->len);
	i18n_fmt(room, sizeof(room), t->lang, I18N_TITLE_ROOM, t->room, t->host, NULL);
	i18n_fmt(people, sizeof(people), t->lang, I18N_TITLE_PEOPLE, count, NULL, NULL);
	snprintf(left, sizeof(left), " ttymeet%s%s%s%s%s%s%s", sep(t), room, sep(t), people,
		 t->away ? " (" : "", t->away ? i18n_get(t->lang, I18N_STALE) : "",
		 t->away ? ")" : ""); /* away: the count is the last one known */
	size_t room_for_left = (size_t)cols > hw + 2 ? (size_t)cols - hw - 2 : 0;
	puts_(t, w, left, room_for_left, STYLE_BAR);
	if ((size_t)cols > hw + 1) {
		wmove(w, 0, cols - (int)hw - 1);
		puts_(t, w, help, hw, STYLE_BAR);
	}
}

static enum tui_style seg_style(enum status_attr a)
{
	switch (a) {
	case STATUS_GOOD: return STYLE_GOOD;
	case STATUS_WARN: return STYLE_WARN;
	case STATUS_ALERT: return STYLE_ALERT;
	default: return STYLE_BAR;
	}
}

static void draw_status(struct tui *t)
{
	WINDOW *w = t->win[W_STATUS];
	int cols = t->lay.status.w;
	struct status_seg segs[STATUS_SEG_MAX];
	size_t sw = width_of(t, sep(t)), x = 1;

	werase(w);
	fill(t, w, 0, 0, cols, STYLE_BAR);
	if (t->comp_hint[0]) { /* Tab completion: the candidates, for as long as it cycles */
		wmove(w, 0, 1);
		puts_(t, w, t->comp_hint, (size_t)cols - 2, STYLE_BAR);
		return;
	}
	int n = status_build(&t->st, t->lang, t->ascii, (size_t)cols - 2, sw, segs);
	wmove(w, 0, 1);
	for (int i = 0; i < n; i++) {
		size_t left = (size_t)cols - 1 - x;
		if (i)
			x += puts_(t, w, sep(t), left, STYLE_BAR);
		left = (size_t)cols - 1 - x;
		x += puts_(t, w, segs[i].text, left, seg_style(segs[i].attr));
	}
}

static void draw_input(struct tui *t)
{
	WINDOW *w = t->win[W_INPUT];
	size_t cols = (size_t)t->lay.input.w, len, first, col;
	const char *text = editor_text(t->ed, &len);

	werase(w);
	wmove(w, 0, 0);
	if (t->pin_prompt) { /* masked: one '*' per character typed, never the pin itself */
		char prompt[96], stars[CLI_SECRET_MAX + 1];
		i18n_fmt(prompt, sizeof(prompt), t->lang, I18N_INPUT_PIN_PROMPT, t->room, NULL,
			 NULL);
		size_t pw = puts_(t, w, prompt, cols, STYLE_ALERT);
		unsigned n = t->pin_chars < CLI_SECRET_MAX ? t->pin_chars : CLI_SECRET_MAX;
		memset(stars, '*', n);
		stars[n] = '\0';
		size_t sw = cols > pw + 1 ? puts_(t, w, stars, cols - pw - 1, STYLE_NORMAL) : 0;
		t->input_col = (int)(pw + sw);
		return;
	}
	size_t pw = puts_(t, w, "> ", cols, STYLE_DIM);
	size_t field = cols > pw + 1 ? cols - pw : 1;
	if (!len) {
		puts_(t, w, i18n_get(t->lang, I18N_INPUT_PROMPT_HINT), field - 1, STYLE_DIM);
		t->input_col = (int)pw;
		return;
	}
	editor_view(t->ed, field, t->ascii, &first, &col);
	put(t, w, text + first, len - first, field, t->styles[STYLE_NORMAL]);
	t->input_col = (int)(pw + col);
}

/* ---- roster, video, separators ---- */

static void draw_roster(struct tui *t)
{
	WINDOW *w = t->win[W_ROSTER];
	int rows = t->lay.roster.h, cols = t->lay.roster.w;
	guint n = t->people->len, show = n;
	char title[128], buf[SESSION_NAME_MAX + CHATVIEW_SUFFIX_MAX + 8], num[16];

	werase(w);
	snprintf(title, sizeof(title), " %s (%u%s%s)", i18n_get(t->lang, I18N_ROSTER_TITLE), n,
		 t->away ? ", " : "", t->away ? i18n_get(t->lang, I18N_STALE) : "");
	wmove(w, 0, 0);
	puts_(t, w, title, (size_t)cols, STYLE_SELF);
	if (show > (guint)(rows - 1))
		show = rows > 2 ? (guint)rows - 2 : 0;
	for (guint i = 0; i < show; i++) {
		const struct tui_person *p = &g_array_index(t->people, struct tui_person, i);
		/* a tag after the name: "(you)", or "(chat)" for someone only in the chat room */
		const char *tag = p->self ? i18n_get(t->lang, I18N_ROSTER_YOU)
				: p->chat_only ? i18n_get(t->lang, I18N_ROSTER_CHAT_ONLY)
				: p->moderator ? i18n_get(t->lang, I18N_ROSTER_MODERATOR) : "";
		size_t yw = *tag ? width_of(t, tag) + 1 : 0;
		size_t avail = cols > 4 ? (size_t)cols - 4 : 0;
		wmove(w, (int)i + 1, 1);
		puts_(t, w, p->talking ? "*" : p->speaker ? ">" : " ", 1, STYLE_TALK);
		if (p->chat_only) /* no muted state outside the call: the chat-only mark instead */
			puts_(t, w, ROSTER_CHAT_MARK, 1, STYLE_DIM);
		else
			puts_(t, w, p->muted ? "M" : " ", 1, STYLE_MUTED);
		puts_(t, w, " ", 1, STYLE_NORMAL);
		clip(t, p->label, avail > yw ? avail - yw : 1, buf, sizeof(buf));
		size_t used = puts_(t, w, buf, avail, p->self ? STYLE_SELF
							 : p->chat_only ? STYLE_DIM
							 : p->talking ? STYLE_TALK : STYLE_NORMAL);
		if (yw && used + yw <= avail) {
			puts_(t, w, " ", 1, STYLE_NORMAL);
			puts_(t, w, tag, yw, STYLE_DIM);
		}
	}
	if (show < n) {
		snprintf(num, sizeof(num), "%u", n - show);
		i18n_fmt(buf, sizeof(buf), t->lang, I18N_ROSTER_MORE, num, NULL, NULL);
		wmove(w, (int)show + 1, 4);
		puts_(t, w, buf, (size_t)cols - 4, STYLE_DIM);
	}
}

/* One grid cell: a ramp character, or a half block in a (dynamically allocated) colour pair. */
static void put_video_cell(struct tui *t, WINDOW *w, const struct ascii_cell *c)
{
	if (t->video_mode == ASCII_MODE_RAMP || !t->color) {
		waddch(w, c->ch < 0x80 ? (chtype)c->ch : (chtype)'#');
		return;
	}
	int fg = c->fg, bg = c->bg;
	if (t->video_mode == ASCII_MODE_TRUECOLOR) {
		fg = fg < 0 ? -1 : ascii_rgb_to_256(fg >> 16, (fg >> 8) & 255, fg & 255);
		bg = bg < 0 ? -1 : ascii_rgb_to_256(bg >> 16, (bg >> 8) & 255, bg & 255);
	}
	if (COLORS < 256)
		fg = bg = -1;
	int pair = alloc_pair(fg, bg);
	cchar_t cc;
	wchar_t wc[2] = { t->ascii ? L'#' : (wchar_t)c->ch, 0 };
	setcchar(&cc, wc, A_NORMAL, (short)(pair > 0 ? pair : 0), NULL);
	wadd_wch(w, &cc);
}

/* The pane's title row: who is shown (or "Video"); when the pane is not its normal size, the
 * size and its key at the right ("[full] F7"), after the count of chat messages the full
 * window hides. */
static void draw_video_title(struct tui *t, WINDOW *w, int cols)
{
	static const char *const words[] = { [LAYOUT_VIDEO_LARGE] = "large",
					      [LAYOUT_VIDEO_FULL] = "full" };
	char size[32] = "", num[16], unread[128] = "", who[SESSION_NAME_MAX + 48];
	if (t->video_size == LAYOUT_VIDEO_LARGE || t->video_size == LAYOUT_VIDEO_FULL)
		snprintf(size, sizeof(size), " [%s] F7 ", words[t->video_size]);
	if (t->hidden_unread) {
		snprintf(num, sizeof(num), "%u", t->hidden_unread);
		i18n_fmt(unread, sizeof(unread), t->lang, I18N_VIDEO_UNREAD, num, NULL, NULL);
	}
	size_t sw = width_of(t, size), uw = *unread ? width_of(t, unread) + 2 : 0;
	size_t tw = sw + uw;
	size_t name_room = (size_t)cols > tw + 2 ? (size_t)cols - tw - 2 : (size_t)cols - 1;
	wmove(w, 0, 0);
	wclrtoeol(w);
	puts_(t, w, " ", 1, STYLE_SELF);
	snprintf(who, sizeof(who), "%s%s%s%s", t->video_showing ? t->video_from
		 : i18n_get(t->lang, I18N_VIDEO_TITLE), t->video_showing && t->video_frozen ? " (" : "",
		 t->video_showing && t->video_frozen ? i18n_get(t->lang, I18N_VIDEO_FROZEN) : "",
		 t->video_showing && t->video_frozen ? ")" : ""); /* an old picture says so */
	puts_(t, w, who, name_room, STYLE_SELF);
	if (!tw || (size_t)cols <= tw + 2)
		return;
	wmove(w, 0, cols - (int)tw);
	if (uw) {
		puts_(t, w, " ", 1, STYLE_MARK);
		puts_(t, w, unread, uw - 2, STYLE_MARK);
		puts_(t, w, " ", 1, STYLE_MARK);
	}
	puts_(t, w, size, sw, STYLE_DIM);
}

/* The pane: a title row (draw_video_title), then the picture from the renderer's grid, or
 * "no video". Repainting the whole grid is cheap: curses sends only what changed. */
static void draw_video(struct tui *t)
{
	WINDOW *w = t->win[W_VIDEO];
	int rows = t->lay.video.h, cols = t->lay.video.w;
	const char *none = i18n_get(t->lang, I18N_VIDEO_NONE);
	size_t nw = width_of(t, none);

	draw_video_title(t, w, cols);
	if (t->video_showing && t->vr) {
		const struct ascii_grid *g = vrender_grid(t->vr);
		for (int y = 0; y < g->rows && y + 1 < rows; y++) {
			wmove(w, y + 1, 0);
			for (int x = 0; x < g->cols && x < cols; x++)
				put_video_cell(t, w, &g->cells[(size_t)y * (size_t)g->cols + (size_t)x]);
		}
		return;
	}
	for (int y = 1; y < rows; y++) {
		wmove(w, y, 0);
		wclrtoeol(w);
	}
	if (rows > 2 && nw < (size_t)cols) {
		wmove(w, 1 + (rows - 1) / 2, (cols - (int)nw) / 2);
		puts_(t, w, none, nw, STYLE_DIM);
	}
}

static void draw_frame(struct tui *t)
{
	const char *v = t->ascii ? "|" : "│", *h = t->ascii ? "-" : "─";
	if (t->win[W_VSEP]) {
		werase(t->win[W_VSEP]);
		for (int y = 0; y < t->lay.vsep.h; y++) {
			wmove(t->win[W_VSEP], y, 0);
			puts_(t, t->win[W_VSEP], v, 1, STYLE_DIM);
		}
	}
	if (t->win[W_HSEP]) {
		werase(t->win[W_HSEP]);
		wmove(t->win[W_HSEP], 0, 0);
		for (int x = 0; x < t->lay.hsep.w; x++)
			puts_(t, t->win[W_HSEP], h, 1, STYLE_DIM);
	}
}

/* ---- chat ---- */

struct line_fmt {
	char head[512];
	size_t head_cells, first_w, next_w;
	size_t skip; /* bytes of the text not shown: the "/me " of an action */
	enum tui_style head_style, text_style;
};

#define ME_PREFIX "/me "

/* "/me waves" from alice shows as "* alice waves" (irssi's action line). */
static bool is_action(const struct chat_msg *m)
{
	return !(m->flags & TUI_LINE_SYSTEM) && m->text_len > strlen(ME_PREFIX) &&
	       !strncmp(m->text, ME_PREFIX, strlen(ME_PREFIX));
}

static void msg_format(struct tui *t, const struct chat_msg *m, struct line_fmt *f)
{
	size_t cols = (size_t)t->lay.chat.w - 1; /* a blank column before the separator */
	size_t room = cols > TIME_CELLS + MIN_TEXT_CELLS ? cols - TIME_CELLS - MIN_TEXT_CELLS : 1;
	char from[NAME_CELLS * 4 + 32], to[NAME_CELLS * 4 + 8], head[512];

	f->skip = 0;
	if (m->flags & TUI_LINE_SYSTEM) {
		snprintf(head, sizeof(head), "-!- ");
		f->head_style = STYLE_SYSTEM;
		f->text_style = m->flags & TUI_LINE_ALERT ? STYLE_MUTED : STYLE_SYSTEM;
	} else {
		clip(t, m->from, NAME_CELLS, from, sizeof(from));
		clip(t, m->to, NAME_CELLS, to, sizeof(to));
		if (m->flags & CHAT_FLAG_CHAT_ONLY) { /* not proven a call participant: "Dora (chat)",
						       * as in the roster, never just "Dora" */
			size_t fl = strlen(from);
			snprintf(from + fl, sizeof(from) - fl, " %s",
				 i18n_get(t->lang, I18N_ROSTER_CHAT_ONLY));
		}
		const char *priv = i18n_get(t->lang, I18N_CHAT_PRIVATE);
		bool action = is_action(m);
		if (action)
			f->skip = strlen(ME_PREFIX);
		if (!(m->flags & CHAT_FLAG_PRIVATE))
			snprintf(head, sizeof(head), action ? "* %s " : "%s: ", from);
		else if (*to)
			snprintf(head, sizeof(head), "%s%s → %s (%s)%s", action ? "* " : "", from, to,
				 priv, action ? " " : ": ");
		else
			snprintf(head, sizeof(head), "%s%s (%s)%s", action ? "* " : "", from, priv,
				 action ? " " : ": ");
		/* a name keeps its colour (a hash of it) wherever it appears */
		f->head_style = m->flags & CHAT_FLAG_PRIVATE ? STYLE_PRIVATE
			      : m->flags & CHAT_FLAG_SELF ? STYLE_SELF
			      : STYLE_NICK0 + chatview_colour(m->from);
		f->text_style = m->flags & TUI_LINE_MENTION ? STYLE_MENTION : STYLE_NORMAL;
		if (m->flags & CHAT_FLAG_HISTORY) { /* replayed from before we came: dimmed and
						     * marked "(earlier)", never as new */
			char plain[sizeof(head)];
			snprintf(plain, sizeof(plain), "%s", head);
			int n = snprintf(head, sizeof(head), "(%s) ",
					 i18n_get(t->lang, I18N_CHAT_HISTORY));
			if (n > 0 && (size_t)n < sizeof(head))
				snprintf(head + n, sizeof(head) - (size_t)n, "%.*s",
					 (int)(sizeof(head) - (size_t)n - 1), plain);
			f->head_style = f->text_style = STYLE_DIM;
		}
	}
	clip(t, head, room, f->head, sizeof(f->head));
	f->head_cells = width_of(t, f->head);
	f->next_w = cols > TIME_CELLS ? cols - TIME_CELLS : 1;
	f->first_w = f->next_w > f->head_cells ? f->next_w - f->head_cells : 1;
}

/* The unread marker sits above the display log's line with sequence number marker_seq. */
static bool has_marker(struct tui *t, unsigned i)
{
	uint64_t first = chat_store_total(t->log) - chat_store_count(t->log);
	return t->marker_on && first + i == t->marker_seq;
}

size_t draw_msg_lines(struct tui *t, const struct chat_msg *m)
{
	struct line_fmt f;
	if (t->lay.too_small || t->lay.chat.w < 2) /* no chat pane (full-window video) */
		return 1;
	msg_format(t, m, &f);
	return wrap_text(m->text + f.skip, m->text_len - f.skip, f.first_w, f.next_w, t->ascii,
			 NULL, 0);
}

size_t draw_total_lines(struct tui *t)
{
	size_t total = 0;
	unsigned count = chat_store_count(t->log);
	struct chat_msg m;
	for (unsigned i = 0; i < count; i++)
		if (chat_store_get(t->log, i, &m) == 0)
			total += draw_msg_lines(t, &m) + has_marker(t, i);
	return total;
}

/* "──── new ────" across the pane. */
static void marker_row(struct tui *t, WINDOW *w, int row, int cols)
{
	char word[64];
	snprintf(word, sizeof(word), " %s ", i18n_get(t->lang, I18N_CHAT_MARKER));
	size_t ww = width_of(t, word);
	int x0 = ww + 2 < (size_t)cols ? (cols - (int)ww) / 2 : 0;
	wmove(w, row, 0);
	for (int x = 0; x < cols - 1; x++)
		puts_(t, w, t->ascii ? "-" : "─", 1, STYLE_SYSTEM);
	wmove(w, row, x0);
	puts_(t, w, word, (size_t)cols - 1, STYLE_SYSTEM);
}

static void chat_line(struct tui *t, WINDOW *w, int row, const struct chat_msg *m,
		      const struct line_fmt *f, const struct wrap_line *l, bool first)
{
	wmove(w, row, 0);
	if (first) {
		char stamp[8];
		struct tm tm;
		time_t s = (time_t)(m->time_us / 1000000);
		localtime_r(&s, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M ", &tm);
		puts_(t, w, stamp, TIME_CELLS, STYLE_DIM);
		puts_(t, w, f->head, f->head_cells, f->head_style);
		put(t, w, m->text + f->skip + l->off, l->len, f->first_w, t->styles[f->text_style]);
	} else {
		/* A continuation row carries a mark where the time stands on a message's first
		 * row, so that text cannot draw a row that passes for another message (someone
		 * sending "hi\n12:00 bob: send me your pin"): "↳" after the sender's own line
		 * break, "┊" where the pane wrapped a long line ("│" is the pane separator). */
		const char *mark = l->hard ? (t->ascii ? "   -> " : "    ↳ ")
					   : (t->ascii ? "    : " : "    ┊ ");
		puts_(t, w, mark, TIME_CELLS, STYLE_DIM);
		wmove(w, row, TIME_CELLS);
		put(t, w, m->text + f->skip + l->off, l->len, f->next_w, t->styles[f->text_style]);
	}
}

static void draw_chat(struct tui *t)
{
	WINDOW *w = t->win[W_CHAT];
	int rows = t->lay.chat.h, cols = t->lay.chat.w;
	unsigned count = chat_store_count(t->log);
	struct chat_msg m;
	struct line_fmt f;

	werase(w);
	if (t->scroll) { /* never past the oldest line */
		size_t total = draw_total_lines(t), max = total > (size_t)(rows - 1)
							  ? total - (size_t)(rows - 1) : 0;
		if (t->scroll > max)
			t->scroll = max;
	}
	if (!t->scroll && t->unread) { /* back at the bottom: mark where the new lines begin */
		t->marker_seq = t->unread_seq;
		t->marker_on = true;
		t->unread = 0;
	}
	int body = t->scroll ? rows - 1 : rows, row = body - 1;
	size_t skip = t->scroll;
	for (long i = (long)count - 1; i >= 0 && row >= 0; i--) {
		if (chat_store_get(t->log, (unsigned)i, &m) < 0)
			continue;
		msg_format(t, &m, &f);
		const char *text = m.text + f.skip;
		size_t len = m.text_len - f.skip;
		size_t n = wrap_text(text, len, f.first_w, f.next_w, t->ascii, NULL, 0);
		size_t mk = has_marker(t, (unsigned)i); /* row 0 of this message: the marker */
		if (skip >= n + mk) {
			skip -= n + mk;
			continue;
		}
		struct wrap_line *lines = g_new(struct wrap_line, n);
		wrap_text(text, len, f.first_w, f.next_w, t->ascii, lines, n);
		for (long j = (long)(n + mk - 1 - skip); j >= 0 && row >= 0; j--, row--) {
			if (mk && j == 0)
				marker_row(t, w, row, cols);
			else
				chat_line(t, w, row, &m, &f, &lines[j - (long)mk], j == (long)mk);
		}
		skip = 0;
		g_free(lines);
	}
	if (t->scroll) { /* the bottom row says how to get back, and how much is new */
		char num[16], mark[128];
		snprintf(num, sizeof(num), "%u", t->unread);
		if (t->unread)
			i18n_fmt(mark, sizeof(mark), t->lang, I18N_CHAT_UNREAD, num, NULL, NULL);
		else
			i18n_fmt(mark, sizeof(mark), t->lang, I18N_CHAT_SCROLLED, NULL, NULL, NULL);
		size_t mw = width_of(t, mark);
		fill(t, w, rows - 1, 0, cols, STYLE_MARK);
		wmove(w, rows - 1, mw < (size_t)cols ? (cols - (int)mw) / 2 : 0);
		puts_(t, w, mark, (size_t)cols, STYLE_MARK);
	}
}

/* ---- full-screen views: notice, help, too small ---- */

struct ov_line {
	size_t off, len;
	int x;
};

static char *overlay_text(struct tui *t)
{
	static const enum i18n_msg help[] = {
		I18N_HELP_MUTE, I18N_HELP_TOGGLE, I18N_HELP_PTT, I18N_HELP_MSG, I18N_HELP_CHAT,
		I18N_HELP_DEVICES, I18N_HELP_BELL, I18N_HELP_VIDEO, I18N_HELP_VIDEO_SIZE,
		I18N_HELP_PRIVACY, I18N_HELP_HELP, I18N_HELP_QUIT, 0, I18N_HELP_SCROLL, I18N_HELP_EDIT,
		I18N_HELP_SUSPEND, I18N_HELP_SLASH, 0, I18N_HELP_LEGEND,
	};
	if (t->overlay != OVERLAY_HELP)
		return g_strdup(t->notice);
	GString *g = g_string_new(NULL);
	for (size_t i = 0; i < sizeof(help) / sizeof(help[0]); i++) {
		char buf[1024];
		if (!help[i]) {
			g_string_append_c(g, '\n');
			continue;
		}
		i18n_fmt(buf, sizeof(buf), t->lang, help[i], "*", "M", ROSTER_CHAT_MARK);
		g_string_append_printf(g, "%s%s\n", help[i] == I18N_HELP_LEGEND ? "" : "  - ", buf);
	}
	return g_string_free(g, FALSE);
}

/* Wraps text for the overlay body: list items ("  - ") hang under their first word. */
static struct ov_line *overlay_lines(struct tui *t, const char *text, size_t *count)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct ov_line));
	size_t width = COLS > 2 * OVERLAY_MARGIN + 8 ? (size_t)COLS - 2 * OVERLAY_MARGIN : 8;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p), ind = 0;
		while (ind < len && p[ind] == ' ' && ind < width / 2)
			ind++;
		size_t hang = ind + (len - ind >= 2 && p[ind] == '-' && p[ind + 1] == ' ' ? 2 : 0);
		size_t w1 = width - ind, w2 = width - hang;
		size_t n = wrap_text(p + ind, len - ind, w1, w2, t->ascii, NULL, 0);
		struct wrap_line *wl = g_new(struct wrap_line, n);
		wrap_text(p + ind, len - ind, w1, w2, t->ascii, wl, n);
		for (size_t j = 0; j < n; j++) {
			struct ov_line l = { (size_t)(p - text) + ind + wl[j].off, wl[j].len,
					     OVERLAY_MARGIN + (int)(j ? hang : ind) };
			g_array_append_val(out, l);
		}
		g_free(wl);
		p += len + (nl ? 1 : 0);
	}
	*count = out->len;
	return (struct ov_line *)(void *)g_array_free(out, FALSE);
}

size_t draw_overlay_lines(struct tui *t)
{
	size_t n;
	char *text = overlay_text(t);
	g_free(overlay_lines(t, text, &n));
	g_free(text);
	return n;
}

/* A reverse-video bar across row y; the last 4 columns stay free for the scroll mark. */
static void bar_line(struct tui *t, WINDOW *w, int y, const char *s, bool center)
{
	size_t sw = width_of(t, s), room = COLS > 5 ? (size_t)COLS - 5 : 1;
	fill(t, w, y, 0, COLS, STYLE_BAR);
	wmove(w, y, center && sw < room ? (COLS - (int)sw) / 2 : 1);
	puts_(t, w, s, room, STYLE_BAR);
}

static void draw_overlay(struct tui *t)
{
	WINDOW *w = t->win[W_FULL];
	bool notice = t->overlay == OVERLAY_NOTICE;
	const char *title = i18n_get(t->lang, notice ? I18N_NOTICE_TITLE : I18N_HELP_TITLE);
	enum i18n_msg keys = !notice ? I18N_HELP_CLOSE : t->phase == PHASE_NOTICE
				     ? I18N_NOTICE_KEYS_FIRST : I18N_NOTICE_KEYS_AGAIN;
	char *text = overlay_text(t);
	size_t n, body = LINES > 3 ? (size_t)LINES - 3 : 1;
	struct ov_line *lines = overlay_lines(t, text, &n);

	werase(w);
	bar_line(t, w, 0, title, true);
	bar_line(t, w, LINES - 1, i18n_get(t->lang, keys), false);
	if (t->overlay_scroll + body > n)
		t->overlay_scroll = n > body ? n - body : 0;
	for (size_t i = 0; i < body && t->overlay_scroll + i < n; i++) {
		const struct ov_line *l = &lines[t->overlay_scroll + i];
		wmove(w, 2 + (int)i, l->x);
		put(t, w, text + l->off, l->len, (size_t)(COLS - l->x), t->styles[STYLE_NORMAL]);
	}
	if (t->overlay_scroll + body < n && COLS > 4) { /* more below: a mark in the key bar */
		wmove(w, LINES - 1, COLS - 2);
		puts_(t, w, t->ascii ? "v" : "↓", 1, STYLE_BAR);
	}
	g_free(lines);
	g_free(text);
}

static void draw_too_small(struct tui *t)
{
	WINDOW *w = t->win[W_FULL];
	char now[32], need[32], msg[512];
	snprintf(now, sizeof(now), "%dx%d", COLS, LINES);
	snprintf(need, sizeof(need), "%dx%d", LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
	i18n_fmt(msg, sizeof(msg), t->lang, I18N_TOO_SMALL, now, need, NULL);
	if (t->phase == PHASE_NOTICE) {
		size_t l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, "\n%s",
			 i18n_get(t->lang, I18N_NOTICE_TOO_SMALL_ENTER));
	}
	size_t width = COLS > 2 ? (size_t)COLS - 2 : 1;
	size_t n = wrap_text(msg, strlen(msg), width, width, t->ascii, NULL, 0);
	struct wrap_line *wl = g_new(struct wrap_line, n);
	wrap_text(msg, strlen(msg), width, width, t->ascii, wl, n);
	werase(w);
	int top = LINES > (int)n ? (LINES - (int)n) / 2 : 0;
	for (size_t i = 0; i < n && top + (int)i < LINES; i++) {
		size_t lw = cell_width(msg + wl[i].off, wl[i].len, t->ascii);
		wmove(w, top + (int)i, lw < (size_t)COLS ? (COLS - (int)lw) / 2 : 0);
		put(t, w, msg + wl[i].off, wl[i].len, (size_t)COLS, t->styles[STYLE_SELF]);
	}
	g_free(wl);
}

/* ---- one redraw ---- */

static void set_cursor(struct tui *t, bool on)
{
	if (t->cursor_on != on)
		curs_set(on ? 1 : 0);
	t->cursor_on = on;
}

void draw_render(struct tui *t)
{
	static const struct {
		unsigned bit;
		enum tui_win win;
		void (*fn)(struct tui *);
	} panes[] = {
		{ DIRTY_TITLE, W_TITLE, draw_title }, { DIRTY_CHAT, W_CHAT, draw_chat },
		{ DIRTY_ROSTER, W_ROSTER, draw_roster }, { DIRTY_VIDEO, W_VIDEO, draw_video },
		{ DIRTY_STATUS, W_STATUS, draw_status }, { DIRTY_INPUT, W_INPUT, draw_input },
	};
	if (t->lay.too_small || t->overlay != OVERLAY_NONE) {
		if ((t->dirty & DIRTY_OVERLAY) || !t->full_shown) {
			if (t->lay.too_small)
				draw_too_small(t);
			else
				draw_overlay(t);
			wnoutrefresh(t->win[W_FULL]);
		}
		t->full_shown = true;
		t->dirty = 0;
		set_cursor(t, false);
		doupdate();
		return;
	}
	if (t->full_shown) { /* the panes were covered: all of them again */
		t->full_shown = false;
		t->dirty |= DIRTY_PANES;
		for (int i = 0; i < W_FULL; i++)
			if (t->win[i])
				touchwin(t->win[i]);
	}
	if (t->dirty & DIRTY_FRAME) {
		draw_frame(t);
		if (t->win[W_VSEP])
			wnoutrefresh(t->win[W_VSEP]);
		if (t->win[W_HSEP])
			wnoutrefresh(t->win[W_HSEP]);
	}
	for (size_t i = 0; i < sizeof(panes) / sizeof(panes[0]); i++) {
		WINDOW *w = t->win[panes[i].win];
		if (!w || !(t->dirty & panes[i].bit) || panes[i].win == W_INPUT)
			continue;
		panes[i].fn(t);
		wnoutrefresh(w);
	}
	if (t->dirty & DIRTY_INPUT)
		draw_input(t);
	wmove(t->win[W_INPUT], 0, t->input_col);
	wnoutrefresh(t->win[W_INPUT]); /* last: it places the cursor */
	set_cursor(t, true);
	t->dirty = 0;
	doupdate();
}
