/* Unit tests for the data-channel stack over net/sctp: data channels (net/dcep) over two
 * associations wired back to back (tests/unit/sctp_pair.h), and the whole stack as ttymeet
 * wires it: SCTP inside two real net/dtls endpoints. Nothing here can hang: every wait has a
 * deadline.
 */
#include "sctp_pair.h"

#include "net/dtls.h"

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
		cmocka_unit_test(test_dcep_over_sctp),
		cmocka_unit_test(test_over_dtls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
