/* SPDX-License-Identifier: GPL-2.0-only */
/* pal_cgroup internals shared by its source files. */
#ifndef PALISADE_CGROUP_INTERNAL_H
#define PALISADE_CGROUP_INTERNAL_H

/* connect4/6, sendmsg4/6, bind4/6, sock_create, dev */
#define PAL_CG_NPROGS 8
/* components of a cgroup path or pattern the matcher handles */
#define PAL_CG_MAX_COMPONENTS 64

#endif /* PALISADE_CGROUP_INTERNAL_H */
