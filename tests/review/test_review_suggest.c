// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: `palisade suggest` gathering, collapsing and the YAML it writes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "review/review_suggest.h"
#include "tests/review/review_test.h"

static struct rv_parser *tok;

/* One audit record; extra is the rest of the JSON object. */
static void add(struct rv_suggest *s, const char *event, const char *extra)
{
	char line[1024];
	struct rv_rec r;
	enum rv_bad why;

	snprintf(line, sizeof(line),
		 "{\"v\":1,\"time\":\"2026-11-22T10:00:00Z\",\"event\":\"%s\",\"action\":\"audit\","
		 "\"mode\":\"audit\",\"policy\":\"app\",\"cgroup\":\"/app.slice/app.service\",%s}",
		 event, extra);
	assert_int_equal(rv_rec_parse(tok, line, strlen(line), false, &r, &why), 0);
	assert_int_equal(rv_suggest_add(s, &r), 0);
}

static void file(struct rv_suggest *s, const char *path, const char *access)
{
	char extra[512];

	snprintf(extra, sizeof(extra), "\"op\":\"open\",\"path\":\"%s\",\"access\":[%s]", path,
		 access);
	add(s, "file", extra);
}

static char *yaml(struct rv_suggest *s, const char *cgroup)
{
	const char *cg[1] = {cgroup};
	struct rv_suggest_opts o = {.name = "app-suggested",
				    .policy = "app",
				    .cgroups = cgroup ? cg : NULL,
				    .ncgroups = cgroup ? 1 : 0};
	struct rv_buf b = {0};

	assert_int_equal(rv_suggest_yaml(s, &o, &b), 0);
	return b.p;
}

static const char want_full[] =
	"# Suggested by 'palisade suggest' from 22 audit records of policy 'app',\n"
	"# 2026-11-22T10:00:00Z to 2026-11-22T10:00:00Z.\n"
	"# Every rule allows what the workload was seen doing: review it, then\n"
	"# run the workload in audit mode with it before enforcing.\n"
	"# Directories with 3 or more accessed entries are collapsed into dirs: rules.\n"
	"apiVersion: palisade/v1\n"
	"kind: Policy\n"
	"name: app-suggested\n"
	"description: allow-list suggested from observed behaviour\n"
	"mode: enforce\n"
	"target:\n"
	"  cgroups: # as observed\n"
	"    - /app.slice/app.service\n"
	"default: deny # for the rule classes below only\n"
	"files:\n"
	"  # 4 paths, 4 accesses\n"
	"  - paths:\n"
	"      - /etc/hosts # 1\n"
	"      - /etc/passwd # 1\n"
	"      - /etc/resolv.conf # 1\n"
	"      - \"/srv/x y/#z\" # 1\n"
	"    access: [read]\n"
	"    action: allow\n"
	"  # 1 path, 2 accesses\n"
	"  - paths:\n"
	"      - /var/log/app.log # 2\n"
	"    access: [write, append]\n"
	"    action: allow\n"
	"  # 1 directory, 4 accesses\n"
	"  - dirs:\n"
	"      - /srv/app # 4 accesses to 4 paths below (collapsed: 4 >= 3)\n"
	"    access: [read, mmap-exec]\n"
	"    action: allow\n"
	"exec:\n"
	"  - paths:\n"
	"      - /usr/bin/app # 1\n"
	"    action: allow\n"
	"network:\n"
	"  - connect:\n"
	"      - \"10.0.0.5/32\" # 1\n"
	"      - \"10.0.0.6/32\" # 2\n"
	"    ports: [5432]\n"
	"    protocols: [tcp]\n"
	"    action: allow\n"
	"  - connect:\n"
	"      - \"192.168.1.1/32\" # 1\n"
	"    ports: [443]\n"
	"    protocols: [tcp]\n"
	"    action: allow\n"
	"  - connect:\n"
	"      - \"fd00::1/128\" # 1\n"
	"    ports: [53]\n"
	"    protocols: [udp]\n"
	"    action: allow\n"
	"  # 4 binds\n"
	"  - bind: { ports: [\"8080-8082\", 9000] }\n"
	"    action: allow\n"
	"  # 1 socket\n"
	"  - socket: { family: packet }\n"
	"    action: allow\n"
	"devices:\n"
	"  # 1 access\n"
	"  - type: char\n"
	"    major: 1\n"
	"    minor: 3\n"
	"    access: [read, write]\n"
	"    action: allow\n"
	"# 2 records gave no rule:\n"
	"#   1 record skipped: '.' or '..' in the path (first: 2026-11-22T10:00:00Z file "
	"/srv/../etc/shadow)\n"
	"#   1 record skipped: the path could not be resolved (no rule can allow it) (first: "
	"2026-11-22T10:00:00Z file /deep)\n";

static void test_full(void **state)
{
	struct rv_suggest s;
	char *y;

	assert_int_equal(rv_suggest_init(&s, 3), 0);
	file(&s, "/srv/app/a.txt", "\"read\"");
	file(&s, "/srv/app/b.txt", "\"read\"");
	file(&s, "/srv/app/lib/x.so", "\"mmap-exec\"");
	file(&s, "/srv/app/c.txt", "\"read\"");
	file(&s, "/etc/hosts", "\"read\"");
	file(&s, "/etc/resolv.conf", "\"read\"");
	file(&s, "/etc/passwd", "\"read\"");
	file(&s, "/var/log/app.log", "\"write\",\"append\"");
	file(&s, "/var/log//app.log/", "\"append\""); /* same path, canonicalised */
	file(&s, "/srv/x y/#z", "\"read\"");
	file(&s, "/srv/../etc/shadow", "\"read\"");
	add(&s, "file",
	    "\"op\":\"open\",\"path\":\"/deep\",\"unresolved\":true,\"access\":[\"read\"]");
	add(&s, "exec", "\"op\":\"exec\",\"path\":\"/usr/bin/app\",\"access\":[\"exec\"]");
	add(&s, "network",
	    "\"op\":\"connect\",\"protocol\":\"tcp\",\"daddr\":\"10.0.0.6\",\"dport\":5432");
	add(&s, "network",
	    "\"op\":\"connect\",\"protocol\":\"tcp\",\"daddr\":\"10.0.0.6\",\"dport\":5432");
	add(&s, "network",
	    "\"op\":\"connect\",\"protocol\":\"tcp\",\"daddr\":\"10.0.0.5\",\"dport\":5432");
	add(&s, "network",
	    "\"op\":\"connect\",\"protocol\":\"tcp\",\"daddr\":\"::ffff:192.168.1.1\",\"dport\":443");
	add(&s, "network",
	    "\"op\":\"sendmsg\",\"protocol\":\"udp\",\"daddr\":\"fd00::1\",\"dport\":53");
	for (int p = 8080; p <= 8082; p++) {
		char extra[128];

		snprintf(extra, sizeof(extra), "\"op\":\"bind\",\"protocol\":\"tcp\",\"dport\":%d",
			 p);
		add(&s, "network", extra);
	}
	add(&s, "network", "\"op\":\"bind\",\"protocol\":\"tcp\",\"dport\":9000");
	add(&s, "network", "\"op\":\"socket\",\"family\":\"packet\",\"protocol\":\"0\"");
	add(&s, "device",
	    "\"op\":\"device\",\"dev_type\":\"char\",\"major\":1,\"minor\":3,"
	    "\"access\":[\"read\",\"write\"]");
	add(&s, "lost", "\"count\":5"); /* nothing to allow: not counted */
	y = yaml(&s, NULL);
	if (strcmp(y, want_full)) {
		FILE *f = fopen("suggest-got.yaml", "w");

		fputs(y, f);
		fclose(f);
		fail_msg("YAML differs: see suggest-got.yaml");
	}
	free(y);
	rv_suggest_free(&s);
}

/* Collapse needs N entries in one directory, never at "/" or one level below. */
static void test_collapse(void **state)
{
	struct rv_suggest s;
	char *y;

	assert_int_equal(rv_suggest_init(&s, 3), 0);
	file(&s, "/opt/app/a", "\"read\"");
	file(&s, "/opt/app/b", "\"read\"");
	file(&s, "/opt/c", "\"read\"");
	file(&s, "/opt/d", "\"read\"");
	file(&s, "/x", "\"read\"");
	file(&s, "/y", "\"read\"");
	file(&s, "/z", "\"read\"");
	y = yaml(&s, "/app.slice/**");
	assert_null(strstr(y, "  - dirs:")); /* /opt/app has 2; /opt has 3 but is top level */
	assert_non_null(strstr(y, "      - /opt/app/a # 1\n      - /opt/app/b # 1\n"));
	assert_non_null(strstr(y, "target:\n  cgroups:\n    - \"/app.slice/**\"\n"));
	free(y);
	file(&s, "/opt/app/c", "\"read\"");
	y = yaml(&s, NULL);
	assert_non_null(strstr(y, "  - dirs:\n      - /opt/app # 3 accesses to 3 paths below"));
	assert_null(strstr(y, "/opt/app/a"));
	free(y);
	rv_suggest_free(&s);

	assert_int_equal(rv_suggest_init(&s, 0), 0); /* 0: never collapse */
	for (int i = 0; i < 10; i++) {
		char p[32];

		snprintf(p, sizeof(p), "/opt/app/f%d", i);
		file(&s, p, "\"read\"");
	}
	y = yaml(&s, NULL);
	assert_null(strstr(y, "  - dirs:"));
	assert_non_null(strstr(y, "# 10 paths, 10 accesses\n"));
	assert_null(strstr(y, "collapsed into dirs"));
	free(y);
	rv_suggest_free(&s);
}

static int ctr_yaml(struct rv_suggest *s, const char *ns, const char *pod, char **out)
{
	struct rv_suggest_opts o = {.name = "ctr", .container = "nginx", .pod = pod, .ns = ns};
	struct rv_buf b = {0};
	int err = rv_suggest_yaml(s, &o, &b);

	*out = b.p;
	return err;
}

#define NGINX "\"op\":\"open\",\"access\":[\"read\"],\"container\":\"nginx\","

/*
 * target.containers: one selector per namespace seen, or the one given; a
 * namespace in the records that is not a Kubernetes name (a '*' would select
 * every namespace) is refused rather than written.
 */
static void test_container_target(void **state)
{
	struct rv_suggest s;
	char *y;

	assert_int_equal(rv_suggest_init(&s, 5), 0);
	add(&s, "file", NGINX "\"namespace\":\"prod\",\"path\":\"/etc/a\"");
	add(&s, "file", NGINX "\"namespace\":\"stage\",\"path\":\"/etc/b\"");
	add(&s, "file", NGINX "\"namespace\":\"prod\",\"path\":\"/etc/c\"");
	assert_int_equal(ctr_yaml(&s, NULL, NULL, &y), 0);
	assert_non_null(strstr(y, "mode: enforce\ntarget:\n  containers: # namespaces as observed\n"
				  "    - namespace: prod\n      container: nginx\n"
				  "    - namespace: stage\n      container: nginx\ndefault: deny"));
	assert_null(strstr(y, "cgroups"));
	free(y);
	assert_int_equal(ctr_yaml(&s, "prod", "web-*", &y), 0);
	assert_non_null(strstr(y, "target:\n  containers:\n    - namespace: prod\n"
				  "      pod: \"web-*\"\n      container: nginx\ndefault: deny"));
	free(y);
	/* a record without a namespace: the selector can name none */
	add(&s, "file", NGINX "\"path\":\"/etc/d\"");
	assert_int_equal(ctr_yaml(&s, NULL, NULL, &y), 0);
	assert_non_null(strstr(y, "target:\n  containers: # the records name no namespace\n"
				  "    - container: nginx\ndefault: deny"));
	free(y);
	/* a hostile namespace: no selector at all, unless --namespace is given */
	add(&s, "file", NGINX "\"namespace\":\"*\",\"path\":\"/etc/e\"");
	assert_int_equal(ctr_yaml(&s, NULL, NULL, &y), -EDOM);
	free(y);
	assert_int_equal(ctr_yaml(&s, "prod", NULL, &y), 0);
	assert_non_null(strstr(y, "    - namespace: prod\n      container: nginx\ndefault: deny"));
	free(y);
	rv_suggest_free(&s);
}

/* Names no policy path can hold (C1 controls, bytes that are not UTF-8) give no rule. */
static void test_unnameable_paths(void **state)
{
	struct rv_suggest s;

	assert_int_equal(rv_suggest_init(&s, 5), 0);
	file(&s, "/srv/e\\u0085f", "\"read\"");
	file(&s, "/srv/g\\u007fh", "\"read\"");
	add(&s, "file",
	    "\"op\":\"open\",\"path\":\"/srv/ff\\ufffd\",\"path_hex\":\"2f7372762f6666ff\","
	    "\"access\":[\"read\"]");
	add(&s, "exec",
	    "\"op\":\"exec\",\"path\":\"/bin/\\ufffd\",\"path_hex\":\"2f62696e2fff\","
	    "\"access\":[\"exec\"]");
	assert_int_equal(s.records, 0);
	assert_int_equal(s.skipped, 4);
	rv_suggest_free(&s);
}

/* Skipped records are grouped by reason, with the first of each as the example. */
static void test_skip_groups(void **state)
{
	struct rv_suggest s;
	char *y;

	assert_int_equal(rv_suggest_init(&s, 5), 0);
	file(&s, "/etc/hosts", "\"read\"");
	for (int i = 0; i < 151; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/tmp/f%d\\u0001", i);
		file(&s, p, "\"read\"");
	}
	file(&s, "/srv/a (deleted)", "\"read\"");
	file(&s, "/srv/b (deleted)", "\"read\"");
	y = yaml(&s, NULL);
	assert_non_null(strstr(y, "# 153 records gave no rule:\n"
				  "#   151 records skipped: control characters in the path (first: "
				  "2026-11-22T10:00:00Z file /tmp/f0?)\n"
				  "#   2 records skipped: the file was deleted (first: "
				  "2026-11-22T10:00:00Z file /srv/a (deleted))\n"));
	assert_null(strstr(y, "/tmp/f1?")); /* one example per reason, not one line per record */
	free(y);
	rv_suggest_free(&s);
}

/* Mount and cgroup-move records say why no files: rule can allow them. */
static void test_skip_mounts_and_moves(void **state)
{
	struct rv_suggest s;
	char *y;

	assert_int_equal(rv_suggest_init(&s, 5), 0);
	file(&s, "/etc/hosts", "\"read\"");
	add(&s, "file",
	    "\"op\":\"mount\",\"path\":\"/mnt\",\"path2\":\"/srv\",\"access\":[\"mount\"]");
	add(&s, "file",
	    "\"op\":\"cgroup_move\",\"path\":\"/sys/fs/cgroup/x/cgroup.procs\","
	    "\"access\":[\"cgroup-move\"]");
	y = yaml(&s, NULL);
	assert_non_null(strstr(y, "#   1 record skipped: a mount (no files: rule allows it; the "
				  "policy key 'mounts: allow' or 'mounts: audit' does"));
	assert_non_null(strstr(y, "#   1 record skipped: a move to another cgroup (no policy "
				  "allows it for a confined task)"));
	assert_null(strstr(y, "mount]")); /* no rule with the word */
	assert_null(strstr(y, "cgroup-move]"));
	free(y);
	rv_suggest_free(&s);
	(void)state;
}

/*
 * /proc/<pid>/... names another pid in the next run, and /proc/self/... never
 * matches (the kernel sees the resolved /proc/<pid>): such paths become one
 * dirs: /proc rule, with their forms in a comment. Other /proc paths stay.
 */
static void test_proc_paths(void **state)
{
	struct rv_suggest s;
	char *y;

	assert_int_equal(rv_suggest_init(&s, 2), 0);
	file(&s, "/proc/4242/status", "\"read\"");
	file(&s, "/proc/4243/status", "\"read\"");
	file(&s, "/proc/4242/task/4244/comm", "\"write\"");
	file(&s, "/proc/17", "\"read\"");
	file(&s, "/proc/meminfo", "\"read\"");
	file(&s, "/proc/12ab/x", "\"read\""); /* not a pid */
	file(&s, "/proc/sys/net/core/somaxconn", "\"read\"");
	add(&s, "exec", "\"op\":\"exec\",\"path\":\"/proc/4242/exe\",\"access\":[\"exec\"]");
	y = yaml(&s, NULL);
	assert_non_null(strstr(y, "  # 4 accesses to per-process paths:\n"
				  "  #   /proc/<pid>\n"
				  "  #   /proc/<pid>/status\n"
				  "  #   /proc/<pid>/task/<pid>/comm\n"));
	assert_non_null(strstr(y, "  - dirs:\n      - /proc # 4 accesses\n"
				  "    access: [read, write]\n    action: allow\n"));
	assert_non_null(strstr(y, "      - /proc/12ab/x # 1\n      - /proc/meminfo # 1\n"
				  "      - /proc/sys/net/core/somaxconn # 1\n"));
	assert_null(strstr(y, "- /proc/4242")); /* no rule names a pid */
	assert_null(strstr(y, "- /proc/self"));
	assert_null(strstr(y, "exec:")); /* the only exec was per-process: skipped */
	assert_non_null(strstr(y,
			       "#   1 record skipped: a per-process path (/proc/<pid>/...) as an "
			       "executable"));
	free(y);
	rv_suggest_free(&s);
}

static void test_empty_and_names(void **state)
{
	struct rv_suggest s;
	struct rv_suggest_opts o = {.name = "x"};
	struct rv_buf b = {0};

	assert_int_equal(rv_suggest_init(&s, 5), 0);
	assert_int_equal(rv_suggest_yaml(&s, &o, &b), -ENODATA);
	add(&s, "file", "\"op\":\"open\",\"path\":\"relative\",\"access\":[\"read\"]");
	assert_int_equal(rv_suggest_yaml(&s, &o, &b), -ENODATA); /* only a skipped record */
	assert_int_equal(s.skipped, 1);
	rv_suggest_free(&s);
	rv_buf_free(&b);

	assert_true(rv_suggest_name_ok("web-suggested"));
	assert_true(rv_suggest_name_ok("a"));
	assert_false(rv_suggest_name_ok(""));
	assert_false(rv_suggest_name_ok("Web"));
	assert_false(rv_suggest_name_ok("web_1"));
	assert_false(rv_suggest_name_ok(
		"a123456789012345678901234567890123456789012345678901234567890123"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_collapse),
		cmocka_unit_test(test_empty_and_names),
		cmocka_unit_test(test_container_target),
		cmocka_unit_test(test_unnameable_paths),
		cmocka_unit_test(test_skip_groups),
		cmocka_unit_test(test_skip_mounts_and_moves),
		cmocka_unit_test(test_proc_paths),
	};
	int r;

	tok = new_parser();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	rv_parser_free(tok);
	return r;
}
