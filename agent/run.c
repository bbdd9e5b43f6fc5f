// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include "agent/palisade.h"

int cmd_run(int argc, char **argv)
{
	fprintf(stderr, "palisade run: not implemented yet\n");
	return PAL_EXIT_RUNTIME;
}
