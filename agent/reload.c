// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent/file.h"
#include "agent/log.h"
#include "agent/lsm.h"
#include "agent/reload.h"
#include "agent/socket.h"
#include "cgroup/cgroup.h"
#include "policies/emit.h"

int pal_enforcer_sync(struct pal_enforcer *en)
{
	struct pal_gen_config cfg;
	__u32 zero = 0, slot;

	if (bpf_map_lookup_elem(en->maps.fd[PAL_MAP_GEN], &zero, &slot))
		return -errno;
	slot &= 1;
	if (bpf_map_lookup_elem(en->maps.fd[PAL_MAP_CONFIG], &slot, &cfg))
		return -errno;
	en->live_slot = slot;
	en->generation = cfg.generation;
	en->seed = cfg.path_seed;
	en->stale_cgroups[0] = en->stale_cgroups[1] = en->maps.adopted;
	return 0;
}

/* Targeting entries an earlier agent left in a slot we are about to own. */
static int clear_stale_cgroups(struct pal_enforcer *en, __u32 slot)
{
	int err;

	if (!en->stale_cgroups[slot])
		return 0;
	err = pal_map_clear_slot(en->maps.fd[PAL_MAP_CGROUPS], sizeof(struct pal_cgroup_key),
				 offsetof(struct pal_cgroup_key, gen), slot);
	if (!err)
		en->stale_cgroups[slot] = false;
	return err;
}

/* Every map entry of one generation slot, as the emitters made them. */
struct slot_entries {
	struct pal_file_emit file;
	struct pal_sock_emit sock;
	struct pal_net_emit net;
	struct pal_dev_emit dev;
	struct pal_policy pol[PAL_MAX_POLICIES];
	struct pal_gen_config cfg;
};

static void entries_free(struct slot_entries *e)
{
	pal_file_emit_free(&e->file);
	pal_sock_emit_free(&e->sock);
	pal_net_emit_free(&e->net);
	pal_dev_emit_free(&e->dev);
}

/* Run every emitter for slot; nothing touches a map yet. */
static int emit_slot(struct pal_enforcer *en, const struct pal_policy_set *set, __u32 slot,
		     unsigned int flags, struct slot_entries *e)
{
	int err = pal_emit_file(set, slot, en->seed, flags, &e->file);

	if (err && e->file.why[0])
		return pal_log_errno(err, "reload: %s", e->file.why);
	if (err)
		return pal_log_errno(err, "reload: cannot compile file rules (%zu keys)",
				     e->file.nentries);
	err = pal_emit_socket(set, slot, &e->sock);
	if (err)
		return pal_log_errno(err, "reload: cannot compile socket rules");
	err = pal_emit_net(set, slot, &e->net);
	if (err)
		return pal_log_errno(err, "reload: cannot compile network rules");
	err = pal_emit_dev(set, slot, &e->dev);
	if (err)
		return pal_log_errno(err, "reload: cannot compile device rules");
	e->cfg = (struct pal_gen_config){.generation = en->generation + 1, .path_seed = en->seed};
	pal_emit_settings(set, &e->file, e->pol, &e->cfg);
	return 0;
}

static int write_policies(struct pal_enforcer *en, const struct pal_policy *pol, __u32 slot)
{
	return pal_map_write_array(en->maps.fd[PAL_MAP_POLICIES], slot * PAL_MAX_POLICIES, pol,
				   PAL_MAX_POLICIES, sizeof(*pol));
}

/* Hand the entries to the loaders; the settings go last, once every rule is in place. */
static int load_slot(struct pal_enforcer *en, const struct pal_policy_set *set, __u32 slot,
		     struct slot_entries *e)
{
	__u32 ncg = 0;
	int err = 0;

	if (e->file.nentries && !en->file)
		err = -EOPNOTSUPP;
	if (!err && en->file)
		err = pal_file_write(en->file, &e->file, slot);
	if (!err && en->sock)
		err = pal_socket_write(en->sock, &e->sock);
	if (!err) {
		err = pal_cgroup_prepare(en->cg, set, &e->net, &e->dev, slot, &ncg);
		if (err)
			pal_log_errno(err, "reload: cgroup programs: %s",
				      pal_cgroup_why(en->cg) ? pal_cgroup_why(en->cg) :
							       "cannot prepare");
	}
	if (!err)
		err = write_policies(en, e->pol, slot);
	e->cfg.ncgroup_keys = ncg;
	if (!err && bpf_map_update_elem(en->maps.fd[PAL_MAP_CONFIG], &slot, &e->cfg, BPF_ANY))
		err = -errno;
	return err;
}

/*
 * Remove the LSM entries of a slot (the dead one after a flip, or a failed
 * write). The cgroup side drops its own: in commit, or at the next prepare.
 */
static int clear_slot(struct pal_enforcer *en, __u32 slot)
{
	int err = en->file ? pal_file_clear_slot(en->file, slot) : 0;

	return !err && en->sock ? pal_socket_clear_slot(en->sock, slot) : err;
}

/*
 * Everything of the new generation, written into the idle slot, after the
 * file hooks it needs (*hooks) are attached: they decide by the live
 * generation until the flip, and the first generation's bring the file
 * maps with them.
 */
static int write_slot(struct pal_enforcer *en, const struct pal_policy_set *set, __u32 slot,
		      unsigned int flags, struct pal_reload_report *rep, __u64 *hooks)
{
	struct slot_entries *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return -ENOMEM;
	err = emit_slot(en, set, slot, flags, e);
	*hooks = en->file ? pal_file_hooks_needed(en->file, &e->cfg) : 0;
	if (!err && en->file)
		err = pal_file_hooks_attach(en->file, *hooks);
	if (!err && en->sock && e->cfg.net_policies)
		err = pal_socket_attach(en->sock);
	if (!err)
		err = clear_slot(en, slot); /* leftovers of an interrupted reload */
	if (!err)
		err = clear_stale_cgroups(en, slot);
	if (!err)
		err = load_slot(en, set, slot, e);
	rep->file_keys = e->file.nentries;
	snprintf(rep->why, sizeof(rep->why), "%s", e->file.why);
	rep->cgroup_keys = e->cfg.ncgroup_keys;
	entries_free(e);
	free(e);
	return err;
}

/* Policies with file or exec rules need BPF LSM: refuse them by name. */
static int check_lsm(const struct pal_enforcer *en, const struct pal_policy_set *set)
{
	int refused = 0;

	if (en->file)
		return 0;
	for (__u32 i = 0; i < set->npolicies; i++) {
		const struct pal_ir_policy *p = &set->policies[i];

		if (p->defaults[PAL_CLASS_FILE] == PAL_ACT_NONE &&
		    p->defaults[PAL_CLASS_EXEC] == PAL_ACT_NONE)
			continue;
		pal_log(PAL_LOG_ERR,
			"reload: %s:%u: policy '%s' has files:/exec: rules, but BPF LSM is not "
			"available. Hint: add bpf to lsm= on the kernel command line",
			p->loc.file, p->loc.line, p->name);
		refused++;
	}
	return refused ? -EOPNOTSUPP : 0;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int flip(struct pal_enforcer *en, __u32 slot)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(en->maps.fd[PAL_MAP_GEN], &zero, &slot, BPF_ANY))
		return -errno;
	en->live_slot = slot;
	en->generation++;
	return 0;
}

/*
 * Wait until every BPF program that may still be running with the old
 * generation has returned. Our hooks run inside RCU read-side sections, and
 * an update of an ARRAY_OF_MAPS element makes the kernel call
 * synchronize_rcu() before the syscall returns (the kernel's own selftests
 * use this to wait for programs). Without the wait, a decision that read
 * the old generation just before the flip could find that generation's
 * keys half deleted, and decide by neither.
 */
static int wait_for_running_programs(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	__u32 zero = 0;
	int inner, outer, err = 0;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pal_rcu_inner", 4, 4, 1, NULL);
	if (inner < 0)
		return -errno;
	o.inner_map_fd = inner;
	outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "pal_rcu_wait", 4, 4, 1, &o);
	if (outer < 0 || bpf_map_update_elem(outer, &zero, &inner, BPF_ANY))
		err = -errno;
	if (outer >= 0)
		close(outer);
	close(inner);
	return err;
}

int pal_reload(struct pal_enforcer *en, const char *const *paths, size_t npaths,
	       const struct pal_load_opts *opts, struct pal_reload_report *rep)
{
	__u32 slot = en->live_slot ^ 1;
	struct pal_policy_set *set = NULL;
	__u64 hooks = ~0ull;
	struct timespec t0;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = pal_policy_load(&set, paths, npaths, opts);
	if (!err)
		err = check_lsm(en, set);
	/* before the flip: the new generation's first access of each kind meets its hook */
	if (!err)
		err = write_slot(en, set, slot, opts ? opts->flags : 0, rep, &hooks);
	if (!err)
		err = flip(en, slot);
	if (err) {
		clear_slot(en, slot);
		pal_policy_set_free(set);
		return err;
	}
	rep->ms = ms_since(&t0);
	rep->generation = en->generation;
	err = wait_for_running_programs();
	if (err) { /* cannot happen where the agent could load programs; still, be safe */
		pal_log_errno(err, "reload: cannot wait for running BPF programs; waiting 100 ms");
		usleep(100000);
	}
	/* after the wait: no program still decides by the old generation */
	if (en->file)
		pal_file_hooks_detach(en->file, hooks);
	err = pal_cgroup_commit(en->cg, slot ^ 1);
	if (err)
		pal_log_errno(err,
			      "reload: generation %llu is live, but attaching its cgroup "
			      "programs failed: %s",
			      (unsigned long long)en->generation,
			      pal_cgroup_why(en->cg) ? pal_cgroup_why(en->cg) : "see above");
	err = clear_slot(en, slot ^ 1);
	if (!err)
		err = clear_stale_cgroups(en, slot ^ 1);
	if (err)
		pal_log_errno(err,
			      "reload: generation %llu is live, but the old one was not "
			      "fully deleted",
			      (unsigned long long)en->generation);
	pal_policy_set_free(en->prev);
	en->prev = en->live;
	en->prev_generation = en->generation - 1;
	en->live = set;
	return 0;
}

const struct pal_policy_set *pal_enforcer_set_of(const struct pal_enforcer *en, __u64 generation)
{
	if (generation == en->generation)
		return en->live;
	if (en->prev && generation == en->prev_generation)
		return en->prev;
	return NULL;
}
