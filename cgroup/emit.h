/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emitters of the network and device rule maps (policies/emit_net.c and
 * policies/emit_dev.c): policy IR in, map entries out. No kernel access.
 */
#ifndef PALISADE_CGROUP_EMIT_H
#define PALISADE_CGROUP_EMIT_H

#include <stddef.h>

#include "bpf/dev.h"
#include "bpf/net.h"
#include "policies/policy.h"

struct pal_net_cidr_entry {
	struct pal_net_cidr_key key;
	struct pal_net_verdict val;
};

struct pal_net_port_entry {
	struct pal_net_port_key key;
	struct pal_net_rule val;
};

struct pal_net_sock_entry {
	struct pal_net_sock_key key;
	struct pal_net_rule val;
};

struct pal_net_emit {
	struct pal_net_cidr_entry *cidrs;
	size_t ncidrs;
	struct pal_net_port_entry *ports;
	size_t nports;
	struct pal_net_sock_entry *socks;
	size_t nsocks;
	__u32 ntables; /* port tables (ids 1..ntables) */
	__u32 ops[PAL_MAX_POLICIES]; /* pal_net_ops values: operations with rules, per policy */
};

/*
 * Emit the pal_net_cidr, pal_net_port and pal_net_sock entries of set for
 * generation slot gen. CIDR keys are closed under prefix cover (the entry of
 * a prefix carries the rules of every shorter prefix that covers it) and
 * port tables are split into disjoint aligned blocks, so one longest-prefix
 * lookup per trie yields the complete verdict. O(n log n) in the rules.
 * Returns 0, -E2BIG when a map would exceed its PAL_NET_MAX_* / PAL_GENS
 * share (the counts are left in *out), -EINVAL on malformed IR, -ENOMEM.
 */
int pal_emit_net(const struct pal_policy_set *set, __u32 gen, struct pal_net_emit *out);
void pal_net_emit_free(struct pal_net_emit *out);

struct pal_dev_entry {
	struct pal_dev_key key;
	struct pal_dev_rule val;
};

struct pal_dev_emit {
	struct pal_dev_entry *entries;
	size_t nentries;
};

/* Emit the pal_dev_rules entries of set for slot gen; same return values. */
int pal_emit_dev(const struct pal_policy_set *set, __u32 gen, struct pal_dev_emit *out);
void pal_dev_emit_free(struct pal_dev_emit *out);

#endif /* PALISADE_CGROUP_EMIT_H */
