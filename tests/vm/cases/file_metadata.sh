# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# Metadata changes are writes. In a tree where `write` is denied, and in an
# allow-list without `write`, a confined task cannot set or remove extended
# attributes (trusted.*, security.capability as setcap writes it), POSIX
# ACLs, timestamps or inode flags: by path, through an O_RDONLY fd
# (fsetxattr, futimens, utimensat AT_EMPTY_PATH, the chattr ioctls), on a
# symlink in the tree itself (lsetxattr, utimensat AT_SYMLINK_NOFOLLOW),
# through a symlink from outside, through a bind mount of the tree, and as
# root of a new user namespace. Each is denied and logged with its op. The
# same changes outside the rules work, and an unconfined task still makes them.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

t=$PAL_TMP
mkdir -p "$t/fs" "$t/alias" "$t/okalias"
mount -t tmpfs pal-meta "$t/fs" # xattrs and ACLs on every kernel of the matrix
mkdir -p "$t/fs/ro" "$t/fs/ok"
echo data >"$t/fs/ro/f"
echo data >"$t/fs/ok/g"
chmod 0666 "$t/fs/ro/f" "$t/fs/ok/g" # writable to the user namespace's root, which owns neither
ln -s "$t/fs/ok/g" "$t/fs/ro/link"
ln -s "$t/fs/ro/f" "$t/fs/ok/tolink"
mount --bind "$t/fs/ro" "$t/alias"
mount --bind "$t/fs/ok" "$t/okalias"
# overlayfs: the task's change is decided on the overlay's path; the copy-up
# it causes writes the upper layer with the mounter's credentials.
o=$t/fs/ovl
mkdir -p "$o/lower/ro" "$o/lower/ok" "$o/upper" "$o/work" "$o/m"
echo data >"$o/lower/ro/f"
echo data >"$o/lower/ok/g"
pal_must "mount overlayfs" mount -t overlay overlay \
	-o "lowerdir=$o/lower,upperdir=$o/upper,workdir=$o/work" "$o/m"
mkdir "$PAL_CGROUP/ro" "$PAL_CGROUP/al"
pal_policy meta.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: ro-tree
target:
  cgroups: [/pal-test-$PAL_CASE/ro]
files:
  - dirs: [$t/fs/ro, $o/m/ro]
    access: [write]
    action: deny
---
apiVersion: palisade/v1
kind: Policy
name: allow-list
target:
  cgroups: [/pal-test-$PAL_CASE/al]
default: deny
files:
  - dirs: [/]
    access: [read, exec, mmap-exec]
    action: allow
  - dirs: [$t/fs/ok]
    access: [all]
    action: allow
YAML
pal_agent_start

ro() { pal_in_cgroup ro palmeta meta "${3:--}" "$1" "$2" "${4:-EACCES}"; }
f=$t/fs/ro/f
for op in setxattr lsetxattr fsetxattr removexattr fremovexattr setcap setacl removeacl \
	utimensat futimens utimens-empty setflags fsxattr; do
	pal_check "read-only tree: $op: EACCES" ro $op "$f"
done
pal_check "read-only tree: lsetxattr on a symlink in the tree: EACCES" ro lsetxattr "$t/fs/ro/link"
pal_check "read-only tree: lutimensat on a symlink in the tree: EACCES" ro lutimensat \
	"$t/fs/ro/link"
pal_check "read-only tree: setxattr through a symlink from outside: EACCES" ro setxattr \
	"$t/fs/ok/tolink"
pal_check "read-only tree: setxattr through a bind mount of the tree: EACCES" ro setxattr \
	"$t/alias/f"
pal_check "read-only tree: utimensat as root of a user namespace: EACCES" ro utimensat "$f" userns
pal_check "read-only tree on overlayfs: setxattr: EACCES" ro setxattr "$o/m/ro/f"
pal_check "overlayfs outside the rules: setxattr (a copy-up) works" ro setxattr "$o/m/ok/g" - OK
pal_check "overlayfs outside the rules: utimensat works" ro utimensat "$o/m/ok/g" - OK
pal_check "the file has no xattr" palmeta meta - getxattr "$f" ENODATA
pal_check "the file has no capability" palmeta meta - getcap "$f" ENODATA

g=$t/fs/ok/g
for op in setxattr fsetxattr removexattr setcap setacl removeacl utimensat futimens \
	utimens-empty setflags; do
	pal_check "outside the rules: $op works" ro $op "$g" - OK
done
pal_check "outside the rules: lsetxattr on a symlink to the tree works" ro lsetxattr \
	"$t/fs/ok/tolink" - OK
pal_check "outside the rules: setxattr through a bind mount works" ro setxattr "$t/okalias/g" - OK
pal_check "outside the rules: utimensat as root of a user namespace works" ro utimensat "$g" \
	userns OK

al() { pal_in_cgroup al palmeta meta - "$1" "$2" "${3:-EACCES}"; }
for op in setxattr setcap setacl utimensat setflags; do
	pal_check "allow-list without write: $op: EACCES" al $op "$f"
	pal_check "allow-list, an allowed tree: $op works" al $op "$g" OK
done
# The file's filesystem shown by no mount of the task's namespace (an fd
# kept across unshare and detached mounts): unresolved, denied, also when an
# io_uring personality overrides the credentials the way overlayfs does for
# its own writes to an upper layer.
for how in plain personality; do
	pal_check "read-only tree, no mount in the namespace: fsetxattr ($how): EACCES" \
		pal_in_cgroup ro paltest xattr-hidden "$f" EACCES $how "$t/fs" "$t/alias" "$t/okalias"
done
pal_check "unconfined: setcap in the read-only tree works" palmeta meta - setcap "$f" OK
pal_check "unconfined: setxattr in the read-only tree works" palmeta meta - setxattr "$f" OK
pal_check "unconfined: futimens in the read-only tree works" palmeta meta - futimens "$f" OK
pal_agent_stop

# shellcheck disable=SC2089 # the quotes are part of the filter
c='event=file action=deny errno=13 exe=/bin/palmeta access=["write"]'
r="$c policy=ro-tree rule=0"
a="$c policy=allow-list rule=null rule_src=default path=$f"
# shellcheck disable=SC2086,SC2090 # $r, $a are lists of filters
{
log "record: setxattr, lsetxattr, fsetxattr, setcap, setacl, via a symlink, via a bind mount" \
	-c 7 $r op=setxattr "path=$f"
log "record: removexattr, fremovexattr, removeacl" -c 3 $r op=removexattr "path=$f"
log "record: utimensat, futimens, AT_EMPTY_PATH, user namespace" -c 4 $r op=setattr "path=$f"
log "record: FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR" -c 2 $r op=setflags "path=$f"
log "record: the symlink in the tree" -c 1 $r op=setxattr "path=$t/fs/ro/link"
log "record: the symlink's timestamps" -c 1 $r op=setattr "path=$t/fs/ro/link"
log "record: allow-list setxattr, setcap, setacl" -c 3 $a op=setxattr
log "record: allow-list utimensat" -c 1 $a op=setattr
log "record: allow-list setflags" -c 1 $a op=setflags
log "record: overlayfs, on the overlay's path" -c 1 $r op=setxattr "path=$o/m/ro/f"
log "record: a file no mount shows, by fsetxattr and by io_uring with a personality" -c 2 \
	event=file action=deny errno=13 exe=/bin/paltest 'access=["write"]' policy=ro-tree \
	op=setxattr path=/ro/f unresolved=true
log "nothing else" -c 26 event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
