/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's own diagnostics (stderr or syslog), not the audit log. */
#ifndef PALISADE_AGENT_LOG_H
#define PALISADE_AGENT_LOG_H

#include <stdbool.h>

enum pal_log_level {
	PAL_LOG_ERR = 3,
	PAL_LOG_WARN = 4,
	PAL_LOG_INFO = 6,
	PAL_LOG_DEBUG = 7,
};

/* verbose: also debug messages, and libbpf's own output. */
void pal_log_setup(bool verbose, bool use_syslog);
void pal_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Log "MESSAGE: strerror(-err)" at error level and return err (negative). */
int pal_log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
