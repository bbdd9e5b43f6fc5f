// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The address of one kernel symbol, for the agent (agent/probe.c,
 * pal_probe_ksyms): the kernel's own lookup by name, which on 6.2 and
 * later is a binary search, where reading /proc/kallsyms formats every one
 * of its ~200,000 lines. Run with BPF_PROG_RUN; context: struct
 * pal_ksym_args (abi.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf/abi.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("syscall")
int palisade_ksym(struct pal_ksym_args *a)
{
	char name[PAL_KSYM_NAME];
	__u64 addr = 0;

	/* the helper reads the name from the stack: copy it out of the context */
	__builtin_memcpy(name, a->name, sizeof(name));
	name[sizeof(name) - 1] = 0;
	a->err = bpf_kallsyms_lookup_name(name, sizeof(name), 0, &addr);
	a->addr = a->err ? 0 : addr;
	return 0;
}
