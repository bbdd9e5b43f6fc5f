/* SPDX-License-Identifier: GPL-2.0-only */
/* Internals of pal_policy shared by its source files. Not a public API. */
#ifndef PALISADE_POLICIES_POLICY_INT_H
#define PALISADE_POLICIES_POLICY_INT_H

#include <stdarg.h>
#include <stdint.h>

#include "policies/policy.h"

/* ---- arena: many small allocations, one free --------------------------- */

struct pal_chunk;

struct pal_arena {
	struct pal_chunk *head;
};

/* Zeroed, 16-byte aligned. NULL on ENOMEM or size overflow. */
void *pal_arena_alloc(struct pal_arena *a, size_t size);
void *pal_arena_array(struct pal_arena *a, size_t n, size_t size);
char *pal_arena_strndup(struct pal_arena *a, const char *s, size_t len);
char *pal_arena_printf(struct pal_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *pal_arena_vprintf(struct pal_arena *a, const char *fmt, va_list ap);
void pal_arena_free(struct pal_arena *a);

/*
 * Make *arr (of *cap elements of elem bytes) hold at least need elements,
 * doubling from 64. Returns 0 or -ENOMEM (*arr is then unchanged).
 */
int pal_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* ---- patterns expanded against this host's files (expand.c) ------------ */

struct pal_pattern;

/* Directory entries one expansion may read before it is refused. */
#define PAL_EXPAND_MAX 100000

/* Called with each regular file (following symlinks) a pattern matches; non-zero stops. */
typedef int (*pal_expand_fn)(const char *path, size_t len, void *ctx);

/*
 * Every regular file on this host that rule pattern pat matches, to found.
 * '**' does not walk on through a symlink to a directory (a name after
 * it may still go through one, as in any path), nor into kernel
 * pseudo-filesystems (proc, sysfs, cgroup, bpf, debugfs, tracefs,
 * securityfs). Returns 0, found's non-zero value, -E2BIG past
 * PAL_EXPAND_MAX entries, or -ENOMEM.
 */
int pal_pattern_expand(const struct pal_pattern *pat, pal_expand_fn found, void *ctx);

/* ---- hash set keyed by 64-bit hash + caller's equality ----------------- */

/* Open addressing over indexes into the caller's array; linear probing. */
struct pal_hset {
	uint32_t *slot; /* index + 1, 0 = empty */
	uint64_t *hash;
	size_t cap; /* power of two */
	size_t n;
};

int pal_hset_init(struct pal_hset *h, size_t expect);
void pal_hset_free(struct pal_hset *h);
/*
 * Find an element with hash hv for which eq(ctx, idx) is true; returns its
 * index, or inserts `idx` and returns -1. -ENOMEM is returned as -2.
 */
long pal_hset_find_or_add(struct pal_hset *h, uint64_t hv, uint32_t idx,
			  bool (*eq)(const void *ctx, uint32_t idx), const void *ctx);
uint64_t pal_hash_bytes(uint64_t h, const void *p, size_t len);
/*
 * The element of *arr (*n elements of elem bytes, each starting with a key
 * of key_size bytes, *cap allocated) whose key is key, appended (zeroed but
 * for the key) if there is none; h indexes the keys. Returns its index, or
 * -ENOMEM; *fresh says whether it was appended.
 */
long pal_keyed_find_or_add(struct pal_hset *h, void **arr, size_t *n, size_t *cap, size_t elem,
			   const void *key, size_t key_size, bool *fresh);

/* ---- YAML tree (yaml_tree.c) ------------------------------------------- */

enum pal_node_type {
	PAL_N_SCALAR = 1,
	PAL_N_SEQ = 2,
	PAL_N_MAP = 3,
};

struct pal_node {
	struct pal_node *kids; /* first child; a map alternates key, value */
	struct pal_node *last;
	struct pal_node *next; /* sibling */
	const char *str; /* scalars: the bytes (may contain NUL), NUL-terminated */
	size_t len;
	uint32_t n; /* children (a map has 2 per pair) */
	uint32_t line; /* 1-based */
	uint32_t col; /* 1-based, characters */
	uint8_t type; /* enum pal_node_type */
	uint8_t plain; /* scalar written without quotes */
};

/* ---- per-file parse state ---------------------------------------------- */

struct pal_pdiag {
	struct pal_diag d;
	size_t seq; /* emission order, to keep the sort stable */
};

struct pal_parse {
	struct pal_policy_set *set;
	struct pal_arena *ir; /* the set's arena: everything the IR keeps */
	struct pal_arena tree; /* this file's YAML nodes */
	const char *file; /* in the set's arena */
	const char *buf;
	size_t len;
	size_t *line_off; /* start offset of each line, built on first use */
	size_t nlines;
	unsigned int flags; /* enum pal_load_flags */
	unsigned int nerrors;
	unsigned int nwarnings;
	bool gave_up; /* over PAL_POLICY_MAX_ERRORS */
	bool oom;
	struct pal_pdiag *pend; /* this file's diagnostics, sorted when it is done */
	size_t npend;
	size_t cap;
};

/* diag.c */
void pal_diag_at(struct pal_parse *p, enum pal_severity sev, unsigned int line, unsigned int col,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void pal_err(struct pal_parse *p, const struct pal_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pal_warn(struct pal_parse *p, const struct pal_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sort this file's diagnostics and hand them to the set and its callback. */
int pal_diag_flush(struct pal_parse *p);
/* Add a diagnostic that belongs to no line of a file (I/O errors). */
int pal_diag_file(struct pal_policy_set *set, enum pal_severity sev, const char *file,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Position (line, col) of byte offset off in p->buf, as libyaml counts. */
void pal_diag_pos(struct pal_parse *p, size_t off, unsigned int *line, unsigned int *col);
/*
 * The column of byte off of scalar v's value, when the source holds the
 * value as it is; else v's own column.
 */
unsigned int pal_diag_col_in(struct pal_parse *p, const struct pal_node *v, size_t off);
/* A printable, length-bounded copy of a user string for messages. */
const char *pal_q(struct pal_parse *p, const char *s, size_t len);

/* yaml_tree.c: parse p->buf and call doc() for each document's root. */
int pal_yaml_parse(struct pal_parse *p, int (*doc)(struct pal_parse *p, struct pal_node *root));

/* path.c: hash of a canonical path (component count implied). */
__u64 pal_canon_hash(const char *canon, size_t len, __u64 seed);

/* closest.c: the closest candidate within a small edit distance, or NULL. */
const char *pal_closest(const char *word, size_t len, const char *const *cands, size_t n);

/* schema.c: one policy document into the set. */
int pal_schema_doc(struct pal_parse *p, struct pal_node *root);

/*
 * ---- schema helpers (schema_util.c) --------------------------------------
 * Used by the per-class rule parsers (rules_*.c) and by schema.c, which
 * calls those parsers: schema.c -> rules_*.c -> schema_util.c, no loop.
 */

struct pal_keys {
	const char *what; /* "file rule", for messages */
	const char *const *names;
	size_t n;
};

/*
 * Check keys of map against k; vals[i] gets the value of names[i] or NULL,
 * keys[i] its key node (or a misspelling of it, with vals[i] NULL).
 */
void pal_map_keys(struct pal_parse *p, const struct pal_node *map, const struct pal_keys *k,
		  const struct pal_node **vals, const struct pal_node **keys);
/* A key neither given nor misspelt (a misspelling was already reported). */
static inline bool pal_absent(const struct pal_node **vals, const struct pal_node **keys, int i)
{
	return !vals[i] && !keys[i];
}
bool pal_want(struct pal_parse *p, const struct pal_node *v, const char *key, int type);
bool pal_want_list(struct pal_parse *p, const struct pal_node *v, const char *key);
/* Is scalar v exactly the word w? */
bool pal_is_word(const struct pal_node *v, const char *w);
/* Look up a scalar among words; reports an error naming key, with a suggestion. */
int pal_word(struct pal_parse *p, const struct pal_node *v, const char *what,
	     const char *const *words, size_t n);
/* The words of enum pal_action from PAL_ACT_ALLOW on: "allow", "audit", "deny". */
#define PAL_ACTION_WORDS 3
extern const char *const pal_action_words[PAL_ACTION_WORDS];
int pal_parse_action(struct pal_parse *p, const struct pal_node *v, __u8 *action);
int pal_parse_uint(const struct pal_node *v, unsigned long max, unsigned long *out);

/* The policy being built; pal_rule_new appends a rule to it. */
struct pal_pol_build {
	struct pal_ir_policy *pol;
	struct pal_ir_rule *rules; /* capacity: counted from the tree up front */
	struct pal_ir_file *files;
	size_t files_cap;
	struct pal_ir_net *net;
	struct pal_ir_dev *dev;
};

/* The next rule of b's policy, at list item `item`. */
struct pal_ir_rule *pal_rule_new(struct pal_pol_build *b, const struct pal_node *item, __u8 class);

/* rules_file.c, rules_net.c, rules_dev.c: one list item each (called by schema.c). */
int pal_rule_file(struct pal_parse *p, struct pal_pol_build *b, const struct pal_node *item,
		  __u8 class);
int pal_rule_net(struct pal_parse *p, struct pal_pol_build *b, const struct pal_node *item);
int pal_rule_dev(struct pal_parse *p, struct pal_pol_build *b, const struct pal_node *item);

/* checks.c: warnings that need the whole policy (no-effect, duplicates). */
int pal_policy_checks(struct pal_parse *p, const struct pal_ir_policy *pol);

/* policy.c */
struct pal_set_priv {
	struct pal_arena arena;
	struct pal_load_opts opts;
	size_t diag_cap;
	size_t diag_seq;
	size_t path_keys; /* file map entries the set needs so far (no identity keys) */
	bool keys_over; /* the limit on path_keys was reported */
	struct pal_hset exes; /* distinct `from:` executables, indexes into exe_paths */
	const char **exe_paths;
	size_t nexes, exes_cap;
};

static inline const char *pal_node_kind(const struct pal_node *n)
{
	return n->type == PAL_N_SEQ ? "a list" : n->type == PAL_N_MAP ? "a mapping" : "a string";
}

#define PAL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* PALISADE_POLICIES_POLICY_INT_H */
