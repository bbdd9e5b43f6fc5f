// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: RFC 3339 and relative times, durations, path globs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "review/review.h"

static int64_t t_ok(const char *s)
{
	int64_t t = 0;

	assert_int_equal(rv_time_parse_rfc3339(s, strlen(s), &t), 0);
	return t;
}

static void test_rfc3339(void **state)
{
	/* 2026-11-22T10:00:00Z is 1795341600 s after the epoch (checked with date -d) */
	assert_int_equal(t_ok("2026-11-22T10:00:00Z"), 1795341600LL * RV_USEC);
	assert_int_equal(t_ok("2026-11-22T10:00:00.123456Z"), 1795341600LL * RV_USEC + 123456);
	assert_int_equal(t_ok("2026-11-22t10:00:00.5z"), 1795341600LL * RV_USEC + 500000);
	/* finer than a microsecond is cut, not rounded */
	assert_int_equal(t_ok("2026-11-22T10:00:00.123456789Z"), 1795341600LL * RV_USEC + 123456);
	assert_int_equal(t_ok("2026-11-22T11:30:00+01:30"), 1795341600LL * RV_USEC);
	assert_int_equal(t_ok("2026-11-22T08:00:00-02:00"), 1795341600LL * RV_USEC);
	assert_int_equal(t_ok("2026-11-22 10:00:00"), 1795341600LL * RV_USEC);
	assert_int_equal(t_ok("2026-11-22"), 1795305600LL * RV_USEC);
	assert_int_equal(t_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(t_ok("1969-12-31T23:59:59Z"), -RV_USEC);
	assert_int_equal(t_ok("2024-02-29T00:00:00Z"), 1709164800LL * RV_USEC);
	assert_int_equal(t_ok("2000-03-01T00:00:00Z"), 951868800LL * RV_USEC);
}

static void test_rfc3339_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"2026",
		"2026-11",
		"2026-13-01",
		"2026-00-10",
		"2026-02-29",
		"2100-02-29T00:00:00Z",
		"2026-11-31",
		"2026-11-22T24:00:00Z",
		"2026-11-22T10:60:00Z",
		"2026-11-22T10:00Z",
		"2026-11-22T10:00:00.Z",
		"2026-11-22T10:00:00+0100",
		"2026-11-22T10:00:00+25:00",
		"2026-11-22T10:00:00Zjunk",
		"2026-11-22X10:00:00Z",
		"26-11-22T10:00:00Z",
		"2026-11-2aT10:00:00Z",
	};
	int64_t t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(rv_time_parse_rfc3339(bad[i], strlen(bad[i]), &t), -EINVAL);
}

static void test_duration(void **state)
{
	int64_t d;

	assert_int_equal(rv_duration_parse("1h", &d), 0);
	assert_int_equal(d, 3600 * RV_USEC);
	assert_int_equal(rv_duration_parse("2d", &d), 0);
	assert_int_equal(d, 2 * 86400 * RV_USEC);
	assert_int_equal(rv_duration_parse("30m", &d), 0);
	assert_int_equal(d, 1800 * RV_USEC);
	assert_int_equal(rv_duration_parse("90s", &d), 0);
	assert_int_equal(d, 90 * RV_USEC);
	assert_int_equal(rv_duration_parse("1w", &d), 0);
	assert_int_equal(d, 7 * 86400 * RV_USEC);
	assert_int_equal(rv_duration_parse("1h30m", &d), 0);
	assert_int_equal(d, 5400 * RV_USEC);
	assert_int_equal(rv_duration_parse("", &d), -EINVAL);
	assert_int_equal(rv_duration_parse("h", &d), -EINVAL);
	assert_int_equal(rv_duration_parse("1", &d), -EINVAL);
	assert_int_equal(rv_duration_parse("1x", &d), -EINVAL);
	assert_int_equal(rv_duration_parse("-1h", &d), -EINVAL);
	assert_int_equal(rv_duration_parse("1h 30m", &d), -EINVAL);
	assert_int_equal(rv_duration_parse("99999999999d", &d), -ERANGE);
}

static void test_time_arg(void **state)
{
	int64_t now = 1795341600LL * RV_USEC, t;

	assert_int_equal(rv_time_parse_arg("1h", now, &t), 0);
	assert_int_equal(t, now - 3600 * RV_USEC);
	assert_int_equal(rv_time_parse_arg("2d", now, &t), 0);
	assert_int_equal(t, now - 2 * 86400 * RV_USEC);
	assert_int_equal(rv_time_parse_arg("now", now, &t), 0);
	assert_int_equal(t, now);
	assert_int_equal(rv_time_parse_arg("2026-11-22T09:00:00Z", now, &t), 0);
	assert_int_equal(t, now - 3600 * RV_USEC);
	assert_int_equal(rv_time_parse_arg("yesterday", now, &t), -EINVAL);
}

static void test_now_env(void **state)
{
	int64_t t;

	setenv("PALISADE_NOW", "2026-11-22T10:00:00Z", 1);
	assert_int_equal(rv_now(&t), 0);
	assert_int_equal(t, 1795341600LL * RV_USEC);
	setenv("PALISADE_NOW", "soon", 1);
	assert_int_equal(rv_now(&t), -EINVAL);
	unsetenv("PALISADE_NOW");
	assert_int_equal(rv_now(&t), 0);
	assert_true(t > 1795341600LL * RV_USEC - 3650LL * 86400 * RV_USEC);
}

static void test_format(void **state)
{
	char buf[32];

	rv_time_format(1795341600LL * RV_USEC + 123456, 6, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-22T10:00:00.123456Z");
	rv_time_format(1795341600LL * RV_USEC + 123456, 0, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-22T10:00:00Z");
	rv_time_format(-1, 6, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59.999999Z");
	rv_time_format(1709164800LL * RV_USEC, 0, buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29T00:00:00Z");
	/* round trip over a range of days, leap years included */
	for (int64_t d = -800; d < 40000; d += 37) {
		int64_t t = d * 86400 * RV_USEC + 3723 * RV_USEC + 42, back;

		rv_time_format(t, 6, buf, sizeof(buf));
		assert_int_equal(rv_time_parse_rfc3339(buf, strlen(buf), &back), 0);
		assert_int_equal(back, t);
	}
	rv_duration_format(3600 * RV_USEC, buf, sizeof(buf));
	assert_string_equal(buf, "1h");
	rv_duration_format(15 * 60 * RV_USEC, buf, sizeof(buf));
	assert_string_equal(buf, "15m");
	rv_duration_format(86400 * RV_USEC, buf, sizeof(buf));
	assert_string_equal(buf, "1d");
	rv_duration_format(7 * 86400 * RV_USEC, buf, sizeof(buf));
	assert_string_equal(buf, "1w");
}

struct glob_case {
	const char *pattern, *s;
	bool match;
};

static void test_glob(void **state)
{
	static const struct glob_case cases[] = {
		{"/etc/shadow", "/etc/shadow", true},
		{"/etc/shadow", "/etc/shadow2", false},
		{"/etc/*", "/etc/shadow", true},
		{"/etc/*", "/etc/ssh/sshd_config", false}, /* '*' stays in one level */
		{"/etc/*", "/etc/", true},
		{"/etc/**", "/etc/ssh/sshd_config", true},
		{"/etc/**", "/etc", true}, /* '**' is zero levels or more */
		{"/etc/**", "/etcx/a", false},
		{"/etc/**/sshd_config", "/etc/sshd_config", true}, /* may be one slash */
		{"/etc/**/sshd_config", "/etc/ssh/sshd_config", true},
		{"/etc/**/sshd_config", "/etc/a/b/c/sshd_config", true},
		{"/etc/**/sshd_config", "/etc/ssh/sshd_config.bak", false},
		{"**/nginx", "/usr/sbin/nginx", true},
		{"**/nginx", "nginx", true},
		{"**/nginx", "/usr/sbin/nginx-debug", false},
		{"*/nginx", "/nginx", true},
		{"*/nginx", "/usr/nginx", false},
		{"/usr/**/*.so", "/usr/lib/x86_64/libc.so", true},
		{"/usr/**/*.so", "/usr/lib/libc.so.6", false},
		{"/tmp/?", "/tmp/a", true},
		{"/tmp/?", "/tmp/ab", false},
		{"/tmp/?", "/tmp//", false}, /* '?' is not '/' */
		{"/tmp/a?c", "/tmp/abc", true},
		{"/system.slice/docker-*.scope", "/system.slice/docker-3f2a.scope", true},
		{"/system.slice/docker-*.scope", "/system.slice/docker-3f2a.scope/x", false},
		{"/kubepods/**", "/kubepods/burstable/pod1/ctr", true},
		{"/a/*/c/**", "/a/b/c/d/e", true},
		{"/a/*/c/**", "/a/b/x/c/d", false},
		{"\\*", "*", true},
		{"\\*", "x", false},
		{"a\\?b", "a?b", true},
		{"*", "", true},
		{"**", "/any/thing", true},
		{"", "", true},
		{"", "x", false},
		{"/a/**/**/b", "/a/x/b", true},
		{"/tmp/[a-c]x", "/tmp/bx", true},
		{"/tmp/[a-c]x", "/tmp/dx", false},
		{"/tmp/[!a-c]x", "/tmp/dx", true},
		{"/tmp/[!a-c]x", "/tmp/ax", false},
		{"/tmp/\\[x", "/tmp/[x", true},
		{"/tmp/a\\b", "/tmp/a\\b", true}, /* '\' before another character is itself */
		{"docker.io/**/*nginx*", "docker.io/library/nginx:1.27", true},
		{"/a*a", "/a", false}, /* head and tail may not overlap */
		{"/a*a", "/aa", true},
		{"a*", "a", true},
		{"*a", "a", true},
		{"a?*?a", "aba", false},
		{"a?*?a", "abba", true},
		{"/x/**/y/*.log", "/x/y/a.log", true},
		{"/x/**/y/*.log", "/x/q/r/y/a.log", true},
		{"/x/**/y/*.log", "/x/q/r/y/a/b.log", false},
		{"*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rv_glob *g;

		assert_int_equal(rv_glob_compile(cases[i].pattern, &g, NULL), 0);
		if (rv_glob_match(g, cases[i].s) != cases[i].match)
			fail_msg("glob '%s' on '%s': expected %d", cases[i].pattern, cases[i].s,
				 cases[i].match);
		assert_int_equal(rv_glob_match_n(g, cases[i].s, strlen(cases[i].s)),
				 cases[i].match);
		rv_glob_free(g);
	}
}

static void test_glob_limits(void **state)
{
	char *long_pat = malloc(RV_GLOB_MAX + 2), *s = malloc(20001);
	struct rv_glob *g;

	memset(long_pat, 'a', RV_GLOB_MAX + 1);
	long_pat[RV_GLOB_MAX + 1] = 0;
	assert_int_equal(rv_glob_compile(long_pat, &g, NULL), -E2BIG);
	/* the longest pattern works, and many stars cost no backtracking */
	for (int i = 0; i < RV_GLOB_MAX; i++)
		long_pat[i] = i % 2 ? '*' : 'a';
	long_pat[RV_GLOB_MAX - 1] = 'b';
	long_pat[RV_GLOB_MAX] = 0;
	assert_int_equal(rv_glob_compile(long_pat, &g, NULL), 0);
	memset(s, 'a', 20000);
	s[20000] = 0;
	assert_false(rv_glob_match(g, s));
	rv_glob_free(g);
	free(long_pat);
	free(s);
}

/* Patterns that can never match are refused with the reason, as in policies. */
static void test_glob_invalid(void **state)
{
	static const char *const bad[] = {"/usr/**.so", "/a***b", "/tmp/[abc", "/tmp/[]", "/[z-a]"};
	struct rv_glob *g;
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (rv_glob_compile(bad[i], &g, &why) != -EINVAL || !why || !*why)
			fail_msg("glob '%s' was not refused with a reason", bad[i]);
		assert_null(g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),	 cmocka_unit_test(test_rfc3339_bad),
		cmocka_unit_test(test_duration), cmocka_unit_test(test_time_arg),
		cmocka_unit_test(test_now_env),	 cmocka_unit_test(test_format),
		cmocka_unit_test(test_glob),	 cmocka_unit_test(test_glob_limits),
		cmocka_unit_test(test_glob_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
