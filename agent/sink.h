/* SPDX-License-Identifier: GPL-2.0-only */
/* Where audit records go: the JSON log (file or stdout), syslog, Linux audit. */
#ifndef PALISADE_AGENT_SINK_H
#define PALISADE_AGENT_SINK_H

#include <stdbool.h>
#include <stddef.h>

struct pal_sink_opts {
	const char *log_path; /* "-" for stdout, NULL for no JSON log */
	bool syslog;
	bool linux_audit;
};

struct pal_sink;

int pal_sink_open(struct pal_sink **out, const struct pal_sink_opts *opts);
/*
 * Queue one JSON record (no trailing newline); records are written in
 * batches (pal_sink_flush). A failed write (disk full) is counted and
 * reported once space returns; it never stops enforcement.
 */
void pal_sink_write(struct pal_sink *s, const char *json, size_t len, bool is_denial,
		    const char *summary);
/* Whether a sink uses pal_sink_write's summary (journald's MESSAGE, Linux audit). */
bool pal_sink_wants_summary(const struct pal_sink *s);
/* Write out buffered records (after each batch of events, and before exit). */
void pal_sink_flush(struct pal_sink *s);
/* Reopen the log file (logrotate). Returns 0 or -errno. */
int pal_sink_reopen(struct pal_sink *s);
/* Records that could not be written since the last call (and resets it). */
unsigned long long pal_sink_take_dropped(struct pal_sink *s);
void pal_sink_close(struct pal_sink *s);

#endif
