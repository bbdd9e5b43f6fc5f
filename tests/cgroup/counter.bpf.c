// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Another agent's program: allows every connect4 and counts the calls. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* key: 0. value: __u64 connect4 calls seen. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

SEC("cgroup/connect4")
int count_connect4(struct bpf_sock_addr *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&calls, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 1;
}
