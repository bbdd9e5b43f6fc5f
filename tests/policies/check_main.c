// SPDX-License-Identifier: GPL-2.0-only
/*
 * The policy verbs alone, built without sanitizers so valgrind can run
 * `check` in sanitizer (Debug) builds, where the palisade binary itself
 * carries ASan and cannot run under valgrind.
 */
#include <stdio.h>
#include <string.h>

#include "agent/palisade.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "compile"))
		return cmd_compile(argc - 1, argv + 1);
	fprintf(stderr, "usage: %s check|compile ...\n", argv[0]);
	return PAL_EXIT_POLICY;
}
