/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The path hash shared by the BPF walk and the policy compiler.
 *
 * A path /c1/c2/.../cn is hashed component by component from the root:
 *   P0 = pal_prefix_root(seed)
 *   Pi = pal_prefix_next(P(i-1), pal_name_hash(seed, ci))
 * so the kernel can test every directory prefix of a path with one HASH
 * lookup each (O(depth), independent of the number of rules). The seed is
 * a random secret chosen when the maps are first created, so that nobody
 * can craft a path that collides with a rule. Keys also carry the depth.
 *
 * Component bytes are read as little-endian 8-byte words, zero padded past
 * the component's length.
 */
#ifndef PALISADE_BPF_PATH_HASH_H
#define PALISADE_BPF_PATH_HASH_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include "bpf/abi.h"

#define PAL_NAME_WORDS ((PAL_NAME_MAX + 1 + 7) / 8)
#define PAL_HASH_K1 0x9e3779b97f4a7c15ULL

static inline __u64 pal_mix64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Start of the hash of one component of `len` bytes. */
static inline __u64 pal_name_init(__u64 seed, __u32 len)
{
	return pal_mix64(seed ^ ((__u64)len * PAL_HASH_K1));
}

/* Fold one 8-byte word of a component into its hash. */
static inline __u64 pal_name_step(__u64 h, __u64 word)
{
	return pal_mix64(h ^ word);
}

/* Keep only the first `len % 8` bytes of the last word of a component. */
static inline __u64 pal_word_mask(__u32 len)
{
	__u32 tail = len & 7;

	return tail ? (((__u64)1 << (8 * tail)) - 1) : ~(__u64)0;
}

static inline __u64 pal_prefix_root(__u64 seed)
{
	return pal_mix64(seed ^ 0x2f2f2f2f2f2f2f2fULL);
}

static inline __u64 pal_prefix_next(__u64 prefix, __u64 name_hash)
{
	return pal_mix64(((prefix << 17) | (prefix >> 47)) ^ name_hash);
}

/* Key hash of a `from:` rule: the path hash bound to one executable id. */
static inline __u64 pal_from_mix(__u64 a, __u32 exe_id)
{
	return pal_mix64(a ^ ((__u64)exe_id * PAL_HASH_K1) ^ 0xf40f40f40f40ULL);
}

/*
 * The pal_bloom hash of a pal_files key (abi.h): every field but the slot,
 * folded into a multiplicative hash (`a` is a keyed hash already, or an
 * inode number, which the multiply spreads). Its top bits say where the key
 * sits: pal_bloom_word and pal_bloom_mask.
 */
static inline __u64 pal_bloom_hash(const struct pal_file_key *k)
{
	__u64 rest =
		((__u64)k->b << 32) | ((__u64)k->policy << 16) | ((__u64)k->kind << 8) | k->class;

	return (k->a ^ (rest * PAL_HASH_K1)) * 0xd6e8feb86659fd93ULL;
}

/* The word of pal_bloom that holds a key's bits: the top bits of its hash. */
static inline __u32 pal_bloom_word(__u64 x)
{
	return (__u32)(x >> (64 - PAL_BLOOM_SHIFT + 6));
}

/* The key's two bits in that word: the next 2 x 6 bits of its hash. */
static inline __u64 pal_bloom_mask(__u64 x)
{
	return (1ULL << ((x >> (64 - PAL_BLOOM_SHIFT)) & 63)) |
	       (1ULL << ((x >> (58 - PAL_BLOOM_SHIFT)) & 63));
}

#endif /* PALISADE_BPF_PATH_HASH_H */
