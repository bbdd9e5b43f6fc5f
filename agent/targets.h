/* SPDX-License-Identifier: GPL-2.0-only */
/* Policy targets: which cgroups each policy applies to (the pal_cgroups map). */
#ifndef PALISADE_AGENT_TARGETS_H
#define PALISADE_AGENT_TARGETS_H

#include "agent/reload.h"

/* Write pal_cgroups entries of slot for every cgroup a policy targets. */
int pal_targets_write(struct pal_enforcer *en, const struct pal_policy_set *set, __u32 slot,
		      __u32 *nkeys);
/* Delete every pal_cgroups entry of slot. */
int pal_targets_clear(struct pal_enforcer *en, __u32 slot);

#endif
