// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the cgroup target matcher (cgroup/target.c).
 * Input: PATTERN \0 PATH \0 CHILD. pal_cgroup_match must agree with a
 * plain recursive matcher on PAL_CG_MATCH, and PAL_CG_PREFIX must be set
 * whenever a cgroup below PATH (PATH/CHILD) matches: a wrong PREFIX makes
 * the agent skip a subtree that a policy targets. The same bytes are also
 * read as /proc/self/mountinfo text.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup.h"

#define REF_MAX 8 /* components the reference matcher is run on */
#define REF_LEN 256 /* bytes of one component the reference compares */

/*
 * Glob of one component by dynamic programming: at[j] says whether the
 * pattern read so far matches the first j bytes of s. Quadratic whatever
 * the stars, so a slow input times out the matcher, never the reference.
 */
static bool ref_glob(const char *p, const char *s)
{
	bool at[REF_LEN + 1], next[REF_LEN + 1];
	size_t n = strlen(s);

	if (n > REF_LEN)
		abort(); /* check_match only calls with components it has bounded */
	memset(at, 0, sizeof(at));
	at[0] = true;
	for (; *p; p++) {
		memset(next, 0, sizeof(next));
		for (size_t j = 0; j <= n; j++) {
			if (*p == '*')
				next[j] = at[j] || (j && next[j - 1]);
			else
				next[j] = j && at[j - 1] && s[j - 1] == *p;
		}
		memcpy(at, next, sizeof(at));
	}
	return at[n];
}

static bool ref_match(char **pc, int np, char **sc, int ns)
{
	if (!np)
		return !ns;
	if (!strcmp(pc[0], "**"))
		return ref_match(pc + 1, np - 1, sc, ns) ||
		       (ns && ref_match(pc, np, sc + 1, ns - 1));
	return ns && ref_glob(pc[0], sc[0]) && ref_match(pc + 1, np - 1, sc + 1, ns - 1);
}

/* Components of an absolute path, in place; -1 if not absolute, too many or too long. */
static int comps(char *s, char **c)
{
	int n = 0;

	if (s[0] != '/')
		return -1;
	for (char *save = NULL, *t = strtok_r(s, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (n == REF_MAX || strlen(t) > REF_LEN)
			return -1;
		c[n++] = t;
	}
	return n;
}

/*
 * The reference knows `*` and whole-component `**` only: compare on the
 * patterns of that subset that the pattern language accepts (no `?`,
 * classes or escapes, no `.` or `..` component, `**` alone in its
 * component, within policies/pattern.h's limits).
 */
static bool plain_pattern(const char *p)
{
	int dstars = 0;

	if (strpbrk(p, "?[]\\") || strstr(p, "//"))
		return false;
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");
		int st = 0;

		for (size_t i = 0; i < n; i++)
			st += c[i] == '*';
		if ((n == 1 && c[0] == '.') || (n == 2 && !strncmp(c, "..", 2)))
			return false;
		if (n == 2 && !strncmp(c, "**", 2))
			dstars++;
		else if (st > 8 || (st && strstr(c, "**") && strstr(c, "**") < c + n))
			return false;
		c += n;
		c += *c == '/';
	}
	return dstars <= 4;
}

/* A path as the agent gives it: "/" or "/a/b", no empty component. */
static bool agent_path(const char *s)
{
	size_t n = strlen(s);

	return s[0] == '/' && !strstr(s, "//") && (n == 1 || s[n - 1] != '/');
}

static void check_match(const char *pattern, const char *path, const char *child)
{
	char pb[PATH_MAX], sb[PATH_MAX], below[PATH_MAX];
	char *pc[REF_MAX], *sc[REF_MAX];
	unsigned int m = pal_cgroup_match(pattern, path);
	int np, ns;

	if (m & ~(unsigned int)(PAL_CG_MATCH | PAL_CG_PREFIX))
		abort();
	if (strlen(pattern) >= sizeof(pb) || strlen(path) >= sizeof(sb))
		return;
	strcpy(pb, pattern);
	strcpy(sb, path);
	np = comps(pb, pc);
	ns = comps(sb, sc);
	/* the matcher's own limit is PAL_CG_MAX_COMPONENTS; the reference's is smaller */
	if (np >= 0 && ns >= 0 && plain_pattern(pattern) && agent_path(path) &&
	    !!(m & PAL_CG_MATCH) != ref_match(pc, np, sc, ns))
		abort();
	/* only paths as the agent gives them: "/" or "/a/b", no trailing '/' */
	if (!child[0] || strchr(child, '/') || path[0] != '/' ||
	    (path[1] && path[strlen(path) - 1] == '/'))
		return;
	if ((size_t)snprintf(below, sizeof(below), "%s/%s", path[1] ? path : "", child) >=
	    sizeof(below))
		return;
	if ((pal_cgroup_match(pattern, below) & PAL_CG_MATCH) && !(m & PAL_CG_PREFIX))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 3), root[64];
	const char *pattern, *path, *child;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = s[size + 1] = s[size + 2] = 0;
	pattern = s;
	path = pattern + strlen(pattern) + 1;
	path = path <= s + size ? path : s + size + 1;
	child = path + strlen(path) + 1;
	child = child <= s + size + 2 ? child : s + size + 2;
	check_match(pattern, path, child);
	if (!pal_cgroup_root_from_mountinfo(s, root, sizeof(root)) &&
	    strnlen(root, sizeof(root)) == sizeof(root))
		abort();
	free(s);
	return 0;
}
