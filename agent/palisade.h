/* SPDX-License-Identifier: GPL-2.0-only */
/* Verbs of the palisade binary. Each returns the process exit code. */
#ifndef PALISADE_AGENT_PALISADE_H
#define PALISADE_AGENT_PALISADE_H

/* Exit codes (documented in palisade(8)). */
enum {
	PAL_EXIT_OK = 0,
	PAL_EXIT_POLICY = 1, /* policy or usage error */
	PAL_EXIT_RUNTIME = 2, /* runtime error */
	PAL_EXIT_UNSUPPORTED = 77, /* the kernel cannot do what was asked */
};

int cmd_run(int argc, char **argv); /* run.c */
int cmd_check(int argc, char **argv); /* cmd_policy.c */
int cmd_compile(int argc, char **argv); /* cmd_policy.c */
int cmd_status(int argc, char **argv); /* control.c */
int cmd_reload(int argc, char **argv); /* control.c */
int cmd_stop(int argc, char **argv); /* control.c */
int cmd_doctor(int argc, char **argv); /* doctor.c */
/* logs and suggest are the review tool's: review/verbs.h */

#endif
