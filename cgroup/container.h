/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Container identity. pal_container_parse() reads only a cgroup path (no
 * I/O): whether the cgroup is a container (or a Kubernetes pod), its
 * runtime, its container id, and for Kubernetes the pod UID and QoS class.
 * pal_oci_read() (oci.c) then finds the container's OCI config.json through
 * the runtime's state directory and reads the names the runtime recorded
 * there as annotations (pod, namespace, container, image, labels).
 *
 * Trust: the cgroups above a container are made by the host's managers
 * (systemd, kubelet, the runtime); the ones below it may be made by the
 * container itself. So the OUTERMOST container in a path is its identity,
 * and a cgroup a container creates below itself, whatever its name, is
 * still that container. Everything read from the state directories is
 * untrusted input (a container's runtime writes its config.json).
 */
#ifndef PALISADE_CGROUP_CONTAINER_H
#define PALISADE_CGROUP_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define PAL_CTR_ID_MAX 128 /* bytes of a container id (the runtimes' own ids are 64 hex) */
#define PAL_POD_UID_LEN 36 /* a pod UID as text: 8-4-4-4-12 hex digits */
#define PAL_CTR_PATH_MAX 4096 /* bytes of a cgroup path we parse */
#define PAL_CTR_DEPTH_MAX 256 /* components of a cgroup path we parse */
#define PAL_CTR_NAME_MAX 253 /* bytes of a pod, namespace or container name we keep */
#define PAL_CTR_IMAGE_MAX 512 /* bytes of an image reference we keep */
#define PAL_CTR_LABELS_MAX 64 /* pod labels we keep */
#define PAL_CTR_LABEL_MAX 317 /* bytes of one label key (prefix/name) or value */

enum pal_ctr_kind {
	PAL_CTR_NONE = 0, /* not a container */
	PAL_CTR_POD = 1, /* a Kubernetes pod's own cgroup, not one of its containers */
	PAL_CTR_CONTAINER = 2, /* a container, or a cgroup below one */
};

enum pal_ctr_runtime {
	PAL_RT_NONE = 0,
	PAL_RT_DOCKER,
	PAL_RT_CONTAINERD, /* CRI (cri-containerd-*) or plain (nerdctl-*) */
	PAL_RT_CRIO,
	PAL_RT_PODMAN,
	PAL_RT_RUNC, /* runc run directly (runc-*.scope) */
	PAL_RT_CRUN, /* crun run directly (crun-*.scope) */
	PAL_RT_CRI, /* a Kubernetes container of the cgroupfs driver: the name says no runtime */
	PAL_RT_MAX,
};

enum pal_ctr_qos {
	PAL_QOS_NONE = 0,
	PAL_QOS_GUARANTEED,
	PAL_QOS_BURSTABLE,
	PAL_QOS_BESTEFFORT,
};

enum pal_ctr_driver {
	PAL_DRV_NONE = 0,
	PAL_DRV_SYSTEMD, /* scopes and slices: docker-<id>.scope */
	PAL_DRV_CGROUPFS, /* plain directories: /docker/<id> */
};

/* What a cgroup path says about a container. */
struct pal_container {
	__u8 kind; /* enum pal_ctr_kind */
	__u8 runtime; /* enum pal_ctr_runtime */
	__u8 qos; /* enum pal_ctr_qos, Kubernetes only */
	__u8 driver; /* enum pal_ctr_driver */
	__u32 depth; /* path components up to and including the container's own cgroup */
	char id[PAL_CTR_ID_MAX + 1]; /* "" for a pod */
	char pod_uid[PAL_POD_UID_LEN + 1]; /* with dashes; "" outside Kubernetes */
};

/*
 * Parse a cgroup path relative to the cgroup2 root ("/" or "/a/b"). Returns
 * 0 with c filled (c->kind PAL_CTR_NONE when the path names no container),
 * -EINVAL when path is not absolute, -ENAMETOOLONG when it is over
 * PAL_CTR_PATH_MAX.
 */
int pal_container_parse(const char *path, struct pal_container *c);

/* An id runc and crun accept: [A-Za-z0-9_+.-], not starting with '.', PAL_CTR_ID_MAX bytes. */
bool pal_ctr_id_valid(const char *id);

/* "docker", "containerd", "cri-o", "podman", "runc", "crun", "cri"; "" for none. */
const char *pal_ctr_runtime_name(__u8 runtime);
/* "guaranteed", "burstable", "besteffort"; "" for none. */
const char *pal_ctr_qos_name(__u8 qos);

/* ---- metadata from the OCI state (oci.c) ------------------------------- */

#define PAL_OCI_STATE_MAX (1u << 20) /* bytes of runc state.json (the whole config) or crun status */
#define PAL_OCI_CONFIG_MAX (4u << 20) /* bytes of an OCI config.json */
#define PAL_OCI_JSON_DEPTH 32 /* JSON nesting we parse */
#define PAL_OCI_NAMESPACES_MAX 64 /* containerd namespaces we look through */

/* The runtimes' state directories; NULL: that runtime is not looked at. */
struct pal_oci_roots {
	const char *containerd; /* io.containerd.runtime.v2.task: <ns>/<id>/config.json */
	const char *runc; /* <id>/state.json, field "bundle" (CRI-O, podman, docker-less runc) */
	const char *crun; /* <id>/status, field "bundle" */
};

/* The state directories of a standard host (/run/containerd/..., /run/runc, /run/crun). */
extern const struct pal_oci_roots pal_oci_default_roots;

/*
 * The standard roots, or where PALISADE_OCI_{CONTAINERD,RUNC,CRUN}_ROOT say
 * (a DaemonSet's mounts, tests); an empty value leaves that runtime out.
 * The strings stay owned by the environment.
 */
void pal_oci_roots_from_env(struct pal_oci_roots *r);

struct pal_ctr_label {
	char *key;
	char *value;
};

/* What the runtime recorded about a container; "" where it said nothing usable. */
struct pal_ctr_meta {
	char pod[PAL_CTR_NAME_MAX + 1];
	char ns[PAL_CTR_NAME_MAX + 1]; /* the Kubernetes namespace */
	char name[PAL_CTR_NAME_MAX + 1]; /* the container's name */
	char image[PAL_CTR_IMAGE_MAX + 1];
	char pod_uid[PAL_POD_UID_LEN + 1];
	__u8 runtime; /* enum pal_ctr_runtime, refined from where the state was found */
	__u32 nlabels; /* pod labels (CRI-O records them) */
	struct pal_ctr_label *labels;
};

/*
 * Find container id's config.json through the state directories of roots
 * and read its annotations into m (m is reset first; free it with
 * pal_ctr_meta_free). Returns 0, -ENOENT when no runtime knows id,
 * -EINVAL for an invalid id or an unusable state or config file, -EFBIG
 * for a file over its limit, -ELOOP for a symlink on the way, -ENOMEM, or
 * another -errno. On any error m holds nothing.
 */
int pal_oci_read(const struct pal_oci_roots *roots, const char *id, struct pal_ctr_meta *m);
/* Read the annotations of one config.json text (for tests and fuzzing). */
int pal_oci_parse_config(const char *text, size_t len, struct pal_ctr_meta *m);
void pal_ctr_meta_free(struct pal_ctr_meta *m);

#endif /* PALISADE_CGROUP_CONTAINER_H */
