// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prometheus metrics: render a snapshot in the text exposition format 0.0.4
 * or OpenMetrics 1.0.0, with the agent's process metrics, and serve it with
 * libmicrohttpd (when built with PAL_HAVE_METRICS).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>

#include "agent/cleanup.h"
#include "agent/metrics.h"
#include "policies/utf8.h"

#define PROC_STAT_MAX (256 * 1024) /* /proc/stat: a line per CPU, and interrupt counts */

/* ---- rendering --------------------------------------------------------- */

struct mbuf {
	char *p;
	size_t len, cap;
	int err; /* sticky: the first failure */
};

static void mb_grow(struct mbuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	while (cap < b->len + need + 1)
		cap *= 2;
	if (cap == b->cap)
		return;
	p = realloc(b->p, cap);
	if (!p) {
		b->err = -ENOMEM;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void mb_put(struct mbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	mb_grow(b, n);
	if (b->err)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void __attribute__((format(printf, 2, 3))) mb_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	mb_grow(b, (size_t)n);
	if (b->err)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * A label value: backslash, double quote and newline are escaped as the
 * format requires, and invalid UTF-8 becomes U+FFFD, since the format must
 * be valid UTF-8 and has no escape for raw bytes.
 */
static void mb_label_value(struct mbuf *b, const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strnlen(s, max);

	for (size_t i = 0; i < n;) {
		size_t l = pal_utf8_len(u + i, n - i);

		if (u[i] == '\\')
			mb_put(b, "\\\\", 2);
		else if (u[i] == '"')
			mb_put(b, "\\\"", 2);
		else if (u[i] == '\n')
			mb_put(b, "\\n", 2);
		else if (l)
			mb_put(b, s + i, l);
		else
			mb_put(b, "\xef\xbf\xbd", 3);
		i += l ? l : 1;
	}
}

/*
 * Significant digits for v: 9 when they give v back, more when needed, so
 * that a start time in seconds since the epoch keeps its fraction.
 */
static int float_digits(double v)
{
	char buf[32];
	int d;

	for (d = 9; d < 17; d++) {
		snprintf(buf, sizeof(buf), "%.*g", d, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return d;
}

/* The sample value of a float, spelled as the format wants NaN and infinities. */
static void mb_float(struct mbuf *b, double v)
{
	if (isnan(v))
		mb_put(b, "NaN", 3);
	else if (isinf(v))
		mb_printf(b, "%cInf", v > 0 ? '+' : '-');
	else
		mb_printf(b, "%.*g", float_digits(v), v);
}

/*
 * The HELP and TYPE lines of a family. name is the sample name; OpenMetrics
 * names a counter family without its _total and an info family without its
 * _info, the text format knows no info type (a gauge there).
 */
static void family(struct mbuf *b, enum pal_metrics_format f, const char *name, const char *type,
		   const char *help)
{
	size_t n = strlen(name);

	if (f == PAL_METRICS_OPENMETRICS && !strcmp(type, "counter"))
		n -= strlen("_total");
	else if (f == PAL_METRICS_OPENMETRICS && !strcmp(type, "info"))
		n -= strlen("_info");
	else if (!strcmp(type, "info"))
		type = "gauge";
	/* HELP text here is ours: no backslash or newline to escape. */
	mb_printf(b, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)n, name, help, (int)n, name, type);
}

static void scalar(struct mbuf *b, enum pal_metrics_format f, const char *name, const char *type,
		   const char *help, unsigned long long v)
{
	family(b, f, name, type, help);
	mb_printf(b, "%s %llu\n", name, v);
}

static void scalar_float(struct mbuf *b, enum pal_metrics_format f, const char *name,
			 const char *type, const char *help, double v)
{
	family(b, f, name, type, help);
	mb_printf(b, "%s ", name);
	mb_float(b, v);
	mb_put(b, "\n", 1);
}

static int cmp_decision(const void *a, const void *b)
{
	const struct pal_metrics_decision *x = a, *y = b;
	int c = strncmp(x->policy, y->policy, sizeof(x->policy));

	if (!c)
		c = strncmp(x->action, y->action, sizeof(x->action));
	if (!c)
		c = strncmp(x->event, y->event, sizeof(x->event));
	return c;
}

/* Sort, then fold equal triples into one: a duplicate series is invalid output. */
static void normalize(struct pal_metrics_snapshot *s)
{
	size_t w = 0;

	qsort(s->decisions, s->ndecisions, sizeof(s->decisions[0]), cmp_decision);
	for (size_t r = 0; r < s->ndecisions; r++) {
		if (w && !cmp_decision(&s->decisions[w - 1], &s->decisions[r]))
			s->decisions[w - 1].count += s->decisions[r].count;
		else
			s->decisions[w++] = s->decisions[r];
	}
	s->ndecisions = w;
}

static void render_decisions(struct mbuf *b, enum pal_metrics_format f,
			     const struct pal_metrics_snapshot *s)
{
	family(b, f, "palisade_decisions_total", "counter",
	       "Deny and audit decisions, by policy, action and event type.");
	for (size_t i = 0; i < s->ndecisions; i++) {
		const struct pal_metrics_decision *d = &s->decisions[i];

		mb_put(b, "palisade_decisions_total{policy=\"", 33);
		mb_label_value(b, d->policy, sizeof(d->policy));
		mb_put(b, "\",action=\"", 10);
		mb_label_value(b, d->action, sizeof(d->action));
		mb_put(b, "\",event=\"", 9);
		mb_label_value(b, d->event, sizeof(d->event));
		mb_printf(b, "\"} %llu\n", d->count);
	}
}

static void render_agent(struct mbuf *b, enum pal_metrics_format f,
			 const struct pal_metrics_snapshot *s)
{
	scalar(b, f, "palisade_events_lost_total", "counter",
	       "Events dropped because the ring buffer was full (the decisions still held).",
	       s->lost);
	scalar(b, f, "palisade_events_suppressed_total", "counter",
	       "Events not emitted because of the in-kernel rate limit (the decisions still held).",
	       s->suppressed);
	scalar(b, f, "palisade_reloads_total", "counter", "Successful policy loads and reloads.",
	       s->reloads);
	scalar(b, f, "palisade_reload_failures_total", "counter",
	       "Reloads that failed and kept the previous generation live.", s->reload_failures);
	scalar_float(b, f, "palisade_reload_duration_seconds", "gauge",
		     "Duration of the last reload attempt.", s->last_reload_seconds);
	scalar(b, f, "palisade_generation", "gauge", "The live policy generation.", s->generation);
	scalar(b, f, "palisade_cgroups_attached", "gauge",
	       "Cgroups the cgroup programs are attached to.", s->cgroups_attached);
	scalar(b, f, "palisade_ringbuf_used_bytes", "gauge",
	       "Bytes written to the event ring buffer and not yet read.", s->ringbuf_used_bytes);
	scalar(b, f, "palisade_ringbuf_size_bytes", "gauge", "Size of the event ring buffer.",
	       s->ringbuf_size_bytes);
}

/* Names, types and meanings as every Prometheus client library exports them. */
static void render_process(struct mbuf *b, enum pal_metrics_format f,
			   const struct pal_metrics_process *p)
{
	scalar_float(b, f, "process_cpu_seconds_total", "counter",
		     "CPU time the agent has used, user and system, in seconds.", p->cpu_seconds);
	scalar(b, f, "process_resident_memory_bytes", "gauge", "Resident set size of the agent.",
	       p->resident_bytes);
	scalar(b, f, "process_virtual_memory_bytes", "gauge", "Virtual memory size of the agent.",
	       p->virtual_bytes);
	scalar(b, f, "process_open_fds", "gauge", "File descriptors the agent has open.",
	       p->open_fds);
	scalar(b, f, "process_max_fds", "gauge",
	       "Limit on open file descriptors (RLIMIT_NOFILE, soft).", p->max_fds);
	scalar_float(b, f, "process_start_time_seconds", "gauge",
		     "When the agent started, in seconds since the Unix epoch.",
		     p->start_time_seconds);
}

int pal_metrics_render_as(struct pal_metrics_snapshot *s, const struct pal_metrics_process *p,
			  enum pal_metrics_format f, char **out, size_t *len)
{
	struct mbuf b = {0};

	if (s->ndecisions > PAL_METRICS_MAX_DECISIONS)
		return -EINVAL;
	normalize(s);

	family(&b, f, "palisade_build_info", "info", "Version of the running agent (always 1).");
	mb_put(&b, "palisade_build_info{version=\"", 29);
	mb_label_value(&b, PAL_VERSION, 64);
	mb_put(&b, "\"} 1\n", 5);
	render_decisions(&b, f, s);
	render_agent(&b, f, s);
	if (p)
		render_process(&b, f, p);
	if (f == PAL_METRICS_OPENMETRICS)
		mb_put(&b, "# EOF\n", 6); /* tells a complete exposition from a cut one */

	if (b.err) {
		free(b.p);
		return b.err;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

int pal_metrics_render(struct pal_metrics_snapshot *s, char **out, size_t *len)
{
	return pal_metrics_render_as(s, NULL, PAL_METRICS_TEXT, out, len);
}

int pal_metrics_add_decision(struct pal_metrics_snapshot *s, const char *policy, const char *action,
			     const char *event, unsigned long long n)
{
	struct pal_metrics_decision *d;

	if (strlen(policy) >= sizeof(d->policy) || strlen(action) >= sizeof(d->action) ||
	    strlen(event) >= sizeof(d->event))
		return -EINVAL; /* never a silently cut label */
	for (size_t i = 0; i < s->ndecisions; i++) {
		d = &s->decisions[i];
		if (!strcmp(d->policy, policy) && !strcmp(d->action, action) &&
		    !strcmp(d->event, event)) {
			d->count += n;
			return 0;
		}
	}
	if (s->ndecisions >= PAL_METRICS_MAX_DECISIONS)
		return -E2BIG;
	d = &s->decisions[s->ndecisions++];
	memset(d, 0, sizeof(*d));
	strcpy(d->policy, policy);
	strcpy(d->action, action);
	strcpy(d->event, event);
	d->count = n;
	return 0;
}

/* ---- process metrics and format negotiation ------------------------------ */

/* Whole (small) file into buf, NUL-terminated. 0 or -errno. */
static int read_small(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			len += (size_t)n;
	}
	buf[len] = 0;
	return 0;
}

/* Boot time (the btime line of /proc/stat), seconds since the epoch. */
static int boot_time(unsigned long long *btime)
{
	_cleanup_free_ char *buf = malloc(PROC_STAT_MAX);
	const char *l;
	int err;

	if (!buf)
		return -ENOMEM;
	err = read_small("/proc/stat", buf, PROC_STAT_MAX);
	if (err)
		return err;
	l = strstr(buf, "\nbtime ");
	if (!l || sscanf(l + 7, "%llu", btime) != 1)
		return -EIO;
	return 0;
}

/* Entries of /proc/self/fd, less the one that reads it. */
static int count_fds(unsigned long long *n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return -errno;
	*n = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			(*n)++;
	closedir(d);
	return 0;
}

int pal_metrics_read_process(struct pal_metrics_process *p)
{
	unsigned long long utime, stime, start, vsize, btime;
	long long rss;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	char buf[1024];
	struct rlimit rl;
	const char *r;
	int err;

	err = read_small("/proc/self/stat", buf, sizeof(buf));
	if (err)
		return err;
	/* The command name may hold spaces and parentheses: fields start after the last ')'. */
	r = strrchr(buf, ')');
	if (!r || tck <= 0 || page <= 0 ||
	    sscanf(r + 1,
		   " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d "
		   "%llu %llu %lld",
		   &utime, &stime, &start, &vsize, &rss) != 5)
		return -EIO;
	err = boot_time(&btime);
	if (!err)
		err = count_fds(&p->open_fds);
	if (!err && getrlimit(RLIMIT_NOFILE, &rl))
		err = -errno;
	if (err)
		return err;
	p->cpu_seconds = (double)(utime + stime) / (double)tck;
	p->start_time_seconds = (double)btime + (double)start / (double)tck;
	p->resident_bytes = rss > 0 ? (unsigned long long)rss * (unsigned long long)page : 0;
	p->virtual_bytes = vsize;
	p->max_fds = rl.rlim_cur;
	return 0;
}

/* Does the media range [s, s+n) name type (case-insensitive), with nothing but parameters after? */
static bool media_is(const char *s, size_t n, const char *type)
{
	size_t t = strlen(type);

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n < t || strncasecmp(s, type, t))
		return false;
	s += t;
	n -= t;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	return !n || *s == ';';
}

/* The value of parameter name ("q", "version") in [s, s+n), or NULL; vlen gets its length. */
static const char *media_param(const char *s, size_t n, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *end = s + n, *p = memchr(s, ';', n);

	while (p && p < end) {
		const char *v, *next;

		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		next = memchr(p, ';', (size_t)(end - p));
		if (!next)
			next = end;
		v = p + nl;
		if ((size_t)(end - p) > nl && !strncasecmp(p, name, nl) && *v == '=') {
			v++;
			*vlen = (size_t)(next - v);
			while (*vlen && (v[*vlen - 1] == ' ' || v[*vlen - 1] == '\t'))
				(*vlen)--;
			return v;
		}
		p = next;
	}
	return NULL;
}

/* The q-value of a media range: 1 when absent, 0 when malformed. */
static double media_q(const char *s, size_t n)
{
	size_t vl;
	const char *v = media_param(s, n, "q", &vl);
	char num[8];
	char *end;
	double q;

	if (!v)
		return 1;
	if (!vl || vl >= sizeof(num))
		return 0;
	memcpy(num, v, vl);
	num[vl] = 0;
	q = strtod(num, &end);
	return *end || q < 0 || q > 1 ? 0 : q;
}

static bool version_is(const char *s, size_t n, const char *const *ok)
{
	size_t vl;
	const char *v = media_param(s, n, "version", &vl);

	if (!v)
		return true;
	for (; *ok; ok++)
		if (strlen(*ok) == vl && !strncmp(v, *ok, vl))
			return true;
	return false;
}

enum pal_metrics_format pal_metrics_negotiate(const char *accept)
{
	static const char *const om_versions[] = {"1.0.0", "0.0.1", NULL};
	static const char *const text_versions[] = {"0.0.4", NULL};
	double om = 0, text = 0;
	const char *s = accept;

	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		double q = media_q(s, n);

		if (media_is(s, n, "application/openmetrics-text") && version_is(s, n, om_versions))
			om = q > om ? q : om;
		else if ((media_is(s, n, "text/plain") && version_is(s, n, text_versions)) ||
			 media_is(s, n, "text/*") || media_is(s, n, "*/*"))
			text = q > text ? q : text;
		s = comma ? comma + 1 : NULL;
	}
	return om > 0 && om >= text ? PAL_METRICS_OPENMETRICS : PAL_METRICS_TEXT;
}

const char *pal_metrics_content_type(enum pal_metrics_format f)
{
	return f == PAL_METRICS_OPENMETRICS ?
		       "application/openmetrics-text; version=1.0.0; charset=utf-8" :
		       "text/plain; version=0.0.4; charset=utf-8";
}

/* ---- addresses ---------------------------------------------------------- */

static int parse_port(const char *s)
{
	char *end;
	long v;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 65535)
		return -EINVAL;
	return (int)v;
}

int pal_metrics_parse_addr(const char *addr_port, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *hs;
	size_t hl;
	int port;

	memset(ss, 0, sizeof(*ss));
	if (!addr_port)
		return -EINVAL;
	if (addr_port[0] == '[') {
		const char *close = strchr(addr_port, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		hs = addr_port + 1;
		hl = (size_t)(close - hs);
		colon = close + 1;
	} else {
		colon = strrchr(addr_port, ':');
		/* An IPv6 address without brackets would be ambiguous. */
		if (!colon || strchr(addr_port, ':') != colon)
			return -EINVAL;
		hs = addr_port;
		hl = (size_t)(colon - hs);
	}
	if (!hl || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, hs, hl);
	host[hl] = 0;
	port = parse_port(colon + 1);
	if (port < 0)
		return port;
	if (addr_port[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -EINVAL;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		*len = sizeof(*s4);
	}
	return 0;
}

/* ---- the HTTP endpoint --------------------------------------------------- */

#ifdef PAL_HAVE_METRICS

#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <microhttpd.h>

#define MAX_CONNECTIONS 16 /* a scraper or two; bounds the thread's memory */
#define CONNECTION_TIMEOUT_S 10

struct pal_metrics {
	pthread_mutex_t lock; /* serialises fill/publish and rendering */
	struct MHD_Daemon *daemon;
	pal_metrics_fill_fn fill;
	void *ctx;
	struct pal_metrics_snapshot *snap; /* fill's scratch, or the published copy */
	bool published;
	int port;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *body,
			     const char *allow)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Take the numbers and render them in format f; called with m->lock held. */
static int collect(struct pal_metrics *m, enum pal_metrics_format f, char **body, size_t *len)
{
	struct pal_metrics_snapshot *s = m->snap;
	struct pal_metrics_process p;
	int err;

	if (m->fill) {
		memset(s, 0, sizeof(*s));
		s->last_reload_seconds = NAN;
		err = m->fill(m->ctx, s);
		if (err)
			return err < 0 ? err : -EIO;
	} else if (!m->published) {
		return -EAGAIN;
	}
	/* Without /proc the agent's own numbers are left out, not the scrape. */
	return pal_metrics_render_as(s, pal_metrics_read_process(&p) ? NULL : &p, f, body, len);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct pal_metrics *m = cls;
	enum pal_metrics_format f;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *body = NULL;
	size_t len = 0;
	int err;

	/* HEAD is GET without the body; MHD leaves the body out itself. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", "GET, HEAD");
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "not found; metrics are at /metrics\n", NULL);

	f = pal_metrics_negotiate(
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	pthread_mutex_lock(&m->lock);
	err = collect(m, f, &body, &len);
	pthread_mutex_unlock(&m->lock);
	if (err == -EAGAIN)
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no metrics yet\n", NULL);
	if (err)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot collect metrics\n", NULL);

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, pal_metrics_content_type(f));
	/* The body depends on Accept: a cache must not serve one format for the other. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* Our own listening socket: exact errno on failure, and exactly this address. */
static int listen_on(const struct sockaddr_storage *ss, socklen_t sl, int *port)
{
	_cleanup_close_ int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_storage b;
	socklen_t bl = sizeof(b);
	int one = 1;

	if (fd < 0)
		return -errno;
	/* A restarted agent must not wait for TIME_WAIT to end. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		return -errno;
	/* [::]:PORT means IPv6 only; IPv4 is asked for with 0.0.0.0. */
	if (ss->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		return -errno;
	if (bind(fd, (const struct sockaddr *)ss, sl) || listen(fd, MAX_CONNECTIONS))
		return -errno;
	if (getsockname(fd, (struct sockaddr *)&b, &bl))
		return -errno;
	*port = ntohs(b.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&b)->sin6_port :
						((struct sockaddr_in *)&b)->sin_port);
	return TAKE_FD(fd);
}

static void metrics_free(struct pal_metrics *m)
{
	free(m->snap);
	free(m);
}

PAL_DEFINE_CLEANUP_FUNC(struct pal_metrics *, metrics_free)

int pal_metrics_start(struct pal_metrics **out, const char *addr_port, pal_metrics_fill_fn fill,
		      void *ctx)
{
	_cleanup_(metrics_freep) struct pal_metrics *m = NULL;
	_cleanup_close_ int fd = -1;
	struct sockaddr_storage ss;
	sigset_t all, old;
	socklen_t sl;
	int err;

	err = pal_metrics_parse_addr(addr_port, &ss, &sl);
	if (err)
		return err;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->snap = calloc(1, sizeof(*m->snap));
	if (!m->snap)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	m->fill = fill;
	m->ctx = ctx;
	fd = listen_on(&ss, sl, &m->port);
	if (fd < 0)
		return fd;
	/*
	 * The HTTP thread inherits our signal mask: block everything so that
	 * SIGTERM, SIGHUP and SIGUSR1 reach the daemon's signalfd, never this
	 * thread (where their default action would kill the agent).
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	m->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, m,
				     MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
				     (unsigned int)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
				     (unsigned int)CONNECTION_TIMEOUT_S, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!m->daemon)
		return -EIO;
	fd = -1; /* the daemon closes it when it stops */
	*out = TAKE_PTR(m);
	return 0;
}

void pal_metrics_publish(struct pal_metrics *m, const struct pal_metrics_snapshot *s)
{
	pthread_mutex_lock(&m->lock);
	/* An ndecisions over the limit is refused at render time (500), not cut. */
	memcpy(m->snap, s, sizeof(*s));
	m->published = true;
	pthread_mutex_unlock(&m->lock);
}

int pal_metrics_port(const struct pal_metrics *m)
{
	return m->port;
}

void pal_metrics_stop(struct pal_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->daemon); /* joins the thread, closes the listening socket */
	pthread_mutex_destroy(&m->lock);
	metrics_free(m);
}

#else /* !PAL_HAVE_METRICS */

struct pal_metrics {
	int unused;
};

int pal_metrics_start(struct pal_metrics **out, const char *addr_port, pal_metrics_fill_fn fill,
		      void *ctx)
{
	return -EOPNOTSUPP; /* this binary was built without libmicrohttpd */
}

void pal_metrics_publish(struct pal_metrics *m, const struct pal_metrics_snapshot *s)
{
}

int pal_metrics_port(const struct pal_metrics *m)
{
	return -EOPNOTSUPP;
}

void pal_metrics_stop(struct pal_metrics *m)
{
}

#endif /* PAL_HAVE_METRICS */
