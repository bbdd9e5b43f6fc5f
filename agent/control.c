// SPDX-License-Identifier: GPL-2.0-only
/* Control socket: the server side for the daemon, the client verbs for users. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <json-c/json.h>

#include "agent/cleanup.h"
#include "agent/control.h"
#include "agent/events.h"
#include "agent/file.h"
#include "agent/log.h"
#include "agent/palisade.h"
#include "agent/socket.h"
#include "cgroup/cgroup.h"
#include "cgroup/container.h"

#define REPLY_MAX (1 << 20)

static int sock_addr(const char *path, struct sockaddr_un *sa)
{
	*sa = (struct sockaddr_un){.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

/* ---- server: the replies ------------------------------------------------ */

static long rss_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* Writes the LSM allowed by a remembered decision (docs/policy.md); 0 without it. */
static long long writes_remembered(const struct pal_status *s)
{
	__u64 n = 0;

	if (!s->en->file || pal_maps_counter(&s->en->maps, PAL_CNT_WRITES_REMEMBERED, &n))
		return 0;
	return (long long)n;
}

static unsigned long long decisions_of(const struct pal_status *s, const char *policy, __u8 action)
{
	unsigned long long n = 0;
	const struct pal_decision_count *c;
	size_t nc;

	c = pal_events_decisions(s->ev, &nc);
	for (size_t i = 0; i < nc; i++)
		if (c[i].action == action && !strcmp(c[i].policy, policy))
			n += c[i].count;
	return n;
}

static void add_int(struct json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_container(void *ctx, const char *rel, const struct pal_container *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "container_id", json_object_new_string(c->id));
	json_object_object_add(o, "runtime",
			       json_object_new_string(pal_ctr_runtime_name(c->runtime)));
	if (c->pod_uid[0])
		json_object_object_add(o, "pod_uid", json_object_new_string(c->pod_uid));
	json_object_object_add(o, "cgroup", json_object_new_string(rel));
	json_object_array_add(ctx, o);
}

/* A policy's container selectors as written, and the containers they select now. */
static void status_containers(const struct pal_status *s, const struct pal_ir_policy *p,
			      __u32 index, struct json_object *o)
{
	struct json_object *sel = json_object_new_array(), *now = json_object_new_array();

	for (__u32 i = 0; i < p->ncontainers; i++) {
		const struct pal_ir_container *c = &p->containers[i];
		struct json_object *e = json_object_new_object();

		if (c->ns)
			json_object_object_add(e, "namespace", json_object_new_string(c->ns));
		if (c->pod)
			json_object_object_add(e, "pod", json_object_new_string(c->pod));
		if (c->container)
			json_object_object_add(e, "container",
					       json_object_new_string(c->container));
		if (c->image)
			json_object_object_add(e, "image", json_object_new_string(c->image));
		json_object_array_add(sel, e);
	}
	if (s->en->cg)
		pal_cgroup_containers(s->en->cg, index, add_container, now);
	json_object_object_add(o, "container_selectors", sel);
	json_object_object_add(o, "containers", now);
}

static struct json_object *status_policies(const struct pal_status *s)
{
	const struct pal_policy_set *set = s->en->live;
	struct json_object *arr = json_object_new_array();
	char when[32];
	struct tm tm;

	gmtime_r(&s->loaded, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (__u32 i = 0; set && i < set->npolicies; i++) {
		const struct pal_ir_policy *p = &set->policies[i];
		struct json_object *o = json_object_new_object();
		struct json_object *cgs = json_object_new_array();

		json_object_object_add(o, "name", json_object_new_string(p->name));
		json_object_object_add(o, "mode", json_object_new_string(pal_mode_name(p->mode)));
		json_object_object_add(o, "file", json_object_new_string(p->loc.file));
		add_int(o, "generation", s->en->generation);
		json_object_object_add(o, "loaded", json_object_new_string(when));
		for (__u32 j = 0; j < p->ncgroups; j++)
			json_object_array_add(cgs, json_object_new_string(p->cgroups[j]));
		json_object_object_add(o, "targets", cgs);
		if (p->ncontainers)
			status_containers(s, p, i, o);
		add_int(o, "denied", decisions_of(s, p->name, PAL_ACT_DENY));
		add_int(o, "audited", decisions_of(s, p->name, PAL_ACT_AUDIT));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* What this kernel does not enforce, or enforces through a fallback. */
static struct json_object *status_degraded(const struct pal_status *s)
{
	struct json_object *arr = json_object_new_array();
	const char *d = pal_file_degraded(s->en->file);

	if (!s->en->file)
		json_object_array_add(arr,
				      json_object_new_string(
					      "files, exec, socket, self-protection: NOT enforced, "
					      "no BPF LSM (see palisade doctor)"));
	if (d)
		json_object_array_add(arr, json_object_new_string(d));
	return arr;
}

/* The file hooks attached on demand now, by program name. */
static struct json_object *status_on_demand(const struct pal_status *s)
{
	struct json_object *arr = json_object_new_array();
	const char *names[64];
	size_t n = s->en->file ? pal_file_hooks_names(s->en->file, names, 64) : 0;

	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(names[i]));
	return arr;
}

static struct json_object *status_json(const struct pal_status *s)
{
	struct json_object *st = json_object_new_object(), *hooks = json_object_new_object();
	struct pal_cgroup_stats cs = {0};
	struct pal_event_stats es;
	struct utsname u;

	pal_events_stats(s->ev, &es);
	pal_cgroup_stats(s->en->cg, &cs);
	json_object_object_add(st, "ok", json_object_new_boolean(1));
	json_object_object_add(st, "version", json_object_new_string(PAL_VERSION));
	add_int(st, "pid", getpid());
	json_object_object_add(st, "kernel",
			       json_object_new_string(uname(&u) ? "(unknown)" : u.release));
	add_int(st, "generation", s->en->generation);
	json_object_object_add(
		st, "enforcing",
		json_object_new_string(s->en->file ? "file, exec, network, devices" :
						     "network, devices only (no BPF LSM)"));
	add_int(hooks, "lsm_programs", s->en->file ? pal_file_nhooks(s->en->file) : 0);
	json_object_object_add(hooks, "on_demand", status_on_demand(s));
	json_object_object_add(
		hooks, "write_hook",
		json_object_new_boolean(s->en->file && pal_file_write_hook(s->en->file)));
	json_object_object_add(hooks, "socket_hook",
			       json_object_new_boolean(pal_socket_attached(s->en->sock)));
	json_object_object_add(st, "degraded", status_degraded(s));
	add_int(hooks, "cgroups_attached", cs.attached);
	add_int(hooks, "cgroups_tracked", cs.tracked);
	add_int(hooks, "containers_seen", cs.containers);
	add_int(hooks, "containers_waiting", cs.waiting);
	json_object_object_add(st, "hooks", hooks);
	json_object_object_add(st, "policies", status_policies(s));
	add_int(st, "events_delivered", es.delivered);
	add_int(st, "events_lost", es.lost);
	add_int(st, "events_suppressed", es.suppressed);
	add_int(st, "writes_remembered", writes_remembered(s));
	add_int(st, "ringbuf_used_bytes", pal_events_ringbuf_used(s->ev));
	add_int(st, "ringbuf_size_bytes", PAL_RINGBUF_BYTES);
	add_int(st, "reloads", s->reloads);
	add_int(st, "reload_failures", s->reload_failures);
	add_int(st, "rss_kib", rss_kib());
	add_int(st, "uptime_seconds", time(NULL) - s->started);
	return st;
}

/* A failed reload says why, and whether the policies were at fault (exit 1). */
static struct json_object *reload_json(const struct pal_control_ops *ops, void *ctx)
{
	struct json_object *r = json_object_new_object();
	char why[512] = "", msg[640];
	int err = ops->reload(ctx, why, sizeof(why));

	if (err)
		snprintf(msg, sizeof(msg), "reload failed: %s; the old generation stays live",
			 why[0] ? why : strerror(-err));
	json_object_object_add(r, "ok", json_object_new_boolean(!err));
	json_object_object_add(r, "message", json_object_new_string(err ? msg : "reloaded"));
	if (err)
		json_object_object_add(r, "policy_error", json_object_new_boolean(err == -EINVAL));
	return r;
}

/* The reply to one request: a JSON object with "ok". */
static struct json_object *reply_json(enum pal_control_req req, const struct pal_control_ops *ops,
				      void *ctx)
{
	struct pal_status st = {0};
	struct json_object *r;
	bool ok;

	if (req == PAL_REQ_STATUS) {
		ops->status(ctx, &st);
		return status_json(&st);
	}
	if (req == PAL_REQ_RELOAD)
		return reload_json(ops, ctx);
	ok = req == PAL_REQ_STOP;
	r = json_object_new_object();
	json_object_object_add(r, "ok", json_object_new_boolean(ok));
	json_object_object_add(
		r, "message",
		json_object_new_string(ok ? "stopping" : "unknown request (status, reload, stop)"));
	if (ok)
		ops->stop(ctx);
	return r;
}

static void write_reply(enum pal_control_req req, const struct pal_control_ops *ops, void *ctx,
			FILE *out)
{
	struct json_object *r = reply_json(req, ops, ctx);

	fputs(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN), out);
	json_object_put(r);
}

/* ---- server: the socket ------------------------------------------------- */

int pal_control_listen(const char *path)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	char dir[PATH_MAX];
	int err = sock_addr(path, &sa);

	if (err)
		return pal_log_errno(err, "control: socket path '%s'", path);
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0700) && errno != EEXIST)
		return pal_log_errno(-errno, "control: cannot create '%s'", dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return pal_log_errno(-errno, "control: socket");
	unlink(path); /* a stale socket of an agent that was killed */
	/* 0600 from the start: no window in which another user could connect. */
	mode_t old = umask(0177);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (!err && listen(fd, 8))
		err = -errno;
	if (err)
		return pal_log_errno(err, "control: cannot listen on '%s'", path);
	return TAKE_FD(fd);
}

void pal_control_serve(int lfd, const struct pal_control_ops *ops, void *ctx)
{
	_cleanup_close_ int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	_cleanup_free_ char *reply = NULL;
	struct timeval tv = {.tv_sec = 1};
	char req[64] = "";
	size_t len = 0;
	ssize_t n;
	FILE *out;

	if (fd < 0)
		return;
	/* A client that says nothing must not stall enforcement's event loop. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	n = read(fd, req, sizeof(req) - 1);
	if (n <= 0)
		return;
	out = open_memstream(&reply, &len);
	if (!out)
		return;
	write_reply(pal_control_parse(req, n), ops, ctx, out);
	fclose(out);
	if (write(fd, reply, len) < 0)
		pal_log(PAL_LOG_DEBUG, "control: reply lost: %s", strerror(errno));
}

void pal_control_close(int lfd, const char *path)
{
	if (lfd < 0)
		return;
	close(lfd);
	unlink(path);
}

/* ---- client ------------------------------------------------------------ */

static int request(const char *path, const char *req, char **reply)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	size_t len = 0;
	ssize_t n;
	int err = sock_addr(path, &sa);

	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return -errno;
	shutdown(fd, SHUT_WR);
	*reply = malloc(REPLY_MAX + 1);
	if (!*reply)
		return -ENOMEM;
	while (len < REPLY_MAX && (n = read(fd, *reply + len, REPLY_MAX - len)) > 0)
		len += n;
	(*reply)[len] = 0;
	return len ? 0 : -EPROTO;
}

static long long int_of(struct json_object *o, const char *key)
{
	return (long long)json_object_get_int64(json_object_object_get(o, key));
}

/* The hooks attached on demand, and whether writes through open files are among them. */
static const char *on_demand_note(struct json_object *hooks, char *buf, size_t len)
{
	struct json_object *od = json_object_object_get(hooks, "on_demand");

	if (!int_of(hooks, "lsm_programs"))
		return "";
	snprintf(buf, len, " (%zu of them on demand; write hook %s; socket hook %s)",
		 od ? json_object_array_length(od) : 0,
		 json_object_get_boolean(json_object_object_get(hooks, "write_hook")) ?
			 "attached" :
			 "detached: no policy restricts writes or targets cgroups",
		 json_object_get_boolean(json_object_object_get(hooks, "socket_hook")) ?
			 "attached" :
			 "not loaded: no policy has network rules yet");
	return buf;
}

static void print_status(struct json_object *st)
{
	struct json_object *pols, *c;
	char note[224];

	printf("palisade %s, pid %lld, kernel %s\n",
	       json_object_get_string(json_object_object_get(st, "version")) ?: "(unknown)",
	       int_of(st, "pid"),
	       json_object_get_string(json_object_object_get(st, "kernel")) ?: "(unknown)");
	printf("generation %lld, enforcing %s\n", int_of(st, "generation"),
	       json_object_get_string(json_object_object_get(st, "enforcing")));
	if (json_object_object_get_ex(st, "hooks", &c))
		printf("hooks: %lld LSM programs%s, %lld cgroups attached, %lld tracked; "
		       "%lld containers seen, %lld waiting for their OCI state\n",
		       int_of(c, "lsm_programs"), on_demand_note(c, note, sizeof(note)),
		       int_of(c, "cgroups_attached"), int_of(c, "cgroups_tracked"),
		       int_of(c, "containers_seen"), int_of(c, "containers_waiting"));
	if (json_object_object_get_ex(st, "degraded", &c))
		for (size_t i = 0; i < json_object_array_length(c); i++)
			printf("degraded: %s\n",
			       json_object_get_string(json_object_array_get_idx(c, i)));
	if (json_object_object_get_ex(st, "policies", &pols)) {
		printf("%-32s %-8s %10s %10s  %s\n", "POLICY", "MODE", "DENIED", "AUDITED",
		       "LOADED");
		for (size_t i = 0; i < json_object_array_length(pols); i++) {
			struct json_object *p = json_object_array_get_idx(pols, i);

			printf("%-32s %-8s %10lld %10lld  %s\n",
			       json_object_get_string(json_object_object_get(p, "name")),
			       json_object_get_string(json_object_object_get(p, "mode")),
			       (long long)json_object_get_int64(
				       json_object_object_get(p, "denied")),
			       (long long)json_object_get_int64(
				       json_object_object_get(p, "audited")),
			       json_object_get_string(json_object_object_get(p, "loaded")));
		}
	}
	json_object_object_foreach(st, key, val) {
		if (json_object_is_type(val, json_type_int) && strcmp(key, "pid"))
			printf("%s: %lld\n", key, (long long)json_object_get_int64(val));
	}
}

static void client_usage(FILE *f, const char *verb)
{
	fprintf(f,
		"Usage: palisade %s [--json] [--socket PATH]\n"
		"Ask the running agent (control socket, default " PAL_CONTROL_SOCKET ")%s.\n",
		verb,
		!strcmp(verb, "status") ? " for its state" :
		!strcmp(verb, "reload") ? " to reload its policies now" :
					  " to stop (it detaches everything unless it was "
					  "started to keep enforcing on exit)");
}

static int client(int argc, char **argv, const char *verb)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"socket", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	_cleanup_free_ char *reply = NULL;
	const char *path = PAL_CONTROL_SOCKET;
	struct json_object *st;
	bool json = false;
	int c, err;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			path = optarg;
			break;
		case 'h':
			client_usage(stdout, verb);
			return PAL_EXIT_OK;
		default:
			client_usage(stderr, verb);
			return PAL_EXIT_POLICY;
		}
	}
	err = request(path, verb, &reply);
	if (err) {
		fprintf(stderr,
			"palisade %s: cannot reach the agent at '%s': %s (is `palisade "
			"run` running, and are you root?)\n",
			verb, path, strerror(-err));
		return PAL_EXIT_RUNTIME;
	}
	st = json_tokener_parse(reply);
	err = st && json_object_get_boolean(json_object_object_get(st, "ok")) ? 0 : -EIO;
	if (json || !st)
		printf("%s\n", reply);
	else if (!strcmp(verb, "status"))
		print_status(st);
	else
		fprintf(err ? stderr : stdout, "%s\n",
			json_object_get_string(json_object_object_get(st, "message")));
	/* As check: a policy error is exit 1, anything else that failed 2. */
	c = err && json_object_get_boolean(json_object_object_get(st, "policy_error"));
	json_object_put(st);
	return c ? PAL_EXIT_POLICY : err ? PAL_EXIT_RUNTIME : PAL_EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
	return client(argc, argv, "status");
}

int cmd_reload(int argc, char **argv)
{
	return client(argc, argv, "reload");
}

int cmd_stop(int argc, char **argv)
{
	return client(argc, argv, "stop");
}
