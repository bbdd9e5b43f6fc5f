// SPDX-License-Identifier: GPL-2.0-only
/* devices: list items into struct pal_ir_dev. */
#include <errno.h>
#include <string.h>

#include "policies/policy_int.h"

enum { D_TYPE, D_MAJOR, D_MINOR, D_ACCESS, D_ACTION, D_NKEYS };
static const char *const dev_keys[D_NKEYS] = {"type", "major", "minor", "access", "action"};
static const struct pal_keys dev_k = {"device rule", dev_keys, D_NKEYS};

static const char *const type_words[] = {"char", "block"};
static const char *const access_words[] = {"read", "write", "mknod", "all"};

/* A device number or '*'. */
static int dev_number(struct pal_parse *p, const struct pal_node *v, const char *key,
		      unsigned long max, __u32 *out)
{
	unsigned long x;

	if (!pal_want(p, v, key, PAL_N_SCALAR))
		return -EINVAL;
	if (v->len == 1 && v->str[0] == '*') {
		*out = PAL_DEV_ANY;
		return 0;
	}
	if (pal_parse_uint(v, max, &x)) {
		pal_err(p, v, "invalid %s '%s': expected a number from 0 to %lu, or '*'", key,
			pal_q(p, v->str, v->len), max);
		return -EINVAL;
	}
	*out = (__u32)x;
	return 0;
}

static void dev_access(struct pal_parse *p, const struct pal_node *v, __u32 *bits)
{
	*bits = 0;
	if (!pal_want_list(p, v, "access"))
		return;
	for (const struct pal_node *w = v->kids; w; w = w->next) {
		int i = pal_word(p, w, "device access", access_words, PAL_ARRAY_SIZE(access_words));

		if (i == 3)
			*bits |= PAL_ACC_DEV_READ | PAL_ACC_DEV_WRITE | PAL_ACC_DEV_MKNOD;
		else if (i >= 0)
			*bits |= 1u << i;
	}
}

static void required(struct pal_parse *p, const struct pal_node *item, const struct pal_node **v,
		     const struct pal_node **k)
{
	static const int req[] = {D_TYPE, D_MAJOR, D_ACCESS, D_ACTION};

	for (size_t i = 0; i < PAL_ARRAY_SIZE(req); i++)
		if (pal_absent(v, k, req[i]))
			pal_err(p, item, "device rule is missing '%s'", dev_keys[req[i]]);
}

int pal_rule_dev(struct pal_parse *p, struct pal_pol_build *b, const struct pal_node *item)
{
	const struct pal_node *v[D_NKEYS], *k[D_NKEYS];
	struct pal_ir_rule *rule;
	struct pal_ir_dev *d;

	if (item->type != PAL_N_MAP) {
		pal_err(p, item, "a device rule must be a mapping, found %s", pal_node_kind(item));
		return 0;
	}
	rule = pal_rule_new(b, item, PAL_CLASS_DEV);
	d = &b->dev[b->pol->ndev++];
	*d = (struct pal_ir_dev){.rule = rule->index, .major = PAL_DEV_ANY, .minor = PAL_DEV_ANY};
	d->loc = rule->loc;
	pal_map_keys(p, item, &dev_k, v, k);
	required(p, item, v, k);
	if (v[D_TYPE] && pal_want(p, v[D_TYPE], "type", PAL_N_SCALAR)) {
		int t = pal_word(p, v[D_TYPE], "device type", type_words, 2);

		d->type = t == 0 ? 'c' : t == 1 ? 'b' : 0;
	}
	if (v[D_MAJOR])
		dev_number(p, v[D_MAJOR], "major", PAL_DEV_MAJOR_MAX, &d->major);
	if (v[D_MINOR])
		dev_number(p, v[D_MINOR], "minor", PAL_DEV_MINOR_MAX, &d->minor);
	if (v[D_ACCESS])
		dev_access(p, v[D_ACCESS], &d->access);
	if (v[D_ACTION] && !pal_parse_action(p, v[D_ACTION], &rule->action))
		rule->action_loc = (struct pal_loc){p->file, v[D_ACTION]->line, v[D_ACTION]->col};
	d->action = rule->action;
	return p->oom ? -ENOMEM : 0;
}
