/* RTCP (RFC 3550, RFC 4585, RFC 5104): compound packet building and parsing, round-trip time
 * from LSR/DLSR, NTP time helpers.
 *
 * Data flow: on send, an rtcp_writer appends SR/RR (with report blocks), SDES CNAME, BYE, PLI,
 * FIR and generic NACK packets into a caller buffer, which then goes to SRTCP protect. On
 * receive, after SRTCP unprotect, rtcp_parse() walks the compound packet (every length is
 * checked before use) into a bounded struct rtcp_info; rtcp_iter_next() gives the raw walk.
 * Times are passed in by the caller (no clock reads). No allocation; any thread.
 */
#ifndef TTM_NET_RTCP_H
#define TTM_NET_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTCP_SR		200
#define RTCP_RR		201
#define RTCP_SDES	202
#define RTCP_BYE	203
#define RTCP_APP	204
#define RTCP_RTPFB	205	/* FMT 1: generic NACK */
#define RTCP_PSFB	206	/* FMT 1: PLI, FMT 4: FIR */

#define RTCP_MAX_BLOCKS	31	/* report blocks per SR/RR */
#define RTCP_MAX_NACKS	32	/* PID/BLP pairs kept by rtcp_parse() */
#define RTCP_MAX_ITEMS	8	/* CNAMEs, BYE SSRCs, PLIs, FIRs kept by rtcp_parse() */

struct rtcp_report_block {
	uint32_t ssrc;			/* source this block is about */
	uint8_t fraction_lost;		/* 1/256 */
	int32_t lost;			/* cumulative; clamped to 24-bit signed on the wire */
	uint32_t ext_max_seq;
	uint32_t jitter;		/* timestamp units */
	uint32_t lsr;			/* middle 32 bits of the last SR's NTP, 0 = none */
	uint32_t dlsr;			/* delay since that SR, 1/65536 s */
};

struct rtcp_sender_info {
	uint64_t ntp;			/* NTP timestamp, 32.32 fixed point */
	uint32_t rtp_ts;
	uint32_t packets;
	uint32_t octets;
};

struct rtcp_nack {
	uint32_t sender, media;
	uint16_t pid, blp;
};

struct rtcp_fb {			/* PLI, or FIR with its target and sequence number */
	uint32_t sender, media;
	uint8_t seq;
};

/* What a compound packet said; lists beyond their bound are counted in `clipped`. */
struct rtcp_info {
	bool has_sr;
	uint32_t sr_ssrc;
	struct rtcp_sender_info sr;
	bool has_rr;
	uint32_t rr_ssrc;
	struct rtcp_report_block blocks[RTCP_MAX_BLOCKS];	/* from SRs and RRs */
	uint8_t n_blocks;
	struct { uint32_t ssrc; char cname[256]; } cnames[RTCP_MAX_ITEMS];
	uint8_t n_cnames;
	uint32_t bye[RTCP_MAX_ITEMS];
	uint8_t n_bye;
	struct rtcp_fb plis[RTCP_MAX_ITEMS];
	uint8_t n_plis;
	struct rtcp_fb firs[RTCP_MAX_ITEMS];
	uint8_t n_firs;
	struct rtcp_nack nacks[RTCP_MAX_NACKS];
	uint8_t n_nacks;
	unsigned int n_other;		/* packets we skip (APP, REMB, TWCC...) */
	unsigned int clipped;
};

struct rtcp_writer {
	uint8_t *buf;
	size_t cap, len;
	int err;
};

/* Starts a compound packet in buf. */
void rtcp_writer_init(struct rtcp_writer *w, uint8_t *buf, size_t cap);
/* Appends a sender report with n (<= 31) report blocks. */
int rtcp_write_sr(struct rtcp_writer *w, uint32_t ssrc, const struct rtcp_sender_info *si,
		  const struct rtcp_report_block *rb, size_t n);
/* Appends a receiver report with n (<= 31) report blocks. */
int rtcp_write_rr(struct rtcp_writer *w, uint32_t ssrc, const struct rtcp_report_block *rb,
		  size_t n);
/* Appends an SDES packet with one chunk carrying CNAME (1..255 bytes). */
int rtcp_write_sdes_cname(struct rtcp_writer *w, uint32_t ssrc, const char *cname);
/* Appends a BYE for n (1..31) sources, with an optional reason (<= 255 bytes, may be NULL). */
int rtcp_write_bye(struct rtcp_writer *w, const uint32_t *ssrcs, size_t n, const char *reason);
/* Appends a Picture Loss Indication (RFC 4585 6.3.1) about media. */
int rtcp_write_pli(struct rtcp_writer *w, uint32_t sender, uint32_t media);
/* Appends a Full Intra Request (RFC 5104 4.3.1) for media with command sequence number seq. */
int rtcp_write_fir(struct rtcp_writer *w, uint32_t sender, uint32_t media, uint8_t seq);
/* Appends a generic NACK (RFC 4585 6.2.1) for the n lost sequence numbers (given in ascending
 * order modulo 2^16; each PID/BLP pair covers 17). */
int rtcp_write_nack(struct rtcp_writer *w, uint32_t sender, uint32_t media, const uint16_t *lost,
		    size_t n);
/* Returns the compound length so far, or the first error (-ENOSPC, -EINVAL). */
int rtcp_writer_finish(const struct rtcp_writer *w);

/* One packet of a compound: header fields and its body after the 4-byte header (for SR, RR,
 * RTPFB, PSFB the body starts with the sender SSRC). */
struct rtcp_packet {
	uint8_t type;
	uint8_t count;			/* RC / SC / FMT */
	const uint8_t *body;
	size_t body_len;		/* padding removed */
};

struct rtcp_iter {
	const uint8_t *buf;
	size_t len, pos;
};

/* Starts walking a compound packet. */
void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *buf, size_t len);
/* Next packet: 1 with *p filled, 0 at the end, -EINVAL on a bad version, length or padding
 * (the walk stops there). */
int rtcp_iter_next(struct rtcp_iter *it, struct rtcp_packet *p);

/* Parses a whole compound packet into *info. Returns 0, or -EINVAL if any packet is malformed
 * or the packet is empty (then *info is not to be used). */
int rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_info *info);

/* Expands a NACK pair into the sequence numbers it names (1..17) in out[17]; returns count. */
int rtcp_nack_expand(uint16_t pid, uint16_t blp, uint16_t out[17]);

/* NTP helpers: 32.32 NTP time from Unix microseconds and back; the middle 32 bits (16.16)
 * used by LSR and RTT. */
uint64_t rtcp_ntp_from_unix_us(uint64_t unix_us);
uint64_t rtcp_ntp_to_unix_us(uint64_t ntp);
static inline uint32_t rtcp_ntp_mid(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

/* DLSR in 1/65536 s for a report sent at now_us about an SR received at sr_arrival_us. */
uint32_t rtcp_dlsr(uint64_t sr_arrival_us, uint64_t now_us);
/* Round-trip time (RFC 3550 6.4.1) from a report block received at NTP time arrival_ntp:
 * A - LSR - DLSR, in milliseconds. -ENOENT if lsr is 0 (no SR seen yet), -ERANGE if the
 * result is negative or over a minute (clock trouble). */
int rtcp_rtt_ms(uint64_t arrival_ntp, uint32_t lsr, uint32_t dlsr, uint32_t *rtt_ms);

struct rtp_stats;
/* Fills *b about ssrc from our receive statistics, whose reporting interval then restarts,
 * and the last SR heard from it: lsr its rtcp_ntp_mid (0 none yet), received at sr_arrival_us
 * (monotonic); now_us is the report's send time (monotonic). */
void rtcp_report_block_fill(struct rtcp_report_block *b, uint32_t ssrc, struct rtp_stats *st,
			    uint32_t lsr, uint64_t sr_arrival_us, uint64_t now_us);

#endif
