/* Unit tests for net/sctp: two associations in one process wired back to back through their
 * send callbacks (no DTLS; tests/unit/sctp_pair.h), on one GMainContext iterated with
 * deadlines. Association setup (both connect, or one passive side), messages both ways (small,
 * 60 KiB, at and over the limit, the receiver's own limit), many messages in order, loss and
 * retransmission driven by the timer tick, stream resets, shutdown and abort seen by the peer,
 * destroy from inside callbacks, garbage input, usrsctp re-initialisation and a second pair on
 * another thread's context. Data channels and the DTLS stack: test_net_sctp_stack.c.
 * Nothing here can hang: every wait has a deadline.
 */
#include "sctp_pair.h"

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
	/* the plaintext on its way out (chat): every packet before DTLS lies in the locked pool
	 * (what arrives whole is delivered from usrsctp's own buffer) */
	assert_int_equal(a.packets_unpooled + b.packets_unpooled, 0);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
