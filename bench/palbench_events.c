// SPDX-License-Identifier: GPL-2.0-only
/*
 * palbench_events: the agent's per-record cost of the audit stream, without
 * the kernel. It feeds S4's records (bench/native.sh: connect() denials from
 * one process to NADDR addresses in turn, of a cgroup program, so exe and
 * ppid come from /proc) to agent/events.c through pal_events_feed, and
 * writes the JSON log to LOG, flushing every BATCH records as one ring
 * buffer drain does.
 *
 *   palbench_events N NADDR [LOG]     (LOG: /dev/null by default)
 *
 * Prints "records cpu_s records_per_cpu_s lines": the records fed, the
 * process's user+system time for them, and the JSON lines written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include "agent/events.h"
#include "tests/agent/events_fixture.h"

#define BATCH 256
#define MAX_ADDR 65536

/* S4's policy: rule i denies connect() to address i (bench/native.sh writes one a line). */
static struct pal_ir_rule rules[MAX_ADDR];
static struct pal_ir_policy policy = {.name = "bench", .rules = rules, .nrules = MAX_ADDR};
static struct pal_policy_set set = {.policies = &policy, .npolicies = 1};

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* What bpf/net.bpf.c writes for a denied connect() to 127.1.x.y:9. */
static void storm_record(struct pal_event *e, __u64 now_ns)
{
	static const __u8 v4[16] = {[10] = 0xff, [11] = 0xff, [12] = 127, [13] = 1};

	memset(e, 0, sizeof(*e));
	e->time_ns = now_ns;
	e->cgroup_id = 4242;
	e->generation = FX_GENERATION;
	e->pid = e->tgid = getpid();
	e->type = PAL_EV_NET;
	e->op = PAL_OP_CONNECT;
	e->access = PAL_ACC_CONNECT;
	e->err = -1; /* EPERM */
	e->action = PAL_ACT_DENY;
	snprintf(e->comm, sizeof(e->comm), "palbench_native");
	memcpy(e->net.daddr, v4, sizeof(v4));
	e->net.dport = 9;
	e->net.family = 2;
	e->net.protocol = 17;
}

int main(int argc, char **argv)
{
	struct pal_sink_opts so = {.log_path = argc > 3 ? argv[3] : "/dev/null"};
	long n = argc > 2 ? atol(argv[1]) : 0, naddr = argc > 2 ? atol(argv[2]) : 0;
	struct pal_event_stats st;
	struct pal_enforcer en;
	struct pal_events *ev;
	struct pal_sink *sink;
	struct pal_event e;
	struct timespec ts;
	double t0, t1;

	if (n <= 0 || naddr <= 0 || naddr > MAX_ADDR) {
		fprintf(stderr, "usage: palbench_events N NADDR [LOG]\n");
		return 2;
	}
	fx_enforcer_init(&en);
	en.live = &set;
	for (int i = 0; i < MAX_ADDR; i++)
		rules[i] = (struct pal_ir_rule){.index = i, .loc = {"bench/s4.yaml", 3 + i, 5}};
	if (pal_sink_open(&sink, &so) || pal_events_open_feed(&ev, &en, sink))
		return 1;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	storm_record(&e, (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec);
	t0 = cpu_s();
	for (long i = 0; i < n; i++) {
		e.net.daddr[14] = (i % naddr) >> 8;
		e.net.daddr[15] = (i % naddr) & 0xff;
		e.rule = i % naddr;
		e.time_ns += 600; /* S4's storm: about 1.6 million denials a second */
		pal_events_feed(ev, &e, sizeof(e));
		if (i % BATCH == BATCH - 1)
			pal_sink_flush(sink);
	}
	pal_sink_flush(sink);
	t1 = cpu_s();
	pal_events_stats(ev, &st);
	pal_events_close(ev);
	pal_sink_close(sink);
	printf("%ld %.3f %.0f %llu\n", n, t1 - t0, n / (t1 - t0), st.written);
	return 0;
}
