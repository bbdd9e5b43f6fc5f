// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "tests/agent/events_fixture.h"

static const struct pal_ir_rule web_rules[] = {
	{.index = 0, .loc = {"policies/web.yaml", 7, 5}},
	{.index = 1, .loc = {"policies/web.yaml", 12, 5}},
};

/* A policy file name that is not UTF-8 and has a quote: rule_src escapes it. */
static const struct pal_ir_rule lab_rules[] = {
	{.index = 0, .loc = {"policies/l\"ab\xff.yaml", 3, 3}},
};

static struct pal_ir_policy live_policies[] = {
	{.name = "web", .mode = PAL_MODE_ENFORCE, .rules = web_rules, .nrules = 2},
	{.name = "lab", .mode = PAL_MODE_AUDIT, .rules = lab_rules, .nrules = 1},
};

static struct pal_ir_policy prev_policies[] = {
	{.name = "old", .mode = PAL_MODE_ENFORCE, .rules = web_rules, .nrules = 1},
};

static struct pal_policy_set live = {.policies = live_policies, .npolicies = 2};
static struct pal_policy_set prev = {.policies = prev_policies, .npolicies = 1};

void fx_enforcer_init(struct pal_enforcer *en)
{
	memset(en, 0, sizeof(*en));
	memset(en->maps.fd, -1, sizeof(en->maps.fd));
	en->generation = FX_GENERATION;
	en->live = &live;
	en->prev = &prev;
	en->prev_generation = FX_GENERATION - 1;
}

/*
 * The agent's own (agent/reload.c) comes with every loader and skeleton;
 * this is the same lookup over the fixture's two sets.
 */
const struct pal_policy_set *pal_enforcer_set_of(const struct pal_enforcer *en, __u64 generation)
{
	if (generation == en->generation)
		return en->live;
	if (en->prev && generation == en->prev_generation)
		return en->prev;
	return NULL;
}
