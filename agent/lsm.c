// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "agent/log.h"
#include "agent/lsm.h"

void pal_lsm_init(struct pal_lsm *l, const char *tag, const char *const *map_names, int nmaps,
		  const char *pin_dir)
{
	memset(l, 0, sizeof(*l));
	l->tag = tag;
	l->map_names = map_names;
	l->nmaps = nmaps < PAL_LSM_MAX_MAPS ? nmaps : PAL_LSM_MAX_MAPS;
	snprintf(l->pin_dir, sizeof(l->pin_dir), "%s", pin_dir ? pin_dir : "");
	for (int i = 0; i < PAL_LSM_MAX_MAPS; i++)
		l->map_fd[i] = -1;
}

static void link_pin(char *buf, size_t len, const struct pal_lsm *l, int i)
{
	snprintf(buf, len, "%s/links/%s-%d", l->pin_dir, l->tag, i);
}

int pal_lsm_adopt(struct pal_lsm *l)
{
	char path[PATH_MAX];
	int found = 0;

	if (!l->pin_dir[0])
		return 0;
	for (int i = 0; i < l->nmaps; i++) {
		snprintf(path, sizeof(path), "%s/%s", l->pin_dir, l->map_names[i]);
		l->map_fd[i] = bpf_obj_get(path);
		if (l->map_fd[i] >= 0)
			found++;
		else if (errno != ENOENT)
			return -errno;
	}
	for (; l->nlinks < PAL_LSM_MAX_LINKS; l->nlinks++) {
		link_pin(path, sizeof(path), l, l->nlinks);
		l->link_fd[l->nlinks] = bpf_obj_get(path);
		if (l->link_fd[l->nlinks] < 0)
			break;
	}
	if (!found && !l->nlinks)
		return 0;
	if (found != l->nmaps || !l->nlinks)
		return pal_log_errno(-ESTALE,
				     "%s: incomplete pins in '%s' (remove them to start "
				     "afresh)",
				     l->tag, l->pin_dir);
	l->adopted = true;
	pal_log(PAL_LOG_INFO, "%s: adopted %d pinned programs", l->tag, l->nlinks);
	return 1;
}

int pal_pin(int fd, const char *path)
{
	if (bpf_obj_pin(fd, path))
		return pal_log_errno(-errno, "cannot pin '%s'", path);
	return 0;
}

int pal_pin_dir_make(const char *path)
{
	struct stat st;
	int fd, err = 0;

	if (mkdir(path, PAL_PIN_DIR_MODE) && errno != EEXIST)
		return -errno;
	/* by fd: the name cannot be swapped for a symlink between check and change */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -ENOTDIR : -errno;
	/* each only when needed: a running agent's guard refuses fchmod (EPERM) */
	if (fstat(fd, &st) || ((st.st_uid || st.st_gid) && fchown(fd, 0, 0)) ||
	    ((st.st_mode & 07777) != PAL_PIN_DIR_MODE && fchmod(fd, PAL_PIN_DIR_MODE)))
		err = -errno;
	close(fd);
	return err;
}

static int pin_all(struct pal_lsm *l)
{
	char path[PATH_MAX];
	int err = 0;

	if (!l->pin_dir[0])
		return 0;
	snprintf(path, sizeof(path), "%s/links", l->pin_dir);
	err = pal_pin_dir_make(path);
	if (err)
		return pal_log_errno(err, "cannot create '%s'", path);
	for (int i = 0; i < l->nmaps && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s", l->pin_dir, l->map_names[i]);
		err = pal_pin(l->map_fd[i], path);
	}
	for (int i = 0; i < l->nlinks && !err; i++) {
		link_pin(path, sizeof(path), l, i);
		err = pal_pin(l->link_fd[i], path);
	}
	return err;
}

int pal_lsm_attach(struct pal_lsm *l, struct bpf_object *obj,
		   bool (*skip)(const struct bpf_program *prog))
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
	{
		struct bpf_link *link;

		if (!bpf_program__autoload(prog) || (skip && skip(prog)))
			continue; /* a hook this kernel does not have, or the caller's own */
		if (l->nlinks == PAL_LSM_MAX_LINKS)
			return pal_log_errno(-E2BIG, "%s: more than %d programs", l->tag,
					     PAL_LSM_MAX_LINKS);
		link = bpf_program__attach(prog);
		if (!link)
			return pal_log_errno(-errno, "%s: cannot attach '%s'", l->tag,
					     bpf_program__name(prog));
		l->link_fd[l->nlinks++] = dup(bpf_link__fd(link));
		bpf_link__disconnect(link); /* our fd, or the pin, keeps it attached */
		bpf_link__destroy(link);
	}
	for (int i = 0; i < l->nmaps; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, l->map_names[i]);

		l->map_fd[i] = map ? dup(bpf_map__fd(map)) : -1;
		if (l->map_fd[i] < 0)
			return pal_log_errno(-ENOENT, "%s: no map '%s'", l->tag, l->map_names[i]);
	}
	return pin_all(l);
}

int pal_lsm_link_prog(int link_fd, struct bpf_prog_info *pi)
{
	struct bpf_link_info li = {0};
	__u32 len = sizeof(li);
	int pfd, err = 0;

	if (bpf_obj_get_info_by_fd(link_fd, &li, &len))
		return -errno;
	pfd = bpf_prog_get_fd_by_id(li.prog_id);
	if (pfd < 0)
		return -errno;
	*pi = (struct bpf_prog_info){0};
	len = sizeof(*pi);
	if (bpf_obj_get_info_by_fd(pfd, pi, &len))
		err = -errno;
	close(pfd);
	return err;
}

/* Close fd (if open), and remove its pin first when unpin. */
static void drop(int fd, const char *pin_path, bool unpin)
{
	if (fd < 0)
		return;
	if (unpin)
		unlink(pin_path);
	close(fd);
}

void pal_lsm_close(struct pal_lsm *l, bool keep)
{
	bool unpin = !keep && l->pin_dir[0];
	char path[PATH_MAX];

	/* the hooks go before the steps put into them (file_shared.c): last first */
	for (int i = l->nlinks - 1; i >= 0; i--) {
		link_pin(path, sizeof(path), l, i);
		drop(l->link_fd[i], path, unpin);
	}
	for (int i = 0; i < l->nmaps; i++) {
		snprintf(path, sizeof(path), "%s/%s", l->pin_dir, l->map_names[i]);
		drop(l->map_fd[i], path, unpin);
	}
	l->nlinks = 0;
}
