// SPDX-License-Identifier: GPL-2.0-only
/*
 * `palisade logs [FILE...]`: filter, follow and summarise the audit log
 * (docs/audit-log.md). Filtering streams: one line buffer, one parsed
 * record at a time. Summaries keep bounded tables.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "review/review.h"
#include "review/verbs.h"

#define PROG "palisade logs"

enum out_mode { OUT_TABLE, OUT_JSON, OUT_SUMMARY };

struct logs;

/* What one scanning thread owns: records go into its own buffer and counters. */
struct worker {
	struct logs *l;
	struct rv_scan scan;
	struct rv_buf out;
	struct rv_table table;
	struct rv_summary *sum; /* summary mode: merged into the first worker's at the end */
	uint64_t lost, suppressed; /* in the time window, for the warning after a table */
};

struct logs {
	struct rv_filter filter;
	struct worker w[RV_SCAN_MAX];
	size_t nw;
	enum out_mode mode;
	const char *html; /* --html FILE */
	bool json, summary; /* as given */
	bool text_summary; /* --summary: print it (--html alone only writes the file) */
	bool follow;
	enum rv_color color;
	long width; /* --width, -1: from the terminal */
	size_t top, buckets;
	int64_t now;
	struct rv_buf filters; /* the filter options as given, for report headers */
	/* state */
	struct rv_table table; /* settings; prints the header */
	struct rv_summary *sum; /* summary mode: the merged one, w[0].sum */
	bool printed; /* some table row went out */
};

static volatile int stop_flag;

static void on_signal(int sig)
{
	stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: palisade logs [OPTION]... [FILE...]\n"
		"Filter, follow and summarise the audit log. FILE may be a rotated file\n"
		"(audit.log.1), gzip-compressed (audit.log.2.gz) or '-' for stdin; without\n"
		"FILE, $PALISADE_LOG or " RV_DEFAULT_LOG " is read.\n\n"
		"Filters (all must hold; comma-separate or repeat values to allow several):\n"
		"  --since T, --until T   RFC 3339 time or a duration before now (30m, 1h, 2d)\n"
		"  --action deny|audit    --event file|exec|network|device|lost|suppressed|...\n"
		"  --policy NAME          --rule N|default|FILE:LINE\n"
		"  --cgroup GLOB          --path GLOB (matches path or path2)   --exe GLOB\n"
		"  --uid N                --pid N\n"
		"  --namespace GLOB       --pod GLOB   --container GLOB   --image GLOB\n"
		"                         the container's names; records without them do not match\n"
		"  Globs: '*' within one path level, '**' any depth, '?' one character.\n\n"
		"Output:\n"
		"  (default)              a table; colour on a terminal unless NO_COLOR is set\n"
		"  --json                 the matching lines, unchanged\n"
		"  -f, --follow           keep reading the file as it grows, across rotation;\n"
		"                         starts at its end unless --since is given\n"
		"  --summary              top rules, targets, executables, cgroups; histogram\n"
		"  --html FILE            the summary as a self-contained HTML page\n"
		"  --top N                rows per summary table (10)\n"
		"  --buckets N            histogram rows at most (24)\n"
		"  --width N              output width (default: terminal, $COLUMNS; 0: no limit)\n"
		"  --color auto|always|never\n\n"
		"Skipped lines (not JSON, other schema versions, truncated) are counted on\n"
		"stderr. Exit status: 0 ok, 1 usage error, 2 an input could not be read.\n");
}

/* ---- one record ---------------------------------------------------------- */

static void count_loss(struct worker *w, const struct rv_rec *r)
{
	if (r->event == RV_EV_LOST)
		w->lost += (uint64_t)rv_rec_count(r);
	else
		w->suppressed += (uint64_t)rv_rec_count(r);
}

static void emit(struct worker *w, const struct rv_rec *r)
{
	switch (w->l->mode) {
	case OUT_JSON:
		rv_buf_put(&w->out, r->line, r->len);
		rv_buf_put(&w->out, "\n", 1);
		break;
	case OUT_TABLE:
		rv_table_row(&w->table, r, &w->out);
		break;
	case OUT_SUMMARY:
		rv_summary_add(w->sum, r);
		break;
	}
}

/* A lost or suppressed record counts in the window whatever the other filters say. */
static void record(const struct rv_rec *r, void *ctx)
{
	struct worker *w = ctx;
	const struct rv_filter *f = &w->l->filter;
	bool loss = r->event == RV_EV_LOST || r->event == RV_EV_SUPPRESSED;

	if (loss && rv_filter_match_time(f, r)) {
		if (w->l->mode == OUT_SUMMARY)
			rv_summary_add_loss(w->sum, r);
		else
			count_loss(w, r);
		if (w->l->mode == OUT_SUMMARY)
			return;
	}
	if (rv_filter_match(f, r))
		emit(w, r);
}

/* After each block, in input order: write what worker i produced. */
static void flush_part(void *ctx, size_t i)
{
	struct logs *l = ctx;
	struct worker *w = &l->w[i];

	if (!w->out.len)
		return;
	if (l->mode == OUT_TABLE && !l->printed) {
		struct rv_buf h = {0};

		rv_table_header(&l->table, &h);
		fwrite(h.p, 1, h.len, stdout);
		rv_buf_free(&h);
	}
	l->printed = true;
	fwrite(w->out.p, 1, w->out.len, stdout);
	w->out.len = 0;
}

/* ---- inputs ---------------------------------------------------------------- */

static int follow_line(const char *s, size_t len, void *ctx)
{
	struct logs *l = ctx;

	l->w[0].scan.lineno++;
	rv_scan_line(&l->w[0].scan, s, len, false);
	flush_part(l, 0);
	fflush(stdout);
	return 0;
}

static int follow(struct logs *l, const char *path)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: wake the sleep */
	struct rv_follow_opts fo = {
		.start_at_end = l->filter.since == RV_TIME_NONE,
		.poll_ms = 100,
		.stop = &stop_flag,
	};
	int err;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	l->w[0].scan.file = path;
	err = rv_follow(path, &fo, follow_line, l);
	if (err)
		fprintf(stderr, PROG ": cannot follow '%s': %s\n", path,
			err == -EINVAL ? "not a plain file (gzip?)" : strerror(-err));
	return err;
}

/* ---- options ---------------------------------------------------------------- */

enum {
	O_JSON = 256,
	O_SUMMARY,
	O_HTML,
	O_TOP,
	O_BUCKETS,
	O_WIDTH,
	O_COLOR,
	O_FILTER, /* long options from here on are filters */
};

static const struct option options[] = {
	{"json", no_argument, NULL, O_JSON},
	{"follow", no_argument, NULL, 'f'},
	{"summary", no_argument, NULL, O_SUMMARY},
	{"html", required_argument, NULL, O_HTML},
	{"top", required_argument, NULL, O_TOP},
	{"buckets", required_argument, NULL, O_BUCKETS},
	{"width", required_argument, NULL, O_WIDTH},
	{"color", required_argument, NULL, O_COLOR},
	{"help", no_argument, NULL, 'h'},
	{"since", required_argument, NULL, O_FILTER},
	{"until", required_argument, NULL, O_FILTER},
	{"action", required_argument, NULL, O_FILTER},
	{"event", required_argument, NULL, O_FILTER},
	{"policy", required_argument, NULL, O_FILTER},
	{"rule", required_argument, NULL, O_FILTER},
	{"cgroup", required_argument, NULL, O_FILTER},
	{"path", required_argument, NULL, O_FILTER},
	{"exe", required_argument, NULL, O_FILTER},
	{"pod", required_argument, NULL, O_FILTER},
	{"namespace", required_argument, NULL, O_FILTER},
	{"container", required_argument, NULL, O_FILTER},
	{"image", required_argument, NULL, O_FILTER},
	{"uid", required_argument, NULL, O_FILTER},
	{"pid", required_argument, NULL, O_FILTER},
	{0},
};

static int number(const char *opt, const char *v, long lo, long hi, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < lo || n > hi) {
		fprintf(stderr, PROG ": --%s: expected a number from %ld to %ld, got '%s'\n", opt,
			lo, hi, v);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

static int filter_opt(struct logs *l, const char *name, const char *value)
{
	const char *why;
	int err = rv_filter_set(&l->filter, name, value, l->now, &why);

	if (err) {
		fprintf(stderr, PROG ": --%s '%s': %s\n", name, value, why ? why : strerror(-err));
		return err;
	}
	rv_buf_printf(&l->filters, "%s--%s %s", l->filters.len ? " " : "", name, value);
	return 0;
}

static int color_opt(struct logs *l, const char *v)
{
	if (!strcmp(v, "auto"))
		l->color = RV_COLOR_AUTO;
	else if (!strcmp(v, "always"))
		l->color = RV_COLOR_ALWAYS;
	else if (!strcmp(v, "never"))
		l->color = RV_COLOR_NEVER;
	else {
		fprintf(stderr, PROG ": --color: expected auto, always or never\n");
		return -EINVAL;
	}
	return 0;
}

static int one_opt(struct logs *l, int c, int idx)
{
	long n = 0; /* number() sets it only on success; the error path stores it too */
	int err;

	switch (c) {
	case O_JSON:
		l->json = true;
		return 0;
	case 'f':
		l->follow = true;
		return 0;
	case O_SUMMARY:
		l->summary = true;
		return 0;
	case O_HTML:
		l->html = optarg;
		return 0;
	case O_TOP:
		err = number("top", optarg, 1, 64, &n);
		l->top = (size_t)n;
		return err;
	case O_BUCKETS:
		err = number("buckets", optarg, 1, RV_HIST_CAP, &n);
		l->buckets = (size_t)n;
		return err;
	case O_WIDTH:
		return number("width", optarg, 0, 10000, &l->width);
	case O_COLOR:
		return color_opt(l, optarg);
	case O_FILTER:
		return filter_opt(l, options[idx].name, optarg);
	default:
		return -EINVAL;
	}
}

/* Returns 0, 1 for --help, or -EINVAL. */
static int parse_opts(struct logs *l, int argc, char **argv)
{
	int c, idx, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fh", options, &idx)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == '?') {
			fprintf(stderr, "Try 'palisade logs --help'.\n");
			return -EINVAL;
		}
		err = one_opt(l, c, idx);
		if (err)
			return err;
	}
	if (l->json && l->html) {
		fprintf(stderr, PROG ": --json does not go with --html\n");
		return -EINVAL;
	}
	if (l->follow && (l->summary || l->html)) {
		fprintf(stderr, PROG ": --follow prints records; it does not go with --summary or "
				     "--html\n");
		return -EINVAL;
	}
	if (l->follow && argc - optind > 1) {
		fprintf(stderr, PROG ": --follow takes one FILE\n");
		return -EINVAL;
	}
	return 0;
}

/* ---- output at the end ---------------------------------------------------- */

static int write_html(struct logs *l, const struct rv_report_opts *ro)
{
	struct rv_buf b = {0};
	FILE *f;
	int err = rv_summary_html(l->sum, ro, &b);

	if (err)
		goto free_buf;
	f = fopen(l->html, "w");
	if (!f) {
		err = -errno;
		fprintf(stderr, PROG ": cannot write '%s': %s\n", l->html, strerror(errno));
		goto free_buf;
	}
	fwrite(b.p, 1, b.len, f);
	if (fclose(f)) {
		err = -EIO;
		fprintf(stderr, PROG ": writing '%s' failed\n", l->html);
	}
free_buf:
	rv_buf_free(&b);
	return err;
}

static int reports(struct logs *l, const char **inputs, size_t ninputs, bool text)
{
	struct rv_report_opts ro = {
		.top = l->top,
		.width = l->width >= 0 ? (size_t)l->width : rv_term_columns(STDOUT_FILENO),
		.hist_rows = l->buckets,
		.color = rv_use_color(l->color, STDOUT_FILENO),
		.now = l->now,
		.inputs = inputs,
		.ninputs = ninputs,
		.filters = l->filters.p,
		.bad = &l->w[0].scan.bad,
	};
	int err = 0;

	if (text) {
		struct rv_buf b = {0};

		err = l->json ? rv_summary_json(l->sum, &ro, &b) : rv_summary_text(l->sum, &ro, &b);
		fwrite(b.p, 1, b.len, stdout);
		rv_buf_free(&b);
	}
	if (!err && l->html)
		err = write_html(l, &ro);
	return err;
}

static void loss_note(const struct logs *l)
{
	uint64_t lost = 0, suppressed = 0;

	for (size_t i = 0; i < RV_SCAN_MAX; i++) {
		lost += l->w[i].lost;
		suppressed += l->w[i].suppressed;
	}
	if (l->mode != OUT_SUMMARY && (lost || suppressed))
		fprintf(stderr,
			PROG ": warning: %llu events were lost and %llu suppressed in this "
			     "period; the records above are incomplete\n",
			(unsigned long long)lost, (unsigned long long)suppressed);
}

/* ---- the verb -------------------------------------------------------------- */

static int setup(struct logs *l)
{
	int err = rv_now(&l->now);

	if (err) {
		fprintf(stderr, PROG ": PALISADE_NOW is not an RFC 3339 time\n");
		return err;
	}
	rv_filter_init(&l->filter);
	l->top = 10;
	l->buckets = 24;
	l->width = -1;
	for (size_t i = 0; i < RV_SCAN_MAX && !err; i++) {
		struct worker *w = &l->w[i];

		w->l = l;
		err = rv_scan_init(&w->scan, PROG, record, w);
		w->scan.quick = &l->filter;
		w->scan.keep_loss = true;
	}
	return err;
}

static int run_inputs(struct logs *l, const char **inputs, size_t n)
{
	struct rv_scan *sc[RV_SCAN_MAX];
	int status = RV_EXIT_OK;

	if (l->follow && strcmp(inputs[0], "-"))
		return follow(l, inputs[0]) ? RV_EXIT_RUNTIME : RV_EXIT_OK;
	for (size_t i = 0; i < l->nw; i++)
		sc[i] = &l->w[i].scan;
	for (size_t i = 0; i < n; i++)
		if (rv_scan_file_mt(sc, l->nw, inputs[i], flush_part, l))
			status = RV_EXIT_RUNTIME;
	return status;
}

static int start_output(struct logs *l)
{
	static char buf[1 << 16];

	l->mode = (l->summary || l->html) ? OUT_SUMMARY : l->json ? OUT_JSON : OUT_TABLE;
	l->text_summary = l->summary;
	l->nw = l->follow ? 1 : rv_scan_threads();
	for (size_t i = 0; l->mode == OUT_SUMMARY && i < l->nw; i++) {
		struct rv_summary *sum = malloc(sizeof(*sum));

		if (!sum || rv_summary_init(sum, RV_GROUP_MAX)) {
			free(sum);
			return -ENOMEM;
		}
		sum->keep_samples = l->html != NULL; /* rows open their records */
		l->w[i].sum = sum;
	}
	l->sum = l->w[0].sum;
	if (l->follow)
		setvbuf(stdout, NULL, _IOLBF, 0);
	else
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	l->table.width = l->width >= 0 ? (size_t)l->width : rv_term_columns(STDOUT_FILENO);
	l->table.color = rv_use_color(l->color, STDOUT_FILENO);
	l->table.header_done = true; /* flush_part() prints it, once */
	for (size_t i = 0; i < l->nw; i++)
		l->w[i].table = l->table;
	return 0;
}

static void cleanup(struct logs *l)
{
	for (size_t i = 0; i < RV_SCAN_MAX; i++) {
		if (l->w[i].sum) {
			rv_summary_free(l->w[i].sum);
			free(l->w[i].sum);
		}
		rv_scan_free(&l->w[i].scan);
		rv_buf_free(&l->w[i].out);
	}
	rv_filter_free(&l->filter);
	rv_buf_free(&l->filters);
}

int cmd_logs(int argc, char **argv)
{
	struct logs l = {0};
	const char *def[1] = {rv_default_log()};
	const char **inputs = def;
	size_t n = 1;
	int status = RV_EXIT_USAGE, err;

	err = setup(&l);
	if (!err)
		err = parse_opts(&l, argc, argv);
	if (err) {
		cleanup(&l);
		return err == 1 ? RV_EXIT_OK : err == -ENOMEM ? RV_EXIT_RUNTIME : RV_EXIT_USAGE;
	}
	if (optind < argc) {
		inputs = (const char **)argv + optind;
		n = (size_t)(argc - optind);
		rv_sort_inputs(inputs, n);
	}
	if (start_output(&l)) {
		cleanup(&l);
		return RV_EXIT_RUNTIME;
	}
	status = run_inputs(&l, inputs, n);
	for (size_t i = 1; l.sum && i < l.nw; i++)
		rv_summary_merge(l.sum, l.w[i].sum);
	if (l.sum && reports(&l, inputs, n, l.text_summary))
		status = RV_EXIT_RUNTIME;
	fflush(stdout);
	rv_bad_report(&l.w[0].scan.bad, PROG);
	loss_note(&l);
	cleanup(&l);
	return status;
}
