/* RTP header parse/build, header extensions, sequence arithmetic and receive statistics
 * (see rtp.h). Parsing only reads inside [pkt, pkt + len) and never copies; the writer never
 * writes past its capacity. The statistics follow RFC 3550 A.1 (validation, wrap and restart
 * handling), A.3 (expected / lost / fraction) and A.8 (jitter, kept as 16x fixed point).
 * Pure code, no allocation, any thread.
 */
#include "net/rtp.h"

#include "net/bytes.h"

#include <errno.h>
#include <string.h>

#define SEQ_MOD		(1u << 16)
#define MAX_DROPOUT	3000
#define MAX_MISORDER	100
#define MIN_SEQUENTIAL	2
#define MAX_TRANSIT_D	(1u << 27)	/* keeps jitter_q4 far from overflow */


int rtp_parse(const uint8_t *pkt, size_t len, struct rtp_header *h)
{
	memset(h, 0, sizeof(*h));
	if (len < RTP_HEADER_LEN || pkt[0] >> 6 != 2)
		return -EINVAL;
	bool padding = pkt[0] & 0x20;
	h->has_ext = pkt[0] & 0x10;
	h->cc = pkt[0] & 0x0f;
	h->marker = pkt[1] >> 7;
	h->pt = pkt[1] & 0x7f;
	h->seq = rd16(pkt + 2);
	h->ts = rd32(pkt + 4);
	h->ssrc = rd32(pkt + 8);
	size_t off = RTP_HEADER_LEN + 4u * h->cc;
	if (off > len)
		return -EINVAL;
	for (unsigned int i = 0; i < h->cc; i++)
		h->csrc[i] = rd32(pkt + RTP_HEADER_LEN + 4 * i);
	if (h->has_ext) {
		if (len - off < 4)
			return -EINVAL;
		h->ext_profile = rd16(pkt + off);
		h->ext_len = 4u * rd16(pkt + off + 2);
		off += 4;
		if (len - off < h->ext_len)
			return -EINVAL;
		h->ext = pkt + off;
		off += h->ext_len;
	}
	size_t end = len;
	if (padding) {
		h->pad_len = pkt[len - 1];
		if (h->pad_len == 0 || h->pad_len > len - off)
			return -EINVAL;
		end -= h->pad_len;
	}
	h->payload = pkt + off;
	h->payload_len = end - off;
	return 0;
}

int rtp_ext_find(const struct rtp_header *h, uint8_t id, const uint8_t **data, size_t *len)
{
	bool one = h->ext_profile == RTP_EXT_PROFILE_ONE_BYTE;
	bool two = (h->ext_profile & 0xfff0) == RTP_EXT_PROFILE_TWO_BYTE;
	const uint8_t *e = h->ext;
	size_t n = h->ext_len, i = 0;
	if (!h->has_ext || (!one && !two) || id == 0)
		return -ENOENT;
	while (i < n) {
		uint8_t eid;
		size_t elen;
		if (e[i] == 0) {
			i++;	/* padding */
			continue;
		}
		if (one) {
			eid = e[i] >> 4;
			elen = (e[i] & 0x0f) + 1u;
			if (eid == 15)
				return -ENOENT;	/* reserved: stop processing */
			i += 1;
		} else {
			if (n - i < 2)
				return -EINVAL;
			eid = e[i];
			elen = e[i + 1];
			i += 2;
		}
		if (n - i < elen)
			return -EINVAL;
		if (eid == id) {
			*data = e + i;
			*len = elen;
			return 0;
		}
		i += elen;
	}
	return -ENOENT;
}

int rtp_ext_audio_level(const struct rtp_header *h, uint8_t id, bool *voice, uint8_t *level)
{
	const uint8_t *d;
	size_t n;
	int ret = rtp_ext_find(h, id, &d, &n);
	if (ret < 0)
		return ret;
	if (n < 1)
		return -EINVAL;
	*voice = d[0] >> 7;
	*level = d[0] & 0x7f;
	return 0;
}

int rtp_ext_mid(const struct rtp_header *h, uint8_t id, char *out, size_t cap)
{
	const uint8_t *d;
	size_t n;
	int ret = rtp_ext_find(h, id, &d, &n);
	if (ret < 0)
		return ret;
	if (n == 0 || memchr(d, 0, n))
		return -EINVAL;
	if (n >= cap)
		return -ENOSPC;
	memcpy(out, d, n);
	out[n] = '\0';
	return 0;
}

static int fail(struct rtp_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

int rtp_writer_init(struct rtp_writer *w, uint8_t *buf, size_t cap, const struct rtp_header *h,
		    enum rtp_ext_mode mode)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->mode = mode;
	w->ext_closed = mode == RTP_EXT_NONE;
	if (h->cc > RTP_MAX_CSRC || h->pt > 127 || (unsigned int)mode > RTP_EXT_TWO_BYTE)
		return fail(w, -EINVAL);
	size_t need = RTP_HEADER_LEN + 4u * h->cc + (mode != RTP_EXT_NONE ? 4 : 0);
	if (cap < need)
		return fail(w, -ENOSPC);
	buf[0] = (uint8_t)(0x80 | (mode != RTP_EXT_NONE ? 0x10 : 0) | h->cc);
	buf[1] = (uint8_t)((h->marker ? 0x80 : 0) | h->pt);
	wr16(buf + 2, h->seq);
	wr32(buf + 4, h->ts);
	wr32(buf + 8, h->ssrc);
	for (unsigned int i = 0; i < h->cc; i++)
		wr32(buf + RTP_HEADER_LEN + 4 * i, h->csrc[i]);
	w->len = RTP_HEADER_LEN + 4u * h->cc;
	if (mode != RTP_EXT_NONE) {
		w->ext_start = w->len;
		wr16(buf + w->len, mode == RTP_EXT_ONE_BYTE ? RTP_EXT_PROFILE_ONE_BYTE :
							     RTP_EXT_PROFILE_TWO_BYTE);
		wr16(buf + w->len + 2, 0);
		w->len += 4;
	}
	return 0;
}

int rtp_writer_add_ext(struct rtp_writer *w, uint8_t id, const void *data, size_t len)
{
	if (w->err)
		return w->err;
	if (w->ext_closed || id == 0 || (len && !data))
		return fail(w, -EINVAL);
	bool one = w->mode == RTP_EXT_ONE_BYTE;
	if (one ? (id > 14 || len < 1 || len > 16) : len > 255)
		return fail(w, -EINVAL);
	size_t hdr = one ? 1 : 2;
	if (w->cap - w->len < hdr + len)
		return fail(w, -ENOSPC);
	if (one) {
		w->buf[w->len] = (uint8_t)(id << 4 | (len - 1));
	} else {
		w->buf[w->len] = id;
		w->buf[w->len + 1] = (uint8_t)len;
	}
	if (len)
		memcpy(w->buf + w->len + hdr, data, len);
	w->len += hdr + len;
	return 0;
}

int rtp_writer_add_audio_level(struct rtp_writer *w, uint8_t id, bool voice, uint8_t level)
{
	uint8_t b = (uint8_t)((voice ? 0x80 : 0) | (level > 127 ? 127 : level));
	return rtp_writer_add_ext(w, id, &b, 1);
}

int rtp_writer_add_mid(struct rtp_writer *w, uint8_t id, const char *mid)
{
	if (!mid || !*mid)
		return fail(w, -EINVAL);
	return rtp_writer_add_ext(w, id, mid, strlen(mid));
}

static void close_ext(struct rtp_writer *w)
{
	if (w->ext_closed || w->err)
		return;
	while ((w->len - w->ext_start) % 4) {
		if (w->len >= w->cap) {
			fail(w, -ENOSPC);
			return;
		}
		w->buf[w->len++] = 0;
	}
	size_t words = (w->len - w->ext_start - 4) / 4;
	if (words > 0xffff) {
		fail(w, -EINVAL);
		return;
	}
	wr16(w->buf + w->ext_start + 2, (uint16_t)words);
	w->ext_closed = true;
}

uint8_t *rtp_writer_payload(struct rtp_writer *w, size_t *room)
{
	close_ext(w);
	if (w->err)
		return NULL;
	*room = w->cap - w->len;
	return w->buf + w->len;
}

int rtp_writer_put(struct rtp_writer *w, const void *data, size_t len)
{
	close_ext(w);
	if (w->err)
		return w->err;
	if (w->cap - w->len < len)
		return fail(w, -ENOSPC);
	if (len)
		memcpy(w->buf + w->len, data, len);
	w->len += len;
	return 0;
}

int rtp_writer_finish(struct rtp_writer *w, size_t payload_len, uint8_t pad_len)
{
	close_ext(w);
	if (w->err)
		return w->err;
	if (w->cap - w->len < payload_len || w->cap - w->len - payload_len < pad_len)
		return fail(w, -ENOSPC);
	w->len += payload_len;
	if (pad_len) {
		memset(w->buf + w->len, 0, pad_len - 1u);
		w->buf[w->len + pad_len - 1] = pad_len;
		w->buf[0] |= 0x20;
		w->len += pad_len;
	}
	if (w->len > INT32_MAX)
		return fail(w, -EINVAL);
	return (int)w->len;
}

uint32_t rtp_seq_extend(struct rtp_seq_ext *e, uint16_t seq)
{
	if (!e->init) {
		e->init = true;
		e->max = seq;
		e->cycles = 0;
		return seq;
	}
	int16_t d = rtp_seq_diff(seq, e->max);
	if (d > 0) {
		if (seq < e->max)
			e->cycles += SEQ_MOD;
		e->max = seq;
		return e->cycles + seq;
	}
	/* older than the highest: it may belong to the previous cycle */
	if (seq > e->max)
		return e->cycles - SEQ_MOD + seq;
	return e->cycles + seq;
}

static void init_seq(struct rtp_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = SEQ_MOD + 1;	/* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

void rtp_stats_init(struct rtp_stats *s, uint32_t clock_rate)
{
	memset(s, 0, sizeof(*s));
	s->clock_rate = clock_rate ? clock_rate : 1;
}

/* RFC 3550 A.1: 1 if seq is counted, 0 if not (probation, big jump). */
static int update_seq(struct rtp_stats *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);
	if (s->probation) {
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				init_seq(s, seq);
				s->received++;
				return 1;
			}
		} else {
			s->probation = MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return 0;
	}
	if (udelta < MAX_DROPOUT) {
		if (seq < s->max_seq)
			s->cycles += SEQ_MOD;
		s->max_seq = seq;
	} else if (udelta <= SEQ_MOD - MAX_MISORDER) {
		if (seq != s->bad_seq) {
			s->bad_seq = (seq + 1u) & (SEQ_MOD - 1);
			return 0;
		}
		/* two sequential packets after a jump: the source restarted */
		init_seq(s, seq);
		s->have_transit = false;
	}
	/* else: duplicate or reordered, counted */
	s->received++;
	return 1;
}

static uint32_t arrival_units(uint64_t us, uint32_t rate)
{
	return (uint32_t)((us / 1000000u) * rate + (us % 1000000u) * rate / 1000000u);
}

int rtp_stats_update(struct rtp_stats *s, uint16_t seq, uint32_t rtp_ts, uint64_t arrival_us)
{
	if (!s->started) {
		s->started = true;
		init_seq(s, seq);
		s->max_seq = (uint16_t)(seq - 1);
		s->probation = MIN_SEQUENTIAL;
	}
	if (!update_seq(s, seq))
		return -EAGAIN;
	uint32_t transit = arrival_units(arrival_us, s->clock_rate) - rtp_ts;
	if (s->have_transit) {
		int32_t d = (int32_t)(transit - s->transit);
		uint32_t ad = d < 0 ? (uint32_t)-(int64_t)d : (uint32_t)d;
		if (ad > MAX_TRANSIT_D)
			ad = MAX_TRANSIT_D;
		s->jitter_q4 = s->jitter_q4 + ad - ((s->jitter_q4 + 8) >> 4);
	}
	s->transit = transit;
	s->have_transit = true;
	return 0;
}

void rtp_stats_get(const struct rtp_stats *s, struct rtp_stats_report *r)
{
	memset(r, 0, sizeof(*r));
	if (!s->started || s->probation)
		return;
	r->ext_max_seq = s->cycles + s->max_seq;
	r->expected = r->ext_max_seq - s->base_seq + 1;
	r->received = s->received;
	int64_t lost = (int64_t)r->expected - (int64_t)s->received;
	r->lost = lost > INT32_MAX ? INT32_MAX : lost < INT32_MIN ? INT32_MIN : (int32_t)lost;
	uint32_t exp_int = r->expected - s->expected_prior;
	uint32_t rec_int = s->received - s->received_prior;
	int64_t lost_int = (int64_t)exp_int - (int64_t)rec_int;
	if (exp_int > 0 && lost_int > 0) {
		uint64_t f = ((uint64_t)lost_int << 8) / exp_int;
		r->fraction_lost = f > 255 ? 255 : (uint8_t)f;
	}
	r->jitter = s->jitter_q4 >> 4;
	r->jitter_ms = (double)s->jitter_q4 / 16.0 * 1000.0 / s->clock_rate;
}

void rtp_stats_mark(struct rtp_stats *s)
{
	struct rtp_stats_report r;
	rtp_stats_get(s, &r);
	s->expected_prior = r.expected;
	s->received_prior = s->received;
}
