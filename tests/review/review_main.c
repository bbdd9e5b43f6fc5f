// SPDX-License-Identifier: GPL-2.0-only
/*
 * palisade-review: the `logs` and `suggest` verbs alone, linked with
 * pal_review as palisade is, so the review tests do not depend on the BPF
 * parts of the tree building.
 */
#include <stdio.h>
#include <string.h>

#include "review/verbs.h"

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "logs"))
		return cmd_logs(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "suggest"))
		return cmd_suggest(argc - 1, argv + 1);
	fprintf(stderr, "usage: palisade-review logs|suggest [OPTION]...\n");
	return RV_EXIT_USAGE;
}
