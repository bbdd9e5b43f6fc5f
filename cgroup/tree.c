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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

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
	bool final; /* a container's missing OCI state is final: do not wait for it */
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

/*
 * Policies whose container selectors select the container id (from its OCI
 * state). -EAGAIN: the runtime has not written its state yet (look again
 * later); any other failure selects nothing.
 */
static int selected_by(const struct pal_cgroup *cg, const struct slot_plan *pl, const char *id,
		       bool final, __u64 *mask)
{
	struct pal_ctr_meta m;
	int err = pal_oci_read(&cg->oci, id, &m);

	*mask = 0;
	if (err == -ENOENT && !final)
		return -EAGAIN;
	if (err)
		return 0; /* no state: nothing to select on */
	for (__u32 i = 0; i < pl->nsel; i++)
		if (pal_container_selected(pl->sel[i], &m))
			*mask |= 1ull << pl->spolicy[i];
	pal_ctr_meta_free(&m);
	return 0;
}

/*
 * Container selectors: the policies that select rel when it is a
 * container's own cgroup. *below_ctr: rel is a container's or below one,
 * where no other container can be (container.h: the outermost one wins).
 */
static int container_policies(const struct walk_ctx *w, const struct slot_plan *pl, const char *rel,
			      int level, bool *below_ctr, __u64 *mask)
{
	struct pal_container c;

	*below_ctr = false;
	*mask = 0;
	if (!pl->nsel || pal_container_parse(rel, &c) || c.kind != PAL_CTR_CONTAINER)
		return 0;
	*below_ctr = true;
	return (int)c.depth == level ? selected_by(w->cg, pl, c.id, w->final, mask) : 0;
}

/*
 * Policies that a cgroup created below rel could get, beyond eff (what rel
 * has). f: the patterns' match flags at rel, as far as nf reaches.
 */
static __u64 unknown_below(const struct slot_plan *pl, const char *rel, const unsigned int *f,
			   __u32 nf, bool below_ctr, __u64 eff)
{
	__u64 mask = 0;

	for (__u32 i = 0; i < pl->npatterns; i++) {
		unsigned int m = i < nf ? f[i] : pal_cgroup_match(pl->patterns[i], rel);

		if (m & PAL_CG_PREFIX)
			mask |= 1ull << pl->ppolicy[i];
	}
	for (__u32 i = 0; i < pl->nsel && !below_ctr; i++)
		mask |= 1ull << pl->spolicy[i];
	return mask & ~eff;
}

/* Track rel and write its pal_cgroups entry of w->slot if it changed. */
static int entry_set(struct walk_ctx *w, const char *rel, __u64 own, __u64 unknown,
		     struct cg_node **out)
{
	struct pal_cgroup *cg = w->cg;
	struct cg_node *n = pal_cg_node_find(cg, rel);
	char path[PATH_MAX];
	__u64 id;
	int err;

	*out = NULL;
	if (!n) {
		pal_cg_abs_path(cg, rel, path, sizeof(path));
		err = pal_cgroup_id_of(path, &id);
		if (err)
			return err == -ENOENT ? 0 : err; /* removed meanwhile */
		n = pal_cg_node_add(cg, rel, id);
		if (!n)
			return -ENOMEM;
	}
	*out = n;
	if (n->entry[w->slot] && n->mask[w->slot] == own && n->unknown[w->slot] == unknown)
		return 0;
	w->changed++;
	return pal_cg_entry_write(cg, n, w->slot, own, unknown);
}

/*
 * Give rel (and what matches below it) its pal_cgroups entry for w->slot.
 * inherited: policies its ancestors' entries (and host-wide) already give
 * it; attached_above: an ancestor carries our programs, which run here too.
 * Every cgroup visited below the root is the child of a watched one and
 * gets an entry, even an empty one: a cgroup without one is not classified
 * yet, and the kernel gives it its parent's `unknown` policies.
 */
static int walk(struct walk_ctx *w, char *rel, size_t len, __u64 inherited, bool attached_above,
		int level)
{
	struct pal_cgroup *cg = w->cg;
	struct slot_plan *pl = &cg->plan[w->slot];
	__u64 here = 0, sel, own, eff, unknown = 0;
	bool descend, attach, below_ctr;
	unsigned int f[PAL_POLICY_TARGETS_MAX * 4];
	__u32 nf = pl->npatterns < sizeof(f) / sizeof(f[0]) ? pl->npatterns : 0;
	struct cg_node *n;
	int err;

	if (level < 0)
		level = level_of(rel);
	for (__u32 i = 0; i < pl->npatterns; i++) {
		unsigned int m = pal_cgroup_match(pl->patterns[i], rel);

		if (i < nf)
			f[i] = m;
		if (m & PAL_CG_MATCH)
			here |= 1ull << pl->ppolicy[i];
	}
	err = container_policies(w, pl, rel, level, &below_ctr, &sel);
	if (err == -EAGAIN)
		return pal_cg_retry_add(cg, rel); /* unclassified until its state is there */
	here |= sel;
	eff = inherited | here;
	own = here & ~inherited;
	/*
	 * Look below when a policy not inherited here could still match there,
	 * or a container could appear (anywhere, except below another one).
	 */
	unknown = unknown_below(pl, rel, f, nf, below_ctr, eff);
	descend = unknown != 0;
	/*
	 * Programs go where a policy with network or device rules starts, or
	 * above the cgroups it may target, so a new one runs them from birth.
	 * Never on the root of the hierarchy itself for the latter (a host's
	 * every socket would pay for them; docs/containers.md).
	 */
	attach = !attached_above &&
		 ((own | (level ? unknown : 0) | (level ? 0 : pl->host)) & pl->netdev);
	if (level >= PAL_MAX_CGROUP_DEPTH) {
		/*
		 * The BPF ancestor walk only sees PAL_MAX_CGROUP_DEPTH levels:
		 * leave this one out (everything below is deeper still) and say
		 * so loudly; the rest of the policy is enforced.
		 */
		if (own && !cg->nwarn++)
			snprintf(cg->warn, sizeof(cg->warn),
				 "cgroup %.300s is %d levels deep; policies can target cgroups "
				 "at most %d levels deep, so it is NOT under policy",
				 rel, level, PAL_MAX_CGROUP_DEPTH - 1);
	} else if (level || own || unknown || attach) {
		err = entry_set(w, rel, own, unknown, &n);
		if (err || !n)
			return err;
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
			keys += n->entry[slot];
	*nkeys = keys;
	return 0;
}

static bool node_idle(const struct cg_node *n)
{
	for (int s = 0; s < PAL_GENS; s++)
		if (n->entry[s] || n->want_attach[s])
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

static int create_walk(struct pal_cgroup *cg, const char *rel, bool final)
{
	char buf[PATH_MAX];
	int changed = 0;

	for (int s = 0; s < PAL_GENS; s++) {
		struct walk_ctx w = {.cg = cg, .slot = s, .final = final};
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

int pal_cg_on_create(struct pal_cgroup *cg, const char *rel)
{
	return create_walk(cg, rel, false);
}

/* ---- container cgroups waiting for their OCI state ------------------------ */

#define RETRY_FIRST_NS 5000000ULL /* 5 ms, doubling */
#define RETRY_MAX_NS 500000000ULL

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

int pal_cg_retry_add(struct pal_cgroup *cg, const char *rel)
{
	struct cg_retry *r;
	__u64 now = mono_ns();

	for (r = cg->retries; r; r = r->next)
		if (!strcmp(r->rel, rel)) {
			r->again = true;
			return 0;
		}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->rel = strdup(rel))) {
		free(r);
		return -ENOMEM;
	}
	r->first_ns = now;
	r->next_ns = now + RETRY_FIRST_NS;
	r->again = true;
	r->next = cg->retries;
	cg->retries = r;
	return 0;
}

static void retry_unlink_free(struct pal_cgroup *cg, struct cg_retry *r)
{
	struct cg_retry **pp = &cg->retries;

	while (*pp && *pp != r)
		pp = &(*pp)->next;
	if (*pp)
		*pp = r->next;
	free(r->rel);
	free(r);
}

void pal_cg_retry_free_all(struct pal_cgroup *cg)
{
	while (cg->retries)
		retry_unlink_free(cg, cg->retries);
}

int pal_cgroup_retry_ms(const struct pal_cgroup *cg)
{
	__u64 now = mono_ns(), first = UINT64_MAX;

	for (const struct cg_retry *r = cg->retries; r; r = r->next)
		if (r->next_ns < first)
			first = r->next_ns;
	if (first == UINT64_MAX)
		return -1;
	return first <= now ? 0 : (int)((first - now + 999999) / 1000000);
}

/* One due attempt; r is freed unless the walk asked for another one. */
static int retry_one(struct pal_cgroup *cg, struct cg_retry *r, __u64 now)
{
	__u64 waited = now - r->first_ns, step = r->next_ns - r->first_ns;
	bool final = waited >= PAL_CG_RETRY_GIVEUP_MS * 1000000ULL;
	int n;

	r->again = false;
	n = create_walk(cg, r->rel, final);
	if (final && !cg->nwarn++)
		snprintf(cg->warn, sizeof(cg->warn),
			 "container cgroup %.300s: its runtime wrote no OCI state in %d s; "
			 "container selectors are decided without its names",
			 r->rel, PAL_CG_RETRY_GIVEUP_MS / 1000);
	if (!r->again || n < 0) {
		retry_unlink_free(cg, r);
		return n;
	}
	step = step < RETRY_FIRST_NS ? RETRY_FIRST_NS : step * 2;
	r->next_ns = now + (step > RETRY_MAX_NS ? RETRY_MAX_NS : step);
	return n;
}

int pal_cgroup_retry(struct pal_cgroup *cg)
{
	__u64 now = mono_ns();
	int changed = 0, err = 0;

	/* each attempt frees its entry or moves it past now: this ends */
	for (;;) {
		struct cg_retry *r = cg->retries;
		int n;

		while (r && r->next_ns > now)
			r = r->next;
		if (!r)
			break;
		n = retry_one(cg, r, now);
		if (n < 0)
			err = err ?: n;
		else
			changed += n;
	}
	return err ?: changed;
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
	for (struct cg_retry *r = cg->retries, *next; r; r = next) {
		next = r->next;
		if (is_at_or_below(r->rel, rel))
			retry_unlink_free(cg, r);
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
