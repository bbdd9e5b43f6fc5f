/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User side of the shared maps (maps.bpf.h): create them, or adopt the ones
 * pinned by an earlier agent, and hand their fds to every other BPF object;
 * and the slot clearing every rule map (LSM and cgroup) uses.
 */
#ifndef PALISADE_BPF_MAPS_H
#define PALISADE_BPF_MAPS_H

#include <stddef.h>
#include <bpf/libbpf.h>
#include "bpf/abi.h"

enum pal_shared_map {
	PAL_MAP_GEN,
	PAL_MAP_CONFIG,
	PAL_MAP_POLICIES,
	PAL_MAP_CGROUPS,
	PAL_MAP_EVENTS,
	PAL_MAP_COUNTERS,
	PAL_MAP_RATELIMIT,
	PAL_MAP_COUNT,
};

struct pal_maps {
	int fd[PAL_MAP_COUNT];
	bool adopted; /* true: taken over from pins left by an earlier agent */
};

/* Map names as declared in maps.bpf.h, indexed by enum pal_shared_map. */
extern const char *const pal_map_names[PAL_MAP_COUNT];

/*
 * Create the shared maps, or adopt them from pin_dir when pinned there.
 * With pin_dir set, newly created maps are pinned, with the marker of this
 * map layout (PAL_ABI_MARKER). Returns 0 or -errno: -ESTALE when only some
 * maps are pinned, -EPROTO when the pins are of another map layout.
 */
int pal_maps_open(struct pal_maps *m, const char *pin_dir);
/* Remove the shared maps' pins and the layout marker from pin_dir. */
void pal_maps_unpin(const char *pin_dir);
void pal_maps_close(struct pal_maps *m);
/* Make obj use the shared maps (call before bpf_object__load). */
int pal_maps_reuse(const struct pal_maps *m, struct bpf_object *obj);
/* Sum a per-CPU counter (enum pal_counter). */
int pal_maps_counter(const struct pal_maps *m, __u32 counter, __u64 *sum);

#define PAL_MAP_KEY_MAX 64 /* bytes of the largest key pal_map_clear_slot handles */

/*
 * Delete every entry of generation slot `slot` from a HASH or LPM_TRIE rule
 * map, whose keys hold the slot as the __u16 gen at gen_off
 * (PAL_KEY_GEN_OFF or PAL_LPM_KEY_GEN_OFF, abi.h). Returns 0 or -errno.
 */
int pal_map_clear_slot(int fd, size_t key_size, size_t gen_off, __u32 slot);

/*
 * Entries of one map, queued and written PAL_MAP_BATCH at a time with one
 * BPF_MAP_UPDATE_BATCH each: a rule set of 100,000 keys is some 100
 * syscalls, not 100,000. Any map type whose kernel side has the batch
 * operations (HASH, ARRAY, LRU_HASH).
 */
#define PAL_MAP_BATCH 1024

struct pal_map_batch {
	int fd;
	size_t key_size, val_size, n;
	char *keys, *vals;
};

int pal_map_batch_init(struct pal_map_batch *b, int fd, size_t key_size, size_t val_size);
/* Queue one entry; a full queue is written first. Returns 0 or -errno. */
int pal_map_batch_add(struct pal_map_batch *b, const void *key, const void *val);
/*
 * Write what is queued unless err is set, and free the queue. Returns err,
 * or the write's 0 or -errno (entries written before a failure stay).
 */
int pal_map_batch_end(struct pal_map_batch *b, int err);
/* Entries base .. base + n - 1 of an ARRAY map, from n values of size bytes. */
int pal_map_write_array(int fd, __u32 base, const void *vals, size_t n, size_t size);
/*
 * n entries of an array of structs, stride bytes apart, each with its key
 * (key_size bytes) first and its value (val_size bytes) at val_off.
 */
int pal_map_write_entries(int fd, const void *base, size_t n, size_t stride, size_t key_size,
			  size_t val_off, size_t val_size);
/* The same for an array arr of structs with members key (first) and val. */
#define PAL_MAP_WRITE_ENTRIES(fd, arr, n)                                      \
	((void)sizeof(char[offsetof(typeof(*(arr)), key) == 0 ? 1 : -1]),      \
	 pal_map_write_entries(fd, arr, n, sizeof(*(arr)), sizeof((arr)->key), \
			       offsetof(typeof(*(arr)), val), sizeof((arr)->val)))

#endif /* PALISADE_BPF_MAPS_H */
