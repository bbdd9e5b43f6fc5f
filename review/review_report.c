// SPDX-License-Identifier: GPL-2.0-only
/*
 * The terminal form of `palisade logs --summary`: header, the warning about
 * lost and suppressed events, the top tables and the histogram.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "review/review.h"

#define C_BOLD "\033[1m"
#define C_WARN "\033[1;35m"
#define C_BAR "\033[36m"
#define C_OFF "\033[0m"

static const char *const group_title[RV_G_MAX] = {
	[RV_G_RULE] = "Top rules (policy#rule)",
	[RV_G_PATH] = "Top targets (path, destination, device)",
	[RV_G_EXE] = "Top executables",
	[RV_G_CGROUP] = "Top cgroups",
	[RV_G_CONTAINER] = "Top containers (namespace/pod/container; host: not in a container)",
};
static const char *const group_col[RV_G_MAX] = {"RULE", "TARGET", "EXECUTABLE", "CGROUP",
						"CONTAINER"};

const char *rv_group_title(enum rv_group g)
{
	return group_title[g];
}

const char *rv_group_column(enum rv_group g)
{
	return group_col[g];
}

void rv_span_format(int64_t us, char *buf, size_t len)
{
	int64_t s = us / RV_USEC;

	if (s >= 86400)
		snprintf(buf, len, "%lldd %lldh", (long long)(s / 86400),
			 (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%lldh %lldm", (long long)(s / 3600),
			 (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, "%lldm %llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, len, "%llds", (long long)s);
}

static void line_start(struct rv_buf *out, const char *label)
{
	rv_buf_printf(out, "  %-11s", label);
}

static void header_inputs(const struct rv_report_opts *o, struct rv_buf *out)
{
	line_start(out, "input");
	for (size_t i = 0; i < o->ninputs; i++) {
		rv_buf_put(out, i ? ", " : "", i ? 2 : 0);
		rv_term_put(out, o->inputs[i], 0, false);
	}
	rv_buf_put(out, "\n", 1);
	line_start(out, "filters");
	rv_term_put(out, o->filters && *o->filters ? o->filters : "(none)", 0, false);
	rv_buf_put(out, "\n", 1);
}

static void header_counts(const struct rv_summary *s, const struct rv_report_opts *o,
			  struct rv_buf *out)
{
	char a[32], b[32], d[32];

	if (s->records) {
		rv_time_format(s->first, 0, a, sizeof(a));
		rv_time_format(s->last, 0, b, sizeof(b));
		rv_span_format(s->last - s->first, d, sizeof(d));
		line_start(out, "period");
		rv_buf_printf(out, "%s to %s (%s)\n", a, b, d);
	}
	line_start(out, "decisions");
	rv_buf_printf(out, "%llu (deny %llu, audit %llu) in %llu records\n",
		      (unsigned long long)(s->deny + s->audit), (unsigned long long)s->deny,
		      (unsigned long long)s->audit, (unsigned long long)s->records);
	if (s->other_records) {
		line_start(out, "other");
		rv_buf_printf(out, "%llu policy and agent records\n",
			      (unsigned long long)s->other_records);
	}
	if (o->bad && rv_bad_total(o->bad)) {
		line_start(out, "skipped");
		rv_buf_printf(out, "%llu bad line%s (details on stderr)\n",
			      (unsigned long long)rv_bad_total(o->bad),
			      rv_bad_total(o->bad) == 1 ? "" : "s");
	}
}

/* The one thing a reviewer must not miss: the data has holes. */
static void loss_warning(const struct rv_summary *s, const struct rv_report_opts *o,
			 struct rv_buf *out)
{
	const char *on = o->color ? C_WARN : "", *off = o->color ? C_OFF : "";

	if (!s->lost && !s->suppressed) {
		line_start(out, "complete");
		rv_buf_printf(out, "yes: no lost or suppressed events reported in this period\n");
		return;
	}
	rv_buf_printf(out,
		      "\n%s!! INCOMPLETE DATA: %llu events lost (ring buffer full, %llu record%s) "
		      "and %llu suppressed%s\n",
		      on, (unsigned long long)s->lost, (unsigned long long)s->lost_records,
		      s->lost_records == 1 ? "" : "s", (unsigned long long)s->suppressed, off);
	rv_buf_printf(out,
		      "%s!! (rate limit, %llu record%s) in this period. Counts below do not "
		      "include them.%s\n",
		      on, (unsigned long long)s->suppressed_records,
		      s->suppressed_records == 1 ? "" : "s", off);
}

/* "11-22 10:00:00": the period line above gives the year and the zone. */
static void short_time(int64_t t, char *buf, size_t len)
{
	char ts[32];

	rv_time_format(t, 0, ts, sizeof(ts));
	snprintf(buf, len, "%.5s %.8s", ts + 5, ts + 11);
}

/* "web#0 (/etc/palisade/web.yaml:12)" is shown as "web#0 (web.yaml:12)". */
static void rule_key(const char *key, struct rv_buf *b)
{
	const char *open = strstr(key, " (/"), *slash;

	if (!open) {
		rv_buf_printf(b, "%s", key);
		return;
	}
	slash = strrchr(open, '/');
	rv_buf_printf(b, "%.*s (%s", (int)(open - key), key, slash + 1);
}

static void entry_row(const struct rv_entry *e, const char *key, size_t key_w, bool keep_end,
		      struct rv_buf *out)
{
	char a[32] = "-", b[32] = "-";

	if (e->deny + e->audit) {
		short_time(e->first, a, sizeof(a));
		short_time(e->last, b, sizeof(b));
	}
	rv_buf_printf(out, "  %8llu %8llu  %-14s  %-14s  ", (unsigned long long)e->deny,
		      (unsigned long long)e->audit, a, b);
	rv_term_put(out, key, key_w, keep_end);
	rv_buf_put(out, "\n", 1);
}

static void group_text(const struct rv_summary *s, enum rv_group g, const struct rv_report_opts *o,
		       size_t width, struct rv_buf *out)
{
	const struct rv_entry *top[64];
	size_t n = rv_summary_top(s, g, o->top < 64 ? o->top : 64, top);
	const struct rv_gtable *t = &s->groups[g];
	size_t key_w = width > 53 + 10 ? width - 53 : 10;
	struct rv_buf k = {0};

	rv_buf_printf(out, "\n%s%s%s\n", o->color ? C_BOLD : "", group_title[g],
		      o->color ? C_OFF : "");
	if (!n) {
		rv_buf_printf(out, "  (none)\n");
		return;
	}
	rv_buf_printf(out, "  %8s %8s  %-14s  %-14s  %s\n", "DENY", "AUDIT", "FIRST SEEN",
		      "LAST SEEN", group_col[g]);
	for (size_t i = 0; i < n; i++) {
		k.len = 0;
		if (g == RV_G_RULE)
			rule_key(top[i]->key, &k);
		entry_row(top[i], g == RV_G_RULE ? k.p : top[i]->key, key_w, g != RV_G_RULE, out);
	}
	rv_buf_free(&k);
	if (t->used > n)
		rv_buf_printf(out, "  (%zu more)\n", t->used - n);
	if (t->other.deny + t->other.audit)
		entry_row(&t->other, "(other: table full, keys not kept)", key_w, false, out);
}

int rv_summary_text(const struct rv_summary *s, const struct rv_report_opts *o, struct rv_buf *out)
{
	size_t width = o->width ? o->width : 100;
	struct rv_hist_view *v;
	int err;

	rv_buf_printf(out, "%sPalisade audit log summary%s\n", o->color ? C_BOLD : "",
		      o->color ? C_OFF : "");
	header_inputs(o, out);
	header_counts(s, o, out);
	loss_warning(s, o, out);
	for (int g = 0; g < RV_G_MAX; g++)
		if (rv_summary_shows(s, g))
			group_text(s, g, o, width, out);
	v = malloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	rv_hist_view(&s->hist, o->hist_rows ? o->hist_rows : 24, v);
	rv_buf_put(out, "\n", 1);
	err = rv_hist_text(v, width, o->color, out);
	free(v);
	return err;
}

/* ---- histogram ---------------------------------------------------------- */

/* Bucket start, as precise as the bucket size needs. */
static void bucket_label(int64_t t, int64_t width, char *buf, size_t len)
{
	char ts[32];

	rv_time_format(t, 0, ts, sizeof(ts)); /* 2026-11-22T10:00:00Z */
	ts[10] = ' ';
	if (width % (86400 * RV_USEC) == 0)
		ts[10] = 0;
	else if (width % (60 * RV_USEC) == 0)
		ts[16] = 0;
	else
		ts[19] = 0;
	snprintf(buf, len, "%s", ts);
}

/* count/max of cols columns, in eighths, drawn with block characters. */
static void bar(uint64_t count, uint64_t max, size_t cols, struct rv_buf *out)
{
	static const char *const part[8] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
	uint64_t eighths = max ? (count * cols * 8 + max / 2) / max : 0;

	if (count && !eighths)
		eighths = 1; /* never hide a nonzero bucket */
	for (uint64_t i = 0; i < eighths / 8; i++)
		rv_buf_put(out, "█", strlen("█"));
	rv_buf_put(out, part[eighths % 8], strlen(part[eighths % 8]));
}

static size_t digits_of(uint64_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

int rv_hist_text(const struct rv_hist_view *v, size_t width, bool color, struct rv_buf *out)
{
	char w[16], label[32];
	uint64_t max = 0, lost = 0;
	size_t cw, lw, cols;

	for (size_t i = 0; i < v->n; i++) {
		max = v->count[i] > max ? v->count[i] : max;
		lost += v->lost[i];
	}
	rv_duration_format(v->width, w, sizeof(w));
	rv_buf_printf(out, "%sDecisions per %s%s%s\n", color ? C_BOLD : "", w,
		      lost ? " (! = events lost or suppressed in that bucket)" : "",
		      color ? C_OFF : "");
	if (!max && !lost)
		return rv_buf_printf(out, "  (no decisions)\n");
	bucket_label(v->origin, v->width, label, sizeof(label));
	lw = strlen(label);
	cw = digits_of(max);
	/* "  LABEL  COUNT │BAR ! N": 10 columns kept for the loss marker */
	cols = width > lw + cw + 6 + 10 + 10 ? width - (lw + cw + 6) - 10 : 10;
	for (size_t i = 0; i < v->n; i++) {
		bucket_label(v->origin + (int64_t)i * v->width, v->width, label, sizeof(label));
		rv_buf_printf(out, "  %s  %*llu │%s", label, (int)cw,
			      (unsigned long long)v->count[i], color ? C_BAR : "");
		bar(v->count[i], max, cols, out);
		rv_buf_printf(out, "%s", color ? C_OFF : "");
		if (v->lost[i])
			rv_buf_printf(out, " %s! %llu%s", color ? C_WARN : "",
				      (unsigned long long)v->lost[i], color ? C_OFF : "");
		rv_buf_put(out, "\n", 1);
	}
	return 0;
}
