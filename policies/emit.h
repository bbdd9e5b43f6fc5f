/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emitters, one per rule class: policy IR (policy.h) in, map entries
 * (plain structs of the bpf/ ABI headers) out. No kernel access: the agent
 * (agent/reload.c) calls every emitter for the idle generation slot and
 * hands the entries to the loaders, which only write maps (agent/file.c,
 * agent/socket.c, cgroup/).
 *
 *   class             emitter                map(s)
 *   files, exec       pal_emit_file          pal_files, pal_exes (bpf/abi.h)
 *   LSM socket keys   pal_emit_socket        pal_sock (bpf/abi.h)
 *   (every policy)    pal_emit_settings      pal_policies, pal_config (bpf/abi.h)
 *   network           pal_emit_net           pal_net_cidr/port/sock/ops (bpf/net.h)
 *   devices           pal_emit_dev           pal_dev_rules (bpf/dev.h)
 */
#ifndef PALISADE_POLICIES_EMIT_H
#define PALISADE_POLICIES_EMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/abi.h"
#include "bpf/dev.h"
#include "bpf/net.h"
#include "policies/policy.h"

/* ---- files and exec (emit_file.c) --------------------------------------- */

/* An executable named in `from:`; its id is mixed into PAL_KEY_FROM keys. */
struct pal_exe {
	const char *path; /* canonical, owned by the set */
	__u32 id; /* 1..nexes */
	bool exists; /* stat() succeeded when compiling; else no pal_exes entry is possible */
	bool alias; /* the file of an earlier exe: its id, and no pal_exes entry of its own */
	struct pal_exe_key key; /* ino, new_encode_dev(st_dev), gen: the pal_exes key */
};

/* One pal_files map entry, and where it came from. */
struct pal_file_entry {
	struct pal_file_key key;
	struct pal_file_rule val;
	const char *path; /* the rule path this entry stands for */
	__u32 rule; /* the first rule that produced the entry */
	__u32 exe; /* exe id for PAL_KEY_FROM entries, else 0 */
};

struct pal_auto;

struct pal_file_emit {
	struct pal_file_entry *entries;
	size_t nentries;
	struct pal_exe *exes;
	size_t nexes;
	/* the automaton of every pattern rule, accepting the
	 * labels of PAL_KEY_PATTERN entries; NULL when the set has no pattern rule */
	struct pal_auto *autom;
	__u32 nlabels;
	char why[768]; /* -E2BIG from the automaton: FILE:LINE:COL: error: which bound, where */
};

/*
 * Emit every file/exec map entry of set for generation slot gen (0 or 1)
 * with the path hash seed. Keys of the same (policy, kind, class, path, exe)
 * are merged. Existing paths also get PAL_KEY_INODE / PAL_KEY_DIR_INODE keys
 * (unless flags has PAL_LOAD_NO_HOST). Each pattern rule gets a label: one
 * PAL_KEY_PATTERN key (a: the label) holds its bits, and out->autom accepts
 * the label for the paths it matches (a `dirs:` pattern: the directories it
 * matches and everything below them). Patterns over a bound of the automaton:
 * -E2BIG. Linear in the number of IR entries.
 * Returns 0, -E2BIG when the result exceeds PAL_MAX_FILE_KEYS / PAL_GENS
 * entries or PAL_MAX_EXES / PAL_GENS executables (out->nentries / out->nexes
 * then hold the counts needed), or -ENOMEM. Free with pal_file_emit_free.
 */
int pal_emit_file(const struct pal_policy_set *set, __u32 gen, __u64 seed, unsigned int flags,
		  struct pal_file_emit *out);
void pal_file_emit_free(struct pal_file_emit *out);

/* ---- LSM socket keys (emit_socket.c) ------------------------------------- */

struct pal_sock_entry {
	struct pal_sock_key key;
	struct pal_sock_rule val;
};

struct pal_sock_emit {
	size_t nentries;
	struct pal_sock_entry *entries; /* in rule order */
};

/*
 * Emit the pal_sock entries of set for slot gen: for each policy with
 * `socket:` rules, one key per (non-inet family, type, protocol) a rule
 * names (a rule without a family: every non-inet family), keeping the
 * strongest action and the first rule that had it, plus the policy's
 * PAL_SOCK_MARKER key, whose value is its network default. Returns 0,
 * -EINVAL (gen out of range) or -ENOMEM. Free with pal_sock_emit_free.
 */
int pal_emit_socket(const struct pal_policy_set *set, __u32 gen, struct pal_sock_emit *out);
void pal_sock_emit_free(struct pal_sock_emit *out);

/* ---- per-policy settings (emit_settings.c) ------------------------------- */

/*
 * The pal_policies values of set (index = policy index; unused indexes
 * zeroed), with the key depths and flags the file hooks use to skip
 * lookups, taken from the file entries files; and the policy masks and
 * npolicies of its pal_config value (generation, path_seed and
 * ncgroup_keys are left for the caller).
 */
void pal_emit_settings(const struct pal_policy_set *set, const struct pal_file_emit *files,
		       struct pal_policy pol[PAL_MAX_POLICIES], struct pal_gen_config *cfg);

/* ---- network (emit_net.c) ------------------------------------------------ */

struct pal_net_cidr_entry {
	struct pal_net_cidr_key key;
	struct pal_net_verdict val;
};

struct pal_net_port_entry {
	struct pal_net_port_key key;
	struct pal_net_rule val;
};

struct pal_net_sock_entry {
	struct pal_net_sock_key key;
	struct pal_net_rule val;
};

struct pal_net_emit {
	struct pal_net_cidr_entry *cidrs;
	size_t ncidrs;
	struct pal_net_port_entry *ports;
	size_t nports;
	struct pal_net_sock_entry *socks;
	size_t nsocks;
	__u32 ntables; /* port tables (ids 1..ntables) */
	__u32 ops[PAL_MAX_POLICIES]; /* pal_net_ops values: operations with rules, per policy */
};

/*
 * Emit the pal_net_cidr, pal_net_port and pal_net_sock entries of set for
 * generation slot gen. CIDR keys are closed under prefix cover (the entry of
 * a prefix carries the rules of every shorter prefix that covers it) and
 * port tables are split into disjoint aligned blocks, so one longest-prefix
 * lookup per trie yields the complete verdict. O(n log n) in the rules.
 * Returns 0, -E2BIG when a map would exceed its PAL_NET_MAX_* / PAL_GENS
 * share (the counts are left in *out), -EINVAL on malformed IR, -ENOMEM.
 */
int pal_emit_net(const struct pal_policy_set *set, __u32 gen, struct pal_net_emit *out);
void pal_net_emit_free(struct pal_net_emit *out);

/* ---- devices (emit_dev.c) ------------------------------------------------ */

struct pal_dev_entry {
	struct pal_dev_key key;
	struct pal_dev_rule val;
};

struct pal_dev_emit {
	struct pal_dev_entry *entries;
	size_t nentries;
};

/* Emit the pal_dev_rules entries of set for slot gen; same return values. */
int pal_emit_dev(const struct pal_policy_set *set, __u32 gen, struct pal_dev_emit *out);
void pal_dev_emit_free(struct pal_dev_emit *out);

#endif /* PALISADE_POLICIES_EMIT_H */
