// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Benchmark only: an lsm/file_open program that decides nothing. Its cost is
 * the floor of any BPF LSM design (trampoline entry and exit per open).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("lsm/file_open")
int BPF_PROG(bench_empty_open, struct file *file, int ret)
{
	return ret;
}
