// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include "agent/palisade.h"

int cmd_check(int argc, char **argv)
{
	fprintf(stderr, "palisade check: not implemented yet\n");
	return PAL_EXIT_RUNTIME;
}

int cmd_compile(int argc, char **argv)
{
	fprintf(stderr, "palisade compile: not implemented yet\n");
	return PAL_EXIT_RUNTIME;
}
