// SPDX-License-Identifier: GPL-2.0-only
/*
 * The raw-line prefilter: most lines of a big log do not match a filter,
 * and json-c costs about 12 s per GB, so lines are first looked at as
 * bytes, and only those that may match (or may be malformed, so that they
 * get counted) are parsed. json-c stays the only judge of what is printed.
 *
 * Why looking at bytes is safe here (docs/audit-log.md, "Reading fast"):
 *  - Only lines without any backslash are judged. In such a line no string
 *    has an escape, so every '"' is a string delimiter and every value is
 *    its bytes between two quotes.
 *  - "KEY" followed by optional blanks and ':' is then a key token whose
 *    content is KEY (for KEY made of [a-z0-9_]: the bytes between two
 *    strings always contain ':', ',' or a bracket).
 *  - A key is used only if it occurs exactly once. If it occurs once but is
 *    not at the top level, the record has no such top-level field, so the
 *    filter on it fails anyway.
 *  - Lines that do not look like a version-1 object ({ ... } with "v": 1)
 *    and records without "time" or "event" are passed on to be parsed and
 *    counted as bad. Anything unexpected answers "maybe".
 */
#include <string.h>

#include "agent/review.h"

enum verdict { NO = 0, MAYBE = 1 };

struct raw {
	const char *p; /* string content without quotes, or the literal token */
	size_t n;
	bool str;
};

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* A literal token: a number, true, false or null. */
static const char *token_end(const char *p, const char *end)
{
	while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
	       *p != '\r')
		p++;
	return p;
}

static int value_at(const char *q, const char *end, struct raw *v)
{
	const char *e;

	if (q < end && *q == '"') {
		e = memchr(q + 1, '"', end - q - 1);
		if (!e)
			return -1;
		*v = (struct raw){q + 1, e - q - 1, true};
		return 0;
	}
	e = token_end(q, end);
	if (e == q)
		return -1;
	*v = (struct raw){q, e - q, false};
	return 0;
}

/* 1: KEY is there once, *v is its value; 0: absent; -1: several times or unclear. */
static int raw_get(const char *line, size_t len, const char *qkey, struct raw *v)
{
	const char *p = line, *end = line + len;
	size_t qn = strlen(qkey);
	int found = 0;

	while ((p = memmem(p, end - p, qkey, qn))) {
		const char *q = skip_ws(p + qn, end);

		p += qn;
		if (q >= end || *q != ':')
			continue; /* a string value that happens to equal KEY */
		if (found++ || value_at(skip_ws(q + 1, end), end, v))
			return -1;
	}
	return found;
}

static bool raw_is(const struct raw *v, const char *s)
{
	return v->str && strlen(s) == v->n && !memcmp(v->p, s, v->n);
}

/* A JSON integer as json-c reads it into int64; false when unsure. */
static bool raw_int(const struct raw *v, int64_t *out)
{
	size_t i = v->n && v->p[0] == '-';
	int64_t x = 0;

	if (v->str || v->n == i || v->n - i > 18)
		return false;
	for (; i < v->n; i++) {
		if (v->p[i] < '0' || v->p[i] > '9')
			return false;
		x = x * 10 + (v->p[i] - '0');
	}
	*out = v->p[0] == '-' ? -x : x;
	return true;
}

static bool looks_like_v1(const char *line, size_t len)
{
	const char *b = skip_ws(line, line + len), *e = line + len;
	struct raw v;

	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	if (e - b < 2 || *b != '{' || e[-1] != '}')
		return false;
	return raw_get(line, len, "\"v\"", &v) == 1 && !v.str && v.n == 1 && v.p[0] == '1';
}

static enum verdict q_time(const struct rv_filter *f, int64_t t)
{
	if (f->since != RV_TIME_NONE && t < f->since)
		return NO;
	if (f->until != RV_TIME_NONE && t > f->until)
		return NO;
	return MAYBE;
}

/* A valid record's "event" and "time"; false: the line must be parsed (and counted). */
static bool valid_head(const char *line, size_t len, struct raw *ev, int64_t *t)
{
	struct raw tv;

	return raw_get(line, len, "\"event\"", ev) == 1 && ev->str &&
	       raw_get(line, len, "\"time\"", &tv) == 1 && tv.str &&
	       !rv_time_parse_rfc3339(tv.p, tv.n, t);
}

static enum verdict q_action(const struct rv_filter *f, const char *line, size_t len)
{
	struct raw v;
	int n;

	if (!f->actions)
		return MAYBE;
	n = raw_get(line, len, "\"action\"", &v);
	if (n < 0)
		return MAYBE;
	if (n == 0 || !v.str)
		return NO; /* no action: RV_ACT_NONE, never in the set */
	if (raw_is(&v, "deny"))
		return f->actions & (1u << RV_ACT_DENY) ? MAYBE : NO;
	if (raw_is(&v, "audit"))
		return f->actions & (1u << RV_ACT_AUDIT) ? MAYBE : NO;
	return NO;
}

static enum verdict q_event(const struct rv_filter *f, const struct raw *ev)
{
	if (!f->events)
		return MAYBE;
	for (int e = RV_EV_FILE; e <= RV_EV_AGENT; e++)
		if (raw_is(ev, rv_event_name(e)))
			return f->events & (1u << e) ? MAYBE : NO;
	return NO; /* an event name we do not know is never in the set */
}

static enum verdict q_policy(const struct rv_filter *f, const char *line, size_t len)
{
	struct raw v;
	int n;

	if (!f->npolicies)
		return MAYBE;
	n = raw_get(line, len, "\"policy\"", &v);
	if (n < 0)
		return MAYBE;
	if (n == 0 || !v.str)
		return NO;
	for (size_t i = 0; i < f->npolicies; i++)
		if (raw_is(&v, f->policies[i]))
			return MAYBE;
	return NO;
}

static bool raw_null(const struct raw *v)
{
	return !v->str && v->n == 4 && !memcmp(v->p, "null", 4);
}

static enum verdict q_rule(const struct rv_filter *f, const char *line, size_t len)
{
	struct raw v;
	int64_t x = 0;
	bool is_int = false, is_null = false;
	int n;

	if (!f->nrules && !f->nrule_srcs)
		return MAYBE;
	n = raw_get(line, len, "\"rule\"", &v);
	if (n < 0)
		return MAYBE;
	if (n == 1) {
		is_null = raw_null(&v);
		is_int = raw_int(&v, &x);
		if (!v.str && !is_null && !is_int)
			return MAYBE; /* an odd token: let json-c decide */
	}
	for (size_t i = 0; i < f->nrules; i++)
		if ((is_null && f->rules[i] == -1) || (is_int && x == f->rules[i]))
			return MAYBE;
	if (!f->nrule_srcs)
		return NO;
	n = raw_get(line, len, "\"rule_src\"", &v);
	if (n < 0)
		return MAYBE;
	for (size_t i = 0; n == 1 && i < f->nrule_srcs; i++)
		if (raw_is(&v, f->rule_srcs[i]))
			return MAYBE;
	return NO;
}

static enum verdict q_int(const char *line, size_t len, const char *qkey, const int64_t *list,
			  size_t nlist)
{
	struct raw v;
	int64_t x;
	int n;

	if (!nlist)
		return MAYBE;
	n = raw_get(line, len, qkey, &v);
	if (n < 0)
		return MAYBE;
	if (n == 0 || v.str)
		return NO;
	if (!raw_int(&v, &x))
		return MAYBE;
	for (size_t i = 0; i < nlist; i++)
		if (list[i] == x)
			return MAYBE;
	return NO;
}

/* 1: the glob matches the value, 0: it does not or the key is absent, -1: unsure. */
static int glob_raw(const struct rv_glob *g, const char *line, size_t len, const char *qkey)
{
	struct raw v;
	int n = raw_get(line, len, qkey, &v);

	if (n <= 0)
		return n;
	return v.str && rv_glob_match_n(g, v.p, v.n);
}

static enum verdict q_glob(const struct rv_glob *g, const char *line, size_t len, const char *qkey)
{
	if (!g)
		return MAYBE;
	return glob_raw(g, line, len, qkey) ? MAYBE : NO;
}

static enum verdict q_path(const struct rv_filter *f, const char *line, size_t len)
{
	if (!f->path)
		return MAYBE;
	return glob_raw(f->path, line, len, "\"path\"") ||
			       glob_raw(f->path, line, len, "\"path2\"") ?
		       MAYBE :
		       NO;
}

bool rv_filter_quick(const struct rv_filter *f, const char *line, size_t len, bool keep_loss)
{
	struct raw ev;
	int64_t t;

	if (memchr(line, '\\', len) || !looks_like_v1(line, len) || !valid_head(line, len, &ev, &t))
		return MAYBE;
	if (keep_loss && (raw_is(&ev, "lost") || raw_is(&ev, "suppressed")))
		return MAYBE;
	return q_time(f, t) && q_event(f, &ev) && q_action(f, line, len) &&
	       q_policy(f, line, len) && q_rule(f, line, len) &&
	       q_int(line, len, "\"uid\"", f->uids, f->nuids) &&
	       q_int(line, len, "\"pid\"", f->pids, f->npids) &&
	       q_glob(f->cgroup, line, len, "\"cgroup\"") && q_glob(f->exe, line, len, "\"exe\"") &&
	       q_path(f, line, len);
}
