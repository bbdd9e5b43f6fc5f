/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry points of the review tool: the `logs` and `suggest` verbs, called by
 * the palisade dispatcher (agent/main.c) and by the test-only palisade-review.
 * Each returns the process exit code.
 */
#ifndef PALISADE_REVIEW_VERBS_H
#define PALISADE_REVIEW_VERBS_H

/* The exit codes palisade(8) documents; agent/main.c checks that they agree. */
enum {
	RV_EXIT_OK = 0,
	RV_EXIT_USAGE = 1, /* usage error, or no policy could be written */
	RV_EXIT_RUNTIME = 2, /* runtime error: unreadable input, out of memory */
};

int cmd_logs(int argc, char **argv); /* logs.c */
int cmd_suggest(int argc, char **argv); /* suggest.c */

#endif
