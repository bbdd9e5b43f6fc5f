// SPDX-License-Identifier: GPL-2.0-only
/*
 * The public entry points of pal_cgroup (cgroup/cgroup.h): open, prepare
 * and commit a generation slot, follow the tree's inotify events, report,
 * close. The top of cgroup/: it orchestrates the tree walk (tree.c), the
 * programs (attach.c), the rule maps (rules.c) and the node table
 * (node.c), and none of them calls back here.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <bpf/libbpf.h>

#include "cgroup/internal.h"
#include "cgdev.skel.h"
#include "cgnet.skel.h"

/* ---- life of a pal_cgroup ----------------------------------------------- */

int pal_cgroup_open(struct pal_cgroup **out, const struct pal_maps *maps, const char *cg2_root,
		    const char *pin_dir, unsigned int flags)
{
	struct pal_cgroup *cg = calloc(1, sizeof(*cg));
	int err;

	*out = NULL;
	if (!cg)
		return -ENOMEM;
	cg->live = cg->pending = -1;
	cg->flags = flags;
	pal_oci_roots_from_env(&cg->oci);
	cg->maps = *maps; /* fds stay owned by the caller */
	cg->cgroups_fd = maps->fd[PAL_MAP_CGROUPS];
	cg->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (cg->ifd < 0) {
		err = -errno;
		goto fail;
	}
	if (cg2_root) {
		if (strlen(cg2_root) >= sizeof(cg->root)) {
			err = -ENAMETOOLONG;
			goto fail;
		}
		strcpy(cg->root, cg2_root);
	} else if ((err = pal_cgroup_find_root(cg->root, sizeof(cg->root)))) {
		goto fail;
	}
	if (pin_dir && !(cg->pin_dir = strdup(pin_dir))) {
		err = -ENOMEM;
		goto fail;
	}
	*out = cg;
	return 0;
fail:
	pal_cgroup_close(cg, false);
	return err;
}

/* ---- reload: prepare a slot, commit it ---------------------------------- */

/* Load the programs if needed, and write the slot's network and device rules. */
/* Looked for once: while this agent runs, no other task may add a pin. */
static bool earlier_pins(struct pal_cgroup *cg)
{
	if (!cg->pins_looked) {
		cg->pins_found = pal_cg_pins_left(cg);
		cg->pins_looked = true;
	}
	return cg->pins_found;
}

static int prepare_rules(struct pal_cgroup *cg, const struct slot_plan *pl, __u32 slot)
{
	int err;

	/* first load, or a reload that outgrew the maps: (re)load, sized for it */
	if ((!cg->loaded || !pal_cg_fits(cg, pl, cg->live)) && (err = pal_cg_load_objects(cg, pl)))
		return err;
	if (pl->dev.nentries && !cg->dev_ok) {
		snprintf(cg->why, sizeof(cg->why),
			 "device rules: this kernel refused the cgroup/dev program (%d)",
			 cg->dev_err);
		return -EOPNOTSUPP;
	}
	if (!pal_cg_fits(cg, pl, cg->live)) {
		snprintf(cg->why, sizeof(cg->why),
			 "network/device rules exceed the map sizes chosen at the first load; "
			 "restart the agent to resize");
		return -ENOSPC;
	}
	err = pal_cg_clear_stale_slot(cg, slot);
	return err ?: pal_cg_rules_write(cg, pl, slot);
}

int pal_cgroup_prepare(struct pal_cgroup *cg, const struct pal_policy_set *set,
		       struct pal_net_emit *net, struct pal_dev_emit *dev, __u32 slot,
		       __u32 *ncgroup_keys)
{
	struct slot_plan *pl = &cg->plan[slot];
	__u32 keys = 0;
	int err;

	if (slot >= PAL_GENS || (int)slot == cg->live) {
		pal_net_emit_free(net);
		pal_dev_emit_free(dev);
		return -EINVAL;
	}
	if (pl->valid)
		pal_cg_slot_drop(cg, slot); /* an earlier prepare that was never committed */
	cg->pending = -1;
	cg->why[0] = 0;
	err = pal_cg_plan_build(cg, pl, set, net, dev);
	/*
	 * The programs load when a policy first has network or device rules:
	 * until then no socket or device operation pays for them. An earlier
	 * agent's pinned programs stay attached and read the rule maps for
	 * every generation, so with its pins left they are taken over at once.
	 */
	if (!err && (cg->loaded || pl->netdev || earlier_pins(cg)))
		err = prepare_rules(cg, pl, slot);
	err = err ?: pal_cg_walk_slot(cg, slot, &keys);
	if (err)
		goto fail;
	/* never 0 with targets: 0 makes the programs skip the walk, and cgroups may appear later */
	pl->ncgroup_keys = keys ? keys : pl->npatterns ? 1 : 0;
	*ncgroup_keys = pl->ncgroup_keys;
	cg->pending = slot;
	return 0;
fail:
	pal_cg_slot_drop(cg, slot);
	return err;
}

int pal_cgroup_commit(struct pal_cgroup *cg, __u32 old_slot)
{
	int err = 0, slot = cg->pending;
	bool first = cg->live < 0;

	if (slot < 0 || old_slot >= PAL_GENS || (int)old_slot == slot)
		return -EINVAL;
	for (int b = 0; b < PAL_CG_NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b]; n; n = n->next) {
			if (n->want_attach[slot] && !n->attached) {
				int e = pal_cg_node_attach(cg, n);

				err = err ?: e;
			} else if (n->attached && !n->want_attach[slot]) {
				pal_cg_node_detach(cg, n, true);
			}
		}
	if (cg->plan[old_slot].valid)
		pal_cg_slot_drop(cg, old_slot);
	err = err ?: pal_cg_clear_stale_slot(cg, old_slot); /* the previous agent's generation */
	/* the first generation of this agent: what an earlier one left and we did not adopt */
	if (first)
		pal_cg_drop_foreign_link_pins(cg);
	cg->live = slot;
	cg->pending = -1;
	return err;
}

/* ---- following the tree ------------------------------------------------- */

int pal_cgroup_watch_fd(const struct pal_cgroup *cg)
{
	return cg->ifd;
}

int pal_cgroup_handle_watch(struct pal_cgroup *cg)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	char rel[PATH_MAX];
	int changed = 0, err = 0;

	for (;;) {
		ssize_t len = read(cg->ifd, buf, sizeof(buf));

		if (len < 0)
			return errno == EAGAIN ? (err ?: changed) : -errno;
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const void *)p;
			struct cg_watch *w;
			int r = 0;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				r = pal_cg_rescan(cg);
			} else if (ev->mask & IN_IGNORED) {
				for (w = cg->watches; w && w->wd != ev->wd; w = w->next)
					;
				if (w)
					pal_cg_watch_drop(cg, w, false);
			} else if ((ev->mask & IN_ISDIR) && ev->len) {
				for (w = cg->watches; w && w->wd != ev->wd; w = w->next)
					;
				if (!w)
					continue;
				snprintf(rel, sizeof(rel), "%s/%s",
					 strcmp(w->rel, "/") ? w->rel : "", ev->name);
				cg->why[0] = 0;
				if (ev->mask & (IN_CREATE | IN_MOVED_TO))
					r = pal_cg_on_create(cg, rel);
				else
					r = pal_cg_on_delete(cg, rel);
				if (r < 0 && !cg->why[0])
					snprintf(
						cg->why, sizeof(cg->why),
						"new cgroup %.160s could not be put under policy: %s",
						rel, strerror(-r));
			}
			if (r < 0)
				err = err ?: r;
			else
				changed += r;
		}
	}
}

/* ---- state ------------------------------------------------------------- */

/* rel is a container's own cgroup (not one below it). */
static bool is_container(const char *rel)
{
	struct pal_container c;
	int level = 0;

	if (pal_container_parse(rel, &c) || c.kind != PAL_CTR_CONTAINER)
		return false;
	for (const char *p = rel; *p; p++)
		level += *p == '/';
	return (int)c.depth == level;
}

int pal_cgroup_stats(const struct pal_cgroup *cg, struct pal_cgroup_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (int b = 0; b < PAL_CG_NODE_BUCKETS; b++)
		for (const struct cg_node *n = cg->nodes[b]; n; n = n->next) {
			st->tracked++;
			st->attached += n->attached;
			for (int p = 0; p < PAL_CG_NPROGS; p++)
				st->links += !!n->links[p];
			for (int s = 0; s < PAL_GENS; s++)
				st->cgroup_keys[s] += n->entry[s];
			st->containers += cg->live >= 0 && n->entry[cg->live] && is_container(n->rel);
		}
	for (const struct cg_retry *r = cg->retries; r; r = r->next)
		st->waiting++;
	for (const struct cg_watch *w = cg->watches; w; w = w->next)
		st->watches++;
	for (int s = 0; s < PAL_GENS; s++) {
		const struct slot_plan *pl = &cg->plan[s];

		st->rule_entries[s] =
			pl->net.ncidrs + pl->net.nports + pl->net.nsocks + pl->dev.nentries;
	}
	st->dev_supported = cg->loaded && cg->dev_ok;
	return 0;
}

const char *pal_cgroup_why(const struct pal_cgroup *cg)
{
	return cg->why;
}

bool pal_cgroup_take_warning(struct pal_cgroup *cg, char *buf, size_t len)
{
	if (!cg->nwarn)
		return false;
	if (cg->nwarn > 1)
		snprintf(buf, len, "%s (and %u more)", cg->warn, cg->nwarn - 1);
	else
		snprintf(buf, len, "%s", cg->warn);
	cg->nwarn = 0;
	return true;
}

int pal_cgroup_containers(const struct pal_cgroup *cg, __u32 policy,
			  void (*fn)(void *ctx, const char *rel, const struct pal_container *c),
			  void *ctx)
{
	int n = 0;

	if (policy >= PAL_MAX_POLICIES)
		return -EINVAL;
	for (int b = 0; cg->live >= 0 && b < PAL_CG_NODE_BUCKETS; b++)
		for (const struct cg_node *nd = cg->nodes[b]; nd; nd = nd->next) {
			struct pal_container c;

			if (!(nd->mask[cg->live] & (1ull << policy)) || !is_container(nd->rel) ||
			    pal_container_parse(nd->rel, &c))
				continue;
			fn(ctx, nd->rel, &c);
			n++;
		}
	return n;
}

bool pal_cgroup_is_attached(const struct pal_cgroup *cg, const char *rel)
{
	const struct cg_node *n = pal_cg_node_find(cg, rel);

	return n && n->attached;
}

/* ---- close ------------------------------------------------------------- */

void pal_cgroup_close(struct pal_cgroup *cg, bool keep_attached)
{
	if (!cg)
		return;
	keep_attached = keep_attached && cg->pin_dir;
	for (int b = 0; b < PAL_CG_NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b], *next; n; n = next) {
			next = n->next;
			if (keep_attached) {
				for (int p = 0; p < PAL_CG_NPROGS; p++)
					if (n->links[p])
						bpf_link__disconnect(n->links[p]);
			}
			pal_cg_node_detach(cg, n, !keep_attached);
			for (int s = 0; s < PAL_GENS && !keep_attached; s++)
				pal_cg_entry_delete(cg, n, s);
			free(n->rel);
			free(n);
		}
	while (cg->watches)
		pal_cg_watch_drop(cg, cg->watches, false);
	pal_cg_retry_free_all(cg);
	pal_cg_lsm_detach(cg, keep_attached);
	if (!keep_attached)
		pal_cg_unpin_rule_maps(cg);
	for (int s = 0; s < PAL_GENS; s++)
		pal_cg_plan_free(&cg->plan[s]);
	if (cg->ifd >= 0)
		close(cg->ifd);
	cgnet_bpf__destroy(cg->net);
	cgdev_bpf__destroy(cg->dev);
	free(cg->pin_dir);
	free(cg);
}
