// SPDX-License-Identifier: GPL-2.0-only
/*
 * The raw-line prefilter: most lines of a big log do not match a filter,
 * and a full parse costs several times more than a look at the bytes, so
 * lines are first looked at as bytes, and only those that may match (or may
 * be malformed, so that they get counted) are parsed. The record parser
 * (review_record.c) stays the only judge of what is printed or counted.
 *
 * Why looking at bytes is safe here (docs/audit-log.md, "Reading fast"):
 *  - Only lines without any backslash are judged. In such a line no string
 *    has an escape, so every '"' is a string delimiter, they pair up from
 *    the left, and every string value is its bytes between two quotes.
 *  - A string followed by optional blanks and ':' is a key.
 *  - Lines with a nested object ('{' outside strings, past the first) are
 *    passed on: their keys could be taken for the record's (a record whose
 *    "v", "time" and "event" are inside a nested object is bad, and must
 *    be counted). Records have arrays, but no nested objects.
 *  - A key is used only if it occurs exactly once.
 *  - Lines that do not look like a version-1 object ({ ... } with "v": 1,
 *    a valid "time" and an "event") are passed on to be parsed and counted
 *    as bad. Anything unexpected answers "maybe".
 */
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "review/review.h"

enum verdict { NO = 0, MAYBE = 1 };

struct raw {
	const char *p; /* string content without quotes, or the literal token */
	size_t n;
	bool str;
};

/* The keys the filters look at. */
enum key {
	K_V,
	K_TIME,
	K_EVENT,
	K_ACTION,
	K_POLICY,
	K_RULE,
	K_RULE_SRC,
	K_UID,
	K_PID,
	K_CGROUP,
	K_EXE,
	K_PATH,
	K_PATH2,
	K_N
};

static const char *const key_names[K_N] = {
	[K_V] = "v",
	[K_TIME] = "time",
	[K_EVENT] = "event",
	[K_ACTION] = "action",
	[K_POLICY] = "policy",
	[K_RULE] = "rule",
	[K_RULE_SRC] = "rule_src",
	[K_UID] = "uid",
	[K_PID] = "pid",
	[K_CGROUP] = "cgroup",
	[K_EXE] = "exe",
	[K_PATH] = "path",
	[K_PATH2] = "path2",
};

/* Where each key's value is, and how many times the key occurs. */
struct index {
	struct raw v[K_N];
	unsigned char n[K_N];
};

/* The key called p[0, n), by length and first byte, then compared. */
static int key_of(const char *p, size_t n)
{
	int k;

	switch (n) {
	case 1:
		k = K_V;
		break;
	case 3:
		k = p[0] == 'u' ? K_UID : p[0] == 'p' ? K_PID : p[0] == 'e' ? K_EXE : -1;
		break;
	case 4:
		k = p[0] == 't' ? K_TIME : p[0] == 'r' ? K_RULE : p[0] == 'p' ? K_PATH : -1;
		break;
	case 5:
		k = p[0] == 'e' ? K_EVENT : p[0] == 'p' ? K_PATH2 : -1;
		break;
	case 6:
		k = p[0] == 'a' ? K_ACTION : p[0] == 'p' ? K_POLICY : p[0] == 'c' ? K_CGROUP : -1;
		break;
	case 8:
		k = K_RULE_SRC;
		break;
	default:
		return -1;
	}
	return k >= 0 && !memcmp(p, key_names[k], n) ? k : -1;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && blank(*p))
		p++;
	return p;
}

#define QUOTE_LINE_MAX 4096 /* longer lines are simply parsed */

/* Bit i of bits: line[i] is '"'. False if the line has a backslash. */
static bool quote_bits(const char *line, size_t len, uint64_t *bits)
{
	size_t i = 0;

	memset(bits, 0, (len + 63) / 64 * sizeof(*bits));
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');

	for (; i + 16 <= len; i += 16) {
		__m128i c = _mm_loadu_si128((const __m128i *)(line + i));

		if (_mm_movemask_epi8(_mm_cmpeq_epi8(c, bslash)))
			return false;
		bits[i / 64] |= (uint64_t)(unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(c, quote))
				<< (i % 64);
	}
#endif
	for (; i < len; i++) {
		if (line[i] == '\\')
			return false;
		if (line[i] == '"')
			bits[i / 64] |= 1ull << (i % 64);
	}
	return true;
}

/* Quote positions in order. */
struct quotes {
	const uint64_t *bits;
	size_t nwords, w;
	uint64_t cur;
};

static bool next_quote(struct quotes *q, size_t *pos)
{
	while (!q->cur) {
		if (++q->w >= q->nwords)
			return false;
		q->cur = q->bits[q->w];
	}
	*pos = q->w * 64 + (size_t)__builtin_ctzll(q->cur);
	q->cur &= q->cur - 1;
	return true;
}

/* A literal value (number, true, false, null) at v. */
static struct raw token_at(const char *v, const char *end)
{
	const char *e = v;

	while (e < end && *e != ',' && *e != '}' && *e != ']' && !blank(*e))
		e++;
	return (struct raw){v, (size_t)(e - v), false};
}

/* line[from, to), outside strings, opens an object. */
static bool opens_object(const char *from, const char *to)
{
	return memchr(from, '{', (size_t)(to - from)) != NULL;
}

/*
 * One pass over the line's quotes: every key we know, with its value.
 * Returns false for a line with a backslash, an odd number of quotes, a
 * nested object, or over QUOTE_LINE_MAX bytes (no opinion).
 */
static bool index_line(const char *line, size_t len, struct index *ix)
{
	uint64_t bits[QUOTE_LINE_MAX / 64];
	struct quotes q = {bits, (len + 63) / 64, 0, 0};
	const char *end = line + len;
	const char *out = skip_ws(line, end); /* outside strings, past the record's '{' */
	size_t open, close;

	if (len > QUOTE_LINE_MAX || !quote_bits(line, len, bits))
		return false;
	out += out < end && *out == '{';
	q.cur = bits[0];
	memset(ix->n, 0, sizeof(ix->n));
	while (next_quote(&q, &open)) {
		const char *c, *v;
		struct raw val;
		int k;

		if (opens_object(out, line + open) || !next_quote(&q, &close))
			return false;
		out = line + close + 1;
		c = skip_ws(out, end);
		if (c == end || *c != ':')
			continue; /* a string value, not a key */
		k = key_of(line + open + 1, close - open - 1);
		v = skip_ws(c + 1, end);
		if (v < end && *v == '"') {
			size_t vo = (size_t)(v - line), vc;

			if (!next_quote(&q, &open) || open != vo || !next_quote(&q, &vc))
				return false;
			val = (struct raw){v + 1, vc - vo - 1, true};
			out = line + vc + 1;
		} else {
			val = token_at(v, end); /* arrays and objects: scanned on from inside */
		}
		if (k >= 0 && ix->n[k]++ == 0)
			ix->v[k] = val;
	}
	return !opens_object(out, end);
}

/* 1: the key is there once, *v is its value; 0: absent; -1: several times. */
static int get(const struct index *ix, enum key k, struct raw *v)
{
	if (ix->n[k] > 1)
		return -1;
	if (ix->n[k] == 1)
		*v = ix->v[k];
	return ix->n[k];
}

static bool raw_is(const struct raw *v, const char *s)
{
	return v->str && strlen(s) == v->n && !memcmp(v->p, s, v->n);
}

static bool raw_null(const struct raw *v)
{
	return !v->str && v->n == 4 && !memcmp(v->p, "null", 4);
}

/* A JSON integer as the record parser reads it into int64; false when unsure. */
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

static bool looks_like_object(const char *line, size_t len)
{
	const char *b = skip_ws(line, line + len), *e = line + len;

	while (e > b && blank(e[-1]))
		e--;
	return e - b >= 2 && *b == '{' && e[-1] == '}';
}

/* A valid v1 record's head; false: the line must be parsed (and counted). */
static bool valid_head(const struct index *ix, struct raw *ev, int64_t *t)
{
	struct raw v, tv;

	return get(ix, K_V, &v) == 1 && !v.str && v.n == 1 && v.p[0] == '1' &&
	       get(ix, K_EVENT, ev) == 1 && ev->str && get(ix, K_TIME, &tv) == 1 && tv.str &&
	       !rv_time_parse_rfc3339(tv.p, tv.n, t);
}

static enum verdict q_time(const struct rv_filter *f, int64_t t)
{
	if (f->since != RV_TIME_NONE && t < f->since)
		return NO;
	if (f->until != RV_TIME_NONE && t > f->until)
		return NO;
	return MAYBE;
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

static enum verdict q_action(const struct rv_filter *f, const struct index *ix)
{
	struct raw v;
	int n;

	if (!f->actions)
		return MAYBE;
	n = get(ix, K_ACTION, &v);
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

static enum verdict q_policy(const struct rv_filter *f, const struct index *ix)
{
	struct raw v;
	int n;

	if (!f->npolicies)
		return MAYBE;
	n = get(ix, K_POLICY, &v);
	if (n < 0)
		return MAYBE;
	if (n == 0 || !v.str)
		return NO;
	for (size_t i = 0; i < f->npolicies; i++)
		if (raw_is(&v, f->policies[i]))
			return MAYBE;
	return NO;
}

static enum verdict q_rule(const struct rv_filter *f, const struct index *ix)
{
	struct raw v;
	int64_t x = 0;
	bool is_int = false, is_null = false;
	int n;

	if (!f->nrules && !f->nrule_srcs)
		return MAYBE;
	n = get(ix, K_RULE, &v);
	if (n < 0)
		return MAYBE;
	if (n == 1) {
		is_null = raw_null(&v);
		is_int = raw_int(&v, &x);
		if (!v.str && !is_null && !is_int)
			return MAYBE; /* an odd token: let the parser decide */
	}
	for (size_t i = 0; i < f->nrules; i++)
		if ((is_null && f->rules[i] == -1) || (is_int && x == f->rules[i]))
			return MAYBE;
	if (!f->nrule_srcs)
		return NO;
	n = get(ix, K_RULE_SRC, &v);
	if (n < 0)
		return MAYBE;
	for (size_t i = 0; n == 1 && i < f->nrule_srcs; i++)
		if (raw_is(&v, f->rule_srcs[i]))
			return MAYBE;
	return NO;
}

static enum verdict q_int(const struct index *ix, enum key k, const int64_t *list, size_t nlist)
{
	struct raw v;
	int64_t x;
	int n;

	if (!nlist)
		return MAYBE;
	n = get(ix, k, &v);
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
static int glob_raw(const struct rv_glob *g, const struct index *ix, enum key k)
{
	struct raw v;
	int n = get(ix, k, &v);

	if (n <= 0)
		return n;
	return v.str && rv_glob_match_n(g, v.p, v.n);
}

static enum verdict q_glob(const struct rv_glob *g, const struct index *ix, enum key k)
{
	if (!g)
		return MAYBE;
	return glob_raw(g, ix, k) ? MAYBE : NO;
}

static enum verdict q_path(const struct rv_filter *f, const struct index *ix)
{
	if (!f->path)
		return MAYBE;
	return glob_raw(f->path, ix, K_PATH) || glob_raw(f->path, ix, K_PATH2) ? MAYBE : NO;
}

/* Whether any filter the prefilter checks is set: with none, it would say "maybe" to all. */
static bool can_refuse(const struct rv_filter *f)
{
	return f->since != RV_TIME_NONE || f->until != RV_TIME_NONE || f->events || f->actions ||
	       f->npolicies || f->nrules || f->nrule_srcs || f->nuids || f->npids || f->cgroup ||
	       f->exe || f->path;
}

bool rv_filter_quick(const struct rv_filter *f, const char *line, size_t len, bool keep_loss)
{
	struct index ix;
	struct raw ev;
	int64_t t;

	if (!can_refuse(f))
		return MAYBE;
	if (!looks_like_object(line, len) || !index_line(line, len, &ix) ||
	    !valid_head(&ix, &ev, &t))
		return MAYBE;
	if (keep_loss && (raw_is(&ev, "lost") || raw_is(&ev, "suppressed")))
		return MAYBE;
	return q_time(f, t) && q_event(f, &ev) && q_action(f, &ix) && q_policy(f, &ix) &&
	       q_rule(f, &ix) && q_int(&ix, K_UID, f->uids, f->nuids) &&
	       q_int(&ix, K_PID, f->pids, f->npids) && q_glob(f->cgroup, &ix, K_CGROUP) &&
	       q_glob(f->exe, &ix, K_EXE) && q_path(f, &ix);
}
