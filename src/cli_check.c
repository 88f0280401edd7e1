/* Local checks of the files and devices the options name, made before the privacy notice so
 * that a typo is said at once, in plain words, and not after the user has read and accepted
 * the notice; see cli.h. Reads and stats only: nothing is created, written or changed. */
#include "src/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/wav.h"
#include "util/privfile.h"

#define PATH_SHOWN "%.200s"

/* The folder a path names its file in ("." without a slash). */
static void folder_of(const char *path, char *dir, size_t dirlen)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, dirlen, ".");
	else if (slash == path)
		snprintf(dir, dirlen, "/");
	else
		snprintf(dir, dirlen, "%.*s", (int)(slash - path), path);
}

/* err: why a file ttymeet would write (opt names the option) cannot be, from privfile_check's
 * codes; the folder is named when it is the folder that is wrong. */
static int say_output(const char *opt, const char *path, int rc, char *err, size_t errlen)
{
	char dir[256];
	folder_of(path, dir, sizeof(dir));
	switch (rc) {
	case -ENOENT:
		snprintf(err, errlen, "%s " PATH_SHOWN ": the folder " PATH_SHOWN " does not exist",
			 opt, path, dir);
		break;
	case -ENOTDIR:
		snprintf(err, errlen, "%s " PATH_SHOWN ": " PATH_SHOWN " is not a folder", opt, path,
			 dir);
		break;
	case -EACCES:
		snprintf(err, errlen, "%s " PATH_SHOWN ": no permission to write there", opt, path);
		break;
	case -ENOTSUP: {
		struct stat st;
		bool folder = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		snprintf(err, errlen, "%s " PATH_SHOWN ": %s", opt, path, folder ?
			 "it is a folder; give a file name" : privfile_strerror(rc));
		break;
	}
	default:
		snprintf(err, errlen, "%s " PATH_SHOWN ": %s", opt, path, privfile_strerror(rc));
	}
	return rc;
}

/* --report is written to a temporary file beside it and renamed over it (src/report.c): its
 * folder must take new files, and the name must not be a folder. */
static int check_report(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char dir[4096];
	if (!*path)
		return say_output("--report", path, -EINVAL, err, errlen);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return say_output("--report", path, -ENOTSUP, err, errlen);
	folder_of(path, dir, sizeof(dir));
	if (stat(dir, &st) < 0)
		return say_output("--report", path, -errno, err, errlen);
	if (!S_ISDIR(st.st_mode))
		return say_output("--report", path, -ENOTDIR, err, errlen);
	if (access(dir, W_OK | X_OK) < 0)
		return say_output("--report", path, -errno, err, errlen);
	return 0;
}

/* A file ttymeet reads: it exists, is no folder, and we may read it. */
static int check_input(const char *opt, const char *path, struct stat *st, char *err,
		       size_t errlen)
{
	int rc = 0;
	if (stat(path, st) < 0)
		rc = -errno;
	else if (S_ISDIR(st->st_mode))
		rc = -EISDIR;
	else if (access(path, R_OK) < 0)
		rc = -errno;
	if (rc == -ENOENT)
		snprintf(err, errlen, "%s " PATH_SHOWN ": there is no such file", opt, path);
	else if (rc == -EISDIR)
		snprintf(err, errlen, "%s " PATH_SHOWN ": it is a folder, not a file", opt, path);
	else if (rc == -EACCES)
		snprintf(err, errlen, "%s " PATH_SHOWN ": no permission to read it", opt, path);
	else if (rc < 0)
		snprintf(err, errlen, "%s " PATH_SHOWN ": %s", opt, path, strerror(-rc));
	return rc;
}

static int check_play(const char *path, char *err, size_t errlen)
{
	struct stat st;
	struct wav_reader *r = NULL;
	int rc = check_input("--play", path, &st, err, errlen);
	if (rc < 0 || !S_ISREG(st.st_mode)) /* a pipe is read once: leave it to the player */
		return rc;
	if ((rc = wav_reader_open(&r, path)) < 0) {
		snprintf(err, errlen, "--play " PATH_SHOWN ": %s", path, wav_strerror(rc));
		return rc == WAV_ENOTWAV || rc == WAV_EUNSUPP || rc == WAV_ECORRUPT ? -EILSEQ : rc;
	}
	wav_reader_destroy(r);
	return 0;
}

int cli_check_local(const struct cli_options *o, char *err, size_t errlen)
{
	struct stat st;
	int rc;

	if (o->play && (rc = check_play(o->play, err, errlen)) < 0)
		return rc;
	if (o->record && (rc = privfile_check(o->record)) < 0)
		return say_output("--record", o->record, rc, err, errlen);
	if (o->log && (rc = privfile_check(o->log)) < 0)
		return say_output("--log", o->log, rc, err, errlen);
	if (o->report && (rc = check_report(o->report, err, errlen)) < 0)
		return rc;
	if (o->script && (rc = check_input("--script", o->script, &st, err, errlen)) < 0)
		return rc;
	if (o->privacy_notice &&
	    (rc = check_input("--privacy-notice", o->privacy_notice, &st, err, errlen)) < 0)
		return rc;
	if (o->video_source && !strncmp(o->video_source, "v4l2:", 5)) {
		const char *dev = o->video_source + 5;
		if (stat(dev, &st) < 0 || !S_ISCHR(st.st_mode)) {
			snprintf(err, errlen, "--video-source: there is no camera at " PATH_SHOWN, dev);
			return -ENODEV;
		}
	}
	return 0;
}
