/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pal_cgroup: user space of the cgroup programs (bpf/net.bpf.c,
 * bpf/dev.bpf.c): it loads them, writes the rule entries the emitters made,
 * finds the cgroups policies target, attaches to them and follows cgroups
 * that appear or disappear later.
 *
 * Reload protocol (driven by the agent, see bpf/abi.h "generations"):
 *   pal_cgroup_prepare(cg, set, &net, &dev, new_slot, &nkeys)   fill the new slot
 *   agent writes pal_policies/pal_config of new_slot, flips pal_gen
 *   pal_cgroup_commit(cg, old_slot)                  attach/detach, drop old slot
 * Library code: returns 0 or -errno, logs nothing above debug.
 */
#ifndef PALISADE_CGROUP_CGROUP_H
#define PALISADE_CGROUP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "bpf/maps.h"
#include "policies/emit.h"

struct pal_cgroup;

/* ---- cgroup2 mount and target patterns --------------------------------- */

/*
 * Find the cgroup2 mount in /proc/self/mountinfo (/sys/fs/cgroup, or
 * /sys/fs/cgroup/unified on hybrid hosts). Returns 0, -ENOENT when there
 * is none, -ENAMETOOLONG, or -errno.
 */
int pal_cgroup_find_root(char *buf, size_t len);
/* Same, parsing a mountinfo text (for tests). */
int pal_cgroup_root_from_mountinfo(const char *text, char *buf, size_t len);

/*
 * Patterns are absolute cgroup paths relative to the cgroup2 root: '*'
 * matches within one path level (any part of a name), '**' as a whole
 * component matches zero or more levels. "/" is the root itself.
 */
enum pal_cg_match {
	PAL_CG_MATCH = 1u << 0, /* path matches the pattern */
	PAL_CG_PREFIX = 1u << 1, /* a cgroup below path could match */
};
/*
 * Returns a mask of enum pal_cg_match; path is "/" or "/a/b" (no trailing
 * '/'). pal_cgroup_pattern_check (policy.h) says whether a pattern is valid.
 */
unsigned int pal_cgroup_match(const char *pattern, const char *path);

struct pal_ctr_meta;
/* Does what a container's runtime recorded (m) match selector sel (policy.h)? */
bool pal_container_selected(const struct pal_ir_container *sel, const struct pal_ctr_meta *m);

/* The cgroup v2 id (what bpf_get_current_cgroup_id returns) of a directory. */
int pal_cgroup_id_of(const char *dir, __u64 *id);

/* ---- programs, attachment, watch --------------------------------------- */

enum pal_cgroup_flags {
	/* refuse to attach at the cgroup2 root (host-wide policies): for tests */
	PAL_CG_NO_ROOT_ATTACH = 1u << 0,
	/*
	 * An LSM socket_create hook enforces `socket:` rules of non-inet
	 * families. cgroup/sock_create only runs for AF_INET/AF_INET6 sockets,
	 * so without this flag such rules are refused (-EOPNOTSUPP), never
	 * silently unenforced.
	 */
	PAL_CG_LSM_SOCKET = 1u << 1,
};

/*
 * Open the cgroup programs, sharing maps (pal_maps_open). cg2_root: NULL to
 * detect. pin_dir: NULL for no pins; else links and the rule maps are
 * pinned there (and adopted from there by a later agent) so enforcement
 * survives a restart. The programs load at the first prepare, with the
 * rule maps sized from the compiled policy. Returns 0 or -errno.
 */
int pal_cgroup_open(struct pal_cgroup **out, const struct pal_maps *maps, const char *cg2_root,
		    const char *pin_dir, unsigned int flags);

/*
 * Write slot's entries: the network/device rule entries the emitters made
 * for this slot (pal_emit_net, pal_emit_dev), which cg takes over (*net and
 * *dev are left empty, whatever the result), and pal_cgroups (cgroup id,
 * slot) -> policy mask for every existing cgroup that a policy's target
 * patterns match (all policies, file-only ones too).
 * *ncgroup_keys: pal_cgroups entries of the slot, for pal_gen_config.
 * The network and device programs are loaded by the first prepare whose
 * set has network or device rules, or that finds an earlier agent's pins.
 * On error the slot's entries are removed again and the live slot is
 * untouched. Returns 0, -E2BIG (a limit; nothing written), -EOPNOTSUPP
 * (device rules but this kernel cannot run the device program, or a
 * non-inet `socket:` family without PAL_CG_LSM_SOCKET), -ENOSPC (the maps,
 * sized at that first load, cannot hold both generations), -errno; see
 * pal_cgroup_why().
 */
int pal_cgroup_prepare(struct pal_cgroup *cg, const struct pal_policy_set *set,
		       struct pal_net_emit *net, struct pal_dev_emit *dev, __u32 slot,
		       __u32 *ncgroup_keys);
/*
 * After the agent flipped pal_gen to the prepared slot: attach (bpf_link,
 * multi) to each target cgroup of a policy with network or device rules
 * (host-wide ones: the cgroup2 root), detach what is no longer needed, and
 * delete old_slot's entries. Returns 0 or -errno (the first failure; the
 * rest is still done).
 */
int pal_cgroup_commit(struct pal_cgroup *cg, __u32 old_slot);

/* inotify fd to poll for POLLIN; then call pal_cgroup_handle_watch. */
int pal_cgroup_watch_fd(const struct pal_cgroup *cg);
/*
 * Process pending cgroup creations/removals: a new matching cgroup gets its
 * pal_cgroups entries (live and prepared slot) and attachment; a removed
 * one loses both. Never blocks. Returns the number of cgroups added or
 * removed, or -errno (the first failure, which pal_cgroup_why() names; the
 * other events are still processed).
 */
int pal_cgroup_handle_watch(struct pal_cgroup *cg);

/*
 * Container cgroups whose OCI state was missing when they appeared are
 * classified again, until their runtime wrote it or PAL_CG_RETRY_GIVEUP_MS
 * passed (then without it, with a warning). Until then the kernel gives
 * them every policy that could select them.
 * pal_cgroup_retry_ms: milliseconds until the next attempt is due, -1 if none.
 * pal_cgroup_retry: make the attempts that are due; returns the number of
 * cgroups changed or -errno, like pal_cgroup_handle_watch.
 */
#define PAL_CG_RETRY_GIVEUP_MS 10000
int pal_cgroup_retry_ms(const struct pal_cgroup *cg);
int pal_cgroup_retry(struct pal_cgroup *cg);

struct pal_cgroup_stats {
	__u32 tracked; /* cgroups with pal_cgroups entries or links */
	__u32 attached; /* cgroups with our programs attached */
	__u32 links; /* open bpf_links */
	__u32 watches; /* inotify watches */
	__u32 rule_entries[PAL_GENS]; /* net + dev rule map entries per slot */
	__u32 cgroup_keys[PAL_GENS]; /* pal_cgroups entries per slot */
	__u32 containers; /* container cgroups classified in the live slot */
	__u32 waiting; /* container cgroups waiting for their runtime's OCI state */
	bool dev_supported; /* the device program loads on this kernel */
};
int pal_cgroup_stats(const struct pal_cgroup *cg, struct pal_cgroup_stats *st);

/* Why the last prepare or watch event failed, in words ("policy 'x': ..."), or "". */
const char *pal_cgroup_why(const struct pal_cgroup *cg);
/*
 * A cgroup a policy targets but that could not be put under it (too deep
 * for the BPF ancestor walk), found by a prepare or a watch event since the
 * last take: its message in buf ("... (and N more)") and true, once.
 */
bool pal_cgroup_take_warning(struct pal_cgroup *cg, char *buf, size_t len);

/*
 * The containers policy index policy selects now (`target: containers:`,
 * live slot): fn(ctx, rel, identity) for each container's own cgroup that
 * holds the policy's pal_cgroups entry. Returns how many, or -EINVAL.
 */
struct pal_container;
int pal_cgroup_containers(const struct pal_cgroup *cg, __u32 policy,
			  void (*fn)(void *ctx, const char *rel, const struct pal_container *c),
			  void *ctx);

/* Is cgroup rel (relative to the cgroup2 root) attached by us? */
bool pal_cgroup_is_attached(const struct pal_cgroup *cg, const char *rel);

/*
 * Close. keep_attached: leave pinned links in place (needs pin_dir); else
 * detach everything, delete our pal_cgroups entries and remove the pins.
 */
void pal_cgroup_close(struct pal_cgroup *cg, bool keep_attached);

#endif /* PALISADE_CGROUP_CGROUP_H */
