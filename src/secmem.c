/* Locked and wiped memory for chat text (see secmem.h). */
#include "src/secmem.h"
#include "net/lockpool.h"

#include <alloca.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);
	return p > 0 ? (size_t)p : 4096;
}

size_t secmem_locked_size(size_t n)
{
	size_t pg = page_size();
	/* sodium_malloc locks the user region and its 16-byte canary, in whole pages */
	return (n + 16 + pg - 1) / pg * pg;
}

/* mlock(2) and munlock(2) by system call: sanitizer runtimes replace the libc functions by
 * no-ops that report success, which would make every check below say "locked". */
static int sys_mlock(void *p, size_t len)
{
	return syscall(SYS_mlock, p, len) == 0 ? 0 : -errno;
}

int secmem_lock(void *p, size_t len)
{
	if (!p || !len)
		return -EINVAL;
	(void)madvise((void *)((uintptr_t)p & ~(uintptr_t)(page_size() - 1)),
		      len + ((uintptr_t)p & (page_size() - 1)), MADV_DONTDUMP);
	return sys_mlock(p, len);
}

/* VmLck of this process in bytes, or 0 when /proc cannot tell. */
static unsigned long long locked_now(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

int secmem_lock_probe(size_t need, struct secmem_lock_info *out)
{
	struct rlimit rl;
	size_t pg = page_size();

	memset(out, 0, sizeof(*out));
	out->need = need;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0)
		return -errno;
	if (rl.rlim_cur == RLIM_INFINITY) {
		out->ok = out->unlimited = true;
		return 0;
	}
	out->limit = rl.rlim_cur;
	unsigned long long have = locked_now();
	if (have + need <= rl.rlim_cur) {
		out->ok = true;
		return 0;
	}
	/* Over the limit: it still does not apply with CAP_IPC_LOCK (root). Lock just past it
	 * (or need, if smaller) to see; the kernel refuses before touching a page when it
	 * applies. */
	unsigned long long room = rl.rlim_cur > have ? rl.rlim_cur - have : 0;
	size_t probe = room + pg < need ? (size_t)(room + pg) : need;
	probe = (probe + pg - 1) / pg * pg;
	void *p = mmap(NULL, probe, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (sys_mlock(p, probe) == 0) {
		out->ok = out->unlimited = true;
		syscall(SYS_munlock, p, probe);
	}
	munmap(p, probe);
	return 0;
}

__attribute__((noinline)) int secmem_lock_stack(size_t bytes)
{
	size_t pg = page_size();
	uintptr_t top = (uintptr_t)__builtin_frame_address(0);
	char *below = alloca(bytes);
	explicit_bzero(below, bytes); /* faults the pages in: the stack mapping grows over them */
	uintptr_t lo = (uintptr_t)below & ~(uintptr_t)(pg - 1);
	uintptr_t hi = (top + pg - 1) & ~(uintptr_t)(pg - 1);
	return secmem_lock((void *)lo, hi - lo);
}

void secmem_json_setup(void)
{
	json_set_alloc_funcs(lockpool_alloc, lockpool_free);
}

void secmem_json_free(void *p)
{
	lockpool_free(p);
}
