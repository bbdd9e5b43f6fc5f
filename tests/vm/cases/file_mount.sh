# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# Mounts by confined tasks. A bind mount of the root that holds a denied
# directory would give it a second path; so would an open_tree copy attached
# with move_mount, a new mount over an allowed name, or pivot_root. A policy
# with file rules denies them all (`mounts:` defaults to deny), in the task's
# mount namespace, in a new one, and as root of a new user namespace. A
# change of propagation alone (every "ns" attempt makes / private first) is
# no mount and stays allowed. `mounts: allow` opts out; unconfined tasks
# mount as before; file access outside the rules is untouched.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

rm -rf /srv && mkdir -p /srv/d /srv/ok && echo data >/srv/d/f
for i in 1 2 3 4 5 6 7 8 9; do mkdir -p "$PAL_TMP/m$i"; done
mkdir "$PAL_CGROUP/confined" "$PAL_CGROUP/optout"
pal_policy mount.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: mount-deny
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - dirs: [/srv/d]
    access: [all]
    action: deny
---
apiVersion: palisade/v1
kind: Policy
name: mount-optout
target:
  cgroups: [/pal-test-$PAL_CASE/optout]
mounts: allow
files:
  - dirs: [/srv/d]
    access: [all]
    action: deny
YAML
pal_agent_start

in_cg() { pal_in_cgroup confined palmeta mount "$@"; }
t=$PAL_TMP
pal_check "bind mount of / (new mount ns): EACCES" in_cg ns bind / "$t/m1" EACCES
pal_check "bind mount of / (user ns root): EACCES" in_cg userns bind / "$t/m2" EACCES
pal_check "bind mount of /srv (own mount ns): EACCES" in_cg - bind /srv "$t/m3" EACCES
pal_check "bind mount over an allowed executable: EACCES" in_cg ns bind /bin/busybox /bin/paltest \
	EACCES
pal_check "tmpfs mount: EACCES" in_cg ns tmpfs - "$t/m4" EACCES
pal_check "remount of / read-only: EACCES" in_cg ns remount-ro - / EACCES
pal_check "open_tree clone + move_mount: EACCES" in_cg ns tree / "$t/m5" EACCES
pal_check "open_tree clone + move_mount (user ns): EACCES" in_cg userns tree / "$t/m6" EACCES
pal_check "fsmount + move_mount (user ns): EACCES" in_cg userns fsmount - "$t/m7" EACCES
pal_check "pivot_root: EACCES" in_cg ns pivot "$t/m8" "$t/m8" EACCES
# open_tree needs no move_mount to be used: its fd reaches the copy.
pal_check "a file of the denied dir in an unattached open_tree copy of /: EACCES" \
	in_cg userns tree-open / srv/d/f EACCES
pal_check "... in a copy of /srv: EACCES" in_cg userns tree-open /srv d/f EACCES
pal_check "nothing was mounted" sh -c '! grep -q " $1/m" /proc/mounts' - "$t"
pal_check "confined: a file write outside the rules works" \
	pal_in_cgroup confined paltest open /srv/ok/new OK c
pal_check "confined: the denied dir stays denied" pal_in_cgroup confined paltest open /srv/d/f \
	EACCES r

# The allowed counterparts: mounts: allow, and tasks no policy confines.
pal_check "mounts: allow: bind mount (new mount ns)" \
	pal_in_cgroup optout palmeta mount ns bind / "$t/m1" OK
pal_check "mounts: allow: open_tree + move_mount (user ns)" \
	pal_in_cgroup optout palmeta mount userns tree / "$t/m2" OK
pal_check "mounts: allow: pivot_root reaches the kernel's own checks (EINVAL)" \
	pal_in_cgroup optout palmeta mount ns pivot "$t/m8" "$t/m8" EINVAL
pal_check "unconfined: bind mount" palmeta mount ns bind / "$t/m9" OK
pal_check "unconfined: fsmount + move_mount" palmeta mount userns fsmount - "$t/m9" OK
pal_agent_stop

c="event=file action=deny policy=mount-deny errno=13 op=mount rule=null rule_src=default"
# shellcheck disable=SC2086 # $c is a list of filters
{
log "record: bind (new ns)" -c 1 $c 'access=["mount"]' "path=$t/m1" exe=/bin/palmeta
log "record: bind (user ns)" -c 1 $c "path=$t/m2"
log "record: bind (own ns)" -c 1 $c "path=$t/m3"
log "record: bind over an executable" -c 1 $c path=/bin/paltest
log "record: tmpfs" -c 1 $c "path=$t/m4"
log "record: remount" -c 1 $c path=/
log "record: open_tree clone, source and target" -c 1 $c "path=$t/m5" path2=/
log "record: open_tree clone (user ns)" -c 1 $c "path=$t/m6" path2=/
log "record: fsmount" -c 1 $c "path=$t/m7"
log "record: pivot_root, new root and put_old" -c 1 $c "path=$t/m8" "path2=$t/m8"
log "record: the denied read" -c 1 event=file policy=mount-deny op=open path=/srv/d/f \
	exe=/bin/paltest
log "record: the unattached copies" -c 2 event=file action=deny policy=mount-deny op=open \
	exe=/bin/palmeta 'access=["read"]'
log "nothing else" -c 13 event=file
log "no record of the opted-out policy" -n 0 policy=mount-optout
}
pal_done
