// SPDX-License-Identifier: GPL-2.0-only
/*
 * palbench_native: measuring loops of the native (host kernel, cgroup
 * programs) benchmarks. It measures in whatever cgroup it was started in;
 * bench/native.sh puts it in the cgroup the policy targets. The only traffic
 * is connect() of UDP sockets to loopback addresses, which sends no packet.
 *
 *   palbench_native ops socket|devnull N BATCHES
 *       B batches of N socket(AF_INET, SOCK_DGRAM)+close() or
 *       open("/dev/null", O_RDWR)+close(); prints "MEDIAN MIN MAX" ns per op
 *   palbench_native storm SECONDS NADDR
 *       a deny storm: connect() to 127.1.0.0 + (i % NADDR), port 9, for
 *       SECONDS; prints "attempts denied other elapsed_s"
 *   palbench_native flip SRC DST OK|EPERM TIMEOUT_MS
 *       rename(SRC, DST) (a policy write), then connect() to 127.0.0.1:9
 *       until the result is the expected one; prints the milliseconds
 * Exit status: 0 measured, 1 unexpected result or error, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int op_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_devnull(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int cmd_ops(int argc, char **argv)
{
	int (*op)(void) = NULL;
	long n;
	int batches, err;
	double per[64], t0;

	if (argc != 3)
		return 2;
	if (!strcmp(argv[0], "socket"))
		op = op_socket;
	else if (!strcmp(argv[0], "devnull"))
		op = op_devnull;
	n = atol(argv[1]);
	batches = atoi(argv[2]);
	if (!op || n < 1 || batches < 1 || batches > 64)
		return 2;
	err = op();
	if (err) {
		fprintf(stderr, "palbench_native: %s failed: %s\n", argv[0], strerror(err));
		return 1;
	}
	for (long i = 0; i < n / 4 + 1; i++)
		op();
	for (int b = 0; b < batches; b++) {
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			op();
		per[b] = (now_ns() - t0) / n;
	}
	qsort(per, batches, sizeof(per[0]), cmp_double);
	printf("%.1f %.1f %.1f\n", per[batches / 2], per[0], per[batches - 1]);
	return 0;
}

static int udp_connect(int fd, uint32_t addr, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};

	sa.sin_addr.s_addr = htonl(addr);
	return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
}

static int cmd_storm(int argc, char **argv)
{
	unsigned long long attempts = 0, denied = 0, other = 0;
	double secs, t0, t;
	long naddr;
	int fd;

	if (argc != 2)
		return 2;
	secs = atof(argv[0]);
	naddr = atol(argv[1]);
	if (secs <= 0 || naddr < 1 || naddr > 65536)
		return 2;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	t0 = now_ns();
	do {
		for (int i = 0; i < 1024; i++) {
			int err = udp_connect(fd, 0x7f010000u + (attempts % naddr), 9);

			attempts++;
			if (err == EPERM)
				denied++;
			else
				other++;
		}
		t = now_ns();
	} while (t - t0 < secs * 1e9);
	close(fd);
	printf("%llu %llu %llu %.3f\n", attempts, denied, other, (t - t0) / 1e9);
	return 0;
}

static int cmd_flip(int argc, char **argv)
{
	int expect, got = -1, fd;
	double t0, limit;

	if (argc != 4)
		return 2;
	expect = !strcmp(argv[2], "EPERM") ? EPERM : 0;
	limit = atof(argv[3]) * 1e6;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	t0 = now_ns();
	if (rename(argv[0], argv[1])) {
		fprintf(stderr, "palbench_native: rename '%s': %s\n", argv[0], strerror(errno));
		return 1;
	}
	while (now_ns() - t0 < limit) {
		got = udp_connect(fd, 0x7f000001u, 9);
		if (got == expect) {
			printf("%.3f\n", (now_ns() - t0) / 1e6);
			return 0;
		}
		usleep(100); /* leave a core to the agent */
	}
	fprintf(stderr, "palbench_native: flip: connect still gives '%s' after %s ms\n",
		got ? strerror(got) : "success", argv[3]);
	return 1;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (argc >= 2 && !strcmp(argv[1], "ops"))
		rc = cmd_ops(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "storm"))
		rc = cmd_storm(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "flip"))
		rc = cmd_flip(argc - 2, argv + 2);
	if (rc == 2)
		fprintf(stderr, "usage: palbench_native ops|storm|flip ... (see the source)\n");
	return rc;
}
