/* SPDX-License-Identifier: GPL-2.0-only */
/* User side of the self-protection programs (bpf/guard.bpf.c). */
#ifndef PALISADE_AGENT_GUARD_H
#define PALISADE_AGENT_GUARD_H

#include <stdbool.h>

#include "bpf/maps.h"

struct pal_guard_prog;

/* Load and attach (or adopt from pin_dir) the guard programs; off until armed. */
int pal_guard_open(struct pal_guard_prog **out, const struct pal_maps *maps, const char *pin_dir);
/* Register the current process as the agent; flags: enum pal_guard_flags. */
int pal_guard_arm(struct pal_guard_prog *g, unsigned int flags);
/* keep: leave the guard armed and pinned (--keep-on-exit); else disarm and detach. */
void pal_guard_close(struct pal_guard_prog *g, bool keep);

#endif
