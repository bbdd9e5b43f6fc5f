// SPDX-License-Identifier: GPL-2.0-only
/*
 * palbpf: what a hostile root process would try against Palisade's BPF
 * objects. Each subcommand exits 0 only if the kernel answered as expected.
 *   palbpf pin PATH EXPECTED      bpf_obj_get() of a pinned object
 *   palbpf maps PREFIX EXPECTED   BPF_MAP_GET_FD_BY_ID on every map named PREFIX*
 *   palbpf progs PREFIX EXPECTED  BPF_PROG_GET_FD_BY_ID on every program named PREFIX*
 *   palbpf detach PATH EXPECTED   BPF_LINK_DETACH of a pinned link
 *   palbpf links PREFIX EXPECTED  BPF_LINK_GET_FD_BY_ID on every link of a PREFIX* program
 *   palbpf rlimit PID EXPECTED    prlimit(PID, RLIMIT_CPU, 1 s)
 *   palbpf sigio PID SIGNAL       F_SETOWN PID + F_SETSIG SIGNAL on a pipe, then make
 *                                 it readable (the sender sees no error: exits 0)
 * EXPECTED is OK or an errno name (EPERM).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <bpf/bpf.h>

static int expected(const char *s)
{
	if (!strcmp(s, "OK"))
		return 0;
	if (!strcmp(s, "EPERM"))
		return EPERM;
	if (!strcmp(s, "EACCES"))
		return EACCES;
	fprintf(stderr, "palbpf: unknown errno '%s'\n", s);
	exit(2);
}

static int verdict(const char *what, int fd, int want)
{
	int got = fd < 0 ? errno : 0;

	if (fd > 0)
		close(fd);
	printf("palbpf: %s: %s (expected %s)\n", what, got ? strerror(got) : "OK",
	       want ? strerror(want) : "OK");
	return got == want ? 0 : 1;
}

/* Walk all ids; get an fd for the ones whose name starts with prefix. */
static int by_id(bool maps, const char *prefix, int want)
{
	__u32 id = 0;
	int seen = 0, bad = 0;

	while (!(maps ? bpf_map_get_next_id(id, &id) : bpf_prog_get_next_id(id, &id))) {
		char what[128];
		int fd;

		if (maps) {
			struct bpf_map_info info = {0};
			__u32 len = sizeof(info);

			/* the name needs an fd; the guard decides on that very request */
			fd = bpf_map_get_fd_by_id(id);
			if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
			    strncmp(info.name, prefix, strlen(prefix))) {
				close(fd);
				continue;
			}
			snprintf(what, sizeof(what), "map id %u%s%s", id, fd >= 0 ? " " : "",
				 fd >= 0 ? info.name : "");
		} else {
			struct bpf_prog_info info = {0};
			__u32 len = sizeof(info);

			fd = bpf_prog_get_fd_by_id(id);
			if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
			    strncmp(info.name, prefix, strlen(prefix))) {
				close(fd);
				continue;
			}
			snprintf(what, sizeof(what), "prog id %u%s%s", id, fd >= 0 ? " " : "",
				 fd >= 0 ? info.name : "");
		}
		/* fd < 0: refused before we could see the name: ours (others are open) */
		seen++;
		bad |= verdict(what, fd, want);
	}
	printf("palbpf: %d %s matched '%s'\n", seen, maps ? "maps" : "programs", prefix);
	return seen ? bad : 1;
}

/* The name of the program behind link fd, or "" if we may not see it. */
static void link_prog(int fd, char *name, size_t len)
{
	struct bpf_link_info li = {0};
	struct bpf_prog_info pi = {0};
	__u32 l = sizeof(li);
	int pfd;

	name[0] = 0;
	if (bpf_obj_get_info_by_fd(fd, &li, &l))
		return;
	pfd = bpf_prog_get_fd_by_id(li.prog_id);
	l = sizeof(pi);
	if (pfd >= 0 && !bpf_obj_get_info_by_fd(pfd, &pi, &l))
		snprintf(name, len, "%s", pi.name);
	if (pfd >= 0)
		close(pfd);
}

/* Links of PREFIX* programs by id; a refused one is ours (others open). */
static int links(const char *prefix, int want)
{
	__u32 id = 0;
	int seen = 0, bad = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		int fd = bpf_link_get_fd_by_id(id);
		char what[64], name[32];

		if (fd >= 0) {
			link_prog(fd, name, sizeof(name));
			if (name[0] && strncmp(name, prefix, strlen(prefix))) {
				close(fd);
				continue;
			}
		}
		snprintf(what, sizeof(what), "link id %u", id);
		seen++;
		bad |= verdict(what, fd, want);
	}
	printf("palbpf: %d links matched '%s'\n", seen, prefix);
	return seen ? bad : 1;
}

static int sigio(pid_t pid, int sig)
{
	int p[2];

	if (pipe(p) || fcntl(p[0], F_SETOWN, pid) || fcntl(p[0], F_SETSIG, sig) ||
	    fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) || write(p[1], "x", 1) != 1) {
		perror("palbpf: sigio");
		return 1;
	}
	printf("palbpf: SIGIO as signal %d sent towards %d\n", sig, pid);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr,
			"usage: palbpf pin|maps|progs|detach|links|rlimit|sigio ARG EXPECTED\n");
		return 2;
	}
	if (!strcmp(argv[1], "pin"))
		return verdict(argv[2], bpf_obj_get(argv[2]), expected(argv[3]));
	if (!strcmp(argv[1], "detach")) {
		int fd = bpf_obj_get(argv[2]), r;

		if (fd < 0)
			return verdict("get the link", fd, 0);
		r = bpf_link_detach(fd);
		close(fd);
		return verdict("detach", r, expected(argv[3]));
	}
	if (!strcmp(argv[1], "links"))
		return links(argv[2], expected(argv[3]));
	if (!strcmp(argv[1], "rlimit")) {
		struct rlimit cpu = {1, 1};

		return verdict("prlimit RLIMIT_CPU", prlimit(atoi(argv[2]), RLIMIT_CPU, &cpu, NULL),
			       expected(argv[3]));
	}
	if (!strcmp(argv[1], "sigio"))
		return sigio(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(argv[1], "maps"))
		return by_id(true, argv[2], expected(argv[3]));
	if (!strcmp(argv[1], "progs"))
		return by_id(false, argv[2], expected(argv[3]));
	fprintf(stderr, "palbpf: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
