/* The audio media engine of one session: microphone → Opus → RTP → peer, and
 * peer → RTP → jitter buffer → Opus (FEC/PLC) → speaker, plus RTCP reports.
 *
 * Two downlink models. A mixing server (Janus AudioBridge) sends one stream on the peer given
 * to media_attach, which also carries our Opus. A forwarding server (Janus VideoRoom, Jitsi's
 * bridge) sends one stream per speaker (SSRC) on a second, receive-only PeerConnection given
 * to media_attach_recv: each stream gets its own jitter buffer and statistics, only the
 * loudest few are decoded (src/media_rx.h), and they are mixed with a soft limiter
 * (audio/mix.h) into the same speaker on the same 20 ms clock. Both can be attached at once
 * (their audio is then summed); with no receive peer the one-stream path is as it was.
 *
 * A 20 ms clock on the loop (scheduled against the monotonic clock, so it does not drift)
 * drives both directions; the device backends (audio/device.h) buffer between that clock and
 * a sound card's own callback thread through lock-free rings. Thread: the loop's thread.
 */
#ifndef TTM_SRC_MEDIA_H
#define TTM_SRC_MEDIA_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "audio/clip.h"
#include "net/peer.h"

struct media;

struct media_config {
	const char *source_backend; /* "null", "wav", "portaudio" */
	const char *source_target;  /* file or device name */
	bool source_loop;
	const char *sink_backend;
	const char *sink_target;
	int bitrate;     /* bit/s */
	int complexity;  /* 0..10 */
	bool muted;
	const char *cname;
	bool no_decode; /* bots that nobody listens to: keep the jitter buffer and stats, skip
			 * Opus decoding (no audio level, no "audio_in") */
	const struct audio_clip *clip; /* send this already encoded file (audio/clip.h; shared,
					* outlives the media) instead of reading source_*; loops
					* as source_loop says; media_set_source ends it */
	unsigned decode_max; /* forwarded streams decoded at once (the loudest); 0 = 3 */
};

#define MEDIA_VAD_DBOV (-50.0f) /* voice detector threshold for the audio-level extension */

/* Transport parameters negotiated in SDP. */
struct media_params {
	uint8_t opus_pt;
	int level_ext_id; /* RFC 6464 extension id, <= 0 if not negotiated */
	int mid_ext_id;   /* sdes:mid extension id, <= 0 if not negotiated */
	const char *mid;
	uint32_t max_playback_hz; /* the server's Opus maxplaybackrate, 0 = not given */
};

struct media_stats {
	double rtt_ms;      /* from RTCP SR/RR; < 0 unknown */
	double jitter_ms;   /* downlink interarrival jitter */
	double loss_pct;    /* downlink, over the last interval */
	double loss_up_pct; /* uplink, as the server reported it; < 0 unknown */
	int fec_up_pct;     /* the loss our encoder's FEC is sized for (0: no FEC sent) */
	double kbps_in, kbps_out; /* over the last interval */
	uint64_t frames_played, frames_concealed, frames_fec;
	uint64_t packets_sent, packets_received;
	uint64_t packets_late;      /* received audio packets our jitter buffers dropped because
				     * they came after their time to play, since start */
	uint64_t rejected_in;       /* packets refused unauthenticated (SRTP, DTLS), since start */
	double level_in, level_out; /* meters 0..1 */
	bool receiving_audio;       /* decoded non-silent audio recently */
	bool decoding;              /* false with no_decode: receiving_audio means nothing */
	gint64 t_first_audio;       /* monotonic µs of the first decoded non-silent frame */
	unsigned jitter_delay_ms;
	uint64_t ticks;           /* clock wake-ups that processed frames */
	uint64_t ticks_coalesced; /* of them, run in the wake-up of an arriving packet */
	/* forwarded streams (media_attach_recv); their packets are in packets_received, their
	 * worst jitter in jitter_ms, their loss in loss_pct (all streams together) */
	unsigned streams;          /* known now */
	unsigned streams_decoded;  /* of them, decoded now (<= decode_max, see media_rx.h) */
	uint64_t streams_evicted;  /* dropped for a newer one when the table was full */
};

/* One forwarded stream (media_get_stream_stats). */
struct media_stream_stats {
	uint32_t ssrc;
	bool decoded;        /* has a decoder now */
	bool talking;        /* as the stream callback last said */
	bool has_level;      /* its packets carry the RFC 6464 level */
	float level_dbov;    /* smoothed level used to rank it (-127 silent or unknown) */
	uint64_t packets;    /* received */
	int64_t lost;        /* RFC 3550 cumulative */
	double jitter_ms;    /* interarrival jitter */
	unsigned delay_ms;   /* its jitter buffer's playout delay */
	uint64_t frames_decoded, frames_concealed; /* while it had a decoder */
};

/* Opens the devices and codecs. Errors: negative codes of audio_source_open/audio_sink_open
 * (msg gets one line for the user). */
int media_create(GMainContext *main, const struct media_config *cfg, struct media **out,
		 char *msg, size_t msglen);
/* media_create, but when a sound device part fails with -ENODEV (no sound card: SSH, CI) or
 * -ELIBACC (PortAudio not installed) it goes on with the null backend for that part and sets
 * *no_card, so the caller can say so once and continue listen-only or send-only. */
int media_create_or_null(GMainContext *main, const struct media_config *cfg, struct media **out,
			 char *msg, size_t msglen, bool *no_card);
/* The line that says what a missing sound card (media_create_or_null's *no_card) leaves out,
 * given whether --play and --record stand in for microphone and speaker. */
const char *media_no_card_text(bool play, bool record);
/* Stops the clock and frees everything (the WAV sink is finished). Returns the sink's close
 * result (a write error of --record). */
int media_destroy(struct media *m);

/* Starts sending/receiving through p (not owned) with the negotiated params. The clock runs
 * until media_detach. */
void media_attach(struct media *m, struct peer *p, const struct media_params *params);
/* Stops using the peer (before it is destroyed); the jitter buffer restarts. */
void media_detach(struct media *m);

/* Packets from the peer's rtp_cb/rtcp_cb. */
void media_on_rtp(struct media *m, uint8_t *buf, size_t len);
void media_on_rtcp(struct media *m, uint8_t *buf, size_t len);

/* Forwarded streams arrive on a second, receive-only PeerConnection. */
struct media_recv_params {
	uint8_t opus_pts[8]; /* payload types that carry Opus (other packets are ignored) */
	size_t n_pts;        /* 1..8 */
	int level_ext_id;    /* RFC 6464 extension id, <= 0 none */
};

/* Starts receiving forwarded streams from p (not owned; NULL: no RTCP is sent, for tests).
 * Returns 0, -EBUSY if one is attached already, -EINVAL for bad params, -ENOMEM. The peer is
 * only used while PEER_CONNECTED: receiver reports go out on it about once a second, with a
 * report block for each stream (up to 31 per report, taking turns when there are more). The
 * peer is switched to batched receive (net/peer.h): the media clock reads it once per 20 ms
 * tick, right before the frame, instead of the loop waking for each packet. */
int media_attach_recv(struct media *m, struct peer *p, const struct media_recv_params *rp);
/* Stops using that peer (before it is destroyed; its receive is no longer batched) and
 * forgets every stream, without calling the stream callback. Nothing when none is attached. */
void media_detach_recv(struct media *m);
/* Packets from the receive peer's rtp_cb / rtcp_cb (ignored while none is attached).
 * Streams are keyed by SSRC; which participant an SSRC is, the caller knows from signaling
 * (Janus: one SSRC per subscriber m-line, from its offer). At most MEDIA_RX_STREAMS streams:
 * a new SSRC beyond that evicts the quietest stream that is neither decoded nor talking
 * (counted in streams_evicted), or is dropped when there is none. A stream with no packet
 * for 5 s is freed (its callback says talking false first if it was talking). */
void media_on_recv_rtp(struct media *m, uint8_t *buf, size_t len);
void media_on_recv_rtcp(struct media *m, uint8_t *buf, size_t len);
#define MEDIA_RX_STREAMS 64

/* Talking of each forwarded stream, with hysteresis (audio/level.h's level_vad at -45 dBov:
 * on after 40 ms above, off after 400 ms 6 dB below). The level is the RFC 6464 value of the
 * stream's packets when they carry it (decoded or not; also with no_decode), otherwise the
 * energy of the decoded audio. A stream without the level extension cannot be ranked
 * without decoding it, so every such stream is decoded (beyond decode_max); with no_decode
 * such a stream never counts as talking. A stream whose packets stop (DTX, mute) stops
 * talking after the hangover. Called from the loop, from the media clock; the callback may
 * call media_forget_stream and media_detach_recv. */
typedef void (*media_stream_cb)(void *user, uint32_t ssrc, bool talking);
void media_set_stream_cb(struct media *m, media_stream_cb cb, void *user);
/* A publisher left (or an m-line is reused for another one): frees that stream's state now,
 * without calling the callback. A later packet with that SSRC starts a fresh stream. */
void media_forget_stream(struct media *m, uint32_t ssrc);
/* One forwarded stream's figures: 0, or -ENOENT (no such stream or none attached). */
int media_get_stream_stats(const struct media *m, uint32_t ssrc, struct media_stream_stats *out);

/* Muted: no audio is encoded or sent. */
void media_set_muted(struct media *m, bool muted);
/* Stats over the interval since the previous call (rates and loss) and totals. */
void media_get_stats(struct media *m, struct media_stats *out);
/* Replaces the microphone with another source (e.g. a script's "say FILE"). On error the old
 * source stays and msg says why. */
int media_set_source(struct media *m, const char *backend, const char *target, bool loop,
		     char *msg, size_t msglen);
/* Replaces the speaker with another sink (e.g. the UI's "/device NAME", or a WAV file). The
 * clock is not reset: playback continues on the new sink at the next tick. On error the old
 * sink stays and msg says why; on success msg is "" or, when closing the old sink failed
 * (a write error of a --record file), says so. */
int media_set_sink(struct media *m, const char *backend, const char *target, char *msg,
		   size_t msglen);
/* True while decoded non-silent audio is arriving (within the last second). */
bool media_receiving_audio(const struct media *m);
/* Our RTP SSRC (for the SDP). */
uint32_t media_ssrc(const struct media *m);
/* True when the microphone source has ended (a non-looping --play file). */
bool media_source_ended(const struct media *m);

#endif
