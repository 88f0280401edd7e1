/* Opus encoder/decoder wrappers (see codec.h): fixed 48 kHz mono 20 ms framing, libopus
 * errors mapped to negative errno values. Each call is one libopus call on caller buffers;
 * nothing allocates after create. */
#include "audio/codec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <opus.h>

struct codec_enc {
	OpusEncoder *enc;
	int lookahead;
};

struct codec_dec {
	OpusDecoder *dec;
};

static int opus_to_errno(int err)
{
	switch (err) {
	case OPUS_BAD_ARG:
		return -EINVAL;
	case OPUS_BUFFER_TOO_SMALL:
		return -ENOBUFS;
	case OPUS_INVALID_PACKET:
		return -EBADMSG;
	case OPUS_ALLOC_FAIL:
		return -ENOMEM;
	case OPUS_UNIMPLEMENTED:
		return -ENOTSUP;
	default:
		return -EIO;
	}
}

void codec_enc_config_default(struct codec_enc_config *cfg)
{
	cfg->bitrate = 24000;
	cfg->complexity = 10;
	cfg->loss_pct = 0;
	cfg->fec = true;
	cfg->dtx = true;
}

int codec_enc_create(struct codec_enc **out, const struct codec_enc_config *cfg)
{
	struct codec_enc_config def;
	struct codec_enc *e;
	int err, rc = 0;

	if (!out)
		return -EINVAL;
	if (!cfg) {
		codec_enc_config_default(&def);
		cfg = &def;
	}
	if (cfg->bitrate < 6000 || cfg->bitrate > 510000 || cfg->complexity < 0 ||
	    cfg->complexity > 10 || cfg->loss_pct < 0 || cfg->loss_pct > 100)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->enc = opus_encoder_create(CODEC_RATE, 1, OPUS_APPLICATION_VOIP, &err);
	if (!e->enc) {
		rc = opus_to_errno(err);
		goto out;
	}
	err = opus_encoder_ctl(e->enc, OPUS_SET_BITRATE(cfg->bitrate));
	if (err == OPUS_OK)
		err = opus_encoder_ctl(e->enc, OPUS_SET_COMPLEXITY(cfg->complexity));
	if (err == OPUS_OK)
		err = opus_encoder_ctl(e->enc, OPUS_SET_INBAND_FEC(cfg->fec ? 1 : 0));
	if (err == OPUS_OK)
		err = opus_encoder_ctl(e->enc, OPUS_SET_DTX(cfg->dtx ? 1 : 0));
	if (err == OPUS_OK)
		err = opus_encoder_ctl(e->enc, OPUS_SET_PACKET_LOSS_PERC(cfg->loss_pct));
	if (err == OPUS_OK)
		err = opus_encoder_ctl(e->enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
	if (err == OPUS_OK)
		err = opus_encoder_ctl(e->enc, OPUS_GET_LOOKAHEAD(&e->lookahead));
	if (err != OPUS_OK)
		rc = opus_to_errno(err);
out:
	if (rc) {
		codec_enc_destroy(e);
		return rc;
	}
	*out = e;
	return 0;
}

void codec_enc_destroy(struct codec_enc *e)
{
	if (!e)
		return;
	if (e->enc)
		opus_encoder_destroy(e->enc);
	free(e);
}

int codec_enc_encode(struct codec_enc *e, const int16_t pcm[CODEC_FRAME], uint8_t *out,
		     size_t cap)
{
	opus_int32 max = cap > CODEC_MAX_PACKET ? CODEC_MAX_PACKET : (opus_int32)cap;
	opus_int32 n = opus_encode(e->enc, pcm, CODEC_FRAME, out, max);

	return n < 0 ? opus_to_errno(n) : n;
}

int codec_enc_set_bitrate(struct codec_enc *e, int bitrate)
{
	int err;

	if (bitrate < 6000 || bitrate > 510000)
		return -EINVAL;
	err = opus_encoder_ctl(e->enc, OPUS_SET_BITRATE(bitrate));
	return err == OPUS_OK ? 0 : opus_to_errno(err);
}

int codec_enc_set_max_playback(struct codec_enc *e, uint32_t hz)
{
	int bw = hz == 0 ? OPUS_BANDWIDTH_FULLBAND
		 : hz <= 8000 ? OPUS_BANDWIDTH_NARROWBAND
		 : hz <= 12000 ? OPUS_BANDWIDTH_MEDIUMBAND
		 : hz <= 16000 ? OPUS_BANDWIDTH_WIDEBAND
		 : hz <= 24000 ? OPUS_BANDWIDTH_SUPERWIDEBAND : OPUS_BANDWIDTH_FULLBAND;
	int err = opus_encoder_ctl(e->enc, OPUS_SET_MAX_BANDWIDTH(bw));

	return err == OPUS_OK ? 0 : opus_to_errno(err);
}

int codec_enc_set_loss(struct codec_enc *e, int loss_pct)
{
	int err;

	if (loss_pct < 0 || loss_pct > 100)
		return -EINVAL;
	err = opus_encoder_ctl(e->enc, OPUS_SET_PACKET_LOSS_PERC(loss_pct));
	return err == OPUS_OK ? 0 : opus_to_errno(err);
}

#define LOSS_ON_PCT	1.0	/* FEC goes on at this smoothed loss */
#define LOSS_OFF_PCT	0.5	/* and off below this */
#define LOSS_MAX_PCT	50

void codec_loss_ctl_init(struct codec_loss_ctl *c)
{
	c->level = 0;
	c->pct = 0;
}

int codec_loss_ctl_report(struct codec_loss_ctl *c, double reported, unsigned packets)
{
	double w = packets >= CODEC_LOSS_FULL_PACKETS ? 1.0
						      : (double)packets / CODEC_LOSS_FULL_PACKETS;

	if (!(reported >= 0)) /* also NaN */
		reported = 0;
	if (reported > 100)
		reported = 100;
	if (reported >= c->level)
		c->level = w >= 1.0 ? reported : c->level + w * (reported - c->level);
	else
		c->level += 0.1 * w * (reported - c->level);
	if (c->level < (c->pct > 0 ? LOSS_OFF_PCT : LOSS_ON_PCT))
		c->pct = 0;
	else
		c->pct = c->level >= LOSS_MAX_PCT ? LOSS_MAX_PCT : (int)ceil(c->level);
	return c->pct;
}

int codec_enc_lookahead(const struct codec_enc *e)
{
	return e->lookahead;
}

bool codec_is_dtx(int len)
{
	return len > 0 && len <= 2;
}

int codec_dec_create(struct codec_dec **out)
{
	struct codec_dec *d;
	int err;

	if (!out)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->dec = opus_decoder_create(CODEC_RATE, 1, &err);
	if (!d->dec) {
		free(d);
		return opus_to_errno(err);
	}
	*out = d;
	return 0;
}

void codec_dec_destroy(struct codec_dec *d)
{
	if (!d)
		return;
	if (d->dec)
		opus_decoder_destroy(d->dec);
	free(d);
}

int codec_dec_decode(struct codec_dec *d, const uint8_t *pkt, size_t len,
		     int16_t pcm[CODEC_FRAME])
{
	int n;

	if (!pkt || len == 0 || len > CODEC_MAX_PACKET)
		return -EBADMSG;
	n = opus_packet_get_nb_samples(pkt, (opus_int32)len, CODEC_RATE);
	if (n < 0)
		return opus_to_errno(n);
	if (n > CODEC_FRAME)
		return -EMSGSIZE;
	n = opus_decode(d->dec, pkt, (opus_int32)len, pcm, CODEC_FRAME, 0);
	return n < 0 ? opus_to_errno(n) : n;
}

int codec_dec_plc(struct codec_dec *d, int16_t pcm[CODEC_FRAME])
{
	int n = opus_decode(d->dec, NULL, 0, pcm, CODEC_FRAME, 0);

	return n < 0 ? opus_to_errno(n) : n;
}

int codec_dec_fec(struct codec_dec *d, const uint8_t *next, size_t len,
		  int16_t pcm[CODEC_FRAME])
{
	int n;

	if (!next || len == 0 || len > CODEC_MAX_PACKET)
		return codec_dec_plc(d, pcm);
	n = opus_decode(d->dec, next, (opus_int32)len, pcm, CODEC_FRAME, 1);
	return n < 0 ? opus_to_errno(n) : n;
}
