// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policies/config.h"
#include "policies/policy_int.h"

/* The parse state plus where the document's values go. */
struct config_parse {
	struct pal_parse p; /* first: the doc callback gets &p */
	struct pal_agent_config *cfg;
	unsigned int ndocs;
};

enum {
	K_API,
	K_KIND,
	K_POLICY_DIR,
	K_LOG,
	K_SYSLOG,
	K_AUDIT,
	K_KEEP,
	K_PIN,
	K_METRICS,
	K_VERBOSE,
	K_COUNT,
};

static const char *const key_names[K_COUNT] = {
	"apiVersion",  "kind",	       "policy-dir", "log",	"syslog",
	"linux-audit", "keep-on-exit", "pin-dir",    "metrics", "verbose",
};

static void want_word(struct pal_parse *p, const struct pal_node *v, const char *key,
		      const char *word)
{
	if (pal_want(p, v, key, PAL_N_SCALAR) && strcmp(v->str, word))
		pal_err(p, v, "'%s' must be '%s', found '%s'", key, word, pal_q(p, v->str, v->len));
}

static void get_string(struct pal_parse *p, const struct pal_node *v, const char *key,
		       bool empty_ok, const char **out)
{
	if (v->type == PAL_N_SCALAR && !v->len && empty_ok) {
		*out = "";
		return;
	}
	if (!pal_want(p, v, key, PAL_N_SCALAR))
		return;
	if (strlen(v->str) != v->len) {
		pal_err(p, v, "'%s' contains a NUL byte", key);
		return;
	}
	*out = pal_arena_strndup(p->ir, v->str, v->len);
}

static void get_bool(struct pal_parse *p, const struct pal_node *v, const char *key, int *out)
{
	static const char *const words[] = {"false", "true"};
	char what[64];
	int w;

	snprintf(what, sizeof(what), "'%s' value", key);
	w = pal_word(p, v, what, words, 2);

	if (w >= 0)
		*out = w;
}

static int config_doc(struct pal_parse *p, struct pal_node *root)
{
	struct config_parse *cp = (struct config_parse *)p;
	static const struct pal_keys keys = {"agent configuration", key_names, K_COUNT};
	const struct pal_node *v[K_COUNT] = {0}, *k[K_COUNT] = {0};
	struct pal_agent_config *c = cp->cfg;

	if (cp->ndocs++) {
		pal_err(p, root, "a configuration file holds one document");
		return 0;
	}
	if (!pal_want(p, root, "configuration", PAL_N_MAP))
		return 0;
	pal_map_keys(p, root, &keys, v, k);
	if (pal_absent(v, k, K_API) || pal_absent(v, k, K_KIND)) {
		pal_err(p, root, "expected apiVersion: palisade/v1 and kind: AgentConfig");
		return 0;
	}
	if (v[K_API])
		want_word(p, v[K_API], "apiVersion", "palisade/v1");
	if (v[K_KIND])
		want_word(p, v[K_KIND], "kind", "AgentConfig");
	if (v[K_POLICY_DIR])
		get_string(p, v[K_POLICY_DIR], "policy-dir", false, &c->policy_dir);
	if (v[K_LOG])
		get_string(p, v[K_LOG], "log", false, &c->log);
	if (v[K_PIN])
		get_string(p, v[K_PIN], "pin-dir", false, &c->pin_dir);
	if (v[K_METRICS])
		get_string(p, v[K_METRICS], "metrics", true, &c->metrics);
	if (v[K_SYSLOG])
		get_bool(p, v[K_SYSLOG], "syslog", &c->syslog);
	if (v[K_AUDIT])
		get_bool(p, v[K_AUDIT], "linux-audit", &c->linux_audit);
	if (v[K_KEEP])
		get_bool(p, v[K_KEEP], "keep-on-exit", &c->keep_on_exit);
	if (v[K_VERBOSE])
		get_bool(p, v[K_VERBOSE], "verbose", &c->verbose);
	return 0;
}

static int read_all(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = PAL_CONFIG_FILE_MAX + 1;
	ssize_t n;

	if (fd < 0)
		return -errno;
	*buf = malloc(cap);
	*len = 0;
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (*len < cap && (n = read(fd, *buf + *len, cap - *len)) > 0)
		*len += n;
	close(fd);
	if (*len > PAL_CONFIG_FILE_MAX)
		return -EFBIG;
	return 0;
}

int pal_config_load(struct pal_policy_set *set, const char *path, struct pal_agent_config *cfg)
{
	struct config_parse cp = {.cfg = cfg};
	char *buf = NULL;
	size_t len = 0;
	int err = read_all(path, &buf, &len), ferr;

	*cfg = (struct pal_agent_config){
		.syslog = -1, .linux_audit = -1, .keep_on_exit = -1, .verbose = -1};
	if (err) {
		free(buf);
		ferr = pal_diag_file(set, PAL_SEV_ERROR, path, "cannot read: %s",
				     err == -EFBIG ? "larger than 1 MiB" : strerror(-err));
		return ferr ? ferr : err;
	}
	cp.p.set = set;
	cp.p.ir = &set->priv->arena;
	cp.p.buf = buf;
	cp.p.len = len;
	cp.p.file = pal_arena_strndup(cp.p.ir, path, strlen(path));
	err = cp.p.file ? pal_yaml_parse(&cp.p, config_doc) : -ENOMEM;
	if (!err && !cp.ndocs)
		pal_diag_at(
			&cp.p, PAL_SEV_ERROR, 1, 1,
			"empty configuration: expected apiVersion: palisade/v1, kind: AgentConfig");
	ferr = pal_diag_flush(&cp.p);
	free(cp.p.line_off);
	pal_arena_free(&cp.p.tree);
	free(buf);
	if (ferr)
		return ferr;
	if (err && err != -EINVAL)
		return err;
	return cp.p.nerrors ? -EINVAL : 0;
}
