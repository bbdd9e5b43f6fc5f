/* SPDX-License-Identifier: GPL-2.0-only */
/* palisade compile --explain: the rules that decide one path, and why (explain.c). */
#ifndef PALISADE_POLICIES_EXPLAIN_H
#define PALISADE_POLICIES_EXPLAIN_H

#include <stdio.h>

#include "policies/policy.h"

struct pal_explain_query {
	const char *path; /* canonical absolute path */
	const char *cgroup; /* canonical cgroup path (relative to the cgroup2 root), or NULL */
	const char *exe; /* canonical executable path, or NULL */
};

/* Write, per policy, whether it applies, the rules that name path and the merged decision. */
int pal_explain(FILE *out, const struct pal_policy_set *set, const struct pal_explain_query *q);

#endif /* PALISADE_POLICIES_EXPLAIN_H */
