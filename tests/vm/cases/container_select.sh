# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# A policy that targets containers by namespace, pod and container name
# (the CRI annotations the bundle carries), with real containers under crun
# (container_select_runc.sh: runc), tests/vm/container.sh.
# docs/containers.md, "Containers by name".
#  - Classified: the agent read the runtime's state before the entrypoint
#    ran (create, status, start). The container named nginx in
#    pod web-1 of namespace prod is denied the secret (EACCES) and a UDP
#    connect (EPERM), and its records name container, pod, namespace,
#    image, container id and runtime. A sibling named redis in the same pod
#    reads the secret and connects, with no record. What the runtime's exec
#    runs in a running target is confined the same way.
#  - Not classified yet: the runtime keeps its state where the agent does not
#    look, so the agent cannot read the names (as while a runtime has not
#    written its state). Such a container is confined by every policy that
#    could select it from its first instruction, a would-be target and a
#    sibling alike: there is no window. Their records carry the container
#    id from the cgroup and no names.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh
. /lib/palisade-test/container.sh

uid=5c1d7a2e-0b6f-4c3a-9e1d-2f4a6b8c0d11
t1=a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
s1=b1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
t2=c1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
s2=d1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
t3=e1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
port=4711

pal_ctr_world || pal_fail "host world for $PAL_CTR_RUNTIME"
pal_ctr_pod "$uid" >/dev/null || pal_fail "pod cgroup"
pal_policy sel.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: web-nginx
target:
  containers:
    - namespace: prod
      pod: "web-*"
      container: nginx
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
network:
  - connect: [127.0.0.1/32]
    ports: [$port]
    action: deny
YAML

# The entrypoint's checks, first instruction on; the result goes to /result.
denied="ctrtest open /srv/secret EACCES && ctrsock inet dgram 0 EPERM connect 127.0.0.1 $port"
allowed="ctrtest open /srv/secret OK && ctrsock inet dgram 0 OK connect 127.0.0.1 $port"
bundle() { # ID NAME CHECKS
	PAL_CTR_NS=prod PAL_CTR_POD=web-1 PAL_CTR_NAME=$2 pal_ctr_bundle "$1" "$uid" \
		/bin/sh -c "$3; echo \$? >/result"
}
pal_must "bundle: target" bundle "$t1" nginx "$denied"
pal_must "bundle: sibling" bundle "$s1" redis "$allowed"
pal_must "bundle: exec target" bundle "$t3" nginx "sleep 120"
pal_must "bundle: unclassified target" bundle "$t2" nginx "$denied"
pal_must "bundle: unclassified sibling" bundle "$s2" redis "$denied"

seen() { # N: the agent has classified N containers and waits for none
	"$PAL_AGENT" status --json --socket "$PAL_SOCK" |
		grep -q "\"containers_seen\":$1,\"containers_waiting\":0"
}
wait_seen() {
	_i=0
	until seen "$1"; do
		_i=$((_i + 1))
		[ $_i -lt 200 ] || return 1
		sleep 0.05
	done
}

pal_agent_start
pal_must "create target" pal_ctr_create "$t1"
pal_must "create sibling" pal_ctr_create "$s1"
pal_must "create exec target" pal_ctr_create "$t3"
pal_check "the agent classified all three from $PAL_CTR_RUNTIME's state" wait_seen 3
pal_check "status lists the target under its policy" sh -c \
	"'$PAL_AGENT' status --json --socket '$PAL_SOCK' | grep -q '\"containers\":\[[^]]*\"container_id\":\"$t1\"'"
pal_check "target nginx: secret and connect denied" pal_ctr_start "$t1"
pal_check "sibling redis: both allowed" pal_ctr_start "$s1"
# exec joins the running container's cgroup and namespaces: what it runs
# there is the container's.
pal_must "start exec target" pal_ctr_rt start "$t3"
# Its stdio are pipes, as a shim gives them: the runtime fchowns them, and a
# file of the host (even /dev/null) is outside the container's root.
exec_in() {
	{
		: | pal_ctr_rt exec "$t3" "$@"
		echo $? >"$PAL_TMP/exec.rc"
	} 2>&1 | cat
	[ "$(cat "$PAL_TMP/exec.rc")" = 0 ]
}
pal_check "exec: the secret is denied" exec_in /bin/sh -c "exec /bin/ctrtest open /srv/secret EACCES"
pal_check "exec: the connect is denied" \
	exec_in /bin/sh -c "exec /bin/ctrsock inet dgram 0 EPERM connect 127.0.0.1 $port"
pal_must "stop exec target" pal_ctr_rt kill "$t3" KILL
_i=0
while pal_ctr_rt state "$t3" | grep -q '"status": *"running"' && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
pal_must "delete exec target" pal_ctr_rt delete -f "$t3"

# The runtime's state where the agent does not look: the names stay unknown.
PAL_CTR_ROOT=/run/$PAL_CTR_RUNTIME-elsewhere
export PAL_CTR_ROOT
mkdir -p "$PAL_CTR_ROOT"
pal_check "unclassified target: denied from its first instruction" pal_ctr_create "$t2"
pal_check "unclassified target: runs" pal_ctr_start "$t2"
pal_check "unclassified sibling: denied too (fails closed)" pal_ctr_create "$s2"
pal_check "unclassified sibling: runs" pal_ctr_start "$s2"
unset PAL_CTR_ROOT
pal_agent_settle
pal_agent_stop

f="event=file action=deny errno=13 op=open policy=web-nginx rule=0 path=/srv/secret"
n="event=network action=deny errno=1 op=connect policy=web-nginx rule=1 dport=$port"
names="container=nginx pod=web-1 namespace=prod image=docker.io/library/busybox:1.36 runtime=$PAL_CTR_RUNTIME"
# shellcheck disable=SC2086 # filter lists
{
log "target: the file record names the container" -c 1 $f container_id=$t1 $names pod_uid=$uid
log "target: the network record too" -c 1 $n container_id=$t1 $names pod_uid=$uid
log "sibling: no record" -n 0 container_id=$s1
log "exec: file" -c 1 $f container_id=$t3 $names comm=ctrtest
log "exec: network" -c 1 $n container_id=$t3 $names comm=ctrsock
log "unclassified target: file" -c 1 $f container_id=$t2 runtime=cri
log "unclassified target: network" -c 1 $n container_id=$t2 runtime=cri
log "unclassified sibling: file" -c 1 $f container_id=$s2 runtime=cri
log "unclassified sibling: network" -c 1 $n container_id=$s2 runtime=cri
log "unclassified target: no names" -n 0 container_id=$t2 container
log "unclassified sibling: no names" -n 0 container_id=$s2 container
log "nothing else denied: files" -n 4 event=file action=deny
log "nothing else denied: network" -n 4 event=network action=deny
}
pal_done
