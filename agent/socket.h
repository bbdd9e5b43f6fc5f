/* SPDX-License-Identifier: GPL-2.0-only */
/* User side of the LSM socket_create program (bpf/socket.bpf.c): non-inet families. */
#ifndef PALISADE_AGENT_SOCKET_H
#define PALISADE_AGENT_SOCKET_H

#include <stdbool.h>

#include "bpf/maps.h"
#include "policies/policy.h"

struct pal_socket;

int pal_socket_open(struct pal_socket **out, const struct pal_maps *maps, const char *pin_dir);
/* Write the pal_sock entries of slot for the `socket:` rules of set. */
int pal_socket_write(struct pal_socket *s, const struct pal_policy_set *set, __u32 slot);
/* Delete every entry of slot. */
int pal_socket_clear_slot(struct pal_socket *s, __u32 slot);
void pal_socket_close(struct pal_socket *s, bool keep);

#endif
