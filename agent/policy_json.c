// SPDX-License-Identifier: GPL-2.0-only
/*
 * The explain view of compiled policy as one JSON document (palisade compile
 * --json): the same policies, map entries and decisions as the tables, built
 * with json-c and printed pretty.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <json-c/json.h>

#include "agent/policy_view.h"

static json_object *jhex(__u64 v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%016" PRIx64, (uint64_t)v);
	return json_object_new_string(b);
}

static json_object *jrule(__u32 idx)
{
	return idx == PAL_NO_RULE ? NULL : json_object_new_int64(idx);
}

static json_object *jaccess(__u8 class, __u32 bits)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < 12; i++) {
		char w[32];

		if ((bits & (1u << i)) && !pal_access_names(class, 1u << i, w, sizeof(w)))
			json_object_array_add(a, json_object_new_string(w));
	}
	return a;
}

static json_object *jloc(const struct pal_loc *l)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "file", json_object_new_string(l->file));
	json_object_object_add(o, "line", json_object_new_int64(l->line));
	json_object_object_add(o, "col", json_object_new_int64(l->col));
	return o;
}

static json_object *jpolicy(const struct pal_ir_policy *p, __u32 idx)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();
	json_object *cg = json_object_new_array(), *rules = json_object_new_array();

	json_object_object_add(o, "index", json_object_new_int64(idx));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "description", json_object_new_string(p->description));
	json_object_object_add(o, "source", jloc(&p->loc));
	json_object_object_add(o, "mode", json_object_new_string(pal_mode_name(p->mode)));
	json_object_object_add(o, "default",
			       json_object_new_string(pal_action_name(p->default_action)));
	for (int c = 0; c < PAL_CLASSES; c++)
		json_object_object_add(d, pal_class_name((__u8)c),
				       json_object_new_string(pal_action_name(p->defaults[c])));
	json_object_object_add(o, "defaults", d);
	for (__u32 i = 0; i < p->ncgroups; i++)
		json_object_array_add(cg, json_object_new_string(p->cgroups[i]));
	json_object_object_add(o, "cgroups", cg);
	for (__u32 i = 0; i < p->nrules; i++) {
		json_object *r = jloc(&p->rules[i].loc);

		json_object_object_add(r, "index", json_object_new_int64(p->rules[i].index));
		json_object_object_add(r, "class",
				       json_object_new_string(pal_class_name(p->rules[i].class)));
		json_object_object_add(r, "action",
				       json_object_new_string(pal_action_name(p->rules[i].action)));
		json_object_array_add(rules, r);
	}
	json_object_object_add(o, "rules", rules);
	return o;
}

static json_object *jentry(const struct pal_policy_set *set, const struct pal_file_entry *e)
{
	const struct pal_ir_policy *pol = &set->policies[e->key.policy];
	struct pal_view_decision dc = pal_view_decide(pol, e);
	json_object *o = json_object_new_object(), *k = json_object_new_object();
	json_object *v = json_object_new_object(), *d = json_object_new_object();

	json_object_object_add(k, "a", jhex(e->key.a));
	json_object_object_add(k, "b", json_object_new_int64(e->key.b));
	json_object_object_add(k, "gen", json_object_new_int64(e->key.gen));
	json_object_object_add(k, "policy", json_object_new_int64(e->key.policy));
	json_object_object_add(k, "kind", json_object_new_int64(e->key.kind));
	json_object_object_add(k, "class", json_object_new_int64(e->key.class));
	json_object_object_add(o, "key", k);
	json_object_object_add(v, "deny", json_object_new_int64(e->val.deny));
	json_object_object_add(v, "audit", json_object_new_int64(e->val.audit));
	json_object_object_add(v, "allow", json_object_new_int64(e->val.allow));
	json_object_object_add(v, "rule_deny", jrule(e->val.rule_deny));
	json_object_object_add(v, "rule_audit", jrule(e->val.rule_audit));
	json_object_object_add(v, "rule_allow", jrule(e->val.rule_allow));
	json_object_object_add(o, "value", v);
	json_object_object_add(o, "policy", json_object_new_string(pol->name));
	json_object_object_add(o, "class", json_object_new_string(pal_class_name(e->key.class)));
	json_object_object_add(o, "kind", json_object_new_string(pal_view_kind_name(e->key.kind)));
	json_object_object_add(o, "from_exe", json_object_new_int64(e->exe));
	json_object_object_add(o, "path", json_object_new_string(e->path));
	json_object_object_add(o, "rule", json_object_new_int64(e->rule));
	json_object_object_add(o, "source", jloc(&pol->rules[e->rule].loc));
	json_object_object_add(d, dc.audit_mode ? "deny_audit_mode" : "deny",
			       jaccess(e->key.class, dc.deny));
	json_object_object_add(d, "audit", jaccess(e->key.class, dc.audit));
	json_object_object_add(d, "allow", jaccess(e->key.class, dc.allow));
	json_object_object_add(d, "otherwise", json_object_new_string(pal_action_name(dc.dflt)));
	json_object_object_add(o, "decision", d);
	return o;
}

static json_object *jnet(const struct pal_ir_policy *pol, const struct pal_ir_net *n)
{
	static const char *const ops[] = {"?", "connect", "bind", "socket"};
	json_object *o = jloc(&n->loc), *c = json_object_new_array(), *p = json_object_new_array();

	json_object_object_add(o, "policy", json_object_new_string(pol->name));
	json_object_object_add(o, "rule", json_object_new_int64(n->rule));
	json_object_object_add(o, "op", json_object_new_string(ops[n->op <= 3 ? n->op : 0]));
	json_object_object_add(o, "action", json_object_new_string(pal_action_name(n->action)));
	json_object_object_add(o, "protocols", json_object_new_int64(n->protocols));
	for (__u32 i = 0; i < n->ncidrs; i++) {
		char b[64];

		pal_view_cidr(&n->cidrs[i], b, sizeof(b));
		json_object_array_add(c, json_object_new_string(b));
	}
	json_object_object_add(o, "cidrs", c);
	for (__u32 i = 0; i < n->nports; i++) {
		json_object *r = json_object_new_array();

		json_object_array_add(r, json_object_new_int64(n->ports[i].lo));
		json_object_array_add(r, json_object_new_int64(n->ports[i].hi));
		json_object_array_add(p, r);
	}
	json_object_object_add(o, "ports", p);
	json_object_object_add(o, "family", json_object_new_int64((int32_t)n->family));
	json_object_object_add(o, "type", json_object_new_int64((int32_t)n->type));
	json_object_object_add(o, "protocol", json_object_new_int64((int32_t)n->protocol));
	return o;
}

/* The cgroup map entries (policies/emit.h), as in the tables. */
static json_object *jnet_entries(const struct pal_policy_set *set)
{
	json_object *a = json_object_new_array();
	struct pal_net_emit ne = {0};
	char cidr[64], src[PATH_MAX + 16];

	if (pal_emit_net(set, 0, &ne))
		return a;
	for (size_t i = 0; i < ne.ncidrs; i++) {
		const struct pal_net_cidr_entry *c = &ne.cidrs[i];
		json_object *e = json_object_new_object();

		pal_view_cidr_key(&c->key, cidr, sizeof(cidr));
		json_object_object_add(
			e, "policy",
			json_object_new_string(pal_view_policy_name(set, c->key.policy)));
		json_object_object_add(
			e, "access",
			json_object_new_string(c->key.access == PAL_ACC_BIND ? "bind" : "connect"));
		json_object_object_add(e, "prefix", json_object_new_string(cidr));
		json_object_object_add(e, "port_table", json_object_new_int64(c->val.table));
		json_object_object_add(
			e, "action",
			json_object_new_string(c->val.action ? pal_action_name(c->val.action) :
							       "default"));
		json_object_object_add(e, "rule",
				       json_object_new_string(pal_view_rule_src(
					       set, c->key.policy, c->val.rule, src, sizeof(src))));
		json_object_array_add(a, e);
	}
	pal_net_emit_free(&ne);
	return a;
}

static json_object *jdev_entries(const struct pal_policy_set *set)
{
	static const char *const bits[PAL_DEV_ACC_BITS] = {"read", "write", "mknod"};
	json_object *a = json_object_new_array();
	struct pal_dev_emit de = {0};
	char src[PATH_MAX + 16];

	if (pal_emit_dev(set, 0, &de))
		return a;
	for (size_t i = 0; i < de.nentries; i++) {
		const struct pal_dev_entry *d = &de.entries[i];

		for (int b = 0; b < PAL_DEV_ACC_BITS; b++) {
			json_object *e;

			if (!d->val.action[b])
				continue;
			e = json_object_new_object();
			json_object_object_add(
				e, "policy",
				json_object_new_string(pal_view_policy_name(set, d->key.policy)));
			json_object_object_add(e, "type",
					       json_object_new_string(d->key.type == PAL_DEV_BLOCK ?
									      "block" :
									      "char"));
			json_object_object_add(
				e, "major",
				json_object_new_int64(d->key.major == PAL_DEV_KEY_ANY ?
							      -1 :
							      (int64_t)d->key.major));
			json_object_object_add(
				e, "minor",
				json_object_new_int64(d->key.minor == PAL_DEV_KEY_ANY ?
							      -1 :
							      (int64_t)d->key.minor));
			json_object_object_add(e, "access", json_object_new_string(bits[b]));
			json_object_object_add(
				e, "action",
				json_object_new_string(pal_action_name(d->val.action[b])));
			json_object_object_add(
				e, "rule",
				json_object_new_string(pal_view_rule_src(
					set, d->key.policy, d->val.rule[b], src, sizeof(src))));
			json_object_array_add(a, e);
		}
	}
	pal_dev_emit_free(&de);
	return a;
}

static json_object *jdev(const struct pal_ir_policy *pol, const struct pal_ir_dev *d)
{
	json_object *o = jloc(&d->loc);

	json_object_object_add(o, "policy", json_object_new_string(pol->name));
	json_object_object_add(o, "rule", json_object_new_int64(d->rule));
	json_object_object_add(o, "type",
			       json_object_new_string(d->type == 'b' ? "block" : "char"));
	json_object_object_add(o, "major", json_object_new_int64((int32_t)d->major));
	json_object_object_add(o, "minor", json_object_new_int64((int32_t)d->minor));
	json_object_object_add(o, "access", json_object_new_int64(d->access));
	json_object_object_add(o, "action", json_object_new_string(pal_action_name(d->action)));
	return o;
}

void pal_view_json(const struct pal_policy_set *set, const struct pal_file_emit *fe, __u64 seed)
{
	json_object *o = json_object_new_object(), *a;

	json_object_object_add(o, "seed", jhex(seed));
	json_object_object_add(o, "seed_note", json_object_new_string(PAL_VIEW_SEED_NOTE));
	json_object_object_add(o, "generation", json_object_new_int64(0));
	a = json_object_new_array();
	for (__u32 i = 0; i < set->npolicies; i++)
		json_object_array_add(a, jpolicy(&set->policies[i], i));
	json_object_object_add(o, "policies", a);
	a = json_object_new_array();
	for (size_t i = 0; i < fe->nentries; i++)
		json_object_array_add(a, jentry(set, &fe->entries[i]));
	json_object_object_add(o, "file_entries", a);
	a = json_object_new_array();
	for (size_t i = 0; i < fe->nexes; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "id", json_object_new_int64(fe->exes[i].id));
		json_object_object_add(x, "path", json_object_new_string(fe->exes[i].path));
		json_object_object_add(x, "exists", json_object_new_boolean(fe->exes[i].exists));
		json_object_object_add(x, "same_file_as_earlier",
				       json_object_new_boolean(fe->exes[i].alias));
		json_object_object_add(x, "ino",
				       json_object_new_int64((int64_t)fe->exes[i].key.ino));
		json_object_object_add(x, "dev", json_object_new_int64(fe->exes[i].key.dev));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "exes", a);
	a = json_object_new_array();
	for (__u32 p = 0; p < set->npolicies; p++)
		for (__u32 i = 0; i < set->policies[p].nnet; i++)
			json_object_array_add(a, jnet(&set->policies[p], &set->policies[p].net[i]));
	json_object_object_add(o, "network", a);
	a = json_object_new_array();
	for (__u32 p = 0; p < set->npolicies; p++)
		for (__u32 i = 0; i < set->policies[p].ndev; i++)
			json_object_array_add(a, jdev(&set->policies[p], &set->policies[p].dev[i]));
	json_object_object_add(o, "devices", a);
	json_object_object_add(o, "network_entries", jnet_entries(set));
	json_object_object_add(o, "device_entries", jdev_entries(set));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
