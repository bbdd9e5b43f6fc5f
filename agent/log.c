// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <bpf/libbpf.h>

#include "agent/log.h"

static bool log_verbose;
static bool log_syslog;

static void vlog(int level, const char *fmt, va_list ap)
{
	static const char *const names[8] = {[PAL_LOG_ERR] = "error",
					     [PAL_LOG_WARN] = "warning",
					     [PAL_LOG_INFO] = "info",
					     [PAL_LOG_DEBUG] = "debug"};

	if (level == PAL_LOG_DEBUG && !log_verbose)
		return;
	if (log_syslog) {
		vsyslog(level, fmt, ap);
		return;
	}
	fprintf(stderr, "palisade: %s: ", names[level & 7] ? names[level & 7] : "log");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pal_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

int pal_log_errno(int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pal_log(PAL_LOG_ERR, "%s: %s", msg, strerror(err < 0 ? -err : err));
	return err < 0 ? err : -err;
}

/*
 * libbpf's messages go through our logger: warnings always (they include the
 * verifier log of a refused program, which can be long), the rest with -v.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg = NULL;
	int n;

	if (level != LIBBPF_WARN && !log_verbose)
		return 0;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return 0;
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = 0;
	pal_log(level == LIBBPF_WARN ? PAL_LOG_WARN : PAL_LOG_DEBUG, "%s", msg);
	free(msg);
	return 0;
}

void pal_log_setup(bool verbose, bool use_syslog)
{
	log_verbose = verbose;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("palisade", LOG_PID, LOG_DAEMON);
	libbpf_set_print(libbpf_print);
}
