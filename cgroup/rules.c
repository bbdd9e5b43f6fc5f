// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a generation slot holds and writes: its plan (target patterns, the
 * network and device entries the emitters made), the rule maps sized for
 * it and pinned next to the links, the slot's entries written and deleted
 * again. Calls no other file of cgroup/.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup/internal.h"
#include "cgdev.skel.h"
#include "cgnet.skel.h"

/* ---- the plan of a slot ------------------------------------------------- */

void pal_cg_plan_free(struct slot_plan *pl)
{
	for (__u32 i = 0; i < pl->npatterns; i++)
		free(pl->patterns[i]);
	free(pl->patterns);
	free(pl->ppolicy);
	free(pl->sel);
	free(pl->spolicy);
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

int pal_cg_plan_build(struct pal_cgroup *cg, struct slot_plan *pl, const struct pal_policy_set *set,
		      struct pal_net_emit *net, struct pal_dev_emit *dev)
{
	__u32 n = 0, nsel = 0;
	int err;

	memset(pl, 0, sizeof(*pl));
	/* the entries are ours from here on, whatever happens */
	pl->net = *net;
	pl->dev = *dev;
	memset(net, 0, sizeof(*net));
	memset(dev, 0, sizeof(*dev));
	if (set->npolicies > PAL_MAX_POLICIES)
		return -E2BIG;
	for (__u32 p = 0; p < set->npolicies; p++) {
		n += set->policies[p].ncgroups;
		nsel += set->policies[p].ncontainers;
	}
	pl->patterns = calloc(n + 1, sizeof(*pl->patterns));
	pl->ppolicy = calloc(n + 1, sizeof(*pl->ppolicy));
	pl->sel = calloc(nsel + 1, sizeof(*pl->sel));
	pl->spolicy = calloc(nsel + 1, sizeof(*pl->spolicy));
	if (!pl->patterns || !pl->ppolicy || !pl->sel || !pl->spolicy)
		return -ENOMEM;
	for (__u32 p = 0; p < set->npolicies; p++) {
		const struct pal_ir_policy *pol = &set->policies[p];

		if (pol->nnet || pol->ndev)
			pl->netdev |= 1ull << p;
		err = check_socket_rules(cg, pol);
		if (err)
			return err;
		if (pal_policy_host_wide(pol))
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
		for (__u32 i = 0; i < pol->ncontainers; i++) {
			pl->sel[pl->nsel] = &pol->containers[i];
			pl->spolicy[pl->nsel++] = p;
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
int pal_cg_size_maps(struct cgnet_bpf *net, struct cgdev_bpf *dev, const struct slot_plan *pl,
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

bool pal_cg_fits(const struct pal_cgroup *cg, const struct slot_plan *pl, int other)
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

int pal_cg_rules_write(struct pal_cgroup *cg, const struct slot_plan *pl, __u32 slot)
{
	int ofd = bpf_map__fd(cg->net->maps.pal_net_ops);
	int err;

	/* port tables first: a CIDR entry must never point at a missing table */
	err = PAL_MAP_WRITE_ENTRIES(bpf_map__fd(cg->net->maps.pal_net_port), pl->net.ports,
				    pl->net.nports);
	if (!err)
		err = PAL_MAP_WRITE_ENTRIES(bpf_map__fd(cg->net->maps.pal_net_cidr), pl->net.cidrs,
					    pl->net.ncidrs);
	if (!err)
		err = PAL_MAP_WRITE_ENTRIES(bpf_map__fd(cg->net->maps.pal_net_sock), pl->net.socks,
					    pl->net.nsocks);
	if (!err && pl->dev.nentries)
		err = PAL_MAP_WRITE_ENTRIES(bpf_map__fd(cg->dev->maps.pal_dev_rules),
					    pl->dev.entries, pl->dev.nentries);
	/* every policy index of the slot: masks of an older set must not survive */
	if (!err)
		err = pal_map_write_array(ofd, slot * PAL_MAX_POLICIES, pl->net.ops,
					  PAL_MAX_POLICIES, sizeof(pl->net.ops[0]));
	return err;
}

/* Delete a slot's rule entries (missing ones are fine: a failed prepare). */
void pal_cg_rules_delete(struct pal_cgroup *cg, const struct slot_plan *pl)
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

bool pal_cg_rule_pin_name(const char *name)
{
	for (size_t i = 0; i < NRULE_MAPS; i++)
		if (!strcmp(name, rule_maps[i].name))
			return true;
	return false;
}

/* Reuse an earlier agent's pinned rule maps (all of them, or none). */
bool pal_cg_adopt_rule_maps(struct pal_cgroup *cg, struct cgnet_bpf *net, struct cgdev_bpf *dev)
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
		/* too small for the new plan (sized by pal_cg_size_maps): start afresh instead */
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

int pal_cg_pin_rule_maps(struct pal_cgroup *cg, struct cgnet_bpf *net, struct cgdev_bpf *dev)
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

void pal_cg_unpin_rule_maps(struct pal_cgroup *cg)
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

int pal_cg_clear_stale_slot(struct pal_cgroup *cg, __u32 slot)
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
