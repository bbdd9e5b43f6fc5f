// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "agent/cleanup.h"
#include "agent/guard.h"
#include "agent/log.h"
#include "agent/lsm.h"
#include "policies/policy.h"
#include "guard.skel.h"

static const char *const guard_maps[] = {"pal_guard"};

struct pal_guard_prog {
	struct pal_lsm lsm;
};

PAL_DEFINE_SKEL_CLEANUP(guard_bpf)

/* Load and attach; the skeleton goes, links and map live on through our fds and pins. */
static int load_and_attach(struct pal_guard_prog *g, const struct pal_maps *maps)
{
	_cleanup_skel_(guard_bpf) struct guard_bpf *skel = guard_bpf__open();
	int err = skel ? pal_maps_reuse(maps, skel->obj) : -errno;

	if (!err)
		err = guard_bpf__load(skel);
	if (err)
		return pal_log_errno(err, "guard: the kernel refused the self-protection programs");
	return pal_lsm_attach(&g->lsm, skel->obj);
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
	pal_lsm_init(&g->lsm, "guard", guard_maps, 1, pin_dir);
	err = pal_lsm_adopt(&g->lsm);
	if (err == 0)
		err = load_and_attach(g, maps);
	if (err < 0)
		return err;
	*out = TAKE_PTR(g);
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
