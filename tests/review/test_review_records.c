// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: record parsing, every filter, the raw-line prefilter against
 * the exact filter, the reader (plain, gzip, blocks, over-long lines), input
 * ordering, and the terminal and HTML escaping.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "review/review.h"
#include "tests/review/review_test.h"

#define BASIC FIXTURES "/basic.log"
#define MALFORMED FIXTURES "/malformed.log"
#define CONTAINERS FIXTURES "/containers.log"
#define MAX_LINES 64

struct lines {
	char *text[MAX_LINES];
	size_t n;
};

static void load(const char *path, struct lines *l)
{
	struct rv_reader *r;
	const char *s;
	size_t len;
	bool no_nl, too_long;

	memset(l, 0, sizeof(*l));
	assert_int_equal(rv_reader_open(path, &r), 0);
	while (rv_reader_next(r, &s, &len, &no_nl, &too_long) > 0) {
		assert_true(l->n < MAX_LINES);
		l->text[l->n++] = strndup(s, len);
	}
	rv_reader_close(r);
}

static void unload(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->text[i]);
}

static int parse(struct rv_parser *tok, const char *line, struct rv_rec *r, enum rv_bad *why)
{
	return rv_rec_parse(tok, line, strlen(line), false, r, why);
}

/* ---- records -------------------------------------------------------------- */

static void test_parse_fields(void **state)
{
	struct rv_parser *tok = new_parser();
	struct lines l;
	struct rv_rec r;
	enum rv_bad why;

	load(BASIC, &l);
	assert_int_equal(l.n, 27);
	/* line 4: the folded /etc/shadow denial */
	assert_int_equal(parse(tok, l.text[3], &r, &why), 0);
	assert_int_equal(r.event, RV_EV_FILE);
	assert_int_equal(r.action, RV_ACT_DENY);
	assert_string_equal(r.policy, "protect-secrets");
	assert_true(rv_has(&r, RV_I_RULE));
	assert_int_equal(r.num[RV_I_RULE], 0);
	assert_string_equal(r.rule_src, "/etc/palisade/protect-secrets.yaml:10");
	assert_string_equal(r.path, "/etc/shadow");
	assert_string_equal(r.exe, "/usr/sbin/nginx");
	assert_string_equal(r.cgroup, "/system.slice/nginx.service");
	assert_int_equal(r.num[RV_I_PID], 4242);
	assert_int_equal(r.num[RV_I_UID], 33);
	assert_int_equal(r.num[RV_I_ERRNO], 13);
	assert_int_equal(rv_rec_count(&r), 41);
	assert_int_equal(r.time, 1795341601LL * RV_USEC);
	assert_int_equal(r.naccess, 1);
	assert_string_equal(r.access[0], "read");
	assert_false(rv_has(&r, RV_I_DPORT));
	assert_null(r.path2);
	/* line 6 is written with spaces, line 7 with "\/": both are the same records */
	assert_int_equal(parse(tok, l.text[5], &r, &why), 0);
	assert_true(r.rule_null);
	assert_false(rv_has(&r, RV_I_RULE));
	assert_string_equal(r.path, "/var/www/html/index.html");
	assert_int_equal(parse(tok, l.text[6], &r, &why), 0);
	assert_string_equal(r.path, "/var/www/html/a.css");
	assert_int_equal(rv_rec_count(&r), 1);
	/* network, lost */
	assert_int_equal(parse(tok, l.text[15], &r, &why), 0);
	assert_int_equal(r.event, RV_EV_NETWORK);
	assert_string_equal(r.daddr, "fd00::53");
	assert_int_equal(r.num[RV_I_DPORT], 53);
	assert_int_equal(parse(tok, l.text[17], &r, &why), 0);
	assert_int_equal(r.event, RV_EV_LOST);
	assert_int_equal(r.action, RV_ACT_NONE);
	assert_int_equal(rv_rec_count(&r), 120);
	unload(&l);
	rv_parser_free(tok);
}

static void test_parse_bad(void **state)
{
	static const struct {
		const char *line;
		bool no_nl;
		enum rv_bad why;
	} cases[] = {
		{"not json", false, RV_BAD_JSON},
		{"[1,2]", false, RV_BAD_JSON},
		{"\"a string\"", false, RV_BAD_JSON},
		{"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"} x", false,
		 RV_BAD_JSON},
		{"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"fi", false, RV_BAD_JSON},
		{"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"fi", true,
		 RV_BAD_TRUNCATED},
		{"{\"v\":2,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"}", false,
		 RV_BAD_VERSION},
		{"{\"v\":\"1\",\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"}", false,
		 RV_BAD_VERSION},
		{"{\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"}", false, RV_BAD_VERSION},
		{"{\"v\":1,\"event\":\"file\"}", false, RV_BAD_RECORD},
		{"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\"}", false, RV_BAD_RECORD},
		{"{\"v\":1,\"time\":\"yesterday\",\"event\":\"file\"}", false, RV_BAD_RECORD},
		{"{\"v\":1,\"time\":5,\"event\":\"file\"}", false, RV_BAD_RECORD},
		/* what a tokenizer alone lets through: each must be refused as not JSON */
		{"{\"v\":1,\"time\" \"2026-11-22T10:00:00Z\",\"event\":\"file\"}", false,
		 RV_BAD_JSON}, /* no ':' */
		{"{\"v\":1 \"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"}", false,
		 RV_BAD_JSON}, /* no ',' */
		{"{\"v\":,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"}", false,
		 RV_BAD_JSON}, /* no value */
		{"{\"v\":tru,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"}", false,
		 RV_BAD_JSON},
		{"{\"v\":01,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"}", false,
		 RV_BAD_JSON},
		{"{\"v\":1e,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"}", false,
		 RV_BAD_JSON},
		{"{\"v\":1.,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"}", false,
		 RV_BAD_JSON},
		{"{\"v\":1,\"a\":[\"x\":1],\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"f\"}",
		 false, RV_BAD_JSON}, /* a key inside an array */
		{"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"}{}", false,
		 RV_BAD_JSON}, /* two objects */
		{"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"fi\\le\"}", false,
		 RV_BAD_JSON}, /* a bad escape */
	};
	static const char ok_line[] = "{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"x\","
				      "\"new_field\":{\"a\":1},\"pid\":\"12\"}";
	static const char crlf_line[] =
		"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\"} \r";
	struct rv_parser *tok = new_parser();
	struct rv_rec r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum rv_bad why = RV_BAD_MAX;

		assert_int_equal(rv_rec_parse(tok, cases[i].line, strlen(cases[i].line),
					      cases[i].no_nl, &r, &why),
				 -EINVAL);
		if (why != cases[i].why)
			fail_msg("case %zu '%s': why %d, expected %d", i, cases[i].line, why,
				 cases[i].why);
	}
	/* a valid final line without newline is fine; unknown fields are ignored */
	assert_int_equal(rv_rec_parse(tok, ok_line, strlen(ok_line), true, &r, &(enum rv_bad){0}),
			 0);
	assert_int_equal(r.event, RV_EV_UNKNOWN);
	assert_false(rv_has(&r, RV_I_PID)); /* a string pid is not a pid */
	/* escapes: two-character ones, \u with a surrogate pair, a lone surrogate */
	static const char esc_line[] =
		"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\",\"path\":"
		"\"/a\\nb\\t\\\"c\\\\\\/\\u00e9\\ud83d\\ude00\\ud800x\",\"p\\u0061th2\":\"/k\"}";
	assert_int_equal(
		rv_rec_parse(tok, esc_line, strlen(esc_line), false, &r, &(enum rv_bad){0}), 0);
	assert_string_equal(r.path, "/a\nb\t\"c\\/\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx");
	assert_string_equal(r.path2, "/k"); /* an escaped key is the same key */
	/* a CRLF line end, or trailing blanks, are not part of the record */
	assert_int_equal(
		rv_rec_parse(tok, crlf_line, strlen(crlf_line), false, &r, &(enum rv_bad){0}), 0);
	assert_int_equal(r.len, strlen(crlf_line)); /* --json passes the line as it was */
	rv_parser_free(tok);
}

/* ---- filters -------------------------------------------------------------- */

/* How many records of file the filter matches, checking the prefilter on each line. */
static size_t count_in(const char *file, struct rv_filter *f)
{
	struct rv_parser *tok = new_parser();
	struct lines l;
	size_t n = 0;

	load(file, &l);
	for (size_t i = 0; i < l.n; i++) {
		struct rv_rec r;
		enum rv_bad why;
		bool quick = rv_filter_quick(f, l.text[i], strlen(l.text[i]), false);

		assert_int_equal(parse(tok, l.text[i], &r, &why), 0);
		if (rv_filter_match(f, &r)) {
			n++;
			if (!quick)
				fail_msg("prefilter refused matching line %zu", i + 1);
		}
	}
	unload(&l);
	rv_parser_free(tok);
	return n;
}

static size_t count_matches(struct rv_filter *f)
{
	return count_in(BASIC, f);
}

static size_t with_in(const char *file, const char *name, const char *value)
{
	struct rv_filter f;
	const char *err;
	size_t n;

	rv_filter_init(&f);
	assert_int_equal(rv_filter_set(&f, name, value, 1795341600LL * RV_USEC, &err), 0);
	n = count_in(file, &f);
	rv_filter_free(&f);
	return n;
}

static size_t with(const char *name, const char *value)
{
	return with_in(BASIC, name, value);
}

static void test_filters_each(void **state)
{
	assert_int_equal(with("since", "2026-11-22T11:00:00Z"), 6);
	assert_int_equal(with("until", "2026-11-22T10:00:00.123456Z"), 3); /* inclusive */
	assert_int_equal(with("since", "1h"), 27); /* now is 10:00: from 09:00 on */
	assert_int_equal(with("since", "1m"), 25); /* from 09:59 on: not the agent, policy */
	assert_int_equal(with("action", "deny"), 11);
	assert_int_equal(with("action", "audit"), 12);
	assert_int_equal(with("action", "deny,audit"), 23);
	assert_int_equal(with("event", "network"), 5);
	assert_int_equal(with("event", "lost,suppressed"), 2);
	assert_int_equal(with("event", "policy"), 1);
	assert_int_equal(with("policy", "web"), 12);
	assert_int_equal(with("policy", "no-raw,no-mem"), 3);
	assert_int_equal(with("policy", "nope"), 0);
	assert_int_equal(with("rule", "0"), 7); /* incl. the suppressed record of rule 0 */
	assert_int_equal(with("rule", "default"), 13);
	assert_int_equal(with("rule", "/etc/palisade/protect-secrets.yaml:14"), 1);
	assert_int_equal(with("cgroup", "/system.slice/docker-*.scope"), 7);
	assert_int_equal(with("cgroup", "/system.slice/*"), 24);
	assert_int_equal(with("path", "/etc/**"), 7);
	assert_int_equal(with("path", "/etc/*"), 5);
	assert_int_equal(with("path", "/tmp/*.bak"), 1); /* path2 of the rename */
	assert_int_equal(with("path", "/var/www/html/*.css"), 2); /* one line has "\/" */
	assert_int_equal(with("exe", "**/nginx"), 14);
	assert_int_equal(with("exe", "/usr/bin/python3.?1"), 7);
	assert_int_equal(with("uid", "0"), 2);
	assert_int_equal(with("uid", "33,1000"), 21);
	assert_int_equal(with("pid", "777"), 2);
	assert_int_equal(with("pid", "1"), 0); /* ppid is not pid */
}

static size_t in_ctr(const char *name, const char *value)
{
	return with_in(CONTAINERS, name, value);
}

/* Container names: globs as for paths; a record without the field (or with a non-string) never
 * matches, not even '**'. */
static void test_filters_containers(void **state)
{
	struct rv_parser *tok = new_parser();
	struct lines l;
	struct rv_rec r;
	enum rv_bad why;

	load(CONTAINERS, &l);
	assert_int_equal(l.n, 25);
	assert_int_equal(parse(tok, l.text[3], &r, &why), 0);
	assert_string_equal(r.container, "nginx");
	assert_string_equal(r.pod, "web-7d4b9c-x2x7q");
	assert_string_equal(r.ns, "prod");
	assert_string_equal(r.image, "docker.io/library/nginx:1.27");
	assert_string_equal(r.runtime, "containerd");
	assert_string_equal(r.pod_uid, "811bce1a-b926-49c6-af1c-115c2a06df25");
	assert_int_equal(strlen(r.container_id), 64);
	assert_int_equal(parse(tok, l.text[1], &r, &why), 0); /* the host: none of them */
	assert_null(r.container_id);
	assert_null(r.container);
	assert_int_equal(parse(tok, l.text[22], &r, &why), 0); /* names of the wrong JSON type */
	assert_string_equal(r.runtime, "containerd");
	assert_null(r.container);
	assert_null(r.pod);
	assert_null(r.ns);
	assert_null(r.image);
	unload(&l);
	rv_parser_free(tok);

	assert_int_equal(in_ctr("container", "nginx"), 18); /* 14 + 2 + staging + "a/b" pod */
	assert_int_equal(in_ctr("container", "**"), 20); /* + envoy's 2; not host, docker */
	assert_int_equal(in_ctr("container", "ngin?,envoy"), 0); /* one pattern, no lists */
	assert_int_equal(in_ctr("namespace", "prod"), 19);
	assert_int_equal(in_ctr("namespace", "staging"), 1);
	assert_int_equal(in_ctr("pod", "web-7d4b9c-*"), 18);
	assert_int_equal(in_ctr("pod", "web-7d4b9c*"), 18); /* '*' stops at the '/' */
	assert_int_equal(in_ctr("pod", "web-7d4b9c*/**"), 19); /* "**" is whole levels */
	assert_int_equal(in_ctr("image", "docker.io/library/nginx:*"), 18);
	assert_int_equal(in_ctr("image", "*nginx*"), 0); /* '*' is one path level */
	assert_int_equal(in_ctr("image", "**/envoy:v1.?1"), 2);
	assert_int_equal(in_ctr("pod", "\\*"), 0);
	assert_int_equal(with("container", "**"), 0); /* basic.log has no container names */
}

static void test_filters_containers_and(void **state)
{
	struct rv_filter f;
	const char *err;

	rv_filter_init(&f);
	assert_int_equal(rv_filter_set(&f, "container", "nginx", 0, &err), 0);
	assert_int_equal(rv_filter_set(&f, "namespace", "prod", 0, &err), 0);
	assert_int_equal(count_in(CONTAINERS, &f), 17);
	assert_int_equal(rv_filter_set(&f, "pod", "web-7d4b9c-x2x7q", 0, &err), 0);
	assert_int_equal(count_in(CONTAINERS, &f), 14);
	assert_int_equal(rv_filter_set(&f, "event", "exec", 0, &err), 0);
	assert_int_equal(count_in(CONTAINERS, &f), 1);
	assert_int_equal(rv_filter_set(&f, "pod", "x", 0, &err), -EINVAL); /* once only */
	assert_int_equal(rv_filter_set(&f, "image", "", 0, &err), -EINVAL);
	rv_filter_free(&f);
}

static void test_filters_and(void **state)
{
	struct rv_filter f;
	const char *err;

	rv_filter_init(&f);
	assert_int_equal(rv_filter_set(&f, "policy", "protect-secrets", 0, &err), 0);
	assert_int_equal(rv_filter_set(&f, "path", "/etc/shadow", 0, &err), 0);
	assert_int_equal(count_matches(&f), 4);
	assert_int_equal(rv_filter_set(&f, "exe", "/usr/sbin/*", 0, &err), 0);
	assert_int_equal(count_matches(&f), 2);
	assert_int_equal(rv_filter_set(&f, "until", "2026-11-22T10:00:00.5Z", 0, &err), 0);
	assert_int_equal(count_matches(&f), 1);
	rv_filter_free(&f);
}

static void test_filters_bad(void **state)
{
	static const char *const bad[][2] = {
		{"action", "allow"}, {"action", "deny,"}, {"event", "files"},
		{"uid", "-1"},	     {"uid", "x"},	  {"pid", "1,,2"},
		{"rule", "first"},   {"since", "1y"},	  {"until", "2026-02-30"},
		{"path", ""},
	};
	struct rv_filter f;
	const char *err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rv_filter_init(&f);
		assert_int_equal(rv_filter_set(&f, bad[i][0], bad[i][1], 0, &err), -EINVAL);
		assert_non_null(err);
		rv_filter_free(&f);
	}
	rv_filter_init(&f);
	assert_int_equal(rv_filter_set(&f, "colour", "red", 0, &err), -ENOENT);
	assert_int_equal(rv_filter_set(&f, "path", "/a", 0, &err), 0);
	assert_int_equal(rv_filter_set(&f, "path", "/b", 0, &err), -EINVAL); /* once only */
	rv_filter_free(&f);
}

/* The prefilter says no to well-formed lines that cannot match, and yes to odd ones. */
static void test_quick(void **state)
{
	static const char *const odd[] = {
		"not json",
		"{\"v\":2,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\",\"policy\":\"x\"}",
		"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\",\"policy\":\"x\"",
		"{\"v\":1,\"event\":\"file\",\"policy\":\"x\"}",
		"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\",\"policy\":\"x\","
		"\"policy\":\"web\"}",
		"{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"file\",\"policy\":\"w\\u0065b\"}",
	};
	static const char web_other[] =
		"{ \"v\" : 1 , \"time\" : \"2026-11-22T10:00:00Z\", \"event\" : \"file\", "
		"\"policy\" : \"webx\", \"comm\": \"policy\" }";
	static const char lost[] = "{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"lost\","
				   "\"count\":3}";
	struct rv_filter f;
	const char *err;

	rv_filter_init(&f);
	assert_int_equal(rv_filter_set(&f, "policy", "web", 0, &err), 0);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		if (!rv_filter_quick(&f, odd[i], strlen(odd[i]), false))
			fail_msg("odd line %zu was refused without parsing", i);
	assert_false(rv_filter_quick(&f, web_other, strlen(web_other), false));
	/* every well-formed non-web line of basic.log is refused without json-c (not the one
	 * with "\u001b" in it: a line with a backslash always gets parsed) */
	{
		struct lines l;
		size_t refused = 0;

		load(BASIC, &l);
		for (size_t i = 0; i < l.n; i++)
			refused += !rv_filter_quick(&f, l.text[i], strlen(l.text[i]), false);
		assert_int_equal(refused, 14);
		unload(&l);
	}
	assert_false(rv_filter_quick(&f, lost, strlen(lost), false));
	assert_true(rv_filter_quick(&f, lost, strlen(lost), true)); /* losses always count */
	rv_filter_free(&f);
}

/* ---- reader ----------------------------------------------------------------- */

static char *tmpfile_with(const char *data, size_t len)
{
	char *path = strdup("/tmp/pal-review-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static size_t read_all(const char *path, char out[][64], size_t max, unsigned int *long_lines,
		       bool *last_no_nl)
{
	struct rv_reader *r;
	const char *s;
	size_t len, n = 0;
	bool no_nl, too_long;

	*long_lines = 0;
	*last_no_nl = false;
	assert_int_equal(rv_reader_open(path, &r), 0);
	while (rv_reader_next(r, &s, &len, &no_nl, &too_long) > 0) {
		if (too_long) {
			(*long_lines)++;
			continue;
		}
		assert_true(n < max && len < 64);
		memcpy(out[n], s, len);
		out[n++][len] = 0;
		*last_no_nl = no_nl;
	}
	rv_reader_close(r);
	return n;
}

static void test_reader_plain(void **state)
{
	char *p = tmpfile_with("a\nbb\n\nccc", 9), got[8][64];
	unsigned int longs;
	bool no_nl;

	assert_int_equal(read_all(p, got, 8, &longs, &no_nl), 4);
	assert_string_equal(got[0], "a");
	assert_string_equal(got[1], "bb");
	assert_string_equal(got[2], "");
	assert_string_equal(got[3], "ccc");
	assert_true(no_nl);
	assert_int_equal(longs, 0);
	unlink(p);
	free(p);
	assert_int_equal(rv_reader_open("/nonexistent/audit.log", &(struct rv_reader *){0}),
			 -ENOENT);
}

static void test_reader_long_line(void **state)
{
	size_t big = RV_LINE_MAX + 100, len = big + 20;
	char *data = malloc(len), got[8][64];
	unsigned int longs;
	bool no_nl;
	char *p;

	memcpy(data, "first\n", 6);
	memset(data + 6, 'x', big);
	memcpy(data + 6 + big, "\nlast\n", 6);
	p = tmpfile_with(data, 6 + big + 6);
	assert_int_equal(read_all(p, got, 8, &longs, &no_nl), 2);
	assert_string_equal(got[0], "first");
	assert_string_equal(got[1], "last");
	assert_int_equal(longs, 1);
	unlink(p);
	free(p);
	free(data);
}

static void test_reader_gzip(void **state)
{
	char path[] = "/tmp/pal-review-XXXXXX.gz", got[8][64];
	unsigned int longs;
	bool no_nl;
	int fd = mkstemps(path, 3);
	gzFile gz;

	assert_true(fd >= 0);
	close(fd);
	gz = gzopen(path, "wb");
	assert_non_null(gz);
	gzputs(gz, "{\"v\":1}\nsecond line\n");
	gzclose(gz);
	assert_int_equal(read_all(path, got, 8, &longs, &no_nl), 2);
	assert_string_equal(got[0], "{\"v\":1}");
	assert_string_equal(got[1], "second line");
	assert_false(no_nl);
	unlink(path);
}

/* Blocks hold whole lines, and together they are the file. */
static void test_reader_blocks(void **state)
{
	size_t n = 3 * RV_LINE_MAX, off = 0, lines = 0;
	char *data = malloc(n), *back = malloc(n), *p;
	struct rv_reader *r;
	const char *b;
	size_t len;
	bool no_nl, last_no_nl = false;
	unsigned int dropped;

	for (size_t i = 0; i < n; i++)
		data[i] = i % 97 == 96 ? '\n' : 'a' + i % 26;
	data[n - 1] = 'z'; /* no final newline */
	p = tmpfile_with(data, n);
	assert_int_equal(rv_reader_open(p, &r), 0);
	while (rv_reader_block(r, &b, &len, &no_nl, &dropped) > 0) {
		assert_int_equal(dropped, 0);
		assert_true(no_nl || b[len - 1] == '\n');
		memcpy(back + off, b, len);
		off += len;
		lines++;
		last_no_nl = no_nl;
	}
	assert_true(last_no_nl);
	assert_int_equal(off, n);
	assert_memory_equal(back, data, n);
	assert_true(lines >= 2);
	rv_reader_close(r);
	unlink(p);
	free(p);
	free(data);
	free(back);
}

static void test_sort_inputs(void **state)
{
	const char *in[] = {"audit.log",      "audit.log.1",	 "other.log",
			    "audit.log.2.gz", "audit.log.10.gz", "x.1"};
	const char *want[] = {"audit.log.10.gz", "audit.log.2.gz", "audit.log.1",
			      "audit.log",	 "other.log",	   "x.1"};

	rv_sort_inputs(in, 6);
	for (int i = 0; i < 6; i++)
		assert_string_equal(in[i], want[i]);
}

static void test_default_log(void **state)
{
	unsetenv("PALISADE_LOG");
	assert_string_equal(rv_default_log(), "/var/log/palisade/audit.log");
	setenv("PALISADE_LOG", "/tmp/x.log", 1);
	assert_string_equal(rv_default_log(), "/tmp/x.log");
	unsetenv("PALISADE_LOG");
}

/* ---- escaping --------------------------------------------------------------- */

static void test_term_escape(void **state)
{
	struct rv_buf b = {0};

	assert_int_equal(rv_term_put(&b, "cat\033[31m", 0, false), 11);
	assert_string_equal(b.p, "cat\\x1b[31m");
	b.len = 0;
	rv_term_put(&b, "a\\b\tc\x7f\xc2\x85\xff", 0, false);
	assert_string_equal(b.p, "a\\\\b\\x09c\\x7f\\xc2\\x85\\xff");
	b.len = 0;
	assert_int_equal(rv_term_put(&b, "/usr/lib/üñí/file", 0, false), 17);
	assert_string_equal(b.p, "/usr/lib/üñí/file");
	assert_int_equal(rv_term_width("/usr/lib/üñí/file"), 17);
	b.len = 0;
	assert_int_equal(rv_term_put(&b, "/very/long/path/name", 10, true), 10);
	assert_string_equal(b.p, "…path/name");
	b.len = 0;
	assert_int_equal(rv_term_put(&b, "/very/long/path/name", 10, false), 10);
	assert_string_equal(b.p, "/very/lon…");
	b.len = 0;
	assert_int_equal(rv_term_put(&b, "short", 10, false), 5);
	assert_string_equal(b.p, "short");
	rv_buf_free(&b);
}

static void test_html_escape(void **state)
{
	struct rv_buf b = {0};

	rv_html_put(&b, "<script>alert('x')</script>&\"");
	assert_string_equal(b.p, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
	rv_buf_free(&b);
}

static void test_color(void **state)
{
	setenv("NO_COLOR", "1", 1);
	assert_false(rv_use_color(RV_COLOR_AUTO, 1));
	assert_true(rv_use_color(RV_COLOR_ALWAYS, 1));
	unsetenv("NO_COLOR");
	assert_false(rv_use_color(RV_COLOR_NEVER, 1));
	/* not a terminal here: a pipe or file under ctest */
	if (!isatty(1))
		assert_false(rv_use_color(RV_COLOR_AUTO, 1));
	setenv("COLUMNS", "123", 1);
	assert_int_equal(rv_term_columns(1), 123);
	unsetenv("COLUMNS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_filters_each),
		cmocka_unit_test(test_filters_and),
		cmocka_unit_test(test_filters_bad),
		cmocka_unit_test(test_quick),
		cmocka_unit_test(test_filters_containers),
		cmocka_unit_test(test_filters_containers_and),
		cmocka_unit_test(test_reader_plain),
		cmocka_unit_test(test_reader_long_line),
		cmocka_unit_test(test_reader_gzip),
		cmocka_unit_test(test_reader_blocks),
		cmocka_unit_test(test_sort_inputs),
		cmocka_unit_test(test_default_log),
		cmocka_unit_test(test_term_escape),
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_color),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
