/* SPDX-License-Identifier: GPL-2.0-only */
/* Least privilege for the running agent (docs/deploy.md lists why each capability stays). */
#ifndef PALISADE_AGENT_PRIVS_H
#define PALISADE_AGENT_PRIVS_H

/*
 * After everything is loaded and attached: keep only the capabilities that
 * reloads, cgroup attachment and the audit stream need, drop the rest from
 * the effective, permitted, inheritable and bounding sets, and set
 * PR_SET_NO_NEW_PRIVS. Returns 0 or -errno.
 */
int pal_drop_privileges(void);

#endif
