// SPDX-License-Identifier: GPL-2.0-only
/*
 * The --syslog sink as the agent opens it: each stdin line is one audit
 * record; a line that holds "action":"deny" is sent as a denial with the
 * summary given as argv[1].
 */
#include <stdio.h>
#include <string.h>

#include "agent/sink.h"

int main(int argc, char **argv)
{
	struct pal_sink *s;
	char line[65536];

	if (argc != 2 || pal_sink_open(&s, &(struct pal_sink_opts){.syslog = true}))
		return 2;
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strcspn(line, "\n");
		bool deny = strstr(line, "\"action\":\"deny\"");

		pal_sink_write(s, line, n, deny, deny ? argv[1] : NULL);
	}
	pal_sink_close(s);
	return 0;
}
