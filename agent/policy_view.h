/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The explain view of compiled policy (palisade compile): tables
 * (policy_text.c) or JSON (policy_json.c), and the pieces both share.
 */
#ifndef PALISADE_AGENT_POLICY_VIEW_H
#define PALISADE_AGENT_POLICY_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "policies/emit.h"
#include "policies/policy.h"

#define PAL_VIEW_SEED_NOTE \
	"fixed display seed; the live agent uses a secret random seed, so its path hashes differ"

/* Print set and fe, its file map entries hashed with seed, to stdout. */
void pal_view_text(const struct pal_policy_set *set, const struct pal_file_emit *fe, __u64 seed);
void pal_view_json(const struct pal_policy_set *set, const struct pal_file_emit *fe, __u64 seed);

/* ---- shared by both views (policy_text.c) ------------------------------- */

/* The effective action per access bit: deny > audit > allow > default. */
struct pal_view_decision {
	__u32 deny, audit, allow;
	__u8 dflt;
	bool audit_mode; /* denials are reported as audit and allowed */
};

struct pal_view_decision pal_view_decide(const struct pal_ir_policy *pol,
					 const struct pal_file_entry *e);
/* "exact", "dir", "inode", "dir-inode" ("?" otherwise); the PAL_KEY_FROM bit is ignored. */
const char *pal_view_kind_name(__u8 kind);
/* A rule's CIDR as text ("10.0.0.0/8", "::1/128"). */
void pal_view_cidr(const struct pal_ir_cidr *c, char *buf, size_t len);
/* "FILE:LINE" of rule idx of policy p, or "default". */
const char *pal_view_rule_src(const struct pal_policy_set *set, __u32 p, __u32 rule, char *buf,
			      size_t len);
/* Policy p's name, or "?". */
const char *pal_view_policy_name(const struct pal_policy_set *set, __u32 p);
/* An LPM key's address as CIDR text (prefixlen counts the 4 fixed bytes). */
void pal_view_cidr_key(const struct pal_net_cidr_key *k, char *buf, size_t len);

#endif
