// SPDX-License-Identifier: GPL-2.0-only
/* files: and exec: list items into struct pal_ir_file entries, one per path. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policies/pattern.h"
#include "policies/policy_int.h"

enum { F_PATHS, F_DIRS, F_ACCESS, F_ACTION, F_FROM, F_NKEYS };

static const char *const file_keys[F_NKEYS] = {"paths", "dirs", "access", "action", "from"};

static const char *const access_words[] = {
	"read", "write", "append", "exec",     "create",    "delete",  "rename",
	"link", "chmod", "chown",  "truncate", "mmap-exec", "connect", "all",
};

static int parse_access(struct pal_parse *p, const struct pal_node *v, __u32 *bits)
{
	*bits = 0;
	if (!pal_want_list(p, v, "access"))
		return -EINVAL;
	for (const struct pal_node *w = v->kids; w; w = w->next) {
		int i = pal_word(p, w, "access", access_words, PAL_ARRAY_SIZE(access_words));

		if (i < 0)
			return -EINVAL;
		*bits |= i == PAL_ARRAY_SIZE(access_words) - 1 ? PAL_ACC_FILE_ALL : 1u << i;
	}
	return 0;
}

/* A pattern the parser refused: at the offending character, with the hint. */
static void pattern_err(struct pal_parse *p, const struct pal_node *v, const char *key,
			const struct pal_pat_error *e)
{
	pal_diag_at(p, PAL_SEV_ERROR, v->line, pal_diag_col_in(p, v, e->off),
		    "invalid pattern '%s' in '%s': %s. Hint: %s", pal_q(p, v->str, v->len), key,
		    e->why, e->hint);
}

/*
 * A scalar with glob or escape characters: its unescaped literal path in the
 * arena, or a pattern (*is_pat set), kept as written for the automaton or
 * the expansion of `from:`; NULL when refused (reported).
 */
static const char *unescape_path(struct pal_parse *p, const struct pal_node *v, const char *key,
				 size_t *len, bool *is_pat)
{
	struct pal_pattern *pat;
	struct pal_pat_error e;
	const char *out;
	int err;

	err = pal_pattern_parse(v->str, v->len, PAL_PAT_RULE, &pat, &e);
	if (err == -ENOMEM) {
		p->oom = true;
		return NULL;
	}
	if (err) {
		pattern_err(p, v, key, &e);
		return NULL;
	}
	if (pat->literal) {
		out = pal_arena_strndup(p->ir, pat->text, pat->ntext);
		*len = pat->ntext;
	} else {
		out = pal_arena_strndup(p->ir, v->str, v->len);
		*len = v->len;
		*is_pat = true;
	}
	p->oom |= !out;
	pal_pattern_free(pat);
	return out;
}

/* Canonical copy of a path scalar in the IR arena, or NULL (reported). */
static char *canon_path(struct pal_parse *p, const struct pal_node *v, const char *key,
			__u32 *depth, bool *is_pat)
{
	const char *src, *why;
	size_t len;
	char *buf;

	if (v->type != PAL_N_SCALAR) {
		pal_err(p, v, "entries of '%s' must be strings, found %s", key, pal_node_kind(v));
		return NULL;
	}
	src = v->str;
	len = v->len;
	if (strpbrk(v->str, "*?[\\") && strlen(v->str) == v->len) {
		src = unescape_path(p, v, key, &len, is_pat);
		if (!src)
			return NULL;
		if (*is_pat) {
			*depth = 0;
			return (char *)src;
		}
	}
	buf = pal_arena_alloc(p->ir, len + 2);
	if (!buf) {
		p->oom = true;
		return NULL;
	}
	if (pal_path_canon(src, len, buf, depth, &why)) {
		pal_err(p, v, "invalid path '%s': %s", pal_q(p, v->str, v->len), why);
		return NULL;
	}
	return buf;
}

/* Warnings about how the compiling host sees a rule path; what lstat said (pal_ir_host). */
static __u8 host_checks(struct pal_parse *p, const struct pal_node *v, const char *path, __u8 kind)
{
	char target[PAL_PATH_MAX];
	struct stat st;
	__u8 seen;
	ssize_t n;

	if (p->flags & PAL_LOAD_NO_HOST)
		return PAL_HOST_UNASKED;
	if (lstat(path, &st)) {
		if (errno != ENOENT)
			return PAL_HOST_UNASKED;
		if (kind == PAL_KEY_EXACT)
			pal_warn(
				p, v,
				"'%s' does not exist on this host: the rule matches it by path once "
				"it exists, without an identity key for its other names",
				pal_q(p, path, strlen(path)));
		return PAL_HOST_ABSENT;
	}
	seen = S_ISSOCK(st.st_mode) ? PAL_HOST_SOCKET : PAL_HOST_OTHER;
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = 0;
		pal_warn(p, v,
			 "'%s' is a symlink to '%s': the kernel sees the target's path, "
			 "so name the target in the rule",
			 pal_q(p, path, strlen(path)), pal_q(p, target, strlen(target)));
		if (stat(path, &st))
			return seen;
	}
	if (kind == PAL_KEY_EXACT && !S_ISDIR(st.st_mode) && st.st_nlink > 1)
		pal_warn(p, v,
			 "'%s' has %lu hard links: the path rule does not cover its other names "
			 "(the identity key does, while this inode exists)",
			 pal_q(p, path, strlen(path)), (unsigned long)st.st_nlink);
	return seen;
}

struct exe_cmp {
	const char **paths;
	const char *cur;
};

static bool exe_eq(const void *ctx, uint32_t idx)
{
	const struct exe_cmp *c = ctx;

	return !strcmp(c->paths[idx], c->cur);
}

/* Distinct `from:` executables across the set are bounded like pal_exes. */
static int count_exe(struct pal_parse *p, const struct pal_node *e, const char *path)
{
	struct pal_set_priv *pv = p->set->priv;
	struct exe_cmp c;
	long j;

	if (!pv->exes.cap && pal_hset_init(&pv->exes, 64))
		return -ENOMEM;
	if (pv->nexes == pv->exes_cap) {
		size_t cap = pv->exes_cap ? 2 * pv->exes_cap : 64;
		const char **n = realloc(pv->exe_paths, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		pv->exe_paths = n;
		pv->exes_cap = cap;
	}
	c = (struct exe_cmp){pv->exe_paths, path};
	j = pal_hset_find_or_add(&pv->exes, pal_hash_bytes(0, path, strlen(path)),
				 (uint32_t)pv->nexes, exe_eq, &c);
	if (j == -2)
		return -ENOMEM;
	if (j >= 0)
		return 0;
	pv->exe_paths[pv->nexes++] = path;
	if (pv->nexes == PAL_MAX_EXES / PAL_GENS + 1)
		pal_err(p, e, "more than PAL_MAX_EXES / PAL_GENS (%d) distinct 'from' executables",
			PAL_MAX_EXES / PAL_GENS);
	return 0;
}

/* The executables of one `from:` list, patterns expanded. */
struct from_list {
	struct pal_parse *p;
	const char **v;
	size_t n, cap;
	size_t first; /* where the pattern being expanded began */
};

static int from_add(struct from_list *l, const char *path)
{
	if (pal_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)))
		return -ENOMEM;
	l->v[l->n++] = path;
	return 0;
}

/* A file a `from:` pattern matches, once ('**' can reach one file twice). */
static int from_found(const char *path, size_t len, void *ctx)
{
	struct from_list *l = ctx;
	char *c;

	if (l->n - l->first >= PAL_MAX_EXES / PAL_GENS)
		return -ERANGE;
	for (size_t i = l->first; i < l->n; i++)
		if (!strcmp(l->v[i], path))
			return 0;
	c = pal_arena_strndup(l->p->ir, path, len);
	return c ? from_add(l, c) : -ENOMEM;
}

/*
 * A pattern that stands for no file: it keeps the rule to no executable
 * (never to every one), and is never looked up (not an absolute path).
 */
static int from_none(struct from_list *l, const struct pal_node *e, const char *why,
		     const char *src)
{
	char *c = pal_arena_printf(l->p->ir, "(%s: %s)", why, src);

	if (!c || count_exe(l->p, e, c))
		return -ENOMEM;
	return from_add(l, c);
}

/* The executables on this host that `from:` pattern src matches. */
static int from_pattern(struct from_list *l, const struct pal_node *e, const char *src)
{
	struct pal_parse *p = l->p;
	struct pal_pattern *pat;
	struct pal_pat_error pe;
	int err;

	if (p->flags & PAL_LOAD_NO_HOST)
		return from_none(l, e, "a pattern, expanded where the policy loads", src);
	err = pal_pattern_parse(src, strlen(src), PAL_PAT_RULE, &pat, &pe);
	if (err) /* canon_path parsed it already */
		return err == -ENOMEM ? err : 0;
	l->first = l->n;
	err = pal_pattern_expand(pat, from_found, l);
	pal_pattern_free(pat);
	if (err == -E2BIG || err == -ERANGE) {
		pal_err(p, e,
			err == -E2BIG ?
				"expanding the 'from' pattern '%s' reads more than PAL_EXPAND_MAX "
				"(%d) directory entries on this host: the policy is refused rather "
				"than cover only some. Hint: begin it with more literal directories" :
				"the 'from' pattern '%s' matches more than PAL_MAX_EXES / PAL_GENS "
				"(%d) executables on this host. Hint: narrow it",
			pal_q(p, src, strlen(src)),
			err == -E2BIG ? PAL_EXPAND_MAX : PAL_MAX_EXES / PAL_GENS);
		return 0;
	}
	if (err)
		return err;
	if (l->n == l->first) {
		pal_warn(p, e,
			 "the 'from' pattern '%s' matches no executable on this host: the rule "
			 "applies to none until one exists and policies are reloaded",
			 pal_q(p, src, strlen(src)));
		return from_none(l, e, "no executable on this host", src);
	}
	for (size_t i = l->first; i < l->n; i++)
		if (count_exe(p, e, l->v[i]))
			return -ENOMEM;
	return 0;
}

/*
 * `from:` paths, and patterns expanded to the executables this host has when
 * the policy loads: like a path's inode, what a pattern names is settled
 * then (docs/policy.md, "from:").
 */
static int parse_from(struct pal_parse *p, const struct pal_node *v, struct pal_ir_file *proto)
{
	struct from_list l = {.p = p};
	struct stat st;
	__u32 depth;
	int err = 0;

	if (!pal_want_list(p, v, "from"))
		return -EINVAL;
	if (v->n > PAL_POLICY_PATHS_MAX) {
		pal_err(p, v, "'from' has more than PAL_POLICY_PATHS_MAX (%d) entries",
			PAL_POLICY_PATHS_MAX);
		return -EINVAL;
	}
	for (const struct pal_node *e = v->kids; e && !err; e = e->next) {
		bool is_pat = false;
		char *c = canon_path(p, e, "from", &depth, &is_pat);

		if (!c)
			continue;
		if (is_pat) {
			err = from_pattern(&l, e, c);
			continue;
		}
		err = count_exe(p, e, c);
		if (!err && !(p->flags & PAL_LOAD_NO_HOST) && stat(c, &st))
			pal_warn(p, e,
				 "executable '%s' does not exist on this host: the rule cannot "
				 "match it until it exists and policies are reloaded",
				 pal_q(p, c, strlen(c)));
		err = err ?: from_add(&l, c);
	}
	if (!err && l.n) {
		const char **from = pal_arena_array(p->ir, l.n, sizeof(*from));

		if (from) {
			memcpy(from, l.v, l.n * sizeof(*from));
			proto->from = from;
			proto->nfrom = (__u32)l.n;
		}
		err = from ? 0 : -ENOMEM;
	}
	free(l.v);
	if (err)
		p->oom = true;
	return err;
}

static void add_paths(struct pal_parse *p, struct pal_pol_build *b, const struct pal_node *v,
		      const char *key, const struct pal_ir_file *proto)
{
	if (!pal_want_list(p, v, key))
		return;
	if (v->n > PAL_POLICY_PATHS_MAX) {
		pal_err(p, v, "'%s' has more than PAL_POLICY_PATHS_MAX (%d) entries", key,
			PAL_POLICY_PATHS_MAX);
		return;
	}
	for (const struct pal_node *e = v->kids; e; e = e->next) {
		struct pal_ir_file f = *proto;
		bool is_pat = false;
		char *c = canon_path(p, e, key, &f.depth, &is_pat);

		if (!c || b->pol->nfiles >= b->files_cap)
			continue;
		f.path = c;
		f.len = (__u32)strlen(c);
		f.pattern = is_pat;
		f.loc = (struct pal_loc){p->file, e->line, e->col};
		f.host = is_pat ? PAL_HOST_UNASKED : host_checks(p, e, c, f.kind);
		b->files[b->pol->nfiles++] = f;
	}
}

static size_t seq_len(const struct pal_node *v)
{
	return v && v->type == PAL_N_SEQ ? v->n : 0;
}

/*
 * Every path of a rule becomes one map entry per `from:` executable, so a
 * small file could ask for billions: count them up front, set-wide.
 */
static bool keys_fit(struct pal_parse *p, const struct pal_node **v, const struct pal_node **kn,
		     const struct pal_ir_file *proto)
{
	struct pal_set_priv *pv = p->set->priv;
	size_t n = seq_len(v[F_PATHS]) + seq_len(v[F_DIRS]);
	const struct pal_node *at = kn[F_FROM]	? kn[F_FROM] :
				    kn[F_PATHS] ? kn[F_PATHS] :
						  kn[F_DIRS];

	pv->path_keys += n * (proto->nfrom ? proto->nfrom : 1);
	if (pv->path_keys <= PAL_MAX_FILE_KEYS / PAL_GENS)
		return true;
	if (!pv->keys_over && at)
		pal_err(p, at,
			"the policies need more than PAL_MAX_FILE_KEYS / PAL_GENS (%d) file map "
			"entries (one per path, times the executables in 'from')",
			PAL_MAX_FILE_KEYS / PAL_GENS);
	pv->keys_over = true;
	return false;
}

int pal_rule_file(struct pal_parse *p, struct pal_pol_build *b, const struct pal_node *item,
		  __u8 class)
{
	const char *what = class == PAL_CLASS_EXEC ? "exec rule" : "file rule";
	const struct pal_keys k = {what, file_keys, F_NKEYS};
	const struct pal_node *v[F_NKEYS], *kn[F_NKEYS];
	struct pal_ir_file proto = {.class = class};
	struct pal_ir_rule *r;

	if (item->type != PAL_N_MAP) {
		pal_err(p, item, "a %s must be a mapping, found %s", what, pal_node_kind(item));
		return 0;
	}
	r = pal_rule_new(b, item, class);
	pal_map_keys(p, item, &k, v, kn);
	if (pal_absent(v, kn, F_PATHS) && pal_absent(v, kn, F_DIRS))
		pal_err(p, item, "%s needs 'paths' or 'dirs'", what);
	if (pal_absent(v, kn, F_ACTION))
		pal_err(p, item, "%s is missing 'action'", what);
	else if (v[F_ACTION] && !pal_parse_action(p, v[F_ACTION], &r->action))
		r->action_loc = (struct pal_loc){p->file, v[F_ACTION]->line, v[F_ACTION]->col};
	if (class == PAL_CLASS_EXEC) {
		proto.access = PAL_ACC_EXEC;
		if (v[F_ACCESS])
			pal_err(p, kn[F_ACCESS],
				"'access' is not allowed in exec rules: they always cover execution");
	} else if (pal_absent(v, kn, F_ACCESS)) {
		pal_err(p, item, "%s is missing 'access'", what);
	} else if (v[F_ACCESS]) {
		parse_access(p, v[F_ACCESS], &proto.access);
	}
	if (v[F_FROM] && parse_from(p, v[F_FROM], &proto) == -ENOMEM)
		return -ENOMEM;
	if (!keys_fit(p, v, kn, &proto))
		return 0;
	proto.action = r->action;
	proto.rule = r->index;
	proto.kind = PAL_KEY_EXACT;
	if (v[F_PATHS])
		add_paths(p, b, v[F_PATHS], "paths", &proto);
	proto.kind = PAL_KEY_DIR;
	if (v[F_DIRS])
		add_paths(p, b, v[F_DIRS], "dirs", &proto);
	return p->oom ? -ENOMEM : 0;
}
