// SPDX-License-Identifier: GPL-2.0-only
/* The active LSMs of this host (no libbpf: palisade check reads it too). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "agent/probe.h"

int pal_probe_lsm_list(char *buf, size_t len)
{
	char copy[512];
	FILE *f = fopen("/sys/kernel/security/lsm", "re");
	bool found = false;

	buf[0] = 0;
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	snprintf(copy, sizeof(copy), "%s", buf);
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		found |= !strcmp(tok, "bpf");
	return found;
}
