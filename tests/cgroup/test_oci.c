// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of pal_oci_read / pal_oci_parse_config: state directories laid
 * out as containerd, runc and crun lay them out, in a temporary directory,
 * then hostile inputs: symlinks on the way, huge and non-regular files,
 * wrong JSON types, missing fields, invalid UTF-8, deep nesting, ids that
 * try to leave the state root.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "cgroup/container.h"

#define ID "f81d390115234186549def0dd6aa82f15c4afa264b8394d6e7a1559bc04b753f"
#define UID "811bce1a-b926-49c6-af1c-115c2a06df25"

static char tmp[256];
static struct pal_oci_roots roots;
/* runc's state.json: the bundle is a label of the container's config */
#define RUNC_STATE(bundle) "{\"config\":{\"labels\":[\"bundle=" bundle "\"]}}"

static char r_ctd[PATH_MAX], r_runc[PATH_MAX], r_crun[PATH_MAX];

static const char cri_config[] =
	"{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"nginx\"]},\"annotations\":{"
	"\"io.kubernetes.cri.container-type\":\"container\","
	"\"io.kubernetes.cri.container-name\":\"nginx\","
	"\"io.kubernetes.cri.image-name\":\"docker.io/library/nginx:1.27\","
	"\"io.kubernetes.cri.sandbox-name\":\"web-7d4b9c\","
	"\"io.kubernetes.cri.sandbox-namespace\":\"prod\","
	"\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"}}\n";

static const char crio_config[] =
	"{\"annotations\":{"
	"\"io.kubernetes.pod.name\":\"api-0\","
	"\"io.kubernetes.pod.namespace\":\"shop\","
	"\"io.kubernetes.pod.uid\":\"" UID "\","
	"\"io.kubernetes.container.name\":\"api\","
	"\"io.kubernetes.cri-o.ImageName\":\"quay.io/shop/api:v2\","
	"\"io.kubernetes.cri-o.Labels\":\"{\\\"app\\\":\\\"api\\\",\\\"tier\\\":\\\"backend\\\","
	"\\\"bad\\\":7}\"}}";

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	assert_true(!mkdir(p, 0755) || errno == EEXIST);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "%.200s/pal-oci-XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(r_ctd, sizeof(r_ctd), "%s/ctd", tmp);
	snprintf(r_runc, sizeof(r_runc), "%s/runc", tmp);
	snprintf(r_crun, sizeof(r_crun), "%s/crun", tmp);
	roots = (struct pal_oci_roots){r_ctd, r_runc, r_crun};
	dir("ctd");
	dir("runc");
	dir("crun");
	dir("bundle");
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) ? -1 : 0;
}

static void containerd_cri(void **state)
{
	struct pal_ctr_meta m;

	(void)state;
	dir("ctd/default");
	dir("ctd/k8s.io");
	dir("ctd/k8s.io/" ID);
	put("ctd/k8s.io/" ID "/config.json", cri_config);
	assert_int_equal(pal_oci_read(&roots, ID, &m), 0);
	assert_string_equal(m.pod, "web-7d4b9c");
	assert_string_equal(m.ns, "prod");
	assert_string_equal(m.name, "nginx");
	assert_string_equal(m.image, "docker.io/library/nginx:1.27");
	assert_string_equal(m.pod_uid, UID);
	assert_int_equal(m.runtime, PAL_RT_CONTAINERD);
	assert_int_equal(m.nlabels, 0);
	pal_ctr_meta_free(&m);
	/* an id nobody knows */
	assert_int_equal(pal_oci_read(&roots, "0123abcd", &m), -ENOENT);
}

static void docker_moby(void **state)
{
	struct pal_ctr_meta m;

	(void)state;
	dir("ctd/moby");
	dir("ctd/moby/dd01");
	put("ctd/moby/dd01/config.json", "{\"annotations\":{}}");
	assert_int_equal(pal_oci_read(&roots, "dd01", &m), 0);
	assert_int_equal(m.runtime, PAL_RT_DOCKER);
	assert_string_equal(m.pod, "");
	pal_ctr_meta_free(&m);
}

static void runc_crio(void **state)
{
	char state_json[PATH_MAX + 64];
	struct pal_ctr_meta m;

	(void)state;
	dir("runc/c1");
	dir("bundle/c1");
	snprintf(state_json, sizeof(state_json),
		 "{\"id\":\"c1\",\"init_process_pid\":42,\"config\":{\"rootfs\":\"/r\","
		 "\"labels\":[\"io.kubernetes.pod.name=api-0\",\"bundle=%s/bundle/c1\"]}}",
		 tmp);
	put("runc/c1/state.json", state_json);
	put("bundle/c1/config.json", crio_config);
	assert_int_equal(pal_oci_read(&roots, "c1", &m), 0);
	assert_string_equal(m.pod, "api-0");
	assert_string_equal(m.ns, "shop");
	assert_string_equal(m.name, "api");
	assert_string_equal(m.image, "quay.io/shop/api:v2");
	assert_int_equal(m.runtime, PAL_RT_CRIO);
	/* the non-string label is left out */
	assert_int_equal(m.nlabels, 2);
	assert_string_equal(m.labels[0].key, "app");
	assert_string_equal(m.labels[0].value, "api");
	assert_string_equal(m.labels[1].key, "tier");
	pal_ctr_meta_free(&m);
}

static void crun_status(void **state)
{
	char status[PATH_MAX + 128];
	struct pal_ctr_meta m;

	(void)state;
	dir("crun/busybox1");
	dir("bundle/b1");
	snprintf(status, sizeof(status),
		 "{\n  \"pid\": 139179,\n  \"cgroup-path\": \"/busybox1\",\n  \"rootfs\": "
		 "\"rootfs\",\n  \"systemd-cgroup\": false,\n  \"bundle\": \"%s/bundle/b1\"\n}\n",
		 tmp);
	put("crun/busybox1/status", status);
	put("bundle/b1/config.json", cri_config);
	assert_int_equal(pal_oci_read(&roots, "busybox1", &m), 0);
	assert_int_equal(m.runtime, PAL_RT_CRUN);
	assert_string_equal(m.name, "nginx");
	pal_ctr_meta_free(&m);
}

static void symlinks(void **state)
{
	char p[PATH_MAX], t[PATH_MAX], st[PATH_MAX + 64];
	struct pal_ctr_meta m;

	(void)state;
	/* containerd: the container's directory is a symlink */
	dir("elsewhere");
	put("elsewhere/config.json", cri_config);
	snprintf(p, sizeof(p), "%s/ctd/k8s.io/sl1", tmp);
	snprintf(t, sizeof(t), "%s/elsewhere", tmp);
	assert_int_equal(symlink(t, p), 0);
	assert_int_equal(pal_oci_read(&roots, "sl1", &m), -ELOOP);
	/* runc: state.json is a symlink */
	dir("runc/sl2");
	snprintf(p, sizeof(p), "%s/runc/sl2/state.json", tmp);
	snprintf(t, sizeof(t), "%s/elsewhere/config.json", tmp);
	assert_int_equal(symlink(t, p), 0);
	assert_int_equal(pal_oci_read(&roots, "sl2", &m), -ELOOP);
	/* the bundle's config.json is a symlink */
	dir("runc/sl3");
	dir("bundle/sl3");
	snprintf(st, sizeof(st), RUNC_STATE("%s/bundle/sl3"), tmp);
	put("runc/sl3/state.json", st);
	snprintf(p, sizeof(p), "%s/bundle/sl3/config.json", tmp);
	assert_int_equal(symlink(t, p), 0);
	assert_int_equal(pal_oci_read(&roots, "sl3", &m), -ELOOP);
	/* a symlink among the bundle's directories */
	dir("runc/sl4");
	snprintf(p, sizeof(p), "%s/bundle/sl4", tmp);
	snprintf(t, sizeof(t), "%s/elsewhere", tmp);
	assert_int_equal(symlink(t, p), 0);
	snprintf(st, sizeof(st), RUNC_STATE("%s/bundle/sl4"), tmp);
	put("runc/sl4/state.json", st);
	assert_int_equal(pal_oci_read(&roots, "sl4", &m), -ELOOP);
	/* bundle paths that are not plain absolute paths */
	dir("runc/dd");
	snprintf(st, sizeof(st), RUNC_STATE("%s/bundle/../elsewhere"), tmp);
	put("runc/dd/state.json", st);
	assert_int_equal(pal_oci_read(&roots, "dd", &m), -EINVAL);
	put("runc/dd/state.json", RUNC_STATE("bundle/c1"));
	assert_int_equal(pal_oci_read(&roots, "dd", &m), -EINVAL);
	put("runc/dd/state.json", "{\"config\":{\"labels\":[42]}}");
	assert_int_equal(pal_oci_read(&roots, "dd", &m), -EINVAL);
	put("runc/dd/state.json", "{\"config\":{\"labels\":\"bundle=/b\"}}");
	assert_int_equal(pal_oci_read(&roots, "dd", &m), -EINVAL);
	/* runc writes no top-level "bundle" (that is `runc state`'s output) */
	snprintf(st, sizeof(st), "{\"bundle\":\"%s/bundle/c1\"}", tmp);
	put("runc/dd/state.json", st);
	assert_int_equal(pal_oci_read(&roots, "dd", &m), -EINVAL);
	put("runc/dd/state.json", "{}");
	assert_int_equal(pal_oci_read(&roots, "dd", &m), -EINVAL);
}

static void ids(void **state)
{
	struct pal_ctr_meta m;

	(void)state;
	assert_int_equal(pal_oci_read(&roots, "../bundle/c1", &m), -EINVAL);
	assert_int_equal(pal_oci_read(&roots, "..", &m), -EINVAL);
	assert_int_equal(pal_oci_read(&roots, "", &m), -EINVAL);
	assert_int_equal(pal_oci_read(&roots, "a/b", &m), -EINVAL);
	assert_int_equal(pal_oci_read(&roots, "a\nb", &m), -EINVAL);
}

static void big_and_odd_files(void **state)
{
	char p[PATH_MAX];
	struct pal_ctr_meta m;
	int fd;

	(void)state;
	/* a config.json over the limit (sparse: no disk needed) */
	dir("ctd/k8s.io/big");
	snprintf(p, sizeof(p), "%s/ctd/k8s.io/big/config.json", tmp);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)PAL_OCI_CONFIG_MAX + 1), 0);
	close(fd);
	assert_int_equal(pal_oci_read(&roots, "big", &m), -EFBIG);
	/* a FIFO and a directory where config.json should be: never a blocking read */
	dir("ctd/k8s.io/fifo");
	snprintf(p, sizeof(p), "%s/ctd/k8s.io/fifo/config.json", tmp);
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_equal(pal_oci_read(&roots, "fifo", &m), -EINVAL);
	dir("ctd/k8s.io/dir");
	dir("ctd/k8s.io/dir/config.json");
	assert_int_equal(pal_oci_read(&roots, "dir", &m), -EINVAL);
}

static void hostile_json(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"\"x\"",
		"{\"annotations\":{}",
		"{} trailing",
		"{\"annotations\":{\"io.kubernetes.pod.name\":\"\xff\xfe\"}}", /* invalid UTF-8 */
		"{\"a\":'single'}",
		"{\"a\":1,}", /* not strict JSON */
	};
	char deep[PAL_OCI_JSON_DEPTH * 6 + 16], *big;
	struct pal_ctr_meta m;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pal_oci_parse_config(bad[i], strlen(bad[i]), &m), -EINVAL);
	assert_int_equal(pal_oci_parse_config("{\"a\":\"x\0y\"}", 11, &m), -EINVAL);
	for (int i = 0; i < PAL_OCI_JSON_DEPTH + 2; i++)
		n += (size_t)sprintf(deep + n, "{\"a\":");
	assert_int_equal(pal_oci_parse_config(deep, n, &m), -EINVAL);
	big = calloc(1, PAL_OCI_CONFIG_MAX + 2);
	assert_non_null(big);
	memset(big, ' ', PAL_OCI_CONFIG_MAX + 1);
	assert_int_equal(pal_oci_parse_config(big, PAL_OCI_CONFIG_MAX + 1, &m), -EFBIG);
	free(big);
}

static void wrong_types(void **state)
{
	char name300[400], doc[600];
	struct pal_ctr_meta m;
	const char *t;

	(void)state;
	/* annotations of the wrong type, members of the wrong type: nothing, no error */
	t = "{\"annotations\":[\"io.kubernetes.pod.name\"]}";
	assert_int_equal(pal_oci_parse_config(t, strlen(t), &m), 0);
	assert_string_equal(m.pod, "");
	t = "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":7,"
	    "\"io.kubernetes.cri.sandbox-namespace\":null,"
	    "\"io.kubernetes.cri.container-name\":{\"x\":\"y\"},"
	    "\"io.kubernetes.cri.sandbox-uid\":\"not-a-uid\","
	    "\"io.kubernetes.cri.image-name\":\"a\\u0007b\","
	    "\"io.kubernetes.cri-o.Labels\":\"[1,2]\"}}";
	assert_int_equal(pal_oci_parse_config(t, strlen(t), &m), 0);
	assert_string_equal(m.pod, "");
	assert_string_equal(m.ns, "");
	assert_string_equal(m.name, "");
	assert_string_equal(m.pod_uid, "");
	assert_string_equal(m.image, "");
	assert_int_equal(m.nlabels, 0);
	pal_ctr_meta_free(&m);
	/* an escaped NUL inside a value, and a value over the limit: left out, not cut */
	t = "{\"annotations\":{\"io.kubernetes.pod.name\":\"a\\u0000b\"}}";
	assert_int_equal(pal_oci_parse_config(t, strlen(t), &m), 0);
	assert_string_equal(m.pod, "");
	memset(name300, 'n', 300);
	name300[300] = 0;
	snprintf(doc, sizeof(doc), "{\"annotations\":{\"io.kubernetes.pod.name\":\"%s\"}}",
		 name300);
	assert_int_equal(pal_oci_parse_config(doc, strlen(doc), &m), 0);
	assert_string_equal(m.pod, "");
	/* missing everything */
	assert_int_equal(pal_oci_parse_config("{}", 2, &m), 0);
	assert_string_equal(m.name, "");
	/* UTF-8 names are kept */
	t = "{\"annotations\":{\"io.kubernetes.container.name\":\"caf\xc3\xa9\"}}";
	assert_int_equal(pal_oci_parse_config(t, strlen(t), &m), 0);
	assert_string_equal(m.name, "caf\xc3\xa9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(containerd_cri),    cmocka_unit_test(docker_moby),
		cmocka_unit_test(runc_crio),	     cmocka_unit_test(crun_status),
		cmocka_unit_test(symlinks),	     cmocka_unit_test(ids),
		cmocka_unit_test(big_and_odd_files), cmocka_unit_test(hostile_json),
		cmocka_unit_test(wrong_types),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
