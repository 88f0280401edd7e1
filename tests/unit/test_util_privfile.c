/* Unit tests for util/privfile: a new file is 0600 whatever the umask; an existing file of
 * ours is made 0600 and emptied (or appended to); a symbolic link, a FIFO, a directory and a
 * file of another user are refused without touching them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/privfile.h"

struct dir {
	char path[64];
	char a[128], b[128];
};

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "/tmp/ttm-privfile-XXXXXX");
	if (!mkdtemp(d->path))
		return -1;
	snprintf(d->a, sizeof(d->a), "%s/a", d->path);
	snprintf(d->b, sizeof(d->b), "%s/b", d->path);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;
	unlink(d->a);
	unlink(d->b);
	rmdir(d->a);
	rmdir(d->path);
	free(d);
	return 0;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static off_t size_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void test_new_file_is_private(void **state)
{
	struct dir *d = *state;
	mode_t old = umask(0);
	int fd = privfile_open(d->a, 0);
	umask(old);
	assert_true(fd >= 0);
	assert_int_equal(mode_of(d->a), 0600);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

static void test_existing_file_made_private(void **state)
{
	struct dir *d = *state;
	write_file(d->a, "old text", 0644);
	int fd = privfile_open(d->a, 0);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_of(d->a), 0600);
	assert_int_equal(size_of(d->a), 0); /* truncated */

	write_file(d->a, "kept", 0664);
	fd = privfile_open(d->a, PRIVFILE_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "+", 1), 1);
	close(fd);
	assert_int_equal(mode_of(d->a), 0600);
	assert_int_equal(size_of(d->a), 5);
}

static void test_symlink_refused(void **state)
{
	struct dir *d = *state;
	write_file(d->b, "target", 0644);
	assert_int_equal(symlink(d->b, d->a), 0);
	assert_int_equal(privfile_open(d->a, 0), -ELOOP);
	assert_int_equal(privfile_open(d->a, PRIVFILE_APPEND), -ELOOP);
	assert_int_equal(size_of(d->b), 6); /* the target is untouched */
	assert_int_equal(mode_of(d->b), 0644);
	assert_string_equal(privfile_strerror(-ELOOP), "it is a symbolic link (not followed)");
	/* A dangling link is not followed into creating its target either. */
	unlink(d->b);
	assert_int_equal(privfile_open(d->a, 0), -ELOOP);
	assert_int_equal(access(d->b, F_OK), -1);
}

static void test_not_regular_refused(void **state)
{
	struct dir *d = *state;
	assert_int_equal(mkfifo(d->b, 0600), 0);
	assert_int_equal(privfile_open(d->b, 0), -ENOTSUP); /* returns, does not hang */
	assert_int_equal(mkdir(d->a, 0700), 0);
	assert_int_equal(privfile_open(d->a, 0), -EISDIR);
	assert_int_equal(privfile_open("", 0), -EINVAL);
}

static void test_other_users_file_refused(void **state)
{
	struct dir *d = *state;
	if (geteuid() != 0) {
		/* Only root can give a file to someone else; say so rather than pass silently. */
		print_message("not root: the other-owner case is not exercised\n");
		fail_msg("run as root (scripts/test.sh does) to test files of other users");
	}
	write_file(d->a, "theirs", 0666);
	assert_int_equal(chown(d->a, 65534, 65534), 0);
	assert_int_equal(privfile_open(d->a, 0), -EPERM);
	assert_int_equal(size_of(d->a), 6);
	assert_int_equal(mode_of(d->a), 0666);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file_is_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_file_made_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_regular_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_users_file_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
