// SPDX-License-Identifier: GPL-2.0-only
/* The pattern module (policies/pattern.h): classification, matching, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policies/pattern.h"

static struct pal_pattern *parse(const char *s, unsigned int flags)
{
	struct pal_pat_error e;
	struct pal_pattern *p;

	if (pal_pattern_parse(s, strlen(s), flags, &p, &e))
		fail_msg("'%s' refused: %s", s, e.why);
	return p;
}

/* Each name shape gets its cheap kind; the root is comp[0] of a rule pattern. */
static void test_classify(void **state)
{
	static const struct {
		const char *pat;
		unsigned char kind;
	} cases[] = {
		{"/etc/x", PAL_PC_LIT},	       {"/etc/**", PAL_PC_DSTAR},
		{"/etc/*", PAL_PC_ANY},	       {"/etc/python3*", PAL_PC_PREFIX},
		{"/etc/*.pem", PAL_PC_SUFFIX}, {"/etc/ssh_host_*_key", PAL_PC_PRESUF},
		{"/etc/a?", PAL_PC_GLOB},      {"/etc/[ab]", PAL_PC_GLOB},
		{"/etc/*a*", PAL_PC_GLOB},     {"/etc/\\*", PAL_PC_LIT},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pal_pattern *p = parse(cases[i].pat, PAL_PAT_RULE);

		assert_int_equal(p->ncomp, 3);
		assert_int_equal(p->comp[0].kind, PAL_PC_LIT);
		assert_int_equal(p->comp[0].nlit, 0);
		if (p->comp[2].kind != cases[i].kind)
			fail_msg("'%s': kind %d, want %d", cases[i].pat, p->comp[2].kind,
				 cases[i].kind);
		pal_pattern_free(p);
	}
}

/* Literals (escapes included) come out unescaped and canonical. */
static void test_literal_text(void **state)
{
	struct pal_pattern *p = parse("//srv//a\\*b\\[c\\]\\\\d\\e/", PAL_PAT_RULE);

	assert_true(p->literal);
	assert_string_equal(p->text, "/srv/a*b[c]\\d\\e");
	pal_pattern_free(p);
	p = parse("/", PAL_PAT_RULE);
	assert_true(p->literal);
	assert_string_equal(p->text, "/");
	pal_pattern_free(p);
	p = parse("/a/*", PAL_PAT_RULE);
	assert_false(p->literal);
	assert_int_equal(p->glob_off, 3);
	pal_pattern_free(p);
}

static void test_rule_match(void **state)
{
	static const struct {
		const char *pat, *path;
		bool match;
	} cases[] = {
		{"/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_rsa_key", true},
		{"/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_rsa_key.pub", false},
		{"/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_key", false}, /* no overlap */
		{"/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host__key", true},
		{"/etc/*", "/etc/.hidden", true}, /* dot files too */
		{"/etc/*", "/etc/a/b", false},
		{"/etc/*", "/etc", false},
		{"/etc/**", "/etc", true}, /* zero components */
		{"/etc/**", "/etc/a/b/c", true},
		{"/etc/**", "/etcx", false},
		{"/a/**/b", "/a/b", true},
		{"/a/**/b", "/a/x/y/b", true},
		{"/a/**/b", "/a/x/y/bc", false},
		{"/**", "/", true},
		{"/**/*.pem", "/x.pem", true},
		{"/**/*.pem", "/a/b/x.pem", true},
		{"/**/*.pem", "/a/b/x.pem.bak", false},
		{"/usr/bin/python3*", "/usr/bin/python3", true},
		{"/usr/bin/python3*", "/usr/bin/python3.11", true},
		{"/usr/bin/python3*", "/usr/bin/python", false},
		{"/tmp/?", "/tmp/a", true},
		{"/tmp/?", "/tmp/ab", false},
		{"/tmp/[a-c]x[!0-9]", "/tmp/bxy", true},
		{"/tmp/[a-c]x[!0-9]", "/tmp/bx1", false},
		{"/tmp/[a-c]x[!0-9]", "/tmp/dxy", false},
		{"/tmp/[-a]", "/tmp/-", true},
		{"/tmp/[a-]", "/tmp/-", true},
		{"/tmp/[\\]]", "/tmp/]", true},
		{"/tmp/a\\*", "/tmp/a*", true},
		{"/tmp/a\\*", "/tmp/ab", false},
		{"/tmp/*a*a*a*b", "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"/tmp/*a*a*a*b", "/tmp/aaaaaaaaaaab", true},
		{"/", "/", true},
		{"/", "/a", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pal_pattern *p = parse(cases[i].pat, PAL_PAT_RULE);

		if (pal_pattern_match(p, cases[i].path, strlen(cases[i].path)) != cases[i].match)
			fail_msg("'%s' on '%s': want %d", cases[i].pat, cases[i].path,
				 cases[i].match);
		pal_pattern_free(p);
	}
}

/* Refusals point at the offending character. */
static void test_errors(void **state)
{
	static const struct {
		const char *pat;
		int err;
		size_t off;
	} cases[] = {
		{"etc/*", -EINVAL, 0},
		{"/a/[bc", -EINVAL, 3},
		{"/a/x[]", -EINVAL, 4},
		{"/a/[!]", -EINVAL, 3},
		{"/a/[b-a]", -EINVAL, 4},
		{"/a/../*", -EINVAL, 3},
		{"/a/./*", -EINVAL, 3},
		{"/a/b**", -EINVAL, 4},
		{"/a/***", -EINVAL, 3},
		{"/**/a/**/b/**/c/**/d/**", -E2BIG, 21},
		{"/a/[abcdefghijklmnopqrstuvwxyz0123456789]", -E2BIG, 3},
		{"/a/?????????", -E2BIG, 3},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pal_pat_error e = {0};
		struct pal_pattern *p;
		int err =
			pal_pattern_parse(cases[i].pat, strlen(cases[i].pat), PAL_PAT_RULE, &p, &e);

		if (err != cases[i].err || e.off != cases[i].off || !e.why || !e.hint)
			fail_msg("'%s': got %d at %zu, want %d at %zu", cases[i].pat, err, e.off,
				 cases[i].err, cases[i].off);
		assert_null(p);
	}
}

/* Text patterns: relative, every '/' splits, empty names kept. */
static void test_text(void **state)
{
	struct pal_pattern *p = parse("**/nginx", 0);

	assert_true(pal_pattern_match(p, "nginx", 5));
	assert_true(pal_pattern_match(p, "/usr/sbin/nginx", 15));
	assert_false(pal_pattern_match(p, "/usr/sbin/nginx-debug", 21));
	pal_pattern_free(p);
	p = parse("/etc/*", 0);
	assert_true(pal_pattern_match(p, "/etc/", 5));
	pal_pattern_free(p);
}

/* A rule pattern at the depth limit works; one more name can never match. */
static void test_depth(void **state)
{
	char buf[4 * (PAL_MAX_DEPTH + 1) + 1] = "";
	struct pal_pat_error e;
	struct pal_pattern *p;

	for (int i = 0; i < PAL_MAX_DEPTH; i++)
		strcat(buf, "/a*");
	p = parse(buf, PAL_PAT_RULE);
	pal_pattern_free(p);
	strcat(buf, "/**/b");
	assert_int_equal(pal_pattern_parse(buf, strlen(buf), PAL_PAT_RULE, &p, &e), -EINVAL);
	assert_int_equal(e.off, strlen(buf) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),   cmocka_unit_test(test_literal_text),
		cmocka_unit_test(test_rule_match), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_text),	   cmocka_unit_test(test_depth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
