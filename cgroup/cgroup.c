// SPDX-License-Identifier: GPL-2.0-only
/*
 * pal_cgroup: load the cgroup programs, fill their rule maps and the shared
 * pal_cgroups map per generation slot, attach to target cgroups and follow
 * the cgroup tree with inotify. See cgroup.h for the reload protocol.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "cgdev.skel.h"
#include "cgnet.skel.h"

#define NODE_BUCKETS 1024

struct prog_desc {
	const char *name; /* program name in the object, also the pin name */
	enum bpf_attach_type type;
	bool dev; /* in the device object */
};

static const struct prog_desc progs[PAL_CG_NPROGS] = {
	{"palisade_connect4", BPF_CGROUP_INET4_CONNECT, false},
	{"palisade_connect6", BPF_CGROUP_INET6_CONNECT, false},
	{"palisade_sendmsg4", BPF_CGROUP_UDP4_SENDMSG, false},
	{"palisade_sendmsg6", BPF_CGROUP_UDP6_SENDMSG, false},
	{"palisade_bind4", BPF_CGROUP_INET4_BIND, false},
	{"palisade_bind6", BPF_CGROUP_INET6_BIND, false},
	{"palisade_sock_create", BPF_CGROUP_INET_SOCK_CREATE, false},
	{"palisade_dev", BPF_CGROUP_DEVICE, true},
};

/* A cgroup we wrote pal_cgroups entries for, or attached to. */
struct cg_node {
	struct cg_node *next; /* hash chain */
	char *rel; /* "/" or "/a/b", relative to the cgroup2 root */
	__u64 id;
	__u64 mask[PAL_GENS]; /* pal_cgroups value written for each slot, 0: none */
	bool want_attach[PAL_GENS]; /* that slot's policies need our programs here */
	bool attached;
	struct bpf_link *links[PAL_CG_NPROGS];
};

/* A directory under which matching cgroups may appear. */
struct cg_watch {
	struct cg_watch *next;
	int wd;
	char *rel;
	bool want[PAL_GENS];
};

/* What one generation slot holds. */
struct slot_plan {
	bool valid;
	char **patterns;
	__u8 *ppolicy; /* policy index of each pattern */
	__u32 npatterns;
	__u64 netdev; /* policies with network or device rules */
	__u64 host; /* policies without a target */
	struct pal_net_emit net;
	struct pal_dev_emit dev;
	__u32 ncgroup_keys;
};

struct pal_cgroup {
	char root[PATH_MAX];
	char *pin_dir;
	unsigned int flags;
	struct pal_maps maps; /* shared maps (fds not owned) */
	int cgroups_fd; /* shared pal_cgroups map (not owned) */
	struct cgnet_bpf *net;
	struct cgdev_bpf *dev;
	bool loaded;
	bool dev_ok;
	int dev_err;
	struct bpf_program *prog[PAL_CG_NPROGS];
	struct slot_plan plan[PAL_GENS];
	int live; /* slot committed last, -1 before the first commit */
	int pending; /* slot prepared and not yet committed, or -1 */
	struct cg_node *nodes[NODE_BUCKETS];
	struct cg_watch *watches;
	int ifd;
	char why[256]; /* last prepare failure, for the agent's message */
	char warn[512]; /* the first target cgroup left out since the last take */
	unsigned int nwarn; /* how many were left out */
	/*
	 * Rule maps adopted from an earlier agent's pins: what they hold for
	 * each slot is unknown to us, so a slot is emptied before first use.
	 */
	bool stale[PAL_GENS];
};

/* ---- small helpers ----------------------------------------------------- */

static unsigned int str_hash(const char *s)
{
	unsigned int h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % NODE_BUCKETS;
}

static struct cg_node *node_find(const struct pal_cgroup *cg, const char *rel)
{
	for (struct cg_node *n = cg->nodes[str_hash(rel)]; n; n = n->next)
		if (!strcmp(n->rel, rel))
			return n;
	return NULL;
}

static struct cg_node *node_add(struct pal_cgroup *cg, const char *rel, __u64 id)
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

static void node_unlink_free(struct pal_cgroup *cg, struct cg_node *n)
{
	struct cg_node **pp = &cg->nodes[str_hash(n->rel)];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp)
		*pp = n->next;
	free(n->rel);
	free(n);
}

static void abs_path(const struct pal_cgroup *cg, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", cg->root, strcmp(rel, "/") ? rel : "");
}

/* ---- attach / detach --------------------------------------------------- */

static void link_pin_path(const struct pal_cgroup *cg, const struct cg_node *n, int p, char *buf,
			  size_t len)
{
	snprintf(buf, len, "%s/cg-%llu-%s", cg->pin_dir, (unsigned long long)n->id,
		 progs[p].name + strlen("palisade_"));
}

static void node_detach(struct pal_cgroup *cg, struct cg_node *n, bool unpin)
{
	for (int p = 0; p < PAL_CG_NPROGS; p++) {
		if (!n->links[p])
			continue;
		if (unpin && cg->pin_dir)
			bpf_link__unpin(n->links[p]);
		bpf_link__destroy(n->links[p]);
		n->links[p] = NULL;
	}
	n->attached = false;
}

/* One program on one cgroup: adopt a pinned link (swap in our program), or attach anew. */
static int attach_one(struct pal_cgroup *cg, struct cg_node *n, int p, int cgfd)
{
	char pin[PATH_MAX];
	struct bpf_link *l = NULL;

	if (cg->pin_dir) {
		link_pin_path(cg, n, p, pin, sizeof(pin));
		l = bpf_link__open(pin);
		if (l && bpf_link__update_program(l, cg->prog[p])) {
			bpf_link__destroy(l); /* stale pin of another program: replace it */
			unlink(pin);
			l = NULL;
		}
	}
	if (!l) {
		/* bpf_link attachments are always multi: they coexist with others' programs */
		l = bpf_program__attach_cgroup(cg->prog[p], cgfd);
		if (!l)
			return -errno;
		if (cg->pin_dir && bpf_link__pin(l, pin)) {
			int err = -errno;

			bpf_link__destroy(l);
			return err;
		}
	}
	n->links[p] = l;
	return 0;
}

static int node_attach(struct pal_cgroup *cg, struct cg_node *n)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (n->attached)
		return 0;
	if (!strcmp(n->rel, "/") && (cg->flags & PAL_CG_NO_ROOT_ATTACH))
		return -EPERM;
	abs_path(cg, n->rel, path, sizeof(path));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (int p = 0; p < PAL_CG_NPROGS && !err; p++)
		if (cg->prog[p])
			err = attach_one(cg, n, p, fd);
	close(fd);
	if (err) {
		node_detach(cg, n, true);
		return err;
	}
	n->attached = true;
	return 0;
}

/* ---- pal_cgroups entries ---------------------------------------------- */

static int entry_write(struct pal_cgroup *cg, struct cg_node *n, __u32 slot, __u64 mask)
{
	struct pal_cgroup_key k = {.cgroup_id = n->id, .gen = slot};

	if (bpf_map_update_elem(cg->cgroups_fd, &k, &mask, BPF_ANY))
		return -errno;
	n->mask[slot] = mask;
	return 0;
}

static void entry_delete(struct pal_cgroup *cg, struct cg_node *n, __u32 slot)
{
	struct pal_cgroup_key k = {.cgroup_id = n->id, .gen = slot};

	if (!n->mask[slot])
		return;
	bpf_map_delete_elem(cg->cgroups_fd, &k);
	n->mask[slot] = 0;
	n->want_attach[slot] = false;
}

static bool node_idle(const struct cg_node *n)
{
	for (int s = 0; s < PAL_GENS; s++)
		if (n->mask[s] || n->want_attach[s])
			return false;
	return !n->attached;
}

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
	abs_path(cg, rel, path, sizeof(path));
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

static void watch_drop(struct pal_cgroup *cg, struct cg_watch *w, bool rm)
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

	abs_path(w->cg, rel, path, sizeof(path));
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
	bool descend = false, attach;
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
	eff = inherited | here;
	for (__u32 i = 0; i < pl->npatterns && !descend; i++) {
		unsigned int m = i < npat ? f[i] : pal_cgroup_match(pl->patterns[i], rel);

		/* a policy already inherited here covers everything below: no need to look */
		if ((m & PAL_CG_PREFIX) && !(eff & (1ull << pl->ppolicy[i])))
			descend = true;
	}
	own = here & ~inherited;
	attach = !attached_above && ((own | (level ? 0 : pl->host)) & pl->netdev);
	if (own || attach) {
		struct cg_node *n = node_find(cg, rel);
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
			abs_path(cg, rel, path, sizeof(path));
			err = pal_cgroup_id_of(path, &id);
			if (err)
				return err == -ENOENT ? 0 : err;
			n = node_add(cg, rel, id);
			if (!n)
				return -ENOMEM;
		}
		if (own && n->mask[w->slot] != own) {
			err = entry_write(cg, n, w->slot, own);
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

static void plan_free(struct slot_plan *pl)
{
	for (__u32 i = 0; i < pl->npatterns; i++)
		free(pl->patterns[i]);
	free(pl->patterns);
	free(pl->ppolicy);
	pal_net_emit_free(&pl->net);
	pal_dev_emit_free(&pl->dev);
	memset(pl, 0, sizeof(*pl));
}

#define AF_INET_ 2
#define AF_INET6_ 10

/* cgroup/sock_create only sees inet sockets: other families need the LSM hook. */
static int check_socket_rules(struct pal_cgroup *cg, const struct pal_ir_policy *pol)
{
	for (__u32 r = 0; r < pol->nnet; r++) {
		const struct pal_ir_net *n = &pol->net[r];

		if (n->op != PAL_NET_SOCKET || n->family == PAL_SOCK_ANY || n->family == AF_INET_ ||
		    n->family == AF_INET6_ || (cg->flags & PAL_CG_LSM_SOCKET))
			continue;
		snprintf(cg->why, sizeof(cg->why),
			 "policy '%s' (%s:%u): socket family %u cannot be enforced by cgroup "
			 "programs (inet only); it needs the BPF LSM socket_create hook",
			 pol->name ? pol->name : "?", n->loc.file ? n->loc.file : "?", n->loc.line,
			 n->family);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int plan_build(struct pal_cgroup *cg, struct slot_plan *pl, const struct pal_policy_set *set,
		      struct pal_net_emit *net, struct pal_dev_emit *dev)
{
	__u32 n = 0;
	int err;

	memset(pl, 0, sizeof(*pl));
	/* the entries are ours from here on, whatever happens */
	pl->net = *net;
	pl->dev = *dev;
	memset(net, 0, sizeof(*net));
	memset(dev, 0, sizeof(*dev));
	if (set->npolicies > PAL_MAX_POLICIES)
		return -E2BIG;
	for (__u32 p = 0; p < set->npolicies; p++)
		n += set->policies[p].ncgroups;
	pl->patterns = calloc(n + 1, sizeof(*pl->patterns));
	pl->ppolicy = calloc(n + 1, sizeof(*pl->ppolicy));
	if (!pl->patterns || !pl->ppolicy)
		return -ENOMEM;
	for (__u32 p = 0; p < set->npolicies; p++) {
		const struct pal_ir_policy *pol = &set->policies[p];

		if (pol->nnet || pol->ndev)
			pl->netdev |= 1ull << p;
		err = check_socket_rules(cg, pol);
		if (err)
			return err;
		if (!pol->ncgroups)
			pl->host |= 1ull << p;
		for (__u32 i = 0; i < pol->ncgroups; i++) {
			if (pal_cgroup_pattern_check(pol->cgroups[i])) {
				snprintf(cg->why, sizeof(cg->why),
					 "policy '%s': bad cgroup pattern '%s'",
					 pol->name ? pol->name : "?", pol->cgroups[i]);
				return -EINVAL;
			}
			pl->patterns[pl->npatterns] = strdup(pol->cgroups[i]);
			if (!pl->patterns[pl->npatterns])
				return -ENOMEM;
			pl->ppolicy[pl->npatterns++] = p;
		}
	}
	pl->valid = true;
	return 0;
}

/* ---- rule maps ---------------------------------------------------------- */

static __u32 map_size(size_t need, __u32 min, __u32 max)
{
	/* room for two generations of a policy up to twice this size */
	size_t n = need * 2 * PAL_GENS;

	return n < min ? min : n > max ? max : n;
}

static size_t sum2(size_t a, size_t b)
{
	return a + b;
}

/* Size the rule maps for plan pl plus the live plan (which they must also hold). */
static int size_maps(struct cgnet_bpf *net, struct cgdev_bpf *dev, const struct slot_plan *pl,
		     const struct slot_plan *live)
{
	const struct slot_plan none = {0};
	int err;

	live = live ? live : &none;
	err = bpf_map__set_max_entries(net->maps.pal_net_cidr,
				       map_size(sum2(pl->net.ncidrs, live->net.ncidrs),
						PAL_NET_MIN_KEYS, PAL_NET_MAX_CIDR_KEYS));
	err = err   ?:
		      bpf_map__set_max_entries(net->maps.pal_net_port,
					       map_size(sum2(pl->net.nports, live->net.nports),
							PAL_NET_MIN_KEYS, PAL_NET_MAX_PORT_KEYS));
	err = err   ?:
		      bpf_map__set_max_entries(net->maps.pal_net_sock,
					       map_size(sum2(pl->net.nsocks, live->net.nsocks),
							PAL_NET_MIN_KEYS, PAL_NET_MAX_SOCK_KEYS));
	err = err   ?:
		      bpf_map__set_max_entries(dev->maps.pal_dev_rules,
					       map_size(sum2(pl->dev.nentries, live->dev.nentries),
							PAL_DEV_MIN_KEYS, PAL_DEV_MAX_KEYS));
	return err;
}

static int rules_write(struct pal_cgroup *cg, const struct slot_plan *pl, __u32 slot);

/* ---- pinned rule maps ------------------------------------------------------ */

/*
 * The rule maps are pinned next to the links: a restarted agent adopts them,
 * so the programs that stay attached meanwhile keep seeing the live slot,
 * and see the new slot as soon as the generation flips (no window in which
 * only the defaults would apply).
 */
struct rule_map {
	const char *name;
	bool dev; /* in the device object */
	size_t gen_off; /* offset of the __u16 generation slot in the key; -1: the ops ARRAY */
	size_t key_size;
};

static const struct rule_map rule_maps[] = {
	{"pal_net_cidr", false, offsetof(struct pal_net_cidr_key, gen),
	 sizeof(struct pal_net_cidr_key)},
	{"pal_net_port", false, offsetof(struct pal_net_port_key, gen),
	 sizeof(struct pal_net_port_key)},
	{"pal_net_sock", false, offsetof(struct pal_net_sock_key, gen),
	 sizeof(struct pal_net_sock_key)},
	{"pal_net_ops", false, (size_t)-1, sizeof(__u32)},
	{"pal_dev_rules", true, offsetof(struct pal_dev_key, gen), sizeof(struct pal_dev_key)},
};

#define NRULE_MAPS (sizeof(rule_maps) / sizeof(rule_maps[0]))

static struct bpf_map *rule_map_of(struct cgnet_bpf *net, struct cgdev_bpf *dev, size_t i)
{
	return bpf_object__find_map_by_name(rule_maps[i].dev ? dev->obj : net->obj,
					    rule_maps[i].name);
}

static void rule_pin_path(const struct pal_cgroup *cg, size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", cg->pin_dir, rule_maps[i].name);
}

/* Reuse an earlier agent's pinned rule maps (all of them, or none). */
static bool adopt_rule_maps(struct pal_cgroup *cg, struct cgnet_bpf *net, struct cgdev_bpf *dev)
{
	int fds[NRULE_MAPS];
	char pin[PATH_MAX];
	size_t n = 0;
	bool ok = true;

	if (!cg->pin_dir)
		return false;
	for (; n < NRULE_MAPS && ok; n++) {
		struct bpf_map_info info = {0};
		__u32 len = sizeof(info);

		rule_pin_path(cg, n, pin, sizeof(pin));
		fds[n] = bpf_obj_get(pin);
		/* too small for the new plan (sized by size_maps): start afresh instead */
		ok = fds[n] >= 0 && !bpf_obj_get_info_by_fd(fds[n], &info, &len) &&
		     info.max_entries >= bpf_map__max_entries(rule_map_of(net, dev, n));
	}
	for (size_t i = 0; ok && i < NRULE_MAPS; i++)
		ok = !bpf_map__reuse_fd(rule_map_of(net, dev, i), fds[i]);
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]); /* reuse_fd keeps its own dup */
	return ok;
}

static int pin_rule_maps(struct pal_cgroup *cg, struct cgnet_bpf *net, struct cgdev_bpf *dev)
{
	char pin[PATH_MAX];

	if (!cg->pin_dir)
		return 0;
	for (size_t i = 0; i < NRULE_MAPS; i++) {
		struct bpf_map *m = rule_map_of(net, dev, i);

		rule_pin_path(cg, i, pin, sizeof(pin));
		unlink(pin); /* a reload that outgrew the maps replaces the pins */
		if (bpf_map__fd(m) >= 0 && bpf_obj_pin(bpf_map__fd(m), pin))
			return -errno;
	}
	return 0;
}

static void unpin_rule_maps(struct pal_cgroup *cg)
{
	char pin[PATH_MAX];

	for (size_t i = 0; cg->pin_dir && i < NRULE_MAPS; i++) {
		rule_pin_path(cg, i, pin, sizeof(pin));
		unlink(pin);
	}
}

/* Delete every entry of one slot from an adopted rule map. */
static int clear_map_slot(int fd, const struct rule_map *rm, __u32 slot)
{
	__u32 zero = 0;
	int err = 0;

	if (rm->gen_off != (size_t)-1)
		return pal_map_clear_slot(fd, rm->key_size, rm->gen_off, slot);
	/* pal_net_ops: ARRAY, slot * PAL_MAX_POLICIES + policy */
	for (__u32 i = 0; i < PAL_MAX_POLICIES && !err; i++) {
		__u32 key = slot * PAL_MAX_POLICIES + i;

		err = bpf_map_update_elem(fd, &key, &zero, BPF_ANY) ? -errno : 0;
	}
	return err;
}

static int clear_stale_slot(struct pal_cgroup *cg, __u32 slot)
{
	int err = 0;

	if (!cg->stale[slot])
		return 0;
	for (size_t i = 0; i < NRULE_MAPS && !err; i++) {
		struct bpf_map *m = rule_map_of(cg->net, cg->dev, i);

		if (bpf_map__fd(m) >= 0)
			err = clear_map_slot(bpf_map__fd(m), &rule_maps[i], slot);
	}
	if (!err)
		cg->stale[slot] = false;
	return err;
}

/*
 * Load the programs with rule maps sized for pl (and the live plan). On a
 * reload that outgrew the maps, this builds a second set of objects, copies
 * the live slot into it and swaps every link to the new programs
 * (bpf_link__update_program: atomic per cgroup, never a gap) before the
 * agent flips the generation; the old objects are then released.
 */
static int load_objects(struct pal_cgroup *cg, const struct slot_plan *pl)
{
	const struct slot_plan *live = cg->live >= 0 ? &cg->plan[cg->live] : NULL;
	struct cgnet_bpf *net = cgnet_bpf__open();
	struct cgdev_bpf *dev = cgdev_bpf__open();
	struct bpf_program *prog[PAL_CG_NPROGS] = {0};
	struct cgnet_bpf *old_net = cg->net;
	struct cgdev_bpf *old_dev = cg->dev;
	bool dev_ok, adopted = false;
	int err, dev_err;

	if (!net || !dev) {
		err = -errno;
		goto fail;
	}
	err = pal_maps_reuse(&cg->maps, net->obj);
	err = err ?: pal_maps_reuse(&cg->maps, dev->obj);
	err = err ?: size_maps(net, dev, pl, live);
	/* the first load takes over the rule maps a killed or stopped agent left */
	adopted = !cg->loaded && adopt_rule_maps(cg, net, dev);
	err = err ?: cgnet_bpf__load(net);
	if (err)
		goto fail;
	/* The device hook's helpers need a newer kernel than the socket hooks' (6.2). */
	dev_err = cgdev_bpf__load(dev);
	dev_ok = !dev_err;
	for (int p = 0; p < PAL_CG_NPROGS; p++) {
		struct bpf_object *obj = progs[p].dev ? dev->obj : net->obj;

		if (progs[p].dev && !dev_ok)
			continue;
		prog[p] = bpf_object__find_program_by_name(obj, progs[p].name);
		if (!prog[p]) {
			err = -ENOENT;
			goto fail;
		}
	}
	cg->net = net;
	cg->dev = dev;
	if (live && cg->loaded) {
		bool old_dev_ok = cg->dev_ok;

		cg->dev_ok = dev_ok;
		err = rules_write(cg, live, cg->live);
		cg->dev_ok = old_dev_ok;
		for (int b = 0; !err && b < NODE_BUCKETS; b++)
			for (struct cg_node *n = cg->nodes[b]; n && !err; n = n->next)
				for (int p = 0; p < PAL_CG_NPROGS && !err; p++)
					if (n->links[p] && prog[p] &&
					    bpf_link__update_program(n->links[p], prog[p]))
						err = -errno;
		if (err) {
			/* links already swapped keep the new programs alive: fine, both are live */
			cg->net = old_net;
			cg->dev = old_dev;
			goto fail;
		}
		cgnet_bpf__destroy(old_net);
		cgdev_bpf__destroy(old_dev);
	} else {
		cgnet_bpf__destroy(old_net);
		cgdev_bpf__destroy(old_dev);
	}
	memcpy(cg->prog, prog, sizeof(prog));
	cg->dev_ok = dev_ok;
	cg->dev_err = dev_err;
	cg->loaded = true;
	if (adopted)
		cg->stale[0] = cg->stale[1] = true;
	else if ((err = pin_rule_maps(cg, net, dev)))
		snprintf(cg->why, sizeof(cg->why), "cannot pin the rule maps: %s", strerror(-err));
	return err;
fail:
	cgnet_bpf__destroy(net);
	cgdev_bpf__destroy(dev);
	return err;
}

static bool fits(const struct pal_cgroup *cg, const struct slot_plan *pl, int other)
{
	const struct slot_plan *o = other >= 0 ? &cg->plan[other] : NULL;

	return pl->net.ncidrs + (o ? o->net.ncidrs : 0) <=
		       bpf_map__max_entries(cg->net->maps.pal_net_cidr) &&
	       pl->net.nports + (o ? o->net.nports : 0) <=
		       bpf_map__max_entries(cg->net->maps.pal_net_port) &&
	       pl->net.nsocks + (o ? o->net.nsocks : 0) <=
		       bpf_map__max_entries(cg->net->maps.pal_net_sock) &&
	       pl->dev.nentries + (o ? o->dev.nentries : 0) <=
		       bpf_map__max_entries(cg->dev->maps.pal_dev_rules);
}

/* Write n {key, value} entries laid out with this stride (value at val_off). */
static int put_all(int fd, const void *base, size_t n, size_t stride, size_t val_off)
{
	for (size_t i = 0; i < n; i++) {
		const char *e = (const char *)base + i * stride;

		if (bpf_map_update_elem(fd, e, e + val_off, BPF_ANY))
			return -errno;
	}
	return 0;
}

#define PUT_ALL(fd, arr, n) put_all(fd, arr, n, sizeof(*(arr)), offsetof(typeof(*(arr)), val))

static int rules_write(struct pal_cgroup *cg, const struct slot_plan *pl, __u32 slot)
{
	int ofd = bpf_map__fd(cg->net->maps.pal_net_ops);
	int err;

	/* port tables first: a CIDR entry must never point at a missing table */
	err = PUT_ALL(bpf_map__fd(cg->net->maps.pal_net_port), pl->net.ports, pl->net.nports);
	err = err   ?:
		      PUT_ALL(bpf_map__fd(cg->net->maps.pal_net_cidr), pl->net.cidrs,
			      pl->net.ncidrs);
	err = err   ?:
		      PUT_ALL(bpf_map__fd(cg->net->maps.pal_net_sock), pl->net.socks,
			      pl->net.nsocks);
	if (!err && pl->dev.nentries)
		err = PUT_ALL(bpf_map__fd(cg->dev->maps.pal_dev_rules), pl->dev.entries,
			      pl->dev.nentries);
	/* every policy index of the slot: masks of an older set must not survive */
	for (__u32 p = 0; p < PAL_MAX_POLICIES && !err; p++) {
		__u32 k = slot * PAL_MAX_POLICIES + p;

		if (bpf_map_update_elem(ofd, &k, &pl->net.ops[p], BPF_ANY))
			err = -errno;
	}
	return err;
}

/* Delete a slot's rule entries (missing ones are fine: a failed prepare). */
static void rules_delete(struct pal_cgroup *cg, const struct slot_plan *pl)
{
	if (!cg->loaded)
		return;
	for (size_t i = 0; i < pl->net.ncidrs; i++)
		bpf_map_delete_elem(bpf_map__fd(cg->net->maps.pal_net_cidr), &pl->net.cidrs[i].key);
	for (size_t i = 0; i < pl->net.nports; i++)
		bpf_map_delete_elem(bpf_map__fd(cg->net->maps.pal_net_port), &pl->net.ports[i].key);
	for (size_t i = 0; i < pl->net.nsocks; i++)
		bpf_map_delete_elem(bpf_map__fd(cg->net->maps.pal_net_sock), &pl->net.socks[i].key);
	for (size_t i = 0; cg->dev_ok && i < pl->dev.nentries; i++)
		bpf_map_delete_elem(bpf_map__fd(cg->dev->maps.pal_dev_rules),
				    &pl->dev.entries[i].key);
}

/* Forget everything of a slot: rule entries, pal_cgroups entries, watches. */
static void slot_drop(struct pal_cgroup *cg, __u32 slot)
{
	rules_delete(cg, &cg->plan[slot]);
	for (int b = 0; b < NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b], *next; n; n = next) {
			next = n->next;
			entry_delete(cg, n, slot);
			n->want_attach[slot] = false;
			if (node_idle(n))
				node_unlink_free(cg, n);
		}
	for (struct cg_watch *w = cg->watches, *next; w; w = next) {
		next = w->next;
		w->want[slot] = false;
		if (!w->want[1 - slot])
			watch_drop(cg, w, true);
	}
	plan_free(&cg->plan[slot]);
}

/* ---- public API --------------------------------------------------------- */

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

int pal_cgroup_prepare(struct pal_cgroup *cg, const struct pal_policy_set *set,
		       struct pal_net_emit *net, struct pal_dev_emit *dev, __u32 slot,
		       __u32 *ncgroup_keys)
{
	struct slot_plan *pl = &cg->plan[slot];
	struct walk_ctx w = {.cg = cg, .slot = slot};
	char rel[PATH_MAX] = "/";
	__u32 keys = 0;
	int err;

	if (slot >= PAL_GENS || (int)slot == cg->live) {
		pal_net_emit_free(net);
		pal_dev_emit_free(dev);
		return -EINVAL;
	}
	if (pl->valid)
		slot_drop(cg, slot); /* an earlier prepare that was never committed */
	cg->pending = -1;
	cg->why[0] = 0;
	err = plan_build(cg, pl, set, net, dev);
	if (err)
		goto fail;
	/* first load, or a reload that outgrew the maps: (re)load, sized for it */
	if ((!cg->loaded || !fits(cg, pl, cg->live)) && (err = load_objects(cg, pl)))
		goto fail;
	if (pl->dev.nentries && !cg->dev_ok) {
		snprintf(cg->why, sizeof(cg->why),
			 "device rules: this kernel refused the cgroup/dev program (%d)",
			 cg->dev_err);
		err = -EOPNOTSUPP;
		goto fail;
	}
	if (!fits(cg, pl, cg->live)) {
		snprintf(cg->why, sizeof(cg->why),
			 "network/device rules exceed the map sizes chosen at the first load; "
			 "restart the agent to resize");
		err = -ENOSPC;
		goto fail;
	}
	err = clear_stale_slot(cg, slot);
	err = err ?: rules_write(cg, pl, slot);
	if (err)
		goto fail;
	err = walk(&w, rel, 1, pl->host, false, 0);
	if (err)
		goto fail;
	for (int b = 0; b < NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b]; n; n = n->next)
			keys += !!n->mask[slot];
	/* never 0 with targets: 0 makes the programs skip the walk, and cgroups may appear later */
	pl->ncgroup_keys = keys ? keys : pl->npatterns ? 1 : 0;
	*ncgroup_keys = pl->ncgroup_keys;
	cg->pending = slot;
	return 0;
fail:
	slot_drop(cg, slot);
	return err;
}

int pal_cgroup_commit(struct pal_cgroup *cg, __u32 old_slot)
{
	int err = 0, slot = cg->pending;

	if (slot < 0 || old_slot >= PAL_GENS || (int)old_slot == slot)
		return -EINVAL;
	for (int b = 0; b < NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b]; n; n = n->next) {
			if (n->want_attach[slot] && !n->attached) {
				int e = node_attach(cg, n);

				err = err ?: e;
			} else if (n->attached && !n->want_attach[slot]) {
				node_detach(cg, n, true);
			}
		}
	if (cg->plan[old_slot].valid)
		slot_drop(cg, old_slot);
	err = err ?: clear_stale_slot(cg, old_slot); /* the previous agent's generation */
	cg->live = slot;
	cg->pending = -1;
	return err;
}

int pal_cgroup_watch_fd(const struct pal_cgroup *cg)
{
	return cg->ifd;
}

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
		n = node_find(cg, buf);
		if (n) {
			mask |= n->mask[slot];
			*attached |= live ? n->attached : n->want_attach[slot];
		}
		if (!strcmp(buf, "/"))
			break;
	}
	return mask;
}

static int on_create(struct pal_cgroup *cg, const char *rel)
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
	for (int b = 0; cg->live >= 0 && b < NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b]; n; n = n->next)
			if (n->want_attach[cg->live] && !n->attached) {
				int err = node_attach(cg, n);

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

static int on_delete(struct pal_cgroup *cg, const char *rel)
{
	int changed = 0;

	for (int b = 0; b < NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b], *next; n; n = next) {
			next = n->next;
			if (!is_at_or_below(n->rel, rel))
				continue;
			node_detach(cg, n, true);
			for (int s = 0; s < PAL_GENS; s++)
				entry_delete(cg, n, s);
			node_unlink_free(cg, n);
			changed++;
		}
	for (struct cg_watch *w = cg->watches, *next; w; w = next) {
		next = w->next;
		if (is_at_or_below(w->rel, rel))
			watch_drop(cg, w, true);
	}
	return changed;
}

/* Lost events: re-walk every active slot and drop what no longer exists. */
static int rescan(struct pal_cgroup *cg)
{
	char path[PATH_MAX];
	struct stat st;
	int changed = 0, err;

	for (int b = 0; b < NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b], *next; n; n = next) {
			next = n->next;
			abs_path(cg, n->rel, path, sizeof(path));
			if (stat(path, &st) || st.st_ino != n->id) {
				char *rel = strdup(n->rel);

				if (!rel)
					return -ENOMEM;
				changed += on_delete(cg, rel);
				free(rel);
				next = NULL; /* the bucket changed: restart it */
				b--;
			}
		}
	err = on_create(cg, "/");
	return err < 0 ? err : changed + err;
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
				r = rescan(cg);
			} else if (ev->mask & IN_IGNORED) {
				for (w = cg->watches; w && w->wd != ev->wd; w = w->next)
					;
				if (w)
					watch_drop(cg, w, false);
			} else if ((ev->mask & IN_ISDIR) && ev->len) {
				for (w = cg->watches; w && w->wd != ev->wd; w = w->next)
					;
				if (!w)
					continue;
				snprintf(rel, sizeof(rel), "%s/%s",
					 strcmp(w->rel, "/") ? w->rel : "", ev->name);
				cg->why[0] = 0;
				if (ev->mask & (IN_CREATE | IN_MOVED_TO))
					r = on_create(cg, rel);
				else
					r = on_delete(cg, rel);
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

int pal_cgroup_stats(const struct pal_cgroup *cg, struct pal_cgroup_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (int b = 0; b < NODE_BUCKETS; b++)
		for (const struct cg_node *n = cg->nodes[b]; n; n = n->next) {
			st->tracked++;
			st->attached += n->attached;
			for (int p = 0; p < PAL_CG_NPROGS; p++)
				st->links += !!n->links[p];
			for (int s = 0; s < PAL_GENS; s++)
				st->cgroup_keys[s] += !!n->mask[s];
		}
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

const char *pal_cgroup_why(const struct pal_cgroup *cg)
{
	return cg->why;
}

bool pal_cgroup_is_attached(const struct pal_cgroup *cg, const char *rel)
{
	const struct cg_node *n = node_find(cg, rel);

	return n && n->attached;
}

const char *pal_cgroup_root(const struct pal_cgroup *cg)
{
	return cg->root;
}

void pal_cgroup_close(struct pal_cgroup *cg, bool keep_attached)
{
	if (!cg)
		return;
	keep_attached = keep_attached && cg->pin_dir;
	for (int b = 0; b < NODE_BUCKETS; b++)
		for (struct cg_node *n = cg->nodes[b], *next; n; n = next) {
			next = n->next;
			if (keep_attached) {
				for (int p = 0; p < PAL_CG_NPROGS; p++)
					if (n->links[p])
						bpf_link__disconnect(n->links[p]);
			}
			node_detach(cg, n, !keep_attached);
			for (int s = 0; s < PAL_GENS && !keep_attached; s++)
				entry_delete(cg, n, s);
			free(n->rel);
			free(n);
		}
	while (cg->watches)
		watch_drop(cg, cg->watches, false);
	if (!keep_attached)
		unpin_rule_maps(cg);
	for (int s = 0; s < PAL_GENS; s++)
		plan_free(&cg->plan[s]);
	if (cg->ifd >= 0)
		close(cg->ifd);
	cgnet_bpf__destroy(cg->net);
	cgdev_bpf__destroy(cg->dev);
	free(cg->pin_dir);
	free(cg);
}
