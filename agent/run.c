// SPDX-License-Identifier: GPL-2.0-only
/*
 * palisade run: the daemon. Load policies, load and attach the programs (or
 * adopt pinned ones), stream the audit log, reload on change, and stop
 * cleanly. Every failure to enforce is reported and ends the agent; it never
 * falls back to monitoring silently.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <time.h>
#include <math.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <linux/magic.h>

#include "agent/events.h"
#include "agent/file.h"
#include "agent/guard.h"
#include "agent/lsm.h"
#include "agent/socket.h"
#include "agent/log.h"
#include "agent/palisade.h"
#include "agent/control.h"
#include "agent/metrics.h"
#include "agent/privs.h"
#include "agent/reload.h"
#include "policies/config.h"
#include "cgroup/cgroup.h"

#define DEFAULT_POLICY_DIR "/etc/palisade/policies"
#define DEFAULT_PIN_DIR "/sys/fs/bpf/palisade"
#define RELOAD_DEBOUNCE_MS 25 /* editors rename within microseconds */

/* Strings NULL and booleans -1 until a flag or the config file sets them. */
struct run_opts {
	const char *config;
	const char *policy_dir;
	const char *log_path;
	const char *pin_dir;
	const char *metrics; /* ADDR:PORT, or "" for off */
	const char *socket;
	int syslog;
	int linux_audit;
	int keep_on_exit;
	int verbose;
	bool insecure_ok; /* --allow-insecure-policy-dir, for tests on scratch dirs */
	bool no_signal_guard; /* --no-signal-guard: fatal signals and ptrace allowed */
};

struct agent {
	struct run_opts o;
	struct pal_policy_set *config_set; /* owns the config file's strings */
	struct pal_enforcer en;
	struct pal_sink *sink;
	struct pal_events *ev;
	struct pal_metrics *metrics;
	struct pal_guard_prog *guard; /* self-protection; NULL without BPF LSM */
	int epfd, sigfd, tickfd, inofd, debfd, ctlfd;
	bool stop;
	time_t started;
	time_t loaded; /* when the live generation was loaded */
	unsigned long long reloads, reload_failures;
	double last_reload_ms;
	bool ready; /* READY=1 sent: later reloads update STATUS= */
};

static void run_usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade run [OPTION]...\n"
		"Enforce the policies in the policy directory and write the audit log.\n"
		"Flags override the configuration file's keys of the same name.\n\n"
		"  -c, --config FILE      configuration file (default: none; the unit\n"
		"                         passes /etc/palisade/palisade.yaml)\n"
		"  -d, --policy-dir DIR   policies to enforce (default " DEFAULT_POLICY_DIR ")\n"
		"  -l, --log FILE|-       JSON audit log, '-' for stdout (default -)\n"
		"      --syslog           also send records to syslog/journald\n"
		"      --linux-audit      also send denials to the Linux audit log\n"
		"      --keep-on-exit     keep enforcing (pinned) after the agent exits\n"
		"      --pin-dir DIR      bpffs directory for pins (default " DEFAULT_PIN_DIR ")\n"
		"      --metrics ADDR:PORT  serve Prometheus metrics there (default: off)\n"
		"      --socket PATH      control socket (default " PAL_CONTROL_SOCKET ")\n"
		"      --no-signal-guard  let root kill or ptrace the agent (the map and\n"
		"                         program guard stays on)\n"
		"  -v, --verbose          debug output, including libbpf's\n"
		"  -h, --help             show this help\n");
}

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"metrics", required_argument, NULL, 'M'},
		{"socket", required_argument, NULL, 'C'},
		{"policy-dir", required_argument, NULL, 'd'},
		{"log", required_argument, NULL, 'l'},
		{"syslog", no_argument, NULL, 'S'},
		{"linux-audit", no_argument, NULL, 'A'},
		{"keep-on-exit", no_argument, NULL, 'K'},
		{"pin-dir", required_argument, NULL, 'P'},
		{"allow-insecure-policy-dir", no_argument, NULL, 'I'},
		{"no-signal-guard", no_argument, NULL, 'G'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;

	*o = (struct run_opts){.syslog = -1, .linux_audit = -1, .keep_on_exit = -1, .verbose = -1};
	while ((c = getopt_long(argc, argv, "c:d:l:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'M':
			o->metrics = optarg;
			break;
		case 'C':
			o->socket = optarg;
			break;
		case 'd':
			o->policy_dir = optarg;
			break;
		case 'l':
			o->log_path = optarg;
			break;
		case 'S':
			o->syslog = 1;
			break;
		case 'A':
			o->linux_audit = 1;
			break;
		case 'K':
			o->keep_on_exit = 1;
			break;
		case 'P':
			o->pin_dir = optarg;
			break;
		case 'I':
			o->insecure_ok = true;
			break;
		case 'G':
			o->no_signal_guard = true;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			run_usage(stdout);
			return 1;
		default:
			run_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "palisade run: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static void print_diag(const struct pal_diag *d, void *ctx);

static void pick_str(const char **opt, const char *cfg, const char *dflt)
{
	if (!*opt)
		*opt = cfg ? cfg : dflt;
}

static void pick_bool(int *opt, int cfg)
{
	if (*opt < 0)
		*opt = cfg > 0;
}

/* Flags win over the configuration file, which wins over the defaults. */
static int apply_config(struct agent *a)
{
	struct pal_agent_config cfg = {0};
	struct pal_load_opts lo = {.diag = print_diag};
	struct run_opts *o = &a->o;
	int err = 0;

	cfg = (struct pal_agent_config){
		.syslog = -1, .linux_audit = -1, .keep_on_exit = -1, .verbose = -1};
	if (o->config) {
		a->config_set = pal_policy_set_new(&lo);
		if (!a->config_set)
			return -ENOMEM;
		err = pal_config_load(a->config_set, o->config, &cfg);
		if (err)
			return err == -EINVAL ? err : -EINVAL;
	}
	pick_str(&o->policy_dir, cfg.policy_dir, DEFAULT_POLICY_DIR);
	pick_str(&o->log_path, cfg.log, "-");
	pick_str(&o->pin_dir, cfg.pin_dir, DEFAULT_PIN_DIR);
	pick_str(&o->metrics, cfg.metrics, "");
	pick_str(&o->socket, NULL, PAL_CONTROL_SOCKET);
	pick_bool(&o->syslog, cfg.syslog);
	pick_bool(&o->linux_audit, cfg.linux_audit);
	pick_bool(&o->keep_on_exit, cfg.keep_on_exit);
	pick_bool(&o->verbose, cfg.verbose);
	return 0;
}

/*
 * Policies decide who may do what: only root may be able to change them.
 * A read-only mount is fine whatever its mode bits (kubelet mounts ConfigMap
 * volumes read-only, with mode 1777 directories).
 */
static int check_policy_dir(const struct run_opts *o)
{
	struct statvfs vfs;
	struct stat st;

	if (stat(o->policy_dir, &st))
		return pal_log_errno(-errno, "run: policy directory '%s'", o->policy_dir);
	if (o->insecure_ok)
		return 0;
	if (st.st_uid == 0 && !statvfs(o->policy_dir, &vfs) && (vfs.f_flag & ST_RDONLY))
		return 0;
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		pal_log(PAL_LOG_ERR,
			"run: refusing policy directory '%s': it must be owned by "
			"root and not group- or world-writable (mode %04o, uid %u). "
			"Hint: chown root '%s' && chmod go-w '%s'",
			o->policy_dir, st.st_mode & 07777, st.st_uid, o->policy_dir, o->policy_dir);
		return -EPERM;
	}
	return 0;
}

/* The pins belong to a running agent instance: bpf/guard.bpf.c refused us. */
static int refused_by_guard(const char *pin_dir)
{
	return pal_log_errno(-EPERM,
			     "run: another Palisade agent is running and owns the pins in '%s'; "
			     "only that instance may use them. Hint: 'palisade status' shows it, "
			     "'palisade stop' stops it; then start again",
			     pin_dir);
}

/*
 * Is dir Palisade's own: missing, empty, or holding Palisade's maps (pal_*)
 * or links/? The agent takes the search bit from its pin dir: another
 * program's directory would stop working for that program.
 */
static bool pin_dir_ours(const char *dir)
{
	bool others = false, ours = false;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return true;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "pal_", 4) || !strcmp(e->d_name, "links"))
			ours = true;
		else if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			others = true;
	closedir(d);
	return ours || !others;
}

static int ensure_pin_dir(const char *dir)
{
	struct statfs sf;
	char parent[PATH_MAX];
	int err;

	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = 0;
	if (statfs(parent[0] ? parent : "/", &sf) || sf.f_type != BPF_FS_MAGIC)
		return pal_log_errno(-ENOENT,
				     "run: '%s' is not on a bpffs. Hint: mount -t bpf "
				     "bpf /sys/fs/bpf",
				     dir);
	if (!pin_dir_ours(dir))
		return pal_log_errno(
			-EEXIST,
			"run: '%s' holds pins that are not Palisade's; the agent would "
			"take its search permission. Hint: choose a pin directory of "
			"Palisade's own (--pin-dir, default /sys/fs/bpf/palisade)",
			dir);
	err = pal_pin_dir_make(dir);
	if (err == -EPERM)
		return refused_by_guard(dir);
	if (err)
		return pal_log_errno(err, "run: cannot create pin directory '%s'", dir);
	return 0;
}

/* sd_notify without libsystemd (the VM binary is fully static). */
static void notify(const char *state)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (!sock || (sock[0] != '/' && sock[0] != '@') || strlen(sock) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, sock, strlen(sock));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, state, strlen(state), 0, (struct sockaddr *)&sa,
	       offsetof(struct sockaddr_un, sun_path) + strlen(sock));
	close(fd);
}

/* READY=1 once, and STATUS= after every reload: what systemctl status shows. */
static void notify_status(struct agent *a, bool ready)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%sSTATUS=enforcing generation %llu: %u policies%s%s",
		 ready ? "READY=1\n" : "", (unsigned long long)a->en.generation,
		 a->en.live ? a->en.live->npolicies : 0,
		 a->en.file ? "" : ", cgroup programs only (no BPF LSM)",
		 a->reload_failures ? ", last reload failed" : "");
	notify(msg);
}

/* WATCHDOG=1 on every tick when the unit sets WatchdogSec= (systemd exports WATCHDOG_USEC). */
static void notify_watchdog(void)
{
	const char *pid = getenv("WATCHDOG_PID");

	if (getenv("WATCHDOG_USEC") && (!pid || atol(pid) == (long)getpid()))
		notify("WATCHDOG=1");
}

/* Where a reload keeps its first error, for the control reply and the record. */
struct first_error {
	char *buf;
	size_t len;
};

static void print_diag(const struct pal_diag *d, void *ctx)
{
	struct first_error *fe = ctx;
	char *text;

	pal_diag_print(stderr, d);
	if (!fe || fe->buf[0] || d->severity != PAL_SEV_ERROR)
		return;
	text = pal_diag_format(d);
	if (text) /* its first line: FILE:LINE:COL: error: MESSAGE */
		snprintf(fe->buf, fe->len, "%.*s", (int)strcspn(text, "\n"), text);
	free(text);
}

/*
 * A policy target that is not enforced (a cgroup too deep, a new cgroup
 * that could not be set up) must be loud: the log and the audit log, where
 * a reviewer looks, both say so.
 */
static void report_cgroup_problem(struct agent *a, const char *msg)
{
	pal_log(PAL_LOG_ERR, "cgroups: %s", msg);
	if (a->ev)
		pal_events_note(a->ev, "agent", msg);
}

static void report_cgroup_warnings(struct agent *a)
{
	char msg[600];

	if (pal_cgroup_take_warning(a->en.cg, msg, sizeof(msg)))
		report_cgroup_problem(a, msg);
}

static int do_reload(struct agent *a, char *why, size_t len)
{
	const char *paths[] = {a->o.policy_dir};
	char first[512] = "";
	struct first_error fe = {.buf = why && len ? why : first,
				 .len = why && len ? len : sizeof(first)};
	struct pal_load_opts lo = {
		.diag = print_diag, .ctx = &fe, .flags = a->o.insecure_ok ? 0 : PAL_LOAD_TRUSTED};
	struct pal_reload_report rep = {0};
	int err;

	fe.buf[0] = 0;
	err = pal_reload(&a->en, paths, 1, &lo, &rep);
	a->last_reload_ms = rep.ms;
	if (err && !fe.buf[0] && rep.why[0])
		snprintf(fe.buf, fe.len, "%s", rep.why);
	if (err) {
		a->reload_failures++;
		char msg[700];

		snprintf(msg, sizeof(msg), "reload failed: %s; generation %llu stays live",
			 fe.buf[0] ? fe.buf : strerror(-err), (unsigned long long)a->en.generation);
		pal_log(PAL_LOG_ERR, "reload: %s", msg);
		if (a->ev)
			pal_events_note(a->ev, "policy", msg);
		if (a->ready)
			notify_status(a, false);
		return err;
	}
	a->reloads++;
	a->loaded = time(NULL);
	if (a->ready) /* the file hooks this reload attached: by id, like those of the start */
		pal_guard_seal(a->guard);
	if (a->ev)
		pal_events_policy(a->ev, &rep);
	report_cgroup_warnings(a);
	if (a->ready)
		notify_status(a, false);
	return 0;
}

/* ---- the control socket's requests -------------------------------------- */

static int control_reload(void *ctx, char *why, size_t len)
{
	return do_reload(ctx, why, len);
}

static void control_stop(void *ctx)
{
	struct agent *a = ctx;

	a->stop = true;
}

static void control_status(void *ctx, struct pal_status *st)
{
	struct agent *a = ctx;

	*st = (struct pal_status){
		.en = &a->en,
		.ev = a->ev,
		.started = a->started,
		.loaded = a->loaded,
		.reloads = a->reloads,
		.reload_failures = a->reload_failures,
	};
}

static const struct pal_control_ops control_ops = {
	.reload = control_reload,
	.stop = control_stop,
	.status = control_status,
};

/* ---- metrics ------------------------------------------------------------- */

static void publish_metrics(struct agent *a)
{
	struct pal_metrics_snapshot *s;
	struct pal_cgroup_stats cs = {0};
	struct pal_event_stats es;
	const struct pal_decision_count *c;
	long long used;
	size_t n;

	if (!a->metrics)
		return;
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	pal_events_stats(a->ev, &es);
	pal_cgroup_stats(a->en.cg, &cs);
	s->lost = es.lost;
	s->suppressed = es.suppressed;
	s->reloads = a->reloads;
	s->reload_failures = a->reload_failures;
	s->last_reload_seconds = a->reloads + a->reload_failures ? a->last_reload_ms / 1e3 : NAN;
	s->generation = a->en.generation;
	s->cgroups_attached = cs.attached;
	used = pal_events_ringbuf_used(a->ev);
	s->ringbuf_used_bytes = used > 0 ? used : 0;
	s->ringbuf_size_bytes = PAL_RINGBUF_BYTES;
	c = pal_events_decisions(a->ev, &n);
	for (size_t i = 0; i < n; i++)
		pal_metrics_add_decision(s, c[i].policy,
					 c[i].action == PAL_ACT_DENY ? "deny" : "audit",
					 pal_event_type_name(c[i].type), c[i].count);
	pal_metrics_publish(a->metrics, s);
	free(s);
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event e = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

static int setup_loop(struct agent *a)
{
	struct itimerspec sec = {.it_interval = {1, 0}, .it_value = {1, 0}};
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	a->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	a->tickfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	a->debfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	a->inofd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (a->sigfd < 0 || a->epfd < 0 || a->tickfd < 0 || a->debfd < 0 || a->inofd < 0)
		return pal_log_errno(-errno, "run: cannot set up the event loop");
	timerfd_settime(a->tickfd, 0, &sec, NULL);
	a->ctlfd = pal_control_listen(a->o.socket);
	if (a->ctlfd < 0)
		return a->ctlfd;
	/* Editors write a temp file and rename it over: watch the directory. */
	if (inotify_add_watch(a->inofd, a->o.policy_dir,
			      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
				      IN_CREATE) < 0)
		return pal_log_errno(-errno, "run: cannot watch '%s'", a->o.policy_dir);
	if (epoll_add(a->epfd, a->sigfd) || epoll_add(a->epfd, a->tickfd) ||
	    epoll_add(a->epfd, a->debfd) || epoll_add(a->epfd, a->inofd) ||
	    epoll_add(a->epfd, pal_events_fd(a->ev)) ||
	    epoll_add(a->epfd, pal_cgroup_watch_fd(a->en.cg)) || epoll_add(a->epfd, a->ctlfd))
		return pal_log_errno(-errno, "run: cannot set up the event loop");
	return 0;
}

/* Policy dir changed: (re)arm the debounce timer; the reload runs when it fires. */
static void on_inotify(struct agent *a)
{
	struct itimerspec deb = {.it_value = {0, RELOAD_DEBOUNCE_MS * 1000000L}};
	char buf[4096];

	while (read(a->inofd, buf, sizeof(buf)) > 0)
		;
	timerfd_settime(a->debfd, 0, &deb, NULL);
}

/* A cgroup appeared or went away. */
static void on_cgroup_watch(struct agent *a)
{
	int err = pal_cgroup_handle_watch(a->en.cg);

	if (err < 0)
		report_cgroup_problem(a, pal_cgroup_why(a->en.cg)[0] ? pal_cgroup_why(a->en.cg) :
								       strerror(-err));
	report_cgroup_warnings(a);
}

/* Container cgroups whose runtime had not written its OCI state yet. */
static void on_cgroup_retry(struct agent *a)
{
	int err;

	if (pal_cgroup_retry_ms(a->en.cg) != 0)
		return;
	err = pal_cgroup_retry(a->en.cg);
	if (err < 0)
		report_cgroup_problem(a, pal_cgroup_why(a->en.cg)[0] ? pal_cgroup_why(a->en.cg) :
								       strerror(-err));
	report_cgroup_warnings(a);
}

static void on_signal(struct agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			do_reload(a, NULL, 0);
		else if (si.ssi_signo == SIGUSR1)
			pal_sink_reopen(a->sink);
		else
			a->stop = true;
	}
}

static int loop(struct agent *a)
{
	struct epoll_event evs[8];
	__u64 ticks;

	while (!a->stop) {
		int due = pal_cgroup_retry_ms(a->en.cg);
		int n = epoll_wait(a->epfd, evs, 8, due >= 0 && due < 1000 ? due : 1000);

		if (n < 0 && errno != EINTR)
			return pal_log_errno(-errno, "run: epoll_wait");
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == a->sigfd)
				on_signal(a);
			else if (fd == a->inofd)
				on_inotify(a);
			else if (fd == a->debfd && read(fd, &ticks, 8) == 8)
				do_reload(a, NULL, 0);
			else if (fd == a->tickfd && read(fd, &ticks, 8) == 8) {
				pal_events_tick(a->ev);
				publish_metrics(a);
				notify_watchdog();
			} else if (fd == pal_cgroup_watch_fd(a->en.cg))
				on_cgroup_watch(a);
			else if (fd == a->ctlfd)
				pal_control_serve(a->ctlfd, &control_ops, a);
		}
		on_cgroup_retry(a);
		pal_events_consume(a->ev);
	}
	return 0;
}

static int start_metrics(struct agent *a)
{
	int err;

	if (!a->o.metrics[0])
		return 0;
	err = pal_metrics_start(&a->metrics, a->o.metrics, NULL, NULL);
	if (err == -EOPNOTSUPP)
		pal_log(PAL_LOG_ERR, "run: --metrics: this build has no metrics endpoint "
				     "(built without libmicrohttpd)");
	else if (err)
		pal_log_errno(err, "run: --metrics '%s'", a->o.metrics);
	return err == -EINVAL ? -EINVAL : err ? -EIO : 0;
}

static int arm_guard(struct agent *a)
{
	int err = pal_guard_arm(a->guard,
				a->o.no_signal_guard ? 0 : PAL_GUARD_SIGNALS | PAL_GUARD_PTRACE,
				a->en.cg2_root);

	if (!err && !a->o.no_signal_guard)
		pal_guard_oom_exempt(); /* a warning only: the guard itself is armed */
	return err;
}

/* Where start-up time goes, stage by stage, for the ready line. */
struct start_clock {
	struct timespec t0, last;
	char text[192];
	size_t len;
};

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Note that stage `name` ended now. */
static void stage_done(struct start_clock *c, const char *name)
{
	struct timespec now;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!c->t0.tv_sec && !c->t0.tv_nsec) {
		c->t0 = c->last = now;
		return;
	}
	n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%s%s %.0f ms", c->len ? ", " : "",
		     name, ms_between(&c->last, &now));
	if (n > 0 && (size_t)n < sizeof(c->text) - c->len)
		c->len += n;
	c->last = now;
}

static int start(struct agent *a, struct start_clock *clk)
{
	char why[512];
	int err;

	err = check_policy_dir(&a->o);
	if (err)
		return err;
	err = pal_cgroup_find_root(a->en.cg2_root, sizeof(a->en.cg2_root));
	if (err)
		return pal_log_errno(err, "run: no cgroup v2 mount (tried /sys/fs/cgroup and "
					  "/sys/fs/cgroup/unified)");
	err = ensure_pin_dir(a->o.pin_dir);
	if (err)
		return err;
	err = pal_maps_open(&a->en.maps, a->o.pin_dir);
	if (err == -EPROTO)
		return pal_log_errno(
			err,
			"run: the maps pinned in '%s' have another layout than this agent "
			"(%s is missing): they were left by an agent of another version. "
			"Hint: stop that agent, or remove the pins (rm -r '%s'), then start "
			"again",
			a->o.pin_dir, PAL_ABI_MARKER, a->o.pin_dir);
	if (err == -EPERM || err == -EACCES)
		return refused_by_guard(a->o.pin_dir);
	if (err)
		return pal_log_errno(err, "run: cannot create or adopt maps in '%s'", a->o.pin_dir);
	err = pal_enforcer_sync(&a->en);
	if (err)
		return pal_log_errno(err, "run: cannot read the live generation");
	stage_done(clk, "maps");
	if (pal_lsm_probe(why, sizeof(why)) == 0) {
		err = pal_file_open(&a->en.file, &a->en.maps, a->o.pin_dir);
		stage_done(clk, "file programs");
		if (!err)
			err = pal_guard_open(&a->guard, &a->en.maps, a->o.pin_dir);
		stage_done(clk, "guard");
		if (!err)
			err = pal_socket_open(&a->en.sock, &a->en.maps, a->o.pin_dir);
		stage_done(clk, "socket");
		if (err == -EPERM || err == -EACCES)
			return refused_by_guard(a->o.pin_dir);
		if (err)
			return err;
		/* Before any thread exists: threads inherit the agent's mark. */
		err = arm_guard(a);
		if (err)
			return err;
	} else {
		pal_log(PAL_LOG_WARN, "run: file and exec enforcement unavailable: %s", why);
	}
	/* With the LSM socket hook, `socket:` rules of every family can be enforced. */
	err = pal_cgroup_open(&a->en.cg, &a->en.maps, a->en.cg2_root, a->o.pin_dir,
			      a->en.sock ? PAL_CG_LSM_SOCKET : 0);
	if (err)
		return pal_log_errno(err, "run: cannot load the cgroup programs: %s",
				     pal_cgroup_why(a->en.cg) ? pal_cgroup_why(a->en.cg) :
								"see above");
	stage_done(clk, "cgroup programs");
	err = pal_sink_open(&a->sink, &(struct pal_sink_opts){.log_path = a->o.log_path,
							      .syslog = a->o.syslog,
							      .linux_audit = a->o.linux_audit});
	if (err)
		return err;
	err = pal_events_open(&a->ev, &a->en, a->sink);
	if (err)
		return err;
	pal_events_note(a->ev, "agent", "palisade " PAL_VERSION " started");
	err = do_reload(a, NULL, 0);
	if (err)
		return err;
	stage_done(clk, "policy");
	err = setup_loop(a);
	if (!err)
		err = start_metrics(a);
	if (!err)
		err = pal_drop_privileges();
	if (!err)
		pal_guard_seal(a->guard);
	stage_done(clk, "the rest");
	return err;
}

static void shutdown_agent(struct agent *a)
{
	bool keep = a->o.keep_on_exit;

	if (a->ev) {
		pal_events_consume(a->ev);
		pal_events_tick(a->ev);
		pal_events_note(a->ev, "agent",
				keep ? "agent stopped; enforcement continues "
				       "(--keep-on-exit)" :
				       "agent stopped; enforcement detached");
	}
	pal_events_close(a->ev);
	pal_guard_close(a->guard, keep); /* disarmed first: our own unpinning is not tampering */
	pal_file_close(a->en.file, keep);
	pal_socket_close(a->en.sock, keep);
	pal_cgroup_close(a->en.cg, keep);
	/* An agent that never opened the maps (refused pins) leaves them alone. */
	if (!keep && a->en.maps.fd[PAL_MAP_GEN] >= 0) {
		char path[PATH_MAX];

		pal_maps_unpin(a->o.pin_dir);
		snprintf(path, sizeof(path), "%s/links", a->o.pin_dir);
		rmdir(path);
		rmdir(a->o.pin_dir);
	}
	pal_maps_close(&a->en.maps);
	pal_policy_set_free(a->en.live);
	pal_policy_set_free(a->en.prev);
	pal_sink_close(a->sink);
	pal_metrics_stop(a->metrics);
	pal_control_close(a->ctlfd, a->o.socket);
	pal_policy_set_free(a->config_set);
	for (int *fd = &a->epfd; fd <= &a->debfd; fd++)
		if (*fd > 0)
			close(*fd);
}

int cmd_run(int argc, char **argv)
{
	struct agent a = {
		.epfd = -1,
		.sigfd = -1,
		.tickfd = -1,
		.inofd = -1,
		.debfd = -1,
		.ctlfd = -1,
	};
	struct start_clock clk = {0};
	int err = parse_opts(argc, argv, &a.o);

	if (err)
		return err > 0 ? PAL_EXIT_OK : PAL_EXIT_POLICY;
	a.started = time(NULL);
	for (int i = 0; i < PAL_MAP_COUNT; i++)
		a.en.maps.fd[i] = -1;
	err = apply_config(&a);
	if (err) {
		pal_policy_set_free(a.config_set);
		return err == -EINVAL ? PAL_EXIT_POLICY : PAL_EXIT_RUNTIME;
	}
	pal_log_setup(a.o.verbose, false);
	stage_done(&clk, NULL); /* the clock starts */
	err = start(&a, &clk);
	if (!err) {
		pal_log(PAL_LOG_INFO,
			"run: ready: generation %llu enforcing from '%s'%s after %.0f ms (%s)",
			(unsigned long long)a.en.generation, a.o.policy_dir,
			a.en.file ? "" : " (cgroup programs only)", ms_between(&clk.t0, &clk.last),
			clk.text);
		notify_status(&a, true);
		a.ready = true;
		err = loop(&a);
	}
	shutdown_agent(&a);
	if (err == -EINVAL)
		return PAL_EXIT_POLICY;
	if (err == -EOPNOTSUPP)
		return PAL_EXIT_UNSUPPORTED;
	return err ? PAL_EXIT_RUNTIME : PAL_EXIT_OK;
}
