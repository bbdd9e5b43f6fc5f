// SPDX-License-Identifier: GPL-2.0-only
/*
 * palisade check: validate policy files.
 * palisade compile: show the map entries they compile to, with the rule
 * each came from and the effective decision (the "explain" view).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/palisade.h"
#include "policies/emit.h"
#include "policies/policy.h"

#define SEED_NOTE \
	"fixed display seed; the live agent uses a secret random seed, so its path hashes differ"

struct popts {
	bool json;
	bool quiet;
	unsigned int flags; /* enum pal_load_flags */
	__u64 seed;
};

static void print_diag(const struct pal_diag *d, void *ctx)
{
	pal_diag_print(stderr, d);
}

static void check_usage(FILE *out)
{
	fprintf(out, "Usage: palisade check [OPTION]... FILE|DIR...\n"
		     "Validate policy files (directories: every *.yaml and *.yml in them).\n\n"
		     "  -q, --quiet    print only errors and warnings\n"
		     "      --no-host  do not look at rule paths on this host (no symlink,\n"
		     "                 hard link or missing-executable warnings)\n"
		     "  -h, --help     show this help\n\n"
		     "Diagnostics go to stderr as FILE:LINE:COL: error|warning: MESSAGE.\n"
		     "Exit status: 0 valid (warnings allowed), 1 errors or unreadable input.\n");
}

static void compile_usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade compile [OPTION]... FILE|DIR...\n"
		"Show the BPF map entries the policies compile to, the rule each came\n"
		"from (FILE:LINE) and the effective decision.\n\n"
		"      --json     print JSON instead of tables\n"
		"      --seed N   path hash seed (default 0, a fixed documented seed; the\n"
		"                 live agent uses a secret random seed, so its hashes differ)\n"
		"      --no-host  do not look at rule paths on this host (no identity keys,\n"
		"                 no host warnings): output independent of this machine\n"
		"  -h, --help     show this help\n\n"
		"Network and device rules are shown as rules, then as their map entries.\n"
		"Exit status: 0 ok, 1 policy errors or unreadable input, 2 runtime error.\n");
}

enum { OPT_JSON = 256, OPT_SEED, OPT_NO_HOST };

/* Returns -1 to go on, or an exit code. */
static int parse_opts(int argc, char **argv, struct popts *o, void (*usage)(FILE *))
{
	static const struct option lo[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"seed", required_argument, NULL, OPT_SEED},
		{"no-host", no_argument, NULL, OPT_NO_HOST},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_SEED:
			errno = 0;
			o->seed = strtoull(optarg, &end, 0);
			if (errno || !*optarg || *end) {
				fprintf(stderr, "palisade: invalid --seed '%s'\n", optarg);
				return PAL_EXIT_POLICY;
			}
			break;
		case OPT_NO_HOST:
			o->flags |= PAL_LOAD_NO_HOST;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return PAL_EXIT_OK;
		default:
			usage(stderr);
			return PAL_EXIT_POLICY;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "palisade: no policy file or directory given\n");
		usage(stderr);
		return PAL_EXIT_POLICY;
	}
	return -1;
}

/* Load; diagnostics go to stderr. Returns -1 on success or an exit code. */
static int load(int argc, char **argv, const struct popts *o, struct pal_policy_set **set)
{
	struct pal_load_opts lo = {.flags = o->flags, .diag = print_diag};
	int err = pal_policy_load(set, (const char *const *)argv + optind, (size_t)(argc - optind),
				  &lo);

	if (err == -ENOMEM) {
		fprintf(stderr, "palisade: out of memory\n");
		return PAL_EXIT_RUNTIME;
	}
	if (err) /* policy errors or unreadable input, already reported */
		return PAL_EXIT_POLICY;
	return -1;
}

int cmd_check(int argc, char **argv)
{
	struct popts o = {0};
	struct pal_policy_set *set = NULL;
	int rc = parse_opts(argc, argv, &o, check_usage);

	if (rc >= 0)
		return rc;
	rc = load(argc, argv, &o, &set);
	if (rc < 0 && !o.quiet)
		printf("palisade check: %u policies OK, %zu warnings\n", set->npolicies,
		       set->nwarnings);
	else if (rc == PAL_EXIT_POLICY && set)
		fprintf(stderr, "palisade check: %zu errors, %zu warnings\n", set->nerrors,
			set->nwarnings);
	pal_policy_set_free(set);
	return rc < 0 ? PAL_EXIT_OK : rc;
}

/* ---- the explain view -------------------------------------------------- */

static const char *kind_name(__u8 kind)
{
	static const char *const n[] = {"?", "exact", "dir", "inode", "dir-inode"};

	return n[(kind & ~PAL_KEY_FROM) <= 4 ? kind & ~PAL_KEY_FROM : 0];
}

/* The effective action per access bit: deny > audit > allow > default. */
struct decision {
	__u32 deny, audit, allow;
	__u8 dflt;
	bool audit_mode; /* denials are reported as audit and allowed */
};

static struct decision decide(const struct pal_ir_policy *pol, const struct pal_file_entry *e)
{
	struct decision d = {
		.deny = e->val.deny,
		.audit = e->val.audit & ~e->val.deny,
		.allow = e->val.allow & ~(e->val.deny | e->val.audit),
		.dflt = pol->defaults[e->key.class],
		.audit_mode = pol->mode == PAL_MODE_AUDIT,
	};
	return d;
}

static void decision_text(const struct decision *d, __u8 class, char *buf, size_t len)
{
	char w[256];
	size_t o = 0;

	buf[0] = 0;
	if (d->deny) {
		pal_access_names(class, d->deny, w, sizeof(w));
		o += (size_t)snprintf(buf + o, len - o, "%s %s; ",
				      d->audit_mode ? "deny(audit mode)" : "deny", w);
	}
	if (d->audit && o < len) {
		pal_access_names(class, d->audit, w, sizeof(w));
		o += (size_t)snprintf(buf + o, len - o, "audit %s; ", w);
	}
	if (d->allow && o < len) {
		pal_access_names(class, d->allow, w, sizeof(w));
		o += (size_t)snprintf(buf + o, len - o, "allow %s; ", w);
	}
	if (o < len)
		snprintf(buf + o, len - o, "else %s", pal_action_name(d->dflt));
}

static const struct pal_ir_rule *rule_of(const struct pal_ir_policy *pol, __u32 idx)
{
	return idx < pol->nrules ? &pol->rules[idx] : NULL;
}

static void rules_text(const struct pal_ir_policy *pol, const struct pal_file_rule *v, char *buf,
		       size_t len)
{
	const __u32 idx[3] = {v->rule_deny, v->rule_audit, v->rule_allow};
	static const char *const what[3] = {"deny", "audit", "allow"};
	size_t o = 0;

	buf[0] = 0;
	for (int i = 0; i < 3 && o < len; i++) {
		const struct pal_ir_rule *r = rule_of(pol, idx[i]);

		if (r)
			o += (size_t)snprintf(buf + o, len - o, "%s%s@%s:%u", o ? " " : "", what[i],
					      r->loc.file, r->loc.line);
	}
}

static void cgroups_text(const struct pal_ir_policy *pol, char *buf, size_t len)
{
	size_t o = 0;

	snprintf(buf, len, "host-wide");
	for (__u32 i = 0; i < pol->ncgroups && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "", pol->cgroups[i]);
}

static void print_policies(const struct pal_policy_set *set)
{
	char tgt[512];

	printf("POLICIES: %u\n", set->npolicies);
	printf("  %-3s %-24s %-8s %-8s %-44s %s\n", "#", "NAME", "MODE", "DEFAULT",
	       "PER CLASS (files exec network devices)", "TARGET / SOURCE");
	for (__u32 i = 0; i < set->npolicies; i++) {
		const struct pal_ir_policy *p = &set->policies[i];
		char cls[64];

		snprintf(cls, sizeof(cls), "%s %s %s %s", pal_action_name(p->defaults[0]),
			 pal_action_name(p->defaults[1]), pal_action_name(p->defaults[2]),
			 pal_action_name(p->defaults[3]));
		cgroups_text(p, tgt, sizeof(tgt));
		printf("  %-3u %-24s %-8s %-8s %-44s %s  %s:%u\n", i, p->name,
		       pal_mode_name(p->mode), pal_action_name(p->default_action), cls, tgt,
		       p->loc.file, p->loc.line);
	}
}

static void print_entries(const struct pal_policy_set *set, const struct pal_file_emit *fe)
{
	char dec[512], rules[512];

	printf("\nFILE/EXEC MAP ENTRIES (pal_files): %zu\n", fe->nentries);
	printf("  %-20s %-5s %-10s %-18s %-10s %-40s %-30s %s\n", "POLICY", "CLASS", "KIND",
	       "KEY.A", "KEY.B", "DECISION", "RULES", "PATH");
	for (size_t i = 0; i < fe->nentries; i++) {
		const struct pal_file_entry *e = &fe->entries[i];
		const struct pal_ir_policy *pol = &set->policies[e->key.policy];
		struct decision d = decide(pol, e);
		char kind[24];

		snprintf(kind, sizeof(kind), "%s%s", kind_name(e->key.kind),
			 e->key.kind & PAL_KEY_FROM ? "+from" : "");
		decision_text(&d, e->key.class, dec, sizeof(dec));
		rules_text(pol, &e->val, rules, sizeof(rules));
		printf("  %-20s %-5s %-10s 0x%016" PRIx64 " %-10u %-40s %-30s %s", pol->name,
		       pal_class_name(e->key.class), kind, (uint64_t)e->key.a, e->key.b, dec, rules,
		       e->path);
		if (e->exe)
			printf("  [from exe %u: %s]", e->exe, fe->exes[e->exe - 1].path);
		printf("\n");
	}
	printf("\nEXECUTABLES (pal_exes, for from: rules): %zu\n", fe->nexes);
	for (size_t i = 0; i < fe->nexes; i++) {
		const struct pal_exe *x = &fe->exes[i];

		if (x->exists)
			printf("  %-3u ino %-12" PRIu64 " dev 0x%-8x %s\n", x->id,
			       (uint64_t)x->key.ino, x->key.dev, x->path);
		else
			printf("  %-3u (not on this host: no pal_exes entry)  %s\n", x->id,
			       x->path);
	}
}

static void cidr_str(const struct pal_ir_cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(c->v4 ? AF_INET : AF_INET6, c->v4 ? c->addr + 12 : c->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, c->v4 ? c->prefix - 96u : c->prefix);
}

static void cidrs_text(const struct pal_ir_net *n, char *buf, size_t len)
{
	size_t o = 0;

	snprintf(buf, len, "any");
	for (__u32 i = 0; i < n->ncidrs && o < len; i++) {
		char a[64];

		cidr_str(&n->cidrs[i], a, sizeof(a));
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "", a);
	}
}

static void ports_text(const struct pal_ir_net *n, char *buf, size_t len)
{
	size_t o = 0;

	snprintf(buf, len, "all");
	for (__u32 i = 0; i < n->nports && o < len; i++) {
		const struct pal_ir_ports *p = &n->ports[i];

		if (p->lo == p->hi)
			o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "", p->lo);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%u-%u", i ? "," : "", p->lo,
					      p->hi);
	}
}

static void any_or(__u32 v, char *buf, size_t len)
{
	if (v == PAL_SOCK_ANY)
		snprintf(buf, len, "any");
	else
		snprintf(buf, len, "%u", v);
}

static void print_net(const struct pal_policy_set *set)
{
	static const char *const ops[] = {"?", "connect", "bind", "socket"};
	static const char *const protos[] = {"-", "tcp", "udp", "tcp,udp"};
	char cidrs[512], ports[256], fam[16], typ[16], pro[16];

	printf("\nNETWORK RULES\n");
	printf("  %-20s %-5s %-8s %-7s %-30s %-16s %-8s %-24s %s\n", "POLICY", "RULE", "OP",
	       "ACTION", "CIDRS", "PORTS", "PROTO", "SOCKET family/type/proto", "SOURCE");
	for (__u32 p = 0; p < set->npolicies; p++) {
		const struct pal_ir_policy *pol = &set->policies[p];

		for (__u32 i = 0; i < pol->nnet; i++) {
			const struct pal_ir_net *n = &pol->net[i];
			char sock[64] = "-";

			cidrs_text(n, cidrs, sizeof(cidrs));
			ports_text(n, ports, sizeof(ports));
			if (n->op == PAL_NET_SOCKET) {
				any_or(n->family, fam, sizeof(fam));
				any_or(n->type, typ, sizeof(typ));
				any_or(n->protocol, pro, sizeof(pro));
				snprintf(sock, sizeof(sock), "%s/%s/%s", fam, typ, pro);
			}
			printf("  %-20s %-5u %-8s %-7s %-30s %-16s %-8s %-24s %s:%u\n", pol->name,
			       n->rule, ops[n->op <= 3 ? n->op : 0], pal_action_name(n->action),
			       n->op == PAL_NET_SOCKET ? "-" : cidrs,
			       n->op == PAL_NET_SOCKET ? "-" : ports,
			       n->op == PAL_NET_SOCKET ? "-" : protos[n->protocols & 3], sock,
			       n->loc.file, n->loc.line);
		}
	}
}

static void print_dev(const struct pal_policy_set *set)
{
	char maj[16], min[16], acc[64];

	printf("\nDEVICE RULES\n");
	printf("  %-20s %-5s %-5s %-6s %-8s %-18s %-7s %s\n", "POLICY", "RULE", "TYPE", "MAJOR",
	       "MINOR", "ACCESS", "ACTION", "SOURCE");
	for (__u32 p = 0; p < set->npolicies; p++) {
		const struct pal_ir_policy *pol = &set->policies[p];

		for (__u32 i = 0; i < pol->ndev; i++) {
			const struct pal_ir_dev *d = &pol->dev[i];

			snprintf(maj, sizeof(maj), d->major == PAL_DEV_ANY ? "*" : "%u", d->major);
			snprintf(min, sizeof(min), d->minor == PAL_DEV_ANY ? "*" : "%u", d->minor);
			pal_access_names(PAL_CLASS_DEV, d->access, acc, sizeof(acc));
			printf("  %-20s %-5u %-5s %-6s %-8s %-18s %-7s %s:%u\n", pol->name, d->rule,
			       d->type == 'b' ? "block" : "char", maj, min, acc,
			       pal_action_name(d->action), d->loc.file, d->loc.line);
		}
	}
}

/* ---- network and device map entries (cgroup/emit.h) ------------------------ */

/* "FILE:LINE" of rule idx of policy p, or "default". */
static const char *rule_src(const struct pal_policy_set *set, __u32 p, __u32 rule, char *buf,
			    size_t len)
{
	const struct pal_ir_policy *pol = p < set->npolicies ? &set->policies[p] : NULL;

	if (!pol || rule >= pol->nrules)
		return "default";
	snprintf(buf, len, "%s:%u", pol->rules[rule].loc.file, pol->rules[rule].loc.line);
	return buf;
}

static const char *policy_name(const struct pal_policy_set *set, __u32 p)
{
	return p < set->npolicies ? set->policies[p].name : "?";
}

/* An LPM key's address as CIDR text (prefixlen counts the fixed bytes too). */
static void cidr_key_text(const struct pal_net_cidr_key *k, char *buf, size_t len)
{
	static const __u8 mapped[12] = {[10] = 0xff, [11] = 0xff};
	unsigned int bits =
		k->prefixlen > PAL_NET_CIDR_FIXED_BITS ? k->prefixlen - PAL_NET_CIDR_FIXED_BITS : 0;
	char a[INET6_ADDRSTRLEN];

	if (bits >= 96 && !memcmp(k->addr, mapped, 12)) {
		inet_ntop(AF_INET, k->addr + 12, a, sizeof(a));
		snprintf(buf, len, "%s/%u", a, bits - 96);
	} else {
		inet_ntop(AF_INET6, k->addr, a, sizeof(a));
		snprintf(buf, len, "%s/%u", a, bits);
	}
}

static void port_key_text(const struct pal_net_port_key *k, char *buf, size_t len)
{
	unsigned int bits = k->prefixlen - PAL_NET_PORT_FIXED_BITS;
	unsigned int lo = (k->port[0] << 8) | k->port[1];
	unsigned int hi = lo + (bits >= 16 ? 0 : (1u << (16 - bits)) - 1);

	snprintf(buf, len, lo == hi ? "%u" : "%u-%u", lo, hi);
}

static void print_net_entries(const struct pal_policy_set *set, const struct pal_net_emit *ne)
{
	static const char *const protos[] = {"tcp", "udp", "other"};
	char cidr[64], ports[32], src[PATH_MAX + 16];

	printf("\nNETWORK MAP ENTRIES (pal_net_cidr: longest-prefix match, closure applied)\n");
	printf("  %-20s %-8s %-30s %-20s %s\n", "POLICY", "ACCESS", "PREFIX", "DECISION", "RULE");
	for (size_t i = 0; i < ne->ncidrs; i++) {
		const struct pal_net_cidr_entry *c = &ne->cidrs[i];
		char dec[32];

		cidr_key_text(&c->key, cidr, sizeof(cidr));
		if (c->val.table)
			snprintf(dec, sizeof(dec), "port table %u", c->val.table);
		else
			snprintf(dec, sizeof(dec), "%s",
				 c->val.action ? pal_action_name(c->val.action) : "default");
		printf("  %-20s %-8s %-30s %-20s %s\n", policy_name(set, c->key.policy),
		       c->key.access == PAL_ACC_BIND ? "bind" : "connect", cidr, dec,
		       c->val.table ? "-" :
				      rule_src(set, c->key.policy, c->val.rule, src, sizeof(src)));
	}
	if (ne->nports)
		printf("\nPORT TABLES (pal_net_port; a port no block covers gets the default)\n"
		       "  %-6s %-6s %-12s %-8s %s\n",
		       "TABLE", "PROTO", "PORTS", "ACTION", "RULE");
	for (size_t i = 0; i < ne->nports; i++) {
		const struct pal_net_port_entry *e = &ne->ports[i];

		port_key_text(&e->key, ports, sizeof(ports));
		printf("  %-6u %-6s %-12s %-8s %s\n", e->key.table,
		       protos[e->key.proto < 3 ? e->key.proto : 2], ports,
		       pal_action_name(e->val.action), "(see the prefix that names the table)");
	}
	if (ne->nsocks)
		printf("\nSOCKET ENTRIES (pal_net_sock; 65535 = any)\n"
		       "  %-20s %-7s %-6s %-9s %-8s %s\n",
		       "POLICY", "FAMILY", "TYPE", "PROTOCOL", "ACTION", "RULE");
	for (size_t i = 0; i < ne->nsocks; i++) {
		const struct pal_net_sock_entry *e = &ne->socks[i];

		printf("  %-20s %-7u %-6u %-9u %-8s %s\n", policy_name(set, e->key.policy),
		       e->key.family, e->key.type, e->key.protocol, pal_action_name(e->val.action),
		       rule_src(set, e->key.policy, e->val.rule, src, sizeof(src)));
	}
}

static void print_dev_entries(const struct pal_policy_set *set, const struct pal_dev_emit *de)
{
	static const char *const bits[PAL_DEV_ACC_BITS] = {"read", "write", "mknod"};
	char maj[16], min[16], src[PATH_MAX + 16];

	printf("\nDEVICE MAP ENTRIES (pal_dev_rules; * = any)\n");
	printf("  %-20s %-5s %-6s %-8s %-7s %-7s %s\n", "POLICY", "TYPE", "MAJOR", "MINOR",
	       "ACCESS", "ACTION", "RULE");
	for (size_t i = 0; i < de->nentries; i++) {
		const struct pal_dev_entry *e = &de->entries[i];

		snprintf(maj, sizeof(maj), e->key.major == PAL_DEV_KEY_ANY ? "*" : "%u",
			 e->key.major);
		snprintf(min, sizeof(min), e->key.minor == PAL_DEV_KEY_ANY ? "*" : "%u",
			 e->key.minor);
		for (int b = 0; b < PAL_DEV_ACC_BITS; b++) {
			if (!e->val.action[b])
				continue;
			printf("  %-20s %-5s %-6s %-8s %-7s %-7s %s\n",
			       policy_name(set, e->key.policy),
			       e->key.type == PAL_DEV_BLOCK ? "block" : "char", maj, min, bits[b],
			       pal_action_name(e->val.action[b]),
			       rule_src(set, e->key.policy, e->val.rule[b], src, sizeof(src)));
		}
	}
}

static void print_tables(const struct pal_policy_set *set, const struct pal_file_emit *fe,
			 const struct popts *o)
{
	struct pal_net_emit ne = {0};
	struct pal_dev_emit de = {0};
	printf("palisade compile: seed 0x%016" PRIx64 " (%s), generation slot 0\n\n",
	       (uint64_t)o->seed, SEED_NOTE);
	print_policies(set);
	print_entries(set, fe);
	print_net(set);
	print_dev(set);
	if (!pal_emit_net(set, 0, &ne))
		print_net_entries(set, &ne);
	if (!pal_emit_dev(set, 0, &de))
		print_dev_entries(set, &de);
	pal_net_emit_free(&ne);
	pal_dev_emit_free(&de);
}

/* ---- JSON --------------------------------------------------------------- */

static json_object *jhex(__u64 v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%016" PRIx64, (uint64_t)v);
	return json_object_new_string(b);
}

static json_object *jrule(__u32 idx)
{
	return idx == PAL_NO_RULE ? NULL : json_object_new_int64(idx);
}

static json_object *jaccess(__u8 class, __u32 bits)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < 12; i++) {
		char w[32];

		if ((bits & (1u << i)) && !pal_access_names(class, 1u << i, w, sizeof(w)))
			json_object_array_add(a, json_object_new_string(w));
	}
	return a;
}

static json_object *jloc(const struct pal_loc *l)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "file", json_object_new_string(l->file));
	json_object_object_add(o, "line", json_object_new_int64(l->line));
	json_object_object_add(o, "col", json_object_new_int64(l->col));
	return o;
}

static json_object *jpolicy(const struct pal_ir_policy *p, __u32 idx)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();
	json_object *cg = json_object_new_array(), *rules = json_object_new_array();

	json_object_object_add(o, "index", json_object_new_int64(idx));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "description", json_object_new_string(p->description));
	json_object_object_add(o, "source", jloc(&p->loc));
	json_object_object_add(o, "mode", json_object_new_string(pal_mode_name(p->mode)));
	json_object_object_add(o, "default",
			       json_object_new_string(pal_action_name(p->default_action)));
	for (int c = 0; c < PAL_CLASSES; c++)
		json_object_object_add(d, pal_class_name((__u8)c),
				       json_object_new_string(pal_action_name(p->defaults[c])));
	json_object_object_add(o, "defaults", d);
	for (__u32 i = 0; i < p->ncgroups; i++)
		json_object_array_add(cg, json_object_new_string(p->cgroups[i]));
	json_object_object_add(o, "cgroups", cg);
	for (__u32 i = 0; i < p->nrules; i++) {
		json_object *r = jloc(&p->rules[i].loc);

		json_object_object_add(r, "index", json_object_new_int64(p->rules[i].index));
		json_object_object_add(r, "class",
				       json_object_new_string(pal_class_name(p->rules[i].class)));
		json_object_object_add(r, "action",
				       json_object_new_string(pal_action_name(p->rules[i].action)));
		json_object_array_add(rules, r);
	}
	json_object_object_add(o, "rules", rules);
	return o;
}

static json_object *jentry(const struct pal_policy_set *set, const struct pal_file_entry *e)
{
	const struct pal_ir_policy *pol = &set->policies[e->key.policy];
	struct decision dc = decide(pol, e);
	json_object *o = json_object_new_object(), *k = json_object_new_object();
	json_object *v = json_object_new_object(), *d = json_object_new_object();

	json_object_object_add(k, "a", jhex(e->key.a));
	json_object_object_add(k, "b", json_object_new_int64(e->key.b));
	json_object_object_add(k, "gen", json_object_new_int64(e->key.gen));
	json_object_object_add(k, "policy", json_object_new_int64(e->key.policy));
	json_object_object_add(k, "kind", json_object_new_int64(e->key.kind));
	json_object_object_add(k, "class", json_object_new_int64(e->key.class));
	json_object_object_add(o, "key", k);
	json_object_object_add(v, "deny", json_object_new_int64(e->val.deny));
	json_object_object_add(v, "audit", json_object_new_int64(e->val.audit));
	json_object_object_add(v, "allow", json_object_new_int64(e->val.allow));
	json_object_object_add(v, "rule_deny", jrule(e->val.rule_deny));
	json_object_object_add(v, "rule_audit", jrule(e->val.rule_audit));
	json_object_object_add(v, "rule_allow", jrule(e->val.rule_allow));
	json_object_object_add(o, "value", v);
	json_object_object_add(o, "policy", json_object_new_string(pol->name));
	json_object_object_add(o, "class", json_object_new_string(pal_class_name(e->key.class)));
	json_object_object_add(o, "kind", json_object_new_string(kind_name(e->key.kind)));
	json_object_object_add(o, "from_exe", json_object_new_int64(e->exe));
	json_object_object_add(o, "path", json_object_new_string(e->path));
	json_object_object_add(o, "rule", json_object_new_int64(e->rule));
	json_object_object_add(o, "source", jloc(&pol->rules[e->rule].loc));
	json_object_object_add(d, dc.audit_mode ? "deny_audit_mode" : "deny",
			       jaccess(e->key.class, dc.deny));
	json_object_object_add(d, "audit", jaccess(e->key.class, dc.audit));
	json_object_object_add(d, "allow", jaccess(e->key.class, dc.allow));
	json_object_object_add(d, "otherwise", json_object_new_string(pal_action_name(dc.dflt)));
	json_object_object_add(o, "decision", d);
	return o;
}

static json_object *jnet(const struct pal_ir_policy *pol, const struct pal_ir_net *n)
{
	static const char *const ops[] = {"?", "connect", "bind", "socket"};
	json_object *o = jloc(&n->loc), *c = json_object_new_array(), *p = json_object_new_array();

	json_object_object_add(o, "policy", json_object_new_string(pol->name));
	json_object_object_add(o, "rule", json_object_new_int64(n->rule));
	json_object_object_add(o, "op", json_object_new_string(ops[n->op <= 3 ? n->op : 0]));
	json_object_object_add(o, "action", json_object_new_string(pal_action_name(n->action)));
	json_object_object_add(o, "protocols", json_object_new_int64(n->protocols));
	for (__u32 i = 0; i < n->ncidrs; i++) {
		char b[64];

		cidr_str(&n->cidrs[i], b, sizeof(b));
		json_object_array_add(c, json_object_new_string(b));
	}
	json_object_object_add(o, "cidrs", c);
	for (__u32 i = 0; i < n->nports; i++) {
		json_object *r = json_object_new_array();

		json_object_array_add(r, json_object_new_int64(n->ports[i].lo));
		json_object_array_add(r, json_object_new_int64(n->ports[i].hi));
		json_object_array_add(p, r);
	}
	json_object_object_add(o, "ports", p);
	json_object_object_add(o, "family", json_object_new_int64((int32_t)n->family));
	json_object_object_add(o, "type", json_object_new_int64((int32_t)n->type));
	json_object_object_add(o, "protocol", json_object_new_int64((int32_t)n->protocol));
	return o;
}

/* The cgroup map entries (cgroup/emit.h), as in the tables. */
static json_object *jnet_entries(const struct pal_policy_set *set)
{
	json_object *a = json_object_new_array();
	struct pal_net_emit ne = {0};
	char cidr[64], src[PATH_MAX + 16];

	if (pal_emit_net(set, 0, &ne))
		return a;
	for (size_t i = 0; i < ne.ncidrs; i++) {
		const struct pal_net_cidr_entry *c = &ne.cidrs[i];
		json_object *e = json_object_new_object();

		cidr_key_text(&c->key, cidr, sizeof(cidr));
		json_object_object_add(e, "policy",
				       json_object_new_string(policy_name(set, c->key.policy)));
		json_object_object_add(
			e, "access",
			json_object_new_string(c->key.access == PAL_ACC_BIND ? "bind" : "connect"));
		json_object_object_add(e, "prefix", json_object_new_string(cidr));
		json_object_object_add(e, "port_table", json_object_new_int64(c->val.table));
		json_object_object_add(
			e, "action",
			json_object_new_string(c->val.action ? pal_action_name(c->val.action) :
							       "default"));
		json_object_object_add(e, "rule",
				       json_object_new_string(rule_src(
					       set, c->key.policy, c->val.rule, src, sizeof(src))));
		json_object_array_add(a, e);
	}
	pal_net_emit_free(&ne);
	return a;
}

static json_object *jdev_entries(const struct pal_policy_set *set)
{
	static const char *const bits[PAL_DEV_ACC_BITS] = {"read", "write", "mknod"};
	json_object *a = json_object_new_array();
	struct pal_dev_emit de = {0};
	char src[PATH_MAX + 16];

	if (pal_emit_dev(set, 0, &de))
		return a;
	for (size_t i = 0; i < de.nentries; i++) {
		const struct pal_dev_entry *d = &de.entries[i];

		for (int b = 0; b < PAL_DEV_ACC_BITS; b++) {
			json_object *e;

			if (!d->val.action[b])
				continue;
			e = json_object_new_object();
			json_object_object_add(
				e, "policy",
				json_object_new_string(policy_name(set, d->key.policy)));
			json_object_object_add(e, "type",
					       json_object_new_string(d->key.type == PAL_DEV_BLOCK ?
									      "block" :
									      "char"));
			json_object_object_add(
				e, "major",
				json_object_new_int64(d->key.major == PAL_DEV_KEY_ANY ?
							      -1 :
							      (int64_t)d->key.major));
			json_object_object_add(
				e, "minor",
				json_object_new_int64(d->key.minor == PAL_DEV_KEY_ANY ?
							      -1 :
							      (int64_t)d->key.minor));
			json_object_object_add(e, "access", json_object_new_string(bits[b]));
			json_object_object_add(
				e, "action",
				json_object_new_string(pal_action_name(d->val.action[b])));
			json_object_object_add(
				e, "rule",
				json_object_new_string(rule_src(set, d->key.policy, d->val.rule[b],
								src, sizeof(src))));
			json_object_array_add(a, e);
		}
	}
	pal_dev_emit_free(&de);
	return a;
}

static json_object *jdev(const struct pal_ir_policy *pol, const struct pal_ir_dev *d)
{
	json_object *o = jloc(&d->loc);

	json_object_object_add(o, "policy", json_object_new_string(pol->name));
	json_object_object_add(o, "rule", json_object_new_int64(d->rule));
	json_object_object_add(o, "type",
			       json_object_new_string(d->type == 'b' ? "block" : "char"));
	json_object_object_add(o, "major", json_object_new_int64((int32_t)d->major));
	json_object_object_add(o, "minor", json_object_new_int64((int32_t)d->minor));
	json_object_object_add(o, "access", json_object_new_int64(d->access));
	json_object_object_add(o, "action", json_object_new_string(pal_action_name(d->action)));
	return o;
}

static int print_json(const struct pal_policy_set *set, const struct pal_file_emit *fe,
		      const struct popts *opt)
{
	json_object *o = json_object_new_object(), *a;

	json_object_object_add(o, "seed", jhex(opt->seed));
	json_object_object_add(o, "seed_note", json_object_new_string(SEED_NOTE));
	json_object_object_add(o, "generation", json_object_new_int64(0));
	a = json_object_new_array();
	for (__u32 i = 0; i < set->npolicies; i++)
		json_object_array_add(a, jpolicy(&set->policies[i], i));
	json_object_object_add(o, "policies", a);
	a = json_object_new_array();
	for (size_t i = 0; i < fe->nentries; i++)
		json_object_array_add(a, jentry(set, &fe->entries[i]));
	json_object_object_add(o, "file_entries", a);
	a = json_object_new_array();
	for (size_t i = 0; i < fe->nexes; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "id", json_object_new_int64(fe->exes[i].id));
		json_object_object_add(x, "path", json_object_new_string(fe->exes[i].path));
		json_object_object_add(x, "exists", json_object_new_boolean(fe->exes[i].exists));
		json_object_object_add(x, "ino",
				       json_object_new_int64((int64_t)fe->exes[i].key.ino));
		json_object_object_add(x, "dev", json_object_new_int64(fe->exes[i].key.dev));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "exes", a);
	a = json_object_new_array();
	for (__u32 p = 0; p < set->npolicies; p++)
		for (__u32 i = 0; i < set->policies[p].nnet; i++)
			json_object_array_add(a, jnet(&set->policies[p], &set->policies[p].net[i]));
	json_object_object_add(o, "network", a);
	a = json_object_new_array();
	for (__u32 p = 0; p < set->npolicies; p++)
		for (__u32 i = 0; i < set->policies[p].ndev; i++)
			json_object_array_add(a, jdev(&set->policies[p], &set->policies[p].dev[i]));
	json_object_object_add(o, "devices", a);
	json_object_object_add(o, "network_entries", jnet_entries(set));
	json_object_object_add(o, "device_entries", jdev_entries(set));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

int cmd_compile(int argc, char **argv)
{
	struct popts o = {0};
	struct pal_policy_set *set = NULL;
	struct pal_file_emit fe;
	int rc = parse_opts(argc, argv, &o, compile_usage), err;

	if (rc >= 0)
		return rc;
	rc = load(argc, argv, &o, &set);
	if (rc >= 0) {
		pal_policy_set_free(set);
		return rc;
	}
	err = pal_emit_file(set, 0, o.seed, o.flags, &fe);
	if (err == -E2BIG) {
		if (fe.nexes > PAL_MAX_EXES / PAL_GENS)
			fprintf(stderr,
				"palisade compile: %zu 'from' executables, over PAL_MAX_EXES / "
				"PAL_GENS (%d)\n",
				fe.nexes, PAL_MAX_EXES / PAL_GENS);
		else
			fprintf(stderr,
				"palisade compile: %zu file map entries (identity keys included), "
				"over PAL_MAX_FILE_KEYS / PAL_GENS (%d)\n",
				fe.nentries, PAL_MAX_FILE_KEYS / PAL_GENS);
		pal_policy_set_free(set);
		return PAL_EXIT_POLICY;
	}
	if (err) {
		fprintf(stderr, "palisade compile: %s\n", strerror(-err));
		pal_policy_set_free(set);
		return PAL_EXIT_RUNTIME;
	}
	if (o.json)
		print_json(set, &fe, &o);
	else
		print_tables(set, &fe, &o);
	pal_file_emit_free(&fe);
	pal_policy_set_free(set);
	return PAL_EXIT_OK;
}
