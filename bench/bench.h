/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the benchmark-only BPF programs (empty.bpf.c, pathstr.bpf.c) and their
 * loader (palbench_lsm.c) agree on. Nothing here is part of Palisade's ABI.
 */
#ifndef PALISADE_BENCH_BENCH_H
#define PALISADE_BENCH_BENCH_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * The path-string matcher keys its rules by the path as a fixed-size,
 * zero-padded string, as KubeArmor does (256 bytes there too). A longer
 * path is denied (fail closed), never truncated.
 */
#define PS_PATH_MAX 256
#define PS_MAX_RULES 262144

/* ps_rules value: what a rule on this exact string denies. */
enum ps_kind {
	PS_EXACT = 1, /* the path itself */
	PS_DIR = 2, /* the path and everything below it */
};

struct ps_key {
	char path[PS_PATH_MAX];
};
_Static_assert(sizeof(struct ps_key) == PS_PATH_MAX, "ps_key");

struct ps_rule {
	__u32 kind; /* enum ps_kind */
	__u32 deny; /* FMODE_READ / FMODE_WRITE bits that are denied */
};
_Static_assert(sizeof(struct ps_rule) == 8, "ps_rule");

/* One denial, as a path-string enforcer would report it. */
struct ps_event {
	__u64 time_ns;
	__u32 tgid;
	__u32 pad0;
	char comm[16];
	char path[PS_PATH_MAX];
};
_Static_assert(sizeof(struct ps_event) == 16 + 16 + PS_PATH_MAX, "ps_event");

/* The rate limit of denial events, Palisade's (PAL_RL_BURST, PAL_RL_WINDOW_NS). */
#define PS_RL_BURST 256
#define PS_RL_WINDOW_NS 1000000000ULL

/* ps_ratelimit key: whose denials of which file share one window. */
struct ps_rl_key {
	__u64 cgroup_id;
	__u64 ino;
	__u32 dev;
	__u32 pad0;
};
_Static_assert(sizeof(struct ps_rl_key) == 24, "ps_rl_key");

struct ps_rl_state {
	__u64 window_start_ns;
	__u32 count; /* events of this window, emitted or not */
	__u32 pad0;
};
_Static_assert(sizeof(struct ps_rl_state) == 16, "ps_rl_state");

/* ps_counters keys */
enum ps_counter {
	PS_CNT_DENIED = 0,
	PS_CNT_LOST, /* ring buffer full */
	PS_CNT_SUPPRESSED, /* over the rate limit: counted, no event */
	PS_CNT_MAX,
};

#endif /* PALISADE_BENCH_BENCH_H */
