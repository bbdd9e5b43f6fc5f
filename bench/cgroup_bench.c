// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of the cgroup programs (not a test): the cost of connect() on a
 * loopback UDP socket in a cgroup whose policy has 0, 10 or 100,000 CIDR
 * rules, measured in interleaved rounds, and the mkdir-to-classified latency
 * of a new cgroup matching a glob. Needs root; works in a cgroup tree it
 * creates and removes. Rules are /32s spread over 127.0.0.0/8 so the looked
 * up address walks the dense part of the trie; the only traffic is connect()
 * on UDP to 127.0.0.1 (which sends no packet).
 * Usage: cgroup_bench [ROUNDS [CONNECTS]]
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <sys/wait.h>

#include "tests/cgroup/helper.h"

#define NCONF 4
static const int conf_rules[NCONF] = {-1, 0, 10, 100000}; /* -1: no policy at all */
static struct tenv T;

struct rules {
	struct pal_ir_rule rule[2];
	struct pal_ir_net net[2];
	struct pal_ir_cidr *cidrs;
	struct pal_ir_ports deny_port;
	struct pal_ir_policy pol;
	const char *target;
	struct pal_policy_set set;
};

/*
 * n CIDR rules: n - 1 /32 denies of port 9 spread over 127/8 and one allow of
 * 127.0.0.1/32; 0: a bind rule only (programs attached, no connect rule);
 * -1: no policy (nothing attached).
 */
static int build(struct rules *r, int n, const char *target)
{
	memset(r, 0, sizeof(*r));
	r->target = target;
	r->pol = (struct pal_ir_policy){.name = "bench",
					.default_action = PAL_ACT_ALLOW,
					.cgroups = &r->target,
					.ncgroups = 1,
					.rules = r->rule};
	r->pol.defaults[PAL_CLASS_NET] = PAL_ACT_ALLOW;
	r->set.policies = &r->pol;
	r->set.npolicies = n < 0 ? 0 : 1;
	r->deny_port = (struct pal_ir_ports){9, 9};
	r->rule[0] = (struct pal_ir_rule){.index = 0, .class = PAL_CLASS_NET};
	r->rule[1] = (struct pal_ir_rule){.index = 1, .class = PAL_CLASS_NET};
	if (n < 0)
		return 0;
	if (n == 0) {
		/* programs attached, no connect rule: one bind rule keeps the policy networked */
		r->net[0] = (struct pal_ir_net){.op = PAL_NET_BIND,
						.action = PAL_ACT_DENY,
						.protocols = PAL_PROTO_ALL,
						.rule = 0,
						.ports = &r->deny_port,
						.nports = 1};
		r->pol.net = r->net;
		r->pol.nnet = 1;
		r->pol.nrules = 1;
		return 0;
	}
	r->cidrs = calloc(n, sizeof(*r->cidrs));
	if (!r->cidrs)
		return -ENOMEM;
	srandom(42);
	for (int i = 0; i < n - 1; i++) {
		__u32 a;

		do
			a = 0x7f000000u | (random() & 0xffffff);
		while (a == 0x7f000001u);
		memset(r->cidrs[i].addr, 0, 16);
		r->cidrs[i].addr[10] = r->cidrs[i].addr[11] = 0xff;
		a = htonl(a);
		memcpy(&r->cidrs[i].addr[12], &a, 4);
		r->cidrs[i].prefix = 128;
	}
	inet_pton(AF_INET6, "::ffff:127.0.0.1", r->cidrs[n - 1].addr);
	r->cidrs[n - 1].prefix = 128;
	r->deny_port = (struct pal_ir_ports){9, 9};
	r->rule[0] = (struct pal_ir_rule){.index = 0, .class = PAL_CLASS_NET};
	r->rule[1] = (struct pal_ir_rule){.index = 1, .class = PAL_CLASS_NET};
	r->net[0] = (struct pal_ir_net){.op = PAL_NET_CONNECT,
					.action = PAL_ACT_DENY,
					.protocols = PAL_PROTO_ALL,
					.rule = 0,
					.cidrs = r->cidrs,
					.ncidrs = n - 1,
					.ports = &r->deny_port,
					.nports = 1};
	r->net[1] = (struct pal_ir_net){.op = PAL_NET_CONNECT,
					.action = PAL_ACT_ALLOW,
					.protocols = PAL_PROTO_ALL,
					.rule = 1,
					.cidrs = &r->cidrs[n - 1],
					.ncidrs = 1};
	r->pol.net = n > 1 ? r->net : &r->net[1];
	r->pol.nnet = n > 1 ? 2 : 1;
	r->pol.nrules = 2;
	return 0;
}

static int nconnects = 200000;

/* In the child: ns per connect() of a UDP socket to 127.0.0.1:port. */
static int measure(void *arg)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(5353)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), pipefd = *(int *)arg;
	double t0, ns;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return 255;
	for (int i = 0; i < 1000; i++) /* warm up */
		connect(fd, (void *)&sa, sizeof(sa));
	t0 = t_now_ms();
	for (int i = 0; i < nconnects; i++)
		if (connect(fd, (void *)&sa, sizeof(sa)))
			return errno;
	ns = (t_now_ms() - t0) * 1e6 / nconnects;
	if (write(pipefd, &ns, sizeof(ns)) != sizeof(ns))
		return 255;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The new cgroup has its pal_cgroups entry in the live slot: the agent classified it. */
static bool classified(const char *rel)
{
	struct pal_cgroup_key k = {.gen = T.live};
	struct pal_cgroup_val v;

	return !tenv_cgid(&T, rel, &k.cgroup_id) &&
	       !bpf_map_lookup_elem(T.maps.fd[PAL_MAP_CGROUPS], &k, &v);
}

/*
 * mkdir to classified. The kernel confines a new cgroup before that (it
 * gets the policies that could target it): this is the time until its
 * own policies replace them.
 */
static int classify_latency(int n)
{
	char pat[256], rel[256];
	double ms[200];
	struct rules r;
	int err;

	n = n > 200 ? 200 : n;
	snprintf(pat, sizeof(pat), "%s/lat-*", T.top);
	err = build(&r, 10, pat);
	err = err ?: tenv_apply_set(&T, &r.set);
	if (err)
		return err;
	for (int i = 0; i < n; i++) {
		double t0 = t_now_ms();

		if (tenv_mkcg(&T, "lat-x", rel, sizeof(rel)))
			return -errno;
		while (!classified(rel)) {
			struct pollfd p = {.fd = pal_cgroup_watch_fd(T.cg), .events = POLLIN};

			if (poll(&p, 1, 2000) <= 0)
				return -ETIMEDOUT;
			pal_cgroup_handle_watch(T.cg);
		}
		ms[i] = t_now_ms() - t0;
		tenv_rmcg(&T, "lat-x");
		pal_cgroup_handle_watch(T.cg);
		usleep(1000);
		pal_cgroup_handle_watch(T.cg);
	}
	qsort(ms, n, sizeof(ms[0]), cmp_double);
	printf("classify latency (mkdir -> the agent's pal_cgroups entry), %d new cgroups: "
	       "median %.3f ms, p90 %.3f ms, max %.3f ms\n",
	       n, ms[n / 2], ms[n * 9 / 10], ms[n - 1]);
	free(r.cidrs);
	return 0;
}

static int run(int rounds)
{
	double res[NCONF][64];
	char rel[256];
	__u64 id;
	int err;

	char root[sizeof(T.root)], top[sizeof(T.top)];

	/* tenv_open resets T: hand it copies */
	memcpy(root, T.root, sizeof(root));
	memcpy(top, T.top, sizeof(top));
	err = tenv_open(&T, root, top);
	err = err ?: tenv_mkcg(&T, "b", rel, sizeof(rel));
	err = err ?: tenv_cgid(&T, rel, &id);
	if (err) {
		fprintf(stderr, "setup: %s\n", strerror(-err));
		return 1;
	}
	for (int round = 0; round < rounds; round++) {
		/* rotate the order so no configuration always runs first */
		for (int j = 0; j < NCONF; j++) {
			int c = (j + round) % NCONF, p[2], r;
			struct rules rs;
			double t0 = t_now_ms(), apply_ms;

			err = build(&rs, conf_rules[c], rel);
			err = err ?: tenv_apply_set(&T, &rs.set);
			apply_ms = t_now_ms() - t0;
			free(rs.cidrs);
			if (err || pipe(p)) {
				fprintf(stderr, "apply %d rules: %d %s\n", conf_rules[c], err,
					pal_cgroup_why(T.cg));
				return 1;
			}
			r = tenv_run(&T, rel, measure, &p[1]);
			if (r || read(p[0], &res[c][round], sizeof(double)) != sizeof(double)) {
				fprintf(stderr, "measure: %d\n", r);
				return 1;
			}
			close(p[0]);
			close(p[1]);
			if (round == 0)
				printf("  reload to %d rules took %.1f ms\n", conf_rules[c],
				       apply_ms);
		}
	}
	printf("connect() on loopback UDP, %d calls per round, %d interleaved rounds (ns/call):\n",
	       nconnects, rounds);
	double med[NCONF];

	for (int c = 0; c < NCONF; c++) {
		qsort(res[c], rounds, sizeof(double), cmp_double);
		med[c] = res[c][rounds / 2];
		if (conf_rules[c] < 0)
			printf("  %-22s", "no Palisade program");
		else
			printf("  %6d CIDR rules      ", conf_rules[c]);
		printf(" median %7.1f  min %7.1f  max %7.1f  spread %.1f%%\n", med[c], res[c][0],
		       res[c][rounds - 1], 100.0 * (res[c][rounds - 1] - res[c][0]) / med[c]);
	}
	printf("ratio 100000/10 rules: %.3f (target <= 1.3)\n", med[3] / med[2]);
	printf("Palisade overhead at 10 rules: %.1f ns/connect\n", med[2] - med[0]);
	tenv_apply_yaml(&T, "");
	tenv_rmcg(&T, "b");
	err = classify_latency(100);
	if (err)
		fprintf(stderr, "classify latency: %s\n", strerror(-err));
	tenv_close(&T);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 9, status = 0;
	const char *why = "";
	char dir[PATH_MAX];
	pid_t pid;

	if (argc > 2)
		nconnects = atoi(argv[2]);
	if (rounds < 1 || rounds > 64 || nconnects < 1)
		return 2;
	if (geteuid() || t_cgroup2_root(T.root, sizeof(T.root), &why)) {
		fprintf(stderr, "cgroup_bench: needs root and cgroup2 %s\n", why);
		return 77;
	}
	snprintf(T.top, sizeof(T.top), "/palisade-bench-%d", (int)getpid());
	snprintf(dir, sizeof(dir), "%s%s", T.root, T.top);
	if (mkdir(dir, 0755))
		return 1;
	fflush(NULL);
	pid = fork();
	if (!pid) {
		int rc = run(rounds);

		fflush(NULL);
		_exit(rc);
	}
	waitpid(pid, &status, 0);
	t_cleanup_tree(T.root, T.top);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
