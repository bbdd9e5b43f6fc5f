/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket (/run/palisade/palisade.sock, mode 0600, root): one
 * request line ("status", "reload", "stop"), one JSON reply, then close.
 */
#ifndef PALISADE_AGENT_CONTROL_H
#define PALISADE_AGENT_CONTROL_H

#include <stddef.h>
#include <time.h>

#define PAL_CONTROL_SOCKET "/run/palisade/palisade.sock"

struct pal_enforcer;
struct pal_events;

/* The daemon's state that `status` reports. */
struct pal_status {
	const struct pal_enforcer *en; /* live policies, generation, programs, maps */
	const struct pal_events *ev; /* event counters, decisions per policy */
	time_t started;
	time_t loaded; /* when the live generation was loaded */
	unsigned long long reloads, reload_failures;
};

/* What the daemon does for a request; ctx is pal_control_serve's. */
struct pal_control_ops {
	/*
	 * 0, or a negative errno (-EINVAL: policy errors): the old generation
	 * stays live, and why holds the reason (the first FILE:LINE:COL error).
	 */
	int (*reload)(void *ctx, char *why, size_t len);
	/* Stop the daemon after this reply. */
	void (*stop)(void *ctx);
	void (*status)(void *ctx, struct pal_status *st);
};

/* A request, as pal_control_parse reads it. */
enum pal_control_req {
	PAL_REQ_UNKNOWN = 0,
	PAL_REQ_STATUS,
	PAL_REQ_RELOAD,
	PAL_REQ_STOP,
};

/*
 * The request in the n bytes a client sent: a verb, alone on its line
 * (what follows the first \r or \n is ignored). Anything else, a NUL byte
 * included, is PAL_REQ_UNKNOWN. Reads only those n bytes.
 */
enum pal_control_req pal_control_parse(const char *buf, size_t n);

int pal_control_listen(const char *path);
/* Serve one connection from the listening fd. */
void pal_control_serve(int lfd, const struct pal_control_ops *ops, void *ctx);
void pal_control_close(int lfd, const char *path);

#endif
