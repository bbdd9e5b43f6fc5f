// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential property test of the pattern automaton: random pattern sets
 * and paths over a hostile alphabet ('*', '?', '[', ']', '\', dots, 255-byte
 * names, deep paths). The compiled entries, run as the kernel runs them,
 * must pick exactly the patterns that a reference matcher written here,
 * straight from the language's definition, picks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policies/automaton.h"

#define SETS 2500
#define PATHS_PER_SET 20
#define MAXP 6 /* patterns per set */
#define BUF 8192

static unsigned long long rng_state = 0x2545f4914f6cdd1dULL;

static unsigned int rnd(unsigned int n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned int)(rng_state % n);
}

static const char alpha[] = "ab.*?[]\\-x";

/* ---- the reference: recursive, memoised, from the source text ---------- */

static signed char memo_n[(BUF + 1) * 257];
static size_t memo_w; /* row width: name length + 1 */

static bool special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

/* One class at p ('[' ... ']'): does c belong; *end is after it. */
static bool ref_class(const char *p, unsigned char c, const char **end)
{
	bool neg = p[1] == '!', in = false;
	const char *q = p + 1 + neg;

	while (*q != ']') {
		unsigned char lo = (unsigned char)(*q == '\\' ? *++q : *q), hi = lo;

		q++;
		if (q[0] == '-' && q[1] != ']') {
			hi = (unsigned char)(q[1] == '\\' ? q[2] : q[1]);
			q += q[1] == '\\' ? 3 : 2;
		}
		in |= c >= lo && c <= hi;
	}
	*end = q + 1;
	return in != neg;
}

static bool ref_name(const char *p0, const char *p, const char *s, size_t n, size_t i)
{
	signed char *m = &memo_n[(size_t)(p - p0) * memo_w + i];
	const char *next;
	bool r;

	if (*m >= 0)
		return *m;
	if (!*p) {
		r = i == n;
	} else if (*p == '*') {
		r = ref_name(p0, p + 1, s, n, i) || (i < n && ref_name(p0, p, s, n, i + 1));
	} else if (i == n) {
		r = false;
	} else if (*p == '?') {
		r = ref_name(p0, p + 1, s, n, i + 1);
	} else if (*p == '[') {
		r = ref_class(p, (unsigned char)s[i], &next) && ref_name(p0, next, s, n, i + 1);
	} else if (*p == '\\' && special(p[1])) {
		r = p[1] == s[i] && ref_name(p0, p + 2, s, n, i + 1);
	} else {
		r = *p == s[i] && ref_name(p0, p + 1, s, n, i + 1);
	}
	*m = r;
	return r;
}

static bool ref_name_match(const char *pat, const char *name)
{
	size_t n = strlen(name);

	memo_w = n + 1;
	memset(memo_n, -1, (strlen(pat) + 1) * memo_w);
	return ref_name(pat, pat, name, n, 0);
}

struct comps {
	char *c[80];
	int n;
};

/* Split "/a/b" at '/' (in place); "/" has no component. */
static void split(char *s, struct comps *out)
{
	out->n = 0;
	for (char *save = NULL, *t = strtok_r(s, "/", &save); t; t = strtok_r(NULL, "/", &save))
		out->c[out->n++] = t;
}

static signed char memo_p[80][80];

static bool ref_path(const struct comps *p, int i, const struct comps *s, int j)
{
	signed char *m = &memo_p[i][j];
	bool r;

	if (*m >= 0)
		return *m;
	if (i == p->n)
		r = j == s->n;
	else if (!strcmp(p->c[i], "**"))
		r = ref_path(p, i + 1, s, j) || (j < s->n && ref_path(p, i, s, j + 1));
	else
		r = j < s->n && ref_name_match(p->c[i], s->c[j]) && ref_path(p, i + 1, s, j + 1);
	*m = r;
	return r;
}

static bool ref_match(const char *pat, const char *path)
{
	char pb[BUF], sb[BUF];
	struct comps p, s;

	strcpy(pb, pat);
	strcpy(sb, path);
	split(pb, &p);
	split(sb, &s);
	memset(memo_p, -1, sizeof(memo_p));
	return ref_path(&p, 0, &s, 0);
}

/* ---- generators ------------------------------------------------------- */

static void add_lit_char(char *out, size_t *o, char c)
{
	if (special(c))
		out[(*o)++] = '\\';
	out[(*o)++] = c;
}

static void rand_lit(char *out, size_t *o, size_t max)
{
	size_t n = 1 + rnd((unsigned int)max);

	for (size_t i = 0; i < n; i++)
		add_lit_char(out, o, alpha[rnd(sizeof(alpha) - 1)]);
}

static void rand_glob(char *out, size_t *o)
{
	static const char *const pieces[] = {"?", "[ab]", "[!a]", "[*-?]", "[\\]x]", "*"};
	int n = 2 + (int)rnd(3), wild = 0;

	for (int i = 0; i < n; i++) {
		if (rnd(2) && wild < 3) {
			const char *p = pieces[rnd(6)];

			memcpy(out + *o, p, strlen(p));
			*o += strlen(p);
			wild++;
		} else {
			add_lit_char(out, o, alpha[rnd(sizeof(alpha) - 1)]);
		}
	}
	if (!wild)
		out[(*o)++] = '?';
}

static void rand_comp(char *out, size_t *o)
{
	switch (rnd(9)) {
	case 0:
	case 1:
		rand_lit(out, o, 3);
		break;
	case 2:
		out[(*o)++] = '*';
		break;
	case 3:
		out[(*o)++] = '*';
		out[(*o)++] = '*';
		break;
	case 4:
		rand_lit(out, o, 2);
		out[(*o)++] = '*';
		break;
	case 5:
		out[(*o)++] = '*';
		rand_lit(out, o, 2);
		break;
	case 6:
		rand_lit(out, o, 2);
		out[(*o)++] = '*';
		rand_lit(out, o, 2);
		break;
	case 7:
		rand_glob(out, o);
		break;
	default: /* a long name: 255 bytes, or a prefix of 200 */
		for (int i = 0; i < (rnd(2) ? 255 : 200); i++)
			out[(*o)++] = 'a';
		if (out[*o - 1] == 'a' && *o && rnd(2)) {
			(*o)--;
			out[(*o)++] = '*';
		}
	}
}

/* A rule pattern; deep ones use '**' to stay within the limits. */
static void rand_pattern(char *out)
{
	int n = rnd(10) ? 1 + (int)rnd(4) : 20 + (int)rnd(40);
	size_t o = 0;

	for (int i = 0; i < n; i++) {
		out[o++] = '/';
		if (n > 8 && rnd(2)) {
			out[o++] = 'a';
			continue;
		}
		rand_comp(out, &o);
	}
	out[o] = 0;
}

static void rand_name(char *out, size_t *o)
{
	size_t n = rnd(12) ? 1 + rnd(4) : 255 - rnd(2) * 55;

	for (size_t i = 0; i < n; i++)
		out[(*o)++] = n > 4 ? 'a' : alpha[rnd(sizeof(alpha) - 1)];
	if (n == 1 && out[*o - 1] == '.')
		out[*o - 1] = 'b'; /* a resolved path has no '.' */
	if (n == 2 && out[*o - 1] == '.' && out[*o - 2] == '.')
		out[*o - 1] = 'x';
}

/* A name that component text pc likely matches: fill its wildcards. */
static void name_for(const char *pc, char *out, size_t *o)
{
	size_t start = *o;

	for (const char *p = pc; *p && *o - start < 255;) {
		if (*p == '\\' && special(p[1])) {
			out[(*o)++] = p[1];
			p += 2;
		} else if (*p == '*') {
			for (unsigned int k = rnd(3); k; k--)
				out[(*o)++] = alpha[rnd(sizeof(alpha) - 1)];
			p++;
		} else if (*p == '?' || *p == '[') {
			out[(*o)++] = alpha[rnd(sizeof(alpha) - 1)];
			while (*p == '[' && *p && *p != ']')
				p++;
			if (*p == '[') {
				while (*p != ']')
					p += *p == '\\' ? 2 : 1;
			}
			p++;
		} else {
			out[(*o)++] = *p++;
		}
	}
	if (*o == start || *o - start > 255 || (*o - start == 1 && out[start] == '.') ||
	    (*o - start == 2 && out[start] == '.' && out[start + 1] == '.')) {
		*o = start;
		rand_name(out, o);
	}
}

/* A path built from one of the patterns, mutated at random, or a random one. */
static void rand_path(char pats[][BUF], int np, char *out)
{
	char pb[BUF];
	struct comps p;
	size_t o = 0;

	strcpy(pb, pats[rnd((unsigned int)np)]);
	split(pb, &p);
	if (!rnd(8))
		p.n = 1 + (int)rnd(3), p.c[0] = p.c[1] = p.c[2] = "*";
	for (int i = 0; i < p.n && o < BUF - 600; i++) {
		if (!strcmp(p.c[i], "**")) {
			for (unsigned int k = rnd(4); k; k--) {
				out[o++] = '/';
				rand_name(out, &o);
			}
			continue;
		}
		out[o++] = '/';
		if (!rnd(12))
			rand_name(out, &o);
		else
			name_for(p.c[i], out, &o);
	}
	if (!rnd(10)) {
		out[o++] = '/';
		rand_name(out, &o);
	}
	if (!o)
		out[o++] = '/';
	out[o] = 0;
}

/* ---- the test --------------------------------------------------------- */

static __u32 labels[MAXP];

/*
 * Half the sets give every pattern its own label, half share two labels
 * (patterns of one label and the same tail share automaton states).
 */
static int compile_set(char pats[][BUF], int np, struct pal_pattern **pp, struct pal_auto **a,
		       struct pal_auto_error *ae)
{
	bool shared = rnd(2);

	for (int i = 0; i < np; i++) {
		struct pal_pat_error e;
		int err;

		do {
			rand_pattern(pats[i]);
			err = pal_pattern_parse(pats[i], strlen(pats[i]), PAL_PAT_RULE, &pp[i], &e);
		} while (err == -EINVAL || err == -E2BIG);
		assert_int_equal(err, 0);
		labels[i] = shared ? rnd(2) : (__u32)i;
	}
	return pal_auto_build((const struct pal_pattern *const *)pp, labels, (size_t)np, 0x1234, a,
			      ae);
}

static size_t positives; /* pairs that match: the test must not be all misses */

static void check_path(const struct pal_auto *a, char pats[][BUF], int np, const char *path,
		       size_t *pairs)
{
	const __u32 *acc;
	size_t nacc, lookups = 0, depth = 0, k = 0;

	assert_int_equal(pal_auto_run(a, path, strlen(path), &acc, &nacc, &lookups), 0);
	for (const char *c = path; *c; c++)
		depth += *c == '/';
	/* bounded per component: NAME, the prefix and suffix lengths, COMBO */
	assert_true(lookups <= depth * (2 + 2 * PAL_PAT_LENS_MAX));
	bool want[MAXP] = {0};

	for (int i = 0; i < np; i++) {
		bool m = ref_match(pats[i], path);

		want[labels[i]] |= m;
		positives += m;
		(*pairs)++;
	}
	for (__u32 l = 0; l < MAXP; l++) {
		bool got = k < nacc && acc[k] == l;

		k += got;
		if (want[l] != got) {
			for (int j = 0; j < np; j++)
				printf("set: '%s' label %u\n", pats[j], labels[j]);
			fail_msg("label %u on path '%s': reference %d, automaton %d", l, path,
				 want[l], got);
		}
	}
	assert_int_equal(k, nacc);
}

static void test_differential(void **state)
{
	static char pats[MAXP][BUF], path[BUF];
	size_t pairs = 0, refused = 0;

	for (int set = 0; set < SETS; set++) {
		struct pal_pattern *pp[MAXP];
		struct pal_auto_error ae;
		struct pal_auto *a;
		int np = 1 + (int)rnd(MAXP), err = compile_set(pats, np, pp, &a, &ae);

		if (err == -E2BIG) {
			assert_non_null(ae.why);
			refused++;
		} else {
			assert_int_equal(err, 0);
			for (int i = 0; i < PATHS_PER_SET; i++) {
				rand_path(pats, np, path);
				check_path(a, pats, np, path, &pairs);
			}
			pal_auto_free(a);
		}
		for (int i = 0; i < np; i++)
			pal_pattern_free(pp[i]);
	}
	printf("differential: %zu (pattern, path) pairs, %zu matching, %zu of %d sets refused\n",
	       pairs, positives, refused, SETS);
	assert_true(pairs >= 100000);
	assert_true(positives >= pairs / 10);
	assert_true(refused < SETS / 10);
}

/* The bounds are enforced at compile time, naming the patterns. */
static void test_refusal(void **state)
{
	const char *src[] = {"/a/x*", "/a/xx*", "/a/xxx*", "/a/xxxx*", "/a/xxxxx*"};
	static const __u32 lab[5] = {0, 1, 2, 3, 4};
	struct pal_pattern *pp[5];
	struct pal_auto_error ae;
	struct pal_auto *a;
	struct pal_pat_error e;

	for (int i = 0; i < 5; i++)
		assert_int_equal(
			pal_pattern_parse(src[i], strlen(src[i]), PAL_PAT_RULE, &pp[i], &e), 0);
	assert_int_equal(pal_auto_build((const struct pal_pattern *const *)pp, lab, 4, 1, &a, &ae),
			 0);
	pal_auto_free(a);
	assert_int_equal(pal_auto_build((const struct pal_pattern *const *)pp, lab, 5, 1, &a, &ae),
			 -E2BIG);
	assert_non_null(strstr(ae.why, "PAL_PAT_LENS_MAX"));
	assert_int_equal(ae.pat[1], 4);
	for (int i = 0; i < 5; i++)
		pal_pattern_free(pp[i]);
}

/*
 * 1000 patterns of one shape: with one label they share their states (the
 * count does not grow with the patterns); with a label each, they cannot.
 */
static void test_shared_states(void **state)
{
	static struct pal_pattern *pp[1000];
	static __u32 same[1000], own[1000];
	struct pal_auto_error ae;
	struct pal_pat_error e;
	struct pal_auto *a;
	const __u32 *acc;
	size_t nacc;
	char buf[64];

	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "/srv/d%d/*.pem", i);
		assert_int_equal(pal_pattern_parse(buf, strlen(buf), PAL_PAT_RULE, &pp[i], &e), 0);
		own[i] = (__u32)i;
	}
	assert_int_equal(
		pal_auto_build((const struct pal_pattern *const *)pp, same, 1000, 1, &a, &ae), 0);
	assert_true(a->nstates <= 6);
	assert_int_equal(pal_auto_run(a, "/srv/d999/k.pem", 15, &acc, &nacc, NULL), 0);
	assert_int_equal(nacc, 1);
	assert_int_equal(pal_auto_run(a, "/srv/d1000/k.pem", 16, &acc, &nacc, NULL), 0);
	assert_int_equal(nacc, 0);
	pal_auto_free(a);
	assert_int_equal(
		pal_auto_build((const struct pal_pattern *const *)pp, own, 1000, 1, &a, &ae), 0);
	assert_true(a->nstates > 2000);
	assert_int_equal(pal_auto_run(a, "/srv/d7/.pem", 12, &acc, &nacc, NULL), 0);
	assert_int_equal(nacc, 1);
	assert_int_equal(acc[0], 7);
	pal_auto_free(a);
	for (int i = 0; i < 1000; i++)
		pal_pattern_free(pp[i]);
}

/*
 * What a walk costs in lookups: a state with one literal holds it, a
 * component below a '**' that is not the last needs no test (every
 * outcome has the same future), and a name that hits no test needs no
 * COMBO lookup. Only the root (two literals) and the last component's
 * tests are map lookups, however deep the path.
 */
static void test_walk_lookups(void **state)
{
	const char *src[] = {"/a/**/*.pem", "/a/c2/c3/c4/c5/[g-z]*", "/etc/x"};
	static const __u32 lab[3] = {0, 1, 2};
	char deep[512] = "/a/c2/c3/c4/c5", *end = deep + strlen(deep);
	struct pal_pattern *pp[3];
	struct pal_auto_error ae;
	struct pal_pat_error e;
	struct pal_auto *a;
	const __u32 *acc;
	size_t nacc, lookups;

	for (int i = 0; i < 3; i++)
		assert_int_equal(
			pal_pattern_parse(src[i], strlen(src[i]), PAL_PAT_RULE, &pp[i], &e), 0);
	assert_int_equal(pal_auto_build((const struct pal_pattern *const *)pp, lab, 3, 1, &a, &ae),
			 0);
	for (int lvl = 6; lvl <= 40; lvl++)
		end += sprintf(end, "/c%d", lvl);
	strcpy(end, "/k.pem");
	lookups = 0;
	assert_int_equal(pal_auto_run(a, deep, strlen(deep), &acc, &nacc, &lookups), 0);
	assert_int_equal(nacc, 1);
	assert_int_equal(acc[0], 0);
	assert_int_equal(lookups, 3); /* root NAME, last SUFFIX, last COMBO */
	strcpy(end, "/h");
	lookups = 0;
	assert_int_equal(pal_auto_run(a, deep, strlen(deep), &acc, &nacc, &lookups), 0);
	assert_int_equal(nacc, 0);
	assert_int_equal(lookups, 1); /* the glob hits nothing: miss_next */
	lookups = 0;
	assert_int_equal(pal_auto_run(a, "/a/c2/c3/c4/c5/h", 16, &acc, &nacc, &lookups), 0);
	assert_int_equal(nacc, 1);
	assert_int_equal(acc[0], 1);
	assert_int_equal(lookups, 2); /* root NAME, COMBO of the glob's hit */
	pal_auto_free(a);
	for (int i = 0; i < 3; i++)
		pal_pattern_free(pp[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_lookups),
		cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_shared_states),
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
