/* Opus for ttymeet's audio: 48 kHz mono, 20 ms frames (CODEC_FRAME samples).
 *
 * Encoder: OPUS_APPLICATION_VOIP with in-band FEC (LBRR) and DTX; bitrate, complexity and the
 * expected loss (which sizes the FEC) can be changed while running. A packet of 2 bytes or
 * less is a DTX frame: codec_is_dtx() says so, and it need not be sent.
 * Decoder: normal decode, packet-loss concealment, and FEC decode of a lost frame from the
 * packet after it (Opus falls back to concealment when that packet carries no FEC data).
 *
 * Threads: an encoder or decoder is used by one thread at a time (the media tick).
 * Allocation only in create.
 */
#ifndef TTM_AUDIO_CODEC_H
#define TTM_AUDIO_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CODEC_RATE		48000
#define CODEC_FRAME		960	/* samples per 20 ms frame */
#define CODEC_MAX_PACKET	1500	/* bytes; an Opus 20 ms packet is at most 1275 + TOC */

struct codec_enc_config {
	int bitrate;		/* bit/s, 6000..510000; default 24000 */
	int complexity;		/* 0..10; default 10 */
	int loss_pct;		/* expected packet loss 0..100; default 0 (see codec_loss_ctl) */
	bool fec;		/* in-band FEC; default on */
	bool dtx;		/* discontinuous transmission; default on */
};

struct codec_enc;
struct codec_dec;

/* Fills cfg with the defaults above. */
void codec_enc_config_default(struct codec_enc_config *cfg);

/* Creates an encoder; cfg NULL means defaults. Returns 0, -EINVAL or -ENOMEM. */
int codec_enc_create(struct codec_enc **out, const struct codec_enc_config *cfg);

/* Frees; NULL is fine. */
void codec_enc_destroy(struct codec_enc *e);

/* Encodes one frame into out (cap bytes, CODEC_MAX_PACKET is always enough). Returns the
 * packet length (> 0) or a negative errno. */
int codec_enc_encode(struct codec_enc *e, const int16_t pcm[CODEC_FRAME], uint8_t *out,
		     size_t cap);

/* Changes the bitrate (bit/s). Returns 0 or -EINVAL. */
int codec_enc_set_bitrate(struct codec_enc *e, int bitrate);

/* Limits the audio bandwidth to what a receiver that plays back at most hz (SDP
 * maxplaybackrate, RFC 7587) can render: 8000 narrowband .. 24000 super-wideband, above
 * that (and 0: not given) fullband. The bits then go to the band that is heard, and the
 * encoder does less work. Returns 0 or -EINVAL. */
int codec_enc_set_max_playback(struct codec_enc *e, uint32_t hz);

/* Changes the expected loss percentage that FEC is sized for. Returns 0 or -EINVAL. */
int codec_enc_set_loss(struct codec_enc *e, int loss_pct);

/* The expected loss an encoder is told, from the loss the far end reports (RTCP fraction
 * lost, about one report a second). Opus spends bits and CPU on in-band FEC only when it
 * expects loss, so a clean link carries none, and the first report showing loss turns it
 * on. The estimate follows a higher report at once and falls a tenth of the way per lower
 * one; FEC goes on at 1 % and off below 0.5 %, so a single lost packet does not flap it.
 * A report counts in proportion to the packets it is about, fully from
 * CODEC_LOSS_FULL_PACKETS (a second of speech) on: while we send DTX (a few packets a
 * second) one lost packet is a "25 %" report, which would size the FEC of the next talk
 * spurt for a quarter of the packets lost (seen on a 5 % link: 17-36 % after pauses). */
#define CODEC_LOSS_FULL_PACKETS 50
struct codec_loss_ctl {
	double level; /* smoothed reported loss, percent */
	int pct;      /* what the encoder was last told */
};

void codec_loss_ctl_init(struct codec_loss_ctl *c);
/* Feeds one report (percent; out-of-range values are clamped) about `packets` packets
 * (those sent in its interval; 0 changes nothing) and returns the expected-loss percentage
 * to give the encoder now (0 = no FEC, at most 50). */
int codec_loss_ctl_report(struct codec_loss_ctl *c, double reported_pct, unsigned packets);

/* Samples of lookahead the encoder adds (its algorithmic delay). */
int codec_enc_lookahead(const struct codec_enc *e);

/* True for a packet length that means "DTX: nothing worth sending". */
bool codec_is_dtx(int len);

/* Creates a decoder. Returns 0 or -ENOMEM. */
int codec_dec_create(struct codec_dec **out);

/* Frees; NULL is fine. */
void codec_dec_destroy(struct codec_dec *d);

/* Decodes a packet into pcm. Returns the samples written (CODEC_FRAME for a 20 ms packet,
 * fewer for a shorter one), -EMSGSIZE for a packet longer than 20 ms (decoder untouched) or
 * -EBADMSG for a corrupt one. */
int codec_dec_decode(struct codec_dec *d, const uint8_t *pkt, size_t len,
		     int16_t pcm[CODEC_FRAME]);

/* Conceals one lost 20 ms frame. Returns CODEC_FRAME or a negative errno. */
int codec_dec_plc(struct codec_dec *d, int16_t pcm[CODEC_FRAME]);

/* Rebuilds the lost frame before `next` from next's FEC data (concealing when there is
 * none); next itself is decoded afterwards as usual. Returns CODEC_FRAME or a negative
 * errno. */
int codec_dec_fec(struct codec_dec *d, const uint8_t *next, size_t len,
		  int16_t pcm[CODEC_FRAME]);

#endif
