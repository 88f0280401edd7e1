/* E-model MOS estimate (see emodel.h). Pure arithmetic, no state. */
#include "src/emodel.h"

#include <math.h>

/* Values outside [lo, hi] and NaN become the nearer bound (NaN: lo). */
static double clampd(double x, double lo, double hi)
{
	if (!(x >= lo))
		return lo;
	return x > hi ? hi : x;
}

double emodel_id(double delay_ms)
{
	/* Cole & Rosenbluth, "Voice over IP performance monitoring" (ACM CCR, 2001): a fit of
	 * G.107's delay terms at its default echo settings, linear below 177.3 ms, steeper above
	 * (conversation starts to break down). */
	double d = clampd(delay_ms, 0, 1e6);
	double id = 0.024 * d;
	if (d > 177.3)
		id += 0.11 * (d - 177.3);
	return id;
}

double emodel_ie_eff(double ie, double bpl, double loss_pct, double burst_r)
{
	double ppl = clampd(loss_pct, 0, 100);
	double br = burst_r > 0 ? burst_r : 1;
	ie = clampd(ie, 0, 95);
	bpl = clampd(bpl, 1, 1000);
	return ie + (95 - ie) * ppl / (ppl / br + bpl);
}

double emodel_r(const struct emodel_input *in)
{
	double r = EMODEL_R_DEFAULT - emodel_id(in->delay_ms) -
		   emodel_ie_eff(in->ie, in->bpl, in->loss_pct, in->burst_r);
	return clampd(r, 0, 100);
}

double emodel_mos_from_r(double r)
{
	if (!(r > 0))
		return 1.0;
	if (r >= 100)
		return 4.5;
	double mos = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
	/* Annex B's cubic dips a hair below 1 for R under about 6.5: keep the scale's floor so
	 * that MOS never rises as R falls. */
	return clampd(mos, 1.0, 4.5);
}

double emodel_mos(const struct emodel_input *in)
{
	return emodel_mos_from_r(emodel_r(in));
}

void emodel_opus_params(int bitrate_bps, bool fec, double *ie, double *bpl)
{
	/* Opus is not in G.113 Appendix I, so these are our estimates, anchored on listed codecs:
	 * - Ie: the narrowband E-model cannot credit wideband speech above G.711 (Ie 0), and Opus
	 *   from about 24 kbit/s is at least that good, so 0 there. At 8 kbit/s (narrowband
	 *   Opus) we take G.729A's Ie of 11, and interpolate linearly in between.
	 * - Bpl: G.113 lists 25.1 for G.711 with packet-loss concealment and 10 ms packets, 19 for
	 *   G.729A. Opus' own concealment is good but a lost 20 ms packet is a longer gap, so 20
	 *   without FEC. With in-band FEC (useinbandfec=1, which ttymeet sends and asks for) an
	 *   isolated loss is rebuilt from the next packet's low-rate copy, which at the random
	 *   loss rates the model is meant for covers most losses: 30, still below what perfect
	 *   recovery would justify because FEC needs the next packet in time and costs quality. */
	double kbps = bitrate_bps / 1000.0;
	*ie = kbps >= 24 ? 0 : kbps <= 8 ? 11 : 11 * (24 - kbps) / 16;
	*bpl = fec ? 30 : 20;
}

double emodel_conference_delay_ms(double rtt_ms, double jitter_buffer_ms)
{
	double net = rtt_ms > 0 ? rtt_ms : 0;
	double jb = jitter_buffer_ms > 0 ? jitter_buffer_ms : 0;
	return net + EMODEL_MIXER_DELAY_MS + jb + EMODEL_OPUS_CODEC_DELAY_MS;
}
