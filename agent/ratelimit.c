// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "agent/ratelimit.h"

#define SEEN_SLOTS (2 * PAL_RL_KEYS) /* a power of two, half full at most */
#define SCAN_STEPS (4 * PAL_RL_KEYS) /* get_next_key restarts when a key goes away */

_Static_assert((SEEN_SLOTS & (SEEN_SLOTS - 1)) == 0, "SEEN_SLOTS is a power of two");

/* A key's `suppressed` as last reported, and the entry it was read from. */
struct seen {
	struct pal_rl_key k;
	__u64 born_ns;
	__u32 suppressed;
	__u32 used;
};

/* Two tables: the last scan's, and the one this scan fills (then swapped). */
struct pal_rl_seen {
	struct seen *cur;
	struct seen *next;
};

int pal_rl_seen_new(struct pal_rl_seen **out)
{
	struct pal_rl_seen *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->cur = calloc(SEEN_SLOTS, sizeof(*s->cur));
	s->next = calloc(SEEN_SLOTS, sizeof(*s->next));
	if (!s->cur || !s->next) {
		pal_rl_seen_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

void pal_rl_seen_free(struct pal_rl_seen *s)
{
	if (!s)
		return;
	free(s->cur);
	free(s->next);
	free(s);
}

/* The slot of k in t: its entry, or the free slot where it goes. */
static struct seen *slot(struct seen *t, const struct pal_rl_key *k)
{
	const unsigned char *b = (const unsigned char *)k;
	__u64 h = 0xcbf29ce484222325ULL;
	size_t i;

	for (size_t j = 0; j < sizeof(*k); j++)
		h = (h ^ b[j]) * 0x100000001b3ULL;
	for (i = h & (SEEN_SLOTS - 1); t[i].used; i = (i + 1) & (SEEN_SLOTS - 1))
		if (!memcmp(&t[i].k, k, sizeof(*k)))
			break;
	return &t[i];
}

/* Record one key of this scan; returns how much it grew since the last one. */
static __u32 note(struct pal_rl_seen *s, const struct pal_rl_key *k, const struct pal_rl_state *v)
{
	struct seen *old = slot(s->cur, k), *now = slot(s->next, k);

	if (now->used)
		return 0; /* seen twice in one scan (the walk restarted) */
	now->k = *k;
	now->born_ns = v->born_ns;
	now->suppressed = v->suppressed;
	now->used = 1;
	/* a new entry (evicted and made again) counts from 0 */
	if (!old->used || old->born_ns != v->born_ns)
		return v->suppressed;
	return v->suppressed - old->suppressed; /* the kernel's value wraps: so does this */
}

long long pal_rl_scan(struct pal_rl_seen *s, int fd, pal_rl_emit_fn emit, void *ctx)
{
	struct pal_rl_key k, prev;
	struct pal_rl_state v;
	long long total = 0;
	struct seen *t;

	memset(s->next, 0, SEEN_SLOTS * sizeof(*s->next));
	for (int step = 0; step < SCAN_STEPS; step++) {
		__u32 grew;

		if (bpf_map_get_next_key(fd, step ? &prev : NULL, &k)) {
			if (errno != ENOENT)
				return -errno;
			break;
		}
		prev = k;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue; /* evicted meanwhile: the agent's carry accounts for it */
		grew = note(s, &k, &v);
		if (grew && emit)
			emit(ctx, &k, grew);
		total += grew;
	}
	t = s->cur;
	s->cur = s->next;
	s->next = t;
	return total;
}
