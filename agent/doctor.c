// SPDX-License-Identifier: GPL-2.0-only
/*
 * palisade doctor: can this host enforce Palisade's policies, and if not,
 * what exactly to change. Everything is probed (a throw-away program load,
 * the kernel's BTF, mountinfo); nothing is attached or pinned.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "agent/file.h"
#include "agent/palisade.h"
#include "agent/probe.h"
#include "file.skel.h"
#include "guard.skel.h"
#include "socket.skel.h"

enum dr_state { DR_OK, DR_WARN, DR_FAIL };

static const char *const state_names[] = {"ok", "warn", "fail"};

/* One finding: a host property, a hook or a policy feature. */
struct dr_item {
	const char *name;
	const char *object; /* hooks: the BPF object whose program it is */
	enum dr_state state;
	char detail[640];
	char hint[640];
};

/* What each LSM hook Palisade loads is for; the feature it belongs to. */
struct dr_hook_info {
	const char *hook;
	const char *feature; /* key of features[] */
	const char *covers;
	const char *fallback; /* what covers it where the hook is missing; NULL: nothing */
};

static const struct dr_hook_info hook_info[] = {
	{"file_open", "files", "open, read, write, append of a path", NULL},
	{"file_permission", "files", "writes through an already open file", NULL},
	{"file_free_security", "files", "a closed file's remembered write decision is dropped",
	 NULL},
	{"bprm_check_security", "exec", "execve of a file", NULL},
	{"mmap_file", "exec", "mmap with PROT_EXEC; shared writable mappings", NULL},
	{"file_mprotect", "exec", "mprotect adding PROT_EXEC or shared PROT_WRITE", NULL},
	{"path_mknod", "files", "mknod, create of a regular file", NULL},
	{"path_mkdir", "files", "mkdir", NULL},
	{"path_symlink", "files", "symlink creation", NULL},
	{"path_unlink", "files", "unlink", NULL},
	{"path_rmdir", "files", "rmdir", NULL},
	{"path_link", "files", "hard links", NULL},
	{"path_rename", "files", "rename, both ends", NULL},
	{"path_chmod", "files", "chmod", NULL},
	{"path_chown", "files", "chown", NULL},
	{"path_truncate", "files", "truncate(2) by path", NULL},
	{"file_truncate", "files", "ftruncate and O_TRUNC",
	 "path_truncate decides ftruncate and O_TRUNC on this kernel"},
	{"kernfs_init_security", "files", "a new cgroup: runtime setup or armed (containers.md)",
	 NULL},
	{"task_alloc", "files", "fork: a confined task's children stay confined", NULL},
	{"file_fcntl", "files", "fcntl clearing O_APPEND (asks for write)", NULL},
	{"sb_mount", "files", "mount, bind mounts, remounts of confined tasks (mounts:)", NULL},
	{"move_mount", "files", "move_mount: open_tree copies and fsmount (mounts:)", NULL},
	{"sb_pivotroot", "files", "pivot_root of confined tasks (mounts:)", NULL},
	{"inode_setxattr", "files", "setxattr: xattrs, security.capability (asks for write)", NULL},
	{"inode_removexattr", "files", "removexattr (asks for write)", NULL},
	{"inode_set_acl", "files", "POSIX ACLs (asks for write)",
	 "ACLs reach inode_setxattr on this kernel"},
	{"inode_remove_acl", "files", "removing POSIX ACLs (asks for write)",
	 "ACLs reach inode_removexattr on this kernel"},
	{"inode_setattr", "files", "timestamps: utimensat, futimens (asks for write)", NULL},
	{"file_ioctl", "files", "inode flags: FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR (asks for write)",
	 NULL},
	{"unix_stream_connect", "files", "connect to a Unix socket by its path (connect)", NULL},
	{"unix_may_send", "files", "datagrams to a Unix socket by its path (connect)", NULL},
	{"inode_file_setattr", "files", "inode flags: the ioctls and file_setattr(2)",
	 "file_ioctl decides the flag ioctls on this kernel (no file_setattr(2) before 6.17)"},
	{"socket_create", "socket", "socket() of non-inet families", NULL},
	{"bpf", "guard", "BPF commands on the agent's objects", NULL},
	{"bpf_map", "guard", "opening the agent's maps", NULL},
	{"bpf_prog", "guard", "opening the agent's programs", NULL},
	{"file_receive", "guard",
	 "the agent's BPF fds received by others (SCM_RIGHTS, pidfd_getfd)", NULL},
	{"task_kill", "guard", "signals to the agent", NULL},
	{"ptrace_access_check", "guard", "ptrace of the agent", NULL},
	{"capable", "guard", "looking up names in the agent's pin dir", NULL},
	{"path_chmod", "guard", "chmod of the agent's pin dir", NULL},
	{"file_send_sigiotask", "guard", "SIGIO kills of the agent", NULL},
	{"task_setrlimit", "guard", "rlimits of the agent", NULL},
	{"task_alloc", "guard", "marking the agent's threads", NULL},
	{"file_open", "guard", "cgroup.kill and cgroup.freeze of the agent's cgroups", NULL},
};

struct dr_feature {
	const char *key;
	const char *what;
	enum dr_state state;
	char detail[256];
};

struct doctor {
	struct utsname uts;
	struct dr_item checks[16];
	int nchecks;
	struct dr_item hooks[64];
	int nhooks;
	struct dr_feature features[6];
	bool lsm_active; /* bpf among the active LSMs */
	bool lsm_usable; /* BPF LSM active, programs load, BTF present */
	bool cgroup_usable; /* cgroup v2 mounted and the cgroup program types load */
};

static struct dr_item *add(struct dr_item *arr, int *n, int cap, const char *name)
{
	struct dr_item *it = &arr[*n < cap ? (*n)++ : cap - 1];

	memset(it, 0, sizeof(*it));
	it->name = name;
	return it;
}

static struct dr_item *add_check(struct doctor *d, const char *name)
{
	return add(d->checks, &d->nchecks, (int)(sizeof(d->checks) / sizeof(d->checks[0])), name);
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap);

/* ---- host checks ---------------------------------------------------- */

/* The mount point of the first mount of fstype, from mountinfo. */
static bool find_mount(const char *fstype, char *where, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char mnt[1024], type[64];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(sep + 3, "%63s", type) != 1 || strcmp(type, fstype))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %1023s", mnt) == 1) {
			snprintf(where, len, "%s", mnt);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static void check_privileges(struct doctor *d)
{
	struct dr_item *it = add_check(d, "privileges");
	cap_t caps = cap_get_proc();
	cap_flag_value_t admin = CAP_CLEAR, bpf = CAP_CLEAR;

	if (caps) {
		cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &admin);
		/* CAP_BPF is 39; older libcap headers do not name it. */
		if (cap_get_flag(caps, 39, CAP_EFFECTIVE, &bpf))
			bpf = CAP_CLEAR;
		cap_free(caps);
	}
	if (admin == CAP_SET || bpf == CAP_SET) {
		snprintf(it->detail, sizeof(it->detail), "%s effective",
			 admin == CAP_SET ? "CAP_SYS_ADMIN" : "CAP_BPF");
		return;
	}
	it->state = DR_FAIL;
	snprintf(it->detail, sizeof(it->detail),
		 "neither CAP_SYS_ADMIN nor CAP_BPF: the program probes below cannot run");
	snprintf(it->hint, sizeof(it->hint), "run 'sudo palisade doctor'");
}

/* The value of "KEY=" in a file of space-separated words (e.g. /proc/cmdline). */
static bool read_word(const char *path, const char *key, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	char buf[4096];
	size_t n = strlen(key);
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(buf, sizeof(buf), f)) {
		for (char *save = NULL, *tok = strtok_r(buf, " \t\n", &save); tok && !found;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			if (strncmp(tok, key, n))
				continue;
			snprintf(out, len, "%s", tok + n + (tok[n] == '"'));
			out[strcspn(out, "\"")] = 0;
			found = true;
		}
	}
	fclose(f);
	return found;
}

/*
 * The LSM list this kernel boots with, to put bpf into: the active list,
 * else lsm= of the command line, else the build's CONFIG_LSM.
 */
static void lsm_base(const struct doctor *d, const char *active, char *out, size_t len)
{
	char cfg[300];

	snprintf(cfg, sizeof(cfg), "/boot/config-%.250s", d->uts.release);
	if (active[0])
		snprintf(out, len, "%s", active);
	else if (!read_word("/proc/cmdline", "lsm=", out, len) &&
		 !read_word(cfg, "CONFIG_LSM=", out, len))
		snprintf(out, len, "lockdown,capability,landlock");
}

static void check_lsm_active(struct doctor *d)
{
	struct dr_item *it = add_check(d, "bpf_lsm_active");
	char lsms[512], base[512];
	int r = pal_probe_lsm_list(lsms, sizeof(lsms));

	if (r == 1) {
		snprintf(it->detail, sizeof(it->detail), "active LSMs: %.500s", lsms);
		d->lsm_active = true;
		return;
	}
	it->state = DR_FAIL;
	lsm_base(d, r < 0 ? "" : lsms, base, sizeof(base));
	if (r < 0) {
		snprintf(it->detail, sizeof(it->detail), "cannot read /sys/kernel/security/lsm: %s",
			 strerror(-r));
		snprintf(
			it->hint, sizeof(it->hint),
			"mount securityfs (mount -t securityfs securityfs /sys/kernel/security) to "
			"see the active LSMs; without bpf among them, boot with lsm=%.400s,bpf",
			base);
		return;
	}
	snprintf(it->detail, sizeof(it->detail), "bpf is not among the active LSMs: %.500s", lsms);
	snprintf(it->hint, sizeof(it->hint),
		 "add bpf to the kernel command line: lsm=%.500s,bpf (e.g. in GRUB_CMDLINE_LINUX), "
		 "then reboot",
		 base);
}

static void check_lsm_loads(struct doctor *d, const struct btf *btf)
{
	struct dr_item *it = add_check(d, "bpf_lsm_loads");
	int r = pal_probe_lsm_load(btf);

	if (r == 1) {
		snprintf(it->detail, sizeof(it->detail), "a BPF LSM program loads");
		d->lsm_usable = true;
		return;
	}
	it->state = DR_FAIL;
	if (r == -ENOENT) {
		snprintf(it->detail, sizeof(it->detail),
			 "the kernel has no BPF LSM hooks (no bpf_lsm_file_open in its BTF)");
		snprintf(it->hint, sizeof(it->hint), "use a kernel built with CONFIG_BPF_LSM=y");
		return;
	}
	snprintf(it->detail, sizeof(it->detail),
		 "the kernel refuses BPF LSM programs although it has the hooks: %s", strerror(-r));
	snprintf(it->hint, sizeof(it->hint), "%s",
		 r == -EPERM ? "loading was refused before verification: run as root, outside "
			       "any sandbox or seccomp filter on bpf(2), on a kernel not locked "
			       "down in confidentiality mode" :
			       "see the kernel log (dmesg) for the reason");
}

static void check_btf(struct doctor *d, const struct btf *btf)
{
	struct dr_item *it = add_check(d, "btf");

	if (btf) {
		snprintf(it->detail, sizeof(it->detail), "/sys/kernel/btf/vmlinux");
		return;
	}
	it->state = DR_FAIL;
	snprintf(it->detail, sizeof(it->detail), "no kernel BTF (/sys/kernel/btf/vmlinux)");
	snprintf(it->hint, sizeof(it->hint), "use a kernel built with CONFIG_DEBUG_INFO_BTF=y");
}

static void check_mount(struct doctor *d, const char *name, const char *fstype,
			enum dr_state missing, const char *hint)
{
	struct dr_item *it = add_check(d, name);
	char where[1024];

	if (find_mount(fstype, where, sizeof(where))) {
		snprintf(it->detail, sizeof(it->detail), "mounted at %.500s", where);
		return;
	}
	it->state = missing;
	snprintf(it->detail, sizeof(it->detail), "no %s mount", fstype);
	snprintf(it->hint, sizeof(it->hint), "%s", hint);
}

static void check_cgroup_progs(struct doctor *d)
{
	static const struct {
		int type;
		const char *name;
	} types[] = {
		{BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "cgroup/connect, sendmsg, bind"},
		{BPF_PROG_TYPE_CGROUP_SOCK, "cgroup/sock_create"},
		{BPF_PROG_TYPE_CGROUP_DEVICE, "cgroup/dev"},
	};
	struct dr_item *it = add_check(d, "cgroup_programs");
	size_t off = 0;

	d->cgroup_usable = true;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (pal_probe_prog_type(types[i].type) == 1)
			continue;
		d->cgroup_usable = false;
		off += (size_t)snprintf(it->detail + off, sizeof(it->detail) - off, "%s%s",
					off ? ", " : "cannot load: ", types[i].name);
		if (off >= sizeof(it->detail))
			break;
	}
	if (d->cgroup_usable) {
		snprintf(it->detail, sizeof(it->detail),
			 "connect, sendmsg, bind, sock_create, dev");
		return;
	}
	it->state = DR_FAIL;
	snprintf(it->hint, sizeof(it->hint),
		 "use a kernel built with CONFIG_CGROUP_BPF=y, and run as root");
}

static void check_ringbuf(struct doctor *d)
{
	struct dr_item *it = add_check(d, "ring_buffer");

	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1) {
		snprintf(it->detail, sizeof(it->detail), "BPF ring buffer maps load");
		return;
	}
	it->state = DR_FAIL;
	snprintf(it->detail, sizeof(it->detail), "no BPF ring buffer (needs Linux 5.8 or later)");
	snprintf(it->hint, sizeof(it->hint), "use a newer kernel");
}

/* ---- hooks -------------------------------------------------------------- */

/* A hook both objects attach to (file_open, task_alloc) does one job in each. */
static const struct dr_hook_info *hook_info_of(const char *hook, const char *object)
{
	bool guard = !strcmp(object, "guard");

	for (size_t i = 0; i < sizeof(hook_info) / sizeof(hook_info[0]); i++)
		if (!strcmp(hook_info[i].hook, hook) &&
		    !strcmp(hook_info[i].feature, "guard") == guard)
			return &hook_info[i];
	return NULL;
}

/* One hook per LSM program of obj: present in this kernel's BTF or not. */
static void hooks_of(struct doctor *d, const char *object, struct bpf_object *obj,
		     const struct btf *btf)
{
	const int cap = (int)(sizeof(d->hooks) / sizeof(d->hooks[0]));
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
	{
		const char *hook = pal_probe_lsm_hook_of(bpf_program__section_name(prog));
		const struct dr_hook_info *info;
		struct dr_item *it;

		if (!hook || (!strcmp(object, "file") &&
			      !pal_file_prog_wanted(bpf_program__name(prog), btf)))
			continue;
		info = hook_info_of(hook, object);
		it = add(d->hooks, &d->nhooks, cap, info ? info->hook : "unknown");
		it->object = object;
		snprintf(it->detail, sizeof(it->detail), "%s", info ? info->covers : hook);
		if (pal_probe_has_hook(btf, hook))
			continue;
		it->state = info && info->fallback ? DR_WARN : DR_FAIL;
		snprintf(it->hint, sizeof(it->hint), "%s",
			 info && info->fallback ? info->fallback : "not enforced on this kernel");
	}
}

/*
 * Why a load failed, from libbpf's messages: the program's name and the
 * verifier's last word (the log line before its "processed N insns").
 */
static char libbpf_last[320];

static void note_verifier_line(const char *log)
{
	const char *end = strstr(log, "\nprocessed "), *start;

	if (!end)
		end = strstr(log, "-- END PROG LOAD LOG --");
	if (!end)
		return;
	while (end > log && end[-1] == '\n')
		end--;
	for (start = end; start > log && start[-1] != '\n';)
		start--;
	snprintf(libbpf_last + strlen(libbpf_last), sizeof(libbpf_last) - strlen(libbpf_last),
		 ": %.*s", (int)(end - start), start);
}

static int capture_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static char msg[1 << 16];
	const char *p;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if ((p = strstr(msg, "prog '")) && strstr(msg, "load failed") && !libbpf_last[0])
		snprintf(libbpf_last, sizeof(libbpf_last), "%.*s", (int)strcspn(p + 6, "'"), p + 6);
	else if (strstr(msg, "-- BEGIN PROG LOAD LOG --") && !strchr(libbpf_last, ':'))
		note_verifier_line(msg);
	return 0;
}

/* With --verifier-stats: per program, the verifier's own account of its work. */
static bool verifier_stats;
#define STATS_LOG 4096

static void stats_prepare(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
	{
		char *buf = bpf_program__autoload(prog) ? calloc(1, STATS_LOG) : NULL;

		if (!buf)
			continue;
		bpf_program__set_log_buf(prog, buf, STATS_LOG);
		bpf_program__set_log_level(prog, 4); /* BPF_LOG_STATS */
	}
}

static void stats_report(struct bpf_object *obj)
{
	struct bpf_program *prog;
	size_t size;

	bpf_object__for_each_program(prog, obj)
	{
		char *buf = (char *)bpf_program__log_buf(prog, &size);
		const char *t, *p, *d;

		if (!buf)
			continue;
		t = strstr(buf, "verification time");
		p = strstr(buf, "processed ");
		d = strstr(buf, "stack depth");
		fprintf(stderr, "verifier: %s: %.*s; %.*s; %.*s\n", bpf_program__name(prog),
			t ? (int)strcspn(t, "\n") : 0, t ? t : "", p ? (int)strcspn(p, "\n") : 0,
			p ? p : "", d ? (int)strcspn(d, "\n") : 0, d ? d : "");
		bpf_program__set_log_buf(prog, NULL, 0);
		free(buf);
	}
}

/* Load the shared steps against obj's hooks and put them into each, then drop it all. */
static int try_steps(struct bpf_object *obj)
{
	struct pal_file_steps s;
	struct bpf_program *prog;
	int err, links[PAL_FILE_STEPS];

	pal_file_steps_init(&s);
	err = pal_file_steps_load(&s, obj, verifier_stats ? stats_prepare : NULL,
				  verifier_stats ? stats_report : NULL);
	bpf_object__for_each_program(prog, obj)
	{
		int n;

		if (err || bpf_program__fd(prog) < 0)
			continue;
		n = pal_file_steps_put(&s, bpf_program__fd(prog), bpf_program__name(prog), links);
		err = n < 0 ? n : 0;
		while (n > 0)
			close(links[--n]);
	}
	pal_file_steps_close(&s);
	return err;
}

/*
 * Load (verify) every program of obj as the agent would, with the hooks
 * this kernel lacks left out and, for the file hooks (obj_has_stubs), their
 * shared steps put in place, then throw it away: the verifier's verdict on
 * Palisade's own programs is the real answer, not the BTF alone.
 */
static void try_load(struct doctor *d, const char *name, struct bpf_object *obj,
		     const struct btf *btf, bool obj_has_stubs)
{
	struct dr_item *it = add_check(d, name);
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, obj)
	{
		const char *hook = pal_probe_lsm_hook_of(bpf_program__section_name(prog));

		if (hook && !pal_probe_has_hook(btf, hook))
			bpf_program__set_autoload(prog, false);
	}
	if (verifier_stats)
		stats_prepare(obj);
	libbpf_last[0] = 0;
	libbpf_set_print(capture_libbpf);
	err = bpf_object__load(obj);
	if (verifier_stats)
		stats_report(obj);
	if (!err && obj_has_stubs) /* the steps the hooks share, put in place as the agent does */
		err = try_steps(obj);
	libbpf_set_print(quiet_libbpf);
	if (!err) {
		snprintf(it->detail, sizeof(it->detail), "the verifier accepts every program");
		return;
	}
	it->state = DR_FAIL;
	snprintf(it->detail, sizeof(it->detail), "the kernel refused them (%s): %.400s",
		 strerror(-err), libbpf_last);
	snprintf(it->hint, sizeof(it->hint),
		 "this kernel's verifier rejects this build of Palisade: report it with the "
		 "output of 'palisade run -v'");
	d->lsm_usable = false; /* the agent refuses to start without all three */
}

static int collect_hooks(struct doctor *d, const struct btf *btf)
{
	struct file_bpf *file = file_bpf__open();
	struct guard_bpf *guard = guard_bpf__open();
	struct socket_bpf *sock = socket_bpf__open();
	int err = file && guard && sock ? 0 : -errno;

	if (!err) {
		hooks_of(d, "file", file->obj, btf);
		hooks_of(d, "socket", sock->obj, btf);
		hooks_of(d, "guard", guard->obj, btf);
	}
	if (!err && d->lsm_usable) {
		try_load(d, "programs_file", file->obj, btf, true);
		try_load(d, "programs_socket", sock->obj, btf, false);
		try_load(d, "programs_guard", guard->obj, btf, false);
	}
	file_bpf__destroy(file);
	guard_bpf__destroy(guard);
	socket_bpf__destroy(sock);
	return err;
}

/* ---- features ----------------------------------------------------------- */

/* A feature is as good as its worst hook; LSM features need BPF LSM. */
static void rate_lsm_feature(struct doctor *d, struct dr_feature *f)
{
	if (!d->lsm_usable) {
		f->state = DR_FAIL;
		snprintf(f->detail, sizeof(f->detail),
			 "needs BPF LSM and Palisade's LSM programs loaded (see above)");
		return;
	}
	for (int i = 0; i < d->nhooks; i++) {
		const struct dr_hook_info *info =
			hook_info_of(d->hooks[i].name, d->hooks[i].object);
		size_t off = strlen(f->detail);

		if (!info || strcmp(info->feature, f->key) || d->hooks[i].state == DR_OK)
			continue;
		if (d->hooks[i].state > f->state)
			f->state = d->hooks[i].state;
		snprintf(f->detail + off, sizeof(f->detail) - off, "%s%s: %s", off ? "; " : "",
			 d->hooks[i].name, d->hooks[i].hint);
	}
	if (f->state == DR_OK)
		snprintf(f->detail, sizeof(f->detail), "every hook present");
}

/*
 * Without BPF LSM the cgroup hooks still enforce network: rules for TCP and
 * UDP, but sends and connects of ICMP, raw, SCTP and DCCP sockets, listen()
 * without bind() and sockets used in another cgroup than the one that made
 * them are not mediated: say so.
 */
static void rate_network_lsm(struct doctor *d, struct dr_feature *f)
{
	if (f->state != DR_OK || d->lsm_usable)
		return;
	f->state = DR_WARN;
	snprintf(f->detail, sizeof(f->detail),
		 "TCP and UDP enforced by cgroup programs; without BPF LSM, sends and connects of "
		 "ICMP, raw, SCTP and DCCP sockets, listen() without bind() and sockets passed in "
		 "from another cgroup are not mediated");
}

static void rate_features(struct doctor *d, bool have_cgroup2)
{
	static const struct {
		const char *key, *what;
		bool lsm;
	} defs[] = {
		{"files", "files: rules", true},
		{"exec", "exec: rules", true},
		{"socket", "socket: rules of other families", true},
		{"guard", "self-protection", true},
		{"network", "network: rules", false},
		{"devices", "devices: rules", false},
	};

	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		struct dr_feature *f = &d->features[i];

		f->key = defs[i].key;
		f->what = defs[i].what;
		if (defs[i].lsm) {
			rate_lsm_feature(d, f);
			continue;
		}
		f->state = have_cgroup2 && d->cgroup_usable ? DR_OK : DR_FAIL;
		snprintf(f->detail, sizeof(f->detail), "%s",
			 f->state == DR_OK ? "cgroup programs load; cgroup v2 mounted" :
					     "needs cgroup v2 and cgroup programs (see above)");
		if (!strcmp(f->key, "network"))
			rate_network_lsm(d, f);
	}
}

/* ---- output ------------------------------------------------------------- */

static enum dr_state worst(const struct doctor *d)
{
	enum dr_state w = DR_OK;

	for (int i = 0; i < d->nchecks; i++)
		w = d->checks[i].state > w ? d->checks[i].state : w;
	for (size_t i = 0; i < sizeof(d->features) / sizeof(d->features[0]); i++)
		w = d->features[i].state > w ? d->features[i].state : w;
	return w;
}

static void print_items(const char *title, const struct dr_item *it, int n)
{
	printf("\n%s\n", title);
	for (int i = 0; i < n; i++) {
		printf("  %-4s  %-20s %s\n", state_names[it[i].state], it[i].name, it[i].detail);
		if (it[i].hint[0])
			printf("        %-20s Hint: %s\n", "", it[i].hint);
	}
}

static void print_text(const struct doctor *d)
{
	enum dr_state w = worst(d);

	printf("palisade doctor: kernel %s (%s)\n", d->uts.release, d->uts.machine);
	print_items("Host:", d->checks, d->nchecks);
	print_items("LSM hooks (one per program Palisade loads):", d->hooks, d->nhooks);
	printf("\nPolicy features:\n");
	for (size_t i = 0; i < sizeof(d->features) / sizeof(d->features[0]); i++) {
		const struct dr_feature *f = &d->features[i];

		printf("  %-4s  %-34s %s\n", state_names[f->state], f->what, f->detail);
	}
	printf("\n%s\n", w == DR_FAIL ? "Result: this host cannot enforce every policy feature "
					"(fix the 'fail' lines)" :
			 w == DR_WARN ? "Result: every policy feature is enforced; some degrade "
					"(see 'warn')" :
					"Result: every policy feature is enforced");
}

static struct json_object *items_json(const struct dr_item *it, int n)
{
	struct json_object *arr = json_object_new_array();

	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(it[i].name));
		if (it[i].object)
			json_object_object_add(o, "object", json_object_new_string(it[i].object));
		json_object_object_add(o, "state",
				       json_object_new_string(state_names[it[i].state]));
		json_object_object_add(o, "detail", json_object_new_string(it[i].detail));
		if (it[i].hint[0])
			json_object_object_add(o, "hint", json_object_new_string(it[i].hint));
		json_object_array_add(arr, o);
	}
	return arr;
}

static void print_json(const struct doctor *d)
{
	struct json_object *root = json_object_new_object(), *kern = json_object_new_object();
	struct json_object *feats = json_object_new_array();

	json_object_object_add(kern, "release", json_object_new_string(d->uts.release));
	json_object_object_add(kern, "machine", json_object_new_string(d->uts.machine));
	json_object_object_add(root, "kernel", kern);
	json_object_object_add(root, "checks", items_json(d->checks, d->nchecks));
	json_object_object_add(root, "hooks", items_json(d->hooks, d->nhooks));
	for (size_t i = 0; i < sizeof(d->features) / sizeof(d->features[0]); i++) {
		struct json_object *o = json_object_new_object();
		const struct dr_feature *f = &d->features[i];

		json_object_object_add(o, "name", json_object_new_string(f->key));
		json_object_object_add(o, "state", json_object_new_string(state_names[f->state]));
		json_object_object_add(o, "detail", json_object_new_string(f->detail));
		json_object_array_add(feats, o);
	}
	json_object_object_add(root, "features", feats);
	json_object_object_add(root, "result", json_object_new_string(state_names[worst(d)]));
	printf("%s\n", json_object_to_json_string_ext(
			       root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

/* ---- verb --------------------------------------------------------------- */

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0; /* probes fail on purpose; their noise is not the answer */
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: palisade doctor [--json] [--verifier-stats]\n"
		   "Check whether this host can enforce Palisade's policies: BPF LSM, BTF,\n"
		   "cgroup v2, bpffs, the LSM hooks this kernel has and the policy features\n"
		   "they make work, with a hint per missing piece. Loads nothing permanent.\n"
		   "Exit status: 0 every feature enforced (some may degrade), 77 a feature\n"
		   "cannot be enforced on this host, 1 usage error.\n"
		   "--verifier-stats prints, per program, the verifier's time and work\n"
		   "on this kernel (to stderr).\n");
}

static void diagnose(struct doctor *d)
{
	struct btf *btf = btf__load_vmlinux_btf();
	char cg2[1024];

	uname(&d->uts);
	check_privileges(d);
	check_lsm_active(d);
	check_btf(d, btf);
	check_lsm_loads(d, btf);
	d->lsm_usable = d->lsm_usable && d->lsm_active && btf;
	check_mount(d, "cgroup2", "cgroup2", DR_FAIL,
		    "mount cgroup v2: mount -t cgroup2 none /sys/fs/cgroup");
	check_mount(d, "bpffs", "bpf", DR_WARN,
		    "mount bpffs so enforcement survives agent restarts: "
		    "mount -t bpf bpf /sys/fs/bpf");
	check_cgroup_progs(d);
	check_ringbuf(d);
	if (collect_hooks(d, btf)) {
		struct dr_item *it = add_check(d, "hooks");

		it->state = DR_FAIL;
		snprintf(it->detail, sizeof(it->detail), "cannot read Palisade's own programs");
	}
	rate_features(d, find_mount("cgroup2", cg2, sizeof(cg2)));
	btf__free(btf);
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"verifier-stats", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct doctor *d;
	bool json = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else if (c == 'V') {
			verifier_stats = true;
		} else if (c == 'h') {
			usage(stdout);
			return PAL_EXIT_OK;
		} else {
			usage(stderr);
			return PAL_EXIT_POLICY;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "palisade doctor: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return PAL_EXIT_POLICY;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		fprintf(stderr, "palisade doctor: out of memory\n");
		return PAL_EXIT_RUNTIME;
	}
	libbpf_set_print(quiet_libbpf);
	diagnose(d);
	if (json)
		print_json(d);
	else
		print_text(d);
	rc = worst(d) == DR_FAIL ? PAL_EXIT_UNSUPPORTED : PAL_EXIT_OK;
	free(d);
	return rc;
}
