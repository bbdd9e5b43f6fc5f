// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the control socket's request parser: any bytes in,
 * a verb out only when the first line is exactly that verb (no NUL, no
 * prefix, no trailing byte before the line end); never a read past the
 * bytes given (libFuzzer's buffer has exactly that size, ASan watches).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/control.h"

/* The same rule, said another way: the line is everything before the first \r or \n. */
static enum pal_control_req oracle(const uint8_t *d, size_t n)
{
	const uint8_t *cr = memchr(d, '\r', n), *lf = memchr(d, '\n', n);
	size_t line = n;

	if (cr && (size_t)(cr - d) < line)
		line = cr - d;
	if (lf && (size_t)(lf - d) < line)
		line = lf - d;
	if (line == 6 && !memcmp(d, "status", 6))
		return PAL_REQ_STATUS;
	if (line == 6 && !memcmp(d, "reload", 6))
		return PAL_REQ_RELOAD;
	if (line == 4 && !memcmp(d, "stop", 4))
		return PAL_REQ_STOP;
	return PAL_REQ_UNKNOWN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (pal_control_parse((const char *)data, size) != oracle(data, size))
		abort();
	return 0;
}
