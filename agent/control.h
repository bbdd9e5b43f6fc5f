/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket (/run/palisade/palisade.sock, mode 0600, root): one
 * request line ("status", "reload", "stop"), one JSON reply, then close.
 */
#ifndef PALISADE_AGENT_CONTROL_H
#define PALISADE_AGENT_CONTROL_H

#include <stdio.h>

#define PAL_CONTROL_SOCKET "/run/palisade/palisade.sock"

/* Write the reply to a request into out (a JSON object). */
typedef void (*pal_control_fn)(void *ctx, const char *request, FILE *out);

int pal_control_listen(const char *path);
/* Serve one connection from the listening fd. */
void pal_control_serve(int lfd, pal_control_fn fn, void *ctx);
void pal_control_close(int lfd, const char *path);

#endif
