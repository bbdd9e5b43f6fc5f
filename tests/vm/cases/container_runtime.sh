# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# Real containers under crun (tests/vm/container.sh): where confinement
# begins (docs/containers.md). A policy targets the pod cgroup and denies
# reads of /srv/secret. crun creates each container's cgroup below the pod
# and sets the container up inside it (opens /proc, mounts, pivot_root):
# that setup is the runtime's, not the container's, and must not be decided
# by the container's rules. From the entrypoint's exec on, nothing the
# container does escapes them:
#  - the entrypoint is confined (EACCES and a record);
#  - a process named like crun's setup process (comm memfd:crun_clon);
#  - a process that creates a child cgroup and moves into it, then opens
#    without another exec (a move below its own cgroup keeps its policies;
#    a new cgroup made by a confined task is armed from birth);
#  - a process that writes into its overlay root: new files, appends to
#    image files and to the secret itself (overlayfs copies them up into
#    its work dir with its own private mounts, which is not the container's
#    access), then still cannot read the secret;
#  - a process that executes crun again: crun re-executes itself from a
#    memfd, a file with no path below the task's root, which fails closed.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh
. /lib/palisade-test/container.sh

pal_ctr_world || pal_fail "host world for crun"
pod=$(pal_ctr_pod 7f3e-01) || pal_fail "pod cgroup"
pal_policy ctr.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: ctr-secret
target:
  cgroups: [$pod]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
YAML

pal_must "bundle: entrypoint" pal_ctr_bundle entry 7f3e-01 /bin/ctrtest open /srv/secret EACCES
pal_must "bundle: comm of crun's setup" pal_ctr_bundle masq 7f3e-01 /bin/sh -c \
	'cp /bin/ctrtest /dev/memfd:crun_clon && exec /dev/memfd:crun_clon open /srv/secret EACCES'
# Only shell builtins after the move: no exec that would arm the new cgroup.
pal_must "bundle: child cgroup" pal_ctr_bundle child 7f3e-01 /bin/sh -c \
	'mkdir /sys/fs/cgroup/esc && echo $$ >/sys/fs/cgroup/esc/cgroup.procs && read -r cg </proc/self/cgroup && echo "moved to $cg" && [ "$cg" = 0::/esc ] && if read -r l </srv/secret; then echo "LEAK: $l"; exit 1; fi'
pal_must "bundle: writes to the rootfs" pal_ctr_bundle rootfs 7f3e-01 /bin/sh -c \
	'echo new >/srv/new && echo more >>/etc/passwd && echo x >>/srv/secret && mkdir -p /etc/a/b && [ "$(cat /srv/new)" = new ] && exec ctrtest open /srv/secret EACCES'
pal_must "bundle: crun again" pal_ctr_bundle recrun 7f3e-01 /bin/sh -c \
	'if crun --root /dev/crun run -b / -f /srv/secret again; then exit 1; fi'

pal_agent_start
pal_check "container starts; its entrypoint is denied" pal_ctr_run entry
pal_check "comm memfd:crun_clon is denied" pal_ctr_run masq
pal_check "a child cgroup of a confined task is confined" pal_ctr_run child
pal_check "writes to the overlay root work (copy-up); the secret stays denied" \
	pal_ctr_run rootfs
pal_check "crun executed in the container is confined" pal_ctr_run recrun
pal_agent_settle
pal_agent_stop

c="event=file action=deny errno=13 op=open policy=ctr-secret"
cg=/pal-test-$PAL_CASE/kubepods/besteffort/pod7f3e-01
# shellcheck disable=SC2086 # $c is a list of filters
{
# A record of a container that is gone by then names its cgroup "... (deleted)".
log "entrypoint" -c 1 $c rule=0 path=/srv/secret exe=/bin/ctrtest cgroup~$cg/entry
log "comm of crun's setup" -c 1 $c rule=0 path=/srv/secret comm=memfd:crun_clon \
	exe=/dev/memfd:crun_clon cgroup~$cg/masq
log "child cgroup" -c 1 $c rule=0 path=/srv/secret exe=/bin/busybox cgroup~$cg/child/esc
log "child cgroup: the move is no escape" -n 0 event=file op=cgroup_move
log "after copy-up" -c 1 $c rule=0 path=/srv/secret exe=/bin/ctrtest cgroup~$cg/rootfs
log "crun again: its memfd exec fails closed" -c 1 event=exec action=deny errno=13 op=exec \
	policy=ctr-secret rule=null unresolved=true comm=crun exe=/usr/bin/crun cgroup~$cg/recrun
# Before its exec, crun again is denied once more: its mount (mounts: deny).
log "crun again: its mount is denied" -c 1 event=file action=deny errno=13 op=mount \
	policy=ctr-secret comm=crun exe=/usr/bin/crun cgroup~$cg/recrun
for n in entry masq child rootfs; do
	log "the runtime's setup ($n): no file record unresolved" -n 0 \
		event=file cgroup~$cg/$n unresolved=true
	log "the runtime's setup ($n): no mount record" -n 0 event=file cgroup~$cg/$n op=mount
done
log "nothing else" -c 5 event=file
log "nothing else" -c 1 event=exec
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
