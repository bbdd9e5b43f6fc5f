// SPDX-License-Identifier: GPL-2.0-only
/*
 * palpass CGROUP inet|inet6 stream|dgram connect|sendto|bind ADDR PORT CHILD PARENT
 *
 * A socket made here (in the caller's cgroup) and passed over SCM_RIGHTS to
 * a child that first joined CGROUP (a cgroup v2 directory). The child does
 * the operation with it and must get CHILD (OK or an errno name); then this
 * process does the same operation with the same socket and must get PARENT.
 * Prints the child's pid ("palpass: child PID"). Exit 0 only if both match.
 * With PALPASS_SENDER_CGROUP set, this process joins that cgroup after the
 * fork and before it makes the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

static const struct {
	const char *name;
	int v;
} errs[] = {{"OK", 0},
	    {"EPERM", EPERM},
	    {"EACCES", EACCES},
	    {"ECONNREFUSED", ECONNREFUSED},
	    {"EADDRINUSE", EADDRINUSE}};

static int err_num(const char *s)
{
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (!strcmp(s, errs[i].name))
			return errs[i].v;
	return atoi(s);
}

/* The operation on fd: 0 or the errno. */
static int op(int fd, const char *what, const char *addr, int port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	socklen_t len = sizeof(*s4);

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
	if (!strcmp(what, "connect"))
		return connect(fd, (void *)&ss, len) ? errno : 0;
	if (!strcmp(what, "bind"))
		return bind(fd, (void *)&ss, len) ? errno : 0;
	return sendto(fd, "x", 1, 0, (void *)&ss, len) < 0 ? errno : 0;
}

static int send_fd(int chan, int fd)
{
	char data = 'f', cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = cbuf,
			   .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(chan, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int chan)
{
	char data, cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = cbuf,
			   .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(chan, &m, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Move the calling process into the cgroup directory dir. */
static int join(const char *dir)
{
	char path[4096], pid[32];
	int cg;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	cg = open(path, O_WRONLY);
	if (cg < 0 || write(cg, pid, strlen(pid)) < 0) {
		fprintf(stderr, "palpass: join %s: %s\n", dir, strerror(errno));
		return -1;
	}
	close(cg);
	return 0;
}

/* Join cgroup, tell the parent, take the socket, do the operation, report it. */
static int child(int chan, char **argv)
{
	int fd, got;

	if (join(argv[1]) || write(chan, "j", 1) != 1)
		return 1;
	fd = recv_fd(chan);
	if (fd < 0) {
		perror("palpass: receive the socket");
		return 1;
	}
	got = op(fd, argv[4], argv[5], atoi(argv[6]));
	return write(chan, &got, sizeof(got)) == sizeof(got) ? 0 : 1;
}

static int check(const char *who, int got, const char *want)
{
	printf("palpass: %s: %s (expected %s)\n", who, got ? strerror(got) : "OK", want);
	return got == err_num(want) ? 0 : 1;
}

int main(int argc, char **argv)
{
	int sp[2], fd, got = -1, st, fail;
	char j;
	pid_t pid;

	if (argc != 9) {
		fprintf(stderr, "usage: palpass CGROUP inet|inet6 stream|dgram "
				"connect|sendto|bind ADDR PORT CHILD PARENT\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp)) {
		perror("palpass: socketpair");
		return 1;
	}
	pid = fork();
	if (pid == 0)
		_exit(child(sp[1], argv));
	close(sp[1]);
	printf("palpass: child %d\n", (int)pid);
	fflush(stdout);
	/* a sender in a target cgroup joins it only now: its child could not leave it */
	if (getenv("PALPASS_SENDER_CGROUP") && join(getenv("PALPASS_SENDER_CGROUP")))
		return 1;
	fd = socket(strcmp(argv[2], "inet6") ? AF_INET : AF_INET6,
		    strcmp(argv[3], "stream") ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0) {
		perror("palpass: socket");
		return 1;
	}
	/* the socket goes over only once the child is in the cgroup */
	if (read(sp[0], &j, 1) != 1 || send_fd(sp[0], fd) ||
	    read(sp[0], &got, sizeof(got)) != sizeof(got)) {
		fprintf(stderr, "palpass: the child failed\n");
		return 1;
	}
	waitpid(pid, &st, 0);
	fail = check("child, in the cgroup", got, argv[7]);
	fail |= check("parent, the same socket", op(fd, argv[4], argv[5], atoi(argv[6])), argv[8]);
	return fail;
}
