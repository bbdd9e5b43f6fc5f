// SPDX-License-Identifier: GPL-2.0-only
/* Policy sets: create, free, load files and directories. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
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

static const char *kind_of(mode_t m)
{
	return S_ISDIR(m)		? "a directory" :
	       S_ISFIFO(m)		? "a FIFO" :
	       S_ISSOCK(m)		? "a socket" :
	       S_ISCHR(m) || S_ISBLK(m) ? "a device" :
					  "not a regular file";
}

/*
 * Open a file of a policy directory without leaving it: a symlink may point
 * within the directory (kubelet's ConfigMap layout), never outside it.
 * O_NONBLOCK: a FIFO named x.yaml must not block the agent.
 */
static int open_beneath(int dirfd, const char *name)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));

	/* Before openat2 (5.6): refuse every symlink instead. */
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
	return fd < 0 ? -errno : (int)fd;
}

/* Why a policy file may not be trusted, or NULL. */
static const char *untrusted(int fd, const struct stat *st)
{
	struct statvfs vfs;

	if (st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH)))
		return NULL;
	/* kubelet mounts ConfigMaps read-only: nobody can change those files */
	if (!fstatvfs(fd, &vfs) && (vfs.f_flag & ST_RDONLY))
		return NULL;
	return st->st_uid ? "it is not owned by root" : "it is group- or world-writable";
}

/*
 * Check an open policy file. Inside a directory, or for the agent, only a
 * regular file will do; the agent also wants one that only root can change.
 */
static int vet_file(struct pal_policy_set *set, const char *path, int fd, bool in_dir)
{
	bool trusted = set->priv->opts.flags & PAL_LOAD_TRUSTED;
	const char *why;
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	int err = 0;

	if (!S_ISREG(st.st_mode) && (in_dir || trusted))
		err = pal_diag_file(set, PAL_SEV_ERROR, path,
				    "refusing it: %s, not a regular file. Hint: remove it or give "
				    "it another extension than .yaml/.yml",
				    kind_of(st.st_mode)) ?: -EINVAL;
	else if (trusted && (why = untrusted(fd, &st)))
		err = pal_diag_file(set, PAL_SEV_ERROR, path,
				    "refusing it: %s (mode %04o, uid %u); only root may be able to "
				    "change policy. Hint: chown root '%s' && chmod go-w '%s'",
				    why, (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid,
				    path, path) ?: -EINVAL;
	if (err)
		return err;
	/* an explicitly named pipe (palisade check <(...)) is read blocking */
	if (!S_ISREG(st.st_mode))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return 0;
}

/* Read at most PAL_POLICY_FILE_MAX + 1 bytes: enough to know it is too big. */
static int read_fd(int fd, char **out, size_t *len)
{
	size_t cap = PAL_POLICY_FILE_MAX + 1, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* dirfd >= 0: path is dir/name, opened beneath dirfd; else path as given. */
static int add_file(struct pal_policy_set *set, const char *path, int dirfd, const char *name)
{
	int oflags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	char *buf = NULL;
	size_t len = 0;
	int fd, err;

	if (set->priv->opts.flags & PAL_LOAD_TRUSTED)
		oflags |= O_NOFOLLOW;
	fd = dirfd >= 0 ? open_beneath(dirfd, name) : open(path, oflags);
	if (fd == -1 && dirfd < 0)
		fd = -errno;
	if (fd < 0) {
		bool link = fd == -EXDEV || fd == -ELOOP;
		int derr = link ? pal_diag_file(set, PAL_SEV_ERROR, path,
						"refusing it: a symlink%s (the agent reads "
						"policy only from regular files in its directory)",
						dirfd >= 0 ? " that leads outside its directory" :
							     "") :
				  pal_diag_file(set, PAL_SEV_ERROR, path, "cannot read: %s",
						strerror(-fd));

		/* a refusal is a policy error: the other files are still checked */
		return derr ? derr : link ? -EINVAL : fd;
	}
	err = vet_file(set, path, fd, dirfd >= 0);
	if (err) {
		close(fd);
		return err;
	}
	err = read_fd(fd, &buf, &len);
	close(fd);
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

/* Names of the policy files in dir (open as dirfd), sorted; caller frees. */
static int list_dir(int dirfd, const char *dir, char ***out, size_t *n)
{
	int dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		int err = -errno;

		if (dup_fd >= 0)
			close(dup_fd);
		return err;
	}
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
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char **names = NULL;
	size_t n = 0;
	int err = dirfd < 0 ? -errno : list_dir(dirfd, dir, &names, &n), first = 0;

	if (err) {
		if (dirfd >= 0)
			close(dirfd);
		int derr = pal_diag_file(set, PAL_SEV_ERROR, dir, "cannot read directory: %s",
					 strerror(-err));

		return derr ? derr : err;
	}
	for (size_t i = 0; i < n; i++) {
		err = add_file(set, names[i], dirfd, names[i] + strlen(dir) + 1);
		if (err && (!first || first == -EINVAL))
			first = err;
		free(names[i]);
	}
	free(names);
	close(dirfd);
	return first;
}

int pal_policy_add_path(struct pal_policy_set *set, const char *path)
{
	struct stat st;

	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return add_dir(set, path);
	return add_file(set, path, -1, NULL);
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
