# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 180
# Write-class operations below a write-denied directory,
# each at the hook that guards it: truncate(2) (path_truncate), O_TRUNC and
# O_WRONLY/O_APPEND opens (file_open), chmod/chown, unlink/rmdir, rename
# (both ends), mkdir, mknod, O_CREAT, symlink, and write(2) through an fd
# opened before the agent loaded the policy (file_permission). A rule that
# names `write` also covers `append`. Reads stay allowed.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

rm -rf /srv && mkdir -p /srv/wd/sub /srv/wd/empty /srv/ok
for f in f g held; do echo data >"/srv/wd/$f"; done
echo data >/srv/ok/mine && echo log >/srv/wlog
mkdir "$PAL_CGROUP/confined"
in_cg() { pal_in_cgroup confined "$@"; }

# The fd is opened before the policy exists; the write comes after the load.
in_cg paltest hold-write /srv/wd/held "$PAL_TMP/ready" "$PAL_TMP/go" EACCES >"$PAL_TMP/held.out" &
held=$!
pal_must "the held fd is open" sh -c 'i=0; until [ -e "$1" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done' - "$PAL_TMP/ready"

pal_policy write.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: write-ops
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - dirs: [/srv/wd]
    access: [write, truncate, chmod, chown, delete, rename, create]
    action: deny
  - paths: [/srv/wlog]
    access: [write]
    action: deny
YAML
pal_agent_start

touch "$PAL_TMP/go"
wait $held
rc=$?
cat "$PAL_TMP/held.out"
pal_check "write(2) through the fd opened before the load: EACCES" test "$rc" = 0
pal_check "truncate(2)" in_cg paltest truncate /srv/wd/f EACCES
pal_check "open O_TRUNC" in_cg paltest open /srv/wd/f EACCES t
pal_check "open O_WRONLY" in_cg paltest open /srv/wd/f EACCES w
pal_check "open O_RDWR" in_cg paltest open /srv/wd/f EACCES rw
pal_check "open O_APPEND (write implies append)" in_cg paltest open /srv/wd/f EACCES a
pal_check "open O_APPEND of a path rule naming write" in_cg paltest open /srv/wlog EACCES a
pal_check "chmod" in_cg paltest chmod /srv/wd/f 600 EACCES
pal_check "chown" in_cg paltest chown /srv/wd/f 1 1 EACCES
pal_check "unlink" in_cg paltest unlink /srv/wd/f EACCES
pal_check "rmdir" in_cg paltest rmdir /srv/wd/empty EACCES
pal_check "rename inside" in_cg paltest rename /srv/wd/f /srv/wd/h EACCES
pal_check "rename out" in_cg paltest rename /srv/wd/f /srv/ok/f EACCES
pal_check "rename in" in_cg paltest rename /srv/ok/mine /srv/wd/mine EACCES
pal_check "mkdir" in_cg paltest mkdir /srv/wd/newdir EACCES
pal_check "mknod (regular)" in_cg paltest mknod /srv/wd/node f EACCES
pal_check "mknod (fifo)" in_cg paltest mknod /srv/wd/sub/fifo p EACCES
pal_check "open O_CREAT" in_cg paltest open /srv/wd/sub/new EACCES c
pal_check "symlink" in_cg paltest symlink /srv/ok/mine /srv/wd/link EACCES
pal_check "read is still allowed" in_cg paltest open /srv/wd/f OK r
pal_check "writes elsewhere are allowed" in_cg paltest open /srv/ok/mine OK a
pal_check "outside the cgroup: truncate works" paltest truncate /srv/wd/g OK
pal_check "the denied ops changed nothing" sh -c \
	'cat /srv/wd/f | grep -qx data && [ ! -e /srv/wd/newdir ] && [ ! -e /srv/wd/node ] &&
	 [ ! -e /srv/wd/sub/new ] && [ ! -e /srv/wd/h ] && [ -d /srv/wd/empty ] &&
	 [ "$(cat /srv/wd/held)" = data ] && [ -e /srv/ok/mine ]'
pal_agent_stop

c="event=file action=deny policy=write-ops errno=13 exe=/bin/paltest"
# shellcheck disable=SC2086 # $c is a list of filters
{
log "record: write through the old fd" -c 1 $c rule=0 op=write 'access=["write"]' \
	path=/srv/wd/held
log "record: truncate" -c 1 $c rule=0 op=truncate 'access=["truncate"]' path=/srv/wd/f
log "record: O_TRUNC" -c 1 $c rule=0 op=open 'access=["write","truncate"]' path=/srv/wd/f
log "record: O_WRONLY" -c 1 $c rule=0 op=open 'access=["write"]' path=/srv/wd/f
log "record: O_RDWR" -c 1 $c rule=0 op=open 'access=["read","write"]' path=/srv/wd/f
log "record: O_APPEND" -c 1 $c rule=0 op=open 'access=["append"]' path=/srv/wd/f
log "record: O_APPEND on the path rule" -c 1 $c rule=1 op=open 'access=["append"]' path=/srv/wlog
log "record: chmod" -c 1 $c rule=0 op=chmod 'access=["chmod"]' path=/srv/wd/f
log "record: chown" -c 1 $c rule=0 op=chown 'access=["chown"]' path=/srv/wd/f
log "record: unlink" -c 1 $c rule=0 op=unlink 'access=["delete"]' path=/srv/wd/f
log "record: rmdir" -c 1 $c rule=0 op=unlink 'access=["delete"]' path=/srv/wd/empty
log "record: rename inside" -c 1 $c rule=0 op=rename 'access=["rename"]' path=/srv/wd/f \
	path2=/srv/wd/h
log "record: rename out" -c 1 $c rule=0 op=rename path=/srv/wd/f path2=/srv/ok/f
log "record: rename in" -c 1 $c rule=0 op=rename path=/srv/ok/mine path2=/srv/wd/mine
log "record: mkdir" -c 1 $c rule=0 op=create 'access=["create"]' path=/srv/wd/newdir
log "record: mknod" -c 1 $c rule=0 op=create path=/srv/wd/node
log "record: mknod fifo" -c 1 $c rule=0 op=create path=/srv/wd/sub/fifo
log "record: O_CREAT" -c 1 $c rule=0 op=create path=/srv/wd/sub/new
log "record: symlink" -c 1 $c rule=0 op=create path=/srv/wd/link
log "nothing else" -c 19 event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
