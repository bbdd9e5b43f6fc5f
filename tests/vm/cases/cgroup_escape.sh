# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 240
# A confined task cannot leave the cgroup its policy targets. Moving a task
# is a write to cgroup.procs or cgroup.threads, or clone3(CLONE_INTO_CGROUP);
# a move to any cgroup that is not its own or below it is denied (EACCES, op
# cgroup_move), whatever path reaches the file: a symlink, a bind mount of
# the cgroup tree, an fd opened before the task was confined and passed in.
# After the attempts the task is where it was and its file rule still holds.
# A move into a child cgroup keeps every policy and is allowed: the task is
# still denied there. An audit-mode policy logs a move out and lets it
# happen. Unconfined tasks move tasks as before, confined ones included.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir -p /srv && echo "escape secret" >/srv/secret
cg=$PAL_CGROUP
mkdir "$cg/confined" "$cg/sib" "$cg/sib2" "$cg/aud" "$cg/out"
pal_policy esc.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: esc
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
---
apiVersion: palisade/v1
kind: Policy
name: esc-audit
mode: audit
target:
  cgroups: [/pal-test-$PAL_CASE/aud]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
YAML
pal_agent_start

in_cg() { pal_in_cgroup confined "$@"; }
ln -s "$cg/sib2/cgroup.procs" "$PAL_TMP/procs-link"
mkdir "$PAL_TMP/cgbind"
pal_must "host: bind mount of the cgroup tree" mount --bind /sys/fs/cgroup "$PAL_TMP/cgbind"
bound=$PAL_TMP/cgbind/pal-test-$PAL_CASE/sib/cgroup.procs

pal_check "cgroup.procs of a sibling cgroup: EACCES" in_cg paltest write "$cg/sib/cgroup.procs" 0 \
	EACCES
pal_check "cgroup.procs of its own cgroup: allowed (no move)" in_cg paltest write \
	"$cg/confined/cgroup.procs" 0 OK
pal_check "cgroup.threads: EACCES" in_cg paltest write "$cg/sib/cgroup.threads" 0 EACCES
pal_check "through a symlink: EACCES" in_cg paltest write "$PAL_TMP/procs-link" 0 EACCES
pal_check "through a bind mount of the cgroup tree: EACCES" in_cg paltest write "$bound" 0 EACCES
# The shell opens the parent's cgroup.procs while unconfined, moves itself
# in, and the exec confines it: the write through the open fd is decided.
pal_check "through an fd opened before confinement: EACCES" \
	sh -c 'exec 3>"$1/cgroup.procs" && echo $$ >"$1/confined/cgroup.procs" &&
		exec paltest write-fd 3 0 EACCES' - "$cg"
pal_check "clone3(CLONE_INTO_CGROUP) into an unconfined cgroup: EACCES" \
	in_cg paltest clone-into-cgroup "$cg/out" EACCES
# The shell itself (builtins only) tries to leave: refused, still confined.
pal_check "after the attempts: in its cgroup, the secret still denied" in_cg sh -c \
	'if echo $$ >"$1/sib/cgroup.procs"; then exit 1; fi
	read -r l </proc/self/cgroup && [ "$l" = "0::$2" ] &&
	exec paltest open /srv/secret EACCES r' - "$cg" "/pal-test-$PAL_CASE/confined"

# Down into its own child cgroup: allowed, and still confined there (the
# shell moves itself with a builtin; nothing is executed in the child).
pal_check "into its own child cgroup: moved, and the secret still denied" in_cg sh -c \
	'mkdir "$1/kid2" && echo $$ >"$1/kid2/cgroup.procs" && read -r l </proc/self/cgroup &&
	[ "$l" = "0::$2/kid2" ] && if read -r l </srv/secret; then exit 1; fi' \
	- "$cg/confined" "/pal-test-$PAL_CASE/confined"
# A cgroup the confined task creates is armed from birth: a host shell
# moved into it is decided by the policy without any exec there.
pal_check "the confined task creates a child cgroup" in_cg mkdir "$cg/confined/kid"
pal_check "... armed from birth: a host shell moved in is denied" sh -c \
	'echo $$ >"$1/cgroup.procs" || exit 2; if read -r l </srv/secret; then exit 1; fi' \
	- "$cg/confined/kid"

# Allowed counterparts: audit mode, and tasks no policy confines.
pal_check "audit mode: the move happens" pal_in_cgroup aud sh -c \
	'paltest true && echo $$ >"$1/cgroup.procs" && read -r l </proc/self/cgroup &&
	[ "$l" = "0::$2" ]' - "$cg/out" "/pal-test-$PAL_CASE/out"
pal_check "unconfined: write to cgroup.procs" paltest write "$cg/sib/cgroup.procs" 0 OK
pal_check "unconfined: clone3(CLONE_INTO_CGROUP)" paltest clone-into-cgroup "$cg/sib" OK
in_cg sh -c 'echo $$ >"$1.tmp" && mv "$1.tmp" "$1" && exec sleep 60' - "$PAL_TMP/sleeper" &
bg=$!
until [ -s "$PAL_TMP/sleeper" ]; do sleep 0.1; done
read -r sleeper <"$PAL_TMP/sleeper"
pal_check "a confined task to move" grep -qx "0::/pal-test-$PAL_CASE/confined" "/proc/$sleeper/cgroup"
pal_check "unconfined: moves a confined task out" paltest write "$cg/out/cgroup.procs" "$sleeper" OK
pal_check "... and it is out" grep -qx "0::/pal-test-$PAL_CASE/out" "/proc/$sleeper/cgroup"
kill "$sleeper"
wait "$bg" 2>/dev/null
pal_agent_settle
pal_agent_stop

c="event=file action=deny policy=esc errno=13 op=cgroup_move rule=null rule_src=default"
# shellcheck disable=SC2086 # $c is a list of filters
{
log "record: sibling cgroup.procs" -c 1 $c 'access=["cgroup-move"]' "path=$cg/sib/cgroup.procs" \
	exe=/bin/paltest
log "no record: its own cgroup.procs" -n 0 event=file "path=$cg/confined/cgroup.procs"
log "no record: the move into its child" -n 0 event=file "path=$cg/confined/kid2/cgroup.procs"
log "record: the secret in its child cgroup" -c 1 event=file action=deny policy=esc op=open \
	path=/srv/secret exe=/bin/busybox "cgroup=/pal-test-$PAL_CASE/confined/kid2"
log "record: cgroup.threads" -c 1 $c "path=$cg/sib/cgroup.threads"
log "record: symlink (the file it names)" -c 1 $c "path=$cg/sib2/cgroup.procs"
log "record: bind mount (the path through it)" -c 1 $c "path=$bound"
log "record: the passed-in fd" -c 1 $c "path=$cg/cgroup.procs" exe=/bin/paltest
log "record: clone3" -c 1 $c path= exe=/bin/paltest
log "record: the shell's own attempt" -c 1 $c "path=$cg/sib/cgroup.procs" exe=/bin/busybox
log "record: the secret" -c 1 event=file action=deny policy=esc op=open path=/srv/secret \
	exe=/bin/paltest
log "record: the host shell in the child cgroup" -c 1 event=file action=deny policy=esc op=open \
	path=/srv/secret exe=/bin/busybox "cgroup=/pal-test-$PAL_CASE/confined/kid"
log "record: the audited move (its open and its write, as for any file)" -c 2 event=file action=audit policy=esc-audit errno=0 \
	op=cgroup_move "path=$cg/out/cgroup.procs"
log "nothing else" -c 12 event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
rm -f /srv/secret
pal_done
