/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The event path of the file hooks (file.bpf.c), taken on deny and audit
 * decisions only: the path as the task sees it, rebuilt by a second walk
 * into the scratch buffer (path_str), the task's executable, and the
 * ring buffer record (report, run as pal_report; req_finish in the hook).
 * Include after file_walk.bpf.h.
 */
#ifndef PALISADE_BPF_FILE_EVENT_BPF_H
#define PALISADE_BPF_FILE_EVENT_BPF_H

#include "bpf/file_walk.bpf.h"

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
static __always_inline int path_str(struct pal_req *r)
{
	struct walk_ctx c = {0};
	struct build_ctx b = {0};
	int flags = 0;

	if (!r)
		return 0;
	c.w = scratch();
	if (!c.w)
		return 0;
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

/* Copy the path path_str built into an event field of `len` bytes. */
static __always_inline void copy_path(char *out, __u32 len)
{
	struct pal_walk *w = scratch();

	if (!w)
		return;
	bpf_probe_read_kernel(out, len, w->buf);
	out[len - 1] = 0;
}

static __always_inline void fill_exe(struct pal_req *r, struct pal_event *e)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);

	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	/* with the pid, what tells this process from a later one with the same pid */
	e->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	if (!exe)
		return;
	r->dir = (__u64)BPF_CORE_READ(exe, f_path.dentry);
	r->mnt = (__u64)BPF_CORE_READ(exe, f_path.mnt);
	r->leaf = 0;
	path_str(r);
	copy_path(e->exe, PAL_EV_EXE_MAX);
}

/*
 * The hook's return value, from the verdict: the verifier bounds it here
 * (6.13 on, an LSM program returns 0 or an errno), which it cannot do with
 * what another program, pal_report, returns.
 */
static __always_inline int verdict_errno(const struct pal_req *r)
{
	return r->v.action == PAL_ACT_DENY ? -EACCES : 0;
}

/*
 * Write the record of r's deny or audit verdict: the path of its object
 * (none when r->dir is 0), of its second object (dir2, when set), and the
 * task's executable. The body of pal_report (file_shared.bpf.c).
 */
static __always_inline int report(struct pal_req *r)
{
	struct pal_event *e;
	__u8 flags = 0;

	if (!r)
		return 0;
	/* rate-limited per object: its inode, else (create) its new name */
	e = pal_event_begin_obj(&r->v, r->ev_type, r->ev_op, r->access, verdict_errno(r), r->ino,
				r->dev, r->ino ? 0 : r->leaf);
	if (!e)
		return 0;
	if (r->dir) {
		flags = path_str(r);
		copy_path(e->path, PAL_EV_PATH_MAX);
	}
	if (r->dir2) {
		r->dir = r->dir2;
		r->mnt = r->mnt2;
		r->leaf = r->leaf2;
		flags |= path_str(r) | PAL_EVF_PATH2;
		copy_path(e->path2, PAL_EV_PATH_MAX);
	}
	e->flags = flags;
	fill_exe(r, e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* The hook's end: nothing more for an allowed request, else the record of its verdict. */
static __always_inline int req_finish(struct pal_req *r, __u32 type, __u32 op,
				      const struct pal_obj *o1, const struct pal_obj *o2)
{
	if (r->v.action < PAL_ACT_AUDIT) /* allowed: nothing to count or tell */
		return 0;
	r->ev_type = type;
	r->ev_op = op;
	req_point(r, o1);
	if (o2) {
		r->dir2 = (__u64)o2->dir;
		r->mnt2 = (__u64)o2->mnt;
		r->leaf2 = (__u64)o2->leaf;
	}
	pal_report(r);
	return verdict_errno(r);
}

#endif /* PALISADE_BPF_FILE_EVENT_BPF_H */
