// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <libaudit.h>

#include "agent/journal.h"
#include "agent/log.h"
#include "agent/sink.h"

struct pal_sink {
	struct pal_sink_opts opts;
	int fd; /* JSON log, -1 if none */
	int audit_fd; /* Linux audit netlink socket, -1 if none */
	int journal_fd; /* journald's native socket, -1: syslog(3) instead */
	/* records not yet written: one write(2) per batch, not per record */
	char *buf;
	size_t len, cap;
	unsigned long long buffered; /* records in buf */
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
	s->journal_fd = -1;
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
	/* Under journald, records keep their fields; elsewhere syslog gets the line. */
	if (opts->syslog) {
		s->journal_fd = pal_journal_open(PAL_JOURNAL_SOCKET);
		if (s->journal_fd < 0)
			openlog("palisade", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	}
	*out = s;
	return 0;
}

#define SINK_BATCH (64 << 10) /* flush when this much is buffered */

/*
 * Write what is buffered. O_APPEND and whole lines only: records never
 * interleave with another writer's. A failed write (disk full) drops the
 * batch and counts its records; enforcement does not wait for the disk.
 */
void pal_sink_flush(struct pal_sink *s)
{
	size_t off = 0;

	while (s->fd >= 0 && off < s->len) {
		ssize_t n = write(s->fd, s->buf + off, s->len - off);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			/* count the records that did not make it (whole lines after off) */
			for (size_t i = off; i < s->len; i++)
				s->dropped += s->buf[i] == '\n';
			break;
		}
		off += n;
	}
	s->len = 0;
	s->buffered = 0;
}

static bool buffer_line(struct pal_sink *s, const char *json, size_t len)
{
	if (s->len + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : SINK_BATCH * 2;
		char *p;

		while (cap < s->len + len + 1)
			cap *= 2;
		p = realloc(s->buf, cap);
		if (!p)
			return false;
		s->buf = p;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, json, len);
	s->len += len;
	s->buf[s->len++] = '\n';
	s->buffered++;
	return true;
}

void pal_sink_write(struct pal_sink *s, const char *json, size_t len, bool is_denial,
		    const char *summary)
{
	if (s->fd >= 0) {
		if (!buffer_line(s, json, len))
			s->dropped++;
		else if (s->len >= SINK_BATCH)
			pal_sink_flush(s);
	}
	if (s->journal_fd >= 0) {
		if (pal_journal_send(s->journal_fd, json, len, summary,
				     is_denial ? LOG_WARNING : LOG_INFO))
			s->dropped++;
	} else if (s->opts.syslog) {
		syslog(is_denial ? LOG_WARNING : LOG_INFO, "%.*s", (int)len, json);
	}
	/* USER_AVC, like SELinux's and AppArmor's: ausearch -m USER_AVC finds it. */
	if (s->audit_fd >= 0 && summary &&
	    audit_log_user_avc_message(s->audit_fd, AUDIT_USER_AVC, summary, NULL, NULL, NULL,
				       -1) <= 0)
		s->dropped++;
}

bool pal_sink_wants_summary(const struct pal_sink *s)
{
	return s->journal_fd >= 0 || s->audit_fd >= 0;
}

int pal_sink_reopen(struct pal_sink *s)
{
	pal_sink_flush(s);
	if (!s->own_fd)
		return 0;
	close(s->fd);
	s->fd = -1;
	s->own_fd = false;
	return open_log(s);
}

unsigned long long pal_sink_take_dropped(struct pal_sink *s)
{
	pal_sink_flush(s);
	unsigned long long n = s->dropped;

	s->dropped = 0;
	return n;
}

void pal_sink_close(struct pal_sink *s)
{
	if (!s)
		return;
	pal_sink_flush(s);
	free(s->buf);
	if (s->own_fd)
		close(s->fd);
	if (s->journal_fd >= 0)
		close(s->journal_fd);
	else if (s->opts.syslog)
		closelog();
	if (s->audit_fd >= 0)
		audit_close(s->audit_fd);
	free(s);
}
