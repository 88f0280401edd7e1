/*
 * DCEP messages and the data channel table (see dcep.h for the contract).
 *
 * DATA_CHANNEL_OPEN (RFC 8832 §5.1), big-endian: type 0x03 (1), channel type (1), priority
 * (2), reliability parameter (4), label length (2), protocol length (2), label, protocol.
 * DATA_CHANNEL_ACK (§5.2) is the single byte 0x02. Both go on PPID 50, reliable and ordered.
 * The table is a fixed array of DCEP_MAX_CHANNELS slots searched linearly. A depth counter
 * makes dcep_destroy() from an event callback safe: the free happens when the outermost
 * dcep_* call returns.
 * Thread: the owner's (the SCTP association's context).
 */
#include "net/dcep.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

struct chan {
	bool used;
	uint16_t stream;
	enum dcep_state state;
	bool local;
	uint8_t type;
	uint16_t priority;
	uint32_t reliability;
	char label[DCEP_LABEL_MAX + 1];
	char protocol[DCEP_LABEL_MAX + 1];
};

struct dcep {
	struct dcep_config cfg;
	struct chan chans[DCEP_MAX_CHANNELS];
	int depth;
	bool doomed;
};

static const uint8_t empty_payload[1] = { 0 };

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

bool dcep_channel_type_valid(uint8_t type)
{
	switch (type) {
	case DCEP_CHANNEL_RELIABLE:
	case DCEP_CHANNEL_RELIABLE_UNORDERED:
	case DCEP_CHANNEL_REXMIT:
	case DCEP_CHANNEL_REXMIT_UNORDERED:
	case DCEP_CHANNEL_TIMED:
	case DCEP_CHANNEL_TIMED_UNORDERED:
		return true;
	default:
		return false;
	}
}

int dcep_parse(const uint8_t *buf, size_t len, struct dcep_msg *out)
{
	size_t llen, plen;

	if (!out || (!buf && len))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < 1)
		return -EBADMSG;
	out->type = buf[0];
	switch (buf[0]) {
	case DCEP_MSG_ACK:
		return len == 1 ? 0 : -EBADMSG;
	case DCEP_MSG_OPEN:
		break;
	default:
		return -ENOMSG;
	}
	if (len < DCEP_OPEN_HEADER_LEN)
		return -EBADMSG;
	llen = get16(buf + 8);
	plen = get16(buf + 10);
	if (len != DCEP_OPEN_HEADER_LEN + llen + plen)
		return -EBADMSG;
	if (!dcep_channel_type_valid(buf[1]))
		return -EINVAL;
	out->open.channel_type = buf[1];
	out->open.priority = get16(buf + 2);
	out->open.reliability = get32(buf + 4);
	out->open.label = (const char *)buf + DCEP_OPEN_HEADER_LEN;
	out->open.label_len = llen;
	out->open.protocol = out->open.label + llen;
	out->open.protocol_len = plen;
	return 0;
}

int dcep_encode_open(const struct dcep_open *o, uint8_t *buf, size_t cap, size_t *out_len)
{
	size_t need;

	if (!o || !out_len || (!buf && cap) || !dcep_channel_type_valid(o->channel_type) ||
	    o->label_len > UINT16_MAX || o->protocol_len > UINT16_MAX ||
	    (!o->label && o->label_len) || (!o->protocol && o->protocol_len))
		return -EINVAL;
	need = DCEP_OPEN_HEADER_LEN + o->label_len + o->protocol_len;
	if (cap < need)
		return -ENOSPC;
	buf[0] = DCEP_MSG_OPEN;
	buf[1] = o->channel_type;
	put16(buf + 2, o->priority);
	put32(buf + 4, o->reliability);
	put16(buf + 8, (uint16_t)o->label_len);
	put16(buf + 10, (uint16_t)o->protocol_len);
	if (o->label_len)
		memcpy(buf + DCEP_OPEN_HEADER_LEN, o->label, o->label_len);
	if (o->protocol_len)
		memcpy(buf + DCEP_OPEN_HEADER_LEN + o->label_len, o->protocol, o->protocol_len);
	*out_len = need;
	return 0;
}

int dcep_encode_ack(uint8_t *buf, size_t cap, size_t *out_len)
{
	if (!buf || !out_len || cap < 1)
		return -ENOSPC;
	buf[0] = DCEP_MSG_ACK;
	*out_len = 1;
	return 0;
}

void dcep_sendopt(uint8_t channel_type, uint32_t reliability, struct sctp_assoc_sendopt *out)
{
	memset(out, 0, sizeof(*out));
	out->unordered = (channel_type & 0x80) != 0;
	switch (channel_type & 0x7f) {
	case DCEP_CHANNEL_REXMIT:
		out->pr = SCTP_ASSOC_PR_RTX;
		out->pr_value = reliability;
		break;
	case DCEP_CHANNEL_TIMED:
		out->pr = SCTP_ASSOC_PR_TTL;
		out->pr_value = reliability;
		break;
	default:
		out->pr = SCTP_ASSOC_PR_NONE;
		break;
	}
}

/* A label or protocol we can keep as a C string: bounded, no NUL, valid UTF-8. */
static bool name_ok(const char *s, size_t len)
{
	if (len > DCEP_LABEL_MAX)
		return false;
	if (len == 0)
		return true;
	return memchr(s, 0, len) == NULL && g_utf8_validate(s, (gssize)len, NULL);
}

/* ---- the table ---- */

int dcep_create(const struct dcep_config *cfg, struct dcep **out)
{
	struct dcep *d;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!cfg || !cfg->send_cb || !cfg->reset_cb || !cfg->event_cb ||
	    (cfg->role != DCEP_ROLE_DTLS_CLIENT && cfg->role != DCEP_ROLE_DTLS_SERVER))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cfg = *cfg;
	if (d->cfg.max_streams == 0)
		d->cfg.max_streams = DCEP_DEFAULT_MAX_STREAMS;
	*out = d;
	return 0;
}

void dcep_destroy(struct dcep *d)
{
	if (!d || d->doomed)
		return;
	d->doomed = true;
	if (d->depth == 0)
		free(d);
}

static void enter(struct dcep *d)
{
	d->depth++;
}

/* Returns false if the table was destroyed meanwhile (and frees it). */
static bool leave(struct dcep *d)
{
	if (--d->depth == 0 && d->doomed) {
		free(d);
		return false;
	}
	return !d->doomed;
}

static struct chan *find(const struct dcep *d, uint16_t stream)
{
	for (int i = 0; i < DCEP_MAX_CHANNELS; i++)
		if (d->chans[i].used && d->chans[i].stream == stream)
			return (struct chan *)&d->chans[i];
	return NULL;
}

static struct chan *free_slot(struct dcep *d)
{
	for (int i = 0; i < DCEP_MAX_CHANNELS; i++)
		if (!d->chans[i].used)
			return &d->chans[i];
	return NULL;
}

static void emit(struct dcep *d, struct chan *c, enum dcep_event_type type)
{
	struct dcep_event ev = { .type = type, .stream = c->stream, .label = c->label };

	d->cfg.event_cb(d->cfg.user, &ev);
}

/* Reports the channel closed, then frees its slot. */
static void close_chan(struct dcep *d, struct chan *c)
{
	c->state = DCEP_STATE_CLOSED;
	emit(d, c, DCEP_EVENT_CLOSED);
	if (!d->doomed)
		memset(c, 0, sizeof(*c));
}

static int send_ctl(struct dcep *d, uint16_t stream, const uint8_t *msg, size_t len)
{
	return d->cfg.send_cb(d->cfg.user, stream, DCEP_PPID_CONTROL, msg, len, NULL);
}

int dcep_open(struct dcep *d, const char *label, const char *protocol, uint8_t channel_type,
	      uint32_t reliability, uint16_t *stream_out)
{
	uint8_t msg[DCEP_OPEN_HEADER_LEN + 2 * DCEP_LABEL_MAX];
	struct dcep_open o = { .channel_type = channel_type, .reliability = reliability };
	struct chan *c;
	size_t len;
	uint32_t id;
	int ret;

	if (!d || d->doomed || !label)
		return -EINVAL;
	if (!protocol)
		protocol = "";
	o.label = label;
	o.label_len = strlen(label);
	o.protocol = protocol;
	o.protocol_len = strlen(protocol);
	if (!name_ok(label, o.label_len) || !name_ok(protocol, o.protocol_len) ||
	    !dcep_channel_type_valid(channel_type))
		return -EINVAL;
	c = free_slot(d);
	if (!c)
		return -ENOSPC;
	for (id = d->cfg.role == DCEP_ROLE_DTLS_CLIENT ? 0 : 1; id < d->cfg.max_streams; id += 2)
		if (!find(d, (uint16_t)id))
			break;
	if (id >= d->cfg.max_streams)
		return -ENOSPC;
	ret = dcep_encode_open(&o, msg, sizeof(msg), &len);
	if (ret < 0)
		return ret;
	c->used = true;
	c->stream = (uint16_t)id;
	c->state = DCEP_STATE_CONNECTING;
	c->local = true;
	c->type = channel_type;
	c->reliability = reliability;
	memcpy(c->label, label, o.label_len + 1);
	memcpy(c->protocol, protocol, o.protocol_len + 1);
	enter(d);
	ret = send_ctl(d, c->stream, msg, len);
	if (!leave(d))
		return ret < 0 ? ret : 0;
	if (ret < 0) {
		memset(c, 0, sizeof(*c));
		return ret;
	}
	if (stream_out)
		*stream_out = (uint16_t)id;
	return 0;
}

int dcep_send(struct dcep *d, uint16_t stream, bool binary, const uint8_t *data, size_t len)
{
	struct sctp_assoc_sendopt opt;
	struct chan *c;
	uint32_t ppid;
	int ret;

	if (!d || d->doomed || (!data && len))
		return -EINVAL;
	c = find(d, stream);
	if (!c || (c->state != DCEP_STATE_OPEN && c->state != DCEP_STATE_CONNECTING))
		return -ENOTCONN;
	dcep_sendopt(c->type, c->reliability, &opt);
	if (c->state == DCEP_STATE_CONNECTING)
		opt.unordered = false;		/* RFC 8832 §6: ordered until the ACK */
	if (len == 0) {
		ppid = binary ? DCEP_PPID_BINARY_EMPTY : DCEP_PPID_STRING_EMPTY;
		data = empty_payload;
		len = sizeof(empty_payload);
	} else {
		ppid = binary ? DCEP_PPID_BINARY : DCEP_PPID_STRING;
	}
	enter(d);
	ret = d->cfg.send_cb(d->cfg.user, stream, ppid, data, len, &opt);
	leave(d);
	return ret;
}

int dcep_close(struct dcep *d, uint16_t stream)
{
	struct chan *c;
	int ret;

	if (!d || d->doomed)
		return -EINVAL;
	c = find(d, stream);
	if (!c || (c->state != DCEP_STATE_OPEN && c->state != DCEP_STATE_CONNECTING))
		return -ENOTCONN;
	c->state = DCEP_STATE_CLOSING;
	enter(d);
	ret = d->cfg.reset_cb(d->cfg.user, stream);
	if (!leave(d))
		return ret;
	if (ret < 0 && c->used && c->stream == stream)
		memset(c, 0, sizeof(*c));
	return ret;
}

/* A remote OPEN on a free stream: keep it, ACK it, report it. A bad one gets its stream reset. */
static int accept_open(struct dcep *d, uint16_t stream, const struct dcep_open *o)
{
	uint8_t ack[1];
	size_t len;
	struct chan *c;
	int ret;

	if (!name_ok(o->label, o->label_len) || !name_ok(o->protocol, o->protocol_len)) {
		d->cfg.reset_cb(d->cfg.user, stream);
		return -EBADMSG;
	}
	c = free_slot(d);
	if (!c) {
		d->cfg.reset_cb(d->cfg.user, stream);
		return -ENOSPC;
	}
	c->used = true;
	c->stream = stream;
	c->state = DCEP_STATE_OPEN;
	c->local = false;
	c->type = o->channel_type;
	c->priority = o->priority;
	c->reliability = o->reliability;
	memcpy(c->label, o->label, o->label_len);
	c->label[o->label_len] = '\0';
	memcpy(c->protocol, o->protocol, o->protocol_len);
	c->protocol[o->protocol_len] = '\0';
	dcep_encode_ack(ack, sizeof(ack), &len);
	ret = send_ctl(d, stream, ack, len);
	if (d->doomed)
		return ret;
	if (ret < 0) {
		memset(c, 0, sizeof(*c));
		return ret;
	}
	emit(d, c, DCEP_EVENT_OPEN);
	return 0;
}

static int handle_control(struct dcep *d, uint16_t stream, const uint8_t *data, size_t len)
{
	struct dcep_msg m;
	struct chan *c = find(d, stream);
	int ret = dcep_parse(data, len, &m);

	if (ret < 0) {
		/* A broken OPEN on a free stream is refused; noise on a live channel is ignored. */
		if (!c && len > 0 && data[0] == DCEP_MSG_OPEN)
			d->cfg.reset_cb(d->cfg.user, stream);
		return ret;
	}
	if (m.type == DCEP_MSG_OPEN) {
		if (c)
			return -EEXIST;
		return accept_open(d, stream, &m.open);
	}
	if (!c)
		return -ENOTCONN;
	if (c->state == DCEP_STATE_CONNECTING) {
		c->state = DCEP_STATE_OPEN;
		emit(d, c, DCEP_EVENT_OPEN);
	}
	return 0;
}

static int handle_user(struct dcep *d, uint16_t stream, uint32_t ppid, const uint8_t *data,
		       size_t len)
{
	struct dcep_event ev = { .type = DCEP_EVENT_MESSAGE, .stream = stream };
	struct chan *c;

	switch (ppid) {
	case DCEP_PPID_STRING:
	case DCEP_PPID_STRING_PARTIAL:
		break;
	case DCEP_PPID_BINARY:
	case DCEP_PPID_BINARY_PARTIAL:
		ev.binary = true;
		break;
	case DCEP_PPID_STRING_EMPTY:
		len = 0;
		break;
	case DCEP_PPID_BINARY_EMPTY:
		ev.binary = true;
		len = 0;
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	c = find(d, stream);
	if (!c)
		return -ENOTCONN;
	if (c->state == DCEP_STATE_CONNECTING) {
		/* Data before the ACK: the peer accepted the channel (RFC 8832 §6). */
		c->state = DCEP_STATE_OPEN;
		emit(d, c, DCEP_EVENT_OPEN);
		if (d->doomed)
			return 0;
		c = find(d, stream);
		if (!c)
			return -ENOTCONN;
	}
	ev.label = c->label;
	ev.data = data && len ? data : empty_payload;
	ev.len = len;
	d->cfg.event_cb(d->cfg.user, &ev);
	return 0;
}

int dcep_handle_message(struct dcep *d, uint16_t stream, uint32_t ppid, const uint8_t *data,
			size_t len)
{
	int ret;

	if (!d || d->doomed || (!data && len) || stream == SCTP_ASSOC_ALL_STREAMS)
		return -EINVAL;
	enter(d);
	if (ppid == DCEP_PPID_CONTROL)
		ret = handle_control(d, stream, data, len);
	else
		ret = handle_user(d, stream, ppid, data, len);
	leave(d);
	return ret;
}

static void reset_one(struct dcep *d, struct chan *c)
{
	if (c->state != DCEP_STATE_CLOSING) {
		c->state = DCEP_STATE_CLOSING;
		d->cfg.reset_cb(d->cfg.user, c->stream);
		if (d->doomed || !c->used)
			return;
	}
	close_chan(d, c);
}

void dcep_handle_reset(struct dcep *d, uint16_t stream)
{
	struct chan *c;

	if (!d || d->doomed)
		return;
	enter(d);
	if (stream == SCTP_ASSOC_ALL_STREAMS) {
		for (int i = 0; i < DCEP_MAX_CHANNELS && !d->doomed; i++)
			if (d->chans[i].used)
				reset_one(d, &d->chans[i]);
	} else if ((c = find(d, stream))) {
		reset_one(d, c);
	}
	leave(d);
}

static void close_all(struct dcep *d)
{
	for (int i = 0; i < DCEP_MAX_CHANNELS && !d->doomed; i++)
		if (d->chans[i].used)
			close_chan(d, &d->chans[i]);
}

void dcep_handle_sctp_event(struct dcep *d, const struct sctp_assoc_event *ev)
{
	if (!d || d->doomed || !ev)
		return;
	switch (ev->type) {
	case SCTP_ASSOC_EV_MESSAGE:
		dcep_handle_message(d, ev->stream, ev->ppid, ev->data, ev->len);
		break;
	case SCTP_ASSOC_EV_STREAM_RESET:
		if (ev->incoming)
			dcep_handle_reset(d, ev->stream);
		break;
	case SCTP_ASSOC_EV_TOO_BIG:
		dcep_close(d, ev->stream);
		break;
	case SCTP_ASSOC_EV_CLOSED:
	case SCTP_ASSOC_EV_FAILED:
		enter(d);
		close_all(d);
		leave(d);
		break;
	default:
		break;
	}
}

int dcep_find(const struct dcep *d, const char *label, uint16_t *stream_out)
{
	if (!d || !label)
		return -ENOENT;
	for (int i = 0; i < DCEP_MAX_CHANNELS; i++) {
		const struct chan *c = &d->chans[i];

		if (c->used && c->state != DCEP_STATE_CLOSING && strcmp(c->label, label) == 0) {
			if (stream_out)
				*stream_out = c->stream;
			return 0;
		}
	}
	return -ENOENT;
}

int dcep_get_channel(const struct dcep *d, uint16_t stream, struct dcep_channel *out)
{
	const struct chan *c = d ? find(d, stream) : NULL;

	if (!c || !out)
		return -ENOENT;
	out->stream = c->stream;
	out->state = c->state;
	out->local = c->local;
	out->channel_type = c->type;
	out->priority = c->priority;
	out->reliability = c->reliability;
	out->label = c->label;
	out->protocol = c->protocol;
	return 0;
}
