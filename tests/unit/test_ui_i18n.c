/* Unit tests for the message catalogs (src/i18n.c) and the privacy notice built from them
 * (src/privacy.c): language choice in gettext's order, every message translated in every
 * language with exactly the English placeholders, placeholder expansion and truncation, and
 * a notice that follows the settings (host, name, muted, STUN/TURN without credentials,
 * --log, --record, ws/wss/--insecure, the operator's notice read bounded and sanitized), whose
 * transport sentence claims no protection over ws:// in any language, and whose memory
 * sentence says when chat memory cannot be locked. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "src/cli.h"
#include "src/i18n.h"
#include "src/privacy.h"

static void test_lang_pick(void **state)
{
	(void)state;
	assert_int_equal(i18n_lang_pick(NULL, NULL, NULL, NULL), I18N_EN);
	assert_int_equal(i18n_lang_pick(NULL, NULL, NULL, "de_DE.UTF-8"), I18N_DE);
	assert_int_equal(i18n_lang_pick(NULL, NULL, NULL, "it_IT"), I18N_IT);
	assert_int_equal(i18n_lang_pick(NULL, NULL, NULL, "ro_RO.UTF-8"), I18N_RO);
	assert_int_equal(i18n_lang_pick(NULL, NULL, NULL, "fr_FR.UTF-8"), I18N_EN);
	assert_int_equal(i18n_lang_pick(NULL, NULL, NULL, "C"), I18N_EN);
	assert_int_equal(i18n_lang_pick("", "", "", "de_AT@euro"), I18N_DE);
	/* LC_ALL beats LC_MESSAGES beats LANG */
	assert_int_equal(i18n_lang_pick(NULL, "it_IT.UTF-8", "ro_RO", "de_DE"), I18N_IT);
	assert_int_equal(i18n_lang_pick(NULL, NULL, "ro_RO", "de_DE"), I18N_RO);
	/* LANGUAGE's list beats the locale, first supported entry wins */
	assert_int_equal(i18n_lang_pick("fr:ro:de", NULL, NULL, "de_DE.UTF-8"), I18N_RO);
	assert_int_equal(i18n_lang_pick("fr", NULL, NULL, "it_IT.UTF-8"), I18N_IT);
	/* ... but not in the C locale, as in gettext */
	assert_int_equal(i18n_lang_pick("de", "C", NULL, "it_IT"), I18N_EN);
	assert_int_equal(i18n_lang_pick("de", NULL, NULL, "C.UTF-8"), I18N_EN);
	assert_int_equal(i18n_lang_pick("de", NULL, NULL, "POSIX"), I18N_EN);
	assert_int_equal(i18n_lang_pick("de", NULL, NULL, NULL), I18N_EN);
	assert_string_equal(i18n_lang_code(I18N_RO), "ro");
}

/* The placeholders of s as a bit set ({1} → bit 1). */
static unsigned placeholders(const char *s)
{
	unsigned set = 0;
	for (; *s; s++) {
		if (s[0] == '{' && s[1] == '{') {
			s++;
			continue;
		}
		if (s[0] == '{' && s[1] >= '1' && s[1] <= '9' && s[2] == '}')
			set |= 1u << (s[1] - '0');
	}
	return set;
}

static void test_catalog_complete(void **state)
{
	(void)state;
	for (int m = 0; m < I18N_MSG_COUNT; m++) {
		const char *en = i18n_raw(I18N_EN, (enum i18n_msg)m);
		assert_non_null(en);
		assert_true(*en);
		assert_true(g_utf8_validate(en, -1, NULL));
		for (int l = 0; l < I18N_LANG_COUNT; l++) {
			const char *s = i18n_raw((enum i18n_lang)l, (enum i18n_msg)m);
			if (!s || !*s || placeholders(s) != placeholders(en))
				fail_msg("message %d in %s: missing or placeholders differ", m,
					 i18n_lang_code((enum i18n_lang)l));
			assert_true(g_utf8_validate(s, -1, NULL));
			for (const char *p = s; *p; p++) /* no control characters in a catalog */
				assert_true((unsigned char)*p >= 0x20);
		}
	}
	assert_string_equal(i18n_get(I18N_DE, I18N_NOTICE_TITLE), "Datenschutzhinweis");
	assert_string_equal(i18n_get((enum i18n_lang)99, I18N_NOTICE_TITLE), "Privacy notice");
	assert_string_equal(i18n_get(I18N_EN, I18N_MSG_COUNT), "");
}

static void test_format(void **state)
{
	char out[64];
	const char *args[] = { "A", "BB" };
	(void)state;
	assert_int_equal(i18n_format(out, sizeof(out), "{2} then {1}", args, 2), 9);
	assert_string_equal(out, "BB then A");
	i18n_format(out, sizeof(out), "x{3}y {{1} {9", args, 2);
	assert_string_equal(out, "xy {1} {9");
	i18n_format(out, sizeof(out), "{1}{1}", args, 1);
	assert_string_equal(out, "AA");
	/* truncation never cuts a character: "é" is 2 bytes */
	i18n_format(out, 4, "aéé", NULL, 0);
	assert_string_equal(out, "aé");
	i18n_format(out, 3, "aé", NULL, 0);
	assert_string_equal(out, "a");
	assert_int_equal(i18n_format(out, 0, "abc", NULL, 0), 0);
	i18n_fmt(out, sizeof(out), I18N_IT, I18N_TITLE_ROOM, "7", "h", NULL);
	assert_string_equal(out, "stanza 7 su h");
}

static struct cli_options opts(char **argv, int argc)
{
	struct cli_options o;
	char err[256];
	assert_int_equal(cli_parse(argc, argv, &o, err, sizeof(err)), CLI_RUN);
	return o;
}

static char *notice(struct cli_options *o, enum i18n_lang lang, const char *op, bool cut)
{
	char *text = NULL;
	struct secmem_lock_info mem = { .ok = true, .unlimited = true };
	assert_int_equal(privacy_notice_build(o, lang, &mem, op, cut, &text), 0);
	assert_true(g_utf8_validate(text, -1, NULL));
	return text;
}

static void test_notice_follows_settings(void **state)
{
	(void)state;
	char *a1[] = { "ttymeet", "-n", "alice", "ws://meet.example.org:8188/janus", "42" };
	struct cli_options o = opts(a1, 5);
	char *t = notice(&o, I18N_EN, NULL, false);
	assert_non_null(strstr(t, "room 42 on meet.example.org"));
	assert_non_null(strstr(t, "\"alice\""));
	assert_non_null(strstr(t, "not encrypted (ws://)"));
	assert_non_null(strstr(t, "only while you are not muted;"));
	assert_non_null(strstr(t, "no video"));
	assert_non_null(strstr(t, "nothing on disk"));
	assert_non_null(strstr(t, "locked memory"));
	assert_non_null(strstr(t, "operator's own processing"));
	assert_non_null(strstr(t, "No notice from the operator"));
	assert_null(strstr(t, "--log"));
	assert_null(strstr(t, "--record"));
	assert_null(strstr(t, "--stun"));
	/* which Janus room the number is: by the server's answer, said in the status bar */
	assert_non_null(strstr(t, "Room 42 is the server's video room (each person's stream"));
	assert_non_null(strstr(t, "otherwise its audio bridge"));
	g_free(t);
	char *a1v[] = { "ttymeet", "--room-type", "videoroom", "ws://meet.example.org/", "42" };
	o = opts(a1v, 5);
	t = notice(&o, I18N_EN, NULL, false);
	assert_non_null(strstr(t, "Room 42 is the server's video room (--room-type videoroom): "
				  "it forwards your audio"));
	assert_null(strstr(t, "audio bridge"));
	g_free(t);
	char *a1a[] = { "ttymeet", "--room-type", "audiobridge", "ws://meet.example.org/", "42" };
	o = opts(a1a, 5);
	t = notice(&o, I18N_DE, NULL, false);
	assert_non_null(strstr(t, "Raum 42 ist die Audiobrücke des Servers"));
	assert_null(strstr(t, "Videoraum"));
	g_free(t);

	char *a2[] = { "ttymeet", "-n", "bob", "--mute", "--insecure", "--log", "/tmp/l.txt",
		       "--record", "/tmp/r.wav", "--stun", "stun.example.org:3478", "--turn",
		       "turn:user:hunter2@turn.example.org:3478?transport=udp",
		       "wss://meet.example.org/", "7" };
	o = opts(a2, 15);
	t = notice(&o, I18N_EN, NULL, false);
	assert_non_null(strstr(t, "(you join muted)"));
	assert_non_null(strstr(t, "NOT checked (--insecure)"));
	assert_non_null(strstr(t, "/tmp/l.txt (--log)"));
	assert_non_null(strstr(t, "/tmp/r.wav (--record)"));
	assert_non_null(strstr(t, "stun.example.org:3478, turn.example.org:3478 (--stun"));
	assert_null(strstr(t, "hunter2")); /* never the TURN credentials */
	assert_null(strstr(t, "user:"));
	g_free(t);
	t = notice(&o, I18N_DE, NULL, false);
	assert_non_null(strstr(t, "Raum 7 auf meet.example.org"));
	assert_non_null(strstr(t, "„bob“"));
	assert_null(strstr(t, "hunter2"));
	g_free(t);
	/* --turn without credentials (they come from --turn-file or TTYMEET_TURN): the host */
	char *a2b[] = { "ttymeet", "--turn", "turns:turn.example.org:5349", "--turn-file", "/f",
			"wss://meet.example.org/", "7" };
	o = opts(a2b, 7);
	t = notice(&o, I18N_EN, NULL, false);
	assert_non_null(strstr(t, "turn.example.org:5349 (--stun"));
	assert_null(strstr(t, "turns:"));
	g_free(t);

	char *a3[] = { "ttymeet", "wss://meet.example.org/", "7" };
	o = opts(a3, 3);
	t = notice(&o, I18N_IT, "Keep logs 30 days.\nContact: dpo@example.org", true);
	assert_non_null(strstr(t, "certificato verificato"));
	assert_non_null(strstr(t, "Keep logs 30 days.\nContact: dpo@example.org\n"));
	assert_non_null(strstr(t, "troncata dopo 16384 byte"));
	g_free(t);
}

static char *notice_mem(struct cli_options *o, enum i18n_lang lang,
			const struct secmem_lock_info *mem)
{
	char *text = NULL;
	assert_int_equal(privacy_notice_build(o, lang, mem, NULL, false, &text), 0);
	assert_true(g_utf8_validate(text, -1, NULL));
	return text;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Over ws:// the DTLS fingerprint comes unauthenticated: no language may call audio or chat
 * protected or encrypted then; each names the pin and the fingerprint swap. wss:// says the
 * certificate is checked, --insecure that the server's identity is not verified. */
/* A Jitsi Meet link: the notice names the room and host, says what ttymeet does there
 * (config.js, anonymous XMPP login, the participant list, the chat and the call: audio, no
 * video), and the
 * transport as the link and --xmpp-websocket make it; none of the Janus room text. */
static void test_notice_jitsi(void **state)
{
	(void)state;
	char *a1[] = { "ttymeet", "-n", "alice", "https://Meet.Example.org/TeamStandup" };
	struct cli_options o = opts(a1, 4);
	char *t = notice(&o, I18N_EN, NULL, false);
	assert_non_null(strstr(t, "room teamstandup on meet.example.org"));
	assert_non_null(strstr(t, "https://meet.example.org/config.js"));
	assert_non_null(strstr(t, "display name \"alice\""));
	assert_non_null(strstr(t, "its chat and its call."));
	assert_non_null(strstr(t, "No video is sent."));
	assert_null(strstr(t, "No audio"));
	assert_null(strstr(t, "Your video from"));
	g_free(t);
	/* --stun/--turn: those servers get the IP address too (never the TURN credentials) */
	char *as[] = { "ttymeet", "--stun", "stun.example.org:3478", "--turn",
		       "turn:user:hunter2@turn.example.org:3478", "https://meet.example.org/r" };
	o = opts(as, 6);
	t = notice(&o, I18N_EN, NULL, false);
	assert_non_null(strstr(t, "also sent to stun.example.org:3478, turn.example.org:3478"));
	assert_null(strstr(t, "hunter2"));
	g_free(t);
	/* --video-source: where the video goes, in every language */
	char *av[] = { "ttymeet", "--video-source", "testpattern", "https://meet.example.org/r" };
	o = opts(av, 4);
	for (int l = 0; l < I18N_LANG_COUNT; l++) {
		t = notice(&o, (enum i18n_lang)l, NULL, false);
		assert_non_null(strstr(t, "testpattern"));
		assert_non_null(strstr(t, "DTLS-SRTP"));
		assert_null(strstr(t, i18n_get((enum i18n_lang)l, I18N_NOTICE_JITSI_NO_VIDEO)));
		g_free(t);
	}
	o = opts(a1, 4);
	t = notice(&o, I18N_EN, NULL, false);
	assert_non_null(strstr(t, "the room's password if you give one, and your chat messages"));
	assert_non_null(strstr(t, "encrypted and its certificate checked (https://, wss://)"));
	assert_null(strstr(t, "audio bridge"));
	assert_null(strstr(t, "only while you are not muted"));
	g_free(t);
	char *a2[] = { "ttymeet", "--xmpp-websocket", "ws://10.0.0.1/xmpp-websocket",
		       "https://meet.example.org/r" };
	o = opts(a2, 4);
	t = notice(&o, I18N_EN, NULL, false);
	assert_non_null(strstr(t, "not encrypted (http://, ws://)"));
	g_free(t);
	char *a3[] = { "ttymeet", "--insecure", "https://meet.example.org/r" };
	o = opts(a3, 3);
	for (int l = 0; l < I18N_LANG_COUNT; l++) {
		t = notice(&o, (enum i18n_lang)l, NULL, false);
		assert_non_null(strstr(t, "--insecure"));
		assert_non_null(strstr(t, "config.js"));
		g_free(t);
	}
	char *a4[] = { "ttymeet", "http://10.0.0.1:5280/r" };
	o = opts(a4, 2);
	t = notice(&o, I18N_DE, NULL, false);
	assert_non_null(strstr(t, "nicht verschlüsselt (http://, ws://)"));
	g_free(t);
}

/* The Jitsi notice in every language: the login as it will be (anonymous, or the account
 * --xmpp-user names), our audio to the bridge and peer-to-peer as Jitsi does them (offered
 * by either client and taken by the other, or neither with --no-p2p), and where the deployment's privacy policy link comes from (or
 * that it will not be read). */
static void test_notice_jitsi_login_media_policy(void **state)
{
	(void)state;
	/* per language: anonymous, the account sentence, peer-to-peer, who offers it (either
	 * client), legalUrls.privacy, config.js not read, peer-to-peer neither offered nor taken */
	static const char *const w[I18N_LANG_COUNT][7] = {
		{ "anonymous", "You log in as bob.smith", "peer-to-peer",
		  "ttymeet or the other person's Jitsi client", "legalUrls.privacy",
		  "config.js is not read", "With --no-p2p, ttymeet neither offers nor takes" },
		{ "anonym", "Sie melden sich als bob.smith an", "Peer-to-Peer",
		  "ttymeet oder der Jitsi-Client der anderen Person", "legalUrls.privacy",
		  "config.js wird nicht gelesen", "Mit --no-p2p bietet ttymeet die direkte" },
		{ "anonimo", "Accedi come bob.smith", "peer-to-peer",
		  "ttymeet o il client Jitsi dell'altra persona", "legalUrls.privacy",
		  "config.js non viene letto", "Con --no-p2p ttymeet non offre né accetta" },
		{ "anonimă", "Vă autentificați ca bob.smith", "peer-to-peer",
		  "ttymeet sau clientul Jitsi al celeilalte persoane", "legalUrls.privacy",
		  "config.js nu este citit", "nici nu acceptă conexiunea directă" },
	};
	char *a1[] = { "ttymeet", "https://meet.example.org/r" };
	char *a2[] = { "ttymeet", "--xmpp-user", "bob.smith", "https://meet.example.org/r" };
	char *a3[] = { "ttymeet", "--xmpp-websocket", "wss://x.example/xmpp-websocket", "--xmpp-domain",
		       "x.example", "--xmpp-muc", "muc.x.example", "--xmpp-focus", "focus.x.example",
		       "https://meet.example.org/r" };
	struct cli_options o1 = opts(a1, 2), o2 = opts(a2, 4), o3 = opts(a3, 10);
	for (int l = 0; l < I18N_LANG_COUNT; l++) {
		char *t1 = notice(&o1, (enum i18n_lang)l, NULL, false);
		char *t2 = notice(&o2, (enum i18n_lang)l, NULL, false);
		char *t3 = notice(&o3, (enum i18n_lang)l, NULL, false);
		assert_non_null(strstr(t1, w[l][0]));
		assert_null(strstr(t1, w[l][1]));
		assert_non_null(strstr(t2, w[l][1]));
		assert_null(strstr(t2, w[l][0])); /* a login is not anonymous */
		assert_non_null(strstr(t2, "--xmpp-allow-plain"));
		for (int k = 0; k < 2; k++) {
			const char *t = k ? t2 : t1;
			assert_non_null(strstr(t, w[l][2]));
			assert_non_null(strstr(t, w[l][3]));
			assert_non_null(strstr(t, "IP"));
			assert_non_null(strstr(t, "DTLS-SRTP"));
			assert_non_null(strstr(t, w[l][4]));
			assert_null(strstr(t, w[l][5]));
			assert_null(strstr(t, w[l][6]));
		}
		char *a5[] = { "ttymeet", "--no-p2p", "https://meet.example.org/r" };
		struct cli_options o5 = opts(a5, 3);
		char *t5 = notice(&o5, (enum i18n_lang)l, NULL, false);
		assert_non_null(strstr(t5, w[l][6]));
		assert_null(strstr(t5, w[l][3]));
		g_free(t5);
		assert_non_null(strstr(t3, w[l][5]));
		assert_null(strstr(t3, w[l][4]));
		/* the room shows addresses, the lobby's moderators, the focus: said in each
		 * language; the focus not when --xmpp-focus none skips it */
		const char *seen = i18n_get((enum i18n_lang)l, I18N_NOTICE_JITSI_SEEN);
		const char *focus = i18n_get((enum i18n_lang)l, I18N_NOTICE_JITSI_FOCUS);
		assert_non_null(strstr(t1, seen));
		assert_non_null(strstr(t2, seen));
		assert_non_null(strstr(t1, focus));
		assert_non_null(strstr(seen, "XMPP") && strstr(seen, "--xmpp-user"));
		assert_non_null(strstr(focus, "ttymeet"));
		char *a4[] = { "ttymeet", "--xmpp-focus", "none", "https://meet.example.org/r" };
		struct cli_options o4 = opts(a4, 4);
		char *t4 = notice(&o4, (enum i18n_lang)l, NULL, false);
		assert_null(strstr(t4, focus));
		assert_non_null(strstr(t4, seen));
		g_free(t4);
		g_free(t1);
		g_free(t2);
		g_free(t3);
	}
}

static void test_notice_transport_modes(void **state)
{
	(void)state;
	/* per language: the stem of "encrypt", its only allowed (negated) use, the word for
	 * "protect", the word the ws:// text uses for the fingerprint, "not verified" */
	static const char *const words[I18N_LANG_COUNT][5] = {
		{ "encrypt", "not encrypted (ws://)", "protect", "fingerprint", "not verified" },
		{ "verschlüssel", "nicht verschlüsselt (ws://)", "schütz", "Fingerabdruck",
		  "nicht bestätigt" },
		{ "cifrat", "non è cifrata (ws://)", "protett", "impronta", "non è accertata" },
		{ "criptat", "nu este criptată (ws://)", "protejat", "amprenta",
		  "nu este confirmată" },
	};
	struct secmem_lock_info mem = { .ok = true, .unlimited = true };
	char *aws[] = { "ttymeet", "-n", "al", "ws://meet.example.org/", "7" };
	char *awss[] = { "ttymeet", "-n", "al", "wss://meet.example.org/", "7" };
	char *ains[] = { "ttymeet", "-n", "al", "--insecure", "wss://meet.example.org/", "7" };
	struct cli_options ows = opts(aws, 5), owss = opts(awss, 5), oins = opts(ains, 6);
	for (int l = 0; l < I18N_LANG_COUNT; l++) {
		const char *const *w = words[l];
		char *tws = notice_mem(&ows, (enum i18n_lang)l, &mem);
		char *twss = notice_mem(&owss, (enum i18n_lang)l, &mem);
		char *tins = notice_mem(&oins, (enum i18n_lang)l, &mem);
		gchar *lws = g_utf8_strdown(tws, -1);
		assert_string_not_equal(tws, twss);
		assert_string_not_equal(tws, tins);
		assert_string_not_equal(twss, tins);
		/* ws://: "encrypted" only in "not encrypted", nothing "protected", no DTLS claim */
		assert_int_equal(count(lws, w[0]), 1);
		assert_int_equal(count(tws, w[1]), 1);
		assert_int_equal(count(lws, w[2]), 0);
		assert_null(strstr(tws, "DTLS-SRTP"));
		assert_non_null(strstr(tws, "PIN") ? strstr(tws, "PIN") : strstr(tws, "pin"));
		assert_non_null(strstr(tws, w[3]));
		/* wss://: audio and chat encrypted (DTLS-SRTP), the certificate checked */
		assert_non_null(strstr(twss, "DTLS-SRTP"));
		assert_null(strstr(twss, "--insecure"));
		/* --insecure: identity not verified */
		assert_non_null(strstr(tins, "--insecure"));
		assert_non_null(strstr(tins, w[4]));
		assert_null(strstr(tins, "DTLS-SRTP"));
		g_free(lws);
		g_free(tws);
		g_free(twss);
		g_free(tins);
	}
}

/* When the chat memory cannot be locked the notice says so, with the limit and the need, in
 * every language; when it can, it says locked and names no limit. Both name the other copies
 * that are locked as well, and what is outside ttymeet's control. */
static void test_notice_memory(void **state)
{
	(void)state;
	static const char *const outside[I18N_LANG_COUNT] = {
		"Outside ttymeet's control", "Außerhalb der Kontrolle von ttymeet",
		"Fuori dal controllo di ttymeet", "În afara controlului ttymeet" };
	static const char *const unlocked[I18N_LANG_COUNT] = {
		"is NOT locked", "NICHT gesperrt", "NON è bloccata", "NU este blocată" };
	struct secmem_lock_info ok = { .ok = true, .limit = 8192 * 1024, .need = 266240 };
	struct secmem_lock_info no = { .ok = false, .limit = 0, .need = 266240 };
	char *a[] = { "ttymeet", "wss://meet.example.org/", "7" };
	struct cli_options o = opts(a, 3);
	for (int l = 0; l < I18N_LANG_COUNT; l++) {
		char *tok = notice_mem(&o, (enum i18n_lang)l, &ok);
		char *tno = notice_mem(&o, (enum i18n_lang)l, &no);
		assert_null(strstr(tok, "RLIMIT_MEMLOCK"));
		assert_null(strstr(tok, unlocked[l]));
		assert_non_null(strstr(tno, unlocked[l]));
		assert_non_null(strstr(tno, "RLIMIT_MEMLOCK"));
		assert_non_null(strstr(tno, " 0 KB"));
		assert_non_null(strstr(tno, "260 KB"));
		assert_non_null(strstr(tok, outside[l]));
		assert_non_null(strstr(tno, outside[l]));
		assert_non_null(strstr(tok, "usrsctp"));
		assert_non_null(strstr(tok, "ncurses"));
		/* the copies that are locked too (JSON, DTLS plaintext, SCTP, the headless line),
		 * and OpenSSL's buffers outside */
		const char *named[] = { "JSON", "DTLS", "SCTP", "--headless", "OpenSSL" };
		for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
			assert_non_null(strstr(tok, named[k]));
		assert_non_null(strstr(tno, "OpenSSL"));
		g_free(tok);
		g_free(tno);
	}
}

static void test_operator_notice_file(void **state)
{
	char path[] = "/tmp/ttm-notice-XXXXXX", err[256], *text = NULL;
	bool cut = true;
	(void)state;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *body = "Logs: 7 days\x1b]52;c;ZXZpbA==\x07\n\x1b[2JOK\xff\n";
	assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
	assert_int_equal(privacy_read_operator_notice(path, &text, &cut, err, sizeof(err)), 0);
	assert_false(cut);
	/* escapes gone, \xff became U+FFFD */
	assert_string_equal(text, "Logs: 7 days\nOK\xef\xbf\xbd\n");
	g_free(text);
	/* longer than the bound: cut, and no half character at the end */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	for (int i = 0; i < PRIVACY_OPERATOR_MAX; i += 2)
		assert_int_equal(write(fd, i == PRIVACY_OPERATOR_MAX - 1 ? "x" : "é", 2), 2);
	assert_int_equal(write(fd, "tail", 4), 4);
	assert_int_equal(privacy_read_operator_notice(path, &text, &cut, err, sizeof(err)), 0);
	assert_true(cut);
	assert_true(strlen(text) <= PRIVACY_OPERATOR_MAX);
	assert_true(g_utf8_validate(text, -1, NULL));
	assert_null(strstr(text, "\xef\xbf\xbd"));
	g_free(text);
	close(fd);
	unlink(path);
	/* missing file and not a regular file: errors with a reason */
	assert_true(privacy_read_operator_notice(path, &text, &cut, err, sizeof(err)) == -ENOENT);
	assert_non_null(strstr(err, path));
	assert_int_equal(privacy_read_operator_notice("/dev/null", &text, &cut, err, sizeof(err)),
			 -EINVAL);
	assert_null(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lang_pick),
		cmocka_unit_test(test_catalog_complete),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_notice_follows_settings),
		cmocka_unit_test(test_notice_jitsi),
		cmocka_unit_test(test_notice_jitsi_login_media_policy),
		cmocka_unit_test(test_notice_transport_modes),
		cmocka_unit_test(test_notice_memory),
		cmocka_unit_test(test_operator_notice_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
