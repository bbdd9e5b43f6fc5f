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
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.bpf.h"
#include "bpf/path_hash.h"

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
#define S_IFMT 00170000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define MAX_MOUNT_HOPS 16 /* mounts a walk may cross besides its components */

/* key: struct pal_file_key (abi.h). value: struct pal_file_rule, merged bits. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024); /* resized by the agent from the compiled policy */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pal_file_key);
	__type(value, struct pal_file_rule);
} pal_files SEC(".maps");

/* key: struct pal_exe_key, an executable named in `from:`. value: __u32 exe id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PAL_MAX_EXES);
	__type(key, struct pal_exe_key);
	__type(value, __u32);
} pal_exes SEC(".maps");

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

/* key: __u32 generation slot. value: struct pal_bloom of its pal_files keys (abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PAL_GENS);
	__type(key, __u32);
	__type(value, struct pal_bloom);
} pal_bloom SEC(".maps");

/* Walk state, too large for the 512-byte stack: one per CPU. */
struct pal_walk {
	__u64 name_hash[PAL_MAX_DEPTH]; /* leaf first */
	__u64 dentry[PAL_MAX_DEPTH]; /* the dentries behind name_hash, for the event path */
	__u64 words[PAL_NAME_WORDS];
	struct parent_name pn; /* the dentry being walked */
	char buf[2 * PAL_EV_PATH_MAX + PAL_NAME_MAX + 2]; /* event path being built */
	__u64 owner; /* pid_tgid of the task whose decision walked into this */
};

/* key: 0. value: this CPU's struct pal_walk scratch space. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pal_walk);
} pal_walk_scratch SEC(".maps");

/* WALK_MOUNT: the BTF walk reached the root of the object's mount (it does not cross mounts). */
enum walk_status { WALK_RUNNING, WALK_DONE, WALK_UNRESOLVED, WALK_MOUNT };

struct walk_ctx {
	struct dentry *d;
	struct vfsmount *vfsmnt;
	struct dentry *mnt_root; /* vfsmnt's root, read once per mount */
	struct dentry *obj_mnt_root; /* the root of the object's own mount */
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
		up = BPF_CORE_READ(m, mnt_parent);
		if (up == m) { /* top of a namespace we did not start from */
			c->status = WALK_UNRESOLVED;
			return 1;
		}
		c->d = BPF_CORE_READ(m, mnt_mountpoint);
		vfsmnt = (struct vfsmount *)((char *)up + bpf_core_field_offset(struct mount, mnt));
		c->vfsmnt = vfsmnt;
		c->mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
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

/* Two components per step: a bpf_loop step costs a call. */
static long walk_step_btf(__u32 i, void *arg)
{
	return walk_step_of(arg, true) || walk_step_of(arg, true);
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
	if (!c->mnt_root) /* callers with BTF pointers read it for free */
		c->mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	c->obj_mnt_root = c->mnt_root;
	c->depth = 0;
	c->status = WALK_RUNNING;
	if (leaf && !hash_name(c, leaf))
		return -1;
	bpf_loop(PAL_MAX_DEPTH + MAX_MOUNT_HOPS, walk_step, c, 0);
	return walk_depth(c);
}

/*
 * One decision request. The heavy steps below are global functions: the
 * verifier checks each once, instead of once per call site and caller
 * state, which is what keeps 14 hooks loadable. Kernel pointers travel as
 * scalars (they are only ever read with BPF_CORE_READ).
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
};

static __always_inline struct pal_walk *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&pal_walk_scratch, &zero);
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

/* Walk the object of r into this CPU's scratch; sets the out fields of r. */
__noinline int pal_resolve(struct pal_req *r)
{
	struct walk_ctx c = {0};

	if (!r)
		return -1;
	c.w = scratch();
	if (!c.w)
		return -1;
	c.w->owner = bpf_get_current_pid_tgid(); /* see pal_decide */
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
	c.d = BPF_CORE_READ(mnt, mnt_root); /* where resolve_btf stopped */
	c.mnt_root = c.d;
	c.status = WALK_RUNNING;
	bpf_loop(PAL_MAX_DEPTH + MAX_MOUNT_HOPS, walk_step, &c, 0);
	r->walk_status = c.status;
	r->depth = walk_depth(&c);
	return r->depth;
}

/* Bits of one policy that rules speak about, and which rule said what. */
struct pal_bits {
	__u32 deny, audit, allow;
	__u32 rule_deny, rule_audit, rule_allow;
	const struct pal_bloom *bloom; /* of the generation decided: looked up once */
};

static __always_inline void bits_add(struct pal_bits *b, const struct pal_file_rule *r)
{
	if (r->deny && b->rule_deny == PAL_NO_RULE)
		b->rule_deny = r->rule_deny;
	if (r->audit && b->rule_audit == PAL_NO_RULE)
		b->rule_audit = r->rule_audit;
	if (r->allow && b->rule_allow == PAL_NO_RULE)
		b->rule_allow = r->rule_allow;
	b->deny |= r->deny;
	b->audit |= r->audit;
	b->allow |= r->allow;
}

/* false: k is certainly not in pal_files (a Bloom bit of it is clear), skip the lookup. */
static __always_inline bool may_have(const struct pal_bits *b, const struct pal_file_key *k)
{
	const struct pal_bloom *bl = b->bloom;
	__u64 x, mask;

	if (!bl)
		return true; /* never skip what may be there */
	x = pal_bloom_hash(k);
	mask = pal_bloom_mask(x);
	return (bl->w[pal_bloom_word(x) & (PAL_BLOOM_WORDS - 1)] & mask) == mask;
}

static __always_inline void lookup_add(struct pal_bits *b, struct pal_file_key *k)
{
	const struct pal_file_rule *r;

	if (!may_have(b, k))
		return;
	r = bpf_map_lookup_elem(&pal_files, k);
	if (r)
		bits_add(b, r);
}

struct match_ctx {
	struct pal_walk *w;
	struct pal_bits *bits;
	struct pal_file_key *key;
	__u64 prefix; /* hash of the first i components (path_hash.h), at step i */
	__u64 dir_depths;
	__u32 depth;
	__u32 exe_id; /* 0: no `from:` lookups */
};

/*
 * Directory rules at depth i cover everything below, and the directory
 * itself. The prefix hashes are made here, root first, as the loop goes:
 * the walk found the names leaf first.
 */
static __always_inline void dir_level(struct match_ctx *m, __u32 i)
{
	if (i)
		m->prefix = pal_prefix_next(m->prefix,
					    m->w->name_hash[(m->depth - i) & (PAL_MAX_DEPTH - 1)]);
	if (!(m->dir_depths & (1ULL << (i < 63 ? i : 63))))
		return;
	m->key->kind = PAL_KEY_DIR;
	m->key->a = m->prefix;
	m->key->b = i;
	lookup_add(m->bits, m->key);
	if (m->exe_id) {
		m->key->kind = PAL_KEY_DIR | PAL_KEY_FROM;
		m->key->a = pal_from_mix(m->key->a, m->exe_id);
		lookup_add(m->bits, m->key);
	}
}

#define DIR_UNROLL 4 /* levels per dir_step: a bpf_loop step costs a call */

static long dir_step(__u32 n, void *arg)
{
	struct match_ctx *m = arg;

#pragma unroll
	for (__u32 j = 0; j < DIR_UNROLL; j++) {
		__u32 i = n * DIR_UNROLL + j;

		if (i > m->depth || i > PAL_MAX_DEPTH)
			return 1;
		dir_level(m, i);
	}
	return 0;
}

/*
 * Identity keys: a hardlink or bind mount of a rule path is the same inode.
 * Directory identity keys only ever name directories (emit_file.c).
 */
static __always_inline void match_inode(struct pal_bits *b, struct pal_file_key *k, __u64 ino,
					__u32 dev, __u32 is_dir, __u32 exe_id)
{
	__u8 last = is_dir ? PAL_KEY_DIR_INODE : PAL_KEY_INODE;

	if (!ino)
		return;
	k->b = dev;
	for (__u8 kind = PAL_KEY_INODE; kind <= last; kind++) {
		k->kind = kind;
		k->a = ino;
		lookup_add(b, k);
		if (exe_id) {
			k->kind = kind | PAL_KEY_FROM;
			k->a = pal_from_mix(ino, exe_id);
			lookup_add(b, k);
		}
	}
}

/* As lookup_add, for matches that may only restrict: allow bits are dropped. */
static __always_inline void lookup_add_restrictive(struct pal_bits *b, struct pal_file_key *k)
{
	const struct pal_file_rule *r;
	struct pal_file_rule only;

	if (!may_have(b, k))
		return;
	r = bpf_map_lookup_elem(&pal_files, k);
	if (!r)
		return;
	only = *r;
	only.allow = 0;
	bits_add(b, &only);
}

struct anc_ctx {
	struct pal_bits *bits;
	struct pal_file_key *key;
	struct dentry *d; /* the dentry whose parent is next */
	__u32 exe_id;
};

/* One ancestor directory of the object, within its filesystem. */
static long anc_step(__u32 i, void *arg)
{
	struct anc_ctx *a = arg;
	struct dentry *d = a->d; /* a local: CO-RE relocates kernel types only */
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	__u64 ino;

	if (!parent || parent == d) /* the filesystem's root is done */
		return 1;
	a->d = parent;
	ino = BPF_CORE_READ(parent, d_inode, i_ino);
	a->key->kind = PAL_KEY_DIR_INODE;
	a->key->a = ino;
	lookup_add_restrictive(a->bits, a->key);
	if (a->exe_id) {
		a->key->kind = PAL_KEY_DIR_INODE | PAL_KEY_FROM;
		a->key->a = pal_from_mix(ino, a->exe_id);
		lookup_add_restrictive(a->bits, a->key);
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
static __always_inline void match_ancestors(struct pal_bits *b, struct pal_file_key *k,
					    struct dentry *obj, __u32 dev, __u32 exe_id)
{
	struct anc_ctx a = {.bits = b, .key = k, .d = obj, .exe_id = exe_id};

	if (!obj)
		return;
	k->b = dev; /* every ancestor is on the object's filesystem */
	bpf_loop(PAL_MAX_DEPTH, anc_step, &a, 0);
}

/* Collect the rule bits one policy has for the resolved object. */
static __always_inline void match_policy(struct pal_walk *w, const struct pal_req *r,
					 const struct pal_policy *p, __u32 policy,
					 struct pal_bits *b)
{
	/* b holds the slot as pal_bloom's __u32 key until the lookups set it (no stack to spare) */
	struct pal_file_key k = {.gen = r->gen, .policy = policy, .b = r->gen, .class = r->class};
	__u32 exe_id = (p->flags & PAL_POLF_FROM) ? r->exe_id : 0;
	struct match_ctx m = {
		.w = w,
		.bits = b,
		.key = &k,
		.prefix = pal_prefix_root(r->seed),
		.dir_depths = p->dir_depths,
		.depth = r->depth,
		.exe_id = exe_id,
	};
	__u32 d = r->depth;

	if (d > PAL_MAX_DEPTH)
		return;
	b->bloom = bpf_map_lookup_elem(&pal_bloom, &k.b);
	/* levels 0..d; leaves m.prefix at depth d */
	bpf_loop((PAL_MAX_DEPTH + DIR_UNROLL) / DIR_UNROLL, dir_step, &m, 0);
	if (p->exact_depths & (1ULL << (d < 63 ? d : 63))) {
		k.kind = PAL_KEY_EXACT;
		k.a = m.prefix;
		k.b = d;
		lookup_add(b, &k);
		if (exe_id) {
			k.kind = PAL_KEY_EXACT | PAL_KEY_FROM;
			k.a = pal_from_mix(k.a, exe_id);
			lookup_add(b, &k);
		}
	}
	if (!(p->flags & PAL_POLF_INODE_KEYS))
		return;
	match_inode(b, &k, r->ino, r->dev, r->is_dir, exe_id);
	if (p->dir_depths && r->aliased)
		match_ancestors(b, &k, req_obj(r), r->dev, exe_id);
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

struct decide_ctx {
	struct pal_req *r;
	struct pal_walk *w;
};

static long decide_step(__u32 policy, void *arg)
{
	struct decide_ctx *d = arg;
	struct pal_req *r = d->r;
	const struct pal_policy *p;
	struct pal_bits b = {
		.rule_deny = PAL_NO_RULE, .rule_audit = PAL_NO_RULE, .rule_allow = PAL_NO_RULE};
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
	match_policy(d->w, r, p, policy, &b);
	action = bits_action(&b, r->access, dflt, &rule);
	pal_verdict_merge(&r->v, p, policy, action, rule);
	return 0;
}

/*
 * Merge every applicable policy's action for the object pal_resolve walked.
 *
 * Non-sleepable LSM programs run with migration disabled, not preemption:
 * with full preemption (preempt=full, PREEMPT_RT, lazy preemption) another
 * task's hook can run on this CPU in the middle of a decision and overwrite
 * the per-CPU walk, which would decide this object by that task's path.
 * pal_resolve (and pal_path_str, which walks into the same scratch) stamps
 * the walk with the task; a decision that finds another stamp afterwards is
 * made again from a fresh walk, and fails closed if that one is overwritten
 * too.
 */
/* One pass of decide_step over the policies. Global: verified once, not per call. */
__noinline int pal_decide_once(struct pal_req *r)
{
	struct decide_ctx d = {.r = r};

	if (!r)
		return 0;
	d.w = scratch();
	if (!d.w)
		return 0;
	bpf_loop(PAL_MAX_POLICIES, decide_step, &d, 0); /* to r->npolicies */
	return d.w->owner == bpf_get_current_pid_tgid(); /* see pal_decide */
}

__noinline int pal_decide(struct pal_req *r)
{
	struct pal_walk *w;
	struct pal_verdict before;

	if (!r)
		return 0;
	w = scratch();
	if (!w)
		return 0;
	/* the first decision on a walk that stopped at a mount finishes it */
	if (r->walk_status == WALK_MOUNT && resolve_rest(r, w) < 0)
		pal_count(PAL_CNT_UNRESOLVED);
	before = r->v;
	if (pal_decide_once(r))
		return r->v.action;
	r->v = before;
	pal_resolve(r);
	if (pal_decide_once(r))
		return r->v.action;
	r->v = before;
	r->depth = -1;
	pal_count(PAL_CNT_UNRESOLVED);
	pal_decide_once(r);
	return r->v.action;
}

/* ---- event paths (deny/audit path only) -------------------------------- */

struct build_ctx {
	struct pal_walk *w;
	__u32 depth;
	__u32 off;
	__u32 truncated;
};

/* Append "/name" of component i (root first) to w->buf. */
static long build_step(__u32 i, void *arg)
{
	struct build_ctx *b = arg;
	struct dentry *d;
	__u32 off = b->off;
	long n;

	if (i >= b->depth)
		return 1;
	if (off >= PAL_EV_PATH_MAX - 1) {
		b->truncated = 1;
		return 1;
	}
	d = (struct dentry *)b->w->dentry[(b->depth - 1 - i) & (PAL_MAX_DEPTH - 1)];
	b->w->buf[off] = '/';
	off++;
	n = bpf_probe_read_kernel_str(&b->w->buf[off], PAL_NAME_MAX + 1,
				      BPF_CORE_READ(d, d_name.name));
	b->off = off + (n > 1 ? n - 1 : 0);
	return 0;
}

/*
 * Re-walk the object of r and write its path, as the task sees it, into the
 * scratch buffer (NUL-terminated, at most PAL_EV_PATH_MAX bytes). Returns
 * PAL_EVF_* flags.
 */
__noinline int pal_path_str(struct pal_req *r)
{
	struct walk_ctx c = {0};
	struct build_ctx b = {0};
	int flags = 0;

	if (!r)
		return 0;
	c.w = scratch();
	if (!c.w)
		return 0;
	/* this walk overwrites the scratch too: a decision it preempted must see that */
	c.w->owner = bpf_get_current_pid_tgid();
	c.d = (struct dentry *)r->dir;
	c.vfsmnt = (struct vfsmount *)r->mnt;
	c.seed = r->seed;
	if (walk_path(&c, (struct dentry *)r->leaf) < 0)
		flags |= PAL_EVF_UNRESOLVED;
	b.w = c.w;
	b.depth = c.depth;
	bpf_loop(PAL_MAX_DEPTH, build_step, &b, 0);
	if (b.off == 0)
		c.w->buf[b.off++] = '/';
	if (b.off >= PAL_EV_PATH_MAX) {
		b.off = PAL_EV_PATH_MAX - 1;
		b.truncated = 1;
	}
	c.w->buf[b.off & (2 * PAL_EV_PATH_MAX - 1)] = 0;
	if (b.truncated)
		flags |= PAL_EVF_TRUNCATED;
	return flags;
}

/* Copy the path pal_path_str built into an event field of `len` bytes. */
static __always_inline void copy_path(char *out, __u32 len)
{
	struct pal_walk *w = scratch();

	if (!w)
		return;
	bpf_probe_read_kernel(out, len, w->buf);
	out[len - 1] = 0;
}

/* ---- decisions --------------------------------------------------------- */

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

/* Start a request: false when no file policy applies to the current task. */
static __always_inline bool req_begin(struct pal_req *r, __u32 class, __u32 access)
{
	const struct pal_gen_config *cfg;

	__builtin_memset(r, 0, sizeof(*r));
	r->v.rule = PAL_NO_RULE;
	r->gen = pal_live_gen();
	cfg = pal_config_of(r->gen);
	if (!cfg || !cfg->file_policies)
		return false;
	r->mask = pal_task_policies(r->gen, cfg) & cfg->file_policies;
	if (!r->mask)
		return false;
	r->seed = cfg->path_seed;
	r->npolicies = cfg->npolicies;
	r->v.generation = cfg->generation;
	r->exe_id = (r->mask & cfg->from_policies) ? current_exe_id(r->gen) : 0;
	r->class = class;
	r->access = access;
	return true;
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

/*
 * pal_resolve for the hook's object, the fast way: the walk through the
 * object's own mount (for most paths, all of it) runs in the hook's
 * program, where the dentries are BTF pointers and each read is a plain
 * load, not a helper call; pal_decide does the rest. Not inlined: a
 * static function keeps the BTF types of its arguments, and its frame is
 * off the stack of the decision that follows.
 */
static __noinline int resolve_btf(struct pal_req *r, const struct pal_obj *o)
{
	struct walk_ctx c = {
		.d = o->dir, .vfsmnt = o->mnt, .mnt_root = o->mnt->mnt_root, .seed = r->seed};

	r->walk_status = WALK_UNRESOLVED;
	r->depth = -1;
	c.w = scratch();
	if (!c.w)
		return -1;
	c.w->owner = bpf_get_current_pid_tgid(); /* see pal_decide */
	walk_root(&c);
	c.status = WALK_RUNNING;
	if (o->leaf && !hash_btf(&c, o->leaf))
		c.status = WALK_UNRESOLVED;
	else /* one more component step than components: the last one finds the root */
		bpf_loop(PAL_MAX_DEPTH / 2 + 1, walk_step_btf, &c, 0);
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

static __always_inline void req_target(struct pal_req *r, const struct pal_obj *o)
{
	struct dentry *obj = o->leaf ? o->leaf : o->dir;
	struct super_block *sb = obj->d_sb;
	struct inode *inode = obj->d_inode;

	req_point(r, o);
	r->ino = inode ? inode->i_ino : 0;
	r->is_dir = inode && (inode->i_mode & S_IFMT) == S_IFDIR;
	r->dev = pal_encode_dev(sb->s_dev);
	if (resolve_btf(r, o) < 0)
		pal_count(PAL_CNT_UNRESOLVED);
}

static __always_inline void fill_exe(struct pal_req *r, struct pal_event *e)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);

	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	if (!exe)
		return;
	r->dir = (__u64)BPF_CORE_READ(exe, f_path.dentry);
	r->mnt = (__u64)BPF_CORE_READ(exe, f_path.mnt);
	r->leaf = 0;
	pal_path_str(r);
	copy_path(e->exe, PAL_EV_EXE_MAX);
}

/* Emit the event of a deny/audit verdict. Returns the hook's return value. */
static __always_inline int req_finish(struct pal_req *r, __u32 type, __u32 op,
				      const struct pal_obj *o1, const struct pal_obj *o2)
{
	int ret = r->v.action == PAL_ACT_DENY ? -EACCES : 0;
	struct pal_event *e;
	__u8 flags;

	if (r->v.action < PAL_ACT_AUDIT) /* allowed: nothing to count or tell */
		return 0;
	e = pal_event_begin(&r->v, type, op, r->access, ret);
	if (!e)
		return ret;
	req_point(r, o1);
	flags = pal_path_str(r);
	copy_path(e->path, PAL_EV_PATH_MAX);
	if (o2) {
		req_point(r, o2);
		flags |= pal_path_str(r) | PAL_EVF_PATH2;
		copy_path(e->path2, PAL_EV_PATH_MAX);
	}
	e->flags = flags;
	fill_exe(r, e);
	bpf_ringbuf_submit(e, 0);
	return ret;
}

/* The common case: one object, one access. */
static __always_inline int check_obj(const struct pal_obj *o, __u32 class, __u32 type, __u32 op,
				     __u32 access)
{
	struct pal_req r;

	if (!req_begin(&r, class, access))
		return 0;
	req_target(&r, o);
	pal_decide(&r);
	return req_finish(&r, type, op, o, NULL);
}

/* Files on kernel-internal mounts (pipes, sockets, anon inodes) have no path. */
static __always_inline bool internal_mount(struct vfsmount *mnt)
{
	return BPF_CORE_READ(mnt, mnt_flags) & MNT_INTERNAL;
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
	/*
	 * The exec open is decided by bprm_check (or, for uselib, mmap_file):
	 * deciding it here as a read would let `deny read` forbid exec. The
	 * backing open of an overlayfs file was decided on the overlay file.
	 * Files on kernel-internal mounts have no path.
	 */
	if ((flags & __FMODE_EXEC) || (fmode & (FMODE_NOACCOUNT | FMODE_BACKING)) ||
	    (mnt->mnt_flags & MNT_INTERNAL))
		return 0;
	if (fmode & FMODE_READ)
		access |= PAL_ACC_READ;
	if (fmode & FMODE_WRITE)
		access |= (flags & O_APPEND) ? PAL_ACC_APPEND : PAL_ACC_WRITE;
	if ((fmode & FMODE_WRITE) && (flags & O_TRUNC))
		access |= PAL_ACC_TRUNCATE;
	if (!access)
		return 0;
	return check_obj(&o, PAL_CLASS_FILE, PAL_EV_FILE, PAL_OP_OPEN, access);
}

/* Writes through an fd opened before the policy loaded (or before a reload). */
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
	mnt = file->f_path.mnt;
	if (mnt->mnt_flags & MNT_INTERNAL)
		return 0;
	o = (struct pal_obj){.dir = file->f_path.dentry, .mnt = mnt};
	return check_obj(&o, PAL_CLASS_FILE, PAL_EV_FILE, PAL_OP_WRITE,
			 (mask & MAY_APPEND) ? PAL_ACC_APPEND : PAL_ACC_WRITE);
}

/* Exec is decided by `exec:` rules and by `files:` rules that name `exec`. */
static __always_inline int check_exec(const struct pal_obj *o, __u32 op, __u32 file_access,
				      bool exec_defaults)
{
	struct pal_req r;

	if (!req_begin(&r, PAL_CLASS_FILE, file_access))
		return 0;
	req_target(&r, o);
	r.exec_yields = exec_defaults;
	pal_decide(&r);
	r.exec_yields = 0;
	r.class = PAL_CLASS_EXEC;
	r.access = PAL_ACC_EXEC;
	r.explicit_only = !exec_defaults;
	pal_decide(&r);
	r.access = file_access;
	return req_finish(&r, PAL_EV_EXEC, op, o, NULL);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(palisade_bprm_check, struct linux_binprm *bprm, int ret)
{
	struct file *file = bprm->file;
	struct pal_obj o = {.dir = file->f_path.dentry, .mnt = file->f_path.mnt};

	if (ret)
		return ret;
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
static __always_inline void decide_end(struct pal_req *r, const struct pal_obj *o, __u32 access)
{
	req_target(r, o);
	r->access = access;
	r->explicit_only = 0;
	pal_decide(r);
	r->access = PAL_ACC_FILE_ALL;
	r->explicit_only = 1;
	pal_decide(r);
}

static __always_inline int check_two(const struct pal_obj *src, const struct pal_obj *dst, __u32 op,
				     __u32 access)
{
	struct pal_req r;

	if (!req_begin(&r, PAL_CLASS_FILE, access))
		return 0;
	decide_end(&r, src, access);
	decide_end(&r, dst, access);
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

static __always_inline int check_path(const struct path *path, __u32 op, __u32 access)
{
	struct pal_obj o = {.dir = path->dentry, .mnt = path->mnt};

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
