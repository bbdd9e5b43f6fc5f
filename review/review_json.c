// SPDX-License-Identifier: GPL-2.0-only
/*
 * `palisade suggest --json`: the suggested policy as one JSON object. Its
 * "policy" member is the policy document itself (JSON is YAML, so it can be
 * fed to `palisade check -` as it is); the counts, the period and the
 * skipped records are beside it, where the YAML has comments.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "review/review_suggest.h"

static void str(struct rv_buf *b, const char *s)
{
	rv_json_str(b, s);
}

static void key(struct rv_buf *b, bool *first, const char *k)
{
	rv_buf_printf(b, "%s\"%s\":", *first ? "" : ",", k);
	*first = false;
}

static void words(struct rv_buf *b, uint32_t bits, const char *(*word)(unsigned int),
		  unsigned int n)
{
	const char *sep = "";

	rv_buf_put(b, "[", 1);
	for (unsigned int i = 0; i < n; i++) {
		if (bits & (1u << i)) {
			rv_buf_printf(b, "%s\"%s\"", sep, word(i));
			sep = ",";
		}
	}
	rv_buf_put(b, "]", 1);
}

/* ---- target ---------------------------------------------------------------- */

static int containers(struct rv_suggest *s, const struct rv_suggest_opts *o, struct rv_buf *b)
{
	const char *const *ns = NULL;
	const char *err;
	size_t n = rv_suggest_namespaces(s, o, &ns, &err);

	if (err)
		return -EDOM;
	rv_buf_printf(b, ",\"target\":{\"containers\":[");
	for (size_t i = 0; i < (n ? n : 1); i++) {
		const char *k[] = {"namespace", "pod", "container"};
		const char *v[] = {n ? ns[i] : NULL, o->pod, o->container};
		bool first = true;

		rv_buf_printf(b, "%s{", i ? "," : "");
		for (size_t j = 0; j < 3; j++) {
			if (v[j]) {
				key(b, &first, k[j]);
				str(b, v[j]);
			}
		}
		rv_buf_put(b, "}", 1);
	}
	return rv_buf_put(b, "]}", 2);
}

static int target(struct rv_suggest *s, const struct rv_suggest_opts *o, struct rv_buf *b)
{
	const char *const *cg = o->ncgroups ? o->cgroups : (const char *const *)s->cgroups;
	size_t n = o->ncgroups ? o->ncgroups : s->ncgroups;

	if (rv_suggest_by_container(o))
		return containers(s, o, b);
	if (!n)
		return 0; /* the whole host: "warnings" says so */
	rv_buf_printf(b, ",\"target\":{\"cgroups\":[");
	for (size_t i = 0; i < n; i++) {
		rv_buf_printf(b, "%s", i ? "," : "");
		str(b, cg[i]);
	}
	return rv_buf_put(b, "]}", 2);
}

/* ---- rules ------------------------------------------------------------------ */

static void file_rules(const struct sg_entries *e, const struct sg_proc *pr, struct rv_buf *b)
{
	rv_buf_printf(b, ",\"files\":[");
	for (size_t i = 0; i < e->n;) {
		size_t j = i;

		rv_buf_printf(b, "%s{\"%s\":[", i ? "," : "",
			      e->v[i].kind == SG_K_DIR ? "dirs" : "paths");
		for (; j < e->n && e->v[j].kind == e->v[i].kind && e->v[j].access == e->v[i].access;
		     j++) {
			rv_buf_printf(b, "%s", j > i ? "," : "");
			str(b, e->v[j].path);
		}
		rv_buf_printf(b, "],\"access\":");
		words(b, e->v[i].access, sg_file_word, SG_FILE_WORDS);
		rv_buf_printf(b, ",\"action\":\"allow\"}");
		i = j;
	}
	if (pr->count) { /* per-process paths: see proc_rule() in review_yaml.c */
		rv_buf_printf(b, "%s{\"dirs\":[\"/proc\"],\"access\":", e->n ? "," : "");
		words(b, pr->access, sg_file_word, SG_FILE_WORDS);
		rv_buf_printf(b, ",\"action\":\"allow\"}");
	}
	rv_buf_put(b, "]", 1);
}

static void exec_rules(const struct sg_entries *e, struct rv_buf *b)
{
	rv_buf_printf(b, ",\"exec\":[{\"paths\":[");
	for (size_t i = 0; i < e->n; i++) {
		rv_buf_printf(b, "%s", i ? "," : "");
		str(b, e->v[i].path);
	}
	rv_buf_printf(b, "],\"action\":\"allow\"}]");
}

static void protocols(struct rv_buf *b, unsigned int p)
{
	if (p & SG_OTHER || !p)
		return; /* absent: both */
	rv_buf_printf(b, ",\"protocols\":[%s%s%s]", p & SG_TCP ? "\"tcp\"" : "",
		      p == (SG_TCP | SG_UDP) ? "," : "", p & SG_UDP ? "\"udp\"" : "");
}

static int connect_rules(struct rv_suggest *s, struct rv_buf *b, const char **sep)
{
	bool *done = calloc(s->ndests + 1, sizeof(*done));

	if (!done)
		return -ENOMEM;
	sg_sort_dests(s);
	for (size_t i = 0; i < s->ndests; i++) {
		const struct sg_dest *d = &s->dests[i];
		const char *comma = "";

		if (done[i])
			continue;
		rv_buf_printf(b, "%s{\"connect\":[", *sep);
		*sep = ",";
		for (size_t j = i; j < s->ndests; j++) {
			if (done[j] || !sg_same_service(d, &s->dests[j]))
				continue;
			done[j] = true;
			rv_buf_printf(b, "%s\"%s\"", comma, s->dests[j].cidr);
			comma = ",";
		}
		rv_buf_put(b, "]", 1);
		if (!d->any_port) {
			rv_buf_printf(b, ",\"ports\":");
			sg_ports(b, d->ports, d->nports, ",");
		}
		protocols(b, d->protocols);
		rv_buf_printf(b, ",\"action\":\"allow\"}");
	}
	free(done);
	return 0;
}

static int network_rules(struct rv_suggest *s, struct rv_buf *b)
{
	const char *sep = "";

	if (!s->ndests && !s->nbind && !s->nfamilies)
		return 0;
	rv_buf_printf(b, ",\"network\":[");
	if (connect_rules(s, b, &sep))
		return -ENOMEM;
	if (s->nbind) {
		rv_buf_printf(b, "%s{\"bind\":{\"ports\":", sep);
		sg_ports(b, s->bind_ports, s->nbind, ",");
		rv_buf_printf(b, "},\"action\":\"allow\"}");
		sep = ",";
	}
	for (size_t i = 0; i < s->nfamilies; i++) {
		rv_buf_printf(b, "%s{\"socket\":{\"family\":", sep);
		str(b, s->families[i]);
		rv_buf_printf(b, "},\"action\":\"allow\"}");
		sep = ",";
	}
	return rv_buf_put(b, "]", 1);
}

static void device_rules(struct rv_suggest *s, struct rv_buf *b)
{
	if (!s->ndevs)
		return;
	rv_buf_printf(b, ",\"devices\":[");
	for (size_t i = 0; i < s->ndevs; i++) {
		const struct sg_dev *d = &s->devs[i];

		rv_buf_printf(b, "%s{\"type\":\"%s\",\"major\":%lld,\"minor\":%lld,\"access\":",
			      i ? "," : "", d->type == 'b' ? "block" : "char", (long long)d->major,
			      (long long)d->minor);
		words(b, d->access, sg_dev_word, SG_DEV_WORDS);
		rv_buf_printf(b, ",\"action\":\"allow\"}");
	}
	rv_buf_put(b, "]", 1);
}

/* ---- counts beside the policy ---------------------------------------------- */

/* "/proc": {"count": N, "per_process": ["/proc/<pid>/status", ...]} */
static void proc_counts(const struct sg_proc *pr, bool first, struct rv_buf *b)
{
	if (!pr->count)
		return;
	rv_buf_printf(b, "%s\"/proc\":{\"count\":%llu,\"per_process\":[", first ? "" : ",",
		      (unsigned long long)pr->count);
	for (size_t i = 0; i < pr->nforms; i++) {
		rv_buf_printf(b, "%s", i ? "," : "");
		str(b, pr->forms[i]);
	}
	rv_buf_printf(b, "],\"more\":%s}", pr->more_forms ? "true" : "false");
}

/* {"PATH": {"count": N, "below": M}, ...}: what each path or directory stands for. */
static void path_counts(const struct sg_entries *e, const struct sg_proc *pr, struct rv_buf *b)
{
	rv_buf_put(b, "{", 1);
	for (size_t i = 0; i < e->n; i++) {
		rv_buf_printf(b, "%s", i ? "," : "");
		str(b, e->v[i].path);
		rv_buf_printf(b, ":{\"count\":%llu", (unsigned long long)e->v[i].count);
		if (e->v[i].kind == SG_K_DIR)
			rv_buf_printf(b, ",\"below\":%zu", e->v[i].below);
		rv_buf_put(b, "}", 1);
	}
	if (pr)
		proc_counts(pr, !e->n, b);
	rv_buf_put(b, "}", 1);
}

static void other_counts(struct rv_suggest *s, struct rv_buf *b)
{
	rv_buf_printf(b, ",\"connect\":{");
	for (size_t i = 0; i < s->ndests; i++)
		rv_buf_printf(b, "%s\"%s\":%llu", i ? "," : "", s->dests[i].cidr,
			      (unsigned long long)s->dests[i].count);
	rv_buf_printf(b, "},\"bind\":%llu,\"socket\":{", (unsigned long long)s->bind_count);
	for (size_t i = 0; i < s->nfamilies; i++) {
		rv_buf_printf(b, "%s", i ? "," : "");
		str(b, s->families[i]);
		rv_buf_printf(b, ":%llu", (unsigned long long)s->family_count[i]);
	}
	rv_buf_printf(b, "},\"devices\":{");
	for (size_t i = 0; i < s->ndevs; i++)
		rv_buf_printf(b, "%s\"%s %lld:%lld\":%llu", i ? "," : "",
			      s->devs[i].type == 'b' ? "block" : "char",
			      (long long)s->devs[i].major, (long long)s->devs[i].minor,
			      (unsigned long long)s->devs[i].count);
	rv_buf_put(b, "}", 1);
}

static void skipped(struct rv_suggest *s, struct rv_buf *b)
{
	rv_buf_printf(b, ",\"skipped\":{\"records\":%llu,\"reasons\":[",
		      (unsigned long long)s->skipped);
	for (size_t i = 0; i < s->nnotes; i++) {
		rv_buf_printf(b, "%s{\"reason\":", i ? "," : "");
		str(b, s->notes[i].why);
		rv_buf_printf(
			b, ",\"records\":%llu,\"first\":", (unsigned long long)s->notes[i].count);
		str(b, s->notes[i].first);
		rv_buf_put(b, "}", 1);
	}
	rv_buf_put(b, "]}", 2);
}

static void meta(struct rv_suggest *s, const struct rv_suggest_opts *o, const struct sg_entries *f,
		 const struct sg_entries *x, struct rv_buf *b)
{
	char a[32], z[32];

	rv_time_format(s->first, 0, a, sizeof(a));
	rv_time_format(s->last, 0, z, sizeof(z));
	rv_buf_printf(b, ",\"source\":");
	str(b, o->source ? o->source : "audit");
	rv_buf_printf(b, ",\"records\":%llu,\"first\":\"%s\",\"last\":\"%s\",\"collapse\":%u",
		      (unsigned long long)s->records, a, z, s->collapse);
	rv_buf_printf(b, ",\"counts\":{\"files\":");
	path_counts(f, &s->proc, b);
	rv_buf_printf(b, ",\"exec\":");
	path_counts(x, NULL, b);
	other_counts(s, b);
	rv_buf_put(b, "}", 1);
	skipped(s, b);
}

static int policy(struct rv_suggest *s, const struct rv_suggest_opts *o, const struct sg_entries *f,
		  const struct sg_entries *x, struct rv_buf *b)
{
	int err;

	rv_buf_printf(b, "{\"policy\":{\"apiVersion\":\"palisade/v1\",\"kind\":\"Policy\","
			 "\"name\":");
	str(b, o->name);
	rv_buf_printf(b, ",\"description\":\"allow-list suggested from observed behaviour\","
			 "\"mode\":\"enforce\"");
	err = target(s, o, b);
	if (err)
		return err;
	rv_buf_printf(b, ",\"default\":\"deny\"");
	if (f->n || s->proc.count)
		file_rules(f, &s->proc, b);
	if (x->n)
		exec_rules(x, b);
	err = network_rules(s, b);
	device_rules(s, b);
	rv_buf_put(b, "}", 1);
	return err;
}

int rv_suggest_json(struct rv_suggest *s, const struct rv_suggest_opts *o, struct rv_buf *out)
{
	struct sg_entries f, x = {0};
	int err;

	if (!s->records)
		return -ENODATA;
	err = sg_entries_get(s, false, &f);
	if (!err)
		err = sg_entries_get(s, true, &x);
	if (!err)
		err = policy(s, o, &f, &x, out);
	if (!err) {
		meta(s, o, &f, &x, out);
		err = rv_buf_put(out, "}\n", 2);
	}
	sg_entries_free(&f);
	sg_entries_free(&x);
	return err;
}
