// SPDX-License-Identifier: GPL-2.0-only
/*
 * palbench_pattern N LABELS: compile N rule patterns of four common shapes
 * into the pattern automaton (policies/automaton.c) and run 100,000 paths
 * through its entries as the kernel would. LABELS "shared": four labels
 * (patterns of one rule share states); "own": one label per pattern.
 * Prints one line: parse and build seconds, states, entries, run seconds
 * and map lookups per path. User space only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policies/automaton.h"

#define RUNS 100000

static const char *const shapes[] = {"/srv/d%d/*.pem", "/home/u%d/.ssh/id_*",
				     "/opt/a%d/**/python3*", "/var/x%d/ssh_host_*_key"};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int parse_all(struct pal_pattern **pp, __u32 *lab, int n, bool own)
{
	struct pal_pat_error e;
	char buf[128];

	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), shapes[i % 4], i);
		if (pal_pattern_parse(buf, strlen(buf), PAL_PAT_RULE, &pp[i], &e))
			return -1;
		lab[i] = own ? (__u32)i : (__u32)(i % 4);
	}
	return 0;
}

static double run_paths(const struct pal_auto *a, int n, size_t *lookups)
{
	const __u32 *acc;
	double t = now();
	size_t nacc;
	char buf[128];

	for (int i = 0; i < RUNS; i++) {
		snprintf(buf, sizeof(buf), "/opt/a%d/lib/x/python3.11", (i * 4 + 2) % n);
		pal_auto_run(a, buf, strlen(buf), &acc, &nacc, lookups);
	}
	return now() - t;
}

int main(int argc, char **argv)
{
	int n = argc == 3 ? atoi(argv[1]) : 0;
	bool own = argc == 3 && !strcmp(argv[2], "own");
	struct pal_pattern **pp = calloc(n > 0 ? (size_t)n : 1, sizeof(*pp));
	__u32 *lab = calloc(n > 0 ? (size_t)n : 1, sizeof(*lab));
	struct pal_auto_error ae;
	struct pal_auto *a;
	double t0, t1, t2, tr;
	size_t lookups = 0;

	if (n <= 0 || !pp || !lab) {
		fprintf(stderr, "usage: palbench_pattern N shared|own\n");
		return 2;
	}
	t0 = now();
	if (parse_all(pp, lab, n, own))
		return 1;
	t1 = now();
	if (pal_auto_build((const struct pal_pattern *const *)pp, lab, (size_t)n, 1, &a, &ae)) {
		printf("n=%d labels=%s refused: %s\n", n, own ? "own" : "shared", ae.why);
		return 0;
	}
	t2 = now();
	tr = run_paths(a, n, &lookups);
	printf("n=%d labels=%s parse=%.3fs build=%.3fs states=%zu entries=%zu run=%.3fs "
	       "lookups/path=%.1f\n",
	       n, own ? "own" : "shared", t1 - t0, t2 - t1, a->nstates, a->nedges, tr,
	       (double)lookups / RUNS);
	return 0;
}
