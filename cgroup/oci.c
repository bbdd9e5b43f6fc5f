// SPDX-License-Identifier: GPL-2.0-only
/*
 * Container metadata from the OCI state (container.h): find the bundle's
 * config.json through a runtime's state directory and read the names the
 * CRI runtimes put in its annotations. Everything read here is untrusted:
 * files are opened without following symlinks (and below the state root
 * where the path is ours to build), must be regular files under a size
 * limit, and must be strict JSON in valid UTF-8. A value that is not a
 * string, too long or holds control characters is left out, never cut.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "cgroup/container.h"

const struct pal_oci_roots pal_oci_default_roots = {
	.containerd = "/run/containerd/io.containerd.runtime.v2.task",
	.runc = "/run/runc",
	.crun = "/run/crun",
};

void pal_oci_roots_from_env(struct pal_oci_roots *r)
{
	const char *v;

	*r = pal_oci_default_roots;
	if ((v = getenv("PALISADE_OCI_CONTAINERD_ROOT")))
		r->containerd = v[0] ? v : NULL;
	if ((v = getenv("PALISADE_OCI_RUNC_ROOT")))
		r->runc = v[0] ? v : NULL;
	if ((v = getenv("PALISADE_OCI_CRUN_ROOT")))
		r->crun = v[0] ? v : NULL;
}

/* ---- files ------------------------------------------------------------- */

/* openat2 without symlinks; beneath: stay below dirfd. Returns an fd or -errno. */
static int open_strict(int dirfd, const char *path, bool beneath)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   (beneath ? RESOLVE_BENEATH : 0),
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/* A regular file of at most max bytes, NUL-terminated, without NUL bytes inside. */
static int read_small(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;
	size_t n = 0;
	char *buf;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((unsigned long long)st.st_size > max)
		return -EFBIG;
	buf = malloc(max + 2);
	if (!buf)
		return -ENOMEM;
	for (ssize_t r; n <= max; n += (size_t)r) {
		r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r <= 0) {
			if (r == 0)
				break;
			free(buf);
			return -errno;
		}
	}
	if (n > max || memchr(buf, 0, n)) {
		free(buf);
		return n > max ? -EFBIG : -EINVAL;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

/* Strict JSON, valid UTF-8, nesting bounded, nothing but blanks after it; an object. */
static int parse_json(const char *text, size_t len, int depth, struct json_object **out)
{
	struct json_tokener *tok = json_tokener_new_ex(depth);
	struct json_object *o;
	size_t end;

	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o && json_tokener_get_error(tok) != json_tokener_success)
		o = NULL; /* not reached in practice; keeps ownership simple */
	json_tokener_free(tok);
	while (o && end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (!o || end != len || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EINVAL;
	}
	*out = o;
	return 0;
}

static int read_json(int fd, size_t max, struct json_object **out)
{
	char *text = NULL;
	size_t len = 0;
	int err = read_small(fd, max, &text, &len);

	if (err)
		return err;
	err = len > INT_MAX ? -EFBIG : parse_json(text, len, PAL_OCI_JSON_DEPTH, out);
	free(text);
	return err;
}

/* ---- values ------------------------------------------------------------ */

/* A string of at most max bytes without control characters, or NULL. */
static const char *str_value(struct json_object *v, size_t max)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n > max || strlen(s) != n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	return s;
}

static const char *str_member(struct json_object *o, const char *key, size_t max)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? str_value(v, max) : NULL;
}

/* An absolute path without "." or ".." components or "//": a bundle we may open. */
static bool bundle_ok(const char *b)
{
	if (b[0] != '/' || strlen(b) > PATH_MAX - 16)
		return false;
	for (const char *p = b; *p; p++)
		if (p[0] == '/' && (p[1] == '/' || (p[1] == '.' && (!p[2] || p[2] == '/')) ||
				    (p[1] == '.' && p[2] == '.' && (!p[3] || p[3] == '/'))))
			return false;
	return true;
}

/* ---- annotations -------------------------------------------------------- */

#define FIELD(k, f)                                                                        \
	{                                                                                  \
		k, offsetof(struct pal_ctr_meta, f), sizeof(((struct pal_ctr_meta *)0)->f) \
	}

/* containerd's CRI plugin, then CRI-O (which the kubelet's own keys also name) */
static const struct {
	const char *key;
	size_t off;
	size_t size;
} fields[] = {
	FIELD("io.kubernetes.cri.sandbox-name", pod),
	FIELD("io.kubernetes.cri.sandbox-namespace", ns),
	FIELD("io.kubernetes.cri.sandbox-uid", pod_uid),
	FIELD("io.kubernetes.cri.container-name", name),
	FIELD("io.kubernetes.cri.image-name", image),
	FIELD("io.kubernetes.pod.name", pod),
	FIELD("io.kubernetes.pod.namespace", ns),
	FIELD("io.kubernetes.pod.uid", pod_uid),
	FIELD("io.kubernetes.container.name", name),
	FIELD("io.kubernetes.cri-o.ImageName", image),
};

static bool uid_ok(const char *s)
{
	if (strlen(s) != PAL_POD_UID_LEN)
		return false;
	for (int i = 0; i < PAL_POD_UID_LEN; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ?
			    s[i] != '-' :
			    !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int add_label(struct pal_ctr_meta *m, const char *k, struct json_object *v)
{
	const char *val = json_object_get_string(v);
	size_t kn = strlen(k), vn = (size_t)json_object_get_string_len(v);
	struct pal_ctr_label *l;

	if (!json_object_is_type(v, json_type_string) || !kn || kn > PAL_CTR_LABEL_MAX ||
	    vn > PAL_CTR_LABEL_MAX || strlen(val) != vn || m->nlabels == PAL_CTR_LABELS_MAX)
		return 0;
	for (const char *p = k; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return 0;
	for (const char *p = val; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	if (!m->labels && !(m->labels = calloc(PAL_CTR_LABELS_MAX, sizeof(*m->labels))))
		return -ENOMEM;
	l = &m->labels[m->nlabels];
	l->key = strdup(k);
	l->value = strdup(val);
	if (!l->key || !l->value) {
		free(l->key);
		free(l->value);
		return -ENOMEM;
	}
	m->nlabels++;
	return 0;
}

/* CRI-O: "io.kubernetes.cri-o.Labels" holds a JSON object of strings, as a string. */
static int read_labels(struct pal_ctr_meta *m, struct json_object *ann)
{
	const char *text = str_member(ann, "io.kubernetes.cri-o.Labels", 64 << 10);
	struct json_object *o;
	int err = 0;

	if (!text || parse_json(text, strlen(text), 2, &o))
		return 0;
	json_object_object_foreach(o, k, v) {
		err = add_label(m, k, v);
		if (err)
			break;
	}
	json_object_put(o);
	return err;
}

static int read_annotations(struct json_object *cfg, struct pal_ctr_meta *m)
{
	struct json_object *ann;

	if (!json_object_object_get_ex(cfg, "annotations", &ann) ||
	    !json_object_is_type(ann, json_type_object))
		return 0;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char *dst = (char *)m + fields[i].off;
		const char *v = dst[0] ? NULL : str_member(ann, fields[i].key, fields[i].size - 1);

		if (v && (fields[i].off != offsetof(struct pal_ctr_meta, pod_uid) || uid_ok(v)))
			strcpy(dst, v);
	}
	if (json_object_object_get_ex(ann, "io.kubernetes.cri-o.ImageName", NULL) ||
	    json_object_object_get_ex(ann, "io.kubernetes.cri-o.Labels", NULL))
		m->runtime = PAL_RT_CRIO;
	return read_labels(m, ann);
}

int pal_oci_parse_config(const char *text, size_t len, struct pal_ctr_meta *m)
{
	struct json_object *cfg;
	int err;

	memset(m, 0, sizeof(*m));
	if (len > PAL_OCI_CONFIG_MAX)
		return -EFBIG;
	if (memchr(text, 0, len))
		return -EINVAL;
	err = parse_json(text, len, PAL_OCI_JSON_DEPTH, &cfg);
	if (err)
		return err;
	err = read_annotations(cfg, m);
	json_object_put(cfg);
	if (err)
		pal_ctr_meta_free(m);
	return err;
}

static int read_config_fd(int fd, struct pal_ctr_meta *m, __u8 runtime)
{
	struct json_object *cfg;
	int err = read_json(fd, PAL_OCI_CONFIG_MAX, &cfg);

	close(fd);
	if (err)
		return err;
	m->runtime = runtime;
	err = read_annotations(cfg, m);
	json_object_put(cfg);
	return err;
}

/* ---- state directories -------------------------------------------------- */

/* containerd: <root>/<namespace>/<id>/config.json in whichever namespace has id. */
static int from_containerd(const char *root, const char *id, struct pal_ctr_meta *m)
{
	char rel[NAME_MAX + PAL_CTR_ID_MAX + 16];
	int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -ENOENT, seen = 0;
	struct dirent *de;
	DIR *d;

	if (dfd < 0)
		return -errno;
	d = fdopendir(dup(dfd));
	if (!d) {
		close(dfd);
		return -ENOMEM;
	}
	while (fd == -ENOENT && seen++ < PAL_OCI_NAMESPACES_MAX && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s/%s/config.json", de->d_name, id);
		fd = open_strict(dfd, rel, true);
		if (fd >= 0 && !strcmp(de->d_name, "moby"))
			m->runtime = PAL_RT_DOCKER; /* docker's containerd namespace */
	}
	closedir(d);
	close(dfd);
	if (fd < 0)
		return fd;
	return read_config_fd(fd, m, m->runtime ? m->runtime : PAL_RT_CONTAINERD);
}

/*
 * runc's state.json has no "bundle" field: runc keeps the bundle as the
 * label "bundle=PATH" of the container's config ("config": {"labels": [...]}).
 */
static const char *runc_bundle(struct json_object *st)
{
	static const char key[] = "bundle=";
	struct json_object *cfg, *labels;
	const char *l;

	if (!json_object_object_get_ex(st, "config", &cfg) ||
	    !json_object_object_get_ex(cfg, "labels", &labels) ||
	    !json_object_is_type(labels, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(labels); i++) {
		l = str_value(json_object_array_get_idx(labels, i), PATH_MAX + sizeof(key));
		if (l && !strncmp(l, key, sizeof(key) - 1))
			return l + sizeof(key) - 1;
	}
	return NULL;
}

/* runc (<root>/<id>/state.json) and crun (<root>/<id>/status): the bundle's config. */
static int from_state(const char *root, const char *id, const char *file, struct pal_ctr_meta *m,
		      __u8 runtime)
{
	char rel[PAL_CTR_ID_MAX + 32], cfg[PATH_MAX];
	struct json_object *st;
	const char *bundle;
	int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd, err;

	if (dfd < 0)
		return -errno;
	snprintf(rel, sizeof(rel), "%s/%s", id, file);
	fd = open_strict(dfd, rel, true);
	close(dfd);
	if (fd < 0)
		return fd;
	err = read_json(fd, PAL_OCI_STATE_MAX, &st);
	close(fd);
	if (err)
		return err;
	bundle = runtime == PAL_RT_RUNC ? runc_bundle(st) : str_member(st, "bundle", PATH_MAX);
	if (!bundle || !bundle_ok(bundle)) {
		json_object_put(st);
		return -EINVAL;
	}
	snprintf(cfg, sizeof(cfg), "%s/config.json", bundle);
	json_object_put(st);
	fd = open_strict(AT_FDCWD, cfg, false);
	return fd < 0 ? fd : read_config_fd(fd, m, runtime);
}

int pal_oci_read(const struct pal_oci_roots *roots, const char *id, struct pal_ctr_meta *m)
{
	int err = -ENOENT;

	memset(m, 0, sizeof(*m));
	if (!pal_ctr_id_valid(id))
		return -EINVAL;
	if (roots->containerd)
		err = from_containerd(roots->containerd, id, m);
	if (err == -ENOENT && roots->runc)
		err = from_state(roots->runc, id, "state.json", m, PAL_RT_RUNC);
	if (err == -ENOENT && roots->crun)
		err = from_state(roots->crun, id, "status", m, PAL_RT_CRUN);
	if (err)
		pal_ctr_meta_free(m);
	return err;
}

void pal_ctr_meta_free(struct pal_ctr_meta *m)
{
	for (__u32 i = 0; i < m->nlabels; i++) {
		free(m->labels[i].key);
		free(m->labels[i].value);
	}
	free(m->labels);
	memset(m, 0, sizeof(*m));
}
