// SPDX-License-Identifier: GPL-2.0-only
/*
 * LSM socket emitter: `socket:` rules -> pal_sock entries (bpf/abi.h) for
 * the families cgroup/sock_create never sees (bpf/socket.bpf.c decides
 * them). Keys are merged in rule order with a hash set: linear in the keys.
 * Part of pal_policy; touches no kernel object.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "policies/emit.h"
#include "policies/policy_int.h"

/*
 * Inet families are decided by cgroup/sock_create; a rule without a family
 * is written for every non-inet family it could name at run time: it is
 * keyed on the family the hook sees, so such rules get a key per family the
 * kernel knows (AF_MAX is 46 on 6.1).
 */
#define PAL_AF_MAX 46
#define AF_INET_ 2
#define AF_INET6_ 10

/* pal_keyed_find_or_add finds entries by their first bytes */
_Static_assert(offsetof(struct pal_sock_entry, key) == 0, "pal_sock_entry starts with its key");

struct sock_ctx {
	struct pal_sock_emit *out;
	size_t cap;
	struct pal_hset keys; /* entries by key */
};

/* Keep the strongest action per key, and the first rule that had it. */
static int put(struct sock_ctx *c, const struct pal_sock_key *k, __u8 action, __u32 rule)
{
	struct pal_sock_emit *o = c->out;
	bool fresh;
	long j = pal_keyed_find_or_add(&c->keys, (void **)&o->entries, &o->nentries, &c->cap,
				       sizeof(*o->entries), k, sizeof(*k), &fresh);

	if (j < 0)
		return (int)j;
	if (fresh || o->entries[j].val.action < action)
		o->entries[j].val = (struct pal_sock_rule){.rule = rule, .action = action};
	return 0;
}

static __u16 key_part(__u32 v)
{
	return v == PAL_SOCK_ANY ? PAL_SOCK_KEY_ANY : (__u16)v;
}

static int emit_rule(struct sock_ctx *c, __u32 gen, __u32 policy, const struct pal_ir_net *n)
{
	struct pal_sock_key k;
	int err = 0;

	memset(&k, 0, sizeof(k));
	k.gen = gen;
	k.policy = policy;
	k.type = key_part(n->type);
	k.protocol = key_part(n->protocol);
	for (__u32 fam = 1; fam < PAL_AF_MAX && !err; fam++) {
		if (fam == AF_INET_ || fam == AF_INET6_ ||
		    (n->family != PAL_SOCK_ANY && n->family != fam))
			continue;
		k.family = fam;
		err = put(c, &k, n->action, n->rule);
	}
	return err;
}

/* The marker: this policy has socket rules; its value carries the default. */
static int emit_marker(struct sock_ctx *c, __u32 gen, __u32 policy, __u8 dflt)
{
	struct pal_sock_key k;

	memset(&k, 0, sizeof(k));
	k.gen = gen;
	k.policy = policy;
	k.family = PAL_SOCK_MARKER;
	return put(c, &k, dflt, PAL_NO_RULE);
}

static int emit_policy(struct sock_ctx *c, __u32 gen, __u32 p, const struct pal_ir_policy *pol)
{
	bool any = false;
	int err = 0;

	for (__u32 r = 0; r < pol->nnet && !err; r++) {
		if (pol->net[r].op != PAL_NET_SOCKET)
			continue;
		any = true;
		err = emit_rule(c, gen, p, &pol->net[r]);
	}
	if (any && !err)
		err = emit_marker(c, gen, p, pol->defaults[PAL_CLASS_NET]);
	return err;
}

int pal_emit_socket(const struct pal_policy_set *set, __u32 gen, struct pal_sock_emit *out)
{
	struct sock_ctx c = {.out = out};
	int err;

	memset(out, 0, sizeof(*out));
	if (gen >= PAL_GENS)
		return -EINVAL;
	err = pal_hset_init(&c.keys, 64);
	for (__u32 p = 0; p < set->npolicies && !err; p++)
		err = emit_policy(&c, gen, p, &set->policies[p]);
	pal_hset_free(&c.keys);
	if (err)
		pal_sock_emit_free(out);
	return err;
}

void pal_sock_emit_free(struct pal_sock_emit *out)
{
	free(out->entries);
	memset(out, 0, sizeof(*out));
}
