// SPDX-License-Identifier: GPL-2.0-only
/*
 * palbench_lsm: load and attach one of the benchmark-only LSM programs, say
 * so by creating READY, and keep it attached until SIGTERM; the programs are
 * detached when it exits. Runs in the benchmark VM only.
 *
 *   palbench_lsm empty READY
 *   palbench_lsm pathstr READY RULES    RULES: lines "d PATH" (directory rule)
 *                                       or "f PATH" (exact), each denying read
 *
 * For pathstr it also drains the ring buffer, as an enforcer's agent would,
 * and prints the counts on exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/bench.h"
#include "bench_empty.skel.h"
#include "bench_pathstr.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static int ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "palbench_lsm: cannot create '%s': %s\n", path, strerror(errno));
		return -errno;
	}
	close(fd);
	return 0;
}

static int run_empty(const char *ready_path)
{
	struct bench_empty_bpf *s = bench_empty_bpf__open_and_load();
	int err;

	if (!s) {
		fprintf(stderr, "palbench_lsm: empty: load failed: %s\n", strerror(errno));
		return 1;
	}
	err = bench_empty_bpf__attach(s);
	if (!err)
		err = ready(ready_path);
	while (!err && !stop)
		pause();
	bench_empty_bpf__destroy(s);
	return err ? 1 : 0;
}

/* Count the lines of RULES, to size the map before load. */
static int count_rules(FILE *f)
{
	char line[PS_PATH_MAX + 8];
	int n = 0;

	while (fgets(line, sizeof(line), f))
		n++;
	rewind(f);
	return n;
}

static int fill_rules(int fd, FILE *f)
{
	char line[PS_PATH_MAX + 8];

	while (fgets(line, sizeof(line), f)) {
		struct ps_rule r = {.deny = 1 /* FMODE_READ */};
		struct ps_key k;
		size_t len;

		line[strcspn(line, "\n")] = 0;
		len = strlen(line);
		if (len < 3 || (line[0] != 'd' && line[0] != 'f') || line[1] != ' ' ||
		    len - 2 >= PS_PATH_MAX) {
			fprintf(stderr, "palbench_lsm: bad rule line '%s'\n", line);
			return -EINVAL;
		}
		memset(&k, 0, sizeof(k));
		memcpy(k.path, line + 2, len - 2);
		r.kind = line[0] == 'd' ? PS_DIR : PS_EXACT;
		if (bpf_map_update_elem(fd, &k, &r, BPF_ANY))
			return -errno;
	}
	return 0;
}

static unsigned long long consumed;

static int on_event(void *ctx, void *data, size_t size)
{
	consumed++;
	return 0;
}

static unsigned long long counter(int fd, __u32 key)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	__u64 v[256];

	if (ncpu <= 0 || ncpu > 256 || bpf_map_lookup_elem(fd, &key, v))
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

static int run_pathstr(const char *ready_path, const char *rules_path)
{
	FILE *f = fopen(rules_path, "re");
	struct bench_pathstr_bpf *s = NULL;
	struct ring_buffer *rb = NULL;
	int err = -EINVAL, n;

	if (!f) {
		fprintf(stderr, "palbench_lsm: cannot open '%s': %s\n", rules_path,
			strerror(errno));
		return 1;
	}
	n = count_rules(f);
	s = bench_pathstr_bpf__open();
	if (!s)
		goto out;
	bpf_map__set_max_entries(s->maps.ps_rules, n + 16);
	err = bench_pathstr_bpf__load(s);
	if (err)
		fprintf(stderr, "palbench_lsm: the kernel refused the non-sleepable lsm/file_open "
				"program (bpf_d_path not allowed there?)\n");
	if (!err)
		err = fill_rules(bpf_map__fd(s->maps.ps_rules), f);
	if (!err)
		err = bench_pathstr_bpf__attach(s);
	if (!err) {
		rb = ring_buffer__new(bpf_map__fd(s->maps.ps_events), on_event, NULL, NULL);
		err = rb ? 0 : -errno;
	}
	if (!err)
		err = ready(ready_path);
	while (!err && !stop)
		ring_buffer__poll(rb, 100);
	if (rb) {
		int cfd = bpf_map__fd(s->maps.ps_counters);

		ring_buffer__consume(rb);
		printf("pathstr: denied %llu, suppressed %llu, lost %llu, consumed %llu\n",
		       counter(cfd, PS_CNT_DENIED), counter(cfd, PS_CNT_SUPPRESSED),
		       counter(cfd, PS_CNT_LOST), consumed);
	}
out:
	if (err)
		fprintf(stderr, "palbench_lsm: pathstr: %s\n", strerror(-err));
	ring_buffer__free(rb);
	bench_pathstr_bpf__destroy(s);
	fclose(f);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	libbpf_set_print(print_libbpf);
	if (argc == 3 && !strcmp(argv[1], "empty"))
		return run_empty(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "pathstr"))
		return run_pathstr(argv[2], argv[3]);
	fprintf(stderr, "usage: palbench_lsm empty READY | pathstr READY RULES\n");
	return 2;
}
