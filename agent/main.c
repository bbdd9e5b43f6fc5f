// SPDX-License-Identifier: GPL-2.0-only
/* palisade: verb dispatch. */
#include <stdio.h>
#include <string.h>

#include "agent/palisade.h"
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
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "palisade: unknown verb '%s'\n", argv[1]);
	usage(stderr);
	return PAL_EXIT_POLICY;
}
