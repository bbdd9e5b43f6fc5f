/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Maps shared by every Palisade BPF object (LSM and cgroup programs). Each
 * object declares them; the agent creates them once (maps.bpf.c, pinned under
 * /sys/fs/bpf/palisade) and hands the same fds to every other object with
 * bpf_map__reuse_fd() before load. Keys and values are defined in abi.h.
 */
#ifndef PALISADE_BPF_MAPS_BPF_H
#define PALISADE_BPF_MAPS_BPF_H

#include "bpf/abi.h"

/* key: 0. value: __u32 live generation slot (0 or 1). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} pal_gen SEC(".maps");

/* key: generation slot. value: struct pal_gen_config of that slot. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PAL_GENS);
	__type(key, __u32);
	__type(value, struct pal_gen_config);
} pal_config SEC(".maps");

/* key: slot * PAL_MAX_POLICIES + policy index. value: struct pal_policy. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PAL_GENS * PAL_MAX_POLICIES);
	__type(key, __u32);
	__type(value, struct pal_policy);
} pal_policies SEC(".maps");

/* key: (slot, cgroup id). value: policies of that subtree, and of unclassified children. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PAL_MAX_CGROUP_KEYS);
	__type(key, struct pal_cgroup_key);
	__type(value, struct pal_cgroup_val);
} pal_cgroups SEC(".maps");

/* Deny and audit records (struct pal_event) for the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PAL_RINGBUF_BYTES);
} pal_events SEC(".maps");

/* key: enum pal_counter. value: per-CPU __u64 count. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PAL_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} pal_counters SEC(".maps");

/* key: (policy, rule, cgroup, type). value: its rate limit window. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PAL_RL_KEYS);
	__type(key, struct pal_rl_key);
	__type(value, struct pal_rl_state);
} pal_ratelimit SEC(".maps");

#endif /* PALISADE_BPF_MAPS_BPF_H */
