// SPDX-License-Identifier: GPL-2.0-only
/* Schema v1: one YAML document into one struct pal_ir_policy. */
#include <errno.h>
#include <string.h>

#include "policies/policy_int.h"
#include "policies/utf8.h"

#define PAL_API_VERSION "palisade/v1"
#define PAL_KIND "Policy"

/* ---- the policy document ---------------------------------------------- */

enum {
	K_API,
	K_KIND,
	K_NAME,
	K_DESC,
	K_MODE,
	K_TARGET,
	K_DEFAULT,
	K_FILES,
	K_EXEC,
	K_NETWORK,
	K_DEVICES,
	K_MOUNTS,
	K_NKEYS,
};

static const char *const doc_keys[K_NKEYS] = {
	"apiVersion", "kind",  "name", "description", "mode",	 "target",
	"default",    "files", "exec", "network",     "devices", "mounts",
};

static const struct pal_keys doc_k = {"policy", doc_keys, K_NKEYS};

static void check_fixed(struct pal_parse *p, const struct pal_node *v, const char *key,
			const char *want)
{
	if (!pal_want(p, v, key, PAL_N_SCALAR) || pal_is_word(v, want))
		return;
	pal_err(p, v, "unsupported %s '%s'; expected '%s'", key, pal_q(p, v->str, v->len), want);
}

static bool name_ok(const struct pal_node *v)
{
	if (!v->len || v->len > PAL_POLICY_NAME_MAX)
		return false;
	for (size_t i = 0; i < v->len; i++) {
		char c = v->str[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

static int parse_name(struct pal_parse *p, const struct pal_node *v, struct pal_ir_policy *pol)
{
	struct pal_policy_set *set = p->set;

	if (!pal_want(p, v, "name", PAL_N_SCALAR))
		return -EINVAL;
	if (!name_ok(v)) {
		pal_err(p, v,
			"invalid policy name '%s': use 1 to %d characters of a-z, 0-9 and '-'",
			pal_q(p, v->str, v->len), PAL_POLICY_NAME_MAX);
		return -EINVAL;
	}
	for (__u32 i = 0; i < set->npolicies; i++) {
		const struct pal_ir_policy *o = &set->policies[i];

		if (!strcmp(o->name, v->str)) {
			pal_err(p, v, "duplicate policy name '%s' (first defined at %s:%u:%u)",
				v->str, o->loc.file, o->loc.line, o->loc.col);
			return -EINVAL;
		}
	}
	if (set->npolicies >= PAL_MAX_POLICIES) {
		pal_err(p, v, "too many policies: more than PAL_MAX_POLICIES (%d)",
			PAL_MAX_POLICIES);
		return -EINVAL;
	}
	pol->name = pal_arena_strndup(p->ir, v->str, v->len);
	pol->loc = (struct pal_loc){p->file, v->line, v->col};
	return pol->name ? 0 : -ENOMEM;
}

static int parse_desc(struct pal_parse *p, const struct pal_node *v, struct pal_ir_policy *pol)
{
	if (v->type == PAL_N_SCALAR && v->plain && !v->len)
		return 0; /* `description:` left empty */
	if (!pal_want(p, v, "description", PAL_N_SCALAR))
		return -EINVAL;
	if (v->len > PAL_POLICY_DESC_MAX) {
		pal_err(p, v, "'description' is longer than PAL_POLICY_DESC_MAX (%d bytes)",
			PAL_POLICY_DESC_MAX);
		return -EINVAL;
	}
	if (memchr(v->str, 0, v->len)) {
		pal_err(p, v, "NUL character in 'description'");
		return -EINVAL;
	}
	pol->description = pal_arena_strndup(p->ir, v->str, v->len);
	return pol->description ? 0 : -ENOMEM;
}

static const char *const mode_words[] = {"enforce", "audit"};

static void parse_header(struct pal_parse *p, const struct pal_node *root,
			 const struct pal_node **v, const struct pal_node **k,
			 struct pal_ir_policy *pol)
{
	static const char *const req[] = {"apiVersion", "kind", "name"};

	for (size_t i = 0; i < PAL_ARRAY_SIZE(req); i++)
		if (pal_absent(v, k, (int)i))
			pal_err(p, root, "policy is missing '%s'", req[i]);
	if (v[K_API])
		check_fixed(p, v[K_API], "apiVersion", PAL_API_VERSION);
	if (v[K_KIND])
		check_fixed(p, v[K_KIND], "kind", PAL_KIND);
	if (v[K_NAME])
		parse_name(p, v[K_NAME], pol);
	if (v[K_DESC])
		parse_desc(p, v[K_DESC], pol);
	if (v[K_MODE] && pal_want(p, v[K_MODE], "mode", PAL_N_SCALAR)) {
		int m = pal_word(p, v[K_MODE], "mode", mode_words, PAL_ARRAY_SIZE(mode_words));

		pol->mode = m == 1 ? PAL_MODE_AUDIT : PAL_MODE_ENFORCE;
	}
	pol->default_action = PAL_ACT_ALLOW;
	if (v[K_DEFAULT] && pal_want(p, v[K_DEFAULT], "default", PAL_N_SCALAR)) {
		int d = pal_word(p, v[K_DEFAULT], "default", pal_action_words, PAL_ACTION_WORDS);

		if (d >= 0)
			pol->default_action = (__u8)(PAL_ACT_ALLOW + d);
	}
}

/* ---- target ----------------------------------------------------------- */

static const char *const target_keys[] = {"cgroups", "containers"};
static const struct pal_keys target_k = {"target", target_keys, 2};

static int cgroup_pattern(struct pal_parse *p, const struct pal_node *v, const char **out)
{
	char *buf;
	const char *why;

	if (!pal_want(p, v, "cgroups entry", PAL_N_SCALAR))
		return -EINVAL;
	buf = pal_arena_alloc(p->ir, v->len + 2);
	if (!buf)
		return -ENOMEM;
	if (pal_cgroup_pattern_canon(v->str, v->len, buf, &why)) {
		pal_err(p, v, "invalid cgroup pattern '%s': %s", pal_q(p, v->str, v->len), why);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

static int parse_cgroups(struct pal_parse *p, const struct pal_node *list,
			 struct pal_ir_policy *pol)
{
	const char **pats;

	if (!pal_want_list(p, list, "cgroups"))
		return -EINVAL;
	if (list->n > PAL_POLICY_TARGETS_MAX) {
		pal_err(p, list, "more than PAL_POLICY_TARGETS_MAX (%d) cgroup patterns",
			PAL_POLICY_TARGETS_MAX);
		return -EINVAL;
	}
	pats = pal_arena_array(p->ir, list->n, sizeof(*pats));
	if (!pats)
		return -ENOMEM;
	for (const struct pal_node *c = list->kids; c; c = c->next)
		if (!cgroup_pattern(p, c, &pats[pol->ncgroups]))
			pol->ncgroups++;
	pol->cgroups = pats;
	return 0;
}

/* A selector value: a non-empty string of printable UTF-8 within the limit. */
static int selector_value(struct pal_parse *p, const struct pal_node *v, const char *what,
			  const char **out)
{
	if (!pal_want(p, v, what, PAL_N_SCALAR))
		return -EINVAL;
	if (!v->len || v->len > PAL_POLICY_SELECTOR_MAX) {
		pal_err(p, v, "%s must be 1 to PAL_POLICY_SELECTOR_MAX (%d) bytes", what,
			PAL_POLICY_SELECTOR_MAX);
		return -EINVAL;
	}
	for (size_t i = 0, n; i < v->len; i += n) {
		n = pal_utf8_len((const unsigned char *)v->str + i, v->len - i);
		if (!n || (unsigned char)v->str[i] < 0x20 || v->str[i] == 0x7f) {
			pal_err(p, v, "%s must be printable UTF-8 text", what);
			return -EINVAL;
		}
	}
	*out = pal_arena_strndup(p->ir, v->str, v->len);
	return *out ? 0 : -ENOMEM;
}

static int parse_labels(struct pal_parse *p, const struct pal_node *m, struct pal_ir_container *c)
{
	const char **keys, **vals;
	int err = 0;

	if (!pal_want(p, m, "labels", PAL_N_MAP))
		return -EINVAL;
	if (!m->n || m->n / 2 > PAL_POLICY_LABELS_MAX) {
		pal_err(p, m, "labels must list 1 to PAL_POLICY_LABELS_MAX (%d) labels",
			PAL_POLICY_LABELS_MAX);
		return -EINVAL;
	}
	keys = pal_arena_array(p->ir, m->n / 2, sizeof(*keys));
	vals = pal_arena_array(p->ir, m->n / 2, sizeof(*vals));
	if (!keys || !vals)
		return -ENOMEM;
	for (const struct pal_node *k = m->kids; k && k->next; k = k->next->next) {
		int e = selector_value(p, k, "a label key", &keys[c->nlabels]);

		e = e ?: selector_value(p, k->next, "a label value", &vals[c->nlabels]);
		if (!e && strchr(keys[c->nlabels], '*')) {
			pal_err(p, k, "label key '%s' has a '*': keys are matched exactly",
				keys[c->nlabels]);
			e = -EINVAL;
		}
		if (!e)
			c->nlabels++;
		err = err ?: e;
	}
	c->label_keys = keys;
	c->label_values = vals;
	return err;
}

static const char *const selector_keys[] = {"namespace", "pod", "container", "image", "labels"};
static const struct pal_keys selector_k = {"container selector", selector_keys, 5};

static int parse_selector(struct pal_parse *p, const struct pal_node *item,
			  struct pal_ir_container *c)
{
	const char **dst[] = {&c->ns, &c->pod, &c->container, &c->image};
	const struct pal_node *v[5], *k[5];
	int err = 0, given = 0;

	if (!pal_want(p, item, "containers entry", PAL_N_MAP))
		return -EINVAL;
	pal_map_keys(p, item, &selector_k, v, k);
	c->loc = (struct pal_loc){p->file, item->line, item->col};
	for (int i = 0; i < 4; i++)
		if (v[i]) {
			err = err ?: selector_value(p, v[i], selector_keys[i], dst[i]);
			given++;
		}
	if (v[4]) {
		int e = parse_labels(p, v[4], c);

		err = err ?: e;
		given++;
		if (!e)
			pal_warn(p, k[4],
				 "only CRI-O records pod labels: containers of other runtimes "
				 "never match a selector with 'labels'");
	}
	if (!given && !err) {
		pal_err(p, item,
			"an empty container selector would select every container; give "
			"namespace, pod, container, image or labels");
		err = -EINVAL;
	}
	return err;
}

static int parse_containers(struct pal_parse *p, const struct pal_node *list,
			    struct pal_ir_policy *pol)
{
	struct pal_ir_container *sel;

	if (!pal_want_list(p, list, "containers"))
		return -EINVAL;
	if (list->n > PAL_POLICY_CONTAINERS_MAX) {
		pal_err(p, list, "more than PAL_POLICY_CONTAINERS_MAX (%d) container selectors",
			PAL_POLICY_CONTAINERS_MAX);
		return -EINVAL;
	}
	sel = pal_arena_array(p->ir, list->n, sizeof(*sel));
	if (!sel)
		return -ENOMEM;
	for (const struct pal_node *c = list->kids; c; c = c->next)
		if (!parse_selector(p, c, &sel[pol->ncontainers]))
			pol->ncontainers++;
	pol->containers = sel;
	return 0;
}

static int parse_target(struct pal_parse *p, const struct pal_node *t, struct pal_ir_policy *pol)
{
	const struct pal_node *v[2], *k[2];
	int err = 0;

	if (!pal_want(p, t, "target", PAL_N_MAP))
		return -EINVAL;
	pal_map_keys(p, t, &target_k, v, k);
	if (!v[0] && !v[1]) {
		if (k[0] || k[1])
			return -EINVAL;
		pal_err(p, t,
			"target is missing 'cgroups' or 'containers' (remove 'target' to apply "
			"host-wide)");
		return -EINVAL;
	}
	if (v[0])
		err = parse_cgroups(p, v[0], pol);
	if (v[1])
		err = err ?: parse_containers(p, v[1], pol);
	return err;
}

/* ---- rule lists ------------------------------------------------------- */

static const char *const class_keys[PAL_CLASSES] = {"files", "exec", "network", "devices"};

/* Paths in a file/exec list item, to size the entry array up front. */
static size_t count_paths(const struct pal_node *item)
{
	const struct pal_node *k, *v;
	size_t n = 0;

	if (item->type != PAL_N_MAP)
		return 0;
	for (k = item->kids; k && (v = k->next); k = v->next)
		if (k->type == PAL_N_SCALAR && v->type == PAL_N_SEQ &&
		    (pal_is_word(k, "paths") || pal_is_word(k, "dirs")))
			n += v->n;
	return n;
}

static int size_rules(struct pal_parse *p, const struct pal_node **v, struct pal_pol_build *b)
{
	size_t nrules = 0, npaths = 0;

	for (int c = 0; c < PAL_CLASSES; c++) {
		const struct pal_node *l = v[K_FILES + c];

		if (!l || l->type != PAL_N_SEQ)
			continue;
		nrules += l->n;
		if (nrules > PAL_MAX_RULES_PER_POLICY) {
			pal_err(p, l, "policy has more than PAL_MAX_RULES_PER_POLICY (%d) rules",
				PAL_MAX_RULES_PER_POLICY);
			return -EINVAL;
		}
		if (c <= PAL_CLASS_EXEC)
			for (const struct pal_node *it = l->kids; it; it = it->next)
				npaths += count_paths(it);
	}
	b->rules = pal_arena_array(p->ir, nrules, sizeof(*b->rules));
	b->files = pal_arena_array(p->ir, npaths, sizeof(*b->files));
	b->net = pal_arena_array(p->ir, nrules, sizeof(*b->net));
	b->dev = pal_arena_array(p->ir, nrules, sizeof(*b->dev));
	b->files_cap = npaths;
	if (!b->rules || !b->files || !b->net || !b->dev)
		return -ENOMEM;
	return 0;
}

static int parse_list(struct pal_parse *p, struct pal_pol_build *b, const struct pal_node *l,
		      int class)
{
	__u32 before = b->pol->nrules;
	int err = 0;

	if (!pal_want_list(p, l, class_keys[class]))
		return 0;
	for (const struct pal_node *it = l->kids; it && !err && !p->gave_up; it = it->next) {
		if (class <= PAL_CLASS_EXEC)
			err = pal_rule_file(p, b, it, (__u8) class);
		else if (class == PAL_CLASS_NET)
			err = pal_rule_net(p, b, it);
		else
			err = pal_rule_dev(p, b, it);
	}
	if (b->pol->nrules > before)
		b->pol->defaults[class] = b->pol->default_action;
	return err;
}

/* Rule lists in document order, so rule indexes follow the file. */
static int parse_rules(struct pal_parse *p, const struct pal_node *root, const struct pal_node **v,
		       struct pal_pol_build *b)
{
	const struct pal_node *k, *val;
	int err = size_rules(p, v, b);

	if (err)
		return err == -EINVAL ? 0 : err;
	for (k = root->kids; k && (val = k->next) && !err; k = val->next) {
		for (int c = 0; c < PAL_CLASSES; c++)
			if (v[K_FILES + c] == val)
				err = parse_list(p, b, val, c);
	}
	b->pol->rules = b->rules;
	b->pol->files = b->files;
	b->pol->net = b->net;
	b->pol->dev = b->dev;
	return err;
}

/*
 * `mounts:` decides mount, move_mount and pivot_root for the tasks the
 * policy confines. A mount can give a path around every file rule, so a
 * policy with files: or exec: rules denies them unless it says otherwise.
 */
static void parse_mounts(struct pal_parse *p, const struct pal_node *v, struct pal_ir_policy *pol)
{
	bool confines = pol->defaults[PAL_CLASS_FILE] != PAL_ACT_NONE ||
			pol->defaults[PAL_CLASS_EXEC] != PAL_ACT_NONE;
	int d;

	pol->mounts = confines ? PAL_ACT_DENY : PAL_ACT_NONE;
	if (!v || !pal_want(p, v, "mounts", PAL_N_SCALAR))
		return;
	if (!confines) {
		pal_err(p, v,
			"'mounts' applies to the tasks a policy confines with files: or exec: "
			"rules, and this policy has none; add such rules or remove 'mounts'");
		return;
	}
	d = pal_word(p, v, "mounts", pal_action_words, PAL_ACTION_WORDS);
	if (d >= 0)
		pol->mounts = (__u8)(PAL_ACT_ALLOW + d);
}

static int root_ok(struct pal_parse *p, const struct pal_node *root)
{
	if (root->type == PAL_N_SCALAR && root->plain && !root->len) {
		pal_err(p, root,
			"empty document: expected a policy (apiVersion: %s, kind: %s, ...)",
			PAL_API_VERSION, PAL_KIND);
		return -EINVAL;
	}
	if (root->type != PAL_N_MAP) {
		pal_err(p, root, "a policy must be a mapping, found %s", pal_node_kind(root));
		return -EINVAL;
	}
	return 0;
}

int pal_schema_doc(struct pal_parse *p, struct pal_node *root)
{
	const struct pal_node *v[K_NKEYS], *k[K_NKEYS];
	struct pal_ir_policy pol = {.description = ""};
	struct pal_pol_build b = {.pol = &pol};
	unsigned int errors = p->nerrors;
	int err;

	if (root_ok(p, root))
		return 0;
	pal_map_keys(p, root, &doc_k, v, k);
	pol.loc = (struct pal_loc){p->file, root->line, root->col};
	parse_header(p, root, v, k, &pol);
	if (v[K_TARGET]) {
		err = parse_target(p, v[K_TARGET], &pol);
		if (err == -ENOMEM)
			return err;
	}
	err = parse_rules(p, root, v, &b);
	if (err == -ENOMEM)
		return err;
	parse_mounts(p, v[K_MOUNTS], &pol);
	if (!pol.name)
		return 0; /* reported; a nameless policy cannot be referred to */
	if (p->nerrors == errors) {
		err = pal_policy_checks(p, &pol);
		if (err)
			return err;
	}
	p->set->policies[p->set->npolicies++] = pol;
	return 0;
}
