# SPDX-License-Identifier: GPL-2.0-only
# Who a targeted policy binds.
#  - a process outside the target cgroup is not affected;
#  - a process in a child (and grandchild) cgroup created after the load is;
#  - a process that was already running in the cgroup before the agent
#    started is;
#  - a process moved out of the cgroup (by an unconfined task: a confined
#    one cannot move itself, see cgroup_escape) is no longer affected;
#  - a policy without `target` binds every process, the case shell too.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir -p /srv && echo "top secret" >/srv/secret && echo host >/srv/hostwide
mkdir "$PAL_CGROUP/confined" "$PAL_CGROUP/other"
pal_policy scope.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: scope
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
---
apiVersion: palisade/v1
kind: Policy
name: host-wide
files:
  - paths: [/srv/hostwide]
    access: [read]
    action: deny
YAML

# Started before the agent, waits for "go", then reads.
pal_in_cgroup confined sh -c 'while [ ! -e go ]; do sleep 0.1; done
	exec paltest open /srv/secret EACCES' >"$PAL_TMP/early.out" 2>&1 &
early=$!
pal_agent_start

mkdir -p "$PAL_CGROUP/confined/child/grandchild"
pal_check "a sibling cgroup is not affected" pal_in_cgroup other paltest open /srv/secret OK
pal_check "the case's own cgroup (the parent) is not affected" paltest open /srv/secret OK
pal_check "a child cgroup created after the load is" \
	pal_in_cgroup confined/child paltest open /srv/secret EACCES
pal_check "... and a grandchild" \
	pal_in_cgroup confined/child/grandchild paltest open /srv/secret EACCES
touch go
wait $early
rc=$?
cat "$PAL_TMP/early.out"
pal_check "a process running in the cgroup before the agent started is" test "$rc" = 0
# A confined shell waits on a fifo (a builtin) while this shell moves it out.
moved_out() {
	rm -f "$PAL_TMP/out.pid" "$PAL_TMP/out" && mkfifo "$PAL_TMP/out"
	pal_in_cgroup confined sh -c 'echo $$ >"$1.tmp" && mv "$1.tmp" "$1.pid" &&
		read -r x <"$1" && exec paltest open /srv/secret OK' - "$PAL_TMP/out" &
	_bg=$!
	until [ -s "$PAL_TMP/out.pid" ]; do sleep 0.1; done
	read -r _pid <"$PAL_TMP/out.pid"
	echo "$_pid" >"$PAL_CGROUP/other/cgroup.procs" || { kill "$_pid"; return 1; }
	echo go >"$PAL_TMP/out"
	wait "$_bg"
}
pal_check "a process moved out of the cgroup is not" moved_out
pal_check "the host-wide policy binds the case shell" paltest open /srv/hostwide EACCES
pal_check "... and the confined cgroup" pal_in_cgroup confined paltest open /srv/hostwide EACCES
pal_agent_stop

c="event=file action=deny errno=13 op=open exe=/bin/paltest rule=0"
# shellcheck disable=SC2086 # $c is a list of filters
{
log "child cgroup record" -c 1 $c policy=scope path=/srv/secret \
	"cgroup=/pal-test-$PAL_CASE/confined/child"
log "grandchild cgroup record" -c 1 $c policy=scope path=/srv/secret \
	"cgroup=/pal-test-$PAL_CASE/confined/child/grandchild"
log "early process record" -c 1 $c policy=scope path=/srv/secret \
	"cgroup=/pal-test-$PAL_CASE/confined"
log "host-wide records" -c 2 $c policy=host-wide path=/srv/hostwide
log "host-wide, case shell's cgroup" -c 1 $c policy=host-wide "cgroup=/pal-test-$PAL_CASE"
log "nothing else" -c 5 event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
