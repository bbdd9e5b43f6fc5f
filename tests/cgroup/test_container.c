// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of pal_container_parse: one case per runtime and cgroup
 * driver, with names as the runtimes, the kubelet and their bug reports
 * show them, then near-misses and hostile names (a container naming a
 * cgroup below itself after another container, bad UIDs and ids).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cgroup/container.h"

#define ID1 "abddff03dfd7710c79a750ce3e730365cbb2c8247a974170c1062683bc3e9152"
#define ID2 "0ba8ac17e4e7a31fb82279503552fe94e64bab4745bf6fd2ff231e7c8ca8bed0"
#define ID3 "d7dfb4a21fe1703a8537e60d5af248af729315d187b24a538102d14874c8117d"
#define UID1 "9692aa0e-748e-11e8-8dfa-76d458035df6"
#define UID1_ "9692aa0e_748e_11e8_8dfa_76d458035df6"
#define UID2 "2ca4a155-3599-498d-bb9d-4446693fa3ea"
#define UID2_ "2ca4a155_3599_498d_bb9d_4446693fa3ea"

struct want {
	const char *path;
	__u8 kind, runtime, qos, driver;
	const char *id, *uid;
	__u32 depth;
};

#define NONE(p)                                     \
	{                                           \
		p, PAL_CTR_NONE, 0, 0, 0, "", "", 0 \
	}

static const struct want cases[] = {
	/* Kubernetes, systemd driver: containerd, CRI-O, docker (cri-dockerd) */
	{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID1_
	 ".slice/cri-containerd-" ID1 ".scope",
	 PAL_CTR_CONTAINER, PAL_RT_CONTAINERD, PAL_QOS_BESTEFFORT, PAL_DRV_SYSTEMD, ID1, UID1, 4},
	{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID2_
	 ".slice/crio-" ID2 ".scope",
	 PAL_CTR_CONTAINER, PAL_RT_CRIO, PAL_QOS_BESTEFFORT, PAL_DRV_SYSTEMD, ID2, UID2, 4},
	{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID1_
	 ".slice/docker-" ID1 ".scope",
	 PAL_CTR_CONTAINER, PAL_RT_DOCKER, PAL_QOS_BURSTABLE, PAL_DRV_SYSTEMD, ID1, UID1, 4},
	/* guaranteed pods sit right under kubepods.slice */
	{"/kubepods.slice/kubepods-pod" UID1_ ".slice/cri-containerd-" ID3 ".scope",
	 PAL_CTR_CONTAINER, PAL_RT_CONTAINERD, PAL_QOS_GUARANTEED, PAL_DRV_SYSTEMD, ID3, UID1, 3},
	/* kind: the kubelet's slices are prefixed with kubelet- */
	{"/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	 "kubelet-kubepods-besteffort-pod" UID2_ ".slice/cri-containerd-" ID3 ".scope",
	 PAL_CTR_CONTAINER, PAL_RT_CONTAINERD, PAL_QOS_BESTEFFORT, PAL_DRV_SYSTEMD, ID3, UID2, 5},
	/* a systemd cgroupsPath taken literally, below containerd's own service */
	{"/system.slice/containerd.service/kubepods-burstable-pod" UID1_
	 ".slice:cri-containerd:" ID1,
	 PAL_CTR_CONTAINER, PAL_RT_CONTAINERD, PAL_QOS_BURSTABLE, PAL_DRV_SYSTEMD, ID1, UID1, 3},
	{"/system.slice/containerd.service/kubepods-pod" UID2_ ".slice:cri-containerd:" ID2,
	 PAL_CTR_CONTAINER, PAL_RT_CONTAINERD, PAL_QOS_GUARANTEED, PAL_DRV_SYSTEMD, ID2, UID2, 3},
	/* Kubernetes, cgroupfs driver */
	{"/kubepods/burstable/pod" UID1 "/" ID1, PAL_CTR_CONTAINER, PAL_RT_CRI, PAL_QOS_BURSTABLE,
	 PAL_DRV_CGROUPFS, ID1, UID1, 4},
	{"/kubepods/besteffort/pod" UID2 "/crio-" ID2, PAL_CTR_CONTAINER, PAL_RT_CRIO,
	 PAL_QOS_BESTEFFORT, PAL_DRV_CGROUPFS, ID2, UID2, 4},
	{"/kubepods/pod" UID1 "/" ID3, PAL_CTR_CONTAINER, PAL_RT_CRI, PAL_QOS_GUARANTEED,
	 PAL_DRV_CGROUPFS, ID3, UID1, 3},
	/* the pod's own cgroup, and CRI-O's conmon beside the containers: a pod, no container */
	{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID2_ ".slice",
	 PAL_CTR_POD, 0, PAL_QOS_BESTEFFORT, PAL_DRV_SYSTEMD, "", UID2, 3},
	{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID2_
	 ".slice/crio-conmon-" ID2 ".scope",
	 PAL_CTR_POD, 0, PAL_QOS_BESTEFFORT, PAL_DRV_SYSTEMD, "", UID2, 3},
	{"/kubepods/burstable/pod" UID1, PAL_CTR_POD, 0, PAL_QOS_BURSTABLE, PAL_DRV_CGROUPFS, "",
	 UID1, 3},
	/* docker */
	{"/system.slice/docker-" ID1 ".scope", PAL_CTR_CONTAINER, PAL_RT_DOCKER, 0, PAL_DRV_SYSTEMD,
	 ID1, "", 2},
	{"/docker/" ID2, PAL_CTR_CONTAINER, PAL_RT_DOCKER, 0, PAL_DRV_CGROUPFS, ID2, "", 2},
	/* containerd without Kubernetes: a CRI parent of the caller's choice, nerdctl */
	{"/system.slice/system-getty.slice/cri-containerd-" ID3 ".scope", PAL_CTR_CONTAINER,
	 PAL_RT_CONTAINERD, 0, PAL_DRV_SYSTEMD, ID3, "", 3},
	{"/system.slice/nerdctl-" ID1 ".scope", PAL_CTR_CONTAINER, PAL_RT_CONTAINERD, 0,
	 PAL_DRV_SYSTEMD, ID1, "", 2},
	/* CRI-O outside a pod slice */
	{"/machine.slice/crio-" ID2 ".scope", PAL_CTR_CONTAINER, PAL_RT_CRIO, 0, PAL_DRV_SYSTEMD,
	 ID2, "", 2},
	/* podman: rootful, rootless, its "container" sub-cgroup, cgroupfs */
	{"/machine.slice/libpod-" ID1 ".scope", PAL_CTR_CONTAINER, PAL_RT_PODMAN, 0,
	 PAL_DRV_SYSTEMD, ID1, "", 2},
	{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID2 ".scope",
	 PAL_CTR_CONTAINER, PAL_RT_PODMAN, 0, PAL_DRV_SYSTEMD, ID2, "", 5},
	{"/machine.slice/libpod-" ID3 ".scope/container", PAL_CTR_CONTAINER, PAL_RT_PODMAN, 0,
	 PAL_DRV_SYSTEMD, ID3, "", 2},
	{"/libpod_parent/libpod-" ID1, PAL_CTR_CONTAINER, PAL_RT_PODMAN, 0, PAL_DRV_CGROUPFS, ID1,
	 "", 2},
	/* runc and crun run directly with the systemd driver: their default scope names */
	{"/system.slice/runc-web1.scope", PAL_CTR_CONTAINER, PAL_RT_RUNC, 0, PAL_DRV_SYSTEMD,
	 "web1", "", 2},
	{"/machine.slice/crun-busybox1.scope", PAL_CTR_CONTAINER, PAL_RT_CRUN, 0, PAL_DRV_SYSTEMD,
	 "busybox1", "", 2},

	/* ---- hosts' own cgroups and near-misses: no container ---- */
	NONE("/"),
	NONE("/system.slice/docker.service"),
	NONE("/system.slice/containerd.service"),
	NONE("/system.slice/crio.service"),
	NONE("/machine.slice/libpod-conmon-" ID1 ".scope"),
	NONE("/kubepods.slice"),
	NONE("/kubepods.slice/kubepods-burstable.slice"),
	NONE("/kubepods/burstable"),
	NONE("/docker"),
	NONE("/docker/not-a-container"),
	NONE("/system.slice/docker-" ID1 ".scope.old"),
	NONE("/system.slice/docker-" ID1 "0.scope"), /* 65 hex */
	NONE("/system.slice/docker-ABDDFF03DFD7710C79A750CE3E730365CBB2C8247A974170C1062683BC3E9152"
	     ".scope"),
	NONE("/system.slice/docker-.scope"),
	NONE("/system.slice/runc-.scope"),
	NONE("/system.slice/runc-a/b.scope"),
	NONE("/system.slice/runc-..scope"),
	NONE("/user.slice/" ID1), /* 64 hex under anything but /docker */
	NONE("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID1 ".slice"),
	NONE("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podXYZ.slice"),
	NONE("/kubepods.slice/kubepods-besteffort.slice/notkubepods-besteffort-pod" UID1_ ".slice"),
	NONE("/kubepods/burstable/pod" UID1_),
	NONE("/burstable/pod" UID1 "/" ID1),
	NONE("/kubepods/gold/pod" UID1 "/" ID1),
	NONE("/system.slice/containerd.service/kubepods-pod" UID1_ ".slice:evil:" ID1),
	NONE("/system.slice/containerd.service/kubepods-pod" UID1_ ".slice:cri-containerd:short"),
	NONE("/system.slice/containerd.service/x.slice:cri-containerd:" ID1),
};

/* What a container makes below itself does not change whose it is. */
static const struct want nested[] = {
	{"/system.slice/docker-" ID1 ".scope/docker-" ID2 ".scope", PAL_CTR_CONTAINER,
	 PAL_RT_DOCKER, 0, PAL_DRV_SYSTEMD, ID1, "", 2},
	{"/system.slice/docker-" ID1 ".scope/kubepods/burstable/pod" UID2 "/" ID2,
	 PAL_CTR_CONTAINER, PAL_RT_DOCKER, 0, PAL_DRV_SYSTEMD, ID1, "", 2},
	{"/kubepods/burstable/pod" UID1 "/" ID1 "/system.slice/crio-" ID2 ".scope",
	 PAL_CTR_CONTAINER, PAL_RT_CRI, PAL_QOS_BURSTABLE, PAL_DRV_CGROUPFS, ID1, UID1, 4},
	{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID1_
	 ".slice/cri-containerd-" ID1 ".scope/kubepods-pod" UID2_ ".slice:cri-containerd:" ID2,
	 PAL_CTR_CONTAINER, PAL_RT_CONTAINERD, PAL_QOS_BESTEFFORT, PAL_DRV_SYSTEMD, ID1, UID1, 4},
	/* a pod's non-container cgroup cannot make a container below itself either */
	{"/kubepods/burstable/pod" UID1 "/not-a-container/" ID2, PAL_CTR_POD, 0, PAL_QOS_BURSTABLE,
	 PAL_DRV_CGROUPFS, "", UID1, 3},
	/* a minikube node is a docker container: its pods are that container's */
	{"/docker/" ID1 "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID2_
	 ".slice/crio-" ID2 ".scope",
	 PAL_CTR_CONTAINER, PAL_RT_DOCKER, 0, PAL_DRV_CGROUPFS, ID1, "", 2},
};

static void check(const struct want *w)
{
	struct pal_container c;

	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(pal_container_parse(w->path, &c), 0);
	if (c.kind != w->kind || c.runtime != w->runtime || c.qos != w->qos ||
	    c.driver != w->driver || strcmp(c.id, w->id) || strcmp(c.pod_uid, w->uid) ||
	    c.depth != w->depth)
		fail_msg("%s: got kind %u runtime %u qos %u driver %u id '%s' uid '%s' depth %u",
			 w->path, c.kind, c.runtime, c.qos, c.driver, c.id, c.pod_uid, c.depth);
}

static void table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

static void hostile(void **state)
{
	static char big[PAL_CTR_PATH_MAX + 64];
	struct pal_container c;

	(void)state;
	for (size_t i = 0; i < sizeof(nested) / sizeof(nested[0]); i++)
		check(&nested[i]);
	assert_int_equal(pal_container_parse("docker/" ID1, &c), -EINVAL);
	assert_int_equal(pal_container_parse("", &c), -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	assert_int_equal(pal_container_parse(big, &c), -ENAMETOOLONG);
	for (size_t i = 0; i + 1 < PAL_CTR_PATH_MAX; i += 2)
		big[i] = '/', big[i + 1] = 'a';
	big[PAL_CTR_PATH_MAX] = 0;
	assert_int_equal(pal_container_parse(big, &c), -ENAMETOOLONG);
	assert_int_equal(c.kind, PAL_CTR_NONE);
	/* "//" and a trailing '/' do not hide a container */
	assert_int_equal(pal_container_parse("//docker//" ID1 "/", &c), 0);
	assert_string_equal(c.id, ID1);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(pal_ctr_runtime_name(PAL_RT_CRIO), "cri-o");
	assert_string_equal(pal_ctr_runtime_name(PAL_RT_NONE), "");
	assert_string_equal(pal_ctr_runtime_name(200), "");
	assert_string_equal(pal_ctr_qos_name(PAL_QOS_BESTEFFORT), "besteffort");
	assert_string_equal(pal_ctr_qos_name(9), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(hostile),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
