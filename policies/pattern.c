// SPDX-License-Identifier: GPL-2.0-only
/*
 * Path patterns (pattern.h): parse into classified components, validate,
 * match. The matcher is a set of live pattern positions stepped once per
 * subject component ('**' keeps its position live), and a single-star
 * restart within a component: O(subject * pattern), never exponential.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policies/pattern.h"

/* One parse: the output being filled and the first error. */
struct pat_parse {
	const char *s;
	size_t len;
	unsigned int flags;
	struct pal_pattern *p;
	struct pal_pat_tok *tok; /* next free token */
	char *bytes; /* next free byte of the unescaped literals */
	size_t ncls; /* classes used */
	struct pal_pat_error *e;
};

static bool is_rule(const struct pat_parse *x)
{
	return x->flags & PAL_PAT_RULE;
}

static int fail(struct pat_parse *x, int err, size_t off, const char *why, const char *hint)
{
	*x->e = (struct pal_pat_error){off, why, hint};
	return err;
}

static bool escapable(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

bool pal_pattern_has_glob(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && escapable(s[i + 1]))
			i++;
		else if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return true;
	}
	return false;
}

static void cls_set(struct pal_pat_class *c, unsigned int lo, unsigned int hi)
{
	for (unsigned int b = lo; b <= hi; b++)
		c->bits[b / 64] |= 1ull << (b % 64);
}

static bool cls_has(const struct pal_pat_class *c, unsigned char b)
{
	return c->bits[b / 64] >> (b % 64) & 1;
}

/* One class character at *i (escapes allowed); -1 and *e set if not ASCII. */
static int class_char(struct pat_parse *x, size_t *i, size_t end)
{
	unsigned char c = (unsigned char)x->s[*i];

	if (c == '\\' && *i + 1 < end)
		c = (unsigned char)x->s[++*i];
	if (c >= 0x80 || c < 0x20)
		return fail(x, -1, *i, "a class holds ASCII characters only",
			    "use '?' or '*' for other characters");
	(*i)++;
	return c;
}

/* The class at s[at] == '[' up to its ']' before end; *i ends after it. */
static int parse_class(struct pat_parse *x, size_t at, size_t end, size_t *i,
		       struct pal_pat_class *c)
{
	bool neg = at + 1 < end && x->s[at + 1] == '!';
	size_t items = 0;

	*i = at + 1 + neg;
	while (*i < end && x->s[*i] != ']') {
		size_t item = *i;
		int lo = class_char(x, i, end), hi;

		if (lo < 0)
			return -EINVAL;
		hi = lo;
		if (*i + 1 < end && x->s[*i] == '-' && x->s[*i + 1] != ']') {
			(*i)++;
			hi = class_char(x, i, end);
			if (hi < 0)
				return -EINVAL;
			if (hi < lo)
				return fail(x, -EINVAL, item, "empty range in a class",
					    "write the lower character first ('[a-z]')");
		}
		if (++items > PAL_PAT_CLASS_MAX)
			return fail(x, -E2BIG, at,
				    "more than PAL_PAT_CLASS_MAX (32) items in a class",
				    "split the rule, or use '?'");
		cls_set(c, (unsigned int)lo, (unsigned int)hi);
	}
	if (*i >= end)
		return fail(x, -EINVAL, at, "unterminated class: '[' without ']'",
			    "close it with ']', or write '\\[' for a literal '['");
	if (!items)
		return fail(
			x, -EINVAL, at, "empty class: it can never match",
			"put the characters between '[' and ']', or write '\\[' for a literal '['");
	(*i)++;
	if (neg) {
		for (int w = 0; w < 4; w++)
			c->bits[w] = ~c->bits[w];
		c->bits[0] &= ~1ull; /* NUL and '/' are never in a name */
		c->bits['/' / 64] &= ~(1ull << ('/' % 64));
	}
	return 0;
}

/* One token at s[*i]; *i ends after it. */
static int parse_tok(struct pat_parse *x, size_t *i, size_t end, struct pal_pat_comp *c)
{
	struct pal_pat_tok *t = &x->tok[c->ntok++];
	char ch = x->s[*i];

	if (ch == '\\' && *i + 1 < end && escapable(x->s[*i + 1])) {
		*t = (struct pal_pat_tok){PAL_PT_BYTE, (unsigned char)x->s[*i + 1], 0};
		*i += 2;
	} else if (ch == '*') {
		if (*i + 1 < end && x->s[*i + 1] == '*')
			return fail(x, -EINVAL, *i, "'**' must be a whole component",
				    "'*' already matches any run within a name; write '/**/' for "
				    "any number of directories");
		*t = (struct pal_pat_tok){PAL_PT_STAR, 0, 0};
		(*i)++;
	} else if (ch == '?') {
		*t = (struct pal_pat_tok){PAL_PT_ONE, 0, 0};
		(*i)++;
	} else if (ch == '[') {
		*t = (struct pal_pat_tok){PAL_PT_CLASS, 0, (unsigned short)x->ncls};
		return parse_class(x, *i, end, i, &x->p->cls[x->ncls++]);
	} else {
		*t = (struct pal_pat_tok){PAL_PT_BYTE, (unsigned char)ch, 0};
		(*i)++;
	}
	return 0;
}

/* Copy the bytes of tokens [from, to) (all PAL_PT_BYTE) into the literal store. */
static const char *take_bytes(struct pat_parse *x, const struct pal_pat_tok *t, size_t from,
			      size_t to)
{
	char *out = x->bytes;

	for (size_t k = from; k < to; k++)
		*x->bytes++ = (char)t[k].c;
	*x->bytes++ = 0;
	return out;
}

/* A literal rule component that can never be a resolved name. */
static int check_rule_lit(struct pat_parse *x, const struct pal_pat_comp *c)
{
	if ((c->nlit == 1 && c->lit[0] == '.') ||
	    (c->nlit == 2 && c->lit[0] == '.' && c->lit[1] == '.'))
		return fail(x, -EINVAL, c->off, "'.' and '..' components can never match",
			    "the kernel matches the resolved path: name it without '.' and '..'");
	return 0;
}

/* Star-only shapes get their cheap kinds; anything else stays a general glob. */
static int classify(struct pat_parse *x, struct pal_pat_comp *c)
{
	size_t stars = 0, others = 0, star = 0;

	for (size_t k = 0; k < c->ntok; k++) {
		if (c->tok[k].kind == PAL_PT_STAR) {
			stars++;
			star = k;
		} else {
			others += c->tok[k].kind != PAL_PT_BYTE;
			c->min++;
		}
	}
	if (is_rule(x) && stars + others > PAL_PAT_GLOB_MAX)
		return fail(x, -E2BIG, c->off, "more than PAL_PAT_GLOB_MAX (8) wildcards in a name",
			    "split the rule into simpler patterns");
	if (is_rule(x) && c->min > PAL_NAME_MAX)
		return fail(x, -EINVAL, c->off,
			    "the name needs more than PAL_NAME_MAX (255) bytes: it can never match",
			    "shorten the component");
	if (others || stars > 1) {
		c->kind = PAL_PC_GLOB;
		return 0;
	}
	if (!stars) {
		c->kind = PAL_PC_LIT;
		c->lit = take_bytes(x, c->tok, 0, c->ntok);
		c->nlit = c->ntok;
		return is_rule(x) ? check_rule_lit(x, c) : 0;
	}
	c->lit = take_bytes(x, c->tok, 0, star);
	c->nlit = star;
	c->suf = take_bytes(x, c->tok, star + 1, c->ntok);
	c->nsuf = c->ntok - star - 1;
	c->kind = c->nlit ? (c->nsuf ? PAL_PC_PRESUF : PAL_PC_PREFIX) :
			    (c->nsuf ? PAL_PC_SUFFIX : PAL_PC_ANY);
	return 0;
}

static int parse_comp(struct pat_parse *x, size_t a, size_t b, struct pal_pat_comp *c)
{
	size_t i = a;
	int err;

	c->off = a;
	if (b - a == 2 && x->s[a] == '*' && x->s[a + 1] == '*') {
		c->kind = PAL_PC_DSTAR;
		if (++x->p->ndstar > PAL_PAT_DSTAR_MAX && is_rule(x))
			return fail(x, -E2BIG, a,
				    "more than PAL_PAT_DSTAR_MAX (4) '**' in a pattern",
				    "split the rule into several patterns");
		return 0;
	}
	c->tok = x->tok;
	while (i < b) {
		err = parse_tok(x, &i, b, c);
		if (err)
			return err;
	}
	x->tok += c->ntok;
	return classify(x, c);
}

static int check_depth(struct pat_parse *x)
{
	size_t names = 0;

	for (size_t k = 1; k < x->p->ncomp; k++)
		if (x->p->comp[k].kind != PAL_PC_DSTAR && ++names > PAL_MAX_DEPTH)
			return fail(
				x, -EINVAL, x->p->comp[k].off,
				"more than PAL_MAX_DEPTH (64) names: the pattern can never match",
				"use '**' for the levels between");
	return 0;
}

/* Rule patterns: absolute, empty components skipped, comp[0] is the root. */
static int parse_all(struct pat_parse *x)
{
	size_t i = 0;
	int err;

	if (is_rule(x)) {
		if (!x->len || x->s[0] != '/')
			return fail(x, -EINVAL, 0,
				    "a rule pattern must be absolute (start with '/')",
				    "rules match the path from the root the confined process sees");
		x->p->comp[x->p->ncomp++] = (struct pal_pat_comp){.kind = PAL_PC_LIT, .lit = ""};
		i = 1;
	}
	while (i <= x->len) {
		size_t a = i, b = i;

		while (b < x->len && x->s[b] != '/')
			b++;
		if (b > a || !is_rule(x)) {
			err = parse_comp(x, a, b, &x->p->comp[x->p->ncomp++]);
			if (err)
				return err;
		}
		i = b + 1;
	}
	return is_rule(x) ? check_depth(x) : 0;
}

/* The unescaped text of a literal pattern: canonical for rule patterns. */
static void build_text(struct pat_parse *x)
{
	struct pal_pattern *p = x->p;
	char *t = x->bytes;
	size_t n = 0;

	for (size_t k = 0; k < p->ncomp; k++) {
		if (k) {
			t[n++] = '/';
		}
		memcpy(t + n, p->comp[k].lit, p->comp[k].nlit);
		n += p->comp[k].nlit;
	}
	if (is_rule(x) && p->ncomp == 1)
		t[n++] = '/';
	t[n] = 0;
	p->text = t;
	p->ntext = n;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* One block: the struct, components, tokens, classes, literal bytes, text. */
static int alloc_pattern(struct pat_parse *x)
{
	size_t ncomp = 2, ncls = 0, off[5];
	char *base;

	for (size_t i = 0; i < x->len; i++) {
		ncomp += x->s[i] == '/';
		ncls += x->s[i] == '[';
	}
	off[0] = align8(sizeof(struct pal_pattern));
	off[1] = off[0] + align8(ncomp * sizeof(struct pal_pat_comp));
	off[2] = off[1] + align8(x->len * sizeof(struct pal_pat_tok));
	off[3] = off[2] + ncls * sizeof(struct pal_pat_class);
	off[4] = off[3] + 3 * x->len + 2 * ncomp + 3; /* literals, NUL each; the text; the source */
	base = calloc(1, off[4]);
	if (!base)
		return -ENOMEM;
	x->p = (struct pal_pattern *)base;
	x->p->comp = (struct pal_pat_comp *)(base + off[0]);
	x->tok = (struct pal_pat_tok *)(base + off[1]);
	x->p->cls = (struct pal_pat_class *)(base + off[2]);
	x->bytes = base + off[3];
	x->p->src = memcpy(base + off[4] - x->len - 1, x->s, x->len); /* NUL from calloc */
	x->p->nsrc = x->len;
	return 0;
}

int pal_pattern_parse(const char *s, size_t len, unsigned int flags, struct pal_pattern **out,
		      struct pal_pat_error *e)
{
	struct pat_parse x = {.s = s, .len = len, .flags = flags, .e = e};
	int err;

	*out = NULL;
	if (len > PAL_PAT_TEXT_MAX)
		return fail(&x, -E2BIG, 0,
			    "the pattern is longer than PAL_PAT_TEXT_MAX (4096 bytes)",
			    "shorten it");
	if (alloc_pattern(&x))
		return -ENOMEM;
	x.p->flags = flags;

	err = parse_all(&x);
	if (err) {
		free(x.p);
		return err;
	}
	x.p->literal = true;
	for (size_t k = 0; k < x.p->ncomp; k++)
		x.p->literal &= x.p->comp[k].kind == PAL_PC_LIT;
	if (x.p->literal)
		build_text(&x);
	for (size_t i = 0; !x.p->literal && i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && escapable(s[i + 1])) {
			i++;
		} else if (s[i] == '*' || s[i] == '?' || s[i] == '[') {
			x.p->glob_off = i;
			break;
		}
	}
	*out = x.p;
	return 0;
}

void pal_pattern_free(struct pal_pattern *p)
{
	free(p);
}

/* ---- matching ----------------------------------------------------------- */

static bool glob_tok(const struct pal_pattern *p, const struct pal_pat_tok *t, unsigned char b)
{
	switch (t->kind) {
	case PAL_PT_BYTE:
		return t->c == b;
	case PAL_PT_ONE:
		return true;
	case PAL_PT_CLASS:
		return cls_has(&p->cls[t->cls], b);
	}
	return false;
}

/*
 * Tokens against a name. On a mismatch, only the last '*' is resumed one
 * byte further: an earlier star can never do better, since every star
 * matches any run.
 */
static bool glob_name(const struct pal_pattern *p, const struct pal_pat_comp *c, const char *s,
		      size_t n)
{
	size_t t = 0, i = 0, star = SIZE_MAX, resume = 0;

	while (i < n) {
		if (t < c->ntok && c->tok[t].kind == PAL_PT_STAR) {
			star = t++;
			resume = i;
		} else if (t < c->ntok && glob_tok(p, &c->tok[t], (unsigned char)s[i])) {
			t++;
			i++;
		} else if (star != SIZE_MAX) {
			t = star + 1;
			i = ++resume;
		} else {
			return false;
		}
	}
	while (t < c->ntok && c->tok[t].kind == PAL_PT_STAR)
		t++;
	return t == c->ntok;
}

bool pal_pattern_match_name(const struct pal_pattern *p, const struct pal_pat_comp *c,
			    const char *name, size_t len)
{
	switch (c->kind) {
	case PAL_PC_LIT:
		return len == c->nlit && !memcmp(name, c->lit, len);
	case PAL_PC_DSTAR:
	case PAL_PC_ANY:
		return true;
	case PAL_PC_PREFIX:
		return len >= c->nlit && !memcmp(name, c->lit, c->nlit);
	case PAL_PC_SUFFIX:
		return len >= c->nsuf && !memcmp(name + len - c->nsuf, c->suf, c->nsuf);
	case PAL_PC_PRESUF:
		return len >= c->nlit + c->nsuf && !memcmp(name, c->lit, c->nlit) &&
		       !memcmp(name + len - c->nsuf, c->suf, c->nsuf);
	}
	return glob_name(p, c, name, len);
}

#define PAT_WORDS ((PAL_PAT_TEXT_MAX + 3 + 63) / 64)

static void bit_set(uint64_t *s, size_t i)
{
	s[i / 64] |= 1ull << (i % 64);
}

static bool bit_get(const uint64_t *s, size_t i)
{
	return s[i / 64] >> (i % 64) & 1;
}

/* '**' may match no component: its successor is live whenever it is. */
static void closure(const struct pal_pattern *p, uint64_t *s)
{
	for (size_t i = 0; i < p->ncomp; i++)
		if (p->comp[i].kind == PAL_PC_DSTAR && bit_get(s, i))
			bit_set(s, i + 1);
}

/* One subject component: the next set of live positions; false if none. */
static bool step(const struct pal_pattern *p, uint64_t *cur, const char *name, size_t n)
{
	uint64_t next[PAT_WORDS] = {0};
	size_t words = (p->ncomp + 1 + 63) / 64;
	bool any = false;

	for (size_t i = 0; i < p->ncomp; i++) {
		if (!bit_get(cur, i))
			continue;
		if (p->comp[i].kind == PAL_PC_DSTAR)
			bit_set(next, i);
		else if (pal_pattern_match_name(p, &p->comp[i], name, n))
			bit_set(next, i + 1);
	}
	closure(p, next);
	for (size_t w = 0; w < words; w++)
		any |= (cur[w] = next[w]) != 0;
	return any;
}

/* Run s through p; cur ends as the live positions (empty: no match, nothing deeper). */
static bool run(const struct pal_pattern *p, const char *s, size_t len, uint64_t *cur)
{
	size_t i = 0;

	bit_set(cur, 0);
	closure(p, cur);
	if (p->flags & PAL_PAT_RULE) {
		/* canonical: the root's empty name, then one name per '/' ("/" is the root alone) */
		if (!len || s[0] != '/' || !step(p, cur, "", 0))
			return false;
		i = len == 1 ? 2 : 1;
	}
	while (i <= len) {
		size_t a = i, b = i;

		while (b < len && s[b] != '/')
			b++;
		if (!step(p, cur, s + a, b - a))
			return false;
		i = b + 1;
	}
	return true;
}

bool pal_pattern_match(const struct pal_pattern *p, const char *s, size_t len)
{
	uint64_t cur[PAT_WORDS] = {0};

	return run(p, s, len, cur) && bit_get(cur, p->ncomp);
}

bool pal_pattern_match_deeper(const struct pal_pattern *p, const char *s, size_t len, bool *deeper)
{
	uint64_t cur[PAT_WORDS] = {0};

	*deeper = false;
	if (!run(p, s, len, cur))
		return false;
	for (size_t i = 0; i < p->ncomp; i++)
		*deeper |= bit_get(cur, i);
	return bit_get(cur, p->ncomp);
}

const char *pal_pattern_kind_name(unsigned char kind)
{
	static const char *const names[] = {"literal", "'**'",		"'*'", "prefix",
					    "suffix",  "prefix+suffix", "glob"};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}
