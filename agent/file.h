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
 * Load the LSM programs with the shared maps and attach them, or adopt the
 * links an earlier agent pinned under pin_dir (NULL: no pinning).
 */
int pal_file_open(struct pal_file **out, const struct pal_maps *maps, const char *pin_dir);
/*
 * Load the steps the hooks share (bpf/file_shared.bpf.c) against the loaded
 * hooks of the file object, and put each in place of its stub in every
 * hook that calls it. The links are added to l (NULL: they are dropped
 * again, as doctor does). before_load and after_load, if set, see the
 * shared object around its load (doctor's verifier stats).
 */
struct pal_lsm;
struct bpf_object;
int pal_file_shared_attach(struct pal_lsm *l, struct bpf_object *hooks,
			   void (*before_load)(struct bpf_object *),
			   void (*after_load)(struct bpf_object *));
/* Write the entries of generation slot `slot` (emitted by pal_emit_file) and its Bloom filter. */
int pal_file_write(struct pal_file *f, const struct pal_file_emit *em, __u32 slot);
/* Delete every entry of a slot (after the flip made it dead). */
int pal_file_clear_slot(struct pal_file *f, __u32 slot);
/* Number of loaded LSM hook programs, the write hook's attached or not (for status). */
int pal_file_nlinks(const struct pal_file *f);
/*
 * The hook on writes through an open file (file_permission) costs every
 * read() and write() of the host, so it is attached only while a
 * generation needs it: one whose policies restrict write or append, or
 * confine cgroups (a move of tasks written through an fd opened before).
 */
bool pal_file_needs_write_hook(const struct pal_gen_config *cfg);
/* Attach (before the generation that needs it goes live) or detach it (after): 0, or -errno. */
int pal_file_want_write_hook(struct pal_file *f, bool want);
/* Is it attached? */
bool pal_file_write_hook(const struct pal_file *f);
/* What this kernel leaves to a fallback hook, for status; NULL if nothing. */
struct btf;

/* Whether this kernel gets the file program named prog (one form of a hook per kernel). */
bool pal_file_prog_wanted(const char *prog, const struct btf *btf);
const char *pal_file_degraded(const struct pal_file *f);
/* keep: leave links pinned, so enforcement continues after exit. */
void pal_file_close(struct pal_file *f, bool keep);

#endif
