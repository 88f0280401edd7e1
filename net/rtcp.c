/* RTCP compound packets, RTT and NTP helpers (see rtcp.h).
 *
 * Writing: each rtcp_write_* computes its size, checks the room left and appends one packet
 * with its length field; the first error sticks. Parsing: rtcp_iter_next() checks version,
 * length and padding of each packet against the bytes actually present, then rtcp_parse()
 * checks each body against what its type needs before reading it. Pure code, any thread.
 */
#include "net/rtcp.h"

#include "net/bytes.h"
#include "net/rtp.h"

#include <errno.h>
#include <string.h>

#define NTP_UNIX_OFFSET 2208988800u	/* seconds from 1900 to 1970 */


void rtcp_writer_init(struct rtcp_writer *w, uint8_t *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
}

static int fail(struct rtcp_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

/* Reserves a packet of size bytes (a multiple of 4) and writes its header; NULL on error. */
static uint8_t *begin(struct rtcp_writer *w, uint8_t count, uint8_t type, size_t size)
{
	if (w->err)
		return NULL;
	if (size % 4 || size < 4 || size > 4 * 65536u) {
		fail(w, -EINVAL);
		return NULL;
	}
	if (w->cap - w->len < size) {
		fail(w, -ENOSPC);
		return NULL;
	}
	uint8_t *p = w->buf + w->len;
	memset(p, 0, size);
	p[0] = (uint8_t)(0x80 | (count & 0x1f));
	p[1] = type;
	wr16(p + 2, (uint16_t)(size / 4 - 1));
	w->len += size;
	return p;
}

static void put_block(uint8_t *p, const struct rtcp_report_block *b)
{
	int32_t lost = b->lost > 0x7fffff ? 0x7fffff : b->lost < -0x800000 ? -0x800000 : b->lost;
	wr32(p, b->ssrc);
	wr32(p + 4, (uint32_t)b->fraction_lost << 24 | ((uint32_t)lost & 0xffffff));
	wr32(p + 8, b->ext_max_seq);
	wr32(p + 12, b->jitter);
	wr32(p + 16, b->lsr);
	wr32(p + 20, b->dlsr);
}

int rtcp_write_sr(struct rtcp_writer *w, uint32_t ssrc, const struct rtcp_sender_info *si,
		  const struct rtcp_report_block *rb, size_t n)
{
	if (n > RTCP_MAX_BLOCKS || (n && !rb))
		return fail(w, -EINVAL);
	uint8_t *p = begin(w, (uint8_t)n, RTCP_SR, 28 + 24 * n);
	if (!p)
		return w->err;
	wr32(p + 4, ssrc);
	wr32(p + 8, (uint32_t)(si->ntp >> 32));
	wr32(p + 12, (uint32_t)si->ntp);
	wr32(p + 16, si->rtp_ts);
	wr32(p + 20, si->packets);
	wr32(p + 24, si->octets);
	for (size_t i = 0; i < n; i++)
		put_block(p + 28 + 24 * i, &rb[i]);
	return 0;
}

int rtcp_write_rr(struct rtcp_writer *w, uint32_t ssrc, const struct rtcp_report_block *rb,
		  size_t n)
{
	if (n > RTCP_MAX_BLOCKS || (n && !rb))
		return fail(w, -EINVAL);
	uint8_t *p = begin(w, (uint8_t)n, RTCP_RR, 8 + 24 * n);
	if (!p)
		return w->err;
	wr32(p + 4, ssrc);
	for (size_t i = 0; i < n; i++)
		put_block(p + 8 + 24 * i, &rb[i]);
	return 0;
}

int rtcp_write_sdes_cname(struct rtcp_writer *w, uint32_t ssrc, const char *cname)
{
	size_t n = cname ? strlen(cname) : 0;
	if (n == 0 || n > 255)
		return fail(w, -EINVAL);
	/* header, SSRC, CNAME item, at least one zero byte ending the item list, padding */
	uint8_t *p = begin(w, 1, RTCP_SDES, (4 + 4 + 2 + n + 1 + 3) & ~(size_t)3);
	if (!p)
		return w->err;
	wr32(p + 4, ssrc);
	p[8] = 1;	/* CNAME */
	p[9] = (uint8_t)n;
	memcpy(p + 10, cname, n);
	return 0;
}

int rtcp_write_bye(struct rtcp_writer *w, const uint32_t *ssrcs, size_t n, const char *reason)
{
	size_t rn = reason ? strlen(reason) : 0;
	if (n == 0 || n > 31 || !ssrcs || rn > 255)
		return fail(w, -EINVAL);
	size_t size = 4 + 4 * n + (rn ? (1 + rn + 3) & ~(size_t)3 : 0);
	uint8_t *p = begin(w, (uint8_t)n, RTCP_BYE, size);
	if (!p)
		return w->err;
	for (size_t i = 0; i < n; i++)
		wr32(p + 4 + 4 * i, ssrcs[i]);
	if (rn) {
		p[4 + 4 * n] = (uint8_t)rn;
		memcpy(p + 5 + 4 * n, reason, rn);
	}
	return 0;
}

int rtcp_write_pli(struct rtcp_writer *w, uint32_t sender, uint32_t media)
{
	uint8_t *p = begin(w, 1, RTCP_PSFB, 12);
	if (!p)
		return w->err;
	wr32(p + 4, sender);
	wr32(p + 8, media);
	return 0;
}

int rtcp_write_fir(struct rtcp_writer *w, uint32_t sender, uint32_t media, uint8_t seq)
{
	uint8_t *p = begin(w, 4, RTCP_PSFB, 20);
	if (!p)
		return w->err;
	wr32(p + 4, sender);
	wr32(p + 8, 0);		/* media source: unused in FIR (RFC 5104 4.3.1.2) */
	wr32(p + 12, media);
	p[16] = seq;
	return 0;
}

/* Packs lost sequence numbers into PID/BLP pairs (written to fci when not NULL): a pair covers
 * its PID and the 16 numbers after it. Returns the number of pairs. */
static size_t nack_pack(const uint16_t *lost, size_t n, uint8_t *fci)
{
	size_t pairs = 0;
	uint16_t pid = 0, blp = 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t d = (uint16_t)(lost[i] - pid);
		if (pairs > 0 && d == 0)
			continue;
		if (pairs > 0 && d <= 16) {
			blp |= (uint16_t)(1u << (d - 1));
			continue;
		}
		if (pairs > 0 && fci) {
			wr16(fci + 4 * (pairs - 1), pid);
			wr16(fci + 4 * (pairs - 1) + 2, blp);
		}
		pid = lost[i];
		blp = 0;
		pairs++;
	}
	if (pairs > 0 && fci) {
		wr16(fci + 4 * (pairs - 1), pid);
		wr16(fci + 4 * (pairs - 1) + 2, blp);
	}
	return pairs;
}

int rtcp_write_nack(struct rtcp_writer *w, uint32_t sender, uint32_t media, const uint16_t *lost,
		    size_t n)
{
	if (n == 0 || !lost)
		return fail(w, -EINVAL);
	uint8_t *p = begin(w, 1, RTCP_RTPFB, 12 + 4 * nack_pack(lost, n, NULL));
	if (!p)
		return w->err;
	wr32(p + 4, sender);
	wr32(p + 8, media);
	nack_pack(lost, n, p + 12);
	return 0;
}

int rtcp_writer_finish(const struct rtcp_writer *w)
{
	if (w->err)
		return w->err;
	return w->len > INT32_MAX ? -EINVAL : (int)w->len;
}

void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *buf, size_t len)
{
	it->buf = buf;
	it->len = len;
	it->pos = 0;
}

int rtcp_iter_next(struct rtcp_iter *it, struct rtcp_packet *p)
{
	if (it->pos == it->len)
		return 0;
	const uint8_t *b = it->buf + it->pos;
	size_t left = it->len - it->pos;
	if (left < 4 || b[0] >> 6 != 2)
		goto bad;
	size_t size = 4u * (rd16(b + 2) + 1u);
	if (size > left)
		goto bad;
	p->count = b[0] & 0x1f;
	p->type = b[1];
	p->body = b + 4;
	p->body_len = size - 4;
	if (b[0] & 0x20) {
		/* padding is only allowed on the last packet of a compound */
		uint8_t pad = b[size - 1];
		if (size != left || pad == 0 || pad > size - 4)
			goto bad;
		p->body_len -= pad;
	}
	it->pos += size;
	return 1;
bad:
	it->pos = it->len;
	return -EINVAL;
}

static void get_block(const uint8_t *p, struct rtcp_report_block *b)
{
	uint32_t v = rd32(p + 4);
	b->ssrc = rd32(p);
	b->fraction_lost = (uint8_t)(v >> 24);
	b->lost = (int32_t)((v & 0xffffff) ^ 0x800000) - 0x800000;	/* sign-extend 24 bits */
	b->ext_max_seq = rd32(p + 8);
	b->jitter = rd32(p + 12);
	b->lsr = rd32(p + 16);
	b->dlsr = rd32(p + 20);
}

static int parse_blocks(struct rtcp_info *in, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (in->n_blocks >= RTCP_MAX_BLOCKS) {
			in->clipped++;
			continue;
		}
		get_block(p + 24 * i, &in->blocks[in->n_blocks++]);
	}
	return 0;
}

static int parse_sdes(struct rtcp_info *in, const struct rtcp_packet *pk)
{
	const uint8_t *b = pk->body;
	size_t len = pk->body_len, pos = 0;
	for (unsigned int c = 0; c < pk->count; c++) {
		if (len - pos < 4)
			return -EINVAL;
		uint32_t ssrc = rd32(b + pos);
		pos += 4;
		for (;;) {
			if (pos >= len)
				return -EINVAL;
			uint8_t type = b[pos];
			if (type == 0)
				break;
			if (len - pos < 2 || len - pos - 2 < b[pos + 1])
				return -EINVAL;
			size_t n = b[pos + 1];
			/* a CNAME is text: empty ones or ones holding NUL bytes are skipped */
			if (type == 1 && n > 0 && !memchr(b + pos + 2, 0, n)) {
				if (in->n_cnames < RTCP_MAX_ITEMS) {
					in->cnames[in->n_cnames].ssrc = ssrc;
					memcpy(in->cnames[in->n_cnames].cname, b + pos + 2, n);
					in->cnames[in->n_cnames].cname[n] = '\0';
					in->n_cnames++;
				} else {
					in->clipped++;
				}
			}
			pos += 2 + n;
		}
		pos = (pos + 4) & ~(size_t)3;	/* past the zero byte(s) to the next word */
		if (pos > len)
			return -EINVAL;
	}
	return 0;
}

static int parse_bye(struct rtcp_info *in, const struct rtcp_packet *pk)
{
	size_t n = pk->count;
	if (pk->body_len < 4 * n)
		return -EINVAL;
	if (pk->body_len > 4 * n && pk->body[4 * n] > pk->body_len - 4 * n - 1)
		return -EINVAL;	/* reason longer than the packet */
	for (size_t i = 0; i < n; i++) {
		if (in->n_bye >= RTCP_MAX_ITEMS)
			in->clipped++;
		else
			in->bye[in->n_bye++] = rd32(pk->body + 4 * i);
	}
	return 0;
}

static int parse_fb(struct rtcp_info *in, const struct rtcp_packet *pk)
{
	const uint8_t *b = pk->body;
	size_t len = pk->body_len;
	if (len < 8)
		return -EINVAL;
	uint32_t sender = rd32(b), media = rd32(b + 4);
	if (pk->type == RTCP_RTPFB && pk->count == 1) {
		if (len < 12 || len % 4)
			return -EINVAL;
		for (size_t off = 8; off < len; off += 4) {
			if (in->n_nacks >= RTCP_MAX_NACKS) {
				in->clipped++;
				continue;
			}
			struct rtcp_nack *nk = &in->nacks[in->n_nacks++];
			nk->sender = sender;
			nk->media = media;
			nk->pid = rd16(b + off);
			nk->blp = rd16(b + off + 2);
		}
	} else if (pk->type == RTCP_PSFB && pk->count == 1) {
		if (in->n_plis >= RTCP_MAX_ITEMS) {
			in->clipped++;
			return 0;
		}
		in->plis[in->n_plis++] = (struct rtcp_fb){ .sender = sender, .media = media };
	} else if (pk->type == RTCP_PSFB && pk->count == 4) {
		if (len < 16 || (len - 8) % 8)
			return -EINVAL;
		for (size_t off = 8; off < len; off += 8) {
			if (in->n_firs >= RTCP_MAX_ITEMS) {
				in->clipped++;
				continue;
			}
			in->firs[in->n_firs++] = (struct rtcp_fb){ .sender = sender,
				.media = rd32(b + off), .seq = b[off + 4] };
		}
	} else {
		in->n_other++;
	}
	return 0;
}

static int parse_one(struct rtcp_info *in, const struct rtcp_packet *pk)
{
	switch (pk->type) {
	case RTCP_SR:
		if (pk->body_len < 24 + 24u * pk->count)
			return -EINVAL;
		in->has_sr = true;
		in->sr_ssrc = rd32(pk->body);
		in->sr.ntp = (uint64_t)rd32(pk->body + 4) << 32 | rd32(pk->body + 8);
		in->sr.rtp_ts = rd32(pk->body + 12);
		in->sr.packets = rd32(pk->body + 16);
		in->sr.octets = rd32(pk->body + 20);
		return parse_blocks(in, pk->body + 24, pk->count);
	case RTCP_RR:
		if (pk->body_len < 4 + 24u * pk->count)
			return -EINVAL;
		in->has_rr = true;
		in->rr_ssrc = rd32(pk->body);
		return parse_blocks(in, pk->body + 4, pk->count);
	case RTCP_SDES:
		return parse_sdes(in, pk);
	case RTCP_BYE:
		return parse_bye(in, pk);
	case RTCP_RTPFB:
	case RTCP_PSFB:
		return parse_fb(in, pk);
	default:
		in->n_other++;
		return 0;
	}
}

int rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_info *info)
{
	struct rtcp_iter it;
	struct rtcp_packet pk;
	int ret, n = 0;
	memset(info, 0, sizeof(*info));
	rtcp_iter_init(&it, buf, len);
	while ((ret = rtcp_iter_next(&it, &pk)) > 0) {
		if (parse_one(info, &pk) < 0)
			return -EINVAL;
		n++;
	}
	return ret < 0 || n == 0 ? -EINVAL : 0;
}

int rtcp_nack_expand(uint16_t pid, uint16_t blp, uint16_t out[17])
{
	int n = 0;
	out[n++] = pid;
	for (int i = 0; i < 16; i++)
		if (blp & (1u << i))
			out[n++] = (uint16_t)(pid + i + 1);
	return n;
}

uint64_t rtcp_ntp_from_unix_us(uint64_t unix_us)
{
	uint64_t secs = unix_us / 1000000u + NTP_UNIX_OFFSET;
	uint64_t frac = ((unix_us % 1000000u) << 32) / 1000000u;
	return secs << 32 | frac;
}

uint64_t rtcp_ntp_to_unix_us(uint64_t ntp)
{
	uint64_t secs = ntp >> 32;
	/* era 1 (from 2036): seconds with the top bit clear are past the wrap (RFC 4330 3) */
	if (!(secs & 0x80000000u))
		secs += 1ull << 32;
	return (secs - NTP_UNIX_OFFSET) * 1000000u + (((ntp & 0xffffffffu) * 1000000u) >> 32);
}

uint32_t rtcp_dlsr(uint64_t sr_arrival_us, uint64_t now_us)
{
	if (now_us <= sr_arrival_us)
		return 0;
	uint64_t d = now_us - sr_arrival_us;
	uint64_t v = (d / 1000000u) * 65536u + (d % 1000000u) * 65536u / 1000000u;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

void rtcp_report_block_fill(struct rtcp_report_block *b, uint32_t ssrc, struct rtp_stats *st,
			    uint32_t lsr, uint64_t sr_arrival_us, uint64_t now_us)
{
	struct rtp_stats_report r;

	rtp_stats_get(st, &r);
	rtp_stats_mark(st);
	*b = (struct rtcp_report_block){ .ssrc = ssrc, .fraction_lost = r.fraction_lost,
					 .lost = r.lost, .ext_max_seq = r.ext_max_seq,
					 .jitter = r.jitter };
	if (sr_arrival_us && lsr) {
		b->lsr = lsr;
		b->dlsr = rtcp_dlsr(sr_arrival_us, now_us);
	}
}

int rtcp_rtt_ms(uint64_t arrival_ntp, uint32_t lsr, uint32_t dlsr, uint32_t *rtt_ms)
{
	if (lsr == 0)
		return -ENOENT;
	uint32_t rtt = rtcp_ntp_mid(arrival_ntp) - lsr - dlsr;
	if ((int32_t)rtt < 0)
		return -ERANGE;
	uint64_t ms = ((uint64_t)rtt * 1000u + 32768u) >> 16;
	if (ms > 60000)
		return -ERANGE;
	*rtt_ms = (uint32_t)ms;
	return 0;
}
