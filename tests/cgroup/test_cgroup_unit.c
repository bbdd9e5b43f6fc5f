// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests (no privileges): cgroup2 mount detection, the target pattern
 * matcher, and the network/device emitters. The emitter test checks the
 * closed LPM entries against a brute-force evaluation of the IR rules on
 * random addresses and ports, so closure bugs cannot hide.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cgroup/cgroup.h"
#include "policies/emit.h"

static void mountinfo(void **state)
{
	const char *hybrid =
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
	const char *unified = "22 1 0:21 / /proc rw - proc proc rw\n"
			      "30 25 0:26 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 "
			      "rw,nsdelegate\n";
	const char *escaped = "30 25 0:26 / /mnt/my\\040cg rw - cgroup2 none rw\n";
	const char *bindsub = "30 25 0:26 /sub /mnt/x rw - cgroup2 none rw\n";
	char buf[256];

	assert_int_equal(pal_cgroup_root_from_mountinfo(hybrid, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup/unified");
	assert_int_equal(pal_cgroup_root_from_mountinfo(unified, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/fs/cgroup");
	assert_int_equal(pal_cgroup_root_from_mountinfo(escaped, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/my cg");
	/* a mount of a sub-tree is not the hierarchy root */
	assert_int_equal(pal_cgroup_root_from_mountinfo(bindsub, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(pal_cgroup_root_from_mountinfo("", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(pal_cgroup_root_from_mountinfo(unified, buf, 4), -ENAMETOOLONG);
}

static void matcher(void **state)
{
	static const struct {
		const char *pat, *path;
		unsigned int want;
	} cases[] = {
		{"/system.slice/nginx.service", "/system.slice/nginx.service", PAL_CG_MATCH},
		{"/system.slice/nginx.service", "/system.slice", PAL_CG_PREFIX},
		{"/system.slice/nginx.service", "/", PAL_CG_PREFIX},
		{"/system.slice/nginx.service", "/user.slice", 0},
		{"/system.slice/nginx.service", "/system.slice/nginx.service/x", 0},
		{"/system.slice/docker-*.scope", "/system.slice/docker-abc.scope", PAL_CG_MATCH},
		{"/system.slice/docker-*.scope", "/system.slice/docker-.scope", PAL_CG_MATCH},
		{"/system.slice/docker-*.scope", "/system.slice/docker-a/b.scope", 0},
		{"/system.slice/docker-*.scope", "/system.slice/docker-abc.service", 0},
		{"/system.slice/*", "/system.slice/a", PAL_CG_MATCH},
		{"/system.slice/*", "/system.slice", PAL_CG_PREFIX},
		{"/*/x", "/a/x", PAL_CG_MATCH},
		{"/*/x", "/a/y", 0},
		{"/*/x", "/a", PAL_CG_PREFIX},
		{"/kubepods.slice/**", "/kubepods.slice", PAL_CG_MATCH | PAL_CG_PREFIX},
		{"/kubepods.slice/**", "/kubepods.slice/a/b/c", PAL_CG_MATCH | PAL_CG_PREFIX},
		{"/kubepods.slice/**", "/kubepods", 0},
		{"/kubepods.slice/**", "/", PAL_CG_PREFIX},
		{"/**/leaf", "/leaf", PAL_CG_MATCH | PAL_CG_PREFIX},
		{"/**/leaf", "/a/b/leaf", PAL_CG_MATCH | PAL_CG_PREFIX},
		{"/**/leaf", "/a/b", PAL_CG_PREFIX},
		{"/a/**/c/*", "/a/x/y/c/z", PAL_CG_MATCH | PAL_CG_PREFIX},
		{"/a/**/c/*", "/a/c/z", PAL_CG_MATCH | PAL_CG_PREFIX},
		{"/a/**/c/*", "/b/c/z", 0},
		{"/", "/", PAL_CG_MATCH},
		{"/", "/a", 0},
		{"/**", "/", PAL_CG_MATCH | PAL_CG_PREFIX},
		{"/a*b*c", "/abc", PAL_CG_MATCH},
		{"/a*b*c", "/aXbYc", PAL_CG_MATCH},
		{"/a*b*c", "/aXbY", 0},
		/* the one pattern language: classes, '?' and escapes as in rule paths */
		{"/system.slice/docker-[0-9a-f]*.scope", "/system.slice/docker-3f.scope",
		 PAL_CG_MATCH},
		{"/system.slice/docker-[0-9a-f]*.scope", "/system.slice/docker-x.scope", 0},
		{"/pod?", "/pod1", PAL_CG_MATCH},
		{"/pod?", "/pod12", 0},
		{"/a\\*", "/a*", PAL_CG_MATCH},
		{"/a\\*", "/ab", 0},
		{"/[abc", "/[abc", 0}, /* not a valid pattern: matches nothing */
		{"/*", "/.hidden", PAL_CG_MATCH},
		{"/a?", "/ab", PAL_CG_MATCH}, /* '?' is one byte, as in rule paths */
		{"/a?", "/abc", 0},
		{"/a\\?", "/a?", PAL_CG_MATCH},
		{"/a\\?", "/ab", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned int got = pal_cgroup_match(cases[i].pat, cases[i].path);

		if (got != cases[i].want)
			fail_msg("'%s' vs '%s': got %u want %u", cases[i].pat, cases[i].path, got,
				 cases[i].want);
	}
	assert_int_equal(pal_cgroup_pattern_check("/a/*/b"), 0);
	assert_int_equal(pal_cgroup_pattern_check("a/b"), -EINVAL);
	assert_int_equal(pal_cgroup_pattern_check("/a/../b"), -EINVAL);
	assert_int_equal(pal_cgroup_pattern_check("/a//b"), -EINVAL);
	assert_int_equal(pal_cgroup_pattern_check(""), -EINVAL);
	/* the one validator the parser uses too: '**' whole, canonical form only */
	assert_int_equal(pal_cgroup_pattern_check("/"), 0);
	assert_int_equal(pal_cgroup_pattern_check("/kubepods/**"), 0);
	assert_int_equal(pal_cgroup_pattern_check("/kubepods/a**"), -EINVAL);
	assert_int_equal(pal_cgroup_pattern_check("/a/"), -EINVAL);
}

/* ---- network emitter vs brute force ------------------------------------ */

#define NPOL 3
#define NRULES 40

static struct pal_ir_rule rules[NPOL][NRULES];
static struct pal_ir_net nets[NPOL][NRULES];
static struct pal_ir_cidr cidrs[NPOL][NRULES][3];
static struct pal_ir_ports ports[NPOL][NRULES][3];
static struct pal_ir_policy pols[NPOL];

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)random() % n;
}

/* Random address near a few bases, so prefixes nest and collide. */
static void rand_addr(__u8 a[16], bool v4)
{
	static const __u8 bases[2][16] = {
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 0, 0},
		{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	};

	memcpy(a, bases[!v4], 16);
	a[v4 ? 14 : 14] = rnd(4);
	a[15] = rnd(8);
	if (!v4)
		a[1] = rnd(3);
}

static void mask_addr(__u8 a[16], int prefix)
{
	for (int i = 0; i < 16; i++) {
		int bits = prefix - 8 * i;

		if (bits <= 0)
			a[i] = 0;
		else if (bits < 8)
			a[i] &= 0xff00 >> bits;
	}
}

static bool in_prefix(const __u8 a[16], const __u8 net[16], int prefix)
{
	__u8 m[16];

	memcpy(m, a, 16);
	mask_addr(m, prefix);
	return !memcmp(m, net, 16);
}

static void build_set(struct pal_policy_set *set)
{
	memset(set, 0, sizeof(*set));
	for (int p = 0; p < NPOL; p++) {
		pols[p] = (struct pal_ir_policy){
			.rules = rules[p], .nrules = NRULES, .net = nets[p], .nnet = NRULES};
		for (int r = 0; r < NRULES; r++) {
			struct pal_ir_net *n = &nets[p][r];
			bool v4 = rnd(2);

			rules[p][r] = (struct pal_ir_rule){.index = r, .class = PAL_CLASS_NET};
			*n = (struct pal_ir_net){.op = rnd(4) ? PAL_NET_CONNECT : PAL_NET_BIND,
						 .action = 1 + rnd(3),
						 .protocols = 1 + rnd(3),
						 .rule = r,
						 .cidrs = cidrs[p][r],
						 .ncidrs = 1 + rnd(3),
						 .ports = ports[p][r],
						 .nports = rnd(3)};
			for (__u32 c = 0; c < n->ncidrs; c++) {
				struct pal_ir_cidr *ci = &cidrs[p][r][c];

				rand_addr(ci->addr, v4);
				ci->prefix = v4 ? 96 + 16 + rnd(17) : rnd(5) ? 112 + rnd(17) : 0;
				mask_addr(ci->addr, ci->prefix);
			}
			for (__u32 k = 0; k < n->nports; k++) {
				ports[p][r][k].lo = 1 + rnd(40);
				ports[p][r][k].hi = ports[p][r][k].lo + rnd(10);
			}
		}
	}
	set->policies = pols;
	set->npolicies = NPOL;
}

static int pidx(int proto)
{
	return proto;
}

/* What the IR says: strongest matching rule of policy p, or NONE. */
static void brute(int p, __u8 access, const __u8 a[16], int port, int proto, __u8 *act, __u32 *rule)
{
	*act = PAL_ACT_NONE;
	*rule = PAL_NO_RULE;
	for (int r = 0; r < NRULES; r++) {
		const struct pal_ir_net *n = &nets[p][r];
		bool hit = false;

		if ((n->op == PAL_NET_CONNECT ? PAL_ACC_CONNECT : PAL_ACC_BIND) != access)
			continue;
		for (__u32 c = 0; c < n->ncidrs && !hit; c++)
			hit = in_prefix(a, n->cidrs[c].addr, n->cidrs[c].prefix);
		if (!hit)
			continue;
		if (proto == PAL_NET_TCP && !(n->protocols & PAL_PROTO_TCP))
			continue;
		if (proto == PAL_NET_UDP && !(n->protocols & PAL_PROTO_UDP))
			continue;
		if (proto == PAL_NET_OTHER && n->protocols != PAL_PROTO_ALL)
			continue;
		hit = !n->nports;
		for (__u32 k = 0; k < n->nports; k++)
			hit |= port >= n->ports[k].lo && port <= n->ports[k].hi;
		if (!hit)
			continue;
		if (n->action > *act || (n->action == *act && (__u32)r < *rule)) {
			*act = n->action;
			*rule = r;
		}
	}
}

/* What the maps say, looked up like the BPF program does (LPM by scan here). */
static void lookup(const struct pal_net_emit *e, int p, __u8 access, const __u8 a[16], int port,
		   int proto, __u8 *act, __u32 *rule)
{
	const struct pal_net_cidr_entry *best = NULL;
	const struct pal_net_port_entry *pb = NULL;

	*act = PAL_ACT_NONE;
	*rule = PAL_NO_RULE;
	for (size_t i = 0; i < e->ncidrs; i++) {
		const struct pal_net_cidr_entry *c = &e->cidrs[i];
		int plen = c->key.prefixlen - PAL_NET_CIDR_FIXED_BITS;

		if (c->key.policy != p || c->key.access != access || c->key.gen != 1)
			continue;
		if (in_prefix(a, c->key.addr, plen) &&
		    (!best || plen > (int)best->key.prefixlen - PAL_NET_CIDR_FIXED_BITS))
			best = c;
	}
	if (!best)
		return;
	if (!best->val.table) {
		*act = best->val.action;
		*rule = best->val.rule;
		return;
	}
	for (size_t i = 0; i < e->nports; i++) {
		const struct pal_net_port_entry *q = &e->ports[i];
		int plen = q->key.prefixlen - PAL_NET_PORT_FIXED_BITS;
		int base = q->key.port[0] << 8 | q->key.port[1];

		if (q->key.table != best->val.table || q->key.proto != pidx(proto))
			continue;
		if ((port >> (16 - plen)) == (base >> (16 - plen))) {
			assert_null(pb); /* port blocks of one table never overlap */
			pb = q;
		}
	}
	if (pb) {
		*act = pb->val.action;
		*rule = pb->val.rule;
	}
}

static void net_closure(void **state)
{
	for (int round = 0; round < 30; round++) {
		struct pal_policy_set set;
		struct pal_net_emit e;

		srandom(round + 1);
		build_set(&set);
		assert_int_equal(pal_emit_net(&set, 1, &e), 0);
		for (int q = 0; q < 3000; q++) {
			int p = rnd(NPOL), port = rnd(60), proto = rnd(3);
			__u8 access = rnd(2) ? PAL_ACC_CONNECT : PAL_ACC_BIND, a[16], wa, ga;
			__u32 wr, gr;

			rand_addr(a, rnd(2));
			brute(p, access, a, port, proto, &wa, &wr);
			lookup(&e, p, access, a, port, proto, &ga, &gr);
			if (wa != ga || wr != gr)
				fail_msg("round %d: policy %d port %d proto %d: maps say %u/%u, "
					 "rules say %u/%u",
					 round, p, port, proto, ga, gr, wa, wr);
		}
		pal_net_emit_free(&e);
	}
}

/* A uniform verdict needs no port table; 100k distinct /32s stay one entry each. */
static void net_large(void **state)
{
	static struct pal_ir_cidr many[1000];
	struct pal_ir_rule rr[100];
	struct pal_ir_net nn[100];
	struct pal_ir_policy pol = {.rules = rr, .nrules = 100, .net = nn, .nnet = 100};
	struct pal_policy_set set = {.policies = &pol, .npolicies = 1};
	struct pal_net_emit e;

	for (int i = 0; i < 1000; i++) {
		memset(many[i].addr, 0, 16);
		many[i].addr[10] = many[i].addr[11] = 0xff;
		many[i].addr[12] = 10;
		many[i].addr[14] = i >> 8;
		many[i].addr[15] = i & 0xff;
		many[i].prefix = 128;
	}
	for (int r = 0; r < 100; r++) {
		rr[r] = (struct pal_ir_rule){.index = r};
		nn[r] = (struct pal_ir_net){.op = PAL_NET_CONNECT,
					    .action = PAL_ACT_DENY,
					    .protocols = PAL_PROTO_ALL,
					    .rule = r,
					    .cidrs = many,
					    .ncidrs = 1000};
		/* each rule names the same 1000 CIDRs: merged, rule 0 wins */
	}
	assert_int_equal(pal_emit_net(&set, 0, &e), 0);
	assert_int_equal(e.ncidrs, 1000);
	assert_int_equal(e.nports, 0);
	for (size_t i = 0; i < e.ncidrs; i++) {
		assert_int_equal(e.cidrs[i].val.table, 0);
		assert_int_equal(e.cidrs[i].val.rule, 0);
		assert_int_equal(e.cidrs[i].val.action, PAL_ACT_DENY);
		assert_int_equal(e.cidrs[i].key.prefixlen, PAL_NET_CIDR_FIXED_BITS + 128);
	}
	pal_net_emit_free(&e);
}

static void sock_and_dev(void **state)
{
	struct pal_ir_rule rr[4] = {{.index = 0}, {.index = 1}, {.index = 2}, {.index = 3}};
	struct pal_ir_net nn[2] = {
		{.op = PAL_NET_SOCKET,
		 .action = PAL_ACT_DENY,
		 .rule = 0,
		 .family = 17,
		 .type = PAL_SOCK_ANY,
		 .protocol = PAL_SOCK_ANY},
		{.op = PAL_NET_SOCKET,
		 .action = PAL_ACT_AUDIT,
		 .rule = 1,
		 .family = 17,
		 .type = PAL_SOCK_ANY,
		 .protocol = PAL_SOCK_ANY},
	};
	struct pal_ir_dev dd[2] = {
		{.type = 'c',
		 .action = PAL_ACT_ALLOW,
		 .major = 1,
		 .minor = PAL_DEV_ANY,
		 .access = PAL_ACC_DEV_READ | PAL_ACC_DEV_WRITE,
		 .rule = 2},
		{.type = 'c',
		 .action = PAL_ACT_DENY,
		 .major = 1,
		 .minor = PAL_DEV_ANY,
		 .access = PAL_ACC_DEV_WRITE,
		 .rule = 3},
	};
	struct pal_ir_policy pol = {
		.rules = rr, .nrules = 4, .net = nn, .nnet = 2, .dev = dd, .ndev = 2};
	struct pal_policy_set set = {.policies = &pol, .npolicies = 1};
	struct pal_net_emit e;
	struct pal_dev_emit d;

	assert_int_equal(pal_emit_net(&set, 1, &e), 0);
	assert_int_equal(e.nsocks, 1); /* same key: merged, deny wins */
	assert_int_equal(e.socks[0].key.family, 17);
	assert_int_equal(e.socks[0].key.type, PAL_NET_SOCK_ANY);
	assert_int_equal(e.socks[0].key.gen, 1);
	assert_int_equal(e.socks[0].val.action, PAL_ACT_DENY);
	assert_int_equal(e.socks[0].val.rule, 0);
	pal_net_emit_free(&e);

	assert_int_equal(pal_emit_dev(&set, 0, &d), 0);
	assert_int_equal(d.nentries, 1);
	assert_int_equal(d.entries[0].key.minor, PAL_DEV_KEY_ANY);
	assert_int_equal(d.entries[0].key.type, PAL_DEV_CHAR);
	assert_int_equal(d.entries[0].val.action[0], PAL_ACT_ALLOW); /* read */
	assert_int_equal(d.entries[0].val.rule[0], 2);
	assert_int_equal(d.entries[0].val.action[1], PAL_ACT_DENY); /* write */
	assert_int_equal(d.entries[0].val.rule[1], 3);
	assert_int_equal(d.entries[0].val.action[2], PAL_ACT_NONE); /* mknod */
	pal_dev_emit_free(&d);

	dd[0].type = 'x';
	assert_int_equal(pal_emit_dev(&set, 0, &d), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mountinfo),	cmocka_unit_test(matcher),
		cmocka_unit_test(net_closure),	cmocka_unit_test(net_large),
		cmocka_unit_test(sock_and_dev),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
