// SPDX-License-Identifier: GPL-2.0-only
/*
 * palsock FAMILY TYPE PROTOCOL EXPECTED: socket(2), exit 0 only if the result
 * is EXPECTED (OK, EPERM, EACCES). Numbers, or the names packet, netlink,
 * unix, inet, inet6 / raw, dgram, stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

static int num(const char *s)
{
	static const struct {
		const char *name;
		int v;
	} names[] = {
		{"unix", AF_UNIX},	 {"inet", AF_INET},	{"inet6", AF_INET6},
		{"netlink", AF_NETLINK}, {"packet", AF_PACKET}, {"stream", SOCK_STREAM},
		{"dgram", SOCK_DGRAM},	 {"raw", SOCK_RAW},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].v;
	return atoi(s);
}

int main(int argc, char **argv)
{
	int fd, got, want;

	if (argc != 5) {
		fprintf(stderr, "usage: palsock FAMILY TYPE PROTOCOL OK|EPERM|EACCES\n");
		return 2;
	}
	want = !strcmp(argv[4], "EPERM") ? EPERM : !strcmp(argv[4], "EACCES") ? EACCES : 0;
	fd = socket(num(argv[1]), num(argv[2]), num(argv[3]));
	got = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	printf("palsock: socket(%s, %s, %s): %s (expected %s)\n", argv[1], argv[2], argv[3],
	       got ? strerror(got) : "OK", want ? strerror(want) : "OK");
	return got == want ? 0 : 1;
}
