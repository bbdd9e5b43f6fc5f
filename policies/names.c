// SPDX-License-Identifier: GPL-2.0-only
/* Words of the language, for display (palisade compile, logs). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policies/policy.h"

const char *pal_action_name(__u8 action)
{
	static const char *const n[] = {"none", "allow", "audit", "deny"};

	return action < 4 ? n[action] : "?";
}

const char *pal_mode_name(__u8 mode)
{
	return mode == PAL_MODE_AUDIT ? "audit" : mode == PAL_MODE_ENFORCE ? "enforce" : "?";
}

const char *pal_class_name(__u8 class)
{
	static const char *const n[PAL_CLASSES] = {"files", "exec", "network", "devices"};

	return class < PAL_CLASSES ? n[class] : "?";
}

static const char *const file_words[] = {
	"read",	 "write", "append",   "exec",	   "create",  "delete", "rename",      "link",
	"chmod", "chown", "truncate", "mmap-exec", "connect", "mount",	"cgroup-move",
};

static const char *const dev_words[] = {"read", "write", "mknod"};

int pal_access_names(__u8 class, __u32 bits, char *buf, size_t len)
{
	const char *const *w = class == PAL_CLASS_DEV ? dev_words : file_words;
	size_t n = class == PAL_CLASS_DEV ? 3 : sizeof(file_words) / sizeof(file_words[0]), o = 0;
	__u32 all = class == PAL_CLASS_DEV ? 7u : PAL_ACC_FILE_ALL;

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	if (bits == all && class != PAL_CLASS_EXEC)
		return snprintf(buf, len, "all") < (int)len ? 0 : -ENOSPC;
	for (size_t i = 0; i < n; i++) {
		int r;

		if (!(bits & (1u << i)))
			continue;
		r = snprintf(buf + o, len - o, "%s%s", o ? "," : "", w[i]);
		if (r < 0 || (size_t)r >= len - o)
			return -ENOSPC;
		o += (size_t)r;
	}
	return 0;
}
