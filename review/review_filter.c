// SPDX-License-Identifier: GPL-2.0-only
/*
 * Record filters of `palisade logs` and `palisade suggest`. Options combine
 * with AND; the values of one option (comma-separated or repeated) with OR.
 * The raw-line prefilter is in review_quick.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "review/review.h"

void rv_filter_init(struct rv_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->since = RV_TIME_NONE;
	f->until = RV_TIME_NONE;
}

void rv_filter_free(struct rv_filter *f)
{
	rv_glob_free(f->cgroup);
	rv_glob_free(f->path);
	rv_glob_free(f->exe);
	rv_glob_free(f->pod);
	rv_glob_free(f->ns);
	rv_glob_free(f->container);
	rv_glob_free(f->image);
	for (size_t i = 0; i < f->nowned; i++)
		free(f->owned[i]);
	rv_filter_init(f);
}

/* Call fn for each comma-separated item of value (at most RV_LIST_MAX in all). */
static int each_item(const char *value, int (*fn)(struct rv_filter *, const char *, size_t),
		     struct rv_filter *f)
{
	const char *p = value;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		int err;

		if (!n)
			return -EINVAL;
		err = fn(f, p, n);
		if (err)
			return err;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static bool item_is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(p, word, n);
}

static int add_action(struct rv_filter *f, const char *p, size_t n)
{
	if (item_is(p, n, "deny"))
		f->actions |= 1u << RV_ACT_DENY;
	else if (item_is(p, n, "audit"))
		f->actions |= 1u << RV_ACT_AUDIT;
	else
		return -EINVAL;
	return 0;
}

static int add_event(struct rv_filter *f, const char *p, size_t n)
{
	for (int e = RV_EV_FILE; e <= RV_EV_AGENT; e++) {
		if (item_is(p, n, rv_event_name(e))) {
			f->events |= 1u << e;
			return 0;
		}
	}
	return -EINVAL;
}

/* Values point into argv, which outlives the filter; copy only to cut at the comma. */
static char *own(struct rv_filter *f, const char *p, size_t n)
{
	char *s;

	if (f->nowned == sizeof(f->owned) / sizeof(f->owned[0]))
		return NULL;
	s = strndup(p, n);
	if (s)
		f->owned[f->nowned++] = s;
	return s;
}

static int add_policy(struct rv_filter *f, const char *p, size_t n)
{
	char *s;

	if (f->npolicies == RV_LIST_MAX)
		return -E2BIG;
	s = own(f, p, n);
	if (!s)
		return -ENOMEM;
	f->policies[f->npolicies++] = s;
	return 0;
}

/* Parse n bytes of p as a non-negative decimal integer. */
static int parse_uint(const char *p, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (!n || n > 18)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EINVAL;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

static int add_rule(struct rv_filter *f, const char *p, size_t n)
{
	int64_t v;
	char *s;

	if (f->nrules == RV_LIST_MAX || f->nrule_srcs == RV_LIST_MAX)
		return -E2BIG;
	if (item_is(p, n, "default")) {
		f->rules[f->nrules++] = -1;
		return 0;
	}
	if (!parse_uint(p, n, &v)) {
		f->rules[f->nrules++] = v;
		return 0;
	}
	if (!memchr(p, ':', n)) /* neither an index nor FILE:LINE */
		return -EINVAL;
	s = own(f, p, n);
	if (!s)
		return -ENOMEM;
	f->rule_srcs[f->nrule_srcs++] = s;
	return 0;
}

static int add_uid(struct rv_filter *f, const char *p, size_t n)
{
	if (f->nuids == RV_LIST_MAX)
		return -E2BIG;
	return parse_uint(p, n, &f->uids[f->nuids++]);
}

static int add_pid(struct rv_filter *f, const char *p, size_t n)
{
	if (f->npids == RV_LIST_MAX)
		return -E2BIG;
	return parse_uint(p, n, &f->pids[f->npids++]);
}

static int set_glob(struct rv_glob **g, const char *value, const char **err)
{
	if (*g) {
		*err = "given twice (one pattern per option)";
		return -EINVAL;
	}
	if (!*value) {
		*err = "empty pattern";
		return -EINVAL;
	}
	if (rv_glob_compile(value, g, err))
		return -EINVAL;
	return 0;
}

static int set_time(int64_t *t, const char *value, int64_t now, const char **err)
{
	if (rv_time_parse_arg(value, now, t)) {
		*err = "expected RFC 3339 (2026-11-22T10:00:00Z) or a duration (30m, 1h, 2d)";
		return -EINVAL;
	}
	return 0;
}

static int set_list(struct rv_filter *f, const char *name, const char *value, const char **err)
{
	static const struct {
		const char *name;
		int (*fn)(struct rv_filter *, const char *, size_t);
		const char *err;
	} lists[] = {
		{"action", add_action, "expected deny or audit"},
		{"event", add_event,
		 "expected file, exec, network, device, lost, suppressed, policy or agent"},
		{"policy", add_policy, "expected policy names"},
		{"rule", add_rule, "expected a rule index, 'default' or FILE:LINE"},
		{"uid", add_uid, "expected numbers"},
		{"pid", add_pid, "expected numbers"},
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (strcmp(name, lists[i].name))
			continue;
		if (each_item(value, lists[i].fn, f)) {
			*err = lists[i].err;
			return -EINVAL;
		}
		return 0;
	}
	return -ENOENT;
}

/* --pod, --namespace, --container, --image: -ENOENT when name is none of them. */
static int set_container_glob(struct rv_filter *f, const char *name, const char *value,
			      const char **err)
{
	if (!strcmp(name, "pod"))
		return set_glob(&f->pod, value, err);
	if (!strcmp(name, "namespace"))
		return set_glob(&f->ns, value, err);
	if (!strcmp(name, "container"))
		return set_glob(&f->container, value, err);
	if (!strcmp(name, "image"))
		return set_glob(&f->image, value, err);
	return -ENOENT;
}

int rv_filter_set(struct rv_filter *f, const char *name, const char *value, int64_t now,
		  const char **err)
{
	int r;

	*err = NULL;
	if (!strcmp(name, "since"))
		return set_time(&f->since, value, now, err);
	if (!strcmp(name, "until"))
		return set_time(&f->until, value, now, err);
	if (!strcmp(name, "cgroup"))
		return set_glob(&f->cgroup, value, err);
	if (!strcmp(name, "path"))
		return set_glob(&f->path, value, err);
	if (!strcmp(name, "exe"))
		return set_glob(&f->exe, value, err);
	r = set_container_glob(f, name, value, err);
	return r == -ENOENT ? set_list(f, name, value, err) : r;
}

/* ---- exact match ------------------------------------------------------- */

static bool in_list(const int64_t *list, size_t n, int64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

static bool int_match(const struct rv_rec *r, enum rv_int i, const int64_t *list, size_t n)
{
	return !n || (rv_has(r, i) && in_list(list, n, r->num[i]));
}

static bool policy_match(const struct rv_filter *f, const struct rv_rec *r)
{
	if (!f->npolicies)
		return true;
	if (!r->policy)
		return false;
	for (size_t i = 0; i < f->npolicies; i++)
		if (!strcmp(r->policy, f->policies[i]))
			return true;
	return false;
}

static bool rule_match(const struct rv_filter *f, const struct rv_rec *r)
{
	if (!f->nrules && !f->nrule_srcs)
		return true;
	if (rv_has(r, RV_I_RULE) && in_list(f->rules, f->nrules, r->num[RV_I_RULE]))
		return true;
	if (r->rule_null && in_list(f->rules, f->nrules, -1))
		return true;
	for (size_t i = 0; r->rule_src && i < f->nrule_srcs; i++)
		if (!strcmp(r->rule_src, f->rule_srcs[i]))
			return true;
	return false;
}

static bool glob_ok(const struct rv_glob *g, const char *s)
{
	return !g || (s && rv_glob_match(g, s));
}

bool rv_filter_match_time(const struct rv_filter *f, const struct rv_rec *r)
{
	return (f->since == RV_TIME_NONE || r->time >= f->since) &&
	       (f->until == RV_TIME_NONE || r->time <= f->until);
}

bool rv_filter_match(const struct rv_filter *f, const struct rv_rec *r)
{
	if (!rv_filter_match_time(f, r))
		return false;
	if (f->actions && !(f->actions & (1u << r->action)))
		return false;
	if (f->events && !(f->events & (1u << r->event)))
		return false;
	if (!policy_match(f, r) || !rule_match(f, r))
		return false;
	if (!int_match(r, RV_I_UID, f->uids, f->nuids) ||
	    !int_match(r, RV_I_PID, f->pids, f->npids))
		return false;
	if (!glob_ok(f->cgroup, r->cgroup) || !glob_ok(f->exe, r->exe))
		return false;
	if (!glob_ok(f->pod, r->pod) || !glob_ok(f->ns, r->ns) ||
	    !glob_ok(f->container, r->container) || !glob_ok(f->image, r->image))
		return false;
	/* a rename or link matches on either of its paths */
	return !f->path || glob_ok(f->path, r->path) || (r->path2 && glob_ok(f->path, r->path2));
}
