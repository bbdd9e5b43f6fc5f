// SPDX-License-Identifier: GPL-2.0-only
/* Policy sets: create, free, load files and directories. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policies/policy_int.h"

struct pal_policy_set *pal_policy_set_new(const struct pal_load_opts *opts)
{
	struct pal_policy_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->priv = calloc(1, sizeof(*set->priv));
	if (!set->priv)
		goto fail;
	if (opts)
		set->priv->opts = *opts;
	set->policies =
		pal_arena_array(&set->priv->arena, PAL_MAX_POLICIES, sizeof(*set->policies));
	if (!set->policies)
		goto fail;
	return set;
fail:
	pal_policy_set_free(set);
	return NULL;
}

void pal_policy_set_free(struct pal_policy_set *set)
{
	if (!set)
		return;
	if (set->priv) {
		pal_arena_free(&set->priv->arena);
		pal_hset_free(&set->priv->exes);
		free(set->priv->exe_paths);
	}
	free(set->priv);
	free(set->diags);
	free(set);
}

/* The limit is reported where it is crossed, so the error has a position. */
static void too_big(struct pal_parse *p)
{
	unsigned int line, col;

	pal_diag_pos(p, PAL_POLICY_FILE_MAX, &line, &col);
	pal_diag_at(p, PAL_SEV_ERROR, line, col,
		    "file is larger than 4 MiB (PAL_POLICY_FILE_MAX = %u bytes): "
		    "split it into several files",
		    PAL_POLICY_FILE_MAX);
}

int pal_policy_add_buffer(struct pal_policy_set *set, const char *name, const char *buf, size_t len)
{
	struct pal_parse p = {
		.set = set,
		.ir = &set->priv->arena,
		.buf = buf,
		.len = len,
		.flags = set->priv->opts.flags,
	};
	int err = 0, ferr;

	p.file = pal_arena_strndup(p.ir, name, strlen(name));
	if (!p.file)
		return -ENOMEM;
	if (len > PAL_POLICY_FILE_MAX)
		too_big(&p);
	else
		err = pal_yaml_parse(&p, pal_schema_doc);
	ferr = pal_diag_flush(&p);
	free(p.line_off);
	pal_arena_free(&p.tree);
	if (ferr)
		return ferr;
	if (err && err != -EINVAL)
		return err;
	return p.nerrors ? -EINVAL : 0;
}

/* Read at most PAL_POLICY_FILE_MAX + 1 bytes: enough to know it is too big. */
static int read_file(const char *path, char **out, size_t *len)
{
	size_t cap = PAL_POLICY_FILE_MAX + 1, n = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			close(fd);
			return err;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}

static int add_file(struct pal_policy_set *set, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int err = read_file(path, &buf, &len);

	if (err) {
		int derr =
			pal_diag_file(set, PAL_SEV_ERROR, path, "cannot read: %s", strerror(-err));

		return derr ? derr : err;
	}
	err = pal_policy_add_buffer(set, path, buf, len);
	free(buf);
	return err;
}

static bool policy_name(const char *n)
{
	size_t len = strlen(n);

	if (n[0] == '.')
		return false;
	return (len > 5 && !strcmp(n + len - 5, ".yaml")) ||
	       (len > 4 && !strcmp(n + len - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the policy files in dir, sorted; caller frees. */
static int list_dir(const char *dir, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!policy_name(e->d_name))
			continue;
		if (*n == cap) {
			char **nn = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*nn));

			if (!nn)
				goto oom;
			names = nn;
		}
		if (asprintf(&names[*n], "%s/%s", dir, e->d_name) < 0)
			goto oom;
		++*n;
	}
	closedir(d);
	qsort(names, *n, sizeof(*names), cmp_str);
	*out = names;
	return 0;
oom:
	closedir(d);
	while (*n)
		free(names[--*n]);
	free(names);
	return -ENOMEM;
}

static int add_dir(struct pal_policy_set *set, const char *dir)
{
	char **names = NULL;
	size_t n = 0;
	int err = list_dir(dir, &names, &n), first = 0;

	if (err) {
		int derr = pal_diag_file(set, PAL_SEV_ERROR, dir, "cannot read directory: %s",
					 strerror(-err));

		return derr ? derr : err;
	}
	for (size_t i = 0; i < n; i++) {
		err = add_file(set, names[i]);
		if (err && (!first || first == -EINVAL))
			first = err;
		free(names[i]);
	}
	free(names);
	return first;
}

int pal_policy_add_path(struct pal_policy_set *set, const char *path)
{
	struct stat st;

	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return add_dir(set, path);
	return add_file(set, path);
}

int pal_policy_load(struct pal_policy_set **out, const char *const *paths, size_t npaths,
		    const struct pal_load_opts *opts)
{
	struct pal_policy_set *set = pal_policy_set_new(opts);
	int first = 0;

	*out = NULL;
	if (!set)
		return -ENOMEM;
	for (size_t i = 0; i < npaths; i++) {
		int err = pal_policy_add_path(set, paths[i]);

		if (err && (!first || first == -EINVAL))
			first = err;
		if (err == -ENOMEM)
			break;
	}
	if (first && first != -EINVAL) {
		pal_policy_set_free(set);
		return first;
	}
	*out = set;
	return first;
}
