/* The audio media engine of one session: microphone → Opus → RTP → peer, and
 * peer → RTP → jitter buffer → Opus (FEC/PLC) → speaker, plus RTCP reports.
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
	uint64_t rejected_in;       /* packets refused unauthenticated (SRTP, DTLS), since start */
	double level_in, level_out; /* meters 0..1 */
	bool receiving_audio;       /* decoded non-silent audio recently */
	bool decoding;              /* false with no_decode: receiving_audio means nothing */
	gint64 t_first_audio;       /* monotonic µs of the first decoded non-silent frame */
	unsigned jitter_delay_ms;
	uint64_t ticks;           /* clock wake-ups that processed frames */
	uint64_t ticks_coalesced; /* of them, run in the wake-up of an arriving packet */
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
