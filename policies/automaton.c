// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pattern automaton compiler and runner (automaton.h). A state is a set
 * of live (pattern, component) positions. From each state, the names a
 * component can be split into classes: literal names (looked up whole),
 * and atoms (a prefix, a suffix, a length bound, a general glob) whose
 * hit mask selects the next state through one precomputed COMBO entry.
 * A literal name's entry already includes every atom it hits, so a
 * literal never needs the atom tests.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policies/automaton.h"
#include "policies/policy_int.h"

typedef uint64_t item_t; /* pattern << 32 | component position */

#define ITEM(pat, pos) ((item_t)(pat) << 32 | (pos))
#define ITEM_PAT(it) ((size_t)((it) >> 32))
#define ITEM_POS(it) ((size_t)((it)&0xffffffffu))

enum atom_kind { A_PREFIX, A_SUFFIX, A_LEN, A_GLOB };

struct atom {
	unsigned char kind; /* enum atom_kind */
	const char *bytes; /* A_PREFIX, A_SUFFIX */
	size_t len; /* bytes, or the length bound */
	size_t pat; /* A_GLOB: the pattern and its component */
	const struct pal_pat_comp *comp;
};

/* One way out of a state: a literal name, or what its atoms require. */
struct out {
	const struct pal_pat_comp *c; /* NULL: '**' staying */
	size_t pat;
	item_t target;
	__u32 req; /* atoms needed (not for literals) */
};

struct set {
	item_t *it;
	size_t n;
	uint64_t h;
};

struct build {
	const struct pal_pattern *const *pats;
	const __u32 *labels;
	item_t **canon; /* per pattern and position: the representative item */
	size_t npats;
	struct pal_auto *a;
	struct pal_auto_error *e;
	struct set *sets; /* index = state */
	size_t nsets, sets_cap;
	uint32_t *tab; /* interning: state + 1, 0 empty */
	size_t tab_cap;
	size_t states_cap, edges_cap, globs_cap, acc_cap;
	/* the state being expanded */
	struct out *outs;
	size_t nouts, outs_cap;
	size_t nnonlit; /* outs[0..nnonlit) are not literals (after sorting) */
	struct atom atoms[PAL_PAT_ATOMS_MAX];
	size_t natoms;
	item_t *tmp;
	size_t ntmp, tmp_cap;
};

static int refuse(struct build *b, const char *why, size_t p0, size_t p1)
{
	*b->e = (struct pal_auto_error){why, {p0, p1}, p0 == p1 ? 1 : 2};
	return -E2BIG;
}

static int item_cmp(const void *x, const void *y)
{
	item_t a = *(const item_t *)x, c = *(const item_t *)y;

	return a < c ? -1 : a > c;
}

static const struct pal_pat_comp *comp_at(const struct build *b, item_t it)
{
	const struct pal_pattern *p = b->pats[ITEM_PAT(it)];

	return ITEM_POS(it) < p->ncomp ? &p->comp[ITEM_POS(it)] : NULL;
}

/* Items are pushed as their representatives: the same label and rest of the pattern. */
static int tmp_push(struct build *b, item_t it)
{
	if (pal_grow((void **)&b->tmp, &b->tmp_cap, b->ntmp + 1, sizeof(item_t)))
		return -ENOMEM;
	b->tmp[b->ntmp++] = b->canon[ITEM_PAT(it)][ITEM_POS(it)];
	return 0;
}

/* The source text from component k on (all of it past the last: ""). */
static const char *rest_of(const struct pal_pattern *p, size_t k, size_t *n)
{
	size_t off = k < p->ncomp ? p->comp[k].off : p->nsrc;

	*n = p->nsrc - off;
	return p->src + off;
}

struct rest_cmp {
	const struct build *b;
	size_t pat, pos;
	item_t *reps;
};

static bool rest_eq(const void *ctx, uint32_t idx)
{
	const struct rest_cmp *c = ctx;
	item_t r = c->reps[idx];
	size_t n1, n2;
	const char *a = rest_of(c->b->pats[c->pat], c->pos, &n1);
	const char *d = rest_of(c->b->pats[ITEM_PAT(r)], ITEM_POS(r), &n2);

	return c->b->labels[c->pat] == c->b->labels[ITEM_PAT(r)] && n1 == n2 && !memcmp(a, d, n1);
}

/*
 * Two positions with the same label and the same rest of pattern text have
 * the same future: one item stands for both, so that patterns which differ
 * only in their head share states (as many states as shapes, not patterns).
 */
static int make_canon(struct build *b)
{
	struct pal_hset h = {0};
	item_t *reps = NULL;
	size_t nreps = 0, cap = 0;
	int err = -ENOMEM;

	b->canon = calloc(b->npats ? b->npats : 1, sizeof(*b->canon));
	if (!b->canon || pal_hset_init(&h, 1024))
		goto out;
	for (size_t i = 0; i < b->npats; i++) {
		b->canon[i] = malloc((b->pats[i]->ncomp + 1) * sizeof(item_t));
		if (!b->canon[i])
			goto out;
		for (size_t k = 0; k <= b->pats[i]->ncomp; k++) {
			struct rest_cmp c = {b, i, k, reps};
			size_t n;
			const char *r = rest_of(b->pats[i], k, &n);
			long j;

			if (pal_grow((void **)&reps, &cap, nreps + 1, sizeof(item_t)))
				goto out;
			c.reps = reps;
			j = pal_hset_find_or_add(&h, pal_hash_bytes(b->labels[i], r, n),
						 (uint32_t)nreps, rest_eq, &c);
			if (j == -2)
				goto out;
			if (j < 0)
				reps[nreps++] = ITEM(i, k);
			b->canon[i][k] = j < 0 ? ITEM(i, k) : reps[j];
		}
	}
	err = 0;
out:
	pal_hset_free(&h);
	free(reps);
	return err;
}

/* '**' may match no name: add the position after it; then sort, dedupe. */
static int closure(struct build *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->ntmp; i++) {
		const struct pal_pat_comp *c = comp_at(b, b->tmp[i]);

		if (c && c->kind == PAL_PC_DSTAR && tmp_push(b, b->tmp[i] + 1))
			return -ENOMEM;
	}
	qsort(b->tmp, b->ntmp, sizeof(item_t), item_cmp);
	for (size_t i = 0; i < b->ntmp; i++)
		if (!n || b->tmp[n - 1] != b->tmp[i])
			b->tmp[n++] = b->tmp[i];
	b->ntmp = n;
	return 0;
}

static uint64_t set_hash(const item_t *it, size_t n)
{
	return pal_hash_bytes(0x5eed, it, n * sizeof(item_t));
}

static int rehash(struct build *b)
{
	size_t cap = b->tab_cap ? 2 * b->tab_cap : 1024;
	uint32_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t s = 1; s < b->nsets; s++) {
		size_t i = b->sets[s].h & (cap - 1);

		while (t[i])
			i = (i + 1) & (cap - 1);
		t[i] = (uint32_t)s + 1;
	}
	free(b->tab);
	b->tab = t;
	b->tab_cap = cap;
	return 0;
}

/* A new state for set it[0..n) (taken over). */
static long add_state(struct build *b, item_t *it, size_t n, uint64_t h)
{
	if (b->nsets >= PAL_PAT_STATES_MAX)
		return refuse(b, "more than PAL_PAT_STATES_MAX (262144) automaton states",
			      ITEM_PAT(it[0]), ITEM_PAT(it[n - 1]));
	if (pal_grow((void **)&b->sets, &b->sets_cap, b->nsets + 1, sizeof(*b->sets)) ||
	    pal_grow((void **)&b->a->states, &b->states_cap, b->nsets + 1,
		     sizeof(struct pal_pat_state)))
		return -ENOMEM;
	b->sets[b->nsets] = (struct set){it, n, h};
	memset(&b->a->states[b->nsets], 0, sizeof(struct pal_pat_state));
	b->a->nstates = ++b->nsets;
	if (2 * b->nsets > b->tab_cap && rehash(b))
		return -ENOMEM;
	{
		size_t i = h & (b->tab_cap - 1);

		while (b->tab[i])
			i = (i + 1) & (b->tab_cap - 1);
		b->tab[i] = (uint32_t)b->nsets;
	}
	return (long)b->nsets - 1;
}

/* The state of b->tmp (closed), made if new; 0 for the empty set. */
static long intern(struct build *b)
{
	uint64_t h;
	item_t *copy;

	if (closure(b))
		return -ENOMEM;
	if (!b->ntmp)
		return 0;
	h = set_hash(b->tmp, b->ntmp);
	for (size_t i = h & (b->tab_cap - 1); b->tab_cap && b->tab[i];
	     i = (i + 1) & (b->tab_cap - 1)) {
		const struct set *s = &b->sets[b->tab[i] - 1];

		if (s->h == h && s->n == b->ntmp && !memcmp(s->it, b->tmp, s->n * sizeof(item_t)))
			return (long)b->tab[i] - 1;
	}
	copy = malloc(b->ntmp * sizeof(item_t));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, b->tmp, b->ntmp * sizeof(item_t));
	{
		long s = add_state(b, copy, b->ntmp, h);

		if (s < 0)
			free(copy);
		return s;
	}
}

/*
 * Two general globs with the same tokens are one test, whichever patterns
 * they come from (a `dirs:` pattern is compiled twice: itself, and with a
 * trailing "**").
 */
static bool glob_eq(const struct build *b, const struct atom *x, const struct atom *y)
{
	const struct pal_pat_comp *c = x->comp, *d = y->comp;

	if (c == d)
		return true;
	if (c->ntok != d->ntok)
		return false;
	for (size_t t = 0; t < c->ntok; t++) {
		const struct pal_pat_tok *u = &c->tok[t], *v = &d->tok[t];

		if (u->kind != v->kind)
			return false;
		if (u->kind == PAL_PT_CLASS ?
			    memcmp(b->pats[x->pat]->cls[u->cls].bits, b->pats[y->pat]->cls[v->cls].bits,
				   sizeof(b->pats[x->pat]->cls[0].bits)) :
			    u->c != v->c)
			return false;
	}
	return true;
}

static bool atom_eq(const struct build *b, const struct atom *x, const struct atom *y)
{
	if (x->kind != y->kind || x->len != y->len)
		return false;
	if (x->kind == A_GLOB)
		return glob_eq(b, x, y);
	return x->kind == A_LEN || !memcmp(x->bytes, y->bytes, x->len);
}

/* Distinct lengths of one atom kind, and whether len is one of them. */
static size_t kind_lens(const struct build *b, unsigned char kind, size_t len, bool *known)
{
	size_t n = 0;

	*known = false;
	for (size_t i = 0; i < b->natoms; i++) {
		bool first = b->atoms[i].kind == kind;

		for (size_t j = 0; first && j < i; j++)
			first = !(b->atoms[j].kind == kind && b->atoms[j].len == b->atoms[i].len);
		n += first;
		*known |= b->atoms[i].kind == kind && b->atoms[i].len == len;
	}
	return n;
}

/* The index of an atom, added if new; -E2BIG past the per-state bounds. */
static int atom_of(struct build *b, const struct atom *want, size_t pat)
{
	size_t lens;
	bool known;

	for (size_t i = 0; i < b->natoms; i++)
		if (atom_eq(b, &b->atoms[i], want))
			return (int)i;
	lens = kind_lens(b, want->kind, want->len, &known);
	if (want->kind == A_GLOB) /* globs all have length 0: count them */
		for (size_t i = lens = 0; i < b->natoms; i++)
			lens += b->atoms[i].kind == A_GLOB;
	if (want->kind == A_GLOB && lens >= PAL_PAT_STATE_GLOBS)
		return refuse(b, "more than PAL_PAT_STATE_GLOBS (2) general globs at one level",
			      b->atoms[0].pat, pat);
	if (want->kind != A_GLOB && !known && lens >= PAL_PAT_LENS_MAX)
		return refuse(b,
			      "more than PAL_PAT_LENS_MAX (4) prefix, suffix or length bounds of "
			      "different lengths at one level",
			      b->atoms[0].pat, pat);
	if (b->natoms == PAL_PAT_ATOMS_MAX)
		return refuse(b, "more than PAL_PAT_ATOMS_MAX (12) tests at one level",
			      b->atoms[0].pat, pat);
	b->atoms[b->natoms] = *want;
	b->atoms[b->natoms].pat = pat;
	return (int)b->natoms++;
}

/* The atoms a non-literal component requires. */
static int requirement(struct build *b, const struct pal_pat_comp *c, size_t pat, __u32 *req)
{
	struct atom a[3];
	int n = 0, idx;

	*req = 0;
	switch (c->kind) {
	case PAL_PC_PREFIX:
		a[n++] = (struct atom){A_PREFIX, c->lit, c->nlit};
		break;
	case PAL_PC_SUFFIX:
		a[n++] = (struct atom){A_SUFFIX, c->suf, c->nsuf};
		break;
	case PAL_PC_PRESUF:
		a[n++] = (struct atom){A_PREFIX, c->lit, c->nlit};
		a[n++] = (struct atom){A_SUFFIX, c->suf, c->nsuf};
		a[n++] = (struct atom){A_LEN, NULL, c->nlit + c->nsuf};
		break;
	case PAL_PC_GLOB:
		a[n++] = (struct atom){A_GLOB, NULL, 0, pat, c};
		break;
	}
	for (int i = 0; i < n; i++) {
		idx = atom_of(b, &a[i], pat);
		if (idx < 0)
			return idx;
		*req |= 1u << idx;
	}
	return 0;
}

static int out_push(struct build *b, const struct out *o)
{
	if (pal_grow((void **)&b->outs, &b->outs_cap, b->nouts + 1, sizeof(*o)))
		return -ENOMEM;
	b->outs[b->nouts++] = *o;
	return 0;
}

/* The ways out of state s, its atoms, and the patterns it accepts (into b->tmp). */
static int collect(struct build *b, size_t s)
{
	const struct set *set = &b->sets[s];
	int err;

	b->nouts = b->natoms = b->ntmp = 0;
	for (size_t i = 0; i < set->n; i++) {
		item_t it = set->it[i];
		const struct pal_pat_comp *c = comp_at(b, it);
		struct out o = {c, ITEM_PAT(it), it + 1, 0};

		err = 0;
		if (!c) { /* accepted: its pattern's label */
			if (pal_grow((void **)&b->tmp, &b->tmp_cap, b->ntmp + 1, sizeof(item_t)))
				return -ENOMEM;
			b->tmp[b->ntmp++] = ITEM_PAT(it);
			continue;
		}
		if (c->kind == PAL_PC_DSTAR)
			o = (struct out){NULL, ITEM_PAT(it), it, 0};
		else if (c->kind != PAL_PC_LIT)
			err = requirement(b, c, ITEM_PAT(it), &o.req);
		if (err || (err = out_push(b, &o)))
			return err;
	}
	return 0;
}

/*
 * The next state when the name hit atoms `mask` and, for a literal, is the
 * literal of outs grp[0..ngrp). Outs are sorted: the non-literal ones first.
 */
static long successor(struct build *b, __u32 mask, const struct out *grp, size_t ngrp)
{
	b->ntmp = 0;
	for (size_t i = 0; i < b->nnonlit; i++)
		if (!(b->outs[i].req & ~mask) && tmp_push(b, b->outs[i].target))
			return -ENOMEM;
	for (size_t i = 0; i < ngrp; i++)
		if (tmp_push(b, grp[i].target))
			return -ENOMEM;
	return intern(b);
}

/* The atoms a literal name hits, tested as the kernel would on that name. */
static __u32 literal_mask(const struct build *b, const char *s, size_t n)
{
	__u32 m = 0;

	for (size_t i = 0; i < b->natoms; i++) {
		const struct atom *a = &b->atoms[i];
		bool hit;

		switch (a->kind) {
		case A_PREFIX:
			hit = n >= a->len && !memcmp(s, a->bytes, a->len);
			break;
		case A_SUFFIX:
			hit = n >= a->len && !memcmp(s + n - a->len, a->bytes, a->len);
			break;
		case A_LEN:
			hit = n >= a->len;
			break;
		default:
			hit = pal_pattern_match_name(b->pats[a->pat], a->comp, s, n);
		}
		m |= (__u32)hit << i;
	}
	return m;
}

static int edge_add(struct build *b, size_t s, __u8 kind, size_t len, __u64 hash, __u32 next,
		    __u32 atom)
{
	struct pal_auto *a = b->a;

	if (pal_grow((void **)&a->edges, &b->edges_cap, a->nedges + 1, sizeof(*a->edges)))
		return -ENOMEM;
	a->edges[a->nedges++] = (struct pal_auto_edge){
		{.state = (__u32)s, .hash = hash, .kind = kind, .len = (__u16)len}, {next, atom}};
	return 0;
}

/* A general glob into the globs table; its index. */
static long glob_add(struct build *b, const struct atom *at)
{
	const struct pal_pattern *p = b->pats[at->pat];
	const struct pal_pat_comp *c = at->comp;
	struct pal_auto *a = b->a;
	struct pal_pat_glob *g;
	size_t ncls = 0;

	if (c->ntok > PAL_PAT_GLOB_TOKS)
		return refuse(b, "a general glob of more than PAL_PAT_GLOB_TOKS (64) characters",
			      at->pat, at->pat);
	if (a->nglobs >= PAL_PAT_GLOBS_MAX)
		return refuse(b, "more than PAL_PAT_GLOBS_MAX (4096) general globs", at->pat,
			      at->pat);
	if (pal_grow((void **)&a->globs, &b->globs_cap, a->nglobs + 1, sizeof(*g)))
		return -ENOMEM;
	g = memset(&a->globs[a->nglobs], 0, sizeof(*g));
	g->ntok = (__u8)c->ntok;
	for (size_t t = 0; t < c->ntok; t++) {
		g->kind[t] = c->tok[t].kind;
		g->arg[t] = c->tok[t].c;
		if (c->tok[t].kind != PAL_PT_CLASS)
			continue;
		if (ncls == PAL_PAT_GLOB_CLASSES)
			return refuse(
				b, "a general glob of more than PAL_PAT_GLOB_CLASSES (8) classes",
				at->pat, at->pat);
		memcpy(g->cls[ncls], p->cls[c->tok[t].cls].bits, sizeof(g->cls[0]));
		g->arg[t] = (__u8)ncls++;
	}
	return (long)a->nglobs++;
}

/* The state's value and its PREFIX / SUFFIX entries. */
static int emit_tests(struct build *b, size_t s)
{
	struct pal_pat_state v = {0};
	int np = 0, ns = 0, nl = 0;

	for (size_t i = 0; i < b->natoms; i++) {
		const struct atom *at = &b->atoms[i];
		__u16 *lens = at->kind == A_PREFIX ? v.prefix_len : v.suffix_len;
		int *n = at->kind == A_PREFIX ? &np : &ns, j = 0;
		long g;

		if (at->kind == A_LEN) {
			v.min_len[nl] = (__u16)at->len;
			v.len_atom[nl++] = (__u8)i;
			continue;
		}
		if (at->kind == A_GLOB) {
			g = glob_add(b, at);
			if (g < 0)
				return (int)g;
			v.glob[v.nglob] = (__u16)g;
			v.glob_atom[v.nglob++] = (__u8)i;
			continue;
		}
		while (j < *n && lens[j] != at->len)
			j++;
		if (j == *n)
			lens[(*n)++] = (__u16)at->len;
		if (edge_add(b, s, at->kind == A_PREFIX ? PAL_PE_PREFIX : PAL_PE_SUFFIX, at->len,
			     pal_name_hash(b->a->seed, at->bytes, (__u32)at->len), 0, 1u << i))
			return -ENOMEM;
	}
	v.accept = b->a->states[s].accept;
	v.naccept = b->a->states[s].naccept;
	v.flags = b->natoms ? PAL_PSF_TESTS : 0;
	b->a->states[s] = v;
	return 0;
}

/* Whether sets x and y hold the same live positions (they may accept differently). */
static bool same_future(const struct build *b, size_t x, size_t y)
{
	const struct set *u = &b->sets[x], *v = &b->sets[y];
	size_t i = 0, j = 0;

	for (;;) {
		while (i < u->n && !comp_at(b, u->it[i]))
			i++;
		while (j < v->n && !comp_at(b, v->it[j]))
			j++;
		if (i == u->n || j == v->n)
			return i == u->n && j == v->n;
		if (u->it[i++] != v->it[j++])
			return false;
	}
}

/*
 * One COMBO entry per hit mask but 0 that leads anywhere; mask 0's
 * successor is the state's miss_next. When every mask leads to the same
 * live positions, which state a component that is not the last goes to
 * depends on nothing the tests see: PAL_PSF_INNER, go to miss_next.
 */
static int emit_combos(struct build *b, size_t s)
{
	long miss = successor(b, 0, NULL, 0);
	bool inner = miss >= 0;

	for (__u32 m = 1; miss >= 0 && m < 1u << b->natoms; m++) {
		long next = successor(b, m, NULL, 0);

		if (next < 0)
			return (int)next;
		inner = inner && same_future(b, (size_t)miss, (size_t)next);
		if (next && edge_add(b, s, PAL_PE_COMBO, 0, m, (__u32)next, 0))
			return -ENOMEM;
	}
	if (miss < 0)
		return (int)miss;
	b->a->states[s].miss_next = (__u32)miss;
	if (inner)
		b->a->states[s].flags |= PAL_PSF_INNER;
	return 0;
}

static int out_lit_cmp(const void *x, const void *y)
{
	const struct out *a = x, *c = y;
	bool la = a->c && a->c->kind == PAL_PC_LIT, lc = c->c && c->c->kind == PAL_PC_LIT;

	if (la != lc)
		return la ? 1 : -1;
	if (!la || a->c->nlit != c->c->nlit)
		return la && a->c->nlit < c->c->nlit ? -1 : la && a->c->nlit > c->c->nlit;
	return memcmp(a->c->lit, c->c->lit, a->c->nlit);
}

/* The end of the group of outs with the same literal as outs[i]. */
static size_t lit_group(const struct build *b, size_t i)
{
	size_t j = i + 1;

	while (j < b->nouts && !out_lit_cmp(&b->outs[i], &b->outs[j]))
		j++;
	return j;
}

/*
 * Per distinct literal, its own targets and every atom it hits: a state
 * with one literal holds it (no lookup on a literal chain), one with more
 * has a NAME entry each.
 */
static int emit_names(struct build *b, size_t s)
{
	bool one = b->nnonlit < b->nouts && lit_group(b, b->nnonlit) == b->nouts;

	for (size_t i = b->nnonlit, j; i < b->nouts; i = j) {
		const struct pal_pat_comp *c = b->outs[i].c;
		__u64 h = pal_name_hash(b->a->seed, c->lit, (__u32)c->nlit);
		struct pal_pat_state *v;
		long next;

		j = lit_group(b, i);
		next = successor(b, literal_mask(b, c->lit, c->nlit), &b->outs[i], j - i);
		if (next < 0)
			return (int)next;
		v = &b->a->states[s]; /* successor() may have moved the states */
		v->flags |= one ? PAL_PSF_NAME_ONE : PAL_PSF_NAME_MANY;
		if (one) {
			v->name_hash = h;
			v->name_next = (__u32)next;
		} else if (edge_add(b, s, PAL_PE_NAME, 0, h, (__u32)next, 0)) {
			return -ENOMEM;
		}
	}
	return 0;
}

static int emit_accept(struct build *b, size_t s)
{
	struct pal_auto *a = b->a;

	if (a->naccept + b->ntmp > PAL_PAT_ACCEPT_MAX)
		return refuse(b, "more than PAL_PAT_ACCEPT_MAX accept entries", b->tmp[0],
			      b->tmp[0]);
	if (pal_grow((void **)&a->accept, &b->acc_cap, a->naccept + b->ntmp + 1, sizeof(__u32)))
		return -ENOMEM;
	for (size_t i = 0; i < b->ntmp; i++)
		b->tmp[i] = b->labels[b->tmp[i]];
	qsort(b->tmp, b->ntmp, sizeof(item_t), item_cmp);
	a->states[s].accept = (__u32)a->naccept;
	for (size_t i = 0; i < b->ntmp; i++)
		if (!i || b->tmp[i] != b->tmp[i - 1])
			a->accept[a->naccept++] = (__u32)b->tmp[i];
	a->states[s].naccept = (__u32)(a->naccept - a->states[s].accept);
	return 0;
}

static int expand(struct build *b, size_t s)
{
	int err = collect(b, s);

	qsort(b->outs, b->nouts, sizeof(*b->outs), out_lit_cmp);
	for (b->nnonlit = 0; b->nnonlit < b->nouts; b->nnonlit++)
		if (b->outs[b->nnonlit].c && b->outs[b->nnonlit].c->kind == PAL_PC_LIT)
			break;
	if (!err)
		err = emit_accept(b, s);
	if (!err)
		err = emit_tests(b, s);
	if (!err)
		err = emit_combos(b, s);
	return err ? err : emit_names(b, s);
}

static uint64_t key_hash(const struct pal_pat_key *k)
{
	return pal_hash_bytes(0, k, sizeof(*k));
}

static int index_edges(struct pal_auto *a)
{
	size_t cap = 16;

	while (cap < 2 * a->nedges)
		cap *= 2;
	a->index = calloc(cap, sizeof(*a->index));
	if (!a->index)
		return -ENOMEM;
	a->index_cap = cap;
	for (size_t e = 0; e < a->nedges; e++) {
		size_t i = key_hash(&a->edges[e].key) & (cap - 1);

		while (a->index[i])
			i = (i + 1) & (cap - 1);
		a->index[i] = (__u32)e + 1;
	}
	return 0;
}

static void build_free(struct build *b)
{
	for (size_t i = 0; b->canon && i < b->npats; i++)
		free(b->canon[i]);
	free(b->canon);
	for (size_t s = 0; s < b->nsets; s++)
		free(b->sets[s].it);
	free(b->sets);
	free(b->tab);
	free(b->outs);
	free(b->tmp);
}

int pal_auto_build(const struct pal_pattern *const *pats, const __u32 *labels, size_t n, __u64 seed,
		   struct pal_auto **out, struct pal_auto_error *e)
{
	struct build b = {.pats = pats, .labels = labels, .npats = n, .e = e};
	long root;
	int err = -ENOMEM;

	*out = NULL;
	b.a = calloc(1, sizeof(*b.a));
	if (!b.a || make_canon(&b) || add_state(&b, NULL, 0, 0) < 0) /* state 0: none */
		goto out;
	b.a->seed = seed;
	for (size_t i = 0; i < n; i++)
		if (tmp_push(&b, ITEM(i, 1))) /* past the root's empty name */
			goto out;
	root = intern(&b);
	err = root < 0 ? (int)root : 0;
	for (size_t s = 1; !err && s < b.nsets; s++)
		err = expand(&b, s);
	if (!err && b.nsets == 1) /* no pattern: the root state still exists */
		err = add_state(&b, NULL, 0, 1) < 0 ? -ENOMEM : 0;
	if (!err)
		err = index_edges(b.a);
out:
	build_free(&b);
	if (err) {
		pal_auto_free(b.a);
		return err;
	}
	*out = b.a;
	return 0;
}

void pal_auto_free(struct pal_auto *a)
{
	if (!a)
		return;
	free(a->states);
	free(a->edges);
	free(a->globs);
	free(a->accept);
	free(a->index);
	free(a);
}

/* ---- runner: the kernel's walk over the compiled entries ---------------- */

static const struct pal_pat_edge *lookup(const struct pal_auto *a, const struct pal_pat_key *k,
					 size_t *lookups)
{
	(*lookups)++;
	for (size_t i = key_hash(k) & (a->index_cap - 1); a->index[i];
	     i = (i + 1) & (a->index_cap - 1)) {
		const struct pal_auto_edge *e = &a->edges[a->index[i] - 1];

		if (!memcmp(&e->key, k, sizeof(*k)))
			return &e->val;
	}
	return NULL;
}

static bool glob_tok(const struct pal_pat_glob *g, size_t t, unsigned char c)
{
	if (g->kind[t] == PAL_PGT_BYTE)
		return g->arg[t] == c;
	if (g->kind[t] == PAL_PGT_ONE)
		return true;
	return g->cls[g->arg[t]][c / 64] >> (c % 64) & 1;
}

/* The bounded matcher the kernel runs: the last '*' resumes one byte further. */
static bool glob_run(const struct pal_pat_glob *g, const char *s, size_t n)
{
	size_t t = 0, i = 0, star = SIZE_MAX, resume = 0;

	while (i < n) {
		if (t < g->ntok && g->kind[t] == PAL_PGT_STAR) {
			star = t++;
			resume = i;
		} else if (t < g->ntok && glob_tok(g, t, (unsigned char)s[i])) {
			t++;
			i++;
		} else if (star != SIZE_MAX) {
			t = star + 1;
			i = ++resume;
		} else {
			return false;
		}
	}
	while (t < g->ntok && g->kind[t] == PAL_PGT_STAR)
		t++;
	return t == g->ntok;
}

static __u32 test_lens(const struct pal_auto *a, __u32 st, const __u16 *lens, __u8 kind,
		       const char *name, size_t n, size_t *lookups)
{
	__u32 m = 0;

	for (int i = 0; i < PAL_PAT_LENS_MAX; i++) {
		const char *at = kind == PAL_PE_PREFIX ? name : name + n - lens[i];
		struct pal_pat_key k = {.state = st, .kind = kind, .len = lens[i]};
		const struct pal_pat_edge *e;

		if (!lens[i] || lens[i] > n)
			continue;
		k.hash = pal_name_hash(a->seed, at, lens[i]);
		e = lookup(a, &k, lookups);
		m |= e ? e->atom : 0;
	}
	return m;
}

/* The state after name (n bytes), the path's last component or not. */
static __u32 step(const struct pal_auto *a, __u32 st, const char *name, size_t n, bool last,
		  size_t *lookups)
{
	const struct pal_pat_state *s = &a->states[st];
	struct pal_pat_key k = {.state = st, .kind = PAL_PE_NAME};
	const struct pal_pat_edge *e;
	__u32 m;

	k.hash = pal_name_hash(a->seed, name, (__u32)n);
	if ((s->flags & PAL_PSF_NAME_ONE) && s->name_hash == k.hash)
		return s->name_next;
	e = (s->flags & PAL_PSF_NAME_MANY) ? lookup(a, &k, lookups) : NULL;
	if (e)
		return e->next;
	if ((!last && (s->flags & PAL_PSF_INNER)) || !(s->flags & PAL_PSF_TESTS))
		return s->miss_next; /* as the kernel's pat_blind */
	m = test_lens(a, st, s->prefix_len, PAL_PE_PREFIX, name, n, lookups) |
	    test_lens(a, st, s->suffix_len, PAL_PE_SUFFIX, name, n, lookups);
	for (int i = 0; i < PAL_PAT_LENS_MAX; i++)
		if (s->min_len[i] && n >= s->min_len[i])
			m |= 1u << s->len_atom[i];
	for (int i = 0; i < s->nglob; i++)
		if (glob_run(&a->globs[s->glob[i]], name, n))
			m |= 1u << s->glob_atom[i];
	if (!m)
		return s->miss_next;
	k = (struct pal_pat_key){.state = st, .kind = PAL_PE_COMBO, .hash = m};
	e = lookup(a, &k, lookups);
	return e ? e->next : 0;
}

int pal_auto_run(const struct pal_auto *a, const char *path, size_t len, const __u32 **accept,
		 size_t *naccept, size_t *lookups)
{
	size_t i = 1, dummy = 0;
	__u32 st = 1;

	if (!lookups)
		lookups = &dummy;
	*naccept = 0;
	*accept = NULL;
	if (!len || path[0] != '/' || (len > 1 && path[len - 1] == '/'))
		return -EINVAL;
	while (len > 1 && i <= len && st) {
		size_t j = i;

		while (j < len && path[j] != '/')
			j++;
		if (j == i || j - i > PAL_NAME_MAX)
			return -EINVAL;
		st = step(a, st, path + i, j - i, j == len, lookups);
		i = j + 1;
	}
	if (st) {
		*accept = a->accept + a->states[st].accept;
		*naccept = a->states[st].naccept;
	}
	return 0;
}
