// SPDX-License-Identifier: GPL-2.0-only
/*
 * palbench_open: the measuring loop of the in-VM benchmarks (static, runs
 * in the benchmark VM). Every measurement runs in a forked child, so that a
 * Landlock domain (which cannot be undone) dies with it.
 *
 *   palbench_open measure [--landlock DIR] [--iters N] [--batches B] LABEL=FILE:EXPECT...
 *       per file: check that open(O_RDONLY) ends with EXPECT (OK or EACCES),
 *       warm up, then B batches of N open()+close(), each timed with
 *       clock_gettime around the batch; prints "LABEL MEDIAN MIN MAX" in ns
 *       per operation (the median batch, and the spread of the batches).
 *       --landlock DIR: the child first restricts itself with a Landlock
 *       ruleset handling every filesystem access, allowed beneath DIR only.
 *       --landlock-rules FILE: and one more rule per "d PATH" (every right
 *       beneath the directory) or "f PATH" (the file rights on the file)
 *       line of FILE (palbench_lsm's rule format), "d /x" excepted: that
 *       denial is what the ruleset leaves out. Says "landlock rules N" on
 *       stderr.
 *   palbench_open latency [--ops N] FILE
 *       N single open()+close(), each timed; prints "p50 p99 p99.9 max" (ns).
 *   palbench_open flip SRC DST FILE EXPECT TIMEOUT_MS
 *       rename(SRC, DST) (an editor-style policy write), then open FILE
 *       until the result is EXPECT; prints the milliseconds in between.
 *   palbench_open run [--landlock DIR]... [--landlock-ro DIR]... -- CMD [ARG]...
 *       fork, restrict the child (if asked), exec CMD with stdout on
 *       /dev/null, wait; prints the ns from fork to the child's exit.
 *       --landlock-ro DIR: allowed to execute, read files and list
 *       directories beneath DIR (no other right).
 * Exit status: 0 measured, 1 a result was not as expected or an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MAX_FILES 16
#define MAX_DIRS 16
#define LL_FS_V1 ((1ULL << 13) - 1) /* every access right of Landlock ABI 1 */
#define LL_FS_RO \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

/* The directories a Landlock ruleset allows; none: no Landlock. */
struct landlock_dirs {
	const char *dir[MAX_DIRS];
	__u64 access[MAX_DIRS];
	int n;
	const char *rules; /* more rules, "d PATH" / "f PATH" lines; NULL: none */
};

struct target {
	const char *label;
	const char *path;
	int expect; /* errno, 0 for success */
};

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One open()+close(); returns 0 or the errno of open. */
static inline int open_close(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int parse_expect(const char *s)
{
	if (!strcmp(s, "OK"))
		return 0;
	if (!strcmp(s, "EACCES"))
		return EACCES;
	if (!strcmp(s, "EPERM"))
		return EPERM;
	return -1;
}

static int landlock_allow(int rfd, const char *dir, __u64 access)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = access};
	int rc;

	pb.parent_fd = open(dir, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return -1;
	rc = syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(pb.parent_fd);
	return rc;
}

#define LL_FS_FILE \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE)

/* Add the rules of a rules file; returns how many, or -1. */
static int landlock_rules(int rfd, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[4096];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if ((line[0] != 'd' && line[0] != 'f') || line[1] != ' ' || !strcmp(line, "d /x"))
			continue;
		if (landlock_allow(rfd, line + 2, line[0] == 'd' ? LL_FS_V1 : LL_FS_FILE)) {
			fprintf(stderr, "palbench_open: landlock on '%s': %s\n", line + 2,
				strerror(errno));
			n = -1;
			break;
		}
		n++;
	}
	fclose(f);
	return n;
}

/* Handle every ABI-1 filesystem right; allow only what @d lists. */
static int landlock_restrict(const struct landlock_dirs *d)
{
	struct landlock_ruleset_attr ra = {.handled_access_fs = LL_FS_V1};
	int rfd = syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);

	if (rfd < 0) {
		fprintf(stderr, "palbench_open: landlock_create_ruleset: %s\n", strerror(errno));
		return -1;
	}
	for (int i = 0; i < d->n; i++) {
		if (landlock_allow(rfd, d->dir[i], d->access[i])) {
			fprintf(stderr, "palbench_open: landlock on '%s': %s\n", d->dir[i],
				strerror(errno));
			return -1;
		}
	}
	if (d->rules) {
		int n = landlock_rules(rfd, d->rules);

		if (n < 0)
			return -1;
		fprintf(stderr, "landlock rules %d\n", n + d->n);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_landlock_restrict_self, rfd, 0)) {
		fprintf(stderr, "palbench_open: landlock_restrict_self: %s\n", strerror(errno));
		return -1;
	}
	close(rfd);
	return 0;
}

/* Parse "--landlock DIR" or "--landlock-ro DIR" at argv[*i]; 1 if it was one. */
static int landlock_arg(struct landlock_dirs *d, int argc, char **argv, int *i)
{
	int ro = !strcmp(argv[*i], "--landlock-ro");

	if ((!ro && strcmp(argv[*i], "--landlock")) || *i + 1 >= argc || d->n >= MAX_DIRS)
		return 0;
	d->dir[d->n] = argv[++*i];
	d->access[d->n++] = ro ? LL_FS_RO : LL_FS_V1;
	return 1;
}

static int measure_one(const struct target *t, long iters, int batches)
{
	double per[64], t0;
	int got = open_close(t->path);

	if (got != t->expect) {
		fprintf(stderr, "palbench_open: %s: open '%s' gave %s, expected %s\n", t->label,
			t->path, got ? strerror(got) : "success",
			t->expect ? strerror(t->expect) : "success");
		return -1;
	}
	for (long i = 0; i < iters / 4 + 1; i++) /* warm up: caches, dentries */
		open_close(t->path);
	for (int b = 0; b < batches; b++) {
		t0 = now_ns();
		for (long i = 0; i < iters; i++)
			open_close(t->path);
		per[b] = (now_ns() - t0) / iters;
	}
	qsort(per, batches, sizeof(per[0]), cmp_double);
	printf("%s %.1f %.1f %.1f\n", t->label, per[batches / 2], per[0], per[batches - 1]);
	return 0;
}

static int cmd_measure(int argc, char **argv)
{
	struct target t[MAX_FILES];
	struct landlock_dirs ll = {0};
	long iters = 2000;
	int batches = 5, n = 0, status;
	pid_t pid;

	for (int i = 0; i < argc; i++) {
		char *eq, *colon;

		if (landlock_arg(&ll, argc, argv, &i)) {
			continue;
		} else if (!strcmp(argv[i], "--landlock-rules") && i + 1 < argc) {
			ll.rules = argv[++i];
		} else if (!strcmp(argv[i], "--iters") && i + 1 < argc) {
			iters = atol(argv[++i]);
		} else if (!strcmp(argv[i], "--batches") && i + 1 < argc) {
			batches = atoi(argv[++i]);
		} else if ((eq = strchr(argv[i], '=')) && (colon = strrchr(argv[i], ':')) &&
			   colon > eq && n < MAX_FILES) {
			*eq = *colon = 0;
			t[n] = (struct target){argv[i], eq + 1, parse_expect(colon + 1)};
			if (t[n++].expect < 0)
				return 2;
		} else {
			return 2;
		}
	}
	if (!n || iters < 1 || batches < 1 || batches > 64)
		return 2;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		if (ll.n && landlock_restrict(&ll))
			_exit(1);
		for (int i = 0; i < n; i++)
			if (measure_one(&t[i], iters, batches))
				_exit(1);
		fflush(NULL);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int cmd_latency(int argc, char **argv)
{
	long ops = 100000;
	const char *path;
	double *lat, t0, t1;

	if (argc == 3 && !strcmp(argv[0], "--ops"))
		ops = atol(argv[1]), argv += 2, argc -= 2;
	if (argc != 1 || ops < 1000)
		return 2;
	path = argv[0];
	lat = malloc(ops * sizeof(*lat));
	if (!lat)
		return 1;
	for (long i = 0; i < ops / 10; i++)
		open_close(path);
	for (long i = 0; i < ops; i++) {
		t0 = now_ns();
		if (open_close(path)) {
			fprintf(stderr, "palbench_open: open '%s' failed\n", path);
			return 1;
		}
		t1 = now_ns();
		lat[i] = t1 - t0;
	}
	qsort(lat, ops, sizeof(*lat), cmp_double);
	printf("%.0f %.0f %.0f %.0f\n", lat[ops / 2], lat[ops * 99 / 100], lat[ops * 999 / 1000],
	       lat[ops - 1]);
	free(lat);
	return 0;
}

static int cmd_flip(int argc, char **argv)
{
	int expect, got = -1;
	double t0, limit;

	if (argc != 5 || (expect = parse_expect(argv[3])) < 0)
		return 2;
	limit = atof(argv[4]) * 1e6;
	t0 = now_ns();
	if (rename(argv[0], argv[1])) {
		fprintf(stderr, "palbench_open: rename '%s': %s\n", argv[0], strerror(errno));
		return 1;
	}
	while (now_ns() - t0 < limit) {
		got = open_close(argv[2]);
		if (got == expect) {
			printf("%.3f\n", (now_ns() - t0) / 1e6);
			return 0;
		}
		usleep(200); /* leave the CPU to the agent */
	}
	fprintf(stderr, "palbench_open: flip: '%s' still %s after %s ms\n", argv[2],
		got ? strerror(got) : "opens", argv[4]);
	return 1;
}

/* The child of run: restricted, stdout on /dev/null, then CMD. */
static void run_child(const struct landlock_dirs *ll, char **cmd)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		_exit(127);
	if (ll->n && landlock_restrict(ll))
		_exit(127);
	execvp(cmd[0], cmd);
	fprintf(stderr, "palbench_open: exec '%s': %s\n", cmd[0], strerror(errno));
	_exit(127);
}

static int cmd_run(int argc, char **argv)
{
	struct landlock_dirs ll = {0};
	int i, status;
	double t0;
	pid_t pid;

	for (i = 0; i < argc && strcmp(argv[i], "--"); i++)
		if (!landlock_arg(&ll, argc, argv, &i))
			return 2;
	if (i + 1 >= argc)
		return 2;
	fflush(NULL);
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid)
		run_child(&ll, argv + i + 1);
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "palbench_open: '%s' failed (status 0x%x)\n", argv[i + 1], status);
		return 1;
	}
	printf("%.0f\n", now_ns() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (argc >= 2 && !strcmp(argv[1], "measure"))
		rc = cmd_measure(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "latency"))
		rc = cmd_latency(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "flip"))
		rc = cmd_flip(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "run"))
		rc = cmd_run(argc - 2, argv + 2);
	if (rc == 2)
		fprintf(stderr,
			"usage: palbench_open measure|latency|flip|run ... (see the source)\n");
	return rc;
}
