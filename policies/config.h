/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's configuration file (palisade run -c FILE, deploy/palisade.yaml):
 * apiVersion palisade/v1, kind AgentConfig, one key per long `run` flag. It is
 * parsed as strictly as a policy, with FILE:LINE:COL diagnostics.
 */
#ifndef PALISADE_POLICIES_CONFIG_H
#define PALISADE_POLICIES_CONFIG_H

#include "policies/policy.h"

#define PAL_CONFIG_FILE_MAX (1u << 20) /* bytes of a configuration file */

/* Strings are NULL and booleans -1 when the file does not set them. */
struct pal_agent_config {
	const char *policy_dir;
	const char *log;
	const char *pin_dir;
	const char *metrics; /* "" means off */
	int syslog;
	int linux_audit;
	int keep_on_exit;
	int verbose;
};

/*
 * Parse path into cfg. Diagnostics go to set (and its callback); strings
 * live in set, so keep it until cfg is no longer used. Returns 0, -EINVAL
 * on errors in the file, or another -errno when it cannot be read.
 */
int pal_config_load(struct pal_policy_set *set, const char *path, struct pal_agent_config *cfg);

#endif
