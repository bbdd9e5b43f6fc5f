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
	const struct pal_maps *maps;
	bool attached; /* loaded here, or adopted */
};

int pal_socket_open(struct pal_socket **out, const struct pal_maps *maps, const char *pin_dir)
{
	struct pal_socket *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	pal_lsm_init(&s->lsm, "socket", socket_maps, 1, pin_dir);
	s->maps = maps;
	err = pal_lsm_adopt(&s->lsm);
	if (err < 0) {
		pal_socket_close(s, false);
		return err;
	}
	s->attached = err == 1;
	*out = s;
	return 0;
}

/*
 * Until a policy has network rules, the program would only return: it is
 * loaded then, which keeps its verification out of the agent's start.
 */
int pal_socket_attach(struct pal_socket *s)
{
	struct socket_bpf *skel;
	int err;

	if (s->attached)
		return 0;
	skel = socket_bpf__open();
	err = skel ? pal_maps_reuse(s->maps, skel->obj) : -errno;
	if (!err)
		err = socket_bpf__load(skel);
	if (err)
		pal_log_errno(err, "socket: the kernel refused the socket_create program");
	else
		err = pal_lsm_attach(&s->lsm, skel->obj, NULL);
	socket_bpf__destroy(skel);
	if (err)
		return err;
	s->attached = true;
	pal_log(PAL_LOG_INFO, "socket: attached socket_create, which the new generation needs");
	return 0;
}

bool pal_socket_attached(const struct pal_socket *s)
{
	return s && s->attached;
}

int pal_socket_write(struct pal_socket *s, const struct pal_sock_emit *em)
{
	if (!s->attached) /* its map comes with it */
		return em->nentries ? -ENOENT : 0;
	return PAL_MAP_WRITE_ENTRIES(s->lsm.map_fd[0], em->entries, em->nentries);
}

int pal_socket_clear_slot(struct pal_socket *s, __u32 slot)
{
	if (!s->attached)
		return 0;
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
