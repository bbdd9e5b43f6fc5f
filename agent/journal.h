/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Audit records to journald as structured entries, through the journal's
 * native datagram protocol (no libsystemd: the VM binary is fully static).
 * Every top-level field of the JSON record becomes PALISADE_<KEY>=, so
 * `journalctl PALISADE_POLICY=web PALISADE_ACTION=deny` selects records.
 */
#ifndef PALISADE_AGENT_JOURNAL_H
#define PALISADE_AGENT_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#define PAL_JOURNAL_SOCKET "/run/systemd/journal/socket"
#define PAL_JOURNAL_MAX (48u << 10) /* one entry; longer records are cut to MESSAGE only */

/* A connected socket to the journal, or a negative errno (no journald). */
int pal_journal_open(const char *path);
/*
 * Send one record: the JSON object json (len bytes), MESSAGE=message,
 * PRIORITY=priority (syslog level). Returns 0 or a negative errno.
 */
int pal_journal_send(int fd, const char *json, size_t len, const char *message, int priority);

#endif
