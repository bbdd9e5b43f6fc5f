// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "agent/probe.h"
#include "bpf/abi.h"
#include "ksym.skel.h"

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

/* One symbol's address into *addr (0 when the kernel hides or lacks it): 0, or -errno. */
static int ksym_run(int prog_fd, const char *name, unsigned long long *addr)
{
	struct pal_ksym_args a = {0};
	/* a syscall program's context is copied back to ctx_in */
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &a, .ctx_size_in = sizeof(a));

	*addr = 0;
	if (strlen(name) >= sizeof(a.name))
		return -ENAMETOOLONG;
	memcpy(a.name, name, strlen(name));
	if (bpf_prog_test_run_opts(prog_fd, &run))
		return -errno;
	*addr = a.addr;
	return 0;
}

int pal_probe_ksyms(const char *const *names, unsigned long long *addr, size_t n)
{
	struct ksym_bpf *skel = ksym_bpf__open_and_load();
	int err = 0;

	memset(addr, 0, n * sizeof(*addr));
	if (!skel)
		return -errno;
	for (size_t i = 0; i < n && !err; i++)
		err = ksym_run(bpf_program__fd(skel->progs.palisade_ksym), names[i], &addr[i]);
	ksym_bpf__destroy(skel);
	return err;
}
