/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Review verbs (`palisade logs`, `palisade suggest`): reading the JSON-lines
 * audit log back (docs/audit-log.md). Shared pieces: time parsing, globs,
 * the record view, the line reader, filters, summaries and their renderers.
 *
 * Everything returns 0 or a negative errno unless it says otherwise, and
 * nothing here writes to stderr except the functions that say so.
 */
#ifndef PALISADE_REVIEW_REVIEW_H
#define PALISADE_REVIEW_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rv_parser;

/* ---- limits ------------------------------------------------------------ */

#define RV_LINE_MAX (1u << 20) /* bytes of one log line; longer lines are skipped */
#define RV_GLOB_MAX 1024 /* bytes of one glob pattern */
#define RV_LIST_MAX 64 /* values of one comma-separated filter option */
#define RV_GROUP_MAX 65536 /* distinct keys a summary table holds; more go to "other" */
#define RV_HIST_CAP 4096 /* buckets the histogram keeps while reading */
#define RV_DEFAULT_LOG "/var/log/palisade/audit.log"
#define RV_SCHEMA_VERSION 1
#define RV_ACCESS_MAX 16 /* access words kept per record; the schema has fewer */

/* ---- time (review_time.c): microseconds since the epoch, UTC ---------- */

#define RV_USEC 1000000LL
#define RV_TIME_NONE INT64_MIN

/* Parse RFC 3339 ("2026-11-22T10:00:00.123456Z", "+01:00" offsets, a date alone). */
int rv_time_parse_rfc3339(const char *s, size_t len, int64_t *out);
/* Parse a duration "90s", "30m", "1h", "2d", "1w", "1h30m" into microseconds. */
int rv_duration_parse(const char *s, int64_t *out);
/* An option value: RFC 3339, or a duration meaning that long before now. */
int rv_time_parse_arg(const char *s, int64_t now, int64_t *out);
/* Now, or PALISADE_NOW (RFC 3339) when set, so output can be made deterministic. */
int rv_now(int64_t *out);
/* Format as RFC 3339 UTC; frac_digits 0 or 6. buf holds >= 32 bytes. */
void rv_time_format(int64_t t, int frac_digits, char *buf, size_t len);

/* ---- globs (review_glob.c) --------------------------------------------- */

/*
 * Text patterns of the pattern language (policies/pattern.h,
 * docs/audit-log.md): split at every '/', '*' a run within one level, '**'
 * whole levels, '?' and classes one byte. The whole string must match.
 * Returns 0, -E2BIG (over RV_GLOB_MAX bytes), -EINVAL (*why says why; why
 * may be NULL) or -ENOMEM.
 */
struct rv_glob;
int rv_glob_compile(const char *pattern, struct rv_glob **out, const char **why);
bool rv_glob_match(const struct rv_glob *g, const char *s);
bool rv_glob_match_n(const struct rv_glob *g, const char *s, size_t len);
void rv_glob_free(struct rv_glob *g);

/* ---- records (review_record.c) ---------------------------------------- */

enum rv_event {
	RV_EV_UNKNOWN = 0,
	RV_EV_FILE,
	RV_EV_EXEC,
	RV_EV_NETWORK,
	RV_EV_DEVICE,
	RV_EV_LOST,
	RV_EV_SUPPRESSED,
	RV_EV_POLICY,
	RV_EV_AGENT,
};

enum rv_action {
	RV_ACT_NONE = 0,
	RV_ACT_DENY,
	RV_ACT_AUDIT,
};

/* Integer fields that may be absent: bits of rv_rec.has. */
enum rv_int {
	RV_I_PID,
	RV_I_PPID,
	RV_I_UID,
	RV_I_GID,
	RV_I_ERRNO,
	RV_I_DPORT,
	RV_I_MAJOR,
	RV_I_MINOR,
	RV_I_GENERATION,
	RV_I_CGROUP_ID,
	RV_I_COUNT,
	RV_I_RULE, /* a rule index; absent for "rule": null (the default decided) */
	RV_I_MAX,
};

/*
 * One log line as a record. Strings are unescaped copies owned by the
 * parser that filled the record, valid until its next rv_rec_parse().
 * Absent strings are NULL.
 */
struct rv_rec {
	const char *line; /* the original bytes, for --json */
	size_t len;
	int64_t version; /* "v"; -1 if absent or not an integer */
	int64_t time; /* RV_TIME_NONE never happens on a valid record */
	enum rv_event event;
	enum rv_action action;
	const char *event_name, *action_name, *mode, *policy, *rule_src, *op, *host;
	const char *comm, *exe, *cgroup, *path, *path2, *family, *protocol, *daddr;
	const char *dev_type, *message, *time_str;
	/* the container a decision happened in (docs/audit-log.md, "Containers") */
	const char *container_id, *runtime, *container, *pod, *ns, *image, *pod_uid;
	const char *path_hex, *path2_hex; /* set when path, path2 were not valid UTF-8 */
	bool unresolved;
	bool rule_null; /* "rule": null */
	uint32_t has; /* 1u << enum rv_int */
	int64_t num[RV_I_MAX];
	const char *access[RV_ACCESS_MAX]; /* the "access" array's strings */
	unsigned int naccess;
};

static inline bool rv_has(const struct rv_rec *r, enum rv_int i)
{
	return r->has & (1u << i);
}

/* The weight of a record: its "count", or 1. */
int64_t rv_rec_count(const struct rv_rec *r);

/* Why a line was skipped. */
enum rv_bad {
	RV_BAD_JSON = 0, /* not JSON, or not an object */
	RV_BAD_VERSION, /* "v" missing or not 1 */
	RV_BAD_RECORD, /* "time" or "event" missing or malformed */
	RV_BAD_TRUNCATED, /* the last line of a file had no newline and did not parse */
	RV_BAD_LONG, /* over RV_LINE_MAX */
	RV_BAD_MAX,
};

struct rv_bad_stats {
	uint64_t n[RV_BAD_MAX];
	char first_file[256]; /* where the first bad line was */
	uint64_t first_line;
};

/* A parser: its token array and string arena grow to the longest line seen. */
int rv_parser_new(struct rv_parser **out);
void rv_parser_free(struct rv_parser *p);
/*
 * Parse one line (no newline) with p. Returns 0 and fills rec, or -EINVAL
 * with *why set (-ENOMEM: out of memory). last_no_nl: the line ended a file
 * without a newline, so a parse failure counts as truncated.
 */
int rv_rec_parse(struct rv_parser *p, const char *line, size_t len, bool last_no_nl,
		 struct rv_rec *rec, enum rv_bad *why);
const char *rv_event_name(enum rv_event e);
enum rv_event rv_event_from(const char *s);
void rv_bad_note(struct rv_bad_stats *st, enum rv_bad why, const char *file, uint64_t line);
uint64_t rv_bad_total(const struct rv_bad_stats *st);
/* One line on stderr, "prog: skipped N lines (...)", if any line was skipped. */
void rv_bad_report(const struct rv_bad_stats *st, const char *prog);

/* ---- input (review_read.c) --------------------------------------------- */

/*
 * Reads lines from a plain file, a gzip file (by its magic bytes, through
 * zlib), or stdin ("-"). A line is handed out without its newline; the
 * pointer is valid until the next call.
 */
struct rv_reader;
int rv_reader_open(const char *path, struct rv_reader **out);
/*
 * Returns 1 and a line, 0 at end of input, or a negative errno. *no_nl is set
 * for a final line without newline (only at end of input). Over-long lines are
 * returned with *len = 0 and *too_long set.
 */
int rv_reader_next(struct rv_reader *r, const char **line, size_t *len, bool *no_nl,
		   bool *too_long);
/*
 * The same input in blocks of whole lines: returns 1 and buf[0, len), lines
 * each ending in '\n' except a file's final line without one (*no_nl), 0 at
 * the end, or a negative errno. *dropped counts over-long lines skipped
 * just before the block. A block stays valid until the call after next, so it
 * can be read while the next one is. Do not mix with rv_reader_next().
 */
int rv_reader_block(struct rv_reader *r, const char **buf, size_t *len, bool *no_nl,
		    unsigned int *dropped);
uint64_t rv_reader_lineno(const struct rv_reader *r);
const char *rv_reader_name(const struct rv_reader *r);
void rv_reader_close(struct rv_reader *r);

/* The configured log: PALISADE_LOG, else RV_DEFAULT_LOG. */
const char *rv_default_log(void);
/*
 * Sort input files so rotated generations come first: BASE.N and BASE.N.gz
 * before BASE, higher N first; other names keep their order. In place.
 */
void rv_sort_inputs(const char **paths, size_t n);

/*
 * Tail a plain file: read what is there from offset start_at_end ? EOF : 0,
 * then wait for more. Handles rotation by rename (drains the old file, then
 * opens the new one) and by truncation (starts again at 0). Stops when
 * *stop becomes nonzero. fn gets every complete line; a nonzero return from
 * fn stops following and is returned.
 */
typedef int (*rv_line_fn)(const char *line, size_t len, void *ctx);
struct rv_follow_opts {
	bool start_at_end;
	int poll_ms; /* how often to look for new data and rotation */
	volatile int *stop;
};
int rv_follow(const char *path, const struct rv_follow_opts *o, rv_line_fn fn, void *ctx);

/* ---- filters (review_filter.c) ----------------------------------------- */

struct rv_filter {
	int64_t since, until; /* RV_TIME_NONE: open */
	unsigned int actions; /* bits 1 << enum rv_action; 0 = any */
	unsigned int events; /* bits 1 << enum rv_event; 0 = any */
	const char *policies[RV_LIST_MAX];
	size_t npolicies;
	/* rules: index >= 0, -1 = the default ("rule": null), or a rule_src string */
	int64_t rules[RV_LIST_MAX];
	size_t nrules;
	const char *rule_srcs[RV_LIST_MAX];
	size_t nrule_srcs;
	struct rv_glob *cgroup, *path, *exe;
	struct rv_glob *pod, *ns, *container, *image; /* container fields; absent: no match */
	int64_t uids[RV_LIST_MAX];
	size_t nuids;
	int64_t pids[RV_LIST_MAX];
	size_t npids;
	char *owned[2 * RV_LIST_MAX]; /* copies of list items */
	size_t nowned;
};

void rv_filter_init(struct rv_filter *f);
void rv_filter_free(struct rv_filter *f);
/*
 * Apply one option (name without "--", e.g. "path") with its value. now is
 * for relative times. Returns 0, -EINVAL (bad value) or -ENOENT (not a filter
 * option). *err is a static message on -EINVAL.
 */
int rv_filter_set(struct rv_filter *f, const char *name, const char *value, int64_t now,
		  const char **err);
/*
 * A cheap test on the raw line (review_quick.c): false only if the line is a
 * well-formed record that rv_filter_match() would refuse, so it need not be
 * parsed. Lines that may be malformed always get true, so that they are
 * parsed and counted; so do lost and suppressed records when keep_loss.
 */
bool rv_filter_quick(const struct rv_filter *f, const char *line, size_t len, bool keep_loss);
/* The exact test on a parsed record: every filter set must hold (AND). */
bool rv_filter_match(const struct rv_filter *f, const struct rv_rec *r);
/* Only the time window: for lost/suppressed totals, which any filter could concern. */
bool rv_filter_match_time(const struct rv_filter *f, const struct rv_rec *r);

/* ---- scanning inputs (review_scan.c) ------------------------------------ */

typedef void (*rv_rec_fn)(const struct rv_rec *r, void *ctx);

struct rv_scan {
	const char *prog; /* for messages: "palisade logs" */
	struct rv_parser *parser;
	const struct rv_filter *quick; /* prefilter lines with it; NULL: parse all */
	bool keep_loss; /* never prefilter away lost and suppressed records */
	rv_rec_fn fn; /* called for every valid record */
	void *ctx;
	struct rv_bad_stats bad;
	const char *file; /* being read */
	uint64_t lineno;
};

int rv_scan_init(struct rv_scan *sc, const char *prog, rv_rec_fn fn, void *ctx);
void rv_scan_free(struct rv_scan *sc);
/* Read a whole input; open and read errors are reported on stderr and returned. */
int rv_scan_file(struct rv_scan *sc, const char *path);
/* One line (without its newline); sc->file and sc->lineno say where it is. */
void rv_scan_line(struct rv_scan *sc, const char *line, size_t len, bool no_nl);

#define RV_SCAN_MAX 4 /* threads one scan uses at most */
/*
 * Read path in blocks of whole lines; cut each block into nsc parts, scan
 * part i with sc[i] on its own thread (their fn and ctx must not share
 * state) while this thread reads the next block, then call done(ctx, i) for
 * i = 0..nsc-1 on this thread, so that output keeps the input order.
 * Bad-line counts end up in sc[0]->bad.
 */
typedef void (*rv_part_fn)(void *ctx, size_t i);
int rv_scan_file_mt(struct rv_scan *const *sc, size_t nsc, const char *path, rv_part_fn done,
		    void *ctx);
/* Threads worth using: $PALISADE_THREADS, else the online CPUs; 1 to RV_SCAN_MAX. */
size_t rv_scan_threads(void);

/* ---- output helpers (review_out.c) ------------------------------------- */

/*
 * Append s to out with terminal-unsafe bytes (C0, DEL, C1 controls, bad
 * UTF-8) escaped as \xNN, keeping at most max display columns (0 = no
 * limit): longer strings lose their start, shown as "…" (keep_end) or their
 * end. Returns the columns written.
 */
struct rv_buf {
	char *p;
	size_t len, cap;
};
int rv_buf_put(struct rv_buf *b, const char *s, size_t n);
int rv_buf_printf(struct rv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rv_buf_free(struct rv_buf *b);
size_t rv_term_put(struct rv_buf *b, const char *s, size_t max, bool keep_end);
/* Display columns of s once escaped. */
size_t rv_term_width(const char *s);
/* Pad with spaces to n columns. */
int rv_buf_pad(struct rv_buf *b, size_t n);
/* A JSON string, quoted, with '"', '\\' and control characters escaped (NULL: ""). */
int rv_json_str(struct rv_buf *b, const char *s);
/* HTML text with & < > " ' escaped. */
int rv_html_put(struct rv_buf *b, const char *s);

/* Colour decision: --color=auto|always|never, NO_COLOR, isatty. */
enum rv_color { RV_COLOR_AUTO = 0, RV_COLOR_ALWAYS, RV_COLOR_NEVER };
bool rv_use_color(enum rv_color c, int fd);
/* Output width: COLUMNS, else the terminal's, else 0 (no limit). */
size_t rv_term_columns(int fd);

/* ---- the table (review_table.c) ---------------------------------------- */

struct rv_table {
	size_t width; /* total columns; 0 = never truncate */
	bool color;
	bool header_done;
	bool message_row; /* internal: the row being written is a message */
};
/* The header line alone. */
int rv_table_header(const struct rv_table *t, struct rv_buf *out);
/* One record as one table row (the header goes before the first row, unless header_done). */
int rv_table_row(struct rv_table *t, const struct rv_rec *r, struct rv_buf *out);

/* ---- summaries (review_summary.c) -------------------------------------- */

enum rv_group {
	RV_G_RULE = 0, /* policy and rule */
	RV_G_PATH,
	RV_G_EXE,
	RV_G_CGROUP,
	RV_G_CONTAINER, /* namespace/pod/container, "RUNTIME ID" or "host" */
	RV_G_MAX,
};

#define RV_SAMPLES 5 /* records an HTML row opens: the first of its key */

struct rv_entry {
	char *key; /* NUL-terminated, stored right after the entry */
	size_t len; /* of key */
	uint64_t deny, audit;
	int64_t first, last;
	char **sample; /* RV_SAMPLES of the records' lines, when the summary keeps them */
	unsigned int nsample;
};

struct rv_gslot;
struct rv_chunk;

struct rv_gtable {
	struct rv_entry **ent; /* used of them, in the order their keys came */
	struct rv_gslot *slot; /* cap slots: the hash index over ent */
	struct rv_chunk *chunks; /* where the entries and their keys are */
	size_t cap, used, max, room; /* room: pointers ent has space for */
	struct rv_entry other; /* keys that did not fit */
};

/* Bucket sizes the histogram moves through, each a multiple of the one before. */
struct rv_hist {
	int64_t origin; /* start of bucket 0, aligned to width */
	int64_t width; /* microseconds */
	size_t level; /* index into the bucket size ladder */
	size_t n; /* buckets in use */
	uint64_t count[RV_HIST_CAP];
	uint64_t audit[RV_HIST_CAP]; /* the audit part of count */
	uint64_t lost[RV_HIST_CAP]; /* lost + suppressed */
};

struct rv_summary {
	struct rv_gtable groups[RV_G_MAX];
	struct rv_hist hist;
	uint64_t records; /* decision records that matched */
	uint64_t deny, audit; /* weighted by count */
	int64_t first, last;
	uint64_t lost, suppressed; /* events, from lost/suppressed records in the window */
	uint64_t lost_records, suppressed_records;
	uint64_t other_records; /* policy and agent records that matched */
	uint64_t container_records; /* decisions in a container: reports show RV_G_CONTAINER */
	bool keep_samples; /* --html: each entry keeps its first RV_SAMPLES records */
	struct rv_buf key[RV_G_MAX]; /* scratch: a record's keys being built */
};

int rv_summary_init(struct rv_summary *s, size_t max_keys);
/* The hash a summary table finds a key by (tests build colliding keys with it). */
uint64_t rv_key_hash(const char *s, size_t n);
void rv_summary_free(struct rv_summary *s);
/* Count a record that matched the filters. */
int rv_summary_add(struct rv_summary *s, const struct rv_rec *r);
/* Count a lost or suppressed record inside the time window. */
void rv_summary_add_loss(struct rv_summary *s, const struct rv_rec *r);
/* Add what from counted into to (the threads of one scan each keep their own). */
void rv_summary_merge(struct rv_summary *to, const struct rv_summary *from);
/* Whether reports show group g: the container table only when a container was seen. */
bool rv_summary_shows(const struct rv_summary *s, enum rv_group g);
/* The n biggest entries of a group, by count, then key. out holds n pointers. */
size_t rv_summary_top(const struct rv_summary *s, enum rv_group g, size_t n,
		      const struct rv_entry **out);

void rv_hist_init(struct rv_hist *h);
void rv_hist_add(struct rv_hist *h, int64_t t, uint64_t count, uint64_t lost);
/* The same, with the part of count that were audit decisions. */
void rv_hist_add_split(struct rv_hist *h, int64_t t, uint64_t count, uint64_t audit, uint64_t lost);
void rv_hist_merge(struct rv_hist *to, const struct rv_hist *from);
/* A view of the histogram in at most max_rows buckets of a ladder size. */
struct rv_hist_view {
	int64_t origin, width;
	size_t n;
	uint64_t count[RV_HIST_CAP];
	uint64_t audit[RV_HIST_CAP];
	uint64_t lost[RV_HIST_CAP];
};
void rv_hist_view(const struct rv_hist *h, size_t max_rows, struct rv_hist_view *v);
/* "1m", "15m", "1h", "1d", ... */
void rv_duration_format(int64_t us, char *buf, size_t len);

struct rv_report_opts {
	size_t top; /* rows per group */
	size_t width; /* terminal columns; 0: 100 */
	size_t hist_rows;
	bool color;
	int64_t now;
	const char *const *inputs;
	size_t ninputs;
	const char *filters; /* the filter options as given, for the report header */
	const struct rv_bad_stats *bad;
};

/* The terminal summary (review_report.c). */
const char *rv_group_title(enum rv_group g);
const char *rv_group_column(enum rv_group g);
/* A time span for people: "2h 34m", "3d 1h", "45s". */
void rv_span_format(int64_t us, char *buf, size_t len);
int rv_summary_text(const struct rv_summary *s, const struct rv_report_opts *o, struct rv_buf *out);
/* The histogram part alone. */
int rv_hist_text(const struct rv_hist_view *v, size_t width, bool color, struct rv_buf *out);
/* logs --summary --json: the same summary as one JSON object and a newline. */
int rv_summary_json(const struct rv_summary *s, const struct rv_report_opts *o, struct rv_buf *out);
/* The self-contained HTML report (review_html.c). */
int rv_summary_html(const struct rv_summary *s, const struct rv_report_opts *o, struct rv_buf *out);

#endif /* PALISADE_REVIEW_REVIEW_H */
