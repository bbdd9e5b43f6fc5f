/* SPDX-License-Identifier: GPL-2.0-only */
/* User side of the file and exec LSM programs (bpf/file.bpf.c). */
#ifndef PALISADE_AGENT_FILE_H
#define PALISADE_AGENT_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/maps.h"
#include "policies/emit.h"

struct pal_file;

/*
 * Is BPF LSM usable? Returns 0, or -EOPNOTSUPP with an actionable reason
 * (what is missing, and the hint to fix it) in why.
 */
int pal_lsm_probe(char *why, size_t len);

/*
 * Probe what this kernel's hooks are, and adopt the links an earlier agent
 * pinned under pin_dir (NULL: no pinning); with none, the hooks are loaded
 * with the first generation (pal_file_hooks_attach), sharing maps, which
 * must outlive f.
 */
int pal_file_open(struct pal_file **out, const struct pal_maps *maps, const char *pin_dir);

/*
 * The steps the hooks share (bpf/file_shared.bpf.c), one program each,
 * loaded once, each verified against the first loaded hook that calls its
 * stub, then put in place of the stub in every hook that calls it
 * (freplace links), hooks loaded later included, before the hooks attach.
 */
#define PAL_FILE_STEPS 3
struct pal_file_steps {
	int fd[PAL_FILE_STEPS]; /* pal_resolve, pal_decide, pal_report; -1: not loaded */
	int func[PAL_FILE_STEPS]; /* each stub's BTF id in file.bpf.o, the same in every load */
};
struct bpf_object;
void pal_file_steps_init(struct pal_file_steps *s);
/*
 * Load each step that s lacks and a loaded program of hooks calls. before_load
 * and after_load, if set, see the steps' object around its load (doctor's
 * verifier stats). 0, or -errno.
 */
int pal_file_steps_load(struct pal_file_steps *s, struct bpf_object *hooks,
			void (*before_load)(struct bpf_object *),
			void (*after_load)(struct bpf_object *));
/*
 * Put every step into the loaded hook prog_fd (named name) that calls it:
 * its links into links[] (room for PAL_FILE_STEPS). The number of links,
 * or -errno (none left).
 */
int pal_file_steps_put(const struct pal_file_steps *s, int prog_fd, const char *name, int *links);
void pal_file_steps_close(struct pal_file_steps *s);

/* Write the entries of generation slot `slot` (emitted by pal_emit_file) and its Bloom filter. */
int pal_file_write(struct pal_file *f, const struct pal_file_emit *em, __u32 slot);
/* Delete every entry of a slot (after the flip made it dead). */
int pal_file_clear_slot(struct pal_file *f, __u32 slot);

/*
 * Hooks on demand (agent/file.c, demands[]): the hooks of accesses no
 * policy restricts stay unloaded, so the agent starts after verifying only
 * what its policies need, and the host pays no hook where none decides.
 * A mask has one bit per such hook. The write hook (file_permission) is one.
 */
/* The hooks generation cfg needs: those of the accesses it restricts; all when it targets cgroups. */
__u64 pal_file_hooks_needed(const struct pal_file *f, const struct pal_gen_config *cfg);
/*
 * Load and attach those of need not attached yet, before the generation
 * goes live, and the hooks always attached if they are not yet: 0, or -errno.
 */
int pal_file_hooks_attach(struct pal_file *f, __u64 need);
/* Detach those not in need, once no program decides by an older generation. */
void pal_file_hooks_detach(struct pal_file *f, __u64 need);
/* The hooks on demand attached now. */
__u64 pal_file_hooks_attached(const struct pal_file *f);
/* Their program names, into names[0..max): how many. */
size_t pal_file_hooks_names(const struct pal_file *f, const char **names, size_t max);
/* LSM hook programs attached now: those always attached, and those on demand. */
int pal_file_nhooks(const struct pal_file *f);
/* Is the write hook attached? */
bool pal_file_write_hook(const struct pal_file *f);
struct btf;
/* Whether this kernel gets the file program named prog (one form of a hook per kernel). */
bool pal_file_prog_wanted(const char *prog, const struct btf *btf);
/* What this kernel leaves to a fallback hook, for status; NULL if nothing. */
const char *pal_file_degraded(const struct pal_file *f);
/* keep: leave links pinned, so enforcement continues after exit. */
void pal_file_close(struct pal_file *f, bool keep);

#endif
