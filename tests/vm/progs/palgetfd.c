// SPDX-License-Identifier: GPL-2.0-only
/*
 * palgetfd PID FD EXPECTED: pidfd_getfd(2) of fd FD of process PID; exit 0
 * only if the result is EXPECTED (OK, EPERM, or an errno number).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int main(int argc, char **argv)
{
	int pidfd, fd, got, want;

	if (argc != 4) {
		fprintf(stderr, "usage: palgetfd PID FD OK|EPERM|ERRNO\n");
		return 2;
	}
	want = !strcmp(argv[3], "OK") ? 0 : !strcmp(argv[3], "EPERM") ? EPERM : atoi(argv[3]);
	pidfd = syscall(SYS_pidfd_open, atoi(argv[1]), 0);
	if (pidfd < 0) {
		perror("palgetfd: pidfd_open");
		return 1;
	}
	fd = syscall(SYS_pidfd_getfd, pidfd, atoi(argv[2]), 0);
	got = fd < 0 ? errno : 0;
	printf("palgetfd: fd %s of %s: %s (expected %s)\n", argv[2], argv[1],
	       got ? strerror(got) : "OK", want ? strerror(want) : "OK");
	return got == want ? 0 : 1;
}
