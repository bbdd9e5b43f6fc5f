/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Native cgroup test support: a throw-away cgroup tree, policies applied the
 * way the agent applies them (prepare, settings, flip, commit), workloads in
 * forked children moved into a test cgroup, and ring buffer events.
 */
#ifndef PALISADE_TESTS_CGROUP_HELPER_H
#define PALISADE_TESTS_CGROUP_HELPER_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "bpf/maps.h"
#include "cgroup/cgroup.h"

#define T_MAX_EVENTS 64

/* Fail the current test (return -1) with a message unless cond holds. */
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "  %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

struct tenv {
	struct pal_maps maps;
	struct pal_cgroup *cg;
	struct ring_buffer *rb;
	struct pal_event ev[T_MAX_EVENTS];
	int nev;
	char root[512]; /* cgroup2 mount */
	char top[128]; /* the test tree, relative to root: "/palisade-test-PID" */
	__u32 live; /* live generation slot */
	__u64 generation;
};

/* The cgroup2 mount, or a reason to skip in why. */
int t_cgroup2_root(char *buf, size_t len, const char **why);
/* Detach every program from each cgroup under root+top, kill leftovers, rmdir all. */
void t_cleanup_tree(const char *root, const char *top);

int tenv_open(struct tenv *t, const char *root, const char *top);
void tenv_close(struct tenv *t);
/* Compile YAML (one or more documents) and make it the live generation. */
int tenv_apply_yaml(struct tenv *t, const char *yaml);
int tenv_apply_set(struct tenv *t, const struct pal_policy_set *set);

/* mkdir/rmdir top/name; rel receives "/palisade-test-PID/name". */
int tenv_mkcg(struct tenv *t, const char *name, char *rel, size_t len);
int tenv_rmcg(struct tenv *t, const char *name);
int tenv_cgid(struct tenv *t, const char *rel, __u64 *id);
void tenv_abs(const struct tenv *t, const char *rel, char *buf, size_t len);

/* Run fn in a child moved into cgroup rel; returns what fn returned (an errno), or -1. */
int tenv_run(struct tenv *t, const char *rel, int (*fn)(void *), void *arg);

/* Read pending events into t->ev (replacing the previous batch); returns their count. */
int tenv_events(struct tenv *t);
/* The first event of this batch with type and op, or NULL. */
const struct pal_event *tenv_find(const struct tenv *t, __u32 type, __u32 op);

/* Entries of the shared pal_cgroups map, and open fds of this process. */
int t_count_map(int fd, size_t key_size);
int t_count_fds(void);
double t_now_ms(void);

#endif
