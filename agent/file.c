// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "agent/file.h"
#include "agent/log.h"
#include "agent/lsm.h"
#include "agent/probe.h"
#include "policies/automaton.h"
#include "bpf/path_hash.h"
#include "file.skel.h"

/*
 * The object's own maps, pinned next to the shared ones: hooks loaded
 * later, by this agent or the next, share every one of them.
 */
static const char *const file_maps[] = {"pal_files",	      "pal_exes",	  "pal_bloom",
					"pal_pat_edges",      "pal_pat_states",	  "pal_pat_globs",
					"pal_pat_accept",     "pal_walk_scratch", "pal_setup",
					"pal_confined_tasks", "pal_write_memos"};
enum {
	FILES,
	EXES,
	BLOOM,
	PAT_EDGES,
	PAT_STATES,
	PAT_GLOBS,
	PAT_ACCEPT,
	WALK_SCRATCH,
	SETUP,
	CONFINED_TASKS,
	WRITE_MEMOS,
	NMAPS
};
_Static_assert(sizeof(file_maps) / sizeof(file_maps[0]) == NMAPS, "file_maps");
_Static_assert(NMAPS <= PAL_LSM_MAX_MAPS, "file_maps fit a pal_lsm");

/*
 * Hooks loaded and attached only while the live generation needs them:
 * one whose policies restrict an access they decide (every request of such
 * a hook asks for some of `access`, and req_begin lets no other through),
 * or one that targets cgroups (every hook then). The rest of file.bpf.c
 * is always attached: file_open, bprm_check (an exec arms a cgroup in
 * setup), task_alloc and kernfs_init (where confinement begins). file_free
 * runs on every close of the host, and only forgets remembered writes,
 * which only the write hook reads: it comes and goes with the write hook,
 * attached first (see memos_clear). Index i is bit i of a hook mask.
 */
static const struct demand {
	const char *prog;
	__u32 access;
} demands[] = {
	{"palisade_file_free", PAL_ACC_WRITE | PAL_ACC_APPEND}, /* before the write hook */
	{"palisade_file_permission", PAL_ACC_WRITE | PAL_ACC_APPEND}, /* the write hook */
	{"palisade_mmap_file", PAL_ACC_MMAP_EXEC},
	{"palisade_file_mprotect", PAL_ACC_MMAP_EXEC},
	{"palisade_mmap_write", PAL_ACC_WRITE},
	{"palisade_mprotect_write", PAL_ACC_WRITE},
	{"palisade_file_fcntl", PAL_ACC_WRITE},
	{"palisade_path_mknod", PAL_ACC_CREATE},
	{"palisade_path_mkdir", PAL_ACC_CREATE},
	{"palisade_path_symlink", PAL_ACC_CREATE},
	{"palisade_path_unlink", PAL_ACC_DELETE},
	{"palisade_path_rmdir", PAL_ACC_DELETE},
	{"palisade_path_link", PAL_ACC_LINK},
	{"palisade_path_rename", PAL_ACC_RENAME},
	{"palisade_path_chmod", PAL_ACC_CHMOD},
	{"palisade_path_chown", PAL_ACC_CHOWN},
	{"palisade_path_truncate", PAL_ACC_TRUNCATE},
	{"palisade_file_truncate", PAL_ACC_TRUNCATE},
	{"palisade_sb_mount", PAL_ACC_MOUNT},
	{"palisade_move_mount", PAL_ACC_MOUNT},
	{"palisade_sb_pivotroot", PAL_ACC_MOUNT},
	{"palisade_inode_setxattr", PAL_ACC_WRITE},
	{"palisade_inode_removexattr", PAL_ACC_WRITE},
	{"palisade_inode_set_acl", PAL_ACC_WRITE},
	{"palisade_inode_remove_acl", PAL_ACC_WRITE},
	{"palisade_inode_setattr", PAL_ACC_WRITE},
	{"palisade_inode_setattr_v1", PAL_ACC_WRITE},
	{"palisade_file_ioctl", PAL_ACC_WRITE},
	{"palisade_inode_file_setattr", PAL_ACC_WRITE},
	{"palisade_unix_stream_connect", PAL_ACC_UNIX_CONNECT},
	{"palisade_unix_may_send", PAL_ACC_UNIX_CONNECT},
};
#define NDEMANDS (sizeof(demands) / sizeof(demands[0]))
#define FREE_HOOK 0 /* demands[0]: attached before the write hook, in index order */
#define WRITE_HOOK 1 /* demands[1] */
_Static_assert(NDEMANDS <= 64, "one bit of a hook mask each");

/* The hooks that are always attached; a program in neither list refuses the load. */
static const char *const core_hooks[] = {"palisade_kernfs_init", "palisade_task_alloc",
					 "palisade_file_open", "palisade_bprm_check"};

struct demand_state {
	int link; /* the hook's link while attached, else -1 */
	int nsteps;
	int steps[PAL_FILE_STEPS]; /* the shared steps' links into it */
};

struct pal_file {
	struct pal_lsm lsm; /* the core hooks, the shared steps' links into them, the maps */
	const struct pal_maps *maps;
	struct pal_file_steps steps; /* loaded once, put into every hook loaded after */
	struct demand_state dem[NDEMANDS];
	__u64 available; /* demand hooks this kernel has */
	unsigned long long seqlocks[2]; /* rename_lock, mount_lock; 0: unknown */
	bool core; /* the core hooks are attached: loaded, or adopted */
	int ncore; /* how many */
	char degraded[160]; /* what this kernel's hooks leave to a fallback, or "" */
};

/* Index of program name in demands[], or -1. */
static int demand_of(const char *name)
{
	for (size_t i = 0; i < NDEMANDS; i++)
		if (!strcmp(demands[i].prog, name))
			return (int)i;
	return -1;
}

static bool is_core(const char *name)
{
	for (size_t i = 0; i < sizeof(core_hooks) / sizeof(core_hooks[0]); i++)
		if (!strcmp(core_hooks[i], name))
			return true;
	return false;
}

int pal_lsm_probe(char *why, size_t len)
{
	char lsms[512];
	int r = pal_probe_lsm_list(lsms, sizeof(lsms));

	if (r == 1)
		return 0;
	if (r < 0)
		snprintf(why, len,
			 "cannot read /sys/kernel/security/lsm (%s). Hint: mount securityfs "
			 "(mount -t securityfs none /sys/kernel/security)",
			 strerror(-r));
	else
		snprintf(why, len,
			 "BPF LSM is not active (active LSMs: '%s'). Hint: add bpf to lsm= on the "
			 "kernel command line, e.g. lsm=%s%sbpf, and reboot (palisade doctor "
			 "says more)",
			 lsms, lsms, lsms[0] ? "," : "");
	return -EOPNOTSUPP;
}

/* Mount hooks (mounts:): every kernel of the matrix has them; a kernel without one says so. */
static void choose_mount_hooks(struct pal_file *f, struct file_bpf *skel, const struct btf *btf)
{
	struct bpf_program *progs[] = {skel->progs.palisade_sb_mount,
				       skel->progs.palisade_move_mount,
				       skel->progs.palisade_sb_pivotroot};
	static const char *const hooks[] = {"sb_mount", "move_mount", "sb_pivotroot"};

	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		bool has = pal_probe_has_hook(btf, hooks[i]);

		bpf_program__set_autoload(progs[i], has);
		if (has)
			continue;
		snprintf(f->degraded, sizeof(f->degraded),
			 "%s: this kernel has no such hook; mounts: is not enforced there",
			 hooks[i]);
		pal_log(PAL_LOG_WARN,
			"file: this kernel has no %s hook; mounts: is not enforced "
			"there",
			hooks[i]);
	}
}

/* The number of arguments of an LSM hook, from its BTF, or -ENOENT. */
static int hook_nargs(const struct btf *btf, const char *hook)
{
	const struct btf_type *t;
	char fn[96];
	int id;

	snprintf(fn, sizeof(fn), "bpf_lsm_%s", hook);
	id = btf ? btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC) : -ENOENT;
	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, btf__type_by_id(btf, (__u32)id)->type);
	return t && btf_is_func_proto(t) ? btf_vlen(t) : -ENOENT;
}

/*
 * Metadata hooks: inode_setattr took an idmap first from 6.8 on (one program
 * per form), and from 6.17 on inode_file_setattr decides the flag ioctls and
 * file_setattr(2), so the ioctl program stays out. Whether this kernel gets
 * the program named prog; doctor asks the same.
 */
bool pal_file_prog_wanted(const char *prog, const struct btf *btf)
{
	int nargs = hook_nargs(btf, "inode_setattr");

	if (!strcmp(prog, "palisade_inode_setattr"))
		return nargs == 3;
	if (!strcmp(prog, "palisade_inode_setattr_v1"))
		return nargs == 2;
	if (!strcmp(prog, "palisade_file_ioctl"))
		return !pal_probe_has_hook(btf, "inode_file_setattr");
	return true;
}

/* ACLs have hooks of their own from 6.2 on. */
static void choose_meta_hooks(struct file_bpf *skel, const struct btf *btf)
{
	struct bpf_program *progs[] = {skel->progs.palisade_inode_setattr,
				       skel->progs.palisade_inode_setattr_v1,
				       skel->progs.palisade_file_ioctl};

	bpf_program__set_autoload(skel->progs.palisade_inode_set_acl,
				  pal_probe_has_hook(btf, "inode_set_acl"));
	bpf_program__set_autoload(skel->progs.palisade_inode_remove_acl,
				  pal_probe_has_hook(btf, "inode_remove_acl"));
	bpf_program__set_autoload(skel->progs.palisade_inode_file_setattr,
				  pal_probe_has_hook(btf, "inode_file_setattr"));
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		bpf_program__set_autoload(progs[i],
					  pal_file_prog_wanted(bpf_program__name(progs[i]), btf));
	if (!pal_file_prog_wanted("palisade_inode_setattr", btf) &&
	    !pal_file_prog_wanted("palisade_inode_setattr_v1", btf))
		pal_log(PAL_LOG_WARN, "file: this kernel's inode_setattr hook has an unknown "
				      "form; timestamps are not decided");
}

/* Hooks that only some kernels have: load them where they exist, and say so. */
static void choose_optional_hooks(struct pal_file *f, struct file_bpf *skel)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool trunc = pal_probe_has_hook(btf, "file_truncate");

	choose_mount_hooks(f, skel, btf);
	choose_meta_hooks(skel, btf);
	btf__free(btf);
	bpf_program__set_autoload(skel->progs.palisade_file_truncate, trunc);
	if (trunc)
		return;
	snprintf(f->degraded, sizeof(f->degraded),
		 "file_truncate: this kernel has no such hook; path_truncate decides ftruncate "
		 "and O_TRUNC");
	pal_log(PAL_LOG_INFO, "file: this kernel has no file_truncate hook (before 6.2); "
			      "ftruncate and O_TRUNC reach path_truncate instead");
}

const char *pal_file_degraded(const struct pal_file *f)
{
	return f && f->degraded[0] ? f->degraded : NULL;
}

/* The seqlocks a remembered write decision depends on (bpf/file.bpf.c). */
static void find_seqlocks(struct pal_file *f)
{
	static const char *const names[] = {"rename_lock", "mount_lock"};

	if (pal_probe_ksyms(names, f->seqlocks, 2) || !f->seqlocks[0] || !f->seqlocks[1]) {
		f->seqlocks[0] = f->seqlocks[1] = 0;
		pal_log(PAL_LOG_INFO, "file: the kernel does not tell where rename_lock and "
				      "mount_lock are; every write is decided afresh");
	}
}

/*
 * What this kernel has: the optional hooks (and so the degraded note), and
 * which demand hooks it has. Once per agent: it reads the kernel's BTF.
 */
static int probe_hooks(struct pal_file *f)
{
	struct file_bpf *skel = file_bpf__open();
	struct bpf_program *prog;

	if (!skel)
		return pal_log_errno(-errno, "file: cannot open the LSM object");
	choose_optional_hooks(f, skel);
	bpf_object__for_each_program(prog, skel->obj)
	{
		const char *name = bpf_program__name(prog);
		int i = demand_of(name);

		if (i >= 0 && bpf_program__autoload(prog))
			f->available |= 1ull << i;
		if (i < 0 && !is_core(name)) {
			file_bpf__destroy(skel);
			return pal_log_errno(-EINVAL,
					     "file: program '%s' is neither always "
					     "attached nor on demand (agent/file.c)",
					     name);
		}
	}
	file_bpf__destroy(skel);
	return 0;
}

/* Share the maps: the shared ones, and the object's own once they exist. */
static int share_maps(struct pal_file *f, struct bpf_object *obj)
{
	int err = pal_maps_reuse(f->maps, obj);

	for (int i = 0; i < NMAPS && !err && f->lsm.map_fd[i] >= 0; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, file_maps[i]);

		if (!m || bpf_map__reuse_fd(m, f->lsm.map_fd[i]))
			err = m ? -errno : -ENOENT;
	}
	if (err)
		pal_log_errno(err, "file: cannot share maps with the LSM object");
	return err;
}

/*
 * Open and load the object with only some programs: the core hooks, or the
 * demand hooks of mask `want`; then load the shared steps they call that
 * are not loaded yet. The caller attaches and destroys.
 */
static int instance_load(struct pal_file *f, bool core, __u64 want, struct file_bpf **out)
{
	struct file_bpf *skel = file_bpf__open();
	struct bpf_program *prog;
	int err;

	if (!skel)
		return pal_log_errno(-errno, "file: cannot open the LSM object");
	bpf_object__for_each_program(prog, skel->obj)
	{
		int i = demand_of(bpf_program__name(prog));

		bpf_program__set_autoload(prog, i < 0 ? core : (want & f->available) >> i & 1);
	}
	skel->rodata->pal_rename_lock = f->seqlocks[0];
	skel->rodata->pal_mount_lock = f->seqlocks[1];
	/* Room for both generations; NO_PREALLOC: memory follows the entries. */
	bpf_map__set_max_entries(skel->maps.pal_files, PAL_MAX_FILE_KEYS);
	err = share_maps(f, skel->obj);
	if (!err) {
		err = file_bpf__load(skel);
		if (err)
			pal_log_errno(err,
				      "file: the kernel refused the LSM programs (BPF LSM off, "
				      "or no BTF?). Hint: run with -v for the verifier log");
	}
	if (!err) /* before the hooks attach: no hook ever runs the stub */
		err = pal_file_steps_load(&f->steps, skel->obj, NULL, NULL);
	if (err) {
		file_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

/* Is link fd one of an LSM program (a hook), not of a shared step put into one? */
static bool hook_link(int fd)
{
	struct bpf_prog_info pi;

	return !pal_lsm_link_prog(fd, &pi) && pi.type == BPF_PROG_TYPE_LSM;
}

static int count_hooks(const struct pal_lsm *l)
{
	int n = 0;

	for (int i = 0; i < l->nlinks; i++)
		n += hook_link(l->link_fd[i]);
	return n;
}

static bool on_demand(const struct bpf_program *prog)
{
	return demand_of(bpf_program__name(prog)) >= 0;
}

/* The core hooks of a loaded instance: the shared steps put into them, attached, all pinned. */
static int core_attach(struct pal_file *f, struct file_bpf *skel)
{
	struct pal_lsm *l = &f->lsm;
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
	{
		int n;

		if (!bpf_program__autoload(prog) || on_demand(prog))
			continue;
		if (l->nlinks + PAL_FILE_STEPS > PAL_LSM_MAX_LINKS)
			return pal_log_errno(-E2BIG, "file: more than %d links", PAL_LSM_MAX_LINKS);
		n = pal_file_steps_put(&f->steps, bpf_program__fd(prog), bpf_program__name(prog),
				       &l->link_fd[l->nlinks]);
		if (n < 0)
			return n;
		l->nlinks += n;
	}
	return pal_lsm_attach(l, skel->obj, on_demand);
}

/* Pin path of demand hook i's link (step < 0) or of a shared step's link into it. */
static void demand_pin(char *buf, size_t len, const struct pal_file *f, size_t i, int step)
{
	if (step < 0)
		snprintf(buf, len, "%s/links/file-%s", f->lsm.pin_dir, demands[i].prog);
	else
		snprintf(buf, len, "%s/links/file-%s-s%d", f->lsm.pin_dir, demands[i].prog, step);
}

/* Take over the demand hooks an earlier agent left attached. */
static int demand_adopt(struct pal_file *f)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < NDEMANDS; i++) {
		struct demand_state *d = &f->dem[i];

		demand_pin(path, sizeof(path), f, i, -1);
		d->link = bpf_obj_get(path);
		if (d->link < 0 && errno != ENOENT)
			return pal_log_errno(-errno, "file: cannot adopt '%s'", path);
		for (; d->link >= 0 && d->nsteps < PAL_FILE_STEPS; d->nsteps++) {
			demand_pin(path, sizeof(path), f, i, d->nsteps);
			d->steps[d->nsteps] = bpf_obj_get(path);
			if (d->steps[d->nsteps] < 0)
				break;
		}
	}
	return 0;
}

/* Close fd and remove its pin: a pin left behind would keep the link. */
static void unpin_close(int fd, const char *path, bool unpin)
{
	if (unpin && unlink(path) && errno != ENOENT)
		pal_log(PAL_LOG_WARN, "file: cannot unpin '%s' (%s): the link stays", path,
			strerror(errno));
	close(fd);
}

/* Close demand hook i's links, the hook's first; and unpin them. */
static void demand_drop(struct pal_file *f, size_t i, bool unpin)
{
	struct demand_state *d = &f->dem[i];
	char path[PATH_MAX];

	unpin = unpin && f->lsm.pin_dir[0];
	if (d->link >= 0) {
		demand_pin(path, sizeof(path), f, i, -1);
		unpin_close(d->link, path, unpin);
	}
	while (d->nsteps > 0) {
		d->nsteps--;
		demand_pin(path, sizeof(path), f, i, d->nsteps);
		unpin_close(d->steps[d->nsteps], path, unpin);
	}
	d->link = -1;
}

/* Attach loaded demand hook prog (index i), the shared steps put in first; pin it all. */
static int demand_attach(struct pal_file *f, size_t i, struct bpf_program *prog)
{
	struct demand_state *d = &f->dem[i];
	char path[PATH_MAX];
	int n, fd, err = 0;

	n = pal_file_steps_put(&f->steps, bpf_program__fd(prog), demands[i].prog, d->steps);
	if (n < 0)
		return n;
	d->nsteps = n;
	for (int k = 0; k < n && !err && f->lsm.pin_dir[0]; k++) {
		demand_pin(path, sizeof(path), f, i, k);
		err = pal_pin(d->steps[k], path);
	}
	fd = err ? -1 : bpf_link_create(bpf_program__fd(prog), 0, BPF_LSM_MAC, NULL);
	if (!err && fd < 0)
		err = pal_log_errno(-errno, "file: cannot attach '%s'", demands[i].prog);
	d->link = fd;
	if (!err && f->lsm.pin_dir[0]) {
		demand_pin(path, sizeof(path), f, i, -1);
		err = pal_pin(fd, path);
	}
	if (err)
		demand_drop(f, i, true);
	return err;
}

/*
 * Drop every remembered write. A memo is keyed by its file's address, and
 * one whose file closed while file_free was detached stays behind, for
 * another file that may have that address now. Called with file_free
 * attached (every memo from now on leaves with its file) and before the
 * write hook, the only reader of memos, is attached: so it never reads one
 * of a closed file. Batches walk the map's buckets once, whatever runs
 * meanwhile.
 */
static int memos_clear(struct pal_file *f)
{
	int fd = f->lsm.map_fd[WRITE_MEMOS];
	struct bpf_map_info mi = {0};
	__u32 len = sizeof(mi), batch, n, dropped = 0;
	__u64 keys[128];
	void *vals, *in = NULL;
	int err = 0;

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &len))
		return pal_log_errno(fd < 0 ? -EBADF : -errno,
				     "file: cannot read the write memos before the write hook");
	vals = calloc(sizeof(keys) / sizeof(keys[0]), mi.value_size);
	if (!vals)
		return -ENOMEM;
	do {
		n = sizeof(keys) / sizeof(keys[0]);
		if (bpf_map_lookup_and_delete_batch(fd, in, &batch, keys, vals, &n, NULL))
			err = -errno;
		dropped += n; /* also on ENOENT: the last batch */
		in = &batch;
	} while (!err);
	free(vals);
	if (err == -ENOENT) { /* past the last bucket: all gone */
		if (dropped)
			pal_log(PAL_LOG_INFO,
				"file: dropped %u remembered writes before the write hook",
				dropped);
		return 0;
	}
	return pal_log_errno(err, "file: cannot drop the write memos before the write hook");
}

__u64 pal_file_hooks_attached(const struct pal_file *f)
{
	__u64 m = 0;

	for (size_t i = 0; i < NDEMANDS; i++)
		if (f->dem[i].link >= 0)
			m |= 1ull << i;
	return m;
}

__u64 pal_file_hooks_needed(const struct pal_file *f, const struct pal_gen_config *cfg)
{
	__u64 all = cfg->npolicies >= 64 ? ~0ull : (1ull << cfg->npolicies) - 1, m = 0;

	for (size_t i = 0; i < NDEMANDS; i++)
		if ((cfg->restricted & demands[i].access) || (all & ~cfg->host_policies))
			m |= 1ull << i;
	return m & f->available;
}

/*
 * The core hooks come with the first generation's: one load of the object
 * (one read of the kernel's BTF, one relocation) for all of them. Until
 * then no generation is live, so none is missed.
 */
int pal_file_hooks_attach(struct pal_file *f, __u64 need)
{
	__u64 load = need & f->available & ~pal_file_hooks_attached(f);
	bool core = !f->core;
	struct bpf_program *prog;
	struct file_bpf *skel = NULL;
	int err;

	if (!load && !core)
		return 0;
	err = instance_load(f, core, load, &skel);
	if (err)
		return err;
	if (core) /* attached and pinned even if a demand hook fails next: never twice */
		err = core_attach(f, skel);
	if (core && !err) {
		f->core = true;
		f->ncore = count_hooks(&f->lsm);
	}
	for (size_t i = 0; i < NDEMANDS && !err; i++) {
		if (!(load >> i & 1))
			continue;
		prog = bpf_object__find_program_by_name(skel->obj, demands[i].prog);
		if (i == WRITE_HOOK)
			err = f->dem[FREE_HOOK].link < 0 ?
				      pal_log_errno(-EINVAL,
						    "file: the write hook needs file_free") :
				      memos_clear(f);
		if (!err)
			err = prog ? demand_attach(f, i, prog) : -ENOENT;
	}
	file_bpf__destroy(skel); /* the links hold the programs */
	if (!err && load)
		pal_log(PAL_LOG_INFO, "file: attached %d hooks the new generation needs",
			__builtin_popcountll(load));
	return err;
}

void pal_file_hooks_detach(struct pal_file *f, __u64 need)
{
	__u64 drop = pal_file_hooks_attached(f) & ~need;

	for (size_t i = 0; i < NDEMANDS; i++)
		if (drop >> i & 1)
			demand_drop(f, i, true);
	if (drop)
		pal_log(PAL_LOG_INFO, "file: detached %d hooks no policy needs now",
			__builtin_popcountll(drop));
}

int pal_file_open(struct pal_file **out, const struct pal_maps *maps, const char *pin_dir)
{
	struct pal_file *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	pal_lsm_init(&f->lsm, "file", file_maps, NMAPS, pin_dir);
	pal_file_steps_init(&f->steps);
	for (size_t i = 0; i < NDEMANDS; i++)
		f->dem[i].link = -1;
	f->maps = maps;
	err = probe_hooks(f);
	if (!err)
		find_seqlocks(f);
	if (!err)
		err = pal_lsm_adopt(&f->lsm);
	if (err == 1) /* else the core hooks are loaded with the first generation's */
		err = demand_adopt(f);
	if (err < 0) {
		pal_file_close(f, false);
		return err;
	}
	f->core = f->lsm.adopted;
	f->ncore = count_hooks(&f->lsm);
	*out = f;
	return 0;
}

/* Slot's Bloom filter: the bits of keys, or all clear (keys NULL). */
static int bloom_write(struct pal_file *f, __u32 slot, const struct pal_file_entry *e, size_t n)
{
	struct pal_bloom *bl = calloc(1, sizeof(*bl));
	int err = 0;

	if (!bl)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		__u64 x = pal_bloom_hash(&e[i].key);

		bl->w[pal_bloom_word(x)] |= pal_bloom_mask(x);
	}
	if (bpf_map_update_elem(f->lsm.map_fd[BLOOM], &slot, bl, BPF_ANY))
		err = -errno;
	free(bl);
	return err;
}

/* The automaton's edges, each key moved to generation slot. */
static int edges_write(int fd, const struct pal_auto *a, __u32 slot)
{
	struct pal_map_batch b;
	int err = pal_map_batch_init(&b, fd, sizeof(a->edges[0].key), sizeof(a->edges[0].val));

	for (size_t i = 0; i < a->nedges && !err; i++) {
		struct pal_pat_key k = a->edges[i].key;

		k.gen = (__u16)slot;
		err = pal_map_batch_add(&b, &k, &a->edges[i].val);
	}
	return pal_map_batch_end(&b, err);
}

/*
 * The pattern automaton of slot: its tables, then its edges, which are
 * what make the states reachable (the slot is idle while it is written).
 */
static int automaton_write(struct pal_file *f, const struct pal_auto *a, __u32 slot)
{
	int err;

	if (a->nstates > PAL_PAT_STATES_MAX || a->nglobs > PAL_PAT_GLOBS_MAX ||
	    a->naccept > PAL_PAT_ACCEPT_MAX || a->nedges > PAL_PAT_EDGES_MAX)
		return pal_log_errno(-E2BIG,
				     "file: the pattern automaton has %zu states, %zu globs, %zu "
				     "accept entries and %zu edges, over the limits of bpf/abi.h",
				     a->nstates, a->nglobs, a->naccept, a->nedges);
	err = pal_map_write_array(f->lsm.map_fd[PAT_ACCEPT], slot * PAL_PAT_ACCEPT_MAX, a->accept,
				  a->naccept, sizeof(*a->accept));
	if (!err)
		err = pal_map_write_array(f->lsm.map_fd[PAT_GLOBS], slot * PAL_PAT_GLOBS_MAX,
					  a->globs, a->nglobs, sizeof(*a->globs));
	if (!err)
		err = pal_map_write_array(f->lsm.map_fd[PAT_STATES], slot * PAL_PAT_STATES_MAX,
					  a->states, a->nstates, sizeof(*a->states));
	return err ?: edges_write(f->lsm.map_fd[PAT_EDGES], a, slot);
}

/* The rule keys, then the executables' ids (an alias shares an earlier path's id). */
static int keys_write(struct pal_file *f, const struct pal_file_emit *em)
{
	struct pal_map_batch b;
	int err = PAL_MAP_WRITE_ENTRIES(f->lsm.map_fd[FILES], em->entries, em->nentries);

	if (err)
		return err;
	err = pal_map_batch_init(&b, f->lsm.map_fd[EXES], sizeof(em->exes[0].key),
				 sizeof(em->exes[0].id));
	for (size_t i = 0; i < em->nexes && !err; i++)
		if (em->exes[i].exists && !em->exes[i].alias)
			err = pal_map_batch_add(&b, &em->exes[i].key, &em->exes[i].id);
	return pal_map_batch_end(&b, err);
}

int pal_file_write(struct pal_file *f, const struct pal_file_emit *em, __u32 slot)
{
	int err = bloom_write(f, slot, em->entries, em->nentries);

	if (!err && em->autom)
		err = automaton_write(f, em->autom, slot);
	return err ?: keys_write(f, em);
}

int pal_file_clear_slot(struct pal_file *f, __u32 slot)
{
	int err = pal_map_clear_slot(f->lsm.map_fd[FILES], sizeof(struct pal_file_key),
				     offsetof(struct pal_file_key, gen), slot);

	if (!err)
		err = pal_map_clear_slot(f->lsm.map_fd[EXES], sizeof(struct pal_exe_key),
					 offsetof(struct pal_exe_key, gen), slot);
	/* without edges no state but the root is reached; the root leads nowhere */
	if (!err)
		err = pal_map_clear_slot(f->lsm.map_fd[PAT_EDGES], sizeof(struct pal_pat_key),
					 offsetof(struct pal_pat_key, gen), slot);
	if (!err)
		err = pal_map_write_array(f->lsm.map_fd[PAT_STATES], slot * PAL_PAT_STATES_MAX + 1,
					  &(struct pal_pat_state){0}, 1,
					  sizeof(struct pal_pat_state));
	return err ? err : bloom_write(f, slot, NULL, 0);
}

int pal_file_nhooks(const struct pal_file *f)
{
	return f->ncore + __builtin_popcountll(pal_file_hooks_attached(f));
}

size_t pal_file_hooks_names(const struct pal_file *f, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < NDEMANDS && n < max; i++)
		if (f->dem[i].link >= 0)
			names[n++] = demands[i].prog;
	return n;
}

bool pal_file_write_hook(const struct pal_file *f)
{
	return f->dem[WRITE_HOOK].link >= 0;
}

void pal_file_close(struct pal_file *f, bool keep)
{
	if (!f)
		return;
	for (size_t i = 0; i < NDEMANDS; i++)
		demand_drop(f, i, !keep);
	pal_lsm_close(&f->lsm, keep);
	pal_file_steps_close(&f->steps);
	free(f);
}
