// SPDX-License-Identifier: GPL-2.0-only
/*
 * Settings emitter: the pal_policies value of every policy and the policy
 * masks of pal_config (bpf/abi.h), which every hook reads before any rule
 * map. Part of pal_policy; touches no kernel object.
 */
#include <string.h>

#include "policies/emit.h"

static __u64 depth_bit(__u32 depth)
{
	return 1ULL << (depth < 63 ? depth : 63);
}

/* Depths and kinds of a policy's file keys, so a hook only looks up what may be there. */
static void add_file_key(struct pal_policy *p, const struct pal_file_key *k)
{
	if (k->kind & PAL_KEY_FROM)
		p->flags |= PAL_POLF_FROM;
	switch (k->kind & ~PAL_KEY_FROM) {
	case PAL_KEY_DIR:
		p->dir_depths |= depth_bit(k->b);
		break;
	case PAL_KEY_EXACT:
		p->exact_depths |= depth_bit(k->b);
		break;
	case PAL_KEY_PATTERN:
		p->flags |= PAL_POLF_PATTERNS;
		break;
	default:
		p->flags |= PAL_POLF_INODE_KEYS;
	}
}

static void emit_policies(const struct pal_policy_set *set, const struct pal_file_emit *files,
			  struct pal_policy pol[PAL_MAX_POLICIES])
{
	memset(pol, 0, PAL_MAX_POLICIES * sizeof(*pol));
	for (__u32 i = 0; i < set->npolicies && i < PAL_MAX_POLICIES; i++) {
		pol[i].mode = set->policies[i].mode;
		pol[i].mounts = set->policies[i].mounts;
		memcpy(pol[i].defaults, set->policies[i].defaults, PAL_CLASSES);
	}
	for (size_t i = 0; files && i < files->nentries; i++) {
		const struct pal_file_key *k = &files->entries[i].key;

		add_file_key(&pol[k->policy % PAL_MAX_POLICIES], k);
	}
}

static void emit_masks(const struct pal_policy_set *set, struct pal_gen_config *cfg)
{
	for (__u32 i = 0; i < set->npolicies && i < PAL_MAX_POLICIES; i++) {
		const struct pal_ir_policy *p = &set->policies[i];
		__u64 bit = 1ULL << i;

		if (pal_policy_host_wide(p))
			cfg->host_policies |= bit;
		if (p->defaults[PAL_CLASS_FILE] != PAL_ACT_NONE ||
		    p->defaults[PAL_CLASS_EXEC] != PAL_ACT_NONE)
			cfg->file_policies |= bit;
		if (p->defaults[PAL_CLASS_NET] != PAL_ACT_NONE)
			cfg->net_policies |= bit;
		if (p->defaults[PAL_CLASS_DEV] != PAL_ACT_NONE)
			cfg->dev_policies |= bit;
		for (size_t j = 0; j < p->nfiles; j++)
			if (p->files[j].nfrom)
				cfg->from_policies |= bit;
	}
	cfg->npolicies = set->npolicies;
}

static bool restricts(__u8 action)
{
	return action == PAL_ACT_DENY || action == PAL_ACT_AUDIT;
}

/*
 * The access bits a request must have for a walk to matter (bpf/abi.h,
 * pal_gen_config.restricted). Under a policy with file or exec rules, exec
 * and mmap-exec are always decided: a program with no path (a memfd, a
 * file on an unmounted bind) is one no rule could name, and its exec fails
 * closed there (docs/containers.md). So are link and rename: a new name is
 * checked against every rule that protects either name. Rule bits come
 * only from such policies, so they need no more than their own bits.
 */
static __u32 emit_restricted(const struct pal_policy_set *set, const struct pal_file_emit *files)
{
	__u32 bits = 0;

	for (__u32 i = 0; i < set->npolicies && i < PAL_MAX_POLICIES; i++) {
		const struct pal_ir_policy *p = &set->policies[i];

		if (p->defaults[PAL_CLASS_FILE] != PAL_ACT_NONE ||
		    p->defaults[PAL_CLASS_EXEC] != PAL_ACT_NONE)
			bits |= PAL_ACC_EXEC | PAL_ACC_MMAP_EXEC | PAL_ACC_LINK | PAL_ACC_RENAME;
		if (restricts(p->defaults[PAL_CLASS_FILE]))
			bits |= PAL_ACC_FILE_ALL;
		if (restricts(p->mounts))
			bits |= PAL_ACC_MOUNT;
	}
	for (size_t i = 0; files && i < files->nentries; i++)
		bits |= (files->entries[i].val.deny | files->entries[i].val.audit) &
			PAL_ACC_FILE_ALL;
	return bits;
}

void pal_emit_settings(const struct pal_policy_set *set, const struct pal_file_emit *files,
		       struct pal_policy pol[PAL_MAX_POLICIES], struct pal_gen_config *cfg)
{
	emit_policies(set, files, pol);
	cfg->host_policies = cfg->file_policies = cfg->net_policies = 0;
	cfg->dev_policies = cfg->from_policies = cfg->pattern_policies = 0;
	emit_masks(set, cfg);
	cfg->restricted = emit_restricted(set, files);
	for (__u32 i = 0; i < set->npolicies && i < PAL_MAX_POLICIES; i++)
		if (pol[i].flags & PAL_POLF_PATTERNS)
			cfg->pattern_policies |= 1ULL << i;
}
