// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/uio.h>
#include <libaudit.h>

#include "agent/log.h"
#include "agent/sink.h"

struct pal_sink {
	struct pal_sink_opts opts;
	int fd; /* JSON log, -1 if none */
	int audit_fd; /* Linux audit netlink socket, -1 if none */
	bool own_fd;
	unsigned long long dropped; /* records lost to write errors (disk full) */
};

static int open_log(struct pal_sink *s)
{
	if (!s->opts.log_path)
		return 0;
	if (!strcmp(s->opts.log_path, "-")) {
		s->fd = STDOUT_FILENO;
		return 0;
	}
	s->fd = open(s->opts.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (s->fd < 0)
		return pal_log_errno(-errno, "log: cannot open '%s'", s->opts.log_path);
	s->own_fd = true;
	return 0;
}

int pal_sink_open(struct pal_sink **out, const struct pal_sink_opts *opts)
{
	struct pal_sink *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->opts = *opts;
	s->fd = -1;
	s->audit_fd = -1;
	err = open_log(s);
	if (!err && opts->linux_audit) {
		s->audit_fd = audit_open();
		if (s->audit_fd < 0)
			err = pal_log_errno(-errno, "log: --linux-audit: cannot open the audit "
						    "netlink socket (CAP_AUDIT_WRITE?)");
	}
	if (err) {
		free(s);
		return err;
	}
	if (opts->syslog)
		openlog("palisade", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	*out = s;
	return 0;
}

/* One write(2) per record with O_APPEND: lines never interleave. */
static bool write_line(int fd, const char *json, size_t len)
{
	struct iovec iov[2] = {{(void *)json, len}, {"\n", 1}};
	ssize_t n = writev(fd, iov, 2);

	return n == (ssize_t)len + 1;
}

void pal_sink_write(struct pal_sink *s, const char *json, size_t len, bool is_denial,
		    const char *summary)
{
	if (s->fd >= 0 && !write_line(s->fd, json, len))
		s->dropped++;
	if (s->opts.syslog)
		syslog(is_denial ? LOG_WARNING : LOG_INFO, "%.*s", (int)len, json);
	/* USER_AVC, like SELinux's and AppArmor's: ausearch -m USER_AVC finds it. */
	if (s->audit_fd >= 0 && summary &&
	    audit_log_user_avc_message(s->audit_fd, AUDIT_USER_AVC, summary, NULL, NULL, NULL,
				       -1) <= 0)
		s->dropped++;
}

int pal_sink_reopen(struct pal_sink *s)
{
	if (!s->own_fd)
		return 0;
	close(s->fd);
	s->fd = -1;
	s->own_fd = false;
	return open_log(s);
}

unsigned long long pal_sink_take_dropped(struct pal_sink *s)
{
	unsigned long long n = s->dropped;

	s->dropped = 0;
	return n;
}

void pal_sink_close(struct pal_sink *s)
{
	if (!s)
		return;
	if (s->own_fd)
		close(s->fd);
	if (s->opts.syslog)
		closelog();
	if (s->audit_fd >= 0)
		audit_close(s->audit_fd);
	free(s);
}
