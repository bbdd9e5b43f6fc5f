// SPDX-License-Identifier: GPL-2.0-only
/* network: list items (connect, bind, socket) into struct pal_ir_net. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "policies/policy_int.h"

enum { N_CONNECT, N_BIND, N_SOCKET, N_PORTS, N_PROTOCOLS, N_ACTION, N_NKEYS };
static const char *const net_keys[N_NKEYS] = {
	"connect", "bind", "socket", "ports", "protocols", "action",
};
static const struct pal_keys net_k = {"network rule", net_keys, N_NKEYS};

enum { B_ADDRESSES, B_PORTS, B_PROTOCOLS, B_NKEYS };
static const char *const bind_keys[B_NKEYS] = {"addresses", "ports", "protocols"};
static const struct pal_keys bind_k = {"bind", bind_keys, B_NKEYS};

enum { S_FAMILY, S_TYPE, S_PROTOCOL, S_NKEYS };
static const char *const sock_keys[S_NKEYS] = {"family", "type", "protocol"};
static const struct pal_keys sock_k = {"socket", sock_keys, S_NKEYS};

/* ---- CIDRs ------------------------------------------------------------- */

/* Clear host bits past prefix; returns true if any was set. */
static bool clear_host_bits(__u8 *a, unsigned int prefix)
{
	bool set = false;

	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
		__u8 mask = (__u8)(keep ? 0xff << (8 - keep) : 0);

		if (a[i] & ~mask)
			set = true;
		a[i] &= mask;
	}
	return set;
}

static int parse_prefix(const char *s, unsigned int max, unsigned int *out)
{
	unsigned int x = 0;
	size_t n = strlen(s);

	if (!n || strspn(s, "0123456789") != n)
		return -EINVAL;
	if (n > 1 && s[0] == '0')
		return -EDOM; /* "08": a leading zero, not a range error */
	if (n > 3)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		x = x * 10 + (unsigned int)(s[i] - '0');
	}
	if (x > max)
		return -ERANGE;
	*out = x;
	return 0;
}

static void cidr_text(const struct pal_ir_cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (c->v4)
		inet_ntop(AF_INET, c->addr + 12, a, sizeof(a));
	else
		inet_ntop(AF_INET6, c->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, c->v4 ? c->prefix - 96u : c->prefix);
}

static int parse_cidr(struct pal_parse *p, const struct pal_node *v, struct pal_ir_cidr *c)
{
	char buf[64], fix[64];
	char *slash;
	unsigned int prefix, max;
	const char *q;

	if (v->type != PAL_N_SCALAR) {
		pal_err(p, v, "CIDRs must be strings, found %s", pal_node_kind(v));
		return -EINVAL;
	}
	q = pal_q(p, v->str, v->len);
	if (v->len >= sizeof(buf) || memchr(v->str, 0, v->len))
		goto bad_addr;
	memcpy(buf, v->str, v->len + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	memset(c, 0, sizeof(*c));
	c->v4 = !strchr(buf, ':');
	max = c->v4 ? 32 : 128;
	if (c->v4) {
		c->addr[10] = c->addr[11] = 0xff; /* ::ffff:a.b.c.d */
		if (inet_pton(AF_INET, buf, c->addr + 12) != 1)
			goto bad_addr;
	} else if (inet_pton(AF_INET6, buf, c->addr) != 1) {
		goto bad_addr;
	}
	prefix = max;
	if (slash && parse_prefix(slash, max, &prefix) == -EDOM) {
		const char *digits = slash + strspn(slash, "0");

		pal_err(p, v,
			"invalid CIDR '%s': prefix length '%s' has a leading zero; write '/%.3s'",
			q, slash, *digits ? digits : "0");
		return -EINVAL;
	}
	if (slash && parse_prefix(slash, max, &prefix)) {
		pal_err(p, v, "invalid CIDR '%s': %s prefix length must be 0 to %u", q,
			c->v4 ? "IPv4" : "IPv6", max);
		return -EINVAL;
	}
	c->prefix = (__u8)(c->v4 ? prefix + 96 : prefix);
	if (clear_host_bits(c->addr, c->prefix)) {
		cidr_text(c, fix, sizeof(fix));
		pal_err(p, v, "invalid CIDR '%s': host bits are set; did you mean '%s'?", q, fix);
		return -EINVAL;
	}
	return 0;
bad_addr:
	pal_err(p, v, "invalid CIDR '%s': not an IPv4 or IPv6 address", q);
	return -EINVAL;
}

static int parse_cidrs(struct pal_parse *p, const struct pal_node *v, const char *key,
		       struct pal_ir_net *r)
{
	struct pal_ir_cidr *c;

	if (!pal_want_list(p, v, key))
		return -EINVAL;
	if (v->n > PAL_POLICY_CIDRS_MAX) {
		pal_err(p, v, "'%s' has more than PAL_POLICY_CIDRS_MAX (%d) CIDRs", key,
			PAL_POLICY_CIDRS_MAX);
		return -EINVAL;
	}
	c = pal_arena_array(p->ir, v->n, sizeof(*c));
	if (!c) {
		p->oom = true;
		return -ENOMEM;
	}
	for (const struct pal_node *e = v->kids; e; e = e->next)
		if (!parse_cidr(p, e, &c[r->ncidrs]))
			r->ncidrs++;
	r->cidrs = c;
	return 0;
}

/* ---- ports and protocols ---------------------------------------------- */

static int port_num(const char *s, size_t n, unsigned long *out)
{
	struct pal_node tmp = {.type = PAL_N_SCALAR, .str = s, .len = n};

	return pal_parse_uint(&tmp, 65535, out) || !*out ? -EINVAL : 0;
}

static int parse_port(struct pal_parse *p, const struct pal_node *v, struct pal_ir_ports *r)
{
	const char *dash, *q;
	unsigned long lo, hi;

	if (v->type != PAL_N_SCALAR) {
		pal_err(p, v, "ports must be numbers or ranges, found %s", pal_node_kind(v));
		return -EINVAL;
	}
	q = pal_q(p, v->str, v->len);
	dash = memchr(v->str, '-', v->len);
	if (dash ? port_num(v->str, (size_t)(dash - v->str), &lo) ||
			    port_num(dash + 1, v->len - (size_t)(dash - v->str) - 1, &hi) :
		   port_num(v->str, v->len, &lo)) {
		pal_err(p, v, "invalid port '%s': ports are 1 to 65535, ranges are LOW-HIGH", q);
		return -EINVAL;
	}
	if (!dash)
		hi = lo;
	if (lo > hi) {
		pal_err(p, v, "invalid port range '%s': %lu is above %lu", q, lo, hi);
		return -EINVAL;
	}
	r->lo = (__u16)lo;
	r->hi = (__u16)hi;
	return 0;
}

static int parse_ports(struct pal_parse *p, const struct pal_node *v, struct pal_ir_net *r)
{
	struct pal_ir_ports *ports;

	if (!pal_want_list(p, v, "ports"))
		return -EINVAL;
	if (v->n > PAL_POLICY_PORTS_MAX) {
		pal_err(p, v, "'ports' has more than PAL_POLICY_PORTS_MAX (%d) entries",
			PAL_POLICY_PORTS_MAX);
		return -EINVAL;
	}
	ports = pal_arena_array(p->ir, v->n, sizeof(*ports));
	if (!ports) {
		p->oom = true;
		return -ENOMEM;
	}
	for (const struct pal_node *e = v->kids; e; e = e->next)
		if (!parse_port(p, e, &ports[r->nports]))
			r->nports++;
	r->ports = ports;
	return 0;
}

static const char *const proto_words[] = {"tcp", "udp"};

static void parse_protocols(struct pal_parse *p, const struct pal_node *v, struct pal_ir_net *r)
{
	r->protocols = 0;
	if (!pal_want_list(p, v, "protocols")) {
		r->protocols = PAL_PROTO_ALL;
		return;
	}
	for (const struct pal_node *e = v->kids; e; e = e->next) {
		int i = pal_word(p, e, "protocol", proto_words, PAL_ARRAY_SIZE(proto_words));

		if (i >= 0)
			r->protocols |= (__u8)(1u << i);
	}
}

/* ---- socket ------------------------------------------------------------ */

struct named {
	const char *name;
	__u32 value;
};

static const struct named families[] = {
	{"unix", AF_UNIX},	 {"inet", AF_INET},	      {"inet6", AF_INET6},
	{"netlink", AF_NETLINK}, {"packet", AF_PACKET},	      {"key", AF_KEY},
	{"can", AF_CAN},	 {"tipc", AF_TIPC},	      {"bluetooth", AF_BLUETOOTH},
	{"alg", AF_ALG},	 {"vsock", AF_VSOCK},	      {"xdp", AF_XDP},
	{"rds", AF_RDS},	 {"appletalk", AF_APPLETALK},
};

static const struct named types[] = {
	{"stream", SOCK_STREAM}, {"dgram", SOCK_DGRAM},		{"raw", SOCK_RAW},
	{"rdm", SOCK_RDM},	 {"seqpacket", SOCK_SEQPACKET},
};

static const struct named inet_protos[] = {
	{"icmp", IPPROTO_ICMP}, {"tcp", IPPROTO_TCP},	    {"udp", IPPROTO_UDP},
	{"sctp", IPPROTO_SCTP}, {"icmpv6", IPPROTO_ICMPV6}, {"udplite", IPPROTO_UDPLITE},
	{"raw", IPPROTO_RAW},
};

static const struct named netlink_protos[] = {
	{"route", NETLINK_ROUTE},	  {"sock_diag", NETLINK_SOCK_DIAG},
	{"nflog", NETLINK_NFLOG},	  {"xfrm", NETLINK_XFRM},
	{"selinux", NETLINK_SELINUX},	  {"audit", NETLINK_AUDIT},
	{"netfilter", NETLINK_NETFILTER}, {"kobject_uevent", NETLINK_KOBJECT_UEVENT},
	{"generic", NETLINK_GENERIC},	  {"crypto", NETLINK_CRYPTO},
};

static int named_word(struct pal_parse *p, const struct pal_node *v, const char *what,
		      const struct named *t, size_t n, __u32 *out)
{
	const char *words[16];
	int i;

	for (size_t j = 0; j < n; j++)
		words[j] = t[j].name;
	i = pal_word(p, v, what, words, n);
	if (i < 0)
		return -EINVAL;
	*out = t[i].value;
	return 0;
}

static int sock_protocol(struct pal_parse *p, const struct pal_node *v, struct pal_ir_net *r)
{
	unsigned long x;

	if (!pal_want(p, v, "protocol", PAL_N_SCALAR))
		return -EINVAL;
	if (!pal_parse_uint(v, PAL_SOCK_PROTO_MAX, &x)) {
		r->protocol = (__u32)x;
		return 0;
	}
	if (r->family == AF_INET || r->family == AF_INET6)
		return named_word(p, v, "protocol", inet_protos, PAL_ARRAY_SIZE(inet_protos),
				  &r->protocol);
	if (r->family == AF_NETLINK)
		return named_word(p, v, "netlink protocol", netlink_protos,
				  PAL_ARRAY_SIZE(netlink_protos), &r->protocol);
	pal_err(p, v, "invalid protocol '%s': use a number 0 to %d for this family",
		pal_q(p, v->str, v->len), PAL_SOCK_PROTO_MAX);
	return -EINVAL;
}

static void parse_socket(struct pal_parse *p, const struct pal_node *s, struct pal_ir_net *r)
{
	const struct pal_node *v[S_NKEYS], *k[S_NKEYS];

	if (!pal_want(p, s, "socket", PAL_N_MAP))
		return;
	pal_map_keys(p, s, &sock_k, v, k);
	if (pal_absent(v, k, S_FAMILY))
		pal_err(p, s, "socket is missing 'family'");
	else if (v[S_FAMILY] && pal_want(p, v[S_FAMILY], "family", PAL_N_SCALAR))
		named_word(p, v[S_FAMILY], "socket family", families, PAL_ARRAY_SIZE(families),
			   &r->family);
	if (v[S_TYPE] && pal_want(p, v[S_TYPE], "type", PAL_N_SCALAR))
		named_word(p, v[S_TYPE], "socket type", types, PAL_ARRAY_SIZE(types), &r->type);
	if (v[S_PROTOCOL])
		sock_protocol(p, v[S_PROTOCOL], r);
}

/* ---- the rule ---------------------------------------------------------- */

static void parse_bind(struct pal_parse *p, const struct pal_node *bn, struct pal_ir_net *r)
{
	const struct pal_node *v[B_NKEYS], *k[B_NKEYS];

	if (!pal_want(p, bn, "bind", PAL_N_MAP))
		return;
	pal_map_keys(p, bn, &bind_k, v, k);
	if (v[B_ADDRESSES])
		parse_cidrs(p, v[B_ADDRESSES], "addresses", r);
	if (v[B_PORTS])
		parse_ports(p, v[B_PORTS], r);
	if (v[B_PROTOCOLS])
		parse_protocols(p, v[B_PROTOCOLS], r);
}

/* Exactly one of connect/bind/socket; returns its index or -1. */
static int pick_op(struct pal_parse *p, const struct pal_node *item, const struct pal_node **v,
		   const struct pal_node **k)
{
	int op = -1;

	for (int i = N_CONNECT; i <= N_SOCKET; i++) {
		if (!v[i])
			continue;
		if (op >= 0) {
			const struct pal_node *later =
				k[i]->line > k[op]->line || (k[i]->line == k[op]->line &&
							     k[i]->col > k[op]->col) ?
					k[i] :
					k[op];

			pal_err(p, later, "network rule has both '%s' and '%s': write one per rule",
				net_keys[op], net_keys[i]);
			return -1;
		}
		op = i;
	}
	if (op < 0 && pal_absent(v, k, N_CONNECT) && pal_absent(v, k, N_BIND) &&
	    pal_absent(v, k, N_SOCKET))
		pal_err(p, item, "network rule needs one of 'connect', 'bind' or 'socket'");
	return op;
}

static void misplaced(struct pal_parse *p, const struct pal_node *key, int op)
{
	if (op == N_BIND)
		pal_err(p, key, "'%s' belongs inside 'bind' (bind: { %s: [...] })", key->str,
			key->str);
	else
		pal_err(p, key, "'%s' is not allowed in a socket rule", key->str);
}

int pal_rule_net(struct pal_parse *p, struct pal_pol_build *b, const struct pal_node *item)
{
	const struct pal_node *v[N_NKEYS], *k[N_NKEYS];
	struct pal_ir_net *r;
	struct pal_ir_rule *rule;
	int op;

	if (item->type != PAL_N_MAP) {
		pal_err(p, item, "a network rule must be a mapping, found %s", pal_node_kind(item));
		return 0;
	}
	rule = pal_rule_new(b, item, PAL_CLASS_NET);
	r = &b->net[b->pol->nnet++];
	*r = (struct pal_ir_net){.rule = rule->index, .protocols = PAL_PROTO_ALL};
	r->family = r->type = r->protocol = PAL_SOCK_ANY;
	r->loc = rule->loc;
	pal_map_keys(p, item, &net_k, v, k);
	op = pick_op(p, item, v, k);
	if (pal_absent(v, k, N_ACTION))
		pal_err(p, item, "network rule is missing 'action'");
	else if (v[N_ACTION] && !pal_parse_action(p, v[N_ACTION], &rule->action))
		rule->action_loc = (struct pal_loc){p->file, v[N_ACTION]->line, v[N_ACTION]->col};
	r->action = rule->action;
	if (op < 0)
		return 0;
	r->op = (__u8)(op == N_CONNECT ? PAL_NET_CONNECT :
		       op == N_BIND    ? PAL_NET_BIND :
					 PAL_NET_SOCKET);
	for (int i = N_PORTS; i <= N_PROTOCOLS; i++)
		if (v[i] && op != N_CONNECT)
			misplaced(p, k[i], op);
	if (op == N_CONNECT) {
		if (parse_cidrs(p, v[N_CONNECT], "connect", r) == -ENOMEM)
			return -ENOMEM;
		if (v[N_PORTS] && parse_ports(p, v[N_PORTS], r) == -ENOMEM)
			return -ENOMEM;
		if (v[N_PROTOCOLS])
			parse_protocols(p, v[N_PROTOCOLS], r);
	} else if (op == N_BIND) {
		parse_bind(p, v[N_BIND], r);
	} else {
		parse_socket(p, v[N_SOCKET], r);
	}
	return p->oom ? -ENOMEM : 0;
}
