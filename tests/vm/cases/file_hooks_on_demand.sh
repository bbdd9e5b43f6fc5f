# SPDX-License-Identifier: GPL-2.0-only
# File hooks on demand (agent/file.c, demands[]): four hooks are always
# attached; every other one is loaded and attached only while the live
# generation restricts an access it decides, or targets cgroups. A reload
# that needs one attaches it before its generation goes live, so the first
# such access is decided; one that no longer needs it detaches it, and the
# kernel's own count of links comes back. Per access class, host-wide: the
# operation passes with no record while unrestricted, is denied with its
# record once a reload restricts it, and passes again after the reload
# back. The write hook decides a write through an fd opened while it was
# detached; file_free, which forgets remembered writes, comes and goes with
# it, so a close costs no program while writes are unrestricted. No other task gets an fd to a link attached at a reload. A cgroup-targeted policy attaches every hook. A restarted
# agent adopts the attached hooks and can detach them.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

t=$PAL_TMP/od
mkdir -p "$t"
mount -t tmpfs pal-od "$t" # trusted xattrs on every kernel of the matrix
mkdir -p "$t/deny" "$t/c"
echo data >"$t/deny/h"
: >"$t/c/f"
mkdir "$PAL_CGROUP/confined"
policy() { # reads | targeted | CLASS: reads denied, and CLASS denied on $t/c
	cat <<YAML
apiVersion: palisade/v1
kind: Policy
name: od
YAML
	[ "$1" != targeted ] || printf 'target:\n  cgroups: [/pal-test-%s/confined]\n' "$PAL_CASE"
	cat <<YAML
files:
  - dirs: [$t/deny]
    access: [read]
    action: deny
YAML
	case $1 in reads | targeted) return ;; esac
	cat <<YAML
  - dirs: [$t/c]
    access: [$1]
    action: deny
YAML
}
reload() { "$PAL_AGENT" reload --socket "$PAL_SOCK" >/dev/null; }
status() { "$PAL_AGENT" status --json --socket "$PAL_SOCK"; }
# the attached hooks on demand, one per line, sorted
on_demand() { status | sed -n 's/.*"on_demand":\[\([^]]*\)\].*/\1/p' | tr -d '"' | tr , '\n' | sort; }
has() { on_demand | grep -qx "$1"; }
lacks() { ! has "$1"; }
status_has() { status | grep -q "$1"; }
# the kernel's links (the guard refuses each: they are the agent's)
links_now() { palbpf links palisade EPERM | sed -n 's/^palbpf: \([0-9]*\) links matched.*/\1/p'; }
to() { # POLICY: reload to it
	policy "$1" >"$PAL_POLICY_DIR/od.yaml"
	pal_must "reload: $1" reload
}
# under reads only: link, rename and mmap-exec are restricted (a read-protected
# file's new name; exec under any file policy); mounts deny by default
reads_hooks="palisade_file_mprotect
palisade_mmap_file
palisade_move_mount
palisade_path_link
palisade_path_rename
palisade_sb_mount
palisade_sb_pivotroot"
at_reads() { # WHAT: back under reads only: the same hooks, the same links
	pal_check "$1: the hooks of reads only" test "$(on_demand)" = "$reads_hooks"
	pal_check "$1: the kernel's links are as with reads only" test "$(links_now)" = "$l0"
}
# CLASS HOOK OP...: restricting CLASS attaches HOOK, and OP (a paltest or
# palmeta command line ending in its errno) is denied; back, it passes again
class() {
	cls=$1 hook=$2
	shift 2
	pal_check "$cls: $hook not attached under reads only" lacks "$hook"
	to "$cls"
	pal_check "$cls: $hook attached" has "$hook"
	pal_check "$cls: the kernel has more links" test "$(links_now)" -gt "$l0"
	pal_check "$cls: no other task gets an fd to one, by id" palbpf links palisade EPERM
	pal_check "$cls: denied" "$@" EACCES
	to reads
	at_reads "$cls"
	pal_check "$cls: passes again" "$@" OK
}

policy reads >"$PAL_POLICY_DIR/od.yaml"
pal_agent_start --no-signal-guard
l0=$(links_now)
pal_check "reads only: the hooks of reads only" test "$(on_demand)" = "$reads_hooks"
pal_check "reads only: 4 + 7 LSM programs" status_has '"lsm_programs":11,'
pal_check "reads only: the write hook is detached" status_has '"write_hook":false'
pal_check "reads only: file_free is detached" lacks palisade_file_free
pal_check "the read is denied" paltest open "$t/deny/h" EACCES r
exec 7>>"$t/c/f"
pal_check "a write through an fd opened now" paltest write-fd 7 x OK

# the write hook, attached, decides the next write through fd 7 (opened while it was not)
class write palisade_file_permission paltest write-fd 7 x
# file_free is attached with it, and before it (agent/file.c, memos_clear).
# A file opened read-write under reads only is decided at its open, and its
# write remembered, but its close is not seen: the memo stays behind until
# the write hook attaches, which drops it first.
exec 8<>"$t/c/f"
exec 8>&-
to write
pal_check "write: file_free attached with the write hook" has palisade_file_free
pal_check "write: the memo left by the closed file was dropped first" \
	grep -q "file: dropped [1-9][0-9]* remembered writes before the write hook" "$PAL_AGENT_ERR"
pal_check "write: an open for writing is denied" paltest open "$t/c/f" EACCES w
to reads
at_reads "write, file_free"
class write palisade_inode_setxattr palmeta meta - setxattr "$t/c/f"
class create palisade_path_mkdir paltest mkdir "$t/c/d"
rmdir "$t/c/d"
class create palisade_path_mknod paltest mknod "$t/c/p" p
rm -f "$t/c/p"
class delete palisade_path_unlink paltest unlink "$t/c/f"
: >"$t/c/f"
class chmod palisade_path_chmod paltest chmod "$t/c/f" 600
class truncate palisade_path_truncate paltest truncate "$t/c/f"

# a confined task's move written through an fd it opened before is decided by the write hook
to targeted
pal_check "targeted: the write hook is attached" has palisade_file_permission
# every file program of this kernel: 30 on each kernel of the matrix, plus
# file_truncate and the two ACL hooks where the kernel has them (kallsyms tells)
nprogs=30
grep -qw bpf_lsm_file_truncate /proc/kallsyms && nprogs=$((nprogs + 1))
grep -qw bpf_lsm_inode_set_acl /proc/kallsyms && nprogs=$((nprogs + 2))
pal_check "targeted: every hook is attached, $nprogs LSM programs" \
	status_has "\"lsm_programs\":$nprogs,"
pal_check "targeted: $((nprogs - 4)) of them on demand" test "$(on_demand | wc -l)" -eq $((nprogs - 4))
pal_check "targeted: file_free too" has palisade_file_free
pal_check "targeted: the create hook too" has palisade_path_mkdir
pal_check "targeted: the unix connect hook too" has palisade_unix_stream_connect
to reads
at_reads "back from targeted"

pal_agent_settle
c="event=file action=deny policy=od errno=13"
# shellcheck disable=SC2086 # $c is a list of filters
{
log "record: the read" -n 1 -c 1 $c generation=1 op=open 'access=["read"]' "path=$t/deny/h"
log "record: the write through the fd opened before its hook" -n 1 -c 1 $c op=write \
	'access=["append"]' "path=$t/c/f"
log "record: the open for writing once the memos were dropped" -n 1 -c 1 $c op=open \
	'access=["write"]' "path=$t/c/f"
log "record: setxattr" -n 1 -c 1 $c op=setxattr "path=$t/c/f"
log "record: mkdir" -n 1 -c 1 $c op=create "path=$t/c/d"
log "record: mknod" -n 1 -c 1 $c op=create "path=$t/c/p"
log "record: unlink" -n 1 -c 1 $c op=unlink "path=$t/c/f"
log "record: chmod" -n 1 -c 1 $c op=chmod "path=$t/c/f"
log "record: truncate" -n 1 -c 1 $c op=truncate "path=$t/c/f"
# the guard records (and rate limits) palbpf's probes of the links
log "nothing else" -c 9 event~e event!=policy event!=agent event!=suppressed
log "no file record suppressed" -n 0 event=suppressed suppressed_event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"

# SIGKILL keeps the pins; the next agent adopts the attached hooks and can
# detach them. (Under a targeted policy: while the guard is orphaned, it
# refuses the pins to every task a live policy confines, and a host-wide
# one confines the successor too.)
to targeted
n1=$(links_now)
kill -KILL "$PAL_AGENT_PID"
wait "$PAL_AGENT_PID" 2>/dev/null
pal_agent_start --no-signal-guard
pal_check "adopted: the write hook still attached" has palisade_file_permission
pal_check "adopted: file_free still attached" has palisade_file_free
pal_check "adopted: the create hook still attached" has palisade_path_mkdir
pal_check "adopted: no link added" test "$(links_now)" = "$n1"
to reads
at_reads "adopted, then reads only"
class write palisade_file_permission paltest write-fd 7 x
class create palisade_path_mkdir paltest mkdir "$t/c/d"
exec 7>&-
pal_agent_settle
pal_agent_stop
# shellcheck disable=SC2086 # $c is a list of filters
{
log "restarted: the write through the fd" -n 1 -c 1 $c op=write 'access=["append"]' \
	"path=$t/c/f"
log "restarted: mkdir" -n 1 -c 1 $c op=create "path=$t/c/d"
log "restarted: nothing else" -c 2 event~e event!=policy event!=agent event!=suppressed
log "restarted: no file record suppressed" -n 0 event=suppressed suppressed_event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
