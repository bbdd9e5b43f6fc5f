/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Policy reload: compile, write the whole new generation into the idle slot,
 * flip the live slot (one store), then delete the old generation. A failure
 * before the flip leaves the old generation live and untouched.
 */
#ifndef PALISADE_AGENT_RELOAD_H
#define PALISADE_AGENT_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/maps.h"
#include "policies/policy.h"

struct pal_file;
struct pal_cgroup;
struct pal_socket;

struct pal_enforcer {
	struct pal_maps maps;
	struct pal_file *file; /* LSM programs; NULL where BPF LSM is unavailable */
	struct pal_cgroup *cg; /* cgroup programs; NULL until opened */
	struct pal_socket *sock; /* LSM socket_create (non-inet families); NULL without LSM */
	char cg2_root[256]; /* cgroup2 mount, for resolving targets */
	__u32 live_slot;
	__u64 generation; /* of the live slot */
	__u64 seed; /* path hash secret, shared by both slots */
	/* pal_cgroups slots an earlier agent may have left entries in (adopted maps) */
	bool stale_cgroups[PAL_GENS];
	/* The live set and the one before it: events in flight name either. */
	struct pal_policy_set *live;
	struct pal_policy_set *prev;
	__u64 prev_generation;
};

/* What a successful reload changed, for the `policy` log record. */
struct pal_reload_report {
	__u64 generation;
	size_t file_keys;
	size_t cgroup_keys;
	double ms; /* compile to flip */
	char why[768]; /* a failed compile: which bound, where (pal_file_emit.why), or "" */
};

/* Read the live slot, generation and seed from (possibly adopted) maps. */
int pal_enforcer_sync(struct pal_enforcer *en);
/*
 * Compile paths and make them the live policy. On -EINVAL the diagnostics
 * were printed through diag (FILE:LINE:COL); the old generation stays live.
 */
int pal_reload(struct pal_enforcer *en, const char *const *paths, size_t npaths,
	       const struct pal_load_opts *opts, struct pal_reload_report *rep);
/* The set that decided events of a generation (live or previous), or NULL. */
const struct pal_policy_set *pal_enforcer_set_of(const struct pal_enforcer *en, __u64 generation);

#endif
