/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the review unit tests (include after cmocka.h). */
#ifndef PALISADE_TESTS_REVIEW_TEST_H
#define PALISADE_TESTS_REVIEW_TEST_H

#include "review/review.h"

static inline struct rv_parser *new_parser(void)
{
	struct rv_parser *p = NULL;

	assert_int_equal(rv_parser_new(&p), 0);
	return p;
}

#endif
