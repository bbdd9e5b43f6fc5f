/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Palisade BPF ABI: everything the BPF programs and user space must agree on.
 *
 * Rules of this file:
 *  - only __u8..__u64 types, explicit padN fields, no implicit holes;
 *  - every limit is a named PAL_* constant, and user space rejects input over
 *    a limit before anything is loaded (never truncates);
 *  - every struct has a _Static_assert on its size, checked on both sides.
 */
#ifndef PALISADE_BPF_ABI_H
#define PALISADE_BPF_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* ---- limits ------------------------------------------------------------ */

#define PAL_PATH_MAX 4096 /* bytes of a canonical rule path, NUL included */
#define PAL_NAME_MAX 255 /* bytes of one path component */
#define PAL_MAX_DEPTH 64 /* components a rule path may have, and the BPF walk bound */
#define PAL_MAX_POLICIES 64 /* policies loaded at once (one bit each in a __u64 mask) */
#define PAL_MAX_RULES_PER_POLICY 65536 /* rules (list items) in one policy */
#define PAL_MAX_FILE_KEYS 1048576 /* entries of the file rule map */
#define PAL_MAX_CGROUP_KEYS 65536 /* targeted cgroups (both generations) */
#define PAL_MAX_CGROUP_DEPTH 32 /* cgroup ancestors a hook checks */
#define PAL_MAX_EXES 4096 /* distinct `from:` executables (both generations) */
#define PAL_COMM_LEN 16
#define PAL_EV_PATH_MAX 1024 /* bytes of a path in an event; longer: PAL_EVF_TRUNCATED */
#define PAL_EV_EXE_MAX 256 /* bytes of the executable path in an event */
#define PAL_RINGBUF_BYTES (8 << 20)
#define PAL_NO_RULE 0xffffffffu /* rule index of a decision made by a policy default */

/*
 * The layout of every map key and value. Bump it with any change to one:
 * an agent must never adopt maps pinned by an agent of another layout, whose
 * keys it would misread. The shared maps are pinned with a marker map whose
 * name carries the version (PAL_ABI_MARKER); pins without the current one
 * are refused, loudly. Bump it too when what the agent writes to a map
 * means something else to the programs an earlier agent pinned (8: pins
 * are no longer listed in pal_guard_objs; the guard keeps the pin dir.
 * 9: pal_gen_config.restricted; a slot without it would skip every walk.
 * 10: the write hook is pinned apart and attached on demand; an agent of 9
 * would adopt pins without it and never attach it. 11: every file hook but
 * five is loaded on demand, its links pinned by name, and the file
 * object's maps are all pinned; an agent of 10 would adopt such pins as
 * an incomplete set of hooks. 12: file_free is on demand with the write
 * hook; an agent of 11 would adopt it as a core hook and attach a second).
 */
#define PAL_ABI_VERSION 12
#define PAL_ABI_STR_(x) #x
#define PAL_ABI_STR(x) PAL_ABI_STR_(x)
#define PAL_ABI_MARKER "pal_abi_v" PAL_ABI_STR(PAL_ABI_VERSION)

/* ---- generations ------------------------------------------------------- */

/*
 * Two rule generations coexist in every map, told apart by PAL_GEN_* in the
 * key. The live one is the single __u32 in the gen map; a reload fills the
 * other one, flips that value, then deletes the old entries. Values are 0 or
 * 1, so the flip changes one byte and can never be observed half-written.
 *
 * Every rule-map key starts the same way, so one user-space helper
 * (pal_map_clear_slot, bpf/maps.h) deletes a slot from any of them:
 *   HASH keys:      __u16 gen; __u16 policy;  as their first 4 bytes
 *   LPM_TRIE keys:  the same 4 bytes right after __u32 prefixlen
 * gen is the generation slot, policy the policy index; keys that belong
 * to no single policy (pal_cgroups, pal_exes, pal_net_port) carry 0 there.
 */
#define PAL_GENS 2
#define PAL_KEY_GEN_OFF 0 /* offset of gen in a HASH rule-map key */
#define PAL_LPM_KEY_GEN_OFF 4 /* offset of gen in an LPM_TRIE rule-map key */

/* The uniform head of every rule-map key, checked on each key struct. */
#define PAL_KEY_HEAD_ASSERT(type, off)                                                 \
	_Static_assert(__builtin_offsetof(struct type, gen) == (off) &&                \
			       sizeof(((struct type *)0)->gen) == 2 &&                 \
			       __builtin_offsetof(struct type, policy) == (off) + 2 && \
			       sizeof(((struct type *)0)->policy) == 2,                \
		       #type " starts with gen, policy")
/* An LPM_TRIE rule-map key: the head after prefixlen; fixed_bits reach up to field. */
#define PAL_LPM_KEY_ASSERT(type, field, fixed_bits)                                      \
	PAL_KEY_HEAD_ASSERT(type, PAL_LPM_KEY_GEN_OFF);                                  \
	_Static_assert((fixed_bits) == 8 * (__builtin_offsetof(struct type, field) - 4), \
		       #type " prefix")

/* ---- access bits, per rule class --------------------------------------- */

enum pal_file_access {
	PAL_ACC_READ = 1u << 0,
	PAL_ACC_WRITE = 1u << 1,
	PAL_ACC_APPEND = 1u << 2,
	PAL_ACC_EXEC = 1u << 3,
	PAL_ACC_CREATE = 1u << 4,
	PAL_ACC_DELETE = 1u << 5,
	PAL_ACC_RENAME = 1u << 6,
	PAL_ACC_LINK = 1u << 7,
	PAL_ACC_CHMOD = 1u << 8,
	PAL_ACC_CHOWN = 1u << 9,
	PAL_ACC_TRUNCATE = 1u << 10,
	PAL_ACC_MMAP_EXEC = 1u << 11,
	/* `connect`: connect(2) or a datagram send to a Unix socket bound at the path */
	PAL_ACC_UNIX_CONNECT = 1u << 12,
	PAL_ACC_FILE_ALL = (1u << 13) - 1,
	/* not a rule word: a mount a policy's `mounts:` setting decides */
	PAL_ACC_MOUNT = 1u << 13,
	/* not a rule word: moving a task to another cgroup, denied to every confined task */
	PAL_ACC_CGROUP_MOVE = 1u << 14,
};

enum pal_net_access {
	PAL_ACC_CONNECT = 1u << 0, /* connect(), and sendmsg() on unconnected UDP */
	PAL_ACC_BIND = 1u << 1,
	PAL_ACC_SOCKET = 1u << 2,
};

enum pal_dev_access {
	PAL_ACC_DEV_READ = 1u << 0,
	PAL_ACC_DEV_WRITE = 1u << 1,
	PAL_ACC_DEV_MKNOD = 1u << 2,
};

/* Ordered so that the stronger action is the larger number. */
enum pal_action {
	PAL_ACT_NONE = 0, /* no rule and no default: the policy has no say */
	PAL_ACT_ALLOW = 1,
	PAL_ACT_AUDIT = 2,
	PAL_ACT_DENY = 3,
};

enum pal_mode {
	PAL_MODE_ENFORCE = 0,
	PAL_MODE_AUDIT = 1, /* denials are reported as audit and allowed */
};

/* Rule classes; a policy's `default` only covers the classes it lists. */
enum pal_class {
	PAL_CLASS_FILE = 0,
	PAL_CLASS_EXEC = 1,
	PAL_CLASS_NET = 2,
	PAL_CLASS_DEV = 3,
	PAL_CLASSES = 4,
};

/* ---- maps: settings ---------------------------------------------------- */

/*
 * pal_gen map, ARRAY, 1 entry.
 * key: 0. value: __u32, the live generation slot (0 or 1).
 */

/*
 * pal_config map, ARRAY, PAL_GENS entries.
 * key: generation slot. value: struct pal_gen_config, the settings of the
 * policy set in that slot.
 */
struct pal_gen_config {
	__u64 generation; /* monotonic reload counter, reported in events */
	__u64 path_seed; /* secret key of the path hash (see path_hash.h) */
	__u64 host_policies; /* policies with no target: apply to every task */
	__u64 file_policies; /* policies with files: or exec: rules */
	__u64 net_policies; /* policies with network: rules */
	__u64 dev_policies; /* policies with devices: rules */
	__u64 from_policies; /* policies with at least one `from:` rule */
	__u32 npolicies;
	__u32 ncgroup_keys; /* entries of this slot in pal_cgroups; 0: skip the ancestor walk */
	__u64 pattern_policies; /* policies with pattern rules: the automaton runs for them */
	/*
	 * enum pal_file_access bits some policy of the slot may deny or audit:
	 * a rule's deny or audit bits, every bit of a class whose default
	 * denies or audits, PAL_ACC_MOUNT for a `mounts:` that does; exec and
	 * mmap-exec under any file policy, link and rename with any file bit
	 * (policies/emit_settings.c). A request for none of them is allowed,
	 * with no record, whatever the path: the file hooks return before they
	 * walk it (as Landlock checks only the rights a ruleset handles).
	 */
	__u32 restricted;
	__u32 pad0;
};
_Static_assert(sizeof(struct pal_gen_config) == 80, "pal_gen_config ABI");

/*
 * pal_policies map, ARRAY, PAL_GENS * PAL_MAX_POLICIES entries.
 * key: slot * PAL_MAX_POLICIES + policy index. value: struct pal_policy.
 */
struct pal_policy {
	/*
	 * Precomputed by the agent so a hook only looks up depths that hold a
	 * key: bit d is set when a PAL_KEY_DIR (dir_depths) or PAL_KEY_EXACT
	 * (exact_depths) key of this policy has depth d (depth >= 63: bit 63).
	 */
	__u64 dir_depths;
	__u64 exact_depths;
	__u8 mode; /* enum pal_mode */
	__u8 defaults[PAL_CLASSES]; /* enum pal_action; PAL_ACT_NONE when the class is absent */
	__u8 flags; /* enum pal_policy_flags */
	__u8 mounts; /* enum pal_action for mount, move_mount, pivot_root; PAL_ACT_NONE: no say */
	__u8 pad0;
};
_Static_assert(sizeof(struct pal_policy) == 24, "pal_policy ABI");

enum pal_policy_flags {
	PAL_POLF_INODE_KEYS = 1u << 0, /* has PAL_KEY_INODE / PAL_KEY_DIR_INODE keys */
	PAL_POLF_FROM = 1u << 1, /* has PAL_KEY_FROM keys */
	PAL_POLF_PATTERNS = 1u << 2, /* has PAL_KEY_PATTERN keys: the automaton runs for it */
};

/*
 * pal_cgroups map, HASH, PAL_MAX_CGROUP_KEYS entries.
 * key: struct pal_cgroup_key, a cgroup v2 id the agent has classified: a
 * cgroup a policy targets, or any cgroup below a watched one.
 * value: struct pal_cgroup_val.
 *
 * A cgroup with no entry whose parent's entry has `unknown` set is one
 * the agent has not classified yet (just created, its container metadata
 * not read yet): the kernel gives it, and everything below it, the
 * policies of `unknown`, the ones that could target it once classified.
 * So a new cgroup is confined from its first syscall, never later.
 */
struct pal_cgroup_val {
	__u64 policies; /* apply to this cgroup and to every cgroup below it */
	__u64 unknown; /* given to a child with no entry, until it has one */
};
_Static_assert(sizeof(struct pal_cgroup_val) == 16, "pal_cgroup_val ABI");

struct pal_cgroup_key {
	__u16 gen; /* generation slot */
	__u16 policy; /* always 0: the value holds the policies */
	__u32 pad0;
	__u64 cgroup_id;
};
_Static_assert(sizeof(struct pal_cgroup_key) == 16, "pal_cgroup_key ABI");
PAL_KEY_HEAD_ASSERT(pal_cgroup_key, PAL_KEY_GEN_OFF);

/* ---- maps: file and exec rules ----------------------------------------- */

enum pal_file_key_kind {
	PAL_KEY_EXACT = 1, /* a: path hash of the whole path, b: depth */
	PAL_KEY_DIR = 2, /* a: path hash of a directory prefix, b: depth; covers all below */
	PAL_KEY_INODE = 3, /* a: inode number, b: device (new_encode_dev) of a rule path */
	PAL_KEY_DIR_INODE = 4, /* as PAL_KEY_INODE, for a directory rule */
	PAL_KEY_PATTERN = 5, /* a: accept label of the pattern automaton (pal_pat_accept), b: 0 */
};

/*
 * Keys of `from:` rules additionally mix the executable id into `a`
 * (pal_from_mix), so one lookup tests path and executable together.
 */
#define PAL_KEY_FROM 0x80

/*
 * pal_files map, HASH, sized to the compiled policy (<= PAL_MAX_FILE_KEYS).
 * key: struct pal_file_key. value: struct pal_file_rule, the merged access
 * bits of every rule of one policy that names this path (or inode).
 */
struct pal_file_key {
	__u16 gen; /* generation slot */
	__u16 policy; /* policy index */
	__u32 b;
	__u64 a;
	__u8 kind; /* enum pal_file_key_kind, | PAL_KEY_FROM */
	__u8 class; /* enum pal_class: PAL_CLASS_FILE or PAL_CLASS_EXEC */
	__u8 pad0[6];
};
_Static_assert(sizeof(struct pal_file_key) == 24, "pal_file_key ABI");
PAL_KEY_HEAD_ASSERT(pal_file_key, PAL_KEY_GEN_OFF);

struct pal_file_rule {
	__u32 deny; /* enum pal_file_access bits a rule denies */
	__u32 audit; /* bits a rule audits */
	__u32 allow; /* bits a rule allows */
	__u32 rule_deny; /* index of the first rule behind `deny`, or PAL_NO_RULE */
	__u32 rule_audit;
	__u32 rule_allow;
};
_Static_assert(sizeof(struct pal_file_rule) == 24, "pal_file_rule ABI");

/*
 * pal_bloom map, ARRAY, PAL_GENS entries. key: __u32 generation slot.
 * value: struct pal_bloom, a blocked Bloom filter of that slot's pal_files
 * keys: each key sets two bits of one word (pal_bloom_word/_mask of
 * pal_bloom_hash, path_hash.h), so one load tests both. A clear bit proves
 * the key is not in pal_files, so the hook skips that HASH lookup, most of
 * a decision's cost; both bits set only means "look" (about 1% of absent
 * keys at 100,000 keys). Written whole before the slot goes live, zeroed
 * after it stopped being live.
 */
#define PAL_BLOOM_SHIFT 21
#define PAL_BLOOM_BITS (1u << PAL_BLOOM_SHIFT) /* 256 KiB per slot */
#define PAL_BLOOM_WORDS (PAL_BLOOM_BITS / 64)

struct pal_bloom {
	__u64 w[PAL_BLOOM_WORDS];
};
_Static_assert(sizeof(struct pal_bloom) == PAL_BLOOM_BITS / 8, "pal_bloom ABI");

/*
 * pal_exes map, HASH, PAL_MAX_EXES entries.
 * key: struct pal_exe_key, the identity of an executable named in `from:`.
 * value: __u32, its exe id (>= 1), mixed into PAL_KEY_FROM keys.
 */
struct pal_exe_key {
	__u16 gen; /* generation slot */
	__u16 policy; /* always 0: executables are shared by every policy */
	__u32 dev; /* new_encode_dev() of the superblock's s_dev */
	__u64 ino;
};
_Static_assert(sizeof(struct pal_exe_key) == 16, "pal_exe_key ABI");
PAL_KEY_HEAD_ASSERT(pal_exe_key, PAL_KEY_GEN_OFF);

/* ---- maps: the pattern automaton of file and exec patterns ------------- */

/*
 * All pattern rules of a generation compile into one automaton over path
 * components (policies/automaton.c), so one pass over a path costs a bounded
 * number of lookups per component, whatever the number of patterns. Per
 * component: the state (an ARRAY entry), which holds its literal name when
 * it has only one; one NAME lookup when it has more (the literals the state
 * knows, with every pattern they also match folded in). On a miss, a
 * component that is not the path's last takes the state's no-hit successor
 * when every test outcome has the same future (PAL_PSF_INNER). Otherwise
 * one PREFIX lookup per prefix length and one SUFFIX lookup per suffix
 * length the state uses (same length, different bytes: at most one hit
 * each), length and glob tests, then one COMBO lookup of the hit mask
 * (none when nothing hit: the state holds that successor). The compiler refuses a policy that would
 * need more than these limits, naming the patterns.
 */
#define PAL_PAT_STATES_MAX 262144 /* automaton states of one generation, state 0 unused */
#define PAL_PAT_LENS_MAX 4 /* prefix lengths, suffix lengths and length bounds of one state */
#define PAL_PAT_ATOMS_MAX 12 /* tests (prefix, suffix, length, glob hits) of one state */
#define PAL_PAT_STATE_GLOBS 2 /* general globs one state tests */
#define PAL_PAT_GLOB_TOKS 64 /* tokens of one general glob */
#define PAL_PAT_GLOB_CLASSES 8 /* classes of one general glob */
#define PAL_PAT_GLOBS_MAX 4096 /* general globs of one generation */
#define PAL_PAT_ACCEPT_MAX 1048576 /* accept entries (state, pattern) of one generation */
#define PAL_PAT_EDGES_MAX 524288 /* pal_pat_edges entries of one generation */

enum pal_pat_edge_kind {
	PAL_PE_NAME = 1, /* hash: name hash of the whole name (it hashes the length in); len: 0;
			  * only states of more than one literal (PAL_PSF_NAME_MANY) */
	PAL_PE_PREFIX = 2, /* hash: name hash of the first len bytes */
	PAL_PE_SUFFIX = 3, /* hash: name hash of the last len bytes */
	PAL_PE_COMBO = 4, /* hash: the mask (not 0) of the state's atoms the name hit; len: 0 */
};

/*
 * pal_pat_edges map, HASH. key: struct pal_pat_key, a test of one state.
 * value: struct pal_pat_edge, what the test gives.
 */
struct pal_pat_key {
	__u16 gen; /* generation slot */
	__u16 policy; /* 0: one automaton serves every policy of the generation */
	__u32 state;
	__u64 hash;
	__u8 kind; /* enum pal_pat_edge_kind */
	__u8 pad0;
	__u16 len;
	__u8 pad1[4];
};
_Static_assert(sizeof(struct pal_pat_key) == 24, "pal_pat_key ABI");
PAL_KEY_HEAD_ASSERT(pal_pat_key, PAL_KEY_GEN_OFF);

struct pal_pat_edge {
	__u32 next; /* NAME, COMBO: the next state; 0: no pattern can match below */
	__u32 atom; /* PREFIX, SUFFIX: the atom bit (1 << index) the hit sets */
};
_Static_assert(sizeof(struct pal_pat_edge) == 8, "pal_pat_edge ABI");

/*
 * pal_pat_states map, ARRAY, PAL_GENS * PAL_PAT_STATES_MAX entries. key:
 * gen * PAL_PAT_STATES_MAX + state. value: how the state reads the next
 * component (its literal names, its tests after a NAME miss), and the
 * patterns a path ending in it matches.
 */
enum pal_pat_state_flags {
	PAL_PSF_NAME_ONE = 1, /* one literal name: name_hash, name_next (no NAME entry) */
	PAL_PSF_NAME_MANY = 2, /* literal names: NAME entries of pal_pat_edges */
	PAL_PSF_INNER = 4, /* a NAME miss that is not the path's last component goes to miss_next */
	PAL_PSF_TESTS = 8, /* prefix, suffix, length or glob tests; without: miss_next */
};

struct pal_pat_state {
	__u16 prefix_len[PAL_PAT_LENS_MAX]; /* PREFIX lookups to make; 0: none */
	__u16 suffix_len[PAL_PAT_LENS_MAX]; /* SUFFIX lookups to make; 0: none */
	__u16 min_len[PAL_PAT_LENS_MAX]; /* name length >= min_len[i] sets len_atom[i]; 0: none */
	__u8 len_atom[PAL_PAT_LENS_MAX]; /* atom index of each length bound */
	__u8 glob_atom[PAL_PAT_STATE_GLOBS]; /* atom index of each glob */
	__u8 nglob;
	__u8 flags; /* enum pal_pat_state_flags */
	__u16 glob[PAL_PAT_STATE_GLOBS]; /* pal_pat_globs index of each glob */
	__u32 accept; /* first pal_pat_accept entry of the patterns accepted here */
	__u32 naccept; /* how many; 0: a path ending here matches no pattern */
	__u32 name_next; /* PAL_PSF_NAME_ONE: the state after the literal */
	__u32 miss_next; /* after a NAME miss that hits no test (no COMBO entry for 0) */
	__u32 pad1;
	__u64 name_hash; /* PAL_PSF_NAME_ONE: the literal's name hash (as a NAME key's) */
};
_Static_assert(sizeof(struct pal_pat_state) == 64, "pal_pat_state ABI");
_Static_assert(PAL_PAT_GLOBS_MAX <= 65536, "pal_pat_state.glob holds a glob index");

enum pal_pat_tok_kind {
	PAL_PGT_BYTE = 0, /* arg: the byte */
	PAL_PGT_ONE = 1, /* '?': any byte */
	PAL_PGT_STAR = 2, /* '*': any run */
	PAL_PGT_CLASS = 3, /* arg: index into cls */
};

/* pal_pat_globs map, ARRAY, PAL_GENS * PAL_PAT_GLOBS_MAX. value: one general glob. */
struct pal_pat_glob {
	__u8 ntok;
	__u8 pad0[7];
	__u8 kind[PAL_PAT_GLOB_TOKS]; /* enum pal_pat_tok_kind */
	__u8 arg[PAL_PAT_GLOB_TOKS];
	__u64 cls[PAL_PAT_GLOB_CLASSES][4]; /* 256-bit byte sets */
};
_Static_assert(sizeof(struct pal_pat_glob) == 8 + 2 * PAL_PAT_GLOB_TOKS + 32 * PAL_PAT_GLOB_CLASSES,
	       "pal_pat_glob ABI");

/*
 * pal_pat_accept map, ARRAY, PAL_GENS * PAL_PAT_ACCEPT_MAX. value: __u32,
 * the index of a pattern (of the compiled set's pattern table) accepted.
 */

/* ---- events ------------------------------------------------------------ */

enum pal_event_type {
	PAL_EV_FILE = 1,
	PAL_EV_EXEC = 2,
	PAL_EV_NET = 3,
	PAL_EV_DEV = 4,
	PAL_EV_AGENT = 5, /* tampering with Palisade itself */
};

enum pal_op {
	PAL_OP_OPEN = 1,
	PAL_OP_EXEC,
	PAL_OP_MMAP,
	PAL_OP_UNLINK,
	PAL_OP_RENAME,
	PAL_OP_LINK,
	PAL_OP_CHMOD,
	PAL_OP_CHOWN,
	PAL_OP_TRUNCATE,
	PAL_OP_CREATE,
	PAL_OP_WRITE, /* file_permission on an fd opened earlier */
	PAL_OP_CONNECT,
	PAL_OP_SENDMSG,
	PAL_OP_BIND,
	PAL_OP_SOCKET,
	PAL_OP_DEVICE,
	PAL_OP_BPF, /* bpf() on a Palisade object */
	PAL_OP_KILL,
	PAL_OP_PTRACE,
	PAL_OP_RLIMIT, /* setrlimit/prlimit on the agent */
	PAL_OP_MOUNT, /* mount(2), move_mount(2), pivot_root(2) */
	PAL_OP_CGROUP_MOVE, /* cgroup.procs/cgroup.threads write, clone3(CLONE_INTO_CGROUP) */
	PAL_OP_SETXATTR, /* set an extended attribute or a POSIX ACL */
	PAL_OP_REMOVEXATTR, /* remove an extended attribute or a POSIX ACL */
	PAL_OP_SETATTR, /* set timestamps (utimensat, futimens) */
	PAL_OP_SETFLAGS, /* set inode flags (FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR, file_setattr) */
	PAL_OP_MAX,
};

enum pal_event_flags {
	PAL_EVF_UNRESOLVED = 1u << 0, /* path could not be resolved: failed closed */
	PAL_EVF_TRUNCATED = 1u << 1, /* path in the event is cut to PAL_EV_PATH_MAX */
	PAL_EVF_PATH2 = 1u << 2, /* path2 is set (rename, link) */
	PAL_EVF_EXE_NAME = 1u << 3, /* exe is the executable's file name only (no walk) */
	PAL_EVF_EXE_TRUNCATED = 1u << 4, /* with EXE_NAME: the path was too deep or too long */
};

struct pal_ev_net {
	__u8 daddr[16]; /* IPv6, or IPv4-mapped IPv6 (::ffff:a.b.c.d) */
	__u16 dport; /* host byte order */
	__u16 family; /* AF_INET or AF_INET6 as the program saw it */
	__u16 protocol; /* IPPROTO_* */
	__u16 type; /* SOCK_* for socket creation */
	__u32 pad0;
	__u32 pad1;
};
_Static_assert(sizeof(struct pal_ev_net) == 32, "pal_ev_net ABI");

struct pal_ev_dev {
	__u32 major;
	__u32 minor;
	__u16 type; /* 'c' or 'b' */
	__u16 pad0;
	__u32 pad1;
};
_Static_assert(sizeof(struct pal_ev_dev) == 16, "pal_ev_dev ABI");

/*
 * One ring buffer record per deny or audit decision. Paths are NUL-terminated
 * strings as the task sees them, built by a second dentry walk on the
 * deny/audit path only (path_str, bpf/file_event.bpf.h); matching never
 * uses path strings.
 */
struct pal_event {
	__u64 time_ns; /* bpf_ktime_get_boot_ns() */
	__u64 cgroup_id;
	__u64 generation;
	__u32 pid; /* thread id */
	__u32 tgid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 type; /* enum pal_event_type */
	__u32 op; /* enum pal_op */
	__u32 access; /* requested access bits of the event's class */
	__u32 rule; /* rule index within the policy, or PAL_NO_RULE for the default */
	__s32 err; /* errno returned to the task (negative), 0 for audit */
	__u16 policy; /* policy index */
	__u8 action; /* enum pal_action: PAL_ACT_DENY or PAL_ACT_AUDIT */
	__u8 flags; /* enum pal_event_flags */
	__u32 pad0;
	char comm[PAL_COMM_LEN];
	struct pal_ev_net net;
	struct pal_ev_dev dev;
	char exe[PAL_EV_EXE_MAX];
	char path[PAL_EV_PATH_MAX];
	char path2[PAL_EV_PATH_MAX];
	__u64 start_ns; /* the process's start (CLOCK_BOOTTIME), 0 if not read */
};
_Static_assert(sizeof(struct pal_event) == 72 + 16 + 32 + 16 + 256 + 2048 + 8, "pal_event ABI");

/* ---- counters ---------------------------------------------------------- */

/*
 * pal_counters map, PERCPU_ARRAY, PAL_CNT_MAX entries.
 * key: enum pal_counter. value: __u64 count on this CPU.
 */
enum pal_counter {
	PAL_CNT_LOST = 0, /* events dropped: ring buffer full */
	PAL_CNT_SUPPRESSED, /* events folded by the in-kernel rate limit */
	PAL_CNT_DENIED, /* deny decisions */
	PAL_CNT_AUDITED, /* audit decisions */
	PAL_CNT_UNRESOLVED, /* paths that failed closed */
	PAL_CNT_WRITES_REMEMBERED, /* writes allowed by a remembered decision, without a walk */
	PAL_CNT_MAX,
};

/* ---- maps: socket rules of non-inet families (bpf/socket.bpf.c) ------- */

#define PAL_MAX_SOCK_KEYS 8192 /* pal_sock entries, both generations */
#define PAL_SOCK_KEY_ANY 0xffff /* type or protocol not given in the rule */
#define PAL_SOCK_MARKER 0 /* family 0: "this policy has socket rules", value = its default */

/*
 * pal_sock map, HASH, PAL_MAX_SOCK_KEYS entries. cgroup/sock_create only runs
 * for AF_INET/AF_INET6; this LSM map decides the other families (packet,
 * netlink, unix, ...).
 * key: struct pal_sock_key (type/protocol may be PAL_SOCK_KEY_ANY).
 * value: struct pal_sock_rule, the strongest action of the policy's `socket:`
 * rules with exactly this key.
 */
struct pal_sock_key {
	__u16 gen; /* generation slot */
	__u16 policy; /* policy index */
	__u16 family; /* AF_*, or PAL_SOCK_MARKER */
	__u16 type;
	__u16 protocol;
	__u16 pad0;
};
_Static_assert(sizeof(struct pal_sock_key) == 12, "pal_sock_key ABI");
PAL_KEY_HEAD_ASSERT(pal_sock_key, PAL_KEY_GEN_OFF);

struct pal_sock_rule {
	__u32 rule; /* first rule with the strongest action, or PAL_NO_RULE */
	__u8 action; /* enum pal_action */
	__u8 pad0[3];
};
_Static_assert(sizeof(struct pal_sock_rule) == 8, "pal_sock_rule ABI");

/* ---- self-protection ---------------------------------------------------- */

/*
 * pal_guard map, ARRAY, 1 entry (bpf/guard.bpf.c).
 * key: 0. value: struct pal_guard, the running agent instance and what it
 * guards. While instance is 0 no agent runs: the guard is off, or, with
 * PAL_GUARD_ORPHANED, it keeps tasks of target cgroups away from the pins.
 */
#define PAL_GUARD_MAX_CGROUPS 16 /* the agent's cgroup and its ancestors we record */

struct pal_guard {
	__u64 instance; /* nonzero while an agent runs; its tasks carry it in pal_agent_task */
	__u64 pin_ino; /* bpffs inode of the pin dir */
	__u64 links_ino; /* bpffs inode of <pin dir>/links */
	__u64 cgroup_ids[PAL_GUARD_MAX_CGROUPS]; /* the agent's cgroup and its ancestors; 0 ends */
	__u32 pin_dev; /* new_encode_dev() of the bpffs holding the pins */
	__u32 agent_tgid; /* for records only: never a reason to trust a task */
	__u32 flags; /* enum pal_guard_flags */
	__u32 pad0;
};
_Static_assert(sizeof(struct pal_guard) == 40 + 8 * PAL_GUARD_MAX_CGROUPS, "pal_guard ABI");

enum pal_guard_flags {
	PAL_GUARD_SIGNALS = 1u << 0, /* deny fatal signals, SIGIO kills and rlimits to the agent */
	PAL_GUARD_PTRACE = 1u << 1, /* deny ptrace of the agent */
	PAL_GUARD_ORPHANED = 1u << 2, /* set by BPF: the agent exited and left its pins armed */
};

/*
 * pal_agent_task map, TASK_STORAGE (bpf/guard.bpf.c).
 * key: a task (a pidfd from user space). value: struct pal_agent_mark, set on
 * the agent's own task when it arms and on every thread it creates later.
 * It dies with the task, so a reused PID inherits nothing.
 */
struct pal_agent_mark {
	__u64 instance; /* equal to pal_guard.instance while that agent runs */
};
_Static_assert(sizeof(struct pal_agent_mark) == 8, "pal_agent_mark ABI");

/*
 * pal_guard_objs map, HASH (bpf/guard.bpf.c), filled by the agent after it
 * pinned everything. key: struct pal_guard_obj, an object a task other than
 * the agent may not get an fd to. value: __u32, 1.
 */
#define PAL_GUARD_MAX_OBJS 1024 /* links: some 330 with the file hooks' shared steps */

/* Pins need no entry: nobody but the agent may look up a name in the pin dir. */
enum pal_guard_obj_kind {
	PAL_GUARD_OBJ_LINK = 2, /* id: a link id (BPF_LINK_GET_FD_BY_ID) */
};

struct pal_guard_obj {
	__u64 id;
	__u32 kind; /* enum pal_guard_obj_kind */
	__u32 pad0;
};
_Static_assert(sizeof(struct pal_guard_obj) == 16, "pal_guard_obj ABI");

/* ---- flood control ---------------------------------------------------- */

#define PAL_RL_WINDOW_NS 1000000000ULL /* rate limit window */
#define PAL_RL_BURST 256 /* events per rate-limit key (struct pal_rl_key) and window */
#define PAL_RL_KEYS 16384 /* LRU entries of the rate limit map */

/*
 * The object of a decision, in a rate-limit key, so that one noisy object
 * (or a policy's `default`) cannot hide another one:
 *   file, exec:  a = inode, b = device (new_encode_dev); an object without
 *                an inode yet (create): a = 0, c = the dcache hash of its name
 *   network:     a, b = the address (pal_ev_net.daddr, as two __u64 copied
 *                bytewise), c = dport | protocol << 16; socket(): c = family |
 *                type << 16, protocol in b
 *   device:      a = major, b = minor, c = 'c' or 'b'
 *   agent:       all 0 (self-protection events are rare and one per attempt)
 */
struct pal_rl_obj {
	__u64 a;
	__u64 b;
	__u32 c;
	__u16 op; /* enum pal_op */
	__u16 pad0;
};
_Static_assert(sizeof(struct pal_rl_obj) == 24, "pal_rl_obj ABI");

/*
 * pal_ratelimit map, LRU_HASH, PAL_RL_KEYS entries.
 * key: struct pal_rl_key, one (generation, policy, rule, cgroup, event type, object)
 * that emitted events. value: struct pal_rl_state, its current window and
 * how many of its events were suppressed. Events over the burst are not
 * emitted (the decision stands); they are counted in PAL_CNT_SUPPRESSED
 * (the exact total) and in the key's pal_rl_state.suppressed, from which
 * the agent writes `suppressed` records naming what they stand for.
 */
struct pal_rl_key {
	__u64 cgroup_id;
	__u64 generation; /* the policy generation that decided (names policy and rule) */
	__u32 rule; /* rule index, or PAL_NO_RULE for the policy's default */
	__u16 policy;
	__u16 type; /* enum pal_event_type */
	struct pal_rl_obj obj;
};
_Static_assert(sizeof(struct pal_rl_key) == 48, "pal_rl_key ABI");

struct pal_rl_state {
	__u64 window_start_ns;
	__u64 born_ns; /* when this entry was made: a new entry restarts `suppressed` */
	__u32 count; /* events of the current window */
	__u32 suppressed; /* events suppressed since born_ns (wraps; readers take differences) */
};
_Static_assert(sizeof(struct pal_rl_state) == 24, "pal_rl_state ABI");

/* ---- kernel symbols ---------------------------------------------------- */

/*
 * The context of the ksym.bpf.c program (BPF_PROG_RUN, one symbol a run):
 * the agent writes name, NUL-terminated; the program writes addr and err
 * (0, or the negative errno of bpf_kallsyms_lookup_name: -ENOENT when the
 * kernel lists no such symbol, -EPERM when it hides addresses).
 */
#define PAL_KSYM_NAME 64 /* bytes of a symbol name, NUL included */
struct pal_ksym_args {
	char name[PAL_KSYM_NAME];
	__u64 addr;
	__s64 err;
};
_Static_assert(sizeof(struct pal_ksym_args) == PAL_KSYM_NAME + 16, "pal_ksym_args ABI");

#endif /* PALISADE_BPF_ABI_H */
