// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent/guard.h"
#include "agent/log.h"
#include "guard.skel.h"

#define MAX_GUARD_LINKS 8

struct pal_guard_prog {
	struct guard_bpf *skel; /* NULL when adopted */
	int map_fd;
	int link_fd[MAX_GUARD_LINKS];
	int nlinks;
	char pin_dir[256];
};

static void guard_path(char *buf, size_t len, const struct pal_guard_prog *g, const char *name)
{
	snprintf(buf, len, "%s/%s", g->pin_dir, name);
}

/* Pins of an earlier agent: the map and its links, no new programs. */
static int guard_adopt(struct pal_guard_prog *g)
{
	char path[PATH_MAX];

	guard_path(path, sizeof(path), g, "pal_guard");
	g->map_fd = bpf_obj_get(path);
	if (g->map_fd < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < MAX_GUARD_LINKS; i++) {
		snprintf(path, sizeof(path), "%s/links/guard-%d", g->pin_dir, i);
		g->link_fd[i] = bpf_obj_get(path);
		if (g->link_fd[i] < 0)
			break;
		g->nlinks++;
	}
	return g->nlinks ? 1 : -ESTALE;
}

static int guard_load(struct pal_guard_prog *g, const struct pal_maps *maps)
{
	struct bpf_program *prog;
	int err;

	g->skel = guard_bpf__open();
	if (!g->skel)
		return -errno;
	err = pal_maps_reuse(maps, g->skel->obj);
	if (!err)
		err = guard_bpf__load(g->skel);
	if (err)
		return pal_log_errno(err, "guard: the kernel refused the self-protection programs");
	bpf_object__for_each_program(prog, g->skel->obj)
	{
		struct bpf_link *link = bpf_program__attach(prog);

		if (!link)
			return pal_log_errno(-errno, "guard: cannot attach '%s'",
					     bpf_program__name(prog));
		if (g->nlinks == MAX_GUARD_LINKS)
			return -E2BIG;
		g->link_fd[g->nlinks++] = dup(bpf_link__fd(link));
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
	}
	g->map_fd = dup(bpf_map__fd(g->skel->maps.pal_guard));
	return 0;
}

static int guard_pin(struct pal_guard_prog *g)
{
	char path[PATH_MAX];

	guard_path(path, sizeof(path), g, "links");
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	guard_path(path, sizeof(path), g, "pal_guard");
	if (bpf_obj_pin(g->map_fd, path))
		return pal_log_errno(-errno, "guard: cannot pin '%s'", path);
	for (int i = 0; i < g->nlinks; i++) {
		snprintf(path, sizeof(path), "%s/links/guard-%d", g->pin_dir, i);
		if (bpf_obj_pin(g->link_fd[i], path))
			return pal_log_errno(-errno, "guard: cannot pin '%s'", path);
	}
	return 0;
}

int pal_guard_open(struct pal_guard_prog **out, const struct pal_maps *maps, const char *pin_dir)
{
	struct pal_guard_prog *g = calloc(1, sizeof(*g));
	int err = 0;

	if (!g)
		return -ENOMEM;
	g->map_fd = -1;
	snprintf(g->pin_dir, sizeof(g->pin_dir), "%s", pin_dir);
	err = guard_adopt(g);
	if (err == 0) {
		err = guard_load(g, maps);
		if (!err)
			err = guard_pin(g);
	}
	if (err < 0) {
		pal_guard_close(g, false);
		return err;
	}
	*out = g;
	return 0;
}

int pal_guard_arm(struct pal_guard_prog *g, unsigned int flags)
{
	struct pal_guard v = {.agent_tgid = getpid(), .flags = flags};
	struct stat st;
	__u32 zero = 0;

	if (stat("/proc/self/exe", &st))
		return pal_log_errno(-errno, "guard: cannot stat the agent's executable");
	v.exe_ino = st.st_ino;
	v.exe_dev = (minor(st.st_dev) & 0xff) | (major(st.st_dev) << 8) |
		    ((minor(st.st_dev) & ~0xffu) << 12);
	if (bpf_map_update_elem(g->map_fd, &zero, &v, BPF_ANY))
		return pal_log_errno(-errno, "guard: cannot arm");
	return 0;
}

static void unpin(struct pal_guard_prog *g)
{
	char path[PATH_MAX];

	for (int i = 0; i < g->nlinks; i++) {
		snprintf(path, sizeof(path), "%s/links/guard-%d", g->pin_dir, i);
		unlink(path);
	}
	guard_path(path, sizeof(path), g, "pal_guard");
	unlink(path);
}

void pal_guard_close(struct pal_guard_prog *g, bool keep)
{
	struct pal_guard off = {0};
	__u32 zero = 0;

	if (!g)
		return;
	if (!keep) {
		if (g->map_fd >= 0)
			bpf_map_update_elem(g->map_fd, &zero, &off, BPF_ANY);
		unpin(g);
	}
	for (int i = 0; i < g->nlinks; i++)
		close(g->link_fd[i]);
	if (g->map_fd >= 0)
		close(g->map_fd);
	guard_bpf__destroy(g->skel);
	free(g);
}
