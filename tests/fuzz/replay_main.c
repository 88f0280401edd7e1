/* Replays every file of a corpus directory (or single files) through a fuzz target's
 * LLVMFuzzerTestOneInput, plus a few generated hostile inputs. Used when the build has no
 * libFuzzer, so the parsers' hostile-input paths still run under ctest (and ASan). The
 * targets' own checks abort on a broken invariant; here a missing or unreadable corpus entry,
 * or an empty corpus, fails the run too (a replay that read nothing proves nothing). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replays one corpus file; -1 (and says so) if it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = f ? malloc(1 << 20) : NULL;
	size_t n = buf ? fread(buf, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	if (!buf) {
		fprintf(stderr, "replay: %s: cannot be read\n", path);
		return -1;
	}
	/* Every prefix of a seed is a truncated message: parsers must survive those too. */
	for (size_t len = 0; len <= n; len += (n > 256 ? n / 64 + 1 : 1))
		LLVMFuzzerTestOneInput(buf, len);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, bad = 0, rounds = 20000;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (!strncmp(argv[i], "-random=", 8)) { /* targets whose every input is costly */
			rounds = atoi(argv[i] + 8);
			continue;
		}
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: no such corpus\n", argv[i]);
			bad++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			replay_file(argv[i]) == 0 ? files++ : bad++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "replay: %s: cannot be read\n", argv[i]);
			bad++;
			continue;
		}
		for (struct dirent *e; (e = readdir(d));) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			replay_file(path) == 0 ? files++ : bad++;
		}
		closedir(d);
	}
	/* Deterministic pseudo-random inputs on top of the corpus. */
	uint8_t buf[2048];
	uint32_t x = 2463534242u;
	for (int round = 0; round < rounds; round++) {
		size_t len = (size_t)(round % (int)sizeof(buf));
		for (size_t k = 0; k < len; k++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			buf[k] = (uint8_t)x;
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("replayed %d corpus files and %d random inputs\n", files, rounds);
	return files > 0 && bad == 0 ? 0 : 1;
}
