// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whole-policy warnings: rules that can have no effect (allow under a
 * default of allow), duplicate rules, and Unix sockets named without `connect`. Hash tables keep this linear.
 * One error: a rule path below an existing case-insensitive directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policies/policy_int.h"

static void no_effect(struct pal_parse *p, const struct pal_ir_policy *pol)
{
	if (pol->default_action != PAL_ACT_ALLOW)
		return;
	for (__u32 i = 0; i < pol->nrules; i++) {
		const struct pal_ir_rule *r = &pol->rules[i];

		if (r->action == PAL_ACT_ALLOW)
			pal_diag_at(p, PAL_SEV_WARNING, r->action_loc.line, r->action_loc.col,
				    "rule can never take effect: it allows, and the policy's "
				    "default is already 'allow' (allow never overrides a deny)");
	}
}

/* ---- duplicate file/exec entries --------------------------------------- */

static bool from_eq(const struct pal_ir_file *a, const struct pal_ir_file *b)
{
	if (a->nfrom != b->nfrom)
		return false;
	for (__u32 i = 0; i < a->nfrom; i++)
		if (strcmp(a->from[i], b->from[i]))
			return false;
	return true;
}

struct file_cmp {
	const struct pal_ir_file *files;
	const struct pal_ir_file *cur;
};

static bool file_eq(const void *ctx, uint32_t idx)
{
	const struct file_cmp *c = ctx;
	const struct pal_ir_file *a = &c->files[idx], *b = c->cur;

	return a->class == b->class && a->kind == b->kind && a->action == b->action &&
	       a->access == b->access && a->len == b->len && !memcmp(a->path, b->path, a->len) &&
	       from_eq(a, b);
}

static uint64_t file_hash(const struct pal_ir_file *f)
{
	uint64_t h = pal_hash_bytes(f->class | f->kind << 8 | (uint64_t)f->action << 16 |
					    (uint64_t)f->access << 24,
				    f->path, f->len);

	for (__u32 i = 0; i < f->nfrom; i++)
		h = pal_hash_bytes(h, f->from[i], strlen(f->from[i]) + 1);
	return h;
}

static int dup_files(struct pal_parse *p, const struct pal_ir_policy *pol)
{
	struct file_cmp c = {.files = pol->files};
	struct pal_hset h;

	if (pal_hset_init(&h, pol->nfiles))
		return -ENOMEM;
	for (size_t i = 0; i < pol->nfiles; i++) {
		const struct pal_ir_file *f = &pol->files[i];
		long j;

		c.cur = f;
		j = pal_hset_find_or_add(&h, file_hash(f), (uint32_t)i, file_eq, &c);
		if (j == -2) {
			pal_hset_free(&h);
			return -ENOMEM;
		}
		if (j >= 0)
			pal_diag_at(p, PAL_SEV_WARNING, f->loc.line, f->loc.col,
				    "duplicate rule: '%s' has the same access and action at "
				    "line %u, column %u",
				    pal_q(p, f->path, f->len), pol->files[j].loc.line,
				    pol->files[j].loc.col);
	}
	pal_hset_free(&h);
	return 0;
}

/* ---- duplicate network and device rules -------------------------------- */

static bool net_eq(const void *ctx, uint32_t idx)
{
	const struct pal_ir_net *const *c = ctx;
	const struct pal_ir_net *a = &c[0][idx], *b = c[1];

	return a->op == b->op && a->action == b->action && a->protocols == b->protocols &&
	       a->family == b->family && a->type == b->type && a->protocol == b->protocol &&
	       a->ncidrs == b->ncidrs && a->nports == b->nports &&
	       (!a->ncidrs || !memcmp(a->cidrs, b->cidrs, a->ncidrs * sizeof(*a->cidrs))) &&
	       (!a->nports || !memcmp(a->ports, b->ports, a->nports * sizeof(*a->ports)));
}

static uint64_t net_hash(const struct pal_ir_net *n)
{
	__u32 head[6] = {n->op, n->action, n->protocols, n->family, n->type, n->protocol};
	uint64_t h = pal_hash_bytes(0, head, sizeof(head));

	h = pal_hash_bytes(h, n->cidrs, n->ncidrs * sizeof(*n->cidrs));
	return pal_hash_bytes(h, n->ports, n->nports * sizeof(*n->ports));
}

static bool dev_eq(const void *ctx, uint32_t idx)
{
	const struct pal_ir_dev *const *c = ctx;
	const struct pal_ir_dev *a = &c[0][idx], *b = c[1];

	return a->type == b->type && a->action == b->action && a->major == b->major &&
	       a->minor == b->minor && a->access == b->access;
}

static uint64_t dev_hash(const struct pal_ir_dev *d)
{
	__u32 k[5] = {d->type, d->action, d->major, d->minor, d->access};

	return pal_hash_bytes(0, k, sizeof(k));
}

static void dup_warn(struct pal_parse *p, const struct pal_loc *at, const struct pal_loc *first)
{
	pal_diag_at(p, PAL_SEV_WARNING, at->line, at->col,
		    "duplicate rule: same as the rule at line %u, column %u", first->line,
		    first->col);
}

static int dup_net(struct pal_parse *p, const struct pal_ir_policy *pol)
{
	const struct pal_ir_net *c[2] = {pol->net, NULL};
	struct pal_hset h;

	if (pal_hset_init(&h, pol->nnet))
		return -ENOMEM;
	for (__u32 i = 0; i < pol->nnet; i++) {
		long j;

		c[1] = &pol->net[i];
		j = pal_hset_find_or_add(&h, net_hash(c[1]), i, net_eq, c);
		if (j == -2)
			break;
		if (j >= 0)
			dup_warn(p, &pol->net[i].loc, &pol->net[j].loc);
	}
	pal_hset_free(&h);
	return 0;
}

static int dup_dev(struct pal_parse *p, const struct pal_ir_policy *pol)
{
	const struct pal_ir_dev *c[2] = {pol->dev, NULL};
	struct pal_hset h;

	if (pal_hset_init(&h, pol->ndev))
		return -ENOMEM;
	for (__u32 i = 0; i < pol->ndev; i++) {
		long j;

		c[1] = &pol->dev[i];
		j = pal_hset_find_or_add(&h, dev_hash(c[1]), i, dev_eq, c);
		if (j == -2)
			break;
		if (j >= 0)
			dup_warn(p, &pol->dev[i].loc, &pol->dev[j].loc);
	}
	pal_hset_free(&h);
	return 0;
}

/* ---- Unix sockets named without `connect` ------------------------------ */

static bool ends_with(const char *s, __u32 len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* Named like a socket, or a socket on this host now. */
static bool socket_path(const struct pal_ir_file *f)
{
	struct stat st;

	if (ends_with(f->path, f->len, ".sock") || ends_with(f->path, f->len, ".socket"))
		return true;
	if (f->host != PAL_HOST_UNASKED)
		return f->host == PAL_HOST_SOCKET;
	return !lstat(f->path, &st) && S_ISSOCK(st.st_mode);
}

/* Connecting to a socket asks for `connect` alone: other words never decide it. */
static void socket_words(struct pal_parse *p, const struct pal_ir_policy *pol)
{
	for (size_t i = 0; i < pol->nfiles; i++) {
		const struct pal_ir_file *f = &pol->files[i];

		if (f->class != PAL_CLASS_FILE || f->kind != PAL_KEY_EXACT ||
		    (f->access & PAL_ACC_UNIX_CONNECT) || !socket_path(f))
			continue;
		pal_diag_at(
			p, PAL_SEV_WARNING, f->loc.line, f->loc.col,
			"'%s' is a Unix socket: connecting to it asks for 'connect', which this "
			"rule does not name. Hint: add connect to its access",
			pal_q(p, f->path, f->len));
	}
}

/* ---- rule paths below case-insensitive directories -------------------- */

/*
 * 1 if the directory dir is case-insensitive (ext4 `chattr +F`, tmpfs
 * `-o casefold`), 0 if not, -ENOENT if it does not exist (nor anything below).
 */
static int casefold_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int flags = 0;
	int r;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : 0;
	r = !ioctl(fd, FS_IOC_GETFLAGS, &flags) && (flags & FS_CASEFOLD_FL);
	close(fd);
	return r;
}

/*
 * What casefold_dir said of the directories along the previous rule path:
 * rules share their leading directories, so a directory is opened once per
 * run of rules below it, not once per rule.
 */
struct casefold_memo {
	const char *path; /* the previous rule path */
	__u32 len;
	__u32 n; /* res[k]: the directory of the first k + 1 components */
	signed char res[PAL_MAX_DEPTH];
};

/*
 * Copy into dir the shallowest existing case-insensitive directory that holds
 * a component of path; return 1, or 0 if there is none. The kernel hashes a
 * name as the lookup that made its dentry spelled it, so a literal component
 * in such a directory misses its other spellings.
 */
static int casefold_above(const char *path, __u32 len, char dir[PAL_PATH_MAX],
			  struct casefold_memo *m)
{
	bool same = m->path != NULL;
	__u32 k = 0;
	int r = 0;

	for (__u32 end = 0; end < len && end < PAL_PATH_MAX && !r; end++) {
		if (path[end] != '/')
			continue;
		same = same && end < m->len && m->path[end] == '/' && !memcmp(path, m->path, end);
		memcpy(dir, path, end ? end : 1);
		dir[end ? end : 1] = 0;
		if (same && k < m->n) {
			r = m->res[k];
		} else {
			r = casefold_dir(dir);
			if (k < PAL_MAX_DEPTH)
				m->res[k] = (signed char)(r > 0 ? 1 : r ? -1 : 0);
			m->n = k < PAL_MAX_DEPTH ? k + 1 : PAL_MAX_DEPTH;
		}
		k++;
	}
	m->path = path;
	m->len = len;
	return r > 0;
}

static void casefold_rules(struct pal_parse *p, const struct pal_ir_policy *pol)
{
	struct casefold_memo memo = {0};
	char dir[PAL_PATH_MAX];

	if (p->flags & PAL_LOAD_NO_HOST)
		return;
	for (size_t i = 0; i < pol->nfiles; i++) {
		const struct pal_ir_file *f = &pol->files[i];

		if (!casefold_above(f->path, f->len, dir, &memo))
			continue;
		pal_diag_at(
			p, PAL_SEV_ERROR, f->loc.line, f->loc.col,
			"'%s' is below the case-insensitive directory '%s': the kernel matches "
			"a name as each open spells it, so another spelling would miss this "
			"rule. Hint: name the directory itself in `dirs:` (that covers every "
			"spelling below it), or clear its flag with `chattr -F` while it is empty",
			pal_q(p, f->path, f->len), pal_q(p, dir, strlen(dir)));
	}
}

int pal_policy_checks(struct pal_parse *p, const struct pal_ir_policy *pol)
{
	int err;

	casefold_rules(p, pol);
	no_effect(p, pol);
	socket_words(p, pol);
	err = dup_files(p, pol);
	if (!err)
		err = dup_net(p, pol);
	if (!err)
		err = dup_dev(p, pol);
	return err;
}
