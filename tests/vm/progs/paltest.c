// SPDX-License-Identifier: GPL-2.0-only
/*
 * paltest: multi-call helper for the VM test cases. Each subcommand performs
 * one operation, prints what happened, and exits 0 only if the outcome is the
 * one the case expected. Exit status: 0 as expected, 1 not as expected,
 * 2 usage error.
 *
 * EXPECTED is an errno, by name (EACCES) or number (13); 0 or OK means the
 * operation must succeed.
 *
 * To add a subcommand: write cmd_NAME() and add it to cmds[].
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <grp.h>

#define EXIT_MATCH 0
#define EXIT_MISMATCH 1
#define EXIT_USAGE 2

struct errno_name {
	const char *name;
	int err;
};

/* The errnos the cases talk about; anything else can be given as a number. */
static const struct errno_name errno_names[] = {
	{"OK", 0},
	{"EPERM", EPERM},
	{"ENOENT", ENOENT},
	{"EBADF", EBADF},
	{"EAGAIN", EAGAIN},
	{"EACCES", EACCES},
	{"EBUSY", EBUSY},
	{"EEXIST", EEXIST},
	{"EXDEV", EXDEV},
	{"ENOTDIR", ENOTDIR},
	{"EISDIR", EISDIR},
	{"EINVAL", EINVAL},
	{"EROFS", EROFS},
	{"ENAMETOOLONG", ENAMETOOLONG},
	{"ELOOP", ELOOP},
	{"EOPNOTSUPP", EOPNOTSUPP},
	{"ECONNREFUSED", ECONNREFUSED},
	{"ETIMEDOUT", ETIMEDOUT},
	{"EADDRINUSE", EADDRINUSE},
	{"ENETUNREACH", ENETUNREACH},
};

#define N_ERRNO_NAMES (sizeof(errno_names) / sizeof(errno_names[0]))

static const char *errno_str(int err)
{
	for (size_t i = 0; i < N_ERRNO_NAMES; i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "E?";
}

/* Returns 0 and sets *err, or -EINVAL if S is neither a known name nor a number. */
static int parse_errno(const char *s, int *err)
{
	char *end;
	long v;

	for (size_t i = 0; i < N_ERRNO_NAMES; i++) {
		if (!strcmp(s, errno_names[i].name)) {
			*err = errno_names[i].err;
			return 0;
		}
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 4095)
		return -EINVAL;
	*err = (int)v;
	return 0;
}

/* Compare an outcome (0 or a positive errno) with the expected one and say so. */
static int expect(const char *what, int got, int want)
{
	const char *verdict = got == want ? "as expected" : "NOT as expected";

	printf("paltest: %s: got %s (%s), expected %s: %s\n", what, errno_str(got),
	       got ? strerror(got) : "success", errno_str(want), verdict);
	return got == want ? EXIT_MATCH : EXIT_MISMATCH;
}

/* Open flags of a MODE word; -1 if unknown. */
static int mode_flags(const char *mode)
{
	static const struct {
		const char *name;
		int flags;
	} modes[] = {
		{"r", O_RDONLY},
		{"w", O_WRONLY},
		{"rw", O_RDWR},
		{"a", O_WRONLY | O_APPEND}, /* requests `append`, not `write` */
		{"t", O_WRONLY | O_TRUNC},
		{"d", O_RDONLY | O_DIRECTORY},
		{"c", O_WRONLY | O_CREAT}, /* creates the file if missing */
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, modes[i].name))
			return modes[i].flags;
	return -1;
}

/* open PATH EXPECTED [r|w|rw|a|t|d|c]: open(2) PATH read-only (default) or as MODE says. */
static int cmd_open(int argc, char **argv)
{
	int flags = O_RDONLY, want, fd, got = 0;
	char what[4200];

	if (argc < 3 || argc > 4 || parse_errno(argv[2], &want))
		return -EINVAL;
	if (argc == 4 && (flags = mode_flags(argv[3])) < 0)
		return -EINVAL;
	fd = open(argv[1], flags | O_CLOEXEC, 0644);
	if (fd < 0)
		got = errno;
	else
		close(fd);
	snprintf(what, sizeof(what), "open '%s' (%s)", argv[1], argc == 4 ? argv[3] : "r");
	return expect(what, got, want);
}

/* RESOLVE_* bits of a comma-separated list; -1 if a word is unknown. */
static long long resolve_flags(const char *list)
{
	static const struct {
		const char *name;
		__u64 bit;
	} words[] = {
		{"none", 0},
		{"beneath", RESOLVE_BENEATH},
		{"in_root", RESOLVE_IN_ROOT},
		{"no_symlinks", RESOLVE_NO_SYMLINKS},
		{"no_magiclinks", RESOLVE_NO_MAGICLINKS},
		{"no_xdev", RESOLVE_NO_XDEV},
	};
	char buf[256], *save = NULL;
	long long bits = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (!strcmp(w, words[i].name))
				break;
		if (i == sizeof(words) / sizeof(words[0]))
			return -1;
		bits |= words[i].bit;
	}
	return bits;
}

/* openat2 DIR PATH EXPECTED RESOLVE: openat2(2) PATH read-only below DIR with RESOLVE_* flags. */
static int cmd_openat2(int argc, char **argv)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC};
	long long resolve;
	int want, dfd, fd, got = 0;
	char what[4200];

	if (argc != 5 || parse_errno(argv[3], &want) || (resolve = resolve_flags(argv[4])) < 0)
		return -EINVAL;
	how.resolve = resolve;
	dfd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fprintf(stderr, "paltest: cannot open directory '%s': %s\n", argv[1],
			strerror(errno));
		return EXIT_MISMATCH;
	}
	fd = syscall(SYS_openat2, dfd, argv[2], &how, sizeof(how));
	if (fd < 0)
		got = errno;
	else
		close(fd);
	close(dfd);
	snprintf(what, sizeof(what), "openat2 '%s' below '%s' (resolve %s)", argv[2], argv[1],
		 argv[4]);
	return expect(what, got, want);
}

/* reopen PATH EXPECTED [MODE]: open PATH with O_PATH, then open /proc/self/fd/N for MODE. */
static int cmd_reopen(int argc, char **argv)
{
	int flags = O_RDONLY, want, pfd, fd, got = 0;
	char what[4200], proc[64];

	if (argc < 3 || argc > 4 || parse_errno(argv[2], &want))
		return -EINVAL;
	if (argc == 4 && (flags = mode_flags(argv[3])) < 0)
		return -EINVAL;
	pfd = open(argv[1], O_PATH | O_CLOEXEC);
	if (pfd < 0) {
		/* O_PATH runs no file_open hook: it must succeed even on a denied file */
		printf("paltest: O_PATH open of '%s' failed: %s\n", argv[1], strerror(errno));
		return EXIT_MISMATCH;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, flags | O_CLOEXEC);
	if (fd < 0)
		got = errno;
	else
		close(fd);
	close(pfd);
	snprintf(what, sizeof(what), "re-open of '%s' through %s", argv[1], proc);
	return expect(what, got, want);
}

/* An io_uring with one submission, set up with raw system calls (no liburing). */
struct uring {
	int fd;
	void *sq, *cq;
	size_t sq_len, cq_len;
	struct io_uring_sqe *sqes;
	struct io_uring_params p;
};

static int uring_setup(struct uring *u)
{
	memset(u, 0, sizeof(*u));
	u->fd = syscall(SYS_io_uring_setup, 4, &u->p);
	if (u->fd < 0)
		return -errno;
	u->sq_len = u->p.sq_off.array + u->p.sq_entries * sizeof(__u32);
	u->cq_len = u->p.cq_off.cqes + u->p.cq_entries * sizeof(struct io_uring_cqe);
	if (u->p.features & IORING_FEAT_SINGLE_MMAP)
		u->sq_len = u->cq_len = u->sq_len > u->cq_len ? u->sq_len : u->cq_len;
	u->sq = mmap(NULL, u->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
		     IORING_OFF_SQ_RING);
	u->cq = (u->p.features & IORING_FEAT_SINGLE_MMAP) ?
			u->sq :
			mmap(NULL, u->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			     u->fd, IORING_OFF_CQ_RING);
	u->sqes = mmap(NULL, u->p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
	if (u->sq == MAP_FAILED || u->cq == MAP_FAILED || u->sqes == MAP_FAILED)
		return -errno;
	return 0;
}

/* Submit sqes[0] and wait for its completion; returns its res. */
static int uring_run(struct uring *u)
{
	__u32 *tail = (__u32 *)((char *)u->sq + u->p.sq_off.tail);
	__u32 mask = *(__u32 *)((char *)u->sq + u->p.sq_off.ring_mask);
	__u32 *array = (__u32 *)((char *)u->sq + u->p.sq_off.array);
	__u32 *head = (__u32 *)((char *)u->cq + u->p.cq_off.head);
	__u32 cmask = *(__u32 *)((char *)u->cq + u->p.cq_off.ring_mask);
	struct io_uring_cqe *cqes = (struct io_uring_cqe *)((char *)u->cq + u->p.cq_off.cqes);
	__u32 t = *tail, h;
	int res;

	array[t & mask] = 0;
	__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	h = __atomic_load_n(head, __ATOMIC_ACQUIRE);
	res = cqes[h & cmask].res;
	__atomic_store_n(head, h + 1, __ATOMIC_RELEASE);
	return res;
}

/*
 * uring-open PATH EXPECTED inline|async|openat2: open PATH read-only with
 * io_uring: IORING_OP_OPENAT in the submitting task, or forced to an io-wq
 * worker (IOSQE_ASYNC), or IORING_OP_OPENAT2 with RESOLVE_NO_SYMLINKS.
 */
static int cmd_uring_open(int argc, char **argv)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS};
	struct io_uring_sqe *sqe;
	struct uring u;
	int want, res;

	if (argc != 4 || parse_errno(argv[2], &want) ||
	    (strcmp(argv[3], "inline") && strcmp(argv[3], "async") && strcmp(argv[3], "openat2")))
		return -EINVAL;
	res = uring_setup(&u);
	if (res) {
		printf("paltest: uring-open: io_uring_setup: %s\n", strerror(-res));
		return EXIT_MISMATCH;
	}
	sqe = &u.sqes[0];
	memset(sqe, 0, sizeof(*sqe));
	sqe->fd = AT_FDCWD;
	sqe->addr = (unsigned long)argv[1];
	if (!strcmp(argv[3], "openat2")) {
		sqe->opcode = IORING_OP_OPENAT2;
		sqe->len = sizeof(how);
		sqe->off = (unsigned long)&how;
	} else {
		sqe->opcode = IORING_OP_OPENAT;
		sqe->open_flags = O_RDONLY | O_CLOEXEC;
		sqe->flags = !strcmp(argv[3], "async") ? IOSQE_ASYNC : 0;
	}
	res = uring_run(&u);
	if (res >= 0)
		close(res);
	close(u.fd);
	return expect("io_uring open", res < 0 ? -res : 0, want);
}

/*
 * fsetxattr(fd) through io_uring with a personality: the credentials the
 * ring registered, which are no longer the task's own (setgroups makes
 * new ones), so the kernel overrides them for the request.
 */
static int uring_fsetxattr_personality(int fd, const char *name)
{
	struct io_uring_sqe *sqe;
	struct uring u;
	int id, res = uring_setup(&u);

	if (res)
		return res;
	id = syscall(SYS_io_uring_register, u.fd, IORING_REGISTER_PERSONALITY, NULL, 0);
	if (id < 0 || setgroups(0, NULL)) {
		res = -errno;
		close(u.fd);
		return res;
	}
	sqe = &u.sqes[0];
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_FSETXATTR;
	sqe->fd = fd;
	sqe->addr = (unsigned long)name;
	sqe->addr2 = (unsigned long)"1";
	sqe->len = 1;
	sqe->personality = id;
	res = uring_run(&u);
	close(u.fd);
	return res;
}

/*
 * xattr-hidden PATH EXPECTED plain|personality MOUNT...: open PATH
 * read-only, enter a new mount namespace and detach every MOUNT there, so
 * that PATH's filesystem has no mount in the task's namespace, then set an
 * xattr through the fd: with fsetxattr, or through io_uring with a
 * personality (credentials overridden, as a stacking filesystem's are).
 */
static int cmd_xattr_hidden(int argc, char **argv)
{
	int fd, want, res;

	if (argc < 5 || parse_errno(argv[2], &want) ||
	    (strcmp(argv[3], "plain") && strcmp(argv[3], "personality")))
		return -EINVAL;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		printf("paltest: xattr-hidden: setup: %s\n", strerror(errno));
		return EXIT_MISMATCH;
	}
	for (int i = 4; i < argc; i++)
		if (umount2(argv[i], MNT_DETACH)) {
			printf("paltest: xattr-hidden: detach '%s': %s\n", argv[i],
			       strerror(errno));
			return EXIT_MISMATCH;
		}
	if (!strcmp(argv[3], "plain"))
		res = fsetxattr(fd, "trusted.palmeta", "1", 1, 0) ? -errno : 0;
	else
		res = uring_fsetxattr_personality(fd, "trusted.palmeta");
	close(fd);
	return expect("fsetxattr on a file no mount of this namespace shows", res < 0 ? -res : 0,
		      want);
}

/* Result of a call returning -1/errno, as the "got" of expect(). */
static int outcome(long r)
{
	return r < 0 ? errno : 0;
}

/* truncate PATH EXPECTED: truncate(2) PATH to 0 bytes. */
static int cmd_truncate(int argc, char **argv)
{
	int want;

	if (argc != 3 || parse_errno(argv[2], &want))
		return -EINVAL;
	return expect("truncate", outcome(truncate(argv[1], 0)), want);
}

/* chmod PATH OCTAL EXPECTED */
static int cmd_chmod(int argc, char **argv)
{
	int want;

	if (argc != 4 || parse_errno(argv[3], &want))
		return -EINVAL;
	return expect("chmod", outcome(chmod(argv[1], strtoul(argv[2], NULL, 8))), want);
}

/* chown PATH UID GID EXPECTED */
static int cmd_chown(int argc, char **argv)
{
	int want;

	if (argc != 5 || parse_errno(argv[4], &want))
		return -EINVAL;
	return expect("chown", outcome(chown(argv[1], atoi(argv[2]), atoi(argv[3]))), want);
}

/* unlink PATH EXPECTED */
static int cmd_unlink(int argc, char **argv)
{
	int want;

	if (argc != 3 || parse_errno(argv[2], &want))
		return -EINVAL;
	return expect("unlink", outcome(unlink(argv[1])), want);
}

/* rmdir PATH EXPECTED */
static int cmd_rmdir(int argc, char **argv)
{
	int want;

	if (argc != 3 || parse_errno(argv[2], &want))
		return -EINVAL;
	return expect("rmdir", outcome(rmdir(argv[1])), want);
}

/* mkdir PATH EXPECTED */
static int cmd_mkdir(int argc, char **argv)
{
	int want;

	if (argc != 3 || parse_errno(argv[2], &want))
		return -EINVAL;
	return expect("mkdir", outcome(mkdir(argv[1], 0755)), want);
}

/* mknod PATH f|p EXPECTED: a regular file or a FIFO (no device: device rules are elsewhere). */
static int cmd_mknod(int argc, char **argv)
{
	int want;

	if (argc != 4 || parse_errno(argv[3], &want) ||
	    (strcmp(argv[2], "f") && strcmp(argv[2], "p")))
		return -EINVAL;
	return expect("mknod",
		      outcome(mknod(argv[1], (argv[2][0] == 'f' ? S_IFREG : S_IFIFO) | 0644, 0)),
		      want);
}

/* symlink TARGET PATH EXPECTED */
static int cmd_symlink(int argc, char **argv)
{
	int want;

	if (argc != 4 || parse_errno(argv[3], &want))
		return -EINVAL;
	return expect("symlink", outcome(symlink(argv[1], argv[2])), want);
}

/* link OLD NEW EXPECTED: a hard link */
static int cmd_link(int argc, char **argv)
{
	int want;

	if (argc != 4 || parse_errno(argv[3], &want))
		return -EINVAL;
	return expect("link", outcome(link(argv[1], argv[2])), want);
}

/* rename OLD NEW EXPECTED [noreplace|exchange]: renameat2(2) */
static int cmd_rename(int argc, char **argv)
{
	unsigned int flags = 0;
	int want;

	if (argc < 4 || argc > 5 || parse_errno(argv[3], &want))
		return -EINVAL;
	if (argc == 5 && !strcmp(argv[4], "noreplace"))
		flags = RENAME_NOREPLACE;
	else if (argc == 5 && !strcmp(argv[4], "exchange"))
		flags = RENAME_EXCHANGE;
	else if (argc == 5)
		return -EINVAL;
	return expect("rename",
		      outcome(syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], flags)),
		      want);
}

/* Wait until PATH exists, up to 60 s. */
static bool wait_for_file(const char *path)
{
	for (int i = 0; i < 6000; i++) {
		if (!access(path, F_OK))
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * hold-write PATH READY GO EXPECTED: open PATH for writing (must succeed),
 * create READY, wait for GO to exist, then write(2) through the old fd. The
 * case loads the policy in between: the write is decided by file_permission.
 */
static int cmd_hold_write(int argc, char **argv)
{
	int want, fd, rfd;

	if (argc != 5 || parse_errno(argv[4], &want))
		return -EINVAL;
	fd = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("paltest: hold-write: cannot open '%s': %s\n", argv[1], strerror(errno));
		return EXIT_MISMATCH;
	}
	rfd = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (rfd < 0)
		return EXIT_MISMATCH;
	close(rfd);
	if (!wait_for_file(argv[3])) {
		printf("paltest: hold-write: '%s' never appeared\n", argv[3]);
		return EXIT_MISMATCH;
	}
	return expect("write through an fd opened before the policy", outcome(write(fd, "x", 1)),
		      want);
}

/*
 * Run fn in a child and return the errno it reports through a close-on-exec
 * pipe: 0 when the exec succeeded (the pipe closed empty), so that a
 * successful exec is told apart from the exec'd program's own failure.
 */
static int exec_outcome(void (*fn)(char **argv), char **argv)
{
	int p[2], err = 0, status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return errno;
	pid = fork();
	if (pid < 0)
		return errno;
	if (!pid) {
		close(p[0]);
		fn(argv);
		err = errno;
		if (write(p[1], &err, sizeof(err)) != sizeof(err))
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(p[0]);
	waitpid(pid, &status, 0);
	return err;
}

static char *exec_env[] = {"PATH=/bin", NULL};

/* The exec'd program runs `paltest true` when it is a paltest copy; busybox prints usage. */
static void do_execve(char **argv)
{
	char *args[] = {argv[1], "true", NULL};

	execve(argv[1], args, exec_env);
}

static void do_execveat(char **argv)
{
	char *args[] = {argv[1], "true", NULL};
	int fd = open(argv[1], O_PATH | O_CLOEXEC);

	if (fd >= 0)
		syscall(SYS_execveat, fd, "", args, exec_env, AT_EMPTY_PATH);
}

/* exec PATH EXPECTED: execve(2) PATH in a child. */
static int cmd_exec(int argc, char **argv)
{
	int want;

	if (argc != 3 || parse_errno(argv[2], &want))
		return -EINVAL;
	return expect("execve", exec_outcome(do_execve, argv), want);
}

/* execveat PATH EXPECTED: open PATH with O_PATH, execveat(fd, "", AT_EMPTY_PATH) in a child. */
static int cmd_execveat(int argc, char **argv)
{
	int want;

	if (argc != 3 || parse_errno(argv[2], &want))
		return -EINVAL;
	return expect("execveat(AT_EMPTY_PATH) of an O_PATH fd", exec_outcome(do_execveat, argv),
		      want);
}

/* An in-memory copy of PATH, as crun's init makes of itself: a memfd fd, or -1. */
static int memfd_copy(const char *path)
{
	int in = open(path, O_RDONLY | O_CLOEXEC), fd = memfd_create("paltest_copy", MFD_CLOEXEC);
	char buf[65536];
	ssize_t n = 0;

	while (in >= 0 && fd >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			n = -1;
	if (in >= 0)
		close(in);
	if (in < 0 || fd < 0 || n < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * PATH through a bind mount that is unmounted at once, as runc's init
 * reaches its own binary: an O_PATH fd on a mount no namespace shows, or
 * -1. Run it in a mount namespace of its own.
 */
static int bind_copy(const char *path)
{
	char tmp[] = "/tmp/paltest-bind.XXXXXX";
	int fd = mkstemp(tmp);

	if (fd < 0)
		return -1;
	close(fd);
	fd = -1;
	if (!mount(path, tmp, NULL, MS_BIND, NULL)) {
		fd = open(tmp, O_PATH | O_CLOEXEC);
		umount2(tmp, MNT_DETACH);
	}
	unlink(tmp);
	return fd;
}

static int copy_of(const char *kind, const char *path)
{
	if (!strcmp(kind, "memfd"))
		return memfd_copy(path);
	if (!strcmp(kind, "bind"))
		return bind_copy(path);
	errno = EINVAL;
	return -1;
}

static void do_copy_exec(char **argv)
{
	char *args[] = {argv[2], "true", NULL};
	int fd = copy_of(argv[1], argv[2]);

	if (fd >= 0)
		syscall(SYS_execveat, fd, "", args, exec_env, AT_EMPTY_PATH);
}

/*
 * copy-exec memfd|bind PATH EXPECTED [ARG0 ARGS...]: execute a copy of
 * PATH (a memfd, or PATH on an unmounted bind mount). With ARG0, this
 * process becomes the copy (its exit status is the copy's); without, a
 * child executes it (running `true`) and reports the outcome.
 */
static int cmd_copy_exec(int argc, char **argv)
{
	int want, fd;

	if (argc < 4 || parse_errno(argv[3], &want) ||
	    (strcmp(argv[1], "memfd") && strcmp(argv[1], "bind")))
		return -EINVAL;
	if (argc == 4)
		return expect("execveat of a copy", exec_outcome(do_copy_exec, argv), want);
	fd = copy_of(argv[1], argv[2]);
	if (fd < 0)
		return expect("copy", errno, want);
	syscall(SYS_execveat, fd, "", argv + 4, environ, AT_EMPTY_PATH);
	return expect("execveat of a copy", errno, want);
}

static int run_cmd(int argc, char **argv);

/*
 * join DIR SUBCOMMAND ARGS...: move this process into cgroup DIR, then run
 * SUBCOMMAND in it without an exec, as a runtime's init is moved into a
 * container's cgroup while it runs.
 */
static int cmd_join(int argc, char **argv)
{
	char procs[4096];
	int fd, ok;

	if (argc < 3)
		return -EINVAL;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", argv[1]);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	ok = fd >= 0 && write(fd, "0", 1) == 1;
	if (!ok) {
		printf("paltest: join %s: %s\n", argv[1], strerror(errno));
		return EXIT_MISMATCH;
	}
	close(fd);
	return run_cmd(argc - 2, argv + 2);
}

/* true: exit 0 (the program a test exec runs) */
static int cmd_true(int argc, char **argv)
{
	return EXIT_MATCH;
}

/*
 * mmap-exec PATH EXPECTED: what `ld.so PATH` does to the program it runs:
 * open it for reading (must succeed) and map it with PROT_EXEC (mmap_file).
 */
static int cmd_mmap_exec(int argc, char **argv)
{
	int want, fd, got;
	void *p;

	if (argc != 3 || parse_errno(argv[2], &want))
		return -EINVAL;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("paltest: mmap-exec: cannot open '%s': %s\n", argv[1], strerror(errno));
		return EXIT_MISMATCH;
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	got = p == MAP_FAILED ? errno : 0;
	if (p != MAP_FAILED)
		munmap(p, 4096);
	close(fd);
	return expect("mmap PROT_EXEC", got, want);
}

/* mprotect-exec PATH EXPECTED: map PATH read-only (must succeed), then mprotect PROT_EXEC. */
static int cmd_mprotect_exec(int argc, char **argv)
{
	int want, fd, got;
	void *p;

	if (argc != 3 || parse_errno(argv[2], &want))
		return -EINVAL;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("paltest: mprotect-exec: cannot open '%s': %s\n", argv[1], strerror(errno));
		return EXIT_MISMATCH;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		printf("paltest: mprotect-exec: PROT_READ mmap failed: %s\n", strerror(errno));
		return EXIT_MISMATCH;
	}
	got = outcome(mprotect(p, 4096, PROT_READ | PROT_EXEC));
	munmap(p, 4096);
	return expect("mprotect PROT_EXEC", got, want);
}

/*
 * ctr ROOT BIND|- CMD ARGS...: a minimal container: a new mount namespace
 * (private propagation), ROOT/proc mounted, BIND (a host directory, or -)
 * bind-mounted on ROOT/hostetc, chroot to ROOT, exec CMD. Done here rather
 * than with busybox unshare, which re-execs itself through /proc/self/exe:
 * after unshare -m that names a mount outside the task's namespace, a path
 * the LSM cannot resolve (it fails closed).
 */
static int cmd_ctr(int argc, char **argv)
{
	char path[4200];

	if (argc < 4)
		return -EINVAL;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		printf("paltest: ctr: unshare: %s\n", strerror(errno));
		return EXIT_MISMATCH;
	}
	snprintf(path, sizeof(path), "%s/proc", argv[1]);
	if (mount("proc", path, "proc", 0, NULL)) {
		printf("paltest: ctr: mount proc: %s\n", strerror(errno));
		return EXIT_MISMATCH;
	}
	snprintf(path, sizeof(path), "%s/hostetc", argv[1]);
	if (strcmp(argv[2], "-") && mount(argv[2], path, NULL, MS_BIND, NULL)) {
		printf("paltest: ctr: bind mount: %s\n", strerror(errno));
		return EXIT_MISMATCH;
	}
	if (chroot(argv[1]) || chdir("/")) {
		printf("paltest: ctr: chroot: %s\n", strerror(errno));
		return EXIT_MISMATCH;
	}
	execv(argv[3], argv + 3);
	printf("paltest: ctr: exec '%s': %s\n", argv[3], strerror(errno));
	return EXIT_MISMATCH;
}

/* unshare-open PATH EXPECTED: unshare the mount namespace, then open PATH read-only. */
static int cmd_unshare_open(int argc, char **argv)
{
	int want, fd, got = 0;

	if (argc != 3 || parse_errno(argv[2], &want))
		return -EINVAL;
	if (unshare(CLONE_NEWNS)) {
		printf("paltest: unshare-open: unshare: %s\n", strerror(errno));
		return EXIT_MISMATCH;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		got = errno;
	else
		close(fd);
	return expect("open after unshare(CLONE_NEWNS)", got, want);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Open PATH `n` times; count the outcomes that are `want` and those that are not. */
static void open_loop(const char *path, unsigned long n, int want, unsigned long *match,
		      unsigned long *other)
{
	for (unsigned long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		int got = fd < 0 ? errno : 0;

		if (fd >= 0)
			close(fd);
		if (got == want)
			(*match)++;
		else
			(*other)++;
	}
}

/* One kind of worker: `nproc` of them open `path`, each expecting `want`. */
struct open_load {
	const char *path;
	int want;
	unsigned long match, other;
};

/*
 * Run COUNT opens split over NPROC processes; worker i opens the path of
 * load[i % nloads]. Sums each load's outcomes. Returns 0, or -1 if a
 * worker could not start or report.
 */
static int open_workers(struct open_load *load, int nloads, unsigned long count,
			unsigned long nproc)
{
	int p[2];

	if (pipe(p))
		return -1;
	for (unsigned long i = 0; i < nproc; i++) {
		unsigned long share = count / nproc + (i < count % nproc),
			      res[3] = {i % nloads, 0, 0};
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid)
			continue;
		close(p[0]);
		open_loop(load[res[0]].path, share, load[res[0]].want, &res[1], &res[2]);
		_exit(write(p[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(p[1]);
	for (unsigned long i = 0; i < nproc; i++) {
		unsigned long res[3];

		if (read(p[0], res, sizeof(res)) != sizeof(res) || res[0] >= (unsigned long)nloads)
			return -1;
		load[res[0]].match += res[1];
		load[res[0]].other += res[2];
	}
	close(p[0]);
	while (wait(NULL) > 0)
		;
	return 0;
}

/*
 * flood PATH COUNT NPROC [EXPECTED]: COUNT read opens of PATH, split over
 * NPROC processes (one per vCPU makes the ring buffer and the rate limit see
 * concurrent producers). Exits 0 only if every open ended with EXPECTED
 * (default EACCES).
 */
static int cmd_flood(int argc, char **argv)
{
	struct open_load l = {.want = EACCES};
	unsigned long count, nproc;
	double t0 = now_s();

	if (argc != 4 && argc != 5)
		return -EINVAL;
	if (argc == 5 && parse_errno(argv[4], &l.want))
		return -EINVAL;
	l.path = argv[1];
	count = strtoul(argv[2], NULL, 10);
	nproc = strtoul(argv[3], NULL, 10);
	if (!count || !nproc || nproc > 64)
		return -EINVAL;
	if (open_workers(&l, 1, count, nproc)) {
		printf("paltest: flood: a worker died\n");
		return EXIT_MISMATCH;
	}
	printf("paltest: flood: opens=%lu as-expected=%lu other=%lu seconds=%.1f\n", count, l.match,
	       l.other, now_s() - t0);
	return l.match == count && !l.other ? EXIT_MATCH : EXIT_MISMATCH;
}

/*
 * race DENIED ALLOWED COUNT NPROC: NPROC processes, more than the vCPUs,
 * half opening DENIED and half ALLOWED, COUNT opens in all, so that the
 * scheduler preempts decisions in the middle and runs the other kind's on
 * the same CPU. Exits 0 only if every DENIED open failed with EACCES and
 * every ALLOWED open succeeded: a decision never sees another task's walk.
 */
static int cmd_race(int argc, char **argv)
{
	struct open_load l[2] = {{.want = EACCES}, {.want = 0}};
	unsigned long count, nproc;
	double t0 = now_s();

	if (argc != 5)
		return -EINVAL;
	l[0].path = argv[1];
	l[1].path = argv[2];
	count = strtoul(argv[3], NULL, 10);
	nproc = strtoul(argv[4], NULL, 10);
	if (!count || nproc < 2 || nproc > 64)
		return -EINVAL;
	if (open_workers(l, 2, count, nproc)) {
		printf("paltest: race: a worker died\n");
		return EXIT_MISMATCH;
	}
	printf("paltest: race: denied opens %lu EACCES, %lu not; allowed opens %lu ok, %lu not; "
	       "%.1f s\n",
	       l[0].match, l[0].other, l[1].match, l[1].other, now_s() - t0);
	return !l[0].other && !l[1].other && l[0].match && l[1].match ? EXIT_MATCH : EXIT_MISMATCH;
}

/* `name:` of a policy file, for recognising its reload record. */
static int policy_name(const char *file, char *name, size_t len)
{
	char line[512];
	FILE *f = fopen(file, "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "name:", 5) && sscanf(line + 5, " %127s", name) == 1 &&
		    strlen(name) < len) {
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

static int copy_file(const char *from, const char *to)
{
	char buf[8192];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	close(in);
	close(out);
	return n < 0 ? -EIO : 0;
}

/* True once LOG, read from *off on, has the reload record of policy `name`. */
static bool reload_seen(const char *log, long *off, const char *name)
{
	char line[8192], needle[200];
	bool seen = false;
	FILE *f = fopen(log, "re");

	if (!f)
		return false;
	snprintf(needle, sizeof(needle), "\"policies\":[\"%s\"]", name);
	fseek(f, *off, SEEK_SET);
	while (!seen && fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n'))
			break; /* a record still being written: read it again next time */
		*off = ftell(f);
		seen = strstr(line, "\"event\":\"policy\"") && strstr(line, needle);
	}
	fclose(f);
	return seen;
}

struct race_path {
	const char *path;
	unsigned long ok, denied, other;
};

static void race_open(struct race_path *p)
{
	int fd = open(p->path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		p->ok++;
		close(fd);
	} else if (errno == EACCES) {
		p->denied++;
	} else {
		p->other++;
	}
}

/*
 * reload-race AGENT_PID POLICY_A POLICY_B DEST LOG RELOADS OPENS PATH...
 * POLICY_A is live when this starts. RELOADS times: install the other policy
 * as DEST (copy, then rename: the agent never reads half a file), SIGHUP the
 * agent, then open the PATHs round robin, OPENS / RELOADS times in all, while
 * the reload runs, and wait for its record in LOG. Prints the outcome counts
 * per path; the case checks them and every event's generation against LOG.
 */
static int cmd_reload_race(int argc, char **argv)
{
	unsigned long reloads, opens, per, done = 0;
	struct race_path paths[8];
	char names[2][128], tmp[4200];
	int npaths = argc - 8, failed = 0;
	pid_t agent;
	long off = 0;
	double t0 = now_s();

	if (argc < 9 || npaths > 8)
		return -EINVAL;
	agent = atoi(argv[1]);
	reloads = strtoul(argv[6], NULL, 10);
	opens = strtoul(argv[7], NULL, 10);
	if (agent <= 0 || !reloads || opens < reloads || policy_name(argv[2], names[0], 128) ||
	    policy_name(argv[3], names[1], 128))
		return -EINVAL;
	per = opens / reloads;
	for (int i = 0; i < npaths; i++)
		paths[i] = (struct race_path){.path = argv[8 + i]};
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[5]); /* outside the watched policy dir */
	for (unsigned long r = 0; r < reloads && !failed; r++) {
		const char *next = argv[3 - r % 2], *name = names[1 - r % 2];
		unsigned long n = r + 1 == reloads ? opens - done : per;
		double t = now_s();

		if (copy_file(next, tmp) || rename(tmp, argv[4]) || kill(agent, SIGHUP)) {
			printf("paltest: reload-race: cannot install '%s': %s\n", next,
			       strerror(errno));
			return EXIT_MISMATCH;
		}
		for (unsigned long i = 0; i < n; i++, done++)
			race_open(&paths[done % npaths]);
		while (!reload_seen(argv[5], &off, name)) {
			if (now_s() - t > 30) {
				printf("paltest: reload-race: no reload record for '%s' after 30 s\n",
				       name);
				failed = 1;
				break;
			}
			usleep(2000);
		}
	}
	printf("paltest: reload-race: reloads=%lu opens=%lu seconds=%.1f\n", reloads, done,
	       now_s() - t0);
	for (int i = 0; i < npaths; i++)
		printf("paltest: reload-race: path=%s ok=%lu denied=%lu other=%lu\n", paths[i].path,
		       paths[i].ok, paths[i].denied, paths[i].other);
	return failed ? EXIT_MISMATCH : EXIT_MATCH;
}

/* write PATH DATA EXPECTED: open PATH for writing, then write DATA (cgroup.procs: "0" is self). */
static int cmd_write(int argc, char **argv)
{
	int want, fd, got = 0;
	char what[4200];

	if (argc != 4 || parse_errno(argv[3], &want))
		return -EINVAL;
	fd = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		got = errno;
	else if (write(fd, argv[2], strlen(argv[2])) < 0)
		got = errno;
	if (fd >= 0)
		close(fd);
	snprintf(what, sizeof(what), "write '%s' to '%s'", argv[2], argv[1]);
	return expect(what, got, want);
}

/* write-fd FD DATA EXPECTED: write DATA to an fd the caller opened and passed in. */
static int cmd_write_fd(int argc, char **argv)
{
	int want, fd;
	char what[64];

	if (argc != 4 || parse_errno(argv[3], &want))
		return -EINVAL;
	fd = atoi(argv[1]);
	snprintf(what, sizeof(what), "write '%.16s' to fd %d", argv[2], fd);
	return expect(what, outcome(write(fd, argv[2], strlen(argv[2]))), want);
}

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* struct clone_args of linux/sched.h up to cgroup (CLONE_ARGS_SIZE_VER2). */
struct pal_clone_args {
	__u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	__u64 set_tid, set_tid_size, cgroup;
};

/* clone-into-cgroup DIR EXPECTED: clone3(CLONE_INTO_CGROUP) a child that exits at once. */
static int cmd_clone_into_cgroup(int argc, char **argv)
{
	struct pal_clone_args a = {.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD};
	int want, got = 0, cg;
	char what[4200];
	long pid;

	if (argc != 3 || parse_errno(argv[2], &want))
		return -EINVAL;
	cg = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		printf("paltest: clone-into-cgroup: cannot open '%s': %s\n", argv[1],
		       strerror(errno));
		return EXIT_MISMATCH;
	}
	a.cgroup = (__u64)cg;
	pid = syscall(SYS_clone3, &a, sizeof(a));
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		got = errno;
	else
		waitpid((pid_t)pid, NULL, 0);
	close(cg);
	snprintf(what, sizeof(what), "clone3(CLONE_INTO_CGROUP '%s')", argv[1]);
	return expect(what, got, want);
}

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the subcommand; -EINVAL = usage */
	const char *usage;
};

static const struct cmd cmds[] = {
	{"open", cmd_open, "open PATH EXPECTED [r|w|rw|a|t|d|c]"},
	{"openat2", cmd_openat2, "openat2 DIR PATH EXPECTED none|beneath,in_root,no_symlinks,..."},
	{"reopen", cmd_reopen, "reopen PATH EXPECTED [MODE]"},
	{"uring-open", cmd_uring_open, "uring-open PATH EXPECTED inline|async|openat2"},
	{"xattr-hidden", cmd_xattr_hidden, "xattr-hidden PATH EXPECTED plain|personality MOUNT..."},
	{"truncate", cmd_truncate, "truncate PATH EXPECTED"},
	{"chmod", cmd_chmod, "chmod PATH OCTAL EXPECTED"},
	{"chown", cmd_chown, "chown PATH UID GID EXPECTED"},
	{"unlink", cmd_unlink, "unlink PATH EXPECTED"},
	{"write", cmd_write, "write PATH DATA EXPECTED"},
	{"write-fd", cmd_write_fd, "write-fd FD DATA EXPECTED"},
	{"clone-into-cgroup", cmd_clone_into_cgroup, "clone-into-cgroup DIR EXPECTED"},
	{"rmdir", cmd_rmdir, "rmdir PATH EXPECTED"},
	{"mkdir", cmd_mkdir, "mkdir PATH EXPECTED"},
	{"mknod", cmd_mknod, "mknod PATH f|p EXPECTED"},
	{"symlink", cmd_symlink, "symlink TARGET PATH EXPECTED"},
	{"link", cmd_link, "link OLD NEW EXPECTED"},
	{"rename", cmd_rename, "rename OLD NEW EXPECTED [noreplace|exchange]"},
	{"hold-write", cmd_hold_write, "hold-write PATH READY GO EXPECTED"},
	{"exec", cmd_exec, "exec PATH EXPECTED"},
	{"execveat", cmd_execveat, "execveat PATH EXPECTED"},
	{"copy-exec", cmd_copy_exec, "copy-exec memfd|bind PATH EXPECTED [ARG0 ARGS...]"},
	{"join", cmd_join, "join CGROUP_DIR SUBCOMMAND ARGS..."},
	{"true", cmd_true, "true"},
	{"mmap-exec", cmd_mmap_exec, "mmap-exec PATH EXPECTED"},
	{"mprotect-exec", cmd_mprotect_exec, "mprotect-exec PATH EXPECTED"},
	{"ctr", cmd_ctr, "ctr ROOT BIND|- CMD ARGS..."},
	{"unshare-open", cmd_unshare_open, "unshare-open PATH EXPECTED"},
	{"flood", cmd_flood, "flood PATH COUNT NPROC [EXPECTED]"},
	{"race", cmd_race, "race DENIED ALLOWED COUNT NPROC"},
	{"reload-race", cmd_reload_race,
	 "reload-race AGENT_PID POLICY_A POLICY_B DEST LOG RELOADS OPENS PATH..."},
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *out)
{
	fprintf(out, "Usage: paltest SUBCOMMAND ARGS...\n");
	for (size_t i = 0; i < N_CMDS; i++)
		fprintf(out, "  paltest %s\n", cmds[i].usage);
	fprintf(out, "EXPECTED: an errno name (EACCES) or number, 0 or OK for success.\n"
		     "Exit status: 0 as expected, 1 not as expected, 2 usage error.\n");
}

/* Run the subcommand argv[0] with its arguments. */
static int run_cmd(int argc, char **argv)
{
	int r;

	for (size_t i = 0; i < N_CMDS; i++) {
		if (strcmp(argv[0], cmds[i].name))
			continue;
		r = cmds[i].fn(argc, argv);
		if (r == -EINVAL) {
			fprintf(stderr, "paltest: usage: paltest %s\n", cmds[i].usage);
			return EXIT_USAGE;
		}
		return r;
	}
	fprintf(stderr, "paltest: unknown subcommand '%s'\n", argv[0]);
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* Line-buffer so output interleaves sanely with the case script's own. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_MATCH;
	}
	return run_cmd(argc - 1, argv + 1);
}
