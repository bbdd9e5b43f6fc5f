// SPDX-License-Identifier: GPL-2.0-only
/*
 * Network emitter: policy IR -> pal_net_cidr / pal_net_port / pal_net_sock
 * entries (bpf/net.h). Part of pal_policy; touches no kernel object.
 *
 * An LPM trie returns only the longest matching prefix, so every prefix's
 * entry must already hold the rules of all shorter prefixes covering it.
 * Items are sorted by (policy, access, address, prefix length); in that
 * order a covering prefix comes right before what it covers, so one sweep
 * with a stack of the open covering prefixes (at most 129 deep) closes the
 * set in O(n log n). A verdict is a set of disjoint port segments per
 * protocol; uniform verdicts go straight into the CIDR value, others are
 * interned as port tables and split into aligned port blocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/emit.h"
#include "policies/policy_int.h"

#define PORT_MAX 65535
#define STACK_MAX 130 /* prefix lengths 0..128 on one chain, plus one */

struct seg {
	int lo, hi;
	__u32 rule;
	__u8 action;
};

/* Per protocol: sorted, disjoint, coalesced segments; none = no rule. */
struct verdict {
	struct seg *s[PAL_NET_PROTOS];
	__u32 n[PAL_NET_PROTOS];
};

struct item {
	__u8 addr[16];
	__u8 prefix;
	__u8 policy;
	__u8 access;
	__u8 pad0;
	const struct pal_ir_net *net;
	__u32 rule; /* rule index (BPF value) */
};

struct table_slot {
	struct verdict v;
	__u32 id; /* 0: empty slot */
	__u64 hash;
};

struct interner {
	struct table_slot *slots;
	size_t cap, n;
};

struct emit_ctx {
	struct pal_net_emit *out;
	size_t cap_cidrs, cap_ports;
	struct interner tables;
	__u32 gen;
};

static bool stronger(__u8 a_act, __u32 a_rule, __u8 b_act, __u32 b_rule)
{
	return a_act > b_act || (a_act == b_act && a_rule < b_rule);
}

static void verdict_free(struct verdict *v)
{
	for (int p = 0; p < PAL_NET_PROTOS; p++) {
		free(v->s[p]);
		v->s[p] = NULL;
		v->n[p] = 0;
	}
}

static int push_seg(struct seg **arr, __u32 *n, int lo, int hi, __u8 action, __u32 rule)
{
	struct seg *a = *arr;

	if (lo > hi)
		return 0;
	/* coalesce with the previous segment when contiguous and equal */
	if (*n && a[*n - 1].hi + 1 == lo && a[*n - 1].action == action && a[*n - 1].rule == rule) {
		a[*n - 1].hi = hi;
		return 0;
	}
	a[(*n)++] = (struct seg){.lo = lo, .hi = hi, .rule = rule, .action = action};
	return 0;
}

/* Merge [lo, hi] -> (action, rule) into one protocol's segment list. */
static int merge_seg(struct verdict *v, int p, int lo, int hi, __u8 action, __u32 rule)
{
	/* each old segment splits into at most 3 parts, plus the gaps of the new one */
	struct seg *out = malloc((3 * v->n[p] + 2) * sizeof(*out));
	__u32 n = 0;
	int pos = lo;

	if (!out)
		return -ENOMEM;
	for (__u32 i = 0; i < v->n[p]; i++) {
		struct seg s = v->s[p][i];
		int ol, oh;

		if (s.hi < lo || s.lo > hi) {
			if (s.lo > hi && pos <= hi) {
				push_seg(&out, &n, pos, hi, action, rule);
				pos = hi + 1;
			}
			push_seg(&out, &n, s.lo, s.hi, s.action, s.rule);
			continue;
		}
		push_seg(&out, &n, s.lo, lo - 1, s.action, s.rule);
		push_seg(&out, &n, pos, s.lo - 1, action, rule);
		ol = s.lo > lo ? s.lo : lo;
		oh = s.hi < hi ? s.hi : hi;
		if (stronger(action, rule, s.action, s.rule))
			push_seg(&out, &n, ol, oh, action, rule);
		else
			push_seg(&out, &n, ol, oh, s.action, s.rule);
		pos = oh + 1;
		push_seg(&out, &n, hi + 1, s.hi, s.action, s.rule);
	}
	if (pos <= hi)
		push_seg(&out, &n, pos, hi, action, rule);
	free(v->s[p]);
	v->s[p] = out;
	v->n[p] = n;
	return 0;
}

static int merge_verdict(struct verdict *dst, const struct verdict *src)
{
	for (int p = 0; p < PAL_NET_PROTOS; p++)
		for (__u32 i = 0; i < src->n[p]; i++) {
			const struct seg *s = &src->s[p][i];
			int err = merge_seg(dst, p, s->lo, s->hi, s->action, s->rule);

			if (err)
				return err;
		}
	return 0;
}

/* The verdict of one rule: its ports on each protocol it names. */
static int rule_verdict(struct verdict *v, const struct item *it)
{
	const struct pal_ir_net *r = it->net;
	bool protos[PAL_NET_PROTOS] = {
		[PAL_NET_TCP] = r->protocols & PAL_PROTO_TCP,
		[PAL_NET_UDP] = r->protocols & PAL_PROTO_UDP,
		/* protocols absent (or both): the rule also covers other protocols */
		[PAL_NET_OTHER] = (r->protocols & PAL_PROTO_ALL) == PAL_PROTO_ALL,
	};

	for (int p = 0; p < PAL_NET_PROTOS; p++) {
		if (!protos[p])
			continue;
		if (!r->nports) {
			int err = merge_seg(v, p, 0, PORT_MAX, r->action, it->rule);

			if (err)
				return err;
		}
		for (__u32 i = 0; i < r->nports; i++) {
			int err;

			if (!r->ports[i].lo || r->ports[i].lo > r->ports[i].hi)
				return -EINVAL;
			err = merge_seg(v, p, r->ports[i].lo, r->ports[i].hi, r->action, it->rule);
			if (err)
				return err;
		}
	}
	return 0;
}

static bool verdict_uniform(const struct verdict *v)
{
	for (int p = 0; p < PAL_NET_PROTOS; p++) {
		if (v->n[p] != 1 || v->s[p][0].lo != 0 || v->s[p][0].hi != PORT_MAX)
			return false;
		if (v->s[p][0].action != v->s[0][0].action || v->s[p][0].rule != v->s[0][0].rule)
			return false;
	}
	return true;
}

static __u64 verdict_hash(const struct verdict *v)
{
	__u64 h = 1469598103934665603ull;

	for (int p = 0; p < PAL_NET_PROTOS; p++) {
		h = (h ^ (v->n[p] + 0x100u * p)) * 1099511628211ull;
		for (__u32 i = 0; i < v->n[p]; i++) {
			const struct seg *s = &v->s[p][i];

			h = (h ^ (__u64)s->lo << 32 ^ (__u64)s->hi) * 1099511628211ull;
			h = (h ^ (__u64)s->rule << 8 ^ s->action) * 1099511628211ull;
		}
	}
	return h;
}

static bool verdict_equal(const struct verdict *a, const struct verdict *b)
{
	for (int p = 0; p < PAL_NET_PROTOS; p++) {
		if (a->n[p] != b->n[p])
			return false;
		for (__u32 i = 0; i < a->n[p]; i++) {
			const struct seg *x = &a->s[p][i], *y = &b->s[p][i];

			if (x->lo != y->lo || x->hi != y->hi || x->rule != y->rule ||
			    x->action != y->action)
				return false;
		}
	}
	return true;
}

static int verdict_copy(struct verdict *dst, const struct verdict *src)
{
	memset(dst, 0, sizeof(*dst));
	for (int p = 0; p < PAL_NET_PROTOS; p++) {
		if (!src->n[p])
			continue;
		dst->s[p] = malloc(src->n[p] * sizeof(struct seg));
		if (!dst->s[p]) {
			verdict_free(dst);
			return -ENOMEM;
		}
		memcpy(dst->s[p], src->s[p], src->n[p] * sizeof(struct seg));
		dst->n[p] = src->n[p];
	}
	return 0;
}

/* Split [lo, hi] into aligned power-of-two blocks, one LPM entry each. */
static int emit_port_blocks(struct emit_ctx *c, __u32 table, int proto, const struct seg *s)
{
	int lo = s->lo;

	while (lo <= s->hi) {
		int k = 0;
		int err;

		while (k < 16 && !(lo & (1 << k)) && lo + (2 << k) - 1 <= s->hi)
			k++;
		err = pal_grow((void **)&c->out->ports, &c->cap_ports, c->out->nports + 1,
			       sizeof(*c->out->ports));
		if (err)
			return err;
		c->out->ports[c->out->nports++] = (struct pal_net_port_entry){
			.key = {.prefixlen = PAL_NET_PORT_FIXED_BITS + 16 - k,
				.table = table,
				.gen = c->gen,
				.proto = proto,
				.port = {lo >> 8, lo & 0xff}},
			.val = {.rule = s->rule, .action = s->action},
		};
		lo += 1 << k;
	}
	return 0;
}

static int intern_grow(struct interner *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 256;
	struct table_slot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++) {
		size_t j;

		if (!t->slots[i].id)
			continue;
		for (j = t->slots[i].hash & (ncap - 1); ns[j].id; j = (j + 1) & (ncap - 1))
			;
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

/* The port table id of v, emitting its port entries the first time. */
static int intern_table(struct emit_ctx *c, const struct verdict *v, __u32 *id)
{
	struct interner *t = &c->tables;
	__u64 h = verdict_hash(v);
	size_t j;
	int err;

	if ((t->n + 1) * 2 > t->cap && (err = intern_grow(t)))
		return err;
	for (j = h & (t->cap - 1); t->slots[j].id; j = (j + 1) & (t->cap - 1))
		if (t->slots[j].hash == h && verdict_equal(&t->slots[j].v, v)) {
			*id = t->slots[j].id;
			return 0;
		}
	if (t->n + 1 >= PAL_NET_MAX_TABLES)
		return -E2BIG;
	err = verdict_copy(&t->slots[j].v, v);
	if (err)
		return err;
	t->slots[j].hash = h;
	t->slots[j].id = ++t->n;
	*id = t->n;
	c->out->ntables = t->n;
	for (int p = 0; p < PAL_NET_PROTOS; p++)
		for (__u32 i = 0; i < v->n[p]; i++)
			if ((err = emit_port_blocks(c, *id, p, &v->s[p][i])))
				return err;
	return 0;
}

static int emit_cidr(struct emit_ctx *c, const struct item *it, const struct verdict *v)
{
	struct pal_net_cidr_entry e = {
		.key = {.prefixlen = PAL_NET_CIDR_FIXED_BITS + it->prefix,
			.gen = c->gen,
			.access = it->access,
			.policy = it->policy},
	};
	int err;

	memcpy(e.key.addr, it->addr, sizeof(e.key.addr));
	if (verdict_uniform(v)) {
		e.val.action = v->s[0][0].action;
		e.val.rule = v->s[0][0].rule;
	} else if ((err = intern_table(c, v, &e.val.table))) {
		return err;
	}
	err = pal_grow((void **)&c->out->cidrs, &c->cap_cidrs, c->out->ncidrs + 1,
		       sizeof(*c->out->cidrs));
	if (err)
		return err;
	c->out->cidrs[c->out->ncidrs++] = e;
	return 0;
}

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int r;

	if (x->policy != y->policy)
		return x->policy < y->policy ? -1 : 1;
	if (x->access != y->access)
		return x->access < y->access ? -1 : 1;
	r = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (r)
		return r;
	return (int)x->prefix - (int)y->prefix;
}

static bool same_prefix(const struct item *a, const struct item *b)
{
	return a->policy == b->policy && a->access == b->access && a->prefix == b->prefix &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Does prefix a (same policy and access) cover prefix b? */
static bool covers(const struct item *a, const struct item *b)
{
	int full = a->prefix / 8, rest = a->prefix % 8;

	if (a->policy != b->policy || a->access != b->access || a->prefix > b->prefix)
		return false;
	if (memcmp(a->addr, b->addr, full))
		return false;
	return !rest || !((a->addr[full] ^ b->addr[full]) & (0xff00 >> rest));
}

struct open_prefix {
	const struct item *it;
	struct verdict closed;
};

static int sweep(struct emit_ctx *c, const struct item *items, size_t n)
{
	struct open_prefix stack[STACK_MAX];
	size_t depth = 0;
	int err = 0;

	for (size_t i = 0; i < n && !err;) {
		struct verdict v = {0};
		size_t j = i;

		for (; j < n && same_prefix(&items[i], &items[j]) && !err; j++)
			err = rule_verdict(&v, &items[j]);
		while (depth && !covers(stack[depth - 1].it, &items[i]))
			verdict_free(&stack[--depth].closed);
		if (!err && depth)
			err = merge_verdict(&v, &stack[depth - 1].closed);
		if (!err)
			err = emit_cidr(c, &items[i], &v);
		if (err || depth == STACK_MAX) {
			verdict_free(&v);
			err = err ? err : -EINVAL;
			break;
		}
		stack[depth].it = &items[i];
		stack[depth++].closed = v;
		i = j;
	}
	while (depth)
		verdict_free(&stack[--depth].closed);
	return err;
}

static int collect_items(const struct pal_policy_set *set, struct item **out, size_t *nout,
			 __u32 *ops)
{
	size_t n = 0, cap = 0;
	struct item *items = NULL;
	static const struct pal_ir_cidr any = {.prefix = 0};

	for (__u32 p = 0; p < set->npolicies; p++) {
		const struct pal_ir_policy *pol = &set->policies[p];

		for (__u32 r = 0; r < pol->nnet; r++) {
			const struct pal_ir_net *net = &pol->net[r];
			__u32 ncidrs = net->ncidrs ? net->ncidrs : 1;

			if (net->op != PAL_NET_CONNECT && net->op != PAL_NET_BIND)
				continue;
			if (net->rule >= pol->nrules)
				goto inval;
			for (__u32 k = 0; k < ncidrs; k++) {
				const struct pal_ir_cidr *cidr =
					net->ncidrs ? &net->cidrs[k] : &any;
				struct item *it;

				if (cidr->prefix > 128)
					goto inval;
				if (pal_grow((void **)&items, &cap, n + 1, sizeof(*items))) {
					free(items);
					return -ENOMEM;
				}
				it = &items[n++];
				memset(it, 0, sizeof(*it));
				memcpy(it->addr, cidr->addr, sizeof(it->addr));
				it->prefix = cidr->prefix;
				it->policy = p;
				it->access =
					net->op == PAL_NET_CONNECT ? PAL_ACC_CONNECT : PAL_ACC_BIND;
				ops[p] |= it->access;
				it->net = net;
				it->rule = pol->rules[net->rule].index;
			}
		}
	}
	*out = items;
	*nout = n;
	return 0;
inval:
	free(items);
	return -EINVAL;
}

static int sock_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct pal_net_sock_entry *)a)->key,
		      &((const struct pal_net_sock_entry *)b)->key,
		      sizeof(struct pal_net_sock_key));
}

static int sock_field(__u32 v, __u16 *out)
{
	if (v == PAL_SOCK_ANY) {
		*out = PAL_NET_SOCK_ANY;
		return 0;
	}
	if (v >= PAL_NET_SOCK_ANY)
		return -EINVAL;
	*out = v;
	return 0;
}

/* One entry per (policy, family, type, protocol); duplicates keep the strongest. */
static int emit_socks(const struct pal_policy_set *set, __u32 gen, struct pal_net_emit *out)
{
	size_t cap = 0, n = 0;

	for (__u32 p = 0; p < set->npolicies; p++) {
		const struct pal_ir_policy *pol = &set->policies[p];

		for (__u32 r = 0; r < pol->nnet; r++) {
			const struct pal_ir_net *net = &pol->net[r];
			struct pal_net_sock_entry e = {.key = {.gen = gen, .policy = p}};

			if (net->op != PAL_NET_SOCKET)
				continue;
			if (net->rule >= pol->nrules || sock_field(net->family, &e.key.family) ||
			    sock_field(net->type, &e.key.type) ||
			    sock_field(net->protocol, &e.key.protocol))
				return -EINVAL;
			e.val.action = net->action;
			e.val.rule = pol->rules[net->rule].index;
			out->ops[p] |= PAL_ACC_SOCKET;
			if (pal_grow((void **)&out->socks, &cap, n + 1, sizeof(*out->socks)))
				return -ENOMEM;
			out->socks[n++] = e;
		}
	}
	if (n)
		qsort(out->socks, n, sizeof(*out->socks), sock_cmp);
	out->nsocks = 0;
	for (size_t i = 0; i < n; i++) {
		struct pal_net_sock_entry *last = out->nsocks ? &out->socks[out->nsocks - 1] : NULL;
		const struct pal_net_sock_entry *e = &out->socks[i];

		if (last && !sock_cmp(last, e)) {
			if (stronger(e->val.action, e->val.rule, last->val.action, last->val.rule))
				last->val = e->val;
			continue;
		}
		out->socks[out->nsocks++] = *e;
	}
	return 0;
}

static void interner_free(struct interner *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].id)
			verdict_free(&t->slots[i].v);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

void pal_net_emit_free(struct pal_net_emit *out)
{
	free(out->cidrs);
	free(out->ports);
	free(out->socks);
	memset(out, 0, sizeof(*out));
}

int pal_emit_net(const struct pal_policy_set *set, __u32 gen, struct pal_net_emit *out)
{
	struct emit_ctx c = {.out = out, .gen = gen};
	struct item *items = NULL;
	size_t n = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (gen >= PAL_GENS || set->npolicies > PAL_MAX_POLICIES)
		return -EINVAL;
	err = collect_items(set, &items, &n, out->ops);
	if (err)
		return err;
	if (n)
		qsort(items, n, sizeof(*items), item_cmp);
	err = sweep(&c, items, n);
	free(items);
	interner_free(&c.tables);
	if (!err)
		err = emit_socks(set, gen, out);
	if (!err && (out->ncidrs > PAL_NET_MAX_CIDR_KEYS / PAL_GENS ||
		     out->nports > PAL_NET_MAX_PORT_KEYS / PAL_GENS ||
		     out->nsocks > PAL_NET_MAX_SOCK_KEYS / PAL_GENS))
		return -E2BIG;
	if (err)
		pal_net_emit_free(out);
	return err;
}
