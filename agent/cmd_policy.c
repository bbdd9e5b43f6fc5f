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

#include <json-c/json.h>

#include "agent/cleanup.h"
#include "agent/probe.h"
#include "agent/palisade.h"
#include "agent/policy_view.h"
#include "policies/explain.h"
#include "policies/policy.h"

struct popts {
	bool json;
	bool sarif; /* check --sarif: the diagnostics as SARIF 2.1.0 */
	bool quiet;
	unsigned int flags; /* enum pal_load_flags */
	__u64 seed;
	const char *explain, *cgroup, *exe; /* compile --explain PATH [--cgroup CG] [--exe EXE] */
	json_object *diags; /* check --json: the diagnostics, in order */
};

#define STDIN_MAX (16u << 20) /* one policy stream on stdin; larger is an error */

static void print_diag(const struct pal_diag *d, void *ctx)
{
	struct popts *o = ctx;
	json_object *j;

	if (!o->diags) {
		pal_diag_print(stderr, d);
		return;
	}
	j = json_object_new_object();
	if (!j)
		return;
	json_object_object_add(j, "file", json_object_new_string(d->file ? d->file : ""));
	json_object_object_add(j, "line", json_object_new_int((int)d->line));
	json_object_object_add(j, "column", json_object_new_int((int)d->col));
	json_object_object_add(
		j, "severity",
		json_object_new_string(d->severity == PAL_SEV_ERROR ? "error" : "warning"));
	json_object_object_add(j, "message", json_object_new_string(d->message));
	json_object_array_add(o->diags, j);
}

static void check_usage(FILE *out)
{
	fprintf(out, "Usage: palisade check [OPTION]... FILE|DIR|-...\n"
		     "Validate policy files (directories: every *.yaml and *.yml in them;\n"
		     "'-': standard input).\n\n"
		     "  -q, --quiet    print only errors and warnings\n"
		     "      --json     print one JSON object: ok, counts and diagnostics\n"
		     "      --sarif    print the diagnostics as a SARIF 2.1.0 log (code scanning)\n"
		     "      --no-host  do not look at rule paths on this host (no symlink,\n"
		     "                 hard link or missing-executable warnings)\n"
		     "  -h, --help     show this help\n\n"
		     "Diagnostics go to stderr as FILE:LINE:COL: error|warning: MESSAGE.\n"
		     "Exit status: 0 valid (warnings allowed), 1 errors or unreadable input.\n");
}

static void compile_usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade compile [OPTION]... FILE|DIR|-...\n"
		"Show the BPF map entries the policies compile to, the rule each came\n"
		"from (FILE:LINE) and the effective decision ('-': standard input).\n\n"
		"      --json     print JSON instead of tables\n"
		"      --seed N   path hash seed (default 0, a fixed documented seed; the\n"
		"                 live agent uses a secret random seed, so its hashes differ)\n"
		"      --no-host  do not look at rule paths on this host (no identity keys,\n"
		"                 no host warnings): output independent of this machine\n"
		"      --explain PATH  show instead which rules decide PATH, and why\n"
		"      --cgroup CG     with --explain: for a process of cgroup CG\n"
		"      --exe EXE       with --explain: for a process running EXE\n"
		"  -h, --help     show this help\n\n"
		"Network and device rules are shown as rules, then as their map entries.\n"
		"Exit status: 0 ok, 1 policy errors or unreadable input, 2 runtime error.\n");
}

enum { OPT_JSON = 256, OPT_SEED, OPT_NO_HOST, OPT_SARIF, OPT_EXPLAIN, OPT_CGROUP, OPT_EXE };

/* Each verb accepts only the options its help lists. */
static const struct option check_lo[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"sarif", no_argument, NULL, OPT_SARIF},
	{"no-host", no_argument, NULL, OPT_NO_HOST},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{0},
};

static const struct option compile_lo[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"seed", required_argument, NULL, OPT_SEED},
	{"no-host", no_argument, NULL, OPT_NO_HOST},
	{"explain", required_argument, NULL, OPT_EXPLAIN},
	{"cgroup", required_argument, NULL, OPT_CGROUP},
	{"exe", required_argument, NULL, OPT_EXE},
	{"help", no_argument, NULL, 'h'},
	{0},
};

PAL_DEFINE_CLEANUP_FUNC(struct pal_policy_set *, pal_policy_set_free)

static int parse_seed(struct popts *o, const char *arg)
{
	char *end;

	errno = 0;
	o->seed = strtoull(arg, &end, 0);
	if (errno || !*arg || *end) {
		fprintf(stderr, "palisade: invalid --seed '%s'\n", arg);
		return PAL_EXIT_POLICY;
	}
	return -1;
}

/* Returns -1 to go on, or an exit code. */
static int parse_opts(int argc, char **argv, struct popts *o, bool check)
{
	void (*usage)(FILE *) = check ? check_usage : compile_usage;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, check ? "qh" : "h", check ? check_lo : compile_lo,
				NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_SARIF:
			o->sarif = true;
			break;
		case OPT_SEED:
			rc = parse_seed(o, optarg);
			if (rc >= 0)
				return rc;
			break;
		case OPT_NO_HOST:
			o->flags |= PAL_LOAD_NO_HOST;
			break;
		case OPT_EXPLAIN:
			o->explain = optarg;
			break;
		case OPT_CGROUP:
			o->cgroup = optarg;
			break;
		case OPT_EXE:
			o->exe = optarg;
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

/* Policy text from standard input, named "<stdin>" in diagnostics. */
static int add_stdin(struct pal_policy_set *set)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0, n;

	do {
		if (cap - len < 4096) {
			char *nb;

			if (cap >= STDIN_MAX)
				return -EFBIG;
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, stdin);
		len += n;
	} while (n > 0);
	if (ferror(stdin))
		return -EIO;
	return pal_policy_add_buffer(set, "<stdin>", buf, len);
}

/* As pal_policy_load, with '-' meaning standard input. */
static int load_paths(struct pal_policy_set **out, char **paths, size_t n,
		      const struct pal_load_opts *lo)
{
	struct pal_policy_set *set = pal_policy_set_new(lo);
	int first = 0;

	*out = NULL;
	if (!set)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int err =
			strcmp(paths[i], "-") ? pal_policy_add_path(set, paths[i]) : add_stdin(set);

		if (err && (!first || first == -EINVAL))
			first = err;
		if (err == -ENOMEM)
			break;
	}
	if (first && first != -EINVAL && first != -EFBIG) {
		pal_policy_set_free(set);
		return first;
	}
	*out = set;
	return first;
}

/* Load; diagnostics go to stderr. Returns -1 on success or an exit code. */
static int load(int argc, char **argv, struct popts *o, struct pal_policy_set **set)
{
	struct pal_load_opts lo = {.flags = o->flags, .diag = print_diag, .ctx = o};
	int err = load_paths(set, argv + optind, (size_t)(argc - optind), &lo);

	if (err == -ENOMEM) {
		fprintf(stderr, "palisade: out of memory\n");
		return PAL_EXIT_RUNTIME;
	}
	if (err == -EFBIG)
		fprintf(stderr, "palisade: standard input is over %u bytes\n", STDIN_MAX);
	if (err) /* policy errors or unreadable input, already reported */
		return PAL_EXIT_POLICY;
	return -1;
}

/* check --json: one object on stdout, whatever the outcome. */
static void check_json(const struct popts *o, const struct pal_policy_set *set, int rc)
{
	json_object *j = json_object_new_object();

	if (!j)
		return;
	json_object_object_add(j, "ok", json_object_new_boolean(rc < 0));
	json_object_object_add(j, "policies", json_object_new_int(set ? (int)set->npolicies : 0));
	json_object_object_add(j, "errors", json_object_new_int(set ? (int)set->nerrors : 1));
	json_object_object_add(j, "warnings", json_object_new_int(set ? (int)set->nwarnings : 0));
	json_object_object_add(j, "diagnostics", json_object_get(o->diags));
	puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
}

static json_object *jobj(const char *key, json_object *val)
{
	json_object *j = json_object_new_object();

	if (j)
		json_object_object_add(j, key, val);
	return j;
}

/* One SARIF result of a check --json diagnostic (file, line, column, severity, message). */
static json_object *sarif_result(json_object *d)
{
	json_object *res = json_object_new_object(), *loc, *locs, *region, *v;
	int line = 0, col = 0;

	if (!res)
		return NULL;
	json_object_object_get_ex(d, "severity", &v);
	json_object_object_add(res, "ruleId",
			       json_object_new_string(strcmp(json_object_get_string(v), "error") ?
							      "policy-warning" :
							      "policy-error"));
	json_object_object_add(res, "level", json_object_get(v));
	json_object_object_get_ex(d, "message", &v);
	json_object_object_add(res, "message", jobj("text", json_object_get(v)));
	json_object_object_get_ex(d, "file", &v);
	loc = jobj("artifactLocation", jobj("uri", json_object_get(v)));
	if (json_object_object_get_ex(d, "line", &v))
		line = json_object_get_int(v);
	if (json_object_object_get_ex(d, "column", &v))
		col = json_object_get_int(v);
	if (loc && line > 0) { /* SARIF lines and columns count from 1 */
		region = jobj("startLine", json_object_new_int(line));
		if (region && col > 0)
			json_object_object_add(region, "startColumn", json_object_new_int(col));
		json_object_object_add(loc, "region", region);
	}
	locs = json_object_new_array();
	if (locs)
		json_object_array_add(locs, jobj("physicalLocation", loc));
	json_object_object_add(res, "locations", locs);
	return res;
}

static json_object *sarif_rule(const char *id, const char *text)
{
	json_object *r = jobj("id", json_object_new_string(id));

	if (r)
		json_object_object_add(r, "shortDescription",
				       jobj("text", json_object_new_string(text)));
	return r;
}

/* check --sarif: a SARIF 2.1.0 log with one run, whatever the outcome. */
static void check_sarif(const struct popts *o)
{
	json_object *log = json_object_new_object(), *run = json_object_new_object();
	json_object *driver = json_object_new_object(), *rules = json_object_new_array();
	json_object *results = json_object_new_array(), *runs = json_object_new_array();

	if (!log || !run || !driver || !rules || !results || !runs) {
		fprintf(stderr, "palisade: out of memory\n");
		return;
	}
	json_object_object_add(driver, "name", json_object_new_string("palisade"));
	json_object_object_add(driver, "version", json_object_new_string(PAL_VERSION));
	json_object_array_add(rules, sarif_rule("policy-error", "Palisade policy error"));
	json_object_array_add(rules, sarif_rule("policy-warning", "Palisade policy warning"));
	json_object_object_add(driver, "rules", rules);
	json_object_object_add(run, "tool", jobj("driver", driver));
	for (size_t i = 0; i < json_object_array_length(o->diags); i++)
		json_object_array_add(results,
				      sarif_result(json_object_array_get_idx(o->diags, i)));
	json_object_object_add(run, "results", results);
	json_object_array_add(runs, run);
	json_object_object_add(
		log, "$schema",
		json_object_new_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_object_add(log, "version", json_object_new_string("2.1.0"));
	json_object_object_add(log, "runs", runs);
	puts(json_object_to_json_string_ext(log, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(log);
}

/*
 * Network rules need BPF LSM for what cgroup programs cannot see. On a host
 * without it, say what is then not mediated (a note, not a policy warning:
 * the policy is right, the host is not).
 */
static void note_host_lsm(const struct popts *o, const struct pal_policy_set *set)
{
	char lsms[512];
	__u32 n = 0;

	if ((o->flags & PAL_LOAD_NO_HOST) || o->quiet || o->json || o->sarif)
		return;
	for (__u32 i = 0; i < set->npolicies; i++)
		n += set->policies[i].nnet;
	if (!n || pal_probe_lsm_list(lsms, sizeof(lsms)) == 1)
		return;
	fprintf(stderr,
		"palisade check: note: %u network rules: without BPF LSM on this host, cgroup "
		"programs enforce TCP and UDP, but ICMP, raw, SCTP and DCCP sends and connects, "
		"listen() without bind() and sockets passed in from another cgroup are not "
		"mediated (palisade doctor says more)\n",
		n);
}

int cmd_check(int argc, char **argv)
{
	_cleanup_(pal_policy_set_freep) struct pal_policy_set *set = NULL;
	struct popts o = {0};
	int rc = parse_opts(argc, argv, &o, true);

	if (rc >= 0)
		return rc;
	if (o.json && o.sarif) {
		fprintf(stderr, "palisade check: --json and --sarif are two output formats; "
				"choose one\n");
		return PAL_EXIT_POLICY;
	}
	if ((o.json || o.sarif) && !(o.diags = json_object_new_array())) {
		fprintf(stderr, "palisade: out of memory\n");
		return PAL_EXIT_RUNTIME;
	}
	rc = load(argc, argv, &o, &set);
	if (o.json)
		check_json(&o, set, rc);
	else if (o.sarif)
		check_sarif(&o);
	else if (rc < 0 && !o.quiet)
		printf("palisade check: %u policies OK, %zu warnings\n", set->npolicies,
		       set->nwarnings);
	if (rc < 0)
		note_host_lsm(&o, set);
	else if (rc == PAL_EXIT_POLICY && set)
		fprintf(stderr, "palisade check: %zu errors, %zu warnings\n", set->nerrors,
			set->nwarnings);
	json_object_put(o.diags);
	return rc < 0 ? PAL_EXIT_OK : rc;
}

/* A canonical copy of an --explain argument into buf, or NULL (reported). */
static const char *canon_arg(const char *opt, const char *arg, char *buf)
{
	const char *why;
	__u32 depth;

	if (!arg)
		return NULL;
	if (strlen(arg) < PAL_PATH_MAX && !pal_path_canon(arg, strlen(arg), buf, &depth, &why))
		return buf;
	fprintf(stderr, "palisade compile: invalid %s '%s': %s\n", opt, arg,
		strlen(arg) < PAL_PATH_MAX ? why : "too long");
	return NULL;
}

/* compile --explain: the rules that decide one path, per policy. */
static int explain(const struct popts *o, const struct pal_policy_set *set)
{
	static char pb[PAL_PATH_MAX + 2], cb[PAL_PATH_MAX + 2], eb[PAL_PATH_MAX + 2];
	struct pal_explain_query q = {canon_arg("--explain", o->explain, pb),
				      canon_arg("--cgroup", o->cgroup, cb),
				      canon_arg("--exe", o->exe, eb)};

	if (!q.path || (o->cgroup && !q.cgroup) || (o->exe && !q.exe))
		return PAL_EXIT_POLICY;
	if (pal_explain(stdout, set, &q) < 0) {
		fprintf(stderr, "palisade compile: --explain: out of memory\n");
		return PAL_EXIT_RUNTIME;
	}
	return PAL_EXIT_OK;
}

int cmd_compile(int argc, char **argv)
{
	_cleanup_(pal_policy_set_freep) struct pal_policy_set *set = NULL;
	_cleanup_(pal_file_emit_free) struct pal_file_emit fe = {0};
	struct popts o = {0};
	int rc = parse_opts(argc, argv, &o, false), err;

	if (rc >= 0)
		return rc;
	rc = load(argc, argv, &o, &set);
	if (rc >= 0)
		return rc;
	if (o.explain || o.cgroup || o.exe) {
		if (!o.explain) {
			fprintf(stderr, "palisade compile: --cgroup and --exe go with --explain\n");
			return PAL_EXIT_POLICY;
		}
		return explain(&o, set);
	}
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
