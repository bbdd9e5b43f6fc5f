// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>

#include "agent/cleanup.h"
#include "agent/guard.h"
#include "agent/log.h"
#include "agent/lsm.h"
#include "policies/policy.h"
#include "guard.skel.h"

enum { GUARD_MAP_STATE, GUARD_MAP_MARK, GUARD_MAP_OBJS, GUARD_NMAPS };
static const char *const guard_maps[GUARD_NMAPS] = {"pal_guard", "pal_agent_task",
						    "pal_guard_objs"};

struct pal_guard_prog {
	struct pal_lsm lsm;
};

PAL_DEFINE_SKEL_CLEANUP(guard_bpf)

/* Load and attach; the skeleton goes, links and maps live on through our fds and pins. */
static int load_and_attach(struct pal_guard_prog *g, const struct pal_maps *maps)
{
	_cleanup_skel_(guard_bpf) struct guard_bpf *skel = guard_bpf__open();
	int err = skel ? pal_maps_reuse(maps, skel->obj) : -errno;

	if (!err)
		err = guard_bpf__load(skel);
	if (err)
		return pal_log_errno(err, "guard: the kernel refused the self-protection programs");
	return pal_lsm_attach(&g->lsm, skel->obj, NULL);
}

static void guard_unpin_close(struct pal_guard_prog *g)
{
	pal_guard_close(g, false);
}

PAL_DEFINE_CLEANUP_FUNC(struct pal_guard_prog *, guard_unpin_close)

int pal_guard_open(struct pal_guard_prog **out, const struct pal_maps *maps, const char *pin_dir)
{
	_cleanup_(guard_unpin_closep) struct pal_guard_prog *g = calloc(1, sizeof(*g));
	int err;

	if (!g)
		return -ENOMEM;
	pal_lsm_init(&g->lsm, "guard", guard_maps, GUARD_NMAPS, pin_dir);
	err = pal_lsm_adopt(&g->lsm);
	if (err == 0)
		err = load_and_attach(g, maps);
	if (err < 0)
		return err;
	*out = TAKE_PTR(g);
	return 0;
}

/* Mark our own task; threads created from now on inherit it (task_alloc). */
static int mark_self(struct pal_guard_prog *g, __u64 instance)
{
	struct pal_agent_mark m = {.instance = instance};
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	if (pidfd < 0)
		return pal_log_errno(-errno, "guard: pidfd_open");
	if (bpf_map_update_elem(g->lsm.map_fd[GUARD_MAP_MARK], &pidfd, &m, BPF_ANY))
		return pal_log_errno(-errno, "guard: cannot mark the agent's task");
	return 0;
}

/* The agent's cgroup v2 and its ancestors, as cgroup ids (the directories' inodes). */
static void cgroup_ids(struct pal_guard *v, const char *cg2_root)
{
	char line[PATH_MAX], path[PATH_MAX * 2];
	FILE *f = fopen("/proc/self/cgroup", "re");
	char *rel = NULL, *p;
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			rel = line + 3;
			rel[strcspn(rel, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
	if (!rel || !cg2_root)
		return;
	for (p = rel; p && n < PAL_GUARD_MAX_CGROUPS; p = strchr(p + 1, '/')) {
		struct stat st;

		snprintf(path, sizeof(path), "%s%.*s", cg2_root, (int)(p - rel), rel);
		if (!stat(path, &st))
			v->cgroup_ids[n++] = st.st_ino;
	}
	snprintf(path, sizeof(path), "%s%s", cg2_root, rel);
	if (n < PAL_GUARD_MAX_CGROUPS && *rel && strcmp(rel, "/")) {
		struct stat st;

		if (!stat(path, &st))
			v->cgroup_ids[n++] = st.st_ino;
	}
}

static void pin_dirs(struct pal_guard *v, const char *pin_dir)
{
	char path[PATH_MAX];
	struct stat st;

	if (!pin_dir[0] || stat(pin_dir, &st))
		return;
	v->pin_dev = pal_dev_encode(st.st_dev);
	v->pin_ino = st.st_ino;
	snprintf(path, sizeof(path), "%s/links", pin_dir);
	if (!stat(path, &st))
		v->links_ino = st.st_ino;
}

int pal_guard_arm(struct pal_guard_prog *g, unsigned int flags, const char *cg2_root)
{
	struct pal_guard v = {.agent_tgid = getpid(), .flags = flags};
	__u32 zero = 0;
	int err;

	do {
		if (getrandom(&v.instance, sizeof(v.instance), 0) != sizeof(v.instance))
			return pal_log_errno(-EIO, "guard: no random instance number");
	} while (!v.instance);
	err = mark_self(g, v.instance);
	if (err)
		return err;
	pin_dirs(&v, g->lsm.pin_dir);
	cgroup_ids(&v, cg2_root);
	if (bpf_map_update_elem(g->lsm.map_fd[GUARD_MAP_STATE], &zero, &v, BPF_ANY))
		return pal_log_errno(-errno, "guard: cannot arm");
	pal_log(PAL_LOG_INFO, "guard: armed for this agent instance (pid %d)", (int)getpid());
	return 0;
}

static void add_obj(struct pal_guard_prog *g, __u64 id, __u32 kind)
{
	struct pal_guard_obj k = {.id = id, .kind = kind};
	__u32 one = 1;

	if (bpf_map_update_elem(g->lsm.map_fd[GUARD_MAP_OBJS], &k, &one, BPF_ANY))
		pal_log(PAL_LOG_WARN, "guard: cannot record object %llu: %s",
			(unsigned long long)id, strerror(errno));
}

/* Is link fd attached to one of our programs (palisade_*)? */
static bool our_link(int fd)
{
	struct bpf_prog_info pi;

	return !pal_lsm_link_prog(fd, &pi) && !strncmp(pi.name, "palisade", 8);
}

/* Forget the links that are gone (detached since): their ids may go to others' links. */
static void forget_gone(struct pal_guard_prog *g)
{
	struct pal_guard_obj k, next;
	int fd = g->lsm.map_fd[GUARD_MAP_OBJS];
	bool first = true;

	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		int lfd =
			next.kind == PAL_GUARD_OBJ_LINK ? bpf_link_get_fd_by_id((__u32)next.id) : 0;
		bool gone = lfd < 0 && errno == ENOENT;

		if (lfd > 0)
			close(lfd);
		/* after a delete, the walk goes on from the deleted key's successor */
		if (gone && !bpf_map_delete_elem(fd, &next))
			continue;
		k = next;
		first = false;
	}
}

/* Every link of a palisade_* program, by id, whether pinned or held by a cgroup. */
static void seal_links(struct pal_guard_prog *g)
{
	__u32 id = 0;

	forget_gone(g);

	while (!bpf_link_get_next_id(id, &id)) {
		_cleanup_close_ int fd = bpf_link_get_fd_by_id(id);

		if (fd >= 0 && our_link(fd))
			add_obj(g, id, PAL_GUARD_OBJ_LINK);
	}
}

void pal_guard_seal(struct pal_guard_prog *g)
{
	if (g)
		seal_links(g);
}

void pal_guard_close(struct pal_guard_prog *g, bool keep)
{
	struct pal_guard off = {0};
	__u32 zero = 0;

	if (!g)
		return;
	if (!keep && g->lsm.map_fd[0] >= 0) /* disarm first: our own unpinning is no attack */
		bpf_map_update_elem(g->lsm.map_fd[0], &zero, &off, BPF_ANY);
	pal_lsm_close(&g->lsm, keep);
	free(g);
}

int pal_guard_oom_exempt(void)
{
	_cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, "-1000", 5) != 5)
		return pal_log_errno(-errno, "guard: cannot set oom_score_adj -1000; the OOM "
					     "killer may stop the agent");
	pal_log(PAL_LOG_INFO, "guard: oom_score_adj -1000, the OOM killer spares the agent");
	return 0;
}
