// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Benchmark only: the "path-string" reference matcher, the approach of
 * KubeArmor and Tetragon. An lsm/file_open program renders the path with
 * bpf_d_path, then does one HASH lookup per directory prefix ("/x",
 * "/x/y", ...) and one of the full path, each keyed by a zero-padded
 * PS_PATH_MAX-byte string. A denial is reported on a ring buffer, rate
 * limited as Palisade limits its records (PS_RL_BURST per second, per
 * cgroup and object). Non-sleepable: the kernel allows bpf_d_path in an
 * LSM program of any hook that may sleep, file_open among them, whether
 * the program itself is sleepable or not (checked on every kernel of the
 * matrix). Not Palisade: never shipped, only compared against.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bench/bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define FMODE_EXEC 0x20
#define EACCES 13

/* key: a rule's path string. value: struct ps_rule. Sized by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ps_key);
	__type(value, struct ps_rule);
} ps_rules SEC(".maps");

struct ps_scratch {
	char buf[PS_PATH_MAX]; /* bpf_d_path output */
	struct ps_key key; /* the prefix being looked up */
};

/* key: 0. value: this CPU's scratch (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ps_scratch);
} ps_scratch_map SEC(".maps");

/* key: enum ps_counter. value: count on this CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PS_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ps_counters SEC(".maps");

/* struct ps_event records, drained by palbench_lsm. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} ps_events SEC(".maps");

/* key: struct ps_rl_key, one (cgroup, object) that had denials. value: its window. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ps_rl_key);
	__type(value, struct ps_rl_state);
} ps_ratelimit SEC(".maps");

struct walk {
	struct ps_scratch *s;
	__u32 len; /* bytes of the path, without the NUL */
	__u32 deny;
};

static void count(__u32 counter)
{
	__u64 *v = bpf_map_lookup_elem(&ps_counters, &counter);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/*
 * Copy byte i of the path into the key; at each '/' after the first, the key
 * holds one directory prefix: look it up. A bpf_loop callback keeps the
 * verifier's work independent of the path length.
 */
static long prefix_step(__u32 i, void *arg)
{
	struct walk *w = arg;
	struct ps_rule *r;
	char c;

	if (i >= w->len || i >= PS_PATH_MAX)
		return 1;
	c = w->s->buf[i & (PS_PATH_MAX - 1)];
	if (c == '/' && i > 0) {
		r = bpf_map_lookup_elem(&ps_rules, &w->s->key);
		if (r && r->kind == PS_DIR)
			w->deny |= r->deny;
	}
	w->s->key.path[i & (PS_PATH_MAX - 1)] = c;
	return 0;
}

/* Emit the event of a denial on f, or count it as suppressed. */
static bool rate_pass(struct file *f)
{
	struct ps_rl_key k = {.cgroup_id = bpf_get_current_cgroup_id(),
			      .ino = f->f_inode->i_ino,
			      .dev = f->f_inode->i_sb->s_dev};
	__u64 now = bpf_ktime_get_boot_ns();
	struct ps_rl_state *st = bpf_map_lookup_elem(&ps_ratelimit, &k);

	if (!st) {
		struct ps_rl_state fresh = {.window_start_ns = now, .count = 1};

		bpf_map_update_elem(&ps_ratelimit, &k, &fresh, BPF_ANY);
		return true;
	}
	if (now - st->window_start_ns >= PS_RL_WINDOW_NS) {
		st->window_start_ns = now;
		st->count = 1;
		return true;
	}
	if (__sync_fetch_and_add(&st->count, 1) < PS_RL_BURST)
		return true;
	count(PS_CNT_SUPPRESSED);
	return false;
}

static void report(struct ps_scratch *s, struct file *f)
{
	struct ps_event *e;

	count(PS_CNT_DENIED);
	if (!rate_pass(f))
		return;
	e = bpf_ringbuf_reserve(&ps_events, sizeof(*e), 0);
	if (!e) {
		count(PS_CNT_LOST);
		return;
	}
	e->time_ns = bpf_ktime_get_ns();
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	e->pad0 = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), s->buf);
	bpf_ringbuf_submit(e, 0);
}

SEC("lsm/file_open")
int BPF_PROG(bench_pathstr_open, struct file *file, int ret)
{
	__u32 fmode = file->f_mode, access = fmode & (FMODE_READ | FMODE_WRITE), zero = 0;
	struct walk w = {0};
	struct ps_rule *r;
	long len;

	if (ret)
		return ret;
	if (!access || (fmode & FMODE_EXEC))
		return 0;
	w.s = bpf_map_lookup_elem(&ps_scratch_map, &zero);
	if (!w.s)
		return 0;
	len = bpf_d_path((struct path *)&file->f_path, w.s->buf, sizeof(w.s->buf));
	if (len <= 0 || len > PS_PATH_MAX) {
		report(w.s, file); /* too long or unresolvable: fail closed */
		return -EACCES;
	}
	w.len = len - 1;
	__builtin_memset(&w.s->key, 0, sizeof(w.s->key));
	bpf_loop(PS_PATH_MAX, prefix_step, &w, 0);
	r = bpf_map_lookup_elem(&ps_rules, &w.s->key); /* the whole path */
	if (r)
		w.deny |= r->deny;
	if (!(w.deny & access))
		return 0;
	report(w.s, file);
	return -EACCES;
}
