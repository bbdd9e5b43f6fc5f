// SPDX-License-Identifier: GPL-2.0-only
/*
 * palsock FAMILY TYPE PROTOCOL EXPECTED: socket(2), exit 0 only if the result
 * is EXPECTED (OK, EPERM, EACCES, ECONNREFUSED). Numbers, or the names packet, netlink,
 * unix, inet, inet6 / raw, dgram, stream, icmp, icmpv6, sctp.
 * palsock FAMILY TYPE PROTOCOL EXPECTED connect|sendto ADDR PORT: the socket
 * must open; EXPECTED is then the result of connect(2) or sendto(2).
 * palsock FAMILY TYPE PROTOCOL EXPECTED listen|listen-v6only - 0: listen(2)
 * without bind(2) (autobind), IPV6_V6ONLY set first for listen-v6only.
 * With PALSOCK_WAIT=FILE, the socket is made first and the operation waits
 * until FILE exists (a socket older than the policy that decides it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

static int num(const char *s)
{
	static const struct {
		const char *name;
		int v;
	} names[] = {
		{"unix", AF_UNIX},	    {"inet", AF_INET},	    {"inet6", AF_INET6},
		{"netlink", AF_NETLINK},    {"packet", AF_PACKET},  {"stream", SOCK_STREAM},
		{"dgram", SOCK_DGRAM},	    {"raw", SOCK_RAW},	    {"icmp", IPPROTO_ICMP},
		{"icmpv6", IPPROTO_ICMPV6}, {"sctp", IPPROTO_SCTP},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].v;
	return atoi(s);
}

/* connect(2) or sendto(2) (an ICMP echo request) to ADDR PORT: 0 or the errno. */
static int address_op(int fd, const char *op, const char *addr, int port)
{
	static const unsigned char echo[8] = {8}; /* ICMP echo request; ICMPv6 is 128 */
	unsigned char msg[8];
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	socklen_t len = sizeof(*s4);

	if (!strcmp(op, "listen-v6only") &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){1}, sizeof(int)))
		return errno;
	if (!strncmp(op, "listen", 6))
		return listen(fd, 1) ? errno : 0;
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
	} else {
		return EINVAL;
	}
	memcpy(msg, echo, sizeof(msg));
	if (ss.ss_family == AF_INET6)
		msg[0] = 128;
	if (!strcmp(op, "connect"))
		return connect(fd, (void *)&ss, len) ? errno : 0;
	return sendto(fd, msg, sizeof(msg), 0, (void *)&ss, len) < 0 ? errno : 0;
}

/* Wait up to 120 s for $PALSOCK_WAIT to exist, if it is set: 0 or -1. */
static int wait_file(void)
{
	const char *f = getenv("PALSOCK_WAIT");

	for (int i = 0; f && i < 2400; i++) {
		if (!access(f, F_OK))
			return 0;
		nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	return f ? -1 : 0;
}

static int expected(const char *s)
{
	return !strcmp(s, "EPERM")	  ? EPERM :
	       !strcmp(s, "EACCES")	  ? EACCES :
	       !strcmp(s, "ECONNREFUSED") ? ECONNREFUSED :
					    0;
}

int main(int argc, char **argv)
{
	int fd, got, want;

	if (argc != 5 && argc != 8) {
		fprintf(stderr, "usage: palsock FAMILY TYPE PROTOCOL OK|EPERM|EACCES|ECONNREFUSED "
				"[connect|sendto ADDR PORT]\n");
		return 2;
	}
	want = expected(argv[4]);
	fd = socket(num(argv[1]), num(argv[2]), num(argv[3]));
	got = fd < 0 ? errno : 0;
	if (argc == 8) {
		if (fd < 0) {
			perror("palsock: socket");
			return 1;
		}
		if (wait_file()) {
			fprintf(stderr, "palsock: %s never appeared\n", getenv("PALSOCK_WAIT"));
			return 1;
		}
		got = address_op(fd, argv[5], argv[6], atoi(argv[7]));
		printf("palsock: %s %s %s: %s (expected %s)\n", argv[5], argv[6], argv[7],
		       got ? strerror(got) : "OK", want ? strerror(want) : "OK");
		close(fd);
		return got == want ? 0 : 1;
	}
	if (fd >= 0)
		close(fd);
	printf("palsock: socket(%s, %s, %s): %s (expected %s)\n", argv[1], argv[2], argv[3],
	       got ? strerror(got) : "OK", want ? strerror(want) : "OK");
	return got == want ? 0 : 1;
}
