// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prometheus metrics: render a snapshot in the text exposition format 0.0.4
 * and serve it with libmicrohttpd (when built with PAL_HAVE_METRICS).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "agent/cleanup.h"
#include "agent/metrics.h"
#include "policies/utf8.h"

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

/* The sample value of a float, spelled as the format wants NaN and infinities. */
static void mb_float(struct mbuf *b, double v)
{
	if (isnan(v))
		mb_put(b, "NaN", 3);
	else if (isinf(v))
		mb_printf(b, "%cInf", v > 0 ? '+' : '-');
	else
		mb_printf(b, "%.9g", v);
}

static void family(struct mbuf *b, const char *name, const char *type, const char *help)
{
	/* HELP text here is ours: no backslash or newline to escape. */
	mb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void scalar(struct mbuf *b, const char *name, const char *type, const char *help,
		   unsigned long long v)
{
	family(b, name, type, help);
	mb_printf(b, "%s %llu\n", name, v);
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

int pal_metrics_render(struct pal_metrics_snapshot *s, char **out, size_t *len)
{
	struct mbuf b = {0};

	if (s->ndecisions > PAL_METRICS_MAX_DECISIONS)
		return -EINVAL;
	normalize(s);

	family(&b, "palisade_build_info", "gauge", "Version of the running agent (always 1).");
	mb_put(&b, "palisade_build_info{version=\"", 29);
	mb_label_value(&b, PAL_VERSION, 64);
	mb_put(&b, "\"} 1\n", 5);

	family(&b, "palisade_decisions_total", "counter",
	       "Deny and audit decisions, by policy, action and event type.");
	for (size_t i = 0; i < s->ndecisions; i++) {
		const struct pal_metrics_decision *d = &s->decisions[i];

		mb_put(&b, "palisade_decisions_total{policy=\"", 33);
		mb_label_value(&b, d->policy, sizeof(d->policy));
		mb_put(&b, "\",action=\"", 10);
		mb_label_value(&b, d->action, sizeof(d->action));
		mb_put(&b, "\",event=\"", 9);
		mb_label_value(&b, d->event, sizeof(d->event));
		mb_printf(&b, "\"} %llu\n", d->count);
	}

	scalar(&b, "palisade_events_lost_total", "counter",
	       "Events dropped because the ring buffer was full (the decisions still held).",
	       s->lost);
	scalar(&b, "palisade_events_suppressed_total", "counter",
	       "Events not emitted because of the in-kernel rate limit (the decisions still held).",
	       s->suppressed);
	scalar(&b, "palisade_reloads_total", "counter", "Successful policy loads and reloads.",
	       s->reloads);
	scalar(&b, "palisade_reload_failures_total", "counter",
	       "Reloads that failed and kept the previous generation live.", s->reload_failures);
	family(&b, "palisade_reload_duration_seconds", "gauge",
	       "Duration of the last reload attempt.");
	mb_put(&b, "palisade_reload_duration_seconds ", 33);
	mb_float(&b, s->last_reload_seconds);
	mb_put(&b, "\n", 1);
	scalar(&b, "palisade_generation", "gauge", "The live policy generation.", s->generation);
	scalar(&b, "palisade_cgroups_attached", "gauge",
	       "Cgroups the cgroup programs are attached to.", s->cgroups_attached);
	scalar(&b, "palisade_ringbuf_used_bytes", "gauge",
	       "Bytes written to the event ring buffer and not yet read.", s->ringbuf_used_bytes);
	scalar(&b, "palisade_ringbuf_size_bytes", "gauge", "Size of the event ring buffer.",
	       s->ringbuf_size_bytes);

	if (b.err) {
		free(b.p);
		return b.err;
	}
	*out = b.p;
	*len = b.len;
	return 0;
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

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
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

/* Take the numbers and render them; called with m->lock held. */
static int collect(struct pal_metrics *m, char **body, size_t *len)
{
	struct pal_metrics_snapshot *s = m->snap;
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
	return pal_metrics_render(s, body, len);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct pal_metrics *m = cls;
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

	pthread_mutex_lock(&m->lock);
	err = collect(m, &body, &len);
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
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
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
