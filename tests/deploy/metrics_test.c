// SPDX-License-Identifier: GPL-2.0-only
/*
 * The metrics endpoint, end to end: start it on 127.0.0.1 with a fake fill
 * callback, fetch with curl (a real HTTP client), and check the exact body,
 * the status codes, and that the whole output is a valid text exposition.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <cmocka.h>

#include "agent/metrics.h"

extern char **environ;

static char tmpdir[] = "/tmp/pal-metrics-XXXXXX";

/* ---- a real HTTP client: curl ------------------------------------------- */

struct resp {
	int status;
	char *body;
	char *headers;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return strdup("");
	buf = calloc(1, 1 << 20);
	if (buf)
		len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	if (buf)
		buf[len] = 0;
	return buf;
}

static void resp_free(struct resp *r)
{
	free(r->body);
	free(r->headers);
}

/*
 * Run curl; method NULL is GET, "HEAD" uses --head; accept NULL leaves
 * curl's default Accept header (any type). Returns the HTTP status.
 */
static int fetch_accept(const char *method, const char *accept, const char *url, struct resp *r)
{
	char accept_hdr[512];
	char body[256], hdr[256], code[256];
	const char *argv[24];
	posix_spawn_file_actions_t fa;
	int n = 0, st;
	pid_t pid;
	char *c;

	snprintf(body, sizeof(body), "%s/body", tmpdir);
	snprintf(hdr, sizeof(hdr), "%s/headers", tmpdir);
	snprintf(code, sizeof(code), "%s/code", tmpdir);
	unlink(body);
	unlink(hdr);
	argv[n++] = PAL_CURL;
	argv[n++] = "--silent";
	argv[n++] = "--show-error";
	argv[n++] = "--noproxy"; /* never send test traffic through a configured proxy */
	argv[n++] = "*";
	argv[n++] = "--max-time";
	argv[n++] = "10";
	if (method && !strcmp(method, "HEAD")) {
		argv[n++] = "--head";
	} else if (method) {
		argv[n++] = "--request";
		argv[n++] = method;
	}
	argv[n++] = "--output";
	argv[n++] = body;
	argv[n++] = "--dump-header";
	argv[n++] = hdr;
	argv[n++] = "--write-out";
	argv[n++] = "%{http_code}";
	if (accept) {
		snprintf(accept_hdr, sizeof(accept_hdr), "Accept: %s", accept);
		argv[n++] = "--header";
		argv[n++] = accept_hdr;
	}
	argv[n++] = url;
	argv[n] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, code, O_WRONLY | O_CREAT | O_TRUNC,
					 0600);
	assert_int_equal(posix_spawn(&pid, PAL_CURL, &fa, NULL, (char **)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	c = slurp(code);
	r->status = atoi(c);
	free(c);
	r->body = slurp(body);
	r->headers = slurp(hdr);
	return r->status;
}

static int fetch(const char *method, const char *url, struct resp *r)
{
	return fetch_accept(method, NULL, url, r);
}

static void url_of(char *buf, size_t len, const char *host, int port, const char *path)
{
	snprintf(buf, len, "http://%s:%d%s", host, port, path);
}

/* ---- an exposition format checker --------------------------------------- */

#define MAX_FAMILIES 64
#define MAX_SERIES 4096

struct fam {
	char name[128];
	char type[16];
	bool help, samples, closed;
};

struct expo {
	struct fam fams[MAX_FAMILIES];
	int nfams;
	char *series[MAX_SERIES];
	int nseries;
	char err[256];
};

static bool name_ok(const char *s, size_t n, bool metric)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			     (metric && c == ':');

		if (!alpha && !(i && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

static struct fam *fam_get(struct expo *e, const char *name, size_t n)
{
	for (int i = 0; i < e->nfams; i++)
		if (strlen(e->fams[i].name) == n && !strncmp(e->fams[i].name, name, n))
			return &e->fams[i];
	if (e->nfams == MAX_FAMILIES || n >= sizeof(e->fams[0].name))
		return NULL;
	memcpy(e->fams[e->nfams].name, name, n);
	return &e->fams[e->nfams++];
}

static int expo_fail(struct expo *e, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(e->err, sizeof(e->err), "line %d: ", line);

	va_start(ap, fmt);
	vsnprintf(e->err + n, sizeof(e->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool value_ok(const char *s, bool counter)
{
	char *end;
	double v;

	if (!strcmp(s, "NaN"))
		return !counter;
	if (!strcmp(s, "+Inf") || !strcmp(s, "-Inf"))
		return !counter;
	/* strtod would also take "nan", "inf" and hex: allow decimal spellings only. */
	if (!*s || strspn(s, "0123456789+-.eE") != strlen(s))
		return false;
	v = strtod(s, &end);
	return !*end && (!counter || v >= 0);
}

/* Labels from after '{' to '}'; *p ends after the '}'. */
static int labels_ok(struct expo *e, int ln, const char **p)
{
	const char *s = *p;

	while (*s != '}') {
		const char *n = s;

		while (*s && *s != '=' && *s != '}' && *s != ' ')
			s++;
		if (!name_ok(n, (size_t)(s - n), false))
			return expo_fail(e, ln, "bad label name");
		if (s - n >= 2 && n[0] == '_' && n[1] == '_')
			return expo_fail(e, ln, "reserved label name");
		if (*s++ != '=' || *s++ != '"')
			return expo_fail(e, ln, "label without =\"value\"");
		while (*s != '"') {
			if (!*s || *s == '\n')
				return expo_fail(e, ln, "unterminated label value");
			if (*s == '\\') {
				s++;
				if (*s != '\\' && *s != '"' && *s != 'n')
					return expo_fail(e, ln, "bad escape \\%c in label value",
							 *s);
			}
			s++;
		}
		s++;
		if (*s == ',')
			s++;
		else if (*s != '}')
			return expo_fail(e, ln, "expected , or } after a label");
	}
	*p = s + 1;
	return 0;
}

static int sample_ok(struct expo *e, int ln, const char *line, struct fam **cur)
{
	const char *s = line, *name = line;
	char value[64];
	struct fam *f;
	size_t nl;

	while (*s && *s != '{' && *s != ' ')
		s++;
	nl = (size_t)(s - name);
	if (!name_ok(name, nl, true))
		return expo_fail(e, ln, "bad metric name");
	f = fam_get(e, name, nl);
	if (!f || !f->type[0])
		return expo_fail(e, ln, "sample of '%.*s' before its # TYPE", (int)nl, name);
	if (f->closed || (*cur && *cur != f && f->samples))
		return expo_fail(e, ln, "samples of '%s' are not grouped together", f->name);
	if (*cur && *cur != f)
		(*cur)->closed = true;
	*cur = f;
	f->samples = true;
	if (*s == '{') {
		s++;
		if (labels_ok(e, ln, &s))
			return -1;
	}
	if (*s++ != ' ')
		return expo_fail(e, ln, "expected a space before the value");
	if (strlen(s) >= sizeof(value) || strchr(s, ' '))
		return expo_fail(e, ln, "bad value (or unexpected timestamp)");
	strcpy(value, s);
	if (!value_ok(value, !strcmp(f->type, "counter")))
		return expo_fail(e, ln, "bad %s value '%s'", f->type, value);
	for (int i = 0; i < e->nseries; i++)
		if (strlen(e->series[i]) == (size_t)(s - 1 - name) &&
		    !strncmp(e->series[i], name, (size_t)(s - 1 - name)))
			return expo_fail(e, ln, "duplicate series");
	if (e->nseries == MAX_SERIES)
		return expo_fail(e, ln, "too many series");
	e->series[e->nseries++] = strndup(name, (size_t)(s - 1 - name));
	return 0;
}

static int comment_ok(struct expo *e, int ln, const char *line, struct fam *cur)
{
	bool help = !strncmp(line, "# HELP ", 7), type = !strncmp(line, "# TYPE ", 7);
	const char *name = line + 7, *s = name;
	struct fam *f;

	if (!help && !type)
		return 0; /* a plain comment */
	while (*s && *s != ' ')
		s++;
	if (!name_ok(name, (size_t)(s - name), true) || *s != ' ')
		return expo_fail(e, ln, "bad HELP/TYPE line");
	f = fam_get(e, name, (size_t)(s - name));
	if (!f)
		return expo_fail(e, ln, "too many families");
	s++;
	if (help) {
		if (f->help)
			return expo_fail(e, ln, "second # HELP for '%s'", f->name);
		for (const char *t = s; *t; t++)
			if (*t == '\\' && *++t != '\\' && *t != 'n')
				return expo_fail(e, ln, "bad escape in HELP");
		f->help = true;
		return 0;
	}
	if (f->type[0])
		return expo_fail(e, ln, "second # TYPE for '%s'", f->name);
	if (f->samples)
		return expo_fail(e, ln, "# TYPE after samples of '%s'", f->name);
	if (strcmp(s, "counter") && strcmp(s, "gauge") && strcmp(s, "histogram") &&
	    strcmp(s, "summary") && strcmp(s, "untyped"))
		return expo_fail(e, ln, "unknown type '%s'", s);
	if (!strcmp(s, "counter") &&
	    (strlen(f->name) < 6 || strcmp(f->name + strlen(f->name) - 6, "_total")))
		return expo_fail(e, ln, "counter '%s' is not named *_total", f->name);
	snprintf(f->type, sizeof(f->type), "%s", s);
	return 0;
}

/* 0 if text is a valid exposition (as strict as our output must be), else -1 and e->err. */
static int expo_check(struct expo *e, const char *text)
{
	struct fam *cur = NULL;
	int ln = 0, ret = 0;
	char *copy, *line, *save = NULL;
	size_t len = strlen(text);

	memset(e, 0, sizeof(*e));
	if (!len || text[len - 1] != '\n')
		return expo_fail(e, 0, "does not end with a newline");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 && text[i] != '\n')
			return expo_fail(e, 0, "control byte 0x%02x", text[i]);
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save)) {
		ln++;
		if (line[0] == '#')
			ret = comment_ok(e, ln, line, cur);
		else
			ret = sample_ok(e, ln, line, &cur);
	}
	for (int i = 0; i < e->nseries; i++)
		free(e->series[i]);
	free(copy);
	return ret;
}

/* ---- fixtures ---------------------------------------------------------- */

struct fake {
	int calls;
	int fail; /* return this from fill when nonzero */
	size_t ndecisions; /* override: how many decisions to claim */
};

static void decision(struct pal_metrics_snapshot *s, const char *p, const char *a, const char *ev,
		     unsigned long long n)
{
	struct pal_metrics_decision *d = &s->decisions[s->ndecisions++];

	snprintf(d->policy, sizeof(d->policy), "%s", p);
	snprintf(d->action, sizeof(d->action), "%s", a);
	snprintf(d->event, sizeof(d->event), "%s", ev);
	d->count = n;
}

static void fake_numbers(struct pal_metrics_snapshot *s, unsigned long long bump)
{
	decision(s, "web", "deny", "file", 7 + bump);
	decision(s, "ssh-keys", "audit", "exec", 2);
	decision(s, "web", "deny", "file", 3); /* same triple: must fold into one series */
	decision(s, "we\"ird\\na\nme", "deny", "network", 1);
	decision(s, "bad\xff", "deny", "device", 4);
	s->lost = 5;
	s->suppressed = 6;
	s->reloads = 3 + bump;
	s->reload_failures = 1;
	s->last_reload_seconds = 0.0125;
	s->generation = 42 + bump;
	s->cgroups_attached = 9;
	s->ringbuf_used_bytes = 4096;
	s->ringbuf_size_bytes = 8388608;
}

static int fake_fill(void *ctx, struct pal_metrics_snapshot *s)
{
	struct fake *f = ctx;

	/* The endpoint hands over a clean snapshot every time. */
	if (s->ndecisions || s->lost || !isnan(s->last_reload_seconds))
		return -EPROTO;
	if (f->fail)
		return f->fail;
	fake_numbers(s, (unsigned long long)f->calls++);
	if (f->ndecisions)
		s->ndecisions = f->ndecisions;
	return 0;
}

/* clang-format off: one exposition line per source line */
#define HELP_TYPE(n, t, h) "# HELP " n " " h "\n# TYPE " n " " t "\n"

static const char expected_body[] = HELP_TYPE(
	"palisade_build_info",
	"gauge", "Version of the running agent (always 1).") "palisade_build_info{version=\"" PAL_VERSION
							     "\"} 1\n" HELP_TYPE(
								     "palisade_decisions_total",
								     "counter", "Deny and audit decisions, by policy, action and event type.") "palisade_decisions_total{policy=\"bad\xef\xbf\xbd\",action=\"deny\",event=\"device\"} 4\n"
																	       "palisade_decisions_total{policy=\"ssh-keys\",action=\"audit\",event=\"exec\"} 2\n"
																	       "palisade_decisions_total{policy=\"we\\\"ird\\\\na\\nme\",action=\"deny\","
																	       "event=\"network\"} 1\n"
																	       "palisade_decisions_total{policy=\"web\",action=\"deny\",event=\"file\"} 10\n" HELP_TYPE("palisade_events_lost_total", "counter", "Events dropped because the ring buffer was full (the decisions still held).") "palisade_events_lost_total 5\n" HELP_TYPE("palisade_events_suppressed_total", "counter",
																																																	   "Events not emitted because of the in-kernel rate limit (the decisions still "
																																																	   "held).") "palisade_events_suppressed_total 6\n" HELP_TYPE("palisade_reloads_total",
																																																								      "counter", "Successful policy loads and reloads.") "palisade_reloads_total 3\n" HELP_TYPE("palisade_reload_failures_total", "counter", "Reloads that failed and kept the previous generation live.") "palisade_reload_failures_total 1\n" HELP_TYPE("palisade_reload_duration_seconds", "gauge", "Duration of the last reload attempt.") "palisade_reload_duration_seconds 0.0125\n" HELP_TYPE("palisade_generation",
																																																																																																								     "gauge",
																																																																																																								     "The live policy generation.") "palisade_generation 42\n" HELP_TYPE("palisade_cgroups_attached",
																																																																																																																	 "gauge",
																																																																																																																	 "Cgroups the cgroup programs are attached to.") "palisade_cgroups_attached 9\n" HELP_TYPE("palisade_ringbuf_used_bytes", "gauge", "Bytes written to the event ring buffer and not yet read.") "palisade_ringbuf_used_bytes 4096\n" HELP_TYPE("palisade_ringbuf_size_bytes",
																																																																																																																																														      "gauge",
																																																																																																																																														      "Size of the event ring buffer.") "palisade_ringbuf_size_bytes 8388608\n";
/* clang-format on */

/* ---- served bodies: the snapshot, then the agent's process metrics ------- */

static const char *const process_metrics[] = {
	"process_cpu_seconds_total",
	"process_resident_memory_bytes",
	"process_virtual_memory_bytes",
	"process_open_fds",
	"process_max_fds",
	"process_start_time_seconds",
};

/* The value of the unlabelled sample name in body; fails the test if there is none. */
static double sample_value(const char *body, const char *name)
{
	char needle[128];
	const char *p;

	snprintf(needle, sizeof(needle), "\n%s ", name);
	p = strstr(body, needle);
	if (!p)
		fail_msg("no sample %s in:\n%s", name, body);
	return strtod(p + strlen(needle), NULL);
}

/* The process metrics are there, once each, and their values are plausible. */
static void assert_process_plausible(const char *body)
{
	double rss, vsz, fds, max, start, cpu, now = (double)time(NULL);

	for (size_t i = 0; i < sizeof(process_metrics) / sizeof(process_metrics[0]); i++) {
		char needle[128];
		const char *p;

		snprintf(needle, sizeof(needle), "\n%s ", process_metrics[i]);
		p = strstr(body, needle);
		if (!p || strstr(p + 1, needle))
			fail_msg("want one sample of %s in:\n%s", process_metrics[i], body);
	}
	rss = sample_value(body, "process_resident_memory_bytes");
	vsz = sample_value(body, "process_virtual_memory_bytes");
	fds = sample_value(body, "process_open_fds");
	max = sample_value(body, "process_max_fds");
	start = sample_value(body, "process_start_time_seconds");
	cpu = sample_value(body, "process_cpu_seconds_total");
	if (!(rss > 0 && vsz >= rss && fds > 0 && max >= fds && cpu >= 0))
		fail_msg("implausible: rss %g vsz %g fds %g max %g cpu %g", rss, vsz, fds, max,
			 cpu);
	/* This test process started in the last hours, not at the epoch or in the future. */
	if (!(start > now - 6 * 3600 && start <= now + 1))
		fail_msg("start time %f, now %f", start, now);
}

/* A served body: exactly the snapshot's exposition, then the process families. */
static void assert_served(const char *body, enum pal_metrics_format f)
{
	struct pal_metrics_snapshot *s = calloc(1, sizeof(*s));
	const char *proc = f == PAL_METRICS_OPENMETRICS ? "# HELP process_cpu_seconds " :
							  "# HELP process_cpu_seconds_total ";
	size_t len, n;
	char *want;

	fake_numbers(s, 0);
	assert_int_equal(pal_metrics_render_as(s, NULL, f, &want, &len), 0);
	n = f == PAL_METRICS_OPENMETRICS ? len - strlen("# EOF\n") : len;
	if (strncmp(body, want, n) || strncmp(body + n, proc, strlen(proc)))
		fail_msg("want the exposition\n%.*s\nthen %s..., got\n%s", (int)n, want, proc,
			 body);
	assert_process_plausible(body);
	if (f == PAL_METRICS_OPENMETRICS)
		assert_true(strlen(body) > 7 && !strcmp(body + strlen(body) - 7, "\n# EOF\n"));
	free(want);
	free(s);
}

struct env {
	struct fake fake;
	struct pal_metrics *m;
	int port;
};

static int start_env(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e || pal_metrics_start(&e->m, "127.0.0.1:0", fake_fill, &e->fake))
		return -1;
	e->port = pal_metrics_port(e->m);
	*state = e;
	return 0;
}

static int stop_env(void **state)
{
	struct env *e = *state;

	pal_metrics_stop(e->m);
	free(e);
	return 0;
}

static bool has_header(const char *headers, const char *line)
{
	/* Header names are case-insensitive; ours are sent as written here. */
	return strcasestr(headers, line) != NULL;
}

/* ---- tests ------------------------------------------------------------- */

static void test_render_exact(void **state)
{
	struct pal_metrics_snapshot *s = calloc(1, sizeof(*s));
	struct expo *e = calloc(1, sizeof(*e));
	size_t len;
	char *out;

	fake_numbers(s, 0);
	assert_int_equal(pal_metrics_render(s, &out, &len), 0);
	assert_string_equal(out, expected_body);
	assert_int_equal(len, strlen(expected_body));
	if (expo_check(e, out))
		fail_msg("%s", e->err);
	free(out);
	free(e);
	free(s);
}

static void test_render_special_values(void **state)
{
	struct pal_metrics_snapshot *s = calloc(1, sizeof(*s));
	struct expo *e = calloc(1, sizeof(*e));
	size_t len;
	char *out;

	s->last_reload_seconds = NAN; /* no reload yet */
	assert_int_equal(pal_metrics_render(s, &out, &len), 0);
	assert_non_null(strstr(out, "\npalisade_reload_duration_seconds NaN\n"));
	/* No decision yet: the family is announced, with no sample. */
	assert_non_null(strstr(out, "# TYPE palisade_decisions_total counter\n# HELP "));
	if (expo_check(e, out))
		fail_msg("%s", e->err);
	free(out);
	s->ndecisions = PAL_METRICS_MAX_DECISIONS + 1;
	assert_int_equal(pal_metrics_render(s, &out, &len), -EINVAL);
	free(e);
	free(s);
}

static void test_get_metrics(void **state)
{
	struct env *env = *state;
	struct expo *e = calloc(1, sizeof(*e));
	struct resp r;
	char url[128];

	url_of(url, sizeof(url), "127.0.0.1", env->port, "/metrics");
	assert_int_equal(fetch(NULL, url, &r), 200);
	assert_served(r.body, PAL_METRICS_TEXT);
	assert_true(has_header(r.headers, "\r\nContent-Type: text/plain; version=0.0.4; "
					  "charset=utf-8\r\n"));
	if (expo_check(e, r.body))
		fail_msg("%s", e->err);
	resp_free(&r);

	/* fill runs on every scrape: the second one sees new numbers. */
	assert_int_equal(fetch(NULL, url, &r), 200);
	assert_non_null(strstr(r.body, "\npalisade_generation 43\n"));
	assert_non_null(strstr(r.body, "\npalisade_reloads_total 4\n"));
	assert_non_null(strstr(r.body, "{policy=\"web\",action=\"deny\",event=\"file\"} 11\n"));
	assert_int_equal(env->fake.calls, 2);
	resp_free(&r);

	/* A query string does not change the path. */
	url_of(url, sizeof(url), "127.0.0.1", env->port, "/metrics?debug=1");
	assert_int_equal(fetch(NULL, url, &r), 200);
	resp_free(&r);
	free(e);
}

static void test_head(void **state)
{
	struct env *env = *state;
	struct resp r;
	char url[128];

	url_of(url, sizeof(url), "127.0.0.1", env->port, "/metrics");
	assert_int_equal(fetch("HEAD", url, &r), 200);
	/* curl --head writes the headers as its output: there must be nothing else. */
	assert_true(has_header(r.headers, "\r\nContent-Type: text/plain; version=0.0.4; "
					  "charset=utf-8\r\n"));
	assert_null(strstr(r.body, "palisade_"));
	resp_free(&r);
}

static void test_not_found(void **state)
{
	static const char *const paths[] = {"/", "/metric", "/metrics/", "/metricsx", "/status"};
	struct env *env = *state;
	struct resp r;
	char url[128];

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		url_of(url, sizeof(url), "127.0.0.1", env->port, paths[i]);
		if (fetch(NULL, url, &r) != 404)
			fail_msg("GET %s: status %d, want 404", paths[i], r.status);
		resp_free(&r);
	}
	assert_int_equal(env->fake.calls, 0); /* nothing was collected for them */
}

static void test_method_not_allowed(void **state)
{
	static const char *const methods[] = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
	struct env *env = *state;
	struct resp r;
	char url[128];

	url_of(url, sizeof(url), "127.0.0.1", env->port, "/metrics");
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (fetch(methods[i], url, &r) != 405)
			fail_msg("%s /metrics: status %d, want 405", methods[i], r.status);
		assert_true(has_header(r.headers, "\r\nAllow: GET, HEAD\r\n"));
		resp_free(&r);
	}
	assert_int_equal(env->fake.calls, 0);
}

static void test_fill_error(void **state)
{
	struct env *env = *state;
	struct resp r;
	char url[128];

	url_of(url, sizeof(url), "127.0.0.1", env->port, "/metrics");
	env->fake.fail = -EIO;
	assert_int_equal(fetch(NULL, url, &r), 500);
	assert_null(strstr(r.body, "palisade_")); /* no partial numbers */
	resp_free(&r);
	env->fake.fail = 0;
	env->fake.ndecisions = PAL_METRICS_MAX_DECISIONS + 1; /* over the limit: refuse, not cut */
	assert_int_equal(fetch(NULL, url, &r), 500);
	resp_free(&r);
	env->fake.ndecisions = 0;
	assert_int_equal(fetch(NULL, url, &r), 200);
	resp_free(&r);
}

static void test_publish_mode(void **state)
{
	struct pal_metrics_snapshot *s = calloc(1, sizeof(*s));
	struct pal_metrics *m;
	struct resp r;
	char url[128];

	assert_int_equal(pal_metrics_start(&m, "127.0.0.1:0", NULL, NULL), 0);
	url_of(url, sizeof(url), "127.0.0.1", pal_metrics_port(m), "/metrics");
	assert_int_equal(fetch(NULL, url, &r), 503); /* nothing published yet */
	resp_free(&r);
	fake_numbers(s, 0);
	pal_metrics_publish(m, s);
	memset(s, 0xff, sizeof(*s)); /* the endpoint keeps its own copy */
	assert_int_equal(fetch(NULL, url, &r), 200);
	assert_served(r.body, PAL_METRICS_TEXT);
	resp_free(&r);
	pal_metrics_stop(m);
	free(s);
}

/* Bound to the given address only: another loopback address gets no answer. */
static void test_bound_to_address_only(void **state)
{
	struct env *env = *state;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(env->port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.2", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), -1);
	assert_int_equal(errno, ECONNREFUSED);
	close(fd);
}

static bool nonlocal_bind(void)
{
	char *v = slurp("/proc/sys/net/ipv4/ip_nonlocal_bind");
	bool on = v && v[0] == '1';

	free(v);
	return on;
}

static void test_address_in_use(void **state)
{
	struct env *env = *state;
	struct pal_metrics *m = NULL;
	char addr[64];

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", env->port);
	assert_int_equal(pal_metrics_start(&m, addr, fake_fill, &env->fake), -EADDRINUSE);
	/* Not an address of this host (TEST-NET-1); bind only, nothing is sent. */
	if (!nonlocal_bind())
		assert_int_equal(pal_metrics_start(&m, "192.0.2.1:0", fake_fill, &env->fake),
				 -EADDRNOTAVAIL);
}

static void test_parse_addr(void **state)
{
	static const struct {
		const char *in;
		int family, port;
	} good[] = {
		{"127.0.0.1:9464", AF_INET, 9464}, {"0.0.0.0:1", AF_INET, 1},
		{"[::1]:9464", AF_INET6, 9464},	   {"[::]:65535", AF_INET6, 65535},
		{"127.0.0.1:0", AF_INET, 0},
	};
	static const char *const bad[] = {
		"",
		"9464",
		":9464",
		"127.0.0.1",
		"127.0.0.1:",
		"127.0.0.1:65536",
		"127.0.0.1:-1",
		"127.0.0.1:94x",
		"127.0.0.1: 9",
		"::1:9464",
		"[::1]9464",
		"[::1]:",
		"[127.0.0.1]:80",
		"localhost:9464",
		"256.0.0.1:80",
		"[]:80",
		"127.0.0.1:+80",
	};
	struct sockaddr_storage ss;
	socklen_t sl;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (pal_metrics_parse_addr(good[i].in, &ss, &sl))
			fail_msg("'%s' refused", good[i].in);
		assert_int_equal(ss.ss_family, good[i].family);
		assert_int_equal(ntohs(ss.ss_family == AF_INET ?
					       ((struct sockaddr_in *)&ss)->sin_port :
					       ((struct sockaddr_in6 *)&ss)->sin6_port),
				 good[i].port);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pal_metrics_parse_addr(bad[i], &ss, &sl) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
}

static void test_ipv6_loopback(void **state)
{
	struct fake f = {0};
	struct pal_metrics *m;
	struct resp r;
	char url[128];
	int err = pal_metrics_start(&m, "[::1]:0", fake_fill, &f);

	if (err == -EAFNOSUPPORT || err == -EADDRNOTAVAIL) {
		print_message("no IPv6 loopback here: %s\n", strerror(-err));
		skip();
	}
	assert_int_equal(err, 0);
	url_of(url, sizeof(url), "[::1]", pal_metrics_port(m), "/metrics");
	assert_int_equal(fetch(NULL, url, &r), 200);
	assert_served(r.body, PAL_METRICS_TEXT);
	resp_free(&r);
	pal_metrics_stop(m);
}

static void test_add_decision(void **state)
{
	struct pal_metrics_snapshot *s = calloc(1, sizeof(*s));
	char name[80], big[PAL_METRICS_NAME_MAX + 1];

	assert_int_equal(pal_metrics_add_decision(s, "web", "deny", "file", 2), 0);
	assert_int_equal(pal_metrics_add_decision(s, "web", "deny", "file", 3), 0);
	assert_int_equal(pal_metrics_add_decision(s, "web", "audit", "file", 1), 0);
	assert_int_equal(s->ndecisions, 2);
	assert_int_equal(s->decisions[0].count, 5);
	assert_string_equal(s->decisions[1].action, "audit");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(pal_metrics_add_decision(s, big, "deny", "file", 1), -EINVAL);
	assert_int_equal(pal_metrics_add_decision(s, "web", "deny", "a-very-long-event", 1),
			 -EINVAL);
	for (int i = 0; s->ndecisions < PAL_METRICS_MAX_DECISIONS; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(pal_metrics_add_decision(s, name, "deny", "exec", 1), 0);
	}
	assert_int_equal(pal_metrics_add_decision(s, "one-more", "deny", "exec", 1), -E2BIG);
	assert_int_equal(pal_metrics_add_decision(s, "web", "deny", "file", 1), 0); /* existing */
	assert_int_equal(s->decisions[0].count, 6);
	free(s);
}

/* ---- formats, process metrics, and the validators of the Prometheus project */

#define PROMETHEUS_ACCEPT                                                                        \
	"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;" \
	"q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

static void test_negotiate(void **state)
{
	static const struct {
		const char *accept;
		enum pal_metrics_format want;
	} cases[] = {
		{NULL, PAL_METRICS_TEXT},
		{"", PAL_METRICS_TEXT},
		{"*/*", PAL_METRICS_TEXT},
		{"text/plain", PAL_METRICS_TEXT},
		{"text/plain;version=0.0.4;q=1,*/*;q=0.1", PAL_METRICS_TEXT},
		{PROMETHEUS_ACCEPT, PAL_METRICS_OPENMETRICS},
		{"application/openmetrics-text", PAL_METRICS_OPENMETRICS},
		{"Application/OpenMetrics-Text; version=1.0.0", PAL_METRICS_OPENMETRICS},
		{"application/openmetrics-text;version=0.0.1", PAL_METRICS_OPENMETRICS},
		{"application/openmetrics-text;version=1.0.0;q=0.5,text/plain;q=0.9",
		 PAL_METRICS_TEXT},
		{"application/openmetrics-text;version=1.0.0;q=0.9,text/plain;q=0.5",
		 PAL_METRICS_OPENMETRICS},
		{"application/openmetrics-text;q=0", PAL_METRICS_TEXT},
		{"application/openmetrics-text;q=bogus", PAL_METRICS_TEXT},
		{"application/openmetrics-text;version=2.0.0", PAL_METRICS_TEXT},
		{"application/openmetrics-textual", PAL_METRICS_TEXT},
		{"application/json", PAL_METRICS_TEXT},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (pal_metrics_negotiate(cases[i].accept) != cases[i].want)
			fail_msg("Accept '%s': wrong format",
				 cases[i].accept ? cases[i].accept : "");
	assert_string_equal(pal_metrics_content_type(PAL_METRICS_OPENMETRICS),
			    "application/openmetrics-text; version=1.0.0; charset=utf-8");
	assert_string_equal(pal_metrics_content_type(PAL_METRICS_TEXT),
			    "text/plain; version=0.0.4; charset=utf-8");
}

static void test_render_openmetrics(void **state)
{
	struct pal_metrics_snapshot *s = calloc(1, sizeof(*s));
	size_t len;
	char *out;

	fake_numbers(s, 0);
	assert_int_equal(pal_metrics_render_as(s, NULL, PAL_METRICS_OPENMETRICS, &out, &len), 0);
	assert_int_equal(len, strlen(out));
	/* Counter families are named without _total, their samples with it. */
	assert_non_null(strstr(out, "# TYPE palisade_decisions counter\n"));
	assert_non_null(strstr(out, "\npalisade_decisions_total{policy=\"web\",action=\"deny\","
				    "event=\"file\"} 10\n"));
	assert_non_null(strstr(out, "# TYPE palisade_events_lost counter\n"
				    "palisade_events_lost_total 5\n"));
	assert_null(strstr(out, "_total counter"));
	assert_non_null(strstr(out, "# HELP palisade_build Version of the running agent"));
	assert_non_null(strstr(out, "# TYPE palisade_build info\npalisade_build_info{version="));
	assert_non_null(strstr(out, "\npalisade_reload_duration_seconds 0.0125\n"));
	/* The same samples as the text format, then # EOF, once, at the end. */
	assert_non_null(strstr(out, "\npalisade_ringbuf_size_bytes 8388608\n# EOF\n"));
	assert_string_equal(out + len - 6, "# EOF\n");
	assert_ptr_equal(strstr(out, "# EOF"), out + len - 6);
	free(out);
	free(s);
}

static void test_read_process(void **state)
{
	struct pal_metrics_process p, q;
	double now = (double)time(NULL);
	struct rlimit rl;
	int fds[2];

	assert_int_equal(pal_metrics_read_process(&p), 0);
	assert_true(p.resident_bytes > 0 && p.virtual_bytes >= p.resident_bytes);
	assert_true(p.start_time_seconds > now - 6 * 3600 && p.start_time_seconds <= now + 1);
	assert_true(p.cpu_seconds >= 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(p.max_fds, rl.rlim_cur);
	/* Two more descriptors are counted as two more: the count is not a constant. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(pal_metrics_read_process(&q), 0);
	assert_int_equal(q.open_fds, p.open_fds + 2);
	close(fds[0]);
	close(fds[1]);
	assert_true(q.start_time_seconds == p.start_time_seconds);
}

/*
 * Run argv with stdin from the file in, stdout and stderr into *out (NUL-
 * terminated). Returns the exit status, or -1 if it did not exit.
 */
static int run_tool(const char *const *argv, const char *in, char **out)
{
	posix_spawn_file_actions_t fa;
	char path[256];
	int st;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/tool-out", tmpdir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, in, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, path, O_WRONLY | O_CREAT | O_TRUNC,
					 0600);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char **)argv, environ))
		fail_msg("cannot run %s", argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	*out = slurp(path);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* promtool check metrics: exit 0 and not one word of complaint (it lints as well). */
static int promtool_check(const char *text, char **out)
{
	const char *const argv[] = {PAL_PROMTOOL, "check", "metrics", NULL};
	char in[256];
	int st;

	snprintf(in, sizeof(in), "%s/promtool-in", tmpdir);
	write_file(in, text);
	st = run_tool(argv, in, out);
	unlink(in);
	return st || **out ? -1 : 0;
}

static int openmetrics_check(const char *text, char **out)
{
	const char *const argv[] = {PAL_OM_PYTHON, PAL_OM_CHECK, NULL};
	char in[256];
	int st;

	snprintf(in, sizeof(in), "%s/om-in", tmpdir);
	write_file(in, text);
	st = run_tool(argv, in, out);
	unlink(in);
	return st ? -1 : 0;
}

/* What Prometheus sends when it scrapes for the text format, and curl's default. */
static void test_scrape_text_promtool(void **state)
{
	static const char *const accepts[] = {"text/plain;version=0.0.4;q=1,*/*;q=0.1", NULL};
	struct expo *e = calloc(1, sizeof(*e));
	struct env *env = *state;
	char url[128], *out;
	struct resp r;

	url_of(url, sizeof(url), "127.0.0.1", env->port, "/metrics");
	for (size_t i = 0; i < sizeof(accepts) / sizeof(accepts[0]); i++) {
		assert_int_equal(fetch_accept(NULL, accepts[i], url, &r), 200);
		assert_true(has_header(r.headers, "\r\nContent-Type: text/plain; version=0.0.4; "
						  "charset=utf-8\r\n"));
		assert_true(has_header(r.headers, "\r\nVary: Accept\r\n"));
		assert_null(strstr(r.body, "# EOF"));
		assert_process_plausible(r.body);
		if (promtool_check(r.body, &out))
			fail_msg("promtool check metrics:\n%s\non:\n%s", out, r.body);
		/* promtool does not look for duplicate series; this checker does. */
		if (expo_check(e, r.body))
			fail_msg("%s", e->err);
		free(out);
		resp_free(&r);
	}
	free(e);
}

/* What Prometheus sends by default: it gets OpenMetrics. */
static void test_scrape_openmetrics(void **state)
{
	struct env *env = *state;
	char url[128], *out;
	struct resp r;

	url_of(url, sizeof(url), "127.0.0.1", env->port, "/metrics");
	assert_int_equal(fetch_accept(NULL, PROMETHEUS_ACCEPT, url, &r), 200);
	assert_true(has_header(r.headers, "\r\nContent-Type: application/openmetrics-text; "
					  "version=1.0.0; charset=utf-8\r\n"));
	assert_served(r.body, PAL_METRICS_OPENMETRICS);
	if (openmetrics_check(r.body, &out))
		fail_msg("OpenMetrics parser:\n%s\non:\n%s", out, r.body);
	/* The parser saw every family, process ones included, with its type. */
	assert_non_null(strstr(out, "palisade_decisions counter\n"));
	assert_non_null(strstr(out, "palisade_build info\n"));
	assert_non_null(strstr(out, "process_cpu_seconds counter\n"));
	assert_non_null(strstr(out, "process_start_time_seconds gauge\n"));
	free(out);
	resp_free(&r);
}

/* The validators must be able to fail, or passing them means nothing. */
static void test_validators_reject(void **state)
{
	static const char *const bad_text[] = {
		"# HELP a x\n# TYPE a counter\na 1\n", /* counter without _total */
		"# TYPE a_total counter\na_total 1\n", /* no HELP */
		"# HELP a x\n# TYPE a gauge\na{l=\"x} 1\n", /* unterminated label value */
		"# HELP a x\n# TYPE a gauge\na 1\n# EOF\nb x\n",
	};
	static const char *const bad_om[] = {
		"# HELP a x\n# TYPE a gauge\na 1\n", /* no # EOF */
		"# HELP a x\n# TYPE a_total counter\na_total_total 1\n# EOF\n",
		"# HELP a x\n# TYPE a counter\na 1\n# EOF\n",
		"# TYPE a gauge\na 1\n# EOF\n# TYPE b gauge\nb 1\n",
		"a_total 1\n# EOF\n",
	};
	struct pal_metrics_snapshot *s = calloc(1, sizeof(*s));
	size_t len;
	char *out, *text;

	for (size_t i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]); i++) {
		if (!promtool_check(bad_text[i], &out))
			fail_msg("promtool accepted '%s'", bad_text[i]);
		free(out);
	}
	for (size_t i = 0; i < sizeof(bad_om) / sizeof(bad_om[0]); i++) {
		if (!openmetrics_check(bad_om[i], &out))
			fail_msg("OpenMetrics check accepted '%s'", bad_om[i]);
		free(out);
	}
	/* Each format fails the other's check: the checks tell them apart. */
	fake_numbers(s, 0);
	assert_int_equal(pal_metrics_render_as(s, NULL, PAL_METRICS_OPENMETRICS, &text, &len), 0);
	assert_int_not_equal(promtool_check(text, &out), 0);
	free(out);
	free(text);
	assert_int_equal(pal_metrics_render_as(s, NULL, PAL_METRICS_TEXT, &text, &len), 0);
	assert_int_not_equal(openmetrics_check(text, &out), 0);
	free(out);
	free(text);
	free(s);
}

/* The checker must be able to fail, or the checks above mean nothing. */
static void test_checker_rejects(void **state)
{
	static const char *const bad[] = {
		"# TYPE a_total counter\na_total 1", /* no final newline */
		"a 1\n", /* no TYPE */
		"# TYPE a gauge\n# TYPE a gauge\na 1\n",
		"# TYPE a counter\na 1\n", /* counter not *_total */
		"# TYPE a_total counter\na_total -1\n",
		"# TYPE a_total counter\na_total NaN\n",
		"# TYPE a gauge\na nan\n",
		"# TYPE a gauge\na{l=\"x\"} 1\na{l=\"x\"} 2\n", /* duplicate series */
		"# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"1\"} 2\n", /* not grouped */
		"# TYPE a gauge\na{l=\"x\\t\"} 1\n", /* bad escape */
		"# TYPE a gauge\na{l=\"x\"y\"} 1\n", /* unescaped quote */
		"# TYPE a gauge\na{l=x} 1\n",
		"# TYPE a gauge\na{1l=\"x\"} 1\n",
		"# TYPE a gauge\na{__l=\"x\"} 1\n",
		"# TYPE 1a gauge\n",
		"# TYPE a gauge\na  1\n",
		"# TYPE a gauge\na 1 2 3\n",
		"# TYPE a gauge\na 0x10\n",
		"# TYPE a nonsense\n",
		"# TYPE a gauge\na 1\n# TYPE a gauge\n",
		"# HELP a x\n# HELP a y\n",
		"# TYPE a gauge\na\t1\n",
	};
	static const char good[] = "# plain comment\n# HELP a_total esc \\\\ and \\n\n"
				   "# TYPE a_total counter\na_total{x=\"\\\"\\\\\\n\",y=\"\"} 1e3\n"
				   "# TYPE b gauge\nb -Inf\nb{k=\"v\",} NaN\n";
	struct expo *e = calloc(1, sizeof(*e));

	if (expo_check(e, good))
		fail_msg("valid exposition refused: %s", e->err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!expo_check(e, bad[i]))
			fail_msg("invalid exposition %zu accepted: '%s'", i, bad[i]);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker_rejects),
		cmocka_unit_test(test_render_exact),
		cmocka_unit_test(test_render_special_values),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_render_openmetrics),
		cmocka_unit_test(test_read_process),
		cmocka_unit_test(test_validators_reject),
		cmocka_unit_test_setup_teardown(test_scrape_text_promtool, start_env, stop_env),
		cmocka_unit_test_setup_teardown(test_scrape_openmetrics, start_env, stop_env),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_add_decision),
		cmocka_unit_test_setup_teardown(test_get_metrics, start_env, stop_env),
		cmocka_unit_test_setup_teardown(test_head, start_env, stop_env),
		cmocka_unit_test_setup_teardown(test_not_found, start_env, stop_env),
		cmocka_unit_test_setup_teardown(test_method_not_allowed, start_env, stop_env),
		cmocka_unit_test_setup_teardown(test_fill_error, start_env, stop_env),
		cmocka_unit_test_setup_teardown(test_bound_to_address_only, start_env, stop_env),
		cmocka_unit_test_setup_teardown(test_address_in_use, start_env, stop_env),
		cmocka_unit_test(test_publish_mode),
		cmocka_unit_test(test_ipv6_loopback),
	};
	struct stat st;
	int ret;

	if (stat(PAL_CURL, &st)) {
		printf("SKIP: curl not found at configure time (Debian package curl)\n");
		return 77;
	}
	if (stat(PAL_PROMTOOL, &st) || stat(PAL_OM_PYTHON, &st)) {
		printf("SKIP: promtool or python3 not found at configure time (Debian packages "
		       "prometheus, python3-prometheus-client)\n");
		return 77;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	for (size_t i = 0; i < 3; i++) {
		static const char *const names[] = {"body", "headers", "code"};
		char p[300];

		snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
		unlink(p);
	}
	rmdir(tmpdir);
	return ret;
}
