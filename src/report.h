/* Quality summaries: one participant's run, and aggregates over many (--report FILE.json).
 *
 * Data flow: the caller feeds a struct report with what its session saw — join phases, one
 * stats sample per stats interval, video frames, the script's expectations, the exit code —
 * and report_json turns it into a "summary" object. report_aggregate combines summaries
 * (participants and aggregates alike, e.g. one per process or pod) into one aggregate;
 * scripts/ttymeet-report does the same in Python with the same rules, so the two must change
 * together. report_write_file writes a summary to the one path the user named.
 * Thread: one report belongs to one thread; report_aggregate and report_write_file are pure
 * apart from the file they write.
 *
 * Schema "ttymeet-summary/1" (fields may be added, never renamed). Numbers are rounded
 * (ms, kbps, fps: 0.1; pct, MOS: 0.01; ratios: 0.0001). A value that was never measured is
 * null (or, in join_ms, absent).
 *
 * STAT (over one participant's stats samples):
 *   {"n": samples with a value, "mean", "p50", "p95", "min", "max"}
 * AGG (over participants, each contributing one value: its STAT's mean, or the plain value):
 *   {"n", "mean", "p50", "p95", "min", "max", "worst": name of the worst participant}
 *   worst is the highest value, except for kbps_in, kbps_out, mos and video_fps (lowest);
 *   ties go to the first participant in order.
 * Percentiles are nearest-rank: the value at sorted index ceil(p/100 * n) - 1.
 *
 * Participant:
 *   {"schema": "ttymeet-summary/1", "kind": "participant", "client": "ttymeet 0.1.0",
 *    "name": "bot-3", "exit_code": 0, "duration_s": 60.2,
 *    "join_ms": {"signaling": 80.2, "ice": 35.1, "dtls": 20.4, "first_audio": 240.0,
 *                "total": 375.7},
 *    "samples": 12,
 *    "rtt_ms": STAT, "jitter_ms": STAT, "loss_down_pct": STAT, "loss_up_pct": STAT,
 *    "kbps_in": STAT, "kbps_out": STAT, "jitter_buffer_ms": STAT, "mos": STAT,
 *    "concealed_ratio": 0.0042, "video_frames": 0, "video_fps": null,
 *    "expectations": {"met": 3, "failed": 1, "pending": 0, "list": [
 *      {"line": 7, "source": "expect participants >= 3 within 10s", "state": "failed",
 *       "t": 10.0, "message": "line 7: expect participants >= 3 within 10s: only 2 after 10.0 s"},
 *      ...]}}
 *   join_ms phases: signaling (connect until the room was joined), ice (until ICE connected),
 *   dtls (until the DTLS handshake ended), first_audio (until the first decoded non-silent
 *   audio), total (start until media flowed); each is the duration of that phase alone except
 *   total. mos is an E-model estimate per sample (src/emodel.h).
 *
 * Aggregate:
 *   {"schema": "ttymeet-summary/1", "kind": "aggregate", "client": ..., "count": 20,
 *    "exit_code": 0, "exit_codes": {"0": 19, "7": 1},
 *    "duration_s": AGG, "join_ms": {"signaling": AGG, ...only phases someone measured},
 *    "rtt_ms": AGG, "jitter_ms": AGG, "loss_down_pct": AGG, "loss_up_pct": AGG,
 *    "kbps_in": AGG, "kbps_out": AGG, "jitter_buffer_ms": AGG, "mos": AGG,
 *    "concealed_ratio": AGG, "video_fps": AGG,
 *    "expectations": {"met": 57, "failed": 1, "pending": 0},
 *    "failures": [{"name": "bot-3", "message": "line 7: ..."}],  (at most 100)
 *    "failures_omitted": 0,
 *    "participants": [participant summaries, in input order]}
 *   An AGG with no values is null. exit_code is 0 if every participant's was, else the
 *   non-zero code most participants share (ties: the smaller code).
 */
#ifndef TTM_SRC_REPORT_H
#define TTM_SRC_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/script.h"

#define REPORT_SCHEMA "ttymeet-summary/1"
#define REPORT_SAMPLES_MAX 4096u  /* samples kept for percentiles; past that every 2nd, 4th... */
#define REPORT_EXPECT_MAX 1000u   /* expectations listed per participant (all are counted) */
#define REPORT_FAILURES_MAX 100u  /* failures listed in an aggregate */
#define REPORT_MERGE_MAX 1000000u /* participants in one aggregate */

struct report;
struct media_stats;

enum report_join_phase {
	REPORT_JOIN_SIGNALING,
	REPORT_JOIN_ICE,
	REPORT_JOIN_DTLS,
	REPORT_JOIN_FIRST_AUDIO,
	REPORT_JOIN_TOTAL,
	REPORT_JOIN_PHASES
};

struct report_config {
	const char *name; /* the participant's display name (copied) */
	int bitrate;      /* our Opus bitrate in bit/s, for the MOS estimate; <= 0: 24000 */
	bool fec;         /* Opus in-band FEC in use */
};

/* One stats interval. */
struct report_sample {
	double rtt_ms;           /* < 0 unknown (the last known one is used for MOS) */
	double jitter_ms;        /* downlink interarrival jitter */
	double loss_pct;         /* downlink loss over the interval */
	double loss_up_pct;      /* < 0 unknown */
	double kbps_in, kbps_out;
	double jitter_buffer_ms; /* playout delay of our jitter buffer */
	uint64_t frames_played, frames_concealed; /* totals since the start */
};

/* 0 and *out, -ENOMEM, -EINVAL (no name). */
int report_create(const struct report_config *cfg, struct report **out);
void report_destroy(struct report *r);

/* Records how long a join phase took (ms); negative or non-finite values are ignored. */
void report_set_join_ms(struct report *r, enum report_join_phase phase, double ms);
/* Adds one stats interval. */
void report_add_sample(struct report *r, const struct report_sample *s);
/* Adds one stats interval from the media engine's numbers. */
void report_add_media_stats(struct report *r, const struct media_stats *st);
/* Counts a decoded video frame received at t_s seconds. */
void report_add_video_frame(struct report *r, double t_s);
/* Records one expectation (source and message are copied; message may be NULL). 0, -ENOMEM. */
int report_add_expectation(struct report *r, unsigned line, const char *source,
			   enum script_state state, double t_s, const char *message);
/* Records every expectation of s as it stands (call after script_finish). 0, -ENOMEM. */
int report_add_script(struct report *r, const struct script *s);
void report_set_exit_code(struct report *r, int code);
void report_set_duration(struct report *r, double seconds);

/* The participant summary (a new reference), NULL on allocation failure. */
json_t *report_json(const struct report *r);
/* Aggregates n summaries (participants, or aggregates whose participants are taken in
 * order). 0 and *out (a new reference); -EINVAL if an item is not a summary of this
 * schema, -E2BIG over REPORT_MERGE_MAX participants, -ENOMEM. */
int report_aggregate(json_t *const *items, size_t n, json_t **out);
/* Writes summary to path, as pretty JSON: through a temporary file in the same directory
 * (mode 0600), synced, then renamed over path. Nothing else is written. 0 or -errno. */
int report_write_file(const char *path, const json_t *summary);

#endif
