/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pattern automaton (bpf/abi.h, "pattern automaton"): every rule
 * pattern of a generation, determinized at compile time into states over
 * path components, stored as the map entries the kernel reads. A runner
 * walks the compiled entries the way the BPF side does, so tests and
 * `compile --explain` decide a path exactly as the kernel would.
 */
#ifndef PALISADE_POLICIES_AUTOMATON_H
#define PALISADE_POLICIES_AUTOMATON_H

#include <stddef.h>

#include "bpf/abi.h"
#include "policies/pattern.h"

struct pal_auto_edge {
	struct pal_pat_key key;
	struct pal_pat_edge val;
};

/* The compiled maps of one generation (gen 0 in the keys), plus a lookup index. */
struct pal_auto {
	__u64 seed; /* of the name hashes in the keys */
	struct pal_pat_state *states; /* index = state; 0 unused, 1 = the root */
	size_t nstates;
	struct pal_auto_edge *edges; /* pal_pat_edges entries */
	size_t nedges;
	struct pal_pat_glob *globs;
	size_t nglobs;
	__u32 *accept; /* pal_pat_accept entries: pattern indexes */
	size_t naccept;
	__u32 *index; /* open addressing over edges: edge + 1, 0 = empty */
	size_t index_cap;
};

/* Why a set was refused: the reason and two patterns of the state that broke a bound. */
struct pal_auto_error {
	const char *why;
	size_t pat[2];
	size_t npat;
};

/*
 * Compile n rule patterns (PAL_PAT_RULE), pattern i carrying labels[i]
 * (what a match means: the accept entries hold labels, and patterns with
 * the same label and the same tail share states). Returns 0 with *out set,
 * -E2BIG with *e set when a bound of bpf/abi.h would be exceeded (e->pat:
 * pattern indexes), or -ENOMEM.
 */
int pal_auto_build(const struct pal_pattern *const *pats, const __u32 *labels, size_t n, __u64 seed,
		   struct pal_auto **out, struct pal_auto_error *e);
void pal_auto_free(struct pal_auto *a);

/*
 * Run a canonical absolute path through the compiled entries. *accept and
 * *naccept: the labels of the patterns that match it (sorted, unique). *lookups
 * (optional): map lookups made. Returns 0, or -EINVAL for a non-canonical path.
 */
int pal_auto_run(const struct pal_auto *a, const char *path, size_t len, const __u32 **accept,
		 size_t *naccept, size_t *lookups);

/* The name hash of the path hash (bpf/path_hash.h) of len bytes. */
__u64 pal_name_hash(__u64 seed, const char *c, __u32 len);

#endif /* PALISADE_POLICIES_AUTOMATON_H */
