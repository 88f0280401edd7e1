/* SDP (RFC 8866) as Janus speaks it: parse a remote description into a bounded plain struct,
 * write our offers (AudioBridge audio, VideoRoom publisher video or both) and answers to Janus offers
 * (TextRoom, VideoRoom subscriber).
 *
 * Data flow: signaling hands the remote SDP text to sdp_parse() (net/sdp.c); peer code reads
 * ICE credentials, candidates, fingerprint, setup role, payload types and extmap ids out of
 * struct sdp_session. Outgoing SDP is written into a caller buffer by sdp_write_audio_offer(),
 * sdp_write_video_offer(), sdp_write_av_offer() or sdp_write_answer() (net/sdp_write.c).
 * The remote text is untrusted: every field is bounded, an SDP that does not fit the bounds
 * of a field we depend on is refused, lists that overflow are clipped and counted. Pure code:
 * no I/O, no allocation except sdp_session_create(), any thread.
 */
#ifndef TTM_NET_SDP_H
#define TTM_NET_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_LEN		65536	/* whole SDP text, bytes */
#define SDP_MAX_LINE		4096	/* one line, bytes */
#define SDP_MAX_MLINES		64	/* a VideoRoom subscriber: one per publisher */
#define SDP_MAX_CANDIDATES	32	/* per m-line; more are dropped and counted */
#define SDP_POOL_CANDIDATES	64	/* per session */
#define SDP_MAX_CODECS		32	/* payload types per m-line */
#define SDP_POOL_CODECS		96	/* per session */
#define SDP_MAX_FB		8	/* rtcp-fb values per payload type */
#define SDP_MAX_EXTMAPS		16
#define SDP_MAX_SSRCS		8
#define SDP_MAX_SSRC_GROUPS	4
#define SDP_MAX_RIDS		8
#define SDP_MID_LEN		32	/* longest mid we keep, chars */
#define SDP_ICE_LEN		256	/* ice-ufrag / ice-pwd (RFC 8839 bound) */
#define SDP_FP_MAX_BYTES	64	/* sha-512 */
#define SDP_FP_STR_LEN		(SDP_FP_MAX_BYTES * 3)

enum sdp_kind { SDP_KIND_OTHER, SDP_KIND_AUDIO, SDP_KIND_VIDEO, SDP_KIND_APPLICATION };
enum sdp_dir { SDP_DIR_SENDRECV, SDP_DIR_SENDONLY, SDP_DIR_RECVONLY, SDP_DIR_INACTIVE };
enum sdp_setup { SDP_SETUP_NONE, SDP_SETUP_ACTPASS, SDP_SETUP_ACTIVE, SDP_SETUP_PASSIVE,
		 SDP_SETUP_HOLDCONN };
enum sdp_cand_type { SDP_CAND_HOST, SDP_CAND_SRFLX, SDP_CAND_PRFLX, SDP_CAND_RELAY };

struct sdp_fingerprint {
	char alg[16];			/* lower case, e.g. "sha-256"; "" = none */
	uint8_t bytes[SDP_FP_MAX_BYTES];
	size_t len;
};

struct sdp_candidate {
	char raw[256];			/* attribute value without "candidate:" */
	char foundation[33];
	uint16_t component;
	bool tcp;			/* transport: udp or tcp */
	uint32_t priority;
	char address[64];		/* IP literal or mDNS name */
	uint16_t port;
	enum sdp_cand_type type;
	char rel_addr[64];		/* raddr, "" if absent */
	uint16_t rel_port;
};

struct sdp_codec {
	uint8_t pt;
	bool has_rtpmap;
	char name[32];			/* as written, e.g. "opus", "VP8", "rtx" */
	uint32_t clock;
	uint8_t channels;		/* 0 = not given */
	char fmtp[128];			/* raw parameters, "" if none */
	int apt;			/* rtx: associated payload type, -1 if none */
	char fb[SDP_MAX_FB][24];	/* rtcp-fb values, e.g. "nack pli" */
	uint8_t n_fb;
};

struct sdp_extmap {
	uint8_t id;
	char uri[96];
};

struct sdp_ssrc {
	uint32_t ssrc;
	char cname[64];
};

struct sdp_ssrc_group {
	char semantics[16];		/* "FID", "SIM", ... */
	uint32_t ssrcs[4];
	uint8_t n;
};

struct sdp_media {
	enum sdp_kind kind;
	char kind_name[16];		/* media token as written */
	uint16_t port;			/* 0 = rejected */
	char proto[32];
	char fmts[128];			/* format list as written */
	char mid[SDP_MID_LEN + 1];
	enum sdp_dir dir;
	bool rtcp_mux;
	char ice_ufrag[SDP_ICE_LEN + 1];	/* session value if the m-line has none */
	char ice_pwd[SDP_ICE_LEN + 1];
	struct sdp_fingerprint fp;		/* idem */
	enum sdp_setup setup;			/* idem */
	uint16_t codec_off;		/* codecs[codec_off..+n_codecs) of the session, */
	uint8_t n_codecs;		/* in m= line order */
	struct sdp_extmap extmaps[SDP_MAX_EXTMAPS];
	uint8_t n_extmaps;
	struct sdp_ssrc ssrcs[SDP_MAX_SSRCS];
	uint8_t n_ssrcs;
	struct sdp_ssrc_group ssrc_groups[SDP_MAX_SSRC_GROUPS];
	uint8_t n_ssrc_groups;
	char simulcast[256];		/* raw a=simulcast value */
	char rids[SDP_MAX_RIDS][64];	/* raw a=rid values */
	uint8_t n_rids;
	uint16_t cand_off;		/* cands[cand_off..+n_cands) of the session */
	uint8_t n_cands;
	bool end_of_candidates;		/* also set from the session level */
	uint16_t sctp_port;		/* 0 = none */
	uint32_t max_message_size;	/* 0 = not given */
	unsigned int dropped;		/* lines clipped or skipped (overflow, unparsable) */
};

struct sdp_session {
	uint64_t sess_id, sess_version;
	bool ice_lite;
	char bundle[SDP_MAX_MLINES][SDP_MID_LEN + 1];	/* a=group:BUNDLE mids */
	uint8_t n_bundle;
	char ice_ufrag[SDP_ICE_LEN + 1];
	char ice_pwd[SDP_ICE_LEN + 1];
	struct sdp_fingerprint fp;
	enum sdp_setup setup;
	struct sdp_media media[SDP_MAX_MLINES];
	uint8_t n_media;
	struct sdp_codec codecs[SDP_POOL_CODECS];	/* pools the m-lines index into */
	uint16_t n_codecs;
	struct sdp_candidate cands[SDP_POOL_CANDIDATES];
	uint16_t n_cands;
};

/* The i-th codec / candidate of m-line m (i < m->n_codecs / m->n_cands). */
static inline const struct sdp_codec *sdp_media_codec(const struct sdp_session *s,
						      const struct sdp_media *m, unsigned int i)
{
	return &s->codecs[m->codec_off + i];
}

static inline const struct sdp_candidate *sdp_media_cand(const struct sdp_session *s,
							 const struct sdp_media *m, unsigned int i)
{
	return &s->cands[m->cand_off + i];
}

/* Allocates a zeroed session (the struct is large: keep it off small stacks). */
int sdp_session_create(struct sdp_session **out);
/* Frees a session from sdp_session_create(); NULL is fine. */
void sdp_session_destroy(struct sdp_session *s);

/* Parses len bytes of SDP (CRLF or LF) into *out (fully overwritten). Returns 0, -E2BIG (over
 * SDP_MAX_LEN or SDP_MAX_MLINES) or -EINVAL (malformed, or a field we depend on overflows
 * its bound). */
int sdp_parse(const char *text, size_t len, struct sdp_session *out);

/* Parses one candidate attribute value (without "candidate:"): "<foundation> <component>
 * <transport> <priority> <address> <port> typ <type> [key value]..." into *c (raw keeps the
 * value). Returns 0, or -EINVAL for anything we would not hand to ICE. */
int sdp_candidate_parse(const char *v, struct sdp_candidate *c);

/* Parses "AA:BB:.." (1..SDP_FP_MAX_BYTES hex pairs) into bytes; returns the count or -EINVAL. */
int sdp_fingerprint_from_hex(const char *hex, uint8_t *out, size_t cap);
/* Writes bytes as upper-case "AA:BB:.." into out; returns the length or -ENOSPC. */
int sdp_fingerprint_to_hex(const uint8_t *bytes, size_t len, char *out, size_t cap);
/* Copies the sha-256 fingerprint of m into out[32]; -ENOENT if m has no sha-256 one. */
int sdp_fingerprint_sha256(const struct sdp_media *m, uint8_t out[32]);

/* Returns the codec with payload type pt in m-line m of s, or NULL. */
const struct sdp_codec *sdp_codec_by_pt(const struct sdp_session *s, const struct sdp_media *m,
					int pt);
/* Returns the pt of the first codec of m named name (case-insensitive) at clock (0 = any),
 * or -ENOENT. */
int sdp_find_codec(const struct sdp_session *s, const struct sdp_media *m, const char *name,
		   uint32_t clock);
/* Returns the Opus pt of the first accepted audio m-line and its index in *mline (may be
 * NULL), or -ENOENT. */
int sdp_opus_pt(const struct sdp_session *s, int *mline);
/* Returns the extmap id for uri in m, or -ENOENT. */
int sdp_extmap_id(const struct sdp_media *m, const char *uri);
/* Returns the m-line with this mid, or NULL. */
const struct sdp_media *sdp_media_by_mid(const struct sdp_session *s, const char *mid);
/* True if rtcp-fb value fb (e.g. "nack pli") is listed for codec c. */
bool sdp_codec_has_fb(const struct sdp_codec *c, const char *fb);
/* The value of the numeric format parameter key (case-insensitive, e.g. "maxplaybackrate")
 * in c's fmtp into *out. Returns 0, -ENOENT if it is absent (or c is NULL), -EINVAL if its
 * value is not digits or is over max; *out is untouched then. */
int sdp_fmtp_uint(const struct sdp_codec *c, const char *key, uint32_t max, uint32_t *out);

#define SDP_URI_AUDIO_LEVEL	"urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define SDP_URI_MID		"urn:ietf:params:rtp-hdrext:sdes:mid"
#define SDP_URI_TWCC \
	"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

/* Our side of a description. Strings must not contain CR or LF (-EINVAL). */
struct sdp_local {
	uint64_t sess_id, sess_version;
	const char *ice_ufrag, *ice_pwd;
	const char *fingerprint;	/* sha-256, "AA:BB:.." (32 pairs) */
	const char *const *cands;	/* values with or without "candidate:" */
	size_t n_cands;
	bool cands_done;		/* write a=end-of-candidates (no trickle) */
};

struct sdp_audio_offer {
	struct sdp_local local;
	const char *mid;		/* NULL = "0" */
	enum sdp_dir dir;
	uint8_t opus_pt;		/* 0 = 111 */
	uint32_t max_bitrate;		/* maxaveragebitrate, bps; 0 = omit */
	bool transport_cc;		/* rtcp-fb transport-cc and its extmap */
	uint8_t level_ext_id;		/* 0 = 1 */
	uint8_t mid_ext_id;		/* 0 = 2 */
	uint32_t ssrc;
	const char *cname;
};

/* Writes our audio offer for AudioBridge into buf (NUL-terminated). Returns the length,
 * -ENOSPC if buf is too small, -EINVAL on bad parameters. */
int sdp_write_audio_offer(char *buf, size_t cap, const struct sdp_audio_offer *o);

struct sdp_video_offer {
	struct sdp_local local;
	const char *mid;		/* NULL = "0" */
	uint8_t vp8_pt;			/* 0 = 96 (also the VP9 payload type) */
	bool vp9;			/* offer VP9 (profile 0) instead of VP8 */
	uint8_t mid_ext_id;		/* 0 = 1 */
	unsigned int max_kbps;		/* b=AS, 0 = omit */
	uint32_t ssrc;			/* required */
	uint32_t simulcast_low;		/* simulcast: the lower layer's SSRC (listed first in
					 * a=ssrc-group:SIM); 0 = none */
	const char *cname;
	bool use_dir;			/* offer dir instead of sendonly (a direct call's offer,
					 * only in sdp_write_av_offer): ssrc 0 then means we do
					 * not send (dir recvonly or inactive) */
	enum sdp_dir dir;
};

/* Writes a send-only VP8 or VP9 offer (VideoRoom publisher: nack, nack pli, ccm fir) into buf.
 * Returns the length, -ENOSPC or -EINVAL. */
int sdp_write_video_offer(char *buf, size_t cap, const struct sdp_video_offer *o);

/* Writes one send offer with an audio and a video m-line, bundled on a's transport (a VideoRoom
 * publisher with both): a's m-line first, then v's (v->local is ignored; v->mid NULL = "1";
 * v's mid extension takes a's id, since one URI has one id in a bundle). The mids, payload
 * types and SSRCs must differ. Returns the length, -ENOSPC or -EINVAL. */
int sdp_write_av_offer(char *buf, size_t cap, const struct sdp_audio_offer *a,
		       const struct sdp_video_offer *v);

struct sdp_answer_opts {
	struct sdp_local local;
	enum sdp_setup setup;		/* NONE = active */
	bool accept_audio, accept_video, accept_data;
	bool allow_vp9, allow_rtx;
	enum sdp_dir audio_dir, video_dir;	/* what we want; intersected with the offer */
	uint32_t audio_ssrc, video_ssrc;	/* written when we send on that m-line */
	const char *cname;
	uint16_t sctp_port;		/* 0 = 5000 */
	uint32_t max_message_size;	/* 0 = 65536 */
};

/* Writes an answer to offer into buf (NUL-terminated): m-lines in offer order with their mids;
 * audio takes Opus only, video VP8 (VP9, rtx when allowed) with nack/nack pli/ccm fir, data
 * takes UDP/DTLS/SCTP webrtc-datachannel; anything else, or an m-line without rtcp-mux, is
 * rejected with port 0. Returns the length, -ENOSPC, or -EINVAL. */
int sdp_write_answer(char *buf, size_t cap, const struct sdp_session *offer,
		     const struct sdp_answer_opts *o);
/* The direction an answerer wanting want writes for an m-line offered as offered. */
enum sdp_dir sdp_answer_dir(enum sdp_dir offered, enum sdp_dir want);

#endif
