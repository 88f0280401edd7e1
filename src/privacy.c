/* Privacy notice text (see privacy.h). Every sentence states a fact the code guarantees, and
 * each optional sentence is there exactly when its setting is: a STUN/TURN server (host only,
 * never TURN credentials), publishing video, --log, --record, ws:// vs wss:// vs --insecure,
 * chat memory that cannot be locked. */
#include "src/privacy.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/lockpool.h"
#include "net/ws.h"
#include "src/jitsi/config.h"
#include "src/session.h"
#include "src/text.h"

void privacy_server_host(const struct cli_options *o, char *host, size_t hostlen)
{
	bool tls;
	char path[256];
	int port;
	struct jitsi_link link;
	if (o->jitsi && jitsi_link_parse(o->url, &link, NULL, 0) == 0)
		snprintf(host, hostlen, "%s", link.host);
	else if (!o->url || ws_parse_url(o->url, &tls, host, hostlen, &port, path, sizeof(path)) < 0)
		snprintf(host, hostlen, "?");
}

int privacy_read_operator_notice(const char *path, char **out, bool *cut, char *err,
				 size_t errlen)
{
	char *raw = NULL, *clean = NULL;
	size_t n = 0;
	struct stat st;
	int rc = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	*out = NULL;
	*cut = false;
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot read the operator's notice %.200s: %s", path,
			 strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(err, errlen, "the operator's notice %.200s is not a regular file", path);
		goto out;
	}
	raw = g_malloc(PRIVACY_OPERATOR_MAX + 1);
	while (n < PRIVACY_OPERATOR_MAX + 1) {
		ssize_t r = read(fd, raw + n, PRIVACY_OPERATOR_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot read the operator's notice %.200s: %s", path,
				 strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > PRIVACY_OPERATOR_MAX) {
		*cut = true;
		n = PRIVACY_OPERATOR_MAX;
		/* do not leave half a character at the cut */
		size_t k = n;
		while (k > 0 && n - k < 4 && ((unsigned char)raw[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)raw[k - 1] & 0xC0) == 0xC0)
			n = k - 1;
	}
	/* Sanitizing never grows text by more than U+FFFD (3 bytes) per input byte. */
	clean = g_malloc(3 * n + 1);
	text_sanitize(raw, n, clean, 3 * n + 1, true);
	*out = clean;
	clean = NULL;
out:
	g_free(raw);
	g_free(clean);
	close(fd);
	return rc;
}

static void line(GString *g, enum i18n_lang lang, enum i18n_msg msg, const char *a1,
		 const char *a2)
{
	char buf[1024];
	i18n_fmt(buf, sizeof(buf), lang, msg, a1, a2, NULL);
	g_string_append(g, buf);
	g_string_append_c(g, '\n');
}

static void item(GString *g, enum i18n_lang lang, enum i18n_msg msg, const char *a1)
{
	g_string_append(g, "  - ");
	line(g, lang, msg, a1, NULL);
}

/* "host:port" of a TURN URL turn[s]:[USER:PASSWORD@]HOST[:PORT][?...]: never the credentials. */
static void turn_host(const char *turn, char *out, size_t outlen)
{
	const char *at = strrchr(turn, '@');
	const char *h = at ? at + 1 : !strncmp(turn, "turns:", 6) ? turn + 6 :
				      !strncmp(turn, "turn:", 5)  ? turn + 5 : turn;
	size_t n = strcspn(h, "?");
	snprintf(out, outlen, "%.*s", (int)(n < 200 ? n : 200), h);
}

void privacy_probe_memory(const struct cli_options *o, size_t extra,
			  struct secmem_lock_info *mem)
{
	size_t n = o->participants > 1 ? (size_t)o->participants : 1;
	secmem_lock_probe(n * session_chat_locked_bytes() + LOCKPOOL_IDLE_BYTES + extra, mem);
}

/* The line naming the STUN/TURN servers (--stun/--turn) that also get your IP address. */
static void ice_servers(GString *g, const struct cli_options *o, enum i18n_lang lang)
{
	char extra[512] = "";
	if (o->stun)
		snprintf(extra, sizeof(extra), "%.200s", o->stun);
	if (o->turn) {
		char th[256];
		turn_host(o->turn, th, sizeof(th));
		size_t l = strlen(extra);
		snprintf(extra + l, sizeof(extra) - l, "%s%s", l ? ", " : "", th);
	}
	if (*extra)
		line(g, lang, I18N_NOTICE_ICE, extra, NULL);
}

int privacy_notice_build(const struct cli_options *o, enum i18n_lang lang,
			 const struct secmem_lock_info *mem, const char *operator_text,
			 bool operator_cut, char **out)
{
	GString *g = g_string_new(NULL);
	char host[256], room[32];
	bool tls = o->url && !strncmp(o->url, "wss://", 6);

	if (o->jitsi) { /* a Jitsi Meet link: what its backend does (src/jitsi/) */
		struct jitsi_link link;
		char err[160];
		if (jitsi_link_parse(o->url, &link, err, sizeof(err)) < 0) {
			g_string_free(g, TRUE);
			return -EINVAL; /* cli_parse took it: not reached */
		}
		bool plain = !link.tls || (o->xmpp_websocket && strncmp(o->xmpp_websocket, "wss://", 6));
		line(g, lang, I18N_NOTICE_INTRO, link.room, link.host);
		line(g, lang, I18N_NOTICE_JITSI, link.origin, o->name);
		if (o->video_source)
			line(g, lang, I18N_NOTICE_JITSI_VIDEO, o->video_source, NULL);
		else
			line(g, lang, I18N_NOTICE_JITSI_NO_VIDEO, NULL, NULL);
		if (o->xmpp_user)
			line(g, lang, I18N_NOTICE_JITSI_ACCOUNT, o->xmpp_user, NULL);
		else
			line(g, lang, I18N_NOTICE_JITSI_ANON, NULL, NULL);
		line(g, lang, I18N_NOTICE_JITSI_SEEN, NULL, NULL);
		if (!o->xmpp_focus || strcmp(o->xmpp_focus, "none")) /* none: not asked */
			line(g, lang, I18N_NOTICE_JITSI_FOCUS, NULL, NULL);
		line(g, lang, o->no_p2p ? I18N_NOTICE_JITSI_MEDIA_NO_P2P : I18N_NOTICE_JITSI_MEDIA,
		     NULL, NULL);
		ice_servers(g, o, lang);
		/* config.js is fetched unless all four --xmpp-* are given (src/jitsi/backend.c) */
		line(g, lang, o->xmpp_websocket && o->xmpp_domain && o->xmpp_muc && o->xmpp_focus
			      ? I18N_NOTICE_JITSI_NO_POLICY : I18N_NOTICE_JITSI_POLICY, NULL, NULL);
		line(g, lang, plain ? I18N_NOTICE_JITSI_PLAIN : o->insecure ? I18N_NOTICE_JITSI_TLS_INSECURE
									 : I18N_NOTICE_JITSI_TLS, NULL, NULL);
		g_string_append_c(g, '\n');
		goto kept;
	}
	privacy_server_host(o, host, sizeof(host));
	snprintf(room, sizeof(room), "%llu", (unsigned long long)o->room);
	line(g, lang, I18N_NOTICE_INTRO, room, host);
	line(g, lang, !o->room_type || !strcmp(o->room_type, "auto") ? I18N_NOTICE_ROOM_AUTO
		      : !strcmp(o->room_type, "videoroom") ? I18N_NOTICE_ROOM_VIDEOROOM
							  : I18N_NOTICE_ROOM_AUDIOBRIDGE, room, NULL);
	g_string_append_c(g, '\n');
	line(g, lang, I18N_NOTICE_SENT_TO, host, NULL);
	item(g, lang, I18N_NOTICE_NAME, o->name);
	item(g, lang, o->mute ? I18N_NOTICE_AUDIO_MUTED : I18N_NOTICE_AUDIO, NULL);
	if (o->video_source)
		item(g, lang, I18N_NOTICE_VIDEO_YES, o->video_source);
	else
		item(g, lang, I18N_NOTICE_VIDEO_NO, NULL);
	item(g, lang, I18N_NOTICE_CHAT, NULL);
	ice_servers(g, o, lang);
	line(g, lang, !tls ? I18N_NOTICE_WS_PLAIN : o->insecure ? I18N_NOTICE_WSS_INSECURE
								 : I18N_NOTICE_WSS, NULL, NULL);
	g_string_append_c(g, '\n');
kept:
	line(g, lang, I18N_NOTICE_KEPT, NULL, NULL);
	if (o->log)
		line(g, lang, I18N_NOTICE_LOG, o->log, NULL);
	if (o->record)
		line(g, lang, I18N_NOTICE_RECORD, o->record, NULL);
	if (mem->ok) {
		line(g, lang, I18N_NOTICE_MEMORY, NULL, NULL);
	} else {
		char lim[32], need[32];
		snprintf(lim, sizeof(lim), "%llu", mem->limit / 1024);
		snprintf(need, sizeof(need), "%llu", (mem->need + 1023) / 1024);
		line(g, lang, I18N_NOTICE_MEMORY_UNLOCKED, lim, need);
	}
	line(g, lang, I18N_NOTICE_OUTSIDE, NULL, NULL);
	g_string_append_c(g, '\n');
	line(g, lang, I18N_NOTICE_OPERATOR, NULL, NULL);
	if (operator_text) {
		line(g, lang, I18N_NOTICE_OPERATOR_HEAD, o->privacy_notice ? o->privacy_notice
									   : "?", NULL);
		g_string_append_c(g, '\n');
		g_string_append(g, operator_text);
		if (g->len && g->str[g->len - 1] != '\n')
			g_string_append_c(g, '\n');
		if (operator_cut) {
			char nbytes[16];
			snprintf(nbytes, sizeof(nbytes), "%d", PRIVACY_OPERATOR_MAX);
			line(g, lang, I18N_NOTICE_OPERATOR_CUT, nbytes, NULL);
		}
	} else {
		line(g, lang, I18N_NOTICE_OPERATOR_NONE, NULL, NULL);
	}
	*out = g_string_free(g, FALSE);
	return 0;
}

void privacy_print_notice(FILE *out, const struct cli_options *o)
{
	enum i18n_lang lang = i18n_lang_from_env();
	char *op = NULL, *text = NULL, err[300];
	bool cut = false;
	const char *title = i18n_get(lang, I18N_NOTICE_TITLE);

	if (o->privacy_notice &&
	    privacy_read_operator_notice(o->privacy_notice, &op, &cut, err, sizeof(err)) < 0)
		op = g_strdup_printf("(%s)", err);
	struct secmem_lock_info mem;
	privacy_probe_memory(o, 0, &mem);
	privacy_notice_build(o, lang, &mem, op, cut, &text);
	fprintf(out, "%s\n\n%s\n", title, text);
	g_free(text);
	g_free(op);
}
