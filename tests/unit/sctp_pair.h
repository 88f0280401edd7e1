/* The fixture of the SCTP unit tests (test_net_sctp.c, test_net_sctp_stack.c): two
 * associations in one process wired back to back through their send callbacks, each end
 * recording what it saw; the context is driven with pump.h. Header only (static inline:
 * each test program uses what it needs). */
#ifndef TTM_TESTS_SCTP_PAIR_H
#define TTM_TESTS_SCTP_PAIR_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/dcep.h"
#include "net/lockpool.h"
#include "net/sctp.h"

#include "pump.h"

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
	unsigned int packets_unpooled;	/* packets (plaintext before DTLS) not in locked pool memory */
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

static inline void destroy_end(struct end *e)
{
	sctp_assoc_destroy(e->a);
	e->a = NULL;
	e->destroyed = true;
}

static inline void send_cb(void *user, const uint8_t *buf, size_t len)
{
	struct end *e = user;
	unsigned int n = ++e->npackets;

	if (e->thread && g_thread_self() != e->thread)
		e->wrong_thread++;
	if (len > e->max_packet)
		e->max_packet = len;
	if (!lockpool_owns(buf))
		e->packets_unpooled++;
	if (e->destroy_on_send) {
		destroy_end(e);
		return;
	}
	if (n <= e->drop_first || (e->drop_every && n % e->drop_every == 0))
		return;
	if (e->peer && e->peer->a)
		sctp_assoc_handle_packet(e->peer->a, buf, len);
}

static inline void event_cb(void *user, const struct sctp_assoc_event *ev)
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

static inline void clear_msgs(struct end *e)
{
	for (int i = 0; i < e->nmsgs; i++)
		free(e->msgs[i].data);
	e->nmsgs = 0;
}

static inline void end_init(struct end *e, const char *name)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->cfg.send_cb = send_cb;
	e->cfg.event_cb = event_cb;
	e->cfg.user = e;
}

static inline void end_fini(struct end *e)
{
	dcep_destroy(e->dc);
	e->dc = NULL;
	if (e->a)
		destroy_end(e);
	clear_msgs(e);
}

/* A fresh context and two unconnected ends named a and b. */
static inline GMainContext *pair_start(struct end *a, struct end *b)
{
	end_init(a, "a");
	end_init(b, "b");
	return g_main_context_new();
}

static inline void pair_stop(GMainContext *ctx, struct end *a, struct end *b)
{
	end_fini(a);
	end_fini(b);
	g_main_context_unref(ctx);
}

static inline void pair_create(GMainContext *ctx, struct end *a, struct end *b)
{
	a->peer = b;
	b->peer = a;
	assert_int_equal(sctp_assoc_create(ctx, &a->cfg, &a->a), 0);
	assert_int_equal(sctp_assoc_create(ctx, &b->cfg, &b->a), 0);
	assert_int_equal(sctp_assoc_get_state(a->a), SCTP_ASSOC_STATE_NEW);
}

static inline bool both_open(void *arg)
{
	struct end *a = arg;

	return a->opened && a->peer->opened;
}

static inline bool both_ended(void *arg)
{
	struct end *a = arg;

	return (a->closed || a->failed) && (a->peer->closed || a->peer->failed);
}

static inline bool has_ended(void *arg)
{
	struct end *e = arg;

	return e->closed || e->failed;
}

struct want {
	struct end *e;
	int n;
};

static inline bool has_msgs(void *arg)
{
	struct want *w = arg;

	return w->e->nmsgs >= w->n;
}

static inline void connect_pair(GMainContext *ctx, struct end *a, struct end *b, bool both)
{
	pair_create(ctx, a, b);
	assert_int_equal(sctp_assoc_connect(a->a), 0);
	if (both)
		assert_int_equal(sctp_assoc_connect(b->a), 0);
	assert_true(pump(ctx, both_open, a, 5000));
	assert_int_equal(sctp_assoc_get_state(a->a), SCTP_ASSOC_STATE_OPEN);
	assert_int_equal(sctp_assoc_get_state(b->a), SCTP_ASSOC_STATE_OPEN);
}

static inline int send_text(struct end *e, uint16_t stream, const char *s)
{
	return sctp_assoc_send(e->a, stream, DCEP_PPID_STRING, (const uint8_t *)s, strlen(s));
}

static inline void assert_msg(const struct end *e, int i, uint16_t stream, uint32_t ppid,
		       const void *data, size_t len)
{
	assert_true(i < e->nmsgs);
	assert_int_equal(e->msgs[i].stream, stream);
	assert_int_equal(e->msgs[i].ppid, ppid);
	assert_int_equal(e->msgs[i].len, len);
	assert_memory_equal(e->msgs[i].data, data, len);
}

static inline void fill(uint8_t *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31 + seed + (i >> 8));
}

#endif
