// SPDX-License-Identifier: GPL-2.0-only
/*
 * The node table: the cgroups we track, hashed by path, and the
 * pal_cgroups entry each one has per generation slot. The bottom of
 * pal_cgroup: it calls no other file of cgroup/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "cgroup/internal.h"

/* ---- nodes -------------------------------------------------------------- */

static unsigned int str_hash(const char *s)
{
	unsigned int h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % PAL_CG_NODE_BUCKETS;
}

struct cg_node *pal_cg_node_find(const struct pal_cgroup *cg, const char *rel)
{
	for (struct cg_node *n = cg->nodes[str_hash(rel)]; n; n = n->next)
		if (!strcmp(n->rel, rel))
			return n;
	return NULL;
}

struct cg_node *pal_cg_node_add(struct pal_cgroup *cg, const char *rel, __u64 id)
{
	unsigned int h = str_hash(rel);
	struct cg_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->rel = strdup(rel);
	if (!n->rel) {
		free(n);
		return NULL;
	}
	n->id = id;
	n->next = cg->nodes[h];
	cg->nodes[h] = n;
	return n;
}

void pal_cg_node_unlink_free(struct pal_cgroup *cg, struct cg_node *n)
{
	struct cg_node **pp = &cg->nodes[str_hash(n->rel)];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp)
		*pp = n->next;
	free(n->rel);
	free(n);
}

void pal_cg_abs_path(const struct pal_cgroup *cg, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", cg->root, strcmp(rel, "/") ? rel : "");
}

/* ---- pal_cgroups entries ---------------------------------------------- */

int pal_cg_entry_write(struct pal_cgroup *cg, struct cg_node *n, __u32 slot, __u64 mask,
		       __u64 unknown)
{
	struct pal_cgroup_key k = {.cgroup_id = n->id, .gen = slot};
	struct pal_cgroup_val v = {.policies = mask, .unknown = unknown};

	if (bpf_map_update_elem(cg->cgroups_fd, &k, &v, BPF_ANY))
		return -errno;
	n->mask[slot] = mask;
	n->unknown[slot] = unknown;
	n->entry[slot] = true;
	return 0;
}

void pal_cg_entry_delete(struct pal_cgroup *cg, struct cg_node *n, __u32 slot)
{
	struct pal_cgroup_key k = {.cgroup_id = n->id, .gen = slot};

	n->want_attach[slot] = false;
	if (!n->entry[slot])
		return;
	bpf_map_delete_elem(cg->cgroups_fd, &k);
	n->mask[slot] = 0;
	n->unknown[slot] = 0;
	n->entry[slot] = false;
}
