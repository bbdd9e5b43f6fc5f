// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * File and exec enforcement: BPF LSM hooks that decide `files:` and `exec:`
 * rules. A decision walks the dentry chain of the object up to the task's
 * root (crossing mounts), hashes every component once, then does one HASH
 * lookup per directory depth that holds a rule (pal_policy.dir_depths), plus
 * the exact path and the inode identity, each skipped when the generation's
 * Bloom filter proves the key absent. The cost depends on the path depth,
 * never on the number of rules. A path that cannot be resolved fails closed.
 *
 * Speed: the walk through the object's own mount runs in the hook's program
 * (resolve_btf), where dentries are BTF pointers and a read is a plain load
 * of a few instructions; helper reads (bpf_probe_read_kernel, ~140 guest
 * instructions each) are left for mount crossings, long names and events.
 *
 * Layers:
 *   file_walk.bpf.h    the dentry walk, and the request it walks for
 *   file_pattern.bpf.h the pattern automaton over a walked path
 *   file_match.bpf.h   the rule lookups and the decision (decide_request)
 *   file_event.bpf.h   the event path of deny and audit decisions
 *   file.bpf.c         request setup and the hooks
 *   file_shared.bpf.c  the walk, the decision and the record as one program
 *                      each, put in place of every hook's stubs (freplace)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.bpf.h"
#include "bpf/file_walk.bpf.h"
#include "bpf/file_match.bpf.h"
#include "bpf/file_event.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define __FMODE_EXEC 0x20 /* an execve/uselib open: in f_flags, never in f_mode */
#define FMODE_NOACCOUNT 0x20000000 /* 6.1..6.5: backing file of overlayfs */
#define FMODE_BACKING 0x2000000 /* 6.6+ */
#define O_TRUNC 01000
#define O_APPEND 02000
#define MAY_WRITE 0x2
#define MAY_APPEND 0x8
#define PROT_EXEC 0x4
#define VM_EXEC 0x4
#define MNT_INTERNAL 0x4000
#define MNT_NS_INTERNAL ((struct mnt_namespace *)-22L) /* ERR_PTR(-EINVAL), fs/mount.h */
#define PF_IO_WORKER 0x00000010 /* task flag: an io-wq worker or io_uring's SQPOLL thread */
#define S_IFMT 00170000
#define S_IFREG 0100000
#define S_IFDIR 0040000

/* key: struct pal_exe_key, an executable named in `from:`. value: __u32 exe id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PAL_MAX_EXES);
	__type(key, struct pal_exe_key);
	__type(value, __u32);
} pal_exes SEC(".maps");

/* ---- where confinement begins (docs/containers.md) ------------------------ */

#define PAL_MAX_SETUP_CGROUPS 16384 /* cgroups in runtime setup at one time */
#define PAL_KERNFS_TYPE_MASK 0x000f

/*
 * key: __u64 id of a cgroup in runtime setup: one created by a task that no
 * cgroup policy confines (a runtime, systemd, the kubelet), in which no task
 * has exec'd yet. value: __u8, 1. Cgroup policies do not decide the file and
 * exec accesses of its tasks; the first exec in it arms it (deletes the
 * entry) for ever. A cgroup not in here is armed, so a lost map or an
 * evicted entry confines, never frees. LRU: cgroups in which nothing ever
 * executes (a pod's parent cgroup), or removed ones, age out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PAL_MAX_SETUP_CGROUPS);
	__type(key, __u64);
	__type(value, __u8);
} pal_setup SEC(".maps");

/*
 * Task storage: __u8 1 on a task that exec'd while a cgroup policy confined
 * it, and on every task it forks. Such a task stays confined in a cgroup in
 * setup (root in a container moving into another pod's new cgroup).
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} pal_confined_tasks SEC(".maps");

/* The current task, in cgroup id, is the runtime's setup in a cgroup in setup. */
static __always_inline bool in_setup_of(__u64 id)
{
	if (!bpf_map_lookup_elem(&pal_setup, &id))
		return false;
	return !bpf_task_storage_get(&pal_confined_tasks, bpf_get_current_task_btf(), 0, 0);
}

static __always_inline bool in_setup(void)
{
	return in_setup_of(bpf_get_current_cgroup_id());
}

/* Whether a cgroup policy decides the current task's accesses. */
static __always_inline bool task_confined(void)
{
	__u32 gen = pal_live_gen();
	const struct pal_gen_config *cfg = pal_config_of(gen);

	if (!cfg || !(pal_task_policies(gen, cfg) & ~cfg->host_policies))
		return false;
	return !in_setup();
}

/*
 * A cgroup created by a confined task (root in a container making a child
 * cgroup) is armed from birth; one created by an unconfined task starts in
 * setup, until its first exec. kernfs_init_security runs in the creator's
 * mkdir for every kernfs node, after the node got its id (the cgroup id):
 * only directories of the cgroup2 hierarchy are cgroups.
 */
SEC("lsm/kernfs_init_security")
int BPF_PROG(palisade_kernfs_init, struct kernfs_node *kn_dir, struct kernfs_node *kn, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u8 one = 1;
	__u64 id;

	if (ret)
		return ret;
	if ((kn->flags & PAL_KERNFS_TYPE_MASK) != KERNFS_DIR ||
	    BPF_CORE_READ(kn_dir, dir.root) != BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, dir.root))
		return 0;
	if (task_confined())
		return 0;
	id = kn->id;
	bpf_map_update_elem(&pal_setup, &id, &one, BPF_NOEXIST);
	return 0;
}

/* At exec in cgroup id: arm it if it is in setup, and mark a confined task. */
static __always_inline void arm_on_exec(__u64 id)
{
	bpf_map_delete_elem(&pal_setup, &id);
	if (task_confined())
		bpf_task_storage_get(&pal_confined_tasks, bpf_get_current_task_btf(), 0,
				     BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* ---- requests ---------------------------------------------------------- */

static __always_inline __u32 current_exe_id(__u32 gen)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inode *inode = BPF_CORE_READ(task, mm, exe_file, f_inode);
	struct pal_exe_key k = {.gen = gen};
	__u32 *id;

	if (!inode)
		return 0;
	k.ino = BPF_CORE_READ(inode, i_ino);
	k.dev = pal_inode_dev(inode);
	id = bpf_map_lookup_elem(&pal_exes, &k);
	return id ? *id : 0;
}

/* Start a request: false when no file policy applies to the current task and access. */
static __always_inline bool req_begin(struct pal_req *r, __u32 class, __u32 access)
{
	__u32 gen = pal_live_gen();
	const struct pal_gen_config *cfg = pal_config_of(gen);

	/* no policy denies or audits this access anywhere: no path can change that */
	if (!cfg || !cfg->file_policies || !(access & cfg->restricted))
		return false;
	__builtin_memset(r, 0, sizeof(*r));
	r->v.rule = PAL_NO_RULE;
	r->gen = gen;
	r->mask = pal_task_policies(r->gen, cfg) & cfg->file_policies;
	/* the runtime's setup in a new cgroup: only host-wide policies apply */
	if ((r->mask & ~cfg->host_policies) && in_setup())
		r->mask &= cfg->host_policies;
	if (!r->mask)
		return false;
	r->seed = cfg->path_seed;
	r->npolicies = cfg->npolicies;
	r->v.generation = cfg->generation;
	r->exe_id = (r->mask & cfg->from_policies) ? current_exe_id(r->gen) : 0;
	r->patterns = !!(r->mask & cfg->pattern_policies);
	r->class = class;
	r->access = access;
	return true;
}

/*
 * Stubs of the shared steps (file_walk.bpf.h): before it attaches the
 * hooks, the agent replaces each of them, in every hook that calls it, with
 * its program of file_shared.bpf.c (freplace), so that the verifier checks
 * those steps once, not once per hook. Never replaced, they fail closed: no
 * object resolves, every decision denies. The barrier and the volatile keep
 * the compiler from assuming anything about what the real steps read,
 * write or return.
 */
__noinline int pal_resolve(struct pal_req *r)
{
	volatile int unresolved = -1;

	asm volatile("" ::: "memory");
	if (!r)
		return -1;
	r->depth = unresolved;
	return r->depth;
}

__noinline int pal_decide(struct pal_req *r, struct pal_walk *w)
{
	volatile __u8 deny = PAL_ACT_DENY;

	/* w as an input: the compiler must not take it for unused, and pass garbage */
	asm volatile("" ::"r"(w) : "memory");
	if (!r)
		return 0;
	r->v.action = deny;
	return r->v.action;
}

/* The verdict stands (the hook returns it); only its record is lost, and counted so. */
__noinline int pal_report(struct pal_req *r)
{
	volatile int none = 0;

	asm volatile("" ::: "memory");
	if (r && r->v.action >= PAL_ACT_AUDIT)
		pal_count(PAL_CNT_LOST);
	return none;
}

/*
 * The step of resolve_btf, one component per step like walk_step
 * (file_walk.bpf.h): two per step saved a call each, but newer verifiers
 * (6.12 on) check a loop body again until its states repeat, and two
 * components doubled the paths of each round: half the agent's start-up
 * went to it.
 */
static long walk_step_btf(__u32 i, void *arg)
{
	return walk_step_of(arg, true);
}

/*
 * pal_resolve for the hook's object, the fast way: the walk through the
 * object's own mount (for most paths, all of it) runs in the hook's
 * program, where the dentries are BTF pointers and each read is a plain
 * load, not a helper call; pal_decide does the rest. Not inlined: a
 * static function keeps the BTF types of its arguments, and its frame is
 * off the stack of the decision that follows. w: the hook's scratch().
 */
static __noinline int resolve_btf(struct pal_req *r, const struct pal_obj *o, struct pal_walk *w)
{
	struct walk_ctx c = {.d = o->dir,
			     .vfsmnt = o->mnt,
			     .mnt_root = o->mnt->mnt_root,
			     .seed = r->seed,
			     .w = w};

	r->walk_status = WALK_UNRESOLVED;
	r->depth = -1;
	if (!w)
		return -1;
	walk_root(&c);
	c.status = WALK_RUNNING;
	if (o->leaf && !hash_btf(&c, o->leaf))
		c.status = WALK_UNRESOLVED;
	else /* one more component step than components: the last one finds the root */
		bpf_loop(PAL_MAX_DEPTH + 1, walk_step_btf, &c, 0);
	r->aliased = aliased(o->leaf ? o->leaf->d_sb->s_root : o->dir->d_sb->s_root, c.mnt_root,
			     o->mnt == c.root_mnt ? c.root_d : NULL);
	if (c.status == WALK_MOUNT) { /* pending: pal_decide finishes it */
		r->walk_status = WALK_MOUNT;
		r->depth = c.depth;
		return 0;
	}
	r->walk_status = c.status == WALK_DONE ? WALK_DONE : WALK_UNRESOLVED;
	r->depth = walk_depth(&c);
	return r->depth;
}

/* Walk o for r into w, the scratch the hook looked up once for the walk and the decision. */
static __always_inline void req_target(struct pal_req *r, const struct pal_obj *o,
				       struct pal_walk *w)
{
	struct dentry *obj = o->leaf ? o->leaf : o->dir;
	struct super_block *sb = obj->d_sb;
	struct inode *inode = obj->d_inode;

	req_point(r, o);
	r->ino = inode ? inode->i_ino : 0;
	r->is_dir = inode && (inode->i_mode & S_IFMT) == S_IFDIR;
	r->dev = pal_encode_dev(sb->s_dev);
	if (resolve_btf(r, o, w) < 0)
		pal_count(PAL_CNT_UNRESOLVED);
}

/* The common case: one object, one access. */
static __always_inline int check_obj(const struct pal_obj *o, __u32 class, __u32 type, __u32 op,
				     __u32 access)
{
	struct pal_walk *w;
	struct pal_req r;

	if (!req_begin(&r, class, access))
		return 0;
	w = scratch();
	req_target(&r, o, w);
	pal_decide(&r, w);
	return req_finish(&r, type, op, o, NULL);
}

/* Files on kernel-internal mounts (pipes, sockets, anon inodes) have no path. */
static __always_inline bool internal_mount(struct vfsmount *mnt)
{
	return BPF_CORE_READ(mnt, mnt_flags) & MNT_INTERNAL;
}

/*
 * A stacking filesystem at work on its private clone of a layer, with its
 * mounter's credentials in force: overlayfs copying a file up into its
 * work dir. The access that caused it was decided before, on the
 * overlay's own path; the clone is below no task's root, so deciding it
 * could only fail closed. A task's own opens never run with overridden
 * credentials on such a mount.
 */
static __always_inline bool stacked_backing(struct vfsmount *mnt)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return t->cred != t->real_cred && BPF_CORE_READ(real_mount(mnt), mnt_ns) == MNT_NS_INTERNAL;
}

/* ---- overlayfs: the real file behind the one the task opened ---------- */

/* 6.8 on: f_path of a backing file is the real path; the task's path is kept here. */
struct backing_file___user {
	struct file file;
	struct path user_path;
} __attribute__((preserve_access_index));

/* 7.x: d_alias is in an anonymous union; before, in the union d_u. */
struct dentry___alias {
	struct hlist_node d_alias;
} __attribute__((preserve_access_index));

/* A dentry of inode: the first of its aliases (any is a path of the same file). */
static __always_inline struct dentry *inode_alias(struct inode *inode)
{
	struct hlist_node *first = inode->i_dentry.first;
	__u32 off = bpf_core_field_exists(struct dentry___alias, d_alias) ?
			    bpf_core_field_offset(struct dentry___alias, d_alias) :
			    bpf_core_field_offset(struct dentry, d_u.d_alias);

	return first ? (struct dentry *)((char *)first - off) : NULL;
}

/* ---- writes through an open file: decided once, until something changes -- */

/*
 * The addresses of the kernel's rename and mount seqlocks, from kallsyms,
 * set by the agent before the load. Every d_move or d_exchange, and every
 * change of the mount tree, bumps theirs twice, after the change is
 * visible. Without kallsyms they are 0, and no decision is remembered.
 */
const volatile __u64 pal_rename_lock = 0;
const volatile __u64 pal_mount_lock = 0;

#define WRITE_MEMOS 16384 /* files with a remembered write decision; LRU beyond */

/*
 * key: a struct file * whose last write by a confined task was allowed
 * without a record. value: what that decision depended on. An entry leaves
 * with its file (palisade_file_free), before the memory can hold another
 * file; LRU, so a full map only costs walks.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WRITE_MEMOS);
	__type(key, __u64);
	__type(value, struct write_memo);
} pal_write_memos SEC(".maps");

/* A seqlock's sequence; odd (as a writer in progress) when it cannot be read. */
static __always_inline __u32 seq_of(__u64 lock)
{
	__u32 seq = 1;

	if (lock && bpf_probe_read_kernel(&seq, sizeof(seq), (const void *)lock))
		seq = 1;
	return seq;
}

static __always_inline void memo_now(const struct pal_req *r, struct write_memo *m)
{
	struct fs_struct *fs = bpf_get_current_task_btf()->fs;

	m->root_d = (__u64)fs->root.dentry;
	m->root_mnt = (__u64)fs->root.mnt;
	/*
	 * The root is kept by its mount pointer only when it is the root of
	 * that mount: a mount is freed only after a change of the mount tree
	 * (mount_lock), but a chroot's directory may be freed and its memory
	 * reused by another with no lock bumped. Below a chroot into a
	 * directory, nothing is remembered (odd: as a rename in progress).
	 */
	m->rename_seq = fs->root.dentry == fs->root.mnt->mnt_root ? seq_of(pal_rename_lock) : 1;
	m->mask = r->mask;
	m->mount_seq = seq_of(pal_mount_lock);
	m->gen = r->gen;
	m->generation = r->v.generation;
	m->exe_id = r->exe_id;
	m->access = r->access;
}

static __always_inline bool memo_same(const struct write_memo *a, const struct write_memo *b)
{
	return a->root_d == b->root_d && a->root_mnt == b->root_mnt && a->mask == b->mask &&
	       a->rename_seq == b->rename_seq && a->mount_seq == b->mount_seq && a->gen == b->gen &&
	       a->generation == b->generation && a->exe_id == b->exe_id && a->access == b->access;
}

/* Remember an allowed decision made without a record, unless a rename or mount change ran meanwhile. */
static __always_inline void memo_keep(struct file *file, const struct pal_req *r,
				      const struct write_memo *now)
{
	__u64 key = (__u64)file;

	if (r->v.action < PAL_ACT_AUDIT && !(now->rename_seq & 1) && !(now->mount_seq & 1) &&
	    (file->f_mode & FMODE_WRITE) && seq_of(pal_rename_lock) == now->rename_seq &&
	    seq_of(pal_mount_lock) == now->mount_seq)
		bpf_map_update_elem(&pal_write_memos, &key, (void *)now, BPF_ANY);
}

/*
 * An open the task asked for: decided by its path and identity. When it
 * was recorded as audited, the backing open of the same overlay file that
 * follows (check_backing) is told, so one access gives one record.
 */
static __always_inline int check_open(struct file *file, const struct pal_obj *o, __u32 access)
{
	struct write_memo *now = NULL;
	struct pal_walk *w;
	struct pal_req r;

	if (!req_begin(&r, PAL_CLASS_FILE, access))
		return 0;
	w = scratch();
	/*
	 * An open for writing allowed without a record allows its writes: the
	 * first write then needs no walk of its own (check_write_fd).
	 */
	if ((file->f_mode & FMODE_WRITE) && w) {
		now = &w->memo;
		memo_now(&r, now);
		now->access = access & (PAL_ACC_WRITE | PAL_ACC_APPEND);
	}
	req_target(&r, o, w);
	pal_decide(&r, w);
	if (now)
		memo_keep(file, &r, now);
	if (r.v.action == PAL_ACT_AUDIT && w)
		w->audited_inode = (__u64)file->f_inode;
	return req_finish(&r, PAL_EV_FILE, PAL_OP_OPEN, o, NULL);
}

/*
 * Decide the real file behind an open that overlayfs made for the task:
 * by the identity keys of the file and of its directories up to its
 * filesystem's root, so that a rule on a layer's file or directory holds
 * through every overlay that stacks it. Identity keys only restrict (deny,
 * audit: see match_ancestors); defaults were applied to the task's own
 * open. d: the real file's dentry; user: the path the record names.
 */
static __always_inline int check_real(struct inode *real, struct dentry *d,
				      const struct pal_obj *user, __u32 access)
{
	struct pal_walk *w;
	struct pal_req r;

	if (!req_begin(&r, PAL_CLASS_FILE, access))
		return 0;
	r.explicit_only = 1;
	r.identity_only = 1;
	r.dir = (__u64)d;
	r.ino = real->i_ino;
	r.dev = pal_encode_dev(real->i_sb->s_dev);
	r.is_dir = (real->i_mode & S_IFMT) == S_IFDIR; /* a lower directory that overlayfs lists */
	r.walk_status = WALK_DONE;
	w = scratch();
	pal_decide(&r, w);
	if (w) {
		struct dentry *ud = user->dir; /* a local: CO-RE relocates kernel types only */
		/* the task's open of this overlay file was recorded already */
		bool told =
			w->audited_inode && w->audited_inode == (__u64)BPF_CORE_READ(ud, d_inode);

		w->audited_inode = 0;
		if (told && r.v.action == PAL_ACT_AUDIT)
			return 0;
	}
	return req_finish(&r, PAL_EV_FILE, PAL_OP_OPEN, user, NULL);
}

/*
 * The backing open of an overlayfs file (FUSE passthrough and cachefiles
 * open backing files too), right after the task's open of the overlay file
 * was decided by its path: the real file, from the upper or a lower layer.
 * The record names the path the task opened.
 */
static __always_inline int check_backing(struct file *file, __u32 access)
{
	struct dentry *d = file->f_path.dentry;
	struct pal_obj user = {.dir = d, .mnt = file->f_path.mnt};
	struct backing_file___user *bf = (void *)file;

	if (d->d_inode != file->f_inode) { /* before 6.8: f_path is the task's path */
		d = inode_alias(file->f_inode);
	} else if (bpf_core_field_exists(bf->user_path)) {
		user.dir = BPF_CORE_READ(bf, user_path.dentry);
		user.mnt = BPF_CORE_READ(bf, user_path.mnt);
	}
	return check_real(file->f_inode, d, &user, access);
}

/* ---- a confined task stays in its cgroup ------------------------------ */

#define CGROUP2_SUPER_MAGIC 0x63677270
#define CLONE_INTO_CGROUP 0x200000000ULL
#define CG_NAME_READ 16 /* bytes read of a name that may be cgroup.procs or cgroup.threads */

/* bpf_loop step: every confining policy denies the move, in its mode. */
static long escape_step(__u64 i, void *arg)
{
	struct pal_req *r = arg;
	const struct pal_policy *p;

	if (i >= r->npolicies)
		return 1;
	if (!(r->mask & (1ULL << i)))
		return 0;
	p = pal_policy_of(r->gen, (__u32)i);
	if (p)
		pal_verdict_merge(&r->v, p, (__u32)i, PAL_ACT_DENY, PAL_NO_RULE);
	return 0;
}

/*
 * A cgroup move by the current task: false when no cgroup policy confines
 * it (host-wide policies confine nobody to a cgroup; a runtime's setup in
 * a cgroup in setup moves its tasks freely). Otherwise r holds the verdict.
 */
static __always_inline bool escape_begin(struct pal_req *r)
{
	const struct pal_gen_config *cfg;

	__builtin_memset(r, 0, sizeof(*r));
	r->v.rule = PAL_NO_RULE;
	r->gen = pal_live_gen();
	cfg = pal_config_of(r->gen);
	if (!cfg)
		return false;
	r->mask = pal_task_policies(r->gen, cfg) & ~cfg->host_policies;
	if (!r->mask || in_setup())
		return false;
	r->seed = cfg->path_seed;
	r->npolicies = cfg->npolicies;
	r->v.generation = cfg->generation;
	r->class = PAL_CLASS_FILE;
	r->access = PAL_ACC_CGROUP_MOVE;
	bpf_loop(PAL_MAX_POLICIES, escape_step, r, 0);
	return true;
}

/* The first len bytes of name are those of want. */
static __always_inline bool name_is(const char *name, const char *want, __u32 len)
{
	for (__u32 i = 0; i < CG_NAME_READ; i++) /* unrolled: constant bytes */
		if (i < len && name[i] != want[i])
			return false;
	return true;
}

/*
 * A write to this file moves tasks between cgroups: cgroup.procs or
 * cgroup.threads of a cgroup2 filesystem, wherever it is mounted or bound
 * (the dentry's name and superblock, not the path). Plain loads first; the
 * name is read only for cgroup2 files of those two lengths.
 */
static __always_inline bool moves_tasks(struct file *file)
{
	struct dentry *d = file->f_path.dentry;
	__u32 len = d->d_name.len;
	char name[CG_NAME_READ] = {};

	if (d->d_sb->s_magic != CGROUP2_SUPER_MAGIC || (len != 12 && len != 14))
		return false;
	if (bpf_probe_read_kernel(name, sizeof(name), d->d_name.name))
		return true; /* unreadable: decide it, never let it pass */
	return len == 12 ? name_is(name, "cgroup.procs", 12) : name_is(name, "cgroup.threads", 14);
}

/* struct cgroup kept its ancestors' ids before 6.2 and their pointers since. */
struct cgroup___ids {
	int level;
	__u64 ancestor_ids[];
} __attribute__((preserve_access_index));

struct cgroup___ptrs {
	int level;
	struct cgroup *ancestors[];
} __attribute__((preserve_access_index));

#define CG_LEVEL_MAX 4096 /* deeper than any kernel lets a hierarchy grow */

/*
 * The file belongs to the current task's own cgroup or to one below it:
 * a move there keeps every policy that confines the task (a target is a
 * cgroup and everything below it), as a nested runtime or systemd in a
 * container does. Unreadable: false, so the move is decided.
 */
static __always_inline bool move_stays_below(struct file *file)
{
	struct cgroup *cur = BPF_CORE_READ(bpf_get_current_task_btf(), cgroups, dfl_cgrp);
	struct kernfs_node *kn = BPF_CORE_READ(file, f_path.dentry, d_parent, d_inode, i_private);
	struct cgroup *to = kn ? BPF_CORE_READ(kn, priv) : NULL;
	int lvl = BPF_CORE_READ(cur, level);
	__u64 id = 0;

	if (!cur || !to || lvl < 0 || lvl >= CG_LEVEL_MAX || BPF_CORE_READ(to, level) < lvl)
		return false;
	if (bpf_core_field_exists(struct cgroup___ptrs, ancestors)) {
		struct cgroup *a = NULL;

		bpf_probe_read_kernel(&a, sizeof(a), &((struct cgroup___ptrs *)to)->ancestors[lvl]);
		return a == cur;
	}
	bpf_probe_read_kernel(&id, sizeof(id), &((struct cgroup___ids *)to)->ancestor_ids[lvl]);
	return id && id == BPF_CORE_READ(cur, kn, id);
}

static __always_inline int check_cgroup_write(struct file *file)
{
	struct pal_obj o = {.dir = file->f_path.dentry, .mnt = file->f_path.mnt};
	struct pal_req r;

	if (!escape_begin(&r) || move_stays_below(file))
		return 0;
	return req_finish(&r, PAL_EV_FILE, PAL_OP_CGROUP_MOVE, &o, NULL);
}

/*
 * Confinement is inherited over fork. clone3(CLONE_INTO_CGROUP) would start
 * a confined task's child in another cgroup; the hook does not see which
 * one, so the record has no path.
 */
SEC("lsm/task_alloc")
int BPF_PROG(palisade_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct pal_req r;

	if (ret)
		return ret;
	if (bpf_task_storage_get(&pal_confined_tasks, bpf_get_current_task_btf(), 0, 0))
		bpf_task_storage_get(&pal_confined_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!((__u64)clone_flags & CLONE_INTO_CGROUP) || !escape_begin(&r))
		return 0;
	r.ev_type = PAL_EV_FILE;
	r.ev_op = PAL_OP_CGROUP_MOVE;
	pal_report(&r); /* r.dir is 0: a record without a path */
	return verdict_errno(&r);
}

/* ---- hooks ------------------------------------------------------------- */

SEC("lsm/file_open")
int BPF_PROG(palisade_file_open, struct file *file, int ret)
{
	/* BTF arguments: plain loads, no helper calls */
	struct vfsmount *mnt = file->f_path.mnt;
	struct pal_obj o = {.dir = file->f_path.dentry, .mnt = mnt};
	__u32 fmode = file->f_mode, flags = file->f_flags;
	__u32 access = 0;

	if (ret)
		return ret;
	if ((fmode & FMODE_WRITE) && moves_tasks(file)) {
		int err = check_cgroup_write(file);

		if (err)
			return err;
	}
	/*
	 * The exec open is decided by bprm_check (or, for uselib, mmap_file):
	 * deciding it here as a read would let `deny read` forbid exec.
	 * Files on kernel-internal mounts have no path.
	 */
	if ((flags & __FMODE_EXEC) || (mnt->mnt_flags & MNT_INTERNAL))
		return 0;
	if (fmode & FMODE_READ)
		access |= PAL_ACC_READ;
	if (fmode & FMODE_WRITE)
		access |= (flags & O_APPEND) ? PAL_ACC_APPEND : PAL_ACC_WRITE;
	if ((fmode & FMODE_WRITE) && (flags & O_TRUNC))
		access |= PAL_ACC_TRUNCATE;
	if (!access)
		return 0;
	if (fmode & (FMODE_NOACCOUNT | FMODE_BACKING))
		return check_backing(file, access);
	/*
	 * overlayfs copying a lower file up reads it: a file its layer denies
	 * must not reach the upper layer, where the task could read the copy.
	 * The record names the file below its layer, which the task cannot see.
	 */
	if (stacked_backing(mnt))
		return check_real(file->f_inode, o.dir, &o, access);
	return check_open(file, &o, access);
}

/*
 * A write through an open file: the remembered decision when nothing it
 * depended on changed, else a full decision, remembered when it allowed
 * without a record and no rename or mount change ran while it was made.
 * Denials and audits are decided, and recorded, every time.
 */
static __always_inline int check_write_fd(struct file *file, const struct pal_obj *o, __u32 access)
{
	__u64 key = (__u64)file;
	struct write_memo *m, *now;
	struct pal_walk *w;
	struct pal_req r;

	if (!req_begin(&r, PAL_CLASS_FILE, access))
		return 0;
	w = scratch(); /* the memo under test is too large for the hook's stack */
	now = NULL;
	if (w) {
		now = &w->memo;
		memo_now(&r, now);
		m = bpf_map_lookup_elem(&pal_write_memos, &key);
		if (m && !(now->rename_seq & 1) && !(now->mount_seq & 1) && memo_same(m, now)) {
			pal_count(PAL_CNT_WRITES_REMEMBERED);
			return 0;
		}
	}
	req_target(&r, o, w);
	pal_decide(&r, w);
	if (now)
		memo_keep(file, &r, now);
	return req_finish(&r, PAL_EV_FILE, PAL_OP_WRITE, o, NULL);
}

/*
 * The file's memory may hold another file next: forget its decision first.
 * It runs on every close of the host, so the agent attaches it only with
 * the write hook, the one reader of decisions, and drops every decision
 * kept while it was detached before the write hook comes (agent/file.c).
 */
SEC("lsm/file_free_security")
int BPF_PROG(palisade_file_free, struct file *file)
{
	__u64 key = (__u64)file;

	if (file->f_mode & FMODE_WRITE)
		bpf_map_delete_elem(&pal_write_memos, &key);
	return 0;
}

/*
 * Writes through an fd opened before the policy loaded (or before a reload).
 * It runs on every read() and write() of the host, so the agent attaches it
 * only while the live generation needs it (agent/file.h,
 * pal_file_needs_write_hook), and before such a generation goes live.
 */
SEC("lsm/file_permission")
int BPF_PROG(palisade_file_permission, struct file *file, int mask, int ret)
{
	struct vfsmount *mnt;
	struct pal_obj o;

	if (ret)
		return ret;
	/* every read and write comes here: leave early, with plain loads */
	if (!(mask & (MAY_WRITE | MAY_APPEND)) || (file->f_inode->i_mode & S_IFMT) != S_IFREG)
		return 0;
	/* a move written through an fd opened before confinement */
	if (moves_tasks(file)) {
		int err = check_cgroup_write(file);

		if (err)
			return err;
	}
	mnt = file->f_path.mnt;
	if ((mnt->mnt_flags & MNT_INTERNAL) || stacked_backing(mnt))
		return 0;
	o = (struct pal_obj){.dir = file->f_path.dentry, .mnt = mnt};
	/* the kernel passes MAY_WRITE for every write: an O_APPEND fd only appends */
	return check_write_fd(file, &o,
			      ((mask & MAY_APPEND) || (file->f_flags & O_APPEND)) ? PAL_ACC_APPEND :
										    PAL_ACC_WRITE);
}

/* Exec is decided by `exec:` rules and by `files:` rules that name `exec`. */
static __always_inline int check_exec(const struct pal_obj *o, __u32 op, __u32 file_access,
				      bool exec_defaults)
{
	struct pal_walk *w;
	struct pal_req r;

	if (!req_begin(&r, PAL_CLASS_FILE, file_access))
		return 0;
	w = scratch();
	req_target(&r, o, w);
	r.exec_yields = exec_defaults;
	pal_decide(&r, w);
	r.exec_yields = 0;
	r.class = PAL_CLASS_EXEC;
	r.access = PAL_ACC_EXEC;
	r.explicit_only = !exec_defaults;
	pal_decide(&r, w);
	r.access = file_access;
	return req_finish(&r, PAL_EV_EXEC, op, o, NULL);
}

/* A mount no namespace shows: kernel-internal (memfds), or unmounted (MNT_DETACH). */
static __always_inline bool unreachable_mount(struct vfsmount *mnt)
{
	return internal_mount(mnt) || !BPF_CORE_READ(real_mount(mnt), mnt_ns);
}

/*
 * A runtime's copy of itself: before it sets up the container, runc's init
 * executes its own binary again through a bind mount it unmounted at once,
 * or through a memfd copy (crun makes one too). In a cgroup in setup, such
 * an exec, of a file on a mount no namespace shows, by a task whose own
 * program sits on a mounted filesystem, does not arm the cgroup. The
 * container's entrypoint still does: it is reached through the container's
 * mounts, or it is exec'd by the copy, whose own program is then on the
 * unreachable mount (an entrypoint of /proc/self/exe).
 */
static __always_inline bool runtime_self_copy(struct file *file, __u64 cgroup)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vfsmount *own = BPF_CORE_READ(task, mm, exe_file, f_path.mnt);

	return own && unreachable_mount(file->f_path.mnt) && !unreachable_mount(own) &&
	       in_setup_of(cgroup);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(palisade_bprm_check, struct linux_binprm *bprm, int ret)
{
	struct file *file = bprm->file;
	struct pal_obj o = {.dir = file->f_path.dentry, .mnt = file->f_path.mnt};
	/* read once: a runtime may be moving this task into a new cgroup now */
	__u64 cgroup = bpf_get_current_cgroup_id();

	if (ret)
		return ret;
	/* the first exec in a cgroup in setup arms it, this exec included */
	if (!runtime_self_copy(file, cgroup))
		arm_on_exec(cgroup);
	return check_exec(&o, PAL_OP_EXEC, PAL_ACC_EXEC, true);
}

/*
 * During execve the kernel maps the program itself (binfmt_elf) through
 * mmap_file. bprm_check has decided that exec already: a second decision
 * would log the exec twice, and a denial here comes after the point of no
 * return, so the task dies with SIGSEGV instead of getting EACCES (an
 * allow-list that allows `exec` but not `mmap-exec` killed every program).
 * The ELF interpreter is another file and is still decided. Kernels without
 * task_struct.in_execve (6.8+) skip any mapping of the task's own program,
 * which grants nothing the running program does not have.
 */
static __always_inline bool exec_maps_itself(struct file *file)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (bpf_core_field_exists(task->in_execve) &&
	    !BPF_CORE_READ_BITFIELD_PROBED(task, in_execve))
		return false;
	return file == BPF_CORE_READ(task, mm, exe_file);
}

/*
 * Executable mappings: `ld.so ./denied` maps the file instead of exec'ing it.
 * An `exec:` default is not applied here, or an exec allow-list would forbid
 * every shared library; explicit exec rules and file rules do apply.
 */
SEC("lsm/mmap_file")
int BPF_PROG(palisade_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	struct pal_obj o;

	if (ret)
		return ret;
	if (!file || !(prot & PROT_EXEC) || exec_maps_itself(file))
		return 0;
	o.dir = file->f_path.dentry;
	o.mnt = file->f_path.mnt;
	o.leaf = NULL;
	if (internal_mount(o.mnt))
		return 0;
	return check_exec(&o, PAL_OP_MMAP, PAL_ACC_MMAP_EXEC, false);
}

SEC("lsm/file_mprotect")
int BPF_PROG(palisade_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	struct file *file = vma->vm_file;
	struct pal_obj o;

	if (ret)
		return ret;
	if (!file || !(prot & PROT_EXEC) || (vma->vm_flags & VM_EXEC))
		return 0;
	o.dir = file->f_path.dentry;
	o.mnt = file->f_path.mnt;
	o.leaf = NULL;
	if (internal_mount(o.mnt))
		return 0;
	return check_exec(&o, PAL_OP_MMAP, PAL_ACC_MMAP_EXEC, false);
}

static __always_inline int check_name(const struct path *dir, struct dentry *dentry, __u32 op,
				      __u32 access)
{
	struct pal_obj o = {.dir = dir->dentry, .mnt = dir->mnt, .leaf = dentry};

	return check_obj(&o, PAL_CLASS_FILE, PAL_EV_FILE, op, access);
}

/* open(O_CREAT) and mknod both reach path_mknod. */
SEC("lsm/path_mknod")
int BPF_PROG(palisade_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	if (ret)
		return ret;
	return check_name(dir, dentry, PAL_OP_CREATE, PAL_ACC_CREATE);
}

SEC("lsm/path_mkdir")
int BPF_PROG(palisade_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode,
	     int ret)
{
	if (ret)
		return ret;
	return check_name(dir, dentry, PAL_OP_CREATE, PAL_ACC_CREATE);
}

SEC("lsm/path_symlink")
int BPF_PROG(palisade_path_symlink, const struct path *dir, struct dentry *dentry,
	     const char *old_name, int ret)
{
	if (ret)
		return ret;
	return check_name(dir, dentry, PAL_OP_CREATE, PAL_ACC_CREATE);
}

SEC("lsm/path_unlink")
int BPF_PROG(palisade_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return check_name(dir, dentry, PAL_OP_UNLINK, PAL_ACC_DELETE);
}

SEC("lsm/path_rmdir")
int BPF_PROG(palisade_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return check_name(dir, dentry, PAL_OP_UNLINK, PAL_ACC_DELETE);
}

/*
 * A new name for a file (link, rename) is checked on both ends: the access
 * itself on the source (and its default), and any rule that protects either
 * name — a confined task must not be able to give a protected file a new
 * name, nor replace a protected name.
 */
static __always_inline void decide_end(struct pal_req *r, const struct pal_obj *o, __u32 access,
				       struct pal_walk *w)
{
	req_target(r, o, w);
	r->access = access;
	r->explicit_only = 0;
	pal_decide(r, w);
	r->access = PAL_ACC_FILE_ALL;
	r->explicit_only = 1;
	pal_decide(r, w);
}

static __always_inline int check_two(const struct pal_obj *src, const struct pal_obj *dst, __u32 op,
				     __u32 access)
{
	struct pal_walk *w;
	struct pal_req r;

	if (!req_begin(&r, PAL_CLASS_FILE, access))
		return 0;
	w = scratch(); /* one lookup for both ends */
	decide_end(&r, src, access, w);
	decide_end(&r, dst, access, w);
	r.access = access;
	return req_finish(&r, PAL_EV_FILE, op, src, dst);
}

SEC("lsm/path_link")
int BPF_PROG(palisade_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	struct vfsmount *mnt = new_dir->mnt; /* a link never crosses mounts */
	struct pal_obj src = {.dir = old_dentry, .mnt = mnt};
	struct pal_obj dst = {.dir = new_dir->dentry, .mnt = mnt, .leaf = new_dentry};

	if (ret)
		return ret;
	return check_two(&src, &dst, PAL_OP_LINK, PAL_ACC_LINK);
}

SEC("lsm/path_rename")
int BPF_PROG(palisade_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	struct pal_obj src = {.dir = old_dir->dentry, .mnt = old_dir->mnt, .leaf = old_dentry};
	struct pal_obj dst = {.dir = new_dir->dentry, .mnt = new_dir->mnt, .leaf = new_dentry};

	if (ret)
		return ret;
	return check_two(&src, &dst, PAL_OP_RENAME, PAL_ACC_RENAME);
}

/*
 * chmod, chown and truncate of a path, or of an fd (fchown, ftruncate).
 * Objects on kernel-internal mounts (pipes, sockets, memfds) have no path
 * a rule could name: a runtime fchowns the pipes it was given as stdio.
 */
static __always_inline int check_path(const struct path *path, __u32 op, __u32 access)
{
	struct pal_obj o = {.dir = path->dentry, .mnt = path->mnt};

	if (internal_mount(path->mnt))
		return 0;
	return check_obj(&o, PAL_CLASS_FILE, PAL_EV_FILE, op, access);
}

SEC("lsm/path_chmod")
int BPF_PROG(palisade_path_chmod, const struct path *path, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return check_path(path, PAL_OP_CHMOD, PAL_ACC_CHMOD);
}

SEC("lsm/path_chown")
int BPF_PROG(palisade_path_chown, const struct path *path, __u32 uid, __u32 gid, int ret)
{
	if (ret)
		return ret;
	return check_path(path, PAL_OP_CHOWN, PAL_ACC_CHOWN);
}

/* truncate(2) and, before 6.2, ftruncate(2) and O_TRUNC too. */
SEC("lsm/path_truncate")
int BPF_PROG(palisade_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	return check_path(path, PAL_OP_TRUNCATE, PAL_ACC_TRUNCATE);
}

/*
 * ftruncate(2) and O_TRUNC from 6.2 on, where they no longer reach
 * path_truncate. Older kernels have no such hook: the agent loads this
 * program only when the kernel's BTF has it ('?': not loaded by default).
 */
SEC("?lsm/file_truncate")
int BPF_PROG(palisade_file_truncate, struct file *file, int ret)
{
	if (ret)
		return ret;
	return check_path(&file->f_path, PAL_OP_TRUNCATE, PAL_ACC_TRUNCATE);
}

/* ---- mounts ------------------------------------------------------------ */

#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_PROPAGATION ((1u << 17) | (1u << 18) | (1u << 19) | (1u << 20)) /* UNBINDABLE..SHARED */

/* bpf_loop step: merge the `mounts:` action of policy i, if it confines the task. */
static long mount_step(__u64 i, void *arg)
{
	struct pal_req *r = arg;
	const struct pal_policy *p;

	if (i >= r->npolicies)
		return 1;
	if (!(r->mask & (1ULL << i)))
		return 0;
	p = pal_policy_of(r->gen, (__u32)i);
	if (p && p->mounts != PAL_ACT_NONE)
		pal_verdict_merge(&r->v, p, (__u32)i, p->mounts, PAL_NO_RULE);
	return 0;
}

/*
 * A mount decides no path rule: any new mount may give a path around one.
 * The mount hooks are '?': the agent loads them where BTF has them.
 * The tasks it applies to are those the file hooks confine (req_begin), so
 * the point where confinement begins is the same for both.
 */
static __always_inline int check_mount(const struct path *to, const struct path *from)
{
	struct pal_obj o1 = {.dir = to->dentry, .mnt = to->mnt};
	struct pal_obj o2;
	struct pal_req r;

	if (!req_begin(&r, PAL_CLASS_FILE, PAL_ACC_MOUNT))
		return 0;
	bpf_loop(PAL_MAX_POLICIES, mount_step, &r, 0);
	if (!from)
		return req_finish(&r, PAL_EV_FILE, PAL_OP_MOUNT, &o1, NULL);
	o2 = (struct pal_obj){.dir = from->dentry, .mnt = from->mnt};
	return req_finish(&r, PAL_EV_FILE, PAL_OP_MOUNT, &o1, &o2);
}

/*
 * mount(2): new mounts, bind mounts, remounts and MS_MOVE. A change of
 * propagation alone makes no new path (unshare -m does one) and is left alone.
 */
SEC("?lsm/sb_mount")
int BPF_PROG(palisade_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	if (ret)
		return ret;
	if (!(flags & (MS_REMOUNT | MS_BIND)) && (flags & MS_PROPAGATION))
		return 0;
	return check_mount(path, NULL);
}

/* move_mount(2): attaches open_tree(OPEN_TREE_CLONE) copies and fsmount(2) mounts. */
SEC("?lsm/move_mount")
int BPF_PROG(palisade_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	if (ret)
		return ret;
	return check_mount(to_path, from_path);
}

SEC("?lsm/sb_pivotroot")
int BPF_PROG(palisade_sb_pivotroot, const struct path *old_path, const struct path *new_path,
	     int ret)
{
	if (ret)
		return ret;
	return check_mount(new_path, old_path);
}

/* ---- writes that are not write(2) ------------------------------------- */

#define PROT_WRITE 0x2
#define MAP_SHARED 0x1 /* also set in MAP_SHARED_VALIDATE */
#define VM_WRITE 0x2
#define VM_SHARED 0x8
#define F_SETFL 4

/* A regular file on a mount with paths: what a write can be decided on. */
static __always_inline bool writable_object(struct file *file)
{
	return (file->f_inode->i_mode & S_IFMT) == S_IFREG && !internal_mount(file->f_path.mnt);
}

static __always_inline int check_write(struct file *file, __u32 op, __u32 access)
{
	struct pal_obj o = {.dir = file->f_path.dentry, .mnt = file->f_path.mnt};

	return check_obj(&o, PAL_CLASS_FILE, PAL_EV_FILE, op, access);
}

/*
 * A shared writable mapping writes the file with stores that file_permission
 * never sees: it is a write, decided when the mapping is made, whatever the
 * fd's O_APPEND (stores land anywhere in the file). A program of its own on
 * the hook, next to the exec one, so each stays small.
 */
SEC("lsm/mmap_file")
int BPF_PROG(palisade_mmap_write, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret)
		return ret;
	if (!file || !(prot & PROT_WRITE) || !(flags & MAP_SHARED) || !writable_object(file))
		return 0;
	return check_write(file, PAL_OP_MMAP, PAL_ACC_WRITE);
}

/* mprotect(PROT_WRITE) of a shared mapping made read-only. */
SEC("lsm/file_mprotect")
int BPF_PROG(palisade_mprotect_write, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	struct file *file = vma->vm_file;

	if (ret)
		return ret;
	if (!file || !(prot & PROT_WRITE) || !(vma->vm_flags & VM_SHARED) ||
	    (vma->vm_flags & VM_WRITE) || !writable_object(file))
		return 0;
	return check_write(file, PAL_OP_MMAP, PAL_ACC_WRITE);
}

/*
 * fcntl(F_SETFL) clearing O_APPEND turns an fd that was allowed to append
 * into one that writes anywhere: that is asking for `write`.
 */
SEC("lsm/file_fcntl")
int BPF_PROG(palisade_file_fcntl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	if (cmd != F_SETFL || !(file->f_mode & FMODE_WRITE) || !(file->f_flags & O_APPEND) ||
	    (arg & O_APPEND) || !writable_object(file))
		return 0;
	return check_write(file, PAL_OP_WRITE, PAL_ACC_WRITE);
}

/* ---- metadata: extended attributes, ACLs, timestamps, inode flags ------ */

/*
 * Metadata changes are writes: a tree where `write` is denied (or an
 * allow-list without it) keeps its xattrs (security.capability: setcap),
 * ACLs, timestamps and inode flags (chattr) too. chmod, chown and truncate
 * keep their own words and hooks.
 *
 * The xattr, ACL and setattr hooks get a dentry without its mount. The
 * mount is taken from the superblock's list of mounts: the one in the
 * task's mount namespace that shows the whole filesystem, else the first
 * one there. The walk from the dentry must then reach the task's root
 * through that mount, or the access is unresolved and denied; a file with
 * other paths (bind mounts) is decided on this one plus the identity keys
 * of its directories, which only ever restrict.
 */
#define PAL_SB_MOUNTS_MAX 64 /* mounts of one superblock looked at; then unresolved */

/* Before 6.8 (?), a superblock listed its mounts in a list_head. */
struct super_block___lh {
	struct list_head s_mounts;
} __attribute__((preserve_access_index));

struct mount___lh {
	struct list_head mnt_instance;
} __attribute__((preserve_access_index));

struct mnt_find {
	struct mount *cur;
	struct list_head *head; /* list_head layout: the superblock's list */
	struct mnt_namespace *ns;
	struct dentry *s_root;
	struct mount *whole; /* in ns, shows the whole filesystem */
	struct mount *first; /* in ns, the first other one */
	bool internal; /* a kernel-internal mount: the object has no path */
};

static __always_inline struct mount *lh_mount(struct list_head *n, struct list_head *head)
{
	if (!n || n == head)
		return NULL;
	return (struct mount *)((char *)n - bpf_core_field_offset(struct mount___lh, mnt_instance));
}

static __always_inline struct mount *next_for_sb(struct mnt_find *f, struct mount *m)
{
	if (bpf_core_field_exists(struct mount, mnt_next_for_sb))
		return BPF_CORE_READ(m, mnt_next_for_sb);
	return lh_mount(BPF_CORE_READ((struct mount___lh *)m, mnt_instance.next), f->head);
}

static long mnt_find_step(__u64 i, void *arg)
{
	struct mnt_find *f = arg;
	struct mount *m = f->cur;

	if (!m)
		return 1;
	if (BPF_CORE_READ(m, mnt.mnt_flags) & MNT_INTERNAL)
		f->internal = true;
	if (BPF_CORE_READ(m, mnt_ns) == f->ns) {
		if (BPF_CORE_READ(m, mnt.mnt_root) == f->s_root) {
			f->whole = m;
			return 1;
		}
		if (!f->first)
			f->first = m;
	}
	f->cur = next_for_sb(f, m);
	return 0;
}

/* The mount a metadata change on d is decided through (see above), or NULL. */
static __always_inline struct vfsmount *dentry_mount(struct dentry *d, bool *internal)
{
	struct super_block *sb = d->d_sb;
	struct mnt_find f = {.s_root = sb->s_root};
	struct mount *m;

	f.ns = BPF_CORE_READ(bpf_get_current_task_btf(), nsproxy, mnt_ns);
	if (bpf_core_field_exists(struct mount, mnt_next_for_sb)) {
		f.cur = BPF_CORE_READ(sb, s_mounts);
	} else {
		struct super_block___lh *lsb = (void *)sb;

		f.head = (struct list_head *)((char *)sb +
					      bpf_core_field_offset(struct super_block___lh,
								    s_mounts));
		f.cur = lh_mount(BPF_CORE_READ(lsb, s_mounts.next), f.head);
	}
	bpf_loop(PAL_SB_MOUNTS_MAX, mnt_find_step, &f, 0);
	*internal = f.internal;
	m = f.whole ? f.whole : f.first;
	return m ? (struct vfsmount *)((char *)m + bpf_core_field_offset(struct mount, mnt)) : NULL;
}

/*
 * Credentials other than the task's own, put in force by a stacking
 * filesystem at work (overlayfs writing its upper layer with its mounter's)
 * and not possibly by io_uring. A request with an io_uring personality
 * overrides them the same way, in the submitting task (inline, or from
 * its task work after any system call), in an io-wq worker or in the SQPOLL
 * thread, so neither a task with an io_uring context nor an io_uring
 * thread (PF_IO_WORKER) counts. Alone it frees nothing: see check_dentry.
 */
static __always_inline bool stacking_override(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (t->cred == t->real_cred || (t->flags & PF_IO_WORKER))
		return false;
	return !bpf_core_field_exists(t->io_uring) || !t->io_uring;
}

/*
 * Decide `write` on a dentry without a mount. The walk is the helper walk
 * (pal_resolve): the mount found is no BTF pointer. No mount in the task's
 * namespace, or no walk from it to the task's root: unresolved, denied,
 * unless a stacking filesystem overrode the credentials (overlayfs writing
 * an upper layer the task cannot see; the task's own change was decided on
 * the overlay's path). A file the task can see is decided whatever its
 * credentials, and an io_uring personality frees nothing: a task that uses
 * io_uring gets no exception (stacking_override).
 */
static __always_inline int check_dentry(struct dentry *d, __u32 op)
{
	struct inode *inode = d->d_inode;
	struct vfsmount *mnt;
	bool internal = false;
	struct pal_obj o;
	struct pal_req r;

	if (!req_begin(&r, PAL_CLASS_FILE, PAL_ACC_WRITE))
		return 0;
	mnt = dentry_mount(d, &internal);
	if (!mnt && (internal || stacking_override()))
		return 0;
	o = (struct pal_obj){.dir = d, .mnt = mnt};
	req_point(&r, &o);
	r.ino = inode ? inode->i_ino : 0;
	r.is_dir = inode && (inode->i_mode & S_IFMT) == S_IFDIR;
	r.dev = pal_encode_dev(d->d_sb->s_dev);
	if (!mnt || pal_resolve(&r) < 0) {
		/*
		 * Not reachable from the task's root either: an overlay's
		 * upper layer below a container's root (copy-up sets its
		 * xattrs), as with no mount at all.
		 */
		if (mnt && stacking_override())
			return 0;
		r.walk_status = WALK_UNRESOLVED;
		r.depth = -1;
		pal_count(PAL_CNT_UNRESOLVED);
	}
	pal_decide(&r, scratch());
	return req_finish(&r, PAL_EV_FILE, op, &o, NULL);
}

/* setxattr, lsetxattr, fsetxattr; ACLs too before 6.2 (system.posix_acl_*). */
SEC("lsm/inode_setxattr")
int BPF_PROG(palisade_inode_setxattr, void *idmap, struct dentry *dentry, const char *name,
	     const void *value, size_t size, int flags, int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, PAL_OP_SETXATTR);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(palisade_inode_removexattr, void *idmap, struct dentry *dentry, const char *name,
	     int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, PAL_OP_REMOVEXATTR);
}

/* POSIX ACLs from 6.2 on, where they no longer reach inode_setxattr. */
SEC("?lsm/inode_set_acl")
int BPF_PROG(palisade_inode_set_acl, void *idmap, struct dentry *dentry, const char *name,
	     void *kacl, int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, PAL_OP_SETXATTR);
}

SEC("?lsm/inode_remove_acl")
int BPF_PROG(palisade_inode_remove_acl, void *idmap, struct dentry *dentry, const char *name,
	     int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, PAL_OP_REMOVEXATTR);
}

#define ATTR_MODE (1 << 0)
#define ATTR_UID (1 << 1)
#define ATTR_GID (1 << 2)
#define ATTR_SIZE (1 << 3)
#define ATTR_ATIME (1 << 4)
#define ATTR_MTIME (1 << 5)

/*
 * Timestamps (utimes, utimensat, futimens). A change of mode, owner or size
 * was decided at path_chmod, path_chown or the truncate hooks.
 */
static __always_inline int check_setattr(struct dentry *dentry, struct iattr *attr)
{
	unsigned int valid = attr->ia_valid;

	if (!(valid & (ATTR_ATIME | ATTR_MTIME)) ||
	    (valid & (ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_SIZE)))
		return 0;
	return check_dentry(dentry, PAL_OP_SETATTR);
}

/* inode_setattr took an idmap first from 6.8 on; the agent loads the one this kernel has. */
SEC("?lsm/inode_setattr")
int BPF_PROG(palisade_inode_setattr, void *idmap, struct dentry *dentry, struct iattr *attr,
	     int ret)
{
	if (ret)
		return ret;
	return check_setattr(dentry, attr);
}

SEC("?lsm/inode_setattr")
int BPF_PROG(palisade_inode_setattr_v1, struct dentry *dentry, struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return check_setattr(dentry, attr);
}

#define FS_IOC_SETFLAGS 0x40086602
#define FS_IOC32_SETFLAGS 0x40046602
#define FS_IOC_FSSETXATTR 0x401c5820

/* chattr (FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR): decided on the fd's own path. */
SEC("?lsm/file_ioctl")
int BPF_PROG(palisade_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	if (cmd != FS_IOC_SETFLAGS && cmd != FS_IOC32_SETFLAGS && cmd != FS_IOC_FSSETXATTR)
		return 0;
	if (internal_mount(file->f_path.mnt) || stacked_backing(file->f_path.mnt))
		return 0;
	return check_write(file, PAL_OP_SETFLAGS, PAL_ACC_WRITE);
}

/*
 * From 6.17 on, the flag ioctls and file_setattr(2) both reach
 * inode_file_setattr, with a dentry: there, this program replaces the ioctl one.
 */
SEC("?lsm/inode_file_setattr")
int BPF_PROG(palisade_inode_file_setattr, struct dentry *dentry, void *fa, int ret)
{
	if (ret)
		return ret;
	return check_dentry(dentry, PAL_OP_SETFLAGS);
}

/* ---- Unix sockets by path ---------------------------------------------- */

/*
 * connect(2) to a Unix stream or seqpacket socket, and a datagram send (or
 * a datagram connect) to one, ask for `connect` on the path the peer is
 * bound at, however the task named it (a symlink, a bind mount, another
 * mount namespace's view). Abstract and unbound sockets have no path and
 * are not decided. Only rules that name the socket decide (the policy's
 * `files:` default does not), so allow-lists written before the word
 * existed keep their sockets; a path that cannot be resolved is denied.
 */
static __always_inline int check_unix(struct sock *other)
{
	struct unix_sock *u = other ? bpf_skc_to_unix_sock(other) : NULL;
	struct task_struct *task = bpf_get_current_task_btf();
	struct dentry *d = u ? u->path.dentry : NULL;
	struct vfsmount *mnt;
	struct pal_obj o;
	struct pal_req r;
	bool internal = false;

	if (!d || !req_begin(&r, PAL_CLASS_FILE, PAL_ACC_UNIX_CONNECT))
		return 0;
	mnt = u->path.mnt;
	/* bound in another mount namespace: its path there means nothing here */
	if (BPF_CORE_READ(real_mount(mnt), mnt_ns) != BPF_CORE_READ(task, nsproxy, mnt_ns))
		mnt = dentry_mount(d, &internal);
	o = (struct pal_obj){.dir = d, .mnt = mnt};
	req_point(&r, &o);
	r.ino = BPF_CORE_READ(d, d_inode, i_ino);
	r.dev = pal_encode_dev(BPF_CORE_READ(d, d_sb, s_dev));
	r.explicit_only = 1;
	if (!mnt || pal_resolve(&r) < 0) {
		r.depth = -1;
		pal_count(PAL_CNT_UNRESOLVED);
		bpf_loop(PAL_MAX_POLICIES, escape_step, &r, 0); /* every policy denies */
	} else {
		pal_decide(&r, scratch());
	}
	return req_finish(&r, PAL_EV_FILE, PAL_OP_CONNECT, &o, NULL);
}

SEC("lsm/unix_stream_connect")
int BPF_PROG(palisade_unix_stream_connect, struct sock *sock, struct sock *other,
	     struct sock *newsk, int ret)
{
	if (ret)
		return ret;
	return check_unix(other);
}

SEC("lsm/unix_may_send")
int BPF_PROG(palisade_unix_may_send, struct socket *sock, struct socket *other, int ret)
{
	if (ret)
		return ret;
	return check_unix(other->sk);
}
