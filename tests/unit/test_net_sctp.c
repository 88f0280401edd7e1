/* Unit tests for net/sctp (and net/dcep on top of it): two associations in one process wired
 * back to back through their send callbacks (no DTLS), on one GMainContext iterated with
 * deadlines. Association setup (both connect, or one passive side), messages both ways (small,
 * 60 KiB, at and over the limit, the receiver's own limit), many messages in order, loss and
 * retransmission driven by the timer tick, stream resets, shutdown and abort seen by the peer,
 * destroy from inside callbacks, garbage input, usrsctp re-initialisation, a second pair on
 * another thread's context, data channels (DCEP) over the association, and the whole stack
 * as ttymeet wires it: SCTP inside two real net/dtls endpoints.
 * Nothing here can hang: every wait has a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dcep.h"
#include "net/dtls.h"
#include "net/sctp.h"

#define MAX_MSGS 4096

struct msg {
	uint16_t stream;
	uint32_t ppid;
	size_t len;
	uint8_t *data;
};

struct end {
	const char *name;
	struct sctp_assoc *a;
	struct end *peer;
	struct sctp_assoc_config cfg;
	GThread *thread;		/* where callbacks must run */
	int wrong_thread;
	/* wire */
	unsigned int drop_every;	/* drop every n-th packet (0 = none) */
	unsigned int drop_first;	/* drop the first n packets */
	unsigned int npackets;
	size_t max_packet;
	/* events */
	int opened, closed, failed, too_big, writable, events_after_end;
	int fail_err;
	size_t too_big_len;
	int resets_in, resets_out;
	uint16_t reset_stream;
	struct msg msgs[MAX_MSGS];
	int nmsgs;
	/* behaviour */
	bool destroy_on_open, destroy_on_message, destroy_on_send, destroy_on_closed;
	bool destroyed;
	/* DCEP on top */
	struct dcep *dc;
	int dc_opened, dc_closed, dc_msgs;
	uint16_t dc_stream;
	char dc_label[DCEP_LABEL_MAX + 1];
	char dc_last[256];
	bool dc_last_binary;
};

static void destroy_end(struct end *e)
{
	sctp_assoc_destroy(e->a);
	e->a = NULL;
	e->destroyed = true;
}

static void send_cb(void *user, const uint8_t *buf, size_t len)
{
	struct end *e = user;
	unsigned int n = ++e->npackets;

	if (e->thread && g_thread_self() != e->thread)
		e->wrong_thread++;
	if (len > e->max_packet)
		e->max_packet = len;
	if (e->destroy_on_send) {
		destroy_end(e);
		return;
	}
	if (n <= e->drop_first || (e->drop_every && n % e->drop_every == 0))
		return;
	if (e->peer && e->peer->a)
		sctp_assoc_handle_packet(e->peer->a, buf, len);
}

static void event_cb(void *user, const struct sctp_assoc_event *ev)
{
	struct end *e = user;

	if (e->thread && g_thread_self() != e->thread)
		e->wrong_thread++;
	if (e->closed || e->failed)
		e->events_after_end++;
	if (e->dc)
		dcep_handle_sctp_event(e->dc, ev);
	switch (ev->type) {
	case SCTP_ASSOC_EV_OPEN:
		e->opened++;
		if (e->destroy_on_open)
			destroy_end(e);
		break;
	case SCTP_ASSOC_EV_MESSAGE:
		if (e->nmsgs < MAX_MSGS) {
			struct msg *m = &e->msgs[e->nmsgs++];

			m->stream = ev->stream;
			m->ppid = ev->ppid;
			m->len = ev->len;
			m->data = malloc(ev->len);
			if (m->data)
				memcpy(m->data, ev->data, ev->len);
		}
		if (e->destroy_on_message)
			destroy_end(e);
		break;
	case SCTP_ASSOC_EV_TOO_BIG:
		e->too_big++;
		e->too_big_len = ev->len;
		break;
	case SCTP_ASSOC_EV_STREAM_RESET:
		if (ev->incoming)
			e->resets_in++;
		else
			e->resets_out++;
		e->reset_stream = ev->stream;
		break;
	case SCTP_ASSOC_EV_WRITABLE:
		e->writable++;
		break;
	case SCTP_ASSOC_EV_CLOSED:
		e->closed++;
		if (e->destroy_on_closed)
			destroy_end(e);
		break;
	case SCTP_ASSOC_EV_FAILED:
		e->failed++;
		e->fail_err = ev->err;
		break;
	}
}

static void clear_msgs(struct end *e)
{
	for (int i = 0; i < e->nmsgs; i++)
		free(e->msgs[i].data);
	e->nmsgs = 0;
}

static void end_init(struct end *e, const char *name)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->cfg.send_cb = send_cb;
	e->cfg.event_cb = event_cb;
	e->cfg.user = e;
}

static void end_fini(struct end *e)
{
	dcep_destroy(e->dc);
	e->dc = NULL;
	if (e->a)
		destroy_end(e);
	clear_msgs(e);
}

/* A fresh context and two unconnected ends named a and b. */
static GMainContext *pair_start(struct end *a, struct end *b)
{
	end_init(a, "a");
	end_init(b, "b");
	return g_main_context_new();
}

static void pair_stop(GMainContext *ctx, struct end *a, struct end *b)
{
	end_fini(a);
	end_fini(b);
	g_main_context_unref(ctx);
}

static void pair_create(GMainContext *ctx, struct end *a, struct end *b)
{
	a->peer = b;
	b->peer = a;
	assert_int_equal(sctp_assoc_create(ctx, &a->cfg, &a->a), 0);
	assert_int_equal(sctp_assoc_create(ctx, &b->cfg, &b->a), 0);
	assert_int_equal(sctp_assoc_get_state(a->a), SCTP_ASSOC_STATE_NEW);
}

static gboolean tick(gpointer data)
{
	return G_SOURCE_CONTINUE;
}

/* Iterates ctx until pred(arg) holds or timeout_ms passes; returns pred's final value. */
static bool pump(GMainContext *ctx, bool (*pred)(void *), void *arg, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	GSource *t = g_timeout_source_new(20);
	bool ok;

	g_source_set_callback(t, tick, NULL, NULL);
	g_source_attach(t, ctx);
	while (!(ok = pred ? pred(arg) : false) && g_get_monotonic_time() < deadline)
		g_main_context_iteration(ctx, TRUE);
	g_source_destroy(t);
	g_source_unref(t);
	return ok;
}

static bool both_open(void *arg)
{
	struct end *a = arg;

	return a->opened && a->peer->opened;
}

static bool both_ended(void *arg)
{
	struct end *a = arg;

	return (a->closed || a->failed) && (a->peer->closed || a->peer->failed);
}

static bool has_ended(void *arg)
{
	struct end *e = arg;

	return e->closed || e->failed;
}

struct want {
	struct end *e;
	int n;
};

static bool has_msgs(void *arg)
{
	struct want *w = arg;

	return w->e->nmsgs >= w->n;
}

static void connect_pair(GMainContext *ctx, struct end *a, struct end *b, bool both)
{
	pair_create(ctx, a, b);
	assert_int_equal(sctp_assoc_connect(a->a), 0);
	if (both)
		assert_int_equal(sctp_assoc_connect(b->a), 0);
	assert_true(pump(ctx, both_open, a, 5000));
	assert_int_equal(sctp_assoc_get_state(a->a), SCTP_ASSOC_STATE_OPEN);
	assert_int_equal(sctp_assoc_get_state(b->a), SCTP_ASSOC_STATE_OPEN);
}

static int send_text(struct end *e, uint16_t stream, const char *s)
{
	return sctp_assoc_send(e->a, stream, DCEP_PPID_STRING, (const uint8_t *)s, strlen(s));
}

static void assert_msg(const struct end *e, int i, uint16_t stream, uint32_t ppid,
		       const void *data, size_t len)
{
	assert_true(i < e->nmsgs);
	assert_int_equal(e->msgs[i].stream, stream);
	assert_int_equal(e->msgs[i].ppid, ppid);
	assert_int_equal(e->msgs[i].len, len);
	assert_memory_equal(e->msgs[i].data, data, len);
}

static void fill(uint8_t *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31 + seed + (i >> 8));
}

/* ---- tests ---- */

static void test_config(void **state)
{
	struct end e;
	struct sctp_assoc *a = NULL;

	end_init(&e, "e");
	assert_int_equal(sctp_assoc_create(NULL, NULL, &a), -EINVAL);
	assert_int_equal(sctp_assoc_create(NULL, &e.cfg, NULL), -EINVAL);
	e.cfg.mtu = 100;
	assert_int_equal(sctp_assoc_create(NULL, &e.cfg, &a), -EINVAL);
	e.cfg.mtu = 0;
	e.cfg.max_message = SCTP_ASSOC_MAX_MAX_MESSAGE + 1;
	assert_int_equal(sctp_assoc_create(NULL, &e.cfg, &a), -EINVAL);
	e.cfg.max_message = 0;
	e.cfg.send_cb = NULL;
	assert_int_equal(sctp_assoc_create(NULL, &e.cfg, &a), -EINVAL);
	assert_null(a);
	e.cfg.send_cb = send_cb;
	assert_int_equal(sctp_assoc_create(NULL, &e.cfg, &a), 0);
	assert_int_equal(sctp_assoc_shutdown(a), -ENOTCONN);
	assert_int_equal(sctp_assoc_send(a, 0, 51, (const uint8_t *)"x", 1), -ENOTCONN);
	assert_int_equal(sctp_assoc_reset_stream(a, 1), -ENOTCONN);
	assert_int_equal(sctp_assoc_get_streams(a, NULL, NULL), -ENOTCONN);
	assert_int_equal(sctp_assoc_connect(a), 0);
	assert_int_equal(sctp_assoc_connect(a), -EALREADY);
	assert_int_equal(sctp_assoc_get_state(a), SCTP_ASSOC_STATE_CONNECTING);
	assert_int_equal(sctp_assoc_shutdown(a), -ENOTCONN);
	sctp_assoc_destroy(a);
	sctp_assoc_destroy(NULL);
	assert_string_equal(sctp_assoc_state_name(SCTP_ASSOC_STATE_OPEN), "open");
	assert_string_equal(sctp_assoc_state_name(SCTP_ASSOC_STATE_FAILED), "failed");
}

static void test_connect_both(void **state)
{
	struct end a, b;
	GMainContext *ctx = pair_start(&a, &b);
	uint16_t in = 0, out = 0;

	connect_pair(ctx, &a, &b, true);
	assert_int_equal(a.opened, 1);
	assert_int_equal(b.opened, 1);
	assert_int_equal(sctp_assoc_get_streams(a.a, &in, &out), 0);
	assert_int_equal(in, SCTP_ASSOC_DEFAULT_STREAMS);
	assert_int_equal(out, SCTP_ASSOC_DEFAULT_STREAMS);
	assert_true(a.max_packet > 0 && a.max_packet <= SCTP_ASSOC_DEFAULT_MTU);
	pair_stop(ctx, &a, &b);
}

static void test_passive_side(void **state)
{
	struct end a, b;
	GMainContext *ctx = pair_start(&a, &b);
	struct sctp_assoc_stats st;

	b.cfg.streams = 16;
	connect_pair(ctx, &a, &b, false);	/* b never calls sctp_assoc_connect */
	assert_int_equal(sctp_assoc_connect(b.a), -EALREADY);
	uint16_t in = 0, out = 0;
	assert_int_equal(sctp_assoc_get_streams(a.a, &in, &out), 0);
	assert_int_equal(out, 16);		/* b allows only 16 incoming streams */
	assert_int_equal(send_text(&a, 20, "no such stream"), -EINVAL);
	sctp_assoc_get_stats(b.a, &st);
	assert_true(st.packets_in > 0 && st.packets_out > 0);
	pair_stop(ctx, &a, &b);
}

static void test_messages(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct end a, b;
	size_t big = 60 * 1024, max = SCTP_ASSOC_DEFAULT_MAX_MESSAGE;
	uint8_t *buf = malloc(max + 1);
	struct want w;

	assert_non_null(buf);
	end_init(&a, "a");
	end_init(&b, "b");
	connect_pair(ctx, &a, &b, true);

	assert_int_equal(send_text(&a, 0, "hello from a"), 0);
	assert_int_equal(send_text(&b, 1, "hello from b"), 0);
	fill(buf, big, 7);
	assert_int_equal(sctp_assoc_send(a.a, 2, DCEP_PPID_BINARY, buf, big), 0);
	fill(buf, max, 9);
	assert_int_equal(sctp_assoc_send(b.a, 3, DCEP_PPID_BINARY, buf, max), 0);
	assert_int_equal(sctp_assoc_send(a.a, 0, DCEP_PPID_BINARY, buf, max + 1), -EMSGSIZE);
	assert_int_equal(sctp_assoc_send(a.a, 0, DCEP_PPID_BINARY, buf, 0), -EINVAL);
	assert_int_equal(sctp_assoc_send(a.a, SCTP_ASSOC_ALL_STREAMS, 51, buf, 1), -EINVAL);
	w = (struct want){ &b, 2 };
	assert_true(pump(ctx, has_msgs, &w, 5000));
	w = (struct want){ &a, 2 };
	assert_true(pump(ctx, has_msgs, &w, 5000));

	assert_msg(&b, 0, 0, DCEP_PPID_STRING, "hello from a", 12);
	fill(buf, big, 7);
	assert_msg(&b, 1, 2, DCEP_PPID_BINARY, buf, big);
	assert_msg(&a, 0, 1, DCEP_PPID_STRING, "hello from b", 12);
	fill(buf, max, 9);
	assert_msg(&a, 1, 3, DCEP_PPID_BINARY, buf, max);
	assert_true(a.max_packet <= SCTP_ASSOC_DEFAULT_MTU && b.max_packet <= SCTP_ASSOC_DEFAULT_MTU);
	assert_int_equal(a.too_big + b.too_big, 0);
	free(buf);
	pair_stop(ctx, &a, &b);
}

static void test_receiver_limit(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct end a, b;
	size_t len = 100 * 1024;
	uint8_t *buf = malloc(len);
	struct want w = { &b, 1 };

	assert_non_null(buf);
	end_init(&a, "a");
	end_init(&b, "b");
	a.cfg.max_message = 256 * 1024;		/* a would send more than b takes */
	a.cfg.mtu = 1400;
	connect_pair(ctx, &a, &b, true);
	fill(buf, len, 3);
	assert_int_equal(sctp_assoc_send(a.a, 4, DCEP_PPID_BINARY, buf, len), 0);
	assert_int_equal(send_text(&a, 4, "after"), 0);
	assert_true(pump(ctx, has_msgs, &w, 5000));
	assert_int_equal(b.too_big, 1);
	assert_true(b.too_big_len > SCTP_ASSOC_DEFAULT_MAX_MESSAGE && b.too_big_len <= len);
	assert_int_equal(b.nmsgs, 1);
	assert_msg(&b, 0, 4, DCEP_PPID_STRING, "after", 5);
	assert_int_equal(sctp_assoc_get_state(b.a), SCTP_ASSOC_STATE_OPEN);
	assert_true(a.max_packet <= 1400 && a.max_packet > SCTP_ASSOC_DEFAULT_MTU);
	assert_true(b.max_packet <= SCTP_ASSOC_DEFAULT_MTU);
	free(buf);
	pair_stop(ctx, &a, &b);
}

struct sender {
	struct end *e;
	uint16_t stream;
	int next, total, eagain;
	size_t pad;			/* message length, at least the numbered prefix */
};

/* The i-th test message: "message 000042 " then filler up to pad bytes. */
static size_t make_text(int i, size_t pad, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "message %06d", i);

	for (; n < pad && n + 1 < cap; n++)
		buf[n] = (char)('a' + (i + n) % 26);
	buf[n] = '\0';
	return n;
}

static bool send_more(void *arg)
{
	struct sender *s = arg;
	char text[2048];

	while (s->next < s->total) {
		int ret;

		make_text(s->next, s->pad, text, sizeof(text));
		ret = send_text(s->e, s->stream, text);
		if (ret == -EAGAIN) {
			s->eagain++;
			return false;
		}
		assert_int_equal(ret, 0);
		s->next++;
	}
	return s->e->peer->nmsgs >= s->total;
}

static void assert_in_order(const struct end *e, int total, uint16_t stream, size_t pad)
{
	char text[2048];

	assert_int_equal(e->nmsgs, total);
	for (int i = 0; i < total; i++) {
		size_t n = make_text(i, pad, text, sizeof(text));

		assert_msg(e, i, stream, DCEP_PPID_STRING, text, n);
	}
}

static void test_many_in_order(void **state)
{
	struct end a, b;
	GMainContext *ctx = pair_start(&a, &b);
	struct sender s = { &a, 5, 0, 3000, 0, 1000 };	/* 3 MB: more than the send buffer */

	connect_pair(ctx, &a, &b, true);
	assert_true(pump(ctx, send_more, &s, 20000));
	assert_in_order(&b, s.total, 5, s.pad);
	assert_true(s.eagain > 0);
	assert_true(a.writable > 0);
	pair_stop(ctx, &a, &b);
}

static void test_loss(void **state)
{
	struct end a, b;
	GMainContext *ctx = pair_start(&a, &b);
	struct sender s = { &a, 1, 0, 300, 0, 300 };

	connect_pair(ctx, &a, &b, true);
	a.npackets = b.npackets = 0;
	a.drop_every = 5;
	b.drop_every = 4;
	assert_true(pump(ctx, send_more, &s, 30000));
	assert_in_order(&b, s.total, 1, s.pad);
	assert_true(a.npackets >= 2 * a.drop_every && b.npackets >= 2 * b.drop_every);
	pair_stop(ctx, &a, &b);
}

static void test_init_retransmitted(void **state)
{
	struct end a, b;
	GMainContext *ctx = pair_start(&a, &b);
	gint64 t0;

	a.drop_first = 1;		/* the first INIT is lost: only a timer can recover */
	pair_create(ctx, &a, &b);
	t0 = g_get_monotonic_time();
	assert_int_equal(sctp_assoc_connect(a.a), 0);
	assert_true(pump(ctx, both_open, &a, 8000));
	assert_true(g_get_monotonic_time() - t0 >= 500 * 1000);	/* RTO.Initial is 1 s */
	pair_stop(ctx, &a, &b);
}

static void test_stream_reset(void **state)
{
	struct end a, b;
	GMainContext *ctx = pair_start(&a, &b);
	struct want w = { &b, 1 };

	connect_pair(ctx, &a, &b, true);
	assert_int_equal(send_text(&a, 3, "before reset"), 0);
	assert_int_equal(sctp_assoc_reset_stream(a.a, 3), 0);
	assert_int_equal(sctp_assoc_reset_stream(a.a, SCTP_ASSOC_ALL_STREAMS), -EINVAL);
	assert_true(pump(ctx, has_msgs, &w, 5000));
	gint64 deadline = g_get_monotonic_time() + 5000 * 1000;
	while ((b.resets_in == 0 || a.resets_out == 0) && g_get_monotonic_time() < deadline)
		g_main_context_iteration(ctx, FALSE), g_usleep(1000);
	assert_int_equal(b.resets_in, 1);
	assert_int_equal(b.reset_stream, 3);
	assert_int_equal(a.resets_out, 1);
	assert_int_equal(a.reset_stream, 3);
	assert_msg(&b, 0, 3, DCEP_PPID_STRING, "before reset", 12);
	pair_stop(ctx, &a, &b);
}

static void test_shutdown(void **state)
{
	struct end a, b;
	GMainContext *ctx = pair_start(&a, &b);

	connect_pair(ctx, &a, &b, true);
	assert_int_equal(send_text(&a, 0, "last words"), 0);
	assert_int_equal(sctp_assoc_shutdown(a.a), 0);
	assert_int_equal(sctp_assoc_get_state(a.a), SCTP_ASSOC_STATE_CLOSING);
	assert_int_equal(send_text(&a, 0, "too late"), -ENOTCONN);
	assert_true(pump(ctx, both_ended, &a, 5000));
	assert_int_equal(a.closed, 1);
	assert_int_equal(b.closed, 1);
	assert_int_equal(a.failed + b.failed, 0);
	assert_int_equal(b.nmsgs, 1);		/* queued data is delivered before SHUTDOWN */
	assert_msg(&b, 0, 0, DCEP_PPID_STRING, "last words", 10);
	assert_int_equal(sctp_assoc_get_state(b.a), SCTP_ASSOC_STATE_CLOSED);
	assert_int_equal(send_text(&b, 0, "closed"), -ENOTCONN);
	assert_int_equal(sctp_assoc_shutdown(b.a), 0);
	pump(ctx, NULL, NULL, 50);
	assert_int_equal(a.events_after_end + b.events_after_end, 0);
	pair_stop(ctx, &a, &b);
}

static void test_abort_on_destroy(void **state)
{
	struct end a, b;
	GMainContext *ctx = pair_start(&a, &b);

	connect_pair(ctx, &a, &b, true);
	destroy_end(&a);		/* the ABORT goes out through a's send_cb */
	assert_true(pump(ctx, has_ended, &b, 2000));
	assert_int_equal(b.failed, 1);
	assert_int_equal(b.fail_err, -ECONNRESET);
	assert_int_equal(a.failed + a.closed, 0);	/* no event after destroy */
	assert_int_equal(sctp_assoc_get_state(b.a), SCTP_ASSOC_STATE_FAILED);
	pair_stop(ctx, &a, &b);
}

static void test_destroy_in_callbacks(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct end a, b;
	struct want w;

	/* on OPEN */
	end_init(&a, "a");
	end_init(&b, "b");
	a.destroy_on_open = true;
	pair_create(ctx, &a, &b);
	assert_int_equal(sctp_assoc_connect(a.a), 0);
	assert_true(pump(ctx, has_ended, &b, 5000));
	assert_true(a.destroyed);
	assert_int_equal(a.opened, 1);
	end_fini(&a);
	end_fini(&b);

	/* on MESSAGE, with more queued behind it */
	end_init(&a, "a");
	end_init(&b, "b");
	b.destroy_on_message = true;
	connect_pair(ctx, &a, &b, true);
	for (int i = 0; i < 5; i++)
		assert_int_equal(send_text(&a, 0, "x"), 0);
	w = (struct want){ &b, 1 };
	assert_true(pump(ctx, has_msgs, &w, 5000));
	assert_true(b.destroyed);
	pump(ctx, NULL, NULL, 100);
	assert_int_equal(b.nmsgs, 1);
	end_fini(&a);
	end_fini(&b);

	/* inside send_cb, and on CLOSED */
	end_init(&a, "a");
	end_init(&b, "b");
	b.destroy_on_closed = true;
	connect_pair(ctx, &a, &b, true);
	assert_int_equal(sctp_assoc_shutdown(a.a), 0);
	assert_true(pump(ctx, both_ended, &a, 5000));
	assert_true(b.destroyed);
	end_fini(&b);
	end_fini(&a);

	end_init(&a, "a");
	end_init(&b, "b");
	a.destroy_on_send = true;
	pair_create(ctx, &a, &b);
	assert_int_equal(sctp_assoc_connect(a.a), 0);
	pump(ctx, NULL, NULL, 100);
	assert_true(a.destroyed);
	assert_int_equal(a.npackets, 1);
	pair_stop(ctx, &a, &b);
}

static void test_garbage(void **state)
{
	struct end a, b;
	GMainContext *ctx = pair_start(&a, &b);
	uint8_t junk[1500];
	struct want w = { &b, 1 };
	GRand *r = g_rand_new_with_seed(42);

	connect_pair(ctx, &a, &b, true);
	assert_int_equal(sctp_assoc_handle_packet(b.a, junk, 0), -EINVAL);
	assert_int_equal(sctp_assoc_handle_packet(b.a, NULL, 5), -EINVAL);
	assert_int_equal(sctp_assoc_handle_packet(b.a, junk, SCTP_ASSOC_MAX_PACKET + 1),
			 -EMSGSIZE);
	for (int i = 0; i < 2000; i++) {
		size_t len = 1 + g_rand_int_range(r, 0, sizeof(junk));

		for (size_t j = 0; j < len; j++)
			junk[j] = (uint8_t)g_rand_int(r);
		if (i & 1)	/* real ports and a plausible header, random chunks */
			junk[0] = 0x13, junk[1] = 0x88, junk[2] = 0x13, junk[3] = 0x88;
		assert_int_equal(sctp_assoc_handle_packet(b.a, junk, len), 0);
	}
	pump(ctx, NULL, NULL, 50);
	assert_int_equal(send_text(&a, 0, "still alive"), 0);
	assert_true(pump(ctx, has_msgs, &w, 5000));
	assert_msg(&b, 0, 0, DCEP_PPID_STRING, "still alive", 11);
	assert_int_equal(b.failed, 0);
	g_rand_free(r);
	pair_stop(ctx, &a, &b);
}

static void test_reinit_and_two_pairs(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct end a, b, c, d;
	struct want w;

	for (int round = 0; round < 3; round++) {	/* usrsctp finished and set up again */
		end_init(&a, "a");
		end_init(&b, "b");
		connect_pair(ctx, &a, &b, true);
		assert_int_equal(send_text(&a, 0, "round"), 0);
		w = (struct want){ &b, 1 };
		assert_true(pump(ctx, has_msgs, &w, 5000));
		end_fini(&a);
		end_fini(&b);
	}
	/* two associations at once, same ports: each message reaches its own peer */
	end_init(&a, "a");
	end_init(&b, "b");
	end_init(&c, "c");
	end_init(&d, "d");
	connect_pair(ctx, &a, &b, true);
	connect_pair(ctx, &c, &d, false);
	assert_int_equal(send_text(&a, 0, "to b"), 0);
	assert_int_equal(send_text(&c, 0, "to d"), 0);
	assert_int_equal(send_text(&d, 0, "to c"), 0);
	w = (struct want){ &b, 1 };
	assert_true(pump(ctx, has_msgs, &w, 5000));
	w = (struct want){ &d, 1 };
	assert_true(pump(ctx, has_msgs, &w, 5000));
	w = (struct want){ &c, 1 };
	assert_true(pump(ctx, has_msgs, &w, 5000));
	assert_msg(&b, 0, 0, DCEP_PPID_STRING, "to b", 4);
	assert_msg(&d, 0, 0, DCEP_PPID_STRING, "to d", 4);
	assert_msg(&c, 0, 0, DCEP_PPID_STRING, "to c", 4);
	assert_int_equal(a.nmsgs, 0);
	destroy_end(&a);
	assert_true(pump(ctx, has_ended, &b, 2000));
	assert_int_equal(c.failed + d.failed, 0);
	assert_int_equal(send_text(&c, 0, "unaffected"), 0);
	w = (struct want){ &d, 2 };
	assert_true(pump(ctx, has_msgs, &w, 5000));
	end_fini(&a);
	end_fini(&b);
	end_fini(&c);
	end_fini(&d);
	g_main_context_unref(ctx);
}

/* A second pair lives on another thread's context while the main one runs: usrsctp's timer
 * tick and callbacks may come from either thread, yet each end sees its own thread only. */
struct worker {
	struct end a, b;
	struct sender s;
	bool ok;
};

static gpointer worker_main(gpointer arg)
{
	struct worker *wk = arg;
	GMainContext *ctx = g_main_context_new();

	g_main_context_push_thread_default(ctx);
	wk->a.thread = wk->b.thread = g_thread_self();
	wk->a.peer = &wk->b;
	wk->b.peer = &wk->a;
	if (sctp_assoc_create(ctx, &wk->a.cfg, &wk->a.a) == 0 &&
	    sctp_assoc_create(ctx, &wk->b.cfg, &wk->b.a) == 0 && sctp_assoc_connect(wk->a.a) == 0 &&
	    pump(ctx, both_open, &wk->a, 5000)) {
		wk->s = (struct sender){ &wk->a, 2, 0, 500, 0, 0 };
		wk->ok = pump(ctx, send_more, &wk->s, 15000);
	}
	sctp_assoc_destroy(wk->a.a);
	sctp_assoc_destroy(wk->b.a);
	wk->a.a = wk->b.a = NULL;
	g_main_context_pop_thread_default(ctx);
	g_main_context_unref(ctx);
	return NULL;
}

static void test_threads(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct worker *wk = calloc(1, sizeof(*wk));
	struct end a, b;
	struct sender s = { &a, 1, 0, 500, 0, 0 };
	GThread *t;

	assert_non_null(wk);
	end_init(&wk->a, "wa");
	end_init(&wk->b, "wb");
	end_init(&a, "a");
	end_init(&b, "b");
	a.thread = b.thread = g_thread_self();
	connect_pair(ctx, &a, &b, true);
	t = g_thread_new("sctp-worker", worker_main, wk);
	assert_true(pump(ctx, send_more, &s, 15000));
	g_thread_join(t);
	assert_true(wk->ok);
	assert_in_order(&wk->b, 500, 2, 0);
	assert_in_order(&b, 500, 1, 0);
	assert_int_equal(a.wrong_thread + b.wrong_thread, 0);
	assert_int_equal(wk->a.wrong_thread + wk->b.wrong_thread, 0);
	end_fini(&wk->a);
	end_fini(&wk->b);
	free(wk);
	pair_stop(ctx, &a, &b);
}

/* ---- DCEP over the association ---- */

static int dc_send(void *user, uint16_t stream, uint32_t ppid, const uint8_t *data, size_t len,
		   const struct sctp_assoc_sendopt *opt)
{
	struct end *e = user;

	return sctp_assoc_send_opt(e->a, stream, ppid, data, len, opt);
}

static int dc_reset(void *user, uint16_t stream)
{
	struct end *e = user;

	return sctp_assoc_reset_stream(e->a, stream);
}

static void dc_event(void *user, const struct dcep_event *ev)
{
	struct end *e = user;

	switch (ev->type) {
	case DCEP_EVENT_OPEN:
		e->dc_opened++;
		e->dc_stream = ev->stream;
		snprintf(e->dc_label, sizeof(e->dc_label), "%s", ev->label);
		break;
	case DCEP_EVENT_MESSAGE:
		e->dc_msgs++;
		e->dc_last_binary = ev->binary;
		snprintf(e->dc_last, sizeof(e->dc_last), "%.*s", (int)ev->len, (const char *)ev->data);
		break;
	case DCEP_EVENT_CLOSED:
		e->dc_closed++;
		e->dc_stream = ev->stream;
		break;
	}
}

static void dc_attach(struct end *e, enum dcep_role role)
{
	struct dcep_config cfg = { .role = role, .send_cb = dc_send, .reset_cb = dc_reset,
				   .event_cb = dc_event, .user = e };

	assert_int_equal(dcep_create(&cfg, &e->dc), 0);
}

static bool dc_opened(void *arg)
{
	struct end *e = arg;

	return e->dc_opened > 0 && e->peer->dc_opened > 0;
}

static bool dc_both_msgs(void *arg)
{
	struct end *e = arg;

	return e->dc_msgs > 0 && e->peer->dc_msgs > 0;
}

static bool dc_both_closed(void *arg)
{
	struct end *e = arg;

	return e->dc_closed > 0 && e->peer->dc_closed > 0;
}

static void test_dcep_over_sctp(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct end a, b;
	struct dcep_channel ch;
	uint16_t sa = 99, sb = 99, found;
	uint8_t *big = malloc(70 * 1024);

	assert_non_null(big);
	end_init(&a, "client");
	end_init(&b, "server");
	connect_pair(ctx, &a, &b, true);
	dc_attach(&a, DCEP_ROLE_DTLS_CLIENT);
	dc_attach(&b, DCEP_ROLE_DTLS_SERVER);

	/* the client opens Janus' channel on an even id; the server accepts and ACKs */
	assert_int_equal(dcep_open(a.dc, DCEP_JANUS_LABEL, NULL, DCEP_CHANNEL_RELIABLE, 0, &sa), 0);
	assert_int_equal(sa, 0);
	assert_int_equal(dcep_get_channel(a.dc, sa, &ch), 0);
	assert_int_equal(ch.state, DCEP_STATE_CONNECTING);
	assert_true(pump(ctx, dc_opened, &a, 5000));
	assert_string_equal(b.dc_label, DCEP_JANUS_LABEL);
	assert_string_equal(a.dc_label, DCEP_JANUS_LABEL);
	assert_int_equal(b.dc_stream, 0);
	assert_int_equal(dcep_find(b.dc, DCEP_JANUS_LABEL, &found), 0);
	assert_int_equal(found, 0);
	assert_int_equal(dcep_get_channel(b.dc, 0, &ch), 0);
	assert_false(ch.local);
	assert_int_equal(ch.state, DCEP_STATE_OPEN);

	/* text both ways, on PPID 51, seen at the SCTP level too */
	assert_int_equal(dcep_send(a.dc, sa, false, (const uint8_t *)"{\"textroom\":\"join\"}", 19),
			 0);
	assert_int_equal(dcep_send(b.dc, 0, false, (const uint8_t *)"welcome", 7), 0);
	assert_true(pump(ctx, dc_both_msgs, &a, 5000));
	assert_string_equal(b.dc_last, "{\"textroom\":\"join\"}");
	assert_string_equal(a.dc_last, "welcome");
	assert_false(a.dc_last_binary);
	assert_int_equal(b.msgs[b.nmsgs - 1].ppid, DCEP_PPID_STRING);

	/* the server opens one too, on an odd id; an empty binary message uses PPID 57 */
	assert_int_equal(dcep_open(b.dc, "other", "proto", DCEP_CHANNEL_RELIABLE_UNORDERED, 0, &sb),
			 0);
	assert_int_equal(sb, 1);
	a.dc_opened = b.dc_opened = 0;
	assert_true(pump(ctx, dc_opened, &a, 5000));
	assert_string_equal(a.dc_label, "other");
	assert_int_equal(dcep_get_channel(a.dc, 1, &ch), 0);
	assert_string_equal(ch.protocol, "proto");
	assert_int_equal(ch.channel_type, DCEP_CHANNEL_RELIABLE_UNORDERED);
	a.dc_msgs = 0;
	assert_int_equal(dcep_send(b.dc, sb, true, NULL, 0), 0);
	struct want w = { &a, a.nmsgs + 1 };
	assert_true(pump(ctx, has_msgs, &w, 5000));
	assert_int_equal(a.msgs[a.nmsgs - 1].ppid, DCEP_PPID_BINARY_EMPTY);
	assert_int_equal(a.dc_msgs, 1);
	assert_true(a.dc_last_binary);
	assert_string_equal(a.dc_last, "");

	/* closing resets both directions; the stream id becomes free again */
	assert_int_equal(dcep_close(a.dc, sa), 0);
	assert_int_equal(dcep_send(a.dc, sa, false, (const uint8_t *)"x", 1), -ENOTCONN);
	assert_true(pump(ctx, dc_both_closed, &a, 5000));
	assert_int_equal(a.dc_stream, 0);
	assert_int_equal(b.dc_stream, 0);
	assert_int_equal(dcep_get_channel(a.dc, 0, &ch), -ENOENT);
	assert_int_equal(dcep_get_channel(b.dc, 0, &ch), -ENOENT);

	/* an oversize message (a allows more than b) closes that channel only */
	end_fini(&a);
	end_fini(&b);
	end_init(&a, "client");
	end_init(&b, "server");
	a.cfg.max_message = 128 * 1024;
	connect_pair(ctx, &a, &b, true);
	dc_attach(&a, DCEP_ROLE_DTLS_CLIENT);
	dc_attach(&b, DCEP_ROLE_DTLS_SERVER);
	assert_int_equal(dcep_open(a.dc, "big", NULL, DCEP_CHANNEL_RELIABLE, 0, &sa), 0);
	assert_true(pump(ctx, dc_opened, &a, 5000));
	fill(big, 70 * 1024, 1);
	assert_int_equal(dcep_send(a.dc, sa, true, big, 70 * 1024), 0);
	assert_true(pump(ctx, dc_both_closed, &a, 5000));
	assert_int_equal(b.too_big, 1);
	assert_int_equal(b.dc_msgs, 0);
	assert_int_equal(sctp_assoc_get_state(b.a), SCTP_ASSOC_STATE_OPEN);

	/* the end of the association closes every channel */
	a.dc_closed = b.dc_closed = 0;
	assert_int_equal(dcep_open(a.dc, DCEP_JANUS_LABEL, NULL, DCEP_CHANNEL_RELIABLE, 0, &sa), 0);
	a.dc_opened = b.dc_opened = 0;
	assert_true(pump(ctx, dc_opened, &a, 5000));
	assert_int_equal(sctp_assoc_shutdown(b.a), 0);
	assert_true(pump(ctx, dc_both_closed, &a, 5000));
	assert_int_equal(dcep_find(a.dc, DCEP_JANUS_LABEL, NULL), -ENOENT);
	free(big);
	pair_stop(ctx, &a, &b);
}

/* ---- the real stack: SCTP packets as DTLS application data ---- */

struct dtls_end {
	struct end e;
	struct dtls *d;
	struct dtls_end *other;
	GQueue wire;			/* datagrams on their way to other (never sent re-entrantly) */
	bool connected;
	int app_records;
};

static void wire_send(void *user, const uint8_t *data, size_t len)
{
	struct dtls_end *x = user;

	g_queue_push_tail(&x->wire, g_bytes_new(data, len));
}

static void dtls_event(void *user, const struct dtls_event *ev)
{
	struct dtls_end *x = user;

	switch (ev->type) {
	case DTLS_EVENT_CONNECTED:
		x->connected = true;
		if (dtls_get_role(x->d) == DTLS_ROLE_CLIENT)	/* the server side stays passive */
			assert_int_equal(sctp_assoc_connect(x->e.a), 0);
		break;
	case DTLS_EVENT_APP_DATA:
		x->app_records++;
		sctp_assoc_handle_packet(x->e.a, ev->data, ev->len);
		break;
	default:
		break;
	}
}

static void sctp_over_dtls(void *user, const uint8_t *buf, size_t len)
{
	struct dtls_end *x = user;

	assert_true(len <= SCTP_ASSOC_DEFAULT_MTU);
	assert_int_equal(dtls_send_app(x->d, buf, len), 0);
}

static gboolean carry(gpointer data)
{
	struct dtls_end *ends = data;

	for (int i = 0; i < 2; i++) {
		GBytes *b;

		while ((b = g_queue_pop_head(&ends[i].wire))) {
			gsize n;
			const uint8_t *p = g_bytes_get_data(b, &n);

			dtls_handle_incoming(ends[i].other->d, p, n);
			g_bytes_unref(b);
		}
	}
	return G_SOURCE_CONTINUE;
}

static bool dtls_dc_open(void *arg)
{
	struct dtls_end *x = arg;

	return x[0].e.dc_opened && x[1].e.dc_opened;
}

static bool dtls_dc_msgs(void *arg)
{
	struct dtls_end *x = arg;

	return x[0].e.dc_msgs && x[1].e.dc_msgs;
}

static void test_over_dtls(void **state)
{
	GMainContext *ctx = g_main_context_new();
	struct dtls_end *x = calloc(2, sizeof(*x));
	struct dtls_cert *cert[2];
	GSource *pump_src = g_timeout_source_new(1);
	uint16_t stream;

	assert_non_null(x);
	for (int i = 0; i < 2; i++)
		assert_int_equal(dtls_cert_create(&cert[i]), 0);
	for (int i = 0; i < 2; i++) {
		struct dtls_config cfg = {
			.cert = cert[i], .role = i == 0 ? DTLS_ROLE_CLIENT : DTLS_ROLE_SERVER,
			.send_cb = wire_send, .event_cb = dtls_event, .user = &x[i],
		};

		assert_int_equal(dtls_fingerprint_parse(dtls_cert_fingerprint_alg(cert[1 - i]),
							dtls_cert_fingerprint(cert[1 - i]),
							&cfg.remote_fp), 0);
		x[i].other = &x[1 - i];
		g_queue_init(&x[i].wire);
		end_init(&x[i].e, i == 0 ? "client" : "server");
		x[i].e.cfg.send_cb = sctp_over_dtls;
		x[i].e.cfg.user = &x[i];
		assert_int_equal(sctp_assoc_create(ctx, &x[i].e.cfg, &x[i].e.a), 0);
		assert_int_equal(dtls_create(&x[i].d, &cfg), 0);
	}
	/* the sctp event callback gets the struct dtls_end: struct end is its first member */
	g_source_set_callback(pump_src, carry, x, NULL);
	g_source_attach(pump_src, ctx);
	dc_attach(&x[0].e, DCEP_ROLE_DTLS_CLIENT);
	dc_attach(&x[1].e, DCEP_ROLE_DTLS_SERVER);
	x[0].e.peer = &x[1].e;
	x[1].e.peer = &x[0].e;

	assert_int_equal(dtls_start(x[0].d), 0);
	assert_true(pump(ctx, both_open, &x[0].e, 5000));
	assert_true(x[0].connected && x[1].connected);
	assert_int_equal(dcep_open(x[0].e.dc, DCEP_JANUS_LABEL, NULL, DCEP_CHANNEL_RELIABLE, 0,
				   &stream), 0);
	assert_true(pump(ctx, dtls_dc_open, x, 5000));
	assert_int_equal(dcep_send(x[0].e.dc, stream, false,
				   (const uint8_t *)"{\"textroom\":\"join\"}", 19), 0);
	assert_int_equal(dcep_send(x[1].e.dc, stream, false, (const uint8_t *)"joined", 6), 0);
	assert_true(pump(ctx, dtls_dc_msgs, x, 5000));
	assert_string_equal(x[1].e.dc_last, "{\"textroom\":\"join\"}");
	assert_string_equal(x[0].e.dc_last, "joined");
	assert_true(x[0].app_records > 3 && x[1].app_records > 3);

	assert_int_equal(sctp_assoc_shutdown(x[0].e.a), 0);
	assert_true(pump(ctx, both_ended, &x[0].e, 5000));
	assert_int_equal(x[0].e.closed + x[1].e.closed, 2);

	g_source_destroy(pump_src);
	g_source_unref(pump_src);
	for (int i = 0; i < 2; i++) {
		end_fini(&x[i].e);
		dtls_destroy(x[i].d);
		g_queue_clear_full(&x[i].wire, (GDestroyNotify)g_bytes_unref);
		dtls_cert_destroy(cert[i]);
	}
	free(x);
	g_main_context_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_connect_both),
		cmocka_unit_test(test_passive_side),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_receiver_limit),
		cmocka_unit_test(test_many_in_order),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_init_retransmitted),
		cmocka_unit_test(test_stream_reset),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_abort_on_destroy),
		cmocka_unit_test(test_destroy_in_callbacks),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_reinit_and_two_pairs),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_dcep_over_sctp),
		cmocka_unit_test(test_over_dtls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
