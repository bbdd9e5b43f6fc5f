// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy diagnostics: every bad input of error_cases.h (one cmocka test
 * each) must fail with exactly the expected first error; then the limits,
 * cross-file checks, warnings and the printed FILE:LINE:COL + caret form.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "policies/policy.h"

#define H "apiVersion: palisade/v1\nkind: Policy\nname: t\n"

struct bad {
	const char *name;
	const char *yaml;
	unsigned int line;
	unsigned int col;
	const char *msg;
};

static const struct bad bad_cases[] = {
#include "tests/policies/error_cases.h"
};

#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

static struct pal_policy_set *load(const char *name, const char *yaml, size_t len,
				   unsigned int flags, int *rc)
{
	struct pal_load_opts o = {.flags = flags};
	struct pal_policy_set *set = pal_policy_set_new(&o);

	assert_non_null(set);
	*rc = pal_policy_add_buffer(set, name, yaml, len);
	return set;
}

static void expect_diag(const struct pal_diag *d, enum pal_severity sev, unsigned int line,
			unsigned int col, const char *msg)
{
	assert_int_equal(d->severity, sev);
	assert_string_equal(d->message, msg);
	assert_int_equal(d->line, line);
	assert_int_equal(d->col, col);
}

static void test_bad(void **state)
{
	const struct bad *c = *state;
	int rc;
	struct pal_policy_set *set =
		load("t.yaml", c->yaml, strlen(c->yaml), PAL_LOAD_NO_HOST, &rc);

	assert_int_equal(rc, -EINVAL);
	assert_true(set->nerrors >= 1);
	assert_true(set->ndiags >= 1);
	assert_string_equal(set->diags[0].file, "t.yaml");
	expect_diag(&set->diags[0], PAL_SEV_ERROR, c->line, c->col, c->msg);
	pal_policy_set_free(set);
}

/* ---- the printed form ---------------------------------------------------- */

static void test_format(void **state)
{
	const char *y = H "files:\n  - paths: [/a]\n    acess: [read]\n    action: deny\n";
	int rc;
	struct pal_policy_set *set = load("dir/x.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	char *s;

	assert_int_equal(rc, -EINVAL);
	assert_int_equal(set->ndiags, 1);
	assert_string_equal(set->diags[0].source_line, "    acess: [read]");
	s = pal_diag_format(&set->diags[0]);
	assert_string_equal(s, "dir/x.yaml:6:5: error: unknown key 'acess' in file rule; "
			       "did you mean 'access'?\n"
			       "    acess: [read]\n"
			       "    ^\n");
	free(s);
	pal_policy_set_free(set);
}

static void test_format_tab_caret(void **state)
{
	struct pal_diag d = {PAL_SEV_WARNING, "f.yaml", 2, 3, "m", "\tx: y"};
	char *s = pal_diag_format(&d);

	/* the tab is kept so the caret lines up under the column */
	assert_string_equal(s, "f.yaml:2:3: warning: m\n\tx: y\n\t ^\n");
	free(s);
	d.line = 0;
	s = pal_diag_format(&d);
	assert_string_equal(s, "f.yaml: warning: m\n");
	free(s);
}

/* Diagnostics reach the callback, sorted by position within a file. */
struct seen {
	unsigned int n;
	unsigned int lines[8];
};

static void collect(const struct pal_diag *d, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8)
		s->lines[s->n] = d->line;
	s->n++;
}

static void test_callback_order(void **state)
{
	const char *y = H "files:\n  - paths: [/a]\n    acess: [read]\n    action: dney\n"
			  "colour: x\n";
	struct seen s = {0};
	struct pal_load_opts o = {.flags = PAL_LOAD_NO_HOST, .diag = collect, .ctx = &s};
	struct pal_policy_set *set = pal_policy_set_new(&o);

	assert_int_equal(pal_policy_add_buffer(set, "t.yaml", y, strlen(y)), -EINVAL);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.lines[0], 6);
	assert_int_equal(s.lines[1], 7);
	assert_int_equal(s.lines[2], 8);
	assert_int_equal(set->nerrors, 3);
	pal_policy_set_free(set);
}

/* ---- across files and limits -------------------------------------------- */

static void test_duplicate_name_across_files(void **state)
{
	struct pal_load_opts o = {.flags = PAL_LOAD_NO_HOST};
	struct pal_policy_set *set = pal_policy_set_new(&o);
	const char *y = H "files:\n  - paths: [/a]\n    access: [read]\n    action: deny\n";

	assert_int_equal(pal_policy_add_buffer(set, "a.yaml", y, strlen(y)), 0);
	assert_int_equal(pal_policy_add_buffer(set, "b.yaml", y, strlen(y)), -EINVAL);
	assert_int_equal(set->ndiags, 1);
	assert_string_equal(set->diags[0].file, "b.yaml");
	expect_diag(&set->diags[0], PAL_SEV_ERROR, 3, 7,
		    "duplicate policy name 't' (first defined at a.yaml:3:7)");
	assert_int_equal(set->npolicies, 1);
	pal_policy_set_free(set);
}

static char *repeat_docs(unsigned int n)
{
	char *buf = malloc((size_t)n * 80 + 1), *o = buf;

	for (unsigned int i = 0; i < n; i++)
		o += sprintf(o, "---\napiVersion: palisade/v1\nkind: Policy\nname: p%u\n", i);
	return buf;
}

static void test_limit_policies(void **state)
{
	char *y = repeat_docs(PAL_MAX_POLICIES + 1);
	int rc;
	struct pal_policy_set *set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);

	assert_int_equal(rc, -EINVAL);
	assert_int_equal(set->npolicies, PAL_MAX_POLICIES);
	assert_int_equal(set->ndiags, 1);
	/* document k (0-based) has its name on line 4k + 4 */
	expect_diag(&set->diags[0], PAL_SEV_ERROR, 4 * PAL_MAX_POLICIES + 4, 7,
		    "too many policies: more than PAL_MAX_POLICIES (64)");
	pal_policy_set_free(set);
	free(y);

	y = repeat_docs(PAL_MAX_POLICIES);
	set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(set->npolicies, PAL_MAX_POLICIES);
	pal_policy_set_free(set);
	free(y);
}

static char *many_rules(unsigned int n)
{
	const char *item = "- {paths: [/a], access: [read], action: deny}\n";
	size_t il = strlen(item);
	char *buf = malloc(strlen(H) + 8 + n * il + 1), *o = buf;

	o += sprintf(o, H "files:\n");
	for (unsigned int i = 0; i < n; i++, o += il)
		memcpy(o, item, il);
	*o = 0;
	return buf;
}

static void test_limit_rules(void **state)
{
	char *y = many_rules(PAL_MAX_RULES_PER_POLICY + 1);
	int rc;
	struct pal_policy_set *set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);

	assert_int_equal(rc, -EINVAL);
	assert_int_equal(set->ndiags, 1);
	expect_diag(&set->diags[0], PAL_SEV_ERROR, 5, 1,
		    "policy has more than PAL_MAX_RULES_PER_POLICY (65536) rules");
	pal_policy_set_free(set);
	free(y);
}

static void test_limit_file_size(void **state)
{
	/* 64-byte comment lines: byte PAL_POLICY_FILE_MAX starts line 65537 */
	size_t len = PAL_POLICY_FILE_MAX + 64;
	char *y = malloc(len);
	int rc;
	struct pal_policy_set *set;

	for (size_t i = 0; i < len; i += 64) {
		memset(y + i, 'x', 63);
		y[i] = '#';
		y[i + 63] = '\n';
	}
	set = load("big.yaml", y, len, PAL_LOAD_NO_HOST, &rc);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(set->ndiags, 1);
	expect_diag(&set->diags[0], PAL_SEV_ERROR, PAL_POLICY_FILE_MAX / 64 + 1, 1,
		    "file is larger than 4 MiB (PAL_POLICY_FILE_MAX = 4194304 bytes): split it "
		    "into several files");
	pal_policy_set_free(set);
	free(y);
}

static void test_too_many_errors(void **state)
{
	char *y = malloc(strlen(H) + 60 * 16 + 1), *o = y;
	int rc;
	struct pal_policy_set *set;

	o += sprintf(o, H);
	for (int i = 0; i < 60; i++)
		o += sprintf(o, "bad%02d: x\n", i);
	set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(set->ndiags, PAL_POLICY_MAX_ERRORS + 1);
	expect_diag(&set->diags[0], PAL_SEV_ERROR, 4, 1,
		    "unknown key 'bad00' in policy (expected apiVersion, kind, name, description, "
		    "mode, target, default, files, exec, network, devices, mounts)");
	expect_diag(&set->diags[PAL_POLICY_MAX_ERRORS], PAL_SEV_ERROR, 4 + PAL_POLICY_MAX_ERRORS, 1,
		    "too many errors (over PAL_POLICY_MAX_ERRORS = 50); fix the ones above first");
	pal_policy_set_free(set);
	free(y);
}

/* Path limits are exact: the largest valid value passes, one more fails. */
static void test_path_boundaries(void **state)
{
	char in[PAL_PATH_MAX + 16], out[PAL_PATH_MAX + 32];
	const char *why = NULL;
	__u32 depth;

	assert_int_equal(pal_path_canon("/etc//shadow/", 13, out, &depth, &why), 0);
	assert_string_equal(out, "/etc/shadow");
	assert_int_equal(depth, 2);
	assert_int_equal(pal_path_canon("///", 3, out, &depth, &why), 0);
	assert_string_equal(out, "/");
	assert_int_equal(depth, 0);

	for (int i = 0; i < PAL_MAX_DEPTH; i++)
		memcpy(in + 2 * i, "/a", 2);
	assert_int_equal(pal_path_canon(in, 2 * PAL_MAX_DEPTH, out, &depth, &why), 0);
	assert_int_equal(depth, PAL_MAX_DEPTH);
	memcpy(in + 2 * PAL_MAX_DEPTH, "/a", 2);
	assert_int_equal(pal_path_canon(in, 2 * PAL_MAX_DEPTH + 2, out, &depth, &why), -EINVAL);
	assert_string_equal(why, "more than PAL_MAX_DEPTH (64) components");

	in[0] = '/';
	memset(in + 1, 'n', PAL_NAME_MAX);
	assert_int_equal(pal_path_canon(in, PAL_NAME_MAX + 1, out, &depth, &why), 0);
	in[PAL_NAME_MAX + 1] = 'n';
	assert_int_equal(pal_path_canon(in, PAL_NAME_MAX + 2, out, &depth, &why), -EINVAL);
	assert_string_equal(why, "a component is longer than PAL_NAME_MAX (255 bytes)");

	/* 16 components of 1 + 255 bytes = 4096 bytes: one over PAL_PATH_MAX - 1 */
	for (int i = 0; i < 16; i++) {
		in[256 * i] = '/';
		memset(in + 256 * i + 1, 'p', 255);
	}
	assert_int_equal(pal_path_canon(in, 4096, out, &depth, &why), -EINVAL);
	assert_string_equal(why, "path is longer than PAL_PATH_MAX (4096 bytes)");
	assert_int_equal(pal_path_canon(in, 4095, out, &depth, &why), 0);
	assert_int_equal(strlen(out), 4095);

	/* UTF-8 is fine, broken UTF-8 is not */
	assert_int_equal(pal_path_canon("/caf\xc3\xa9", 6, out, &depth, &why), 0);
	assert_int_equal(pal_path_canon("/caf\xc3", 5, out, &depth, &why), -EINVAL);
	assert_string_equal(why, "path is not valid UTF-8");
	assert_int_equal(pal_path_canon("/a\xed\xa0\x80", 5, out, &depth, &why), -EINVAL);
	assert_string_equal(why, "path is not valid UTF-8");
}

/* ---- warnings ----------------------------------------------------------- */

/* A container target: the IR holds each selector; labels draw a warning. */
static void test_container_target(void **state)
{
	const char *y = H "target:\n"
			  "  cgroups: [/system.slice/web.service]\n"
			  "  containers:\n"
			  "    - namespace: prod\n"
			  "      pod: web-*\n"
			  "      container: nginx\n"
			  "      image: \"docker.io/library/nginx:*\"\n"
			  "      labels: { app: web, tier: \"front*\" }\n"
			  "    - namespace: kube-system\n"
			  "network:\n  - connect: [10.0.0.0/8]\n    action: deny\n";
	const struct pal_ir_container *c;
	struct pal_policy_set *set;
	int rc;

	(void)state;
	set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(set->nerrors, 0);
	assert_int_equal(set->nwarnings, 1);
	expect_diag(&set->diags[0], PAL_SEV_WARNING, 11, 7,
		    "only CRI-O records pod labels: containers of other runtimes never match a "
		    "selector with 'labels'");
	assert_int_equal(set->policies[0].ncgroups, 1);
	assert_int_equal(set->policies[0].ncontainers, 2);
	assert_false(pal_policy_host_wide(&set->policies[0]));
	c = &set->policies[0].containers[0];
	assert_string_equal(c->ns, "prod");
	assert_string_equal(c->pod, "web-*");
	assert_string_equal(c->container, "nginx");
	assert_string_equal(c->image, "docker.io/library/nginx:*");
	assert_int_equal(c->nlabels, 2);
	assert_string_equal(c->label_keys[1], "tier");
	assert_string_equal(c->label_values[1], "front*");
	assert_int_equal(c->loc.line, 7);
	c = &set->policies[0].containers[1];
	assert_string_equal(c->ns, "kube-system");
	assert_null(c->pod);
	assert_null(c->image);
	assert_int_equal(c->nlabels, 0);
	pal_policy_set_free(set);

	/* containers alone: not host-wide */
	y = H "target:\n  containers: [{namespace: prod}]\n"
	      "network:\n  - connect: [10.0.0.0/8]\n    action: deny\n";
	set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(set->ndiags, 0);
	assert_int_equal(set->policies[0].ncgroups, 0);
	assert_false(pal_policy_host_wide(&set->policies[0]));
	pal_policy_set_free(set);
}

static void test_warn_allow_under_allow(void **state)
{
	const char *y = H "default: allow\nfiles:\n  - paths: [/a]\n    access: [read]\n"
			  "    action: allow\n";
	int rc;
	struct pal_policy_set *set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);

	assert_int_equal(rc, 0);
	assert_int_equal(set->nerrors, 0);
	assert_int_equal(set->nwarnings, 1);
	expect_diag(&set->diags[0], PAL_SEV_WARNING, 8, 13,
		    "rule can never take effect: it allows, and the policy's default is already "
		    "'allow' (allow never overrides a deny)");
	pal_policy_set_free(set);

	/* the same rule under default deny is meaningful: no warning */
	y = H "default: deny\nfiles:\n  - paths: [/a]\n    access: [read]\n    action: allow\n";
	set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(set->ndiags, 0);
	pal_policy_set_free(set);
}

static void test_warn_duplicates(void **state)
{
	const char *y = H "files:\n"
			  "  - paths: [/etc/shadow]\n    access: [read]\n    action: deny\n"
			  "  - paths: [\"/etc//shadow/\"]\n    access: [read]\n    action: deny\n"
			  "  - paths: [/etc/shadow]\n    access: [write]\n    action: deny\n"
			  "network:\n"
			  "  - connect: [10.0.0.0/8]\n    action: deny\n"
			  "  - connect: [10.0.0.0/8]\n    action: deny\n"
			  "devices:\n"
			  "  - {type: char, major: 1, minor: 1, access: [read], action: deny}\n"
			  "  - {type: char, major: 1, minor: 1, access: [read], action: deny}\n";
	int rc;
	struct pal_policy_set *set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);

	assert_int_equal(rc, 0);
	assert_int_equal(set->nwarnings, 3);
	expect_diag(&set->diags[0], PAL_SEV_WARNING, 8, 13,
		    "duplicate rule: '/etc/shadow' has the same access and action at line 5, "
		    "column 13");
	expect_diag(&set->diags[1], PAL_SEV_WARNING, 17, 5,
		    "duplicate rule: same as the rule at line 15, column 5");
	expect_diag(&set->diags[2], PAL_SEV_WARNING, 21, 5,
		    "duplicate rule: same as the rule at line 20, column 5");
	pal_policy_set_free(set);
}

/* `connect` is a file word (in `all` too); a socket named without it is warned about. */
static void test_warn_socket_words(void **state)
{
	const char *y =
		H "files:\n"
		  "  - paths: [/run/x/docker.sock]\n    access: [read, write]\n    action: deny\n"
		  "  - paths: [/run/x/y.sock]\n    access: [connect]\n    action: deny\n"
		  "  - paths: [/run/x/z.socket]\n    access: [all]\n    action: deny\n"
		  "  - paths: [/run/x/notify]\n    access: [write]\n    action: deny\n";
	struct pal_policy_set *set;
	int rc;

	(void)state;
	set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(set->policies[0].files[1].access, PAL_ACC_UNIX_CONNECT);
	assert_true(set->policies[0].files[2].access & PAL_ACC_UNIX_CONNECT);
	assert_int_equal(set->nwarnings, 1);
	expect_diag(&set->diags[0], PAL_SEV_WARNING, 5, 13,
		    "'/run/x/docker.sock' is a Unix socket: connecting to it asks for 'connect', "
		    "which this rule does not name. Hint: add connect to its access");
	pal_policy_set_free(set);
}

/* A socket on this host is recognised by what it is, whatever its name. */
static void test_warn_socket_on_host(void **state)
{
	char dir[] = "/tmp/pal-sock-XXXXXX", y[512];
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct pal_policy_set *set;
	int fd, rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/ctl", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	snprintf(y, sizeof(y), H "files:\n  - paths: [%s]\n    access: [write]\n    action: deny\n",
		 a.sun_path);
	set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	close(fd);
	unlink(a.sun_path);
	rmdir(dir);
	assert_int_equal(rc, 0);
	assert_int_equal(set->nwarnings, 1);
	pal_policy_set_free(set);
}

struct tmp {
	char dir[64];
	char file[128];
	char link[128];
	char hard[128];
};

static void tmp_setup(struct tmp *t)
{
	FILE *f;

	snprintf(t->dir, sizeof(t->dir), "/tmp/pal-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->file, sizeof(t->file), "%s/target", t->dir);
	snprintf(t->link, sizeof(t->link), "%s/link", t->dir);
	snprintf(t->hard, sizeof(t->hard), "%s/hard", t->dir);
	f = fopen(t->file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(symlink(t->file, t->link), 0);
}

static void tmp_cleanup(struct tmp *t)
{
	unlink(t->link);
	unlink(t->hard);
	unlink(t->file);
	rmdir(t->dir);
}

static struct pal_policy_set *load_rule_on(const char *path, const char *from, int *rc)
{
	char y[1024];

	snprintf(y, sizeof(y),
		 H "files:\n  - paths: [\"%s\"]\n    access: [read]\n    action: deny\n%s%s%s",
		 path, from ? "    from: [\"" : "", from ? from : "", from ? "\"]\n" : "");
	return load("t.yaml", y, strlen(y), 0, rc);
}

static void test_warn_symlink(void **state)
{
	struct tmp t;
	char msg[512];
	int rc;
	struct pal_policy_set *set;

	tmp_setup(&t);
	set = load_rule_on(t.link, NULL, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(set->ndiags, 1);
	snprintf(msg, sizeof(msg),
		 "'%s' is a symlink to '%s': the kernel sees the target's path, so name the "
		 "target in the rule",
		 t.link, t.file);
	expect_diag(&set->diags[0], PAL_SEV_WARNING, 5, 13, msg);
	pal_policy_set_free(set);

	/* the target itself: no warning */
	set = load_rule_on(t.file, NULL, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(set->ndiags, 0);
	pal_policy_set_free(set);
	tmp_cleanup(&t);
}

static void test_warn_hardlink(void **state)
{
	struct tmp t;
	char msg[512];
	int rc;
	struct pal_policy_set *set;

	tmp_setup(&t);
	assert_int_equal(link(t.file, t.hard), 0);
	set = load_rule_on(t.file, NULL, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(set->ndiags, 1);
	snprintf(msg, sizeof(msg),
		 "'%s' has 2 hard links: the path rule does not cover its other names (the "
		 "identity key does, while this inode exists)",
		 t.file);
	expect_diag(&set->diags[0], PAL_SEV_WARNING, 5, 13, msg);
	pal_policy_set_free(set);

	/* PAL_LOAD_NO_HOST: the host is not consulted */
	{
		char y[512];

		snprintf(y, sizeof(y),
			 H "files:\n  - paths: [\"%s\"]\n    access: [read]\n"
			   "    action: deny\n",
			 t.file);
		set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(set->ndiags, 0);
		pal_policy_set_free(set);
	}
	tmp_cleanup(&t);
}

static void test_warn_missing_exe(void **state)
{
	struct tmp t;
	char exe[160], msg[512];
	int rc;
	struct pal_policy_set *set;

	tmp_setup(&t);
	snprintf(exe, sizeof(exe), "%s/no-such-exe", t.dir);
	set = load_rule_on(t.file, exe, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(set->ndiags, 1);
	snprintf(msg, sizeof(msg),
		 "executable '%s' does not exist on this host: the rule cannot match it until it "
		 "exists and policies are reloaded",
		 exe);
	expect_diag(&set->diags[0], PAL_SEV_WARNING, 8, 12, msg);
	pal_policy_set_free(set);
	tmp_cleanup(&t);
}

/* ---- a valid policy: the IR holds exactly what the file says ------------ */

static const char *issue_example = "apiVersion: palisade/v1\n"
				   "kind: Policy\n"
				   "name: protect-secrets\n"
				   "description: free text\n"
				   "mode: audit\n"
				   "target:\n"
				   "  cgroups:\n"
				   "    - /system.slice/nginx.service\n"
				   "    - /system.slice/docker-*.scope\n"
				   "default: deny\n"
				   "files:\n"
				   "  - paths: [/etc/shadow, /etc/gshadow]\n"
				   "    access: [read, write]\n"
				   "    action: deny\n"
				   "  - dirs: [/var/lib/secrets/]\n"
				   "    access: [all]\n"
				   "    action: audit\n"
				   "    from: [/usr/sbin/nginx]\n"
				   "exec:\n"
				   "  - paths: [/usr/bin/nc]\n"
				   "    action: deny\n"
				   "network:\n"
				   "  - connect: [10.0.0.0/8, \"fd00::/8\"]\n"
				   "    ports: [22, \"8000-8999\"]\n"
				   "    protocols: [udp]\n"
				   "    action: deny\n"
				   "  - bind: { ports: [\"1-1023\"] }\n"
				   "    action: deny\n"
				   "  - socket: { family: inet, type: raw }\n"
				   "    action: deny\n"
				   "devices:\n"
				   "  - type: char\n"
				   "    major: 10\n"
				   "    minor: '*'\n"
				   "    access: [read, mknod]\n"
				   "    action: deny\n";

static void test_valid_ir(void **state)
{
	int rc;
	struct pal_policy_set *set =
		load("ex.yaml", issue_example, strlen(issue_example), PAL_LOAD_NO_HOST, &rc);
	const struct pal_ir_policy *p;
	static const __u8 v4[16] = {[10] = 0xff, [11] = 0xff, [12] = 10};
	static const __u8 v6[16] = {0xfd};

	assert_int_equal(rc, 0);
	assert_int_equal(set->ndiags, 0);
	assert_int_equal(set->npolicies, 1);
	p = &set->policies[0];
	assert_string_equal(p->name, "protect-secrets");
	assert_string_equal(p->description, "free text");
	assert_int_equal(p->loc.line, 3);
	assert_int_equal(p->loc.col, 7);
	assert_int_equal(p->mode, PAL_MODE_AUDIT);
	assert_int_equal(p->default_action, PAL_ACT_DENY);
	for (int c = 0; c < PAL_CLASSES; c++)
		assert_int_equal(p->defaults[c], PAL_ACT_DENY);
	assert_int_equal(p->ncgroups, 2);
	assert_string_equal(p->cgroups[1], "/system.slice/docker-*.scope");
	assert_int_equal(p->nrules, 7);
	assert_int_equal(p->rules[2].class, PAL_CLASS_EXEC);
	assert_int_equal(p->rules[2].loc.line, 20);
	assert_int_equal(p->rules[2].loc.col, 5);
	assert_int_equal(p->rules[6].class, PAL_CLASS_DEV);

	assert_int_equal(p->nfiles, 4);
	assert_string_equal(p->files[1].path, "/etc/gshadow");
	assert_int_equal(p->files[1].access, PAL_ACC_READ | PAL_ACC_WRITE);
	assert_int_equal(p->files[1].kind, PAL_KEY_EXACT);
	assert_int_equal(p->files[1].rule, 0);
	assert_string_equal(p->files[2].path, "/var/lib/secrets");
	assert_int_equal(p->files[2].depth, 3);
	assert_int_equal(p->files[2].kind, PAL_KEY_DIR);
	assert_int_equal(p->files[2].access, PAL_ACC_FILE_ALL);
	assert_int_equal(p->files[2].action, PAL_ACT_AUDIT);
	assert_int_equal(p->files[2].nfrom, 1);
	assert_string_equal(p->files[2].from[0], "/usr/sbin/nginx");
	assert_int_equal(p->files[3].class, PAL_CLASS_EXEC);
	assert_int_equal(p->files[3].access, PAL_ACC_EXEC);
	assert_int_equal(p->files[3].rule, 2);

	assert_int_equal(p->nnet, 3);
	assert_int_equal(p->net[0].op, PAL_NET_CONNECT);
	assert_int_equal(p->net[0].ncidrs, 2);
	assert_memory_equal(p->net[0].cidrs[0].addr, v4, 16);
	assert_int_equal(p->net[0].cidrs[0].prefix, 8 + 96);
	assert_memory_equal(p->net[0].cidrs[1].addr, v6, 16);
	assert_int_equal(p->net[0].cidrs[1].prefix, 8);
	assert_int_equal(p->net[0].nports, 2);
	assert_int_equal(p->net[0].ports[0].lo, 22);
	assert_int_equal(p->net[0].ports[0].hi, 22);
	assert_int_equal(p->net[0].ports[1].lo, 8000);
	assert_int_equal(p->net[0].ports[1].hi, 8999);
	assert_int_equal(p->net[0].protocols, PAL_PROTO_UDP);
	assert_int_equal(p->net[1].op, PAL_NET_BIND);
	assert_int_equal(p->net[1].ncidrs, 0);
	assert_int_equal(p->net[1].protocols, PAL_PROTO_ALL);
	assert_int_equal(p->net[1].ports[0].hi, 1023);
	assert_int_equal(p->net[2].op, PAL_NET_SOCKET);
	assert_int_equal(p->net[2].family, AF_INET);
	assert_int_equal(p->net[2].type, SOCK_RAW);
	assert_int_equal(p->net[2].protocol, PAL_SOCK_ANY);
	assert_int_equal(p->net[2].rule, 5);

	assert_int_equal(p->ndev, 1);
	assert_int_equal(p->dev[0].type, 'c');
	assert_int_equal(p->dev[0].major, 10);
	assert_int_equal(p->dev[0].minor, PAL_DEV_ANY);
	assert_int_equal(p->dev[0].access, PAL_ACC_DEV_READ | PAL_ACC_DEV_MKNOD);
	assert_int_equal(p->dev[0].action, PAL_ACT_DENY);
	pal_policy_set_free(set);
}

/* Classes a policy does not list keep PAL_ACT_NONE; default is allow if absent. */
static void test_defaults_per_class(void **state)
{
	const char *y = H "exec:\n  - paths: [/bin/x]\n    action: deny\n";
	int rc;
	struct pal_policy_set *set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	const struct pal_ir_policy *p = &set->policies[0];

	assert_int_equal(rc, 0);
	assert_int_equal(p->mode, PAL_MODE_ENFORCE);
	assert_int_equal(p->default_action, PAL_ACT_ALLOW);
	assert_int_equal(p->defaults[PAL_CLASS_FILE], PAL_ACT_NONE);
	assert_int_equal(p->defaults[PAL_CLASS_EXEC], PAL_ACT_ALLOW);
	assert_int_equal(p->defaults[PAL_CLASS_NET], PAL_ACT_NONE);
	assert_int_equal(p->defaults[PAL_CLASS_DEV], PAL_ACT_NONE);
	assert_int_equal(p->ncgroups, 0);
	pal_policy_set_free(set);
}

/* paths x from is bounded before anything is emitted */
static void test_limit_from_product(void **state)
{
	char *y = malloc(1000 * 8 + 600 * 8 + 512), *w = y;
	int rc;
	struct pal_policy_set *set;

	w += sprintf(w, H "files:\n  - paths: [");
	for (int i = 0; i < 1000; i++)
		w += sprintf(w, "%s/p%d", i ? "," : "", i);
	w += sprintf(w, "]\n    access: [read]\n    action: deny\n    from: [");
	for (int i = 0; i < 600; i++)
		w += sprintf(w, "%s/x%d", i ? "," : "", i);
	sprintf(w, "]\n");
	set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(set->ndiags, 1);
	expect_diag(&set->diags[0], PAL_SEV_ERROR, 8, 5,
		    "the policies need more than PAL_MAX_FILE_KEYS / PAL_GENS (524288) file map "
		    "entries (one per path, times the executables in 'from')");
	assert_int_equal(set->policies[0].nfiles, 0);
	pal_policy_set_free(set);
	free(y);
}

/* A 4 MiB one-line file full of duplicates: warnings and their lines are bounded. */
static void test_warnings_bounded(void **state)
{
	const unsigned int n = 60000;
	char *y = malloc(n * 3 + 256), *w = y, *s;
	int rc;
	struct pal_policy_set *set;
	const struct pal_diag *last;
	int nl = 0;

	w += sprintf(w, H "files: [{access: [read], action: deny, paths: [/a");
	for (unsigned int i = 1; i < n; i++)
		w += sprintf(w, ",/a");
	sprintf(w, "]}]\n");
	set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(set->nwarnings, PAL_POLICY_MAX_WARNINGS + 1);
	last = &set->diags[set->ndiags - 1];
	assert_string_equal(last->message,
			    "too many warnings (over PAL_POLICY_MAX_WARNINGS = 1000); not showing "
			    "more");
	assert_int_equal(strlen(last->source_line), PAL_DIAG_LINE_MAX);
	/* header and source line only: the column is past the kept part, no caret */
	s = pal_diag_format(last);
	for (const char *c = s; *c; c++)
		nl += *c == '\n';
	assert_int_equal(nl, 2);
	free(s);
	pal_policy_set_free(set);
	free(y);
}

/* Distinct from: executables are bounded set-wide, located at the one too many */
static void test_limit_exes(void **state)
{
	const unsigned int n = PAL_MAX_EXES / PAL_GENS + 1;
	char *y = malloc(n * 12 + 256), *w = y, *line, *last = y;
	int rc;
	struct pal_policy_set *set;

	w += sprintf(w, H "files:\n  - paths: [/a]\n    access: [read]\n    action: deny\n");
	line = w;
	w += sprintf(w, "    from: [");
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			*w++ = ',';
		last = w;
		w += sprintf(w, "/x/%u", i);
	}
	sprintf(w, "]\n");
	set = load("t.yaml", y, strlen(y), PAL_LOAD_NO_HOST, &rc);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(set->ndiags, 1);
	expect_diag(&set->diags[0], PAL_SEV_ERROR, 8, (unsigned int)(last - line) + 1,
		    "more than PAL_MAX_EXES / PAL_GENS (2048) distinct 'from' executables");
	pal_policy_set_free(set);
	free(y);
}

static void test_io_errors(void **state)
{
	struct pal_policy_set *set = NULL;
	const char *paths[] = {"/nonexistent/palisade/x.yaml"};
	int rc = pal_policy_load(&set, paths, 1, NULL);

	assert_int_equal(rc, -ENOENT);
	assert_null(set);
}

/* ---- hostile policy files: FIFOs, symlinks out, files others can change -- */

static const char good_policy[] = "apiVersion: palisade/v1\nkind: Policy\nname: %s\n"
				  "files:\n  - paths: [/etc/shadow]\n    access: [read]\n"
				  "    action: deny\n";

static void write_policy(const char *dir, const char *file, const char *name, mode_t mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, good_policy, name);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* The diagnostic of file NAME in set, which must be the only one for it. */
static const char *diag_of(const struct pal_policy_set *set, const char *name)
{
	const char *found = NULL;

	for (size_t i = 0; i < set->ndiags; i++) {
		const char *f = strrchr(set->diags[i].file, '/');

		if (f && !strcmp(f + 1, name)) {
			assert_null(found);
			found = set->diags[i].message;
		}
	}
	return found;
}

static bool has_policy(const struct pal_policy_set *set, const char *name)
{
	for (size_t i = 0; i < set->npolicies; i++)
		if (!strcmp(set->policies[i].name, name))
			return true;
	return false;
}

/*
 * A FIFO named x.yaml is refused at once (it would block a reader forever),
 * a symlink out of the directory is refused, one within it (kubelet's
 * ConfigMap layout) is read; with PAL_LOAD_TRUSTED (the agent) a file that
 * group or others may write, or that root does not own, is refused with a
 * hint. Each refusal names its file; the good files still load.
 */
static void test_hostile_policy_files(void **state)
{
	struct pal_load_opts o = {.flags = PAL_LOAD_NO_HOST | PAL_LOAD_TRUSTED};
	char dir[] = "/tmp/pal-input-XXXXXX", out[64], sub[64], path[1024];
	struct pal_policy_set *set = NULL;
	const char *paths[1] = {dir};
	int rc;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/d", dir);
	snprintf(out, sizeof(out), "%s/outside.yaml", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	paths[0] = sub;
	write_policy(dir, "outside.yaml", "outside", 0644);
	write_policy(sub, "good.yaml", "good", 0644);
	write_policy(sub, "..data.yaml.real", "", 0644); /* not a policy name: skipped */
	write_policy(sub, "writable.yaml", "writable", 0666);
	snprintf(path, sizeof(path), "%s/fifo.yaml", sub);
	assert_int_equal(mkfifo(path, 0644), 0);
	snprintf(path, sizeof(path), "%s/escape.yaml", sub);
	assert_int_equal(symlink(out, path), 0);
	snprintf(path, sizeof(path), "%s/inside.yml", sub);
	assert_int_equal(symlink("good2.conf", path), 0);
	write_policy(sub, "good2.conf", "inside", 0644);
	if (geteuid() == 0) {
		write_policy(sub, "foreign.yaml", "foreign", 0644);
		snprintf(path, sizeof(path), "%s/foreign.yaml", sub);
		assert_int_equal(chown(path, 65534, 65534), 0);
	}

	alarm(10); /* a blocking open of the FIFO would hang here */
	rc = pal_policy_load(&set, paths, 1, &o);
	alarm(0);
	assert_int_equal(rc, -EINVAL);
	assert_non_null(set);
	assert_string_equal(diag_of(set, "fifo.yaml"),
			    "refusing it: a FIFO, not a regular file. Hint: remove it or give it "
			    "another extension than .yaml/.yml");
	assert_string_equal(diag_of(set, "escape.yaml"),
			    "refusing it: a symlink that leads outside its directory (the agent "
			    "reads policy only from regular files in its directory)");
	snprintf(path, sizeof(path),
		 "refusing it: it is group- or world-writable (mode 0666, uid 0); only root may "
		 "be able to change policy. Hint: chown root '%s/writable.yaml' && chmod go-w "
		 "'%s/writable.yaml'",
		 sub, sub);
	if (geteuid() == 0)
		assert_string_equal(diag_of(set, "writable.yaml"), path);
	else
		assert_non_null(strstr(diag_of(set, "writable.yaml"), "not owned by root"));
	if (geteuid() == 0)
		assert_non_null(
			strstr(diag_of(set, "foreign.yaml"),
			       "refusing it: it is not owned by root (mode 0644, uid 65534)"));
	assert_true(has_policy(set, "good"));
	assert_true(has_policy(set, "inside"));
	assert_false(has_policy(set, "outside"));
	assert_false(has_policy(set, "writable"));
	assert_false(has_policy(set, "foreign"));
	pal_policy_set_free(set);

	/* Without PAL_LOAD_TRUSTED (palisade check): ownership is not judged, but a
	 * FIFO or a symlink out of the directory is still refused. */
	o.flags = PAL_LOAD_NO_HOST;
	rc = pal_policy_load(&set, paths, 1, &o);
	assert_int_equal(rc, -EINVAL);
	assert_null(diag_of(set, "writable.yaml"));
	assert_non_null(diag_of(set, "fifo.yaml"));
	assert_non_null(diag_of(set, "escape.yaml"));
	assert_true(has_policy(set, "writable"));
	pal_policy_set_free(set);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	static const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_hostile_policy_files),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_tab_caret),
		cmocka_unit_test(test_callback_order),
		cmocka_unit_test(test_duplicate_name_across_files),
		cmocka_unit_test(test_limit_policies),
		cmocka_unit_test(test_limit_rules),
		cmocka_unit_test(test_limit_file_size),
		cmocka_unit_test(test_too_many_errors),
		cmocka_unit_test(test_path_boundaries),
		cmocka_unit_test(test_container_target),
		cmocka_unit_test(test_warn_allow_under_allow),
		cmocka_unit_test(test_warn_duplicates),
		cmocka_unit_test(test_warn_symlink),
		cmocka_unit_test(test_warn_hardlink),
		cmocka_unit_test(test_warn_missing_exe),
		cmocka_unit_test(test_valid_ir),
		cmocka_unit_test(test_defaults_per_class),
		cmocka_unit_test(test_limit_from_product),
		cmocka_unit_test(test_warnings_bounded),
		cmocka_unit_test(test_limit_exes),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_warn_socket_words),
		cmocka_unit_test(test_warn_socket_on_host),
	};
	struct CMUnitTest *t = calloc(NBAD, sizeof(*t));
	int failed;

	if (NBAD < 60) {
		fprintf(stderr, "only %zu bad-input cases\n", NBAD);
		return 1;
	}
	for (size_t i = 0; i < NBAD; i++) {
		t[i].name = bad_cases[i].name;
		t[i].test_func = test_bad;
		t[i].initial_state = (void *)&bad_cases[i];
	}
	failed = _cmocka_run_group_tests("policy_bad_inputs", t, NBAD, NULL, NULL);
	failed += cmocka_run_group_tests_name("policy_diagnostics", extra, NULL, NULL);
	free(t);
	return failed ? 1 : 0;
}
