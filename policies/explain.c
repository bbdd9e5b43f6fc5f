// SPDX-License-Identifier: GPL-2.0-only
/*
 * palisade compile --explain: which rules of which policies decide one path
 * (for a process in a cgroup, running an executable), and why, with the
 * merge the kernel makes: deny beats audit beats allow, the policy's
 * default covers the rest.
 */
#include <errno.h>
#include <string.h>

#include "policies/explain.h"
#include "policies/pattern.h"

/* Does a `dirs:` rule on dir cover path (dir itself or below)? */
static bool dir_covers(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (n == 1)
		return true;
	return !strncmp(dir, path, n) && (path[n] == 0 || path[n] == '/');
}

/*
 * Does pattern rule f match path? A `dirs:` pattern also covers what is
 * below the directories it matches, as if it ended in a "**" component
 * (emit_file.c compiles it so). Returns -ENOMEM when it cannot tell.
 */
static int pattern_covers(const struct pal_ir_file *f, const char *path)
{
	size_t n = strlen(path);
	struct pal_pattern *p;
	struct pal_pat_error e;
	int hit;

	if (pal_pattern_parse(f->path, f->len, PAL_PAT_RULE, &p, &e))
		return -ENOMEM; /* it parsed when the policy loaded */
	hit = pal_pattern_match(p, path, n);
	for (size_t i = n; !hit && f->kind == PAL_KEY_DIR && i > 1; i--)
		if (path[i - 1] == '/')
			hit = pal_pattern_match(p, path, i - 1);
	pal_pattern_free(p);
	return hit;
}

static bool from_has(const struct pal_ir_file *f, const char *exe)
{
	for (__u32 i = 0; exe && i < f->nfrom; i++)
		if (!strcmp(f->from[i], exe))
			return true;
	return false;
}

/* Why policy pol applies to a process of cgroup cg, or NULL if it does not. */
static const char *applies(const struct pal_ir_policy *pol, const char *cg)
{
	if (pal_policy_host_wide(pol))
		return "host-wide";
	for (__u32 i = 0; cg && i < pol->ncgroups; i++) {
		struct pal_pattern *p;
		struct pal_pat_error e;
		bool m;

		if (pal_pattern_parse(pol->cgroups[i], strlen(pol->cgroups[i]), PAL_PAT_RULE, &p,
				      &e))
			continue;
		m = pal_pattern_match(p, cg, strlen(cg));
		pal_pattern_free(p);
		if (m)
			return pol->cgroups[i];
	}
	return NULL;
}

struct merged {
	__u32 bits[PAL_ACT_DENY + 1]; /* per action */
	bool any;
};

static void print_rule(FILE *out, const struct pal_ir_file *f, const char *exe, struct merged *m)
{
	char acc[256];
	bool matched = f->nfrom ? from_has(f, exe) : true;

	pal_access_names(f->class, f->access, acc, sizeof(acc));
	fprintf(out, "    %s:%u: %s%s '%s' %s [%s]%s\n", f->loc.file, f->loc.line,
		f->kind == PAL_KEY_DIR ? "dir" : f->pattern ? "path" : "exact",
		f->pattern ? " pattern" : "", f->path, pal_action_name(f->action), acc,
		!f->nfrom ? "" :
		matched	  ? " (from: lists the executable)" :
			    " (no effect: from: does not list the executable)");
	if (matched && f->action <= PAL_ACT_DENY) {
		m->bits[f->action] |= f->access;
		m->any = true;
	}
}

/* The merged decision of one class: the words of each action, the default for the rest. */
static void print_decision(FILE *out, const struct pal_ir_policy *pol, __u8 class,
			   const struct merged *m)
{
	__u32 all = class == PAL_CLASS_EXEC ? PAL_ACC_EXEC : PAL_ACC_FILE_ALL, done = 0;
	char acc[256];

	fprintf(out, "    decision:");
	for (int act = PAL_ACT_DENY; act >= PAL_ACT_ALLOW; act--) {
		__u32 b = m->bits[act] & all & ~done;

		if (!b)
			continue;
		pal_access_names(class, b, acc, sizeof(acc));
		fprintf(out, " %s [%s];", pal_action_name((__u8)act), acc);
		done |= b;
	}
	if ((all & ~done) && pol->defaults[class] != PAL_ACT_NONE)
		fprintf(out, " default %s for the rest", pal_action_name(pol->defaults[class]));
	else if (all & ~done)
		fprintf(out, " no say on the rest");
	fprintf(out, "%s\n",
		pol->mode == PAL_MODE_AUDIT ? " (audit mode: denials are logged)" : "");
}

static int explain_class(FILE *out, const struct pal_ir_policy *pol, __u8 class,
			 const struct pal_explain_query *q)
{
	struct merged m = {0};

	fprintf(out, "  %s:\n", class == PAL_CLASS_EXEC ? "exec" : "files");
	for (size_t i = 0; i < pol->nfiles; i++) {
		const struct pal_ir_file *f = &pol->files[i];
		int hit;

		if (f->class != class)
			continue;
		if (f->pattern)
			hit = pattern_covers(f, q->path);
		else
			hit = f->kind == PAL_KEY_EXACT ? !strcmp(f->path, q->path) :
							 dir_covers(f->path, q->path);
		if (hit < 0)
			return hit;
		if (hit)
			print_rule(out, f, q->exe, &m);
	}
	if (!m.any)
		fprintf(out, "    no rule names the path\n");
	print_decision(out, pol, class, &m);
	return 0;
}

int pal_explain(FILE *out, const struct pal_policy_set *set, const struct pal_explain_query *q)
{
	for (__u32 p = 0; p < set->npolicies; p++) {
		const struct pal_ir_policy *pol = &set->policies[p];
		const char *why = applies(pol, q->cgroup);

		if (!why) {
			fprintf(out, "policy '%s': does not apply (%s)\n", pol->name,
				q->cgroup ? "no target cgroup pattern matches the cgroup" :
					    "it targets cgroups: give --cgroup");
			continue;
		}
		fprintf(out, "policy '%s' (%s, %s%s%s):\n", pol->name, pal_mode_name(pol->mode),
			pal_policy_host_wide(pol) ? "" : "target cgroup '", why,
			pal_policy_host_wide(pol) ? "" : "' matches");
		int err = explain_class(out, pol, PAL_CLASS_FILE, q);

		if (err || (err = explain_class(out, pol, PAL_CLASS_EXEC, q)))
			return err;
	}
	return 0;
}
