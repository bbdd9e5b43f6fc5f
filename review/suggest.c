// SPDX-License-Identifier: GPL-2.0-only
/*
 * `palisade suggest [FILE...]`: turn what a workload did, as seen in its
 * audit records, into an allow-list policy on stdout (see
 * review_suggest.c for the gathering and review_yaml.c for the YAML).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "review/review_suggest.h"
#include "review/verbs.h"

#define PROG "palisade suggest"
#define DEFAULT_COLLAPSE 5

struct suggest {
	struct rv_filter filter;
	struct rv_scan scan;
	struct rv_suggest sg;
	const char *name, *policy, *cgroup;
	const char *container, *pod, *ns; /* --container, --pod, --namespace */
	long collapse;
	bool include_denied;
	bool json; /* --json: the policy and its counts as one JSON object */
	bool interactive; /* --interactive: a question per file and exec entry */
	int64_t now;
	int err; /* first error from gathering */
	char name_buf[64];
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: palisade suggest [OPTION]... [FILE...]\n"
		"Write an allow-list policy (YAML, on stdout) from the audit records of a\n"
		"workload, typically one run under a `mode: audit` policy. Inputs as for\n"
		"'palisade logs' (rotated, .gz, '-' for stdin; default $PALISADE_LOG or\n" RV_DEFAULT_LOG
		").\n\n"
		"  --policy NAME      only records of this policy\n"
		"  --cgroup PATH      only records of this cgroup (a glob: '*' one level, '**'\n"
		"                     any depth); also the policy's target. Without it the\n"
		"                     target is the list of cgroups seen.\n"
		"  --container NAME   only records of containers of this name; the target is\n"
		"                     then target.containers (namespace, pod, container), not\n"
		"                     cgroups. '*' matches any run of characters.\n"
		"  --pod NAME, --namespace NAME   narrow --container (pods of a deployment\n"
		"                     differ: --pod 'web-7d4b9c-*'). Without --namespace, the\n"
		"                     namespaces seen in the records.\n"
		"  --since T, --until T   RFC 3339 time or a duration before now (30m, 1h, 2d)\n"
		"  --collapse N       write dirs: DIR when N or more entries of DIR were\n"
		"                     accessed (default %d; 0: never). '/' and top-level\n"
		"                     directories are never collapsed.\n"
		"  --name NAME        the policy name (default: POLICY-suggested)\n"
		"  --include-denied   learn from deny records too, not only audit records\n"
		"  --json             one JSON object: \"policy\" (the policy document, which\n"
		"                     'palisade check -' reads as it is), the counts and the\n"
		"                     skipped records beside it\n"
		"  --interactive      ask about each file and exec entry before writing it:\n"
		"                     allow, deny, audit, widen to its directory, skip, or\n"
		"                     finish (keep the rest as seen). Questions go to stderr,\n"
		"                     answers come from the terminal on stdin.\n\n"
		"Check the result with 'palisade check FILE' and review it before enforcing.\n",
		DEFAULT_COLLAPSE);
}

static void take(const struct rv_rec *r, void *ctx)
{
	struct suggest *s = ctx;
	int err;

	if (s->err || !rv_filter_match(&s->filter, r))
		return;
	err = rv_suggest_add(&s->sg, r);
	if (err)
		s->err = err;
}

enum {
	O_POLICY = 256,
	O_CGROUP,
	O_SINCE,
	O_UNTIL,
	O_COLLAPSE,
	O_NAME,
	O_DENIED,
	O_CONTAINER,
	O_POD,
	O_NAMESPACE,
	O_JSON,
	O_INTERACTIVE,
};

static const struct option options[] = {
	{"policy", required_argument, NULL, O_POLICY},
	{"cgroup", required_argument, NULL, O_CGROUP},
	{"since", required_argument, NULL, O_SINCE},
	{"until", required_argument, NULL, O_UNTIL},
	{"collapse", required_argument, NULL, O_COLLAPSE},
	{"name", required_argument, NULL, O_NAME},
	{"include-denied", no_argument, NULL, O_DENIED},
	{"container", required_argument, NULL, O_CONTAINER},
	{"pod", required_argument, NULL, O_POD},
	{"namespace", required_argument, NULL, O_NAMESPACE},
	{"json", no_argument, NULL, O_JSON},
	{"interactive", no_argument, NULL, O_INTERACTIVE},
	{"help", no_argument, NULL, 'h'},
	{0},
};

static int filter_opt(struct suggest *s, const char *name, const char *value)
{
	const char *why;
	int err = rv_filter_set(&s->filter, name, value, s->now, &why);

	if (err)
		fprintf(stderr, PROG ": --%s '%s': %s\n", name, value, why ? why : strerror(-err));
	return err;
}

/*
 * A container selector value is a name with '*' as its only wildcard; it
 * filters records as a glob whose '*' stops at '/', which names never hold.
 */
static int name_opt(struct suggest *s, const char *opt, const char *value, const char **dst)
{
	if (!*value || value[strcspn(value, "?\\/,")]) {
		fprintf(stderr,
			PROG ": --%s '%s': expected a name; '*' is the only wildcard (no '?', "
			     "'\\', '/' or ',')\n",
			opt, value);
		return -EINVAL;
	}
	for (const char *c = value; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			fprintf(stderr, PROG ": --%s: control characters in the name\n", opt);
			return -EINVAL;
		}
	}
	*dst = value;
	return filter_opt(s, opt, value);
}

static int one_opt(struct suggest *s, int c)
{
	char *end;

	switch (c) {
	case O_POLICY:
		s->policy = optarg;
		return filter_opt(s, "policy", optarg);
	case O_CGROUP:
		s->cgroup = optarg;
		return filter_opt(s, "cgroup", optarg);
	case O_SINCE:
		return filter_opt(s, "since", optarg);
	case O_UNTIL:
		return filter_opt(s, "until", optarg);
	case O_COLLAPSE:
		s->collapse = strtol(optarg, &end, 10);
		if (*optarg && !*end && s->collapse >= 0 && s->collapse <= 100000)
			return 0;
		fprintf(stderr, PROG ": --collapse: expected a number from 0 to 100000\n");
		return -EINVAL;
	case O_NAME:
		s->name = optarg;
		return 0;
	case O_DENIED:
		s->include_denied = true;
		return 0;
	case O_CONTAINER:
		return name_opt(s, "container", optarg, &s->container);
	case O_POD:
		return name_opt(s, "pod", optarg, &s->pod);
	case O_NAMESPACE:
		return name_opt(s, "namespace", optarg, &s->ns);
	case O_JSON:
		s->json = true;
		return 0;
	case O_INTERACTIVE:
		s->interactive = true;
		return 0;
	default:
		fprintf(stderr, "Try 'palisade suggest --help'.\n");
		return -EINVAL;
	}
}

/* "web" -> "web-suggested"; a name the language accepts, or an error. */
static int pick_name(struct suggest *s)
{
	if (!s->name && s->policy && strlen(s->policy) <= 53) {
		snprintf(s->name_buf, sizeof(s->name_buf), "%s-suggested", s->policy);
		s->name = s->name_buf;
	} else if (!s->name) {
		s->name = "suggested";
	}
	if (rv_suggest_name_ok(s->name))
		return 0;
	fprintf(stderr,
		PROG ": name '%s' is not a policy name ([a-z0-9-], 1 to 63 characters); "
		     "pick one with --name\n",
		s->name);
	return -EINVAL;
}

static int parse_opts(struct suggest *s, int argc, char **argv)
{
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		err = one_opt(s, c);
		if (err)
			return err;
	}
	if (s->cgroup && (s->container || s->pod || s->ns)) {
		fprintf(stderr,
			PROG ": the target is cgroups (--cgroup) or containers (--container, "
			     "--pod, --namespace), not both\n");
		return -EINVAL;
	}
	if (s->interactive && (s->json || !isatty(STDIN_FILENO))) {
		fprintf(stderr, PROG ": --interactive %s\n",
			s->json ? "writes YAML, not --json" :
				  "reads its answers from a terminal: standard input is not one");
		return -EINVAL;
	}
	for (int i = optind; s->interactive && i < argc; i++)
		if (!strcmp(argv[i], "-")) {
			fprintf(stderr, PROG ": --interactive reads answers from standard input, "
					     "so the records cannot come from it ('-')\n");
			return -EINVAL;
		}
	err = filter_opt(s, "action", s->include_denied ? "audit,deny" : "audit");
	return err ?: pick_name(s);
}

/* A path's directory, in place; false for a path right below '/' (never a rule). */
static bool widen(struct sg_entry *e)
{
	char *slash = strrchr(e->path, '/');

	if (!slash || slash == e->path)
		return false;
	*slash = 0;
	e->kind = SG_K_DIR;
	e->widened = true;
	return true;
}

/* --interactive: one question per entry (review_yaml.c calls it), answered on stdin. */
static int ask(struct sg_entry *e, bool exec, size_t i, size_t n, void *ctx)
{
	char line[64];

	(void)ctx;
	for (;;) {
		fprintf(stderr, "\n[%zu/%zu] %s %s%s, access", i + 1, n, exec ? "exec" : "file",
			e->path, e->kind == SG_K_DIR ? "/ and everything below" : "");
		for (unsigned int b = 0; b < SG_FILE_WORDS && !exec; b++)
			if (e->access & (1u << b))
				fprintf(stderr, " %s", sg_file_word(b));
		fprintf(stderr, ", seen %llu time%s\n  (a)llow (d)eny a(u)dit %s(s)kip (f)inish: ",
			(unsigned long long)e->count, e->count == 1 ? "" : "s",
			exec ? "" : "(w)iden to the directory ");
		if (!fgets(line, sizeof(line), stdin))
			return 1; /* end of input: the rest as seen */
		switch (line[0]) {
		case 'a':
			e->action = SG_ALLOW;
			return 0;
		case 'd':
			e->action = SG_DENY;
			return 0;
		case 'u':
			e->action = SG_AUDIT;
			return 0;
		case 's':
			e->action = SG_SKIP;
			return 0;
		case 'f':
			return 1;
		case 'w':
			if (!exec && widen(e))
				continue; /* and ask about the directory */
			fprintf(stderr, "  cannot widen: %s\n",
				exec ? "exec rules name executables" :
				       "'/' and what is right below it are never widened to");
			continue;
		default:
			fprintf(stderr, "  one of a, d, u, %ss or f\n", exec ? "" : "w, ");
		}
	}
}

static int setup(struct suggest *s)
{
	int err = rv_now(&s->now);

	if (err) {
		fprintf(stderr, PROG ": PALISADE_NOW is not an RFC 3339 time\n");
		return err;
	}
	rv_filter_init(&s->filter);
	s->collapse = DEFAULT_COLLAPSE;
	err = rv_scan_init(&s->scan, PROG, take, s);
	s->scan.quick = &s->filter;
	return err;
}

static void namespace_error(struct suggest *s, const struct rv_suggest_opts *o)
{
	const char *const *ns;
	const char *why;

	rv_suggest_namespaces(&s->sg, o, &ns, &why);
	fprintf(stderr, PROG ": %s\n", why); /* not the name itself: it may hold any byte */
}

/* A selector without a namespace selects containers of that name in every namespace. */
static void container_warning(struct suggest *s, const struct rv_suggest_opts *o)
{
	const char *const *ns;
	const char *why;

	if (rv_suggest_namespaces(&s->sg, o, &ns, &why))
		return;
	fprintf(stderr,
		PROG ": warning: the records name no namespace, so the selector names none: it "
		     "selects such containers in every namespace; add --namespace\n");
}

static int write_policy(struct suggest *s)
{
	const char *cg[1] = {s->cgroup};
	struct rv_suggest_opts o = {
		.name = s->name,
		.policy = s->policy,
		.source = s->include_denied ? "audit and deny" : "audit",
		.cgroups = s->cgroup ? cg : NULL,
		.ncgroups = s->cgroup ? 1 : 0,
		.container = s->container,
		.pod = s->pod,
		.ns = s->ns,
		.review = s->interactive ? ask : NULL,
	};
	struct rv_buf out = {0};
	int err = s->json ? rv_suggest_json(&s->sg, &o, &out) : rv_suggest_yaml(&s->sg, &o, &out);

	if (err == -ENODATA)
		fprintf(stderr, PROG ": no usable %s records matched; nothing to suggest\n",
			s->include_denied ? "audit or deny" : "audit");
	else if (err == -EDOM)
		namespace_error(s, &o);
	else if (err)
		fprintf(stderr, PROG ": %s\n", strerror(-err));
	else
		fwrite(out.p, 1, out.len, stdout);
	if (!err && rv_suggest_by_container(&o))
		container_warning(s, &o);
	else if (!err && !s->cgroup && !s->sg.ncgroups)
		fprintf(stderr,
			PROG ": warning: the records name no cgroup, so the policy has no "
			     "target and its 'default: deny' would cover every process on the "
			     "host; add --cgroup\n");
	rv_buf_free(&out);
	return err;
}

static int gather(struct suggest *s, int argc, char **argv)
{
	const char *def[1] = {rv_default_log()};
	const char **inputs = def;
	size_t n = 1;
	int status = 0;

	if (optind < argc) {
		inputs = (const char **)argv + optind;
		n = (size_t)(argc - optind);
		rv_sort_inputs(inputs, n);
	}
	for (size_t i = 0; i < n && !s->err; i++)
		if (rv_scan_file(&s->scan, inputs[i]))
			status = -EIO;
	rv_bad_report(&s->scan.bad, PROG);
	if (s->err == -E2BIG)
		fprintf(stderr, PROG ": too many distinct paths or destinations; narrow the input "
				     "with --cgroup, --policy or --since\n");
	return s->err ?: status;
}

int cmd_suggest(int argc, char **argv)
{
	struct suggest s = {0};
	int err = setup(&s), status;

	if (!err)
		err = parse_opts(&s, argc, argv);
	if (!err)
		err = rv_suggest_init(&s.sg, (unsigned int)s.collapse);
	if (err) {
		rv_scan_free(&s.scan);
		rv_filter_free(&s.filter);
		return err == 1 ? RV_EXIT_OK : err == -ENOMEM ? RV_EXIT_RUNTIME : RV_EXIT_USAGE;
	}
	err = gather(&s, argc, argv);
	status = err ? RV_EXIT_RUNTIME : RV_EXIT_OK;
	if (!err && write_policy(&s))
		status = RV_EXIT_USAGE;
	rv_suggest_free(&s.sg);
	rv_scan_free(&s.scan);
	rv_filter_free(&s.filter);
	return status;
}
