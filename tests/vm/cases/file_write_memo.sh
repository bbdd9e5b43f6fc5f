# SPDX-License-Identifier: GPL-2.0-only
# A write through an open file is decided once and remembered while nothing
# the decision depended on changes (bpf/file.bpf.c, check_write_fd). Every
# change must end the memory: a rename of the file and of a directory above
# it, a mount moved with the file on it, a move of the task to another
# cgroup, a reload, a chroot. An allowed open for writing by a confined
# task already decides its writes, so a rename between that open and the
# first write must end the memory too. And a file's memory must not outlive
# it: a denied file opened at the address of a closed allowed one (the slab
# reuses it) is decided afresh, every time.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

t=$PAL_TMP/w
mkdir -p "$t/a/sub" "$t/deny" "$t/m"
: >"$t/a/sub/f"
: >"$t/a/sub/g"
: >"$t/deny/h"
cp /bin/paltest "$t/a/paltest"
mkdir "$PAL_CGROUP/confined" "$PAL_CGROUP/confined/inner"
policy() { # EXTRA-DENIED-PATH (or nothing)
	cat <<YAML
apiVersion: palisade/v1
kind: Policy
name: memo
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - dirs: [$t/deny, /sub]
    access: [write, append]
    action: deny
YAML
	[ -z "$1" ] || cat <<YAML
  - paths: [$1]
    access: [write, append]
    action: deny
YAML
}
policy >"$PAL_POLICY_DIR/memo.yaml"
pal_policy inner.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: inner
target:
  cgroups: [/pal-test-$PAL_CASE/confined/inner]
files:
  - paths: [$t/a/sub/f]
    access: [write, append]
    action: deny
YAML
pal_agent_start
in_cg() { pal_in_cgroup confined "$@"; }
reload() { "$PAL_AGENT" reload --socket "$PAL_SOCK" >/dev/null; }
remembered() {
	"$PAL_AGENT" status --json --socket "$PAL_SOCK" |
		sed -n 's/.*"writes_remembered":\([0-9]*\).*/\1/p'
}
# w7 DESC EXPECTED REMEMBERED: one write through fd 7 (output to /dev/null,
# so that the write is the confined task's only one to a regular file), and
# whether the status counted it as allowed by a remembered decision (0 or 1)
quiet() { "$@" >/dev/null 2>&1; }
w7() {
	_n=$(remembered)
	pal_check "$1" quiet in_cg paltest write-fd 7 x "$2"
	pal_check "$1: remembered $3" test "$(($(remembered) - _n))" = "$3"
}

exec 7>>"$t/a/sub/f"
w7 "write through the open file" OK 0
w7 "and again" OK 1
w7 "and again" OK 1

pal_must "rename a directory above the file into the denied one" mv "$t/a" "$t/deny/a"
pal_check "write after the rename of its directory" in_cg paltest write-fd 7 x EACCES
pal_must "rename it back" mv "$t/deny/a" "$t/a"
w7 "write after the rename back" OK 0
w7 "and again" OK 1
pal_must "rename the file itself into the denied directory" mv "$t/a/sub/f" "$t/deny/f"
pal_check "write after the rename of the file" in_cg paltest write-fd 7 x EACCES
pal_must "rename it back" mv "$t/deny/f" "$t/a/sub/f"
pal_check "write after the rename back" in_cg paltest write-fd 7 x OK

# hold F WANT [RENAME-TO]: a confined task opens F for writing; meanwhile F
# is renamed (or not); then the task writes through the fd it opened.
hold() {
	rm -f "$PAL_TMP/ready" "$PAL_TMP/go"
	in_cg paltest hold-write "$1" "$PAL_TMP/ready" "$PAL_TMP/go" "$2" &
	_hw=$!
	_i=0
	until [ -e "$PAL_TMP/ready" ] || [ $_i -ge 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -z "$3" ] || mv "$1" "$3"
	touch "$PAL_TMP/go"
	wait $_hw
}
: >"$t/a/sub/p"
_n=$(remembered)
pal_check "a confined open for writing, then its first write" quiet hold "$t/a/sub/p" OK
pal_check "that first write was decided at the open: remembered 1" \
	test "$(($(remembered) - _n))" = 1
pal_check "a confined open for writing, the file renamed into the denied dir, the first write" \
	hold "$t/a/sub/p" EACCES "$t/deny/p"

pal_check "write from a child cgroup whose policy denies the file" \
	pal_in_cgroup confined/inner paltest write-fd 7 x EACCES
pal_check "write from the first cgroup again" in_cg paltest write-fd 7 x OK

policy "$t/a/sub/f" >"$PAL_POLICY_DIR/memo.yaml"
pal_must "reload with the file denied" reload
pal_check "write after the reload" in_cg paltest write-fd 7 x EACCES
policy >"$PAL_POLICY_DIR/memo.yaml"
pal_must "reload without" reload
w7 "write after the second reload" OK 0
w7 "and again" OK 1

pal_check "write from a chroot, where the file is /sub/f" \
	in_cg chroot "$t/a" /paltest write-fd 7 x EACCES
pal_check "write outside the chroot again" in_cg paltest write-fd 7 x OK
# a chroot into a directory (not a mount's root): its root pointer could be
# reused by another directory without a rename or mount, so nothing is kept
: >"$t/a/ok"
exec 6>>"$t/a/ok"
_n=$(remembered)
pal_check "allowed write in the chroot" quiet in_cg chroot "$t/a" /paltest write-fd 6 x OK
pal_check "and again" quiet in_cg chroot "$t/a" /paltest write-fd 6 x OK
pal_check "nothing remembered below a chroot into a directory" \
	test "$(($(remembered) - _n))" = 0
exec 6>&-

pal_must "a mount holding a file" mount -t tmpfs -o size=1m memo "$t/m"
: >"$t/m/f"
exec 8>>"$t/m/f"
pal_check "write to the file on the mount" in_cg paltest write-fd 8 x OK
pal_check "and again" in_cg paltest write-fd 8 x OK
mkdir "$t/deny/m"
pal_must "move the mount into the denied directory" mount --move "$t/m" "$t/deny/m"
pal_check "write after the mount moved" in_cg paltest write-fd 8 x EACCES
exec 8>&-

# The attack on a memory keyed by the file's address: close an allowed
# file, open a denied one (a process no policy confines may), and write.
i=0 denied=0
while [ $i -lt 30 ]; do
	exec 9>>"$t/a/sub/g"
	in_cg paltest write-fd 9 x OK >/dev/null || pal_fail "allowed write $i failed"
	exec 9>&-
	exec 9>>"$t/deny/h"
	in_cg paltest write-fd 9 x EACCES >/dev/null && denied=$((denied + 1))
	exec 9>&-
	i=$((i + 1))
done
pal_check "a denied file at a reused address: all 30 writes denied" test "$denied" = 30
exec 7>&-
pal_agent_settle
pal_agent_stop
umount "$t/deny/m"

log "the write below a renamed directory" -n 1 -c 1 event=file action=deny errno=13 \
	policy=memo rule=0 op=write "path=$t/deny/a/sub/f"
log "the write to the renamed file" -n 1 -c 1 event=file action=deny policy=memo rule=0 \
	op=write "path=$t/deny/f"
log "the write from the child cgroup" -n 1 -c 1 event=file action=deny policy=inner rule=0 \
	op=write "path=$t/a/sub/f"
log "the write after the reload" -n 1 -c 1 event=file action=deny policy=memo rule=1 \
	op=write "path=$t/a/sub/f"
log "the write in the chroot" -n 1 -c 1 event=file action=deny policy=memo rule=0 op=write \
	path=/sub/f
log "the write after the mount moved" -n 1 -c 1 event=file action=deny policy=memo rule=0 \
	op=write "path=$t/deny/m/f"
log "the first write after a rename that followed the open" -n 1 -c 1 event=file action=deny \
	policy=memo rule=0 op=write "path=$t/deny/p"
log "the writes to the reused address" -n 30 -c 30 event=file action=deny policy=memo \
	rule=0 op=write "path=$t/deny/h"
log "nothing else" -n 37 event=file
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
