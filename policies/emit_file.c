// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file/exec emitter: IR entries into pal_files keys and values
 * (bpf/abi.h), merged per (policy, kind, class, path, exe) with a hash table
 * so the cost is linear in the number of rule paths (times their depth, for
 * the rename guards of their ancestor directories).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bpf/path_hash.h"
#include "policies/automaton.h"
#include "policies/emit.h"
#include "policies/policy_int.h"

/* pal_keyed_find_or_add finds entries by their first bytes */
_Static_assert(offsetof(struct pal_file_entry, key) == 0, "pal_file_entry starts with its key");

struct emit {
	const struct pal_policy_set *set;
	__u32 gen;
	__u64 seed;
	unsigned int flags;
	struct pal_file_emit *out;
	size_t ecap, xcap;
	struct pal_hset keys; /* entries by key */
	struct pal_hset exes; /* exes by path */
	const char *cur_exe;
	struct pal_pattern **pats; /* pattern rules, parsed, for the automaton */
	__u32 *labels; /* label of pats[i] */
	const struct pal_ir_file **srcs; /* where pats[i] was written */
	size_t npats, pcap, lcap, scap;
	/* the label of the rule whose patterns came last: a rule's paths share it */
	const struct pal_ir_rule *label_rule;
	__u32 rule_label;
};

/* ---- executables --------------------------------------------------------- */

static bool exe_eq(const void *ctx, uint32_t idx)
{
	const struct emit *e = ctx;

	return !strcmp(e->out->exes[idx].path, e->cur_exe);
}

/*
 * pal_exes holds one id per file: a second path of an executable already
 * listed (a symlink, a hard link, two `from:` patterns that both match it)
 * takes its id, or one of the two ids would never be found.
 */
static void same_file(const struct pal_file_emit *o, struct pal_exe *x)
{
	for (size_t i = 0; i + 1 < o->nexes; i++) {
		const struct pal_exe *y = &o->exes[i];

		if (y->exists && !y->alias && y->key.ino == x->key.ino &&
		    y->key.dev == x->key.dev) {
			x->id = y->id;
			x->alias = true;
			return;
		}
	}
}

/* Id of the executable at path, adding it on first sight; 0 on ENOMEM. */
static __u32 exe_id(struct emit *e, const char *path)
{
	struct pal_file_emit *o = e->out;
	struct pal_exe *x;
	struct stat st;
	long j;

	if (pal_grow((void **)&o->exes, &e->xcap, o->nexes + 1, sizeof(*o->exes)))
		return 0;
	e->cur_exe = path;
	j = pal_hset_find_or_add(&e->exes, pal_hash_bytes(0, path, strlen(path)),
				 (uint32_t)o->nexes, exe_eq, e);
	if (j == -2)
		return 0;
	if (j >= 0)
		return o->exes[j].id;
	x = &o->exes[o->nexes++];
	memset(x, 0, sizeof(*x));
	x->path = path;
	x->id = (__u32)o->nexes;
	x->key.gen = e->gen;
	/* only absolute paths: a `from:` pattern that matched nothing is not one */
	if (!(e->flags & PAL_LOAD_NO_HOST) && path[0] == '/' && !stat(path, &st)) {
		x->exists = true;
		x->key.ino = st.st_ino;
		x->key.dev = pal_dev_encode(st.st_dev);
		same_file(o, x);
	}
	return x->id;
}

/* ---- entries ----------------------------------------------------------- */

static void apply(struct pal_file_rule *v, __u8 action, __u32 access, __u32 rule)
{
	__u32 *bits = action == PAL_ACT_DENY  ? &v->deny :
		      action == PAL_ACT_AUDIT ? &v->audit :
						&v->allow;
	__u32 *idx = action == PAL_ACT_DENY  ? &v->rule_deny :
		     action == PAL_ACT_AUDIT ? &v->rule_audit :
					       &v->rule_allow;

	/* Writing at the end is writing: a rule naming `write` also covers `append`. */
	if (access & PAL_ACC_WRITE)
		access |= PAL_ACC_APPEND;
	*bits |= access;
	if (*idx == PAL_NO_RULE)
		*idx = rule;
}

/*
 * The entry of key k, added (value empty, path NULL) if new; *fresh says
 * which. Returns its index, or -ENOMEM.
 */
static long find_entry(struct emit *e, const struct pal_file_key *k, bool *fresh)
{
	struct pal_file_emit *o = e->out;
	long j = pal_keyed_find_or_add(&e->keys, (void **)&o->entries, &o->nentries, &e->ecap,
				       sizeof(*o->entries), k, sizeof(*k), fresh);

	if (j >= 0 && *fresh)
		o->entries[j].val =
			(struct pal_file_rule){0, 0, 0, PAL_NO_RULE, PAL_NO_RULE, PAL_NO_RULE};
	return j;
}

static int add_entry(struct emit *e, const struct pal_file_key *k, const struct pal_ir_file *f,
		     __u32 exe)
{
	bool fresh;
	long j = find_entry(e, k, &fresh);

	if (j < 0)
		return (int)j;
	if (fresh) {
		e->out->entries[j].path = f->path;
		e->out->entries[j].rule = f->rule;
		e->out->entries[j].exe = exe;
	}
	apply(&e->out->entries[j].val, f->action, f->access, f->rule);
	return 0;
}

/* The first `len` bytes of f->path, kept as long as the set (or f->path without an arena). */
static const char *prefix_path(struct emit *e, const struct pal_ir_file *f, size_t len)
{
	char *s = e->set->priv ? pal_arena_strndup(&e->set->priv->arena, f->path, len) : NULL;

	return s ? s : f->path;
}

/*
 * Renaming a directory moves every path below it: `mv /etc /e; cat
 * /e/shadow` walks around a rule on /etc/shadow (identity keys do not help
 * for files created after the load, nor for paths inside containers). So
 * every proper ancestor directory of a denied or audited path gets an exact
 * key that denies (or audits) `rename` of that directory itself, for every
 * process (not only the rule's `from:` executables): the kernel checks a
 * rename on both names, so the directory can neither be moved away nor be
 * replaced. Exec rules count too: exec is decided by path as well.
 */
static int emit_ancestors(struct emit *e, __u16 policy, const struct pal_ir_file *f)
{
	__u32 depth = 0;

	if (f->action != PAL_ACT_DENY && f->action != PAL_ACT_AUDIT)
		return 0;
	for (__u32 i = 1; i < f->len && depth + 1 < f->depth; i++) {
		struct pal_file_key k;
		bool fresh;
		long j;

		if (f->path[i] != '/')
			continue;
		memset(&k, 0, sizeof(k));
		k.gen = e->gen;
		k.policy = policy;
		k.class = PAL_CLASS_FILE;
		k.kind = PAL_KEY_EXACT;
		k.a = pal_canon_hash(f->path, i, e->seed);
		k.b = ++depth;
		j = find_entry(e, &k, &fresh);
		if (j < 0)
			return (int)j;
		if (fresh) {
			e->out->entries[j].path = prefix_path(e, f, i);
			e->out->entries[j].rule = f->rule;
		}
		apply(&e->out->entries[j].val, f->action, PAL_ACC_RENAME, f->rule);
	}
	return 0;
}

/* The path key, and the identity key when the path exists, for one exe id. */
static int emit_one(struct emit *e, __u16 policy, const struct pal_ir_file *f, __u64 hash,
		    const struct stat *st, __u32 exe)
{
	struct pal_file_key k;
	__u8 from = exe ? PAL_KEY_FROM : 0;
	bool dir_key;
	int err;

	memset(&k, 0, sizeof(k));
	k.gen = e->gen;
	k.policy = policy;
	k.class = f->class;
	k.kind = f->kind | from;
	k.a = exe ? pal_from_mix(hash, exe) : hash;
	k.b = f->depth;
	err = add_entry(e, &k, f, exe);
	if (err || !st)
		return err;
	/* the kernel looks for directory identity keys on directories only */
	dir_key = f->kind == PAL_KEY_DIR && S_ISDIR(st->st_mode);
	k.kind = (dir_key ? PAL_KEY_DIR_INODE : PAL_KEY_INODE) | from;
	k.a = exe ? pal_from_mix(st->st_ino, exe) : st->st_ino;
	k.b = pal_dev_encode(st->st_dev);
	return add_entry(e, &k, f, exe);
}

/* ---- patterns ------------------------------------------------------------ */

/* Parse the pattern text s (len bytes) of f into the automaton's input, with label. */
static int add_pattern(struct emit *e, const struct pal_ir_file *f, const char *s, size_t len,
		       __u32 label)
{
	struct pal_pat_error pe;
	int err;

	if (pal_grow((void **)&e->pats, &e->pcap, e->npats + 1, sizeof(*e->pats)) ||
	    pal_grow((void **)&e->labels, &e->lcap, e->npats + 1, sizeof(*e->labels)) ||
	    pal_grow((void **)&e->srcs, &e->scap, e->npats + 1, sizeof(*e->srcs)))
		return -ENOMEM;
	err = pal_pattern_parse(s, len, PAL_PAT_RULE, &e->pats[e->npats], &pe);
	if (err)
		return err; /* the parser accepted it already: only -ENOMEM */
	e->srcs[e->npats] = f;
	e->labels[e->npats++] = label;
	return 0;
}

/*
 * The label of f's rule. Every path of a rule means the same bits, so the
 * rule's patterns share one label (one key), and the automaton merges the
 * states of patterns that differ only before a common tail: N paths of one
 * rule need far fewer than N states.
 */
static __u32 rule_label(struct emit *e, __u16 policy, const struct pal_ir_file *f)
{
	const struct pal_ir_rule *r = &e->set->policies[policy].rules[f->rule];

	if (r != e->label_rule) {
		e->label_rule = r;
		e->rule_label = e->out->nlabels++;
	}
	return e->rule_label;
}

/*
 * A pattern of a rule: the rule's bits under one PAL_KEY_PATTERN key per exe
 * (a: the rule's label), and the pattern in the automaton. A `dirs:` pattern also matches
 * everything below the directories it names: the pattern plus a trailing "**"
 * component, with the same label.
 */
static int emit_pattern(struct emit *e, __u16 policy, const struct pal_ir_file *f)
{
	__u32 label = rule_label(e, policy, f);
	struct pal_ir_file g = *f;
	char *below;
	int err;

	g.kind = PAL_KEY_PATTERN;
	g.depth = 0;
	err = add_pattern(e, f, f->path, f->len, label);
	if (!err && f->kind == PAL_KEY_DIR) {
		below = malloc(f->len + 4);
		if (!below)
			return -ENOMEM;
		memcpy(below, f->path, f->len);
		memcpy(below + f->len, "/**", 4);
		err = add_pattern(e, f, below, f->len + 3, label);
		free(below);
	}
	if (err)
		return err;
	if (!f->nfrom)
		return emit_one(e, policy, &g, label, NULL, 0);
	for (__u32 i = 0; i < f->nfrom && !err; i++) {
		__u32 id = exe_id(e, f->from[i]);

		err = id ? emit_one(e, policy, &g, label, NULL, id) : -ENOMEM;
	}
	return err;
}

/* Say which bound the patterns broke, where (out->why). */
static void automaton_refused(struct emit *e, const struct pal_auto_error *ae)
{
	const struct pal_ir_file *a = e->srcs[ae->pat[0]];
	const struct pal_ir_file *b = e->srcs[ae->pat[ae->npat > 1 ? 1 : 0]];

	snprintf(e->out->why, sizeof(e->out->why),
		 "%s:%u:%u: error: the patterns need %s, over a bound of the kernel's pattern "
		 "automaton (bpf/abi.h), at '%.200s'%s%.200s%s. Hint: docs/policy.md, "
		 "\"Patterns\", lists the bounds and how rules share states",
		 a->loc.file, a->loc.line, a->loc.col, ae->why, a->path, b != a ? " and '" : "",
		 b != a ? b->path : "", b != a ? "'" : "");
}

/* Determinize every pattern of the set into out->autom. */
static int build_automaton(struct emit *e)
{
	struct pal_auto_error ae = {0};
	int err;

	if (!e->npats)
		return 0;
	err = pal_auto_build((const struct pal_pattern *const *)e->pats, e->labels, e->npats,
			     e->seed, &e->out->autom, &ae);
	if (err == -E2BIG && ae.npat)
		automaton_refused(e, &ae);
	return err;
}

static void free_patterns(struct emit *e)
{
	for (size_t i = 0; i < e->npats; i++)
		pal_pattern_free(e->pats[i]);
	free(e->pats);
	free(e->labels);
	free(e->srcs);
}

static int emit_file(struct emit *e, __u16 policy, const struct pal_ir_file *f)
{
	__u64 hash = pal_canon_hash(f->path, f->len, e->seed);
	struct stat st, *stp = NULL;
	int err = 0;

	if (f->pattern)
		return emit_pattern(e, policy, f);
	if (!(e->flags & PAL_LOAD_NO_HOST) && f->host != PAL_HOST_ABSENT && !stat(f->path, &st))
		stp = &st;
	err = emit_ancestors(e, policy, f);
	if (err)
		return err;
	if (!f->nfrom)
		return emit_one(e, policy, f, hash, stp, 0);
	for (__u32 i = 0; i < f->nfrom && !err; i++) {
		__u32 id = exe_id(e, f->from[i]);

		err = id ? emit_one(e, policy, f, hash, stp, id) : -ENOMEM;
	}
	return err;
}

static size_t estimate(const struct pal_policy_set *set)
{
	size_t n = 0;

	for (__u32 p = 0; p < set->npolicies; p++)
		for (size_t i = 0; i < set->policies[p].nfiles; i++)
			n += 2 * (set->policies[p].files[i].nfrom ?
					  set->policies[p].files[i].nfrom :
					  1);
	return n;
}

static int emit_all(struct emit *e)
{
	const struct pal_policy_set *set = e->set;
	int err = 0;

	for (__u32 p = 0; p < set->npolicies && !err; p++)
		for (size_t i = 0; i < set->policies[p].nfiles && !err; i++)
			err = emit_file(e, (__u16)p, &set->policies[p].files[i]);
	return err;
}

int pal_emit_file(const struct pal_policy_set *set, __u32 gen, __u64 seed, unsigned int flags,
		  struct pal_file_emit *out)
{
	struct emit e = {.set = set, .gen = gen & 1, .seed = seed, .flags = flags, .out = out};
	int err;

	memset(out, 0, sizeof(*out));
	if (gen > 1)
		return -EINVAL;
	if (estimate(set) / 2 > PAL_MAX_FILE_KEYS / PAL_GENS) {
		out->nentries = estimate(set) / 2; /* path keys alone do not fit */
		return -E2BIG;
	}
	err = pal_hset_init(&e.keys, estimate(set));
	if (!err)
		err = pal_hset_init(&e.exes, 16);
	if (!err)
		err = emit_all(&e);
	if (!err)
		err = build_automaton(&e);
	free_patterns(&e);
	pal_hset_free(&e.keys);
	pal_hset_free(&e.exes);
	if (!err &&
	    (out->nentries > PAL_MAX_FILE_KEYS / PAL_GENS || out->nexes > PAL_MAX_EXES / PAL_GENS))
		err = -E2BIG;
	if (err) {
		size_t ne = out->nentries, nx = out->nexes;
		char why[sizeof(out->why)];

		memcpy(why, out->why, sizeof(why));
		pal_file_emit_free(out);
		if (err == -E2BIG) {
			out->nentries = ne;
			out->nexes = nx;
			memcpy(out->why, why, sizeof(why));
		}
	}
	return err;
}

void pal_file_emit_free(struct pal_file_emit *out)
{
	free(out->entries);
	free(out->exes);
	pal_auto_free(out->autom);
	memset(out, 0, sizeof(*out));
}
