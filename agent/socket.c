// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <bpf/bpf.h>

#include "agent/log.h"
#include "agent/lsm.h"
#include "agent/socket.h"
#include "socket.skel.h"

static const char *const socket_maps[] = {"pal_sock"};

struct pal_socket {
	struct pal_lsm lsm;
};

int pal_socket_open(struct pal_socket **out, const struct pal_maps *maps, const char *pin_dir)
{
	struct pal_socket *s = calloc(1, sizeof(*s));
	struct socket_bpf *skel = NULL;
	int err;

	if (!s)
		return -ENOMEM;
	pal_lsm_init(&s->lsm, "socket", socket_maps, 1, pin_dir);
	err = pal_lsm_adopt(&s->lsm);
	if (err == 0) {
		skel = socket_bpf__open();
		err = skel ? pal_maps_reuse(maps, skel->obj) : -errno;
		if (!err)
			err = socket_bpf__load(skel);
		if (err)
			pal_log_errno(err, "socket: the kernel refused the socket_create program");
		else
			err = pal_lsm_attach(&s->lsm, skel->obj);
		socket_bpf__destroy(skel);
	}
	if (err < 0) {
		pal_socket_close(s, false);
		return err;
	}
	*out = s;
	return 0;
}

static __u16 key_part(__u32 v)
{
	return v == PAL_SOCK_ANY ? PAL_SOCK_KEY_ANY : (__u16)v;
}

/* Keep the strongest action per key, and the first rule that had it. */
static int merge(int fd, const struct pal_sock_key *k, __u8 action, __u32 rule)
{
	struct pal_sock_rule cur, v = {.rule = rule, .action = action};

	if (!bpf_map_lookup_elem(fd, k, &cur) && cur.action >= action)
		return 0;
	return bpf_map_update_elem(fd, k, &v, BPF_ANY) ? -errno : 0;
}

/*
 * Inet families are decided by cgroup/sock_create; a rule without a family
 * is written for every non-inet family it could name at run time: it is
 * keyed on the family the hook sees, so such rules get a key per family the
 * kernel knows (AF_MAX is 46 on 6.1).
 */
#define PAL_AF_MAX 46

static int write_rule(int fd, __u32 slot, __u32 policy, const struct pal_ir_net *n)
{
	struct pal_sock_key k = {.gen = slot,
				 .policy = policy,
				 .type = key_part(n->type),
				 .protocol = key_part(n->protocol)};
	int err = 0;

	for (__u32 fam = 1; fam < PAL_AF_MAX && !err; fam++) {
		if (fam == 2 || fam == 10 || (n->family != PAL_SOCK_ANY && n->family != fam))
			continue;
		k.family = fam;
		err = merge(fd, &k, n->action, n->rule);
	}
	return err;
}

int pal_socket_write(struct pal_socket *s, const struct pal_policy_set *set, __u32 slot)
{
	int fd = s->lsm.map_fd[0], err = 0;

	for (__u32 p = 0; p < set->npolicies && !err; p++) {
		const struct pal_ir_policy *pol = &set->policies[p];
		bool any = false;

		for (__u32 r = 0; r < pol->nnet && !err; r++) {
			if (pol->net[r].op != PAL_NET_SOCKET)
				continue;
			any = true;
			err = write_rule(fd, slot, p, &pol->net[r]);
		}
		if (any && !err) { /* the marker: socket rules exist, value = the default */
			struct pal_sock_key k = {
				.gen = slot, .policy = p, .family = PAL_SOCK_MARKER};
			struct pal_sock_rule v = {.rule = PAL_NO_RULE,
						  .action = pol->defaults[PAL_CLASS_NET]};

			if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
				err = -errno;
		}
	}
	return err;
}

int pal_socket_clear_slot(struct pal_socket *s, __u32 slot)
{
	return pal_map_clear_slot(s->lsm.map_fd[0], sizeof(struct pal_sock_key),
				  offsetof(struct pal_sock_key, gen), slot);
}

void pal_socket_close(struct pal_socket *s, bool keep)
{
	if (!s)
		return;
	pal_lsm_close(&s->lsm, keep);
	free(s);
}
