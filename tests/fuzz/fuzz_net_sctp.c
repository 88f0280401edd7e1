/* Fuzz target for net/sctp (with net/dcep behind it): arbitrary bytes into a live association.
 * A pair of associations on one GMainContext is set up once, and again whenever an input ends
 * it; the client side opens a DCEP channel and the server ACKs it, so a real DATA packet in
 * each direction gives the common header (ports, verification tag) and the next TSN. Each
 * input is [mode][bytes]:
 *   mode bit 0 set: the bytes go in raw (checksum and tag almost never right: the drop path);
 *   otherwise they are chunks put behind the real header with a correct CRC32c, and with
 *   mode bit 2 every DATA chunk gets the next TSN, so chunk handling, reassembly, the message
 *   limit and the DCEP table are reached. Mode bit 1 sends to the client side instead.
 * The context is then iterated until nothing is left to do (timers are not waited for).
 * After setup the ends no longer hear each other: the SACK for a TSN the client never sent
 * would make it abort, and every input would have to set the pair up again. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "net/dcep.h"
#include "net/sctp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 12

struct fend {
	struct sctp_assoc *a;
	struct dcep *dc;
	struct fend *peer;
	bool open, ended;
	uint8_t hdr[HDR];		/* common header of a real packet to this end */
	bool have_hdr;
	uint32_t next_tsn;		/* the TSN this end expects next */
};

/* Test-harness state kept across inputs (one live association pair). */
static struct {
	GMainContext *ctx;
	struct fend a, b;
	bool linked;			/* packets are forwarded between the ends (setup only) */
} F;

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* CRC32c (RFC 9260 appendix B), stored least significant byte first. */
static void set_crc(uint8_t *pkt, size_t len)
{
	uint32_t crc = 0xffffffffu;

	memset(pkt + 8, 0, 4);
	for (size_t i = 0; i < len; i++) {
		crc ^= pkt[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	crc = ~crc;
	pkt[8] = (uint8_t)crc;
	pkt[9] = (uint8_t)(crc >> 8);
	pkt[10] = (uint8_t)(crc >> 16);
	pkt[11] = (uint8_t)(crc >> 24);
}

/* Learns the header and the next TSN from a real packet going to dst. */
static void learn(struct fend *dst, const uint8_t *buf, size_t len)
{
	uint8_t copy[2048];
	size_t off = HDR;

	if (len < HDR || len > sizeof(copy))
		return;
	memcpy(copy, buf, len);
	set_crc(copy, len);
	if (memcmp(copy + 8, buf + 8, 4) != 0)
		abort();		/* our CRC32c must agree with usrsctp's */
	memcpy(dst->hdr, buf, HDR);
	while (off + 4 <= len) {
		size_t clen = (size_t)buf[off + 2] << 8 | buf[off + 3];

		if (clen < 4)
			break;
		if (buf[off] == 0 && clen >= 16 && off + 8 <= len) {
			dst->next_tsn = get32(buf + off + 4) + 1;
			dst->have_hdr = true;
		}
		off += (clen + 3) & ~(size_t)3;
	}
}

static void on_send(void *user, const uint8_t *buf, size_t len)
{
	struct fend *e = user;

	if (len == 0 || len > SCTP_ASSOC_DEFAULT_MTU)
		abort();
	learn(e->peer, buf, len);
	if (F.linked && e->peer->a)
		sctp_assoc_handle_packet(e->peer->a, buf, len);
}

static void on_event(void *user, const struct sctp_assoc_event *ev)
{
	struct fend *e = user;

	if (e->ended)
		abort();		/* nothing after the end */
	if (ev->type == SCTP_ASSOC_EV_MESSAGE && (!ev->data || ev->len == 0 ||
						  ev->len > SCTP_ASSOC_DEFAULT_MAX_MESSAGE))
		abort();
	if (ev->type == SCTP_ASSOC_EV_OPEN)
		e->open = true;
	if (ev->type == SCTP_ASSOC_EV_CLOSED || ev->type == SCTP_ASSOC_EV_FAILED)
		e->ended = true;
	dcep_handle_sctp_event(e->dc, ev);
}

static int dc_send(void *user, uint16_t stream, uint32_t ppid, const uint8_t *data, size_t len,
		   const struct sctp_assoc_sendopt *opt)
{
	struct fend *e = user;

	return sctp_assoc_send_opt(e->a, stream, ppid, data, len, opt);
}

static int dc_reset(void *user, uint16_t stream)
{
	struct fend *e = user;

	return sctp_assoc_reset_stream(e->a, stream);
}

static void dc_event(void *user, const struct dcep_event *ev)
{
	if (!ev->label || (ev->type == DCEP_EVENT_MESSAGE && !ev->data))
		abort();
}

static void run(int max)
{
	for (int i = 0; i < max; i++)
		if (!g_main_context_iteration(F.ctx, FALSE))
			break;
}

static void end_fini(struct fend *e)
{
	dcep_destroy(e->dc);
	sctp_assoc_destroy(e->a);
	memset(e, 0, sizeof(*e));
}

static bool end_init(struct fend *e, struct fend *peer, bool client)
{
	struct sctp_assoc_config cfg = { .send_cb = on_send, .event_cb = on_event, .user = e };
	struct dcep_config dcfg = { .send_cb = dc_send, .reset_cb = dc_reset,
				    .event_cb = dc_event, .user = e };

	e->peer = peer;
	dcfg.role = client ? DCEP_ROLE_DTLS_CLIENT : DCEP_ROLE_DTLS_SERVER;
	return sctp_assoc_create(F.ctx, &cfg, &e->a) == 0 && dcep_create(&dcfg, &e->dc) == 0;
}

static bool setup(void)
{
	uint16_t stream;

	if (!F.ctx)
		F.ctx = g_main_context_new();
	end_fini(&F.a);
	end_fini(&F.b);
	if (!end_init(&F.a, &F.b, true) || !end_init(&F.b, &F.a, false))
		return false;
	F.linked = true;
	sctp_assoc_connect(F.a.a);
	for (int i = 0; i < 200 && !(F.a.open && F.b.open); i++)
		run(16);
	if (!F.a.open || !F.b.open)
		return false;
	if (dcep_open(F.a.dc, DCEP_JANUS_LABEL, NULL, DCEP_CHANNEL_RELIABLE, 0, &stream) != 0)
		return false;
	run(64);		/* OPEN one way, ACK the other: both headers learnt */
	F.linked = false;
	return F.a.have_hdr && F.b.have_hdr;
}

/* Gives each DATA chunk the next TSN so the receiver takes it. */
static void number_data(struct fend *to, uint8_t *c, size_t n)
{
	size_t off = 0;

	while (off + 4 <= n) {
		size_t clen = (size_t)c[off + 2] << 8 | c[off + 3];

		if (clen < 4)
			break;
		if (c[off] == 0 && clen >= 16 && off + 8 <= n)
			put32(c + off + 4, to->next_tsn++);
		off += (clen + 3) & ~(size_t)3;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fend *to;
	uint8_t mode;
	uint8_t *pkt;

	if (!F.a.a || F.a.ended || F.b.ended) {
		if (!setup())
			abort();	/* two fresh associations in one process must come up */
	}
	if (size == 0 || size > SCTP_ASSOC_MAX_PACKET)
		return 0;
	mode = data[0];
	data++;
	size--;
	to = (mode & 2) ? &F.a : &F.b;
	if (mode & 1) {
		if (size)
			sctp_assoc_handle_packet(to->a, data, size);
		run(64);
		return 0;
	}
	pkt = malloc(HDR + size);
	if (!pkt)
		return 0;
	memcpy(pkt, to->hdr, HDR);
	memcpy(pkt + HDR, data, size);
	if (mode & 4)
		number_data(to, pkt + HDR, size);
	set_crc(pkt, HDR + size);
	sctp_assoc_handle_packet(to->a, pkt, HDR + size);
	free(pkt);
	run(64);
	return 0;
}
