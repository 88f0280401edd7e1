/* Message catalogs: every sentence the user reads (TUI, privacy notice) in English, German,
 * Italian and Romanian, from one table in i18n.c where each message has its four translations
 * side by side. Arguments are positional placeholders {1}..{9} (strings), never printf formats,
 * so a translation can reorder them and a catalog mistake cannot become a format-string bug.
 *
 * The language comes from the environment in gettext's order: LC_ALL, LC_MESSAGES, LANG give
 * the locale ("C"/"POSIX" means English and ignores LANGUAGE), then LANGUAGE's colon list may
 * override it; the first supported language wins, English is the fallback.
 * Pure except i18n_lang_from_env (reads the environment) and i18n_setup_ctype (sets LC_CTYPE,
 * process-wide: main thread, before any other thread starts).
 */
#ifndef TTM_SRC_I18N_H
#define TTM_SRC_I18N_H

#include <stdbool.h>
#include <stddef.h>

enum i18n_lang { I18N_EN, I18N_DE, I18N_IT, I18N_RO, I18N_LANG_COUNT };

enum i18n_msg {
	/* privacy notice */
	I18N_NOTICE_TITLE,
	I18N_NOTICE_INTRO,
	I18N_NOTICE_ROOM_AUTO,        /* which Janus room the number is (--room-type) */
	I18N_NOTICE_ROOM_AUDIOBRIDGE,
	I18N_NOTICE_ROOM_VIDEOROOM,
	I18N_NOTICE_SENT_TO,
	I18N_NOTICE_NAME,
	I18N_NOTICE_AUDIO,
	I18N_NOTICE_AUDIO_MUTED,
	I18N_NOTICE_VIDEO_NO,
	I18N_NOTICE_VIDEO_YES,
	I18N_NOTICE_CHAT,
	I18N_NOTICE_WS_PLAIN,
	I18N_NOTICE_WSS,
	I18N_NOTICE_WSS_INSECURE,
	I18N_NOTICE_JITSI,            /* a Jitsi Meet link: what ttymeet does there */
	I18N_NOTICE_JITSI_NO_VIDEO,   /* no --video-source */
	I18N_NOTICE_JITSI_VIDEO,      /* --video-source: where it goes */
	I18N_NOTICE_JITSI_PLAIN,
	I18N_NOTICE_JITSI_TLS,
	I18N_NOTICE_JITSI_TLS_INSECURE,
	I18N_NOTICE_JITSI_ANON,       /* anonymous login */
	I18N_NOTICE_JITSI_ACCOUNT,    /* --xmpp-user */
	I18N_NOTICE_JITSI_SEEN,       /* addresses shown in the room, the lobby's moderators */
	I18N_NOTICE_JITSI_FOCUS,      /* what the conference request tells the focus */
	I18N_NOTICE_JITSI_MEDIA,      /* our audio to the bridge; peer-to-peer taken */
	I18N_NOTICE_JITSI_MEDIA_NO_P2P, /* the same with --no-p2p: peer-to-peer declined */
	I18N_NOTICE_JITSI_POLICY,     /* config.js's legalUrls.privacy is shown once read */
	I18N_NOTICE_JITSI_NO_POLICY,  /* config.js not read */
	I18N_NOTICE_ICE,
	I18N_NOTICE_KEPT,
	I18N_NOTICE_LOG,
	I18N_NOTICE_RECORD,
	I18N_NOTICE_MEMORY,
	I18N_NOTICE_MEMORY_UNLOCKED,
	I18N_NOTICE_OUTSIDE,
	I18N_NOTICE_OPERATOR,
	I18N_NOTICE_OPERATOR_HEAD,
	I18N_NOTICE_OPERATOR_NONE,
	I18N_NOTICE_OPERATOR_CUT,
	I18N_NOTICE_KEYS_FIRST,
	I18N_NOTICE_KEYS_AGAIN,
	I18N_NOTICE_TOO_SMALL_ENTER,
	/* title and status bars */
	I18N_TITLE_ROOM,
	I18N_TITLE_PEOPLE,
	I18N_TITLE_HELP,
	I18N_ST_IDLE,
	I18N_ST_CONNECTING,
	I18N_ST_JOINED,
	I18N_ST_AUDIO_OK,
	I18N_ST_AUDIO_FAILED,
	I18N_ST_RECONNECTING,
	I18N_ST_LEFT,
	I18N_ST_MIC_ON,
	I18N_ST_ROOM_AUDIOBRIDGE, /* the kind of meeting joined, after the connection state */
	I18N_ST_ROOM_VIDEOROOM,
	I18N_ST_ROOM_JITSI,
	I18N_ST_MIC_OFF,
	I18N_ST_NO_MIC,
	I18N_ST_NO_SPEAKER,
	I18N_ST_PTT_IDLE,
	I18N_ST_PTT_TALK,
	I18N_ST_KBPS,
	I18N_ST_RTT,
	I18N_ST_LOSS,
	/* panes */
	I18N_ROSTER_TITLE,
	I18N_ROSTER_YOU,
	I18N_ROSTER_CHAT_ONLY,
	I18N_ROSTER_MODERATOR,
	I18N_ROSTER_MORE,
	I18N_VIDEO_TITLE,
	I18N_VIDEO_NONE,
	I18N_VIDEO_UNREAD,
	I18N_CHAT_TITLE,
	I18N_CHAT_UNREAD,
	I18N_CHAT_PRIVATE,
	I18N_CHAT_HISTORY,
	I18N_INPUT_PROMPT_HINT,
	I18N_TOO_SMALL,
	/* system lines in the chat pane */
	I18N_SYS_CONNECTING,
	I18N_SYS_JOINED,
	I18N_SYS_PEER_JOINED,
	I18N_SYS_PEER_JOINED_CHAT,
	I18N_SYS_PEER_LEFT,
	I18N_SYS_MUTED,
	I18N_SYS_MODERATOR,
	I18N_SYS_UNMUTED,
	I18N_SYS_PTT_ON,
	I18N_SYS_PTT_OFF,
	I18N_SYS_BELL_ON,
	I18N_SYS_BELL_OFF,
	I18N_SYS_DEVICES_HEAD,
	I18N_SYS_DEVICES_NONE,
	I18N_SYS_DEVICES_ERR,
	I18N_SYS_DEVICE_NONE,
	I18N_SYS_DEVICE_NO_MATCH,
	I18N_SYS_DEVICE_NO_INPUT,
	I18N_SYS_DEVICE_NO_OUTPUT,
	I18N_SYS_DEVICE_IN_OK,
	I18N_SYS_DEVICE_OUT_OK,
	I18N_SYS_DEVICE_IN_FAILED,
	I18N_SYS_DEVICE_OUT_FAILED,
	I18N_SYS_UNKNOWN_CMD,
	I18N_SYS_USAGE,
	I18N_SYS_NO_SUCH_PERSON,
	I18N_SYS_CHAT_QUEUED,
	I18N_SYS_CHAT_TOO_LONG,
	I18N_SYS_CHAT_FAILED,
	I18N_SYS_RECONNECTING,
	I18N_SYS_ERROR,
	I18N_SYS_AUDIO_OK,
	I18N_SYS_CHAT_OK,
	I18N_SYS_MEDIA_FAILED,
	I18N_SYS_LEAVING,
	I18N_SYS_PIN_NEEDED,
	I18N_SYS_PIN_WRONG,
	I18N_INPUT_PIN_PROMPT,
	I18N_FORM_TITLE,     /* the join form of bare `ttymeet` (ui/joinform.c) */
	I18N_FORM_NOT_SAVED,
	I18N_FORM_URL,
	I18N_FORM_ROOM,
	I18N_FORM_NAME,
	I18N_FORM_PIN,
	I18N_FORM_KEYS,
	I18N_SYS_VIDEO_SHOWING,
	I18N_SYS_VIDEO_STOPPED,
	I18N_SYS_VIDEO_OFF,
	I18N_SYS_VIDEO_ON,
	I18N_SYS_VIDEO_NO_SUCH,
	I18N_SYS_VIDEO_UNAVAILABLE,
	I18N_SYS_VIDEO_SIZE,
	I18N_SYS_VIDEO_IS_OFF,
	I18N_SYS_VIDEO_NOBODY,
	I18N_SYS_VIDEO_ONLY_ONE,
	I18N_SYS_VIDEO_NOBODY_ELSE,
	/* help screen */
	I18N_HELP_TITLE,
	I18N_HELP_MUTE,
	I18N_HELP_TOGGLE,
	I18N_HELP_PTT,
	I18N_HELP_MSG,
	I18N_HELP_DEVICES,
	I18N_HELP_BELL,
	I18N_HELP_VIDEO,
	I18N_HELP_VIDEO_SIZE,
	I18N_HELP_PRIVACY,
	I18N_HELP_HELP,
	I18N_HELP_QUIT,
	I18N_HELP_SCROLL,
	I18N_HELP_EDIT,
	I18N_HELP_SLASH,
	I18N_HELP_LEGEND,
	I18N_HELP_CLOSE,
	/* habits of terminal chats (issue 16) */
	I18N_CHAT_SCROLLED,
	I18N_CHAT_MARKER,
	I18N_SYS_NAMES,
	I18N_SYS_LASTLOG_HEAD,
	I18N_SYS_LASTLOG_NONE,
	I18N_SYS_AMBIGUOUS,
	I18N_HELP_CHAT,
	I18N_HELP_SUSPEND,
	I18N_SYS_NICK_UNSUPPORTED,
	I18N_SYS_NICK_NEEDS,
	I18N_SYS_NICK_BAD,
	I18N_SYS_NICK_LONG,
	I18N_SYS_NICK_SAME,
	I18N_SYS_NICK_BUSY,
	I18N_SYS_NICK_NOTCONN,
	I18N_SYS_NICK_OTHER,
	I18N_SYS_NICK_SELF,
	I18N_ST_GAVE_UP,
	I18N_SYS_RECONNECTED,
	I18N_SYS_GAVE_UP,
	I18N_SYS_RETRYING,
	I18N_STALE,
	I18N_VIDEO_FROZEN,
	I18N_ST_JOINED_NO_AUDIO, /* joined a meeting that brings us no audio (Jitsi, no media) */
	I18N_ST_WAIT_FOCUS,      /* waiting before the join (SESSION_EV_WAITING kinds) */
	I18N_ST_WAIT_HOST,
	I18N_ST_WAIT_LIVE,
	I18N_ST_WAIT_LOBBY,
	I18N_MSG_COUNT
};

/* The language for these variable values (NULL or "" = unset), in gettext's precedence. */
enum i18n_lang i18n_lang_pick(const char *language, const char *lc_all, const char *lc_messages,
			      const char *lang);
/* i18n_lang_pick with the process environment. */
enum i18n_lang i18n_lang_from_env(void);
/* "en", "de", "it", "ro". */
const char *i18n_lang_code(enum i18n_lang lang);
/* The message in lang as the catalog holds it: NULL or "" when the translation is missing
 * (for catalog checks; the UI uses i18n_get). */
const char *i18n_raw(enum i18n_lang lang, enum i18n_msg msg);
/* The message in lang (English if that translation is missing); never NULL. */
const char *i18n_get(enum i18n_lang lang, enum i18n_msg msg);
/* Expands {1}..{9} in tmpl with args[0..nargs) ("{{" is a literal "{"; a placeholder without
 * an argument expands to nothing) into out, truncated at a UTF-8 boundary and always
 * NUL-terminated when outlen > 0. Returns the length written. */
size_t i18n_format(char *out, size_t outlen, const char *tmpl, const char *const *args,
		   int nargs);
/* i18n_get + i18n_format with up to three arguments (NULL ends the list). */
size_t i18n_fmt(char *out, size_t outlen, enum i18n_lang lang, enum i18n_msg msg,
		const char *a1, const char *a2, const char *a3);
/* Sets LC_CTYPE from the environment; if that locale is not installed but the environment
 * asks for UTF-8, falls back to C.UTF-8 so the terminal still gets UTF-8. Returns true when
 * the resulting character set is UTF-8. */
bool i18n_setup_ctype(void);

#endif
