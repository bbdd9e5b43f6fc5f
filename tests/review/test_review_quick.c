// SPDX-License-Identifier: GPL-2.0-only
/*
 * Property test of the raw-line prefilter: on many random lines (random key
 * order, blanks, escapes, duplicate keys, nested objects, wrong types,
 * other versions), it never refuses a line that json-c and the exact filter
 * accept, and it does refuse most plain lines that cannot match. Also: the
 * record parser (jsmn) accepts the lines json-c accepts and reads the same
 * values from them.
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

#include "review/review.h"
#include "tests/review/review_test.h"

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

/* Break a line the way disks and writers do: a byte lost, doubled or replaced, a cut. */
static void mutate(char *line)
{
	static const char bytes[] = ",:{}[]\"\\ x0e.-";
	size_t len = strlen(line), at = rnd((unsigned int)len);

	switch (rnd(4)) {
	case 0:
		memmove(line + at, line + at + 1, len - at);
		break;
	case 1:
		memmove(line + at + 1, line + at, len - at + 1);
		break;
	case 2:
		line[at] = bytes[rnd(sizeof(bytes) - 1)];
		break;
	default:
		line[at] = '\0';
		break;
	}
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

/* ---- json-c as an independent judge of the record parser ---------------- */

static void same_str(struct json_object *o, const char *key, const char *ours, const char *line)
{
	struct json_object *v;
	const char *theirs =
		json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
			json_object_get_string(v) :
			NULL;

	if ((theirs == NULL) != (ours == NULL) || (theirs && strcmp(theirs, ours)))
		fail_msg("\"%s\": json-c '%s', ours '%s' in %s", key, theirs ? theirs : "(none)",
			 ours ? ours : "(none)", line);
}

static void same_int(struct json_object *o, const char *key, bool has, int64_t ours,
		     const char *line)
{
	struct json_object *v;
	bool theirs =
		json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int);

	if (theirs != has || (has && json_object_get_int64(v) != ours))
		fail_msg("\"%s\": json-c and ours differ in %s", key, line);
}

static void same_access(struct json_object *o, const struct rv_rec *r, const char *line)
{
	struct json_object *a;
	size_t n = 0;

	if (json_object_object_get_ex(o, "access", &a) && json_object_is_type(a, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			struct json_object *w = json_object_array_get_idx(a, i);

			if (!json_object_is_type(w, json_type_string))
				continue;
			if (n >= r->naccess || strcmp(json_object_get_string(w), r->access[n]))
				fail_msg("\"access\" differs in %s", line);
			n++;
		}
	}
	if (n != r->naccess)
		fail_msg("\"access\" has %u words, json-c %zu in %s", r->naccess, n, line);
}

/* One number of RFC 8259, written out as its grammar's states. */
static bool rfc_number(const char *s, const char *e)
{
	enum { SIGN, ZERO, INT, DOT, FRAC, E, ESIGN, EXP } st = SIGN;

	for (; s < e; s++) {
		char c = *s;
		bool digit = c >= '0' && c <= '9';

		if (st == SIGN && c == '-' && s[1] != '-')
			st = SIGN;
		else if (st == SIGN && digit)
			st = c == '0' ? ZERO : INT;
		else if ((st == INT && digit) || ((st == DOT || st == FRAC) && digit))
			st = st == INT ? INT : FRAC;
		else if ((st == ZERO || st == INT) && c == '.')
			st = DOT;
		else if ((st == ZERO || st == INT || st == FRAC) && (c == 'e' || c == 'E'))
			st = E;
		else if (st == E && (c == '+' || c == '-'))
			st = ESIGN;
		else if ((st == E || st == ESIGN || st == EXP) && digit)
			st = EXP;
		else
			return false;
	}
	return st == ZERO || st == INT || st == FRAC || st == EXP;
}

/* Some number outside strings is not RFC 8259's ("00", "0.", "1e"): json-c's strict mode lets some through. */
static bool odd_number(const char *s)
{
	bool in_str = false;

	for (; *s; s++) {
		if (in_str && *s == '\\' && s[1]) {
			s++;
		} else if (*s == '"') {
			in_str = !in_str;
		} else if (!in_str && (*s == '-' || (*s >= '0' && *s <= '9'))) {
			const char *e = s + strspn(s, "-+.eE0123456789");

			if (!rfc_number(s, e))
				return true;
			s = e - 1;
		}
	}
	return false;
}

/* The record parser accepts exactly the objects json-c accepts, and reads the same values. */
static void same_as_json_c(struct json_tokener *jt, const char *line, bool ok, enum rv_bad why,
			   const struct rv_rec *r)
{
	size_t len = strlen(line);
	struct json_object *o;
	bool theirs;

	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	json_tokener_reset(jt);
	o = json_tokener_parse_ex(jt, line, (int)len);
	theirs = o && json_tokener_get_error(jt) == json_tokener_success &&
		 json_tokener_get_parse_end(jt) == len && json_object_is_type(o, json_type_object);
	if (theirs != (ok || why != RV_BAD_JSON) && !(theirs && odd_number(line)))
		fail_msg("json-c says %s JSON, ours not: %s", theirs ? "is" : "is not", line);
	if (theirs && (ok || why != RV_BAD_JSON)) {
		same_int(o, "v", r->version >= 0, r->version, line);
		same_str(o, "time", r->time_str, line);
		same_str(o, "event", r->event_name, line);
		same_str(o, "action", r->action_name, line);
		same_str(o, "policy", r->policy, line);
		same_str(o, "rule_src", r->rule_src, line);
		same_str(o, "cgroup", r->cgroup, line);
		same_str(o, "exe", r->exe, line);
		same_str(o, "path", r->path, line);
		same_str(o, "path2", r->path2, line);
		same_int(o, "rule", rv_has(r, RV_I_RULE), r->num[RV_I_RULE], line);
		same_int(o, "uid", rv_has(r, RV_I_UID), r->num[RV_I_UID], line);
		same_int(o, "pid", rv_has(r, RV_I_PID), r->num[RV_I_PID], line);
		same_int(o, "count", rv_has(r, RV_I_COUNT), r->num[RV_I_COUNT], line);
		same_access(o, r, line);
	}
	json_object_put(o);
}

static void test_never_refuses_a_match(void **state)
{
	struct rv_parser *tok = new_parser();
	struct json_tokener *jt = json_tokener_new();
	size_t valid = 0, matched = 0, refused = 0, plain_nomatch = 0, not_json = 0;
	char line[4096];

	json_tokener_set_flags(jt, JSON_TOKENER_STRICT); /* RFC 8259, as ours */

	for (int i = 0; i < 100000; i++) {
		struct rv_filter f;
		struct rv_rec r;
		enum rv_bad why;
		bool quick, match = false, ok;

		make_line(line, sizeof(line));
		if (rnd(8) == 0)
			mutate(line);
		make_filter(&f);
		quick = rv_filter_quick(&f, line, strlen(line), false);
		ok = !rv_rec_parse(tok, line, strlen(line), false, &r, &why);
		same_as_json_c(jt, line, ok, why, &r);
		if (ok) {
			valid++;
			match = rv_filter_match(&f, &r);
		}
		if (match) {
			matched++;
			if (!quick)
				fail_msg("prefilter refused a matching line: %s", line);
		}
		if (!ok && !quick && why != RV_BAD_JSON)
			fail_msg("prefilter hid a bad record that must be counted: %s", line);
		refused += !quick;
		not_json += !ok && why == RV_BAD_JSON;
		plain_nomatch += ok && !match && !strchr(line, '\\');
		rv_filter_free(&f);
	}
	rv_parser_free(tok);
	json_tokener_free(jt);
	print_message("prefilter: %zu valid, %zu matched, %zu refused, %zu plain non-matching, "
		      "%zu not JSON\n",
		      valid, matched, refused, plain_nomatch, not_json);
	/* the lines made here are valid records more often than not, and some match */
	assert_true(valid > 25000 && matched > 2500);
	/* and enough are broken to judge the parser's refusals against json-c's */
	assert_true(not_json > 5000);
	/* and the prefilter does its job on most plain lines that do not match */
	assert_true(refused > plain_nomatch / 2);
}

/*
 * A record whose head ("v", "time", "event") is in a nested object is bad
 * (the fuzzer found this): the prefilter must pass it on to be counted,
 * even when its nested fields do not match; a flat line still gets refused.
 */
static void test_nested_object_reaches_parser(void **state)
{
	static const char *const bad[] = {
		"{\"ht\":\r{\"v\":1,\"time\":\"2026-11-22T10:12:00.700000Z\",\"event\":\"file\","
		"\"exe\":\"ginx\"},\"cgroup\":\"x\",\"cgroup_id\":5123}",
		"{\"mode\":{\"v\":1,\"time\":\"2026-11-22T10:12:01.000000Z\",\"event\":\"exec\"},"
		"\"exe\":\"/bin/true\"}",
		"{\"access\":[{\"v\":1,\"time\":\"2026-11-22T10:12:01.000000Z\",\"event\":\"exec\"}],"
		"\"exe\":\"/bin/true\"}",
	};
	const char *flat = "{\"v\":1,\"time\":\"2026-11-22T10:12:01.000000Z\",\"event\":\"exec\","
			   "\"action\":\"deny\",\"exe\":\"/bin/true\"}";
	struct rv_parser *tok = new_parser();
	struct rv_filter f;
	struct rv_rec r;
	enum rv_bad why;

	(void)state;
	rv_filter_init(&f);
	set(&f, "exe", "**/nginx");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(rv_rec_parse(tok, bad[i], strlen(bad[i]), false, &r, &why), 0);
		assert_int_not_equal(why, RV_BAD_JSON); /* JSON, but not a record */
		assert_true(rv_filter_quick(&f, bad[i], strlen(bad[i]), false));
	}
	assert_int_equal(rv_rec_parse(tok, flat, strlen(flat), false, &r, &why), 0);
	assert_false(rv_filter_match(&f, &r));
	assert_false(rv_filter_quick(&f, flat, strlen(flat), false));
	rv_filter_free(&f);
	rv_parser_free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_refuses_a_match),
		cmocka_unit_test(test_nested_object_reaches_parser),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
