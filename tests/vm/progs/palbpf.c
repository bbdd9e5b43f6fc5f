// SPDX-License-Identifier: GPL-2.0-only
/*
 * palbpf: what a hostile root process would try against Palisade's BPF
 * objects. Each subcommand exits 0 only if the kernel answered as expected.
 *   palbpf pin PATH EXPECTED      bpf_obj_get() of a pinned object
 *   palbpf maps PREFIX EXPECTED   BPF_MAP_GET_FD_BY_ID on every map named PREFIX*
 *   palbpf progs PREFIX EXPECTED  BPF_PROG_GET_FD_BY_ID on every program named PREFIX*
 *   palbpf detach PATH EXPECTED   BPF_LINK_DETACH of a pinned link
 * EXPECTED is OK or an errno name (EPERM).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: palbpf pin|maps|progs ARG EXPECTED\n");
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
	if (!strcmp(argv[1], "maps"))
		return by_id(true, argv[2], expected(argv[3]));
	if (!strcmp(argv[1], "progs"))
		return by_id(false, argv[2], expected(argv[3]));
	fprintf(stderr, "palbpf: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
