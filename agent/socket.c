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
			err = pal_lsm_attach(&s->lsm, skel->obj, NULL);
		socket_bpf__destroy(skel);
	}
	if (err < 0) {
		pal_socket_close(s, false);
		return err;
	}
	*out = s;
	return 0;
}

int pal_socket_write(struct pal_socket *s, const struct pal_sock_emit *em)
{
	return PAL_MAP_WRITE_ENTRIES(s->lsm.map_fd[0], em->entries, em->nentries);
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
