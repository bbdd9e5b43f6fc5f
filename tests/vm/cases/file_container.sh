# SPDX-License-Identifier: GPL-2.0-only
# Paths are resolved relative to the task's own root. A
# "container" is a mount namespace (unshare -m, its own /proc) chrooted into
# a busybox tree under the case's tmp dir, in cgroup "ctr". The initramfs
# root cannot be pivot_root'ed, hence chroot.
#  - policy ctr-secret (cgroup ctr) on /etc/secret protects the container's
#    own /etc/secret; the host's /etc/secret stays readable by host tasks,
#    and the container's file stays readable from the host by its host path;
#  - the reverse, policy host-secret (cgroup host) on /etc/secret protects
#    the host's file for host tasks, not the container's file;
#  - identity: the host's /etc bind-mounted into the container is still the
#    host's /etc/secret, whose identity key ctr-secret holds.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

r=$PAL_TMP/root
mkdir -p "$r/bin" "$r/etc" "$r/proc" "$r/hostetc" /etc
cp /bin/busybox "$r/bin/" && cp /bin/paltest "$r/bin/ctrtest"
ln -s busybox "$r/bin/sh" && ln -s busybox "$r/bin/cat"
echo "container secret" >"$r/etc/secret"
echo "host secret" >/etc/secret
mkdir "$PAL_CGROUP/ctr" "$PAL_CGROUP/host"
pal_policy ctr.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: ctr-secret
target:
  cgroups: [/pal-test-$PAL_CASE/ctr]
# the "container" mounts its /proc and binds after it is in the cgroup
mounts: allow
files:
  - paths: [/etc/secret]
    access: [read]
    action: deny
---
apiVersion: palisade/v1
kind: Policy
name: host-secret
target:
  cgroups: [/pal-test-$PAL_CASE/host]
files:
  - paths: [/etc/secret]
    access: [read]
    action: deny
YAML
pal_agent_start

# in_ctr CMD...: run CMD in cgroup ctr, in a new mount namespace, chrooted to $r
in_ctr() { pal_in_cgroup ctr paltest ctr "$r" - "$@"; }
pal_check "the container sees its own file" \
	sh -c 'paltest ctr "$1" - /bin/cat /etc/secret | grep -qx "container secret"' - "$r"
pal_check "container: its /etc/secret is denied" in_ctr /bin/ctrtest open /etc/secret EACCES
pal_check "container: cat of it fails" in_ctr /bin/sh -c '! cat /etc/secret'
pal_check "container: through its own /proc/self/root" \
	in_ctr /bin/ctrtest open /proc/self/root/etc/secret EACCES
pal_check "host task: the host's /etc/secret opens" paltest open /etc/secret OK
pal_check "host task: the container's file by its host path opens" paltest open "$r/etc/secret" OK
pal_check "host cgroup: the host's /etc/secret is denied" \
	pal_in_cgroup host paltest open /etc/secret EACCES
pal_check "host cgroup: the container's file (host path) is not" \
	pal_in_cgroup host paltest open "$r/etc/secret" OK
pal_check "ctr cgroup, host root: the policy follows the task's root" \
	pal_in_cgroup ctr paltest open /etc/secret EACCES
pal_check "ctr cgroup, host root: the container's file by host path opens" \
	pal_in_cgroup ctr paltest open "$r/etc/secret" OK
pal_check "container: the host's /etc bind-mounted in is still the host's secret" \
	pal_in_cgroup ctr paltest ctr "$r" /etc /bin/ctrtest open /hostetc/secret EACCES
# After unshare(CLONE_NEWNS), /proc/self/exe names the program on a mount of
# the old namespace: no path below the task's root. That fails closed.
pal_check "unresolvable (other mount namespace): fails closed" \
	pal_in_cgroup ctr paltest unshare-open /proc/self/exe EACCES
pal_agent_stop

c="event=file action=deny errno=13 op=open"
# shellcheck disable=SC2086 # $c is a list of filters
{
log "container: path and exe as the container sees them" -c 2 $c rule=0 policy=ctr-secret \
	path=/etc/secret exe=/bin/ctrtest "cgroup=/pal-test-$PAL_CASE/ctr"
log "container: cat" -c 1 $c rule=0 policy=ctr-secret path=/etc/secret exe=/bin/busybox
log "ctr cgroup, host root" -c 1 $c rule=0 policy=ctr-secret path=/etc/secret exe=/bin/paltest
log "host cgroup" -c 1 $c rule=0 policy=host-secret path=/etc/secret exe=/bin/paltest \
	"cgroup=/pal-test-$PAL_CASE/host"
log "bind-mounted host file: identity key" -c 1 $c rule=0 policy=ctr-secret \
	path=/hostetc/secret exe=/bin/ctrtest
log "unresolved: no rule, flagged" -c 1 $c rule=null policy=ctr-secret unresolved=true \
	path=/bin/paltest
log "nothing else" -c 7 event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
rm -f /etc/secret
pal_done
