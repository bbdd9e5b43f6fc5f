// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gathering for `palisade suggest`. File and exec paths go into tries of
 * path components, so that directories with many accessed entries can be
 * collapsed into one `dirs:` rule; network and device accesses go into
 * small sets. The YAML writer is review_yaml.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "review/review_suggest.h"

static const char *const file_words[] = {"read",     "write",	  "append", "exec",  "create",
					 "delete",   "rename",	  "link",   "chmod", "chown",
					 "truncate", "mmap-exec", "connect"};
static const char *const dev_words[] = {"read", "write", "mknod"};

const char *sg_file_word(unsigned int bit)
{
	return bit < SG_FILE_WORDS ? file_words[bit] : NULL;
}

const char *sg_dev_word(unsigned int bit)
{
	return bit < SG_DEV_WORDS ? dev_words[bit] : NULL;
}

static int word_bit(const char *const *words, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(words[i], w))
			return (int)i;
	return -1;
}

/* The access array as bits; -EINVAL if a word is not one of words. */
static int access_bits(const struct rv_rec *r, const char *const *words, size_t n, uint32_t *out)
{
	*out = 0;
	for (unsigned int i = 0; i < r->naccess; i++) {
		int b = word_bit(words, n, r->access[i]);

		if (b < 0)
			return -EINVAL;
		*out |= 1u << b;
	}
	return *out ? 0 : -EINVAL;
}

/* Skipped records are grouped by reason; the first of each is kept as an example. */
static void note(struct rv_suggest *s, const struct rv_rec *r, const char *why)
{
	char ts[32];
	struct rv_buf b = {0};
	size_t i;

	s->skipped++;
	for (i = 0; i < s->nnotes && strcmp(s->notes[i].why, why); i++)
		;
	if (i == SG_MAX_NOTES)
		return; /* counted in skipped; the reasons are a fixed set, far fewer */
	s->notes[i].count++;
	if (i < s->nnotes)
		return;
	rv_time_format(r->time, 0, ts, sizeof(ts));
	rv_buf_printf(&b, "%s %s %s", ts, r->event_name, r->path ? r->path : "");
	s->notes[i].why = why;
	s->notes[i].first = b.p;
	s->nnotes++;
}

/* ---- path tries ---------------------------------------------------------- */

static struct sg_node *node_new(const char *name, size_t len, struct sg_node *parent)
{
	struct sg_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = strndup(name, len);
	if (!n->name) {
		free(n);
		return NULL;
	}
	n->parent = parent;
	n->depth = parent ? parent->depth + 1 : 0;
	return n;
}

static void node_free(struct sg_node *n)
{
	while (n) {
		struct sg_node *next = n->next;

		node_free(n->child);
		free(n->name);
		free(n);
		n = next;
	}
}

/* The child called name[0, len), created in sorted position if missing. */
static struct sg_node *child(struct rv_suggest *s, struct sg_node *p, const char *name, size_t len)
{
	struct sg_node **link = &p->child, *n;

	for (; *link; link = &(*link)->next) {
		int c = strncmp((*link)->name, name, len);

		if (!c && !(*link)->name[len])
			return *link;
		if (c > 0 || (!c && (*link)->name[len]))
			break;
	}
	if (s->nodes == SG_MAX_NODES)
		return NULL;
	n = node_new(name, len, p);
	if (!n)
		return NULL;
	n->next = *link;
	*link = n;
	p->nchild++;
	s->nodes++;
	return n;
}

/*
 * A path the policy language can hold: absolute, no "." or "..", no control
 * characters, no " (deleted)" from d_path. Empty components ("//", a
 * trailing "/") are dropped, as the compiler's canonical form does.
 */
static const char *path_problem(const char *p)
{
	size_t len = strlen(p);

	if (p[0] != '/')
		return "not an absolute path";
	if (len >= 10 && !strcmp(p + len - 10, " (deleted)"))
		return "the file was deleted";
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f ||
		    ((unsigned char)c[0] == 0xc2 && (unsigned char)c[1] >= 0x80 &&
		     (unsigned char)c[1] <= 0x9f)) /* C0, DEL, C1 (U+0080..U+009F) */
			return "control characters in the path";
	for (const char *c = p; *c;) {
		const char *e = strchrnul(c + 1, '/');
		size_t n = e - c - 1;

		if ((n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
			return "'.' or '..' in the path";
		c = e;
	}
	return NULL;
}

static struct sg_node *trie_add(struct rv_suggest *s, struct sg_node *root, const char *p)
{
	struct sg_node *n = root;

	while (*p) {
		const char *e;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchrnul(p, '/');
		n = child(s, n, p, e - p);
		if (!n)
			return NULL;
		p = e;
	}
	return n;
}

/* The length of a /proc/<pid> prefix of p (followed by '/' or the end), else 0. */
static size_t proc_pid_prefix(const char *p)
{
	size_t n = strlen("/proc/"), d = strspn(p + n, "0123456789");

	if (strncmp(p, "/proc/", n) || !d || (p[n + d] && p[n + d] != '/'))
		return 0;
	return n + d;
}

/* "/proc/4242/task/4243/stat" -> "/proc/<pid>/task/<pid>/stat": every all-digit component. */
static char *proc_form(const char *p)
{
	struct rv_buf b = {0};

	while (*p) {
		const char *e = strchrnul(p + 1, '/');
		size_t d = strspn(p + 1, "0123456789");

		if (d && p + 1 + d == e)
			rv_buf_printf(&b, "/<pid>");
		else
			rv_buf_put(&b, p, e - p);
		p = e;
	}
	return b.p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_proc(struct rv_suggest *s, const struct rv_rec *r, const char *path, uint32_t access)
{
	struct sg_proc *pr = &s->proc;
	char *form = proc_form(path);
	size_t i;

	if (!form)
		return -ENOMEM;
	pr->access |= access;
	pr->count += (uint64_t)rv_rec_count(r);
	for (i = 0; i < pr->nforms && strcmp(pr->forms[i], form); i++)
		;
	if (i < pr->nforms || pr->nforms == SG_MAX_PROC_FORMS) {
		pr->more_forms |= i == pr->nforms;
		free(form);
		return 0;
	}
	pr->forms[pr->nforms++] = form;
	qsort(pr->forms, pr->nforms, sizeof(*pr->forms), cmp_str);
	return 0;
}

static int add_path(struct rv_suggest *s, struct sg_node *root, const struct rv_rec *r,
		    const char *path, uint32_t access)
{
	const char *why = path_problem(path);
	struct sg_node *n;

	if (!why && proc_pid_prefix(path) && root == s->execs)
		why = "a per-process path (/proc/<pid>/...) as an executable";
	if (why) {
		note(s, r, why);
		return 0;
	}
	if (proc_pid_prefix(path))
		return add_proc(s, r, path, access);
	n = trie_add(s, root, path);
	if (!n)
		return s->nodes == SG_MAX_NODES ? -E2BIG : -ENOMEM;
	n->direct = true;
	n->access |= access;
	n->count += (uint64_t)rv_rec_count(r);
	return 0;
}

static int add_file(struct rv_suggest *s, const struct rv_rec *r)
{
	uint32_t bits;
	int err;

	if (r->unresolved) {
		note(s, r, "the path could not be resolved (no rule can allow it)");
		return 0;
	}
	if (r->path_hex || r->path2_hex) {
		note(s, r, "the name is not valid UTF-8 (no rule can name it)");
		return 0;
	}
	/* not file access words: a policy key, or nothing, allows them */
	if (r->op && !strcmp(r->op, "mount")) {
		note(s, r,
		     "a mount (no files: rule allows it; the policy key 'mounts: allow' or "
		     "'mounts: audit' does, for every mount of the target)");
		return 0;
	}
	if (r->op && !strcmp(r->op, "cgroup_move")) {
		note(s, r, "a move to another cgroup (no policy allows it for a confined task)");
		return 0;
	}
	if (!r->path || access_bits(r, file_words, SG_FILE_WORDS, &bits)) {
		note(s, r, "no path or unknown access words");
		return 0;
	}
	err = add_path(s, s->files, r, r->path, bits);
	if (!err && r->path2) /* rename and link need the access on both names */
		err = add_path(s, s->files, r, r->path2, bits);
	return err;
}

static int add_exec(struct rv_suggest *s, const struct rv_rec *r)
{
	if (!r->path) {
		note(s, r, "exec record without a path");
		return 0;
	}
	if (r->path_hex) {
		note(s, r, "the name is not valid UTF-8 (no rule can name it)");
		return 0;
	}
	return add_path(s, s->execs, r, r->path, 0);
}

/* ---- network and devices ------------------------------------------------- */

static int add_port(uint16_t *ports, size_t *n, int64_t port)
{
	size_t i;

	for (i = 0; i < *n && ports[i] < port; i++)
		;
	if (i < *n && ports[i] == port)
		return 0;
	if (*n == SG_MAX_PORTS)
		return -E2BIG;
	memmove(ports + i + 1, ports + i, (*n - i) * sizeof(*ports));
	ports[i] = (uint16_t)port;
	(*n)++;
	return 0;
}

/* "10.0.0.5" -> "10.0.0.5/32"; "::ffff:10.0.0.5" -> IPv4 too; "fd00::1" -> "/128". */
static int host_cidr(const char *addr, char *out, size_t len)
{
	unsigned char a[16];
	char txt[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, addr, a) == 1) {
		inet_ntop(AF_INET, a, txt, sizeof(txt));
		snprintf(out, len, "%s/32", txt);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, a) != 1)
		return -EINVAL;
	if (!memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		inet_ntop(AF_INET, a + 12, txt, sizeof(txt));
		snprintf(out, len, "%s/32", txt);
		return 0;
	}
	inet_ntop(AF_INET6, a, txt, sizeof(txt));
	snprintf(out, len, "%s/128", txt);
	return 0;
}

static unsigned int proto_bit(const char *p)
{
	if (p && !strcmp(p, "tcp"))
		return SG_TCP;
	if (p && !strcmp(p, "udp"))
		return SG_UDP;
	return SG_OTHER;
}

static struct sg_dest *dest_get(struct rv_suggest *s, const char *cidr)
{
	struct sg_dest *d;

	for (size_t i = 0; i < s->ndests; i++)
		if (!strcmp(s->dests[i].cidr, cidr))
			return &s->dests[i];
	if (s->ndests == SG_MAX_DESTS)
		return NULL;
	if (!s->dests) {
		s->dests = calloc(SG_MAX_DESTS, sizeof(*s->dests));
		if (!s->dests)
			return NULL;
	}
	d = &s->dests[s->ndests++];
	snprintf(d->cidr, sizeof(d->cidr), "%s", cidr);
	return d;
}

static int add_connect(struct rv_suggest *s, const struct rv_rec *r)
{
	char cidr[64];
	struct sg_dest *d;
	int64_t port = rv_has(r, RV_I_DPORT) ? r->num[RV_I_DPORT] : 0;

	if (!r->daddr || host_cidr(r->daddr, cidr, sizeof(cidr))) {
		note(s, r, "connect without a valid destination address");
		return 0;
	}
	d = dest_get(s, cidr);
	if (!d)
		return -E2BIG;
	d->protocols |= proto_bit(r->protocol);
	d->count += (uint64_t)rv_rec_count(r);
	if (port < 1 || port > 65535) {
		d->any_port = true; /* the rule then covers every port: said in a comment */
		return 0;
	}
	return add_port(d->ports, &d->nports, port);
}

static int add_bind(struct rv_suggest *s, const struct rv_rec *r)
{
	int64_t port = rv_has(r, RV_I_DPORT) ? r->num[RV_I_DPORT] : 0;

	if (port < 1 || port > 65535) {
		note(s, r, "bind without a port (an ephemeral port: nothing to allow)");
		return 0;
	}
	s->bind_count += (uint64_t)rv_rec_count(r);
	return add_port(s->bind_ports, &s->nbind, port);
}

static int add_socket(struct rv_suggest *s, const struct rv_rec *r)
{
	size_t i;

	if (!r->family) {
		note(s, r, "socket record without a family");
		return 0;
	}
	for (i = 0; i < s->nfamilies; i++)
		if (!strcmp(s->families[i], r->family))
			break;
	if (i == s->nfamilies) {
		if (i == sizeof(s->families) / sizeof(s->families[0]))
			return -E2BIG;
		s->families[i] = strdup(r->family);
		if (!s->families[i])
			return -ENOMEM;
		s->nfamilies++;
	}
	s->family_count[i] += (uint64_t)rv_rec_count(r);
	return 0;
}

static int add_network(struct rv_suggest *s, const struct rv_rec *r)
{
	if (!r->op) {
		note(s, r, "network record without an op");
		return 0;
	}
	if (!strcmp(r->op, "connect") || !strcmp(r->op, "sendmsg"))
		return add_connect(s, r);
	if (!strcmp(r->op, "bind"))
		return add_bind(s, r);
	if (!strcmp(r->op, "socket"))
		return add_socket(s, r);
	note(s, r, "unknown network op");
	return 0;
}

static int add_device(struct rv_suggest *s, const struct rv_rec *r)
{
	char type = r->dev_type && !strcmp(r->dev_type, "block") ? 'b' : 'c';
	uint32_t bits;
	size_t i;

	if (!r->dev_type || !rv_has(r, RV_I_MAJOR) || !rv_has(r, RV_I_MINOR) ||
	    access_bits(r, dev_words, SG_DEV_WORDS, &bits)) {
		note(s, r, "device record without type, major, minor or access");
		return 0;
	}
	for (i = 0; i < s->ndevs; i++)
		if (s->devs[i].type == type && s->devs[i].major == r->num[RV_I_MAJOR] &&
		    s->devs[i].minor == r->num[RV_I_MINOR])
			break;
	if (i == s->ndevs) {
		if (i == sizeof(s->devs) / sizeof(s->devs[0]))
			return -E2BIG;
		s->devs[i] = (struct sg_dev){type, r->num[RV_I_MAJOR], r->num[RV_I_MINOR], 0, 0};
		s->ndevs++;
	}
	s->devs[i].access |= bits;
	s->devs[i].count += (uint64_t)rv_rec_count(r);
	return 0;
}

/* ---- records ------------------------------------------------------------- */

static void add_cgroup(struct rv_suggest *s, const char *cg)
{
	for (size_t i = 0; i < s->ncgroups; i++)
		if (!strcmp(s->cgroups[i], cg))
			return;
	if (s->ncgroups < SG_MAX_CGROUPS && (s->cgroups[s->ncgroups] = strdup(cg)))
		s->ncgroups++;
}

/* Namespaces are DNS labels; anything else (a '*' above all) would widen a selector. */
static void add_namespace(struct rv_suggest *s, const char *ns)
{
	if (!ns) {
		s->ns_missing = true;
		return;
	}
	if (!rv_suggest_name_ok(ns)) {
		if (!s->ns_bad)
			s->ns_bad = strdup(ns);
		return;
	}
	for (size_t i = 0; i < s->nnamespaces; i++)
		if (!strcmp(s->namespaces[i], ns))
			return;
	if (s->nnamespaces < SG_MAX_NAMESPACES && (s->namespaces[s->nnamespaces] = strdup(ns)))
		s->nnamespaces++;
}

size_t rv_suggest_namespaces(const struct rv_suggest *s, const struct rv_suggest_opts *o,
			     const char *const **out, const char **err)
{
	*err = NULL;
	if (o->ns) {
		*out = &o->ns;
		return 1;
	}
	if (s->ns_bad)
		*err = "a record's namespace is not a Kubernetes name; give --namespace";
	else if (s->nnamespaces == SG_MAX_NAMESPACES)
		*err = "records of too many namespaces; give --namespace";
	else if (!s->ns_missing)
		*out = (const char *const *)s->namespaces;
	return *err ? 0 : s->nnamespaces * !s->ns_missing;
}

int rv_suggest_add(struct rv_suggest *s, const struct rv_rec *r)
{
	uint64_t skipped = s->skipped;
	int err;

	switch (r->event) {
	case RV_EV_FILE:
		err = add_file(s, r);
		break;
	case RV_EV_EXEC:
		err = add_exec(s, r);
		break;
	case RV_EV_NETWORK:
		err = add_network(s, r);
		break;
	case RV_EV_DEVICE:
		err = add_device(s, r);
		break;
	default:
		return 0; /* lost, policy, agent: nothing to allow */
	}
	if (err || s->skipped != skipped)
		return err; /* a skipped record is in the notes, not in the counts */
	s->records++;
	if (r->time < s->first)
		s->first = r->time;
	if (r->time > s->last)
		s->last = r->time;
	if (r->cgroup)
		add_cgroup(s, r->cgroup);
	add_namespace(s, r->ns);
	return 0;
}

int rv_suggest_init(struct rv_suggest *s, unsigned int collapse)
{
	memset(s, 0, sizeof(*s));
	s->collapse = collapse;
	s->first = INT64_MAX;
	s->last = INT64_MIN;
	s->files = node_new("", 0, NULL);
	s->execs = node_new("", 0, NULL);
	if (!s->files || !s->execs) {
		rv_suggest_free(s);
		return -ENOMEM;
	}
	return 0;
}

void rv_suggest_free(struct rv_suggest *s)
{
	node_free(s->files);
	node_free(s->execs);
	free(s->dests);
	for (size_t i = 0; i < s->nfamilies; i++)
		free(s->families[i]);
	for (size_t i = 0; i < s->ncgroups; i++)
		free(s->cgroups[i]);
	for (size_t i = 0; i < s->nnamespaces; i++)
		free(s->namespaces[i]);
	free((char *)s->ns_bad);
	for (size_t i = 0; i < s->nnotes; i++)
		free(s->notes[i].first);
	for (size_t i = 0; i < s->proc.nforms; i++)
		free(s->proc.forms[i]);
	memset(s, 0, sizeof(*s));
}

bool rv_suggest_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 1 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-'))
			return false;
	return true;
}
