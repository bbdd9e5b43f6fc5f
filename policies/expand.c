// SPDX-License-Identifier: GPL-2.0-only
/*
 * A rule pattern expanded against this host's files: the executables a
 * `from:` pattern names are found when the policy loads, as the inode of a
 * `from:` path is (docs/policy.md, "from:"). Matching is the pattern
 * module's, component by component, so the expansion and the kernel agree
 * on what a pattern means.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "policies/pattern.h"
#include "policies/policy_int.h"

struct expand {
	const struct pal_pattern *pat;
	pal_expand_fn found;
	void *ctx;
	size_t visited;
	char buf[PAL_PATH_MAX];
};

static int visit(struct expand *x, size_t len, size_t ci, unsigned int depth, bool below);

/* Kernel pseudo-filesystems hold no executables; '**' never walks into them. */
static bool pseudo_fs(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf))
		return true;
	switch ((unsigned long)sf.f_type) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case BPF_FS_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
		return true;
	}
	return false;
}

/* buf[0..len) with "/name" appended: its new length, or 0 when too long. */
static size_t append(struct expand *x, size_t len, const char *name, size_t n)
{
	if (len + 1 + n >= sizeof(x->buf))
		return 0;
	x->buf[len] = '/';
	memcpy(x->buf + len + 1, name, n);
	x->buf[len + 1 + n] = 0;
	return len + 1 + n;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names in directory buf[0..len) that component c takes (every name
 * for '**'), sorted, so that what a pattern expands to reads the same on
 * every run. NULL-terminated in *out; 0, -E2BIG or -ENOMEM. below: '**'
 * itself took buf's last name, so buf is not followed if it is a symlink
 * (no loops); the directory where a '**' begins is, like any path.
 */
static int names(struct expand *x, size_t len, const struct pal_pat_comp *c, bool below,
		 char ***out)
{
	bool dstar = c->kind == PAL_PC_DSTAR;
	size_t n = 0, cap = 0;
	char **v = NULL;
	struct dirent *d;
	int fd, err = 0;
	DIR *dir;

	*out = NULL;
	fd = open(len ? x->buf : "/",
		  O_RDONLY | O_DIRECTORY | O_CLOEXEC | (below ? O_NOFOLLOW : 0));
	if (fd < 0)
		return 0; /* not a directory, gone, or not ours to read: nothing below */
	if ((dstar && pseudo_fs(fd)) || !(dir = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	while (!err && (d = readdir(dir))) {
		size_t nl = strlen(d->d_name);

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (++x->visited > PAL_EXPAND_MAX)
			err = -E2BIG;
		else if (!dstar && !pal_pattern_match_name(x->pat, c, d->d_name, nl))
			continue;
		else if (pal_grow((void **)&v, &cap, n + 2, sizeof(*v)) ||
			 !(v[n] = strdup(d->d_name)))
			err = -ENOMEM;
		else
			v[++n] = NULL;
	}
	closedir(dir);
	if (v)
		qsort(v, n, sizeof(*v), by_name);
	*out = v;
	return err;
}

/* Component ci (a glob or '**') of buf[0..len)'s entries, and on below them. */
static int scan(struct expand *x, size_t len, size_t ci, unsigned int depth, bool below)
{
	bool dstar = x->pat->comp[ci].kind == PAL_PC_DSTAR;
	char **v;
	int err = names(x, len, &x->pat->comp[ci], below, &v);

	for (size_t i = 0; v && v[i]; i++) {
		size_t sub = err ? 0 : append(x, len, v[i], strlen(v[i]));

		if (sub) /* '**' takes this name and maybe more; a glob just this one */
			err = visit(x, sub, dstar ? ci : ci + 1, depth + 1, dstar);
		free(v[i]);
	}
	free(v);
	return err;
}

/* Path buf[0..len) has matched components [1, ci); match the rest below it. */
static int visit(struct expand *x, size_t len, size_t ci, unsigned int depth, bool below)
{
	const struct pal_pat_comp *c;
	struct stat st;
	size_t sub;
	int err;

	if (ci == x->pat->ncomp) /* a match: executables only */
		return !stat(x->buf, &st) && S_ISREG(st.st_mode) ? x->found(x->buf, len, x->ctx) :
								   0;
	if (depth >= PAL_MAX_DEPTH)
		return 0;
	c = &x->pat->comp[ci];
	if (c->kind == PAL_PC_LIT) {
		sub = append(x, len, c->lit, c->nlit);
		return sub ? visit(x, sub, ci + 1, depth + 1, false) : 0;
	}
	if (c->kind == PAL_PC_DSTAR) {
		err = visit(x, len, ci + 1, depth, false); /* '**' as no component at all */
		x->buf[len] = 0;
		if (err)
			return err;
	}
	return scan(x, len, ci, depth, below);
}

int pal_pattern_expand(const struct pal_pattern *pat, pal_expand_fn found, void *ctx)
{
	struct expand *x;
	int err;

	if (!(pat->flags & PAL_PAT_RULE) || !pat->ncomp)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->pat = pat;
	x->found = found;
	x->ctx = ctx;
	err = visit(x, 0, 1, 0, false); /* comp[0] is the root's empty name */
	free(x);
	return err;
}
