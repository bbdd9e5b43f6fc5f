/* SPDX-License-Identifier: GPL-2.0-only */
/* User side of the self-protection programs (bpf/guard.bpf.c). */
#ifndef PALISADE_AGENT_GUARD_H
#define PALISADE_AGENT_GUARD_H

#include <stdbool.h>

#include "bpf/maps.h"

struct pal_guard_prog;

/* Load and attach (or adopt from pin_dir) the guard programs; off until armed. */
int pal_guard_open(struct pal_guard_prog **out, const struct pal_maps *maps, const char *pin_dir);
/*
 * Make the current process the running agent instance: mark its task (and
 * the threads it creates from now on), record its cgroups under cg2_root
 * and the pin dir. flags: enum pal_guard_flags. Call before any thread.
 */
int pal_guard_arm(struct pal_guard_prog *g, unsigned int flags, const char *cg2_root);
/* Record every link of ours by id, once they all exist. */
void pal_guard_seal(struct pal_guard_prog *g);
/* keep: leave the guard armed and pinned (--keep-on-exit); else disarm and detach. */
void pal_guard_close(struct pal_guard_prog *g, bool keep);
/* oom_score_adj -1000: the OOM killer would stop the agent without asking task_kill. */
int pal_guard_oom_exempt(void);

#endif
