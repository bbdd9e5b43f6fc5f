// SPDX-License-Identifier: GPL-2.0-only
/* The control socket's request line (agent/control.h), apart for the fuzzer. */
#include <string.h>

#include "agent/control.h"

static const char *const verbs[] = {
	[PAL_REQ_STATUS] = "status",
	[PAL_REQ_RELOAD] = "reload",
	[PAL_REQ_STOP] = "stop",
};

enum pal_control_req pal_control_parse(const char *buf, size_t n)
{
	size_t len = 0;

	while (len < n && buf[len] != '\r' && buf[len] != '\n')
		len++;
	for (size_t v = PAL_REQ_STATUS; v <= PAL_REQ_STOP; v++)
		if (len == strlen(verbs[v]) && !memcmp(buf, verbs[v], len))
			return (enum pal_control_req)v;
	return PAL_REQ_UNKNOWN;
}
