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
/* Whether privfile_open(path) would be refused, changing nothing on disk (it creates no file):
 * an existing path is checked as privfile_open checks it (-ELOOP, -EPERM, -ENOTSUP, or
 * -EACCES when we may not write it); a missing one needs a folder we may create files in
 * (-ENOENT: the folder does not exist, -ENOTDIR: it is not a folder, -EACCES). Returns 0 or
 * -errno. Advisory: the later open still makes every check itself. */
int privfile_check(const char *path);
/* A phrase for privfile_open's errors ("it is a symbolic link (not followed)"), strerror else. */
const char *privfile_strerror(int code);

#endif
