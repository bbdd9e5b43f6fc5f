// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "write settings + flip" glue the agent normally does (agent/reload.c
 * does it for real), plus the throw-away cgroup tree of the native tests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>

#include "policies/emit.h"
#include "tests/cgroup/helper.h"

int t_cgroup2_root(char *buf, size_t len, const char **why)
{
	int err = pal_cgroup_find_root(buf, len);

	if (err) {
		*why = "no cgroup2 mount in /proc/self/mountinfo";
		return err;
	}
	return 0;
}

static const enum bpf_attach_type all_types[] = {
	BPF_CGROUP_INET4_CONNECT,    BPF_CGROUP_INET6_CONNECT, BPF_CGROUP_UDP4_SENDMSG,
	BPF_CGROUP_UDP6_SENDMSG,     BPF_CGROUP_INET4_BIND,    BPF_CGROUP_INET6_BIND,
	BPF_CGROUP_INET_SOCK_CREATE, BPF_CGROUP_DEVICE,
};

/* Programs attached the legacy way outlive their process: detach them by id. */
static void detach_all(int cgfd)
{
	for (size_t t = 0; t < sizeof(all_types) / sizeof(all_types[0]); t++) {
		__u32 ids[64], cnt = 64, flags = 0;

		if (bpf_prog_query(cgfd, all_types[t], 0, &flags, ids, &cnt))
			continue;
		for (__u32 i = 0; i < cnt; i++) {
			int pfd = bpf_prog_get_fd_by_id(ids[i]);

			if (pfd < 0)
				continue;
			bpf_prog_detach2(pfd, cgfd, all_types[t]);
			close(pfd);
		}
	}
}

static void kill_procs(const char *dir)
{
	char path[PATH_MAX], line[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		pid_t pid = atoi(line);

		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
	fclose(f);
}

static void cleanup_dir(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int fd;

	if (d) {
		while ((de = readdir(d))) {
			char sub[PATH_MAX];

			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
			cleanup_dir(sub);
		}
		closedir(d);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		detach_all(fd);
		close(fd);
	}
	kill_procs(dir);
	for (int i = 0; i < 50 && rmdir(dir) && errno == EBUSY; i++)
		usleep(20000); /* a killed task may take a moment to leave */
}

void t_cleanup_tree(const char *root, const char *top)
{
	char dir[PATH_MAX];

	/* never the root itself: top is always a named child */
	if (!top[0] || !strcmp(top, "/"))
		return;
	snprintf(dir, sizeof(dir), "%s%s", root, top);
	cleanup_dir(dir);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tenv *t = ctx;

	if (size >= sizeof(struct pal_event) && t->nev < T_MAX_EVENTS)
		memcpy(&t->ev[t->nev++], data, sizeof(struct pal_event));
	return 0;
}

int tenv_open(struct tenv *t, const char *root, const char *top)
{
	int err;

	memset(t, 0, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "%s", root);
	snprintf(t->top, sizeof(t->top), "%s", top);
	err = pal_maps_open(&t->maps, NULL);
	if (err)
		return err;
	err = pal_cgroup_open(&t->cg, &t->maps, root, NULL, PAL_CG_NO_ROOT_ATTACH);
	if (err)
		return err;
	t->rb = ring_buffer__new(t->maps.fd[PAL_MAP_EVENTS], on_event, t, NULL);
	if (!t->rb)
		return -errno;
	return 0;
}

void tenv_close(struct tenv *t)
{
	ring_buffer__free(t->rb);
	pal_cgroup_close(t->cg, false);
	pal_maps_close(&t->maps);
	t->rb = NULL;
	t->cg = NULL;
}

/* What the agent writes between prepare and commit. */
static int write_settings(struct tenv *t, const struct pal_policy_set *set, __u32 slot, __u32 nkeys)
{
	struct pal_gen_config cfg;
	__u32 zero = 0;

	for (__u32 i = 0; i < PAL_MAX_POLICIES; i++) {
		struct pal_policy p = {0};
		__u32 k = slot * PAL_MAX_POLICIES + i;

		if (i < set->npolicies) {
			p.mode = set->policies[i].mode;
			memcpy(p.defaults, set->policies[i].defaults, sizeof(p.defaults));
		}
		if (bpf_map_update_elem(t->maps.fd[PAL_MAP_POLICIES], &k, &p, BPF_ANY))
			return -errno;
	}
	if (bpf_map_lookup_elem(t->maps.fd[PAL_MAP_CONFIG], &slot, &cfg))
		return -errno;
	cfg.generation = ++t->generation;
	cfg.host_policies = 0; /* tests only use targeted policies */
	cfg.from_policies = 0;
	cfg.pattern_policies = 0;
	cfg.npolicies = set->npolicies;
	cfg.ncgroup_keys = nkeys;
	if (bpf_map_update_elem(t->maps.fd[PAL_MAP_CONFIG], &slot, &cfg, BPF_ANY))
		return -errno;
	/* the flip: one 4-byte store */
	if (bpf_map_update_elem(t->maps.fd[PAL_MAP_GEN], &zero, &slot, BPF_ANY))
		return -errno;
	return 0;
}

int tenv_apply_set(struct tenv *t, const struct pal_policy_set *set)
{
	__u32 slot = 1 - t->live, nkeys = 0;
	struct pal_net_emit net = {0};
	struct pal_dev_emit dev = {0};
	int err;

	for (__u32 i = 0; i < set->npolicies; i++)
		if (!set->policies[i].ncgroups) {
			fprintf(stderr, "  test policy '%s' has no target: refused\n",
				set->policies[i].name);
			return -EPERM;
		}
	/* the emitters run first, as in agent/reload.c; prepare takes their entries */
	err = pal_emit_net(set, slot, &net);
	err = err ?: pal_emit_dev(set, slot, &dev);
	err = err ?: pal_cgroup_prepare(t->cg, set, &net, &dev, slot, &nkeys);
	pal_net_emit_free(&net);
	pal_dev_emit_free(&dev);
	if (err)
		return err;
	err = write_settings(t, set, slot, nkeys);
	if (err)
		return err;
	err = pal_cgroup_commit(t->cg, t->live);
	t->live = slot;
	return err;
}

static void print_diag(const struct pal_diag *d, void *ctx)
{
	pal_diag_print(stderr, d);
}

int tenv_apply_yaml(struct tenv *t, const char *yaml)
{
	struct pal_load_opts o = {.flags = PAL_LOAD_NO_HOST, .diag = print_diag};
	struct pal_policy_set *set = pal_policy_set_new(&o);
	int err;

	if (!set)
		return -ENOMEM;
	err = yaml[0] ? pal_policy_add_buffer(set, "test.yaml", yaml, strlen(yaml)) : 0;
	if (!err)
		err = tenv_apply_set(t, set);
	pal_policy_set_free(set);
	return err;
}

void tenv_abs(const struct tenv *t, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", t->root, rel);
}

int tenv_mkcg(struct tenv *t, const char *name, char *rel, size_t len)
{
	char path[PATH_MAX];

	/* only ever below the test's own tree in the cgroup2 mount */
	if (!t->root[0] || strncmp(t->top, "/palisade-", 10))
		return -EINVAL;

	snprintf(rel, len, "%s/%s", t->top, name);
	tenv_abs(t, rel, path, sizeof(path));
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int tenv_rmcg(struct tenv *t, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s/%s", t->root, t->top, name);
	return rmdir(path) ? -errno : 0;
}

int tenv_cgid(struct tenv *t, const char *rel, __u64 *id)
{
	char path[PATH_MAX];

	tenv_abs(t, rel, path, sizeof(path));
	return pal_cgroup_id_of(path, id);
}

int tenv_run(struct tenv *t, const char *rel, int (*fn)(void *), void *arg)
{
	char path[PATH_MAX];
	int status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s%s/cgroup.procs", t->root, rel);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(path, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(255);
		close(fd);
		_exit(fn(arg) & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

int tenv_events(struct tenv *t)
{
	t->nev = 0;
	ring_buffer__consume(t->rb);
	return t->nev;
}

const struct pal_event *tenv_find(const struct tenv *t, __u32 type, __u32 op)
{
	for (int i = 0; i < t->nev; i++)
		if (t->ev[i].type == type && t->ev[i].op == op)
			return &t->ev[i];
	return NULL;
}

int t_count_map(int fd, size_t key_size)
{
	char key[64], next[64];
	void *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

int t_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the fd of the listing itself */
}

double t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
