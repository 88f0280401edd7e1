/* Fuzz target for net/dcep: parse any byte string as a DCEP message (an OPEN that parses must
 * encode back to exactly the same bytes), then drive a channel table with a script read from
 * the same bytes: records of [op][stream][len][payload] that feed messages on every PPID,
 * stream resets, association events, opens, sends and closes. The callbacks check what the
 * table sends (control messages must parse, ids stay below 65535, data is never NULL). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dcep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	struct dcep *d;
	int fail_sends;
	int opened, closed, messages;
};

static int on_send(void *user, uint16_t stream, uint32_t ppid, const uint8_t *buf, size_t len,
		   const struct sctp_assoc_sendopt *opt)
{
	struct ctx *c = user;
	struct dcep_msg m;

	if (!buf || len == 0 || stream == SCTP_ASSOC_ALL_STREAMS)
		abort();
	if (ppid == DCEP_PPID_CONTROL && dcep_parse(buf, len, &m) != 0)
		abort();
	if (c->fail_sends > 0) {
		c->fail_sends--;
		return -ENOTCONN;
	}
	return 0;
}

static int on_reset(void *user, uint16_t stream)
{
	if (stream == SCTP_ASSOC_ALL_STREAMS)
		abort();
	return 0;
}

static void on_event(void *user, const struct dcep_event *ev)
{
	struct ctx *c = user;

	if (!ev->label)
		abort();
	switch (ev->type) {
	case DCEP_EVENT_OPEN:
		c->opened++;
		break;
	case DCEP_EVENT_MESSAGE:
		if (!ev->data)
			abort();
		c->messages++;
		break;
	case DCEP_EVENT_CLOSED:
		c->closed++;
		break;
	}
}

static void check_round_trip(const uint8_t *data, size_t size)
{
	struct dcep_msg m;
	uint8_t out[DCEP_OPEN_HEADER_LEN + 2 * 65535];
	size_t len;

	if (dcep_parse(data, size, &m) != 0 || m.type != DCEP_MSG_OPEN)
		return;
	if (size > sizeof(out) || dcep_encode_open(&m.open, out, sizeof(out), &len) != 0)
		abort();
	if (len != size || memcmp(out, data, size) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t ppids[] = { 50, 51, 52, 53, 54, 56, 57, 0, 1, 0xffffffffu };
	struct ctx c = { 0 };
	struct dcep_config cfg = { .send_cb = on_send, .reset_cb = on_reset,
				   .event_cb = on_event, .user = &c };
	size_t off = 0;

	check_round_trip(data, size);
	cfg.role = size && (data[0] & 1) ? DCEP_ROLE_DTLS_SERVER : DCEP_ROLE_DTLS_CLIENT;
	cfg.max_streams = size > 1 ? data[1] : 0;
	if (dcep_create(&cfg, &c.d) != 0)
		abort();
	dcep_handle_message(c.d, 1, DCEP_PPID_CONTROL, data, size);	/* the whole input */
	while (off + 3 <= size) {
		uint8_t op = data[off];
		uint16_t stream = data[off + 1] & 0x0f;
		size_t len = data[off + 2];
		const uint8_t *p = data + off + 3;
		char label[DCEP_LABEL_MAX + 2];
		struct sctp_assoc_event ev = { .stream = stream };
		uint16_t s;

		if (len > size - off - 3)
			len = size - off - 3;
		off += 3 + len;
		if (op & 0x80)
			stream = SCTP_ASSOC_ALL_STREAMS;
		switch (op & 0x07) {
		case 0:
		case 1:
			dcep_handle_message(c.d, stream, ppids[(op >> 3) % 10], p, len);
			break;
		case 2:
			dcep_handle_reset(c.d, stream);
			break;
		case 3:
			ev.type = (enum sctp_assoc_event_type)((op >> 3) % 7);
			ev.incoming = op & 0x40;
			ev.data = p;
			ev.len = len;
			ev.ppid = ppids[len % 10];
			dcep_handle_sctp_event(c.d, &ev);
			break;
		case 4:
			memcpy(label, p, len < DCEP_LABEL_MAX + 1 ? len : DCEP_LABEL_MAX + 1);
			label[len < DCEP_LABEL_MAX + 1 ? len : DCEP_LABEL_MAX + 1] = '\0';
			c.fail_sends = op & 0x40 ? 1 : 0;
			dcep_open(c.d, label, (op & 0x20) ? label : NULL,
				  len ? p[0] : 0, len > 1 ? p[1] : 0, &s);
			c.fail_sends = 0;
			break;
		case 5:
			dcep_send(c.d, stream, op & 0x40, len ? p : NULL, len);
			break;
		case 6:
			dcep_close(c.d, stream);
			break;
		case 7:
			memcpy(label, p, len < DCEP_LABEL_MAX + 1 ? len : DCEP_LABEL_MAX + 1);
			label[len < DCEP_LABEL_MAX + 1 ? len : DCEP_LABEL_MAX + 1] = '\0';
			if (dcep_find(c.d, label, &s) == 0) {
				struct dcep_channel ch;

				if (dcep_get_channel(c.d, s, &ch) != 0 || strcmp(ch.label, label) != 0)
					abort();
			}
			break;
		}
	}
	dcep_destroy(c.d);
	return 0;
}
