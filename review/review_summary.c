// SPDX-License-Identifier: GPL-2.0-only
/*
 * `palisade logs --summary`: top tables and a histogram, in bounded memory.
 * Each group is a table that stops taking new keys at a fixed size (later
 * keys are counted in one "other" row, and the report says so). The
 * histogram keeps at most RV_HIST_CAP buckets and doubles up to coarser
 * bucket sizes as the time span grows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "review/review.h"

/* ---- group tables ------------------------------------------------------ */

/*
 * A table is an open-addressing index of slots, each a key's hash and its
 * entry, and the list of entries in the order their keys came. An entry
 * and its key are stored together in chunks: a lookup that finds its key
 * reads its slot and one place besides. Records hash a key per group, so
 * the hash is cheap and no key is formatted with printf.
 */
struct rv_gslot {
	uint64_t hash;
	struct rv_entry *e; /* NULL: free */
};

struct rv_chunk {
	struct rv_chunk *next;
	size_t used, size;
	char data[]; /* entries and keys, each at a multiple of 8 */
};

#define CHUNK_DATA (256u << 10)
#define ROOM_START 64 /* entry pointers first allocated; doubled up to max */

/* 8 bytes a step, mixed by a multiply. */
uint64_t rv_key_hash(const char *s, size_t n)
{
	const uint64_t m = 0x9e3779b97f4a7c15ull;
	uint64_t h = n * m, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * m;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * m;
	return h ^ h >> 29;
}

static int gtable_init(struct rv_gtable *t, size_t max)
{
	size_t cap = 16;

	while (cap < 2 * max)
		cap *= 2;
	memset(t, 0, sizeof(*t));
	t->slot = calloc(cap, sizeof(*t->slot));
	if (!t->slot)
		return -ENOMEM;
	t->cap = cap;
	t->max = max;
	t->other.first = INT64_MAX;
	t->other.last = INT64_MIN;
	return 0;
}

static void entry_free(struct rv_entry *e)
{
	for (unsigned int i = 0; i < e->nsample; i++)
		free(e->sample[i]);
	free(e->sample);
}

static void gtable_free(struct rv_gtable *t)
{
	for (size_t i = 0; i < t->used; i++)
		entry_free(t->ent[i]);
	entry_free(&t->other);
	while (t->chunks) {
		struct rv_chunk *c = t->chunks;

		t->chunks = c->next;
		free(c);
	}
	free(t->ent);
	free(t->slot);
	t->ent = NULL;
	t->slot = NULL;
}

/* Keep a copy of a record line for the row that counts it (out of memory: not kept). */
static void entry_sample(struct rv_entry *e, const char *line, size_t len)
{
	if (!e->sample && !(e->sample = calloc(RV_SAMPLES, sizeof(*e->sample))))
		return;
	if (e->nsample < RV_SAMPLES && (e->sample[e->nsample] = strndup(line, len)))
		e->nsample++;
}

/* n bytes (a multiple of 8) from t's chunks, or NULL. */
static void *chunk_alloc(struct rv_gtable *t, size_t n)
{
	struct rv_chunk *c = t->chunks;

	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_DATA ? n : CHUNK_DATA;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = t->chunks;
		c->used = 0;
		c->size = size;
		t->chunks = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

/* A new entry for key[0, len), listed last, or NULL (out of memory). */
static struct rv_entry *gtable_append(struct rv_gtable *t, const char *key, size_t len)
{
	struct rv_entry *e;

	if (t->used == t->room) {
		size_t room = t->room ? 2 * t->room : ROOM_START;
		struct rv_entry **ent;

		room = room < t->max ? room : t->max;
		ent = realloc(t->ent, room * sizeof(*ent));
		if (!ent)
			return NULL;
		t->ent = ent;
		t->room = room;
	}
	e = chunk_alloc(t, (sizeof(*e) + len + 1 + 7) & ~(size_t)7);
	if (!e)
		return NULL;
	*e = (struct rv_entry){.key = (char *)(e + 1), .len = len};
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->first = INT64_MAX;
	e->last = INT64_MIN;
	t->ent[t->used++] = e;
	return e;
}

/*
 * Ask for the memory a lookup of hash h will read first: its slot, then its
 * entry. A record looks up a key in every group; asking for all of them
 * before the first lookup waits for those reads together, not in turn.
 */
static void gtable_prefetch_slot(const struct rv_gtable *t, uint64_t h)
{
	__builtin_prefetch(&t->slot[h & (t->cap - 1)]);
}

static void gtable_prefetch_entry(const struct rv_gtable *t, uint64_t h)
{
	const struct rv_entry *e = t->slot[h & (t->cap - 1)].e;

	if (e) {
		__builtin_prefetch(e);
		__builtin_prefetch(e + 1); /* where its key is */
	}
}

/* The entry of key[0, len) (hash h): found, newly added, or "other" when the table is full. */
static struct rv_entry *gtable_find(struct rv_gtable *t, const char *key, size_t len, uint64_t h)
{
	size_t i = h & (t->cap - 1);
	struct rv_entry *e;

	for (; (e = t->slot[i].e); i = (i + 1) & (t->cap - 1))
		if (t->slot[i].hash == h && e->len == len && !memcmp(e->key, key, len))
			return e;
	if (t->used == t->max)
		return &t->other;
	e = gtable_append(t, key, len);
	if (!e)
		return &t->other; /* out of memory: still counted */
	t->slot[i] = (struct rv_gslot){h, e};
	return e;
}

static struct rv_entry *gtable_get(struct rv_gtable *t, const char *key, size_t len)
{
	return gtable_find(t, key, len, rv_key_hash(key, len));
}

static void entry_add(struct rv_entry *e, const struct rv_rec *r, uint64_t n)
{
	if (r->action == RV_ACT_DENY)
		e->deny += n;
	else
		e->audit += n;
	if (r->time < e->first)
		e->first = r->time;
	if (r->time > e->last)
		e->last = r->time;
}

static uint64_t entry_total(const struct rv_entry *e)
{
	return e->deny + e->audit;
}

/* Ordered by count, biggest first, then by key for a stable report. */
static bool entry_before(const struct rv_entry *a, const struct rv_entry *b)
{
	uint64_t ta = entry_total(a), tb = entry_total(b);

	if (ta != tb)
		return ta > tb;
	return strcmp(a->key, b->key) < 0;
}

size_t rv_summary_top(const struct rv_summary *s, enum rv_group g, size_t n,
		      const struct rv_entry **out)
{
	const struct rv_gtable *t = &s->groups[g];
	size_t k = 0;

	for (size_t i = 0; i < t->used && n; i++) {
		const struct rv_entry *e = t->ent[i];
		size_t j;

		if (k == n && !entry_before(e, out[k - 1]))
			continue;
		j = k < n ? k++ : n - 1;
		while (j > 0 && entry_before(e, out[j - 1])) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = e;
	}
	return k;
}

/* ---- the summary -------------------------------------------------------- */

int rv_summary_init(struct rv_summary *s, size_t max_keys)
{
	memset(s, 0, sizeof(*s));
	for (int g = 0; g < RV_G_MAX; g++) {
		if (gtable_init(&s->groups[g], max_keys)) {
			rv_summary_free(s);
			return -ENOMEM;
		}
	}
	rv_hist_init(&s->hist);
	s->first = INT64_MAX;
	s->last = INT64_MIN;
	return 0;
}

void rv_summary_free(struct rv_summary *s)
{
	for (int g = 0; g < RV_G_MAX; g++)
		gtable_free(&s->groups[g]);
	for (int g = 0; g < RV_G_MAX; g++)
		rv_buf_free(&s->key[g]);
}

/* Keys are built per record: plain copies, no printf. */
static void put_str(struct rv_buf *b, const char *s)
{
	rv_buf_put(b, s, strlen(s));
}

/* A decimal integer, as %lld writes it. */
static void put_int(struct rv_buf *b, int64_t v)
{
	char d[24], *p = d + sizeof(d);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	rv_buf_put(b, p, d + sizeof(d) - p);
}

#define ID_SHOWN 12 /* hex digits of a container id, as `docker ps` shows them */

/*
 * One name of a container key; '/' and '%' in it as %2F and %25, so a name
 * with a '/' (untrusted runtime state) cannot pass for two.
 */
static void name_part(struct rv_buf *b, const char *name, const char *sep)
{
	rv_buf_put(b, sep, strlen(sep));
	if (!name) {
		rv_buf_put(b, "-", 1);
		return;
	}
	for (; *name; name++) {
		if (*name == '/' || *name == '%')
			rv_buf_printf(b, "%%%02X", (unsigned char)*name);
		else
			rv_buf_put(b, name, 1);
	}
}

/*
 * "namespace/pod/container" ("-" for a name the runtime did not record),
 * else "RUNTIME ID" when only the cgroup name told the container, else
 * "host": every decision falls in exactly one row.
 */
static const char *container_key(const struct rv_rec *r, struct rv_buf *b)
{
	if (r->ns || r->pod || r->container) {
		name_part(b, r->ns, "");
		name_part(b, r->pod, "/");
		name_part(b, r->container, "/");
	} else if (r->container_id)
		rv_buf_printf(b, "%s %.*s", r->runtime ?: "?", ID_SHOWN, r->container_id);
	else
		return "host";
	return b->p;
}

static bool in_container(const struct rv_rec *r)
{
	return r->container_id || r->ns || r->pod || r->container;
}

bool rv_summary_shows(const struct rv_summary *s, enum rv_group g)
{
	return g != RV_G_CONTAINER || s->container_records;
}

/* The key of a record in group g, or NULL if it has none there. */
static const char *group_key(const struct rv_rec *r, enum rv_group g, struct rv_buf *b)
{
	b->len = 0;
	switch (g) {
	case RV_G_RULE:
		if (!r->policy)
			return NULL;
		put_str(b, r->policy);
		put_str(b, "#");
		if (rv_has(r, RV_I_RULE))
			put_int(b, r->num[RV_I_RULE]);
		else
			put_str(b, "default");
		if (r->rule_src && strcmp(r->rule_src, "default")) {
			put_str(b, " (");
			put_str(b, r->rule_src);
			put_str(b, ")");
		}
		return b->p;
	case RV_G_PATH:
		if (r->event == RV_EV_NETWORK && r->daddr) {
			put_str(b, r->protocol ? r->protocol : "?");
			put_str(b, " ");
			put_str(b, r->daddr);
			put_str(b, " port ");
			put_int(b, r->num[RV_I_DPORT]);
		} else if (r->event == RV_EV_NETWORK) {
			put_str(b, r->op ? r->op : "?");
			put_str(b, " socket ");
			put_str(b, r->family ? r->family : "?");
		} else if (r->event == RV_EV_DEVICE) {
			put_str(b, r->dev_type ? r->dev_type : "?");
			put_str(b, " device ");
			put_int(b, r->num[RV_I_MAJOR]);
			put_str(b, ":");
			put_int(b, r->num[RV_I_MINOR]);
		} else {
			return r->path;
		}
		return b->p;
	case RV_G_EXE:
		return r->exe ? r->exe : r->comm;
	case RV_G_CONTAINER:
		return container_key(r, b);
	default:
		return r->cgroup;
	}
}

/* r in the row of its key in every group (weight n); the lookups' memory is asked for first. */
static void add_keys(struct rv_summary *s, const struct rv_rec *r, uint64_t n)
{
	const char *key[RV_G_MAX];
	size_t len[RV_G_MAX];
	uint64_t h[RV_G_MAX];

	for (int g = 0; g < RV_G_MAX; g++) {
		key[g] = group_key(r, g, &s->key[g]);
		if (!key[g])
			continue;
		len[g] = key[g] == s->key[g].p ? s->key[g].len : strlen(key[g]);
		h[g] = rv_key_hash(key[g], len[g]);
		gtable_prefetch_slot(&s->groups[g], h[g]);
	}
	for (int g = 0; g < RV_G_MAX; g++)
		if (key[g])
			gtable_prefetch_entry(&s->groups[g], h[g]);
	for (int g = 0; g < RV_G_MAX; g++) {
		struct rv_entry *e;

		if (!key[g])
			continue;
		e = gtable_find(&s->groups[g], key[g], len[g], h[g]);
		entry_add(e, r, n);
		if (s->keep_samples && r->line)
			entry_sample(e, r->line, r->len);
	}
}

static void add_decision(struct rv_summary *s, const struct rv_rec *r)
{
	uint64_t n = (uint64_t)rv_rec_count(r);

	s->records++;
	s->container_records += in_container(r);
	if (r->action == RV_ACT_DENY)
		s->deny += n;
	else
		s->audit += n;
	if (r->time < s->first)
		s->first = r->time;
	if (r->time > s->last)
		s->last = r->time;
	add_keys(s, r, n);
	rv_hist_add_split(&s->hist, r->time, n, r->action == RV_ACT_AUDIT ? n : 0, 0);
}

int rv_summary_add(struct rv_summary *s, const struct rv_rec *r)
{
	if (r->event == RV_EV_LOST || r->event == RV_EV_SUPPRESSED) {
		rv_summary_add_loss(s, r);
		return 0;
	}
	if (r->action == RV_ACT_NONE) {
		s->other_records++;
		return 0;
	}
	add_decision(s, r);
	return 0;
}

void rv_summary_add_loss(struct rv_summary *s, const struct rv_rec *r)
{
	uint64_t n = (uint64_t)rv_rec_count(r);

	if (r->event == RV_EV_LOST) {
		s->lost += n;
		s->lost_records++;
	} else {
		s->suppressed += n;
		s->suppressed_records++;
	}
	rv_hist_add(&s->hist, r->time, 0, n);
}

static void entry_merge(struct rv_entry *to, const struct rv_entry *from)
{
	for (unsigned int i = 0; i < from->nsample; i++)
		entry_sample(to, from->sample[i], strlen(from->sample[i]));
	to->deny += from->deny;
	to->audit += from->audit;
	if (from->first < to->first)
		to->first = from->first;
	if (from->last > to->last)
		to->last = from->last;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * A merge takes from's keys in an order that decides which of them still
 * fit when to fills up: the slot order of a table of cap slots placing the
 * keys, in the order they came, by FNV-1a, as summaries always have. The
 * entry numbers, or NULL (out of memory: the order they came).
 */
static uint32_t *merge_order(const struct rv_gtable *t)
{
	uint32_t *pos = calloc(t->cap, sizeof(*pos));
	size_t n = 0;

	if (!pos)
		return NULL;
	for (size_t k = 0; k < t->used; k++) {
		size_t i = fnv1a(t->ent[k]->key, t->ent[k]->len) & (t->cap - 1);

		while (pos[i])
			i = (i + 1) & (t->cap - 1);
		pos[i] = (uint32_t)k + 1;
	}
	for (size_t i = 0; i < t->cap; i++)
		if (pos[i])
			pos[n++] = pos[i] - 1;
	return pos;
}

static void gtable_merge(struct rv_gtable *to, const struct rv_gtable *from)
{
	uint32_t *order = merge_order(from);

	for (size_t k = 0; k < from->used; k++) {
		const struct rv_entry *e = from->ent[order ? order[k] : k];

		entry_merge(gtable_get(to, e->key, e->len), e);
	}
	free(order);
	entry_merge(&to->other, &from->other);
}

void rv_summary_merge(struct rv_summary *to, const struct rv_summary *from)
{
	for (int g = 0; g < RV_G_MAX; g++)
		gtable_merge(&to->groups[g], &from->groups[g]);
	rv_hist_merge(&to->hist, &from->hist);
	to->records += from->records;
	to->deny += from->deny;
	to->audit += from->audit;
	to->first = from->first < to->first ? from->first : to->first;
	to->last = from->last > to->last ? from->last : to->last;
	to->lost += from->lost;
	to->suppressed += from->suppressed;
	to->lost_records += from->lost_records;
	to->suppressed_records += from->suppressed_records;
	to->other_records += from->other_records;
	to->container_records += from->container_records;
}

/* ---- histogram ---------------------------------------------------------- */

#define MIN_ 60 * RV_USEC
static const int64_t ladder[] = {
	RV_USEC,     5 * RV_USEC,     10 * RV_USEC,	30 * RV_USEC,	   MIN_,       5 * MIN_,
	15 * MIN_,   30 * MIN_,	      60 * MIN_,	180 * MIN_,	   360 * MIN_, 720 * MIN_,
	1440 * MIN_, 7 * 1440 * MIN_, 28 * 1440 * MIN_, 364 * 1440 * MIN_,
};
#define LADDER_N (sizeof(ladder) / sizeof(ladder[0]))

static int64_t floor_to(int64_t t, int64_t w)
{
	int64_t q = t / w;

	if (t % w && t < 0)
		q--;
	return q * w;
}

void rv_hist_init(struct rv_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->width = ladder[0];
}

static int64_t next_width(size_t level, int64_t w)
{
	return level + 1 < LADDER_N ? ladder[level + 1] : w * 2;
}

/* Move to the smallest coarser bucket size that holds both what we have and t. */
static void coarsen(struct rv_hist *h, int64_t t)
{
	uint64_t count[RV_HIST_CAP], audit[RV_HIST_CAP], lost[RV_HIST_CAP];
	int64_t lo = t < h->origin ? t : h->origin;
	int64_t hi = h->origin + (int64_t)h->n * h->width;
	int64_t w = h->width, origin;
	size_t n = 0;

	if (t >= hi)
		hi = t + 1;
	do {
		w = next_width(h->level++, w);
		origin = floor_to(lo, w);
	} while ((hi - origin + w - 1) / w > RV_HIST_CAP);
	memcpy(count, h->count, sizeof(count));
	memcpy(audit, h->audit, sizeof(audit));
	memcpy(lost, h->lost, sizeof(lost));
	memset(h->count, 0, sizeof(h->count));
	memset(h->audit, 0, sizeof(h->audit));
	memset(h->lost, 0, sizeof(h->lost));
	for (size_t j = 0; j < h->n; j++) {
		size_t k = (size_t)((h->origin + (int64_t)j * h->width - origin) / w);

		h->count[k] += count[j];
		h->audit[k] += audit[j];
		h->lost[k] += lost[j];
		if (k + 1 > n)
			n = k + 1;
	}
	h->origin = origin;
	h->width = w;
	h->n = n;
}

void rv_hist_add_split(struct rv_hist *h, int64_t t, uint64_t count, uint64_t audit, uint64_t lost)
{
	int64_t idx;

	if (!h->n) {
		h->origin = floor_to(t, h->width);
		h->n = 1;
	}
	idx = t >= h->origin ? (t - h->origin) / h->width : -1;
	if (idx < 0 || idx >= RV_HIST_CAP) {
		coarsen(h, t);
		idx = (t - h->origin) / h->width;
	}
	if ((size_t)idx + 1 > h->n)
		h->n = (size_t)idx + 1;
	h->count[idx] += count;
	h->audit[idx] += audit;
	h->lost[idx] += lost;
}

void rv_hist_add(struct rv_hist *h, int64_t t, uint64_t count, uint64_t lost)
{
	rv_hist_add_split(h, t, count, 0, lost);
}

/* Exact: to first moves to bucket sizes at least as coarse as from's, which nest. */
void rv_hist_merge(struct rv_hist *to, const struct rv_hist *from)
{
	if (!from->n)
		return;
	if (!to->n) {
		*to = *from;
		return;
	}
	while (to->level < from->level)
		coarsen(to, to->origin);
	for (size_t j = 0; j < from->n; j++)
		if (from->count[j] || from->lost[j])
			rv_hist_add_split(to, from->origin + (int64_t)j * from->width,
					  from->count[j], from->audit[j], from->lost[j]);
}

void rv_hist_view(const struct rv_hist *h, size_t max_rows, struct rv_hist_view *v)
{
	size_t level = h->level;
	int64_t w = h->width, origin;

	if (max_rows < 1)
		max_rows = 1;
	if (max_rows > RV_HIST_CAP)
		max_rows = RV_HIST_CAP;
	/* the smallest bucket size, at or above the stored one, that fits max_rows */
	for (;;) {
		origin = floor_to(h->origin, w);
		if ((h->origin + (int64_t)h->n * h->width - origin + w - 1) / w <=
		    (int64_t)max_rows)
			break;
		level++;
		w = level < LADDER_N ? ladder[level] : w * 2;
	}
	memset(v, 0, sizeof(*v));
	v->origin = origin;
	v->width = w;
	for (size_t j = 0; j < h->n; j++) {
		size_t k = (size_t)((h->origin + (int64_t)j * h->width - origin) / w);

		v->count[k] += h->count[j];
		v->audit[k] += h->audit[j];
		v->lost[k] += h->lost[j];
		if (k + 1 > v->n)
			v->n = k + 1;
	}
}

/* ---- logs --summary --json ------------------------------------------------ */

#define JSON_TOP_MAX 64 /* rows per group, as the HTML report */

static void json_str(struct rv_buf *b, const char *s)
{
	rv_json_str(b, s);
}

static void json_time(struct rv_buf *b, int64_t t, bool set)
{
	char when[40];

	if (!set) {
		rv_buf_put(b, "null", 4);
		return;
	}
	rv_time_format(t, 6, when, sizeof(when));
	json_str(b, when);
}

static void json_group(struct rv_buf *b, const struct rv_summary *s, enum rv_group g, size_t top)
{
	static const char *const names[RV_G_MAX] = {"rules", "paths", "exes", "cgroups",
						    "containers"};
	const struct rv_entry *e[JSON_TOP_MAX];
	size_t n = rv_summary_top(s, g, top < JSON_TOP_MAX ? top : JSON_TOP_MAX, e);

	rv_buf_printf(b, "%s\"%s\":[", g ? "," : "", names[g]);
	for (size_t i = 0; i < n; i++) {
		rv_buf_printf(b, "%s{\"key\":", i ? "," : "");
		json_str(b, e[i]->key);
		rv_buf_printf(b, ",\"deny\":%llu,\"audit\":%llu,\"first\":",
			      (unsigned long long)e[i]->deny, (unsigned long long)e[i]->audit);
		json_time(b, e[i]->first, true);
		rv_buf_put(b, ",\"last\":", 8);
		json_time(b, e[i]->last, true);
		rv_buf_put(b, "}", 1);
	}
	rv_buf_put(b, "]", 1);
}

static void json_hist(struct rv_buf *b, const struct rv_summary *s, size_t rows)
{
	struct rv_hist_view v;

	rv_hist_view(&s->hist, rows ? rows : 24, &v);
	rv_buf_put(b, ",\"histogram\":{\"origin\":", 23);
	json_time(b, v.origin, v.n > 0);
	rv_buf_printf(b, ",\"width_seconds\":%lld,\"buckets\":[", (long long)(v.width / RV_USEC));
	for (size_t i = 0; i < v.n; i++)
		rv_buf_printf(b, "%s{\"decisions\":%llu,\"audit\":%llu,\"lost\":%llu}",
			      i ? "," : "", (unsigned long long)v.count[i],
			      (unsigned long long)v.audit[i], (unsigned long long)v.lost[i]);
	rv_buf_put(b, "]}", 2);
}

int rv_summary_json(const struct rv_summary *s, const struct rv_report_opts *o, struct rv_buf *out)
{
	bool any = s->records > 0;

	rv_buf_printf(out,
		      "{\"records\":%llu,\"deny\":%llu,\"audit\":%llu,\"lost\":%llu,"
		      "\"suppressed\":%llu,\"other_records\":%llu,\"first\":",
		      (unsigned long long)s->records, (unsigned long long)s->deny,
		      (unsigned long long)s->audit, (unsigned long long)s->lost,
		      (unsigned long long)s->suppressed, (unsigned long long)s->other_records);
	json_time(out, s->first, any);
	rv_buf_put(out, ",\"last\":", 8);
	json_time(out, s->last, any);
	rv_buf_put(out, ",\"top\":{", 8);
	for (int g = 0; g < RV_G_MAX; g++)
		json_group(out, s, (enum rv_group)g, o->top ? o->top : 10);
	rv_buf_put(out, "}", 1);
	json_hist(out, s, o->hist_rows);
	return rv_buf_put(out, "}\n", 2);
}
