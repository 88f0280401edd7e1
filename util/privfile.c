/* Private output files; see privfile.h. The checks run on the opened descriptor (fstat), so
 * nothing can be swapped between a check and the write. */
#include "util/privfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int privfile_open(const char *path, unsigned flags)
{
	struct stat st;
	int rc, fd;

	if (!path || !*path)
		return -EINVAL;
	/* O_NONBLOCK: a FIFO at the path must not hang the open (it is refused below). */
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
				(flags & PRIVFILE_APPEND ? O_APPEND : 0), 0600);
	if (fd < 0)
		return errno == ENXIO ? -ENOTSUP : -errno; /* ENXIO: a FIFO nobody reads */
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -ENOTSUP;
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		rc = -EPERM;
		goto fail;
	}
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0) {
		rc = -errno;
		goto fail;
	}
	if (!(flags & PRIVFILE_APPEND) && st.st_size > 0 && ftruncate(fd, 0) < 0) {
		rc = -errno;
		goto fail;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		rc = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return rc;
}

int privfile_check(const char *path)
{
	struct stat st;
	char dir[4096];

	if (!path || !*path || strlen(path) >= sizeof(dir))
		return -EINVAL;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return -ELOOP;
		if (!S_ISREG(st.st_mode))
			return -ENOTSUP;
		if (st.st_uid != geteuid())
			return -EPERM;
		return access(path, W_OK) < 0 ? -errno : 0;
	}
	if (errno != ENOENT)
		return -errno;
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return access(dir, W_OK | X_OK) < 0 ? -errno : 0;
}

const char *privfile_strerror(int code)
{
	switch (code) {
	case -ELOOP:
		return "it is a symbolic link (not followed)";
	case -EPERM:
		return "it belongs to another user";
	case -ENOTSUP:
		return "it is not a regular file";
	default:
		return strerror(code < 0 ? -code : code);
	}
}
