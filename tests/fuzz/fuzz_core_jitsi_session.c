/* Fuzz target: the Jitsi backend (src/jitsi/backend.c) behind a whole offline session: the
 * stream is brought to a bound resource with prosody-shaped messages, then the input, split at
 * NUL bytes, is fed as server messages (presences, iqs, anything). Whatever the bytes: no crash
 * or leak, and every string an event carries is free of control characters (clean_event.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "src/session.h"
#include "src/session_int.h"
#include "tests/fuzz/clean_event.h"

static int on_send(void *user, const char *text, size_t len)
{
	(void)user;
	if (strlen(text) != len)
		abort();
	return 0;
}

static void feed(struct session *s, GMainContext *ctx, const char *m, size_t n)
{
	session_offline_feed(s, m, n);
	while (g_main_context_iteration(ctx, FALSE))
		;
}

#define F(s, ctx, m) feed(s, ctx, m, strlen(m))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static GMainContext *ctx;
	struct session *s;
	if (!ctx)
		ctx = g_main_context_new();
	struct session_config cfg = {
		.url = "https://meet.example/room", .name = "alice",
		.xmpp_websocket = "wss://meet.example/xmpp-websocket", .xmpp_domain = "meet.example",
		.xmpp_muc = "conference.meet.example", .xmpp_focus = "focus.meet.example",
	};
	if (session_create(ctx, NULL, &cfg, clean_event_cb, NULL, &s) < 0)
		return 0;
	if (session_offline_start(s, on_send, NULL) < 0) {
		session_destroy(s);
		return 0;
	}
	while (g_main_context_iteration(ctx, FALSE))
		;
	F(s, ctx, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0'/>");
	F(s, ctx, "<features xmlns='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></features>");
	F(s, ctx, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
	F(s, ctx, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' version='1.0'/>");
	F(s, ctx, "<features xmlns='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></features>");
	F(s, ctx, "<iq xmlns='jabber:client' type='result' id='bind-ttm-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a@meet.example/r</jid></bind></iq>");
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		feed(s, ctx, p, n);
		p += n + 1;
	}
	session_leave(s, "user");
	for (int i = 0; i < 20 && !session_is_done(s); i++)
		g_main_context_iteration(ctx, FALSE);
	session_destroy(s);
	while (g_main_context_iteration(ctx, FALSE))
		;
	return 0;
}
