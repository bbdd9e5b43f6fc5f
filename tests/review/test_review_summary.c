// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the summariser (totals, top tables, bounded tables) and the histogram. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "review/review.h"

#define BASIC FIXTURES "/basic.log"
#define MALFORMED FIXTURES "/malformed.log"
#define T(h, m, s) ((1795341600LL + ((h)-10) * 3600 + (m)*60 + (s)) * RV_USEC) /* 2026-11-22 */

static void add(const struct rv_rec *r, void *ctx)
{
	rv_summary_add(ctx, r);
}

static void summarise(const char *path, struct rv_summary *s, size_t max_keys,
		      struct rv_bad_stats *bad)
{
	struct rv_scan sc;

	assert_int_equal(rv_summary_init(s, max_keys), 0);
	assert_int_equal(rv_scan_init(&sc, "test", add, s), 0);
	assert_int_equal(rv_scan_file(&sc, path), 0);
	if (bad)
		*bad = sc.bad;
	rv_scan_free(&sc);
}

static void test_totals(void **state)
{
	struct rv_summary s;
	struct rv_bad_stats bad;

	summarise(BASIC, &s, RV_GROUP_MAX, &bad);
	assert_int_equal(rv_bad_total(&bad), 0);
	assert_int_equal(s.records, 23);
	assert_int_equal(s.deny, 51); /* 41 of them in one folded record */
	assert_int_equal(s.audit, 14);
	assert_int_equal(s.lost, 120);
	assert_int_equal(s.lost_records, 1);
	assert_int_equal(s.suppressed, 500);
	assert_int_equal(s.suppressed_records, 1);
	assert_int_equal(s.other_records, 2);
	assert_int_equal(s.first, T(10, 0, 0) + 123456);
	assert_int_equal(s.last, T(12, 41, 0));
	rv_summary_free(&s);
}

static void test_top(void **state)
{
	struct rv_summary s;
	const struct rv_entry *e[4];

	summarise(BASIC, &s, RV_GROUP_MAX, NULL);
	assert_int_equal(rv_summary_top(&s, RV_G_RULE, 4, e), 4);
	assert_string_equal(e[0]->key, "protect-secrets#0 (/etc/palisade/protect-secrets.yaml:10)");
	assert_int_equal(e[0]->deny, 44);
	assert_int_equal(e[0]->audit, 0);
	assert_int_equal(e[0]->first, T(10, 0, 0) + 123456);
	assert_int_equal(e[0]->last, T(12, 41, 0));
	assert_string_equal(e[1]->key, "web#default");
	assert_int_equal(e[1]->audit, 14);
	/* equal counts: ordered by key */
	assert_string_equal(e[2]->key, "no-mem#0 (/etc/palisade/no-mem.yaml:10)");
	assert_string_equal(e[3]->key, "no-raw#0 (/etc/palisade/no-raw.yaml:10)");

	assert_int_equal(rv_summary_top(&s, RV_G_PATH, 2, e), 2);
	assert_string_equal(e[0]->key, "/etc/shadow");
	assert_int_equal(e[0]->deny, 44);
	assert_string_equal(e[1]->key, "/var/log/nginx/access.log");
	assert_int_equal(e[1]->audit, 3);

	assert_int_equal(rv_summary_top(&s, RV_G_EXE, 4, e), 3);
	assert_string_equal(e[0]->key, "/usr/sbin/nginx");
	assert_int_equal(e[0]->deny, 42);
	assert_int_equal(e[0]->audit, 14);
	assert_string_equal(e[1]->key, "/usr/bin/python3.11");
	assert_int_equal(e[1]->deny, 7);
	assert_string_equal(e[2]->key, "/usr/sbin/sshd");

	assert_int_equal(rv_summary_top(&s, RV_G_CGROUP, 4, e), 3);
	assert_string_equal(e[0]->key, "/system.slice/nginx.service");
	assert_int_equal(s.groups[RV_G_PATH].used, 20);
	rv_summary_free(&s);
}

/* Past max_keys, new keys are counted in "other": nothing is lost from the totals. */
static void test_bounded(void **state)
{
	struct rv_summary s;
	const struct rv_entry *e[8];
	const struct rv_gtable *t;
	uint64_t kept = 0;

	summarise(BASIC, &s, 3, NULL);
	t = &s.groups[RV_G_PATH];
	assert_int_equal(t->used, 3);
	assert_int_equal(rv_summary_top(&s, RV_G_PATH, 8, e), 3);
	for (int i = 0; i < 3; i++)
		kept += e[i]->deny + e[i]->audit;
	/* the first three keys seen: /etc/shadow (44), the ssh key and index.html */
	assert_int_equal(kept, 46);
	assert_int_equal(t->other.deny + t->other.audit, 65 - 46);
	assert_int_equal(s.deny + s.audit, 65);
	rv_summary_free(&s);
}

static void test_malformed(void **state)
{
	struct rv_summary s;
	struct rv_bad_stats bad;

	summarise(MALFORMED, &s, RV_GROUP_MAX, &bad);
	assert_int_equal(s.records, 3);
	assert_int_equal(rv_bad_total(&bad), 7);
	assert_int_equal(bad.n[RV_BAD_JSON], 2);
	assert_int_equal(bad.n[RV_BAD_VERSION], 2);
	assert_int_equal(bad.n[RV_BAD_RECORD], 2);
	assert_int_equal(bad.n[RV_BAD_TRUNCATED], 1);
	assert_int_equal(bad.first_line, 2);
	rv_summary_free(&s);
}

struct split {
	struct rv_summary *half[2];
	size_t n;
};

static void add_alternately(const struct rv_rec *r, void *ctx)
{
	struct split *sp = ctx;

	rv_summary_add(sp->half[sp->n++ % 2], r);
}

/* Two threads' summaries merged give what one summary of everything gives. */
static void test_merge(void **state)
{
	struct rv_summary all, a, b;
	struct split sp = {{&a, &b}, 0};
	struct rv_hist_view *va = malloc(sizeof(*va)), *vb = malloc(sizeof(*vb));
	const struct rv_entry *ea[16], *eb[16];
	struct rv_scan sc;
	size_t na, nb;

	summarise(BASIC, &all, RV_GROUP_MAX, NULL);
	assert_int_equal(rv_summary_init(&a, RV_GROUP_MAX), 0);
	assert_int_equal(rv_summary_init(&b, RV_GROUP_MAX), 0);
	/* b sees a late record first, so its histogram is coarser than a's */
	rv_hist_add(&b.hist, T(10, 0, 0) + 30LL * 86400 * RV_USEC, 0, 0);
	assert_int_equal(rv_scan_init(&sc, "test", add_alternately, &sp), 0);
	assert_int_equal(rv_scan_file(&sc, BASIC), 0);
	rv_scan_free(&sc);
	rv_summary_merge(&a, &b);
	assert_int_equal(a.records, all.records);
	assert_int_equal(a.deny, all.deny);
	assert_int_equal(a.audit, all.audit);
	assert_int_equal(a.lost, all.lost);
	assert_int_equal(a.suppressed, all.suppressed);
	assert_int_equal(a.other_records, all.other_records);
	assert_int_equal(a.first, all.first);
	assert_int_equal(a.last, all.last);
	for (int g = 0; g < RV_G_MAX; g++) {
		na = rv_summary_top(&a, g, 16, ea);
		nb = rv_summary_top(&all, g, 16, eb);
		assert_int_equal(na, nb);
		for (size_t i = 0; i < na; i++) {
			assert_string_equal(ea[i]->key, eb[i]->key);
			assert_int_equal(ea[i]->deny, eb[i]->deny);
			assert_int_equal(ea[i]->audit, eb[i]->audit);
			assert_int_equal(ea[i]->first, eb[i]->first);
			assert_int_equal(ea[i]->last, eb[i]->last);
		}
	}
	rv_hist_view(&a.hist, 2000, va); /* the same buckets, up to the coarser width */
	rv_hist_view(&all.hist, 2000, vb);
	assert_true(va->width >= vb->width);
	{
		uint64_t ta = 0, tb = 0;

		for (size_t i = 0; i < va->n; i++)
			ta += va->count[i];
		for (size_t i = 0; i < vb->n; i++)
			tb += vb->count[i];
		assert_int_equal(ta, tb);
		assert_int_equal(va->audit[0], 14);
		assert_int_equal(va->count[0], 42 + 1 + 14); /* the first 30 minutes */
	}
	rv_summary_free(&all);
	rv_summary_free(&a);
	rv_summary_free(&b);
	free(va);
	free(vb);
}

static uint64_t view_total(const struct rv_hist_view *v)
{
	uint64_t n = 0;

	for (size_t i = 0; i < v->n; i++)
		n += v->count[i];
	return n;
}

static void test_hist_auto(void **state)
{
	struct rv_summary s;
	struct rv_hist_view *v = malloc(sizeof(*v));
	static const uint64_t want[11] = {57, 0, 2, 1, 2, 1, 0, 0, 0, 0, 2};

	summarise(BASIC, &s, RV_GROUP_MAX, NULL);
	/* 10:00 to 12:41 at 1 s is more than RV_HIST_CAP buckets: stored coarser */
	assert_int_equal(s.hist.width, 5 * RV_USEC);
	rv_hist_view(&s.hist, 24, v);
	assert_int_equal(v->width, 15 * 60 * RV_USEC); /* 5 min would need 33 rows */
	assert_int_equal(v->origin, T(10, 0, 0));
	assert_int_equal(v->n, 11);
	assert_memory_equal(v->count, want, sizeof(want));
	assert_int_equal(v->lost[2], 120);
	assert_int_equal(v->lost[4], 500);
	assert_int_equal(v->audit[0], 14); /* the web audits, all at 10:12 */
	for (size_t i = 1; i < v->n; i++)
		assert_int_equal(v->audit[i], 0);
	rv_hist_view(&s.hist, 200, v);
	assert_int_equal(v->width, 60 * RV_USEC);
	assert_int_equal(v->n, 162);
	assert_int_equal(v->count[0], 42); /* 10:00:00 and the folded 41 at 10:00:01 */
	assert_int_equal(view_total(v), 65);
	rv_summary_free(&s);
	free(v);
}

static void test_hist_far(void **state)
{
	struct rv_hist h;
	struct rv_hist_view *v = malloc(sizeof(*v));

	rv_hist_init(&h);
	rv_hist_add(&h, T(10, 0, 30), 3, 0);
	rv_hist_add(&h, T(10, 0, 31), 4, 0);
	assert_int_equal(h.width, RV_USEC);
	rv_hist_add(&h, T(10, 0, 0) - 30LL * 86400 * RV_USEC, 5, 0); /* a month earlier */
	rv_hist_add(&h, 0, 1, 7); /* 1970 */
	rv_hist_add(&h, T(10, 0, 0) + 400LL * 86400 * RV_USEC, 2, 0); /* next year */
	rv_hist_view(&h, 30, v);
	assert_true(v->n <= 30);
	assert_int_equal(view_total(v), 15);
	assert_int_equal(v->lost[0], 7);
	assert_int_equal(v->count[0], 1);
	/* out of order inside the range lands in the right bucket */
	rv_hist_init(&h);
	rv_hist_add(&h, T(12, 0, 0), 1, 0);
	rv_hist_add(&h, T(10, 0, 0), 2, 0);
	rv_hist_add(&h, T(11, 0, 0), 4, 0);
	rv_hist_view(&h, 3, v);
	assert_int_equal(v->width, 3600 * RV_USEC);
	assert_int_equal(v->n, 3);
	assert_int_equal(v->count[0], 2);
	assert_int_equal(v->count[1], 4);
	assert_int_equal(v->count[2], 1);
	free(v);
}

static void test_hist_text(void **state)
{
	struct rv_hist h;
	struct rv_hist_view *v = malloc(sizeof(*v));
	struct rv_buf b = {0};

	rv_hist_init(&h);
	rv_hist_add(&h, T(10, 0, 0), 8, 0);
	rv_hist_add(&h, T(11, 0, 0), 3, 2);
	rv_hist_add(&h, T(12, 0, 0), 1, 0);
	rv_hist_view(&h, 3, v);
	assert_int_equal(rv_hist_text(v, 50, false, &b), 0);
	/* 50 columns: 17 bar cells, so 8 -> 17 cells, 3 -> 6 3/8, 1 -> 2 1/8 */
	assert_string_equal(b.p, "Decisions per 1h (! = events lost or suppressed in that bucket)\n"
				 "  2026-11-22 10:00  8 │█████████████████\n"
				 "  2026-11-22 11:00  3 │██████▍ ! 2\n"
				 "  2026-11-22 12:00  1 │██▏\n");
	rv_buf_free(&b);
	free(v);
}

#define HASH_M 0x9e3779b97f4a7c15ull /* rv_key_hash()'s multiplier */

/* rv_key_hash()'s state after the first 8 bytes of a 16-byte key */
static uint64_t first_step(uint64_t w)
{
	uint64_t h = (16 * HASH_M ^ w) * HASH_M;

	return h ^ h >> 32;
}

/* A 16-byte key b, not a, with a's hash: its second 8 bytes undo the difference of the first. */
static void collide(const char *a, char *b)
{
	uint64_t a1, a2, b1, b2;

	memcpy(&a1, a, 8);
	memcpy(&a2, a + 8, 8);
	for (char c = 'a'; c <= 'z'; c++) {
		memcpy(b, "/usr/ab", 7);
		b[7] = c;
		memcpy(&b1, b, 8);
		b2 = first_step(a1) ^ first_step(b1) ^ a2;
		memcpy(b + 8, &b2, 8);
		b[16] = '\0';
		if (strlen(b) == 16) /* no NUL byte: a key a record can have */
			return;
	}
	fail_msg("no colliding key found");
}

static void add_path(struct rv_summary *s, const char *path, int times)
{
	struct rv_rec r = {.event = RV_EV_FILE, .action = RV_ACT_DENY, .time = T(10, 0, 0)};

	r.path = path;
	while (times--)
		rv_summary_add(s, &r);
}

/* Two keys with one hash are two rows, in a table and through a merge. */
static void test_hash_collision(void **state)
{
	const char *a = "/etc/collide-abc";
	char b[17];
	struct rv_summary s, t;
	const struct rv_entry *e[4];

	collide(a, b);
	assert_int_equal(rv_key_hash(a, 16), rv_key_hash(b, 16));
	assert_int_equal(rv_summary_init(&s, 8), 0);
	assert_int_equal(rv_summary_init(&t, 8), 0);
	add_path(&s, a, 3);
	add_path(&s, b, 2);
	add_path(&t, b, 4);
	add_path(&t, a, 1);
	assert_int_equal(rv_summary_top(&s, RV_G_PATH, 4, e), 2);
	assert_string_equal(e[0]->key, a);
	assert_int_equal(e[0]->deny, 3);
	assert_memory_equal(e[1]->key, b, 17);
	assert_int_equal(e[1]->deny, 2);
	rv_summary_merge(&s, &t);
	assert_int_equal(rv_summary_top(&s, RV_G_PATH, 4, e), 2);
	assert_memory_equal(e[0]->key, b, 17);
	assert_int_equal(e[0]->deny, 6);
	assert_string_equal(e[1]->key, a);
	assert_int_equal(e[1]->deny, 4);
	rv_summary_free(&s);
	rv_summary_free(&t);
}

/* Keys that are prefixes of others, or differ in one byte past 8, stay apart. */
static void test_near_keys(void **state)
{
	static const char *const keys[] = {"/etc",	   "/etc/",	    "/etc/passwd",
					   "/etc/passwd-", "/etc/passwe",   "/etc/passwd-x",
					   "/etc/shadow",  "/etc/shadow.1", ""};
	const size_t n = sizeof(keys) / sizeof(keys[0]);
	const struct rv_entry *e[16];
	struct rv_summary s;

	assert_int_equal(rv_summary_init(&s, 64), 0);
	for (size_t i = 0; i < n; i++)
		add_path(&s, keys[i], (int)(i + 1));
	assert_int_equal(rv_summary_top(&s, RV_G_PATH, 16, e), n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(e[i]->key, keys[n - 1 - i]);
		assert_int_equal(e[i]->deny, n - i);
		assert_int_equal(e[i]->len, strlen(keys[n - 1 - i]));
	}
	rv_summary_free(&s);
}

/* A merge into a table that fills up: every decision is still counted, in a row or "other". */
static void test_merge_full(void **state)
{
	static const char *const keys[] = {"/a", "/b", "/c", "/d", "/e"};
	struct rv_summary s, t;
	const struct rv_gtable *g;
	uint64_t total = 0;

	assert_int_equal(rv_summary_init(&s, 3), 0);
	assert_int_equal(rv_summary_init(&t, 3), 0);
	add_path(&s, keys[0], 1);
	for (int i = 1; i < 5; i++)
		add_path(&t, keys[i], i + 1); /* "/e" does not fit in t */
	rv_summary_merge(&s, &t);
	g = &s.groups[RV_G_PATH];
	assert_int_equal(g->used, 3);
	for (size_t i = 0; i < g->used; i++)
		total += g->ent[i]->deny;
	assert_int_equal(total + g->other.deny, 1 + 2 + 3 + 4 + 5);
	assert_true(g->other.deny >= 5);
	assert_int_equal(s.deny, 15);
	rv_summary_free(&s);
	rv_summary_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals),	       cmocka_unit_test(test_top),
		cmocka_unit_test(test_bounded),	       cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hist_auto),      cmocka_unit_test(test_hist_far),
		cmocka_unit_test(test_hist_text),      cmocka_unit_test(test_merge),
		cmocka_unit_test(test_hash_collision), cmocka_unit_test(test_near_keys),
		cmocka_unit_test(test_merge_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
