// SPDX-License-Identifier: GPL-2.0-only
/*
 * palmeta: the ways around a file rule that are not an open: mounts (mount,
 * open_tree + move_mount, fsmount, pivot_root, optionally inside a new user
 * namespace) and writes through an fd (shared mappings, fcntl, copy_file_range,
 * splice, sendfile, fallocate) and metadata changes (xattrs, security.capability,
 * POSIX ACLs, timestamps, inode flags) by path, by fd and on symlinks, and
 * connects to Unix sockets by path. Each command exits 0 only when the attempt
 * ends with EXPECTED (OK or an errno name), 1 when it does not, 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <linux/fs.h>

#define EXIT_MISMATCH 1
#define EXIT_USAGE 2

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x4
#endif
#define PM_FSCONFIG_CMD_CREATE 6

static int parse_errno(const char *s, int *out)
{
	static const struct {
		const char *name;
		int v;
	} n[] = {{"OK", 0},	   {"EPERM", EPERM}, {"EACCES", EACCES},  {"EINVAL", EINVAL},
		 {"EBUSY", EBUSY}, {"EBADF", EBADF}, {"ENODATA", ENODATA}};

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (!strcmp(s, n[i].name)) {
			*out = n[i].v;
			return 0;
		}
	return -EINVAL;
}

static int expect(const char *what, int got, int want)
{
	printf("palmeta: %s: %s (expected %s)\n", what, got ? strerror(got) : "OK",
	       want ? strerror(want) : "OK");
	return got == want ? 0 : EXIT_MISMATCH;
}

static int outcome(long r)
{
	return r < 0 ? errno : 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* Root of a new user namespace (uid and gid 0 mapped to ours), then a new mount namespace. */
static int enter_userns(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return -errno;
	snprintf(map, sizeof(map), "0 %u 1\n", uid);
	if (write_file("/proc/self/uid_map", map) || write_file("/proc/self/setgroups", "deny\n"))
		return -EIO;
	snprintf(map, sizeof(map), "0 %u 1\n", gid);
	return write_file("/proc/self/gid_map", map);
}

/*
 * Where the attempt runs: "-" the current mount namespace, "ns" a new one,
 * "userns" a new user namespace and a new mount namespace. A new namespace
 * is made private first: a change of propagation, which makes no path.
 */
static int enter(const char *where)
{
	int err = 0;

	if (!strcmp(where, "-"))
		return 0;
	if (!strcmp(where, "userns"))
		err = enter_userns();
	else if (!strcmp(where, "ns"))
		err = unshare(CLONE_NEWNS) ? -errno : 0;
	else
		return -EINVAL;
	if (!err && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		err = -errno;
	if (err)
		printf("palmeta: cannot enter '%s': %s\n", where, strerror(-err));
	return err;
}

static long move_tree(int fd, const char *dst)
{
	return syscall(SYS_move_mount, fd, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH);
}

/* open_tree(OPEN_TREE_CLONE) itself has no hook; attaching the copy does. */
static int do_tree(const char *src, const char *dst)
{
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, src,
			      OPEN_TREE_CLONE | AT_RECURSIVE | O_CLOEXEC);
	int got;

	if (fd < 0) {
		printf("palmeta: open_tree '%s': %s\n", src, strerror(errno));
		return -1;
	}
	got = outcome(move_tree(fd, dst));
	close(fd);
	return got;
}

/* A tmpfs through the new mount API: fsopen, fsconfig, fsmount, move_mount. */
static int do_fsmount(const char *dst)
{
	int fs = (int)syscall(SYS_fsopen, "tmpfs", 0), mnt, got;

	if (fs < 0 || syscall(SYS_fsconfig, fs, PM_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		printf("palmeta: fsopen/fsconfig: %s\n", strerror(errno));
		return -1;
	}
	mnt = (int)syscall(SYS_fsmount, fs, 0, 0);
	close(fs);
	if (mnt < 0) {
		printf("palmeta: fsmount: %s\n", strerror(errno));
		return -1;
	}
	got = outcome(move_tree(mnt, dst));
	close(mnt);
	return got;
}

/* An open_tree copy never attached: open DST (relative) through the copy's fd. */
static int do_tree_open(const char *src, const char *rel)
{
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, src,
			      OPEN_TREE_CLONE | AT_RECURSIVE | O_CLOEXEC);
	int f, got;

	if (fd < 0) {
		printf("palmeta: open_tree '%s': %s\n", src, strerror(errno));
		return -1;
	}
	f = openat(fd, rel, O_RDONLY | O_CLOEXEC);
	got = f < 0 ? errno : 0;
	if (f >= 0)
		close(f);
	close(fd);
	return got;
}

static int mount_op(const char *op, const char *src, const char *dst)
{
	if (!strcmp(op, "tree-open"))
		return do_tree_open(src, dst);
	if (!strcmp(op, "bind"))
		return outcome(mount(src, dst, NULL, MS_BIND | MS_REC, NULL));
	if (!strcmp(op, "tmpfs"))
		return outcome(mount("tmpfs", dst, "tmpfs", 0, NULL));
	if (!strcmp(op, "remount-ro"))
		return outcome(mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	if (!strcmp(op, "tree"))
		return do_tree(src, dst);
	if (!strcmp(op, "fsmount"))
		return do_fsmount(dst);
	if (!strcmp(op, "pivot"))
		return outcome(syscall(SYS_pivot_root, src, dst));
	return -2;
}

/*
 * mount WHERE OP SRC DST EXPECTED [CMD...]: OP is bind, tmpfs, remount-ro,
 * tree (open_tree clone + move_mount), tree-open (open DST, relative, in
 * an open_tree clone of SRC that is never attached), fsmount (DST only) or pivot
 * (pivot_root(SRC, DST)). With CMD, and when the mount succeeded, exec CMD
 * in that namespace (to use the new path).
 */
static int cmd_mount(int argc, char **argv)
{
	int want, got;

	if (argc < 6 || parse_errno(argv[5], &want))
		return EXIT_USAGE;
	if (enter(argv[1]))
		return EXIT_MISMATCH;
	got = mount_op(argv[2], argv[3], argv[4]);
	if (got == -2)
		return EXIT_USAGE;
	if (got < 0)
		return EXIT_MISMATCH;
	if (expect(argv[2], got, want))
		return EXIT_MISMATCH;
	if (argc == 6 || got)
		return 0;
	execv(argv[6], argv + 6);
	printf("palmeta: exec '%s': %s\n", argv[6], strerror(errno));
	return EXIT_MISMATCH;
}

/* ---- writes through an fd opened before the task entered the cgroup ----- */

/* A source file for copies: in $PALMETA_SRC_DIR (default /tmp); copy_file_range may need the target's fs. */
static int src_fd(void)
{
	const char *dir = getenv("PALMETA_SRC_DIR");
	char name[4200];
	int fd;

	snprintf(name, sizeof(name), "%s/palmeta-src-XXXXXX", dir ? dir : "/tmp");
	fd = mkstemp(name);

	if (fd < 0)
		return -1;
	unlink(name);
	if (write(fd, "written\n", 8) != 8)
		return -1;
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int do_mmap(int fd, bool later)
{
	char *p = mmap(NULL, 4096, later ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int got;

	if (p == MAP_FAILED)
		return errno;
	if (!later) {
		memcpy(p, "mapped", 6);
		munmap(p, 4096);
		return 0;
	}
	got = outcome(mprotect(p, 4096, PROT_READ | PROT_WRITE));
	if (!got)
		memcpy(p, "mapped", 6);
	munmap(p, 4096);
	return got;
}

static int do_splice(int fd)
{
	int p[2], got;

	if (pipe(p))
		return errno;
	if (write(p[1], "spliced\n", 8) != 8)
		return EIO;
	got = outcome(splice(p[0], NULL, fd, NULL, 8, 0));
	close(p[0]);
	close(p[1]);
	return got;
}

static int fd_op(const char *op, int fd)
{
	int src;

	if (!strcmp(op, "write"))
		return outcome(write(fd, "w\n", 2));
	if (!strcmp(op, "mmap"))
		return do_mmap(fd, false);
	if (!strcmp(op, "mmap-private")) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED)
			return errno;
		memcpy(p, "private", 7); /* copy on write: the file stays as it was */
		munmap(p, 4096);
		return 0;
	}
	if (!strcmp(op, "mprotect"))
		return do_mmap(fd, true);
	if (!strcmp(op, "noappend"))
		return outcome(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_APPEND));
	if (!strcmp(op, "fallocate"))
		return outcome(fallocate(fd, 0, 0, 8192));
	if (!strcmp(op, "splice"))
		return do_splice(fd);
	src = src_fd();
	if (src < 0)
		return EIO;
	if (!strcmp(op, "copy"))
		return outcome(copy_file_range(src, NULL, fd, NULL, 8, 0));
	if (!strcmp(op, "sendfile"))
		return outcome(sendfile(fd, src, NULL, 8));
	return -2;
}

/*
 * fd CGROUP PATH r|rw|a OP EXPECTED: open PATH, then move into CGROUP (a
 * cgroup v2 directory), then OP on the fd: write, mmap (MAP_SHARED,
 * PROT_WRITE), mmap-private (MAP_PRIVATE, PROT_WRITE), mprotect (PROT_WRITE added to a shared mapping), noappend
 * (fcntl clears O_APPEND), fallocate, splice, copy (copy_file_range), sendfile.
 */
static int cmd_fd(int argc, char **argv)
{
	int want, fd, got, flags;
	char pid[32], procs[4200];

	if (argc != 6 || parse_errno(argv[5], &want))
		return EXIT_USAGE;
	flags = !strcmp(argv[3], "a")  ? O_WRONLY | O_APPEND :
		!strcmp(argv[3], "rw") ? O_RDWR :
					 O_RDONLY;
	fd = open(argv[2], flags | O_CLOEXEC);
	if (fd < 0) {
		printf("palmeta: open '%s': %s\n", argv[2], strerror(errno));
		return EXIT_MISMATCH;
	}
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", argv[1]);
	if (write_file(procs, pid)) {
		printf("palmeta: cannot join '%s'\n", argv[1]);
		return EXIT_MISMATCH;
	}
	got = fd_op(argv[4], fd);
	if (got == -2)
		return EXIT_USAGE;
	return expect(argv[4], got, want);
}

#define PM_XATTR "trusted.palmeta"
#define PM_CAP_REV2_EFFECTIVE 0x02000001 /* VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE */
#define PM_CAP_SETUID 7
#define PM_ACL_VERSION 2
#define PM_ACL_USER_OBJ 0x01
#define PM_ACL_GROUP_OBJ 0x04
#define PM_ACL_OTHER 0x20
#define PM_ACL_UNDEFINED_ID ((__u32)-1)

/* What `setcap cap_setuid+ep` writes: struct vfs_cap_data, revision 2. */
static int do_setcap(const char *path)
{
	__u32 cap[5] = {PM_CAP_REV2_EFFECTIVE, 1u << PM_CAP_SETUID, 0, 0, 0};

	return outcome(setxattr(path, "security.capability", cap, sizeof(cap), 0));
}

/* What `setfacl -m o::r` writes: a minimal access ACL (u::rw-, g::r--, o::r--). */
static int do_setacl(const char *path)
{
	struct {
		__u32 version;
		struct {
			__u16 tag, perm;
			__u32 id;
		} e[3];
	} acl = {PM_ACL_VERSION,
		 {{PM_ACL_USER_OBJ, 6, PM_ACL_UNDEFINED_ID},
		  {PM_ACL_GROUP_OBJ, 4, PM_ACL_UNDEFINED_ID},
		  {PM_ACL_OTHER, 4, PM_ACL_UNDEFINED_ID}}};

	return outcome(setxattr(path, "system.posix_acl_access", &acl, sizeof(acl), 0));
}

/* chattr: set the flags the file already has (FS_IOC_GETFLAGS may be unsupported: 0). */
static int do_setflags(int fd)
{
	int flags = 0;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		flags = 0;
	return outcome(ioctl(fd, FS_IOC_SETFLAGS, &flags));
}

static int do_fsxattr(int fd)
{
	struct fsxattr fa = {0};

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fa))
		memset(&fa, 0, sizeof(fa));
	return outcome(ioctl(fd, FS_IOC_FSSETXATTR, &fa));
}

/* Metadata changes through an fd opened O_RDONLY (reading is allowed). */
static int meta_fd_op(const char *op, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), got = -2;

	if (fd < 0)
		return errno;
	if (!strcmp(op, "fsetxattr"))
		got = outcome(fsetxattr(fd, PM_XATTR, "1", 1, 0));
	else if (!strcmp(op, "fremovexattr"))
		got = outcome(fremovexattr(fd, PM_XATTR));
	else if (!strcmp(op, "futimens"))
		got = outcome(futimens(fd, NULL));
	else if (!strcmp(op, "utimens-empty"))
		got = outcome(utimensat(fd, "", NULL, AT_EMPTY_PATH));
	else if (!strcmp(op, "setflags"))
		got = do_setflags(fd);
	else if (!strcmp(op, "fsxattr"))
		got = do_fsxattr(fd);
	close(fd);
	return got;
}

static int meta_op(const char *op, const char *path)
{
	char v[8];

	if (!strcmp(op, "setxattr"))
		return outcome(setxattr(path, PM_XATTR, "1", 1, 0));
	if (!strcmp(op, "lsetxattr"))
		return outcome(lsetxattr(path, PM_XATTR, "1", 1, 0));
	if (!strcmp(op, "removexattr"))
		return outcome(removexattr(path, PM_XATTR));
	if (!strcmp(op, "getxattr"))
		return outcome(getxattr(path, PM_XATTR, v, sizeof(v)));
	if (!strcmp(op, "setcap"))
		return do_setcap(path);
	if (!strcmp(op, "getcap"))
		return outcome(getxattr(path, "security.capability", v, 0));
	if (!strcmp(op, "setacl"))
		return do_setacl(path);
	if (!strcmp(op, "removeacl"))
		return outcome(removexattr(path, "system.posix_acl_access"));
	if (!strcmp(op, "utimensat"))
		return outcome(utimensat(AT_FDCWD, path, NULL, 0));
	if (!strcmp(op, "lutimensat"))
		return outcome(utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW));
	return meta_fd_op(op, path);
}

/*
 * meta WHERE OP PATH EXPECTED: in WHERE (as for mount), change PATH's
 * metadata: setxattr, lsetxattr, removexattr, fsetxattr, fremovexattr
 * (trusted.palmeta), getxattr (read it back), setcap, getcap
 * (security.capability), setacl, removeacl (system.posix_acl_access),
 * utimensat, lutimensat, futimens, utimens-empty (AT_EMPTY_PATH), setflags
 * (FS_IOC_SETFLAGS), fsxattr (FS_IOC_FSSETXATTR); fd ops open PATH O_RDONLY.
 */
static int cmd_meta(int argc, char **argv)
{
	int want, got;

	if (argc != 5 || parse_errno(argv[4], &want))
		return EXIT_USAGE;
	if (enter(argv[1]))
		return EXIT_MISMATCH;
	got = meta_op(argv[2], argv[3]);
	if (got == -2)
		return EXIT_USAGE;
	return expect(argv[2], got, want);
}

static int unix_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	strcpy(a->sun_path, path);
	return 0;
}

/* unix-serve PATH stream|dgram: bind (and listen), then wait to be killed. */
static int cmd_unix_serve(int argc, char **argv)
{
	struct sockaddr_un a;
	bool dgram;
	int fd;

	if (argc != 3 || unix_addr(argv[1], &a))
		return EXIT_USAGE;
	dgram = !strcmp(argv[2], "dgram");
	fd = socket(AF_UNIX, dgram ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || (!dgram && listen(fd, 64))) {
		printf("palmeta: cannot serve '%s': %s\n", argv[1], strerror(errno));
		return EXIT_MISMATCH;
	}
	for (;;)
		pause();
}

/*
 * unix WHERE PATH stream|dgram EXPECTED: in WHERE (as for mount), connect
 * a stream socket to PATH, or send a datagram to it (sendto, unconnected).
 */
static int cmd_unix(int argc, char **argv)
{
	struct sockaddr_un a;
	int want, fd, got;
	bool dgram;

	if (argc != 5 || unix_addr(argv[2], &a) || parse_errno(argv[4], &want))
		return EXIT_USAGE;
	if (enter(argv[1]))
		return EXIT_MISMATCH;
	dgram = !strcmp(argv[3], "dgram");
	fd = socket(AF_UNIX, dgram ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		return EXIT_MISMATCH;
	if (dgram)
		got = outcome(sendto(fd, "d", 1, 0, (struct sockaddr *)&a, sizeof(a)));
	else
		got = outcome(connect(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
	return expect(dgram ? "sendto" : "connect", got, want);
}

int main(int argc, char **argv)
{
	int r = EXIT_USAGE;

	if (argc > 1 && !strcmp(argv[1], "mount"))
		r = cmd_mount(argc - 1, argv + 1);
	else if (argc > 1 && !strcmp(argv[1], "fd"))
		r = cmd_fd(argc - 1, argv + 1);
	else if (argc > 1 && !strcmp(argv[1], "meta"))
		r = cmd_meta(argc - 1, argv + 1);
	else if (argc > 1 && !strcmp(argv[1], "unix"))
		r = cmd_unix(argc - 1, argv + 1);
	else if (argc > 1 && !strcmp(argv[1], "unix-serve"))
		r = cmd_unix_serve(argc - 1, argv + 1);
	if (r == EXIT_USAGE)
		fprintf(stderr, "usage: palmeta mount -|ns|userns OP SRC DST EXPECTED [CMD...]\n"
				"       palmeta fd CGROUP PATH r|rw|a OP EXPECTED\n"
				"       palmeta meta -|ns|userns OP PATH EXPECTED\n"
				"       palmeta unix -|ns|userns PATH stream|dgram EXPECTED\n"
				"       palmeta unix-serve PATH stream|dgram\n");
	return r;
}
