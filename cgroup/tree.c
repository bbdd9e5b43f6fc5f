// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cgroup tree: the walk that finds a slot's target cgroups and gives
 * them their pal_cgroups entries, dropping a slot again, the inotify
 * watches, and what a created or removed cgroup changes. Above the node
 * table (node.c), the programs (attach.c) and the rule maps (rules.c).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "cgroup/internal.h"

/* ---- watches ------------------------------------------------------------ */

static struct cg_watch *watch_find_rel(const struct pal_cgroup *cg, const char *rel)
{
	for (struct cg_watch *w = cg->watches; w; w = w->next)
		if (!strcmp(w->rel, rel))
			return w;
	return NULL;
}

static int watch_add(struct pal_cgroup *cg, const char *rel, __u32 slot)
{
	char path[PATH_MAX];
	struct cg_watch *w = watch_find_rel(cg, rel);
	int wd;

	if (w) {
		w->want[slot] = true;
		return 0;
	}
	pal_cg_abs_path(cg, rel, path, sizeof(path));
	wd = inotify_add_watch(cg->ifd, path,
			       IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR);
	if (wd < 0)
		return errno == ENOENT ? 0 : -errno; /* removed meanwhile: nothing to watch */
	for (w = cg->watches; w; w = w->next)
		if (w->wd == wd) { /* same directory under another name */
			w->want[slot] = true;
			return 0;
		}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->rel = strdup(rel))) {
		free(w);
		inotify_rm_watch(cg->ifd, wd);
		return -ENOMEM;
	}
	w->wd = wd;
	w->want[slot] = true;
	w->next = cg->watches;
	cg->watches = w;
	return 0;
}

void pal_cg_watch_drop(struct pal_cgroup *cg, struct cg_watch *w, bool rm)
{
	struct cg_watch **pp = &cg->watches;

	while (*pp && *pp != w)
		pp = &(*pp)->next;
	if (*pp)
		*pp = w->next;
	if (rm)
		inotify_rm_watch(cg->ifd, w->wd);
	free(w->rel);
	free(w);
}

/* ---- resolving a slot's targets ---------------------------------------- */

struct walk_ctx {
	struct pal_cgroup *cg;
	__u32 slot;
	int changed; /* cgroups given entries or attachments */
};

static int walk(struct walk_ctx *w, char *rel, size_t len, __u64 inherited, bool attached_above,
		int level);

static int walk_children(struct walk_ctx *w, char *rel, size_t len, __u64 eff, bool attached)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0;

	pal_cg_abs_path(w->cg, rel, path, sizeof(path));
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (de = readdir(d))) {
		size_t nlen = strlen(de->d_name);
		size_t base = strcmp(rel, "/") ? len : 0;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (base + 1 + nlen >= PATH_MAX) {
			err = -ENAMETOOLONG;
			break;
		}
		rel[base] = '/';
		memcpy(rel + base + 1, de->d_name, nlen + 1);
		err = walk(w, rel, base + 1 + nlen, eff, attached, -1);
		rel[len] = 0;
	}
	closedir(d);
	return err;
}

static int level_of(const char *rel)
{
	int l = 0;

	if (!strcmp(rel, "/"))
		return 0;
	for (; *rel; rel++)
		l += *rel == '/';
	return l;
}

/* Policies whose container selectors select the container id (from its OCI state). */
static __u64 selected_by(const struct pal_cgroup *cg, const struct slot_plan *pl, const char *id)
{
	struct pal_ctr_meta m;
	__u64 mask = 0;

	if (pal_oci_read(&cg->oci, id, &m))
		return 0; /* no state: nothing to select on */
	for (__u32 i = 0; i < pl->nsel; i++)
		if (pal_container_selected(pl->sel[i], &m))
			mask |= 1ull << pl->spolicy[i];
	pal_ctr_meta_free(&m);
	return mask;
}

/*
 * Container selectors: the policies that select rel when it is a
 * container's own cgroup. *below_ctr: rel is a container's or below one,
 * where no other container can be (container.h: the outermost one wins).
 */
static __u64 container_policies(const struct pal_cgroup *cg, const struct slot_plan *pl,
				const char *rel, int level, bool *below_ctr)
{
	struct pal_container c;

	*below_ctr = false;
	if (!pl->nsel || pal_container_parse(rel, &c) || c.kind != PAL_CTR_CONTAINER)
		return 0;
	*below_ctr = true;
	return (int)c.depth == level ? selected_by(cg, pl, c.id) : 0;
}

/*
 * Give rel (and what matches below it) its pal_cgroups entry for w->slot.
 * inherited: policies its ancestors' entries (and host-wide) already give
 * it; attached_above: an ancestor carries our programs, which run here too.
 */
static int walk(struct walk_ctx *w, char *rel, size_t len, __u64 inherited, bool attached_above,
		int level)
{
	struct pal_cgroup *cg = w->cg;
	struct slot_plan *pl = &cg->plan[w->slot];
	__u64 here = 0, own, eff;
	bool descend = false, attach, below_ctr;
	unsigned int f[PAL_POLICY_TARGETS_MAX * 4];
	__u32 npat = pl->npatterns < sizeof(f) / sizeof(f[0]) ? pl->npatterns : 0;
	int err;

	if (level < 0)
		level = level_of(rel);
	for (__u32 i = 0; i < pl->npatterns; i++) {
		unsigned int m = pal_cgroup_match(pl->patterns[i], rel);

		if (i < npat)
			f[i] = m;
		if (m & PAL_CG_MATCH)
			here |= 1ull << pl->ppolicy[i];
	}
	here |= container_policies(cg, pl, rel, level, &below_ctr);
	eff = inherited | here;
	/* a container may appear anywhere, except below another one */
	descend = pl->nsel && !below_ctr;
	for (__u32 i = 0; i < pl->npatterns && !descend; i++) {
		unsigned int m = i < npat ? f[i] : pal_cgroup_match(pl->patterns[i], rel);

		/* a policy already inherited here covers everything below: no need to look */
		if ((m & PAL_CG_PREFIX) && !(eff & (1ull << pl->ppolicy[i])))
			descend = true;
	}
	own = here & ~inherited;
	attach = !attached_above && ((own | (level ? 0 : pl->host)) & pl->netdev);
	if (own || attach) {
		struct cg_node *n = pal_cg_node_find(cg, rel);
		char path[PATH_MAX];
		__u64 id;

		/*
		 * The BPF ancestor walk only sees PAL_MAX_CGROUP_DEPTH levels: leave
		 * this one out (everything below is deeper still) and say so loudly;
		 * the rest of the policy is enforced.
		 */
		if (level >= PAL_MAX_CGROUP_DEPTH) {
			if (!cg->nwarn++)
				snprintf(
					cg->warn, sizeof(cg->warn),
					"cgroup %.300s is %d levels deep; policies can target cgroups "
					"at most %d levels deep, so it is NOT under policy",
					rel, level, PAL_MAX_CGROUP_DEPTH - 1);
			return 0;
		}
		if (!n) {
			pal_cg_abs_path(cg, rel, path, sizeof(path));
			err = pal_cgroup_id_of(path, &id);
			if (err)
				return err == -ENOENT ? 0 : err;
			n = pal_cg_node_add(cg, rel, id);
			if (!n)
				return -ENOMEM;
		}
		if (own && n->mask[w->slot] != own) {
			err = pal_cg_entry_write(cg, n, w->slot, own);
			if (err)
				return err;
			w->changed++;
		}
		if (attach && !n->want_attach[w->slot]) {
			n->want_attach[w->slot] = true;
			w->changed++;
		}
		attached_above |= attach;
	}
	if (!descend)
		return 0;
	/* watch first, then list: a child created in between is seen at least once */
	err = watch_add(cg, rel, w->slot);
	if (err)
		return err;
	return walk_children(w, rel, len, eff, attached_above);
}

/* Give every existing cgroup its pal_cgroups entry of slot; *nkeys: how many have one. */
int pal_cg_walk_slot(struct pal_cgroup *cg, __u32 slot, __u32 *nkeys)
{
	struct walk_ctx w = {.cg = cg, .slot = slot};
	char rel[PATH_MAX] = "/";
	__u32 keys = 0;
	int err;

	err = walk(&w, rel, 1, cg->plan[slot].host, false, 0);
	if (err)
		return err;
	for (int b = 0; b < PAL_CG_NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b]; n; n = n->next)
			keys += !!n->mask[slot];
	*nkeys = keys;
	return 0;
}

static bool node_idle(const struct cg_node *n)
{
	for (int s = 0; s < PAL_GENS; s++)
		if (n->mask[s] || n->want_attach[s])
			return false;
	return !n->attached;
}

/* Forget everything of a slot: rule entries, pal_cgroups entries, watches. */
void pal_cg_slot_drop(struct pal_cgroup *cg, __u32 slot)
{
	pal_cg_rules_delete(cg, &cg->plan[slot]);
	for (int b = 0; b < PAL_CG_NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b], *next; n; n = next) {
			next = n->next;
			pal_cg_entry_delete(cg, n, slot);
			n->want_attach[slot] = false;
			if (node_idle(n))
				pal_cg_node_unlink_free(cg, n);
		}
	for (struct cg_watch *w = cg->watches, *next; w; w = next) {
		next = w->next;
		w->want[slot] = false;
		if (!w->want[1 - slot])
			pal_cg_watch_drop(cg, w, true);
	}
	pal_cg_plan_free(&cg->plan[slot]);
}

/* ---- following the tree ------------------------------------------------- */

/* Policies given to rel by its tracked ancestors in slot, and whether one is attached. */
static __u64 inherited_of(const struct pal_cgroup *cg, const char *rel, __u32 slot, bool live,
			  bool *attached)
{
	char buf[PATH_MAX];
	__u64 mask = cg->plan[slot].host;
	size_t len = strlen(rel);

	*attached = false;
	if (len >= sizeof(buf))
		return mask;
	memcpy(buf, rel, len + 1);
	for (;;) {
		char *slash = strrchr(buf, '/');
		const struct cg_node *n;

		if (!slash)
			break;
		if (slash == buf)
			strcpy(buf, "/");
		else
			*slash = 0;
		n = pal_cg_node_find(cg, buf);
		if (n) {
			mask |= n->mask[slot];
			*attached |= live ? n->attached : n->want_attach[slot];
		}
		if (!strcmp(buf, "/"))
			break;
	}
	return mask;
}

int pal_cg_on_create(struct pal_cgroup *cg, const char *rel)
{
	char buf[PATH_MAX];
	int changed = 0;

	for (int s = 0; s < PAL_GENS; s++) {
		struct walk_ctx w = {.cg = cg, .slot = s};
		bool live = s == cg->live, attached;
		__u64 inh;
		int err;

		if (!cg->plan[s].valid || (s != cg->live && s != cg->pending))
			continue;
		inh = inherited_of(cg, rel, s, live, &attached);
		snprintf(buf, sizeof(buf), "%s", rel);
		err = walk(&w, buf, strlen(buf), inh, attached, -1);
		if (err)
			return err;
		changed += w.changed;
	}
	/* attach what the live slot now wants, here and below */
	for (int b = 0; cg->live >= 0 && b < PAL_CG_NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b]; n; n = n->next)
			if (n->want_attach[cg->live] && !n->attached) {
				int err = pal_cg_node_attach(cg, n);

				if (err)
					return err;
			}
	return changed;
}

static bool is_at_or_below(const char *rel, const char *top)
{
	size_t l = strlen(top);

	return !strncmp(rel, top, l) && (rel[l] == 0 || rel[l] == '/');
}

int pal_cg_on_delete(struct pal_cgroup *cg, const char *rel)
{
	int changed = 0;

	for (int b = 0; b < PAL_CG_NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b], *next; n; n = next) {
			next = n->next;
			if (!is_at_or_below(n->rel, rel))
				continue;
			pal_cg_node_detach(cg, n, true);
			for (int s = 0; s < PAL_GENS; s++)
				pal_cg_entry_delete(cg, n, s);
			pal_cg_node_unlink_free(cg, n);
			changed++;
		}
	for (struct cg_watch *w = cg->watches, *next; w; w = next) {
		next = w->next;
		if (is_at_or_below(w->rel, rel))
			pal_cg_watch_drop(cg, w, true);
	}
	return changed;
}

/* Lost events: re-walk every active slot and drop what no longer exists. */
int pal_cg_rescan(struct pal_cgroup *cg)
{
	char path[PATH_MAX];
	struct stat st;
	int changed = 0, err;

	for (int b = 0; b < PAL_CG_NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b], *next; n; n = next) {
			next = n->next;
			pal_cg_abs_path(cg, n->rel, path, sizeof(path));
			if (stat(path, &st) || st.st_ino != n->id) {
				char *rel = strdup(n->rel);

				if (!rel)
					return -ENOMEM;
				changed += pal_cg_on_delete(cg, rel);
				free(rel);
				next = NULL; /* the bucket changed: restart it */
				b--;
			}
		}
	err = pal_cg_on_create(cg, "/");
	return err < 0 ? err : changed + err;
}
