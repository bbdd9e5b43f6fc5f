// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The object's own maps, pinned next to the shared ones. */
static const char *const file_maps[] = {"pal_files",      "pal_exes",      "pal_bloom",
					 "pal_pat_edges",  "pal_pat_states", "pal_pat_globs",
					 "pal_pat_accept"};
enum { FILES, EXES, BLOOM, PAT_EDGES, PAT_STATES, PAT_GLOBS, PAT_ACCEPT, NMAPS };

/* Attached only while a generation needs it (pal_file_needs_write_hook). */
#define WRITE_HOOK "palisade_file_permission"

struct pal_file {
	struct pal_lsm lsm;
	int nhooks; /* LSM hooks loaded: the write hook, and the others' links */
	char degraded[160]; /* what this kernel's hooks leave to a fallback, or "" */
};

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
static void find_seqlocks(struct file_bpf *skel)
{
	static const char *const names[] = {"rename_lock", "mount_lock"};
	unsigned long long addr[2];

	if (pal_probe_ksyms(names, addr, 2) || !addr[0] || !addr[1]) {
		pal_log(PAL_LOG_INFO, "file: the kernel does not tell where rename_lock and "
				      "mount_lock are; every write is decided afresh");
		return;
	}
	skel->rodata->pal_rename_lock = addr[0];
	skel->rodata->pal_mount_lock = addr[1];
}

static int file_load(struct pal_file *f, const struct pal_maps *maps)
{
	struct file_bpf *skel = file_bpf__open();
	int err;

	if (!skel)
		return pal_log_errno(-errno, "file: cannot open the LSM object");
	choose_optional_hooks(f, skel);
	find_seqlocks(skel);
	/* Room for both generations; NO_PREALLOC: memory follows the entries. */
	bpf_map__set_max_entries(skel->maps.pal_files, PAL_MAX_FILE_KEYS);
	err = pal_maps_reuse(maps, skel->obj);
	if (err)
		pal_log_errno(err, "file: cannot share maps with the LSM object");
	if (!err) {
		err = file_bpf__load(skel);
		if (err)
			pal_log_errno(err,
				      "file: the kernel refused the LSM programs (BPF LSM off, "
				      "or no BTF?). Hint: run with -v for the verifier log");
	}
	if (!err) /* before the hooks attach: no hook ever runs the stub */
		err = pal_file_shared_attach(&f->lsm, skel->obj, NULL, NULL);
	if (!err)
		err = pal_lsm_attach(&f->lsm, skel->obj);
	file_bpf__destroy(skel); /* links and maps live on through our fds and pins */
	return err;
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

int pal_file_open(struct pal_file **out, const struct pal_maps *maps, const char *pin_dir)
{
	struct pal_file *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	pal_lsm_init(&f->lsm, "file", file_maps, NMAPS, pin_dir);
	f->lsm.on_demand = WRITE_HOOK;
	err = pal_lsm_adopt(&f->lsm);
	if (err == 0)
		err = file_load(f, maps);
	if (err < 0) {
		pal_file_close(f, false);
		return err;
	}
	f->nhooks = count_hooks(&f->lsm) + (f->lsm.od_prog_fd >= 0);
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

int pal_file_nlinks(const struct pal_file *f)
{
	return f->nhooks;
}

bool pal_file_needs_write_hook(const struct pal_gen_config *cfg)
{
	__u64 all = cfg->npolicies >= 64 ? ~0ull : (1ull << cfg->npolicies) - 1;

	return (cfg->restricted & (PAL_ACC_WRITE | PAL_ACC_APPEND)) || (all & ~cfg->host_policies);
}

int pal_file_want_write_hook(struct pal_file *f, bool want)
{
	return pal_lsm_want(&f->lsm, want);
}

bool pal_file_write_hook(const struct pal_file *f)
{
	return pal_lsm_wanted(&f->lsm);
}

void pal_file_close(struct pal_file *f, bool keep)
{
	if (!f)
		return;
	pal_lsm_close(&f->lsm, keep);
	free(f);
}
