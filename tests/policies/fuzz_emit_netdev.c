// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the network, socket and device emitters: YAML bytes
 * in; for a valid policy set, the pal_net_*, pal_sock and pal_dev_rules
 * entries of both generation slots. Every entry must name the slot it was
 * emitted for, a loaded policy, a real action and, where a rule decided,
 * one of that policy's rules: an entry that breaks this would make the
 * kernel decide by a rule no policy has. Host lookups are off.
 */
#include <stdint.h>
#include <stdlib.h>

#include "policies/emit.h"

/* A rule-map value: its action is a real one, its rule one of the policy's. */
static void check_rule(const struct pal_policy_set *set, __u16 gen, __u16 want_gen, __u16 policy,
		       __u8 action, __u32 rule, int none_ok)
{
	if (gen != want_gen || policy >= set->npolicies)
		abort();
	if (action > PAL_ACT_DENY || (!none_ok && action == PAL_ACT_NONE))
		abort();
	if (action != PAL_ACT_NONE && rule != PAL_NO_RULE && rule >= set->policies[policy].nrules)
		abort();
}

static void net(const struct pal_policy_set *set, __u32 gen)
{
	struct pal_net_emit ne = {0};

	if (pal_emit_net(set, gen, &ne))
		return;
	for (size_t i = 0; i < ne.ncidrs; i++) {
		const struct pal_net_cidr_entry *c = &ne.cidrs[i];

		if (c->val.table > ne.ntables)
			abort();
		if (!c->val.table)
			check_rule(set, c->key.gen, gen, c->key.policy, c->val.action, c->val.rule,
				   1);
	}
	for (size_t i = 0; i < ne.nports; i++) {
		const struct pal_net_port_entry *p = &ne.ports[i];

		if (p->key.gen != gen || !p->key.table || p->key.table > ne.ntables ||
		    p->val.action == PAL_ACT_NONE || p->val.action > PAL_ACT_DENY)
			abort();
	}
	for (size_t i = 0; i < ne.nsocks; i++)
		check_rule(set, ne.socks[i].key.gen, gen, ne.socks[i].key.policy,
			   ne.socks[i].val.action, ne.socks[i].val.rule, 0);
	pal_net_emit_free(&ne);
}

static void sock(const struct pal_policy_set *set, __u32 gen)
{
	struct pal_sock_emit se = {0};

	if (pal_emit_socket(set, gen, &se))
		return;
	for (size_t i = 0; i < se.nentries; i++)
		check_rule(set, se.entries[i].key.gen, gen, se.entries[i].key.policy,
			   se.entries[i].val.action, se.entries[i].val.rule, 1);
	pal_sock_emit_free(&se);
}

static void dev(const struct pal_policy_set *set, __u32 gen)
{
	struct pal_dev_emit de = {0};

	if (pal_emit_dev(set, gen, &de))
		return;
	for (size_t i = 0; i < de.nentries; i++)
		for (int b = 0; b < PAL_DEV_ACC_BITS; b++)
			check_rule(set, de.entries[i].key.gen, gen, de.entries[i].key.policy,
				   de.entries[i].val.action[b], de.entries[i].val.rule[b], 1);
	pal_dev_emit_free(&de);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pal_load_opts o = {.flags = PAL_LOAD_NO_HOST};
	struct pal_policy_set *set = pal_policy_set_new(&o);

	if (!set)
		return 0;
	if (!pal_policy_add_buffer(set, "fuzz.yaml", (const char *)data, size)) {
		for (__u32 gen = 0; gen < PAL_GENS; gen++) {
			net(set, gen);
			sock(set, gen);
			dev(set, gen);
		}
	}
	pal_policy_set_free(set);
	return 0;
}
