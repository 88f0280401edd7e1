/* The join form; see joinform.h. Four one-line fields, typing appends and Backspace removes
 * the last character; Tab/Down and Up move between fields, Enter on the last field (or
 * anywhere once the first two are filled) asks the check, Esc quits. The pin field draws one
 * '*' per character, as the TUI's pin prompt does (ui/draw.c). */
#include "ui/joinform.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "src/i18n.h"

#define FIELDS 4

struct field {
	enum i18n_msg label;
	char *buf;
	size_t size;
	bool masked;
};

/* Characters (not bytes) of a UTF-8 string: what the mask shows. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void draw(const struct field *fl, int cur, const char *msg, enum i18n_lang lang)
{
	int rows, cols, y = 1, cx = 0, cy = 0;
	getmaxyx(stdscr, rows, cols);
	erase();
	mvaddnstr(y, 2, i18n_get(lang, I18N_FORM_TITLE), cols - 3);
	attron(A_DIM);
	mvaddnstr(y + 1, 2, i18n_get(lang, I18N_FORM_NOT_SAVED), cols - 3);
	attroff(A_DIM);
	y += 3;
	for (int i = 0; i < FIELDS; i++, y += 2) {
		mvaddnstr(y, 2, i18n_get(lang, fl[i].label), cols - 3);
		char shown[CLI_SECRET_MAX + 1];
		if (fl[i].masked) {
			size_t n = utf8_chars(fl[i].buf);
			memset(shown, '*', n);
			shown[n] = '\0';
		}
		const char *text = fl[i].masked ? shown : fl[i].buf;
		int w = cols - 6 > 1 ? cols - 6 : 1;
		size_t len = strlen(text), chars = utf8_chars(text);
		/* the end of a long value shows (the part being typed) */
		while (chars > (size_t)w - 1 && len) {
			size_t k = 1;
			while (k < len && ((unsigned char)text[k] & 0xC0) == 0x80)
				k++;
			text += k;
			len -= k;
			chars--;
		}
		mvaddstr(y + 1, 2, i == cur ? "> " : "  ");
		if (i == cur)
			attron(A_BOLD);
		addstr(text);
		if (i == cur) {
			attroff(A_BOLD);
			getyx(stdscr, cy, cx);
		}
	}
	y++;
	if (msg && *msg) {
		attron(A_BOLD);
		mvaddnstr(y, 2, msg, cols - 3);
		attroff(A_BOLD);
	}
	if (rows > y + 2)
		mvaddnstr(y + 2, 2, i18n_get(lang, I18N_FORM_KEYS), cols - 3);
	move(cy, cx);
	refresh();
}

static void put_char(struct field *f, wint_t ch)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0))
		return;
	size_t n = wcrtomb(mb, (wchar_t)ch, &st);
	size_t len = strlen(f->buf);
	if (n == (size_t)-1 || len + n >= f->size)
		return;
	memcpy(f->buf + len, mb, n);
	f->buf[len + n] = '\0';
	explicit_bzero(mb, sizeof(mb));
}

static void backspace(struct field *f)
{
	size_t len = strlen(f->buf);
	while (len > 0 && ((unsigned char)f->buf[len - 1] & 0xC0) == 0x80)
		f->buf[--len] = '\0';
	if (len > 0)
		f->buf[len - 1] = '\0';
}

int joinform_run(struct joinform *f, joinform_check_cb check, void *user)
{
	struct field fl[FIELDS] = {
		{ I18N_FORM_URL, f->url, sizeof(f->url), false },
		{ I18N_FORM_ROOM, f->room, sizeof(f->room), false },
		{ I18N_FORM_NAME, f->name, sizeof(f->name), false },
		{ I18N_FORM_PIN, f->pin, sizeof(f->pin), true },
	};
	char msg[256] = "";
	int cur = 0, rc = -ECANCELED;
	enum i18n_lang lang = i18n_lang_from_env();

	i18n_setup_ctype();
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return -ENOTTY;
	set_escdelay(25);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	for (;;) {
		draw(fl, cur, msg, lang);
		wint_t ch;
		int k = get_wch(&ch);
		if (k == ERR)
			continue;
		if (k == KEY_CODE_YES) {
			if (ch == KEY_DOWN)
				cur = (cur + 1) % FIELDS;
			else if (ch == KEY_UP || ch == KEY_BTAB)
				cur = (cur + FIELDS - 1) % FIELDS;
			else if (ch == KEY_BACKSPACE)
				backspace(&fl[cur]);
			else if (ch == KEY_ENTER)
				goto enter;
			continue;
		}
		if (ch == 27 || ch == 3) /* Esc, Ctrl-C */
			break;
		if (ch == '\t') {
			cur = (cur + 1) % FIELDS;
		} else if (ch == 127 || ch == 8) {
			backspace(&fl[cur]);
		} else if (ch == 21) { /* Ctrl-U */
			explicit_bzero(fl[cur].buf, fl[cur].size);
		} else if (ch == '\r' || ch == '\n') {
enter:
			if (cur < FIELDS - 1 && (!*f->url || (!*f->room && !strchr(f->url, ' ')))) {
				cur++;
				continue;
			}
			msg[0] = '\0';
			if (check(user, f, msg, sizeof(msg)) == 0) {
				rc = 0;
				break;
			}
		} else {
			put_char(&fl[cur], ch);
		}
	}
	erase();
	refresh();
	endwin();
	delscreen(scr);
	return rc;
}

void joinform_wipe(struct joinform *f)
{
	explicit_bzero(f, sizeof(*f));
}
