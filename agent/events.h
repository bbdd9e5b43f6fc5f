/* SPDX-License-Identifier: GPL-2.0-only */
/* The audit stream: ring buffer records to JSON lines (docs/audit-log.md). */
#ifndef PALISADE_AGENT_EVENTS_H
#define PALISADE_AGENT_EVENTS_H

#include "agent/reload.h"
#include "agent/sink.h"

struct pal_events;

struct pal_event_stats {
	unsigned long long delivered; /* ring buffer records consumed */
	unsigned long long written; /* JSON decision records written (folded ones count once) */
	unsigned long long folded; /* records folded into a later `count` */
	unsigned long long lost; /* kernel: ring buffer full */
	unsigned long long suppressed; /* kernel: rate limited */
};

int pal_events_open(struct pal_events **out, struct pal_enforcer *en, struct pal_sink *sink);
/*
 * A stream without the kernel (tests, bench/palbench_events): no ring buffer,
 * no counters; records come from pal_events_feed. en needs only its policy
 * sets (and cg2_root, "" for no cgroup paths).
 */
int pal_events_open_feed(struct pal_events **out, struct pal_enforcer *en, struct pal_sink *sink);
/* One ring buffer record, as the ring buffer delivers it (the sink flushes: pal_sink_flush). */
void pal_events_feed(struct pal_events *ev, const void *data, size_t size);
/* fd to poll for readability (the ring buffer's epoll fd). */
int pal_events_fd(struct pal_events *ev);
/* Consume everything available. Returns records consumed or -errno. */
int pal_events_consume(struct pal_events *ev);
/* Once a second: lost/suppressed counters, folded duplicates, sink errors. */
void pal_events_tick(struct pal_events *ev);
/* Write an `agent` or `policy` record with a message. */
void pal_events_note(struct pal_events *ev, const char *event, const char *message);
void pal_events_policy(struct pal_events *ev, const struct pal_reload_report *rep);
void pal_events_stats(const struct pal_events *ev, struct pal_event_stats *st);
/* Unread bytes in the ring buffer, or -1 when it cannot be mapped. */
long long pal_events_ringbuf_used(const struct pal_events *ev);

/* Decisions delivered per (policy, action, event type) since the agent started. */
struct pal_decision_count {
	char policy[PAL_POLICY_NAME_MAX + 1];
	__u8 action; /* PAL_ACT_DENY or PAL_ACT_AUDIT */
	__u8 type; /* enum pal_event_type */
	unsigned long long count;
};
/* The table of counts (at most PAL_MAX_POLICIES * 2 * PAL_EV_AGENT entries). */
const struct pal_decision_count *pal_events_decisions(const struct pal_events *ev, size_t *n);
const char *pal_event_type_name(__u32 type);
void pal_events_close(struct pal_events *ev);

#endif
