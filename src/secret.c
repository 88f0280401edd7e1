/* Secret files and wiping; see secret.h. The checks are made on the opened descriptor. */
#include "src/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int secret_read_file(const char *path, char *out, size_t outlen, size_t *len, char *err,
		     size_t errlen)
{
	char buf[SECRET_FILE_MAX + 1];
	struct stat st;
	size_t n = 0;
	int rc = 0;

	if (!path || !out || outlen == 0)
		return -EFAULT;
	out[0] = '\0';
	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%.200s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%.200s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -ENOTSUP;
		snprintf(err, errlen, "%.200s: not a regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		rc = -EPERM;
		snprintf(err, errlen, "%.200s belongs to another user: refused, it is not your secret",
			 path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = -EACCES;
		snprintf(err, errlen, "%.200s is accessible by others (mode %04o): refused; make it "
			 "private with chmod 600 %.200s", path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			snprintf(err, errlen, "%.200s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == sizeof(buf))
			break;
	}
	if (n > SECRET_FILE_MAX) {
		rc = -EFBIG;
		snprintf(err, errlen, "%.200s: over %d bytes, not a secret of ttymeet's", path,
			 SECRET_FILE_MAX);
		goto out;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n == 0) {
		rc = -ENODATA;
		snprintf(err, errlen, "%.200s is empty", path);
		goto out;
	}
	if (memchr(buf, '\0', n)) {
		rc = -EILSEQ;
		snprintf(err, errlen, "%.200s holds a NUL byte: not a text secret", path);
		goto out;
	}
	if (n >= outlen) {
		rc = -EFBIG;
		snprintf(err, errlen, "%.200s: over %zu bytes", path, outlen - 1);
		goto out;
	}
	memcpy(out, buf, n);
	out[n] = '\0';
	*len = n;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

void secret_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
