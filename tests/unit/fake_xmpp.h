/* The server's end of an XMPP stream for the unit tests of src/jitsi/ (the stream, SASL,
 * stream management, disco): what the stream sends is kept, its callbacks are counted,
 * server messages are fed as strings. Each test file keeps its own server messages.
 * Header only: one test program per file. */
#ifndef TTM_TESTS_UNIT_FAKE_XMPP_H
#define TTM_TESTS_UNIT_FAKE_XMPP_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "src/jitsi/xmpp.h"

#define FAKE_SENT 32

struct fake {
	char sent[FAKE_SENT][2048];
	int n_sent;        /* every send, also beyond FAKE_SENT (those are not kept) */
	char jid[256];     /* from the bound callback */
	int bound, failed, code, stanzas, resumed;
	char why[512];
	bool take_stanzas; /* the stanza callback's answer (true: handled) */
	int send_rc;       /* != 0: every send fails with it */
};

static int f_send(void *user, const char *text, size_t len)
{
	struct fake *f = user;
	if (f->send_rc)
		return f->send_rc;
	assert_true(len < sizeof(f->sent[0]));
	if (f->n_sent < FAKE_SENT) {
		memcpy(f->sent[f->n_sent], text, len);
		f->sent[f->n_sent][len] = '\0';
	}
	f->n_sent++;
	return 0;
}

static void f_bound(void *user, const char *jid)
{
	struct fake *f = user;
	f->bound++;
	snprintf(f->jid, sizeof(f->jid), "%s", jid);
}

static bool f_stanza(void *user, const struct xml_node *st)
{
	struct fake *f = user;
	(void)st;
	f->stanzas++;
	return f->take_stanzas;
}

static void f_failed(void *user, int code, const char *why)
{
	struct fake *f = user;
	f->failed++;
	f->code = code;
	snprintf(f->why, sizeof(f->why), "%s", why);
}

static void f_resumed(void *user)
{
	((struct fake *)user)->resumed++;
}

/* Without and with XEP-0198 resumption wanted. */
static const struct xmpp_cbs cbs = { f_send, f_bound, f_stanza, f_failed, NULL };
static const struct xmpp_cbs cbs_resume = { f_send, f_bound, f_stanza, f_failed, f_resumed };

static void feed(struct xmpp *x, const char *s)
{
	xmpp_feed(x, s, strlen(s));
}

/* The last message the stream sent. */
static inline const char *last(const struct fake *f)
{
	int i = f->n_sent < FAKE_SENT ? f->n_sent : FAKE_SENT;
	return i ? f->sent[i - 1] : "";
}

#endif
