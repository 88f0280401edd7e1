/* stderr capture for the TUI (see diag.h). Data flow: writer → fd 2 (pipe) → on_readable()
 * splits lines → log file (timestamped) and, for "ttymeet: " lines, the callback and the
 * replay ring. */
#include "ui/diag.h"
#include "net/loop.h"
#include "util/privfile.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DIAG_LINE_MAX 1024
#define OWN_PREFIX "ttymeet: "

struct diag {
	int rfd, saved_fd, log_fd;
	GSource *src;
	diag_line_cb cb;
	void *user;
	char line[DIAG_LINE_MAX + 1];
	size_t len;
	char kept[DIAG_KEEP][320];
	unsigned nkept, next;
};

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void emit_line(struct diag *d)
{
	d->line[d->len] = '\0';
	if (d->log_fd >= 0) {
		char stamp[40];
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		size_t n = strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S ", &tm);
		write_all(d->log_fd, stamp, n);
		write_all(d->log_fd, d->line, d->len);
		write_all(d->log_fd, "\n", 1);
	}
	if (!strncmp(d->line, OWN_PREFIX, strlen(OWN_PREFIX))) {
		snprintf(d->kept[d->next], sizeof(d->kept[0]), "%.300s", d->line);
		d->next = (d->next + 1) % DIAG_KEEP;
		if (d->nkept < DIAG_KEEP)
			d->nkept++;
		if (d->cb)
			d->cb(d->user, d->line);
	}
	d->len = 0;
}

static void drain(struct diag *d)
{
	char buf[4096];
	for (;;) {
		ssize_t n = read(d->rfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				emit_line(d);
				continue;
			}
			d->line[d->len++] = buf[i];
			if (d->len == DIAG_LINE_MAX)
				emit_line(d);
		}
	}
}

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	(void)cond;
	drain(data);
	return G_SOURCE_CONTINUE;
}

int diag_start(GMainContext *ctx, const char *log_path, diag_line_cb cb, void *user,
	       struct diag **out, char *err, size_t errlen)
{
	int p[2] = { -1, -1 }, rc;
	struct diag *d = g_new0(struct diag, 1);
	d->rfd = d->saved_fd = d->log_fd = -1;
	d->cb = cb;
	d->user = user;
	if (log_path) {
		d->log_fd = privfile_open(log_path, PRIVFILE_APPEND);
		if (d->log_fd < 0) {
			rc = d->log_fd;
			snprintf(err, errlen, "cannot open the log file %.200s: %s", log_path,
				 privfile_strerror(rc));
			goto fail;
		}
	}
	if (pipe2(p, O_CLOEXEC) < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(p[1], F_SETFL, O_NONBLOCK) < 0 ||
	    (d->saved_fd = fcntl(2, F_DUPFD_CLOEXEC, 3)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot redirect diagnostics: %s", strerror(errno));
		goto fail;
	}
	fflush(stderr);
	if (dup2(p[1], 2) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot redirect diagnostics: %s", strerror(errno));
		goto fail;
	}
	close(p[1]);
	d->rfd = p[0];
	d->src = g_unix_fd_source_new(d->rfd, G_IO_IN);
	g_source_set_callback(d->src, G_SOURCE_FUNC(on_readable), d, NULL);
	g_source_attach(d->src, ctx);
	*out = d;
	return 0;
fail:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	if (d->saved_fd >= 0)
		close(d->saved_fd);
	if (d->log_fd >= 0)
		close(d->log_fd);
	g_free(d);
	return rc;
}

void diag_stop(struct diag *d, bool replay)
{
	if (!d)
		return;
	fflush(stderr);
	drain(d);
	if (d->len)
		emit_line(d);
	loop_source_drop(&d->src);
	dup2(d->saved_fd, 2);
	close(d->saved_fd);
	close(d->rfd);
	if (replay) {
		unsigned first = (d->next + DIAG_KEEP - d->nkept) % DIAG_KEEP;
		for (unsigned i = 0; i < d->nkept; i++) {
			const char *l = d->kept[(first + i) % DIAG_KEEP];
			write_all(2, l, strlen(l));
			write_all(2, "\n", 1);
		}
	}
	if (d->log_fd >= 0)
		close(d->log_fd);
	g_free(d);
}
