// SPDX-License-Identifier: GPL-2.0-only
/*
 * `palisade logs --html FILE`: one self-contained page. Inline CSS, an
 * inline SVG timeline, the top tables and a filter box with a few lines of
 * inline script. The Content-Security-Policy forbids every network load, so
 * the report cannot call home even if a log string slipped through; and
 * every log string is HTML-escaped anyway.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "review/review.h"

#define CHART_W 1000
#define CHART_H 240
#define PLOT_X 60 /* left margin for the y labels */
#define PLOT_Y 10
#define PLOT_H 170
#define BAR_COLOR "#c92a2a" /* tests look for this colour in a screenshot */
#define AUDIT_COLOR "#f08c00"
#define LOSS_COLOR "#ae3ec9"

static const char head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	"style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>Palisade audit log report</title>\n<style>\n"
	"body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#212529;background:#fff}\n"
	"h1{font-size:22px;margin:0 0 12px}h2{font-size:16px;margin:24px 0 6px}\n"
	"table{border-collapse:collapse;width:100%}\n"
	"th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #dee2e6;"
	"vertical-align:top}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.k{font-family:ui-monospace,monospace;word-break:break-all}\n"
	"table.meta{width:auto}table.meta th{color:#495057;font-weight:600}\n"
	"table.top th{text-transform:lowercase}\n"
	".warn{border:2px solid " LOSS_COLOR ";background:#f8f0fc;padding:8px 12px;"
	"margin:12px 0;font-weight:600}\n"
	".ok{color:#2b8a3e}\n"
	"svg{width:100%;height:auto;max-width:1000px;display:block}\n"
	"#q{font:inherit;padding:4px 8px;width:320px;margin:8px 0}\n"
	"tr.row{cursor:pointer}tr.row:hover{background:#f1f3f5}\n"
	"tr.recs pre{margin:0;font:12px/1.4 ui-monospace,monospace;white-space:pre-wrap;"
	"word-break:break-all;background:#f8f9fa;padding:6px}\n"
	"</style>\n</head>\n<body>\n";

/* The filter box hides rows (and their open records); a click on a row opens its records. */
static const char script[] =
	"<script>\n"
	"document.getElementById('q').addEventListener('input', function () {\n"
	"  var q = this.value.toLowerCase();\n"
	"  document.querySelectorAll('tr.row').forEach(function (tr) {\n"
	"    var hide = tr.textContent.toLowerCase().indexOf(q) < 0;\n"
	"    tr.style.display = hide ? 'none' : '';\n"
	"    if (hide && tr.nextElementSibling && tr.nextElementSibling.className === 'recs')\n"
	"      tr.nextElementSibling.hidden = true;\n"
	"  });\n"
	"});\n"
	"document.querySelectorAll('tr.row').forEach(function (tr) {\n"
	"  tr.addEventListener('click', function () {\n"
	"    var r = tr.nextElementSibling;\n"
	"    if (r && r.className === 'recs') {\n"
	"      r.hidden = !r.hidden;\n"
	"      tr.setAttribute('aria-expanded', r.hidden ? 'false' : 'true');\n"
	"    }\n"
	"  });\n"
	"});\n"
	"</script>\n";

static void meta_row(struct rv_buf *out, const char *name, const char *value)
{
	rv_buf_printf(out, "<tr><th>%s</th><td>", name);
	rv_html_put(out, value);
	rv_buf_put(out, "</td></tr>\n", strlen("</td></tr>\n"));
}

static void meta(const struct rv_summary *s, const struct rv_report_opts *o, struct rv_buf *out)
{
	char a[32], b[32], d[32], line[160];
	struct rv_buf in = {0};

	for (size_t i = 0; i < o->ninputs; i++)
		rv_buf_printf(&in, "%s%s", i ? ", " : "", o->inputs[i]);
	rv_buf_printf(out, "<table class=\"meta\">\n");
	meta_row(out, "input", in.p ? in.p : "");
	meta_row(out, "filters", o->filters && *o->filters ? o->filters : "(none)");
	if (s->records) {
		rv_time_format(s->first, 0, a, sizeof(a));
		rv_time_format(s->last, 0, b, sizeof(b));
		rv_span_format(s->last - s->first, d, sizeof(d));
		snprintf(line, sizeof(line), "%s to %s (%s)", a, b, d);
		meta_row(out, "period", line);
	}
	snprintf(line, sizeof(line), "%llu (deny %llu, audit %llu) in %llu records",
		 (unsigned long long)(s->deny + s->audit), (unsigned long long)s->deny,
		 (unsigned long long)s->audit, (unsigned long long)s->records);
	meta_row(out, "decisions", line);
	if (o->bad && rv_bad_total(o->bad)) {
		snprintf(line, sizeof(line), "%llu bad line%s",
			 (unsigned long long)rv_bad_total(o->bad),
			 rv_bad_total(o->bad) == 1 ? "" : "s");
		meta_row(out, "skipped", line);
	}
	rv_time_format(o->now, 0, a, sizeof(a));
	meta_row(out, "generated", a);
	rv_buf_printf(out, "</table>\n");
	rv_buf_free(&in);
}

static void loss(const struct rv_summary *s, struct rv_buf *out)
{
	if (!s->lost && !s->suppressed) {
		rv_buf_printf(out, "<p class=\"ok\">Complete: no lost or suppressed events were "
				   "reported in this period.</p>\n");
		return;
	}
	rv_buf_printf(out,
		      "<div class=\"warn\" id=\"incomplete\">Incomplete data: %llu events lost "
		      "(ring buffer full, %llu record%s) and %llu suppressed (rate limit, %llu "
		      "record%s) in this period. The counts below do not include them.</div>\n",
		      (unsigned long long)s->lost, (unsigned long long)s->lost_records,
		      s->lost_records == 1 ? "" : "s", (unsigned long long)s->suppressed,
		      (unsigned long long)s->suppressed_records,
		      s->suppressed_records == 1 ? "" : "s");
}

static void axis_label(struct rv_buf *out, int x, int64_t t, const char *anchor)
{
	char ts[32];

	rv_time_format(t, 0, ts, sizeof(ts));
	ts[16] = 0; /* to the minute */
	ts[10] = ' ';
	rv_buf_printf(out,
		      "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#495057\" "
		      "text-anchor=\"%s\">%s</text>\n",
		      x, PLOT_Y + PLOT_H + 18, anchor, ts);
}

/* The time axis: both ends and AXIS_TICKS - 1 labelled ticks between them. */
#define AXIS_TICKS 4
static void axis_labels(struct rv_buf *out, int64_t from, int64_t to)
{
	int right = CHART_W - 10;

	axis_label(out, PLOT_X, from, "start");
	for (int i = 1; i < AXIS_TICKS; i++) {
		int x = PLOT_X + (right - PLOT_X) * i / AXIS_TICKS;

		rv_buf_printf(out,
			      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			      "stroke=\"#868e96\"/>\n",
			      x, PLOT_Y + PLOT_H, x, PLOT_Y + PLOT_H + 4);
		axis_label(out, x, from + (to - from) / AXIS_TICKS * i, "middle");
	}
	axis_label(out, right, to, "end");
}

/* One bucket: deny at the bottom, audit stacked on it, with the counts as a tooltip. */
static void bar(struct rv_buf *out, double x, double bw, double scale, uint64_t deny,
		uint64_t audit, const char *ts)
{
	double hd = scale * (double)deny, ha = scale * (double)audit;

	if (deny)
		rv_buf_printf(out,
			      "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
			      "fill=\"" BAR_COLOR "\"><title>%s: %llu denied</title></rect>\n",
			      x + bw * 0.1, PLOT_Y + PLOT_H - hd, bw * 0.8, hd, ts,
			      (unsigned long long)deny);
	if (audit)
		rv_buf_printf(out,
			      "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
			      "fill=\"" AUDIT_COLOR "\"><title>%s: %llu audited</title></rect>\n",
			      x + bw * 0.1, PLOT_Y + PLOT_H - hd - ha, bw * 0.8, ha, ts,
			      (unsigned long long)audit);
}

static void bars(const struct rv_hist_view *v, uint64_t max, struct rv_buf *out)
{
	double bw = (double)(CHART_W - PLOT_X - 10) / (double)v->n;
	double scale = max ? (double)PLOT_H / (double)max : 0;

	for (size_t i = 0; i < v->n; i++) {
		double x = PLOT_X + bw * (double)i;
		char ts[32];

		rv_time_format(v->origin + (int64_t)i * v->width, 0, ts, sizeof(ts));
		bar(out, x, bw, scale, v->count[i] - v->audit[i], v->audit[i], ts);
		if (v->lost[i])
			rv_buf_printf(out,
				      "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"6\" "
				      "fill=\"" LOSS_COLOR "\"><title>%s: %llu lost or suppressed"
				      "</title></rect>\n",
				      x, PLOT_Y + PLOT_H + 2, bw, ts,
				      (unsigned long long)v->lost[i]);
	}
}

/* Which colour is what, under the chart. */
static void legend(struct rv_buf *out)
{
	static const struct {
		const char *color, *what;
	} keys[] = {
		{BAR_COLOR, "denied"},
		{AUDIT_COLOR, "audited"},
		{LOSS_COLOR, "lost or suppressed (incomplete data)"},
	};
	int x = PLOT_X;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		rv_buf_printf(
			out,
			"<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#495057\">%s</text>\n",
			x, CHART_H - 14, keys[i].color, x + 16, CHART_H - 4, keys[i].what);
		x += 16 + 8 * (int)strlen(keys[i].what) + 24;
	}
}

static int timeline(const struct rv_summary *s, struct rv_buf *out)
{
	struct rv_hist_view *v = malloc(sizeof(*v));
	uint64_t max = 0;
	char w[16];

	if (!v)
		return -ENOMEM;
	rv_hist_view(&s->hist, 120, v);
	for (size_t i = 0; i < v->n; i++)
		max = v->count[i] > max ? v->count[i] : max;
	rv_duration_format(v->width, w, sizeof(w));
	rv_buf_printf(out, "<h2>Decisions per %s</h2>\n", w);
	rv_buf_printf(out,
		      "<svg id=\"timeline\" viewBox=\"0 0 %d %d\" role=\"img\" "
		      "aria-label=\"decisions over time\">\n"
		      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#868e96\"/>\n"
		      "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#495057\" "
		      "text-anchor=\"end\">%llu</text>\n"
		      "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#495057\" "
		      "text-anchor=\"end\">0</text>\n",
		      CHART_W, CHART_H, PLOT_X, PLOT_Y + PLOT_H, CHART_W - 10, PLOT_Y + PLOT_H,
		      PLOT_X - 6, PLOT_Y + 10, (unsigned long long)max, PLOT_X - 6,
		      PLOT_Y + PLOT_H);
	bars(v, max, out);
	legend(out);
	if (s->records)
		axis_labels(out, v->origin, v->origin + (int64_t)v->n * v->width);
	rv_buf_printf(out, "</svg>\n");
	free(v);
	return 0;
}

static void html_entry(const struct rv_entry *e, const char *key, struct rv_buf *out)
{
	char a[32] = "-", b[32] = "-";

	if (e->deny + e->audit) {
		rv_time_format(e->first, 0, a, sizeof(a));
		rv_time_format(e->last, 0, b, sizeof(b));
	}
	rv_buf_printf(out,
		      "<tr class=\"row\"%s><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
		      "<td>%s</td><td>%s</td><td class=\"k\">",
		      e->nsample ? " aria-expanded=\"false\"" : "", (unsigned long long)e->deny,
		      (unsigned long long)e->audit, a, b);
	rv_html_put(out, key);
	rv_buf_printf(out, "</td></tr>\n");
	if (!e->nsample)
		return;
	/* the row's first records, as logged, opened in place by a click */
	rv_buf_printf(out, "<tr class=\"recs\" hidden><td colspan=\"5\"><pre>");
	for (unsigned int i = 0; i < e->nsample; i++) {
		rv_html_put(out, e->sample[i]);
		rv_buf_printf(out, "\n");
	}
	if (e->deny + e->audit > e->nsample)
		rv_buf_printf(out, "(the first %u records of this row; palisade logs shows all)\n",
			      e->nsample);
	rv_buf_printf(out, "</pre></td></tr>\n");
}

static void group_html(const struct rv_summary *s, enum rv_group g, size_t top, struct rv_buf *out)
{
	const struct rv_entry *e[64];
	size_t n = rv_summary_top(s, g, top < 64 ? top : 64, e);
	const struct rv_gtable *t = &s->groups[g];

	rv_buf_printf(out, "<h2>%s</h2>\n", rv_group_title(g));
	if (!n) {
		rv_buf_printf(out, "<p>(none)</p>\n");
		return;
	}
	rv_buf_printf(out,
		      "<table class=\"top\"><tr><th>deny</th><th>audit</th><th>first seen</th>"
		      "<th>last seen</th><th>%s</th></tr>\n",
		      rv_group_column(g));
	for (size_t i = 0; i < n; i++)
		html_entry(e[i], e[i]->key, out);
	if (t->other.deny + t->other.audit)
		html_entry(&t->other, "(other: table full, keys not kept)", out);
	rv_buf_printf(out, "</table>\n");
	if (t->used > n)
		rv_buf_printf(out, "<p>(%zu more)</p>\n", t->used - n);
}

int rv_summary_html(const struct rv_summary *s, const struct rv_report_opts *o, struct rv_buf *out)
{
	int err;

	rv_buf_put(out, head, strlen(head));
	rv_buf_printf(out, "<h1>Palisade audit log report</h1>\n");
	meta(s, o, out);
	loss(s, out);
	err = timeline(s, out);
	if (err)
		return err;
	rv_buf_printf(out, "<input id=\"q\" type=\"search\" placeholder=\"filter the tables\" "
			   "aria-label=\"filter the tables\">\n");
	for (int g = 0; g < RV_G_MAX; g++)
		if (rv_summary_shows(s, g))
			group_html(s, g, o->top, out);
	rv_buf_put(out, script, strlen(script));
	return rv_buf_printf(out, "</body>\n</html>\n");
}
