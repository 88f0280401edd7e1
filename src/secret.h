/* Secrets the user hands ttymeet (room pin, TURN credentials): read from a private file, and
 * wiped from our memory when no longer needed. Main thread (reading) or any thread (wiping). */
#ifndef TTM_SRC_SECRET_H
#define TTM_SRC_SECRET_H

#include <stddef.h>

#define SECRET_FILE_MAX 4096 /* bytes of a secret file */

/* Reads the file at path into out (NUL-terminated; one trailing "\n" or "\r\n" removed) and
 * its length into *len. Refused, like ssh refuses a private key others can read: a file that
 * group or others may read or write (-EACCES), one owned by another user than us or root
 * (-EPERM), anything but a regular file (-ENOTSUP), over SECRET_FILE_MAX or outlen - 1 bytes
 * (-EFBIG), empty (-ENODATA), holding a NUL byte (-EILSEQ); or -errno of open/read. err gets
 * one line naming the file and what to do. Nothing of a refused file stays in out. */
int secret_read_file(const char *path, char *out, size_t outlen, size_t *len, char *err,
		     size_t errlen);
/* Wipes and frees a NUL-terminated heap string (NULL is fine). */
void secret_free(char *s);

#endif
