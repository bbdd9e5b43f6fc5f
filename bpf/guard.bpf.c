// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Self-protection: once the agent has registered itself in pal_guard, no
 * other process may get a file descriptor to a Palisade map or program,
 * detach or replace a Palisade link, send the agent a fatal signal (PID 1,
 * i.e. systemd's stop, excepted) or ptrace it. Attempts are denied with
 * EPERM and reported as `agent` events. The administrator's way out is
 * `palisade stop` over the control socket, or the service manager.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define BPF_LINK_UPDATE_CMD 29
#define BPF_LINK_DETACH_CMD 34
#define SIGHUP 1
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGCHLD 17
#define SIGWINCH 28

/* key: 0. value: struct pal_guard (abi.h), who the agent is. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pal_guard);
} pal_guard SEC(".maps");

static __always_inline const struct pal_guard *guard(void)
{
	__u32 zero = 0;
	const struct pal_guard *g = bpf_map_lookup_elem(&pal_guard, &zero);

	return g && g->agent_tgid ? g : NULL;
}

/* The agent, a restarted agent (same executable), or the kernel itself. */
static __always_inline bool is_agent(const struct pal_guard *g)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inode *exe;

	if ((bpf_get_current_pid_tgid() >> 32) == g->agent_tgid)
		return true;
	if (!BPF_CORE_READ(task, mm))
		return true;
	exe = BPF_CORE_READ(task, mm, exe_file, f_inode);
	return exe && BPF_CORE_READ(exe, i_ino) == g->exe_ino && pal_inode_dev(exe) == g->exe_dev;
}

/* Deny and report a tampering attempt. */
static __always_inline int tamper(__u32 op, __u32 detail, __u32 target, const char *name)
{
	struct pal_verdict v = {
		.rule = PAL_NO_RULE, .policy = PAL_MAX_POLICIES, .action = PAL_ACT_DENY};
	struct pal_event *e;

	e = pal_event_begin(&v, PAL_EV_AGENT, op, detail, -EPERM);
	if (e) {
		e->dev.major = target;
		if (name)
			bpf_probe_read_kernel_str(e->path, 16, name);
		bpf_ringbuf_submit(e, 0);
	}
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
	const struct pal_guard *g;

	if (ret)
		return ret;
	g = guard();
	if (!g || is_agent(g) || !ours(map->name, false))
		return 0;
	return tamper(PAL_OP_BPF, fmode, 0, map->name); /* EPERM */
}

SEC("lsm/bpf_prog")
int BPF_PROG(palisade_bpf_prog, struct bpf_prog *prog, int ret)
{
	const struct pal_guard *g;

	if (ret)
		return ret;
	g = guard();
	if (!g || is_agent(g) || !ours(prog->aux->name, true))
		return 0;
	return tamper(PAL_OP_BPF, 0, 0, prog->aux->name); /* EPERM */
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
 * Only the two parameters every kernel has: security_bpf() gained a fourth
 * (bool kernel) in 6.18, so the previous program's return value is not at a
 * fixed position, and read as the third or fourth it would be the wrong word.
 * There is nothing to pass on anyway: the BPF LSM trampoline runs a program
 * only while every earlier one on the hook returned 0.
 */
SEC("lsm/bpf")
int BPF_PROG(palisade_bpf, int cmd, union bpf_attr *attr)
{
	const struct pal_guard *g;
	const char *name;
	char buf[16];

	if (cmd != BPF_LINK_DETACH_CMD && cmd != BPF_LINK_UPDATE_CMD)
		return 0;
	g = guard();
	if (!g || is_agent(g))
		return 0;
	name = link_prog_name(cmd == BPF_LINK_DETACH_CMD ?
				      BPF_CORE_READ(attr, link_detach.link_fd) :
				      BPF_CORE_READ(attr, link_update.link_fd));
	if (!name || bpf_probe_read_kernel(buf, sizeof(buf), name) || !ours(buf, true))
		return 0;
	return tamper(PAL_OP_BPF, cmd, 0, buf); /* EPERM */
}

static __always_inline bool harmless(int sig)
{
	/* reload, reopen the log, and signals that never stop a process */
	return sig == 0 || sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2 || sig == SIGCHLD ||
	       sig == SIGWINCH;
}

SEC("lsm/task_kill")
int BPF_PROG(palisade_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	const struct pal_guard *g;
	__u32 target, self;

	if (ret)
		return ret;
	g = guard();
	if (!g || !(g->flags & PAL_GUARD_SIGNALS) || harmless(sig))
		return 0;
	target = BPF_CORE_READ(p, tgid);
	self = bpf_get_current_pid_tgid() >> 32;
	if (target != g->agent_tgid || self == g->agent_tgid || self == 1)
		return 0;
	return tamper(PAL_OP_KILL, sig, target, NULL); /* EPERM */
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(palisade_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	const struct pal_guard *g;
	__u32 target;

	if (ret)
		return ret;
	g = guard();
	if (!g || !(g->flags & PAL_GUARD_PTRACE))
		return 0;
	target = BPF_CORE_READ(child, tgid);
	if (target != g->agent_tgid || (bpf_get_current_pid_tgid() >> 32) == g->agent_tgid)
		return 0;
	return tamper(PAL_OP_PTRACE, mode, target, NULL); /* EPERM */
}
