/* VP8/VP9 RTP payload: descriptor parsing, depacketizer, packetizer (see vp8.h).
 *
 * The window is a ring of `window` slots indexed by the low bits of an extended (64-bit)
 * sequence number; a slot holds its packet's payload copy, timestamp, arrival time and the
 * flags worked out at push (start, keyframe start, end). `next` is the sequence number the
 * assembler consumes next; everything before it is done. pop() consumes in order, appending
 * codec data to the frame buffer, and stops at a missing number until the gap expires.
 */
#include "net/vp8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEF_MAX_FRAME	(1u << 20)
#define DEF_MAX_PAYLOAD	1500
#define DEF_WINDOW	64
#define DEF_MAX_WAIT_US	150000
#define SEQ_ORIGIN	((int64_t)1 << 32)
#define RESYNC_RUN	8	/* packets in a row far behind: the sender's numbers restarted */

enum {
	SLOT_MARKER = 1 << 0,
	SLOT_START = 1 << 1,	/* first packet of a picture */
	SLOT_KEY = 1 << 2,	/* ... of a keyframe */
	SLOT_END = 1 << 3,	/* last packet of a picture: marker, or VP9 E */
	SLOT_EMPTY = 1 << 4,	/* padding: no payload */
	SLOT_BAD = 1 << 5,	/* unusable payload */
};

struct slot {
	int64_t ext;		/* extended sequence number held, -1 when free */
	uint64_t arrival_us;
	uint32_t ts;
	uint16_t len;
	uint8_t flags;
};

struct vp8_depack {
	struct vp8_depack_config cfg;
	uint64_t mask;
	struct slot *slots;
	uint8_t *payloads;	/* window * max_payload */
	uint8_t *frame;		/* max_frame */

	bool started;
	int64_t next;		/* extended number consumed next */
	int64_t newest;		/* highest stored so far */
	bool need_keyframe;
	bool begun;		/* a picture has been started since create/reset */
	unsigned int behind_run;	/* consecutive packets more than a window behind */

	/* the picture being assembled */
	bool assembling, broken, oversize;
	size_t flen;
	uint32_t fts;
	struct vp8_descriptor first;
	uint16_t first_seq, last_seq;
	unsigned int npk;

	/* a gap fell between pictures: decided at the next picture's start */
	bool loss_pending;
	int last_picture_id;

	struct vp8_depack_stats st;
};

/* PictureID at p[*i] (VP8 and VP9 descriptors share the form): M bit set = 15 bits, else 7. */
static int read_picture_id(const uint8_t *p, size_t len, size_t *i, struct vp8_descriptor *d)
{
	if (*i >= len)
		return -EINVAL;
	if (p[*i] & 0x80) {
		if (*i + 2 > len)
			return -EINVAL;
		d->picture_id = (p[*i] & 0x7f) << 8 | p[*i + 1];
		d->pid_15bit = true;
		*i += 2;
	} else {
		d->picture_id = p[(*i)++] & 0x7f;
	}
	return 0;
}

int vp8_parse_descriptor(const uint8_t *p, size_t len, struct vp8_descriptor *d)
{
	size_t i = 1;

	memset(d, 0, sizeof(*d));
	d->picture_id = d->tl0picidx = d->tid = d->keyidx = d->sid = -1;
	if (len < 2)
		return -EINVAL;
	d->non_ref = p[0] & 0x20;
	d->s_bit = p[0] & 0x10;
	d->pid = p[0] & 0x07;
	if (p[0] & 0x80) {
		uint8_t x = p[i++];
		if ((x & 0x80) && read_picture_id(p, len, &i, d) < 0)
			return -EINVAL;
		if (x & 0x40) {
			if (i >= len)
				return -EINVAL;
			d->tl0picidx = p[i++];
		}
		if (x & 0x30) {
			if (i >= len)
				return -EINVAL;
			if (x & 0x20) {
				d->tid = p[i] >> 6;
				d->layer_sync = p[i] & 0x20;
			}
			if (x & 0x10)
				d->keyidx = p[i] & 0x1f;
			i++;
		}
	}
	if (i >= len)
		return -EINVAL;
	d->header_len = i;
	d->start = d->s_bit && d->pid == 0;
	if (!d->start)
		return 0;
	/* Frame tag (RFC 6386 9.1): P bit clear = keyframe, then start code and sizes. */
	const uint8_t *t = p + i;
	size_t n = len - i;
	if (n < 3)
		return -EINVAL;
	if (!(t[0] & 1) && n >= 10 && t[3] == 0x9d && t[4] == 0x01 && t[5] == 0x2a) {
		d->keyframe = true;
		d->width = (uint16_t)((t[6] | t[7] << 8) & 0x3fff);
		d->height = (uint16_t)((t[8] | t[9] << 8) & 0x3fff);
	}
	return 0;
}

struct bits {
	const uint8_t *p;
	size_t len, pos;	/* pos in bits */
	bool over;
};

static unsigned int bits_get(struct bits *b, unsigned int n)
{
	unsigned int v = 0;
	while (n--) {
		if (b->pos >= b->len * 8) {
			b->over = true;
			return 0;
		}
		v = v << 1 | ((b->p[b->pos / 8] >> (7 - b->pos % 8)) & 1);
		b->pos++;
	}
	return v;
}

/* VP9 uncompressed header (VP9 bitstream spec 6.2): keyframe flag and size. */
static void vp9_keyframe_info(const uint8_t *p, size_t len, struct vp8_descriptor *d)
{
	struct bits b = { .p = p, .len = len };

	if (bits_get(&b, 2) != 2)
		return;
	unsigned int profile = bits_get(&b, 1);
	profile |= bits_get(&b, 1) << 1;
	if (profile == 3)
		bits_get(&b, 1);
	if (bits_get(&b, 1))	/* show_existing_frame */
		return;
	if (bits_get(&b, 1) != 0)	/* frame_type: 0 = KEY_FRAME */
		return;
	bits_get(&b, 2);	/* show_frame, error_resilient_mode */
	if (bits_get(&b, 8) != 0x49 || bits_get(&b, 8) != 0x83 || bits_get(&b, 8) != 0x42)
		return;
	if (profile >= 2)
		bits_get(&b, 1);
	if (bits_get(&b, 3) != 7) {	/* color_space != CS_RGB */
		bits_get(&b, 1);
		if (profile == 1 || profile == 3)
			bits_get(&b, 3);
	} else if (profile == 1 || profile == 3) {
		bits_get(&b, 1);
	}
	unsigned int w = bits_get(&b, 16) + 1, h = bits_get(&b, 16) + 1;
	if (b.over)
		return;
	d->keyframe = true;
	d->width = (uint16_t)(w > 0xffff ? 0 : w);
	d->height = (uint16_t)(h > 0xffff ? 0 : h);
}

int vp8_parse_vp9_descriptor(const uint8_t *p, size_t len, struct vp8_descriptor *d)
{
	size_t i = 1;

	memset(d, 0, sizeof(*d));
	d->picture_id = d->tl0picidx = d->tid = d->keyidx = d->sid = -1;
	if (len < 2)
		return -EINVAL;
	uint8_t b0 = p[0];
	bool flexible = b0 & 0x10;
	d->inter = b0 & 0x40;
	d->start = b0 & 0x08;
	d->end = b0 & 0x04;
	if ((b0 & 0x80) && read_picture_id(p, len, &i, d) < 0)
		return -EINVAL;
	if (b0 & 0x20) {
		if (i >= len)
			return -EINVAL;
		d->tid = p[i] >> 5;
		d->layer_sync = p[i] & 0x10;
		d->sid = (p[i] >> 1) & 7;
		i++;
		if (!flexible) {
			if (i >= len)
				return -EINVAL;
			d->tl0picidx = p[i++];
		}
	}
	if (flexible && d->inter) {
		int k = 0;
		bool more = true;
		while (more) {
			if (i >= len || k == 3)
				return -EINVAL;
			more = p[i++] & 1;
			k++;
		}
	}
	if (b0 & 0x02) {	/* scalability structure */
		if (i >= len)
			return -EINVAL;
		uint8_t ss = p[i++];
		size_t ns = (size_t)(ss >> 5) + 1;
		if (ss & 0x10)
			i += 4 * ns;
		if (ss & 0x08) {
			if (i >= len)
				return -EINVAL;
			unsigned int ng = p[i++];
			for (unsigned int g = 0; g < ng; g++) {
				if (i >= len)
					return -EINVAL;
				i += 1 + ((p[i] >> 2) & 3);
			}
		}
	}
	if (i >= len)
		return -EINVAL;
	d->header_len = i;
	d->s_bit = d->start;
	if (d->start && !d->inter)
		vp9_keyframe_info(p + i, len - i, d);
	return 0;
}

void vp8_depack_config_default(struct vp8_depack_config *cfg)
{
	*cfg = (struct vp8_depack_config){
		.codec = VP8_CODEC_VP8,
		.max_frame = DEF_MAX_FRAME,
		.max_payload = DEF_MAX_PAYLOAD,
		.window = DEF_WINDOW,
		.max_wait_us = DEF_MAX_WAIT_US,
	};
}

static struct slot *slot_of(const struct vp8_depack *d, int64_t ext)
{
	return &d->slots[(uint64_t)ext & d->mask];
}

static bool have(const struct vp8_depack *d, int64_t ext)
{
	return slot_of(d, ext)->ext == ext;
}

static const uint8_t *slot_data(const struct vp8_depack *d, const struct slot *s)
{
	return d->payloads + (size_t)(s - d->slots) * d->cfg.max_payload;
}

void vp8_depack_reset(struct vp8_depack *d)
{
	for (uint64_t i = 0; i <= d->mask; i++)
		d->slots[i].ext = -1;
	d->started = false;
	d->begun = false;
	d->behind_run = 0;
	d->need_keyframe = true;
	d->assembling = d->broken = d->oversize = false;
	d->loss_pending = false;
	d->last_picture_id = -1;
	d->flen = 0;
}

int vp8_depack_create(struct vp8_depack **out, const struct vp8_depack_config *cfg)
{
	struct vp8_depack_config c;
	struct vp8_depack *d = NULL;
	int rc = -ENOMEM;

	*out = NULL;
	vp8_depack_config_default(&c);
	if (cfg) {
		c.codec = cfg->codec;
		if (cfg->max_frame)
			c.max_frame = cfg->max_frame;
		if (cfg->max_payload)
			c.max_payload = cfg->max_payload;
		if (cfg->window)
			c.window = cfg->window;
		if (cfg->max_wait_us)
			c.max_wait_us = cfg->max_wait_us;
	}
	if (c.window < 8 || c.window > 1024 || (c.window & (c.window - 1)) ||
	    c.max_payload < 16 || c.max_payload > 65535 || c.max_frame < 1024 ||
	    c.max_frame > (64u << 20) || (c.codec != VP8_CODEC_VP8 && c.codec != VP8_CODEC_VP9))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		goto out;
	d->cfg = c;
	d->mask = c.window - 1;
	d->slots = calloc(c.window, sizeof(*d->slots));
	d->payloads = malloc((size_t)c.window * c.max_payload);
	d->frame = malloc(c.max_frame);
	if (!d->slots || !d->payloads || !d->frame)
		goto out;
	vp8_depack_reset(d);
	*out = d;
	d = NULL;
	rc = 0;
out:
	vp8_depack_destroy(d);
	return rc;
}

void vp8_depack_destroy(struct vp8_depack *d)
{
	if (!d)
		return;
	free(d->slots);
	free(d->payloads);
	free(d->frame);
	free(d);
}

static void set_need_keyframe(struct vp8_depack *d)
{
	if (!d->need_keyframe)
		d->st.keyframe_requests++;
	d->need_keyframe = true;
}

/* Data was lost at the consume point: the picture being built is damaged; between pictures,
 * whether a picture went missing is decided when the next one starts. */
static void declare_loss(struct vp8_depack *d)
{
	if (d->assembling) {
		d->broken = true;
		set_need_keyframe(d);
	} else {
		d->loss_pending = true;
	}
}

/* Gives up on everything before target: packets held there are discarded; unless `quiet`
 * (before the first picture), the numbers count as lost and the loss is declared. */
static void skip_to(struct vp8_depack *d, int64_t target, bool quiet)
{
	uint64_t held = 0;

	if (target <= d->next)
		return;
	for (uint64_t i = 0; i <= d->mask; i++) {
		if (d->slots[i].ext >= 0 && d->slots[i].ext < target) {
			d->slots[i].ext = -1;
			held++;
		}
	}
	d->st.discarded += held;
	if (!quiet) {
		d->st.lost += (uint64_t)(target - d->next) - held;
		declare_loss(d);
	}
	d->next = target;
}

static uint8_t classify(const struct vp8_depack *d, const struct rtp_header *h)
{
	struct vp8_descriptor desc;
	uint8_t f = h->marker ? SLOT_MARKER | SLOT_END : 0;
	int rc;

	if (h->payload_len == 0)
		return f | SLOT_EMPTY;
	if (h->payload_len > d->cfg.max_payload)
		return f | SLOT_BAD;
	if (d->cfg.codec == VP8_CODEC_VP9)
		rc = vp8_parse_vp9_descriptor(h->payload, h->payload_len, &desc);
	else
		rc = vp8_parse_descriptor(h->payload, h->payload_len, &desc);
	if (rc < 0)
		return f | SLOT_BAD;
	if (desc.start)
		f |= SLOT_START | (desc.keyframe ? SLOT_KEY : 0);
	if (desc.end)
		f |= SLOT_END;
	return f;
}

int vp8_depack_push(struct vp8_depack *d, const struct rtp_header *h, uint64_t now_us)
{
	if (!d->started) {
		d->started = true;
		d->next = SEQ_ORIGIN + h->seq;
		d->newest = d->next - 1;
	}
	int64_t ext = d->next + rtp_seq_diff(h->seq, (uint16_t)d->next);
	struct slot *s = slot_of(d, ext);
	if (ext < d->next - (int64_t)d->mask && ++d->behind_run >= RESYNC_RUN) {
		for (uint64_t i = 0; i <= d->mask; i++)
			d->slots[i].ext = -1;
		declare_loss(d);
		d->next = ext;
		d->newest = ext - 1;
		s = slot_of(d, ext);
	}
	/* Before the first picture, an earlier packet moves the start back (reordering at
	 * the start of the stream must not cost its first keyframe). */
	if (ext < d->next && !d->begun && d->newest - ext <= (int64_t)d->mask)
		d->next = ext;
	if (ext < d->next || s->ext == ext) {
		d->st.late++;
		return 1;
	}
	d->behind_run = 0;
	if (ext - d->next > (int64_t)d->mask)
		skip_to(d, ext - (int64_t)d->mask, false);
	s->ext = ext;
	s->arrival_us = now_us;
	s->ts = h->ts;
	s->flags = classify(d, h);
	s->len = 0;
	if (s->flags & SLOT_EMPTY) {
		d->st.padding++;
	} else if (s->flags & SLOT_BAD) {
		d->st.bad++;
	} else {
		s->len = (uint16_t)h->payload_len;
		memcpy(d->payloads + (size_t)(s - d->slots) * d->cfg.max_payload, h->payload,
		       h->payload_len);
	}
	d->st.packets++;
	if (ext > d->newest)
		d->newest = ext;
	return 0;
}

static int next_picture_id(int id, bool wide)
{
	return (id + 1) & (wide ? 0x7fff : 0x7f);
}

static void begin_picture(struct vp8_depack *d, const struct vp8_descriptor *desc,
			  const struct slot *s)
{
	if (d->loss_pending) {
		d->loss_pending = false;
		if (d->last_picture_id < 0 || desc->picture_id < 0 ||
		    desc->picture_id != next_picture_id(d->last_picture_id, desc->pid_15bit))
			set_need_keyframe(d);
	}
	d->assembling = true;
	d->begun = true;
	d->broken = d->oversize = false;
	d->flen = 0;
	d->fts = s->ts;
	d->first = *desc;
	d->first_seq = (uint16_t)s->ext;
	d->npk = 0;
}

/* Ends the picture being assembled: true if it goes out in *f. */
static bool finish_picture(struct vp8_depack *d, struct vp8_frame *f)
{
	d->assembling = false;
	d->last_picture_id = d->first.picture_id;
	if (d->broken) {
		d->st.dropped++;
		if (d->oversize)
			d->st.oversized++;
		set_need_keyframe(d);
		return false;
	}
	if (d->need_keyframe && !d->first.keyframe) {
		d->st.dropped++;
		return false;
	}
	if (d->first.keyframe) {
		d->need_keyframe = false;
		d->st.keyframes++;
	}
	d->st.frames++;
	*f = (struct vp8_frame){
		.data = d->frame,
		.len = d->flen,
		.ts = d->fts,
		.keyframe = d->first.keyframe,
		.width = d->first.width,
		.height = d->first.height,
		.picture_id = d->first.picture_id,
		.tid = d->first.tid,
		.tl0picidx = d->first.tl0picidx,
		.first_seq = d->first_seq,
		.last_seq = d->last_seq,
		.packets = d->npk,
	};
	return true;
}

enum { CONSUMED, CONSUMED_FRAME, KEPT_FRAME };

/* Feeds the packet at `next` to the assembler. KEPT_FRAME: a picture ended without its end
 * flag because this packet starts the next one; the packet stays for the next call. */
static int consume(struct vp8_depack *d, struct slot *s, struct vp8_frame *f)
{
	struct vp8_descriptor desc;
	int rc = CONSUMED;

	if (s->flags & SLOT_EMPTY)
		goto done;
	if (s->flags & SLOT_BAD) {
		declare_loss(d);
		goto done;
	}
	const uint8_t *p = slot_data(d, s);
	if (d->cfg.codec == VP8_CODEC_VP9)
		vp8_parse_vp9_descriptor(p, s->len, &desc);
	else
		vp8_parse_descriptor(p, s->len, &desc);
	if (desc.start) {
		if (d->assembling) {
			bool same = d->cfg.codec == VP8_CODEC_VP8 && s->ts == d->fts;
			if (same)
				d->broken = true;
			if (finish_picture(d, f))
				return KEPT_FRAME;
		}
		begin_picture(d, &desc, s);
	} else if (!d->assembling) {
		goto done;	/* the rest of a picture whose start we do not have */
	} else if (s->ts != d->fts) {
		d->broken = true;
	}
	size_t n = s->len - desc.header_len;
	if (!d->broken) {
		if (n > d->cfg.max_frame - d->flen) {
			d->broken = d->oversize = true;
		} else {
			memcpy(d->frame + d->flen, p + desc.header_len, n);
			d->flen += n;
		}
	}
	d->npk++;
	d->last_seq = (uint16_t)s->ext;
	if ((s->flags & SLOT_END) && finish_picture(d, f))
		rc = CONSUMED_FRAME;
done:
	s->ext = -1;
	d->next++;
	return rc;
}

/* A complete keyframe (start to end, nothing missing) held beyond a gap at `next`: its start,
 * or -1. */
static int64_t keyframe_beyond(const struct vp8_depack *d)
{
	for (int64_t p = d->next + 1; p <= d->newest; p++) {
		const struct slot *s = slot_of(d, p);
		if (s->ext != p || !(s->flags & SLOT_KEY))
			continue;
		for (int64_t q = p; q <= d->newest && have(d, q); q++) {
			if (slot_of(d, q)->flags & SLOT_END)
				return p;
			if (q > p && (slot_of(d, q)->flags & SLOT_START))
				break;
		}
	}
	return -1;
}

/* Where to resume after the gap at `next`, or -1 to keep waiting. */
static int64_t gap_resume(const struct vp8_depack *d, uint64_t now_us)
{
	int64_t first = -1;
	for (int64_t p = d->next + 1; p <= d->newest; p++) {
		if (have(d, p)) {
			first = p;
			break;
		}
	}
	if (first < 0)
		return -1;
	int64_t key = keyframe_beyond(d);
	if (key >= 0)
		return key;
	uint64_t arrived = slot_of(d, first)->arrival_us;
	if (now_us >= arrived && now_us - arrived >= d->cfg.max_wait_us)
		return first;
	return -1;
}

int vp8_depack_pop(struct vp8_depack *d, uint64_t now_us, struct vp8_frame *f)
{
	if (!d->started)
		return 0;
	if (!d->begun) {
		/* nothing before the first keyframe is of use */
		int64_t p = d->next;
		while (p <= d->newest && !(have(d, p) && (slot_of(d, p)->flags & SLOT_KEY)))
			p++;
		if (p > d->newest)
			return 0;
		skip_to(d, p, true);
	}
	for (;;) {
		struct slot *s = slot_of(d, d->next);
		if (s->ext == d->next) {
			if (consume(d, s, f) != CONSUMED)
				return 1;
			continue;
		}
		if (d->next > d->newest)
			return 0;
		int64_t resume = gap_resume(d, now_us);
		if (resume < 0)
			return 0;
		skip_to(d, resume, false);
	}
}

bool vp8_depack_need_keyframe(const struct vp8_depack *d)
{
	return d->need_keyframe;
}

bool vp8_depack_gap_open(const struct vp8_depack *d)
{
	return d->started && d->next <= d->newest && !have(d, d->next);
}

size_t vp8_depack_missing(const struct vp8_depack *d, uint16_t *out, size_t max)
{
	size_t n = 0;

	if (!d->started)
		return 0;
	for (int64_t p = d->next; p <= d->newest && n < max; p++)
		if (!have(d, p))
			out[n++] = (uint16_t)p;
	return n;
}

void vp8_depack_get_stats(const struct vp8_depack *d, struct vp8_depack_stats *s)
{
	*s = d->st;
}

void vp8_pack_init(struct vp8_pack *p, size_t max_payload, uint16_t first_picture_id)
{
	memset(p, 0, sizeof(*p));
	p->max_payload = max_payload;
	p->picture_id = first_picture_id & 0x7fff;
}

static int pack_start(struct vp8_pack *p, const uint8_t *frame, size_t len, size_t desc)
{
	if (!frame || len == 0 || p->max_payload <= desc)
		return -EINVAL;
	size_t room = p->max_payload - desc;
	size_t n = (len + room - 1) / room;
	if (n > 65535)
		return -EINVAL;
	p->frame = frame;
	p->len = len;
	p->off = 0;
	p->left = (unsigned int)n;
	return 0;
}

int vp8_pack_start(struct vp8_pack *p, const uint8_t *frame, size_t len, bool non_ref)
{
	p->vp9 = false;
	p->non_ref = non_ref;
	return pack_start(p, frame, len, VP8_PACK_DESCRIPTOR_LEN);
}

int vp8_pack_start_vp9(struct vp8_pack *p, const uint8_t *frame, size_t len, bool keyframe,
		       uint16_t width, uint16_t height)
{
	if (keyframe && (!width || !height))
		return -EINVAL;
	p->vp9 = true;
	p->key = keyframe;
	p->width = width;
	p->height = height;
	return pack_start(p, frame, len, VP9_PACK_DESCRIPTOR_MAX);
}

/* A VP9 payload descriptor (I, P, B, E, V; M=1 PictureID); returns its length. */
static size_t vp9_descriptor(const struct vp8_pack *p, uint8_t *out, bool first, bool last)
{
	size_t i = 3;
	bool ss = first && p->key;
	out[0] = 0x80 | (p->key ? 0 : 0x40) | (first ? 0x08 : 0) | (last ? 0x04 : 0) |
		 (ss ? 0x02 : 0);
	out[1] = (uint8_t)(0x80 | p->picture_id >> 8);
	out[2] = (uint8_t)p->picture_id;
	if (ss) { /* N_S = 0 (one layer), Y: its size follows, G = 0 */
		out[3] = 0x10;
		out[4] = (uint8_t)(p->width >> 8);
		out[5] = (uint8_t)p->width;
		out[6] = (uint8_t)(p->height >> 8);
		out[7] = (uint8_t)p->height;
		i = 8;
	}
	return i;
}

int vp8_pack_next(struct vp8_pack *p, uint8_t *out, size_t cap, bool *last)
{
	*last = false;
	if (!p->left)
		return 0;
	size_t rest = p->len - p->off;
	size_t n = (rest + p->left - 1) / p->left;	/* near-equal sizes */
	size_t desc = p->vp9 ? VP9_PACK_DESCRIPTOR_MAX : VP8_PACK_DESCRIPTOR_LEN;
	if (cap < desc + n)
		return -ENOSPC;
	if (p->vp9) {
		desc = vp9_descriptor(p, out, p->off == 0, p->left == 1);
	} else {
		out[0] = 0x80 | (p->non_ref ? 0x20 : 0) | (p->off == 0 ? 0x10 : 0);
		out[1] = 0x80;
		out[2] = (uint8_t)(0x80 | p->picture_id >> 8);
		out[3] = (uint8_t)p->picture_id;
	}
	memcpy(out + desc, p->frame + p->off, n);
	p->off += n;
	if (--p->left == 0) {
		*last = true;
		p->picture_id = (p->picture_id + 1) & 0x7fff;
		p->frame = NULL;
	}
	return (int)(desc + n);
}
