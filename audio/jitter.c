/* Adaptive jitter buffer (see jitter.h for the behaviour).
 *
 * Packets live in JITTER_SLOTS slots indexed by extended sequence number modulo the slot
 * count; a slot keeps its sequence number after playout so duplicates of recently played
 * packets are recognised. Sequence numbers and timestamps are unwrapped to 64 bits against
 * the highest sequence seen.
 *
 * Timing: play_ts is the RTP timestamp of the frame the next jitter_get() hands out. The
 * playout offset P = now - play_ts/48 (ms) is the wall time at which media time zero plays;
 * a packet with transit d = arrival - ts/48 is on time iff d <= P, so the buffer delay over
 * the fastest recent packet is P - min(d). Inserting a frame raises P by 20 ms, dropping one
 * lowers it by 20 ms; otherwise it stays put while ticks and frames advance together.
 */
#include "audio/jitter.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_MASK		(JITTER_SLOTS - 1)
#define FRAME_MS		20
#define TS_PER_MS		48
#define WINDOW			128	/* transit samples for the delay estimate */
#define WINDOW_MIN		8	/* samples before the estimate is trusted */
#define PERCENTILE		0.98
#define MARGIN_MS		10.0	/* on top of the measured spread: tick jitter */
#define GROW_SLACK_MS		5.0	/* insert when delay < target - this */
#define SHRINK_SLACK_MS		20.0	/* drop when delay > target + this */
#define DROP_GAP_TICKS		5	/* at most one drop per 100 ms */
#define DROP_PATIENCE_TICKS	25	/* after this, drop even a non-silent frame */
#define SILENT_PAYLOAD		3	/* bytes: Opus DTX/silence packets are this small */
#define IDLE_TICKS		50	/* after 1 s with nothing buffered, stop concealing */
#define JUMP_AHEAD_MS		1000	/* beyond max delay: the stream restarted */
#define JUMP_BACK_MS		1000
#define RESTART_RUN		3	/* consecutive packets far behind that mean a restart */

enum slot_state { SLOT_EMPTY, SLOT_BUFFERED, SLOT_DONE };

struct slot {
	int64_t seq;
	int64_t ts;
	size_t len;
	enum slot_state state;
};

struct jitter {
	struct jitter_config cfg;
	struct jitter_stats st;
	struct slot slots[JITTER_SLOTS];
	uint8_t *payload;	/* JITTER_SLOTS * JITTER_MAX_PAYLOAD */

	bool started;		/* a packet arrived since the last reset */
	bool playing;		/* frames are being handed out */
	int64_t hi_seq;		/* highest extended sequence number seen */
	int64_t hi_ts;		/* its extended timestamp: the unwrapping reference */
	int64_t next_seq;	/* lowest sequence number that can still be played */
	int64_t play_ts;	/* timestamp of the frame the next get hands out */
	uint64_t first_arrival;

	double transit[WINDOW];	/* ring, in arrival order */
	double sorted[WINDOW];	/* the same tw_len values, ascending */
	unsigned tw_len;
	unsigned tw_pos;
	double spread_ms;	/* percentile transit - minimum transit */
	double min_transit;
	double target_ms;
	double jitter;		/* RFC 3550 estimate, ms */
	double last_transit;
	bool have_last;

	uint64_t last_get_ms;
	unsigned ticks_since_drop;
	unsigned excess_ticks;
	unsigned idle_ticks;
	unsigned suspects;	/* consecutive packets far behind playout */
	uint16_t suspect_next;	/* sequence number the next such packet would have */
};

void jitter_config_default(struct jitter_config *cfg)
{
	cfg->min_delay_ms = 20;
	cfg->max_delay_ms = 500;
	cfg->start_delay_ms = 60;
	cfg->shrink_ms_per_s = 20;
}

int jitter_create(struct jitter **out, const struct jitter_config *cfg)
{
	struct jitter_config def;
	struct jitter *jb;

	if (!out)
		return -EINVAL;
	if (!cfg) {
		jitter_config_default(&def);
		cfg = &def;
	}
	if (cfg->min_delay_ms > cfg->max_delay_ms || cfg->max_delay_ms > 1100 ||
	    cfg->start_delay_ms < cfg->min_delay_ms || cfg->start_delay_ms > cfg->max_delay_ms)
		return -EINVAL;
	jb = calloc(1, sizeof(*jb));
	if (!jb)
		return -ENOMEM;
	jb->payload = malloc((size_t)JITTER_SLOTS * JITTER_MAX_PAYLOAD);
	if (!jb->payload) {
		free(jb);
		return -ENOMEM;
	}
	jb->cfg = *cfg;
	jitter_reset(jb);
	jb->st.restarts = 0;
	*out = jb;
	return 0;
}

void jitter_destroy(struct jitter *jb)
{
	if (!jb)
		return;
	free(jb->payload);
	free(jb);
}

void jitter_reset(struct jitter *jb)
{
	memset(jb->slots, 0, sizeof(jb->slots));
	jb->started = false;
	jb->playing = false;
	jb->tw_len = 0;
	jb->tw_pos = 0;
	jb->spread_ms = 0.0;
	jb->min_transit = 0.0;
	jb->target_ms = jb->cfg.start_delay_ms;
	jb->jitter = 0.0;
	jb->have_last = false;
	jb->ticks_since_drop = DROP_GAP_TICKS;
	jb->excess_ticks = 0;
	jb->idle_ticks = 0;
	jb->suspects = 0;
	jb->st.delay_ms = 0;
	jb->st.restarts++;
}

static struct slot *slot_of(struct jitter *jb, int64_t seq)
{
	return &jb->slots[(uint64_t)seq & SLOT_MASK];
}

static uint8_t *payload_of(struct jitter *jb, const struct slot *s)
{
	return jb->payload + (size_t)(s - jb->slots) * JITTER_MAX_PAYLOAD;
}

/* Index of the first of v[0..n) that is not less than x. */
static unsigned lower_bound(const double *v, unsigned n, double x)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Adds a transit sample to the window; the oldest leaves the ring and the sorted copy (which
 * is kept sorted by one removal and one insertion, not re-sorted per packet). */
static void record_transit(struct jitter *jb, int64_t ts, uint64_t arrival_ms)
{
	double d = (double)arrival_ms - (double)ts / TS_PER_MS;
	unsigned i;

	if (jb->have_last)
		jb->jitter += (fabs(d - jb->last_transit) - jb->jitter) / 16.0;
	jb->last_transit = d;
	jb->have_last = true;
	if (jb->tw_len == WINDOW) {
		i = lower_bound(jb->sorted, jb->tw_len, jb->transit[jb->tw_pos]);
		memmove(jb->sorted + i, jb->sorted + i + 1, (jb->tw_len - i - 1) * sizeof(double));
		jb->tw_len--;
	}
	i = lower_bound(jb->sorted, jb->tw_len, d);
	memmove(jb->sorted + i + 1, jb->sorted + i, (jb->tw_len - i) * sizeof(double));
	jb->sorted[i] = d;
	jb->tw_len++;
	jb->transit[jb->tw_pos] = d;
	jb->tw_pos = (jb->tw_pos + 1) % WINDOW;
}

/* Min and percentile transit of the window. */
static void update_estimate(struct jitter *jb)
{
	unsigned n = jb->tw_len;

	if (n == 0)
		return;
	jb->min_transit = jb->sorted[0];
	jb->spread_ms = jb->sorted[(unsigned)lround(PERCENTILE * (n - 1))] - jb->sorted[0];
}

static void store(struct jitter *jb, int64_t seq, int64_t ts, const uint8_t *p, size_t len)
{
	struct slot *s = slot_of(jb, seq);

	s->seq = seq;
	s->ts = ts;
	s->len = len;
	s->state = SLOT_BUFFERED;
	memcpy(payload_of(jb, s), p, len);
}

/* First packet after a reset: it defines the sequence and timestamp references. */
static void begin(struct jitter *jb, uint16_t seq, uint32_t ts, const uint8_t *p, size_t len,
		  uint64_t arrival_ms)
{
	/* Offsets keep the extended values positive for a long time either way. */
	jb->hi_seq = (int64_t)seq + ((int64_t)1 << 32);
	jb->hi_ts = (int64_t)ts + ((int64_t)1 << 40);
	jb->next_seq = jb->hi_seq;
	jb->first_arrival = arrival_ms;
	jb->started = true;
	store(jb, jb->hi_seq, jb->hi_ts, p, len);
	record_transit(jb, jb->hi_ts, arrival_ms);
}

int jitter_put(struct jitter *jb, uint16_t seq, uint32_t rtp_ts, const uint8_t *payload,
	       size_t len, uint64_t arrival_ms)
{
	int64_t ext, ts;
	struct slot *s;

	if (!payload || len == 0)
		return -EINVAL;
	if (len > JITTER_MAX_PAYLOAD)
		return -EMSGSIZE;
	jb->st.received++;
	if (!jb->started) {
		begin(jb, seq, rtp_ts, payload, len, arrival_ms);
		return JITTER_PUT_OK;
	}
	ext = jb->hi_seq + (int16_t)(uint16_t)(seq - (uint16_t)jb->hi_seq);
	ts = jb->hi_ts + (int32_t)(uint32_t)(rtp_ts - (uint32_t)jb->hi_ts);
	s = slot_of(jb, ext);
	if (s->state != SLOT_EMPTY && s->seq == ext) {
		jb->st.duplicates++;
		return JITTER_PUT_DUPLICATE;
	}

	if (jb->playing) {
		int64_t ahead_ms = (ts - jb->play_ts) / TS_PER_MS;

		if (ext >= jb->next_seq + JITTER_SLOTS ||
		    (ext >= jb->next_seq &&
		     (ahead_ms > (int64_t)jb->cfg.max_delay_ms + JUMP_AHEAD_MS ||
		      ahead_ms < -JUMP_BACK_MS)))
			goto restart;
		if (ext < jb->next_seq - JITTER_SLOTS) {
			/* One stray ancient packet is late; a run of them is a new stream. */
			if (jb->suspects && seq == jb->suspect_next)
				jb->suspects++;
			else
				jb->suspects = 1;
			jb->suspect_next = (uint16_t)(seq + 1);
			if (jb->suspects >= RESTART_RUN)
				goto restart;
			jb->st.late++;
			return JITTER_PUT_LATE;
		}
		jb->suspects = 0;
		if (ext < jb->next_seq || ts < jb->play_ts) {
			record_transit(jb, ts, arrival_ms);
			jb->st.late++;
			return JITTER_PUT_LATE;
		}
	} else {
		/* Still buffering: early reordering may lower the starting point. */
		if (ext >= jb->next_seq + JITTER_SLOTS || ext <= jb->hi_seq - JITTER_SLOTS ||
		    llabs(ts - jb->hi_ts) / TS_PER_MS >
			    (int64_t)jb->cfg.max_delay_ms + JUMP_AHEAD_MS)
			goto restart;
		if (ext < jb->next_seq)
			jb->next_seq = ext;
	}
	if (ext > jb->hi_seq) {
		jb->hi_seq = ext;
		jb->hi_ts = ts;
	}
	store(jb, ext, ts, payload, len);
	record_transit(jb, ts, arrival_ms);
	return JITTER_PUT_OK;

restart:
	jitter_reset(jb);
	begin(jb, seq, rtp_ts, payload, len, arrival_ms);
	return JITTER_PUT_RESTART;
}

/* The buffered packet with the lowest sequence number not below next_seq, or NULL. */
static struct slot *earliest(struct jitter *jb)
{
	int64_t s;

	for (s = jb->next_seq; s <= jb->hi_seq && s < jb->next_seq + JITTER_SLOTS; s++) {
		struct slot *sl = slot_of(jb, s);

		if (sl->state == SLOT_BUFFERED && sl->seq == s)
			return sl;
	}
	return NULL;
}

/* Marks a packet consumed; everything before it that never came counts as lost. */
static void consume(struct jitter *jb, struct slot *s)
{
	jb->st.lost += (uint64_t)(s->seq - jb->next_seq);
	jb->next_seq = s->seq + 1;
	s->state = SLOT_DONE;
}

static bool is_due(const struct jitter *jb, const struct slot *s)
{
	return s->ts < jb->play_ts + JITTER_FRAME_TS / 2;
}

/* Moves the target toward the current estimate: up at once, down at the configured rate. */
static void steer_target(struct jitter *jb, uint64_t now_ms)
{
	double est, dt = now_ms > jb->last_get_ms ? (double)(now_ms - jb->last_get_ms) : 0.0;
	double fall = jb->cfg.shrink_ms_per_s * dt / 1000.0;

	update_estimate(jb);
	if (jb->tw_len < WINDOW_MIN)
		return;
	est = jb->spread_ms + MARGIN_MS;
	if (est < jb->cfg.min_delay_ms)
		est = jb->cfg.min_delay_ms;
	if (est > jb->cfg.max_delay_ms)
		est = jb->cfg.max_delay_ms;
	if (est >= jb->target_ms)
		jb->target_ms = est;
	else
		jb->target_ms = jb->target_ms - fall > est ? jb->target_ms - fall : est;
}

static double current_delay(const struct jitter *jb, uint64_t now_ms)
{
	return (double)now_ms - (double)jb->play_ts / TS_PER_MS - jb->min_transit;
}

/* Skips the frame due now to shrink the delay, when that is allowed and cheap. */
static bool maybe_drop(struct jitter *jb, double delay)
{
	struct slot *e;
	bool cheap;

	if (delay <= jb->target_ms + SHRINK_SLACK_MS) {
		jb->excess_ticks = 0;
		return false;
	}
	jb->excess_ticks++;
	e = earliest(jb);
	if (delay <= jb->cfg.max_delay_ms + SHRINK_SLACK_MS) {
		if (jb->ticks_since_drop < DROP_GAP_TICKS)
			return false;
		cheap = !e || !is_due(jb, e) || e->len <= SILENT_PAYLOAD;
		if (!cheap && jb->excess_ticks < DROP_PATIENCE_TICKS)
			return false;
	}
	if (e && is_due(jb, e))
		consume(jb, e);
	jb->play_ts += JITTER_FRAME_TS;
	jb->st.dropped++;
	jb->ticks_since_drop = 0;
	jb->excess_ticks = 0;
	return true;
}

static void out_plc(struct jitter *jb, struct jitter_frame *out)
{
	out->action = JITTER_PLC;
	jb->st.concealed++;
}

int jitter_get(struct jitter *jb, uint64_t now_ms, struct jitter_frame *out)
{
	struct slot *e;
	double delay;

	memset(out, 0, sizeof(*out));
	out->action = JITTER_WAIT;
	if (!jb->started)
		goto out;
	if (!jb->playing) {
		if (now_ms < jb->first_arrival + jb->cfg.start_delay_ms)
			goto out;
		e = earliest(jb);
		if (!e)
			goto out;
		jb->playing = true;
		jb->play_ts = e->ts;
		jb->last_get_ms = now_ms;
	}
	if (jb->ticks_since_drop < DROP_GAP_TICKS)
		jb->ticks_since_drop++;
	steer_target(jb, now_ms);
	jb->last_get_ms = now_ms;
	delay = current_delay(jb, now_ms);

	/* Packets whose time went by while they sat behind a gap: too late now. */
	while ((e = earliest(jb)) && e->ts < jb->play_ts - JITTER_FRAME_TS / 2) {
		consume(jb, e);
		jb->st.late++;
	}
	if (jb->tw_len >= WINDOW_MIN && delay < jb->target_ms - GROW_SLACK_MS) {
		jb->st.inserted++;
		out_plc(jb, out);
		goto out;
	}
	maybe_drop(jb, delay);

	e = earliest(jb);
	if (!e) {
		/* Underrun; after a second of nothing the stream is idle, stop concealing. */
		jb->play_ts += JITTER_FRAME_TS;
		if (jb->idle_ticks < IDLE_TICKS) {
			jb->idle_ticks++;
			out_plc(jb, out);
		}
		goto out;
	}
	jb->idle_ticks = 0;
	if (is_due(jb, e)) {
		consume(jb, e);
		jb->play_ts = e->ts + JITTER_FRAME_TS;
		out->action = JITTER_PACKET;
		out->data = payload_of(jb, e);
		out->len = e->len;
		out->seq = (uint16_t)e->seq;
		goto out;
	}
	{
		int64_t gap_frames = (e->ts - jb->play_ts + JITTER_FRAME_TS / 2) / JITTER_FRAME_TS;
		int64_t seq_gap = e->seq - jb->next_seq;

		jb->play_ts += JITTER_FRAME_TS;
		if (seq_gap > 0 && gap_frames <= seq_gap) {
			/* Regular spacing: the packet due now is e->seq - gap_frames, lost. */
			int64_t missing = e->seq - gap_frames;

			jb->st.lost += (uint64_t)(missing - jb->next_seq + 1);
			jb->next_seq = missing + 1;
			if (gap_frames == 1) {
				out->action = JITTER_FEC;
				out->data = payload_of(jb, e);
				out->len = e->len;
				out->seq = (uint16_t)e->seq;
				jb->st.fec_recovered++;
				goto out;
			}
		}
		/* A timestamp gap without a sequence gap is DTX: conceal, nothing lost. */
		out_plc(jb, out);
	}
out:
	if (jb->playing) {
		/* The delay the frame handed out (or the next one, after an insert) sees. */
		delay = current_delay(jb, now_ms + FRAME_MS);
		jb->st.delay_ms = delay > 0.0 ? (unsigned)lround(delay) : 0;
	}
	return 0;
}

void jitter_get_stats(const struct jitter *jb, struct jitter_stats *st)
{
	unsigned n = 0, i;

	*st = jb->st;
	for (i = 0; i < JITTER_SLOTS; i++)
		n += jb->slots[i].state == SLOT_BUFFERED && jb->slots[i].seq >= jb->next_seq;
	st->buffered = n;
	st->target_ms = (unsigned)lround(jb->target_ms);
	st->jitter_ms = (unsigned)lround(jb->jitter);
}
