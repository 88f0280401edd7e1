/* Fuzz target for net/rtcp: walk and parse any byte string as a compound packet; when it
 * parses, re-encode what was understood and check it parses back to the same values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/rtcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtcp_iter it;
	struct rtcp_packet pk;
	struct rtcp_info in, back;
	uint16_t seqs[17];
	rtcp_iter_init(&it, data, size);
	while (rtcp_iter_next(&it, &pk) > 0)
		if (pk.body_len > size)
			abort();
	if (rtcp_parse(data, size, &in) < 0)
		return 0;
	for (unsigned int i = 0; i < in.n_nacks; i++)
		if (rtcp_nack_expand(in.nacks[i].pid, in.nacks[i].blp, seqs) > 17)
			abort();

	uint8_t buf[4096];
	struct rtcp_writer w;
	rtcp_writer_init(&w, buf, sizeof(buf));
	if (in.has_sr)
		rtcp_write_sr(&w, in.sr_ssrc, &in.sr, in.blocks, in.n_blocks);
	else
		rtcp_write_rr(&w, in.rr_ssrc, in.blocks, in.n_blocks);
	for (unsigned int i = 0; i < in.n_cnames; i++)
		rtcp_write_sdes_cname(&w, in.cnames[i].ssrc, in.cnames[i].cname);
	for (unsigned int i = 0; i < in.n_plis; i++)
		rtcp_write_pli(&w, in.plis[i].sender, in.plis[i].media);
	int len = rtcp_writer_finish(&w);
	if (len < 0 || rtcp_parse(buf, (size_t)len, &back) < 0)
		abort();
	if (back.n_blocks != in.n_blocks ||
	    memcmp(back.blocks, in.blocks, sizeof(in.blocks[0]) * in.n_blocks) != 0 ||
	    back.n_plis != in.n_plis || back.n_cnames != in.n_cnames ||
	    (in.has_sr && back.sr.ntp != in.sr.ntp))
		abort();
	for (unsigned int i = 0; i < back.n_cnames; i++)
		if (strcmp(back.cnames[i].cname, in.cnames[i].cname) != 0)
			abort();
	return 0;
}
