// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include "agent/palisade.h"

int cmd_logs(int argc, char **argv)
{
	fprintf(stderr, "palisade logs: not implemented yet\n");
	return PAL_EXIT_RUNTIME;
}
