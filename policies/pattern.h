/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Path patterns: the one glob language of file and exec rules, `from:`,
 * cgroup targets and the review filters (docs/policy.md, "Patterns").
 *
 *   *        any run of bytes within one component ('/' never)
 *   ?        one byte
 *   [abc] [a-z] [!x]   one byte of (or not of) a class of ASCII characters
 *   **       a whole component: any number of whole components, zero included
 *   \* \? \[ \] \\     the character itself
 *
 * A pattern is split at '/' into components first, so nothing but '**'
 * crosses a '/'. Each component is classified so that matchers (and the
 * kernel automaton) can take the cheap route for the common shapes: a
 * literal name, '*', a prefix ("python3*"), a suffix ("*.pem"), both
 * ("ssh_host_*_key"), or a general glob. Matching is linear in the
 * subject times the pattern: no backtracking blow-up on hostile names.
 *
 * Self-contained (no arena, no diagnostics): the review tool and the cgroup
 * code use it as well.
 */
#ifndef PALISADE_POLICIES_PATTERN_H
#define PALISADE_POLICIES_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/abi.h"

/* ---- limits of rule patterns (PAL_PAT_RULE) ----------------------------- */

#define PAL_PAT_DSTAR_MAX 4 /* '**' components in one rule pattern */
#define PAL_PAT_GLOB_MAX 8 /* '*', '?' and classes in one component of a rule pattern */
#define PAL_PAT_CLASS_MAX 32 /* items (characters or ranges) in one class */
#define PAL_PAT_TEXT_MAX 4096 /* bytes of a pattern of any mode */

enum pal_pat_flags {
	/*
	 * A rule pattern: absolute, matched against canonical paths (repeated
	 * and trailing '/' collapse), no '.' or '..', rule path limits.
	 * Without it: a text pattern (review filters, selectors): may be
	 * relative, split at every '/', empty components kept.
	 */
	PAL_PAT_RULE = 1u << 0,
};

enum pal_pc_kind {
	PAL_PC_LIT = 0, /* a literal name: lit */
	PAL_PC_DSTAR = 1, /* '**' */
	PAL_PC_ANY = 2, /* '*' */
	PAL_PC_PREFIX = 3, /* lit '*' */
	PAL_PC_SUFFIX = 4, /* '*' suf */
	PAL_PC_PRESUF = 5, /* lit '*' suf */
	PAL_PC_GLOB = 6, /* anything else: tok */
};

enum pal_pt_kind {
	PAL_PT_BYTE = 0, /* the byte c */
	PAL_PT_ONE = 1, /* '?' */
	PAL_PT_STAR = 2, /* '*' */
	PAL_PT_CLASS = 3, /* a byte of class cls */
};

struct pal_pat_tok {
	unsigned char kind; /* enum pal_pt_kind */
	unsigned char c;
	unsigned short cls; /* index into pal_pattern.cls */
};

/* 256-bit set of bytes */
struct pal_pat_class {
	unsigned long long bits[4];
};

struct pal_pat_comp {
	unsigned char kind; /* enum pal_pc_kind */
	const char *lit; /* LIT: the name; PREFIX, PRESUF: the prefix */
	size_t nlit;
	const char *suf; /* SUFFIX, PRESUF */
	size_t nsuf;
	const struct pal_pat_tok *tok; /* GLOB: its tokens */
	size_t ntok;
	size_t min; /* bytes a matching name has at least */
	size_t off; /* byte offset of the component in the source */
};

struct pal_pattern {
	unsigned int flags; /* enum pal_pat_flags it was parsed with */
	bool literal; /* no component is a glob: text is the unescaped path */
	const char *text; /* canonical unescaped text (rule patterns), for literals */
	size_t ntext;
	size_t ncomp; /* rule patterns: comp[0] is the root's empty name */
	size_t ndstar;
	size_t glob_off; /* offset of the first unescaped glob character (!literal) */
	const char *src; /* the source text, NUL-terminated */
	size_t nsrc;
	struct pal_pat_comp *comp;
	struct pal_pat_class *cls;
};

/* Why a pattern was refused: the byte offset in the source and what to do. */
struct pal_pat_error {
	size_t off;
	const char *why;
	const char *hint; /* "" if none */
};

/*
 * Parse s[0..len) (no NUL needed). Returns 0 with *out set (free it with
 * pal_pattern_free), -EINVAL with *e filled in, -E2BIG over a limit (*e
 * filled in too), or -ENOMEM.
 */
int pal_pattern_parse(const char *s, size_t len, unsigned int flags, struct pal_pattern **out,
		      struct pal_pat_error *e);
void pal_pattern_free(struct pal_pattern *p);

/* Does s[0..len) hold an unescaped '*', '?' or '['? (A quick pre-check.) */
bool pal_pattern_has_glob(const char *s, size_t len);

/* Does name[0..len) match component c? */
bool pal_pattern_match_name(const struct pal_pattern *p, const struct pal_pat_comp *c,
			    const char *name, size_t len);

/*
 * Does s[0..len) match? Rule patterns take a canonical absolute path (as
 * pal_path_canon makes it); text patterns take any string.
 */
bool pal_pattern_match(const struct pal_pattern *p, const char *s, size_t len);

/*
 * pal_pattern_match, and *deeper: could a path below s match? (Every live
 * position short of the end can still be met by some name.)
 */
bool pal_pattern_match_deeper(const struct pal_pattern *p, const char *s, size_t len, bool *deeper);

/* What a pattern component kind is called, for --explain and messages. */
const char *pal_pattern_kind_name(unsigned char kind);

#endif /* PALISADE_POLICIES_PATTERN_H */
