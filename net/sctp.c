/* SCTP association on usrsctp's AF_CONN mode (see sctp.h for the contract).
 *
 * Each association is one one-to-one usrsctp socket bound to a "conn address" that is not a
 * pointer but a number (its id). usrsctp reports everything through two process-wide hooks:
 * the conn output callback (a packet for an address) and the socket's receive callback (data
 * or a notification, with the id as ulp_info). Both only look the id up in a registry and
 * append an item to that association's queue, then wake its GMainContext; they never call
 * user code. A late callback for an association already destroyed finds no id and is dropped.
 * On the context, the association's own GSource drains the queue: packets go to send_cb,
 * data is reassembled (partial deliveries) and bounded by max_message, notifications become
 * state changes and events.
 *
 * Locks, in the order they may nest: glock (usage count, tick sources) → tick_lock (usrsctp
 * init/finish and usrsctp_handle_timers, one caller at a time) → qlock (registry and every
 * queue). usrsctp may call back while we hold glock/tick_lock; its callbacks take qlock only,
 * and nothing calls into usrsctp while holding qlock.
 * Thread: the context's thread for everything but the two usrsctp hooks (any thread).
 */
#include "net/sctp.h"
#include "net/lockpool.h"
#include "net/loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <usrsctp.h>

#define TICK_MS 100			/* usrsctp timer granularity: chat needs no finer (RTO.min
				 * is 400 ms) */
#define TICK_SLACK_MS 30		/* a tick rides on any wake-up this close to it (the media
				 * clock's, every 20 ms), so it costs none of its own */
#define DISPATCH_BUDGET 256		/* items per dispatch, so one busy peer cannot starve */
#define QUEUE_MAX_BYTES (8u * 1024 * 1024)
#define FINISH_ATTEMPTS 120		/* virtual seconds usrsctp may need to free closed sockets */
#define RTO_INITIAL_MS 1000
#define RTO_MIN_MS 400
#define RTO_MAX_MS 10000
#define MIN_BUFFER (256 * 1024)
#define COMMON_HEADER 12		/* usrsctp's AF_CONN path MTU excludes it */

enum item_kind { ITEM_PACKET, ITEM_DATA, ITEM_NOTIFICATION, ITEM_WRITABLE };

struct item {
	struct item *next;
	enum item_kind kind;
	uint8_t *buf;			/* PACKET: packet[]; DATA/NOTIFICATION: usrsctp's malloc */
	size_t len;
	uint16_t stream;
	uint32_t ppid;			/* host order */
	bool eor;
	uint8_t packet[];
};

struct assoc_source {
	GSource base;
	struct sctp_assoc *assoc;
};

struct sctp_assoc {
	GMainContext *ctx;
	GSource *src;
	struct socket *sock;
	uintptr_t id;			/* usrsctp conn address and ulp_info, never 0 */
	bool registered, lib_ref;

	uint16_t local_port, remote_port, streams;
	size_t max_message;
	unsigned int mtu;
	sctp_assoc_send_cb send_cb;
	sctp_assoc_event_cb event_cb;
	void *user;

	enum sctp_assoc_state state;
	struct sctp_assoc_stats stats;

	/* Shared with usrsctp's hooks, guarded by qlock (pending is also read atomically). */
	struct item *head, *tail;
	size_t queued_bytes;
	bool overflow, want_writable;
	gint pending;

	/* Reassembly of partial deliveries, on the context. */
	uint8_t *rx;
	size_t rx_len, rx_cap, rx_seen;
	uint16_t rx_stream;
	uint32_t rx_ppid;
	bool rx_active, rx_drop;

	int depth;			/* > 0 while our source dispatches */
	bool doomed;			/* destroyed; freed when depth returns to 0 */
	bool in_send;			/* inside send_cb */
};

/* Process-wide: usrsctp itself is global (see sctp.h). */
struct ticker {
	GMainContext *ctx;
	GSource *src;
	unsigned int users;
};

static pthread_mutex_t glock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int lib_users;		/* glock */
static GSList *tickers;			/* glock */
static pthread_mutex_t tick_lock = PTHREAD_MUTEX_INITIALIZER;
static bool lib_up;			/* tick_lock */
static gint64 last_tick_us;		/* tick_lock */
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *registry;		/* qlock: id → struct sctp_assoc */
static uintptr_t last_id;		/* qlock */

static void *addr_of(uintptr_t id)
{
	return (void *)id;
}

/* ---- usrsctp side (any thread) ---- */

/* Overwrites n bytes at p (NULL is fine): packets before DTLS, data and the reassembly buffer
 * may hold chat text, which must not stay behind in freed or reused memory. */
static void wipe(void *p, size_t n)
{
	if (p)
		explicit_bzero(p, n);
}

static void free_item(struct item *it)
{
	wipe(it->buf, it->len);
	if (it->kind == ITEM_DATA || it->kind == ITEM_NOTIFICATION)
		free(it->buf);
	lockpool_free(it); /* a PACKET item is pool memory (locked), the others heap: it knows */
}

/* Appends it to the queue of association id and wakes its context; drops it if id is gone,
 * or if it is a WRITABLE nobody waits for. */
static void enqueue(uintptr_t id, struct item *it)
{
	struct sctp_assoc *a;

	pthread_mutex_lock(&qlock);
	a = registry ? g_hash_table_lookup(registry, GSIZE_TO_POINTER(id)) : NULL;
	if (!a || (it->kind == ITEM_WRITABLE && !a->want_writable)) {
		pthread_mutex_unlock(&qlock);
		free_item(it);
		return;
	}
	if (it->kind == ITEM_WRITABLE)
		a->want_writable = false;
	if (a->queued_bytes + it->len > QUEUE_MAX_BYTES) {
		a->overflow = true;
		free_item(it);
	} else {
		it->next = NULL;
		if (a->tail)
			a->tail->next = it;
		else
			a->head = it;
		a->tail = it;
		a->queued_bytes += it->len;
	}
	g_atomic_int_set(&a->pending, 1);
	g_main_context_wakeup(a->ctx);
	pthread_mutex_unlock(&qlock);
}

static int on_output(void *addr, void *buf, size_t len, uint8_t tos, uint8_t set_df)
{
	struct item *it;

	if (len == 0 || len > SCTP_ASSOC_MAX_PACKET)
		return 0;
	it = lockpool_alloc(sizeof(*it) + len); /* may hold chat text: locked memory */
	if (!it)
		return ENOMEM;
	memset(it, 0, sizeof(*it));
	it->kind = ITEM_PACKET;
	memcpy(it->packet, buf, len);
	it->buf = it->packet;
	it->len = len;
	enqueue((uintptr_t)addr, it);
	return 0;
}

static int on_receive(struct socket *sock, union sctp_sockstore addr, void *data, size_t len,
		      struct sctp_rcvinfo rcv, int flags, void *ulp_info)
{
	struct item *it;

	if (!data)			/* association down: the notification says how */
		return 1;
	it = calloc(1, sizeof(*it));
	if (!it) {
		free(data);
		return 1;
	}
	it->kind = (flags & MSG_NOTIFICATION) ? ITEM_NOTIFICATION : ITEM_DATA;
	it->buf = data;
	it->len = len;
	it->stream = rcv.rcv_sid;
	it->ppid = ntohl(rcv.rcv_ppid);
	it->eor = (flags & MSG_EOR) != 0;
	enqueue((uintptr_t)ulp_info, it);
	return 1;
}

static int on_writable(struct socket *sock, uint32_t sb_free, void *ulp_info)
{
	struct item *it = calloc(1, sizeof(*it));

	if (it) {
		it->kind = ITEM_WRITABLE;
		enqueue((uintptr_t)ulp_info, it);
	}
	return 0;
}

/* ---- process-wide usrsctp lifetime and timers ---- */

static gboolean on_tick(gpointer data)
{
	gint64 now, ms;

	pthread_mutex_lock(&tick_lock);
	if (lib_up) {
		now = g_get_monotonic_time();
		ms = (now - last_tick_us) / 1000;
		if (ms > 0) {
			last_tick_us += ms * 1000;
			usrsctp_handle_timers((uint32_t)MIN(ms, G_MAXUINT32));
		}
	}
	pthread_mutex_unlock(&tick_lock);
	return G_SOURCE_CONTINUE;
}

/* glock held. Initialises usrsctp for the first user. */
static void lib_ref(void)
{
	lib_users++;
	pthread_mutex_lock(&tick_lock);
	if (!lib_up) {
		usrsctp_init_nothreads(0, on_output, NULL);
		usrsctp_sysctl_set_sctp_ecn_enable(0);	/* no ECN bits through DTLS */
		last_tick_us = g_get_monotonic_time();
		lib_up = true;
	}
	pthread_mutex_unlock(&tick_lock);
}

/* glock held. Finishes usrsctp after the last user; closed sockets may still wait for their
 * timers, so virtual time is advanced until usrsctp agrees (no association is left that
 * those timers could concern). If it never agrees, usrsctp stays up for the next user. */
static void lib_unref(void)
{
	if (--lib_users > 0)
		return;
	pthread_mutex_lock(&tick_lock);
	for (int i = 0; lib_up && i < FINISH_ATTEMPTS; i++) {
		if (usrsctp_finish() == 0)
			lib_up = false;
		else
			usrsctp_handle_timers(1000);
	}
	pthread_mutex_unlock(&tick_lock);
}

/* glock held. One tick source per context, shared by its associations. */
static int ticker_ref(GMainContext *ctx)
{
	struct ticker *t;

	for (GSList *l = tickers; l; l = l->next) {
		t = l->data;
		if (t->ctx == ctx) {
			t->users++;
			return 0;
		}
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ctx = ctx;
	t->users = 1;
	t->src = loop_lazy_timer_new(TICK_MS, TICK_SLACK_MS);
	g_source_set_callback(t->src, on_tick, NULL, NULL);
	g_source_attach(t->src, ctx);
	tickers = g_slist_prepend(tickers, t);
	return 0;
}

static void ticker_unref(GMainContext *ctx)
{
	for (GSList *l = tickers; l; l = l->next) {
		struct ticker *t = l->data;

		if (t->ctx != ctx)
			continue;
		if (--t->users == 0) {
			loop_source_drop(&t->src);
			tickers = g_slist_delete_link(tickers, l);
			free(t);
		}
		return;
	}
}

/* ---- events on the context ---- */

static void emit(struct sctp_assoc *a, const struct sctp_assoc_event *ev)
{
	a->event_cb(a->user, ev);
}

static bool terminal(const struct sctp_assoc *a)
{
	return a->state == SCTP_ASSOC_STATE_CLOSED || a->state == SCTP_ASSOC_STATE_FAILED;
}

static void end_assoc(struct sctp_assoc *a, enum sctp_assoc_state s, int err)
{
	struct sctp_assoc_event ev = { 0 };

	if (terminal(a))
		return;
	a->state = s;
	ev.type = s == SCTP_ASSOC_STATE_CLOSED ? SCTP_ASSOC_EV_CLOSED : SCTP_ASSOC_EV_FAILED;
	ev.err = err;
	emit(a, &ev);
}

/* Aborts at once: no linger, usrsctp sends ABORT (queued like any packet). */
static void close_socket(struct sctp_assoc *a)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	if (!a->sock)
		return;
	usrsctp_setsockopt(a->sock, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	usrsctp_close(a->sock);
	a->sock = NULL;
}

static void deliver(struct sctp_assoc *a, uint16_t stream, uint32_t ppid, const uint8_t *data,
		    size_t len)
{
	struct sctp_assoc_event ev = { .type = SCTP_ASSOC_EV_MESSAGE, .stream = stream,
				       .ppid = ppid, .data = data, .len = len };

	a->stats.messages_in++;
	emit(a, &ev);
}

static void too_big(struct sctp_assoc *a, uint16_t stream, uint32_t ppid, size_t seen)
{
	struct sctp_assoc_event ev = { .type = SCTP_ASSOC_EV_TOO_BIG, .stream = stream,
				       .ppid = ppid, .len = seen };

	a->stats.dropped_too_big++;
	emit(a, &ev);
}

static int rx_append(struct sctp_assoc *a, const uint8_t *buf, size_t len)
{
	size_t need = a->rx_len + len;

	if (need > a->rx_cap) {
		size_t cap = a->rx_cap ? a->rx_cap : 4096;
		uint8_t *n;

		while (cap < need)
			cap *= 2;
		if (cap > a->max_message)
			cap = a->max_message;
		n = lockpool_alloc(cap); /* chat text: locked; the old copy is wiped */
		if (!n)
			return -ENOMEM;
		if (a->rx) {
			memcpy(n, a->rx, a->rx_len);
			lockpool_free(a->rx);
		}
		a->rx = n;
		a->rx_cap = cap;
	}
	memcpy(a->rx + a->rx_len, buf, len);
	a->rx_len = need;
	return 0;
}

/* One piece of a message (usrsctp delivers big messages in parts, in order, one message at a
 * time per association without interleaving). */
static void handle_data(struct sctp_assoc *a, const struct item *it)
{
	bool drop;

	if (terminal(a))
		return;
	if (a->rx_active && (it->stream != a->rx_stream || it->ppid != a->rx_ppid))
		a->rx_active = false;	/* cannot happen without interleaving: forget the torn one */
	if (!a->rx_active) {
		if (it->eor) {
			if (it->len > a->max_message)
				too_big(a, it->stream, it->ppid, it->len);
			else
				deliver(a, it->stream, it->ppid, it->buf, it->len);
			return;
		}
		a->rx_active = true;
		a->rx_drop = false;
		a->rx_stream = it->stream;
		a->rx_ppid = it->ppid;
		wipe(a->rx, a->rx_len);	/* a torn message's bytes */
		a->rx_len = 0;
		a->rx_seen = 0;
	}
	a->rx_seen += it->len;
	if (!a->rx_drop && (a->rx_len + it->len > a->max_message ||
			    rx_append(a, it->buf, it->len) < 0)) {
		a->rx_drop = true;
		wipe(a->rx, a->rx_len);
		a->rx_len = 0;
		if (it->eor)
			a->rx_active = false;
		too_big(a, it->stream, it->ppid, a->rx_seen);
		return;
	}
	if (!it->eor)
		return;
	drop = a->rx_drop;
	a->rx_active = false;
	a->rx_drop = false;
	if (!drop)
		deliver(a, a->rx_stream, a->rx_ppid, a->rx, a->rx_len);
	/* Delivered (the callback has returned; a destroyed association is freed only after this
	 * dispatch): the message is wiped. rx_len is reset when the next message starts. */
	wipe(a->rx, a->rx_len);
}

static void handle_assoc_change(struct sctp_assoc *a, const uint8_t *buf, size_t len)
{
	struct sctp_assoc_change sac;
	struct sctp_assoc_event ev = { .type = SCTP_ASSOC_EV_OPEN };

	if (len < sizeof(sac))
		return;
	memcpy(&sac, buf, sizeof(sac));
	switch (sac.sac_state) {
	case SCTP_COMM_UP:
		if (a->state != SCTP_ASSOC_STATE_CONNECTING)
			return;
		a->state = SCTP_ASSOC_STATE_OPEN;
		emit(a, &ev);
		break;
	case SCTP_COMM_LOST:
		end_assoc(a, SCTP_ASSOC_STATE_FAILED, -ECONNRESET);
		break;
	case SCTP_CANT_STR_ASSOC:
		end_assoc(a, SCTP_ASSOC_STATE_FAILED, -ECONNREFUSED);
		break;
	case SCTP_SHUTDOWN_COMP:
		end_assoc(a, SCTP_ASSOC_STATE_CLOSED, 0);
		break;
	default:			/* SCTP_RESTART: the peer restarted, we stay open */
		break;
	}
}

static void handle_stream_reset(struct sctp_assoc *a, const uint8_t *buf, size_t len)
{
	struct sctp_stream_reset_event sre;
	struct sctp_assoc_event ev = { .type = SCTP_ASSOC_EV_STREAM_RESET };
	size_t n;

	if (len < sizeof(sre))
		return;
	memcpy(&sre, buf, sizeof(sre));
	if (sre.strreset_length < sizeof(sre) || sre.strreset_length > len)
		return;
	if (sre.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN)
		ev.incoming = true;
	else if (!(sre.strreset_flags & SCTP_STREAM_RESET_OUTGOING_SSN))
		return;
	if (sre.strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED))
		ev.err = -EPROTO;
	n = (sre.strreset_length - sizeof(sre)) / sizeof(uint16_t);
	if (n == 0) {
		ev.stream = SCTP_ASSOC_ALL_STREAMS;
		emit(a, &ev);
		return;
	}
	for (size_t i = 0; i < n && !a->doomed && !terminal(a); i++) {
		uint16_t sid;

		memcpy(&sid, buf + sizeof(sre) + i * sizeof(sid), sizeof(sid));
		ev.stream = sid;
		emit(a, &ev);
	}
}

static void handle_notification(struct sctp_assoc *a, const uint8_t *buf, size_t len)
{
	struct sctp_tlv h;

	if (len < sizeof(h) || terminal(a))
		return;
	memcpy(&h, buf, sizeof(h));
	if (h.sn_length > len)
		return;
	len = h.sn_length;
	switch (h.sn_type) {
	case SCTP_ASSOC_CHANGE:
		handle_assoc_change(a, buf, len);
		break;
	case SCTP_STREAM_RESET_EVENT:
		handle_stream_reset(a, buf, len);
		break;
	case SCTP_SHUTDOWN_EVENT:	/* the peer started SHUTDOWN */
		if (a->state == SCTP_ASSOC_STATE_OPEN)
			a->state = SCTP_ASSOC_STATE_CLOSING;
		break;
	case SCTP_PARTIAL_DELIVERY_EVENT:	/* the message in reassembly will not complete */
		a->rx_active = false;
		a->rx_drop = false;
		break;
	default:
		break;
	}
}

static void handle_item(struct sctp_assoc *a, struct item *it)
{
	struct sctp_assoc_event ev = { .type = SCTP_ASSOC_EV_WRITABLE };

	switch (it->kind) {
	case ITEM_PACKET:
		a->stats.packets_out++;
		a->stats.bytes_out += it->len;
		a->in_send = true;
		a->send_cb(a->user, it->buf, it->len);
		a->in_send = false;
		break;
	case ITEM_DATA:
		handle_data(a, it);
		break;
	case ITEM_NOTIFICATION:
		handle_notification(a, it->buf, it->len);
		break;
	case ITEM_WRITABLE:
		if (a->state == SCTP_ASSOC_STATE_OPEN)
			emit(a, &ev);
		break;
	}
}

static struct item *pop(struct sctp_assoc *a, bool *overflow)
{
	struct item *it;

	pthread_mutex_lock(&qlock);
	it = a->head;
	if (it) {
		a->head = it->next;
		if (!a->head)
			a->tail = NULL;
		a->queued_bytes -= it->len;
	}
	if (!a->head)
		g_atomic_int_set(&a->pending, 0);
	*overflow = a->overflow;
	a->overflow = false;
	pthread_mutex_unlock(&qlock);
	return it;
}

static void free_assoc(struct sctp_assoc *a)
{
	lockpool_free(a->rx);
	free(a);
}

static gboolean src_check(GSource *src)
{
	return g_atomic_int_get(&((struct assoc_source *)src)->assoc->pending) != 0;
}

static gboolean src_prepare(GSource *src, gint *timeout)
{
	*timeout = -1;
	return src_check(src);
}

static gboolean src_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	struct sctp_assoc *a = ((struct assoc_source *)src)->assoc;
	bool overflow = false;

	a->depth++;
	for (int n = 0; n < DISPATCH_BUDGET && !a->doomed; n++) {
		struct item *it = pop(a, &overflow);

		if (overflow && !terminal(a)) {
			close_socket(a);
			end_assoc(a, SCTP_ASSOC_STATE_FAILED, -ENOBUFS);
		}
		if (!it)
			break;
		if (!a->doomed)
			handle_item(a, it);
		free_item(it);
	}
	a->depth--;
	if (a->doomed) {
		if (a->depth == 0)
			free_assoc(a);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static const GSourceFuncs src_funcs = {
	.prepare = src_prepare,
	.check = src_check,
	.dispatch = src_dispatch,
};

/* ---- setup and teardown ---- */

static int set_opt(struct sctp_assoc *a, int level, int name, const void *val, socklen_t len)
{
	return usrsctp_setsockopt(a->sock, level, name, val, len) < 0 ? -EIO : 0;
}

static int configure_socket(struct sctp_assoc *a)
{
	static const uint16_t events[] = {
		SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_SHUTDOWN_EVENT,
		SCTP_PARTIAL_DELIVERY_EVENT,
	};
	struct sctp_assoc_value av = { .assoc_id = SCTP_ALL_ASSOC,
				       .assoc_value = SCTP_ENABLE_RESET_STREAM_REQ };
	struct sctp_initmsg init = { .sinit_num_ostreams = a->streams,
				     .sinit_max_instreams = a->streams };
	struct sctp_rtoinfo rto = { .srto_assoc_id = SCTP_FUTURE_ASSOC,
				    .srto_initial = RTO_INITIAL_MS, .srto_max = RTO_MAX_MS,
				    .srto_min = RTO_MIN_MS };
	struct sctp_paddrparams pp;
	struct sockaddr_conn sconn = { .sconn_family = AF_CONN };
	int one = 1, zero = 0;
	int rcvbuf = (int)MAX((size_t)MIN_BUFFER, 2 * a->max_message);
	int sndbuf = (int)MAX((size_t)MIN_BUFFER, 4 * a->max_message);
	int ret = 0;

	if (usrsctp_set_non_blocking(a->sock, 1) < 0)
		return -EIO;
	ret |= set_opt(a, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	ret |= set_opt(a, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	ret |= set_opt(a, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof(one));
	ret |= set_opt(a, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, &zero, sizeof(zero));
	ret |= set_opt(a, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, sizeof(av));
	ret |= set_opt(a, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init));
	ret |= set_opt(a, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto));
	for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
		struct sctp_event ev = { .se_assoc_id = SCTP_ALL_ASSOC, .se_type = events[i],
					 .se_on = 1 };

		ret |= set_opt(a, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev));
	}
	/* Fixed path MTU: packets must fit one DTLS record in one datagram. */
	memset(&pp, 0, sizeof(pp));
	pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
	pp.spp_flags = SPP_PMTUD_DISABLE;
	pp.spp_pathmtu = a->mtu - COMMON_HEADER;
	ret |= set_opt(a, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp));
	if (ret)
		return -EIO;
	sconn.sconn_port = htons(a->local_port);
	sconn.sconn_addr = addr_of(a->id);
	if (usrsctp_bind(a->sock, (struct sockaddr *)&sconn, sizeof(sconn)) < 0)
		return -EIO;
	return 0;
}

/* Takes the association out of usrsctp's reach and returns what was still queued. */
static struct item *unregister(struct sctp_assoc *a)
{
	struct item *rest = NULL;

	if (!a->id)
		return NULL;
	pthread_mutex_lock(&qlock);
	if (registry) {
		g_hash_table_remove(registry, GSIZE_TO_POINTER(a->id));
		if (g_hash_table_size(registry) == 0) {
			g_hash_table_destroy(registry);
			registry = NULL;
		}
	}
	rest = a->head;
	a->head = a->tail = NULL;
	a->queued_bytes = 0;
	g_atomic_int_set(&a->pending, 0);
	pthread_mutex_unlock(&qlock);
	if (a->registered)
		usrsctp_deregister_address(addr_of(a->id));
	a->registered = false;
	return rest;
}

/* Everything but the struct itself (kept while our source dispatches). */
static void release(struct sctp_assoc *a, bool flush)
{
	struct item *rest;

	close_socket(a);
	rest = unregister(a);
	while (rest) {
		struct item *next = rest->next;

		if (flush && rest->kind == ITEM_PACKET && !a->in_send) {
			a->in_send = true;
			a->send_cb(a->user, rest->buf, rest->len);
			a->in_send = false;
		}
		free_item(rest);
		rest = next;
	}
	loop_source_drop(&a->src);
	if (a->lib_ref) {
		pthread_mutex_lock(&glock);
		ticker_unref(a->ctx);
		lib_unref();
		pthread_mutex_unlock(&glock);
		a->lib_ref = false;
	}
	if (a->ctx) {
		g_main_context_unref(a->ctx);
		a->ctx = NULL;
	}
}

int sctp_assoc_create(GMainContext *ctx, const struct sctp_assoc_config *cfg,
		      struct sctp_assoc **out)
{
	struct sctp_assoc *a;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!cfg || !cfg->send_cb || !cfg->event_cb)
		return -EINVAL;
	if (cfg->max_message > SCTP_ASSOC_MAX_MAX_MESSAGE ||
	    (cfg->mtu && (cfg->mtu < SCTP_ASSOC_MIN_MTU || cfg->mtu > SCTP_ASSOC_MAX_MTU)))
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->local_port = cfg->local_port ? cfg->local_port : SCTP_ASSOC_DEFAULT_PORT;
	a->remote_port = cfg->remote_port ? cfg->remote_port : SCTP_ASSOC_DEFAULT_PORT;
	a->max_message = cfg->max_message ? cfg->max_message : SCTP_ASSOC_DEFAULT_MAX_MESSAGE;
	a->mtu = cfg->mtu ? cfg->mtu : SCTP_ASSOC_DEFAULT_MTU;
	a->streams = cfg->streams ? cfg->streams : SCTP_ASSOC_DEFAULT_STREAMS;
	a->send_cb = cfg->send_cb;
	a->event_cb = cfg->event_cb;
	a->user = cfg->user;
	a->state = SCTP_ASSOC_STATE_NEW;
	a->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());

	pthread_mutex_lock(&glock);
	ret = ticker_ref(a->ctx);
	if (ret == 0)
		lib_ref();
	pthread_mutex_unlock(&glock);
	if (ret < 0)
		goto out;
	a->lib_ref = true;

	pthread_mutex_lock(&qlock);
	if (!registry)
		registry = g_hash_table_new(g_direct_hash, g_direct_equal);
	a->id = ++last_id;
	g_hash_table_insert(registry, GSIZE_TO_POINTER(a->id), a);
	pthread_mutex_unlock(&qlock);

	usrsctp_register_address(addr_of(a->id));
	a->registered = true;
	a->sock = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, on_receive, on_writable,
				 (uint32_t)a->max_message, addr_of(a->id));
	if (!a->sock) {
		ret = -EIO;
		goto out;
	}
	ret = configure_socket(a);
	if (ret < 0)
		goto out;

	a->src = g_source_new((GSourceFuncs *)&src_funcs, sizeof(struct assoc_source));
	((struct assoc_source *)a->src)->assoc = a;
	g_source_set_name(a->src, "sctp_assoc");
	g_source_attach(a->src, a->ctx);
	*out = a;
	return 0;
out:
	release(a, false);
	free_assoc(a);
	return ret;
}

void sctp_assoc_destroy(struct sctp_assoc *a)
{
	if (!a || a->doomed)
		return;
	a->doomed = true;
	release(a, true);
	if (a->depth == 0)
		free_assoc(a);
}

int sctp_assoc_connect(struct sctp_assoc *a)
{
	struct sockaddr_conn sconn = { .sconn_family = AF_CONN };

	if (!a || a->doomed)
		return -EINVAL;
	if (a->state != SCTP_ASSOC_STATE_NEW)
		return -EALREADY;
	sconn.sconn_port = htons(a->remote_port);
	sconn.sconn_addr = addr_of(a->id);
	if (usrsctp_connect(a->sock, (struct sockaddr *)&sconn, sizeof(sconn)) < 0 &&
	    errno != EINPROGRESS) {
		a->state = SCTP_ASSOC_STATE_FAILED;
		return -EIO;
	}
	a->state = SCTP_ASSOC_STATE_CONNECTING;
	return 0;
}

int sctp_assoc_handle_packet(struct sctp_assoc *a, const uint8_t *buf, size_t len)
{
	if (!a || (!buf && len))
		return -EINVAL;
	if (len == 0)
		return -EINVAL;
	if (len > SCTP_ASSOC_MAX_PACKET)
		return -EMSGSIZE;
	if (a->doomed || !a->sock || terminal(a))
		return 0;
	if (a->state == SCTP_ASSOC_STATE_NEW && sctp_assoc_connect(a) < 0)
		return 0;
	a->stats.packets_in++;
	a->stats.bytes_in += len;
	usrsctp_conninput(addr_of(a->id), buf, len, 0);
	return 0;
}

int sctp_assoc_send(struct sctp_assoc *a, uint16_t stream, uint32_t ppid, const uint8_t *data,
		    size_t len)
{
	return sctp_assoc_send_opt(a, stream, ppid, data, len, NULL);
}

int sctp_assoc_send_opt(struct sctp_assoc *a, uint16_t stream, uint32_t ppid,
			const uint8_t *data, size_t len, const struct sctp_assoc_sendopt *opt)
{
	struct sctp_sendv_spa spa;
	ssize_t n;

	if (!a || a->doomed)
		return -EINVAL;
	if (a->state != SCTP_ASSOC_STATE_OPEN || !a->sock)
		return -ENOTCONN;
	if (!data || len == 0 || stream == SCTP_ASSOC_ALL_STREAMS)
		return -EINVAL;
	if (len > a->max_message)
		return -EMSGSIZE;
	memset(&spa, 0, sizeof(spa));
	spa.sendv_sndinfo.snd_sid = stream;
	spa.sendv_sndinfo.snd_ppid = htonl(ppid);
	spa.sendv_sndinfo.snd_flags = SCTP_EOR;
	spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
	if (opt) {
		if (opt->unordered)
			spa.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
		switch (opt->pr) {
		case SCTP_ASSOC_PR_NONE:
			break;
		case SCTP_ASSOC_PR_RTX:
			spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX;
			break;
		case SCTP_ASSOC_PR_TTL:
			spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_TTL;
			break;
		default:
			return -EINVAL;
		}
		if (opt->pr != SCTP_ASSOC_PR_NONE) {
			spa.sendv_prinfo.pr_value = opt->pr_value;
			spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
		}
	}
	n = usrsctp_sendv(a->sock, data, len, NULL, 0, &spa, sizeof(spa), SCTP_SENDV_SPA, 0);
	if (n < 0) {
		if (errno == EWOULDBLOCK || errno == EAGAIN) {
			pthread_mutex_lock(&qlock);
			a->want_writable = true;
			pthread_mutex_unlock(&qlock);
			return -EAGAIN;
		}
		return errno == EINVAL ? -EINVAL : -EIO;
	}
	if ((size_t)n != len)
		return -EIO;
	a->stats.messages_out++;
	return 0;
}

int sctp_assoc_reset_stream(struct sctp_assoc *a, uint16_t stream)
{
	union {
		struct sctp_reset_streams srs;
		uint8_t raw[sizeof(struct sctp_reset_streams) + sizeof(uint16_t)];
	} u;

	if (!a || a->doomed || stream == SCTP_ASSOC_ALL_STREAMS)
		return -EINVAL;
	if (a->state != SCTP_ASSOC_STATE_OPEN || !a->sock)
		return -ENOTCONN;
	memset(&u, 0, sizeof(u));
	u.srs.srs_assoc_id = SCTP_ALL_ASSOC;
	u.srs.srs_flags = SCTP_STREAM_RESET_OUTGOING;
	u.srs.srs_number_streams = 1;
	memcpy(u.raw + sizeof(struct sctp_reset_streams), &stream, sizeof(stream));
	if (usrsctp_setsockopt(a->sock, IPPROTO_SCTP, SCTP_RESET_STREAMS, &u, sizeof(u)) < 0)
		return errno == EINVAL ? -EINVAL : -EIO;
	return 0;
}

int sctp_assoc_shutdown(struct sctp_assoc *a)
{
	if (!a || a->doomed)
		return -EINVAL;
	switch (a->state) {
	case SCTP_ASSOC_STATE_NEW:
	case SCTP_ASSOC_STATE_CONNECTING:
		return -ENOTCONN;
	case SCTP_ASSOC_STATE_OPEN:
		if (a->sock && usrsctp_shutdown(a->sock, SHUT_WR) < 0 && errno != ENOTCONN)
			return -EIO;
		a->state = SCTP_ASSOC_STATE_CLOSING;
		return 0;
	default:
		return 0;
	}
}

enum sctp_assoc_state sctp_assoc_get_state(const struct sctp_assoc *a)
{
	return a ? a->state : SCTP_ASSOC_STATE_FAILED;
}

int sctp_assoc_get_streams(struct sctp_assoc *a, uint16_t *in, uint16_t *out)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);

	if (!a || a->doomed || a->state != SCTP_ASSOC_STATE_OPEN || !a->sock)
		return -ENOTCONN;
	memset(&st, 0, sizeof(st));
	if (usrsctp_getsockopt(a->sock, IPPROTO_SCTP, SCTP_STATUS, &st, &len) < 0)
		return -EIO;
	if (in)
		*in = st.sstat_instrms;
	if (out)
		*out = st.sstat_outstrms;
	return 0;
}

void sctp_assoc_get_stats(const struct sctp_assoc *a, struct sctp_assoc_stats *out)
{
	if (!out)
		return;
	if (a)
		*out = a->stats;
	else
		memset(out, 0, sizeof(*out));
}

const char *sctp_assoc_state_name(enum sctp_assoc_state s)
{
	static const char *const names[] = {
		[SCTP_ASSOC_STATE_NEW] = "new", [SCTP_ASSOC_STATE_CONNECTING] = "connecting",
		[SCTP_ASSOC_STATE_OPEN] = "open", [SCTP_ASSOC_STATE_CLOSING] = "closing",
		[SCTP_ASSOC_STATE_CLOSED] = "closed", [SCTP_ASSOC_STATE_FAILED] = "failed",
	};

	return (unsigned int)s < G_N_ELEMENTS(names) ? names[s] : "?";
}
