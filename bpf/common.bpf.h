/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Decision plumbing shared by the LSM and the cgroup programs:
 * the live generation, which policies apply to the current task, counters,
 * flood control and event emission. Include after vmlinux.h and bpf_helpers.h.
 */
#ifndef PALISADE_BPF_COMMON_BPF_H
#define PALISADE_BPF_COMMON_BPF_H

#include <bpf/bpf_core_read.h>
#include "bpf/maps.bpf.h"

#ifndef EPERM
#define EPERM 1
#endif
#ifndef EACCES
#define EACCES 13
#endif

/* A kernel dev_t as st_dev encodes it (new_encode_dev): the `dev` of identity keys (abi.h). */
static __always_inline __u32 pal_encode_dev(__u32 dev)
{
	__u32 major = dev >> 20, minor = dev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* pal_encode_dev() of an inode's device. */
static __always_inline __u32 pal_inode_dev(struct inode *inode)
{
	return pal_encode_dev(BPF_CORE_READ(inode, i_sb, s_dev));
}

/* The decision of one hook: the strongest (policy, rule) that spoke. */
struct pal_verdict {
	__u64 generation;
	__u32 rule; /* rule index, or PAL_NO_RULE for a default */
	__u16 policy;
	__u8 action; /* enum pal_action after the policy's mode is applied */
	__u8 pad0;
};

static __always_inline __u32 pal_live_gen(void)
{
	__u32 k = 0;
	__u32 *g = bpf_map_lookup_elem(&pal_gen, &k);

	return g ? (*g & 1) : 0;
}

static __always_inline const struct pal_gen_config *pal_config_of(__u32 gen)
{
	return bpf_map_lookup_elem(&pal_config, &gen);
}

static __always_inline const struct pal_policy *pal_policy_of(__u32 gen, __u32 policy)
{
	__u32 k = gen * PAL_MAX_POLICIES + (policy & (PAL_MAX_POLICIES - 1));

	return bpf_map_lookup_elem(&pal_policies, &k);
}

/* Per-CPU, but atomic: a count must be exact even if a program is preempted. */
static __always_inline void pal_count(__u32 counter)
{
	__u64 *v = bpf_map_lookup_elem(&pal_counters, &counter);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/*
 * Policies that apply to the current task: the host-wide ones, plus those
 * that target the task's cgroup or any ancestor of it (so cgroups created
 * below a target are covered without the agent's help). A cgroup the
 * agent has not classified yet (no entry, below a watched one) gets the
 * policies that could target it (pal_cgroup_val.unknown): a cgroup that
 * appears under a watched one is confined before the agent sees it.
 */
static __always_inline __u64 pal_task_policies(__u32 gen, const struct pal_gen_config *cfg)
{
	struct pal_cgroup_key k = {.gen = gen};
	__u64 mask = cfg->host_policies, unknown = 0;

	if (!cfg->ncgroup_keys)
		return mask;
	for (int lvl = 0; lvl < PAL_MAX_CGROUP_DEPTH; lvl++) {
		struct pal_cgroup_val *v;

		k.cgroup_id = bpf_get_current_ancestor_cgroup_id(lvl);
		if (!k.cgroup_id)
			break;
		v = bpf_map_lookup_elem(&pal_cgroups, &k);
		if (v) {
			mask |= v->policies;
			unknown = v->unknown;
		} else {
			mask |= unknown; /* below it, nothing is classified either */
		}
	}
	return mask;
}

/*
 * Apply a policy's mode to the action its rules chose, and keep the
 * strongest verdict across policies (a denial from any policy stands).
 */
static __always_inline void pal_verdict_merge(struct pal_verdict *v, const struct pal_policy *p,
					      __u32 policy, __u8 action, __u32 rule)
{
	if (action == PAL_ACT_DENY && p->mode == PAL_MODE_AUDIT)
		action = PAL_ACT_AUDIT;
	if (action <= v->action)
		return;
	v->action = action;
	v->policy = policy;
	v->rule = rule;
}

/*
 * Returns true when the event may be emitted; counts it as suppressed if
 * not: first under its key (what it stands for), then in the total. The
 * agent reads the total first and the keys after, so in that order every
 * suppressed event it has counted is also under its key.
 * A subprogram with scalar arguments, so that the key (48 bytes) is on its
 * own stack, not on the file hooks' deepest call chain (6.1 sums them).
 * type_op: enum pal_event_type << 16 | enum pal_op; a, b, c: struct
 * pal_rl_obj, except that for a file without an inode c is the struct
 * dentry * of its new name, whose name hash goes into the key.
 */
static __noinline bool pal_ratelimit_pass(const struct pal_verdict *v, __u32 type_op, __u64 a,
					  __u64 b, __u64 c)
{
	struct pal_rl_key k = {
		.cgroup_id = bpf_get_current_cgroup_id(),
		.generation = v->generation,
		.rule = v->rule,
		.policy = v->policy,
		.type = type_op >> 16,
		.obj = {.a = a, .b = b, .c = (__u32)c, .op = type_op & 0xffff},
	};
	__u64 now = bpf_ktime_get_boot_ns();
	struct pal_rl_state *s;

	if ((k.type == PAL_EV_FILE || k.type == PAL_EV_EXEC) && !a)
		k.obj.c = c ? BPF_CORE_READ((struct dentry *)c, d_name.hash) : 0;
	s = bpf_map_lookup_elem(&pal_ratelimit, &k);
	if (!s) {
		struct pal_rl_state fresh = {.window_start_ns = now, .born_ns = now, .count = 1};

		bpf_map_update_elem(&pal_ratelimit, &k, &fresh, BPF_ANY);
		return true;
	}
	if (now - s->window_start_ns >= PAL_RL_WINDOW_NS) {
		s->window_start_ns = now;
		s->count = 1;
		return true;
	}
	if (__sync_fetch_and_add(&s->count, 1) < PAL_RL_BURST)
		return true;
	__sync_fetch_and_add(&s->suppressed, 1);
	pal_count(PAL_CNT_SUPPRESSED);
	return false;
}

/*
 * Count the decision and reserve its event; a, b, c name the object for
 * the rate limit (pal_ratelimit_pass). Returns NULL when no event is to be
 * written (allowed, suppressed, or ring buffer full: counted as lost). The
 * caller fills the class-specific fields and calls bpf_ringbuf_submit.
 */
static __always_inline struct pal_event *pal_event_begin_obj(const struct pal_verdict *v,
							     __u32 type, __u32 op, __u32 access,
							     __s32 err, __u64 a, __u64 b, __u64 c)
{
	__u64 pidtgid, uidgid, cgid;
	struct pal_event *e;

	if (v->action < PAL_ACT_AUDIT)
		return NULL; /* allowed: the common case pays for nothing below */
	pal_count(v->action == PAL_ACT_DENY ? PAL_CNT_DENIED : PAL_CNT_AUDITED);
	if (!pal_ratelimit_pass(v, type << 16 | (op & 0xffff), a, b, c))
		return NULL;
	e = bpf_ringbuf_reserve(&pal_events, sizeof(*e), 0);
	if (!e) {
		pal_count(PAL_CNT_LOST);
		return NULL;
	}
	cgid = bpf_get_current_cgroup_id();
	pidtgid = bpf_get_current_pid_tgid();
	uidgid = bpf_get_current_uid_gid();
	e->time_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = cgid;
	e->generation = v->generation;
	e->pid = (__u32)pidtgid;
	e->tgid = pidtgid >> 32;
	e->ppid = 0;
	e->uid = (__u32)uidgid;
	e->gid = uidgid >> 32;
	e->type = type;
	e->op = op;
	e->access = access;
	e->rule = v->rule;
	e->err = err;
	e->policy = v->policy;
	e->action = v->action;
	e->flags = 0;
	e->pad0 = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memset(&e->net, 0, sizeof(e->net));
	__builtin_memset(&e->dev, 0, sizeof(e->dev));
	e->exe[0] = 0;
	e->path[0] = 0;
	e->path2[0] = 0;
	e->start_ns = 0;
	return e;
}

/*
 * State of the walk that builds the path of the actor's executable, as the
 * task sees it (up to its root), for the programs without the file walk.
 * The path is written right to left into the event's unused path field,
 * then copied to exe: no per-CPU scratch (a program may be preempted).
 */
struct exe_walk {
	__u64 d; /* struct dentry * */
	__u64 vmnt; /* struct vfsmount * of d */
	__u64 root_d; /* the task's root */
	__u64 root_vmnt;
	char *buf; /* pal_event.path */
	__u32 mnt_off; /* offsetof(struct mount, mnt), relocated */
	__u32 len; /* pass 1: bytes the path needs; pass 2: bytes left to write */
	__u8 write; /* pass 2 */
	__u8 done; /* the root was reached */
	__u8 pad0[6];
};

/* One step up: a mount crossing, or one component (counted, or written in pass 2). */
static long exe_step(__u32 i, void *data)
{
	struct exe_walk *w = data;
	struct dentry *d = (struct dentry *)w->d, *parent;
	struct vfsmount *v = (struct vfsmount *)w->vmnt;
	__u32 n;

	if (w->d == w->root_d && w->vmnt == w->root_vmnt) {
		w->done = 1;
		return 1;
	}
	if (d == BPF_CORE_READ(v, mnt_root)) {
		struct mount *m = (struct mount *)(w->vmnt - w->mnt_off);
		struct mount *p = BPF_CORE_READ(m, mnt_parent);

		w->done = p == m; /* the top of the mount tree */
		w->d = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
		w->vmnt = (__u64)p + w->mnt_off;
		return w->done ? 1 : 0; /* bpf_loop callbacks return 0 or 1 */
	}
	parent = BPF_CORE_READ(d, d_parent);
	n = BPF_CORE_READ(d, d_name.len);
	if (parent == d || !n)
		return 1; /* not below the root: not done */
	if (!w->write) {
		w->len += n + 1;
		w->d = (__u64)parent;
		return w->len >= PAL_EV_EXE_MAX ? 1 : 0; /* too long: not done */
	}
	if (n + 1 > w->len)
		return 1; /* renamed since pass 1: not done */
	w->len -= n;
	/* offsets and sizes below PAL_EV_EXE_MAX, in the 1 KiB path field */
	bpf_probe_read_kernel(w->buf + (w->len & (PAL_EV_EXE_MAX - 1)), n & (PAL_EV_EXE_MAX - 1),
			      BPF_CORE_READ(d, d_name.name));
	w->len--;
	w->buf[w->len & (PAL_EV_EXE_MAX - 1)] = '/';
	w->d = (__u64)parent;
	return 0;
}

/* Start (again) at the executable's dentry and mount. */
static __always_inline void exe_walk_start(struct exe_walk *w, struct file *exe)
{
	w->d = (__u64)BPF_CORE_READ(exe, f_path.dentry);
	w->vmnt = (__u64)BPF_CORE_READ(exe, f_path.mnt);
	w->done = 0;
}

/*
 * The full path of the executable into e->exe (two bounded walks: measure,
 * then write). Returns PAL_EVF_EXE_TRUNCATED when the path is too deep or
 * too long for exe, or changed during the walk: e->exe is then untouched.
 */
static __always_inline __u32 pal_exe_path(struct pal_event *e, struct task_struct *t)
{
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	struct exe_walk w = {.buf = e->path};
	__u32 total;

	if (!exe)
		return 0;
	w.root_d = (__u64)BPF_CORE_READ(t, fs, root.dentry);
	w.root_vmnt = (__u64)BPF_CORE_READ(t, fs, root.mnt);
	w.mnt_off = bpf_core_field_offset(struct mount, mnt);
	exe_walk_start(&w, exe);
	bpf_loop(PAL_MAX_DEPTH, exe_step, &w, 0);
	total = w.len;
	if (!w.done || !total || total >= PAL_EV_EXE_MAX)
		return PAL_EVF_EXE_TRUNCATED;
	exe_walk_start(&w, exe);
	w.write = 1;
	e->path[total & (PAL_EV_EXE_MAX - 1)] = 0;
	bpf_loop(PAL_MAX_DEPTH, exe_step, &w, 0);
	if (w.len) {
		e->path[0] = 0;
		return PAL_EVF_EXE_TRUNCATED;
	}
	bpf_probe_read_kernel(e->exe, (total & (PAL_EV_EXE_MAX - 1)) + 1, e->path);
	e->path[0] = 0;
	return 0;
}

/*
 * The actor at decision time, for programs without the file walk (cgroup
 * programs, socket_create, the network LSM hooks): its parent, its start
 * time (with the pid, what tells it from a later process with the same
 * pid) and its executable's path (pal_exe_path), or, if that is too long,
 * its file name (PAL_EVF_EXE_NAME | PAL_EVF_EXE_TRUNCATED). Called on the
 * emit path only. Reads through bpf_get_current_task, a helper every
 * program type has for a privileged loader.
 */
static __always_inline void pal_event_actor(struct pal_event *e)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	const unsigned char *name;
	__u32 trunc;

	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->start_ns = BPF_CORE_READ(t, group_leader, start_boottime);
	trunc = pal_exe_path(e, t);
	if (!trunc && e->exe[0] == '/')
		return;
	name = BPF_CORE_READ(t, mm, exe_file, f_path.dentry, d_name.name);
	if (name && bpf_probe_read_kernel_str(e->exe, PAL_EV_EXE_MAX, name) > 1)
		e->flags |= PAL_EVF_EXE_NAME | trunc;
}

/* pal_event_begin_obj for events whose object does not split the rate limit. */
static __always_inline struct pal_event *pal_event_begin(const struct pal_verdict *v, __u32 type,
							 __u32 op, __u32 access, __s32 err)
{
	return pal_event_begin_obj(v, type, op, access, err, 0, 0, 0);
}

#endif /* PALISADE_BPF_COMMON_BPF_H */
