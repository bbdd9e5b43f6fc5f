// SPDX-License-Identifier: GPL-2.0-only
/*
 * agent/metrics.c built without PAL_HAVE_METRICS, as the static binary is:
 * the endpoint refuses to start with EOPNOTSUPP, rendering still works.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/metrics.h"

#ifdef PAL_HAVE_METRICS
#error "this test covers the build without libmicrohttpd"
#endif

int main(void)
{
	struct pal_metrics_snapshot *s = calloc(1, sizeof(*s));
	struct pal_metrics *m = NULL;
	int failed = 0, err;
	size_t len;
	char *out;

	err = pal_metrics_start(&m, "127.0.0.1:0", NULL, NULL);
	if (err != -EOPNOTSUPP) {
		printf("FAIL: start returned %d, want -EOPNOTSUPP\n", err);
		failed++;
	}
	pal_metrics_stop(m);
	s->generation = 7;
	err = pal_metrics_render(s, &out, &len);
	if (err || !strstr(out, "\npalisade_generation 7\n")) {
		printf("FAIL: render: %d\n", err);
		failed++;
	}
	if (!err)
		free(out);
	free(s);
	printf("%d passed, %d failed\n", 2 - failed, failed);
	return failed ? 1 : 0;
}
