// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Network policy on cgroup hooks: connect4/6, sendmsg4/6 (unconnected UDP),
 * bind4/6 and sock_create. Each hook reads the live generation once, asks
 * every applicable policy (pal_task_policies) for its verdict, merges them
 * (pal_verdict_merge: any denial stands) and reports deny/audit decisions.
 * A cgroup program denies by returning 0; the kernel turns that into EPERM.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bpf/common.bpf.h"
#include "bpf/net.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_MPTCP 262

/*
 * Set by user space when the LSM hooks at the end of this file are attached
 * (BPF LSM active): then they decide connect and sendmsg for every protocol
 * but TCP, UDP and MPTCP, and the cgroup hooks leave those protocols alone,
 * so that no decision is taken (and recorded) twice.
 */
const volatile bool pal_lsm_net = false;

#define PAL_CG_ALLOW 1
#define PAL_CG_DENY 0 /* EPERM */

/*
 * key: (slot, policy, access) + destination/local address (struct
 * pal_net_cidr_key). value: struct pal_net_verdict of the longest prefix.
 * LPM tries require BPF_F_NO_PREALLOC; user space sets max_entries.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, PAL_NET_MIN_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pal_net_cidr_key);
	__type(value, struct pal_net_verdict);
} pal_net_cidr SEC(".maps");

/* key: (slot, port table, protocol) + port. value: struct pal_net_rule. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, PAL_NET_MIN_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pal_net_port_key);
	__type(value, struct pal_net_rule);
} pal_net_port SEC(".maps");

/* key: slot * PAL_MAX_POLICIES + policy. value: __u32 ops with rules (net.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PAL_GENS *PAL_MAX_POLICIES);
	__type(key, __u32);
	__type(value, __u32);
} pal_net_ops SEC(".maps");

/* key: (slot, policy, family, type, protocol | ANY). value: struct pal_net_rule. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PAL_NET_MIN_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pal_net_sock_key);
	__type(value, struct pal_net_rule);
} pal_net_sock SEC(".maps");

/*
 * key: a socket. value: __u64, the id of the cgroup the socket was created
 * in. Set by the LSM hooks when a task of another cgroup connects, sends or
 * binds with it: they decide that call (by the policies of both cgroups), and
 * the cgroup hooks, which run after them in the same syscall, leave it alone.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} pal_net_sk SEC(".maps");

/* What one hook is asked to decide. */
struct net_req {
	struct pal_net_cidr_key ck; /* access and address filled in, prefix /128 */
	__u16 port; /* host order */
	__u16 family;
	__u16 protocol;
	__u16 type;
	__u32 op; /* enum pal_op */
};

static __always_inline __u8 proto_idx(__u16 protocol)
{
	if (protocol == IPPROTO_TCP)
		return PAL_NET_TCP;
	if (protocol == IPPROTO_UDP)
		return PAL_NET_UDP;
	return PAL_NET_OTHER;
}

/*
 * The per-policy lookups are global functions: the verifier checks each one
 * once on its own, instead of once per unrolled policy-loop iteration (which
 * exceeds the 1M instruction budget with 64 policies).
 * Both return PAL_ACT_NONE, or (action << 32 | rule) of the strongest rule.
 */
#define NET_NONE ((__u64)PAL_ACT_NONE << 32 | PAL_NO_RULE)

/* Address+port: one LPM lookup on the address, one on the port if needed. */
__noinline __u64 pal_net_addr_eval(struct pal_net_cidr_key *ck, struct pal_net_port_key *pk)
{
	struct pal_net_cidr_key c;
	struct pal_net_port_key p;
	const struct pal_net_verdict *nv;
	const struct pal_net_rule *nr;

	if (!ck || !pk)
		return NET_NONE;
	/* 6.1 verifiers take only stack (not argument memory) as a map key: copy */
	__builtin_memcpy(&c, ck, sizeof(c));
	__builtin_memcpy(&p, pk, sizeof(p));
	nv = bpf_map_lookup_elem(&pal_net_cidr, &c);
	if (!nv)
		return NET_NONE;
	if (!nv->table)
		return (__u64)nv->action << 32 | nv->rule;
	p.table = nv->table;
	nr = bpf_map_lookup_elem(&pal_net_port, &p);
	return nr ? (__u64)nr->action << 32 | nr->rule : NET_NONE;
}

/* socket(): the strongest of the 8 (family, type, protocol | ANY) keys. */
__noinline __u64 pal_net_sock_eval(struct pal_net_sock_key *req)
{
	struct pal_net_sock_key k;
	__u8 action = PAL_ACT_NONE;
	__u32 rule = PAL_NO_RULE;

	if (!req)
		return NET_NONE;
	k.gen = req->gen;
	k.policy = req->policy;
	k.pad0 = 0;
	for (int c = 0; c < 8; c++) {
		const struct pal_net_rule *nr;

		k.family = (c & 1) ? PAL_NET_SOCK_ANY : req->family;
		k.type = (c & 2) ? PAL_NET_SOCK_ANY : req->type;
		k.protocol = (c & 4) ? PAL_NET_SOCK_ANY : req->protocol;
		nr = bpf_map_lookup_elem(&pal_net_sock, &k);
		/* stronger action first, then the lower rule index */
		if (nr && (nr->action > action || (nr->action == action && nr->rule < rule))) {
			action = nr->action;
			rule = nr->rule;
		}
	}
	return (__u64)action << 32 | rule;
}

static __always_inline void net_report(const struct pal_verdict *v, const struct net_req *r)
{
	__u32 access = r->ck.access ? r->ck.access : PAL_ACC_SOCKET;
	__u64 a = 0, b, c;
	struct pal_event *e;

	/* the rate limit is per destination (or per socket kind): see pal_rl_obj */
	if (r->op == PAL_OP_SOCKET) {
		b = r->protocol;
		c = r->family | (__u32)r->type << 16;
	} else {
		__builtin_memcpy(&a, r->ck.addr, 8);
		__builtin_memcpy(&b, r->ck.addr + 8, 8);
		c = r->port | (__u32)r->protocol << 16;
	}
	e = pal_event_begin_obj(v, PAL_EV_NET, r->op, access,
				v->action == PAL_ACT_DENY ? -EPERM : 0, a, b, c);
	if (!e)
		return;
	if (r->op != PAL_OP_SOCKET) {
		__builtin_memcpy(e->net.daddr, r->ck.addr, sizeof(e->net.daddr));
		e->net.dport = r->port;
	}
	e->net.family = r->family;
	e->net.protocol = r->protocol;
	e->net.type = r->type;
	pal_event_actor(e);
	bpf_ringbuf_submit(e, 0);
}

/* Evaluate every applicable policy and return the cgroup program's verdict. */
/* State of the policy loop, on the program's stack (bpf_loop callback context). */
struct net_loop {
	struct net_req r;
	struct pal_net_port_key pk;
	struct pal_net_sock_key sk;
	struct pal_verdict v;
	__u64 mask;
	__u32 gen;
	__u32 access;
};

/*
 * One policy of the loop. bpf_loop (not a bounded for loop): the verifier
 * checks this body once; 6.1 verifiers exceed their 1M instruction budget
 * walking 64 unrolled iterations. Returns 1 to stop after the last policy.
 */
static long net_policy(__u32 i, void *data)
{
	struct net_loop *l = data;
	const struct pal_policy *p;
	__u32 k = l->gen * PAL_MAX_POLICIES + i;
	__u32 *ops;
	__u64 res;
	__u8 action;

	if (i >= PAL_MAX_POLICIES || !(l->mask >> i))
		return 1;
	if (!((l->mask >> i) & 1))
		return 0;
	p = pal_policy_of(l->gen, i);
	ops = bpf_map_lookup_elem(&pal_net_ops, &k);
	/* no rules for this operation: the policy has no say here */
	if (!p || !ops || !(*ops & l->access))
		return 0;
	if (l->r.op == PAL_OP_SOCKET) {
		l->sk.policy = i;
		res = pal_net_sock_eval(&l->sk);
	} else {
		l->r.ck.policy = i;
		res = pal_net_addr_eval(&l->r.ck, &l->pk);
	}
	action = res >> 32;
	pal_verdict_merge(&l->v, p, i, action ?: p->defaults[PAL_CLASS_NET],
			  action ? (__u32)res : PAL_NO_RULE);
	return 0;
}

/* Run the policy loop on l->r; the verdict merges into l->v. */
static __always_inline void net_eval(struct net_loop *l)
{
	if (l->mask)
		bpf_loop(PAL_MAX_POLICIES, net_policy, l, 0);
}

static __always_inline int net_finish(struct net_loop *l)
{
	if (l->v.action < PAL_ACT_AUDIT)
		return PAL_CG_ALLOW;
	net_report(&l->v, &l->r);
	return l->v.action == PAL_ACT_DENY ? PAL_CG_DENY : PAL_CG_ALLOW;
}

/* Fill in the loop state for the live generation. Returns false if no policy is loaded. */
static __always_inline bool net_begin(struct net_loop *l)
{
	__u32 gen = pal_live_gen();
	const struct pal_gen_config *cfg = pal_config_of(gen);
	struct net_req *r = &l->r;

	if (!cfg)
		return false;
	l->gen = gen;
	l->access = r->op == PAL_OP_SOCKET ? PAL_ACC_SOCKET : r->ck.access;
	l->v.action = PAL_ACT_NONE;
	l->v.generation = cfg->generation;
	l->pk.prefixlen = PAL_NET_PORT_FIXED_BITS + 16;
	l->pk.gen = gen;
	l->pk.proto = proto_idx(r->protocol);
	l->pk.port[0] = r->port >> 8;
	l->pk.port[1] = r->port & 0xff;
	l->sk.gen = gen;
	l->sk.family = r->family;
	l->sk.type = r->type;
	l->sk.protocol = r->protocol;
	r->ck.gen = gen;
	l->mask = pal_task_policies(gen, cfg);
	return true;
}

static __always_inline int net_decide(struct net_loop *l)
{
	if (!net_begin(l))
		return PAL_CG_ALLOW;
	net_eval(l);
	return net_finish(l);
}

/* Protocols whose connect and sendmsg reach the cgroup sock_addr hooks on every kernel. */
static __always_inline bool net_cgroup_proto(__u16 protocol)
{
	return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP || protocol == IPPROTO_MPTCP;
}

/*
 * Whether the LSM hooks decide this cgroup hook's request instead: the
 * protocols only they see, and calls by a task of another cgroup than the
 * socket's (marked in pal_net_sk by the LSM hook of the same syscall).
 */
static __always_inline bool net_lsm_decides(struct bpf_sock_addr *ctx, __u32 op)
{
	__u64 *cg;

	if (!pal_lsm_net)
		return false;
	if (op != PAL_OP_BIND && !net_cgroup_proto(ctx->protocol))
		return true;
	cg = bpf_sk_storage_get(&pal_net_sk, ctx->sk, 0, 0);
	return cg && *cg != bpf_get_current_cgroup_id();
}

static __always_inline int sock_addr4(struct bpf_sock_addr *ctx, __u8 access, __u32 op)
{
	struct net_loop l = {
		.r = {.ck = {.prefixlen = PAL_NET_CIDR_FIXED_BITS + 128, .access = access},
		      .family = AF_INET,
		      .op = op},
	};
	struct net_req *r = &l.r;
	__u32 ip4 = ctx->user_ip4;

	if (net_lsm_decides(ctx, op))
		return PAL_CG_ALLOW;

	r->ck.addr[10] = 0xff; /* ::ffff:a.b.c.d, so IPv4 rules are shared with v4-mapped v6 */
	r->ck.addr[11] = 0xff;
	__builtin_memcpy(&r->ck.addr[12], &ip4, 4);
	r->port = bpf_ntohs((__u16)ctx->user_port);
	r->protocol = ctx->protocol;
	r->type = ctx->type;
	return net_decide(&l);
}

static __always_inline void fill_addr6(struct bpf_sock_addr *ctx, struct net_req *r)
{
	/* ctx fields need constant offsets: no loop over user_ip6[] */
	__u32 w0 = ctx->user_ip6[0], w1 = ctx->user_ip6[1];
	__u32 w2 = ctx->user_ip6[2], w3 = ctx->user_ip6[3];

	__builtin_memcpy(&r->ck.addr[0], &w0, 4);
	__builtin_memcpy(&r->ck.addr[4], &w1, 4);
	__builtin_memcpy(&r->ck.addr[8], &w2, 4);
	__builtin_memcpy(&r->ck.addr[12], &w3, 4);
	r->port = bpf_ntohs((__u16)ctx->user_port);
	r->protocol = ctx->protocol;
	r->type = ctx->type;
}

static __always_inline int sock_addr6(struct bpf_sock_addr *ctx, __u8 access, __u32 op)
{
	struct net_loop l = {
		.r = {.ck = {.prefixlen = PAL_NET_CIDR_FIXED_BITS + 128, .access = access},
		      .family = AF_INET6,
		      .op = op},
	};

	if (net_lsm_decides(ctx, op))
		return PAL_CG_ALLOW;
	fill_addr6(ctx, &l.r);
	return net_decide(&l);
}

SEC("cgroup/connect4")
int palisade_connect4(struct bpf_sock_addr *ctx)
{
	return sock_addr4(ctx, PAL_ACC_CONNECT, PAL_OP_CONNECT);
}

SEC("cgroup/connect6")
int palisade_connect6(struct bpf_sock_addr *ctx)
{
	return sock_addr6(ctx, PAL_ACC_CONNECT, PAL_OP_CONNECT);
}

/* Unconnected UDP: the destination of each sendmsg is checked as a connect. */
SEC("cgroup/sendmsg4")
int palisade_sendmsg4(struct bpf_sock_addr *ctx)
{
	return sock_addr4(ctx, PAL_ACC_CONNECT, PAL_OP_SENDMSG);
}

SEC("cgroup/sendmsg6")
int palisade_sendmsg6(struct bpf_sock_addr *ctx)
{
	return sock_addr6(ctx, PAL_ACC_CONNECT, PAL_OP_SENDMSG);
}

/*
 * Whether an AF_INET6 socket also takes IPv4 (IPV6_V6ONLY off). TCP and UDP
 * sockets say so; for any other protocol the answer is yes, so that a
 * dual-stack bind is never let through by the IPv6 rules alone.
 */
static __always_inline bool sock_dual_stack(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *bs = ctx->sk;
	struct sock *sk = NULL;

	if (!bs)
		return true;
	if (ctx->protocol == IPPROTO_TCP)
		sk = (struct sock *)bpf_skc_to_tcp6_sock(bs);
	else if (ctx->protocol == IPPROTO_UDP)
		sk = (struct sock *)bpf_skc_to_udp6_sock(bs);
	if (!sk)
		return true;
	return !BPF_CORE_READ_BITFIELD(&sk->__sk_common, skc_ipv6only);
}

static __always_inline bool addr_is_any6(const __u8 *a)
{
	__u64 hi, lo;

	__builtin_memcpy(&hi, a, 8);
	__builtin_memcpy(&lo, a + 8, 8);
	return !hi && !lo;
}

/* Evaluate an IPv6 bind (after net_begin); dual: [::] that also takes IPv4. */
static __always_inline int net_bind6_finish(struct net_loop *l, bool dual)
{
	struct net_req *r = &l->r;
	__u8 first;

	net_eval(l);
	if (l->v.action == PAL_ACT_DENY || !dual)
		return net_finish(l);
	first = l->v.action;
	r->ck.addr[10] = 0xff; /* ::ffff:0.0.0.0 */
	r->ck.addr[11] = 0xff;
	net_eval(l);
	if (l->v.action == first) {
		r->ck.addr[10] = 0; /* the IPv6 verdict decided: report [::] */
		r->ck.addr[11] = 0;
	}
	return net_finish(l);
}

/*
 * bind6 of [::] on a dual-stack socket also listens on 0.0.0.0: the IPv4
 * rules (stored as ::ffff:0.0.0.0/96+n) decide as well, and the stronger
 * verdict stands. The record names the address whose rule decided.
 * v4-mapped binds (::ffff:a.b.c.d) already hit the IPv4 entries.
 */
SEC("cgroup/bind6")
int palisade_bind6(struct bpf_sock_addr *ctx)
{
	struct net_loop l = {
		.r = {.ck = {.prefixlen = PAL_NET_CIDR_FIXED_BITS + 128, .access = PAL_ACC_BIND},
		      .family = AF_INET6,
		      .op = PAL_OP_BIND},
	};

	if (net_lsm_decides(ctx, PAL_OP_BIND))
		return PAL_CG_ALLOW;
	fill_addr6(ctx, &l.r);
	if (!net_begin(&l))
		return PAL_CG_ALLOW;
	return net_bind6_finish(&l, addr_is_any6(l.r.ck.addr) && sock_dual_stack(ctx));
}

SEC("cgroup/bind4")
int palisade_bind4(struct bpf_sock_addr *ctx)
{
	return sock_addr4(ctx, PAL_ACC_BIND, PAL_OP_BIND);
}

SEC("cgroup/sock_create")
int palisade_sock_create(struct bpf_sock *ctx)
{
	struct net_loop l = {.r = {.op = PAL_OP_SOCKET}};

	l.r.family = ctx->family;
	l.r.type = ctx->type;
	l.r.protocol = ctx->protocol;
	return net_decide(&l);
}

/* ---- BPF LSM: other protocols, and sockets from other cgroups --------- */

/*
 * The cgroup sock_addr hooks only run for protocols with a pre_connect
 * (connect) and for UDP (sendmsg): ICMP datagram sockets, raw sockets, SCTP
 * and DCCP reach neither. These hooks decide those by the calling task's
 * cgroup. The address is the kernel's copy of the caller's sockaddr.
 *
 * The cgroup hooks run for the cgroup the socket was created in, which is
 * not the caller's when the socket was inherited or passed (SCM_RIGHTS,
 * pidfd_getfd) from another cgroup. Such calls, for every protocol, are
 * decided here by the policies of both cgroups, and the cgroup hooks skip
 * them (pal_net_sk), so one decision gives one record.
 */
#define MSG_FASTOPEN_FLAG 0x20000000
#define SOCK_STREAM_TYPE 1

static __always_inline int lsm_fill_addr(struct net_req *r, __u16 family, const void *name,
					 int namelen)
{
	struct sockaddr_in6 sa = {};

	bpf_probe_read_kernel(&sa, sizeof(sa), name);
	/* unconnected raw and ping sends take sin_family 0 as the socket's family */
	if (sa.sin6_family != AF_INET && sa.sin6_family != AF_INET6 && sa.sin6_family)
		return -1; /* EAFNOSUPPORT */
	if ((sa.sin6_family ?: family) == AF_INET) {
		if (namelen < (int)sizeof(struct sockaddr_in))
			return -1; /* EINVAL */
		r->ck.addr[10] = 0xff;
		r->ck.addr[11] = 0xff;
		__builtin_memcpy(&r->ck.addr[12], &((struct sockaddr_in *)&sa)->sin_addr, 4);
	} else {
		if (namelen < 24) /* SIN6_LEN_RFC2133: shorter is refused by the kernel */
			return -1; /* EINVAL */
		__builtin_memcpy(r->ck.addr, &sa.sin6_addr, 16);
	}
	r->port = bpf_ntohs(sa.sin6_port);
	return 0;
}

/* State of the walk over a cgroup's ancestors (bpf_loop context). */
struct cg_walk {
	struct pal_cgroup_key k;
	__u64 cg; /* struct cgroup * */
	__u64 mask;
	__u64 unknown;
	__u32 level;
	__u32 anc_off; /* offsetof(struct cgroup, ancestors), relocated */
};

/* Level lvl of the walk: as one step of pal_task_policies, for another cgroup. */
static long cg_walk_step(__u32 lvl, void *data)
{
	struct cg_walk *w = data;
	struct pal_cgroup_val *v;
	struct cgroup *a = NULL;

	if (lvl > w->level || lvl >= PAL_MAX_CGROUP_DEPTH)
		return 1;
	bpf_probe_read_kernel(&a, sizeof(a), (void *)(w->cg + w->anc_off + 8 * (__u64)lvl));
	w->k.cgroup_id = BPF_CORE_READ(a, kn, id);
	if (!w->k.cgroup_id)
		return 1;
	v = bpf_map_lookup_elem(&pal_cgroups, &w->k);
	if (v) {
		w->mask |= v->policies;
		w->unknown = v->unknown;
	} else {
		w->mask |= w->unknown; /* below it, nothing is classified either */
	}
	return 0;
}

/* The policies that apply to tasks of cgroup cg (pal_task_policies for that cgroup). */
static __always_inline __u64 cgroup_policies(__u32 gen, struct cgroup *cg)
{
	const struct pal_gen_config *cfg = pal_config_of(gen);
	struct cg_walk w = {.k = {.gen = gen}};

	if (!cfg)
		return 0;
	w.mask = cfg->host_policies;
	if (!cg || !cfg->ncgroup_keys)
		return w.mask;
	w.cg = (__u64)cg;
	w.level = BPF_CORE_READ(cg, level);
	w.anc_off = bpf_core_field_offset(struct cgroup, ancestors);
	bpf_loop(PAL_MAX_CGROUP_DEPTH, cg_walk_step, &w, 0);
	return w.mask;
}

/* Where a socket was created, if that is not the current task's cgroup. */
struct sk_origin {
	struct cgroup *cg;
	__u64 id;
	bool foreign;
};

static __always_inline void sk_origin(struct sock *sk, struct sk_origin *o)
{
	struct cgroup *cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);

	o->cg = cg;
	o->id = BPF_CORE_READ(cg, kn, id);
	o->foreign = o->id != bpf_get_current_cgroup_id();
}

/*
 * Decide a foreign call with the policies of the socket's cgroup too, and
 * mark the socket so that the cgroup hooks of this syscall skip it.
 */
static __always_inline bool lsm_begin(struct net_loop *l, struct sock *sk,
				      const struct sk_origin *o)
{
	__u64 *mark;

	if (!net_begin(l))
		return false;
	if (!o->foreign)
		return true;
	l->mask |= cgroup_policies(l->gen, o->cg);
	mark = bpf_sk_storage_get(&pal_net_sk, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (mark)
		*mark = o->id;
	return true;
}

/*
 * The request of a connect, sendmsg or bind, or 1 when this hook has no say:
 * a TCP/UDP/MPTCP call from the socket's own cgroup (the cgroup hooks
 * decide), a connected send, an address the kernel refuses itself.
 */
static __always_inline int lsm_request(struct net_loop *l, struct sock *sk, struct sk_origin *o,
				       const void *name, int namelen, __u32 flags)
{
	struct net_req *r = &l->r;
	__u16 family, af = 0;

	if (!sk || !name || namelen <= 0)
		return 1; /* connected send: the connect was decided */
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 1;
	r->protocol = BPF_CORE_READ(sk, sk_protocol);
	sk_origin(sk, o);
	if (!o->foreign && (r->op == PAL_OP_BIND || net_cgroup_proto(r->protocol)))
		return 1; /* the common case: one comparison */
	r->type = BPF_CORE_READ(sk, sk_type);
	/* TCP ignores a send's address, except for a Fast Open connect */
	if (r->op == PAL_OP_SENDMSG && r->type == SOCK_STREAM_TYPE && !(flags & MSG_FASTOPEN_FLAG))
		return 1;
	bpf_probe_read_kernel(&af, sizeof(af), name);
	if (r->op == PAL_OP_CONNECT && !af)
		return 1; /* AF_UNSPEC: disconnect */
	if (lsm_fill_addr(r, family, name, namelen))
		return 1; /* the kernel refuses the address itself */
	r->family = family;
	return 0;
}

static __always_inline int lsm_addr(struct sock *sk, const void *name, int namelen, __u32 op,
				    __u32 flags)
{
	struct net_loop l = {
		.r = {.ck = {.prefixlen = PAL_NET_CIDR_FIXED_BITS + 128, .access = PAL_ACC_CONNECT},
		      .op = op},
	};
	struct sk_origin o = {};

	if (lsm_request(&l, sk, &o, name, namelen, flags) || !lsm_begin(&l, sk, &o))
		return 0;
	net_eval(&l);
	return net_finish(&l) == PAL_CG_DENY ? -EPERM : 0;
}

SEC("?lsm/socket_connect")
int BPF_PROG(palisade_lsm_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	if (ret)
		return ret;
	return lsm_addr(sock->sk, address, addrlen, PAL_OP_CONNECT, 0);
}

SEC("?lsm/socket_sendmsg")
int BPF_PROG(palisade_lsm_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	if (ret)
		return ret;
	return lsm_addr(sock->sk, BPF_CORE_READ(msg, msg_name), BPF_CORE_READ(msg, msg_namelen),
			PAL_OP_SENDMSG, BPF_CORE_READ(msg, msg_flags));
}

/*
 * bind() by a task of another cgroup than the socket's (bind of the socket's
 * own cgroup is decided by the cgroup hooks), with the same dual-stack rule
 * as cgroup/bind6.
 */
SEC("?lsm/socket_bind")
int BPF_PROG(palisade_lsm_bind, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	struct net_loop l = {
		.r = {.ck = {.prefixlen = PAL_NET_CIDR_FIXED_BITS + 128, .access = PAL_ACC_BIND},
		      .op = PAL_OP_BIND},
	};
	struct sock *sk = sock->sk;
	struct sk_origin o = {};
	bool dual;

	if (ret)
		return ret;
	if (lsm_request(&l, sk, &o, address, addrlen, 0))
		return 0;
	dual = l.r.family == AF_INET6 && addr_is_any6(l.r.ck.addr) &&
	       !BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_ipv6only);
	if (!lsm_begin(&l, sk, &o))
		return 0;
	return net_bind6_finish(&l, dual) == PAL_CG_DENY ? -EPERM : 0;
}

/*
 * listen() on a socket that was never bound binds it to the any address and
 * a port the kernel picks (autobind), and no bind hook runs. It is decided
 * as a bind to [::] or 0.0.0.0, port 0, as bind() with port 0 is.
 */
SEC("?lsm/socket_listen")
int BPF_PROG(palisade_lsm_listen, struct socket *sock, int backlog, int ret)
{
	struct net_loop l = {
		.r = {.ck = {.prefixlen = PAL_NET_CIDR_FIXED_BITS + 128, .access = PAL_ACC_BIND},
		      .op = PAL_OP_BIND},
	};
	struct sock *sk;
	bool dual;

	if (ret)
		return ret;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_num))
		return 0; /* bound: bind() was decided */
	l.r.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (l.r.family != AF_INET && l.r.family != AF_INET6)
		return 0;
	l.r.protocol = BPF_CORE_READ(sk, sk_protocol);
	l.r.type = BPF_CORE_READ(sk, sk_type);
	dual = l.r.family == AF_INET6 &&
	       !BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_ipv6only);
	if (l.r.family == AF_INET) {
		l.r.ck.addr[10] = 0xff; /* 0.0.0.0 */
		l.r.ck.addr[11] = 0xff;
	}
	if (!net_begin(&l))
		return 0;
	return net_bind6_finish(&l, dual) == PAL_CG_DENY ? -EPERM : 0;
}
