// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/maps.h"
#include "maps.skel.h"

const char *const pal_map_names[PAL_MAP_COUNT] = {
	[PAL_MAP_GEN] = "pal_gen",
	[PAL_MAP_CONFIG] = "pal_config",
	[PAL_MAP_POLICIES] = "pal_policies",
	[PAL_MAP_CGROUPS] = "pal_cgroups",
	[PAL_MAP_EVENTS] = "pal_events",
	[PAL_MAP_COUNTERS] = "pal_counters",
	[PAL_MAP_RATELIMIT] = "pal_ratelimit",
};

static void fds_reset(struct pal_maps *m)
{
	for (int i = 0; i < PAL_MAP_COUNT; i++)
		m->fd[i] = -1;
	m->adopted = false;
}

void pal_maps_close(struct pal_maps *m)
{
	for (int i = 0; i < PAL_MAP_COUNT; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
	fds_reset(m);
}

/* Is the marker of this map layout pinned in pin_dir? */
static bool abi_pinned(const char *pin_dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, PAL_ABI_MARKER);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * An empty ARRAY whose pinned name says which map layout the pins beside it
 * have: the name is the information, the map holds nothing.
 */
static int pin_abi_marker(const char *pin_dir)
{
	char path[PATH_MAX];
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, PAL_ABI_MARKER, 4, 4, 1, NULL), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, PAL_ABI_MARKER);
	if (bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

void pal_maps_unpin(const char *pin_dir)
{
	char path[PATH_MAX];

	for (int i = 0; i < PAL_MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, pal_map_names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%s", pin_dir, PAL_ABI_MARKER);
	unlink(path);
}

/*
 * Adopt all pins, or none: a partial set means a broken earlier run, and
 * pins without this layout's marker are another version's (-EPROTO).
 */
static int adopt_pins(struct pal_maps *m, const char *pin_dir)
{
	char path[PATH_MAX];
	int found = 0;

	for (int i = 0; i < PAL_MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, pal_map_names[i]);
		m->fd[i] = bpf_obj_get(path);
		if (m->fd[i] >= 0)
			found++;
		else if (errno != ENOENT)
			return -errno;
	}
	if (found == PAL_MAP_COUNT && abi_pinned(pin_dir)) {
		m->adopted = true;
		return 1;
	}
	pal_maps_close(m);
	return found == PAL_MAP_COUNT ? -EPROTO : found ? -ESTALE : 0;
}

/* A fresh secret for the path hash, in both generation slots. */
static int seed_config(int config_fd)
{
	struct pal_gen_config cfg = {0};

	if (getrandom(&cfg.path_seed, sizeof(cfg.path_seed), 0) != sizeof(cfg.path_seed))
		return -EIO;
	for (__u32 slot = 0; slot < PAL_GENS; slot++)
		if (bpf_map_update_elem(config_fd, &slot, &cfg, BPF_ANY))
			return -errno;
	return 0;
}

static int create_maps(struct pal_maps *m, const char *pin_dir)
{
	struct maps_bpf *skel = maps_bpf__open_and_load();
	char path[PATH_MAX];
	int err = 0;

	if (!skel)
		return -errno;
	for (int i = 0; i < PAL_MAP_COUNT && !err; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(skel->obj, pal_map_names[i]);

		m->fd[i] = map ? dup(bpf_map__fd(map)) : -1;
		if (m->fd[i] < 0)
			err = map ? -errno : -ENOENT;
		else if (pin_dir) {
			snprintf(path, sizeof(path), "%s/%s", pin_dir, pal_map_names[i]);
			if (bpf_obj_pin(m->fd[i], path))
				err = -errno;
		}
	}
	maps_bpf__destroy(skel);
	if (!err && pin_dir)
		err = pin_abi_marker(pin_dir);
	if (!err)
		err = seed_config(m->fd[PAL_MAP_CONFIG]);
	if (err)
		pal_maps_close(m);
	return err;
}

int pal_maps_open(struct pal_maps *m, const char *pin_dir)
{
	int err;

	fds_reset(m);
	if (pin_dir) {
		err = adopt_pins(m, pin_dir);
		if (err)
			return err < 0 ? err : 0;
	}
	return create_maps(m, pin_dir);
}

int pal_maps_reuse(const struct pal_maps *m, struct bpf_object *obj)
{
	for (int i = 0; i < PAL_MAP_COUNT; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, pal_map_names[i]);
		int err;

		if (!map)
			continue; /* this object does not use that map */
		err = bpf_map__reuse_fd(map, m->fd[i]);
		if (err)
			return err;
	}
	return 0;
}

int pal_maps_counter(const struct pal_maps *m, __u32 counter, __u64 *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	*sum = 0;
	if (bpf_map_lookup_elem(m->fd[PAL_MAP_COUNTERS], &counter, vals)) {
		free(vals);
		return -errno;
	}
	for (int i = 0; i < ncpu; i++)
		*sum += vals[i];
	free(vals);
	return 0;
}

/* Room for one more key in the list of keys to delete. */
static int keys_grow(char **keys, size_t *cap, size_t n, size_t key_size)
{
	char *grown;

	if (n < *cap)
		return 0;
	grown = realloc(*keys, 2 * *cap * key_size);
	if (!grown)
		return -ENOMEM;
	*keys = grown;
	*cap *= 2;
	return 0;
}

/* Collect then delete: deleting while iterating would restart the walk. */
int pal_map_clear_slot(int fd, size_t key_size, size_t gen_off, __u32 slot)
{
	size_t cap = 1024, n = 0;
	char *keys = malloc(cap * key_size), cur[PAL_MAP_KEY_MAX], next[PAL_MAP_KEY_MAX];
	void *k = NULL;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	if (key_size > PAL_MAP_KEY_MAX || gen_off + sizeof(__u16) > key_size) {
		free(keys);
		return -EINVAL;
	}
	while (!err && !bpf_map_get_next_key(fd, k, next)) {
		__u16 gen;

		memcpy(&gen, next + gen_off, sizeof(gen));
		if (gen == slot && !(err = keys_grow(&keys, &cap, n, key_size)))
			memcpy(keys + n++ * key_size, next, key_size);
		memcpy(cur, next, key_size);
		k = cur;
	}
	for (size_t i = 0; i < n && !err;) {
		__u32 count = n - i < PAL_MAP_BATCH ? n - i : PAL_MAP_BATCH;
		int why = bpf_map_delete_batch(fd, keys + i * key_size, &count, NULL) ? errno : 0;

		if (why && why != ENOENT)
			err = -why;
		/* a key already gone stops the batch at it: step over it */
		i += count + (why == ENOENT);
	}
	free(keys);
	return err;
}

int pal_map_batch_init(struct pal_map_batch *b, int fd, size_t key_size, size_t val_size)
{
	*b = (struct pal_map_batch){.fd = fd, .key_size = key_size, .val_size = val_size};
	b->keys = malloc(PAL_MAP_BATCH * key_size);
	b->vals = malloc(PAL_MAP_BATCH * val_size);
	return b->keys && b->vals ? 0 : pal_map_batch_end(b, -ENOMEM);
}

static int batch_flush(struct pal_map_batch *b)
{
	__u32 count = b->n;

	b->n = 0;
	if (count && bpf_map_update_batch(b->fd, b->keys, b->vals, &count, NULL))
		return -errno;
	return 0;
}

int pal_map_batch_add(struct pal_map_batch *b, const void *key, const void *val)
{
	int err = b->n == PAL_MAP_BATCH ? batch_flush(b) : 0;

	if (err)
		return err;
	memcpy(b->keys + b->n * b->key_size, key, b->key_size);
	memcpy(b->vals + b->n * b->val_size, val, b->val_size);
	b->n++;
	return 0;
}

int pal_map_batch_end(struct pal_map_batch *b, int err)
{
	err = err ?: batch_flush(b);
	free(b->keys);
	free(b->vals);
	b->keys = b->vals = NULL;
	b->n = 0;
	return err;
}

int pal_map_write_array(int fd, __u32 base, const void *vals, size_t n, size_t size)
{
	struct pal_map_batch b;
	int err = pal_map_batch_init(&b, fd, sizeof(__u32), size);

	for (size_t i = 0; i < n && !err; i++) {
		__u32 key = base + (__u32)i;

		err = pal_map_batch_add(&b, &key, (const char *)vals + i * size);
	}
	return pal_map_batch_end(&b, err);
}

int pal_map_write_entries(int fd, const void *base, size_t n, size_t stride, size_t key_size,
			  size_t val_off, size_t val_size)
{
	struct pal_map_batch b;
	int err = pal_map_batch_init(&b, fd, key_size, val_size);

	for (size_t i = 0; i < n && !err; i++) {
		const char *e = (const char *)base + i * stride;

		err = pal_map_batch_add(&b, e, e + val_off);
	}
	return pal_map_batch_end(&b, err);
}
