// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "agent/cleanup.h"
#include "agent/log.h"
#include "agent/privs.h"

/* What a running agent still needs, and why. */
static const cap_value_t keep[] = {
	CAP_BPF, /* map updates on reload, new programs when a reload outgrows maps */
	CAP_PERFMON, /* load tracing/LSM programs that read kernel memory */
	CAP_SYS_ADMIN, /* older kernels: BPF without CAP_BPF; open_by_handle_at on cgroupfs */
	CAP_NET_ADMIN, /* attach cgroup programs to new cgroups */
	CAP_DAC_READ_SEARCH, /* stat rule paths, resolve cgroup ids, look up pins */
	CAP_DAC_OVERRIDE, /* create and remove pins: the pin dir has no write or search bit */
	CAP_AUDIT_WRITE, /* --linux-audit */
	CAP_SYS_RESOURCE, /* RLIMIT_MEMLOCK on kernels that charge BPF memory to it */
};

#define NKEEP (sizeof(keep) / sizeof(keep[0]))

static bool kept(cap_value_t c)
{
	for (size_t i = 0; i < NKEEP; i++)
		if (keep[i] == c)
			return true;
	return false;
}

/* The bounding set first: dropping from it needs CAP_SETPCAP, still held here. */
static int drop_bounding(void)
{
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (!kept(c) && CAP_IS_SUPPORTED(c) && cap_drop_bound(c) && errno != EINVAL)
			return -errno;
	return 0;
}

/* Whether we hold c now: a capability can only be kept, never gained. */
static bool held(cap_t cur, cap_value_t c)
{
	cap_flag_value_t v = CAP_CLEAR;

	return CAP_IS_SUPPORTED(c) && !cap_get_flag(cur, c, CAP_PERMITTED, &v) && v == CAP_SET;
}

PAL_DEFINE_CLEANUP_FUNC(cap_t, cap_free)

int pal_drop_privileges(void)
{
	_cleanup_(cap_freep) cap_t cur = cap_get_proc();
	_cleanup_(cap_freep) cap_t caps = NULL;
	int err = cur ? drop_bounding() : -errno;

	if (err)
		return pal_log_errno(err, "privs: cannot shrink the bounding set");
	caps = cap_init();
	if (!caps)
		return -errno;
	for (size_t i = 0; i < NKEEP; i++) {
		if (!held(cur, keep[i]))
			continue; /* e.g. CAP_BPF before 5.8, or a container that never had it */
		if (cap_set_flag(caps, CAP_PERMITTED, 1, &keep[i], CAP_SET) ||
		    cap_set_flag(caps, CAP_EFFECTIVE, 1, &keep[i], CAP_SET))
			return -errno;
	}
	if (cap_set_proc(caps))
		return pal_log_errno(-errno, "privs: cannot drop capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return pal_log_errno(-errno, "privs: PR_SET_NO_NEW_PRIVS");
	pal_log(PAL_LOG_DEBUG, "privs: capabilities reduced to bpf, perfmon, sys_admin, "
			       "net_admin, dac_read_search, audit_write, sys_resource");
	return 0;
}
