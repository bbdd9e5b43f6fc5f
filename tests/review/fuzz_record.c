// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the log reader's hot path: one line's bytes through
 * the raw-line prefilter and the record parser, then the exact filter. It
 * aborts where the two filters disagree on a record the exact one keeps,
 * or where a bad line would be hidden instead of counted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "review/review.h"

static struct rv_filter filters[3];
static struct rv_parser *parser;

static void setup(void)
{
	static const char *const opts[][2] = {
		{"action", "deny"}, {"path", "/etc/**"}, {"uid", "0,33"},
		{"policy", "web"},  {"exe", "**/nginx"}, {"since", "2026-11-22T10:00:00Z"},
	};
	const char *err;

	for (size_t i = 0; i < 3; i++) {
		rv_filter_init(&filters[i]);
		if (rv_filter_set(&filters[i], opts[2 * i][0], opts[2 * i][1], 0, &err) ||
		    rv_filter_set(&filters[i], opts[2 * i + 1][0], opts[2 * i + 1][1], 0, &err))
			abort();
	}
	if (rv_parser_new(&parser))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data;
	struct rv_rec r;
	enum rv_bad why;
	bool ok;

	if (!parser)
		setup();
	if (memchr(data, '\n', size))
		return 0; /* the reader cuts lines at newlines */
	ok = !rv_rec_parse(parser, line, size, false, &r, &why);
	for (size_t i = 0; i < 3; i++) {
		bool quick = rv_filter_quick(&filters[i], line, size, false);

		if (ok && rv_filter_match(&filters[i], &r) && !quick)
			abort(); /* the prefilter refused a matching record */
		if (!ok && why != RV_BAD_JSON && !quick)
			abort(); /* a bad record must reach the parser to be counted */
	}
	return 0;
}
