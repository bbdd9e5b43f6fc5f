// SPDX-License-Identifier: GPL-2.0-only
/*
 * palisade check: validate policy files.
 * palisade compile: show the map entries they compile to, with the rule
 * each came from and the effective decision (the "explain" view, printed
 * by policy_text.c or policy_json.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cleanup.h"
#include "agent/palisade.h"
#include "agent/policy_view.h"
#include "policies/policy.h"

struct popts {
	bool json;
	bool quiet;
	unsigned int flags; /* enum pal_load_flags */
	__u64 seed;
};

static void print_diag(const struct pal_diag *d, void *ctx)
{
	pal_diag_print(stderr, d);
}

static void check_usage(FILE *out)
{
	fprintf(out, "Usage: palisade check [OPTION]... FILE|DIR...\n"
		     "Validate policy files (directories: every *.yaml and *.yml in them).\n\n"
		     "  -q, --quiet    print only errors and warnings\n"
		     "      --no-host  do not look at rule paths on this host (no symlink,\n"
		     "                 hard link or missing-executable warnings)\n"
		     "  -h, --help     show this help\n\n"
		     "Diagnostics go to stderr as FILE:LINE:COL: error|warning: MESSAGE.\n"
		     "Exit status: 0 valid (warnings allowed), 1 errors or unreadable input.\n");
}

static void compile_usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade compile [OPTION]... FILE|DIR...\n"
		"Show the BPF map entries the policies compile to, the rule each came\n"
		"from (FILE:LINE) and the effective decision.\n\n"
		"      --json     print JSON instead of tables\n"
		"      --seed N   path hash seed (default 0, a fixed documented seed; the\n"
		"                 live agent uses a secret random seed, so its hashes differ)\n"
		"      --no-host  do not look at rule paths on this host (no identity keys,\n"
		"                 no host warnings): output independent of this machine\n"
		"  -h, --help     show this help\n\n"
		"Network and device rules are shown as rules, then as their map entries.\n"
		"Exit status: 0 ok, 1 policy errors or unreadable input, 2 runtime error.\n");
}

enum { OPT_JSON = 256, OPT_SEED, OPT_NO_HOST };

PAL_DEFINE_CLEANUP_FUNC(struct pal_policy_set *, pal_policy_set_free)

/* Returns -1 to go on, or an exit code. */
static int parse_opts(int argc, char **argv, struct popts *o, void (*usage)(FILE *))
{
	static const struct option lo[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"seed", required_argument, NULL, OPT_SEED},
		{"no-host", no_argument, NULL, OPT_NO_HOST},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_SEED:
			errno = 0;
			o->seed = strtoull(optarg, &end, 0);
			if (errno || !*optarg || *end) {
				fprintf(stderr, "palisade: invalid --seed '%s'\n", optarg);
				return PAL_EXIT_POLICY;
			}
			break;
		case OPT_NO_HOST:
			o->flags |= PAL_LOAD_NO_HOST;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return PAL_EXIT_OK;
		default:
			usage(stderr);
			return PAL_EXIT_POLICY;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "palisade: no policy file or directory given\n");
		usage(stderr);
		return PAL_EXIT_POLICY;
	}
	return -1;
}

/* Load; diagnostics go to stderr. Returns -1 on success or an exit code. */
static int load(int argc, char **argv, const struct popts *o, struct pal_policy_set **set)
{
	struct pal_load_opts lo = {.flags = o->flags, .diag = print_diag};
	int err = pal_policy_load(set, (const char *const *)argv + optind, (size_t)(argc - optind),
				  &lo);

	if (err == -ENOMEM) {
		fprintf(stderr, "palisade: out of memory\n");
		return PAL_EXIT_RUNTIME;
	}
	if (err) /* policy errors or unreadable input, already reported */
		return PAL_EXIT_POLICY;
	return -1;
}

int cmd_check(int argc, char **argv)
{
	_cleanup_(pal_policy_set_freep) struct pal_policy_set *set = NULL;
	struct popts o = {0};
	int rc = parse_opts(argc, argv, &o, check_usage);

	if (rc >= 0)
		return rc;
	rc = load(argc, argv, &o, &set);
	if (rc < 0 && !o.quiet)
		printf("palisade check: %u policies OK, %zu warnings\n", set->npolicies,
		       set->nwarnings);
	else if (rc == PAL_EXIT_POLICY && set)
		fprintf(stderr, "palisade check: %zu errors, %zu warnings\n", set->nerrors,
			set->nwarnings);
	return rc < 0 ? PAL_EXIT_OK : rc;
}

int cmd_compile(int argc, char **argv)
{
	_cleanup_(pal_policy_set_freep) struct pal_policy_set *set = NULL;
	_cleanup_(pal_file_emit_free) struct pal_file_emit fe = {0};
	struct popts o = {0};
	int rc = parse_opts(argc, argv, &o, compile_usage), err;

	if (rc >= 0)
		return rc;
	rc = load(argc, argv, &o, &set);
	if (rc >= 0)
		return rc;
	err = pal_emit_file(set, 0, o.seed, o.flags, &fe);
	if (err == -E2BIG) {
		if (fe.nexes > PAL_MAX_EXES / PAL_GENS)
			fprintf(stderr,
				"palisade compile: %zu 'from' executables, over PAL_MAX_EXES / "
				"PAL_GENS (%d)\n",
				fe.nexes, PAL_MAX_EXES / PAL_GENS);
		else
			fprintf(stderr,
				"palisade compile: %zu file map entries (identity keys included), "
				"over PAL_MAX_FILE_KEYS / PAL_GENS (%d)\n",
				fe.nentries, PAL_MAX_FILE_KEYS / PAL_GENS);
		return PAL_EXIT_POLICY;
	}
	if (err) {
		fprintf(stderr, "palisade compile: %s\n", strerror(-err));
		return PAL_EXIT_RUNTIME;
	}
	if (o.json)
		pal_view_json(set, &fe, o.seed);
	else
		pal_view_text(set, &fe, o.seed);
	return PAL_EXIT_OK;
}
