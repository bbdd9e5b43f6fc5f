/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Prometheus metrics endpoint (off by default; `palisade run --metrics
 * ADDR:PORT`). libmicrohttpd serves GET /metrics from its own thread in the
 * text exposition format 0.0.4, or in OpenMetrics 1.0.0 when the scraper's
 * Accept header prefers it; everything else is 404 (405 for a method other
 * than GET or HEAD). Each scrape adds the standard process_* metrics of the
 * agent, read from /proc/self.
 *
 * The numbers come from the daemon in one of two ways:
 *  - fill: called on every scrape, on the HTTP thread, with the endpoint's
 *    mutex held (so never twice at once). It must only read daemon state
 *    that is safe to read from another thread.
 *  - publish: fill is NULL and the daemon's loop hands over a copy with
 *    pal_metrics_publish() (e.g. once a second); scrapes serve the last copy
 *    and get 503 until the first one. This suits a single-threaded loop.
 *
 * Built without libmicrohttpd (PAL_HAVE_METRICS unset, as in the static VM
 * binary), pal_metrics_start() returns -EOPNOTSUPP; rendering still works.
 */
#ifndef PALISADE_AGENT_METRICS_H
#define PALISADE_AGENT_METRICS_H

#include <stddef.h>
#include <sys/socket.h>

#include "bpf/abi.h"

#define PAL_METRICS_NAME_MAX 64 /* a policy name (at most 63 characters) and its NUL */
#define PAL_METRICS_WORD_MAX 16 /* an action or event type word and its NUL */
/* One series per (policy, action, event type): 2 actions, at most 8 event types. */
#define PAL_METRICS_MAX_DECISIONS (PAL_MAX_POLICIES * 2 * 8)
#define PAL_METRICS_DEFAULT_ADDR "127.0.0.1:9464"

struct pal_metrics_decision {
	char policy[PAL_METRICS_NAME_MAX]; /* policy name */
	char action[PAL_METRICS_WORD_MAX]; /* "deny" | "audit" */
	char event[PAL_METRICS_WORD_MAX]; /* "file" | "exec" | "network" | "device" | "agent" */
	unsigned long long count; /* decisions since the agent started, folded ones included */
};

/* Large (about 100 KiB): allocate it, do not put it on the stack. */
struct pal_metrics_snapshot {
	unsigned long long lost; /* events dropped, ring buffer full (decisions stood) */
	unsigned long long suppressed; /* events not emitted, in-kernel rate limit */
	unsigned long long reloads; /* successful reloads, the first load included */
	unsigned long long reload_failures; /* reloads that kept the old generation */
	double last_reload_seconds; /* duration of the last reload attempt; NAN: none yet */
	unsigned long long generation; /* the live generation */
	unsigned long long cgroups_attached; /* cgroups the cgroup programs are attached to */
	unsigned long long ringbuf_used_bytes; /* unread bytes in the ring buffer */
	unsigned long long ringbuf_size_bytes; /* its size (PAL_RINGBUF_BYTES) */
	size_t ndecisions; /* entries used in decisions[] */
	struct pal_metrics_decision decisions[PAL_METRICS_MAX_DECISIONS];
};

/*
 * Add n decisions of (policy, action, event) to s: the entry's count grows,
 * or a new entry is appended. For a daemon that counts as it writes records.
 * Returns 0, -EINVAL (a word too long for its field) or -E2BIG (s is full).
 */
int pal_metrics_add_decision(struct pal_metrics_snapshot *s, const char *policy, const char *action,
			     const char *event, unsigned long long n);

/* Fill s (zeroed before the call, last_reload_seconds NAN). 0 or -errno (scrape gets 500). */
typedef int (*pal_metrics_fill_fn)(void *ctx, struct pal_metrics_snapshot *s);

struct pal_metrics;

/*
 * Listen on addr_port, numeric only: "127.0.0.1:9464", "[::1]:9464",
 * "0.0.0.0:9464". Port 0 picks a free port (see pal_metrics_port()). The
 * socket is bound to that address alone (IPv6 sockets are v6-only). fill may
 * be NULL (publish mode). Returns 0, -EINVAL (bad address), -EADDRINUSE,
 * -EADDRNOTAVAIL, -EOPNOTSUPP (built without libmicrohttpd) or another -errno.
 */
int pal_metrics_start(struct pal_metrics **out, const char *addr_port, pal_metrics_fill_fn fill,
		      void *ctx);
/* Publish mode: copy s for the following scrapes. */
void pal_metrics_publish(struct pal_metrics *m, const struct pal_metrics_snapshot *s);
/* The bound port. */
int pal_metrics_port(const struct pal_metrics *m);
/* Stop serving (waits for the HTTP thread) and free m. NULL is fine. */
void pal_metrics_stop(struct pal_metrics *m);

enum pal_metrics_format {
	PAL_METRICS_TEXT, /* Prometheus text exposition format 0.0.4 */
	PAL_METRICS_OPENMETRICS, /* OpenMetrics 1.0.0: counter families without _total, # EOF */
};

/* The process_* metrics of the calling process (the agent). */
struct pal_metrics_process {
	double cpu_seconds; /* user and system CPU time */
	double start_time_seconds; /* start, in seconds since the Unix epoch */
	unsigned long long resident_bytes; /* resident set size */
	unsigned long long virtual_bytes; /* virtual memory size */
	unsigned long long open_fds; /* open file descriptors */
	unsigned long long max_fds; /* RLIMIT_NOFILE, soft limit */
};

/* Read p from /proc/self, /proc/stat and getrlimit(). 0 or -errno (-EIO: unparsable). */
int pal_metrics_read_process(struct pal_metrics_process *p);

/*
 * The format a scraper's Accept header asks for: OpenMetrics when it lists
 * application/openmetrics-text (version 1.0.0, 0.0.1 or none) with a q-value
 * above 0 and not below that of text/plain; the text format otherwise,
 * including with no header (NULL).
 */
enum pal_metrics_format pal_metrics_negotiate(const char *accept);
/* The Content-Type of a format. */
const char *pal_metrics_content_type(enum pal_metrics_format f);

/*
 * Render s (and p, unless NULL) in format f into a malloc'ed, NUL-terminated
 * buffer. Sorts s->decisions and merges duplicate triples (their counts add
 * up), so the output is stable and has no duplicate series. Returns 0,
 * -EINVAL (ndecisions over the limit) or -ENOMEM.
 */
int pal_metrics_render_as(struct pal_metrics_snapshot *s, const struct pal_metrics_process *p,
			  enum pal_metrics_format f, char **out, size_t *len);
/* pal_metrics_render_as(s, NULL, PAL_METRICS_TEXT, out, len). */
int pal_metrics_render(struct pal_metrics_snapshot *s, char **out, size_t *len);
/* Parse "ADDR:PORT" as pal_metrics_start() does. 0 or -EINVAL. */
int pal_metrics_parse_addr(const char *addr_port, struct sockaddr_storage *ss, socklen_t *len);

#endif
