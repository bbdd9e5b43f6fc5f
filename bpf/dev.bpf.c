// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Device policy on the cgroup v2 device hook: char/block, major, minor (or
 * '*'), read/write/mknod. Same decision plumbing as every Palisade hook.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf/common.bpf.h"
#include "bpf/dev.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PAL_CG_ALLOW 1
#define PAL_CG_DENY 0 /* EPERM */

/* uapi bpf.h values; vmlinux.h lacks them (no kernel type uses the enums) */
#define BPF_DEVCG_ACC_MKNOD (1u << 0)
#define BPF_DEVCG_ACC_READ (1u << 1)
#define BPF_DEVCG_ACC_WRITE (1u << 2)
#define BPF_DEVCG_DEV_BLOCK 1

/*
 * key: (slot, policy, major | ANY, minor | ANY, type). value: struct
 * pal_dev_rule, per access bit the strongest action of the rules with that key.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PAL_DEV_MIN_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pal_dev_key);
	__type(value, struct pal_dev_rule);
} pal_dev_rules SEC(".maps");

/* BPF_DEVCG_ACC_* (mknod 1, read 2, write 4) to enum pal_dev_access. */
static __always_inline __u32 dev_access(__u32 acc)
{
	__u32 bits = 0;

	if (acc & BPF_DEVCG_ACC_READ)
		bits |= PAL_ACC_DEV_READ;
	if (acc & BPF_DEVCG_ACC_WRITE)
		bits |= PAL_ACC_DEV_WRITE;
	if (acc & BPF_DEVCG_ACC_MKNOD)
		bits |= PAL_ACC_DEV_MKNOD;
	return bits;
}

/* Strongest (action, rule) of one access bit across the looked-up keys. */
static __always_inline void dev_bit(const struct pal_dev_rule *r, int bit, __u8 *action,
				    __u32 *rule)
{
	if (!r)
		return;
	if (r->action[bit] > *action || (r->action[bit] == *action && r->rule[bit] < *rule)) {
		*action = r->action[bit];
		*rule = r->rule[bit];
	}
}

/*
 * One policy's verdict, (action << 32 | rule): per requested access bit its
 * strongest rule (exact key and the three wildcard keys), else the policy
 * default def; the strongest bit wins. A global function, so the verifier
 * checks it once rather than in every iteration of the 64-policy loop.
 */
__noinline __u64 pal_dev_eval(struct pal_dev_key *req, __u32 acc, __u32 def)
{
	const struct pal_dev_rule *r0, *r1, *r2, *r3;
	__u8 best = PAL_ACT_NONE;
	__u32 best_rule = PAL_NO_RULE;
	struct pal_dev_key k;

	if (!req)
		return (__u64)PAL_ACT_NONE << 32 | PAL_NO_RULE;
	/* 6.1 verifiers take only stack (not argument memory) as a map key: copy */
	__builtin_memcpy(&k, req, sizeof(k));
	r0 = bpf_map_lookup_elem(&pal_dev_rules, &k);
	k.minor = PAL_DEV_KEY_ANY;
	r1 = bpf_map_lookup_elem(&pal_dev_rules, &k);
	k.major = PAL_DEV_KEY_ANY;
	r2 = bpf_map_lookup_elem(&pal_dev_rules, &k);
	k.minor = req->minor;
	r3 = bpf_map_lookup_elem(&pal_dev_rules, &k);
	for (int bit = 0; bit < PAL_DEV_ACC_BITS; bit++) {
		__u8 action = PAL_ACT_NONE;
		__u32 rule = PAL_NO_RULE;

		if (!(acc & (1u << bit)))
			continue;
		dev_bit(r0, bit, &action, &rule);
		dev_bit(r1, bit, &action, &rule);
		dev_bit(r2, bit, &action, &rule);
		dev_bit(r3, bit, &action, &rule);
		if (action == PAL_ACT_NONE)
			action = def;
		if (action > best) {
			best = action;
			best_rule = rule;
		}
	}
	return (__u64)best << 32 | best_rule;
}

/* State of the policy loop (bpf_loop callback context). */
struct dev_loop {
	struct pal_dev_key k;
	struct pal_verdict v;
	__u64 mask;
	__u32 gen;
	__u32 acc;
};

/* One policy; bpf_loop so the verifier checks the body once (see net.bpf.c). */
static long dev_policy(__u32 i, void *data)
{
	struct dev_loop *l = data;
	const struct pal_policy *p;
	__u64 res;

	if (i >= PAL_MAX_POLICIES || !(l->mask >> i))
		return 1;
	if (!((l->mask >> i) & 1))
		return 0;
	p = pal_policy_of(l->gen, i);
	/* NONE: the policy has no device rules, so no say here */
	if (!p || p->defaults[PAL_CLASS_DEV] == PAL_ACT_NONE)
		return 0;
	l->k.policy = i;
	res = pal_dev_eval(&l->k, l->acc, p->defaults[PAL_CLASS_DEV]);
	pal_verdict_merge(&l->v, p, i, res >> 32, (__u32)res);
	return 0;
}

SEC("cgroup/dev")
int palisade_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	__u32 gen = pal_live_gen();
	const struct pal_gen_config *cfg = pal_config_of(gen);
	__u32 type = ctx->access_type & 0xffff;
	struct dev_loop l = {
		.k = {.major = ctx->major, .minor = ctx->minor, .gen = gen, .type = type},
		.v = {.action = PAL_ACT_NONE},
		.gen = gen,
		.acc = dev_access(ctx->access_type >> 16),
	};
	struct pal_event *e;

	if (!cfg)
		return PAL_CG_ALLOW;
	l.mask = pal_task_policies(gen, cfg);
	l.v.generation = cfg->generation;
	if (l.mask)
		bpf_loop(PAL_MAX_POLICIES, dev_policy, &l, 0);
	if (l.v.action < PAL_ACT_AUDIT)
		return PAL_CG_ALLOW;
	e = pal_event_begin_obj(&l.v, PAL_EV_DEV, PAL_OP_DEVICE, l.acc,
				l.v.action == PAL_ACT_DENY ? -EPERM : 0, ctx->major, ctx->minor,
				type == BPF_DEVCG_DEV_BLOCK ? 'b' : 'c');
	if (e) {
		e->dev.major = ctx->major;
		e->dev.minor = ctx->minor;
		e->dev.type = type == BPF_DEVCG_DEV_BLOCK ? 'b' : 'c';
		pal_event_actor(e);
		bpf_ringbuf_submit(e, 0);
	}
	return l.v.action == PAL_ACT_DENY ? PAL_CG_DENY : PAL_CG_ALLOW;
}
