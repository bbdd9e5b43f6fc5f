// SPDX-License-Identifier: GPL-2.0-only
/*
 * Globs of the review filters: text patterns of the one pattern language
 * (policies/pattern.h), so `logs --path` means what a rule path means.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/pattern.h"
#include "review/review.h"

struct rv_glob {
	struct pal_pattern *p;
};

int rv_glob_compile(const char *pattern, struct rv_glob **out, const char **why)
{
	static const char *too_long = "pattern too long";
	struct pal_pat_error e = {0};
	struct rv_glob *g;
	int err;

	*out = NULL;
	if (strlen(pattern) > RV_GLOB_MAX) {
		if (why)
			*why = too_long;
		return -E2BIG;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	err = pal_pattern_parse(pattern, strlen(pattern), 0, &g->p, &e);
	if (err) {
		if (why)
			*why = err == -ENOMEM ? "out of memory" : e.why;
		free(g);
		return err;
	}
	*out = g;
	return 0;
}

bool rv_glob_match_n(const struct rv_glob *g, const char *s, size_t len)
{
	return pal_pattern_match(g->p, s, len);
}

bool rv_glob_match(const struct rv_glob *g, const char *s)
{
	return rv_glob_match_n(g, s, strlen(s));
}

void rv_glob_free(struct rv_glob *g)
{
	if (!g)
		return;
	pal_pattern_free(g->p);
	free(g);
}
