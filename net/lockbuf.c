/* Locked, wiped buffers (see lockbuf.h). */
#include "net/lockbuf.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

void *lockbuf_alloc(size_t len, bool *locked)
{
	void *p;

	if (locked)
		*locked = false;
	if (len == 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, len, MADV_DONTDUMP);
	/* The system call itself: a sanitizer's mlock() is a no-op that reports success. */
	if (syscall(SYS_mlock, p, len) == 0 && locked)
		*locked = true;
	return p;
}

void lockbuf_free(void *p, size_t len)
{
	if (!p)
		return;
	explicit_bzero(p, len);
	(void)syscall(SYS_munlock, p, len);
	(void)munmap(p, len);
}
