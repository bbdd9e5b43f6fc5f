/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the running kernel offers Palisade, found by probing (never by the
 * version number): whether BPF LSM is active and loads, which LSM hooks the
 * kernel's BTF has, which cgroup program types load. Nothing is attached and
 * nothing outlives a call. Used by `palisade doctor`, the loaders and status.
 */
#ifndef PALISADE_AGENT_PROBE_H
#define PALISADE_AGENT_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

/*
 * Read the active LSMs (/sys/kernel/security/lsm) into buf.
 * Returns 1 if bpf is among them, 0 if not, -errno if the file is unreadable.
 */
int pal_probe_lsm_list(char *buf, size_t len);

/* Does btf (the kernel's vmlinux BTF) have LSM hook `hook` (bpf_lsm_<hook>)? */
bool pal_probe_has_hook(const struct btf *btf, const char *hook);

/*
 * Can a program of this type be loaded (a throw-away load through libbpf's
 * probe)? Returns 1 yes, 0 no, -errno when the kernel refused before the
 * verifier ran (e.g. -EPERM).
 */
int pal_probe_prog_type(int prog_type);

/*
 * Load (and at once close) the smallest BPF LSM program, "return 0" on
 * file_open, the way the agent's own programs are loaded. Returns 1 when
 * it loads, or -errno as the kernel refused it (-ENOENT: no such hook in
 * btf, -EPERM: refused before the verifier ran).
 */
int pal_probe_lsm_load(const struct btf *btf);

/*
 * The hook a program's section names ("lsm/file_open", "?lsm/file_truncate")
 * or NULL if the section is not an LSM one. Points into sec.
 */
const char *pal_probe_lsm_hook_of(const char *sec);

/*
 * The addresses of n kernel symbols, by the kernel's own lookup
 * (bpf/ksym.bpf.c), into addr: 0 for each it lacks, or hides (without
 * CAP_SYSLOG, or with kptr_restrict). Returns 0, or -errno when the
 * lookup program cannot load or run (no CAP_BPF and CAP_PERFMON), or a
 * name is longer than PAL_KSYM_NAME - 1 bytes (-ENAMETOOLONG).
 */
int pal_probe_ksyms(const char *const *names, unsigned long long *addr, size_t n);

#endif
