// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `socket:` rules for the families cgroup/sock_create never sees (it only
 * runs for AF_INET/AF_INET6): packet, netlink, unix, ... A policy's default
 * applies to socket creation only when it has `socket:` rules (the marker
 * key), as for inet sockets in bpf/net.bpf.c.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf/common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2
#define AF_INET6 10

/* key: struct pal_sock_key. value: struct pal_sock_rule (abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PAL_MAX_SOCK_KEYS);
	__type(key, struct pal_sock_key);
	__type(value, struct pal_sock_rule);
} pal_sock SEC(".maps");

struct sock_ctx {
	struct pal_verdict v;
	__u64 mask;
	__u32 gen;
	__u16 family, type, protocol;
};

/* The strongest rule of one policy over the 4 (type, protocol) wildcard keys. */
static __always_inline __u8 policy_action(struct sock_ctx *c, __u32 policy, __u32 *rule)
{
	struct pal_sock_key k = {.gen = c->gen, .policy = policy, .family = PAL_SOCK_MARKER};
	const struct pal_sock_rule *r, *marker;
	__u8 best = PAL_ACT_NONE;

	marker = bpf_map_lookup_elem(&pal_sock, &k);
	if (!marker)
		return PAL_ACT_NONE; /* no socket rules: this policy has no say */
	k.family = c->family;
	for (int i = 0; i < 4; i++) {
		k.type = (i & 1) ? PAL_SOCK_KEY_ANY : c->type;
		k.protocol = (i & 2) ? PAL_SOCK_KEY_ANY : c->protocol;
		r = bpf_map_lookup_elem(&pal_sock, &k);
		if (r && r->action > best) {
			best = r->action;
			*rule = r->rule;
		}
	}
	if (best == PAL_ACT_NONE) {
		best = marker->action; /* the policy's default */
		*rule = PAL_NO_RULE;
	}
	return best;
}

static long policy_step(__u32 policy, void *arg)
{
	struct sock_ctx *c = arg;
	const struct pal_policy *p;
	__u32 rule = PAL_NO_RULE;
	__u8 action;

	if (policy >= PAL_MAX_POLICIES)
		return 1;
	if (!(c->mask & (1ULL << policy)))
		return 0;
	p = pal_policy_of(c->gen, policy);
	if (!p)
		return 0;
	action = policy_action(c, policy, &rule);
	pal_verdict_merge(&c->v, p, policy, action, rule);
	return 0;
}

SEC("lsm/socket_create")
int BPF_PROG(palisade_socket_create, int family, int type, int protocol, int kern, int ret)
{
	struct sock_ctx c = {.v.rule = PAL_NO_RULE};
	const struct pal_gen_config *cfg;
	struct pal_event *e;

	if (ret)
		return ret;
	if (kern || family == AF_INET || family == AF_INET6)
		return 0; /* kernel sockets; inet: cgroup/sock_create decides */
	c.gen = pal_live_gen();
	cfg = pal_config_of(c.gen);
	if (!cfg || !cfg->net_policies)
		return 0;
	c.mask = pal_task_policies(c.gen, cfg) & cfg->net_policies;
	if (!c.mask)
		return 0;
	c.family = family;
	c.type = type & 0xf; /* without SOCK_NONBLOCK / SOCK_CLOEXEC */
	c.protocol = protocol;
	c.v.generation = cfg->generation;
	bpf_loop(cfg->npolicies < PAL_MAX_POLICIES ? cfg->npolicies : PAL_MAX_POLICIES, policy_step,
		 &c, 0);
	ret = c.v.action == PAL_ACT_DENY ? -EPERM : 0;
	e = pal_event_begin_obj(&c.v, PAL_EV_NET, PAL_OP_SOCKET, PAL_ACC_SOCKET, ret, 0,
				(__u32)protocol, (__u32)family | (__u32)c.type << 16);
	if (e) {
		e->net.family = family;
		e->net.type = c.type;
		e->net.protocol = protocol;
		pal_event_actor(e);
		bpf_ringbuf_submit(e, 0);
	}
	return ret; /* EPERM, as a cgroup denial would be */
}
