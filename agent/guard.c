// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "agent/guard.h"
#include "agent/log.h"
#include "agent/lsm.h"
#include "policies/policy.h"
#include "guard.skel.h"

static const char *const guard_maps[] = {"pal_guard"};

struct pal_guard_prog {
	struct pal_lsm lsm;
};

int pal_guard_open(struct pal_guard_prog **out, const struct pal_maps *maps, const char *pin_dir)
{
	struct pal_guard_prog *g = calloc(1, sizeof(*g));
	struct guard_bpf *skel = NULL;
	int err;

	if (!g)
		return -ENOMEM;
	pal_lsm_init(&g->lsm, "guard", guard_maps, 1, pin_dir);
	err = pal_lsm_adopt(&g->lsm);
	if (err == 0) {
		skel = guard_bpf__open();
		err = skel ? pal_maps_reuse(maps, skel->obj) : -errno;
		if (!err)
			err = guard_bpf__load(skel);
		if (err)
			pal_log_errno(err,
				      "guard: the kernel refused the self-protection programs");
		else
			err = pal_lsm_attach(&g->lsm, skel->obj);
		guard_bpf__destroy(skel); /* links and map live on through our fds and pins */
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
	v.exe_dev = pal_dev_encode(st.st_dev);
	if (bpf_map_update_elem(g->lsm.map_fd[0], &zero, &v, BPF_ANY))
		return pal_log_errno(-errno, "guard: cannot arm");
	return 0;
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
