// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device emitter: policy IR -> pal_dev_rules entries (bpf/dev.h). One key
 * per (policy, type, major|*, minor|*); rules sharing a key are merged per
 * access bit (deny > audit > allow, then the lower rule index). Part of
 * pal_policy; touches no kernel object.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/emit.h"

/* Equal keys next to each other; major and minor first, the order `palisade compile` lists. */
static int dev_key_cmp(const void *a, const void *b)
{
	const struct pal_dev_key *x = &((const struct pal_dev_entry *)a)->key;
	const struct pal_dev_key *y = &((const struct pal_dev_entry *)b)->key;
	int r = memcmp(&x->major, &y->major, sizeof(x->major) + sizeof(x->minor));

	if (r)
		return r;
	if (x->gen != y->gen)
		return x->gen < y->gen ? -1 : 1;
	if (x->policy != y->policy)
		return x->policy < y->policy ? -1 : 1;
	return (int)x->type - (int)y->type;
}

static int dev_entry(const struct pal_ir_policy *pol, __u32 p, const struct pal_ir_dev *d,
		     __u32 gen, struct pal_dev_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (d->rule >= pol->nrules || (d->type != 'c' && d->type != 'b'))
		return -EINVAL;
	if ((d->major != PAL_DEV_ANY && d->major > PAL_DEV_MAJOR_MAX) ||
	    (d->minor != PAL_DEV_ANY && d->minor > PAL_DEV_MINOR_MAX))
		return -EINVAL;
	e->key.major = d->major == PAL_DEV_ANY ? PAL_DEV_KEY_ANY : d->major;
	e->key.minor = d->minor == PAL_DEV_ANY ? PAL_DEV_KEY_ANY : d->minor;
	e->key.gen = gen;
	e->key.policy = p;
	e->key.type = d->type == 'b' ? PAL_DEV_BLOCK : PAL_DEV_CHAR;
	for (int bit = 0; bit < PAL_DEV_ACC_BITS; bit++) {
		e->val.rule[bit] = PAL_NO_RULE;
		if (d->access & (1u << bit)) {
			e->val.action[bit] = d->action;
			e->val.rule[bit] = pol->rules[d->rule].index;
		}
	}
	return 0;
}

static void dev_merge(struct pal_dev_rule *dst, const struct pal_dev_rule *src)
{
	for (int bit = 0; bit < PAL_DEV_ACC_BITS; bit++)
		if (src->action[bit] > dst->action[bit] ||
		    (src->action[bit] == dst->action[bit] && src->rule[bit] < dst->rule[bit])) {
			dst->action[bit] = src->action[bit];
			dst->rule[bit] = src->rule[bit];
		}
}

void pal_dev_emit_free(struct pal_dev_emit *out)
{
	free(out->entries);
	memset(out, 0, sizeof(*out));
}

int pal_emit_dev(const struct pal_policy_set *set, __u32 gen, struct pal_dev_emit *out)
{
	size_t n = 0, total = 0;

	memset(out, 0, sizeof(*out));
	if (gen >= PAL_GENS || set->npolicies > PAL_MAX_POLICIES)
		return -EINVAL;
	for (__u32 p = 0; p < set->npolicies; p++)
		total += set->policies[p].ndev;
	if (!total)
		return 0;
	out->entries = calloc(total, sizeof(*out->entries));
	if (!out->entries)
		return -ENOMEM;
	for (__u32 p = 0; p < set->npolicies; p++) {
		const struct pal_ir_policy *pol = &set->policies[p];

		for (__u32 r = 0; r < pol->ndev; r++) {
			int err = dev_entry(pol, p, &pol->dev[r], gen, &out->entries[n++]);

			if (err) {
				pal_dev_emit_free(out);
				return err;
			}
		}
	}
	qsort(out->entries, n, sizeof(*out->entries), dev_key_cmp);
	for (size_t i = 0; i < n; i++) {
		struct pal_dev_entry *last =
			out->nentries ? &out->entries[out->nentries - 1] : NULL;

		if (last && !dev_key_cmp(last, &out->entries[i]))
			dev_merge(&last->val, &out->entries[i].val);
		else
			out->entries[out->nentries++] = out->entries[i];
	}
	if (out->nentries > PAL_DEV_MAX_KEYS / PAL_GENS)
		return -E2BIG;
	return 0;
}
