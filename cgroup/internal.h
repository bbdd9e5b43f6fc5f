/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pal_cgroup internals shared by its source files. Calls run downwards
 * only, from the top of this list to the bottom:
 *   cgroup.c  the public entry points: open, prepare, commit, the watch
 *             events, stats, close
 *   tree.c    the target walk, dropping a slot, inotify watches, created
 *             and removed cgroups
 *   attach.c  the programs: load, attach to and detach from one cgroup
 *   rules.c   a slot's plan and rule map entries, the pinned rule maps
 *   node.c    tracked cgroups and their pal_cgroups entries
 *   target.c  the cgroup2 mount, target patterns, cgroup ids
 */
#ifndef PALISADE_CGROUP_INTERNAL_H
#define PALISADE_CGROUP_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <bpf/libbpf.h>

#include "cgroup/cgroup.h"
#include "cgroup/container.h"

/* connect4/6, sendmsg4/6, bind4/6, sock_create, dev */
#define PAL_CG_NPROGS 8
#define PAL_CG_NLSM 4 /* BPF LSM programs of the network object (attach.c) */
/* components of a cgroup path or pattern the matcher handles */
#define PAL_CG_MAX_COMPONENTS 64
/* hash buckets of the tracked cgroups */
#define PAL_CG_NODE_BUCKETS 1024

struct cgnet_bpf;
struct cgdev_bpf;

/* A cgroup we wrote pal_cgroups entries for, or attached to. */
struct cg_node {
	struct cg_node *next; /* hash chain */
	char *rel; /* "/" or "/a/b", relative to the cgroup2 root */
	__u64 id;
	__u64 mask[PAL_GENS]; /* pal_cgroups policies written for each slot */
	__u64 unknown[PAL_GENS]; /* pal_cgroups unknown written for each slot */
	bool entry[PAL_GENS]; /* the slot has a pal_cgroups entry for it */
	bool want_attach[PAL_GENS]; /* that slot's policies need our programs here */
	bool attached;
	struct bpf_link *links[PAL_CG_NPROGS];
};

/*
 * A container's cgroup whose OCI state the runtime had not written yet when
 * the cgroup appeared: it has no pal_cgroups entry (so the kernel gives it
 * every policy that could select it) until it is classified again.
 */
struct cg_retry {
	struct cg_retry *next;
	char *rel;
	__u64 first_ns; /* CLOCK_MONOTONIC of the first attempt */
	__u64 next_ns; /* when to look again */
	bool again; /* the last attempt asked for another one */
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
	/* container selectors: pointers into the policy set, which outlives the slot */
	const struct pal_ir_container **sel;
	__u8 *spolicy; /* policy index of each selector */
	__u32 nsel;
	__u64 netdev; /* policies with network or device rules */
	__u64 host; /* policies without a target */
	struct pal_net_emit net;
	struct pal_dev_emit dev;
	__u32 ncgroup_keys;
};

struct pal_cgroup {
	char root[PATH_MAX];
	char *pin_dir;
	struct pal_oci_roots oci; /* runtime state directories, for container selectors */
	unsigned int flags;
	struct pal_maps maps; /* shared maps (fds not owned) */
	int cgroups_fd; /* shared pal_cgroups map (not owned) */
	struct cgnet_bpf *net;
	struct cgdev_bpf *dev;
	bool loaded;
	bool pins_looked; /* for an earlier agent's pins, at the first prepare */
	bool pins_found;
	bool dev_ok;
	int dev_err;
	struct bpf_program *prog[PAL_CG_NPROGS];
	struct bpf_link *lsm_links[PAL_CG_NLSM]; /* host-wide, with PAL_CG_LSM_SOCKET */
	struct slot_plan plan[PAL_GENS];
	int live; /* slot committed last, -1 before the first commit */
	int pending; /* slot prepared and not yet committed, or -1 */
	struct cg_node *nodes[PAL_CG_NODE_BUCKETS];
	struct cg_watch *watches;
	struct cg_retry *retries;
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

/* ---- tree.c --------------------------------------------------------------- */

int pal_cg_walk_slot(struct pal_cgroup *cg, __u32 slot, __u32 *nkeys);
/* Classify container cgroup rel again later (its OCI state is missing). */
int pal_cg_retry_add(struct pal_cgroup *cg, const char *rel);
void pal_cg_retry_free_all(struct pal_cgroup *cg);
void pal_cg_slot_drop(struct pal_cgroup *cg, __u32 slot);
/* rm: inotify_rm_watch too (not when the kernel dropped the watch itself). */
void pal_cg_watch_drop(struct pal_cgroup *cg, struct cg_watch *w, bool rm);
/* A cgroup appeared (or was moved in) at rel: entries and attachment, here and below. */
int pal_cg_on_create(struct pal_cgroup *cg, const char *rel);
/* The cgroup at rel went away: forget it and everything below. */
int pal_cg_on_delete(struct pal_cgroup *cg, const char *rel);
/* Lost inotify events: walk the tree again. */
int pal_cg_rescan(struct pal_cgroup *cg);

/* ---- attach.c ------------------------------------------------------------- */

/* unpin: remove the link pins too (not when a restarted agent is to adopt them). */
void pal_cg_node_detach(struct pal_cgroup *cg, struct cg_node *n, bool unpin);
int pal_cg_node_attach(struct pal_cgroup *cg, struct cg_node *n);
int pal_cg_load_objects(struct pal_cgroup *cg, const struct slot_plan *pl);
void pal_cg_lsm_detach(struct pal_cgroup *cg, bool keep);
/* Did an earlier agent leave cgroup programs or rule maps pinned in pin_dir? */
bool pal_cg_pins_left(const struct pal_cgroup *cg);
/*
 * Unpin the links an earlier agent left on cgroups that have none of ours:
 * a link, and the program it holds on its cgroup, goes with its last pin.
 */
void pal_cg_drop_foreign_link_pins(struct pal_cgroup *cg);

/* ---- rules.c -------------------------------------------------------------- */

void pal_cg_plan_free(struct slot_plan *pl);
int pal_cg_plan_build(struct pal_cgroup *cg, struct slot_plan *pl, const struct pal_policy_set *set,
		      struct pal_net_emit *net, struct pal_dev_emit *dev);
int pal_cg_size_maps(struct cgnet_bpf *net, struct cgdev_bpf *dev, const struct slot_plan *pl,
		     const struct slot_plan *live);
/* Do the rule maps hold pl and the plan of slot other (-1: none) together? */
bool pal_cg_fits(const struct pal_cgroup *cg, const struct slot_plan *pl, int other);
int pal_cg_rules_write(struct pal_cgroup *cg, const struct slot_plan *pl, __u32 slot);
void pal_cg_rules_delete(struct pal_cgroup *cg, const struct slot_plan *pl);
/* Is name the pin of a rule map? */
bool pal_cg_rule_pin_name(const char *name);
bool pal_cg_adopt_rule_maps(struct pal_cgroup *cg, struct cgnet_bpf *net, struct cgdev_bpf *dev);
int pal_cg_pin_rule_maps(struct pal_cgroup *cg, struct cgnet_bpf *net, struct cgdev_bpf *dev);
void pal_cg_unpin_rule_maps(struct pal_cgroup *cg);
int pal_cg_clear_stale_slot(struct pal_cgroup *cg, __u32 slot);

/* ---- node.c --------------------------------------------------------------- */

struct cg_node *pal_cg_node_find(const struct pal_cgroup *cg, const char *rel);
/* Track cgroup rel (id: its cgroup id); NULL when out of memory. */
struct cg_node *pal_cg_node_add(struct pal_cgroup *cg, const char *rel, __u64 id);
void pal_cg_node_unlink_free(struct pal_cgroup *cg, struct cg_node *n);
/* The absolute path of cgroup rel (below the cgroup2 mount). */
void pal_cg_abs_path(const struct pal_cgroup *cg, const char *rel, char *buf, size_t len);
int pal_cg_entry_write(struct pal_cgroup *cg, struct cg_node *n, __u32 slot, __u64 mask,
		       __u64 unknown);
void pal_cg_entry_delete(struct pal_cgroup *cg, struct cg_node *n, __u32 slot);

#endif /* PALISADE_CGROUP_INTERNAL_H */
