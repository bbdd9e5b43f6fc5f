// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The steps every file hook shares, one program each: the walk of a
 * request's object (pal_resolve), the decision (pal_decide) and the record
 * of a deny or audit verdict (pal_report). The hooks of file.bpf.c call stubs of these; the
 * agent loads this object against the loaded hooks and replaces each stub
 * in every hook with its program (BPF_PROG_TYPE_EXT, freplace) before any
 * hook is attached. The verifier then checks each step once, as a function
 * of any request, instead of once in each of some thirty hooks. The maps
 * are the file object's own, handed over by fd (agent/file_shared.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf/common.bpf.h"
#include "bpf/file_walk.bpf.h"
#include "bpf/file_match.bpf.h"
#include "bpf/file_event.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("freplace/pal_resolve")
int palisade_resolve(struct pal_req *r)
{
	return resolve_request(r);
}

SEC("freplace/pal_decide")
int palisade_decide(struct pal_req *r, struct pal_walk *w)
{
	return decide_request(r, w);
}

SEC("freplace/pal_report")
int palisade_report(struct pal_req *r)
{
	return report(r);
}
