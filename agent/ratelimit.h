/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the in-kernel rate limit suppressed, per key (bpf/abi.h, pal_rl_key):
 * the agent remembers each key's `suppressed` value and reports the growth.
 */
#ifndef PALISADE_AGENT_RATELIMIT_H
#define PALISADE_AGENT_RATELIMIT_H

#include "bpf/abi.h"

struct pal_rl_seen;

/* Called once per key that suppressed n events since the last scan. */
typedef void (*pal_rl_emit_fn)(void *ctx, const struct pal_rl_key *k, unsigned long long n);

int pal_rl_seen_new(struct pal_rl_seen **out);
void pal_rl_seen_free(struct pal_rl_seen *s);
/*
 * Read every key of the rate-limit map (fd) and call emit (may be NULL: a
 * baseline) for each one whose count grew. Returns the sum reported, or a
 * negative errno.
 */
long long pal_rl_scan(struct pal_rl_seen *s, int fd, pal_rl_emit_fn emit, void *ctx);

#endif
