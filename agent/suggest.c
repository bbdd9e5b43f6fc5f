// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include "agent/palisade.h"

int cmd_suggest(int argc, char **argv)
{
	fprintf(stderr, "palisade suggest: not implemented yet\n");
	return PAL_EXIT_RUNTIME;
}
