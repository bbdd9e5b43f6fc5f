/* SPDX-License-Identifier: GPL-2.0-only */
/* User side of the LSM socket_create program (bpf/socket.bpf.c): non-inet families. */
#ifndef PALISADE_AGENT_SOCKET_H
#define PALISADE_AGENT_SOCKET_H

#include <stdbool.h>

#include "bpf/maps.h"
#include "policies/emit.h"

struct pal_socket;

/*
 * Adopt the program and its map if an earlier agent left them pinned;
 * otherwise nothing is loaded until a generation needs it (pal_socket_attach).
 */
int pal_socket_open(struct pal_socket **out, const struct pal_maps *maps, const char *pin_dir);
/*
 * Load and attach the program, and pin it with its map, unless it is
 * already: before the first generation with network policies goes live.
 * It stays attached from then on. 0, or -errno (logged).
 */
int pal_socket_attach(struct pal_socket *s);
bool pal_socket_attached(const struct pal_socket *s);
/* Write the pal_sock entries pal_emit_socket made (their keys name the slot). */
int pal_socket_write(struct pal_socket *s, const struct pal_sock_emit *em);
/* Delete every entry of slot. */
int pal_socket_clear_slot(struct pal_socket *s, __u32 slot);
void pal_socket_close(struct pal_socket *s, bool keep);

#endif
