// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "agent/probe.h"

bool pal_probe_has_hook(const struct btf *btf, const char *hook)
{
	char fn[96];

	if (!btf)
		return false;
	snprintf(fn, sizeof(fn), "bpf_lsm_%s", hook);
	return btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC) > 0;
}

int pal_probe_prog_type(int prog_type)
{
	int r;

	errno = 0;
	r = libbpf_probe_bpf_prog_type((enum bpf_prog_type)prog_type, NULL);
	if (r > 0)
		return 1;
	/* libbpf reports "no" as 0; a refusal before the verifier as -errno. */
	return r < 0 ? r : 0;
}

int pal_probe_lsm_load(const struct btf *btf)
{
	const struct bpf_insn prog[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_LSM_MAC);
	int id = btf ? btf__find_by_name_kind(btf, "bpf_lsm_file_open", BTF_KIND_FUNC) : -ENOENT;
	int fd;

	if (id <= 0)
		return -ENOENT;
	opts.attach_btf_id = (__u32)id;
	fd = bpf_prog_load(BPF_PROG_TYPE_LSM, "pal_probe", "GPL", prog, 2, &opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 1;
}

const char *pal_probe_lsm_hook_of(const char *sec)
{
	static const char *const prefixes[] = {"?lsm/", "lsm/", "?lsm.s/", "lsm.s/"};

	if (!sec)
		return NULL;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (!strncmp(sec, prefixes[i], n))
			return sec + n;
	}
	return NULL;
}

/* A line "ADDR T NAME\n" of a core symbol in buf[0..len): its address, or 0. */
static unsigned long long kallsyms_find(const char *buf, size_t len, const char *name)
{
	char pat[128];
	const char *p = buf, *end = buf + len, *line;
	int n = snprintf(pat, sizeof(pat), " %s\n", name);

	if (n <= 0 || (size_t)n >= sizeof(pat))
		return 0;
	while ((p = memmem(p, end - p, pat, n))) {
		for (line = p; line > buf && line[-1] != '\n'; line--)
			;
		/* the name follows the address and the type letter: "ADDR T " */
		if (p - line >= 3 && p[-2] == ' ')
			return strtoull(line, NULL, 16);
		p += n;
	}
	return 0;
}

/*
 * One pass in large reads with a memmem per symbol: libbpf's line-by-line
 * scanf of the ~200,000 lines cost the agent's start about half a second
 * under emulation.
 */
int pal_probe_kallsyms(const char *path, const char *const *names, unsigned long long *addr,
		       size_t n)
{
	enum { CHUNK = 1 << 16, CARRY = 512 };
	static char buf[CHUNK + CARRY];
	size_t keep = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(addr, 0, n * sizeof(*addr));
	if (fd < 0)
		return -errno;
	while ((got = read(fd, buf + keep, CHUNK)) > 0) {
		size_t len = keep + got;
		const char *nl = memrchr(buf, '\n', len);

		for (size_t i = 0; i < n; i++)
			if (!addr[i])
				addr[i] = kallsyms_find(buf, nl ? (size_t)(nl + 1 - buf) : 0,
							names[i]);
		/* a line cut at the end of this read comes again at the start of the next */
		keep = nl ? len - (nl + 1 - buf) : len;
		if (keep > CARRY)
			keep = 0;
		memmove(buf, buf + len - keep, keep);
	}
	if (got < 0)
		got = -errno;
	close(fd);
	return got < 0 ? (int)got : 0;
}
