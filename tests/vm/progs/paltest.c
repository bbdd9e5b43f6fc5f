// SPDX-License-Identifier: GPL-2.0-only
/*
 * paltest: multi-call helper for the VM test cases. Each subcommand performs
 * one operation, prints what happened, and exits 0 only if the outcome is the
 * one the case expected. Exit status: 0 as expected, 1 not as expected,
 * 2 usage error.
 *
 * EXPECTED is an errno, by name (EACCES) or number (13); 0 or OK means the
 * operation must succeed.
 *
 * To add a subcommand: write cmd_NAME() and add it to cmds[].
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_MATCH 0
#define EXIT_MISMATCH 1
#define EXIT_USAGE 2

struct errno_name {
	const char *name;
	int err;
};

/* The errnos the cases talk about; anything else can be given as a number. */
static const struct errno_name errno_names[] = {
	{"OK", 0},
	{"EPERM", EPERM},
	{"ENOENT", ENOENT},
	{"EBADF", EBADF},
	{"EAGAIN", EAGAIN},
	{"EACCES", EACCES},
	{"EBUSY", EBUSY},
	{"EEXIST", EEXIST},
	{"EXDEV", EXDEV},
	{"ENOTDIR", ENOTDIR},
	{"EISDIR", EISDIR},
	{"EINVAL", EINVAL},
	{"EROFS", EROFS},
	{"ENAMETOOLONG", ENAMETOOLONG},
	{"ELOOP", ELOOP},
	{"EOPNOTSUPP", EOPNOTSUPP},
	{"ECONNREFUSED", ECONNREFUSED},
	{"ETIMEDOUT", ETIMEDOUT},
	{"EADDRINUSE", EADDRINUSE},
	{"ENETUNREACH", ENETUNREACH},
};

#define N_ERRNO_NAMES (sizeof(errno_names) / sizeof(errno_names[0]))

static const char *errno_str(int err)
{
	for (size_t i = 0; i < N_ERRNO_NAMES; i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "E?";
}

/* Returns 0 and sets *err, or -EINVAL if S is neither a known name nor a number. */
static int parse_errno(const char *s, int *err)
{
	char *end;
	long v;

	for (size_t i = 0; i < N_ERRNO_NAMES; i++) {
		if (!strcmp(s, errno_names[i].name)) {
			*err = errno_names[i].err;
			return 0;
		}
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 4095)
		return -EINVAL;
	*err = (int)v;
	return 0;
}

/* Compare an outcome (0 or a positive errno) with the expected one and say so. */
static int expect(const char *what, int got, int want)
{
	const char *verdict = got == want ? "as expected" : "NOT as expected";

	printf("paltest: %s: got %s (%s), expected %s: %s\n", what, errno_str(got),
	       got ? strerror(got) : "success", errno_str(want), verdict);
	return got == want ? EXIT_MATCH : EXIT_MISMATCH;
}

/* open PATH EXPECTED [r|w|rw]: open(2) PATH read-only (default) or for writing. */
static int cmd_open(int argc, char **argv)
{
	int flags = O_RDONLY, want, fd, got = 0;
	char what[4200];

	if (argc < 3 || argc > 4)
		return -EINVAL;
	if (parse_errno(argv[2], &want))
		return -EINVAL;
	if (argc == 4) {
		if (!strcmp(argv[3], "w"))
			flags = O_WRONLY;
		else if (!strcmp(argv[3], "rw"))
			flags = O_RDWR;
		else if (strcmp(argv[3], "r"))
			return -EINVAL;
	}
	fd = open(argv[1], flags | O_CLOEXEC);
	if (fd < 0)
		got = errno;
	else
		close(fd);
	snprintf(what, sizeof(what), "open '%s' (%s)", argv[1], argc == 4 ? argv[3] : "r");
	return expect(what, got, want);
}

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the subcommand; -EINVAL = usage */
	const char *usage;
};

static const struct cmd cmds[] = {
	{"open", cmd_open, "open PATH EXPECTED [r|w|rw]"},
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *out)
{
	fprintf(out, "Usage: paltest SUBCOMMAND ARGS...\n");
	for (size_t i = 0; i < N_CMDS; i++)
		fprintf(out, "  paltest %s\n", cmds[i].usage);
	fprintf(out, "EXPECTED: an errno name (EACCES) or number, 0 or OK for success.\n"
		     "Exit status: 0 as expected, 1 not as expected, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	int r;

	/* Line-buffer so output interleaves sanely with the case script's own. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_MATCH;
	}
	for (size_t i = 0; i < N_CMDS; i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		r = cmds[i].fn(argc - 1, argv + 1);
		if (r == -EINVAL) {
			fprintf(stderr, "paltest: usage: paltest %s\n", cmds[i].usage);
			return EXIT_USAGE;
		}
		return r;
	}
	fprintf(stderr, "paltest: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
