// SPDX-License-Identifier: GPL-2.0-only
/*
 * Property test of the raw-line prefilter: on many random lines (random key
 * order, blanks, escapes, duplicate keys, nested objects, wrong types,
 * other versions), it never refuses a line that json-c and the exact filter
 * accept, and it does refuse most plain lines that cannot match. Also: a
 * record parsed with only the fields the filter needs gets the same verdict.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "agent/review.h"

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static unsigned int rnd(unsigned int n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned int)(seed % n);
}

static const char *pick(const char *const *v, size_t n)
{
	return v[rnd((unsigned int)n)];
}

#define PICK(a) pick(a, sizeof(a) / sizeof(a[0]))

/* Values as raw JSON text, some of them odd on purpose. */
static const char *const times[] = {
	"\"2026-11-22T10:00:00.000000Z\"",
	"\"2026-11-22T11:30:00Z\"",
	"\"2026-11-22T12:00:00+01:00\"",
	"\"2026-11-23T00:00:00Z\"",
	"\"not a time\"",
	"5",
};
static const char *const events[] = {"\"file\"",       "\"exec\"",   "\"network\"",    "\"lost\"",
				     "\"suppressed\"", "\"policy\"", "\"f\\u0069le\"", "3"};
static const char *const actions[] = {"\"deny\"", "\"audit\"", "\"de\\u006ey\"", "null", "1"};
static const char *const policies[] = {"\"web\"", "\"db\"", "\"w\\u0065b\"", "\"web \"", "7"};
static const char *const rules[] = {"0", "1", "null", "\"0\"", "1.0", "-1", "12"};
static const char *const srcs[] = {"\"/p/web.yaml:3\"", "\"default\"", "\"\\/p\\/web.yaml:3\""};
static const char *const ints[] = {"0", "33", "1000", "\"0\"", "0.0", "-0", "33e0"};
static const char *const cgroups[] = {"\"/system.slice/nginx.service\"", "\"/kubepods/pod1/ctr\"",
				      "\"\\/kubepods\\/pod1\\/ctr\"", "\"/user.slice\""};
static const char *const exes[] = {"\"/usr/sbin/nginx\"", "\"/usr/bin/python3\"",
				   "\"\\/usr\\/sbin\\/nginx\"", "\"/nginx\""};
static const char *const paths[] = {"\"/etc/shadow\"",
				    "\"/etc/ssl/private/k.pem\"",
				    "\"/var/www/a.css\"",
				    "\"/etc\\/passwd\"",
				    "\"/tmp/\\u00e9t\\u00e9\"",
				    "\"/etc/a \\\"b\\\"\"",
				    "42"};
static const char *const versions[] = {"1", "1", "1", "1", "2", "\"1\"", "1.0"};
static const char *const extras[] = {"\"access\":[\"read\",\"write\"]",
				     "\"nested\":{\"policy\":\"web\",\"path\":\"/etc/shadow\"}",
				     "\"count\":3", "\"comm\":\"policy\"", "\"message\":\"time\""};

struct field {
	const char *key;
	const char *const *values;
	size_t n;
};

#define F(k, a)                                \
	{                                      \
		k, a, sizeof(a) / sizeof(a[0]) \
	}

static const struct field fields[] = {
	F("v", versions),      F("time", times),     F("event", events),  F("action", actions),
	F("policy", policies), F("rule", rules),     F("rule_src", srcs), F("uid", ints),
	F("pid", ints),	       F("cgroup", cgroups), F("exe", exes),	  F("path", paths),
	F("path2", paths),
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *blank(void)
{
	static const char *const b[] = {"", "", "", " ", "  ", "\t"};

	return PICK(b);
}

/* One random line: fields in random order, some left out, some twice. */
static void make_line(char *buf, size_t len)
{
	size_t order[NFIELDS], off = 0;
	bool first = true;

	for (size_t i = 0; i < NFIELDS; i++)
		order[i] = i;
	for (size_t i = NFIELDS - 1; i > 0; i--) {
		size_t j = rnd((unsigned int)i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	off += snprintf(buf + off, len - off, "%s{", blank());
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[order[i]];
		int reps = rnd(10) == 0 ? 0 : rnd(20) == 0 ? 2 : 1;

		/* v, time and event are mostly there, so most lines are records */
		if (reps == 0 && (order[i] <= 2) && rnd(4))
			reps = 1;
		for (int r = 0; r < reps; r++) {
			off += snprintf(buf + off, len - off, "%s%s\"%s\"%s:%s%s", first ? "" : ",",
					blank(), f->key, blank(), blank(), pick(f->values, f->n));
			first = false;
		}
	}
	if (rnd(3) == 0)
		off += snprintf(buf + off, len - off, "%s%s", first ? "" : ",", PICK(extras));
	snprintf(buf + off, len - off, "}%s", blank());
}

static void set(struct rv_filter *f, const char *name, const char *value)
{
	const char *err;

	assert_int_equal(rv_filter_set(f, name, value, 0, &err), 0);
}

/* A random filter of one to three options. */
static void make_filter(struct rv_filter *f)
{
	static const char *const opts[][2] = {
		{"policy", "web"},
		{"policy", "db,web"},
		{"action", "deny"},
		{"action", "audit"},
		{"event", "file"},
		{"event", "network,exec"},
		{"rule", "0"},
		{"rule", "default"},
		{"rule", "/p/web.yaml:3"},
		{"uid", "0"},
		{"pid", "33,1000"},
		{"cgroup", "/kubepods/**"},
		{"exe", "**/nginx"},
		{"path", "/etc/**"},
		{"path", "/etc/*"},
		{"since", "2026-11-22T11:00:00Z"},
		{"until", "2026-11-22T11:00:00Z"},
	};
	unsigned int n = 1 + rnd(3);

	rv_filter_init(f);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k = rnd(sizeof(opts) / sizeof(opts[0]));

		/* glob options may be given once */
		if ((!strcmp(opts[k][0], "path") && f->path) ||
		    (!strcmp(opts[k][0], "cgroup") && f->cgroup) ||
		    (!strcmp(opts[k][0], "exe") && f->exe))
			continue;
		set(f, opts[k][0], opts[k][1]);
	}
}

/* Parsing only the fields the filter needs gives the same verdict and count. */
static void same_with_some_fields(struct json_tokener *tok, const struct rv_filter *f,
				  const char *line, bool match)
{
	const char *keys[16];
	size_t n = rv_filter_keys(f, keys, 16);
	struct rv_rec r;
	enum rv_bad why;

	assert_int_equal(rv_rec_parse_some(tok, line, strlen(line), false, keys, n, &r, &why), 0);
	if (rv_filter_match(f, &r) != match)
		fail_msg("parsing some fields changed the verdict: %s", line);
	rv_rec_release(&r);
}

static void test_never_refuses_a_match(void **state)
{
	struct json_tokener *tok = json_tokener_new();
	size_t valid = 0, matched = 0, refused = 0, plain_nomatch = 0;
	char line[4096];

	for (int i = 0; i < 100000; i++) {
		struct rv_filter f;
		struct rv_rec r;
		enum rv_bad why;
		bool quick, match = false, ok;

		make_line(line, sizeof(line));
		make_filter(&f);
		quick = rv_filter_quick(&f, line, strlen(line), false);
		ok = !rv_rec_parse(tok, line, strlen(line), false, &r, &why);
		if (ok) {
			valid++;
			match = rv_filter_match(&f, &r);
			rv_rec_release(&r);
			same_with_some_fields(tok, &f, line, match);
		}
		if (match) {
			matched++;
			if (!quick)
				fail_msg("prefilter refused a matching line: %s", line);
		}
		if (!ok && !quick && why != RV_BAD_JSON)
			fail_msg("prefilter hid a bad record that must be counted: %s", line);
		refused += !quick;
		plain_nomatch += ok && !match && !strchr(line, '\\');
		rv_filter_free(&f);
	}
	json_tokener_free(tok);
	print_message("prefilter: %zu valid, %zu matched, %zu refused, %zu plain non-matching\n",
		      valid, matched, refused, plain_nomatch);
	/* the lines made here are valid records more often than not, and some match */
	assert_true(valid > 25000 && matched > 2500);
	/* and the prefilter does its job on most plain lines that do not match */
	assert_true(refused > plain_nomatch / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_refuses_a_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
