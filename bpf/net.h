/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ABI of the network rule maps (bpf/net.bpf.c <-> policies/emit_net.c).
 *
 * connect/sendmsg/bind: one LPM_TRIE lookup on the address, then, only when
 * the rules behind that prefix name ports or protocols, one LPM_TRIE lookup
 * on the port. The emitter closes both tries (see emit_net.c) so the longest
 * match alone carries every rule that applies: no rule is ever scanned.
 * sock_create: HASH lookups of (family, type, protocol) with wildcards.
 */
#ifndef PALISADE_BPF_NET_H
#define PALISADE_BPF_NET_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include "bpf/abi.h"

/* ---- limits ------------------------------------------------------------ */

#define PAL_NET_MAX_CIDR_KEYS (1u << 22) /* pal_net_cidr entries, both generations */
#define PAL_NET_MAX_PORT_KEYS (1u << 20) /* pal_net_port entries, both generations */
#define PAL_NET_MAX_SOCK_KEYS 65536 /* pal_net_sock entries, both generations */
#define PAL_NET_MIN_KEYS 64 /* smallest map size, so an empty rule set still loads */
#define PAL_NET_MAX_TABLES (1u << 24) /* port tables per generation (ids 1..) */

/* Bits of a key before the part the LPM prefix length is about. */
#define PAL_NET_CIDR_FIXED_BITS 64 /* gen, policy, access, pad0 */
#define PAL_NET_PORT_FIXED_BITS 80 /* gen, policy, table, proto, pad0 */

/* Protocol axis of the port tables. PAL_NET_OTHER: e.g. ICMP datagram
 * sockets; only rules that name no protocol cover it. */
enum pal_net_proto_idx {
	PAL_NET_TCP = 0,
	PAL_NET_UDP = 1,
	PAL_NET_OTHER = 2,
	PAL_NET_PROTOS = 3,
};

/* ---- pal_net_cidr: LPM_TRIE -------------------------------------------- */

/*
 * key: (generation slot, policy, access) then the address. prefixlen is
 * PAL_NET_CIDR_FIXED_BITS + the CIDR's prefix on the 128-bit address, where
 * an IPv4 /n is ::ffff:a.b.c.d/(96 + n): v4 and v4-mapped v6 hit the same
 * entries. value: struct pal_net_verdict, the merged verdict of every rule
 * of that policy whose CIDR covers this prefix (prefix closure).
 */
struct pal_net_cidr_key {
	__u32 prefixlen;
	__u16 gen; /* generation slot */
	__u16 policy; /* policy index */
	__u8 access; /* PAL_ACC_CONNECT or PAL_ACC_BIND */
	__u8 pad0[3]; /* always 0 (it is inside the prefix) */
	__u8 addr[16]; /* network byte order */
};
_Static_assert(sizeof(struct pal_net_cidr_key) == 28, "pal_net_cidr_key ABI");
PAL_LPM_KEY_ASSERT(pal_net_cidr_key, addr, PAL_NET_CIDR_FIXED_BITS);

struct pal_net_verdict {
	__u32 table; /* 0: action/rule hold for every port and protocol; else a port table id */
	__u32 rule; /* rule index behind action (table == 0) */
	__u8 action; /* enum pal_action (table == 0); PAL_ACT_NONE: the default applies */
	__u8 pad0[3];
};
_Static_assert(sizeof(struct pal_net_verdict) == 12, "pal_net_verdict ABI");

/* ---- pal_net_port: LPM_TRIE -------------------------------------------- */

/*
 * key: (generation slot, port table, protocol) then the port, big endian so
 * a port range splits into aligned prefix blocks. prefixlen is
 * PAL_NET_PORT_FIXED_BITS + 0..16. The blocks of one (table, proto) never
 * overlap. value: struct pal_net_rule, the verdict for those ports; a miss
 * means no rule covers the port and the policy default applies.
 */
struct pal_net_port_key {
	__u32 prefixlen;
	__u16 gen; /* generation slot */
	__u16 policy; /* always 0: policies with equal port verdicts share a table */
	__u32 table; /* port table id (>= 1) */
	__u8 proto; /* enum pal_net_proto_idx */
	__u8 pad0; /* always 0 (it is inside the prefix) */
	__u8 port[2]; /* big endian */
};
_Static_assert(sizeof(struct pal_net_port_key) == 16, "pal_net_port_key ABI");
PAL_LPM_KEY_ASSERT(pal_net_port_key, port, PAL_NET_PORT_FIXED_BITS);

struct pal_net_rule {
	__u32 rule; /* rule index */
	__u8 action; /* enum pal_action, never PAL_ACT_NONE in a map */
	__u8 pad0[3];
};
_Static_assert(sizeof(struct pal_net_rule) == 8, "pal_net_rule ABI");

/* ---- pal_net_ops: ARRAY ---------------------------------------------- */

/*
 * key: slot * PAL_MAX_POLICIES + policy index. value: __u32 mask of enum
 * pal_net_access, the operations (connect, bind, socket) that policy has
 * rules for. A policy's network default only covers those operations: a
 * connect allow-list with `default: deny` must not also forbid socket().
 */

/* ---- pal_net_sock: HASH ------------------------------------------------ */

#define PAL_NET_SOCK_ANY 0xffff /* family/type/protocol not given in the rule */

/*
 * key: (generation slot, policy, family, type, protocol), each of the last
 * three possibly PAL_NET_SOCK_ANY. value: struct pal_net_rule, the merged
 * verdict of that policy's `socket:` rules with exactly this key. The
 * program looks up all 8 wildcard combinations and keeps the strongest.
 */
struct pal_net_sock_key {
	__u16 gen; /* generation slot */
	__u16 policy; /* policy index */
	__u16 family; /* AF_* */
	__u16 type; /* SOCK_* */
	__u16 protocol;
	__u16 pad0;
};
_Static_assert(sizeof(struct pal_net_sock_key) == 12, "pal_net_sock_key ABI");
PAL_KEY_HEAD_ASSERT(pal_net_sock_key, PAL_KEY_GEN_OFF);

#endif /* PALISADE_BPF_NET_H */
