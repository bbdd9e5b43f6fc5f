/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The dentry walk of the file hooks (file.bpf.c): from an object up to the
 * task's root, crossing mounts, hashing every component once (path_hash.h)
 * into the task's scratch, leaf first. Then the request a walk serves
 * (struct pal_req), the object it names (struct pal_obj), and the
 * functions that walk a request's object: resolve_request, resolve_rest.
 * Include after vmlinux.h and bpf_helpers.h, from file.bpf.c and
 * file_shared.bpf.c only.
 */
#ifndef PALISADE_BPF_FILE_WALK_BPF_H
#define PALISADE_BPF_FILE_WALK_BPF_H

#include <bpf/bpf_core_read.h>
#include "bpf/common.bpf.h"
#include "bpf/path_hash.h"

#define MAX_MOUNT_HOPS 16 /* mounts a walk may cross besides its components */
#define INLINE_NAME 32 /* bytes of a dentry's inline name read with its parent */

/*
 * struct dentry from d_parent on: d_name, d_inode and the inline name
 * follow it in every kernel since 2.6, so one read gets all of them.
 */
struct parent_name {
	struct dentry *parent;
	struct qstr name;
	struct inode *inode;
	__u64 iname[INLINE_NAME / 8];
};

/*
 * What an allowed write through an open file depended on, besides the file
 * (its path, inode and mount are fixed for its life): the policy
 * generation, the policies that apply to the task (its cgroup, its setup
 * state), its executable, its root, and every path and mount, which only
 * change with the kernel's rename and mount seqlocks. While all of them
 * are the same, a write through the same file is the same decision
 * (file.bpf.c, check_write_fd).
 */
struct write_memo {
	__u64 root_d; /* the task's root: chroot, pivot_root, setns change it */
	__u64 root_mnt;
	__u64 mask;
	__u32 rename_seq; /* even: no rename in progress */
	__u32 mount_seq;
	__u32 gen;
	__u32 generation;
	__u32 exe_id;
	__u32 access;
};

/* Walk state, too large for the 512-byte stack: one per task. */
/* Bits of one policy that rules speak about, and which rule said what. */
struct pal_bits {
	__u32 deny, audit, allow;
	__u32 rule_deny, rule_audit, rule_allow;
};

/*
 * One policy's match in progress (file_match.bpf.h): the key being looked
 * up and the bits so far. Not on the stack: the match runs seven calls
 * deep, where the 512 bytes of stack are all but spent.
 */
struct pal_match {
	struct pal_file_key key;
	struct pal_bits bits;
	__u64 dir_depths; /* of the policy: depths that have directory keys */
	__u32 depth; /* of the object */
	__u32 exe_id; /* 0: no `from:` lookups */
	__u32 pat_first, pat_n; /* pal_pat_accept entries of the path (pal_req) */
};

struct pal_walk {
	__u64 name_hash[PAL_MAX_DEPTH]; /* leaf first */
	__u64 dentry[PAL_MAX_DEPTH]; /* the dentries behind name_hash, for the event path */
	__u64 words[PAL_NAME_WORDS];
	__u64 suffix[PAL_NAME_WORDS]; /* the last bytes of a name a pattern test hashes */
	struct parent_name pn; /* the dentry being walked, then the name a pattern step tests */
	__u64 audited_inode; /* the inode of the task's last audited open (check_backing) */
	struct write_memo memo; /* the write decision being made (check_write_fd) */
	struct pal_match match; /* one policy's match, in the same scratch: one lookup of it */
	char buf[2 * PAL_EV_PATH_MAX + PAL_NAME_MAX + 2]; /* event path being built */
};

/*
 * key: a task. value: its struct pal_walk. Per task, not per CPU:
 * non-sleepable LSM programs run with migration disabled but preemptible
 * (lazy preemption is the default from 6.18 on), so another task's hook
 * may run on this CPU in the middle of a decision; a per-CPU walk would
 * then decide this object by that task's path. A task runs one hook at a
 * time, so its own scratch is never shared. Created on the task's first
 * decision, freed with the task.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pal_walk);
} pal_walk_scratch SEC(".maps");

/*
 * struct mount from mnt_parent on: mnt_mountpoint, then the embedded
 * vfsmount, whose first field is mnt_root, in every kernel of the matrix:
 * one read gets where a mount sits and its own root (read_hop, which
 * checks the layout).
 */
struct mount_hop {
	struct mount *parent;
	struct dentry *mountpoint;
	struct dentry *root; /* mnt.mnt_root */
};

/* WALK_MOUNT: the BTF walk reached the root of the object's mount (it does not cross mounts). */
enum walk_status { WALK_RUNNING, WALK_DONE, WALK_UNRESOLVED, WALK_MOUNT };

struct walk_ctx {
	struct dentry *d;
	struct vfsmount *vfsmnt;
	struct dentry *mnt_root; /* vfsmnt's root, read once per mount */
	struct dentry *obj_mnt_root; /* the root of the object's own mount */
	struct mount_hop hop; /* of vfsmnt: read with its root, zero if unreadable */
	struct dentry *root_d;
	struct vfsmount *root_mnt;
	struct pal_walk *w;
	__u64 seed;
	__u32 depth;
	__u32 status;
};

/* The mount that embeds a vfsmount (container_of, as the kernel's real_mount). */
static __always_inline struct mount *real_mount(struct vfsmount *v)
{
	return (struct mount *)((char *)v - bpf_core_field_offset(struct mount, mnt));
}

/*
 * Where mount m sits (parent, mountpoint) and its root, into *h: one helper
 * call where the layout is the usual one (CO-RE constants: the other branch
 * is dead code). False if they cannot be read; what could not is zero (the
 * helper clears it).
 */
static __always_inline bool read_hop(struct mount *m, struct mount_hop *h)
{
	__u32 po = bpf_core_field_offset(struct mount, mnt_parent);
	long err;

	if (bpf_core_field_offset(struct mount, mnt_mountpoint) == po + 8 &&
	    bpf_core_field_offset(struct mount, mnt) == po + 16 &&
	    bpf_core_field_offset(struct vfsmount, mnt_root) == 0)
		return !bpf_probe_read_kernel(h, sizeof(*h), (char *)m + po);
	err = bpf_core_read(&h->parent, sizeof(h->parent), &m->mnt_parent);
	err |= bpf_core_read(&h->mountpoint, sizeof(h->mountpoint), &m->mnt_mountpoint);
	err |= bpf_core_read(&h->root, sizeof(h->root), &m->mnt.mnt_root);
	return !err;
}

struct word_ctx {
	__u64 *words;
	__u64 h;
	__u32 len;
};

/*
 * One 8-byte word of a component name. A bpf_loop callback rather than a
 * loop: with the name length unknown, an unrolled loop forks the verifier's
 * state at every word and the program no longer fits its budget.
 */
static long word_step(__u32 i, void *arg)
{
	struct word_ctx *c = arg;
	__u64 word;

	if (i >= PAL_NAME_WORDS || i * 8 >= c->len)
		return 1;
	word = c->words[i];
	if ((i + 1) * 8 > c->len)
		word &= pal_word_mask(c->len);
	c->h = pal_name_step(c->h, word);
	return 0;
}

/* Word i of a name of len bytes, with the bytes past its end cleared. */
static __always_inline __u64 name_word(__u64 word, __u32 i, __u32 len)
{
	return (i + 1) * 8 > len ? word & pal_word_mask(len) : word;
}

/* Hash a name of len bytes whose first words are in words[0..]. */
static __always_inline __u64 hash_words(__u64 seed, const __u64 *words, __u32 len)
{
	__u64 h = pal_name_init(seed, len);

	for (int i = 0; i < INLINE_NAME / 8; i++) { /* unrolled: names this short */
		if (i * 8 >= len)
			break;
		h = pal_name_step(h, name_word(words[i], i, len));
	}
	return h;
}

/* Record h as the hash of component d, the next one up. */
static __always_inline void put_hash(struct walk_ctx *c, struct dentry *d, __u64 h)
{
	__u32 idx = c->depth & (PAL_MAX_DEPTH - 1);

	c->w->name_hash[idx] = h;
	c->w->dentry[idx] = (__u64)d;
	c->depth++;
}

/*
 * Hash component d, whose d_name is q. Short names (inline: their bytes
 * were read with the dentry) are hashed from there; longer ones are read
 * first. Returns false if the name cannot be read.
 */
static __always_inline bool hash_qstr(struct walk_ctx *c, struct dentry *d, const struct qstr *q,
				      const __u64 *inline_words)
{
	struct word_ctx wc = {.words = c->w->words, .len = q->len};

	if (wc.len > PAL_NAME_MAX || c->depth >= PAL_MAX_DEPTH)
		return false;
	if (inline_words && wc.len < INLINE_NAME) {
		wc.h = hash_words(c->seed, inline_words, wc.len);
	} else {
		if (bpf_probe_read_kernel(c->w->words, wc.len, q->name))
			return false;
		wc.h = pal_name_init(c->seed, wc.len);
		if (wc.len <= 8) /* most names: one word, no loop */
			wc.h = wc.len ?
				       pal_name_step(wc.h, c->w->words[0] & pal_word_mask(wc.len)) :
				       wc.h;
		else
			bpf_loop(PAL_NAME_WORDS, word_step, &wc, 0);
	}
	put_hash(c, d, wc.h);
	return true;
}

/* Hash one component; returns false if it cannot be read. */
static __always_inline bool hash_name(struct walk_ctx *c, struct dentry *d)
{
	struct qstr q; /* length and name pointer in one read */

	return !bpf_core_read(&q, sizeof(q), &d->d_name) && hash_qstr(c, d, &q, NULL);
}

/* 6.1 to 6.13 call the inline name d_iname; later kernels d_shortname. */
struct dentry___iname {
	__u64 d_iname[INLINE_NAME / 8]; /* unsigned char[32]: words, for 8-byte loads */
} __attribute__((preserve_access_index));

/* Offset of the inline name in struct dentry (a CO-RE constant), or 0. */
static __always_inline __u32 iname_offset(void)
{
	if (bpf_core_field_exists(struct dentry___iname, d_iname))
		return bpf_core_field_offset(struct dentry___iname, d_iname);
	if (bpf_core_field_exists(struct dentry, d_shortname))
		return bpf_core_field_offset(struct dentry, d_shortname);
	return 0;
}

/*
 * Helper calls are most of a walk's cost: read d_parent, d_name and the
 * inline name of d in one call, where the layout is the usual one (the
 * offsets are CO-RE constants: the other branch is dead code). Returns
 * the inline name's words when the name lives there, else NULL; *ok says
 * whether the reads worked.
 */
static __always_inline const __u64 *read_parent_name(struct dentry *d, struct parent_name *pn,
						     bool *ok)
{
	__u32 po = bpf_core_field_offset(struct dentry, d_parent);
	__u32 io = iname_offset();

	if (bpf_core_field_offset(struct dentry, d_name) == po + 8 &&
	    bpf_core_field_offset(struct dentry, d_inode) == po + 24 && io == po + 32) {
		*ok = !bpf_probe_read_kernel(pn, sizeof(*pn), (char *)d + po);
		return *ok && pn->name.name == (const unsigned char *)d + io ? pn->iname : NULL;
	}
	*ok = !bpf_core_read(&pn->parent, sizeof(pn->parent), &d->d_parent) &&
	      !bpf_core_read(&pn->name, sizeof(pn->name), &d->d_name);
	return NULL;
}

/* Word i of d's inline name, with a plain load (CO-RE: either layout). */
static __always_inline __u64 iname_word(struct dentry *d, int i)
{
	if (bpf_core_field_exists(struct dentry___iname, d_iname))
		return ((struct dentry___iname *)d)->d_iname[i];
	return d->d_shortname.words[i];
}

/*
 * Hash the inline name (len < INLINE_NAME bytes) of a BTF pointer d: plain
 * loads, a few instructions each, instead of a helper call; constant
 * offsets, one per word in use (a BTF load takes no variable offset).
 */
static __always_inline __u64 hash_iname(__u64 seed, struct dentry *d, __u32 len)
{
	__u64 h = pal_name_init(seed, len);

	if (len > 0)
		h = pal_name_step(h, name_word(iname_word(d, 0), 0, len));
	if (len > 8)
		h = pal_name_step(h, name_word(iname_word(d, 1), 1, len));
	if (len > 16)
		h = pal_name_step(h, name_word(iname_word(d, 2), 2, len));
	if (len > 24)
		h = pal_name_step(h, name_word(iname_word(d, 3), 3, len));
	return h;
}

/* hash_qstr for a BTF pointer d; returns false if the name cannot be read. */
static __always_inline bool hash_btf(struct walk_ctx *c, struct dentry *d)
{
	__u32 len = d->d_name.len;
	const unsigned char *name = d->d_name.name;
	struct qstr *q = &c->w->pn.name;

	if (len < INLINE_NAME && (__u64)name == (__u64)d + iname_offset()) {
		if (c->depth >= PAL_MAX_DEPTH)
			return false;
		put_hash(c, d, hash_iname(c->seed, d, len));
		return true;
	}
	q->len = len;
	q->name = name;
	return hash_qstr(c, d, q, NULL);
}

/*
 * One component of the walk. With btf, c holds BTF pointers (the hook's
 * own arguments and what plain loads found from them): names are read
 * with plain loads, and the walk stops at the root of the object's mount
 * (WALK_MOUNT), because crossing a mount needs container_of, which only a
 * helper read can follow; the rest is walked without btf.
 */
static __always_inline long walk_step_of(struct walk_ctx *c, bool btf)
{
	struct vfsmount *vfsmnt = c->vfsmnt; /* a local: CO-RE relocates kernel types only */
	struct dentry *d = c->d, *parent;
	struct parent_name *pn = &c->w->pn;
	bool ok;

	if (d == c->root_d && vfsmnt == c->root_mnt) {
		c->status = WALK_DONE;
		return 1;
	}
	if (d == c->mnt_root) {
		struct mount *m = real_mount(vfsmnt);
		struct mount *up;

		if (btf) {
			c->status = WALK_MOUNT;
			return 1;
		}
		up = c->hop.parent; /* read with m's root, when the walk entered m */
		if (up == m) { /* top of a namespace we did not start from */
			c->status = WALK_UNRESOLVED;
			return 1;
		}
		c->d = c->hop.mountpoint;
		c->vfsmnt =
			(struct vfsmount *)((char *)up + bpf_core_field_offset(struct mount, mnt));
		if (!read_hop(up, &c->hop)) {
			c->status = WALK_UNRESOLVED;
			return 1;
		}
		c->mnt_root = c->hop.root;
		return 0;
	}
	if (btf) {
		parent = d->d_parent; /* a local: read back from the map, it is no BTF pointer */
		ok = parent != d && hash_btf(c, d);
	} else {
		const __u64 *inl = read_parent_name(d, pn, &ok);

		parent = pn->parent;
		ok = ok && parent != d && hash_qstr(c, d, &pn->name, inl);
	}
	if (!ok) {
		/* unreadable, disconnected, too deep */
		c->status = WALK_UNRESOLVED;
		return 1;
	}
	c->d = parent;
	return 0;
}

static long walk_step(__u32 i, void *arg)
{
	return walk_step_of(arg, false);
}

/* The task's root, where every walk ends (BTF pointers: plain loads). */
static __always_inline void walk_root(struct walk_ctx *c)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fs_struct *fs = task->fs;

	c->root_d = fs->root.dentry;
	c->root_mnt = fs->root.mnt;
}

/* The depth of a finished walk, or -1 when it could not finish. */
static __always_inline int walk_depth(const struct walk_ctx *c)
{
	return c->status == WALK_DONE ? c->depth : -1;
}

/*
 * Resolve `leaf` (optional, a name not yet linked, e.g. for create) below
 * `dir`/`vfsmount` up to the task's root: w->name_hash[0..depth), leaf first.
 * Returns the depth, or -1 when the path cannot be resolved.
 */
static __always_inline int walk_path(struct walk_ctx *c, struct dentry *leaf)
{
	struct vfsmount *vfsmnt = c->vfsmnt; /* a local: CO-RE relocates kernel types only */

	walk_root(c);
	/*
	 * No mount (a hook with only a dentry), or an unreadable one: no mount
	 * root, and the walk ends unresolved at its filesystem's root.
	 */
	read_hop(real_mount(vfsmnt), &c->hop);
	c->mnt_root = c->hop.root;
	c->obj_mnt_root = c->mnt_root;
	c->depth = 0;
	c->status = WALK_RUNNING;
	if (leaf && !hash_name(c, leaf))
		return -1;
	bpf_loop(PAL_MAX_DEPTH + MAX_MOUNT_HOPS, walk_step, c, 0);
	return walk_depth(c);
}

/* ---- the request and its object ---------------------------------------- */

/*
 * One decision request. The heavy steps (pal_resolve, pal_decide,
 * pal_report) are programs of their own (file_shared.bpf.c): the verifier
 * checks each once for every hook, instead of once per hook, per call site
 * and caller state. Kernel pointers travel as scalars (they are only ever
 * read with BPF_CORE_READ).
 */
struct pal_req {
	__u64 dir; /* struct dentry *: the object, or its parent when leaf is set */
	__u64 mnt; /* struct vfsmount * */
	__u64 leaf; /* struct dentry *, or 0 */
	/* the object's identity, read by the hook (req_target) with plain loads: */
	__u64 ino; /* its inode number, 0 when it has no inode yet (create) */
	__u32 dev; /* its device, as identity keys encode it */
	__u8 is_dir; /* it is a directory: directory identity keys may name it */
	__u8 aliased; /* out of pal_resolve: its directories may have other paths */
	__u8 explicit_only; /* ignore defaults: only rules that name the object */
	__u8 exec_yields; /* exec: a policy with exec: rules decides by them, not its files default */
	__u8 identity_only; /* no path: identity keys of the object and its directories, deny and audit only */
	__u8 patterns; /* a policy to evaluate has pattern rules (pal_decide runs the automaton) */
	__u8 pad[6];
	__u64 seed;
	__u64 mask; /* policies to evaluate */
	struct pal_verdict v; /* merged over every decide call */
	__u32 gen;
	__u16 npolicies;
	__u16 walk_status; /* enum walk_status; WALK_MOUNT: the walk is to be finished */
	__u32 exe_id;
	__u32 class;
	__u32 access;
	__s32 depth; /* out of pal_resolve: -1 when unresolved */
	__u32 pat_first; /* pal_pat_accept entries of the patterns the path matches */
	__u32 pat_n;
	/* the record pal_report writes: */
	__u32 ev_type; /* enum pal_event_type */
	__u32 ev_op; /* enum pal_op */
	__u64 dir2; /* the second object (link, rename, mount), like dir, mnt, leaf; or 0 */
	__u64 mnt2;
	__u64 leaf2;
};

/*
 * The heavy steps of a request, one program each in file_shared.bpf.c. The
 * hooks call these stubs (file.bpf.c), and the agent replaces each stub in
 * every hook with its program before the hooks attach.
 */
int pal_resolve(struct pal_req *r); /* walk r's object: resolve_request */
/* the verdict: decide_request (file_match.bpf.h); w: the hook's scratch() */
int pal_decide(struct pal_req *r, struct pal_walk *w);
int pal_report(struct pal_req *r); /* the record of a verdict: report (file_event.bpf.h) */

/* NULL only when the kernel cannot allocate it: the decision fails closed. */
static __always_inline struct pal_walk *scratch(void)
{
	return bpf_task_storage_get(&pal_walk_scratch, bpf_get_current_task_btf(), 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/*
 * Whether the directories above obj (on mount mnt) may have a path that the
 * walk did not pass, so that their identity keys can say more than the path
 * keys did (see match_ancestors): the mount is a bind mount of a
 * subdirectory (the directories above its root are not on the path), or
 * the task's root (root_d, when the walk ended on this mount) is not the
 * root of the filesystem (chroot). Otherwise the walk passed every
 * ancestor, and the lookups, the largest part of a decision, are skipped.
 * Not covered: the same filesystem mounted at its root in two places (the
 * identity keys of files, match_inode, still are).
 */
static __always_inline __u32 aliased(struct dentry *s_root, struct dentry *mnt_root,
				     struct dentry *root_d)
{
	return mnt_root != s_root || (root_d && root_d != s_root);
}

/* The object of r: the leaf, or the directory when there is none. */
static __always_inline struct dentry *req_obj(const struct pal_req *r)
{
	return (struct dentry *)(r->leaf ? r->leaf : r->dir);
}

/*
 * Walk the object of r into the task's scratch; sets the out fields of r.
 * The body of pal_resolve (file_shared.bpf.c).
 */
static __always_inline int resolve_request(struct pal_req *r)
{
	struct walk_ctx c = {0};

	if (!r)
		return -1;
	c.w = scratch();
	if (!c.w)
		return -1;
	c.d = (struct dentry *)r->dir;
	c.vfsmnt = (struct vfsmount *)r->mnt;
	c.seed = r->seed;
	r->depth = walk_path(&c, (struct dentry *)r->leaf);
	r->walk_status = c.status;
	r->aliased = aliased(BPF_CORE_READ(req_obj(r), d_sb, s_root), c.obj_mnt_root,
			     (struct vfsmount *)r->mnt == c.root_mnt ? c.root_d : NULL);
	return r->depth;
}

/*
 * Finish the walk that resolve_btf began in the hook, which stopped at the
 * root of the object's mount: cross the mounts above it. Called by the
 * first pal_decide of the request, which has the scratch at hand.
 */
static __noinline int resolve_rest(struct pal_req *r, struct pal_walk *w)
{
	struct walk_ctx c = {.w = w, .seed = r->seed, .depth = r->depth};
	struct vfsmount *mnt = (struct vfsmount *)r->mnt; /* a local, for CO-RE */

	walk_root(&c);
	c.vfsmnt = mnt;
	read_hop(real_mount(mnt), &c.hop); /* unreadable: no root, the walk fails */
	c.d = c.hop.root; /* where resolve_btf stopped */
	c.mnt_root = c.d;
	c.status = WALK_RUNNING;
	bpf_loop(PAL_MAX_DEPTH + MAX_MOUNT_HOPS, walk_step, &c, 0);
	r->walk_status = c.status;
	r->depth = walk_depth(&c);
	return r->depth;
}

struct pal_obj {
	struct dentry *dir; /* the object itself, or its parent when leaf is set */
	struct vfsmount *mnt;
	struct dentry *leaf;
};

/* Point r at o; o holds the hook's BTF pointers, so these are plain loads. */
static __always_inline void req_point(struct pal_req *r, const struct pal_obj *o)
{
	r->dir = (__u64)o->dir;
	r->mnt = (__u64)o->mnt;
	r->leaf = (__u64)o->leaf;
}

#endif /* PALISADE_BPF_FILE_WALK_BPF_H */
