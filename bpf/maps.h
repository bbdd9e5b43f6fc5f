/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User side of the shared maps (maps.bpf.h): create them, or adopt the ones
 * pinned by an earlier agent, and hand their fds to every other BPF object;
 * and the slot clearing every rule map (LSM and cgroup) uses.
 */
#ifndef PALISADE_BPF_MAPS_H
#define PALISADE_BPF_MAPS_H

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

#endif /* PALISADE_BPF_MAPS_H */
