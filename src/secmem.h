/* Memory that may hold chat text: locking it (checked, never assumed) and wiping what is freed.
 *
 * libsodium's sodium_malloc() tries to mlock() its pages and says nothing when that fails
 * (RLIMIT_MEMLOCK too small: containers, big fleets). secmem_lock() locks a region again and
 * reports the result, so a chat store knows whether it is really locked; secmem_lock_probe()
 * predicts, before anything is allocated, whether a given number of bytes can be locked (for
 * the privacy notice). secmem_json_setup() gives jansson the locked, wiping pool of
 * net/lockpool.h, so the JSON objects and strings a chat message passes through are locked
 * while they live and overwritten when freed (one sodium_malloc per small object would cost
 * guard pages each; the pool carves small blocks from locked chunks).
 * Thread-safe; secmem_json_setup is process-wide (main, once, before any JSON is made).
 */
#ifndef TTM_SRC_SECMEM_H
#define TTM_SRC_SECMEM_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of locked memory one sodium_malloc(n) asks for (whole pages, canary included). */
size_t secmem_locked_size(size_t n);

/* Locks [p, p+len) (again) and says whether that worked: 0 or -errno (-ENOMEM, -EPERM, -EAGAIN
 * when RLIMIT_MEMLOCK does not allow it). Also excludes the pages from core dumps. Uses the
 * system call itself, so that a sanitizer's no-op mlock() cannot pretend success. */
int secmem_lock(void *p, size_t len);

struct secmem_lock_info {
	bool ok;                  /* need bytes can be locked */
	bool unlimited;           /* no limit applies (RLIM_INFINITY or CAP_IPC_LOCK) */
	unsigned long long limit; /* RLIMIT_MEMLOCK soft limit, bytes (when !unlimited) */
	unsigned long long need;  /* bytes asked about */
};

/* Whether need more bytes can be locked now, given RLIMIT_MEMLOCK and what this process has
 * locked already (VmLck); a limit that is not enforced (CAP_IPC_LOCK) is found by locking one
 * page past it. Returns 0, or -errno when it cannot tell (then out->ok is false). */
int secmem_lock_probe(size_t need, struct secmem_lock_info *out);

/* Bytes of the main thread's stack secmem_lock_stack locks: far more than the deepest chain of
 * calls a message passes through (a packet through OpenSSL, usrsctp, the data channel, jansson
 * and the session to the screen or the headless line). */
#define SECMEM_STACK_BYTES (256 * 1024)

/* Locks the bytes of this thread's stack below the caller's frame (where every later, deeper
 * call's locals live: the short-lived copies of a message while it is parsed, drawn or
 * written), faulting them in first. Call early from main, before anything else is locked: if
 * it fails, RLIMIT_MEMLOCK is below bytes and the chat store, which is bigger, fails too and
 * is reported. Returns 0 or -errno. Main thread, once. */
int secmem_lock_stack(size_t bytes);

/* jansson's allocator becomes the locked pool (lockpool_alloc / lockpool_free). From then on
 * json_dumps' result must be given to secmem_json_free(), never to free(). */
void secmem_json_setup(void);
/* Frees (overwriting it first) what jansson returned, json_dumps' text in particular: pool
 * memory, or heap memory when secmem_json_setup was not called (unit tests). NULL is fine. */
void secmem_json_free(void *p);

#endif
