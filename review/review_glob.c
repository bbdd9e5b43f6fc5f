// SPDX-License-Identifier: GPL-2.0-only
/*
 * Path globs for the review filters. The pattern becomes a list of tokens
 * and is matched as an NFA over token positions (a bit set), so matching is
 * O(len(s) * tokens) whatever the pattern: no backtracking blow-up on
 * attacker-chosen log content.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "review/review.h"

enum tok_kind {
	T_LIT, /* one byte */
	T_ONE, /* '?': one byte other than '/' */
	T_STAR, /* '*': a run without '/' */
	T_DSTAR, /* '**': any run */
	T_DSTAR_DIR, /* '**' + '/' after '/' or at the start: "" or any run ending in '/' */
};

struct tok {
	unsigned char kind;
	unsigned char c;
};

struct rv_glob {
	size_t n; /* tokens; state n is "matched" */
	size_t words; /* uint64_t words of one state set */
	bool plain; /* no wildcard: compare strings */
	char *lit; /* the literal bytes of every T_LIT token, in order */
	size_t pre, suf; /* leading and trailing T_LIT tokens: compared, not simulated */
	size_t min_len; /* bytes a match needs at least */
	size_t nlit; /* strlen(lit) */
	struct tok t[];
};

static size_t tokenize(const char *p, struct tok *out)
{
	size_t n = 0;

	for (size_t i = 0; p[i]; i++) {
		if (p[i] == '\\' && p[i + 1]) {
			out[n++] = (struct tok){T_LIT, (unsigned char)p[++i]};
		} else if (p[i] == '?') {
			out[n++] = (struct tok){T_ONE, 0};
		} else if (p[i] == '*' && p[i + 1] == '*') {
			bool at_level = i == 0 || p[i - 1] == '/';

			i++;
			while (p[i + 1] == '*') /* "***" is "**" */
				i++;
			if (at_level && p[i + 1] == '/') {
				out[n++] = (struct tok){T_DSTAR_DIR, 0};
				i++;
			} else {
				out[n++] = (struct tok){T_DSTAR, 0};
			}
		} else if (p[i] == '*') {
			out[n++] = (struct tok){T_STAR, 0};
		} else {
			out[n++] = (struct tok){T_LIT, (unsigned char)p[i]};
		}
	}
	return n;
}

/*
 * The literal head and tail of the pattern are compared directly (most
 * strings fail there); only the middle runs through the NFA.
 */
static int find_literals(struct rv_glob *g)
{
	size_t k = 0;

	g->lit = malloc(g->n + 1);
	if (!g->lit)
		return -ENOMEM;
	for (size_t i = 0; i < g->n; i++) {
		if (g->t[i].kind == T_LIT || g->t[i].kind == T_ONE)
			g->min_len++;
		if (g->t[i].kind == T_LIT)
			g->lit[k++] = (char)g->t[i].c;
	}
	g->lit[k] = 0;
	g->nlit = k;
	while (g->pre < g->n && g->t[g->pre].kind == T_LIT)
		g->pre++;
	g->plain = g->pre == g->n;
	while (!g->plain && g->suf < g->n - g->pre && g->t[g->n - 1 - g->suf].kind == T_LIT)
		g->suf++;
	return 0;
}

int rv_glob_compile(const char *pattern, struct rv_glob **out)
{
	size_t len = strlen(pattern);
	struct rv_glob *g;

	if (len > RV_GLOB_MAX)
		return -E2BIG;
	g = calloc(1, sizeof(*g) + (len + 1) * sizeof(struct tok));
	if (!g)
		return -ENOMEM;
	g->n = tokenize(pattern, g->t);
	g->words = (g->n + 1 + 63) / 64;
	if (find_literals(g)) {
		free(g);
		return -ENOMEM;
	}
	*out = g;
	return 0;
}

static void set_bit(uint64_t *s, size_t i)
{
	s[i / 64] |= 1ull << (i % 64);
}

static bool get_bit(const uint64_t *s, size_t i)
{
	return s[i / 64] >> (i % 64) & 1;
}

/* Add the states reachable without input: a star may match nothing. */
static void closure(const struct rv_glob *g, uint64_t *s)
{
	for (size_t i = 0; i < g->n; i++)
		if (get_bit(s, i) && g->t[i].kind >= T_STAR)
			set_bit(s, i + 1);
}

/*
 * One input byte. in_dir marks T_DSTAR_DIR states that have consumed part
 * of their run: they may only finish on a '/', never by skipping.
 */
static void step_one(const struct rv_glob *g, size_t i, bool on, uint64_t *next, uint64_t *next_dir,
		     unsigned char c)
{
	switch (g->t[i].kind) {
	case T_LIT:
		if (on && c == g->t[i].c)
			set_bit(next, i + 1);
		break;
	case T_ONE:
		if (on && c != '/')
			set_bit(next, i + 1);
		break;
	case T_STAR:
		if (c != '/')
			set_bit(next, i);
		break;
	case T_DSTAR:
		set_bit(next, i);
		break;
	case T_DSTAR_DIR:
		set_bit(next_dir, i);
		if (c == '/')
			set_bit(next, i + 1);
		break;
	}
}

/* One input byte, for the active states only. */
static void step(const struct rv_glob *g, const uint64_t *cur, const uint64_t *cur_dir,
		 uint64_t *next, uint64_t *next_dir, unsigned char c)
{
	for (size_t w = 0; w < g->words; w++) {
		uint64_t active = cur[w] | cur_dir[w];

		while (active) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(active);

			active &= active - 1;
			if (i < g->n)
				step_one(g, i, get_bit(cur, i), next, next_dir, c);
		}
	}
}

bool rv_glob_match_n(const struct rv_glob *g, const char *s, size_t len)
{
	uint64_t buf[4 * ((RV_GLOB_MAX + 1 + 63) / 64)];
	uint64_t *cur = buf, *cur_dir = buf + g->words;
	uint64_t *next = buf + 2 * g->words, *next_dir = buf + 3 * g->words;
	size_t w = g->words * sizeof(uint64_t);

	if (g->plain)
		return len == g->n && !memcmp(s, g->lit, len);
	if (len < g->min_len || memcmp(s, g->lit, g->pre) ||
	    memcmp(s + len - g->suf, g->lit + g->nlit - g->suf, g->suf))
		return false;
	memset(buf, 0, 4 * w);
	set_bit(cur, g->pre);
	closure(g, cur);
	for (size_t i = g->pre; i < len - g->suf; i++) {
		uint64_t *t;
		bool any = false;

		memset(next, 0, w);
		memset(next_dir, 0, w);
		step(g, cur, cur_dir, next, next_dir, (unsigned char)s[i]);
		closure(g, next);
		for (size_t k = 0; k < g->words; k++)
			any |= (next[k] | next_dir[k]) != 0;
		if (!any)
			return false;
		t = cur;
		cur = next;
		next = t;
		t = cur_dir;
		cur_dir = next_dir;
		next_dir = t;
	}
	return get_bit(cur, g->n - g->suf);
}

bool rv_glob_match(const struct rv_glob *g, const char *s)
{
	return rv_glob_match_n(g, s, strlen(s));
}

void rv_glob_free(struct rv_glob *g)
{
	if (!g)
		return;
	free(g->lit);
	free(g);
}
