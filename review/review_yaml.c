// SPDX-License-Identifier: GPL-2.0-only
/*
 * The YAML side of `palisade suggest`: policy language v1 (docs/policy.md),
 * `default: deny` for the classes that were observed, `allow` rules for
 * what was seen, comments with the counts. Output order is deterministic:
 * paths sorted, rules grouped by their access words.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "review/review_suggest.h"

/* ---- collapse ------------------------------------------------------------ */

static void collapse(struct sg_node *n, unsigned int threshold)
{
	n->sub_access = n->access;
	n->sub_count = n->count;
	n->sub_direct = n->direct;
	for (struct sg_node *c = n->child; c; c = c->next) {
		collapse(c, threshold);
		n->sub_access |= c->sub_access;
		n->sub_count += c->sub_count;
		n->sub_direct += c->sub_direct;
	}
	n->collapsed = threshold && n->depth >= SG_MIN_COLLAPSE_DEPTH && n->nchild >= threshold;
}

static char *node_path(const struct sg_node *n)
{
	size_t len = 0;
	char *p;

	for (const struct sg_node *m = n; m->parent; m = m->parent)
		len += strlen(m->name) + 1;
	p = malloc(len + 2);
	if (!p)
		return NULL;
	if (!len)
		return strcpy(p, "/");
	p[len] = 0;
	for (const struct sg_node *m = n; m->parent; m = m->parent) {
		size_t k = strlen(m->name);

		len -= k;
		memcpy(p + len, m->name, k);
		p[--len] = '/';
	}
	return p;
}

static int push(struct sg_entries *e, int kind, const struct sg_node *n)
{
	struct sg_entry *x;

	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 64;
		struct sg_entry *v = realloc(e->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	x = &e->v[e->n];
	*x = (struct sg_entry){0};
	x->path = node_path(n);
	if (!x->path)
		return -ENOMEM;
	x->kind = kind;
	x->access = kind == SG_K_DIR ? n->sub_access : n->access;
	x->count = kind == SG_K_DIR ? n->sub_count : n->count;
	x->below = n->sub_direct;
	e->n++;
	return 0;
}

static int walk(const struct sg_node *n, struct sg_entries *e)
{
	int err = 0;

	if (n->collapsed)
		return push(e, SG_K_DIR, n);
	if (n->direct)
		err = push(e, SG_K_PATH, n);
	for (const struct sg_node *c = n->child; c && !err; c = c->next)
		err = walk(c, e);
	return err;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct sg_entry *x = a, *y = b;

	if (x->action != y->action)
		return (int)x->action - (int)y->action;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->access != y->access)
		return x->access < y->access ? -1 : 1;
	return strcmp(x->path, y->path);
}

void sg_entries_free(struct sg_entries *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].path);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

int sg_entries_get(struct rv_suggest *s, bool execs, struct sg_entries *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	collapse(execs ? s->execs : s->files, execs ? 0 : s->collapse); /* binaries: each named */
	err = walk(execs ? s->execs : s->files, e);
	if (!err && !execs && e->n)
		qsort(e->v, e->n, sizeof(*e->v), cmp_entry);
	if (err)
		sg_entries_free(e);
	return err;
}

/* ---- scalars ------------------------------------------------------------- */

/* Plain when every byte is unremarkable, double-quoted otherwise. */
static void scalar(struct rv_buf *out, const char *s)
{
	bool plain = *s != 0;

	for (const char *c = s; *c && plain; c++)
		plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			(*c >= '0' && *c <= '9') || strchr("/._+@%=,~-", *c);
	if (plain && *s != '-' && *s != '~') {
		rv_buf_put(out, s, strlen(s));
		return;
	}
	rv_buf_put(out, "\"", 1);
	for (const char *c = s; *c; c++) {
		if (*c == '"' || *c == '\\')
			rv_buf_put(out, "\\", 1);
		rv_buf_put(out, c, 1);
	}
	rv_buf_put(out, "\"", 1);
}

static void words(struct rv_buf *out, uint32_t bits, const char *(*word)(unsigned int),
		  unsigned int n)
{
	const char *sep = "";

	rv_buf_put(out, "[", 1);
	for (unsigned int b = 0; b < n; b++) {
		if (!(bits & (1u << b)))
			continue;
		rv_buf_printf(out, "%s%s", sep, word(b));
		sep = ", ";
	}
	rv_buf_put(out, "]", 1);
}

/* YAML allows no C0, DEL or C1 control character, not even in a comment: each becomes '?'. */
static void comment_text(struct rv_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9f)
			s++; /* U+0080..U+009F */
		else if (c >= 0x20 && c != 0x7f) {
			rv_buf_put(out, s, 1);
			continue;
		}
		rv_buf_put(out, "?", 1);
	}
}

/* ---- sections ------------------------------------------------------------ */

/*
 * A recorded path as a rule path: '*', '?' and '[' would make it a pattern
 * (docs/policy.md), and '\\' an escape, so each gets a backslash. Out of
 * memory, the item is written so that no policy check accepts it.
 */
static void rule_path(struct rv_buf *out, const char *path)
{
	struct rv_buf esc = {0};
	int err = rv_buf_put(&esc, "", 0);

	for (const char *c = path; *c && !err; c++) {
		if (strchr("*?[\\", *c))
			err = rv_buf_put(&esc, "\\", 1);
		if (!err)
			err = rv_buf_put(&esc, c, 1);
	}
	if (err)
		rv_buf_printf(out, "!!out-of-memory");
	else
		scalar(out, esc.p);
	rv_buf_free(&esc);
}

static void path_item(struct rv_buf *out, const struct sg_entry *x, unsigned int threshold)
{
	rv_buf_printf(out, "      - ");
	rule_path(out, x->path);
	if (x->widened)
		rv_buf_printf(out, " # %llu (widened to the directory by hand)\n",
			      (unsigned long long)x->count);
	else if (x->kind == SG_K_DIR)
		rv_buf_printf(out, " # %llu accesses to %zu paths below (collapsed: %zu >= %u)\n",
			      (unsigned long long)x->count, x->below, x->below, threshold);
	else
		rv_buf_printf(out, " # %llu\n", (unsigned long long)x->count);
}

static const char *action_word(enum sg_action a)
{
	return a == SG_DENY ? "deny" : a == SG_AUDIT ? "audit" : "allow";
}

/*
 * Ask o->review about every entry, then drop the skipped ones, sort them
 * into rules again and merge entries that became the same (two paths
 * widened to one directory).
 */
static void review_entries(struct sg_entries *e, bool exec, const struct rv_suggest_opts *o)
{
	size_t n = 0;

	for (size_t i = 0; o->review && i < e->n; i++)
		if (o->review(&e->v[i], exec, i, e->n, o->review_ctx))
			break;
	for (size_t i = 0; i < e->n; i++) {
		if (e->v[i].action == SG_SKIP)
			free(e->v[i].path);
		else
			e->v[n++] = e->v[i];
	}
	e->n = n;
	qsort(e->v, e->n, sizeof(*e->v), cmp_entry);
	for (size_t i = n = 0; i < e->n; i++) {
		if (n && !cmp_entry(&e->v[n - 1], &e->v[i])) {
			e->v[n - 1].count += e->v[i].count;
			free(e->v[i].path);
		} else {
			e->v[n++] = e->v[i];
		}
	}
	e->n = n;
}

/* One rule per run of entries with the same action, kind and access words. */
static void file_rules(struct rv_buf *out, const struct sg_entries *e, unsigned int threshold)
{
	for (size_t i = 0; i < e->n;) {
		size_t j = i;
		uint64_t total = 0;

		while (j < e->n && e->v[j].kind == e->v[i].kind &&
		       e->v[j].access == e->v[i].access && e->v[j].action == e->v[i].action)
			total += e->v[j++].count;
		rv_buf_printf(out, "  # %zu %s, %llu access%s\n", j - i,
			      e->v[i].kind == SG_K_DIR ?
				      (j - i == 1 ? "directory" : "directories") :
				      (j - i == 1 ? "path" : "paths"),
			      (unsigned long long)total, total == 1 ? "" : "es");
		rv_buf_printf(out, "  - %s:\n", e->v[i].kind == SG_K_DIR ? "dirs" : "paths");
		for (size_t k = i; k < j; k++)
			path_item(out, &e->v[k], threshold);
		rv_buf_printf(out, "    access: ");
		words(out, e->v[i].access, sg_file_word, SG_FILE_WORDS);
		rv_buf_printf(out, "\n    action: %s\n", action_word(e->v[i].action));
		i = j;
	}
}

/*
 * Per-process paths: the kernel matches the resolved path (/proc/4242/...,
 * never /proc/self/...: that is a symlink resolved before any hook), and rule
 * paths have no wildcard, so only the directory /proc covers the next run.
 */
static void proc_rule(const struct sg_proc *pr, struct rv_buf *out)
{
	rv_buf_printf(out, "  # %llu access%s to per-process paths:\n",
		      (unsigned long long)pr->count, pr->count == 1 ? "" : "es");
	for (size_t i = 0; i < pr->nforms; i++) {
		rv_buf_printf(out, "  #   ");
		comment_text(out, pr->forms[i]);
		rv_buf_put(out, "\n", 1);
	}
	if (pr->more_forms)
		rv_buf_printf(out, "  #   (more)\n");
	rv_buf_printf(
		out,
		"  # Rule paths match the resolved path (/proc/<pid>/..., never /proc/self/...)\n"
		"  # and have no wildcard, so only the directory /proc covers the next run's\n"
		"  # pids: this rule allows these words on all of /proc. Narrow it by hand.\n");
	rv_buf_printf(out, "  - dirs:\n      - /proc # %llu access%s\n    access: ",
		      (unsigned long long)pr->count, pr->count == 1 ? "" : "es");
	words(out, pr->access, sg_file_word, SG_FILE_WORDS);
	rv_buf_printf(out, "\n    action: allow\n");
}

static int files_section(struct rv_suggest *s, const struct rv_suggest_opts *o, struct rv_buf *out)
{
	struct sg_entries e;
	int err = sg_entries_get(s, false, &e);

	if (!err && o->review)
		review_entries(&e, false, o);
	if (!err && (e.n || s->proc.count))
		rv_buf_printf(out, "files:\n");
	if (!err && e.n)
		file_rules(out, &e, s->collapse);
	if (!err && s->proc.count)
		proc_rule(&s->proc, out);
	sg_entries_free(&e);
	return err;
}

/* One exec rule per action (only --interactive makes more than one). */
static int exec_section(struct rv_suggest *s, const struct rv_suggest_opts *o, struct rv_buf *out)
{
	struct sg_entries e;
	int err = sg_entries_get(s, true, &e);

	if (!err && o->review)
		review_entries(&e, true, o);
	if (!err && e.n)
		rv_buf_printf(out, "exec:\n");
	for (size_t i = 0; !err && i < e.n;) {
		size_t j = i;

		rv_buf_printf(out, "  - paths:\n");
		for (; j < e.n && e.v[j].action == e.v[i].action; j++)
			path_item(out, &e.v[j], 0);
		rv_buf_printf(out, "    action: %s\n", action_word(e.v[i].action));
		i = j;
	}
	sg_entries_free(&e);
	return err;
}

/* [22, "8000-8003"]: consecutive ports become a range; sep between items. */
void sg_ports(struct rv_buf *out, const uint16_t *p, size_t n, const char *sep)
{
	rv_buf_put(out, "[", 1);
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && p[j + 1] == p[j] + 1)
			j++;
		if (j > i)
			rv_buf_printf(out, "%s\"%u-%u\"", i ? sep : "", p[i], p[j]);
		else
			rv_buf_printf(out, "%s%u", i ? sep : "", p[i]);
		i = j + 1;
	}
	rv_buf_put(out, "]", 1);
}

bool sg_same_service(const struct sg_dest *a, const struct sg_dest *b)
{
	return a->protocols == b->protocols && a->any_port == b->any_port &&
	       a->nports == b->nports && !memcmp(a->ports, b->ports, a->nports * sizeof(*a->ports));
}

static int cmp_dest(const void *a, const void *b)
{
	return strcmp(((const struct sg_dest *)a)->cidr, ((const struct sg_dest *)b)->cidr);
}

void sg_sort_dests(struct rv_suggest *s)
{
	qsort(s->dests, s->ndests, sizeof(*s->dests), cmp_dest);
}

static void protocols(struct rv_buf *out, unsigned int p)
{
	if (p & SG_OTHER || !p)
		return; /* absent: both (a protocol other than tcp/udp was seen) */
	rv_buf_printf(out, "    protocols: [%s%s%s]\n", p & SG_TCP ? "tcp" : "",
		      p == (SG_TCP | SG_UDP) ? ", " : "", p & SG_UDP ? "udp" : "");
}

/* Destinations with the same ports and protocols share one rule. */
static int connect_rules(struct rv_suggest *s, struct rv_buf *out)
{
	bool *done = calloc(s->ndests + 1, sizeof(*done));

	if (!done)
		return -ENOMEM;
	sg_sort_dests(s);
	for (size_t i = 0; i < s->ndests; i++) {
		const struct sg_dest *d = &s->dests[i];

		if (done[i])
			continue;
		rv_buf_printf(out, "  - connect:\n");
		for (size_t j = i; j < s->ndests; j++) {
			if (done[j] || !sg_same_service(d, &s->dests[j]))
				continue;
			done[j] = true;
			rv_buf_printf(out, "      - \"%s\" # %llu\n", s->dests[j].cidr,
				      (unsigned long long)s->dests[j].count);
		}
		if (d->any_port) {
			rv_buf_printf(out, "    # a record without a port: all ports\n");
		} else {
			rv_buf_printf(out, "    ports: ");
			sg_ports(out, d->ports, d->nports, ", ");
			rv_buf_put(out, "\n", 1);
		}
		protocols(out, d->protocols);
		rv_buf_printf(out, "    action: allow\n");
	}
	free(done);
	return 0;
}

static int network_section(struct rv_suggest *s, struct rv_buf *out)
{
	if (!s->ndests && !s->nbind && !s->nfamilies)
		return 0;
	rv_buf_printf(out, "network:\n");
	if (connect_rules(s, out))
		return -ENOMEM;
	if (s->nbind) {
		rv_buf_printf(out, "  # %llu bind%s\n  - bind: { ports: ",
			      (unsigned long long)s->bind_count, s->bind_count == 1 ? "" : "s");
		sg_ports(out, s->bind_ports, s->nbind, ", ");
		rv_buf_printf(out, " }\n    action: allow\n");
	}
	for (size_t i = 0; i < s->nfamilies; i++) {
		rv_buf_printf(out, "  # %llu socket%s\n  - socket: { family: ",
			      (unsigned long long)s->family_count[i],
			      s->family_count[i] == 1 ? "" : "s");
		scalar(out, s->families[i]);
		rv_buf_printf(out, " }\n    action: allow\n");
	}
	return 0;
}

static void devices_section(struct rv_suggest *s, struct rv_buf *out)
{
	if (!s->ndevs)
		return;
	rv_buf_printf(out, "devices:\n");
	for (size_t i = 0; i < s->ndevs; i++) {
		const struct sg_dev *d = &s->devs[i];

		rv_buf_printf(out,
			      "  # %llu access%s\n  - type: %s\n    major: %lld\n"
			      "    minor: %lld\n    access: ",
			      (unsigned long long)d->count, d->count == 1 ? "" : "es",
			      d->type == 'b' ? "block" : "char", (long long)d->major,
			      (long long)d->minor);
		words(out, d->access, sg_dev_word, SG_DEV_WORDS);
		rv_buf_printf(out, "\n    action: allow\n");
	}
}

/* ---- the document -------------------------------------------------------- */

static void header(struct rv_suggest *s, const struct rv_suggest_opts *o, struct rv_buf *out)
{
	char a[32], b[32];

	rv_time_format(s->first, 0, a, sizeof(a));
	rv_time_format(s->last, 0, b, sizeof(b));
	rv_buf_printf(out, "# Suggested by 'palisade suggest' from %llu %s records",
		      (unsigned long long)s->records, o->source ? o->source : "audit");
	if (o->policy) {
		rv_buf_printf(out, " of policy '");
		comment_text(out, o->policy);
		rv_buf_printf(out, "'");
	}
	rv_buf_printf(out, ",\n# %s to %s.\n", a, b);
	rv_buf_printf(out, "# Every rule allows what the workload was seen doing: review it, then\n"
			   "# run the workload in audit mode with it before enforcing.\n");
	if (s->collapse)
		rv_buf_printf(out,
			      "# Directories with %u or more accessed entries are collapsed "
			      "into dirs: rules.\n",
			      s->collapse);
	rv_buf_printf(out, "apiVersion: palisade/v1\nkind: Policy\nname: %s\n", o->name);
	rv_buf_printf(out, "description: allow-list suggested from observed behaviour\n");
	rv_buf_printf(out, "mode: enforce\n");
}

static void selector_key(struct rv_buf *out, const char *lead, const char *key, const char *v)
{
	if (!v)
		return;
	rv_buf_printf(out, "%s%s: ", lead, key);
	scalar(out, v);
	rv_buf_put(out, "\n", 1);
}

/* One selector per namespace; none known: one without (it names no namespace). */
static int container_target(struct rv_suggest *s, const struct rv_suggest_opts *o,
			    struct rv_buf *out)
{
	const char *const *ns = NULL;
	const char *err;
	size_t n = rv_suggest_namespaces(s, o, &ns, &err);

	if (err)
		return -EDOM;
	rv_buf_printf(out, "target:\n  containers:%s\n",
		      o->ns ? "" :
		      n	    ? " # namespaces as observed" :
			      " # the records name no namespace");
	for (size_t i = 0; i < (n ? n : 1); i++) {
		const char *lead = "    - ";

		if (n) {
			selector_key(out, lead, "namespace", ns[i]);
			lead = "      ";
		}
		selector_key(out, lead, "pod", o->pod);
		lead = n || o->pod ? "      " : lead;
		selector_key(out, lead, "container", o->container);
	}
	return 0;
}

static void target(struct rv_suggest *s, const struct rv_suggest_opts *o, struct rv_buf *out)
{
	const char *const *cg = o->ncgroups ? o->cgroups : (const char *const *)s->cgroups;
	size_t n = o->ncgroups ? o->ncgroups : s->ncgroups;

	if (!n) {
		rv_buf_printf(out, "# No cgroup in the records: this policy applies to every "
				   "process on the host.\n");
		return;
	}
	rv_buf_printf(out, "target:\n  cgroups:%s\n", o->ncgroups ? "" : " # as observed");
	for (size_t i = 0; i < n; i++) {
		rv_buf_printf(out, "    - ");
		scalar(out, cg[i]);
		rv_buf_put(out, "\n", 1);
	}
}

/* "151 records skipped: control characters in the path (first: TIME file PATH)" */
static void notes(struct rv_suggest *s, struct rv_buf *out)
{
	uint64_t listed = 0;

	if (!s->skipped)
		return;
	rv_buf_printf(out, "# %llu record%s gave no rule:\n", (unsigned long long)s->skipped,
		      s->skipped == 1 ? "" : "s");
	for (size_t i = 0; i < s->nnotes; i++) {
		const struct sg_note *n = &s->notes[i];

		rv_buf_printf(out, "#   %llu record%s skipped: %s (first: ",
			      (unsigned long long)n->count, n->count == 1 ? "" : "s", n->why);
		comment_text(out, n->first);
		rv_buf_printf(out, ")\n");
		listed += n->count;
	}
	if (s->skipped > listed)
		rv_buf_printf(out, "#   %llu records skipped for other reasons\n",
			      (unsigned long long)(s->skipped - listed));
}

int rv_suggest_yaml(struct rv_suggest *s, const struct rv_suggest_opts *o, struct rv_buf *out)
{
	int err;

	if (!s->records)
		return -ENODATA;
	header(s, o, out);
	if (rv_suggest_by_container(o)) {
		err = container_target(s, o, out);
		if (err)
			return err;
	} else {
		target(s, o, out);
	}
	rv_buf_printf(out, "default: deny # for the rule classes below only\n");
	err = files_section(s, o, out);
	if (!err)
		err = exec_section(s, o, out);
	if (!err)
		err = network_section(s, out);
	if (err)
		return err;
	devices_section(s, out);
	notes(s, out);
	return 0;
}
