# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# Every way to write is a write. An fd opened O_RDWR before the task entered
# the cgroup (palmeta fd opens, then joins) writes a file of a write-denied
# tree through write(2), a shared writable mapping (mmap_file), PROT_WRITE
# added to a shared mapping (file_mprotect), fallocate, splice from a pipe,
# copy_file_range and sendfile (file_permission): each is denied and logged.
# A private writable mapping writes nothing and is allowed; so are the same
# ways on a file outside the rules. Append semantics: on an append-only file
# (default deny, allow append) writes through an O_APPEND fd are appends and
# work; clearing O_APPEND with fcntl asks for write and is denied.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

rm -rf /srv && mkdir -p /srv/ro /srv/ok
for f in /srv/ro/f /srv/ok/g /srv/alog /srv/zero; do
	dd if=/dev/zero of="$f" bs=4096 count=1 2>/dev/null
done
mkdir "$PAL_CGROUP/ro" "$PAL_CGROUP/alog"
pal_policy ways.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: ro-tree
target:
  cgroups: [/pal-test-$PAL_CASE/ro]
files:
  - dirs: [/srv/ro]
    access: [write, truncate]
    action: deny
---
apiVersion: palisade/v1
kind: Policy
name: append-only
target:
  cgroups: [/pal-test-$PAL_CASE/alog]
default: deny
files:
  - paths: [/srv/alog]
    access: [append]
    action: allow
YAML
pal_agent_start

ro() { PALMETA_SRC_DIR=/srv palmeta fd "$PAL_CGROUP/ro" "$@"; }
for op in write mmap mprotect fallocate splice copy sendfile; do
	pal_check "read-only tree: $op through an old O_RDWR fd: EACCES" ro /srv/ro/f rw $op EACCES
	pal_check "outside the rules: $op works" ro /srv/ok/g rw $op OK
done
pal_check "read-only tree: a private writable mapping works" ro /srv/ro/f rw mmap-private OK
pal_check "the read-only file is unchanged" cmp /srv/ro/f /srv/zero
pal_check "the file outside the rules was written" sh -c "! cmp -s /srv/ok/g /srv/zero"

# No output after joining: every write to a regular file is denied by default there.
al() { palmeta fd "$PAL_CGROUP/alog" "$@" >/dev/null; }
pal_check "append-only: write(2) through an O_APPEND fd appends" al /srv/alog a write OK
pal_check "append-only: fcntl clearing O_APPEND: EACCES" al /srv/alog a noappend EACCES
pal_check "append-only: the append landed" sh -c '[ "$(wc -c </srv/alog)" = 4098 ]'
pal_agent_stop

c="event=file action=deny errno=13 exe=/bin/palmeta"
# shellcheck disable=SC2086 # $c is a list of filters
{
log "record: write, fallocate, splice, copy_file_range, sendfile" -c 5 $c policy=ro-tree rule=0 \
	op=write 'access=["write"]' path=/srv/ro/f
log "record: shared mapping and mprotect" -c 2 $c policy=ro-tree rule=0 op=mmap \
	'access=["write"]' path=/srv/ro/f
log "record: fcntl clearing O_APPEND asks for write" -c 1 $c policy=append-only rule=null \
	op=write 'access=["write"]' path=/srv/alog
log "nothing else" -c 8 event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
