/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The matcher and the decision of the file hooks (file.bpf.c): the rule
 * map and its Bloom filter, the lookups of one policy's keys for a walked
 * object (directory prefixes, the exact path, identity keys of the object
 * and of its ancestor directories), the action they make, and
 * decide_request, which merges the action of every applicable policy.
 * Include after file_walk.bpf.h.
 */
#ifndef PALISADE_BPF_FILE_MATCH_BPF_H
#define PALISADE_BPF_FILE_MATCH_BPF_H

#include "bpf/file_walk.bpf.h"
#include "bpf/file_pattern.bpf.h"

/* key: struct pal_file_key (abi.h). value: struct pal_file_rule, merged bits. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024); /* resized by the agent from the compiled policy */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pal_file_key);
	__type(value, struct pal_file_rule);
} pal_files SEC(".maps");

/* key: __u32 generation slot. value: struct pal_bloom of its pal_files keys (abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PAL_GENS);
	__type(key, __u32);
	__type(value, struct pal_bloom);
} pal_bloom SEC(".maps");

static __always_inline void bits_add(struct pal_bits *b, const struct pal_file_rule *r,
				     __u32 drop_allow)
{
	if (r->deny && b->rule_deny == PAL_NO_RULE)
		b->rule_deny = r->rule_deny;
	if (r->audit && b->rule_audit == PAL_NO_RULE)
		b->rule_audit = r->rule_audit;
	if (r->allow && !drop_allow && b->rule_allow == PAL_NO_RULE)
		b->rule_allow = r->rule_allow;
	b->deny |= r->deny;
	b->audit |= r->audit;
	if (!drop_allow)
		b->allow |= r->allow;
}

/* false: k is certainly not in pal_files (a Bloom bit of it is clear), skip the lookup. */
static __always_inline bool may_have(const struct pal_bloom *bl, const struct pal_file_key *k)
{
	__u64 x, mask;

	if (!bl)
		return true; /* never skip what may be there */
	x = pal_bloom_hash(k);
	mask = pal_bloom_mask(x);
	return (bl->w[pal_bloom_word(x) & (PAL_BLOOM_WORDS - 1)] & mask) == mask;
}

/*
 * Add the rule bits of the scratch key, if pal_files has it, to the
 * scratch bits (struct pal_match); drop_allow for matches that may only
 * restrict. Global, so the verifier checks its branches once rather than
 * at every lookup of every loop iteration that calls it. Called only for
 * keys the Bloom filter may hold (lookup_add): most keys it does not, and
 * they cost no call. w: the decision's scratch, handed down from the hook
 * (a task storage lookup here cost some 70 guest instructions a call).
 */
__noinline int pal_lookup_add(struct pal_walk *w, __u32 drop_allow)
{
	const struct pal_file_rule *r;
	struct pal_file_key k;
	struct pal_match *m;

	if (!w)
		return 0;
	m = &w->match;
	k = m->key; /* 6.1 takes a map key from the stack or a map value, not an argument's memory */
	r = bpf_map_lookup_elem(&pal_files, &k);
	if (!r)
		return 0;
	bits_add(&m->bits, r, drop_allow);
	return 1;
}

/* Look the scratch key k up; its bits go to the scratch bits (match_policy). */
static __always_inline void lookup_add(struct pal_walk *w, const struct pal_bloom *bl,
				       const struct pal_file_key *k)
{
	if (may_have(bl, k))
		pal_lookup_add(w, 0);
}

/* The loops' context; what does not change per step is in the scratch (ms). */
struct match_ctx {
	struct pal_walk *w;
	const struct pal_bloom *bloom; /* of the generation decided */
	struct pal_match *ms; /* the task's scratch: key, bits, the policy's constants */
	__u64 prefix; /* hash of the first i components (path_hash.h), at step i */
	struct dentry *d; /* match_ancestors: the dentry whose parent is next */
};

/*
 * Directory rules at depth i cover everything below, and the directory
 * itself. The prefix hashes are made here, root first, as the loop goes:
 * the walk found the names leaf first.
 */
static __always_inline void dir_level(struct match_ctx *m, __u32 i)
{
	if (i)
		m->prefix = pal_prefix_next(
			m->prefix, m->w->name_hash[(m->ms->depth - i) & (PAL_MAX_DEPTH - 1)]);
	if (!(m->ms->dir_depths & (1ULL << (i < 63 ? i : 63))))
		return;
	m->ms->key.kind = PAL_KEY_DIR;
	m->ms->key.a = m->prefix;
	m->ms->key.b = i;
	lookup_add(m->w, m->bloom, &m->ms->key);
	if (m->ms->exe_id) {
		m->ms->key.kind = PAL_KEY_DIR | PAL_KEY_FROM;
		m->ms->key.a = pal_from_mix(m->ms->key.a, m->ms->exe_id);
		lookup_add(m->w, m->bloom, &m->ms->key);
	}
}

/*
 * Levels per dir_step: a bpf_loop step costs a call, but each level more
 * multiplies the paths newer verifiers check again in every round of the
 * loop (4 levels cost 6.18's verifier half again as much as 2).
 */
#define DIR_UNROLL 2

static long dir_step(__u32 n, void *arg)
{
	struct match_ctx *m = arg;

#pragma unroll
	for (__u32 j = 0; j < DIR_UNROLL; j++) {
		__u32 i = n * DIR_UNROLL + j;

		if (i > m->ms->depth || i > PAL_MAX_DEPTH)
			return 1;
		dir_level(m, i);
	}
	return 0;
}

/*
 * Identity keys: a hardlink or bind mount of a rule path is the same inode.
 * Directory identity keys only ever name directories (emit_file.c).
 */
static __always_inline void match_inode(struct pal_walk *w, const struct pal_bloom *bl,
					struct pal_file_key *k, __u64 ino, __u32 dev, __u32 is_dir,
					__u32 exe_id, __u32 drop_allow)
{
	__u8 last = is_dir ? PAL_KEY_DIR_INODE : PAL_KEY_INODE;

	if (!ino)
		return;
	k->b = dev;
	for (__u8 kind = PAL_KEY_INODE; kind <= last; kind++) {
		k->kind = kind;
		k->a = ino;
		if (may_have(bl, k))
			pal_lookup_add(w, drop_allow);
		if (exe_id) {
			k->kind = kind | PAL_KEY_FROM;
			k->a = pal_from_mix(ino, exe_id);
			if (may_have(bl, k))
				pal_lookup_add(w, drop_allow);
		}
	}
}

/* As lookup_add, for matches that may only restrict: allow bits are dropped. */
static __always_inline void lookup_add_restrictive(struct pal_walk *w, const struct pal_bloom *bl,
						   const struct pal_file_key *k)
{
	if (may_have(bl, k))
		pal_lookup_add(w, 1);
}

/* One ancestor directory of the object, within its filesystem. */
static long anc_step(__u32 i, void *arg)
{
	struct match_ctx *a = arg;
	struct dentry *d = a->d; /* a local: CO-RE relocates kernel types only */
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	__u64 ino;

	if (!parent || parent == d) /* the filesystem's root is done */
		return 1;
	a->d = parent;
	ino = BPF_CORE_READ(parent, d_inode, i_ino);
	a->ms->key.kind = PAL_KEY_DIR_INODE;
	a->ms->key.a = ino;
	lookup_add_restrictive(a->w, a->bloom, &a->ms->key);
	if (a->ms->exe_id) {
		a->ms->key.kind = PAL_KEY_DIR_INODE | PAL_KEY_FROM;
		a->ms->key.a = pal_from_mix(ino, a->ms->exe_id);
		lookup_add_restrictive(a->w, a->bloom, &a->ms->key);
	}
	return 0;
}

/*
 * Identity keys of the object's ancestor directories, up to the root of its
 * filesystem, whatever mounts the walk crossed: a file below a denied
 * directory that is reached through a bind mount of that directory, or of
 * any directory above it, is below the same directory. (The path walk only
 * sees the bind mount's path.) Only deny and audit count here: the identity
 * comes from the agent's mount namespace, and must not widen access (an
 * `allow` of a host directory that holds a container's root would allow the
 * whole container). Extra lookups only for policies with directory rules.
 */
static __always_inline void match_ancestors(struct match_ctx *m, struct dentry *obj, __u32 dev)
{
	if (!obj)
		return;
	m->d = obj;
	m->ms->key.b = dev; /* every ancestor is on the object's filesystem */
	bpf_loop(PAL_MAX_DEPTH, anc_step, m, 0);
}

/* The PAL_KEY_PATTERN keys of one pattern the path matches. */
static long label_step(__u32 j, void *arg)
{
	struct match_ctx *c = arg;
	struct pal_file_key *k = &c->ms->key;
	__u32 idx = c->ms->pat_first + j, gen = k->gen;
	const __u32 *label;

	if (j >= c->ms->pat_n || idx >= PAL_PAT_ACCEPT_MAX || gen >= PAL_GENS)
		return 1;
	idx += gen * PAL_PAT_ACCEPT_MAX;
	label = bpf_map_lookup_elem(&pal_pat_accept, &idx);
	if (!label)
		return 1;
	k->kind = PAL_KEY_PATTERN;
	k->a = *label;
	k->b = 0;
	lookup_add(c->w, c->bloom, k);
	if (c->ms->exe_id) {
		k->kind = PAL_KEY_PATTERN | PAL_KEY_FROM;
		k->a = pal_from_mix(*label, c->ms->exe_id);
		lookup_add(c->w, c->bloom, k);
	}
	return 0;
}

/* Rule bits of the patterns the path of r matches (pattern_labels found them). */
static __always_inline void match_patterns(const struct pal_req *r, struct match_ctx *m)
{
	m->ms->pat_first = r->pat_first;
	m->ms->pat_n = r->pat_n;
	if (r->pat_n)
		bpf_loop(PAL_PAT_ACCEPT_MAX, label_step, m, 0);
}

/*
 * Run the pattern automaton over the walked path of r, once per decision:
 * the patterns it matches are the same for every policy (labels tell them
 * apart). Identity-only requests have no path to match. Inline: the
 * pal_decide program's own frame is the bottom of its call chain, so its
 * loop context fits there.
 */
static __always_inline void pattern_labels(struct pal_req *r, struct pal_walk *w)
{
	const struct pal_pat_state *st;
	__u32 state, idx;

	if (r->identity_only)
		return;
	state = pat_run(r, w);
	if (!state || state >= PAL_PAT_STATES_MAX || r->gen >= PAL_GENS)
		return;
	idx = r->gen * PAL_PAT_STATES_MAX + state;
	st = bpf_map_lookup_elem(&pal_pat_states, &idx);
	if (!st)
		return;
	r->pat_first = st->accept;
	r->pat_n = st->naccept;
}

/* Collect the rule bits one policy has for the resolved object, into ms. */
static __always_inline void match_policy(struct pal_walk *w, const struct pal_req *r,
					 const struct pal_policy *p, __u32 policy,
					 struct pal_match *ms)
{
	struct pal_file_key *k = &ms->key;
	struct pal_bits *b = &ms->bits;
	__u32 exe_id = (p->flags & PAL_POLF_FROM) ? r->exe_id : 0;
	struct match_ctx m = {
		.w = w,
		.ms = ms,
		.prefix = pal_prefix_root(r->seed),
	};
	__u32 d = r->depth, slot = r->gen;
	const struct pal_bloom *bl = bpf_map_lookup_elem(&pal_bloom, &slot);

	m.bloom = bl; /* looked up once per policy, not per key */
	*k = (struct pal_file_key){.gen = r->gen, .policy = policy, .class = r->class};
	*b = (struct pal_bits){
		.rule_deny = PAL_NO_RULE, .rule_audit = PAL_NO_RULE, .rule_allow = PAL_NO_RULE};
	ms->dir_depths = p->dir_depths;
	ms->depth = d;
	ms->exe_id = exe_id;
	if (d > PAL_MAX_DEPTH)
		return;
	if (r->identity_only) { /* the real file behind an overlay file (check_backing) */
		if (p->flags & PAL_POLF_INODE_KEYS) {
			match_inode(w, bl, k, r->ino, r->dev, r->is_dir, exe_id, 1);
			if (p->dir_depths)
				match_ancestors(&m, req_obj(r), r->dev);
		}
		return;
	}
	/* levels 0..d; leaves m.prefix at depth d */
	bpf_loop((PAL_MAX_DEPTH + DIR_UNROLL) / DIR_UNROLL, dir_step, &m, 0);
	if (p->exact_depths & (1ULL << (d < 63 ? d : 63))) {
		k->kind = PAL_KEY_EXACT;
		k->a = m.prefix;
		k->b = d;
		lookup_add(w, bl, k);
		if (exe_id) {
			k->kind = PAL_KEY_EXACT | PAL_KEY_FROM;
			k->a = pal_from_mix(k->a, exe_id);
			lookup_add(w, bl, k);
		}
	}
	if (p->flags & PAL_POLF_PATTERNS)
		match_patterns(r, &m);
	if (!(p->flags & PAL_POLF_INODE_KEYS))
		return;
	match_inode(w, bl, k, r->ino, r->dev, r->is_dir, exe_id, 0);
	if (p->dir_depths && r->aliased)
		match_ancestors(&m, req_obj(r), r->dev);
}

/*
 * The action of one policy for `access`: every requested bit is decided by
 * the strongest rule naming it (deny > audit > allow), or by the class
 * default when no rule names it; the strongest bit wins.
 */
static __always_inline __u8 bits_action(const struct pal_bits *b, __u32 access, __u8 dflt,
					__u32 *rule)
{
	__u32 uncovered = access & ~(b->deny | b->audit | b->allow);

	if (access & b->deny) {
		*rule = b->rule_deny;
		return PAL_ACT_DENY;
	}
	if (uncovered && dflt == PAL_ACT_DENY) {
		*rule = PAL_NO_RULE;
		return PAL_ACT_DENY;
	}
	if (access & b->audit) {
		*rule = b->rule_audit;
		return PAL_ACT_AUDIT;
	}
	if (uncovered && dflt == PAL_ACT_AUDIT) {
		*rule = PAL_NO_RULE;
		return PAL_ACT_AUDIT;
	}
	*rule = (access & b->allow) ? b->rule_allow : PAL_NO_RULE;
	return (access & b->allow) || dflt == PAL_ACT_ALLOW ? PAL_ACT_ALLOW : PAL_ACT_NONE;
}

/* bpf_loop's context must be on the stack; r is the caller's memory, w the task's scratch. */
struct decide_ctx {
	struct pal_req *r;
	struct pal_walk *w;
};

/*
 * The action of one policy on the walked object, its rule in *rule. Global,
 * so the verifier checks it, and the loops inside it, once, as a function of
 * any policy: inlined into decide_step, the nested loops were explored again
 * for every state of the loop over policies, which newer verifiers do at
 * great length. w is the task's scratch, which the hook looked up once
 * for its walk and decisions and handed down: a task storage lookup costs
 * some 70 guest instructions on 6.1.
 */
__noinline int pal_policy_action(struct pal_req *r, struct pal_walk *w, __u32 policy, __u32 dflt,
				 __u32 *rule)
{
	const struct pal_policy *p;

	if (!r || !rule || !w || policy >= PAL_MAX_POLICIES)
		return PAL_ACT_NONE;
	p = pal_policy_of(r->gen, policy);
	if (!p)
		return PAL_ACT_NONE;
	match_policy(w, r, p, policy, &w->match);
	return bits_action(&w->match.bits, r->access, dflt, rule);
}

static long decide_step(__u32 policy, void *arg)
{
	struct decide_ctx *d = arg;
	struct pal_req *r = d->r;
	const struct pal_policy *p;
	__u32 rule = PAL_NO_RULE, class = r->class;
	__u8 action, dflt;

	if (policy >= r->npolicies || policy >= PAL_MAX_POLICIES)
		return 1;
	if (!(r->mask & (1ULL << policy)) || class >= PAL_CLASSES)
		return 0;
	p = pal_policy_of(r->gen, policy);
	if (!p)
		return 0;
	dflt = r->explicit_only ? PAL_ACT_NONE : p->defaults[class];
	if (r->exec_yields && class == PAL_CLASS_FILE &&
	    p->defaults[PAL_CLASS_EXEC] != PAL_ACT_NONE)
		dflt = PAL_ACT_NONE;
	if (r->depth < 0) {
		/* Fail closed: a policy with rules of this class could have applied. */
		if (dflt != PAL_ACT_NONE)
			pal_verdict_merge(&r->v, p, policy, PAL_ACT_DENY, PAL_NO_RULE);
		return 0;
	}
	action = pal_policy_action(r, d->w, policy, dflt, &rule);
	pal_verdict_merge(&r->v, p, policy, action, rule);
	return 0;
}

/*
 * Merge every applicable policy's action for the object pal_resolve walked
 * into w, the task's scratch (so a hook preempting this one cannot change
 * it), which the hook looked up once for the walk and every policy's
 * match. Unresolved objects (depth < 0) fail closed in decide_step, and so
 * does every object when the kernel could not allocate the scratch. The
 * body of file_shared.bpf.c's pal_decide program.
 */
static __always_inline int decide_request(struct pal_req *r, struct pal_walk *w)
{
	struct decide_ctx d = {.r = r, .w = w};

	if (!r)
		return 0;
	if (!w)
		r->depth = -1;
	/* the first decision on a walk that stopped at a mount finishes it */
	if (r->walk_status == WALK_MOUNT && (!w || resolve_rest(r, w) < 0)) {
		r->depth = -1;
		pal_count(PAL_CNT_UNRESOLVED);
	}
	r->pat_n = 0;
	if (r->patterns && w)
		pattern_labels(r, w);
	bpf_loop(PAL_MAX_POLICIES, decide_step, &d, 0); /* to r->npolicies */
	return r->v.action;
}

#endif /* PALISADE_BPF_FILE_MATCH_BPF_H */
