/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The pattern automaton of file and exec patterns (abi.h, "pattern
 * automaton"), run over a walked path root first: per component the
 * state's own literal, or one NAME lookup of the hash the walk already
 * made; only on a miss whose successor depends on the name is the name
 * read, for the prefix, suffix, length and glob tests of the state, and
 * one COMBO lookup of what they hit (none when nothing hit). The state the
 * path ends in lists the labels of the patterns it matches
 * (pal_pat_accept); each is looked up as a PAL_KEY_PATTERN key of a policy
 * (file_match.bpf.h). The user-space runner (policies/automaton.c,
 * pal_auto_run) decides the same way.
 * Include after file_walk.bpf.h.
 */
#ifndef PALISADE_BPF_FILE_PATTERN_BPF_H
#define PALISADE_BPF_FILE_PATTERN_BPF_H

#include "bpf/file_walk.bpf.h"

/*
 * key: struct pal_pat_key, one test of one state of a generation. value:
 * struct pal_pat_edge, the state it leads to or the atom it sets.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PAL_GENS * PAL_PAT_EDGES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pal_pat_key);
	__type(value, struct pal_pat_edge);
} pal_pat_edges SEC(".maps");

/* key: gen * PAL_PAT_STATES_MAX + state. value: struct pal_pat_state. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PAL_GENS * PAL_PAT_STATES_MAX);
	__type(key, __u32);
	__type(value, struct pal_pat_state);
} pal_pat_states SEC(".maps");

/* key: gen * PAL_PAT_GLOBS_MAX + glob. value: struct pal_pat_glob. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PAL_GENS * PAL_PAT_GLOBS_MAX);
	__type(key, __u32);
	__type(value, struct pal_pat_glob);
} pal_pat_globs SEC(".maps");

/* key: gen * PAL_PAT_ACCEPT_MAX + entry. value: __u32, a pattern label. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PAL_GENS * PAL_PAT_ACCEPT_MAX);
	__type(key, __u32);
	__type(value, __u32);
} pal_pat_accept SEC(".maps");

#define PAT_NO_STAR 0xffffu
/*
 * Steps of the glob matcher over one name: between two restarts at the
 * last '*' the token index only grows (at most ntok + 1 steps), and each
 * restart moves the start one byte on (at most n restarts); the tail of
 * '*'s takes ntok more. So it always concludes within this many.
 */
#define PAT_GLOB_STEPS ((PAL_NAME_MAX + 2) * (PAL_PAT_GLOB_TOKS + 2))

struct glob_ctx {
	const struct pal_pat_glob *g;
	const __u8 *s; /* the name, PAL_NAME_MAX + 1 bytes of room */
	__u32 n, t, i, star, resume;
	__u32 hit;
};

static __always_inline bool glob_tok(const struct pal_pat_glob *g, __u32 t, __u8 c)
{
	__u8 kind = g->kind[t & (PAL_PAT_GLOB_TOKS - 1)], arg = g->arg[t & (PAL_PAT_GLOB_TOKS - 1)];

	if (kind == PAL_PGT_BYTE)
		return arg == c;
	if (kind == PAL_PGT_ONE)
		return true;
	return g->cls[arg & (PAL_PAT_GLOB_CLASSES - 1)][(c >> 6) & 3] >> (c & 63) & 1;
}

/* One step of the matcher with one backtrack point: the last '*' resumes a byte further. */
static long glob_step(__u32 k, void *arg)
{
	struct glob_ctx *c = arg;
	const struct pal_pat_glob *g = c->g;
	__u32 t = c->t, ntok = g->ntok;
	bool star = t < ntok && g->kind[t & (PAL_PAT_GLOB_TOKS - 1)] == PAL_PGT_STAR;

	if (c->i >= c->n) { /* the name is used up: only '*'s may be left */
		if (star) {
			c->t++;
			return 0;
		}
		c->hit = t == ntok;
		return 1;
	}
	if (star) {
		c->star = t;
		c->resume = c->i;
		c->t++;
	} else if (t < ntok && glob_tok(g, t, c->s[c->i & PAL_NAME_MAX])) {
		c->t++;
		c->i++;
	} else if (c->star != PAT_NO_STAR) {
		c->t = c->star + 1;
		c->i = ++c->resume;
	} else {
		return 1;
	}
	return 0;
}

/* Whether name s (n bytes) matches glob g. */
static __always_inline bool glob_match(const struct pal_pat_glob *g, const __u8 *s, __u32 n)
{
	struct glob_ctx c = {.g = g, .s = s, .n = n, .star = PAT_NO_STAR};

	bpf_loop(PAT_GLOB_STEPS, glob_step, &c, 0);
	return c.hit;
}

/* The name hash (path_hash.h) of the first len bytes of words. */
static __always_inline __u64 pat_hash(__u64 seed, __u64 *words, __u32 len)
{
	struct word_ctx wc = {.words = words, .len = len, .h = pal_name_init(seed, len)};

	bpf_loop(PAL_NAME_WORDS, word_step, &wc, 0);
	return wc.h;
}

/* PREFIX or SUFFIX lookups of one state: the atoms whose bytes the name has there. */
static __always_inline __u32 pat_lens(struct pal_pat_key *k, const __u16 *lens, __u8 kind,
				      struct pal_walk *w, const unsigned char *name, __u32 n,
				      __u64 seed)
{
	__u32 m = 0;

	k->kind = kind;
#pragma unroll
	for (int j = 0; j < PAL_PAT_LENS_MAX; j++) {
		__u32 len = lens[j];
		const struct pal_pat_edge *e;

		if (!len || len > n || len > PAL_NAME_MAX)
			continue;
		if (kind == PAL_PE_SUFFIX &&
		    bpf_probe_read_kernel(w->suffix, len, name + (n - len)))
			continue;
		k->hash = pat_hash(seed, kind == PAL_PE_SUFFIX ? w->suffix : w->words, len);
		k->len = len;
		e = bpf_map_lookup_elem(&pal_pat_edges, k);
		m |= e ? e->atom : 0;
	}
	return m;
}

/* The length and glob atoms of one state the name (w->words, n bytes) hits. */
static __always_inline __u32 pat_globs(const struct pal_pat_state *st, struct pal_walk *w,
				       __u32 gen, __u32 n)
{
	__u32 m = 0;

#pragma unroll
	for (int j = 0; j < PAL_PAT_LENS_MAX; j++)
		if (st->min_len[j] && n >= st->min_len[j])
			m |= 1u << (st->len_atom[j] & 31);
#pragma unroll
	for (int j = 0; j < PAL_PAT_STATE_GLOBS; j++) {
		__u32 idx = st->glob[j];
		const struct pal_pat_glob *g;

		if (j >= st->nglob || idx >= PAL_PAT_GLOBS_MAX)
			continue;
		idx += gen * PAL_PAT_GLOBS_MAX;
		g = bpf_map_lookup_elem(&pal_pat_globs, &idx);
		if (g && glob_match(g, (const __u8 *)w->words, n))
			m |= 1u << (st->glob_atom[j] & 31);
	}
	return m;
}

/*
 * The state after component idx of the walk in w from `state` of
 * generation gen, when no NAME edge of the state has its hash: the
 * state's prefix, suffix, length and glob tests on the name, then one
 * COMBO lookup of what they hit (the state's miss_next when nothing hit);
 * 0 when no pattern can match below.
 * Global, so the verifier checks its nested loops once, for any state,
 * not again for every state of the loop over the path's components. The
 * name lives in w, the decision's scratch, not in its frame, which the
 * deepest call chain shares; a short name comes with its qstr in one read.
 * The key is on the stack: 6.1 takes no map key from an argument's memory.
 */
__noinline __u32 pal_pat_step(struct pal_walk *w, __u32 gen, __u32 state, __u32 idx, __u64 seed)
{
	const struct pal_pat_state *st;
	const struct pal_pat_edge *e;
	struct pal_pat_key k;
	const __u64 *inl;
	struct dentry *d;
	__u32 m, n, i;
	bool ok;

	if (!w || gen >= PAL_GENS || state >= PAL_PAT_STATES_MAX)
		return 0;
	i = gen * PAL_PAT_STATES_MAX + state;
	st = bpf_map_lookup_elem(&pal_pat_states, &i);
	if (!st)
		return 0;
	d = (struct dentry *)w->dentry[idx & (PAL_MAX_DEPTH - 1)]; /* a local, for CO-RE */
	inl = read_parent_name(d, &w->pn, &ok); /* the name, and its bytes when inline */
	if (!ok)
		return 0;
	n = w->pn.name.len & PAL_NAME_MAX; /* the walk refused longer names */
	if (inl && n < INLINE_NAME) {
		for (int j = 0; j < INLINE_NAME / 8; j++)
			w->words[j] = inl[j];
	} else if (bpf_probe_read_kernel(w->words, n, w->pn.name.name)) {
		return 0;
	}
	k = (struct pal_pat_key){.gen = gen, .state = state};
	m = pat_lens(&k, st->prefix_len, PAL_PE_PREFIX, w, w->pn.name.name, n, seed) |
	    pat_lens(&k, st->suffix_len, PAL_PE_SUFFIX, w, w->pn.name.name, n, seed) |
	    pat_globs(st, w, gen, n);
	if (!m)
		return st->miss_next;
	k.kind = PAL_PE_COMBO;
	k.hash = m;
	k.len = 0;
	e = bpf_map_lookup_elem(&pal_pat_edges, &k);
	return e ? e->next : 0;
}

struct pat_ctx {
	struct pal_walk *w;
	__u64 seed;
	__u32 gen, depth, state;
	bool to_last; /* every component but the last leaves the state as it is */
};

/*
 * Whether a NAME miss goes to miss_next without a look at the name: for a
 * component that is not the last when every test outcome has the same
 * future (PAL_PSF_INNER), for any when the state has no tests.
 */
static __always_inline bool pat_blind(const struct pal_pat_state *st, bool last)
{
	return (!last && (st->flags & PAL_PSF_INNER)) || !(st->flags & PAL_PSF_TESTS);
}

/*
 * Component i, root first (the walk stored them leaf first): the state's
 * own literal, or one NAME lookup of the hash the walk made, and the
 * tests of pal_pat_step only on a miss that pat_blind cannot settle. A
 * state without literals whose blind successor is itself (below a `**`
 * that tests only the last name) stays as it is down to the last
 * component: returns 1 with c->to_last set.
 */
static __always_inline long pat_comp(struct pat_ctx *c, __u32 i)
{
	__u32 idx = (c->depth - 1 - i) & (PAL_MAX_DEPTH - 1), at;
	struct pal_pat_key k;
	const struct pal_pat_state *st;
	const struct pal_pat_edge *e;
	__u64 hash = c->w->name_hash[idx];
	bool blind;

	if (i >= c->depth || !c->state || c->state >= PAL_PAT_STATES_MAX)
		return 1;
	at = c->gen * PAL_PAT_STATES_MAX + c->state;
	st = bpf_map_lookup_elem(&pal_pat_states, &at);
	if (!st) {
		c->state = 0;
		return 1;
	}
	if ((st->flags & PAL_PSF_NAME_ONE) && st->name_hash == hash) {
		c->state = st->name_next;
		return 0;
	}
	if (st->flags & PAL_PSF_NAME_MANY) {
		k = (struct pal_pat_key){
			.gen = c->gen, .state = c->state, .hash = hash, .kind = PAL_PE_NAME};
		e = bpf_map_lookup_elem(&pal_pat_edges, &k);
		if (e) {
			c->state = e->next;
			return 0;
		}
	}
	blind = pat_blind(st, i + 1 == c->depth);
	if (blind && st->miss_next == c->state && i + 1 < c->depth &&
	    !(st->flags & (PAL_PSF_NAME_ONE | PAL_PSF_NAME_MANY))) {
		c->to_last = true;
		return 1;
	}
	c->state = blind ? st->miss_next : pal_pat_step(c->w, c->gen, c->state, idx, c->seed);
	return 0;
}

static long pat_walk_step(__u32 i, void *arg)
{
	return pat_comp(arg, i);
}

/*
 * The state the walked path of r ends in (state 1: the root), or 0 when
 * no pattern matches it.
 */
static __always_inline __u32 pat_run(struct pal_req *r, struct pal_walk *w)
{
	struct pat_ctx c = {.w = w, .seed = r->seed, .gen = r->gen, .state = 1};

	if (r->depth < 0 || r->depth > PAL_MAX_DEPTH || r->gen >= PAL_GENS)
		return 0;
	c.depth = r->depth;
	bpf_loop(PAL_MAX_DEPTH, pat_walk_step, &c, 0);
	if (c.to_last && c.depth > 0)
		pat_comp(&c, c.depth - 1);
	return c.state;
}

#endif /* PALISADE_BPF_FILE_PATTERN_BPF_H */
