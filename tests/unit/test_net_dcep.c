/* Unit tests for net/dcep: DATA_CHANNEL_OPEN/ACK encode and parse (a hand-built wire vector,
 * round trips, every truncation, bad lengths and types), channel type to send options, and
 * the channel table driven through recording callbacks (no SCTP): stream id parity, ACKs for
 * remote OPENs, refused OPENs reset, PPIDs in and out, implicit ACK, close in both directions,
 * association end, limits, callback failures and destroy from inside callbacks.
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

#define MAX_REC 64

struct sent {
	uint16_t stream;
	uint32_t ppid;
	uint8_t data[600];
	size_t len;
	struct sctp_assoc_sendopt opt;
	bool has_opt;
};

struct rec {
	struct dcep *d;
	struct sent sent[MAX_REC];
	int nsent;
	uint16_t resets[MAX_REC];
	int nresets;
	struct dcep_event ev[MAX_REC];
	char ev_label[MAX_REC][DCEP_LABEL_MAX + 1];
	char ev_data[MAX_REC][64];
	int nev;
	int send_ret, reset_ret;
	bool destroy_on_event;
};

static int rec_send(void *user, uint16_t stream, uint32_t ppid, const uint8_t *data, size_t len,
		    const struct sctp_assoc_sendopt *opt)
{
	struct rec *r = user;

	assert_non_null(data);
	assert_true(len > 0);
	if (r->nsent < MAX_REC && len <= sizeof(r->sent[0].data)) {
		struct sent *s = &r->sent[r->nsent++];

		s->stream = stream;
		s->ppid = ppid;
		memcpy(s->data, data, len);
		s->len = len;
		s->has_opt = opt != NULL;
		if (opt)
			s->opt = *opt;
	}
	return r->send_ret;
}

static int rec_reset(void *user, uint16_t stream)
{
	struct rec *r = user;

	if (r->nresets < MAX_REC)
		r->resets[r->nresets++] = stream;
	return r->reset_ret;
}

static void rec_event(void *user, const struct dcep_event *ev)
{
	struct rec *r = user;

	if (r->nev < MAX_REC) {
		r->ev[r->nev] = *ev;
		snprintf(r->ev_label[r->nev], sizeof(r->ev_label[0]), "%s", ev->label);
		if (ev->type == DCEP_EVENT_MESSAGE) {
			assert_non_null(ev->data);
			snprintf(r->ev_data[r->nev], sizeof(r->ev_data[0]), "%.*s", (int)ev->len,
				 (const char *)ev->data);
		}
		r->nev++;
	}
	if (r->destroy_on_event) {
		dcep_destroy(r->d);
		r->d = NULL;
	}
}

static void rec_init(struct rec *r, enum dcep_role role, uint16_t max_streams)
{
	struct dcep_config cfg = { .role = role, .max_streams = max_streams, .send_cb = rec_send,
				   .reset_cb = rec_reset, .event_cb = rec_event, .user = r };

	memset(r, 0, sizeof(*r));
	assert_int_equal(dcep_create(&cfg, &r->d), 0);
}

static void rec_fini(struct rec *r)
{
	dcep_destroy(r->d);
	r->d = NULL;
}

static const uint8_t janus_open[] = {
	0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x04,
	'J', 'a', 'n', 'u', 's', 'D', 'a', 't', 'a', 'C', 'h', 'a', 'n', 'n', 'e', 'l',
	'c', 'h', 'a', 't',
};

/* ---- messages ---- */

static void test_parse_vector(void **state)
{
	struct dcep_msg m;
	uint8_t out[64];
	size_t len = 0;

	assert_int_equal(dcep_parse(janus_open, sizeof(janus_open), &m), 0);
	assert_int_equal(m.type, DCEP_MSG_OPEN);
	assert_int_equal(m.open.channel_type, DCEP_CHANNEL_RELIABLE);
	assert_int_equal(m.open.priority, 256);
	assert_int_equal(m.open.reliability, 0);
	assert_int_equal(m.open.label_len, 16);
	assert_memory_equal(m.open.label, "JanusDataChannel", 16);
	assert_int_equal(m.open.protocol_len, 4);
	assert_memory_equal(m.open.protocol, "chat", 4);

	assert_int_equal(dcep_encode_open(&m.open, out, sizeof(out), &len), 0);
	assert_int_equal(len, sizeof(janus_open));
	assert_memory_equal(out, janus_open, len);

	assert_int_equal(dcep_encode_ack(out, sizeof(out), &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(out[0], DCEP_MSG_ACK);
	assert_int_equal(dcep_parse(out, len, &m), 0);
	assert_int_equal(m.type, DCEP_MSG_ACK);
}

static void test_round_trip(void **state)
{
	static const uint8_t types[] = { 0x00, 0x80, 0x01, 0x81, 0x02, 0x82 };
	char label[300], proto[300];
	uint8_t buf[700];
	struct dcep_msg m;
	size_t len;

	for (size_t t = 0; t < sizeof(types); t++) {
		for (size_t ll = 0; ll < 300; ll += 37) {
			struct dcep_open o = { .channel_type = types[t], .priority = (uint16_t)(ll * 7),
					       .reliability = 0xdeadbe00u + (uint32_t)t };

			memset(label, 'a' + (int)t, ll);
			memset(proto, 'p', ll / 2);
			o.label = label;
			o.label_len = ll;
			o.protocol = proto;
			o.protocol_len = ll / 2;
			assert_int_equal(dcep_encode_open(&o, buf, sizeof(buf), &len), 0);
			assert_int_equal(len, DCEP_OPEN_HEADER_LEN + ll + ll / 2);
			assert_int_equal(dcep_parse(buf, len, &m), 0);
			assert_int_equal(m.open.channel_type, types[t]);
			assert_int_equal(m.open.priority, o.priority);
			assert_int_equal(m.open.reliability, o.reliability);
			assert_int_equal(m.open.label_len, ll);
			assert_int_equal(m.open.protocol_len, ll / 2);
			assert_memory_equal(m.open.label, label, ll);
			assert_memory_equal(m.open.protocol, proto, ll / 2);
		}
	}
}

static void test_malformed(void **state)
{
	uint8_t buf[64];
	struct dcep_msg m;
	size_t len;
	struct dcep_open o = { .channel_type = 0x00, .label = "x", .label_len = 1 };

	/* every truncation of a valid OPEN, and one byte too many */
	for (size_t n = 0; n < sizeof(janus_open); n++)
		assert_int_equal(dcep_parse(janus_open, n, &m), -EBADMSG);
	memcpy(buf, janus_open, sizeof(janus_open));
	buf[sizeof(janus_open)] = 0;
	assert_int_equal(dcep_parse(buf, sizeof(janus_open) + 1, &m), -EBADMSG);
	/* lengths that point past the end */
	memcpy(buf, janus_open, sizeof(janus_open));
	buf[8] = 0xff;
	assert_int_equal(dcep_parse(buf, sizeof(janus_open), &m), -EBADMSG);
	memcpy(buf, janus_open, sizeof(janus_open));
	buf[11] = 0x05;
	assert_int_equal(dcep_parse(buf, sizeof(janus_open), &m), -EBADMSG);
	/* unknown channel type, unknown message type, long ACK, NULL input */
	memcpy(buf, janus_open, sizeof(janus_open));
	buf[1] = 0x03;
	assert_int_equal(dcep_parse(buf, sizeof(janus_open), &m), -EINVAL);
	buf[0] = 0x01;
	assert_int_equal(dcep_parse(buf, sizeof(janus_open), &m), -ENOMSG);
	buf[0] = DCEP_MSG_ACK;
	assert_int_equal(dcep_parse(buf, 2, &m), -EBADMSG);
	assert_int_equal(dcep_parse(NULL, 0, &m), -EBADMSG);
	assert_int_equal(dcep_parse(NULL, 3, &m), -EINVAL);
	assert_int_equal(dcep_parse(buf, 1, NULL), -EINVAL);

	/* encoding limits */
	assert_int_equal(dcep_encode_open(&o, buf, 12, &len), -ENOSPC);
	assert_int_equal(dcep_encode_open(&o, buf, 13, &len), 0);
	o.channel_type = 0x7f;
	assert_int_equal(dcep_encode_open(&o, buf, sizeof(buf), &len), -EINVAL);
	o.channel_type = 0;
	o.label_len = 70000;
	assert_int_equal(dcep_encode_open(&o, buf, sizeof(buf), &len), -EINVAL);
	o.label = NULL;
	o.label_len = 3;
	assert_int_equal(dcep_encode_open(&o, buf, sizeof(buf), &len), -EINVAL);
	assert_int_equal(dcep_encode_ack(buf, 0, &len), -ENOSPC);
}

static void test_sendopt(void **state)
{
	struct sctp_assoc_sendopt o;

	dcep_sendopt(DCEP_CHANNEL_RELIABLE, 9, &o);
	assert_false(o.unordered);
	assert_int_equal(o.pr, SCTP_ASSOC_PR_NONE);
	dcep_sendopt(DCEP_CHANNEL_REXMIT_UNORDERED, 3, &o);
	assert_true(o.unordered);
	assert_int_equal(o.pr, SCTP_ASSOC_PR_RTX);
	assert_int_equal(o.pr_value, 3);
	dcep_sendopt(DCEP_CHANNEL_TIMED, 150, &o);
	assert_false(o.unordered);
	assert_int_equal(o.pr, SCTP_ASSOC_PR_TTL);
	assert_int_equal(o.pr_value, 150);
	assert_true(dcep_channel_type_valid(0x82));
	assert_false(dcep_channel_type_valid(0x83));
	assert_false(dcep_channel_type_valid(0x40));
}

/* ---- the table ---- */

static void test_create(void **state)
{
	struct dcep_config cfg = { .role = DCEP_ROLE_DTLS_CLIENT, .send_cb = rec_send,
				   .reset_cb = rec_reset, .event_cb = rec_event };
	struct dcep *d = NULL;

	assert_int_equal(dcep_create(&cfg, NULL), -EINVAL);
	cfg.reset_cb = NULL;
	assert_int_equal(dcep_create(&cfg, &d), -EINVAL);
	cfg.reset_cb = rec_reset;
	cfg.role = 7;
	assert_int_equal(dcep_create(&cfg, &d), -EINVAL);
	assert_null(d);
	dcep_destroy(NULL);
}

static void test_open_and_ack(void **state)
{
	struct rec r;
	struct dcep_msg m;
	struct dcep_channel ch;
	uint16_t s0 = 99, s1 = 99, found = 99;
	uint8_t ack = DCEP_MSG_ACK;

	rec_init(&r, DCEP_ROLE_DTLS_CLIENT, 0);
	assert_int_equal(dcep_open(r.d, DCEP_JANUS_LABEL, NULL, DCEP_CHANNEL_RELIABLE, 0, &s0), 0);
	assert_int_equal(dcep_open(r.d, "second", "p", DCEP_CHANNEL_TIMED, 500, &s1), 0);
	assert_int_equal(s0, 0);
	assert_int_equal(s1, 2);
	assert_int_equal(r.nsent, 2);
	assert_int_equal(r.sent[0].stream, 0);
	assert_int_equal(r.sent[0].ppid, DCEP_PPID_CONTROL);
	assert_false(r.sent[0].has_opt);	/* DCEP goes reliable and ordered */
	assert_int_equal(dcep_parse(r.sent[0].data, r.sent[0].len, &m), 0);
	assert_int_equal(m.type, DCEP_MSG_OPEN);
	assert_int_equal(m.open.label_len, strlen(DCEP_JANUS_LABEL));
	assert_memory_equal(m.open.label, DCEP_JANUS_LABEL, m.open.label_len);
	assert_int_equal(m.open.protocol_len, 0);
	assert_int_equal(dcep_parse(r.sent[1].data, r.sent[1].len, &m), 0);
	assert_int_equal(m.open.channel_type, DCEP_CHANNEL_TIMED);
	assert_int_equal(m.open.reliability, 500);
	assert_memory_equal(m.open.protocol, "p", 1);

	assert_int_equal(dcep_get_channel(r.d, 0, &ch), 0);
	assert_int_equal(ch.state, DCEP_STATE_CONNECTING);
	assert_true(ch.local);
	assert_int_equal(dcep_find(r.d, "second", &found), 0);
	assert_int_equal(found, 2);
	assert_int_equal(dcep_find(r.d, "nope", &found), -ENOENT);

	assert_int_equal(dcep_handle_message(r.d, 0, DCEP_PPID_CONTROL, &ack, 1), 0);
	assert_int_equal(r.nev, 1);
	assert_int_equal(r.ev[0].type, DCEP_EVENT_OPEN);
	assert_int_equal(r.ev[0].stream, 0);
	assert_string_equal(r.ev_label[0], DCEP_JANUS_LABEL);
	assert_int_equal(dcep_handle_message(r.d, 0, DCEP_PPID_CONTROL, &ack, 1), 0);
	assert_int_equal(r.nev, 1);		/* a repeated ACK changes nothing */
	assert_int_equal(dcep_handle_message(r.d, 8, DCEP_PPID_CONTROL, &ack, 1), -ENOTCONN);
	assert_int_equal(dcep_get_channel(r.d, 0, &ch), 0);
	assert_int_equal(ch.state, DCEP_STATE_OPEN);
	rec_fini(&r);

	/* the server side picks odd ids, and stops at max_streams */
	rec_init(&r, DCEP_ROLE_DTLS_SERVER, 4);
	assert_int_equal(dcep_open(r.d, "a", NULL, DCEP_CHANNEL_RELIABLE, 0, &s0), 0);
	assert_int_equal(dcep_open(r.d, "b", NULL, DCEP_CHANNEL_RELIABLE, 0, &s1), 0);
	assert_int_equal(s0, 1);
	assert_int_equal(s1, 3);
	assert_int_equal(dcep_open(r.d, "c", NULL, DCEP_CHANNEL_RELIABLE, 0, &s1), -ENOSPC);
	rec_fini(&r);
}

static void test_open_refused(void **state)
{
	struct rec r;
	uint16_t s;

	rec_init(&r, DCEP_ROLE_DTLS_CLIENT, 0);
	assert_int_equal(dcep_open(r.d, "bad\xff", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), -EINVAL);
	assert_int_equal(dcep_open(r.d, "x", NULL, 0x33, 0, &s), -EINVAL);
	assert_int_equal(dcep_open(r.d, NULL, NULL, 0, 0, &s), -EINVAL);
	char longl[DCEP_LABEL_MAX + 2];
	memset(longl, 'l', sizeof(longl) - 1);
	longl[sizeof(longl) - 1] = '\0';
	assert_int_equal(dcep_open(r.d, longl, NULL, DCEP_CHANNEL_RELIABLE, 0, &s), -EINVAL);
	longl[DCEP_LABEL_MAX] = '\0';
	assert_int_equal(dcep_open(r.d, longl, NULL, DCEP_CHANNEL_RELIABLE, 0, &s), 0);
	assert_int_equal(r.nsent, 1);

	/* a failing send leaves no channel behind */
	r.send_ret = -ENOTCONN;
	assert_int_equal(dcep_open(r.d, "y", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), -ENOTCONN);
	assert_int_equal(dcep_find(r.d, "y", NULL), -ENOENT);
	r.send_ret = 0;

	/* the table is bounded */
	for (int i = 1; i < DCEP_MAX_CHANNELS; i++)
		assert_int_equal(dcep_open(r.d, "fill", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), 0);
	assert_int_equal(dcep_open(r.d, "full", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), -ENOSPC);
	assert_int_equal(dcep_handle_message(r.d, 1001, DCEP_PPID_CONTROL, janus_open,
					     sizeof(janus_open)), -ENOSPC);
	assert_int_equal(r.nresets, 1);
	assert_int_equal(r.resets[0], 1001);
	assert_int_equal(r.nev, 0);
	rec_fini(&r);
}

static void test_remote_open(void **state)
{
	struct rec r;
	struct dcep_msg m;
	struct dcep_channel ch;
	uint8_t bad[sizeof(janus_open)];

	rec_init(&r, DCEP_ROLE_DTLS_CLIENT, 0);
	assert_int_equal(dcep_handle_message(r.d, 1, DCEP_PPID_CONTROL, janus_open,
					     sizeof(janus_open)), 0);
	assert_int_equal(r.nsent, 1);		/* the ACK, on the same stream */
	assert_int_equal(r.sent[0].stream, 1);
	assert_int_equal(r.sent[0].ppid, DCEP_PPID_CONTROL);
	assert_int_equal(dcep_parse(r.sent[0].data, r.sent[0].len, &m), 0);
	assert_int_equal(m.type, DCEP_MSG_ACK);
	assert_int_equal(r.nev, 1);
	assert_int_equal(r.ev[0].type, DCEP_EVENT_OPEN);
	assert_string_equal(r.ev_label[0], "JanusDataChannel");
	assert_int_equal(dcep_get_channel(r.d, 1, &ch), 0);
	assert_false(ch.local);
	assert_string_equal(ch.protocol, "chat");
	assert_int_equal(ch.priority, 256);

	/* an OPEN on a busy stream is ignored */
	assert_int_equal(dcep_handle_message(r.d, 1, DCEP_PPID_CONTROL, janus_open,
					     sizeof(janus_open)), -EEXIST);
	assert_int_equal(r.nsent, 1);
	assert_int_equal(r.nresets, 0);

	/* bad OPENs on free streams are refused with a reset */
	memcpy(bad, janus_open, sizeof(bad));
	bad[14] = 0xc3;				/* invalid UTF-8 in the label */
	bad[15] = 0x28;
	assert_int_equal(dcep_handle_message(r.d, 3, DCEP_PPID_CONTROL, bad, sizeof(bad)),
			 -EBADMSG);
	memcpy(bad, janus_open, sizeof(bad));
	bad[13] = 0;				/* NUL inside the label */
	assert_int_equal(dcep_handle_message(r.d, 5, DCEP_PPID_CONTROL, bad, sizeof(bad)),
			 -EBADMSG);
	assert_int_equal(dcep_handle_message(r.d, 7, DCEP_PPID_CONTROL, janus_open, 10),
			 -EBADMSG);
	assert_int_equal(r.nresets, 3);
	assert_int_equal(r.resets[0], 3);
	assert_int_equal(r.resets[1], 5);
	assert_int_equal(r.resets[2], 7);
	assert_int_equal(r.nev, 1);
	assert_int_equal(dcep_get_channel(r.d, 3, &ch), -ENOENT);

	/* a long label (over DCEP_LABEL_MAX) is refused too */
	uint8_t big[DCEP_OPEN_HEADER_LEN + DCEP_LABEL_MAX + 1];
	struct dcep_open o = { .channel_type = 0, .label_len = DCEP_LABEL_MAX + 1 };
	char label[DCEP_LABEL_MAX + 1];
	size_t len;

	memset(label, 'z', sizeof(label));
	o.label = label;
	assert_int_equal(dcep_encode_open(&o, big, sizeof(big), &len), 0);
	assert_int_equal(dcep_handle_message(r.d, 9, DCEP_PPID_CONTROL, big, len), -EBADMSG);
	assert_int_equal(r.nresets, 4);
	rec_fini(&r);
}

static void test_messages(void **state)
{
	struct rec r;
	uint8_t ack = DCEP_MSG_ACK, zero = 0;
	uint16_t s;

	rec_init(&r, DCEP_ROLE_DTLS_CLIENT, 0);
	assert_int_equal(dcep_handle_message(r.d, 1, DCEP_PPID_CONTROL, janus_open,
					     sizeof(janus_open)), 0);
	r.nev = 0;
	assert_int_equal(dcep_handle_message(r.d, 1, DCEP_PPID_STRING, (const uint8_t *)"hi", 2), 0);
	assert_int_equal(dcep_handle_message(r.d, 1, DCEP_PPID_BINARY, (const uint8_t *)"\x01", 1),
			 0);
	assert_int_equal(dcep_handle_message(r.d, 1, DCEP_PPID_STRING_EMPTY, &zero, 1), 0);
	assert_int_equal(dcep_handle_message(r.d, 1, DCEP_PPID_BINARY_EMPTY, &zero, 1), 0);
	assert_int_equal(dcep_handle_message(r.d, 1, DCEP_PPID_STRING_PARTIAL,
					     (const uint8_t *)"old", 3), 0);
	assert_int_equal(r.nev, 5);
	assert_int_equal(r.ev[0].type, DCEP_EVENT_MESSAGE);
	assert_false(r.ev[0].binary);
	assert_string_equal(r.ev_data[0], "hi");
	assert_string_equal(r.ev_label[0], "JanusDataChannel");
	assert_true(r.ev[1].binary);
	assert_int_equal(r.ev[1].len, 1);
	assert_false(r.ev[2].binary);
	assert_int_equal(r.ev[2].len, 0);
	assert_true(r.ev[3].binary);
	assert_int_equal(r.ev[3].len, 0);
	assert_false(r.ev[4].binary);
	assert_int_equal(dcep_handle_message(r.d, 1, 99, (const uint8_t *)"?", 1),
			 -EPROTONOSUPPORT);
	assert_int_equal(dcep_handle_message(r.d, 2, DCEP_PPID_STRING, (const uint8_t *)"?", 1),
			 -ENOTCONN);
	assert_int_equal(dcep_handle_message(r.d, 1, DCEP_PPID_CONTROL, (const uint8_t *)"\x07", 1),
			 -ENOMSG);
	assert_int_equal(r.nev, 5);
	assert_int_equal(r.nresets, 0);		/* noise on a live channel does not close it */

	/* sending: PPIDs, the empty forms, options of the channel type */
	r.nsent = 0;
	assert_int_equal(dcep_send(r.d, 1, false, (const uint8_t *)"abc", 3), 0);
	assert_int_equal(dcep_send(r.d, 1, true, (const uint8_t *)"abc", 3), 0);
	assert_int_equal(dcep_send(r.d, 1, false, NULL, 0), 0);
	assert_int_equal(dcep_send(r.d, 1, true, NULL, 0), 0);
	assert_int_equal(dcep_send(r.d, 4, false, (const uint8_t *)"abc", 3), -ENOTCONN);
	assert_int_equal(r.nsent, 4);
	assert_int_equal(r.sent[0].ppid, DCEP_PPID_STRING);
	assert_int_equal(r.sent[1].ppid, DCEP_PPID_BINARY);
	assert_int_equal(r.sent[2].ppid, DCEP_PPID_STRING_EMPTY);
	assert_int_equal(r.sent[2].len, 1);
	assert_int_equal(r.sent[3].ppid, DCEP_PPID_BINARY_EMPTY);
	assert_true(r.sent[0].has_opt);
	assert_false(r.sent[0].opt.unordered);
	assert_int_equal(r.sent[0].opt.pr, SCTP_ASSOC_PR_NONE);

	/* an unordered, partially reliable channel of ours: ordered until the ACK */
	assert_int_equal(dcep_open(r.d, "fast", NULL, DCEP_CHANNEL_REXMIT_UNORDERED, 2, &s), 0);
	assert_int_equal(s, 0);
	r.nsent = 0;
	assert_int_equal(dcep_send(r.d, s, false, (const uint8_t *)"early", 5), 0);
	assert_false(r.sent[0].opt.unordered);
	assert_int_equal(r.sent[0].opt.pr, SCTP_ASSOC_PR_RTX);
	assert_int_equal(r.sent[0].opt.pr_value, 2);
	assert_int_equal(dcep_handle_message(r.d, s, DCEP_PPID_CONTROL, &ack, 1), 0);
	assert_int_equal(dcep_send(r.d, s, false, (const uint8_t *)"late", 4), 0);
	assert_true(r.sent[1].opt.unordered);
	rec_fini(&r);

	/* data before the ACK opens the channel first (implicit ACK) */
	rec_init(&r, DCEP_ROLE_DTLS_CLIENT, 0);
	assert_int_equal(dcep_open(r.d, "c", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), 0);
	assert_int_equal(dcep_handle_message(r.d, s, DCEP_PPID_STRING, (const uint8_t *)"x", 1), 0);
	assert_int_equal(r.nev, 2);
	assert_int_equal(r.ev[0].type, DCEP_EVENT_OPEN);
	assert_int_equal(r.ev[1].type, DCEP_EVENT_MESSAGE);
	rec_fini(&r);
}

static void test_close(void **state)
{
	struct rec r;
	struct dcep_channel ch;
	struct sctp_assoc_event ev = { 0 };
	uint16_t s, s2;
	uint8_t ack = DCEP_MSG_ACK;

	rec_init(&r, DCEP_ROLE_DTLS_CLIENT, 0);
	assert_int_equal(dcep_open(r.d, "mine", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), 0);
	assert_int_equal(dcep_handle_message(r.d, s, DCEP_PPID_CONTROL, &ack, 1), 0);
	r.nev = 0;

	/* we close: our reset first, CLOSED when the peer's reset arrives */
	assert_int_equal(dcep_close(r.d, s), 0);
	assert_int_equal(r.nresets, 1);
	assert_int_equal(r.resets[0], s);
	assert_int_equal(dcep_get_channel(r.d, s, &ch), 0);
	assert_int_equal(ch.state, DCEP_STATE_CLOSING);
	assert_int_equal(dcep_find(r.d, "mine", NULL), -ENOENT);
	assert_int_equal(dcep_close(r.d, s), -ENOTCONN);
	assert_int_equal(dcep_send(r.d, s, false, (const uint8_t *)"x", 1), -ENOTCONN);
	assert_int_equal(r.nev, 0);
	ev.type = SCTP_ASSOC_EV_STREAM_RESET;
	ev.stream = s;
	ev.incoming = false;			/* our own reset completing changes nothing */
	dcep_handle_sctp_event(r.d, &ev);
	assert_int_equal(r.nev, 0);
	ev.incoming = true;
	dcep_handle_sctp_event(r.d, &ev);
	assert_int_equal(r.nev, 1);
	assert_int_equal(r.ev[0].type, DCEP_EVENT_CLOSED);
	assert_string_equal(r.ev_label[0], "mine");
	assert_int_equal(r.nresets, 1);
	assert_int_equal(dcep_get_channel(r.d, s, &ch), -ENOENT);

	/* the peer closes: we reset ours in answer */
	assert_int_equal(dcep_handle_message(r.d, 5, DCEP_PPID_CONTROL, janus_open,
					     sizeof(janus_open)), 0);
	dcep_handle_reset(r.d, 5);
	assert_int_equal(r.nresets, 2);
	assert_int_equal(r.resets[1], 5);
	assert_int_equal(r.ev[r.nev - 1].type, DCEP_EVENT_CLOSED);
	assert_int_equal(r.ev[r.nev - 1].stream, 5);
	dcep_handle_reset(r.d, 5);		/* nothing left to close */
	assert_int_equal(r.nresets, 2);

	/* an oversize message closes its channel; a reset of all streams closes the rest */
	assert_int_equal(dcep_open(r.d, "a", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), 0);
	assert_int_equal(dcep_open(r.d, "b", NULL, DCEP_CHANNEL_RELIABLE, 0, &s2), 0);
	ev = (struct sctp_assoc_event){ .type = SCTP_ASSOC_EV_TOO_BIG, .stream = s };
	dcep_handle_sctp_event(r.d, &ev);
	assert_int_equal(r.resets[r.nresets - 1], s);
	assert_int_equal(dcep_get_channel(r.d, s, &ch), 0);
	assert_int_equal(ch.state, DCEP_STATE_CLOSING);
	r.nev = 0;
	ev = (struct sctp_assoc_event){ .type = SCTP_ASSOC_EV_STREAM_RESET, .incoming = true,
					.stream = SCTP_ASSOC_ALL_STREAMS };
	dcep_handle_sctp_event(r.d, &ev);
	assert_int_equal(r.nev, 2);
	assert_int_equal(dcep_get_channel(r.d, s, &ch), -ENOENT);
	assert_int_equal(dcep_get_channel(r.d, s2, &ch), -ENOENT);

	/* a failing reset forgets the channel */
	assert_int_equal(dcep_open(r.d, "c", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), 0);
	r.reset_ret = -ENOTCONN;
	assert_int_equal(dcep_close(r.d, s), -ENOTCONN);
	assert_int_equal(dcep_get_channel(r.d, s, &ch), -ENOENT);
	r.reset_ret = 0;

	/* the association's end closes everything, without resets */
	assert_int_equal(dcep_open(r.d, "d", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), 0);
	assert_int_equal(dcep_handle_message(r.d, 7, DCEP_PPID_CONTROL, janus_open,
					     sizeof(janus_open)), 0);
	int resets = r.nresets;
	r.nev = 0;
	ev = (struct sctp_assoc_event){ .type = SCTP_ASSOC_EV_FAILED, .err = -ECONNRESET };
	dcep_handle_sctp_event(r.d, &ev);
	assert_int_equal(r.nev, 2);
	assert_int_equal(r.ev[0].type, DCEP_EVENT_CLOSED);
	assert_int_equal(r.ev[1].type, DCEP_EVENT_CLOSED);
	assert_int_equal(r.nresets, resets);
	assert_int_equal(dcep_find(r.d, "d", NULL), -ENOENT);
	rec_fini(&r);
}

static void test_destroy_in_callback(void **state)
{
	struct rec r;
	struct sctp_assoc_event ev = { .type = SCTP_ASSOC_EV_CLOSED };
	uint16_t s;

	rec_init(&r, DCEP_ROLE_DTLS_CLIENT, 0);
	r.destroy_on_event = true;
	assert_int_equal(dcep_handle_message(r.d, 1, DCEP_PPID_CONTROL, janus_open,
					     sizeof(janus_open)), 0);
	assert_null(r.d);
	assert_int_equal(r.nev, 1);

	rec_init(&r, DCEP_ROLE_DTLS_CLIENT, 0);
	assert_int_equal(dcep_open(r.d, "a", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), 0);
	assert_int_equal(dcep_open(r.d, "b", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), 0);
	r.destroy_on_event = true;
	dcep_handle_sctp_event(r.d, &ev);	/* two channels, destroyed at the first CLOSED */
	assert_null(r.d);
	assert_int_equal(r.nev, 1);

	rec_init(&r, DCEP_ROLE_DTLS_CLIENT, 0);
	assert_int_equal(dcep_open(r.d, "a", NULL, DCEP_CHANNEL_RELIABLE, 0, &s), 0);
	r.destroy_on_event = true;
	assert_int_equal(dcep_handle_message(r.d, s, DCEP_PPID_STRING, (const uint8_t *)"x", 1), 0);
	assert_null(r.d);
	assert_int_equal(r.nev, 1);		/* OPEN (implicit ACK); the message never came */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_vector),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_sendopt),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_open_and_ack),
		cmocka_unit_test(test_open_refused),
		cmocka_unit_test(test_remote_open),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_destroy_in_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
