// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit stream's records, byte for byte: hostile records (names with
 * quotes, newlines, control bytes, DEL, bytes that are not UTF-8, long
 * paths) go through agent/events.c and the JSON log sink, and every line
 * must equal the golden file (argv[1]), whose records were written by the
 * formatter this test first ran against. The time field, which depends on
 * the clock, is checked apart: its exact form, and its value against the
 * record's boot time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/events.h"
#include "tests/agent/events_fixture.h"

#define MAX_EVENTS 32
#define STEP_NS 61001000ULL /* between records: a whole number of microseconds */

static const char *golden_path;
static char log_path[] = "/tmp/palisade-test-events-XXXXXX"; /* removed by main */

struct feed {
	struct pal_event ev[MAX_EVENTS];
	__u64 want_ns[MAX_EVENTS]; /* time_ns of each line written, in order */
	int n;
	__u64 base;
};

static __u64 boottime_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct pal_event *add(struct feed *f, __u32 type, __u32 op, const char *comm)
{
	struct pal_event *e = &f->ev[f->n];

	assert_true(f->n < MAX_EVENTS);
	memset(e, 0, sizeof(*e));
	e->time_ns = f->base + STEP_NS * f->n;
	e->generation = FX_GENERATION;
	e->type = type;
	e->op = op;
	e->action = PAL_ACT_DENY;
	e->err = -13;
	e->tgid = e->pid = 4242;
	e->ppid = 1;
	e->uid = 1000;
	e->gid = 100;
	e->cgroup_id = 9876543210ULL;
	strncpy(e->comm, comm, sizeof(e->comm) - 1);
	f->n++;
	return e;
}

static void set_v4(struct pal_event *e, __u8 a, __u8 b, __u8 c, __u8 d, __u16 port)
{
	__u8 addr[16] = {[10] = 0xff, [11] = 0xff, [12] = a, [13] = b, [14] = c, [15] = d};

	memcpy(e->net.daddr, addr, 16);
	e->net.dport = port;
	e->net.family = 2;
}

static void file_events(struct feed *f)
{
	struct pal_event *e;
	size_t n;

	e = add(f, PAL_EV_FILE, PAL_OP_OPEN, "a\"b\nc\\d");
	e->access = PAL_ACC_READ;
	e->start_ns = 123456789012ULL;
	strcpy(e->exe, "/usr/bin/cat");
	strcpy(e->path, "/etc/sh\"adow\n");

	/* not UTF-8 in exe; a path cut at the limit; a UTF-8 second path */
	e = add(f, PAL_EV_FILE, PAL_OP_RENAME, "del\x7f\x01");
	e->rule = 1;
	e->access = PAL_ACC_RENAME | PAL_ACC_DELETE | PAL_ACC_CREATE;
	e->flags = PAL_EVF_PATH2 | PAL_EVF_TRUNCATED;
	strcpy(e->exe, "/opt/b\xffin/x");
	for (n = 0; n + 11 < sizeof(e->path); n += 11)
		memcpy(e->path + n, "/abcdefg\xc3\xa9h", 11);
	e->path[n] = 0;
	strcpy(e->path2, "/tmp/\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80 \xed\xa0\x80");

	/* audit mode; exe only by name, of a process /proc does not have */
	e = add(f, PAL_EV_EXEC, PAL_OP_EXEC, "sh\xc3\x28");
	e->policy = 1;
	e->action = PAL_ACT_AUDIT;
	e->err = 0;
	e->tgid = e->pid = 2147483000;
	e->ppid = 0;
	e->access = PAL_ACC_EXEC;
	e->flags = PAL_EVF_UNRESOLVED | PAL_EVF_EXE_NAME | PAL_EVF_EXE_TRUNCATED;
	strcpy(e->exe, "sh\xc3\x28");
	strcpy(e->path, "/bin/\x1b[31mred\x1b[0m\t");
}

static void net_events(struct feed *f)
{
	static const __u8 v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct pal_event *e;

	e = add(f, PAL_EV_NET, PAL_OP_CONNECT, "}\n{\"v\":1}");
	e->rule = PAL_NO_RULE;
	e->err = -1;
	e->access = PAL_ACC_CONNECT;
	e->net.protocol = 6;
	e->ppid = 77;
	strcpy(e->exe, "/usr/bin/curl");
	set_v4(e, 127, 1, 2, 3, 443);

	e = add(f, PAL_EV_NET, PAL_OP_BIND, "nc");
	e->access = PAL_ACC_BIND | PAL_ACC_CONNECT;
	e->net.protocol = 17;
	e->net.family = 10;
	e->net.dport = 53;
	memcpy(e->net.daddr, v6, 16);
	strcpy(e->exe, "/usr/bin/nc");

	e = add(f, PAL_EV_NET, PAL_OP_SOCKET, "tcpdump");
	e->access = PAL_ACC_SOCKET;
	e->net.family = 17;
	e->net.protocol = 255;
	strcpy(e->exe, "/usr/sbin/tcpdump");
}

static void other_events(struct feed *f)
{
	struct pal_event *e;

	e = add(f, PAL_EV_DEV, PAL_OP_DEVICE, "dd");
	e->access = PAL_ACC_DEV_READ | PAL_ACC_DEV_WRITE | PAL_ACC_DEV_MKNOD;
	e->dev.type = 'b';
	e->dev.major = 8;
	e->dev.minor = 1;
	strcpy(e->exe, "/usr/bin/dd");

	e = add(f, PAL_EV_AGENT, PAL_OP_KILL, "kill");
	e->dev.major = 31337;
	e->access = 9;
	strcpy(e->exe, "/usr/bin/kill");

	e = add(f, PAL_EV_AGENT, PAL_OP_BPF, "bpftool");
	strcpy(e->exe, "/usr/sbin/bpftool");
	strcpy(e->path, "/sys/fs/bpf/palisade/\"x\x7f");

	/* policy sets the agent no longer has, rules it does not know, an unknown op */
	e = add(f, PAL_EV_FILE, PAL_OP_OPEN, "stale");
	e->generation = 3;
	e->rule = 5;
	strcpy(e->exe, "/bin/true");
	strcpy(e->path, "/x\xc2\x85y"); /* C1 controls are UTF-8: kept */
	e = add(f, PAL_EV_FILE, PAL_OP_CHMOD, "prev");
	e->generation = FX_GENERATION - 1;
	e->access = PAL_ACC_CHMOD;
	strcpy(e->exe, "/bin/chmod");
	strcpy(e->path, "/etc/passwd\xe2\x82");
	e = add(f, PAL_EV_FILE, 200, "odd");
	e->rule = 9;
	e->uid = 4294967295u;
	e->start_ns = 18446744073709551615ULL;
	strcpy(e->exe, "/bin/odd");
	strcpy(e->path, "");
}

static void feed_all(struct feed *f, struct pal_events *ev)
{
	struct pal_event rep;
	int i, lines = 0;

	for (i = 0; i < f->n; i++) {
		pal_events_feed(ev, &f->ev[i], sizeof(f->ev[i]));
		f->want_ns[lines++] = f->ev[i].time_ns;
	}
	/* the connect again, twice: folded into one record with count 2 at the end */
	rep = f->ev[3];
	rep.time_ns += 1000;
	pal_events_feed(ev, &rep, sizeof(rep));
	rep.time_ns += 1000;
	pal_events_feed(ev, &rep, sizeof(rep));
	f->want_ns[lines] = rep.time_ns;
	/* a record shorter than struct pal_event is not one */
	pal_events_feed(ev, &f->ev[0], sizeof(f->ev[0]) - 1);
}

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" to microseconds since the epoch. */
static long long parse_time(const char *s)
{
	struct tm tm = {0};
	int us, used = 0;

	assert_int_equal(strlen(s), 27);
	assert_int_equal(sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6dZ%n", &tm.tm_year, &tm.tm_mon,
				&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &us, &used),
			 7);
	assert_int_equal(used, 27);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm) * 1000000 + us;
}

/* Check the line's time and replace it with "T", as the golden file has it. */
static void check_time(char *line, __u64 want_ns, long long first_us, __u64 first_ns)
{
	char *t = strstr(line, "\"time\":\""), val[32];
	long long us;

	assert_non_null(t);
	t += 8;
	assert_true(strlen(t) > 28);
	memcpy(val, t, 27);
	val[27] = 0;
	assert_int_equal(t[27], '"');
	us = parse_time(val);
	/* one boot-to-wall offset for all records: exact steps between them */
	assert_int_equal(us - first_us, (long long)(want_ns - first_ns) / 1000);
	memmove(t + 1, t + 27, strlen(t + 27) + 1);
	t[0] = 'T';
}

static void compare(FILE *got, FILE *want, const struct feed *f, int nlines)
{
	char *g = NULL, *w = NULL;
	size_t gc = 0, wc = 0;
	long long first_us = 0, off_us;
	int i;

	off_us = (long long)(boottime_ns(CLOCK_REALTIME) - boottime_ns(CLOCK_BOOTTIME)) / 1000;
	for (i = 0; getline(&g, &gc, got) > 0; i++) {
		char *t = strstr(g, "\"time\":\"");

		assert_true(i < nlines);
		assert_non_null(t);
		if (!i) {
			char v[28];

			memcpy(v, t + 8, 27);
			v[27] = 0;
			first_us = parse_time(v);
			/* the wall time of the record's boot time, give or take the clock's steps */
			assert_true(llabs(first_us - (off_us + (long long)f->want_ns[0] / 1000)) <
				    2000000);
		}
		check_time(g, f->want_ns[i], first_us, f->want_ns[0]);
		assert_true(getline(&w, &wc, want) > 0);
		assert_string_equal(g, w);
	}
	assert_int_equal(i, nlines);
	assert_true(getline(&w, &wc, want) < 0);
	free(g);
	free(w);
}

static void test_golden(void **state)
{
	struct pal_enforcer en;
	struct pal_events *ev;
	struct pal_sink *sink;
	struct feed *f = calloc(1, sizeof(*f));
	struct pal_sink_opts so = {.log_path = log_path};
	struct pal_event_stats st;
	FILE *got, *want;
	int fd = mkstemp(log_path);

	(void)state;
	assert_non_null(f);
	assert_true(fd >= 0);
	close(fd);
	setenv("PALISADE_HOSTNAME", "node\"1\n\x7f", 1);
	fx_enforcer_init(&en);
	assert_int_equal(pal_sink_open(&sink, &so), 0);
	assert_int_equal(pal_events_open_feed(&ev, &en, sink), 0);
	f->base = boottime_ns(CLOCK_BOOTTIME);
	file_events(f);
	net_events(f);
	other_events(f);
	feed_all(f, ev);
	pal_events_stats(ev, &st);
	assert_int_equal(st.delivered, f->n + 2);
	assert_int_equal(st.written, f->n);
	assert_int_equal(st.folded, 2);
	pal_events_close(ev);
	pal_sink_close(sink);
	got = fopen(log_path, "r");
	want = fopen(golden_path, "r");
	assert_non_null(got);
	assert_non_null(want);
	compare(got, want, f, f->n + 1);
	fclose(got);
	fclose(want);
	free(f);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
	};
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: test_events GOLDEN.jsonl\n");
		return 2;
	}
	golden_path = argv[1];
	err = cmocka_run_group_tests(tests, NULL, NULL);
	if (strcmp(log_path + strlen(log_path) - 6, "XXXXXX"))
		unlink(log_path);
	return err;
}
