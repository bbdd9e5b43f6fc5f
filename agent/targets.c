// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "agent/log.h"
#include "agent/targets.h"

/* Add policy bit to the mask of one cgroup directory. */
static int target_add(struct pal_enforcer *en, const char *rel, __u32 slot, __u64 bit, __u32 *nkeys)
{
	struct pal_cgroup_key k = {.gen = slot};
	char path[PATH_MAX];
	struct stat st;
	__u64 mask = 0;

	snprintf(path, sizeof(path), "%s%s", en->cg2_root, rel);
	if (stat(path, &st)) {
		pal_log(PAL_LOG_WARN, "targets: cgroup '%s' does not exist (yet)", rel);
		return 0;
	}
	k.cgroup_id = st.st_ino; /* a cgroup2 directory's inode number is its id */
	if (bpf_map_lookup_elem(en->maps.fd[PAL_MAP_CGROUPS], &k, &mask))
		(*nkeys)++;
	mask |= bit;
	return bpf_map_update_elem(en->maps.fd[PAL_MAP_CGROUPS], &k, &mask, BPF_ANY) ? -errno : 0;
}

int pal_targets_write(struct pal_enforcer *en, const struct pal_policy_set *set, __u32 slot,
		      __u32 *nkeys)
{
	*nkeys = 0;
	for (__u32 i = 0; i < set->npolicies; i++) {
		const struct pal_ir_policy *p = &set->policies[i];

		for (__u32 j = 0; j < p->ncgroups; j++) {
			int err;

			if (strchr(p->cgroups[j], '*')) {
				pal_log(PAL_LOG_ERR,
					"targets: policy '%s': glob target '%s' is "
					"not supported yet",
					p->name, p->cgroups[j]);
				return -EOPNOTSUPP;
			}
			err = target_add(en, p->cgroups[j], slot, 1ULL << i, nkeys);
			if (err)
				return err;
		}
	}
	return 0;
}

int pal_targets_clear(struct pal_enforcer *en, __u32 slot)
{
	struct pal_cgroup_key cur, next, *k = NULL;
	struct pal_cgroup_key dead[256];
	int fd = en->maps.fd[PAL_MAP_CGROUPS];
	size_t n;

	do { /* in batches: deleting while iterating would restart the walk */
		n = 0;
		k = NULL;
		while (n < 256 && !bpf_map_get_next_key(fd, k, &next)) {
			if (next.gen == slot)
				dead[n++] = next;
			cur = next;
			k = &cur;
		}
		for (size_t i = 0; i < n; i++)
			if (bpf_map_delete_elem(fd, &dead[i]) && errno != ENOENT)
				return -errno;
	} while (n == 256);
	return 0;
}
