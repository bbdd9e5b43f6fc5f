// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <bpf/libbpf.h>

#include "agent/events.h"
#include "agent/jsonw.h"
#include "agent/log.h"
#include "agent/ratelimit.h"
#include "cgroup/container.h"

#define DEDUP_SLOTS 4096 /* distinct recent denials remembered for folding */
#define DEDUP_WINDOW_NS 1000000000ULL
#define CGCACHE_SLOTS 256
#define PROCCACHE_SLOTS 1024 /* tgid -> exe, ppid for events of cgroup programs */
#define PROCCACHE_NS 1000000000ULL /* how long a /proc lookup is reused */
/*
 * Drains closer together than this are a stream, not single denials: the
 * agent then stops polling the ring buffer for PAUSE_NS after each drain
 * and takes what came meanwhile in one go, instead of waking (and writing
 * the log) for every record. 8 MB of ring buffer hold 3,300 records: a
 * pause overflows it only above 1.6 million records a second, more than
 * the agent formats anyway.
 */
#define PAUSE_NS 2000000LL
#define STREAM_GAP_NS (2 * PAUSE_NS)

/* A recent denial: repeats within the window only bump `pending`. */
struct dedup {
	__u64 hash;
	__u64 first_ns; /* boot time of the record that opened the window */
	unsigned long long pending; /* repeats not yet written */
	char *line; /* JSON of the last repeat, without "count" */
	size_t len;
	size_t cap;
};

/* What /proc said about a process, so a flood costs no syscalls per record. */
struct procinfo {
	__u32 tgid;
	__u32 ppid;
	__u64 at_ns; /* boot time of the lookup */
	__u64 start_ticks; /* /proc/PID/stat starttime: tells a reused pid apart */
	char exe[PAL_EV_EXE_MAX];
};

/*
 * A cgroup id's path and container identity. Cgroup ids are not reused
 * while the system runs, so an entry never goes stale; the table is
 * bounded (CGCACHE_SLOTS) and a collision only costs a new lookup.
 */
struct cgname {
	__u64 id;
	char path[240];
	struct pal_container ctr; /* from the full path */
	struct pal_ctr_meta meta; /* from the OCI state, without labels; "" if unknown */
};

#define MAX_COUNTS (PAL_MAX_POLICIES * 2 * PAL_EV_AGENT)

/* The access words of the last record of a class (file or device). */
struct access_memo {
	bool valid;
	__u32 bits;
	char words[256];
};

struct pal_events {
	struct ring_buffer *rb;
	struct pal_decision_count counts[MAX_COUNTS];
	size_t ncounts;
	struct pal_enforcer *en;
	struct pal_sink *sink;
	struct jw w;
	char host[256];
	struct pal_event_stats st;
	__u64 base_lost, base_suppressed; /* kernel counters when we started */
	struct pal_rl_seen *rl; /* per-key suppressed counts already reported */
	long long rl_carry; /* suppressed in the total, not (yet) under a key */
	struct dedup dd[DEDUP_SLOTS];
	struct cgname cg[CGCACHE_SLOTS];
	struct procinfo proc[PROCCACHE_SLOTS];
	struct access_memo access_memo[2]; /* file, device */
	int cg2_fd; /* cgroup2 mount, for open_by_handle_at */
	int pollfd; /* what the agent polls (epoll): the ring buffer, or the pause timer */
	int timerfd; /* the end of a pause */
	bool paused; /* the ring buffer is out of pollfd */
	__s64 last_drain_ns; /* CLOCK_MONOTONIC of the last drain that found records */
	struct pal_oci_roots oci; /* runtime state directories for container metadata */
};

static const char *const op_names[PAL_OP_MAX] = {
	[PAL_OP_OPEN] = "open",		[PAL_OP_EXEC] = "exec",
	[PAL_OP_MMAP] = "mmap",		[PAL_OP_UNLINK] = "unlink",
	[PAL_OP_RENAME] = "rename",	[PAL_OP_LINK] = "link",
	[PAL_OP_CHMOD] = "chmod",	[PAL_OP_CHOWN] = "chown",
	[PAL_OP_TRUNCATE] = "truncate", [PAL_OP_CREATE] = "create",
	[PAL_OP_WRITE] = "write",	[PAL_OP_CONNECT] = "connect",
	[PAL_OP_SENDMSG] = "sendmsg",	[PAL_OP_BIND] = "bind",
	[PAL_OP_SOCKET] = "socket",	[PAL_OP_DEVICE] = "device",
	[PAL_OP_BPF] = "bpf",		[PAL_OP_KILL] = "kill",
	[PAL_OP_PTRACE] = "ptrace",	[PAL_OP_RLIMIT] = "rlimit",
	[PAL_OP_MOUNT] = "mount",	[PAL_OP_CGROUP_MOVE] = "cgroup_move",
	[PAL_OP_SETXATTR] = "setxattr", [PAL_OP_REMOVEXATTR] = "removexattr",
	[PAL_OP_SETATTR] = "setattr",	[PAL_OP_SETFLAGS] = "setflags",
};

const char *pal_event_type_name(__u32 type)
{
	switch (type) {
	case PAL_EV_FILE:
		return "file";
	case PAL_EV_EXEC:
		return "exec";
	case PAL_EV_NET:
		return "network";
	case PAL_EV_DEV:
		return "device";
	default:
		return "agent";
	}
}

/*
 * RFC 3339, UTC, microseconds, from a CLOCK_BOOTTIME stamp (0: now). The
 * boot-to-wall offset and the text of the current second are cached: this
 * runs once per record, hundreds of thousands of times a second.
 */
static void format_time(__u64 boot_ns, char *buf, size_t len)
{
	static __thread __s64 offset, offset_at; /* realtime - boottime, and when (boot ns) */
	static __thread time_t cached_sec = -1;
	static __thread char cached[32];
	static __thread size_t cached_len;
	long long us;
	__s64 ns;
	time_t sec;

	if (!boot_ns || (__s64)boot_ns - offset_at > 1000000000LL || !offset_at) {
		struct timespec rt, bt;

		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_BOOTTIME, &bt);
		offset_at = (__s64)bt.tv_sec * 1000000000LL + bt.tv_nsec;
		offset = (__s64)rt.tv_sec * 1000000000LL + rt.tv_nsec - offset_at;
		if (!boot_ns)
			boot_ns = offset_at;
	}
	ns = offset + (__s64)boot_ns;
	sec = ns / 1000000000LL;
	if (sec != cached_sec) {
		struct tm tm;

		gmtime_r(&sec, &tm);
		cached_len = strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = sec;
	}
	us = (long long)(ns % 1000000000LL) / 1000;
	if (us < 0 || cached_len + 9 > len) { /* before 1970: as printf writes it */
		snprintf(buf, len, "%s.%06lldZ", cached, us);
		return;
	}
	memcpy(buf, cached, cached_len);
	buf += cached_len;
	*buf++ = '.';
	for (int i = 5; i >= 0; i--, us /= 10)
		buf[i] = (char)('0' + us % 10);
	buf[6] = 'Z';
	buf[7] = 0;
}

/* What the cgroup's path and its runtime's OCI state say about its container. */
static void identify(struct pal_events *ev, struct cgname *c, const char *rel)
{
	struct pal_ctr_meta m;

	pal_ctr_meta_free(&c->meta);
	if (pal_container_parse(rel, &c->ctr) || c->ctr.kind != PAL_CTR_CONTAINER)
		return;
	if (pal_oci_read(&ev->oci, c->ctr.id, &m))
		return;
	/* the record carries no labels: keep the cache entry small */
	c->meta = m;
	c->meta.labels = NULL;
	c->meta.nlabels = 0;
	pal_ctr_meta_free(&m);
}

/* cgroup id -> path relative to the cgroup2 root (through a file handle), and identity. */
static const struct cgname *cgroup_lookup(struct pal_events *ev, struct cgname *c, __u64 id)
{
	struct {
		struct file_handle fh;
		__u64 id;
	} h = {.fh = {.handle_bytes = sizeof(__u64), .handle_type = 0xfe /* FILEID_KERNFS */},
	       .id = id};
	char link[64], path[PATH_MAX];
	size_t rootlen = strlen(ev->en->cg2_root);
	const char *rel;
	ssize_t n;
	int fd;

	fd = open_by_handle_at(ev->cg2_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	path[n] = 0;
	c->id = id;
	rel = strncmp(path, ev->en->cg2_root, rootlen) ? path :
	      path[rootlen]			       ? path + rootlen :
							 "/";
	snprintf(c->path, sizeof(c->path), "%.239s", rel);
	identify(ev, c, rel);
	return c;
}

/* A cgroup's cached name; looked up once per id (CGCACHE_SLOTS). */
static const struct cgname *cgroup_of(struct pal_events *ev, __u64 id)
{
	struct cgname *c = &ev->cg[id % CGCACHE_SLOTS];

	if (c->id == id)
		return c;
	if (ev->cg2_fd < 0)
		return NULL;
	return cgroup_lookup(ev, c, id);
}

/* Optional fields of schema v1: the container a decision happened in, where known. */
static void put_container(struct pal_events *ev, const struct cgname *c)
{
	const struct pal_ctr_meta *m = &c->meta;
	__u8 rt = c->ctr.runtime;

	if (c->ctr.kind != PAL_CTR_CONTAINER)
		return;
	/* the path names the runtime unless it only says "a CRI container" */
	if ((rt == PAL_RT_CRI || rt == PAL_RT_RUNC || rt == PAL_RT_CRUN) && m->runtime)
		rt = m->runtime;
	jw_str(&ev->w, "container_id", c->ctr.id);
	jw_str(&ev->w, "runtime", pal_ctr_runtime_name(rt));
	if (m->name[0])
		jw_str(&ev->w, "container", m->name);
	if (m->pod[0])
		jw_str(&ev->w, "pod", m->pod);
	if (m->ns[0])
		jw_str(&ev->w, "namespace", m->ns);
	if (m->image[0])
		jw_str(&ev->w, "image", m->image);
	if (c->ctr.pod_uid[0] || m->pod_uid[0])
		jw_str(&ev->w, "pod_uid", c->ctr.pod_uid[0] ? c->ctr.pod_uid : m->pod_uid);
}

/* "FILE:LINE" of a rule into src, as snprintf("%s:%u") writes it (cut to len). */
static void rule_src(char *src, size_t len, const struct pal_loc *loc)
{
	size_t fl = strlen(loc->file), nl;
	char num[24] = ":";

	nl = 1 + jw_fmt_u64(num + 1, loc->line);
	if (fl + nl >= len) {
		snprintf(src, len, "%s:%u", loc->file, loc->line);
		return;
	}
	memcpy(src, loc->file, fl);
	memcpy(src + fl, num, nl);
	src[fl + nl] = 0;
}

static void put_rule(struct pal_events *ev, const struct pal_event *e,
		     const struct pal_policy_set *set)
{
	if (e->type == PAL_EV_AGENT) { /* bpf/guard.bpf.c: not a policy's decision */
		jw_str(&ev->w, "mode", "enforce");
		jw_str(&ev->w, "policy", "self-protection");
		jw_null(&ev->w, "rule");
		jw_str(&ev->w, "rule_src", "builtin");
		return;
	}
	const struct pal_ir_policy *p =
		set && e->policy < set->npolicies ? &set->policies[e->policy] : NULL;
	char src[PATH_MAX + 16];

	jw_str(&ev->w, "mode", p ? pal_mode_name(p->mode) : "enforce");
	jw_str(&ev->w, "policy", p ? p->name : "?");
	if (e->rule == PAL_NO_RULE) {
		jw_null(&ev->w, "rule");
		jw_str(&ev->w, "rule_src", "default");
		return;
	}
	if (!p || e->rule >= p->nrules) {
		/* a generation older than the two we keep: the kernel's rule index is all we know */
		jw_int(&ev->w, "rule", e->rule);
		jw_str(&ev->w, "rule_src", "unknown");
		return;
	}
	jw_int(&ev->w, "rule", e->rule);
	rule_src(src, sizeof(src), &p->rules[e->rule].loc);
	jw_str(&ev->w, "rule_src", src);
}

/*
 * The access words of a record ("read,write"): network ones by table, file
 * and device ones from the policy library, remembered per class (a flood
 * repeats the same access).
 */
static const char *access_words(struct pal_events *ev, const struct pal_event *e)
{
	static const char *const net[8] = {
		"",	  "connect",	    "bind",	   "connect,bind",
		"socket", "connect,socket", "bind,socket", "connect,bind,socket",
	};
	__u8 class = e->type == PAL_EV_DEV ? PAL_CLASS_DEV : PAL_CLASS_FILE;
	struct access_memo *m = &ev->access_memo[class == PAL_CLASS_DEV];

	if (e->type == PAL_EV_NET)
		return net[e->access & 7];
	if (e->type == PAL_EV_AGENT)
		return "";
	if (!m->valid || m->bits != e->access) {
		m->words[0] = 0;
		pal_access_names(class, e->access, m->words, sizeof(m->words));
		m->bits = e->access;
		m->valid = true;
	}
	return m->words;
}

static void put_access(struct pal_events *ev, const struct pal_event *e)
{
	jw_csv_array(&ev->w, "access", access_words(ev, e));
}

/* Parent and start time (clock ticks after boot) from /proc (0 if gone). */
static unsigned int proc_ppid(unsigned int tgid, __u64 *start)
{
	char path[64], buf[512], *p;
	unsigned long long st = 0;
	unsigned int ppid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')'); /* comm may contain spaces and parentheses */
	if (!p || sscanf(p + 1,
			 " %*c %u %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			 "%*d %*d %llu",
			 &ppid, &st) != 2)
		return 0;
	*start = st;
	return ppid;
}

/* USER_HZ ticks of /proc/PID/stat's starttime, from nanoseconds after boot. */
#define NS_PER_USER_TICK 10000000ULL

/* exe and ppid of a task that cgroup programs could not read (best effort, cached). */
static const struct procinfo *proc_info(struct pal_events *ev, const struct pal_event *e)
{
	struct procinfo *p = &ev->proc[e->tgid % PROCCACHE_SLOTS];
	char link[64];
	ssize_t n;

	if (p->tgid == e->tgid && p->at_ns && e->time_ns - p->at_ns < PROCCACHE_NS &&
	    (!e->start_ns || e->start_ns / NS_PER_USER_TICK == p->start_ticks))
		return p;
	p->tgid = e->tgid;
	p->at_ns = e->time_ns ? e->time_ns : 1;
	p->start_ticks = 0;
	p->ppid = proc_ppid(e->tgid, &p->start_ticks);
	snprintf(link, sizeof(link), "/proc/%u/exe", e->tgid);
	n = readlink(link, p->exe, sizeof(p->exe) - 1);
	p->exe[n > 0 ? n : 0] = 0;
	return p;
}

/*
 * /proc's view of the actor, only if it is the same process: a pid the
 * kernel gave to another process since the decision (the start times
 * differ) names someone else.
 */
static const struct procinfo *same_proc(struct pal_events *ev, const struct pal_event *e)
{
	const struct procinfo *p = proc_info(ev, e);

	if (e->start_ns && e->start_ns / NS_PER_USER_TICK != p->start_ticks)
		return NULL;
	return p;
}

/* The last component of a path. */
static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void put_process(struct pal_events *ev, const struct pal_event *e)
{
	bool name_only = e->flags & PAL_EVF_EXE_NAME;
	const struct procinfo *p = NULL;

	if (name_only || !e->exe[0] || !e->ppid)
		p = same_proc(ev, e);
	jw_int(&ev->w, "pid", e->tgid);
	jw_int(&ev->w, "ppid", e->ppid ? e->ppid : p ? p->ppid : 0);
	jw_int(&ev->w, "uid", e->uid);
	jw_int(&ev->w, "gid", e->gid);
	jw_bytes(&ev->w, "comm", e->comm);
	if (e->start_ns)
		jw_int(&ev->w, "start_boottime_ns", e->start_ns);
	if (e->exe[0] && !name_only) {
		jw_bytes(&ev->w, "exe", e->exe);
		/* network and device records always name the file (exe_name), as before */
		if (e->type == PAL_EV_NET || e->type == PAL_EV_DEV)
			jw_bytes(&ev->w, "exe_name", file_name(e->exe));
		return;
	}
	if (e->flags & PAL_EVF_EXE_TRUNCATED)
		jw_bool(&ev->w, "exe_truncated", true);
	if (p && p->exe[0]) {
		jw_bytes(&ev->w, "exe", p->exe);
		jw_str(&ev->w, "exe_src", "proc"); /* read after the decision: see audit-log.md */
	}
	if (name_only)
		jw_bytes(&ev->w, "exe_name", e->exe);
}

static const char *family_name(__u16 family)
{
	switch (family) {
	case 1:
		return "unix";
	case 2:
		return "inet";
	case 10:
		return "inet6";
	case 16:
		return "netlink";
	case 17:
		return "packet";
	default:
		return "other";
	}
}

/* Dotted decimal, as inet_ntop(AF_INET) writes it (addr: 16 bytes at least). */
static void ipv4_text(const __u8 *a, char *addr)
{
	for (int i = 0; i < 4; i++) {
		addr += jw_fmt_u64(addr, a[i]);
		*addr++ = i < 3 ? '.' : 0;
	}
}

static void put_object(struct pal_events *ev, const struct pal_event *e)
{
	char addr[INET6_ADDRSTRLEN] = "";

	if (e->type == PAL_EV_FILE || e->type == PAL_EV_EXEC) {
		jw_bytes(&ev->w, "path", e->path);
		if (e->flags & PAL_EVF_PATH2)
			jw_bytes(&ev->w, "path2", e->path2);
		if (e->flags & PAL_EVF_UNRESOLVED)
			jw_bool(&ev->w, "unresolved", true);
		if (e->flags & PAL_EVF_TRUNCATED)
			jw_bool(&ev->w, "truncated", true);
	} else if (e->type == PAL_EV_NET) {
		static const __u8 mapped[12] = {[10] = 0xff, [11] = 0xff};
		bool v4 = !memcmp(e->net.daddr, mapped, 12);

		jw_str(&ev->w, "family", family_name(e->net.family));
		jw_str(&ev->w, "protocol",
		       e->net.protocol == 6   ? "tcp" :
		       e->net.protocol == 17  ? "udp" :
		       e->net.protocol == 255 ? "raw" :
						"other");
		if (v4)
			ipv4_text(e->net.daddr + 12, addr);
		else
			inet_ntop(AF_INET6, e->net.daddr, addr, sizeof(addr));
		if (e->op != PAL_OP_SOCKET) {
			jw_str(&ev->w, "daddr", addr);
			jw_int(&ev->w, "dport", e->net.dport);
		}
	} else if (e->type == PAL_EV_AGENT) {
		if (e->op == PAL_OP_BPF || e->op == PAL_OP_WRITE || e->op == PAL_OP_CHMOD)
			jw_bytes(&ev->w, "object", e->path);
		else
			jw_int(&ev->w, "target_pid", e->dev.major);
		if (e->op == PAL_OP_KILL)
			jw_int(&ev->w, "signal", e->access);
	} else if (e->type == PAL_EV_DEV) {
		jw_str(&ev->w, "dev_type", e->dev.type == 'b' ? "block" : "char");
		jw_int(&ev->w, "major", e->dev.major);
		jw_int(&ev->w, "minor", e->dev.minor);
	}
}

/* The object fields of a rate-limit key (bpf/abi.h, struct pal_rl_obj). */
static void put_rl_object(struct pal_events *ev, const struct pal_rl_key *k)
{
	const struct pal_rl_obj *o = &k->obj;
	struct pal_event e = {.type = k->type, .op = o->op};

	switch (k->type) {
	case PAL_EV_FILE:
	case PAL_EV_EXEC:
		jw_int(&ev->w, "ino", o->a);
		jw_int(&ev->w, "dev", o->b);
		if (!o->a)
			jw_int(&ev->w, "name_hash", o->c);
		return;
	case PAL_EV_NET:
		if (o->op == PAL_OP_SOCKET) {
			e.net.family = o->c & 0xffff;
			e.net.type = o->c >> 16;
			e.net.protocol = o->b;
		} else {
			memcpy(e.net.daddr, &o->a, 8);
			memcpy(e.net.daddr + 8, &o->b, 8);
			e.net.dport = o->c & 0xffff;
			e.net.protocol = o->c >> 16;
			/* the family the program saw is not in the key: the address tells */
			e.net.family =
				o->a == 0 && (o->b & 0xffffffffULL) == 0xffff0000ULL ? 2 : 10;
		}
		break;
	case PAL_EV_DEV:
		e.dev.major = o->a;
		e.dev.minor = o->b;
		e.dev.type = o->c;
		break;
	default:
		return;
	}
	put_object(ev, &e);
}

/* The record of a decision, left open for its count (write_counted). */
static void format_event(struct pal_events *ev, const struct pal_event *e)
{
	const struct pal_policy_set *set = pal_enforcer_set_of(ev->en, e->generation);
	const struct cgname *cg = cgroup_of(ev, e->cgroup_id);
	char ts[64];

	format_time(e->time_ns, ts, sizeof(ts));
	jw_begin(&ev->w);
	jw_int(&ev->w, "v", 1);
	jw_str(&ev->w, "time", ts);
	jw_str(&ev->w, "host", ev->host);
	jw_str(&ev->w, "event", pal_event_type_name(e->type));
	jw_str(&ev->w, "action", e->action == PAL_ACT_DENY ? "deny" : "audit");
	put_rule(ev, e, set);
	jw_int(&ev->w, "generation", e->generation);
	jw_str(&ev->w, "op", e->op < PAL_OP_MAX && op_names[e->op] ? op_names[e->op] : "?");
	put_access(ev, e);
	jw_int(&ev->w, "errno", -e->err);
	put_process(ev, e);
	if (cg)
		jw_bytes(&ev->w, "cgroup", cg->path);
	jw_int(&ev->w, "cgroup_id", e->cgroup_id);
	if (cg)
		put_container(ev, cg);
	put_object(ev, e);
}

static __u64 fnv(__u64 h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* A string field: its length first, so that no two field splits hash alike. */
static __u64 fnv_str(__u64 h, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	h = fnv(h, &n, sizeof(n));
	return fnv(h, s, n);
}

/*
 * Identity of a denial for folding: policy, rule, cgroup, object, op, and
 * the actor (process, parent, ids, comm, exe). Every field a record shows,
 * but its time, is in here: a folded record stands for repeats by the same
 * actor only, never for another process denied the same object.
 */
static __u64 dedup_hash(const struct pal_event *e)
{
	__u64 h = 0xcbf29ce484222325ULL;

	h = fnv(h, &e->tgid, sizeof(e->tgid));
	h = fnv(h, &e->ppid, sizeof(e->ppid));
	h = fnv(h, &e->start_ns, sizeof(e->start_ns));
	h = fnv(h, &e->uid, sizeof(e->uid));
	h = fnv(h, &e->gid, sizeof(e->gid));
	h = fnv(h, &e->err, sizeof(e->err));
	h = fnv(h, &e->flags, sizeof(e->flags));
	h = fnv_str(h, e->comm, sizeof(e->comm));
	h = fnv(h, &e->policy, sizeof(e->policy));
	h = fnv(h, &e->rule, sizeof(e->rule));
	h = fnv(h, &e->generation, sizeof(e->generation));
	h = fnv(h, &e->cgroup_id, sizeof(e->cgroup_id));
	h = fnv(h, &e->type, sizeof(e->type) + sizeof(e->op) + sizeof(e->access));
	h = fnv(h, &e->action, sizeof(e->action));
	h = fnv_str(h, e->exe, sizeof(e->exe));
	h = fnv_str(h, e->path, sizeof(e->path));
	h = fnv_str(h, e->path2, sizeof(e->path2));
	h = fnv(h, &e->net, sizeof(e->net));
	return fnv(h, &e->dev, sizeof(e->dev));
}

/* The Linux audit form of a decision: "denied { read } for pid=... path=..." */
/*
 * An untrusted value (a file name, comm) as auditd writes one: in quotes
 * when it has nothing but printable ASCII other than '"', else as hex
 * digits without quotes, so that no byte can end the field or the record.
 */
static size_t avc_field(char *buf, size_t len, const char *key, const char *val)
{
	static const char hex[] = "0123456789ABCDEF";
	bool plain = true;
	size_t n = 0;
	int w;

	for (const unsigned char *c = (const unsigned char *)val; *c && plain; c++)
		plain = *c > 0x20 && *c < 0x7f && *c != '"';
	w = snprintf(buf, len, " %s=%s", key, plain ? "\"" : "");
	if (w < 0 || (size_t)w >= len)
		return len ? len - 1 : 0;
	n = (size_t)w;
	for (const unsigned char *c = (const unsigned char *)val; *c && n + 3 < len; c++) {
		if (plain) {
			buf[n++] = (char)*c;
			continue;
		}
		buf[n++] = hex[*c >> 4];
		buf[n++] = hex[*c & 15];
	}
	if (plain && n + 1 < len)
		buf[n++] = '"';
	buf[n] = 0;
	return n;
}

static void format_avc(struct pal_events *ev, const struct pal_event *e, char *buf, size_t len)
{
	const struct pal_policy_set *set = pal_enforcer_set_of(ev->en, e->generation);
	const char *policy =
		set && e->policy < set->npolicies ? set->policies[e->policy].name : "?";
	char words[256] = "";
	size_t n;
	int w;

	if (e->type == PAL_EV_FILE || e->type == PAL_EV_EXEC || e->type == PAL_EV_DEV)
		snprintf(words, sizeof(words), "%s", access_words(ev, e));
	for (char *c = words; *c; c++)
		if (*c == ',')
			*c = ' ';
	w = snprintf(buf, len, "palisade: %s { %s } for pid=%u",
		     e->action == PAL_ACT_DENY ? "denied" : "audited", words[0] ? words : "access",
		     e->tgid);
	n = w < 0 ? 0 : (size_t)w < len ? (size_t)w : len - 1;
	n += avc_field(buf + n, len - n, "comm", e->comm);
	n += (size_t)snprintf(buf + n, len - n, " op=%s",
			      e->op < PAL_OP_MAX && op_names[e->op] ? op_names[e->op] : "?");
	n = n < len ? n : len - 1;
	n += avc_field(buf + n, len - n, "path", e->path);
	/* policy names are a-z, 0-9 and '-' (the compiler checks): plain */
	if (n < len)
		snprintf(buf + n, len - n, " policy=%s rule=%d generation=%llu", policy,
			 e->rule == PAL_NO_RULE ? -1 : (int)e->rule,
			 (unsigned long long)e->generation);
}

/* The record in ev->w (still open) with its count, to the sinks. */
static void write_counted(struct pal_events *ev, unsigned long long count, bool denial,
			  const char *avc)
{
	jw_int(&ev->w, "count", count);
	jw_end(&ev->w);
	if (!ev->w.oom)
		pal_sink_write(ev->sink, ev->w.buf, ev->w.len, denial, avc);
}

/* Keep a copy of the latest record of a dedup slot (open: no count, no '}'). */
static void dedup_keep(struct dedup *d, const char *line, size_t len)
{
	if (d->cap < len + 1) {
		char *p = realloc(d->line, len + 1);

		if (!p)
			return;
		d->line = p;
		d->cap = len + 1;
	}
	memcpy(d->line, line, len);
	d->line[len] = 0;
	d->len = len;
}

static void dedup_flush(struct pal_events *ev, struct dedup *d)
{
	if (d->pending) {
		jw_resume(&ev->w, d->line, d->len);
		write_counted(ev, d->pending, true, NULL);
	}
	d->pending = 0;
}

/* Count one decision under its policy's name (names outlive generations). */
static void count_decision(struct pal_events *ev, const struct pal_event *e)
{
	const struct pal_policy_set *set = pal_enforcer_set_of(ev->en, e->generation);
	const char *name = set && e->policy < set->npolicies ? set->policies[e->policy].name : "?";
	struct pal_decision_count *c;

	for (size_t i = 0; i < ev->ncounts; i++) {
		c = &ev->counts[i];
		if (c->action == e->action && c->type == e->type && !strcmp(c->policy, name)) {
			c->count++;
			return;
		}
	}
	if (ev->ncounts == MAX_COUNTS)
		return;
	c = &ev->counts[ev->ncounts++];
	snprintf(c->policy, sizeof(c->policy), "%s", name);
	c->action = e->action;
	c->type = e->type;
	c->count = 1;
}

const struct pal_decision_count *pal_events_decisions(const struct pal_events *ev, size_t *n)
{
	*n = ev->ncounts;
	return ev->counts;
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct pal_events *ev = ctx;
	const struct pal_event *e = data;
	char avc[PAL_EV_PATH_MAX + 512];
	bool summary = pal_sink_wants_summary(ev->sink);
	struct dedup *d;
	size_t len;
	__u64 h;

	if (size < sizeof(*e))
		return 0;
	ev->st.delivered++;
	count_decision(ev, e);
	h = dedup_hash(e);
	d = &ev->dd[h % DEDUP_SLOTS];
	if (d->hash == h && d->line && e->time_ns - d->first_ns < DEDUP_WINDOW_NS) {
		format_event(ev, e); /* keep the latest time for the folded record */
		dedup_keep(d, ev->w.buf, ev->w.len);
		d->pending++;
		ev->st.folded++;
		return 0;
	}
	dedup_flush(ev, d);
	format_event(ev, e);
	len = ev->w.len;
	/* the Linux audit form only for the sinks that take it (journald, auditd) */
	if (summary)
		format_avc(ev, e, avc, sizeof(avc));
	write_counted(ev, 1, e->action == PAL_ACT_DENY, summary ? avc : NULL);
	ev->st.written++;
	d->hash = h;
	d->first_ns = e->time_ns;
	dedup_keep(d, ev->w.buf, len);
	return 0;
}

/* What both kinds of stream need: the host name, the cgroup2 root, OCI roots. */
static int events_new(struct pal_events **out, struct pal_enforcer *en, struct pal_sink *sink)
{
	struct pal_events *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return -ENOMEM;
	ev->en = en;
	ev->sink = sink;
	/* In a DaemonSet the pod's hostname is not the node's: let it say. */
	if (getenv("PALISADE_HOSTNAME"))
		snprintf(ev->host, sizeof(ev->host), "%s", getenv("PALISADE_HOSTNAME"));
	else
		gethostname(ev->host, sizeof(ev->host) - 1);
	ev->cg2_fd = en->cg2_root[0] ? open(en->cg2_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	ev->pollfd = ev->timerfd = -1;
	pal_oci_roots_from_env(&ev->oci);
	*out = ev;
	return 0;
}

/* Turn the ring buffer's readiness on or off in pollfd. */
static int poll_ring(struct pal_events *ev, bool on)
{
	int fd = ring_buffer__epoll_fd(ev->rb);
	struct epoll_event e = {.events = EPOLLIN, .data.fd = fd};

	if (epoll_ctl(ev->pollfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &e))
		return -errno;
	return 0;
}

static int open_pollfd(struct pal_events *ev)
{
	struct epoll_event e = {.events = EPOLLIN};

	ev->pollfd = epoll_create1(EPOLL_CLOEXEC);
	ev->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ev->pollfd < 0 || ev->timerfd < 0)
		return -errno;
	e.data.fd = ev->timerfd;
	if (epoll_ctl(ev->pollfd, EPOLL_CTL_ADD, ev->timerfd, &e))
		return -errno;
	return poll_ring(ev, true);
}

int pal_events_open(struct pal_events **out, struct pal_enforcer *en, struct pal_sink *sink)
{
	struct pal_events *ev;
	int err = events_new(&ev, en, sink);

	if (err)
		return err;
	pal_maps_counter(&en->maps, PAL_CNT_LOST, &ev->base_lost);
	pal_maps_counter(&en->maps, PAL_CNT_SUPPRESSED, &ev->base_suppressed);
	/* what the keys suppressed before this agent ran is not its to report */
	if (pal_rl_seen_new(&ev->rl) ||
	    pal_rl_scan(ev->rl, en->maps.fd[PAL_MAP_RATELIMIT], NULL, NULL) < 0)
		pal_log(PAL_LOG_WARN, "events: cannot read the rate-limit map: "
				      "suppressed records will not name their object");
	ev->rb = ring_buffer__new(en->maps.fd[PAL_MAP_EVENTS], handle_event, ev, NULL);
	err = ev->rb ? open_pollfd(ev) : -errno;
	if (err) {
		pal_events_close(ev);
		return pal_log_errno(err, "events: cannot open the ring buffer");
	}
	*out = ev;
	return 0;
}

int pal_events_open_feed(struct pal_events **out, struct pal_enforcer *en, struct pal_sink *sink)
{
	return events_new(out, en, sink);
}

void pal_events_feed(struct pal_events *ev, const void *data, size_t size)
{
	handle_event(ev, (void *)data, size);
}

int pal_events_fd(struct pal_events *ev)
{
	return ev->pollfd;
}

static __s64 mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (__s64)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/*
 * After a drain that found records (found) less than STREAM_GAP_NS after the
 * one before: take the ring buffer out of pollfd until the pause timer
 * fires. Otherwise, or when the pause cannot be armed, poll it again.
 */
static void pace(struct pal_events *ev, int found)
{
	struct itimerspec t = {.it_value = {0, PAUSE_NS}};
	__s64 now = mono_ns(), prev = ev->last_drain_ns;
	__u64 expired;
	/* always read: an expired timer keeps pollfd readable */
	bool fired = read(ev->timerfd, &expired, sizeof(expired)) == sizeof(expired);

	if (found > 0)
		ev->last_drain_ns = now;
	if (ev->paused && !fired)
		return; /* another fd woke the agent: the pause goes on */
	if (found > 0 && now - prev < STREAM_GAP_NS && !timerfd_settime(ev->timerfd, 0, &t, NULL)) {
		if (!ev->paused)
			ev->paused = !poll_ring(ev, false);
		return;
	}
	if (!ev->paused)
		return;
	if (poll_ring(ev, true))
		timerfd_settime(ev->timerfd, 0, &t, NULL); /* try again after a pause */
	else
		ev->paused = false;
}

int pal_events_consume(struct pal_events *ev)
{
	int n = ring_buffer__consume(ev->rb);

	pal_sink_flush(ev->sink);
	if (ev->pollfd >= 0)
		pace(ev, n);
	return n;
}

/* The fields every record starts with; "now" as its time. */
static void begin_record(struct pal_events *ev, const char *event)
{
	char ts[64];

	format_time(0, ts, sizeof(ts));
	jw_begin(&ev->w);
	jw_int(&ev->w, "v", 1);
	jw_str(&ev->w, "time", ts);
	jw_str(&ev->w, "host", ev->host);
	jw_str(&ev->w, "event", event);
}

static void write_count_record(struct pal_events *ev, const char *event, unsigned long long n)
{
	begin_record(ev, event);
	jw_int(&ev->w, "count", n);
	jw_end(&ev->w);
	pal_sink_write(ev->sink, ev->w.buf, ev->w.len, false, NULL);
	pal_sink_flush(ev->sink);
}

/* Kernel counters are cumulative: report what changed since the last tick. */
static void report_counter(struct pal_events *ev, __u32 counter, __u64 *base,
			   unsigned long long *total, const char *event)
{
	__u64 now;

	if (pal_maps_counter(&ev->en->maps, counter, &now) || now <= *base)
		return;
	write_count_record(ev, event, now - *base);
	*total += now - *base;
	*base = now;
}

/* A `suppressed` record for one rate-limit key: what its count stands for. */
static void emit_suppressed(void *ctx, const struct pal_rl_key *k, unsigned long long n)
{
	struct pal_events *ev = ctx;
	const struct cgname *cg = cgroup_of(ev, k->cgroup_id);
	struct pal_event e = {.type = k->type,
			      .op = k->obj.op,
			      .rule = k->rule,
			      .policy = k->policy,
			      .generation = k->generation,
			      .cgroup_id = k->cgroup_id};

	begin_record(ev, "suppressed");
	jw_str(&ev->w, "suppressed_event", pal_event_type_name(k->type));
	put_rule(ev, &e, pal_enforcer_set_of(ev->en, k->generation));
	jw_int(&ev->w, "generation", k->generation);
	jw_str(&ev->w, "op", e.op < PAL_OP_MAX && op_names[e.op] ? op_names[e.op] : "?");
	if (cg)
		jw_bytes(&ev->w, "cgroup", cg->path);
	jw_int(&ev->w, "cgroup_id", k->cgroup_id);
	put_rl_object(ev, k);
	jw_int(&ev->w, "count", n);
	jw_end(&ev->w);
	pal_sink_write(ev->sink, ev->w.buf, ev->w.len, false, NULL);
	ev->st.suppressed += n;
}

/*
 * Suppressed events: the kernel's total is exact; the rate-limit keys say
 * what they stand for. The total is read first (the kernel counts under
 * the key first), so a key can only be ahead of it; what the keys cannot
 * explain (a key evicted before it was read) is written without one.
 */
static void report_suppressed(struct pal_events *ev)
{
	long long n;
	__u64 now;

	if (pal_maps_counter(&ev->en->maps, PAL_CNT_SUPPRESSED, &now))
		return;
	if (now == ev->base_suppressed && !ev->rl_carry)
		return;
	ev->rl_carry += (long long)(now - ev->base_suppressed);
	ev->base_suppressed = now;
	n = ev->rl ? pal_rl_scan(ev->rl, ev->en->maps.fd[PAL_MAP_RATELIMIT], emit_suppressed, ev) :
		     0;
	if (n > 0)
		ev->rl_carry -= n;
	if (ev->rl_carry > 0) {
		begin_record(ev, "suppressed");
		jw_str(&ev->w, "message",
		       "rate-limit keys were evicted before the agent read them");
		jw_int(&ev->w, "count", ev->rl_carry);
		jw_end(&ev->w);
		pal_sink_write(ev->sink, ev->w.buf, ev->w.len, false, NULL);
		ev->st.suppressed += ev->rl_carry;
		ev->rl_carry = 0;
	}
	pal_sink_flush(ev->sink);
}

void pal_events_tick(struct pal_events *ev)
{
	struct timespec bt;
	__u64 now;
	unsigned long long dropped;

	clock_gettime(CLOCK_BOOTTIME, &bt);
	now = (__u64)bt.tv_sec * 1000000000ULL + bt.tv_nsec;
	for (int i = 0; i < DEDUP_SLOTS; i++)
		if (ev->dd[i].pending && now - ev->dd[i].first_ns >= DEDUP_WINDOW_NS)
			dedup_flush(ev, &ev->dd[i]);
	report_counter(ev, PAL_CNT_LOST, &ev->base_lost, &ev->st.lost, "lost");
	report_suppressed(ev);
	dropped = pal_sink_take_dropped(ev->sink);
	if (dropped) {
		char msg[128];

		snprintf(msg, sizeof(msg),
			 "%llu records could not be written to the log "
			 "(disk full?); enforcement continued",
			 dropped);
		pal_log(PAL_LOG_ERR, "log: %s", msg);
		pal_events_note(ev, "agent", msg);
	}
}

void pal_events_note(struct pal_events *ev, const char *event, const char *message)
{
	begin_record(ev, event);
	jw_str(&ev->w, "message", message);
	jw_end(&ev->w);
	pal_sink_write(ev->sink, ev->w.buf, ev->w.len, false, NULL);
	pal_sink_flush(ev->sink);
}

void pal_events_policy(struct pal_events *ev, const struct pal_reload_report *rep)
{
	const struct pal_policy_set *set = ev->en->live;
	char msg[160];

	snprintf(msg, sizeof(msg),
		 "generation %llu live: %u policies, %zu file keys, "
		 "%zu cgroup keys, %.1f ms",
		 (unsigned long long)rep->generation, set ? set->npolicies : 0, rep->file_keys,
		 rep->cgroup_keys, rep->ms);
	begin_record(ev, "policy");
	jw_int(&ev->w, "generation", rep->generation);
	jw_csv_array(&ev->w, "policies", "");
	ev->w.len -= 1; /* reopen the empty array to fill in the names */
	for (__u32 i = 0; set && i < set->npolicies; i++) {
		char q[PAL_POLICY_NAME_MAX + 4];
		int n = snprintf(q, sizeof(q), "%s\"%s\"", i ? "," : "", set->policies[i].name);

		jw_raw(&ev->w, q, n);
	}
	jw_raw(&ev->w, "]", 1);
	jw_str(&ev->w, "message", msg);
	jw_end(&ev->w);
	pal_sink_write(ev->sink, ev->w.buf, ev->w.len, false, NULL);
	pal_sink_flush(ev->sink);
	pal_log(PAL_LOG_INFO, "reload: %s", msg);
}

void pal_events_stats(const struct pal_events *ev, struct pal_event_stats *st)
{
	*st = ev->st;
}

/* Unread bytes in the ring buffer, from its producer and consumer pages. */
long long pal_events_ringbuf_used(const struct pal_events *ev)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = ev->en->maps.fd[PAL_MAP_EVENTS];
	unsigned long *cons, *prod;
	long long used;

	cons = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (cons == MAP_FAILED)
		return -1;
	prod = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);
	if (prod == MAP_FAILED) {
		munmap(cons, page);
		return -1;
	}
	used = (long long)(__atomic_load_n(prod, __ATOMIC_ACQUIRE) -
			   __atomic_load_n(cons, __ATOMIC_ACQUIRE));
	munmap(prod, page);
	munmap(cons, page);
	return used;
}

void pal_events_close(struct pal_events *ev)
{
	if (!ev)
		return;
	for (int i = 0; i < DEDUP_SLOTS; i++) {
		dedup_flush(ev, &ev->dd[i]);
		free(ev->dd[i].line);
	}
	ring_buffer__free(ev->rb);
	pal_rl_seen_free(ev->rl);
	for (int i = 0; i < CGCACHE_SLOTS; i++)
		pal_ctr_meta_free(&ev->cg[i].meta);
	if (ev->cg2_fd >= 0)
		close(ev->cg2_fd);
	if (ev->pollfd >= 0)
		close(ev->pollfd);
	if (ev->timerfd >= 0)
		close(ev->timerfd);
	jw_free(&ev->w);
	free(ev);
}
