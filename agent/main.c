// SPDX-License-Identifier: GPL-2.0-only
/* palisade: verb dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/palisade.h"
#include "policies/policy_int.h"
#include "review/verbs.h"

/* The review verbs return the exit codes of palisade(8), like every other verb. */
_Static_assert((int)RV_EXIT_OK == PAL_EXIT_OK && (int)RV_EXIT_USAGE == PAL_EXIT_POLICY &&
		       (int)RV_EXIT_RUNTIME == PAL_EXIT_RUNTIME,
	       "review exit codes differ from palisade(8)");

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct verb verbs[] = {
	{"run", cmd_run, "run the agent: load policies, enforce, write the audit log"},
	{"check", cmd_check, "validate policy files"},
	{"compile", cmd_compile, "show the map entries policies compile to"},
	{"logs", cmd_logs, "filter, follow and summarise the audit log"},
	{"suggest", cmd_suggest, "write an allow-list policy from audit records"},
	{"status", cmd_status, "show the running agent's policies, hooks and counters"},
	{"reload", cmd_reload, "make the running agent reload its policies"},
	{"stop", cmd_stop, "stop the running agent"},
	{"doctor", cmd_doctor, "check whether this host can enforce policies, with hints"},
};

/*
 * palisade --list-options VERB: print every option VERB's parser accepts, one
 * a line, then exit. The binary is linked with --wrap=getopt_long, so the list
 * comes from the very table the verb parses with (the completion test
 * compares it with the shell completions, so they cannot drift).
 */
static bool list_options;

int __real_getopt_long(int argc, char *const argv[], const char *shortopts,
		       const struct option *longopts, int *longind);
int __wrap_getopt_long(int argc, char *const argv[], const char *shortopts,
		       const struct option *longopts, int *longind);

int __wrap_getopt_long(int argc, char *const argv[], const char *shortopts,
		       const struct option *longopts, int *longind)
{
	if (!list_options)
		return __real_getopt_long(argc, argv, shortopts, longopts, longind);
	for (const char *s = shortopts; *s; s++)
		if (*s != ':' && *s != '+' && *s != '-')
			printf("-%c\n", *s);
	for (const struct option *o = longopts; o && o->name; o++)
		printf("--%s%s\n", o->name, o->has_arg == required_argument ? "=" : "");
	exit(PAL_EXIT_OK);
}

static const struct verb *find_verb(const char *name);

static int cmd_list_options(int argc, char **argv)
{
	const struct verb *v = argc == 3 ? find_verb(argv[2]) : NULL;
	char *args[] = {argv[2], NULL};

	if (!v) {
		fprintf(stderr, "Usage: palisade --list-options VERB\n");
		return PAL_EXIT_POLICY;
	}
	list_options = true;
	v->fn(1, args);
	return PAL_EXIT_RUNTIME; /* the verb never parsed options */
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(name, verbs[i].name))
			return &verbs[i];
	return NULL;
}

static void unknown_verb(const char *name)
{
	const char *names[sizeof(verbs) / sizeof(verbs[0])];
	const char *near;

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		names[i] = verbs[i].name;
	near = pal_closest(name, strlen(name), names, sizeof(names) / sizeof(names[0]));
	fprintf(stderr, "palisade: unknown verb '%s'\n", name);
	if (near)
		fprintf(stderr, "Hint: did you mean '%s'?\n", near);
	fprintf(stderr, "Run 'palisade --help' for the list of verbs.\n");
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: palisade VERB [OPTION]...\n\nVerbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].help);
	fprintf(out, "\nRun 'palisade VERB --help' for a verb's options.\n"
		     "Exit status: 0 ok, 1 policy or usage error, 2 runtime error,\n"
		     "77 the kernel lacks a needed feature.\n");
}

int main(int argc, char **argv)
{
	const struct verb *v;

	if (argc < 2) {
		usage(stderr);
		return PAL_EXIT_POLICY;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return PAL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("palisade %s\n"
		       "Copyright (C) 2026 The Palisade authors.\n"
		       "License GPLv2: GNU GPL version 2 <https://gnu.org/licenses/gpl-2.0.html>.\n"
		       "This is free software: you are free to change and redistribute it.\n"
		       "There is NO WARRANTY, to the extent permitted by law.\n",
		       PAL_VERSION);
		return PAL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--list-options"))
		return cmd_list_options(argc, argv);
	v = find_verb(argv[1]);
	if (v)
		return v->fn(argc - 1, argv + 1);
	unknown_verb(argv[1]);
	return PAL_EXIT_POLICY;
}
