/* Fuzz target: arbitrary bytes parsed as a WAV file from memory, then every frame read (in
 * odd-sized blocks), rewound and read again. The reader must never crash, hang, read out of
 * bounds or hand back more frames than the input can hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/wav.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wav_reader *r;
	struct wav_info info;
	int16_t buf[257 * WAV_MAX_CHANNELS];
	uint64_t total = 0;
	long n;
	int rc = wav_reader_open_mem(&r, data, size);

	if (rc) {
		if (!wav_strerror(rc)[0])
			abort();
		return 0;
	}
	wav_reader_info(r, &info);
	if (info.channels < 1 || info.channels > WAV_MAX_CHANNELS ||
	    info.rate < WAV_MIN_RATE || info.rate > WAV_MAX_RATE)
		abort();
	while ((n = wav_reader_read(r, buf, 257)) > 0)
		total += (uint64_t)n;
	if (n < 0 || total * info.channels * (info.bits / 8) > size)
		abort();
	if (wav_reader_rewind(r) == 0 && wav_reader_read(r, buf, 3) < 0)
		abort();
	wav_reader_destroy(r);
	return 0;
}
