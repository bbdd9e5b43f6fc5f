// SPDX-License-Identifier: GPL-2.0-only
/*
 * The explain view of compiled policy as tables (palisade compile): the
 * policies, the file map entries with their decision and source rules, the
 * network and device rules, then their map entries. Also the pieces of text
 * and the decision that the JSON view (policy_json.c) shares.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "agent/policy_view.h"
#include "policies/automaton.h"

/* ---- pieces the JSON view shares ------------------------------------------ */

const char *pal_view_kind_name(__u8 kind)
{
	static const char *const n[] = {"?", "exact", "dir", "inode", "dir-inode", "pattern"};

	return n[(kind & ~PAL_KEY_FROM) <= PAL_KEY_PATTERN ? kind & ~PAL_KEY_FROM : 0];
}

struct pal_view_decision pal_view_decide(const struct pal_ir_policy *pol,
					 const struct pal_file_entry *e)
{
	struct pal_view_decision d = {
		.deny = e->val.deny,
		.audit = e->val.audit & ~e->val.deny,
		.allow = e->val.allow & ~(e->val.deny | e->val.audit),
		.dflt = pol->defaults[e->key.class],
		.audit_mode = pol->mode == PAL_MODE_AUDIT,
	};
	return d;
}

void pal_view_cidr(const struct pal_ir_cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(c->v4 ? AF_INET : AF_INET6, c->v4 ? c->addr + 12 : c->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, c->v4 ? c->prefix - 96u : c->prefix);
}

/* "FILE:LINE" of rule idx of policy p, or "default". */
const char *pal_view_rule_src(const struct pal_policy_set *set, __u32 p, __u32 rule, char *buf,
			      size_t len)
{
	const struct pal_ir_policy *pol = p < set->npolicies ? &set->policies[p] : NULL;

	if (!pol || rule >= pol->nrules)
		return "default";
	snprintf(buf, len, "%s:%u", pol->rules[rule].loc.file, pol->rules[rule].loc.line);
	return buf;
}

const char *pal_view_policy_name(const struct pal_policy_set *set, __u32 p)
{
	return p < set->npolicies ? set->policies[p].name : "?";
}

/* An LPM key's address as CIDR text (prefixlen counts the fixed bytes too). */
void pal_view_cidr_key(const struct pal_net_cidr_key *k, char *buf, size_t len)
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

/* ---- tables ------------------------------------------------------------ */

static void decision_text(const struct pal_view_decision *d, __u8 class, char *buf, size_t len)
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
		struct pal_view_decision d = pal_view_decide(pol, e);
		char kind[24];

		snprintf(kind, sizeof(kind), "%s%s", pal_view_kind_name(e->key.kind),
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
	if (fe->autom)
		printf("\nPATTERN AUTOMATON (pal_pat_*): %zu states, %zu lookup entries, %zu "
		       "general globs, %zu accept entries, for %u pattern keys\n",
		       fe->autom->nstates, fe->autom->nedges, fe->autom->nglobs, fe->autom->naccept,
		       fe->nlabels);
	printf("\nEXECUTABLES (pal_exes, for from: rules): %zu\n", fe->nexes);
	for (size_t i = 0; i < fe->nexes; i++) {
		const struct pal_exe *x = &fe->exes[i];

		if (x->alias)
			printf("  %-3u (the file of exe %u: same id)          %s\n", x->id, x->id,
			       x->path);
		else if (x->exists)
			printf("  %-3u ino %-12" PRIu64 " dev 0x%-8x %s\n", x->id,
			       (uint64_t)x->key.ino, x->key.dev, x->path);
		else
			printf("  %-3u (not on this host: no pal_exes entry)  %s\n", x->id,
			       x->path);
	}
}

static void cidrs_text(const struct pal_ir_net *n, char *buf, size_t len)
{
	size_t o = 0;

	snprintf(buf, len, "any");
	for (__u32 i = 0; i < n->ncidrs && o < len; i++) {
		char a[64];

		pal_view_cidr(&n->cidrs[i], a, sizeof(a));
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

/* ---- network and device map entries (policies/emit.h) ------------------------ */

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

		pal_view_cidr_key(&c->key, cidr, sizeof(cidr));
		if (c->val.table)
			snprintf(dec, sizeof(dec), "port table %u", c->val.table);
		else
			snprintf(dec, sizeof(dec), "%s",
				 c->val.action ? pal_action_name(c->val.action) : "default");
		printf("  %-20s %-8s %-30s %-20s %s\n", pal_view_policy_name(set, c->key.policy),
		       c->key.access == PAL_ACC_BIND ? "bind" : "connect", cidr, dec,
		       c->val.table ? "-" :
				      pal_view_rule_src(set, c->key.policy, c->val.rule, src,
							sizeof(src)));
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

		printf("  %-20s %-7u %-6u %-9u %-8s %s\n", pal_view_policy_name(set, e->key.policy),
		       e->key.family, e->key.type, e->key.protocol, pal_action_name(e->val.action),
		       pal_view_rule_src(set, e->key.policy, e->val.rule, src, sizeof(src)));
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
			       pal_view_policy_name(set, e->key.policy),
			       e->key.type == PAL_DEV_BLOCK ? "block" : "char", maj, min, bits[b],
			       pal_action_name(e->val.action[b]),
			       pal_view_rule_src(set, e->key.policy, e->val.rule[b], src,
						 sizeof(src)));
		}
	}
}

void pal_view_text(const struct pal_policy_set *set, const struct pal_file_emit *fe, __u64 seed)
{
	struct pal_net_emit ne = {0};
	struct pal_dev_emit de = {0};

	printf("palisade compile: seed 0x%016" PRIx64 " (%s), generation slot 0\n\n",
	       (uint64_t)seed, PAL_VIEW_SEED_NOTE);
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
