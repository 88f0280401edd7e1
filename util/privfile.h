/* Files ttymeet writes because the user named them (--record, --log): created private to
 * the user, never through a symbolic link, never someone else's file. --report gets the same
 * guarantees from a private temporary file renamed over the target (src/report.c).
 * Pure system calls, no state; any thread. */
#ifndef TTM_UTIL_PRIVFILE_H
#define TTM_UTIL_PRIVFILE_H

#define PRIVFILE_APPEND 1u /* keep what the file holds and write at its end (else truncate) */

/* Opens path for writing: created with mode 0600, or, if it exists, only when it is a regular
 * file owned by us, which is then set to 0600 (and emptied unless PRIVFILE_APPEND). A symbolic
 * link as the last component is refused (-ELOOP), as are a file of another user (-EPERM) and
 * anything but a regular file (-ENOTSUP). Returns a blocking, close-on-exec fd, or -errno. */
int privfile_open(const char *path, unsigned flags);
/* A phrase for privfile_open's errors ("it is a symbolic link (not followed)"), strerror else. */
const char *privfile_strerror(int code);

#endif
