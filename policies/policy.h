/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pal_policy: the policy language v1 (docs/policy.md). YAML files go in, a
 * "compiled policy set" (the IR below, plain C structs) comes out, and the
 * emitters (emit.h) turn the IR into the map entries of the bpf/ ABI
 * headers. Nothing here touches the kernel; the only host access is reading
 * the policy files and stat()ing rule paths (warnings, identity keys).
 *
 * Ownership: everything reachable from a struct pal_policy_set belongs to it
 * and lives until pal_policy_set_free(). Strings are NUL-terminated.
 */
#ifndef PALISADE_POLICIES_POLICY_H
#define PALISADE_POLICIES_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "bpf/abi.h"

/* ---- language limits (the BPF side does not need these) --------------- */

#define PAL_POLICY_FILE_MAX (4u << 20) /* bytes of one policy file */
#define PAL_POLICY_NEST_MAX 5 /* YAML mapping/sequence nesting the schema uses */
#define PAL_POLICY_NAME_MAX 63 /* bytes of a policy name, [a-z0-9-] */
#define PAL_POLICY_DESC_MAX 4096 /* bytes of a description */
#define PAL_POLICY_PATHS_MAX 65536 /* paths (or dirs, or from) in one rule */
#define PAL_POLICY_CIDRS_MAX 1024 /* CIDRs in one network rule */
#define PAL_POLICY_PORTS_MAX 1024 /* port ranges in one network rule */
#define PAL_POLICY_TARGETS_MAX 256 /* cgroup patterns in one policy's target */
#define PAL_POLICY_CONTAINERS_MAX 256 /* container selectors in one policy's target */
#define PAL_POLICY_LABELS_MAX 32 /* labels in one container selector */
#define PAL_POLICY_SELECTOR_MAX 512 /* bytes of one selector value (a name, image or label) */
#define PAL_POLICY_MAX_ERRORS 50 /* errors reported per file before giving up */
#define PAL_POLICY_MAX_WARNINGS 1000 /* warnings reported per file */
#define PAL_DIAG_LINE_MAX 1024 /* bytes of the source line kept in a diagnostic */
#define PAL_SOCK_PROTO_MAX 65534 /* socket protocol numbers; 0xffff means 'any' in map keys */
#define PAL_DEV_MAJOR_MAX 4095 /* Linux device numbers: 12-bit major */
#define PAL_DEV_MINOR_MAX 1048575 /* 20-bit minor */

/* ---- diagnostics ------------------------------------------------------- */

enum pal_severity {
	PAL_SEV_ERROR = 0,
	PAL_SEV_WARNING = 1,
};

/*
 * One error or warning. line and col are 1-based (col counts characters);
 * line 0 means the diagnostic is about the whole file (e.g. unreadable).
 */
struct pal_diag {
	enum pal_severity severity;
	const char *file; /* as given by the caller */
	unsigned int line;
	unsigned int col;
	const char *message; /* no trailing newline, no "error:" prefix */
	const char *source_line; /* the offending line without its newline, or NULL */
};

/* Called once per diagnostic, in file order, then line/column order. */
typedef void (*pal_diag_fn)(const struct pal_diag *d, void *ctx);

/*
 * Format d as "FILE:LINE:COL: error: MESSAGE\n", then the source line and a
 * caret line under the column (tabs kept, so the caret lines up). Returns a
 * malloc'ed string, or NULL on ENOMEM.
 */
char *pal_diag_format(const struct pal_diag *d);
/* Same, written to out. Returns 0 or -errno. */
int pal_diag_print(FILE *out, const struct pal_diag *d);

/* ---- the compiled policy set (IR) ------------------------------------- */

/* Where something is in a policy file. */
struct pal_loc {
	const char *file;
	unsigned int line; /* 1-based */
	unsigned int col; /* 1-based, in characters */
};

/* One rule = one list item under files/exec/network/devices. */
struct pal_ir_rule {
	__u32 index; /* within the policy: 0.. in document order; the BPF `rule` value */
	__u8 class; /* enum pal_class */
	__u8 action; /* enum pal_action */
	__u8 pad0[2];
	struct pal_loc loc; /* the list item */
	struct pal_loc action_loc; /* the value of its `action:` */
};

/* What the policy's host checks saw at a rule path; later checks ask no more. */
enum pal_ir_host {
	PAL_HOST_UNASKED, /* a pattern, --no-host, or lstat failed otherwise */
	PAL_HOST_ABSENT, /* ENOENT: no identity key, not a socket */
	PAL_HOST_SOCKET,
	PAL_HOST_OTHER, /* any other file type (a symlink included) */
};

/* A file or exec rule, one entry per path of the rule. */
struct pal_ir_file {
	const char *path; /* canonical absolute path ("/" for the root) */
	__u32 len; /* strlen(path) */
	__u32 depth; /* components: "/" is 0, "/etc/shadow" is 2 */
	__u8 kind; /* PAL_KEY_EXACT (`paths`) or PAL_KEY_DIR (`dirs`) */
	__u8 class; /* PAL_CLASS_FILE or PAL_CLASS_EXEC */
	__u8 action; /* enum pal_action */
	__u8 pattern; /* 1: path is the source text of a pattern, depth 0 */
	__u8 host; /* enum pal_ir_host: what lstat said of path when it was read */
	__u32 access; /* enum pal_file_access bits; exec rules: PAL_ACC_EXEC */
	__u32 rule; /* index into pal_ir_policy.rules */
	const char *const *from; /* canonical executable paths, NULL if no `from:` */
	__u32 nfrom;
	struct pal_loc loc; /* the path's scalar */
};

enum pal_net_op {
	PAL_NET_CONNECT = 1, /* connect(), sendmsg() on unconnected UDP */
	PAL_NET_BIND = 2,
	PAL_NET_SOCKET = 3, /* socket() creation, matched on family/type/protocol */
};

/* protocols of connect/bind rules */
enum pal_net_proto {
	PAL_PROTO_TCP = 1u << 0,
	PAL_PROTO_UDP = 1u << 1,
	PAL_PROTO_ALL = PAL_PROTO_TCP | PAL_PROTO_UDP,
};

/* `socket:` fields that were not given: match any value */
#define PAL_SOCK_ANY 0xffffffffu

struct pal_ir_cidr {
	__u8 addr[16]; /* IPv6; IPv4 as IPv4-mapped ::ffff:a.b.c.d; host bits zero */
	__u8 prefix; /* 0..128; an IPv4 /n is stored as /(n + 96) */
	__u8 v4; /* written as IPv4 (for display) */
	__u8 pad0[2];
};

struct pal_ir_ports {
	__u16 lo; /* 1..65535 */
	__u16 hi; /* lo..65535 */
};

struct pal_ir_net {
	__u8 op; /* enum pal_net_op */
	__u8 action; /* enum pal_action */
	__u8 protocols; /* enum pal_net_proto mask (connect/bind); PAL_PROTO_ALL if absent */
	__u8 pad0;
	__u32 rule; /* index into pal_ir_policy.rules */
	/* connect: destination CIDRs (>= 1); bind: local addresses, none = any */
	const struct pal_ir_cidr *cidrs;
	__u32 ncidrs;
	const struct pal_ir_ports *ports; /* none (nports 0) = all ports */
	__u32 nports;
	/* socket: AF_*, SOCK_*, protocol number, each PAL_SOCK_ANY if absent */
	__u32 family;
	__u32 type;
	__u32 protocol;
	struct pal_loc loc; /* the list item */
};

#define PAL_DEV_ANY 0xffffffffu /* major or minor written as '*' (or minor absent) */

struct pal_ir_dev {
	__u8 type; /* 'c' (char) or 'b' (block) */
	__u8 action; /* enum pal_action */
	__u8 pad0[2];
	__u32 major; /* or PAL_DEV_ANY */
	__u32 minor; /* or PAL_DEV_ANY */
	__u32 access; /* enum pal_dev_access bits */
	__u32 rule; /* index into pal_ir_policy.rules */
	struct pal_loc loc; /* the list item */
};

/*
 * One entry of `target: containers:`. Each field is a pattern ('*' matches
 * any run of characters, everything else is literal) on what the
 * container's runtime recorded (cgroup/container.h); NULL: any value. A
 * container is selected when every given field matches (labels: each
 * key is present with a matching value).
 */
struct pal_ir_container {
	const char *ns; /* `namespace:` */
	const char *pod;
	const char *container;
	const char *image;
	const char *const *label_keys; /* exact keys */
	const char *const *label_values; /* patterns */
	__u32 nlabels;
	struct pal_loc loc; /* the list item */
};

struct pal_ir_policy {
	const char *name; /* [a-z0-9-]{1,63}, unique in the set */
	const char *description; /* "" if absent */
	struct pal_loc loc; /* the value of `name:` */
	__u8 mode; /* enum pal_mode */
	__u8 default_action; /* `default:` as written (PAL_ACT_ALLOW if absent) */
	/* per class: default_action if the policy has rules of that class, else PAL_ACT_NONE */
	__u8 defaults[PAL_CLASSES];
	/* `mounts:` (enum pal_action); PAL_ACT_DENY by default with files:/exec: rules, else NONE */
	__u8 mounts;
	/* cgroup v2 patterns relative to the cgroup2 root ('*' one level, '**' any
	 * depth); ncgroups == 0: the policy applies host-wide */
	const char *const *cgroups;
	__u32 ncgroups;
	/* container selectors; with cgroups, the policy applies to cgroups either selects */
	const struct pal_ir_container *containers;
	__u32 ncontainers;
	const struct pal_ir_rule *rules;
	__u32 nrules;
	const struct pal_ir_file *files; /* file and exec rules, in document order */
	size_t nfiles;
	const struct pal_ir_net *net;
	__u32 nnet;
	const struct pal_ir_dev *dev;
	__u32 ndev;
};

struct pal_policy_set {
	struct pal_ir_policy *policies; /* index = the policy index in BPF keys */
	__u32 npolicies;
	/* every diagnostic of the load, in delivery order */
	struct pal_diag *diags;
	size_t ndiags;
	size_t nerrors;
	size_t nwarnings;
	struct pal_set_priv *priv; /* allocator and bookkeeping, internal */
};

/* A policy without a target applies to every process of the host. */
static inline bool pal_policy_host_wide(const struct pal_ir_policy *p)
{
	return !p->ncgroups && !p->ncontainers;
}

/* ---- loading ----------------------------------------------------------- */

enum pal_load_flags {
	/* do not stat() rule paths: no symlink/hardlink/missing-executable
	 * warnings (used by the fuzzer and by tests that must not see the host) */
	PAL_LOAD_NO_HOST = 1u << 0,
	/* the agent's load: every policy file must be a regular file that only
	 * root can change (owned by root, not group- or world-writable, unless
	 * on a read-only mount), reached without leaving its directory */
	PAL_LOAD_TRUSTED = 1u << 1,
};

struct pal_load_opts {
	unsigned int flags; /* enum pal_load_flags */
	pal_diag_fn diag; /* optional: called for each diagnostic as files complete */
	void *ctx;
};

struct pal_policy_set *pal_policy_set_new(const struct pal_load_opts *opts);
void pal_policy_set_free(struct pal_policy_set *set);

/*
 * Add a file, or a directory (every *.yaml and *.yml in it, sorted by name,
 * not recursive, dot files skipped). Returns 0, -EINVAL if the input had
 * policy errors, or another -errno for I/O (also reported as a diagnostic
 * with line 0). The set stays usable after an error.
 */
int pal_policy_add_path(struct pal_policy_set *set, const char *path);
/* Add policy text held in memory; name is used in diagnostics. */
int pal_policy_add_buffer(struct pal_policy_set *set, const char *name, const char *buf,
			  size_t len);

/*
 * Convenience: new set, add every path, in order. *out is set on 0 and on
 * -EINVAL (read its diagnostics, then free it); it is NULL otherwise. Policy
 * errors win over I/O errors in the return value only if no I/O error happened.
 */
int pal_policy_load(struct pal_policy_set **out, const char *const *paths, size_t npaths,
		    const struct pal_load_opts *opts);

/* ---- paths ------------------------------------------------------------ */

/*
 * The key of one canonical path (no identity key, no `from:`): a =
 * path hash, b = depth. Exposed for tests and for the agent's tools.
 * Returns 0, or -EINVAL if path is not canonical (see pal_path_canon).
 */
int pal_path_key(const char *path, __u64 seed, __u64 *hash, __u32 *depth);

/*
 * Canonicalise an absolute path: collapse "//" and a trailing "/". Rejects
 * relative paths, ".", "..", NUL, control characters and non-UTF-8, a
 * component over PAL_NAME_MAX, more than PAL_MAX_DEPTH components or more
 * than PAL_PATH_MAX - 1 bytes. out must hold len + 2 bytes. Returns 0, or
 * -EINVAL with *why set to a static message.
 */
int pal_path_canon(const char *in, size_t len, char *out, __u32 *depth, const char **why);

/*
 * A target's cgroup pattern: canonicalise it as pal_path_canon does and
 * check that '**' only stands as a whole component. out must hold len + 2
 * bytes. Returns 0, or -EINVAL with *why set to a static message.
 */
int pal_cgroup_pattern_canon(const char *in, size_t len, char *out, const char **why);
/* 0 if pattern is a valid cgroup pattern in canonical form (as the IR holds it), else -EINVAL. */
int pal_cgroup_pattern_check(const char *pattern);

/* A device number (st_dev) as identity keys carry it: the kernel's new_encode_dev(). */
__u32 pal_dev_encode(dev_t dev);

/* Words of the language, for display: "deny", "enforce", "files", "read"... */
const char *pal_action_name(__u8 action);
const char *pal_mode_name(__u8 mode);
const char *pal_class_name(__u8 class);
/* Write the access words of bits (class FILE/EXEC or DEV) into buf, comma separated. */
int pal_access_names(__u8 class, __u32 bits, char *buf, size_t len);

#endif /* PALISADE_POLICIES_POLICY_H */
