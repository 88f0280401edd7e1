/* SDP parser (see sdp.h; the writer is net/sdp_write.c).
 *
 * Parsing walks the text line by line; each line is bounds- and charset-checked, copied into a
 * NUL-terminated stack buffer and dispatched on its type and attribute name into the session
 * or the current m-line. Session-level ICE credentials, fingerprint, setup, direction and
 * end-of-candidates are pushed down to m-lines lacking them at the end. Pure code, any thread.
 */
#include "net/sdp.h"
#include "net/sdp_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct parser {
	struct sdp_session *s;
	struct sdp_media *m;		/* current m-line, NULL at session level */
	bool seen_v;
	bool dir_set[SDP_MAX_MLINES];
	bool sess_dir_set;
	enum sdp_dir sess_dir;
	bool sess_eoc;
};

int sdp_session_create(struct sdp_session **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void sdp_session_destroy(struct sdp_session *s)
{
	free(s);
}

/* ---- small lexical helpers ---- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

size_t sdp_tok_len(const char *p)
{
	size_t n = 0;
	while (p[n] && p[n] != ' ' && p[n] != '\t')
		n++;
	return n;
}

/* Copies n bytes of src into dst (cap includes the NUL); -EINVAL if it does not fit. */
static int copy_n(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return -EINVAL;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

/* Copies the value with trailing blanks removed. */
static int copy_trim(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\t'))
		n--;
	return copy_n(dst, cap, src, n);
}

/* Reads a decimal number <= max at *p and advances past it. */
static int parse_num(const char **p, uint64_t max, uint64_t *out)
{
	const char *q = *p;
	uint64_t v = 0;
	if (*q < '0' || *q > '9')
		return -EINVAL;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (v > (max - (uint64_t)(*q - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	*p = q;
	*out = v;
	return 0;
}

/* A whole token that is a number <= max, followed by blank or end; advances past blanks. */
static int parse_num_tok(const char **p, uint64_t max, uint64_t *out)
{
	const char *q = *p;
	if (parse_num(&q, max, out) < 0 || (*q && *q != ' ' && *q != '\t'))
		return -EINVAL;
	*p = skip_ws(q);
	return 0;
}

static bool is_ice_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

bool sdp_ice_str_ok(const char *v, size_t min, size_t max)
{
	size_t n = strlen(v);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_ice_char(v[i]))
			return false;
	return true;
}

/* Tokens we copy into identifiers (mid, cname, ...): printable, no blanks. */
bool sdp_token_ok(const char *v, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] == 0x7f)
			return false;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sdp_fingerprint_from_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	const char *p = hex;
	for (;;) {
		int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);
		if (hi < 0 || lo < 0 || n >= cap || n >= SDP_FP_MAX_BYTES)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (*p == '\0')
			return (int)n;
		if (*p != ':')
			return -EINVAL;
		p++;
	}
}

int sdp_fingerprint_to_hex(const uint8_t *bytes, size_t len, char *out, size_t cap)
{
	static const char digits[] = "0123456789ABCDEF";
	if (len == 0 || cap < len * 3)
		return cap > 0 && len == 0 ? (out[0] = '\0', 0) : -ENOSPC;
	for (size_t i = 0; i < len; i++) {
		out[i * 3] = digits[bytes[i] >> 4];
		out[i * 3 + 1] = digits[bytes[i] & 15];
		out[i * 3 + 2] = i + 1 < len ? ':' : '\0';
	}
	return (int)(len * 3 - 1);
}

int sdp_fingerprint_sha256(const struct sdp_media *m, uint8_t out[32])
{
	if (strcmp(m->fp.alg, "sha-256") != 0 || m->fp.len != 32)
		return -ENOENT;
	memcpy(out, m->fp.bytes, 32);
	return 0;
}

/* ---- attribute handlers ---- */

static int parse_fingerprint(const char *v, struct sdp_fingerprint *fp)
{
	static const struct { const char *alg; size_t len; } algs[] = {
		{ "sha-1", 20 }, { "sha-224", 28 }, { "sha-256", 32 }, { "sha-384", 48 },
		{ "sha-512", 64 }, { "md5", 16 },
	};
	struct sdp_fingerprint f = { 0 };
	size_t n = sdp_tok_len(v), want = 0;
	if (copy_n(f.alg, sizeof(f.alg), v, n) < 0)
		return -EINVAL;
	for (size_t i = 0; f.alg[i]; i++)
		if (f.alg[i] >= 'A' && f.alg[i] <= 'Z')
			f.alg[i] = (char)(f.alg[i] - 'A' + 'a');
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(f.alg, algs[i].alg) == 0)
			want = algs[i].len;
	char hex[SDP_FP_STR_LEN + 1];
	const char *h = skip_ws(v + n);
	if (want == 0 || copy_trim(hex, sizeof(hex), h) < 0)
		return -EINVAL;
	int got = sdp_fingerprint_from_hex(hex, f.bytes, sizeof(f.bytes));
	if (got < 0 || (size_t)got != want)
		return -EINVAL;
	f.len = (size_t)got;
	/* Several fingerprints may be listed: a sha-256 one wins, otherwise the first. */
	bool f256 = strcmp(f.alg, "sha-256") == 0, have256 = strcmp(fp->alg, "sha-256") == 0;
	if (fp->alg[0] == '\0' || (f256 && !have256))
		*fp = f;
	return 0;
}

static int parse_setup(const char *v, enum sdp_setup *out)
{
	static const char *const names[] = { "", "actpass", "active", "passive", "holdconn" };
	for (int i = 1; i < 5; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (enum sdp_setup)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_bundle(struct sdp_session *s, const char *v)
{
	if (strncmp(v, "BUNDLE", 6) != 0 || (v[6] != ' ' && v[6] != '\0'))
		return 0;	/* other group semantics: ignored */
	const char *p = skip_ws(v + 6);
	s->n_bundle = 0;
	while (*p) {
		size_t n = sdp_tok_len(p);
		if (s->n_bundle >= SDP_MAX_MLINES ||
		    copy_n(s->bundle[s->n_bundle], SDP_MID_LEN + 1, p, n) < 0)
			return -EINVAL;
		s->n_bundle++;
		p = skip_ws(p + n);
	}
	return 0;
}

static struct sdp_codec *media_codec(struct sdp_session *s, struct sdp_media *m, uint64_t pt)
{
	for (unsigned int i = 0; i < m->n_codecs; i++)
		if (s->codecs[m->codec_off + i].pt == pt)
			return &s->codecs[m->codec_off + i];
	return NULL;
}

/* "<pt> <name>/<clock>[/<channels>]" */
static int parse_rtpmap(struct parser *ps, const char *v)
{
	uint64_t pt, clock, ch = 0;
	if (parse_num_tok(&v, 127, &pt) < 0)
		return -EINVAL;
	size_t n = strcspn(v, "/ \t");
	char name[32];
	if (v[n] != '/' || !sdp_token_ok(v, n) || copy_n(name, sizeof(name), v, n) < 0)
		return -EINVAL;
	v += n + 1;
	if (parse_num(&v, UINT32_MAX, &clock) < 0 || clock == 0)
		return -EINVAL;
	if (*v == '/') {
		v++;
		if (parse_num(&v, 255, &ch) < 0 || ch == 0)
			return -EINVAL;
	}
	if (*skip_ws(v) != '\0')
		return -EINVAL;
	struct sdp_codec *c = media_codec(ps->s, ps->m, pt);
	if (!c) {
		ps->m->dropped++;	/* not in the m= line (or clipped) */
		return 0;
	}
	c->has_rtpmap = true;
	memcpy(c->name, name, sizeof(name));
	c->clock = (uint32_t)clock;
	c->channels = (uint8_t)ch;
	return 0;
}

/* "<pt> <params>", params like "a=1;b=2" or "a=1; b=2" */
static int parse_fmtp(struct parser *ps, const char *v)
{
	uint64_t pt;
	if (parse_num_tok(&v, 127, &pt) < 0)
		return -EINVAL;
	struct sdp_codec *c = media_codec(ps->s, ps->m, pt);
	if (!c || copy_trim(c->fmtp, sizeof(c->fmtp), v) < 0) {
		if (c)
			c->fmtp[0] = '\0';
		ps->m->dropped++;
		return 0;
	}
	uint32_t apt;
	c->apt = sdp_fmtp_uint(c, "apt", 127, &apt) == 0 ? (int)apt : -1;
	return 0;
}

int sdp_fmtp_uint(const struct sdp_codec *c, const char *key, uint32_t max, uint32_t *out)
{
	size_t klen = strlen(key);

	if (!c)
		return -ENOENT;
	for (const char *p = c->fmtp; *p;) {
		p = skip_ws(p);
		if (strncasecmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *q = p + klen + 1;
			uint64_t v;
			if (parse_num(&q, max, &v) < 0 || !(*q == ';' || *q == '\0' || *q == ' '))
				return -EINVAL;
			*out = (uint32_t)v;
			return 0;
		}
		p += strcspn(p, ";");
		if (*p == ';')
			p++;
	}
	return -ENOENT;
}

static void add_fb(struct sdp_media *m, struct sdp_codec *c, const char *v)
{
	if (c->n_fb >= SDP_MAX_FB || copy_trim(c->fb[c->n_fb], sizeof(c->fb[0]), v) < 0) {
		m->dropped++;
		return;
	}
	for (unsigned int i = 0; i < c->n_fb; i++)
		if (strcmp(c->fb[i], c->fb[c->n_fb]) == 0)
			return;
	c->n_fb++;
}

/* "<pt|*> <type> [<param>]" */
static int parse_rtcp_fb(struct parser *ps, const char *v)
{
	struct sdp_session *s = ps->s;
	struct sdp_media *m = ps->m;
	uint64_t pt;
	if (v[0] == '*' && (v[1] == ' ' || v[1] == '\t')) {
		v = skip_ws(v + 1);
		if (*v == '\0')
			return -EINVAL;
		for (unsigned int i = 0; i < m->n_codecs; i++)
			add_fb(m, &s->codecs[m->codec_off + i], v);
		return 0;
	}
	if (parse_num_tok(&v, 127, &pt) < 0 || *v == '\0')
		return -EINVAL;
	struct sdp_codec *c = media_codec(s, m, pt);
	if (c)
		add_fb(m, c, v);
	else
		m->dropped++;
	return 0;
}

/* "<id>[/<direction>] <uri> [<attributes>]" */
static int parse_extmap(struct sdp_media *m, const char *v)
{
	uint64_t id;
	if (parse_num(&v, 255, &id) < 0 || id == 0)
		return -EINVAL;
	if (*v == '/')
		v += strcspn(v, " \t");
	if (*v != ' ' && *v != '\t')
		return -EINVAL;
	v = skip_ws(v);
	size_t n = sdp_tok_len(v);
	if (n == 0)
		return -EINVAL;
	struct sdp_extmap *e = &m->extmaps[m->n_extmaps];
	if (m->n_extmaps >= SDP_MAX_EXTMAPS || copy_n(e->uri, sizeof(e->uri), v, n) < 0) {
		m->dropped++;
		return 0;
	}
	e->id = (uint8_t)id;
	m->n_extmaps++;
	return 0;
}

/* "<ssrc> <attribute>[:<value>]" */
static int parse_ssrc(struct sdp_media *m, const char *v)
{
	uint64_t ssrc;
	if (parse_num_tok(&v, UINT32_MAX, &ssrc) < 0 || *v == '\0')
		return -EINVAL;
	struct sdp_ssrc *e = NULL;
	for (unsigned int i = 0; i < m->n_ssrcs; i++)
		if (m->ssrcs[i].ssrc == ssrc)
			e = &m->ssrcs[i];
	if (!e) {
		if (m->n_ssrcs >= SDP_MAX_SSRCS) {
			m->dropped++;
			return 0;
		}
		e = &m->ssrcs[m->n_ssrcs++];
		e->ssrc = (uint32_t)ssrc;
	}
	if (strncmp(v, "cname:", 6) == 0) {
		size_t n = sdp_tok_len(v + 6);
		if (n == 0 || copy_n(e->cname, sizeof(e->cname), v + 6, n) < 0) {
			e->cname[0] = '\0';
			m->dropped++;
		}
	}
	return 0;
}

/* "<semantics> <ssrc>..." */
static int parse_ssrc_group(struct sdp_media *m, const char *v)
{
	if (m->n_ssrc_groups >= SDP_MAX_SSRC_GROUPS) {
		m->dropped++;
		return 0;
	}
	struct sdp_ssrc_group g = { 0 };
	size_t n = sdp_tok_len(v);
	if (!sdp_token_ok(v, n) || copy_n(g.semantics, sizeof(g.semantics), v, n) < 0)
		return -EINVAL;
	v = skip_ws(v + n);
	while (*v) {
		uint64_t ssrc;
		if (g.n >= 4 || parse_num_tok(&v, UINT32_MAX, &ssrc) < 0)
			return -EINVAL;
		g.ssrcs[g.n++] = (uint32_t)ssrc;
	}
	if (g.n == 0)
		return -EINVAL;
	m->ssrc_groups[m->n_ssrc_groups++] = g;
	return 0;
}

int sdp_candidate_parse(const char *v, struct sdp_candidate *c)
{
	static const char *const types[] = { "host", "srflx", "prflx", "relay" };
	uint64_t num;
	memset(c, 0, sizeof(*c));
	if (copy_trim(c->raw, sizeof(c->raw), v) < 0)
		return -EINVAL;
	size_t n = sdp_tok_len(v);
	if (copy_n(c->foundation, sizeof(c->foundation), v, n) < 0 ||
	    !sdp_ice_str_ok(c->foundation, 1, 32))
		return -EINVAL;
	v = skip_ws(v + n);
	if (parse_num_tok(&v, 256, &num) < 0 || num == 0)
		return -EINVAL;
	c->component = (uint16_t)num;
	n = sdp_tok_len(v);
	if (n == 3 && strncasecmp(v, "udp", 3) == 0)
		c->tcp = false;
	else if (n == 3 && strncasecmp(v, "tcp", 3) == 0)
		c->tcp = true;
	else
		return -EINVAL;
	v = skip_ws(v + n);
	if (parse_num_tok(&v, UINT32_MAX, &num) < 0)
		return -EINVAL;
	c->priority = (uint32_t)num;
	n = sdp_tok_len(v);
	if (!sdp_token_ok(v, n) || copy_n(c->address, sizeof(c->address), v, n) < 0)
		return -EINVAL;
	v = skip_ws(v + n);
	if (parse_num_tok(&v, 65535, &num) < 0)
		return -EINVAL;
	c->port = (uint16_t)num;
	if (strncmp(v, "typ", 3) != 0 || (v[3] != ' ' && v[3] != '\t'))
		return -EINVAL;
	v = skip_ws(v + 3);
	n = sdp_tok_len(v);
	int t = -1;
	for (int i = 0; i < 4; i++)
		if (n == strlen(types[i]) && strncmp(v, types[i], n) == 0)
			t = i;
	if (t < 0)
		return -EINVAL;
	c->type = (enum sdp_cand_type)t;
	v = skip_ws(v + n);
	while (*v) {
		const char *key = v;
		size_t kn = sdp_tok_len(v);
		v = skip_ws(v + kn);
		size_t vn = sdp_tok_len(v);
		if (vn == 0)
			return -EINVAL;
		if (kn == 5 && strncmp(key, "raddr", 5) == 0) {
			if (!sdp_token_ok(v, vn) || copy_n(c->rel_addr, sizeof(c->rel_addr), v, vn) < 0)
				return -EINVAL;
		} else if (kn == 5 && strncmp(key, "rport", 5) == 0) {
			const char *q = v;
			if (parse_num_tok(&q, 65535, &num) < 0)
				return -EINVAL;
			c->rel_port = (uint16_t)num;
		}
		v = skip_ws(v + vn);
	}
	return 0;
}

static int add_candidate(struct parser *ps, const char *v)
{
	struct sdp_session *s = ps->s;
	struct sdp_media *m = ps->m;
	if (m->n_cands >= SDP_MAX_CANDIDATES || s->n_cands >= SDP_POOL_CANDIDATES ||
	    sdp_candidate_parse(v, &s->cands[s->n_cands]) < 0) {
		m->dropped++;
		return 0;
	}
	if (m->n_cands == 0)
		m->cand_off = s->n_cands;
	s->n_cands++;
	m->n_cands++;
	return 0;
}

static int parse_dir(const char *name, enum sdp_dir *d)
{
	static const char *const names[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
	for (int i = 0; i < 4; i++) {
		if (strcmp(name, names[i]) == 0) {
			*d = (enum sdp_dir)i;
			return 0;
		}
	}
	return -ENOENT;
}

/* Attributes valid at both levels; returns -ENOENT when name is not one of them. */
static int parse_common_attr(struct parser *ps, const char *name, const char *v)
{
	struct sdp_session *s = ps->s;
	char *ufrag = ps->m ? ps->m->ice_ufrag : s->ice_ufrag;
	char *pwd = ps->m ? ps->m->ice_pwd : s->ice_pwd;
	if (strcmp(name, "ice-ufrag") == 0) {
		if (!sdp_ice_str_ok(v, 4, SDP_ICE_LEN))
			return -EINVAL;
		strcpy(ufrag, v);
	} else if (strcmp(name, "ice-pwd") == 0) {
		if (!sdp_ice_str_ok(v, 22, SDP_ICE_LEN))
			return -EINVAL;
		strcpy(pwd, v);
	} else if (strcmp(name, "fingerprint") == 0) {
		return parse_fingerprint(v, ps->m ? &ps->m->fp : &s->fp);
	} else if (strcmp(name, "setup") == 0) {
		return parse_setup(v, ps->m ? &ps->m->setup : &s->setup);
	} else if (strcmp(name, "end-of-candidates") == 0) {
		if (ps->m)
			ps->m->end_of_candidates = true;
		else
			ps->sess_eoc = true;
	} else {
		enum sdp_dir d;
		if (parse_dir(name, &d) < 0)
			return -ENOENT;
		if (ps->m) {
			ps->m->dir = d;
			ps->dir_set[ps->s->n_media - 1] = true;
		} else {
			ps->sess_dir = d;
			ps->sess_dir_set = true;
		}
	}
	return 0;
}

static int parse_media_attr(struct parser *ps, const char *name, const char *v)
{
	struct sdp_media *m = ps->m;
	uint64_t num;
	if (strcmp(name, "mid") == 0) {
		size_t n = strlen(v);
		if (!sdp_token_ok(v, n) || copy_n(m->mid, sizeof(m->mid), v, n) < 0)
			return -EINVAL;
	} else if (strcmp(name, "rtcp-mux") == 0) {
		m->rtcp_mux = true;
	} else if (strcmp(name, "rtpmap") == 0) {
		return parse_rtpmap(ps, v);
	} else if (strcmp(name, "fmtp") == 0) {
		return parse_fmtp(ps, v);
	} else if (strcmp(name, "rtcp-fb") == 0) {
		return parse_rtcp_fb(ps, v);
	} else if (strcmp(name, "extmap") == 0) {
		return parse_extmap(m, v);
	} else if (strcmp(name, "ssrc") == 0) {
		return parse_ssrc(m, v);
	} else if (strcmp(name, "ssrc-group") == 0) {
		return parse_ssrc_group(m, v);
	} else if (strcmp(name, "simulcast") == 0) {
		if (copy_trim(m->simulcast, sizeof(m->simulcast), v) < 0) {
			m->simulcast[0] = '\0';
			m->dropped++;
		}
	} else if (strcmp(name, "rid") == 0) {
		if (m->n_rids >= SDP_MAX_RIDS ||
		    copy_trim(m->rids[m->n_rids], sizeof(m->rids[0]), v) < 0)
			m->dropped++;
		else
			m->n_rids++;
	} else if (strcmp(name, "candidate") == 0) {
		return add_candidate(ps, v);
	} else if (strcmp(name, "sctp-port") == 0) {
		if (parse_num_tok(&v, 65535, &num) < 0 || num == 0 || *v)
			return -EINVAL;
		m->sctp_port = (uint16_t)num;
	} else if (strcmp(name, "sctpmap") == 0) {
		if (parse_num_tok(&v, 65535, &num) < 0 || num == 0)
			return -EINVAL;
		if (m->sctp_port == 0)
			m->sctp_port = (uint16_t)num;
	} else if (strcmp(name, "max-message-size") == 0) {
		if (parse_num_tok(&v, UINT32_MAX, &num) < 0 || *v)
			return -EINVAL;
		m->max_message_size = (uint32_t)num;
	}
	return 0;
}

static int parse_attr(struct parser *ps, const char *line)
{
	char name[32];
	size_t n = strcspn(line, ":");
	const char *v = line[n] == ':' ? line + n + 1 : line + n;
	if (n == 0 || copy_n(name, sizeof(name), line, n) < 0)
		return n == 0 ? -EINVAL : 0;	/* unknown long names are ignored */
	int ret = parse_common_attr(ps, name, v);
	if (ret != -ENOENT)
		return ret;
	if (ps->m)
		return parse_media_attr(ps, name, v);
	if (strcmp(name, "group") == 0)
		return parse_bundle(ps->s, v);
	if (strcmp(name, "ice-lite") == 0)
		ps->s->ice_lite = true;
	return 0;
}

static void add_static_codec(struct sdp_codec *c)
{
	static const struct { uint8_t pt; const char *name; uint32_t clock; } stat[] = {
		{ 0, "PCMU", 8000 }, { 8, "PCMA", 8000 }, { 9, "G722", 8000 }, { 13, "CN", 8000 },
	};
	for (size_t i = 0; i < sizeof(stat) / sizeof(stat[0]); i++) {
		if (stat[i].pt == c->pt) {
			strcpy(c->name, stat[i].name);
			c->clock = stat[i].clock;
			c->channels = 1;
		}
	}
}

/* "<media> <port>[/<count>] <proto> <fmt> ..." */
static int parse_m(struct parser *ps, const char *v)
{
	struct sdp_session *s = ps->s;
	static const char *const kinds[] = { "", "audio", "video", "application" };
	uint64_t num;
	if (s->n_media >= SDP_MAX_MLINES)
		return -E2BIG;
	struct sdp_media *m = &s->media[s->n_media];
	size_t n = sdp_tok_len(v);
	if (!sdp_token_ok(v, n) || copy_n(m->kind_name, sizeof(m->kind_name), v, n) < 0)
		return -EINVAL;
	for (int i = 1; i < 4; i++)
		if (strcmp(m->kind_name, kinds[i]) == 0)
			m->kind = (enum sdp_kind)i;
	v = skip_ws(v + n);
	if (parse_num(&v, 65535, &num) < 0)
		return -EINVAL;
	m->port = (uint16_t)num;
	if (*v == '/') {
		v++;
		if (parse_num(&v, 65535, &num) < 0)
			return -EINVAL;
	}
	if (*v != ' ' && *v != '\t')
		return -EINVAL;
	v = skip_ws(v);
	n = sdp_tok_len(v);
	if (!sdp_token_ok(v, n) || copy_n(m->proto, sizeof(m->proto), v, n) < 0)
		return -EINVAL;
	v = skip_ws(v + n);
	if (*v == '\0' || copy_trim(m->fmts, sizeof(m->fmts), v) < 0)
		return -EINVAL;
	m->codec_off = s->n_codecs;
	m->cand_off = s->n_cands;
	if (strstr(m->proto, "RTP/")) {
		while (*v) {
			if (parse_num_tok(&v, 127, &num) < 0)
				return -EINVAL;
			if (media_codec(s, m, num))
				continue;
			if (m->n_codecs >= SDP_MAX_CODECS || s->n_codecs >= SDP_POOL_CODECS) {
				m->dropped++;
				continue;
			}
			struct sdp_codec *c = &s->codecs[s->n_codecs++];
			c->pt = (uint8_t)num;
			c->apt = -1;
			add_static_codec(c);
			m->n_codecs++;
		}
	}
	s->n_media++;
	ps->m = m;
	return 0;
}

/* "<user> <sess-id> <sess-version> <nettype> <addrtype> <address>" */
static int parse_o(struct sdp_session *s, const char *v)
{
	v = skip_ws(v + sdp_tok_len(v));
	if (parse_num_tok(&v, UINT64_MAX, &s->sess_id) < 0 ||
	    parse_num_tok(&v, UINT64_MAX, &s->sess_version) < 0)
		return -EINVAL;
	return 0;
}

static int parse_line(struct parser *ps, const char *line)
{
	if (!ps->seen_v) {
		if (strcmp(line, "v=0") != 0)
			return -EINVAL;
		ps->seen_v = true;
		return 0;
	}
	if (line[0] < 'a' || line[0] > 'z' || line[1] != '=')
		return -EINVAL;
	switch (line[0]) {
	case 'v':
		return -EINVAL;
	case 'o':
		return ps->m ? -EINVAL : parse_o(ps->s, line + 2);
	case 'm':
		return parse_m(ps, line + 2);
	case 'a':
		return parse_attr(ps, line + 2);
	default:
		return 0;	/* s= t= c= b= i= ... carry nothing we use */
	}
}

static void inherit(struct parser *ps)
{
	struct sdp_session *s = ps->s;
	for (unsigned int i = 0; i < s->n_media; i++) {
		struct sdp_media *m = &s->media[i];
		if (m->ice_ufrag[0] == '\0')
			memcpy(m->ice_ufrag, s->ice_ufrag, sizeof(m->ice_ufrag));
		if (m->ice_pwd[0] == '\0')
			memcpy(m->ice_pwd, s->ice_pwd, sizeof(m->ice_pwd));
		if (m->fp.alg[0] == '\0')
			m->fp = s->fp;
		if (m->setup == SDP_SETUP_NONE)
			m->setup = s->setup;
		if (!ps->dir_set[i] && ps->sess_dir_set)
			m->dir = ps->sess_dir;
		if (ps->sess_eoc)
			m->end_of_candidates = true;
	}
}

int sdp_parse(const char *text, size_t len, struct sdp_session *out)
{
	struct parser ps = { .s = out };
	char line[SDP_MAX_LINE + 1];
	int ret = 0;
	memset(out, 0, sizeof(*out));
	if (len > SDP_MAX_LEN) {
		ret = -E2BIG;
		goto out;
	}
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		if (n > 0 && text[end - 1] == '\r')
			n--;
		if (n > SDP_MAX_LINE) {
			ret = -EINVAL;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)text[pos + i];
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				ret = -EINVAL;
				goto out;
			}
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = end + 1;
		if (n == 0)
			continue;	/* tolerate blank lines */
		ret = parse_line(&ps, line);
		if (ret < 0)
			goto out;
	}
	if (!ps.seen_v || out->n_media == 0) {
		ret = -EINVAL;
		goto out;
	}
	inherit(&ps);
out:
	if (ret < 0)
		memset(out, 0, sizeof(*out));
	return ret;
}

/* ---- lookups ---- */

const struct sdp_codec *sdp_codec_by_pt(const struct sdp_session *s, const struct sdp_media *m,
					int pt)
{
	for (unsigned int i = 0; i < m->n_codecs; i++)
		if (sdp_media_codec(s, m, i)->pt == pt)
			return sdp_media_codec(s, m, i);
	return NULL;
}

int sdp_find_codec(const struct sdp_session *s, const struct sdp_media *m, const char *name,
		   uint32_t clock)
{
	for (unsigned int i = 0; i < m->n_codecs; i++) {
		const struct sdp_codec *c = sdp_media_codec(s, m, i);
		if (c->name[0] && strcasecmp(c->name, name) == 0 && (!clock || c->clock == clock))
			return c->pt;
	}
	return -ENOENT;
}

int sdp_opus_pt(const struct sdp_session *s, int *mline)
{
	for (unsigned int i = 0; i < s->n_media; i++) {
		const struct sdp_media *m = &s->media[i];
		if (m->kind != SDP_KIND_AUDIO || m->port == 0)
			continue;
		int pt = sdp_find_codec(s, m, "opus", 48000);
		if (pt >= 0) {
			if (mline)
				*mline = (int)i;
			return pt;
		}
	}
	return -ENOENT;
}

int sdp_extmap_id(const struct sdp_media *m, const char *uri)
{
	for (unsigned int i = 0; i < m->n_extmaps; i++)
		if (strcmp(m->extmaps[i].uri, uri) == 0)
			return m->extmaps[i].id;
	return -ENOENT;
}

const struct sdp_media *sdp_media_by_mid(const struct sdp_session *s, const char *mid)
{
	for (unsigned int i = 0; i < s->n_media; i++)
		if (s->media[i].mid[0] && strcmp(s->media[i].mid, mid) == 0)
			return &s->media[i];
	return NULL;
}

bool sdp_codec_has_fb(const struct sdp_codec *c, const char *fb)
{
	for (unsigned int i = 0; i < c->n_fb; i++)
		if (strcmp(c->fb[i], fb) == 0)
			return true;
	return false;
}
