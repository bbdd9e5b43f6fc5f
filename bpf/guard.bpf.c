// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Self-protection. The agent is the running instance, not a file: when it
 * arms, it marks its own task (pal_agent_task, task-local storage) with a
 * random instance number that it also stores in pal_guard; its threads
 * inherit the mark, and the mark dies with the task. Executing the agent's
 * binary gives no mark. While the instance runs, no other task may:
 *  - get an fd to a Palisade map or program, or detach/replace a link;
 *  - look up, unlink or rename a pin in the pin dir, or chmod the dir;
 *  - send the agent a fatal signal (PID 1, the service manager, excepted),
 *    directly or as a SIGIO, change its rlimits, or ptrace it;
 *  - open cgroup.kill or cgroup.freeze of the agent's cgroup or an ancestor.
 * Attempts are denied with EPERM and reported as `agent` events. The way
 * out is `palisade stop` over the control socket, or the service manager.
 * When the agent exits and leaves its pins (--keep-on-exit, a crash), the
 * guard is orphaned: tasks of target cgroups stay away from the pins, and a
 * new agent started outside them adopts the pins and arms again.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define BPF_LINK_UPDATE_CMD 29
#define BPF_LINK_DETACH_CMD 34
#define BPF_LINK_GET_FD_BY_ID_CMD 30
#define CLONE_THREAD_FLAG 0x00010000
#define FMODE_WRITE_FLAG 0x2
#define CGROUP2_MAGIC 0x63677270
#define CAP_DAC_OVERRIDE_NR 1
#define CAP_DAC_READ_SEARCH_NR 2
#define SIGHUP 1
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGCHLD 17
#define SIGWINCH 28

/* key: 0. value: struct pal_guard (abi.h), the running instance and what it guards. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pal_guard);
} pal_guard SEC(".maps");

/* key: a task. value: struct pal_agent_mark (abi.h), set on the agent's tasks only. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pal_agent_mark);
} pal_agent_task SEC(".maps");

/* key: struct pal_guard_obj (abi.h), a pin or link of the agent. value: 1. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PAL_GUARD_MAX_OBJS);
	__type(key, struct pal_guard_obj);
	__type(value, __u32);
} pal_guard_objs SEC(".maps");

static __always_inline struct pal_guard *guard_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&pal_guard, &zero);
}

/* The guard of a running agent, or NULL. */
static __always_inline struct pal_guard *guard(void)
{
	struct pal_guard *g = guard_state();

	return g && g->instance ? g : NULL;
}

/* Does task t carry the running instance's mark? */
static __always_inline bool marked(const struct pal_guard *g, struct task_struct *t)
{
	struct pal_agent_mark *m = bpf_task_storage_get(&pal_agent_task, t, 0, 0);

	return m && m->instance == g->instance;
}

/* The running agent's own tasks, or the kernel itself (no user memory). */
static __always_inline bool is_agent(const struct pal_guard *g)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (!BPF_CORE_READ(task, mm))
		return true;
	return marked(g, task);
}

/* A task that a loaded policy confines (host-wide or by cgroup). */
static __always_inline bool confined(void)
{
	__u32 gen = pal_live_gen();
	const struct pal_gen_config *cfg = pal_config_of(gen);

	return cfg && pal_task_policies(gen, cfg);
}

/*
 * Should the current task be refused a Palisade object? Always while an
 * agent runs and this is not one of its tasks; while the guard is orphaned,
 * only if a policy confines the task (the next agent must adopt the pins).
 */
static __always_inline bool refused(void)
{
	struct pal_guard *g = guard_state();

	if (!g)
		return false;
	if (g->instance)
		return !is_agent(g);
	return (g->flags & PAL_GUARD_ORPHANED) && confined();
}

/* Report a tampering attempt that the task sees fail with err. */
static __always_inline void report(__u32 op, __u32 detail, __u32 target, const char *name, int err)
{
	struct pal_verdict v = {
		.rule = PAL_NO_RULE, .policy = PAL_MAX_POLICIES, .action = PAL_ACT_DENY};
	struct pal_event *e;

	e = pal_event_begin(&v, PAL_EV_AGENT, op, detail, err);
	if (e) {
		e->dev.major = target;
		if (name)
			bpf_probe_read_kernel_str(e->path, 16, name);
		bpf_ringbuf_submit(e, 0);
	}
}

/* Deny and report a tampering attempt. */
static __always_inline int tamper(__u32 op, __u32 detail, __u32 target, const char *name)
{
	report(op, detail, target, name, -EPERM);
	return -EPERM;
}

static __always_inline bool ours(const char *name, bool prog)
{
	char n[8] = {};

	bpf_probe_read_kernel(n, sizeof(n), name);
	if (prog) /* programs: palisade_* */
		return n[0] == 'p' && n[1] == 'a' && n[2] == 'l' && n[3] == 'i' && n[4] == 's' &&
		       n[5] == 'a' && n[6] == 'd' && n[7] == 'e';
	return n[0] == 'p' && n[1] == 'a' && n[2] == 'l' && n[3] == '_'; /* maps: pal_* */
}

/* A new fd to a map: BPF_MAP_GET_FD_BY_ID, BPF_OBJ_GET of a pin, creation. */
SEC("lsm/bpf_map")
int BPF_PROG(palisade_bpf_map, struct bpf_map *map, fmode_t fmode, int ret)
{
	if (ret)
		return ret;
	if (!ours(map->name, false) || !refused())
		return 0;
	return tamper(PAL_OP_BPF, fmode, 0, map->name); /* EPERM */
}

SEC("lsm/bpf_prog")
int BPF_PROG(palisade_bpf_prog, struct bpf_prog *prog, int ret)
{
	if (ret)
		return ret;
	if (!ours(prog->aux->name, true) || !refused())
		return 0;
	return tamper(PAL_OP_BPF, 0, 0, prog->aux->name); /* EPERM */
}

static __always_inline bool our_obj(__u64 id, __u32 kind)
{
	struct pal_guard_obj k = {.id = id, .kind = kind};

	return bpf_map_lookup_elem(&pal_guard_objs, &k) != NULL;
}

/* dir is the pin dir or its links/ dir. */
static __always_inline bool pin_dir(const struct pal_guard *g, struct inode *dir)
{
	__u64 ino = BPF_CORE_READ(dir, i_ino);

	if (!g->pin_dev || pal_inode_dev(dir) != g->pin_dev)
		return false;
	return ino == g->pin_ino || ino == g->links_ino;
}

/*
 * BPF_OBJ_GET of a pin, and every other lookup in the pin dir or links/.
 * The agent makes both mode 0400: no search bit for anyone, so the path
 * walk asks for CAP_DAC_READ_SEARCH, then CAP_DAC_OVERRIDE, to look up a
 * name in them, with the directory in the walk's nameidata. Refusing these
 * two there costs a program per capability check that passes the capability
 * module, not one per path component of every lookup on the host
 * (inode_permission). The walk fails with EACCES. Every call that names
 * an entry of the dir (bpf_obj_get, unlink, rename, link, stat, and the
 * creating ones too) checks search on the dir first, whether the walk
 * starts at /, at a bind mount of the dir, at the cwd or at a dir fd
 * inside it: the pins can be neither had, nor removed, renamed or linked
 * elsewhere, and no name can be put beside them.
 */
SEC("lsm/capable")
int BPF_PROG(palisade_pin_dir_lookup, const struct cred *cred, struct user_namespace *ns, int cap)
{
	struct task_struct *task;
	struct nameidata *nd;
	struct pal_guard *g;
	struct inode *dir;

	/* No ret: the capability module decides first and stops at a refusal. */
	if (cap != CAP_DAC_READ_SEARCH_NR && cap != CAP_DAC_OVERRIDE_NR)
		return 0;
	task = bpf_get_current_task_btf();
	nd = task->nameidata;
	dir = nd ? nd->inode : NULL;
	g = guard_state();
	if (!dir || !g || !pin_dir(g, dir) || !refused())
		return 0;
	/* asked last for a search: one record per refused lookup */
	if (cap == CAP_DAC_OVERRIDE_NR)
		report(PAL_OP_BPF, 0, 0, "pin dir", -EACCES);
	return -EPERM;
}

/* No search bit is what keeps the pins: only the agent may give them one. */
SEC("lsm/path_chmod")
int BPF_PROG(palisade_pin_dir_chmod, const struct path *path, umode_t mode, int ret)
{
	struct pal_guard *g;

	if (ret)
		return ret;
	g = guard_state();
	if (!g || !pin_dir(g, path->dentry->d_inode) || !refused())
		return 0;
	return tamper(PAL_OP_CHMOD, 0, 0, "pin dir"); /* EPERM */
}

/* The program behind a link fd of the current task, for LINK_DETACH/UPDATE. */
static __always_inline const char *link_prog_name(__u32 fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct bpf_link *link;
	struct file *f = NULL;

	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return NULL;
	link = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(link, prog, aux, name);
}

/*
 * BPF_LINK_GET_FD_BY_ID is decided on the id in the kernel's copy of attr.
 * LINK_DETACH/UPDATE: no hook passes the link, and the fd table read here
 * can change before the command runs (dup2), so that check is only a second
 * line: the guarantee is that no other task gets a Palisade link fd.
 * Only the two parameters every kernel has: security_bpf() gained a fourth
 * (bool kernel) in 6.18, so the previous program's return value is not at a
 * fixed position. There is nothing to pass on anyway: the BPF LSM
 * trampoline runs a program only while every earlier one returned 0.
 */
SEC("lsm/bpf")
int BPF_PROG(palisade_bpf, int cmd, union bpf_attr *attr)
{
	const char *name;
	char buf[16];

	if (cmd == BPF_LINK_GET_FD_BY_ID_CMD) {
		if (!our_obj(BPF_CORE_READ(attr, link_id), PAL_GUARD_OBJ_LINK) || !refused())
			return 0;
		return tamper(PAL_OP_BPF, cmd, 0, "link"); /* EPERM */
	}
	if (cmd != BPF_LINK_DETACH_CMD && cmd != BPF_LINK_UPDATE_CMD)
		return 0;
	if (!refused())
		return 0;
	name = link_prog_name(cmd == BPF_LINK_DETACH_CMD ?
				      BPF_CORE_READ(attr, link_detach.link_fd) :
				      BPF_CORE_READ(attr, link_update.link_fd));
	if (!name || bpf_probe_read_kernel(buf, sizeof(buf), name) || !ours(buf, true))
		return 0;
	return tamper(PAL_OP_BPF, cmd, 0, buf); /* EPERM */
}

#define ANON_INODE_FS_MAGIC_NR 0x09041934

/*
 * The name of the Palisade map, program or link behind file f, or NULL.
 * The kernel names the anonymous inode files of bpf objects itself
 * ("bpf-map", "bpf-prog", "bpf_link"); no task can make another such file.
 */
static __always_inline const char *bpf_file_obj(struct file *f)
{
	struct bpf_prog_aux *aux = NULL;
	char n[9] = {};
	void *obj;

	bpf_probe_read_kernel_str(n, sizeof(n), BPF_CORE_READ(f, f_path.dentry, d_name.name));
	if (n[0] != 'b' || n[1] != 'p' || n[2] != 'f')
		return NULL;
	obj = BPF_CORE_READ(f, private_data);
	if (n[3] == '-' && n[4] == 'm' && n[5] == 'a' && n[6] == 'p' && !n[7])
		return ((struct bpf_map *)obj)->name;
	if (n[3] == '-' && n[4] == 'p' && n[5] == 'r' && n[6] == 'o' && n[7] == 'g' && !n[8])
		aux = BPF_CORE_READ((struct bpf_prog *)obj, aux);
	else if (n[3] == '_' && n[4] == 'l' && n[5] == 'i' && n[6] == 'n' && n[7] == 'k' && !n[8])
		aux = BPF_CORE_READ((struct bpf_link *)obj, prog, aux);
	return aux ? aux->name : NULL; /* addresses only: read by the caller */
}

/*
 * Receiving an fd: pidfd_getfd(2) and SCM_RIGHTS. No task but the agent may
 * get an fd to a Palisade map, program or link this way either, whatever
 * the ptrace guard says: the guarantee behind the link checks in palisade_bpf.
 */
SEC("lsm/file_receive")
int BPF_PROG(palisade_file_receive, struct file *file, int ret)
{
	const char *name;
	char buf[16];

	if (ret)
		return ret;
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != ANON_INODE_FS_MAGIC_NR)
		return 0;
	name = bpf_file_obj(file);
	if (!name || bpf_probe_read_kernel(buf, sizeof(buf), name))
		return 0;
	if (!ours(buf, true) && !ours(buf, false))
		return 0;
	if (!refused())
		return 0;
	return tamper(PAL_OP_BPF, 0, 0, buf); /* EPERM */
}

/* Is this cgroup (id) the agent's cgroup or one of its ancestors? */
static __always_inline bool agent_cgroup(const struct pal_guard *g, __u64 id)
{
	for (int i = 0; i < PAL_GUARD_MAX_CGROUPS; i++) {
		if (!g->cgroup_ids[i])
			return false;
		if (g->cgroup_ids[i] == id)
			return true;
	}
	return false;
}

static __always_inline bool kill_or_freeze(const char *n)
{
	char b[16] = {};

	bpf_probe_read_kernel_str(b, sizeof(b), n);
	return b[0] == 'c' && b[6] == '.' &&
	       ((b[7] == 'k' && b[8] == 'i' && b[9] == 'l' && b[10] == 'l' && !b[11]) ||
		(b[7] == 'f' && b[8] == 'r' && b[9] == 'e' && b[10] == 'e' && b[11] == 'z' &&
		 b[12] == 'e' && !b[13]));
}

/*
 * cgroup.kill and cgroup.freeze of a cgroup the agent is in would stop it
 * without task_kill being asked (PID 1, the service manager, excepted).
 */
SEC("lsm/file_open")
int BPF_PROG(palisade_cgroup_open, struct file *file, int ret)
{
	struct pal_guard *g;
	struct dentry *d;
	const char *name;

	if (ret)
		return ret;
	if (!(file->f_mode & FMODE_WRITE_FLAG))
		return 0;
	g = guard();
	if (!g || !(g->flags & PAL_GUARD_SIGNALS))
		return 0;
	if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != CGROUP2_MAGIC)
		return 0;
	d = BPF_CORE_READ(file, f_path.dentry);
	name = (const char *)BPF_CORE_READ(d, d_name.name);
	if (!kill_or_freeze(name) || !agent_cgroup(g, BPF_CORE_READ(d, d_parent, d_inode, i_ino)))
		return 0;
	if ((bpf_get_current_pid_tgid() >> 32) == 1 || is_agent(g))
		return 0; /* the service manager may stop the agent */
	return tamper(PAL_OP_WRITE, 0, 0, name); /* EPERM */
}

static __always_inline bool harmless(int sig)
{
	/* reload, reopen the log, and signals that never stop a process */
	return sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2 || sig == SIGCHLD ||
	       sig == SIGWINCH;
}

/* A signal guard of the running agent, if p is one of its tasks. */
static __always_inline struct pal_guard *guarding(struct task_struct *p, __u32 flag)
{
	struct pal_guard *g = guard();

	return g && (g->flags & flag) && marked(g, p) ? g : NULL;
}

SEC("lsm/task_kill")
int BPF_PROG(palisade_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	struct pal_guard *g;

	if (ret)
		return ret;
	if (!sig || harmless(sig))
		return 0;
	g = guarding(p, PAL_GUARD_SIGNALS);
	if (!g || (bpf_get_current_pid_tgid() >> 32) == 1 || is_agent(g))
		return 0;
	return tamper(PAL_OP_KILL, sig, BPF_CORE_READ(p, tgid), NULL); /* EPERM */
}

/*
 * F_SETOWN + F_SETSIG: the signal is sent by whoever made the I/O, maybe
 * the agent itself, so a fatal one is refused whoever sends it. Signal 0
 * means SIGIO, which terminates by default.
 */
SEC("lsm/file_send_sigiotask")
int BPF_PROG(palisade_sigiotask, struct task_struct *tsk, struct fown_struct *fown, int sig,
	     int ret)
{
	if (ret)
		return ret;
	if ((sig && harmless(sig)) || !guarding(tsk, PAL_GUARD_SIGNALS))
		return 0;
	return tamper(PAL_OP_KILL, sig ? sig : 29, BPF_CORE_READ(tsk, tgid), NULL); /* EPERM */
}

/* prlimit(RLIMIT_CPU, ...) on the agent would have the kernel kill it. */
SEC("lsm/task_setrlimit")
int BPF_PROG(palisade_setrlimit, struct task_struct *p, unsigned int resource,
	     struct rlimit *new_rlim, int ret)
{
	struct pal_guard *g;

	if (ret)
		return ret;
	g = guarding(p, PAL_GUARD_SIGNALS);
	if (!g || is_agent(g))
		return 0;
	return tamper(PAL_OP_RLIMIT, resource, BPF_CORE_READ(p, tgid), NULL); /* EPERM */
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(palisade_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	struct pal_guard *g;

	if (ret)
		return ret;
	g = guarding(child, PAL_GUARD_PTRACE);
	if (!g || is_agent(g))
		return 0;
	return tamper(PAL_OP_PTRACE, mode, BPF_CORE_READ(child, tgid), NULL); /* EPERM */
}

/* Threads of the agent are the agent; its child processes are not. */
SEC("lsm/task_alloc")
int BPF_PROG(palisade_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct pal_agent_mark *m;
	struct pal_guard *g;

	if (ret || !(clone_flags & CLONE_THREAD_FLAG))
		return ret;
	g = guard();
	if (!g || !marked(g, bpf_get_current_task_btf()))
		return 0;
	m = bpf_task_storage_get(&pal_agent_task, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (m)
		m->instance = g->instance;
	return 0;
}

/*
 * The last task of the agent exits: whoever gets its PID next gets nothing.
 * If it left the guard armed (--keep-on-exit, a crash), the guard is
 * orphaned until the next agent arms it.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(palisade_agent_exit, struct task_struct *p)
{
	struct pal_guard *g = guard();

	if (!g || !marked(g, p) || BPF_CORE_READ(p, signal, live.counter))
		return 0;
	g->flags |= PAL_GUARD_ORPHANED;
	g->instance = 0;
	return 0;
}
