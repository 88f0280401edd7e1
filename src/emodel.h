/* Estimated speech quality: the ITU-T G.107 E-model, simplified for VoIP.
 *
 *   R = 93.2 - Id - Ie,eff          (Ro - Is at G.107's defaults; A = 0)
 *   Id     from the one-way mouth-to-ear delay (Cole & Rosenbluth's fit to G.107)
 *   Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl)   (G.107 §7.6)
 *   MOS    from R with G.107 Annex B, clamped to 1..4.5
 *
 * The result is an estimate for comparing runs and spotting bad ones, not a listening test.
 * Pure functions of their arguments; any thread.
 */
#ifndef TTM_SRC_EMODEL_H
#define TTM_SRC_EMODEL_H

#include <stdbool.h>

#define EMODEL_R_DEFAULT 93.2
/* Opus at 48 kHz with 20 ms frames: one frame of packetization plus the encoder's 6.5 ms
 * look-ahead. */
#define EMODEL_OPUS_CODEC_DELAY_MS 26.5
/* A mixing server (Janus AudioBridge): its own small receive queue plus one 20 ms mixing tick.
 * An assumption, not a measurement. */
#define EMODEL_MIXER_DELAY_MS 40.0

struct emodel_input {
	double delay_ms; /* one-way mouth-to-ear delay */
	double loss_pct; /* packet loss Ppl, 0..100 */
	double ie;       /* codec equipment impairment factor */
	double bpl;      /* codec packet-loss robustness factor */
	double burst_r;  /* burst ratio; 1 (or <= 0) for random loss */
};

/* Delay impairment Id for a one-way delay in ms (negative or NaN count as 0). */
double emodel_id(double delay_ms);
/* Effective equipment impairment Ie,eff; loss_pct is clamped to 0..100. */
double emodel_ie_eff(double ie, double bpl, double loss_pct, double burst_r);
/* Transmission rating R, clamped to 0..100. */
double emodel_r(const struct emodel_input *in);
/* MOS-CQE for a rating R: 1 for R <= 0, 4.5 for R >= 100, non-decreasing in R. */
double emodel_mos_from_r(double r);
/* emodel_mos_from_r(emodel_r(in)). */
double emodel_mos(const struct emodel_input *in);

/* Ie and Bpl we use for Opus at bitrate_bps (bit/s), with or without in-band FEC. */
void emodel_opus_params(int bitrate_bps, bool fec, double *ie, double *bpl);
/* Mouth-to-ear delay in a mixed conference seen by one participant: the speaker's uplink and
 * our downlink (together about one round trip to the server, assuming the speaker's path is
 * like ours), the mixer, our jitter buffer and the codec. rtt_ms < 0 (unknown) counts as 0. */
double emodel_conference_delay_ms(double rtt_ms, double jitter_buffer_ms);

#endif
