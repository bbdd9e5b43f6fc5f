// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding cgroups: the cgroup2 mount, matching target patterns (the rule
 * pattern language of policies/pattern.h) and cgroup ids.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cgroup/cgroup.h"
#include "cgroup/container.h"
#include "cgroup/internal.h"
#include "policies/pattern.h"

/* ---- cgroup2 mount ------------------------------------------------------ */

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

/* One mountinfo line: the mount point of a cgroup2 mount of the hierarchy root, or NULL. */
static char *cgroup2_mount_of(char *line)
{
	char *save = NULL, *tok, *root = NULL, *mnt = NULL;
	int field = 0;
	bool sep = false;

	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), field++) {
		if (field == 3)
			root = tok;
		else if (field == 4)
			mnt = tok;
		else if (!sep && field > 5 && !strcmp(tok, "-"))
			sep = true;
		else if (sep)
			return !strcmp(tok, "cgroup2") && root && !strcmp(root, "/") ? mnt : NULL;
	}
	return NULL;
}

int pal_cgroup_root_from_mountinfo(const char *text, char *buf, size_t len)
{
	char *copy = strdup(text), *save = NULL, *line, *best = NULL;
	int err = -ENOENT;

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *mnt = cgroup2_mount_of(line);

		if (!mnt)
			continue;
		unescape(mnt);
		/* several cgroup2 mounts: prefer the standard places, else the first */
		if (!best || !strcmp(mnt, "/sys/fs/cgroup") ||
		    (!strcmp(mnt, "/sys/fs/cgroup/unified") && strcmp(best, "/sys/fs/cgroup")))
			best = mnt;
	}
	if (best) {
		err = strlen(best) < len ? 0 : -ENAMETOOLONG;
		if (!err)
			strcpy(buf, best);
	}
	free(copy);
	return err;
}

int pal_cgroup_find_root(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *text = NULL;
	size_t size = 0;
	int err;

	if (!f)
		return -errno;
	{
		FILE *m = open_memstream(&text, &size);
		char chunk[4096];
		size_t n;

		if (!m) {
			fclose(f);
			return -ENOMEM;
		}
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, m);
		fclose(m);
	}
	fclose(f);
	if (!text)
		return -ENOMEM;
	err = pal_cgroup_root_from_mountinfo(text, buf, len);
	free(text);
	return err;
}

/* ---- patterns ----------------------------------------------------------- */

/* Container selector values: '*' matches any run of characters, '/' and ':' included. */
static bool glob_name(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* Target patterns are rule patterns of the one pattern language (policies/pattern.h). */
unsigned int pal_cgroup_match(const char *pattern, const char *path)
{
	struct pal_pattern *pat;
	struct pal_pat_error e;
	bool match, deeper;

	if (pal_pattern_parse(pattern, strlen(pattern), PAL_PAT_RULE, &pat, &e))
		return 0;
	match = pal_pattern_match_deeper(pat, path, strlen(path), &deeper);
	pal_pattern_free(pat);
	return (match ? PAL_CG_MATCH : 0) | (deeper ? PAL_CG_PREFIX : 0);
}

/* ---- container selectors ------------------------------------------------ */

/* A selector field: absent matches anything; given, the runtime must have recorded a match. */
static bool field_ok(const char *pattern, const char *value)
{
	return !pattern || (value[0] && glob_name(pattern, value));
}

static bool labels_ok(const struct pal_ir_container *sel, const struct pal_ctr_meta *m)
{
	for (__u32 i = 0; i < sel->nlabels; i++) {
		bool found = false;

		for (__u32 j = 0; j < m->nlabels && !found; j++)
			found = !strcmp(m->labels[j].key, sel->label_keys[i]) &&
				glob_name(sel->label_values[i], m->labels[j].value);
		if (!found)
			return false;
	}
	return true;
}

bool pal_container_selected(const struct pal_ir_container *sel, const struct pal_ctr_meta *m)
{
	return field_ok(sel->ns, m->ns) && field_ok(sel->pod, m->pod) &&
	       field_ok(sel->container, m->name) && field_ok(sel->image, m->image) &&
	       labels_ok(sel, m);
}

/* ---- ids ---------------------------------------------------------------- */

int pal_cgroup_id_of(const char *dir, __u64 *id)
{
	struct {
		struct file_handle fh;
		__u64 id;
	} h = {.fh.handle_bytes = sizeof(__u64)};
	int mount_id;
	struct stat st;

	/* the kernfs node id is what bpf_get_current_cgroup_id() returns */
	if (!name_to_handle_at(AT_FDCWD, dir, &h.fh, &mount_id, 0) &&
	    h.fh.handle_bytes == sizeof(__u64)) {
		memcpy(id, h.fh.f_handle, sizeof(*id));
		return 0;
	}
	if (stat(dir, &st))
		return -errno;
	*id = st.st_ino; /* the same number on 64-bit kernels */
	return 0;
}
