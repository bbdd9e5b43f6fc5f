// SPDX-License-Identifier: GPL-2.0-only
/*
 * Container identity from a cgroup path alone (container.h). The names the
 * runtimes and the kubelet give their cgroups, per cgroup driver:
 *   systemd   /system.slice/docker-<id>.scope, /machine.slice/libpod-<id>.scope,
 *             /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid_>.slice/
 *             {cri-containerd,crio,docker}-<id>.scope
 *   cgroupfs  /docker/<id>, /libpod_parent/libpod-<id>,
 *             /kubepods/<qos>/pod<uid>/{<id>,crio-<id>}
 *   mixed     <pod slice>:cri-containerd:<id> as one directory name, where a
 *             runtime took a systemd cgroupsPath literally
 * Pure string work: no I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup/container.h"

/* one path component: not NUL-terminated */
struct comp {
	const char *s;
	size_t n;
};

static bool is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The ids runc and crun accept for a container they run directly. */
static bool is_oci_id(const char *s, size_t n)
{
	if (!n || n > PAL_CTR_ID_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || strchr("_+-.", s[i])))
			return false;
	return true;
}

static bool eq(struct comp c, const char *lit)
{
	return c.n == strlen(lit) && !memcmp(c.s, lit, c.n);
}

/* c is prefix + middle + suffix with a non-empty middle: the middle. */
static bool affix(struct comp c, const char *prefix, const char *suffix, struct comp *mid)
{
	size_t p = strlen(prefix), q = strlen(suffix);

	if (c.n <= p + q || memcmp(c.s, prefix, p) || memcmp(c.s + c.n - q, suffix, q))
		return false;
	mid->s = c.s + p;
	mid->n = c.n - p - q;
	return true;
}

/* A pod UID, written with '-' (cgroupfs) or '_' (systemd: '-' separates slice levels). */
static bool pod_uid(struct comp u, char sep, char *res)
{
	char out[PAL_POD_UID_LEN + 1];

	if (u.n != PAL_POD_UID_LEN)
		return false;
	for (size_t i = 0; i < u.n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		char ch = u.s[i];

		if (dash ? ch != sep : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
		out[i] = dash ? '-' : ch;
	}
	out[u.n] = 0;
	memcpy(res, out, sizeof(out));
	return true;
}

static bool ends_with(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	/* the whole name, or after a '-' (kind's kubelet-kubepods-...) */
	return n >= l && !memcmp(s + n - l, lit, l) && (n == l || s[n - l - 1] == '-');
}

/* kubepods[-<qos>]-pod<uid_>.slice */
static bool pod_slice(struct comp c, struct pal_container *out)
{
	static const struct {
		const char *head;
		__u8 qos;
	} heads[] = {{"kubepods-burstable", PAL_QOS_BURSTABLE},
		     {"kubepods-besteffort", PAL_QOS_BESTEFFORT},
		     {"kubepods", PAL_QOS_GUARANTEED}};
	struct comp mid, uid;
	const char *pod;

	if (!affix(c, "", ".slice", &mid) || mid.n < PAL_POD_UID_LEN + 4)
		return false;
	pod = mid.s + mid.n - PAL_POD_UID_LEN - 4;
	if (memcmp(pod, "-pod", 4))
		return false;
	uid = (struct comp){pod + 4, PAL_POD_UID_LEN};
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		if (ends_with(mid.s, (size_t)(pod - mid.s), heads[i].head)) {
			if (!pod_uid(uid, '_', out->pod_uid))
				return false;
			out->qos = heads[i].qos;
			return true;
		}
	return false;
}

/* pod<uid> under /kubepods (guaranteed) or /kubepods/<qos> */
static bool pod_dir(const struct comp *cs, int i, struct pal_container *out)
{
	struct comp uid;
	__u8 qos;

	if (!affix(cs[i], "pod", "", &uid) || i < 1)
		return false;
	if (eq(cs[i - 1], "kubepods"))
		qos = PAL_QOS_GUARANTEED;
	else if (i >= 2 && eq(cs[i - 2], "kubepods") && eq(cs[i - 1], "burstable"))
		qos = PAL_QOS_BURSTABLE;
	else if (i >= 2 && eq(cs[i - 2], "kubepods") && eq(cs[i - 1], "besteffort"))
		qos = PAL_QOS_BESTEFFORT;
	else
		return false;
	if (!pod_uid(uid, '-', out->pod_uid))
		return false;
	out->qos = qos;
	return true;
}

static void set_id(struct pal_container *out, struct comp id, __u8 rt, __u8 drv)
{
	memcpy(out->id, id.s, id.n);
	out->id[id.n] = 0;
	out->runtime = rt;
	out->driver = drv;
	out->kind = PAL_CTR_CONTAINER;
}

/* Names of a container's own cgroup under the systemd driver: <prefix>-<id>.scope. */
static const struct {
	const char *prefix;
	__u8 runtime;
	bool any_id; /* runc/crun ids are chosen by the caller, not 64 hex */
} scopes[] = {
	{"docker-", PAL_RT_DOCKER, false},	{"cri-containerd-", PAL_RT_CONTAINERD, false},
	{"crio-", PAL_RT_CRIO, false},		{"libpod-", PAL_RT_PODMAN, false},
	{"nerdctl-", PAL_RT_CONTAINERD, false}, {"runc-", PAL_RT_RUNC, true},
	{"crun-", PAL_RT_CRUN, true},
};

static bool scope(struct comp c, bool in_pod, struct pal_container *out)
{
	struct comp id;

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		if (!affix(c, scopes[i].prefix, ".scope", &id))
			continue;
		/* a pod only holds CRI containers; podman's conmon scopes are no container */
		if (in_pod && scopes[i].runtime != PAL_RT_DOCKER &&
		    scopes[i].runtime != PAL_RT_CRIO && strcmp(scopes[i].prefix, "cri-containerd-"))
			return false;
		if (scopes[i].any_id ? !is_oci_id(id.s, id.n) : !is_hex64(id.s, id.n))
			return false;
		set_id(out, id, scopes[i].runtime, PAL_DRV_SYSTEMD);
		return true;
	}
	return false;
}

/* <pod slice>:<prefix>:<id>, a systemd cgroupsPath used as a directory name */
static bool colon_form(struct comp c, struct pal_container *out)
{
	static const struct {
		const char *prefix;
		__u8 runtime;
	} rts[] = {{"cri-containerd", PAL_RT_CONTAINERD},
		   {"crio", PAL_RT_CRIO},
		   {"docker", PAL_RT_DOCKER}};
	const char *a = memchr(c.s, ':', c.n), *b;
	struct pal_container pod = {0};
	struct comp id;

	if (!a || !(b = memchr(a + 1, ':', c.n - (size_t)(a + 1 - c.s))))
		return false;
	id = (struct comp){b + 1, c.n - (size_t)(b + 1 - c.s)};
	if (!pod_slice((struct comp){c.s, (size_t)(a - c.s)}, &pod) || !is_hex64(id.s, id.n))
		return false;
	for (size_t i = 0; i < sizeof(rts) / sizeof(rts[0]); i++)
		if (eq((struct comp){a + 1, (size_t)(b - a - 1)}, rts[i].prefix)) {
			*out = pod;
			set_id(out, id, rts[i].runtime, PAL_DRV_SYSTEMD);
			return true;
		}
	return false;
}

/* The cgroup right below a pod's: one of its containers, or something else of the pod. */
static void in_pod(struct comp c, struct pal_container *out)
{
	struct comp id;

	if (scope(c, true, out))
		return;
	if (affix(c, "crio-", "", &id) && is_hex64(id.s, id.n))
		set_id(out, id, PAL_RT_CRIO, PAL_DRV_CGROUPFS);
	else if (is_hex64(c.s, c.n))
		set_id(out, c, PAL_RT_CRI, PAL_DRV_CGROUPFS);
}

/* A container outside Kubernetes at component i. */
static bool standalone(const struct comp *cs, int i, struct pal_container *out)
{
	struct comp id;

	if (scope(cs[i], false, out))
		return true;
	if (i >= 1 && eq(cs[i - 1], "docker") && is_hex64(cs[i].s, cs[i].n)) {
		set_id(out, cs[i], PAL_RT_DOCKER, PAL_DRV_CGROUPFS);
		return true;
	}
	if (i >= 1 && eq(cs[i - 1], "libpod_parent") && affix(cs[i], "libpod-", "", &id) &&
	    is_hex64(id.s, id.n)) {
		set_id(out, id, PAL_RT_PODMAN, PAL_DRV_CGROUPFS);
		return true;
	}
	return false;
}

static int split(const char *path, struct comp *cs, int max)
{
	int n = 0;

	for (const char *p = path; *p;) {
		const char *e;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		e = e ? e : p + strlen(p);
		if (n == max)
			return -ENAMETOOLONG;
		cs[n++] = (struct comp){p, (size_t)(e - p)};
		p = e;
	}
	return n;
}

int pal_container_parse(const char *path, struct pal_container *c)
{
	struct comp cs[PAL_CTR_DEPTH_MAX];
	int n;

	memset(c, 0, sizeof(*c));
	if (path[0] != '/')
		return -EINVAL;
	if (strnlen(path, PAL_CTR_PATH_MAX + 1) > PAL_CTR_PATH_MAX)
		return -ENAMETOOLONG;
	n = split(path, cs, sizeof(cs) / sizeof(cs[0]));
	if (n < 0)
		return n;
	/* outermost first: what a container makes below itself cannot rename it */
	for (int i = 0; i < n; i++) {
		if (colon_form(cs[i], c) || standalone(cs, i, c)) {
			c->depth = (__u32)i + 1;
			return 0;
		}
		if (pod_slice(cs[i], c) || pod_dir(cs, i, c)) {
			c->kind = PAL_CTR_POD;
			c->driver = cs[i].n > 6 && !memcmp(cs[i].s + cs[i].n - 6, ".slice", 6) ?
					    PAL_DRV_SYSTEMD :
					    PAL_DRV_CGROUPFS;
			c->depth = (__u32)i + 1;
			if (i + 1 < n) {
				in_pod(cs[i + 1], c);
				c->depth += c->kind == PAL_CTR_CONTAINER;
			}
			return 0;
		}
	}
	memset(c, 0, sizeof(*c));
	return 0;
}

bool pal_ctr_id_valid(const char *id)
{
	size_t n = strnlen(id, PAL_CTR_ID_MAX + 1);

	return n <= PAL_CTR_ID_MAX && is_oci_id(id, n);
}

const char *pal_ctr_runtime_name(__u8 runtime)
{
	static const char *const names[PAL_RT_MAX] = {
		[PAL_RT_DOCKER] = "docker", [PAL_RT_CONTAINERD] = "containerd",
		[PAL_RT_CRIO] = "cri-o",    [PAL_RT_PODMAN] = "podman",
		[PAL_RT_RUNC] = "runc",	    [PAL_RT_CRUN] = "crun",
		[PAL_RT_CRI] = "cri",
	};

	return runtime < PAL_RT_MAX && names[runtime] ? names[runtime] : "";
}

const char *pal_ctr_qos_name(__u8 qos)
{
	switch (qos) {
	case PAL_QOS_GUARANTEED:
		return "guaranteed";
	case PAL_QOS_BURSTABLE:
		return "burstable";
	case PAL_QOS_BESTEFFORT:
		return "besteffort";
	default:
		return "";
	}
}
