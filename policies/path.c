// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rule paths and cgroup patterns: validation, canonical form, and the path
 * hash of path_hash.h.
 */
#include <errno.h>
#include <string.h>

#include "bpf/path_hash.h"
#include "policies/automaton.h"
#include "policies/pattern.h"
#include "policies/policy_int.h"
#include "policies/utf8.h"

/* Check every character of in; sets *why on the first bad one. */
static int check_chars(const char *in, size_t len, const char **why)
{
	const unsigned char *u = (const unsigned char *)in;

	for (size_t i = 0; i < len;) {
		size_t n = pal_utf8_char(u + i, len - i);

		if (n) {
			i += n;
			continue;
		}
		if (!u[i])
			*why = "NUL character in path";
		else if (u[i] < 0x20 || u[i] == 0x7f ||
			 (u[i] == 0xc2 && i + 1 < len && u[i + 1] < 0xa0))
			*why = "control character in path";
		else
			*why = "path is not valid UTF-8";
		return -EINVAL;
	}
	return 0;
}

static int add_component(const char *c, size_t n, char *out, size_t *o, __u32 *depth,
			 const char **why)
{
	if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
		*why = "'.' and '..' components are not allowed";
		return -EINVAL;
	}
	if (n > PAL_NAME_MAX) {
		*why = "a component is longer than PAL_NAME_MAX (255 bytes)";
		return -EINVAL;
	}
	if (++*depth > PAL_MAX_DEPTH) {
		*why = "more than PAL_MAX_DEPTH (64) components";
		return -EINVAL;
	}
	out[(*o)++] = '/';
	memcpy(out + *o, c, n);
	*o += n;
	return 0;
}

int pal_path_canon(const char *in, size_t len, char *out, __u32 *depth, const char **why)
{
	size_t i = 0, o = 0;
	int err;

	*depth = 0;
	if (!len || in[0] != '/') {
		*why = "path must be absolute (start with '/')";
		return -EINVAL;
	}
	err = check_chars(in, len, why);
	if (err)
		return err;
	while (i < len) {
		size_t start;

		while (i < len && in[i] == '/')
			i++;
		start = i;
		while (i < len && in[i] != '/')
			i++;
		if (i == start)
			break;
		err = add_component(in + start, i - start, out, &o, depth, why);
		if (err)
			return err;
	}
	if (!o)
		out[o++] = '/';
	out[o] = 0;
	if (o + 1 > PAL_PATH_MAX) {
		*why = "path is longer than PAL_PATH_MAX (4096 bytes)";
		return -EINVAL;
	}
	return 0;
}

/* Hash of one component, exactly as the BPF walk computes it. */
static __u64 name_hash(__u64 seed, const char *c, __u32 len)
{
	__u64 h = pal_name_init(seed, len);

	for (__u32 i = 0; i < len; i += 8) {
		unsigned char b[8] = {0};
		__u64 word = 0;
		__u32 n = len - i < 8 ? len - i : 8;

		memcpy(b, c + i, n);
		for (int k = 7; k >= 0; k--) /* little-endian, whatever the host */
			word = (word << 8) | b[k];
		if (i + 8 > len)
			word &= pal_word_mask(len);
		h = pal_name_step(h, word);
	}
	return h;
}

__u64 pal_name_hash(__u64 seed, const char *c, __u32 len)
{
	return name_hash(seed, c, len);
}

/* Path hash of a canonical path; depth must match its component count. */
__u64 pal_canon_hash(const char *canon, size_t len, __u64 seed)
{
	__u64 p = pal_prefix_root(seed);
	size_t i = 1;

	while (i < len) {
		size_t start = i;

		while (i < len && canon[i] != '/')
			i++;
		p = pal_prefix_next(p, name_hash(seed, canon + start, (__u32)(i - start)));
		i++;
	}
	return p;
}

int pal_path_key(const char *path, __u64 seed, __u64 *hash, __u32 *depth)
{
	size_t len = strlen(path);
	char buf[PAL_PATH_MAX + 2];
	const char *why;
	int err;

	if (len > PAL_PATH_MAX)
		return -EINVAL;
	err = pal_path_canon(path, len, buf, depth, &why);
	if (err)
		return err;
	*hash = pal_canon_hash(buf, strlen(buf), seed);
	return 0;
}

int pal_cgroup_pattern_canon(const char *in, size_t len, char *out, const char **why)
{
	struct pal_pattern *pat;
	struct pal_pat_error e;
	__u32 depth;
	int err;

	if (pal_path_canon(in, len, out, &depth, why))
		return -EINVAL;
	/* the rule pattern language: classes, '?', escapes, '**' whole */
	err = pal_pattern_parse(out, strlen(out), PAL_PAT_RULE, &pat, &e);
	if (err == -ENOMEM)
		return err;
	if (err) {
		*why = e.why;
		return -EINVAL;
	}
	pal_pattern_free(pat);
	return 0;
}

int pal_cgroup_pattern_check(const char *pattern)
{
	char buf[PAL_PATH_MAX + 2];
	const char *why;
	size_t len;

	if (!pattern)
		return -EINVAL;
	len = strlen(pattern);
	if (len > PAL_PATH_MAX || pal_cgroup_pattern_canon(pattern, len, buf, &why))
		return -EINVAL;
	/* the IR holds the canonical form: anything else was not made by the parser */
	return strcmp(buf, pattern) ? -EINVAL : 0;
}
