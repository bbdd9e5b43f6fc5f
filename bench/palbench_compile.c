// SPDX-License-Identifier: GPL-2.0-only
/*
 * palbench_compile PATH...: what `palisade compile` does before it prints
 * (load every policy, emit the file map entries and the pattern automaton),
 * with file and exec patterns allowed (PAL_LOAD_PATTERNS), which the
 * command refuses until the kernel runs the automaton. Prints one line:
 * load and emit seconds, entries, automaton states and entries, or why the
 * set was refused. User space only; bench/compile-patterns.sh runs it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "policies/automaton.h"
#include "policies/emit.h"
#include "policies/policy.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void print_diag(const struct pal_diag *d, void *ctx)
{
	(void)ctx;
	if (d->severity == PAL_SEV_ERROR)
		pal_diag_print(stderr, d);
}

int main(int argc, char **argv)
{
	struct pal_load_opts lo = {.flags = PAL_LOAD_PATTERNS, .diag = print_diag};
	struct pal_file_emit fe = {0};
	struct pal_policy_set *set;
	double t0, t1, t2;
	int err;

	if (argc < 2) {
		fprintf(stderr, "usage: palbench_compile POLICY_FILE_OR_DIR...\n");
		return 2;
	}
	t0 = now();
	err = pal_policy_load(&set, (const char *const *)argv + 1, (size_t)argc - 1, &lo);
	if (err) {
		fprintf(stderr, "palbench_compile: load: %s\n", strerror(-err));
		return 1;
	}
	t1 = now();
	err = pal_emit_file(set, 0, 1, 0, &fe);
	t2 = now();
	if (err == -E2BIG)
		/* pal_emit_file does not say which bound: the map's or the automaton's */
		printf("load %.3f s, emit %.3f s, refused: over a bound of bpf/abi.h (%zu file "
		       "entries of at most %d, or the automaton's)\n",
		       t1 - t0, t2 - t1, fe.nentries, PAL_MAX_FILE_KEYS / PAL_GENS);
	else if (err)
		fprintf(stderr, "palbench_compile: emit: %s\n", strerror(-err));
	else
		printf("load %.3f s, emit %.3f s, entries %zu, labels %u, states %zu, "
		       "automaton entries %zu\n",
		       t1 - t0, t2 - t1, fe.nentries, fe.nlabels, fe.autom ? fe.autom->nstates : 0,
		       fe.autom ? fe.autom->nedges : 0);
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
	return err && err != -E2BIG;
}
