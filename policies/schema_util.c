// SPDX-License-Identifier: GPL-2.0-only
/*
 * Schema helpers: keys of a mapping, typed values, words with suggestions,
 * actions, numbers, and a new rule. The per-class rule parsers
 * (rules_*.c) and the document parser (schema.c) build on them; they call
 * neither.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policies/policy_int.h"

static int find_key(const struct pal_keys *k, const struct pal_node *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (strlen(k->names[i]) == key->len && !memcmp(k->names[i], key->str, key->len))
			return (int)i;
	return -1;
}

static const char *join_words(struct pal_parse *p, const char *const *w, size_t n)
{
	size_t len = 1;
	char *s, *o;

	for (size_t i = 0; i < n; i++)
		len += strlen(w[i]) + 2;
	s = o = pal_arena_alloc(&p->tree, len);
	if (!s)
		return "";
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, "%s%s", i ? ", " : "", w[i]);
	return s;
}

/* Returns the index of the suggested key, or -1. */
static int unknown_key(struct pal_parse *p, const struct pal_node *key, const struct pal_keys *k)
{
	const char *s, *q;

	if (p->gave_up) /* nothing more is reported: skip the work */
		return -1;
	s = pal_closest(key->str, key->len, k->names, k->n);
	q = pal_q(p, key->str, key->len);
	if (!s) {
		pal_err(p, key, "unknown key '%s' in %s (expected %s)", q, k->what,
			join_words(p, k->names, k->n));
		return -1;
	}
	pal_err(p, key, "unknown key '%s' in %s; did you mean '%s'?", q, k->what, s);
	for (size_t i = 0; i < k->n; i++)
		if (k->names[i] == s)
			return (int)i;
	return -1;
}

void pal_map_keys(struct pal_parse *p, const struct pal_node *map, const struct pal_keys *k,
		  const struct pal_node **vals, const struct pal_node **keys)
{
	const struct pal_node *key, *val;

	for (size_t i = 0; i < k->n; i++)
		vals[i] = keys[i] = NULL;
	for (key = map->kids; key && (val = key->next); key = val->next) {
		int i;

		if (key->type != PAL_N_SCALAR) {
			pal_err(p, key, "keys of %s must be strings, found %s", k->what,
				pal_node_kind(key));
			continue;
		}
		i = find_key(k, key);
		if (i < 0) {
			/* a misspelt key is not also reported as missing */
			i = unknown_key(p, key, k);
			if (i >= 0 && !keys[i])
				keys[i] = key;
			continue;
		}
		if (vals[i]) {
			pal_err(p, key, "duplicate key '%s' (first at line %u, column %u)",
				k->names[i], keys[i]->line, keys[i]->col);
			continue;
		}
		vals[i] = val;
		keys[i] = key;
	}
}

static const char *const type_names[] = {"", "a string", "a list", "a mapping"};

bool pal_want(struct pal_parse *p, const struct pal_node *v, const char *key, int type)
{
	if (v->type != type) {
		if (type == PAL_N_SEQ && v->type == PAL_N_SCALAR && v->len)
			pal_err(p, v, "'%s' must be a list, found a string (write [%s])", key,
				pal_q(p, v->str, v->len));
		else
			pal_err(p, v, "'%s' must be %s, found %s", key, type_names[type],
				pal_node_kind(v));
		return false;
	}
	if (type == PAL_N_SCALAR && v->plain && !v->len) {
		pal_err(p, v, "'%s' has no value", key);
		return false;
	}
	return true;
}

bool pal_want_list(struct pal_parse *p, const struct pal_node *v, const char *key)
{
	if (!pal_want(p, v, key, PAL_N_SEQ))
		return false;
	if (!v->n) {
		pal_err(p, v, "'%s' is empty: list at least one entry", key);
		return false;
	}
	return true;
}

bool pal_is_word(const struct pal_node *v, const char *w)
{
	return strlen(w) == v->len && !memcmp(w, v->str, v->len);
}

int pal_word(struct pal_parse *p, const struct pal_node *v, const char *what,
	     const char *const *words, size_t n)
{
	const char *s, *q;

	if (v->type != PAL_N_SCALAR) {
		pal_err(p, v, "%s must be a string, found %s", what, pal_node_kind(v));
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (pal_is_word(v, words[i]))
			return (int)i;
	q = pal_q(p, v->str, v->len);
	s = pal_closest(v->str, v->len, words, n);
	if (s)
		pal_err(p, v, "unknown %s '%s'; did you mean '%s'?", what, q, s);
	else
		pal_err(p, v, "unknown %s '%s' (expected %s)", what, q, join_words(p, words, n));
	return -1;
}

const char *const pal_action_words[PAL_ACTION_WORDS] = {"allow", "audit", "deny"};

int pal_parse_action(struct pal_parse *p, const struct pal_node *v, __u8 *action)
{
	int i;

	if (!pal_want(p, v, "action", PAL_N_SCALAR))
		return -EINVAL;
	i = pal_word(p, v, "action", pal_action_words, PAL_ACTION_WORDS);
	if (i < 0)
		return -EINVAL;
	*action = (__u8)(PAL_ACT_ALLOW + i); /* allow=1, audit=2, deny=3 */
	return 0;
}

int pal_parse_uint(const struct pal_node *v, unsigned long max, unsigned long *out)
{
	unsigned long x = 0;

	if (v->type != PAL_N_SCALAR || !v->len || v->len > 10)
		return -EINVAL;
	if (v->len > 1 && v->str[0] == '0')
		return -EINVAL; /* no octal look-alikes */
	for (size_t i = 0; i < v->len; i++) {
		if (v->str[i] < '0' || v->str[i] > '9')
			return -EINVAL;
		x = x * 10 + (unsigned long)(v->str[i] - '0');
	}
	if (x > max)
		return -ERANGE;
	*out = x;
	return 0;
}

struct pal_ir_rule *pal_rule_new(struct pal_pol_build *b, const struct pal_node *item, __u8 class)
{
	struct pal_ir_rule *r = &b->rules[b->pol->nrules];

	r->index = b->pol->nrules++;
	r->class = class;
	r->loc = (struct pal_loc){b->pol->loc.file, item->line, item->col};
	r->action_loc = r->loc;
	return r;
}
