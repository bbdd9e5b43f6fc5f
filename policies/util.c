// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arena allocator and a small open-addressing hash set for the compiler, and
 * the device number encoding of identity keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "policies/policy_int.h"

#define PAL_CHUNK_BYTES (64u << 10)

struct pal_chunk {
	struct pal_chunk *next;
	size_t used;
	size_t cap;
	_Alignas(16) unsigned char data[];
};

static struct pal_chunk *chunk_new(size_t cap)
{
	struct pal_chunk *c = malloc(sizeof(*c) + cap);

	if (!c)
		return NULL;
	c->next = NULL;
	c->used = 0;
	c->cap = cap;
	return c;
}

void *pal_arena_alloc(struct pal_arena *a, size_t size)
{
	struct pal_chunk *c = a->head;
	size_t need = (size + 15) & ~(size_t)15;
	void *p;

	if (need < size || need > ((size_t)1 << 40))
		return NULL;
	if (!c || c->cap - c->used < need) {
		/* big requests get their own chunk behind the current one */
		if (need > PAL_CHUNK_BYTES / 4 && c) {
			struct pal_chunk *big = chunk_new(need);

			if (!big)
				return NULL;
			big->next = c->next;
			c->next = big;
			big->used = need;
			memset(big->data, 0, need);
			return big->data;
		}
		c = chunk_new(need > PAL_CHUNK_BYTES ? need : PAL_CHUNK_BYTES);
		if (!c)
			return NULL;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	memset(p, 0, need);
	return p;
}

void *pal_arena_array(struct pal_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return pal_arena_alloc(a, n && size ? n * size : 1);
}

char *pal_arena_strndup(struct pal_arena *a, const char *s, size_t len)
{
	char *d = pal_arena_alloc(a, len + 1);

	if (d && len)
		memcpy(d, s, len);
	return d;
}

char *pal_arena_vprintf(struct pal_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	char *d;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	d = pal_arena_alloc(a, (size_t)n + 1);
	if (d)
		vsnprintf(d, (size_t)n + 1, fmt, ap);
	return d;
}

char *pal_arena_printf(struct pal_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *d;

	va_start(ap, fmt);
	d = pal_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return d;
}

void pal_arena_free(struct pal_arena *a)
{
	struct pal_chunk *c = a->head;

	while (c) {
		struct pal_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->head = NULL;
}

/* ---- growing arrays ------------------------------------------------------ */

int pal_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- hash set --------------------------------------------------------- */

uint64_t pal_hash_bytes(uint64_t h, const void *p, size_t len)
{
	const unsigned char *s = p;

	/* FNV-1a, then a final mix: fine for in-memory tables of trusted size */
	h ^= 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 31;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

int pal_hset_init(struct pal_hset *h, size_t expect)
{
	size_t cap = 16;

	while (cap < expect * 2 && cap < ((size_t)1 << 40))
		cap <<= 1;
	h->slot = calloc(cap, sizeof(*h->slot));
	h->hash = calloc(cap, sizeof(*h->hash));
	h->cap = cap;
	h->n = 0;
	if (!h->slot || !h->hash) {
		pal_hset_free(h);
		return -ENOMEM;
	}
	return 0;
}

void pal_hset_free(struct pal_hset *h)
{
	free(h->slot);
	free(h->hash);
	h->slot = NULL;
	h->hash = NULL;
	h->cap = h->n = 0;
}

static int hset_grow(struct pal_hset *h)
{
	struct pal_hset g;

	if (pal_hset_init(&g, h->cap))
		return -ENOMEM;
	for (size_t i = 0; i < h->cap; i++) {
		size_t j;

		if (!h->slot[i])
			continue;
		for (j = h->hash[i] & (g.cap - 1); g.slot[j]; j = (j + 1) & (g.cap - 1))
			;
		g.slot[j] = h->slot[i];
		g.hash[j] = h->hash[i];
	}
	g.n = h->n;
	pal_hset_free(h);
	*h = g;
	return 0;
}

long pal_hset_find_or_add(struct pal_hset *h, uint64_t hv, uint32_t idx,
			  bool (*eq)(const void *ctx, uint32_t idx), const void *ctx)
{
	size_t j;

	if ((h->n + 1) * 2 > h->cap && hset_grow(h))
		return -2;
	for (j = hv & (h->cap - 1); h->slot[j]; j = (j + 1) & (h->cap - 1))
		if (h->hash[j] == hv && eq(ctx, h->slot[j] - 1))
			return h->slot[j] - 1;
	h->slot[j] = idx + 1;
	h->hash[j] = hv;
	h->n++;
	return -1;
}

/* ---- arrays of entries keyed by their first bytes ------------------------ */

struct keyed_cmp {
	const char *arr;
	size_t elem;
	const void *key;
	size_t key_size;
};

static bool keyed_eq(const void *ctx, uint32_t idx)
{
	const struct keyed_cmp *c = ctx;

	return !memcmp(c->arr + idx * c->elem, c->key, c->key_size);
}

long pal_keyed_find_or_add(struct pal_hset *h, void **arr, size_t *n, size_t *cap, size_t elem,
			   const void *key, size_t key_size, bool *fresh)
{
	struct keyed_cmp c;
	long j;

	if (pal_grow(arr, cap, *n + 1, elem))
		return -ENOMEM;
	c = (struct keyed_cmp){*arr, elem, key, key_size};
	j = pal_hset_find_or_add(h, pal_hash_bytes(0, key, key_size), (uint32_t)*n, keyed_eq, &c);
	if (j == -2)
		return -ENOMEM;
	*fresh = j < 0;
	if (j < 0) {
		j = (long)(*n)++;
		memset((char *)*arr + j * elem, 0, elem);
		memcpy((char *)*arr + j * elem, key, key_size);
	}
	return j;
}

/* ---- device numbers ----------------------------------------------------- */

__u32 pal_dev_encode(dev_t dev)
{
	__u32 ma = major(dev), mi = minor(dev);

	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}
